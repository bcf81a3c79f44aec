#include <stdlib.h>
#include <string.h>

#include "handshake.h"
#include "testutil.h"

static const char kVec[] = "rfc8448-simple-1rtt.txt";
static const char *const kServerFlight[] = {"server_hello", "encrypted_extensions", "certificate",
                                            "certificate_verify", "server_finished"};
#define NUM_FLIGHT (sizeof(kServerFlight) / sizeof(kServerFlight[0]))

TH_CODEC_FN(hs_codec, th_handshake, th_parse_handshake, th_write_handshake, th_test_no_cleanup)

/* The server's flight as one byte stream, with each message's offset. */
static uint8_t *server_flight(size_t *out_len, size_t offsets[NUM_FLIGHT + 1]) {
    uint8_t *all = NULL;
    size_t len = 0;
    for (size_t i = 0; i < NUM_FLIGHT; i++) {
        size_t n;
        uint8_t *msg = th_test_vector(kVec, kServerFlight[i], &n);
        all = realloc(all, len + n);
        assert_non_null(all);
        memcpy(all + len, msg, n);
        offsets[i] = len;
        len += n;
        free(msg);
    }
    offsets[NUM_FLIGHT] = len;
    *out_len = len;
    return all;
}

static void test_handshake_header_roundtrip_and_rejections(void **state) {
    (void)state;
    size_t len;
    uint8_t *ch = th_test_vector(kVec, "client_hello", &len);
    th_expect_roundtrip(hs_codec, ch, len);
    th_expect_truncations_rejected(hs_codec, ch, len);
    th_expect_trailing_rejected(hs_codec, ch, len);
    th_expect_length_pm1_rejected(hs_codec, ch, len, 1, 3);
    free(ch);
}

/* Feeds |stream| to a reassembler in records of |rec| bytes and checks that the
 * messages come out whole, in order and byte-exact. */
static void check_split(const uint8_t *stream, size_t len, const size_t *offsets, size_t rec) {
    th_hs_reasm r;
    th_handshake msg;
    uint8_t alert;
    size_t next = 0;
    th_hs_reasm_init(&r, 0);
    for (size_t off = 0; off < len; off += rec) {
        size_t n = len - off < rec ? len - off : rec;
        assert_true(th_hs_reasm_add(&r, stream + off, n, &alert));
        while (th_hs_reasm_next(&r, &msg)) {
            assert_true(next < NUM_FLIGHT);
            size_t want = offsets[next + 1] - offsets[next];
            assert_int_equal(msg.type, stream[offsets[next]]);
            assert_int_equal(msg.body.len + TH_HANDSHAKE_HEADER_LEN, want);
            assert_memory_equal(msg.body.data, stream + offsets[next] + 4, want - 4);
            next++;
        }
    }
    assert_int_equal(next, NUM_FLIGHT);
    assert_int_equal(th_hs_reasm_pending(&r), 0);
    th_hs_reasm_cleanup(&r);
}

static void test_reasm_every_record_size_yields_same_messages(void **state) {
    (void)state;
    size_t len, offsets[NUM_FLIGHT + 1];
    uint8_t *flight = server_flight(&len, offsets);
    for (size_t rec = 1; rec <= len; rec++) {
        check_split(flight, len, offsets, rec);
    }
    free(flight);
}

static void test_reasm_one_record_many_messages(void **state) {
    (void)state;
    size_t len, offsets[NUM_FLIGHT + 1];
    uint8_t *flight = server_flight(&len, offsets);
    check_split(flight, len, offsets, len);
    free(flight);
}

static void test_reasm_partial_message_is_pending(void **state) {
    (void)state;
    size_t len;
    uint8_t *fin = th_test_vector(kVec, "server_finished", &len);
    th_hs_reasm r;
    th_handshake msg;
    uint8_t alert;
    th_hs_reasm_init(&r, 0);
    assert_true(th_hs_reasm_add(&r, fin, len - 1, &alert));
    assert_false(th_hs_reasm_next(&r, &msg));
    assert_int_equal(th_hs_reasm_pending(&r), len - 1);
    assert_true(th_hs_reasm_add(&r, fin + len - 1, 1, &alert));
    assert_true(th_hs_reasm_next(&r, &msg));
    assert_int_equal(msg.type, TH_HS_FINISHED);
    assert_int_equal(th_hs_reasm_pending(&r), 0);
    th_hs_reasm_cleanup(&r);
    free(fin);
}

static void test_reasm_oversize_is_illegal_parameter_and_sticky(void **state) {
    (void)state;
    th_hs_reasm r;
    uint8_t alert = 0;
    /* A header announcing 1001 bytes with a 1000-byte limit is refused as soon
     * as the header is complete, before any body is buffered. */
    const uint8_t hdr[] = {TH_HS_CERTIFICATE, 0x00, 0x03, 0xe9};
    th_hs_reasm_init(&r, 1000);
    assert_true(th_hs_reasm_add(&r, hdr, 3, &alert));
    assert_false(th_hs_reasm_add(&r, hdr + 3, 1, &alert));
    assert_int_equal(alert, TH_ALERT_ILLEGAL_PARAMETER);
    alert = 0;
    assert_false(th_hs_reasm_add(&r, hdr, 1, &alert));
    assert_int_equal(alert, TH_ALERT_ILLEGAL_PARAMETER);
    th_hs_reasm_cleanup(&r);

    /* Exactly the limit is fine. */
    const uint8_t ok[] = {TH_HS_CERTIFICATE, 0x00, 0x03, 0xe8};
    th_hs_reasm_init(&r, 1000);
    assert_true(th_hs_reasm_add(&r, ok, 4, &alert));
    th_hs_reasm_cleanup(&r);
}

static void test_reasm_oversize_second_message_in_record(void **state) {
    (void)state;
    th_hs_reasm r;
    th_handshake msg;
    uint8_t alert = 0;
    /* A good empty message followed in the same record by an oversize header. */
    const uint8_t rec[] = {TH_HS_SERVER_HELLO_DONE, 0, 0, 0, TH_HS_CERTIFICATE, 0x01, 0x00, 0x00};
    th_hs_reasm_init(&r, 100);
    assert_false(th_hs_reasm_add(&r, rec, sizeof(rec), &alert));
    assert_int_equal(alert, TH_ALERT_ILLEGAL_PARAMETER);
    assert_false(th_hs_reasm_next(&r, &msg));
    th_hs_reasm_cleanup(&r);
}

static void test_reasm_memory_stays_bounded(void **state) {
    (void)state;
    /* 4096 empty messages one byte at a time never need more than a few bytes. */
    th_hs_reasm r;
    th_handshake msg;
    uint8_t alert;
    const uint8_t empty[] = {TH_HS_SERVER_HELLO_DONE, 0, 0, 0};
    th_hs_reasm_init(&r, 0);
    for (int i = 0; i < 4096; i++) {
        for (int j = 0; j < 4; j++) {
            assert_true(th_hs_reasm_add(&r, &empty[j], 1, &alert));
        }
        assert_true(th_hs_reasm_next(&r, &msg));
        assert_int_equal(msg.body.len, 0);
    }
    assert_true(r.cap <= 256);
    th_hs_reasm_cleanup(&r);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_handshake_header_roundtrip_and_rejections),
        cmocka_unit_test(test_reasm_every_record_size_yields_same_messages),
        cmocka_unit_test(test_reasm_one_record_many_messages),
        cmocka_unit_test(test_reasm_partial_message_is_pending),
        cmocka_unit_test(test_reasm_oversize_is_illegal_parameter_and_sticky),
        cmocka_unit_test(test_reasm_oversize_second_message_in_record),
        cmocka_unit_test(test_reasm_memory_stays_bounded),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
