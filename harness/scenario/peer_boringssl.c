/* The "boringssl" peer: BoringSSL's libssl in-process, the reference
 * implementation (DESIGN.md), over a BIO pair. Everything it has to say after
 * a write is in the pair's outer BIO when write returns.
 *
 * Not deterministic: BoringSSL draws its randoms, key shares, ticket nonces
 * and ticket IVs from its own RAND_bytes, which cannot be seeded from
 * outside. Only the ticket key comes from the run's seed.
 *
 * What BoringSSL (API 17) cannot be configured to do, and this peer ignores:
 * TLS 1.3 cipher suites (its own fixed preference, so only TLS 1.2 suites of
 * cipher_suites are applied), key_shares beyond the first (a client sends
 * one share, for its first group: th_peer_client_groups puts the first of
 * key_shares there; an empty key_shares is not possible),
 * psk_ke (it only offers psk_dhe_ke), middlebox_compat (always on for a
 * client), hrr_cookie (it never sends one), record_size_limit (RFC 8449 is
 * not implemented), post_handshake_auth (not implemented) and the value of
 * max_early_data (its tickets allow 14336 bytes; 0 still disables 0-RTT). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/nid.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "peer_internal.h"

/* Each direction of the BIO pair: more than any flight and any burst of
 * application data a scenario sends before reading. */
#define PIPE_SIZE (4u * 1024 * 1024)

/* Bound on driver rounds per write: a handshake needs a few. */
#define MAX_ROUNDS 10000

typedef struct {
    th_peer base;
    int role; /* th_role of this peer */
    int echo;
    int require_sni;
    int accept_renegotiation;
    int resume;
    char *server_name;  /* client: SNI and verified name; server: required */
    uint8_t *alpn_wire; /* our ALPN list in wire form (RFC 7301 §3.1) */
    size_t alpn_wire_len;
    uint8_t *early_data; /* client: 0-RTT data */
    size_t early_data_len;
    SSL_CTX *ctx;
    /* The current connection. */
    SSL *ssl;
    BIO *ext; /* our end of the BIO pair */
    int connected;
    int failed;
    int closed; /* close_notify received (and answered) */
    int early_written;
    int early_rejected;
    int early_resent;
    uint8_t *pending; /* application data to echo */
    size_t pending_len;
    size_t write_len;     /* length of an SSL_write to retry (0: none) */
    SSL_SESSION *session; /* client: the newest session, for resumption */
    th_peer_info info;
} bssl_peer;

static const th_peer_ops kBsslOps;

static void info_cb(const SSL *ssl, int type, int value) {
    bssl_peer *p = SSL_get_app_data(ssl);
    if (p == NULL) {
        return;
    }
    if (type == SSL_CB_WRITE_ALERT) {
        p->info.has_alert_sent = 1;
        p->info.alert_sent = (uint8_t)(value & 0xff);
    } else if (type == SSL_CB_READ_ALERT) {
        p->info.has_alert_received = 1;
        p->info.alert_received = (uint8_t)(value & 0xff);
    }
}

static int new_session_cb(SSL *ssl, SSL_SESSION *session) {
    bssl_peer *p = SSL_get_app_data(ssl);
    if (p == NULL) {
        return 0;
    }
    /* The newest ticket wins, as a client application keeping one would. */
    SSL_SESSION_free(p->session);
    p->session = session;
    return 1;
}

/* Server: the first of our protocols the client offers (RFC 7301 §3.2). */
static int alpn_select_cb(SSL *ssl, const uint8_t **out, uint8_t *out_len, const uint8_t *in,
                          unsigned in_len, void *arg) {
    bssl_peer *p = arg;
    if (p->alpn_wire_len == 0) {
        return SSL_TLSEXT_ERR_NOACK;
    }
    for (size_t i = 0; i < p->alpn_wire_len; i += 1 + (size_t)p->alpn_wire[i]) {
        const uint8_t *ours = &p->alpn_wire[i + 1];
        uint8_t ours_len = p->alpn_wire[i];
        for (unsigned j = 0; j < in_len && j + 1u + in[j] <= in_len; j += 1u + in[j]) {
            if (in[j] == ours_len && memcmp(&in[j + 1], ours, ours_len) == 0) {
                *out = &in[j + 1];
                *out_len = in[j];
                return SSL_TLSEXT_ERR_OK;
            }
        }
    }
    /* RFC 7301 §3.2: "In the event that the server supports no protocols
     * that the client advertises, then the server SHALL respond with a fatal
     * "no_application_protocol" alert." BoringSSL sends it for this code. */
    return SSL_TLSEXT_ERR_ALERT_FATAL;
}

/* Server with require_sni: refuse a ClientHello without server_name, or
 * naming another host than ours. */
static int servername_cb(SSL *ssl, int *out_alert, void *arg) {
    bssl_peer *p = arg;
    if (!p->require_sni) {
        return SSL_TLSEXT_ERR_OK;
    }
    const char *name = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
    if (name == NULL) {
        *out_alert = SSL_AD_MISSING_EXTENSION;
        return SSL_TLSEXT_ERR_ALERT_FATAL;
    }
    if (p->server_name != NULL && strcmp(name, p->server_name) != 0) {
        /* RFC 6066 §3: the server "SHOULD" send unrecognized_name. */
        *out_alert = SSL_AD_UNRECOGNIZED_NAME;
        return SSL_TLSEXT_ERR_ALERT_FATAL;
    }
    return SSL_TLSEXT_ERR_OK;
}

static int group_nid(uint16_t group) {
    switch (group) {
    case TH_GROUP_X25519:
        return NID_X25519;
    case TH_GROUP_SECP256R1:
        return NID_X9_62_prime256v1;
    case TH_GROUP_SECP384R1:
        return NID_secp384r1;
    case TH_GROUP_SECP521R1:
        return NID_secp521r1;
    default:
        return NID_undef;
    }
}

/* Signature schemes libssl knows (its kSignatureAlgorithms). */
static int scheme_known(uint16_t scheme) {
    switch (scheme) {
    case SSL_SIGN_RSA_PKCS1_SHA1:
    case SSL_SIGN_RSA_PKCS1_SHA256:
    case SSL_SIGN_RSA_PKCS1_SHA384:
    case SSL_SIGN_RSA_PKCS1_SHA512:
    case SSL_SIGN_ECDSA_SHA1:
    case SSL_SIGN_ECDSA_SECP256R1_SHA256:
    case SSL_SIGN_ECDSA_SECP384R1_SHA384:
    case SSL_SIGN_ECDSA_SECP521R1_SHA512:
    case SSL_SIGN_RSA_PSS_RSAE_SHA256:
    case SSL_SIGN_RSA_PSS_RSAE_SHA384:
    case SSL_SIGN_RSA_PSS_RSAE_SHA512:
    case SSL_SIGN_ED25519:
        return 1;
    default:
        return 0;
    }
}

static int set_versions(SSL_CTX *ctx, const th_sc_side *cfg, char *err, size_t err_len) {
    uint16_t min = TLS1_3_VERSION, max = TLS1_3_VERSION;
    if (cfg->num_versions > 0) {
        min = 0xffff;
        max = 0;
        for (size_t i = 0; i < cfg->num_versions; i++) {
            uint16_t v = cfg->versions[i];
            if (v < TLS1_VERSION || v > TLS1_3_VERSION) {
                continue; /* GREASE or unknown: only on the wire */
            }
            min = v < min ? v : min;
            max = v > max ? v : max;
        }
        if (max == 0) {
            th_peer_set_error(err, err_len,
                              "boringssl peer: no TLS version it supports in "
                              "versions");
            return 0;
        }
    }
    if (!SSL_CTX_set_min_proto_version(ctx, min) || !SSL_CTX_set_max_proto_version(ctx, max)) {
        th_peer_set_error(err, err_len, "boringssl peer: cannot set versions 0x%04x..0x%04x", min,
                          max);
        return 0;
    }
    return 1;
}

static int set_groups(SSL_CTX *ctx, int role, const th_sc_side *cfg, char *err, size_t err_len) {
    const uint16_t *groups = cfg->groups;
    size_t num_groups = cfg->num_groups;
    uint16_t *client_groups = NULL;
    if (role == TH_ROLE_CLIENT) {
        client_groups = th_peer_client_groups(cfg, &num_groups);
        if (client_groups == NULL) {
            th_peer_set_error(err, err_len, "out of memory");
            return 0;
        }
        groups = client_groups;
    }
    int nids[16];
    size_t n = 0;
    for (size_t i = 0; i < num_groups && n < sizeof(nids) / sizeof(nids[0]); i++) {
        int nid = group_nid(groups[i]);
        if (nid != NID_undef) {
            nids[n++] = nid;
        }
    }
    free(client_groups);
    /* Only unknown groups: BoringSSL's defaults, and the peer fails the way
     * a real server without them would. */
    if (n > 0 && !SSL_CTX_set1_curves(ctx, nids, n)) {
        th_peer_set_error(err, err_len, "boringssl peer: cannot set groups");
        return 0;
    }
    return 1;
}

static int set_sig_schemes(SSL_CTX *ctx, const th_sc_side *cfg, char *err, size_t err_len) {
    uint16_t prefs[32];
    size_t n = 0;
    for (size_t i = 0; i < cfg->num_sig_schemes && n < sizeof(prefs) / sizeof(prefs[0]); i++) {
        if (scheme_known(cfg->sig_schemes[i])) {
            prefs[n++] = cfg->sig_schemes[i];
        }
    }
    if (n > 0 && (!SSL_CTX_set_verify_algorithm_prefs(ctx, prefs, n) ||
                  !SSL_CTX_set_signing_algorithm_prefs(ctx, prefs, n))) {
        th_peer_set_error(err, err_len, "boringssl peer: cannot set signature schemes");
        return 0;
    }
    return 1;
}

/* TLS 1.2 suites only: BoringSSL's TLS 1.3 suites are not configurable. */
static int set_ciphers(SSL_CTX *ctx, const th_sc_side *cfg, char *err, size_t err_len) {
    char list[1024] = "";
    size_t used = 0;
    for (size_t i = 0; i < cfg->num_cipher_suites; i++) {
        const SSL_CIPHER *c = SSL_get_cipher_by_value(cfg->cipher_suites[i]);
        if (c == NULL || SSL_CIPHER_get_min_version(c) >= TLS1_3_VERSION) {
            continue;
        }
        int w = snprintf(list + used, sizeof(list) - used, "%s%s", used ? ":" : "",
                         SSL_CIPHER_get_name(c));
        if (w < 0 || (size_t)w >= sizeof(list) - used) {
            break;
        }
        used += (size_t)w;
    }
    if (used > 0 && !SSL_CTX_set_strict_cipher_list(ctx, list)) {
        th_peer_set_error(err, err_len, "boringssl peer: cannot set cipher list %s", list);
        return 0;
    }
    return 1;
}

static int file_readable(const char *path, const char *what, char *err, size_t err_len) {
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        th_peer_set_error(err, err_len, "%s: cannot read %s: %s", what, path, strerror(errno));
        return 0;
    }
    fclose(f);
    return 1;
}

static int use_certificate(SSL_CTX *ctx, const th_peer_opts *opts, const char *name, char *err,
                           size_t err_len) {
    char cert[1024], key[1024];
    if (!th_peer_pki_file(opts, name, "-chain.pem", cert, sizeof(cert), err, err_len) ||
        !th_peer_pki_file(opts, name, ".key", key, sizeof(key), err, err_len) ||
        !file_readable(cert, "certificate", err, err_len) ||
        !file_readable(key, "key", err, err_len)) {
        return 0;
    }
    if (!SSL_CTX_use_certificate_chain_file(ctx, cert) ||
        !SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) ||
        !SSL_CTX_check_private_key(ctx)) {
        char why[160];
        ERR_error_string_n(ERR_peek_last_error(), why, sizeof(why));
        th_peer_set_error(err, err_len, "certificate \"%s\" does not load: %s", name, why);
        ERR_clear_error();
        return 0;
    }
    return 1;
}

static int use_trust(SSL_CTX *ctx, const th_peer_opts *opts, char *err, size_t err_len) {
    char root[1024];
    if (!th_peer_pki_file(opts, "root-ca", ".pem", root, sizeof(root), err, err_len) ||
        !file_readable(root, "trust anchors", err, err_len)) {
        return 0;
    }
    if (!SSL_CTX_load_verify_locations(ctx, root, NULL)) {
        th_peer_set_error(err, err_len, "trust anchors %s do not load", root);
        ERR_clear_error();
        return 0;
    }
    return 1;
}

static int alpn_to_wire(bssl_peer *p, const th_sc_side *cfg, char *err, size_t err_len) {
    size_t len = 0;
    for (size_t i = 0; i < cfg->num_alpn; i++) {
        size_t n = strlen(cfg->alpn[i]);
        if (n == 0 || n > 255) {
            th_peer_set_error(err, err_len, "ALPN name \"%s\": 1 to 255 bytes", cfg->alpn[i]);
            return 0;
        }
        len += 1 + n;
    }
    if (len == 0) {
        return 1;
    }
    p->alpn_wire = malloc(len);
    if (p->alpn_wire == NULL) {
        th_peer_set_error(err, err_len, "out of memory");
        return 0;
    }
    for (size_t i = 0; i < cfg->num_alpn; i++) {
        size_t n = strlen(cfg->alpn[i]);
        p->alpn_wire[p->alpn_wire_len++] = (uint8_t)n;
        memcpy(&p->alpn_wire[p->alpn_wire_len], cfg->alpn[i], n);
        p->alpn_wire_len += n;
    }
    return 1;
}

static SSL_CTX *new_ctx(bssl_peer *p, const th_sc_side *cfg, const th_peer_opts *opts, char *err,
                        size_t err_len) {
    SSL_CTX *ctx = SSL_CTX_new(TLS_method());
    if (ctx == NULL) {
        th_peer_set_error(err, err_len, "boringssl peer: SSL_CTX_new failed");
        return NULL;
    }
    if (!set_versions(ctx, cfg, err, err_len) || !set_groups(ctx, p->role, cfg, err, err_len) ||
        !set_sig_schemes(ctx, cfg, err, err_len) || !set_ciphers(ctx, cfg, err, err_len)) {
        goto err;
    }
    SSL_CTX_set_info_callback(ctx, info_cb);
    SSL_CTX_set_mode(ctx, SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
    if (p->role == TH_ROLE_SERVER) {
        const char *name = cfg->certificate != NULL ? cfg->certificate : "server-ecdsa-p256";
        if (!use_certificate(ctx, opts, name, err, err_len)) {
            goto err;
        }
        uint8_t ticket_keys[48];
        th_peer_seed_bytes(opts != NULL ? opts->seed : 0, "boringssl ticket keys", 0, ticket_keys,
                           sizeof(ticket_keys));
        if (!SSL_CTX_set_tlsext_ticket_keys(ctx, ticket_keys, sizeof(ticket_keys))) {
            th_peer_set_error(err, err_len, "boringssl peer: cannot set ticket keys");
            goto err;
        }
        if (cfg->client_auth != 0) {
            if (!use_trust(ctx, opts, err, err_len)) {
                goto err;
            }
            int mode = SSL_VERIFY_PEER;
            if (cfg->client_auth == 2) {
                mode |= SSL_VERIFY_FAIL_IF_NO_PEER_CERT;
            }
            SSL_CTX_set_verify(ctx, mode, NULL);
        }
        SSL_CTX_set_early_data_enabled(ctx, cfg->max_early_data > 0);
        SSL_CTX_set_alpn_select_cb(ctx, alpn_select_cb, p);
        SSL_CTX_set_tlsext_servername_callback(ctx, servername_cb);
        SSL_CTX_set_tlsext_servername_arg(ctx, p);
    } else {
        if (cfg->certificate != NULL &&
            !use_certificate(ctx, opts, cfg->certificate, err, err_len)) {
            goto err;
        }
        if (!use_trust(ctx, opts, err, err_len)) {
            goto err;
        }
        SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
        SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL);
        SSL_CTX_sess_set_new_cb(ctx, new_session_cb);
        SSL_CTX_set_early_data_enabled(ctx, cfg->early_data_len > 0);
    }
    return ctx;

err:
    SSL_CTX_free(ctx);
    return NULL;
}

/* Records why the SSL failed: libssl's error and the verifier's result. */
static void record_failure(bssl_peer *p) {
    p->failed = 1;
    char why[200] = "";
    uint32_t e = ERR_peek_last_error();
    if (e != 0) {
        ERR_error_string_n(e, why, sizeof(why));
    }
    long v = SSL_get_verify_result(p->ssl);
    if (v != X509_V_OK) {
        snprintf(p->info.error, sizeof(p->info.error), "%s%s%s", why, why[0] ? ": " : "",
                 X509_verify_cert_error_string(v));
    } else {
        snprintf(p->info.error, sizeof(p->info.error), "%s",
                 why[0] ? why : "BoringSSL failed without an error code");
    }
    ERR_clear_error();
}

static int retryable(SSL *ssl, int ret) {
    int e = SSL_get_error(ssl, ret);
    return e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE;
}

static int append_pending(bssl_peer *p, const uint8_t *data, size_t len) {
    uint8_t *grown = realloc(p->pending, p->pending_len + len);
    if (grown == NULL) {
        return 0;
    }
    memcpy(grown + p->pending_len, data, len);
    p->pending = grown;
    p->pending_len += len;
    return 1;
}

/* Writes queued echo bytes once the handshake is done. 1 if something was
 * written. */
static int flush_pending(bssl_peer *p) {
    if (p->pending_len == 0 || p->failed || p->closed || SSL_in_init(p->ssl) ||
        (SSL_get_shutdown(p->ssl) & SSL_SENT_SHUTDOWN)) {
        return 0;
    }
    /* A retried SSL_write must ask for the same length. */
    size_t len = p->write_len != 0 ? p->write_len : p->pending_len;
    if (len > 16384) {
        len = 16384;
    }
    int r = SSL_write(p->ssl, p->pending, (int)len);
    if (r <= 0) {
        if (retryable(p->ssl, r)) {
            p->write_len = len;
        } else {
            record_failure(p);
        }
        return 0;
    }
    p->write_len = 0;
    memmove(p->pending, p->pending + r, p->pending_len - (size_t)r);
    p->pending_len -= (size_t)r;
    return 1;
}

/* Runs the SSL until it needs our bytes: the handshake, 0-RTT data, reading
 * (and echoing) application data, KeyUpdate answers, close_notify. */
static void drive(bssl_peer *p) {
    static const char kOom[] = "out of memory";
    uint8_t buf[16384];
    for (int round = 0; round < MAX_ROUNDS && !p->failed && !p->closed; round++) {
        int progress = 0;
        if (SSL_in_init(p->ssl) && !SSL_in_early_data(p->ssl)) {
            int r = SSL_do_handshake(p->ssl);
            if (r == 1) {
                if (p->role == TH_ROLE_CLIENT && SSL_in_early_data(p->ssl) &&
                    p->early_data_len > 0 && !p->early_written) {
                    int w = SSL_write(p->ssl, p->early_data, (int)p->early_data_len);
                    if (w != (int)p->early_data_len) {
                        record_failure(p);
                        return;
                    }
                    p->early_written = 1;
                }
                continue;
            }
            int e = SSL_get_error(p->ssl, r);
            if (e == SSL_ERROR_EARLY_DATA_REJECTED) {
                SSL_reset_early_data_reject(p->ssl);
                p->early_rejected = 1;
                continue;
            }
            if (e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE) {
                record_failure(p);
            }
            return;
        }
        if (!SSL_in_init(p->ssl) && p->early_rejected && !p->early_resent) {
            /* RFC 8446 §4.2.10: rejected 0-RTT data is the application's
             * to send again once the handshake is complete. */
            p->early_resent = 1;
            if (!append_pending(p, p->early_data, p->early_data_len)) {
                snprintf(p->info.error, sizeof(p->info.error), "%s", kOom);
                p->failed = 1;
                return;
            }
        }
        progress |= flush_pending(p);
        int r;
        while ((r = SSL_read(p->ssl, buf, sizeof(buf))) > 0) {
            progress = 1;
            if (p->echo && !append_pending(p, buf, (size_t)r)) {
                snprintf(p->info.error, sizeof(p->info.error), "%s", kOom);
                p->failed = 1;
                return;
            }
        }
        int e = SSL_get_error(p->ssl, r);
        if (e == SSL_ERROR_ZERO_RETURN) {
            /* close_notify: answered with ours (RFC 8446 §6.1), as a server
             * or client application closing its side would. */
            while (flush_pending(p)) {
            }
            p->closed = 1;
            if (!(SSL_get_shutdown(p->ssl) & SSL_SENT_SHUTDOWN) && SSL_shutdown(p->ssl) < 0) {
                ERR_clear_error();
            }
            return;
        }
        if (e == SSL_ERROR_EARLY_DATA_REJECTED) {
            SSL_reset_early_data_reject(p->ssl);
            p->early_rejected = 1;
            continue;
        }
        if (e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE) {
            record_failure(p);
            return;
        }
        progress |= flush_pending(p);
        if (!p->failed && p->write_len == 0 && !SSL_in_init(p->ssl) &&
            !(SSL_get_shutdown(p->ssl) & SSL_SENT_SHUTDOWN)) {
            /* libssl holds a server's NewSessionTickets and KeyUpdate
             * answers until the application writes; a zero-byte write
             * flushes them, as an application sending data would. */
            static const uint8_t kNothing[1] = {0};
            if (SSL_write(p->ssl, kNothing, 0) < 0 && !retryable(p->ssl, -1)) {
                ERR_clear_error();
            }
        }
        if (!progress) {
            return;
        }
    }
}

static void end_connection(bssl_peer *p) {
    if (p->ssl != NULL && p->role == TH_ROLE_CLIENT && p->session == NULL) {
        /* TLS 1.2: the session is the connection's own. */
        SSL_SESSION *s = SSL_get1_session(p->ssl);
        if (s != NULL && SSL_SESSION_is_resumable(s)) {
            p->session = s;
        } else {
            SSL_SESSION_free(s);
        }
    }
    SSL_free(p->ssl);
    BIO_free(p->ext);
    p->ssl = NULL;
    p->ext = NULL;
    p->connected = 0;
    free(p->pending);
    p->pending = NULL;
    p->pending_len = 0;
    p->write_len = 0;
    ERR_clear_error();
}

static int bssl_connect(th_peer *base, char *err, size_t err_len) {
    bssl_peer *p = (bssl_peer *)base;
    end_connection(p);
    memset(&p->info, 0, sizeof(p->info));
    p->failed = p->closed = 0;
    p->early_written = p->early_rejected = p->early_resent = 0;
    BIO *internal = NULL;
    p->ssl = SSL_new(p->ctx);
    if (p->ssl == NULL || !BIO_new_bio_pair(&internal, PIPE_SIZE, &p->ext, PIPE_SIZE)) {
        th_peer_set_error(err, err_len, "boringssl peer: cannot create the connection");
        end_connection(p);
        return 0;
    }
    SSL_set_bio(p->ssl, internal, internal);
    SSL_set_app_data(p->ssl, p);
    if (p->role == TH_ROLE_SERVER) {
        SSL_set_accept_state(p->ssl);
    } else {
        SSL_set_connect_state(p->ssl);
        /* BoringSSL's clients refuse renegotiation unless told otherwise. */
        if (p->accept_renegotiation) {
            SSL_set_renegotiate_mode(p->ssl, ssl_renegotiate_freely);
        }
        const char *host = p->server_name != NULL ? p->server_name : "localhost";
        if ((p->server_name != NULL && !SSL_set_tlsext_host_name(p->ssl, p->server_name)) ||
            !SSL_set1_host(p->ssl, host) ||
            (p->alpn_wire_len > 0 &&
             SSL_set_alpn_protos(p->ssl, p->alpn_wire, p->alpn_wire_len) != 0) ||
            (p->resume && p->session != NULL && !SSL_set_session(p->ssl, p->session))) {
            th_peer_set_error(err, err_len, "boringssl peer: cannot configure the client");
            end_connection(p);
            return 0;
        }
    }
    p->connected = 1;
    if (p->role == TH_ROLE_CLIENT) {
        drive(p);
    }
    return 1;
}

static int bssl_write(th_peer *base, const uint8_t *in, size_t len, char *err, size_t err_len) {
    bssl_peer *p = (bssl_peer *)base;
    if (!p->connected) {
        th_peer_set_error(err, err_len, "boringssl peer: not connected");
        return 0;
    }
    size_t off = 0;
    while (off < len && !p->failed && !p->closed) {
        size_t room = BIO_ctrl_get_write_guarantee(p->ext);
        if (room == 0) {
            th_peer_set_error(err, err_len, "boringssl peer: its input is full (%zu bytes unread)",
                              len - off);
            return 0;
        }
        size_t n = len - off < room ? len - off : room;
        int w = BIO_write(p->ext, in + off, (int)n);
        if (w <= 0) {
            th_peer_set_error(err, err_len, "boringssl peer: BIO_write failed");
            return 0;
        }
        off += (size_t)w;
        drive(p);
    }
    /* Bytes after a failure or close_notify are dropped, as a closed
     * socket would. */
    return 1;
}

static th_peer_read_result bssl_read(th_peer *base, uint8_t *out, size_t cap, size_t *out_len,
                                     unsigned deadline_ms, char *err, size_t err_len) {
    bssl_peer *p = (bssl_peer *)base;
    *out_len = 0;
    if (p->ext == NULL) {
        return TH_PEER_READ_EOF;
    }
    size_t pending = BIO_ctrl_pending(p->ext);
    if (pending > 0 && cap > 0) {
        size_t n = pending < cap ? pending : cap;
        int r = BIO_read(p->ext, out, (int)n);
        if (r <= 0) {
            th_peer_set_error(err, err_len, "boringssl peer: BIO_read failed");
            return TH_PEER_READ_ERROR;
        }
        *out_len = (size_t)r;
        return TH_PEER_READ_DATA;
    }
    if (p->failed || p->closed || (SSL_get_shutdown(p->ssl) & SSL_SENT_SHUTDOWN)) {
        return TH_PEER_READ_EOF;
    }
    return TH_PEER_READ_NONE;
}

static void bssl_disconnect(th_peer *base) {
    end_connection((bssl_peer *)base);
}

static void bssl_info(th_peer *base, th_peer_info *out) {
    bssl_peer *p = (bssl_peer *)base;
    *out = p->info;
    out->known = 1;
    if (p->ssl == NULL) {
        return;
    }
    out->established = !p->failed && !SSL_in_init(p->ssl);
    if (!SSL_in_init(p->ssl) || SSL_in_early_data(p->ssl)) {
        out->version = (uint16_t)SSL_version(p->ssl);
    }
    const SSL_CIPHER *c = SSL_get_current_cipher(p->ssl);
    if (c != NULL) {
        out->cipher_suite = SSL_CIPHER_get_protocol_id(c);
    }
    out->group = SSL_get_curve_id(p->ssl);
    const uint8_t *alpn;
    unsigned alpn_len;
    SSL_get0_alpn_selected(p->ssl, &alpn, &alpn_len);
    if (alpn_len > 0 && alpn_len < sizeof(out->alpn)) {
        memcpy(out->alpn, alpn, alpn_len);
        out->alpn[alpn_len] = '\0';
    }
    out->resumed = SSL_session_reused(p->ssl);
}

static void bssl_free(th_peer *base) {
    bssl_peer *p = (bssl_peer *)base;
    end_connection(p);
    SSL_SESSION_free(p->session);
    SSL_CTX_free(p->ctx);
    free(p->server_name);
    free(p->alpn_wire);
    free(p->early_data);
    free(p->base.spec);
    free(p);
}

static const th_peer_ops kBsslOps = {
    bssl_connect, bssl_write, bssl_read, bssl_disconnect, bssl_info, bssl_free,
};

th_peer *th_peer_boringssl_new(const char *spec, int peer_role, const th_sc_side *cfg,
                               const th_peer_opts *opts, char *err, size_t err_len) {
    bssl_peer *p = calloc(1, sizeof(*p));
    if (p == NULL) {
        th_peer_set_error(err, err_len, "out of memory");
        return NULL;
    }
    p->base.ops = &kBsslOps;
    p->role = peer_role;
    p->echo = cfg->echo;
    p->accept_renegotiation = cfg->accept_renegotiation;
    p->require_sni = cfg->require_sni;
    p->resume = cfg->resume;
    p->base.spec = strdup(spec);
    if (p->base.spec == NULL ||
        (cfg->server_name != NULL && (p->server_name = strdup(cfg->server_name)) == NULL)) {
        th_peer_set_error(err, err_len, "out of memory");
        goto err;
    }
    if (!alpn_to_wire(p, cfg, err, err_len)) {
        goto err;
    }
    if (peer_role == TH_ROLE_CLIENT && cfg->early_data_len > 0) {
        p->early_data = malloc(cfg->early_data_len);
        if (p->early_data == NULL) {
            th_peer_set_error(err, err_len, "out of memory");
            goto err;
        }
        memcpy(p->early_data, cfg->early_data, cfg->early_data_len);
        p->early_data_len = cfg->early_data_len;
    }
    p->ctx = new_ctx(p, cfg, opts, err, err_len);
    if (p->ctx == NULL) {
        goto err;
    }
    return &p->base;

err:
    bssl_free(&p->base);
    return NULL;
}
