#include <stdlib.h>
#include <string.h>

#include "finished.h"
#include "testutil.h"

static const char kVec[] = "rfc8448-simple-1rtt.txt";

TH_CODEC_FN(fin_codec, th_finished, th_parse_finished, th_write_finished, th_test_no_cleanup)

static void check_vector(const char *msg_name, const char *verify_data_name) {
    const uint8_t *body;
    size_t len, want_len;
    uint8_t *msg = th_test_vector_body(kVec, msg_name, &body, &len), alert;
    uint8_t *want = th_test_vector(kVec, verify_data_name, &want_len);
    th_finished fin;
    CBS cbs;
    CBS_init(&cbs, body, len);
    assert_true(th_parse_finished(&cbs, &fin, &alert));
    assert_int_equal(CBS_len(&cbs), 0);
    assert_int_equal(fin.verify_data.len, 32);
    assert_int_equal(fin.verify_data.len, want_len);
    assert_memory_equal(fin.verify_data.data, want, want_len);
    th_expect_roundtrip(fin_codec, body, len);
    free(want);
    free(msg);
}

static void test_fin_rfc8448_server_and_client_roundtrip(void **state) {
    (void)state;
    check_vector("server_finished", "server_finished_verify_data");
    check_vector("client_finished", "client_finished_verify_data");
}

static void test_fin_tls12_length_roundtrips(void **state) {
    (void)state;
    static const uint8_t k12[12] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
    th_expect_roundtrip(fin_codec, k12, sizeof(k12));
}

static void test_fin_empty_is_decode_error(void **state) {
    (void)state;
    static const uint8_t kOne[1] = {0};
    th_expect_reject(fin_codec, kOne, 0, TH_ALERT_DECODE_ERROR);
}

static void test_fin_takes_every_byte(void **state) {
    (void)state;
    /* verify_data has no length field: every truncation but the empty one and
     * every extra byte are a verify_data of another length, which the engine
     * compares against the expected verify_data (decrypt_error there, as
     * BoringSSL's single comparison in tls13_process_finished). */
    static const uint8_t k33[33] = {0};
    for (size_t i = 1; i <= sizeof(k33); i++) {
        th_expect_roundtrip(fin_codec, k33, i);
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fin_rfc8448_server_and_client_roundtrip),
        cmocka_unit_test(test_fin_tls12_length_roundtrips),
        cmocka_unit_test(test_fin_empty_is_decode_error),
        cmocka_unit_test(test_fin_takes_every_byte),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
