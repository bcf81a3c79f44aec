/* Our engine against BoringSSL's libssl, in process over memory BIOs: our
 * client vs BoringSSL's server and BoringSSL's client vs our server, for
 * every suite × group, HelloRetryRequest, ALPN, client authentication, 1 MiB
 * each way in random record sizes, KeyUpdate both ways and close_notify; the
 * alerts for a bad server Finished, a wrong host and an unknown CA; and
 * tickets, resumption and 0-RTT both ways; certificate choice by SNI and by
 * the client's signature algorithms, middlebox-compatibility CCS both ways,
 * record_size_limit left unnegotiated, automatic KeyUpdate at the usage
 * limit in both directions, post_handshake_auth (which BoringSSL lacks),
 * half-close both ways and RSA-PSS SHA-384/512 server signatures both ways. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/mem.h>
#include <openssl/ssl.h>

#include "conn.h"
#include "conn_internal.h"
#include "handshake.h"
#include "record.h"
#include "record_layer.h"
#include "testutil.h"

#define PKI TH_TEST_PKI_DIR

static const uint16_t kSuites[] = {TH_TLS_AES_128_GCM_SHA256, TH_TLS_AES_256_GCM_SHA384,
                                   TH_TLS_CHACHA20_POLY1305_SHA256};
static const uint16_t kGroups[] = {TH_GROUP_X25519, TH_GROUP_SECP256R1, TH_GROUP_SECP384R1};
static const char *const kGroupNames[] = {"X25519", "P-256", "P-384"};

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
    th_cert_key server_ck, client_ck, unknown_ca_ck, wrong_host_ck;
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

/* One connection pair: our th_conn and a BoringSSL SSL joined by two memory
 * BIOs (to_ssl: what SSL reads; from_ssl: what SSL writes). */
typedef struct {
    th_conn *c;
    SSL_CTX *ctx;
    SSL *ssl;
    BIO *to_ssl, *from_ssl;
    int ssl_done, ssl_failed, ssl_closed;
    int ssl_early_rejected; /* BoringSSL's client saw its 0-RTT data rejected */
    uint8_t *ssl_in;        /* application data BoringSSL read */
    size_t ssl_in_len;
    uint8_t *our_in; /* application data we read */
    size_t our_in_len;
    /* Rewrites records from BoringSSL before we see them (negative tests). */
    void (*tamper)(void *ctx, uint8_t *buf, size_t len);
    void *tamper_ctx;
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
            } else if (SSL_get_error(p->ssl, r) == SSL_ERROR_EARLY_DATA_REJECTED) {
                SSL_reset_early_data_reject(p->ssl);
                p->ssl_early_rejected = 1;
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
            if (e == SSL_ERROR_EARLY_DATA_REJECTED) {
                /* The handshake goes on in 1-RTT (RFC 8446 §4.2.10). */
                SSL_reset_early_data_reject(p->ssl);
                p->ssl_early_rejected = 1;
                p->ssl_done = 0;
                progress = 1;
            } else if (e == SSL_ERROR_ZERO_RETURN) {
                p->ssl_closed = 1;
                progress = 1;
            } else if (e != SSL_ERROR_WANT_READ) {
                p->ssl_failed = 1;
                progress = 1;
            }
        }
        int r = BIO_read(p->from_ssl, buf, sizeof(buf));
        if (r > 0) {
            /* With a tamper hook, records go in one at a time so the hook
             * sees the keys our side derived from the records before. */
            size_t off = 0;
            while (off < (size_t)r) {
                size_t chunk = (size_t)r - off;
                if (p->tamper != NULL && chunk >= TH_RECORD_HEADER_LEN) {
                    size_t rec_len =
                        TH_RECORD_HEADER_LEN + ((size_t)buf[off + 3] << 8 | buf[off + 4]);
                    chunk = rec_len < chunk ? rec_len : chunk;
                    p->tamper(p->tamper_ctx, buf + off, chunk);
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

static void pair_init(pair *p, SSL_CTX *ctx, int ssl_is_server, th_conn *c) {
    memset(p, 0, sizeof(*p));
    p->ctx = ctx;
    p->c = c;
    assert_non_null(c);
    p->ssl = SSL_new(ctx);
    assert_non_null(p->ssl);
    p->to_ssl = BIO_new(BIO_s_mem());
    p->from_ssl = BIO_new(BIO_s_mem());
    BIO_set_mem_eof_return(p->to_ssl, -1);
    BIO_set_mem_eof_return(p->from_ssl, -1);
    SSL_set_bio(p->ssl, p->to_ssl, p->from_ssl);
    if (ssl_is_server) {
        SSL_set_accept_state(p->ssl);
    } else {
        SSL_set_connect_state(p->ssl);
    }
}

static void pair_free(pair *p) {
    th_conn_free(p->c);
    SSL_free(p->ssl);
    SSL_CTX_free(p->ctx);
    free(p->ssl_in);
    free(p->our_in);
    ERR_clear_error();
}

static SSL_CTX *bssl_ctx(int server, const char *leaf) {
    SSL_CTX *ctx = SSL_CTX_new(TLS_method());
    assert_non_null(ctx);
    assert_true(SSL_CTX_set_min_proto_version(ctx, TLS1_3_VERSION));
    assert_true(SSL_CTX_set_max_proto_version(ctx, TLS1_3_VERSION));
    if (server) {
        char cert[512], key[512];
        snprintf(cert, sizeof(cert), PKI "%s-chain.pem", leaf);
        snprintf(key, sizeof(key), PKI "%s.key", leaf);
        assert_true(SSL_CTX_use_certificate_chain_file(ctx, cert));
        assert_true(SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM));
    } else {
        assert_true(SSL_CTX_load_verify_locations(ctx, PKI "trust-bundle.pem", NULL));
        SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
    }
    return ctx;
}

static void base_config(th_config *cfg, fixture *f, uint64_t *seed) {
    memset(cfg, 0, sizeof(*cfg));
    cfg->random = test_random;
    cfg->random_ctx = seed;
    cfg->now = test_now;
    cfg->trust_store = f->store;
}

/* Our client against a BoringSSL server. */
static void client_pair(pair *p, fixture *f, th_config *cfg, SSL_CTX *ctx) {
    cfg->server_name = "localhost";
    pair_init(p, ctx, 1, th_conn_new(cfg, TH_ROLE_CLIENT));
}

/* BoringSSL's client against our server. */
static void server_pair(pair *p, fixture *f, th_config *cfg, SSL_CTX *ctx) {
    cfg->cert_key = &f->server_ck;
    pair_init(p, ctx, 0, th_conn_new(cfg, TH_ROLE_SERVER));
    assert_true(SSL_set_tlsext_host_name(p->ssl, "localhost"));
    assert_true(SSL_set1_host(p->ssl, "localhost"));
}

static void expect_established(pair *p, uint16_t suite, uint16_t group) {
    th_conn_status st;
    th_conn_get_status(p->c, &st);
    if (st.state != TH_CONN_ESTABLISHED || !p->ssl_done) {
        fail_msg("not established: ours state %d alert sent %d/%u received %d/%u; bssl done %d "
                 "failed %d (%s)",
                 st.state, st.has_alert_sent, st.alert_sent, st.has_alert_received,
                 st.alert_received, p->ssl_done, p->ssl_failed,
                 ERR_reason_error_string(ERR_peek_error()));
    }
    assert_int_equal(st.version, TH_VERSION_TLS13);
    assert_int_equal(st.cipher_suite, suite);
    assert_int_equal(st.group, group);
    assert_int_equal(SSL_version(p->ssl), TLS1_3_VERSION);
    assert_int_equal(SSL_CIPHER_get_protocol_id(SSL_get_current_cipher(p->ssl)), suite);
    assert_int_equal(SSL_get_curve_id(p->ssl), group);
}

/* A few bytes each way prove both application keys. */
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

static void test_our_client_every_suite_and_group(void **state) {
    fixture *f = *state;
    for (size_t s = 0; s < 3; s++) {
        for (size_t g = 0; g < 3; g++) {
            uint64_t seed = 1 + s * 3 + g;
            th_config cfg;
            pair p;
            base_config(&cfg, f, &seed);
            cfg.cipher_suites = &kSuites[s];
            cfg.num_cipher_suites = 1;
            cfg.groups = &kGroups[g];
            cfg.num_groups = 1;
            client_pair(&p, f, &cfg, bssl_ctx(1, "server-ecdsa-p256"));
            shuttle(&p);
            expect_established(&p, kSuites[s], kGroups[g]);
            th_conn_status st;
            th_conn_get_status(p.c, &st);
            assert_int_equal(st.sig_scheme, TH_SIG_ECDSA_SECP256R1_SHA256);
            assert_true(st.peer_authenticated);
            assert_false(st.hello_retry);
            exchange_small(&p);
            /* BoringSSL sends two tickets after the handshake; the newest
             * is the session to take. */
            th_conn_get_status(p.c, &st);
            assert_int_equal(st.tickets_received, 2);
            th_session *sess = th_conn_take_session(p.c);
            assert_non_null(sess);
            assert_null(th_conn_take_session(p.c));
            th_session_free(sess);
            pair_free(&p);
        }
    }
}

static void test_bssl_client_every_suite_and_group(void **state) {
    fixture *f = *state;
    for (size_t s = 0; s < 3; s++) {
        for (size_t g = 0; g < 3; g++) {
            uint64_t seed = 100 + s * 3 + g;
            th_config cfg;
            pair p;
            base_config(&cfg, f, &seed);
            cfg.cipher_suites = &kSuites[s];
            cfg.num_cipher_suites = 1;
            cfg.groups = &kGroups[g];
            cfg.num_groups = 1;
            server_pair(&p, f, &cfg, bssl_ctx(0, NULL));
            assert_true(SSL_set1_curves_list(p.ssl, kGroupNames[g]));
            shuttle(&p);
            expect_established(&p, kSuites[s], kGroups[g]);
            assert_int_equal(SSL_get_peer_signature_algorithm(p.ssl),
                             TH_SIG_ECDSA_SECP256R1_SHA256);
            th_conn_status st;
            th_conn_get_status(p.c, &st);
            assert_int_equal(st.server_name.len, 9);
            assert_memory_equal(st.server_name.data, "localhost", 9);
            assert_false(SSL_used_hello_retry_request(p.ssl));
            exchange_small(&p);
            pair_free(&p);
        }
    }
}

static void test_our_server_sends_hrr_for_its_preferred_group(void **state) {
    fixture *f = *state;
    /* The server prefers P-256; BoringSSL's client sends an X25519 share. */
    static const uint16_t groups[] = {TH_GROUP_SECP256R1, TH_GROUP_X25519};
    uint64_t seed = 7;
    th_config cfg;
    pair p;
    base_config(&cfg, f, &seed);
    cfg.groups = groups;
    cfg.num_groups = 2;
    server_pair(&p, f, &cfg, bssl_ctx(0, NULL));
    assert_true(SSL_set1_curves_list(p.ssl, "X25519:P-256"));
    shuttle(&p);
    expect_established(&p, TH_TLS_AES_128_GCM_SHA256, TH_GROUP_SECP256R1);
    th_conn_status st;
    th_conn_get_status(p.c, &st);
    assert_true(st.hello_retry);
    assert_true(SSL_used_hello_retry_request(p.ssl));
    exchange_small(&p);
    pair_free(&p);
}

static void test_our_client_follows_bssl_hrr(void **state) {
    fixture *f = *state;
    static const uint16_t groups[] = {TH_GROUP_X25519, TH_GROUP_SECP384R1};
    for (size_t s = 0; s < 3; s++) {
        uint64_t seed = 8 + s;
        th_config cfg;
        pair p;
        base_config(&cfg, f, &seed);
        cfg.groups = groups;
        cfg.num_groups = 2;
        cfg.cipher_suites = &kSuites[s];
        cfg.num_cipher_suites = 1;
        client_pair(&p, f, &cfg, bssl_ctx(1, "server-ecdsa-p256"));
        assert_true(SSL_set1_curves_list(p.ssl, "P-384"));
        shuttle(&p);
        expect_established(&p, kSuites[s], TH_GROUP_SECP384R1);
        th_conn_status st;
        th_conn_get_status(p.c, &st);
        assert_true(st.hello_retry);
        assert_true(SSL_used_hello_retry_request(p.ssl));
        exchange_small(&p);
        pair_free(&p);
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

static void test_alpn_both_ways(void **state) {
    fixture *f = *state;
    static const char *const ours[] = {"spdy/1", "http/1.1"};
    uint64_t seed = 21;
    th_config cfg;
    pair p;
    th_conn_status st;
    const uint8_t *sel;
    unsigned sel_len;

    base_config(&cfg, f, &seed);
    cfg.alpn = ours;
    cfg.num_alpn = 2;
    SSL_CTX *ctx = bssl_ctx(1, "server-ecdsa-p256");
    SSL_CTX_set_alpn_select_cb(ctx, alpn_select, NULL);
    client_pair(&p, f, &cfg, ctx);
    shuttle(&p);
    expect_established(&p, TH_TLS_AES_128_GCM_SHA256, TH_GROUP_X25519);
    th_conn_get_status(p.c, &st);
    assert_int_equal(st.alpn.len, 8);
    assert_memory_equal(st.alpn.data, "http/1.1", 8);
    SSL_get0_alpn_selected(p.ssl, &sel, &sel_len);
    assert_int_equal(sel_len, 8);
    pair_free(&p);

    /* Our server picks its first name the client offers. */
    static const char *const server_ours[] = {"h2", "http/1.1"};
    base_config(&cfg, f, &seed);
    cfg.alpn = server_ours;
    cfg.num_alpn = 2;
    server_pair(&p, f, &cfg, bssl_ctx(0, NULL));
    assert_int_equal(SSL_set_alpn_protos(p.ssl, (const uint8_t *)"\x08http/1.1\x02h2", 12), 0);
    shuttle(&p);
    expect_established(&p, TH_TLS_AES_128_GCM_SHA256, TH_GROUP_X25519);
    th_conn_get_status(p.c, &st);
    assert_int_equal(st.alpn.len, 2);
    assert_memory_equal(st.alpn.data, "h2", 2);
    SSL_get0_alpn_selected(p.ssl, &sel, &sel_len);
    assert_int_equal(sel_len, 2);
    assert_memory_equal(sel, "h2", 2);
    pair_free(&p);
}

static void test_alpn_without_overlap_is_no_application_protocol(void **state) {
    fixture *f = *state;
    static const char *const ours[] = {"http/1.1"};
    uint64_t seed = 22;
    th_config cfg;
    pair p;
    base_config(&cfg, f, &seed);
    cfg.alpn = ours;
    cfg.num_alpn = 1;
    server_pair(&p, f, &cfg, bssl_ctx(0, NULL));
    assert_int_equal(SSL_set_alpn_protos(p.ssl, (const uint8_t *)"\x02h2", 3), 0);
    shuttle(&p);
    th_conn_status st;
    th_conn_get_status(p.c, &st);
    assert_int_equal(st.state, TH_CONN_FAILED);
    assert_true(st.has_alert_sent);
    assert_int_equal(st.alert_sent, TH_ALERT_NO_APPLICATION_PROTOCOL);
    assert_true(p.ssl_failed);
    pair_free(&p);
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

/* KeyUpdate both ways with data after each, then close_notify both ways. */
static void key_update_and_close(pair *p) {
    /* Ours asks BoringSSL to update too. */
    assert_true(th_conn_key_update(p->c, 1));
    shuttle(p);
    exchange_small(p);
    /* BoringSSL asks us to update. */
    assert_true(SSL_key_update(p->ssl, SSL_KEY_UPDATE_REQUESTED));
    assert_int_equal(SSL_write(p->ssl, "x", 1), 1);
    shuttle(p);
    assert_int_equal(p->our_in_len, 1);
    p->our_in_len = 0;
    exchange_small(p);
    assert_true(th_conn_close(p->c));
    shuttle(p);
    assert_true(p->ssl_closed);
    assert_int_equal(SSL_shutdown(p->ssl), 1);
    shuttle(p);
    th_conn_status st;
    th_conn_get_status(p->c, &st);
    assert_true(st.peer_closed);
    assert_true(st.we_closed);
    assert_int_equal(st.state, TH_CONN_CLOSED);
    assert_false(th_conn_write_app(p->c, (const uint8_t *)"x", 1, 0));
}

static void test_our_client_bulk_key_update_close(void **state) {
    fixture *f = *state;
    for (size_t s = 0; s < 3; s++) {
        uint64_t seed = 31 + s;
        th_config cfg;
        pair p;
        base_config(&cfg, f, &seed);
        cfg.cipher_suites = &kSuites[s];
        cfg.num_cipher_suites = 1;
        client_pair(&p, f, &cfg, bssl_ctx(1, "server-ecdsa-p256"));
        shuttle(&p);
        expect_established(&p, kSuites[s], TH_GROUP_X25519);
        bulk(&p, &seed);
        key_update_and_close(&p);
        pair_free(&p);
    }
}

static void test_our_server_bulk_key_update_close(void **state) {
    fixture *f = *state;
    for (size_t s = 0; s < 3; s++) {
        uint64_t seed = 41 + s;
        th_config cfg;
        pair p;
        base_config(&cfg, f, &seed);
        cfg.cipher_suites = &kSuites[s];
        cfg.num_cipher_suites = 1;
        server_pair(&p, f, &cfg, bssl_ctx(0, NULL));
        shuttle(&p);
        expect_established(&p, kSuites[s], TH_GROUP_X25519);
        bulk(&p, &seed);
        key_update_and_close(&p);
        pair_free(&p);
    }
}

static void test_client_auth_both_ways(void **state) {
    fixture *f = *state;
    uint64_t seed = 51;
    th_config cfg;
    pair p;
    th_conn_status st;

    /* Our client sends its certificate to a BoringSSL server that requires
     * one. */
    base_config(&cfg, f, &seed);
    cfg.cert_key = &f->client_ck;
    SSL_CTX *ctx = bssl_ctx(1, "server-ecdsa-p256");
    assert_true(SSL_CTX_load_verify_locations(ctx, PKI "trust-bundle.pem", NULL));
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, NULL);
    client_pair(&p, f, &cfg, ctx);
    shuttle(&p);
    expect_established(&p, TH_TLS_AES_128_GCM_SHA256, TH_GROUP_X25519);
    X509 *peer = SSL_get_peer_certificate(p.ssl);
    assert_non_null(peer);
    X509_free(peer);
    assert_int_equal(SSL_get_peer_signature_algorithm(p.ssl), TH_SIG_ECDSA_SECP256R1_SHA256);
    exchange_small(&p);
    pair_free(&p);

    /* Our server requires a certificate and BoringSSL's client sends one. */
    base_config(&cfg, f, &seed);
    cfg.request_client_cert = 1;
    cfg.require_client_cert = 1;
    ctx = bssl_ctx(0, NULL);
    char cert[512], key[512];
    snprintf(cert, sizeof(cert), PKI "client-ecdsa-p256-chain.pem");
    snprintf(key, sizeof(key), PKI "client-ecdsa-p256.key");
    assert_true(SSL_CTX_use_certificate_chain_file(ctx, cert));
    assert_true(SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM));
    server_pair(&p, f, &cfg, ctx);
    shuttle(&p);
    expect_established(&p, TH_TLS_AES_128_GCM_SHA256, TH_GROUP_X25519);
    th_conn_get_status(p.c, &st);
    assert_true(st.peer_authenticated);
    assert_int_equal(st.sig_scheme, TH_SIG_ECDSA_SECP256R1_SHA256);
    exchange_small(&p);
    pair_free(&p);
}

static void test_missing_required_client_cert_is_certificate_required(void **state) {
    fixture *f = *state;
    uint64_t seed = 52;
    th_config cfg;
    pair p;
    base_config(&cfg, f, &seed);
    cfg.request_client_cert = 1;
    cfg.require_client_cert = 1;
    server_pair(&p, f, &cfg, bssl_ctx(0, NULL));
    shuttle(&p);
    th_conn_status st;
    th_conn_get_status(p.c, &st);
    assert_int_equal(st.state, TH_CONN_FAILED);
    assert_int_equal(st.alert_sent, TH_ALERT_CERTIFICATE_REQUIRED);
    pair_free(&p);

    /* Requested but optional: the handshake completes unauthenticated. */
    base_config(&cfg, f, &seed);
    cfg.request_client_cert = 1;
    server_pair(&p, f, &cfg, bssl_ctx(0, NULL));
    shuttle(&p);
    expect_established(&p, TH_TLS_AES_128_GCM_SHA256, TH_GROUP_X25519);
    th_conn_get_status(p.c, &st);
    assert_false(st.peer_authenticated);
    exchange_small(&p);
    pair_free(&p);
}

static void expect_client_alert(fixture *f, const char *leaf, const char *verify_host,
                                uint8_t alert) {
    uint64_t seed = 61;
    th_config cfg;
    pair p;
    base_config(&cfg, f, &seed);
    cfg.verify_host = verify_host;
    client_pair(&p, f, &cfg, bssl_ctx(1, leaf));
    shuttle(&p);
    th_conn_status st;
    th_conn_get_status(p.c, &st);
    assert_int_equal(st.state, TH_CONN_FAILED);
    assert_true(st.has_alert_sent);
    assert_int_equal(st.alert_sent, alert);
    /* BoringSSL received our alert. */
    assert_true(p.ssl_failed);
    pair_free(&p);
}

static void test_wrong_host_is_bad_certificate(void **state) {
    expect_client_alert(*state, "server-ecdsa-p256", "wrong.example", TH_ALERT_BAD_CERTIFICATE);
    expect_client_alert(*state, "bad-wrong-host", NULL, TH_ALERT_BAD_CERTIFICATE);
}

static void test_unknown_ca_is_unknown_ca(void **state) {
    expect_client_alert(*state, "bad-unknown-ca", NULL, TH_ALERT_UNKNOWN_CA);
}

/* Tampering with the server's Finished: the test learns the server handshake
 * traffic secret from our key log, opens each protected record of
 * BoringSSL's flight, flips a bit of a Finished's verify_data and seals the
 * record again, so only the Finished check can notice. */
typedef struct {
    char s_hs_hex[2 * EVP_MAX_MD_SIZE + 1];
    uint16_t suite;
    int have_secret, keyed, done;
    th_rl_dir open_dir, seal_dir;
} finished_tamper;

static void tamper_keylog(void *ctx, const char *line) {
    finished_tamper *t = ctx;
    const char *label = "SERVER_HANDSHAKE_TRAFFIC_SECRET ";
    if (strncmp(line, label, strlen(label)) == 0) {
        const char *secret = strrchr(line, ' ') + 1;
        snprintf(t->s_hs_hex, sizeof(t->s_hs_hex), "%s", secret);
        t->have_secret = 1;
    }
}

static void tamper_finished(void *ctx, uint8_t *buf, size_t len) {
    finished_tamper *t = ctx;
    if (!t->have_secret || t->done) {
        return;
    }
    if (!t->keyed) {
        th_secret secret;
        size_t n;
        uint8_t *bytes = th_test_hex(t->s_hs_hex, &n);
        assert_true(th_secret_set(&secret, bytes, n));
        free(bytes);
        assert_true(th_rl_dir_set_key(&t->open_dir, t->suite, &secret));
        assert_true(th_rl_dir_set_key(&t->seal_dir, t->suite, &secret));
        t->keyed = 1;
    }
    CBS cbs;
    CBS_init(&cbs, buf, len);
    while (CBS_len(&cbs) > 0) {
        size_t off = len - CBS_len(&cbs);
        th_record rec;
        uint8_t alert;
        assert_true(th_parse_record(&cbs, &rec, &alert));
        if (rec.type != TH_CT_APPLICATION_DATA) {
            continue;
        }
        uint8_t plain[TH_MAX_CIPHERTEXT_13];
        th_inner_plaintext inner;
        assert_true(th_rl_open(&t->open_dir, &rec, plain, sizeof(plain), &inner, &alert));
        /* Walk the messages of the record; the Finished is last. */
        CBS msgs;
        CBS_init(&msgs, inner.content.data, inner.content.len);
        int found = 0;
        while (CBS_len(&msgs) >= 4) {
            uint8_t type = CBS_data(&msgs)[0];
            CBS body;
            assert_true(CBS_skip(&msgs, 1) && CBS_get_u24_length_prefixed(&msgs, &body));
            if (type == TH_HS_FINISHED) {
                ((uint8_t *)CBS_data(&body))[0] ^= 1;
                found = 1;
            }
        }
        CBB out;
        uint8_t *sealed;
        size_t sealed_len;
        assert_true(CBB_init(&out, rec.fragment.len + 5));
        assert_true(th_rl_seal(&t->seal_dir, &out, inner.type, inner.content.data,
                               inner.content.len, NULL));
        assert_true(CBB_finish(&out, &sealed, &sealed_len));
        assert_int_equal(sealed_len, rec.fragment.len + 5);
        memcpy(buf + off, sealed, sealed_len);
        OPENSSL_free(sealed);
        if (found) {
            t->done = 1;
            return;
        }
    }
}

static void test_bad_server_finished_is_decrypt_error(void **state) {
    fixture *f = *state;
    for (size_t s = 0; s < 3; s++) {
        uint64_t seed = 71 + s;
        th_config cfg;
        pair p;
        finished_tamper t;
        memset(&t, 0, sizeof(t));
        t.suite = kSuites[s];
        base_config(&cfg, f, &seed);
        cfg.cipher_suites = &kSuites[s];
        cfg.num_cipher_suites = 1;
        cfg.keylog = tamper_keylog;
        cfg.keylog_ctx = &t;
        client_pair(&p, f, &cfg, bssl_ctx(1, "server-ecdsa-p256"));
        p.tamper = tamper_finished;
        p.tamper_ctx = &t;
        shuttle(&p);
        assert_true(t.done);
        th_conn_status st;
        th_conn_get_status(p.c, &st);
        assert_int_equal(st.state, TH_CONN_FAILED);
        assert_int_equal(st.alert_sent, TH_ALERT_DECRYPT_ERROR);
        th_rl_dir_cleanup(&t.open_dir);
        th_rl_dir_cleanup(&t.seal_dir);
        pair_free(&p);
    }
}

/* The server certificate types of the test PKI and the TLS 1.3 scheme each
 * side picks for it by default. */
static const struct {
    const char *leaf;
    uint16_t scheme;
} kServerCerts[] = {
    {"server-ecdsa-p256", TH_SIG_ECDSA_SECP256R1_SHA256},
    {"server-ecdsa-p384", TH_SIG_ECDSA_SECP384R1_SHA384},
    {"server-rsa2048", TH_SIG_RSA_PSS_RSAE_SHA256},
    {"server-ed25519", TH_SIG_ED25519},
};

static void test_our_client_every_server_key_type(void **state) {
    fixture *f = *state;
    for (size_t k = 0; k < sizeof(kServerCerts) / sizeof(kServerCerts[0]); k++) {
        uint64_t seed = 200 + k;
        th_config cfg;
        pair p;
        base_config(&cfg, f, &seed);
        SSL_CTX *ctx = bssl_ctx(1, kServerCerts[k].leaf);
        client_pair(&p, f, &cfg, ctx);
        shuttle(&p);
        expect_established(&p, TH_TLS_AES_128_GCM_SHA256, TH_GROUP_X25519);
        th_conn_status st;
        th_conn_get_status(p.c, &st);
        assert_int_equal(st.sig_scheme, kServerCerts[k].scheme);
        exchange_small(&p);
        pair_free(&p);
    }
}

static void test_bssl_client_every_server_key_type(void **state) {
    fixture *f = *state;
    for (size_t k = 0; k < sizeof(kServerCerts) / sizeof(kServerCerts[0]); k++) {
        uint64_t seed = 300 + k;
        th_config cfg;
        th_cert_key ck;
        pair p;
        th_test_load_cert_key(kServerCerts[k].leaf, &ck);
        base_config(&cfg, f, &seed);
        SSL_CTX *ctx = bssl_ctx(0, NULL);
        if (kServerCerts[k].scheme == TH_SIG_ED25519) {
            /* BoringSSL's client leaves Ed25519 out unless asked. */
            static const uint16_t prefs[] = {TH_SIG_ED25519, TH_SIG_ECDSA_SECP256R1_SHA256,
                                             TH_SIG_RSA_PSS_RSAE_SHA256};
            assert_true(SSL_CTX_set_verify_algorithm_prefs(ctx, prefs, 3));
        }
        server_pair(&p, f, &cfg, ctx);
        th_conn_free(p.c);
        cfg.cert_key = &ck;
        p.c = th_conn_new(&cfg, TH_ROLE_SERVER);
        assert_non_null(p.c);
        shuttle(&p);
        expect_established(&p, TH_TLS_AES_128_GCM_SHA256, TH_GROUP_X25519);
        assert_int_equal(SSL_get_peer_signature_algorithm(p.ssl), kServerCerts[k].scheme);
        exchange_small(&p);
        pair_free(&p);
        th_cert_key_cleanup(&ck);
    }
}

static void test_expired_is_certificate_expired(void **state) {
    expect_client_alert(*state, "bad-expired", NULL, TH_ALERT_CERTIFICATE_EXPIRED);
}

static void test_bad_chain_signature_is_bad_certificate(void **state) {
    expect_client_alert(*state, "bad-signature", NULL, TH_ALERT_BAD_CERTIFICATE);
}

/* ---- Resumption and 0-RTT with BoringSSL (RFC 8446 §2.2, §2.3) ------- */

static const uint8_t kTicketKey[32] = {7, 7, 7};

/* Our client: a full handshake with BoringSSL's server |ctx| (kept), the
 * newest ticket returned. */
static th_session *our_client_first(fixture *f, SSL_CTX *ctx) {
    uint64_t seed = 61;
    th_config cfg;
    pair p;
    base_config(&cfg, f, &seed);
    SSL_CTX_up_ref(ctx);
    client_pair(&p, f, &cfg, ctx);
    shuttle(&p);
    expect_established(&p, TH_TLS_AES_128_GCM_SHA256, TH_GROUP_X25519);
    exchange_small(&p);
    th_session *sess = th_conn_take_session(p.c);
    assert_non_null(sess);
    pair_free(&p);
    return sess;
}

static void expect_resumed_pair(pair *p, int resumed, int early_accepted) {
    th_conn_status st;
    th_conn_get_status(p->c, &st);
    assert_int_equal(st.resumed, resumed);
    assert_int_equal(SSL_session_reused(p->ssl), resumed);
    assert_int_equal(st.early_data_accepted, early_accepted);
    assert_int_equal(SSL_early_data_accepted(p->ssl), early_accepted);
}

static void test_our_client_resumes_with_bssl(void **state) {
    fixture *f = *state;
    SSL_CTX *ctx = bssl_ctx(1, "server-ecdsa-p256");
    th_session *sess = our_client_first(f, ctx);
    /* psk_dhe_ke. */
    uint64_t seed = 62;
    th_config cfg;
    pair p;
    base_config(&cfg, f, &seed);
    cfg.session = sess;
    SSL_CTX_up_ref(ctx);
    client_pair(&p, f, &cfg, ctx);
    shuttle(&p);
    expect_established(&p, TH_TLS_AES_128_GCM_SHA256, TH_GROUP_X25519);
    expect_resumed_pair(&p, 1, 0);
    exchange_small(&p);
    pair_free(&p);
    /* HelloRetryRequest then resumption: the binder covers the rewritten
     * transcript (RFC 8446 §4.2.11.2). */
    static const uint16_t groups[] = {TH_GROUP_X25519, TH_GROUP_SECP384R1};
    base_config(&cfg, f, &seed);
    cfg.session = sess;
    cfg.groups = groups;
    cfg.num_groups = 2;
    SSL_CTX_up_ref(ctx);
    client_pair(&p, f, &cfg, ctx);
    assert_true(SSL_set1_curves_list(p.ssl, "P-384"));
    shuttle(&p);
    expect_established(&p, TH_TLS_AES_128_GCM_SHA256, TH_GROUP_SECP384R1);
    th_conn_status st;
    th_conn_get_status(p.c, &st);
    assert_true(st.hello_retry);
    expect_resumed_pair(&p, 1, 0);
    exchange_small(&p);
    pair_free(&p);
    /* psk_ke only: BoringSSL implements psk_dhe_ke alone, so it ignores the
     * PSK and a full handshake follows. */
    base_config(&cfg, f, &seed);
    cfg.session = sess;
    cfg.psk_ke = 1;
    SSL_CTX_up_ref(ctx);
    client_pair(&p, f, &cfg, ctx);
    shuttle(&p);
    expect_established(&p, TH_TLS_AES_128_GCM_SHA256, TH_GROUP_X25519);
    expect_resumed_pair(&p, 0, 0);
    pair_free(&p);
    th_session_free(sess);
    SSL_CTX_free(ctx);
}

static void test_our_client_bad_binder_bssl_decrypt_error(void **state) {
    fixture *f = *state;
    SSL_CTX *ctx = bssl_ctx(1, "server-ecdsa-p256");
    th_session *sess = our_client_first(f, ctx);
    /* A wrong PSK makes a wrong binder. */
    sess->psk.bytes[0] ^= 1;
    uint64_t seed = 63;
    th_config cfg;
    pair p;
    base_config(&cfg, f, &seed);
    cfg.session = sess;
    SSL_CTX_up_ref(ctx);
    client_pair(&p, f, &cfg, ctx);
    shuttle(&p);
    th_conn_status st;
    th_conn_get_status(p.c, &st);
    assert_int_equal(st.state, TH_CONN_FAILED);
    assert_true(st.has_alert_received);
    assert_int_equal(st.alert_received, TH_ALERT_DECRYPT_ERROR);
    pair_free(&p);
    th_session_free(sess);
    SSL_CTX_free(ctx);
}

static void test_our_client_early_data_with_bssl(void **state) {
    fixture *f = *state;
    static const char early[] = "GET /early";
    SSL_CTX *ctx = bssl_ctx(1, "server-ecdsa-p256");
    SSL_CTX_set_early_data_enabled(ctx, 1);
    th_session *sess = our_client_first(f, ctx);
    assert_true(th_session_max_early_data(sess) > 0);
    /* Accepted and rejected, each also in middlebox compatibility mode (the
     * CCS right after the ClientHello, before the 0-RTT records). */
    for (int i = 3; i >= 0; i--) {
        int accept = i & 1;
        uint64_t seed = 64;
        th_config cfg;
        pair p;
        base_config(&cfg, f, &seed);
        cfg.middlebox_compat = i < 2;
        cfg.session = sess;
        cfg.early_data = (const uint8_t *)early;
        cfg.early_data_len = strlen(early);
        SSL_CTX_up_ref(ctx);
        client_pair(&p, f, &cfg, ctx);
        /* Rejected: BoringSSL skips the records and resumes in 1-RTT. */
        SSL_set_early_data_enabled(p.ssl, accept);
        shuttle(&p);
        expect_established(&p, TH_TLS_AES_128_GCM_SHA256, TH_GROUP_X25519);
        expect_resumed_pair(&p, 1, accept);
        th_conn_status st;
        th_conn_get_status(p.c, &st);
        assert_true(st.early_data_offered);
        if (accept) {
            assert_int_equal(p.ssl_in_len, strlen(early));
            assert_memory_equal(p.ssl_in, early, strlen(early));
        } else {
            assert_int_equal(p.ssl_in_len, 0);
        }
        p.ssl_in_len = 0;
        exchange_small(&p);
        pair_free(&p);
    }
    th_session_free(sess);
    SSL_CTX_free(ctx);
}

static SSL_SESSION *g_new_session;

static int keep_session(SSL *ssl, SSL_SESSION *sess) {
    (void)ssl;
    SSL_SESSION_free(g_new_session);
    g_new_session = sess;
    return 1;
}

static SSL_CTX *bssl_resuming_client_ctx(void) {
    SSL_CTX *ctx = bssl_ctx(0, NULL);
    SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_CLIENT);
    SSL_CTX_sess_set_new_cb(ctx, keep_session);
    return ctx;
}

static time_t g_server_now = 1700000000;

static time_t server_clock(void *ctx) {
    (void)ctx;
    return g_server_now;
}

/* BoringSSL's client against our server with |tickets|; 0-RTT |early| when
 * not NULL. */
static void bssl_client_run(fixture *f, SSL_CTX *ctx, th_ticket_ctx *tickets, uint32_t max_early,
                            SSL_SESSION *sess, const char *early, pair *p) {
    static uint64_t seed = 70;
    th_config cfg;
    base_config(&cfg, f, &seed);
    cfg.tickets = tickets;
    cfg.max_early_data = max_early;
    cfg.now = server_clock;
    SSL_CTX_up_ref(ctx);
    server_pair(p, f, &cfg, ctx);
    if (sess != NULL) {
        assert_true(SSL_set_session(p->ssl, sess));
    }
    if (early != NULL) {
        /* The handshake returns once the ClientHello is out; the write is
         * 0-RTT data. */
        assert_int_equal(SSL_do_handshake(p->ssl), 1);
        assert_true(SSL_in_early_data(p->ssl));
        assert_int_equal(SSL_write(p->ssl, early, (int)strlen(early)), (int)strlen(early));
        p->ssl_done = 1;
    }
    shuttle(p);
    if (p->ssl_early_rejected) {
        shuttle(p);
    }
}

static void test_bssl_client_resumes_with_our_server(void **state) {
    fixture *f = *state;
    th_ticket_ctx *t = th_ticket_ctx_new(kTicketKey, 0);
    SSL_CTX *ctx = bssl_resuming_client_ctx();
    pair p;
    g_server_now = 1700000000;
    bssl_client_run(f, ctx, t, 0, NULL, NULL, &p);
    expect_established(&p, TH_TLS_AES_128_GCM_SHA256, TH_GROUP_X25519);
    exchange_small(&p);
    pair_free(&p);
    assert_non_null(g_new_session);
    SSL_SESSION *sess = g_new_session;
    g_new_session = NULL;

    g_server_now += 100;
    bssl_client_run(f, ctx, t, 0, sess, NULL, &p);
    expect_established(&p, TH_TLS_AES_128_GCM_SHA256, TH_GROUP_X25519);
    expect_resumed_pair(&p, 1, 0);
    exchange_small(&p);
    pair_free(&p);

    /* Our clock past the ticket lifetime (7200 s): a full handshake. */
    g_server_now += 7200;
    bssl_client_run(f, ctx, t, 0, sess, NULL, &p);
    expect_established(&p, TH_TLS_AES_128_GCM_SHA256, TH_GROUP_X25519);
    expect_resumed_pair(&p, 0, 0);
    pair_free(&p);

    SSL_SESSION_free(sess);
    SSL_SESSION_free(g_new_session);
    g_new_session = NULL;
    SSL_CTX_free(ctx);
    th_ticket_ctx_free(t);
}

static void test_bssl_client_hrr_resumption_with_our_server(void **state) {
    fixture *f = *state;
    static const uint16_t groups[] = {TH_GROUP_SECP384R1};
    th_ticket_ctx *t = th_ticket_ctx_new(kTicketKey, 0);
    SSL_CTX *ctx = bssl_resuming_client_ctx();
    pair p;
    g_server_now = 1700000000;
    bssl_client_run(f, ctx, t, 0, NULL, NULL, &p);
    exchange_small(&p);
    pair_free(&p);
    SSL_SESSION *sess = g_new_session;
    g_new_session = NULL;
    assert_non_null(sess);

    uint64_t seed = 71;
    th_config cfg;
    base_config(&cfg, f, &seed);
    cfg.tickets = t;
    cfg.now = server_clock;
    cfg.groups = groups;
    cfg.num_groups = 1;
    SSL_CTX_up_ref(ctx);
    server_pair(&p, f, &cfg, ctx);
    assert_true(SSL_set_session(p.ssl, sess));
    shuttle(&p);
    expect_established(&p, TH_TLS_AES_128_GCM_SHA256, TH_GROUP_SECP384R1);
    th_conn_status st;
    th_conn_get_status(p.c, &st);
    assert_true(st.hello_retry);
    expect_resumed_pair(&p, 1, 0);
    exchange_small(&p);
    pair_free(&p);
    SSL_SESSION_free(sess);
    SSL_SESSION_free(g_new_session);
    g_new_session = NULL;
    SSL_CTX_free(ctx);
    th_ticket_ctx_free(t);
}

/* Flips the last byte of BoringSSL's first record, the ClientHello, whose
 * last extension is pre_shared_key: the binder. */
static void tamper_binder(void *ctx, uint8_t *buf, size_t len) {
    int *done = ctx;
    if (!*done && len > TH_RECORD_HEADER_LEN && buf[0] == TH_CT_HANDSHAKE) {
        buf[len - 1] ^= 1;
        *done = 1;
    }
}

static void test_bssl_client_bad_binder_is_decrypt_error(void **state) {
    fixture *f = *state;
    th_ticket_ctx *t = th_ticket_ctx_new(kTicketKey, 0);
    SSL_CTX *ctx = bssl_resuming_client_ctx();
    pair p;
    g_server_now = 1700000000;
    bssl_client_run(f, ctx, t, 0, NULL, NULL, &p);
    exchange_small(&p);
    pair_free(&p);
    SSL_SESSION *sess = g_new_session;
    g_new_session = NULL;
    assert_non_null(sess);

    uint64_t seed = 72;
    int done = 0;
    th_config cfg;
    base_config(&cfg, f, &seed);
    cfg.tickets = t;
    cfg.now = server_clock;
    SSL_CTX_up_ref(ctx);
    server_pair(&p, f, &cfg, ctx);
    assert_true(SSL_set_session(p.ssl, sess));
    p.tamper = tamper_binder;
    p.tamper_ctx = &done;
    shuttle(&p);
    assert_true(done);
    th_conn_status st;
    th_conn_get_status(p.c, &st);
    assert_int_equal(st.state, TH_CONN_FAILED);
    assert_int_equal(st.alert_sent, TH_ALERT_DECRYPT_ERROR);
    assert_true(p.ssl_failed);
    pair_free(&p);
    SSL_SESSION_free(sess);
    SSL_CTX_free(ctx);
    th_ticket_ctx_free(t);
}

static void test_bssl_client_early_data_with_our_server(void **state) {
    fixture *f = *state;
    static const char early[] = "early bytes";
    th_ticket_ctx *t = th_ticket_ctx_new(kTicketKey, 0);
    SSL_CTX *ctx = bssl_resuming_client_ctx();
    SSL_CTX_set_early_data_enabled(ctx, 1);
    pair p;
    g_server_now = 1700000000;
    bssl_client_run(f, ctx, t, 16384, NULL, NULL, &p);
    exchange_small(&p);
    pair_free(&p);
    SSL_SESSION *sess = g_new_session;
    g_new_session = NULL;
    assert_non_null(sess);
    assert_true(SSL_SESSION_early_data_capable(sess));

    /* Accepted: we read the 0-RTT data. */
    bssl_client_run(f, ctx, t, 16384, sess, early, &p);
    expect_established(&p, TH_TLS_AES_128_GCM_SHA256, TH_GROUP_X25519);
    expect_resumed_pair(&p, 1, 1);
    assert_int_equal(p.our_in_len, strlen(early));
    assert_memory_equal(p.our_in, early, strlen(early));
    p.our_in_len = 0;
    exchange_small(&p);
    pair_free(&p);

    /* The same ticket again: a replay, which the strike register refuses;
     * the handshake resumes in 1-RTT and we skip the 0-RTT records. */
    bssl_client_run(f, ctx, t, 16384, sess, early, &p);
    expect_established(&p, TH_TLS_AES_128_GCM_SHA256, TH_GROUP_X25519);
    assert_true(p.ssl_early_rejected);
    expect_resumed_pair(&p, 1, 0);
    assert_int_equal(p.our_in_len, 0);
    exchange_small(&p);
    pair_free(&p);

    /* A fresh ticket with a server that takes no 0-RTT: rejected too. */
    SSL_SESSION_free(sess);
    sess = g_new_session;
    g_new_session = NULL;
    assert_non_null(sess);
    bssl_client_run(f, ctx, t, 0, sess, early, &p);
    expect_established(&p, TH_TLS_AES_128_GCM_SHA256, TH_GROUP_X25519);
    assert_true(p.ssl_early_rejected);
    expect_resumed_pair(&p, 1, 0);
    assert_int_equal(p.our_in_len, 0);
    exchange_small(&p);
    pair_free(&p);

    SSL_SESSION_free(sess);
    SSL_SESSION_free(g_new_session);
    g_new_session = NULL;
    SSL_CTX_free(ctx);
    th_ticket_ctx_free(t);
}

/* BoringSSL's client against our server holding |cert_keys| (the first is
 * cert_key), naming |sni| and verifying only |prefs| (NULL: its defaults):
 * the server must send the leaf whose CN is |want_cn| and sign with
 * |want_scheme|, and BoringSSL must verify the chain for |sni|. */
static void expect_bssl_sees_cert(fixture *f, const char *sni, const uint16_t *prefs,
                                  size_t num_prefs, th_cert_key *cert_keys, size_t num,
                                  const char *want_cn, uint16_t want_scheme) {
    uint64_t seed = 400;
    th_config cfg;
    pair p;
    base_config(&cfg, f, &seed);
    SSL_CTX *ctx = bssl_ctx(0, NULL);
    if (prefs != NULL) {
        assert_true(SSL_CTX_set_verify_algorithm_prefs(ctx, prefs, num_prefs));
    }
    server_pair(&p, f, &cfg, ctx);
    th_conn_free(p.c);
    cfg.cert_key = &cert_keys[0];
    cfg.cert_keys = &cert_keys[1];
    cfg.num_cert_keys = num - 1;
    p.c = th_conn_new(&cfg, TH_ROLE_SERVER);
    assert_non_null(p.c);
    assert_true(SSL_set_tlsext_host_name(p.ssl, sni));
    assert_true(SSL_set1_host(p.ssl, sni));
    shuttle(&p);
    expect_established(&p, TH_TLS_AES_128_GCM_SHA256, TH_GROUP_X25519);
    assert_int_equal(SSL_get_peer_signature_algorithm(p.ssl), want_scheme);
    X509 *leaf = SSL_get_peer_certificate(p.ssl);
    assert_non_null(leaf);
    char cn[128];
    assert_true(
        X509_NAME_get_text_by_NID(X509_get_subject_name(leaf), NID_commonName, cn, sizeof(cn)) > 0);
    assert_string_equal(cn, want_cn);
    X509_free(leaf);
    th_conn_status st;
    th_conn_get_status(p.c, &st);
    assert_int_equal(st.server_name.len, strlen(sni));
    assert_memory_equal(st.server_name.data, sni, strlen(sni));
    exchange_small(&p);
    pair_free(&p);
}

static void test_bssl_client_gets_cert_by_sni(void **state) {
    fixture *f = *state;
    th_cert_key cks[2];
    cks[0] = f->server_ck;
    th_test_load_cert_key("bad-wrong-host", &cks[1]);
    expect_bssl_sees_cert(f, "wrong.example", NULL, 0, cks, 2, "bad-wrong-host",
                          TH_SIG_ECDSA_SECP256R1_SHA256);
    expect_bssl_sees_cert(f, "localhost", NULL, 0, cks, 2, "server-ecdsa-p256",
                          TH_SIG_ECDSA_SECP256R1_SHA256);
    th_cert_key_cleanup(&cks[1]);
}

static void test_bssl_client_gets_rsa_or_ecdsa_cert_it_can_verify(void **state) {
    fixture *f = *state;
    static const uint16_t kRsa[] = {TH_SIG_RSA_PSS_RSAE_SHA256};
    static const uint16_t kEcdsa[] = {TH_SIG_ECDSA_SECP256R1_SHA256};
    th_cert_key cks[2];
    cks[0] = f->server_ck;
    th_test_load_cert_key("server-rsa2048", &cks[1]);
    expect_bssl_sees_cert(f, "localhost", kRsa, 1, cks, 2, "server-rsa2048",
                          TH_SIG_RSA_PSS_RSAE_SHA256);
    expect_bssl_sees_cert(f, "localhost", kEcdsa, 1, cks, 2, "server-ecdsa-p256",
                          TH_SIG_ECDSA_SECP256R1_SHA256);
    expect_bssl_sees_cert(f, "localhost", NULL, 0, cks, 2, "server-ecdsa-p256",
                          TH_SIG_ECDSA_SECP256R1_SHA256);
    th_cert_key_cleanup(&cks[1]);
}

/* RFC 8446 §D.4 against BoringSSL, which always runs in compatibility mode
 * (a 32-byte session id, its own CCS). */
static void test_our_client_middlebox_compat_with_bssl(void **state) {
    fixture *f = *state;
    static const uint16_t groups[] = {TH_GROUP_X25519, TH_GROUP_SECP384R1};
    for (int hrr = 0; hrr < 2; hrr++) {
        uint64_t seed = 500 + hrr;
        th_config cfg;
        pair p;
        base_config(&cfg, f, &seed);
        cfg.middlebox_compat = 1;
        cfg.groups = groups;
        cfg.num_groups = 2;
        client_pair(&p, f, &cfg, bssl_ctx(1, "server-ecdsa-p256"));
        if (hrr) {
            assert_true(SSL_set1_curves_list(p.ssl, "P-384"));
        }
        shuttle(&p);
        expect_established(&p, TH_TLS_AES_128_GCM_SHA256,
                           hrr ? TH_GROUP_SECP384R1 : TH_GROUP_X25519);
        assert_int_equal(p.c->session_id_len, 32);
        assert_true(p.c->ccs_sent);
        assert_int_equal(SSL_used_hello_retry_request(p.ssl), hrr);
        exchange_small(&p);
        pair_free(&p);
    }
}

static void test_bssl_client_middlebox_compat_with_our_server(void **state) {
    fixture *f = *state;
    static const uint16_t groups[] = {TH_GROUP_SECP256R1, TH_GROUP_X25519};
    for (int hrr = 0; hrr < 2; hrr++) {
        uint64_t seed = 510 + hrr;
        th_config cfg;
        pair p;
        base_config(&cfg, f, &seed);
        cfg.middlebox_compat = 1;
        if (hrr) {
            cfg.groups = groups;
            cfg.num_groups = 2;
        }
        server_pair(&p, f, &cfg, bssl_ctx(0, NULL));
        shuttle(&p);
        expect_established(&p, TH_TLS_AES_128_GCM_SHA256,
                           hrr ? TH_GROUP_SECP256R1 : TH_GROUP_X25519);
        assert_int_equal(p.c->session_id_len, 32);
        assert_true(p.c->ccs_sent);
        assert_int_equal(SSL_used_hello_retry_request(p.ssl), hrr);
        exchange_small(&p);
        pair_free(&p);
    }
}

/* BoringSSL does not implement RFC 8449: it ignores our offer. */
static void test_record_size_limit_not_negotiated_with_bssl(void **state) {
    fixture *f = *state;
    uint64_t seed = 520;
    th_config cfg;
    pair p;
    base_config(&cfg, f, &seed);
    cfg.record_size_limit = 512;
    client_pair(&p, f, &cfg, bssl_ctx(1, "server-ecdsa-p256"));
    shuttle(&p);
    expect_established(&p, TH_TLS_AES_128_GCM_SHA256, TH_GROUP_X25519);
    th_conn_status st;
    th_conn_get_status(p.c, &st);
    assert_int_equal(st.peer_record_size_limit, 0);
    exchange_small(&p);
    pair_free(&p);
}

/* RFC 8446 §5.5 with usage limits lowered: our write key moves on by itself,
 * and when our read key nears its limit BoringSSL is asked to update. */
static void test_automatic_key_update_with_bssl(void **state) {
    fixture *f = *state;
    uint64_t seed = 521;
    th_config cfg;
    pair p;
    base_config(&cfg, f, &seed);
    client_pair(&p, f, &cfg, bssl_ctx(1, "server-ecdsa-p256"));
    shuttle(&p);
    expect_established(&p, TH_TLS_AES_128_GCM_SHA256, TH_GROUP_X25519);
    th_rl_dir_set_usage_cap(&p.c->wr, 3);
    th_secret first = p.c->wr.traffic_secret;
    uint8_t data[2000];
    memset(data, 0x33, sizeof(data));
    assert_true(th_conn_write_app(p.c, data, sizeof(data), 100));
    shuttle(&p);
    assert_int_equal(p.ssl_in_len, sizeof(data));
    assert_memory_not_equal(p.c->wr.traffic_secret.bytes, first.bytes, first.len);
    th_rl_dir_set_usage_cap(&p.c->wr, 0);
    th_rl_dir_set_usage_cap(&p.c->rd, 4);
    th_secret read_first = p.c->rd.traffic_secret;
    for (int i = 0; i < 10; i++) {
        assert_int_equal(SSL_write(p.ssl, data, 100), 100);
        shuttle(&p);
    }
    assert_int_equal(p.our_in_len, 1000);
    /* BoringSSL answered our update_requested with its own KeyUpdate. */
    assert_memory_not_equal(p.c->rd.traffic_secret.bytes, read_first.bytes, read_first.len);
    assert_false(p.c->ku_requested);
    th_rl_dir_set_usage_cap(&p.c->rd, 0);
    p.ssl_in_len = p.our_in_len = 0;
    exchange_small(&p);
    pair_free(&p);
}

/* BoringSSL has no post-handshake authentication (no post_handshake_auth in
 * its ClientHello, no API to answer or send a post-handshake
 * CertificateRequest): our server never sends it one. */
static void test_bssl_client_never_gets_post_handshake_cr(void **state) {
    fixture *f = *state;
    uint64_t seed = 601;
    th_config cfg;
    pair p;
    base_config(&cfg, f, &seed);
    server_pair(&p, f, &cfg, bssl_ctx(0, NULL));
    shuttle(&p);
    expect_established(&p, TH_TLS_AES_128_GCM_SHA256, TH_GROUP_X25519);
    assert_false(th_conn_request_client_auth(p.c));
    size_t n;
    assert_null(th_conn_pending_output(p.c, &n));
    exchange_small(&p);
    pair_free(&p);
}

/* Our client offering post_handshake_auth: BoringSSL's server ignores the
 * extension. */
static void test_our_client_offering_post_handshake_auth_with_bssl(void **state) {
    fixture *f = *state;
    uint64_t seed = 602;
    th_config cfg;
    pair p;
    base_config(&cfg, f, &seed);
    cfg.post_handshake_auth = 1;
    cfg.cert_key = &f->client_ck;
    client_pair(&p, f, &cfg, bssl_ctx(1, "server-ecdsa-p256"));
    shuttle(&p);
    expect_established(&p, TH_TLS_AES_128_GCM_SHA256, TH_GROUP_X25519);
    exchange_small(&p);
    pair_free(&p);
}

/* RFC 8446 §6.1 half-close: we send close_notify first and still read what
 * BoringSSL sends until its own close_notify. */
static void test_half_close_we_close_first_with_bssl(void **state) {
    fixture *f = *state;
    uint64_t seed = 603;
    th_config cfg;
    pair p;
    base_config(&cfg, f, &seed);
    client_pair(&p, f, &cfg, bssl_ctx(1, "server-ecdsa-p256"));
    shuttle(&p);
    expect_established(&p, TH_TLS_AES_128_GCM_SHA256, TH_GROUP_X25519);
    assert_true(th_conn_close(p.c));
    shuttle(&p);
    assert_true(p.ssl_closed);
    assert_false(th_conn_write_app(p.c, (const uint8_t *)"x", 1, 0));
    assert_int_equal(SSL_write(p.ssl, "late data", 9), 9);
    shuttle(&p);
    assert_int_equal(p.our_in_len, 9);
    assert_memory_equal(p.our_in, "late data", 9);
    th_conn_status st;
    th_conn_get_status(p.c, &st);
    assert_int_equal(st.state, TH_CONN_ESTABLISHED);
    assert_true(st.we_closed);
    assert_false(st.peer_closed);
    assert_int_equal(SSL_shutdown(p.ssl), 1);
    shuttle(&p);
    th_conn_get_status(p.c, &st);
    assert_int_equal(st.state, TH_CONN_CLOSED);
    pair_free(&p);
}

/* BoringSSL sends close_notify first (SSL_shutdown returns 0: ours not yet
 * received); we still send, it still reads, then we close. */
static void test_half_close_bssl_closes_first(void **state) {
    fixture *f = *state;
    uint64_t seed = 604;
    th_config cfg;
    pair p;
    base_config(&cfg, f, &seed);
    server_pair(&p, f, &cfg, bssl_ctx(0, NULL));
    shuttle(&p);
    expect_established(&p, TH_TLS_AES_128_GCM_SHA256, TH_GROUP_X25519);
    assert_int_equal(SSL_shutdown(p.ssl), 0);
    shuttle(&p);
    th_conn_status st;
    th_conn_get_status(p.c, &st);
    assert_true(st.peer_closed);
    assert_false(st.we_closed);
    assert_int_equal(st.state, TH_CONN_ESTABLISHED);
    assert_true(th_conn_write_app(p.c, (const uint8_t *)"after close", 11, 0));
    shuttle(&p);
    assert_int_equal(p.ssl_in_len, 11);
    assert_memory_equal(p.ssl_in, "after close", 11);
    assert_true(th_conn_close(p.c));
    shuttle(&p);
    assert_true(p.ssl_closed);
    assert_int_equal(SSL_shutdown(p.ssl), 1);
    th_conn_get_status(p.c, &st);
    assert_int_equal(st.state, TH_CONN_CLOSED);
    pair_free(&p);
}

static const uint16_t kPssSchemes[] = {TH_SIG_RSA_PSS_RSAE_SHA384, TH_SIG_RSA_PSS_RSAE_SHA512};

/* Our client listing only one RSA-PSS scheme: BoringSSL's RSA server signs
 * with it. */
static void test_our_client_rsa_pss_sha384_sha512_with_bssl(void **state) {
    fixture *f = *state;
    for (size_t i = 0; i < 2; i++) {
        uint64_t seed = 610 + i;
        th_config cfg;
        pair p;
        base_config(&cfg, f, &seed);
        cfg.sig_schemes = &kPssSchemes[i];
        cfg.num_sig_schemes = 1;
        client_pair(&p, f, &cfg, bssl_ctx(1, "server-rsa2048"));
        shuttle(&p);
        expect_established(&p, TH_TLS_AES_128_GCM_SHA256, TH_GROUP_X25519);
        th_conn_status st;
        th_conn_get_status(p.c, &st);
        assert_int_equal(st.sig_scheme, kPssSchemes[i]);
        exchange_small(&p);
        pair_free(&p);
    }
}

/* BoringSSL's client listing only one RSA-PSS scheme: our RSA server signs
 * with it. */
static void test_bssl_client_rsa_pss_sha384_sha512_with_our_server(void **state) {
    fixture *f = *state;
    for (size_t i = 0; i < 2; i++) {
        uint64_t seed = 620 + i;
        th_config cfg;
        th_cert_key ck;
        pair p;
        th_test_load_cert_key("server-rsa2048", &ck);
        base_config(&cfg, f, &seed);
        SSL_CTX *ctx = bssl_ctx(0, NULL);
        assert_true(SSL_CTX_set_verify_algorithm_prefs(ctx, &kPssSchemes[i], 1));
        server_pair(&p, f, &cfg, ctx);
        th_conn_free(p.c);
        cfg.cert_key = &ck;
        p.c = th_conn_new(&cfg, TH_ROLE_SERVER);
        assert_non_null(p.c);
        shuttle(&p);
        expect_established(&p, TH_TLS_AES_128_GCM_SHA256, TH_GROUP_X25519);
        assert_int_equal(SSL_get_peer_signature_algorithm(p.ssl), kPssSchemes[i]);
        exchange_small(&p);
        pair_free(&p);
        th_cert_key_cleanup(&ck);
    }
}

/* Our server's HelloRetryRequest carries a cookie (hrr_cookie): BoringSSL's
 * client echoes it and the handshake completes; a missing or changed echo
 * would end it with an alert. */
static void test_bssl_client_echoes_our_hrr_cookie(void **state) {
    fixture *f = *state;
    static const uint16_t groups[] = {TH_GROUP_SECP256R1, TH_GROUP_X25519};
    uint64_t seed = 700;
    th_config cfg;
    pair p;
    base_config(&cfg, f, &seed);
    cfg.groups = groups;
    cfg.num_groups = 2;
    cfg.hrr_cookie = 1;
    server_pair(&p, f, &cfg, bssl_ctx(0, NULL));
    assert_true(SSL_set1_curves_list(p.ssl, "X25519:P-256"));
    shuttle(&p);
    expect_established(&p, TH_TLS_AES_128_GCM_SHA256, TH_GROUP_SECP256R1);
    th_conn_status st;
    th_conn_get_status(p.c, &st);
    assert_true(st.hello_retry);
    assert_true(SSL_used_hello_retry_request(p.ssl));
    exchange_small(&p);
    pair_free(&p);
}

/* Every server signature scheme and the test PKI leaf that signs with it. */
static const struct {
    uint16_t scheme;
    size_t leaf; /* index into kProductLeaves */
} kProductSchemes[] = {
    {TH_SIG_ECDSA_SECP256R1_SHA256, 0}, {TH_SIG_ECDSA_SECP384R1_SHA384, 1},
    {TH_SIG_RSA_PSS_RSAE_SHA256, 2},    {TH_SIG_RSA_PSS_RSAE_SHA384, 2},
    {TH_SIG_RSA_PSS_RSAE_SHA512, 2},    {TH_SIG_ED25519, 3},
};
static const char *const kProductLeaves[] = {"server-ecdsa-p256", "server-ecdsa-p384",
                                             "server-rsa2048", "server-ed25519"};

/* suite × group × server signature scheme, both directions: our client
 * against BoringSSL's server and BoringSSL's client against our server,
 * each client offering only the one scheme. */
static void test_interop_every_suite_group_and_scheme(void **state) {
    fixture *f = *state;
    th_cert_key keys[4];
    for (size_t l = 0; l < 4; l++) {
        th_test_load_cert_key(kProductLeaves[l], &keys[l]);
    }
    for (size_t s = 0; s < 3; s++) {
        for (size_t g = 0; g < 3; g++) {
            for (size_t k = 0; k < sizeof(kProductSchemes) / sizeof(kProductSchemes[0]); k++) {
                const uint16_t *scheme = &kProductSchemes[k].scheme;
                size_t leaf = kProductSchemes[k].leaf;
                uint64_t seed = 800 + (s * 3 + g) * 8 + k;
                th_config cfg;
                pair p;
                th_conn_status st;

                base_config(&cfg, f, &seed);
                cfg.cipher_suites = &kSuites[s];
                cfg.num_cipher_suites = 1;
                cfg.groups = &kGroups[g];
                cfg.num_groups = 1;
                cfg.sig_schemes = scheme;
                cfg.num_sig_schemes = 1;
                client_pair(&p, f, &cfg, bssl_ctx(1, kProductLeaves[leaf]));
                shuttle(&p);
                expect_established(&p, kSuites[s], kGroups[g]);
                th_conn_get_status(p.c, &st);
                assert_int_equal(st.sig_scheme, *scheme);
                assert_true(st.peer_authenticated);
                exchange_small(&p);
                pair_free(&p);

                base_config(&cfg, f, &seed);
                cfg.cipher_suites = &kSuites[s];
                cfg.num_cipher_suites = 1;
                cfg.groups = &kGroups[g];
                cfg.num_groups = 1;
                SSL_CTX *ctx = bssl_ctx(0, NULL);
                assert_true(SSL_CTX_set_verify_algorithm_prefs(ctx, scheme, 1));
                server_pair(&p, f, &cfg, ctx);
                th_conn_free(p.c);
                cfg.cert_key = &keys[leaf];
                p.c = th_conn_new(&cfg, TH_ROLE_SERVER);
                assert_non_null(p.c);
                assert_true(SSL_set1_curves_list(p.ssl, kGroupNames[g]));
                shuttle(&p);
                expect_established(&p, kSuites[s], kGroups[g]);
                assert_int_equal(SSL_get_peer_signature_algorithm(p.ssl), *scheme);
                exchange_small(&p);
                pair_free(&p);
            }
        }
    }
    for (size_t l = 0; l < 4; l++) {
        th_cert_key_cleanup(&keys[l]);
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_our_client_every_suite_and_group),
        cmocka_unit_test(test_bssl_client_every_suite_and_group),
        cmocka_unit_test(test_our_server_sends_hrr_for_its_preferred_group),
        cmocka_unit_test(test_our_client_follows_bssl_hrr),
        cmocka_unit_test(test_alpn_both_ways),
        cmocka_unit_test(test_alpn_without_overlap_is_no_application_protocol),
        cmocka_unit_test(test_our_client_bulk_key_update_close),
        cmocka_unit_test(test_our_server_bulk_key_update_close),
        cmocka_unit_test(test_client_auth_both_ways),
        cmocka_unit_test(test_missing_required_client_cert_is_certificate_required),
        cmocka_unit_test(test_wrong_host_is_bad_certificate),
        cmocka_unit_test(test_unknown_ca_is_unknown_ca),
        cmocka_unit_test(test_bad_server_finished_is_decrypt_error),
        cmocka_unit_test(test_our_client_every_server_key_type),
        cmocka_unit_test(test_bssl_client_every_server_key_type),
        cmocka_unit_test(test_expired_is_certificate_expired),
        cmocka_unit_test(test_bad_chain_signature_is_bad_certificate),
        cmocka_unit_test(test_our_client_resumes_with_bssl),
        cmocka_unit_test(test_our_client_bad_binder_bssl_decrypt_error),
        cmocka_unit_test(test_our_client_early_data_with_bssl),
        cmocka_unit_test(test_bssl_client_resumes_with_our_server),
        cmocka_unit_test(test_bssl_client_hrr_resumption_with_our_server),
        cmocka_unit_test(test_bssl_client_bad_binder_is_decrypt_error),
        cmocka_unit_test(test_bssl_client_early_data_with_our_server),
        cmocka_unit_test(test_bssl_client_gets_cert_by_sni),
        cmocka_unit_test(test_bssl_client_gets_rsa_or_ecdsa_cert_it_can_verify),
        cmocka_unit_test(test_our_client_middlebox_compat_with_bssl),
        cmocka_unit_test(test_bssl_client_middlebox_compat_with_our_server),
        cmocka_unit_test(test_record_size_limit_not_negotiated_with_bssl),
        cmocka_unit_test(test_automatic_key_update_with_bssl),
        cmocka_unit_test(test_bssl_client_never_gets_post_handshake_cr),
        cmocka_unit_test(test_our_client_offering_post_handshake_auth_with_bssl),
        cmocka_unit_test(test_half_close_we_close_first_with_bssl),
        cmocka_unit_test(test_half_close_bssl_closes_first),
        cmocka_unit_test(test_our_client_rsa_pss_sha384_sha512_with_bssl),
        cmocka_unit_test(test_bssl_client_rsa_pss_sha384_sha512_with_our_server),
        cmocka_unit_test(test_bssl_client_echoes_our_hrr_cookie),
        cmocka_unit_test(test_interop_every_suite_group_and_scheme),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
