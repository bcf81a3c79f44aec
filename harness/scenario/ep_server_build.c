/* The server role (ep_server.c): our messages built as typed structs, so
 * that a step's `set:` fields and extension edits apply before writing. */
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

static uint32_t u32_of(const uint8_t b[4]) {
    return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}
static const th_sc_value *set_value(const th_sc_send *step, th_sc_field field,
                                    th_sc_val_kind kind) {
    const th_sc_set *s = ep_find_set(step, field);
    return s != NULL && s->value.kind == kind ? &s->value : NULL;
}
static int set_int(const th_sc_send *step, th_sc_field field, uint64_t *out) {
    const th_sc_value *v = set_value(step, field, TH_SC_VAL_INT);
    if (v == NULL) {
        return 0;
    }
    *out = v->i;
    return 1;
}
/* ---- messages we build --------------------------------------------------- */

/* Writes the 4-byte handshake header of |type| and the body |writer| makes
 * of |value| into |out|; jumps to the caller's err label on failure. */
#define WRITE_MSG(out, type, writer, value)                                                        \
    do {                                                                                           \
        CBB body_;                                                                                 \
        if (!CBB_add_u8((out), (type)) || !CBB_add_u24_length_prefixed((out), &body_) ||           \
            !writer(&body_, (value)) || !CBB_flush((out))) {                                       \
            goto err;                                                                              \
        }                                                                                          \
    } while (0)

/* ServerHello or HelloRetryRequest (RFC 8446 §4.1.3, §4.1.4). */
static int build_server_hello(th_ep *ep, sv_state *st, int hrr, const th_sc_send *step, CBB *out,
                              char *err, size_t err_len) {
    th_server_hello sh;
    ep_ext_builder eb;
    uint64_t v;
    int ok = 0;
    memset(&sh, 0, sizeof(sh));
    memset(&eb, 0, sizeof(eb));
    sh.legacy_version = TH_VERSION_TLS12;
    if (set_int(step, TH_SC_F_SH_LEGACY_VERSION, &v)) {
        sh.legacy_version = (uint16_t)v;
    }
    if (hrr) {
        memcpy(sh.random, th_hrr_random, sizeof(sh.random));
    } else {
        ep_random(ep, sh.random, sizeof(sh.random));
    }
    const th_sc_value *rnd = set_value(step, TH_SC_F_SH_RANDOM, TH_SC_VAL_BYTES);
    if (rnd != NULL && rnd->bytes_len == sizeof(sh.random)) {
        memcpy(sh.random, rnd->bytes, sizeof(sh.random));
    }
    const th_sc_value *suffix = set_value(step, TH_SC_F_SH_RANDOM_SUFFIX, TH_SC_VAL_BYTES);
    if (suffix != NULL && suffix->bytes_len <= sizeof(sh.random)) {
        memcpy(sh.random + sizeof(sh.random) - suffix->bytes_len, suffix->bytes, suffix->bytes_len);
    }
    /* RFC 8446 §4.1.3: legacy_session_id_echo is the client's session id. */
    sh.legacy_session_id_echo.data = ep->session_id;
    sh.legacy_session_id_echo.len = ep->session_id_len;
    const th_sc_value *sid = set_value(step, TH_SC_F_SH_SESSION_ID_ECHO, TH_SC_VAL_BYTES);
    if (sid != NULL) {
        sh.legacy_session_id_echo.data = sid->bytes;
        sh.legacy_session_id_echo.len = sid->bytes_len;
    }
    sh.cipher_suite = st->suite;
    if (set_int(step, TH_SC_F_SH_CIPHER_SUITE, &v)) {
        sh.cipher_suite = (uint16_t)v;
    }
    if (set_int(step, TH_SC_F_SH_COMPRESSION_METHOD, &v)) {
        sh.legacy_compression_method = (uint8_t)v;
    }
    sh.has_extensions = 1;
    /* RFC 8446 §4.2.1: selected_version 0x0304. */
    uint16_t version = TH_VERSION_TLS13;
    if (set_int(step, TH_SC_F_SH_SELECTED_VERSION, &v)) {
        version = (uint16_t)v;
    }
    if (!ep_eb_put_u16(&eb, TH_EXT_SUPPORTED_VERSIONS, version)) {
        goto err;
    }
    if (hrr) {
        uint16_t group = st->group;
        if (set_int(step, TH_SC_F_HRR_SELECTED_GROUP, &v)) {
            group = (uint16_t)v;
        }
        if (!ep_eb_put_u16(&eb, TH_EXT_KEY_SHARE, group)) {
            goto err;
        }
        const th_sc_value *cookie = set_value(step, TH_SC_F_HRR_COOKIE, TH_SC_VAL_BYTES);
        if (cookie != NULL) {
            CBB cbb;
            CBB c;
            if (!CBB_init(&cbb, cookie->bytes_len + 2) || !CBB_add_u16_length_prefixed(&cbb, &c) ||
                !CBB_add_bytes(&c, cookie->bytes, cookie->bytes_len) ||
                !ep_eb_put(&eb, TH_EXT_COOKIE, &cbb)) {
                CBB_cleanup(&cbb);
                goto err;
            }
        } else if (ep->cfg->hrr_cookie) {
            /* RFC 8446 §4.2.2: any opaque value; the second ClientHello must
             * echo it. */
            uint8_t ck[COOKIE_LEN];
            ep_random(ep, ck, sizeof(ck));
            th_ext_cookie c = {{ck, sizeof(ck)}};
            CBB cbb;
            if (!CBB_init(&cbb, sizeof(ck) + 2) || !th_write_ext_cookie(&cbb, &c) ||
                !ep_eb_put(&eb, TH_EXT_COOKIE, &cbb)) {
                CBB_cleanup(&cbb);
                goto err;
            }
        }
    } else {
        uint16_t group = st->group;
        int with_share = !st->psk_ok || st->psk_dhe;
        if (set_int(step, TH_SC_F_SH_KEY_SHARE_GROUP, &v)) {
            group = (uint16_t)v;
            with_share = 1;
        }
        if (with_share) {
            th_kex_cleanup(&ep->kex[0]);
            ep->num_kex = 0;
            uint8_t fake[32];
            th_ext_key_share_sh ks;
            ks.share.group = group;
            if (th_kex_group_supported(group)) {
                if (!th_kex_generate(&ep->kex[0], group, ep_random_cb, ep)) {
                    ep_failf(err, err_len, "cannot generate a %s key share",
                             th_group_name(group) ? th_group_name(group) : "?");
                    goto err;
                }
                ep->num_kex = 1;
                ks.share.key_exchange.data = ep->kex[0].public_key;
                ks.share.key_exchange.len = ep->kex[0].public_key_len;
            } else {
                /* A group we cannot compute in: random bytes stand for the
                 * share, enough for the client to judge the group. */
                ep_random(ep, fake, sizeof(fake));
                ks.share.key_exchange.data = fake;
                ks.share.key_exchange.len = sizeof(fake);
            }
            CBB cbb;
            if (!CBB_init(&cbb, 128) || !th_write_ext_key_share_sh(&cbb, &ks) ||
                !ep_eb_put(&eb, TH_EXT_KEY_SHARE, &cbb)) {
                CBB_cleanup(&cbb);
                goto err;
            }
        }
        uint16_t identity = (uint16_t)st->psk_index;
        int with_psk = st->psk_ok;
        if (set_int(step, TH_SC_F_SH_SELECTED_IDENTITY, &v)) {
            identity = (uint16_t)v;
            with_psk = 1;
        }
        if (with_psk && !ep_eb_put_u16(&eb, TH_EXT_PRE_SHARED_KEY, identity)) {
            goto err;
        }
    }
    if (!ep_eb_apply_ops(&eb, step, err, err_len)) {
        goto err;
    }
    sh.extensions = eb.block;
    WRITE_MSG(out, TH_HS_SERVER_HELLO, th_write_server_hello, &sh);
    if (!hrr) {
        memcpy(ep->server_random, sh.random, sizeof(sh.random));
    } else if (st->num_hrr == 0 && st->num_ch == 1 && ep->transcript_ready) {
        /* RFC 8446 §4.4.1: the transcript replaces ClientHello1 by
         * message_hash before the HelloRetryRequest is added. */
        if (!ep_transcript_hrr_rewrite(ep)) {
            ep_failf(err, err_len, "cannot rewrite the transcript for the HelloRetryRequest");
            goto err;
        }
    }
    ok = 1;
err:
    if (!ok && err != NULL && err[0] == '\0') {
        ep_failf(err, err_len, "cannot write the %s", hrr ? "HelloRetryRequest" : "ServerHello");
    }
    ep_eb_cleanup(&eb);
    return ok;
}

/* EncryptedExtensions (RFC 8446 §4.3.1): ALPN, record_size_limit (RFC 8449
 * §4: answered only when the client sent one), early_data when accepted. */
static int build_encrypted_extensions(th_ep *ep, sv_state *st, const th_sc_send *step, CBB *out,
                                      char *err, size_t err_len) {
    th_encrypted_extensions ee;
    ep_ext_builder eb;
    uint64_t v;
    int ok = 0;
    memset(&eb, 0, sizeof(eb));
    const th_sc_value *alpn = set_value(step, TH_SC_F_EE_ALPN, TH_SC_VAL_STRING);
    if ((alpn != NULL || st->have_alpn) &&
        !ep_eb_put_alpn(&eb, (const char *const[]){alpn != NULL ? alpn->str : st->alpn}, 1)) {
        goto err;
    }
    uint16_t ours = ep->cfg->record_size_limit != 0 ? ep->cfg->record_size_limit : RSL_MAX;
    int with_rsl = st->client_rsl != 0;
    if (set_int(step, TH_SC_F_EE_RECORD_SIZE_LIMIT, &v)) {
        ours = (uint16_t)v;
        with_rsl = 1;
    }
    if (with_rsl && !ep_eb_put_u16(&eb, TH_EXT_RECORD_SIZE_LIMIT, ours)) {
        goto err;
    }
    if (st->early_accept && !ep_eb_put_bytes(&eb, TH_EXT_EARLY_DATA, NULL, 0)) {
        goto err;
    }
    if (!ep_eb_apply_ops(&eb, step, err, err_len)) {
        goto err;
    }
    ee.extensions = eb.block;
    WRITE_MSG(out, TH_HS_ENCRYPTED_EXTENSIONS, th_write_encrypted_extensions, &ee);
    ok = 1;
err:
    if (!ok && err != NULL && err[0] == '\0') {
        ep_failf(err, err_len, "cannot write the EncryptedExtensions");
    }
    ep_eb_cleanup(&eb);
    return ok;
}

/* CertificateRequest (RFC 8446 §4.3.2): an empty context in the handshake, a
 * fresh one after it (§4.6.2), and our signature schemes. */
static int build_certificate_request(th_ep *ep, sv_state *st, const th_sc_send *step, CBB *out,
                                     char *err, size_t err_len) {
    th_certificate_request cr;
    ep_ext_builder eb;
    uint8_t context[PHA_CONTEXT_LEN];
    int ok = 0;
    memset(&cr, 0, sizeof(cr));
    memset(&eb, 0, sizeof(eb));
    if (st->established) {
        /* RFC 8446 §4.6.2: the context "MUST be unique within the
         * connection"; 32 random bytes are. The exchange's transcript starts
         * from the one at the client Finished (§4.4). */
        ep_random(ep, context, sizeof(context));
        cr.certificate_request_context.data = context;
        cr.certificate_request_context.len = sizeof(context);
        if (st->have_pha_base && !th_transcript_copy(&ep->transcript, &st->pha_base)) {
            ep_failf(err, err_len, "cannot restore the handshake transcript");
            goto err;
        }
    }
    const th_sc_value *ctx = set_value(step, TH_SC_F_CR_CONTEXT, TH_SC_VAL_BYTES);
    if (ctx != NULL) {
        cr.certificate_request_context.data = ctx->bytes;
        cr.certificate_request_context.len = ctx->bytes_len;
    }
    size_t n;
    const uint16_t *schemes = ep_our_schemes(ep, &n);
    const th_sc_value *sa = set_value(step, TH_SC_F_CR_SIGNATURE_ALGORITHMS, TH_SC_VAL_INT_LIST);
    uint16_t *list = NULL;
    if (sa != NULL) {
        list = calloc(sa->num ? sa->num : 1, sizeof(*list));
        if (list == NULL) {
            goto err;
        }
        for (size_t i = 0; i < sa->num; i++) {
            list[i] = (uint16_t)sa->ints[i];
        }
        schemes = list;
        n = sa->num;
    }
    int put = ep_eb_put_u16_list(&eb, TH_EXT_SIGNATURE_ALGORITHMS, 2, schemes, n);
    free(list);
    if (!put || !ep_eb_apply_ops(&eb, step, err, err_len)) {
        goto err;
    }
    cr.extensions = eb.block;
    WRITE_MSG(out, TH_HS_CERTIFICATE_REQUEST, th_write_certificate_request, &cr);
    ok = 1;
err:
    if (!ok && err != NULL && err[0] == '\0') {
        ep_failf(err, err_len, "cannot write the CertificateRequest");
    }
    ep_eb_cleanup(&eb);
    return ok;
}

/* NewSessionTicket (RFC 8446 §4.6.1): our ticket is 32 random bytes naming
 * the PSK we keep in ep->ticket. */
static int build_new_session_ticket(th_ep *ep, sv_state *st, const th_sc_send *step, CBB *out,
                                    char *err, size_t err_len) {
    th_new_session_ticket nst;
    ep_ext_builder eb;
    uint8_t nonce[TICKET_NONCE_LEN], ticket[TICKET_LEN], rnd[4];
    uint64_t v;
    int ok = 0;
    memset(&nst, 0, sizeof(nst));
    memset(&eb, 0, sizeof(eb));
    nst.ticket_lifetime = TICKET_LIFETIME;
    if (set_int(step, TH_SC_F_NST_LIFETIME, &v)) {
        nst.ticket_lifetime = (uint32_t)v;
    }
    ep_random(ep, rnd, sizeof(rnd));
    nst.ticket_age_add = u32_of(rnd);
    if (set_int(step, TH_SC_F_NST_AGE_ADD, &v)) {
        nst.ticket_age_add = (uint32_t)v;
    }
    /* RFC 8446 §4.6.1: the nonce is unique per ticket of a connection. */
    for (size_t i = 0; i < sizeof(nonce); i++) {
        nonce[i] = (uint8_t)((uint64_t)st->nst_counter >> (8 * (sizeof(nonce) - 1 - i)));
    }
    nst.ticket_nonce.data = nonce;
    nst.ticket_nonce.len = sizeof(nonce);
    const th_sc_value *given = set_value(step, TH_SC_F_NST_NONCE, TH_SC_VAL_BYTES);
    if (given != NULL) {
        nst.ticket_nonce.data = given->bytes;
        nst.ticket_nonce.len = given->bytes_len;
    }
    ep_random(ep, ticket, sizeof(ticket));
    nst.ticket.data = ticket;
    nst.ticket.len = sizeof(ticket);
    given = set_value(step, TH_SC_F_NST_TICKET, TH_SC_VAL_BYTES);
    if (given != NULL) {
        nst.ticket.data = given->bytes;
        nst.ticket.len = given->bytes_len;
    }
    uint32_t max_early = ep->cfg->max_early_data;
    int with_early = max_early != 0;
    if (set_int(step, TH_SC_F_NST_MAX_EARLY_DATA, &v)) {
        max_early = (uint32_t)v;
        with_early = 1;
    }
    if (with_early) {
        th_ext_early_data_nst ed = {max_early};
        CBB cbb;
        if (!CBB_init(&cbb, 4) || !th_write_ext_early_data_nst(&cbb, &ed) ||
            !ep_eb_put(&eb, TH_EXT_EARLY_DATA, &cbb)) {
            CBB_cleanup(&cbb);
            goto err;
        }
    }
    if (!ep_eb_apply_ops(&eb, step, err, err_len)) {
        goto err;
    }
    nst.extensions = eb.block;
    WRITE_MSG(out, TH_HS_NEW_SESSION_TICKET, th_write_new_session_ticket, &nst);
    ok = 1;
err:
    if (!ok && err != NULL && err[0] == '\0') {
        ep_failf(err, err_len, "cannot write the NewSessionTicket");
    }
    ep_eb_cleanup(&eb);
    return ok;
}

static int build_key_update(const th_sc_send *step, CBB *out, char *err, size_t err_len) {
    uint64_t v;
    th_key_update ku = {TH_KEY_UPDATE_NOT_REQUESTED};
    if (step != NULL) {
        ku.request_update = (uint8_t)step->key_update_request;
    }
    if (set_int(step, TH_SC_F_KU_REQUEST_UPDATE, &v)) {
        ku.request_update = (uint8_t)v;
    }
    WRITE_MSG(out, TH_HS_KEY_UPDATE, th_write_key_update, &ku);
    return 1;
err:
    return ep_failf(err, err_len, "cannot write the KeyUpdate");
}

static int build_end_of_early_data(CBB *out, char *err, size_t err_len) {
    th_end_of_early_data eoed = {0};
    WRITE_MSG(out, TH_HS_END_OF_EARLY_DATA, th_write_end_of_early_data, &eoed);
    return 1;
err:
    return ep_failf(err, err_len, "cannot write the EndOfEarlyData");
}

int sv_build(th_ep *ep, th_sc_msg msg, const th_sc_send *step, CBB *out, char *err,
             size_t err_len) {
    sv_state *st = ep->role_state;
    if (err != NULL && err_len > 0) {
        err[0] = '\0';
    }
    switch (msg) {
    case TH_SC_MSG_SERVER_HELLO:
        return build_server_hello(ep, st, 0, step, out, err, err_len);
    case TH_SC_MSG_HELLO_RETRY_REQUEST:
        return build_server_hello(ep, st, 1, step, out, err, err_len);
    case TH_SC_MSG_ENCRYPTED_EXTENSIONS:
        return build_encrypted_extensions(ep, st, step, out, err, err_len);
    case TH_SC_MSG_CERTIFICATE_REQUEST:
        return build_certificate_request(ep, st, step, out, err, err_len);
    case TH_SC_MSG_CERTIFICATE:
        return ep_build_certificate(ep, step, EP_SERVER_CERTIFICATE, NULL, 0, out, err, err_len);
    case TH_SC_MSG_CERTIFICATE_VERIFY: {
        /* RFC 8446 §4.4.3: a scheme of the client's signature_algorithms. */
        th_ext_signature_algorithms sa;
        int have = sv_client_sig_algs(st, &sa);
        int ok =
            ep_build_certificate_verify(ep, step, EP_SERVER_CERTIFICATE, have ? sa.sig_algs : NULL,
                                        have ? sa.num_sig_algs : 0, out, err, err_len);
        th_ext_signature_algorithms_cleanup(&sa);
        return ok;
    }
    case TH_SC_MSG_FINISHED:
        return ep_build_finished(ep, step, &ep->s_hs, out, err, err_len);
    case TH_SC_MSG_NEW_SESSION_TICKET:
        return build_new_session_ticket(ep, st, step, out, err, err_len);
    case TH_SC_MSG_KEY_UPDATE:
        return build_key_update(step, out, err, err_len);
    case TH_SC_MSG_END_OF_EARLY_DATA:
        return build_end_of_early_data(out, err, err_len);
    default:
        return ep_failf(err, err_len, "the server role does not send %s (TLS 1.3)",
                        th_sc_msg_name(msg));
    }
}
