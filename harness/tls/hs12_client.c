/* The TLS 1.2 client handshake (RFC 5246 §7.3, §7.4) as a table of (state,
 * message type) → handler, with its extensions: ECDHE (RFC 8422), sessions by
 * ID and by ticket (RFC 5077), the extended master secret (RFC 7627), secure
 * renegotiation (RFC 5746), ALPN (RFC 7301), SNI and OCSP stapling (RFC
 * 6066), record_size_limit (RFC 8449) and the TLS 1.3 downgrade sentinel (RFC
 * 8446 §4.1.3). conn.c answers anything not in the table with
 * unexpected_message and hands ChangeCipherSpec records to th_hs12_recv_ccs,
 * which accepts one only where a handler set hs12->ccs_expected. */
#include <stdlib.h>
#include <string.h>

#include <openssl/mem.h>
#include <openssl/rsa.h>

#include "certificate_request_tls12.h"
#include "certificate_status.h"
#include "certificate_verify.h"
#include "client_key_exchange.h"
#include "empty_messages.h"
#include "ext_types.h"
#include "handshake.h"
#include "hs12_internal.h"
#include "new_session_ticket_tls12.h"
#include "server_hello.h"
#include "server_key_exchange.h"

enum {
    CL12_WAIT_SH = 1,   /* ClientHello sent */
    CL12_WAIT_CERT,     /* full handshake: the server's Certificate */
    CL12_WAIT_SKE,      /* ECDHE: ServerKeyExchange (or CertificateStatus) */
    CL12_WAIT_CR_SHD,   /* CertificateRequest or ServerHelloDone (or status) */
    CL12_WAIT_SHD,      /* ServerHelloDone after a CertificateRequest */
    CL12_WAIT_NST,      /* the NewSessionTicket the server promised */
    CL12_WAIT_FINISHED, /* the server's CCS, then its Finished */
    CL12_DONE,          /* established: HelloRequest */
};

/* Lifetime of a session whose ticket came without a lifetime hint (RFC 5077
 * §3.3: 0 "indicates that the lifetime of the ticket is unspecified"), and
 * of sessions resumable by ID only. */
#define DEFAULT_SESSION_LIFETIME 7200u

/* Most TLS 1.2 suites we offer (the table's size is well below). */
#define MAX_SUITES12 32

/* The config's session when it is a TLS 1.2 one we can offer: not expired,
 * its suite among ours (RFC 5246 §7.4.1.2: the ClientHello "MUST include the
 * cipher_suite from that session"); else NULL. */
static const th_session *usable_session(const th_conn *c) {
    const th_session *s = c->cfg.session;
    if (s == NULL || s->version != TH_VERSION_TLS12 || s->psk.len != TH_TLS12_MASTER_SECRET_LEN ||
        (s->session_id_len == 0 && s->ticket_len == 0)) {
        return NULL;
    }
    time_t now = th_conn_now(c);
    if (now < s->received || (uint64_t)(now - s->received) >= s->lifetime) {
        return NULL;
    }
    uint16_t suites[MAX_SUITES12];
    size_t n = th_hs12_suites(c, suites, MAX_SUITES12);
    for (size_t i = 0; i < n; i++) {
        if (suites[i] == s->suite) {
            return s;
        }
    }
    return NULL;
}

int th_hs12_client_hello_suites(th_conn *c, CBB *suites) {
    uint16_t ours[MAX_SUITES12];
    size_t n = th_hs12_suites(c, ours, MAX_SUITES12);
    for (size_t i = 0; i < n; i++) {
        if (!CBB_add_u16(suites, ours[i])) {
            return 0;
        }
    }
    /* RFC 7507 §4: the SCSV "SHOULD" only go into a fallback retry, which
     * is the caller's to say. */
    if (c->cfg.fallback_scsv && !CBB_add_u16(suites, TH_TLS_FALLBACK_SCSV)) {
        return 0;
    }
    return 1;
}

int th_hs12_client_hello_exts(th_conn *c, CBB *exts) {
    th_hs12 *h = c->hs12;
    CBB ext;
    /* RFC 7627 §5.1: the client "MUST include the "extended_master_secret"
     * extension in its ClientHello". */
    if (!th_client_add_ext(c, exts, TH_EXT_EXTENDED_MASTER_SECRET, &ext) ||
        !th_write_ext_empty(&ext)) {
        return 0;
    }
    /* RFC 5746 §3.4/§3.5: renegotiation_info, empty in the initial
     * handshake, client_verify_data in a renegotiation (we always send the
     * extension, never the SCSV, so the server answers in kind). */
    th_ext_renegotiation_info ri = {{NULL, 0}};
    if (h != NULL && h->secure_reneg && c->state == TH_CONN_ESTABLISHED) {
        ri.renegotiated_connection.data = h->client_verify_data;
        ri.renegotiated_connection.len = TH_TLS12_VERIFY_DATA_LEN;
    }
    if (!th_client_add_ext(c, exts, TH_EXT_RENEGOTIATION_INFO, &ext) ||
        !th_write_ext_renegotiation_info(&ext, &ri)) {
        return 0;
    }
    /* RFC 8422 §5.1.2: uncompressed is the only format. */
    static const uint8_t kUncompressed = TH_EC_POINT_UNCOMPRESSED;
    th_ext_ec_point_formats pf = {{&kUncompressed, 1}};
    if (!th_client_add_ext(c, exts, TH_EXT_EC_POINT_FORMATS, &ext) ||
        !th_write_ext_ec_point_formats(&ext, &pf)) {
        return 0;
    }
    /* RFC 5077 §3.2: an empty session_ticket asks for a ticket; a ticket
     * of the session we resume is offered in it. */
    th_ext_session_ticket st = {{NULL, 0}};
    int ticket_offered = h != NULL ? h->ticket_offered : c->ticket12_offered;
    const th_session *s = ticket_offered ? c->cfg.session : NULL;
    if (s != NULL) {
        st.ticket.data = s->ticket;
        st.ticket.len = s->ticket_len;
    }
    if (!th_client_add_ext(c, exts, TH_EXT_SESSION_TICKET, &ext) ||
        !th_write_ext_session_ticket(&ext, &st)) {
        return 0;
    }
    /* RFC 6066 §8: status_type ocsp with no responder IDs and no request
     * extensions ("the server ... knows"). */
    if (c->cfg.ocsp_stapling) {
        th_ext_status_request_ch sr;
        memset(&sr, 0, sizeof(sr));
        sr.status_type = TH_CERT_STATUS_TYPE_OCSP;
        if (!th_client_add_ext(c, exts, TH_EXT_STATUS_REQUEST, &ext) ||
            !th_write_ext_status_request_ch(&ext, &sr)) {
            return 0;
        }
    }
    return CBB_flush(exts);
}

/* Writes our ClientHello body (TLS 1.2 only: client_version 0x0303, no
 * supported_versions). */
static int write_client_hello(th_conn *c, CBB *body) {
    size_t num_groups, num_schemes;
    const uint16_t *groups = th_conn_groups(c, &num_groups);
    const uint16_t *schemes = th_hs12_sig_schemes(c, &num_schemes);
    CBB sid, suites, comp, exts, ext;
    /* RFC 5246 §7.4.1.2: client_version is "the latest (highest valued)
     * version supported by the client". */
    if (!CBB_add_u16(body, TH_VERSION_TLS12) ||
        !CBB_add_bytes(body, c->hs12->client_random, TH_TLS12_RANDOM_LEN) ||
        !CBB_add_u8_length_prefixed(body, &sid) ||
        !CBB_add_bytes(&sid, c->session_id, c->session_id_len) ||
        !CBB_add_u16_length_prefixed(body, &suites) || !th_hs12_client_hello_suites(c, &suites) ||
        !CBB_add_u8_length_prefixed(body, &comp) || !CBB_add_u8(&comp, 0) ||
        !CBB_add_u16_length_prefixed(body, &exts)) {
        return 0;
    }
    if (!th_client_add_server_name(c, &exts)) {
        return 0;
    }
    th_ext_supported_groups sg = {(uint16_t *)groups, num_groups};
    th_ext_signature_algorithms sa = {(uint16_t *)schemes, num_schemes};
    if (!th_hs12_client_hello_exts(c, &exts) ||
        !th_client_add_ext(c, &exts, TH_EXT_SUPPORTED_GROUPS, &ext) ||
        !th_write_ext_supported_groups(&ext, &sg) ||
        !th_client_add_ext(c, &exts, TH_EXT_SIGNATURE_ALGORITHMS, &ext) ||
        !th_write_ext_signature_algorithms(&ext, &sa)) {
        return 0;
    }
    if (!th_client_add_alpn_and_rsl(c, &exts)) {
        return 0;
    }
    return CBB_flush(body);
}

/* Puts the session ID of |s| to offer into c->session_id: its own, or for a
 * ticket a random one, which the server echoes when it accepts the ticket
 * (RFC 5077 §3.4: the client "MAY generate and include a Session ID"). */
static void offer_session_id(th_conn *c, const th_session *s) {
    if (s->session_id_len != 0) {
        memcpy(c->session_id, s->session_id, s->session_id_len);
        c->session_id_len = s->session_id_len;
    } else {
        th_conn_random(c, c->session_id, sizeof(c->session_id));
        c->session_id_len = sizeof(c->session_id);
    }
}

void th_hs12_client_offer_session(th_conn *c) {
    const th_session *s = usable_session(c);
    c->session12_offered = s != NULL;
    c->ticket12_offered = s != NULL && s->ticket_len != 0;
    if (s != NULL) {
        offer_session_id(c, s);
    }
}

/* Starts a handshake (initial or renegotiation): fresh random, the session
 * to offer, and the ClientHello queued. */
static int send_client_hello(th_conn *c) {
    th_hs12 *h = c->hs12;
    memset(c->sent_exts, 0, sizeof(*c->sent_exts));
    th_conn_random(c, c->client_random, sizeof(c->client_random));
    memcpy(h->client_random, c->client_random, TH_TLS12_RANDOM_LEN);
    c->session_id_len = 0;
    h->ticket_offered = 0;
    /* No resumption in a renegotiation: its point is a new handshake. */
    const th_session *s = c->state == TH_CONN_ESTABLISHED ? NULL : usable_session(c);
    c->psk_offered = s != NULL;
    if (s != NULL) {
        h->ticket_offered = s->ticket_len != 0;
        offer_session_id(c, s);
    }
    CBB cbb, body;
    if (!th_conn_begin_message(&cbb, &body, TH_HS_CLIENT_HELLO)) {
        return 0;
    }
    if (!write_client_hello(c, &body)) {
        CBB_cleanup(&cbb);
        return 0;
    }
    c->hs_state = CL12_WAIT_SH;
    return th_hs12_send_message(c, &cbb) && th_conn_flush_flight(c);
}

int th_hs12_client_start(th_conn *c) {
    uint16_t suites[MAX_SUITES12];
    if (th_hs12_suites(c, suites, MAX_SUITES12) == 0) {
        return 0;
    }
    c->sent_exts = calloc(1, sizeof(*c->sent_exts));
    if (c->sent_exts == NULL || !th_hs12_new(c)) {
        return 0;
    }
    return send_client_hello(c);
}

/* 1 if our ClientHello listed |scheme| in signature_algorithms: the TLS
 * 1.2 list we wrote, or, for a ClientHello that offered TLS 1.3 too (kept
 * in c->ch1, written by hs13_client.c), the list it carries. */
static int scheme_offered(const th_conn *c, uint16_t scheme) {
    if (c->ch1 == NULL) {
        size_t n;
        const uint16_t *ours = th_hs12_sig_schemes(c, &n);
        for (size_t i = 0; i < n; i++) {
            if (ours[i] == scheme) {
                return 1;
            }
        }
        return 0;
    }
    CBS cbs;
    th_handshake hs;
    th_client_hello ch;
    uint8_t alert;
    int found = 0;
    CBS_init(&cbs, c->ch1, c->ch1_len);
    if (!th_parse_handshake(&cbs, &hs, &alert)) {
        return 0;
    }
    CBS_init(&cbs, hs.body.data, hs.body.len);
    if (!th_parse_client_hello(&cbs, &ch, &alert)) {
        return 0;
    }
    const th_ext *ext = th_ext_block_find(&ch.extensions, TH_EXT_SIGNATURE_ALGORITHMS);
    th_ext_signature_algorithms sa;
    if (ext != NULL) {
        CBS body = th_ext_body(ext);
        if (th_parse_ext_signature_algorithms(&body, &sa, &alert)) {
            for (size_t i = 0; i < sa.num_sig_algs && !found; i++) {
                found = sa.sig_algs[i] == scheme;
            }
            th_ext_signature_algorithms_cleanup(&sa);
        }
    }
    th_client_hello_cleanup(&ch);
    return found;
}

static int group_offered(const th_conn *c, uint16_t group) {
    size_t n;
    const uint16_t *groups = th_conn_groups(c, &n);
    for (size_t i = 0; i < n; i++) {
        if (groups[i] == group) {
            return 1;
        }
    }
    return 0;
}

/* The ALPN answer of the ServerHello: exactly one protocol we offered. */
static int take_alpn(th_conn *c, const th_ext *ext, uint8_t *out_alert) {
    th_ext_alpn_sh alpn;
    CBS body = th_ext_body(ext);
    if (!th_parse_ext_alpn_sh(&body, &alpn, out_alert)) {
        return 0;
    }
    /* RFC 7301 §3.1: the server's choice must be one the client offered;
     * BoringSSL answers illegal_parameter. */
    int found = 0;
    for (size_t j = 0; j < c->cfg.num_alpn && !found; j++) {
        found = strlen(c->cfg.alpn[j]) == alpn.protocol.len &&
                memcmp(c->cfg.alpn[j], alpn.protocol.data, alpn.protocol.len) == 0;
    }
    if (!found || alpn.protocol.len > TH_ALPN_MAX) {
        *out_alert = TH_ALERT_ILLEGAL_PARAMETER;
        return 0;
    }
    memcpy(c->alpn, alpn.protocol.data, alpn.protocol.len);
    c->alpn_len = alpn.protocol.len;
    return 1;
}

/* The ServerHello's extensions (RFC 5246 §7.4.1.4 and the RFCs of each). */
static int server_hello_exts(th_conn *c, const th_server_hello *sh, int renegotiating,
                             uint8_t *out_alert) {
    th_hs12 *h = c->hs12;
    int ri_seen = 0;
    c->alpn_len = 0;
    c->peer_rsl = 0;
    h->peer_ems = h->ticket_expected = h->ocsp = 0;
    for (size_t i = 0; i < sh->extensions.num_exts; i++) {
        const th_ext *ext = &sh->extensions.exts[i];
        /* RFC 5246 §7.4.1.4: "If a client receives an extension type in
         * ServerHello that it did not request in the associated ClientHello,
         * it MUST abort the handshake with an unsupported_extension fatal
         * alert." */
        if (!th_client_ext_sent(c, ext->type)) {
            *out_alert = TH_ALERT_UNSUPPORTED_EXTENSION;
            return 0;
        }
        CBS body = th_ext_body(ext);
        switch (ext->type) {
        case TH_EXT_RENEGOTIATION_INFO: {
            th_ext_renegotiation_info ri;
            if (!th_parse_ext_renegotiation_info(&body, &ri, out_alert)) {
                return 0;
            }
            /* RFC 5746 §3.4: initial handshake: "the client MUST check
             * that the length of the "renegotiated_connection" field is
             * zero, and if it is not, MUST abort the handshake (by sending
             * a fatal handshake_failure alert)"; §3.5 renegotiation: it must
             * be client_verify_data followed by server_verify_data. */
            uint8_t expected[2 * TH_TLS12_VERIFY_DATA_LEN];
            size_t expected_len = 0;
            if (renegotiating) {
                memcpy(expected, h->client_verify_data, TH_TLS12_VERIFY_DATA_LEN);
                memcpy(expected + TH_TLS12_VERIFY_DATA_LEN, h->server_verify_data,
                       TH_TLS12_VERIFY_DATA_LEN);
                expected_len = sizeof(expected);
            }
            if (ri.renegotiated_connection.len != expected_len ||
                CRYPTO_memcmp(ri.renegotiated_connection.data, expected, expected_len) != 0) {
                *out_alert = TH_ALERT_HANDSHAKE_FAILURE;
                return 0;
            }
            ri_seen = 1;
            break;
        }
        case TH_EXT_EXTENDED_MASTER_SECRET:
            h->peer_ems = 1;
            break;
        case TH_EXT_SESSION_TICKET:
            /* RFC 5077 §3.2: an empty session_ticket promises a
             * NewSessionTicket (the codec checked the body is empty). */
            h->ticket_expected = 1;
            break;
        case TH_EXT_STATUS_REQUEST:
            /* RFC 6066 §8: a CertificateStatus may follow the Certificate. */
            h->ocsp = 1;
            break;
        case TH_EXT_ALPN:
            if (!take_alpn(c, ext, out_alert)) {
                return 0;
            }
            break;
        case TH_EXT_RECORD_SIZE_LIMIT: {
            th_ext_record_size_limit rsl;
            if (!th_parse_ext_record_size_limit(&body, &rsl, out_alert)) {
                return 0;
            }
            c->peer_rsl = rsl.limit;
            break;
        }
        default:
            /* server_name and ec_point_formats need nothing more (the codec
             * checked ec_point_formats lists uncompressed, RFC 8422 §5.1.2);
             * we send no other extension. */
            break;
        }
    }
    if (renegotiating && !ri_seen) {
        /* RFC 5746 §3.5: in a secure renegotiation the client "MUST verify
         * that the "renegotiation_info" extension is present; if it is not,
         * the client MUST abort the handshake". */
        *out_alert = TH_ALERT_HANDSHAKE_FAILURE;
        return 0;
    }
    h->secure_reneg = ri_seen;
    return 1;
}

/* Resuming the offered session: the suite and the EMS must be the
 * session's; the key block comes from its master secret. */
static int resume_session(th_conn *c, const th_session *s, uint16_t suite, uint8_t *out_alert) {
    th_hs12 *h = c->hs12;
    /* RFC 5246 §7.4.1.3: on resumption the cipher_suite is the session's;
     * BoringSSL answers another with illegal_parameter. */
    if (suite != s->suite) {
        *out_alert = TH_ALERT_ILLEGAL_PARAMETER;
        return 0;
    }
    /* RFC 7627 §5.3: "If the original session used the extension but the
     * new ServerHello does not contain the extension, the client MUST abort
     * the handshake"; "If the original session did not use the extension
     * but the new ServerHello contains the extension, the client MUST abort
     * the handshake." Both are handshake_failure (§5.3). */
    if (h->peer_ems != (s->ems != 0)) {
        *out_alert = TH_ALERT_HANDSHAKE_FAILURE;
        return 0;
    }
    h->ems = s->ems != 0;
    c->resumed = 1;
    c->peer_authenticated = s->peer_authenticated;
    *out_alert = TH_ALERT_INTERNAL_ERROR;
    if (!th_secret_set(&h->master, s->psk.bytes, s->psk.len) || !th_hs12_derive_key_block(c)) {
        return 0;
    }
    return 1;
}

/* The part of the ServerHello both entries share, once c->hs12 exists and
 * holds the ClientHello. */
static int process_server_hello(th_conn *c, const th_handshake *hs, const uint8_t *msg,
                                size_t msg_len, int offered_tls13, uint8_t *out_alert) {
    th_hs12 *h = c->hs12;
    th_server_hello sh;
    CBS cbs;
    int ok = 0;
    int renegotiating = c->state == TH_CONN_ESTABLISHED;
    CBS_init(&cbs, hs->body.data, hs->body.len);
    if (!th_parse_server_hello(&cbs, &sh, out_alert)) {
        return 0;
    }
    /* A TLS 1.3 ServerHello or HelloRetryRequest where we offered only TLS
     * 1.2 (initially, or in a renegotiation: RFC 8446 §4.1.3 "A client that
     * receives a TLS 1.3 ServerHello during renegotiation MUST abort the
     * handshake with a "protocol_version" alert"), or a version other than
     * 1.2: RFC 5246 §E.1 "If the version chosen by the server is not
     * supported by the client (or not acceptable), the client MUST send a
     * "protocol_version" alert message and close the connection." */
    if ((!offered_tls13 && th_server_hello_ext_ctx(&sh) != TH_EXT_CTX_SH12) ||
        sh.legacy_version != TH_VERSION_TLS12) {
        *out_alert = TH_ALERT_PROTOCOL_VERSION;
        goto err;
    }
    /* RFC 8446 §4.1.3: "TLS 1.3 clients receiving a ServerHello indicating
     * TLS 1.2 or below MUST check that the last 8 bytes are not equal to
     * either of these values. ... If a match is found, the client MUST abort
     * the handshake with an "illegal_parameter" alert." */
    if (th_conn_version_enabled(c, TH_VERSION_TLS13) &&
        th_server_hello_downgrade_sentinel(&sh) != TH_DOWNGRADE_NONE) {
        *out_alert = TH_ALERT_ILLEGAL_PARAMETER;
        goto err;
    }
    /* RFC 5246 §7.4.1.3: the suite and the compression method are "selected
     * by the server from the list in ClientHello"; we offered null only. No
     * alert is named: illegal_parameter (RFC 8446 §6, as BoringSSL). */
    uint16_t suites[MAX_SUITES12];
    size_t n = th_hs12_suites(c, suites, MAX_SUITES12);
    int offered = 0;
    for (size_t i = 0; i < n && !offered; i++) {
        offered = suites[i] == sh.cipher_suite;
    }
    if (!offered || sh.legacy_compression_method != 0) {
        *out_alert = TH_ALERT_ILLEGAL_PARAMETER;
        goto err;
    }
    if (!server_hello_exts(c, &sh, renegotiating, out_alert)) {
        goto err;
    }
    *out_alert = TH_ALERT_INTERNAL_ERROR;
    memcpy(h->server_random, sh.random, TH_TLS12_RANDOM_LEN);
    if (!th_hs12_set_suite(c, sh.cipher_suite) || !th_hs12_add_message(c, msg, msg_len)) {
        goto err;
    }
    c->version = TH_VERSION_TLS12;
    /* RFC 5246 §7.4.1.3: the server resumes by echoing the session_id we
     * sent; RFC 5077 §3.4: also when it accepts our ticket. */
    const th_session *s = c->psk_offered && !renegotiating ? c->cfg.session : NULL;
    int resumed = s != NULL && c->session_id_len != 0 &&
                  sh.legacy_session_id_echo.len == c->session_id_len &&
                  memcmp(sh.legacy_session_id_echo.data, c->session_id, c->session_id_len) == 0;
    if (resumed) {
        if (!resume_session(c, s, sh.cipher_suite, out_alert)) {
            goto err;
        }
        /* RFC 5246 §7.3: "the server and client MUST send a
         * ChangeCipherSpec message and proceed directly to Finished";
         * RFC 5077 §3.1: a NewSessionTicket comes first when promised. */
        h->ccs_expected = !h->ticket_expected;
        c->hs_state = h->ticket_expected ? CL12_WAIT_NST : CL12_WAIT_FINISHED;
        ok = 1;
        goto err;
    }
    /* A full handshake: the session ID the server assigned (may be empty). */
    memcpy(c->session_id, sh.legacy_session_id_echo.data, sh.legacy_session_id_echo.len);
    c->session_id_len = sh.legacy_session_id_echo.len;
    c->resumed = 0;
    c->peer_authenticated = 0;
    /* RFC 7627 §5.3 (full handshake): "If the server does not [send the
     * extension] ... the client MAY abort"; required unless configured. */
    if (!h->peer_ems && !c->cfg.tls12_allow_no_ems) {
        *out_alert = TH_ALERT_HANDSHAKE_FAILURE;
        goto err;
    }
    h->ems = h->peer_ems;
    c->hs_state = CL12_WAIT_CERT;
    ok = 1;
err:
    th_server_hello_cleanup(&sh);
    return ok;
}

static int client_server_hello(th_conn *c, const th_handshake *hs, const uint8_t *msg,
                               size_t msg_len, uint8_t *out_alert) {
    return process_server_hello(c, hs, msg, msg_len, 0, out_alert);
}

int th_hs12_client_server_hello13(th_conn *c, const th_handshake *hs, const uint8_t *msg,
                                  size_t msg_len, uint8_t *out_alert) {
    *out_alert = TH_ALERT_INTERNAL_ERROR;
    if (!th_hs12_new(c)) {
        return 0;
    }
    memcpy(c->hs12->client_random, c->client_random, TH_TLS12_RANDOM_LEN);
    /* The ClientHello was kept whole in c->ch1 until the version was known;
     * the TLS 1.3 key share is of no use now. */
    if (c->ch1 == NULL || !th_hs12_add_message(c, c->ch1, c->ch1_len)) {
        return 0;
    }
    /* A TLS 1.3 PSK is no TLS 1.2 session; the TLS 1.2 session offered
     * beside it (th_hs12_client_offer_session) may be resumed. */
    c->psk_offered = c->session12_offered;
    c->hs12->ticket_offered = c->ticket12_offered;
    return process_server_hello(c, hs, msg, msg_len, 1, out_alert);
}

/* 1 if the server's leaf key fits the suite (RFC 8422 §2 / RFC 5246
 * §7.4.2: ECDSA for ECDHE_ECDSA, RSA for ECDHE_RSA and RSA). */
static int leaf_fits_suite(const th_conn *c) {
    int type = EVP_PKEY_id(c->peer_key);
    if (c->hs12->suite->auth == TH_TLS12_AUTH_ECDSA) {
        return type == EVP_PKEY_EC || type == EVP_PKEY_ED25519;
    }
    return type == EVP_PKEY_RSA;
}

static int client_certificate(th_conn *c, const th_handshake *hs, const uint8_t *msg,
                              size_t msg_len, uint8_t *out_alert) {
    int empty;
    if (!th_hs12_recv_certificate(c, hs, msg, msg_len, &empty, out_alert)) {
        return 0;
    }
    if (empty) {
        /* An empty server chain: decode_error, as BoringSSL. */
        *out_alert = th_alert_empty_server_chain(TH_VERSION_TLS12);
        return 0;
    }
    /* The key must be of the suite's authentication (RFC 5246 §7.4.2: "The
     * end entity certificate's public key ... MUST be compatible with the
     * selected key exchange algorithm"); BoringSSL answers
     * illegal_parameter. */
    if (!leaf_fits_suite(c)) {
        *out_alert = TH_ALERT_ILLEGAL_PARAMETER;
        return 0;
    }
    c->hs_state = c->hs12->suite->kx == TH_TLS12_KX_ECDHE ? CL12_WAIT_SKE : CL12_WAIT_CR_SHD;
    return 1;
}

static int client_certificate_status(th_conn *c, const th_handshake *hs, const uint8_t *msg,
                                     size_t msg_len, uint8_t *out_alert) {
    th_hs12 *h = c->hs12;
    /* RFC 6066 §8: a CertificateStatus only after the server acknowledged
     * status_request, once, "immediately after the Certificate message". */
    if (!h->ocsp) {
        *out_alert = TH_ALERT_UNEXPECTED_MESSAGE;
        return 0;
    }
    CBS cbs;
    th_certificate_status st;
    CBS_init(&cbs, hs->body.data, hs->body.len);
    if (!th_parse_certificate_status(&cbs, &st, out_alert)) {
        return 0;
    }
    h->ocsp = 0;
    *out_alert = TH_ALERT_INTERNAL_ERROR;
    /* Passed through for the caller (th_conn_peer_ocsp); judging the
     * response is not the handshake's. */
    uint8_t *copy = malloc(st.response.len);
    if (copy == NULL) {
        return 0;
    }
    memcpy(copy, st.response.data, st.response.len);
    free(c->peer_ocsp);
    c->peer_ocsp = copy;
    c->peer_ocsp_len = st.response.len;
    return th_hs12_add_message(c, msg, msg_len);
}

static int client_server_key_exchange(th_conn *c, const th_handshake *hs, const uint8_t *msg,
                                      size_t msg_len, uint8_t *out_alert) {
    th_hs12 *h = c->hs12;
    th_server_key_exchange_ecdhe ske;
    CBS cbs;
    uint8_t *content = NULL;
    size_t content_len = 0;
    CBS_init(&cbs, hs->body.data, hs->body.len);
    if (!th_parse_server_key_exchange_ecdhe(&cbs, &ske, out_alert)) {
        return 0;
    }
    /* RFC 8422 §5.4: the server picks a curve the client listed
     * ("MUST use the client's enumerated capabilities"); no alert is
     * named: illegal_parameter, as BoringSSL. */
    if (!group_offered(c, ske.named_curve) || !th_kex_group_supported(ske.named_curve)) {
        *out_alert = TH_ALERT_ILLEGAL_PARAMETER;
        return 0;
    }
    /* RFC 8422 §5.4 / RFC 8446 §4.2.8.2: the point must be on the curve and
     * uncompressed (the only format we offered): illegal_parameter. */
    if (!th_kex_check_peer_share(ske.named_curve, ske.public_key.data, ske.public_key.len,
                                 out_alert)) {
        return 0;
    }
    /* RFC 5246 §7.4.3: "the signature algorithm and hash algorithm MUST be a
     * pair listed in [the signature_algorithms] extension"; and it must be
     * of the certificate's key. No alert named: illegal_parameter. */
    if (!scheme_offered(c, ske.sig_alg) ||
        !th_sig_scheme_allowed(ske.sig_alg, c->peer_key, TH_VERSION_TLS12)) {
        *out_alert = TH_ALERT_ILLEGAL_PARAMETER;
        return 0;
    }
    *out_alert = TH_ALERT_INTERNAL_ERROR;
    if (!th_hs12_ske_content(h, ske.named_curve, ske.public_key.data, ske.public_key.len, &content,
                             &content_len)) {
        return 0;
    }
#if defined(TH_FUZZING_UNSAFE)
    /* Fuzzing mode (th_tls_unsafe only): any signature is accepted. */
    int sig_ok = 1;
#else
    /* RFC 5246 §7.2.2: a signature that does not verify is decrypt_error. */
    int sig_ok = th_sig_verify(c->peer_key, ske.sig_alg, content, content_len, ske.signature.data,
                               ske.signature.len, out_alert);
#endif
    OPENSSL_free(content);
    if (!sig_ok) {
        return 0;
    }
    /* Our key pair in the server's group (a ClientHello that offered TLS
     * 1.3 may have left a share of another group) and the premaster. */
    uint8_t secret[TH_KEX_MAX_SECRET];
    size_t secret_len = 0;
    th_kex_cleanup(&c->kex);
    *out_alert = TH_ALERT_INTERNAL_ERROR;
    if (!th_kex_generate(&c->kex, ske.named_curve, th_conn_random_cb, c)) {
        return 0;
    }
    if (!th_kex_compute(&c->kex, ske.public_key.data, ske.public_key.len, secret, &secret_len,
                        out_alert)) {
        OPENSSL_cleanse(secret, sizeof(secret));
        return 0;
    }
    int ok = th_secret_set(&h->premaster, secret, secret_len);
    OPENSSL_cleanse(secret, sizeof(secret));
    *out_alert = TH_ALERT_INTERNAL_ERROR;
    if (!ok || !th_hs12_add_message(c, msg, msg_len)) {
        return 0;
    }
    c->group = ske.named_curve;
    c->peer_sig_scheme = ske.sig_alg;
    c->hs_state = CL12_WAIT_CR_SHD;
    return 1;
}

static int client_certificate_request(th_conn *c, const th_handshake *hs, const uint8_t *msg,
                                      size_t msg_len, uint8_t *out_alert) {
    th_certificate_request_tls12 cr;
    CBS cbs;
    CBS_init(&cbs, hs->body.data, hs->body.len);
    if (!th_parse_certificate_request_tls12(&cbs, &cr, out_alert)) {
        return 0;
    }
    *out_alert = TH_ALERT_INTERNAL_ERROR;
    if (!th_hs12_add_message(c, msg, msg_len)) {
        th_certificate_request_tls12_cleanup(&cr);
        return 0;
    }
    /* Which of our keys the request allows is judged when we answer: keep
     * the schemes, and the certificate_types (at most 255, u8-prefixed) in
     * cr_context, which TLS 1.2 does not otherwise use. */
    free(c->cr_sig_algs);
    c->cr_sig_algs = cr.sig_algs;
    c->num_cr_sig_algs = cr.num_sig_algs;
    cr.sig_algs = NULL;
    cr.num_sig_algs = 0;
    c->cr_context_len = 0;
    for (size_t i = 0; i < cr.certificate_types.len && i < sizeof(c->cr_context); i++) {
        c->cr_context[c->cr_context_len++] = cr.certificate_types.data[i];
    }
    th_certificate_request_tls12_cleanup(&cr);
    c->cert_requested = 1;
    c->hs_state = CL12_WAIT_SHD;
    return 1;
}

/* 1 if the CertificateRequest's certificate_types (kept in c->cr_context)
 * allow |key| (RFC 5246 §7.4.4, RFC 8422 §3: ecdsa_sign also for Ed25519). */
static int cert_type_allowed(const th_conn *c, const EVP_PKEY *key) {
    uint8_t want = EVP_PKEY_id(key) == EVP_PKEY_RSA ? TH_CLIENT_CERT_TYPE_RSA_SIGN
                                                    : TH_CLIENT_CERT_TYPE_ECDSA_SIGN;
    for (size_t i = 0; i < c->cr_context_len; i++) {
        if (c->cr_context[i] == want) {
            return 1;
        }
    }
    return 0;
}

/* Our chain and scheme for a CertificateVerify (c->cert_key): the first
 * candidate whose key type the request allows and that can make one of
 * its schemes; 0 if none. */
static uint16_t client_sig_scheme(th_conn *c) {
    for (size_t i = 0; i < th_conn_num_cert_keys(c); i++) {
        const th_cert_key *ck = th_conn_cert_key_at(c, i);
        if (ck->key == NULL || ck->num_chain == 0 || !cert_type_allowed(c, ck->key)) {
            continue;
        }
        uint16_t scheme = th_hs12_sig_scheme_for(c, ck, c->cr_sig_algs, c->num_cr_sig_algs);
        if (scheme != 0) {
            c->cert_key = ck;
            return scheme;
        }
    }
    return 0;
}

/* The RSA ClientKeyExchange (RFC 5246 §7.4.7.1): a premaster of our
 * client_version and 46 random bytes, PKCS #1 v1.5-encrypted to the
 * server's key. */
/* The RSAES-PKCS1-v1_5 encoded message of |msg| (RFC 8017 §7.2.1 step 2:
 * EM = 0x00 || 0x02 || PS || 0x00 || M, PS at least 8 nonzero octets) into
 * |em| of |em_len| = the modulus length. Its randomness comes from the
 * config like all of ours (BoringSSL's RSA_PKCS1_PADDING would draw its own),
 * so tests and fuzzing replay the exchange; BoringSSL does the modular
 * exponentiation (RSA_NO_PADDING). 0 if |msg| does not fit. */
static int pkcs1_type2_block(th_conn *c, uint8_t *em, size_t em_len, const uint8_t *msg,
                             size_t msg_len) {
    if (em_len < msg_len + 11) {
        return 0;
    }
    size_t ps_len = em_len - msg_len - 3;
    em[0] = 0x00;
    em[1] = 0x02;
    th_conn_random(c, em + 2, ps_len);
    for (size_t i = 0; i < ps_len; i++) {
        /* A zero octet is drawn again (PS must be nonzero); a source that
         * keeps giving zeros (a test's) cannot make this loop forever. */
        for (int tries = 0; em[2 + i] == 0 && tries < 8; tries++) {
            th_conn_random(c, em + 2 + i, 1);
        }
        if (em[2 + i] == 0) {
            em[2 + i] = 0x01;
        }
    }
    em[2 + ps_len] = 0x00;
    memcpy(em + 3 + ps_len, msg, msg_len);
    return 1;
}

static int send_rsa_key_exchange(th_conn *c) {
    th_hs12 *h = c->hs12;
    uint8_t pms[TH_HS12_PREMASTER_MAX];
    RSA *rsa = EVP_PKEY_get0_RSA(c->peer_key);
    if (rsa == NULL) {
        return 0;
    }
    /* RFC 5246 §7.4.7.1: "client_version: The latest (newest) version
     * supported by the client", the version of the ClientHello. */
    pms[0] = TH_VERSION_TLS12 >> 8;
    pms[1] = TH_VERSION_TLS12 & 0xff;
    th_conn_random(c, pms + 2, sizeof(pms) - 2);
    size_t max = RSA_size(rsa), enc_len = 0;
    uint8_t *enc = malloc(max);
    uint8_t *em = malloc(max);
    int ok = enc != NULL && em != NULL && pkcs1_type2_block(c, em, max, pms, sizeof(pms)) &&
             RSA_encrypt(rsa, &enc_len, enc, max, em, max, RSA_NO_PADDING) &&
             th_secret_set(&h->premaster, pms, sizeof(pms));
    OPENSSL_cleanse(pms, sizeof(pms));
    if (em != NULL) {
        OPENSSL_cleanse(em, max);
        free(em);
    }
    CBB cbb, body;
    th_client_key_exchange_rsa cke = {{enc, enc_len}};
    if (ok && th_conn_begin_message(&cbb, &body, TH_HS_CLIENT_KEY_EXCHANGE)) {
        if (!th_write_client_key_exchange_rsa(&body, &cke)) {
            CBB_cleanup(&cbb);
            ok = 0;
        } else {
            ok = th_hs12_send_message(c, &cbb);
        }
    } else {
        ok = 0;
    }
    free(enc);
    return ok;
}

static int send_ecdhe_key_exchange(th_conn *c) {
    CBB cbb, body;
    th_client_key_exchange_ecdhe cke = {{c->kex.public_key, c->kex.public_key_len}};
    if (!th_conn_begin_message(&cbb, &body, TH_HS_CLIENT_KEY_EXCHANGE)) {
        return 0;
    }
    if (!th_write_client_key_exchange_ecdhe(&body, &cke)) {
        CBB_cleanup(&cbb);
        return 0;
    }
    return th_hs12_send_message(c, &cbb);
}

/* CertificateVerify (RFC 5246 §7.4.8): a signature over handshake_messages
 * with the hash of |scheme|. */
static int send_certificate_verify(th_conn *c, uint16_t scheme) {
    th_hs12 *h = c->hs12;
    uint8_t *sig = NULL;
    size_t sig_len = 0;
    if (!th_sig_sign(c->cert_key->key, scheme, h->msgs, h->msgs_len, &sig, &sig_len)) {
        return 0;
    }
    CBB cbb, body;
    th_certificate_verify cv = {scheme, {sig, sig_len}};
    int ok = th_conn_begin_message(&cbb, &body, TH_HS_CERTIFICATE_VERIFY);
    if (ok && !th_write_certificate_verify(&body, &cv)) {
        CBB_cleanup(&cbb);
        ok = 0;
    }
    ok = ok && th_hs12_send_message(c, &cbb);
    OPENSSL_free(sig);
    return ok;
}

/* After our Finished: the NewSessionTicket the server promised, or its
 * CCS and Finished. */
static void wait_server_finish(th_conn *c) {
    th_hs12 *h = c->hs12;
    h->ccs_expected = !h->ticket_expected;
    c->hs_state = h->ticket_expected ? CL12_WAIT_NST : CL12_WAIT_FINISHED;
}

static int client_server_hello_done(th_conn *c, const th_handshake *hs, const uint8_t *msg,
                                    size_t msg_len, uint8_t *out_alert) {
    th_hs12 *h = c->hs12;
    th_server_hello_done shd;
    CBS cbs;
    CBS_init(&cbs, hs->body.data, hs->body.len);
    if (!th_parse_server_hello_done(&cbs, &shd, out_alert)) {
        return 0;
    }
    *out_alert = TH_ALERT_INTERNAL_ERROR;
    if (!th_hs12_add_message(c, msg, msg_len)) {
        return 0;
    }
    uint16_t scheme = 0;
    if (c->cert_requested) {
        /* RFC 5246 §7.4.6: "If no suitable certificate is available, the
         * client MUST send a certificate message containing no
         * certificates." */
        scheme = client_sig_scheme(c);
        if (!th_hs12_send_certificate(c, scheme != 0)) {
            return 0;
        }
        h->client_cert_sent = scheme != 0;
    }
    int ok =
        h->suite->kx == TH_TLS12_KX_RSA ? send_rsa_key_exchange(c) : send_ecdhe_key_exchange(c);
    /* RFC 7627 §4: the session hash covers the messages through
     * ClientKeyExchange, so the master secret comes before the
     * CertificateVerify. */
    if (!ok || !th_hs12_derive_master(c) ||
        (h->client_cert_sent && !send_certificate_verify(c, scheme)) || !th_hs12_send_ccs(c) ||
        !th_hs12_send_finished(c)) {
        return 0;
    }
    th_kex_cleanup(&c->kex);
    wait_server_finish(c);
    return 1;
}

static int client_new_session_ticket(th_conn *c, const th_handshake *hs, const uint8_t *msg,
                                     size_t msg_len, uint8_t *out_alert) {
    th_hs12 *h = c->hs12;
    th_new_session_ticket_tls12 nst;
    CBS cbs;
    CBS_init(&cbs, hs->body.data, hs->body.len);
    if (!th_parse_new_session_ticket_tls12(&cbs, &nst, out_alert)) {
        return 0;
    }
    *out_alert = TH_ALERT_INTERNAL_ERROR;
    free(h->ticket);
    h->ticket = NULL;
    h->ticket_len = 0;
    /* RFC 5077 §3.3: a zero-length ticket means the server changed its mind. */
    if (nst.ticket.len != 0) {
        h->ticket = malloc(nst.ticket.len);
        if (h->ticket == NULL) {
            return 0;
        }
        memcpy(h->ticket, nst.ticket.data, nst.ticket.len);
        h->ticket_len = nst.ticket.len;
        c->tickets_received++;
    }
    h->ticket_lifetime_hint = nst.ticket_lifetime_hint;
    if (!th_hs12_add_message(c, msg, msg_len)) {
        return 0;
    }
    h->ccs_expected = 1;
    c->hs_state = CL12_WAIT_FINISHED;
    return 1;
}

/* Keeps the session of this handshake for th_conn_take_session: resumable
 * when it has a session ID or a ticket (RFC 5246 §7.4.1.3: an empty
 * session_id means "the session will not be cached"). A resumed session
 * keeps its ticket unless a new one came. */
static int store_session(th_conn *c) {
    th_hs12 *h = c->hs12;
    const th_session *old = c->resumed ? c->cfg.session : NULL;
    const uint8_t *ticket = h->ticket;
    size_t ticket_len = h->ticket_len;
    if (ticket_len == 0 && old != NULL && !h->ticket_expected) {
        ticket = old->ticket;
        ticket_len = old->ticket_len;
    }
    /* A session resumed by ticket carries our own random ID, not a cache
     * entry of the server: keep only what the server keeps. */
    size_t id_len = c->session_id_len;
    if (old != NULL && old->session_id_len == 0) {
        id_len = 0;
    }
    if (ticket_len == 0 && id_len == 0) {
        return 1;
    }
    th_session *s = calloc(1, sizeof(*s));
    if (s == NULL) {
        return 0;
    }
    if (ticket_len != 0) {
        s->ticket = malloc(ticket_len);
        if (s->ticket == NULL) {
            th_session_free(s);
            return 0;
        }
        memcpy(s->ticket, ticket, ticket_len);
        s->ticket_len = ticket_len;
    }
    if (!th_secret_set(&s->psk, h->master.bytes, h->master.len)) {
        th_session_free(s);
        return 0;
    }
    s->version = TH_VERSION_TLS12;
    s->suite = c->suite;
    memcpy(s->session_id, c->session_id, id_len);
    s->session_id_len = id_len;
    s->ems = h->ems;
    s->received = th_conn_now(c);
    uint32_t lifetime =
        h->ticket_lifetime_hint != 0 ? h->ticket_lifetime_hint : DEFAULT_SESSION_LIFETIME;
    s->lifetime = lifetime < TH_MAX_TICKET_LIFETIME ? lifetime : TH_MAX_TICKET_LIFETIME;
    s->peer_authenticated = c->peer_authenticated;
    memcpy(s->alpn, c->alpn, c->alpn_len);
    s->alpn_len = c->alpn_len;
    th_session_free(c->session);
    c->session = s;
    return 1;
}

static int client_finished(th_conn *c, const th_handshake *hs, const uint8_t *msg, size_t msg_len,
                           uint8_t *out_alert) {
    th_hs12 *h = c->hs12;
    if (!th_hs12_check_finished(c, hs, msg, msg_len, out_alert)) {
        return 0;
    }
    *out_alert = TH_ALERT_INTERNAL_ERROR;
    /* RFC 5246 §7.3: in the abbreviated handshake the client answers the
     * server's Finished with its CCS and Finished. */
    if (c->resumed && (!th_hs12_send_ccs(c) || !th_hs12_send_finished(c))) {
        return 0;
    }
    if (!th_conn_flush_flight(c) || !store_session(c)) {
        return 0;
    }
    h->ticket_expected = 0;
    c->hs_state = CL12_DONE;
    c->hs_trimmed = 0;
    th_hs12_established(c);
    return 1;
}

/* A HelloRequest while handshaking: RFC 5246 §7.4.1.1 "This message will
 * be ignored by the client if the client is currently negotiating a
 * session." Between the server's CCS and its Finished nothing else may
 * come. */
static int client_hello_request_ignored(th_conn *c, const th_handshake *hs, const uint8_t *msg,
                                        size_t msg_len, uint8_t *out_alert) {
    th_hello_request hr;
    CBS cbs;
    if (c->hs12 != NULL && c->hs12->ccs_received) {
        *out_alert = TH_ALERT_UNEXPECTED_MESSAGE;
        return 0;
    }
    CBS_init(&cbs, hs->body.data, hs->body.len);
    return th_parse_hello_request(&cbs, &hr, out_alert);
}

/* A HelloRequest once established (RFC 5246 §7.4.1.1): refused with a
 * warning no_renegotiation (§7.2.2: "the recipient ... may respond with
 * this alert"), or answered with a new ClientHello when the config accepts
 * renegotiation and the server supports the secure kind (RFC 5746 §4.2:
 * clients "SHOULD NOT" renegotiate with a server that does not). Not part
 * of the transcript (§7.4.1.1: "MUST NOT be included in the message
 * hashes"). */
static int client_hello_request(th_conn *c, const th_handshake *hs, const uint8_t *msg,
                                size_t msg_len, uint8_t *out_alert) {
    th_hs12 *h = c->hs12;
    th_hello_request hr;
    CBS cbs;
    CBS_init(&cbs, hs->body.data, hs->body.len);
    if (!th_parse_hello_request(&cbs, &hr, out_alert)) {
        return 0;
    }
    if (c->we_closed) {
        /* Nothing follows our close_notify (RFC 5246 §7.2.1). */
        return 1;
    }
    *out_alert = TH_ALERT_INTERNAL_ERROR;
    if (c->cfg.renegotiation == TH_RENEGOTIATE_ACCEPT && h->secure_reneg) {
        c->sent_exts = c->sent_exts != NULL ? c->sent_exts : calloc(1, sizeof(*c->sent_exts));
        if (c->sent_exts == NULL) {
            return 0;
        }
        /* A new handshake under the current keys: a fresh transcript, the
         * verify_data of the last one kept for renegotiation_info. The
         * handshake state is in use again: conn.c must not trim it until
         * this handshake ends (client_finished). */
        c->hs_trimmed = 1;
        h->msgs_len = 0;
        h->ccs_expected = h->ccs_received = 0;
        h->client_cert_sent = 0;
        c->cert_requested = 0;
        return send_client_hello(c);
    }
    if (!th_conn_flush_flight(c)) {
        return 0;
    }
    th_conn_send_alert(c, TH_ALERT_LEVEL_WARNING, TH_ALERT_NO_RENEGOTIATION);
    return 1;
}

const th_hs_row th_hs12_client_table[] = {
    {CL12_WAIT_SH, TH_HS_SERVER_HELLO, client_server_hello},
    {CL12_WAIT_CERT, TH_HS_CERTIFICATE, client_certificate},
    {CL12_WAIT_SKE, TH_HS_CERTIFICATE_STATUS, client_certificate_status},
    {CL12_WAIT_SKE, TH_HS_SERVER_KEY_EXCHANGE, client_server_key_exchange},
    {CL12_WAIT_CR_SHD, TH_HS_CERTIFICATE_STATUS, client_certificate_status},
    {CL12_WAIT_CR_SHD, TH_HS_CERTIFICATE_REQUEST, client_certificate_request},
    {CL12_WAIT_CR_SHD, TH_HS_SERVER_HELLO_DONE, client_server_hello_done},
    {CL12_WAIT_SHD, TH_HS_SERVER_HELLO_DONE, client_server_hello_done},
    {CL12_WAIT_NST, TH_HS_NEW_SESSION_TICKET, client_new_session_ticket},
    {CL12_WAIT_FINISHED, TH_HS_FINISHED, client_finished},
    {CL12_WAIT_SH, TH_HS_HELLO_REQUEST, client_hello_request_ignored},
    {CL12_WAIT_CERT, TH_HS_HELLO_REQUEST, client_hello_request_ignored},
    {CL12_WAIT_SKE, TH_HS_HELLO_REQUEST, client_hello_request_ignored},
    {CL12_WAIT_CR_SHD, TH_HS_HELLO_REQUEST, client_hello_request_ignored},
    {CL12_WAIT_SHD, TH_HS_HELLO_REQUEST, client_hello_request_ignored},
    {CL12_WAIT_NST, TH_HS_HELLO_REQUEST, client_hello_request_ignored},
    {CL12_WAIT_FINISHED, TH_HS_HELLO_REQUEST, client_hello_request_ignored},
    {CL12_DONE, TH_HS_HELLO_REQUEST, client_hello_request},
};
const size_t th_hs12_client_table_len =
    sizeof(th_hs12_client_table) / sizeof(th_hs12_client_table[0]);
