/* The scripted endpoint's TLS 1.2 pieces shared by both roles: version
 * dispatch, the role state, the ClientHello offer, transcript, master
 * secret and key block (RFC 5246 §8.1, RFC 7627), Finished (§7.4.9),
 * certificates, and record protection switched by ChangeCipherSpec (§7.1). */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/hmac.h>
#include <openssl/mem.h>

#include "certificate_request_tls12.h"
#include "certificate_tls12.h"
#include "client_key_exchange.h"
#include "client_hello.h"
#include "ep12_internal.h"
#include "ext_types.h"
#include "finished.h"
#include "names.h"
#include "new_session_ticket_tls12.h"
#include "server_hello.h"
#include "server_key_exchange.h"
#include "sigs.h"

static int has_version(const th_sc_side *cfg, uint16_t v) {
    for (size_t i = 0; i < cfg->num_versions; i++) {
        if (cfg->versions[i] == v) {
            return 1;
        }
    }
    /* scenario.h: no versions means {tls1.3}. */
    return cfg->num_versions == 0 && v == TH_VERSION_TLS13;
}

const th_ep_role *ep12_initial_role(const th_scenario *sc, const th_ep_role *dflt) {
    if (has_version(&sc->ours, TH_VERSION_TLS12) && !has_version(&sc->ours, TH_VERSION_TLS13)) {
        return sc->role == TH_ROLE_SERVER ? &th_ep12_server_role : &th_ep12_client_role;
    }
    return dflt;
}

/* 1 if the ServerHello |msg| answers in TLS 1.2 (RFC 8446 §4.1.3: no
 * supported_versions selecting TLS 1.3). */
static int server_hello_is_12(const uint8_t *msg, size_t len) {
    th_server_hello sh;
    uint8_t alert;
    CBS cbs;
    CBS_init(&cbs, msg + TH_HANDSHAKE_HEADER_LEN, len - TH_HANDSHAKE_HEADER_LEN);
    if (!th_parse_server_hello(&cbs, &sh, &alert)) {
        /* Not ours to judge here: a legacy_version of 1.2 without a
         * readable extension block still reads as TLS 1.2. */
        return len >= 6 && msg[4] == 3 && msg[5] <= 3;
    }
    const th_ext *sv = th_ext_block_find(&sh.extensions, TH_EXT_SUPPORTED_VERSIONS);
    int is12 = sv == NULL || sv->body.len != 2 ||
               ((sv->body.data[0] << 8) | sv->body.data[1]) != TH_VERSION_TLS13;
    th_server_hello_cleanup(&sh);
    return is12;
}

void ep12_dispatch(th_ep *ep, const th_ep_event *ev) {
    if (ev->kind != TH_EP_EV_MESSAGE || !has_version(ep->cfg, TH_VERSION_TLS12) ||
        ev->len < TH_HANDSHAKE_HEADER_LEN) {
        return;
    }
    const th_ep_role *orig = ep->ops;
    if (orig == &th_ep_client_role && ev->msg == TH_SC_MSG_SERVER_HELLO && !ep->neg.established &&
        server_hello_is_12(ev->bytes, ev->len)) {
        ep_log(ep, "   (TLS 1.2 ServerHello: the TLS 1.2 client role takes over)\n");
        orig->cleanup(ep);
        ep->role_state = NULL;
        ep->ops = &th_ep12_client_role;
        if (!ep12_client_adopt(ep)) {
            ep_log(ep, "   (the TLS 1.2 client role could not take over)\n");
            return;
        }
        ep12_state(ep)->orig_ops = orig;
        return;
    }
    if (orig == &th_ep_server_role && ev->msg == TH_SC_MSG_CLIENT_HELLO && !ep->neg.established &&
        !ep->done[TH_SC_MSG_SERVER_HELLO]) {
        ep12_offer o;
        if (!ep12_offer_parse(ev->bytes, ev->len, &o)) {
            return;
        }
        int to12 = !o.offers13 || !has_version(ep->cfg, TH_VERSION_TLS13);
        ep12_offer_cleanup(&o);
        if (!to12) {
            return;
        }
        ep_log(ep, "   (ClientHello without TLS 1.3: the TLS 1.2 server role takes over)\n");
        orig->cleanup(ep);
        ep->role_state = NULL;
        ep->ops = &th_ep12_server_role;
        if (!ep->ops->start(ep)) {
            return;
        }
        ep12_state(ep)->orig_ops = orig;
    }
}

const char *ep12_msg_name(th_sc_msg msg) {
    const char *n = th_sc_msg_name(msg);
    return n != NULL ? n : "?";
}

/* ---- state ------------------------------------------------------------ */

int ep12_unexpected(th_sc_msg msg, char *why, size_t why_len) {
    return ep_failf(why, why_len, "an unexpected %s (RFC 5246 §7.4: unexpected_message)",
                    ep12_msg_name(msg));
}

int ep12_keep_ticket(ep12_st *st, const th_new_session_ticket_tls12 *nst) {
    free(st->new_ticket);
    st->new_ticket_len = 0;
    st->new_ticket = malloc(nst->ticket.len + 1);
    if (st->new_ticket == NULL) {
        return 0;
    }
    memcpy(st->new_ticket, nst->ticket.data, nst->ticket.len);
    st->new_ticket_len = nst->ticket.len;
    st->new_ticket_lifetime = nst->ticket_lifetime_hint;
    return 1;
}

void ep12_keep_verify_data(uint8_t out[TH_TLS12_VERIFY_DATA_LEN], const uint8_t *wire, size_t len) {
    size_t body_len = len - TH_HANDSHAKE_HEADER_LEN;
    memcpy(out, wire + TH_HANDSHAKE_HEADER_LEN,
           body_len < TH_TLS12_VERIFY_DATA_LEN ? body_len : TH_TLS12_VERIFY_DATA_LEN);
}

int ep12_signature(const th_sc_send *step, th_sc_field field, EVP_PKEY *key, uint16_t scheme,
                   const uint8_t *content, size_t content_len, th_bytes *out, uint8_t **out_sig,
                   char *err, size_t err_len) {
    if (ep_find_set(step, field) != NULL) {
        ep_set_bytes(step, field, out);
        return 1;
    }
    size_t sig_len = 0;
    if (!th_sig_sign(key, scheme, content, content_len, out_sig, &sig_len)) {
        return ep_failf(err, err_len, "signing with scheme 0x%04x failed", scheme);
    }
    if (step != NULL && step->flip.part == TH_SC_FLIP_SIGNATURE &&
        !ep_flip_bit(*out_sig, sig_len, step->flip.bit)) {
        OPENSSL_free(*out_sig);
        *out_sig = NULL;
        return ep_failf(err, err_len, "flip signature: bit outside the signature");
    }
    out->data = *out_sig;
    out->len = sig_len;
    return 1;
}

ep12_st *ep12_state(th_ep *ep) {
    return ep->role_state;
}

int ep12_state_new(th_ep *ep) {
    ep12_st *st = calloc(1, sizeof(*st));
    if (st == NULL) {
        return 0;
    }
    ep->role_state = st;
    return 1;
}

void ep12_offer_cleanup(ep12_offer *o) {
    free(o->suites);
    free(o->ticket);
    free(o->groups);
    free(o->schemes);
    for (size_t i = 0; i < o->num_alpn; i++) {
        free(o->alpn[i]);
    }
    free(o->alpn);
    free(o->ext_types);
    memset(o, 0, sizeof(*o));
}

void ep12_cleanup(th_ep *ep) {
    ep12_st *st = ep->role_state;
    if (st == NULL) {
        return;
    }
    if (st->orig_ops != NULL) {
        /* The next connection starts with the TLS 1.3 role again. */
        ep->ops = st->orig_ops;
    }
    ep12_offer_cleanup(&st->offer);
    free(st->msgs);
    th_secret_cleanse(&st->premaster);
    th_secret_cleanse(&st->master);
    th_tls12_key_block_cleanse(&st->kb);
    th_rl12_dir_cleanup(&st->rd);
    th_rl12_dir_cleanup(&st->wr);
    th_kex_cleanup(&st->kex);
    free(st->cr_schemes);
    free(st->new_ticket);
    free(st);
    ep->role_state = NULL;
}

/* ---- the ClientHello offer -------------------------------------------- */

int ep12_list_has(const uint16_t *l, size_t n, uint16_t v) {
    for (size_t i = 0; i < n; i++) {
        if (l[i] == v) {
            return 1;
        }
    }
    return 0;
}

int ep12_offer_has_ext(const ep12_offer *o, uint16_t type) {
    return ep12_list_has(o->ext_types, o->num_ext_types, type);
}

static int parse_alpn(const th_bytes *body, ep12_offer *o) {
    CBS cbs, list, name;
    CBS_init(&cbs, body->data, body->len);
    if (!CBS_get_u16_length_prefixed(&cbs, &list)) {
        return 1;
    }
    while (CBS_len(&list) > 0) {
        if (!CBS_get_u8_length_prefixed(&list, &name)) {
            return 1;
        }
        char **a = th_array_grow(o->alpn, o->num_alpn, sizeof(*a));
        if (a == NULL) {
            return 0;
        }
        o->alpn = a;
        char *s = malloc(CBS_len(&name) + 1);
        if (s == NULL) {
            return 0;
        }
        memcpy(s, CBS_data(&name), CBS_len(&name));
        s[CBS_len(&name)] = '\0';
        o->alpn[o->num_alpn++] = s;
    }
    return 1;
}

int ep12_offer_parse(const uint8_t *msg, size_t len, ep12_offer *out) {
    memset(out, 0, sizeof(*out));
    if (len < TH_HANDSHAKE_HEADER_LEN) {
        return 0;
    }
    th_client_hello ch;
    uint8_t alert;
    CBS cbs;
    CBS_init(&cbs, msg + TH_HANDSHAKE_HEADER_LEN, len - TH_HANDSHAKE_HEADER_LEN);
    if (!th_parse_client_hello(&cbs, &ch, &alert)) {
        return 0;
    }
    int ok = 0;
    out->legacy_version = ch.legacy_version;
    memcpy(out->random, ch.random, 32);
    out->session_id_len = ch.legacy_session_id.len <= 32 ? ch.legacy_session_id.len : 32;
    memcpy(out->session_id, ch.legacy_session_id.data, out->session_id_len);
    out->suites = calloc(ch.num_cipher_suites + 1, sizeof(uint16_t));
    if (out->suites == NULL) {
        goto done;
    }
    memcpy(out->suites, ch.cipher_suites, ch.num_cipher_suites * sizeof(uint16_t));
    out->num_suites = ch.num_cipher_suites;
    for (size_t i = 0; i < ch.legacy_compression_methods.len; i++) {
        out->comp_null |= ch.legacy_compression_methods.data[i] == 0;
    }
    out->offers13 = th_client_hello_offers_tls13(&ch);
    /* RFC 5746 §3.3: the SCSV counts as an empty renegotiation_info. */
    out->ri_scsv =
        ep12_list_has(out->suites, out->num_suites, TH_TLS_EMPTY_RENEGOTIATION_INFO_SCSV);
    out->ri = out->ri_scsv;
    for (size_t i = 0; i < ch.extensions.num_exts; i++) {
        const th_ext *e = &ch.extensions.exts[i];
        uint16_t *t = th_array_grow(out->ext_types, out->num_ext_types, sizeof(*t));
        if (t == NULL) {
            goto done;
        }
        out->ext_types = t;
        out->ext_types[out->num_ext_types++] = e->type;
        CBS b;
        CBS_init(&b, e->body.data, e->body.len);
        switch (e->type) {
        case TH_EXT_EXTENDED_MASTER_SECRET:
            out->ems = 1;
            break;
        case TH_EXT_RENEGOTIATION_INFO:
            out->ri = 1;
            out->has_ri_ext = 1;
            out->ri_body_len = e->body.len < sizeof(out->ri_body) ? e->body.len : 0;
            memcpy(out->ri_body, e->body.data, out->ri_body_len);
            break;
        case TH_EXT_SESSION_TICKET:
            out->has_ticket = 1;
            out->ticket = malloc(e->body.len + 1);
            if (out->ticket == NULL) {
                goto done;
            }
            memcpy(out->ticket, e->body.data, e->body.len);
            out->ticket_len = e->body.len;
            break;
        case TH_EXT_ENCRYPT_THEN_MAC:
            out->etm = 1;
            break;
        case TH_EXT_STATUS_REQUEST:
            out->status = 1;
            break;
        case TH_EXT_SUPPORTED_GROUPS:
            out->has_groups = th_parse_u16_list(&b, 2, &out->groups, &out->num_groups, &alert);
            break;
        case TH_EXT_SIGNATURE_ALGORITHMS:
            out->has_schemes = th_parse_u16_list(&b, 2, &out->schemes, &out->num_schemes, &alert);
            break;
        case TH_EXT_ALPN:
            if (!parse_alpn(&e->body, out)) {
                goto done;
            }
            break;
        case TH_EXT_EC_POINT_FORMATS:
            out->has_point_formats = 1;
            break;
        case TH_EXT_RECORD_SIZE_LIMIT:
            if (e->body.len == 2) {
                out->rsl = (uint16_t)((e->body.data[0] << 8) | e->body.data[1]);
            }
            break;
        default:
            break;
        }
    }
    ok = 1;
done:
    th_client_hello_cleanup(&ch);
    if (!ok) {
        ep12_offer_cleanup(out);
    }
    return ok;
}

/* ---- configuration ---------------------------------------------------- */

size_t ep12_cfg_suites(const th_ep *ep, uint16_t *out, size_t cap) {
    size_t n = 0;
    for (size_t i = 0; i < ep->cfg->num_cipher_suites && n < cap; i++) {
        if (th_tls12_suite_find(ep->cfg->cipher_suites[i]) != NULL) {
            out[n++] = ep->cfg->cipher_suites[i];
        }
    }
    if (n == 0) {
        const th_tls12_suite *s;
        for (size_t i = 0; (s = th_tls12_suite_at(i)) != NULL && n < cap; i++) {
            out[n++] = s->id;
        }
    }
    return n;
}

static size_t copy_or_default(const uint16_t *cfg, size_t num_cfg, const uint16_t *dflt,
                              size_t num_dflt, uint16_t *out, size_t cap) {
    const uint16_t *src = num_cfg != 0 ? cfg : dflt;
    size_t n = num_cfg != 0 ? num_cfg : num_dflt;
    n = n < cap ? n : cap;
    memcpy(out, src, n * sizeof(*out));
    return n;
}

size_t ep12_cfg_groups(const th_ep *ep, uint16_t *out, size_t cap) {
    static const uint16_t kDefault[] = {TH_GROUP_X25519, TH_GROUP_SECP256R1, TH_GROUP_SECP384R1};
    return copy_or_default(ep->cfg->groups, ep->cfg->num_groups, kDefault,
                           sizeof(kDefault) / sizeof(kDefault[0]), out, cap);
}

size_t ep12_cfg_schemes(const th_ep *ep, uint16_t *out, size_t cap) {
    static const uint16_t kDefault[] = {
        TH_SIG_ECDSA_SECP256R1_SHA256, TH_SIG_ECDSA_SECP384R1_SHA384, TH_SIG_RSA_PSS_RSAE_SHA256,
        TH_SIG_RSA_PSS_RSAE_SHA384,    TH_SIG_RSA_PSS_RSAE_SHA512,    TH_SIG_RSA_PKCS1_SHA256,
        TH_SIG_RSA_PKCS1_SHA384,       TH_SIG_RSA_PKCS1_SHA512,       TH_SIG_ED25519,
    };
    return copy_or_default(ep->cfg->sig_schemes, ep->cfg->num_sig_schemes, kDefault,
                           sizeof(kDefault) / sizeof(kDefault[0]), out, cap);
}

/* ---- transcript and keys ---------------------------------------------- */

void ep12_restart(th_ep *ep) {
    ep12_st *st = ep12_state(ep);
    st->msgs_len = 0;
    th_secret_cleanse(&st->premaster);
    st->have_keys = st->resumed = 0;
    st->ccs_sent = st->ccs_recvd = 0;
    st->group = 0;
    th_kex_cleanup(&st->kex);
    st->peer_point_len = 0;
    st->ske_done = 0;
    st->cert_requested = st->our_cert_nonempty = st->peer_cert_nonempty = 0;
    st->ticket_expected = 0;
    st->reneg = 1;
    ep->peer_cert_empty = 0;
    ep->neg.alpn[0] = '\0';
    ep->neg.group = 0;
    memset(ep->done, 0, sizeof(ep->done));
    ep_log(ep, "   (renegotiation: a new TLS 1.2 handshake on this connection)\n");
}

int ep12_msgs_add(th_ep *ep, const uint8_t *msg, size_t len) {
    ep12_st *st = ep12_state(ep);
    uint8_t *p = realloc(st->msgs, st->msgs_len + len + 1);
    if (p == NULL) {
        return 0;
    }
    memcpy(p + st->msgs_len, msg, len);
    st->msgs = p;
    st->msgs_len += len;
    return 1;
}

int ep12_msgs_add_recv(th_ep *ep, const th_ep_event *ev, int *local, char *why, size_t why_len) {
    if (!ep12_msgs_add(ep, ev->bytes, ev->len)) {
        *local = 1;
        return ep_failf(why, why_len, "out of memory");
    }
    return 1;
}

int ep12_set_suite(th_ep *ep, uint16_t suite) {
    ep12_st *st = ep12_state(ep);
    st->suite = th_tls12_suite_find(suite);
    if (st->suite == NULL) {
        return 0;
    }
    ep->neg.version = TH_VERSION_TLS12;
    ep->neg.cipher_suite = suite;
    return 1;
}

static int msgs_hash(ep12_st *st, uint8_t *out, size_t *out_len) {
    unsigned n;
    if (st->suite == NULL ||
        !EVP_Digest(st->msgs, st->msgs_len, out, &n, st->suite->prf_md(), NULL)) {
        return 0;
    }
    *out_len = n;
    return 1;
}

static void keylog12(th_ep *ep) {
    ep12_st *st = ep12_state(ep);
    char line[192];
    if (ep->keylog != NULL &&
        th_tls12_keylog_line(line, sizeof(line), ep->client_random, 32, &st->master)) {
        fprintf(ep->keylog, "%s\n", line);
    }
}

int ep12_derive_key_block(th_ep *ep) {
    ep12_st *st = ep12_state(ep);
    th_tls12_key_block_cleanse(&st->kb);
    if (st->suite == NULL || !th_tls12_key_block_derive(&st->kb, st->suite, &st->master,
                                                        ep->client_random, ep->server_random)) {
        return 0;
    }
    st->have_keys = 1;
    keylog12(ep);
    return 1;
}

int ep12_derive_master(th_ep *ep) {
    ep12_st *st = ep12_state(ep);
    if (st->suite == NULL) {
        return 0;
    }
    const EVP_MD *md = st->suite->prf_md();
    int ok;
    if (st->ems) {
        /* RFC 7627 §4: session_hash over the messages through
         * ClientKeyExchange. */
        uint8_t h[EVP_MAX_MD_SIZE];
        size_t hl;
        ok = msgs_hash(st, h, &hl) &&
             th_tls12_extended_master_secret(&st->master, md, st->premaster.bytes,
                                             st->premaster.len, h, hl);
    } else {
        ok = th_tls12_master_secret(&st->master, md, st->premaster.bytes, st->premaster.len,
                                    ep->client_random, ep->server_random);
    }
    th_secret_cleanse(&st->premaster);
    return ok && ep12_derive_key_block(ep);
}

int ep12_verify_data(th_ep *ep, int from_server, uint8_t out[TH_TLS12_VERIFY_DATA_LEN]) {
    ep12_st *st = ep12_state(ep);
    uint8_t h[EVP_MAX_MD_SIZE];
    size_t hl;
    th_secret vd;
    if (!st->have_keys || !msgs_hash(st, h, &hl) ||
        !th_tls12_finished_verify_data(&vd, st->suite->prf_md(), &st->master, from_server, h, hl)) {
        return 0;
    }
    memcpy(out, vd.bytes, TH_TLS12_VERIFY_DATA_LEN);
    th_secret_cleanse(&vd);
    return 1;
}

int ep12_build_finished(th_ep *ep, const th_sc_send *step, CBB *body, char *err, size_t err_len) {
    uint8_t vd[TH_TLS12_VERIFY_DATA_LEN];
    const th_sc_set *f = ep_find_set(step, TH_SC_F_FIN_VERIFY_DATA);
    int from_server = ep->role == TH_ROLE_SERVER;
    if (f != NULL) {
        return CBB_add_bytes(body, f->value.bytes, f->value.bytes_len);
    }
    if (!ep12_verify_data(ep, from_server, vd)) {
        /* No master secret (a Finished sent before the key exchange): 12
         * zero bytes keep the message well-formed. */
        memset(vd, 0, sizeof(vd));
        ep_log(ep, "   (finished without a master secret: zero verify_data)\n");
    }
    if (step != NULL && step->flip.part == TH_SC_FLIP_VERIFY_DATA &&
        !ep_flip_bit(vd, sizeof(vd), step->flip.bit)) {
        snprintf(err, err_len, "flip verify_data: bit %zu is outside the 12 bytes", step->flip.bit);
        return 0;
    }
    return CBB_add_bytes(body, vd, sizeof(vd));
}

int ep12_recv_finished(th_ep *ep, const th_ep_event *ev, int *local, char *why, size_t why_len) {
    ep12_st *st = ep12_state(ep);
    int from_server = ep->role == TH_ROLE_CLIENT;
    if (!st->ccs_recvd) {
        snprintf(why, why_len,
                 "a finished not preceded by change_cipher_spec (RFC 5246 §7.4.9: "
                 "unexpected_message)");
        return 0;
    }
    if (!st->have_keys) {
        snprintf(why, why_len, "a finished before any key exchange");
        return 0;
    }
    uint8_t h[EVP_MAX_MD_SIZE], alert;
    size_t hl;
    if (!msgs_hash(st, h, &hl)) {
        *local = 1;
        snprintf(why, why_len, "transcript hash failure");
        return 0;
    }
    const uint8_t *vd = ev->bytes + TH_HANDSHAKE_HEADER_LEN;
    size_t vd_len = ev->len - TH_HANDSHAKE_HEADER_LEN;
    if (!th_tls12_finished_check(st->suite->prf_md(), &st->master, from_server, h, hl, vd, vd_len,
                                 &alert)) {
        snprintf(why, why_len,
                 "a finished whose verify_data is wrong (RFC 5246 §7.4.9: decrypt_error)");
        return 0;
    }
    memcpy(from_server ? st->server_vd : st->client_vd, vd, TH_TLS12_VERIFY_DATA_LEN);
    if (!ep12_msgs_add_recv(ep, ev, local, why, why_len)) {
        return 0;
    }
    return 1;
}

/* ---- certificates ----------------------------------------------------- */

int ep12_build_certificate(th_ep *ep, const th_sc_send *step, const th_cert_key *dflt, CBB *body,
                           int *out_nonempty, char *err, size_t err_len) {
    th_certificate_tls12 ct;
    memset(&ct, 0, sizeof(ct));
    th_cert_key other;
    memset(&other, 0, sizeof(other));
    const th_cert_key *ck = dflt;
    const th_sc_set *f = ep_find_set(step, TH_SC_F_CT_CHAIN);
    if (f != NULL) {
        ck = NULL;
        if (f->value.str != NULL && strcmp(f->value.str, "empty") != 0) {
            if (!ep_load_cert(ep, f->value.str, &other, err, err_len)) {
                return 0;
            }
            ck = &other;
        }
    }
    int ok = 1;
    for (size_t i = 0; ck != NULL && i < ck->num_chain && ok; i++) {
        ok = th_certificate_tls12_add(&ct, ck->chain[i]);
    }
    *out_nonempty = ck != NULL && ck->num_chain != 0;
    ok = ok && th_write_certificate_tls12(body, &ct);
    th_certificate_tls12_cleanup(&ct);
    th_cert_key_cleanup(&other);
    if (!ok) {
        snprintf(err, err_len, "cannot write the certificate");
    }
    return ok;
}

int ep12_recv_certificate(th_ep *ep, const th_ep_event *ev, int purpose_server, int *out_empty,
                          char *why, size_t why_len) {
    th_certificate_tls12 ct;
    CBS cbs;
    uint8_t alert;
    char b1[32], reason[256];
    int ok = 0;
    *out_empty = 0;
    ep_body_cbs(ev, &cbs);
    if (!th_parse_certificate_tls12(&cbs, &ct, &alert)) {
        return ep_codec_rejects(why, why_len, "a certificate", alert);
    }
    if (ct.num_certs == 0) {
        *out_empty = 1;
        th_certificate_tls12_cleanup(&ct);
        return 1;
    }
    X509_STORE *store = ep_trust(ep, reason, sizeof(reason));
    const char *host = NULL;
    if (purpose_server) {
        host = ep->cfg->server_name != NULL ? ep->cfg->server_name : "localhost";
    }
    if (store == NULL) {
        snprintf(why, why_len, "%s", reason);
    } else if (!th_verify_chain(store, ct.certs, ct.num_certs, host, purpose_server, time(NULL),
                                &alert, reason, sizeof(reason))) {
        snprintf(why, why_len, "a certificate chain that does not verify: %s (%s)", reason,
                 th_name_or_hex(th_alert_name(alert), alert, b1, sizeof(b1)));
    } else {
        EVP_PKEY_free(ep->peer_key);
        ep->peer_key = NULL;
        if (!th_leaf_public_key(ct.certs[0], &ep->peer_key, &alert, reason, sizeof(reason))) {
            snprintf(why, why_len, "a leaf key we cannot use: %s", reason);
        } else {
            ok = 1;
        }
    }
    th_certificate_tls12_cleanup(&ct);
    return ok;
}

int ep12_wrap(CBB *out, uint8_t type, const uint8_t *body, size_t len) {
    CBB b;
    return CBB_add_u8(out, type) && CBB_add_u24_length_prefixed(out, &b) &&
           CBB_add_bytes(&b, body, len) && CBB_flush(out);
}

void ep12_established(th_ep *ep) {
    ep12_st *st = ep12_state(ep);
    ep->neg.established = 1;
    ep->neg.resumed = st->resumed;
    /* The session for a `resume` scenario's second connection. */
    ep->ticket.valid = 1;
    ep->ticket.suite = ep->neg.cipher_suite;
    ep->ticket.psk = st->master;
    ep->ticket.lifetime = st->new_ticket_lifetime;
    if (st->new_ticket != NULL) {
        free(ep->ticket.ticket);
        ep->ticket.ticket = st->new_ticket;
        ep->ticket.ticket_len = st->new_ticket_len;
        st->new_ticket = NULL;
        st->new_ticket_len = 0;
    }
    memcpy(ep->sess12_id, st->session_id, st->session_id_len);
    ep->sess12_id_len = st->session_id_len;
    ep->sess12_ems = st->ems;
}

/* ---- records ---------------------------------------------------------- */

/* HMAC(mac_key, seq_num + type + version + length + data) (RFC 5246
 * §6.2.3.1; RFC 7366 §3 over IV + ciphertext) into |mac| (20 bytes). */
static int cbc_mac(const th_secret *mac_key, uint64_t seq, uint8_t type, uint16_t version,
                   const uint8_t *data, size_t len, uint8_t mac[EVP_MAX_MD_SIZE]) {
    uint8_t hdr[13];
    for (size_t i = 0; i < 8; i++) {
        hdr[i] = (uint8_t)(seq >> (56 - 8 * i));
    }
    hdr[8] = type;
    hdr[9] = (uint8_t)(version >> 8);
    hdr[10] = (uint8_t)version;
    hdr[11] = (uint8_t)(len >> 8);
    hdr[12] = (uint8_t)len;
    HMAC_CTX h;
    unsigned ml;
    HMAC_CTX_init(&h);
    int ok = HMAC_Init_ex(&h, mac_key->bytes, mac_key->len, EVP_sha1(), NULL) &&
             HMAC_Update(&h, hdr, sizeof(hdr)) && HMAC_Update(&h, data, len) &&
             HMAC_Final(&h, mac, &ml);
    HMAC_CTX_cleanup(&h);
    return ok;
}

/* An AES-CBC record over the plaintext limit: MAC-then-encrypt (RFC 5246
 * §6.2.3.2) or encrypt-then-MAC (RFC 7366 §3) when negotiated. */
static int seal_oversize_cbc(th_ep *ep, CBB *out, uint8_t type, uint16_t version,
                             const uint8_t *content, size_t len) {
    ep12_st *st = ep12_state(ep);
    int from_server = ep->role == TH_ROLE_SERVER;
    const th_secret *key = from_server ? &st->kb.server_key : &st->kb.client_key;
    const th_secret *mac_key = from_server ? &st->kb.server_mac_key : &st->kb.client_mac_key;
    uint64_t seq = st->wr.seq;
    size_t mac_len = st->suite->mac_len, mte_mac = st->etm ? 0 : mac_len;
    size_t pad = 16 - (len + mte_mac) % 16; /* padding bytes + the length byte */
    size_t pt_len = len + mte_mac + pad;
    uint8_t *buf = malloc(16 + pt_len + mac_len), mac[EVP_MAX_MD_SIZE];
    if (buf == NULL) {
        return 0;
    }
    ep_random(ep, buf, 16);
    memcpy(buf + 16, content, len);
    int ok = st->etm || cbc_mac(mac_key, seq, type, version, content, len, mac);
    if (ok && !st->etm) {
        memcpy(buf + 16 + len, mac, mac_len);
    }
    memset(buf + 16 + len + mte_mac, (int)(pad - 1), pad);
    EVP_CIPHER_CTX c;
    EVP_CIPHER_CTX_init(&c);
    int outl = 0;
    ok = ok && EVP_EncryptInit_ex(&c, st->suite->cbc(), NULL, key->bytes, buf) &&
         EVP_CIPHER_CTX_set_padding(&c, 0) &&
         EVP_EncryptUpdate(&c, buf + 16, &outl, buf + 16, (int)pt_len) && (size_t)outl == pt_len;
    EVP_CIPHER_CTX_cleanup(&c);
    size_t frag_len = 16 + pt_len;
    if (ok && st->etm) {
        ok = cbc_mac(mac_key, seq, type, version, buf, frag_len, mac);
        memcpy(buf + frag_len, mac, mac_len);
        frag_len += mac_len;
    }
    ok = ok && frag_len <= 0xffff && CBB_add_u8(out, type) && CBB_add_u16(out, version) &&
         CBB_add_u16(out, (uint16_t)frag_len) && CBB_add_bytes(out, buf, frag_len);
    free(buf);
    if (ok) {
        th_rl12_dir_set_seq(&st->wr, seq + 1);
    }
    return ok;
}

/* An AEAD record over the plaintext limit (record_overflow tests), which
 * th_rl12_seal refuses: RFC 5288 §3 (GCM: salt + explicit sequence
 * number nonce, sent first) or RFC 7905 §2 (ChaCha20-Poly1305: IV XOR
 * sequence number), additional data seq_num + type + version + length
 * (RFC 5246 §6.2.3.3). */
static int seal_oversize(th_ep *ep, CBB *out, uint8_t type, uint16_t version,
                         const uint8_t *content, size_t len) {
    ep12_st *st = ep12_state(ep);
    const th_tls12_suite *s = st->suite;
    int from_server = ep->role == TH_ROLE_SERVER;
    const th_secret *key = from_server ? &st->kb.server_key : &st->kb.client_key;
    const th_secret *iv = from_server ? &st->kb.server_iv : &st->kb.client_iv;
    const EVP_AEAD *aead;
    if (s->cipher == TH_TLS12_CIPHER_AES_GCM) {
        aead = key->len == 16 ? EVP_aead_aes_128_gcm() : EVP_aead_aes_256_gcm();
    } else if (s->cipher == TH_TLS12_CIPHER_CHACHA20_POLY1305) {
        aead = EVP_aead_chacha20_poly1305();
    } else {
        return seal_oversize_cbc(ep, out, type, version, content, len);
    }
    uint64_t seq = st->wr.seq;
    uint8_t seq_be[8], nonce[12], ad[13];
    for (size_t i = 0; i < 8; i++) {
        seq_be[i] = (uint8_t)(seq >> (56 - 8 * i));
    }
    size_t explicit_len = 0;
    if (s->cipher == TH_TLS12_CIPHER_AES_GCM) {
        memcpy(nonce, iv->bytes, 4);
        memcpy(nonce + 4, seq_be, 8);
        explicit_len = 8;
    } else {
        memcpy(nonce, iv->bytes, 12);
        for (size_t i = 0; i < 8; i++) {
            nonce[4 + i] ^= seq_be[i];
        }
    }
    memcpy(ad, seq_be, 8);
    ad[8] = type;
    ad[9] = (uint8_t)(version >> 8);
    ad[10] = (uint8_t)version;
    ad[11] = (uint8_t)(len >> 8);
    ad[12] = (uint8_t)len;
    size_t ct_max = len + EVP_AEAD_max_overhead(aead);
    if (explicit_len + ct_max > 0xffff) {
        return 0;
    }
    EVP_AEAD_CTX ctx;
    uint8_t *p;
    size_t written = 0;
    CBB frag;
    int ok = EVP_AEAD_CTX_init(&ctx, aead, key->bytes, key->len, EVP_AEAD_DEFAULT_TAG_LENGTH, NULL);
    if (!ok) {
        return 0;
    }
    ok = CBB_add_u8(out, type) && CBB_add_u16(out, version) &&
         CBB_add_u16_length_prefixed(out, &frag) && CBB_add_bytes(&frag, nonce + 4, explicit_len) &&
         CBB_reserve(&frag, &p, ct_max) &&
         EVP_AEAD_CTX_seal(&ctx, p, &written, ct_max, nonce, EVP_AEAD_nonce_length(aead), content,
                           len, ad, sizeof(ad)) &&
         CBB_did_write(&frag, written) && CBB_flush(out);
    EVP_AEAD_CTX_cleanup(&ctx);
    if (ok) {
        th_rl12_dir_set_seq(&st->wr, seq + 1);
    }
    return ok;
}

int ep12_seal(th_ep *ep, CBB *out, uint8_t type, uint16_t version, const uint8_t *content,
              size_t len, const th_sc_record_opts *opts) {
    ep12_st *st = ep12_state(ep);
    if (st == NULL || st->wr.suite == NULL) {
        return 0;
    }
    if (len > th_rl12_max_content_len(&st->wr)) {
        return seal_oversize(ep, out, type, version != 0 ? version : TH_VERSION_TLS12, content,
                             len);
    }
    th_rl12_seal_opts so;
    memset(&so, 0, sizeof(so));
    so.version = version;
    if (opts != NULL && opts->bad_padding) {
        /* RFC 5246 §6.2.3.2: each padding byte must equal padding_length. */
        so.cbc_pad_xor = 1;
    }
    return th_rl12_seal_ex(&st->wr, out, type, content, len, &so);
}

int ep12_open(th_ep *ep, const th_record *rec, uint8_t *buf, size_t cap, th_bytes *out,
              uint8_t *out_alert) {
    ep12_st *st = ep12_state(ep);
    if (st == NULL || st->rd.suite == NULL) {
        *out_alert = TH_ALERT_INTERNAL_ERROR;
        return 0;
    }
    return th_rl12_open(&st->rd, rec, buf, cap, out, out_alert);
}

int ep12_ccs_sent(th_ep *ep, char *err, size_t err_len) {
    ep12_st *st = ep12_state(ep);
    if (st == NULL) {
        return 1;
    }
    if (st->ccs_sent) {
        ep_log(ep, "   (a second change_cipher_spec: our write keys unchanged)\n");
        return 1;
    }
    if (!st->have_keys) {
        ep_log(ep, "   (change_cipher_spec before the keys exist: we keep writing plaintext)\n");
        return 1;
    }
    th_rl12_dir_cleanup(&st->wr);
    if (!th_rl12_dir_set_key_block(&st->wr, st->suite->id, TH_RL12_SEAL, st->etm, &st->kb,
                                   ep->role == TH_ROLE_SERVER)) {
        snprintf(err, err_len, "cannot install the TLS 1.2 write key");
        return 0;
    }
    th_rl12_dir_set_random(&st->wr, ep_random_cb, ep);
    if (ep->peer_record_size_limit != 0 &&
        !th_rl12_dir_set_plaintext_limit(&st->wr, ep->peer_record_size_limit)) {
        ep_log(ep, "   (the peer's record_size_limit %u is not applied)\n",
               ep->peer_record_size_limit);
    }
    st->ccs_sent = 1;
    ep->wr.cur_epoch = TH_SC_EPOCH_APPLICATION;
    ep_log(ep, "   (our write keys switched to %s)\n",
           th_cipher_suite_name(st->suite->id) ? th_cipher_suite_name(st->suite->id) : "?");
    return 1;
}

void ep12_ccs_recv(th_ep *ep, const uint8_t *data, size_t len) {
    ep12_st *st = ep12_state(ep);
    if (st == NULL || len != 1 || data[0] != 1) {
        return;
    }
    if (!st->have_keys || st->ccs_recvd) {
        ep_log(ep, "   (%s: read keys unchanged)\n",
               st->ccs_recvd ? "a second change_cipher_spec"
                             : "change_cipher_spec before the keys exist");
        return;
    }
    th_rl12_dir_cleanup(&st->rd);
    if (!th_rl12_dir_set_key_block(&st->rd, st->suite->id, TH_RL12_OPEN, st->etm, &st->kb,
                                   ep->role == TH_ROLE_CLIENT)) {
        ep_log(ep, "   (cannot install the TLS 1.2 read key)\n");
        return;
    }
    st->ccs_recvd = 1;
    ep->rd.cur_epoch = TH_SC_EPOCH_APPLICATION;
}

int ep12_before_send(th_ep *ep, th_sc_msg msg, char *err, size_t err_len) {
    ep12_st *st = ep12_state(ep);
    if (st == NULL || msg != TH_SC_MSG_FINISHED || st->ccs_sent) {
        return 1;
    }
    /* RFC 5246 §7.4.9: our Finished follows our ChangeCipherSpec. */
    static const uint8_t kCcs[1] = {1};
    ep_log(ep, "-> change_cipher_spec\n");
    return ep_send_records(ep, TH_CT_CHANGE_CIPHER_SPEC, kCcs, 1, NULL, NULL, err, err_len) &&
           ep12_ccs_sent(ep, err, err_len);
}

int ep12_client_hello_exts(th_ep *ep, th_ext_block *exts) {
    /* RFC 7627 §5.1, RFC 5746 §3.4 (empty renegotiated_connection), RFC
     * 8422 §5.1.2 (uncompressed only), RFC 5077 §3.2 (empty: no ticket). */
    static const uint8_t kEmptyRi[1] = {0};
    static const uint8_t kPointFormats[2] = {1, 0};
    if (!has_version(ep->cfg, TH_VERSION_TLS12)) {
        return 1;
    }
    return (ep->cfg->no_ems ||
            th_ext_block_add(exts, TH_EXT_EXTENDED_MASTER_SECRET, (th_bytes){NULL, 0})) &&
           th_ext_block_add(exts, TH_EXT_RENEGOTIATION_INFO, (th_bytes){kEmptyRi, 1}) &&
           th_ext_block_add(exts, TH_EXT_EC_POINT_FORMATS, (th_bytes){kPointFormats, 2}) &&
           th_ext_block_add(exts, TH_EXT_SESSION_TICKET, (th_bytes){NULL, 0});
}

/* ---- field checks of TLS 1.2 message forms ----------------------------- */

/* A field's value as received. */
typedef struct {
    th_sc_val_kind kind;
    uint64_t i;
    const uint8_t *bytes;
    size_t len;
    const uint16_t *list;
    size_t num;
} got12;

static const char *code_name(th_sc_names ns, uint64_t v) {
    switch (ns) {
    case TH_SC_NAMES_GROUP:
        return th_group_name((uint16_t)v);
    case TH_SC_NAMES_SCHEME:
        return th_sig_scheme_name((uint16_t)v);
    case TH_SC_NAMES_VERSION:
        return th_version_name((uint16_t)v);
    default:
        return NULL;
    }
}

static void fmt12(th_sc_names ns, th_sc_val_kind kind, uint64_t i, const uint8_t *bytes, size_t len,
                  const uint64_t *ints64, const uint16_t *ints16, size_t num, char *out,
                  size_t out_len) {
    size_t off = 0;
    char b[32];
    out[0] = '\0';
    switch (kind) {
    case TH_SC_VAL_INT:
        snprintf(out, out_len, "%s", th_name_or_hex(code_name(ns, i), (uint16_t)i, b, sizeof(b)));
        return;
    case TH_SC_VAL_BYTES:
        for (size_t k = 0; k < len && k < 40 && off + 3 < out_len; k++) {
            off += (size_t)snprintf(out + off, out_len - off, "%02x", bytes[k]);
        }
        if (len > 40 && off + 4 < out_len) {
            snprintf(out + off, out_len - off, "...");
        } else if (len == 0) {
            snprintf(out, out_len, "(empty)");
        }
        return;
    case TH_SC_VAL_INT_LIST:
        off += (size_t)snprintf(out, out_len, "[");
        for (size_t k = 0; k < num && off + 2 < out_len; k++) {
            uint64_t v = ints64 != NULL ? ints64[k] : ints16[k];
            off += (size_t)snprintf(out + off, out_len - off, "%s%s", k ? ", " : "",
                                    th_name_or_hex(code_name(ns, v), (uint16_t)v, b, sizeof(b)));
        }
        if (off + 2 < out_len) {
            snprintf(out + off, out_len - off, "]");
        }
        return;
    default:
        snprintf(out, out_len, "%s", "?");
        return;
    }
}

static int equal12(const th_sc_value *want, const got12 *g) {
    switch (want->kind) {
    case TH_SC_VAL_INT:
        return g->kind == TH_SC_VAL_INT && g->i == want->i;
    case TH_SC_VAL_BYTES:
        return g->kind == TH_SC_VAL_BYTES && g->len == want->bytes_len &&
               (g->len == 0 || memcmp(g->bytes, want->bytes, g->len) == 0);
    case TH_SC_VAL_INT_LIST:
        if (g->kind != TH_SC_VAL_INT_LIST || g->num != want->num) {
            return 0;
        }
        for (size_t k = 0; k < g->num; k++) {
            if (g->list[k] != want->ints[k]) {
                return 0;
            }
        }
        return 1;
    default:
        return 0;
    }
}

int ep12_check_fields(th_ep *ep, const th_ep_event *ev, const th_sc_expect *x, char *exp,
                      size_t exp_len, char *got, size_t got_len) {
    th_sc_msg m = ev->msg;
    if (m != TH_SC_MSG_SERVER_KEY_EXCHANGE && m != TH_SC_MSG_CLIENT_KEY_EXCHANGE &&
        m != TH_SC_MSG_CERTIFICATE_REQUEST && m != TH_SC_MSG_NEW_SESSION_TICKET &&
        m != TH_SC_MSG_CERTIFICATE) {
        return ep_check_fields(ep, ev, x, exp, exp_len, got, got_len);
    }
    if (x->num_fields == 0 && x->num_ext_present == 0) {
        return 1;
    }
    const char *name = ep12_msg_name(m);
    if (x->num_ext_present != 0) {
        snprintf(exp, exp_len, "%s with extensions", name);
        snprintf(got, got_len, "a TLS 1.2 %s, which has none", name);
        return 0;
    }
    CBS cbs;
    uint8_t alert;
    ep_body_cbs(ev, &cbs);
    th_server_key_exchange_ecdhe ske;
    th_client_key_exchange_ecdhe cke;
    th_certificate_request_tls12 cr;
    th_new_session_ticket_tls12 nst;
    memset(&cr, 0, sizeof(cr));
    int parsed = 0;
    switch (m) {
    case TH_SC_MSG_SERVER_KEY_EXCHANGE:
        parsed = th_parse_server_key_exchange_ecdhe(&cbs, &ske, &alert);
        break;
    case TH_SC_MSG_CLIENT_KEY_EXCHANGE:
        parsed = th_parse_client_key_exchange_ecdhe(&cbs, &cke, &alert);
        break;
    case TH_SC_MSG_CERTIFICATE_REQUEST:
        parsed = th_parse_certificate_request_tls12(&cbs, &cr, &alert);
        break;
    case TH_SC_MSG_NEW_SESSION_TICKET:
        parsed = th_parse_new_session_ticket_tls12(&cbs, &nst, &alert);
        break;
    default:
        break;
    }
    int ok = 1;
    for (size_t i = 0; i < x->num_fields && ok; i++) {
        const th_sc_set *f = &x->fields[i];
        const th_sc_field_info *fi = th_sc_field_info_of(f->field);
        const char *fname = fi != NULL ? fi->name : "?";
        th_sc_names ns = fi != NULL ? fi->names : TH_SC_NAMES_NONE;
        got12 g;
        memset(&g, 0, sizeof(g));
        g.kind = f->value.kind;
        int have = parsed;
        switch (f->field) {
        case TH_SC_F_SKE_CURVE:
            g.i = ske.named_curve;
            break;
        case TH_SC_F_SKE_POINT:
            g.bytes = ske.public_key.data;
            g.len = ske.public_key.len;
            break;
        case TH_SC_F_SKE_SCHEME:
            g.i = ske.sig_alg;
            break;
        case TH_SC_F_SKE_SIGNATURE:
            g.bytes = ske.signature.data;
            g.len = ske.signature.len;
            break;
        case TH_SC_F_CKE_POINT:
            g.bytes = cke.public_key.data;
            g.len = cke.public_key.len;
            break;
        case TH_SC_F_CR_SIGNATURE_ALGORITHMS:
            g.list = cr.sig_algs;
            g.num = cr.num_sig_algs;
            break;
        case TH_SC_F_NST_LIFETIME:
            g.i = nst.ticket_lifetime_hint;
            break;
        case TH_SC_F_NST_TICKET:
            g.bytes = nst.ticket.data;
            g.len = nst.ticket.len;
            break;
        default:
            have = -1;
            break;
        }
        if (have == -1) {
            snprintf(exp, exp_len, "%s field %s that a TLS 1.2 %s has", name, fname, name);
            snprintf(got, got_len, "a field TLS 1.2 does not have or that cannot be checked");
            ok = 0;
        } else if (!have) {
            snprintf(exp, exp_len, "%s whose fields can be checked", name);
            snprintf(got, got_len, "a %s our TLS 1.2 codec does not parse", name);
            ok = 0;
        } else if (!equal12(&f->value, &g)) {
            char e[TH_EP_TEXT_MAX / 2], a[TH_EP_TEXT_MAX / 2];
            fmt12(ns, f->value.kind, f->value.i, f->value.bytes, f->value.bytes_len, f->value.ints,
                  NULL, f->value.num, e, sizeof(e));
            fmt12(ns, g.kind, g.i, g.bytes, g.len, NULL, g.list, g.num, a, sizeof(a));
            snprintf(exp, exp_len, "%s %s = %s", name, fname, e);
            snprintf(got, got_len, "%s = %s", fname, a);
            ok = 0;
        }
    }
    th_certificate_request_tls12_cleanup(&cr);
    return ok;
}
