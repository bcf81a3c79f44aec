/* The sans-I/O connection against itself: our client and our server over
 * memory for every suite × group, HelloRetryRequest, ALPN, client
 * authentication, KeyUpdate and close_notify; the record rules (CCS,
 * unexpected records, overflow); every one-byte corruption of a real
 * flight ending in an alert, never a crash or leak; session tickets, PSK
 * resumption (psk_dhe_ke, psk_ke, after HRR, bad binder, unknown and expired
 * tickets) and 0-RTT (accepted, rejected, replayed); certificate choice by
 * SNI (exact, wildcard) and signature algorithms; the handshake state freed
 * once idle; middlebox-compatibility CCS; record_size_limit negotiation and
 * automatic KeyUpdate at the usage limits. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/ec_key.h>
#include <openssl/mem.h>
#include <openssl/nid.h>
#include <openssl/x509v3.h>

#include "conn.h"
#include "conn_internal.h"
#include "record.h"
#include "record_layer.h"
#include "server_hello.h"
#include "testutil.h"

static const uint16_t kSuites[] = {TH_TLS_AES_128_GCM_SHA256, TH_TLS_AES_256_GCM_SHA384,
                                   TH_TLS_CHACHA20_POLY1305_SHA256};
static const uint16_t kGroups[] = {TH_GROUP_X25519, TH_GROUP_SECP256R1, TH_GROUP_SECP384R1};

static void test_random(void *ctx, uint8_t *out, size_t len) {
    uint64_t *s = ctx;
    for (size_t i = 0; i < len; i++) {
        *s ^= *s >> 12;
        *s ^= *s << 25;
        *s ^= *s >> 27;
        out[i] = (uint8_t)((*s * 0x2545F4914F6CDD1DULL) >> 56);
    }
}

static time_t test_now(void *ctx) {
    (void)ctx;
    return 1700000000;
}

typedef struct {
    th_cert_key server_ck, client_ck;
    X509_STORE *store;
} fixture;

static int setup(void **state) {
    fixture *f = calloc(1, sizeof(*f));
    th_test_load_cert_key("server-ecdsa-p256", &f->server_ck);
    th_test_load_cert_key("client-ecdsa-p256", &f->client_ck);
    f->store = th_test_load_trust_store("trust-bundle.pem");
    *state = f;
    return 0;
}

static int teardown(void **state) {
    fixture *f = *state;
    th_cert_key_cleanup(&f->server_ck);
    th_cert_key_cleanup(&f->client_ck);
    X509_STORE_free(f->store);
    free(f);
    return 0;
}

static void base_config(th_config *cfg, fixture *f, uint64_t *seed, th_role role) {
    memset(cfg, 0, sizeof(*cfg));
    cfg->random = test_random;
    cfg->random_ctx = seed;
    cfg->now = test_now;
    cfg->trust_store = f->store;
    if (role == TH_ROLE_CLIENT) {
        cfg->server_name = "localhost";
    } else {
        cfg->cert_key = &f->server_ck;
    }
}

/* Moves |from|'s output into |to|; 1 if anything moved. */
static int move(th_conn *from, th_conn *to) {
    size_t n;
    const uint8_t *out = th_conn_pending_output(from, &n);
    if (n == 0) {
        return 0;
    }
    if (!th_conn_recv(to, out, n)) {
        /* Checked through the status by the caller. */
    }
    th_conn_consume_output(from, n);
    return 1;
}

static void pump(th_conn *a, th_conn *b) {
    int moved;
    do {
        moved = move(a, b);
        moved |= move(b, a);
    } while (moved);
}

static void expect_state(th_conn *c, th_conn_state state) {
    th_conn_status st;
    th_conn_get_status(c, &st);
    if (st.state != state) {
        fail_msg("state %d, want %d (alert sent %d/%u, received %d/%u)", st.state, state,
                 st.has_alert_sent, st.alert_sent, st.has_alert_received, st.alert_received);
    }
}

static void expect_alert_sent(th_conn *c, uint8_t alert) {
    th_conn_status st;
    th_conn_get_status(c, &st);
    assert_int_equal(st.state, TH_CONN_FAILED);
    assert_true(st.has_alert_sent);
    assert_int_equal(st.alert_sent, alert);
}

static void echo_check(th_conn *from, th_conn *to, const char *msg) {
    uint8_t buf[64];
    assert_true(th_conn_write_app(from, (const uint8_t *)msg, strlen(msg), 0));
    pump(from, to);
    assert_int_equal(th_conn_read_app(to, buf, sizeof(buf)), strlen(msg));
    assert_memory_equal(buf, msg, strlen(msg));
}

static void test_self_every_suite_and_group(void **state) {
    fixture *f = *state;
    for (size_t s = 0; s < 3; s++) {
        for (size_t g = 0; g < 3; g++) {
            uint64_t cseed = 1 + s, sseed = 10 + g;
            th_config ccfg, scfg;
            base_config(&ccfg, f, &cseed, TH_ROLE_CLIENT);
            base_config(&scfg, f, &sseed, TH_ROLE_SERVER);
            ccfg.cipher_suites = &kSuites[s];
            ccfg.num_cipher_suites = 1;
            ccfg.groups = &kGroups[g];
            ccfg.num_groups = 1;
            th_conn *c = th_conn_new(&ccfg, TH_ROLE_CLIENT);
            th_conn *sv = th_conn_new(&scfg, TH_ROLE_SERVER);
            pump(c, sv);
            expect_state(c, TH_CONN_ESTABLISHED);
            expect_state(sv, TH_CONN_ESTABLISHED);
            th_conn_status cs, ss;
            th_conn_get_status(c, &cs);
            th_conn_get_status(sv, &ss);
            assert_int_equal(cs.cipher_suite, kSuites[s]);
            assert_int_equal(ss.cipher_suite, kSuites[s]);
            assert_int_equal(cs.group, kGroups[g]);
            assert_int_equal(ss.group, kGroups[g]);
            assert_int_equal(cs.sig_scheme, TH_SIG_ECDSA_SECP256R1_SHA256);
            echo_check(c, sv, "hello server");
            echo_check(sv, c, "hello client");
            th_conn_free(c);
            th_conn_free(sv);
        }
    }
}

static void test_self_hrr_alpn_client_auth_key_update_close(void **state) {
    fixture *f = *state;
    static const uint16_t client_groups[] = {TH_GROUP_X25519, TH_GROUP_SECP384R1};
    static const uint16_t server_groups[] = {TH_GROUP_SECP384R1};
    static const char *const client_alpn[] = {"a", "b"};
    static const char *const server_alpn[] = {"b", "a"};
    uint64_t cseed = 3, sseed = 4;
    th_config ccfg, scfg;
    base_config(&ccfg, f, &cseed, TH_ROLE_CLIENT);
    base_config(&scfg, f, &sseed, TH_ROLE_SERVER);
    ccfg.groups = client_groups;
    ccfg.num_groups = 2;
    ccfg.alpn = client_alpn;
    ccfg.num_alpn = 2;
    ccfg.cert_key = &f->client_ck;
    scfg.groups = server_groups;
    scfg.num_groups = 1;
    scfg.alpn = server_alpn;
    scfg.num_alpn = 2;
    scfg.request_client_cert = 1;
    scfg.require_client_cert = 1;
    th_conn *c = th_conn_new(&ccfg, TH_ROLE_CLIENT);
    th_conn *sv = th_conn_new(&scfg, TH_ROLE_SERVER);
    pump(c, sv);
    expect_state(c, TH_CONN_ESTABLISHED);
    expect_state(sv, TH_CONN_ESTABLISHED);
    th_conn_status cs, ss;
    th_conn_get_status(c, &cs);
    th_conn_get_status(sv, &ss);
    assert_true(cs.hello_retry);
    assert_true(ss.hello_retry);
    assert_int_equal(cs.group, TH_GROUP_SECP384R1);
    assert_int_equal(cs.alpn.len, 1);
    assert_memory_equal(cs.alpn.data, "b", 1);
    assert_memory_equal(ss.alpn.data, "b", 1);
    assert_true(ss.peer_authenticated);
    assert_int_equal(ss.sig_scheme, TH_SIG_ECDSA_SECP256R1_SHA256);
    /* Each side keeps the chain the other sent, byte for byte. */
    size_t n_from_server, n_from_client;
    const th_bytes *from_server = th_conn_peer_chain(c, &n_from_server);
    const th_bytes *from_client = th_conn_peer_chain(sv, &n_from_client);
    assert_int_equal(n_from_server, f->server_ck.num_chain);
    assert_int_equal(n_from_client, f->client_ck.num_chain);
    for (size_t i = 0; i < n_from_server; i++) {
        assert_int_equal(from_server[i].len, f->server_ck.chain[i].len);
        assert_memory_equal(from_server[i].data, f->server_ck.chain[i].data, from_server[i].len);
    }
    assert_memory_equal(from_client[0].data, f->client_ck.chain[0].data, from_client[0].len);

    assert_true(th_conn_key_update(c, 1));
    pump(c, sv);
    echo_check(c, sv, "after update");
    echo_check(sv, c, "after update too");
    assert_true(th_conn_close(c));
    pump(c, sv);
    assert_true(th_conn_close(sv));
    pump(c, sv);
    expect_state(c, TH_CONN_CLOSED);
    expect_state(sv, TH_CONN_CLOSED);
    assert_false(th_conn_close(c));
    th_conn_free(c);
    th_conn_free(sv);
}

static void test_server_without_certificate_is_refused(void **state) {
    fixture *f = *state;
    uint64_t seed = 1;
    th_config cfg;
    base_config(&cfg, f, &seed, TH_ROLE_SERVER);
    cfg.cert_key = NULL;
    assert_null(th_conn_new(&cfg, TH_ROLE_SERVER));
}

static th_conn *new_server(fixture *f, uint64_t *seed) {
    th_config *cfg = calloc(1, sizeof(*cfg));
    base_config(cfg, f, seed, TH_ROLE_SERVER);
    th_conn *c = th_conn_new(cfg, TH_ROLE_SERVER);
    /* The connection copied the config. */
    free(cfg);
    return c;
}

static void feed_server(fixture *f, const char *hex, uint8_t alert) {
    uint64_t seed = 5;
    size_t len;
    uint8_t *bytes = th_test_hex(hex, &len);
    th_conn *sv = new_server(f, &seed);
    assert_false(th_conn_recv(sv, bytes, len));
    expect_alert_sent(sv, alert);
    /* Once failed, it stays failed. */
    assert_false(th_conn_recv(sv, bytes, len));
    free(bytes);
    th_conn_free(sv);
}

static void test_ccs_before_client_hello_is_unexpected_message(void **state) {
    feed_server(*state, "140303000101", TH_ALERT_UNEXPECTED_MESSAGE);
}

static void test_application_data_before_handshake_is_unexpected_message(void **state) {
    feed_server(*state, "1703030001ff", TH_ALERT_UNEXPECTED_MESSAGE);
}

static void test_finished_first_is_unexpected_message(void **state) {
    feed_server(*state, "16030300061400000200aa", TH_ALERT_UNEXPECTED_MESSAGE);
}

static void test_unknown_record_type_is_unexpected_message(void **state) {
    feed_server(*state, "6303030001ff", TH_ALERT_UNEXPECTED_MESSAGE);
}

static void test_oversized_plaintext_is_record_overflow(void **state) {
    feed_server(*state, "1603034001", TH_ALERT_RECORD_OVERFLOW);
}

static void test_empty_handshake_record_is_unexpected_message(void **state) {
    feed_server(*state, "1603030000", TH_ALERT_UNEXPECTED_MESSAGE);
}

static void test_tls12_only_client_is_protocol_version(void **state) {
    /* A minimal TLS 1.2 ClientHello: no supported_versions. */
    feed_server(*state,
                "160301002d"
                "010000290303"
                "0000000000000000000000000000000000000000000000000000000000000000"
                "00"
                "0002c02f"
                "0100",
                TH_ALERT_PROTOCOL_VERSION);
}

/* Runs a real handshake and returns the client's first flight and the
 * server's first flight. */
static void record_flights(fixture *f, uint8_t **ch, size_t *ch_len, uint8_t **sf, size_t *sf_len) {
    uint64_t cseed = 77, sseed = 78;
    th_config ccfg, scfg;
    base_config(&ccfg, f, &cseed, TH_ROLE_CLIENT);
    base_config(&scfg, f, &sseed, TH_ROLE_SERVER);
    th_conn *c = th_conn_new(&ccfg, TH_ROLE_CLIENT);
    th_conn *sv = th_conn_new(&scfg, TH_ROLE_SERVER);
    const uint8_t *out = th_conn_pending_output(c, ch_len);
    *ch = malloc(*ch_len);
    memcpy(*ch, out, *ch_len);
    move(c, sv);
    out = th_conn_pending_output(sv, sf_len);
    *sf = malloc(*sf_len);
    memcpy(*sf, out, *sf_len);
    th_conn_free(c);
    th_conn_free(sv);
}

static void test_every_corrupted_client_hello_byte_ends_cleanly(void **state) {
    fixture *f = *state;
    uint8_t *ch, *sf;
    size_t ch_len, sf_len;
    record_flights(f, &ch, &ch_len, &sf, &sf_len);
    for (size_t i = 0; i < ch_len; i++) {
        for (int bit = 0; bit < 8; bit += 3) {
            uint64_t seed = 78;
            ch[i] ^= (uint8_t)(1 << bit);
            th_conn *sv = new_server(f, &seed);
            if (!th_conn_recv(sv, ch, ch_len)) {
                th_conn_status st;
                th_conn_get_status(sv, &st);
                assert_true(st.has_alert_sent);
            }
            th_conn_free(sv);
            ch[i] ^= (uint8_t)(1 << bit);
        }
    }
    free(ch);
    free(sf);
}

static void test_every_corrupted_server_flight_byte_is_refused(void **state) {
    fixture *f = *state;
    uint8_t *ch, *sf;
    size_t ch_len, sf_len;
    record_flights(f, &ch, &ch_len, &sf, &sf_len);
    /* The same seed makes the same ClientHello and key share, so the
     * recorded server flight fits each fresh client. */
    uint64_t seed = 77;
    th_config cfg;
    base_config(&cfg, f, &seed, TH_ROLE_CLIENT);
    th_conn *ok = th_conn_new(&cfg, TH_ROLE_CLIENT);
    assert_true(th_conn_recv(ok, sf, sf_len));
    expect_state(ok, TH_CONN_ESTABLISHED);
    th_conn_free(ok);
    for (size_t i = 0; i < sf_len; i++) {
        seed = 77;
        sf[i] ^= 0x10;
        th_conn *c = th_conn_new(&cfg, TH_ROLE_CLIENT);
        int accepted = th_conn_recv(c, sf, sf_len);
        th_conn_status st;
        th_conn_get_status(c, &st);
        /* Only the legacy record version bytes and the ServerHello's
         * random (the client does not check the server random) may change
         * without notice; everything else is refused with an alert. */
        if (accepted && st.state == TH_CONN_ESTABLISHED) {
            int record_version = i == 1 || i == 2;
            int sh_random = i >= 5 + 4 + 2 && i < 5 + 4 + 2 + 32;
            if (!record_version && !sh_random) {
                fail_msg("corrupted byte %zu accepted", i);
            }
        } else if (accepted) {
            /* A length made longer: still waiting for bytes, nothing sent. */
            assert_int_equal(st.state, TH_CONN_HANDSHAKING);
            assert_false(st.has_alert_sent);
        } else {
            assert_int_equal(st.state, TH_CONN_FAILED);
            assert_true(st.has_alert_sent);
        }
        th_conn_free(c);
        sf[i] ^= 0x10;
    }
    free(ch);
    free(sf);
}

static void test_ccs_after_client_hello_is_dropped(void **state) {
    fixture *f = *state;
    uint64_t cseed = 90, sseed = 91;
    th_config ccfg, scfg;
    base_config(&ccfg, f, &cseed, TH_ROLE_CLIENT);
    base_config(&scfg, f, &sseed, TH_ROLE_SERVER);
    th_conn *c = th_conn_new(&ccfg, TH_ROLE_CLIENT);
    th_conn *sv = th_conn_new(&scfg, TH_ROLE_SERVER);
    static const uint8_t ccs[] = {0x14, 0x03, 0x03, 0x00, 0x01, 0x01};
    static const uint8_t bad_ccs[] = {0x14, 0x03, 0x03, 0x00, 0x01, 0x02};
    move(c, sv);
    /* The client may send one before its second flight (RFC 8446 §D.4). */
    assert_true(th_conn_recv(sv, ccs, sizeof(ccs)));
    assert_true(th_conn_recv(c, ccs, sizeof(ccs)));
    pump(c, sv);
    expect_state(c, TH_CONN_ESTABLISHED);
    expect_state(sv, TH_CONN_ESTABLISHED);
    /* After the handshake a CCS is unexpected. */
    assert_false(th_conn_recv(sv, ccs, sizeof(ccs)));
    expect_alert_sent(sv, TH_ALERT_UNEXPECTED_MESSAGE);
    th_conn_free(c);
    th_conn_free(sv);

    cseed = 90;
    sseed = 91;
    c = th_conn_new(&ccfg, TH_ROLE_CLIENT);
    sv = th_conn_new(&scfg, TH_ROLE_SERVER);
    move(c, sv);
    assert_false(th_conn_recv(sv, bad_ccs, sizeof(bad_ccs)));
    expect_alert_sent(sv, TH_ALERT_UNEXPECTED_MESSAGE);
    th_conn_free(c);
    th_conn_free(sv);
}

static void test_byte_by_byte_delivery(void **state) {
    fixture *f = *state;
    uint64_t cseed = 95, sseed = 96;
    th_config ccfg, scfg;
    base_config(&ccfg, f, &cseed, TH_ROLE_CLIENT);
    base_config(&scfg, f, &sseed, TH_ROLE_SERVER);
    th_conn *c = th_conn_new(&ccfg, TH_ROLE_CLIENT);
    th_conn *sv = th_conn_new(&scfg, TH_ROLE_SERVER);
    int moved;
    do {
        uint8_t b;
        moved = 0;
        while (th_conn_take_output(c, &b, 1) == 1) {
            assert_true(th_conn_recv(sv, &b, 1));
            moved = 1;
        }
        while (th_conn_take_output(sv, &b, 1) == 1) {
            assert_true(th_conn_recv(c, &b, 1));
            moved = 1;
        }
    } while (moved);
    expect_state(c, TH_CONN_ESTABLISHED);
    expect_state(sv, TH_CONN_ESTABLISHED);
    echo_check(c, sv, "bytes");
    th_conn_free(c);
    th_conn_free(sv);
}

/* A client offering X25519 (share) and P-384, and the HelloRetryRequest
 * record a P-384-only server answers its ClientHello with. */
static void hrr_setup(fixture *f, th_config *ccfg, uint64_t *cseed, uint8_t **hrr,
                      size_t *hrr_len) {
    static const uint16_t client_groups[] = {TH_GROUP_X25519, TH_GROUP_SECP384R1};
    static const uint16_t server_groups[] = {TH_GROUP_SECP384R1};
    uint64_t sseed = 501;
    th_config scfg;
    base_config(ccfg, f, cseed, TH_ROLE_CLIENT);
    ccfg->groups = client_groups;
    ccfg->num_groups = 2;
    base_config(&scfg, f, &sseed, TH_ROLE_SERVER);
    scfg.groups = server_groups;
    scfg.num_groups = 1;
    uint64_t start = *cseed;
    th_conn *c = th_conn_new(ccfg, TH_ROLE_CLIENT);
    th_conn *sv = th_conn_new(&scfg, TH_ROLE_SERVER);
    move(c, sv);
    const uint8_t *out = th_conn_pending_output(sv, hrr_len);
    assert_non_null(out);
    *hrr = malloc(*hrr_len);
    memcpy(*hrr, out, *hrr_len);
    th_conn_free(c);
    th_conn_free(sv);
    *cseed = start;
}

static void test_second_hrr_is_unexpected_message(void **state) {
    uint64_t seed = 500;
    th_config cfg;
    uint8_t *hrr;
    size_t hrr_len;
    hrr_setup(*state, &cfg, &seed, &hrr, &hrr_len);
    th_conn *c = th_conn_new(&cfg, TH_ROLE_CLIENT);
    assert_true(th_conn_recv(c, hrr, hrr_len));
    th_conn_status st;
    th_conn_get_status(c, &st);
    assert_true(st.hello_retry);
    assert_false(th_conn_recv(c, hrr, hrr_len));
    expect_alert_sent(c, TH_ALERT_UNEXPECTED_MESSAGE);
    th_conn_free(c);
    free(hrr);
}

/* A client offering X25519 (share) and P-384 and a P-384-only server with
 * hrr_cookie, run up to the client's second ClientHello, which is left
 * pending in the client's output. */
static void cookie_setup(fixture *f, uint64_t *cseed, uint64_t *sseed, th_conn **out_c,
                         th_conn **out_sv) {
    static const uint16_t client_groups[] = {TH_GROUP_X25519, TH_GROUP_SECP384R1};
    static const uint16_t server_groups[] = {TH_GROUP_SECP384R1};
    th_config ccfg, scfg;
    base_config(&ccfg, f, cseed, TH_ROLE_CLIENT);
    ccfg.groups = client_groups;
    ccfg.num_groups = 2;
    base_config(&scfg, f, sseed, TH_ROLE_SERVER);
    scfg.groups = server_groups;
    scfg.num_groups = 1;
    scfg.hrr_cookie = 1;
    *out_c = th_conn_new(&ccfg, TH_ROLE_CLIENT);
    *out_sv = th_conn_new(&scfg, TH_ROLE_SERVER);
    assert_true(move(*out_c, *out_sv));
    assert_true(move(*out_sv, *out_c));
}

/* The offset of the cookie extension (type, length, and the 32-byte
 * HMAC-SHA256 cookie) in |buf|. */
static size_t find_cookie_ext(const uint8_t *buf, size_t len) {
    static const uint8_t hdr[] = {0x00, 0x2c, 0x00, 0x22, 0x00, 0x20};
    size_t i = 0;
    while (i + sizeof(hdr) + 32 <= len && memcmp(buf + i, hdr, sizeof(hdr)) != 0) {
        i++;
    }
    assert_true(i + sizeof(hdr) + 32 <= len);
    return i;
}

static void test_self_hrr_cookie_is_echoed(void **state) {
    uint64_t cseed = 610, sseed = 611;
    th_conn *c, *sv;
    cookie_setup(*state, &cseed, &sseed, &c, &sv);
    size_t n;
    const uint8_t *ch2 = th_conn_pending_output(c, &n);
    size_t at = find_cookie_ext(ch2, n);
    assert_int_equal(c->cookie_len, 32);
    assert_memory_equal(ch2 + at + 6, c->cookie, 32);
    pump(c, sv);
    expect_state(c, TH_CONN_ESTABLISHED);
    expect_state(sv, TH_CONN_ESTABLISHED);
    th_conn_status cs, ss;
    th_conn_get_status(c, &cs);
    th_conn_get_status(sv, &ss);
    assert_true(cs.hello_retry);
    assert_true(ss.hello_retry);
    assert_int_equal(ss.group, TH_GROUP_SECP384R1);
    echo_check(c, sv, "cookie");
    th_conn_free(c);
    th_conn_free(sv);
}

/* Patches the client's second ClientHello (|drop|: renames the cookie
 * extension to an unknown type; else flips a cookie byte) and expects the
 * server's |alert|. */
static void expect_bad_cookie(fixture *f, int drop, uint8_t alert) {
    uint64_t cseed = 620, sseed = 621;
    th_conn *c, *sv;
    cookie_setup(f, &cseed, &sseed, &c, &sv);
    size_t n;
    const uint8_t *out = th_conn_pending_output(c, &n);
    uint8_t *ch2 = malloc(n);
    assert_non_null(ch2);
    memcpy(ch2, out, n);
    size_t at = find_cookie_ext(ch2, n);
    if (drop) {
        ch2[at] = 0xfe;
        ch2[at + 1] = 0xfe;
    } else {
        ch2[at + 6 + 31] ^= 1;
    }
    assert_false(th_conn_recv(sv, ch2, n));
    expect_alert_sent(sv, alert);
    free(ch2);
    th_conn_free(c);
    th_conn_free(sv);
}

static void test_hrr_cookie_missing_is_missing_extension(void **state) {
    expect_bad_cookie(*state, 1, TH_ALERT_MISSING_EXTENSION);
}

static void test_hrr_cookie_altered_is_illegal_parameter(void **state) {
    expect_bad_cookie(*state, 0, TH_ALERT_ILLEGAL_PARAMETER);
}

/* Our client copies a HelloRetryRequest cookie of any length (RFC 8446
 * §4.2.2) byte for byte into its second ClientHello. */
static void test_client_echoes_long_hrr_cookie(void **state) {
    for (size_t len = 1; len <= 1001; len += 500) {
        uint64_t seed = 500;
        th_config cfg;
        uint8_t *unused;
        size_t unused_len;
        hrr_setup(*state, &cfg, &seed, &unused, &unused_len);
        free(unused);
        size_t exts_len = 6 + 6 + 4 + 2 + len;
        size_t body_len = 2 + 32 + 1 + 2 + 1 + 2 + exts_len;
        size_t n = 5 + 4 + body_len;
        uint8_t *rec = calloc(n, 1);
        assert_non_null(rec);
        uint8_t *w = rec;
        *w++ = 22;
        *w++ = 3;
        *w++ = 3;
        *w++ = (uint8_t)((n - 5) >> 8);
        *w++ = (uint8_t)(n - 5);
        *w++ = TH_HS_SERVER_HELLO;
        *w++ = 0;
        *w++ = (uint8_t)(body_len >> 8);
        *w++ = (uint8_t)body_len;
        *w++ = 3;
        *w++ = 3;
        memcpy(w, th_hrr_random, 32);
        w += 32;
        *w++ = 0; /* empty session id: no middlebox compatibility */
        *w++ = 0x13;
        *w++ = 0x01;
        *w++ = 0;
        *w++ = (uint8_t)(exts_len >> 8);
        *w++ = (uint8_t)exts_len;
        static const uint8_t fixed[] = {0x00, 0x2b, 0x00, 0x02, 0x03, 0x04,
                                        0x00, 0x33, 0x00, 0x02, 0x00, 0x18};
        memcpy(w, fixed, sizeof(fixed));
        w += sizeof(fixed);
        *w++ = 0x00;
        *w++ = 0x2c;
        *w++ = (uint8_t)((len + 2) >> 8);
        *w++ = (uint8_t)(len + 2);
        *w++ = (uint8_t)(len >> 8);
        *w++ = (uint8_t)len;
        uint8_t *cookie = w;
        for (size_t i = 0; i < len; i++) {
            cookie[i] = (uint8_t)(i * 7 + 1);
        }
        th_conn *c = th_conn_new(&cfg, TH_ROLE_CLIENT);
        size_t ch1_len;
        assert_non_null(th_conn_pending_output(c, &ch1_len));
        th_conn_consume_output(c, ch1_len);
        assert_true(th_conn_recv(c, rec, n));
        size_t out_len;
        const uint8_t *out = th_conn_pending_output(c, &out_len);
        uint8_t hdr[6] = {
            0x00,        0x2c, (uint8_t)((len + 2) >> 8), (uint8_t)(len + 2), (uint8_t)(len >> 8),
            (uint8_t)len};
        size_t i = 0;
        while (i + 6 + len <= out_len && memcmp(out + i, hdr, 6) != 0) {
            i++;
        }
        assert_true(i + 6 + len <= out_len);
        assert_memory_equal(out + i + 6, cookie, len);
        th_conn_free(c);
        free(rec);
    }
}

/* Patches the HelloRetryRequest's selected_group to |group|. */
static void expect_hrr_group_refused(fixture *f, uint16_t group) {
    uint64_t seed = 500;
    th_config cfg;
    uint8_t *hrr;
    size_t hrr_len;
    hrr_setup(f, &cfg, &seed, &hrr, &hrr_len);
    static const uint8_t ks[] = {0x00, 0x33, 0x00, 0x02};
    size_t i = 0;
    while (i + 6 <= hrr_len && memcmp(hrr + i, ks, 4) != 0) {
        i++;
    }
    assert_true(i + 6 <= hrr_len);
    hrr[i + 4] = (uint8_t)(group >> 8);
    hrr[i + 5] = (uint8_t)group;
    th_conn *c = th_conn_new(&cfg, TH_ROLE_CLIENT);
    assert_false(th_conn_recv(c, hrr, hrr_len));
    expect_alert_sent(c, TH_ALERT_ILLEGAL_PARAMETER);
    th_conn_free(c);
    free(hrr);
}

static void test_hrr_group_not_offered_is_illegal_parameter(void **state) {
    expect_hrr_group_refused(*state, TH_GROUP_X448);
}

static void test_hrr_group_already_shared_is_illegal_parameter(void **state) {
    expect_hrr_group_refused(*state, TH_GROUP_X25519);
}

static void test_server_hello_suite_not_offered_is_illegal_parameter(void **state) {
    fixture *f = *state;
    uint8_t *ch, *sf;
    size_t ch_len, sf_len;
    record_flights(f, &ch, &ch_len, &sf, &sf_len);
    /* Record header 5, handshake header 4, legacy_version 2, random 32, an
     * empty session id echo 1: the suite. */
    size_t off = 5 + 4 + 2 + 32 + 1;
    assert_int_equal(sf[off] << 8 | sf[off + 1], TH_TLS_AES_128_GCM_SHA256);
    sf[off + 1] = 0x04; /* TLS_AES_128_CCM_SHA256, not offered */
    uint64_t seed = 77;
    th_config cfg;
    base_config(&cfg, f, &seed, TH_ROLE_CLIENT);
    th_conn *c = th_conn_new(&cfg, TH_ROLE_CLIENT);
    assert_false(th_conn_recv(c, sf, sf_len));
    expect_alert_sent(c, TH_ALERT_ILLEGAL_PARAMETER);
    th_conn_free(c);
    free(ch);
    free(sf);
}

static void test_client_without_trust_store_is_unknown_ca(void **state) {
    fixture *f = *state;
    uint64_t cseed = 600, sseed = 601;
    th_config ccfg, scfg;
    base_config(&ccfg, f, &cseed, TH_ROLE_CLIENT);
    base_config(&scfg, f, &sseed, TH_ROLE_SERVER);
    ccfg.trust_store = NULL;
    th_conn *c = th_conn_new(&ccfg, TH_ROLE_CLIENT);
    th_conn *sv = th_conn_new(&scfg, TH_ROLE_SERVER);
    pump(c, sv);
    expect_alert_sent(c, TH_ALERT_UNKNOWN_CA);
    th_conn_status st;
    th_conn_get_status(sv, &st);
    assert_int_equal(st.state, TH_CONN_FAILED);
    assert_true(st.has_alert_received);
    assert_int_equal(st.alert_received, TH_ALERT_UNKNOWN_CA);
    th_conn_free(c);
    th_conn_free(sv);
}

static void keylog_s_hs(void *ctx, const char *line) {
    char *out = ctx;
    const char *label = "SERVER_HANDSHAKE_TRAFFIC_SECRET ";
    if (strncmp(line, label, strlen(label)) == 0) {
        snprintf(out, 2 * EVP_MAX_MD_SIZE + 1, "%s", strrchr(line, ' ') + 1);
    }
}

/* Runs a client offering |alpn| against our server, replaces the server's
 * EncryptedExtensions (its first protected record) by |ee_hex| (a whole
 * message) and expects the client to refuse it with |alert|. */
static void expect_ee_refused(fixture *f, const char *const *alpn, size_t num_alpn,
                              const char *ee_hex, uint8_t alert) {
    uint64_t cseed = 700, sseed = 701;
    char secret_hex[2 * EVP_MAX_MD_SIZE + 1] = {0};
    th_config ccfg, scfg;
    base_config(&ccfg, f, &cseed, TH_ROLE_CLIENT);
    base_config(&scfg, f, &sseed, TH_ROLE_SERVER);
    ccfg.alpn = alpn;
    ccfg.num_alpn = num_alpn;
    scfg.keylog = keylog_s_hs;
    scfg.keylog_ctx = secret_hex;
    th_conn *c = th_conn_new(&ccfg, TH_ROLE_CLIENT);
    th_conn *sv = th_conn_new(&scfg, TH_ROLE_SERVER);
    move(c, sv);
    th_conn_free(c);
    size_t flight_len;
    const uint8_t *flight = th_conn_pending_output(sv, &flight_len);

    /* The ServerHello record, then the EncryptedExtensions record. */
    CBS cbs;
    th_record sh_rec, ee_rec;
    uint8_t alert_out;
    CBS_init(&cbs, flight, flight_len);
    assert_true(th_parse_record(&cbs, &sh_rec, &alert_out));
    assert_true(th_parse_record(&cbs, &ee_rec, &alert_out));
    size_t secret_len;
    uint8_t *secret_bytes = th_test_hex(secret_hex, &secret_len);
    th_secret secret;
    assert_true(th_secret_set(&secret, secret_bytes, secret_len));
    free(secret_bytes);
    th_rl_dir seal;
    memset(&seal, 0, sizeof(seal));
    assert_true(th_rl_dir_set_key(&seal, TH_TLS_AES_128_GCM_SHA256, &secret));
    size_t ee_len;
    uint8_t *ee = th_test_hex(ee_hex, &ee_len);
    CBB out;
    uint8_t *patched;
    size_t patched_len;
    assert_true(CBB_init(&out, flight_len + 256));
    assert_true(CBB_add_bytes(&out, flight, TH_RECORD_HEADER_LEN + sh_rec.fragment.len));
    assert_true(th_rl_seal(&seal, &out, TH_CT_HANDSHAKE, ee, ee_len, NULL));
    assert_true(CBB_add_bytes(&out, CBS_data(&cbs), CBS_len(&cbs)));
    assert_true(CBB_finish(&out, &patched, &patched_len));

    cseed = 700;
    c = th_conn_new(&ccfg, TH_ROLE_CLIENT);
    assert_false(th_conn_recv(c, patched, patched_len));
    expect_alert_sent(c, alert);
    th_conn_free(c);
    th_conn_free(sv);
    th_rl_dir_cleanup(&seal);
    OPENSSL_free(patched);
    free(ee);
}

static void test_ee_unsolicited_extension_is_unsupported_extension(void **state) {
    /* max_fragment_length(1), which the client did not send. */
    expect_ee_refused(*state, NULL, 0,
                      "08000007"
                      "0005"
                      "0001000101",
                      TH_ALERT_UNSUPPORTED_EXTENSION);
    /* ALPN without an ALPN offer. */
    expect_ee_refused(*state, NULL, 0,
                      "0800000b"
                      "0009"
                      "001000050003026832",
                      TH_ALERT_UNSUPPORTED_EXTENSION);
}

static void test_ee_alpn_not_offered_is_illegal_parameter(void **state) {
    static const char *const alpn[] = {"http/1.1"};
    expect_ee_refused(*state, alpn, 1,
                      "0800000b"
                      "0009"
                      "001000050003026832",
                      TH_ALERT_ILLEGAL_PARAMETER);
}

static void test_garbage_after_handshake_is_bad_record_mac(void **state) {
    fixture *f = *state;
    for (int role = 0; role < 2; role++) {
        uint64_t cseed = 800, sseed = 801, gseed = 802;
        th_config ccfg, scfg;
        base_config(&ccfg, f, &cseed, TH_ROLE_CLIENT);
        base_config(&scfg, f, &sseed, TH_ROLE_SERVER);
        th_conn *c = th_conn_new(&ccfg, TH_ROLE_CLIENT);
        th_conn *sv = th_conn_new(&scfg, TH_ROLE_SERVER);
        pump(c, sv);
        expect_state(c, TH_CONN_ESTABLISHED);
        expect_state(sv, TH_CONN_ESTABLISHED);
        uint8_t rec[5 + 300] = {0x17, 0x03, 0x03, 0x01, 0x2c};
        test_random(&gseed, rec + 5, 300);
        th_conn *victim = role == 0 ? c : sv;
        assert_false(th_conn_recv(victim, rec, sizeof(rec)));
        expect_alert_sent(victim, TH_ALERT_BAD_RECORD_MAC);
        assert_false(th_conn_write_app(victim, rec, 1, 0));
        th_conn_free(c);
        th_conn_free(sv);
    }
}

/* ---- Resumption and 0-RTT (RFC 8446 §2.2, §2.3, §4.2.10, §4.2.11) ---- */

static time_t clock_now(void *ctx) {
    return *(time_t *)ctx;
}

static const uint8_t kTicketKey[32] = {1, 2, 3, 4, 5, 6, 7, 8, 9};

/* A server config with tickets from |tickets| and its clock at |*now|. */
static void ticket_server_config(th_config *cfg, fixture *f, uint64_t *seed, th_ticket_ctx *tickets,
                                 time_t *now) {
    base_config(cfg, f, seed, TH_ROLE_SERVER);
    cfg->tickets = tickets;
    cfg->now = clock_now;
    cfg->now_ctx = now;
}

/* A full handshake against a server with |tickets|; returns the client's
 * newest session. */
static th_session *first_session(fixture *f, th_ticket_ctx *tickets, uint32_t max_early,
                                 const char *const *alpn, size_t num_alpn) {
    uint64_t cseed = 21, sseed = 22;
    time_t now = 1700000000;
    th_config ccfg, scfg;
    base_config(&ccfg, f, &cseed, TH_ROLE_CLIENT);
    ccfg.now = clock_now;
    ccfg.now_ctx = &now;
    ccfg.alpn = alpn;
    ccfg.num_alpn = num_alpn;
    ticket_server_config(&scfg, f, &sseed, tickets, &now);
    scfg.max_early_data = max_early;
    scfg.num_tickets = 3;
    scfg.alpn = alpn;
    scfg.num_alpn = num_alpn;
    th_conn *c = th_conn_new(&ccfg, TH_ROLE_CLIENT);
    th_conn *sv = th_conn_new(&scfg, TH_ROLE_SERVER);
    pump(c, sv);
    expect_state(c, TH_CONN_ESTABLISHED);
    expect_state(sv, TH_CONN_ESTABLISHED);
    th_conn_status cs;
    th_conn_get_status(c, &cs);
    assert_int_equal(cs.tickets_received, 3);
    assert_false(cs.resumed);
    th_session *sess = th_conn_take_session(c);
    assert_non_null(sess);
    assert_int_equal(th_session_max_early_data(sess), max_early);
    th_conn_free(c);
    th_conn_free(sv);
    return sess;
}

typedef struct {
    const th_session *session;
    int psk_ke;
    const char *early; /* 0-RTT data */
    uint32_t server_max_early;
    time_t client_now, server_now;
    const uint16_t *client_groups, *server_groups;
    size_t num_client_groups, num_server_groups;
    const char *const *alpn;
    size_t num_alpn;
    th_ticket_ctx *tickets;
} resume_params;

/* The second handshake; returns both connections, handshake done. */
static void resume(fixture *f, const resume_params *rp, th_conn **out_c, th_conn **out_sv) {
    static uint64_t cseed = 31, sseed = 32;
    static time_t cnow, snow;
    th_config ccfg, scfg;
    cnow = rp->client_now != 0 ? rp->client_now : 1700000010;
    snow = rp->server_now != 0 ? rp->server_now : 1700000010;
    base_config(&ccfg, f, &cseed, TH_ROLE_CLIENT);
    ccfg.now = clock_now;
    ccfg.now_ctx = &cnow;
    ccfg.session = rp->session;
    ccfg.psk_ke = rp->psk_ke;
    ccfg.alpn = rp->alpn;
    ccfg.num_alpn = rp->num_alpn;
    if (rp->early != NULL) {
        ccfg.early_data = (const uint8_t *)rp->early;
        ccfg.early_data_len = strlen(rp->early);
    }
    ccfg.groups = rp->client_groups;
    ccfg.num_groups = rp->num_client_groups;
    ticket_server_config(&scfg, f, &sseed, rp->tickets, &snow);
    scfg.max_early_data = rp->server_max_early;
    scfg.groups = rp->server_groups;
    scfg.num_groups = rp->num_server_groups;
    scfg.alpn = rp->alpn;
    scfg.num_alpn = rp->num_alpn;
    *out_c = th_conn_new(&ccfg, TH_ROLE_CLIENT);
    *out_sv = th_conn_new(&scfg, TH_ROLE_SERVER);
    assert_non_null(*out_c);
    assert_non_null(*out_sv);
    pump(*out_c, *out_sv);
    expect_state(*out_c, TH_CONN_ESTABLISHED);
    expect_state(*out_sv, TH_CONN_ESTABLISHED);
}

static void expect_resumed(th_conn *c, th_conn *sv, int resumed, int early_accepted) {
    th_conn_status cs, ss;
    th_conn_get_status(c, &cs);
    th_conn_get_status(sv, &ss);
    assert_int_equal(cs.resumed, resumed);
    assert_int_equal(ss.resumed, resumed);
    assert_int_equal(cs.early_data_accepted, early_accepted);
    assert_int_equal(ss.early_data_accepted, early_accepted);
    assert_int_equal(cs.cipher_suite, ss.cipher_suite);
    assert_int_equal(cs.group, ss.group);
    echo_check(c, sv, "resumed ping");
    echo_check(sv, c, "resumed pong");
}

static void test_self_resumption_psk_dhe_ke(void **state) {
    fixture *f = *state;
    static const char *const alpn[] = {"h2"};
    th_ticket_ctx *t = th_ticket_ctx_new(kTicketKey, 0);
    th_session *sess = first_session(f, t, 0, alpn, 1);
    resume_params rp = {.session = sess, .tickets = t, .alpn = alpn, .num_alpn = 1};
    th_conn *c, *sv;
    resume(f, &rp, &c, &sv);
    expect_resumed(c, sv, 1, 0);
    th_conn_status cs;
    th_conn_get_status(c, &cs);
    assert_int_equal(cs.group, TH_GROUP_X25519);
    assert_int_equal(cs.alpn.len, 2);
    /* A resumed connection receives new tickets too. */
    assert_int_equal(cs.tickets_received, 2);
    th_session *again = th_conn_take_session(c);
    assert_non_null(again);
    th_conn_free(c);
    th_conn_free(sv);
    /* The ticket of a resumed connection resumes too. */
    rp.session = again;
    resume(f, &rp, &c, &sv);
    expect_resumed(c, sv, 1, 0);
    th_conn_free(c);
    th_conn_free(sv);
    th_session_free(again);
    th_session_free(sess);
    th_ticket_ctx_free(t);
}

static void test_self_resumption_psk_ke(void **state) {
    fixture *f = *state;
    th_ticket_ctx *t = th_ticket_ctx_new(kTicketKey, 0);
    th_session *sess = first_session(f, t, 0, NULL, 0);
    resume_params rp = {.session = sess, .tickets = t, .psk_ke = 1};
    th_conn *c, *sv;
    resume(f, &rp, &c, &sv);
    expect_resumed(c, sv, 1, 0);
    th_conn_status cs;
    th_conn_get_status(c, &cs);
    /* No (EC)DHE in psk_ke mode. */
    assert_int_equal(cs.group, 0);
    th_conn_free(c);
    th_conn_free(sv);
    th_session_free(sess);
    th_ticket_ctx_free(t);
}

static void test_self_hrr_then_resumption(void **state) {
    fixture *f = *state;
    static const uint16_t client_groups[] = {TH_GROUP_X25519, TH_GROUP_SECP384R1};
    static const uint16_t server_groups[] = {TH_GROUP_SECP384R1};
    th_ticket_ctx *t = th_ticket_ctx_new(kTicketKey, 0);
    th_session *sess = first_session(f, t, 16384, NULL, 0);
    /* The 0-RTT data is skipped by the server after its HelloRetryRequest. */
    resume_params rp = {.session = sess,
                        .tickets = t,
                        .early = "too early",
                        .server_max_early = 16384,
                        .client_groups = client_groups,
                        .num_client_groups = 2,
                        .server_groups = server_groups,
                        .num_server_groups = 1};
    th_conn *c, *sv;
    resume(f, &rp, &c, &sv);
    th_conn_status cs;
    th_conn_get_status(c, &cs);
    assert_true(cs.hello_retry);
    assert_true(cs.early_data_offered);
    assert_int_equal(cs.group, TH_GROUP_SECP384R1);
    expect_resumed(c, sv, 1, 0);
    th_conn_free(c);
    th_conn_free(sv);
    th_session_free(sess);
    th_ticket_ctx_free(t);
}

static void test_self_unknown_ticket_is_full_handshake(void **state) {
    fixture *f = *state;
    static const uint8_t other_key[32] = {9};
    th_ticket_ctx *t = th_ticket_ctx_new(kTicketKey, 0);
    th_ticket_ctx *other = th_ticket_ctx_new(other_key, 0);
    th_session *sess = first_session(f, t, 0, NULL, 0);
    resume_params rp = {.session = sess, .tickets = other};
    th_conn *c, *sv;
    resume(f, &rp, &c, &sv);
    expect_resumed(c, sv, 0, 0);
    th_conn_free(c);
    th_conn_free(sv);
    th_session_free(sess);
    th_ticket_ctx_free(t);
    th_ticket_ctx_free(other);
}

static void test_self_expired_ticket_is_full_handshake(void **state) {
    fixture *f = *state;
    th_ticket_ctx *t = th_ticket_ctx_new(kTicketKey, 0);
    th_session *sess = first_session(f, t, 0, NULL, 0);
    /* The server's clock is past the 7200 s lifetime: the ticket is
     * ignored (RFC 8446 §4.6.1). */
    resume_params rp = {.session = sess, .tickets = t, .server_now = 1700000000 + 7200};
    th_conn *c, *sv;
    resume(f, &rp, &c, &sv);
    expect_resumed(c, sv, 0, 0);
    th_conn_free(c);
    th_conn_free(sv);
    /* The client's clock past it: not even offered. */
    rp.server_now = 0;
    rp.client_now = 1700000000 + 7200;
    resume(f, &rp, &c, &sv);
    expect_resumed(c, sv, 0, 0);
    th_conn_free(c);
    th_conn_free(sv);
    th_session_free(sess);
    th_ticket_ctx_free(t);
}

static void test_bad_binder_is_decrypt_error(void **state) {
    fixture *f = *state;
    th_ticket_ctx *t = th_ticket_ctx_new(kTicketKey, 0);
    th_session *sess = first_session(f, t, 0, NULL, 0);
    uint64_t cseed = 41, sseed = 42;
    time_t now = 1700000010;
    th_config ccfg, scfg;
    base_config(&ccfg, f, &cseed, TH_ROLE_CLIENT);
    ccfg.session = sess;
    ccfg.now = clock_now;
    ccfg.now_ctx = &now;
    ticket_server_config(&scfg, f, &sseed, t, &now);
    th_conn *c = th_conn_new(&ccfg, TH_ROLE_CLIENT);
    th_conn *sv = th_conn_new(&scfg, TH_ROLE_SERVER);
    size_t n;
    const uint8_t *out = th_conn_pending_output(c, &n);
    uint8_t *ch = malloc(n);
    memcpy(ch, out, n);
    /* The binder ends the ClientHello (pre_shared_key is last). */
    ch[n - 1] ^= 1;
    assert_false(th_conn_recv(sv, ch, n));
    expect_alert_sent(sv, TH_ALERT_DECRYPT_ERROR);
    free(ch);
    th_conn_free(c);
    th_conn_free(sv);
    th_session_free(sess);
    th_ticket_ctx_free(t);
}

static void test_self_early_data_accepted(void **state) {
    fixture *f = *state;
    static const char *const alpn[] = {"h2"};
    th_ticket_ctx *t = th_ticket_ctx_new(kTicketKey, 0);
    th_session *sess = first_session(f, t, 16384, alpn, 1);
    uint64_t cseed = 51, sseed = 52;
    time_t now = 1700000010;
    th_config ccfg, scfg;
    base_config(&ccfg, f, &cseed, TH_ROLE_CLIENT);
    ccfg.session = sess;
    ccfg.now = clock_now;
    ccfg.now_ctx = &now;
    ccfg.early_data = (const uint8_t *)"GET / 0-RTT";
    ccfg.early_data_len = 11;
    ccfg.alpn = alpn;
    ccfg.num_alpn = 1;
    ticket_server_config(&scfg, f, &sseed, t, &now);
    scfg.max_early_data = 16384;
    scfg.alpn = alpn;
    scfg.num_alpn = 1;
    th_conn *c = th_conn_new(&ccfg, TH_ROLE_CLIENT);
    th_conn *sv = th_conn_new(&scfg, TH_ROLE_SERVER);
    /* The first flight alone: the server reads the 0-RTT data before the
     * handshake completes. */
    assert_true(move(c, sv));
    expect_state(sv, TH_CONN_HANDSHAKING);
    uint8_t buf[64];
    assert_int_equal(th_conn_read_app(sv, buf, sizeof(buf)), 11);
    assert_memory_equal(buf, "GET / 0-RTT", 11);
    pump(c, sv);
    expect_state(c, TH_CONN_ESTABLISHED);
    expect_state(sv, TH_CONN_ESTABLISHED);
    expect_resumed(c, sv, 1, 1);
    th_conn_free(c);
    th_conn_free(sv);

    /* The same ticket again (a replay): 0-RTT refused by the strike
     * register, the handshake still resumes. */
    resume_params rp = {.session = sess,
                        .tickets = t,
                        .early = "GET / 0-RTT",
                        .server_max_early = 16384,
                        .alpn = alpn,
                        .num_alpn = 1};
    resume(f, &rp, &c, &sv);
    th_conn_status cs, ss;
    th_conn_get_status(c, &cs);
    th_conn_get_status(sv, &ss);
    assert_true(cs.early_data_offered);
    assert_true(ss.early_data_offered);
    assert_int_equal(th_conn_read_app(sv, buf, sizeof(buf)), 0);
    expect_resumed(c, sv, 1, 0);
    th_conn_free(c);
    th_conn_free(sv);
    th_session_free(sess);
    th_ticket_ctx_free(t);
}

static void test_self_early_data_rejected_by_config(void **state) {
    fixture *f = *state;
    th_ticket_ctx *t = th_ticket_ctx_new(kTicketKey, 0);
    th_session *sess = first_session(f, t, 16384, NULL, 0);
    /* This server accepts no 0-RTT: it skips the records by trial
     * decryption. */
    resume_params rp = {.session = sess, .tickets = t, .early = "rejected data"};
    th_conn *c, *sv;
    resume(f, &rp, &c, &sv);
    uint8_t buf[64];
    assert_int_equal(th_conn_read_app(sv, buf, sizeof(buf)), 0);
    expect_resumed(c, sv, 1, 0);
    th_conn_free(c);
    th_conn_free(sv);
    th_session_free(sess);
    th_ticket_ctx_free(t);
}

static void test_strike_register_full_rejects(void **state) {
    (void)state;
    th_ticket_ctx *t = th_ticket_ctx_new(NULL, 2);
    uint8_t a[12] = {1}, b[12] = {2}, d[12] = {3};
    assert_true(th_ticket_strike(t, a, 100, 10));
    assert_false(th_ticket_strike(t, a, 100, 10));
    assert_true(th_ticket_strike(t, b, 50, 10));
    /* Full of unexpired identities: refused. */
    assert_false(th_ticket_strike(t, d, 100, 10));
    /* b expired: room again. */
    assert_true(th_ticket_strike(t, d, 100, 60));
    th_ticket_ctx_free(t);
}

/* A server requiring client certificates resumes only tickets of a
 * handshake that authenticated the client, and reports it as
 * authenticated. */
static void test_self_resumption_keeps_client_auth(void **state) {
    fixture *f = *state;
    th_ticket_ctx *t = th_ticket_ctx_new(kTicketKey, 0);
    time_t now = 1700000000;
    for (int with_cert = 1; with_cert >= 0; with_cert--) {
        uint64_t cseed = 81, sseed = 82;
        th_config ccfg, scfg;
        base_config(&ccfg, f, &cseed, TH_ROLE_CLIENT);
        ccfg.now = clock_now;
        ccfg.now_ctx = &now;
        if (with_cert) {
            ccfg.cert_key = &f->client_ck;
        }
        ticket_server_config(&scfg, f, &sseed, t, &now);
        scfg.request_client_cert = 1;
        th_conn *c = th_conn_new(&ccfg, TH_ROLE_CLIENT);
        th_conn *sv = th_conn_new(&scfg, TH_ROLE_SERVER);
        pump(c, sv);
        expect_state(sv, TH_CONN_ESTABLISHED);
        th_session *sess = th_conn_take_session(c);
        assert_non_null(sess);
        th_conn_free(c);
        th_conn_free(sv);

        ccfg.session = sess;
        ccfg.cert_key = &f->client_ck;
        scfg.require_client_cert = 1;
        c = th_conn_new(&ccfg, TH_ROLE_CLIENT);
        sv = th_conn_new(&scfg, TH_ROLE_SERVER);
        pump(c, sv);
        expect_state(c, TH_CONN_ESTABLISHED);
        expect_state(sv, TH_CONN_ESTABLISHED);
        th_conn_status cs, ss;
        th_conn_get_status(c, &cs);
        th_conn_get_status(sv, &ss);
        /* Without a client certificate in the first handshake, the ticket
         * is ignored and the full handshake asks for one. */
        assert_int_equal(ss.resumed, with_cert);
        assert_int_equal(cs.resumed, with_cert);
        assert_true(ss.peer_authenticated);
        assert_true(cs.peer_authenticated);
        th_conn_free(c);
        th_conn_free(sv);
        th_session_free(sess);
    }
    th_ticket_ctx_free(t);
}

/* The client's 0-RTT data against a server whose budget is |server_max|:
 * more than it is over the limit (RFC 8446 §4.2.10). */
static void expect_early_overflow(fixture *f, uint32_t ticket_max, uint32_t server_max,
                                  size_t early_len) {
    th_ticket_ctx *t = th_ticket_ctx_new(kTicketKey, 0);
    th_session *sess = first_session(f, t, ticket_max, NULL, 0);
    uint64_t cseed = 91, sseed = 92;
    time_t now = 1700000010;
    uint8_t *early = calloc(1, early_len);
    th_config ccfg, scfg;
    base_config(&ccfg, f, &cseed, TH_ROLE_CLIENT);
    ccfg.session = sess;
    ccfg.now = clock_now;
    ccfg.now_ctx = &now;
    ccfg.early_data = early;
    ccfg.early_data_len = early_len;
    ticket_server_config(&scfg, f, &sseed, t, &now);
    scfg.max_early_data = server_max;
    th_conn *c = th_conn_new(&ccfg, TH_ROLE_CLIENT);
    th_conn *sv = th_conn_new(&scfg, TH_ROLE_SERVER);
    pump(c, sv);
    expect_alert_sent(sv, TH_ALERT_UNEXPECTED_MESSAGE);
    th_conn_free(c);
    th_conn_free(sv);
    free(early);
    th_session_free(sess);
    th_ticket_ctx_free(t);
}

static void test_accepted_early_data_over_limit_is_unexpected_message(void **state) {
    expect_early_overflow(*state, 65536, 16, 100);
}

static void test_skipped_early_data_over_limit_is_unexpected_message(void **state) {
    /* A server without 0-RTT skips up to 16384 bytes. */
    expect_early_overflow(*state, 65536, 0, 20000);
}

/* Sets selected_identity to 1 in our server's ServerHello: the client
 * offered one identity (RFC 8446 §4.2.11: illegal_parameter). */
static void test_selected_identity_out_of_range_is_illegal_parameter(void **state) {
    fixture *f = *state;
    th_ticket_ctx *t = th_ticket_ctx_new(kTicketKey, 0);
    th_session *sess = first_session(f, t, 0, NULL, 0);
    uint64_t cseed = 93, sseed = 94;
    time_t now = 1700000010;
    th_config ccfg, scfg;
    base_config(&ccfg, f, &cseed, TH_ROLE_CLIENT);
    ccfg.session = sess;
    ccfg.now = clock_now;
    ccfg.now_ctx = &now;
    ticket_server_config(&scfg, f, &sseed, t, &now);
    th_conn *c = th_conn_new(&ccfg, TH_ROLE_CLIENT);
    th_conn *sv = th_conn_new(&scfg, TH_ROLE_SERVER);
    assert_true(move(c, sv));
    size_t n;
    const uint8_t *out = th_conn_pending_output(sv, &n);
    uint8_t *flight = malloc(n);
    memcpy(flight, out, n);
    /* pre_shared_key is the ServerHello's last extension. */
    size_t sh_end = TH_RECORD_HEADER_LEN + ((size_t)flight[3] << 8 | flight[4]);
    assert_int_equal(flight[0], TH_CT_HANDSHAKE);
    assert_int_equal(flight[sh_end - 6], TH_EXT_PRE_SHARED_KEY >> 8);
    assert_int_equal(flight[sh_end - 5], TH_EXT_PRE_SHARED_KEY & 0xff);
    flight[sh_end - 1] = 1;
    assert_false(th_conn_recv(c, flight, n));
    expect_alert_sent(c, TH_ALERT_ILLEGAL_PARAMETER);
    free(flight);
    th_conn_free(c);
    th_conn_free(sv);
    th_session_free(sess);
    th_ticket_ctx_free(t);
}

/* A self-signed ECDSA P-256 certificate for DNS:|san| (the test PKI has no
 * wildcard name), with its key, in |out| (th_cert_key_cleanup frees it). */
static void make_self_signed(const char *san, th_cert_key *out) {
    EC_KEY *ec = EC_KEY_new_by_curve_name(NID_X9_62_prime256v1);
    EVP_PKEY *key = EVP_PKEY_new();
    assert_non_null(ec);
    assert_non_null(key);
    assert_true(EC_KEY_generate_key(ec));
    assert_true(EVP_PKEY_assign_EC_KEY(key, ec));
    X509 *x = X509_new();
    X509_NAME *name = X509_NAME_new();
    char value[256];
    snprintf(value, sizeof(value), "DNS:%s", san);
    X509_EXTENSION *ext = X509V3_EXT_nconf_nid(NULL, NULL, NID_subject_alt_name, value);
    assert_non_null(ext);
    assert_true(X509_set_version(x, X509_VERSION_3));
    assert_true(ASN1_INTEGER_set(X509_get_serialNumber(x), 7));
    assert_true(
        X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const uint8_t *)san, -1, -1, 0));
    assert_true(X509_set_subject_name(x, name));
    assert_true(X509_set_issuer_name(x, name));
    assert_true(ASN1_TIME_set(X509_getm_notBefore(x), 1600000000));
    assert_true(ASN1_TIME_set(X509_getm_notAfter(x), 1900000000));
    assert_true(X509_set_pubkey(x, key));
    assert_true(X509_add_ext(x, ext, -1));
    assert_true(X509_sign(x, key, EVP_sha256()));
    uint8_t *der = NULL;
    int der_len = i2d_X509(x, &der);
    assert_true(der_len > 0);
    memset(out, 0, sizeof(*out));
    out->chain = calloc(1, sizeof(th_bytes));
    assert_non_null(out->chain);
    out->chain[0].data = der; /* th_cert_key_cleanup frees it with OPENSSL_free */
    out->chain[0].len = (size_t)der_len;
    out->num_chain = 1;
    out->key = key;
    X509_EXTENSION_free(ext);
    X509_NAME_free(name);
    X509_free(x);
}

/* Runs one handshake of a client naming |sni| (NULL: none) and offering
 * |schemes| (NULL: defaults) against a server with |cert_key| and
 * |cert_keys|; checks that the server sent the chain of |want| and signed
 * with |want_scheme|. */
static void expect_server_cert(fixture *f, const char *sni, const uint16_t *schemes,
                               size_t num_schemes, const th_cert_key *cert_key,
                               const th_cert_key *cert_keys, size_t num_cert_keys,
                               const th_cert_key *want, uint16_t want_scheme) {
    uint64_t cseed = 77, sseed = 78;
    th_config ccfg, scfg;
    base_config(&ccfg, f, &cseed, TH_ROLE_CLIENT);
    base_config(&scfg, f, &sseed, TH_ROLE_SERVER);
    /* The point is the server's choice; the client's name check is
     * test_wrong_host_is_bad_certificate's. */
    ccfg.server_name = sni;
    ccfg.trust_store = NULL;
    ccfg.insecure_skip_verify = 1;
    ccfg.sig_schemes = schemes;
    ccfg.num_sig_schemes = num_schemes;
    scfg.cert_key = cert_key;
    scfg.cert_keys = cert_keys;
    scfg.num_cert_keys = num_cert_keys;
    th_conn *c = th_conn_new(&ccfg, TH_ROLE_CLIENT);
    th_conn *sv = th_conn_new(&scfg, TH_ROLE_SERVER);
    assert_non_null(c);
    assert_non_null(sv);
    pump(c, sv);
    expect_state(c, TH_CONN_ESTABLISHED);
    expect_state(sv, TH_CONN_ESTABLISHED);
    size_t n;
    const th_bytes *chain = th_conn_peer_chain(c, &n);
    assert_int_equal(n, want->num_chain);
    assert_int_equal(chain[0].len, want->chain[0].len);
    assert_memory_equal(chain[0].data, want->chain[0].data, chain[0].len);
    th_conn_status st;
    th_conn_get_status(c, &st);
    assert_int_equal(st.sig_scheme, want_scheme);
    th_conn_free(c);
    th_conn_free(sv);
}

static void test_server_picks_cert_by_exact_sni(void **state) {
    fixture *f = *state;
    th_cert_key wrong;
    th_test_load_cert_key("bad-wrong-host", &wrong);
    /* cert_key is the default; cert_keys[0] is for wrong.example. */
    expect_server_cert(f, "wrong.example", NULL, 0, &f->server_ck, &wrong, 1, &wrong,
                       TH_SIG_ECDSA_SECP256R1_SHA256);
    expect_server_cert(f, "localhost", NULL, 0, &f->server_ck, &wrong, 1, &f->server_ck,
                       TH_SIG_ECDSA_SECP256R1_SHA256);
    /* No server_name, or one no candidate matches: the first. */
    expect_server_cert(f, NULL, NULL, 0, &f->server_ck, &wrong, 1, &f->server_ck,
                       TH_SIG_ECDSA_SECP256R1_SHA256);
    expect_server_cert(f, "other.example", NULL, 0, &f->server_ck, &wrong, 1, &f->server_ck,
                       TH_SIG_ECDSA_SECP256R1_SHA256);
    /* Without cert_key, cert_keys alone. */
    th_cert_key both[2] = {f->server_ck, wrong};
    expect_server_cert(f, "wrong.example", NULL, 0, NULL, both, 2, &wrong,
                       TH_SIG_ECDSA_SECP256R1_SHA256);
    expect_server_cert(f, "localhost", NULL, 0, NULL, both, 2, &f->server_ck,
                       TH_SIG_ECDSA_SECP256R1_SHA256);
    th_cert_key_cleanup(&wrong);
}

static void test_server_picks_cert_by_wildcard_sni(void **state) {
    fixture *f = *state;
    th_cert_key wild;
    make_self_signed("*.wild.example", &wild);
    expect_server_cert(f, "a.wild.example", NULL, 0, &f->server_ck, &wild, 1, &wild,
                       TH_SIG_ECDSA_SECP256R1_SHA256);
    /* A wildcard covers one label, never the bare domain nor two labels. */
    expect_server_cert(f, "wild.example", NULL, 0, &f->server_ck, &wild, 1, &f->server_ck,
                       TH_SIG_ECDSA_SECP256R1_SHA256);
    expect_server_cert(f, "a.b.wild.example", NULL, 0, &f->server_ck, &wild, 1, &f->server_ck,
                       TH_SIG_ECDSA_SECP256R1_SHA256);
    th_cert_key_cleanup(&wild);
}

static void test_server_picks_cert_the_client_can_verify(void **state) {
    fixture *f = *state;
    th_cert_key rsa, wrong;
    th_test_load_cert_key("server-rsa2048", &rsa);
    th_test_load_cert_key("bad-wrong-host", &wrong);
    static const uint16_t kRsaOnly[] = {TH_SIG_RSA_PSS_RSAE_SHA256};
    static const uint16_t kEcdsaOnly[] = {TH_SIG_ECDSA_SECP256R1_SHA256};
    /* ECDSA and RSA for the same name: the one the client can verify. */
    expect_server_cert(f, "localhost", kRsaOnly, 1, &f->server_ck, &rsa, 1, &rsa,
                       TH_SIG_RSA_PSS_RSAE_SHA256);
    expect_server_cert(f, "localhost", kEcdsaOnly, 1, &rsa, &f->server_ck, 1, &f->server_ck,
                       TH_SIG_ECDSA_SECP256R1_SHA256);
    expect_server_cert(f, "localhost", NULL, 0, &rsa, &f->server_ck, 1, &rsa,
                       TH_SIG_RSA_PSS_RSAE_SHA256);
    /* A name match (ECDSA) the client cannot verify loses to one it can. */
    expect_server_cert(f, "wrong.example", kRsaOnly, 1, &f->server_ck, (th_cert_key[]){wrong, rsa},
                       2, &rsa, TH_SIG_RSA_PSS_RSAE_SHA256);
    th_cert_key_cleanup(&rsa);
    th_cert_key_cleanup(&wrong);
}

static void test_server_without_verifiable_cert_is_handshake_failure(void **state) {
    fixture *f = *state;
    uint64_t cseed = 5, sseed = 6;
    th_config ccfg, scfg;
    static const uint16_t kRsaOnly[] = {TH_SIG_RSA_PSS_RSAE_SHA256};
    base_config(&ccfg, f, &cseed, TH_ROLE_CLIENT);
    base_config(&scfg, f, &sseed, TH_ROLE_SERVER);
    ccfg.sig_schemes = kRsaOnly;
    ccfg.num_sig_schemes = 1;
    th_conn *c = th_conn_new(&ccfg, TH_ROLE_CLIENT);
    th_conn *sv = th_conn_new(&scfg, TH_ROLE_SERVER);
    pump(c, sv);
    expect_alert_sent(sv, TH_ALERT_HANDSHAKE_FAILURE);
    th_conn_free(c);
    th_conn_free(sv);
}

static void test_server_refuses_incomplete_cert_keys(void **state) {
    fixture *f = *state;
    uint64_t seed = 1;
    th_config cfg;
    th_cert_key empty;
    memset(&empty, 0, sizeof(empty));
    base_config(&cfg, f, &seed, TH_ROLE_SERVER);
    cfg.cert_keys = &empty;
    cfg.num_cert_keys = 1;
    assert_null(th_conn_new(&cfg, TH_ROLE_SERVER));
    cfg.cert_key = NULL;
    cfg.cert_keys = NULL;
    cfg.num_cert_keys = 0;
    assert_null(th_conn_new(&cfg, TH_ROLE_SERVER));
}

/* An idle connection holds no handshake-only state nor empty buffers. */
static void expect_idle_trimmed(const th_conn *c) {
    assert_null(c->flight);
    assert_null(c->ch1);
    assert_null(c->cookie);
    assert_null(c->sent_exts);
    assert_null(c->cr_sig_algs);
    assert_null(c->peer_key);
    assert_false(c->transcript_ready);
    assert_null(c->reasm.buf);
    assert_null(c->in);
    assert_null(c->out);
    assert_null(c->app);
    assert_int_equal(c->c_hs.len, 0);
    assert_int_equal(c->s_hs.len, 0);
    assert_int_equal(c->hs_secret.len, 0);
}

static void test_idle_connection_frees_handshake_state(void **state) {
    fixture *f = *state;
    static const uint16_t client_groups[] = {TH_GROUP_X25519, TH_GROUP_SECP384R1};
    static const uint16_t server_groups[] = {TH_GROUP_SECP384R1};
    static const uint8_t kKey[32] = {9};
    uint64_t cseed = 31, sseed = 32;
    th_config ccfg, scfg;
    base_config(&ccfg, f, &cseed, TH_ROLE_CLIENT);
    base_config(&scfg, f, &sseed, TH_ROLE_SERVER);
    /* HelloRetryRequest (cookie-less), client authentication and tickets:
     * every handshake-only allocation is made. */
    ccfg.groups = client_groups;
    ccfg.num_groups = 2;
    ccfg.cert_key = &f->client_ck;
    scfg.groups = server_groups;
    scfg.num_groups = 1;
    scfg.request_client_cert = 1;
    th_ticket_ctx *tickets = th_ticket_ctx_new(kKey, 0);
    scfg.tickets = tickets;
    th_conn *c = th_conn_new(&ccfg, TH_ROLE_CLIENT);
    th_conn *sv = th_conn_new(&scfg, TH_ROLE_SERVER);
    pump(c, sv);
    expect_state(c, TH_CONN_ESTABLISHED);
    expect_state(sv, TH_CONN_ESTABLISHED);
    expect_idle_trimmed(c);
    expect_idle_trimmed(sv);
    /* Still whole: tickets arrived after the trim, the peer chain stays,
     * KeyUpdate and data both ways re-allocate what they need. */
    th_conn_status cs;
    th_conn_get_status(c, &cs);
    assert_int_equal(cs.tickets_received, 2);
    size_t n;
    assert_non_null(th_conn_peer_chain(c, &n));
    assert_int_equal(n, f->server_ck.num_chain);
    assert_true(th_conn_key_update(sv, 1));
    pump(c, sv);
    echo_check(c, sv, "idle then busy");
    echo_check(sv, c, "and back");
    expect_idle_trimmed(c);
    expect_idle_trimmed(sv);
    /* A burst of many records keeps its buffers for the next burst until
     * th_conn_release_buffers. */
    size_t big = 5 * 16384;
    uint8_t *data = calloc(1, big), *back = malloc(big);
    assert_true(th_conn_write_app(c, data, big, 0));
    pump(c, sv);
    assert_int_equal(th_conn_read_app(sv, back, big), big);
    assert_non_null(c->out != NULL ? c->out : sv->in);
    th_conn_release_buffers(c);
    th_conn_release_buffers(sv);
    expect_idle_trimmed(c);
    expect_idle_trimmed(sv);
    echo_check(c, sv, "after release");
    free(data);
    free(back);
    th_session *sess = th_conn_take_session(c);
    assert_non_null(sess);
    th_session_free(sess);
    th_conn_free(c);
    th_conn_free(sv);
    th_ticket_ctx_free(tickets);
}

/* The content types of the records in |from|'s pending output (at most
 * |max|), which then goes to |to|. Returns how many. */
static size_t move_record_types(th_conn *from, th_conn *to, uint8_t *types, size_t max) {
    size_t n, num = 0;
    const uint8_t *out = th_conn_pending_output(from, &n);
    CBS cbs;
    CBS_init(&cbs, out, n);
    while (CBS_len(&cbs) != 0) {
        uint8_t type;
        uint16_t version;
        CBS frag;
        assert_true(CBS_get_u8(&cbs, &type) && CBS_get_u16(&cbs, &version) &&
                    CBS_get_u16_length_prefixed(&cbs, &frag));
        if (type == TH_CT_CHANGE_CIPHER_SPEC) {
            assert_int_equal(CBS_len(&frag), 1);
            assert_int_equal(CBS_data(&frag)[0], 1);
        }
        if (num < max) {
            types[num] = type;
        }
        num++;
    }
    if (n != 0) {
        if (!th_conn_recv(to, out, n)) {
            /* Checked through the status by the caller. */
        }
        th_conn_consume_output(from, n);
    }
    return num;
}

static size_t count_type(const uint8_t *types, size_t n, uint8_t type) {
    size_t count = 0;
    for (size_t i = 0; i < n; i++) {
        count += types[i] == type;
    }
    return count;
}

static void test_middlebox_compat_ccs_both_ways(void **state) {
    fixture *f = *state;
    uint64_t cseed = 41, sseed = 42;
    th_config ccfg, scfg;
    base_config(&ccfg, f, &cseed, TH_ROLE_CLIENT);
    base_config(&scfg, f, &sseed, TH_ROLE_SERVER);
    ccfg.middlebox_compat = 1;
    scfg.middlebox_compat = 1;
    th_conn *c = th_conn_new(&ccfg, TH_ROLE_CLIENT);
    th_conn *sv = th_conn_new(&scfg, TH_ROLE_SERVER);
    /* RFC 8446 §D.4: a non-empty session id, echoed. */
    assert_int_equal(c->session_id_len, 32);
    uint8_t types[16];
    size_t n = move_record_types(c, sv, types, 16);
    assert_int_equal(n, 1);
    assert_int_equal(types[0], TH_CT_HANDSHAKE);
    assert_int_equal(sv->session_id_len, 32);
    /* Server: ServerHello, CCS, then protected records. */
    n = move_record_types(sv, c, types, 16);
    assert_true(n >= 3);
    assert_int_equal(types[0], TH_CT_HANDSHAKE);
    assert_int_equal(types[1], TH_CT_CHANGE_CIPHER_SPEC);
    assert_int_equal(count_type(types, n, TH_CT_CHANGE_CIPHER_SPEC), 1);
    /* Client: CCS before its encrypted flight. */
    n = move_record_types(c, sv, types, 16);
    assert_true(n >= 2);
    assert_int_equal(types[0], TH_CT_CHANGE_CIPHER_SPEC);
    assert_int_equal(count_type(types, n, TH_CT_CHANGE_CIPHER_SPEC), 1);
    pump(c, sv);
    expect_state(c, TH_CONN_ESTABLISHED);
    expect_state(sv, TH_CONN_ESTABLISHED);
    echo_check(c, sv, "compat");
    th_conn_free(c);
    th_conn_free(sv);
}

static void test_middlebox_compat_ccs_with_hrr(void **state) {
    fixture *f = *state;
    static const uint16_t client_groups[] = {TH_GROUP_X25519, TH_GROUP_SECP384R1};
    static const uint16_t server_groups[] = {TH_GROUP_SECP384R1};
    uint64_t cseed = 43, sseed = 44;
    th_config ccfg, scfg;
    base_config(&ccfg, f, &cseed, TH_ROLE_CLIENT);
    base_config(&scfg, f, &sseed, TH_ROLE_SERVER);
    ccfg.middlebox_compat = 1;
    ccfg.groups = client_groups;
    ccfg.num_groups = 2;
    scfg.middlebox_compat = 1;
    scfg.groups = server_groups;
    scfg.num_groups = 1;
    th_conn *c = th_conn_new(&ccfg, TH_ROLE_CLIENT);
    th_conn *sv = th_conn_new(&scfg, TH_ROLE_SERVER);
    uint8_t types[16];
    assert_int_equal(move_record_types(c, sv, types, 16), 1);
    /* HelloRetryRequest, then the server's only CCS. */
    assert_int_equal(move_record_types(sv, c, types, 16), 2);
    assert_int_equal(types[0], TH_CT_HANDSHAKE);
    assert_int_equal(types[1], TH_CT_CHANGE_CIPHER_SPEC);
    /* The client's CCS before its second ClientHello. */
    assert_int_equal(move_record_types(c, sv, types, 16), 2);
    assert_int_equal(types[0], TH_CT_CHANGE_CIPHER_SPEC);
    assert_int_equal(types[1], TH_CT_HANDSHAKE);
    size_t n = move_record_types(sv, c, types, 16);
    assert_int_equal(count_type(types, n, TH_CT_CHANGE_CIPHER_SPEC), 0);
    n = move_record_types(c, sv, types, 16);
    assert_int_equal(count_type(types, n, TH_CT_CHANGE_CIPHER_SPEC), 0);
    pump(c, sv);
    expect_state(c, TH_CONN_ESTABLISHED);
    expect_state(sv, TH_CONN_ESTABLISHED);
    th_conn_free(c);
    th_conn_free(sv);
}

static void test_no_compat_ccs_without_option_or_session_id(void **state) {
    fixture *f = *state;
    for (int mode = 0; mode < 2; mode++) {
        uint64_t cseed = 45, sseed = 46;
        th_config ccfg, scfg;
        base_config(&ccfg, f, &cseed, TH_ROLE_CLIENT);
        base_config(&scfg, f, &sseed, TH_ROLE_SERVER);
        /* mode 0: neither asks; mode 1: only the server, and the client's
         * session id is empty. */
        scfg.middlebox_compat = mode;
        th_conn *c = th_conn_new(&ccfg, TH_ROLE_CLIENT);
        th_conn *sv = th_conn_new(&scfg, TH_ROLE_SERVER);
        assert_int_equal(c->session_id_len, 0);
        uint8_t types[16];
        size_t total = 0;
        for (int i = 0; i < 4; i++) {
            size_t n = move_record_types(c, sv, types, 16);
            total += count_type(types, n < 16 ? n : 16, TH_CT_CHANGE_CIPHER_SPEC);
            n = move_record_types(sv, c, types, 16);
            total += count_type(types, n < 16 ? n : 16, TH_CT_CHANGE_CIPHER_SPEC);
        }
        assert_int_equal(total, 0);
        expect_state(c, TH_CONN_ESTABLISHED);
        expect_state(sv, TH_CONN_ESTABLISHED);
        th_conn_free(c);
        th_conn_free(sv);
    }
}

/* The largest fragment of the protected records in |from|'s pending output,
 * which then goes to |to|. */
static size_t move_max_protected_fragment(th_conn *from, th_conn *to) {
    size_t n, max = 0;
    const uint8_t *out = th_conn_pending_output(from, &n);
    CBS cbs;
    CBS_init(&cbs, out, n);
    while (CBS_len(&cbs) != 0) {
        uint8_t type;
        uint16_t version;
        CBS frag;
        assert_true(CBS_get_u8(&cbs, &type) && CBS_get_u16(&cbs, &version) &&
                    CBS_get_u16_length_prefixed(&cbs, &frag));
        if (type == TH_CT_APPLICATION_DATA && CBS_len(&frag) > max) {
            max = CBS_len(&frag);
        }
    }
    if (n != 0) {
        if (!th_conn_recv(to, out, n)) {
            /* Checked through the status by the caller. */
        }
        th_conn_consume_output(from, n);
    }
    return max;
}

static void test_record_size_limit_negotiated_both_ways(void **state) {
    fixture *f = *state;
    uint64_t cseed = 51, sseed = 52;
    th_config ccfg, scfg;
    base_config(&ccfg, f, &cseed, TH_ROLE_CLIENT);
    base_config(&scfg, f, &sseed, TH_ROLE_SERVER);
    ccfg.record_size_limit = 256;
    scfg.record_size_limit = 512;
    th_conn *c = th_conn_new(&ccfg, TH_ROLE_CLIENT);
    th_conn *sv = th_conn_new(&scfg, TH_ROLE_SERVER);
    size_t max_from_server = 0, max_from_client = 0;
    for (int i = 0; i < 4; i++) {
        size_t m = move_max_protected_fragment(c, sv);
        max_from_client = m > max_from_client ? m : max_from_client;
        m = move_max_protected_fragment(sv, c);
        max_from_server = m > max_from_server ? m : max_from_server;
    }
    expect_state(c, TH_CONN_ESTABLISHED);
    expect_state(sv, TH_CONN_ESTABLISHED);
    th_conn_status cs, ss;
    th_conn_get_status(c, &cs);
    th_conn_get_status(sv, &ss);
    assert_int_equal(cs.peer_record_size_limit, 512);
    assert_int_equal(ss.peer_record_size_limit, 256);
    /* RFC 8449 §4: the limit counts TLSInnerPlaintext (content type
     * included); a protected record adds the 16-byte tag. The server's
     * Certificate needed several records. */
    assert_true(max_from_server > 0 && max_from_server <= 256 + 16);
    assert_true(max_from_client > 0 && max_from_client <= 512 + 16);
    uint8_t data[3000], got[3000];
    memset(data, 0x5a, sizeof(data));
    assert_true(th_conn_write_app(sv, data, sizeof(data), 0));
    assert_int_equal(move_max_protected_fragment(sv, c), 256 + 16);
    assert_int_equal(th_conn_read_app(c, got, sizeof(got)), sizeof(data));
    assert_true(th_conn_write_app(c, data, sizeof(data), 0));
    assert_int_equal(move_max_protected_fragment(c, sv), 512 + 16);
    assert_int_equal(th_conn_read_app(sv, got, sizeof(got)), sizeof(data));
    /* RFC 8449 §4: a record over the advertised limit is record_overflow. */
    assert_true(th_rl_dir_set_record_size_limit(&c->wr, TH_RL_MAX_INNER_PLAINTEXT));
    assert_true(th_conn_write_app(c, data, 1000, 0));
    pump(c, sv);
    expect_alert_sent(sv, TH_ALERT_RECORD_OVERFLOW);
    th_conn_free(c);
    th_conn_free(sv);
}

static void test_record_size_limit_server_answers_default(void **state) {
    fixture *f = *state;
    for (int client_sends = 0; client_sends < 2; client_sends++) {
        uint64_t cseed = 53, sseed = 54;
        th_config ccfg, scfg;
        base_config(&ccfg, f, &cseed, TH_ROLE_CLIENT);
        base_config(&scfg, f, &sseed, TH_ROLE_SERVER);
        ccfg.record_size_limit = client_sends ? 1000 : 0;
        th_conn *c = th_conn_new(&ccfg, TH_ROLE_CLIENT);
        th_conn *sv = th_conn_new(&scfg, TH_ROLE_SERVER);
        pump(c, sv);
        expect_state(c, TH_CONN_ESTABLISHED);
        th_conn_status cs, ss;
        th_conn_get_status(c, &cs);
        th_conn_get_status(sv, &ss);
        /* Without a config value the server answers 2^14+1. */
        assert_int_equal(cs.peer_record_size_limit, client_sends ? 16385 : 0);
        assert_int_equal(ss.peer_record_size_limit, client_sends ? 1000 : 0);
        echo_check(sv, c, "limited");
        th_conn_free(c);
        th_conn_free(sv);
    }
}

static void test_record_size_limit_below_64_is_refused(void **state) {
    fixture *f = *state;
    uint64_t seed = 55;
    th_config cfg;
    base_config(&cfg, f, &seed, TH_ROLE_CLIENT);
    cfg.record_size_limit = 63;
    assert_null(th_conn_new(&cfg, TH_ROLE_CLIENT));
    cfg.record_size_limit = 64;
    th_conn *c = th_conn_new(&cfg, TH_ROLE_CLIENT);
    assert_non_null(c);
    th_conn_free(c);
}

static void test_key_update_at_usage_limit_both_directions(void **state) {
    fixture *f = *state;
    uint64_t cseed = 56, sseed = 57;
    th_config ccfg, scfg;
    base_config(&ccfg, f, &cseed, TH_ROLE_CLIENT);
    base_config(&scfg, f, &sseed, TH_ROLE_SERVER);
    th_conn *c = th_conn_new(&ccfg, TH_ROLE_CLIENT);
    th_conn *sv = th_conn_new(&scfg, TH_ROLE_SERVER);
    pump(c, sv);
    expect_state(sv, TH_CONN_ESTABLISHED);
    /* Write side: the client moves its own key on every 3 records. */
    th_rl_dir_set_usage_cap(&c->wr, 3);
    th_secret first = c->wr.traffic_secret;
    uint8_t data[10 * 100], got[sizeof(data)];
    memset(data, 1, sizeof(data));
    assert_true(th_conn_write_app(c, data, sizeof(data), 100));
    pump(c, sv);
    assert_int_equal(th_conn_read_app(sv, got, sizeof(got)), sizeof(data));
    assert_memory_not_equal(c->wr.traffic_secret.bytes, first.bytes, first.len);
    assert_memory_equal(sv->rd.traffic_secret.bytes, c->wr.traffic_secret.bytes, first.len);
    th_rl_dir_set_usage_cap(&c->wr, 0);
    /* Read side: the server's read key nears its limit, so it asks the
     * client to update (RFC 8446 §4.6.3 update_requested). */
    th_rl_dir_set_usage_cap(&sv->rd, 4);
    th_secret srv_wr = sv->wr.traffic_secret;
    first = c->wr.traffic_secret;
    assert_true(th_conn_write_app(c, data, 500, 100));
    pump(c, sv);
    assert_int_equal(th_conn_read_app(sv, got, sizeof(got)), 500);
    assert_memory_not_equal(c->wr.traffic_secret.bytes, first.bytes, first.len);
    assert_memory_not_equal(sv->wr.traffic_secret.bytes, srv_wr.bytes, srv_wr.len);
    assert_false(sv->ku_requested);
    th_rl_dir_set_usage_cap(&sv->rd, 0);
    echo_check(c, sv, "after automatic updates");
    echo_check(sv, c, "both ways");
    th_conn_free(c);
    th_conn_free(sv);
}

static void test_middlebox_compat_ccs_before_early_data(void **state) {
    fixture *f = *state;
    th_ticket_ctx *t = th_ticket_ctx_new(kTicketKey, 0);
    th_session *sess = first_session(f, t, 16384, NULL, 0);
    uint64_t cseed = 61, sseed = 62;
    time_t now = 1700000010;
    th_config ccfg, scfg;
    base_config(&ccfg, f, &cseed, TH_ROLE_CLIENT);
    ccfg.session = sess;
    ccfg.now = clock_now;
    ccfg.now_ctx = &now;
    ccfg.early_data = (const uint8_t *)"early";
    ccfg.early_data_len = 5;
    ccfg.middlebox_compat = 1;
    ticket_server_config(&scfg, f, &sseed, t, &now);
    scfg.max_early_data = 16384;
    scfg.middlebox_compat = 1;
    th_conn *c = th_conn_new(&ccfg, TH_ROLE_CLIENT);
    th_conn *sv = th_conn_new(&scfg, TH_ROLE_SERVER);
    /* RFC 8446 §D.4: ClientHello, CCS, then the protected 0-RTT data. */
    uint8_t types[16];
    assert_int_equal(move_record_types(c, sv, types, 16), 3);
    assert_int_equal(types[0], TH_CT_HANDSHAKE);
    assert_int_equal(types[1], TH_CT_CHANGE_CIPHER_SPEC);
    assert_int_equal(types[2], TH_CT_APPLICATION_DATA);
    uint8_t buf[16];
    assert_int_equal(th_conn_read_app(sv, buf, sizeof(buf)), 5);
    assert_memory_equal(buf, "early", 5);
    size_t n = move_record_types(sv, c, types, 16);
    assert_int_equal(count_type(types, n, TH_CT_CHANGE_CIPHER_SPEC), 1);
    /* No second CCS from the client before its encrypted flight. */
    n = move_record_types(c, sv, types, 16);
    assert_int_equal(count_type(types, n, TH_CT_CHANGE_CIPHER_SPEC), 0);
    pump(c, sv);
    expect_state(c, TH_CONN_ESTABLISHED);
    expect_state(sv, TH_CONN_ESTABLISHED);
    expect_resumed(c, sv, 1, 1);
    th_conn_free(c);
    th_conn_free(sv);
    th_session_free(sess);
    th_ticket_ctx_free(t);
}

/* A client offering post_handshake_auth and a server that asked for nothing
 * in the handshake: established, then the server's requests. */
static void pha_pair(fixture *f, uint64_t *cseed, uint64_t *sseed, int client_offers,
                     int client_cert, int require, th_conn **out_c, th_conn **out_sv) {
    static th_config ccfg, scfg;
    base_config(&ccfg, f, cseed, TH_ROLE_CLIENT);
    base_config(&scfg, f, sseed, TH_ROLE_SERVER);
    ccfg.post_handshake_auth = client_offers;
    ccfg.cert_key = client_cert ? &f->client_ck : NULL;
    scfg.require_client_cert = require;
    *out_c = th_conn_new(&ccfg, TH_ROLE_CLIENT);
    *out_sv = th_conn_new(&scfg, TH_ROLE_SERVER);
    pump(*out_c, *out_sv);
    expect_state(*out_c, TH_CONN_ESTABLISHED);
    expect_state(*out_sv, TH_CONN_ESTABLISHED);
}

static void test_self_post_handshake_auth(void **state) {
    fixture *f = *state;
    uint64_t cseed = 71, sseed = 72;
    th_conn *c, *sv;
    pha_pair(f, &cseed, &sseed, 1, 1, 1, &c, &sv);
    th_conn_status ss;
    th_conn_get_status(sv, &ss);
    assert_false(ss.peer_authenticated);
    size_t n;
    assert_null(th_conn_peer_chain(sv, &n));
    /* A KeyUpdate first: the Finished key is client_application_traffic_secret_N. */
    assert_true(th_conn_key_update(c, 1));
    pump(c, sv);
    assert_true(th_conn_request_client_auth(sv));
    /* One request at a time. */
    assert_false(th_conn_request_client_auth(sv));
    pump(c, sv);
    expect_state(c, TH_CONN_ESTABLISHED);
    expect_state(sv, TH_CONN_ESTABLISHED);
    th_conn_get_status(sv, &ss);
    assert_true(ss.peer_authenticated);
    assert_int_equal(ss.sig_scheme, TH_SIG_ECDSA_SECP256R1_SHA256);
    const th_bytes *chain = th_conn_peer_chain(sv, &n);
    assert_int_equal(n, f->client_ck.num_chain);
    assert_memory_equal(chain[0].data, f->client_ck.chain[0].data, chain[0].len);
    echo_check(c, sv, "after post-handshake auth");
    echo_check(sv, c, "and back");
    /* A second exchange with a new context. */
    uint8_t first_context[32];
    memcpy(first_context, sv->cr_context, 32);
    assert_true(th_conn_request_client_auth(sv));
    assert_memory_not_equal(first_context, sv->cr_context, 32);
    pump(c, sv);
    expect_state(sv, TH_CONN_ESTABLISHED);
    th_conn_get_status(sv, &ss);
    assert_true(ss.peer_authenticated);
    echo_check(c, sv, "twice");
    /* Once the client has closed, the server asks no more. */
    assert_true(th_conn_close(c));
    pump(c, sv);
    assert_false(th_conn_request_client_auth(sv));
    th_conn_free(c);
    th_conn_free(sv);
}

static void test_request_client_auth_needs_the_extension(void **state) {
    fixture *f = *state;
    uint64_t cseed = 73, sseed = 74;
    th_conn *c, *sv;
    pha_pair(f, &cseed, &sseed, 0, 1, 0, &c, &sv);
    assert_false(th_conn_request_client_auth(sv));
    assert_false(th_conn_request_client_auth(c));
    size_t n;
    assert_null(th_conn_pending_output(sv, &n));
    echo_check(c, sv, "still fine");
    th_conn_free(c);
    th_conn_free(sv);
}

static void test_unsolicited_post_handshake_cr_is_unexpected_message(void **state) {
    fixture *f = *state;
    uint64_t cseed = 75, sseed = 76;
    th_conn *c, *sv;
    pha_pair(f, &cseed, &sseed, 0, 1, 0, &c, &sv);
    /* A server that sends one anyway (it needs a handshake-end transcript
     * to build the request). */
    sv->pha_offered = 1;
    assert_true(th_transcript_init(&sv->pha_transcript, sv->md));
    assert_true(th_conn_request_client_auth(sv));
    pump(c, sv);
    expect_alert_sent(c, TH_ALERT_UNEXPECTED_MESSAGE);
    th_conn_free(c);
    th_conn_free(sv);
}

static void test_post_handshake_empty_certificate_is_certificate_required(void **state) {
    fixture *f = *state;
    uint64_t cseed = 77, sseed = 78;
    th_conn *c, *sv;
    pha_pair(f, &cseed, &sseed, 1, 0, 1, &c, &sv);
    assert_true(th_conn_request_client_auth(sv));
    pump(c, sv);
    expect_alert_sent(sv, TH_ALERT_CERTIFICATE_REQUIRED);
    th_conn_free(c);
    th_conn_free(sv);
}

static void test_post_handshake_empty_certificate_allowed(void **state) {
    fixture *f = *state;
    uint64_t cseed = 79, sseed = 80;
    th_conn *c, *sv;
    pha_pair(f, &cseed, &sseed, 1, 0, 0, &c, &sv);
    assert_true(th_conn_request_client_auth(sv));
    pump(c, sv);
    expect_state(sv, TH_CONN_ESTABLISHED);
    th_conn_status ss;
    th_conn_get_status(sv, &ss);
    assert_false(ss.peer_authenticated);
    echo_check(c, sv, "unauthenticated");
    th_conn_free(c);
    th_conn_free(sv);
}

/* The client hashes a transcript the server does not have, so what it signs
 * or MACs is wrong. */
static void expect_pha_decrypt_error(fixture *f, int client_cert) {
    uint64_t cseed = 81, sseed = 82;
    th_conn *c, *sv;
    pha_pair(f, &cseed, &sseed, 1, client_cert, 0, &c, &sv);
    assert_true(th_transcript_update(&c->pha_transcript, (const uint8_t *)"x", 1));
    assert_true(th_conn_request_client_auth(sv));
    pump(c, sv);
    expect_alert_sent(sv, TH_ALERT_DECRYPT_ERROR);
    th_conn_status ss;
    th_conn_get_status(sv, &ss);
    assert_false(ss.peer_authenticated);
    th_conn_free(c);
    th_conn_free(sv);
}

static void test_post_handshake_bad_certificate_verify_is_decrypt_error(void **state) {
    expect_pha_decrypt_error(*state, 1);
}

static void test_post_handshake_bad_finished_is_decrypt_error(void **state) {
    expect_pha_decrypt_error(*state, 0);
}

/* RFC 8446 §6.1: a request crossing the client's close_notify goes
 * unanswered. */
static void test_closed_client_leaves_post_handshake_cr_unanswered(void **state) {
    fixture *f = *state;
    uint64_t cseed = 83, sseed = 84;
    th_conn *c, *sv;
    pha_pair(f, &cseed, &sseed, 1, 1, 1, &c, &sv);
    assert_true(th_conn_close(c));
    assert_true(th_conn_request_client_auth(sv));
    assert_true(move(sv, c));
    size_t n;
    const uint8_t *out = th_conn_pending_output(c, &n);
    assert_non_null(out);
    /* Only the close_notify record: 5-byte header, alert, type byte, tag. */
    assert_int_equal(n, 5 + 2 + 1 + 16);
    pump(c, sv);
    th_conn_status ss;
    th_conn_get_status(sv, &ss);
    assert_true(ss.peer_closed);
    assert_false(ss.peer_authenticated);
    assert_int_equal(ss.state, TH_CONN_ESTABLISHED);
    th_conn_free(c);
    th_conn_free(sv);
}

/* RFC 8446 §6.1: close_notify closes only the sender's direction. */
static void test_half_close_both_directions(void **state) {
    fixture *f = *state;
    uint64_t cseed = 91, sseed = 92;
    th_config ccfg, scfg;
    base_config(&ccfg, f, &cseed, TH_ROLE_CLIENT);
    base_config(&scfg, f, &sseed, TH_ROLE_SERVER);
    th_conn *c = th_conn_new(&ccfg, TH_ROLE_CLIENT);
    th_conn *sv = th_conn_new(&scfg, TH_ROLE_SERVER);
    pump(c, sv);
    expect_state(sv, TH_CONN_ESTABLISHED);
    assert_true(th_conn_close(c));
    pump(c, sv);
    th_conn_status cs, ss;
    th_conn_get_status(sv, &ss);
    assert_true(ss.peer_closed);
    assert_false(ss.we_closed);
    assert_int_equal(ss.state, TH_CONN_ESTABLISHED);
    assert_false(th_conn_write_app(c, (const uint8_t *)"x", 1, 0));
    /* The server still sends, the client still reads, a KeyUpdate too (the
     * client updates its read key and sends nothing back). */
    echo_check(sv, c, "after the client's close_notify");
    assert_true(th_conn_key_update(sv, 1));
    pump(c, sv);
    size_t n;
    assert_null(th_conn_pending_output(c, &n));
    echo_check(sv, c, "after the update");
    th_conn_get_status(c, &cs);
    assert_int_equal(cs.state, TH_CONN_ESTABLISHED);
    assert_true(cs.we_closed);
    assert_false(cs.peer_closed);
    assert_true(th_conn_close(sv));
    pump(c, sv);
    expect_state(c, TH_CONN_CLOSED);
    expect_state(sv, TH_CONN_CLOSED);
    th_conn_free(c);
    th_conn_free(sv);

    /* The other way round: the server closes first. */
    c = th_conn_new(&ccfg, TH_ROLE_CLIENT);
    sv = th_conn_new(&scfg, TH_ROLE_SERVER);
    pump(c, sv);
    expect_state(c, TH_CONN_ESTABLISHED);
    assert_true(th_conn_close(sv));
    pump(c, sv);
    echo_check(c, sv, "after the server's close_notify");
    assert_true(th_conn_close(c));
    pump(c, sv);
    expect_state(c, TH_CONN_CLOSED);
    expect_state(sv, TH_CONN_CLOSED);
    th_conn_free(c);
    th_conn_free(sv);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_self_every_suite_and_group),
        cmocka_unit_test(test_self_hrr_alpn_client_auth_key_update_close),
        cmocka_unit_test(test_server_without_certificate_is_refused),
        cmocka_unit_test(test_ccs_before_client_hello_is_unexpected_message),
        cmocka_unit_test(test_application_data_before_handshake_is_unexpected_message),
        cmocka_unit_test(test_finished_first_is_unexpected_message),
        cmocka_unit_test(test_unknown_record_type_is_unexpected_message),
        cmocka_unit_test(test_oversized_plaintext_is_record_overflow),
        cmocka_unit_test(test_empty_handshake_record_is_unexpected_message),
        cmocka_unit_test(test_tls12_only_client_is_protocol_version),
        cmocka_unit_test(test_every_corrupted_client_hello_byte_ends_cleanly),
        cmocka_unit_test(test_every_corrupted_server_flight_byte_is_refused),
        cmocka_unit_test(test_ccs_after_client_hello_is_dropped),
        cmocka_unit_test(test_byte_by_byte_delivery),
        cmocka_unit_test(test_second_hrr_is_unexpected_message),
        cmocka_unit_test(test_self_hrr_cookie_is_echoed),
        cmocka_unit_test(test_hrr_cookie_missing_is_missing_extension),
        cmocka_unit_test(test_hrr_cookie_altered_is_illegal_parameter),
        cmocka_unit_test(test_client_echoes_long_hrr_cookie),
        cmocka_unit_test(test_hrr_group_not_offered_is_illegal_parameter),
        cmocka_unit_test(test_hrr_group_already_shared_is_illegal_parameter),
        cmocka_unit_test(test_server_hello_suite_not_offered_is_illegal_parameter),
        cmocka_unit_test(test_client_without_trust_store_is_unknown_ca),
        cmocka_unit_test(test_ee_unsolicited_extension_is_unsupported_extension),
        cmocka_unit_test(test_ee_alpn_not_offered_is_illegal_parameter),
        cmocka_unit_test(test_garbage_after_handshake_is_bad_record_mac),
        cmocka_unit_test(test_self_resumption_psk_dhe_ke),
        cmocka_unit_test(test_self_resumption_psk_ke),
        cmocka_unit_test(test_self_hrr_then_resumption),
        cmocka_unit_test(test_self_unknown_ticket_is_full_handshake),
        cmocka_unit_test(test_self_expired_ticket_is_full_handshake),
        cmocka_unit_test(test_bad_binder_is_decrypt_error),
        cmocka_unit_test(test_self_early_data_accepted),
        cmocka_unit_test(test_self_early_data_rejected_by_config),
        cmocka_unit_test(test_strike_register_full_rejects),
        cmocka_unit_test(test_self_resumption_keeps_client_auth),
        cmocka_unit_test(test_accepted_early_data_over_limit_is_unexpected_message),
        cmocka_unit_test(test_skipped_early_data_over_limit_is_unexpected_message),
        cmocka_unit_test(test_selected_identity_out_of_range_is_illegal_parameter),
        cmocka_unit_test(test_server_picks_cert_by_exact_sni),
        cmocka_unit_test(test_server_picks_cert_by_wildcard_sni),
        cmocka_unit_test(test_server_picks_cert_the_client_can_verify),
        cmocka_unit_test(test_server_without_verifiable_cert_is_handshake_failure),
        cmocka_unit_test(test_server_refuses_incomplete_cert_keys),
        cmocka_unit_test(test_idle_connection_frees_handshake_state),
        cmocka_unit_test(test_middlebox_compat_ccs_both_ways),
        cmocka_unit_test(test_middlebox_compat_ccs_with_hrr),
        cmocka_unit_test(test_no_compat_ccs_without_option_or_session_id),
        cmocka_unit_test(test_middlebox_compat_ccs_before_early_data),
        cmocka_unit_test(test_record_size_limit_negotiated_both_ways),
        cmocka_unit_test(test_record_size_limit_server_answers_default),
        cmocka_unit_test(test_record_size_limit_below_64_is_refused),
        cmocka_unit_test(test_key_update_at_usage_limit_both_directions),
        cmocka_unit_test(test_self_post_handshake_auth),
        cmocka_unit_test(test_request_client_auth_needs_the_extension),
        cmocka_unit_test(test_unsolicited_post_handshake_cr_is_unexpected_message),
        cmocka_unit_test(test_post_handshake_empty_certificate_is_certificate_required),
        cmocka_unit_test(test_post_handshake_empty_certificate_allowed),
        cmocka_unit_test(test_post_handshake_bad_certificate_verify_is_decrypt_error),
        cmocka_unit_test(test_post_handshake_bad_finished_is_decrypt_error),
        cmocka_unit_test(test_closed_client_leaves_post_handshake_cr_unanswered),
        cmocka_unit_test(test_half_close_both_directions),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
