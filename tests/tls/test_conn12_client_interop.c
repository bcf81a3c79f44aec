/* Our TLS 1.2 client against BoringSSL's server, in process over memory
 * BIOs: every TLS 1.2 suite both support (ECDHE_ECDSA, ECDHE_RSA and RSA key
 * exchange; AES-GCM, ChaCha20-Poly1305, AES-CBC-SHA) with each group,
 * resumption by session ID and by ticket, client authentication, ALPN, OCSP
 * stapling, 1 MiB
 * each way in random record sizes, close_notify both ways, a BoringSSL
 * server able to do TLS 1.3 (its downgrade sentinel, which a TLS 1.2-only
 * client ignores), and the alerts for a bad server Finished and an unknown
 * CA. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/mem.h>
#include <openssl/ssl.h>

#include "conn.h"
#include "handshake.h"
#include "keys12.h"
#include "record.h"
#include "bssl_pair.h"
#include "testutil.h"

#define PKI TH_TEST_PKI_DIR

static const uint16_t kTls12[] = {TH_VERSION_TLS12};
static const uint16_t kGroups[] = {TH_GROUP_X25519, TH_GROUP_SECP256R1, TH_GROUP_SECP384R1};

/* xorshift64*: deterministic randomness for our side and the test data. */
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
    th_cert_key client_ck;
    X509_STORE *store;
} fixture;

static int setup(void **state) {
    fixture *f = calloc(1, sizeof(*f));
    th_test_load_cert_key("client-ecdsa-p256", &f->client_ck);
    f->store = th_test_load_trust_store("trust-bundle.pem");
    *state = f;
    return 0;
}

static int teardown(void **state) {
    fixture *f = *state;
    th_cert_key_cleanup(&f->client_ck);
    X509_STORE_free(f->store);
    free(f);
    return 0;
}

/* A BoringSSL server context serving |leaf| with TLS 1.2 only (or up to
 * 1.3 when |max13|), every cipher suite enabled. */
static SSL_CTX *server_ctx(const char *leaf, int max13) {
    char cert[512], key[512];
    SSL_CTX *ctx = SSL_CTX_new(TLS_method());
    assert_non_null(ctx);
    assert_true(SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION));
    assert_true(SSL_CTX_set_max_proto_version(ctx, max13 ? TLS1_3_VERSION : TLS1_2_VERSION));
    assert_true(SSL_CTX_set_strict_cipher_list(ctx, "ALL"));
    snprintf(cert, sizeof(cert), PKI "%s-chain.pem", leaf);
    snprintf(key, sizeof(key), PKI "%s.key", leaf);
    assert_true(SSL_CTX_use_certificate_chain_file(ctx, cert));
    assert_true(SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM));
    return ctx;
}

static void client_config(th_config *cfg, fixture *f, uint64_t *seed) {
    memset(cfg, 0, sizeof(*cfg));
    cfg->random = test_random;
    cfg->random_ctx = seed;
    cfg->now = test_now;
    cfg->trust_store = f->store;
    cfg->server_name = "localhost";
    cfg->versions = kTls12;
    cfg->num_versions = 1;
}

/* Joins a new client of |cfg| and a new server of |ctx| (not taken over). */
static void expect_established(th_bssl_pair *p, uint16_t suite) {
    th_conn_status st;
    th_conn_get_status(p->c, &st);
    if (st.state != TH_CONN_ESTABLISHED || !p->ssl_done) {
        fail_msg("suite %04x not established: ours state %d alert sent %d/%u "
                 "received %d/%u; "
                 "bssl done %d failed %d (%s)",
                 suite, st.state, st.has_alert_sent, st.alert_sent, st.has_alert_received,
                 st.alert_received, p->ssl_done, p->ssl_failed,
                 ERR_reason_error_string(ERR_peek_error()));
    }
    assert_int_equal(st.version, TH_VERSION_TLS12);
    assert_int_equal(st.cipher_suite, suite);
    assert_int_equal(SSL_version(p->ssl), TLS1_2_VERSION);
    assert_int_equal(SSL_CIPHER_get_protocol_id(SSL_get_current_cipher(p->ssl)), suite);
    /* RFC 7627: BoringSSL and we agree on the extended master secret. */
    assert_true(SSL_get_extms_support(p->ssl));
}

/* The leaf for |suite|: RSA for ECDHE_RSA and RSA key exchange. */
static const char *leaf_for(const th_tls12_suite *s) {
    return s->auth == TH_TLS12_AUTH_ECDSA ? "server-ecdsa-p256" : "server-rsa2048";
}

static void test_every_suite_and_group(void **state) {
    fixture *f = *state;
    const th_tls12_suite *s;
    for (size_t i = 0; (s = th_tls12_suite_at(i)) != NULL; i++) {
        size_t num_groups = s->kx == TH_TLS12_KX_ECDHE ? 3 : 1;
        for (size_t g = 0; g < num_groups; g++) {
            uint64_t seed = 1 + i * 3 + g;
            th_config cfg;
            th_bssl_pair p;
            client_config(&cfg, f, &seed);
            cfg.cipher_suites = &s->id;
            cfg.num_cipher_suites = 1;
            cfg.groups = &kGroups[g];
            cfg.num_groups = 1;
            SSL_CTX *ctx = server_ctx(leaf_for(s), 0);
            th_bssl_pair_init(&p, &cfg, TH_ROLE_CLIENT, ctx);
            th_bssl_pair_shuttle(&p);
            expect_established(&p, s->id);
            th_conn_status st;
            th_conn_get_status(p.c, &st);
            assert_true(st.peer_authenticated);
            assert_false(st.resumed);
            if (s->kx == TH_TLS12_KX_ECDHE) {
                assert_int_equal(st.group, kGroups[g]);
                assert_int_equal(SSL_get_curve_id(p.ssl), kGroups[g]);
                assert_true(st.sig_scheme != 0);
            }
            th_bssl_pair_exchange_small(&p);
            th_bssl_pair_free(&p);
            SSL_CTX_free(ctx);
        }
    }
}

/* close_notify both ways, ours first. */
static void close_both(th_bssl_pair *p) {
    assert_true(th_conn_close(p->c));
    th_bssl_pair_shuttle(p);
    assert_true(p->ssl_closed);
    assert_int_equal(SSL_shutdown(p->ssl), 1);
    th_bssl_pair_shuttle(p);
    th_conn_status st;
    th_conn_get_status(p->c, &st);
    assert_true(st.peer_closed);
    assert_int_equal(st.state, TH_CONN_CLOSED);
}

static void test_bulk_and_close_gcm_chacha_cbc(void **state) {
    fixture *f = *state;
    static const uint16_t suites[] = {
        TH_TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
        TH_TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
        TH_TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA,
        TH_TLS_RSA_WITH_AES_256_CBC_SHA,
    };
    for (size_t i = 0; i < sizeof(suites) / sizeof(suites[0]); i++) {
        uint64_t seed = 50 + i;
        th_config cfg;
        th_bssl_pair p;
        client_config(&cfg, f, &seed);
        cfg.cipher_suites = &suites[i];
        cfg.num_cipher_suites = 1;
        SSL_CTX *ctx = server_ctx(leaf_for(th_tls12_suite_find(suites[i])), 0);
        th_bssl_pair_init(&p, &cfg, TH_ROLE_CLIENT, ctx);
        th_bssl_pair_shuttle(&p);
        expect_established(&p, suites[i]);
        th_bssl_pair_bulk(&p, test_random, &seed);
        close_both(&p);
        th_bssl_pair_free(&p);
        SSL_CTX_free(ctx);
    }
}

/* A full handshake with |ctx| and its session; then a second connection
 * offering it, which BoringSSL resumes. */
static const uint16_t kTls12And13[] = {TH_VERSION_TLS13, TH_VERSION_TLS12};

/* Three connections: a full handshake, then the session resumed twice.
 * |dual|: our client offers TLS 1.3 and 1.2 (to a TLS 1.2 server), and the
 * TLS 1.2 session rides in the same ClientHello. */
static void resume_with(fixture *f, SSL_CTX *ctx, int expect_ticket, int dual) {
    uint64_t seed = 60;
    th_config cfg;
    th_bssl_pair p;
    client_config(&cfg, f, &seed);
    if (dual) {
        cfg.versions = kTls12And13;
        cfg.num_versions = 2;
    }
    th_bssl_pair_init(&p, &cfg, TH_ROLE_CLIENT, ctx);
    th_bssl_pair_shuttle(&p);
    expect_established(&p, TH_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256);
    th_conn_status st;
    th_conn_get_status(p.c, &st);
    assert_int_equal(st.tickets_received, expect_ticket ? 1 : 0);
    th_bssl_pair_exchange_small(&p);
    th_session *sess = th_conn_take_session(p.c);
    assert_non_null(sess);
    th_bssl_pair_free(&p);

    cfg.session = sess;
    th_bssl_pair_init(&p, &cfg, TH_ROLE_CLIENT, ctx);
    th_bssl_pair_shuttle(&p);
    expect_established(&p, TH_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256);
    th_conn_get_status(p.c, &st);
    assert_true(st.resumed);
    assert_true(st.peer_authenticated);
    assert_true(SSL_session_reused(p.ssl));
    th_bssl_pair_exchange_small(&p);
    /* The resumed session can be offered again. */
    th_session *again = th_conn_take_session(p.c);
    assert_non_null(again);
    th_bssl_pair_free(&p);

    cfg.session = again;
    th_bssl_pair_init(&p, &cfg, TH_ROLE_CLIENT, ctx);
    th_bssl_pair_shuttle(&p);
    expect_established(&p, TH_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256);
    assert_true(SSL_session_reused(p.ssl));
    th_bssl_pair_free(&p);
    th_session_free(sess);
    th_session_free(again);
}

static void test_resumption_by_ticket(void **state) {
    fixture *f = *state;
    SSL_CTX *ctx = server_ctx("server-ecdsa-p256", 0);
    resume_with(f, ctx, 1, 0);
    resume_with(f, ctx, 1, 1);
    SSL_CTX_free(ctx);
}

static void test_resumption_by_session_id(void **state) {
    fixture *f = *state;
    SSL_CTX *ctx = server_ctx("server-ecdsa-p256", 0);
    SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET);
    resume_with(f, ctx, 0, 0);
    resume_with(f, ctx, 0, 1);
    SSL_CTX_free(ctx);
}

static void test_client_auth(void **state) {
    fixture *f = *state;
    static const uint16_t suites[] = {TH_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
                                      TH_TLS_RSA_WITH_AES_128_CBC_SHA};
    for (size_t i = 0; i < 2; i++) {
        uint64_t seed = 70 + i;
        th_config cfg;
        th_bssl_pair p;
        client_config(&cfg, f, &seed);
        cfg.cert_key = &f->client_ck;
        cfg.cipher_suites = &suites[i];
        cfg.num_cipher_suites = 1;
        SSL_CTX *ctx = server_ctx("server-rsa2048", 0);
        assert_true(SSL_CTX_load_verify_locations(ctx, PKI "trust-bundle.pem", NULL));
        SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, NULL);
        th_bssl_pair_init(&p, &cfg, TH_ROLE_CLIENT, ctx);
        th_bssl_pair_shuttle(&p);
        expect_established(&p, suites[i]);
        X509 *peer = SSL_get_peer_certificate(p.ssl);
        assert_non_null(peer);
        X509_free(peer);
        assert_int_equal(SSL_get_peer_signature_algorithm(p.ssl), TH_SIG_ECDSA_SECP256R1_SHA256);
        th_bssl_pair_exchange_small(&p);
        th_bssl_pair_free(&p);

        /* Without a certificate: an empty Certificate, which this server
         * refuses. */
        client_config(&cfg, f, &seed);
        cfg.cipher_suites = &suites[i];
        cfg.num_cipher_suites = 1;
        th_bssl_pair_init(&p, &cfg, TH_ROLE_CLIENT, ctx);
        th_bssl_pair_shuttle(&p);
        assert_true(p.ssl_failed);
        th_conn_status st;
        th_conn_get_status(p.c, &st);
        assert_int_equal(st.state, TH_CONN_FAILED);
        assert_true(st.has_alert_received);
        assert_int_equal(st.alert_received, TH_ALERT_HANDSHAKE_FAILURE);
        th_bssl_pair_free(&p);
        SSL_CTX_free(ctx);
    }
}

static int alpn_select(SSL *ssl, const uint8_t **out, uint8_t *out_len, const uint8_t *in,
                       unsigned in_len, void *arg) {
    (void)ssl;
    (void)arg;
    static const uint8_t server_protos[] = "\x02h2\x08http/1.1";
    uint8_t *sel;
    if (SSL_select_next_proto(&sel, out_len, server_protos, sizeof(server_protos) - 1, in,
                              in_len) != OPENSSL_NPN_NEGOTIATED) {
        return SSL_TLSEXT_ERR_ALERT_FATAL;
    }
    *out = sel;
    return SSL_TLSEXT_ERR_OK;
}

static void test_alpn(void **state) {
    fixture *f = *state;
    static const char *const ours[] = {"spdy/1", "http/1.1"};
    uint64_t seed = 80;
    th_config cfg;
    th_bssl_pair p;
    client_config(&cfg, f, &seed);
    cfg.alpn = ours;
    cfg.num_alpn = 2;
    SSL_CTX *ctx = server_ctx("server-ecdsa-p256", 0);
    SSL_CTX_set_alpn_select_cb(ctx, alpn_select, NULL);
    th_bssl_pair_init(&p, &cfg, TH_ROLE_CLIENT, ctx);
    th_bssl_pair_shuttle(&p);
    expect_established(&p, TH_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256);
    th_conn_status st;
    th_conn_get_status(p.c, &st);
    assert_int_equal(st.alpn.len, 8);
    assert_memory_equal(st.alpn.data, "http/1.1", 8);
    th_bssl_pair_free(&p);
    SSL_CTX_free(ctx);
}

static void test_tls13_capable_server_sentinel_ignored_by_tls12_client(void **state) {
    fixture *f = *state;
    uint64_t seed = 90;
    th_config cfg;
    th_bssl_pair p;
    client_config(&cfg, f, &seed);
    SSL_CTX *ctx = server_ctx("server-ecdsa-p256", 1);
    th_bssl_pair_init(&p, &cfg, TH_ROLE_CLIENT, ctx);
    th_bssl_pair_shuttle(&p);
    /* RFC 8446 §4.1.3: the sentinel is for TLS 1.3 clients to check; a
     * TLS 1.2-only client completes. */
    expect_established(&p, TH_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256);
    th_bssl_pair_exchange_small(&p);
    th_bssl_pair_free(&p);
    SSL_CTX_free(ctx);
}

/* Flips a byte of the first protected handshake record (the server's
 * Finished in a full handshake): the first handshake record after the
 * server's ChangeCipherSpec. */
static int g_after_ccs;
static void tamper_finished(uint8_t *rec, size_t len) {
    if (rec[0] == TH_CT_CHANGE_CIPHER_SPEC) {
        g_after_ccs = 1;
    } else if (g_after_ccs && rec[0] == TH_CT_HANDSHAKE && len > TH_RECORD_HEADER_LEN + 8) {
        rec[len - 1] ^= 1;
        g_after_ccs = 0;
    }
}

static void test_tampered_server_finished_is_bad_record_mac(void **state) {
    fixture *f = *state;
    uint64_t seed = 95;
    th_config cfg;
    th_bssl_pair p;
    client_config(&cfg, f, &seed);
    SSL_CTX *ctx = server_ctx("server-ecdsa-p256", 0);
    th_bssl_pair_init(&p, &cfg, TH_ROLE_CLIENT, ctx);
    g_after_ccs = 0;
    p.tamper = tamper_finished;
    th_bssl_pair_shuttle(&p);
    th_conn_status st;
    th_conn_get_status(p.c, &st);
    assert_int_equal(st.state, TH_CONN_FAILED);
    assert_true(st.has_alert_sent);
    assert_int_equal(st.alert_sent, TH_ALERT_BAD_RECORD_MAC);
    th_bssl_pair_free(&p);
    SSL_CTX_free(ctx);
}

static void test_unknown_ca_is_unknown_ca(void **state) {
    fixture *f = *state;
    uint64_t seed = 96;
    th_config cfg;
    th_bssl_pair p;
    client_config(&cfg, f, &seed);
    SSL_CTX *ctx = server_ctx("bad-unknown-ca", 0);
    th_bssl_pair_init(&p, &cfg, TH_ROLE_CLIENT, ctx);
    th_bssl_pair_shuttle(&p);
    th_conn_status st;
    th_conn_get_status(p.c, &st);
    assert_int_equal(st.state, TH_CONN_FAILED);
    assert_int_equal(st.alert_sent, TH_ALERT_UNKNOWN_CA);
    assert_true(p.ssl_failed);
    th_bssl_pair_free(&p);
    SSL_CTX_free(ctx);
}

static void test_ocsp_stapling(void **state) {
    fixture *f = *state;
    static const uint8_t kOcsp[] = {0x30, 0x03, 0x0a, 0x01, 0x00};
    uint64_t seed = 97;
    th_config cfg;
    th_bssl_pair p;
    size_t n;
    client_config(&cfg, f, &seed);
    cfg.ocsp_stapling = 1;
    SSL_CTX *ctx = server_ctx("server-ecdsa-p256", 0);
    assert_true(SSL_CTX_set_ocsp_response(ctx, kOcsp, sizeof(kOcsp)));
    th_bssl_pair_init(&p, &cfg, TH_ROLE_CLIENT, ctx);
    th_bssl_pair_shuttle(&p);
    expect_established(&p, TH_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256);
    const uint8_t *ocsp = th_conn_peer_ocsp(p.c, &n);
    assert_int_equal(n, sizeof(kOcsp));
    assert_memory_equal(ocsp, kOcsp, n);
    th_bssl_pair_free(&p);
    /* Not asked for: not sent. */
    client_config(&cfg, f, &seed);
    th_bssl_pair_init(&p, &cfg, TH_ROLE_CLIENT, ctx);
    th_bssl_pair_shuttle(&p);
    expect_established(&p, TH_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256);
    assert_null(th_conn_peer_ocsp(p.c, &n));
    th_bssl_pair_free(&p);
    SSL_CTX_free(ctx);
}

/* Our client offering TLS 1.3 and 1.2: TLS 1.2 with a BoringSSL server
 * limited to it, TLS 1.3 with one that has both. */
static void test_dual_version_client(void **state) {
    fixture *f = *state;
    for (int max13 = 0; max13 < 2; max13++) {
        uint64_t seed = 98 + max13;
        th_config cfg;
        th_bssl_pair p;
        client_config(&cfg, f, &seed);
        cfg.versions = kTls12And13;
        cfg.num_versions = 2;
        SSL_CTX *ctx = server_ctx("server-rsa2048", max13);
        th_bssl_pair_init(&p, &cfg, TH_ROLE_CLIENT, ctx);
        th_bssl_pair_shuttle(&p);
        th_conn_status st;
        th_conn_get_status(p.c, &st);
        assert_int_equal(st.state, TH_CONN_ESTABLISHED);
        assert_int_equal(st.version, max13 ? TH_VERSION_TLS13 : TH_VERSION_TLS12);
        assert_int_equal(SSL_version(p.ssl), max13 ? TLS1_3_VERSION : TLS1_2_VERSION);
        th_bssl_pair_exchange_small(&p);
        th_bssl_pair_free(&p);
        SSL_CTX_free(ctx);
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_suite_and_group),
        cmocka_unit_test(test_bulk_and_close_gcm_chacha_cbc),
        cmocka_unit_test(test_resumption_by_ticket),
        cmocka_unit_test(test_resumption_by_session_id),
        cmocka_unit_test(test_client_auth),
        cmocka_unit_test(test_alpn),
        cmocka_unit_test(test_ocsp_stapling),
        cmocka_unit_test(test_tls13_capable_server_sentinel_ignored_by_tls12_client),
        cmocka_unit_test(test_tampered_server_finished_is_bad_record_mac),
        cmocka_unit_test(test_unknown_ca_is_unknown_ca),
        cmocka_unit_test(test_dual_version_client),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
