#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/digest.h>
#include <openssl/evp.h>
#include <openssl/mem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "server_key_exchange.h"
#include "testutil.h"

static const char kVec[] = "tls12-boringssl.txt";

TH_CODEC_FN(ecdhe_codec, th_server_key_exchange_ecdhe, th_parse_server_key_exchange_ecdhe,
            th_write_server_key_exchange_ecdhe, th_test_no_cleanup)
TH_CODEC_FN(ecdhe_legacy_codec, th_server_key_exchange_ecdhe,
            th_parse_server_key_exchange_ecdhe_legacy, th_write_server_key_exchange_ecdhe,
            th_test_no_cleanup)
TH_CODEC_FN(dhe_codec, th_server_key_exchange_dhe, th_parse_server_key_exchange_dhe,
            th_write_server_key_exchange_dhe, th_test_no_cleanup)
TH_CODEC_FN(dhe_legacy_codec, th_server_key_exchange_dhe, th_parse_server_key_exchange_dhe_legacy,
            th_write_server_key_exchange_dhe, th_test_no_cleanup)

static uint8_t *load(const char *prefix, const char *msg_name, uint8_t type, const uint8_t **body,
                     size_t *len) {
    char name[128];
    snprintf(name, sizeof(name), "%s_%s", prefix, msg_name);
    uint8_t *msg = th_test_vector_body(kVec, name, body, len);
    assert_int_equal(msg[0], type);
    return msg;
}

/* Verifies |sig| over client_random + server_random + params with the public
 * key of the server certificate of handshake |prefix| (RFC 5246 §7.4.3,
 * RFC 4492 §5.4); 1 if it verifies. */
static int signature_ok(const char *prefix, th_bytes params, const EVP_MD *md, int pss,
                        th_bytes sig) {
    const uint8_t *ch, *sh, *cert;
    size_t ch_len, sh_len, cert_len;
    uint8_t *ch_msg = load(prefix, "client_client_hello", TH_HS_CLIENT_HELLO, &ch, &ch_len);
    uint8_t *sh_msg = load(prefix, "server_server_hello", TH_HS_SERVER_HELLO, &sh, &sh_len);
    uint8_t *cert_msg = load(prefix, "server_certificate", TH_HS_CERTIFICATE, &cert, &cert_len);
    const uint8_t *der = cert + 6; /* list length, certificate length */
    X509 *x509 = d2i_X509(NULL, &der, (long)(cert_len - 6));
    assert_non_null(x509);
    EVP_PKEY *key = X509_get_pubkey(x509);
    assert_non_null(key);

    /* The randoms follow the 2-byte version in both hellos. */
    uint8_t *signed_data = malloc(64 + params.len);
    assert_non_null(signed_data);
    memcpy(signed_data, ch + 2, 32);
    memcpy(signed_data + 32, sh + 2, 32);
    memcpy(signed_data + 64, params.data, params.len);

    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    EVP_PKEY_CTX *pctx;
    assert_true(EVP_DigestVerifyInit(ctx, &pctx, md, NULL, key));
    if (pss) {
        assert_true(EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING));
        assert_true(EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, -1));
    }
    int ok = EVP_DigestVerify(ctx, sig.data, sig.len, signed_data, 64 + params.len);
    EVP_MD_CTX_free(ctx);
    free(signed_data);
    EVP_PKEY_free(key);
    X509_free(x509);
    free(ch_msg);
    free(sh_msg);
    free(cert_msg);
    return ok;
}

/* The parser's params span is exactly the signed bytes: the signature verifies
 * over it and not over the span one byte shorter. */
static void expect_signature_valid(const char *prefix, th_bytes params, const EVP_MD *md, int pss,
                                   th_bytes sig) {
    th_bytes shorter = {params.data, params.len - 1};
    assert_true(signature_ok(prefix, params, md, pss, sig));
    assert_false(signature_ok(prefix, shorter, md, pss, sig));
}

static void expect_params_rewritten(const th_server_key_exchange_ecdhe *ske) {
    CBB cbb;
    uint8_t *out;
    size_t out_len;
    assert_true(CBB_init(&cbb, 0));
    assert_true(th_write_server_ecdh_params(&cbb, ske));
    assert_true(CBB_finish(&cbb, &out, &out_len));
    assert_int_equal(out_len, ske->params.len);
    assert_memory_equal(out, ske->params.data, out_len);
    OPENSSL_free(out);
}

static void test_ske_ecdhe_ecdsa_p256_vector(void **state) {
    (void)state;
    const uint8_t *body;
    size_t len;
    uint8_t *msg =
        load("ecdhe_ecdsa12", "server_server_key_exchange", TH_HS_SERVER_KEY_EXCHANGE, &body, &len);
    th_server_key_exchange_ecdhe ske;
    uint8_t alert;
    CBS in;
    CBS_init(&in, body, len);
    assert_true(th_parse_server_key_exchange_ecdhe(&in, &ske, &alert));
    assert_int_equal(ske.curve_type, TH_EC_CURVE_TYPE_NAMED_CURVE);
    assert_int_equal(ske.named_curve, TH_GROUP_SECP256R1);
    assert_int_equal(ske.public_key.len, 65);
    assert_int_equal(ske.public_key.data[0], 0x04); /* uncompressed */
    assert_true(ske.has_sig_alg);
    assert_int_equal(ske.sig_alg, TH_SIG_ECDSA_SECP256R1_SHA256);
    assert_ptr_equal(ske.params.data, body);
    assert_int_equal(ske.params.len, 1 + 2 + 1 + 65);
    expect_params_rewritten(&ske);
    expect_signature_valid("ecdhe_ecdsa12", ske.params, EVP_sha256(), 0, ske.signature);

    th_expect_roundtrip(ecdhe_codec, body, len);
    th_expect_truncations_rejected(ecdhe_codec, body, len);
    th_expect_trailing_rejected(ecdhe_codec, body, len);
    th_expect_length_pm1_rejected(ecdhe_codec, body, len, 3, 1);  /* point */
    th_expect_length_pm1_rejected(ecdhe_codec, body, len, 71, 2); /* signature */
    free(msg);
}

static void test_ske_ecdhe_rsa_x25519_vector(void **state) {
    (void)state;
    const uint8_t *body;
    size_t len;
    uint8_t *msg =
        load("ecdhe_rsa12", "server_server_key_exchange", TH_HS_SERVER_KEY_EXCHANGE, &body, &len);
    th_server_key_exchange_ecdhe ske;
    uint8_t alert;
    CBS in;
    CBS_init(&in, body, len);
    assert_true(th_parse_server_key_exchange_ecdhe(&in, &ske, &alert));
    assert_int_equal(ske.named_curve, TH_GROUP_X25519);
    assert_int_equal(ske.public_key.len, 32);
    assert_int_equal(ske.sig_alg, TH_SIG_RSA_PSS_RSAE_SHA256);
    assert_int_equal(ske.signature.len, 128);
    expect_params_rewritten(&ske);
    expect_signature_valid("ecdhe_rsa12", ske.params, EVP_sha256(), 1, ske.signature);

    th_expect_roundtrip(ecdhe_codec, body, len);
    th_expect_truncations_rejected(ecdhe_codec, body, len);
    th_expect_trailing_rejected(ecdhe_codec, body, len);
    th_expect_length_pm1_rejected(ecdhe_codec, body, len, 3, 1);
    th_expect_length_pm1_rejected(ecdhe_codec, body, len, 38, 2);
    free(msg);
}

static void test_ske_ecdhe_legacy_tls11_vector(void **state) {
    (void)state;
    const uint8_t *body;
    size_t len;
    uint8_t *msg =
        load("ecdhe_ecdsa11", "server_server_key_exchange", TH_HS_SERVER_KEY_EXCHANGE, &body, &len);
    th_server_key_exchange_ecdhe ske;
    uint8_t alert;
    CBS in;
    CBS_init(&in, body, len);
    assert_true(th_parse_server_key_exchange_ecdhe_legacy(&in, &ske, &alert));
    assert_int_equal(ske.named_curve, TH_GROUP_X25519);
    assert_false(ske.has_sig_alg);
    assert_int_equal(ske.sig_alg, 0);
    assert_int_equal(ske.params.len, 1 + 2 + 1 + 32);
    /* TLS 1.0/1.1 ECDSA signs with SHA-1 (RFC 4492 §5.4). */
    expect_signature_valid("ecdhe_ecdsa11", ske.params, EVP_sha1(), 0, ske.signature);

    th_expect_roundtrip(ecdhe_legacy_codec, body, len);
    th_expect_truncations_rejected(ecdhe_legacy_codec, body, len);
    th_expect_trailing_rejected(ecdhe_legacy_codec, body, len);
    th_expect_length_pm1_rejected(ecdhe_legacy_codec, body, len, 3, 1);
    th_expect_length_pm1_rejected(ecdhe_legacy_codec, body, len, 36, 2);
    /* The TLS 1.2 parser reads the first signature bytes as an algorithm and
     * runs out of signature. */
    th_expect_reject(ecdhe_codec, body, len, TH_ALERT_DECODE_ERROR);
    free(msg);
}

/* A short well-formed TLS 1.2 body: secp256r1, a 1-byte point, ecdsa_secp256r1_sha256. */
static const char kSmallEcdhe[] = "03 0017 01 04 0403 0002 3000";

static void expect_curve_type_rejected(uint8_t curve_type, uint8_t alert) {
    size_t len;
    uint8_t *b = th_test_hex(kSmallEcdhe, &len);
    b[0] = curve_type;
    th_expect_reject(ecdhe_codec, b, len, alert);
    th_expect_reject(ecdhe_legacy_codec, b, len - 2, alert);
    free(b);
}

static void test_ske_explicit_prime_curve_is_decode_error(void **state) {
    (void)state;
    expect_curve_type_rejected(TH_EC_CURVE_TYPE_EXPLICIT_PRIME, TH_ALERT_DECODE_ERROR);
}

static void test_ske_explicit_char2_curve_is_decode_error(void **state) {
    (void)state;
    expect_curve_type_rejected(TH_EC_CURVE_TYPE_EXPLICIT_CHAR2, TH_ALERT_DECODE_ERROR);
}

static void test_ske_unknown_curve_type_is_decode_error(void **state) {
    (void)state;
    expect_curve_type_rejected(0, TH_ALERT_DECODE_ERROR);
    expect_curve_type_rejected(4, TH_ALERT_DECODE_ERROR);
    expect_curve_type_rejected(248, TH_ALERT_DECODE_ERROR);
    expect_curve_type_rejected(255, TH_ALERT_DECODE_ERROR);
}

static void test_ske_arbitrary_explicit_named_curve_is_illegal_parameter(void **state) {
    (void)state;
    size_t len;
    uint8_t *b = th_test_hex(kSmallEcdhe, &len);
    uint8_t *prime = th_test_patch(b, len, 1, "ff01");
    uint8_t *char2 = th_test_patch(b, len, 1, "ff02");
    th_expect_roundtrip(ecdhe_codec, b, len);
    th_expect_reject(ecdhe_codec, prime, len, TH_ALERT_ILLEGAL_PARAMETER);
    th_expect_reject(ecdhe_codec, char2, len, TH_ALERT_ILLEGAL_PARAMETER);
    free(b);
    free(prime);
    free(char2);
}

static void test_ske_empty_point_is_decode_error(void **state) {
    (void)state;
    size_t len;
    uint8_t *b = th_test_hex("03 0017 00 0403 0002 3000", &len);
    th_expect_reject(ecdhe_codec, b, len, TH_ALERT_DECODE_ERROR);
    free(b);
}

static void test_ske_empty_signature_is_left_to_the_engine(void **state) {
    (void)state;
    size_t len;
    uint8_t *b = th_test_hex("03 001d 01 09 0403 0000", &len);
    th_expect_roundtrip(ecdhe_codec, b, len);
    free(b);
    b = th_test_hex("03 001d 01 09 0000", &len);
    th_expect_roundtrip(ecdhe_legacy_codec, b, len);
    free(b);
}

static void test_ske_ecdhe_write_from_scratch(void **state) {
    (void)state;
    const uint8_t *body;
    size_t len;
    uint8_t *msg =
        load("ecdhe_rsa12", "server_server_key_exchange", TH_HS_SERVER_KEY_EXCHANGE, &body, &len);
    th_server_key_exchange_ecdhe ske;
    CBB cbb;
    uint8_t *out;
    size_t out_len;
    memset(&ske, 0, sizeof(ske));
    ske.curve_type = TH_EC_CURVE_TYPE_NAMED_CURVE;
    ske.named_curve = TH_GROUP_X25519;
    ske.public_key.data = body + 4;
    ske.public_key.len = 32;
    ske.has_sig_alg = 1;
    ske.sig_alg = TH_SIG_RSA_PSS_RSAE_SHA256;
    ske.signature.data = body + 40;
    ske.signature.len = 128;
    assert_true(CBB_init(&cbb, 0));
    assert_true(th_write_server_key_exchange_ecdhe(&cbb, &ske));
    assert_true(CBB_finish(&cbb, &out, &out_len));
    assert_int_equal(out_len, len);
    assert_memory_equal(out, body, len);
    OPENSSL_free(out);
    free(msg);
}

/* DHE: BoringSSL no longer offers DHE suites, so this is a hand-built body
 * with a toy group: dh_p = 23, dh_g = 5, dh_Ys = 8, rsa_pkcs1_sha256 and a
 * 4-byte stand-in signature. */
static const char kDhe[] = "0001 17  0001 05  0001 08  0401  0004 deadbeef";

static void test_ske_dhe_roundtrip_and_lengths(void **state) {
    (void)state;
    size_t len;
    uint8_t *b = th_test_hex(kDhe, &len);
    th_server_key_exchange_dhe ske;
    uint8_t alert;
    CBS in;
    CBS_init(&in, b, len);
    assert_true(th_parse_server_key_exchange_dhe(&in, &ske, &alert));
    assert_int_equal(ske.dh_p.len, 1);
    assert_int_equal(ske.dh_p.data[0], 23);
    assert_int_equal(ske.dh_g.data[0], 5);
    assert_int_equal(ske.dh_ys.data[0], 8);
    assert_int_equal(ske.sig_alg, TH_SIG_RSA_PKCS1_SHA256);
    assert_int_equal(ske.signature.len, 4);
    assert_ptr_equal(ske.params.data, b);
    assert_int_equal(ske.params.len, 9);

    th_expect_roundtrip(dhe_codec, b, len);
    th_expect_truncations_rejected(dhe_codec, b, len);
    th_expect_trailing_rejected(dhe_codec, b, len);
    th_expect_length_pm1_rejected(dhe_codec, b, len, 0, 2);
    th_expect_length_pm1_rejected(dhe_codec, b, len, 3, 2);
    th_expect_length_pm1_rejected(dhe_codec, b, len, 6, 2);
    th_expect_length_pm1_rejected(dhe_codec, b, len, 11, 2);
    free(b);
}

static void test_ske_dhe_legacy_roundtrip_and_lengths(void **state) {
    (void)state;
    size_t len;
    uint8_t *b = th_test_hex("0001 17  0001 05  0001 08  0004 deadbeef", &len);
    th_server_key_exchange_dhe ske;
    uint8_t alert;
    CBS in;
    CBS_init(&in, b, len);
    assert_true(th_parse_server_key_exchange_dhe_legacy(&in, &ske, &alert));
    assert_false(ske.has_sig_alg);
    assert_int_equal(ske.signature.len, 4);

    th_expect_roundtrip(dhe_legacy_codec, b, len);
    th_expect_truncations_rejected(dhe_legacy_codec, b, len);
    th_expect_trailing_rejected(dhe_legacy_codec, b, len);
    th_expect_length_pm1_rejected(dhe_legacy_codec, b, len, 0, 2);
    th_expect_length_pm1_rejected(dhe_legacy_codec, b, len, 3, 2);
    th_expect_length_pm1_rejected(dhe_legacy_codec, b, len, 6, 2);
    th_expect_length_pm1_rejected(dhe_legacy_codec, b, len, 9, 2);
    free(b);
}

static void test_ske_dhe_empty_value_is_decode_error(void **state) {
    (void)state;
    static const char *const kEmptyOne[] = {
        "0000     0001 05  0001 08  0401  0004 deadbeef",
        "0001 17  0000     0001 08  0401  0004 deadbeef",
        "0001 17  0001 05  0000     0401  0004 deadbeef",
    };
    for (size_t i = 0; i < sizeof(kEmptyOne) / sizeof(kEmptyOne[0]); i++) {
        size_t len;
        uint8_t *b = th_test_hex(kEmptyOne[i], &len);
        th_expect_reject(dhe_codec, b, len, TH_ALERT_DECODE_ERROR);
        free(b);
    }
}

static void test_ske_dhe_write_from_scratch(void **state) {
    (void)state;
    size_t len;
    uint8_t *b = th_test_hex(kDhe, &len);
    static const uint8_t kP[] = {23}, kG[] = {5}, kYs[] = {8}, kSig[] = {0xde, 0xad, 0xbe, 0xef};
    th_server_key_exchange_dhe ske;
    CBB cbb;
    uint8_t *out;
    size_t out_len;
    memset(&ske, 0, sizeof(ske));
    ske.dh_p.data = kP;
    ske.dh_p.len = 1;
    ske.dh_g.data = kG;
    ske.dh_g.len = 1;
    ske.dh_ys.data = kYs;
    ske.dh_ys.len = 1;
    ske.has_sig_alg = 1;
    ske.sig_alg = TH_SIG_RSA_PKCS1_SHA256;
    ske.signature.data = kSig;
    ske.signature.len = sizeof(kSig);
    assert_true(CBB_init(&cbb, 0));
    assert_true(th_write_server_dh_params(&cbb, &ske));
    assert_int_equal(CBB_len(&cbb), 9);
    assert_true(th_write_server_key_exchange_dhe(&cbb, &ske));
    assert_true(CBB_finish(&cbb, &out, &out_len));
    assert_int_equal(out_len, 9 + len);
    assert_memory_equal(out + 9, b, len);
    OPENSSL_free(out);
    free(b);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ske_ecdhe_ecdsa_p256_vector),
        cmocka_unit_test(test_ske_ecdhe_rsa_x25519_vector),
        cmocka_unit_test(test_ske_ecdhe_legacy_tls11_vector),
        cmocka_unit_test(test_ske_explicit_prime_curve_is_decode_error),
        cmocka_unit_test(test_ske_explicit_char2_curve_is_decode_error),
        cmocka_unit_test(test_ske_unknown_curve_type_is_decode_error),
        cmocka_unit_test(test_ske_arbitrary_explicit_named_curve_is_illegal_parameter),
        cmocka_unit_test(test_ske_empty_point_is_decode_error),
        cmocka_unit_test(test_ske_empty_signature_is_left_to_the_engine),
        cmocka_unit_test(test_ske_ecdhe_write_from_scratch),
        cmocka_unit_test(test_ske_dhe_roundtrip_and_lengths),
        cmocka_unit_test(test_ske_dhe_legacy_roundtrip_and_lengths),
        cmocka_unit_test(test_ske_dhe_empty_value_is_decode_error),
        cmocka_unit_test(test_ske_dhe_write_from_scratch),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
