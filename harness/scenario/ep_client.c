/* The scripted endpoint's client role: our ClientHello (typed, so `set:`
 * and extension edits apply), the server's flight checked as a correct TLS
 * 1.3 client checks it (RFC 8446 §4), our second flight, post-handshake
 * NewSessionTicket and KeyUpdate, and the default plan. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/mem.h>

#include "certificate.h"
#include "certificate_request.h"
#include "certificate_verify.h"
#include "client_hello.h"
#include "encrypted_extensions.h"
#include "ep_internal.h"
#include "ext_types.h"
#include "finished.h"
#include "key_update.h"
#include "names.h"
#include "new_session_ticket.h"
#include "server_hello.h"
#include "sigs.h"

typedef enum {
    CS_INIT = 0, /* ClientHello to send */
    CS_WAIT_SH,  /* ClientHello sent */
    CS_HRR,      /* HelloRetryRequest received: ClientHello2 to send */
    CS_WAIT_SH2, /* ClientHello2 sent */
    CS_WAIT_EE,  /* handshake keys in place */
    CS_WAIT_CERT_CR,
    CS_WAIT_CERT,
    CS_WAIT_CV,
    CS_WAIT_FIN,
    CS_FLIGHT, /* our Certificate / CertificateVerify / Finished */
    CS_DONE,   /* established */
} client_state;

/* What a ClientHello offered, for the checks of the server's answer: the
 * one we built (kept until it is sent) and the one we sent. */
typedef struct {
    uint8_t exts[65536 / 8]; /* extension types */
    uint16_t suites[64];     /* cipher suites */
    size_t num_suites;
    uint16_t groups[64]; /* supported_groups */
    size_t num_groups;
    uint16_t schemes[64]; /* signature_algorithms */
    size_t num_schemes;
    uint8_t session_id[TH_SESSION_ID_MAX_LEN];
    size_t session_id_len;
    uint8_t random[TH_RANDOM_LEN];
    uint8_t psk_modes; /* psk_key_exchange_modes: bit 1 << mode */
    /* key_share: the groups and public keys (views into the message the
     * offer was taken from, valid only while it is noted). */
    th_ext_key_share_ch shares;
    int has_shares; /* a key_share that parses */
} ch_offer;

typedef struct {
    client_state st;
    ch_offer built; /* the ClientHello last built, not yet sent */
    ch_offer sent;  /* the ClientHello last sent (sent.shares unused) */
    uint16_t hrr_suite;
    int ccs_sent; /* compatibility mode CCS (RFC 8446 §D.4) */
    int early_accepted;
    int want_early; /* config: 0-RTT data the ticket allows */
    /* Post-handshake authentication (RFC 8446 §4.6.2): a CertificateRequest
     * is being answered; the transcript is the handshake's plus the
     * request and our answer, restored afterwards. */
    int pha;
    int pha_sent_cert, pha_sent_cv;
    th_transcript pha_saved;
    /* NewSessionTickets sent right after the server Finished (RFC 8446
     * §4.6.1 allows it), processed once our Finished gives res_master. */
    uint8_t *early_nst;
    size_t early_nst_len;
} client_st;

static client_st *CST(th_ep *ep) {
    return ep->role_state;
}

static int ext_sent(th_ep *ep, uint16_t type) {
    return (CST(ep)->sent.exts[type >> 3] >> (type & 7)) & 1;
}

/* 1 when this connection offers the ticket (a `resume` scenario after the
 * ticket run). */
static int offer_psk(th_ep *ep) {
    if (!ep->cfg->resume || ep->first_connection || !ep->ticket.valid) {
        return 0;
    }
    size_t n;
    const uint16_t *suites = ep_our_suites(ep, &n);
    for (size_t i = 0; i < n; i++) {
        if (th_suite_hash(suites[i]) != NULL &&
            th_suite_hash(suites[i]) == th_suite_hash(ep->ticket.suite)) {
            return 1;
        }
    }
    return 0;
}

static int client_start(th_ep *ep) {
    client_st *st = calloc(1, sizeof(*st));
    if (st == NULL) {
        return 0;
    }
    ep->role_state = st;
    ep_random(ep, ep->client_random, sizeof(ep->client_random));
    if (ep->cfg->middlebox_compat) {
        /* RFC 8446 §D.4: "the client MUST send a non-empty session ID". */
        ep_random(ep, ep->session_id, 32);
        ep->session_id_len = 32;
    }
    size_t ng;
    const uint16_t *groups = ep_our_groups(ep, &ng);
    const uint16_t *shares = groups;
    size_t ns = ng > 0 ? 1 : 0;
    if (ep->cfg->has_key_shares) {
        shares = ep->cfg->key_shares;
        ns = ep->cfg->num_key_shares;
    }
    for (size_t i = 0; i < ns && i < TH_EP_MAX_SHARES; i++) {
        if (!th_kex_group_supported(shares[i])) {
            continue;
        }
        if (!th_kex_generate(&ep->kex[ep->num_kex], shares[i], ep_random_cb, ep)) {
            return 0;
        }
        ep->num_kex++;
    }
    ep->psk_offered = offer_psk(ep);
    if (ep->psk_offered &&
        !th_tls13_early_secret(&ep->early_secret, th_suite_hash(ep->ticket.suite),
                               ep->ticket.psk.bytes, ep->ticket.psk.len)) {
        return 0;
    }
    /* RFC 8446 §4.2.10: 0-RTT only with a ticket that allows this much. */
    st->want_early = ep->psk_offered && ep->cfg->early_data_len != 0 &&
                     ep->ticket.max_early_data >= ep->cfg->early_data_len;
    return 1;
}

static void client_cleanup(th_ep *ep) {
    client_st *st = ep->role_state;
    if (st != NULL) {
        th_transcript_cleanup(&st->pha_saved);
        free(st->early_nst);
    }
    free(ep->role_state);
    ep->role_state = NULL;
}

/* ---- building --------------------------------------------------------- */

/* key_share with the public keys of our key pairs (RFC 8446 §4.2.8). */
static int put_key_share(th_ep *ep, ep_ext_builder *eb) {
    th_key_share_entry entries[TH_EP_MAX_SHARES];
    for (size_t i = 0; i < ep->num_kex; i++) {
        entries[i].group = ep->kex[i].group;
        entries[i].key_exchange.data = ep->kex[i].public_key;
        entries[i].key_exchange.len = ep->kex[i].public_key_len;
    }
    th_ext_key_share_ch ks = {entries, ep->num_kex};
    CBB c;
    if (!CBB_init(&c, 128) || !th_write_ext_key_share_ch(&c, &ks) ||
        !ep_eb_put(eb, TH_EXT_KEY_SHARE, &c)) {
        CBB_cleanup(&c);
        return 0;
    }
    return 1;
}

static void offer_cleanup(ch_offer *o) {
    th_ext_key_share_ch_cleanup(&o->shares);
    memset(o, 0, sizeof(*o));
}

/* What |ch| offers (RFC 8446 §4.2: what the server may answer and choose
 * from). */
static void offer_of(const th_client_hello *ch, ch_offer *o) {
    memset(o, 0, sizeof(*o));
    memcpy(o->random, ch->random, TH_RANDOM_LEN);
    o->session_id_len = ch->legacy_session_id.len <= sizeof(o->session_id)
                            ? ch->legacy_session_id.len
                            : sizeof(o->session_id);
    if (o->session_id_len != 0) {
        memcpy(o->session_id, ch->legacy_session_id.data, o->session_id_len);
    }
    o->num_suites = ch->num_cipher_suites < 64 ? ch->num_cipher_suites : 64;
    if (o->num_suites != 0) {
        memcpy(o->suites, ch->cipher_suites, o->num_suites * sizeof(uint16_t));
    }
    for (size_t i = 0; i < ch->extensions.num_exts; i++) {
        uint16_t t = ch->extensions.exts[i].type;
        o->exts[t >> 3] |= (uint8_t)(1u << (t & 7));
        CBS b = th_ext_body(&ch->extensions.exts[i]);
        uint16_t *vals = NULL;
        size_t nvals = 0;
        uint8_t a;
        if (t == TH_EXT_SUPPORTED_GROUPS && th_parse_u16_list(&b, 2, &vals, &nvals, &a)) {
            o->num_groups = nvals < 64 ? nvals : 64;
            memcpy(o->groups, vals, o->num_groups * sizeof(uint16_t));
        } else if (t == TH_EXT_SIGNATURE_ALGORITHMS &&
                   th_parse_u16_list(&b, 2, &vals, &nvals, &a)) {
            o->num_schemes = nvals < 64 ? nvals : 64;
            memcpy(o->schemes, vals, o->num_schemes * sizeof(uint16_t));
        } else if (t == TH_EXT_KEY_SHARE && !o->has_shares) {
            o->has_shares = th_parse_ext_key_share_ch(&b, &o->shares, &a);
        } else if (t == TH_EXT_PSK_KEY_EXCHANGE_MODES) {
            th_ext_psk_key_exchange_modes m;
            if (!th_parse_ext_psk_key_exchange_modes(&b, &m, &a)) {
                m.modes.len = 0;
            }
            for (size_t k = 0; k < m.modes.len; k++) {
                if (m.modes.data[k] <= TH_PSK_MODE_DHE_KE) {
                    o->psk_modes |= (uint8_t)(1u << m.modes.data[k]);
                }
            }
        }
        free(vals);
    }
}

/* Our state follows the ClientHello that went out (|wire|, header
 * included; the built one when our codec cannot parse it): the session id
 * whose echo we check (RFC 8446 §4.1.3), the random of the key log, the
 * suites, groups, schemes and extensions the server may pick from, the key
 * pairs whose public keys were sent (§4.2.8: a server share is usable only
 * for one of them) and the PSK only if pre_shared_key went out. */
static void note_client_hello(th_ep *ep, const uint8_t *wire, size_t len) {
    client_st *st = CST(ep);
    th_client_hello ch;
    ch_offer parsed;
    const ch_offer *o = &st->built;
    uint8_t alert;
    CBS cbs;
    memset(&ch, 0, sizeof(ch));
    memset(&parsed, 0, sizeof(parsed));
    if (len >= TH_HANDSHAKE_HEADER_LEN &&
        (CBS_init(&cbs, wire + TH_HANDSHAKE_HEADER_LEN, len - TH_HANDSHAKE_HEADER_LEN),
         th_parse_client_hello(&cbs, &ch, &alert))) {
        offer_of(&ch, &parsed);
        o = &parsed;
    }
    memcpy(ep->session_id, o->session_id, o->session_id_len);
    ep->session_id_len = o->session_id_len;
    memcpy(ep->client_random, o->random, TH_RANDOM_LEN);
    size_t keep = 0;
    for (size_t i = 0; o == &parsed && i < ep->num_kex; i++) {
        const th_key_share_entry *e =
            o->has_shares ? th_ext_key_share_ch_find(&o->shares, ep->kex[i].group) : NULL;
        if (e != NULL && e->key_exchange.len == ep->kex[i].public_key_len &&
            memcmp(e->key_exchange.data, ep->kex[i].public_key, e->key_exchange.len) == 0) {
            if (keep != i) {
                ep->kex[keep] = ep->kex[i];
                memset(&ep->kex[i], 0, sizeof(ep->kex[i]));
            }
            keep++;
        } else {
            th_kex_cleanup(&ep->kex[i]);
        }
    }
    if (o == &parsed) {
        ep->num_kex = keep;
    }
    ep->psk_offered = ep->psk_offered &&
                      ((o->exts[TH_EXT_PRE_SHARED_KEY >> 3] >> (TH_EXT_PRE_SHARED_KEY & 7)) & 1);
    memcpy(&st->sent, o, sizeof(st->sent));
    memset(&st->sent.shares, 0, sizeof(st->sent.shares));
    st->sent.has_shares = 0;
    offer_cleanup(&parsed);
    offer_cleanup(&st->built);
    th_client_hello_cleanup(&ch);
}

/* Fills in the PSK binder of a whole ClientHello (RFC 8446 §4.2.11.2): the
 * MAC over the transcript before it (after an HRR: message_hash(CH1), HRR)
 * and Truncate(ClientHello). A ClientHello whose pre_shared_key is not last
 * keeps its placeholder: no binder can be computed for it. */
static int write_binder(th_ep *ep, uint8_t *msg, size_t len) {
    const EVP_MD *md = th_suite_hash(ep->ticket.suite);
    size_t trunc_len, hash_len = EVP_MD_size(md);
    uint8_t hash[EVP_MAX_MD_SIZE];
    if (!th_client_hello_truncated_len(msg, len, &trunc_len) || trunc_len + 3 + hash_len > len) {
        return 1;
    }
    int ok;
    if (ep->transcript_ready) {
        th_transcript t;
        memset(&t, 0, sizeof(t));
        ok = th_transcript_copy(&t, &ep->transcript) && th_transcript_update(&t, msg, trunc_len) &&
             th_transcript_hash(&t, hash, &hash_len);
        th_transcript_cleanup(&t);
    } else {
        unsigned l;
        ok = EVP_Digest(msg, trunc_len, hash, &l, md, NULL);
        hash_len = l;
    }
    th_secret binder;
    ok = ok && th_tls13_psk_binder(&binder, md, &ep->early_secret, 1, hash, hash_len) &&
         binder.len == hash_len;
    if (ok) {
        memcpy(msg + trunc_len + 3, binder.bytes, binder.len);
    }
    th_secret_cleanse(&binder);
    return ok;
}

static int build_client_hello(th_ep *ep, const th_sc_send *step, CBB *out, char *err,
                              size_t err_len) {
    client_st *st = CST(ep);
    th_client_hello ch;
    ep_ext_builder eb;
    memset(&ch, 0, sizeof(ch));
    memset(&eb, 0, sizeof(eb));
    eb.psk_last = 1;
    uint8_t *comp = NULL;
    uint8_t *msg = NULL;
    size_t msg_len = 0;
    int ok = 0;
    const th_sc_set *f;
    /* Every failure below without its own text is an allocation. */
    snprintf(err, err_len, "out of memory building the client_hello");

    if ((f = ep_find_set(step, TH_SC_F_CH_KEY_SHARES)) != NULL) {
        /* Valid shares for exactly these groups (RFC 8446 §4.2.8). */
        for (size_t i = 0; i < TH_EP_MAX_SHARES; i++) {
            th_kex_cleanup(&ep->kex[i]);
        }
        ep->num_kex = 0;
        for (size_t i = 0; i < f->value.num && ep->num_kex < TH_EP_MAX_SHARES; i++) {
            uint16_t g = (uint16_t)f->value.ints[i];
            if (!th_kex_group_supported(g)) {
                snprintf(err, err_len, "key_shares: cannot generate a share in group 0x%04x", g);
                goto done;
            }
            if (!th_kex_generate(&ep->kex[ep->num_kex], g, ep_random_cb, ep)) {
                snprintf(err, err_len, "key generation failed");
                goto done;
            }
            ep->num_kex++;
        }
    }
    size_t n;
    const uint16_t *suites = ep_our_suites(ep, &n);
    if (!ep_ch_init(&ch, ep->client_random, ep->session_id, ep->session_id_len, suites, n)) {
        goto done;
    }

    /* The default extensions, in the engine's order. */
    if (ep->cfg->server_name != NULL && !ep_eb_put_sni(&eb, ep->cfg->server_name)) {
        goto done;
    }
    uint16_t versions[8];
    size_t nv = 0;
    for (size_t i = 0; i < ep->cfg->num_versions && nv < 8; i++) {
        versions[nv++] = ep->cfg->versions[i];
    }
    if (nv == 0) {
        versions[nv++] = TH_VERSION_TLS13;
    }
    const uint16_t *groups = ep_our_groups(ep, &n);
    size_t ngr = n;
    const uint16_t *schemes = ep_our_schemes(ep, &n);
    size_t nsc = n;
    if (!ep_eb_put_u16_list(&eb, TH_EXT_SUPPORTED_VERSIONS, 1, versions, nv) ||
        !ep_eb_put_u16_list(&eb, TH_EXT_SUPPORTED_GROUPS, 2, groups, ngr) ||
        !put_key_share(ep, &eb) ||
        !ep_eb_put_u16_list(&eb, TH_EXT_SIGNATURE_ALGORITHMS, 2, schemes, nsc)) {
        goto done;
    }
    if (ep->cfg->num_alpn != 0 &&
        !ep_eb_put_alpn(&eb, (const char *const *)ep->cfg->alpn, ep->cfg->num_alpn)) {
        goto done;
    }
    if (ep->cfg->record_size_limit != 0 &&
        !ep_eb_put_u16(&eb, TH_EXT_RECORD_SIZE_LIMIT, ep->cfg->record_size_limit)) {
        goto done;
    }
    /* Offering TLS 1.2 too: what a TLS 1.2 server needs (EMS,
     * renegotiation_info, point formats, session_ticket). */
    if (!ep12_client_hello_exts(ep, &eb.block)) {
        goto done;
    }
    if (ep->cookie != NULL) {
        /* RFC 8446 §4.2.2: the second ClientHello echoes the cookie. */
        CBB c, inner;
        if (!CBB_init(&c, ep->cookie_len + 2) || !CBB_add_u16_length_prefixed(&c, &inner) ||
            !CBB_add_bytes(&inner, ep->cookie, ep->cookie_len) ||
            !ep_eb_put(&eb, TH_EXT_COOKIE, &c)) {
            CBB_cleanup(&c);
            goto done;
        }
    }
    /* Always offered so that servers send tickets (RFC 8446 §4.2.9). */
    /* The ticket run of a `resume` scenario offers psk_dhe_ke, the mode
     * every server issues tickets for; psk_ke applies to the resumption. */
    int ke_only = ep->cfg->psk_ke && !ep->first_connection;
    uint8_t modes[2] = {1, ke_only ? TH_PSK_MODE_KE : TH_PSK_MODE_DHE_KE};
    if (!ep_eb_put_bytes(&eb, TH_EXT_PSK_KEY_EXCHANGE_MODES, modes, 2)) {
        goto done;
    }
    if (ep->cfg->post_handshake_auth &&
        !ep_eb_put_bytes(&eb, TH_EXT_POST_HANDSHAKE_AUTH, NULL, 0)) {
        goto done;
    }
    /* RFC 8446 §4.2.10: no early_data in the ClientHello after an HRR. */
    if (st->want_early && st->st == CS_INIT && !ep_eb_put_bytes(&eb, TH_EXT_EARLY_DATA, NULL, 0)) {
        goto done;
    }
    th_psk_identity id;
    uint8_t zero[EVP_MAX_MD_SIZE];
    memset(zero, 0, sizeof(zero));
    th_bytes binder = {zero, 32};
    if (ep->psk_offered) {
        /* RFC 8446 §4.2.11.1: the age in ms plus ticket_age_add, mod 2^32;
         * the ticket was received moments ago. */
        id.identity.data = ep->ticket.ticket;
        id.identity.len = ep->ticket.ticket_len;
        id.obfuscated_ticket_age = ep->ticket.age_add;
        binder.len = EVP_MD_size(th_suite_hash(ep->ticket.suite));
        th_ext_pre_shared_key_ch psk = {&id, 1, &binder, 1, 0};
        CBB c;
        if (!CBB_init(&c, 128) || !th_write_ext_pre_shared_key_ch(&c, &psk) ||
            !ep_eb_put(&eb, TH_EXT_PRE_SHARED_KEY, &c)) {
            CBB_cleanup(&c);
            goto done;
        }
    }

    /* `set:` fields (scenario.h). */
    for (size_t i = 0; step != NULL && i < step->num_sets; i++) {
        const th_sc_value *v = &step->sets[i].value;
        switch (step->sets[i].field) {
        case TH_SC_F_CH_KEY_SHARES:
            if (!put_key_share(ep, &eb)) {
                goto done;
            }
            break;
        case TH_SC_F_CH_PSK_MODES: {
            CBB c, l;
            if (!CBB_init(&c, 8) || !CBB_add_u8_length_prefixed(&c, &l)) {
                CBB_cleanup(&c);
                goto done;
            }
            for (size_t j = 0; j < v->num; j++) {
                if (!CBB_add_u8(&l, (uint8_t)v->ints[j])) {
                    CBB_cleanup(&c);
                    goto done;
                }
            }
            if (!ep_eb_put(&eb, TH_EXT_PSK_KEY_EXCHANGE_MODES, &c)) {
                CBB_cleanup(&c);
                goto done;
            }
            break;
        }
        default: {
            int handled;
            if (!ep_ch_apply_set(&ch, &eb, &step->sets[i], &comp, &handled, err, err_len)) {
                goto done;
            }
            if (!handled) {
                snprintf(err, err_len, "field %d cannot be set on a client_hello",
                         (int)step->sets[i].field);
                goto done;
            }
            break;
        }
        }
    }
    if (!ep_eb_apply_ops(&eb, step, err, err_len)) {
        goto done;
    }
    /* Borrowed until the message is written; the builder owns it. */
    ch.extensions = eb.block;
    /* What we offer, as built: the fallback for a sent message our codec
     * cannot parse (client_sent notes what went out). */
    offer_cleanup(&st->built);
    offer_of(&ch, &st->built);
    /* Its share bodies are the builder's: the built offer keeps our key
     * pairs. */
    th_ext_key_share_ch_cleanup(&st->built.shares);
    st->built.has_shares = 0;

    if (!ep_write_client_hello(&ch, &msg, &msg_len, err, err_len)) {
        goto done;
    }
    if (ep->psk_offered && !write_binder(ep, msg, msg_len)) {
        snprintf(err, err_len, "binder computation failed");
        goto done;
    }
    if (step != NULL && step->flip.part == TH_SC_FLIP_BINDER) {
        size_t trunc_len;
        if (!th_client_hello_truncated_len(msg, msg_len, &trunc_len) ||
            !ep_flip_bit(msg + trunc_len + 3, msg_len - trunc_len - 3, step->flip.bit)) {
            snprintf(err, err_len, "flip binder: the client_hello has no binder to flip");
            goto done;
        }
    }
    ok = CBB_add_bytes(out, msg, msg_len);
    if (!ok) {
        snprintf(err, err_len, "out of memory");
    }
done:
    OPENSSL_free(msg);
    free(comp);
    memset(&ch.extensions, 0, sizeof(ch.extensions));
    th_client_hello_cleanup(&ch);
    ep_eb_cleanup(&eb);
    return ok;
}

/* RFC 8446 §D.4: in compatibility mode, one change_cipher_spec before our
 * second flight (or the second ClientHello). */
static int compat_ccs(th_ep *ep, char *err, size_t err_len) {
    client_st *st = CST(ep);
    if (!ep->cfg->middlebox_compat || st->ccs_sent) {
        return 1;
    }
    st->ccs_sent = 1;
    static const uint8_t kCcs[1] = {1};
    th_sc_record_opts o;
    memset(&o, 0, sizeof(o));
    o.epoch = TH_SC_EPOCH_PLAINTEXT;
    ep_log(ep, "-> change_cipher_spec (compatibility mode)\n");
    return ep_send_records(ep, TH_CT_CHANGE_CIPHER_SPEC, kCcs, 1, &o, NULL, err, err_len);
}

/* A NewSessionTicket, EncryptedExtensions or CertificateRequest as a server
 * would write it (with the step's sets and extension edits), sent by the
 * client to test that the peer refuses it. */
static int build_server_only(th_ep *ep, th_sc_msg msg, const th_sc_send *step, CBB *body, char *err,
                             size_t err_len) {
    th_ext_block exts;
    memset(&exts, 0, sizeof(exts));
    uint8_t ticket[16], nonce[1] = {0};
    uint8_t sa_body[2 + 2 * 8];
    size_t ns;
    const uint16_t *schemes = ep_our_schemes(ep, &ns);
    int ok = 0;
    if (msg == TH_SC_MSG_CERTIFICATE_REQUEST) {
        CBB c;
        size_t n = ns < 8 ? ns : 8;
        if (!CBB_init_fixed(&c, sa_body, sizeof(sa_body)) ||
            !th_write_u16_list(&c, 2, schemes, n) ||
            !th_ext_block_add(&exts, TH_EXT_SIGNATURE_ALGORITHMS,
                              (th_bytes){sa_body, CBB_len(&c)})) {
            snprintf(err, err_len, "out of memory");
            goto err;
        }
    }
    if (step != NULL && !ep_apply_ext_ops(&exts, step->ext_ops, step->num_ext_ops, err, err_len)) {
        goto err;
    }
    if (msg == TH_SC_MSG_NEW_SESSION_TICKET) {
        ep_random(ep, ticket, sizeof(ticket));
        th_new_session_ticket nst = {7200, 0, {nonce, 1}, {ticket, sizeof(ticket)}, exts};
        const th_sc_set *f;
        if ((f = ep_find_set(step, TH_SC_F_NST_LIFETIME)) != NULL) {
            nst.ticket_lifetime = (uint32_t)f->value.i;
        }
        if ((f = ep_find_set(step, TH_SC_F_NST_AGE_ADD)) != NULL) {
            nst.ticket_age_add = (uint32_t)f->value.i;
        }
        if ((f = ep_find_set(step, TH_SC_F_NST_NONCE)) != NULL) {
            nst.ticket_nonce = (th_bytes){f->value.bytes, f->value.bytes_len};
        }
        if ((f = ep_find_set(step, TH_SC_F_NST_TICKET)) != NULL) {
            nst.ticket = (th_bytes){f->value.bytes, f->value.bytes_len};
        }
        ok = th_write_new_session_ticket(body, &nst);
    } else if (msg == TH_SC_MSG_ENCRYPTED_EXTENSIONS) {
        th_encrypted_extensions ee = {exts};
        ok = th_write_encrypted_extensions(body, &ee);
    } else {
        th_certificate_request cr = {{NULL, 0}, exts};
        ok = th_write_certificate_request(body, &cr);
    }
    if (!ok) {
        snprintf(err, err_len, "cannot write the %s", th_sc_msg_name(msg));
    }
err:
    th_ext_block_cleanup(&exts);
    return ok;
}

static int client_build(th_ep *ep, th_sc_msg msg, const th_sc_send *step, CBB *out, char *err,
                        size_t err_len) {
    client_st *st = CST(ep);
    if (msg == TH_SC_MSG_CLIENT_HELLO) {
        if (st->st == CS_HRR && !compat_ccs(ep, err, err_len)) {
            return 0;
        }
        return build_client_hello(ep, step, out, err, err_len);
    }
    if ((msg == TH_SC_MSG_CERTIFICATE || msg == TH_SC_MSG_CERTIFICATE_VERIFY ||
         msg == TH_SC_MSG_FINISHED || msg == TH_SC_MSG_END_OF_EARLY_DATA) &&
        st->st < CS_DONE && !compat_ccs(ep, err, err_len)) {
        return 0;
    }
    switch (msg) {
    case TH_SC_MSG_CERTIFICATE:
        /* RFC 8446 §4.4.2: the context of the CertificateRequest. */
        return ep_build_certificate(ep, step, NULL, ep->cr_context, ep->cr_context_len, out, err,
                                    err_len);
    case TH_SC_MSG_CERTIFICATE_VERIFY:
        return ep_build_certificate_verify(ep, step, NULL, ep->peer_sig_algs, ep->num_peer_sig_algs,
                                           out, err, err_len);
    case TH_SC_MSG_FINISHED:
        /* RFC 8446 §4.4: after the handshake, the Finished base key is
         * client_application_traffic_secret_N. */
        return ep_build_finished(ep, step, st->pha ? &ep->wr.app.traffic_secret : &ep->c_hs, out,
                                 err, err_len);
    default:
        break;
    }
    CBB body;
    if (!CBB_add_u8(out, th_sc_msg_wire_type(msg)) || !CBB_add_u24_length_prefixed(out, &body)) {
        snprintf(err, err_len, "out of memory");
        return 0;
    }
    int ok;
    switch (msg) {
    case TH_SC_MSG_END_OF_EARLY_DATA:
        ok = 1;
        break;
    case TH_SC_MSG_KEY_UPDATE: {
        const th_sc_set *f = ep_find_set(step, TH_SC_F_KU_REQUEST_UPDATE);
        uint8_t req = f != NULL      ? (uint8_t)f->value.i
                      : step != NULL ? (uint8_t)step->key_update_request
                                     : TH_KEY_UPDATE_NOT_REQUESTED;
        th_key_update ku = {req};
        ok = th_write_key_update(&body, &ku);
        break;
    }
    case TH_SC_MSG_NEW_SESSION_TICKET:
    case TH_SC_MSG_ENCRYPTED_EXTENSIONS:
    case TH_SC_MSG_CERTIFICATE_REQUEST:
        /* Server messages from a client: a plausible body, for the peer to
         * refuse as out of place (RFC 8446 §4). */
        ok = build_server_only(ep, msg, step, &body, err, err_len);
        break;
    case TH_SC_MSG_HELLO_REQUEST:
    case TH_SC_MSG_SERVER_HELLO_DONE:
        ok = 1;
        break;
    default:
        snprintf(err, err_len, "the client role cannot build %s", th_sc_msg_name(msg));
        return 0;
    }
    if (ok && !CBB_flush(out)) {
        ok = 0;
    }
    return ok;
}

static int send_early_data(th_ep *ep, char *err, size_t err_len) {
    ep_log(ep, "-> application_data %zu bytes (0-RTT)\n", ep->cfg->early_data_len);
    return ep_send_records(ep, TH_CT_APPLICATION_DATA, ep->cfg->early_data, ep->cfg->early_data_len,
                           NULL, NULL, err, err_len);
}

static int recv_nst(th_ep *ep, const th_ep_event *ev, int *local, char *why, size_t why_len);

/* The tickets that came before our Finished, now that res_master is known. */
static int process_early_nsts(th_ep *ep, char *err, size_t err_len) {
    client_st *st = CST(ep);
    CBS all;
    int ok = 1;
    CBS_init(&all, st->early_nst, st->early_nst_len);
    while (ok && CBS_len(&all) >= TH_HANDSHAKE_HEADER_LEN) {
        uint32_t body_len;
        uint8_t type;
        CBS copy = all, msg;
        if (!CBS_get_u8(&copy, &type) || !CBS_get_u24(&copy, &body_len) ||
            !CBS_get_bytes(&all, &msg, TH_HANDSHAKE_HEADER_LEN + body_len)) {
            break;
        }
        th_ep_event ev;
        memset(&ev, 0, sizeof(ev));
        ev.kind = TH_EP_EV_MESSAGE;
        ev.msg = TH_SC_MSG_NEW_SESSION_TICKET;
        ev.hs_type = type;
        ev.bytes = (uint8_t *)CBS_data(&msg);
        ev.len = CBS_len(&msg);
        int local = 0;
        ok = recv_nst(ep, &ev, &local, err, err_len);
    }
    free(st->early_nst);
    st->early_nst = NULL;
    st->early_nst_len = 0;
    return ok;
}

static int client_sent(th_ep *ep, th_sc_msg msg, const uint8_t *wire, size_t len, char *err,
                       size_t err_len) {
    client_st *st = CST(ep);
    ep->done[msg] = 1;
    switch (msg) {
    case TH_SC_MSG_CLIENT_HELLO:
        note_client_hello(ep, wire, len);
        if (st->st == CS_HRR) {
            st->st = CS_WAIT_SH2;
            return 1;
        }
        st->st = CS_WAIT_SH;
        /* 0-RTT is offered when the ClientHello carries early_data with a
         * PSK (by default, or added by a step). */
        ep->early_offered = ep->psk_offered && ext_sent(ep, TH_EXT_EARLY_DATA);
        if (ep->early_offered) {
            /* RFC 8446 §7.1: client_early_traffic_secret over ClientHello;
             * the 0-RTT data follows (after the compatibility CCS, §D.4). */
            const EVP_MD *md = th_suite_hash(ep->ticket.suite);
            uint8_t hash[EVP_MAX_MD_SIZE];
            unsigned hl;
            if (!EVP_Digest(wire, len, hash, &hl, md, NULL) ||
                !th_tls13_derive_secret(&ep->c_e, md, &ep->early_secret, TH_TLS13_C_E_TRAFFIC, hash,
                                        hl) ||
                !ep_set_key(ep, &ep->wr, TH_SC_EPOCH_EARLY, ep->ticket.suite, &ep->c_e)) {
                snprintf(err, err_len, "early traffic key derivation failed");
                return 0;
            }
            ep_keylog(ep, TH_TLS13_C_E_TRAFFIC, &ep->c_e);
            return compat_ccs(ep, err, err_len) &&
                   (!st->want_early || send_early_data(ep, err, err_len));
        }
        return 1;
    case TH_SC_MSG_END_OF_EARLY_DATA:
        /* RFC 8446 §4.5: then the client_handshake_traffic_secret. */
        ep->wr.cur_epoch = TH_SC_EPOCH_HANDSHAKE;
        return 1;
    case TH_SC_MSG_CERTIFICATE:
        st->pha_sent_cert |= st->pha;
        return 1;
    case TH_SC_MSG_CERTIFICATE_VERIFY:
        st->pha_sent_cv |= st->pha;
        return 1;
    case TH_SC_MSG_FINISHED:
        if (st->pha) {
            /* The exchange is over: back to the handshake transcript for the
             * next request. */
            st->pha = 0;
            if (!th_transcript_copy(&ep->transcript, &st->pha_saved)) {
                snprintf(err, err_len, "transcript restore failed");
                return 0;
            }
            return 1;
        }
        if (st->st != CS_FLIGHT) {
            /* A Finished sent out of order changes no keys. */
            return 1;
        }
        /* RFC 8446 §7.1: resumption_master_secret over CH..client Finished;
         * then the application traffic keys. */
        if (!ep_derive_res_master(ep)) {
            snprintf(err, err_len, "resumption secret derivation failed");
            return 0;
        }
        ep->wr.cur_epoch = TH_SC_EPOCH_APPLICATION;
        st->st = CS_DONE;
        ep->neg.established = 1;
        return process_early_nsts(ep, err, err_len);
    case TH_SC_MSG_KEY_UPDATE:
        /* RFC 8446 §4.6.3: our traffic moves to the next secret. */
        ep->key_update_due = 0;
        if (ep->wr.app.suite != 0 && !ep_update_write_key(ep)) {
            snprintf(err, err_len, "key update failed");
            return 0;
        }
        return 1;
    default:
        return 1;
    }
}

/* ---- receiving -------------------------------------------------------- */

static int recv_hrr(th_ep *ep, const th_server_hello *sh, const th_ep_event *ev, char *why,
                    size_t why_len, int *local) {
    client_st *st = CST(ep);
    CBS body;
    uint8_t alert;
    if (st->st == CS_WAIT_SH2) {
        snprintf(why, why_len,
                 "a second hello_retry_request (RFC 8446 §4.1.4: a client that "
                 "receives a second HelloRetryRequest MUST abort with "
                 "unexpected_message)");
        return 0;
    }
    const th_ext *ks = th_ext_block_find(&sh->extensions, TH_EXT_KEY_SHARE);
    const th_ext *cookie = th_ext_block_find(&sh->extensions, TH_EXT_COOKIE);
    if (ks == NULL && cookie == NULL) {
        snprintf(why, why_len,
                 "a hello_retry_request that would not change the client_hello "
                 "(RFC 8446 §4.1.4: illegal_parameter)");
        return 0;
    }
    uint16_t group = 0;
    if (ks != NULL) {
        th_ext_key_share_hrr hrr;
        body = th_ext_body(ks);
        if (!th_parse_ext_key_share_hrr(&body, &hrr, &alert)) {
            snprintf(why, why_len, "a hello_retry_request with a malformed key_share");
            return 0;
        }
        int had_share = 0;
        for (size_t i = 0; i < ep->num_kex; i++) {
            had_share |= ep->kex[i].group == hrr.selected_group;
        }
        /* RFC 8446 §4.2.8: the selected group must be in supported_groups
         * and not one we already sent a share for: illegal_parameter. */
        if (!ep_in_list(st->sent.groups, st->sent.num_groups, hrr.selected_group) || had_share) {
            char gb[32];
            snprintf(why, why_len,
                     "hello_retry_request selects group %s which %s (RFC 8446 "
                     "§4.2.8: the client MUST abort with illegal_parameter)",
                     th_name_or_hex(th_group_name(hrr.selected_group), hrr.selected_group, gb,
                                    sizeof(gb)),
                     had_share ? "already had a key share" : "the client did not offer");
            return 0;
        }
        group = hrr.selected_group;
    }
    if (cookie != NULL) {
        th_ext_cookie ck;
        body = th_ext_body(cookie);
        if (!th_parse_ext_cookie(&body, &ck, &alert)) {
            snprintf(why, why_len, "a hello_retry_request with a malformed cookie");
            return 0;
        }
        free(ep->cookie);
        ep->cookie = malloc(ck.cookie.len);
        if (ep->cookie == NULL) {
            *local = 1;
            snprintf(why, why_len, "out of memory");
            return 0;
        }
        memcpy(ep->cookie, ck.cookie.data, ck.cookie.len);
        ep->cookie_len = ck.cookie.len;
    }
    /* RFC 8446 §4.4.1: ClientHello1 becomes message_hash, then the HRR. */
    if (!ep_transcript_start(ep, sh->cipher_suite) || !ep_transcript_hrr_rewrite(ep) ||
        !ep_transcript_add(ep, ev->bytes, ev->len)) {
        *local = 1;
        snprintf(why, why_len, "transcript failure");
        return 0;
    }
    if (group != 0) {
        for (size_t i = 0; i < TH_EP_MAX_SHARES; i++) {
            th_kex_cleanup(&ep->kex[i]);
        }
        ep->num_kex = 0;
        if (!th_kex_generate(&ep->kex[0], group, ep_random_cb, ep)) {
            *local = 1;
            snprintf(why, why_len, "cannot generate a share in the selected group");
            return 0;
        }
        ep->num_kex = 1;
    }
    /* RFC 8446 §4.2.10: an HRR rejects 0-RTT; §4.1.4: the PSK stays only if
     * its hash is the HRR suite's. */
    if (ep->early_offered) {
        ep->wr.cur_epoch = TH_SC_EPOCH_PLAINTEXT;
    }
    if (ep->psk_offered && th_suite_hash(ep->ticket.suite) != th_suite_hash(sh->cipher_suite)) {
        ep->psk_offered = 0;
    }
    st->hrr_suite = sh->cipher_suite;
    ep->neg.hello_retry = 1;
    st->st = CS_HRR;
    ep->done[TH_SC_MSG_CLIENT_HELLO] = 0;
    return 1;
}

static int recv_server_hello(th_ep *ep, const th_ep_event *ev, int *local, char *why,
                             size_t why_len) {
    client_st *st = CST(ep);
    CBS cbs, body;
    th_server_hello sh;
    uint8_t alert;
    int ok = 0;
    char b1[32];
    uint8_t ecdhe[TH_KEX_MAX_SECRET];
    size_t ecdhe_len = 0;
    ep_body_cbs(ev, &cbs);
    if (st->st != CS_WAIT_SH && st->st != CS_WAIT_SH2) {
        snprintf(why, why_len,
                 "a %s while the client waits for %s (RFC 8446 §4: "
                 "unexpected_message)",
                 th_sc_msg_name(ev->msg),
                 st->st == CS_INIT || st->st == CS_HRR ? "nothing (it has not sent its hello)"
                                                       : "a later message");
        return 0;
    }
    if (!th_parse_server_hello(&cbs, &sh, &alert)) {
        return ep_codec_rejects(why, why_len, "a server_hello", alert);
    }
    const th_ext *sv_ext = th_ext_block_find(&sh.extensions, TH_EXT_SUPPORTED_VERSIONS);
    if (sv_ext == NULL) {
        PEER_ERR("a server_hello without supported_versions, i.e. TLS 1.2 or below (%s)",
                 th_server_hello_downgrade_sentinel(&sh) != TH_DOWNGRADE_NONE
                     ? "with the downgrade sentinel: RFC 8446 §4.1.3 illegal_parameter"
                     : "not offered: protocol_version");
    }
    th_ext_supported_versions_sh sv;
    body = th_ext_body(sv_ext);
    if (!th_parse_ext_supported_versions_sh(&body, &sv, &alert) ||
        sv.selected_version != TH_VERSION_TLS13) {
        PEER_ERR("a server_hello selecting a version the client did not offer (RFC 8446 §4.2.1: "
                 "illegal_parameter)");
    }
    /* RFC 8446 §4.1.3: the echo must match the session id we sent. */
    if (sh.legacy_session_id_echo.len != ep->session_id_len ||
        (ep->session_id_len != 0 &&
         memcmp(sh.legacy_session_id_echo.data, ep->session_id, ep->session_id_len) != 0)) {
        PEER_ERR("a legacy_session_id_echo that does not match the client's session id (RFC 8446 "
                 "§4.1.3: illegal_parameter)");
    }
    if (!ep_in_list(st->sent.suites, st->sent.num_suites, sh.cipher_suite) ||
        th_suite_hash(sh.cipher_suite) == NULL) {
        PEER_ERR(
            "cipher suite %s, which the client did not offer (RFC 8446 §4.1.3: "
            "illegal_parameter)",
            th_name_or_hex(th_cipher_suite_name(sh.cipher_suite), sh.cipher_suite, b1, sizeof(b1)));
    }
    int is_hrr = th_server_hello_is_hrr(&sh);
    for (size_t i = 0; i < sh.extensions.num_exts; i++) {
        uint16_t t = sh.extensions.exts[i].type;
        if (is_hrr && t == TH_EXT_COOKIE) {
            continue;
        }
        if (!ext_sent(ep, t)) {
            PEER_ERR("extension %s in the %s, which the client did not send (RFC 8446 §4.2: "
                     "unsupported_extension)",
                     th_name_or_hex(th_ext_name(t), t, b1, sizeof(b1)), th_sc_msg_name(ev->msg));
        }
    }
    if (is_hrr) {
        ok = recv_hrr(ep, &sh, ev, why, why_len, local);
        goto err;
    }
    /* RFC 8446 §4.1.3: a TLS 1.3 server's random never carries the
     * downgrade sentinel. */
    if (th_server_hello_downgrade_sentinel(&sh) != TH_DOWNGRADE_NONE) {
        PEER_ERR("a TLS 1.3 server_hello whose random ends with a downgrade sentinel (RFC 8446 "
                 "§4.1.3)");
    }
    if (ep->neg.hello_retry && sh.cipher_suite != st->hrr_suite) {
        PEER_ERR("a server_hello cipher suite that differs from the hello_retry_request's (RFC "
                 "8446 §4.1.4: illegal_parameter)");
    }
    const th_ext *psk_ext = th_ext_block_find(&sh.extensions, TH_EXT_PRE_SHARED_KEY);
    if (psk_ext != NULL) {
        th_ext_pre_shared_key_sh psk;
        body = th_ext_body(psk_ext);
        if (!th_parse_ext_pre_shared_key_sh(&body, &psk, &alert) || !ep->psk_offered ||
            psk.selected_identity != 0 ||
            th_suite_hash(sh.cipher_suite) != th_suite_hash(ep->ticket.suite)) {
            PEER_ERR("a pre_shared_key selection the client cannot accept (identity out of range "
                     "or a suite of another hash; RFC 8446 §4.2.11: illegal_parameter)");
        }
        ep->psk_accepted = 1;
        ep->neg.resumed = 1;
    }
    const th_ext *ks_ext = th_ext_block_find(&sh.extensions, TH_EXT_KEY_SHARE);
    if (ks_ext == NULL) {
        /* RFC 8446 §4.2.11: with the PSK accepted, key_share is required
         * unless our ClientHello offered psk_ke (illegal_parameter); without
         * a PSK, §9.2: missing_extension. */
        if (!ep->psk_accepted) {
            PEER_ERR("a server_hello without key_share and without a PSK (RFC 8446 §9.2: "
                     "missing_extension)");
        }
        if (!((st->sent.psk_modes >> TH_PSK_MODE_KE) & 1)) {
            PEER_ERR("a server_hello without key_share though the client did not offer psk_ke "
                     "(RFC 8446 §4.2.11: illegal_parameter)");
        }
    } else {
        th_ext_key_share_sh ks;
        body = th_ext_body(ks_ext);
        if (!th_parse_ext_key_share_sh(&body, &ks, &alert)) {
            PEER_ERR("a malformed server key_share");
        }
        const th_kex *k = NULL;
        for (size_t i = 0; i < ep->num_kex; i++) {
            if (ep->kex[i].group == ks.share.group) {
                k = &ep->kex[i];
            }
        }
        if (k == NULL) {
            PEER_ERR("a server key_share in group %s, for which the client sent no share (RFC "
                     "8446 §4.2.8: illegal_parameter)",
                     th_name_or_hex(th_group_name(ks.share.group), ks.share.group, b1, sizeof(b1)));
        }
        if (!th_kex_compute(k, ks.share.key_exchange.data, ks.share.key_exchange.len, ecdhe,
                            &ecdhe_len, &alert)) {
            PEER_ERR("an invalid server key share (RFC 8446 §4.2.8.2: illegal_parameter)");
        }
        ep->neg.group = ks.share.group;
    }
    memcpy(ep->server_random, sh.random, TH_RANDOM_LEN);
    ep->neg.version = TH_VERSION_TLS13;
    ep->neg.cipher_suite = sh.cipher_suite;
    if ((!ep->transcript_ready && !ep_transcript_start(ep, sh.cipher_suite)) ||
        !ep_transcript_add(ep, ev->bytes, ev->len) ||
        !ep_derive_handshake(ep, ks_ext != NULL ? ecdhe : NULL, ecdhe_len) ||
        !ep_set_key(ep, &ep->rd, TH_SC_EPOCH_HANDSHAKE, 0, &ep->s_hs) ||
        !ep_set_key(ep, &ep->wr, TH_SC_EPOCH_HANDSHAKE, 0, &ep->c_hs)) {
        *local = 1;
        PEER_ERR("handshake key derivation failed");
    }
    if (ep->early_offered && !ep->neg.hello_retry) {
        /* Early data keeps going until EncryptedExtensions says whether the
         * server accepted it. */
        ep->wr.cur_epoch = TH_SC_EPOCH_EARLY;
    }
    st->st = CS_WAIT_EE;
    ok = 1;
err:
    OPENSSL_cleanse(ecdhe, sizeof(ecdhe));
    th_server_hello_cleanup(&sh);
    return ok;
}

static int recv_ee(th_ep *ep, const th_ep_event *ev, int *local, char *why, size_t why_len) {
    client_st *st = CST(ep);
    th_encrypted_extensions ee;
    CBS cbs;
    uint8_t alert;
    char b1[32];
    int ok = 0;
    ep_body_cbs(ev, &cbs);
    if (!th_parse_encrypted_extensions(&cbs, &ee, &alert)) {
        return ep_codec_rejects(why, why_len, "encrypted_extensions", alert);
    }
    for (size_t i = 0; i < ee.extensions.num_exts; i++) {
        const th_ext *e = &ee.extensions.exts[i];
        if (!ext_sent(ep, e->type)) {
            PEER_ERR("extension %s in encrypted_extensions, which the client did not send (RFC "
                     "8446 §4.2: unsupported_extension)",
                     th_name_or_hex(th_ext_name(e->type), e->type, b1, sizeof(b1)));
        }
        CBS b = th_ext_body(e);
        if (e->type == TH_EXT_ALPN) {
            th_ext_alpn_sh alpn;
            if (!th_parse_ext_alpn_sh(&b, &alpn, &alert)) {
                PEER_ERR("a malformed ALPN answer");
            }
            int found = 0;
            for (size_t j = 0; j < ep->cfg->num_alpn && !found; j++) {
                found = strlen(ep->cfg->alpn[j]) == alpn.protocol.len &&
                        memcmp(ep->cfg->alpn[j], alpn.protocol.data, alpn.protocol.len) == 0;
            }
            if (!found || alpn.protocol.len >= sizeof(ep->neg.alpn)) {
                PEER_ERR("an ALPN protocol the client did not offer (RFC 7301 §3.2)");
            }
            memcpy(ep->neg.alpn, alpn.protocol.data, alpn.protocol.len);
            ep->neg.alpn[alpn.protocol.len] = '\0';
        } else if (e->type == TH_EXT_RECORD_SIZE_LIMIT) {
            th_ext_record_size_limit rsl;
            if (!th_parse_ext_record_size_limit(&b, &rsl, &alert)) {
                PEER_ERR("a bad record_size_limit (RFC 8449 §4: illegal_parameter)");
            }
            ep->peer_record_size_limit = rsl.limit;
        } else if (e->type == TH_EXT_EARLY_DATA) {
            if (!ep->early_offered || ep->neg.hello_retry) {
                PEER_ERR("early_data accepted though not offered (RFC 8446 §4.2.10)");
            }
            st->early_accepted = 1;
            ep->neg.early_data_accepted = 1;
        }
    }
    if (!ep_transcript_add(ep, ev->bytes, ev->len)) {
        *local = 1;
        PEER_ERR("transcript failure");
    }
    if (ep->early_offered && !st->early_accepted) {
        /* RFC 8446 §4.2.10: rejected 0-RTT; the handshake keys take over. */
        ep->wr.cur_epoch = TH_SC_EPOCH_HANDSHAKE;
    }
    st->st = ep->psk_accepted ? CS_WAIT_FIN : CS_WAIT_CERT_CR;
    ok = 1;
err:
    th_encrypted_extensions_cleanup(&ee);
    return ok;
}

static int recv_cr(th_ep *ep, const th_ep_event *ev, int *local, char *why, size_t why_len) {
    client_st *st = CST(ep);
    th_certificate_request cr;
    CBS cbs, b;
    uint8_t alert;
    int ok = 0;
    ep_body_cbs(ev, &cbs);
    if (!th_parse_certificate_request(&cbs, &cr, &alert)) {
        return ep_codec_rejects(why, why_len, "a certificate_request", alert);
    }
    /* RFC 8446 §4.3.2: the context "SHALL be zero length unless used for
     * the post-handshake authentication exchanges". */
    if (st->st != CS_DONE && cr.certificate_request_context.len != 0) {
        PEER_ERR("a handshake certificate_request with a non-empty context (RFC 8446 §4.3.2)");
    }
    if (st->st == CS_DONE && !ext_sent(ep, TH_EXT_POST_HANDSHAKE_AUTH)) {
        PEER_ERR("a post-handshake certificate_request though the client did not offer "
                 "post_handshake_auth (RFC 8446 §4.6.2: unexpected_message)");
    }
    const th_ext *sa_ext = th_ext_block_find(&cr.extensions, TH_EXT_SIGNATURE_ALGORITHMS);
    th_ext_signature_algorithms sa;
    memset(&sa, 0, sizeof(sa));
    if (sa_ext == NULL) {
        PEER_ERR("a certificate_request without signature_algorithms (RFC 8446 §4.3.2: "
                 "missing_extension)");
    }
    b = th_ext_body(sa_ext);
    if (!th_parse_ext_signature_algorithms(&b, &sa, &alert)) {
        PEER_ERR("a malformed signature_algorithms in certificate_request");
    }
    free(ep->peer_sig_algs);
    ep->peer_sig_algs = sa.sig_algs;
    ep->num_peer_sig_algs = sa.num_sig_algs;
    free(ep->cr_context);
    ep->cr_context = malloc(cr.certificate_request_context.len + 1);
    if (ep->cr_context == NULL) {
        *local = 1;
        PEER_ERR("out of memory");
    }
    memcpy(ep->cr_context, cr.certificate_request_context.data, cr.certificate_request_context.len);
    ep->cr_context_len = cr.certificate_request_context.len;
    ep->cert_requested = 1;
    if (st->st == CS_DONE) {
        /* RFC 8446 §4.6.2: answered with Certificate, CertificateVerify
         * (unless empty) and Finished over the handshake transcript plus
         * the request. */
        if (!th_transcript_copy(&st->pha_saved, &ep->transcript)) {
            *local = 1;
            PEER_ERR("transcript failure");
        }
        st->pha = 1;
        st->pha_sent_cert = st->pha_sent_cv = 0;
    }
    if (!ep_transcript_add(ep, ev->bytes, ev->len)) {
        *local = 1;
        PEER_ERR("transcript failure");
    }
    if (st->st != CS_DONE) {
        st->st = CS_WAIT_CERT;
    }
    ok = 1;
err:
    th_certificate_request_cleanup(&cr);
    return ok;
}

static int recv_certificate(th_ep *ep, const th_ep_event *ev, int *local, char *why,
                            size_t why_len) {
    client_st *st = CST(ep);
    /* RFC 8446 §4.4.2: an empty context, entry extensions answering the
     * ClientHello's; §4.4.2.4: never an empty chain (decode_error). */
    ep_cert_rules rules = {NULL, 0, st->sent.exts,
                           ep->cfg->server_name != NULL ? ep->cfg->server_name : "localhost",
                           TH_ALERT_DECODE_ERROR};
    int empty;
    if (!ep_check_certificate(ep, ev, &rules, &empty, local, why, why_len)) {
        return 0;
    }
    st->st = CS_WAIT_CV;
    return 1;
}

static int recv_cv(th_ep *ep, const th_ep_event *ev, int *local, char *why, size_t why_len) {
    client_st *st = CST(ep);
    /* RFC 8446 §4.4.3: one of the schemes our ClientHello offered. */
    if (!ep_check_certificate_verify(ep, ev, st->sent.schemes, st->sent.num_schemes, local, why,
                                     why_len)) {
        return 0;
    }
    st->st = CS_WAIT_FIN;
    return 1;
}

static int recv_finished(th_ep *ep, const th_ep_event *ev, int *local, char *why, size_t why_len) {
    client_st *st = CST(ep);
    if (!ep_check_finished(ep, ev, &ep->s_hs, local, why, why_len)) {
        return 0;
    }
    /* Our application key is ready now (a step may use it before our
     * Finished); the handshake key stays current until then. */
    if (!ep_derive_application(ep) ||
        !ep_set_key(ep, &ep->rd, TH_SC_EPOCH_APPLICATION, 0, &ep->s_ap) ||
        !ep_set_key(ep, &ep->wr, TH_SC_EPOCH_APPLICATION, 0, &ep->c_ap)) {
        *local = 1;
        snprintf(why, why_len, "application key derivation failed");
        return 0;
    }
    ep->wr.cur_epoch = st->early_accepted ? TH_SC_EPOCH_EARLY : TH_SC_EPOCH_HANDSHAKE;
    st->st = CS_FLIGHT;
    return 1;
}

static int recv_nst(th_ep *ep, const th_ep_event *ev, int *local, char *why, size_t why_len) {
    th_new_session_ticket nst;
    CBS cbs;
    uint8_t alert;
    client_st *st = CST(ep);
    ep_body_cbs(ev, &cbs);
    if (st->st == CS_FLIGHT) {
        /* RFC 8446 §4.6.1: a server "MAY ... send a NewSessionTicket
         * immediately upon sending its Finished"; its PSK needs our Finished,
         * so it waits. */
        uint8_t *p = realloc(st->early_nst, st->early_nst_len + ev->len);
        if (p == NULL) {
            *local = 1;
            snprintf(why, why_len, "out of memory");
            return 0;
        }
        memcpy(p + st->early_nst_len, ev->bytes, ev->len);
        st->early_nst = p;
        st->early_nst_len += ev->len;
        return 1;
    }
    if (st->st != CS_DONE) {
        snprintf(why, why_len,
                 "a new_session_ticket before the server finished (RFC 8446 "
                 "§4.6.1: unexpected_message)");
        return 0;
    }
    if (!th_parse_new_session_ticket(&cbs, &nst, &alert)) {
        return ep_codec_rejects(why, why_len, "a new_session_ticket", alert);
    }
    th_ep_ticket *t = &ep->ticket;
    free(t->ticket);
    t->ticket = malloc(nst.ticket.len + 1);
    if (t->ticket == NULL ||
        !th_tls13_resumption_psk(&t->psk, ep->md, &ep->res_master, nst.ticket_nonce.data,
                                 nst.ticket_nonce.len)) {
        th_new_session_ticket_cleanup(&nst);
        *local = 1;
        snprintf(why, why_len, "ticket PSK derivation failed");
        return 0;
    }
    memcpy(t->ticket, nst.ticket.data, nst.ticket.len);
    t->ticket_len = nst.ticket.len;
    t->suite = ep->neg.cipher_suite;
    t->age_add = nst.ticket_age_add;
    t->lifetime = nst.ticket_lifetime;
    memcpy(t->alpn, ep->neg.alpn, sizeof(t->alpn));
    t->max_early_data = 0;
    const th_ext *ed = th_ext_block_find(&nst.extensions, TH_EXT_EARLY_DATA);
    if (ed != NULL) {
        th_ext_early_data_nst e;
        CBS b = th_ext_body(ed);
        if (th_parse_ext_early_data_nst(&b, &e, &alert)) {
            t->max_early_data = e.max_early_data_size;
        }
    }
    t->valid = 1;
    th_new_session_ticket_cleanup(&nst);
    return 1;
}

static int recv_key_update(th_ep *ep, const th_ep_event *ev, int *local, char *why,
                           size_t why_len) {
    if (CST(ep)->st != CS_DONE) {
        snprintf(why, why_len,
                 "a key_update before the handshake completed (RFC 8446 §4.6.3: "
                 "unexpected_message)");
        return 0;
    }
    return ep_check_key_update(ep, ev, local, why, why_len);
}

static int client_recv(th_ep *ep, const th_ep_event *ev, int *out_local, char *why,
                       size_t why_len) {
    client_st *st = CST(ep);
    *out_local = 0;
    if (ev->len < TH_HANDSHAKE_HEADER_LEN) {
        snprintf(why, why_len, "a truncated handshake message");
        return 0;
    }
    int ok = 0;
    switch (ev->msg) {
    case TH_SC_MSG_SERVER_HELLO:
    case TH_SC_MSG_HELLO_RETRY_REQUEST:
        return recv_server_hello(ep, ev, out_local, why, why_len);
    case TH_SC_MSG_ENCRYPTED_EXTENSIONS:
        if (st->st == CS_WAIT_EE) {
            ok = recv_ee(ep, ev, out_local, why, why_len);
            break;
        }
        goto unexpected;
    case TH_SC_MSG_CERTIFICATE_REQUEST:
        if (st->st == CS_WAIT_CERT_CR || st->st == CS_DONE) {
            ok = recv_cr(ep, ev, out_local, why, why_len);
            break;
        }
        goto unexpected;
    case TH_SC_MSG_CERTIFICATE:
        if (st->st == CS_WAIT_CERT_CR || st->st == CS_WAIT_CERT) {
            ok = recv_certificate(ep, ev, out_local, why, why_len);
            break;
        }
        goto unexpected;
    case TH_SC_MSG_CERTIFICATE_VERIFY:
        if (st->st == CS_WAIT_CV) {
            ok = recv_cv(ep, ev, out_local, why, why_len);
            break;
        }
        goto unexpected;
    case TH_SC_MSG_FINISHED:
        if (st->st == CS_WAIT_FIN) {
            ok = recv_finished(ep, ev, out_local, why, why_len);
            break;
        }
        goto unexpected;
    case TH_SC_MSG_NEW_SESSION_TICKET:
        return recv_nst(ep, ev, out_local, why, why_len);
    case TH_SC_MSG_KEY_UPDATE:
        return recv_key_update(ep, ev, out_local, why, why_len);
    default:
        goto unexpected;
    }
    return ok;
unexpected:
    snprintf(why, why_len,
             "%s%s at this point of the handshake (RFC 8446 §4: "
             "unexpected_message)",
             ev->msg != TH_SC_MSG_NONE ? "message " : "handshake type ",
             ev->msg != TH_SC_MSG_NONE ? th_sc_msg_name(ev->msg) : "?");
    return 0;
}

/* ---- the plan --------------------------------------------------------- */

static th_ep_next client_next(th_ep *ep) {
    client_st *st = CST(ep);
    th_ep_next n = {TH_EP_NEXT_EXPECT, TH_SC_MSG_NONE};
    switch (st->st) {
    case CS_INIT:
    case CS_HRR:
        if (!ep->done[TH_SC_MSG_CLIENT_HELLO]) {
            n.kind = TH_EP_NEXT_SEND;
            n.msg = TH_SC_MSG_CLIENT_HELLO;
            return n;
        }
        n.msg = TH_SC_MSG_SERVER_HELLO;
        return n;
    case CS_WAIT_SH:
    case CS_WAIT_SH2:
        n.msg = TH_SC_MSG_SERVER_HELLO;
        return n;
    case CS_WAIT_EE:
        n.msg = TH_SC_MSG_ENCRYPTED_EXTENSIONS;
        return n;
    case CS_WAIT_CERT_CR:
    case CS_WAIT_CERT:
        n.msg = TH_SC_MSG_CERTIFICATE;
        return n;
    case CS_WAIT_CV:
        n.msg = TH_SC_MSG_CERTIFICATE_VERIFY;
        return n;
    case CS_WAIT_FIN:
        n.msg = TH_SC_MSG_FINISHED;
        return n;
    case CS_FLIGHT:
        n.kind = TH_EP_NEXT_SEND;
        if (st->early_accepted && !ep->done[TH_SC_MSG_END_OF_EARLY_DATA]) {
            n.msg = TH_SC_MSG_END_OF_EARLY_DATA;
            return n;
        }
        if (ep->cert_requested && !ep->done[TH_SC_MSG_CERTIFICATE]) {
            n.msg = TH_SC_MSG_CERTIFICATE;
            return n;
        }
        if (ep->cert_requested && ep->cfg->certificate != NULL &&
            !ep->done[TH_SC_MSG_CERTIFICATE_VERIFY]) {
            n.msg = TH_SC_MSG_CERTIFICATE_VERIFY;
            return n;
        }
        if (!ep->done[TH_SC_MSG_FINISHED]) {
            n.msg = TH_SC_MSG_FINISHED;
            return n;
        }
        n.kind = TH_EP_NEXT_DONE;
        return n;
    case CS_DONE:
        if (st->pha) {
            n.kind = TH_EP_NEXT_SEND;
            n.msg = !st->pha_sent_cert ? TH_SC_MSG_CERTIFICATE
                    : ep->cfg->certificate != NULL && !st->pha_sent_cv
                        ? TH_SC_MSG_CERTIFICATE_VERIFY
                        : TH_SC_MSG_FINISHED;
            return n;
        }
        if (ep->key_update_due) {
            n.kind = TH_EP_NEXT_SEND;
            n.msg = TH_SC_MSG_KEY_UPDATE;
            return n;
        }
        n.kind = TH_EP_NEXT_DONE;
        return n;
    }
    n.kind = TH_EP_NEXT_DONE;
    return n;
}

/* A ClientHello other than the first or the answer to a HelloRetryRequest
 * (a step's deviation) changes no state: the handshake goes on as it was. */
static int client_out_of_place(th_ep *ep, th_sc_msg msg) {
    client_state cs = CST(ep)->st;
    return msg == TH_SC_MSG_CLIENT_HELLO && cs != CS_INIT && cs != CS_HRR;
}

const th_ep_role th_ep_client_role = {
    .start = client_start,
    .build = client_build,
    .sent = client_sent,
    .out_of_place = client_out_of_place,
    .recv = client_recv,
    .next = client_next,
    .cleanup = client_cleanup,
};
