#include <stdlib.h>
#include <string.h>

#include <openssl/aead.h>
#include <openssl/cipher.h>
#include <openssl/hmac.h>
#include <openssl/mem.h>

#include "keys12.h"
#include "record.h"
#include "record12.h"
#include "testutil.h"

/* Records of BoringSSL TLS 1.2 handshakes (Debian's android-libboringssl, API
 * 17; client and server over memory BIOs, server keys from scenarios/pki/,
 * tickets off), captured from the byte streams: each side's encrypted
 * Finished (sequence number 0) and first application_data record (1), with
 * the client/server random and master secret of the connection
 * (SSL_get_*_random, SSL_SESSION_get_master_key). Opening them with keys we
 * derive checks the key block, the nonce and additional data of each AEAD
 * and the MAC-then-encrypt CBC layout against BoringSSL's own sender. */
typedef struct {
    uint16_t suite;
    const char *client_random;
    const char *server_random;
    const char *master_secret;
    const char *client_finished; /* plaintext of client_finished_record */
    const char *server_finished;
    const char *client_finished_record; /* whole record, header included */
    const char *server_finished_record;
    const char *client_app_record;
    const char *client_app_plaintext;
    const char *server_app_record;
    const char *server_app_plaintext;
} bssl_vector;

static const bssl_vector kBssl[] = {
    {
        /* rsa_aes128gcm  AES128-GCM-SHA256  version TLSv1.2 EMS 1 */
        TH_TLS_RSA_WITH_AES_128_GCM_SHA256,
        "91fb82bba3e879f5f27cc15283a729735464c39209ad97ee0b46631abebb08cf",
        "6b076bdda3f2ce207720cda0508aa43798c741f44658ba9bce820bc5be96d525",
        "f1e869d4bdbc04f65172aafc560bbfbc62502d271fb00dcee9573f71bed322bf36e20c1c2f2e5720dd61"
        "a74f59fc392e",
        "1400000c0434ce5f6017dee37631e24c",
        "1400000ced9c1c89f60ce88d881cb529",
        "16030300280000000000000000186c56d44e10360c71b5db697c18cc5bbc4aebe82ae6751d2786b69491"
        "841442",
        "1603030028000000000000000044f28cef568419d8e1c19655d3e7a53fd6e4871ade72f2be2da3b84ea0"
        "486686",
        "170303004100000000000000018488ff199f52d941f2b6dde9f7b25f70431f70eb41eeeec8c6def52f73"
        "a658ac4c822c631cbeb9b0f95c77cbad6d90e6d2c4162c30e3fb30ff",
        "474554202f20485454502f312e310d0a486f73743a20746c736861726e6573732e746573740d0a0d0a",
        "170303003e00000000000000014672e395bbda9c5d25eaf552ab228a9c41fda3869d429195e32c945d45"
        "9c484c6c2ca983485013d762891ba2f1760ea12be112117130",
        "485454502f312e3120323030204f4b0d0a436f6e74656e742d4c656e6774683a20300d0a0d0a",
    },
    {
        /* ecdhe_rsa_aes256gcm  ECDHE-RSA-AES256-GCM-SHA384  version TLSv1.2 EMS 1 */
        TH_TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
        "be81641c6645a58f4c46f65687bb6a6558cfe4f40ac02e36c618546c4535713a",
        "6b076bdd0675f205b0f170f407934604b79f551df76327f258617af38ceca562",
        "2614f5520e06040a5f6158519e16a51a69653068096a53abaa2ee5f1cfda6ca43734d68ba3d840e35cfe"
        "71c8c80a83bd",
        "1400000c7bb0d240bbf00366917e58ce",
        "1400000c3d554ea5967439e502a2c725",
        "160303002800000000000000006f0df66caab7ad9b771d95f509eaf97138891d6659ee8c38042b9990de"
        "bce161",
        "16030300280000000000000000ba450d81988987d62514d2c3d8e2533c4cdd7e4401fbd065a1e8df048d"
        "bd1559",
        "170303004100000000000000011e6ec874621fc7bbf369a746c8ff681c89748eea071f086c75868cb2f7"
        "a9b8cd7c9192d5289173cab306ace7acffc474ad26945574241d046b",
        "474554202f20485454502f312e310d0a486f73743a20746c736861726e6573732e746573740d0a0d0a",
        "170303003e0000000000000001ec2ee8afff5cc756f827beb18f81c288e4c470d6bd3b024cf290f5b470"
        "de8842beef25373ef3b350eba6f72756e6087b210b6772c3c6",
        "485454502f312e3120323030204f4b0d0a436f6e74656e742d4c656e6774683a20300d0a0d0a",
    },
    {
        /* ecdhe_ecdsa_chacha  ECDHE-ECDSA-CHACHA20-POLY1305  version TLSv1.2 EMS 1 */
        TH_TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
        "2ddc3f4ef4b174198c6eee8636d6fd5258a4ba1aa16af9e8098f1ebf1107349f",
        "6b076bdd578dbc51a89dac09e8f7ab1e1a0a11f4a33af6fae053b988ae365085",
        "a10035f49ac6d4ec00fac78620b8d8024e1931cabaf095f30c5677fd9259c9db88c6cbf48778aa3e9422"
        "2c6eeb6915a9",
        "1400000ca321e15b47ff95d5c47656b9",
        "1400000c6c269b0011733bf472d7c256",
        "1603030020415c92cd5b0e2ec85a0c7b32a6dc12a845e0d8163ec7b03072d85fab64e5442d",
        "16030300206f93ada69d118bf11cd93385c914e2dd3db606523582372493d1331792e210cc",
        "1703030039f7a720c3d0dbe169d3b4847b3c00c295259ca7c6a91a935bac565ab7a241b7a4c9d837802f"
        "e61c6f3833cbe5f6db237e39abc3e5237df2fc4d",
        "474554202f20485454502f312e310d0a486f73743a20746c736861726e6573732e746573740d0a0d0a",
        "170303003615a7c61a8c4e1c77a9b5e89058d6c8bb8c5526a3a00908ebdd338177f3b16693a4bb2a1f64"
        "34718b7414222e04a786b633c407abb84d",
        "485454502f312e3120323030204f4b0d0a436f6e74656e742d4c656e6774683a20300d0a0d0a",
    },
    {
        /* ecdhe_ecdsa_aes128cbc  ECDHE-ECDSA-AES128-SHA  version TLSv1.2 EMS 1 */
        TH_TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA,
        "bb8fa90d9096a4e4334fb4ef3ae6107e5f488fc581737f9eb6ab4c9c9116bba7",
        "6b076bdd07a0ad1a34af82b168ca15208d5f990bf4c79034c16b261b370426e6",
        "27c4049e83a288e68408738f2c9c77576bd70fcfd438e87a7eeca68ae743d8594b6dd3b513c2dbf0c3f6"
        "ef5170140d21",
        "1400000cd1fb1074dee7edefd2c4ec14",
        "1400000c796cf41ef74ebaf27e7705e0",
        "160303004063e6a34f40d9a6811dad7914ba044448975e967fa274701516dac1b20c3a7b9dcb5a4f1911"
        "5cb91686bf62c7767147ad9ffcd4fc3cbe30d0eff05d982ec4a752",
        "1603030040dd6365cf01b38dcc85e6ee7186d8e4f035f8b7880d1a2971ecea1d79da65317ef069b46fe4"
        "5173a6dce086fb0b23b9fe41ac8cec96c0a4e651f7750ef88e371d",
        "17030300506632d5a99b518890d04e2a722918725a8ed2a995bcb4b714ea3d1de26bbf726ff47c95feee"
        "0a1413b13e2ef3b0183a86d90c25f534a41731fb655fd078a106d646dc07aae91b54817a1cc93e6c694c"
        "fa",
        "474554202f20485454502f312e310d0a486f73743a20746c736861726e6573732e746573740d0a0d0a",
        "17030300503d2d0fa6f62d8797fd1996a3ce952f0169363c9af1d1b5e1a40394604a1354f6cf9b2650b3"
        "9012bbad2f63a9ce4436e8cb8ffbfdf939feaaaf15a472bb3de616bb196e26b45160b42689af1ea38e46"
        "02",
        "485454502f312e3120323030204f4b0d0a436f6e74656e742d4c656e6774683a20300d0a0d0a",
    },
    {
        /* rsa_aes256cbc  AES256-SHA  version TLSv1.2 EMS 1 */
        TH_TLS_RSA_WITH_AES_256_CBC_SHA,
        "00c3ac39ff3597a3360e01cf2b38fbd81dcd7e6d31b2037661631fdba48cf7af",
        "6b076bdd48da61527f5ba085a81f0253c983fb4095cc8cd281029282f465a4b5",
        "af2d398da50d4bdad05b2255a0c114572c2005a9abe273076db558475126f2e4f34a025622174eab276d"
        "3ac6eb3d4bec",
        "1400000c8721e57c3d9a3b869b2e35ec",
        "1400000c04d009c0cc653b2e4d478f22",
        "16030300405342a54288afad9ce6500c47d2029d0d54d7e2dca3fd5923f12e4eac46c717d64051797497"
        "3ef345e55dcbe7d79fc2eb64c90ac1c531e3711ec366b8c14586ff",
        "160303004002d6720ced6c05d06f707babb949dbccb8a6575c9cc16aa8eae8daf7e6d86426b6cd5fb4c8"
        "f7a39c489fc9610d3f23de9150263f663e95d4199db897098cfdf7",
        "170303005091e99a7d2b09169a5597ea40eea2662d9d0b01e9ff9819aa0bebbda518f21104abb64225ca"
        "10efe0540a20c8c3938ed19500fa3084ed1668046db044cbe57c6c009089fe5a02b5e9c6b774d79fbb24"
        "9e",
        "474554202f20485454502f312e310d0a486f73743a20746c736861726e6573732e746573740d0a0d0a",
        "1703030050a35baaff2332184f6e2c5f7b35a409536aea4234f99a8adae17623981cedae91ba19c11336"
        "1240e10cefdec4d9f94ed186753c04e3dea0bb507e396b8b8b897f5c4f6fe2664e0e7b8a8a1da281c866"
        "03",
        "485454502f312e3120323030204f4b0d0a436f6e74656e742d4c656e6774683a20300d0a0d0a",
    },
};
#define NUM_BSSL (sizeof(kBssl) / sizeof(kBssl[0]))

#define APP TH_CT_APPLICATION_DATA
#define HS  TH_CT_HANDSHAKE

static uint8_t *hex(const char *s, size_t *len) {
    return th_test_hex(s, len);
}

/* Deterministic randomness: a counter, or the bytes of a queued IV. */
typedef struct {
    uint8_t next;
    const uint8_t *queued;
    size_t queued_len;
} test_random;

static void det_random(void *ctx, uint8_t *out, size_t len) {
    test_random *r = ctx;
    if (r->queued != NULL) {
        assert_int_equal(len, r->queued_len);
        memcpy(out, r->queued, len);
        r->queued = NULL;
        return;
    }
    for (size_t i = 0; i < len; i++) {
        out[i] = r->next++;
    }
}

/* One record-protection configuration: a suite, with encrypt-then-MAC for
 * CBC suites or not. */
typedef struct {
    uint16_t suite;
    int etm;
} config;

static size_t all_configs(config *out) {
    size_t n = 0;
    for (size_t i = 0; th_tls12_suite_at(i) != NULL; i++) {
        const th_tls12_suite *s = th_tls12_suite_at(i);
        out[n++] = (config){s->id, 0};
        if (s->cipher == TH_TLS12_CIPHER_AES_CBC_HMAC_SHA1) {
            out[n++] = (config){s->id, 1};
        }
    }
    return n;
}
#define MAX_CONFIGS 32

/* A writer (client keys, seal) and a reader (client keys, open) for |c|,
 * from a key block of fixed inputs. */
static void make_pair(const config *c, th_rl12_dir *w, th_rl12_dir *r, test_random *rnd) {
    uint8_t cr[32], sr[32], pms[48];
    th_secret ms;
    th_tls12_key_block kb;
    const th_tls12_suite *suite = th_tls12_suite_find(c->suite);
    memset(cr, 0x11, sizeof(cr));
    memset(sr, 0x22, sizeof(sr));
    memset(pms, 0x33, sizeof(pms));
    memset(w, 0, sizeof(*w));
    memset(r, 0, sizeof(*r));
    assert_true(th_tls12_master_secret(&ms, suite->prf_md(), pms, sizeof(pms), cr, sr));
    assert_true(th_tls12_key_block_derive(&kb, suite, &ms, cr, sr));
    assert_true(th_rl12_dir_set_key_block(w, c->suite, TH_RL12_SEAL, c->etm, &kb, 0));
    assert_true(th_rl12_dir_set_key_block(r, c->suite, TH_RL12_OPEN, c->etm, &kb, 0));
    th_rl12_dir_set_random(w, det_random, rnd);
    th_tls12_key_block_cleanse(&kb);
    th_secret_cleanse(&ms);
}

/* Seals one record into a fresh buffer (free it). */
static uint8_t *seal(th_rl12_dir *w, uint8_t type, const uint8_t *content, size_t len,
                     const th_rl12_seal_opts *opts, size_t *out_len) {
    CBB cbb;
    uint8_t *out;
    assert_true(CBB_init(&cbb, 64));
    assert_true(th_rl12_seal_ex(w, &cbb, type, content, len, opts));
    assert_true(CBB_finish(&cbb, &out, out_len));
    /* A malloc copy, so that callers free it like every other buffer here. */
    uint8_t *copy = malloc(*out_len);
    assert_non_null(copy);
    memcpy(copy, out, *out_len);
    OPENSSL_free(out);
    return copy;
}

/* Parses |rec| (one whole record) and opens it into |buf|. */
static int open_bytes(th_rl12_dir *r, const uint8_t *rec, size_t rec_len, uint8_t *buf,
                      size_t buf_cap, th_bytes *content, uint8_t *alert) {
    CBS cbs;
    th_record parsed;
    uint8_t parse_alert;
    CBS_init(&cbs, rec, rec_len);
    assert_true(th_parse_record(&cbs, &parsed, &parse_alert));
    assert_int_equal(CBS_len(&cbs), 0);
    return th_rl12_open(r, &parsed, buf, buf_cap, content, alert);
}

static uint8_t *pattern(size_t len) {
    uint8_t *p = malloc(len + 1);
    assert_non_null(p);
    for (size_t i = 0; i < len; i++) {
        p[i] = (uint8_t)(i * 7 + 3);
    }
    return p;
}

/* The length of the record body (TLSCiphertext.length) for |len| bytes of
 * content with minimal padding. */
static size_t expected_fragment_len(const config *c, size_t len) {
    const th_tls12_suite *s = th_tls12_suite_find(c->suite);
    switch (s->cipher) {
    case TH_TLS12_CIPHER_AES_GCM:
        return 8 + len + 16;
    case TH_TLS12_CIPHER_CHACHA20_POLY1305:
        return len + 16;
    default:
        return c->etm ? 16 + (len + 1 + 15) / 16 * 16 + 20 : 16 + (len + 20 + 1 + 15) / 16 * 16;
    }
}

static void test_roundtrip_every_suite(void **state) {
    static const size_t kLens[] = {0, 1, 15, 16, 17, 31, 32, 100, 1000, 16383, 16384};
    config configs[MAX_CONFIGS];
    size_t num = all_configs(configs);
    uint8_t *content = pattern(16384), *buf = malloc(TH_MAX_CIPHERTEXT_12);
    assert_int_equal(num, 20);
    for (size_t c = 0; c < num; c++) {
        th_rl12_dir w, r;
        test_random rnd = {0};
        make_pair(&configs[c], &w, &r, &rnd);
        for (size_t i = 0; i < sizeof(kLens) / sizeof(kLens[0]); i++) {
            size_t rec_len, len = kLens[i];
            uint8_t type = i % 2 ? APP : HS, alert = 0;
            th_bytes got;
            uint8_t *rec = seal(&w, type, content, len, NULL, &rec_len);
            assert_int_equal(rec[0], type);
            assert_int_equal(rec[1], 3);
            assert_int_equal(rec[2], 3);
            assert_int_equal(rec_len, 5 + expected_fragment_len(&configs[c], len));
            assert_true(open_bytes(&r, rec, rec_len, buf, TH_MAX_CIPHERTEXT_12, &got, &alert));
            assert_int_equal(got.len, len);
            assert_memory_equal(got.data, content, len);
            assert_int_equal(w.seq, i + 1);
            assert_int_equal(r.seq, i + 1);
            free(rec);
        }
        th_rl12_dir_cleanup(&w);
        th_rl12_dir_cleanup(&r);
    }
    free(content);
    free(buf);
}

/* Opens one recorded record and reseals its plaintext with our writer, with
 * the record's own IV for CBC (BoringSSL and OpenSSL pad minimally too),
 * expecting the very same bytes. A NULL |plain_hex| stands for a Finished
 * message whose verify_data we do not know: only its header is checked. */
static void check_recorded(th_rl12_dir *r, th_rl12_dir *w, test_random *rnd, const char *rec_hex,
                           const char *plain_hex) {
    size_t rec_len, plain_len, ours_len;
    uint8_t *rec = hex(rec_hex, &rec_len), *plain = NULL;
    uint8_t *buf = malloc(rec_len), alert = 0;
    th_bytes got;
    assert_true(open_bytes(r, rec, rec_len, buf, rec_len, &got, &alert));
    if (plain_hex != NULL) {
        plain = hex(plain_hex, &plain_len);
        assert_int_equal(got.len, plain_len);
        assert_memory_equal(got.data, plain, plain_len);
    } else {
        static const uint8_t kFinishedHeader[] = {TH_HS_FINISHED, 0, 0, 12};
        assert_int_equal(got.len, 16);
        assert_memory_equal(got.data, kFinishedHeader, 4);
    }
    if (w->suite->cipher == TH_TLS12_CIPHER_AES_CBC_HMAC_SHA1) {
        rnd->queued = rec + 5;
        rnd->queued_len = 16;
    }
    uint8_t *ours = seal(w, rec[0], got.data, got.len, NULL, &ours_len);
    assert_int_equal(ours_len, rec_len);
    assert_memory_equal(ours, rec, rec_len);
    free(ours);
    free(rec);
    free(plain);
    free(buf);
}

static void test_boringssl_records_open_and_reseal_identically(void **state) {
    for (size_t i = 0; i < NUM_BSSL; i++) {
        const bssl_vector *v = &kBssl[i];
        const th_tls12_suite *suite = th_tls12_suite_find(v->suite);
        size_t len;
        uint8_t *cr = hex(v->client_random, &len), *sr = hex(v->server_random, &len);
        uint8_t *ms_bytes = hex(v->master_secret, &len);
        th_secret ms;
        th_tls12_key_block kb;
        test_random rnd = {0};
        assert_true(th_secret_set(&ms, ms_bytes, len));
        assert_true(th_tls12_key_block_derive(&kb, suite, &ms, cr, sr));
        for (int server = 0; server <= 1; server++) {
            th_rl12_dir r, w;
            memset(&r, 0, sizeof(r));
            memset(&w, 0, sizeof(w));
            assert_true(th_rl12_dir_set_key_block(&r, v->suite, TH_RL12_OPEN, 0, &kb, server));
            assert_true(th_rl12_dir_set_key_block(&w, v->suite, TH_RL12_SEAL, 0, &kb, server));
            th_rl12_dir_set_random(&w, det_random, &rnd);
            check_recorded(&r, &w, &rnd,
                           server ? v->server_finished_record : v->client_finished_record,
                           server ? v->server_finished : v->client_finished);
            check_recorded(&r, &w, &rnd, server ? v->server_app_record : v->client_app_record,
                           server ? v->server_app_plaintext : v->client_app_plaintext);
            th_rl12_dir_cleanup(&r);
            th_rl12_dir_cleanup(&w);
        }
        th_tls12_key_block_cleanse(&kb);
        th_secret_cleanse(&ms);
        free(cr);
        free(sr);
        free(ms_bytes);
    }
}

/* RFC 5246 §6.2.3.2, RFC 5288 §3, RFC 7366 §3: whatever is wrong with the
 * record, the alert is bad_record_mac and the sequence number stays. */
static void expect_bad_record_mac(th_rl12_dir *r, const th_record *rec, uint8_t *buf, size_t cap) {
    uint64_t seq = r->seq;
    uint8_t alert = 0;
    th_bytes got;
    assert_false(th_rl12_open(r, rec, buf, cap, &got, &alert));
    assert_int_equal(alert, TH_ALERT_BAD_RECORD_MAC);
    assert_null(got.data);
    assert_int_equal(got.len, 0);
    assert_int_equal(r->seq, seq);
}

static th_record record_of(uint8_t *rec, size_t rec_len) {
    th_record out = {rec[0], (uint16_t)(rec[1] << 8 | rec[2]), {rec + 5, rec_len - 5}};
    return out;
}

/* Encrypt-then-MAC records from OpenSSL 3.0.19 (BoringSSL has no RFC 7366):
 * Python's ssl module, client and server over memory BIOs, TLS 1.2
 * ECDHE-RSA-AES128-SHA, server key from scenarios/pki/, encrypt_then_mac in
 * both hellos, tickets off; client_random and master secret from the
 * client's SSLKEYLOGFILE line, server_random from the ServerHello. The
 * encrypted Finished records are at sequence number 0, the application data
 * at 1. */
static const struct {
    const char *client_random;
    const char *server_random;
    const char *master_secret;
    const char *client_finished_record;
    const char *server_finished_record;
    const char *client_app_record;
    const char *client_app_plaintext;
    const char *server_app_record;
    const char *server_app_plaintext;
} kOpensslEtm = {
    "70d4e05c459e29544bced68ec849f54cc7abce5a1841050db05f5ac4bccb1af9",
    "14733940b796e0d302ed2abd0460f054f788b3e54cb3dc8659ee586bd32d2be5",
    "beb3feddf1175b048f545ead4a543a47f7a26414add045add9eecbeacf3eb92befb91fe7891b156b7dbfe4ed4b"
    "4449e3",
    "16030300441dc6b62024ebd282bcd8e950a95d156d2f1b59ef001bc2dfd6a3808690a166191439760287cae38f"
    "0ae4f5d2103179ed148eff1294e942cfcf2bacfb90656e18a300fed0",
    "160303004479def8d258f74819f545fe8f4740895d5f06752ce111684685d838f2c64532b9840e5d81fac4cad8"
    "bee00bed426b371d530ae175dc177cdd79364dd657fc3444cdd2f719",
    "170303005468e910f5151c5b93c295c169bcacc6c7b74a2b42203fa7f0a67fbd08bafc8266e337ea33d3ed1208"
    "8080f182d5d1e24460b600842f1a479d8f9db4ec434737746f74590d45c7a027466009b1a277cafff0fde993",
    "474554202f20485454502f312e310d0a486f73743a2065746d2e746573740d0a0d0a",
    "170303004411eafe710b512ae64ce7d2d8851a43d4d0ff9fd5baf56c4be5c78482ae024d048c5067c0fcef97dd"
    "3cd9fffb7b47adcde3d3b4f11cf2251de1dbb2f151e4eaa400e0b7fd",
    "485454502f312e3120323034204e6f20436f6e74656e740d0a0d0a",
};

static void test_openssl_encrypt_then_mac_records_open_and_reseal_identically(void **state) {
    const uint16_t suite = TH_TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA;
    size_t len;
    uint8_t *cr = hex(kOpensslEtm.client_random, &len), *sr = hex(kOpensslEtm.server_random, &len);
    uint8_t *ms_bytes = hex(kOpensslEtm.master_secret, &len);
    th_secret ms;
    th_tls12_key_block kb;
    test_random rnd = {0};
    assert_true(th_secret_set(&ms, ms_bytes, len));
    assert_true(th_tls12_key_block_derive(&kb, th_tls12_suite_find(suite), &ms, cr, sr));
    for (int server = 0; server <= 1; server++) {
        th_rl12_dir r, w;
        memset(&r, 0, sizeof(r));
        memset(&w, 0, sizeof(w));
        assert_true(th_rl12_dir_set_key_block(&r, suite, TH_RL12_OPEN, 1, &kb, server));
        assert_true(th_rl12_dir_set_key_block(&w, suite, TH_RL12_SEAL, 1, &kb, server));
        th_rl12_dir_set_random(&w, det_random, &rnd);
        check_recorded(
            &r, &w, &rnd,
            server ? kOpensslEtm.server_finished_record : kOpensslEtm.client_finished_record, NULL);
        check_recorded(
            &r, &w, &rnd, server ? kOpensslEtm.server_app_record : kOpensslEtm.client_app_record,
            server ? kOpensslEtm.server_app_plaintext : kOpensslEtm.client_app_plaintext);
        /* The same records without encrypt-then-MAC do not open. */
        th_rl12_dir mte;
        memset(&mte, 0, sizeof(mte));
        assert_true(th_rl12_dir_set_key_block(&mte, suite, TH_RL12_OPEN, 0, &kb, server));
        size_t rec_len;
        uint8_t *rec = hex(server ? kOpensslEtm.server_app_record : kOpensslEtm.client_app_record,
                           &rec_len),
                buf[256];
        th_rl12_dir_set_seq(&mte, 1);
        th_record as_mte = record_of(rec, rec_len);
        expect_bad_record_mac(&mte, &as_mte, buf, sizeof(buf));
        free(rec);
        th_rl12_dir_cleanup(&mte);
        th_rl12_dir_cleanup(&r);
        th_rl12_dir_cleanup(&w);
    }
    th_tls12_key_block_cleanse(&kb);
    th_secret_cleanse(&ms);
    free(cr);
    free(sr);
    free(ms_bytes);
}

static void test_every_flipped_byte_is_bad_record_mac(void **state) {
    config configs[MAX_CONFIGS];
    size_t num = all_configs(configs);
    uint8_t *content = pattern(40), buf[512];
    for (size_t c = 0; c < num; c++) {
        th_rl12_dir w, r;
        test_random rnd = {0};
        size_t rec_len;
        make_pair(&configs[c], &w, &r, &rnd);
        uint8_t *rec = seal(&w, APP, content, 40, NULL, &rec_len);
        for (size_t i = 0; i < rec_len; i++) {
            if (i == 3 || i == 4) {
                continue; /* the length is framing, see the truncation test */
            }
            for (int bit = 0; bit < 8; bit += 7) {
                rec[i] ^= (uint8_t)(1u << bit);
                th_record bad = record_of(rec, rec_len);
                expect_bad_record_mac(&r, &bad, buf, sizeof(buf));
                rec[i] ^= (uint8_t)(1u << bit);
            }
        }
        th_record good = record_of(rec, rec_len);
        th_bytes got;
        uint8_t alert;
        assert_true(th_rl12_open(&r, &good, buf, sizeof(buf), &got, &alert));
        /* The same record again (a replay) no longer verifies. */
        expect_bad_record_mac(&r, &good, buf, sizeof(buf));
        free(rec);
        th_rl12_dir_cleanup(&w);
        th_rl12_dir_cleanup(&r);
    }
    free(content);
}

static void test_every_truncation_and_an_extra_byte_are_bad_record_mac(void **state) {
    config configs[MAX_CONFIGS];
    size_t num = all_configs(configs);
    uint8_t *content = pattern(40), buf[512];
    for (size_t c = 0; c < num; c++) {
        th_rl12_dir w, r;
        test_random rnd = {0};
        size_t rec_len;
        make_pair(&configs[c], &w, &r, &rnd);
        uint8_t *rec = seal(&w, APP, content, 40, NULL, &rec_len);
        uint8_t *longer = malloc(rec_len + 16);
        for (size_t n = 0; n < rec_len - 5; n++) {
            th_record bad = {APP, TH_VERSION_TLS12, {rec + 5, n}};
            expect_bad_record_mac(&r, &bad, buf, sizeof(buf));
        }
        /* One byte or one block more: the MAC/tag is then in the wrong place. */
        memcpy(longer, rec, rec_len);
        memset(longer + rec_len, 0, 16);
        th_record one = {APP, TH_VERSION_TLS12, {longer + 5, rec_len - 5 + 1}};
        th_record block = {APP, TH_VERSION_TLS12, {longer + 5, rec_len - 5 + 16}};
        expect_bad_record_mac(&r, &one, buf, sizeof(buf));
        expect_bad_record_mac(&r, &block, buf, sizeof(buf));
        free(longer);
        free(rec);
        th_rl12_dir_cleanup(&w);
        th_rl12_dir_cleanup(&r);
    }
    free(content);
}

static const config kCbcConfigs[] = {
    {TH_TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA, 0},
    {TH_TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA, 1},
    {TH_TLS_RSA_WITH_AES_256_CBC_SHA, 0},
    {TH_TLS_RSA_WITH_AES_256_CBC_SHA, 1},
};
#define NUM_CBC (sizeof(kCbcConfigs) / sizeof(kCbcConfigs[0]))

/* The padding length of a CBC record of |len| content bytes and |extra|
 * additional blocks (RFC 5246 §6.2.3.2). */
static size_t cbc_pad_len(const config *c, size_t len, unsigned extra) {
    size_t inner = len + (c->etm ? 0 : 20);
    return 15 - inner % 16 + 16 * extra;
}

static void test_cbc_every_padding_length_opens(void **state) {
    uint8_t *content = pattern(64), buf[1024];
    for (size_t c = 0; c < NUM_CBC; c++) {
        th_rl12_dir w, r;
        test_random rnd = {0};
        int seen[256] = {0};
        make_pair(&kCbcConfigs[c], &w, &r, &rnd);
        for (size_t len = 0; len < 16; len++) {
            for (unsigned extra = 0; extra < 16; extra++) {
                size_t pad = cbc_pad_len(&kCbcConfigs[c], len, extra), rec_len;
                th_rl12_seal_opts opts = {0};
                opts.cbc_extra_blocks = extra;
                if (pad > 255) {
                    CBB cbb;
                    assert_true(CBB_init(&cbb, 64));
                    assert_false(th_rl12_seal_ex(&w, &cbb, APP, content, len, &opts));
                    CBB_cleanup(&cbb);
                    continue;
                }
                uint8_t *rec = seal(&w, APP, content, len, &opts, &rec_len);
                size_t enc = len + (kCbcConfigs[c].etm ? 0 : 20) + pad + 1;
                assert_int_equal(rec_len, 5 + 16 + enc + (kCbcConfigs[c].etm ? 20 : 0));
                th_bytes got;
                uint8_t alert = 0;
                assert_true(open_bytes(&r, rec, rec_len, buf, sizeof(buf), &got, &alert));
                assert_int_equal(got.len, len);
                assert_memory_equal(got.data, content, len);
                seen[pad] = 1;
                free(rec);
            }
        }
        for (size_t pad = 0; pad < 256; pad++) {
            assert_true(seen[pad]);
        }
        th_rl12_dir_cleanup(&w);
        th_rl12_dir_cleanup(&r);
    }
    free(content);
}

static void test_cbc_bad_padding_and_bad_mac_give_the_same_alert(void **state) {
    static const uint8_t kXors[] = {0x01, 0x80, 0xff};
    uint8_t *content = pattern(64), buf[1024];
    for (size_t c = 0; c < NUM_CBC; c++) {
        th_rl12_dir w, r;
        test_random rnd = {0};
        make_pair(&kCbcConfigs[c], &w, &r, &rnd);
        for (size_t len = 0; len < 16; len++) {
            for (unsigned extra = 0; extra < 3; extra++) {
                for (size_t x = 0; x < sizeof(kXors); x++) {
                    for (int which = 0; which < 2; which++) {
                        th_rl12_seal_opts opts = {0};
                        size_t rec_len;
                        opts.cbc_extra_blocks = extra;
                        if (which == 0) {
                            opts.cbc_pad_xor = kXors[x];
                        } else {
                            opts.mac_xor = kXors[x];
                        }
                        /* Keep the reader in step: it expects w's sequence number. */
                        th_rl12_dir_set_seq(&r, w.seq);
                        uint8_t *rec = seal(&w, APP, content, len, &opts, &rec_len);
                        th_record bad = record_of(rec, rec_len);
                        expect_bad_record_mac(&r, &bad, buf, sizeof(buf));
                        free(rec);
                    }
                }
            }
        }
        th_rl12_dir_cleanup(&w);
        th_rl12_dir_cleanup(&r);
    }
    free(content);
}

/* The AEAD suites' tag corruption is refused the same way. */
static void test_aead_bad_tag_is_bad_record_mac(void **state) {
    config configs[MAX_CONFIGS];
    size_t num = all_configs(configs);
    uint8_t *content = pattern(64), buf[1024];
    for (size_t c = 0; c < num; c++) {
        th_rl12_dir w, r;
        test_random rnd = {0};
        th_rl12_seal_opts opts = {0};
        size_t rec_len;
        opts.mac_xor = 0x40;
        make_pair(&configs[c], &w, &r, &rnd);
        uint8_t *rec = seal(&w, APP, content, 33, &opts, &rec_len);
        th_record bad = record_of(rec, rec_len);
        expect_bad_record_mac(&r, &bad, buf, sizeof(buf));
        free(rec);
        th_rl12_dir_cleanup(&w);
        th_rl12_dir_cleanup(&r);
    }
    free(content);
}

/* Fixed keys for the layout tests. */
static th_secret fixed_secret(size_t len, uint8_t start) {
    th_secret s;
    memset(&s, 0, sizeof(s));
    for (size_t i = 0; i < len; i++) {
        s.bytes[i] = (uint8_t)(start + i);
    }
    s.len = len;
    return s;
}

static const uint8_t kHello[] = "hello, TLS 1.2";
#define HELLO_LEN (sizeof(kHello) - 1)
static const uint64_t kSeq = 0x0102030405060708ull;

/* RFC 5288 §3 and RFC 5246 §6.2.3.3 by hand with BoringSSL's plain AES-GCM:
 * nonce = salt || seq, AD = seq || type || version || length, the record
 * carries seq as nonce_explicit before ciphertext || tag. */
static void test_gcm_nonce_and_additional_data_layout(void **state) {
    th_secret key = fixed_secret(16, 0x40), salt = fixed_secret(4, 0xa0);
    th_rl12_dir w;
    EVP_AEAD_CTX ctx;
    uint8_t nonce[12] = {0xa0, 0xa1, 0xa2, 0xa3, 1, 2, 3, 4, 5, 6, 7, 8};
    uint8_t ad[13] = {1, 2, 3, 4, 5, 6, 7, 8, APP, 3, 3, 0, HELLO_LEN};
    uint8_t want[5 + 8 + HELLO_LEN + 16] = {APP, 3, 3, 0, 8 + HELLO_LEN + 16, 1, 2, 3, 4,
                                            5,   6, 7, 8};
    size_t written, rec_len;
    memset(&w, 0, sizeof(w));
    assert_true(th_rl12_dir_set_key(&w, TH_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, TH_RL12_SEAL, 0,
                                    NULL, &key, &salt));
    th_rl12_dir_set_seq(&w, kSeq);
    assert_true(EVP_AEAD_CTX_init(&ctx, EVP_aead_aes_128_gcm(), key.bytes, 16, 16, NULL));
    assert_true(EVP_AEAD_CTX_seal(&ctx, want + 13, &written, sizeof(want) - 13, nonce, 12, kHello,
                                  HELLO_LEN, ad, 13));
    assert_int_equal(written, HELLO_LEN + 16);
    uint8_t *rec = seal(&w, APP, kHello, HELLO_LEN, NULL, &rec_len);
    assert_int_equal(rec_len, sizeof(want));
    assert_memory_equal(rec, want, sizeof(want));
    EVP_AEAD_CTX_cleanup(&ctx);
    free(rec);
    th_rl12_dir_cleanup(&w);
}

/* RFC 7905 §2 by hand with BoringSSL's plain ChaCha20-Poly1305: nonce = IV
 * XOR (4 zero bytes || seq), the same AD, no explicit nonce. */
static void test_chacha_nonce_is_rfc7905(void **state) {
    th_secret key = fixed_secret(32, 0x40), iv = fixed_secret(12, 0xa0);
    th_rl12_dir w;
    EVP_AEAD_CTX ctx;
    uint8_t nonce[12];
    uint8_t ad[13] = {1, 2, 3, 4, 5, 6, 7, 8, HS, 3, 3, 0, HELLO_LEN};
    uint8_t want[5 + HELLO_LEN + 16] = {HS, 3, 3, 0, HELLO_LEN + 16};
    size_t written, rec_len;
    for (size_t i = 0; i < 12; i++) {
        nonce[i] = iv.bytes[i] ^ (i < 4 ? 0 : (uint8_t)(kSeq >> (8 * (11 - i))));
    }
    memset(&w, 0, sizeof(w));
    assert_true(th_rl12_dir_set_key(&w, TH_TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
                                    TH_RL12_SEAL, 0, NULL, &key, &iv));
    th_rl12_dir_set_seq(&w, kSeq);
    assert_true(EVP_AEAD_CTX_init(&ctx, EVP_aead_chacha20_poly1305(), key.bytes, 32, 16, NULL));
    assert_true(EVP_AEAD_CTX_seal(&ctx, want + 5, &written, sizeof(want) - 5, nonce, 12, kHello,
                                  HELLO_LEN, ad, 13));
    uint8_t *rec = seal(&w, HS, kHello, HELLO_LEN, NULL, &rec_len);
    assert_int_equal(rec_len, sizeof(want));
    assert_memory_equal(rec, want, sizeof(want));
    EVP_AEAD_CTX_cleanup(&ctx);
    free(rec);
    th_rl12_dir_cleanup(&w);
}

static void hmac_sha1(const th_secret *key, const uint8_t ad[13], const uint8_t *data, size_t len,
                      uint8_t out[20]) {
    HMAC_CTX ctx;
    unsigned out_len;
    HMAC_CTX_init(&ctx);
    assert_true(HMAC_Init_ex(&ctx, key->bytes, key->len, EVP_sha1(), NULL));
    assert_true(HMAC_Update(&ctx, ad, 13));
    assert_true(HMAC_Update(&ctx, data, len));
    assert_true(HMAC_Final(&ctx, out, &out_len));
    assert_int_equal(out_len, 20);
    HMAC_CTX_cleanup(&ctx);
}

static void cbc_decrypt(const th_secret *key, const uint8_t *iv, const uint8_t *in, size_t len,
                        uint8_t *out) {
    EVP_CIPHER_CTX ctx;
    int out_len;
    EVP_CIPHER_CTX_init(&ctx);
    assert_true(EVP_DecryptInit_ex(&ctx, EVP_aes_128_cbc(), NULL, key->bytes, iv));
    assert_true(EVP_CIPHER_CTX_set_padding(&ctx, 0));
    assert_true(EVP_DecryptUpdate(&ctx, out, &out_len, in, (int)len));
    assert_int_equal(out_len, (int)len);
    EVP_CIPHER_CTX_cleanup(&ctx);
}

/* RFC 5246 §6.2.3.2 by hand: IV || AES-CBC(content || HMAC-SHA1(seq ||
 * type || version || length || content) || padding), both from
 * BoringSSL's TLS CBC AEAD (the default path) and from the scripted path. */
static void test_cbc_mac_then_encrypt_layout(void **state) {
    th_secret mac_key = fixed_secret(20, 0x10), key = fixed_secret(16, 0x40);
    uint8_t ad[13] = {1, 2, 3, 4, 5, 6, 7, 8, APP, 3, 3, 0, HELLO_LEN}, mac[20], plain[256];
    for (unsigned extra = 0; extra < 2; extra++) {
        th_rl12_dir w;
        test_random rnd = {0x70, NULL, 0};
        th_rl12_seal_opts opts = {0};
        size_t rec_len;
        opts.cbc_extra_blocks = extra;
        memset(&w, 0, sizeof(w));
        assert_true(th_rl12_dir_set_key(&w, TH_TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA, TH_RL12_SEAL, 0,
                                        &mac_key, &key, NULL));
        th_rl12_dir_set_random(&w, det_random, &rnd);
        th_rl12_dir_set_seq(&w, kSeq);
        uint8_t *rec = seal(&w, APP, kHello, HELLO_LEN, &opts, &rec_len);
        /* 14 + 20 = 34 bytes: 13 bytes of padding (+ 16 per extra block). */
        size_t pad = 13 + 16 * extra, enc_len = HELLO_LEN + 20 + pad + 1;
        assert_int_equal(rec_len, 5 + 16 + enc_len);
        for (size_t i = 0; i < 16; i++) {
            assert_int_equal(rec[5 + i], (uint8_t)(0x70 + i)); /* the IV from our randomness */
        }
        cbc_decrypt(&key, rec + 5, rec + 21, enc_len, plain);
        assert_memory_equal(plain, kHello, HELLO_LEN);
        hmac_sha1(&mac_key, ad, kHello, HELLO_LEN, mac);
        assert_memory_equal(plain + HELLO_LEN, mac, 20);
        for (size_t i = HELLO_LEN + 20; i < enc_len; i++) {
            assert_int_equal(plain[i], pad);
        }
        free(rec);
        th_rl12_dir_cleanup(&w);
    }
}

/* RFC 7366 §3 by hand: IV || AES-CBC(content || padding) || HMAC-SHA1(seq ||
 * type || version || length of IV and ciphertext || IV || ciphertext). */
static void test_cbc_encrypt_then_mac_layout(void **state) {
    th_secret mac_key = fixed_secret(20, 0x10), key = fixed_secret(16, 0x40);
    uint8_t ad[13] = {1, 2, 3, 4, 5, 6, 7, 8, APP, 3, 3, 0, 16 + 16}, mac[20], plain[64];
    th_rl12_dir w;
    test_random rnd = {0x70, NULL, 0};
    size_t rec_len;
    memset(&w, 0, sizeof(w));
    assert_true(th_rl12_dir_set_key(&w, TH_TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA, TH_RL12_SEAL, 1,
                                    &mac_key, &key, NULL));
    th_rl12_dir_set_random(&w, det_random, &rnd);
    th_rl12_dir_set_seq(&w, kSeq);
    uint8_t *rec = seal(&w, APP, kHello, HELLO_LEN, NULL, &rec_len);
    assert_int_equal(rec_len, 5 + 16 + 16 + 20);
    hmac_sha1(&mac_key, ad, rec + 5, 32, mac);
    assert_memory_equal(rec + 5 + 32, mac, 20);
    cbc_decrypt(&key, rec + 5, rec + 21, 16, plain);
    assert_memory_equal(plain, kHello, HELLO_LEN);
    assert_int_equal(plain[14], 1);
    assert_int_equal(plain[15], 1);
    free(rec);
    th_rl12_dir_cleanup(&w);
}

static void expect_alert(th_rl12_dir *r, const th_record *rec, uint8_t *buf, size_t cap,
                         uint8_t want) {
    uint8_t alert = 0;
    th_bytes got;
    assert_false(th_rl12_open(r, rec, buf, cap, &got, &alert));
    assert_int_equal(alert, want);
}

static void test_ciphertext_length_limit_is_exact(void **state) {
    config configs[MAX_CONFIGS];
    size_t num = all_configs(configs);
    uint8_t *frag = calloc(1, TH_MAX_CIPHERTEXT_12 + 1), *buf = malloc(TH_MAX_CIPHERTEXT_12 + 1);
    for (size_t c = 0; c < num; c++) {
        th_rl12_dir w, r;
        test_random rnd = {0};
        make_pair(&configs[c], &w, &r, &rnd);
        /* RFC 5246 §6.2.3: 2^14 + 2048 is allowed (and then fails to
         * decrypt); one more byte is record_overflow. */
        th_record at = {APP, TH_VERSION_TLS12, {frag, TH_MAX_CIPHERTEXT_12}};
        th_record over = {APP, TH_VERSION_TLS12, {frag, TH_MAX_CIPHERTEXT_12 + 1}};
        expect_bad_record_mac(&r, &at, buf, TH_MAX_CIPHERTEXT_12 + 1);
        expect_alert(&r, &over, buf, TH_MAX_CIPHERTEXT_12 + 1, TH_ALERT_RECORD_OVERFLOW);
        th_rl12_dir_cleanup(&w);
        th_rl12_dir_cleanup(&r);
    }
    free(frag);
    free(buf);
}

/* A record whose plaintext is 2^14 + 1 bytes, which our sealer refuses to
 * make: AES-128-GCM built with BoringSSL's plain AEAD, CBC with its TLS CBC
 * AEAD, under the keys of |r|'s configuration. */
static uint8_t *oversized_record(const config *c, const uint8_t *content, size_t len,
                                 size_t *out_len) {
    uint8_t cr[32], sr[32], pms[48];
    th_secret ms;
    th_tls12_key_block kb;
    const th_tls12_suite *suite = th_tls12_suite_find(c->suite);
    EVP_AEAD_CTX ctx;
    uint8_t *rec = malloc(5 + len + 300), ad[13] = {0, 0, 0, 0, 0, 0, 0, 0, APP, 3, 3};
    size_t written;
    memset(cr, 0x11, sizeof(cr));
    memset(sr, 0x22, sizeof(sr));
    memset(pms, 0x33, sizeof(pms));
    assert_true(th_tls12_master_secret(&ms, suite->prf_md(), pms, sizeof(pms), cr, sr));
    assert_true(th_tls12_key_block_derive(&kb, suite, &ms, cr, sr));
    ad[11] = (uint8_t)(len >> 8);
    ad[12] = (uint8_t)len;
    rec[0] = APP;
    rec[1] = 3;
    rec[2] = 3;
    if (suite->cipher == TH_TLS12_CIPHER_AES_GCM) {
        uint8_t nonce[12] = {0};
        memcpy(nonce, kb.client_iv.bytes, 4);
        memset(rec + 5, 0, 8);
        assert_true(
            EVP_AEAD_CTX_init(&ctx, EVP_aead_aes_128_gcm(), kb.client_key.bytes, 16, 16, NULL));
        assert_true(
            EVP_AEAD_CTX_seal(&ctx, rec + 13, &written, len + 16, nonce, 12, content, len, ad, 13));
        written += 8;
    } else {
        uint8_t key[36], iv[16] = {9};
        memcpy(key, kb.client_mac_key.bytes, 20);
        memcpy(key + 20, kb.client_key.bytes, 16);
        memcpy(rec + 5, iv, 16);
        assert_true(EVP_AEAD_CTX_init_with_direction(&ctx, EVP_aead_aes_128_cbc_sha1_tls(), key, 36,
                                                     EVP_AEAD_DEFAULT_TAG_LENGTH, evp_aead_seal));
        assert_true(
            EVP_AEAD_CTX_seal(&ctx, rec + 21, &written, len + 300, iv, 16, content, len, ad, 11));
        written += 16;
    }
    rec[3] = (uint8_t)(written >> 8);
    rec[4] = (uint8_t)written;
    *out_len = 5 + written;
    EVP_AEAD_CTX_cleanup(&ctx);
    th_tls12_key_block_cleanse(&kb);
    th_secret_cleanse(&ms);
    return rec;
}

static void test_plaintext_limit_is_exact(void **state) {
    static const config kConfigs[] = {
        {TH_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, 0},
        {TH_TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA, 0},
    };
    uint8_t *content = pattern(TH_MAX_PLAINTEXT + 1), *buf = malloc(TH_MAX_CIPHERTEXT_12);
    for (size_t c = 0; c < 2; c++) {
        th_rl12_dir w, r;
        test_random rnd = {0};
        size_t rec_len;
        uint8_t alert;
        th_bytes got;
        CBB cbb;
        make_pair(&kConfigs[c], &w, &r, &rnd);
        /* RFC 5246 §6.2.1: 2^14 bytes is the largest plaintext. */
        assert_true(CBB_init(&cbb, 64));
        assert_false(th_rl12_seal(&w, &cbb, APP, content, TH_MAX_PLAINTEXT + 1));
        CBB_cleanup(&cbb);
        uint8_t *rec = oversized_record(&kConfigs[c], content, TH_MAX_PLAINTEXT + 1, &rec_len);
        th_record over = record_of(rec, rec_len);
        expect_alert(&r, &over, buf, TH_MAX_CIPHERTEXT_12, TH_ALERT_RECORD_OVERFLOW);
        free(rec);
        /* A lower limit (record_size_limit, RFC 8449 §4) is exact too. */
        th_rl12_dir_set_seq(&r, 0);
        th_rl12_dir_set_seq(&w, 0);
        assert_true(th_rl12_dir_set_plaintext_limit(&r, 100));
        rec = seal(&w, APP, content, 100, NULL, &rec_len);
        assert_true(open_bytes(&r, rec, rec_len, buf, TH_MAX_CIPHERTEXT_12, &got, &alert));
        free(rec);
        rec = seal(&w, APP, content, 101, NULL, &rec_len);
        over = record_of(rec, rec_len);
        expect_alert(&r, &over, buf, TH_MAX_CIPHERTEXT_12, TH_ALERT_RECORD_OVERFLOW);
        free(rec);
        assert_true(th_rl12_dir_set_plaintext_limit(&w, 100));
        assert_int_equal(th_rl12_max_content_len(&w), 100);
        assert_true(CBB_init(&cbb, 64));
        assert_false(th_rl12_seal(&w, &cbb, APP, content, 101));
        CBB_cleanup(&cbb);
        assert_false(th_rl12_dir_set_plaintext_limit(&w, 63));
        assert_true(th_rl12_dir_set_plaintext_limit(&w, 64));
        assert_true(th_rl12_dir_set_plaintext_limit(&w, 65535));
        assert_int_equal(th_rl12_max_content_len(&w), TH_MAX_PLAINTEXT);
        th_rl12_dir_cleanup(&w);
        th_rl12_dir_cleanup(&r);
    }
    free(content);
    free(buf);
}

static void test_sequence_number_never_wraps(void **state) {
    config configs[MAX_CONFIGS];
    size_t num = all_configs(configs);
    uint8_t buf[256];
    for (size_t c = 0; c < num; c++) {
        th_rl12_dir w, r;
        test_random rnd = {0};
        size_t rec_len;
        th_bytes got;
        uint8_t alert;
        CBB cbb;
        make_pair(&configs[c], &w, &r, &rnd);
        th_rl12_dir_set_seq(&w, UINT64_MAX - 1);
        th_rl12_dir_set_seq(&r, UINT64_MAX - 1);
        uint8_t *rec = seal(&w, APP, kHello, HELLO_LEN, NULL, &rec_len);
        assert_true(open_bytes(&r, rec, rec_len, buf, sizeof(buf), &got, &alert));
        /* RFC 5246 §6.1: "Sequence numbers do not wrap." */
        assert_int_equal(w.seq, UINT64_MAX);
        assert_true(CBB_init(&cbb, 64));
        assert_false(th_rl12_seal(&w, &cbb, APP, kHello, HELLO_LEN));
        CBB_cleanup(&cbb);
        th_record again = record_of(rec, rec_len);
        expect_alert(&r, &again, buf, sizeof(buf), TH_ALERT_INTERNAL_ERROR);
        free(rec);
        th_rl12_dir_cleanup(&w);
        th_rl12_dir_cleanup(&r);
    }
}

static void test_gcm_refuses_a_reused_explicit_nonce(void **state) {
    config c = {TH_TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, 0};
    th_rl12_dir w, r;
    test_random rnd = {0};
    size_t rec_len;
    CBB cbb;
    make_pair(&c, &w, &r, &rnd);
    th_rl12_dir_set_seq(&w, 5);
    free(seal(&w, APP, kHello, HELLO_LEN, NULL, &rec_len));
    /* RFC 5288 §3: "Each value of the nonce_explicit MUST be distinct". */
    th_rl12_dir_set_seq(&w, 5);
    assert_true(CBB_init(&cbb, 64));
    assert_false(th_rl12_seal(&w, &cbb, APP, kHello, HELLO_LEN));
    CBB_cleanup(&cbb);
    th_rl12_dir_cleanup(&w);
    th_rl12_dir_cleanup(&r);
}

static void test_open_decrypts_in_place_and_checks_the_buffer(void **state) {
    config configs[MAX_CONFIGS];
    size_t num = all_configs(configs);
    uint8_t *content = pattern(100), small[64];
    for (size_t c = 0; c < num; c++) {
        th_rl12_dir w, r;
        test_random rnd = {0};
        size_t rec_len;
        th_bytes got;
        uint8_t alert = 0;
        make_pair(&configs[c], &w, &r, &rnd);
        uint8_t *rec = seal(&w, APP, content, 100, NULL, &rec_len);
        th_record in_place = record_of(rec, rec_len);
        /* A buffer shorter than the fragment: internal_error, nothing used. */
        expect_alert(&r, &in_place, small, sizeof(small), TH_ALERT_INTERNAL_ERROR);
        assert_int_equal(r.seq, 0);
        assert_true(th_rl12_open(&r, &in_place, rec + 5, rec_len - 5, &got, &alert));
        assert_int_equal(got.len, 100);
        assert_memory_equal(got.data, content, 100);
        assert_true(got.data >= rec + 5 && got.data + got.len <= rec + rec_len);
        free(rec);
        th_rl12_dir_cleanup(&w);
        th_rl12_dir_cleanup(&r);
    }
    free(content);
}

static void test_bad_keys_and_directions_are_refused(void **state) {
    th_secret k16 = fixed_secret(16, 1), k32 = fixed_secret(32, 1), iv4 = fixed_secret(4, 1);
    th_secret iv12 = fixed_secret(12, 1), mac20 = fixed_secret(20, 1), mac19 = fixed_secret(19, 1);
    th_rl12_dir d;
    uint8_t buf[64], alert = 0, frag[32] = {0};
    th_record rec = {APP, TH_VERSION_TLS12, {frag, sizeof(frag)}};
    th_bytes got;
    CBB cbb;
    memset(&d, 0, sizeof(d));
    /* No key yet. */
    expect_alert(&d, &rec, buf, sizeof(buf), TH_ALERT_INTERNAL_ERROR);
    assert_true(CBB_init(&cbb, 64));
    assert_false(th_rl12_seal(&d, &cbb, APP, kHello, HELLO_LEN));
    CBB_cleanup(&cbb);
    /* Unknown suite, wrong lengths, a MAC key for an AEAD, no IV. */
    assert_false(
        th_rl12_dir_set_key(&d, TH_TLS_AES_128_GCM_SHA256, TH_RL12_SEAL, 0, NULL, &k16, &iv4));
    assert_false(th_rl12_dir_set_key(&d, TH_TLS_RSA_WITH_AES_128_GCM_SHA256, TH_RL12_SEAL, 0, NULL,
                                     &k32, &iv4));
    assert_false(th_rl12_dir_set_key(&d, TH_TLS_RSA_WITH_AES_128_GCM_SHA256, TH_RL12_SEAL, 0, NULL,
                                     &k16, &iv12));
    assert_false(th_rl12_dir_set_key(&d, TH_TLS_RSA_WITH_AES_128_GCM_SHA256, TH_RL12_SEAL, 0,
                                     &mac20, &k16, &iv4));
    assert_false(th_rl12_dir_set_key(&d, TH_TLS_RSA_WITH_AES_128_GCM_SHA256, TH_RL12_SEAL, 0, NULL,
                                     &k16, NULL));
    assert_false(th_rl12_dir_set_key(&d, TH_TLS_RSA_WITH_AES_128_CBC_SHA, TH_RL12_SEAL, 0, &mac19,
                                     &k16, NULL));
    assert_false(th_rl12_dir_set_key(&d, TH_TLS_RSA_WITH_AES_128_CBC_SHA, TH_RL12_SEAL, 0, &mac20,
                                     &k16, &iv4));
    assert_false(th_rl12_dir_set_key(&d, TH_TLS_RSA_WITH_AES_128_CBC_SHA, (th_rl12_direction)7, 0,
                                     &mac20, &k16, NULL));
    /* RFC 7366 §3: encrypt-then-MAC is not for AEAD suites. */
    assert_false(th_rl12_dir_set_key(&d, TH_TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
                                     TH_RL12_SEAL, 1, NULL, &k32, &iv12));
    assert_null(d.suite);
    /* A failed set_key drops the previous key. */
    assert_true(th_rl12_dir_set_key(&d, TH_TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
                                    TH_RL12_OPEN, 0, NULL, &k32, &iv12));
    assert_false(th_rl12_dir_set_key(&d, TH_TLS_RSA_WITH_AES_128_GCM_SHA256, TH_RL12_OPEN, 0, NULL,
                                     &k32, &iv4));
    assert_null(d.suite);
    assert_false(th_rl12_dir_set_key_block(&d, TH_TLS_RSA_WITH_AES_128_GCM_SHA256, TH_RL12_OPEN, 0,
                                           NULL, 0));
    /* A read direction does not seal, a write direction does not open. */
    assert_true(th_rl12_dir_set_key(&d, TH_TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
                                    TH_RL12_OPEN, 0, NULL, &k32, &iv12));
    assert_true(CBB_init(&cbb, 64));
    assert_false(th_rl12_seal(&d, &cbb, APP, kHello, HELLO_LEN));
    CBB_cleanup(&cbb);
    assert_true(th_rl12_dir_set_key(&d, TH_TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
                                    TH_RL12_SEAL, 0, NULL, &k32, &iv12));
    assert_false(th_rl12_open(&d, &rec, buf, sizeof(buf), &got, &alert));
    assert_int_equal(alert, TH_ALERT_INTERNAL_ERROR);
    /* Key changes reset the sequence number; settings carry over. */
    assert_true(th_rl12_dir_set_plaintext_limit(&d, 1000));
    th_rl12_dir_set_seq(&d, 9);
    assert_true(th_rl12_dir_set_key(&d, TH_TLS_RSA_WITH_AES_128_CBC_SHA, TH_RL12_SEAL, 1, &mac20,
                                    &k16, NULL));
    assert_int_equal(d.seq, 0);
    assert_int_equal(d.plaintext_limit, 1000);
    assert_int_equal(d.encrypt_then_mac, 1);
    /* Cleanup wipes everything and is idempotent. */
    th_rl12_dir_cleanup(&d);
    const uint8_t *raw = (const uint8_t *)&d;
    for (size_t i = 0; i < sizeof(d); i++) {
        assert_int_equal(raw[i], 0);
    }
    th_rl12_dir_cleanup(&d);
    th_rl12_dir_cleanup(NULL);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_roundtrip_every_suite),
        cmocka_unit_test(test_boringssl_records_open_and_reseal_identically),
        cmocka_unit_test(test_openssl_encrypt_then_mac_records_open_and_reseal_identically),
        cmocka_unit_test(test_every_flipped_byte_is_bad_record_mac),
        cmocka_unit_test(test_every_truncation_and_an_extra_byte_are_bad_record_mac),
        cmocka_unit_test(test_cbc_every_padding_length_opens),
        cmocka_unit_test(test_cbc_bad_padding_and_bad_mac_give_the_same_alert),
        cmocka_unit_test(test_aead_bad_tag_is_bad_record_mac),
        cmocka_unit_test(test_gcm_nonce_and_additional_data_layout),
        cmocka_unit_test(test_chacha_nonce_is_rfc7905),
        cmocka_unit_test(test_cbc_mac_then_encrypt_layout),
        cmocka_unit_test(test_cbc_encrypt_then_mac_layout),
        cmocka_unit_test(test_ciphertext_length_limit_is_exact),
        cmocka_unit_test(test_plaintext_limit_is_exact),
        cmocka_unit_test(test_sequence_number_never_wraps),
        cmocka_unit_test(test_gcm_refuses_a_reused_explicit_nonce),
        cmocka_unit_test(test_open_decrypts_in_place_and_checks_the_buffer),
        cmocka_unit_test(test_bad_keys_and_directions_are_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
