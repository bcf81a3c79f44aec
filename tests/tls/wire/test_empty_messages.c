#include <stdlib.h>
#include <string.h>

#include "empty_messages.h"
#include "testutil.h"

TH_CODEC_FN(hello_request_codec, th_hello_request, th_parse_hello_request, th_write_hello_request,
            th_test_no_cleanup)
TH_CODEC_FN(server_hello_done_codec, th_server_hello_done, th_parse_server_hello_done,
            th_write_server_hello_done, th_test_no_cleanup)
TH_CODEC_FN(end_of_early_data_codec, th_end_of_early_data, th_parse_end_of_early_data,
            th_write_end_of_early_data, th_test_no_cleanup)

static const th_codec_fn kCodecs[] = {hello_request_codec, server_hello_done_codec,
                                      end_of_early_data_codec};
#define NUM_CODECS (sizeof(kCodecs) / sizeof(kCodecs[0]))

/* HelloRequest has no vector (BoringSSL servers never send one): its body is
 * empty by RFC 5246 §7.4.1.1. */
static void test_hello_request_roundtrip(void **state) {
    (void)state;
    static const uint8_t kEmpty[1] = {0};
    th_expect_roundtrip(hello_request_codec, kEmpty, 0);
    th_expect_trailing_rejected(hello_request_codec, kEmpty, 0);
}

static void test_server_hello_done_vector_roundtrip(void **state) {
    (void)state;
    const uint8_t *body;
    size_t len;
    uint8_t *msg = th_test_vector_body("tls12-boringssl.txt",
                                       "ecdhe_ecdsa12_server_server_hello_done", &body, &len);
    assert_int_equal(msg[0], TH_HS_SERVER_HELLO_DONE);
    assert_int_equal(len, 0);
    th_expect_roundtrip(server_hello_done_codec, body, len);
    th_expect_truncations_rejected(server_hello_done_codec, body, len);
    th_expect_trailing_rejected(server_hello_done_codec, body, len);
    free(msg);
}

static void test_end_of_early_data_rfc8448_roundtrip(void **state) {
    (void)state;
    const uint8_t *body;
    size_t len;
    uint8_t *msg =
        th_test_vector_body("rfc8448-resumed-0rtt.txt", "end_of_early_data", &body, &len);
    assert_int_equal(msg[0], TH_HS_END_OF_EARLY_DATA);
    assert_int_equal(len, 0);
    th_expect_roundtrip(end_of_early_data_codec, body, len);
    th_expect_trailing_rejected(end_of_early_data_codec, body, len);
    free(msg);
}

static void test_empty_messages_nonempty_body_is_decode_error(void **state) {
    (void)state;
    uint8_t body[3] = {0x01, 0x00, 0xff};
    for (size_t i = 0; i < NUM_CODECS; i++) {
        for (size_t len = 1; len <= sizeof(body); len++) {
            th_expect_reject(kCodecs[i], body, len, TH_ALERT_DECODE_ERROR);
        }
    }
}

static void test_empty_messages_write_nothing(void **state) {
    (void)state;
    CBB cbb;
    th_hello_request hr = {0};
    th_server_hello_done shd = {0};
    th_end_of_early_data eoed = {0};
    assert_true(CBB_init(&cbb, 0));
    assert_true(th_write_hello_request(&cbb, &hr));
    assert_true(th_write_server_hello_done(&cbb, &shd));
    assert_true(th_write_end_of_early_data(&cbb, &eoed));
    assert_int_equal(CBB_len(&cbb), 0);
    CBB_cleanup(&cbb);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hello_request_roundtrip),
        cmocka_unit_test(test_server_hello_done_vector_roundtrip),
        cmocka_unit_test(test_end_of_early_data_rfc8448_roundtrip),
        cmocka_unit_test(test_empty_messages_nonempty_body_is_decode_error),
        cmocka_unit_test(test_empty_messages_write_nothing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
