#include "keys12.h"

#include <string.h>

#include <openssl/hmac.h>
#include <openssl/mem.h>

/* The supported TLS 1.2 suites. PRF hash: RFC 5246 §5 (SHA-256 for every
 * suite of TLS 1.2 and earlier documents), RFC 5288 §3 and RFC 5289 §3
 * ("_SHA384" suites use SHA-384), RFC 7905 §2 (SHA-256). Key block lengths:
 * RFC 5288 §3 (GCM: 4-byte salt, 8-byte nonce_explicit), RFC 7905 §2
 * (ChaCha20-Poly1305: 12-byte IV, no explicit nonce), RFC 5246 §6.3 and
 * Appendix C (CBC: HMAC-SHA1 20-byte MAC key, no fixed IV in TLS 1.1+ since
 * "the client_write_IV and server_write_IV are only generated for implicit
 * nonce techniques", a block-sized IV in each record, §6.2.3.2). The CBC
 * suites name BoringSSL's TLS CBC AEAD, keyed with mac_key || enc_key, for
 * constant-time MAC-then-encrypt. */
#define GCM(id_, kx_, auth_, md_, aead_, key_)                                                     \
    { id_, kx_, auth_, TH_TLS12_CIPHER_AES_GCM, md_, aead_, NULL, NULL, 0, key_, 4, 8, 0 }
#define CHACHA(id_, kx_, auth_)                                                                    \
    {                                                                                              \
        id_, kx_, auth_, TH_TLS12_CIPHER_CHACHA20_POLY1305, EVP_sha256,                            \
            EVP_aead_chacha20_poly1305, NULL, NULL, 0, 32, 12, 0, 0                                \
    }
#define CBC(id_, kx_, auth_, aead_, cipher_, key_)                                                 \
    {                                                                                              \
        id_, kx_, auth_, TH_TLS12_CIPHER_AES_CBC_HMAC_SHA1, EVP_sha256, aead_, cipher_, EVP_sha1,  \
            20, key_, 0, 16, 20                                                                    \
    }

static const th_tls12_suite kSuites12[] = {
    GCM(TH_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, TH_TLS12_KX_ECDHE, TH_TLS12_AUTH_ECDSA,
        EVP_sha256, EVP_aead_aes_128_gcm_tls12, 16),
    GCM(TH_TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, TH_TLS12_KX_ECDHE, TH_TLS12_AUTH_ECDSA,
        EVP_sha384, EVP_aead_aes_256_gcm_tls12, 32),
    GCM(TH_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, TH_TLS12_KX_ECDHE, TH_TLS12_AUTH_RSA, EVP_sha256,
        EVP_aead_aes_128_gcm_tls12, 16),
    GCM(TH_TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384, TH_TLS12_KX_ECDHE, TH_TLS12_AUTH_RSA, EVP_sha384,
        EVP_aead_aes_256_gcm_tls12, 32),
    CHACHA(TH_TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256, TH_TLS12_KX_ECDHE,
           TH_TLS12_AUTH_ECDSA),
    CHACHA(TH_TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256, TH_TLS12_KX_ECDHE, TH_TLS12_AUTH_RSA),
    CBC(TH_TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA, TH_TLS12_KX_ECDHE, TH_TLS12_AUTH_ECDSA,
        EVP_aead_aes_128_cbc_sha1_tls, EVP_aes_128_cbc, 16),
    CBC(TH_TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA, TH_TLS12_KX_ECDHE, TH_TLS12_AUTH_ECDSA,
        EVP_aead_aes_256_cbc_sha1_tls, EVP_aes_256_cbc, 32),
    CBC(TH_TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA, TH_TLS12_KX_ECDHE, TH_TLS12_AUTH_RSA,
        EVP_aead_aes_128_cbc_sha1_tls, EVP_aes_128_cbc, 16),
    CBC(TH_TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA, TH_TLS12_KX_ECDHE, TH_TLS12_AUTH_RSA,
        EVP_aead_aes_256_cbc_sha1_tls, EVP_aes_256_cbc, 32),
    GCM(TH_TLS_RSA_WITH_AES_128_GCM_SHA256, TH_TLS12_KX_RSA, TH_TLS12_AUTH_RSA, EVP_sha256,
        EVP_aead_aes_128_gcm_tls12, 16),
    GCM(TH_TLS_RSA_WITH_AES_256_GCM_SHA384, TH_TLS12_KX_RSA, TH_TLS12_AUTH_RSA, EVP_sha384,
        EVP_aead_aes_256_gcm_tls12, 32),
    CBC(TH_TLS_RSA_WITH_AES_128_CBC_SHA, TH_TLS12_KX_RSA, TH_TLS12_AUTH_RSA,
        EVP_aead_aes_128_cbc_sha1_tls, EVP_aes_128_cbc, 16),
    CBC(TH_TLS_RSA_WITH_AES_256_CBC_SHA, TH_TLS12_KX_RSA, TH_TLS12_AUTH_RSA,
        EVP_aead_aes_256_cbc_sha1_tls, EVP_aes_256_cbc, 32),
};

#define NUM_SUITES12 (sizeof(kSuites12) / sizeof(kSuites12[0]))

const th_tls12_suite *th_tls12_suite_find(uint16_t id) {
    for (size_t i = 0; i < NUM_SUITES12; i++) {
        if (kSuites12[i].id == id) {
            return &kSuites12[i];
        }
    }
    return NULL;
}

const th_tls12_suite *th_tls12_suite_at(size_t i) {
    return i < NUM_SUITES12 ? &kSuites12[i] : NULL;
}

/* One input of P_hash's seed, which is the concatenation of up to five parts
 * (label, two randoms, and for the exporter a context length and context). */
typedef struct {
    const uint8_t *data;
    size_t len;
} seed_part;

#define MAX_SEED_PARTS 5

static int hmac_parts(HMAC_CTX *ctx, const uint8_t *prefix, size_t prefix_len,
                      const seed_part *parts, size_t num_parts, uint8_t *out, unsigned *out_len) {
    /* NULL key and md: reuse the key set by the first HMAC_Init_ex. */
    if (!HMAC_Init_ex(ctx, NULL, 0, NULL, NULL) ||
        (prefix_len > 0 && !HMAC_Update(ctx, prefix, prefix_len))) {
        return 0;
    }
    for (size_t i = 0; i < num_parts; i++) {
        if (parts[i].len > 0 && !HMAC_Update(ctx, parts[i].data, parts[i].len)) {
            return 0;
        }
    }
    return HMAC_Final(ctx, out, out_len);
}

/* RFC 5246 §5:
 *   P_hash(secret, seed) = HMAC_hash(secret, A(1) + seed) +
 *                          HMAC_hash(secret, A(2) + seed) + ...
 *   A(0) = seed, A(i) = HMAC_hash(secret, A(i-1))
 * with the output cut to |out_len| ("the last 16 bytes of the final
 * iteration will then be discarded"). */
static int p_hash(uint8_t *out, size_t out_len, const EVP_MD *md, const uint8_t *secret,
                  size_t secret_len, const seed_part *parts, size_t num_parts) {
    HMAC_CTX ctx;
    uint8_t a[EVP_MAX_MD_SIZE], block[EVP_MAX_MD_SIZE];
    unsigned a_len, block_len;
    static const uint8_t kEmpty[1] = {0};
    int ok = 0;
    HMAC_CTX_init(&ctx);
    if (!HMAC_Init_ex(&ctx, secret_len > 0 ? secret : kEmpty, secret_len, md, NULL) ||
        !hmac_parts(&ctx, NULL, 0, parts, num_parts, a, &a_len)) {
        goto err;
    }
    while (out_len > 0) {
        if (!hmac_parts(&ctx, a, a_len, parts, num_parts, block, &block_len)) {
            goto err;
        }
        size_t n = out_len < block_len ? out_len : block_len;
        memcpy(out, block, n);
        out += n;
        out_len -= n;
        if (out_len > 0) {
            seed_part prev = {a, a_len};
            if (!hmac_parts(&ctx, NULL, 0, &prev, 1, a, &a_len)) {
                goto err;
            }
        }
    }
    ok = 1;
err:
    HMAC_CTX_cleanup(&ctx);
    OPENSSL_cleanse(a, sizeof(a));
    OPENSSL_cleanse(block, sizeof(block));
    return ok;
}

/* RFC 5246 §5: "PRF(secret, label, seed) = P_<hash>(secret, label + seed)";
 * the label is taken "without a length byte or trailing null character". */
static int prf_parts(uint8_t *out, size_t out_len, const EVP_MD *md, const uint8_t *secret,
                     size_t secret_len, const char *label, size_t label_len, const seed_part *seeds,
                     size_t num_seeds) {
    seed_part parts[MAX_SEED_PARTS];
    if (md == NULL || label == NULL || (secret == NULL && secret_len > 0) ||
        num_seeds + 1 > MAX_SEED_PARTS) {
        return 0;
    }
    /* Only the hashes TLS 1.2 suites name (RFC 5246 §5, RFC 5288 §3). */
    if (EVP_MD_type(md) != EVP_MD_type(EVP_sha256()) &&
        EVP_MD_type(md) != EVP_MD_type(EVP_sha384())) {
        return 0;
    }
    parts[0].data = (const uint8_t *)label;
    parts[0].len = label_len;
    for (size_t i = 0; i < num_seeds; i++) {
        if (seeds[i].data == NULL && seeds[i].len > 0) {
            return 0;
        }
        parts[i + 1] = seeds[i];
    }
    return p_hash(out, out_len, md, secret, secret_len, parts, num_seeds + 1);
}

int th_tls12_prf(uint8_t *out, size_t out_len, const EVP_MD *md, const uint8_t *secret,
                 size_t secret_len, const char *label, size_t label_len, const uint8_t *seed1,
                 size_t seed1_len, const uint8_t *seed2, size_t seed2_len) {
    seed_part seeds[2] = {{seed1, seed1_len}, {seed2, seed2_len}};
    return prf_parts(out, out_len, md, secret, secret_len, label, label_len, seeds, 2);
}

/* PRF output of |len| bytes into a th_secret; |out| may alias an input. */
static int prf_to_secret(th_secret *out, size_t len, const EVP_MD *md, const uint8_t *secret,
                         size_t secret_len, const char *label, const uint8_t *seed1,
                         size_t seed1_len, const uint8_t *seed2, size_t seed2_len) {
    th_secret tmp;
    if (len > TH_SECRET_MAX || !th_tls12_prf(tmp.bytes, len, md, secret, secret_len, label,
                                             strlen(label), seed1, seed1_len, seed2, seed2_len)) {
        OPENSSL_cleanse(&tmp, sizeof(tmp));
        return 0;
    }
    tmp.len = len;
    *out = tmp;
    OPENSSL_cleanse(&tmp, sizeof(tmp));
    return 1;
}

int th_tls12_master_secret(th_secret *out, const EVP_MD *md, const uint8_t *premaster,
                           size_t premaster_len, const uint8_t client_random[TH_TLS12_RANDOM_LEN],
                           const uint8_t server_random[TH_TLS12_RANDOM_LEN]) {
    /* RFC 5246 §8.1: "master_secret = PRF(pre_master_secret, "master
     * secret", ClientHello.random + ServerHello.random) [0..47];" */
    if (client_random == NULL || server_random == NULL) {
        return 0;
    }
    return prf_to_secret(out, TH_TLS12_MASTER_SECRET_LEN, md, premaster, premaster_len,
                         "master secret", client_random, TH_TLS12_RANDOM_LEN, server_random,
                         TH_TLS12_RANDOM_LEN);
}

int th_tls12_extended_master_secret(th_secret *out, const EVP_MD *md, const uint8_t *premaster,
                                    size_t premaster_len, const uint8_t *session_hash,
                                    size_t hash_len) {
    /* RFC 7627 §4: "master_secret = PRF(pre_master_secret, "extended master
     * secret", session_hash) [0..47];" with "session_hash = Hash(
     * handshake_messages)" over the messages "up to and including the
     * ClientKeyExchange message", Hash being the PRF hash. */
    if (md == NULL || session_hash == NULL || hash_len != EVP_MD_size(md)) {
        return 0;
    }
    return prf_to_secret(out, TH_TLS12_MASTER_SECRET_LEN, md, premaster, premaster_len,
                         "extended master secret", session_hash, hash_len, NULL, 0);
}

static int master_fits(const th_secret *master) {
    return master != NULL && master->len == TH_TLS12_MASTER_SECRET_LEN;
}

/* Takes |len| bytes off the front of the key block into |out|. */
static void take_key(th_secret *out, const uint8_t **p, size_t len) {
    memcpy(out->bytes, *p, len);
    out->len = len;
    *p += len;
}

int th_tls12_key_block_derive(th_tls12_key_block *out, const th_tls12_suite *suite,
                              const th_secret *master,
                              const uint8_t client_random[TH_TLS12_RANDOM_LEN],
                              const uint8_t server_random[TH_TLS12_RANDOM_LEN]) {
    /* RFC 5246 §6.3: 2 MAC keys, 2 keys, 2 IVs; at most 2 * (20 + 32 + 12). */
    uint8_t block[2 * (TH_SECRET_MAX * 3)];
    const uint8_t *p = block;
    size_t total;
    th_tls12_key_block tmp;
    memset(&tmp, 0, sizeof(tmp));
    if (suite == NULL || !master_fits(master) || client_random == NULL || server_random == NULL) {
        return 0;
    }
    total = 2 * ((size_t)suite->mac_key_len + suite->enc_key_len + suite->fixed_iv_len);
    /* RFC 5246 §6.3: "key_block = PRF(SecurityParameters.master_secret,
     * "key expansion", SecurityParameters.server_random +
     * SecurityParameters.client_random);" (server first, unlike §8.1). */
    if (!th_tls12_prf(block, total, suite->prf_md(), master->bytes, master->len, "key expansion",
                      13, server_random, TH_TLS12_RANDOM_LEN, client_random, TH_TLS12_RANDOM_LEN)) {
        OPENSSL_cleanse(block, sizeof(block));
        return 0;
    }
    /* RFC 5246 §6.3: "the key_block is partitioned as follows:
     * client_write_MAC_key, server_write_MAC_key, client_write_key,
     * server_write_key, client_write_IV, server_write_IV". */
    take_key(&tmp.client_mac_key, &p, suite->mac_key_len);
    take_key(&tmp.server_mac_key, &p, suite->mac_key_len);
    take_key(&tmp.client_key, &p, suite->enc_key_len);
    take_key(&tmp.server_key, &p, suite->enc_key_len);
    take_key(&tmp.client_iv, &p, suite->fixed_iv_len);
    take_key(&tmp.server_iv, &p, suite->fixed_iv_len);
    *out = tmp;
    th_tls12_key_block_cleanse(&tmp);
    OPENSSL_cleanse(block, sizeof(block));
    return 1;
}

void th_tls12_key_block_cleanse(th_tls12_key_block *kb) {
    if (kb != NULL) {
        OPENSSL_cleanse(kb, sizeof(*kb));
    }
}

int th_tls12_finished_verify_data(th_secret *out, const EVP_MD *md, const th_secret *master,
                                  int from_server, const uint8_t *transcript_hash,
                                  size_t hash_len) {
    /* RFC 5246 §7.4.9: "verify_data PRF(master_secret, finished_label,
     * Hash(handshake_messages)) [0..verify_data_length-1];" and "the Hash
     * MUST be the Hash used as the basis for the PRF". */
    if (!master_fits(master) || md == NULL || transcript_hash == NULL ||
        hash_len != EVP_MD_size(md)) {
        return 0;
    }
    return prf_to_secret(out, TH_TLS12_VERIFY_DATA_LEN, md, master->bytes, master->len,
                         from_server ? "server finished" : "client finished", transcript_hash,
                         hash_len, NULL, 0);
}

int th_tls12_finished_check(const EVP_MD *md, const th_secret *master, int from_server,
                            const uint8_t *transcript_hash, size_t hash_len,
                            const uint8_t *received, size_t received_len, uint8_t *out_alert) {
    th_secret want;
    if (!th_tls12_finished_verify_data(&want, md, master, from_server, transcript_hash, hash_len)) {
        *out_alert = TH_ALERT_INTERNAL_ERROR;
        return 0;
    }
    /* RFC 5246 §7.4.9: "Recipients of Finished messages MUST verify that the
     * contents are correct." §7.2.2 names the alert: decrypt_error, "A
     * handshake cryptographic operation failed, including being unable to
     * ... validate a Finished message". A wrong length is decrypt_error too,
     * as in BoringSSL (one CBS_mem_equal). */
    int ok = received != NULL && received_len == want.len &&
             CRYPTO_memcmp(received, want.bytes, want.len) == 0;
    th_secret_cleanse(&want);
    if (!ok) {
        *out_alert = TH_ALERT_DECRYPT_ERROR;
    }
    return ok;
}

int th_tls12_export(uint8_t *out, size_t out_len, const EVP_MD *md, const th_secret *master,
                    const uint8_t client_random[TH_TLS12_RANDOM_LEN],
                    const uint8_t server_random[TH_TLS12_RANDOM_LEN], const char *label,
                    size_t label_len, int use_context, const uint8_t *context, size_t context_len) {
    /* RFC 5705 §4: "PRF(SecurityParameters.master_secret, label,
     * SecurityParameters.client_random + SecurityParameters.server_random +
     * context_value_length + context_value)[length]", the last two only when
     * a context is provided; context_value_length is a uint16. */
    uint8_t len_bytes[2];
    seed_part seeds[4] = {
        {client_random, TH_TLS12_RANDOM_LEN},
        {server_random, TH_TLS12_RANDOM_LEN},
        {len_bytes, 2},
        {context, context_len},
    };
    if (!master_fits(master) || client_random == NULL || server_random == NULL ||
        (use_context && (context_len > 0xffff || (context == NULL && context_len > 0)))) {
        return 0;
    }
    len_bytes[0] = (uint8_t)(context_len >> 8);
    len_bytes[1] = (uint8_t)context_len;
    size_t num_seeds = !use_context ? 2 : context_len > 0 ? 4 : 3;
    return prf_parts(out, out_len, md, master->bytes, master->len, label, label_len, seeds,
                     num_seeds);
}

int th_tls12_keylog_line(char *out, size_t out_cap, const uint8_t *client_random,
                         size_t client_random_len, const th_secret *master) {
    static const char kLabel[] = "CLIENT_RANDOM";
    static const char kHex[] = "0123456789abcdef";
    size_t need =
        (sizeof(kLabel) - 1) + 1 + 2 * TH_TLS12_RANDOM_LEN + 1 + 2 * TH_TLS12_MASTER_SECRET_LEN + 1;
    char *p = out;
    if (out == NULL || client_random == NULL || client_random_len != TH_TLS12_RANDOM_LEN ||
        !master_fits(master) || out_cap < need) {
        return 0;
    }
    memcpy(p, kLabel, sizeof(kLabel) - 1);
    p += sizeof(kLabel) - 1;
    *p++ = ' ';
    for (size_t i = 0; i < client_random_len; i++) {
        *p++ = kHex[client_random[i] >> 4];
        *p++ = kHex[client_random[i] & 0xf];
    }
    *p++ = ' ';
    for (size_t i = 0; i < master->len; i++) {
        *p++ = kHex[master->bytes[i] >> 4];
        *p++ = kHex[master->bytes[i] & 0xf];
    }
    *p = '\0';
    return 1;
}
