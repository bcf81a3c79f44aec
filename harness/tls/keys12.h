/* TLS 1.2 key derivation (RFC 5246 §5, §6.3, §7.4.9, §8.1): the PRF (P_hash
 * on HMAC with SHA-256 or SHA-384), the classic and the extended master
 * secret (RFC 7627), the key block, Finished verify_data, the RFC 5705
 * exporter and NSS key log lines, plus the table of TLS 1.2 cipher suites the
 * engine supports. BoringSSL's CRYPTO_tls1_prf is not in its public headers,
 * so P_hash is written here on BoringSSL's HMAC. Secrets go into
 * caller-provided th_secret / th_tls12_key_block values (wipe them when
 * done); nothing here allocates beyond a call. Functions returning 0 mean a
 * bad argument or a crypto failure, i.e. internal_error, unless they say
 * otherwise. */
#ifndef TH_KEYS12_H
#define TH_KEYS12_H

#include <openssl/aead.h>
#include <openssl/cipher.h>
#include <openssl/digest.h>

#include "keys13.h"
#include "th_base.h"

/* RFC 5246 §8.1: "The master secret is always exactly 48 bytes in length." */
#define TH_TLS12_MASTER_SECRET_LEN 48
/* ClientHello.random and ServerHello.random (RFC 5246 §7.4.1.2). */
#define TH_TLS12_RANDOM_LEN 32
/* RFC 5246 §7.4.9: verify_data_length is 12 for every existing suite. */
#define TH_TLS12_VERIFY_DATA_LEN 12

/* The TLS 1.2 cipher suites of the table below (IANA values; names as in
 * names.c). The CBC_SHA256/SHA384 suites are absent: BoringSSL has no
 * constant-time TLS CBC AEAD for HMAC-SHA256/384, and RFC 5246 §6.2.3.2 asks
 * for constant-time MAC-then-encrypt. */
enum {
    TH_TLS_RSA_WITH_AES_128_CBC_SHA = 0x002f,
    TH_TLS_RSA_WITH_AES_256_CBC_SHA = 0x0035,
    TH_TLS_RSA_WITH_AES_128_GCM_SHA256 = 0x009c,
    TH_TLS_RSA_WITH_AES_256_GCM_SHA384 = 0x009d,
    TH_TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA = 0xc009,
    TH_TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA = 0xc00a,
    TH_TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA = 0xc013,
    TH_TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA = 0xc014,
    TH_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 = 0xc02b,
    TH_TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384 = 0xc02c,
    TH_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 = 0xc02f,
    TH_TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384 = 0xc030,
    TH_TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256 = 0xcca8,
    TH_TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256 = 0xcca9,
};

/* Key exchange of a suite (RFC 5246 §7.4.3, RFC 8422 §2). */
typedef enum {
    TH_TLS12_KX_RSA = 1, /* premaster encrypted to the server's RSA key */
    TH_TLS12_KX_ECDHE,   /* ephemeral ECDH, signed ServerKeyExchange */
} th_tls12_kx;

/* Kind of the server certificate's key (RFC 5246 §7.4.2, RFC 8422 §2). */
typedef enum {
    TH_TLS12_AUTH_RSA = 1,
    TH_TLS12_AUTH_ECDSA,
} th_tls12_auth;

/* How records are protected (RFC 5246 §6.2.3). */
typedef enum {
    TH_TLS12_CIPHER_AES_GCM = 1,       /* RFC 5288: 4-byte salt, 8-byte explicit nonce */
    TH_TLS12_CIPHER_CHACHA20_POLY1305, /* RFC 7905: 12-byte IV, no explicit nonce */
    TH_TLS12_CIPHER_AES_CBC_HMAC_SHA1, /* RFC 5246 §6.2.3.2 (or RFC 7366 EtM) */
} th_tls12_cipher;

/* One row of the suite table: the SecurityParameters of RFC 5246 §6.1 the
 * record layer and the handshake need. Lengths are in bytes; fields that do
 * not apply to the suite are 0 / NULL. */
typedef struct {
    uint16_t id;
    th_tls12_kx kx;
    th_tls12_auth auth;
    th_tls12_cipher cipher;
    const EVP_MD *(*prf_md)(void);  /* PRF and Finished hash (RFC 5246 §5, RFC 5288 §3) */
    const EVP_AEAD *(*aead)(void);  /* AEAD, or BoringSSL's TLS CBC AEAD for MAC-then-encrypt */
    const EVP_CIPHER *(*cbc)(void); /* CBC only: the block cipher (encrypt-then-MAC) */
    const EVP_MD *(*mac_md)(void);  /* CBC only: the HMAC hash */
    uint8_t mac_key_len;            /* SecurityParameters.mac_key_length */
    uint8_t enc_key_len;            /* enc_key_length */
    uint8_t fixed_iv_len;           /* fixed_iv_length: key block IV (GCM salt, ChaCha IV) */
    uint8_t record_iv_len;          /* record_iv_length: explicit nonce or CBC IV per record */
    uint8_t mac_len;                /* mac_length (CBC) */
} th_tls12_suite;

/* The table row of |id|, or NULL if the suite is not supported. */
const th_tls12_suite *th_tls12_suite_find(uint16_t id);

/* The |i|th row of the table (for iteration in tests and config), NULL past
 * the end. */
const th_tls12_suite *th_tls12_suite_at(size_t i);

/* PRF(secret, label, seed1 + seed2) (RFC 5246 §5, P_<md>) into |out|, any
 * |out_len|. |md| must be SHA-256 or SHA-384 (the hashes TLS 1.2 suites name);
 * either seed may be NULL with length 0. 0 on another hash, a NULL label or a
 * crypto failure. */
int th_tls12_prf(uint8_t *out, size_t out_len, const EVP_MD *md, const uint8_t *secret,
                 size_t secret_len, const char *label, size_t label_len, const uint8_t *seed1,
                 size_t seed1_len, const uint8_t *seed2, size_t seed2_len) TH_MUST_USE;

/* master_secret = PRF(pre_master_secret, "master secret", ClientHello.random
 * + ServerHello.random)[0..47] (RFC 5246 §8.1) into |out| (48 bytes). */
int th_tls12_master_secret(th_secret *out, const EVP_MD *md, const uint8_t *premaster,
                           size_t premaster_len, const uint8_t client_random[TH_TLS12_RANDOM_LEN],
                           const uint8_t server_random[TH_TLS12_RANDOM_LEN]) TH_MUST_USE;

/* The extended master secret (RFC 7627 §4): PRF(pre_master_secret, "extended
 * master secret", session_hash)[0..47], |session_hash| being the hash (with
 * the PRF hash) of the handshake messages up to and including
 * ClientKeyExchange. 0 if |hash_len| is not the digest size of |md|. */
int th_tls12_extended_master_secret(th_secret *out, const EVP_MD *md, const uint8_t *premaster,
                                    size_t premaster_len, const uint8_t *session_hash,
                                    size_t hash_len) TH_MUST_USE;

/* The six keys of RFC 5246 §6.3 for one suite; unused ones have length 0. */
typedef struct {
    th_secret client_mac_key;
    th_secret server_mac_key;
    th_secret client_key;
    th_secret server_key;
    th_secret client_iv;
    th_secret server_iv;
} th_tls12_key_block;

/* key_block = PRF(master_secret, "key expansion", server_random +
 * client_random) (RFC 5246 §6.3), split per |suite|. 0 if |master| is not 48
 * bytes or on a crypto failure (|out| is then wiped). */
int th_tls12_key_block_derive(th_tls12_key_block *out, const th_tls12_suite *suite,
                              const th_secret *master,
                              const uint8_t client_random[TH_TLS12_RANDOM_LEN],
                              const uint8_t server_random[TH_TLS12_RANDOM_LEN]) TH_MUST_USE;

/* Wipes every key (OPENSSL_cleanse). Accepts NULL. */
void th_tls12_key_block_cleanse(th_tls12_key_block *kb);

/* verify_data = PRF(master_secret, "client finished" or "server finished",
 * Hash(handshake_messages))[0..11] (RFC 5246 §7.4.9) into |out| (12 bytes);
 * |from_server| picks the label. |transcript_hash| must be the digest size of
 * |md| (the PRF hash). */
int th_tls12_finished_verify_data(th_secret *out, const EVP_MD *md, const th_secret *master,
                                  int from_server, const uint8_t *transcript_hash,
                                  size_t hash_len) TH_MUST_USE;

/* Checks a received Finished verify_data in constant time. 1 if it matches
 * th_tls12_finished_verify_data; else 0 with *out_alert decrypt_error (a
 * wrong length included, as BoringSSL does), or internal_error. */
int th_tls12_finished_check(const EVP_MD *md, const th_secret *master, int from_server,
                            const uint8_t *transcript_hash, size_t hash_len,
                            const uint8_t *received, size_t received_len,
                            uint8_t *out_alert) TH_MUST_USE;

/* The TLS 1.2 exporter (RFC 5705 §4): PRF(master_secret, label, client_random
 * + server_random [+ uint16 context length + context]) into |out|. With
 * |use_context| 0 the context is left out entirely (which differs from an
 * empty context); with 1, |context| may be NULL only if |context_len| is 0.
 * 0 if the context exceeds 65535 bytes or |master| is not 48 bytes. */
int th_tls12_export(uint8_t *out, size_t out_len, const EVP_MD *md, const th_secret *master,
                    const uint8_t client_random[TH_TLS12_RANDOM_LEN],
                    const uint8_t server_random[TH_TLS12_RANDOM_LEN], const char *label,
                    size_t label_len, int use_context, const uint8_t *context,
                    size_t context_len) TH_MUST_USE;

/* Formats "CLIENT_RANDOM <client_random hex> <master_secret hex>" (NSS key log
 * format, lowercase hex, no newline, NUL-terminated) into |out|, which needs
 * 13 + 1 + 64 + 1 + 96 + 1 = 176 bytes. 0 if client_random is not 32 bytes,
 * |master| not 48 bytes or |out_cap| too small. */
int th_tls12_keylog_line(char *out, size_t out_cap, const uint8_t *client_random,
                         size_t client_random_len, const th_secret *master) TH_MUST_USE;

#endif
