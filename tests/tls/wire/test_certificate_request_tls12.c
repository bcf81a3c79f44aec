#include <stdlib.h>
#include <string.h>

#include <openssl/mem.h>

#include "certificate_request_tls12.h"
#include "testutil.h"

static const char kVec[] = "tls12-boringssl.txt";

TH_CODEC_FN(cr12_codec, th_certificate_request_tls12, th_parse_certificate_request_tls12,
            th_write_certificate_request_tls12, th_certificate_request_tls12_cleanup)
TH_CODEC_FN(cr10_codec, th_certificate_request_tls12, th_parse_certificate_request_tls10,
            th_write_certificate_request_tls12, th_certificate_request_tls12_cleanup)

static uint8_t *load(const char *name, const uint8_t **body, size_t *len) {
    uint8_t *msg = th_test_vector_body(kVec, name, body, len);
    assert_int_equal(msg[0], TH_HS_CERTIFICATE_REQUEST);
    return msg;
}

/* The CA name BoringSSL sent: the DER Name of "CN=client.test". */
static const char kClientDn[] = "30163114301206035504030c0b636c69656e742e74657374";

static const uint16_t kBoringSigAlgs[] = {
    TH_SIG_ECDSA_SECP256R1_SHA256, TH_SIG_RSA_PSS_RSAE_SHA256, TH_SIG_RSA_PKCS1_SHA256,
    TH_SIG_ECDSA_SECP384R1_SHA384, TH_SIG_RSA_PSS_RSAE_SHA384, TH_SIG_RSA_PKCS1_SHA384,
    TH_SIG_RSA_PSS_RSAE_SHA512,    TH_SIG_RSA_PKCS1_SHA512,    TH_SIG_RSA_PKCS1_SHA1,
};
#define NUM_BORING_SIG_ALGS (sizeof(kBoringSigAlgs) / sizeof(kBoringSigAlgs[0]))

static void check_ca(const th_certificate_request_tls12 *cr) {
    size_t dn_len;
    uint8_t *dn = th_test_hex(kClientDn, &dn_len);
    assert_int_equal(cr->num_cas, 1);
    assert_int_equal(cr->cas[0].len, dn_len);
    assert_memory_equal(cr->cas[0].data, dn, dn_len);
    free(dn);
}

static void test_cr12_vector(void **state) {
    (void)state;
    const uint8_t *body;
    size_t len;
    uint8_t *msg = load("ecdhe_ecdsa12_server_certificate_request", &body, &len);
    th_certificate_request_tls12 cr;
    uint8_t alert;
    CBS in;
    CBS_init(&in, body, len);
    assert_true(th_parse_certificate_request_tls12(&in, &cr, &alert));
    assert_int_equal(cr.certificate_types.len, 2);
    assert_int_equal(cr.certificate_types.data[0], TH_CLIENT_CERT_TYPE_RSA_SIGN);
    assert_int_equal(cr.certificate_types.data[1], TH_CLIENT_CERT_TYPE_ECDSA_SIGN);
    assert_true(cr.has_sig_algs);
    assert_int_equal(cr.num_sig_algs, NUM_BORING_SIG_ALGS);
    for (size_t i = 0; i < NUM_BORING_SIG_ALGS; i++) {
        assert_int_equal(cr.sig_algs[i], kBoringSigAlgs[i]);
    }
    check_ca(&cr);
    th_certificate_request_tls12_cleanup(&cr);

    th_expect_roundtrip(cr12_codec, body, len);
    th_expect_truncations_rejected(cr12_codec, body, len);
    th_expect_trailing_rejected(cr12_codec, body, len);
    th_expect_length_pm1_rejected(cr12_codec, body, len, 0, 1);  /* certificate_types */
    th_expect_length_pm1_rejected(cr12_codec, body, len, 3, 2);  /* signature algorithms */
    th_expect_length_pm1_rejected(cr12_codec, body, len, 23, 2); /* certificate_authorities */
    th_expect_length_pm1_rejected(cr12_codec, body, len, 25, 2); /* DistinguishedName */
    free(msg);
}

static void test_cr10_vector(void **state) {
    (void)state;
    const uint8_t *body;
    size_t len;
    uint8_t *msg = load("ecdhe_ecdsa11_server_certificate_request", &body, &len);
    th_certificate_request_tls12 cr;
    uint8_t alert;
    CBS in;
    CBS_init(&in, body, len);
    assert_true(th_parse_certificate_request_tls10(&in, &cr, &alert));
    assert_int_equal(cr.certificate_types.len, 2);
    assert_false(cr.has_sig_algs);
    assert_int_equal(cr.num_sig_algs, 0);
    check_ca(&cr);
    th_certificate_request_tls12_cleanup(&cr);

    th_expect_roundtrip(cr10_codec, body, len);
    th_expect_truncations_rejected(cr10_codec, body, len);
    th_expect_trailing_rejected(cr10_codec, body, len);
    th_expect_length_pm1_rejected(cr10_codec, body, len, 0, 1);
    th_expect_length_pm1_rejected(cr10_codec, body, len, 3, 2);
    th_expect_length_pm1_rejected(cr10_codec, body, len, 5, 2);
    free(msg);
}

static void test_cr_forms_do_not_cross(void **state) {
    (void)state;
    const uint8_t *b12, *b10;
    size_t l12, l10;
    uint8_t *m12 = load("ecdhe_ecdsa12_server_certificate_request", &b12, &l12);
    uint8_t *m10 = load("ecdhe_ecdsa11_server_certificate_request", &b10, &l10);
    th_expect_reject(cr10_codec, b12, l12, TH_ALERT_DECODE_ERROR);
    th_expect_reject(cr12_codec, b10, l10, TH_ALERT_DECODE_ERROR);
    free(m12);
    free(m10);
}

static void test_cr_empty_ca_list_and_unknown_values_accepted(void **state) {
    (void)state;
    size_t len;
    /* Unknown certificate type 0xfe and signature algorithm 0x7a7a are kept. */
    uint8_t *b = th_test_hex("02 40fe 0004 04037a7a 0000", &len);
    th_certificate_request_tls12 cr;
    uint8_t alert;
    CBS in;
    CBS_init(&in, b, len);
    assert_true(th_parse_certificate_request_tls12(&in, &cr, &alert));
    assert_int_equal(cr.num_cas, 0);
    assert_int_equal(cr.num_sig_algs, 2);
    assert_int_equal(cr.sig_algs[1], 0x7a7a);
    th_certificate_request_tls12_cleanup(&cr);
    th_expect_roundtrip(cr12_codec, b, len);
    free(b);
    /* The TLS 1.0 form with no CA names. */
    b = th_test_hex("01 40 0000", &len);
    th_expect_roundtrip(cr10_codec, b, len);
    free(b);
}

static void test_cr_empty_certificate_types_is_decode_error(void **state) {
    (void)state;
    size_t len;
    uint8_t *b = th_test_hex("00 0002 0403 0000", &len);
    th_expect_reject(cr12_codec, b, len, TH_ALERT_DECODE_ERROR);
    free(b);
    b = th_test_hex("00 0000", &len);
    th_expect_reject(cr10_codec, b, len, TH_ALERT_DECODE_ERROR);
    free(b);
}

static void test_cr_empty_sig_algs_is_decode_error(void **state) {
    (void)state;
    size_t len;
    uint8_t *b = th_test_hex("01 40 0000 0000", &len);
    th_expect_reject(cr12_codec, b, len, TH_ALERT_DECODE_ERROR);
    free(b);
}

static void test_cr_odd_sig_algs_is_decode_error(void **state) {
    (void)state;
    size_t len;
    uint8_t *b = th_test_hex("01 40 0003 040308 0000", &len);
    th_expect_reject(cr12_codec, b, len, TH_ALERT_DECODE_ERROR);
    free(b);
}

static void test_cr_empty_distinguished_name_is_decode_error(void **state) {
    (void)state;
    size_t len;
    uint8_t *b = th_test_hex("01 40 0002 0403 0002 0000", &len);
    th_expect_reject(cr12_codec, b, len, TH_ALERT_DECODE_ERROR);
    free(b);
    /* After a good name, so the parser has something to free. */
    b = th_test_hex("01 40 0002 0403 0006 00023000 0000", &len);
    th_expect_reject(cr12_codec, b, len, TH_ALERT_DECODE_ERROR);
    free(b);
    b = th_test_hex("01 40 0006 00023000 0000", &len);
    th_expect_reject(cr10_codec, b, len, TH_ALERT_DECODE_ERROR);
    free(b);
}

static void test_cr_write_from_scratch(void **state) {
    (void)state;
    const uint8_t *body;
    size_t len, dn_len;
    uint8_t *msg = load("ecdhe_ecdsa12_server_certificate_request", &body, &len);
    uint8_t *dn = th_test_hex(kClientDn, &dn_len);
    static const uint8_t kTypes[] = {TH_CLIENT_CERT_TYPE_RSA_SIGN, TH_CLIENT_CERT_TYPE_ECDSA_SIGN};
    th_certificate_request_tls12 cr = {0};
    th_bytes types = {kTypes, sizeof(kTypes)}, name = {dn, dn_len};
    CBB cbb;
    uint8_t *out;
    size_t out_len;
    cr.certificate_types = types;
    cr.has_sig_algs = 1;
    for (size_t i = 0; i < NUM_BORING_SIG_ALGS; i++) {
        assert_true(th_certificate_request_tls12_add_sig_alg(&cr, kBoringSigAlgs[i]));
    }
    assert_true(th_certificate_request_tls12_add_ca(&cr, name));
    assert_true(CBB_init(&cbb, 0));
    assert_true(th_write_certificate_request_tls12(&cbb, &cr));
    assert_true(CBB_finish(&cbb, &out, &out_len));
    assert_int_equal(out_len, len);
    assert_memory_equal(out, body, len);
    OPENSSL_free(out);
    th_certificate_request_tls12_cleanup(&cr);
    assert_null(cr.sig_algs);
    assert_null(cr.cas);
    free(dn);
    free(msg);
}

static void test_cr_cleanup_accepts_null_and_zeroed(void **state) {
    (void)state;
    th_certificate_request_tls12 cr;
    memset(&cr, 0, sizeof(cr));
    th_certificate_request_tls12_cleanup(NULL);
    th_certificate_request_tls12_cleanup(&cr);
    th_certificate_request_tls12_cleanup(&cr);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cr12_vector),
        cmocka_unit_test(test_cr10_vector),
        cmocka_unit_test(test_cr_forms_do_not_cross),
        cmocka_unit_test(test_cr_empty_ca_list_and_unknown_values_accepted),
        cmocka_unit_test(test_cr_empty_certificate_types_is_decode_error),
        cmocka_unit_test(test_cr_empty_sig_algs_is_decode_error),
        cmocka_unit_test(test_cr_odd_sig_algs_is_decode_error),
        cmocka_unit_test(test_cr_empty_distinguished_name_is_decode_error),
        cmocka_unit_test(test_cr_write_from_scratch),
        cmocka_unit_test(test_cr_cleanup_accepts_null_and_zeroed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
