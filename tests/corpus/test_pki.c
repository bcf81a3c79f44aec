/* The corpus PKI: deterministic keys and certificates. */
#include <openssl/bytestring.h>
#include <openssl/evp.h>
#include <openssl/mem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "testutil.h"

#include "pki.h"

static size_t cert_der(X509 *x, uint8_t **out) {
    *out = NULL;
    int len = i2d_X509(x, out);
    assert_true(len > 0);
    return (size_t)len;
}

static void test_pki_is_byte_identical_across_inits(void **state) {
    th_corpus_pki a, b;
    assert_true(th_corpus_pki_init(&a));
    assert_true(th_corpus_pki_init(&b));
    for (int i = -1; i < TH_CORPUS_ID_COUNT; i++) {
        X509 *xa = i < 0 ? a.ca_cert : a.ids[i].cert;
        X509 *xb = i < 0 ? b.ca_cert : b.ids[i].cert;
        uint8_t *da, *db;
        size_t la = cert_der(xa, &da), lb = cert_der(xb, &db);
        assert_int_equal(la, lb);
        assert_memory_equal(da, db, la);
        OPENSSL_free(da);
        OPENSSL_free(db);
    }
    th_corpus_pki_cleanup(&a);
    th_corpus_pki_cleanup(&b);
}

static void test_pki_keys_match_certs_and_ca_signed_them(void **state) {
    th_corpus_pki pki;
    assert_true(th_corpus_pki_init(&pki));
    assert_int_equal(X509_verify(pki.ca_cert, pki.ca_key), 1);
    for (int i = 0; i < TH_CORPUS_ID_COUNT; i++) {
        assert_int_equal(X509_check_private_key(pki.ids[i].cert, pki.ids[i].key), 1);
        assert_int_equal(X509_verify(pki.ids[i].cert, pki.ca_key), 1);
        assert_int_equal(X509_check_host(pki.ids[i].cert, "localhost", 9, 0, NULL), 1);
    }
    th_corpus_pki_cleanup(&pki);
}

static void test_pki_key_types(void **state) {
    th_corpus_pki pki;
    assert_true(th_corpus_pki_init(&pki));
    assert_int_equal(EVP_PKEY_id(pki.ids[TH_CORPUS_ID_ECDSA_P256].key), EVP_PKEY_EC);
    assert_int_equal(EVP_PKEY_bits(pki.ids[TH_CORPUS_ID_ECDSA_P256].key), 256);
    assert_int_equal(EVP_PKEY_bits(pki.ids[TH_CORPUS_ID_ECDSA_P384].key), 384);
    assert_int_equal(EVP_PKEY_id(pki.ids[TH_CORPUS_ID_RSA_2048].key), EVP_PKEY_RSA);
    assert_int_equal(EVP_PKEY_bits(pki.ids[TH_CORPUS_ID_RSA_2048].key), 2048);
    assert_int_equal(EVP_PKEY_id(pki.ids[TH_CORPUS_ID_ED25519].key), EVP_PKEY_ED25519);
    assert_int_equal(EVP_PKEY_id(pki.ca_key), EVP_PKEY_ED25519);
    th_corpus_pki_cleanup(&pki);
}

static void test_pki_cleanup_is_safe_on_zero_and_null(void **state) {
    th_corpus_pki pki;
    memset(&pki, 0, sizeof(pki));
    th_corpus_pki_cleanup(&pki);
    th_corpus_pki_cleanup(NULL);
}

static void test_pki_id_names(void **state) {
    assert_string_equal(th_corpus_id_name(TH_CORPUS_ID_RSA_2048), "rsa-2048");
    assert_string_equal(th_corpus_id_name(TH_CORPUS_ID_CLIENT_P256), "client-p256");
    assert_null(th_corpus_id_name(TH_CORPUS_ID_COUNT));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pki_is_byte_identical_across_inits),
        cmocka_unit_test(test_pki_keys_match_certs_and_ca_signed_them),
        cmocka_unit_test(test_pki_key_types),
        cmocka_unit_test(test_pki_cleanup_is_safe_on_zero_and_null),
        cmocka_unit_test(test_pki_id_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
