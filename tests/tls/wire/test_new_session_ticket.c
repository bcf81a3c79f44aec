#include <stdlib.h>
#include <string.h>

#include "new_session_ticket.h"
#include "testutil.h"

static const char kVec[] = "rfc8448-simple-1rtt.txt";

TH_CODEC_FN(nst_codec, th_new_session_ticket, th_parse_new_session_ticket,
            th_write_new_session_ticket, th_new_session_ticket_cleanup)

static int parse(const uint8_t *b, size_t len, th_new_session_ticket *nst, uint8_t *alert) {
    CBS cbs;
    CBS_init(&cbs, b, len);
    return th_parse_new_session_ticket(&cbs, nst, alert);
}

static void test_nst_rfc8448_fields(void **state) {
    (void)state;
    const uint8_t *body;
    size_t len;
    uint8_t *msg = th_test_vector_body(kVec, "new_session_ticket", &body, &len), alert;
    th_new_session_ticket nst;
    assert_true(parse(body, len, &nst, &alert));
    assert_int_equal(nst.ticket_lifetime, 30);
    assert_int_equal(nst.ticket_age_add, 0xfad6aac5);
    assert_int_equal(nst.ticket_nonce.len, 2);
    assert_int_equal(nst.ticket_nonce.data[0], 0);
    assert_int_equal(nst.ticket_nonce.data[1], 0);
    assert_int_equal(nst.ticket.len, 178);
    assert_ptr_equal(nst.ticket.data, body + 13);
    assert_int_equal(nst.extensions.num_exts, 1);
    assert_int_equal(nst.extensions.exts[0].type, TH_EXT_EARLY_DATA);
    assert_int_equal(nst.extensions.exts[0].body.len, 4);
    th_new_session_ticket_cleanup(&nst);
    assert_null(nst.extensions.exts);
    th_new_session_ticket_cleanup(NULL);
    free(msg);
}

static void test_nst_rfc8448_roundtrip_and_rejections(void **state) {
    (void)state;
    const uint8_t *body;
    size_t len;
    uint8_t *msg = th_test_vector_body(kVec, "new_session_ticket", &body, &len);
    th_expect_roundtrip(nst_codec, body, len);
    th_expect_truncations_rejected(nst_codec, body, len);
    th_expect_trailing_rejected(nst_codec, body, len);
    /* ticket_nonce (1), ticket, extensions block, early_data. */
    th_expect_length_pm1_rejected(nst_codec, body, len, 8, 1);
    th_expect_length_pm1_rejected(nst_codec, body, len, 11, 2);
    th_expect_length_pm1_rejected(nst_codec, body, len, 191, 2);
    th_expect_length_pm1_rejected(nst_codec, body, len, 195, 2);
    free(msg);
}

static void test_nst_empty_ticket_is_decode_error(void **state) {
    (void)state;
    size_t len;
    uint8_t *b = th_test_hex("0000001e 00000001 00 0000 0000", &len);
    th_expect_reject(nst_codec, b, len, TH_ALERT_DECODE_ERROR);
    free(b);
}

static void test_nst_minimal_roundtrips(void **state) {
    (void)state;
    /* Empty nonce, one-byte ticket, no extensions. */
    size_t len;
    uint8_t *b = th_test_hex("00093a80 12345678 00 0001 aa 0000", &len);
    th_expect_roundtrip(nst_codec, b, len);
    th_expect_truncations_rejected(nst_codec, b, len);
    th_expect_trailing_rejected(nst_codec, b, len);
    th_expect_length_pm1_rejected(nst_codec, b, len, 8, 1);
    th_expect_length_pm1_rejected(nst_codec, b, len, 9, 2);
    th_expect_length_pm1_rejected(nst_codec, b, len, 12, 2);
    free(b);
}

static void test_nst_lifetime_over_seven_days_is_kept(void **state) {
    (void)state;
    /* RFC 8446 §4.6.1 bounds what servers send; a client caps the lifetime
     * instead of failing, so the codec keeps any value. */
    size_t len;
    uint8_t *b = th_test_hex("ffffffff 00000000 00 0001 aa 0000", &len), alert;
    th_new_session_ticket nst;
    assert_true(parse(b, len, &nst, &alert));
    assert_int_equal(nst.ticket_lifetime, 0xffffffffu);
    th_new_session_ticket_cleanup(&nst);
    free(b);
}

static void test_nst_key_share_is_illegal_parameter(void **state) {
    (void)state;
    size_t len;
    uint8_t *b = th_test_hex("0000001e 00000001 00 0001 aa 0006 0033 0002 0017", &len);
    th_expect_reject(nst_codec, b, len, TH_ALERT_ILLEGAL_PARAMETER);
    free(b);
}

static void test_nst_duplicate_early_data_is_illegal_parameter(void **state) {
    (void)state;
    size_t len;
    uint8_t *b = th_test_hex("0000001e 00000001 00 0001 aa 0010"
                             "002a 0004 00000400 002a 0004 00000400",
                             &len);
    th_expect_reject(nst_codec, b, len, TH_ALERT_ILLEGAL_PARAMETER);
    free(b);
}

static void test_nst_unknown_extension_kept(void **state) {
    (void)state;
    /* RFC 8446 §4.6.1: "Clients MUST ignore unrecognized extensions." */
    size_t len;
    uint8_t *b = th_test_hex("0000001e 00000001 00 0001 aa 0009 2a2a 0000 fff0 0001 07", &len);
    th_expect_roundtrip(nst_codec, b, len);
    free(b);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_nst_rfc8448_fields),
        cmocka_unit_test(test_nst_rfc8448_roundtrip_and_rejections),
        cmocka_unit_test(test_nst_empty_ticket_is_decode_error),
        cmocka_unit_test(test_nst_minimal_roundtrips),
        cmocka_unit_test(test_nst_lifetime_over_seven_days_is_kept),
        cmocka_unit_test(test_nst_key_share_is_illegal_parameter),
        cmocka_unit_test(test_nst_duplicate_early_data_is_illegal_parameter),
        cmocka_unit_test(test_nst_unknown_extension_kept),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
