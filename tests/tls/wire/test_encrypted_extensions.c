#include <stdlib.h>
#include <string.h>

#include "encrypted_extensions.h"
#include "testutil.h"

static const char kVec[] = "rfc8448-simple-1rtt.txt";
static const char kResumed[] = "rfc8448-resumed-0rtt.txt";

TH_CODEC_FN(ee_codec, th_encrypted_extensions, th_parse_encrypted_extensions,
            th_write_encrypted_extensions, th_encrypted_extensions_cleanup)

static int parse(const uint8_t *b, size_t len, th_encrypted_extensions *ee, uint8_t *alert) {
    CBS cbs;
    CBS_init(&cbs, b, len);
    return th_parse_encrypted_extensions(&cbs, ee, alert);
}

static void expect_all_rejections(const uint8_t *b, size_t len, const size_t *offsets,
                                  size_t num_offsets) {
    th_expect_roundtrip(ee_codec, b, len);
    th_expect_truncations_rejected(ee_codec, b, len);
    th_expect_trailing_rejected(ee_codec, b, len);
    for (size_t i = 0; i < num_offsets; i++) {
        th_expect_length_pm1_rejected(ee_codec, b, len, offsets[i], 2);
    }
}

static void test_ee_rfc8448_roundtrip_and_rejections(void **state) {
    (void)state;
    /* The block, supported_groups, record_size_limit, server_name. */
    static const size_t kOffsets[] = {0, 4, 28, 34};
    const uint8_t *body;
    size_t len;
    uint8_t *msg = th_test_vector_body(kVec, "encrypted_extensions", &body, &len), alert;
    th_encrypted_extensions ee;
    assert_true(parse(body, len, &ee, &alert));
    assert_int_equal(ee.extensions.num_exts, 3);
    assert_int_equal(ee.extensions.exts[0].type, TH_EXT_SUPPORTED_GROUPS);
    assert_int_equal(ee.extensions.exts[1].type, TH_EXT_RECORD_SIZE_LIMIT);
    assert_int_equal(ee.extensions.exts[2].type, TH_EXT_SERVER_NAME);
    assert_int_equal(ee.extensions.exts[2].body.len, 0);
    th_encrypted_extensions_cleanup(&ee);
    assert_null(ee.extensions.exts);
    expect_all_rejections(body, len, kOffsets, 4);
    free(msg);
}

static void test_ee_resumed_with_early_data_roundtrip_and_rejections(void **state) {
    (void)state;
    static const size_t kOffsets[] = {0, 4, 28, 34, 38};
    const uint8_t *body;
    size_t len;
    uint8_t *msg = th_test_vector_body(kResumed, "encrypted_extensions", &body, &len), alert;
    th_encrypted_extensions ee;
    assert_true(parse(body, len, &ee, &alert));
    assert_int_equal(ee.extensions.num_exts, 4);
    assert_int_equal(ee.extensions.exts[3].type, TH_EXT_EARLY_DATA);
    th_encrypted_extensions_cleanup(&ee);
    expect_all_rejections(body, len, kOffsets, 5);
    free(msg);
}

static void test_ee_empty_roundtrips(void **state) {
    (void)state;
    static const uint8_t kEmpty[] = {0x00, 0x00};
    th_expect_roundtrip(ee_codec, kEmpty, 2);
    th_expect_truncations_rejected(ee_codec, kEmpty, 2);
    th_expect_trailing_rejected(ee_codec, kEmpty, 2);
}

static void test_ee_key_share_is_illegal_parameter(void **state) {
    (void)state;
    size_t len;
    uint8_t *b = th_test_hex("000a 0033 0006 0017 0002 0102", &len);
    th_expect_reject(ee_codec, b, len, TH_ALERT_ILLEGAL_PARAMETER);
    free(b);
}

/* BoringSSL checks EncryptedExtensions with tls1_check_duplicate_extensions:
 * decode_error. */
static void test_ee_duplicate_extension_is_decode_error(void **state) {
    (void)state;
    size_t len;
    uint8_t *b = th_test_hex("0008 0000 0000 0000 0000", &len);
    th_expect_reject(ee_codec, b, len, TH_ALERT_DECODE_ERROR);
    free(b);
}

static void test_ee_unknown_extension_kept(void **state) {
    (void)state;
    size_t len;
    uint8_t *b = th_test_hex("000b 0a0a 0001 00 fe00 0002 abcd", &len), alert;
    th_encrypted_extensions ee;
    assert_true(parse(b, len, &ee, &alert));
    assert_int_equal(ee.extensions.num_exts, 2);
    assert_int_equal(ee.extensions.exts[0].type, 0x0a0a);
    assert_int_equal(ee.extensions.exts[1].type, 0xfe00);
    th_encrypted_extensions_cleanup(&ee);
    th_encrypted_extensions_cleanup(NULL);
    th_expect_roundtrip(ee_codec, b, len);
    free(b);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ee_rfc8448_roundtrip_and_rejections),
        cmocka_unit_test(test_ee_resumed_with_early_data_roundtrip_and_rejections),
        cmocka_unit_test(test_ee_empty_roundtrips),
        cmocka_unit_test(test_ee_key_share_is_illegal_parameter),
        cmocka_unit_test(test_ee_duplicate_extension_is_decode_error),
        cmocka_unit_test(test_ee_unknown_extension_kept),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
