#include <openssl/mem.h>

#include "key_update.h"
#include "testutil.h"

TH_CODEC_FN(ku_codec, th_key_update, th_parse_key_update, th_write_key_update, th_test_no_cleanup)

static void test_ku_both_values_roundtrip(void **state) {
    (void)state;
    static const uint8_t kNot[] = {TH_KEY_UPDATE_NOT_REQUESTED}, kReq[] = {TH_KEY_UPDATE_REQUESTED};
    th_key_update ku;
    uint8_t alert;
    CBS cbs;
    th_expect_roundtrip(ku_codec, kNot, 1);
    th_expect_roundtrip(ku_codec, kReq, 1);
    CBS_init(&cbs, kReq, 1);
    assert_true(th_parse_key_update(&cbs, &ku, &alert));
    assert_int_equal(ku.request_update, TH_KEY_UPDATE_REQUESTED);
    th_expect_truncations_rejected(ku_codec, kReq, 1);
    th_expect_trailing_rejected(ku_codec, kReq, 1);
}

static void test_ku_2_is_illegal_parameter(void **state) {
    (void)state;
    for (unsigned v = 2; v < 256; v++) {
        uint8_t b[1] = {(uint8_t)v};
        th_expect_reject(ku_codec, b, 1, TH_ALERT_ILLEGAL_PARAMETER);
    }
}

static void test_ku_writer_sends_any_value(void **state) {
    (void)state;
    /* Scenarios send bad values on purpose. */
    th_key_update ku = {2};
    CBB cbb;
    uint8_t *out;
    size_t out_len;
    assert_true(CBB_init(&cbb, 1));
    assert_true(th_write_key_update(&cbb, &ku));
    assert_true(CBB_finish(&cbb, &out, &out_len));
    assert_int_equal(out_len, 1);
    assert_int_equal(out[0], 2);
    OPENSSL_free(out);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ku_both_values_roundtrip),
        cmocka_unit_test(test_ku_2_is_illegal_parameter),
        cmocka_unit_test(test_ku_writer_sends_any_value),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
