#include <stdlib.h>
#include <string.h>

#include <openssl/mem.h>
#include <openssl/sha.h>

#include "server_hello.h"
#include "testutil.h"

static const char kVec[] = "rfc8448-simple-1rtt.txt";
static const char kResumed[] = "rfc8448-resumed-0rtt.txt";

TH_CODEC_FN(sh_codec, th_server_hello, th_parse_server_hello, th_write_server_hello,
            th_server_hello_cleanup)

static int parse(const uint8_t *b, size_t len, th_server_hello *sh, uint8_t *alert) {
    CBS cbs;
    CBS_init(&cbs, b, len);
    return th_parse_server_hello(&cbs, sh, alert);
}

/* A ServerHello body: |hrr| selects the HelloRetryRequest random (else 0x33
 * bytes), a session id of |sid_len| bytes, suite 1301, |compression|, then
 * |exts_hex| as the extension list (NULL: no extensions block). */
static uint8_t *make_sh(int hrr, size_t sid_len, uint8_t compression, const char *exts_hex,
                        size_t *out_len) {
    th_server_hello sh;
    uint8_t sid[64], *ext_bytes = NULL, *bytes, *out;
    size_t n;
    CBB cbb;
    memset(&sh, 0, sizeof(sh));
    memset(sid, 0x22, sizeof(sid));
    sh.legacy_version = TH_VERSION_TLS12;
    memcpy(sh.random, th_hrr_random, TH_RANDOM_LEN);
    if (!hrr) {
        memset(sh.random, 0x33, TH_RANDOM_LEN);
    }
    sh.legacy_session_id_echo = (th_bytes){sid, sid_len};
    sh.cipher_suite = TH_TLS_AES_128_GCM_SHA256;
    sh.legacy_compression_method = compression;
    assert_true(CBB_init(&cbb, 128));
    assert_true(th_write_server_hello(&cbb, &sh));
    if (exts_hex != NULL) {
        CBB child;
        ext_bytes = th_test_hex(exts_hex, &n);
        assert_true(CBB_add_u16_length_prefixed(&cbb, &child));
        assert_true(CBB_add_bytes(&child, ext_bytes, n));
        free(ext_bytes);
    }
    assert_true(CBB_finish(&cbb, &bytes, &n));
    out = malloc(n);
    assert_non_null(out);
    memcpy(out, bytes, n);
    OPENSSL_free(bytes);
    *out_len = n;
    return out;
}

/* Extensions with valid bodies. */
#define SV        "002b 0002 0304"
#define COOKIE    "002c 0006 0004 deadbeef"
#define HRR_SHARE "0033 0002 0017"
#define SH_SHARE                                                                                   \
    "0033 0024 001d 0020 c9828876112095fe66762bdbf7c672e156d6cc253b833df1dd69b1b04e751f0f"

/* Strict prefixes of a ServerHello are decode_error, except the one ending
 * after the compression method, which is a valid TLS 1.2 ServerHello without
 * extensions (RFC 5246 §7.4.1.3). */
static void expect_truncations_rejected(const uint8_t *b, size_t len, size_t no_ext_len) {
    for (size_t i = 0; i < len; i++) {
        if (i != no_ext_len) {
            th_expect_reject(sh_codec, b, i, TH_ALERT_DECODE_ERROR);
        }
    }
    th_server_hello sh;
    uint8_t alert;
    assert_true(parse(b, no_ext_len, &sh, &alert));
    assert_false(sh.has_extensions);
    assert_int_equal(th_server_hello_ext_ctx(&sh), TH_EXT_CTX_SH12);
    th_server_hello_cleanup(&sh);
}

static void test_sh_rfc8448_fields(void **state) {
    (void)state;
    const uint8_t *body;
    size_t len;
    uint8_t *msg = th_test_vector_body(kVec, "server_hello", &body, &len), alert;
    th_server_hello sh;
    assert_true(parse(body, len, &sh, &alert));
    assert_int_equal(sh.legacy_version, 0x0303);
    assert_memory_equal(sh.random, body + 2, TH_RANDOM_LEN);
    assert_int_equal(sh.random[0], 0xa6);
    assert_int_equal(sh.legacy_session_id_echo.len, 0);
    assert_int_equal(sh.cipher_suite, TH_TLS_AES_128_GCM_SHA256);
    assert_int_equal(sh.legacy_compression_method, 0);
    assert_true(sh.has_extensions);
    assert_int_equal(sh.extensions.num_exts, 2);
    assert_int_equal(sh.extensions.exts[0].type, TH_EXT_KEY_SHARE);
    assert_int_equal(sh.extensions.exts[0].body.len, 36);
    assert_int_equal(sh.extensions.exts[1].type, TH_EXT_SUPPORTED_VERSIONS);
    assert_false(th_server_hello_is_hrr(&sh));
    assert_int_equal(th_server_hello_ext_ctx(&sh), TH_EXT_CTX_SH);
    assert_int_equal(th_server_hello_downgrade_sentinel(&sh), TH_DOWNGRADE_NONE);
    th_server_hello_cleanup(&sh);
    free(msg);
}

static void test_sh_rfc8448_roundtrip_and_rejections(void **state) {
    (void)state;
    /* Session id (1 byte), extensions block, key_share, supported_versions. */
    static const size_t kOffsets[] = {38, 42, 82};
    const uint8_t *body;
    size_t len;
    uint8_t *msg = th_test_vector_body(kVec, "server_hello", &body, &len);
    th_expect_roundtrip(sh_codec, body, len);
    expect_truncations_rejected(body, len, 38);
    th_expect_trailing_rejected(sh_codec, body, len);
    th_expect_length_pm1_rejected(sh_codec, body, len, 34, 1);
    for (size_t i = 0; i < sizeof(kOffsets) / sizeof(kOffsets[0]); i++) {
        th_expect_length_pm1_rejected(sh_codec, body, len, kOffsets[i], 2);
    }
    free(msg);
}

static void test_sh_resumed_with_psk_roundtrip_and_rejections(void **state) {
    (void)state;
    /* Extensions block, pre_shared_key, key_share, supported_versions. */
    static const size_t kOffsets[] = {38, 42, 48, 88};
    const uint8_t *body;
    size_t len;
    uint8_t *msg = th_test_vector_body(kResumed, "server_hello", &body, &len), alert;
    th_server_hello sh;
    assert_true(parse(body, len, &sh, &alert));
    assert_int_equal(sh.extensions.num_exts, 3);
    assert_int_equal(sh.extensions.exts[0].type, TH_EXT_PRE_SHARED_KEY);
    assert_int_equal(sh.extensions.exts[0].body.len, 2);
    assert_int_equal(th_server_hello_ext_ctx(&sh), TH_EXT_CTX_SH);
    th_server_hello_cleanup(&sh);
    th_expect_roundtrip(sh_codec, body, len);
    expect_truncations_rejected(body, len, 38);
    th_expect_trailing_rejected(sh_codec, body, len);
    th_expect_length_pm1_rejected(sh_codec, body, len, 34, 1);
    for (size_t i = 0; i < sizeof(kOffsets) / sizeof(kOffsets[0]); i++) {
        th_expect_length_pm1_rejected(sh_codec, body, len, kOffsets[i], 2);
    }
    free(msg);
}

static void test_hrr_with_cookie_and_key_share_roundtrips(void **state) {
    (void)state;
    size_t len;
    uint8_t *b = make_sh(1, 32, 0, SV COOKIE HRR_SHARE, &len), alert;
    th_server_hello sh;
    assert_true(parse(b, len, &sh, &alert));
    assert_true(th_server_hello_is_hrr(&sh));
    assert_int_equal(th_server_hello_ext_ctx(&sh), TH_EXT_CTX_HRR);
    assert_int_equal(sh.legacy_session_id_echo.len, 32);
    assert_int_equal(sh.extensions.num_exts, 3);
    assert_int_equal(sh.extensions.exts[1].type, TH_EXT_COOKIE);
    assert_int_equal(sh.extensions.exts[2].type, TH_EXT_KEY_SHARE);
    assert_int_equal(sh.extensions.exts[2].body.len, 2);
    assert_int_equal(sh.extensions.exts[2].body.data[1], 0x17);
    th_server_hello_cleanup(&sh);
    th_expect_roundtrip(sh_codec, b, len);
    /* The prefix without extensions is an HRR lacking supported_versions, so
     * every truncation fails. */
    th_expect_truncations_rejected(sh_codec, b, len);
    th_expect_reject(sh_codec, b, 70, TH_ALERT_MISSING_EXTENSION);
    th_expect_trailing_rejected(sh_codec, b, len);
    /* Session id, extensions block, supported_versions, cookie, key_share. */
    th_expect_length_pm1_rejected(sh_codec, b, len, 34, 1);
    static const size_t kOffsets[] = {70, 74, 80, 90};
    for (size_t i = 0; i < sizeof(kOffsets) / sizeof(kOffsets[0]); i++) {
        th_expect_length_pm1_rejected(sh_codec, b, len, kOffsets[i], 2);
    }
    free(b);
}

static void test_hrr_without_supported_versions_is_missing_extension(void **state) {
    (void)state;
    size_t len;
    uint8_t *b = make_sh(1, 0, 0, COOKIE HRR_SHARE, &len);
    th_expect_reject(sh_codec, b, len, TH_ALERT_MISSING_EXTENSION);
    free(b);
    b = make_sh(1, 0, 0, NULL, &len);
    th_expect_reject(sh_codec, b, len, TH_ALERT_MISSING_EXTENSION);
    free(b);
    b = make_sh(1, 0, 0, "", &len);
    th_expect_reject(sh_codec, b, len, TH_ALERT_MISSING_EXTENSION);
    free(b);
}

static void test_hrr_compression_1_is_illegal_parameter(void **state) {
    (void)state;
    size_t len;
    uint8_t *b = make_sh(1, 0, 1, SV HRR_SHARE, &len);
    th_expect_reject(sh_codec, b, len, TH_ALERT_ILLEGAL_PARAMETER);
    free(b);
}

static void test_hrr_early_data_is_illegal_parameter(void **state) {
    (void)state;
    size_t len;
    uint8_t *b = make_sh(1, 0, 0, SV "002a 0000", &len);
    th_expect_reject(sh_codec, b, len, TH_ALERT_ILLEGAL_PARAMETER);
    free(b);
}

static void test_sh_compression_1_is_illegal_parameter(void **state) {
    (void)state;
    const uint8_t *body;
    size_t len;
    uint8_t *msg = th_test_vector_body(kVec, "server_hello", &body, &len);
    uint8_t *bad = th_test_patch(body, len, 37, "01");
    th_expect_reject(sh_codec, bad, len, TH_ALERT_ILLEGAL_PARAMETER);
    free(bad);
    free(msg);
}

static void test_sh_session_id_33_bytes_is_decode_error(void **state) {
    (void)state;
    size_t len;
    uint8_t *b = make_sh(0, 33, 0, SV SH_SHARE, &len);
    th_expect_reject(sh_codec, b, len, TH_ALERT_DECODE_ERROR);
    free(b);
    b = make_sh(0, 32, 0, SV SH_SHARE, &len);
    th_expect_roundtrip(sh_codec, b, len);
    free(b);
}

/* BoringSSL's TLS 1.3 client parses ServerHello with ssl_parse_extensions:
 * illegal_parameter for a duplicate. */
static void test_sh_duplicate_extension_is_illegal_parameter(void **state) {
    (void)state;
    size_t len;
    uint8_t *b = make_sh(0, 0, 0, SV SH_SHARE SV, &len);
    th_expect_reject(sh_codec, b, len, TH_ALERT_ILLEGAL_PARAMETER);
    free(b);
}

static void test_sh_extension_not_for_sh_is_illegal_parameter(void **state) {
    (void)state;
    size_t len;
    /* ALPN belongs in EncryptedExtensions in TLS 1.3, cookie in HRR only. */
    uint8_t *b = make_sh(0, 0, 0, SV SH_SHARE "0010 0005 0003 02 6832", &len);
    th_expect_reject(sh_codec, b, len, TH_ALERT_ILLEGAL_PARAMETER);
    free(b);
    b = make_sh(0, 0, 0, SV SH_SHARE COOKIE, &len);
    th_expect_reject(sh_codec, b, len, TH_ALERT_ILLEGAL_PARAMETER);
    free(b);
}

static void test_sh12_without_extensions_roundtrips(void **state) {
    (void)state;
    size_t len;
    uint8_t *b = make_sh(0, 32, 0, NULL, &len), alert;
    th_server_hello sh;
    assert_int_equal(len, 2 + 32 + 33 + 2 + 1);
    assert_true(parse(b, len, &sh, &alert));
    assert_false(sh.has_extensions);
    assert_int_equal(sh.extensions.num_exts, 0);
    assert_int_equal(th_server_hello_ext_ctx(&sh), TH_EXT_CTX_SH12);
    th_server_hello_cleanup(&sh);
    th_expect_roundtrip(sh_codec, b, len);
    th_expect_truncations_rejected(sh_codec, b, len);
    th_expect_trailing_rejected(sh_codec, b, len);
    th_expect_length_pm1_rejected(sh_codec, b, len, 34, 1);
    free(b);
}

static void test_sh12_empty_extensions_block_roundtrips(void **state) {
    (void)state;
    size_t len;
    uint8_t *b = make_sh(0, 0, 0, "", &len), alert;
    th_server_hello sh;
    assert_true(parse(b, len, &sh, &alert));
    assert_true(sh.has_extensions);
    assert_int_equal(sh.extensions.num_exts, 0);
    th_server_hello_cleanup(&sh);
    th_expect_roundtrip(sh_codec, b, len);
    free(b);
}

static void test_sh12_with_extensions_roundtrips(void **state) {
    (void)state;
    size_t len;
    uint8_t *b = make_sh(0, 32, 0, "ff01 0001 00 0017 0000 000b 0002 0100", &len), alert;
    th_server_hello sh;
    assert_true(parse(b, len, &sh, &alert));
    assert_int_equal(th_server_hello_ext_ctx(&sh), TH_EXT_CTX_SH12);
    assert_int_equal(sh.extensions.num_exts, 3);
    th_server_hello_cleanup(&sh);
    th_expect_roundtrip(sh_codec, b, len);
    expect_truncations_rejected(b, len, 70);
    th_expect_trailing_rejected(sh_codec, b, len);
    free(b);
}

static void test_sh12_compression_is_left_to_the_engine(void **state) {
    (void)state;
    /* In TLS 1.2 the method must be one the client offered: engine state. */
    size_t len;
    uint8_t *b = make_sh(0, 0, 1, NULL, &len);
    th_expect_roundtrip(sh_codec, b, len);
    free(b);
}

static void test_sh12_key_share_is_illegal_parameter(void **state) {
    (void)state;
    /* Without supported_versions this is a TLS 1.2 ServerHello, where
     * key_share does not exist. */
    size_t len;
    uint8_t *b = make_sh(0, 0, 0, SH_SHARE, &len);
    th_expect_reject(sh_codec, b, len, TH_ALERT_ILLEGAL_PARAMETER);
    free(b);
}

static void test_sh_downgrade_sentinels(void **state) {
    (void)state;
    const uint8_t *body;
    size_t len;
    uint8_t *msg = th_test_vector_body(kVec, "server_hello", &body, &len), alert;
    static const struct {
        const char *tail;
        th_downgrade want;
    } kCases[] = {
        {"444f574e47524401", TH_DOWNGRADE_TLS12},
        {"444f574e47524400", TH_DOWNGRADE_TLS11},
        {"444f574e47524402", TH_DOWNGRADE_NONE},
        {"454f574e47524401", TH_DOWNGRADE_NONE},
    };
    for (size_t i = 0; i < sizeof(kCases) / sizeof(kCases[0]); i++) {
        uint8_t *b = th_test_patch(body, len, 2 + TH_RANDOM_LEN - 8, kCases[i].tail);
        th_server_hello sh;
        assert_true(parse(b, len, &sh, &alert));
        assert_int_equal(th_server_hello_downgrade_sentinel(&sh), kCases[i].want);
        if (kCases[i].want != TH_DOWNGRADE_NONE) {
            assert_memory_equal(th_downgrade_sentinel_bytes(kCases[i].want),
                                sh.random + TH_RANDOM_LEN - 8, 8);
        }
        th_server_hello_cleanup(&sh);
        free(b);
    }
    assert_null(th_downgrade_sentinel_bytes(TH_DOWNGRADE_NONE));
    free(msg);
}

static void test_sh_hrr_random_is_sha256_of_hello_retry_request(void **state) {
    (void)state;
    static const char kLabel[] = "HelloRetryRequest";
    uint8_t digest[SHA256_DIGEST_LENGTH];
    SHA256((const uint8_t *)kLabel, strlen(kLabel), digest);
    assert_memory_equal(th_hrr_random, digest, TH_RANDOM_LEN);
}

static void test_sh_writer_refuses_extensions_without_block(void **state) {
    (void)state;
    th_server_hello sh;
    CBB cbb;
    memset(&sh, 0, sizeof(sh));
    assert_true(th_ext_block_add(&sh.extensions, TH_EXT_SUPPORTED_VERSIONS, (th_bytes){NULL, 0}));
    assert_true(CBB_init(&cbb, 64));
    assert_false(th_write_server_hello(&cbb, &sh));
    CBB_cleanup(&cbb);
    th_server_hello_cleanup(&sh);
    assert_null(sh.extensions.exts);
    th_server_hello_cleanup(NULL);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sh_rfc8448_fields),
        cmocka_unit_test(test_sh_rfc8448_roundtrip_and_rejections),
        cmocka_unit_test(test_sh_resumed_with_psk_roundtrip_and_rejections),
        cmocka_unit_test(test_hrr_with_cookie_and_key_share_roundtrips),
        cmocka_unit_test(test_hrr_without_supported_versions_is_missing_extension),
        cmocka_unit_test(test_hrr_compression_1_is_illegal_parameter),
        cmocka_unit_test(test_hrr_early_data_is_illegal_parameter),
        cmocka_unit_test(test_sh_compression_1_is_illegal_parameter),
        cmocka_unit_test(test_sh_session_id_33_bytes_is_decode_error),
        cmocka_unit_test(test_sh_duplicate_extension_is_illegal_parameter),
        cmocka_unit_test(test_sh_extension_not_for_sh_is_illegal_parameter),
        cmocka_unit_test(test_sh12_without_extensions_roundtrips),
        cmocka_unit_test(test_sh12_empty_extensions_block_roundtrips),
        cmocka_unit_test(test_sh12_with_extensions_roundtrips),
        cmocka_unit_test(test_sh12_compression_is_left_to_the_engine),
        cmocka_unit_test(test_sh12_key_share_is_illegal_parameter),
        cmocka_unit_test(test_sh_downgrade_sentinels),
        cmocka_unit_test(test_sh_hrr_random_is_sha256_of_hello_retry_request),
        cmocka_unit_test(test_sh_writer_refuses_extensions_without_block),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
