/* The server role (ep_server.c): the client's messages after its
 * ClientHello (EndOfEarlyData, Certificate, CertificateVerify, Finished,
 * post-handshake authentication and KeyUpdate), checked as a correct
 * server checks them. */
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

/* ---- the client's second flight and post-handshake messages -------------- */

static int recv_end_of_early_data(th_ep *ep, sv_state *st, const th_ep_event *ev, int *local,
                                  char *why, size_t why_len) {
    if (!st->early_accept || !sv_did(ep, st, TH_SC_MSG_SERVER_HELLO) || st->eoed_received) {
        /* RFC 8446 §4.5: sent only after accepted 0-RTT data. */
        return ep_failf(why, why_len,
                        "EndOfEarlyData without accepted 0-RTT data (RFC 8446 §4.5: "
                        "unexpected_message)");
    }
    if (ev->len != 4) {
        return ep_failf(why, why_len, "EndOfEarlyData is not empty (RFC 8446 §4.5: decode_error)");
    }
    *local = 1;
    if (!ep_transcript_add(ep, ev->bytes, ev->len) ||
        !ep_set_key(ep, &ep->rd, TH_SC_EPOCH_HANDSHAKE, 0, &ep->c_hs)) {
        return ep_failf(why, why_len, "cannot switch to client_handshake_traffic_secret");
    }
    *local = 0;
    st->eoed_received = 1;
    return 1;
}

/* The client's Certificate (RFC 8446 §4.4.2), in the handshake or in answer
 * to a post-handshake CertificateRequest. */
static int recv_certificate(th_ep *ep, sv_state *st, const th_ep_event *ev, int pha, int *local,
                            char *why, size_t why_len) {
    /* RFC 8446 §4.4.2: the context echoes our CertificateRequest's, and
     * entry extensions must answer its, which asks for none; §4.4.2.4: a
     * server requiring a certificate refuses an empty chain. */
    ep_cert_rules rules = {st->cr_context, st->cr_context_len, NULL, NULL,
                           ep->cfg->client_auth == 2 ? th_alert_empty_client_chain(TH_VERSION_TLS13)
                                                     : 0};
    int empty;
    if (!ep_check_certificate(ep, ev, &rules, &empty, local, why, why_len)) {
        return 0;
    }
    if (pha) {
        st->pha_cert_received = 1;
        st->pha_cert_empty = empty;
    } else {
        st->ccert_received = 1;
        st->ccert_empty = empty;
    }
    return 1;
}

/* The client's CertificateVerify (RFC 8446 §4.4.3): a scheme our
 * CertificateRequest offered. */
static int recv_certificate_verify(th_ep *ep, sv_state *st, const th_ep_event *ev, int pha,
                                   int *local, char *why, size_t why_len) {
    if (!ep_check_certificate_verify(ep, ev, st->cr_sig_algs, st->num_cr_sig_algs, local, why,
                                     why_len)) {
        return 0;
    }
    if (pha) {
        st->pha_cv_received = 1;
    } else {
        st->ccv_received = 1;
    }
    return 1;
}

static int recv_finished(th_ep *ep, sv_state *st, const th_ep_event *ev, int *local, char *why,
                         size_t why_len) {
    if (!ep_check_finished(ep, ev, &ep->c_hs, local, why, why_len)) {
        return 0;
    }
    *local = 1;
    if (!ep_derive_res_master(ep) ||
        !ep_set_key(ep, &ep->rd, TH_SC_EPOCH_APPLICATION, 0, &ep->c_ap) ||
        (st->read_rsl != 0 && !th_rl_dir_set_record_size_limit(&ep->rd.app, st->read_rsl))) {
        return ep_failf(why, why_len, "cannot derive the client's application keys");
    }
    if (st->pha_offered) {
        /* RFC 8446 §4.4: post-handshake, the Handshake Context is the
         * transcript through the client Finished plus the CertificateRequest. */
        if (!th_transcript_copy(&st->pha_base, &ep->transcript)) {
            return ep_failf(why, why_len, "cannot keep the transcript for post-handshake auth");
        }
        st->have_pha_base = 1;
    }
    *local = 0;
    st->cfin_received = 1;
    st->established = 1;
    ep->neg.established = 1;
    return 1;
}

static int recv_pha_finished(th_ep *ep, sv_state *st, const th_ep_event *ev, int *local, char *why,
                             size_t why_len) {
    /* RFC 8446 §4.4: the base key is the client's current
     * client_application_traffic_secret_N. */
    th_secret base = ep->rd.app.traffic_secret;
    int ok = ep_check_finished(ep, ev, &base, local, why, why_len);
    th_secret_cleanse(&base);
    if (ok) {
        st->pha_pending = 0;
    }
    return ok;
}

static int recv_key_update(th_ep *ep, sv_state *st, const th_ep_event *ev, int *local, char *why,
                           size_t why_len) {
    if (!ep_check_key_update(ep, ev, local, why, why_len)) {
        return 0;
    }
    st->ku_expected = 0;
    return 1;
}

int sv_recv(th_ep *ep, const th_ep_event *ev, int *out_local_error, char *why, size_t why_len) {
    sv_state *st = ep->role_state;
    *out_local_error = 0;
    if (ev->kind != TH_EP_EV_MESSAGE || ev->bytes == NULL || ev->len < 4) {
        return ep_failf(why, why_len, "not a handshake message");
    }
    const char *name = ev->msg != TH_SC_MSG_NONE ? th_sc_msg_name(ev->msg) : "?";
    int fin_sent = st->sent[TH_SC_MSG_FINISHED];
    switch (ev->hs_type) {
    case TH_HS_CLIENT_HELLO:
        if (!st->established) {
            return sv_recv_client_hello(ep, st, ev, out_local_error, why, why_len);
        }
        break;
    case TH_HS_END_OF_EARLY_DATA:
        return recv_end_of_early_data(ep, st, ev, out_local_error, why, why_len);
    case TH_HS_CERTIFICATE:
        if (st->pha_pending && !st->pha_cert_received) {
            return recv_certificate(ep, st, ev, 1, out_local_error, why, why_len);
        }
        if (st->cr_sent && fin_sent && !st->ccert_received && !st->established &&
            (!st->early_accept || st->eoed_received)) {
            return recv_certificate(ep, st, ev, 0, out_local_error, why, why_len);
        }
        break;
    case TH_HS_CERTIFICATE_VERIFY:
        if (st->pha_pending && st->pha_cert_received && !st->pha_cert_empty &&
            !st->pha_cv_received) {
            return recv_certificate_verify(ep, st, ev, 1, out_local_error, why, why_len);
        }
        if (st->ccert_received && !st->ccert_empty && !st->ccv_received && !st->established) {
            return recv_certificate_verify(ep, st, ev, 0, out_local_error, why, why_len);
        }
        break;
    case TH_HS_FINISHED:
        if (st->pha_pending && st->pha_cert_received &&
            (st->pha_cert_empty || st->pha_cv_received)) {
            return recv_pha_finished(ep, st, ev, out_local_error, why, why_len);
        }
        if (fin_sent && !st->established && (!st->early_accept || st->eoed_received) &&
            (!st->cr_sent || st->ccert_received) &&
            (!st->ccert_received || st->ccert_empty || st->ccv_received)) {
            return recv_finished(ep, st, ev, out_local_error, why, why_len);
        }
        break;
    case TH_HS_KEY_UPDATE:
        if (st->established && !(st->pha_pending && st->pha_cert_received)) {
            return recv_key_update(ep, st, ev, out_local_error, why, why_len);
        }
        break;
    default:
        break;
    }
    /* RFC 8446 §4: a message out of order is unexpected_message. */
    return ep_failf(why, why_len,
                    "the client sent %s where a server does not accept it (RFC 8446 §4: "
                    "unexpected_message)",
                    name != NULL && strcmp(name, "?") != 0 ? name : "an unknown handshake message");
}
