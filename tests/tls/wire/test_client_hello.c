#include <stdlib.h>
#include <string.h>

#include <openssl/mem.h>

#include "client_hello.h"
#include "testutil.h"

static const char kVec[] = "rfc8448-simple-1rtt.txt";
static const char kResumed[] = "rfc8448-resumed-0rtt.txt";

TH_CODEC_FN(ch_codec, th_client_hello, th_parse_client_hello, th_write_client_hello,
            th_client_hello_cleanup)

/* Length fields of the RFC 8448 1-RTT ClientHello body: session id (1 byte),
 * cipher_suites, compression_methods (1 byte), the extensions block and the
 * length of each of its 9 extensions. */
static const struct {
    size_t offset, width;
} kLengths[] = {{34, 1}, {35, 2}, {43, 1},  {45, 2},  {49, 2},  {64, 2}, {69, 2},
                {93, 2}, {97, 2}, {139, 2}, {146, 2}, {182, 2}, {188, 2}};

/* The same for the resumed ClientHello (11 extensions, pre_shared_key last). */
static const struct {
    size_t offset, width;
} kResumedLengths[] = {{34, 1},  {35, 2},  {43, 1},  {45, 2},  {49, 2},  {64, 2},  {69, 2}, {93, 2},
                       {135, 2}, {139, 2}, {146, 2}, {182, 2}, {188, 2}, {194, 2}, {285, 2}};

static int parse(const uint8_t *b, size_t len, th_client_hello *ch, uint8_t *alert) {
    CBS cbs;
    CBS_init(&cbs, b, len);
    return th_parse_client_hello(&cbs, ch, alert);
}

/* Every strict prefix of a ClientHello body is decode_error except the one
 * ending right after compression_methods (at |no_ext_len|), which is the valid
 * TLS 1.2 form without extensions (RFC 5246 §7.4.1.2). */
static void expect_truncations_rejected(const uint8_t *b, size_t len, size_t no_ext_len) {
    for (size_t i = 0; i < len; i++) {
        if (i != no_ext_len) {
            th_expect_reject(ch_codec, b, i, TH_ALERT_DECODE_ERROR);
        }
    }
    th_client_hello ch;
    uint8_t alert;
    assert_true(parse(b, no_ext_len, &ch, &alert));
    assert_false(ch.has_extensions);
    th_client_hello_cleanup(&ch);
}

/* The resumed ClientHello: client_hello_prefix || 0021 20 || psk_binder. */
static uint8_t *resumed_ch(size_t *out_len, size_t *out_prefix_len) {
    size_t prefix_len, binder_len;
    uint8_t *prefix = th_test_vector(kResumed, "client_hello_prefix", &prefix_len);
    uint8_t *binder = th_test_vector(kResumed, "psk_binder", &binder_len);
    assert_int_equal(binder_len, 32);
    uint8_t *msg = malloc(prefix_len + 3 + binder_len);
    assert_non_null(msg);
    memcpy(msg, prefix, prefix_len);
    msg[prefix_len] = 0x00;
    msg[prefix_len + 1] = 0x21;
    msg[prefix_len + 2] = 0x20;
    memcpy(msg + prefix_len + 3, binder, binder_len);
    *out_len = prefix_len + 3 + binder_len;
    *out_prefix_len = prefix_len;
    free(prefix);
    free(binder);
    return msg;
}

/* A ClientHello body with a fixed random, no session id, suites 1301 1303
 * 1302, then |compression_hex| as the methods and |exts_hex| as the extension
 * list (NULL: no extensions block at all). */
static uint8_t *make_ch(const char *compression_hex, const char *exts_hex, size_t *out_len) {
    static const uint16_t kSuites[] = {0x1301, 0x1303, 0x1302};
    uint8_t random[TH_RANDOM_LEN];
    CBB cbb, child;
    size_t n;
    uint8_t *bytes, *out;
    memset(random, 0x11, sizeof(random));
    assert_true(CBB_init(&cbb, 128));
    assert_true(CBB_add_u16(&cbb, TH_VERSION_TLS12));
    assert_true(CBB_add_bytes(&cbb, random, sizeof(random)));
    assert_true(CBB_add_u8(&cbb, 0));
    assert_true(CBB_add_u16_length_prefixed(&cbb, &child));
    for (size_t i = 0; i < 3; i++) {
        assert_true(CBB_add_u16(&child, kSuites[i]));
    }
    bytes = th_test_hex(compression_hex, &n);
    assert_true(CBB_add_u8_length_prefixed(&cbb, &child));
    assert_true(CBB_add_bytes(&child, bytes, n));
    free(bytes);
    if (exts_hex != NULL) {
        bytes = th_test_hex(exts_hex, &n);
        assert_true(CBB_add_u16_length_prefixed(&cbb, &child));
        assert_true(CBB_add_bytes(&child, bytes, n));
        free(bytes);
    }
    assert_true(CBB_finish(&cbb, &bytes, &n));
    out = malloc(n);
    assert_non_null(out);
    memcpy(out, bytes, n);
    OPENSSL_free(bytes);
    *out_len = n;
    return out;
}

/* Extensions with valid bodies for building ClientHellos. */
#define SV13      "002b 0003 020304"
#define SV12      "002b 0003 020303"
#define GROUPS    "000a 0004 0002 001d"
#define SHARE     "0033 0002 0000" /* empty client_shares is permitted, §9.2 */
#define SIGALGS   "000d 0004 0002 0804"
#define PSK_MODES "002d 0002 0101"
#define PSK                                                                                        \
    "0029 0031 000c 0006 7469636b6574 00000000 0021 20"                                            \
    "abababababababababababababababababababababababababababababababab"

/* Builds a ClientHello with |compression_hex| and |exts_hex|, parses it, and
 * returns the alert of th_client_hello_check_tls13 (0 when it passes). */
static uint8_t check13(const char *compression_hex, const char *exts_hex) {
    size_t len;
    uint8_t *b = make_ch(compression_hex, exts_hex, &len), alert = 0;
    th_client_hello ch;
    if (!parse(b, len, &ch, &alert)) {
        fail_msg("the codec rejected the ClientHello (alert %u)", alert);
    }
    alert = 0;
    int ok = th_client_hello_check_tls13(&ch, &alert);
    assert_true(ok == (alert == 0));
    th_client_hello_cleanup(&ch);
    free(b);
    return alert;
}

static void test_ch_rfc8448_fields(void **state) {
    (void)state;
    const uint8_t *body;
    size_t len;
    uint8_t *msg = th_test_vector_body(kVec, "client_hello", &body, &len), alert;
    th_client_hello ch;
    static const uint16_t kExtOrder[] = {0x0000, 0xff01, 0x000a, 0x0023, 0x0033,
                                         0x002b, 0x000d, 0x002d, 0x001c};
    assert_true(parse(body, len, &ch, &alert));
    assert_int_equal(ch.legacy_version, 0x0303);
    assert_memory_equal(ch.random, body + 2, TH_RANDOM_LEN);
    assert_int_equal(ch.random[0], 0xcb);
    assert_int_equal(ch.random[31], 0xe7);
    assert_int_equal(ch.legacy_session_id.len, 0);
    assert_int_equal(ch.num_cipher_suites, 3);
    assert_int_equal(ch.cipher_suites[0], TH_TLS_AES_128_GCM_SHA256);
    assert_int_equal(ch.cipher_suites[1], TH_TLS_CHACHA20_POLY1305_SHA256);
    assert_int_equal(ch.cipher_suites[2], TH_TLS_AES_256_GCM_SHA384);
    assert_int_equal(ch.legacy_compression_methods.len, 1);
    assert_int_equal(ch.legacy_compression_methods.data[0], 0);
    assert_true(ch.has_extensions);
    assert_int_equal(ch.extensions.num_exts, 9);
    for (size_t i = 0; i < 9; i++) {
        assert_int_equal(ch.extensions.exts[i].type, kExtOrder[i]);
    }
    assert_true(th_client_hello_offers_tls13(&ch));
    assert_true(th_client_hello_check_tls13(&ch, &alert));
    th_client_hello_cleanup(&ch);
    assert_null(ch.cipher_suites);
    assert_null(ch.extensions.exts);
    free(msg);
}

static void test_ch_rfc8448_roundtrip_and_rejections(void **state) {
    (void)state;
    const uint8_t *body;
    size_t len;
    uint8_t *msg = th_test_vector_body(kVec, "client_hello", &body, &len);
    th_expect_roundtrip(ch_codec, body, len);
    expect_truncations_rejected(body, len, 45);
    th_expect_trailing_rejected(ch_codec, body, len);
    for (size_t i = 0; i < sizeof(kLengths) / sizeof(kLengths[0]); i++) {
        th_expect_length_pm1_rejected(ch_codec, body, len, kLengths[i].offset, kLengths[i].width);
    }
    free(msg);
}

static void test_ch_resumed_roundtrip_and_rejections(void **state) {
    (void)state;
    size_t len, prefix_len;
    uint8_t *msg = resumed_ch(&len, &prefix_len), alert;
    const uint8_t *body = msg + 4;
    size_t body_len = len - 4;
    th_client_hello ch;
    th_expect_roundtrip(ch_codec, body, body_len);
    expect_truncations_rejected(body, body_len, 45);
    th_expect_trailing_rejected(ch_codec, body, body_len);
    for (size_t i = 0; i < sizeof(kResumedLengths) / sizeof(kResumedLengths[0]); i++) {
        th_expect_length_pm1_rejected(ch_codec, body, body_len, kResumedLengths[i].offset,
                                      kResumedLengths[i].width);
    }
    assert_true(parse(body, body_len, &ch, &alert));
    assert_int_equal(ch.extensions.num_exts, 11);
    assert_int_equal(ch.extensions.exts[4].type, TH_EXT_EARLY_DATA);
    assert_int_equal(ch.extensions.exts[9].type, TH_EXT_PADDING);
    assert_int_equal(ch.extensions.exts[10].type, TH_EXT_PRE_SHARED_KEY);
    assert_true(th_client_hello_check_tls13(&ch, &alert));
    th_client_hello_cleanup(&ch);
    free(msg);
}

static void test_ch_truncated_len_is_the_vector_prefix(void **state) {
    (void)state;
    size_t len, prefix_len, got = 0;
    uint8_t *msg = resumed_ch(&len, &prefix_len);
    assert_true(th_client_hello_truncated_len(msg, len, &got));
    assert_int_equal(got, prefix_len);
    assert_int_equal(got, len - 35);
    free(msg);
}

static void test_ch_truncated_len_refuses_malformed_messages(void **state) {
    (void)state;
    size_t len, prefix_len, got = 0;
    uint8_t *msg = resumed_ch(&len, &prefix_len);
    /* Every truncation, a wrong type and a trailing byte fail. */
    for (size_t i = 0; i < len; i++) {
        assert_false(th_client_hello_truncated_len(msg, i, &got));
    }
    uint8_t *wrong_type = th_test_patch(msg, len, 0, "02");
    assert_false(th_client_hello_truncated_len(wrong_type, len, &got));
    free(wrong_type);
    uint8_t *longer = malloc(len + 1);
    assert_non_null(longer);
    memcpy(longer, msg, len);
    longer[len] = 0;
    assert_false(th_client_hello_truncated_len(longer, len + 1, &got));
    free(longer);
    free(msg);
    /* No pre_shared_key: nothing to truncate. */
    msg = th_test_vector(kVec, "client_hello", &len);
    assert_false(th_client_hello_truncated_len(msg, len, &got));
    free(msg);
}

static void test_ch_without_extensions_roundtrips(void **state) {
    (void)state;
    size_t len;
    uint8_t *b = make_ch("00", NULL, &len), alert;
    th_client_hello ch;
    assert_true(parse(b, len, &ch, &alert));
    assert_false(ch.has_extensions);
    assert_int_equal(ch.extensions.num_exts, 0);
    assert_false(th_client_hello_offers_tls13(&ch));
    th_client_hello_cleanup(&ch);
    th_expect_roundtrip(ch_codec, b, len);
    expect_truncations_rejected(b, len, len);
    /* One byte after compression_methods is a broken extensions length. */
    th_expect_trailing_rejected(ch_codec, b, len);
    th_expect_length_pm1_rejected(ch_codec, b, len, 35, 2);
    th_expect_length_pm1_rejected(ch_codec, b, len, 43, 1);
    free(b);
}

static void test_ch_empty_extensions_block_roundtrips(void **state) {
    (void)state;
    size_t len;
    uint8_t *b = make_ch("00", "", &len), alert;
    th_client_hello ch;
    assert_true(parse(b, len, &ch, &alert));
    assert_true(ch.has_extensions);
    assert_int_equal(ch.extensions.num_exts, 0);
    th_client_hello_cleanup(&ch);
    th_expect_roundtrip(ch_codec, b, len);
    th_expect_trailing_rejected(ch_codec, b, len);
    free(b);
}

static void test_ch_writer_builds_from_fields(void **state) {
    (void)state;
    th_client_hello ch;
    static const uint8_t kSid[32] = {1, 2, 3};
    static const uint8_t kNull[1] = {0};
    CBB cbb;
    uint8_t *out;
    size_t out_len;
    memset(&ch, 0, sizeof(ch));
    ch.legacy_version = TH_VERSION_TLS12;
    memset(ch.random, 0x5a, sizeof(ch.random));
    ch.legacy_session_id = (th_bytes){kSid, sizeof(kSid)};
    assert_true(th_client_hello_add_cipher_suite(&ch, 0x0a0a));
    assert_true(th_client_hello_add_cipher_suite(&ch, TH_TLS_AES_128_GCM_SHA256));
    ch.legacy_compression_methods = (th_bytes){kNull, 1};
    ch.has_extensions = 1;
    assert_true(
        th_ext_block_add(&ch.extensions, TH_EXT_EXTENDED_MASTER_SECRET, (th_bytes){NULL, 0}));
    assert_true(CBB_init(&cbb, 64));
    assert_true(th_write_client_hello(&cbb, &ch));
    assert_true(CBB_finish(&cbb, &out, &out_len));
    th_expect_roundtrip(ch_codec, out, out_len);
    assert_int_equal(out_len, 2 + 32 + 33 + 2 + 4 + 2 + 2 + 4);
    assert_int_equal(out[34], 32);
    assert_int_equal(out[67], 0x00);
    assert_int_equal(out[68], 0x04);
    assert_int_equal(out[69], 0x0a);
    OPENSSL_free(out);
    /* Extensions with has_extensions = 0 cannot be written. */
    ch.has_extensions = 0;
    assert_true(CBB_init(&cbb, 64));
    assert_false(th_write_client_hello(&cbb, &ch));
    CBB_cleanup(&cbb);
    th_client_hello_cleanup(&ch);
    th_client_hello_cleanup(NULL);
}

static void test_ch_grease_cipher_suites_kept_in_order(void **state) {
    (void)state;
    size_t len;
    uint8_t *b = make_ch("00", SV13, &len), alert;
    uint8_t *g = th_test_patch(b, len, 37, "7a7a");
    th_client_hello ch;
    assert_true(parse(g, len, &ch, &alert));
    assert_int_equal(ch.num_cipher_suites, 3);
    assert_int_equal(ch.cipher_suites[0], 0x7a7a);
    assert_int_equal(ch.cipher_suites[1], 0x1303);
    th_client_hello_cleanup(&ch);
    th_expect_roundtrip(ch_codec, g, len);
    free(g);
    free(b);
}

static void test_ch_session_id_33_bytes_is_decode_error(void **state) {
    (void)state;
    th_client_hello ch;
    static const uint8_t kSid[33] = {0};
    static const uint8_t kNull[1] = {0};
    CBB cbb;
    uint8_t *out;
    size_t out_len;
    memset(&ch, 0, sizeof(ch));
    ch.legacy_version = TH_VERSION_TLS12;
    ch.legacy_session_id = (th_bytes){kSid, 33};
    assert_true(th_client_hello_add_cipher_suite(&ch, TH_TLS_AES_128_GCM_SHA256));
    ch.legacy_compression_methods = (th_bytes){kNull, 1};
    assert_true(CBB_init(&cbb, 64));
    assert_true(th_write_client_hello(&cbb, &ch));
    assert_true(CBB_finish(&cbb, &out, &out_len));
    th_expect_reject(ch_codec, out, out_len, TH_ALERT_DECODE_ERROR);
    OPENSSL_free(out);
    /* 32 bytes is the maximum and is accepted. */
    ch.legacy_session_id.len = 32;
    assert_true(CBB_init(&cbb, 64));
    assert_true(th_write_client_hello(&cbb, &ch));
    assert_true(CBB_finish(&cbb, &out, &out_len));
    th_expect_roundtrip(ch_codec, out, out_len);
    OPENSSL_free(out);
    th_client_hello_cleanup(&ch);
}

static void test_ch_odd_cipher_suites_length_is_decode_error(void **state) {
    (void)state;
    /* cipher_suites of 3 bytes, then compression {0}, and no extensions. */
    size_t len;
    uint8_t *b = th_test_hex("0303 1111111111111111111111111111111111111111111111111111111111111111"
                             "00 0003 130113 01 00",
                             &len);
    th_expect_reject(ch_codec, b, len, TH_ALERT_DECODE_ERROR);
    free(b);
}

static void test_ch_empty_cipher_suites_is_decode_error(void **state) {
    (void)state;
    size_t len;
    uint8_t *b = th_test_hex("0303 1111111111111111111111111111111111111111111111111111111111111111"
                             "00 0000 01 00",
                             &len);
    th_expect_reject(ch_codec, b, len, TH_ALERT_DECODE_ERROR);
    free(b);
}

static void test_ch_empty_compression_methods_is_decode_error(void **state) {
    (void)state;
    size_t len;
    uint8_t *b = make_ch("", NULL, &len);
    th_expect_reject(ch_codec, b, len, TH_ALERT_DECODE_ERROR);
    free(b);
}

static void test_ch_compression_without_null_is_illegal_parameter(void **state) {
    (void)state;
    size_t len;
    uint8_t *b = make_ch("01", SV13, &len);
    th_expect_reject(ch_codec, b, len, TH_ALERT_ILLEGAL_PARAMETER);
    free(b);
    /* Null among others is accepted by the codec (TLS 1.2 allows it). */
    b = make_ch("01 00", SV12, &len);
    th_expect_roundtrip(ch_codec, b, len);
    free(b);
}

static void test_ch_duplicate_extension_is_decode_error(void **state) {
    (void)state;
    size_t len;
    uint8_t *b = make_ch("00", SV13 SIGALGS SV13, &len);
    th_expect_reject(ch_codec, b, len, TH_ALERT_DECODE_ERROR);
    free(b);
}

static void test_ch_psk_not_last_is_illegal_parameter(void **state) {
    (void)state;
    size_t len;
    uint8_t *b = make_ch("00", SV13 PSK_MODES PSK SHARE, &len);
    th_expect_reject(ch_codec, b, len, TH_ALERT_ILLEGAL_PARAMETER);
    free(b);
    b = make_ch("00", SV13 PSK_MODES SHARE PSK, &len);
    th_expect_roundtrip(ch_codec, b, len);
    free(b);
}

static void test_ch_extension_not_for_ch_is_illegal_parameter(void **state) {
    (void)state;
    /* oid_filters (48) belongs to CertificateRequest only (RFC 8446 §4.2). */
    size_t len;
    uint8_t *b = make_ch("00", SV13 "0030 0002 0000", &len);
    th_expect_reject(ch_codec, b, len, TH_ALERT_ILLEGAL_PARAMETER);
    free(b);
}

static void test_ch_unknown_extension_kept(void **state) {
    (void)state;
    size_t len;
    uint8_t *b = make_ch("00", "fafa 0001 00" SV13 "1234 0000", &len), alert;
    th_client_hello ch;
    assert_true(parse(b, len, &ch, &alert));
    assert_int_equal(ch.extensions.num_exts, 3);
    assert_int_equal(ch.extensions.exts[0].type, 0xfafa);
    assert_int_equal(ch.extensions.exts[2].type, 0x1234);
    th_client_hello_cleanup(&ch);
    th_expect_roundtrip(ch_codec, b, len);
    free(b);
}

static void test_ch_offers_tls13(void **state) {
    (void)state;
    static const struct {
        const char *exts;
        int offers;
    } kCases[] = {
        {SV13, 1},
        {SV12, 0},
        {"002b 0007 06 7a7a 0304 0303", 1},
        {GROUPS, 0},
    };
    for (size_t i = 0; i < sizeof(kCases) / sizeof(kCases[0]); i++) {
        size_t len;
        uint8_t *b = make_ch("00", kCases[i].exts, &len), alert;
        th_client_hello ch;
        assert_true(parse(b, len, &ch, &alert));
        assert_int_equal(th_client_hello_offers_tls13(&ch), kCases[i].offers);
        th_client_hello_cleanup(&ch);
        free(b);
    }
}

static void test_ch13_complete_hello_passes(void **state) {
    (void)state;
    assert_int_equal(check13("00", SV13 GROUPS SHARE SIGALGS), 0);
    /* With a PSK, signature_algorithms and supported_groups may be absent. */
    assert_int_equal(check13("00", SV13 PSK_MODES PSK), 0);
}

static void test_ch13_compression_not_single_zero_is_illegal_parameter(void **state) {
    (void)state;
    assert_int_equal(check13("00 01", SV13 GROUPS SHARE SIGALGS), TH_ALERT_ILLEGAL_PARAMETER);
    assert_int_equal(check13("01 00", SV13 GROUPS SHARE SIGALGS), TH_ALERT_ILLEGAL_PARAMETER);
    assert_int_equal(check13("00 00", SV13 GROUPS SHARE SIGALGS), TH_ALERT_ILLEGAL_PARAMETER);
}

static void test_ch13_groups_without_key_share_is_missing_extension(void **state) {
    (void)state;
    assert_int_equal(check13("00", SV13 GROUPS SIGALGS), TH_ALERT_MISSING_EXTENSION);
    assert_int_equal(check13("00", SV13 GROUPS SIGALGS PSK_MODES PSK), TH_ALERT_MISSING_EXTENSION);
}

static void test_ch13_key_share_without_groups_is_missing_extension(void **state) {
    (void)state;
    assert_int_equal(check13("00", SV13 SHARE SIGALGS), TH_ALERT_MISSING_EXTENSION);
    assert_int_equal(check13("00", SV13 SHARE PSK_MODES PSK), TH_ALERT_MISSING_EXTENSION);
}

static void test_ch13_no_psk_no_signature_algorithms_is_missing_extension(void **state) {
    (void)state;
    assert_int_equal(check13("00", SV13 GROUPS SHARE), TH_ALERT_MISSING_EXTENSION);
}

static void test_ch13_no_psk_no_groups_is_missing_extension(void **state) {
    (void)state;
    assert_int_equal(check13("00", SV13 SIGALGS), TH_ALERT_MISSING_EXTENSION);
}

static void test_ch13_psk_without_ke_modes_is_missing_extension(void **state) {
    (void)state;
    assert_int_equal(check13("00", SV13 GROUPS SHARE SIGALGS PSK), TH_ALERT_MISSING_EXTENSION);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ch_rfc8448_fields),
        cmocka_unit_test(test_ch_rfc8448_roundtrip_and_rejections),
        cmocka_unit_test(test_ch_resumed_roundtrip_and_rejections),
        cmocka_unit_test(test_ch_truncated_len_is_the_vector_prefix),
        cmocka_unit_test(test_ch_truncated_len_refuses_malformed_messages),
        cmocka_unit_test(test_ch_without_extensions_roundtrips),
        cmocka_unit_test(test_ch_empty_extensions_block_roundtrips),
        cmocka_unit_test(test_ch_writer_builds_from_fields),
        cmocka_unit_test(test_ch_grease_cipher_suites_kept_in_order),
        cmocka_unit_test(test_ch_session_id_33_bytes_is_decode_error),
        cmocka_unit_test(test_ch_odd_cipher_suites_length_is_decode_error),
        cmocka_unit_test(test_ch_empty_cipher_suites_is_decode_error),
        cmocka_unit_test(test_ch_empty_compression_methods_is_decode_error),
        cmocka_unit_test(test_ch_compression_without_null_is_illegal_parameter),
        cmocka_unit_test(test_ch_duplicate_extension_is_decode_error),
        cmocka_unit_test(test_ch_psk_not_last_is_illegal_parameter),
        cmocka_unit_test(test_ch_extension_not_for_ch_is_illegal_parameter),
        cmocka_unit_test(test_ch_unknown_extension_kept),
        cmocka_unit_test(test_ch_offers_tls13),
        cmocka_unit_test(test_ch13_complete_hello_passes),
        cmocka_unit_test(test_ch13_compression_not_single_zero_is_illegal_parameter),
        cmocka_unit_test(test_ch13_groups_without_key_share_is_missing_extension),
        cmocka_unit_test(test_ch13_key_share_without_groups_is_missing_extension),
        cmocka_unit_test(test_ch13_no_psk_no_signature_algorithms_is_missing_extension),
        cmocka_unit_test(test_ch13_no_psk_no_groups_is_missing_extension),
        cmocka_unit_test(test_ch13_psk_without_ke_modes_is_missing_extension),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
