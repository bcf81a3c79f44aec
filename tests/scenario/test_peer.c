/* The in-process peers (peer.c, peer_boringssl.c, peer_self.c): spec
 * validation, errors, and two peers back to back through their read/write
 * (self vs boringssl both ways, self vs self, boringssl vs boringssl): the
 * configured suite, group and ALPN, echo (against a th_conn the test
 * drives), client authentication, require_sni, ALPN without overlap and
 * resumption on the second connection. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conn.h"
#include "peer.h"
#include "testutil.h"

#define PKI TH_SOURCE_DIR "/scenarios/pki"

static char *kH2Http[] = {"h2", "http/1.1"};
static char *kHttpH2[] = {"http/1.1", "h2"};
static char *kH2[] = {"h2"};
static char *kHttp[] = {"http/1.1"};

static th_sc_side side(void) {
    th_sc_side s;
    memset(&s, 0, sizeof(s));
    s.echo = 1;
    return s;
}

static th_peer_opts opts(void) {
    th_peer_opts o;
    memset(&o, 0, sizeof(o));
    o.pki_dir = PKI;
    o.seed = 42;
    o.connect_timeout_ms = 5000;
    return o;
}

static th_peer *new_peer(const char *spec, int role, const th_sc_side *cfg) {
    th_peer_opts o = opts();
    char err[256] = "";
    th_peer *p = th_peer_new(spec, role, cfg, &o, err, sizeof(err));
    if (p == NULL) {
        fail_msg("th_peer_new(%s): %s", spec, err);
    }
    return p;
}

/* Moves everything |from| has to |to|; the number of bytes moved. */
static size_t move(th_peer *from, th_peer *to) {
    uint8_t buf[65536];
    char err[256];
    size_t total = 0, n;
    for (;;) {
        th_peer_read_result r = th_peer_read(from, buf, sizeof(buf), &n, 0, err, sizeof(err));
        if (r == TH_PEER_READ_ERROR) {
            fail_msg("read: %s", err);
        }
        if (r != TH_PEER_READ_DATA) {
            return total;
        }
        assert_true(th_peer_write(to, buf, n, err, sizeof(err)));
        total += n;
    }
}

static void pump(th_peer *client, th_peer *server) {
    for (int i = 0; i < 100; i++) {
        if (move(client, server) + move(server, client) == 0) {
            return;
        }
    }
    fail_msg("peers did not settle");
}

/* Connects |server| then |client| and runs the handshake. */
static void run_pair(th_peer *client, th_peer *server) {
    char err[256];
    if (!th_peer_connect(server, err, sizeof(err)) || !th_peer_connect(client, err, sizeof(err))) {
        fail_msg("connect: %s", err);
    }
    pump(client, server);
}

static void expect_established(th_peer *p, uint16_t suite, uint16_t group, const char *alpn) {
    th_peer_info info;
    th_peer_info_get(p, &info);
    assert_true(info.known);
    if (!info.established) {
        fail_msg("%s not established: %s (sent %d/%u received %d/%u)", p->spec, info.error,
                 info.has_alert_sent, info.alert_sent, info.has_alert_received,
                 info.alert_received);
    }
    assert_int_equal(info.version, TH_VERSION_TLS13);
    if (suite != 0) {
        assert_int_equal(info.cipher_suite, suite);
    }
    if (group != 0) {
        assert_int_equal(info.group, group);
    }
    assert_string_equal(info.alpn, alpn);
}

static void expect_alert_sent(th_peer *p, uint8_t alert) {
    th_peer_info info;
    th_peer_info_get(p, &info);
    assert_false(info.established);
    if (!info.has_alert_sent || info.alert_sent != alert) {
        fail_msg("%s: expected alert %u sent, got %d/%u (%s)", p->spec, alert, info.has_alert_sent,
                 info.alert_sent, info.error);
    }
    assert_true(info.error[0] != '\0');
}

static void expect_alert_received(th_peer *p, uint8_t alert) {
    th_peer_info info;
    th_peer_info_get(p, &info);
    if (!info.has_alert_received || info.alert_received != alert) {
        fail_msg("%s: expected alert %u received, got %d/%u (%s)", p->spec, alert,
                 info.has_alert_received, info.alert_received, info.error);
    }
}

static void test_spec_valid(void **state) {
    (void)state;
    assert_true(th_peer_spec_valid("boringssl"));
    assert_true(th_peer_spec_valid("self"));
    assert_true(th_peer_spec_valid("tcp:localhost:443"));
    assert_true(th_peer_spec_valid("tcp:127.0.0.1:8443"));
    assert_true(th_peer_spec_valid("tcp:[::1]:8443"));
    assert_true(th_peer_spec_valid("listen:4433"));
    assert_true(th_peer_spec_valid("exec:openssl s_server -accept {port}"));
    assert_false(th_peer_spec_valid(NULL));
    assert_false(th_peer_spec_valid(""));
    assert_false(th_peer_spec_valid("openssl"));
    assert_false(th_peer_spec_valid("BoringSSL"));
    assert_false(th_peer_spec_valid("tcp:"));
    assert_false(th_peer_spec_valid("tcp:localhost"));
    assert_false(th_peer_spec_valid("tcp::443"));
    assert_false(th_peer_spec_valid("tcp:localhost:0"));
    assert_false(th_peer_spec_valid("tcp:localhost:65536"));
    assert_false(th_peer_spec_valid("tcp:localhost:44x"));
    assert_false(th_peer_spec_valid("tcp:::1:443"));
    assert_false(th_peer_spec_valid("listen:"));
    assert_false(th_peer_spec_valid("listen:abc"));
    assert_false(th_peer_spec_valid("exec:"));
    assert_false(th_peer_spec_valid("exec:   "));
}

static void expect_new_fails(const char *spec, int role, const th_sc_side *cfg,
                             const char *needle) {
    th_peer_opts o = opts();
    char err[256] = "";
    th_peer *p = th_peer_new(spec, role, cfg, &o, err, sizeof(err));
    if (p != NULL) {
        th_peer_free(p);
        fail_msg("th_peer_new(%s) succeeded", spec);
    }
    if (strstr(err, needle) == NULL) {
        fail_msg("th_peer_new(%s): \"%s\" does not say \"%s\"", spec, err, needle);
    }
}

static void test_bad_specs_and_certificates_are_clear_errors(void **state) {
    (void)state;
    th_sc_side s = side();
    expect_new_fails("nope", TH_ROLE_SERVER, &s, "unknown peer \"nope\"");
    expect_new_fails("tcp:localhost", TH_ROLE_SERVER, &s, "unknown peer");
    expect_new_fails("tcp:localhost:443", TH_ROLE_CLIENT, &s, "listen:PORT");
    expect_new_fails("listen:4433", TH_ROLE_SERVER, &s, "tcp:HOST:PORT");
    expect_new_fails("exec:true", TH_ROLE_SERVER, &s, "{port}");
    const char *kinds[] = {"boringssl", "self"};
    for (size_t i = 0; i < 2; i++) {
        s.certificate = "no-such-cert";
        expect_new_fails(kinds[i], TH_ROLE_SERVER, &s, "no-such-cert");
        s.certificate = "../pki/server-ecdsa-p256";
        expect_new_fails(kinds[i], TH_ROLE_SERVER, &s, "bad certificate name");
        s.certificate = "";
        expect_new_fails(kinds[i], TH_ROLE_CLIENT, &s, "bad certificate name");
        s.certificate = NULL;
        th_peer_opts o = opts();
        o.pki_dir = "/nonexistent-pki";
        char err[256] = "";
        assert_null(th_peer_new(kinds[i], TH_ROLE_CLIENT, &s, &o, err, sizeof(err)));
        assert_non_null(strstr(err, "/nonexistent-pki/root-ca.pem"));
    }
    char *long_alpn[] = {"x"};
    s.alpn = long_alpn;
    s.num_alpn = 1;
    long_alpn[0] = "";
    expect_new_fails("boringssl", TH_ROLE_SERVER, &s, "ALPN");
    expect_new_fails("self", TH_ROLE_CLIENT, &s, "ALPN");
}

static void test_self_client_boringssl_server(void **state) {
    (void)state;
    uint16_t suite = TH_TLS_AES_256_GCM_SHA384, group = TH_GROUP_SECP384R1;
    th_sc_side c = side(), s = side();
    c.cipher_suites = &suite;
    c.num_cipher_suites = 1;
    c.groups = s.groups = &group;
    c.num_groups = s.num_groups = 1;
    c.alpn = kH2Http;
    c.num_alpn = 2;
    s.alpn = kHttpH2;
    s.num_alpn = 2;
    c.server_name = "localhost";
    th_peer *client = new_peer("self", TH_ROLE_CLIENT, &c);
    th_peer *server = new_peer("boringssl", TH_ROLE_SERVER, &s);
    run_pair(client, server);
    /* The server picks its own first protocol the client offers. */
    expect_established(client, suite, group, "http/1.1");
    expect_established(server, suite, group, "http/1.1");
    th_peer_free(client);
    th_peer_free(server);
}

static void test_boringssl_client_self_server(void **state) {
    (void)state;
    uint16_t suite = TH_TLS_CHACHA20_POLY1305_SHA256, group = TH_GROUP_SECP256R1;
    th_sc_side c = side(), s = side();
    s.cipher_suites = &suite;
    s.num_cipher_suites = 1;
    c.groups = s.groups = &group;
    c.num_groups = s.num_groups = 1;
    c.alpn = kHttpH2;
    c.num_alpn = 2;
    s.alpn = kH2Http;
    s.num_alpn = 2;
    s.certificate = "server-rsa2048";
    th_peer *client = new_peer("boringssl", TH_ROLE_CLIENT, &c);
    th_peer *server = new_peer("self", TH_ROLE_SERVER, &s);
    run_pair(client, server);
    expect_established(client, suite, group, "h2");
    expect_established(server, suite, group, "h2");
    th_peer_free(client);
    th_peer_free(server);
}

static void test_self_client_self_server(void **state) {
    (void)state;
    uint16_t suite = TH_TLS_AES_128_GCM_SHA256, group = TH_GROUP_X25519;
    th_sc_side c = side(), s = side();
    c.cipher_suites = s.cipher_suites = &suite;
    c.num_cipher_suites = s.num_cipher_suites = 1;
    c.groups = s.groups = &group;
    c.num_groups = s.num_groups = 1;
    c.alpn = kH2;
    c.num_alpn = 1;
    th_peer *client = new_peer("self", TH_ROLE_CLIENT, &c);
    th_peer *server = new_peer("self", TH_ROLE_SERVER, &s);
    run_pair(client, server);
    /* A server without ALPN ignores the client's. */
    expect_established(client, suite, group, "");
    expect_established(server, suite, group, "");
    th_peer_free(client);
    th_peer_free(server);
}

static void test_boringssl_client_boringssl_server(void **state) {
    (void)state;
    th_sc_side c = side(), s = side();
    s.certificate = "server-ed25519";
    uint16_t schemes[] = {TH_SIG_ED25519, TH_SIG_ECDSA_SECP256R1_SHA256};
    c.sig_schemes = s.sig_schemes = schemes;
    c.num_sig_schemes = s.num_sig_schemes = 2;
    th_peer *client = new_peer("boringssl", TH_ROLE_CLIENT, &c);
    th_peer *server = new_peer("boringssl", TH_ROLE_SERVER, &s);
    run_pair(client, server);
    expect_established(client, 0, 0, "");
    expect_established(server, 0, 0, "");
    th_peer_free(client);
    th_peer_free(server);
}

/* A th_conn the test drives, joined to a peer. */
static void conn_pump(th_conn *c, th_peer *p) {
    uint8_t buf[65536];
    char err[256];
    for (int i = 0; i < 100; i++) {
        size_t moved = 0, n;
        while ((n = th_conn_take_output(c, buf, sizeof(buf))) > 0) {
            assert_true(th_peer_write(p, buf, n, err, sizeof(err)));
            moved += n;
        }
        while (th_peer_read(p, buf, sizeof(buf), &n, 0, err, sizeof(err)) == TH_PEER_READ_DATA) {
            if (!th_conn_recv(c, buf, n)) {
                /* The status tells. */
            }
            moved += n;
        }
        if (moved == 0) {
            return;
        }
    }
    fail_msg("conn and peer did not settle");
}

static void seq_random(void *ctx, uint8_t *out, size_t len) {
    uint8_t *counter = ctx;
    for (size_t i = 0; i < len; i++) {
        out[i] = (uint8_t)(++*counter * 131u);
    }
}

typedef struct {
    th_config cfg;
    th_cert_key ck;
    X509_STORE *store;
    uint8_t counter;
} conn_fixture;

static th_conn *fixture_conn(conn_fixture *f, th_role role) {
    memset(f, 0, sizeof(*f));
    f->store = th_test_load_trust_store("root-ca.pem");
    f->cfg.trust_store = f->store;
    f->cfg.random = seq_random;
    f->cfg.random_ctx = &f->counter;
    if (role == TH_ROLE_SERVER) {
        th_test_load_cert_key("server-ecdsa-p256", &f->ck);
        f->cfg.cert_key = &f->ck;
    } else {
        f->cfg.server_name = "localhost";
    }
    th_conn *c = th_conn_new(&f->cfg, role);
    assert_non_null(c);
    return c;
}

static void fixture_free(conn_fixture *f, th_conn *c) {
    th_conn_free(c);
    th_cert_key_cleanup(&f->ck);
    X509_STORE_free(f->store);
}

/* Our th_conn sends "ping" on an established connection and reads the
 * peer's echo. */
static void expect_echo(th_conn *c, th_peer *p) {
    static const char ping[] = "ping, and a little more";
    th_conn_status st;
    th_conn_get_status(c, &st);
    assert_int_equal(st.state, TH_CONN_ESTABLISHED);
    assert_true(th_conn_write_app(c, (const uint8_t *)ping, sizeof(ping) - 1, 0));
    conn_pump(c, p);
    uint8_t got[64];
    size_t n = th_conn_read_app(c, got, sizeof(got));
    assert_int_equal(n, sizeof(ping) - 1);
    assert_memory_equal(got, ping, n);
    /* close_notify is answered with close_notify, then EOF. */
    assert_true(th_conn_close(c));
    conn_pump(c, p);
    th_conn_get_status(c, &st);
    assert_int_equal(st.state, TH_CONN_CLOSED);
    char err[256];
    size_t len;
    assert_int_equal(th_peer_read(p, got, sizeof(got), &len, 0, err, sizeof(err)),
                     TH_PEER_READ_EOF);
}

static void test_server_peers_echo(void **state) {
    (void)state;
    const char *kinds[] = {"boringssl", "self"};
    for (size_t i = 0; i < 2; i++) {
        th_sc_side s = side();
        th_peer *server = new_peer(kinds[i], TH_ROLE_SERVER, &s);
        char err[256];
        assert_true(th_peer_connect(server, err, sizeof(err)));
        conn_fixture f;
        th_conn *c = fixture_conn(&f, TH_ROLE_CLIENT);
        conn_pump(c, server);
        expect_echo(c, server);
        fixture_free(&f, c);
        th_peer_free(server);
    }
}

static void test_client_peers_echo(void **state) {
    (void)state;
    const char *kinds[] = {"boringssl", "self"};
    for (size_t i = 0; i < 2; i++) {
        th_sc_side s = side();
        s.server_name = "localhost";
        th_peer *client = new_peer(kinds[i], TH_ROLE_CLIENT, &s);
        conn_fixture f;
        th_conn *c = fixture_conn(&f, TH_ROLE_SERVER);
        char err[256];
        assert_true(th_peer_connect(client, err, sizeof(err)));
        conn_pump(c, client);
        expect_echo(c, client);
        fixture_free(&f, c);
        th_peer_free(client);
    }
}

static void test_key_update_and_bulk_data_are_echoed(void **state) {
    (void)state;
    const char *kinds[] = {"boringssl", "self"};
    enum { kBulk = 200000 };
    uint8_t *data = malloc(kBulk), *got = malloc(kBulk);
    assert_non_null(data);
    assert_non_null(got);
    for (size_t k = 0; k < kBulk; k++) {
        data[k] = (uint8_t)(k * 7 + 3);
    }
    for (size_t i = 0; i < 2; i++) {
        th_sc_side s = side();
        th_peer *server = new_peer(kinds[i], TH_ROLE_SERVER, &s);
        char err[256];
        assert_true(th_peer_connect(server, err, sizeof(err)));
        conn_fixture f;
        th_conn *c = fixture_conn(&f, TH_ROLE_CLIENT);
        conn_pump(c, server);
        /* RFC 8446 §4.6.3: the peer answers update_requested with its own
         * KeyUpdate; the echo after it is under its next key. */
        assert_true(th_conn_key_update(c, 1));
        assert_true(th_conn_write_app(c, data, kBulk, 0));
        conn_pump(c, server);
        size_t total = 0, n;
        while ((n = th_conn_read_app(c, got + total, kBulk - total)) > 0) {
            total += n;
        }
        assert_int_equal(total, kBulk);
        assert_memory_equal(got, data, kBulk);
        th_conn_status st;
        th_conn_get_status(c, &st);
        assert_int_equal(st.state, TH_CONN_ESTABLISHED);
        th_peer_info info;
        th_peer_info_get(server, &info);
        assert_true(info.established);
        assert_false(info.has_alert_sent);
        fixture_free(&f, c);
        th_peer_free(server);
    }
    free(data);
    free(got);
}

static void test_data_before_close_notify_is_echoed(void **state) {
    (void)state;
    const char *kinds[] = {"boringssl", "self"};
    for (size_t i = 0; i < 2; i++) {
        th_sc_side s = side();
        th_peer *server = new_peer(kinds[i], TH_ROLE_SERVER, &s);
        char err[256];
        assert_true(th_peer_connect(server, err, sizeof(err)));
        conn_fixture f;
        th_conn *c = fixture_conn(&f, TH_ROLE_CLIENT);
        conn_pump(c, server);
        assert_true(th_conn_write_app(c, (const uint8_t *)"last", 4, 0));
        assert_true(th_conn_close(c));
        conn_pump(c, server);
        uint8_t got[8];
        assert_int_equal(th_conn_read_app(c, got, sizeof(got)), 4);
        assert_memory_equal(got, "last", 4);
        th_conn_status st;
        th_conn_get_status(c, &st);
        assert_int_equal(st.state, TH_CONN_CLOSED);
        fixture_free(&f, c);
        th_peer_free(server);
    }
}

static void test_echo_off_is_silent(void **state) {
    (void)state;
    const char *kinds[] = {"boringssl", "self"};
    for (size_t i = 0; i < 2; i++) {
        th_sc_side s = side();
        s.echo = 0;
        th_peer *server = new_peer(kinds[i], TH_ROLE_SERVER, &s);
        char err[256];
        assert_true(th_peer_connect(server, err, sizeof(err)));
        conn_fixture f;
        th_conn *c = fixture_conn(&f, TH_ROLE_CLIENT);
        conn_pump(c, server);
        assert_true(th_conn_write_app(c, (const uint8_t *)"x", 1, 0));
        conn_pump(c, server);
        uint8_t got[8];
        assert_int_equal(th_conn_read_app(c, got, sizeof(got)), 0);
        fixture_free(&f, c);
        th_peer_free(server);
    }
}

static void test_missing_required_client_cert_is_certificate_required(void **state) {
    (void)state;
    const char *kinds[] = {"boringssl", "self"};
    for (size_t i = 0; i < 2; i++) {
        for (size_t j = 0; j < 2; j++) {
            th_sc_side c = side(), s = side();
            s.client_auth = 2;
            th_peer *client = new_peer(kinds[j], TH_ROLE_CLIENT, &c);
            th_peer *server = new_peer(kinds[i], TH_ROLE_SERVER, &s);
            run_pair(client, server);
            expect_alert_sent(server, TH_ALERT_CERTIFICATE_REQUIRED);
            expect_alert_received(client, TH_ALERT_CERTIFICATE_REQUIRED);
            th_peer_free(client);
            th_peer_free(server);
        }
    }
}

static void test_client_cert_is_accepted(void **state) {
    (void)state;
    const char *kinds[] = {"boringssl", "self"};
    for (size_t i = 0; i < 2; i++) {
        for (size_t j = 0; j < 2; j++) {
            th_sc_side c = side(), s = side();
            s.client_auth = 2;
            c.certificate = j ? "client-rsa2048" : "client-ecdsa-p256";
            th_peer *client = new_peer(kinds[j], TH_ROLE_CLIENT, &c);
            th_peer *server = new_peer(kinds[i], TH_ROLE_SERVER, &s);
            run_pair(client, server);
            expect_established(client, 0, 0, "");
            expect_established(server, 0, 0, "");
            th_peer_free(client);
            th_peer_free(server);
        }
    }
}

static void test_boringssl_require_sni(void **state) {
    (void)state;
    th_sc_side c = side(), s = side();
    s.require_sni = 1;
    s.server_name = "localhost";
    th_peer *client = new_peer("self", TH_ROLE_CLIENT, &c);
    th_peer *server = new_peer("boringssl", TH_ROLE_SERVER, &s);
    run_pair(client, server);
    expect_alert_sent(server, TH_ALERT_MISSING_EXTENSION);
    expect_alert_received(client, TH_ALERT_MISSING_EXTENSION);
    th_peer_free(client);

    /* With the name: accepted, and the next connection of the same peer
     * starts afresh. */
    c.server_name = "localhost";
    client = new_peer("self", TH_ROLE_CLIENT, &c);
    run_pair(client, server);
    expect_established(server, 0, 0, "");
    th_peer_free(client);
    th_peer_free(server);
}

static void test_alpn_without_overlap_is_no_application_protocol(void **state) {
    (void)state;
    const char *kinds[] = {"boringssl", "self"};
    for (size_t i = 0; i < 2; i++) {
        th_sc_side c = side(), s = side();
        c.alpn = kHttp;
        c.num_alpn = 1;
        s.alpn = kH2;
        s.num_alpn = 1;
        th_peer *client = new_peer("self", TH_ROLE_CLIENT, &c);
        th_peer *server = new_peer(kinds[i], TH_ROLE_SERVER, &s);
        run_pair(client, server);
        expect_alert_sent(server, TH_ALERT_NO_APPLICATION_PROTOCOL);
        expect_alert_received(client, TH_ALERT_NO_APPLICATION_PROTOCOL);
        th_peer_free(client);
        th_peer_free(server);
    }
}

static void expect_resumed(th_peer *p, int resumed) {
    th_peer_info info;
    th_peer_info_get(p, &info);
    assert_true(info.established);
    if (info.resumed != resumed) {
        fail_msg("%s: resumed %d, expected %d", p->spec, info.resumed, resumed);
    }
}

static void test_resume_on_second_connection(void **state) {
    (void)state;
    const char *kinds[] = {"boringssl", "self"};
    for (size_t i = 0; i < 2; i++) {
        for (size_t j = 0; j < 2; j++) {
            th_sc_side c = side(), s = side();
            c.resume = s.resume = 1;
            c.server_name = "localhost";
            th_peer *client = new_peer(kinds[j], TH_ROLE_CLIENT, &c);
            th_peer *server = new_peer(kinds[i], TH_ROLE_SERVER, &s);
            run_pair(client, server);
            expect_resumed(client, 0);
            expect_resumed(server, 0);
            th_peer_disconnect(client);
            th_peer_disconnect(server);
            run_pair(client, server);
            expect_resumed(client, 1);
            expect_resumed(server, 1);
            th_peer_free(client);
            th_peer_free(server);
        }
    }
}

static void test_without_resume_the_second_connection_is_full(void **state) {
    (void)state;
    th_sc_side c = side(), s = side();
    th_peer *client = new_peer("boringssl", TH_ROLE_CLIENT, &c);
    th_peer *server = new_peer("self", TH_ROLE_SERVER, &s);
    run_pair(client, server);
    run_pair(client, server);
    expect_resumed(client, 0);
    expect_resumed(server, 0);
    th_peer_free(client);
    th_peer_free(server);
}

static void test_early_data_with_resumption(void **state) {
    (void)state;
    const char *kinds[] = {"boringssl", "self"};
    for (size_t i = 0; i < 2; i++) {
        th_sc_side s = side(), c = side();
        s.max_early_data = 16384;
        c.resume = 1;
        c.echo = 0;
        static const uint8_t early[] = "early bytes";
        c.early_data = (uint8_t *)early;
        c.early_data_len = sizeof(early) - 1;
        th_peer *client = new_peer(kinds[i], TH_ROLE_CLIENT, &c);
        th_peer *server = new_peer(kinds[i], TH_ROLE_SERVER, &s);
        run_pair(client, server);
        th_peer_disconnect(client);
        th_peer_disconnect(server);
        run_pair(client, server);
        expect_resumed(client, 1);
        expect_resumed(server, 1);
        th_peer_free(client);
        th_peer_free(server);
    }
}

static void test_peer_read_before_connect_is_eof(void **state) {
    (void)state;
    const char *kinds[] = {"boringssl", "self"};
    for (size_t i = 0; i < 2; i++) {
        th_sc_side s = side();
        th_peer *p = new_peer(kinds[i], TH_ROLE_SERVER, &s);
        uint8_t buf[8];
        size_t n;
        char err[256];
        assert_int_equal(th_peer_read(p, buf, sizeof(buf), &n, 0, err, sizeof(err)),
                         TH_PEER_READ_EOF);
        assert_false(th_peer_write(p, buf, 1, err, sizeof(err)));
        assert_non_null(strstr(err, "not connected"));
        th_peer_free(p);
    }
    th_peer_free(NULL);
}

static void test_garbage_gets_an_alert_and_eof(void **state) {
    (void)state;
    const char *kinds[] = {"boringssl", "self"};
    for (size_t i = 0; i < 2; i++) {
        th_sc_side s = side();
        th_peer *p = new_peer(kinds[i], TH_ROLE_SERVER, &s);
        char err[256];
        assert_true(th_peer_connect(p, err, sizeof(err)));
        /* A handshake record holding a ClientHello with a 1-byte body. */
        static const uint8_t junk[] = {0x16, 0x03, 0x01, 0x00, 0x05, 0x01, 0x00, 0x00, 0x01, 0x00};
        assert_true(th_peer_write(p, junk, sizeof(junk), err, sizeof(err)));
        uint8_t buf[64];
        size_t n;
        assert_int_equal(th_peer_read(p, buf, sizeof(buf), &n, 0, err, sizeof(err)),
                         TH_PEER_READ_DATA);
        assert_int_equal(n, 7);
        assert_int_equal(buf[0], 0x15);
        assert_int_equal(buf[6], TH_ALERT_DECODE_ERROR);
        assert_int_equal(th_peer_read(p, buf, sizeof(buf), &n, 0, err, sizeof(err)),
                         TH_PEER_READ_EOF);
        expect_alert_sent(p, TH_ALERT_DECODE_ERROR);
        /* Later bytes are dropped. */
        assert_true(th_peer_write(p, junk, sizeof(junk), err, sizeof(err)));
        th_peer_free(p);
    }
}

static void test_hrr_cookie_and_record_size_limit_with_self_server(void **state) {
    (void)state;
    const char *kinds[] = {"boringssl", "self"};
    for (size_t j = 0; j < 2; j++) {
        uint16_t cgroups[] = {TH_GROUP_X25519, TH_GROUP_SECP256R1};
        uint16_t sgroup = TH_GROUP_SECP256R1;
        th_sc_side c = side(), s = side();
        c.groups = cgroups;
        c.num_groups = 2;
        s.groups = &sgroup;
        s.num_groups = 1;
        s.hrr_cookie = 1;
        s.record_size_limit = c.record_size_limit = 1024;
        s.middlebox_compat = c.middlebox_compat = 1;
        th_peer *client = new_peer(kinds[j], TH_ROLE_CLIENT, &c);
        th_peer *server = new_peer("self", TH_ROLE_SERVER, &s);
        run_pair(client, server);
        expect_established(client, 0, TH_GROUP_SECP256R1, "");
        expect_established(server, 0, TH_GROUP_SECP256R1, "");
        th_peer_free(client);
        th_peer_free(server);
    }
}

static void test_boringssl_tls12(void **state) {
    (void)state;
    uint16_t v12 = TH_VERSION_TLS12;
    uint16_t suite = 0xc02b; /* TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 */
    th_sc_side c = side(), s = side();
    c.versions = s.versions = &v12;
    c.num_versions = s.num_versions = 1;
    s.cipher_suites = &suite;
    s.num_cipher_suites = 1;
    th_peer *client = new_peer("boringssl", TH_ROLE_CLIENT, &c);
    th_peer *server = new_peer("boringssl", TH_ROLE_SERVER, &s);
    run_pair(client, server);
    th_peer_info info;
    th_peer_info_get(server, &info);
    assert_true(info.established);
    assert_int_equal(info.version, TH_VERSION_TLS12);
    assert_int_equal(info.cipher_suite, suite);
    th_peer_free(client);
    th_peer_free(server);
}

/* The first flight of a self client peer: its ClientHello. */
static size_t self_client_hello(uint64_t seed, uint8_t *out, size_t cap) {
    th_sc_side c = side();
    th_peer_opts o = opts();
    o.seed = seed;
    char err[256];
    th_peer *p = th_peer_new("self", TH_ROLE_CLIENT, &c, &o, err, sizeof(err));
    assert_non_null(p);
    assert_true(th_peer_connect(p, err, sizeof(err)));
    size_t n;
    assert_int_equal(th_peer_read(p, out, cap, &n, 0, err, sizeof(err)), TH_PEER_READ_DATA);
    th_peer_free(p);
    return n;
}

static void test_self_is_deterministic_for_a_seed(void **state) {
    (void)state;
    uint8_t a[2048], b[2048], other[2048];
    size_t a_len = self_client_hello(5, a, sizeof(a));
    size_t b_len = self_client_hello(5, b, sizeof(b));
    size_t other_len = self_client_hello(6, other, sizeof(other));
    assert_int_equal(a_len, b_len);
    assert_memory_equal(a, b, a_len);
    assert_int_equal(a_len, other_len);
    assert_memory_not_equal(a, other, a_len);
}

static void test_client_peers_refuse_bad_server_chains(void **state) {
    (void)state;
    const char *kinds[] = {"boringssl", "self"};
    static struct {
        char *cert;
        uint8_t alert;
    } kBad[] = {
        {"bad-unknown-ca", TH_ALERT_UNKNOWN_CA},
        {"bad-expired", TH_ALERT_CERTIFICATE_EXPIRED},
        {"bad-wrong-host", TH_ALERT_BAD_CERTIFICATE},
    };
    for (size_t i = 0; i < 2; i++) {
        for (size_t b = 0; b < sizeof(kBad) / sizeof(kBad[0]); b++) {
            th_sc_side c = side(), s = side();
            s.certificate = kBad[b].cert;
            th_peer *client = new_peer(kinds[i], TH_ROLE_CLIENT, &c);
            th_peer *server = new_peer("self", TH_ROLE_SERVER, &s);
            run_pair(client, server);
            expect_alert_sent(client, kBad[b].alert);
            th_peer_free(client);
            th_peer_free(server);
        }
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_spec_valid),
        cmocka_unit_test(test_bad_specs_and_certificates_are_clear_errors),
        cmocka_unit_test(test_self_client_boringssl_server),
        cmocka_unit_test(test_boringssl_client_self_server),
        cmocka_unit_test(test_self_client_self_server),
        cmocka_unit_test(test_boringssl_client_boringssl_server),
        cmocka_unit_test(test_server_peers_echo),
        cmocka_unit_test(test_client_peers_echo),
        cmocka_unit_test(test_key_update_and_bulk_data_are_echoed),
        cmocka_unit_test(test_data_before_close_notify_is_echoed),
        cmocka_unit_test(test_echo_off_is_silent),
        cmocka_unit_test(test_missing_required_client_cert_is_certificate_required),
        cmocka_unit_test(test_client_cert_is_accepted),
        cmocka_unit_test(test_boringssl_require_sni),
        cmocka_unit_test(test_alpn_without_overlap_is_no_application_protocol),
        cmocka_unit_test(test_resume_on_second_connection),
        cmocka_unit_test(test_without_resume_the_second_connection_is_full),
        cmocka_unit_test(test_early_data_with_resumption),
        cmocka_unit_test(test_peer_read_before_connect_is_eof),
        cmocka_unit_test(test_garbage_gets_an_alert_and_eof),
        cmocka_unit_test(test_hrr_cookie_and_record_size_limit_with_self_server),
        cmocka_unit_test(test_boringssl_tls12),
        cmocka_unit_test(test_client_peers_refuse_bad_server_chains),
        cmocka_unit_test(test_self_is_deterministic_for_a_seed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
