/* The TLS 1.3 client handshake (RFC 8446 §2, §4) as a table of (state,
 * message type) → handler; conn.c answers anything else with
 * unexpected_message. */
#include <stdlib.h>
#include <string.h>

#include <openssl/mem.h>

#include "certificate_request.h"
#include "conn_internal.h"
#include "encrypted_extensions.h"
#include "ext_types.h"
#include "new_session_ticket.h"
#include "server_hello.h"

enum {
    CL_WAIT_SH = 1,   /* ClientHello sent */
    CL_WAIT_SH2,      /* second ClientHello sent after a HelloRetryRequest */
    CL_WAIT_EE,       /* handshake keys installed */
    CL_WAIT_CERT_CR,  /* CertificateRequest or Certificate */
    CL_WAIT_CERT,     /* Certificate after a CertificateRequest */
    CL_WAIT_CV,       /* CertificateVerify */
    CL_WAIT_FINISHED, /* server Finished */
    CL_DONE,          /* established: post-handshake messages */
};

/* 1 if |name| is an IP literal, which RFC 6066 §3 keeps out of server_name:
 * "Literal IPv4 and IPv6 addresses are not permitted in "HostName"." */
static int is_ip_literal(const char *name) {
    if (strchr(name, ':') != NULL) {
        return 1;
    }
    for (const char *p = name; *p != '\0'; p++) {
        if ((*p < '0' || *p > '9') && *p != '.') {
            return 0;
        }
    }
    return 1;
}

/* Opens one extension of |type| in |exts| and remembers that we sent it. */
static int add_ext(th_conn *c, CBB *exts, uint16_t type, CBB *out_body) {
    th_u16_set_add(c->sent_exts, type);
    return CBB_add_u16(exts, type) && CBB_add_u16_length_prefixed(exts, out_body);
}

/* 1 if our ClientHello carried an extension of |type|. */
static int ext_sent(const th_conn *c, uint16_t type) {
    return (c->sent_exts->bits[type >> 3] >> (type & 7)) & 1;
}

/* Writes our ClientHello body: the first, or the second after a
 * HelloRetryRequest (then c->kex is in the selected group and c->cookie is
 * echoed, RFC 8446 §4.1.2). */
static int write_client_hello(th_conn *c, CBB *body) {
    size_t num_suites, num_groups, num_schemes;
    const uint16_t *suites = th_conn_suites(c, &num_suites);
    const uint16_t *groups = th_conn_groups(c, &num_groups);
    const uint16_t *schemes = th_conn_sig_schemes(c, &num_schemes);
    CBB sid, comp, exts, ext;
    if (!CBB_add_u16(body, TH_VERSION_TLS12) ||
        !CBB_add_bytes(body, c->client_random, sizeof(c->client_random)) ||
        !CBB_add_u8_length_prefixed(body, &sid) ||
        !CBB_add_bytes(&sid, c->session_id, c->session_id_len) ||
        !th_write_u16_list(body, 2, suites, num_suites) ||
        !CBB_add_u8_length_prefixed(body, &comp) || !CBB_add_u8(&comp, 0) ||
        !CBB_add_u16_length_prefixed(body, &exts)) {
        return 0;
    }
    if (c->cfg.server_name != NULL && !is_ip_literal(c->cfg.server_name)) {
        th_server_name name = {TH_SNI_HOST_NAME,
                               {(const uint8_t *)c->cfg.server_name, strlen(c->cfg.server_name)}};
        th_ext_server_name_ch sni = {&name, 1};
        if (!add_ext(c, &exts, TH_EXT_SERVER_NAME, &ext) ||
            !th_write_ext_server_name_ch(&ext, &sni)) {
            return 0;
        }
    }
    /* RFC 8446 §4.2.1: a TLS 1.3 ClientHello "MUST contain" supported_versions. */
    uint16_t version = TH_VERSION_TLS13;
    th_ext_supported_versions_ch sv = {&version, 1};
    th_ext_supported_groups sg = {(uint16_t *)groups, num_groups};
    th_key_share_entry share = {c->kex.group, {c->kex.public_key, c->kex.public_key_len}};
    th_ext_key_share_ch ks = {&share, 1};
    th_ext_signature_algorithms sa = {(uint16_t *)schemes, num_schemes};
    if (!add_ext(c, &exts, TH_EXT_SUPPORTED_VERSIONS, &ext) ||
        !th_write_ext_supported_versions_ch(&ext, &sv) ||
        !add_ext(c, &exts, TH_EXT_SUPPORTED_GROUPS, &ext) ||
        !th_write_ext_supported_groups(&ext, &sg) || !add_ext(c, &exts, TH_EXT_KEY_SHARE, &ext) ||
        !th_write_ext_key_share_ch(&ext, &ks) ||
        !add_ext(c, &exts, TH_EXT_SIGNATURE_ALGORITHMS, &ext) ||
        !th_write_ext_signature_algorithms(&ext, &sa)) {
        return 0;
    }
    if (c->cfg.num_alpn != 0) {
        CBB list, name;
        if (!add_ext(c, &exts, TH_EXT_ALPN, &ext) || !CBB_add_u16_length_prefixed(&ext, &list)) {
            return 0;
        }
        for (size_t i = 0; i < c->cfg.num_alpn; i++) {
            if (!CBB_add_u8_length_prefixed(&list, &name) ||
                !CBB_add_bytes(&name, (const uint8_t *)c->cfg.alpn[i], strlen(c->cfg.alpn[i]))) {
                return 0;
            }
        }
    }
    if (c->cookie != NULL) {
        th_ext_cookie cookie = {{c->cookie, c->cookie_len}};
        if (!add_ext(c, &exts, TH_EXT_COOKIE, &ext) || !th_write_ext_cookie(&ext, &cookie)) {
            return 0;
        }
    }
    return CBB_flush(body);
}

/* Builds a ClientHello message into |*out_msg| (OPENSSL_free it). */
static int build_client_hello(th_conn *c, uint8_t **out_msg, size_t *out_len) {
    CBB cbb, body;
    if (!th_conn_begin_message(&cbb, &body, TH_HS_CLIENT_HELLO)) {
        return 0;
    }
    if (!write_client_hello(c, &body) || !CBB_finish(&cbb, out_msg, out_len)) {
        CBB_cleanup(&cbb);
        return 0;
    }
    return 1;
}

int th_hs13_client_start(th_conn *c) {
    size_t num_groups;
    const uint16_t *groups = th_conn_groups(c, &num_groups);
    if (!th_kex_group_supported(groups[0])) {
        return 0;
    }
    c->sent_exts = calloc(1, sizeof(*c->sent_exts));
    if (c->sent_exts == NULL) {
        return 0;
    }
    th_conn_random(c, c->client_random, sizeof(c->client_random));
    if (!th_kex_generate(&c->kex, groups[0], th_conn_random_cb, c)) {
        return 0;
    }
    if (!build_client_hello(c, &c->ch1, &c->ch1_len)) {
        return 0;
    }
    /* The transcript hash is unknown until the server picks the suite, so
     * ClientHello1 waits in c->ch1. */
    c->ccs_allowed = 1;
    c->hs_state = CL_WAIT_SH;
    return th_conn_write_records(c, TH_CT_HANDSHAKE, c->ch1, c->ch1_len, 0);
}

static int suite_offered(th_conn *c, uint16_t suite) {
    size_t n;
    const uint16_t *suites = th_conn_suites(c, &n);
    for (size_t i = 0; i < n; i++) {
        if (suites[i] == suite) {
            return 1;
        }
    }
    return 0;
}

static int group_offered(th_conn *c, uint16_t group) {
    size_t n;
    const uint16_t *groups = th_conn_groups(c, &n);
    for (size_t i = 0; i < n; i++) {
        if (groups[i] == group) {
            return 1;
        }
    }
    return 0;
}

/* Starts the transcript with the suite's hash and ClientHello1. */
static int start_transcript(th_conn *c, uint16_t suite) {
    c->md = th_suite_hash(suite);
    if (c->md == NULL || !th_transcript_init(&c->transcript, c->md) ||
        !th_transcript_update(&c->transcript, c->ch1, c->ch1_len)) {
        return 0;
    }
    c->transcript_ready = 1;
    return 1;
}

/* The HelloRetryRequest (RFC 8446 §4.1.4). */
static int handle_hrr(th_conn *c, const th_server_hello *sh, const uint8_t *msg, size_t msg_len,
                      uint8_t *out_alert) {
    CBS body;
    if (c->hs_state == CL_WAIT_SH2) {
        /* RFC 8446 §4.1.4: "If a client receives a second HelloRetryRequest
         * in the same connection ... it MUST abort the handshake with an
         * "unexpected_message" alert." */
        *out_alert = TH_ALERT_UNEXPECTED_MESSAGE;
        return 0;
    }
    const th_ext *ks = th_ext_block_find(&sh->extensions, TH_EXT_KEY_SHARE);
    const th_ext *cookie = th_ext_block_find(&sh->extensions, TH_EXT_COOKIE);
    /* RFC 8446 §4.1.4: "Clients MUST abort the handshake with an
     * "illegal_parameter" alert if the HelloRetryRequest would not result in
     * any change in the ClientHello." */
    if (ks == NULL && cookie == NULL) {
        *out_alert = TH_ALERT_ILLEGAL_PARAMETER;
        return 0;
    }
    uint16_t group = c->kex.group;
    if (ks != NULL) {
        th_ext_key_share_hrr hrr;
        CBS_init(&body, ks->body.data, ks->body.len);
        if (!th_parse_ext_key_share_hrr(&body, &hrr, out_alert)) {
            return 0;
        }
        /* RFC 8446 §4.2.8: "Upon receipt of this extension in a
         * HelloRetryRequest, the client MUST verify that (1) the
         * selected_group field corresponds to a group which was provided in
         * the "supported_groups" extension in the original ClientHello and
         * (2) the selected_group field does not correspond to a group which
         * was provided in the "key_share" extension in the original
         * ClientHello. If either of these checks fails, then the client MUST
         * abort the handshake with an "illegal_parameter" alert." */
        if (!group_offered(c, hrr.selected_group) || hrr.selected_group == c->kex.group ||
            !th_kex_group_supported(hrr.selected_group)) {
            *out_alert = TH_ALERT_ILLEGAL_PARAMETER;
            return 0;
        }
        group = hrr.selected_group;
    }
    if (cookie != NULL) {
        th_ext_cookie ck;
        CBS_init(&body, cookie->body.data, cookie->body.len);
        if (!th_parse_ext_cookie(&body, &ck, out_alert)) {
            return 0;
        }
        c->cookie = malloc(ck.cookie.len);
        if (c->cookie == NULL) {
            *out_alert = TH_ALERT_INTERNAL_ERROR;
            return 0;
        }
        memcpy(c->cookie, ck.cookie.data, ck.cookie.len);
        c->cookie_len = ck.cookie.len;
    }
    *out_alert = TH_ALERT_INTERNAL_ERROR;
    /* RFC 8446 §4.4.1: ClientHello1 is replaced by message_hash. */
    if (!start_transcript(c, sh->cipher_suite) || !th_transcript_hrr_rewrite(&c->transcript) ||
        !th_transcript_update(&c->transcript, msg, msg_len)) {
        return 0;
    }
    th_kex_cleanup(&c->kex);
    if (!th_kex_generate(&c->kex, group, th_conn_random_cb, c)) {
        return 0;
    }
    uint8_t *ch2 = NULL;
    size_t ch2_len = 0;
    if (!build_client_hello(c, &ch2, &ch2_len)) {
        return 0;
    }
    int ok = th_conn_send_handshake(c, ch2, ch2_len);
    OPENSSL_free(ch2);
    c->hrr_suite = sh->cipher_suite;
    c->hello_retry = 1;
    c->hs_state = CL_WAIT_SH2;
    return ok;
}

static int client_server_hello(th_conn *c, const th_handshake *hs, const uint8_t *msg,
                               size_t msg_len, uint8_t *out_alert) {
    CBS cbs, body;
    th_server_hello sh;
    int ok = 0;
    CBS_init(&cbs, hs->body.data, hs->body.len);
    if (!th_parse_server_hello(&cbs, &sh, out_alert)) {
        return 0;
    }
    const th_ext *sv_ext = th_ext_block_find(&sh.extensions, TH_EXT_SUPPORTED_VERSIONS);
    if (sv_ext == NULL) {
        /* The server chose TLS 1.2 or below, which we did not offer. RFC
         * 8446 §4.1.3: a TLS 1.3 client that finds the downgrade sentinel
         * "MUST abort the handshake with an "illegal_parameter" alert". */
        *out_alert = th_server_hello_downgrade_sentinel(&sh) != TH_DOWNGRADE_NONE
                         ? TH_ALERT_ILLEGAL_PARAMETER
                         : TH_ALERT_PROTOCOL_VERSION;
        goto err;
    }
    th_ext_supported_versions_sh sv;
    CBS_init(&body, sv_ext->body.data, sv_ext->body.len);
    if (!th_parse_ext_supported_versions_sh(&body, &sv, out_alert)) {
        goto err;
    }
    *out_alert = TH_ALERT_ILLEGAL_PARAMETER;
    /* RFC 8446 §4.2.1: "If the "supported_versions" extension in the
     * ServerHello contains a version not offered by the client ..., the
     * client MUST abort the handshake with an "illegal_parameter" alert." */
    if (sv.selected_version != TH_VERSION_TLS13) {
        goto err;
    }
    /* RFC 8446 §4.1.3: "A client which receives a legacy_session_id_echo
     * field that does not match what it sent in the ClientHello MUST abort
     * the handshake with an "illegal_parameter" alert." */
    if (sh.legacy_session_id_echo.len != c->session_id_len ||
        CRYPTO_memcmp(sh.legacy_session_id_echo.data, c->session_id, c->session_id_len) != 0) {
        goto err;
    }
    /* RFC 8446 §4.1.3: "A client which receives a cipher suite that was not
     * offered MUST abort the handshake with an "illegal_parameter" alert." */
    if (!suite_offered(c, sh.cipher_suite) || th_suite_hash(sh.cipher_suite) == NULL) {
        goto err;
    }
    int is_hrr = th_server_hello_is_hrr(&sh);
    for (size_t i = 0; i < sh.extensions.num_exts; i++) {
        uint16_t type = sh.extensions.exts[i].type;
        /* RFC 8446 §4.2: responses only to what we sent, "with the
         * exception of the "cookie" extension in the HelloRetryRequest",
         * else "unsupported_extension". */
        if (is_hrr && type == TH_EXT_COOKIE) {
            continue;
        }
        if (!ext_sent(c, type)) {
            *out_alert = TH_ALERT_UNSUPPORTED_EXTENSION;
            goto err;
        }
    }
    if (is_hrr) {
        ok = handle_hrr(c, &sh, msg, msg_len, out_alert);
        goto err;
    }
    /* RFC 8446 §4.1.4: the ServerHello's cipher suite must be the
     * HelloRetryRequest's ("illegal_parameter" otherwise). */
    if (c->hello_retry && sh.cipher_suite != c->hrr_suite) {
        goto err;
    }
    const th_ext *ks_ext = th_ext_block_find(&sh.extensions, TH_EXT_KEY_SHARE);
    if (ks_ext == NULL) {
        /* Without PSK a key share is the only key exchange (RFC 8446 §9.2). */
        *out_alert = TH_ALERT_MISSING_EXTENSION;
        goto err;
    }
    th_ext_key_share_sh ks;
    CBS_init(&body, ks_ext->body.data, ks_ext->body.len);
    if (!th_parse_ext_key_share_sh(&body, &ks, out_alert)) {
        goto err;
    }
    /* RFC 8446 §4.2.8: "If using (EC)DHE key establishment and a
     * HelloRetryRequest containing a "key_share" extension was received by
     * the client, the client MUST verify that the selected NamedGroup in the
     * ServerHello is the same as that in the HelloRetryRequest", and the
     * group must be one the client sent a share for: illegal_parameter. */
    if (ks.share.group != c->kex.group) {
        *out_alert = TH_ALERT_ILLEGAL_PARAMETER;
        goto err;
    }
    uint8_t ecdhe[TH_KEX_MAX_SECRET];
    size_t ecdhe_len;
    if (!th_kex_compute(&c->kex, ks.share.key_exchange.data, ks.share.key_exchange.len, ecdhe,
                        &ecdhe_len, out_alert)) {
        goto err;
    }
    *out_alert = TH_ALERT_INTERNAL_ERROR;
    c->suite = sh.cipher_suite;
    c->version = TH_VERSION_TLS13;
    c->group = c->kex.group;
    ok = (c->transcript_ready || start_transcript(c, sh.cipher_suite)) &&
         th_transcript_update(&c->transcript, msg, msg_len) &&
         th_conn_handshake_keys(c, ecdhe, ecdhe_len);
    OPENSSL_cleanse(ecdhe, sizeof(ecdhe));
    th_kex_cleanup(&c->kex);
    c->hs_state = CL_WAIT_EE;
err:
    th_server_hello_cleanup(&sh);
    return ok;
}

static int client_encrypted_extensions(th_conn *c, const th_handshake *hs, const uint8_t *msg,
                                       size_t msg_len, uint8_t *out_alert) {
    CBS cbs;
    th_encrypted_extensions ee;
    int ok = 0;
    CBS_init(&cbs, hs->body.data, hs->body.len);
    if (!th_parse_encrypted_extensions(&cbs, &ee, out_alert)) {
        return 0;
    }
    for (size_t i = 0; i < ee.extensions.num_exts; i++) {
        const th_ext *ext = &ee.extensions.exts[i];
        /* RFC 8446 §4.2: "Implementations MUST NOT send extension responses
         * if the remote endpoint did not send the corresponding extension
         * requests ... Upon receiving such an extension, an endpoint MUST
         * abort the handshake with an "unsupported_extension" alert." */
        if (!ext_sent(c, ext->type)) {
            *out_alert = TH_ALERT_UNSUPPORTED_EXTENSION;
            goto err;
        }
        if (ext->type == TH_EXT_ALPN) {
            th_ext_alpn_sh alpn;
            CBS body;
            CBS_init(&body, ext->body.data, ext->body.len);
            if (!th_parse_ext_alpn_sh(&body, &alpn, out_alert)) {
                goto err;
            }
            /* RFC 7301 §3.1: the server's choice must be one the client
             * offered; BoringSSL answers illegal_parameter. */
            int found = 0;
            for (size_t j = 0; j < c->cfg.num_alpn && !found; j++) {
                found = strlen(c->cfg.alpn[j]) == alpn.protocol.len &&
                        memcmp(c->cfg.alpn[j], alpn.protocol.data, alpn.protocol.len) == 0;
            }
            if (!found || alpn.protocol.len > TH_ALPN_MAX) {
                *out_alert = TH_ALERT_ILLEGAL_PARAMETER;
                goto err;
            }
            memcpy(c->alpn, alpn.protocol.data, alpn.protocol.len);
            c->alpn_len = alpn.protocol.len;
        }
    }
    *out_alert = TH_ALERT_INTERNAL_ERROR;
    ok = th_transcript_update(&c->transcript, msg, msg_len);
    c->hs_state = CL_WAIT_CERT_CR;
err:
    th_encrypted_extensions_cleanup(&ee);
    return ok;
}

static int client_certificate_request(th_conn *c, const th_handshake *hs, const uint8_t *msg,
                                      size_t msg_len, uint8_t *out_alert) {
    CBS cbs, body;
    th_certificate_request cr;
    th_ext_signature_algorithms sa = {NULL, 0};
    int ok = 0;
    CBS_init(&cbs, hs->body.data, hs->body.len);
    if (!th_parse_certificate_request(&cbs, &cr, out_alert)) {
        return 0;
    }
    /* RFC 8446 §4.3.2: the context "SHALL be zero length unless used for the
     * post-handshake authentication exchanges". */
    if (cr.certificate_request_context.len != 0) {
        *out_alert = TH_ALERT_ILLEGAL_PARAMETER;
        goto err;
    }
    const th_ext *ext = th_ext_block_find(&cr.extensions, TH_EXT_SIGNATURE_ALGORITHMS);
    if (ext == NULL) {
        *out_alert = TH_ALERT_MISSING_EXTENSION;
        goto err;
    }
    CBS_init(&body, ext->body.data, ext->body.len);
    if (!th_parse_ext_signature_algorithms(&body, &sa, out_alert)) {
        goto err;
    }
    free(c->cr_sig_algs);
    c->cr_sig_algs = sa.sig_algs;
    c->num_cr_sig_algs = sa.num_sig_algs;
    *out_alert = TH_ALERT_INTERNAL_ERROR;
    ok = th_transcript_update(&c->transcript, msg, msg_len);
    c->cert_requested = 1;
    c->hs_state = CL_WAIT_CERT;
err:
    th_certificate_request_cleanup(&cr);
    return ok;
}

static int client_certificate(th_conn *c, const th_handshake *hs, const uint8_t *msg,
                              size_t msg_len, uint8_t *out_alert) {
    int empty;
    if (!th_conn_recv_certificate(c, hs, msg, msg_len, NULL, 0, &empty, out_alert)) {
        return 0;
    }
    if (empty) {
        /* RFC 8446 §4.4.2.4: a server's empty Certificate is decode_error. */
        *out_alert = th_alert_empty_server_chain(TH_VERSION_TLS13);
        return 0;
    }
    c->hs_state = CL_WAIT_CV;
    return 1;
}

static int client_certificate_verify(th_conn *c, const th_handshake *hs, const uint8_t *msg,
                                     size_t msg_len, uint8_t *out_alert) {
    size_t n;
    const uint16_t *schemes = th_conn_sig_schemes(c, &n);
    if (!th_conn_recv_certificate_verify(c, hs, msg, msg_len, schemes, n, TH_CV_SERVER,
                                         out_alert)) {
        return 0;
    }
    c->hs_state = CL_WAIT_FINISHED;
    return 1;
}

/* Our signature scheme for a client CertificateVerify: the first of ours the
 * CertificateRequest lists and our key can make; 0 if none. */
static uint16_t client_sig_scheme(th_conn *c) {
    size_t n;
    const uint16_t *schemes = th_conn_sig_schemes(c, &n);
    for (size_t i = 0; i < n; i++) {
        for (size_t j = 0; j < c->num_cr_sig_algs; j++) {
            if (schemes[i] == c->cr_sig_algs[j] &&
                th_sig_scheme_allowed(schemes[i], c->cfg.cert_key->key, TH_VERSION_TLS13)) {
                return schemes[i];
            }
        }
    }
    return 0;
}

static int client_finished(th_conn *c, const th_handshake *hs, const uint8_t *msg, size_t msg_len,
                           uint8_t *out_alert) {
    if (!th_conn_check_finished(c, hs, msg, msg_len, &c->s_hs, out_alert)) {
        return 0;
    }
    *out_alert = TH_ALERT_INTERNAL_ERROR;
    if (!th_conn_application_secrets(c) || !th_rl_dir_set_key(&c->rd, c->suite, &c->s_ap)) {
        return 0;
    }
    c->read_key_changed = 1;
    if (c->cert_requested) {
        /* RFC 8446 §4.4.2: "If the server requests client authentication but
         * no suitable certificate is available, the client MUST send a
         * Certificate message containing no certificates." */
        uint16_t scheme = 0;
        if (c->cfg.cert_key != NULL && c->cfg.cert_key->num_chain != 0) {
            scheme = client_sig_scheme(c);
        }
        if (!th_conn_send_certificate(c, NULL, 0, scheme != 0, scheme, TH_CV_CLIENT)) {
            return 0;
        }
    }
    /* RFC 8446 §7.1: resumption_master_secret covers ClientHello..client
     * Finished. */
    if (!th_conn_send_finished(c, &c->c_hs) ||
        !th_conn_derive(c, &c->res_master, &c->master_secret, TH_TLS13_RES_MASTER) ||
        !th_conn_set_write_key(c, &c->c_ap)) {
        return 0;
    }
    th_conn_established(c);
    c->hs_state = CL_DONE;
    return 1;
}

static int client_new_session_ticket(th_conn *c, const th_handshake *hs, const uint8_t *msg,
                                     size_t msg_len, uint8_t *out_alert) {
    CBS cbs;
    th_new_session_ticket nst;
    CBS_init(&cbs, hs->body.data, hs->body.len);
    if (!th_parse_new_session_ticket(&cbs, &nst, out_alert)) {
        return 0;
    }
    /* Resumption is not implemented yet: a well-formed ticket is counted
     * and dropped. */
    th_new_session_ticket_cleanup(&nst);
    c->tickets_received++;
    return 1;
}

const th_hs_row th_hs13_client_table[] = {
    {CL_WAIT_SH, TH_HS_SERVER_HELLO, client_server_hello},
    {CL_WAIT_SH2, TH_HS_SERVER_HELLO, client_server_hello},
    {CL_WAIT_EE, TH_HS_ENCRYPTED_EXTENSIONS, client_encrypted_extensions},
    {CL_WAIT_CERT_CR, TH_HS_CERTIFICATE_REQUEST, client_certificate_request},
    {CL_WAIT_CERT_CR, TH_HS_CERTIFICATE, client_certificate},
    {CL_WAIT_CERT, TH_HS_CERTIFICATE, client_certificate},
    {CL_WAIT_CV, TH_HS_CERTIFICATE_VERIFY, client_certificate_verify},
    {CL_WAIT_FINISHED, TH_HS_FINISHED, client_finished},
    {CL_DONE, TH_HS_NEW_SESSION_TICKET, client_new_session_ticket},
    {CL_DONE, TH_HS_KEY_UPDATE, th_conn_recv_key_update},
};
const size_t th_hs13_client_table_len =
    sizeof(th_hs13_client_table) / sizeof(th_hs13_client_table[0]);
