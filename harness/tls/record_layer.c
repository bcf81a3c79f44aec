#include "record_layer.h"

#include <string.h>

#include <openssl/mem.h>

/* Forgets the key of |dir| but keeps its settings (record size limit, usage
 * cap). The AEAD context is wiped as well as cleaned up, since BoringSSL may
 * keep the key schedule inside the context itself rather than on the heap. */
static void drop_key(th_rl_dir *dir) {
    EVP_AEAD_CTX_cleanup(&dir->aead);
    OPENSSL_cleanse(&dir->aead, sizeof(dir->aead));
    th_secret_cleanse(&dir->iv);
    th_secret_cleanse(&dir->traffic_secret);
    dir->suite = 0;
    dir->seq = 0;
    dir->num_records = 0;
    dir->num_bytes = 0;
    dir->max_records = 0;
}

/* The records one key of |dir| may protect before a KeyUpdate (RFC 8446 §5.5):
 * 2^24.5 for AES-GCM, no count for ChaCha20-Poly1305 (the sequence number
 * headroom covers it), each lowered by a usage cap. */
static uint64_t usage_limit(const th_rl_dir *dir) {
    uint64_t limit = UINT64_MAX;
    if (dir->suite == TH_TLS_AES_128_GCM_SHA256 || dir->suite == TH_TLS_AES_256_GCM_SHA384) {
        limit = TH_RL_AES_GCM_MAX_RECORDS;
    }
    if (dir->max_records_cap != 0 && dir->max_records_cap < limit) {
        limit = dir->max_records_cap;
    }
    return limit;
}

/* The largest TLSInnerPlaintext |dir| seals or accepts. */
static size_t inner_limit(const th_rl_dir *dir) {
    return dir->record_size_limit != 0 ? dir->record_size_limit : TH_RL_MAX_INNER_PLAINTEXT;
}

int th_rl_dir_set_key(th_rl_dir *dir, uint16_t suite, const th_secret *traffic_secret) {
    const EVP_MD *md = th_suite_hash(suite);
    const EVP_AEAD *aead = th_suite_aead(suite);
    th_secret secret, key, iv;
    int ok = 0;
    memset(&key, 0, sizeof(key));
    memset(&iv, 0, sizeof(iv));
    /* A copy first: |traffic_secret| may be the one drop_key wipes. */
    secret = *traffic_secret;
    drop_key(dir);
    /* RFC 8446 §7.3 derives the key and IV; §5.3: "Each sequence number is
     * set to zero at the beginning of a connection and whenever the key is
     * changed". drop_key zeroed the sequence number and counters. The IV
     * must hold the 8-byte sequence number (§5.3, N_MIN of at least 8). */
    if (md == NULL || aead == NULL || !th_tls13_traffic_key_iv(&key, &iv, md, aead, &secret) ||
        iv.len < 8 || iv.len > EVP_AEAD_MAX_NONCE_LENGTH ||
        !EVP_AEAD_CTX_init(&dir->aead, aead, key.bytes, key.len, EVP_AEAD_DEFAULT_TAG_LENGTH,
                           NULL)) {
        goto err;
    }
    dir->suite = suite;
    dir->iv = iv;
    dir->traffic_secret = secret;
    dir->max_records = usage_limit(dir);
    ok = 1;
err:
    th_secret_cleanse(&secret);
    th_secret_cleanse(&key);
    th_secret_cleanse(&iv);
    if (!ok) {
        drop_key(dir);
    }
    return ok;
}

int th_rl_dir_update(th_rl_dir *dir) {
    th_secret next;
    int ok;
    if (dir->suite == 0) {
        return 0;
    }
    /* RFC 8446 §7.2: application_traffic_secret_N+1 = HKDF-Expand-Label(
     * application_traffic_secret_N, "traffic upd", "", Hash.length), then new
     * keys as in §7.3 (and a fresh sequence number, §5.3). */
    ok = th_tls13_next_traffic_secret(&next, th_suite_hash(dir->suite), &dir->traffic_secret) &&
         th_rl_dir_set_key(dir, dir->suite, &next);
    th_secret_cleanse(&next);
    if (!ok) {
        drop_key(dir);
    }
    return ok;
}

int th_rl_dir_set_record_size_limit(th_rl_dir *dir, uint16_t limit) {
    /* RFC 8449 §4: "Endpoints MUST NOT send a "record_size_limit" extension
     * with a value smaller than 64." */
    if (limit < TH_RL_MIN_RECORD_SIZE_LIMIT) {
        return 0;
    }
    /* RFC 8449 §4: "TLS 1.3 uses a limit of 2^14+1 octets"; a larger value
     * (reserved for future versions) allows nothing more. */
    dir->record_size_limit = limit > TH_RL_MAX_INNER_PLAINTEXT ? TH_RL_MAX_INNER_PLAINTEXT : limit;
    return 1;
}

void th_rl_dir_set_usage_cap(th_rl_dir *dir, uint64_t max_records) {
    dir->max_records_cap = max_records;
    if (dir->suite != 0) {
        dir->max_records = usage_limit(dir);
    }
}

void th_rl_dir_set_seq(th_rl_dir *dir, uint64_t seq) {
    dir->seq = seq;
}

int th_rl_dir_needs_key_update(const th_rl_dir *dir) {
    /* RFC 8446 §5.5: "Implementations SHOULD do a key update as described in
     * Section 4.6.3 prior to reaching these limits." */
    return dir->suite != 0 &&
           (dir->num_records >= dir->max_records || dir->seq >= UINT64_MAX - TH_RL_SEQ_HEADROOM);
}

size_t th_rl_max_content_len(const th_rl_dir *dir) {
    /* RFC 8449 §4: the limit "includes the content type and padding added in
     * TLS 1.3 (that is, the complete length of TLSInnerPlaintext)". */
    return inner_limit(dir) - 1;
}

/* RFC 8446 §5.3: "1. The 64-bit record sequence number is encoded in network
 * byte order and padded to the left with zeros to iv_length. 2. The padded
 * sequence number is XORed with either the static client_write_iv or
 * server_write_iv". set_key guarantees iv_length >= 8. */
static void make_nonce(const th_rl_dir *dir, uint8_t nonce[EVP_AEAD_MAX_NONCE_LENGTH]) {
    size_t len = dir->iv.len;
    memcpy(nonce, dir->iv.bytes, len);
    for (size_t i = 0; i < 8; i++) {
        nonce[len - 1 - i] ^= (uint8_t)(dir->seq >> (8 * i));
    }
}

/* RFC 8446 §5.2: "additional_data = TLSCiphertext.opaque_type ||
 * TLSCiphertext.legacy_record_version || TLSCiphertext.length", which is the
 * record header itself. */
static void make_header(uint8_t out[TH_RECORD_HEADER_LEN], uint16_t version, size_t len) {
    out[0] = TH_CT_APPLICATION_DATA;
    out[1] = (uint8_t)(version >> 8);
    out[2] = (uint8_t)version;
    out[3] = (uint8_t)(len >> 8);
    out[4] = (uint8_t)len;
}

/* The padding |pad| adds to a TLSInnerPlaintext of |inner_len| bytes. 0 for
 * an unknown mode or a block size of 0; the caller checks the limit. */
static int padding_len(const th_rl_padding *pad, size_t inner_len, size_t limit, size_t *out_len) {
    *out_len = 0;
    if (pad == NULL || pad->mode == TH_RL_PAD_NONE) {
        return 1;
    }
    if (pad->mode == TH_RL_PAD_EXACT) {
        *out_len = pad->value;
        return 1;
    }
    if (pad->mode != TH_RL_PAD_BLOCK || pad->value == 0) {
        return 0;
    }
    size_t rem = inner_len % pad->value;
    size_t want = rem == 0 ? 0 : pad->value - rem;
    /* A block policy only hides lengths: it stops at the limit rather than
     * fail (RFC 8446 §5.4 pads "from zero up to TLS record size limits"). */
    *out_len = want < limit - inner_len ? want : limit - inner_len;
    return 1;
}

int th_rl_seal(th_rl_dir *dir, CBB *out, uint8_t type, const uint8_t *content, size_t content_len,
               const th_rl_padding *pad) {
    size_t limit = inner_limit(dir), inner_len, pad_len, ct_len, written;
    uint8_t header[TH_RECORD_HEADER_LEN], nonce[EVP_AEAD_MAX_NONCE_LENGTH], *body;
    /* RFC 8446 §5.3: "If a TLS implementation would need to wrap a sequence
     * number, it MUST either rekey (Section 4.6.3) or terminate the
     * connection." The last number is never used, so seq + 1 never wraps. */
    if (dir->suite == 0 || dir->seq == UINT64_MAX) {
        return 0;
    }
    /* RFC 8446 §5.1: records carry "chunks of 2^14 bytes or less"; §5.4: "the
     * full encoded TLSInnerPlaintext MUST NOT exceed 2^14 + 1 octets"; RFC
     * 8449 §4: "an endpoint MUST NOT generate a protected record with
     * plaintext that is larger than the RecordSizeLimit value it receives
     * from its peer" (limit <= 2^14 + 1 by th_rl_dir_set_record_size_limit). */
    if (content_len > TH_MAX_PLAINTEXT || content_len >= limit) {
        return 0;
    }
    inner_len = content_len + 1;
    if (!padding_len(pad, inner_len, limit, &pad_len) || pad_len > limit - inner_len) {
        return 0;
    }
    inner_len += pad_len;
    ct_len = inner_len + EVP_AEAD_max_overhead(EVP_AEAD_CTX_aead(&dir->aead));
    /* RFC 8446 §5.2: opaque_type "is always set to the value 23" and
     * legacy_record_version "is always 0x0303". */
    make_header(header, TH_VERSION_TLS12, ct_len);
    if (!CBB_add_bytes(out, header, sizeof(header)) || !CBB_add_space(out, &body, ct_len)) {
        return 0;
    }
    if (content_len > 0) {
        memcpy(body, content, content_len);
    }
    body[content_len] = type;
    /* RFC 8446 §5.4: "Implementations MUST set the padding octets to all
     * zeros before encrypting." */
    memset(body + content_len + 1, 0, pad_len);
    make_nonce(dir, nonce);
    if (!EVP_AEAD_CTX_seal(&dir->aead, body, &written, ct_len, nonce, dir->iv.len, body, inner_len,
                           header, sizeof(header)) ||
        written != ct_len) {
        return 0;
    }
    dir->seq++;
    dir->num_records++;
    dir->num_bytes += inner_len;
    return 1;
}

int th_rl_open(th_rl_dir *dir, const th_record *rec, uint8_t *out, size_t out_cap,
               th_inner_plaintext *out_inner, uint8_t *out_alert) {
    size_t len = rec->fragment.len, tag_len, inner_len;
    uint8_t header[TH_RECORD_HEADER_LEN], nonce[EVP_AEAD_MAX_NONCE_LENGTH];
    CBS inner;
    memset(out_inner, 0, sizeof(*out_inner));
    if (dir->suite == 0) {
        *out_alert = TH_ALERT_INTERNAL_ERROR;
        return 0;
    }
    /* RFC 8446 §5: "If a TLS implementation receives an unexpected record
     * type, it MUST terminate the connection with an "unexpected_message"
     * alert." Once protection is on only application_data (23) is expected
     * (§5.2), the compatibility change_cipher_spec being the engine's. Checked
     * before decrypting; BoringSSL decrypts first, so it answers
     * bad_record_mac (the type is in the AAD) or decode_error. */
    if (rec->type != TH_CT_APPLICATION_DATA) {
        *out_alert = TH_ALERT_UNEXPECTED_MESSAGE;
        return 0;
    }
    /* RFC 8446 §5.2: "An endpoint that receives a record from its peer with
     * TLSCiphertext.length larger than 2^14 + 256 octets MUST terminate the
     * connection with a "record_overflow" alert." */
    if (len > TH_MAX_CIPHERTEXT_13) {
        *out_alert = TH_ALERT_RECORD_OVERFLOW;
        return 0;
    }
    /* RFC 8446 §5.3 (no wrap, see th_rl_seal); internal_error as BoringSSL. */
    tag_len = EVP_AEAD_max_overhead(EVP_AEAD_CTX_aead(&dir->aead));
    if (dir->seq == UINT64_MAX || (len > tag_len && out_cap < len - tag_len)) {
        *out_alert = TH_ALERT_INTERNAL_ERROR;
        return 0;
    }
    /* The AAD is the header as received: legacy_record_version "MUST be
     * ignored for all purposes" (§5.1) beyond being authenticated here. */
    make_header(header, rec->version, len);
    make_nonce(dir, nonce);
    if (!EVP_AEAD_CTX_open(&dir->aead, out, &inner_len, out_cap, nonce, dir->iv.len,
                           rec->fragment.data, len, header, sizeof(header))) {
        /* RFC 8446 §5.2: "If the decryption fails, the receiver MUST terminate
         * the connection with a "bad_record_mac" alert." */
        *out_alert = TH_ALERT_BAD_RECORD_MAC;
        return 0;
    }
    dir->seq++;
    dir->num_records++;
    dir->num_bytes += inner_len;
    /* RFC 8446 §5.4: "the full encoded TLSInnerPlaintext MUST NOT exceed 2^14
     * + 1 octets", or the record_size_limit, which "applies to the full
     * plaintext, including the content type and padding"; RFC 8449 §4: "A
     * TLS endpoint that receives a record larger than its advertised limit
     * MUST generate a fatal "record_overflow" alert." */
    if (inner_len > inner_limit(dir)) {
        *out_alert = TH_ALERT_RECORD_OVERFLOW;
        return 0;
    }
    /* All-zero plaintext: unexpected_message (RFC 8446 §5.4), where BoringSSL
     * sends decrypt_error. Unknown inner types are the engine's to refuse. */
    CBS_init(&inner, out, inner_len);
    if (!th_parse_inner_plaintext(&inner, out_inner, out_alert)) {
        return 0;
    }
    /* RFC 8446 §5.4: "Implementations MUST NOT send Handshake and Alert
     * records that have a zero-length TLSInnerPlaintext.content; if such a
     * message is received, the receiving implementation MUST terminate the
     * connection with an "unexpected_message" alert." */
    if (out_inner->content.len == 0 &&
        (out_inner->type == TH_CT_HANDSHAKE || out_inner->type == TH_CT_ALERT)) {
        memset(out_inner, 0, sizeof(*out_inner));
        *out_alert = TH_ALERT_UNEXPECTED_MESSAGE;
        return 0;
    }
    return 1;
}

void th_rl_dir_cleanup(th_rl_dir *dir) {
    if (dir == NULL) {
        return;
    }
    EVP_AEAD_CTX_cleanup(&dir->aead);
    OPENSSL_cleanse(dir, sizeof(*dir));
}
