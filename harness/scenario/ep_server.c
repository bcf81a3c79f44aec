/* The server role of the scripted endpoint (ep_internal.h): we script a TLS
 * 1.3 server, the peer under test is a client. By default a correct server
 * built from the codec (wire/), the key schedule (keys13.c), key exchange
 * (kex.c), signatures (sigs.c) and certificate checks (x509.c): it reads the
 * ClientHello, chooses suite, group, signature scheme and ALPN from our side
 * of the config and the client's offer, asks for a HelloRetryRequest when the
 * client sent no share for our group, resumes a ticket it issued on the
 * previous connection (binder checked, 0-RTT accepted when configured), and
 * sends ServerHello .. Finished and one NewSessionTicket. Every message it
 * builds is a typed struct, so `set:` fields and extension edits apply before
 * writing; after sending, the bytes that actually went out decide keys and
 * state. The client's messages are checked as a correct server would and a
 * failed check names the RFC rule the client broke.
 *
 * This file: the role's state, what happens after we send (keys and state
 * follow the bytes that went out) and the default plan; the ClientHello is
 * judged in ep_server_ch.c, our messages are built in ep_server_build.c and
 * the client's later messages are received in ep_server_recv.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/bytestring.h>
#include <openssl/digest.h>
#include <openssl/mem.h>

#include "certificate.h"
#include "certificate_request.h"
#include "certificate_verify.h"
#include "client_hello.h"
#include "empty_messages.h"
#include "encrypted_extensions.h"
#include "ep_internal.h"
#include "ep_server_internal.h"
#include "ext_types.h"
#include "finished.h"
#include "key_update.h"
#include "names.h"
#include "new_session_ticket.h"
#include "server_hello.h"
#include "sigs.h"

/* ---- shared helpers (ep_server_internal.h) ----------------------------- */

const char *sv_alert_name(uint8_t alert) {
    const char *name = th_alert_name(alert);
    return name != NULL ? name : "?";
}
/* A message of the default plan counts as done once sent or skipped (the
 * core marks skipped ones in ep->done). */
int sv_did(const th_ep *ep, const sv_state *st, th_sc_msg msg) {
    return st->sent[msg] || ep->done[msg];
}
/* Copies |len| bytes into a fresh owned buffer (*out freed first). */
int sv_dup_bytes(uint8_t **out, size_t *out_len, const uint8_t *in, size_t len) {
    uint8_t *p = malloc(len ? len : 1);
    if (p == NULL) {
        return 0;
    }
    if (len != 0) {
        memcpy(p, in, len);
    }
    free(*out);
    *out = p;
    *out_len = len;
    return 1;
}
/* ---- state -------------------------------------------------------------- */

/* Frees what one connection used and zeroes it. */
static void sv_reset(sv_state *st) {
    th_client_hello_cleanup(&st->ch);
    free(st->ch_buf);
    free(st->hrr_cookie);
    free(st->cr_sig_algs);
    th_transcript_cleanup(&st->pha_base);
    memset(st, 0, sizeof(*st));
}

static int sv_start(th_ep *ep) {
    sv_state *st = ep->role_state;
    if (st == NULL) {
        st = calloc(1, sizeof(*st));
        if (st == NULL) {
            return 0;
        }
        ep->role_state = st;
    } else {
        sv_reset(st);
    }
    return 1;
}

static void sv_cleanup(th_ep *ep) {
    sv_state *st = ep->role_state;
    if (st == NULL) {
        return;
    }
    sv_reset(st);
    free(st);
    ep->role_state = NULL;
}

/* The client's signature_algorithms (an owned copy in *out). */
int sv_client_sig_algs(const sv_state *st, th_ext_signature_algorithms *out) {
    memset(out, 0, sizeof(*out));
    const th_ext *ext = th_ext_block_find(&st->ch.extensions, TH_EXT_SIGNATURE_ALGORITHMS);
    uint8_t alert;
    if (ext == NULL) {
        return 0;
    }
    CBS body = th_ext_body(ext);
    return th_parse_ext_signature_algorithms(&body, out, &alert);
}

/* ---- after sending ------------------------------------------------------- */

/* Parses the handshake message we sent (header included): 0 when our own
 * deviation made it unparsable, and the state then follows the defaults. */
static int sent_body(const uint8_t *wire, size_t len, CBS *out_body) {
    CBS cbs;
    th_handshake hs;
    uint8_t alert;
    CBS_init(&cbs, wire, len);
    if (!th_parse_handshake(&cbs, &hs, &alert)) {
        return 0;
    }
    CBS_init(out_body, hs.body.data, hs.body.len);
    return 1;
}

/* RFC 8446 §D.4: "The server sends a dummy change_cipher_spec record
 * immediately after its first handshake message", when the client's session
 * id says it is in compatibility mode and our config asks for it. */
static int send_compat_ccs(th_ep *ep, sv_state *st, char *err, size_t err_len) {
    static const uint8_t kCcs[1] = {1};
    if (!ep->cfg->middlebox_compat || ep->session_id_len == 0 || st->ccs_sent) {
        return 1;
    }
    st->ccs_sent = 1;
    return ep_send_records(ep, TH_CT_CHANGE_CIPHER_SPEC, kCcs, sizeof(kCcs), NULL, NULL, err,
                           err_len);
}

static int sent_hello_retry_request(th_ep *ep, sv_state *st, const uint8_t *wire, size_t len,
                                    char *err, size_t err_len) {
    CBS body;
    th_server_hello sh;
    uint8_t alert;
    st->num_hrr++;
    st->hrr_suite = st->suite;
    st->hrr_group = st->group;
    free(st->hrr_cookie);
    st->hrr_cookie = NULL;
    st->hrr_cookie_len = 0;
    if (sent_body(wire, len, &body) && th_parse_server_hello(&body, &sh, &alert)) {
        st->hrr_suite = sh.cipher_suite;
        const th_ext *ks = th_ext_block_find(&sh.extensions, TH_EXT_KEY_SHARE);
        const th_ext *ck = th_ext_block_find(&sh.extensions, TH_EXT_COOKIE);
        th_ext_key_share_hrr sel;
        th_ext_cookie cookie;
        CBS b;
        st->hrr_group = 0;
        if (ks != NULL && (b = th_ext_body(ks), th_parse_ext_key_share_hrr(&b, &sel, &alert))) {
            st->hrr_group = sel.selected_group;
        }
        if (ck != NULL && (b = th_ext_body(ck), th_parse_ext_cookie(&b, &cookie, &alert)) &&
            !sv_dup_bytes(&st->hrr_cookie, &st->hrr_cookie_len, cookie.cookie.data,
                          cookie.cookie.len)) {
            th_server_hello_cleanup(&sh);
            return ep_failf(err, err_len, "out of memory");
        }
        th_server_hello_cleanup(&sh);
    }
    ep->neg.hello_retry = 1;
    /* RFC 8446 §4.2.10: 0-RTT data is rejected after a HelloRetryRequest;
     * the PSK is judged again in the second ClientHello. */
    if (st->early_offered) {
        sv_reject_early_data(ep, st);
    }
    st->early_accept = 0;
    st->psk_ok = 0;
    return send_compat_ccs(ep, st, err, err_len);
}

static int sent_server_hello(th_ep *ep, sv_state *st, const uint8_t *wire, size_t len, char *err,
                             size_t err_len) {
    CBS body;
    th_server_hello sh;
    uint8_t alert;
    uint8_t ecdhe[TH_KEX_MAX_SECRET];
    size_t ecdhe_len = 0;
    int have_ecdhe = 0, resumed = st->psk_ok;
    uint16_t group = 0;
    memset(&sh, 0, sizeof(sh));
    int parsed = sent_body(wire, len, &body) && th_parse_server_hello(&body, &sh, &alert);
    if (parsed) {
        /* Keys follow what we sent: a suite of the transcript's hash, the
         * share of the group we sent if the client has one in it, the PSK
         * only if our ServerHello selected it. */
        if (th_suite_hash(sh.cipher_suite) == ep->md && th_suite_aead(sh.cipher_suite) != NULL) {
            ep->neg.cipher_suite = sh.cipher_suite;
        }
        const th_ext *sv = th_ext_block_find(&sh.extensions, TH_EXT_SUPPORTED_VERSIONS);
        th_ext_supported_versions_sh ver;
        CBS b;
        ep->neg.version = sh.legacy_version;
        if (sv != NULL &&
            (b = th_ext_body(sv), th_parse_ext_supported_versions_sh(&b, &ver, &alert))) {
            ep->neg.version = ver.selected_version;
        }
        resumed = resumed && th_ext_block_find(&sh.extensions, TH_EXT_PRE_SHARED_KEY) != NULL;
        const th_ext *ks = th_ext_block_find(&sh.extensions, TH_EXT_KEY_SHARE);
        th_ext_key_share_sh share;
        if (ks != NULL && (b = th_ext_body(ks), th_parse_ext_key_share_sh(&b, &share, &alert))) {
            group = share.share.group;
        }
    } else {
        group = (!st->psk_ok || st->psk_dhe) ? st->group : 0;
    }
    if (group != 0 && ep->num_kex == 1 && ep->kex[0].group == group) {
        const th_ext *ks_ext = th_ext_block_find(&st->ch.extensions, TH_EXT_KEY_SHARE);
        th_ext_key_share_ch ks;
        if (ks_ext != NULL) {
            CBS b = th_ext_body(ks_ext);
            if (th_parse_ext_key_share_ch(&b, &ks, &alert)) {
                const th_key_share_entry *e = th_ext_key_share_ch_find(&ks, group);
                have_ecdhe =
                    e != NULL && th_kex_compute(&ep->kex[0], e->key_exchange.data,
                                                e->key_exchange.len, ecdhe, &ecdhe_len, &alert);
                th_ext_key_share_ch_cleanup(&ks);
            }
        }
    }
    th_server_hello_cleanup(&sh);
    if (!resumed && st->psk_ok) {
        /* Our ServerHello did not select the PSK: a full handshake. */
        st->psk_ok = 0;
        if (st->early_accept) {
            st->early_accept = 0;
            sv_reject_early_data(ep, st);
        }
    }
    ep->psk_accepted = resumed;
    ep->neg.resumed = resumed;
    ep->neg.group = have_ecdhe ? group : 0;
    ep->neg.early_data_accepted = st->early_accept;
    if (!send_compat_ccs(ep, st, err, err_len)) {
        OPENSSL_cleanse(ecdhe, sizeof(ecdhe));
        return 0;
    }
    int can_key = have_ecdhe || (resumed && group == 0);
    if (!can_key) {
        /* A share we cannot complete (our deviation or the client's): no
         * handshake keys; what follows stays in plaintext. */
        ep_log(ep, "   server: no handshake keys (no usable key exchange)\n");
        OPENSSL_cleanse(ecdhe, sizeof(ecdhe));
        return 1;
    }
    int ok = ep_derive_handshake(ep, have_ecdhe ? ecdhe : NULL, have_ecdhe ? ecdhe_len : 0) &&
             ep_set_key(ep, &ep->wr, TH_SC_EPOCH_HANDSHAKE, 0, &ep->s_hs) &&
             (st->early_accept || ep_set_key(ep, &ep->rd, TH_SC_EPOCH_HANDSHAKE, 0, &ep->c_hs));
    OPENSSL_cleanse(ecdhe, sizeof(ecdhe));
    if (!ok) {
        return ep_failf(err, err_len, "cannot derive the handshake keys");
    }
    st->keys_ok = 1;
    return 1;
}

static int sent_encrypted_extensions(th_ep *ep, sv_state *st, const uint8_t *wire, size_t len,
                                     char *err, size_t err_len) {
    CBS body;
    th_encrypted_extensions ee;
    uint8_t alert;
    if (!sent_body(wire, len, &body) || !th_parse_encrypted_extensions(&body, &ee, &alert)) {
        return 1;
    }
    const th_ext *alpn = th_ext_block_find(&ee.extensions, TH_EXT_ALPN);
    th_ext_alpn_sh proto;
    CBS b;
    ep->neg.alpn[0] = '\0';
    if (alpn != NULL && (b = th_ext_body(alpn), th_parse_ext_alpn_sh(&b, &proto, &alert)) &&
        proto.protocol.len < sizeof(ep->neg.alpn)) {
        memcpy(ep->neg.alpn, proto.protocol.data, proto.protocol.len);
        ep->neg.alpn[proto.protocol.len] = '\0';
    }
    int early = th_ext_block_find(&ee.extensions, TH_EXT_EARLY_DATA) != NULL;
    const th_ext *rsl = th_ext_block_find(&ee.extensions, TH_EXT_RECORD_SIZE_LIMIT);
    th_ext_record_size_limit limit;
    if (rsl != NULL && st->client_rsl != 0 &&
        (b = th_ext_body(rsl), th_parse_ext_record_size_limit(&b, &limit, &alert)) &&
        limit.limit >= TH_RL_MIN_RECORD_SIZE_LIMIT) {
        /* RFC 8449 §4: the client's records to us honour our limit from its
         * handshake key on. */
        st->read_rsl = limit.limit;
        if (!th_rl_dir_set_record_size_limit(&ep->rd.hs, limit.limit)) {
            th_encrypted_extensions_cleanup(&ee);
            return ep_failf(err, err_len, "cannot set our record size limit");
        }
    }
    th_encrypted_extensions_cleanup(&ee);
    if (st->early_accept && !early) {
        /* We decided to accept but sent no early_data: the client takes its
         * 0-RTT data as rejected (RFC 8446 §4.2.10) and uses its handshake
         * key from now on. */
        st->early_accept = 0;
        ep->neg.early_data_accepted = 0;
        sv_reject_early_data(ep, st);
        if (st->keys_ok && !ep_set_key(ep, &ep->rd, TH_SC_EPOCH_HANDSHAKE, 0, &ep->c_hs)) {
            return ep_failf(err, err_len, "cannot install client_handshake_traffic_secret");
        }
    }
    return 1;
}

static int sent_certificate_request(th_ep *ep, sv_state *st, const uint8_t *wire, size_t len,
                                    char *err, size_t err_len) {
    CBS body;
    th_certificate_request cr;
    uint8_t alert;
    free(st->cr_sig_algs);
    st->cr_sig_algs = NULL;
    st->num_cr_sig_algs = 0;
    st->cr_context_len = 0;
    if (sent_body(wire, len, &body) && th_parse_certificate_request(&body, &cr, &alert)) {
        memcpy(st->cr_context, cr.certificate_request_context.data,
               cr.certificate_request_context.len);
        st->cr_context_len = cr.certificate_request_context.len;
        const th_ext *sa = th_ext_block_find(&cr.extensions, TH_EXT_SIGNATURE_ALGORITHMS);
        th_ext_signature_algorithms algs;
        CBS b;
        if (sa != NULL &&
            (b = th_ext_body(sa), th_parse_ext_signature_algorithms(&b, &algs, &alert))) {
            st->cr_sig_algs = algs.sig_algs;
            st->num_cr_sig_algs = algs.num_sig_algs;
        }
        th_certificate_request_cleanup(&cr);
    }
    ep->cert_requested = 1;
    if (st->established) {
        st->pha_pending = 1;
        st->pha_cert_received = 0;
        st->pha_cert_empty = 0;
        st->pha_cv_received = 0;
    } else {
        st->cr_sent = 1;
    }
    (void)err;
    (void)err_len;
    return 1;
}

static int sent_certificate(sv_state *st, const uint8_t *wire, size_t len) {
    CBS body;
    th_certificate cert;
    uint8_t alert;
    if (sent_body(wire, len, &body) && th_parse_certificate(&body, &cert, &alert)) {
        st->cert_sent_empty = cert.num_entries == 0;
        th_certificate_cleanup(&cert);
    }
    return 1;
}

static int sent_finished(th_ep *ep, sv_state *st, char *err, size_t err_len) {
    if (!st->keys_ok) {
        return 1;
    }
    /* RFC 8446 §7.1: the application secrets are over CH..server Finished;
     * our records use server_application_traffic_secret_0 from now on. */
    if (!ep_derive_application(ep) ||
        !ep_set_key(ep, &ep->wr, TH_SC_EPOCH_APPLICATION, 0, &ep->s_ap)) {
        return ep_failf(err, err_len, "cannot derive the application keys");
    }
    return 1;
}

static int sent_new_session_ticket(th_ep *ep, sv_state *st, const uint8_t *wire, size_t len,
                                   char *err, size_t err_len) {
    CBS body;
    th_new_session_ticket nst;
    uint8_t alert;
    st->nst_sent++;
    st->nst_counter++;
    if (!st->cfin_received || ep->md == NULL || !sent_body(wire, len, &body) ||
        !th_parse_new_session_ticket(&body, &nst, &alert)) {
        /* Without resumption_master_secret (before the client Finished) or a
         * ticket that does not parse there is nothing to resume. */
        return 1;
    }
    th_secret psk;
    if (!th_tls13_resumption_psk(&psk, ep->md, &ep->res_master, nst.ticket_nonce.data,
                                 nst.ticket_nonce.len)) {
        th_new_session_ticket_cleanup(&nst);
        return ep_failf(err, err_len, "cannot derive the ticket's PSK");
    }
    uint32_t max_early = 0;
    const th_ext *ed = th_ext_block_find(&nst.extensions, TH_EXT_EARLY_DATA);
    th_ext_early_data_nst edv;
    CBS b;
    if (ed != NULL && (b = th_ext_body(ed), th_parse_ext_early_data_nst(&b, &edv, &alert))) {
        max_early = edv.max_early_data_size;
    }
    if (!sv_dup_bytes(&ep->ticket.ticket, &ep->ticket.ticket_len, nst.ticket.data,
                      nst.ticket.len)) {
        th_secret_cleanse(&psk);
        th_new_session_ticket_cleanup(&nst);
        return ep_failf(err, err_len, "out of memory");
    }
    ep->ticket.valid = 1;
    ep->ticket.suite = ep->neg.cipher_suite;
    ep->ticket.psk = psk;
    ep->ticket.age_add = nst.ticket_age_add;
    ep->ticket.lifetime = nst.ticket_lifetime;
    ep->ticket.max_early_data = max_early;
    memcpy(ep->ticket.alpn, ep->neg.alpn, sizeof(ep->ticket.alpn));
    th_secret_cleanse(&psk);
    th_new_session_ticket_cleanup(&nst);
    return 1;
}

static int sent_key_update(th_ep *ep, sv_state *st, const uint8_t *wire, size_t len, char *err,
                           size_t err_len) {
    CBS body;
    th_key_update ku;
    uint8_t alert;
    int request = 0;
    if (sent_body(wire, len, &body) && th_parse_key_update(&body, &ku, &alert)) {
        request = ku.request_update == TH_KEY_UPDATE_REQUESTED;
    }
    /* RFC 8446 §4.6.3: "after sending a KeyUpdate message, the sender SHALL
     * send all its traffic using the next generation of keys". */
    if (ep->wr.cur_epoch == TH_SC_EPOCH_APPLICATION && !ep_update_write_key(ep)) {
        return ep_failf(err, err_len, "cannot update our write key");
    }
    ep->key_update_due = 0;
    st->ku_expected = request;
    return 1;
}

static int sv_sent(th_ep *ep, th_sc_msg msg, const uint8_t *wire, size_t len, char *err,
                   size_t err_len) {
    sv_state *st = ep->role_state;
    if (msg > TH_SC_MSG_NONE && msg < TH_SC_NUM_MSGS) {
        st->sent[msg] = 1;
    }
    switch (msg) {
    case TH_SC_MSG_HELLO_RETRY_REQUEST:
        return sent_hello_retry_request(ep, st, wire, len, err, err_len);
    case TH_SC_MSG_SERVER_HELLO:
        return sent_server_hello(ep, st, wire, len, err, err_len);
    case TH_SC_MSG_ENCRYPTED_EXTENSIONS:
        return sent_encrypted_extensions(ep, st, wire, len, err, err_len);
    case TH_SC_MSG_CERTIFICATE_REQUEST:
        return sent_certificate_request(ep, st, wire, len, err, err_len);
    case TH_SC_MSG_CERTIFICATE:
        return sent_certificate(st, wire, len);
    case TH_SC_MSG_FINISHED:
        return sent_finished(ep, st, err, err_len);
    case TH_SC_MSG_NEW_SESSION_TICKET:
        return sent_new_session_ticket(ep, st, wire, len, err, err_len);
    case TH_SC_MSG_KEY_UPDATE:
        return sent_key_update(ep, st, wire, len, err, err_len);
    default:
        return 1;
    }
}

/* A hello after our ServerHello (RFC 8446 §4: out of order): the keys and
 * transcript of the handshake we are in stay. */
static int sv_out_of_place(th_ep *ep, th_sc_msg msg) {
    const sv_state *st = ep->role_state;
    return (msg == TH_SC_MSG_SERVER_HELLO || msg == TH_SC_MSG_HELLO_RETRY_REQUEST) &&
           st->sent[TH_SC_MSG_SERVER_HELLO];
}

/* ---- the default plan ---------------------------------------------------- */

static th_ep_next plan(th_ep_next_kind kind, th_sc_msg msg) {
    th_ep_next n = {kind, msg};
    return n;
}

/* RFC 8446 §2, §4: CH, [HRR, CH2], SH, EE, [CR], [Certificate,
 * CertificateVerify], Finished; then the client's [EndOfEarlyData],
 * [Certificate, [CertificateVerify]], Finished; then one NewSessionTicket
 * when the client can resume (§4.2.9: only with psk_key_exchange_modes). */
static th_ep_next sv_next(th_ep *ep) {
    sv_state *st = ep->role_state;
    if (st->num_ch == 0) {
        return plan(TH_EP_NEXT_EXPECT, TH_SC_MSG_CLIENT_HELLO);
    }
    if (st->need_hrr && !sv_did(ep, st, TH_SC_MSG_HELLO_RETRY_REQUEST)) {
        return plan(TH_EP_NEXT_SEND, TH_SC_MSG_HELLO_RETRY_REQUEST);
    }
    if (st->sent[TH_SC_MSG_HELLO_RETRY_REQUEST] && st->num_ch < 2) {
        return plan(TH_EP_NEXT_EXPECT, TH_SC_MSG_CLIENT_HELLO);
    }
    if (!sv_did(ep, st, TH_SC_MSG_SERVER_HELLO)) {
        return plan(TH_EP_NEXT_SEND, TH_SC_MSG_SERVER_HELLO);
    }
    if (!sv_did(ep, st, TH_SC_MSG_ENCRYPTED_EXTENSIONS)) {
        return plan(TH_EP_NEXT_SEND, TH_SC_MSG_ENCRYPTED_EXTENSIONS);
    }
    if (!st->psk_ok) {
        /* RFC 8446 §4.3.2, §4.4.2: not when a PSK authenticates. */
        if (ep->cfg->client_auth != 0 && !sv_did(ep, st, TH_SC_MSG_CERTIFICATE_REQUEST)) {
            return plan(TH_EP_NEXT_SEND, TH_SC_MSG_CERTIFICATE_REQUEST);
        }
        if (!sv_did(ep, st, TH_SC_MSG_CERTIFICATE)) {
            return plan(TH_EP_NEXT_SEND, TH_SC_MSG_CERTIFICATE);
        }
        if (!st->cert_sent_empty && !sv_did(ep, st, TH_SC_MSG_CERTIFICATE_VERIFY)) {
            return plan(TH_EP_NEXT_SEND, TH_SC_MSG_CERTIFICATE_VERIFY);
        }
    }
    if (!st->sent[TH_SC_MSG_FINISHED] && !ep->done[TH_SC_MSG_FINISHED]) {
        return plan(TH_EP_NEXT_SEND, TH_SC_MSG_FINISHED);
    }
    if (!st->established) {
        if (st->early_accept && !st->eoed_received) {
            return plan(TH_EP_NEXT_EXPECT, TH_SC_MSG_END_OF_EARLY_DATA);
        }
        if (st->cr_sent && !st->ccert_received) {
            return plan(TH_EP_NEXT_EXPECT, TH_SC_MSG_CERTIFICATE);
        }
        if (st->ccert_received && !st->ccert_empty && !st->ccv_received) {
            return plan(TH_EP_NEXT_EXPECT, TH_SC_MSG_CERTIFICATE_VERIFY);
        }
        return plan(TH_EP_NEXT_EXPECT, TH_SC_MSG_FINISHED);
    }
    if (st->client_psk_modes != 0 && st->nst_sent == 0 && !ep->done[TH_SC_MSG_NEW_SESSION_TICKET]) {
        return plan(TH_EP_NEXT_SEND, TH_SC_MSG_NEW_SESSION_TICKET);
    }
    if (ep->key_update_due) {
        /* RFC 8446 §4.6.3: answer update_requested before our next data. */
        return plan(TH_EP_NEXT_SEND, TH_SC_MSG_KEY_UPDATE);
    }
    if (st->pha_pending) {
        if (!st->pha_cert_received) {
            return plan(TH_EP_NEXT_EXPECT, TH_SC_MSG_CERTIFICATE);
        }
        if (!st->pha_cert_empty && !st->pha_cv_received) {
            return plan(TH_EP_NEXT_EXPECT, TH_SC_MSG_CERTIFICATE_VERIFY);
        }
        return plan(TH_EP_NEXT_EXPECT, TH_SC_MSG_FINISHED);
    }
    return plan(TH_EP_NEXT_DONE, TH_SC_MSG_NONE);
}

const th_ep_role th_ep_server_role = {
    .start = sv_start,
    .build = sv_build,
    .sent = sv_sent,
    .out_of_place = sv_out_of_place,
    .recv = sv_recv,
    .next = sv_next,
    .cleanup = sv_cleanup,
};
