#include <stdlib.h>
#include <string.h>

#include <openssl/mem.h>

#include "new_session_ticket_tls12.h"
#include "testutil.h"

TH_CODEC_FN(nst_codec, th_new_session_ticket_tls12, th_parse_new_session_ticket_tls12,
            th_write_new_session_ticket_tls12, th_test_no_cleanup)

static uint8_t *load(const char *name, const uint8_t **body, size_t *len) {
    uint8_t *msg = th_test_vector_body("tls12-boringssl.txt", name, body, len);
    assert_int_equal(msg[0], TH_HS_NEW_SESSION_TICKET);
    return msg;
}

static void check_vector(const char *name, size_t ticket_len) {
    const uint8_t *body;
    size_t len;
    uint8_t *msg = load(name, &body, &len);
    th_new_session_ticket_tls12 nst;
    uint8_t alert;
    CBS in;
    CBS_init(&in, body, len);
    assert_true(th_parse_new_session_ticket_tls12(&in, &nst, &alert));
    assert_int_equal(nst.ticket_lifetime_hint, 7200); /* BoringSSL's default session timeout */
    assert_int_equal(nst.ticket.len, ticket_len);
    assert_ptr_equal(nst.ticket.data, body + 6);
    th_expect_roundtrip(nst_codec, body, len);
    th_expect_truncations_rejected(nst_codec, body, len);
    th_expect_trailing_rejected(nst_codec, body, len);
    th_expect_length_pm1_rejected(nst_codec, body, len, 4, 2);
    free(msg);
}

static void test_nst12_vector(void **state) {
    (void)state;
    check_vector("ecdhe_rsa12_server_new_session_ticket", 160);
    check_vector("rsa12_server_new_session_ticket", 160);
}

/* A ticket carrying the client certificate is larger. */
static void test_nst12_large_ticket_vector(void **state) {
    (void)state;
    check_vector("ecdhe_ecdsa12_server_new_session_ticket", 464);
}

/* RFC 5077 §3.3: a server may send an empty ticket after all. */
static void test_nst12_empty_ticket_accepted(void **state) {
    (void)state;
    size_t len;
    uint8_t *b = th_test_hex("00000000 0000", &len);
    th_expect_roundtrip(nst_codec, b, len);
    th_expect_truncations_rejected(nst_codec, b, len);
    th_expect_trailing_rejected(nst_codec, b, len);
    free(b);
}

static void test_nst12_write_from_scratch(void **state) {
    (void)state;
    const uint8_t *body;
    size_t len;
    uint8_t *msg = load("ecdhe_rsa12_server_new_session_ticket", &body, &len);
    th_new_session_ticket_tls12 nst = {7200, {body + 6, len - 6}};
    CBB cbb;
    uint8_t *out;
    size_t out_len;
    assert_true(CBB_init(&cbb, 0));
    assert_true(th_write_new_session_ticket_tls12(&cbb, &nst));
    assert_true(CBB_finish(&cbb, &out, &out_len));
    assert_int_equal(out_len, len);
    assert_memory_equal(out, body, len);
    OPENSSL_free(out);
    free(msg);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_nst12_vector),
        cmocka_unit_test(test_nst12_large_ticket_vector),
        cmocka_unit_test(test_nst12_empty_ticket_accepted),
        cmocka_unit_test(test_nst12_write_from_scratch),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
