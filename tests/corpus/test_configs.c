/* The configuration matrix: well-formed rows, and the coverage the corpus
 * promises. */
#include "testutil.h"

#include "configs.h"

static void test_configs_names_are_unique_and_found(void **state) {
    for (size_t i = 0; i < th_num_corpus_configs; i++) {
        const th_corpus_config *c = &th_corpus_configs[i];
        assert_non_null(c->name);
        assert_true(strlen(c->description) > 0);
        assert_ptr_equal(th_corpus_config_find(c->name), c);
        for (size_t j = 0; j < i; j++) {
            assert_string_not_equal(th_corpus_configs[j].name, c->name);
        }
    }
    assert_null(th_corpus_config_find("no_such_config"));
}

static void test_configs_flags_are_consistent(void **state) {
    for (size_t i = 0; i < th_num_corpus_configs; i++) {
        const th_corpus_config *c = &th_corpus_configs[i];
        if (c->flags & TH_CC_EARLY_DATA) {
            assert_true(c->flags & TH_CC_RESUME);
        }
        if (c->flags & TH_CC_CLIENT_CERT_REQUIRED) {
            assert_true(c->flags & TH_CC_CLIENT_AUTH_EMPTY);
            assert_true(c->flags & TH_CC_EXPECT_FAILURE);
        }
        assert_false((c->flags & TH_CC_CLIENT_AUTH) && (c->flags & TH_CC_CLIENT_AUTH_EMPTY));
        assert_true(c->server_id < TH_CORPUS_ID_COUNT);
        assert_int_not_equal(c->server_id, TH_CORPUS_ID_CLIENT_P256);
    }
}

/* The matrix has a TLS 1.3 row for every server key and a TLS 1.2-only row
 * for each key exchange the corpus promises. */
static void test_configs_cover_keys_and_key_exchanges(void **state) {
    int tls13_key[TH_CORPUS_ID_COUNT] = {0};
    int tls12 = 0, tls12_rsa_kx = 0, failures = 0;
    for (size_t i = 0; i < th_num_corpus_configs; i++) {
        const th_corpus_config *c = &th_corpus_configs[i];
        if (c->flags & TH_CC_EXPECT_FAILURE) {
            failures++;
        } else if (c->client_max_version == TH_VERSION_TLS12) {
            tls12++;
            tls12_rsa_kx +=
                c->server_ciphers != NULL && strncmp(c->server_ciphers, "TLS_RSA_", 8) == 0;
        } else {
            tls13_key[c->server_id] = 1;
        }
    }
    assert_true(tls13_key[TH_CORPUS_ID_ECDSA_P256] && tls13_key[TH_CORPUS_ID_ECDSA_P384] &&
                tls13_key[TH_CORPUS_ID_RSA_2048] && tls13_key[TH_CORPUS_ID_ED25519]);
    assert_true(tls12 >= 10);
    assert_true(tls12_rsa_kx >= 1);
    assert_true(failures >= 1);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_configs_names_are_unique_and_found),
        cmocka_unit_test(test_configs_flags_are_consistent),
        cmocka_unit_test(test_configs_cover_keys_and_key_exchanges),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
