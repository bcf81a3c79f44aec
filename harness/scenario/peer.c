/* Peer specs, the dispatch to each kind of peer and the wrappers around the
 * vtable (peer.h). */
#include "peer.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/sha.h>

#include "peer_internal.h"

/* A decimal TCP port 1..65535 taking the whole of |s|. */
static int parse_port(const char *s, uint16_t *out_port) {
    if (*s == '\0' || strlen(s) > 5) {
        return 0;
    }
    unsigned long v = 0;
    for (const char *c = s; *c != '\0'; c++) {
        if (*c < '0' || *c > '9') {
            return 0;
        }
        v = v * 10 + (unsigned long)(*c - '0');
    }
    if (v == 0 || v > 65535) {
        return 0;
    }
    *out_port = (uint16_t)v;
    return 1;
}

int th_peer_parse_host_port(const char *s, char *host, size_t host_cap, uint16_t *out_port) {
    /* The port follows the last ':' so a bracketed IPv6 address works. */
    const char *colon = strrchr(s, ':');
    if (colon == NULL || colon == s || !parse_port(colon + 1, out_port)) {
        return 0;
    }
    const char *h = s;
    size_t h_len = (size_t)(colon - s);
    int bracketed = h_len >= 2 && h[0] == '[' && h[h_len - 1] == ']';
    if (bracketed) {
        h++;
        h_len -= 2;
    }
    if (h_len == 0 || h_len >= host_cap || (!bracketed && memchr(h, ':', h_len) != NULL)) {
        return 0;
    }
    memcpy(host, h, h_len);
    host[h_len] = '\0';
    return 1;
}

th_peer_kind th_peer_kind_of(const char *spec) {
    if (spec == NULL) {
        return TH_PEER_KIND_NONE;
    }
    if (strcmp(spec, "boringssl") == 0) {
        return TH_PEER_KIND_BORINGSSL;
    }
    if (strcmp(spec, "self") == 0) {
        return TH_PEER_KIND_SELF;
    }
    if (strncmp(spec, "tcp:", 4) == 0) {
        char host[256];
        uint16_t port;
        return th_peer_parse_host_port(spec + 4, host, sizeof(host), &port) ? TH_PEER_KIND_TCP
                                                                            : TH_PEER_KIND_NONE;
    }
    if (strncmp(spec, "listen:", 7) == 0) {
        uint16_t port;
        return parse_port(spec + 7, &port) ? TH_PEER_KIND_LISTEN : TH_PEER_KIND_NONE;
    }
    if (strncmp(spec, "exec:", 5) == 0) {
        const char *cmd = spec + 5;
        while (*cmd == ' ' || *cmd == '\t') {
            cmd++;
        }
        return *cmd != '\0' ? TH_PEER_KIND_EXEC : TH_PEER_KIND_NONE;
    }
    return TH_PEER_KIND_NONE;
}

int th_peer_spec_valid(const char *spec) {
    return th_peer_kind_of(spec) != TH_PEER_KIND_NONE;
}

int th_peer_pki_file(const th_peer_opts *opts, const char *name, const char *suffix, char *out,
                     size_t out_cap, char *err, size_t err_len) {
    /* Names come from scenario files: keep them inside pki_dir. */
    if (name == NULL || name[0] == '\0' || name[0] == '.') {
        snprintf(err, err_len, "bad certificate name \"%s\"", name != NULL ? name : "");
        return 0;
    }
    for (const char *c = name; *c != '\0'; c++) {
        if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') ||
              *c == '-' || *c == '_' || *c == '.')) {
            snprintf(err, err_len, "bad certificate name \"%s\" (letters, digits, '-', '_', '.')",
                     name);
            return 0;
        }
    }
    const char *dir = opts != NULL && opts->pki_dir != NULL ? opts->pki_dir : "scenarios/pki";
    int n = snprintf(out, out_cap, "%s/%s%s", dir, name, suffix);
    if (n < 0 || (size_t)n >= out_cap) {
        snprintf(err, err_len, "path of certificate \"%s\" too long", name);
        return 0;
    }
    return 1;
}

void th_peer_seed_bytes(uint64_t seed, const char *label, uint64_t counter, uint8_t *out,
                        size_t len) {
    uint64_t block = 0;
    while (len > 0) {
        uint8_t in[8 + 8 + 8];
        for (int i = 0; i < 8; i++) {
            in[i] = (uint8_t)(seed >> (56 - 8 * i));
            in[8 + i] = (uint8_t)(counter >> (56 - 8 * i));
            in[16 + i] = (uint8_t)(block >> (56 - 8 * i));
        }
        SHA256_CTX sha;
        uint8_t digest[SHA256_DIGEST_LENGTH];
        SHA256_Init(&sha);
        SHA256_Update(&sha, label, strlen(label) + 1);
        SHA256_Update(&sha, in, sizeof(in));
        SHA256_Final(digest, &sha);
        size_t n = len < sizeof(digest) ? len : sizeof(digest);
        memcpy(out, digest, n);
        out += n;
        len -= n;
        block++;
    }
}

void th_peer_set_error(char *err, size_t err_len, const char *fmt, ...) {
    if (err == NULL || err_len == 0) {
        return;
    }
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, err_len, fmt, ap);
    va_end(ap);
}

uint16_t *th_peer_client_groups(const th_sc_side *cfg, size_t *out_num) {
    /* The default groups of both peers' clients. */
    static const uint16_t kDefault[] = {TH_GROUP_X25519, TH_GROUP_SECP256R1, TH_GROUP_SECP384R1};
    int lead = cfg->has_key_shares && cfg->num_key_shares > 0;
    const uint16_t *groups = cfg->groups;
    size_t n = cfg->num_groups;
    if (n == 0 && lead) {
        groups = kDefault;
        n = sizeof(kDefault) / sizeof(kDefault[0]);
    }
    uint16_t *out = malloc((n + 1) * sizeof(*out));
    if (out == NULL) {
        return NULL;
    }
    size_t k = 0;
    if (lead) {
        out[k++] = cfg->key_shares[0];
    }
    for (size_t i = 0; i < n; i++) {
        if (!lead || groups[i] != cfg->key_shares[0]) {
            out[k++] = groups[i];
        }
    }
    *out_num = k;
    return out;
}

th_peer *th_peer_new(const char *spec, int peer_role, const th_sc_side *cfg,
                     const th_peer_opts *opts, char *err, size_t err_len) {
    th_peer_kind kind = th_peer_kind_of(spec);
    if (kind == TH_PEER_KIND_NONE) {
        snprintf(err, err_len,
                 "unknown peer \"%s\" (expected boringssl, self, tcp:HOST:PORT, listen:PORT or "
                 "exec:COMMAND)",
                 spec != NULL ? spec : "(null)");
        return NULL;
    }
    if (peer_role != TH_ROLE_CLIENT && peer_role != TH_ROLE_SERVER) {
        snprintf(err, err_len, "peer %s: bad role %d", spec, peer_role);
        return NULL;
    }
    if (cfg == NULL) {
        snprintf(err, err_len, "peer %s: no configuration", spec);
        return NULL;
    }
    switch (kind) {
    case TH_PEER_KIND_BORINGSSL:
        return th_peer_boringssl_new(spec, peer_role, cfg, opts, err, err_len);
    case TH_PEER_KIND_SELF:
        return th_peer_self_new(spec, peer_role, cfg, opts, err, err_len);
    default:
        return th_peer_net_new(spec, kind, peer_role, cfg, opts, err, err_len);
    }
}

int th_peer_connect(th_peer *p, char *err, size_t err_len) {
    return p->ops->connect(p, err, err_len);
}

int th_peer_write(th_peer *p, const uint8_t *in, size_t len, char *err, size_t err_len) {
    return p->ops->write(p, in, len, err, err_len);
}

th_peer_read_result th_peer_read(th_peer *p, uint8_t *out, size_t cap, size_t *out_len,
                                 unsigned deadline_ms, char *err, size_t err_len) {
    *out_len = 0;
    return p->ops->read(p, out, cap, out_len, deadline_ms, err, err_len);
}

void th_peer_disconnect(th_peer *p) {
    p->ops->disconnect(p);
}

void th_peer_info_get(th_peer *p, th_peer_info *out) {
    memset(out, 0, sizeof(*out));
    p->ops->info(p, out);
}

void th_peer_free(th_peer *p) {
    if (p == NULL) {
        return;
    }
    p->ops->free(p);
}
