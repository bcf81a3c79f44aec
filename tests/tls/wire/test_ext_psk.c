#include <stdlib.h>
#include <string.h>

#include "ext_test_vectors.h"
#include "ext_types.h"
#include "testutil.h"

TH_CODEC_FN(psk_ch_codec, th_ext_pre_shared_key_ch, th_parse_ext_pre_shared_key_ch,
            th_write_ext_pre_shared_key_ch, th_ext_pre_shared_key_ch_cleanup)
TH_CODEC_FN(psk_sh_codec, th_ext_pre_shared_key_sh, th_parse_ext_pre_shared_key_sh,
            th_write_ext_pre_shared_key_sh, th_test_no_cleanup)
TH_CODEC_FN(modes_codec, th_ext_psk_key_exchange_modes, th_parse_ext_psk_key_exchange_modes,
            th_write_ext_psk_key_exchange_modes, th_test_no_cleanup)
TH_CODEC_FN(early_nst_codec, th_ext_early_data_nst, th_parse_ext_early_data_nst,
            th_write_ext_early_data_nst, th_test_no_cleanup)

static int empty_codec(CBS *in, CBB *out, uint8_t *out_alert) {
    if (!th_parse_ext_empty(in, out_alert)) {
        return 0;
    }
    assert_true(th_write_ext_empty(out));
    return 1;
}

#define BINDER32 "3add4fb2d8fdf822a0ca3cf7678ef5e88dae990141c5924d57bb6fa31b9e5f9d"
#define BINDER31 "3add4fb2d8fdf822a0ca3cf7678ef5e88dae990141c5924d57bb6fa31b9e5f"
/* One identity "ident" with age 1 and one 32-byte binder. */
#define IDENT   "0005 6964656e74 00000001"
#define PSK_ONE "000b " IDENT " 0021 20 " BINDER32

static void test_psk_ch_vector_roundtrip(void **state) {
    (void)state;
    ext_test_vector_roundtrip(psk_ch_codec, EXT_RESUMED, "client_hello", TH_EXT_PRE_SHARED_KEY);
}

static void test_psk_ch_vector_binders_offset_is_truncate_point(void **state) {
    (void)state;
    th_ext_block block;
    size_t prefix_len, binder_len;
    uint8_t *msg = ext_test_block(EXT_RESUMED, "client_hello", &block);
    uint8_t *prefix = th_test_vector(EXT_RESUMED, "client_hello_prefix", &prefix_len);
    uint8_t *binder = th_test_vector(EXT_RESUMED, "psk_binder", &binder_len);
    th_bytes body = ext_test_body(&block, TH_EXT_PRE_SHARED_KEY);
    th_ext_pre_shared_key_ch psk;
    uint8_t alert;
    CBS cbs;
    CBS_init(&cbs, body.data, body.len);
    assert_true(th_parse_ext_pre_shared_key_ch(&cbs, &psk, &alert));
    assert_int_equal(psk.num_identities, 1);
    assert_int_equal(psk.identities[0].identity.len, 0xb2);
    assert_int_equal(psk.num_binders, 1);
    assert_int_equal(psk.binders[0].len, binder_len);
    assert_memory_equal(psk.binders[0].data, binder, binder_len);
    /* RFC 8448 §4's Truncate(ClientHello) is exactly client_hello_prefix. */
    assert_int_equal((size_t)(body.data - msg) + psk.binders_offset, prefix_len);
    assert_int_equal(psk.binders_offset + th_ext_pre_shared_key_ch_binders_len(&psk), body.len);
    th_ext_pre_shared_key_ch_cleanup(&psk);
    assert_null(psk.identities);
    assert_null(psk.binders);
    free(prefix);
    free(binder);
    th_ext_block_cleanup(&block);
    free(msg);
}

static void test_psk_ch_handbuilt_roundtrip(void **state) {
    (void)state;
    ext_test_hex_roundtrip(psk_ch_codec, PSK_ONE);
    th_ext_pre_shared_key_ch psk;
    uint8_t *buf;
    EXT_PARSE_HEX(th_parse_ext_pre_shared_key_ch, PSK_ONE, &psk, &buf);
    assert_int_equal(psk.identities[0].identity.len, 5);
    assert_int_equal(psk.identities[0].obfuscated_ticket_age, 1);
    assert_int_equal(psk.binders_offset, 13);
    th_ext_pre_shared_key_ch_cleanup(&psk);
    free(buf);
    /* Two identities and two binders. */
    ext_test_hex_roundtrip(psk_ch_codec,
                           "0016 " IDENT " " IDENT " 0042 20 " BINDER32 " 20 " BINDER32);
}

static void test_psk_ch_lengths_pm1_rejected(void **state) {
    (void)state;
    ext_test_hex_length_pm1(psk_ch_codec, PSK_ONE, 0, 2);
    ext_test_hex_length_pm1(psk_ch_codec, PSK_ONE, 2, 2);
    ext_test_hex_length_pm1(psk_ch_codec, PSK_ONE, 13, 2);
    ext_test_hex_length_pm1(psk_ch_codec, PSK_ONE, 15, 1);
}

static void test_psk_ch_empty_identities_is_decode_error(void **state) {
    (void)state;
    ext_test_hex_reject(psk_ch_codec, "0000 0021 20 " BINDER32, TH_ALERT_DECODE_ERROR);
}

static void test_psk_ch_empty_binders_is_decode_error(void **state) {
    (void)state;
    ext_test_hex_reject(psk_ch_codec, "000b " IDENT " 0000", TH_ALERT_DECODE_ERROR);
    ext_test_hex_reject(psk_ch_codec, "000b " IDENT, TH_ALERT_DECODE_ERROR);
}

static void test_psk_ch_empty_identity_is_decode_error(void **state) {
    (void)state;
    ext_test_hex_reject(psk_ch_codec, "0006 0000 00000001 0021 20 " BINDER32,
                        TH_ALERT_DECODE_ERROR);
}

static void test_psk_ch_short_binder_is_decode_error(void **state) {
    (void)state;
    ext_test_hex_reject(psk_ch_codec, "000b " IDENT " 0020 1f " BINDER31, TH_ALERT_DECODE_ERROR);
    ext_test_hex_reject(psk_ch_codec, "000b " IDENT " 0001 00", TH_ALERT_DECODE_ERROR);
}

static void test_psk_ch_binder_count_mismatch_is_illegal_parameter(void **state) {
    (void)state;
    /* Two identities, one binder. */
    ext_test_hex_reject(psk_ch_codec, "0016 " IDENT " " IDENT " 0021 20 " BINDER32,
                        TH_ALERT_ILLEGAL_PARAMETER);
    /* One identity, two binders. */
    ext_test_hex_reject(psk_ch_codec, "000b " IDENT " 0042 20 " BINDER32 " 20 " BINDER32,
                        TH_ALERT_ILLEGAL_PARAMETER);
}

static void test_psk_ch_build_from_struct(void **state) {
    (void)state;
    size_t binder_len;
    uint8_t *binder = th_test_hex(BINDER32, &binder_len);
    th_psk_identity identity = {{(const uint8_t *)"ident", 5}, 1};
    th_bytes binders[] = {{binder, binder_len}};
    th_ext_pre_shared_key_ch psk = {&identity, 1, binders, 1, 0};
    EXT_EXPECT_WRITE(th_write_ext_pre_shared_key_ch, &psk, PSK_ONE);
    assert_int_equal(th_ext_pre_shared_key_ch_binders_len(&psk), 2 + 1 + 32);
    th_ext_pre_shared_key_ch_cleanup(NULL);
    free(binder);
}

static void test_psk_sh_vector_roundtrip(void **state) {
    (void)state;
    ext_test_vector_roundtrip(psk_sh_codec, EXT_RESUMED, "server_hello", TH_EXT_PRE_SHARED_KEY);
    th_ext_pre_shared_key_sh sh;
    uint8_t *buf;
    EXT_PARSE_HEX(th_parse_ext_pre_shared_key_sh, "0003", &sh, &buf);
    assert_int_equal(sh.selected_identity, 3);
    EXT_EXPECT_WRITE(th_write_ext_pre_shared_key_sh, &sh, "0003");
    free(buf);
}

static void test_psk_sh_wrong_length_is_decode_error(void **state) {
    (void)state;
    ext_test_hex_reject(psk_sh_codec, "", TH_ALERT_DECODE_ERROR);
    ext_test_hex_reject(psk_sh_codec, "00", TH_ALERT_DECODE_ERROR);
    /* The ClientHello form is not a ServerHello body. */
    ext_test_hex_reject(psk_sh_codec, PSK_ONE, TH_ALERT_DECODE_ERROR);
}

static void test_modes_vector_roundtrip(void **state) {
    (void)state;
    ext_test_vector_roundtrip(modes_codec, EXT_SIMPLE, "client_hello",
                              TH_EXT_PSK_KEY_EXCHANGE_MODES);
    ext_test_vector_roundtrip(modes_codec, EXT_RESUMED, "client_hello",
                              TH_EXT_PSK_KEY_EXCHANGE_MODES);
    ext_test_hex_length_pm1(modes_codec, "02 00 01", 0, 1);
}

static void test_modes_grease_kept(void **state) {
    (void)state;
    ext_test_hex_roundtrip(modes_codec, "03 0b 01 2a");
    th_ext_psk_key_exchange_modes modes;
    uint8_t *buf;
    EXT_PARSE_HEX(th_parse_ext_psk_key_exchange_modes, "03 0b 01 2a", &modes, &buf);
    assert_int_equal(modes.modes.len, 3);
    assert_int_equal(modes.modes.data[1], TH_PSK_MODE_DHE_KE);
    free(buf);
}

static void test_modes_empty_is_decode_error(void **state) {
    (void)state;
    ext_test_hex_reject(modes_codec, "00", TH_ALERT_DECODE_ERROR);
}

static void test_modes_build_from_struct(void **state) {
    (void)state;
    static const uint8_t dhe[] = {TH_PSK_MODE_DHE_KE};
    th_ext_psk_key_exchange_modes modes = {{dhe, 1}};
    EXT_EXPECT_WRITE(th_write_ext_psk_key_exchange_modes, &modes, "01 01");
}

static void test_early_data_nst_vector_roundtrip(void **state) {
    (void)state;
    ext_test_vector_roundtrip(early_nst_codec, EXT_SIMPLE, "new_session_ticket", TH_EXT_EARLY_DATA);
    th_ext_early_data_nst nst;
    uint8_t *buf;
    EXT_PARSE_HEX(th_parse_ext_early_data_nst, "00000400", &nst, &buf);
    assert_int_equal(nst.max_early_data_size, 1024);
    free(buf);
    th_ext_early_data_nst big = {0xfffffffe};
    EXT_EXPECT_WRITE(th_write_ext_early_data_nst, &big, "fffffffe");
}

static void test_early_data_nst_wrong_length_is_decode_error(void **state) {
    (void)state;
    ext_test_hex_reject(early_nst_codec, "", TH_ALERT_DECODE_ERROR);
    ext_test_hex_reject(early_nst_codec, "000004", TH_ALERT_DECODE_ERROR);
}

static void test_early_data_empty_forms_vector_roundtrip(void **state) {
    (void)state;
    th_ext_block block;
    uint8_t *msg = ext_test_block(EXT_RESUMED, "client_hello", &block);
    th_bytes body = ext_test_body(&block, TH_EXT_EARLY_DATA);
    th_expect_roundtrip(empty_codec, body.data, body.len);
    th_expect_trailing_rejected(empty_codec, body.data, body.len);
    th_ext_block_cleanup(&block);
    free(msg);
    msg = ext_test_block(EXT_RESUMED, "encrypted_extensions", &block);
    body = ext_test_body(&block, TH_EXT_EARLY_DATA);
    th_expect_roundtrip(empty_codec, body.data, body.len);
    th_ext_block_cleanup(&block);
    free(msg);
    /* The NewSessionTicket form is not an empty body. */
    ext_test_hex_reject(empty_codec, "00000400", TH_ALERT_DECODE_ERROR);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_psk_ch_vector_roundtrip),
        cmocka_unit_test(test_psk_ch_vector_binders_offset_is_truncate_point),
        cmocka_unit_test(test_psk_ch_handbuilt_roundtrip),
        cmocka_unit_test(test_psk_ch_lengths_pm1_rejected),
        cmocka_unit_test(test_psk_ch_empty_identities_is_decode_error),
        cmocka_unit_test(test_psk_ch_empty_binders_is_decode_error),
        cmocka_unit_test(test_psk_ch_empty_identity_is_decode_error),
        cmocka_unit_test(test_psk_ch_short_binder_is_decode_error),
        cmocka_unit_test(test_psk_ch_binder_count_mismatch_is_illegal_parameter),
        cmocka_unit_test(test_psk_ch_build_from_struct),
        cmocka_unit_test(test_psk_sh_vector_roundtrip),
        cmocka_unit_test(test_psk_sh_wrong_length_is_decode_error),
        cmocka_unit_test(test_modes_vector_roundtrip),
        cmocka_unit_test(test_modes_grease_kept),
        cmocka_unit_test(test_modes_empty_is_decode_error),
        cmocka_unit_test(test_modes_build_from_struct),
        cmocka_unit_test(test_early_data_nst_vector_roundtrip),
        cmocka_unit_test(test_early_data_nst_wrong_length_is_decode_error),
        cmocka_unit_test(test_early_data_empty_forms_vector_roundtrip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
