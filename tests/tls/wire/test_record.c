#include <stdlib.h>
#include <string.h>

#include "record.h"
#include "testutil.h"

/* th_parse_record reads a record off a stream; these wrappers make it a whole-
 * input codec for the shared checks. */
static int record_codec(CBS *in, CBB *out, uint8_t *out_alert) {
    th_record r;
    if (!th_parse_record(in, &r, out_alert)) {
        return 0;
    }
    if (CBS_len(in) != 0) {
        *out_alert = TH_ALERT_DECODE_ERROR;
        return 0;
    }
    assert_true(th_write_record(out, &r));
    return 1;
}
TH_CODEC_FN(inner_codec, th_inner_plaintext, th_parse_inner_plaintext, th_write_inner_plaintext,
            th_test_no_cleanup)
TH_CODEC_FN(alert_codec, th_alert, th_parse_alert, th_write_alert, th_test_no_cleanup)
TH_CODEC_FN(ccs_codec, th_ccs, th_parse_ccs, th_write_ccs, th_test_no_cleanup)

static void test_record_roundtrip_all_content_types(void **state) {
    (void)state;
    /* Known and unknown types alike are kept. */
    for (unsigned type = 0; type < 256; type++) {
        uint8_t rec[8] = {(uint8_t)type, 0x03, 0x03, 0x00, 0x03, 0xaa, 0xbb, 0xcc};
        th_expect_roundtrip(record_codec, rec, sizeof(rec));
    }
}

static void test_record_truncation_and_length(void **state) {
    (void)state;
    size_t len;
    uint8_t *rec = th_test_hex("16 0301 0005 0100000100", &len);
    th_expect_roundtrip(record_codec, rec, len);
    th_expect_truncations_rejected(record_codec, rec, len);
    th_expect_trailing_rejected(record_codec, rec, len);
    th_expect_length_pm1_rejected(record_codec, rec, len, 3, 2);
    free(rec);
}

static void test_record_stream_takes_one_record(void **state) {
    (void)state;
    size_t len;
    uint8_t *two = th_test_hex("16030300020102 1503030002022f", &len);
    CBS in;
    th_record r;
    uint8_t alert;
    CBS_init(&in, two, len);
    assert_true(th_record_complete(&in));
    assert_true(th_parse_record(&in, &r, &alert));
    assert_int_equal(r.type, TH_CT_HANDSHAKE);
    assert_int_equal(r.fragment.len, 2);
    assert_int_equal(CBS_len(&in), 7);
    assert_true(th_parse_record(&in, &r, &alert));
    assert_int_equal(r.type, TH_CT_ALERT);
    assert_int_equal(CBS_len(&in), 0);
    assert_false(th_record_complete(&in));
    free(two);
}

static void test_record_overflow_is_record_overflow(void **state) {
    (void)state;
    size_t n = TH_RECORD_HEADER_LEN + TH_MAX_CIPHERTEXT_12 + 1;
    uint8_t *rec = calloc(1, n);
    rec[0] = TH_CT_APPLICATION_DATA;
    rec[1] = 3;
    rec[2] = 3;
    rec[3] = (uint8_t)((TH_MAX_CIPHERTEXT_12 + 1) >> 8);
    rec[4] = (uint8_t)(TH_MAX_CIPHERTEXT_12 + 1);
    th_expect_reject(record_codec, rec, n, TH_ALERT_RECORD_OVERFLOW);
    /* The largest allowed length is accepted. */
    rec[3] = (uint8_t)(TH_MAX_CIPHERTEXT_12 >> 8);
    rec[4] = (uint8_t)TH_MAX_CIPHERTEXT_12;
    th_expect_roundtrip(record_codec, rec, n - 1);
    free(rec);
}

static void test_inner_plaintext_padding(void **state) {
    (void)state;
    size_t len;
    uint8_t *p = th_test_hex("68656c6c6f 17 000000", &len);
    CBS in;
    th_inner_plaintext ip;
    uint8_t alert;
    CBS_init(&in, p, len);
    assert_true(th_parse_inner_plaintext(&in, &ip, &alert));
    assert_int_equal(ip.type, TH_CT_APPLICATION_DATA);
    assert_int_equal(ip.content.len, 5);
    assert_int_equal(ip.padding_len, 3);
    th_expect_roundtrip(inner_codec, p, len);
    free(p);
    /* Content that itself ends in zeros before the type byte is kept. */
    p = th_test_hex("0000 16", &len);
    th_expect_roundtrip(inner_codec, p, len);
    free(p);
}

static void test_inner_plaintext_all_zero_is_unexpected_message(void **state) {
    (void)state;
    uint8_t zeros[16] = {0};
    th_expect_reject(inner_codec, zeros, sizeof(zeros), TH_ALERT_UNEXPECTED_MESSAGE);
    th_expect_reject(inner_codec, zeros, 0, TH_ALERT_UNEXPECTED_MESSAGE);
}

static void test_alert_parse(void **state) {
    (void)state;
    uint8_t a[] = {2, 40};
    th_expect_roundtrip(alert_codec, a, 2);
    th_expect_truncations_rejected(alert_codec, a, 2);
    th_expect_trailing_rejected(alert_codec, a, 2);
    uint8_t unknown_desc[] = {2, 250};
    th_expect_roundtrip(alert_codec, unknown_desc, 2);
}

static void test_alert_bad_level_is_illegal_parameter(void **state) {
    (void)state;
    uint8_t a[] = {3, 0};
    th_expect_reject(alert_codec, a, 2, TH_ALERT_ILLEGAL_PARAMETER);
    a[0] = 0;
    th_expect_reject(alert_codec, a, 2, TH_ALERT_ILLEGAL_PARAMETER);
}

static void test_ccs(void **state) {
    (void)state;
    uint8_t one[] = {1, 1};
    th_expect_roundtrip(ccs_codec, one, 1);
    th_expect_reject(ccs_codec, one, 0, TH_ALERT_UNEXPECTED_MESSAGE);
    th_expect_reject(ccs_codec, one, 2, TH_ALERT_UNEXPECTED_MESSAGE);
    uint8_t two[] = {2};
    th_expect_reject(ccs_codec, two, 1, TH_ALERT_UNEXPECTED_MESSAGE);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_record_roundtrip_all_content_types),
        cmocka_unit_test(test_record_truncation_and_length),
        cmocka_unit_test(test_record_stream_takes_one_record),
        cmocka_unit_test(test_record_overflow_is_record_overflow),
        cmocka_unit_test(test_inner_plaintext_padding),
        cmocka_unit_test(test_inner_plaintext_all_zero_is_unexpected_message),
        cmocka_unit_test(test_alert_parse),
        cmocka_unit_test(test_alert_bad_level_is_illegal_parameter),
        cmocka_unit_test(test_ccs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
