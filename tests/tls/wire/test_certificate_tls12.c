#include <stdlib.h>
#include <string.h>

#include <openssl/mem.h>

#include "certificate_tls12.h"
#include "testutil.h"

static const char kVec[] = "tls12-boringssl.txt";

TH_CODEC_FN(cert_codec, th_certificate_tls12, th_parse_certificate_tls12,
            th_write_certificate_tls12, th_certificate_tls12_cleanup)

static uint8_t *load(const char *name, const uint8_t **body, size_t *len) {
    uint8_t *msg = th_test_vector_body(kVec, name, body, len);
    assert_int_equal(msg[0], TH_HS_CERTIFICATE);
    return msg;
}

static void check_vector(const char *name, size_t cert_len) {
    const uint8_t *body;
    size_t len;
    uint8_t *msg = load(name, &body, &len);
    th_certificate_tls12 c;
    uint8_t alert;
    CBS in;
    CBS_init(&in, body, len);
    assert_true(th_parse_certificate_tls12(&in, &c, &alert));
    assert_int_equal(c.num_certs, 1);
    assert_int_equal(c.certs[0].len, cert_len);
    assert_ptr_equal(c.certs[0].data, body + 6);
    assert_int_equal(c.certs[0].data[0], 0x30); /* DER SEQUENCE */
    th_certificate_tls12_cleanup(&c);

    th_expect_roundtrip(cert_codec, body, len);
    th_expect_truncations_rejected(cert_codec, body, len);
    th_expect_trailing_rejected(cert_codec, body, len);
    th_expect_length_pm1_rejected(cert_codec, body, len, 0, 3);
    th_expect_length_pm1_rejected(cert_codec, body, len, 3, 3);
    free(msg);
}

static void test_certificate_tls12_ecdsa_vector(void **state) {
    (void)state;
    check_vector("ecdhe_ecdsa12_server_certificate", 0x11b);
}

static void test_certificate_tls12_rsa_vector(void **state) {
    (void)state;
    check_vector("ecdhe_rsa12_server_certificate", 0x1a4);
}

static void test_certificate_tls12_client_vector(void **state) {
    (void)state;
    check_vector("ecdhe_ecdsa11_client_certificate", 0x11d);
}

/* A two-certificate chain made of the server and client certificates of the
 * ecdhe_ecdsa12 handshake. */
static uint8_t *two_cert_chain(size_t *out_len, size_t *out_second_offset) {
    const uint8_t *b1, *b2;
    size_t l1, l2;
    uint8_t *m1 = load("ecdhe_ecdsa12_server_certificate", &b1, &l1);
    uint8_t *m2 = load("ecdhe_ecdsa11_client_certificate", &b2, &l2);
    CBB cbb, list;
    uint8_t *out;
    assert_true(CBB_init(&cbb, 0));
    assert_true(CBB_add_u24_length_prefixed(&cbb, &list));
    assert_true(CBB_add_bytes(&list, b1 + 3, l1 - 3));
    assert_true(CBB_add_bytes(&list, b2 + 3, l2 - 3));
    assert_true(CBB_finish(&cbb, &out, out_len));
    *out_second_offset = l1; /* 3 (list length) + l1 - 3 */
    free(m1);
    free(m2);
    return out;
}

static void test_certificate_tls12_chain_of_two(void **state) {
    (void)state;
    size_t len, second;
    uint8_t *chain = two_cert_chain(&len, &second);
    th_certificate_tls12 c;
    uint8_t alert;
    CBS in;
    CBS_init(&in, chain, len);
    assert_true(th_parse_certificate_tls12(&in, &c, &alert));
    assert_int_equal(c.num_certs, 2);
    assert_ptr_equal(c.certs[1].data, chain + second + 3);
    th_certificate_tls12_cleanup(&c);
    assert_null(c.certs);
    assert_int_equal(c.num_certs, 0);

    th_expect_roundtrip(cert_codec, chain, len);
    th_expect_truncations_rejected(cert_codec, chain, len);
    th_expect_trailing_rejected(cert_codec, chain, len);
    th_expect_length_pm1_rejected(cert_codec, chain, len, 0, 3);
    th_expect_length_pm1_rejected(cert_codec, chain, len, 3, 3);
    th_expect_length_pm1_rejected(cert_codec, chain, len, second, 3);
    OPENSSL_free(chain);
}

static void test_certificate_tls12_empty_list_accepted(void **state) {
    (void)state;
    static const uint8_t kEmptyList[] = {0, 0, 0};
    th_certificate_tls12 c;
    uint8_t alert;
    CBS in;
    CBS_init(&in, kEmptyList, sizeof(kEmptyList));
    assert_true(th_parse_certificate_tls12(&in, &c, &alert));
    assert_int_equal(c.num_certs, 0);
    th_certificate_tls12_cleanup(&c);
    th_expect_roundtrip(cert_codec, kEmptyList, sizeof(kEmptyList));
    th_expect_truncations_rejected(cert_codec, kEmptyList, sizeof(kEmptyList));
}

static void test_certificate_tls12_empty_cert_is_decode_error(void **state) {
    (void)state;
    size_t len;
    uint8_t *b = th_test_hex("000003 000000", &len);
    th_expect_reject(cert_codec, b, len, TH_ALERT_DECODE_ERROR);
    free(b);
    /* Also after a good certificate: the parser must free what it built. */
    b = th_test_hex("000008 000002 3000 000000", &len);
    th_expect_reject(cert_codec, b, len, TH_ALERT_DECODE_ERROR);
    free(b);
}

static void test_certificate_tls12_write_from_scratch(void **state) {
    (void)state;
    const uint8_t *body;
    size_t len;
    uint8_t *msg = load("ecdhe_ecdsa12_server_certificate", &body, &len);
    th_certificate_tls12 c = {0};
    th_bytes cert = {body + 6, len - 6};
    CBB cbb;
    uint8_t *out;
    size_t out_len;
    assert_true(th_certificate_tls12_add(&c, cert));
    assert_true(CBB_init(&cbb, 0));
    assert_true(th_write_certificate_tls12(&cbb, &c));
    assert_true(CBB_finish(&cbb, &out, &out_len));
    assert_int_equal(out_len, len);
    assert_memory_equal(out, body, len);
    OPENSSL_free(out);
    th_certificate_tls12_cleanup(&c);
    free(msg);
}

static void test_certificate_tls12_cleanup_accepts_null_and_zeroed(void **state) {
    (void)state;
    th_certificate_tls12 c;
    memset(&c, 0, sizeof(c));
    th_certificate_tls12_cleanup(NULL);
    th_certificate_tls12_cleanup(&c);
    th_certificate_tls12_cleanup(&c);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_certificate_tls12_ecdsa_vector),
        cmocka_unit_test(test_certificate_tls12_rsa_vector),
        cmocka_unit_test(test_certificate_tls12_client_vector),
        cmocka_unit_test(test_certificate_tls12_chain_of_two),
        cmocka_unit_test(test_certificate_tls12_empty_list_accepted),
        cmocka_unit_test(test_certificate_tls12_empty_cert_is_decode_error),
        cmocka_unit_test(test_certificate_tls12_write_from_scratch),
        cmocka_unit_test(test_certificate_tls12_cleanup_accepts_null_and_zeroed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
