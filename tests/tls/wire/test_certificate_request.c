#include <stdlib.h>
#include <string.h>

#include "certificate_request.h"
#include "testutil.h"

TH_CODEC_FN(cr_codec, th_certificate_request, th_parse_certificate_request,
            th_write_certificate_request, th_certificate_request_cleanup)

/* Empty context; signature_algorithms {rsa_pss_rsae_sha256,
 * ecdsa_secp256r1_sha256, ed25519} and signature_algorithms_cert {ed25519}. */
static const char kRequest[] = "00 0014"
                               "000d 0008 0006 0804 0403 0807"
                               "0032 0004 0002 0807";

static void test_cr_roundtrip_and_rejections(void **state) {
    (void)state;
    size_t len;
    uint8_t *b = th_test_hex(kRequest, &len), alert;
    th_certificate_request cr;
    CBS cbs;
    CBS_init(&cbs, b, len);
    assert_true(th_parse_certificate_request(&cbs, &cr, &alert));
    assert_int_equal(cr.certificate_request_context.len, 0);
    assert_int_equal(cr.extensions.num_exts, 2);
    assert_int_equal(cr.extensions.exts[0].type, TH_EXT_SIGNATURE_ALGORITHMS);
    assert_int_equal(cr.extensions.exts[1].type, TH_EXT_SIGNATURE_ALGORITHMS_CERT);
    th_certificate_request_cleanup(&cr);
    assert_null(cr.extensions.exts);
    th_certificate_request_cleanup(NULL);
    th_expect_roundtrip(cr_codec, b, len);
    th_expect_truncations_rejected(cr_codec, b, len);
    th_expect_trailing_rejected(cr_codec, b, len);
    /* Context, extensions block, signature_algorithms, signature_algorithms_cert. */
    th_expect_length_pm1_rejected(cr_codec, b, len, 0, 1);
    th_expect_length_pm1_rejected(cr_codec, b, len, 1, 2);
    th_expect_length_pm1_rejected(cr_codec, b, len, 5, 2);
    th_expect_length_pm1_rejected(cr_codec, b, len, 17, 2);
    free(b);
}

static void test_cr_post_handshake_context_roundtrips(void **state) {
    (void)state;
    size_t len;
    uint8_t *b = th_test_hex("08 0102030405060708 000a 000d 0006 0004 0804 0403", &len);
    th_expect_roundtrip(cr_codec, b, len);
    th_expect_truncations_rejected(cr_codec, b, len);
    th_expect_length_pm1_rejected(cr_codec, b, len, 0, 1);
    free(b);
}

static void test_cr_without_signature_algorithms_is_missing_extension(void **state) {
    (void)state;
    size_t len;
    uint8_t *b = th_test_hex("00 0008 0032 0004 0002 0807", &len);
    th_expect_reject(cr_codec, b, len, TH_ALERT_MISSING_EXTENSION);
    free(b);
}

static void test_cr_empty_extensions_is_decode_error(void **state) {
    (void)state;
    /* extensions<2..2^16-1>: the empty block is below the floor. */
    static const uint8_t kEmpty[] = {0x00, 0x00, 0x00};
    th_expect_reject(cr_codec, kEmpty, sizeof(kEmpty), TH_ALERT_DECODE_ERROR);
}

static void test_cr_key_share_is_illegal_parameter(void **state) {
    (void)state;
    size_t len;
    uint8_t *b = th_test_hex("00 000e 000d 0004 0002 0804 0033 0002 0017", &len);
    th_expect_reject(cr_codec, b, len, TH_ALERT_ILLEGAL_PARAMETER);
    free(b);
}

static void test_cr_duplicate_extension_is_illegal_parameter(void **state) {
    (void)state;
    size_t len;
    uint8_t *b = th_test_hex("00 0010 000d 0004 0002 0804 000d 0004 0002 0403", &len);
    th_expect_reject(cr_codec, b, len, TH_ALERT_ILLEGAL_PARAMETER);
    free(b);
}

static void test_cr_unknown_extension_kept(void **state) {
    (void)state;
    size_t len;
    uint8_t *b = th_test_hex("00 000d 000d 0004 0002 0804 ea2a 0001 ff", &len);
    th_expect_roundtrip(cr_codec, b, len);
    free(b);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cr_roundtrip_and_rejections),
        cmocka_unit_test(test_cr_post_handshake_context_roundtrips),
        cmocka_unit_test(test_cr_without_signature_algorithms_is_missing_extension),
        cmocka_unit_test(test_cr_empty_extensions_is_decode_error),
        cmocka_unit_test(test_cr_key_share_is_illegal_parameter),
        cmocka_unit_test(test_cr_duplicate_extension_is_illegal_parameter),
        cmocka_unit_test(test_cr_unknown_extension_kept),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
