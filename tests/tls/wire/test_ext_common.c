#include <stdlib.h>
#include <string.h>

#include "ext_internal.h"
#include "testutil.h"

/* th_parse_u16_list leaves the bytes after the list in |in|; these wrappers
 * make it a whole-input codec for the shared checks. */
static int u16_list_codec(CBS *in, CBB *out, size_t prefix_len, uint8_t *out_alert) {
    uint16_t *values;
    size_t num;
    if (!th_parse_u16_list(in, prefix_len, &values, &num, out_alert)) {
        assert_null(values);
        return 0;
    }
    if (CBS_len(in) != 0) {
        free(values);
        *out_alert = TH_ALERT_DECODE_ERROR;
        return 0;
    }
    assert_true(th_write_u16_list(out, prefix_len, values, num));
    free(values);
    return 1;
}

static int u16_list_codec2(CBS *in, CBB *out, uint8_t *out_alert) {
    return u16_list_codec(in, out, 2, out_alert);
}

static int u16_list_codec1(CBS *in, CBB *out, uint8_t *out_alert) {
    return u16_list_codec(in, out, 1, out_alert);
}

/* A u16 list of u8-prefixed items of at least one byte. */
static int bytes_list_codec(CBS *in, CBB *out, uint8_t *out_alert) {
    CBS list;
    th_bytes *items;
    size_t num;
    if (!CBS_get_u16_length_prefixed(in, &list) || CBS_len(in) != 0) {
        *out_alert = TH_ALERT_DECODE_ERROR;
        return 0;
    }
    if (!th_ext_parse_bytes_list(list, 1, 1, &items, &num, out_alert)) {
        assert_null(items);
        return 0;
    }
    assert_true(th_ext_write_bytes_list(out, 2, 1, items, num));
    free(items);
    return 1;
}

static void test_u16_list_roundtrip_with_u16_prefix(void **state) {
    (void)state;
    size_t len;
    uint8_t *in = th_test_hex("0006 001d 0017 0a0a", &len);
    CBS cbs;
    uint16_t *values;
    size_t num;
    uint8_t alert;
    CBS_init(&cbs, in, len);
    assert_true(th_parse_u16_list(&cbs, 2, &values, &num, &alert));
    assert_int_equal(num, 3);
    assert_int_equal(values[0], TH_GROUP_X25519);
    assert_int_equal(values[1], TH_GROUP_SECP256R1);
    assert_int_equal(values[2], 0x0a0a);
    free(values);
    th_expect_roundtrip(u16_list_codec2, in, len);
    th_expect_truncations_rejected(u16_list_codec2, in, len);
    th_expect_trailing_rejected(u16_list_codec2, in, len);
    th_expect_length_pm1_rejected(u16_list_codec2, in, len, 0, 2);
    free(in);
}

static void test_u16_list_roundtrip_with_u8_prefix(void **state) {
    (void)state;
    size_t len;
    uint8_t *in = th_test_hex("04 0304 0303", &len);
    th_expect_roundtrip(u16_list_codec1, in, len);
    th_expect_truncations_rejected(u16_list_codec1, in, len);
    th_expect_length_pm1_rejected(u16_list_codec1, in, len, 0, 1);
    free(in);
}

static void test_u16_list_empty_is_decode_error(void **state) {
    (void)state;
    uint8_t empty2[] = {0, 0}, empty1[] = {0};
    th_expect_reject(u16_list_codec2, empty2, sizeof(empty2), TH_ALERT_DECODE_ERROR);
    th_expect_reject(u16_list_codec1, empty1, sizeof(empty1), TH_ALERT_DECODE_ERROR);
}

static void test_u16_list_odd_length_is_decode_error(void **state) {
    (void)state;
    uint8_t odd2[] = {0, 3, 0, 0x1d, 0}, odd1[] = {1, 3};
    th_expect_reject(u16_list_codec2, odd2, sizeof(odd2), TH_ALERT_DECODE_ERROR);
    th_expect_reject(u16_list_codec1, odd1, sizeof(odd1), TH_ALERT_DECODE_ERROR);
}

static void test_u16_list_leaves_following_bytes(void **state) {
    (void)state;
    uint8_t in[] = {0, 2, 0x13, 0x01, 0x01, 0x00};
    CBS cbs;
    uint16_t *values;
    size_t num;
    uint8_t alert;
    CBS_init(&cbs, in, sizeof(in));
    assert_true(th_parse_u16_list(&cbs, 2, &values, &num, &alert));
    assert_int_equal(num, 1);
    assert_int_equal(values[0], 0x1301);
    assert_int_equal(CBS_len(&cbs), 2);
    free(values);
}

static void test_u16_list_many_values_grow(void **state) {
    (void)state;
    /* 1000 values exercise th_array_grow past several doublings. */
    uint8_t in[2 + 2000];
    in[0] = 2000 >> 8;
    in[1] = 2000 & 0xff;
    for (size_t i = 0; i < 1000; i++) {
        in[2 + 2 * i] = (uint8_t)(i >> 8);
        in[3 + 2 * i] = (uint8_t)i;
    }
    th_expect_roundtrip(u16_list_codec2, in, sizeof(in));
}

static void test_u16_list_writer_fails_when_prefix_overflows(void **state) {
    (void)state;
    uint16_t values[128] = {0};
    CBB cbb;
    assert_true(CBB_init(&cbb, 0));
    /* 256 bytes do not fit a u8 prefix. */
    assert_false(th_write_u16_list(&cbb, 1, values, 128));
    CBB_cleanup(&cbb);
    assert_true(CBB_init(&cbb, 0));
    assert_true(th_write_u16_list(&cbb, 1, values, 127));
    CBB_cleanup(&cbb);
}

static void test_bytes_list_roundtrip(void **state) {
    (void)state;
    size_t len;
    uint8_t *in = th_test_hex("0007 02 6832 03 616263", &len);
    th_expect_roundtrip(bytes_list_codec, in, len);
    th_expect_truncations_rejected(bytes_list_codec, in, len);
    th_expect_trailing_rejected(bytes_list_codec, in, len);
    th_expect_length_pm1_rejected(bytes_list_codec, in, len, 0, 2);
    th_expect_length_pm1_rejected(bytes_list_codec, in, len, 2, 1);
    th_expect_length_pm1_rejected(bytes_list_codec, in, len, 5, 1);
    free(in);
    /* The empty list is the caller's to refuse. */
    uint8_t empty[] = {0, 0};
    th_expect_roundtrip(bytes_list_codec, empty, sizeof(empty));
}

static void test_bytes_list_short_item_is_decode_error(void **state) {
    (void)state;
    uint8_t in[] = {0, 3, 1, 0x61, 0};
    th_expect_reject(bytes_list_codec, in, sizeof(in), TH_ALERT_DECODE_ERROR);
}

static void test_prefix_helpers_refuse_bad_widths(void **state) {
    (void)state;
    uint8_t in[] = {0, 0, 0, 0};
    CBS cbs, out;
    CBB cbb, child;
    CBS_init(&cbs, in, sizeof(in));
    assert_false(th_ext_get_prefixed(&cbs, 4, &out));
    assert_true(th_ext_get_prefixed(&cbs, 3, &out));
    assert_int_equal(CBS_len(&out), 0);
    assert_true(CBB_init(&cbb, 0));
    assert_false(th_ext_add_prefixed(&cbb, 0, &child));
    CBB_cleanup(&cbb);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_u16_list_roundtrip_with_u16_prefix),
        cmocka_unit_test(test_u16_list_roundtrip_with_u8_prefix),
        cmocka_unit_test(test_u16_list_empty_is_decode_error),
        cmocka_unit_test(test_u16_list_odd_length_is_decode_error),
        cmocka_unit_test(test_u16_list_leaves_following_bytes),
        cmocka_unit_test(test_u16_list_many_values_grow),
        cmocka_unit_test(test_u16_list_writer_fails_when_prefix_overflows),
        cmocka_unit_test(test_bytes_list_roundtrip),
        cmocka_unit_test(test_bytes_list_short_item_is_decode_error),
        cmocka_unit_test(test_prefix_helpers_refuse_bad_widths),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
