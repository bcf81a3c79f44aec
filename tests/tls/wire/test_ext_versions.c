#include <stdlib.h>
#include <string.h>

#include "ext_test_vectors.h"
#include "ext_types.h"
#include "testutil.h"

TH_CODEC_FN(sv_ch_codec, th_ext_supported_versions_ch, th_parse_ext_supported_versions_ch,
            th_write_ext_supported_versions_ch, th_ext_supported_versions_ch_cleanup)
TH_CODEC_FN(sv_sh_codec, th_ext_supported_versions_sh, th_parse_ext_supported_versions_sh,
            th_write_ext_supported_versions_sh, th_test_no_cleanup)
TH_CODEC_FN(cookie_codec, th_ext_cookie, th_parse_ext_cookie, th_write_ext_cookie,
            th_test_no_cleanup)

static void test_sv_ch_vector_roundtrip(void **state) {
    (void)state;
    ext_test_vector_roundtrip(sv_ch_codec, EXT_SIMPLE, "client_hello", TH_EXT_SUPPORTED_VERSIONS);
    ext_test_vector_roundtrip(sv_ch_codec, EXT_RESUMED, "client_hello", TH_EXT_SUPPORTED_VERSIONS);
}

static void test_sv_ch_fields_and_has(void **state) {
    (void)state;
    th_ext_supported_versions_ch sv;
    uint8_t *buf;
    EXT_PARSE_HEX(th_parse_ext_supported_versions_ch, "06 7a7a 0304 0303", &sv, &buf);
    assert_int_equal(sv.num_versions, 3);
    assert_int_equal(sv.versions[0], 0x7a7a);
    assert_true(th_ext_supported_versions_ch_has(&sv, TH_VERSION_TLS13));
    assert_true(th_ext_supported_versions_ch_has(&sv, TH_VERSION_TLS12));
    assert_false(th_ext_supported_versions_ch_has(&sv, TH_VERSION_TLS11));
    th_ext_supported_versions_ch_cleanup(&sv);
    assert_null(sv.versions);
    th_ext_supported_versions_ch_cleanup(NULL);
    free(buf);
}

static void test_sv_ch_unknown_versions_kept(void **state) {
    (void)state;
    /* RFC 8446 §4.2.1: servers "MUST ignore any unknown versions". */
    ext_test_hex_roundtrip(sv_ch_codec, "06 7a7a 0305 0304");
    ext_test_hex_length_pm1(sv_ch_codec, "06 7a7a 0305 0304", 0, 1);
}

static void test_sv_ch_empty_is_decode_error(void **state) {
    (void)state;
    ext_test_hex_reject(sv_ch_codec, "00", TH_ALERT_DECODE_ERROR);
}

static void test_sv_ch_odd_is_decode_error(void **state) {
    (void)state;
    ext_test_hex_reject(sv_ch_codec, "03 0304 03", TH_ALERT_DECODE_ERROR);
}

static void test_sv_ch_largest_list_roundtrips(void **state) {
    (void)state;
    /* versions<2..254>: 127 versions fill the u8 prefix. */
    uint8_t in[1 + 254];
    in[0] = 254;
    for (size_t i = 0; i < 127; i++) {
        in[1 + 2 * i] = 0x03;
        in[2 + 2 * i] = (uint8_t)i;
    }
    th_expect_roundtrip(sv_ch_codec, in, sizeof(in));
}

static void test_sv_ch_build_from_struct(void **state) {
    (void)state;
    uint16_t versions[] = {TH_VERSION_TLS13, TH_VERSION_TLS12};
    th_ext_supported_versions_ch sv = {versions, 2};
    EXT_EXPECT_WRITE(th_write_ext_supported_versions_ch, &sv, "04 0304 0303");
}

static void test_sv_sh_vector_roundtrip(void **state) {
    (void)state;
    ext_test_vector_roundtrip(sv_sh_codec, EXT_SIMPLE, "server_hello", TH_EXT_SUPPORTED_VERSIONS);
    ext_test_vector_roundtrip(sv_sh_codec, EXT_RESUMED, "server_hello", TH_EXT_SUPPORTED_VERSIONS);
    th_ext_supported_versions_sh sh = {TH_VERSION_TLS13};
    EXT_EXPECT_WRITE(th_write_ext_supported_versions_sh, &sh, "0304");
}

static void test_sv_sh_prior_to_tls13_is_illegal_parameter(void **state) {
    (void)state;
    ext_test_hex_reject(sv_sh_codec, "0303", TH_ALERT_ILLEGAL_PARAMETER);
    ext_test_hex_reject(sv_sh_codec, "0300", TH_ALERT_ILLEGAL_PARAMETER);
    ext_test_hex_reject(sv_sh_codec, "0000", TH_ALERT_ILLEGAL_PARAMETER);
}

static void test_sv_sh_later_versions_left_to_engine(void **state) {
    (void)state;
    /* Whether the client offered it is the engine's check. */
    ext_test_hex_roundtrip(sv_sh_codec, "0305");
    ext_test_hex_roundtrip(sv_sh_codec, "7a7a");
}

static void test_sv_sh_list_form_is_decode_error(void **state) {
    (void)state;
    ext_test_hex_reject(sv_sh_codec, "02 0304", TH_ALERT_DECODE_ERROR);
    ext_test_hex_reject(sv_sh_codec, "", TH_ALERT_DECODE_ERROR);
}

static void test_cookie_roundtrip(void **state) {
    (void)state;
    ext_test_hex_roundtrip(cookie_codec, "0004 deadbeef");
    ext_test_hex_length_pm1(cookie_codec, "0004 deadbeef", 0, 2);
    th_ext_cookie cookie;
    uint8_t *buf;
    EXT_PARSE_HEX(th_parse_ext_cookie, "0001 ff", &cookie, &buf);
    assert_int_equal(cookie.cookie.len, 1);
    EXT_EXPECT_WRITE(th_write_ext_cookie, &cookie, "0001 ff");
    free(buf);
}

static void test_cookie_empty_is_decode_error(void **state) {
    (void)state;
    ext_test_hex_reject(cookie_codec, "0000", TH_ALERT_DECODE_ERROR);
    ext_test_hex_reject(cookie_codec, "", TH_ALERT_DECODE_ERROR);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sv_ch_vector_roundtrip),
        cmocka_unit_test(test_sv_ch_fields_and_has),
        cmocka_unit_test(test_sv_ch_unknown_versions_kept),
        cmocka_unit_test(test_sv_ch_empty_is_decode_error),
        cmocka_unit_test(test_sv_ch_odd_is_decode_error),
        cmocka_unit_test(test_sv_ch_largest_list_roundtrips),
        cmocka_unit_test(test_sv_ch_build_from_struct),
        cmocka_unit_test(test_sv_sh_vector_roundtrip),
        cmocka_unit_test(test_sv_sh_prior_to_tls13_is_illegal_parameter),
        cmocka_unit_test(test_sv_sh_later_versions_left_to_engine),
        cmocka_unit_test(test_sv_sh_list_form_is_decode_error),
        cmocka_unit_test(test_cookie_roundtrip),
        cmocka_unit_test(test_cookie_empty_is_decode_error),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
