#include <stdlib.h>
#include <string.h>

#include <openssl/mem.h>
#include <openssl/sha.h>

#include "message_hash.h"
#include "testutil.h"

static const char kVec[] = "rfc8448-simple-1rtt.txt";

TH_CODEC_FN(mh_codec, th_message_hash, th_parse_message_hash, th_write_message_hash,
            th_test_no_cleanup)

static void test_mh_hash_lengths_roundtrip(void **state) {
    (void)state;
    uint8_t hash[64];
    memset(hash, 0x5c, sizeof(hash));
    th_expect_roundtrip(mh_codec, hash, 32);
    th_expect_roundtrip(mh_codec, hash, 48);
    th_expect_roundtrip(mh_codec, hash, 64);
    /* Every prefix of a SHA-256 hash is short; one more byte is trailing. */
    th_expect_truncations_rejected(mh_codec, hash, 32);
    th_expect_trailing_rejected(mh_codec, hash, 32);
    th_expect_trailing_rejected(mh_codec, hash, 48);
}

static void test_mh_other_lengths_are_decode_error(void **state) {
    (void)state;
    uint8_t hash[65];
    memset(hash, 0, sizeof(hash));
    for (size_t len = 0; len <= sizeof(hash); len++) {
        if (len != 32 && len != 48 && len != 64) {
            th_expect_reject(mh_codec, hash, len, TH_ALERT_DECODE_ERROR);
        }
    }
}

static void test_mh_write_from_builds_the_synthetic_message(void **state) {
    (void)state;
    /* RFC 8446 §4.4.1: message_hash || 00 00 Hash.length || Hash(ClientHello1),
     * here with the RFC 8448 ClientHello. */
    size_t ch_len, out_len;
    uint8_t *ch = th_test_vector(kVec, "client_hello", &ch_len), *out;
    uint8_t digest[SHA256_DIGEST_LENGTH];
    CBB cbb;
    SHA256(ch, ch_len, digest);
    assert_true(CBB_init(&cbb, 40));
    assert_true(th_write_message_hash_from(&cbb, digest, sizeof(digest)));
    assert_true(CBB_finish(&cbb, &out, &out_len));
    assert_int_equal(out_len, 4 + 32);
    assert_int_equal(out[0], TH_HS_MESSAGE_HASH);
    assert_int_equal(out[1], 0);
    assert_int_equal(out[2], 0);
    assert_int_equal(out[3], 32);
    assert_memory_equal(out + 4, digest, 32);
    /* Its body parses back to the hash. */
    th_message_hash mh;
    uint8_t alert;
    CBS cbs;
    CBS_init(&cbs, out + 4, out_len - 4);
    assert_true(th_parse_message_hash(&cbs, &mh, &alert));
    assert_memory_equal(mh.hash.data, digest, 32);
    OPENSSL_free(out);
    free(ch);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mh_hash_lengths_roundtrip),
        cmocka_unit_test(test_mh_other_lengths_are_decode_error),
        cmocka_unit_test(test_mh_write_from_builds_the_synthetic_message),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
