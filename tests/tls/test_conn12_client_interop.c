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

/* Our client and a BoringSSL server joined by two memory BIOs (to_ssl: what
 * the server reads; from_ssl: what it writes). */
typedef struct {
    th_conn *c;
    SSL *ssl;
    BIO *to_ssl, *from_ssl;
    int ssl_done, ssl_failed, ssl_closed;
    uint8_t *ssl_in; /* application data BoringSSL read */
    size_t ssl_in_len;
    uint8_t *our_in; /* application data we read */
    size_t our_in_len;
    /* Rewrites each record from BoringSSL before we see it. */
    void (*tamper)(uint8_t *rec, size_t len);
} pair;

static void grow_append(uint8_t **buf, size_t *len, const uint8_t *data, size_t n) {
    uint8_t *p = realloc(*buf, *len + n + 1);
    assert_non_null(p);
    memcpy(p + *len, data, n);
    *buf = p;
    *len += n;
}

/* Moves bytes both ways and drives both sides until nothing moves. */
static void shuttle(pair *p) {
    static uint8_t buf[65536];
    for (int iter = 0; iter < 100000; iter++) {
        int progress = 0;
        size_t n;
        const uint8_t *out = th_conn_pending_output(p->c, &n);
        if (n != 0) {
            assert_int_equal(BIO_write(p->to_ssl, out, (int)n), (int)n);
            th_conn_consume_output(p->c, n);
            progress = 1;
        }
        if (!p->ssl_done && !p->ssl_failed) {
            int r = SSL_do_handshake(p->ssl);
            if (r == 1) {
                p->ssl_done = 1;
                progress = 1;
            } else if (SSL_get_error(p->ssl, r) != SSL_ERROR_WANT_READ) {
                p->ssl_failed = 1;
                progress = 1;
            }
        }
        if (p->ssl_done && !p->ssl_closed && !p->ssl_failed) {
            int r;
            while ((r = SSL_read(p->ssl, buf, sizeof(buf))) > 0) {
                grow_append(&p->ssl_in, &p->ssl_in_len, buf, (size_t)r);
                progress = 1;
            }
            int e = SSL_get_error(p->ssl, r);
            if (e == SSL_ERROR_ZERO_RETURN) {
                p->ssl_closed = 1;
                progress = 1;
            } else if (e != SSL_ERROR_WANT_READ) {
                p->ssl_failed = 1;
                progress = 1;
            }
        }
        int r = BIO_read(p->from_ssl, buf, sizeof(buf));
        if (r > 0) {
            /* Records go in one at a time so a tamper hook sees each. */
            size_t off = 0;
            while (off < (size_t)r) {
                size_t chunk = (size_t)r - off;
                if (p->tamper != NULL && chunk >= TH_RECORD_HEADER_LEN) {
                    size_t rec_len =
                        TH_RECORD_HEADER_LEN + ((size_t)buf[off + 3] << 8 | buf[off + 4]);
                    chunk = rec_len < chunk ? rec_len : chunk;
                    p->tamper(buf + off, chunk);
                }
                if (!th_conn_recv(p->c, buf + off, chunk)) {
                    /* The status tells; the test checks it. */
                }
                off += chunk;
            }
            progress = 1;
        }
        size_t got;
        while ((got = th_conn_read_app(p->c, buf, sizeof(buf))) > 0) {
            grow_append(&p->our_in, &p->our_in_len, buf, got);
            progress = 1;
        }
        if (!progress) {
            return;
        }
    }
    fail_msg("shuttle did not settle");
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
static void pair_init(pair *p, th_config *cfg, SSL_CTX *ctx) {
    memset(p, 0, sizeof(*p));
    p->c = th_conn_new(cfg, TH_ROLE_CLIENT);
    assert_non_null(p->c);
    p->ssl = SSL_new(ctx);
    assert_non_null(p->ssl);
    p->to_ssl = BIO_new(BIO_s_mem());
    p->from_ssl = BIO_new(BIO_s_mem());
    BIO_set_mem_eof_return(p->to_ssl, -1);
    BIO_set_mem_eof_return(p->from_ssl, -1);
    SSL_set_bio(p->ssl, p->to_ssl, p->from_ssl);
    SSL_set_accept_state(p->ssl);
}

static void pair_free(pair *p) {
    th_conn_free(p->c);
    SSL_free(p->ssl);
    free(p->ssl_in);
    free(p->our_in);
    ERR_clear_error();
}

static void expect_established(pair *p, uint16_t suite) {
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

/* A few bytes each way prove both directions' keys. */
static void exchange_small(pair *p) {
    static const char ping[] = "ping", pong[] = "pong";
    assert_true(th_conn_write_app(p->c, (const uint8_t *)ping, 4, 0));
    shuttle(p);
    assert_int_equal(p->ssl_in_len, 4);
    assert_memory_equal(p->ssl_in, ping, 4);
    assert_int_equal(SSL_write(p->ssl, pong, 4), 4);
    shuttle(p);
    assert_int_equal(p->our_in_len, 4);
    assert_memory_equal(p->our_in, pong, 4);
    p->ssl_in_len = p->our_in_len = 0;
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
            pair p;
            client_config(&cfg, f, &seed);
            cfg.cipher_suites = &s->id;
            cfg.num_cipher_suites = 1;
            cfg.groups = &kGroups[g];
            cfg.num_groups = 1;
            SSL_CTX *ctx = server_ctx(leaf_for(s), 0);
            pair_init(&p, &cfg, ctx);
            shuttle(&p);
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
            exchange_small(&p);
            pair_free(&p);
            SSL_CTX_free(ctx);
        }
    }
}

/* 1 MiB each way in random record sizes. */
static void bulk(pair *p, uint64_t *seed) {
    size_t total = 1 << 20;
    uint8_t *data = malloc(total);
    assert_non_null(data);
    test_random(seed, data, total);
    size_t off = 0;
    while (off < total) {
        uint8_t r[4];
        test_random(seed, r, sizeof(r));
        size_t n = 1 + ((size_t)r[0] << 8 | r[1]) % 20000;
        size_t max_record = 1 + ((size_t)r[2] << 8 | r[3]) % 16384;
        if (n > total - off) {
            n = total - off;
        }
        assert_true(th_conn_write_app(p->c, data + off, n, max_record));
        off += n;
        if (r[0] & 1) {
            shuttle(p);
        }
    }
    shuttle(p);
    assert_int_equal(p->ssl_in_len, total);
    assert_memory_equal(p->ssl_in, data, total);
    off = 0;
    while (off < total) {
        uint8_t r[2];
        test_random(seed, r, sizeof(r));
        int n = 1 + (int)(((size_t)r[0] << 8 | r[1]) % 16384);
        if ((size_t)n > total - off) {
            n = (int)(total - off);
        }
        assert_int_equal(SSL_write(p->ssl, data + off, n), n);
        off += (size_t)n;
        if (r[0] & 1) {
            shuttle(p);
        }
    }
    shuttle(p);
    assert_int_equal(p->our_in_len, total);
    assert_memory_equal(p->our_in, data, total);
    p->ssl_in_len = p->our_in_len = 0;
    free(data);
}

/* close_notify both ways, ours first. */
static void close_both(pair *p) {
    assert_true(th_conn_close(p->c));
    shuttle(p);
    assert_true(p->ssl_closed);
    assert_int_equal(SSL_shutdown(p->ssl), 1);
    shuttle(p);
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
        pair p;
        client_config(&cfg, f, &seed);
        cfg.cipher_suites = &suites[i];
        cfg.num_cipher_suites = 1;
        SSL_CTX *ctx = server_ctx(leaf_for(th_tls12_suite_find(suites[i])), 0);
        pair_init(&p, &cfg, ctx);
        shuttle(&p);
        expect_established(&p, suites[i]);
        bulk(&p, &seed);
        close_both(&p);
        pair_free(&p);
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
    pair p;
    client_config(&cfg, f, &seed);
    if (dual) {
        cfg.versions = kTls12And13;
        cfg.num_versions = 2;
    }
    pair_init(&p, &cfg, ctx);
    shuttle(&p);
    expect_established(&p, TH_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256);
    th_conn_status st;
    th_conn_get_status(p.c, &st);
    assert_int_equal(st.tickets_received, expect_ticket ? 1 : 0);
    exchange_small(&p);
    th_session *sess = th_conn_take_session(p.c);
    assert_non_null(sess);
    pair_free(&p);

    cfg.session = sess;
    pair_init(&p, &cfg, ctx);
    shuttle(&p);
    expect_established(&p, TH_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256);
    th_conn_get_status(p.c, &st);
    assert_true(st.resumed);
    assert_true(st.peer_authenticated);
    assert_true(SSL_session_reused(p.ssl));
    exchange_small(&p);
    /* The resumed session can be offered again. */
    th_session *again = th_conn_take_session(p.c);
    assert_non_null(again);
    pair_free(&p);

    cfg.session = again;
    pair_init(&p, &cfg, ctx);
    shuttle(&p);
    expect_established(&p, TH_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256);
    assert_true(SSL_session_reused(p.ssl));
    pair_free(&p);
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
        pair p;
        client_config(&cfg, f, &seed);
        cfg.cert_key = &f->client_ck;
        cfg.cipher_suites = &suites[i];
        cfg.num_cipher_suites = 1;
        SSL_CTX *ctx = server_ctx("server-rsa2048", 0);
        assert_true(SSL_CTX_load_verify_locations(ctx, PKI "trust-bundle.pem", NULL));
        SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, NULL);
        pair_init(&p, &cfg, ctx);
        shuttle(&p);
        expect_established(&p, suites[i]);
        X509 *peer = SSL_get_peer_certificate(p.ssl);
        assert_non_null(peer);
        X509_free(peer);
        assert_int_equal(SSL_get_peer_signature_algorithm(p.ssl), TH_SIG_ECDSA_SECP256R1_SHA256);
        exchange_small(&p);
        pair_free(&p);

        /* Without a certificate: an empty Certificate, which this server
         * refuses. */
        client_config(&cfg, f, &seed);
        cfg.cipher_suites = &suites[i];
        cfg.num_cipher_suites = 1;
        pair_init(&p, &cfg, ctx);
        shuttle(&p);
        assert_true(p.ssl_failed);
        th_conn_status st;
        th_conn_get_status(p.c, &st);
        assert_int_equal(st.state, TH_CONN_FAILED);
        assert_true(st.has_alert_received);
        assert_int_equal(st.alert_received, TH_ALERT_HANDSHAKE_FAILURE);
        pair_free(&p);
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
    pair p;
    client_config(&cfg, f, &seed);
    cfg.alpn = ours;
    cfg.num_alpn = 2;
    SSL_CTX *ctx = server_ctx("server-ecdsa-p256", 0);
    SSL_CTX_set_alpn_select_cb(ctx, alpn_select, NULL);
    pair_init(&p, &cfg, ctx);
    shuttle(&p);
    expect_established(&p, TH_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256);
    th_conn_status st;
    th_conn_get_status(p.c, &st);
    assert_int_equal(st.alpn.len, 8);
    assert_memory_equal(st.alpn.data, "http/1.1", 8);
    pair_free(&p);
    SSL_CTX_free(ctx);
}

static void test_tls13_capable_server_sentinel_ignored_by_tls12_client(void **state) {
    fixture *f = *state;
    uint64_t seed = 90;
    th_config cfg;
    pair p;
    client_config(&cfg, f, &seed);
    SSL_CTX *ctx = server_ctx("server-ecdsa-p256", 1);
    pair_init(&p, &cfg, ctx);
    shuttle(&p);
    /* RFC 8446 §4.1.3: the sentinel is for TLS 1.3 clients to check; a
     * TLS 1.2-only client completes. */
    expect_established(&p, TH_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256);
    exchange_small(&p);
    pair_free(&p);
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
    pair p;
    client_config(&cfg, f, &seed);
    SSL_CTX *ctx = server_ctx("server-ecdsa-p256", 0);
    pair_init(&p, &cfg, ctx);
    g_after_ccs = 0;
    p.tamper = tamper_finished;
    shuttle(&p);
    th_conn_status st;
    th_conn_get_status(p.c, &st);
    assert_int_equal(st.state, TH_CONN_FAILED);
    assert_true(st.has_alert_sent);
    assert_int_equal(st.alert_sent, TH_ALERT_BAD_RECORD_MAC);
    pair_free(&p);
    SSL_CTX_free(ctx);
}

static void test_unknown_ca_is_unknown_ca(void **state) {
    fixture *f = *state;
    uint64_t seed = 96;
    th_config cfg;
    pair p;
    client_config(&cfg, f, &seed);
    SSL_CTX *ctx = server_ctx("bad-unknown-ca", 0);
    pair_init(&p, &cfg, ctx);
    shuttle(&p);
    th_conn_status st;
    th_conn_get_status(p.c, &st);
    assert_int_equal(st.state, TH_CONN_FAILED);
    assert_int_equal(st.alert_sent, TH_ALERT_UNKNOWN_CA);
    assert_true(p.ssl_failed);
    pair_free(&p);
    SSL_CTX_free(ctx);
}

static void test_ocsp_stapling(void **state) {
    fixture *f = *state;
    static const uint8_t kOcsp[] = {0x30, 0x03, 0x0a, 0x01, 0x00};
    uint64_t seed = 97;
    th_config cfg;
    pair p;
    size_t n;
    client_config(&cfg, f, &seed);
    cfg.ocsp_stapling = 1;
    SSL_CTX *ctx = server_ctx("server-ecdsa-p256", 0);
    assert_true(SSL_CTX_set_ocsp_response(ctx, kOcsp, sizeof(kOcsp)));
    pair_init(&p, &cfg, ctx);
    shuttle(&p);
    expect_established(&p, TH_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256);
    const uint8_t *ocsp = th_conn_peer_ocsp(p.c, &n);
    assert_int_equal(n, sizeof(kOcsp));
    assert_memory_equal(ocsp, kOcsp, n);
    pair_free(&p);
    /* Not asked for: not sent. */
    client_config(&cfg, f, &seed);
    pair_init(&p, &cfg, ctx);
    shuttle(&p);
    expect_established(&p, TH_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256);
    assert_null(th_conn_peer_ocsp(p.c, &n));
    pair_free(&p);
    SSL_CTX_free(ctx);
}

/* Our client offering TLS 1.3 and 1.2: TLS 1.2 with a BoringSSL server
 * limited to it, TLS 1.3 with one that has both. */
static void test_dual_version_client(void **state) {
    fixture *f = *state;
    for (int max13 = 0; max13 < 2; max13++) {
        uint64_t seed = 98 + max13;
        th_config cfg;
        pair p;
        client_config(&cfg, f, &seed);
        cfg.versions = kTls12And13;
        cfg.num_versions = 2;
        SSL_CTX *ctx = server_ctx("server-rsa2048", max13);
        pair_init(&p, &cfg, ctx);
        shuttle(&p);
        th_conn_status st;
        th_conn_get_status(p.c, &st);
        assert_int_equal(st.state, TH_CONN_ESTABLISHED);
        assert_int_equal(st.version, max13 ? TH_VERSION_TLS13 : TH_VERSION_TLS12);
        assert_int_equal(SSL_version(p.ssl), max13 ? TLS1_3_VERSION : TLS1_2_VERSION);
        exchange_small(&p);
        pair_free(&p);
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
