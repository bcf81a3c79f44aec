/* The scripted endpoint's TLS 1.2 server role (RFC 5246 §7.3 message
 * flow): ServerHello answering the ClientHello's extended_master_secret
 * (RFC 7627), renegotiation_info (RFC 5746), session_ticket (RFC 5077),
 * ALPN and record_size_limit; Certificate, ECDHE ServerKeyExchange (RFC
 * 8422 §5.4), CertificateRequest, ServerHelloDone; the client's flight
 * checked as a correct server would (RSA premaster per §7.4.7.1);
 * NewSessionTicket and resumption by session ID or ticket. */
#include <stdlib.h>
#include <string.h>

#include <openssl/mem.h>
#include <openssl/rsa.h>

#include "certificate_request_tls12.h"
#include "certificate_status.h"
#include "certificate_verify.h"
#include "client_key_exchange.h"
#include "ep12_internal.h"
#include "ext_types.h"
#include "names.h"
#include "new_session_ticket_tls12.h"
#include "server_hello.h"
#include "server_key_exchange.h"
#include "sigs.h"

/* RFC 5077 §5.6 lets the server pick; a day, as BoringSSL's default. */
#define TICKET_LIFETIME 86400

static int cfg_has_version(const th_ep *ep, uint16_t v) {
    for (size_t i = 0; i < ep->cfg->num_versions; i++) {
        if (ep->cfg->versions[i] == v) {
            return 1;
        }
    }
    return 0;
}

static void new_server_random(th_ep *ep) {
    ep_random(ep, ep->server_random, sizeof(ep->server_random));
    if (cfg_has_version(ep, TH_VERSION_TLS13)) {
        /* RFC 8446 §4.1.3: a TLS 1.3 server negotiating TLS 1.2 ends its
         * random with the downgrade sentinel. */
        memcpy(ep->server_random + 24, th_downgrade_sentinel_bytes(TH_DOWNGRADE_TLS12), 8);
    }
}

static int s_start(th_ep *ep) {
    if (!ep12_state_new(ep)) {
        return 0;
    }
    new_server_random(ep);
    return 1;
}

/* 1 if |s| can be used with our certificate's key (RFC 5246 §7.4.2). */
static int suite_fits_key(const th_tls12_suite *s, EVP_PKEY *key) {
    int id = EVP_PKEY_id(key);
    if (s->auth == TH_TLS12_AUTH_ECDSA) {
        return id == EVP_PKEY_EC || id == EVP_PKEY_ED25519;
    }
    return id == EVP_PKEY_RSA;
}

/* ---- receiving the ClientHello ---------------------------------------- */

static int recv_ch(th_ep *ep, const th_ep_event *ev, int *local, char *why, size_t why_len) {
    ep12_st *st = ep12_state(ep);
    char err[256];
    ep12_offer_cleanup(&st->offer);
    if (!ep12_offer_parse(ev->bytes, ev->len, &st->offer)) {
        snprintf(why, why_len, "a client_hello our codec rejects");
        return 0;
    }
    const ep12_offer *o = &st->offer;
    if (!st->reneg && o->has_ri_ext && !(o->ri_body_len == 1 && o->ri_body[0] == 0)) {
        snprintf(why, why_len,
                 "an initial renegotiation_info that is not empty (RFC 5746 §3.6: "
                 "handshake_failure)");
        return 0;
    }
    if (st->reneg &&
        (o->ri_scsv || !o->has_ri_ext || o->ri_body_len != 1 + TH_TLS12_VERIFY_DATA_LEN ||
         o->ri_body[0] != TH_TLS12_VERIFY_DATA_LEN ||
         memcmp(o->ri_body + 1, st->client_vd, TH_TLS12_VERIFY_DATA_LEN) != 0)) {
        snprintf(why, why_len,
                 "a renegotiation client_hello whose renegotiation_info is not the "
                 "client_verify_data, or with the SCSV (RFC 5746 §3.7: handshake_failure)");
        return 0;
    }
    if (ep_our_cert(ep, EP_SERVER_CERTIFICATE, err, sizeof(err)) == NULL) {
        *local = 1;
        snprintf(why, why_len, "%s", err);
        return 0;
    }
    memcpy(ep->client_random, o->random, 32);
    /* Resumption (RFC 5246 §7.4.1.2, RFC 5077 §3.4) of the session of the
     * ticket run, unless the EMS state changed (RFC 7627 §5.3: abort or a
     * full handshake; we do the full handshake). */
    int match = 0;
    if (ep->cfg->resume && !ep->first_connection && ep->ticket.valid && !st->reneg) {
        match = (o->has_ticket && o->ticket_len != 0 && o->ticket_len == ep->ticket.ticket_len &&
                 memcmp(o->ticket, ep->ticket.ticket, o->ticket_len) == 0) ||
                (o->session_id_len != 0 && o->session_id_len == ep->sess12_id_len &&
                 memcmp(o->session_id, ep->sess12_id, o->session_id_len) == 0);
        match = match && ep12_list_has(o->suites, o->num_suites, ep->ticket.suite) &&
                (ep->cfg->no_ems || !o->ems == !ep->sess12_ems);
    }
    uint16_t suite = 0;
    if (match) {
        suite = ep->ticket.suite;
    } else {
        uint16_t ours[64];
        size_t n = ep12_cfg_suites(ep, ours, 64);
        for (size_t i = 0; i < n && suite == 0; i++) {
            const th_tls12_suite *s = th_tls12_suite_find(ours[i]);
            if (ep12_list_has(o->suites, o->num_suites, ours[i]) && s != NULL &&
                suite_fits_key(s, ep->cert.key)) {
                suite = ours[i];
            }
        }
    }
    if (suite == 0 || !ep12_set_suite(ep, suite)) {
        snprintf(why, why_len,
                 "a client_hello with no cipher suite we can use (RFC 5246 §7.4.1.3: "
                 "handshake_failure)");
        return 0;
    }
    st->ems = o->ems && !ep->cfg->no_ems;
    st->etm = o->etm && st->suite->cipher == TH_TLS12_CIPHER_AES_CBC_HMAC_SHA1;
    st->ticket_expected = o->has_ticket && !match;
    /* RFC 7301 §3.2: our first protocol the client offers. */
    for (size_t i = 0; i < ep->cfg->num_alpn && ep->neg.alpn[0] == '\0'; i++) {
        for (size_t j = 0; j < o->num_alpn; j++) {
            if (strcmp(ep->cfg->alpn[i], o->alpn[j]) == 0 &&
                strlen(o->alpn[j]) < sizeof(ep->neg.alpn)) {
                snprintf(ep->neg.alpn, sizeof(ep->neg.alpn), "%s", o->alpn[j]);
                break;
            }
        }
    }
    if (o->rsl != 0) {
        ep->peer_record_size_limit = o->rsl;
    }
    /* RFC 8422 §5.1: a client without supported_groups takes P-256. */
    uint16_t groups[32];
    size_t ng = ep12_cfg_groups(ep, groups, 32);
    st->group = 0;
    for (size_t i = 0; i < ng && st->group == 0; i++) {
        if ((o->has_groups ? ep12_list_has(o->groups, o->num_groups, groups[i])
                           : groups[i] == TH_GROUP_SECP256R1) &&
            th_kex_group_supported(groups[i])) {
            st->group = groups[i];
        }
    }
    if (!ep12_msgs_add_recv(ep, ev, local, why, why_len)) {
        return 0;
    }
    if (match) {
        st->resumed = 1;
        st->session_id_len = o->session_id_len;
        memcpy(st->session_id, o->session_id, o->session_id_len);
        st->master = ep->ticket.psk;
    } else {
        st->session_id_len = 32;
        ep_random(ep, st->session_id, 32);
    }
    st->state = EP12_S_FLIGHT1;
    return 1;
}

/* ---- building --------------------------------------------------------- */

static int build_sh(th_ep *ep, const th_sc_send *step, CBB *body, char *err, size_t err_len) {
    ep12_st *st = ep12_state(ep);
    th_server_hello sh;
    memset(&sh, 0, sizeof(sh));
    uint8_t alpn[260], rsl[2], sv[2];
    static const uint8_t kPointFormats[2] = {1, 0};
    static const uint8_t kEmptyRi[1] = {0};
    int ok = 0;
    sh.legacy_version = TH_VERSION_TLS12;
    memcpy(sh.random, ep->server_random, 32);
    sh.legacy_session_id_echo.data = st->session_id;
    sh.legacy_session_id_echo.len = st->session_id_len;
    sh.cipher_suite = ep->neg.cipher_suite;
    sh.has_extensions = 1;
    snprintf(err, err_len, "out of memory building the server_hello");
    /* RFC 5746 §3.6: an empty renegotiation_info answers the extension or
     * the SCSV. */
    /* RFC 5746 §3.7: in a renegotiation, client_verify_data +
     * server_verify_data. */
    uint8_t ri[1 + 2 * TH_TLS12_VERIFY_DATA_LEN] = {2 * TH_TLS12_VERIFY_DATA_LEN};
    memcpy(ri + 1, st->client_vd, TH_TLS12_VERIFY_DATA_LEN);
    memcpy(ri + 1 + TH_TLS12_VERIFY_DATA_LEN, st->server_vd, TH_TLS12_VERIFY_DATA_LEN);
    th_bytes ri_body = st->reneg ? (th_bytes){ri, sizeof(ri)} : (th_bytes){kEmptyRi, 1};
    if (st->offer.ri && !th_ext_block_add(&sh.extensions, TH_EXT_RENEGOTIATION_INFO, ri_body)) {
        goto done;
    }
    if (st->ems &&
        !th_ext_block_add(&sh.extensions, TH_EXT_EXTENDED_MASTER_SECRET, (th_bytes){NULL, 0})) {
        goto done;
    }
    if (st->ticket_expected &&
        !th_ext_block_add(&sh.extensions, TH_EXT_SESSION_TICKET, (th_bytes){NULL, 0})) {
        goto done;
    }
    if (st->offer.has_point_formats && st->suite != NULL && st->suite->kx == TH_TLS12_KX_ECDHE &&
        !th_ext_block_add(&sh.extensions, TH_EXT_EC_POINT_FORMATS, (th_bytes){kPointFormats, 2})) {
        goto done;
    }
    size_t al = strlen(ep->neg.alpn);
    if (al != 0) {
        alpn[0] = (uint8_t)((al + 1) >> 8);
        alpn[1] = (uint8_t)(al + 1);
        alpn[2] = (uint8_t)al;
        memcpy(alpn + 3, ep->neg.alpn, al);
        if (!th_ext_block_add(&sh.extensions, TH_EXT_ALPN, (th_bytes){alpn, al + 3})) {
            goto done;
        }
    }
    if (st->etm &&
        !th_ext_block_add(&sh.extensions, TH_EXT_ENCRYPT_THEN_MAC, (th_bytes){NULL, 0})) {
        goto done;
    }
    if (st->offer.rsl != 0 && ep->cfg->record_size_limit != 0) {
        rsl[0] = (uint8_t)(ep->cfg->record_size_limit >> 8);
        rsl[1] = (uint8_t)ep->cfg->record_size_limit;
        if (!th_ext_block_add(&sh.extensions, TH_EXT_RECORD_SIZE_LIMIT, (th_bytes){rsl, 2})) {
            goto done;
        }
    }
    for (size_t i = 0; step != NULL && i < step->num_sets; i++) {
        const th_sc_value *v = &step->sets[i].value;
        switch (step->sets[i].field) {
        case TH_SC_F_SH_LEGACY_VERSION:
            sh.legacy_version = (uint16_t)v->i;
            break;
        case TH_SC_F_SH_RANDOM:
            memcpy(sh.random, v->bytes, 32);
            break;
        case TH_SC_F_SH_RANDOM_SUFFIX:
            memcpy(sh.random + 32 - v->bytes_len, v->bytes, v->bytes_len);
            break;
        case TH_SC_F_SH_SESSION_ID_ECHO:
            sh.legacy_session_id_echo.data = v->bytes;
            sh.legacy_session_id_echo.len = v->bytes_len;
            break;
        case TH_SC_F_SH_CIPHER_SUITE:
            sh.cipher_suite = (uint16_t)v->i;
            break;
        case TH_SC_F_SH_COMPRESSION_METHOD:
            sh.legacy_compression_method = (uint8_t)v->i;
            break;
        case TH_SC_F_SH_SELECTED_VERSION:
            sv[0] = (uint8_t)(v->i >> 8);
            sv[1] = (uint8_t)v->i;
            if (!th_ext_block_add(&sh.extensions, TH_EXT_SUPPORTED_VERSIONS, (th_bytes){sv, 2})) {
                goto done;
            }
            break;
        default:
            snprintf(err, err_len, "field %s cannot be set on a TLS 1.2 server_hello",
                     th_sc_field_info_of(step->sets[i].field)
                         ? th_sc_field_info_of(step->sets[i].field)->name
                         : "?");
            goto done;
        }
    }
    if (step != NULL &&
        !ep_apply_ext_ops(&sh.extensions, step->ext_ops, step->num_ext_ops, err, err_len)) {
        goto done;
    }
    /* RFC 5246 §7.4.1.3: no extensions, no block. */
    sh.has_extensions = sh.extensions.num_exts != 0;
    ok = th_write_server_hello(body, &sh);
    if (!ok) {
        snprintf(err, err_len, "cannot write the server_hello");
    }
done:
    th_server_hello_cleanup(&sh);
    return ok;
}

static int build_ske(th_ep *ep, const th_sc_send *step, CBB *body, char *err, size_t err_len) {
    ep12_st *st = ep12_state(ep);
    const th_sc_set *f;
    uint16_t group = st->group != 0 ? st->group : TH_GROUP_SECP256R1;
    if ((f = ep_find_set(step, TH_SC_F_SKE_CURVE)) != NULL) {
        group = (uint16_t)f->value.i;
    }
    th_server_key_exchange_ecdhe ske;
    memset(&ske, 0, sizeof(ske));
    ske.curve_type = TH_EC_CURVE_TYPE_NAMED_CURVE;
    ske.named_curve = group;
    th_kex_cleanup(&st->kex);
    if (th_kex_group_supported(group)) {
        if (!th_kex_generate(&st->kex, group, ep_random_cb, ep)) {
            snprintf(err, err_len, "key generation failed");
            return 0;
        }
        ske.public_key.data = st->kex.public_key;
        ske.public_key.len = st->kex.public_key_len;
    }
    ep_set_bytes(step, TH_SC_F_SKE_POINT, &ske.public_key);
    if (ske.public_key.len == 0) {
        snprintf(err, err_len, "no key in group 0x%04x: set point", group);
        return 0;
    }
    uint8_t alert;
    uint16_t scheme = 0;
    if ((f = ep_find_set(step, TH_SC_F_SKE_SCHEME)) != NULL) {
        scheme = (uint16_t)f->value.i;
    } else {
        /* RFC 5246 §7.4.1.4.1: without signature_algorithms, SHA-1. */
        static const uint16_t kSha1[] = {TH_SIG_RSA_PKCS1_SHA1, TH_SIG_ECDSA_SHA1};
        const uint16_t *l = st->offer.has_schemes ? st->offer.schemes : kSha1;
        size_t n = st->offer.has_schemes ? st->offer.num_schemes : 2;
        if (!th_sig_choose_scheme(ep->cert.key, TH_VERSION_TLS12, l, n, &scheme, &alert)) {
            snprintf(err, err_len, "no signature scheme of the client fits our key");
            return 0;
        }
    }
    CBB params;
    uint8_t *sig = NULL, *content = NULL;
    size_t content_len = 0;
    int ok = 0;
    if (!CBB_init(&params, 128) || !CBB_add_bytes(&params, ep->client_random, 32) ||
        !CBB_add_bytes(&params, ep->server_random, 32) ||
        !th_write_server_ecdh_params(&params, &ske) ||
        !CBB_finish(&params, &content, &content_len)) {
        CBB_cleanup(&params);
        snprintf(err, err_len, "cannot write the ECDH parameters");
        return 0;
    }
    ske.has_sig_alg = 1;
    ske.sig_alg = scheme;
    if (!ep12_signature(step, TH_SC_F_SKE_SIGNATURE, ep->cert.key, scheme, content, content_len,
                        &ske.signature, &sig, err, err_len)) {
        goto done;
    }
    ok = th_write_server_key_exchange_ecdhe(body, &ske);
    if (!ok) {
        snprintf(err, err_len, "cannot write the server_key_exchange");
    }
    st->group = group;
    ep->neg.group = group;
done:
    OPENSSL_free(sig);
    OPENSSL_free(content);
    return ok;
}

static int build_cr(th_ep *ep, const th_sc_send *step, CBB *body, char *err, size_t err_len) {
    ep12_st *st = ep12_state(ep);
    th_certificate_request_tls12 cr;
    memset(&cr, 0, sizeof(cr));
    static const uint8_t kTypes[2] = {TH_CLIENT_CERT_TYPE_RSA_SIGN, TH_CLIENT_CERT_TYPE_ECDSA_SIGN};
    cr.certificate_types.data = kTypes;
    cr.certificate_types.len = 2;
    cr.has_sig_algs = 1;
    uint16_t l[64];
    size_t n = ep12_cfg_schemes(ep, l, 64);
    const th_sc_set *f = ep_find_set(step, TH_SC_F_CR_SIGNATURE_ALGORITHMS);
    if (f != NULL) {
        n = f->value.num < 64 ? f->value.num : 64;
        for (size_t i = 0; i < n; i++) {
            l[i] = (uint16_t)f->value.ints[i];
        }
    }
    int ok = 1;
    for (size_t i = 0; i < n && ok; i++) {
        ok = th_certificate_request_tls12_add_sig_alg(&cr, l[i]);
    }
    ok = ok && th_write_certificate_request_tls12(body, &cr);
    th_certificate_request_tls12_cleanup(&cr);
    free(st->cr_schemes);
    st->cr_schemes = calloc(n + 1, sizeof(uint16_t));
    if (st->cr_schemes != NULL) {
        memcpy(st->cr_schemes, l, n * sizeof(uint16_t));
        st->num_cr_schemes = n;
    }
    if (!ok) {
        snprintf(err, err_len, "cannot write the certificate_request");
    }
    return ok;
}

static int build_nst(th_ep *ep, const th_sc_send *step, CBB *body, char *err, size_t err_len) {
    uint8_t ticket[32];
    ep_random(ep, ticket, sizeof(ticket));
    th_new_session_ticket_tls12 nst = {TICKET_LIFETIME, {ticket, sizeof(ticket)}};
    const th_sc_set *f;
    if ((f = ep_find_set(step, TH_SC_F_NST_LIFETIME)) != NULL) {
        nst.ticket_lifetime_hint = (uint32_t)f->value.i;
    }
    ep_set_bytes(step, TH_SC_F_NST_TICKET, &nst.ticket);
    if (!th_write_new_session_ticket_tls12(body, &nst)) {
        snprintf(err, err_len, "cannot write the new_session_ticket");
        return 0;
    }
    return 1;
}

static int s_build(th_ep *ep, th_sc_msg msg, const th_sc_send *step, CBB *out, char *err,
                   size_t err_len) {
    ep12_st *st = ep12_state(ep);
    CBB body;
    if (!CBB_init(&body, 256)) {
        snprintf(err, err_len, "out of memory");
        return 0;
    }
    int ok = 1;
    if (msg == TH_SC_MSG_CERTIFICATE || msg == TH_SC_MSG_SERVER_KEY_EXCHANGE) {
        ok = ep_our_cert(ep, EP_SERVER_CERTIFICATE, err, err_len) != NULL;
    }
    if (ok) {
        switch (msg) {
        case TH_SC_MSG_SERVER_HELLO:
            ok = build_sh(ep, step, &body, err, err_len);
            break;
        case TH_SC_MSG_CERTIFICATE:
            ok = ep12_build_certificate(ep, step, &ep->cert, &body, &st->our_cert_nonempty, err,
                                        err_len);
            break;
        case TH_SC_MSG_SERVER_KEY_EXCHANGE:
            ok = build_ske(ep, step, &body, err, err_len);
            break;
        case TH_SC_MSG_CERTIFICATE_REQUEST:
            ok = build_cr(ep, step, &body, err, err_len);
            break;
        case TH_SC_MSG_SERVER_HELLO_DONE:
        case TH_SC_MSG_HELLO_REQUEST:
            break;
        case TH_SC_MSG_CERTIFICATE_STATUS: {
            /* RFC 6066 §8: ocsp, with an empty DER SEQUENCE standing for
             * the OCSPResponse (`body:` sends a real one). */
            static const uint8_t kEmptySeq[2] = {0x30, 0x00};
            th_certificate_status cs = {TH_CERT_STATUS_TYPE_OCSP, {kEmptySeq, 2}};
            ok = th_write_certificate_status(&body, &cs);
            break;
        }
        case TH_SC_MSG_NEW_SESSION_TICKET:
            ok = build_nst(ep, step, &body, err, err_len);
            break;
        case TH_SC_MSG_FINISHED:
            ok = ep12_build_finished(ep, step, &body, err, err_len);
            break;
        default:
            snprintf(err, err_len, "a TLS 1.2 server does not send %s (use body:)",
                     ep12_msg_name(msg));
            ok = 0;
            break;
        }
    }
    ok = ok && ep12_wrap(out, th_sc_msg_wire_type(msg), CBB_data(&body), CBB_len(&body));
    CBB_cleanup(&body);
    return ok;
}

static int s_sent(th_ep *ep, th_sc_msg msg, const uint8_t *wire, size_t len, char *err,
                  size_t err_len) {
    ep12_st *st = ep12_state(ep);
    ep->done[msg] = 1;
    if (msg == TH_SC_MSG_HELLO_REQUEST) {
        /* RFC 5246 §7.4.1.1: not in the handshake messages. */
        return 1;
    }
    if (!ep12_msgs_add(ep, wire, len)) {
        snprintf(err, err_len, "out of memory");
        return 0;
    }
    switch (msg) {
    case TH_SC_MSG_SERVER_HELLO: {
        /* What went out decides (a `set:` random or suite). */
        if (len >= TH_HANDSHAKE_HEADER_LEN + 2 + 32) {
            memcpy(ep->server_random, wire + TH_HANDSHAKE_HEADER_LEN + 2, 32);
        }
        if (st->resumed && !ep12_derive_key_block(ep)) {
            ep_log(ep, "   (no key block for the resumed session)\n");
        }
        return 1;
    }
    case TH_SC_MSG_CERTIFICATE_REQUEST:
        st->cert_requested = 1;
        ep->cert_requested = 1;
        return 1;
    case TH_SC_MSG_SERVER_KEY_EXCHANGE:
        st->ske_done = 1;
        return 1;
    case TH_SC_MSG_SERVER_HELLO_DONE:
        st->state = EP12_S_WAIT_FL2;
        return 1;
    case TH_SC_MSG_NEW_SESSION_TICKET: {
        CBS cbs;
        th_new_session_ticket_tls12 nst;
        uint8_t alert;
        CBS_init(&cbs, wire + TH_HANDSHAKE_HEADER_LEN, len - TH_HANDSHAKE_HEADER_LEN);
        if (th_parse_new_session_ticket_tls12(&cbs, &nst, &alert)) {
            if (!ep12_keep_ticket(st, &nst)) {
                snprintf(err, err_len, "out of memory");
                return 0;
            }
        }
        return 1;
    }
    case TH_SC_MSG_FINISHED:
        ep12_keep_verify_data(st->server_vd, wire, len);
        if (st->resumed) {
            st->state = EP12_S_WAIT_FIN_R;
        } else if (st->state == EP12_S_FLIGHT3) {
            ep12_established(ep);
            st->state = EP12_S_DONE;
        }
        return 1;
    default:
        return 1;
    }
}

/* ---- receiving the client's flight ------------------------------------ */

static int recv_cke(th_ep *ep, const th_ep_event *ev, int *local, char *why, size_t why_len) {
    ep12_st *st = ep12_state(ep);
    CBS cbs;
    uint8_t alert;
    char b1[32];
    ep_body_cbs(ev, &cbs);
    th_secret_cleanse(&st->premaster);
    if (st->suite->kx == TH_TLS12_KX_RSA) {
        th_client_key_exchange_rsa cke;
        if (!th_parse_client_key_exchange_rsa(&cbs, &cke, &alert)) {
            return ep_codec_rejects(why, why_len, "a client_key_exchange", alert);
        }
        /* RFC 5246 §7.4.7.1: on any failure continue with a random
         * premaster; the Finished then fails. */
        uint8_t pms[48], dec[512];
        size_t dl = 0;
        ep_random(ep, pms, sizeof(pms));
        RSA *rsa = EVP_PKEY_get0_RSA(ep->cert.key);
        if (rsa != NULL && cke.encrypted_pre_master_secret.len <= sizeof(dec) &&
            RSA_decrypt(rsa, &dl, dec, sizeof(dec), cke.encrypted_pre_master_secret.data,
                        cke.encrypted_pre_master_secret.len, RSA_PKCS1_PADDING) &&
            dl == 48 && dec[0] == (uint8_t)(st->offer.legacy_version >> 8) &&
            dec[1] == (uint8_t)st->offer.legacy_version) {
            memcpy(pms, dec, 48);
        } else {
            ep_log(ep, "   (RSA premaster bad: continuing with a random one, RFC 5246 "
                       "§7.4.7.1)\n");
        }
        if (!th_secret_set(&st->premaster, pms, sizeof(pms))) {
            *local = 1;
            snprintf(why, why_len, "premaster failure");
            return 0;
        }
        OPENSSL_cleanse(dec, sizeof(dec));
        OPENSSL_cleanse(pms, sizeof(pms));
    } else {
        th_client_key_exchange_ecdhe cke;
        uint8_t secret[TH_KEX_MAX_SECRET];
        size_t sl;
        if (!th_parse_client_key_exchange_ecdhe(&cbs, &cke, &alert)) {
            return ep_codec_rejects(why, why_len, "a client_key_exchange", alert);
        }
        if (st->kex.group == 0) {
            snprintf(why, why_len, "a client_key_exchange before our server_key_exchange");
            return 0;
        }
        if (!th_kex_compute(&st->kex, cke.public_key.data, cke.public_key.len, secret, &sl,
                            &alert)) {
            snprintf(why, why_len,
                     "an ECDH point that is not valid on %s (RFC 8422 §5.7: illegal_parameter)",
                     th_name_or_hex(th_group_name(st->kex.group), st->kex.group, b1, sizeof(b1)));
            return 0;
        }
        int ok = th_secret_set(&st->premaster, secret, sl);
        OPENSSL_cleanse(secret, sizeof(secret));
        if (!ok) {
            *local = 1;
            snprintf(why, why_len, "premaster failure");
            return 0;
        }
    }
    if (!ep12_msgs_add(ep, ev->bytes, ev->len) || !ep12_derive_master(ep)) {
        *local = 1;
        snprintf(why, why_len, "key derivation failure");
        return 0;
    }
    ep->done[TH_SC_MSG_CLIENT_KEY_EXCHANGE] = 1;
    return 1;
}

static int recv_cv(th_ep *ep, const th_ep_event *ev, int *local, char *why, size_t why_len) {
    ep12_st *st = ep12_state(ep);
    CBS cbs;
    uint8_t alert;
    char b1[32];
    th_certificate_verify cv;
    ep_body_cbs(ev, &cbs);
    if (!th_parse_certificate_verify(&cbs, &cv, &alert)) {
        return ep_codec_rejects(why, why_len, "a certificate_verify", alert);
    }
    if (!ep12_list_has(st->cr_schemes, st->num_cr_schemes, cv.algorithm) ||
        !th_sig_scheme_allowed(cv.algorithm, ep->peer_key, TH_VERSION_TLS12)) {
        snprintf(why, why_len,
                 "certificate_verify scheme %s not in our certificate_request or not for the "
                 "key (RFC 5246 §7.4.8: illegal_parameter)",
                 th_name_or_hex(th_sig_scheme_name(cv.algorithm), cv.algorithm, b1, sizeof(b1)));
        return 0;
    }
    if (!th_sig_verify(ep->peer_key, cv.algorithm, st->msgs, st->msgs_len, cv.signature.data,
                       cv.signature.len, &alert)) {
        snprintf(why, why_len,
                 "a certificate_verify signature that does not verify (RFC 5246 §7.2.2: "
                 "decrypt_error)");
        return 0;
    }
    if (!ep12_msgs_add_recv(ep, ev, local, why, why_len)) {
        return 0;
    }
    ep->done[TH_SC_MSG_CERTIFICATE_VERIFY] = 1;
    return 1;
}

static int s_recv(th_ep *ep, const th_ep_event *ev, int *out_local, char *why, size_t why_len) {
    ep12_st *st = ep12_state(ep);
    int empty = 0;
    *out_local = 0;
    switch (st->state) {
    case EP12_S_WAIT_CH:
        if (ev->msg == TH_SC_MSG_CLIENT_HELLO) {
            return recv_ch(ep, ev, out_local, why, why_len);
        }
        break;
    case EP12_S_WAIT_FL2:
        if (ev->msg == TH_SC_MSG_CERTIFICATE && st->cert_requested &&
            !ep->done[TH_SC_MSG_CLIENT_KEY_EXCHANGE] && !st->peer_cert_nonempty) {
            if (!ep12_recv_certificate(ep, ev, 0, &empty, why, why_len)) {
                return 0;
            }
            st->peer_cert_nonempty = !empty;
            ep->peer_cert_empty = empty;
            return ep12_msgs_add_recv(ep, ev, out_local, why, why_len);
        }
        if (ev->msg == TH_SC_MSG_CLIENT_KEY_EXCHANGE && !ep->done[TH_SC_MSG_CLIENT_KEY_EXCHANGE]) {
            if (st->cert_requested && !st->peer_cert_nonempty && !ep->peer_cert_empty) {
                snprintf(why, why_len,
                         "a client_key_exchange without the certificate our certificate_request "
                         "asked for (RFC 5246 §7.3: unexpected_message)");
                return 0;
            }
            return recv_cke(ep, ev, out_local, why, why_len);
        }
        if (ev->msg == TH_SC_MSG_CERTIFICATE_VERIFY && st->peer_cert_nonempty &&
            ep->done[TH_SC_MSG_CLIENT_KEY_EXCHANGE] && !ep->done[TH_SC_MSG_CERTIFICATE_VERIFY]) {
            return recv_cv(ep, ev, out_local, why, why_len);
        }
        if (ev->msg == TH_SC_MSG_FINISHED && ep->done[TH_SC_MSG_CLIENT_KEY_EXCHANGE]) {
            if (st->peer_cert_nonempty && !ep->done[TH_SC_MSG_CERTIFICATE_VERIFY]) {
                snprintf(why, why_len,
                         "a finished without the certificate_verify a non-empty certificate "
                         "needs (RFC 5246 §7.4.8: unexpected_message)");
                return 0;
            }
            if (!ep12_recv_finished(ep, ev, out_local, why, why_len)) {
                return 0;
            }
            st->state = EP12_S_FLIGHT3;
            return 1;
        }
        break;
    case EP12_S_WAIT_FIN_R:
        if (ev->msg == TH_SC_MSG_FINISHED) {
            if (!ep12_recv_finished(ep, ev, out_local, why, why_len)) {
                return 0;
            }
            ep12_established(ep);
            st->state = EP12_S_DONE;
            return 1;
        }
        break;
    case EP12_S_DONE:
        if (ev->msg == TH_SC_MSG_CLIENT_HELLO) {
            /* A renegotiation (RFC 5246 §7.4.1.2): the default plan runs
             * it; a scenario refusing it sends no_renegotiation instead
             * (RFC 5246 §7.2.2). */
            ep12_restart(ep);
            new_server_random(ep);
            return recv_ch(ep, ev, out_local, why, why_len);
        }
        break;
    default:
        break;
    }
    return ep12_unexpected(ev->msg, why, why_len);
}

static th_ep_next s_next(th_ep *ep) {
    ep12_st *st = ep12_state(ep);
    th_ep_next n = {TH_EP_NEXT_SEND, TH_SC_MSG_NONE};
    switch (st->state) {
    case EP12_S_WAIT_CH:
        n.kind = TH_EP_NEXT_EXPECT;
        n.msg = TH_SC_MSG_CLIENT_HELLO;
        return n;
    case EP12_S_FLIGHT1:
        if (!ep->done[TH_SC_MSG_SERVER_HELLO]) {
            n.msg = TH_SC_MSG_SERVER_HELLO;
        } else if (st->resumed) {
            if (!ep->done[TH_SC_MSG_FINISHED]) {
                n.msg = TH_SC_MSG_FINISHED;
            } else {
                st->state = EP12_S_WAIT_FIN_R;
                n.kind = TH_EP_NEXT_EXPECT;
                n.msg = TH_SC_MSG_FINISHED;
            }
        } else if (!ep->done[TH_SC_MSG_CERTIFICATE]) {
            n.msg = TH_SC_MSG_CERTIFICATE;
        } else if (st->suite->kx == TH_TLS12_KX_ECDHE && !ep->done[TH_SC_MSG_SERVER_KEY_EXCHANGE]) {
            n.msg = TH_SC_MSG_SERVER_KEY_EXCHANGE;
        } else if (ep->cfg->client_auth != 0 && !ep->done[TH_SC_MSG_CERTIFICATE_REQUEST]) {
            n.msg = TH_SC_MSG_CERTIFICATE_REQUEST;
        } else if (!ep->done[TH_SC_MSG_SERVER_HELLO_DONE]) {
            n.msg = TH_SC_MSG_SERVER_HELLO_DONE;
        } else {
            st->state = EP12_S_WAIT_FL2;
            n.kind = TH_EP_NEXT_EXPECT;
            n.msg = TH_SC_MSG_CLIENT_KEY_EXCHANGE;
        }
        return n;
    case EP12_S_WAIT_FL2:
        n.kind = TH_EP_NEXT_EXPECT;
        n.msg = st->cert_requested && !st->peer_cert_nonempty && !ep->peer_cert_empty
                    ? TH_SC_MSG_CERTIFICATE
                    : TH_SC_MSG_CLIENT_KEY_EXCHANGE;
        return n;
    case EP12_S_FLIGHT3:
        if (st->ticket_expected && !ep->done[TH_SC_MSG_NEW_SESSION_TICKET]) {
            n.msg = TH_SC_MSG_NEW_SESSION_TICKET;
        } else if (!ep->done[TH_SC_MSG_FINISHED]) {
            n.msg = TH_SC_MSG_FINISHED;
        } else {
            ep12_established(ep);
            st->state = EP12_S_DONE;
            n.kind = TH_EP_NEXT_DONE;
        }
        return n;
    case EP12_S_WAIT_FIN_R:
        n.kind = TH_EP_NEXT_EXPECT;
        n.msg = TH_SC_MSG_FINISHED;
        return n;
    default:
        n.kind = TH_EP_NEXT_DONE;
        return n;
    }
}

const th_ep_role th_ep12_server_role = {
    .start = s_start,
    .build = s_build,
    .sent = s_sent,
    .recv = s_recv,
    .next = s_next,
    EP12_SHARED_OPS,
};
