/* BoringSSL client vs BoringSSL server over two BIO pairs, recorded. */
#include "bssl_record.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/aead.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

/* An OCSPResponse with responseStatus tryLater (RFC 6960 §4.2.1): valid DER
 * that needs no signature. BoringSSL staples it without looking inside. */
static const uint8_t kOcspResponse[] = {0x30, 0x03, 0x0a, 0x01, 0x03};

/* A SignedCertificateTimestampList (RFC 6962 §3.3) of one v1 SCT with a fixed
 * log id, timestamp and an opaque ecdsa_secp256r1_sha256 signature. */
static const uint8_t kSctList[] = {
    0x00, 0x39, 0x00, 0x37, 0x00,                   /* list, SCT, version v1 */
    0x5a, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a, /* log id (32 bytes) */
    0x5a, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a,
    0x5a, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a,
    0x5a, 0x5a, 0x00, 0x00, 0x01, 0x8c, 0xc2, 0x51, 0xf4, 0x00, /* timestamp */
    0x00, 0x00,                                                 /* extensions */
    0x04, 0x03, 0x00, 0x08, 0x30, 0x06, /* signature: ecdsa_secp256r1_sha256, 8 bytes */
    0x02, 0x01, 0x01, 0x02, 0x01, 0x01,
};

/* ALPN lists, wire form (RFC 7301 §3.1). */
static const uint8_t kClientAlpn[] = {2, 'h', '2', 8, 'h', 't', 't', 'p', '/', '1', '.', '1'};
static const uint8_t kServerAlpn[] = {2, 'h', '2'};

static const char kEarlyData[] = "GET /early HTTP/1.1\r\nHost: localhost\r\n\r\n";
static const char kRequest[] = "GET / HTTP/1.1\r\nHost: localhost\r\n\r\n";
static const char kResponse[] = "HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\ncorpus";
static const char kAfterKeyUpdate[] = "after KeyUpdate";

/* Upper bound on driver rounds: a handshake takes fewer than ten. */
#define MAX_ROUNDS 64

/* Record size for TH_CC_SMALL_RECORDS. */
#define SMALL_FRAGMENT 512

/* The BIO pair buffers: larger than any flight, so a side never blocks on a
 * full pipe while the other waits for it. */
#define PIPE_SIZE (256 * 1024)

typedef struct {
    const th_corpus_config *cfg;
    const th_corpus_pki *pki;
    FILE *err;
    th_bssl_conn *cur; /* the connection the callbacks append to */
    SSL_SESSION *session;
    int oom;
} run_ctx;

typedef struct {
    SSL *ssl[2];
    BIO *ext[2]; /* our end of each side's BIO pair */
    CBB wire[2];
    int failed[2];
} link;

static void report(run_ctx *r, const char *what) {
    if (r->err == NULL) {
        return;
    }
    char buf[256];
    uint32_t e = ERR_peek_last_error();
    ERR_error_string_n(e, buf, sizeof(buf));
    fprintf(r->err, "%s: %s%s%s\n", r->cfg->name, what, e ? ": " : "", e ? buf : "");
}

static void append_msg(run_ctx *r, uint8_t from, uint8_t content_type, const void *data,
                       size_t len) {
    th_bssl_conn *c = r->cur;
    if (c == NULL) {
        return;
    }
    th_bssl_msg *grown = th_array_grow(c->msgs, c->num_msgs, sizeof(*c->msgs));
    uint8_t *copy = malloc(len ? len : 1);
    if (grown == NULL || copy == NULL) {
        free(copy);
        r->oom = 1;
        return;
    }
    c->msgs = grown;
    memcpy(copy, data, len);
    th_bssl_msg *m = &c->msgs[c->num_msgs++];
    m->from = from;
    m->content_type = content_type;
    m->data = copy;
    m->len = len;
}

static void msg_cb(int is_write, int version, int content_type, const void *buf, size_t len,
                   SSL *ssl, void *arg) {
    /* Only what a side sent: each message is reported by both sides. */
    if (!is_write || (content_type != SSL3_RT_HANDSHAKE && content_type != SSL3_RT_ALERT &&
                      content_type != SSL3_RT_CHANGE_CIPHER_SPEC)) {
        return;
    }
    append_msg(arg, SSL_is_server(ssl) ? TH_BSSL_SERVER : TH_BSSL_CLIENT, (uint8_t)content_type,
               buf, len);
}

static int new_session_cb(SSL *ssl, SSL_SESSION *session) {
    run_ctx *r = SSL_CTX_get_app_data(SSL_get_SSL_CTX(ssl));
    if (r->session != NULL) {
        return 0; /* keep the first ticket; BoringSSL frees this one */
    }
    r->session = session;
    return 1;
}

static enum ssl_verify_result_t accept_any_cert(SSL *ssl, uint8_t *out_alert) {
    /* The corpus records handshakes; chain validation is not what it tests. */
    return ssl_verify_ok;
}

static int alpn_select(SSL *ssl, const uint8_t **out, uint8_t *out_len, const uint8_t *in,
                       unsigned in_len, void *arg) {
    uint8_t *selected;
    if (SSL_select_next_proto(&selected, out_len, kServerAlpn, sizeof(kServerAlpn), in, in_len) !=
        OPENSSL_NPN_NEGOTIATED) {
        return SSL_TLSEXT_ERR_NOACK;
    }
    *out = selected;
    return SSL_TLSEXT_ERR_OK;
}

static int servername_ok(SSL *ssl, int *out_alert, void *arg) {
    return SSL_TLSEXT_ERR_OK;
}

static int set_versions(SSL_CTX *ctx, uint16_t min, uint16_t max) {
    return (min == 0 || SSL_CTX_set_min_proto_version(ctx, min)) &&
           (max == 0 || SSL_CTX_set_max_proto_version(ctx, max));
}

static SSL_CTX *new_server_ctx(run_ctx *r) {
    const th_corpus_config *cfg = r->cfg;
    const th_corpus_identity *id = &r->pki->ids[cfg->server_id];
    SSL_CTX *ctx = SSL_CTX_new(TLS_method());
    if (ctx == NULL || !SSL_CTX_set_app_data(ctx, r) ||
        !set_versions(ctx, cfg->server_min_version, cfg->server_max_version) ||
        !SSL_CTX_use_certificate(ctx, id->cert) || !SSL_CTX_use_PrivateKey(ctx, id->key) ||
        ((cfg->flags & TH_CC_CHAIN) && !SSL_CTX_add1_chain_cert(ctx, r->pki->ca_cert)) ||
        (cfg->server_ciphers && !SSL_CTX_set_strict_cipher_list(ctx, cfg->server_ciphers)) ||
        (cfg->server_groups && !SSL_CTX_set1_curves_list(ctx, cfg->server_groups)) ||
        ((cfg->flags & TH_CC_OCSP) &&
         !SSL_CTX_set_ocsp_response(ctx, kOcspResponse, sizeof(kOcspResponse))) ||
        ((cfg->flags & TH_CC_SCT) &&
         !SSL_CTX_set_signed_cert_timestamp_list(ctx, kSctList, sizeof(kSctList))) ||
        ((cfg->flags & TH_CC_SMALL_RECORDS) &&
         !SSL_CTX_set_max_send_fragment(ctx, SMALL_FRAGMENT))) {
        SSL_CTX_free(ctx);
        return NULL;
    }
    SSL_CTX_set_msg_callback(ctx, msg_cb);
    SSL_CTX_set_msg_callback_arg(ctx, r);
    if (cfg->flags & (TH_CC_CLIENT_AUTH | TH_CC_CLIENT_AUTH_EMPTY)) {
        int mode = SSL_VERIFY_PEER;
        if (cfg->flags & TH_CC_CLIENT_CERT_REQUIRED) {
            mode |= SSL_VERIFY_FAIL_IF_NO_PEER_CERT;
        }
        SSL_CTX_set_custom_verify(ctx, mode, accept_any_cert);
    }
    if (cfg->flags & TH_CC_CA_NAMES) {
        STACK_OF(X509_NAME) *names = sk_X509_NAME_new_null();
        X509_NAME *name = X509_NAME_dup(X509_get_subject_name(r->pki->ca_cert));
        if (names == NULL || name == NULL || !sk_X509_NAME_push(names, name)) {
            X509_NAME_free(name);
            sk_X509_NAME_pop_free(names, X509_NAME_free);
            SSL_CTX_free(ctx);
            return NULL;
        }
        SSL_CTX_set_client_CA_list(ctx, names);
    }
    if (cfg->flags & TH_CC_EARLY_DATA) {
        SSL_CTX_set_early_data_enabled(ctx, 1);
    }
    if (cfg->flags & TH_CC_NO_TICKETS) {
        SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET);
    }
    if (cfg->flags & TH_CC_ALPN) {
        SSL_CTX_set_alpn_select_cb(ctx, alpn_select, NULL);
    }
    if (cfg->flags & TH_CC_SNI) {
        SSL_CTX_set_tlsext_servername_callback(ctx, servername_ok);
    }
    return ctx;
}

/* Signature algorithms for a client that also verifies Ed25519, which
 * BoringSSL's default list leaves out. */
static const uint16_t kVerifyWithEd25519[] = {
    SSL_SIGN_ECDSA_SECP256R1_SHA256, SSL_SIGN_RSA_PSS_RSAE_SHA256, SSL_SIGN_RSA_PKCS1_SHA256,
    SSL_SIGN_ECDSA_SECP384R1_SHA384, SSL_SIGN_RSA_PSS_RSAE_SHA384, SSL_SIGN_RSA_PKCS1_SHA384,
    SSL_SIGN_RSA_PSS_RSAE_SHA512,    SSL_SIGN_RSA_PKCS1_SHA512,    SSL_SIGN_ED25519,
};

static SSL_CTX *new_client_ctx(run_ctx *r) {
    const th_corpus_config *cfg = r->cfg;
    const th_corpus_identity *id = &r->pki->ids[TH_CORPUS_ID_CLIENT_P256];
    SSL_CTX *ctx = SSL_CTX_new(TLS_method());
    if (ctx == NULL || !SSL_CTX_set_app_data(ctx, r) ||
        !set_versions(ctx, cfg->client_min_version, cfg->client_max_version) ||
        (cfg->client_groups && !SSL_CTX_set1_curves_list(ctx, cfg->client_groups)) ||
        ((cfg->flags & TH_CC_CLIENT_AUTH) &&
         (!SSL_CTX_use_certificate(ctx, id->cert) || !SSL_CTX_use_PrivateKey(ctx, id->key))) ||
        (cfg->server_id == TH_CORPUS_ID_ED25519 &&
         !SSL_CTX_set_verify_algorithm_prefs(ctx, kVerifyWithEd25519,
                                             sizeof(kVerifyWithEd25519) /
                                                 sizeof(kVerifyWithEd25519[0]))) ||
        ((cfg->flags & TH_CC_SMALL_RECORDS) &&
         !SSL_CTX_set_max_send_fragment(ctx, SMALL_FRAGMENT))) {
        SSL_CTX_free(ctx);
        return NULL;
    }
    SSL_CTX_set_msg_callback(ctx, msg_cb);
    SSL_CTX_set_msg_callback_arg(ctx, r);
    SSL_CTX_set_custom_verify(ctx, SSL_VERIFY_PEER, accept_any_cert);
    SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL);
    SSL_CTX_sess_set_new_cb(ctx, new_session_cb);
    if (cfg->flags & TH_CC_OCSP) {
        SSL_CTX_enable_ocsp_stapling(ctx);
    }
    if (cfg->flags & TH_CC_SCT) {
        SSL_CTX_enable_signed_cert_timestamps(ctx);
    }
    if (cfg->flags & TH_CC_GREASE) {
        SSL_CTX_set_grease_enabled(ctx, 1);
    }
    if (cfg->flags & TH_CC_PERMUTE) {
        SSL_CTX_set_permute_extensions(ctx, 1);
    }
    if (cfg->flags & TH_CC_EARLY_DATA) {
        SSL_CTX_set_early_data_enabled(ctx, 1);
    }
    if (cfg->flags & TH_CC_NO_TICKETS) {
        SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET);
    }
    return ctx;
}

/* Moves every byte each side wrote to the other side, recording it. 0 only on
 * an internal error. */
static int pump(link *l) {
    uint8_t buf[4096];
    for (int from = 0; from < 2; from++) {
        BIO *src = l->ext[from], *dst = l->ext[1 - from];
        for (;;) {
            size_t n = BIO_ctrl_pending(src);
            size_t room = BIO_ctrl_get_write_guarantee(dst);
            if (n > room) {
                n = room;
            }
            if (n > sizeof(buf)) {
                n = sizeof(buf);
            }
            if (n == 0) {
                break;
            }
            int got = BIO_read(src, buf, (int)n);
            if (got <= 0 || !CBB_add_bytes(&l->wire[from], buf, (size_t)got) ||
                BIO_write(dst, buf, got) != got) {
                return 0;
            }
        }
    }
    return 1;
}

/* 1 while |ret| from an SSL call only means "call again later". */
static int retryable(SSL *ssl, int ret) {
    int e = SSL_get_error(ssl, ret);
    return e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE;
}

static int write_app(run_ctx *r, link *l, int side, const char *text) {
    size_t len = strlen(text);
    int ret = SSL_write(l->ssl[side], text, (int)len);
    if (ret != (int)len) {
        l->failed[side] = !retryable(l->ssl[side], ret);
        return 0;
    }
    append_msg(r, (uint8_t)side, SSL3_RT_APPLICATION_DATA, text, len);
    return 1;
}

/* Reads whatever application data |side| has; 0 when the side failed. */
static int drain(link *l, int side) {
    uint8_t buf[1024];
    for (;;) {
        int ret = SSL_read(l->ssl[side], buf, sizeof(buf));
        if (ret > 0) {
            continue;
        }
        if (ret == 0 || retryable(l->ssl[side], ret)) {
            return 1; /* close_notify or nothing more yet */
        }
        l->failed[side] = 1;
        return 0;
    }
}

/* Drives both handshakes until they complete or one side fails. The client
 * writes its early data as soon as it is allowed to; the server reads it. */
static void handshake(run_ctx *r, link *l, int send_early) {
    int early_written = 0;
    for (int round = 0; round < MAX_ROUNDS; round++) {
        for (int side = 0; side < 2; side++) {
            SSL *ssl = l->ssl[side];
            if (l->failed[side] || !SSL_in_init(ssl)) {
                continue;
            }
            if (SSL_in_early_data(ssl)) {
                if (side == TH_BSSL_CLIENT && send_early && !early_written) {
                    early_written = write_app(r, l, side, kEarlyData);
                } else if (side == TH_BSSL_SERVER && !drain(l, side)) {
                    continue;
                }
            }
            int ret = SSL_do_handshake(ssl);
            if (ret != 1 && !retryable(ssl, ret)) {
                l->failed[side] = 1;
            }
        }
        if (!pump(l)) {
            r->oom = 1;
            return;
        }
        if (l->failed[0] || l->failed[1]) {
            /* Let the other side read the alert, then stop. */
            for (int side = 0; side < 2; side++) {
                if (!l->failed[side]) {
                    if (SSL_in_init(l->ssl[side])) {
                        int ret = SSL_do_handshake(l->ssl[side]);
                        l->failed[side] = ret != 1 && !retryable(l->ssl[side], ret);
                    } else {
                        drain(l, side);
                    }
                }
            }
            if (!pump(l)) {
                r->oom = 1;
            }
            return;
        }
        if (!SSL_in_init(l->ssl[0]) && !SSL_in_init(l->ssl[1])) {
            return;
        }
    }
}

/* After the handshake: a request and a response (the client reads the
 * server's tickets here), the KeyUpdates, and close_notify from both sides. */
static int after_handshake(run_ctx *r, link *l) {
    int ok = write_app(r, l, TH_BSSL_CLIENT, kRequest) && pump(l) && drain(l, TH_BSSL_SERVER) &&
             write_app(r, l, TH_BSSL_SERVER, kResponse) && pump(l) && drain(l, TH_BSSL_CLIENT);
    if (ok && (r->cfg->flags & TH_CC_KEY_UPDATE)) {
        ok = SSL_key_update(l->ssl[TH_BSSL_CLIENT], SSL_KEY_UPDATE_REQUESTED) &&
             write_app(r, l, TH_BSSL_CLIENT, kAfterKeyUpdate) && pump(l) &&
             drain(l, TH_BSSL_SERVER) && write_app(r, l, TH_BSSL_SERVER, kAfterKeyUpdate) &&
             pump(l) && drain(l, TH_BSSL_CLIENT);
    }
    /* SSL_shutdown returns 0 after sending close_notify when the peer's has
     * not arrived yet, 1 once both have. */
    ok = ok && SSL_shutdown(l->ssl[TH_BSSL_CLIENT]) >= 0 && pump(l) && drain(l, TH_BSSL_SERVER) &&
         SSL_shutdown(l->ssl[TH_BSSL_SERVER]) >= 0 && pump(l) &&
         SSL_shutdown(l->ssl[TH_BSSL_CLIENT]) == 1;
    return ok;
}

static int new_side(SSL_CTX *ctx, int server, SSL **out_ssl, BIO **out_ext) {
    BIO *internal = NULL;
    SSL *ssl = SSL_new(ctx);
    if (ssl == NULL || !BIO_new_bio_pair(&internal, PIPE_SIZE, out_ext, PIPE_SIZE)) {
        SSL_free(ssl);
        return 0;
    }
    SSL_set_bio(ssl, internal, internal);
    if (server) {
        SSL_set_accept_state(ssl);
    } else {
        SSL_set_connect_state(ssl);
    }
    *out_ssl = ssl;
    return 1;
}

/* Copies the recorded bytes into a malloc'd buffer (what the struct owns). */
static int finish_wire(CBB *cbb, uint8_t **out, size_t *out_len) {
    size_t len = CBB_len(cbb);
    *out = malloc(len ? len : 1);
    if (*out == NULL) {
        return 0;
    }
    memcpy(*out, CBB_data(cbb), len);
    *out_len = len;
    return 1;
}

/* Runs one connection into |conn|; |resume| is the session to offer or NULL. */
static int run_conn(run_ctx *r, SSL_CTX *cctx, SSL_CTX *sctx, SSL_SESSION *resume,
                    th_bssl_conn *conn) {
    const th_corpus_config *cfg = r->cfg;
    link l;
    int ok = 0;
    memset(&l, 0, sizeof(l));
    CBB_zero(&l.wire[0]);
    CBB_zero(&l.wire[1]);
    r->cur = conn;
    if (!CBB_init(&l.wire[0], 4096) || !CBB_init(&l.wire[1], 4096) ||
        !new_side(cctx, 0, &l.ssl[TH_BSSL_CLIENT], &l.ext[TH_BSSL_CLIENT]) ||
        !new_side(sctx, 1, &l.ssl[TH_BSSL_SERVER], &l.ext[TH_BSSL_SERVER])) {
        report(r, "cannot create the connection");
        goto err;
    }
    SSL *client = l.ssl[TH_BSSL_CLIENT];
    if (((cfg->flags & TH_CC_SNI) && !SSL_set_tlsext_host_name(client, "localhost")) ||
        ((cfg->flags & TH_CC_ALPN) &&
         SSL_set_alpn_protos(client, kClientAlpn, sizeof(kClientAlpn)) != 0) ||
        (resume != NULL && !SSL_set_session(client, resume))) {
        report(r, "cannot configure the client");
        goto err;
    }
    handshake(r, &l, resume != NULL && (cfg->flags & TH_CC_EARLY_DATA));
    int established =
        !l.failed[0] && !l.failed[1] && !SSL_in_init(client) && !SSL_in_init(l.ssl[TH_BSSL_SERVER]);
    const SSL_CIPHER *cipher = SSL_get_current_cipher(client);
    if (cipher != NULL) {
        conn->version = (uint16_t)SSL_version(client);
        conn->cipher_suite = SSL_CIPHER_get_protocol_id(cipher);
    }
    if (established) {
        conn->resumed = SSL_session_reused(client);
        conn->early_data_accepted = SSL_early_data_accepted(client);
        if (!after_handshake(r, &l)) {
            report(r, "application data, KeyUpdate or close_notify failed");
            goto err;
        }
    }
    conn->established = established;
    if (!finish_wire(&l.wire[0], &conn->wire[0], &conn->wire_len[0]) ||
        !finish_wire(&l.wire[1], &conn->wire[1], &conn->wire_len[1]) || r->oom) {
        report(r, "out of memory");
        goto err;
    }
    ok = 1;
err:
    r->cur = NULL;
    CBB_cleanup(&l.wire[0]);
    CBB_cleanup(&l.wire[1]);
    for (int side = 0; side < 2; side++) {
        SSL_free(l.ssl[side]);
        BIO_free(l.ext[side]);
    }
    return ok;
}

static void conn_cleanup(th_bssl_conn *c) {
    for (size_t i = 0; i < c->num_msgs; i++) {
        free(c->msgs[i].data);
    }
    free(c->msgs);
    free(c->wire[0]);
    free(c->wire[1]);
    memset(c, 0, sizeof(*c));
}

/* Checks that a finished connection did what its row asked for. */
static int conn_as_meant(run_ctx *r, const th_bssl_conn *c, int second) {
    const th_corpus_config *cfg = r->cfg;
    if (cfg->flags & TH_CC_EXPECT_FAILURE) {
        if (c->established) {
            report(r, "the handshake was meant to fail but completed");
            return 0;
        }
        return 1;
    }
    if (!c->established) {
        report(r, "the handshake failed");
        return 0;
    }
    if (second && !c->resumed) {
        report(r, "the second connection did not resume");
        return 0;
    }
    if (second && (cfg->flags & TH_CC_EARLY_DATA) && !c->early_data_accepted) {
        report(r, "the server did not accept early data");
        return 0;
    }
    return 1;
}

int th_bssl_record(const th_corpus_config *cfg, const th_corpus_pki *pki, th_bssl_recording *out,
                   FILE *err) {
    run_ctx r;
    memset(&r, 0, sizeof(r));
    memset(out, 0, sizeof(*out));
    r.cfg = cfg;
    r.pki = pki;
    r.err = err;
    ERR_clear_error();
    size_t num_conns = (cfg->flags & TH_CC_RESUME) ? 2 : 1;
    SSL_CTX *cctx = new_client_ctx(&r), *sctx = new_server_ctx(&r);
    out->conns = calloc(num_conns, sizeof(*out->conns));
    if (cctx == NULL || sctx == NULL || out->conns == NULL) {
        report(&r, "cannot configure BoringSSL");
        goto err;
    }
    out->num_conns = num_conns;
    for (size_t i = 0; i < num_conns; i++) {
        if (i == 1 && r.session == NULL) {
            report(&r, "the first connection gave the client no session to resume");
            goto err;
        }
        if (!run_conn(&r, cctx, sctx, i == 1 ? r.session : NULL, &out->conns[i]) ||
            !conn_as_meant(&r, &out->conns[i], i == 1)) {
            goto err;
        }
    }
    SSL_SESSION_free(r.session);
    SSL_CTX_free(cctx);
    SSL_CTX_free(sctx);
    return 1;
err:
    SSL_SESSION_free(r.session);
    SSL_CTX_free(cctx);
    SSL_CTX_free(sctx);
    th_bssl_recording_cleanup(out);
    return 0;
}

void th_bssl_recording_cleanup(th_bssl_recording *rec) {
    if (rec == NULL) {
        return;
    }
    for (size_t i = 0; i < rec->num_conns; i++) {
        conn_cleanup(&rec->conns[i]);
    }
    free(rec->conns);
    memset(rec, 0, sizeof(*rec));
}

int th_bssl_has_aes_hw(void) {
    return EVP_has_aes_hardware();
}

const char *th_bssl_no_aes_hw_env(void) {
#if defined(OPENSSL_X86_64) || defined(OPENSSL_X86)
    /* BoringSSL reads OPENSSL_ia32cap once at start-up: "~" clears the bits,
     * here CPUID.1:ECX bit 25 (AES-NI), bit 57 of the 64-bit word. */
    return "OPENSSL_ia32cap=~0x0200000000000000";
#else
    return NULL;
#endif
}

/* Serialised form: u32 number of connections; each: u16 version, u16 suite,
 * u8 established, u8 resumed, u8 early_data_accepted, u32-length wire of the
 * client then the server, u32 number of messages; each: u8 from, u8 type,
 * u32-length data. */
static int add_u32_bytes(CBB *out, const uint8_t *data, size_t len) {
    return len <= UINT32_MAX && CBB_add_u32(out, (uint32_t)len) && CBB_add_bytes(out, data, len);
}

int th_bssl_recording_serialize(CBB *out, const th_bssl_recording *rec) {
    if (!CBB_add_u32(out, (uint32_t)rec->num_conns)) {
        return 0;
    }
    for (size_t i = 0; i < rec->num_conns; i++) {
        const th_bssl_conn *c = &rec->conns[i];
        if (!CBB_add_u16(out, c->version) || !CBB_add_u16(out, c->cipher_suite) ||
            !CBB_add_u8(out, (uint8_t)c->established) || !CBB_add_u8(out, (uint8_t)c->resumed) ||
            !CBB_add_u8(out, (uint8_t)c->early_data_accepted) ||
            !add_u32_bytes(out, c->wire[0], c->wire_len[0]) ||
            !add_u32_bytes(out, c->wire[1], c->wire_len[1]) ||
            !CBB_add_u32(out, (uint32_t)c->num_msgs)) {
            return 0;
        }
        for (size_t j = 0; j < c->num_msgs; j++) {
            const th_bssl_msg *m = &c->msgs[j];
            if (!CBB_add_u8(out, m->from) || !CBB_add_u8(out, m->content_type) ||
                !add_u32_bytes(out, m->data, m->len)) {
                return 0;
            }
        }
    }
    return 1;
}

static int get_u32_bytes(CBS *in, uint8_t **out, size_t *out_len) {
    uint32_t len;
    CBS bytes;
    if (!CBS_get_u32(in, &len) || !CBS_get_bytes(in, &bytes, len)) {
        return 0;
    }
    *out = malloc(len ? len : 1);
    if (*out == NULL) {
        return 0;
    }
    memcpy(*out, CBS_data(&bytes), len);
    *out_len = len;
    return 1;
}

static int parse_conn(CBS *in, th_bssl_conn *c) {
    uint8_t established, resumed, early;
    uint32_t num_msgs;
    if (!CBS_get_u16(in, &c->version) || !CBS_get_u16(in, &c->cipher_suite) ||
        !CBS_get_u8(in, &established) || !CBS_get_u8(in, &resumed) || !CBS_get_u8(in, &early) ||
        !get_u32_bytes(in, &c->wire[0], &c->wire_len[0]) ||
        !get_u32_bytes(in, &c->wire[1], &c->wire_len[1]) || !CBS_get_u32(in, &num_msgs)) {
        return 0;
    }
    c->established = established;
    c->resumed = resumed;
    c->early_data_accepted = early;
    for (uint32_t j = 0; j < num_msgs; j++) {
        th_bssl_msg m;
        th_bssl_msg *grown;
        if (!CBS_get_u8(in, &m.from) || !CBS_get_u8(in, &m.content_type) || m.from > 1 ||
            !get_u32_bytes(in, &m.data, &m.len)) {
            return 0;
        }
        grown = th_array_grow(c->msgs, c->num_msgs, sizeof(*c->msgs));
        if (grown == NULL) {
            free(m.data);
            return 0;
        }
        c->msgs = grown;
        c->msgs[c->num_msgs++] = m;
    }
    return 1;
}

int th_bssl_recording_parse(CBS *in, th_bssl_recording *out) {
    uint32_t num_conns;
    memset(out, 0, sizeof(*out));
    /* Each connection takes at least 19 bytes, which bounds the allocation. */
    if (!CBS_get_u32(in, &num_conns) || num_conns > CBS_len(in) / 19 + 1) {
        return 0;
    }
    out->conns = calloc(num_conns ? num_conns : 1, sizeof(*out->conns));
    if (out->conns == NULL) {
        return 0;
    }
    out->num_conns = num_conns;
    for (uint32_t i = 0; i < num_conns; i++) {
        if (!parse_conn(in, &out->conns[i])) {
            th_bssl_recording_cleanup(out);
            return 0;
        }
    }
    if (CBS_len(in) != 0) {
        th_bssl_recording_cleanup(out);
        return 0;
    }
    return 1;
}
