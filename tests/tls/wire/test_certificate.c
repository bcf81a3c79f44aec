#include <stdlib.h>
#include <string.h>

#include <openssl/mem.h>

#include "certificate.h"
#include "testutil.h"

static const char kVec[] = "rfc8448-simple-1rtt.txt";

TH_CODEC_FN(cert_codec, th_certificate, th_parse_certificate, th_write_certificate,
            th_certificate_cleanup)

static int parse(const uint8_t *b, size_t len, th_certificate *cert, uint8_t *alert) {
    CBS cbs;
    CBS_init(&cbs, b, len);
    return th_parse_certificate(&cbs, cert, alert);
}

static void test_cert_rfc8448_fields(void **state) {
    (void)state;
    const uint8_t *body;
    size_t len;
    uint8_t *msg = th_test_vector_body(kVec, "certificate", &body, &len), alert;
    th_certificate cert;
    assert_true(parse(body, len, &cert, &alert));
    assert_int_equal(cert.certificate_request_context.len, 0);
    assert_int_equal(cert.num_entries, 1);
    assert_int_equal(cert.entries[0].cert_data.len, 432);
    assert_ptr_equal(cert.entries[0].cert_data.data, body + 7);
    assert_int_equal(cert.entries[0].cert_data.data[0], 0x30); /* DER SEQUENCE */
    assert_int_equal(cert.entries[0].extensions.num_exts, 0);
    th_certificate_cleanup(&cert);
    assert_null(cert.entries);
    assert_int_equal(cert.num_entries, 0);
    free(msg);
}

static void test_cert_rfc8448_roundtrip_and_rejections(void **state) {
    (void)state;
    const uint8_t *body;
    size_t len;
    uint8_t *msg = th_test_vector_body(kVec, "certificate", &body, &len);
    th_expect_roundtrip(cert_codec, body, len);
    th_expect_truncations_rejected(cert_codec, body, len);
    th_expect_trailing_rejected(cert_codec, body, len);
    /* Context (1), certificate_list (3), cert_data (3), entry extensions (2). */
    th_expect_length_pm1_rejected(cert_codec, body, len, 0, 1);
    th_expect_length_pm1_rejected(cert_codec, body, len, 1, 3);
    th_expect_length_pm1_rejected(cert_codec, body, len, 4, 3);
    th_expect_length_pm1_rejected(cert_codec, body, len, 439, 2);
    free(msg);
}

static void test_cert_empty_list_roundtrips(void **state) {
    (void)state;
    /* RFC 8446 §4.4.2: a client without a suitable certificate sends an
     * empty certificate_list. */
    size_t len;
    uint8_t *b = th_test_hex("00 000000", &len);
    th_expect_roundtrip(cert_codec, b, len);
    th_expect_truncations_rejected(cert_codec, b, len);
    th_expect_trailing_rejected(cert_codec, b, len);
    free(b);
}

/* Two entries, the first with OCSP status and SCT extensions, under a
 * post-handshake context of 4 bytes. */
static const char kChain[] = "04 01020304"
                             "000025"
                             "000003 aabbcc"
                             "0016"
                             "0005 0008 01 000004 deadbeef"
                             "0012 0006 0004 0002 abcd"
                             "000002 ddee"
                             "0000";

static void test_cert_chain_with_extensions_roundtrips(void **state) {
    (void)state;
    size_t len;
    uint8_t *b = th_test_hex(kChain, &len), alert;
    th_certificate cert;
    assert_true(parse(b, len, &cert, &alert));
    assert_int_equal(cert.certificate_request_context.len, 4);
    assert_int_equal(cert.num_entries, 2);
    assert_int_equal(cert.entries[0].cert_data.len, 3);
    assert_int_equal(cert.entries[0].extensions.num_exts, 2);
    assert_int_equal(cert.entries[0].extensions.exts[0].type, TH_EXT_STATUS_REQUEST);
    assert_int_equal(cert.entries[0].extensions.exts[1].type, TH_EXT_SIGNED_CERTIFICATE_TIMESTAMP);
    assert_int_equal(cert.entries[1].cert_data.len, 2);
    assert_int_equal(cert.entries[1].extensions.num_exts, 0);
    th_certificate_cleanup(&cert);
    th_expect_roundtrip(cert_codec, b, len);
    th_expect_truncations_rejected(cert_codec, b, len);
    th_expect_trailing_rejected(cert_codec, b, len);
    /* context, list, cert_data 1, extensions 1, status_request, SCT,
     * cert_data 2, extensions 2. */
    static const struct {
        size_t offset, width;
    } kLengths[] = {{0, 1}, {5, 3}, {8, 3}, {14, 2}, {18, 2}, {30, 2}, {38, 3}, {43, 2}};
    for (size_t i = 0; i < sizeof(kLengths) / sizeof(kLengths[0]); i++) {
        th_expect_length_pm1_rejected(cert_codec, b, len, kLengths[i].offset, kLengths[i].width);
    }
    free(b);
}

static void test_cert_empty_cert_data_is_decode_error(void **state) {
    (void)state;
    size_t len;
    uint8_t *b = th_test_hex("00 000005 000000 0000", &len);
    th_expect_reject(cert_codec, b, len, TH_ALERT_DECODE_ERROR);
    free(b);
}

static void test_cert_key_share_in_entry_is_illegal_parameter(void **state) {
    (void)state;
    size_t len;
    uint8_t *b = th_test_hex("00 00000c 000001 aa 0006 0033 0002 0017", &len);
    th_expect_reject(cert_codec, b, len, TH_ALERT_ILLEGAL_PARAMETER);
    free(b);
}

static void test_cert_duplicate_extension_in_entry_is_illegal_parameter(void **state) {
    (void)state;
    size_t len;
    uint8_t *b = th_test_hex("00 00001a 000001 aa 0014"
                             "0012 0006 0004 0002 abcd 0012 0006 0004 0002 abcd",
                             &len);
    th_expect_reject(cert_codec, b, len, TH_ALERT_ILLEGAL_PARAMETER);
    free(b);
}

static void test_cert_writer_builds_chain(void **state) {
    (void)state;
    static const uint8_t kLeaf[] = {0x30, 0x01, 0x00}, kCa[] = {0x30, 0x00};
    th_certificate cert;
    CBB cbb;
    uint8_t *out;
    size_t out_len, want_len;
    memset(&cert, 0, sizeof(cert));
    assert_true(th_certificate_add_entry(&cert, (th_bytes){kLeaf, sizeof(kLeaf)}));
    assert_true(th_certificate_add_entry(&cert, (th_bytes){kCa, sizeof(kCa)}));
    assert_true(th_ext_block_add(&cert.entries[1].extensions, 0x7a7a, (th_bytes){NULL, 0}));
    assert_true(CBB_init(&cbb, 64));
    assert_true(th_write_certificate(&cbb, &cert));
    assert_true(CBB_finish(&cbb, &out, &out_len));
    uint8_t *want =
        th_test_hex("00 000013 000003 300100 0000 000002 3000 0004 7a7a 0000", &want_len);
    assert_int_equal(out_len, want_len);
    assert_memory_equal(out, want, want_len);
    th_expect_roundtrip(cert_codec, out, out_len);
    free(want);
    OPENSSL_free(out);
    th_certificate_cleanup(&cert);
    th_certificate_cleanup(NULL);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cert_rfc8448_fields),
        cmocka_unit_test(test_cert_rfc8448_roundtrip_and_rejections),
        cmocka_unit_test(test_cert_empty_list_roundtrips),
        cmocka_unit_test(test_cert_chain_with_extensions_roundtrips),
        cmocka_unit_test(test_cert_empty_cert_data_is_decode_error),
        cmocka_unit_test(test_cert_key_share_in_entry_is_illegal_parameter),
        cmocka_unit_test(test_cert_duplicate_extension_in_entry_is_illegal_parameter),
        cmocka_unit_test(test_cert_writer_builds_chain),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
