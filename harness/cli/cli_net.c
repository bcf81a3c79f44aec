#include "cli_net.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "kex.h"
#include "keys12.h"
#include "keys13.h"
#include "names.h"

int th_cli_parse_port(const char *s, uint16_t *out) {
    unsigned long v = 0;
    if (s == NULL || *s == '\0' || strlen(s) > 5) {
        return 0;
    }
    for (const char *p = s; *p != '\0'; p++) {
        if (*p < '0' || *p > '9') {
            return 0;
        }
        v = v * 10 + (unsigned long)(*p - '0');
    }
    if (v == 0 || v > 65535) {
        return 0;
    }
    *out = (uint16_t)v;
    return 1;
}

int th_cli_split_host_port(const char *arg, char *host, size_t host_len, uint16_t *port, char *err,
                           size_t err_len) {
    const char *host_start = arg;
    const char *host_end;
    const char *port_str;
    if (arg[0] == '[') {
        host_start = arg + 1;
        host_end = strchr(host_start, ']');
        if (host_end == NULL || host_end[1] != ':') {
            snprintf(err, err_len, "'%s' is not HOST:PORT ([ADDR]:PORT for IPv6)", arg);
            return 0;
        }
        port_str = host_end + 2;
    } else {
        host_end = strrchr(arg, ':');
        if (host_end == NULL) {
            snprintf(err, err_len, "'%s' is not HOST:PORT", arg);
            return 0;
        }
        port_str = host_end + 1;
    }
    size_t n = (size_t)(host_end - host_start);
    if (n == 0 || n >= host_len) {
        snprintf(err, err_len, "'%s': bad host", arg);
        return 0;
    }
    if (!th_cli_parse_port(port_str, port)) {
        snprintf(err, err_len, "'%s': bad port '%s' (1-65535)", arg, port_str);
        return 0;
    }
    memcpy(host, host_start, n);
    host[n] = '\0';
    return 1;
}

int th_cli_set_nonblocking(int fd) {
    int flags = fcntl(fd, F_GETFL);
    return flags >= 0 && fcntl(fd, F_SETFL, flags | O_NONBLOCK) == 0;
}

static struct addrinfo *resolve(const char *host, uint16_t port, int passive, char *err,
                                size_t err_len) {
    struct addrinfo hints, *res = NULL;
    char port_str[8];
    memset(&hints, 0, sizeof(hints));
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = passive ? AI_PASSIVE : 0;
    snprintf(port_str, sizeof(port_str), "%u", (unsigned)port);
    int rc = getaddrinfo(host, port_str, &hints, &res);
    if (rc != 0) {
        snprintf(err, err_len, "cannot resolve '%s': %s", host, gai_strerror(rc));
        return NULL;
    }
    return res;
}

int th_cli_listen(const char *host, uint16_t port, char *err, size_t err_len) {
    struct addrinfo *res = resolve(host, port, 1, err, err_len);
    if (res == NULL) {
        return -1;
    }
    int fd = -1;
    for (struct addrinfo *ai = res; ai != NULL; ai = ai->ai_next) {
        fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
        if (fd < 0) {
            snprintf(err, err_len, "socket: %s", strerror(errno));
            continue;
        }
        int one = 1;
        if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) == 0 &&
            bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 && listen(fd, 64) == 0 &&
            th_cli_set_nonblocking(fd)) {
            break;
        }
        snprintf(err, err_len, "cannot listen on %s:%u: %s", host, (unsigned)port, strerror(errno));
        close(fd);
        fd = -1;
    }
    freeaddrinfo(res);
    return fd;
}

int th_cli_connect(const char *host, uint16_t port, char *err, size_t err_len) {
    struct addrinfo *res = resolve(host, port, 0, err, err_len);
    if (res == NULL) {
        return -1;
    }
    int fd = -1;
    for (struct addrinfo *ai = res; ai != NULL; ai = ai->ai_next) {
        fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
        if (fd < 0) {
            snprintf(err, err_len, "socket: %s", strerror(errno));
            continue;
        }
        if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0 && th_cli_set_nonblocking(fd)) {
            break;
        }
        snprintf(err, err_len, "cannot connect to %s:%u: %s", host, (unsigned)port,
                 strerror(errno));
        close(fd);
        fd = -1;
    }
    freeaddrinfo(res);
    return fd;
}

int th_cli_has_output(const th_conn *c) {
    size_t n;
    return th_conn_pending_output(c, &n) != NULL;
}

int th_cli_output_has_room(const th_conn *c) {
    size_t n;
    (void)th_conn_pending_output(c, &n);
    return n < TH_CLI_MAX_PENDING_OUTPUT;
}

int th_cli_flush(int fd, th_conn *c) {
    for (;;) {
        size_t n;
        const uint8_t *p = th_conn_pending_output(c, &n);
        if (p == NULL) {
            return 1;
        }
        /* MSG_NOSIGNAL: a peer that went away is an error to report, not a
         * SIGPIPE. */
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
        if (w < 0) {
            if (errno == EINTR) {
                continue;
            }
            return errno == EAGAIN || errno == EWOULDBLOCK;
        }
        th_conn_consume_output(c, (size_t)w);
    }
}

/* 1 if the engine can use |value| of |kind|. */
static int usable(th_cli_list_kind kind, uint16_t value) {
    return kind == TH_CLI_LIST_GROUPS
               ? th_kex_group_supported(value)
               : th_suite_hash(value) != NULL || th_tls12_suite_find(value) != NULL;
}

/* OpenSSL's names of the TLS 1.2 suites the engine supports (`openssl
 * ciphers -V`), so a --suites list can be copied from an openssl command
 * line. Its TLS 1.3 names are the IANA ones names.h knows. */
static const struct {
    uint16_t value;
    const char *name;
} kOpenSslSuiteNames[] = {
    {TH_TLS_RSA_WITH_AES_128_CBC_SHA, "AES128-SHA"},
    {TH_TLS_RSA_WITH_AES_256_CBC_SHA, "AES256-SHA"},
    {TH_TLS_RSA_WITH_AES_128_GCM_SHA256, "AES128-GCM-SHA256"},
    {TH_TLS_RSA_WITH_AES_256_GCM_SHA384, "AES256-GCM-SHA384"},
    {TH_TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA, "ECDHE-ECDSA-AES128-SHA"},
    {TH_TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA, "ECDHE-ECDSA-AES256-SHA"},
    {TH_TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA, "ECDHE-RSA-AES128-SHA"},
    {TH_TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA, "ECDHE-RSA-AES256-SHA"},
    {TH_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, "ECDHE-ECDSA-AES128-GCM-SHA256"},
    {TH_TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, "ECDHE-ECDSA-AES256-GCM-SHA384"},
    {TH_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, "ECDHE-RSA-AES128-GCM-SHA256"},
    {TH_TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384, "ECDHE-RSA-AES256-GCM-SHA384"},
    {TH_TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256, "ECDHE-RSA-CHACHA20-POLY1305"},
    {TH_TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256, "ECDHE-ECDSA-CHACHA20-POLY1305"},
};

static int suite_by_name(const char *name, uint16_t *out) {
    if (th_cipher_suite_by_name(name, out)) {
        return 1;
    }
    for (size_t i = 0; i < sizeof(kOpenSslSuiteNames) / sizeof(kOpenSslSuiteNames[0]); i++) {
        if (strcmp(name, kOpenSslSuiteNames[i].name) == 0) {
            *out = kOpenSslSuiteNames[i].value;
            return 1;
        }
    }
    return 0;
}

int th_cli_parse_codes(const char *flag, const char *list, th_cli_list_kind kind, uint16_t *out,
                       size_t *out_num, char *err, size_t err_len) {
    const char *what = kind == TH_CLI_LIST_GROUPS ? "group" : "cipher suite";
    size_t num = 0;
    const char *p = list;
    for (;;) {
        const char *end = strchr(p, ',');
        size_t n = end != NULL ? (size_t)(end - p) : strlen(p);
        char name[64];
        uint16_t value;
        if (n == 0 || n >= sizeof(name)) {
            snprintf(err, err_len, "%s: empty or overlong name in '%s'", flag, list);
            return 0;
        }
        memcpy(name, p, n);
        name[n] = '\0';
        int known = kind == TH_CLI_LIST_GROUPS ? th_group_by_name(name, &value)
                                               : suite_by_name(name, &value);
        if (!known) {
            snprintf(err, err_len, "%s: unknown %s '%s'", flag, what, name);
            return 0;
        }
        if (!usable(kind, value)) {
            snprintf(err, err_len, "%s: %s '%s' is not supported by the engine", flag, what, name);
            return 0;
        }
        if (num == TH_CLI_MAX_LIST) {
            snprintf(err, err_len, "%s: more than %d names", flag, TH_CLI_MAX_LIST);
            return 0;
        }
        out[num++] = value;
        if (end == NULL) {
            break;
        }
        p = end + 1;
    }
    *out_num = num;
    return 1;
}

int th_cli_parse_versions(const char *flag, const char *list, uint16_t *out, size_t *out_num,
                          char *err, size_t err_len) {
    static const struct {
        const char *name;
        uint16_t version;
    } kNames[] = {
        {"tls1.2", TH_VERSION_TLS12},
        {"1.2", TH_VERSION_TLS12},
        {"tls1.3", TH_VERSION_TLS13},
        {"1.3", TH_VERSION_TLS13},
    };
    size_t num = 0;
    const char *p = list;
    for (;;) {
        const char *end = strchr(p, ',');
        size_t n = end != NULL ? (size_t)(end - p) : strlen(p);
        uint16_t version = 0;
        for (size_t i = 0; i < sizeof(kNames) / sizeof(kNames[0]); i++) {
            if (strlen(kNames[i].name) == n && strncasecmp(p, kNames[i].name, n) == 0) {
                version = kNames[i].version;
            }
        }
        if (version == 0) {
            snprintf(err, err_len, "%s: unknown version '%.*s' in '%s' (tls1.2, tls1.3)", flag,
                     (int)(n < 64 ? n : 64), p, list);
            return 0;
        }
        int seen = 0;
        for (size_t i = 0; i < num; i++) {
            seen |= out[i] == version;
        }
        if (!seen) {
            out[num++] = version;
        }
        if (end == NULL) {
            break;
        }
        p = end + 1;
    }
    *out_num = num;
    return 1;
}

int th_cli_check_suites(const uint16_t *suites, size_t num_suites, const uint16_t *versions,
                        size_t num_versions, char *err, size_t err_len) {
    int enabled12 = 0, enabled13 = num_versions == 0, have12 = 0, have13 = 0;
    for (size_t i = 0; i < num_versions; i++) {
        enabled12 |= versions[i] == TH_VERSION_TLS12;
        enabled13 |= versions[i] == TH_VERSION_TLS13;
    }
    if (num_suites == 0) {
        return 1;
    }
    for (size_t i = 0; i < num_suites; i++) {
        char buf[16];
        int is12 = th_tls12_suite_find(suites[i]) != NULL;
        have12 |= is12;
        have13 |= !is12;
        if (is12 ? !enabled12 : !enabled13) {
            snprintf(err, err_len,
                     "--suites: '%s' is a TLS 1.%c suite but --versions does not "
                     "enable TLS 1.%c",
                     th_name_or_hex(th_cipher_suite_name(suites[i]), suites[i], buf, sizeof(buf)),
                     is12 ? '2' : '3', is12 ? '2' : '3');
            return 0;
        }
    }
    if ((enabled12 && !have12) || (enabled13 && !have13)) {
        snprintf(err, err_len, "--suites: no TLS 1.%c suite although --versions enables TLS 1.%c",
                 enabled12 && !have12 ? '2' : '3', enabled12 && !have12 ? '2' : '3');
        return 0;
    }
    return 1;
}

int th_cli_parse_alpn(const char *flag, const char *list, char **storage, const char **out,
                      size_t *out_num, char *err, size_t err_len) {
    char *copy = strdup(list);
    size_t num = 0;
    if (copy == NULL) {
        snprintf(err, err_len, "%s: out of memory", flag);
        return 0;
    }
    char *p = copy;
    for (;;) {
        char *end = strchr(p, ',');
        if (end != NULL) {
            *end = '\0';
        }
        size_t n = strlen(p);
        /* RFC 7301 §3.1: "Empty strings MUST NOT be included and byte strings
         * MUST NOT be truncated"; each name is 1..255 bytes. */
        if (n == 0 || n > 255) {
            snprintf(err, err_len, "%s: protocol names must be 1-255 bytes ('%s')", flag, list);
            free(copy);
            return 0;
        }
        if (num == TH_CLI_MAX_LIST) {
            snprintf(err, err_len, "%s: more than %d names", flag, TH_CLI_MAX_LIST);
            free(copy);
            return 0;
        }
        out[num++] = p;
        if (end == NULL) {
            break;
        }
        p = end + 1;
    }
    *storage = copy;
    *out_num = num;
    return 1;
}

void th_cli_keylog_to_file(void *file, const char *line) {
    fprintf(file, "%s\n", line);
    fflush(file);
}

/* Copies up to |out_len| - 1 bytes of |b| into |out| as NUL-terminated text,
 * unprintable bytes as '?'. */
static void printable(char *out, size_t out_len, th_bytes b) {
    size_t n = b.len < out_len - 1 ? b.len : out_len - 1;
    for (size_t i = 0; i < n; i++) {
        uint8_t ch = b.data[i];
        out[i] = ch >= 0x21 && ch < 0x7f ? (char)ch : '?';
    }
    out[n] = '\0';
}

void th_cli_describe(const th_conn_status *st, char *buf, size_t buf_len) {
    char v[16], s[16], g[16], alpn[64] = "-", sni[64] = "-";
    const char *vn = th_name_or_hex(th_version_name(st->version), st->version, v, sizeof(v));
    /* A handshake that failed before the suite was chosen has none. */
    const char *sn = st->cipher_suite == 0 ? "-"
                                           : th_name_or_hex(th_cipher_suite_name(st->cipher_suite),
                                                            st->cipher_suite, s, sizeof(s));
    /* A TLS 1.2 RSA key exchange (and a TLS 1.2 resumption) has no group. */
    const char *gn =
        st->group == 0 ? "-" : th_name_or_hex(th_group_name(st->group), st->group, g, sizeof(g));
    if (st->alpn.len != 0) {
        printable(alpn, sizeof(alpn), st->alpn);
    }
    if (st->server_name.len != 0) {
        printable(sni, sizeof(sni), st->server_name);
    }
    snprintf(buf, buf_len, "version=%s suite=%s group=%s alpn=%s sni=%s%s", vn, sn, gn, alpn, sni,
             st->hello_retry ? " hrr" : "");
}

void th_cli_describe_alert(const th_conn_status *st, char *buf, size_t buf_len) {
    char a[16], b[16];
    if (st->has_alert_received && st->alert_received != TH_ALERT_CLOSE_NOTIFY) {
        /* An alert we sent before (a warning such as no_renegotiation that
         * the peer answered with a fatal one) is part of the story. */
        int sent = st->has_alert_sent && st->alert_sent != TH_ALERT_CLOSE_NOTIFY &&
                   st->alert_sent != st->alert_received;
        snprintf(
            buf, buf_len, "received alert %s%s%s%s",
            th_name_or_hex(th_alert_name(st->alert_received), st->alert_received, a, sizeof(a)),
            sent ? " (after we sent " : "",
            sent ? th_name_or_hex(th_alert_name(st->alert_sent), st->alert_sent, b, sizeof(b)) : "",
            sent ? ")" : "");
    } else if (st->has_alert_sent && st->alert_sent != TH_ALERT_CLOSE_NOTIFY) {
        snprintf(buf, buf_len, "sent alert %s",
                 th_name_or_hex(th_alert_name(st->alert_sent), st->alert_sent, a, sizeof(a)));
    } else if (st->peer_closed && st->state == TH_CONN_FAILED) {
        snprintf(buf, buf_len, "peer sent close_notify during the handshake");
    } else {
        snprintf(buf, buf_len, "no alert");
    }
}
