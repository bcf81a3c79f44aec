/* Our TLS 1.2 server against BoringSSL's client, in process over memory
 * BIOs: every TLS 1.2 suite BoringSSL supports (ECDHE-ECDSA and ECDHE-RSA
 * with AES-GCM, ChaCha20-Poly1305 and AES-CBC-SHA; RSA key exchange with
 * AES-GCM and AES-CBC), every group, resumption by session ID and by
 * RFC 5077 ticket, client authentication, ALPN, 1 MiB each way,
 * close_notify, and version negotiation (TLS 1.3 when offered, TLS 1.2
 * with the downgrade sentinel otherwise, TLS_FALLBACK_SCSV). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/mem.h>
#include <openssl/ssl.h>

#include "conn.h"
#include "conn_internal.h"
#include "keys12.h"
#include "record.h"
#include "bssl_pair.h"
#include "testutil.h"

#define PKI TH_TEST_PKI_DIR

static const uint16_t kBoth[] = {TH_VERSION_TLS12, TH_VERSION_TLS13};
static const uint16_t kOnly12[] = {TH_VERSION_TLS12};

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

static time_t g_now = 1700000000;

static time_t test_now(void *ctx) {
    (void)ctx;
    return g_now;
}

typedef struct {
    th_cert_key ecdsa_ck, rsa_ck;
    X509_STORE *store;
} fixture;

static int setup(void **state) {
    fixture *f = calloc(1, sizeof(*f));
    th_test_load_cert_key("server-ecdsa-p256", &f->ecdsa_ck);
    th_test_load_cert_key("server-rsa2048", &f->rsa_ck);
    f->store = th_test_load_trust_store("trust-bundle.pem");
    *state = f;
    return 0;
}

static int teardown(void **state) {
    fixture *f = *state;
    th_cert_key_cleanup(&f->ecdsa_ck);
    th_cert_key_cleanup(&f->rsa_ck);
    X509_STORE_free(f->store);
    free(f);
    return 0;
}

/* BoringSSL's client context: versions |min|..|max|, the OpenSSL-style
 * cipher list |ciphers| (NULL: the default), our trust bundle. */
static SSL_CTX *bssl_client_ctx(uint16_t min, uint16_t max, const char *ciphers) {
    SSL_CTX *ctx = SSL_CTX_new(TLS_method());
    assert_non_null(ctx);
    assert_true(SSL_CTX_set_min_proto_version(ctx, min));
    assert_true(SSL_CTX_set_max_proto_version(ctx, max));
    if (ciphers != NULL) {
        assert_true(SSL_CTX_set_strict_cipher_list(ctx, ciphers));
    }
    assert_true(SSL_CTX_load_verify_locations(ctx, PKI "trust-bundle.pem", NULL));
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
    return ctx;
}

static void base_config(th_config *cfg, fixture *f, uint64_t *seed) {
    memset(cfg, 0, sizeof(*cfg));
    cfg->random = test_random;
    cfg->random_ctx = seed;
    cfg->now = test_now;
    cfg->trust_store = f->store;
    cfg->cert_key = &f->ecdsa_ck;
    cfg->cert_keys = &f->rsa_ck;
    cfg->num_cert_keys = 1;
    cfg->versions = kBoth;
    cfg->num_versions = 2;
}

/* BoringSSL's client (|ctx|, which the pair takes a reference of) against
 * our server. */
static void pair_init(th_bssl_pair *p, const th_config *cfg, SSL_CTX *ctx) {
    th_bssl_pair_init(p, cfg, TH_ROLE_SERVER, ctx);
    assert_true(SSL_set_tlsext_host_name(p->ssl, "localhost"));
    assert_true(SSL_set1_host(p->ssl, "localhost"));
}

static void expect_established(th_bssl_pair *p, uint16_t version, uint16_t suite) {
    th_conn_status st;
    th_conn_get_status(p->c, &st);
    if (st.state != TH_CONN_ESTABLISHED || !p->ssl_done) {
        fail_msg("not established: ours state %d alert sent %d/%u received %d/%u; bssl done %d "
                 "failed %d (%s)",
                 st.state, st.has_alert_sent, st.alert_sent, st.has_alert_received,
                 st.alert_received, p->ssl_done, p->ssl_failed,
                 ERR_reason_error_string(ERR_peek_error()));
    }
    assert_int_equal(st.version, version);
    assert_int_equal(SSL_version(p->ssl), version);
    if (suite != 0) {
        assert_int_equal(st.cipher_suite, suite);
        assert_int_equal(SSL_CIPHER_get_protocol_id(SSL_get_current_cipher(p->ssl)), suite);
    }
}

/* close_notify both ways. */
static void close_both(th_bssl_pair *p) {
    assert_true(th_conn_close(p->c));
    th_bssl_pair_shuttle(p);
    assert_true(p->ssl_closed);
    SSL_shutdown(p->ssl);
    th_bssl_pair_shuttle(p);
    th_conn_status st;
    th_conn_get_status(p->c, &st);
    assert_int_equal(st.state, TH_CONN_CLOSED);
}

static const struct {
    uint16_t id;
    const char *name;
    int rsa_cert; /* the suite needs our RSA certificate */
} kSuites12[] = {
    {TH_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, "ECDHE-ECDSA-AES128-GCM-SHA256", 0},
    {TH_TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, "ECDHE-ECDSA-AES256-GCM-SHA384", 0},
    {TH_TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256, "ECDHE-ECDSA-CHACHA20-POLY1305", 0},
    {TH_TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA, "ECDHE-ECDSA-AES128-SHA", 0},
    {TH_TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA, "ECDHE-ECDSA-AES256-SHA", 0},
    {TH_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, "ECDHE-RSA-AES128-GCM-SHA256", 1},
    {TH_TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384, "ECDHE-RSA-AES256-GCM-SHA384", 1},
    {TH_TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256, "ECDHE-RSA-CHACHA20-POLY1305", 1},
    {TH_TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA, "ECDHE-RSA-AES128-SHA", 1},
    {TH_TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA, "ECDHE-RSA-AES256-SHA", 1},
    {TH_TLS_RSA_WITH_AES_128_GCM_SHA256, "AES128-GCM-SHA256", 1},
    {TH_TLS_RSA_WITH_AES_256_GCM_SHA384, "AES256-GCM-SHA384", 1},
    {TH_TLS_RSA_WITH_AES_128_CBC_SHA, "AES128-SHA", 1},
    {TH_TLS_RSA_WITH_AES_256_CBC_SHA, "AES256-SHA", 1},
};
#define NUM_SUITES12 (sizeof(kSuites12) / sizeof(kSuites12[0]))

static void test_every_suite_and_group(void **state) {
    fixture *f = *state;
    static const uint16_t groups[] = {TH_GROUP_X25519, TH_GROUP_SECP256R1, TH_GROUP_SECP384R1};
    static const char *const group_names[] = {"X25519", "P-256", "P-384"};
    for (size_t s = 0; s < NUM_SUITES12; s++) {
        for (size_t g = 0; g < 3; g++) {
            int ecdhe = th_tls12_suite_find(kSuites12[s].id)->kx == TH_TLS12_KX_ECDHE;
            if (!ecdhe && g > 0) {
                continue;
            }
            uint64_t seed = 1 + s * 3 + g;
            th_config cfg;
            th_bssl_pair p;
            base_config(&cfg, f, &seed);
            cfg.groups = &groups[g];
            cfg.num_groups = 1;
            SSL_CTX *ctx = bssl_client_ctx(TLS1_2_VERSION, TLS1_2_VERSION, kSuites12[s].name);
            pair_init(&p, &cfg, ctx);
            SSL_CTX_free(ctx);
            /* The ECDHE group is ours alone; the client also lists P-256,
             * the curve of our ECDSA certificate (RFC 8422 §5.1). */
            char curves[32];
            snprintf(curves, sizeof(curves), "%s:P-256", group_names[g]);
            assert_true(SSL_set1_curves_list(p.ssl, g == 1 ? group_names[g] : curves));
            th_bssl_pair_shuttle(&p);
            expect_established(&p, TH_VERSION_TLS12, kSuites12[s].id);
            th_conn_status st;
            th_conn_get_status(p.c, &st);
            if (ecdhe) {
                assert_int_equal(st.group, groups[g]);
                assert_int_equal(SSL_get_curve_id(p.ssl), groups[g]);
                assert_int_equal(SSL_get_peer_signature_algorithm(p.ssl),
                                 kSuites12[s].rsa_cert ? TH_SIG_RSA_PSS_RSAE_SHA256
                                                       : TH_SIG_ECDSA_SECP256R1_SHA256);
            }
            assert_true(SSL_get_extms_support(p.ssl));
            assert_true(SSL_get_secure_renegotiation_support(p.ssl));
            assert_int_equal(st.server_name.len, 9);
            th_bssl_pair_exchange_small(&p);
            close_both(&p);
            th_bssl_pair_free(&p);
        }
    }
}

static void test_bulk_every_cipher_family(void **state) {
    fixture *f = *state;
    static const size_t picks[] = {0, 2, 3, 10, 13};
    for (size_t i = 0; i < sizeof(picks) / sizeof(picks[0]); i++) {
        uint64_t seed = 500 + i;
        th_config cfg;
        th_bssl_pair p;
        base_config(&cfg, f, &seed);
        SSL_CTX *ctx = bssl_client_ctx(TLS1_2_VERSION, TLS1_2_VERSION, kSuites12[picks[i]].name);
        pair_init(&p, &cfg, ctx);
        SSL_CTX_free(ctx);
        th_bssl_pair_shuttle(&p);
        expect_established(&p, TH_VERSION_TLS12, kSuites12[picks[i]].id);
        th_bssl_pair_bulk(&p, test_random, &seed);
        close_both(&p);
        th_bssl_pair_free(&p);
    }
}

static void test_version_negotiation(void **state) {
    fixture *f = *state;
    uint64_t seed = 40;
    th_config cfg;
    th_bssl_pair p;
    /* A TLS 1.3 client gets TLS 1.3. */
    base_config(&cfg, f, &seed);
    SSL_CTX *ctx = bssl_client_ctx(TLS1_2_VERSION, TLS1_3_VERSION, NULL);
    pair_init(&p, &cfg, ctx);
    th_bssl_pair_shuttle(&p);
    expect_established(&p, TH_VERSION_TLS13, TH_TLS_AES_128_GCM_SHA256);
    th_bssl_pair_exchange_small(&p);
    th_bssl_pair_free(&p);
    /* A TLS 1.3 client against a TLS 1.2-only server: TLS 1.2, no
     * sentinel (BoringSSL would refuse it). */
    cfg.versions = kOnly12;
    cfg.num_versions = 1;
    pair_init(&p, &cfg, ctx);
    th_bssl_pair_shuttle(&p);
    expect_established(&p, TH_VERSION_TLS12, 0);
    th_bssl_pair_exchange_small(&p);
    th_bssl_pair_free(&p);
    SSL_CTX_free(ctx);
    /* A TLS 1.2 client gets TLS 1.2 with the sentinel (RFC 8446 §4.1.3). */
    cfg.versions = kBoth;
    cfg.num_versions = 2;
    ctx = bssl_client_ctx(TLS1_2_VERSION, TLS1_2_VERSION, NULL);
    pair_init(&p, &cfg, ctx);
    th_bssl_pair_shuttle(&p);
    expect_established(&p, TH_VERSION_TLS12, 0);
    uint8_t random[32];
    assert_int_equal(SSL_get_server_random(p.ssl, random, sizeof(random)), 32);
    static const uint8_t kSentinel[] = {0x44, 0x4f, 0x57, 0x4e, 0x47, 0x52, 0x44, 0x01};
    assert_memory_equal(random + 24, kSentinel, 8);
    th_bssl_pair_exchange_small(&p);
    th_bssl_pair_free(&p);
    /* A TLS 1.3-only config refuses a TLS 1.2 client. */
    cfg.versions = NULL;
    cfg.num_versions = 0;
    pair_init(&p, &cfg, ctx);
    th_bssl_pair_shuttle(&p);
    th_conn_status st;
    th_conn_get_status(p.c, &st);
    assert_int_equal(st.state, TH_CONN_FAILED);
    assert_int_equal(st.alert_sent, TH_ALERT_PROTOCOL_VERSION);
    assert_true(p.ssl_failed);
    th_bssl_pair_free(&p);
    SSL_CTX_free(ctx);
}

static void test_fallback_scsv_is_inappropriate_fallback(void **state) {
    fixture *f = *state;
    uint64_t seed = 41;
    th_config cfg;
    th_bssl_pair p;
    base_config(&cfg, f, &seed);
    SSL_CTX *ctx = bssl_client_ctx(TLS1_2_VERSION, TLS1_2_VERSION, NULL);
    pair_init(&p, &cfg, ctx);
    SSL_set_mode(p.ssl, SSL_MODE_SEND_FALLBACK_SCSV);
    th_bssl_pair_shuttle(&p);
    th_conn_status st;
    th_conn_get_status(p.c, &st);
    assert_int_equal(st.state, TH_CONN_FAILED);
    assert_int_equal(st.alert_sent, TH_ALERT_INAPPROPRIATE_FALLBACK);
    assert_true(p.ssl_failed);
    th_bssl_pair_free(&p);
    /* Control: a TLS 1.2-only server is not above the client's version. */
    cfg.versions = kOnly12;
    cfg.num_versions = 1;
    pair_init(&p, &cfg, ctx);
    SSL_set_mode(p.ssl, SSL_MODE_SEND_FALLBACK_SCSV);
    th_bssl_pair_shuttle(&p);
    expect_established(&p, TH_VERSION_TLS12, 0);
    th_bssl_pair_free(&p);
    SSL_CTX_free(ctx);
}

static const uint8_t kTicketKey[32] = {1,  2,  3,  4,  5,  6,  7,  8,  9,  10, 11,
                                       12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22,
                                       23, 24, 25, 26, 27, 28, 29, 30, 31, 32};

/* Runs one handshake of BoringSSL's client offering |sess| (may be NULL)
 * against our server, checks it resumed iff |resumed|, and returns the
 * client's new session (SSL_SESSION_free it). */
static SSL_SESSION *run_resumption(fixture *f, th_config *cfg, SSL_CTX *ctx, SSL_SESSION *sess,
                                   int resumed, uint16_t suite) {
    th_bssl_pair p;
    pair_init(&p, cfg, ctx);
    if (sess != NULL) {
        assert_true(SSL_set_session(p.ssl, sess));
    }
    th_bssl_pair_shuttle(&p);
    expect_established(&p, TH_VERSION_TLS12, suite);
    th_conn_status st;
    th_conn_get_status(p.c, &st);
    assert_int_equal(st.resumed, resumed);
    assert_int_equal(SSL_session_reused(p.ssl), resumed);
    th_bssl_pair_exchange_small(&p);
    SSL_SESSION *out = SSL_get1_session(p.ssl);
    assert_non_null(out);
    th_bssl_pair_free(&p);
    return out;
}

static void test_resumption_by_ticket(void **state) {
    fixture *f = *state;
    static const char *const kSuiteNames[] = {"ECDHE-ECDSA-AES128-GCM-SHA256",
                                              "ECDHE-RSA-AES256-SHA", "AES128-GCM-SHA256"};
    static const uint16_t kSuiteIds[] = {TH_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
                                         TH_TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA,
                                         TH_TLS_RSA_WITH_AES_128_GCM_SHA256};
    for (size_t i = 0; i < 3; i++) {
        th_ticket_ctx *t = th_ticket_ctx_new(kTicketKey, 0);
        uint64_t seed = 60 + i;
        th_config cfg;
        base_config(&cfg, f, &seed);
        cfg.tickets = t;
        g_now = 1700000000;
        SSL_CTX *ctx = bssl_client_ctx(TLS1_2_VERSION, TLS1_2_VERSION, kSuiteNames[i]);
        SSL_SESSION *s1 = run_resumption(f, &cfg, ctx, NULL, 0, kSuiteIds[i]);
        g_now += 100;
        SSL_SESSION *s2 = run_resumption(f, &cfg, ctx, s1, 1, kSuiteIds[i]);
        /* Past the lifetime (7200 s): a full handshake. */
        g_now += 7200;
        SSL_SESSION *s3 = run_resumption(f, &cfg, ctx, s1, 0, kSuiteIds[i]);
        SSL_SESSION_free(s1);
        SSL_SESSION_free(s2);
        SSL_SESSION_free(s3);
        SSL_CTX_free(ctx);
        th_ticket_ctx_free(t);
    }
    g_now = 1700000000;
}

static void test_resumption_by_session_id(void **state) {
    fixture *f = *state;
    th_session_cache *cache = th_session_cache_new(4);
    uint64_t seed = 70;
    th_config cfg;
    base_config(&cfg, f, &seed);
    cfg.session_cache = cache;
    g_now = 1700000000;
    SSL_CTX *ctx = bssl_client_ctx(TLS1_2_VERSION, TLS1_2_VERSION, NULL);
    SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET);
    SSL_SESSION *s1 = run_resumption(f, &cfg, ctx, NULL, 0, 0);
    unsigned id_len;
    SSL_SESSION_get_id(s1, &id_len);
    assert_int_equal(id_len, 32);
    SSL_SESSION *s2 = run_resumption(f, &cfg, ctx, s1, 1, 0);
    /* A server without the cache does a full handshake. */
    cfg.session_cache = NULL;
    SSL_SESSION *s3 = run_resumption(f, &cfg, ctx, s1, 0, 0);
    SSL_SESSION_free(s1);
    SSL_SESSION_free(s2);
    SSL_SESSION_free(s3);
    SSL_CTX_free(ctx);
    th_session_cache_free(cache);
}

static void test_resumption_with_other_suite_is_full_handshake(void **state) {
    fixture *f = *state;
    th_ticket_ctx *t = th_ticket_ctx_new(kTicketKey, 0);
    uint64_t seed = 80;
    th_config cfg;
    base_config(&cfg, f, &seed);
    cfg.tickets = t;
    SSL_CTX *ctx = bssl_client_ctx(TLS1_2_VERSION, TLS1_2_VERSION,
                                   "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384");
    static const uint16_t first[] = {TH_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256};
    static const uint16_t second[] = {TH_TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384};
    cfg.cipher_suites = first;
    cfg.num_cipher_suites = 1;
    SSL_SESSION *s1 = run_resumption(f, &cfg, ctx, NULL, 0, first[0]);
    /* Our server no longer has the session's suite: a full handshake. */
    cfg.cipher_suites = second;
    SSL_SESSION *s2 = run_resumption(f, &cfg, ctx, s1, 0, second[0]);
    SSL_SESSION_free(s1);
    SSL_SESSION_free(s2);
    SSL_CTX_free(ctx);
    th_ticket_ctx_free(t);
}

static void test_client_auth(void **state) {
    fixture *f = *state;
    static const char *const leaves[] = {"client-ecdsa-p256", "client-rsa2048"};
    for (size_t i = 0; i < 2; i++) {
        uint64_t seed = 90 + i;
        th_config cfg;
        th_bssl_pair p;
        base_config(&cfg, f, &seed);
        cfg.request_client_cert = 1;
        cfg.require_client_cert = 1;
        SSL_CTX *ctx = bssl_client_ctx(TLS1_2_VERSION, TLS1_2_VERSION, NULL);
        char cert[512], key[512];
        snprintf(cert, sizeof(cert), PKI "%s-chain.pem", leaves[i]);
        snprintf(key, sizeof(key), PKI "%s.key", leaves[i]);
        assert_true(SSL_CTX_use_certificate_chain_file(ctx, cert));
        assert_true(SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM));
        pair_init(&p, &cfg, ctx);
        SSL_CTX_free(ctx);
        th_bssl_pair_shuttle(&p);
        expect_established(&p, TH_VERSION_TLS12, 0);
        th_conn_status st;
        th_conn_get_status(p.c, &st);
        assert_true(st.peer_authenticated);
        assert_int_not_equal(st.sig_scheme, 0);
        size_t n;
        assert_non_null(th_conn_peer_chain(p.c, &n));
        assert_true(n >= 1);
        th_bssl_pair_exchange_small(&p);
        th_bssl_pair_free(&p);
    }
}

static void test_missing_required_client_cert_is_handshake_failure(void **state) {
    fixture *f = *state;
    uint64_t seed = 95;
    th_config cfg;
    th_bssl_pair p;
    base_config(&cfg, f, &seed);
    cfg.request_client_cert = 1;
    cfg.require_client_cert = 1;
    SSL_CTX *ctx = bssl_client_ctx(TLS1_2_VERSION, TLS1_2_VERSION, NULL);
    pair_init(&p, &cfg, ctx);
    SSL_CTX_free(ctx);
    th_bssl_pair_shuttle(&p);
    th_conn_status st;
    th_conn_get_status(p.c, &st);
    assert_int_equal(st.state, TH_CONN_FAILED);
    assert_int_equal(st.alert_sent, TH_ALERT_HANDSHAKE_FAILURE);
    th_bssl_pair_free(&p);
    /* Optional client authentication goes on without one. */
    cfg.require_client_cert = 0;
    ctx = bssl_client_ctx(TLS1_2_VERSION, TLS1_2_VERSION, NULL);
    pair_init(&p, &cfg, ctx);
    SSL_CTX_free(ctx);
    th_bssl_pair_shuttle(&p);
    expect_established(&p, TH_VERSION_TLS12, 0);
    th_conn_get_status(p.c, &st);
    assert_false(st.peer_authenticated);
    th_bssl_pair_exchange_small(&p);
    th_bssl_pair_free(&p);
}

static void test_alpn(void **state) {
    fixture *f = *state;
    static const char *const ours[] = {"h2", "http/1.1"};
    static const uint8_t theirs[] = "\x08http/1.1\x02h2";
    uint64_t seed = 99;
    th_config cfg;
    th_bssl_pair p;
    base_config(&cfg, f, &seed);
    cfg.alpn = ours;
    cfg.num_alpn = 2;
    SSL_CTX *ctx = bssl_client_ctx(TLS1_2_VERSION, TLS1_2_VERSION, NULL);
    pair_init(&p, &cfg, ctx);
    assert_int_equal(SSL_set_alpn_protos(p.ssl, theirs, sizeof(theirs) - 1), 0);
    th_bssl_pair_shuttle(&p);
    expect_established(&p, TH_VERSION_TLS12, 0);
    const uint8_t *sel;
    unsigned sel_len;
    SSL_get0_alpn_selected(p.ssl, &sel, &sel_len);
    assert_int_equal(sel_len, 2);
    assert_memory_equal(sel, "h2", 2);
    th_conn_status st;
    th_conn_get_status(p.c, &st);
    assert_int_equal(st.alpn.len, 2);
    th_bssl_pair_free(&p);
    /* No overlap: no_application_protocol (RFC 7301 §3.2). */
    static const uint8_t other[] = "\x06spdy/3";
    pair_init(&p, &cfg, ctx);
    assert_int_equal(SSL_set_alpn_protos(p.ssl, other, sizeof(other) - 1), 0);
    th_bssl_pair_shuttle(&p);
    th_conn_get_status(p.c, &st);
    assert_int_equal(st.state, TH_CONN_FAILED);
    assert_int_equal(st.alert_sent, TH_ALERT_NO_APPLICATION_PROTOCOL);
    th_bssl_pair_free(&p);
    SSL_CTX_free(ctx);
}

static void keylog_cb(void *ctx, const char *line) {
    snprintf(ctx, 256, "%s", line);
}

/* The key log line names BoringSSL's master secret; KeyUpdate is TLS 1.3
 * only; our record_size_limit stays unnegotiated with a client that sent
 * none; 1 MiB each way. */
static void test_keylog_key_update_and_unsent_rsl(void **state) {
    fixture *f = *state;
    uint64_t seed = 101;
    char line[256] = "";
    th_config cfg;
    th_bssl_pair p;
    base_config(&cfg, f, &seed);
    cfg.record_size_limit = 1000;
    cfg.keylog = keylog_cb;
    cfg.keylog_ctx = line;
    SSL_CTX *ctx = bssl_client_ctx(TLS1_2_VERSION, TLS1_2_VERSION, NULL);
    pair_init(&p, &cfg, ctx);
    SSL_CTX_free(ctx);
    th_bssl_pair_shuttle(&p);
    expect_established(&p, TH_VERSION_TLS12, 0);
    uint8_t master[48];
    assert_int_equal(SSL_SESSION_get_master_key(SSL_get_session(p.ssl), master, 48), 48);
    char hex[97];
    for (size_t i = 0; i < 48; i++) {
        snprintf(hex + 2 * i, 3, "%02x", master[i]);
    }
    assert_int_equal(strncmp(line, "CLIENT_RANDOM ", 14), 0);
    assert_string_equal(line + 14 + 64 + 1, hex);
    th_conn_status st;
    th_conn_get_status(p.c, &st);
    assert_int_equal(st.peer_record_size_limit, 0);
    assert_false(th_conn_key_update(p.c, 0));
    th_bssl_pair_bulk(&p, test_random, &seed);
    th_bssl_pair_free(&p);
}

static void test_ocsp_stapling(void **state) {
    fixture *f = *state;
    static const uint8_t kResponse[] = {0x30, 0x03, 0x0a, 0x01, 0x00};
    uint64_t seed = 103;
    th_config cfg;
    th_bssl_pair p;
    base_config(&cfg, f, &seed);
    cfg.ocsp_response = kResponse;
    cfg.ocsp_response_len = sizeof(kResponse);
    SSL_CTX *ctx = bssl_client_ctx(TLS1_2_VERSION, TLS1_2_VERSION, NULL);
    pair_init(&p, &cfg, ctx);
    SSL_enable_ocsp_stapling(p.ssl);
    th_bssl_pair_shuttle(&p);
    expect_established(&p, TH_VERSION_TLS12, 0);
    const uint8_t *resp;
    size_t resp_len;
    SSL_get0_ocsp_response(p.ssl, &resp, &resp_len);
    assert_int_equal(resp_len, sizeof(kResponse));
    assert_memory_equal(resp, kResponse, sizeof(kResponse));
    th_bssl_pair_free(&p);
    /* Not asked for: not sent. */
    pair_init(&p, &cfg, ctx);
    th_bssl_pair_shuttle(&p);
    expect_established(&p, TH_VERSION_TLS12, 0);
    SSL_get0_ocsp_response(p.ssl, &resp, &resp_len);
    assert_int_equal(resp_len, 0);
    th_bssl_pair_free(&p);
    SSL_CTX_free(ctx);
}

static void test_rsa_only_server_picks_rsa_suites(void **state) {
    fixture *f = *state;
    uint64_t seed = 104;
    th_config cfg;
    th_bssl_pair p;
    base_config(&cfg, f, &seed);
    cfg.cert_key = &f->rsa_ck;
    cfg.cert_keys = NULL;
    cfg.num_cert_keys = 0;
    SSL_CTX *ctx = bssl_client_ctx(TLS1_2_VERSION, TLS1_2_VERSION, NULL);
    pair_init(&p, &cfg, ctx);
    SSL_CTX_free(ctx);
    th_bssl_pair_shuttle(&p);
    expect_established(&p, TH_VERSION_TLS12, TH_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256);
    th_bssl_pair_exchange_small(&p);
    th_bssl_pair_free(&p);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_suite_and_group),
        cmocka_unit_test(test_bulk_every_cipher_family),
        cmocka_unit_test(test_version_negotiation),
        cmocka_unit_test(test_fallback_scsv_is_inappropriate_fallback),
        cmocka_unit_test(test_resumption_by_ticket),
        cmocka_unit_test(test_resumption_by_session_id),
        cmocka_unit_test(test_resumption_with_other_suite_is_full_handshake),
        cmocka_unit_test(test_client_auth),
        cmocka_unit_test(test_missing_required_client_cert_is_handshake_failure),
        cmocka_unit_test(test_alpn),
        cmocka_unit_test(test_keylog_key_update_and_unsent_rsl),
        cmocka_unit_test(test_ocsp_stapling),
        cmocka_unit_test(test_rsa_only_server_picks_rsa_suites),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
