/* The network peers (peer_net.c): self vs self over loopback sockets through
 * a listen peer and a tcp peer in one process (non-blocking pumping),
 * `openssl s_server` and `openssl s_client` run by exec peers against our
 * engine, the command stopped by free, and clear errors for unreachable
 * ports, timeouts and commands that fail. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/socket.h>
#include <unistd.h>

#include "peer.h"
#include "peer_internal.h"
#include "testutil.h"

#define PKI TH_SOURCE_DIR "/scenarios/pki"

/* How long one pump round waits on a network peer. */
#define NET_WAIT_MS 50

static th_sc_side side(void) {
    th_sc_side s;
    memset(&s, 0, sizeof(s));
    s.echo = 1;
    return s;
}

static th_peer_opts opts(unsigned timeout_ms) {
    th_peer_opts o;
    memset(&o, 0, sizeof(o));
    o.pki_dir = PKI;
    o.seed = 7;
    o.connect_timeout_ms = timeout_ms;
    return o;
}

static th_peer *new_peer(const char *spec, int role, const th_sc_side *cfg) {
    th_peer_opts o = opts(5000);
    char err[256] = "";
    th_peer *p = th_peer_new(spec, role, cfg, &o, err, sizeof(err));
    if (p == NULL) {
        fail_msg("th_peer_new(%s): %s", spec, err);
    }
    return p;
}

/* A port nothing listens on right now (the kernel's pick, released). */
static uint16_t free_port(void) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof(sa));
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof(sa);
    assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
    assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &len), 0);
    close(fd);
    return ntohs(sa.sin_port);
}

/* 1 if something accepts TCP connections on 127.0.0.1:port. */
static int port_open(uint16_t port) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof(sa));
    sa.sin_family = AF_INET;
    sa.sin_port = htons(port);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int ok = connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0;
    close(fd);
    return ok;
}

static size_t move(th_peer *from, th_peer *to, unsigned wait_ms) {
    uint8_t buf[65536];
    char err[256];
    size_t total = 0, n;
    for (;;) {
        th_peer_read_result r = th_peer_read(from, buf, sizeof(buf), &n, wait_ms, err, sizeof(err));
        if (r == TH_PEER_READ_ERROR) {
            fail_msg("read from %s: %s", from->spec, err);
        }
        if (r != TH_PEER_READ_DATA) {
            return total;
        }
        assert_true(th_peer_write(to, buf, n, err, sizeof(err)));
        total += n;
        wait_ms = 0;
    }
}

/* client <-> net_a ... net_b <-> server: what the client writes goes into
 * net_a (which stands for a server), comes out of net_b (which stands for a
 * client) into the server, and back. Either net side may be NULL when the
 * other end is a real program. Runs until three rounds move nothing. */
static void pump_net(th_peer *client, th_peer *net_a, th_peer *net_b, th_peer *server) {
    int idle = 0;
    for (int i = 0; i < 200 && idle < 3; i++) {
        size_t moved = 0;
        if (client != NULL) {
            moved += move(client, net_a, 0);
            moved += move(net_a, client, NET_WAIT_MS);
        }
        if (server != NULL) {
            moved += move(net_b, server, NET_WAIT_MS);
            moved += move(server, net_b, 0);
        }
        idle = moved == 0 ? idle + 1 : 0;
    }
    assert_int_equal(idle, 3);
}

static void expect_established(th_peer *p) {
    th_peer_info info;
    th_peer_info_get(p, &info);
    assert_true(info.known);
    if (!info.established) {
        fail_msg("%s not established: %s", p->spec, info.error);
    }
}

static void connect_ok(th_peer *p) {
    char err[256];
    if (!th_peer_connect(p, err, sizeof(err))) {
        fail_msg("connect %s: %s", p->spec, err);
    }
}

static void test_self_vs_self_over_tcp_and_listen(void **state) {
    (void)state;
    uint16_t port = free_port();
    char listen_spec[32], tcp_spec[64];
    snprintf(listen_spec, sizeof(listen_spec), "listen:%u", port);
    snprintf(tcp_spec, sizeof(tcp_spec), "tcp:127.0.0.1:%u", port);
    th_sc_side c = side(), s = side();
    c.echo = 0;
    c.resume = s.resume = 1;
    th_peer *listen_peer = new_peer(listen_spec, TH_ROLE_CLIENT, &s);
    th_peer *tcp_peer = new_peer(tcp_spec, TH_ROLE_SERVER, &c);
    th_peer *client = new_peer("self", TH_ROLE_CLIENT, &c);
    th_peer *server = new_peer("self", TH_ROLE_SERVER, &s);
    for (int round = 0; round < 2; round++) {
        /* The kernel completes the TCP handshake before accept. */
        connect_ok(tcp_peer);
        connect_ok(listen_peer);
        connect_ok(server);
        connect_ok(client);
        pump_net(client, tcp_peer, listen_peer, server);
        expect_established(client);
        expect_established(server);
        th_peer_info info;
        th_peer_info_get(server, &info);
        assert_int_equal(info.resumed, round == 1);
        th_peer_info_get(tcp_peer, &info);
        assert_false(info.known);
        th_peer_info_get(listen_peer, &info);
        assert_false(info.known);
        /* Our side closing is EOF on the other. */
        th_peer_disconnect(tcp_peer);
        uint8_t buf[16];
        size_t n;
        char err[256];
        assert_int_equal(th_peer_read(listen_peer, buf, sizeof(buf), &n, 1000, err, sizeof(err)),
                         TH_PEER_READ_EOF);
        /* After our own disconnect, a read is EOF. */
        th_peer_disconnect(listen_peer);
        assert_int_equal(th_peer_read(listen_peer, buf, sizeof(buf), &n, 0, err, sizeof(err)),
                         TH_PEER_READ_EOF);
        th_peer_disconnect(client);
        th_peer_disconnect(server);
    }
    th_peer_free(client);
    th_peer_free(server);
    th_peer_free(tcp_peer);
    th_peer_free(listen_peer);
    assert_false(port_open(port));
}

static void test_read_waits_up_to_the_deadline(void **state) {
    (void)state;
    uint16_t port = free_port();
    char listen_spec[32], tcp_spec[64];
    snprintf(listen_spec, sizeof(listen_spec), "listen:%u", port);
    snprintf(tcp_spec, sizeof(tcp_spec), "tcp:localhost:%u", port);
    th_sc_side s = side();
    th_peer *listen_peer = new_peer(listen_spec, TH_ROLE_CLIENT, &s);
    th_peer *tcp_peer = new_peer(tcp_spec, TH_ROLE_SERVER, &s);
    connect_ok(tcp_peer);
    connect_ok(listen_peer);
    uint8_t buf[16];
    size_t n;
    char err[256];
    assert_int_equal(th_peer_read(tcp_peer, buf, sizeof(buf), &n, 100, err, sizeof(err)),
                     TH_PEER_READ_NONE);
    assert_true(th_peer_write(listen_peer, (const uint8_t *)"abc", 3, err, sizeof(err)));
    assert_int_equal(th_peer_read(tcp_peer, buf, sizeof(buf), &n, 1000, err, sizeof(err)),
                     TH_PEER_READ_DATA);
    assert_int_equal(n, 3);
    assert_memory_equal(buf, "abc", 3);
    th_peer_disconnect(listen_peer);
    assert_int_equal(th_peer_read(tcp_peer, buf, sizeof(buf), &n, 1000, err, sizeof(err)),
                     TH_PEER_READ_EOF);
    assert_true(th_peer_write(tcp_peer, (const uint8_t *)"late", 4, err, sizeof(err)));
    th_peer_free(tcp_peer);
    th_peer_free(listen_peer);
}

static void expect_connect_fails(const char *spec, int role, unsigned timeout_ms,
                                 const char *needle) {
    th_sc_side s = side();
    th_peer_opts o = opts(timeout_ms);
    char err[256] = "";
    th_peer *p = th_peer_new(spec, role, &s, &o, err, sizeof(err));
    if (p == NULL) {
        fail_msg("th_peer_new(%s): %s", spec, err);
    }
    if (th_peer_connect(p, err, sizeof(err))) {
        th_peer_free(p);
        fail_msg("connect to %s succeeded", spec);
    }
    if (strstr(err, needle) == NULL) {
        th_peer_free(p);
        fail_msg("connect to %s: \"%s\" does not say \"%s\"", spec, err, needle);
    }
    th_peer_free(p);
}

static void test_unreachable_port_is_a_clear_error(void **state) {
    (void)state;
    char spec[64];
    snprintf(spec, sizeof(spec), "tcp:127.0.0.1:%u", free_port());
    expect_connect_fails(spec, TH_ROLE_SERVER, 1000, "refused");
    expect_connect_fails("tcp:no-such-host.invalid:443", TH_ROLE_SERVER, 1000, "cannot resolve");
}

static void test_listen_without_client_times_out(void **state) {
    (void)state;
    char spec[32];
    snprintf(spec, sizeof(spec), "listen:%u", free_port());
    expect_connect_fails(spec, TH_ROLE_CLIENT, 200, "no client connected");
}

static void test_listen_on_a_busy_port_is_an_error(void **state) {
    (void)state;
    uint16_t port = free_port();
    char spec[32];
    snprintf(spec, sizeof(spec), "listen:%u", port);
    th_sc_side s = side();
    th_peer *first = new_peer(spec, TH_ROLE_CLIENT, &s);
    th_peer_opts o = opts(1000);
    char err[256] = "";
    assert_null(th_peer_new(spec, TH_ROLE_CLIENT, &s, &o, err, sizeof(err)));
    assert_non_null(strstr(err, "cannot listen"));
    th_peer_free(first);
}

static void test_exec_s_server_with_self_client(void **state) {
    (void)state;
    const char *spec =
        "exec:openssl s_server -accept {port} -cert " PKI "/server-ecdsa-p256.pem -key " PKI
        "/server-ecdsa-p256.key -cert_chain " PKI "/intermediate-ca.pem -tls1_3 -quiet";
    th_sc_side s = side(), c = side();
    c.server_name = "localhost";
    c.echo = 0;
    th_peer *server = new_peer(spec, TH_ROLE_SERVER, &s);
    th_peer *client = new_peer("self", TH_ROLE_CLIENT, &c);
    for (int round = 0; round < 2; round++) {
        connect_ok(server);
        connect_ok(client);
        pump_net(client, server, NULL, NULL);
        expect_established(client);
        th_peer_disconnect(client);
        th_peer_disconnect(server);
    }
    th_peer_info info;
    th_peer_info_get(server, &info);
    assert_false(info.known);
    th_peer_free(client);
    uint16_t port = th_peer_net_port(server);
    assert_true(port != 0);
    /* s_server is still there (a loaded machine may take a moment to get
     * back to accept()), until free stops it. */
    int open_now = 0;
    for (int i = 0; i < 30 && !open_now; i++) {
        open_now = port_open(port);
        if (!open_now) {
            struct timespec pause = {0, 100 * 1000 * 1000};
            nanosleep(&pause, NULL);
        }
    }
    if (!open_now) {
        th_peer_info_get(server, &info);
        fprintf(stderr, "s_server on port %u is gone: %s\n", port, info.error);
    }
    assert_true(open_now);
    th_peer_free(server);
    assert_false(port_open(port));
}

/* A command that ignores SIGTERM gets SIGKILL a second later. */
static void test_exec_free_kills_a_command_ignoring_sigterm(void **state) {
    (void)state;
    const char *spec = "exec:trap '' TERM; exec openssl s_server -accept {port} -cert " PKI
                       "/server-ecdsa-p256.pem -key " PKI "/server-ecdsa-p256.key -quiet";
    th_sc_side s = side();
    th_peer *server = new_peer(spec, TH_ROLE_SERVER, &s);
    connect_ok(server);
    uint16_t port = th_peer_net_port(server);
    assert_true(port_open(port));
    th_peer_free(server);
    assert_false(port_open(port));
}

static void test_exec_failing_command_reports_its_stderr(void **state) {
    (void)state;
    expect_connect_fails("exec:echo 'no such option' >&2; exit 3; : {port}", TH_ROLE_SERVER, 2000,
                         "status 3: no such option");
    expect_connect_fails("exec:sleep 5; : {port}", TH_ROLE_SERVER, 300, "nothing accepted");
    expect_connect_fails("exec:echo started >&2; sleep 5; : {port}", TH_ROLE_CLIENT, 300,
                         "no client connected");
    expect_connect_fails("exec:/nonexistent/server {port}", TH_ROLE_SERVER, 2000, "status 127");
}

static void test_exec_s_client_with_self_server(void **state) {
    (void)state;
    const char *spec = "exec:openssl s_client -connect 127.0.0.1:{port} -servername localhost "
                       "-tls1_3 -quiet -CAfile " PKI "/root-ca.pem";
    th_sc_side s = side(), c = side();
    th_peer *client = new_peer(spec, TH_ROLE_CLIENT, &c);
    th_peer *server = new_peer("self", TH_ROLE_SERVER, &s);
    for (int round = 0; round < 2; round++) {
        connect_ok(client);
        connect_ok(server);
        pump_net(NULL, NULL, client, server);
        expect_established(server);
        th_peer_disconnect(client);
        th_peer_disconnect(server);
    }
    th_peer_free(server);
    th_peer_free(client);
}

int main(void) {
    /* A test failing mid-write must not kill the run. */
    signal(SIGPIPE, SIG_IGN);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_self_vs_self_over_tcp_and_listen),
        cmocka_unit_test(test_read_waits_up_to_the_deadline),
        cmocka_unit_test(test_unreachable_port_is_a_clear_error),
        cmocka_unit_test(test_listen_without_client_times_out),
        cmocka_unit_test(test_listen_on_a_busy_port_is_an_error),
        cmocka_unit_test(test_exec_s_server_with_self_client),
        cmocka_unit_test(test_exec_free_kills_a_command_ignoring_sigterm),
        cmocka_unit_test(test_exec_failing_command_reports_its_stderr),
        cmocka_unit_test(test_exec_s_client_with_self_server),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
