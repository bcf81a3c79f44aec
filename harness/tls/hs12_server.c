/* The TLS 1.2 server handshake (RFC 5246 §7.3, §7.4; RFC 4492/8422 ECDHE,
 * RFC 5077 tickets, RFC 5746 renegotiation_info, RFC 7627 extended master
 * secret, RFC 7301 ALPN, RFC 6066 max_fragment_length and status_request,
 * RFC 8449 record_size_limit) as a table of (state, message type) →
 * handler; conn.c answers anything else with unexpected_message. Full
 * handshake:
 *
 *   ClientHello  -->  ServerHello, Certificate, [CertificateStatus],
 *                     [ServerKeyExchange], [CertificateRequest],
 *                     ServerHelloDone
 *   [Certificate], ClientKeyExchange, [CertificateVerify],
 *   ChangeCipherSpec, Finished  -->  [NewSessionTicket], ChangeCipherSpec,
 *                                    Finished
 *
 * Resumption (session ID or ticket): ClientHello --> ServerHello,
 * ChangeCipherSpec, Finished; then the client's ChangeCipherSpec, Finished.
 * Renegotiation is refused (a warning no_renegotiation, RFC 5246 §7.2.2). */
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/mem.h>
#include <openssl/rsa.h>
#include <openssl/x509v3.h>

#include "certificate_request_tls12.h"
#include "certificate_status.h"
#include "certificate_verify.h"
#include "client_hello.h"
#include "client_key_exchange.h"
#include "empty_messages.h"
#include "ext_types.h"
#include "hs12_internal.h"
#include "new_session_ticket_tls12.h"
#include "server_hello.h"
#include "server_key_exchange.h"

enum {
    SV12_WAIT_CH = 0,       /* nothing received (a zeroed connection) */
    SV12_WAIT_CERT,         /* client Certificate after our CertificateRequest */
    SV12_WAIT_CKE,          /* ClientKeyExchange */
    SV12_WAIT_CV,           /* CertificateVerify after a client certificate */
    SV12_WAIT_FINISHED,     /* full handshake: client CCS, Finished */
    SV12_WAIT_FINISHED_RES, /* resumption: client CCS, Finished after ours */
    SV12_DONE,              /* established */
};

#define DEFAULT_TICKET_LIFETIME 7200u
#define MAX_SUITES              64

static int in_list(const uint16_t *list, size_t num, uint16_t v) {
    for (size_t i = 0; i < num; i++) {
        if (list[i] == v) {
            return 1;
        }
    }
    return 0;
}

int th_hs12_server_pick_version(th_conn *c, const th_handshake *hs, int *out_tls12,
                                uint8_t *out_alert) {
    CBS cbs;
    th_client_hello ch;
    int ok = 0;
    *out_tls12 = 0;
    CBS_init(&cbs, hs->body.data, hs->body.len);
    if (!th_parse_client_hello(&cbs, &ch, out_alert)) {
        return 0;
    }
    const th_ext *sv_ext = th_ext_block_find(&ch.extensions, TH_EXT_SUPPORTED_VERSIONS);
    if (th_conn_version_enabled(c, TH_VERSION_TLS13) && th_client_hello_offers_tls13(&ch)) {
        /* RFC 8446 §4.2.1: TLS 1.3 wins; the TLS 1.3 table takes it. */
        ok = 1;
        goto err;
    }
    int offers12;
    if (sv_ext != NULL) {
        /* RFC 8446 §4.2.1: with supported_versions, "servers MUST NOT use
         * the ClientHello.legacy_version value for version negotiation and
         * MUST use only the "supported_versions" extension". */
        th_ext_supported_versions_ch sv;
        CBS body = th_ext_body(sv_ext);
        if (!th_parse_ext_supported_versions_ch(&body, &sv, out_alert)) {
            goto err;
        }
        offers12 = th_ext_supported_versions_ch_has(&sv, TH_VERSION_TLS12);
        th_ext_supported_versions_ch_cleanup(&sv);
    } else {
        /* RFC 5246 §E.1: the server picks the highest version it supports
         * not above client_version. */
        offers12 = ch.legacy_version >= TH_VERSION_TLS12;
    }
    if (!offers12) {
        /* RFC 5246 §E.1: "If server supports (or is willing to use) only
         * versions greater than client_version, it MUST send a
         * "protocol_version" alert message and close the connection." */
        *out_alert = TH_ALERT_PROTOCOL_VERSION;
        goto err;
    }
    *out_alert = TH_ALERT_INTERNAL_ERROR;
    if (!th_hs12_new(c)) {
        goto err;
    }
    *out_tls12 = 1;
    ok = 1;
err:
    th_client_hello_cleanup(&ch);
    return ok;
}

/* record_size_limit (RFC 8449) and max_fragment_length (RFC 6066 §4). The
 * codec refused a limit below 64 and an MFL code outside 1..4
 * (illegal_parameter). */
static int note_record_limits(th_conn *c, const th_client_hello *ch, uint8_t *out_alert) {
    const th_ext *rsl_ext = th_ext_block_find(&ch->extensions, TH_EXT_RECORD_SIZE_LIMIT);
    const th_ext *mfl_ext = th_ext_block_find(&ch->extensions, TH_EXT_MAX_FRAGMENT_LENGTH);
    CBS body;
    if (rsl_ext != NULL) {
        th_ext_record_size_limit rsl;
        body = th_ext_body(rsl_ext);
        if (!th_parse_ext_record_size_limit(&body, &rsl, out_alert)) {
            return 0;
        }
        c->peer_rsl = rsl.limit;
        /* RFC 8449 §5: "A server that supports the record_size_limit
         * extension MUST ignore a max_fragment_length that appears in a
         * ClientHello if both extensions appear." */
        return 1;
    }
    if (mfl_ext != NULL) {
        th_ext_max_fragment_length mfl;
        body = th_ext_body(mfl_ext);
        if (!th_parse_ext_max_fragment_length(&body, &mfl, out_alert)) {
            return 0;
        }
        c->hs12->mfl_code = mfl.code;
    }
    return 1;
}

/* RFC 5746 §3.6: the SCSV or an empty renegotiation_info marks a client
 * that supports secure renegotiation; in an initial handshake a non-empty
 * renegotiated_connection aborts the handshake (handshake_failure). */
static int note_renegotiation_info(th_conn *c, const th_client_hello *ch, uint8_t *out_alert) {
    const th_ext *ext = th_ext_block_find(&ch->extensions, TH_EXT_RENEGOTIATION_INFO);
    if (ext != NULL) {
        th_ext_renegotiation_info ri;
        CBS body = th_ext_body(ext);
        if (!th_parse_ext_renegotiation_info(&body, &ri, out_alert)) {
            return 0;
        }
        if (ri.renegotiated_connection.len != 0) {
            *out_alert = TH_ALERT_HANDSHAKE_FAILURE;
            return 0;
        }
        c->hs12->secure_reneg = 1;
    }
    if (in_list(ch->cipher_suites, ch->num_cipher_suites, TH_TLS_EMPTY_RENEGOTIATION_INFO_SCSV)) {
        c->hs12->secure_reneg = 1;
    }
    return 1;
}

/* The client's signature_algorithms (kept in hs12 for the
 * ServerKeyExchange); absent means the RFC 5246 §7.4.1.4.1 defaults. */
static int note_sig_algs(th_conn *c, const th_client_hello *ch, uint8_t *out_alert) {
    const th_ext *ext = th_ext_block_find(&ch->extensions, TH_EXT_SIGNATURE_ALGORITHMS);
    if (ext == NULL) {
        return 1;
    }
    th_ext_signature_algorithms sa;
    CBS body = th_ext_body(ext);
    if (!th_parse_ext_signature_algorithms(&body, &sa, out_alert)) {
        return 0;
    }
    c->hs12->peer_sent_sig_algs = 1;
    c->hs12->peer_sig_algs = sa.sig_algs;
    c->hs12->num_peer_sig_algs = sa.num_sig_algs;
    return 1;
}

/* The named group of an ECDSA key's curve, 0 for other keys. */
static uint16_t key_group(const EVP_PKEY *key) {
    const EC_KEY *ec = EVP_PKEY_get0_EC_KEY(key);
    if (ec == NULL || EC_KEY_get0_group(ec) == NULL) {
        return 0;
    }
    switch (EC_GROUP_get_curve_name(EC_KEY_get0_group(ec))) {
    case NID_X9_62_prime256v1:
        return TH_GROUP_SECP256R1;
    case NID_secp384r1:
        return TH_GROUP_SECP384R1;
    case NID_secp521r1:
        return TH_GROUP_SECP521R1;
    default:
        return 0;
    }
}

/* 1 if |ck| can serve |suite| (RFC 5246 §7.4.2, RFC 8422 §2): an RSA key
 * for RSA key exchange and ECDHE_RSA, an ECDSA or Ed25519 key for
 * ECDHE_ECDSA, an ECDSA key on a curve of the client's supported_groups
 * (|sg|, NULL when absent; RFC 8422 §5.1: the server's ECC choices are
 * restricted "to the enumerated curves"); for ECDHE a scheme the client
 * accepts (*out_scheme). */
static int cert_fits(const th_conn *c, const th_cert_key *ck, const th_tls12_suite *suite,
                     const th_ext_supported_groups *sg, uint16_t *out_scheme) {
    int type = EVP_PKEY_id(ck->key);
    *out_scheme = 0;
    if (suite->auth == TH_TLS12_AUTH_RSA ? type != EVP_PKEY_RSA
                                         : type != EVP_PKEY_EC && type != EVP_PKEY_ED25519) {
        return 0;
    }
    if (type == EVP_PKEY_EC && sg != NULL &&
        !in_list(sg->groups, sg->num_groups, key_group(ck->key))) {
        return 0;
    }
    if (suite->kx == TH_TLS12_KX_RSA) {
        return 1;
    }
    const th_hs12 *h = c->hs12;
    *out_scheme = th_hs12_sig_scheme_for(c, ck, h->peer_sent_sig_algs ? h->peer_sig_algs : NULL,
                                         h->num_peer_sig_algs);
    return *out_scheme != 0;
}

/* Our group for ECDHE: the first of ours the client lists (RFC 8422 §5.1:
 * restricted to "the enumerated curves"); without supported_groups, our
 * first. 0 if none. */
static uint16_t choose_group(const th_conn *c, const th_ext_supported_groups *sg) {
    size_t n;
    const uint16_t *groups = th_conn_groups(c, &n);
    for (size_t i = 0; i < n; i++) {
        if (th_kex_group_supported(groups[i]) &&
            (sg == NULL || in_list(sg->groups, sg->num_groups, groups[i]))) {
            return groups[i];
        }
    }
    return 0;
}

/* The suite, certificate, scheme and group of a full handshake: our suites
 * in our order (RFC 5246 §7.4.1.3: the server selects), the first the
 * client offers that a candidate certificate serves (one matching the
 * server_name preferred) and, for ECDHE, with a common group and point
 * format. handshake_failure if none (RFC 5246 §7.4.1.2). */
static int choose_suite(th_conn *c, const th_client_hello *ch, uint16_t *out_scheme,
                        uint8_t *out_alert) {
    uint16_t ours[MAX_SUITES];
    size_t num = th_hs12_suites(c, ours, MAX_SUITES);
    th_ext_supported_groups sg = {NULL, 0};
    const th_ext *sg_ext = th_ext_block_find(&ch->extensions, TH_EXT_SUPPORTED_GROUPS);
    const th_ext *pf_ext = th_ext_block_find(&ch->extensions, TH_EXT_EC_POINT_FORMATS);
    CBS body;
    if (sg_ext != NULL) {
        body = th_ext_body(sg_ext);
        if (!th_parse_ext_supported_groups(&body, &sg, out_alert)) {
            return 0;
        }
    }
    const th_ext_supported_groups *client_groups = sg_ext != NULL ? &sg : NULL;
    uint16_t group = choose_group(c, client_groups);
    /* RFC 8422 §5.1.2: the list "MUST contain the value 0 (uncompressed)";
     * binding only once an ECC suite is chosen (th_parse_ext_ec_point_formats
     * answers illegal_parameter). */
    uint8_t pf_alert = 0;
    if (pf_ext != NULL) {
        th_ext_ec_point_formats pf;
        body = th_ext_body(pf_ext);
        if (!th_parse_ext_ec_point_formats(&body, &pf, &pf_alert) && pf_alert == 0) {
            pf_alert = TH_ALERT_ILLEGAL_PARAMETER;
        }
    }
    size_t n = th_conn_num_cert_keys(c);
    for (size_t i = 0; i < num; i++) {
        const th_tls12_suite *suite = th_tls12_suite_find(ours[i]);
        if (!in_list(ch->cipher_suites, ch->num_cipher_suites, ours[i])) {
            continue;
        }
        if (suite->kx == TH_TLS12_KX_ECDHE && group == 0) {
            continue;
        }
        const th_cert_key *chosen = NULL;
        uint16_t chosen_scheme = 0, scheme;
        for (size_t k = 0; k < n; k++) {
            const th_cert_key *ck = th_conn_cert_key_at(c, k);
            if (!cert_fits(c, ck, suite, client_groups, &scheme)) {
                continue;
            }
            if (chosen == NULL) {
                chosen = ck;
                chosen_scheme = scheme;
            }
            if (th_server_leaf_matches_name(c, ck)) {
                chosen = ck;
                chosen_scheme = scheme;
                c->hs12->sni_ack = 1;
                break;
            }
        }
        if (chosen == NULL) {
            continue;
        }
        th_ext_supported_groups_cleanup(&sg);
        if (suite->kx == TH_TLS12_KX_ECDHE && pf_alert != 0) {
            *out_alert = pf_alert;
            return 0;
        }
        c->cert_key = chosen;
        *out_scheme = chosen_scheme;
        if (suite->kx == TH_TLS12_KX_ECDHE) {
            c->group = group;
        }
        *out_alert = TH_ALERT_INTERNAL_ERROR;
        return th_hs12_set_suite(c, ours[i]);
    }
    th_ext_supported_groups_cleanup(&sg);
    /* RFC 5246 §7.4.1.3: no acceptable choice is handshake_failure. */
    *out_alert = TH_ALERT_HANDSHAKE_FAILURE;
    return 0;
}

static uint32_t ticket_lifetime(const th_conn *c) {
    uint32_t t = c->cfg.ticket_lifetime != 0 ? c->cfg.ticket_lifetime : DEFAULT_TICKET_LIFETIME;
    return t > TH_MAX_TICKET_LIFETIME ? TH_MAX_TICKET_LIFETIME : t;
}

static int tickets_enabled(const th_conn *c) {
    return c->cfg.tickets != NULL && !c->cfg.tls12_no_tickets;
}

/* Looks for a session to resume (RFC 5077 §3.4: the ticket first, else
 * the session ID, RFC 5246 §7.4.1.2). 1 with *out_found when one applies:
 * ours, unexpired, its suite offered and still ours, its client
 * authenticated when we require it. 0 with handshake_failure for an EMS
 * session offered without extended_master_secret (RFC 7627 §5.3: the
 * server "MUST abort the abbreviated handshake"); a non-EMS session with
 * EMS offered, or without EMS while EMS is required, is a full handshake. */
static int find_session(th_conn *c, const th_client_hello *ch, int *out_found, uint8_t *out_alert) {
    th_hs12 *h = c->hs12;
    th_hs12_session *s = &h->sess;
    int found = 0;
    *out_found = 0;
    const th_ext *st_ext = th_ext_block_find(&ch->extensions, TH_EXT_SESSION_TICKET);
    if (st_ext != NULL && st_ext->body.len != 0 && tickets_enabled(c)) {
        found = th_hs12_open_ticket(c, st_ext->body.data, st_ext->body.len, s);
    }
    if (!found && c->cfg.session_cache != NULL) {
        found = th_session_cache_get(c->cfg.session_cache, ch->legacy_session_id.data,
                                     ch->legacy_session_id.len, th_conn_now(c), s);
    }
    if (!found) {
        return 1;
    }
    uint16_t ours[MAX_SUITES];
    size_t num = th_hs12_suites(c, ours, MAX_SUITES);
    /* RFC 5246 §7.4.1.2: a resumed session's suite must be offered again.
     * RFC 6066 §3: the server "MUST NOT accept the request to resume the
     * session if the server_name extension contains a different name". */
    if (!in_list(ours, num, s->suite) || s->server_name_len != c->server_name_len ||
        memcmp(s->server_name, c->server_name, c->server_name_len) != 0 ||
        !in_list(ch->cipher_suites, ch->num_cipher_suites, s->suite) ||
        (c->cfg.require_client_cert && !s->peer_authenticated)) {
        th_hs12_session_cleanse(s);
        return 1;
    }
    if (s->ems && !h->peer_ems) {
        th_hs12_session_cleanse(s);
        *out_alert = TH_ALERT_HANDSHAKE_FAILURE;
        return 0;
    }
    if (!s->ems) {
        /* RFC 7627 §5.3: with EMS offered, the server "MUST NOT resume"
         * a non-EMS session; without it, only when non-EMS is allowed. */
        if (h->peer_ems || !c->cfg.tls12_allow_no_ems) {
            th_hs12_session_cleanse(s);
            return 1;
        }
    }
    *out_found = 1;
    return 1;
}

/* Adds an extension header for |type| and opens its body. */
static int add_ext(CBB *exts, CBB *ext, uint16_t type) {
    return CBB_add_u16(exts, type) && CBB_add_u16_length_prefixed(exts, ext);
}

static int send_server_hello(th_conn *c, int ems_ext, int point_formats, int status, int rsl) {
    th_hs12 *h = c->hs12;
    CBB cbb, body, sid, exts, ext;
    if (!th_conn_begin_message(&cbb, &body, TH_HS_SERVER_HELLO)) {
        return 0;
    }
    static const uint8_t kUncompressed[] = {TH_EC_POINT_UNCOMPRESSED};
    th_ext_ec_point_formats pf = {{kUncompressed, sizeof(kUncompressed)}};
    th_ext_renegotiation_info ri = {{NULL, 0}};
    th_ext_alpn_sh alpn = {{c->alpn, c->alpn_len}};
    th_ext_max_fragment_length mfl = {h->mfl_code};
    /* RFC 8449 §4: the limit is at most "the protocol-defined limit for
     * maximum record size. For TLS 1.2 and earlier, that limit is 2^14". */
    uint16_t rsl_value = th_conn_our_record_size_limit(c);
    th_ext_record_size_limit our_rsl = {rsl_value > TH_MAX_PLAINTEXT ? TH_MAX_PLAINTEXT
                                                                     : rsl_value};
    int ok = CBB_add_u16(&body, TH_VERSION_TLS12) &&
             CBB_add_bytes(&body, h->server_random, TH_TLS12_RANDOM_LEN) &&
             CBB_add_u8_length_prefixed(&body, &sid) &&
             CBB_add_bytes(&sid, c->session_id, c->session_id_len) &&
             CBB_add_u16(&body, c->suite) && CBB_add_u8(&body, 0) &&
             CBB_add_u16_length_prefixed(&body, &exts);
    /* RFC 5746 §3.6: "the server MUST include an empty
     * "renegotiation_info" extension in the ServerHello message". */
    ok = ok && (!h->secure_reneg || (add_ext(&exts, &ext, TH_EXT_RENEGOTIATION_INFO) &&
                                     th_write_ext_renegotiation_info(&ext, &ri)));
    /* RFC 7627 §5.2: the server includes the extension when it uses the
     * extended master secret. */
    ok = ok && (!ems_ext ||
                (add_ext(&exts, &ext, TH_EXT_EXTENDED_MASTER_SECRET) && th_write_ext_empty(&ext)));
    ok = ok && (c->alpn_len == 0 ||
                (add_ext(&exts, &ext, TH_EXT_ALPN) && th_write_ext_alpn_sh(&ext, &alpn)));
    /* RFC 8422 §5.2: a server that selects an ECC suite answers the
     * client's ec_point_formats with its own list. */
    ok = ok && (!point_formats || (add_ext(&exts, &ext, TH_EXT_EC_POINT_FORMATS) &&
                                   th_write_ext_ec_point_formats(&ext, &pf)));
    /* RFC 5077 §3.2: an empty SessionTicket extension promises a
     * NewSessionTicket. */
    ok = ok && (!h->ticket_expected ||
                (add_ext(&exts, &ext, TH_EXT_SESSION_TICKET) && th_write_ext_empty(&ext)));
    /* RFC 6066 §8: an empty status_request promises a CertificateStatus. */
    ok = ok &&
         (!status || (add_ext(&exts, &ext, TH_EXT_STATUS_REQUEST) && th_write_ext_empty(&ext)));
    /* RFC 6066 §3: "When a server uses the information in the "server_name"
     * extension ... it SHALL include an extension of type "server_name" in
     * the (extended) server hello", empty; not when resuming (§3: "it MUST
     * NOT include a "server_name" extension"). */
    ok = ok && (!h->sni_ack || c->resumed ||
                (add_ext(&exts, &ext, TH_EXT_SERVER_NAME) && th_write_ext_empty(&ext)));
    /* RFC 7366 §2: "If the server is capable of meeting this requirement,
     * it responds with an encrypt_then_mac in its server_hello" (only for
     * CBC suites, §3: "MUST NOT" with AEAD). */
    ok = ok &&
         (!h->etm || (add_ext(&exts, &ext, TH_EXT_ENCRYPT_THEN_MAC) && th_write_ext_empty(&ext)));
    /* RFC 6066 §4: the server echoes the requested max_fragment_length. */
    ok = ok && (h->mfl_code == 0 || (add_ext(&exts, &ext, TH_EXT_MAX_FRAGMENT_LENGTH) &&
                                     th_write_ext_max_fragment_length(&ext, &mfl)));
    ok = ok && (!rsl || (add_ext(&exts, &ext, TH_EXT_RECORD_SIZE_LIMIT) &&
                         th_write_ext_record_size_limit(&ext, &our_rsl)));
    if (!ok) {
        CBB_cleanup(&cbb);
        return 0;
    }
    return th_hs12_send_message(c, &cbb);
}

static int send_certificate_status(th_conn *c) {
    CBB cbb, body;
    th_certificate_status cs = {TH_CERT_STATUS_TYPE_OCSP,
                                {c->cfg.ocsp_response, c->cfg.ocsp_response_len}};
    if (!th_conn_begin_message(&cbb, &body, TH_HS_CERTIFICATE_STATUS)) {
        return 0;
    }
    if (!th_write_certificate_status(&body, &cs)) {
        CBB_cleanup(&cbb);
        return 0;
    }
    return th_hs12_send_message(c, &cbb);
}

/* ServerKeyExchange for ECDHE (RFC 8422 §5.4): a fresh key pair in
 * c->group, its point signed with |scheme| over both randoms and the
 * params. */
static int send_server_key_exchange(th_conn *c, uint16_t scheme) {
    uint8_t *content = NULL, *sig = NULL;
    size_t content_len = 0, sig_len = 0;
    CBB cbb, body;
    if (!th_kex_generate(&c->kex, c->group, th_conn_random_cb, c) ||
        !th_hs12_ske_content(c->hs12, c->group, c->kex.public_key, c->kex.public_key_len, &content,
                             &content_len)) {
        return 0;
    }
    int ok = th_sig_sign(c->cert_key->key, scheme, content, content_len, &sig, &sig_len);
    OPENSSL_free(content);
    if (!ok) {
        return 0;
    }
    th_server_key_exchange_ecdhe ske;
    memset(&ske, 0, sizeof(ske));
    ske.curve_type = TH_EC_CURVE_TYPE_NAMED_CURVE;
    ske.named_curve = c->group;
    ske.public_key.data = c->kex.public_key;
    ske.public_key.len = c->kex.public_key_len;
    ske.has_sig_alg = 1;
    ske.sig_alg = scheme;
    ske.signature.data = sig;
    ske.signature.len = sig_len;
    ok = th_conn_begin_message(&cbb, &body, TH_HS_SERVER_KEY_EXCHANGE);
    if (ok && !th_write_server_key_exchange_ecdhe(&body, &ske)) {
        CBB_cleanup(&cbb);
        ok = 0;
    }
    ok = ok && th_hs12_send_message(c, &cbb);
    OPENSSL_free(sig);
    return ok;
}

/* CertificateRequest (RFC 5246 §7.4.4): RSA and ECDSA signing
 * certificates, our signature schemes, no CA names. */
static int send_certificate_request(th_conn *c) {
    static const uint8_t kTypes[] = {TH_CLIENT_CERT_TYPE_RSA_SIGN, TH_CLIENT_CERT_TYPE_ECDSA_SIGN};
    th_certificate_request_tls12 cr;
    CBB cbb, body;
    size_t n;
    const uint16_t *schemes = th_hs12_sig_schemes(c, &n);
    memset(&cr, 0, sizeof(cr));
    cr.certificate_types.data = kTypes;
    cr.certificate_types.len = sizeof(kTypes);
    cr.has_sig_algs = 1;
    int ok = 1;
    for (size_t i = 0; ok && i < n; i++) {
        ok = th_certificate_request_tls12_add_sig_alg(&cr, schemes[i]);
    }
    ok = ok && th_conn_begin_message(&cbb, &body, TH_HS_CERTIFICATE_REQUEST);
    if (ok && !th_write_certificate_request_tls12(&body, &cr)) {
        CBB_cleanup(&cbb);
        ok = 0;
    }
    ok = ok && th_hs12_send_message(c, &cbb);
    th_certificate_request_tls12_cleanup(&cr);
    return ok;
}

static int send_server_hello_done(th_conn *c) {
    CBB cbb, body;
    th_server_hello_done shd = {0};
    if (!th_conn_begin_message(&cbb, &body, TH_HS_SERVER_HELLO_DONE)) {
        return 0;
    }
    if (!th_write_server_hello_done(&body, &shd)) {
        CBB_cleanup(&cbb);
        return 0;
    }
    return th_hs12_send_message(c, &cbb);
}

/* NewSessionTicket (RFC 5077 §3.3) sealing the session of this handshake. */
static int send_new_session_ticket(th_conn *c) {
    th_hs12 *h = c->hs12;
    CBB ticket, cbb, body;
    uint8_t *tk = NULL;
    size_t tk_len = 0;
    if (!CBB_init(&ticket, 128) || !th_hs12_seal_ticket(c, &h->sess, &ticket) ||
        !CBB_finish(&ticket, &tk, &tk_len)) {
        CBB_cleanup(&ticket);
        return 0;
    }
    th_new_session_ticket_tls12 nst = {h->sess.lifetime, {tk, tk_len}};
    int ok = th_conn_begin_message(&cbb, &body, TH_HS_NEW_SESSION_TICKET);
    if (ok && !th_write_new_session_ticket_tls12(&body, &nst)) {
        CBB_cleanup(&cbb);
        ok = 0;
    }
    ok = ok && th_hs12_send_message(c, &cbb);
    OPENSSL_free(tk);
    return ok;
}

/* The server random: 32 random bytes, the last 8 the RFC 8446 §4.1.3
 * sentinel when we also speak TLS 1.3: "TLS 1.3 servers which negotiate
 * TLS 1.2 or below in response to a ClientHello MUST set the last 8 bytes
 * of their Random value specially". */
static void make_server_random(th_conn *c) {
    uint8_t *r = c->hs12->server_random;
    th_conn_random(c, r, TH_TLS12_RANDOM_LEN);
    if (th_conn_version_enabled(c, TH_VERSION_TLS13)) {
        memcpy(r + TH_TLS12_RANDOM_LEN - 8, th_downgrade_sentinel_bytes(TH_DOWNGRADE_TLS12), 8);
    }
}

/* The abbreviated handshake (RFC 5246 §7.3): ServerHello, our
 * ChangeCipherSpec and Finished; the client's follow. */
static int resume(th_conn *c, const th_client_hello *ch, int rsl) {
    th_hs12 *h = c->hs12;
    /* RFC 5077 §3.4: resuming with a ticket, the server echoes the
     * client's session ID (which says so); by session ID, the same ID. */
    memcpy(c->session_id, ch->legacy_session_id.data, ch->legacy_session_id.len);
    c->session_id_len = ch->legacy_session_id.len;
    h->ems = h->sess.ems;
    h->ticket_expected = 0;
    c->resumed = 1;
    c->peer_authenticated = h->sess.peer_authenticated;
    if (!th_hs12_set_suite(c, h->sess.suite) ||
        !th_secret_set(&h->master, h->sess.master.bytes, h->sess.master.len)) {
        return 0;
    }
    const th_tls12_suite *suite = h->suite;
    h->etm = h->peer_etm && suite->cipher == TH_TLS12_CIPHER_AES_CBC_HMAC_SHA1;
    int ecc = suite->kx == TH_TLS12_KX_ECDHE &&
              th_ext_block_find(&ch->extensions, TH_EXT_EC_POINT_FORMATS) != NULL;
    if (!send_server_hello(c, h->ems, ecc, 0, rsl) || !th_hs12_derive_key_block(c) ||
        !th_hs12_send_ccs(c) || !th_hs12_send_finished(c)) {
        return 0;
    }
    h->ccs_expected = 1;
    c->hs_state = SV12_WAIT_FINISHED_RES;
    return 1;
}

/* 1 if the ClientHello asks for an OCSP response we have (RFC 6066 §8). */
static int wants_ocsp(const th_conn *c, const th_client_hello *ch) {
    const th_ext *ext = th_ext_block_find(&ch->extensions, TH_EXT_STATUS_REQUEST);
    if (ext == NULL || c->cfg.ocsp_response_len == 0) {
        return 0;
    }
    th_ext_status_request_ch sr;
    uint8_t alert;
    CBS body = th_ext_body(ext);
    if (!th_parse_ext_status_request_ch(&body, &sr, &alert)) {
        return 0;
    }
    int ocsp = sr.status_type == TH_CERT_STATUS_TYPE_OCSP;
    th_ext_status_request_ch_cleanup(&sr);
    return ocsp;
}

static int server_client_hello(th_conn *c, const th_handshake *hs, const uint8_t *msg,
                               size_t msg_len, uint8_t *out_alert) {
    th_hs12 *h = c->hs12;
    CBS cbs;
    th_client_hello ch;
    int ok = 0;
    CBS_init(&cbs, hs->body.data, hs->body.len);
    if (!th_parse_client_hello(&cbs, &ch, out_alert)) {
        return 0;
    }
    /* RFC 7507 §3: "If TLS_FALLBACK_SCSV appears in
     * ClientHello.cipher_suites and the highest protocol version supported
     * by the server is higher than the version indicated in
     * ClientHello.client_version, the server MUST respond with a fatal
     * inappropriate_fallback alert". */
    if (in_list(ch.cipher_suites, ch.num_cipher_suites, TH_TLS_FALLBACK_SCSV) &&
        th_conn_max_version(c) > ch.legacy_version) {
        *out_alert = TH_ALERT_INAPPROPRIATE_FALLBACK;
        goto err;
    }
    h->client_version = ch.legacy_version;
    memcpy(h->client_random, ch.random, TH_TLS12_RANDOM_LEN);
    memcpy(c->client_random, ch.random, sizeof(c->client_random));
    h->peer_ems = th_ext_block_find(&ch.extensions, TH_EXT_EXTENDED_MASTER_SECRET) != NULL;
    h->peer_etm = th_ext_block_find(&ch.extensions, TH_EXT_ENCRYPT_THEN_MAC) != NULL;
    if (!note_renegotiation_info(c, &ch, out_alert) ||
        !th_server_note_server_name(c, &ch, out_alert) || !note_record_limits(c, &ch, out_alert) ||
        !note_sig_algs(c, &ch, out_alert) || !th_server_choose_alpn(c, &ch, out_alert)) {
        goto err;
    }
    *out_alert = TH_ALERT_INTERNAL_ERROR;
    if (!th_hs12_add_message(c, msg, msg_len)) {
        goto err;
    }
    make_server_random(c);
    int rsl = c->peer_rsl != 0;
    int found;
    if (!find_session(c, &ch, &found, out_alert)) {
        goto err;
    }
    if (found) {
        *out_alert = TH_ALERT_INTERNAL_ERROR;
        ok = resume(c, &ch, rsl);
        goto err;
    }
    uint16_t scheme = 0;
    if (!choose_suite(c, &ch, &scheme, out_alert)) {
        goto err;
    }
    /* RFC 7627 §5.2: a server that requires the extended master secret
     * "SHOULD abort the handshake" without it; handshake_failure as every
     * RFC 7627 abort. */
    if (!h->peer_ems && !c->cfg.tls12_allow_no_ems) {
        *out_alert = TH_ALERT_HANDSHAKE_FAILURE;
        goto err;
    }
    h->ems = h->peer_ems;
    h->etm = h->peer_etm && h->suite->cipher == TH_TLS12_CIPHER_AES_CBC_HMAC_SHA1;
    const th_ext *st_ext = th_ext_block_find(&ch.extensions, TH_EXT_SESSION_TICKET);
    h->ticket_expected = st_ext != NULL && tickets_enabled(c);
    h->ocsp = wants_ocsp(c, &ch);
    c->session_id_len = 0;
    if (c->cfg.session_cache != NULL) {
        /* RFC 5246 §7.4.1.3: a new session ID names the session. */
        th_conn_random(c, c->session_id, TH_SESSION_ID_MAX_LEN);
        c->session_id_len = TH_SESSION_ID_MAX_LEN;
    }
    int ecc = h->suite->kx == TH_TLS12_KX_ECDHE &&
              th_ext_block_find(&ch.extensions, TH_EXT_EC_POINT_FORMATS) != NULL;
    *out_alert = TH_ALERT_INTERNAL_ERROR;
    if (!send_server_hello(c, h->ems, ecc, h->ocsp, rsl) || !th_hs12_send_certificate(c, 1) ||
        (h->ocsp && !send_certificate_status(c)) ||
        (h->suite->kx == TH_TLS12_KX_ECDHE && !send_server_key_exchange(c, scheme)) ||
        (c->cfg.request_client_cert && !send_certificate_request(c)) ||
        !send_server_hello_done(c)) {
        goto err;
    }
    c->cert_requested = c->cfg.request_client_cert;
    c->hs_state = c->cert_requested ? SV12_WAIT_CERT : SV12_WAIT_CKE;
    ok = 1;
err:
    th_client_hello_cleanup(&ch);
    return ok;
}

static int server_certificate(th_conn *c, const th_handshake *hs, const uint8_t *msg,
                              size_t msg_len, uint8_t *out_alert) {
    int empty;
    if (!th_hs12_recv_certificate(c, hs, msg, msg_len, &empty, out_alert)) {
        return 0;
    }
    if (empty && c->cfg.require_client_cert) {
        /* RFC 5246 §7.4.6: without a client certificate the server may
         * "respond with a fatal handshake_failure alert". */
        *out_alert = th_alert_empty_client_chain(TH_VERSION_TLS12);
        return 0;
    }
    c->hs12->client_cert_sent = !empty;
    c->hs_state = SV12_WAIT_CKE;
    return 1;
}

/* The RSA premaster (RFC 5246 §7.4.7.1): decrypted with PKCS#1 v1.5, and
 * on ANY failure (padding, length, client_version) a random premaster
 * instead, chosen without a branch on the outcome, so the handshake goes
 * on identically until the Finished fails: "a TLS server MUST NOT generate
 * an alert if processing an RSA-encrypted premaster secret message fails,
 * or the version number is not as expected." */
static int rsa_premaster(th_conn *c, const th_bytes *enc) {
    th_hs12 *h = c->hs12;
    uint8_t random_pm[TH_HS12_PREMASTER_MAX];
    uint8_t decrypted[1024];
    size_t out_len = 0;
    RSA *rsa = EVP_PKEY_get0_RSA(c->cert_key->key);
    if (rsa == NULL) {
        return 0;
    }
    th_conn_random(c, random_pm, sizeof(random_pm));
    memset(decrypted, 0, sizeof(decrypted));
    int decrypted_ok = RSA_decrypt(rsa, &out_len, decrypted, sizeof(decrypted), enc->data, enc->len,
                                   RSA_PKCS1_PADDING);
    ERR_clear_error();
    unsigned good = (unsigned)(decrypted_ok == 1) & (unsigned)(out_len == TH_HS12_PREMASTER_MAX) &
                    (unsigned)(decrypted[0] == (uint8_t)(h->client_version >> 8)) &
                    (unsigned)(decrypted[1] == (uint8_t)h->client_version);
    uint8_t mask = (uint8_t)(0u - good);
    uint8_t pm[TH_HS12_PREMASTER_MAX];
    for (size_t i = 0; i < sizeof(pm); i++) {
        pm[i] = (uint8_t)((decrypted[i] & mask) | (random_pm[i] & (uint8_t)~mask));
    }
    int ok = th_secret_set(&h->premaster, pm, sizeof(pm));
    OPENSSL_cleanse(pm, sizeof(pm));
    OPENSSL_cleanse(random_pm, sizeof(random_pm));
    OPENSSL_cleanse(decrypted, sizeof(decrypted));
    return ok;
}

static int server_client_key_exchange(th_conn *c, const th_handshake *hs, const uint8_t *msg,
                                      size_t msg_len, uint8_t *out_alert) {
    th_hs12 *h = c->hs12;
    CBS cbs;
    CBS_init(&cbs, hs->body.data, hs->body.len);
    if (h->suite->kx == TH_TLS12_KX_ECDHE) {
        th_client_key_exchange_ecdhe cke;
        uint8_t secret[TH_KEX_MAX_SECRET];
        size_t secret_len = 0;
        if (!th_parse_client_key_exchange_ecdhe(&cbs, &cke, out_alert)) {
            return 0;
        }
        /* RFC 8422 §5.7 (uncompressed only) and RFC 8446 §4.2.8.2 (a point
         * on the curve): th_kex_compute refuses anything else with
         * illegal_parameter. */
        if (!th_kex_compute(&c->kex, cke.public_key.data, cke.public_key.len, secret, &secret_len,
                            out_alert)) {
            return 0;
        }
        th_kex_cleanup(&c->kex);
        int set = th_secret_set(&h->premaster, secret, secret_len);
        OPENSSL_cleanse(secret, sizeof(secret));
        if (!set) {
            *out_alert = TH_ALERT_INTERNAL_ERROR;
            return 0;
        }
    } else {
        th_client_key_exchange_rsa cke;
        if (!th_parse_client_key_exchange_rsa(&cbs, &cke, out_alert)) {
            return 0;
        }
        if (!rsa_premaster(c, &cke.encrypted_pre_master_secret)) {
            *out_alert = TH_ALERT_INTERNAL_ERROR;
            return 0;
        }
    }
    *out_alert = TH_ALERT_INTERNAL_ERROR;
    if (!th_hs12_add_message(c, msg, msg_len) || !th_hs12_derive_master(c)) {
        return 0;
    }
    if (h->client_cert_sent) {
        c->hs_state = SV12_WAIT_CV;
    } else {
        h->ccs_expected = 1;
        c->hs_state = SV12_WAIT_FINISHED;
    }
    return 1;
}

static int server_certificate_verify(th_conn *c, const th_handshake *hs, const uint8_t *msg,
                                     size_t msg_len, uint8_t *out_alert) {
    th_hs12 *h = c->hs12;
    CBS cbs;
    th_certificate_verify cv;
    CBS_init(&cbs, hs->body.data, hs->body.len);
    if (!th_parse_certificate_verify(&cbs, &cv, out_alert)) {
        return 0;
    }
    size_t n;
    const uint16_t *schemes = th_hs12_sig_schemes(c, &n);
    /* RFC 5246 §7.4.8: the algorithm "MUST be one of those present in the
     * supported_signature_algorithms field of the CertificateRequest
     * message"; no alert is named: illegal_parameter, as BoringSSL. */
    if (!in_list(schemes, n, cv.algorithm) ||
        !th_sig_scheme_allowed(cv.algorithm, c->peer_key, TH_VERSION_TLS12)) {
        *out_alert = TH_ALERT_ILLEGAL_PARAMETER;
        return 0;
    }
#if !defined(TH_FUZZING_UNSAFE)
    /* RFC 5246 §7.4.8: the signature covers handshake_messages so far;
     * §7.2.2: one that does not verify is decrypt_error. */
    if (!th_sig_verify(c->peer_key, cv.algorithm, h->msgs, h->msgs_len, cv.signature.data,
                       cv.signature.len, out_alert)) {
        return 0;
    }
#endif
    c->peer_sig_scheme = cv.algorithm;
    *out_alert = TH_ALERT_INTERNAL_ERROR;
    if (!th_hs12_add_message(c, msg, msg_len)) {
        return 0;
    }
    h->ccs_expected = 1;
    c->hs_state = SV12_WAIT_FINISHED;
    return 1;
}

/* The session of a full handshake, kept for resumption. */
static void keep_session(th_conn *c) {
    th_hs12 *h = c->hs12;
    h->sess.suite = c->suite;
    h->sess.master = h->master;
    h->sess.ems = h->ems;
    h->sess.peer_authenticated = c->peer_authenticated;
    h->sess.created = th_conn_now(c);
    h->sess.lifetime = ticket_lifetime(c);
    memcpy(h->sess.server_name, c->server_name, c->server_name_len);
    h->sess.server_name_len = c->server_name_len;
}

static int server_finished(th_conn *c, const th_handshake *hs, const uint8_t *msg, size_t msg_len,
                           uint8_t *out_alert) {
    th_hs12 *h = c->hs12;
    if (!th_hs12_check_finished(c, hs, msg, msg_len, out_alert)) {
        return 0;
    }
    *out_alert = TH_ALERT_INTERNAL_ERROR;
    keep_session(c);
    if (c->cfg.session_cache != NULL && c->session_id_len != 0 &&
        !th_session_cache_put(c->cfg.session_cache, c->session_id, c->session_id_len, &h->sess)) {
        return 0;
    }
    /* RFC 5077 §3.3: NewSessionTicket comes before our ChangeCipherSpec. */
    if ((h->ticket_expected && !send_new_session_ticket(c)) || !th_hs12_send_ccs(c) ||
        !th_hs12_send_finished(c)) {
        return 0;
    }
    th_hs12_established(c);
    c->hs_state = SV12_DONE;
    return 1;
}

static int server_finished_resumed(th_conn *c, const th_handshake *hs, const uint8_t *msg,
                                   size_t msg_len, uint8_t *out_alert) {
    if (!th_hs12_check_finished(c, hs, msg, msg_len, out_alert)) {
        return 0;
    }
    th_hs12_established(c);
    c->hs_state = SV12_DONE;
    return 1;
}

/* A ClientHello after the handshake asks to renegotiate, which we refuse
 * with a warning: RFC 5246 §7.2.2 no_renegotiation is "Sent ... by the
 * server in response to a client hello after initial handshaking ... At
 * that point, the original requester can decide whether to proceed with
 * the connection"; ours goes on. */
static int server_refuse_renegotiation(th_conn *c, const th_handshake *hs, const uint8_t *msg,
                                       size_t msg_len, uint8_t *out_alert) {
    (void)hs;
    (void)msg;
    (void)msg_len;
    (void)out_alert;
    th_conn_send_alert(c, TH_ALERT_LEVEL_WARNING, TH_ALERT_NO_RENEGOTIATION);
    return 1;
}

const th_hs_row th_hs12_server_table[] = {
    {SV12_WAIT_CH, TH_HS_CLIENT_HELLO, server_client_hello},
    {SV12_WAIT_CERT, TH_HS_CERTIFICATE, server_certificate},
    {SV12_WAIT_CKE, TH_HS_CLIENT_KEY_EXCHANGE, server_client_key_exchange},
    {SV12_WAIT_CV, TH_HS_CERTIFICATE_VERIFY, server_certificate_verify},
    {SV12_WAIT_FINISHED, TH_HS_FINISHED, server_finished},
    {SV12_WAIT_FINISHED_RES, TH_HS_FINISHED, server_finished_resumed},
    {SV12_DONE, TH_HS_CLIENT_HELLO, server_refuse_renegotiation},
};
const size_t th_hs12_server_table_len =
    sizeof(th_hs12_server_table) / sizeof(th_hs12_server_table[0]);
