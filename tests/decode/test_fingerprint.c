/* JA3 and JA4 (harness/decode/fingerprint.c). The expected strings were
 * computed independently: JA3 and JA4 of the RFC 8448 and hand-built
 * ClientHellos by a separate Python script run once by hand (hashlib), and
 * the JA3/JA4 examples of the Salesforce and FoxIO specifications are used
 * as published (the hand-built ClientHellos below carry exactly their
 * values). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/mem.h>

#include "fingerprint.h"
#include "testutil.h"

static th_fingerprints fingerprint_hex(const char *hex) {
    size_t len;
    uint8_t *ch = th_test_hex(hex, &len);
    th_fingerprints fp;
    assert_true(th_fingerprint_client_hello(ch, len, &fp));
    free(ch);
    return fp;
}

static void test_rfc8448_client_hello(void **state) {
    (void)state;
    const uint8_t *body;
    size_t len;
    uint8_t *msg = th_test_vector_body("rfc8448-simple-1rtt.txt", "client_hello", &body, &len);
    th_fingerprints fp;
    assert_true(th_fingerprint_client_hello(body, len, &fp));
    assert_string_equal(fp.ja3, "771,4865-4867-4866,0-65281-10-35-51-43-13-45-28,"
                                "29-23-24-25-256-257-258-259-260,");
    assert_string_equal(fp.ja3_md5, "da4dea34fe6d4ce5f0725df3f2682fa0");
    assert_string_equal(fp.ja4, "t13d030900_55b375c5d22e_59cd3dafc54d");
    assert_string_equal(fp.ja4_r, "t13d030900_1301,1302,1303_000a,000d,001c,0023,002b,002d,0033,"
                                  "ff01_0403,0503,0603,0203,0804,0805,0806,0401,0501,0601,0201,"
                                  "0402,0502,0602,0202");
    th_fingerprints_cleanup(&fp);
    free(msg);
}

/* The FoxIO JA4 example (15 ciphers, 16 extensions, h2, its signature
 * algorithms) with GREASE added to the ciphers, extensions (first and last),
 * groups, key shares and supported_versions. */
static const char kGreaseHello[] =
    "0303000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f0000200a0a130113021303"
    "c02bc02fc02cc030cca9cca8c013c014009c009d002f0035010000d12a2a0000001b0003020002000000100"
    "00e00000b6578616d706c652e636f6d0033002b00294a4a000100001d002000000000000000000000000000"
    "000000000000000000000000000000000000000010000e000c02683208687474702f312e314469000500030"
    "2683200170000002d00020101000d00120010040308040401050308050501080606010005000501000000000"
    "023000000120000002b0007065a5a03040303ff01000100000b00020100000a000a00086a6a001d00170018"
    "0015000a000000000000000000003a3a000100";

static void test_grease_is_ignored_foxio_example(void **state) {
    (void)state;
    th_fingerprints fp = fingerprint_hex(kGreaseHello);
    /* FoxIO technical_details/JA4.md: "JA4 = t13d1516h2_8daaf6152771_e5627efa2ab1". */
    assert_string_equal(fp.ja4, "t13d1516h2_8daaf6152771_e5627efa2ab1");
    assert_string_equal(fp.ja3, "771,4865-4866-4867-49195-49199-49196-49200-52393-52392-49171-"
                                "49172-156-157-47-53,27-0-51-16-17513-23-45-13-5-35-18-43-65281-"
                                "11-10-21,29-23-24,0");
    assert_string_equal(fp.ja3_md5, "c000e2caf3a25423f9de6c8a4b12a975");
    th_fingerprints_cleanup(&fp);
}

static void test_no_signature_algorithms_has_no_underscore(void **state) {
    (void)state;
    /* The same hello whose signature_algorithms lists only a GREASE value,
     * which JA4 ignores. FoxIO: "If there are no signature algorithms in the
     * hello packet, then the string ends without an underscore and is
     * hashed" = 6d807ffa2a79. (An empty list would be malformed: see
     * test_hello_the_codec_refuses_has_no_fingerprint.) */
    th_fingerprints fp = fingerprint_hex(
        "0303000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f0000200a0a1301130213"
        "03c02bc02fc02cc030cca9cca8c013c014009c009d002f0035010000c32a2a0000001b00030200020000001"
        "0000e00000b6578616d706c652e636f6d0033002b00294a4a000100001d0020000000000000000000000000"
        "00000000000000000000000000000000000000000010000e000c02683208687474702f312e3144690005000"
        "302683200170000002d00020101000d000400020a0a0005000501000000000023000000120000002b000706"
        "5a5a03040303ff01000100000b00020100000a000a00086a6a001d001700180015000a0000000000000000"
        "00003a3a000100");
    assert_string_equal(fp.ja4, "t13d1516h2_8daaf6152771_6d807ffa2a79");
    th_fingerprints_cleanup(&fp);
}

static void test_ja3_salesforce_example(void **state) {
    (void)state;
    /* Salesforce JA3 README: "769,47-53-5-10-49161-49162-49171-49172-50-56-
     * 19-4,0-10-11,23-24-25,0 --> ada70206e40642a3e4461f35503241d5". */
    th_fingerprints fp = fingerprint_hex(
        "0301000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f000018002f0035000500"
        "0ac009c00ac013c0140032003800130004010000240000000e000c000009612e6578616d706c65000a0008"
        "0006001700180019000b00020100");
    assert_string_equal(fp.ja3, "769,47-53-5-10-49161-49162-49171-49172-50-56-19-4,0-10-11,"
                                "23-24-25,0");
    assert_string_equal(fp.ja3_md5, "ada70206e40642a3e4461f35503241d5");
    assert_string_equal(fp.ja4, "t10d120300_d94e65cdb899_33a13ba74d1c");
    th_fingerprints_cleanup(&fp);
}

static void test_no_extensions(void **state) {
    (void)state;
    /* Salesforce JA3 README: "769,4-5-10-9-100-98-3-6-19-18-99,,, -->
     * de350869b8c85de67a350c8d186f11e6"; JA4's c is all zeros without
     * extensions. The hello ends after compression_methods. */
    th_fingerprints fp = fingerprint_hex(
        "0301000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f00001600040005000a00"
        "0900640062000300060013001200630100");
    assert_string_equal(fp.ja3, "769,4-5-10-9-100-98-3-6-19-18-99,,,");
    assert_string_equal(fp.ja3_md5, "de350869b8c85de67a350c8d186f11e6");
    assert_string_equal(fp.ja4, "t10i110000_3609b414f052_000000000000");
    th_fingerprints_cleanup(&fp);
}

/* Builds a ClientHello: legacy_version, |num_ciphers| suites from |ciphers|
 * and the extensions given as hex (NULL: no extension block). */
static uint8_t *build_hello(uint16_t version, const uint16_t *ciphers, size_t num_ciphers,
                            const char *exts_hex, size_t *out_len) {
    CBB cbb, child;
    uint8_t random[32] = {0}, *out;
    assert_true(CBB_init(&cbb, 64));
    assert_true(CBB_add_u16(&cbb, version) && CBB_add_bytes(&cbb, random, sizeof(random)) &&
                CBB_add_u8(&cbb, 0) && CBB_add_u16_length_prefixed(&cbb, &child));
    for (size_t i = 0; i < num_ciphers; i++) {
        assert_true(CBB_add_u16(&child, ciphers[i]));
    }
    assert_true(CBB_add_u8(&cbb, 1) && CBB_add_u8(&cbb, 0));
    if (exts_hex != NULL) {
        size_t len;
        uint8_t *exts = th_test_hex(exts_hex, &len);
        assert_true(CBB_add_u16_length_prefixed(&cbb, &child) && CBB_add_bytes(&child, exts, len));
        free(exts);
    }
    size_t len;
    assert_true(CBB_finish(&cbb, &out, &len));
    uint8_t *copy = malloc(len);
    assert_non_null(copy);
    memcpy(copy, out, len);
    OPENSSL_free(out);
    *out_len = len;
    return copy;
}

static void expect_ja4(const char *exts_hex, const char *expected) {
    static const uint16_t kCiphers[] = {0x1301};
    size_t len;
    uint8_t *ch = build_hello(0x0303, kCiphers, 1, exts_hex, &len);
    th_fingerprints fp;
    assert_true(th_fingerprint_client_hello(ch, len, &fp));
    assert_string_equal(fp.ja4, expected);
    th_fingerprints_cleanup(&fp);
    free(ch);
}

/* The a section of a hello with one cipher and, as its only extension,
 * ALPN whose first protocol is |alpn_hex| (then "h2"). */
static void expect_alpn(const char *alpn_hex, const char *expected) {
    static const uint16_t kCiphers[] = {0x1301};
    char exts[128];
    size_t n = strlen(alpn_hex) / 2;
    snprintf(exts, sizeof(exts), "0010 %04zx %04zx %02zx %s 02 6832", n + 6, n + 4, n, alpn_hex);
    size_t len;
    uint8_t *ch = build_hello(0x0303, kCiphers, 1, exts, &len);
    th_fingerprints fp;
    assert_true(th_fingerprint_client_hello(ch, len, &fp));
    char a[11];
    memcpy(a, fp.ja4, 10);
    a[10] = '\0';
    assert_string_equal(a, expected);
    th_fingerprints_cleanup(&fp);
    free(ch);
}

static void test_alpn_first_and_last_characters(void **state) {
    (void)state;
    expect_alpn("6832", "t12i0101h2");
    expect_alpn("687474702f312e31", "t12i0101h1"); /* http/1.1 */
    expect_alpn("68", "t12i0101hh");               /* one character: used twice */
    /* FoxIO: non-alphanumeric first or last byte -> first and last hex
     * characters of the whole value. */
    expect_alpn("ab", "t12i0101ab");
    expect_alpn("abcd", "t12i0101ad");
    expect_alpn("30ab", "t12i01013b");
    expect_alpn("3031abcd", "t12i01013d");
    expect_alpn("30abcd31", "t12i010101");
    expect_alpn("2d61", "t12i010121"); /* '-' first */
}

/* A hello with one cipher and the extensions |exts_hex| has no fingerprint:
 * the codec refuses it. */
static void expect_no_fingerprint(const char *exts_hex) {
    static const uint16_t kCiphers[] = {0x1301};
    size_t len;
    uint8_t *ch = build_hello(0x0303, kCiphers, 1, exts_hex, &len);
    th_fingerprints fp;
    assert_false(th_fingerprint_client_hello(ch, len, &fp));
    assert_null(fp.ja3);
    assert_null(fp.ja4_r);
    th_fingerprints_cleanup(&fp);
    free(ch);
}

static void test_alpn_absent_is_00(void **state) {
    (void)state;
    expect_ja4("002b 0003 02 0304", "t13i010100_0f2cb44170f4_b9a491fefe05");
    /* An ALPN extension whose list is empty is malformed (RFC 7301 §3.1):
     * no fingerprint rather than "00". */
    expect_no_fingerprint("0010 0002 0000");
}

static void test_only_sni_and_alpn_gives_zero_extension_hash(void **state) {
    (void)state;
    /* Both are left out of c, which then has no extension: twelve zeros. */
    expect_ja4("0000 0006 0004 00 0001 61 0010 0005 0003 026832",
               "t12d0102h2_0f2cb44170f4_000000000000");
}

static void test_hello_the_codec_refuses_has_no_fingerprint(void **state) {
    (void)state;
    /* Each of these was fingerprinted by the decoder's former hand parser;
     * th_parse_client_hello refuses them, and so no fingerprint is made. */
    expect_no_fingerprint("000d 0002 0000");         /* empty signature_algorithms */
    expect_no_fingerprint("0000 0005 0003 00 0000"); /* empty host_name */
    expect_no_fingerprint("0017 0000 0017 0000");    /* a duplicate extension */
    expect_no_fingerprint("0029 0000 0017 0000");    /* pre_shared_key not last */
}

static void test_point_formats_are_listed_as_sent(void **state) {
    (void)state;
    /* A ClientHello may offer ec_point_formats without uncompressed(0): the
     * rule binds once TLS 1.2 with ECC is negotiated. JA3 lists them. */
    static const uint16_t kCiphers[] = {0xc02f};
    size_t len;
    uint8_t *ch = build_hello(0x0303, kCiphers, 1, "000b 0003 02 0102", &len);
    th_fingerprints fp;
    assert_true(th_fingerprint_client_hello(ch, len, &fp));
    assert_string_equal(fp.ja3, "771,49199,11,,1-2");
    th_fingerprints_cleanup(&fp);
    free(ch);
}

static void test_version_from_supported_versions(void **state) {
    (void)state;
    /* The highest non-GREASE value wins, whatever its position. */
    expect_ja4("002b 0007 06 0303 0304 7a7a", "t13i010100_0f2cb44170f4_b9a491fefe05");
    /* Only GREASE listed: no highest value, legacy_version is used. */
    expect_ja4("002b 0003 02 7a7a", "t12i010100_0f2cb44170f4_b9a491fefe05");
    /* Unknown versions map to "00". */
    expect_ja4("002b 0003 02 0305", "t00i010100_0f2cb44170f4_b9a491fefe05");
}

static void test_counts_stop_at_99(void **state) {
    (void)state;
    uint16_t ciphers[120];
    for (size_t i = 0; i < 120; i++) {
        ciphers[i] = (uint16_t)(0x0100 + i);
    }
    size_t len;
    uint8_t *ch = build_hello(0x0303, ciphers, 120, NULL, &len);
    th_fingerprints fp;
    assert_true(th_fingerprint_client_hello(ch, len, &fp));
    assert_memory_equal(fp.ja4, "t12i9900", 8);
    th_fingerprints_cleanup(&fp);
    free(ch);
}

static void test_malformed_hello_fails_and_owns_nothing(void **state) {
    (void)state;
    const uint8_t *body;
    size_t len;
    uint8_t *msg = th_test_vector_body("rfc8448-simple-1rtt.txt", "client_hello", &body, &len);
    /* Every truncation: no crash, no leak; a failure leaves nothing owned. */
    for (size_t i = 0; i < len; i++) {
        th_fingerprints fp;
        if (th_fingerprint_client_hello(body, i, &fp)) {
            th_fingerprints_cleanup(&fp);
        } else {
            assert_null(fp.ja3);
            assert_null(fp.ja4_r);
        }
    }
    /* A bad supported_groups body (odd length) refuses the whole hello. */
    static const uint16_t kCiphers[] = {0x1301};
    uint8_t *ch = build_hello(0x0303, kCiphers, 1, "000a 0003 0001 1d", &len);
    th_fingerprints fp;
    assert_false(th_fingerprint_client_hello(ch, len, &fp));
    th_fingerprints_cleanup(&fp);
    th_fingerprints_cleanup(NULL);
    free(ch);
    free(msg);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rfc8448_client_hello),
        cmocka_unit_test(test_grease_is_ignored_foxio_example),
        cmocka_unit_test(test_no_signature_algorithms_has_no_underscore),
        cmocka_unit_test(test_ja3_salesforce_example),
        cmocka_unit_test(test_no_extensions),
        cmocka_unit_test(test_alpn_first_and_last_characters),
        cmocka_unit_test(test_alpn_absent_is_00),
        cmocka_unit_test(test_only_sni_and_alpn_gives_zero_extension_hash),
        cmocka_unit_test(test_hello_the_codec_refuses_has_no_fingerprint),
        cmocka_unit_test(test_point_formats_are_listed_as_sent),
        cmocka_unit_test(test_version_from_supported_versions),
        cmocka_unit_test(test_counts_stop_at_99),
        cmocka_unit_test(test_malformed_hello_fails_and_owns_nothing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
