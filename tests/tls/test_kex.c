#include <string.h>

#include <openssl/curve25519.h>
#include <openssl/mem.h>

#include "kex.h"
#include "testutil.h"

/* A deterministic randomness source: a counter seeded by the context. */
static void counter_random(void *ctx, uint8_t *out, size_t len) {
    uint8_t *seed = ctx;
    for (size_t i = 0; i < len; i++) {
        out[i] = (uint8_t)(*seed + i * 7 + 1);
    }
    (*seed)++;
}

static const uint16_t kAllGroups[] = {TH_GROUP_X25519, TH_GROUP_SECP256R1, TH_GROUP_SECP384R1};

static void test_kex_agreement_in_every_group(void **state) {
    (void)state;
    for (size_t g = 0; g < 3; g++) {
        uint8_t seed_a = 1, seed_b = 100;
        th_kex a, b;
        assert_true(th_kex_generate(&a, kAllGroups[g], counter_random, &seed_a));
        assert_true(th_kex_generate(&b, kAllGroups[g], counter_random, &seed_b));
        assert_int_equal(a.public_key_len, th_kex_public_len(kAllGroups[g]));
        uint8_t s1[TH_KEX_MAX_SECRET], s2[TH_KEX_MAX_SECRET], alert = 0;
        size_t l1, l2;
        assert_true(th_kex_compute(&a, b.public_key, b.public_key_len, s1, &l1, &alert));
        assert_true(th_kex_compute(&b, a.public_key, a.public_key_len, s2, &l2, &alert));
        assert_int_equal(l1, l2);
        assert_memory_equal(s1, s2, l1);
        th_kex_cleanup(&a);
        th_kex_cleanup(&b);
    }
}

static void test_kex_is_deterministic_in_the_randomness(void **state) {
    (void)state;
    for (size_t g = 0; g < 3; g++) {
        uint8_t seed1 = 5, seed2 = 5;
        th_kex a, b;
        assert_true(th_kex_generate(&a, kAllGroups[g], counter_random, &seed1));
        assert_true(th_kex_generate(&b, kAllGroups[g], counter_random, &seed2));
        assert_memory_equal(a.public_key, b.public_key, a.public_key_len);
        th_kex_cleanup(&a);
        th_kex_cleanup(&b);
    }
}

static void test_kex_x25519_matches_rfc7748(void **state) {
    (void)state;
    /* RFC 7748 §6.1: Alice's private key and public key. */
    size_t len;
    uint8_t *priv =
        th_test_hex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a", &len);
    uint8_t *pub =
        th_test_hex("8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a", &len);
    th_kex k;
    assert_true(th_kex_generate(&k, TH_GROUP_X25519, counter_random, &(uint8_t){0}));
    memcpy(k.x25519_private, priv, 32);
    X25519_public_from_private(k.public_key, k.x25519_private);
    assert_memory_equal(k.public_key, pub, 32);
    th_kex_cleanup(&k);
    free(priv);
    free(pub);
}

static void test_kex_x25519_all_zero_secret_is_illegal_parameter(void **state) {
    (void)state;
    th_kex k;
    uint8_t seed = 3, zero[32] = {0}, out[TH_KEX_MAX_SECRET], alert = 0;
    size_t len;
    assert_true(th_kex_generate(&k, TH_GROUP_X25519, counter_random, &seed));
    /* The point 0 is of small order: the shared secret is all zero. */
    assert_false(th_kex_compute(&k, zero, 32, out, &len, &alert));
    assert_int_equal(alert, TH_ALERT_ILLEGAL_PARAMETER);
    th_kex_cleanup(&k);
}

static void test_kex_wrong_length_is_illegal_parameter(void **state) {
    (void)state;
    for (size_t g = 0; g < 3; g++) {
        uint8_t seed = 9, out[TH_KEX_MAX_SECRET], alert = 0;
        size_t len;
        th_kex a, b;
        assert_true(th_kex_generate(&a, kAllGroups[g], counter_random, &seed));
        assert_true(th_kex_generate(&b, kAllGroups[g], counter_random, &seed));
        assert_false(th_kex_compute(&a, b.public_key, b.public_key_len - 1, out, &len, &alert));
        assert_int_equal(alert, TH_ALERT_ILLEGAL_PARAMETER);
        assert_false(
            th_kex_check_peer_share(kAllGroups[g], b.public_key, b.public_key_len - 1, &alert));
        assert_int_equal(alert, TH_ALERT_ILLEGAL_PARAMETER);
        assert_true(th_kex_check_peer_share(kAllGroups[g], b.public_key, b.public_key_len, &alert));
        th_kex_cleanup(&a);
        th_kex_cleanup(&b);
    }
}

static void test_kex_compressed_point_is_illegal_parameter(void **state) {
    (void)state;
    uint8_t seed = 11, out[TH_KEX_MAX_SECRET], alert = 0;
    size_t len;
    th_kex a, b;
    assert_true(th_kex_generate(&a, TH_GROUP_SECP256R1, counter_random, &seed));
    assert_true(th_kex_generate(&b, TH_GROUP_SECP256R1, counter_random, &seed));
    uint8_t share[65];
    memcpy(share, b.public_key, 65);
    share[0] = 0x02;
    assert_false(th_kex_compute(&a, share, 65, out, &len, &alert));
    assert_int_equal(alert, TH_ALERT_ILLEGAL_PARAMETER);
    th_kex_cleanup(&a);
    th_kex_cleanup(&b);
}

static void test_kex_point_off_curve_is_illegal_parameter(void **state) {
    (void)state;
    for (size_t g = 1; g < 3; g++) {
        uint8_t seed = 13, out[TH_KEX_MAX_SECRET], alert = 0;
        size_t len;
        th_kex a, b;
        assert_true(th_kex_generate(&a, kAllGroups[g], counter_random, &seed));
        assert_true(th_kex_generate(&b, kAllGroups[g], counter_random, &seed));
        uint8_t share[TH_KEX_MAX_PUBLIC];
        memcpy(share, b.public_key, b.public_key_len);
        share[b.public_key_len - 1] ^= 1;
        assert_false(th_kex_compute(&a, share, b.public_key_len, out, &len, &alert));
        assert_int_equal(alert, TH_ALERT_ILLEGAL_PARAMETER);
        assert_false(th_kex_check_peer_share(kAllGroups[g], share, b.public_key_len, &alert));
        assert_int_equal(alert, TH_ALERT_ILLEGAL_PARAMETER);
        th_kex_cleanup(&a);
        th_kex_cleanup(&b);
    }
}

static void test_kex_unsupported_group_is_refused(void **state) {
    (void)state;
    uint8_t seed = 0, alert = 0, share[32] = {1};
    th_kex k;
    assert_false(th_kex_generate(&k, TH_GROUP_X448, counter_random, &seed));
    assert_false(th_kex_group_supported(TH_GROUP_FFDHE2048));
    assert_int_equal(th_kex_public_len(TH_GROUP_SECP521R1), 0);
    assert_false(th_kex_check_peer_share(TH_GROUP_X448, share, 32, &alert));
    th_kex_cleanup(&k);
    th_kex_cleanup(NULL);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kex_agreement_in_every_group),
        cmocka_unit_test(test_kex_is_deterministic_in_the_randomness),
        cmocka_unit_test(test_kex_x25519_matches_rfc7748),
        cmocka_unit_test(test_kex_x25519_all_zero_secret_is_illegal_parameter),
        cmocka_unit_test(test_kex_wrong_length_is_illegal_parameter),
        cmocka_unit_test(test_kex_compressed_point_is_illegal_parameter),
        cmocka_unit_test(test_kex_point_off_curve_is_illegal_parameter),
        cmocka_unit_test(test_kex_unsupported_group_is_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
