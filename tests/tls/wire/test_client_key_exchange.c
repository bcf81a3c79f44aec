#include <stdlib.h>
#include <string.h>

#include <openssl/mem.h>

#include "client_key_exchange.h"
#include "testutil.h"

static const char kVec[] = "tls12-boringssl.txt";

TH_CODEC_FN(ecdhe_codec, th_client_key_exchange_ecdhe, th_parse_client_key_exchange_ecdhe,
            th_write_client_key_exchange_ecdhe, th_test_no_cleanup)
TH_CODEC_FN(rsa_codec, th_client_key_exchange_rsa, th_parse_client_key_exchange_rsa,
            th_write_client_key_exchange_rsa, th_test_no_cleanup)
TH_CODEC_FN(dhe_codec, th_client_key_exchange_dhe, th_parse_client_key_exchange_dhe,
            th_write_client_key_exchange_dhe, th_test_no_cleanup)

static uint8_t *load(const char *name, const uint8_t **body, size_t *len) {
    uint8_t *msg = th_test_vector_body(kVec, name, body, len);
    assert_int_equal(msg[0], TH_HS_CLIENT_KEY_EXCHANGE);
    return msg;
}

static void check_ecdhe_vector(const char *name, size_t point_len) {
    const uint8_t *body;
    size_t len;
    uint8_t *msg = load(name, &body, &len);
    th_client_key_exchange_ecdhe cke;
    uint8_t alert;
    CBS in;
    CBS_init(&in, body, len);
    assert_true(th_parse_client_key_exchange_ecdhe(&in, &cke, &alert));
    assert_int_equal(cke.public_key.len, point_len);
    assert_ptr_equal(cke.public_key.data, body + 1);
    th_expect_roundtrip(ecdhe_codec, body, len);
    th_expect_truncations_rejected(ecdhe_codec, body, len);
    th_expect_trailing_rejected(ecdhe_codec, body, len);
    th_expect_length_pm1_rejected(ecdhe_codec, body, len, 0, 1);
    free(msg);
}

static void test_cke_ecdhe_p256_vector(void **state) {
    (void)state;
    check_ecdhe_vector("ecdhe_ecdsa12_client_client_key_exchange", 65);
}

static void test_cke_ecdhe_x25519_vector(void **state) {
    (void)state;
    check_ecdhe_vector("ecdhe_rsa12_client_client_key_exchange", 32);
    check_ecdhe_vector("ecdhe_ecdsa11_client_client_key_exchange", 32);
}

static void test_cke_ecdhe_empty_body_is_decode_error(void **state) {
    (void)state;
    static const uint8_t kEmpty[1] = {0};
    /* The implicit (fixed-ECDH) form: an empty message. */
    th_expect_reject(ecdhe_codec, kEmpty, 0, TH_ALERT_DECODE_ERROR);
}

static void test_cke_ecdhe_empty_point_is_decode_error(void **state) {
    (void)state;
    static const uint8_t kEmptyPoint[] = {0x00};
    th_expect_reject(ecdhe_codec, kEmptyPoint, sizeof(kEmptyPoint), TH_ALERT_DECODE_ERROR);
}

static void test_cke_ecdhe_write_from_scratch(void **state) {
    (void)state;
    const uint8_t *body;
    size_t len;
    uint8_t *msg = load("ecdhe_rsa12_client_client_key_exchange", &body, &len);
    th_client_key_exchange_ecdhe cke = {{body + 1, len - 1}};
    CBB cbb;
    uint8_t *out;
    size_t out_len;
    assert_true(CBB_init(&cbb, 0));
    assert_true(th_write_client_key_exchange_ecdhe(&cbb, &cke));
    assert_true(CBB_finish(&cbb, &out, &out_len));
    assert_int_equal(out_len, len);
    assert_memory_equal(out, body, len);
    OPENSSL_free(out);
    free(msg);
}

static void test_cke_rsa_vector(void **state) {
    (void)state;
    const uint8_t *body;
    size_t len;
    uint8_t *msg = load("rsa12_client_client_key_exchange", &body, &len);
    th_client_key_exchange_rsa cke;
    uint8_t alert;
    CBS in;
    CBS_init(&in, body, len);
    assert_true(th_parse_client_key_exchange_rsa(&in, &cke, &alert));
    assert_int_equal(cke.encrypted_pre_master_secret.len, 128); /* RSA-1024 */
    assert_ptr_equal(cke.encrypted_pre_master_secret.data, body + 2);
    th_expect_roundtrip(rsa_codec, body, len);
    th_expect_truncations_rejected(rsa_codec, body, len);
    th_expect_trailing_rejected(rsa_codec, body, len);
    th_expect_length_pm1_rejected(rsa_codec, body, len, 0, 2);
    free(msg);
}

/* RFC 5246 §7.4.7.1: SSLv3-style encoding without the two length bytes is
 * refused; the first two ciphertext bytes then read as a wrong length. */
static void test_cke_rsa_without_length_prefix_is_decode_error(void **state) {
    (void)state;
    const uint8_t *body;
    size_t len;
    uint8_t *msg = load("rsa12_client_client_key_exchange", &body, &len);
    th_expect_reject(rsa_codec, body + 2, len - 2, TH_ALERT_DECODE_ERROR);
    free(msg);
}

/* The codec leaves a ciphertext of the wrong size, even empty, to the engine,
 * which must not alert on it (RFC 5246 §7.4.7.1). */
static void test_cke_rsa_empty_ciphertext_is_left_to_the_engine(void **state) {
    (void)state;
    static const uint8_t kEmpty[] = {0x00, 0x00};
    th_expect_roundtrip(rsa_codec, kEmpty, sizeof(kEmpty));
    th_expect_truncations_rejected(rsa_codec, kEmpty, sizeof(kEmpty));
}

static void test_cke_rsa_write_from_scratch(void **state) {
    (void)state;
    const uint8_t *body;
    size_t len;
    uint8_t *msg = load("rsa12_client_client_key_exchange", &body, &len);
    th_client_key_exchange_rsa cke = {{body + 2, len - 2}};
    CBB cbb;
    uint8_t *out;
    size_t out_len;
    assert_true(CBB_init(&cbb, 0));
    assert_true(th_write_client_key_exchange_rsa(&cbb, &cke));
    assert_true(CBB_finish(&cbb, &out, &out_len));
    assert_int_equal(out_len, len);
    assert_memory_equal(out, body, len);
    OPENSSL_free(out);
    free(msg);
}

/* DHE: no BoringSSL vector (it has no DHE suites); a hand-built dh_Yc. */
static void test_cke_dhe_roundtrip_and_lengths(void **state) {
    (void)state;
    size_t len;
    uint8_t *b = th_test_hex("0003 0102ff", &len);
    th_client_key_exchange_dhe cke;
    uint8_t alert;
    CBS in;
    CBS_init(&in, b, len);
    assert_true(th_parse_client_key_exchange_dhe(&in, &cke, &alert));
    assert_int_equal(cke.dh_yc.len, 3);
    th_expect_roundtrip(dhe_codec, b, len);
    th_expect_truncations_rejected(dhe_codec, b, len);
    th_expect_trailing_rejected(dhe_codec, b, len);
    th_expect_length_pm1_rejected(dhe_codec, b, len, 0, 2);

    th_client_key_exchange_dhe built = {{b + 2, 3}};
    CBB cbb;
    uint8_t *out;
    size_t out_len;
    assert_true(CBB_init(&cbb, 0));
    assert_true(th_write_client_key_exchange_dhe(&cbb, &built));
    assert_true(CBB_finish(&cbb, &out, &out_len));
    assert_int_equal(out_len, len);
    assert_memory_equal(out, b, len);
    OPENSSL_free(out);
    free(b);
}

static void test_cke_dhe_empty_is_decode_error(void **state) {
    (void)state;
    static const uint8_t kEmptyYc[] = {0x00, 0x00};
    th_expect_reject(dhe_codec, kEmptyYc, 0, TH_ALERT_DECODE_ERROR); /* implicit form */
    th_expect_reject(dhe_codec, kEmptyYc, sizeof(kEmptyYc), TH_ALERT_DECODE_ERROR);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cke_ecdhe_p256_vector),
        cmocka_unit_test(test_cke_ecdhe_x25519_vector),
        cmocka_unit_test(test_cke_ecdhe_empty_body_is_decode_error),
        cmocka_unit_test(test_cke_ecdhe_empty_point_is_decode_error),
        cmocka_unit_test(test_cke_ecdhe_write_from_scratch),
        cmocka_unit_test(test_cke_rsa_vector),
        cmocka_unit_test(test_cke_rsa_without_length_prefix_is_decode_error),
        cmocka_unit_test(test_cke_rsa_empty_ciphertext_is_left_to_the_engine),
        cmocka_unit_test(test_cke_rsa_write_from_scratch),
        cmocka_unit_test(test_cke_dhe_roundtrip_and_lengths),
        cmocka_unit_test(test_cke_dhe_empty_is_decode_error),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
