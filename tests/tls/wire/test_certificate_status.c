#include <stdlib.h>
#include <string.h>

#include <openssl/mem.h>

#include "certificate_status.h"
#include "testutil.h"

TH_CODEC_FN(status_codec, th_certificate_status, th_parse_certificate_status,
            th_write_certificate_status, th_test_no_cleanup)

static uint8_t *load(const uint8_t **body, size_t *len) {
    uint8_t *msg = th_test_vector_body("tls12-boringssl.txt",
                                       "ecdhe_ecdsa12_server_certificate_status", body, len);
    assert_int_equal(msg[0], TH_HS_CERTIFICATE_STATUS);
    return msg;
}

static void test_certificate_status_vector(void **state) {
    (void)state;
    const uint8_t *body;
    size_t len;
    uint8_t *msg = load(&body, &len);
    th_certificate_status cs;
    uint8_t alert;
    CBS in;
    CBS_init(&in, body, len);
    assert_true(th_parse_certificate_status(&in, &cs, &alert));
    assert_int_equal(cs.status_type, TH_CERT_STATUS_TYPE_OCSP);
    /* The OCSPResponse the server was configured with. */
    assert_int_equal(cs.response.len, 5);
    assert_memory_equal(cs.response.data, "\x30\x03\x0a\x01\x00", 5);
    th_expect_roundtrip(status_codec, body, len);
    th_expect_truncations_rejected(status_codec, body, len);
    th_expect_trailing_rejected(status_codec, body, len);
    th_expect_length_pm1_rejected(status_codec, body, len, 1, 3);
    free(msg);
}

static void test_certificate_status_unknown_type_is_decode_error(void **state) {
    (void)state;
    const uint8_t *body;
    size_t len;
    uint8_t *msg = load(&body, &len);
    /* ocsp_multi(2) has a different body (RFC 6961); 0 and 255 are unassigned. */
    static const char *const kTypes[] = {"02", "00", "ff"};
    for (size_t i = 0; i < sizeof(kTypes) / sizeof(kTypes[0]); i++) {
        uint8_t *bad = th_test_patch(body, len, 0, kTypes[i]);
        th_expect_reject(status_codec, bad, len, TH_ALERT_DECODE_ERROR);
        free(bad);
    }
    free(msg);
}

static void test_certificate_status_empty_response_is_decode_error(void **state) {
    (void)state;
    static const uint8_t kEmpty[] = {0x01, 0x00, 0x00, 0x00};
    th_expect_reject(status_codec, kEmpty, sizeof(kEmpty), TH_ALERT_DECODE_ERROR);
}

static void test_certificate_status_write_from_scratch(void **state) {
    (void)state;
    const uint8_t *body;
    size_t len;
    uint8_t *msg = load(&body, &len);
    static const uint8_t kOcsp[] = {0x30, 0x03, 0x0a, 0x01, 0x00};
    th_certificate_status cs = {TH_CERT_STATUS_TYPE_OCSP, {kOcsp, sizeof(kOcsp)}};
    CBB cbb;
    uint8_t *out;
    size_t out_len;
    assert_true(CBB_init(&cbb, 0));
    assert_true(th_write_certificate_status(&cbb, &cs));
    assert_true(CBB_finish(&cbb, &out, &out_len));
    assert_int_equal(out_len, len);
    assert_memory_equal(out, body, len);
    OPENSSL_free(out);
    free(msg);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_certificate_status_vector),
        cmocka_unit_test(test_certificate_status_unknown_type_is_decode_error),
        cmocka_unit_test(test_certificate_status_empty_response_is_decode_error),
        cmocka_unit_test(test_certificate_status_write_from_scratch),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
