/* The scripted endpoint's core: th_ep_run (connections, the `resume` ticket
 * run), step execution (send, expect, handshake, any_of, repeat) with the
 * location of every mismatch, and the outcome. */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/mem.h>

#include "conn.h"
#include "ep_internal.h"
#include "names.h"

/* The run of one step list: its verdict and texts. */
typedef struct {
    th_ep_verdict verdict;
    const th_sc_step *step; /* the innermost failing step */
    char expected[TH_EP_TEXT_MAX];
    char got[TH_EP_TEXT_MAX];
    int got_alert;
    uint8_t alert;
} ep_result;

/* Default handshake loops are bounded: a plan that does not progress is our
 * bug, reported as an error rather than a hang. */
#define MAX_PLAN_STEPS 64

static void set_result(ep_result *r, th_ep_verdict v, const th_sc_step *step, const char *exp,
                       const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static void set_result(ep_result *r, th_ep_verdict v, const th_sc_step *step, const char *exp,
                       const char *fmt, ...) {
    r->verdict = v;
    r->step = step;
    snprintf(r->expected, sizeof(r->expected), "%s", exp);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->got, sizeof(r->got), fmt, ap);
    va_end(ap);
}

static void result_event(th_ep *ep, ep_result *r, const th_sc_step *step, const char *exp,
                         const th_ep_event *ev) {
    char d[TH_EP_TEXT_MAX];
    th_ep_event_describe(ev, d, sizeof(d));
    if (ev->kind == TH_EP_EV_CLOSE || ev->kind == TH_EP_EV_NOTHING) {
        /* An in-process peer can say why it stopped. */
        th_peer_info info;
        memset(&info, 0, sizeof(info));
        th_peer_info_get(ep->peer, &info);
        size_t l = strlen(d);
        if (info.known && info.error[0] != '\0') {
            snprintf(d + l, sizeof(d) - l, "; the peer says: %.200s", info.error);
        }
    }
    set_result(r, ev->kind == TH_EP_EV_ERROR ? TH_EP_ERROR : TH_EP_FAIL, step, exp, "%s", d);
    if (ev->kind == TH_EP_EV_ALERT) {
        r->got_alert = 1;
        r->alert = ev->alert_desc;
    }
}

/* ---- connections ------------------------------------------------------ */

static void dir_cleanup(th_ep_dir *d) {
    th_rl_dir_cleanup(&d->early);
    th_rl_dir_cleanup(&d->hs);
    th_rl_dir_cleanup(&d->app);
    th_rl_dir_cleanup(&d->app_prev);
    th_rl_dir_cleanup(&d->next);
    th_secret_cleanse(&d->next_of);
    d->cur_epoch = TH_SC_EPOCH_PLAINTEXT;
}

/* Frees the state of one connection; the ticket, certificates, trust store,
 * DRBG and logs stay. */
static void conn_reset(th_ep *ep) {
    if (ep->ops != NULL && ep->ops->cleanup != NULL) {
        ep->ops->cleanup(ep);
    }
    ep->role_state = NULL;
    dir_cleanup(&ep->rd);
    dir_cleanup(&ep->wr);
    free(ep->rbuf);
    ep->rbuf = NULL;
    ep->rbuf_len = ep->rbuf_cap = 0;
    th_hs_reasm_cleanup(&ep->reasm);
    th_hs_reasm_init(&ep->reasm, 0);
    ep->reasm_epoch = TH_SC_EPOCH_PLAINTEXT;
    th_ep_event_cleanup(&ep->peeked);
    ep->peer_eof = 0;
    free(ep->hold);
    ep->hold = NULL;
    ep->hold_len = 0;
    ep->holding = 0;
    th_rl_dir_cleanup(&ep->hold_dir);
    free(ep->last_write);
    ep->last_write = NULL;
    ep->last_write_len = 0;
    ep->peer_record_size_limit = 0;
    ep->early_skip_budget = 0;
    free(ep->early_rcvd);
    ep->early_rcvd = NULL;
    ep->early_rcvd_len = 0;
    th_transcript_cleanup(&ep->transcript);
    ep->transcript_ready = 0;
    ep->md = NULL;
    free(ep->pending_th);
    ep->pending_th = NULL;
    ep->pending_th_len = 0;
    for (size_t i = 0; i < TH_EP_MAX_SHARES; i++) {
        th_kex_cleanup(&ep->kex[i]);
    }
    ep->num_kex = 0;
    th_secret *secrets[] = {&ep->early_secret,  &ep->handshake_secret,
                            &ep->master_secret, &ep->c_e,
                            &ep->c_hs,          &ep->s_hs,
                            &ep->c_ap,          &ep->s_ap,
                            &ep->res_master,    &ep->exp_master};
    for (size_t i = 0; i < sizeof(secrets) / sizeof(secrets[0]); i++) {
        th_secret_cleanse(secrets[i]);
    }
    free(ep->cookie);
    ep->cookie = NULL;
    ep->cookie_len = 0;
    ep->psk_offered = ep->psk_accepted = ep->early_offered = 0;
    EVP_PKEY_free(ep->peer_key);
    ep->peer_key = NULL;
    ep->peer_cert_empty = 0;
    th_cert_key_cleanup(&ep->alt_cert);
    ep->sent_cert = NULL;
    free(ep->peer_sig_algs);
    ep->peer_sig_algs = NULL;
    ep->num_peer_sig_algs = 0;
    free(ep->cr_context);
    ep->cr_context = NULL;
    ep->cr_context_len = 0;
    ep->cert_requested = 0;
    ep->key_update_due = 0;
    memset(&ep->neg, 0, sizeof(ep->neg));
    memset(ep->done, 0, sizeof(ep->done));
    memset(ep->client_random, 0, sizeof(ep->client_random));
    memset(ep->server_random, 0, sizeof(ep->server_random));
    ep->session_id_len = 0;
}

static int conn_open(th_ep *ep, char *err, size_t err_len) {
    conn_reset(ep);
    if (!th_peer_connect(ep->peer, err, err_len)) {
        return 0;
    }
    ep->connected = 1;
    ep_log(ep, "== connection %s ==\n", ep->first_connection ? "1 (ticket)" : "(scenario)");
    if (!ep->ops->start(ep)) {
        snprintf(err, err_len, "the %s role could not start",
                 ep->role == TH_ROLE_CLIENT ? "client" : "server");
        return 0;
    }
    return 1;
}

static void conn_close(th_ep *ep) {
    if (ep->connected) {
        th_peer_disconnect(ep->peer);
        ep->connected = 0;
    }
}

/* ---- sending ---------------------------------------------------------- */

int ep_send_message(th_ep *ep, th_sc_msg msg, const th_sc_send *step, char *err, size_t err_len) {
    CBB cbb;
    uint8_t *wire = NULL, *out = NULL;
    size_t wire_len, out_len;
    int ok = 0;
    if (!CBB_init(&cbb, 256)) {
        snprintf(err, err_len, "out of memory");
        return 0;
    }
    if (!ep->ops->build(ep, msg, step, &cbb, err, err_len)) {
        CBB_cleanup(&cbb);
        return 0;
    }
    if (!CBB_finish(&cbb, &wire, &wire_len) || wire_len < TH_HANDSHAKE_HEADER_LEN) {
        CBB_cleanup(&cbb);
        snprintf(err, err_len, "the %s could not be written", th_sc_msg_name(msg));
        goto done;
    }
    /* Body-level edits, then the header (RFC 8446 §4: type, uint24 length). */
    const uint8_t *body = wire + TH_HANDSHAKE_HEADER_LEN;
    size_t body_len = wire_len - TH_HANDSHAKE_HEADER_LEN;
    uint8_t type = wire[0];
    if (step != NULL && step->has_body) {
        body = step->body;
        body_len = step->body_len;
    }
    if (step != NULL && step->truncate > 0) {
        body_len = step->truncate < body_len ? body_len - step->truncate : 0;
    }
    size_t append_len = step != NULL ? step->append_len : 0;
    out_len = TH_HANDSHAKE_HEADER_LEN + body_len + append_len;
    out = malloc(out_len + 1);
    if (out == NULL) {
        snprintf(err, err_len, "out of memory");
        goto done;
    }
    if (body_len != 0) {
        memcpy(out + TH_HANDSHAKE_HEADER_LEN, body, body_len);
    }
    if (append_len != 0) {
        memcpy(out + TH_HANDSHAKE_HEADER_LEN + body_len, step->append, append_len);
    }
    if (step != NULL && step->flip.part == TH_SC_FLIP_BODY &&
        !ep_flip_bit(out + TH_HANDSHAKE_HEADER_LEN, body_len + append_len, step->flip.bit)) {
        snprintf(err, err_len, "flip body: bit %zu is outside the %zu-byte body", step->flip.bit,
                 body_len + append_len);
        goto done;
    }
    uint32_t hdr_len = (uint32_t)(body_len + append_len);
    if (step != NULL && step->has_msg_length) {
        hdr_len = step->msg_length;
    }
    out[0] = step != NULL && step->has_msg_type ? step->msg_type : type;
    out[1] = (uint8_t)(hdr_len >> 16);
    out[2] = (uint8_t)(hdr_len >> 8);
    out[3] = (uint8_t)hdr_len;
    size_t times = step != NULL && step->times > 1 ? step->times : 1;
    /* A message kept out of the transcript, or one the role finds out of
     * place, is not taken as sent: our keys, transcript and plan stay as
     * they were, so the peer's answer under its real keys can be read. */
    int untouched = (step != NULL && step->no_transcript) ||
                    (ep->ops->out_of_place != NULL && ep->ops->out_of_place(ep, msg));
    const th_sc_record_opts *ro = step != NULL ? &step->rec : NULL;
    const th_sc_flip *flip = step != NULL ? &step->flip : NULL;
    for (size_t i = 0; i < times; i++) {
        th_sc_epoch e = ro != NULL ? ro->epoch : TH_SC_EPOCH_CURRENT;
        if (ro != NULL && ro->no_encrypt) {
            e = TH_SC_EPOCH_PLAINTEXT;
        } else if (e == TH_SC_EPOCH_CURRENT) {
            e = ep->wr.cur_epoch;
        }
        ep_log_message(ep, "->", e, out, out_len);
        if (!ep_send_records(ep, TH_CT_HANDSHAKE, out, out_len, ro, flip, err, err_len)) {
            goto done;
        }
        /* RFC 8446 §4.4.1: the transcript holds the handshake messages, not
         * NewSessionTicket or KeyUpdate. A message sent `times` over enters
         * it once: a correct peer refuses the copies. */
        int in_transcript = i == 0 && !untouched && msg != TH_SC_MSG_NEW_SESSION_TICKET &&
                            msg != TH_SC_MSG_KEY_UPDATE;
        if (in_transcript && !ep_transcript_add(ep, out, out_len)) {
            snprintf(err, err_len, "transcript update failed");
            goto done;
        }
    }
    if (untouched) {
        /* A message kept out of the transcript still counts as sent for
         * the plan (`handshake:` goes on after it); one out of place does
         * not. */
        int plan_done = step != NULL && step->no_transcript;
        if (plan_done && msg > TH_SC_MSG_NONE && msg < TH_SC_NUM_MSGS) {
            ep->done[msg] = 1;
        }
        ep_log(ep, "   (%s: our keys and state are unchanged)\n",
               plan_done ? "no_transcript" : "out of place");
        ok = 1;
        goto done;
    }
    ok = ep->ops->sent(ep, msg, out, out_len, err, err_len);
done:
    OPENSSL_free(wire);
    free(out);
    return ok;
}

/* A send step other than a handshake message. */
static int send_other(th_ep *ep, const th_sc_send *s, char *err, size_t err_len) {
    size_t times = s->times > 1 ? s->times : 1;
    th_sc_record_opts ro = s->rec;
    for (size_t i = 0; i < times; i++) {
        if (i > 0 && !ro.coalesce && s->kind != TH_SC_SEND_RAW) {
            /* `times` replays the very bytes (RFC 8446 §5.3: a replayed
             * record fails under the next sequence number). */
            ep_log(ep, "-> (the same %zu bytes again)\n", ep->last_write_len);
            if (ep->last_write_len != 0 &&
                !th_peer_write(ep->peer, ep->last_write, ep->last_write_len, err, err_len)) {
                return 0;
            }
            continue;
        }
        switch (s->kind) {
        case TH_SC_SEND_CCS: {
            /* RFC 8446 §5: change_cipher_spec is never protected. In TLS
             * 1.2 it is, by the current keys (a renegotiation). */
            if (ro.epoch == TH_SC_EPOCH_CURRENT && ep->ops->seal == NULL) {
                ro.epoch = TH_SC_EPOCH_PLAINTEXT;
            }
            static const uint8_t kCcs[1] = {1};
            const uint8_t *d = s->data != NULL ? s->data : kCcs;
            size_t n = s->data != NULL ? s->data_len : 1;
            ep_log(ep, "-> change_cipher_spec\n");
            if (!ep_send_records(ep, TH_CT_CHANGE_CIPHER_SPEC, d, n, &ro, &s->flip, err, err_len)) {
                return 0;
            }
            /* TLS 1.2 (RFC 5246 §7.1): our next records use the new keys. */
            if (i == 0 && ep->ops->ccs_sent != NULL && !ep->ops->ccs_sent(ep, err, err_len)) {
                return 0;
            }
            break;
        }
        case TH_SC_SEND_ALERT:
            if (!ep_send_alert(ep, s->alert_level != 0 ? s->alert_level : TH_ALERT_LEVEL_FATAL,
                               s->alert_desc, &ro, err, err_len)) {
                return 0;
            }
            break;
        case TH_SC_SEND_CLOSE_NOTIFY:
            if (!ep_send_alert(ep, TH_ALERT_LEVEL_WARNING, TH_ALERT_CLOSE_NOTIFY, &ro, err,
                               err_len)) {
                return 0;
            }
            break;
        case TH_SC_SEND_APP_DATA:
            ep_log(ep, "-> application_data %zu bytes", s->data_len);
            ep_log_data(ep, s->data, s->data_len);
            if (!ep_send_records(ep, TH_CT_APPLICATION_DATA, s->data, s->data_len, &ro, &s->flip,
                                 err, err_len)) {
                return 0;
            }
            break;
        case TH_SC_SEND_RECORD: {
            uint8_t type = ro.has_content_type ? ro.content_type : TH_CT_APPLICATION_DATA;
            if (!ep_send_records(ep, type, s->data, s->data_len, &ro, &s->flip, err, err_len)) {
                return 0;
            }
            break;
        }
        case TH_SC_SEND_RAW:
            ep_log(ep, "-> raw %zu bytes\n", s->data_len);
            if (s->data_len != 0 && !th_peer_write(ep->peer, s->data, s->data_len, err, err_len)) {
                return 0;
            }
            break;
        case TH_SC_SEND_MESSAGE:
            break;
        }
    }
    return 1;
}

/* ---- receiving -------------------------------------------------------- */

/* Events an expectation skips when it wants something else: the peer's
 * change_cipher_spec (RFC 8446 §D.4 compatibility mode) and post-handshake
 * NewSessionTickets (processed: kept for resumption). */
static int skippable(th_ep *ep, const th_ep_event *ev, const th_sc_expect *want) {
    if (ev->kind == TH_EP_EV_CCS) {
        return want == NULL || want->kind != TH_SC_EXPECT_CCS;
    }
    /* Tickets come after the handshake, or (RFC 8446 §4.6.1) right after
     * the server Finished: once the peer's application keys are in use. */
    if (ev->kind == TH_EP_EV_MESSAGE && ev->msg == TH_SC_MSG_NEW_SESSION_TICKET &&
        (ep->neg.established || ep->rd.cur_epoch == TH_SC_EPOCH_APPLICATION)) {
        return want == NULL || want->kind != TH_SC_EXPECT_MESSAGE ||
               want->msg != TH_SC_MSG_NEW_SESSION_TICKET;
    }
    return 0;
}

/* The next event that is not skippable for |want|. NSTs skipped on the way
 * are processed by the role (a bad one is a mismatch: 0 with |r| set). */
static int next_relevant(th_ep *ep, const th_sc_expect *want, unsigned deadline_ms, th_ep_event *ev,
                         ep_result *r, const th_sc_step *step) {
    for (;;) {
        if (!ep_next_event(ep, ev, deadline_ms)) {
            set_result(r, TH_EP_ERROR, step, "an event", "out of memory");
            return 0;
        }
        if (!skippable(ep, ev, want)) {
            return 1;
        }
        if (ev->kind == TH_EP_EV_MESSAGE) {
            int local = 0;
            char why[TH_EP_TEXT_MAX] = "";
            if (!ep->ops->recv(ep, ev, &local, why, sizeof(why))) {
                set_result(r, local ? TH_EP_ERROR : TH_EP_FAIL, step,
                           "a valid post-handshake new_session_ticket", "%s", why);
                th_ep_event_cleanup(ev);
                return 0;
            }
        }
        th_ep_event_cleanup(ev);
    }
}

/* Peeks at the next relevant event for |want| (skippable ones consumed). */
static const th_ep_event *peek_relevant(th_ep *ep, const th_sc_expect *want) {
    for (;;) {
        const th_ep_event *ev = ep_peek_event(ep, 0);
        if (ev == NULL || !skippable(ep, ev, want)) {
            return ev;
        }
        th_ep_event taken;
        if (!ep_next_event(ep, &taken, 0)) {
            return NULL;
        }
        if (taken.kind == TH_EP_EV_MESSAGE) {
            int local = 0;
            char why[TH_EP_TEXT_MAX];
            (void)ep->ops->recv(ep, &taken, &local, why, sizeof(why));
        }
        th_ep_event_cleanup(&taken);
    }
}

/* ---- expectations ------------------------------------------------------ */

static void alerts_text(const th_sc_expect *x, char *out, size_t out_len) {
    size_t off = 0;
    char b[32];
    off += (size_t)snprintf(out + off, out_len - off, "alert ");
    if (x->num_alerts == 0) {
        snprintf(out + off, out_len - off, "(any)");
    }
    for (size_t i = 0; i < x->num_alerts && off < out_len; i++) {
        off += (size_t)snprintf(
            out + off, out_len - off, "%s%s", i ? " or " : "",
            th_name_or_hex(th_alert_name(x->alerts[i]), x->alerts[i], b, sizeof(b)));
    }
    if (x->level != 0 && off < out_len) {
        snprintf(out + off, out_len - off, " (%s)", x->level == 1 ? "warning" : "fatal");
    }
}

static void expect_text(const th_sc_expect *x, char *out, size_t out_len) {
    switch (x->kind) {
    case TH_SC_EXPECT_MESSAGE:
        snprintf(out, out_len, "message %s", th_sc_msg_name(x->msg));
        return;
    case TH_SC_EXPECT_ALERT:
        alerts_text(x, out, out_len);
        return;
    case TH_SC_EXPECT_CLOSE:
        snprintf(out, out_len, "close");
        return;
    case TH_SC_EXPECT_NOTHING:
        snprintf(out, out_len, "nothing within %u ms", x->deadline_ms);
        return;
    case TH_SC_EXPECT_APP_DATA:
        snprintf(out, out_len, "application_data (%zu bytes)", x->data_len);
        return;
    case TH_SC_EXPECT_CCS:
        snprintf(out, out_len, "change_cipher_spec");
        return;
    case TH_SC_EXPECT_NEGOTIATED:
        snprintf(out, out_len, "negotiated parameters");
        return;
    case TH_SC_EXPECT_ESTABLISHED:
        snprintf(out, out_len, "established");
        return;
    }
}

/* 1 if |ev| is what the first expect |x| of an any_of alternative wants
 * (without processing it). */
static int event_matches(const th_sc_expect *x, const th_ep_event *ev) {
    switch (x->kind) {
    case TH_SC_EXPECT_MESSAGE:
        return ev->kind == TH_EP_EV_MESSAGE && ev->msg == x->msg;
    case TH_SC_EXPECT_ALERT:
        if (ev->kind != TH_EP_EV_ALERT || (x->level != 0 && ev->alert_level != x->level)) {
            return 0;
        }
        for (size_t i = 0; i < x->num_alerts; i++) {
            if (x->alerts[i] == ev->alert_desc) {
                return 1;
            }
        }
        return x->num_alerts == 0;
    case TH_SC_EXPECT_CLOSE:
        return ev->kind == TH_EP_EV_CLOSE;
    case TH_SC_EXPECT_NOTHING:
        return ev->kind == TH_EP_EV_NOTHING;
    case TH_SC_EXPECT_APP_DATA:
        return ev->kind == TH_EP_EV_APP_DATA;
    case TH_SC_EXPECT_CCS:
        return ev->kind == TH_EP_EV_CCS;
    case TH_SC_EXPECT_NEGOTIATED:
    case TH_SC_EXPECT_ESTABLISHED:
        return 1;
    }
    return 0;
}

static int check_negotiated(th_ep *ep, const th_sc_expect *x, char *exp, size_t exp_len, char *got,
                            size_t got_len) {
    const th_ep_negotiated *n = &ep->neg;
    char b1[32], b2[32];
    if (x->version != 0 && x->version != n->version) {
        snprintf(exp, exp_len, "negotiated version %s",
                 th_name_or_hex(th_version_name(x->version), x->version, b1, sizeof(b1)));
        snprintf(got, got_len, "version %s",
                 th_name_or_hex(th_version_name(n->version), n->version, b2, sizeof(b2)));
        return 0;
    }
    if (x->cipher_suite != 0 && x->cipher_suite != n->cipher_suite) {
        snprintf(
            exp, exp_len, "negotiated cipher_suite %s",
            th_name_or_hex(th_cipher_suite_name(x->cipher_suite), x->cipher_suite, b1, sizeof(b1)));
        snprintf(
            got, got_len, "cipher_suite %s",
            th_name_or_hex(th_cipher_suite_name(n->cipher_suite), n->cipher_suite, b2, sizeof(b2)));
        return 0;
    }
    if (x->group != 0 && x->group != n->group) {
        snprintf(exp, exp_len, "negotiated group %s",
                 th_name_or_hex(th_group_name(x->group), x->group, b1, sizeof(b1)));
        snprintf(got, got_len, "group %s",
                 n->group != 0 ? th_name_or_hex(th_group_name(n->group), n->group, b2, sizeof(b2))
                               : "none");
        return 0;
    }
    if (x->alpn != NULL && strcmp(x->alpn, n->alpn) != 0) {
        snprintf(exp, exp_len, "negotiated alpn \"%s\"", x->alpn);
        snprintf(got, got_len, "alpn \"%s\"", n->alpn);
        return 0;
    }
    if (x->resumed >= 0 && !x->resumed != !n->resumed) {
        snprintf(exp, exp_len, "resumed: %s", x->resumed ? "true" : "false");
        snprintf(got, got_len, "resumed: %s", n->resumed ? "true" : "false");
        return 0;
    }
    if (x->hello_retry >= 0 && !x->hello_retry != !n->hello_retry) {
        snprintf(exp, exp_len, "hello_retry: %s", x->hello_retry ? "true" : "false");
        snprintf(got, got_len, "hello_retry: %s", n->hello_retry ? "true" : "false");
        return 0;
    }
    if (x->early_data_accepted >= 0 && !x->early_data_accepted != !n->early_data_accepted) {
        snprintf(exp, exp_len, "early_data_accepted: %s",
                 x->early_data_accepted ? "true" : "false");
        snprintf(got, got_len, "early_data_accepted: %s",
                 n->early_data_accepted ? "true" : "false");
        return 0;
    }
    return 1;
}

/* Text in quotes when printable, else hex; at most 32 bytes shown. */
static void hex_preview(const uint8_t *d, size_t n, char *out, size_t out_len) {
    size_t shown = n < 32 ? n : 32, off = 0;
    int printable = 1;
    for (size_t i = 0; i < shown; i++) {
        printable &= d[i] >= 0x20 && d[i] < 0x7f && d[i] != '"';
    }
    if (printable) {
        snprintf(out, out_len, "\"%.*s\"%s", (int)shown, (const char *)d, n > shown ? "..." : "");
        return;
    }
    out[0] = '\0';
    for (size_t i = 0; i < shown && off + 3 < out_len; i++) {
        off += (size_t)snprintf(out + off, out_len - off, "%02x", d[i]);
    }
    if (n > shown && off + 4 < out_len) {
        snprintf(out + off, out_len - off, "...");
    }
}

static int run_expect(th_ep *ep, const th_sc_step *step, ep_result *r) {
    const th_sc_expect *x = &step->expect;
    char exp[TH_EP_TEXT_MAX], got[TH_EP_TEXT_MAX];
    expect_text(x, exp, sizeof(exp));
    if (x->kind == TH_SC_EXPECT_NEGOTIATED) {
        if (!check_negotiated(ep, x, exp, sizeof(exp), got, sizeof(got))) {
            set_result(r, TH_EP_FAIL, step, exp, "%s", got);
            return 0;
        }
        return 1;
    }
    if (x->kind == TH_SC_EXPECT_ESTABLISHED) {
        if (!ep->neg.established) {
            set_result(r, TH_EP_FAIL, step, exp, "the handshake is not complete");
            return 0;
        }
        return 1;
    }
    if (x->kind == TH_SC_EXPECT_APP_DATA) {
        /* The peer may split the data over records: gather until the
         * expected length, every piece matching. */
        size_t have = 0;
        uint8_t *buf = malloc(x->data_len + 1);
        if (buf == NULL) {
            set_result(r, TH_EP_ERROR, step, exp, "out of memory");
            return 0;
        }
        if (ep->early_rcvd_len != 0) {
            size_t n = ep->early_rcvd_len < x->data_len ? ep->early_rcvd_len : x->data_len;
            memcpy(buf, ep->early_rcvd, n);
            memmove(ep->early_rcvd, ep->early_rcvd + n, ep->early_rcvd_len - n);
            ep->early_rcvd_len -= n;
            have = n;
        }
        while (have < x->data_len || (x->data_len == 0 && have == 0)) {
            th_ep_event ev;
            if (!next_relevant(ep, x, 0, &ev, r, step)) {
                free(buf);
                return 0;
            }
            if (ev.kind != TH_EP_EV_APP_DATA) {
                result_event(ep, r, step, exp, &ev);
                if (have != 0) {
                    snprintf(r->got + strlen(r->got), sizeof(r->got) - strlen(r->got),
                             " after %zu matching bytes", have);
                }
                th_ep_event_cleanup(&ev);
                free(buf);
                return 0;
            }
            size_t n = ev.len;
            if (have + n > x->data_len) {
                set_result(r, TH_EP_FAIL, step, exp, "%zu bytes of application_data", have + n);
                th_ep_event_cleanup(&ev);
                free(buf);
                return 0;
            }
            memcpy(buf + have, ev.bytes, n);
            have += n;
            th_ep_event_cleanup(&ev);
            if (x->data_len == 0) {
                break;
            }
        }
        if (x->data_len != 0 && memcmp(buf, x->data, x->data_len) != 0) {
            char h1[80], h2[80];
            hex_preview(x->data, x->data_len, h1, sizeof(h1));
            hex_preview(buf, have, h2, sizeof(h2));
            snprintf(exp, sizeof(exp), "application_data %s", h1);
            set_result(r, TH_EP_FAIL, step, exp, "application_data %s", h2);
            free(buf);
            return 0;
        }
        free(buf);
        return 1;
    }
    th_ep_event ev;
    unsigned deadline = x->kind == TH_SC_EXPECT_NOTHING ? (x->deadline_ms ? x->deadline_ms : 1) : 0;
    if (!next_relevant(ep, x, deadline, &ev, r, step)) {
        return 0;
    }
    int ok = event_matches(x, &ev);
    if (!ok) {
        result_event(ep, r, step, exp, &ev);
        th_ep_event_cleanup(&ev);
        return 0;
    }
    if (x->kind == TH_SC_EXPECT_MESSAGE) {
        int local = 0;
        char why[TH_EP_TEXT_MAX] = "";
        if (!ep->ops->recv(ep, &ev, &local, why, sizeof(why))) {
            snprintf(exp, sizeof(exp), "a valid %s", th_sc_msg_name(x->msg));
            set_result(r, local ? TH_EP_ERROR : TH_EP_FAIL, step, exp, "%s", why);
            th_ep_event_cleanup(&ev);
            return 0;
        }
        if (!(ep->ops->check_fields != NULL ? ep->ops->check_fields : ep_check_fields)(
                ep, &ev, x, exp, sizeof(exp), got, sizeof(got))) {
            set_result(r, TH_EP_FAIL, step, exp, "%s", got);
            th_ep_event_cleanup(&ev);
            return 0;
        }
    }
    th_ep_event_cleanup(&ev);
    return 1;
}

/* ---- steps ------------------------------------------------------------ */

static int run_steps(th_ep *ep, const th_sc_steps *steps, int top, ep_result *r);

static int in_skip(const th_sc_handshake *h, th_sc_msg m) {
    for (size_t i = 0; i < h->num_skip; i++) {
        if (h->skip[i] == m) {
            return 1;
        }
    }
    return 0;
}

/* The default handshake plan from here (RFC 8446 §2 message flow). */
static int run_handshake(th_ep *ep, const th_sc_step *step, const th_sc_handshake *h,
                         ep_result *r) {
    char err[TH_EP_TEXT_MAX];
    for (int n = 0; n < MAX_PLAN_STEPS; n++) {
        th_ep_next next = ep->ops->next(ep);
        if (next.kind == TH_EP_NEXT_DONE) {
            return 1;
        }
        if (next.kind == TH_EP_NEXT_SEND) {
            if (h != NULL && h->until != TH_SC_MSG_NONE && next.msg == h->until) {
                return 1;
            }
            if (h != NULL && in_skip(h, next.msg)) {
                ep_log(ep, "-- %s skipped\n", th_sc_msg_name(next.msg));
                ep->done[next.msg] = 1;
                continue;
            }
            err[0] = '\0';
            if (ep->ops->before_send != NULL &&
                !ep->ops->before_send(ep, next.msg, err, sizeof(err))) {
                set_result(r, TH_EP_ERROR, step, "to send the default message",
                           "could not send before %s: %s", th_sc_msg_name(next.msg), err);
                return 0;
            }
            if (!ep_send_message(ep, next.msg, NULL, err, sizeof(err))) {
                set_result(r, TH_EP_ERROR, step, "to send the default message",
                           "could not send %s: %s", th_sc_msg_name(next.msg), err);
                return 0;
            }
            continue;
        }
        th_ep_event ev;
        if (!next_relevant(ep, NULL, 0, &ev, r, step)) {
            return 0;
        }
        char exp[TH_EP_TEXT_MAX];
        snprintf(exp, sizeof(exp), "message %s", th_sc_msg_name(next.msg));
        if (ev.kind == TH_EP_EV_APP_DATA && ev.epoch == TH_SC_EPOCH_EARLY) {
            /* 0-RTT data read by a server before EndOfEarlyData: kept for a
             * later `expect: application_data`. */
            uint8_t *p = realloc(ep->early_rcvd, ep->early_rcvd_len + ev.len + 1);
            if (p == NULL) {
                th_ep_event_cleanup(&ev);
                set_result(r, TH_EP_ERROR, step, exp, "out of memory");
                return 0;
            }
            memcpy(p + ep->early_rcvd_len, ev.bytes, ev.len);
            ep->early_rcvd = p;
            ep->early_rcvd_len += ev.len;
            th_ep_event_cleanup(&ev);
            continue;
        }
        if (ev.kind != TH_EP_EV_MESSAGE) {
            result_event(ep, r, step, exp, &ev);
            th_ep_event_cleanup(&ev);
            return 0;
        }
        int local = 0;
        char why[TH_EP_TEXT_MAX] = "";
        if (!ep->ops->recv(ep, &ev, &local, why, sizeof(why))) {
            set_result(r, local ? TH_EP_ERROR : TH_EP_FAIL, step, exp, "%s", why);
            th_ep_event_cleanup(&ev);
            return 0;
        }
        th_ep_event_cleanup(&ev);
    }
    set_result(r, TH_EP_ERROR, step, "the default handshake to progress",
               "no progress after %d plan steps", MAX_PLAN_STEPS);
    return 0;
}

static int run_any_of(th_ep *ep, const th_sc_step *step, ep_result *r) {
    size_t pick = step->num_alts;
    const th_ep_event *ev = NULL;
    for (size_t i = 0; i < step->num_alts && pick == step->num_alts; i++) {
        const th_sc_steps *alt = &step->alts[i];
        if (alt->num_steps == 0 || alt->steps[0].kind != TH_SC_STEP_EXPECT) {
            pick = i;
            break;
        }
        const th_sc_expect *x = &alt->steps[0].expect;
        if (x->kind == TH_SC_EXPECT_NEGOTIATED || x->kind == TH_SC_EXPECT_ESTABLISHED) {
            pick = i;
            break;
        }
        ev = peek_relevant(ep, x);
        if (ev == NULL) {
            set_result(r, TH_EP_ERROR, step, "an event", "out of memory");
            return 0;
        }
        if (event_matches(x, ev)) {
            pick = i;
        }
    }
    if (pick == step->num_alts) {
        char exp[TH_EP_TEXT_MAX] = "one of: ";
        for (size_t i = 0; i < step->num_alts; i++) {
            char t[TH_EP_TEXT_MAX];
            expect_text(&step->alts[i].steps[0].expect, t, sizeof(t));
            size_t l = strlen(exp);
            int n = snprintf(exp + l, sizeof(exp) - l, "%s%s", i ? " | " : "", t);
            if (n < 0 || (size_t)n >= sizeof(exp) - l) {
                break; /* the text is full: the rest is cut */
            }
        }
        if (ev != NULL) {
            result_event(ep, r, step, exp, ev);
        } else {
            set_result(r, TH_EP_FAIL, step, exp, "no event");
        }
        return 0;
    }
    ep_log(ep, "-- any_of: alternative %zu\n", pick + 1);
    return run_steps(ep, &step->alts[pick], 0, r);
}

static int run_step(th_ep *ep, const th_sc_step *step, ep_result *r) {
    char err[TH_EP_TEXT_MAX] = "";
    ep->cur_step = step;
    switch (step->kind) {
    case TH_SC_STEP_SEND:
        if (step->send.kind == TH_SC_SEND_MESSAGE) {
            if (!ep_send_message(ep, step->send.msg, &step->send, err, sizeof(err))) {
                set_result(r, TH_EP_ERROR, step, "to send the message", "%s", err);
                return 0;
            }
            return 1;
        }
        if (!send_other(ep, &step->send, err, sizeof(err))) {
            set_result(r, TH_EP_ERROR, step, "to send", "%s", err);
            return 0;
        }
        return 1;
    case TH_SC_STEP_EXPECT:
        return run_expect(ep, step, r);
    case TH_SC_STEP_HANDSHAKE:
        return run_handshake(ep, step, &step->handshake, r);
    case TH_SC_STEP_ANY_OF:
        return run_any_of(ep, step, r);
    case TH_SC_STEP_REPEAT:
        for (size_t i = 0; i < step->count; i++) {
            if (!run_steps(ep, &step->body, 0, r)) {
                return 0;
            }
        }
        return 1;
    }
    return 1;
}

static int run_steps(th_ep *ep, const th_sc_steps *steps, int top, ep_result *r) {
    for (size_t i = 0; i < steps->num_steps; i++) {
        if (top) {
            ep->top_step = i + 1;
        }
        if (!run_step(ep, &steps->steps[i], r)) {
            return 0;
        }
    }
    return 1;
}

/* ---- the run ---------------------------------------------------------- */

static const char *step_kind_name(const th_sc_step *s, char *buf, size_t len) {
    switch (s->kind) {
    case TH_SC_STEP_SEND:
        switch (s->send.kind) {
        case TH_SC_SEND_MESSAGE:
            snprintf(buf, len, "send %s", th_sc_msg_name(s->send.msg));
            return buf;
        case TH_SC_SEND_CCS:
            return "send change_cipher_spec";
        case TH_SC_SEND_ALERT:
            return "send alert";
        case TH_SC_SEND_APP_DATA:
            return "send application_data";
        case TH_SC_SEND_CLOSE_NOTIFY:
            return "send close_notify";
        case TH_SC_SEND_RECORD:
            return "send record";
        case TH_SC_SEND_RAW:
            return "send raw";
        }
        return "send";
    case TH_SC_STEP_EXPECT:
        switch (s->expect.kind) {
        case TH_SC_EXPECT_MESSAGE:
            snprintf(buf, len, "expect %s", th_sc_msg_name(s->expect.msg));
            return buf;
        case TH_SC_EXPECT_ALERT:
            return "expect alert";
        case TH_SC_EXPECT_CLOSE:
            return "expect close";
        case TH_SC_EXPECT_NOTHING:
            return "expect nothing";
        case TH_SC_EXPECT_APP_DATA:
            return "expect application_data";
        case TH_SC_EXPECT_CCS:
            return "expect change_cipher_spec";
        case TH_SC_EXPECT_NEGOTIATED:
            return "expect negotiated";
        case TH_SC_EXPECT_ESTABLISHED:
            return "expect established";
        }
        return "expect";
    case TH_SC_STEP_HANDSHAKE:
        return "handshake";
    case TH_SC_STEP_ANY_OF:
        return "any_of";
    case TH_SC_STEP_REPEAT:
        return "repeat";
    }
    return "step";
}

static char *dup_str(const char *s) {
    size_t n = strlen(s);
    char *d = malloc(n + 1);
    if (d != NULL) {
        memcpy(d, s, n + 1);
    }
    return d;
}

/* The ticket run of a `resume` scenario: a default handshake, then the
 * ticket (client: wait for the NewSessionTicket; server: send one). */
static int ticket_run(th_ep *ep, ep_result *r) {
    char err[TH_EP_TEXT_MAX] = "";
    if (!conn_open(ep, err, sizeof(err))) {
        set_result(r, TH_EP_ERROR, NULL, "to connect (ticket run)", "%s", err);
        return 0;
    }
    if (!run_handshake(ep, NULL, NULL, r)) {
        snprintf(r->expected + strlen(r->expected), sizeof(r->expected) - strlen(r->expected),
                 " (ticket run)");
        return 0;
    }
    if (ep->role == TH_ROLE_CLIENT) {
        for (int i = 0; i < 8 && !ep->ticket.valid; i++) {
            th_ep_event ev;
            if (!ep_next_event(ep, &ev, 0)) {
                set_result(r, TH_EP_ERROR, NULL, "a new_session_ticket", "out of memory");
                return 0;
            }
            if (ev.kind == TH_EP_EV_MESSAGE) {
                int local = 0;
                char why[TH_EP_TEXT_MAX] = "";
                if (!ep->ops->recv(ep, &ev, &local, why, sizeof(why))) {
                    set_result(r, local ? TH_EP_ERROR : TH_EP_FAIL, NULL,
                               "a valid new_session_ticket (ticket run)", "%s", why);
                    th_ep_event_cleanup(&ev);
                    return 0;
                }
            } else if (ev.kind != TH_EP_EV_CCS && ev.kind != TH_EP_EV_APP_DATA) {
                result_event(ep, r, NULL, "a new_session_ticket (ticket run)", &ev);
                th_ep_event_cleanup(&ev);
                return 0;
            }
            th_ep_event_cleanup(&ev);
        }
        if (!ep->ticket.valid) {
            set_result(r, TH_EP_FAIL, NULL, "a new_session_ticket (ticket run)", "no ticket");
            return 0;
        }
    } else if (!ep->ticket.valid &&
               !ep_send_message(ep, TH_SC_MSG_NEW_SESSION_TICKET, NULL, err, sizeof(err))) {
        set_result(r, TH_EP_ERROR, NULL, "to send a new_session_ticket (ticket run)", "%s", err);
        return 0;
    }
    conn_close(ep);
    return 1;
}

static void fill_outcome(th_ep *ep, const ep_result *r, th_ep_outcome *out) {
    out->verdict = r->verdict;
    if (r->verdict != TH_EP_PASS) {
        char kb[64];
        const th_sc_step *st = r->step;
        out->failed_step = ep->top_step;
        char msg[3 * TH_EP_TEXT_MAX];
        if (st != NULL) {
            out->step_loc = st->loc;
            snprintf(msg, sizeof(msg), "step %zu (%s at %s:%u:%u): expected %s, got %s",
                     ep->top_step, step_kind_name(st, kb, sizeof(kb)),
                     st->loc.file != NULL ? st->loc.file : "?", st->loc.line, st->loc.column,
                     r->expected, r->got);
        } else {
            out->step_loc = ep->sc->loc;
            snprintf(msg, sizeof(msg), "before the steps (%s:%u:%u): expected %s, got %s",
                     ep->sc->loc.file != NULL ? ep->sc->loc.file : "?", ep->sc->loc.line,
                     ep->sc->loc.column, r->expected, r->got);
        }
        out->message = dup_str(msg);
        out->expected = dup_str(r->expected);
        out->got = dup_str(r->got);
        out->got_alert = r->got_alert;
        out->alert = r->alert;
    }
}

int th_ep_run(const th_scenario *sc, th_peer *peer, const th_ep_opts *opts, th_ep_outcome *out) {
    memset(out, 0, sizeof(*out));
    th_ep *ep = calloc(1, sizeof(*ep));
    if (ep == NULL) {
        return 0;
    }
    ep->sc = sc;
    ep->cfg = &sc->ours;
    ep->opts = opts;
    ep->role = sc->role;
    ep->ops = sc->role == TH_ROLE_SERVER ? &th_ep_server_role : &th_ep_client_role;
    ep->ops = ep12_initial_role(sc, ep->ops);
    ep->peer = peer;
    th_hs_reasm_init(&ep->reasm, 0);
    ep->log = open_memstream(&ep->log_buf, &ep->log_size);
    ep->keylog = open_memstream(&ep->keylog_buf, &ep->keylog_size);
    /* The DRBG's entropy is the seed (and the role, so both sides of a
     * self-test differ): every run with one seed is the same. */
    uint8_t entropy[CTR_DRBG_ENTROPY_LEN];
    memset(entropy, 0, sizeof(entropy));
    for (size_t i = 0; i < 8; i++) {
        entropy[i] = (uint8_t)(opts->seed >> (8 * i));
    }
    entropy[8] = (uint8_t)sc->role;
    static const char kPersonal[] = "tlsharness scripted endpoint";
    ep->drbg = CTR_DRBG_new(entropy, (const uint8_t *)kPersonal, sizeof(kPersonal) - 1);

    ep_result r;
    memset(&r, 0, sizeof(r));
    char err[TH_EP_TEXT_MAX] = "";
    if (ep->drbg == NULL || ep->log == NULL || ep->keylog == NULL) {
        set_result(&r, TH_EP_ERROR, NULL, "to start", "out of memory");
    } else if (sc->ours.resume && (ep->first_connection = 1, !ticket_run(ep, &r))) {
        /* r says why. */
    } else {
        ep->first_connection = 0;
        if (!conn_open(ep, err, sizeof(err))) {
            set_result(&r, TH_EP_ERROR, NULL, "to connect", "%s", err);
        } else if (run_steps(ep, &sc->steps, 1, &r)) {
            r.verdict = TH_EP_PASS;
        }
    }
    conn_close(ep);
    conn_reset(ep);
    th_hs_reasm_cleanup(&ep->reasm);
    if (ep->log != NULL) {
        fclose(ep->log);
    }
    if (ep->keylog != NULL) {
        fclose(ep->keylog);
    }
    fill_outcome(ep, &r, out);
    out->transcript = ep->log_buf;
    out->keylog = ep->keylog_buf;
    CTR_DRBG_free(ep->drbg);
    X509_STORE_free(ep->trust);
    th_cert_key_cleanup(&ep->cert);
    free(ep->ticket.ticket);
    th_secret_cleanse(&ep->ticket.psk);
    free(ep);
    return 1;
}

void th_ep_outcome_cleanup(th_ep_outcome *out) {
    if (out == NULL) {
        return;
    }
    free(out->message);
    free(out->expected);
    free(out->got);
    free(out->transcript);
    free(out->keylog);
    memset(out, 0, sizeof(*out));
}
