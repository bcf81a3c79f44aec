/* The "self" peer: our own engine (conn.h) in-process. Deterministic: its
 * randomness is SHA-256 of the run's seed and a counter, the ticket key comes
 * from the seed too and its clock is fixed (fixed_now), so a run repeats
 * byte for byte for the same seed.
 *
 * Settings the engine has no knob for, ignored here: key_shares beyond the
 * first (its client sends one share, for its
 * first group: th_peer_client_groups puts the first of key_shares there; an
 * empty key_shares is not possible). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "names.h"
#include "peer_internal.h"

typedef struct {
    th_peer base;
    int role;
    int echo;
    int resume;
    uint64_t seed;
    uint64_t counter; /* randomness drawn so far (calls) */
    th_config cfg;
    /* Owned copies of what cfg points to. */
    uint16_t *suites, *groups, *schemes, *versions;
    th_session_cache *session_cache; /* server: TLS 1.2 session IDs */
    char **alpn;
    size_t num_alpn;
    char *server_name;
    uint8_t *early_data;
    th_cert_key ck;
    int has_ck;
    X509_STORE *store;
    th_ticket_ctx *tickets;
    th_session *session; /* client: the newest ticket, offered on resume */
    /* The current connection. */
    th_conn *conn;
    int early_resent;
    uint8_t *pending; /* application data to echo once established */
    size_t pending_len;
    char error[256];
} self_peer;

static void seeded_random(void *ctx, uint8_t *out, size_t len) {
    self_peer *p = ctx;
    th_peer_seed_bytes(p->seed, "self random", p->counter++, out, len);
}

/* The peer's clock: a fixed instant (2026-01-01T00:00:00Z), so the times our
 * engine writes (ticket creation, ages) repeat run after run and a run is the
 * same for the same seed. The test PKI is valid from 2000 to 2099; its
 * expired and not-yet-valid certificates lie outside on either side. */
static time_t fixed_now(void *ctx) {
    (void)ctx;
    return (time_t)1767225600;
}

static uint16_t *copy_u16(const uint16_t *in, size_t n, int *ok) {
    if (n == 0) {
        return NULL;
    }
    uint16_t *out = malloc(n * sizeof(*out));
    if (out == NULL) {
        *ok = 0;
        return NULL;
    }
    memcpy(out, in, n * sizeof(*out));
    return out;
}

static int append_pending(self_peer *p, const uint8_t *data, size_t len) {
    uint8_t *grown = realloc(p->pending, p->pending_len + len);
    if (grown == NULL) {
        return 0;
    }
    memcpy(grown + p->pending_len, data, len);
    p->pending = grown;
    p->pending_len += len;
    return 1;
}

static void describe_failure(self_peer *p, const th_conn_status *st) {
    if (p->error[0] != '\0') {
        return;
    }
    if (st->has_alert_sent) {
        const char *name = th_alert_name(st->alert_sent);
        snprintf(p->error, sizeof(p->error), "our engine failed and sent %s (%u)",
                 name != NULL ? name : "an alert", st->alert_sent);
    } else if (st->has_alert_received) {
        const char *name = th_alert_name(st->alert_received);
        snprintf(p->error, sizeof(p->error), "our engine received %s (%u)",
                 name != NULL ? name : "an alert", st->alert_received);
    } else {
        snprintf(p->error, sizeof(p->error), "our engine failed");
    }
}

/* After the engine consumed bytes: echo application data, resend rejected
 * 0-RTT data, answer close_notify. */
static void drive(self_peer *p) {
    uint8_t buf[16384];
    th_conn_status st;
    size_t n;
    while ((n = th_conn_read_app(p->conn, buf, sizeof(buf))) > 0) {
        if (p->echo && !append_pending(p, buf, n)) {
            snprintf(p->error, sizeof(p->error), "out of memory");
            return;
        }
    }
    th_conn_get_status(p->conn, &st);
    if (st.state == TH_CONN_FAILED) {
        describe_failure(p, &st);
        return;
    }
    if (st.state != TH_CONN_ESTABLISHED || st.we_closed) {
        return;
    }
    if (p->role == TH_ROLE_CLIENT && st.early_data_offered && !st.early_data_accepted &&
        !p->early_resent) {
        /* RFC 8446 §4.2.10: rejected 0-RTT data is the application's to
         * send again once the handshake is complete. */
        p->early_resent = 1;
        if (!th_conn_write_app(p->conn, p->cfg.early_data, p->cfg.early_data_len, 0)) {
            snprintf(p->error, sizeof(p->error), "our engine refused to resend 0-RTT data");
        }
    }
    /* Data that came before close_notify is still echoed: TLS 1.3 allows
     * writing after the peer closed its side (RFC 8446 §6.1). */
    if (p->pending_len > 0) {
        if (!th_conn_write_app(p->conn, p->pending, p->pending_len, 0)) {
            snprintf(p->error, sizeof(p->error), "our engine refused to echo %zu bytes",
                     p->pending_len);
        }
        p->pending_len = 0;
    }
    if (st.peer_closed && !th_conn_close(p->conn)) {
        snprintf(p->error, sizeof(p->error), "our engine could not answer close_notify");
    }
}

static void end_connection(self_peer *p) {
    if (p->conn != NULL && p->role == TH_ROLE_CLIENT) {
        th_session *s = th_conn_take_session(p->conn);
        th_conn_free(p->conn);
        p->conn = NULL;
        if (s != NULL) {
            th_session_free(p->session);
            p->session = s;
        }
    }
    th_conn_free(p->conn);
    p->conn = NULL;
    free(p->pending);
    p->pending = NULL;
    p->pending_len = 0;
}

static int self_connect(th_peer *base, char *err, size_t err_len) {
    self_peer *p = (self_peer *)base;
    end_connection(p);
    p->error[0] = '\0';
    p->early_resent = 0;
    p->cfg.session = p->role == TH_ROLE_CLIENT && p->resume ? p->session : NULL;
    p->conn = th_conn_new(&p->cfg, p->role);
    if (p->conn == NULL) {
        th_peer_set_error(err, err_len,
                          "self peer: our engine refused the configuration (unsupported "
                          "cipher suites, groups or record_size_limit?)");
        return 0;
    }
    return 1;
}

static int self_write(th_peer *base, const uint8_t *in, size_t len, char *err, size_t err_len) {
    self_peer *p = (self_peer *)base;
    if (p->conn == NULL) {
        th_peer_set_error(err, err_len, "self peer: not connected");
        return 0;
    }
    th_conn_status st;
    th_conn_get_status(p->conn, &st);
    if (st.state == TH_CONN_FAILED || st.state == TH_CONN_CLOSED || st.peer_closed) {
        return 1; /* dropped, as a closed socket would */
    }
    if (!th_conn_recv(p->conn, in, len)) {
        /* The failure and its alert are in the status. */
    }
    drive(p);
    return 1;
}

static th_peer_read_result self_read(th_peer *base, uint8_t *out, size_t cap, size_t *out_len,
                                     unsigned deadline_ms, char *err, size_t err_len) {
    self_peer *p = (self_peer *)base;
    *out_len = 0;
    if (p->conn == NULL) {
        return TH_PEER_READ_EOF;
    }
    size_t n = th_conn_take_output(p->conn, out, cap);
    if (n > 0) {
        *out_len = n;
        return TH_PEER_READ_DATA;
    }
    th_conn_status st;
    th_conn_get_status(p->conn, &st);
    if (st.state == TH_CONN_FAILED || st.state == TH_CONN_CLOSED || st.we_closed) {
        return TH_PEER_READ_EOF;
    }
    return TH_PEER_READ_NONE;
}

static void self_disconnect(th_peer *base) {
    end_connection((self_peer *)base);
}

static void self_info(th_peer *base, th_peer_info *out) {
    self_peer *p = (self_peer *)base;
    out->known = 1;
    snprintf(out->error, sizeof(out->error), "%s", p->error);
    if (p->conn == NULL) {
        return;
    }
    th_conn_status st;
    th_conn_get_status(p->conn, &st);
    out->established = st.state == TH_CONN_ESTABLISHED || st.state == TH_CONN_CLOSED;
    out->version = st.version;
    out->cipher_suite = st.cipher_suite;
    out->group = st.group;
    if (st.alpn.len > 0 && st.alpn.len < sizeof(out->alpn)) {
        memcpy(out->alpn, st.alpn.data, st.alpn.len);
        out->alpn[st.alpn.len] = '\0';
    }
    out->resumed = st.resumed;
    out->has_alert_sent = st.has_alert_sent;
    out->alert_sent = st.alert_sent;
    out->has_alert_received = st.has_alert_received;
    out->alert_received = st.alert_received;
    if (st.state == TH_CONN_FAILED && out->error[0] == '\0') {
        describe_failure(p, &st);
        snprintf(out->error, sizeof(out->error), "%s", p->error);
    }
}

static void self_free(th_peer *base) {
    self_peer *p = (self_peer *)base;
    end_connection(p);
    th_session_free(p->session);
    th_ticket_ctx_free(p->tickets);
    X509_STORE_free(p->store);
    th_cert_key_cleanup(&p->ck);
    for (size_t i = 0; i < p->num_alpn; i++) {
        free(p->alpn[i]);
    }
    free(p->alpn);
    free(p->suites);
    free(p->versions);
    th_session_cache_free(p->session_cache);
    free(p->groups);
    free(p->schemes);
    free(p->server_name);
    free(p->early_data);
    free(p->base.spec);
    free(p);
}

static const th_peer_ops kSelfOps = {
    self_connect, self_write, self_read, self_disconnect, self_info, self_free,
};

static int load_cert_key(self_peer *p, const th_peer_opts *opts, const char *name, char *err,
                         size_t err_len) {
    char cert[1024], key[1024], why[512];
    if (!th_peer_pki_file(opts, name, "-chain.pem", cert, sizeof(cert), err, err_len) ||
        !th_peer_pki_file(opts, name, ".key", key, sizeof(key), err, err_len)) {
        return 0;
    }
    if (!th_cert_key_load(cert, key, &p->ck, why, sizeof(why))) {
        th_peer_set_error(err, err_len, "certificate \"%s\" does not load: %s", name, why);
        return 0;
    }
    p->has_ck = 1;
    p->cfg.cert_key = &p->ck;
    return 1;
}

static int copy_side(self_peer *p, const th_sc_side *side, char *err, size_t err_len) {
    for (size_t i = 0; i < side->num_alpn; i++) {
        size_t n = strlen(side->alpn[i]);
        if (n == 0 || n > 255) {
            /* RFC 7301 §3.1: protocol names are 1 to 255 bytes. */
            th_peer_set_error(err, err_len, "ALPN name \"%s\": 1 to 255 bytes", side->alpn[i]);
            return 0;
        }
    }
    int ok = 1;
    p->suites = copy_u16(side->cipher_suites, side->num_cipher_suites, &ok);
    p->versions = copy_u16(side->versions, side->num_versions, &ok);
    size_t num_groups = side->num_groups;
    if (p->role == TH_ROLE_CLIENT) {
        /* One key share, for the first group: the first of key_shares. */
        p->groups = th_peer_client_groups(side, &num_groups);
        ok = p->groups != NULL;
    } else {
        p->groups = copy_u16(side->groups, side->num_groups, &ok);
    }
    p->schemes = copy_u16(side->sig_schemes, side->num_sig_schemes, &ok);
    if (side->num_alpn > 0) {
        p->alpn = calloc(side->num_alpn, sizeof(*p->alpn));
        ok = ok && p->alpn != NULL;
        for (size_t i = 0; ok && i < side->num_alpn; i++) {
            p->alpn[i] = strdup(side->alpn[i]);
            ok = p->alpn[i] != NULL;
            p->num_alpn = i + 1;
        }
    }
    if (side->server_name != NULL) {
        p->server_name = strdup(side->server_name);
        ok = ok && p->server_name != NULL;
    }
    if (side->early_data_len > 0 && p->role == TH_ROLE_CLIENT) {
        p->early_data = malloc(side->early_data_len);
        ok = ok && p->early_data != NULL;
        if (p->early_data != NULL) {
            memcpy(p->early_data, side->early_data, side->early_data_len);
        }
    }
    if (!ok) {
        th_peer_set_error(err, err_len, "out of memory");
        return 0;
    }
    th_config *c = &p->cfg;
    c->versions = p->versions;
    c->num_versions = side->num_versions;
    /* `ems: false`: TLS 1.2 without extended_master_secret (RFC 7627). */
    c->tls12_allow_no_ems = side->no_ems;
    c->renegotiation =
        side->accept_renegotiation ? TH_RENEGOTIATE_ACCEPT : TH_RENEGOTIATE_REFUSE;
    c->cipher_suites = p->suites;
    c->num_cipher_suites = side->num_cipher_suites;
    c->groups = p->groups;
    c->num_groups = num_groups;
    c->sig_schemes = p->schemes;
    c->num_sig_schemes = side->num_sig_schemes;
    c->alpn = (const char *const *)p->alpn;
    c->num_alpn = p->num_alpn;
    c->middlebox_compat = side->middlebox_compat;
    c->record_size_limit = side->record_size_limit;
    c->random = seeded_random;
    c->random_ctx = p;
    c->now = fixed_now;
    if (p->role == TH_ROLE_CLIENT) {
        c->server_name = p->server_name;
        c->verify_host = p->server_name != NULL ? NULL : "localhost";
        c->psk_ke = side->psk_ke;
        c->early_data = p->early_data;
        c->early_data_len = p->early_data != NULL ? side->early_data_len : 0;
        c->post_handshake_auth = side->post_handshake_auth;
    } else {
        c->request_client_cert = side->client_auth != 0;
        c->require_client_cert = side->client_auth == 2;
        c->hrr_cookie = side->hrr_cookie;
        c->max_early_data = side->max_early_data;
        c->require_server_name = side->require_sni;
    }
    return 1;
}

th_peer *th_peer_self_new(const char *spec, int peer_role, const th_sc_side *cfg,
                          const th_peer_opts *opts, char *err, size_t err_len) {
    self_peer *p = calloc(1, sizeof(*p));
    if (p == NULL) {
        th_peer_set_error(err, err_len, "out of memory");
        return NULL;
    }
    p->base.ops = &kSelfOps;
    p->role = peer_role;
    p->echo = cfg->echo;
    p->resume = cfg->resume;
    p->seed = opts != NULL ? opts->seed : 0;
    p->base.spec = strdup(spec);
    if (p->base.spec == NULL) {
        th_peer_set_error(err, err_len, "out of memory");
        goto err;
    }
    if (!copy_side(p, cfg, err, err_len)) {
        goto err;
    }
    const char *cert = cfg->certificate;
    if (cert == NULL && peer_role == TH_ROLE_SERVER) {
        cert = "server-ecdsa-p256";
    }
    if (cert != NULL && !load_cert_key(p, opts, cert, err, err_len)) {
        goto err;
    }
    char root[1024], why[512];
    if (!th_peer_pki_file(opts, "root-ca", ".pem", root, sizeof(root), err, err_len)) {
        goto err;
    }
    if (!th_trust_store_load(root, &p->store, why, sizeof(why))) {
        th_peer_set_error(err, err_len, "trust anchors: %s", why);
        goto err;
    }
    p->cfg.trust_store = p->store;
    if (peer_role == TH_ROLE_SERVER) {
        uint8_t key[32];
        th_peer_seed_bytes(p->seed, "self ticket key", 0, key, sizeof(key));
        p->tickets = th_ticket_ctx_new(key, 0);
        if (p->tickets == NULL) {
            th_peer_set_error(err, err_len, "out of memory");
            goto err;
        }
        p->cfg.tickets = p->tickets;
        p->session_cache = th_session_cache_new(0);
        if (p->session_cache == NULL) {
            th_peer_set_error(err, err_len, "out of memory");
            goto err;
        }
        p->cfg.session_cache = p->session_cache;
    }
    /* The engine checks its config when a connection is made: try one now so
     * a config it cannot use is an error of th_peer_new, not of a step. The
     * randomness it draws is part of the seeded sequence. */
    th_conn *probe = th_conn_new(&p->cfg, peer_role);
    if (probe == NULL) {
        th_peer_set_error(err, err_len,
                          "self peer: our engine refused the configuration (unsupported cipher "
                          "suites, groups, signature schemes or record_size_limit)");
        goto err;
    }
    th_conn_free(probe);
    p->counter = 0;
    return &p->base;

err:
    self_free(&p->base);
    return NULL;
}
