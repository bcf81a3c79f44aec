#include <stdlib.h>
#include <string.h>

#include "certificate_verify.h"
#include "testutil.h"

static const char kVec[] = "rfc8448-simple-1rtt.txt";

TH_CODEC_FN(cv_codec, th_certificate_verify, th_parse_certificate_verify,
            th_write_certificate_verify, th_test_no_cleanup)

static void test_cv_rfc8448_fields_roundtrip_and_rejections(void **state) {
    (void)state;
    const uint8_t *body;
    size_t len;
    uint8_t *msg = th_test_vector_body(kVec, "certificate_verify", &body, &len), alert;
    th_certificate_verify cv;
    CBS cbs;
    CBS_init(&cbs, body, len);
    assert_true(th_parse_certificate_verify(&cbs, &cv, &alert));
    assert_int_equal(cv.algorithm, TH_SIG_RSA_PSS_RSAE_SHA256);
    assert_int_equal(cv.signature.len, 128);
    assert_ptr_equal(cv.signature.data, body + 4);
    th_expect_roundtrip(cv_codec, body, len);
    th_expect_truncations_rejected(cv_codec, body, len);
    th_expect_trailing_rejected(cv_codec, body, len);
    th_expect_length_pm1_rejected(cv_codec, body, len, 2, 2);
    free(msg);
}

static void test_cv_empty_signature_roundtrips(void **state) {
    (void)state;
    /* signature<0..2^16-1>: an empty one is well-formed; verifying it fails
     * in the engine (decrypt_error). */
    static const uint8_t kEmpty[] = {0x04, 0x03, 0x00, 0x00};
    th_expect_roundtrip(cv_codec, kEmpty, sizeof(kEmpty));
    th_expect_truncations_rejected(cv_codec, kEmpty, sizeof(kEmpty));
    th_expect_trailing_rejected(cv_codec, kEmpty, sizeof(kEmpty));
}

static void test_cv_tls12_and_unknown_algorithms_kept(void **state) {
    (void)state;
    /* TLS 1.2 DigitallySigned {sha256, rsa} reads as rsa_pkcs1_sha256; an
     * unknown or GREASE scheme is kept for the engine to refuse. */
    static const uint8_t kTls12[] = {0x04, 0x01, 0x00, 0x02, 0xab, 0xcd};
    static const uint8_t kGrease[] = {0x1a, 0x1a, 0x00, 0x01, 0x00};
    th_expect_roundtrip(cv_codec, kTls12, sizeof(kTls12));
    th_expect_roundtrip(cv_codec, kGrease, sizeof(kGrease));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cv_rfc8448_fields_roundtrip_and_rejections),
        cmocka_unit_test(test_cv_empty_signature_roundtrips),
        cmocka_unit_test(test_cv_tls12_and_unknown_algorithms_kept),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
