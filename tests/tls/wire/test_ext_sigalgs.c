#include <stdlib.h>
#include <string.h>

#include "ext_test_vectors.h"
#include "ext_types.h"
#include "testutil.h"

TH_CODEC_FN(sigalgs_codec, th_ext_signature_algorithms, th_parse_ext_signature_algorithms,
            th_write_ext_signature_algorithms, th_ext_signature_algorithms_cleanup)
TH_CODEC_FN(sigalgs_cert_codec, th_ext_signature_algorithms_cert,
            th_parse_ext_signature_algorithms_cert, th_write_ext_signature_algorithms_cert,
            th_ext_signature_algorithms_cert_cleanup)
TH_CODEC_FN(ca_codec, th_ext_certificate_authorities, th_parse_ext_certificate_authorities,
            th_write_ext_certificate_authorities, th_ext_certificate_authorities_cleanup)

/* Two DER names (shortened to a few bytes: the codec does not read the DER). */
#define CA_TWO "000b 0003 300131 0004 30020500"

static void test_sigalgs_vector_roundtrip(void **state) {
    (void)state;
    ext_test_vector_roundtrip(sigalgs_codec, EXT_SIMPLE, "client_hello",
                              TH_EXT_SIGNATURE_ALGORITHMS);
    ext_test_vector_roundtrip(sigalgs_codec, EXT_RESUMED, "client_hello",
                              TH_EXT_SIGNATURE_ALGORITHMS);
}

static void test_sigalgs_vector_fields(void **state) {
    (void)state;
    th_ext_block block;
    uint8_t *msg = ext_test_block(EXT_SIMPLE, "client_hello", &block);
    th_bytes body = ext_test_body(&block, TH_EXT_SIGNATURE_ALGORITHMS);
    th_ext_signature_algorithms sa;
    uint8_t alert;
    CBS cbs;
    CBS_init(&cbs, body.data, body.len);
    assert_true(th_parse_ext_signature_algorithms(&cbs, &sa, &alert));
    assert_int_equal(sa.num_sig_algs, 15);
    assert_int_equal(sa.sig_algs[0], TH_SIG_ECDSA_SECP256R1_SHA256);
    assert_int_equal(sa.sig_algs[3], TH_SIG_ECDSA_SHA1);
    assert_int_equal(sa.sig_algs[14], 0x0202);
    th_ext_signature_algorithms_cleanup(&sa);
    assert_null(sa.sig_algs);
    th_ext_block_cleanup(&block);
    free(msg);
}

static void test_sigalgs_length_pm1_rejected(void **state) {
    (void)state;
    ext_test_hex_length_pm1(sigalgs_codec, "0004 0403 0804", 0, 2);
    ext_test_hex_length_pm1(sigalgs_cert_codec, "0004 0403 0804", 0, 2);
}

static void test_sigalgs_empty_is_decode_error(void **state) {
    (void)state;
    ext_test_hex_reject(sigalgs_codec, "0000", TH_ALERT_DECODE_ERROR);
    ext_test_hex_reject(sigalgs_cert_codec, "0000", TH_ALERT_DECODE_ERROR);
}

static void test_sigalgs_odd_is_decode_error(void **state) {
    (void)state;
    ext_test_hex_reject(sigalgs_codec, "0003 0403 08", TH_ALERT_DECODE_ERROR);
    ext_test_hex_reject(sigalgs_cert_codec, "0001 04", TH_ALERT_DECODE_ERROR);
}

static void test_sigalgs_cert_roundtrip(void **state) {
    (void)state;
    ext_test_hex_roundtrip(sigalgs_cert_codec, "0006 0403 0804 0401");
    /* GREASE and unknown schemes are kept for the engine to skip. */
    ext_test_hex_roundtrip(sigalgs_codec, "0006 1a1a 0403 fe00");
}

static void test_sigalgs_build_from_struct(void **state) {
    (void)state;
    uint16_t schemes[] = {TH_SIG_ED25519, TH_SIG_RSA_PSS_RSAE_SHA256};
    th_ext_signature_algorithms sa = {schemes, 2};
    EXT_EXPECT_WRITE(th_write_ext_signature_algorithms, &sa, "0004 0807 0804");
    EXT_EXPECT_WRITE(th_write_ext_signature_algorithms_cert, &sa, "0004 0807 0804");
    th_ext_signature_algorithms_cleanup(NULL);
    th_ext_signature_algorithms_cert_cleanup(NULL);
}

static void test_ca_roundtrip(void **state) {
    (void)state;
    ext_test_hex_roundtrip(ca_codec, CA_TWO);
    ext_test_hex_roundtrip(ca_codec, "0003 0001 30");
    th_ext_certificate_authorities ca;
    uint8_t *buf;
    EXT_PARSE_HEX(th_parse_ext_certificate_authorities, CA_TWO, &ca, &buf);
    assert_int_equal(ca.num_authorities, 2);
    assert_int_equal(ca.authorities[0].len, 3);
    assert_int_equal(ca.authorities[1].len, 4);
    th_ext_certificate_authorities_cleanup(&ca);
    assert_null(ca.authorities);
    th_ext_certificate_authorities_cleanup(NULL);
    free(buf);
}

static void test_ca_lengths_pm1_rejected(void **state) {
    (void)state;
    ext_test_hex_length_pm1(ca_codec, CA_TWO, 0, 2);
    ext_test_hex_length_pm1(ca_codec, CA_TWO, 2, 2);
    ext_test_hex_length_pm1(ca_codec, CA_TWO, 7, 2);
}

static void test_ca_empty_list_is_decode_error(void **state) {
    (void)state;
    ext_test_hex_reject(ca_codec, "0000", TH_ALERT_DECODE_ERROR);
}

static void test_ca_empty_name_is_decode_error(void **state) {
    (void)state;
    ext_test_hex_reject(ca_codec, "0002 0000", TH_ALERT_DECODE_ERROR);
    ext_test_hex_reject(ca_codec, "0005 0001 30 0000", TH_ALERT_DECODE_ERROR);
}

static void test_ca_build_from_struct(void **state) {
    (void)state;
    static const uint8_t dn[] = {0x30, 0x00};
    th_bytes names[] = {{dn, 2}};
    th_ext_certificate_authorities ca = {names, 1};
    EXT_EXPECT_WRITE(th_write_ext_certificate_authorities, &ca, "0004 0002 3000");
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sigalgs_vector_roundtrip),
        cmocka_unit_test(test_sigalgs_vector_fields),
        cmocka_unit_test(test_sigalgs_length_pm1_rejected),
        cmocka_unit_test(test_sigalgs_empty_is_decode_error),
        cmocka_unit_test(test_sigalgs_odd_is_decode_error),
        cmocka_unit_test(test_sigalgs_cert_roundtrip),
        cmocka_unit_test(test_sigalgs_build_from_struct),
        cmocka_unit_test(test_ca_roundtrip),
        cmocka_unit_test(test_ca_lengths_pm1_rejected),
        cmocka_unit_test(test_ca_empty_list_is_decode_error),
        cmocka_unit_test(test_ca_empty_name_is_decode_error),
        cmocka_unit_test(test_ca_build_from_struct),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
