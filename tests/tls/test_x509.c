#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/ec.h>
#include <openssl/ec_key.h>
#include <openssl/evp.h>
#include <openssl/mem.h>
#include <openssl/nid.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "certificate.h"
#include "testutil.h"
#include "x509.h"

/* The committed test PKI (scenarios/pki/README.md). */
#define PKI TH_TEST_PKI_DIR

/* 2023-11-14T22:13:20Z, inside the validity of every good certificate. */
static const time_t kNow = 1700000000;
/* Edges of bad-expired (notAfter 2001-12-31T23:59:59Z) and bad-not-yet-valid
 * (notBefore 2090-01-01T00:00:00Z), and the instants around the good
 * validity (2000-01-01T00:00:00Z to 2099-12-31T23:59:59Z). RFC 5280 §4.1.2.5
 * makes both ends inclusive; the installed BoringSSL (API 17) takes notAfter
 * as exclusive, so the last valid second here is notAfter - 1. */
static const time_t kExpiredNotAfter = 1009843199;
static const time_t kNotYetValidFirstSecond = 3786912000;
static const time_t k2000 = 946684800;
static const time_t k2100 = 4102444800;

static void expect_ok(X509_STORE *store, const th_bytes *certs, size_t n, const char *host,
                      int purpose_server, time_t now) {
    uint8_t alert = 0;
    char why[512];
    if (!th_verify_chain(store, certs, n, host, purpose_server, now, &alert, why, sizeof(why))) {
        fail_msg("chain refused for %s (alert %d): %s", host ? host : "(no name)", alert, why);
    }
}

static void expect_alert(X509_STORE *store, const th_bytes *certs, size_t n, const char *host,
                         int purpose_server, time_t now, uint8_t want) {
    uint8_t alert = 0;
    char why[512] = "";
    if (th_verify_chain(store, certs, n, host, purpose_server, now, &alert, why, sizeof(why))) {
        fail_msg("chain accepted for %s, wanted alert %d", host ? host : "(no name)", want);
    }
    if (alert != want) {
        fail_msg("alert %d, wanted %d, for %s: %s", alert, want, host ? host : "(no name)", why);
    }
    assert_true(why[0] != '\0');
}

/* Asserts the chain is refused with |want| and a reason containing |fragment|. */
static void expect_why(X509_STORE *store, const th_bytes *certs, size_t n, const char *host,
                       uint8_t want, const char *fragment) {
    uint8_t alert = 0;
    char why[512] = "";
    assert_false(th_verify_chain(store, certs, n, host, 1, kNow, &alert, why, sizeof(why)));
    assert_int_equal(alert, want);
    if (strstr(why, fragment) == NULL) {
        fail_msg("reason \"%s\" lacks \"%s\"", why, fragment);
    }
}

static const char *const kServers[] = {"server-ecdsa-p256", "server-ecdsa-p384", "server-rsa2048",
                                       "server-ed25519"};
static const char *const kClients[] = {"client-ecdsa-p256", "client-rsa2048"};

static void test_good_server_chains_verify_for_localhost_and_ip(void **state) {
    (void)state;
    X509_STORE *store = th_test_load_trust_store("trust-bundle.pem");
    for (size_t i = 0; i < sizeof(kServers) / sizeof(kServers[0]); i++) {
        th_cert_key ck;
        th_test_load_cert_key(kServers[i], &ck);
        assert_int_equal(ck.num_chain, 2);
        expect_ok(store, ck.chain, ck.num_chain, "localhost", 1, kNow);
        expect_ok(store, ck.chain, ck.num_chain, "127.0.0.1", 1, kNow);
        th_cert_key_cleanup(&ck);
    }
    X509_STORE_free(store);
}

static void test_good_client_chains_verify_as_client(void **state) {
    (void)state;
    X509_STORE *store = th_test_load_trust_store("trust-bundle.pem");
    for (size_t i = 0; i < sizeof(kClients) / sizeof(kClients[0]); i++) {
        th_cert_key ck;
        th_test_load_cert_key(kClients[i], &ck);
        expect_ok(store, ck.chain, ck.num_chain, NULL, 0, kNow);
        th_cert_key_cleanup(&ck);
    }
    X509_STORE_free(store);
}

static void test_good_chain_verifies_at_validity_edges(void **state) {
    (void)state;
    X509_STORE *store = th_test_load_trust_store("trust-bundle.pem");
    th_cert_key ck;
    th_test_load_cert_key("server-ecdsa-p256", &ck);
    expect_ok(store, ck.chain, ck.num_chain, "localhost", 1, k2000);
    expect_ok(store, ck.chain, ck.num_chain, "localhost", 1, k2100 - 2);
    th_cert_key_cleanup(&ck);
    X509_STORE_free(store);
}

static void test_good_chain_outside_validity_is_certificate_expired(void **state) {
    (void)state;
    X509_STORE *store = th_test_load_trust_store("trust-bundle.pem");
    th_cert_key ck;
    th_test_load_cert_key("server-ecdsa-p256", &ck);
    expect_alert(store, ck.chain, ck.num_chain, "localhost", 1, k2000 - 1,
                 TH_ALERT_CERTIFICATE_EXPIRED);
    expect_alert(store, ck.chain, ck.num_chain, "localhost", 1, k2100,
                 TH_ALERT_CERTIFICATE_EXPIRED);
    th_cert_key_cleanup(&ck);
    X509_STORE_free(store);
}

static void test_name_check_ignores_case_and_can_be_skipped(void **state) {
    (void)state;
    X509_STORE *store = th_test_load_trust_store("trust-bundle.pem");
    th_cert_key ck;
    th_test_load_cert_key("server-rsa2048", &ck);
    expect_ok(store, ck.chain, ck.num_chain, "LocalHost", 1, kNow);
    expect_ok(store, ck.chain, ck.num_chain, NULL, 1, kNow);
    th_cert_key_cleanup(&ck);
    X509_STORE_free(store);
}

static void test_other_name_or_address_is_bad_certificate(void **state) {
    (void)state;
    X509_STORE *store = th_test_load_trust_store("trust-bundle.pem");
    th_cert_key ck;
    th_test_load_cert_key("server-ecdsa-p256", &ck);
    static const char *const kOthers[] = {"other.example", "localhost.example", "127.0.0.2", "::1",
                                          "bad-wrong-host"};
    for (size_t i = 0; i < sizeof(kOthers) / sizeof(kOthers[0]); i++) {
        expect_alert(store, ck.chain, ck.num_chain, kOthers[i], 1, kNow, TH_ALERT_BAD_CERTIFICATE);
    }
    th_cert_key_cleanup(&ck);
    X509_STORE_free(store);
}

static void test_expired_leaf_is_certificate_expired(void **state) {
    (void)state;
    X509_STORE *store = th_test_load_trust_store("trust-bundle.pem");
    th_cert_key ck;
    th_test_load_cert_key("bad-expired", &ck);
    expect_why(store, ck.chain, ck.num_chain, "localhost", TH_ALERT_CERTIFICATE_EXPIRED,
               "CN=bad-expired): certificate has expired");
    expect_alert(store, ck.chain, ck.num_chain, "localhost", 1, kExpiredNotAfter + 1,
                 TH_ALERT_CERTIFICATE_EXPIRED);
    /* The defect taken away: a clock inside its validity. */
    expect_ok(store, ck.chain, ck.num_chain, "localhost", 1, kExpiredNotAfter - 1);
    expect_ok(store, ck.chain, ck.num_chain, "127.0.0.1", 1, k2000);
    th_cert_key_cleanup(&ck);
    X509_STORE_free(store);
}

static void test_not_yet_valid_leaf_is_certificate_expired(void **state) {
    (void)state;
    X509_STORE *store = th_test_load_trust_store("trust-bundle.pem");
    th_cert_key ck;
    th_test_load_cert_key("bad-not-yet-valid", &ck);
    expect_why(store, ck.chain, ck.num_chain, "localhost", TH_ALERT_CERTIFICATE_EXPIRED,
               "not yet valid");
    expect_alert(store, ck.chain, ck.num_chain, "localhost", 1, kNotYetValidFirstSecond - 1,
                 TH_ALERT_CERTIFICATE_EXPIRED);
    expect_ok(store, ck.chain, ck.num_chain, "localhost", 1, kNotYetValidFirstSecond);
    th_cert_key_cleanup(&ck);
    X509_STORE_free(store);
}

static void test_wrong_host_is_bad_certificate(void **state) {
    (void)state;
    X509_STORE *store = th_test_load_trust_store("trust-bundle.pem");
    th_cert_key ck;
    th_test_load_cert_key("bad-wrong-host", &ck);
    expect_alert(store, ck.chain, ck.num_chain, "localhost", 1, kNow, TH_ALERT_BAD_CERTIFICATE);
    expect_alert(store, ck.chain, ck.num_chain, "127.0.0.1", 1, kNow, TH_ALERT_BAD_CERTIFICATE);
    uint8_t alert;
    char why[512];
    assert_false(th_verify_chain(store, ck.chain, ck.num_chain, "localhost", 1, kNow, &alert, why,
                                 sizeof(why)));
    assert_non_null(strstr(why, "localhost"));
    /* The subject CN is never a name to match. */
    expect_alert(store, ck.chain, ck.num_chain, "bad-wrong-host", 1, kNow,
                 TH_ALERT_BAD_CERTIFICATE);
    expect_ok(store, ck.chain, ck.num_chain, "wrong.example", 1, kNow);
    th_cert_key_cleanup(&ck);
    X509_STORE_free(store);
}

static void test_unknown_ca_is_unknown_ca(void **state) {
    (void)state;
    X509_STORE *store = th_test_load_trust_store("trust-bundle.pem");
    th_cert_key ck;
    th_test_load_cert_key("bad-unknown-ca", &ck);
    assert_int_equal(ck.num_chain, 1);
    expect_why(store, ck.chain, ck.num_chain, "localhost", TH_ALERT_UNKNOWN_CA,
               "unable to get local issuer certificate");
    X509_STORE *other = th_test_load_trust_store("untrusted-root.pem");
    expect_ok(other, ck.chain, ck.num_chain, "localhost", 1, kNow);
    X509_STORE_free(other);
    th_cert_key_cleanup(&ck);
    X509_STORE_free(store);
}

static void test_missing_intermediate_is_unknown_ca(void **state) {
    (void)state;
    X509_STORE *store = th_test_load_trust_store("trust-bundle.pem");
    th_cert_key ck;
    th_test_load_cert_key("server-ecdsa-p256", &ck);
    expect_alert(store, ck.chain, 1, "localhost", 1, kNow, TH_ALERT_UNKNOWN_CA);
    /* A store of other roots does not anchor our chain either. */
    X509_STORE *other = th_test_load_trust_store("untrusted-root.pem");
    expect_alert(other, ck.chain, ck.num_chain, "localhost", 1, kNow, TH_ALERT_UNKNOWN_CA);
    X509_STORE_free(other);
    th_cert_key_cleanup(&ck);
    X509_STORE_free(store);
}

/* RFC 8446 §4.4.2.4: a chain needing an MD5 (MUST) or SHA-1 (RECOMMENDED)
 * signature to validate is bad_certificate; the same RSA intermediate's own
 * SHA-256 signature is fine (it verifies as an anchor-signed CA). */
static void test_md5_and_sha1_signed_leaves_are_bad_certificate(void **state) {
    (void)state;
    X509_STORE *store = th_test_load_trust_store("trust-bundle.pem");
    const char *const names[] = {"bad-md5", "bad-sha1"};
    const char *const hashes[] = {"signed with MD5", "signed with SHA1"};
    for (size_t i = 0; i < 2; i++) {
        th_cert_key ck;
        th_test_load_cert_key(names[i], &ck);
        expect_why(store, ck.chain, ck.num_chain, "localhost", TH_ALERT_BAD_CERTIFICATE,
                   hashes[i]);
        th_cert_key_cleanup(&ck);
    }
    X509_STORE_free(store);
}

static void test_bad_signature_is_bad_certificate(void **state) {
    (void)state;
    X509_STORE *store = th_test_load_trust_store("trust-bundle.pem");
    th_cert_key ck;
    th_test_load_cert_key("bad-signature", &ck);
    expect_why(store, ck.chain, ck.num_chain, "localhost", TH_ALERT_BAD_CERTIFICATE,
               "signature failure");
    /* Restoring the flipped last byte (README) makes it verify. */
    uint8_t *fixed = malloc(ck.chain[0].len);
    memcpy(fixed, ck.chain[0].data, ck.chain[0].len);
    fixed[ck.chain[0].len - 1] ^= 0x01;
    th_bytes certs[2] = {{fixed, ck.chain[0].len}, ck.chain[1]};
    expect_ok(store, certs, 2, "localhost", 1, kNow);
    free(fixed);
    th_cert_key_cleanup(&ck);
    X509_STORE_free(store);
}

static void test_leaf_for_the_other_role_is_unsupported_certificate(void **state) {
    (void)state;
    X509_STORE *store = th_test_load_trust_store("trust-bundle.pem");
    for (size_t i = 0; i < sizeof(kServers) / sizeof(kServers[0]); i++) {
        th_cert_key ck;
        th_test_load_cert_key(kServers[i], &ck);
        expect_alert(store, ck.chain, ck.num_chain, NULL, 0, kNow,
                     TH_ALERT_UNSUPPORTED_CERTIFICATE);
        th_cert_key_cleanup(&ck);
    }
    for (size_t i = 0; i < sizeof(kClients) / sizeof(kClients[0]); i++) {
        th_cert_key ck;
        th_test_load_cert_key(kClients[i], &ck);
        expect_why(store, ck.chain, ck.num_chain, NULL, TH_ALERT_UNSUPPORTED_CERTIFICATE,
                   "unsupported certificate purpose");
        th_cert_key_cleanup(&ck);
    }
    X509_STORE_free(store);
}

static void test_unparseable_der_is_decode_error(void **state) {
    (void)state;
    X509_STORE *store = th_test_load_trust_store("trust-bundle.pem");
    th_cert_key ck;
    th_test_load_cert_key("server-ecdsa-p256", &ck);
    const th_bytes leaf = ck.chain[0], inter = ck.chain[1];
    static const uint8_t kGarbage[] = {0x30, 0x03, 0x02, 0x01, 0x00};

    th_bytes garbage_leaf[2] = {{kGarbage, sizeof(kGarbage)}, inter};
    expect_why(store, garbage_leaf, 2, "localhost", TH_ALERT_DECODE_ERROR,
               "certificate 0 is not a DER X.509 certificate");
    th_bytes garbage_inter[2] = {leaf, {kGarbage, sizeof(kGarbage)}};
    expect_why(store, garbage_inter, 2, "localhost", TH_ALERT_DECODE_ERROR,
               "certificate 1 is not a DER X.509 certificate");
    th_bytes empty_leaf[1] = {{kGarbage, 0}};
    expect_alert(store, empty_leaf, 1, "localhost", 1, kNow, TH_ALERT_DECODE_ERROR);

    /* Every truncation of the leaf, and one trailing byte. */
    for (size_t len = 1; len < leaf.len; len++) {
        th_bytes truncated[2] = {{leaf.data, len}, inter};
        expect_alert(store, truncated, 2, "localhost", 1, kNow, TH_ALERT_DECODE_ERROR);
    }
    uint8_t *longer = malloc(leaf.len + 1);
    memcpy(longer, leaf.data, leaf.len);
    longer[leaf.len] = 0;
    th_bytes trailing[2] = {{longer, leaf.len + 1}, inter};
    expect_alert(store, trailing, 2, "localhost", 1, kNow, TH_ALERT_DECODE_ERROR);
    free(longer);
    th_cert_key_cleanup(&ck);
    X509_STORE_free(store);
}

/* A certificate for |key| issued by intermediate-ca with the good server
 * profile (SAN localhost and 127.0.0.1, EKU serverAuth, 2000..2099), as DER
 * (OPENSSL_free it). */
static uint8_t *issue_server_leaf(EVP_PKEY *key, size_t *out_len) {
    th_cert_key ca;
    th_test_load_cert_key_files("intermediate-ca.pem", "intermediate-ca.key", &ca);
    const uint8_t *p = ca.chain[0].data;
    X509 *issuer = d2i_X509(NULL, &p, (long)ca.chain[0].len);
    assert_non_null(issuer);
    X509 *x = X509_new();
    ASN1_TIME *from = ASN1_TIME_new(), *to = ASN1_TIME_new();
    X509_EXTENSION *san =
        X509V3_EXT_nconf_nid(NULL, NULL, NID_subject_alt_name, "DNS:localhost,IP:127.0.0.1");
    X509_EXTENSION *eku = X509V3_EXT_nconf_nid(NULL, NULL, NID_ext_key_usage, "serverAuth");
    assert_true(x != NULL && from != NULL && to != NULL && san != NULL && eku != NULL);
    assert_true(X509_set_version(x, X509_VERSION_3));
    assert_true(ASN1_INTEGER_set(X509_get_serialNumber(x), 0x4242));
    assert_true(X509_set_issuer_name(x, X509_get_subject_name(issuer)));
    X509_NAME *subject = X509_NAME_new();
    assert_non_null(subject);
    assert_true(X509_NAME_add_entry_by_txt(subject, "CN", MBSTRING_UTF8,
                                           (const uint8_t *)"issued-leaf", -1, -1, 0));
    assert_true(X509_set_subject_name(x, subject));
    X509_NAME_free(subject);
    assert_true(ASN1_TIME_set_string(from, "20000101000000Z"));
    assert_true(ASN1_TIME_set_string(to, "20991231235959Z"));
    assert_true(X509_set1_notBefore(x, from) && X509_set1_notAfter(x, to));
    assert_true(X509_set_pubkey(x, key));
    assert_true(X509_add_ext(x, san, -1) && X509_add_ext(x, eku, -1));
    assert_true(X509_sign(x, ca.key, EVP_sha256()) > 0);
    uint8_t *der = NULL;
    int len = i2d_X509(x, &der);
    assert_true(len > 0);
    *out_len = (size_t)len;
    X509_EXTENSION_free(san);
    X509_EXTENSION_free(eku);
    ASN1_TIME_free(from);
    ASN1_TIME_free(to);
    X509_free(x);
    X509_free(issuer);
    th_cert_key_cleanup(&ca);
    return der;
}

static EVP_PKEY *ec_key(int curve) {
    EC_KEY *ec = EC_KEY_new_by_curve_name(curve);
    EVP_PKEY *key = EVP_PKEY_new();
    assert_true(ec != NULL && key != NULL && EC_KEY_generate_key(ec));
    assert_true(EVP_PKEY_assign_EC_KEY(key, ec));
    return key;
}

/* Verifies a freshly issued leaf for |key| behind intermediate-ca. */
static void verify_issued(EVP_PKEY *key, int ok, uint8_t want, const char *fragment) {
    X509_STORE *store = th_test_load_trust_store("trust-bundle.pem");
    th_cert_key ca;
    th_test_load_cert_key_files("intermediate-ca.pem", "intermediate-ca.key", &ca);
    size_t leaf_len;
    uint8_t *leaf = issue_server_leaf(key, &leaf_len);
    th_bytes certs[2] = {{leaf, leaf_len}, ca.chain[0]};
    if (ok) {
        expect_ok(store, certs, 2, "localhost", 1, kNow);
    } else {
        expect_why(store, certs, 2, "localhost", want, fragment);
        EVP_PKEY *pub;
        uint8_t alert;
        char why[256];
        assert_false(th_leaf_public_key(certs[0], &pub, &alert, why, sizeof(why)));
        assert_int_equal(alert, want);
        assert_null(pub);
    }
    OPENSSL_free(leaf);
    th_cert_key_cleanup(&ca);
    X509_STORE_free(store);
}

static void test_issued_leaf_with_supported_key_verifies(void **state) {
    (void)state;
    EVP_PKEY *key = ec_key(NID_secp521r1);
    verify_issued(key, 1, 0, NULL);
    EVP_PKEY_free(key);
}

static void test_unsupported_leaf_key_is_unsupported_certificate(void **state) {
    (void)state;
    EVP_PKEY *p224 = ec_key(NID_secp224r1);
    verify_issued(p224, 0, TH_ALERT_UNSUPPORTED_CERTIFICATE, "on secp224r1 is not supported");
    EVP_PKEY_free(p224);
    static const uint8_t kSeed[32] = {1};
    EVP_PKEY *x25519 = EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, NULL, kSeed, sizeof(kSeed));
    assert_non_null(x25519);
    verify_issued(x25519, 0, TH_ALERT_UNSUPPORTED_CERTIFICATE, "X25519 is not supported");
    EVP_PKEY_free(x25519);
}

static void test_corrupt_leaf_key_is_decode_error(void **state) {
    (void)state;
    X509_STORE *store = th_test_load_trust_store("trust-bundle.pem");
    th_cert_key ck;
    th_test_load_cert_key("server-ecdsa-p256", &ck);
    /* Find the 65-byte uncompressed point in the DER and move it off the curve. */
    const uint8_t *p = ck.chain[0].data;
    X509 *x = d2i_X509(NULL, &p, (long)ck.chain[0].len);
    const uint8_t *point;
    int point_len;
    assert_true(X509_PUBKEY_get0_param(NULL, &point, &point_len, NULL, X509_get_X509_PUBKEY(x)));
    assert_int_equal(point_len, 65);
    size_t at = 0;
    while (at + 65 <= ck.chain[0].len && memcmp(ck.chain[0].data + at, point, 65) != 0) {
        at++;
    }
    assert_true(at + 65 <= ck.chain[0].len);
    X509_free(x);
    uint8_t *bad = th_test_patch(ck.chain[0].data, ck.chain[0].len, at + 64, "00");
    if (ck.chain[0].data[at + 64] == 0) {
        bad[at + 64] = 1;
    }
    th_bytes certs[2] = {{bad, ck.chain[0].len}, ck.chain[1]};
    expect_why(store, certs, 2, "localhost", TH_ALERT_DECODE_ERROR, "does not decode");
    free(bad);
    th_cert_key_cleanup(&ck);
    X509_STORE_free(store);
}

/* |der| with the first occurrence of |from| replaced by |to| (same length). */
static uint8_t *patch_first(th_bytes der, const char *from_hex, const char *to_hex) {
    size_t from_len, to_len;
    uint8_t *from = th_test_hex(from_hex, &from_len);
    uint8_t *to = th_test_hex(to_hex, &to_len);
    assert_int_equal(from_len, to_len);
    size_t at = 0;
    while (at + from_len <= der.len && memcmp(der.data + at, from, from_len) != 0) {
        at++;
    }
    assert_true(at + from_len <= der.len);
    uint8_t *out = th_test_patch(der.data, der.len, at, to_hex);
    free(from);
    free(to);
    return out;
}

static void test_unknown_key_algorithm_is_unsupported_certificate(void **state) {
    (void)state;
    X509_STORE *store = th_test_load_trust_store("trust-bundle.pem");
    /* rsaEncryption -> id-RSASSA-PSS, which BoringSSL does not decode. */
    th_cert_key rsa;
    th_test_load_cert_key("server-rsa2048", &rsa);
    uint8_t *pss = patch_first(rsa.chain[0], "06092a864886f70d010101", "06092a864886f70d01010a");
    th_bytes pss_chain[2] = {{pss, rsa.chain[0].len}, rsa.chain[1]};
    expect_why(store, pss_chain, 2, "localhost", TH_ALERT_UNSUPPORTED_CERTIFICATE,
               "algorithm is not supported");
    /* secp384r1 -> secp256k1, a named curve BoringSSL does not decode. */
    th_cert_key p384;
    th_test_load_cert_key("server-ecdsa-p384", &p384);
    uint8_t *k1 = patch_first(p384.chain[0], "06052b81040022", "06052b8104000a");
    th_bytes k1_chain[2] = {{k1, p384.chain[0].len}, p384.chain[1]};
    expect_why(store, k1_chain, 2, "localhost", TH_ALERT_UNSUPPORTED_CERTIFICATE,
               "algorithm is not supported");
    free(pss);
    free(k1);
    th_cert_key_cleanup(&rsa);
    th_cert_key_cleanup(&p384);
    X509_STORE_free(store);
}

static void test_empty_chain_alert_is_the_callers(void **state) {
    (void)state;
    X509_STORE *store = th_test_load_trust_store("trust-bundle.pem");
    expect_why(store, NULL, 0, "localhost", TH_ALERT_DECODE_ERROR, "empty certificate chain");
    expect_alert(store, NULL, 0, NULL, 0, kNow, TH_ALERT_CERTIFICATE_REQUIRED);
    assert_int_equal(th_alert_empty_server_chain(TH_VERSION_TLS13), TH_ALERT_DECODE_ERROR);
    assert_int_equal(th_alert_empty_server_chain(TH_VERSION_TLS12), TH_ALERT_DECODE_ERROR);
    assert_int_equal(th_alert_empty_client_chain(TH_VERSION_TLS13), TH_ALERT_CERTIFICATE_REQUIRED);
    assert_int_equal(th_alert_empty_client_chain(TH_VERSION_TLS12), TH_ALERT_HANDSHAKE_FAILURE);
    X509_STORE_free(store);
}

static void test_bad_arguments_are_internal_error(void **state) {
    (void)state;
    X509_STORE *store = th_test_load_trust_store("trust-bundle.pem");
    th_cert_key ck;
    th_test_load_cert_key("server-ecdsa-p256", &ck);
    expect_alert(store, ck.chain, ck.num_chain, "", 1, kNow, TH_ALERT_INTERNAL_ERROR);
    expect_alert(NULL, ck.chain, ck.num_chain, "localhost", 1, kNow, TH_ALERT_INTERNAL_ERROR);
    th_cert_key_cleanup(&ck);
    X509_STORE_free(store);
}

/* Writes |text| to a fresh temporary file; returns its malloc'd path. */
static char *temp_file(const char *text) {
    char *path = strdup("/tmp/th_test_x509_XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    size_t len = strlen(text);
    assert_true(write(fd, text, len) == (ssize_t)len);
    close(fd);
    return path;
}

static void expect_store_error(const char *path, const char *fragment) {
    X509_STORE *store = (X509_STORE *)1;
    char err[512] = "";
    assert_false(th_trust_store_load(path, &store, err, sizeof(err)));
    assert_null(store);
    if (strstr(err, path) == NULL || strstr(err, fragment) == NULL) {
        fail_msg("message \"%s\" lacks \"%s\" or \"%s\"", err, path, fragment);
    }
}

static void test_trust_store_errors_name_the_file(void **state) {
    (void)state;
    expect_store_error(PKI "no-such-file.pem", "cannot open");
    /* A key file has no CERTIFICATE block. */
    expect_store_error(PKI "root-ca.key", "no PEM CERTIFICATE");
    char *empty = temp_file("");
    expect_store_error(empty, "no PEM CERTIFICATE");
    char *corrupt = temp_file("-----BEGIN CERTIFICATE-----\nMIIB!!!!notbase64\n"
                              "-----END CERTIFICATE-----\n");
    expect_store_error(corrupt, "certificate 1 does not parse");
    char *not_der = temp_file("-----BEGIN CERTIFICATE-----\nMAMCAQA=\n-----END CERTIFICATE-----\n");
    expect_store_error(not_der, "certificate 1 does not parse");
    unlink(empty);
    unlink(corrupt);
    unlink(not_der);
    free(empty);
    free(corrupt);
    free(not_der);
    /* Truncating the buffer keeps it a C string. */
    X509_STORE *store;
    char small[8];
    assert_false(th_trust_store_load(PKI "no-such-file.pem", &store, small, sizeof(small)));
    assert_int_equal(strlen(small), sizeof(small) - 1);
}

static char *read_text(const char *path) {
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    char *buf = calloc(1, 65536);
    size_t n = fread(buf, 1, 65535, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

static void test_trust_store_reads_every_certificate(void **state) {
    (void)state;
    /* Both roots, the first one twice. */
    char *root = read_text(PKI "root-ca.pem");
    char *other = read_text(PKI "untrusted-root.pem");
    size_t len = 2 * strlen(root) + strlen(other) + 1;
    char *bundle = malloc(len);
    snprintf(bundle, len, "%s%s%s", root, other, root);
    char *path = temp_file(bundle);
    char err[512];
    X509_STORE *store;
    if (!th_trust_store_load(path, &store, err, sizeof(err))) {
        fail_msg("%s", err);
    }
    th_cert_key good, unknown;
    th_test_load_cert_key("server-ed25519", &good);
    th_test_load_cert_key("bad-unknown-ca", &unknown);
    expect_ok(store, good.chain, good.num_chain, "localhost", 1, kNow);
    expect_ok(store, unknown.chain, unknown.num_chain, "localhost", 1, kNow);
    th_cert_key_cleanup(&good);
    th_cert_key_cleanup(&unknown);
    X509_STORE_free(store);
    unlink(path);
    free(path);
    free(bundle);
    free(root);
    free(other);
}

static void test_cert_key_load_gives_der_chain_and_key(void **state) {
    (void)state;
    static const struct {
        const char *name;
        int type;
    } kIds[] = {
        {"server-ecdsa-p256", EVP_PKEY_EC}, {"server-ecdsa-p384", EVP_PKEY_EC},
        {"server-rsa2048", EVP_PKEY_RSA},   {"server-ed25519", EVP_PKEY_ED25519},
        {"client-ecdsa-p256", EVP_PKEY_EC}, {"client-rsa2048", EVP_PKEY_RSA},
    };
    th_cert_key inter;
    th_test_load_cert_key_files("intermediate-ca.pem", "intermediate-ca.key", &inter);
    assert_int_equal(inter.num_chain, 1);
    for (size_t i = 0; i < sizeof(kIds) / sizeof(kIds[0]); i++) {
        th_cert_key chain, leaf;
        char file[128];
        th_test_load_cert_key(kIds[i].name, &chain);
        snprintf(file, sizeof(file), "%s.pem", kIds[i].name);
        char key[128];
        snprintf(key, sizeof(key), "%s.key", kIds[i].name);
        th_test_load_cert_key_files(file, key, &leaf);
        assert_int_equal(EVP_PKEY_id(chain.key), kIds[i].type);
        assert_int_equal(chain.num_chain, 2);
        assert_int_equal(leaf.num_chain, 1);
        /* chain[0] is the leaf, chain[1] the intermediate, byte for byte. */
        assert_int_equal(chain.chain[0].len, leaf.chain[0].len);
        assert_memory_equal(chain.chain[0].data, leaf.chain[0].data, leaf.chain[0].len);
        assert_int_equal(chain.chain[1].len, inter.chain[0].len);
        assert_memory_equal(chain.chain[1].data, inter.chain[0].data, inter.chain[0].len);
        /* The leaf's key is the loaded key's public half. */
        EVP_PKEY *pub;
        uint8_t alert;
        char why[256];
        assert_true(th_leaf_public_key(chain.chain[0], &pub, &alert, why, sizeof(why)));
        assert_int_equal(EVP_PKEY_cmp(pub, chain.key), 1);
        EVP_PKEY_free(pub);
        th_cert_key_cleanup(&chain);
        th_cert_key_cleanup(&leaf);
        assert_null(chain.chain);
        assert_null(chain.key);
    }
    th_cert_key_cleanup(&inter);
    th_cert_key_cleanup(NULL);
}

static void expect_load_error(const char *cert, const char *key, const char *name_in_msg,
                              const char *fragment) {
    th_cert_key ck;
    char err[512] = "";
    assert_false(th_cert_key_load(cert, key, &ck, err, sizeof(err)));
    assert_null(ck.chain);
    assert_null(ck.key);
    assert_int_equal(ck.num_chain, 0);
    if (strstr(err, name_in_msg) == NULL || strstr(err, fragment) == NULL) {
        fail_msg("message \"%s\" lacks \"%s\" or \"%s\"", err, name_in_msg, fragment);
    }
}

static void test_cert_key_load_errors_name_the_file(void **state) {
    (void)state;
    expect_load_error(PKI "missing.pem", PKI "server-ecdsa-p256.key", PKI "missing.pem",
                      "cannot open");
    expect_load_error(PKI "server-ecdsa-p256-chain.pem", PKI "missing.key", PKI "missing.key",
                      "cannot open");
    expect_load_error(PKI "server-ecdsa-p256.key", PKI "server-ecdsa-p256.key",
                      PKI "server-ecdsa-p256.key", "no PEM CERTIFICATE");
    expect_load_error(PKI "server-ecdsa-p256-chain.pem", PKI "server-ecdsa-p256.pem",
                      PKI "server-ecdsa-p256.pem", "no private key");
    expect_load_error(PKI "server-ecdsa-p256-chain.pem", PKI "server-ecdsa-p384.key",
                      PKI "server-ecdsa-p384.key", "does not match");
    /* The intermediate's key does not match the leaf, though it is in the file. */
    expect_load_error(PKI "server-rsa2048-chain.pem", PKI "intermediate-ca.key",
                      PKI "server-rsa2048-chain.pem", "does not match");
}

static void test_leaf_public_key_of_rfc8448_certificate(void **state) {
    (void)state;
    const uint8_t *body;
    size_t len;
    uint8_t *msg = th_test_vector_body("rfc8448-simple-1rtt.txt", "certificate", &body, &len);
    CBS cbs;
    CBS_init(&cbs, body, len);
    th_certificate cert;
    uint8_t alert;
    assert_true(th_parse_certificate(&cbs, &cert, &alert));
    assert_int_equal(cert.num_entries, 1);
    EVP_PKEY *key;
    char why[256];
    assert_true(th_leaf_public_key(cert.entries[0].cert_data, &key, &alert, why, sizeof(why)));
    assert_int_equal(EVP_PKEY_id(key), EVP_PKEY_RSA);
    EVP_PKEY_free(key);
    th_bytes garbage = {body, 3};
    assert_false(th_leaf_public_key(garbage, &key, &alert, why, sizeof(why)));
    assert_int_equal(alert, TH_ALERT_DECODE_ERROR);
    assert_null(key);
    th_certificate_cleanup(&cert);
    free(msg);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_good_server_chains_verify_for_localhost_and_ip),
        cmocka_unit_test(test_good_client_chains_verify_as_client),
        cmocka_unit_test(test_good_chain_verifies_at_validity_edges),
        cmocka_unit_test(test_good_chain_outside_validity_is_certificate_expired),
        cmocka_unit_test(test_name_check_ignores_case_and_can_be_skipped),
        cmocka_unit_test(test_other_name_or_address_is_bad_certificate),
        cmocka_unit_test(test_expired_leaf_is_certificate_expired),
        cmocka_unit_test(test_not_yet_valid_leaf_is_certificate_expired),
        cmocka_unit_test(test_wrong_host_is_bad_certificate),
        cmocka_unit_test(test_unknown_ca_is_unknown_ca),
        cmocka_unit_test(test_missing_intermediate_is_unknown_ca),
        cmocka_unit_test(test_bad_signature_is_bad_certificate),
        cmocka_unit_test(test_md5_and_sha1_signed_leaves_are_bad_certificate),
        cmocka_unit_test(test_leaf_for_the_other_role_is_unsupported_certificate),
        cmocka_unit_test(test_unparseable_der_is_decode_error),
        cmocka_unit_test(test_issued_leaf_with_supported_key_verifies),
        cmocka_unit_test(test_unsupported_leaf_key_is_unsupported_certificate),
        cmocka_unit_test(test_corrupt_leaf_key_is_decode_error),
        cmocka_unit_test(test_unknown_key_algorithm_is_unsupported_certificate),
        cmocka_unit_test(test_empty_chain_alert_is_the_callers),
        cmocka_unit_test(test_bad_arguments_are_internal_error),
        cmocka_unit_test(test_trust_store_errors_name_the_file),
        cmocka_unit_test(test_trust_store_reads_every_certificate),
        cmocka_unit_test(test_cert_key_load_gives_der_chain_and_key),
        cmocka_unit_test(test_cert_key_load_errors_name_the_file),
        cmocka_unit_test(test_leaf_public_key_of_rfc8448_certificate),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
