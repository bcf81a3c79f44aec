/* Splitting handshakes into per-target seeds. */
#include <openssl/mem.h>
#include <openssl/sha.h>

#include "testutil.h"

#include "fuzz.h"
#include "handshake.h"
#include "record.h"
#include "server_hello.h"
#include "split.h"

#define SIMPLE "rfc8448-simple-1rtt.txt"

static const th_seed_target *target(const th_seed_set *set, const char *name) {
    const th_seed_target *t = th_seed_set_find(set, name);
    assert_non_null(t);
    return t;
}

/* 1 if |name| holds a seed equal to |data|. */
static int has_seed(const th_seed_set *set, const char *name, const uint8_t *data, size_t len) {
    const th_seed_target *t = th_seed_set_find(set, name);
    for (size_t i = 0; t != NULL && i < t->num_seeds; i++) {
        if (t->seeds[i].len == len && (len == 0 || memcmp(t->seeds[i].data, data, len) == 0)) {
            return 1;
        }
    }
    return 0;
}

static void test_split_message_targets_follow_version_and_key_exchange(void **state) {
    const uint16_t v12 = TH_VERSION_TLS12, v13 = TH_VERSION_TLS13, v11 = TH_VERSION_TLS11;
    assert_string_equal(th_split_message_target(TH_HS_CLIENT_HELLO, 0, 0), "client_hello");
    assert_string_equal(th_split_message_target(TH_HS_SERVER_HELLO, 0, 0), "server_hello");
    assert_string_equal(th_split_message_target(TH_HS_FINISHED, v12, 0), "finished");
    assert_null(th_split_message_target(TH_HS_CERTIFICATE, 0, 0));
    assert_string_equal(th_split_message_target(TH_HS_CERTIFICATE, v13, 0x1301), "certificate");
    assert_string_equal(th_split_message_target(TH_HS_CERTIFICATE, v12, 0xc02f),
                        "certificate_tls12");
    assert_string_equal(th_split_message_target(TH_HS_NEW_SESSION_TICKET, v13, 0x1301),
                        "new_session_ticket");
    assert_string_equal(th_split_message_target(TH_HS_NEW_SESSION_TICKET, v12, 0xc02f),
                        "new_session_ticket_tls12");
    assert_string_equal(th_split_message_target(TH_HS_CERTIFICATE_REQUEST, v13, 0x1301),
                        "certificate_request");
    assert_string_equal(th_split_message_target(TH_HS_CERTIFICATE_REQUEST, v12, 0xc02f),
                        "certificate_request_tls12");
    assert_string_equal(th_split_message_target(TH_HS_CERTIFICATE_REQUEST, v11, 0xc009),
                        "certificate_request_tls10");
    /* ECDHE-ECDSA-AES128-GCM-SHA256, ECDHE-ECDSA-AES128-SHA, RSA-AES128-GCM-SHA256. */
    assert_string_equal(th_split_message_target(TH_HS_SERVER_KEY_EXCHANGE, v12, 0xc02b),
                        "server_key_exchange_ecdhe");
    assert_string_equal(th_split_message_target(TH_HS_SERVER_KEY_EXCHANGE, v11, 0xc009),
                        "server_key_exchange_ecdhe_legacy");
    assert_null(th_split_message_target(TH_HS_SERVER_KEY_EXCHANGE, v12, 0x009c));
    assert_string_equal(th_split_message_target(TH_HS_CLIENT_KEY_EXCHANGE, v12, 0xc02b),
                        "client_key_exchange_ecdhe");
    assert_string_equal(th_split_message_target(TH_HS_CLIENT_KEY_EXCHANGE, v12, 0x009c),
                        "client_key_exchange_rsa");
    assert_null(th_split_message_target(TH_HS_CLIENT_KEY_EXCHANGE, v13, 0x1301));
    assert_string_equal(th_split_message_target(TH_HS_CERTIFICATE_VERIFY, v12, 0xc02b),
                        "certificate_verify");
    assert_null(th_split_message_target(TH_HS_CERTIFICATE_VERIFY, v11, 0xc009));
    assert_string_equal(th_split_message_target(TH_HS_KEY_UPDATE, v13, 0x1301), "key_update");
    assert_null(th_split_message_target(TH_HS_KEY_UPDATE, v12, 0xc02b));
    assert_string_equal(th_split_message_target(TH_HS_SERVER_HELLO_DONE, v12, 0xc02b),
                        "server_hello_done");
    assert_string_equal(th_split_message_target(TH_HS_CERTIFICATE_STATUS, 0, 0),
                        "certificate_status");
    assert_null(th_split_message_target(TH_HS_MESSAGE_HASH, v13, 0x1301));
}

static void test_split_ext_targets_by_form(void **state) {
    assert_string_equal(th_split_ext_target(TH_EXT_KEY_SHARE, TH_EXT_CTX_CH), "ext_key_share_ch");
    assert_string_equal(th_split_ext_target(TH_EXT_KEY_SHARE, TH_EXT_CTX_SH), "ext_key_share_sh");
    assert_string_equal(th_split_ext_target(TH_EXT_KEY_SHARE, TH_EXT_CTX_HRR), "ext_key_share_hrr");
    assert_null(th_split_ext_target(TH_EXT_KEY_SHARE, TH_EXT_CTX_EE));
    assert_string_equal(th_split_ext_target(TH_EXT_STATUS_REQUEST, TH_EXT_CTX_CT),
                        "certificate_status");
    assert_string_equal(th_split_ext_target(TH_EXT_EARLY_DATA, TH_EXT_CTX_NST),
                        "ext_early_data_nst");
    assert_string_equal(th_split_ext_target(TH_EXT_EARLY_DATA, TH_EXT_CTX_EE), "ext_empty");
    assert_null(th_split_ext_target(0x1234, TH_EXT_CTX_CH));
}

/* Every (extension, message) pair seeded is one RFC 8446 §4.2 allows, and
 * every target named is registered, so no seed lands in a folder no fuzz
 * target reads. */
static void test_split_ext_targets_are_allowed_and_registered(void **state) {
    size_t pairs = 0;
    for (uint32_t type = 0; type <= 0xffff; type++) {
        for (int ctx = 0; ctx < TH_EXT_CTX_COUNT; ctx++) {
            const char *t = th_split_ext_target((uint16_t)type, (th_ext_ctx)ctx);
            if (t == NULL) {
                continue;
            }
            pairs++;
            assert_true(th_ext_allowed_in((uint16_t)type, (th_ext_ctx)ctx));
            if (th_fuzz_find(t) == NULL) {
                fail_msg("%s is not a registered fuzz target", t);
            }
        }
    }
    assert_true(pairs > 40);
    static const uint8_t kTypes[] = {
        TH_HS_HELLO_REQUEST,      TH_HS_CLIENT_HELLO,        TH_HS_SERVER_HELLO,
        TH_HS_NEW_SESSION_TICKET, TH_HS_END_OF_EARLY_DATA,   TH_HS_ENCRYPTED_EXTENSIONS,
        TH_HS_CERTIFICATE,        TH_HS_SERVER_KEY_EXCHANGE, TH_HS_CERTIFICATE_REQUEST,
        TH_HS_SERVER_HELLO_DONE,  TH_HS_CERTIFICATE_VERIFY,  TH_HS_CLIENT_KEY_EXCHANGE,
        TH_HS_FINISHED,           TH_HS_CERTIFICATE_STATUS,  TH_HS_KEY_UPDATE,
    };
    static const uint16_t kVersions[] = {TH_VERSION_TLS11, TH_VERSION_TLS12, TH_VERSION_TLS13};
    static const uint16_t kSuites[] = {0x1301, 0xc02b, 0xc009, 0x009c};
    for (size_t i = 0; i < sizeof(kTypes); i++) {
        for (size_t v = 0; v < 3; v++) {
            for (size_t s = 0; s < 4; s++) {
                const char *t = th_split_message_target(kTypes[i], kVersions[v], kSuites[s]);
                if (t != NULL && th_fuzz_find(t) == NULL) {
                    fail_msg("%s is not a registered fuzz target", t);
                }
            }
        }
    }
}

static void test_split_client_hello_from_rfc8448(void **state) {
    th_seed_set set;
    th_split_ctx s;
    size_t len, pub_len;
    uint8_t *ch = th_test_vector(SIMPLE, "client_hello", &len);
    uint8_t *pub = th_test_vector(SIMPLE, "client_x25519_public", &pub_len);
    th_seed_set_init(&set, 40);
    th_split_init(&s, &set, "test", 0, 0);
    assert_true(th_split_handshake_message(&s, ch, len));
    assert_true(has_seed(&set, "handshake", ch, len));
    assert_true(has_seed(&set, "client_hello", ch + 4, len - 4));
    /* The extension block closes the ClientHello. */
    const th_seed_target *block = target(&set, "ext_block_ch");
    assert_int_equal(block->num_seeds, 1);
    assert_memory_equal(ch + len - block->seeds[0].len, block->seeds[0].data, block->seeds[0].len);
    /* key_share: client_shares<0024> { x25519, key_exchange<0020> }. */
    uint8_t share[8 + 32] = {0x00, 0x24, 0x00, 0x1d, 0x00, 0x20};
    assert_int_equal(pub_len, 32);
    memcpy(share + 6, pub, 32);
    assert_true(has_seed(&set, "ext_key_share_ch", share, 6 + 32));
    assert_true(has_seed(&set, "ext_supported_versions_ch", (const uint8_t *)"\x02\x03\x04", 3));
    /* The list inside the block's prefix, and the u16 lists. */
    assert_true(has_seed(&set, "ext_list", block->seeds[0].data + 2, block->seeds[0].len - 2));
    assert_true(has_seed(&set, "u16_list", (const uint8_t *)"\x00\x06\x13\x01\x13\x03\x13\x02", 8));
    assert_true(has_seed(&set, "u16_list",
                         (const uint8_t *)"\x00\x12\x00\x1d\x00\x17\x00\x18\x00\x19\x01\x00"
                                          "\x01\x01\x01\x02\x01\x03\x01\x04",
                         20));
    assert_int_equal(set.num_warnings, 0);
    assert_int_equal(s.version, 0); /* a ClientHello does not decide it */
    th_split_cleanup(&s);
    th_seed_set_cleanup(&set);
    free(ch);
    free(pub);
}

static void test_split_server_hello_sets_version_and_suite(void **state) {
    th_seed_set set;
    th_split_ctx s;
    size_t len;
    uint8_t *sh = th_test_vector(SIMPLE, "server_hello", &len);
    th_seed_set_init(&set, 40);
    th_split_init(&s, &set, "test", 0, 0);
    assert_true(th_split_handshake_message(&s, sh, len));
    assert_int_equal(s.version, TH_VERSION_TLS13);
    assert_int_equal(s.cipher_suite, 0x1301);
    assert_true(has_seed(&set, "server_hello", sh + 4, len - 4));
    assert_true(has_seed(&set, "ext_supported_versions_sh", (const uint8_t *)"\x03\x04", 2));
    assert_int_equal(target(&set, "ext_block_sh")->num_seeds, 1);
    assert_null(th_seed_set_find(&set, "ext_block_sh12"));
    th_split_cleanup(&s);
    th_seed_set_cleanup(&set);
    free(sh);
}

/* A HelloRetryRequest built with the project's writers. */
static uint8_t *build_hrr(size_t *out_len) {
    static const uint8_t kVersions[] = {0x03, 0x04}, kGroup[] = {0x00, 0x17};
    th_server_hello hrr;
    th_handshake msg;
    CBB body, whole;
    uint8_t *body_bytes, *out;
    size_t body_len;
    memset(&hrr, 0, sizeof(hrr));
    hrr.legacy_version = TH_VERSION_TLS12;
    memcpy(hrr.random, th_hrr_random, TH_RANDOM_LEN);
    hrr.cipher_suite = 0x1302;
    hrr.has_extensions = 1;
    th_bytes versions = {kVersions, 2}, group = {kGroup, 2};
    assert_true(th_ext_block_add(&hrr.extensions, TH_EXT_SUPPORTED_VERSIONS, versions));
    assert_true(th_ext_block_add(&hrr.extensions, TH_EXT_KEY_SHARE, group));
    assert_true(CBB_init(&body, 64));
    assert_true(th_write_server_hello(&body, &hrr));
    assert_true(CBB_finish(&body, &body_bytes, &body_len));
    msg.type = TH_HS_SERVER_HELLO;
    msg.body.data = body_bytes;
    msg.body.len = body_len;
    assert_true(CBB_init(&whole, 64));
    assert_true(th_write_handshake(&whole, &msg));
    assert_true(CBB_finish(&whole, &out, out_len));
    OPENSSL_free(body_bytes);
    th_server_hello_cleanup(&hrr);
    return out;
}

static void test_split_hrr_gives_message_hash_of_client_hello1(void **state) {
    th_seed_set set;
    th_split_ctx s;
    size_t ch_len, hrr_len;
    uint8_t *ch = th_test_vector(SIMPLE, "client_hello", &ch_len);
    uint8_t *hrr = build_hrr(&hrr_len);
    uint8_t digest[SHA384_DIGEST_LENGTH];
    th_seed_set_init(&set, 40);
    th_split_init(&s, &set, "test", 0, 0);
    assert_true(th_split_handshake_message(&s, ch, ch_len));
    assert_true(th_split_handshake_message(&s, hrr, hrr_len));
    /* TLS_AES_256_GCM_SHA384: the hash is SHA-384 (RFC 8446 §4.4.1). */
    SHA384(ch, ch_len, digest);
    assert_true(has_seed(&set, "message_hash", digest, sizeof(digest)));
    uint8_t synthetic[4 + SHA384_DIGEST_LENGTH] = {TH_HS_MESSAGE_HASH, 0, 0, 48};
    memcpy(synthetic + 4, digest, sizeof(digest));
    assert_true(has_seed(&set, "handshake", synthetic, sizeof(synthetic)));
    assert_true(has_seed(&set, "ext_key_share_hrr", (const uint8_t *)"\x00\x17", 2));
    assert_int_equal(target(&set, "ext_block_hrr")->num_seeds, 1);
    assert_int_equal(s.version, TH_VERSION_TLS13);
    assert_int_equal(s.cipher_suite, 0); /* an HRR does not fix the suite */
    th_split_cleanup(&s);
    th_seed_set_cleanup(&set);
    free(ch);
    OPENSSL_free(hrr);
}

/* The cap chooses among kinds: messages with extensions are kinded by their
 * sorted extension types, GREASE named as such, so permuted or GREASEd
 * messages of one shape share a kind. */
static void test_split_kinds_describe_structure(void **state) {
    th_seed_set set;
    th_split_ctx s;
    /* EncryptedExtensions: GREASE 0x1a1a (empty), ALPN "h2", server_name (empty). */
    static const uint8_t kEe[] = {TH_HS_ENCRYPTED_EXTENSIONS,
                                  0,
                                  0,
                                  19,
                                  0,
                                  17,
                                  0x1a,
                                  0x1a,
                                  0,
                                  0,
                                  0,
                                  16,
                                  0,
                                  5,
                                  0,
                                  3,
                                  2,
                                  'h',
                                  '2',
                                  0,
                                  0,
                                  0,
                                  0};
    static const uint8_t kFin[] = {TH_HS_FINISHED, 0, 0, 12, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
    th_seed_set_init(&set, 40);
    th_split_init(&s, &set, "src", TH_VERSION_TLS13, 0x1301);
    assert_true(th_split_handshake_message(&s, kEe, sizeof(kEe)));
    assert_true(th_split_handshake_message(&s, kFin, sizeof(kFin)));
    assert_int_equal(set.num_warnings, 0);
    assert_string_equal(target(&set, "encrypted_extensions")->kinds[0],
                        "EncryptedExtensions: 0 16 grease");
    assert_string_equal(target(&set, "ext_block_ee")->kinds[0], "EncryptedExtensions: 0 16 grease");
    assert_string_equal(target(&set, "ext_alpn_sh")->kinds[0], "src");
    assert_string_equal(target(&set, "finished")->kinds[0], "length 12");
    assert_string_equal(target(&set, "handshake")->kinds[0], "encrypted_extensions");
    th_split_cleanup(&s);
    th_seed_set_cleanup(&set);
}

static void test_split_rejected_message_is_kept_and_reported(void **state) {
    th_seed_set set;
    th_split_ctx s;
    static const uint8_t kBadKeyUpdate[] = {TH_HS_KEY_UPDATE, 0, 0, 1, 2};
    static const uint8_t kBadFraming[] = {TH_HS_FINISHED, 0, 0, 5, 0};
    th_seed_set_init(&set, 40);
    th_split_init(&s, &set, "src", TH_VERSION_TLS13, 0x1301);
    assert_true(th_split_handshake_message(&s, kBadKeyUpdate, sizeof(kBadKeyUpdate)));
    assert_true(has_seed(&set, "key_update", (const uint8_t *)"\x02", 1));
    assert_int_equal(set.num_warnings, 1);
    assert_non_null(strstr(set.warnings[0], "src: the codec rejects BoringSSL's key_update"));
    assert_non_null(strstr(set.warnings[0], "illegal_parameter"));
    assert_true(th_split_handshake_message(&s, kBadFraming, sizeof(kBadFraming)));
    assert_int_equal(set.num_warnings, 2);
    assert_null(th_seed_set_find(&set, "finished"));
    th_split_cleanup(&s);
    th_seed_set_cleanup(&set);
}

static void add_msg(th_bssl_conn *c, uint8_t from, uint8_t ct, const uint8_t *data, size_t len) {
    th_bssl_msg *grown = th_array_grow(c->msgs, c->num_msgs, sizeof(*grown));
    assert_non_null(grown);
    c->msgs = grown;
    c->msgs[c->num_msgs].from = from;
    c->msgs[c->num_msgs].content_type = ct;
    c->msgs[c->num_msgs].data = malloc(len);
    assert_non_null(c->msgs[c->num_msgs].data);
    memcpy(c->msgs[c->num_msgs].data, data, len);
    c->msgs[c->num_msgs].len = len;
    c->num_msgs++;
}

static void set_wire(th_bssl_conn *c, int from, const uint8_t *data, size_t len) {
    c->wire[from] = malloc(len);
    assert_non_null(c->wire[from]);
    memcpy(c->wire[from], data, len);
    c->wire_len[from] = len;
}

static void test_split_conn_seeds_every_layer(void **state) {
    th_seed_set set;
    th_bssl_recording rec;
    size_t ch_len, sh_len, ee_len;
    uint8_t *ch = th_test_vector(SIMPLE, "client_hello", &ch_len);
    uint8_t *sh = th_test_vector(SIMPLE, "server_hello", &sh_len);
    uint8_t *ee = th_test_vector(SIMPLE, "encrypted_extensions", &ee_len);
    static const uint8_t kAlert[] = {1, 0}, kCcs[] = {1}, kApp[] = {'h', 'i'};
    /* Client: one handshake record; server: a handshake and a CCS record. */
    static const uint8_t kServerWire[] = {22, 3, 3, 0, 4, 14, 0, 0, 0, 20, 3, 3, 0, 1, 1};
    memset(&rec, 0, sizeof(rec));
    rec.conns = calloc(1, sizeof(*rec.conns));
    assert_non_null(rec.conns);
    rec.num_conns = 1;
    th_bssl_conn *c = &rec.conns[0];
    c->version = TH_VERSION_TLS13;
    c->cipher_suite = 0x1301;
    add_msg(c, TH_BSSL_CLIENT, TH_CT_HANDSHAKE, ch, ch_len);
    add_msg(c, TH_BSSL_SERVER, TH_CT_HANDSHAKE, sh, sh_len);
    add_msg(c, TH_BSSL_SERVER, TH_CT_CHANGE_CIPHER_SPEC, kCcs, 1);
    add_msg(c, TH_BSSL_SERVER, TH_CT_HANDSHAKE, ee, ee_len);
    add_msg(c, TH_BSSL_CLIENT, TH_CT_APPLICATION_DATA, kApp, 2);
    add_msg(c, TH_BSSL_CLIENT, TH_CT_ALERT, kAlert, 2);
    uint8_t client_wire[5 + 512];
    assert_true(ch_len <= 512);
    client_wire[0] = 22;
    client_wire[1] = 3;
    client_wire[2] = 1;
    client_wire[3] = (uint8_t)(ch_len >> 8);
    client_wire[4] = (uint8_t)ch_len;
    memcpy(client_wire + 5, ch, ch_len);
    set_wire(c, TH_BSSL_CLIENT, client_wire, 5 + ch_len);
    set_wire(c, TH_BSSL_SERVER, kServerWire, sizeof(kServerWire));

    th_seed_set_init(&set, 40);
    assert_true(th_split_conn(&set, "conn", c));
    assert_int_equal(target(&set, "handshake")->num_seeds, 3);
    assert_true(has_seed(&set, "encrypted_extensions", ee + 4, ee_len - 4));
    assert_true(has_seed(&set, "alert", kAlert, 2));
    assert_true(has_seed(&set, "ccs", kCcs, 1));
    /* EE, the application data and the alert are protected in TLS 1.3: each
     * gives three inner plaintexts (0, 1, 16 zeros); the hellos give none. */
    assert_int_equal(target(&set, "inner_plaintext")->num_seeds, 9);
    static const uint8_t kInnerApp16[2 + 1 + 16] = {'h', 'i', TH_CT_APPLICATION_DATA};
    assert_true(has_seed(&set, "inner_plaintext", kInnerApp16, sizeof(kInnerApp16)));
    assert_int_equal(target(&set, "record")->num_seeds, 3);
    assert_true(has_seed(&set, "record", kServerWire + 9, 6));
    assert_int_equal(target(&set, "record_stream")->num_seeds, 2);
    assert_true(has_seed(&set, "record_stream", kServerWire, sizeof(kServerWire)));
    /* The record kinds name the sender, type and first message type. */
    const th_seed_target *records = target(&set, "record");
    assert_string_equal(records->kinds[0], "client-22-1");
    assert_string_equal(records->kinds[1], "server-22-14");
    assert_string_equal(records->kinds[2], "server-20");
    assert_int_equal(set.num_warnings, 0);
    th_seed_set_cleanup(&set);
    th_bssl_recording_cleanup(&rec);
    free(ch);
    free(sh);
    free(ee);
}

static void test_split_tls12_conn_routes_by_key_exchange(void **state) {
    th_seed_set set;
    th_bssl_recording rec;
    /* ClientKeyExchange (RSA): EncryptedPreMasterSecret<0..2^16-1>. */
    uint8_t cke[4 + 2 + 64] = {TH_HS_CLIENT_KEY_EXCHANGE, 0, 0, 66, 0, 64};
    /* RFC 5077 NewSessionTicket: lifetime hint and a 4-byte ticket. */
    static const uint8_t kNst[] = {
        TH_HS_NEW_SESSION_TICKET, 0, 0, 10, 0, 0, 0x1c, 0x20, 0, 4, 1, 2, 3, 4};
    memset(&rec, 0, sizeof(rec));
    rec.conns = calloc(1, sizeof(*rec.conns));
    assert_non_null(rec.conns);
    rec.num_conns = 1;
    th_bssl_conn *c = &rec.conns[0];
    c->version = TH_VERSION_TLS12;
    c->cipher_suite = 0x009c;
    memset(cke + 6, 0x5a, 64);
    add_msg(c, TH_BSSL_CLIENT, TH_CT_HANDSHAKE, cke, sizeof(cke));
    add_msg(c, TH_BSSL_SERVER, TH_CT_HANDSHAKE, kNst, sizeof(kNst));
    add_msg(c, TH_BSSL_SERVER, TH_CT_ALERT, (const uint8_t *)"\x01\x00", 2);
    th_seed_set_init(&set, 40);
    assert_true(th_split_conn(&set, "tls12", c));
    assert_true(has_seed(&set, "client_key_exchange_rsa", cke + 4, sizeof(cke) - 4));
    assert_true(has_seed(&set, "new_session_ticket_tls12", kNst + 4, sizeof(kNst) - 4));
    assert_null(th_seed_set_find(&set, "inner_plaintext")); /* TLS 1.2 has none */
    assert_null(th_seed_set_find(&set, "record_stream"));   /* no wire bytes */
    assert_int_equal(set.num_warnings, 0);
    th_seed_set_cleanup(&set);
    th_bssl_recording_cleanup(&rec);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_split_message_targets_follow_version_and_key_exchange),
        cmocka_unit_test(test_split_ext_targets_by_form),
        cmocka_unit_test(test_split_ext_targets_are_allowed_and_registered),
        cmocka_unit_test(test_split_client_hello_from_rfc8448),
        cmocka_unit_test(test_split_server_hello_sets_version_and_suite),
        cmocka_unit_test(test_split_hrr_gives_message_hash_of_client_hello1),
        cmocka_unit_test(test_split_kinds_describe_structure),
        cmocka_unit_test(test_split_rejected_message_is_kept_and_reported),
        cmocka_unit_test(test_split_conn_seeds_every_layer),
        cmocka_unit_test(test_split_tls12_conn_routes_by_key_exchange),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
