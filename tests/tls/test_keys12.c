#include <stdlib.h>
#include <string.h>

#include <openssl/digest.h>
#include <openssl/mem.h>

#include "keys12.h"
#include "testutil.h"

/* Known answers, and where each comes from:
 * - the TLS 1.2 PRF vectors posted to the IETF TLS mailing list
 *   (https://www.ietf.org/mail-archive/web/tls/current/msg03416.html, the
 *   P_SHA256 and P_SHA384 "test label" vectors, also in GnuTLS' tests),
 *   recomputed with Python's hmac module;
 * - BoringSSL TLS 1.2 handshakes (Debian's android-libboringssl, API 17; a
 *   client and server over memory BIOs, server keys from scenarios/pki/,
 *   extended master secret negotiated, tickets off): client/server random and
 *   master secret from SSL_get_*_random / SSL_SESSION_get_master_key (equal
 *   to the SSL_CTX_set_keylog_callback line), the premaster of the RSA key
 *   exchanges decrypted from ClientKeyExchange with the server key, the
 *   session and Finished hashes over the messages of SSL_CTX_set_msg_callback,
 *   the Finished messages BoringSSL sent, SSL_export_keying_material outputs;
 *   every derivation was rechecked with Python's hmac module;
 * - the classic master secret and the key block split: Python's hmac module
 *   (BoringSSL always negotiates the extended master secret). */

static uint8_t *hex(const char *s, size_t *len) {
    return th_test_hex(s, len);
}

static void assert_hex_eq(const uint8_t *got, size_t got_len, const char *want_hex) {
    size_t len;
    uint8_t *want = hex(want_hex, &len);
    assert_int_equal(got_len, len);
    assert_memory_equal(got, want, len);
    free(want);
}

static th_secret secret_of(const char *s) {
    th_secret out;
    size_t len;
    uint8_t *b = hex(s, &len);
    assert_true(th_secret_set(&out, b, len));
    free(b);
    return out;
}

typedef struct {
    uint16_t suite;
    const char *client_random;
    const char *server_random;
    const char *master_secret;
    const char *premaster; /* RSA key exchange only */
    const char *session_hash;
    const char *client_finished_hash;
    const char *client_finished; /* the whole message, 4-byte header included */
    const char *server_finished_hash;
    const char *server_finished;
    const char *export_ctx;   /* 32 bytes, "EXPERIMENTAL tlsharness", context "abc" */
    const char *export_noctx; /* 32 bytes, same label, no context */
} bssl_vector;

static const bssl_vector kBssl[] = {
    {
        /* rsa_aes128gcm  AES128-GCM-SHA256  version TLSv1.2 EMS 1 */
        TH_TLS_RSA_WITH_AES_128_GCM_SHA256,
        "91fb82bba3e879f5f27cc15283a729735464c39209ad97ee0b46631abebb08cf",
        "6b076bdda3f2ce207720cda0508aa43798c741f44658ba9bce820bc5be96d525",
        "f1e869d4bdbc04f65172aafc560bbfbc62502d271fb00dcee9573f71bed322bf36e20c1c2f2e5720dd61"
        "a74f59fc392e",
        "030392e8dde40e4a1f0a76e48cf316eaba90540a0c52626fe8a90ad46cd787f7caf2e6b1b6dfc6e37f4b"
        "605fd4ff74ec",
        "d8fff0a0eabf343e042297f50e4d4f28e0205d82e4d4943f4e06ea1ca46f7869",
        "d8fff0a0eabf343e042297f50e4d4f28e0205d82e4d4943f4e06ea1ca46f7869",
        "1400000c0434ce5f6017dee37631e24c",
        "5ae9bb7949260f26c5ac246e5748f475e0cfde49c7439053a1663a7f400d8800",
        "1400000ced9c1c89f60ce88d881cb529",
        "c1a251b4b4a24a492e0994d4831cc6114a042a18990de0d2a8e93eb28ef47ae1",
        "0f3a9511b37fb1a763087394157dfcdb78cddfb92a3cedb139ecff5b99e0051e",
    },
    {
        /* ecdhe_rsa_aes256gcm  ECDHE-RSA-AES256-GCM-SHA384  version TLSv1.2 EMS 1 */
        TH_TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
        "be81641c6645a58f4c46f65687bb6a6558cfe4f40ac02e36c618546c4535713a",
        "6b076bdd0675f205b0f170f407934604b79f551df76327f258617af38ceca562",
        "2614f5520e06040a5f6158519e16a51a69653068096a53abaa2ee5f1cfda6ca43734d68ba3d840e35cfe"
        "71c8c80a83bd",
        NULL,
        "aa2d39d13f41c724214b59ff6171dfc1d27b2a235bafa1ca34a5c95184325ab411cd749573d77e8c2a52"
        "93a5a6833696",
        "aa2d39d13f41c724214b59ff6171dfc1d27b2a235bafa1ca34a5c95184325ab411cd749573d77e8c2a52"
        "93a5a6833696",
        "1400000c7bb0d240bbf00366917e58ce",
        "8b0324d80a30699a1cd7831ae0131498ee195d34f0be0044bbba800075712305b96661674225d6acb3df"
        "21a54f2c0ef3",
        "1400000c3d554ea5967439e502a2c725",
        "8ecddd0e841d893590b6461760c46f1bb9b2f1802d7460b21e19f0d13b8536dc",
        "9d7b8691435c88a55807122958d8de7e55d94081e9ba772eb6a88b16a5d72532",
    },
    {
        /* ecdhe_ecdsa_chacha  ECDHE-ECDSA-CHACHA20-POLY1305  version TLSv1.2 EMS 1 */
        TH_TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
        "2ddc3f4ef4b174198c6eee8636d6fd5258a4ba1aa16af9e8098f1ebf1107349f",
        "6b076bdd578dbc51a89dac09e8f7ab1e1a0a11f4a33af6fae053b988ae365085",
        "a10035f49ac6d4ec00fac78620b8d8024e1931cabaf095f30c5677fd9259c9db88c6cbf48778aa3e9422"
        "2c6eeb6915a9",
        NULL,
        "6edb5f505fc8ba50e9c563430b25bd235832abdbe20739a1fa8c7615d0753328",
        "6edb5f505fc8ba50e9c563430b25bd235832abdbe20739a1fa8c7615d0753328",
        "1400000ca321e15b47ff95d5c47656b9",
        "643b5ae303bb75f1d73df1de2847462267688133304ae419624bbbea8f454358",
        "1400000c6c269b0011733bf472d7c256",
        "b6a8afafd9abc4f7b56dc0b71faed5c82a6cbe8f44e55a46208003af695e379d",
        "2a02eb44c8357b61f2f4cd7333ff373cf89da55314fd8c0d73d6969beff53ec3",
    },
    {
        /* ecdhe_ecdsa_aes128cbc  ECDHE-ECDSA-AES128-SHA  version TLSv1.2 EMS 1 */
        TH_TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA,
        "bb8fa90d9096a4e4334fb4ef3ae6107e5f488fc581737f9eb6ab4c9c9116bba7",
        "6b076bdd07a0ad1a34af82b168ca15208d5f990bf4c79034c16b261b370426e6",
        "27c4049e83a288e68408738f2c9c77576bd70fcfd438e87a7eeca68ae743d8594b6dd3b513c2dbf0c3f6"
        "ef5170140d21",
        NULL,
        "6121e294dbc1362a88b5c5834ca3f76b9defb4b6d362d22de5b123964259166c",
        "6121e294dbc1362a88b5c5834ca3f76b9defb4b6d362d22de5b123964259166c",
        "1400000cd1fb1074dee7edefd2c4ec14",
        "fb2b9e5b2010863d576d91910fda9ed3b779723ba79d15f2ba309a84dbf91a6d",
        "1400000c796cf41ef74ebaf27e7705e0",
        "f238e59ad74b9caa361d0250cc6255bcb3b2b33a3c1fd7fcdd0fae2dd84702ef",
        "dc219b9b698e4bcd7b1e574b4f5cd9fe13fdfbdd77cdd6910f48b26d46d5ab56",
    },
    {
        /* rsa_aes256cbc  AES256-SHA  version TLSv1.2 EMS 1 */
        TH_TLS_RSA_WITH_AES_256_CBC_SHA,
        "00c3ac39ff3597a3360e01cf2b38fbd81dcd7e6d31b2037661631fdba48cf7af",
        "6b076bdd48da61527f5ba085a81f0253c983fb4095cc8cd281029282f465a4b5",
        "af2d398da50d4bdad05b2255a0c114572c2005a9abe273076db558475126f2e4f34a025622174eab276d"
        "3ac6eb3d4bec",
        "03039cf4ad7e1e9cf14f0a3cff08dde46e6f759767242db7594439c3009f99bd75cc005110aeab952c94"
        "3af468d5532a",
        "af2fa91bc360be522410e7e5390077d6f5918f39b43f79a11e27b5b4e4a86a3e",
        "af2fa91bc360be522410e7e5390077d6f5918f39b43f79a11e27b5b4e4a86a3e",
        "1400000c8721e57c3d9a3b869b2e35ec",
        "4acf8512a093a18a56e60f14dc2c51b8dd6f60e4b2be8eeeb21f32afa0c5ec16",
        "1400000c04d009c0cc653b2e4d478f22",
        "16db150995842749c7c0eed5ff32f3874bbe54cebc630f5341a88215a5e69b2e",
        "49f07cf5c9fa7fa72860bfbf9d6efa73ffb87f6000807df5cb711c67eaa17b47",
    },
};
#define NUM_BSSL (sizeof(kBssl) / sizeof(kBssl[0]))

static const char kLabel[] = "test label";

static void test_prf_sha256_ietf_vector(void **state) {
    uint8_t out[100];
    size_t secret_len, seed_len;
    uint8_t *secret = hex("9bbe436ba940f017b17652849a71db35", &secret_len);
    uint8_t *seed = hex("a0ba9f936cda311827a6f796ffd5198c", &seed_len);
    assert_true(th_tls12_prf(out, sizeof(out), EVP_sha256(), secret, secret_len, kLabel,
                             strlen(kLabel), seed, seed_len, NULL, 0));
    assert_hex_eq(out, sizeof(out),
                  "e3f229ba727be17b8d122620557cd453c2aab21d07c3d495329b52d4e61edb5a6b301791e90d35"
                  "c9c9a46b4e14baf9af0fa022f7077def17abfd3797c0564bab4fbc91666e9def9b97fce34f7967"
                  "89baa48082d122ee42c5a72e5a5110fff70187347b66");
    free(secret);
    free(seed);
}

static const char kPrf384[] =
    "7b0c18e9ced410ed1804f2cfa34a336a1c14dffb4900bb5fd7942107e81c83cde9ca0faa60be9fe34f82b123"
    "3c9146a0e534cb400fed2700884f9dc236f80edd8bfa961144c9e8d792eca722a7b32fc3d416d473ebc2c5fd"
    "4abfdad05d9184259b5bf8cd4d90fa0d31e2dec479e4f1a26066f2eea9a69236a3e52655c9e9aee691c8f3a2"
    "6854308d5eaa3be85e0990703d73e56f";

static void test_prf_sha384_ietf_vector(void **state) {
    uint8_t out[148];
    size_t secret_len, seed_len;
    uint8_t *secret = hex("b80b733d6ceefcdc71566ea48e5567df", &secret_len);
    uint8_t *seed = hex("cd665cf6a8447dd6ff8b27555edb7465", &seed_len);
    assert_true(th_tls12_prf(out, sizeof(out), EVP_sha384(), secret, secret_len, kLabel,
                             strlen(kLabel), seed, seed_len, NULL, 0));
    assert_hex_eq(out, sizeof(out), kPrf384);
    free(secret);
    free(seed);
}

static void test_prf_output_is_a_stream_and_seed_split_is_irrelevant(void **state) {
    uint8_t full[148], part[148];
    size_t secret_len, seed_len;
    uint8_t *secret = hex("b80b733d6ceefcdc71566ea48e5567df", &secret_len);
    uint8_t *seed = hex("cd665cf6a8447dd6ff8b27555edb7465", &seed_len);
    assert_true(th_tls12_prf(full, sizeof(full), EVP_sha384(), secret, secret_len, kLabel,
                             strlen(kLabel), seed, seed_len, NULL, 0));
    /* Every length is a prefix of the long output (block edges included). */
    for (size_t n = 0; n <= sizeof(part); n++) {
        memset(part, 0xee, sizeof(part));
        assert_true(th_tls12_prf(part, n, EVP_sha384(), secret, secret_len, kLabel, strlen(kLabel),
                                 seed, seed_len, NULL, 0));
        assert_memory_equal(part, full, n);
        if (n < sizeof(part)) {
            assert_int_equal(part[n], 0xee);
        }
    }
    /* seed1 + seed2 is one seed wherever it is cut. */
    for (size_t cut = 0; cut <= seed_len; cut++) {
        assert_true(th_tls12_prf(part, sizeof(part), EVP_sha384(), secret, secret_len, kLabel,
                                 strlen(kLabel), seed, cut, seed + cut, seed_len - cut));
        assert_memory_equal(part, full, sizeof(full));
    }
    free(secret);
    free(seed);
}

static void test_prf_refuses_other_hashes_and_bad_arguments(void **state) {
    uint8_t out[16], secret[16] = {1};
    assert_false(th_tls12_prf(out, sizeof(out), EVP_sha1(), secret, 16, "x", 1, NULL, 0, NULL, 0));
    assert_false(
        th_tls12_prf(out, sizeof(out), EVP_sha512(), secret, 16, "x", 1, NULL, 0, NULL, 0));
    assert_false(th_tls12_prf(out, sizeof(out), NULL, secret, 16, "x", 1, NULL, 0, NULL, 0));
    assert_false(
        th_tls12_prf(out, sizeof(out), EVP_sha256(), secret, 16, NULL, 0, NULL, 0, NULL, 0));
    assert_false(th_tls12_prf(out, sizeof(out), EVP_sha256(), NULL, 16, "x", 1, NULL, 0, NULL, 0));
    assert_false(
        th_tls12_prf(out, sizeof(out), EVP_sha256(), secret, 16, "x", 1, NULL, 3, NULL, 0));
    /* An empty secret is legal input to HMAC. */
    assert_true(th_tls12_prf(out, sizeof(out), EVP_sha256(), NULL, 0, "x", 1, NULL, 0, NULL, 0));
}

static const char kPremaster[] =
    "0303000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f202122232425262728292a"
    "2b2c2d";
static const char kClientRandom[] =
    "202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f";
static const char kServerRandom[] =
    "808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f";

static void test_classic_master_secret_known_answer(void **state) {
    size_t pms_len, cr_len, sr_len;
    uint8_t *pms = hex(kPremaster, &pms_len), *cr = hex(kClientRandom, &cr_len);
    uint8_t *sr = hex(kServerRandom, &sr_len);
    th_secret ms;
    assert_true(th_tls12_master_secret(&ms, EVP_sha256(), pms, pms_len, cr, sr));
    assert_hex_eq(ms.bytes, ms.len,
                  "0cf9f93f2ef851e9dae32efa483d0373df47f03ce732f4c146c72be806df11338c5aa7ea1f9dd9"
                  "d066e5ccf5d1fa74eb");
    assert_true(th_tls12_master_secret(&ms, EVP_sha384(), pms, pms_len, cr, sr));
    assert_hex_eq(ms.bytes, ms.len,
                  "9c0a3bade8a0fd4090f5f402b819d16cdba871289c4766787fc325703d2b5a2ef9a594e6c5340c"
                  "a97664255f2a3fc6a2");
    /* RFC 5246 §8.1: ClientHello.random first; swapping them changes it. */
    th_secret swapped;
    assert_true(th_tls12_master_secret(&swapped, EVP_sha384(), pms, pms_len, sr, cr));
    assert_memory_not_equal(swapped.bytes, ms.bytes, ms.len);
    assert_false(th_tls12_master_secret(&ms, EVP_sha256(), pms, pms_len, NULL, sr));
    th_secret_cleanse(&ms);
    th_secret_cleanse(&swapped);
    free(pms);
    free(cr);
    free(sr);
}

static void test_extended_master_secret_matches_boringssl(void **state) {
    int checked = 0;
    for (size_t i = 0; i < NUM_BSSL; i++) {
        const bssl_vector *v = &kBssl[i];
        if (v->premaster == NULL) {
            continue;
        }
        const th_tls12_suite *suite = th_tls12_suite_find(v->suite);
        size_t pms_len, hash_len;
        uint8_t *pms = hex(v->premaster, &pms_len), *hash = hex(v->session_hash, &hash_len);
        th_secret ms;
        assert_non_null(suite);
        assert_true(
            th_tls12_extended_master_secret(&ms, suite->prf_md(), pms, pms_len, hash, hash_len));
        assert_hex_eq(ms.bytes, ms.len, v->master_secret);
        /* RFC 7627 §4: the session hash is Hash.length bytes of the PRF hash. */
        assert_false(th_tls12_extended_master_secret(&ms, suite->prf_md(), pms, pms_len, hash,
                                                     hash_len - 1));
        assert_false(
            th_tls12_extended_master_secret(&ms, EVP_sha384(), pms, pms_len, hash, hash_len));
        assert_false(
            th_tls12_extended_master_secret(&ms, suite->prf_md(), pms, pms_len, NULL, hash_len));
        th_secret_cleanse(&ms);
        free(pms);
        free(hash);
        checked++;
    }
    assert_int_equal(checked, 2);
}

static void check_finished(const bssl_vector *v, int from_server) {
    const th_tls12_suite *suite = th_tls12_suite_find(v->suite);
    const EVP_MD *md = suite->prf_md();
    th_secret ms = secret_of(v->master_secret), vd;
    size_t hash_len, fin_len;
    uint8_t *hash = hex(from_server ? v->server_finished_hash : v->client_finished_hash, &hash_len);
    uint8_t *fin = hex(from_server ? v->server_finished : v->client_finished, &fin_len);
    uint8_t alert = 0;
    /* The message is 14 00 00 0c || verify_data (RFC 5246 §7.4.9). */
    assert_int_equal(fin_len, 4 + TH_TLS12_VERIFY_DATA_LEN);
    assert_int_equal(fin[0], TH_HS_FINISHED);
    assert_true(th_tls12_finished_verify_data(&vd, md, &ms, from_server, hash, hash_len));
    assert_int_equal(vd.len, TH_TLS12_VERIFY_DATA_LEN);
    assert_memory_equal(vd.bytes, fin + 4, vd.len);
    assert_true(th_tls12_finished_check(md, &ms, from_server, hash, hash_len, fin + 4, 12, &alert));
    /* The other label does not verify. */
    assert_false(
        th_tls12_finished_check(md, &ms, !from_server, hash, hash_len, fin + 4, 12, &alert));
    assert_int_equal(alert, TH_ALERT_DECRYPT_ERROR);
    /* Every flipped bit, a short and a long verify_data: decrypt_error. */
    for (size_t i = 0; i < 12 * 8; i++) {
        fin[4 + i / 8] ^= (uint8_t)(1u << (i % 8));
        alert = 0;
        assert_false(
            th_tls12_finished_check(md, &ms, from_server, hash, hash_len, fin + 4, 12, &alert));
        assert_int_equal(alert, TH_ALERT_DECRYPT_ERROR);
        fin[4 + i / 8] ^= (uint8_t)(1u << (i % 8));
    }
    alert = 0;
    assert_false(
        th_tls12_finished_check(md, &ms, from_server, hash, hash_len, fin + 4, 11, &alert));
    assert_int_equal(alert, TH_ALERT_DECRYPT_ERROR);
    alert = 0;
    assert_false(th_tls12_finished_check(md, &ms, from_server, hash, hash_len, fin, 16, &alert));
    assert_int_equal(alert, TH_ALERT_DECRYPT_ERROR);
    /* A hash of the wrong size is a caller bug: internal_error. */
    alert = 0;
    assert_false(
        th_tls12_finished_check(md, &ms, from_server, hash, hash_len - 1, fin + 4, 12, &alert));
    assert_int_equal(alert, TH_ALERT_INTERNAL_ERROR);
    th_secret_cleanse(&ms);
    th_secret_cleanse(&vd);
    free(hash);
    free(fin);
}

static void test_finished_matches_boringssl_both_sides(void **state) {
    for (size_t i = 0; i < NUM_BSSL; i++) {
        check_finished(&kBssl[i], 0);
        check_finished(&kBssl[i], 1);
    }
}

static void test_finished_refuses_a_master_secret_of_the_wrong_length(void **state) {
    th_secret ms = secret_of(kBssl[0].master_secret), vd;
    uint8_t hash[32] = {0};
    ms.len = 47;
    assert_false(th_tls12_finished_verify_data(&vd, EVP_sha256(), &ms, 0, hash, sizeof(hash)));
    th_secret_cleanse(&ms);
}

/* The key block of the first BoringSSL handshake's inputs with a fixed
 * master secret, computed with Python's hmac module, 2 * (20 + 32) bytes. */
static const char kKbMaster[] =
    "c4fd0958f43a31716d071d31e3288be8b61c5c08d9de2f86730e627f020d997b1e0d4b7fdfb8c786a834c53fb6c6"
    "94ab";
static const char kKbClientRandom[] =
    "413e91a9dfc86bf1944727ddf147a161f60898f3e1e12d0efc510b82fec6330d";
static const char kKbServerRandom[] =
    "6b076bd8bf3b13319c2674d242a334dec1b8b4108de258d445825c07583c0eda";
static const char kKeyBlock[] =
    "0b8b25ccd6dea38281f1eabc097682ee67325be59aa41b6429871596b7c998b94b65c61894c06566858e03cdd009"
    "1828bfb59437fd3f6655623e0fda1eb8097450cf4f97c261496bbc72fccbf3cca544bb34ba9fa2550248a10893bb"
    "c6aa748d27392e4b3d9dcdbb";

static void test_key_block_is_split_in_rfc_order(void **state) {
    th_secret ms = secret_of(kKbMaster);
    size_t cr_len, sr_len, kb_len;
    uint8_t *cr = hex(kKbClientRandom, &cr_len), *sr = hex(kKbServerRandom, &sr_len);
    uint8_t *kb = hex(kKeyBlock, &kb_len);
    th_tls12_key_block block;
    /* AES-128-GCM: client key, server key, client IV (4), server IV (4). */
    assert_true(th_tls12_key_block_derive(
        &block, th_tls12_suite_find(TH_TLS_RSA_WITH_AES_128_GCM_SHA256), &ms, cr, sr));
    assert_int_equal(block.client_mac_key.len, 0);
    assert_int_equal(block.server_mac_key.len, 0);
    assert_int_equal(block.client_key.len, 16);
    assert_memory_equal(block.client_key.bytes, kb, 16);
    assert_memory_equal(block.server_key.bytes, kb + 16, 16);
    assert_int_equal(block.client_iv.len, 4);
    assert_memory_equal(block.client_iv.bytes, kb + 32, 4);
    assert_memory_equal(block.server_iv.bytes, kb + 36, 4);
    /* AES-256-CBC-SHA: two 20-byte MAC keys, two 32-byte keys, no IVs. */
    assert_true(th_tls12_key_block_derive(
        &block, th_tls12_suite_find(TH_TLS_RSA_WITH_AES_256_CBC_SHA), &ms, cr, sr));
    assert_int_equal(block.client_mac_key.len, 20);
    assert_memory_equal(block.client_mac_key.bytes, kb, 20);
    assert_memory_equal(block.server_mac_key.bytes, kb + 20, 20);
    assert_int_equal(block.client_key.len, 32);
    assert_memory_equal(block.client_key.bytes, kb + 40, 32);
    assert_memory_equal(block.server_key.bytes, kb + 72, 32);
    assert_int_equal(block.client_iv.len, 0);
    assert_int_equal(block.server_iv.len, 0);
    /* ChaCha20-Poly1305: 32-byte keys, 12-byte IVs (RFC 7905 §2). */
    assert_true(th_tls12_key_block_derive(
        &block, th_tls12_suite_find(TH_TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256), &ms, cr, sr));
    assert_memory_equal(block.client_key.bytes, kb, 32);
    assert_memory_equal(block.server_key.bytes, kb + 32, 32);
    assert_memory_equal(block.client_iv.bytes, kb + 64, 12);
    assert_memory_equal(block.server_iv.bytes, kb + 76, 12);
    /* A master secret of the wrong length or no suite: refused. */
    ms.len = 32;
    assert_false(th_tls12_key_block_derive(
        &block, th_tls12_suite_find(TH_TLS_RSA_WITH_AES_256_CBC_SHA), &ms, cr, sr));
    assert_false(th_tls12_key_block_derive(&block, NULL, &ms, cr, sr));
    th_tls12_key_block_cleanse(&block);
    const uint8_t *raw = (const uint8_t *)&block;
    for (size_t i = 0; i < sizeof(block); i++) {
        assert_int_equal(raw[i], 0);
    }
    th_tls12_key_block_cleanse(NULL);
    th_secret_cleanse(&ms);
    free(cr);
    free(sr);
    free(kb);
}

static int is_sha384_suite(uint16_t id) {
    return id == TH_TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384 ||
           id == TH_TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384 ||
           id == TH_TLS_RSA_WITH_AES_256_GCM_SHA384;
}

static void test_suite_table_is_consistent_with_boringssl(void **state) {
    size_t n = 0;
    for (const th_tls12_suite *s; (s = th_tls12_suite_at(n)) != NULL; n++) {
        const EVP_AEAD *aead = s->aead();
        assert_ptr_equal(th_tls12_suite_find(s->id), s);
        assert_ptr_equal(s->prf_md(), is_sha384_suite(s->id) ? EVP_sha384() : EVP_sha256());
        assert_non_null(aead);
        switch (s->cipher) {
        case TH_TLS12_CIPHER_AES_GCM:
            assert_int_equal(EVP_AEAD_key_length(aead), s->enc_key_len);
            assert_int_equal(EVP_AEAD_nonce_length(aead), s->fixed_iv_len + s->record_iv_len);
            assert_int_equal(s->fixed_iv_len, 4);
            assert_int_equal(s->mac_key_len, 0);
            break;
        case TH_TLS12_CIPHER_CHACHA20_POLY1305:
            assert_int_equal(EVP_AEAD_key_length(aead), s->enc_key_len);
            assert_int_equal(EVP_AEAD_nonce_length(aead), s->fixed_iv_len);
            assert_int_equal(s->record_iv_len, 0);
            assert_int_equal(s->mac_key_len, 0);
            break;
        case TH_TLS12_CIPHER_AES_CBC_HMAC_SHA1:
            /* BoringSSL's TLS CBC AEAD: key mac_key || enc_key, nonce = IV. */
            assert_int_equal(EVP_AEAD_key_length(aead), s->mac_key_len + s->enc_key_len);
            assert_int_equal(EVP_AEAD_nonce_length(aead), s->record_iv_len);
            assert_int_equal(EVP_CIPHER_key_length(s->cbc()), s->enc_key_len);
            assert_int_equal(EVP_CIPHER_block_size(s->cbc()), s->record_iv_len);
            assert_int_equal(EVP_MD_size(s->mac_md()), s->mac_len);
            assert_int_equal(s->mac_key_len, s->mac_len);
            assert_int_equal(s->fixed_iv_len, 0);
            break;
        default:
            fail();
        }
        assert_true(s->kx == TH_TLS12_KX_RSA || s->kx == TH_TLS12_KX_ECDHE);
        assert_true(s->auth == TH_TLS12_AUTH_RSA || s->auth == TH_TLS12_AUTH_ECDSA);
        if (s->kx == TH_TLS12_KX_RSA) {
            assert_int_equal(s->auth, TH_TLS12_AUTH_RSA);
        }
    }
    assert_int_equal(n, 14);
    /* TLS 1.3 suites and the CBC_SHA256 suites are not TLS 1.2 suites here. */
    assert_null(th_tls12_suite_find(TH_TLS_AES_128_GCM_SHA256));
    assert_null(th_tls12_suite_find(0xc023));
    assert_null(th_tls12_suite_find(0));
}

static void test_export_matches_boringssl(void **state) {
    static const char kExportLabel[] = "EXPERIMENTAL tlsharness";
    for (size_t i = 0; i < NUM_BSSL; i++) {
        const bssl_vector *v = &kBssl[i];
        const EVP_MD *md = th_tls12_suite_find(v->suite)->prf_md();
        th_secret ms = secret_of(v->master_secret);
        size_t cr_len, sr_len;
        uint8_t *cr = hex(v->client_random, &cr_len), *sr = hex(v->server_random, &sr_len);
        uint8_t out[32], empty_ctx[32];
        assert_true(th_tls12_export(out, sizeof(out), md, &ms, cr, sr, kExportLabel,
                                    strlen(kExportLabel), 1, (const uint8_t *)"abc", 3));
        assert_hex_eq(out, sizeof(out), v->export_ctx);
        assert_true(th_tls12_export(out, sizeof(out), md, &ms, cr, sr, kExportLabel,
                                    strlen(kExportLabel), 0, NULL, 0));
        assert_hex_eq(out, sizeof(out), v->export_noctx);
        /* RFC 5705 §4: an empty context is not the same as none. */
        assert_true(th_tls12_export(empty_ctx, sizeof(empty_ctx), md, &ms, cr, sr, kExportLabel,
                                    strlen(kExportLabel), 1, NULL, 0));
        assert_memory_not_equal(empty_ctx, out, sizeof(out));
        assert_false(th_tls12_export(out, sizeof(out), md, &ms, cr, sr, kExportLabel,
                                     strlen(kExportLabel), 1, NULL, 1));
        assert_false(th_tls12_export(out, sizeof(out), md, &ms, cr, sr, kExportLabel,
                                     strlen(kExportLabel), 1, cr, 0x10000));
        th_secret_cleanse(&ms);
        free(cr);
        free(sr);
    }
}

static void test_keylog_line_is_nss_format(void **state) {
    for (size_t i = 0; i < NUM_BSSL; i++) {
        const bssl_vector *v = &kBssl[i];
        th_secret ms = secret_of(v->master_secret);
        size_t cr_len;
        uint8_t *cr = hex(v->client_random, &cr_len);
        char line[176], want[200];
        assert_true(th_tls12_keylog_line(line, sizeof(line), cr, cr_len, &ms));
        /* The line BoringSSL's keylog callback gave for this handshake. */
        snprintf(want, sizeof(want), "CLIENT_RANDOM %s %s", v->client_random, v->master_secret);
        assert_string_equal(line, want);
        assert_false(th_tls12_keylog_line(line, sizeof(line) - 1, cr, cr_len, &ms));
        assert_false(th_tls12_keylog_line(line, sizeof(line), cr, cr_len - 1, &ms));
        ms.len = 32;
        assert_false(th_tls12_keylog_line(line, sizeof(line), cr, cr_len, &ms));
        th_secret_cleanse(&ms);
        free(cr);
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_prf_sha256_ietf_vector),
        cmocka_unit_test(test_prf_sha384_ietf_vector),
        cmocka_unit_test(test_prf_output_is_a_stream_and_seed_split_is_irrelevant),
        cmocka_unit_test(test_prf_refuses_other_hashes_and_bad_arguments),
        cmocka_unit_test(test_classic_master_secret_known_answer),
        cmocka_unit_test(test_extended_master_secret_matches_boringssl),
        cmocka_unit_test(test_finished_matches_boringssl_both_sides),
        cmocka_unit_test(test_finished_refuses_a_master_secret_of_the_wrong_length),
        cmocka_unit_test(test_key_block_is_split_in_rfc_order),
        cmocka_unit_test(test_suite_table_is_consistent_with_boringssl),
        cmocka_unit_test(test_export_matches_boringssl),
        cmocka_unit_test(test_keylog_line_is_nss_format),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
