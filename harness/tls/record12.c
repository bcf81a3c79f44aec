#include "record12.h"

#include <string.h>

#include <openssl/mem.h>
#include <openssl/rand.h>

/* RFC 5288 §3: "The nonce_explicit length (SecurityParameters.record_iv_length)
 * is 8 octets"; the whole GCM nonce is 12, as is ChaCha20-Poly1305's (RFC
 * 7905 §2). */
#define AEAD_NONCE_LEN   12
#define GCM_SALT_LEN     4
#define GCM_EXPLICIT_LEN 8
/* RFC 5246 §6.2.3.3: additional_data = seq_num (8) + type (1) + version (2)
 * + length (2). BoringSSL's TLS CBC AEADs take it without the length. */
#define AD_LEN           13
#define AD_LEN_NO_LENGTH 11
/* RFC 5246 §6.2.3.2: "Legal values range from zero to 255". */
#define MAX_CBC_PADDING 255

/* Forgets the keys of |dir| but keeps its settings (plaintext limit,
 * randomness). The contexts are wiped as well as cleaned up, since BoringSSL
 * may keep key schedules inside the contexts themselves. A zeroed context is
 * an initialised one for all three kinds. */
static void drop_key(th_rl12_dir *dir) {
    EVP_AEAD_CTX_cleanup(&dir->aead);
    EVP_CIPHER_CTX_cleanup(&dir->cbc);
    HMAC_CTX_cleanup(&dir->hmac);
    OPENSSL_cleanse(&dir->aead, sizeof(dir->aead));
    OPENSSL_cleanse(&dir->cbc, sizeof(dir->cbc));
    OPENSSL_cleanse(&dir->hmac, sizeof(dir->hmac));
    th_secret_cleanse(&dir->fixed_iv);
    dir->suite = NULL;
    dir->direction = TH_RL12_OPEN;
    dir->encrypt_then_mac = 0;
    dir->seq = 0;
}

/* 1 if |s| has the length |want|: an absent (NULL or empty) secret where the
 * suite uses none. */
static int key_len_ok(const th_secret *s, size_t want) {
    if (want == 0) {
        return s == NULL || s->len == 0;
    }
    return s != NULL && s->len == want;
}

static th_secret copy_or_empty(const th_secret *s) {
    th_secret c;
    memset(&c, 0, sizeof(c));
    if (s != NULL) {
        c = *s;
    }
    return c;
}

int th_rl12_dir_set_key(th_rl12_dir *dir, uint16_t suite_id, th_rl12_direction direction,
                        int encrypt_then_mac, const th_secret *mac_key, const th_secret *enc_key,
                        const th_secret *fixed_iv) {
    const th_tls12_suite *suite = th_tls12_suite_find(suite_id);
    enum evp_aead_direction_t aead_dir = direction == TH_RL12_SEAL ? evp_aead_seal : evp_aead_open;
    uint8_t cbc_key[2 * TH_SECRET_MAX];
    int ok = 0;
    /* Copies first: an input may be &dir->fixed_iv, which drop_key wipes. */
    th_secret mk = copy_or_empty(mac_key), ek = copy_or_empty(enc_key);
    th_secret iv = copy_or_empty(fixed_iv);
    int lens_ok = suite != NULL && key_len_ok(mac_key, suite->mac_key_len) &&
                  key_len_ok(enc_key, suite->enc_key_len) &&
                  key_len_ok(fixed_iv, suite->fixed_iv_len);
    drop_key(dir);
    if (!lens_ok || (direction != TH_RL12_OPEN && direction != TH_RL12_SEAL)) {
        goto err;
    }
    if (suite->cipher == TH_TLS12_CIPHER_AES_CBC_HMAC_SHA1) {
        /* The raw cipher and HMAC serve encrypt-then-MAC both ways and the
         * scripted MAC-then-encrypt seals; opening MAC-then-encrypt records
         * only ever goes through the constant-time AEAD below. */
        if (!EVP_CipherInit_ex(&dir->cbc, suite->cbc(), NULL, ek.bytes, NULL,
                               direction == TH_RL12_SEAL) ||
            !EVP_CIPHER_CTX_set_padding(&dir->cbc, 0) ||
            !HMAC_Init_ex(&dir->hmac, mk.bytes, mk.len, suite->mac_md(), NULL)) {
            goto err;
        }
        /* BoringSSL's TLS CBC AEAD takes mac_key || enc_key as its key. */
        memcpy(cbc_key, mk.bytes, mk.len);
        memcpy(cbc_key + mk.len, ek.bytes, ek.len);
        if (!encrypt_then_mac &&
            !EVP_AEAD_CTX_init_with_direction(&dir->aead, suite->aead(), cbc_key, mk.len + ek.len,
                                              EVP_AEAD_DEFAULT_TAG_LENGTH, aead_dir)) {
            goto err;
        }
    } else {
        /* RFC 7366 §3: encrypt-then-MAC "does not apply to ...
         * GenericAEADCiphers". */
        if (encrypt_then_mac ||
            !EVP_AEAD_CTX_init_with_direction(&dir->aead, suite->aead(), ek.bytes, ek.len,
                                              EVP_AEAD_DEFAULT_TAG_LENGTH, aead_dir)) {
            goto err;
        }
        dir->fixed_iv = iv;
    }
    dir->suite = suite;
    dir->direction = direction;
    dir->encrypt_then_mac = encrypt_then_mac != 0;
    ok = 1;
err:
    OPENSSL_cleanse(cbc_key, sizeof(cbc_key));
    th_secret_cleanse(&mk);
    th_secret_cleanse(&ek);
    th_secret_cleanse(&iv);
    if (!ok) {
        drop_key(dir);
    }
    return ok;
}

int th_rl12_dir_set_key_block(th_rl12_dir *dir, uint16_t suite, th_rl12_direction direction,
                              int encrypt_then_mac, const th_tls12_key_block *kb,
                              int sender_is_server) {
    if (kb == NULL) {
        drop_key(dir);
        return 0;
    }
    if (sender_is_server) {
        return th_rl12_dir_set_key(dir, suite, direction, encrypt_then_mac, &kb->server_mac_key,
                                   &kb->server_key, &kb->server_iv);
    }
    return th_rl12_dir_set_key(dir, suite, direction, encrypt_then_mac, &kb->client_mac_key,
                               &kb->client_key, &kb->client_iv);
}

int th_rl12_dir_set_plaintext_limit(th_rl12_dir *dir, size_t limit) {
    /* RFC 8449 §4: "Endpoints MUST NOT send a "record_size_limit" extension
     * with a value smaller than 64", and for TLS 1.2 the protocol limit is
     * 2^14 (RFC 5246 §6.2.1). max_fragment_length values (2^9..2^12, RFC
     * 6066 §4) are all in range. */
    if (limit < TH_RL12_MIN_PLAINTEXT_LIMIT) {
        return 0;
    }
    dir->plaintext_limit = limit > TH_MAX_PLAINTEXT ? TH_MAX_PLAINTEXT : limit;
    return 1;
}

void th_rl12_dir_set_random(th_rl12_dir *dir, th_random_fn random, void *random_ctx) {
    dir->random = random;
    dir->random_ctx = random_ctx;
}

void th_rl12_dir_set_seq(th_rl12_dir *dir, uint64_t seq) {
    dir->seq = seq;
}

size_t th_rl12_max_content_len(const th_rl12_dir *dir) {
    return dir->plaintext_limit != 0 ? dir->plaintext_limit : TH_MAX_PLAINTEXT;
}

static void put_u64(uint8_t out[8], uint64_t v) {
    for (size_t i = 0; i < 8; i++) {
        out[i] = (uint8_t)(v >> (56 - 8 * i));
    }
}

/* RFC 5246 §6.2.3.3: "additional_data = seq_num + TLSCompressed.type +
 * TLSCompressed.version + TLSCompressed.length", the same bytes that start
 * the MAC input of §6.2.3.1. */
static void make_ad(uint8_t out[AD_LEN], uint64_t seq, uint8_t type, uint16_t version, size_t len) {
    put_u64(out, seq);
    out[8] = type;
    out[9] = (uint8_t)(version >> 8);
    out[10] = (uint8_t)version;
    out[11] = (uint8_t)(len >> 8);
    out[12] = (uint8_t)len;
}

/* The 12-byte AEAD nonce of the record with sequence number |seq|. AES-GCM,
 * RFC 5288 §3: "struct { opaque salt[4]; opaque nonce_explicit[8]; }", the
 * salt being the write IV and nonce_explicit the value the record carries
 * (|explicit_nonce|). ChaCha20-Poly1305, RFC 7905 §2: "The 64-bit record
 * sequence number is serialized as an 8-byte, big-endian value and padded on
 * the left with four 0x00 bytes. The padded sequence number is XORed with the
 * client_write_IV (when the client is sending) or server_write_IV". */
static void make_nonce(const th_rl12_dir *dir, const uint8_t explicit_nonce[GCM_EXPLICIT_LEN],
                       uint64_t seq, uint8_t out[AEAD_NONCE_LEN]) {
    if (dir->suite->cipher == TH_TLS12_CIPHER_AES_GCM) {
        memcpy(out, dir->fixed_iv.bytes, GCM_SALT_LEN);
        memcpy(out + GCM_SALT_LEN, explicit_nonce, GCM_EXPLICIT_LEN);
        return;
    }
    uint8_t padded[AEAD_NONCE_LEN] = {0};
    put_u64(padded + 4, seq);
    for (size_t i = 0; i < AEAD_NONCE_LEN; i++) {
        out[i] = dir->fixed_iv.bytes[i] ^ padded[i];
    }
}

static int add_header(CBB *out, uint8_t type, uint16_t version, size_t len) {
    return CBB_add_u8(out, type) && CBB_add_u16(out, version) && CBB_add_u16(out, (uint16_t)len);
}

static int seal_aead(th_rl12_dir *dir, CBB *out, uint8_t type, uint16_t version,
                     const uint8_t *content, size_t content_len, const th_rl12_seal_opts *opts) {
    size_t explicit_len = dir->suite->cipher == TH_TLS12_CIPHER_AES_GCM ? GCM_EXPLICIT_LEN : 0;
    size_t tag_len, record_len, written;
    uint8_t ad[AD_LEN], nonce[AEAD_NONCE_LEN], explicit_nonce[GCM_EXPLICIT_LEN], *body;
    if (!EVP_AEAD_CTX_tag_len(&dir->aead, &tag_len, content_len, 0)) {
        return 0;
    }
    record_len = explicit_len + content_len + tag_len;
    /* RFC 5288 §3: "The nonce_explicit MAY be the 64-bit sequence number",
     * which makes it distinct per key as the RFC requires. */
    put_u64(explicit_nonce, dir->seq);
    make_nonce(dir, explicit_nonce, dir->seq, nonce);
    make_ad(ad, dir->seq, type, version, content_len);
    if (!add_header(out, type, version, record_len) || !CBB_add_space(out, &body, record_len)) {
        return 0;
    }
    memcpy(body, explicit_nonce, explicit_len);
    if (!EVP_AEAD_CTX_seal(&dir->aead, body + explicit_len, &written, record_len - explicit_len,
                           nonce, sizeof(nonce), content, content_len, ad, sizeof(ad)) ||
        written != content_len + tag_len) {
        return 0;
    }
    body[explicit_len + content_len] ^= opts->mac_xor;
    return 1;
}

static void random_iv(const th_rl12_dir *dir, uint8_t *iv, size_t len) {
    /* RFC 5246 §6.2.3.2: "The Initialization Vector (IV) SHOULD be chosen at
     * random, and MUST be unpredictable." */
    if (dir->random != NULL) {
        dir->random(dir->random_ctx, iv, len);
    } else {
        RAND_bytes(iv, len);
    }
}

/* MAC-then-encrypt through BoringSSL's TLS CBC AEAD: it appends the HMAC and
 * minimal padding and encrypts under the explicit IV given as the nonce. */
static int seal_cbc_aead(th_rl12_dir *dir, CBB *out, uint8_t type, uint16_t version,
                         const uint8_t *content, size_t content_len) {
    size_t iv_len = dir->suite->record_iv_len, tag_len, record_len, written;
    uint8_t ad[AD_LEN], *body;
    if (!EVP_AEAD_CTX_tag_len(&dir->aead, &tag_len, content_len, 0)) {
        return 0;
    }
    record_len = iv_len + content_len + tag_len;
    make_ad(ad, dir->seq, type, version, content_len);
    if (!add_header(out, type, version, record_len) || !CBB_add_space(out, &body, record_len)) {
        return 0;
    }
    random_iv(dir, body, iv_len);
    return EVP_AEAD_CTX_seal(&dir->aead, body + iv_len, &written, record_len - iv_len, body, iv_len,
                             content, content_len, ad, AD_LEN_NO_LENGTH) &&
           written == content_len + tag_len;
}

/* HMAC(MAC_write_key, ad + data) with the key set in set_key. */
static int cbc_mac(th_rl12_dir *dir, const uint8_t ad[AD_LEN], const uint8_t *data, size_t len,
                   uint8_t *out) {
    unsigned mac_len;
    return HMAC_Init_ex(&dir->hmac, NULL, 0, NULL, NULL) && HMAC_Update(&dir->hmac, ad, AD_LEN) &&
           (len == 0 || HMAC_Update(&dir->hmac, data, len)) &&
           HMAC_Final(&dir->hmac, out, &mac_len) && mac_len == dir->suite->mac_len;
}

/* CBC-encrypts or -decrypts |len| bytes (a block multiple) in place under
 * |iv|, in the direction set_key chose. */
static int cbc_crypt(th_rl12_dir *dir, const uint8_t *iv, const uint8_t *in, uint8_t *out,
                     size_t len) {
    int out_len;
    return len <= INT32_MAX && EVP_CipherInit_ex(&dir->cbc, NULL, NULL, NULL, iv, -1) &&
           EVP_CipherUpdate(&dir->cbc, out, &out_len, in, (int)len) && (size_t)out_len == len;
}

/* A CBC record built by hand: encrypt-then-MAC (RFC 7366 §3), or
 * MAC-then-encrypt with the padding and corruption of |opts| (RFC 5246
 * §6.2.3.2). */
static int seal_cbc_raw(th_rl12_dir *dir, CBB *out, uint8_t type, uint16_t version,
                        const uint8_t *content, size_t content_len, const th_rl12_seal_opts *opts) {
    size_t bs = dir->suite->record_iv_len, mac_len = dir->suite->mac_len;
    int etm = dir->encrypt_then_mac;
    size_t inner_len = content_len + (etm ? 0 : mac_len);
    size_t pad_len = bs - 1 - inner_len % bs;
    size_t enc_len, record_len;
    uint8_t ad[AD_LEN], *body, *enc;
    if (opts->cbc_extra_blocks > MAX_CBC_PADDING / bs ||
        pad_len + opts->cbc_extra_blocks * bs > MAX_CBC_PADDING) {
        return 0;
    }
    pad_len += opts->cbc_extra_blocks * bs;
    enc_len = inner_len + pad_len + 1;
    record_len = bs + enc_len + (etm ? mac_len : 0);
    if (!add_header(out, type, version, record_len) || !CBB_add_space(out, &body, record_len)) {
        return 0;
    }
    random_iv(dir, body, bs);
    enc = body + bs;
    if (content_len > 0) {
        memcpy(enc, content, content_len);
    }
    if (!etm) {
        /* RFC 5246 §6.2.3.1: "MAC(MAC_write_key, seq_num + TLSCompressed.type
         * + TLSCompressed.version + TLSCompressed.length +
         * TLSCompressed.fragment)". */
        make_ad(ad, dir->seq, type, version, content_len);
        if (!cbc_mac(dir, ad, content, content_len, enc + content_len)) {
            return 0;
        }
        enc[content_len] ^= opts->mac_xor;
    }
    /* RFC 5246 §6.2.3.2: "Each uint8 in the padding data vector MUST be
     * filled with the padding length value." */
    memset(enc + inner_len, (int)pad_len, pad_len + 1);
    enc[inner_len + (pad_len > 0 ? pad_len - 1 : pad_len)] ^= opts->cbc_pad_xor;
    if (!cbc_crypt(dir, body, enc, enc, enc_len)) {
        return 0;
    }
    if (etm) {
        /* RFC 7366 §3: "MAC(MAC_write_key, seq_num + TLSCipherText.type +
         * TLSCipherText.version + TLSCipherText.length + IV + ENC(content +
         * padding + padding_length))". The length is that of IV + ENC(...),
         * the MAC excluded, as OpenSSL computes it (the tests open OpenSSL 3
         * records). */
        make_ad(ad, dir->seq, type, version, bs + enc_len);
        if (!cbc_mac(dir, ad, body, bs + enc_len, body + bs + enc_len)) {
            return 0;
        }
        body[bs + enc_len] ^= opts->mac_xor;
    }
    return 1;
}

int th_rl12_seal_ex(th_rl12_dir *dir, CBB *out, uint8_t type, const uint8_t *content,
                    size_t content_len, const th_rl12_seal_opts *opts) {
    static const th_rl12_seal_opts kNoOpts;
    uint16_t version;
    int ok;
    if (opts == NULL) {
        opts = &kNoOpts;
    }
    version = opts->version != 0 ? opts->version : TH_VERSION_TLS12;
    /* RFC 5246 §6.1: "Sequence numbers are of type uint64 and may not exceed
     * 2^64-1. Sequence numbers do not wrap." The last number is never used,
     * so seq + 1 never wraps. */
    if (dir->suite == NULL || dir->direction != TH_RL12_SEAL || dir->seq == UINT64_MAX) {
        return 0;
    }
    /* RFC 5246 §6.2.1: "The length MUST NOT exceed 2^14"; RFC 8449 §4: "an
     * endpoint MUST NOT generate a protected record with plaintext that is
     * larger than the RecordSizeLimit value it receives from its peer". */
    if (content_len > th_rl12_max_content_len(dir) || (content == NULL && content_len > 0)) {
        return 0;
    }
    if (dir->suite->cipher != TH_TLS12_CIPHER_AES_CBC_HMAC_SHA1) {
        ok = seal_aead(dir, out, type, version, content, content_len, opts);
    } else if (dir->encrypt_then_mac || opts->cbc_extra_blocks != 0 || opts->cbc_pad_xor != 0 ||
               opts->mac_xor != 0) {
        ok = seal_cbc_raw(dir, out, type, version, content, content_len, opts);
    } else {
        ok = seal_cbc_aead(dir, out, type, version, content, content_len);
    }
    if (ok) {
        dir->seq++;
    }
    return ok;
}

int th_rl12_seal(th_rl12_dir *dir, CBB *out, uint8_t type, const uint8_t *content,
                 size_t content_len) {
    return th_rl12_seal_ex(dir, out, type, content, content_len, NULL);
}

/* Opens a GCM or ChaCha20-Poly1305 record into |out| (|out_cap| bytes), which
 * is |frag| itself for in-place decryption. */
static int open_aead(th_rl12_dir *dir, const th_record *rec, uint8_t *out, size_t out_cap,
                     int in_place, th_bytes *out_content) {
    const uint8_t *frag = rec->fragment.data;
    size_t len = rec->fragment.len, tag_len = EVP_AEAD_max_overhead(EVP_AEAD_CTX_aead(&dir->aead));
    size_t explicit_len = dir->suite->cipher == TH_TLS12_CIPHER_AES_GCM ? GCM_EXPLICIT_LEN : 0;
    size_t plain_len;
    uint8_t ad[AD_LEN], nonce[AEAD_NONCE_LEN];
    uint8_t *target = in_place ? out + explicit_len : out;
    if (len < explicit_len + tag_len) {
        return 0;
    }
    make_nonce(dir, frag, dir->seq, nonce);
    /* The version is the record's as received: authenticated, not judged. */
    make_ad(ad, dir->seq, rec->type, rec->version, len - explicit_len - tag_len);
    if (!EVP_AEAD_CTX_open(&dir->aead, target, &plain_len, out_cap - (in_place ? explicit_len : 0),
                           nonce, sizeof(nonce), frag + explicit_len, len - explicit_len, ad,
                           sizeof(ad))) {
        return 0;
    }
    out_content->data = target;
    out_content->len = plain_len;
    return 1;
}

/* Opens a MAC-then-encrypt CBC record with BoringSSL's TLS CBC AEAD, which
 * checks padding and MAC in constant time and fails the same way for both
 * (RFC 5246 §6.2.3.2: "implementations MUST ensure that record processing
 * time is essentially the same whether or not the padding is correct"). */
static int open_cbc_aead(th_rl12_dir *dir, const th_record *rec, uint8_t *out, size_t out_cap,
                         int in_place, th_bytes *out_content) {
    const uint8_t *frag = rec->fragment.data;
    size_t len = rec->fragment.len, iv_len = dir->suite->record_iv_len, plain_len;
    uint8_t ad[AD_LEN];
    uint8_t *target = in_place ? out + iv_len : out;
    if (len < iv_len) {
        return 0;
    }
    make_ad(ad, dir->seq, rec->type, rec->version, 0);
    if (!EVP_AEAD_CTX_open(&dir->aead, target, &plain_len, out_cap - (in_place ? iv_len : 0), frag,
                           iv_len, frag + iv_len, len - iv_len, ad, AD_LEN_NO_LENGTH)) {
        return 0;
    }
    out_content->data = target;
    out_content->len = plain_len;
    return 1;
}

/* Opens an encrypt-then-MAC CBC record (RFC 7366 §3): MAC over IV and
 * ciphertext first, then decryption and the padding check. */
static int open_cbc_etm(th_rl12_dir *dir, const th_record *rec, uint8_t *out, int in_place,
                        th_bytes *out_content) {
    const uint8_t *frag = rec->fragment.data;
    size_t len = rec->fragment.len, bs = dir->suite->record_iv_len, mac_len = dir->suite->mac_len;
    size_t enc_len, pad;
    uint8_t ad[AD_LEN], mac[EVP_MAX_MD_SIZE];
    uint8_t *target = in_place ? out + bs : out;
    if (len < bs + mac_len) {
        return 0;
    }
    enc_len = len - bs - mac_len;
    make_ad(ad, dir->seq, rec->type, rec->version, bs + enc_len);
    /* RFC 7366 §3: "The MAC SHALL be evaluated before any further processing
     * such as decryption is performed, and if the MAC verification fails,
     * then processing SHALL terminate immediately." */
    if (!cbc_mac(dir, ad, frag, bs + enc_len, mac) ||
        CRYPTO_memcmp(mac, frag + bs + enc_len, mac_len) != 0) {
        return 0;
    }
    if (enc_len == 0 || enc_len % bs != 0 || !cbc_crypt(dir, frag, frag + bs, target, enc_len)) {
        return 0;
    }
    /* RFC 5246 §6.2.3.2: "The receiver MUST check this padding and MUST use
     * the bad_record_mac alert to indicate padding errors." The MAC already
     * authenticated these bytes, so no timing care is needed here. */
    pad = target[enc_len - 1];
    if (pad + 1 > enc_len) {
        return 0;
    }
    for (size_t i = enc_len - 1 - pad; i < enc_len - 1; i++) {
        if (target[i] != pad) {
            return 0;
        }
    }
    out_content->data = target;
    out_content->len = enc_len - 1 - pad;
    return 1;
}

int th_rl12_open(th_rl12_dir *dir, const th_record *rec, uint8_t *out, size_t out_cap,
                 th_bytes *out_content, uint8_t *out_alert) {
    size_t len = rec->fragment.len;
    int in_place = out == rec->fragment.data, ok;
    memset(out_content, 0, sizeof(*out_content));
    if (dir->suite == NULL || dir->direction != TH_RL12_OPEN) {
        *out_alert = TH_ALERT_INTERNAL_ERROR;
        return 0;
    }
    /* RFC 5246 §6.2.3: "The length MUST NOT exceed 2^14 + 2048"; §7.2.2:
     * record_overflow for "a TLSCiphertext record ... that had a length more
     * than 2^14+2048 bytes". */
    if (len > TH_MAX_CIPHERTEXT_12) {
        *out_alert = TH_ALERT_RECORD_OVERFLOW;
        return 0;
    }
    /* RFC 5246 §6.1 (no wrap, see th_rl12_seal_ex); internal_error as
     * BoringSSL. Every path writes at most the fragment length. */
    if (dir->seq == UINT64_MAX || out_cap < len) {
        *out_alert = TH_ALERT_INTERNAL_ERROR;
        return 0;
    }
    switch (dir->suite->cipher) {
    case TH_TLS12_CIPHER_AES_GCM:
    case TH_TLS12_CIPHER_CHACHA20_POLY1305:
        ok = open_aead(dir, rec, out, out_cap, in_place, out_content);
        break;
    case TH_TLS12_CIPHER_AES_CBC_HMAC_SHA1:
        ok = dir->encrypt_then_mac ? open_cbc_etm(dir, rec, out, in_place, out_content)
                                   : open_cbc_aead(dir, rec, out, out_cap, in_place, out_content);
        break;
    default:
        ok = 0;
        break;
    }
    if (!ok) {
        /* RFC 5246 §6.2.3.3 / RFC 5288 §3: "Implementations MUST send TLS
         * Alert bad_record_mac for all types of failures encountered in
         * processing the AES-GCM algorithm"; §6.2.3.2 for CBC padding; RFC
         * 7366 §3 "a fatal bad_record_mac MUST be generated". */
        memset(out_content, 0, sizeof(*out_content));
        *out_alert = TH_ALERT_BAD_RECORD_MAC;
        return 0;
    }
    dir->seq++;
    /* RFC 5246 §6.2.1: TLSPlaintext.length "MUST NOT exceed 2^14"; §7.2.2
     * names record_overflow; RFC 8449 §4: "A TLS endpoint that receives a
     * record larger than its advertised limit MUST generate a fatal
     * "record_overflow" alert". */
    if (out_content->len > th_rl12_max_content_len(dir)) {
        memset(out_content, 0, sizeof(*out_content));
        *out_alert = TH_ALERT_RECORD_OVERFLOW;
        return 0;
    }
    return 1;
}

void th_rl12_dir_cleanup(th_rl12_dir *dir) {
    if (dir == NULL) {
        return;
    }
    drop_key(dir);
    OPENSSL_cleanse(dir, sizeof(*dir));
}
