/* tlsharness server: a TLS 1.3 (and with --versions TLS 1.2) server on the
 * engine. One poll() loop serves up to MAX_CLIENTS connections at once on
 * non-blocking sockets: socket bytes go into th_conn_recv, the engine's
 * output goes back out, and the application data is echoed (--echo) or
 * answered with a small HTTP/1.0 response (--http). One line per connection
 * (negotiated version included) goes to stderr when it ends.
 * One ticket context serves the whole process, so a ticket from any
 * connection resumes on any later one (until the process exits: its key is
 * random); with --session-cache one TLS 1.2 session ID cache does the same
 * for session IDs. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <netdb.h>
#include <sys/socket.h>

#include "cli.h"
#include "cli_io.h"
#include "cli_net.h"
#include "names.h"

/* Connections served at the same time; more wait in the listen backlog. */
#define MAX_CLIENTS 64
/* Most certificate/key pairs accepted on the command line. */
#define MAX_CERTS 8
/* Request bytes --http waits for before answering anyway. */
#define MAX_HTTP_REQUEST 8192
/* Largest --ocsp-response file. */
#define MAX_OCSP_RESPONSE (64u * 1024u)
/* A connection with no progress for this long is dropped. */
#define IDLE_TIMEOUT_SECONDS 60

static const char kHttpResponse[] = "HTTP/1.0 200 OK\r\n"
                                    "Content-Type: text/plain\r\n"
                                    "Connection: close\r\n"
                                    "\r\n"
                                    "Hello from tlsharness\r\n";

static void server_usage(FILE *f) {
    fprintf(f,
            "usage: tlsharness server --port P --cert FILE --key FILE [options]\n"
            "\n"
            "Serves TLS 1.3 (by default; see --versions) on HOST:P, many connections at\n"
            "once, until killed or until --max-connections connections have ended. Logs\n"
            "one line per connection to stderr: peer, version, suite, group (- for a\n"
            "TLS 1.2 RSA key exchange), ALPN, SNI, \"resumed\" for a resumption,\n"
            "early_data=accepted/rejected when the client offered 0-RTT, and how it\n"
            "ended (the alert on failure).\n"
            "\n"
            "  --port P               TCP port (1-65535)\n"
            "  --host ADDR            address to listen on (default 127.0.0.1)\n"
            "  --cert FILE            certificate chain (PEM, leaf first)\n"
            "  --key FILE             its private key (PEM)\n"
            "                         --cert/--key may be given up to %d times (e.g. RSA and\n"
            "                         ECDSA, or several names): per connection the server\n"
            "                         serves the first pair the client can verify whose\n"
            "                         certificate matches its server_name, else the first\n"
            "                         it can verify\n"
            "  --ca FILE              PEM anchors for client certificates (asks for one)\n"
            "  --require-client-cert  fail with certificate_required without one (needs --ca)\n"
            "  --alpn LIST            comma-separated ALPN protocols in preference order\n"
            "  --groups LIST          key exchange groups in preference order\n"
            "  --versions LIST        versions served: tls1.3 (default), tls1.2, or\n"
            "                         tls1.2,tls1.3 (also 1.2, 1.3): TLS 1.3 to clients\n"
            "                         that offer it, else TLS 1.2 (with the RFC 8446\n"
            "                         downgrade sentinel in ServerHello.random)\n"
            "  --suites LIST          cipher suites in preference order, IANA or OpenSSL\n"
            "                         names (TLS 1.2 ones need tls1.2 in --versions; each\n"
            "                         enabled version needs one); default: every suite\n"
            "                         the engine supports for the version (TLS 1.2:\n"
            "                         ECDHE-ECDSA/ECDHE-RSA with AES-GCM, ChaCha20 and\n"
            "                         AES-CBC-SHA, RSA key exchange with AES-GCM and\n"
            "                         AES-CBC-SHA; those the certificate's key allows)\n"
            "  --allow-no-ems         TLS 1.2: accept a client without\n"
            "                         extended_master_secret (RFC 7627; required by\n"
            "                         default)\n"
            "  --echo                 send application data back (the default)\n"
            "  --http                 answer any request with a small HTTP/1.0 200 and close\n"
            "  --keylog FILE          append NSS key log lines (SSLKEYLOGFILE format)\n"
            "  --no-tickets           send no NewSessionTicket and resume no ticket (by\n"
            "                         default 2 tickets follow each TLS 1.3 handshake and\n"
            "                         one each TLS 1.2 handshake whose client asks (RFC\n"
            "                         5077), valid for 2 hours, sealed with a key made at\n"
            "                         start)\n"
            "  --ocsp-response FILE   TLS 1.2: staple FILE (a DER OCSP response) in a\n"
            "                         CertificateStatus to clients that send\n"
            "                         status_request (RFC 6066 8)\n"
            "  --session-cache        TLS 1.2: issue session IDs and resume them (RFC 5246\n"
            "                         7.4.1.2) from a cache of 1024 sessions in memory\n"
            "                         (needs tls1.2 in --versions)\n"
            "  --early-data N         tickets allow N bytes of 0-RTT data and 0-RTT is\n"
            "                         accepted with them, once per ticket (default 0: off;\n"
            "                         offered early data is then skipped). Accepted early\n"
            "                         data is echoed once the handshake is done\n"
            "  --max-connections N    exit after N connections have ended (default: never)\n"
            "  --help                 this text\n"
            "\n"
            "Up to %d connections are served at once; one that makes no progress for %d\n"
            "seconds is dropped.\n"
            "\n"
            "Exit status: 0 after --max-connections connections; 2 usage or input error\n"
            "(bad flag, unreadable certificate or key, port in use).\n",
            MAX_CERTS, MAX_CLIENTS, IDLE_TIMEOUT_SECONDS);
}

typedef struct {
    const char *host, *ca, *alpn, *groups, *suites, *keylog, *versions, *ocsp;
    const char *certs[MAX_CERTS], *keys[MAX_CERTS];
    size_t num_certs, num_keys;
    uint16_t port;
    int have_port, http, echo, require_client_cert, no_tickets, session_cache, allow_no_ems;
    unsigned long max_connections; /* 0: no limit */
    unsigned long max_early_data;  /* 0: no 0-RTT */
} server_args;

/* One connection being served. */
typedef struct {
    int fd; /* -1: free slot */
    th_conn *conn;
    char peer[80];
    time_t last_activity;
    int closing; /* close the socket once the output is flushed */
    int answered;
    uint8_t request[MAX_HTTP_REQUEST];
    size_t request_len;
    size_t bytes_in, bytes_out;
    char end_reason[128];
} client_slot;

static int parse_count(const char *s, unsigned long *out) {
    char *end;
    if (*s < '0' || *s > '9') {
        return 0;
    }
    errno = 0;
    *out = strtoul(s, &end, 10);
    return errno == 0 && *end == '\0';
}

static int parse_args(int argc, char **argv, server_args *a, int *status) {
    memset(a, 0, sizeof(*a));
    a->host = "127.0.0.1";
    *status = 2;
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
            server_usage(stdout);
            *status = 0;
            return 0;
        }
        if (strcmp(arg, "--echo") == 0) {
            a->echo = 1;
            continue;
        }
        if (strcmp(arg, "--http") == 0) {
            a->http = 1;
            continue;
        }
        if (strcmp(arg, "--require-client-cert") == 0) {
            a->require_client_cert = 1;
            continue;
        }
        if (strcmp(arg, "--no-tickets") == 0) {
            a->no_tickets = 1;
            continue;
        }
        if (strcmp(arg, "--session-cache") == 0) {
            a->session_cache = 1;
            continue;
        }
        if (strcmp(arg, "--allow-no-ems") == 0) {
            a->allow_no_ems = 1;
            continue;
        }
        static const char *const kValued[] = {
            "--port",       "--host",     "--cert",          "--key",    "--ca",
            "--alpn",       "--groups",   "--suites",        "--keylog", "--max-connections",
            "--early-data", "--versions", "--ocsp-response",
        };
        int valued = 0;
        for (size_t k = 0; k < sizeof(kValued) / sizeof(kValued[0]); k++) {
            valued |= strcmp(arg, kValued[k]) == 0;
        }
        if (!valued) {
            fprintf(stderr, "tlsharness server: unknown option '%s'\n", arg);
            server_usage(stderr);
            return 0;
        }
        if (i + 1 >= argc) {
            fprintf(stderr, "tlsharness server: %s needs a value\n", arg);
            return 0;
        }
        const char *v = argv[++i];
        if (strcmp(arg, "--port") == 0) {
            if (!th_cli_parse_port(v, &a->port)) {
                fprintf(stderr, "tlsharness server: --port: '%s' is not a port (1-65535)\n", v);
                return 0;
            }
            a->have_port = 1;
        } else if (strcmp(arg, "--host") == 0) {
            a->host = v;
        } else if (strcmp(arg, "--cert") == 0 || strcmp(arg, "--key") == 0) {
            int is_cert = arg[2] == 'c';
            size_t *num = is_cert ? &a->num_certs : &a->num_keys;
            if (*num == MAX_CERTS) {
                fprintf(stderr, "tlsharness server: %s: at most %d\n", arg, MAX_CERTS);
                return 0;
            }
            (is_cert ? a->certs : a->keys)[(*num)++] = v;
        } else if (strcmp(arg, "--ca") == 0) {
            a->ca = v;
        } else if (strcmp(arg, "--alpn") == 0) {
            a->alpn = v;
        } else if (strcmp(arg, "--groups") == 0) {
            a->groups = v;
        } else if (strcmp(arg, "--suites") == 0) {
            a->suites = v;
        } else if (strcmp(arg, "--keylog") == 0) {
            a->keylog = v;
        } else if (strcmp(arg, "--versions") == 0) {
            a->versions = v;
        } else if (strcmp(arg, "--ocsp-response") == 0) {
            a->ocsp = v;
        } else if (strcmp(arg, "--early-data") == 0) {
            /* max_early_data_size is a uint32 (RFC 8446 §4.2.10). */
            if (!parse_count(v, &a->max_early_data) || a->max_early_data > UINT32_MAX) {
                fprintf(stderr,
                        "tlsharness server: --early-data: '%s' is not a byte count "
                        "(0-4294967295)\n",
                        v);
                return 0;
            }
        } else if (!parse_count(v, &a->max_connections) || a->max_connections == 0) {
            fprintf(stderr, "tlsharness server: --max-connections: '%s' is not a count >= 1\n", v);
            return 0;
        }
    }
    if (!a->have_port) {
        fprintf(stderr, "tlsharness server: missing --port\n");
        return 0;
    }
    if (a->num_certs == 0) {
        fprintf(stderr, "tlsharness server: missing --cert\n");
        return 0;
    }
    if (a->num_keys != a->num_certs) {
        fprintf(stderr, "tlsharness server: %zu --cert but %zu --key: give them in pairs\n",
                a->num_certs, a->num_keys);
        return 0;
    }
    if (a->http && a->echo) {
        fprintf(stderr, "tlsharness server: --echo and --http exclude each other\n");
        return 0;
    }
    if (a->require_client_cert && a->ca == NULL) {
        fprintf(stderr, "tlsharness server: --require-client-cert needs --ca\n");
        return 0;
    }
    if (a->no_tickets && a->max_early_data != 0) {
        fprintf(stderr, "tlsharness server: --early-data needs tickets: drop --no-tickets\n");
        return 0;
    }
    return 1;
}

static void slot_end(client_slot *s, const char *reason) {
    if (s->end_reason[0] == '\0') {
        snprintf(s->end_reason, sizeof(s->end_reason), "%s", reason);
    }
    s->closing = 1;
}

/* Logs and frees a finished connection. */
static void slot_finish(client_slot *s) {
    th_conn_status st;
    char desc[256] = "", why[128];
    th_conn_get_status(s->conn, &st);
    if (st.version != 0) {
        th_cli_describe(&st, desc, sizeof(desc));
        size_t len = strlen(desc);
        snprintf(desc + len, sizeof(desc) - len, "%s%s%s%s",
                 st.peer_authenticated ? " client_cert=verified" : "", st.resumed ? " resumed" : "",
                 st.early_data_offered ? " early_data=" : "",
                 !st.early_data_offered   ? ""
                 : st.early_data_accepted ? "accepted"
                                          : "rejected");
    }
    if (st.state == TH_CONN_FAILED) {
        th_cli_describe_alert(&st, why, sizeof(why));
        fprintf(stderr, "%s %s%sfailed: %s\n", s->peer, desc, desc[0] ? " " : "", why);
    } else {
        fprintf(stderr, "%s %s%s%s (%zu bytes in, %zu out)\n", s->peer, desc, desc[0] ? " " : "",
                s->end_reason[0] ? s->end_reason : "closed", s->bytes_in, s->bytes_out);
    }
    th_conn_free(s->conn);
    close(s->fd);
    memset(s, 0, sizeof(*s));
    s->fd = -1;
}

/* 1 once |req| holds a whole request head (an empty line). */
static int request_complete(const uint8_t *req, size_t len) {
    for (size_t i = 0; i + 1 < len; i++) {
        if (req[i] == '\n' &&
            (req[i + 1] == '\n' || (i + 2 < len && req[i + 1] == '\r' && req[i + 2] == '\n'))) {
            return 1;
        }
    }
    return 0;
}

/* Takes the application data the engine decrypted and acts on it. */
static void slot_app_data(client_slot *s, const server_args *a) {
    uint8_t buf[16384];
    size_t n;
    th_conn_status st;
    th_conn_get_status(s->conn, &st);
    if (st.state == TH_CONN_HANDSHAKING) {
        /* Accepted 0-RTT data waits in the engine until the handshake is
         * done: only then can it be echoed (or answered). */
        return;
    }
    while ((n = th_conn_read_app(s->conn, buf, sizeof(buf))) > 0) {
        s->bytes_in += n;
        if (a->http) {
            size_t room = sizeof(s->request) - s->request_len;
            size_t take = n < room ? n : room;
            memcpy(s->request + s->request_len, buf, take);
            s->request_len += take;
        } else if (!s->closing) {
            if (!th_conn_write_app(s->conn, buf, n, 0)) {
                return;
            }
            s->bytes_out += n;
        }
    }
    th_conn_get_status(s->conn, &st);
    if (a->http && !s->answered && st.state == TH_CONN_ESTABLISHED &&
        (request_complete(s->request, s->request_len) || s->request_len == sizeof(s->request) ||
         (st.peer_closed && s->request_len > 0))) {
        s->answered = 1;
        if (th_conn_write_app(s->conn, (const uint8_t *)kHttpResponse, sizeof(kHttpResponse) - 1,
                              0)) {
            s->bytes_out += sizeof(kHttpResponse) - 1;
            if (th_conn_close(s->conn)) {
                slot_end(s, "answered");
            }
        }
    }
}

/* Moves a connection on after its socket was readable. */
static void slot_read(client_slot *s, const server_args *a) {
    uint8_t buf[16384];
    ssize_t r = recv(s->fd, buf, sizeof(buf), 0);
    if (r < 0) {
        if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
            slot_end(s, "read error");
            s->closing = 2; /* nothing more can be sent */
        }
        return;
    }
    if (r == 0) {
        slot_end(s, "peer closed the TCP connection without close_notify");
        s->closing = 2;
        return;
    }
    s->last_activity = time(NULL);
    if (!th_conn_recv(s->conn, buf, (size_t)r)) {
        slot_end(s, "failed");
        return;
    }
    slot_app_data(s, a);
    th_conn_status st;
    th_conn_get_status(s->conn, &st);
    if (st.peer_closed) {
        /* RFC 8446 §6.1: answer close_notify with our own. */
        if (!st.we_closed && !th_conn_close(s->conn)) {
            slot_end(s, "failed");
            return;
        }
        slot_end(s, "closed");
    }
}

typedef struct {
    th_config cfg;
    th_ticket_ctx *tickets;
    th_session_cache *session_cache;
    th_cert_key certs[MAX_CERTS];
    size_t num_certs;
    X509_STORE *store;
    FILE *keylog;
    char *alpn_storage;
    uint8_t *ocsp;
    uint16_t groups[TH_CLI_MAX_LIST], suites[TH_CLI_MAX_LIST], versions[TH_CLI_MAX_VERSIONS];
    const char *alpn[TH_CLI_MAX_LIST];
} server_setup;

static int setup(const server_args *a, server_setup *s) {
    char err[512];
    for (size_t i = 0; i < a->num_certs; i++) {
        if (!th_cert_key_load(a->certs[i], a->keys[i], &s->certs[i], err, sizeof(err))) {
            fprintf(stderr, "tlsharness server: --cert/--key: %s\n", err);
            return 0;
        }
        s->num_certs++;
    }
    s->cfg.cert_key = &s->certs[0];
    s->cfg.cert_keys = &s->certs[1];
    s->cfg.num_cert_keys = s->num_certs - 1;
    if (!a->no_tickets) {
        s->tickets = th_ticket_ctx_new(NULL, 0);
        if (s->tickets == NULL) {
            fprintf(stderr, "tlsharness server: cannot make the session ticket key\n");
            return 0;
        }
        s->cfg.tickets = s->tickets;
        s->cfg.max_early_data = (uint32_t)a->max_early_data;
    }
    if (a->ca != NULL) {
        if (!th_trust_store_load(a->ca, &s->store, err, sizeof(err))) {
            fprintf(stderr, "tlsharness server: --ca: %s\n", err);
            return 0;
        }
        s->cfg.trust_store = s->store;
        s->cfg.request_client_cert = 1;
        s->cfg.require_client_cert = a->require_client_cert;
    }
    if ((a->groups != NULL &&
         !th_cli_parse_codes("--groups", a->groups, TH_CLI_LIST_GROUPS, s->groups,
                             &s->cfg.num_groups, err, sizeof(err))) ||
        (a->suites != NULL &&
         !th_cli_parse_codes("--suites", a->suites, TH_CLI_LIST_SUITES, s->suites,
                             &s->cfg.num_cipher_suites, err, sizeof(err))) ||
        (a->alpn != NULL && !th_cli_parse_alpn("--alpn", a->alpn, &s->alpn_storage, s->alpn,
                                               &s->cfg.num_alpn, err, sizeof(err))) ||
        (a->versions != NULL && !th_cli_parse_versions("--versions", a->versions, s->versions,
                                                       &s->cfg.num_versions, err, sizeof(err))) ||
        !th_cli_check_suites(s->suites, s->cfg.num_cipher_suites, s->versions, s->cfg.num_versions,
                             err, sizeof(err))) {
        fprintf(stderr, "tlsharness server: %s\n", err);
        return 0;
    }
    s->cfg.groups = s->groups;
    s->cfg.cipher_suites = s->suites;
    s->cfg.alpn = s->alpn;
    s->cfg.versions = s->versions;
    s->cfg.tls12_allow_no_ems = a->allow_no_ems;
    if (a->session_cache) {
        int tls12 = 0;
        for (size_t i = 0; i < s->cfg.num_versions; i++) {
            tls12 |= s->versions[i] == TH_VERSION_TLS12;
        }
        if (!tls12) {
            fprintf(stderr, "tlsharness server: --session-cache: session IDs are TLS 1.2 only; "
                            "add tls1.2 to --versions\n");
            return 0;
        }
        s->session_cache = th_session_cache_new(0);
        if (s->session_cache == NULL) {
            fprintf(stderr, "tlsharness server: cannot make the session cache\n");
            return 0;
        }
        s->cfg.session_cache = s->session_cache;
    }
    if (a->ocsp != NULL) {
        size_t len;
        if (!th_cli_read_file(a->ocsp, MAX_OCSP_RESPONSE, &s->ocsp, &len, err, sizeof(err)) ||
            len == 0) {
            fprintf(stderr, "tlsharness server: --ocsp-response: %s\n",
                    s->ocsp == NULL ? err : "the file is empty");
            return 0;
        }
        s->cfg.ocsp_response = s->ocsp;
        s->cfg.ocsp_response_len = len;
    }
    if (a->keylog != NULL) {
        s->keylog = fopen(a->keylog, "a");
        if (s->keylog == NULL) {
            fprintf(stderr, "tlsharness server: --keylog: cannot open '%s': %s\n", a->keylog,
                    strerror(errno));
            return 0;
        }
        s->cfg.keylog = th_cli_keylog_to_file;
        s->cfg.keylog_ctx = s->keylog;
    }
    return 1;
}

static void setup_cleanup(server_setup *s) {
    for (size_t i = 0; i < s->num_certs; i++) {
        th_cert_key_cleanup(&s->certs[i]);
    }
    X509_STORE_free(s->store);
    th_ticket_ctx_free(s->tickets);
    th_session_cache_free(s->session_cache);
    if (s->keylog != NULL) {
        fclose(s->keylog);
    }
    free(s->alpn_storage);
    free(s->ocsp);
}

/* Accepts one connection into a free slot. */
static void accept_one(int lfd, client_slot *slots, const th_config *cfg, unsigned long *accepted) {
    struct sockaddr_storage addr;
    socklen_t addr_len = sizeof(addr);
    int fd = accept(lfd, (struct sockaddr *)&addr, &addr_len);
    if (fd < 0) {
        return;
    }
    client_slot *s = NULL;
    for (size_t i = 0; i < MAX_CLIENTS && s == NULL; i++) {
        if (slots[i].fd < 0) {
            s = &slots[i];
        }
    }
    th_conn *c = s != NULL && th_cli_set_nonblocking(fd) ? th_conn_new(cfg, TH_ROLE_SERVER) : NULL;
    if (c == NULL) {
        close(fd);
        return;
    }
    memset(s, 0, sizeof(*s));
    s->fd = fd;
    s->conn = c;
    s->last_activity = time(NULL);
    char h[64] = "?", p[16] = "?";
    (void)getnameinfo((struct sockaddr *)&addr, addr_len, h, sizeof(h), p, sizeof(p),
                      NI_NUMERICHOST | NI_NUMERICSERV);
    snprintf(s->peer, sizeof(s->peer), "%s:%s", h, p);
    (*accepted)++;
}

int th_cli_server(int argc, char **argv) {
    server_args a;
    server_setup su;
    int status;
    if (!parse_args(argc, argv, &a, &status)) {
        return status;
    }
    memset(&su, 0, sizeof(su));
    status = 2;
    int lfd = -1;
    client_slot *slots = calloc(MAX_CLIENTS, sizeof(*slots));
    if (slots == NULL) {
        fprintf(stderr, "tlsharness server: out of memory\n");
        return 2;
    }
    for (size_t i = 0; i < MAX_CLIENTS; i++) {
        slots[i].fd = -1;
    }
    if (!setup(&a, &su)) {
        goto err;
    }
    char err[512];
    lfd = th_cli_listen(a.host, a.port, err, sizeof(err));
    if (lfd < 0) {
        fprintf(stderr, "tlsharness server: --port: %s\n", err);
        goto err;
    }
    fprintf(stderr, "tlsharness server: listening on %s:%u\n", a.host, (unsigned)a.port);
    unsigned long accepted = 0, finished = 0;
    for (;;) {
        struct pollfd pfd[MAX_CLIENTS + 1];
        size_t index[MAX_CLIENTS + 1];
        nfds_t n = 0;
        int active = 0;
        time_t now = time(NULL);
        for (size_t i = 0; i < MAX_CLIENTS; i++) {
            client_slot *s = &slots[i];
            if (s->fd < 0) {
                continue;
            }
            if (s->closing != 2 && !th_cli_flush(s->fd, s->conn)) {
                slot_end(s, "write error");
                s->closing = 2;
            }
            if (!s->closing && now - s->last_activity > IDLE_TIMEOUT_SECONDS) {
                slot_end(s, "idle timeout");
                s->closing = 2;
            }
            th_conn_status st;
            th_conn_get_status(s->conn, &st);
            if (st.state == TH_CONN_FAILED && !s->closing) {
                slot_end(s, "failed");
            }
            if (s->closing == 2 || (s->closing && !th_cli_has_output(s->conn))) {
                slot_finish(s);
                finished++;
                continue;
            }
            active++;
            pfd[n].fd = s->fd;
            pfd[n].events = (short)((s->closing || !th_cli_output_has_room(s->conn) ? 0 : POLLIN) |
                                    (th_cli_has_output(s->conn) ? POLLOUT : 0));
            pfd[n].revents = 0;
            index[n++] = i;
        }
        if (a.max_connections != 0 && finished >= a.max_connections) {
            status = 0;
            break;
        }
        int can_accept =
            active < MAX_CLIENTS && (a.max_connections == 0 || accepted < a.max_connections);
        if (can_accept) {
            pfd[n].fd = lfd;
            pfd[n].events = POLLIN;
            pfd[n].revents = 0;
            index[n++] = MAX_CLIENTS;
        }
        if (poll(pfd, n, 1000) < 0) {
            if (errno == EINTR) {
                continue;
            }
            fprintf(stderr, "tlsharness server: poll: %s\n", strerror(errno));
            status = 1;
            break;
        }
        for (nfds_t k = 0; k < n; k++) {
            if (pfd[k].revents == 0) {
                continue;
            }
            if (index[k] == MAX_CLIENTS) {
                accept_one(lfd, slots, &su.cfg, &accepted);
                continue;
            }
            client_slot *s = &slots[index[k]];
            if (pfd[k].revents & (POLLIN | POLLHUP | POLLERR)) {
                slot_read(s, &a);
            }
        }
    }

err:
    for (size_t i = 0; i < MAX_CLIENTS; i++) {
        if (slots[i].conn != NULL) {
            slot_finish(&slots[i]);
        }
    }
    free(slots);
    if (lfd >= 0) {
        close(lfd);
    }
    setup_cleanup(&su);
    return status;
}
