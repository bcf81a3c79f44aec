/* tlsharness client: a TLS 1.3 (and with --versions TLS 1.2) client on the
 * engine over one TCP connection. Standard input goes to the server, the
 * server's data to standard output; the negotiated parameters (version
 * included) and the server's certificate chain (th_conn_peer_chain) go to
 * stderr.
 *
 * With --resume it connects twice: the first connection only waits for the
 * server's NewSessionTicket (TLS 1.3; in TLS 1.2 the session, by ticket or
 * session ID, is known when the handshake ends) and closes, the second
 * offers that session (and with --early-data sends a file as 0-RTT data) and
 * carries standard input. */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <arpa/inet.h>

#include <openssl/mem.h>

#include "cli.h"
#include "cli_io.h"
#include "cli_net.h"
#include "names.h"

/* Used when neither --ca nor --insecure is given. */
#define SYSTEM_BUNDLE "/etc/ssl/certs/ca-certificates.crt"
/* How long the first --resume connection waits after its handshake for a
 * NewSessionTicket before it closes anyway (tickets that still arrive before
 * the server's close_notify are kept too). */
#define TICKET_WAIT_MS 5000
/* Largest --early-data file; a ticket's max_early_data_size is usually
 * 16 KiB or less, so larger files would never go out as 0-RTT anyway. */
#define MAX_EARLY_DATA_FILE (1024u * 1024u)

static void client_usage(FILE *f) {
    fprintf(f,
            "usage: tlsharness client HOST:PORT [options]\n"
            "\n"
            "Connects with TLS 1.3 (by default; see --versions), prints the negotiated\n"
            "parameters (version, suite, group, ...) and the server's certificate chain\n"
            "to stderr, sends standard input to the server and writes what the server\n"
            "sends to standard output. At end of input it sends close_notify and exits\n"
            "when the server closes.\n"
            "\n"
            "  --versions LIST  protocol versions to offer: tls1.3 (default), tls1.2, or\n"
            "                   tls1.2,tls1.3 (also 1.2, 1.3); the server picks\n"
            "  --allow-no-ems   TLS 1.2: accept a server without extended_master_secret\n"
            "                   (RFC 7627; required by default)\n"
            "  --ocsp           send status_request (RFC 6066 8) and report the OCSP\n"
            "                   response the server staples (TLS 1.2)\n"
            "  --accept-renegotiation  TLS 1.2: answer a HelloRequest with a new\n"
            "                   handshake (secure renegotiation, RFC 5746, only); by default\n"
            "                   it is refused with a warning no_renegotiation alert\n"
            "  --sni NAME       server_name to send and the name the certificate must match\n"
            "                   (default: HOST unless it is an IP address; an IP address is\n"
            "                   then matched against the certificate's IP SANs)\n"
            "  --alpn LIST      comma-separated ALPN protocols, e.g. h2,http/1.1\n"
            "  --groups LIST    key exchange groups in preference order, e.g.\n"
            "                   x25519,secp256r1,secp384r1 (a key share for the first)\n"
            "  --suites LIST    cipher suites in preference order, IANA or OpenSSL names.\n"
            "                   TLS 1.3: TLS_AES_128_GCM_SHA256, TLS_AES_256_GCM_SHA384,\n"
            "                   TLS_CHACHA20_POLY1305_SHA256. TLS 1.2 (needs --versions\n"
            "                   with tls1.2): TLS_ECDHE_{ECDSA,RSA}_WITH_AES_{128,256}_GCM_*,\n"
            "                   TLS_ECDHE_{ECDSA,RSA}_WITH_CHACHA20_POLY1305_SHA256,\n"
            "                   TLS_ECDHE_{ECDSA,RSA}_WITH_AES_{128,256}_CBC_SHA,\n"
            "                   TLS_RSA_WITH_AES_{128_GCM_SHA256,256_GCM_SHA384},\n"
            "                   TLS_RSA_WITH_AES_{128,256}_CBC_SHA (e.g. AES128-SHA,\n"
            "                   ECDHE-ECDSA-AES128-GCM-SHA256). Each enabled version needs\n"
            "                   one suite in the list\n"
            "  --ca FILE        PEM trust anchors (default: " SYSTEM_BUNDLE ")\n"
            "  --insecure       do not verify the server's certificate\n"
            "  --cert FILE      our certificate chain (PEM), sent when the server asks\n"
            "  --key FILE       its private key (PEM)\n"
            "  --keylog FILE    append NSS key log lines (Wireshark's SSLKEYLOGFILE format)\n"
            "  --resume         connect twice: the first connection waits (up to %d s) for\n"
            "                   the server's session ticket (TLS 1.2: closes once the\n"
            "                   handshake is done) and closes; the second offers the\n"
            "                   session (TLS 1.3 PSK, TLS 1.2 ticket or session ID) and\n"
            "                   carries standard input. Each \"connected:\" line says\n"
            "                   resumed=yes/no\n"
            "  --early-data FILE (needs --resume) send FILE as 0-RTT data on the second\n"
            "                   connection; its \"connected:\" line says\n"
            "                   early_data=accepted, rejected, or not-sent (no ticket, or\n"
            "                   the ticket allows fewer bytes); unless accepted the bytes are\n"
            "                   sent again once the handshake is done (RFC 8446 4.2.10)\n"
            "  --quiet          do not print the parameters and the chain\n"
            "  --help           this text\n"
            "\n"
            "Exit status: 0 the server closed the connection (each connection, with\n"
            "--resume) with close_notify; 1 the handshake or the connection failed (the\n"
            "alert is printed); 2 usage or input error.\n",
            TICKET_WAIT_MS / 1000);
}

typedef struct {
    FILE *keylog;
} client_ctx;

/* The engine's keylog callback: copies the line to --keylog. */
static void client_keylog(void *ctx_ptr, const char *line) {
    client_ctx *ctx = ctx_ptr;
    if (ctx->keylog != NULL) {
        th_cli_keylog_to_file(ctx->keylog, line);
    }
}

static void print_cert(size_t depth, th_bytes der) {
    const uint8_t *p = der.data;
    X509 *x = d2i_X509(NULL, &p, (long)der.len);
    if (x == NULL) {
        fprintf(stderr, " %zu s:(certificate does not parse, %zu bytes)\n", depth, der.len);
        return;
    }
    char subject[512], issuer[512];
    X509_NAME_oneline(X509_get_subject_name(x), subject, sizeof(subject));
    X509_NAME_oneline(X509_get_issuer_name(x), issuer, sizeof(issuer));
    fprintf(stderr, " %zu s:%s\n   i:%s\n", depth, subject, issuer);
    X509_free(x);
}

/* Prints the chain the server sent; 1 if there was one. */
static int print_chain(const th_conn *c) {
    size_t n;
    const th_bytes *chain = th_conn_peer_chain(c, &n);
    if (n == 0) {
        return 0;
    }
    fprintf(stderr, "certificate chain:\n");
    for (size_t i = 0; i < n; i++) {
        print_cert(i, chain[i]);
    }
    return 1;
}

typedef struct {
    const char *target, *sni, *alpn, *groups, *suites, *ca, *cert, *key, *keylog, *early_data;
    const char *versions;
    int insecure, quiet, resume, allow_no_ems, accept_renegotiation, ocsp;
} client_args;

/* Parses argv; 1 to run, 0 to exit with *status. */
static int parse_args(int argc, char **argv, client_args *a, int *status) {
    memset(a, 0, sizeof(*a));
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        const char **slot = NULL;
        if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
            client_usage(stdout);
            *status = 0;
            return 0;
        } else if (strcmp(arg, "--insecure") == 0) {
            a->insecure = 1;
            continue;
        } else if (strcmp(arg, "--quiet") == 0) {
            a->quiet = 1;
            continue;
        } else if (strcmp(arg, "--resume") == 0) {
            a->resume = 1;
            continue;
        } else if (strcmp(arg, "--allow-no-ems") == 0) {
            a->allow_no_ems = 1;
            continue;
        } else if (strcmp(arg, "--ocsp") == 0) {
            a->ocsp = 1;
            continue;
        } else if (strcmp(arg, "--accept-renegotiation") == 0) {
            a->accept_renegotiation = 1;
            continue;
        } else if (strcmp(arg, "--versions") == 0) {
            slot = &a->versions;
        } else if (strcmp(arg, "--early-data") == 0) {
            slot = &a->early_data;
        } else if (strcmp(arg, "--sni") == 0) {
            slot = &a->sni;
        } else if (strcmp(arg, "--alpn") == 0) {
            slot = &a->alpn;
        } else if (strcmp(arg, "--groups") == 0) {
            slot = &a->groups;
        } else if (strcmp(arg, "--suites") == 0) {
            slot = &a->suites;
        } else if (strcmp(arg, "--ca") == 0) {
            slot = &a->ca;
        } else if (strcmp(arg, "--cert") == 0) {
            slot = &a->cert;
        } else if (strcmp(arg, "--key") == 0) {
            slot = &a->key;
        } else if (strcmp(arg, "--keylog") == 0) {
            slot = &a->keylog;
        } else if (arg[0] == '-' && arg[1] != '\0') {
            fprintf(stderr, "tlsharness client: unknown option '%s'\n", arg);
            client_usage(stderr);
            *status = 2;
            return 0;
        } else if (a->target == NULL) {
            a->target = arg;
            continue;
        } else {
            fprintf(stderr, "tlsharness client: unexpected argument '%s'\n", arg);
            *status = 2;
            return 0;
        }
        if (i + 1 >= argc) {
            fprintf(stderr, "tlsharness client: %s needs a value\n", arg);
            *status = 2;
            return 0;
        }
        *slot = argv[++i];
    }
    if (a->target == NULL) {
        fprintf(stderr, "tlsharness client: missing HOST:PORT\n");
        client_usage(stderr);
        *status = 2;
        return 0;
    }
    if ((a->cert == NULL) != (a->key == NULL)) {
        fprintf(stderr, "tlsharness client: %s needs %s too\n", a->cert ? "--cert" : "--key",
                a->cert ? "--key" : "--cert");
        *status = 2;
        return 0;
    }
    if (a->insecure && a->ca != NULL) {
        fprintf(stderr, "tlsharness client: --insecure and --ca exclude each other\n");
        *status = 2;
        return 0;
    }
    if (a->early_data != NULL && !a->resume) {
        fprintf(stderr, "tlsharness client: --early-data needs --resume (0-RTT data goes on the "
                        "resumed connection)\n");
        *status = 2;
        return 0;
    }
    if (a->early_data != NULL && strcmp(a->early_data, "-") == 0) {
        fprintf(stderr, "tlsharness client: --early-data: '-' is not accepted: standard input "
                        "goes to the second connection\n");
        *status = 2;
        return 0;
    }
    return 1;
}

static int is_ip_literal(const char *host) {
    unsigned char addr[16];
    return inet_pton(AF_INET, host, addr) == 1 || inet_pton(AF_INET6, host, addr) == 1;
}

/* Writes all of |data| to standard output. */
static int write_stdout(const uint8_t *data, size_t len) {
    while (len > 0) {
        ssize_t w = write(STDOUT_FILENO, data, len);
        if (w < 0) {
            if (errno == EINTR) {
                continue;
            }
            return 0;
        }
        data += w;
        len -= (size_t)w;
    }
    return 1;
}

/* What one connection does besides its handshake. */
typedef struct {
    int quiet;
    /* --ocsp: say whether the server stapled an OCSP response. */
    int report_ocsp;
    /* --resume: the "connected:" line says resumed=yes/no. */
    int report_resumption;
    /* 0 for the first --resume connection: instead of reading standard input
     * it closes once a session ticket arrived or TICKET_WAIT_MS passed. */
    int use_stdin;
    /* --early-data on the second connection: the bytes the config offers as
     * 0-RTT, written again once established unless the server accepted them;
     * |ticket_max_early| is what the offered ticket allows (for the note when
     * they were not sent as 0-RTT), |have_session| whether one was offered. */
    const uint8_t *early_data;
    size_t early_data_len;
    int have_session;
    uint32_t ticket_max_early;
} conn_plan;

static int64_t now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Prints the "connected:" line and the chain of an established connection. */
static void report_connected(const th_conn *c, const th_conn_status *st, const conn_plan *plan) {
    char desc[256], sig[16], extra[96] = "";
    th_cli_describe(st, desc, sizeof(desc));
    if (plan->report_resumption) {
        const char *early = NULL;
        if (plan->early_data_len != 0) {
            early = st->early_data_accepted  ? "accepted"
                    : st->early_data_offered ? "rejected"
                                             : "not-sent";
        }
        snprintf(extra, sizeof(extra), " resumed=%s%s%s", st->resumed ? "yes" : "no",
                 early != NULL ? " early_data=" : "", early != NULL ? early : "");
    }
    /* A resumed handshake has no CertificateVerify (RFC 8446 §2.2), a TLS 1.2
     * RSA key exchange no signed ServerKeyExchange (RFC 5246 §7.4.3). */
    fprintf(stderr, "connected: %s sig=%s%s\n", desc,
            st->resumed || st->sig_scheme == 0 ? "-"
                                               : th_name_or_hex(th_sig_scheme_name(st->sig_scheme),
                                                                st->sig_scheme, sig, sizeof(sig)),
            extra);
    if (!print_chain(c)) {
        fprintf(stderr, "certificate chain: (none: the session was resumed)\n");
    }
    if (plan->report_ocsp) {
        size_t ocsp_len;
        if (th_conn_peer_ocsp(c, &ocsp_len) != NULL) {
            fprintf(stderr, "OCSP response: %zu bytes stapled\n", ocsp_len);
        } else {
            fprintf(stderr, "OCSP response: none stapled\n");
        }
    }
    if (plan->early_data_len != 0 && !st->early_data_offered) {
        if (!plan->have_session) {
            fprintf(stderr, "early data: not sent as 0-RTT (no session ticket); sent now\n");
        } else {
            fprintf(stderr,
                    "early data: not sent as 0-RTT (the ticket allows %u bytes, the file has "
                    "%zu); sent now\n",
                    (unsigned)plan->ticket_max_early, plan->early_data_len);
        }
    }
}

/* Runs the connection until the server closes or it fails; the exit status. */
static int run_connection(int fd, th_conn *c, const conn_plan *plan) {
    uint8_t buf[16384];
    int stdin_open = plan->use_stdin, reported = 0;
    int64_t ticket_deadline = 0;
    for (;;) {
        th_conn_status st;
        th_conn_get_status(c, &st);
        if (!reported && st.state == TH_CONN_ESTABLISHED) {
            reported = 1;
            ticket_deadline = now_ms() + TICKET_WAIT_MS;
            if (!plan->quiet) {
                report_connected(c, &st, plan);
            }
            /* RFC 8446 §4.2.10: "If the server [rejects early data] ... the
             * client ... MAY choose to retransmit the Application Data it
             * previously sent in early data once the handshake has been
             * completed." */
            if (plan->early_data_len != 0 && !st.early_data_accepted &&
                !th_conn_write_app(c, plan->early_data, plan->early_data_len, 0)) {
                continue; /* the failure is reported at the top */
            }
        }
        if (st.state == TH_CONN_FAILED) {
            char why[128];
            /* The alert we send goes out before we report; a peer already
             * gone changes nothing in the outcome. */
            if (!th_cli_flush(fd, c)) {
                fprintf(stderr, "tlsharness client: the alert could not be sent\n");
            }
            th_cli_describe_alert(&st, why, sizeof(why));
            fprintf(stderr, "tlsharness client: %s failed: %s\n",
                    reported ? "connection" : "handshake", why);
            return 1;
        }
        if (st.peer_closed) {
            if (!st.we_closed && !th_conn_close(c)) {
                return 1;
            }
            if (!th_cli_flush(fd, c)) {
                fprintf(stderr, "tlsharness client: our close_notify could not be sent\n");
            }
            if (!plan->quiet) {
                fprintf(stderr, "closed: the server sent close_notify\n");
            }
            return 0;
        }
        /* The first --resume connection closes once it holds a ticket. A
         * TLS 1.2 session (RFC 5077 ticket or session ID) is complete when the
         * handshake is: nothing more comes. */
        int waiting_ticket = !plan->use_stdin && st.state == TH_CONN_ESTABLISHED && !st.we_closed;
        int timeout = -1;
        if (waiting_ticket) {
            int64_t left = ticket_deadline - now_ms();
            if (st.tickets_received > 0 || st.version == TH_VERSION_TLS12 || left <= 0) {
                if (!th_conn_close(c)) {
                    continue;
                }
                if (!th_cli_flush(fd, c)) {
                    fprintf(stderr, "tlsharness client: write to the server failed\n");
                    return 1;
                }
                continue;
            }
            timeout = (int)left;
        }
        struct pollfd pfd[2];
        nfds_t n = 1;
        pfd[0].fd = fd;
        pfd[0].events = (short)(POLLIN | (th_cli_has_output(c) ? POLLOUT : 0));
        pfd[0].revents = 0;
        if (stdin_open && st.state == TH_CONN_ESTABLISHED && !st.we_closed &&
            th_cli_output_has_room(c)) {
            pfd[1].fd = STDIN_FILENO;
            pfd[1].events = POLLIN;
            pfd[1].revents = 0;
            n = 2;
        }
        if (poll(pfd, n, timeout) < 0) {
            if (errno == EINTR) {
                continue;
            }
            fprintf(stderr, "tlsharness client: poll: %s\n", strerror(errno));
            return 1;
        }
        if ((pfd[0].revents & POLLOUT) && !th_cli_flush(fd, c)) {
            fprintf(stderr, "tlsharness client: write to the server failed: %s\n", strerror(errno));
            return 1;
        }
        if (pfd[0].revents & (POLLIN | POLLHUP | POLLERR)) {
            ssize_t r = recv(fd, buf, sizeof(buf), 0);
            if (r == 0 || (r < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) {
                fprintf(stderr,
                        "tlsharness client: the server closed the connection without "
                        "close_notify%s\n",
                        st.state == TH_CONN_HANDSHAKING ? " during the handshake" : "");
                return 1;
            }
            if (r > 0) {
                int ok = th_conn_recv(c, buf, (size_t)r);
                size_t got;
                while ((got = th_conn_read_app(c, buf, sizeof(buf))) > 0) {
                    if (!write_stdout(buf, got)) {
                        fprintf(stderr, "tlsharness client: cannot write to stdout: %s\n",
                                strerror(errno));
                        return 1;
                    }
                }
                if (ok && !th_cli_flush(fd, c)) {
                    fprintf(stderr, "tlsharness client: write to the server failed\n");
                    return 1;
                }
            }
        }
        if (n == 2 && (pfd[1].revents & (POLLIN | POLLHUP | POLLERR))) {
            ssize_t r = read(STDIN_FILENO, buf, sizeof(buf));
            if (r < 0 && errno == EINTR) {
                continue;
            }
            if (r <= 0) {
                /* End of input: close our side and wait for the server's. */
                stdin_open = 0;
                if (!th_conn_close(c)) {
                    continue;
                }
            } else if (!th_conn_write_app(c, buf, (size_t)r, 0)) {
                continue; /* the failure is reported at the top */
            }
            if (!th_cli_flush(fd, c)) {
                fprintf(stderr, "tlsharness client: write to the server failed\n");
                return 1;
            }
        }
    }
}

/* Connects, runs one connection with |cfg| and |plan| and, when |session| is
 * not NULL, stores the newest session ticket it received there (NULL when
 * none). The exit status. */
static int connect_and_run(const char *host, uint16_t port, const th_config *cfg,
                           const conn_plan *plan, th_session **session) {
    char err[512];
    int status = 1;
    th_conn *c = NULL;
    int fd = th_cli_connect(host, port, err, sizeof(err));
    if (fd < 0) {
        fprintf(stderr, "tlsharness client: %s\n", err);
        return 1;
    }
    c = th_conn_new(cfg, TH_ROLE_CLIENT);
    if (c == NULL) {
        fprintf(stderr, "tlsharness client: cannot start the connection\n");
        goto err;
    }
    if (!th_cli_flush(fd, c)) {
        fprintf(stderr, "tlsharness client: write to the server failed: %s\n", strerror(errno));
        goto err;
    }
    status = run_connection(fd, c, plan);
    if (session != NULL) {
        *session = th_conn_take_session(c);
    }

err:
    th_conn_free(c);
    close(fd);
    return status;
}

int th_cli_client(int argc, char **argv) {
    client_args a;
    int status = 2;
    if (!parse_args(argc, argv, &a, &status)) {
        return status;
    }
    char host[256], err[512];
    uint16_t port;
    uint16_t groups[TH_CLI_MAX_LIST], suites[TH_CLI_MAX_LIST], versions[TH_CLI_MAX_VERSIONS];
    const char *alpn[TH_CLI_MAX_LIST];
    char *alpn_storage = NULL;
    uint8_t *early = NULL;
    size_t early_len = 0;
    th_config cfg;
    th_cert_key ck;
    X509_STORE *store = NULL;
    client_ctx ctx;
    th_session *session = NULL;
    conn_plan plan;
    memset(&cfg, 0, sizeof(cfg));
    memset(&ck, 0, sizeof(ck));
    memset(&ctx, 0, sizeof(ctx));
    memset(&plan, 0, sizeof(plan));

    if (!th_cli_split_host_port(a.target, host, sizeof(host), &port, err, sizeof(err)) ||
        (a.groups != NULL && !th_cli_parse_codes("--groups", a.groups, TH_CLI_LIST_GROUPS, groups,
                                                 &cfg.num_groups, err, sizeof(err))) ||
        (a.suites != NULL && !th_cli_parse_codes("--suites", a.suites, TH_CLI_LIST_SUITES, suites,
                                                 &cfg.num_cipher_suites, err, sizeof(err))) ||
        (a.alpn != NULL && !th_cli_parse_alpn("--alpn", a.alpn, &alpn_storage, alpn, &cfg.num_alpn,
                                              err, sizeof(err))) ||
        (a.versions != NULL && !th_cli_parse_versions("--versions", a.versions, versions,
                                                      &cfg.num_versions, err, sizeof(err))) ||
        !th_cli_check_suites(suites, cfg.num_cipher_suites, versions, cfg.num_versions, err,
                             sizeof(err))) {
        fprintf(stderr, "tlsharness client: %s\n", err);
        goto err;
    }
    if (a.early_data != NULL) {
        if (!th_cli_read_file(a.early_data, MAX_EARLY_DATA_FILE, &early, &early_len, err,
                              sizeof(err))) {
            fprintf(stderr, "tlsharness client: --early-data: %s\n", err);
            goto err;
        }
        if (early_len == 0) {
            fprintf(stderr, "tlsharness client: --early-data: '%s' is empty\n", a.early_data);
            goto err;
        }
    }
    cfg.groups = groups;
    cfg.cipher_suites = suites;
    cfg.alpn = alpn;
    cfg.versions = versions;
    cfg.tls12_allow_no_ems = a.allow_no_ems;
    cfg.ocsp_stapling = a.ocsp;
    plan.report_ocsp = a.ocsp;
    cfg.renegotiation = a.accept_renegotiation ? TH_RENEGOTIATE_ACCEPT : TH_RENEGOTIATE_REFUSE;
    if (a.insecure) {
        cfg.insecure_skip_verify = 1;
    } else {
        const char *ca = a.ca != NULL ? a.ca : SYSTEM_BUNDLE;
        if (!th_trust_store_load(ca, &store, err, sizeof(err))) {
            fprintf(stderr, "tlsharness client: --ca: %s\n", err);
            goto err;
        }
        cfg.trust_store = store;
    }
    if (a.cert != NULL) {
        if (!th_cert_key_load(a.cert, a.key, &ck, err, sizeof(err))) {
            fprintf(stderr, "tlsharness client: --cert/--key: %s\n", err);
            goto err;
        }
        cfg.cert_key = &ck;
    }
    if (a.keylog != NULL) {
        ctx.keylog = fopen(a.keylog, "a");
        if (ctx.keylog == NULL) {
            fprintf(stderr, "tlsharness client: --keylog: cannot open '%s': %s\n", a.keylog,
                    strerror(errno));
            goto err;
        }
    }
    /* RFC 6066 §3: "Literal IPv4 and IPv6 addresses are not permitted in
     * "HostName"": an IP target sends no SNI and is checked as an IP SAN. */
    if (a.sni != NULL) {
        cfg.server_name = a.sni;
    } else if (!is_ip_literal(host)) {
        cfg.server_name = host;
    } else {
        cfg.verify_host = host;
    }
    cfg.keylog = client_keylog;
    cfg.keylog_ctx = &ctx;
    plan.quiet = a.quiet;
    plan.report_resumption = a.resume;

    if (a.resume) {
        /* The first connection only fetches a ticket: it sends nothing. */
        status = connect_and_run(host, port, &cfg, &plan, &session);
        if (status != 0) {
            goto err;
        }
        if (session == NULL) {
            fprintf(stderr, "tlsharness client: the server sent no session ticket (nor a TLS 1.2 "
                            "session ID); the second connection is a full handshake\n");
        }
        /* RFC 8446 §4.6.1: the session goes back only to the server (the
         * same HOST:PORT and server name) that issued it. */
        cfg.session = session;
        cfg.early_data = early;
        cfg.early_data_len = early_len;
        plan.early_data = early;
        plan.early_data_len = early_len;
        plan.have_session = session != NULL;
        plan.ticket_max_early = session != NULL ? th_session_max_early_data(session) : 0;
    }
    plan.use_stdin = 1;
    status = connect_and_run(host, port, &cfg, &plan, NULL);

err:
    th_session_free(session);
    if (ctx.keylog != NULL) {
        fclose(ctx.keylog);
    }
    th_cert_key_cleanup(&ck);
    X509_STORE_free(store);
    free(alpn_storage);
    free(early);
    return status;
}
