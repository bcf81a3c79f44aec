#include <stdlib.h>
#include <string.h>

#include "ext_test_vectors.h"
#include "ext_types.h"
#include "testutil.h"

TH_CODEC_FN(groups_codec, th_ext_supported_groups, th_parse_ext_supported_groups,
            th_write_ext_supported_groups, th_ext_supported_groups_cleanup)
TH_CODEC_FN(points_codec, th_ext_ec_point_formats, th_parse_ext_ec_point_formats,
            th_write_ext_ec_point_formats, th_test_no_cleanup)
TH_CODEC_FN(ks_ch_codec, th_ext_key_share_ch, th_parse_ext_key_share_ch, th_write_ext_key_share_ch,
            th_ext_key_share_ch_cleanup)
TH_CODEC_FN(ks_sh_codec, th_ext_key_share_sh, th_parse_ext_key_share_sh, th_write_ext_key_share_sh,
            th_test_no_cleanup)
TH_CODEC_FN(ks_hrr_codec, th_ext_key_share_hrr, th_parse_ext_key_share_hrr,
            th_write_ext_key_share_hrr, th_test_no_cleanup)

#define KEY32 "99381de560e4bd43d23d8e435a7dbafeb3c06e51c13cae4d5413691e529aaf2c"

static void test_groups_vector_roundtrip(void **state) {
    (void)state;
    ext_test_vector_roundtrip(groups_codec, EXT_SIMPLE, "client_hello", TH_EXT_SUPPORTED_GROUPS);
    ext_test_vector_roundtrip(groups_codec, EXT_RESUMED, "client_hello", TH_EXT_SUPPORTED_GROUPS);
    ext_test_vector_roundtrip(groups_codec, EXT_SIMPLE, "encrypted_extensions",
                              TH_EXT_SUPPORTED_GROUPS);
    ext_test_vector_roundtrip(groups_codec, EXT_RESUMED, "encrypted_extensions",
                              TH_EXT_SUPPORTED_GROUPS);
}

static void test_groups_vector_fields(void **state) {
    (void)state;
    th_ext_block block;
    uint8_t *msg = ext_test_block(EXT_SIMPLE, "client_hello", &block);
    th_bytes body = ext_test_body(&block, TH_EXT_SUPPORTED_GROUPS);
    th_ext_supported_groups groups;
    uint8_t alert;
    CBS cbs;
    CBS_init(&cbs, body.data, body.len);
    assert_true(th_parse_ext_supported_groups(&cbs, &groups, &alert));
    assert_int_equal(groups.num_groups, 9);
    assert_int_equal(groups.groups[0], TH_GROUP_X25519);
    assert_int_equal(groups.groups[1], TH_GROUP_SECP256R1);
    assert_int_equal(groups.groups[8], TH_GROUP_FFDHE8192);
    th_ext_supported_groups_cleanup(&groups);
    assert_null(groups.groups);
    th_ext_block_cleanup(&block);
    free(msg);
}

static void test_groups_length_pm1_rejected(void **state) {
    (void)state;
    ext_test_hex_length_pm1(groups_codec, "0004 001d 0017", 0, 2);
}

static void test_groups_empty_is_decode_error(void **state) {
    (void)state;
    ext_test_hex_reject(groups_codec, "0000", TH_ALERT_DECODE_ERROR);
}

static void test_groups_odd_is_decode_error(void **state) {
    (void)state;
    ext_test_hex_reject(groups_codec, "0003 001d00", TH_ALERT_DECODE_ERROR);
}

static void test_groups_trailing_is_decode_error(void **state) {
    (void)state;
    ext_test_hex_reject(groups_codec, "0002 001d 00", TH_ALERT_DECODE_ERROR);
}

static void test_groups_grease_kept(void **state) {
    (void)state;
    ext_test_hex_roundtrip(groups_codec, "0006 2a2a 001d 0017");
}

static void test_groups_build_from_struct(void **state) {
    (void)state;
    uint16_t values[] = {TH_GROUP_X25519, TH_GROUP_SECP384R1};
    th_ext_supported_groups groups = {values, 2};
    EXT_EXPECT_WRITE(th_write_ext_supported_groups, &groups, "0004 001d 0018");
    th_ext_supported_groups_cleanup(NULL);
}

static void test_points_roundtrip(void **state) {
    (void)state;
    /* RFC 4492 §5.1.2's two examples. */
    ext_test_hex_roundtrip(points_codec, "01 00");
    ext_test_hex_roundtrip(points_codec, "03 01 00 02");
    ext_test_hex_length_pm1(points_codec, "03 01 00 02", 0, 1);
    th_ext_ec_point_formats pf;
    uint8_t *buf;
    EXT_PARSE_HEX(th_parse_ext_ec_point_formats, "03 01 00 02", &pf, &buf);
    assert_int_equal(pf.formats.len, 3);
    assert_int_equal(pf.formats.data[0], 1);
    free(buf);
}

static void test_points_without_uncompressed_is_illegal_parameter(void **state) {
    (void)state;
    ext_test_hex_reject(points_codec, "02 01 02", TH_ALERT_ILLEGAL_PARAMETER);
}

static void test_points_empty_is_illegal_parameter(void **state) {
    (void)state;
    ext_test_hex_reject(points_codec, "00", TH_ALERT_ILLEGAL_PARAMETER);
}

static void test_points_build_from_struct(void **state) {
    (void)state;
    static const uint8_t formats[] = {TH_EC_POINT_UNCOMPRESSED};
    th_ext_ec_point_formats pf = {{formats, 1}};
    EXT_EXPECT_WRITE(th_write_ext_ec_point_formats, &pf, "01 00");
}

static void test_key_share_ch_vector_roundtrip(void **state) {
    (void)state;
    ext_test_vector_roundtrip(ks_ch_codec, EXT_SIMPLE, "client_hello", TH_EXT_KEY_SHARE);
    ext_test_vector_roundtrip(ks_ch_codec, EXT_RESUMED, "client_hello", TH_EXT_KEY_SHARE);
}

static void test_key_share_ch_vector_fields(void **state) {
    (void)state;
    th_ext_block block;
    uint8_t *msg = ext_test_block(EXT_SIMPLE, "client_hello", &block);
    th_bytes body = ext_test_body(&block, TH_EXT_KEY_SHARE);
    size_t key_len;
    uint8_t *key = th_test_vector(EXT_SIMPLE, "client_x25519_public", &key_len);
    th_ext_key_share_ch ks;
    uint8_t alert;
    CBS cbs;
    CBS_init(&cbs, body.data, body.len);
    assert_true(th_parse_ext_key_share_ch(&cbs, &ks, &alert));
    assert_int_equal(ks.num_shares, 1);
    const th_key_share_entry *x25519 = th_ext_key_share_ch_find(&ks, TH_GROUP_X25519);
    assert_non_null(x25519);
    assert_int_equal(x25519->key_exchange.len, key_len);
    assert_memory_equal(x25519->key_exchange.data, key, key_len);
    assert_null(th_ext_key_share_ch_find(&ks, TH_GROUP_SECP256R1));
    th_ext_key_share_ch_cleanup(&ks);
    free(key);
    th_ext_block_cleanup(&block);
    free(msg);
}

static void test_key_share_ch_lengths_pm1_rejected(void **state) {
    (void)state;
    const char *two = "000e 001d 0002 abcd 0017 0004 01020304";
    ext_test_hex_roundtrip(ks_ch_codec, two);
    ext_test_hex_length_pm1(ks_ch_codec, two, 0, 2);
    ext_test_hex_length_pm1(ks_ch_codec, two, 4, 2);
    ext_test_hex_length_pm1(ks_ch_codec, two, 10, 2);
}

static void test_key_share_ch_empty_list_is_valid(void **state) {
    (void)state;
    ext_test_hex_roundtrip(ks_ch_codec, "0000");
}

static void test_key_share_ch_empty_key_exchange_is_decode_error(void **state) {
    (void)state;
    ext_test_hex_reject(ks_ch_codec, "0004 001d 0000", TH_ALERT_DECODE_ERROR);
}

static void test_key_share_ch_duplicate_group_is_illegal_parameter(void **state) {
    (void)state;
    ext_test_hex_reject(ks_ch_codec, "000c 001d 0002 abcd 001d 0002 abcd",
                        TH_ALERT_ILLEGAL_PARAMETER);
    /* Not only adjacent duplicates. */
    ext_test_hex_reject(ks_ch_codec, "0012 001d 0002 abcd 0017 0002 abcd 001d 0002 abcd",
                        TH_ALERT_ILLEGAL_PARAMETER);
}

static void test_key_share_ch_build_from_struct(void **state) {
    (void)state;
    static const uint8_t key[] = {0xab, 0xcd};
    th_key_share_entry entries[] = {{TH_GROUP_X25519, {key, 2}}, {TH_GROUP_SECP256R1, {key, 1}}};
    th_ext_key_share_ch ks = {entries, 2};
    EXT_EXPECT_WRITE(th_write_ext_key_share_ch, &ks, "000b 001d 0002 abcd 0017 0001 ab");
    th_ext_key_share_ch_cleanup(NULL);
}

static void test_key_share_sh_vector_roundtrip(void **state) {
    (void)state;
    ext_test_vector_roundtrip(ks_sh_codec, EXT_SIMPLE, "server_hello", TH_EXT_KEY_SHARE);
    ext_test_vector_roundtrip(ks_sh_codec, EXT_RESUMED, "server_hello", TH_EXT_KEY_SHARE);
    ext_test_hex_length_pm1(ks_sh_codec, "001d 0020 " KEY32, 2, 2);
}

static void test_key_share_sh_fields(void **state) {
    (void)state;
    th_ext_key_share_sh ks;
    uint8_t *buf;
    EXT_PARSE_HEX(th_parse_ext_key_share_sh, "001d 0020 " KEY32, &ks, &buf);
    assert_int_equal(ks.share.group, TH_GROUP_X25519);
    assert_int_equal(ks.share.key_exchange.len, 32);
    EXT_EXPECT_WRITE(th_write_ext_key_share_sh, &ks, "001d 0020 " KEY32);
    free(buf);
}

static void test_key_share_sh_empty_key_exchange_is_decode_error(void **state) {
    (void)state;
    ext_test_hex_reject(ks_sh_codec, "001d 0000", TH_ALERT_DECODE_ERROR);
}

static void test_key_share_sh_two_entries_is_decode_error(void **state) {
    (void)state;
    ext_test_hex_reject(ks_sh_codec, "001d 0002 abcd 0017 0002 abcd", TH_ALERT_DECODE_ERROR);
    /* The ClientHello list form is not a ServerHello share either. */
    ext_test_hex_reject(ks_sh_codec, "0006 001d 0002 abcd", TH_ALERT_DECODE_ERROR);
}

static void test_key_share_hrr_roundtrip(void **state) {
    (void)state;
    ext_test_hex_roundtrip(ks_hrr_codec, "0017");
    th_ext_key_share_hrr hrr = {TH_GROUP_SECP384R1};
    EXT_EXPECT_WRITE(th_write_ext_key_share_hrr, &hrr, "0018");
    th_ext_key_share_hrr parsed;
    uint8_t *buf;
    EXT_PARSE_HEX(th_parse_ext_key_share_hrr, "001d", &parsed, &buf);
    assert_int_equal(parsed.selected_group, TH_GROUP_X25519);
    free(buf);
}

static void test_key_share_hrr_share_is_decode_error(void **state) {
    (void)state;
    /* A ServerHello-style entry in a HelloRetryRequest. */
    ext_test_hex_reject(ks_hrr_codec, "001d 0002 abcd", TH_ALERT_DECODE_ERROR);
    ext_test_hex_reject(ks_hrr_codec, "", TH_ALERT_DECODE_ERROR);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_groups_vector_roundtrip),
        cmocka_unit_test(test_groups_vector_fields),
        cmocka_unit_test(test_groups_length_pm1_rejected),
        cmocka_unit_test(test_groups_empty_is_decode_error),
        cmocka_unit_test(test_groups_odd_is_decode_error),
        cmocka_unit_test(test_groups_trailing_is_decode_error),
        cmocka_unit_test(test_groups_grease_kept),
        cmocka_unit_test(test_groups_build_from_struct),
        cmocka_unit_test(test_points_roundtrip),
        cmocka_unit_test(test_points_without_uncompressed_is_illegal_parameter),
        cmocka_unit_test(test_points_empty_is_illegal_parameter),
        cmocka_unit_test(test_points_build_from_struct),
        cmocka_unit_test(test_key_share_ch_vector_roundtrip),
        cmocka_unit_test(test_key_share_ch_vector_fields),
        cmocka_unit_test(test_key_share_ch_lengths_pm1_rejected),
        cmocka_unit_test(test_key_share_ch_empty_list_is_valid),
        cmocka_unit_test(test_key_share_ch_empty_key_exchange_is_decode_error),
        cmocka_unit_test(test_key_share_ch_duplicate_group_is_illegal_parameter),
        cmocka_unit_test(test_key_share_ch_build_from_struct),
        cmocka_unit_test(test_key_share_sh_vector_roundtrip),
        cmocka_unit_test(test_key_share_sh_fields),
        cmocka_unit_test(test_key_share_sh_empty_key_exchange_is_decode_error),
        cmocka_unit_test(test_key_share_sh_two_entries_is_decode_error),
        cmocka_unit_test(test_key_share_hrr_roundtrip),
        cmocka_unit_test(test_key_share_hrr_share_is_decode_error),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
