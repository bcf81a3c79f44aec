#include "keys13.h"

#include <string.h>

#include <openssl/hkdf.h>
#include <openssl/hmac.h>
#include <openssl/mem.h>

#include "wire/message_hash.h"

/* RFC 8446 §B.4: the TLS 1.3 cipher suites BoringSSL has an AEAD for (the two
 * CCM suites have none, so they are not offered). */
static const struct {
    uint16_t suite;
    const EVP_MD *(*md)(void);
    const EVP_AEAD *(*aead)(void);
} kSuites13[] = {
    {TH_TLS_AES_128_GCM_SHA256, EVP_sha256, EVP_aead_aes_128_gcm},
    {TH_TLS_AES_256_GCM_SHA384, EVP_sha384, EVP_aead_aes_256_gcm},
    {TH_TLS_CHACHA20_POLY1305_SHA256, EVP_sha256, EVP_aead_chacha20_poly1305},
};

/* RFC 8446 §7.1: the label of each Derive-Secret, whether its Messages are ""
 * and its NSS key log label (NULL where the format has none). */
static const struct {
    const char *label;
    int empty_messages;
    const char *keylog;
} kSecretIds[TH_TLS13_NUM_SECRET_IDS] = {
    [TH_TLS13_EXT_BINDER] = {"ext binder", 1, NULL},
    [TH_TLS13_RES_BINDER] = {"res binder", 1, NULL},
    [TH_TLS13_C_E_TRAFFIC] = {"c e traffic", 0, "CLIENT_EARLY_TRAFFIC_SECRET"},
    [TH_TLS13_E_EXP_MASTER] = {"e exp master", 0, "EARLY_EXPORTER_SECRET"},
    [TH_TLS13_DERIVED] = {"derived", 1, NULL},
    [TH_TLS13_C_HS_TRAFFIC] = {"c hs traffic", 0, "CLIENT_HANDSHAKE_TRAFFIC_SECRET"},
    [TH_TLS13_S_HS_TRAFFIC] = {"s hs traffic", 0, "SERVER_HANDSHAKE_TRAFFIC_SECRET"},
    [TH_TLS13_C_AP_TRAFFIC] = {"c ap traffic", 0, "CLIENT_TRAFFIC_SECRET_0"},
    [TH_TLS13_S_AP_TRAFFIC] = {"s ap traffic", 0, "SERVER_TRAFFIC_SECRET_0"},
    [TH_TLS13_EXP_MASTER] = {"exp master", 0, "EXPORTER_SECRET"},
    [TH_TLS13_RES_MASTER] = {"res master", 0, NULL},
};

static const char kLabelPrefix[] = "tls13 ";
#define LABEL_PREFIX_LEN (sizeof(kLabelPrefix) - 1)

void th_secret_cleanse(th_secret *s) {
    if (s != NULL) {
        OPENSSL_cleanse(s, sizeof(*s));
    }
}

int th_secret_set(th_secret *out, const uint8_t *in, size_t len) {
    if (len > TH_SECRET_MAX) {
        return 0;
    }
    if (len > 0) {
        memcpy(out->bytes, in, len);
    }
    out->len = len;
    return 1;
}

/* Moves |tmp| into |out| and wipes |tmp|: lets every producer accept an |out|
 * that aliases one of its inputs. */
static int secret_move(th_secret *out, th_secret *tmp) {
    *out = *tmp;
    th_secret_cleanse(tmp);
    return 1;
}

const EVP_MD *th_suite_hash(uint16_t suite) {
    for (size_t i = 0; i < sizeof(kSuites13) / sizeof(kSuites13[0]); i++) {
        if (kSuites13[i].suite == suite) {
            return kSuites13[i].md();
        }
    }
    return NULL;
}

const EVP_AEAD *th_suite_aead(uint16_t suite) {
    for (size_t i = 0; i < sizeof(kSuites13) / sizeof(kSuites13[0]); i++) {
        if (kSuites13[i].suite == suite) {
            return kSuites13[i].aead();
        }
    }
    return NULL;
}

/* A secret of the schedule is always Hash.length bytes (RFC 8446 §7.1); any
 * other length means a caller mixed suites or secrets up. */
static int secret_fits(const EVP_MD *md, const th_secret *secret) {
    return md != NULL && secret != NULL && secret->len == EVP_MD_size(md);
}

/* Hash(data) in one call: Hash("") for Messages = "" (RFC 8446 §7.1) and
 * Hash(context_value) for the exporter (§7.5). */
static int hash_of(const EVP_MD *md, const uint8_t *data, size_t len, uint8_t *out,
                   size_t *out_len) {
    unsigned md_len;
    static const uint8_t kEmpty[1] = {0};
    if (!EVP_Digest(len > 0 ? data : kEmpty, len, out, &md_len, md, NULL)) {
        return 0;
    }
    *out_len = md_len;
    return 1;
}

int th_hkdf_expand_label(uint8_t *out, size_t out_len, const EVP_MD *md, const th_secret *secret,
                         const char *label, size_t label_len, const uint8_t *context,
                         size_t context_len) {
    /* RFC 8446 §7.1:
     *   struct {
     *       uint16 length = Length;
     *       opaque label<7..255> = "tls13 " + Label;
     *       opaque context<0..255> = Context;
     *   } HkdfLabel; */
    uint8_t info[2 + 1 + 255 + 1 + 255];
    size_t info_len;
    CBB cbb, child;
    CBB_zero(&cbb);
    if (!secret_fits(md, secret) || out_len > 0xffff || label == NULL ||
        LABEL_PREFIX_LEN + label_len < 7 || LABEL_PREFIX_LEN + label_len > 255 ||
        context_len > 255 || (context == NULL && context_len > 0)) {
        return 0;
    }
    if (!CBB_init_fixed(&cbb, info, sizeof(info)) || !CBB_add_u16(&cbb, (uint16_t)out_len) ||
        !CBB_add_u8_length_prefixed(&cbb, &child) ||
        !CBB_add_bytes(&child, (const uint8_t *)kLabelPrefix, LABEL_PREFIX_LEN) ||
        !CBB_add_bytes(&child, (const uint8_t *)label, label_len) ||
        !CBB_add_u8_length_prefixed(&cbb, &child) ||
        (context_len > 0 && !CBB_add_bytes(&child, context, context_len)) ||
        !CBB_finish(&cbb, NULL, &info_len)) {
        CBB_cleanup(&cbb);
        return 0;
    }
    /* HKDF_expand refuses more than 255 * Hash.length bytes (RFC 5869 §2.3). */
    return HKDF_expand(out, out_len, md, secret->bytes, secret->len, info, info_len);
}

int th_derive_secret(th_secret *out, const EVP_MD *md, const th_secret *secret, const char *label,
                     size_t label_len, const uint8_t *messages_hash, size_t hash_len) {
    /* RFC 8446 §7.1: "Derive-Secret(Secret, Label, Messages) =
     * HKDF-Expand-Label(Secret, Label, Transcript-Hash(Messages), Hash.length)" */
    uint8_t empty_hash[EVP_MAX_MD_SIZE];
    th_secret tmp;
    if (!secret_fits(md, secret)) {
        return 0;
    }
    size_t md_len = EVP_MD_size(md);
    if (messages_hash == NULL && hash_len == 0) {
        if (!hash_of(md, NULL, 0, empty_hash, &hash_len)) {
            return 0;
        }
        messages_hash = empty_hash;
    }
    if (messages_hash == NULL || hash_len != md_len ||
        !th_hkdf_expand_label(tmp.bytes, md_len, md, secret, label, label_len, messages_hash,
                              hash_len)) {
        OPENSSL_cleanse(&tmp, sizeof(tmp));
        return 0;
    }
    tmp.len = md_len;
    return secret_move(out, &tmp);
}

int th_tls13_derive_secret(th_secret *out, const EVP_MD *md, const th_secret *from,
                           th_tls13_secret_id id, const uint8_t *transcript_hash, size_t hash_len) {
    if ((unsigned)id >= TH_TLS13_NUM_SECRET_IDS) {
        return 0;
    }
    /* A hash passed where the RFC says Messages = "" (or none where it names
     * messages) is a caller bug, not a choice. */
    if (kSecretIds[id].empty_messages != (transcript_hash == NULL && hash_len == 0)) {
        return 0;
    }
    const char *label = kSecretIds[id].label;
    return th_derive_secret(out, md, from, label, strlen(label), transcript_hash, hash_len);
}

/* HKDF-Extract(salt, ikm) where NULL for either stands for "0", Hash.length
 * zero bytes (RFC 8446 §7.1: "If a given secret is not available, then the
 * 0-value consisting of a string of Hash.length bytes set to zeros is used"). */
static int extract(th_secret *out, const EVP_MD *md, const uint8_t *salt, size_t salt_len,
                   const uint8_t *ikm, size_t ikm_len) {
    static const uint8_t kZeros[EVP_MAX_MD_SIZE] = {0};
    th_secret tmp;
    size_t md_len = EVP_MD_size(md);
    if (salt == NULL) {
        salt = kZeros;
        salt_len = md_len;
    }
    if (ikm == NULL) {
        ikm = kZeros;
        ikm_len = md_len;
    }
    if (!HKDF_extract(tmp.bytes, &tmp.len, md, ikm, ikm_len, salt, salt_len)) {
        OPENSSL_cleanse(&tmp, sizeof(tmp));
        return 0;
    }
    return secret_move(out, &tmp);
}

int th_tls13_early_secret(th_secret *out, const EVP_MD *md, const uint8_t *psk, size_t psk_len) {
    if (md == NULL || (psk == NULL && psk_len > 0)) {
        return 0;
    }
    return extract(out, md, NULL, 0, psk, psk_len);
}

/* HKDF-Extract(Derive-Secret(prev, "derived", ""), ikm): the step from the
 * Early Secret to the Handshake Secret and from there to the Master Secret. */
static int extract_after(th_secret *out, const EVP_MD *md, const th_secret *prev,
                         const uint8_t *ikm, size_t ikm_len) {
    th_secret derived;
    int ok = th_tls13_derive_secret(&derived, md, prev, TH_TLS13_DERIVED, NULL, 0) &&
             extract(out, md, derived.bytes, derived.len, ikm, ikm_len);
    th_secret_cleanse(&derived);
    return ok;
}

int th_tls13_handshake_secret(th_secret *out, const EVP_MD *md, const th_secret *early,
                              const uint8_t *ecdhe, size_t ecdhe_len) {
    if (ecdhe == NULL && ecdhe_len > 0) {
        return 0;
    }
    return extract_after(out, md, early, ecdhe, ecdhe_len);
}

int th_tls13_master_secret(th_secret *out, const EVP_MD *md, const th_secret *handshake) {
    return extract_after(out, md, handshake, NULL, 0);
}

/* HKDF-Expand-Label(secret, label, context, Hash.length) into a th_secret. */
static int expand_to_secret(th_secret *out, const EVP_MD *md, const th_secret *secret,
                            const char *label, const uint8_t *context, size_t context_len) {
    th_secret tmp;
    if (!secret_fits(md, secret) ||
        !th_hkdf_expand_label(tmp.bytes, EVP_MD_size(md), md, secret, label, strlen(label), context,
                              context_len)) {
        OPENSSL_cleanse(&tmp, sizeof(tmp));
        return 0;
    }
    tmp.len = EVP_MD_size(md);
    return secret_move(out, &tmp);
}

int th_tls13_resumption_psk(th_secret *out, const EVP_MD *md, const th_secret *res_master,
                            const uint8_t *nonce, size_t nonce_len) {
    /* RFC 8446 §4.6.1: "HKDF-Expand-Label(resumption_master_secret,
     * "resumption", ticket_nonce, Hash.length)" */
    return expand_to_secret(out, md, res_master, "resumption", nonce, nonce_len);
}

int th_tls13_next_traffic_secret(th_secret *out, const EVP_MD *md, const th_secret *current) {
    /* RFC 8446 §7.2: "application_traffic_secret_N+1 = HKDF-Expand-Label(
     * application_traffic_secret_N, "traffic upd", "", Hash.length)" */
    return expand_to_secret(out, md, current, "traffic upd", NULL, 0);
}

int th_tls13_traffic_key_iv(th_secret *out_key, th_secret *out_iv, const EVP_MD *md,
                            const EVP_AEAD *aead, const th_secret *traffic_secret) {
    /* RFC 8446 §7.3: "[sender]_write_key = HKDF-Expand-Label(Secret, "key", "",
     * key_length); [sender]_write_iv = HKDF-Expand-Label(Secret, "iv", "",
     * iv_length)", iv_length being the AEAD's nonce length (§5.3). */
    th_secret key, iv;
    int ok = 0;
    if (aead == NULL) {
        return 0;
    }
    key.len = EVP_AEAD_key_length(aead);
    iv.len = EVP_AEAD_nonce_length(aead);
    if (key.len <= TH_SECRET_MAX && iv.len <= TH_SECRET_MAX &&
        th_hkdf_expand_label(key.bytes, key.len, md, traffic_secret, "key", 3, NULL, 0) &&
        th_hkdf_expand_label(iv.bytes, iv.len, md, traffic_secret, "iv", 2, NULL, 0)) {
        ok = secret_move(out_key, &key) && secret_move(out_iv, &iv);
    }
    th_secret_cleanse(&key);
    th_secret_cleanse(&iv);
    return ok;
}

int th_tls13_finished_key(th_secret *out, const EVP_MD *md, const th_secret *base_key) {
    /* RFC 8446 §4.4.4: "finished_key = HKDF-Expand-Label(BaseKey, "finished",
     * "", Hash.length)" */
    return expand_to_secret(out, md, base_key, "finished", NULL, 0);
}

int th_tls13_finished_mac(th_secret *out, const EVP_MD *md, const th_secret *base_key,
                          const uint8_t *transcript_hash, size_t hash_len) {
    /* RFC 8446 §4.4.4: "verify_data = HMAC(finished_key, Transcript-Hash(
     * Handshake Context, Certificate*, CertificateVerify*))" */
    th_secret key, mac;
    unsigned mac_len;
    int ok = 0;
    if (th_tls13_finished_key(&key, md, base_key) && transcript_hash != NULL &&
        hash_len == EVP_MD_size(md) &&
        HMAC(md, key.bytes, key.len, transcript_hash, hash_len, mac.bytes, &mac_len) != NULL) {
        mac.len = mac_len;
        ok = secret_move(out, &mac);
    }
    th_secret_cleanse(&key);
    th_secret_cleanse(&mac);
    return ok;
}

int th_tls13_psk_binder(th_secret *out, const EVP_MD *md, const th_secret *early, int is_resumption,
                        const uint8_t *truncated_hash, size_t hash_len) {
    /* RFC 8446 §4.2.11.2: "The PskBinderEntry is computed in the same way as
     * the Finished message (Section 4.4.4) but with the BaseKey being the
     * binder_key derived via the key schedule from the corresponding PSK". */
    th_secret binder_key;
    th_tls13_secret_id id = is_resumption ? TH_TLS13_RES_BINDER : TH_TLS13_EXT_BINDER;
    int ok = th_tls13_derive_secret(&binder_key, md, early, id, NULL, 0) &&
             th_tls13_finished_mac(out, md, &binder_key, truncated_hash, hash_len);
    th_secret_cleanse(&binder_key);
    return ok;
}

int th_tls13_finished_check(const EVP_MD *md, const th_secret *base_key,
                            const uint8_t *transcript_hash, size_t hash_len,
                            const uint8_t *received, size_t received_len, uint8_t *out_alert) {
    th_secret want;
    if (!th_tls13_finished_mac(&want, md, base_key, transcript_hash, hash_len)) {
        *out_alert = TH_ALERT_INTERNAL_ERROR;
        return 0;
    }
    /* RFC 8446 §4.4.4: "Recipients of Finished messages MUST verify that the
     * contents are correct and if incorrect MUST terminate the connection with
     * a "decrypt_error" alert." A verify_data of the wrong length gets
     * decrypt_error too, as in BoringSSL (one CBS_mem_equal). Binders get the
     * same alert (§4.2.11 names none; BoringSSL sends decrypt_error). */
    int ok = received != NULL && received_len == want.len &&
             CRYPTO_memcmp(received, want.bytes, want.len) == 0;
    th_secret_cleanse(&want);
    if (!ok) {
        *out_alert = TH_ALERT_DECRYPT_ERROR;
    }
    return ok;
}

int th_tls13_export(uint8_t *out, size_t out_len, const EVP_MD *md, const th_secret *exporter,
                    const char *label, size_t label_len, const uint8_t *context,
                    size_t context_len) {
    /* RFC 8446 §7.5: "TLS-Exporter(label, context_value, key_length) =
     * HKDF-Expand-Label(Derive-Secret(Secret, label, ""), "exporter",
     * Hash(context_value), key_length)" */
    th_secret per_label;
    uint8_t context_hash[EVP_MAX_MD_SIZE];
    size_t context_hash_len;
    int ok = 0;
    if (md == NULL || (context == NULL && context_len > 0)) {
        return 0;
    }
    if (th_derive_secret(&per_label, md, exporter, label, label_len, NULL, 0) &&
        hash_of(md, context, context_len, context_hash, &context_hash_len)) {
        ok = th_hkdf_expand_label(out, out_len, md, &per_label, "exporter", 8, context_hash,
                                  context_hash_len);
    }
    th_secret_cleanse(&per_label);
    return ok;
}

int th_transcript_init(th_transcript *t, const EVP_MD *md) {
    return md != NULL && EVP_DigestInit_ex(&t->ctx, md, NULL);
}

int th_transcript_update(th_transcript *t, const uint8_t *msg, size_t len) {
    return EVP_MD_CTX_md(&t->ctx) != NULL && (len == 0 || EVP_DigestUpdate(&t->ctx, msg, len));
}

int th_transcript_hash(const th_transcript *t, uint8_t out[EVP_MAX_MD_SIZE], size_t *out_len) {
    EVP_MD_CTX copy;
    unsigned md_len;
    EVP_MD_CTX_init(&copy);
    int ok = EVP_MD_CTX_md(&t->ctx) != NULL && EVP_MD_CTX_copy_ex(&copy, &t->ctx) &&
             EVP_DigestFinal_ex(&copy, out, &md_len);
    EVP_MD_CTX_cleanup(&copy);
    if (ok) {
        *out_len = md_len;
    }
    return ok;
}

int th_transcript_hrr_rewrite(th_transcript *t) {
    /* RFC 8446 §4.4.1: "When the server responds to a ClientHello with a
     * HelloRetryRequest, the value of ClientHello1 is replaced with a special
     * synthetic handshake message of handshake type "message_hash" containing
     * Hash(ClientHello1)." */
    uint8_t ch1_hash[EVP_MAX_MD_SIZE], msg[4 + EVP_MAX_MD_SIZE];
    size_t ch1_hash_len, msg_len;
    CBB cbb;
    CBB_zero(&cbb);
    if (!th_transcript_hash(t, ch1_hash, &ch1_hash_len) ||
        !CBB_init_fixed(&cbb, msg, sizeof(msg)) ||
        !th_write_message_hash_from(&cbb, ch1_hash, ch1_hash_len) ||
        !CBB_finish(&cbb, NULL, &msg_len)) {
        CBB_cleanup(&cbb);
        return 0;
    }
    return th_transcript_init(t, EVP_MD_CTX_md(&t->ctx)) && th_transcript_update(t, msg, msg_len);
}

int th_transcript_copy(th_transcript *dst, const th_transcript *src) {
    return EVP_MD_CTX_md(&src->ctx) != NULL && EVP_MD_CTX_copy_ex(&dst->ctx, &src->ctx);
}

void th_transcript_cleanup(th_transcript *t) {
    if (t != NULL) {
        EVP_MD_CTX_cleanup(&t->ctx);
    }
}

/* Appends |len| bytes as lowercase hex at *pos; the caller sized |out|. */
static void append_hex(char *out, size_t *pos, const uint8_t *in, size_t len) {
    static const char kHex[] = "0123456789abcdef";
    for (size_t i = 0; i < len; i++) {
        out[(*pos)++] = kHex[in[i] >> 4];
        out[(*pos)++] = kHex[in[i] & 0x0f];
    }
}

int th_keylog_line(char *out, size_t out_cap, th_tls13_secret_id id, const uint8_t *client_random,
                   size_t client_random_len, const th_secret *secret) {
    /* NSS key log format: "<label> <64 hex digits of ClientHello.random>
     * <secret in hex>", the line BoringSSL hands to its keylog callback. */
    if ((unsigned)id >= TH_TLS13_NUM_SECRET_IDS || kSecretIds[id].keylog == NULL ||
        client_random == NULL || client_random_len != 32 || secret == NULL ||
        secret->len > TH_SECRET_MAX) {
        return 0;
    }
    const char *label = kSecretIds[id].keylog;
    size_t label_len = strlen(label), pos = 0;
    if (out_cap < label_len + 1 + 2 * client_random_len + 1 + 2 * secret->len + 1) {
        return 0;
    }
    memcpy(out, label, label_len);
    pos = label_len;
    out[pos++] = ' ';
    append_hex(out, &pos, client_random, client_random_len);
    out[pos++] = ' ';
    append_hex(out, &pos, secret->bytes, secret->len);
    out[pos] = '\0';
    return 1;
}
