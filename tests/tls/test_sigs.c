#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/ec.h>
#include <openssl/ec_key.h>
#include <openssl/evp.h>
#include <openssl/mem.h>
#include <openssl/nid.h>
#include <openssl/rsa.h>
#include <openssl/sha.h>

#include "certificate.h"
#include "certificate_verify.h"
#include "sigs.h"
#include "testutil.h"
#include "x509.h"

#define PKI TH_TEST_PKI_DIR

static const char kSimple[] = "rfc8448-simple-1rtt.txt";

/* ---- RFC 8448 §3: the server's CertificateVerify ------------------------ */

typedef struct {
    uint8_t *cert_msg, *cv_msg; /* vector allocations */
    th_certificate cert;
    th_certificate_verify cv;
    EVP_PKEY *key;                      /* the RSA key of the server certificate */
    uint8_t hash[SHA256_DIGEST_LENGTH]; /* Transcript-Hash(ClientHello..Certificate) */
} rfc8448_cv;

static void add_to_hash(SHA256_CTX *sha, const char *name) {
    size_t len;
    uint8_t *msg = th_test_vector(kSimple, name, &len);
    SHA256_Update(sha, msg, len);
    free(msg);
}

static void rfc8448_cv_load(rfc8448_cv *v) {
    memset(v, 0, sizeof(*v));
    const uint8_t *body;
    size_t len;
    uint8_t alert;
    CBS cbs;
    v->cert_msg = th_test_vector_body(kSimple, "certificate", &body, &len);
    CBS_init(&cbs, body, len);
    assert_true(th_parse_certificate(&cbs, &v->cert, &alert));
    char why[256];
    assert_true(
        th_leaf_public_key(v->cert.entries[0].cert_data, &v->key, &alert, why, sizeof(why)));
    v->cv_msg = th_test_vector_body(kSimple, "certificate_verify", &body, &len);
    CBS_init(&cbs, body, len);
    assert_true(th_parse_certificate_verify(&cbs, &v->cv, &alert));
    assert_int_equal(v->cv.algorithm, TH_SIG_RSA_PSS_RSAE_SHA256);

    SHA256_CTX sha;
    SHA256_Init(&sha);
    add_to_hash(&sha, "client_hello");
    add_to_hash(&sha, "server_hello");
    add_to_hash(&sha, "encrypted_extensions");
    add_to_hash(&sha, "certificate");
    SHA256_Final(v->hash, &sha);
}

static void rfc8448_cv_free(rfc8448_cv *v) {
    EVP_PKEY_free(v->key);
    th_certificate_cleanup(&v->cert);
    free(v->cert_msg);
    free(v->cv_msg);
}

static void test_cv_content_matches_rfc8446_example(void **state) {
    (void)state;
    /* RFC 8446 §4.4.3: a server CertificateVerify over 32 bytes of 01. */
    size_t want_len;
    uint8_t *want = th_test_hex("2020202020202020202020202020202020202020202020202020202020202020"
                                "2020202020202020202020202020202020202020202020202020202020202020"
                                "544c5320312e332c207365727665722043657274696669636174655665726966"
                                "79"
                                "00"
                                "0101010101010101010101010101010101010101010101010101010101010101",
                                &want_len);
    uint8_t hash[32];
    memset(hash, 0x01, sizeof(hash));
    CBB cbb;
    uint8_t *got;
    size_t got_len;
    assert_true(CBB_init(&cbb, 0));
    assert_true(th_tls13_cv_content(&cbb, TH_CV_SERVER, hash, sizeof(hash)));
    assert_true(CBB_finish(&cbb, &got, &got_len));
    assert_int_equal(got_len, want_len);
    assert_memory_equal(got, want, want_len);
    OPENSSL_free(got);

    /* The client's differs in "server" -> "client" only. */
    memcpy(want + 64 + 9, "client", 6);
    assert_true(CBB_init(&cbb, 0));
    assert_true(th_tls13_cv_content(&cbb, TH_CV_CLIENT, hash, sizeof(hash)));
    assert_true(CBB_finish(&cbb, &got, &got_len));
    assert_int_equal(got_len, want_len);
    assert_memory_equal(got, want, want_len);
    OPENSSL_free(got);
    free(want);
}

static void test_cv_content_rejects_bad_hash_length(void **state) {
    (void)state;
    uint8_t hash[EVP_MAX_MD_SIZE + 1] = {0};
    CBB cbb;
    assert_true(CBB_init(&cbb, 0));
    assert_false(th_tls13_cv_content(&cbb, TH_CV_SERVER, hash, 0));
    assert_false(th_tls13_cv_content(&cbb, TH_CV_SERVER, hash, sizeof(hash)));
    assert_true(th_tls13_cv_content(&cbb, TH_CV_SERVER, hash, EVP_MAX_MD_SIZE));
    assert_int_equal(CBB_len(&cbb), TH_CV_CONTENT_MAX);
    CBB_cleanup(&cbb);
}

static void test_rfc8448_certificate_verify_verifies(void **state) {
    (void)state;
    rfc8448_cv v;
    rfc8448_cv_load(&v);
    uint8_t alert = 0;
    assert_true(th_tls13_cv_verify(v.key, v.cv.algorithm, TH_CV_SERVER, v.hash, sizeof(v.hash),
                                   v.cv.signature.data, v.cv.signature.len, &alert));
    rfc8448_cv_free(&v);
}

static void test_rfc8448_cv_with_a_bit_flipped_is_decrypt_error(void **state) {
    (void)state;
    rfc8448_cv v;
    rfc8448_cv_load(&v);
    size_t len = v.cv.signature.len;
    uint8_t *sig = malloc(len);
    static const size_t kBits[] = {0, 7, 513, 1023};
    for (size_t i = 0; i < sizeof(kBits) / sizeof(kBits[0]); i++) {
        size_t bit = kBits[i] % (len * 8);
        memcpy(sig, v.cv.signature.data, len);
        sig[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        uint8_t alert = 0;
        assert_false(th_tls13_cv_verify(v.key, v.cv.algorithm, TH_CV_SERVER, v.hash, sizeof(v.hash),
                                        sig, len, &alert));
        assert_int_equal(alert, TH_ALERT_DECRYPT_ERROR);
    }
    /* A flipped transcript bit, a short signature, none at all. */
    uint8_t hash[sizeof(v.hash)];
    memcpy(hash, v.hash, sizeof(hash));
    hash[31] ^= 0x80;
    uint8_t alert = 0;
    assert_false(th_tls13_cv_verify(v.key, v.cv.algorithm, TH_CV_SERVER, hash, sizeof(hash),
                                    v.cv.signature.data, len, &alert));
    assert_int_equal(alert, TH_ALERT_DECRYPT_ERROR);
    alert = 0;
    assert_false(th_tls13_cv_verify(v.key, v.cv.algorithm, TH_CV_SERVER, v.hash, sizeof(v.hash),
                                    v.cv.signature.data, len - 1, &alert));
    assert_int_equal(alert, TH_ALERT_DECRYPT_ERROR);
    alert = 0;
    assert_false(th_tls13_cv_verify(v.key, v.cv.algorithm, TH_CV_SERVER, v.hash, sizeof(v.hash),
                                    NULL, 0, &alert));
    assert_int_equal(alert, TH_ALERT_DECRYPT_ERROR);
    free(sig);
    rfc8448_cv_free(&v);
}

static void test_rfc8448_cv_in_other_context_or_hash_is_decrypt_error(void **state) {
    (void)state;
    rfc8448_cv v;
    rfc8448_cv_load(&v);
    uint8_t alert = 0;
    /* The client context string: the signature does not transfer. */
    assert_false(th_tls13_cv_verify(v.key, v.cv.algorithm, TH_CV_CLIENT, v.hash, sizeof(v.hash),
                                    v.cv.signature.data, v.cv.signature.len, &alert));
    assert_int_equal(alert, TH_ALERT_DECRYPT_ERROR);
    /* Another PSS hash with a key large enough for it. */
    alert = 0;
    assert_false(th_tls13_cv_verify(v.key, TH_SIG_RSA_PSS_RSAE_SHA384, TH_CV_SERVER, v.hash,
                                    sizeof(v.hash), v.cv.signature.data, v.cv.signature.len,
                                    &alert));
    assert_int_equal(alert, TH_ALERT_DECRYPT_ERROR);
    /* PKCS#1 is not a TLS 1.3 CertificateVerify scheme at all. */
    alert = 0;
    assert_false(th_tls13_cv_verify(v.key, TH_SIG_RSA_PKCS1_SHA256, TH_CV_SERVER, v.hash,
                                    sizeof(v.hash), v.cv.signature.data, v.cv.signature.len,
                                    &alert));
    assert_int_equal(alert, TH_ALERT_ILLEGAL_PARAMETER);
    rfc8448_cv_free(&v);
}

/* ---- the test PKI's keys ------------------------------------------------ */

typedef struct {
    th_cert_key ck;
    EVP_PKEY *pub; /* from the leaf certificate */
} pki_id;

static void pki_load(const char *name, pki_id *id) {
    th_test_load_cert_key(name, &id->ck);
    uint8_t alert;
    char why[256];
    assert_true(th_leaf_public_key(id->ck.chain[0], &id->pub, &alert, why, sizeof(why)));
}

static void pki_free(pki_id *id) {
    EVP_PKEY_free(id->pub);
    th_cert_key_cleanup(&id->ck);
}

static const struct {
    const char *name;
    uint16_t schemes[3];
    size_t num_schemes;
} kPkiKeys[] = {
    {"server-ecdsa-p256", {TH_SIG_ECDSA_SECP256R1_SHA256}, 1},
    {"server-ecdsa-p384", {TH_SIG_ECDSA_SECP384R1_SHA384}, 1},
    {"server-rsa2048",
     {TH_SIG_RSA_PSS_RSAE_SHA256, TH_SIG_RSA_PSS_RSAE_SHA384, TH_SIG_RSA_PSS_RSAE_SHA512},
     3},
    {"server-ed25519", {TH_SIG_ED25519}, 1},
    {"client-ecdsa-p256", {TH_SIG_ECDSA_SECP256R1_SHA256}, 1},
    {"client-rsa2048",
     {TH_SIG_RSA_PSS_RSAE_SHA256, TH_SIG_RSA_PSS_RSAE_SHA384, TH_SIG_RSA_PSS_RSAE_SHA512},
     3},
};

/* Every code point of RFC 8446 §4.2.3 plus Ed448 and an unknown one. */
static const uint16_t kAllSchemes[] = {
    TH_SIG_RSA_PKCS1_SHA1,
    TH_SIG_ECDSA_SHA1,
    TH_SIG_RSA_PKCS1_SHA256,
    TH_SIG_RSA_PKCS1_SHA384,
    TH_SIG_RSA_PKCS1_SHA512,
    TH_SIG_ECDSA_SECP256R1_SHA256,
    TH_SIG_ECDSA_SECP384R1_SHA384,
    TH_SIG_ECDSA_SECP521R1_SHA512,
    TH_SIG_RSA_PSS_RSAE_SHA256,
    TH_SIG_RSA_PSS_RSAE_SHA384,
    TH_SIG_RSA_PSS_RSAE_SHA512,
    TH_SIG_ED25519,
    TH_SIG_ED448,
    TH_SIG_RSA_PSS_PSS_SHA256,
    TH_SIG_RSA_PSS_PSS_SHA384,
    TH_SIG_RSA_PSS_PSS_SHA512,
    0x1234,
};

static int in_list(uint16_t v, const uint16_t *list, size_t n) {
    for (size_t i = 0; i < n; i++) {
        if (list[i] == v) {
            return 1;
        }
    }
    return 0;
}

static void test_cv_sign_verify_round_trips_for_each_pki_key(void **state) {
    (void)state;
    uint8_t hash[SHA384_DIGEST_LENGTH];
    for (size_t i = 0; i < sizeof(hash); i++) {
        hash[i] = (uint8_t)(i * 7);
    }
    for (size_t k = 0; k < sizeof(kPkiKeys) / sizeof(kPkiKeys[0]); k++) {
        pki_id id;
        pki_load(kPkiKeys[k].name, &id);
        for (size_t s = 0; s < kPkiKeys[k].num_schemes; s++) {
            uint16_t scheme = kPkiKeys[k].schemes[s];
            for (int sender = TH_CV_SERVER; sender <= TH_CV_CLIENT; sender++) {
                uint8_t *sig;
                size_t sig_len;
                uint8_t alert = 0;
                if (!th_tls13_cv_sign(id.ck.key, scheme, sender, hash, sizeof(hash), &sig,
                                      &sig_len)) {
                    fail_msg("%s cannot sign with 0x%04x", kPkiKeys[k].name, scheme);
                }
                assert_true(th_tls13_cv_verify(id.pub, scheme, sender, hash, sizeof(hash), sig,
                                               sig_len, &alert));
                /* The other side's context, or a shorter transcript hash. */
                th_cv_sender other = sender == TH_CV_SERVER ? TH_CV_CLIENT : TH_CV_SERVER;
                assert_false(th_tls13_cv_verify(id.pub, scheme, other, hash, sizeof(hash), sig,
                                                sig_len, &alert));
                assert_int_equal(alert, TH_ALERT_DECRYPT_ERROR);
                alert = 0;
                assert_false(
                    th_tls13_cv_verify(id.pub, scheme, sender, hash, 32, sig, sig_len, &alert));
                assert_int_equal(alert, TH_ALERT_DECRYPT_ERROR);
                OPENSSL_free(sig);
            }
        }
        pki_free(&id);
    }
}

static void test_scheme_key_mismatch_is_illegal_parameter(void **state) {
    (void)state;
    uint8_t hash[32] = {0};
    uint8_t sig[512] = {0};
    for (size_t k = 0; k < sizeof(kPkiKeys) / sizeof(kPkiKeys[0]); k++) {
        pki_id id;
        pki_load(kPkiKeys[k].name, &id);
        for (size_t s = 0; s < sizeof(kAllSchemes) / sizeof(kAllSchemes[0]); s++) {
            uint16_t scheme = kAllSchemes[s];
            if (in_list(scheme, kPkiKeys[k].schemes, kPkiKeys[k].num_schemes)) {
                assert_true(th_sig_scheme_allowed(scheme, id.pub, TH_VERSION_TLS13));
                continue;
            }
            /* PKCS#1, SHA-1, another key type, another curve, RSASSA-PSS
             * keys' schemes, Ed448, unknown: all refused before any crypto. */
            uint8_t alert = 0;
            assert_false(th_sig_scheme_allowed(scheme, id.pub, TH_VERSION_TLS13));
            assert_false(th_tls13_cv_verify(id.pub, scheme, TH_CV_SERVER, hash, sizeof(hash), sig,
                                            sizeof(sig), &alert));
            if (alert != TH_ALERT_ILLEGAL_PARAMETER) {
                fail_msg("%s with 0x%04x: alert %d", kPkiKeys[k].name, scheme, alert);
            }
            uint8_t *out;
            size_t out_len;
            assert_false(th_tls13_cv_sign(id.ck.key, scheme, TH_CV_SERVER, hash, sizeof(hash), &out,
                                          &out_len));
        }
        pki_free(&id);
    }
}

static void test_pss_salt_is_hash_length(void **state) {
    (void)state;
    pki_id id;
    pki_load("server-rsa2048", &id);
    uint8_t hash[32] = {0x42};
    uint8_t content[TH_CV_CONTENT_MAX];
    size_t content_len;
    CBB cbb;
    assert_true(CBB_init_fixed(&cbb, content, sizeof(content)));
    assert_true(th_tls13_cv_content(&cbb, TH_CV_SERVER, hash, sizeof(hash)));
    assert_true(CBB_finish(&cbb, NULL, &content_len));

    /* Ours verifies under an explicit 32-byte salt, MGF1-SHA256. */
    uint8_t *sig;
    size_t sig_len;
    assert_true(th_tls13_cv_sign(id.ck.key, TH_SIG_RSA_PSS_RSAE_SHA256, TH_CV_SERVER, hash,
                                 sizeof(hash), &sig, &sig_len));
    EVP_MD_CTX ctx;
    EVP_PKEY_CTX *pctx;
    EVP_MD_CTX_init(&ctx);
    assert_true(EVP_DigestVerifyInit(&ctx, &pctx, EVP_sha256(), NULL, id.pub));
    assert_true(EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING));
    assert_true(EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, 32));
    assert_true(EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, EVP_sha256()));
    assert_true(EVP_DigestVerify(&ctx, sig, sig_len, content, content_len));
    EVP_MD_CTX_cleanup(&ctx);
    OPENSSL_free(sig);

    /* A valid PSS signature with another salt length is refused. */
    static const int kSalts[] = {0, 20, 48};
    for (size_t i = 0; i < sizeof(kSalts) / sizeof(kSalts[0]); i++) {
        uint8_t other[256];
        size_t other_len = sizeof(other);
        EVP_MD_CTX_init(&ctx);
        assert_true(EVP_DigestSignInit(&ctx, &pctx, EVP_sha256(), NULL, id.ck.key));
        assert_true(EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING));
        assert_true(EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, kSalts[i]));
        assert_true(EVP_DigestSign(&ctx, other, &other_len, content, content_len));
        EVP_MD_CTX_cleanup(&ctx);
        uint8_t alert = 0;
        assert_false(th_tls13_cv_verify(id.pub, TH_SIG_RSA_PSS_RSAE_SHA256, TH_CV_SERVER, hash,
                                        sizeof(hash), other, other_len, &alert));
        assert_int_equal(alert, TH_ALERT_DECRYPT_ERROR);
    }
    pki_free(&id);
}

static void test_garbage_signature_is_decrypt_error(void **state) {
    (void)state;
    uint8_t hash[32] = {0};
    uint8_t junk[256];
    memset(junk, 0xa5, sizeof(junk));
    for (size_t k = 0; k < sizeof(kPkiKeys) / sizeof(kPkiKeys[0]); k++) {
        pki_id id;
        pki_load(kPkiKeys[k].name, &id);
        static const size_t kLens[] = {0, 1, 64, 72, 256};
        for (size_t i = 0; i < sizeof(kLens) / sizeof(kLens[0]); i++) {
            uint8_t alert = 0;
            assert_false(th_tls13_cv_verify(id.pub, kPkiKeys[k].schemes[0], TH_CV_CLIENT, hash,
                                            sizeof(hash), junk, kLens[i], &alert));
            assert_int_equal(alert, TH_ALERT_DECRYPT_ERROR);
        }
        pki_free(&id);
    }
}

static void test_tls12_signatures_bind_only_the_key_type(void **state) {
    (void)state;
    static const uint8_t kMsg[] = "client_random || server_random || ServerECDHParams";
    pki_id rsa, p256;
    pki_load("server-rsa2048", &rsa);
    pki_load("server-ecdsa-p256", &p256);
    const struct {
        pki_id *id;
        uint16_t scheme;
    } kCases[] = {
        {&rsa, TH_SIG_RSA_PKCS1_SHA256},        {&rsa, TH_SIG_RSA_PKCS1_SHA1},
        {&rsa, TH_SIG_RSA_PSS_RSAE_SHA384},     {&p256, TH_SIG_ECDSA_SECP384R1_SHA384},
        {&p256, TH_SIG_ECDSA_SECP256R1_SHA256}, {&p256, TH_SIG_ECDSA_SHA1},
    };
    for (size_t i = 0; i < sizeof(kCases) / sizeof(kCases[0]); i++) {
        uint8_t *sig;
        size_t sig_len;
        uint8_t alert = 0;
        assert_true(th_sig_scheme_allowed(kCases[i].scheme, kCases[i].id->pub, TH_VERSION_TLS12));
        assert_true(th_sig_sign(kCases[i].id->ck.key, kCases[i].scheme, kMsg, sizeof(kMsg), &sig,
                                &sig_len));
        assert_true(th_sig_verify(kCases[i].id->pub, kCases[i].scheme, kMsg, sizeof(kMsg), sig,
                                  sig_len, &alert));
        assert_false(th_sig_verify(kCases[i].id->pub, kCases[i].scheme, kMsg, sizeof(kMsg) - 1, sig,
                                   sig_len, &alert));
        assert_int_equal(alert, TH_ALERT_DECRYPT_ERROR);
        OPENSSL_free(sig);
    }
    /* Another key type is refused even in TLS 1.2, before any crypto. */
    uint8_t *sig;
    size_t sig_len;
    uint8_t alert = 0;
    assert_false(
        th_sig_sign(rsa.ck.key, TH_SIG_ECDSA_SECP256R1_SHA256, kMsg, sizeof(kMsg), &sig, &sig_len));
    assert_false(th_sig_sign(p256.ck.key, TH_SIG_ED25519, kMsg, sizeof(kMsg), &sig, &sig_len));
    assert_false(th_sig_verify(p256.pub, TH_SIG_RSA_PKCS1_SHA256, kMsg, sizeof(kMsg), kMsg,
                               sizeof(kMsg), &alert));
    assert_int_equal(alert, TH_ALERT_ILLEGAL_PARAMETER);
    alert = 0;
    assert_false(th_sig_verify(rsa.pub, 0x1234, kMsg, sizeof(kMsg), kMsg, sizeof(kMsg), &alert));
    assert_int_equal(alert, TH_ALERT_ILLEGAL_PARAMETER);
    assert_false(th_sig_scheme_allowed(TH_SIG_RSA_PKCS1_SHA256, rsa.pub, TH_VERSION_TLS11));
    pki_free(&rsa);
    pki_free(&p256);
}

/* ---- choosing a scheme -------------------------------------------------- */

static void expect_choice(const EVP_PKEY *key, uint16_t version, const uint16_t *peer, size_t n,
                          uint16_t want) {
    uint16_t got = 0;
    uint8_t alert = 0;
    if (!th_sig_choose_scheme(key, version, peer, n, &got, &alert)) {
        fail_msg("no scheme chosen (alert %d), wanted 0x%04x", alert, want);
    }
    if (got != want) {
        fail_msg("chose 0x%04x, wanted 0x%04x", got, want);
    }
}

static void expect_no_choice(const EVP_PKEY *key, uint16_t version, const uint16_t *peer,
                             size_t n) {
    uint16_t got = 0;
    uint8_t alert = 0;
    assert_false(th_sig_choose_scheme(key, version, peer, n, &got, &alert));
    assert_int_equal(alert, TH_ALERT_HANDSHAKE_FAILURE);
}

#define N(a) (sizeof(a) / sizeof((a)[0]))

static void test_choose_scheme_per_key_type_in_tls13(void **state) {
    (void)state;
    /* A peer offering everything: each key gets its TLS 1.3 scheme. */
    static const uint16_t kPeer[] = {
        0x0a0a, /* GREASE */
        TH_SIG_RSA_PKCS1_SHA256,
        TH_SIG_ECDSA_SHA1,
        TH_SIG_ECDSA_SECP384R1_SHA384,
        TH_SIG_ECDSA_SECP256R1_SHA256,
        TH_SIG_RSA_PSS_RSAE_SHA512,
        TH_SIG_RSA_PSS_RSAE_SHA256,
        TH_SIG_ED25519,
    };
    static const struct {
        const char *name;
        uint16_t want;
    } kWant[] = {
        {"server-ecdsa-p256", TH_SIG_ECDSA_SECP256R1_SHA256},
        {"server-ecdsa-p384", TH_SIG_ECDSA_SECP384R1_SHA384},
        /* The peer's order: SHA-512 comes first; PKCS#1 never in TLS 1.3. */
        {"server-rsa2048", TH_SIG_RSA_PSS_RSAE_SHA512},
        {"server-ed25519", TH_SIG_ED25519},
        {"client-rsa2048", TH_SIG_RSA_PSS_RSAE_SHA512},
    };
    for (size_t i = 0; i < N(kWant); i++) {
        pki_id id;
        pki_load(kWant[i].name, &id);
        expect_choice(id.ck.key, TH_VERSION_TLS13, kPeer, N(kPeer), kWant[i].want);
        pki_free(&id);
    }
}

static void test_choose_scheme_without_overlap_is_handshake_failure(void **state) {
    (void)state;
    pki_id rsa, p256, ed;
    pki_load("server-rsa2048", &rsa);
    pki_load("server-ecdsa-p256", &p256);
    pki_load("server-ed25519", &ed);
    static const uint16_t kPkcs1Only[] = {TH_SIG_RSA_PKCS1_SHA256, TH_SIG_RSA_PKCS1_SHA1};
    expect_no_choice(rsa.ck.key, TH_VERSION_TLS13, kPkcs1Only, N(kPkcs1Only));
    /* TLS 1.2 may use PKCS#1. */
    expect_choice(rsa.ck.key, TH_VERSION_TLS12, kPkcs1Only, N(kPkcs1Only), TH_SIG_RSA_PKCS1_SHA256);
    /* ECDSA schemes name their curve in TLS 1.3 only. */
    static const uint16_t kP384Only[] = {TH_SIG_ECDSA_SECP384R1_SHA384, TH_SIG_ED448};
    expect_no_choice(p256.ck.key, TH_VERSION_TLS13, kP384Only, N(kP384Only));
    expect_choice(p256.ck.key, TH_VERSION_TLS12, kP384Only, N(kP384Only),
                  TH_SIG_ECDSA_SECP384R1_SHA384);
    static const uint16_t kSha1[] = {TH_SIG_ECDSA_SHA1, TH_SIG_RSA_PSS_PSS_SHA256};
    expect_no_choice(p256.ck.key, TH_VERSION_TLS13, kSha1, N(kSha1));
    expect_no_choice(rsa.ck.key, TH_VERSION_TLS13, kSha1, N(kSha1));
    static const uint16_t kEcdsa[] = {TH_SIG_ECDSA_SECP256R1_SHA256};
    expect_no_choice(ed.ck.key, TH_VERSION_TLS13, kEcdsa, N(kEcdsa));
    expect_no_choice(ed.ck.key, TH_VERSION_TLS13, NULL, 0);
    pki_free(&rsa);
    pki_free(&p256);
    pki_free(&ed);
}

static void test_choose_scheme_skips_pss_hash_too_large_for_key(void **state) {
    (void)state;
    /* RFC 8448's 1024-bit RSA key cannot carry a PSS-SHA-512 signature. */
    rfc8448_cv v;
    rfc8448_cv_load(&v);
    static const uint16_t kPeer[] = {TH_SIG_RSA_PSS_RSAE_SHA512, TH_SIG_RSA_PSS_RSAE_SHA384};
    expect_choice(v.key, TH_VERSION_TLS13, kPeer, N(kPeer), TH_SIG_RSA_PSS_RSAE_SHA384);
    static const uint16_t kOnly512[] = {TH_SIG_RSA_PSS_RSAE_SHA512};
    expect_no_choice(v.key, TH_VERSION_TLS13, kOnly512, N(kOnly512));
    rfc8448_cv_free(&v);
}

static void test_key_support(void **state) {
    (void)state;
    static const int kCurves[] = {NID_X9_62_prime256v1, NID_secp384r1, NID_secp521r1,
                                  NID_secp224r1};
    for (size_t i = 0; i < N(kCurves); i++) {
        EC_KEY *ec = EC_KEY_new_by_curve_name(kCurves[i]);
        EVP_PKEY *key = EVP_PKEY_new();
        assert_true(ec != NULL && key != NULL && EC_KEY_generate_key(ec) &&
                    EVP_PKEY_assign_EC_KEY(key, ec));
        assert_int_equal(th_sig_key_supported(key), kCurves[i] != NID_secp224r1);
        EVP_PKEY_free(key);
    }
    /* P-521 signs with its own scheme. */
    EC_KEY *ec = EC_KEY_new_by_curve_name(NID_secp521r1);
    EVP_PKEY *p521 = EVP_PKEY_new();
    assert_true(EC_KEY_generate_key(ec) && EVP_PKEY_assign_EC_KEY(p521, ec));
    uint8_t hash[64] = {1}, *sig, alert = 0;
    size_t sig_len;
    assert_true(th_tls13_cv_sign(p521, TH_SIG_ECDSA_SECP521R1_SHA512, TH_CV_SERVER, hash,
                                 sizeof(hash), &sig, &sig_len));
    assert_true(th_tls13_cv_verify(p521, TH_SIG_ECDSA_SECP521R1_SHA512, TH_CV_SERVER, hash,
                                   sizeof(hash), sig, sig_len, &alert));
    OPENSSL_free(sig);
    EVP_PKEY_free(p521);
    static const uint8_t kSeed[32] = {7};
    EVP_PKEY *x25519 = EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, NULL, kSeed, sizeof(kSeed));
    assert_non_null(x25519);
    assert_false(th_sig_key_supported(x25519));
    assert_false(th_sig_scheme_allowed(TH_SIG_ED25519, x25519, TH_VERSION_TLS13));
    EVP_PKEY_free(x25519);
    assert_false(th_sig_key_supported(NULL));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cv_content_matches_rfc8446_example),
        cmocka_unit_test(test_cv_content_rejects_bad_hash_length),
        cmocka_unit_test(test_rfc8448_certificate_verify_verifies),
        cmocka_unit_test(test_rfc8448_cv_with_a_bit_flipped_is_decrypt_error),
        cmocka_unit_test(test_rfc8448_cv_in_other_context_or_hash_is_decrypt_error),
        cmocka_unit_test(test_cv_sign_verify_round_trips_for_each_pki_key),
        cmocka_unit_test(test_scheme_key_mismatch_is_illegal_parameter),
        cmocka_unit_test(test_pss_salt_is_hash_length),
        cmocka_unit_test(test_garbage_signature_is_decrypt_error),
        cmocka_unit_test(test_tls12_signatures_bind_only_the_key_type),
        cmocka_unit_test(test_choose_scheme_per_key_type_in_tls13),
        cmocka_unit_test(test_choose_scheme_without_overlap_is_handshake_failure),
        cmocka_unit_test(test_choose_scheme_skips_pss_hash_too_large_for_key),
        cmocka_unit_test(test_key_support),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
