#include <stdlib.h>
#include <string.h>

#include "ext_test_vectors.h"
#include "ext_types.h"
#include "testutil.h"

TH_CODEC_FN(alpn_ch_codec, th_ext_alpn_ch, th_parse_ext_alpn_ch, th_write_ext_alpn_ch,
            th_ext_alpn_ch_cleanup)
TH_CODEC_FN(alpn_sh_codec, th_ext_alpn_sh, th_parse_ext_alpn_sh, th_write_ext_alpn_sh,
            th_test_no_cleanup)
TH_CODEC_FN(sct_codec, th_ext_signed_certificate_timestamp,
            th_parse_ext_signed_certificate_timestamp, th_write_ext_signed_certificate_timestamp,
            th_ext_signed_certificate_timestamp_cleanup)
TH_CODEC_FN(padding_codec, th_ext_padding, th_parse_ext_padding, th_write_ext_padding,
            th_test_no_cleanup)
TH_CODEC_FN(rsl_codec, th_ext_record_size_limit, th_parse_ext_record_size_limit,
            th_write_ext_record_size_limit, th_test_no_cleanup)
TH_CODEC_FN(ticket_codec, th_ext_session_ticket, th_parse_ext_session_ticket,
            th_write_ext_session_ticket, th_test_no_cleanup)
TH_CODEC_FN(ri_codec, th_ext_renegotiation_info, th_parse_ext_renegotiation_info,
            th_write_ext_renegotiation_info, th_test_no_cleanup)

static int empty_codec(CBS *in, CBB *out, uint8_t *out_alert) {
    if (!th_parse_ext_empty(in, out_alert)) {
        return 0;
    }
    assert_true(th_write_ext_empty(out));
    return 1;
}

/* "h2" and "http/1.1". */
#define ALPN_TWO "000c 02 6832 08 687474702f312e31"
#define SCT_TWO  "0009 0003 000102 0002 0304"

static void test_empty_roundtrip_and_nonempty_is_decode_error(void **state) {
    (void)state;
    uint8_t byte = 0;
    th_expect_roundtrip(empty_codec, &byte, 0);
    th_expect_reject(empty_codec, &byte, 1, TH_ALERT_DECODE_ERROR);
    CBB cbb;
    assert_true(CBB_init(&cbb, 0));
    assert_true(th_write_ext_empty(&cbb));
    assert_int_equal(CBB_len(&cbb), 0);
    CBB_cleanup(&cbb);
}

static void test_alpn_ch_roundtrip(void **state) {
    (void)state;
    ext_test_hex_roundtrip(alpn_ch_codec, ALPN_TWO);
    ext_test_hex_length_pm1(alpn_ch_codec, ALPN_TWO, 0, 2);
    ext_test_hex_length_pm1(alpn_ch_codec, ALPN_TWO, 2, 1);
    ext_test_hex_length_pm1(alpn_ch_codec, ALPN_TWO, 5, 1);
    th_ext_alpn_ch alpn;
    uint8_t *buf;
    EXT_PARSE_HEX(th_parse_ext_alpn_ch, ALPN_TWO, &alpn, &buf);
    assert_int_equal(alpn.num_protocols, 2);
    assert_int_equal(alpn.protocols[1].len, 8);
    assert_memory_equal(alpn.protocols[1].data, "http/1.1", 8);
    EXT_EXPECT_WRITE(th_write_ext_alpn_ch, &alpn, ALPN_TWO);
    th_ext_alpn_ch_cleanup(&alpn);
    assert_null(alpn.protocols);
    th_ext_alpn_ch_cleanup(NULL);
    free(buf);
}

static void test_alpn_ch_empty_list_is_decode_error(void **state) {
    (void)state;
    ext_test_hex_reject(alpn_ch_codec, "0000", TH_ALERT_DECODE_ERROR);
}

static void test_alpn_ch_empty_name_is_decode_error(void **state) {
    (void)state;
    ext_test_hex_reject(alpn_ch_codec, "0001 00", TH_ALERT_DECODE_ERROR);
    ext_test_hex_reject(alpn_ch_codec, "0004 02 6832 00", TH_ALERT_DECODE_ERROR);
}

static void test_alpn_sh_roundtrip(void **state) {
    (void)state;
    ext_test_hex_roundtrip(alpn_sh_codec, "0003 02 6832");
    ext_test_hex_length_pm1(alpn_sh_codec, "0003 02 6832", 0, 2);
    ext_test_hex_length_pm1(alpn_sh_codec, "0003 02 6832", 2, 1);
    static const uint8_t h2[] = {'h', '2'};
    th_ext_alpn_sh alpn = {{h2, 2}};
    EXT_EXPECT_WRITE(th_write_ext_alpn_sh, &alpn, "0003 02 6832");
}

static void test_alpn_sh_two_names_is_decode_error(void **state) {
    (void)state;
    /* RFC 7301 §3.1: the server's list "MUST contain exactly one". */
    ext_test_hex_reject(alpn_sh_codec, ALPN_TWO, TH_ALERT_DECODE_ERROR);
}

static void test_alpn_sh_empty_is_decode_error(void **state) {
    (void)state;
    ext_test_hex_reject(alpn_sh_codec, "0000", TH_ALERT_DECODE_ERROR);
    ext_test_hex_reject(alpn_sh_codec, "0001 00", TH_ALERT_DECODE_ERROR);
}

static void test_sct_roundtrip(void **state) {
    (void)state;
    ext_test_hex_roundtrip(sct_codec, SCT_TWO);
    ext_test_hex_length_pm1(sct_codec, SCT_TWO, 0, 2);
    ext_test_hex_length_pm1(sct_codec, SCT_TWO, 2, 2);
    ext_test_hex_length_pm1(sct_codec, SCT_TWO, 7, 2);
    th_ext_signed_certificate_timestamp sct;
    uint8_t *buf;
    EXT_PARSE_HEX(th_parse_ext_signed_certificate_timestamp, SCT_TWO, &sct, &buf);
    assert_int_equal(sct.num_scts, 2);
    assert_int_equal(sct.scts[0].len, 3);
    EXT_EXPECT_WRITE(th_write_ext_signed_certificate_timestamp, &sct, SCT_TWO);
    th_ext_signed_certificate_timestamp_cleanup(&sct);
    assert_null(sct.scts);
    th_ext_signed_certificate_timestamp_cleanup(NULL);
    free(buf);
}

static void test_sct_empty_list_is_decode_error(void **state) {
    (void)state;
    ext_test_hex_reject(sct_codec, "0000", TH_ALERT_DECODE_ERROR);
}

static void test_sct_empty_entry_is_decode_error(void **state) {
    (void)state;
    ext_test_hex_reject(sct_codec, "0002 0000", TH_ALERT_DECODE_ERROR);
}

static void test_padding_vector_roundtrip(void **state) {
    (void)state;
    th_ext_block block;
    uint8_t *msg = ext_test_block(EXT_RESUMED, "client_hello", &block);
    th_bytes body = ext_test_body(&block, TH_EXT_PADDING);
    th_ext_padding padding;
    uint8_t alert;
    CBS cbs;
    th_expect_roundtrip(padding_codec, body.data, body.len);
    CBS_init(&cbs, body.data, body.len);
    assert_true(th_parse_ext_padding(&cbs, &padding, &alert));
    assert_int_equal(padding.contents.len, 0x57);
    assert_true(padding.all_zero);
    th_ext_block_cleanup(&block);
    free(msg);
}

static void test_padding_nonzero_accepted_and_reported(void **state) {
    (void)state;
    th_ext_padding padding;
    uint8_t *buf;
    th_expect_roundtrip(padding_codec, NULL, 0);
    th_expect_roundtrip(padding_codec, (const uint8_t *)"\0\0\x01", 3);
    EXT_PARSE_HEX(th_parse_ext_padding, "000001", &padding, &buf);
    assert_false(padding.all_zero);
    free(buf);
    EXT_PARSE_HEX(th_parse_ext_padding, "", &padding, &buf);
    assert_true(padding.all_zero);
    free(buf);
}

static void test_padding_build_zeros_from_length(void **state) {
    (void)state;
    th_ext_padding padding = {{NULL, 5}, 0};
    EXT_EXPECT_WRITE(th_write_ext_padding, &padding, "0000000000");
    th_ext_padding none = {{NULL, 0}, 0};
    EXT_EXPECT_WRITE(th_write_ext_padding, &none, "");
}

static void test_rsl_vector_roundtrip(void **state) {
    (void)state;
    ext_test_vector_roundtrip(rsl_codec, EXT_SIMPLE, "client_hello", TH_EXT_RECORD_SIZE_LIMIT);
    ext_test_vector_roundtrip(rsl_codec, EXT_SIMPLE, "encrypted_extensions",
                              TH_EXT_RECORD_SIZE_LIMIT);
    ext_test_vector_roundtrip(rsl_codec, EXT_RESUMED, "encrypted_extensions",
                              TH_EXT_RECORD_SIZE_LIMIT);
    th_ext_record_size_limit rsl;
    uint8_t *buf;
    EXT_PARSE_HEX(th_parse_ext_record_size_limit, "4001", &rsl, &buf);
    assert_int_equal(rsl.limit, 16385);
    free(buf);
    th_ext_record_size_limit smallest = {64};
    EXT_EXPECT_WRITE(th_write_ext_record_size_limit, &smallest, "0040");
    ext_test_hex_roundtrip(rsl_codec, "0040");
}

static void test_rsl_below_64_is_illegal_parameter(void **state) {
    (void)state;
    ext_test_hex_reject(rsl_codec, "003f", TH_ALERT_ILLEGAL_PARAMETER);
    ext_test_hex_reject(rsl_codec, "0000", TH_ALERT_ILLEGAL_PARAMETER);
}

static void test_rsl_wrong_length_is_decode_error(void **state) {
    (void)state;
    ext_test_hex_reject(rsl_codec, "40", TH_ALERT_DECODE_ERROR);
    ext_test_hex_reject(rsl_codec, "400100", TH_ALERT_DECODE_ERROR);
}

static void test_session_ticket_vector_and_opaque(void **state) {
    (void)state;
    th_ext_block block;
    uint8_t *msg = ext_test_block(EXT_SIMPLE, "client_hello", &block);
    th_bytes body = ext_test_body(&block, TH_EXT_SESSION_TICKET);
    assert_int_equal(body.len, 0);
    th_expect_roundtrip(ticket_codec, body.data, body.len);
    th_ext_block_cleanup(&block);
    free(msg);
    /* Any bytes are a ticket: no length prefix inside. */
    th_expect_roundtrip(ticket_codec, NULL, 0);
    th_expect_roundtrip(ticket_codec, (const uint8_t *)"\x00\x05\xff", 3);
    static const uint8_t t[] = {1, 2, 3};
    th_ext_session_ticket ticket = {{t, 3}};
    EXT_EXPECT_WRITE(th_write_ext_session_ticket, &ticket, "010203");
}

static void test_ri_vector_roundtrip(void **state) {
    (void)state;
    ext_test_vector_roundtrip(ri_codec, EXT_SIMPLE, "client_hello", TH_EXT_RENEGOTIATION_INFO);
    ext_test_vector_roundtrip(ri_codec, EXT_RESUMED, "client_hello", TH_EXT_RENEGOTIATION_INFO);
}

static void test_ri_renegotiation_form_roundtrip(void **state) {
    (void)state;
    /* client_verify_data || server_verify_data, 12 bytes each. */
    const char *both = "18 000102030405060708090a0b 0c0d0e0f1011121314151617";
    ext_test_hex_roundtrip(ri_codec, both);
    ext_test_hex_length_pm1(ri_codec, both, 0, 1);
    th_ext_renegotiation_info ri;
    uint8_t *buf;
    EXT_PARSE_HEX(th_parse_ext_renegotiation_info, both, &ri, &buf);
    assert_int_equal(ri.renegotiated_connection.len, 24);
    EXT_EXPECT_WRITE(th_write_ext_renegotiation_info, &ri, both);
    free(buf);
}

static void test_ri_missing_length_is_decode_error(void **state) {
    (void)state;
    ext_test_hex_reject(ri_codec, "", TH_ALERT_DECODE_ERROR);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_empty_roundtrip_and_nonempty_is_decode_error),
        cmocka_unit_test(test_alpn_ch_roundtrip),
        cmocka_unit_test(test_alpn_ch_empty_list_is_decode_error),
        cmocka_unit_test(test_alpn_ch_empty_name_is_decode_error),
        cmocka_unit_test(test_alpn_sh_roundtrip),
        cmocka_unit_test(test_alpn_sh_two_names_is_decode_error),
        cmocka_unit_test(test_alpn_sh_empty_is_decode_error),
        cmocka_unit_test(test_sct_roundtrip),
        cmocka_unit_test(test_sct_empty_list_is_decode_error),
        cmocka_unit_test(test_sct_empty_entry_is_decode_error),
        cmocka_unit_test(test_padding_vector_roundtrip),
        cmocka_unit_test(test_padding_nonzero_accepted_and_reported),
        cmocka_unit_test(test_padding_build_zeros_from_length),
        cmocka_unit_test(test_rsl_vector_roundtrip),
        cmocka_unit_test(test_rsl_below_64_is_illegal_parameter),
        cmocka_unit_test(test_rsl_wrong_length_is_decode_error),
        cmocka_unit_test(test_session_ticket_vector_and_opaque),
        cmocka_unit_test(test_ri_vector_roundtrip),
        cmocka_unit_test(test_ri_renegotiation_form_roundtrip),
        cmocka_unit_test(test_ri_missing_length_is_decode_error),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
