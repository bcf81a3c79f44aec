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
 * failed check names the RFC rule the client broke. */
#include <stdarg.h>
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
#include "ext_types.h"
#include "finished.h"
#include "key_update.h"
#include "names.h"
#include "new_session_ticket.h"
#include "server_hello.h"
#include "sigs.h"

/* Our defaults when the config names none: the engine's (conn.c). */
static const uint16_t kDefaultSuites[] = {
    TH_TLS_AES_128_GCM_SHA256,
    TH_TLS_AES_256_GCM_SHA384,
    TH_TLS_CHACHA20_POLY1305_SHA256,
};
static const uint16_t kDefaultGroups[] = {TH_GROUP_X25519, TH_GROUP_SECP256R1, TH_GROUP_SECP384R1};
static const uint16_t kDefaultSigSchemes[] = {
    TH_SIG_ECDSA_SECP256R1_SHA256, TH_SIG_ECDSA_SECP384R1_SHA384, TH_SIG_RSA_PSS_RSAE_SHA256,
    TH_SIG_RSA_PSS_RSAE_SHA384,    TH_SIG_RSA_PSS_RSAE_SHA512,    TH_SIG_ED25519,
};

#define NUM(a) (sizeof(a) / sizeof((a)[0]))

/* The certificate a server config without `certificate:` uses. */
#define DEFAULT_CERTIFICATE "server-ecdsa-p256"

/* NewSessionTicket defaults: lifetime (s), nonce and ticket lengths. */
#define TICKET_LIFETIME  7200
#define TICKET_NONCE_LEN 8
#define TICKET_LEN       32

/* Length of a post-handshake certificate_request_context and of a cookie. */
#define PHA_CONTEXT_LEN 32
#define COOKIE_LEN      32

/* Largest record_size_limit (RFC 8449 §4: 2^14 + 1 in TLS 1.3). */
#define RSL_MAX 16385

/* Largest early data skipped when 0-RTT is rejected and the config sets no
 * max_early_data (BoringSSL's limit, as the engine). */
#define EARLY_SKIP_DEFAULT 16384

typedef struct {
    /* The client's current ClientHello: an owned copy of the whole message
     * and its parse (views into the copy). */
    uint8_t *ch_buf;
    size_t ch_len;
    th_client_hello ch;
    int have_ch;
    int num_ch; /* ClientHellos received */

    /* Our choices from the ClientHello. */
    uint16_t suite, group, scheme;
    int need_hrr; /* no share for our group in ClientHello1 */
    char alpn[256];
    int have_alpn;
    uint8_t client_psk_modes; /* bit 1 << mode */
    int psk_ok;               /* the PSK of our ticket, binder checked */
    size_t psk_index;
    int psk_dhe;
    int early_offered, early_accept;
    uint16_t client_rsl; /* 0: the client sent no record_size_limit */
    int pha_offered;

    /* What we sent (by th_sc_msg), and what the sent messages said. */
    unsigned char sent[TH_SC_NUM_MSGS];
    size_t num_hrr;
    uint16_t hrr_suite, hrr_group;
    uint8_t *hrr_cookie; /* owned: the cookie our HRR carried */
    size_t hrr_cookie_len;
    int ccs_sent;
    int cr_sent;
    uint8_t cr_context[255];
    size_t cr_context_len;
    uint16_t *cr_sig_algs; /* owned: the schemes our CertificateRequest offered */
    size_t num_cr_sig_algs;
    th_cert_key alt_cert; /* a `chain:` other than the config's */
    const th_cert_key *used_cert;
    int cert_sent_empty;
    int keys_ok; /* handshake keys derived after our ServerHello */
    size_t nst_sent;
    uint32_t nst_counter;

    /* What the client sent. */
    int eoed_received;
    int ccert_received, ccert_empty, ccv_received, cfin_received;
    int established;

    /* Post-handshake authentication (RFC 8446 §4.6.2): the transcript
     * through the client Finished, and the exchange in progress. */
    th_transcript pha_base;
    int have_pha_base;
    int pha_pending, pha_cert_received, pha_cert_empty, pha_cv_received;

    int ku_expected;   /* we asked the client to update its key */
    uint16_t read_rsl; /* our record_size_limit, once the EncryptedExtensions sent it */
} sv_state;

/* ---- small helpers ----------------------------------------------------- */

static int failf(char *buf, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int failf(char *buf, size_t len, const char *fmt, ...) {
    if (buf != NULL && len > 0) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(buf, len, fmt, ap);
        va_end(ap);
    }
    return 0;
}

static const char *alert_name(uint8_t alert) {
    const char *name = th_alert_name(alert);
    return name != NULL ? name : "?";
}

static int in_list(const uint16_t *list, size_t num, uint16_t v) {
    for (size_t i = 0; i < num; i++) {
        if (list[i] == v) {
            return 1;
        }
    }
    return 0;
}

static const uint16_t *our_suites(const th_ep *ep, size_t *out_num) {
    if (ep->cfg->num_cipher_suites == 0) {
        *out_num = NUM(kDefaultSuites);
        return kDefaultSuites;
    }
    *out_num = ep->cfg->num_cipher_suites;
    return ep->cfg->cipher_suites;
}

static const uint16_t *our_groups(const th_ep *ep, size_t *out_num) {
    if (ep->cfg->num_groups == 0) {
        *out_num = NUM(kDefaultGroups);
        return kDefaultGroups;
    }
    *out_num = ep->cfg->num_groups;
    return ep->cfg->groups;
}

static const uint16_t *our_schemes(const th_ep *ep, size_t *out_num) {
    if (ep->cfg->num_sig_schemes == 0) {
        *out_num = NUM(kDefaultSigSchemes);
        return kDefaultSigSchemes;
    }
    *out_num = ep->cfg->num_sig_schemes;
    return ep->cfg->sig_schemes;
}

static uint32_t u32_of(const uint8_t b[4]) {
    return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

/* A message of the default plan counts as done once sent or skipped (the
 * core marks skipped ones in ep->done). */
static int did(const th_ep *ep, const sv_state *st, th_sc_msg msg) {
    return st->sent[msg] || ep->done[msg];
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

/* Copies |len| bytes into a fresh owned buffer (*out freed first). */
static int dup_bytes(uint8_t **out, size_t *out_len, const uint8_t *in, size_t len) {
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

/* ---- extension blocks we build ------------------------------------------ */

/* An extension block whose bodies are owned buffers of the builder. */
typedef struct {
    th_ext_block block;
    uint8_t **bufs;
    size_t num_bufs;
} ext_builder;

static void eb_cleanup(ext_builder *eb) {
    th_ext_block_cleanup(&eb->block);
    for (size_t i = 0; i < eb->num_bufs; i++) {
        OPENSSL_free(eb->bufs[i]);
    }
    free(eb->bufs);
    memset(eb, 0, sizeof(*eb));
}

/* Finishes |cbb| and makes its bytes the body of |type|: the first
 * extension of that type gets it, or it is appended. */
static int eb_put(ext_builder *eb, uint16_t type, CBB *cbb) {
    uint8_t *buf = NULL;
    size_t len = 0;
    if (!CBB_finish(cbb, &buf, &len)) {
        return 0;
    }
    uint8_t **p = th_array_grow(eb->bufs, eb->num_bufs, sizeof(*p));
    if (p == NULL) {
        OPENSSL_free(buf);
        return 0;
    }
    eb->bufs = p;
    eb->bufs[eb->num_bufs++] = buf;
    th_bytes body = {buf, len};
    for (size_t i = 0; i < eb->block.num_exts; i++) {
        if (eb->block.exts[i].type == type) {
            eb->block.exts[i].body = body;
            return 1;
        }
    }
    return th_ext_block_add(&eb->block, type, body);
}

/* eb_put of a raw body. */
static int eb_put_bytes(ext_builder *eb, uint16_t type, const uint8_t *data, size_t len) {
    CBB cbb;
    if (!CBB_init(&cbb, len + 1) || !CBB_add_bytes(&cbb, data, len) || !eb_put(eb, type, &cbb)) {
        CBB_cleanup(&cbb);
        return 0;
    }
    return 1;
}

static int eb_put_u16(ext_builder *eb, uint16_t type, uint16_t v) {
    uint8_t b[2] = {(uint8_t)(v >> 8), (uint8_t)v};
    return eb_put_bytes(eb, type, b, sizeof(b));
}

/* An ALPN body naming one protocol (RFC 7301 §3.1), written as given so an
 * empty or odd name can be sent too. */
static int eb_put_alpn(ext_builder *eb, const char *proto) {
    CBB cbb, list, name;
    size_t len = strlen(proto);
    if (!CBB_init(&cbb, len + 3) || !CBB_add_u16_length_prefixed(&cbb, &list) ||
        !CBB_add_u8_length_prefixed(&list, &name) ||
        !CBB_add_bytes(&name, (const uint8_t *)proto, len) || !eb_put(eb, TH_EXT_ALPN, &cbb)) {
        CBB_cleanup(&cbb);
        return 0;
    }
    return 1;
}

static int eb_put_u16_list(ext_builder *eb, uint16_t type, const uint16_t *v, size_t n) {
    CBB cbb;
    if (!CBB_init(&cbb, 2 + 2 * n) || !th_write_u16_list(&cbb, 2, v, n) ||
        !eb_put(eb, type, &cbb)) {
        CBB_cleanup(&cbb);
        return 0;
    }
    return 1;
}

/* Applies the step's extension edits (ep_apply_ext_ops). */
static int eb_apply_ops(ext_builder *eb, const th_sc_send *step, char *err, size_t err_len) {
    if (step == NULL || step->num_ext_ops == 0) {
        return 1;
    }
    return ep_apply_ext_ops(&eb->block, step->ext_ops, step->num_ext_ops, err, err_len);
}

/* ---- state -------------------------------------------------------------- */

/* Frees what one connection used and zeroes it. */
static void sv_reset(sv_state *st) {
    th_client_hello_cleanup(&st->ch);
    free(st->ch_buf);
    free(st->hrr_cookie);
    free(st->cr_sig_algs);
    th_cert_key_cleanup(&st->alt_cert);
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

/* Our certificate (cfg->certificate or the default), loaded once. */
static int load_our_cert(th_ep *ep, char *err, size_t err_len) {
    if (ep->cert.num_chain != 0) {
        return 1;
    }
    const char *name = ep->cfg->certificate != NULL ? ep->cfg->certificate : DEFAULT_CERTIFICATE;
    return ep_load_cert(ep, name, &ep->cert, err, err_len);
}

/* The first of our schemes the client lists that |key| can make in TLS 1.3
 * (RFC 8446 §4.4.3); 0 if none. */
static uint16_t scheme_for(const th_ep *ep, const EVP_PKEY *key, const uint16_t *peer,
                           size_t num_peer) {
    size_t n;
    const uint16_t *ours = our_schemes(ep, &n);
    for (size_t i = 0; i < n; i++) {
        if (in_list(peer, num_peer, ours[i]) &&
            th_sig_scheme_allowed(ours[i], key, TH_VERSION_TLS13)) {
            return ours[i];
        }
    }
    return 0;
}

/* The client's signature_algorithms (an owned copy in *out). */
static int client_sig_algs(const sv_state *st, th_ext_signature_algorithms *out) {
    memset(out, 0, sizeof(*out));
    const th_ext *ext = th_ext_block_find(&st->ch.extensions, TH_EXT_SIGNATURE_ALGORITHMS);
    uint8_t alert;
    if (ext == NULL) {
        return 0;
    }
    CBS body = th_ext_body(ext);
    return th_parse_ext_signature_algorithms(&body, out, &alert);
}

/* ---- the ClientHello ----------------------------------------------------- */

/* RFC 8446 §4.2.10: a server that rejects 0-RTT skips the early records
 * that do not decrypt, up to max_early_data_size bytes. The early read key
 * goes, so the core's trial decryption does not take them for a key error. */
static void reject_early_data(th_ep *ep) {
    ep->early_skip_budget =
        ep->cfg->max_early_data != 0 ? ep->cfg->max_early_data : EARLY_SKIP_DEFAULT;
    th_rl_dir_cleanup(&ep->rd.early);
}

/* Judges the client's PSK offer (RFC 8446 §4.2.11): the identity that is our
 * ticket, with the hash of |suite|, in a mode the client offers; its binder
 * is checked over Truncate(ClientHello) after what the transcript already
 * holds (§4.2.11.2). Other identities are ignored. 0 with |why| when the
 * binder is wrong (the client's fault), or with *local for our failure. */
static int judge_psk(th_ep *ep, sv_state *st, uint16_t suite, int *local, char *why,
                     size_t why_len) {
    const th_ext *ext = th_ext_block_find(&st->ch.extensions, TH_EXT_PRE_SHARED_KEY);
    const th_ext *modes_ext = th_ext_block_find(&st->ch.extensions, TH_EXT_PSK_KEY_EXCHANGE_MODES);
    uint8_t alert;
    st->psk_ok = 0;
    st->client_psk_modes = 0;
    if (modes_ext != NULL) {
        th_ext_psk_key_exchange_modes modes;
        CBS body = th_ext_body(modes_ext);
        if (th_parse_ext_psk_key_exchange_modes(&body, &modes, &alert)) {
            for (size_t i = 0; i < modes.modes.len; i++) {
                if (modes.modes.data[i] <= TH_PSK_MODE_DHE_KE) {
                    st->client_psk_modes |= (uint8_t)(1u << modes.modes.data[i]);
                }
            }
        }
    }
    ep->psk_offered = ext != NULL;
    if (ext == NULL || !ep->ticket.valid || st->client_psk_modes == 0) {
        return 1;
    }
    th_ext_pre_shared_key_ch psk;
    CBS body = th_ext_body(ext);
    if (!th_parse_ext_pre_shared_key_ch(&body, &psk, &alert)) {
        return failf(why, why_len, "pre_shared_key does not parse (%s)", alert_name(alert));
    }
    const EVP_MD *md = th_suite_hash(suite);
    size_t index = 0;
    int found = 0;
    for (size_t i = 0; i < psk.num_identities && !found; i++) {
        const th_bytes *id = &psk.identities[i].identity;
        if (id->len == ep->ticket.ticket_len && memcmp(id->data, ep->ticket.ticket, id->len) == 0) {
            found = 1;
            index = i;
        }
    }
    /* RFC 8446 §4.2.11: the PSK's hash must be the suite's. */
    if (!found || th_suite_hash(ep->ticket.suite) != md || index >= psk.num_binders) {
        th_ext_pre_shared_key_ch_cleanup(&psk);
        return 1;
    }
    int ok = 0;
    size_t trunc_len, hash_len = 0;
    uint8_t hash[EVP_MAX_MD_SIZE];
    unsigned md_len;
    th_secret early, binder_key;
    th_transcript t;
    memset(&t, 0, sizeof(t));
    memset(&binder_key, 0, sizeof(binder_key));
    *local = 1;
    if (!th_client_hello_truncated_len(st->ch_buf, st->ch_len, &trunc_len) ||
        !th_tls13_early_secret(&early, md, ep->ticket.psk.bytes, ep->ticket.psk.len) ||
        !th_tls13_derive_secret(&binder_key, md, &early, TH_TLS13_RES_BINDER, NULL, 0)) {
        failf(why, why_len, "cannot compute the PSK binder");
        goto err;
    }
    if (ep->transcript_ready) {
        /* After a HelloRetryRequest the binder covers message_hash(CH1) and
         * the HRR too (RFC 8446 §4.2.11.2). */
        if (!th_transcript_copy(&t, &ep->transcript) ||
            !th_transcript_update(&t, st->ch_buf, trunc_len) ||
            !th_transcript_hash(&t, hash, &hash_len)) {
            failf(why, why_len, "cannot hash the truncated ClientHello");
            goto err;
        }
    } else {
        if (!EVP_Digest(st->ch_buf, trunc_len, hash, &md_len, md, NULL)) {
            failf(why, why_len, "cannot hash the truncated ClientHello");
            goto err;
        }
        hash_len = md_len;
    }
    *local = 0;
    const th_bytes *binder = &psk.binders[index];
    /* RFC 8446 §4.2.11: "If this value does not validate, the server MUST
     * abort the handshake", with decrypt_error as for Finished. */
    if (!th_tls13_finished_check(md, &binder_key, hash, hash_len, binder->data, binder->len,
                                 &alert)) {
        failf(why, why_len,
              "the client's PSK binder of identity %zu does not verify (RFC 8446 §4.2.11: "
              "%s)",
              index, alert_name(alert));
        goto err;
    }
    st->psk_ok = 1;
    st->psk_index = index;
    /* RFC 8446 §4.2.9: psk_dhe_ke when offered, else psk_ke. */
    st->psk_dhe = (st->client_psk_modes >> TH_PSK_MODE_DHE_KE) & 1;
    ep->early_secret = early;
    ok = 1;
err:
    th_transcript_cleanup(&t);
    th_secret_cleanse(&binder_key);
    if (!ok) {
        th_secret_cleanse(&early);
    }
    th_ext_pre_shared_key_ch_cleanup(&psk);
    return ok;
}

/* The checks of a second ClientHello against our HelloRetryRequest (RFC 8446
 * §4.1.2, §4.2.2, §4.2.8, §4.2.10). */
static int check_ch2(const th_ep *ep, const sv_state *st, char *why, size_t why_len) {
    const th_client_hello *ch = &st->ch;
    uint8_t alert;
    if (ch->legacy_session_id.len != ep->session_id_len ||
        memcmp(ch->legacy_session_id.data, ep->session_id, ep->session_id_len) != 0) {
        return failf(why, why_len,
                     "ClientHello2 changed legacy_session_id (RFC 8446 §4.1.2: the client "
                     "sends the same ClientHello; illegal_parameter)");
    }
    if (st->hrr_cookie != NULL) {
        const th_ext *ext = th_ext_block_find(&ch->extensions, TH_EXT_COOKIE);
        if (ext == NULL) {
            return failf(why, why_len,
                         "ClientHello2 lacks the HelloRetryRequest's cookie (RFC 8446 §4.2.2: "
                         "the client MUST copy the contents of the extension; "
                         "missing_extension)");
        }
        th_ext_cookie ck;
        CBS body = th_ext_body(ext);
        if (!th_parse_ext_cookie(&body, &ck, &alert) || ck.cookie.len != st->hrr_cookie_len ||
            memcmp(ck.cookie.data, st->hrr_cookie, st->hrr_cookie_len) != 0) {
            return failf(why, why_len,
                         "ClientHello2's cookie differs from the HelloRetryRequest's (RFC 8446 "
                         "§4.2.2; illegal_parameter)");
        }
    }
    if (th_ext_block_find(&ch->extensions, TH_EXT_EARLY_DATA) != NULL) {
        return failf(why, why_len,
                     "ClientHello2 carries early_data (RFC 8446 §4.2.10: \"A client MUST NOT "
                     "include the early_data extension in its followup ClientHello\"; "
                     "illegal_parameter)");
    }
    if (!in_list(ch->cipher_suites, ch->num_cipher_suites, st->hrr_suite)) {
        return failf(why, why_len,
                     "ClientHello2 no longer offers the HelloRetryRequest's suite %s (RFC 8446 "
                     "§4.1.2; illegal_parameter)",
                     th_cipher_suite_name(st->hrr_suite) ? th_cipher_suite_name(st->hrr_suite)
                                                         : "?");
    }
    const th_ext *ks_ext = th_ext_block_find(&ch->extensions, TH_EXT_KEY_SHARE);
    if (st->hrr_group != 0 && !st->psk_ok) {
        th_ext_key_share_ch ks;
        if (ks_ext == NULL) {
            return failf(why, why_len, "ClientHello2 lacks key_share (RFC 8446 §4.2.8)");
        }
        CBS body = th_ext_body(ks_ext);
        if (!th_parse_ext_key_share_ch(&body, &ks, &alert)) {
            return failf(why, why_len, "ClientHello2's key_share does not parse (%s)",
                         alert_name(alert));
        }
        int ok = ks.num_shares == 1 && ks.shares[0].group == st->hrr_group;
        th_ext_key_share_ch_cleanup(&ks);
        if (!ok) {
            /* RFC 8446 §4.1.2: the client MUST replace "the "key_share"
             * extension with one containing only a new KeyShareEntry for the
             * group indicated in the selected_group field". */
            return failf(why, why_len,
                         "ClientHello2's key_share is not exactly one share of the selected "
                         "group %s (RFC 8446 §4.1.2, §4.2.8; illegal_parameter)",
                         th_group_name(st->hrr_group) ? th_group_name(st->hrr_group) : "?");
        }
    }
    return 1;
}

/* The first of our ALPN names the client offers (RFC 7301 §3.2). */
static int choose_alpn(const th_ep *ep, sv_state *st, char *why, size_t why_len) {
    const th_ext *ext = th_ext_block_find(&st->ch.extensions, TH_EXT_ALPN);
    st->have_alpn = 0;
    if (ext == NULL || ep->cfg->num_alpn == 0) {
        return 1;
    }
    th_ext_alpn_ch alpn;
    uint8_t alert;
    CBS body = th_ext_body(ext);
    if (!th_parse_ext_alpn_ch(&body, &alpn, &alert)) {
        return failf(why, why_len, "the client's ALPN does not parse (%s)", alert_name(alert));
    }
    for (size_t i = 0; i < ep->cfg->num_alpn && !st->have_alpn; i++) {
        size_t len = strlen(ep->cfg->alpn[i]);
        for (size_t j = 0; j < alpn.num_protocols && !st->have_alpn; j++) {
            if (alpn.protocols[j].len == len && len < sizeof(st->alpn) &&
                memcmp(alpn.protocols[j].data, ep->cfg->alpn[i], len) == 0) {
                memcpy(st->alpn, ep->cfg->alpn[i], len);
                st->alpn[len] = '\0';
                st->have_alpn = 1;
            }
        }
    }
    th_ext_alpn_ch_cleanup(&alpn);
    if (!st->have_alpn) {
        /* RFC 7301 §3.2: no overlap is a fatal no_application_protocol. */
        return failf(why, why_len,
                     "the client offers none of our ALPN protocols (RFC 7301 §3.2: "
                     "no_application_protocol)");
    }
    return 1;
}

/* RFC 8446 §4.2.10: 0-RTT is accepted only with the first identity of a
 * PSK whose suite is the handshake's, and not after an HRR. (The ticket's
 * ALPN is not kept across connections, so that check is left out.) A
 * rejected offer makes the core skip the early records that do not open. */
static void decide_early_data(th_ep *ep, sv_state *st) {
    st->early_accept = st->early_offered && st->num_ch == 1 && !st->need_hrr && st->psk_ok &&
                       st->psk_index == 0 && ep->cfg->max_early_data != 0 &&
                       ep->ticket.max_early_data != 0 && ep->ticket.suite == st->suite;
    if (st->early_offered && !st->early_accept) {
        reject_early_data(ep);
    }
}

static int recv_client_hello(th_ep *ep, sv_state *st, const th_ep_event *ev, int *local, char *why,
                             size_t why_len) {
    uint8_t alert;
    int second = st->num_ch > 0;
    if (second && (!did(ep, st, TH_SC_MSG_HELLO_RETRY_REQUEST) || st->num_ch > 1 ||
                   did(ep, st, TH_SC_MSG_SERVER_HELLO))) {
        return failf(why, why_len,
                     "a ClientHello that does not answer a HelloRetryRequest (RFC 8446 §4.1.2, "
                     "§4: unexpected_message)");
    }
    th_client_hello_cleanup(&st->ch);
    st->have_ch = 0;
    if (!dup_bytes(&st->ch_buf, &st->ch_len, ev->bytes, ev->len)) {
        *local = 1;
        return failf(why, why_len, "out of memory");
    }
    CBS cbs;
    th_handshake hs;
    CBS_init(&cbs, st->ch_buf, st->ch_len);
    if (!th_parse_handshake(&cbs, &hs, &alert)) {
        return failf(why, why_len, "ClientHello framing is broken (%s)", alert_name(alert));
    }
    CBS_init(&cbs, hs.body.data, hs.body.len);
    if (!th_parse_client_hello(&cbs, &st->ch, &alert)) {
        return failf(why, why_len, "ClientHello does not parse (%s)", alert_name(alert));
    }
    st->have_ch = 1;
    st->num_ch++;
    th_client_hello *ch = &st->ch;
    /* RFC 8446 §4.2.1: a TLS 1.3 server negotiates with supported_versions;
     * we script TLS 1.3 only. */
    if (!th_client_hello_offers_tls13(ch)) {
        return failf(why, why_len,
                     "the ClientHello does not offer TLS 1.3 in supported_versions (RFC 8446 "
                     "§4.2.1: protocol_version)");
    }
    if (!th_client_hello_check_tls13(ch, &alert)) {
        return failf(why, why_len,
                     "the ClientHello breaks a TLS 1.3 rule (RFC 8446 §4.1.2, §9.2: %s)",
                     alert_name(alert));
    }
    if (second && !check_ch2(ep, st, why, why_len)) {
        return 0;
    }
    /* Suite: ours in preference order (after HRR, the HRR's: §4.1.4). */
    size_t num_suites, num_groups;
    const uint16_t *suites = our_suites(ep, &num_suites);
    const uint16_t *groups = our_groups(ep, &num_groups);
    uint16_t suite = 0;
    if (second) {
        suite = st->hrr_suite;
    }
    for (size_t i = 0; i < num_suites && suite == 0; i++) {
        if (in_list(ch->cipher_suites, ch->num_cipher_suites, suites[i]) &&
            th_suite_hash(suites[i]) != NULL) {
            suite = suites[i];
        }
    }
    if (suite == 0 || th_suite_hash(suite) == NULL) {
        return failf(why, why_len,
                     "the client offers none of our TLS 1.3 cipher suites (RFC 8446 §4.1.1: "
                     "handshake_failure)");
    }
    st->suite = suite;
    if (!second) {
        memcpy(ep->client_random, ch->random, sizeof(ep->client_random));
        memcpy(ep->session_id, ch->legacy_session_id.data, ch->legacy_session_id.len);
        ep->session_id_len = ch->legacy_session_id.len;
    }
    if (!judge_psk(ep, st, suite, local, why, why_len)) {
        return 0;
    }
    int psk_ke = st->psk_ok && !st->psk_dhe;
    uint16_t group = 0;
    int have_share = 0;
    if (!psk_ke) {
        const th_ext *sg_ext = th_ext_block_find(&ch->extensions, TH_EXT_SUPPORTED_GROUPS);
        const th_ext *ks_ext = th_ext_block_find(&ch->extensions, TH_EXT_KEY_SHARE);
        th_ext_supported_groups sg;
        th_ext_key_share_ch ks;
        if (sg_ext == NULL || ks_ext == NULL) {
            return failf(why, why_len,
                         "the ClientHello lacks supported_groups or key_share (RFC 8446 §9.2: "
                         "missing_extension)");
        }
        CBS body = th_ext_body(sg_ext);
        if (!th_parse_ext_supported_groups(&body, &sg, &alert)) {
            return failf(why, why_len, "supported_groups does not parse (%s)", alert_name(alert));
        }
        body = th_ext_body(ks_ext);
        if (!th_parse_ext_key_share_ch(&body, &ks, &alert)) {
            th_ext_supported_groups_cleanup(&sg);
            return failf(why, why_len, "key_share does not parse (%s)", alert_name(alert));
        }
        int bad_share = 0;
        for (size_t i = 0; i < ks.num_shares; i++) {
            bad_share |= !in_list(sg.groups, sg.num_groups, ks.shares[i].group);
        }
        if (second) {
            group = st->hrr_group;
        }
        for (size_t i = 0; i < num_groups && group == 0; i++) {
            if (th_kex_group_supported(groups[i]) && in_list(sg.groups, sg.num_groups, groups[i])) {
                group = groups[i];
            }
        }
        have_share = group != 0 && th_ext_key_share_ch_find(&ks, group) != NULL;
        th_ext_supported_groups_cleanup(&sg);
        th_ext_key_share_ch_cleanup(&ks);
        if (bad_share) {
            /* RFC 8446 §4.2.8: "Clients MUST NOT offer any KeyShareEntry
             * values for groups not listed in the client's
             * "supported_groups" extension." */
            return failf(why, why_len,
                         "the client sent a key share for a group it does not list in "
                         "supported_groups (RFC 8446 §4.2.8: illegal_parameter)");
        }
        if (group == 0) {
            return failf(why, why_len,
                         "the client supports none of our groups (RFC 8446 §4.2.7: "
                         "handshake_failure)");
        }
    }
    st->group = group;
    st->need_hrr = !second && !psk_ke && !have_share;
    /* Certificate and scheme, unless a PSK authenticates (RFC 8446 §4.4.2). */
    if (!st->psk_ok) {
        th_ext_signature_algorithms sa;
        if (!client_sig_algs(st, &sa)) {
            return failf(why, why_len,
                         "the ClientHello lacks signature_algorithms (RFC 8446 §9.2: "
                         "missing_extension)");
        }
        char err[256];
        if (!load_our_cert(ep, err, sizeof(err))) {
            th_ext_signature_algorithms_cleanup(&sa);
            *local = 1;
            return failf(why, why_len, "%s", err);
        }
        st->scheme = scheme_for(ep, ep->cert.key, sa.sig_algs, sa.num_sig_algs);
        th_ext_signature_algorithms_cleanup(&sa);
        if (st->scheme == 0) {
            return failf(why, why_len,
                         "the client lists no signature scheme our certificate can make (RFC "
                         "8446 §4.4.3: handshake_failure)");
        }
    }
    if (!second && !choose_alpn(ep, st, why, why_len)) {
        return 0;
    }
    const th_ext *rsl_ext = th_ext_block_find(&ch->extensions, TH_EXT_RECORD_SIZE_LIMIT);
    st->client_rsl = 0;
    if (rsl_ext != NULL) {
        th_ext_record_size_limit rsl;
        CBS body = th_ext_body(rsl_ext);
        if (!th_parse_ext_record_size_limit(&body, &rsl, &alert)) {
            return failf(why, why_len, "record_size_limit does not parse (%s)", alert_name(alert));
        }
        st->client_rsl = rsl.limit;
        /* RFC 8449 §4: our records toward the client honour its limit. */
        ep->peer_record_size_limit = rsl.limit;
    }
    st->pha_offered = th_ext_block_find(&ch->extensions, TH_EXT_POST_HANDSHAKE_AUTH) != NULL;
    if (!second) {
        st->early_offered = th_ext_block_find(&ch->extensions, TH_EXT_EARLY_DATA) != NULL;
        ep->early_offered = st->early_offered;
    }
    decide_early_data(ep, st);
    /* The transcript: ClientHello1 starts it with the suite's hash. */
    *local = 1;
    if (!ep_transcript_add(ep, st->ch_buf, st->ch_len) ||
        (!second && !ep_transcript_start(ep, suite))) {
        return failf(why, why_len, "cannot add the ClientHello to the transcript");
    }
    ep->neg.version = TH_VERSION_TLS13;
    ep->neg.cipher_suite = suite;
    if (st->early_accept) {
        /* RFC 8446 §7.1: client_early_traffic_secret over the ClientHello;
         * the early data is read under it until EndOfEarlyData (§4.5). */
        if (!ep_derive(ep, &ep->c_e, &ep->early_secret, TH_TLS13_C_E_TRAFFIC) ||
            !ep_set_key(ep, &ep->rd, TH_SC_EPOCH_EARLY, suite, &ep->c_e)) {
            return failf(why, why_len, "cannot install client_early_traffic_secret");
        }
        ep_log(ep, "   server: 0-RTT accepted\n");
    } else if (st->early_offered) {
        ep_log(ep, "   server: 0-RTT offered and rejected\n");
    }
    *local = 0;
    if (st->need_hrr) {
        ep_log(ep, "   server: no client share for %s: HelloRetryRequest\n",
               th_group_name(group) ? th_group_name(group) : "?");
    }
    return 1;
}

/* ---- the client's second flight and post-handshake messages -------------- */

static int recv_end_of_early_data(th_ep *ep, sv_state *st, const th_ep_event *ev, int *local,
                                  char *why, size_t why_len) {
    if (!st->early_accept || !did(ep, st, TH_SC_MSG_SERVER_HELLO) || st->eoed_received) {
        /* RFC 8446 §4.5: sent only after accepted 0-RTT data. */
        return failf(why, why_len,
                     "EndOfEarlyData without accepted 0-RTT data (RFC 8446 §4.5: "
                     "unexpected_message)");
    }
    if (ev->len != 4) {
        return failf(why, why_len, "EndOfEarlyData is not empty (RFC 8446 §4.5: decode_error)");
    }
    *local = 1;
    if (!ep_transcript_add(ep, ev->bytes, ev->len) ||
        !ep_set_key(ep, &ep->rd, TH_SC_EPOCH_HANDSHAKE, 0, &ep->c_hs)) {
        return failf(why, why_len, "cannot switch to client_handshake_traffic_secret");
    }
    *local = 0;
    st->eoed_received = 1;
    return 1;
}

/* The client's Certificate (RFC 8446 §4.4.2), in the handshake or in answer
 * to a post-handshake CertificateRequest. */
static int recv_certificate(th_ep *ep, sv_state *st, const th_ep_event *ev, int pha, int *local,
                            char *why, size_t why_len) {
    CBS cbs;
    th_handshake hs;
    th_certificate cert;
    uint8_t alert;
    char reason[256];
    int ok = 0;
    CBS_init(&cbs, ev->bytes, ev->len);
    if (!th_parse_handshake(&cbs, &hs, &alert)) {
        return failf(why, why_len, "Certificate framing is broken (%s)", alert_name(alert));
    }
    CBS_init(&cbs, hs.body.data, hs.body.len);
    if (!th_parse_certificate(&cbs, &cert, &alert)) {
        return failf(why, why_len, "the client's Certificate does not parse (%s)",
                     alert_name(alert));
    }
    th_bytes *ders = NULL;
    /* RFC 8446 §4.4.2: in answer to a CertificateRequest the context echoes
     * the request's. */
    if (cert.certificate_request_context.len != st->cr_context_len ||
        memcmp(cert.certificate_request_context.data, st->cr_context, st->cr_context_len) != 0) {
        failf(why, why_len,
              "the client's certificate_request_context does not echo the "
              "CertificateRequest's (RFC 8446 §4.4.2: illegal_parameter)");
        goto err;
    }
    for (size_t i = 0; i < cert.num_entries; i++) {
        if (cert.entries[i].extensions.num_exts != 0) {
            /* RFC 8446 §4.4.2: extensions of a client Certificate must answer
             * the CertificateRequest's, and ours asks for none. */
            failf(why, why_len,
                  "the client's CertificateEntry has extensions our CertificateRequest did not "
                  "ask for (RFC 8446 §4.4.2: unsupported_extension)");
            goto err;
        }
    }
    if (!ep_transcript_add(ep, ev->bytes, ev->len)) {
        *local = 1;
        failf(why, why_len, "cannot add Certificate to the transcript");
        goto err;
    }
    int empty = cert.num_entries == 0;
    if (empty && ep->cfg->client_auth == 2) {
        /* RFC 8446 §4.4.2.4: a server requiring a certificate aborts with
         * certificate_required. */
        failf(why, why_len,
              "the client sent an empty Certificate though one is required (RFC 8446 §4.4.2.4: "
              "%s)",
              alert_name(th_alert_empty_client_chain(TH_VERSION_TLS13)));
        goto err;
    }
    if (!empty) {
        char err[256];
        X509_STORE *trust = ep_trust(ep, err, sizeof(err));
        if (trust == NULL) {
            *local = 1;
            failf(why, why_len, "%s", err);
            goto err;
        }
        ders = calloc(cert.num_entries, sizeof(*ders));
        if (ders == NULL) {
            *local = 1;
            failf(why, why_len, "out of memory");
            goto err;
        }
        for (size_t i = 0; i < cert.num_entries; i++) {
            ders[i] = cert.entries[i].cert_data;
        }
        if (!th_verify_chain(trust, ders, cert.num_entries, NULL, 0, time(NULL), &alert, reason,
                             sizeof(reason))) {
            failf(why, why_len, "the client's certificate chain does not verify: %s (%s)", reason,
                  alert_name(alert));
            goto err;
        }
        EVP_PKEY_free(ep->peer_key);
        ep->peer_key = NULL;
        if (!th_leaf_public_key(ders[0], &ep->peer_key, &alert, reason, sizeof(reason))) {
            failf(why, why_len, "the client's leaf key is unusable: %s (%s)", reason,
                  alert_name(alert));
            goto err;
        }
    }
    ep->peer_cert_empty = empty;
    if (pha) {
        st->pha_cert_received = 1;
        st->pha_cert_empty = empty;
    } else {
        st->ccert_received = 1;
        st->ccert_empty = empty;
    }
    ok = 1;
err:
    free(ders);
    th_certificate_cleanup(&cert);
    return ok;
}

/* The client's CertificateVerify (RFC 8446 §4.4.3). */
static int recv_certificate_verify(th_ep *ep, sv_state *st, const th_ep_event *ev, int pha,
                                   int *local, char *why, size_t why_len) {
    CBS cbs;
    th_handshake hs;
    th_certificate_verify cv;
    uint8_t alert, hash[EVP_MAX_MD_SIZE];
    size_t hash_len;
    CBS_init(&cbs, ev->bytes, ev->len);
    if (!th_parse_handshake(&cbs, &hs, &alert)) {
        return failf(why, why_len, "CertificateVerify framing is broken (%s)", alert_name(alert));
    }
    CBS_init(&cbs, hs.body.data, hs.body.len);
    if (!th_parse_certificate_verify(&cbs, &cv, &alert)) {
        return failf(why, why_len, "the client's CertificateVerify does not parse (%s)",
                     alert_name(alert));
    }
    const char *name = th_sig_scheme_name(cv.algorithm);
    /* RFC 8446 §4.4.3: "the signature algorithm MUST be one offered in the
     * ... "signature_algorithms" extension" of our CertificateRequest. */
    if (!in_list(st->cr_sig_algs, st->num_cr_sig_algs, cv.algorithm)) {
        return failf(why, why_len,
                     "the client signed with %s, which our CertificateRequest did not offer "
                     "(RFC 8446 §4.4.3: illegal_parameter)",
                     name ? name : "?");
    }
    if (ep->peer_key == NULL || !ep_transcript_hash(ep, hash, &hash_len)) {
        *local = 1;
        return failf(why, why_len, "no client key or transcript for CertificateVerify");
    }
    if (!th_tls13_cv_verify(ep->peer_key, cv.algorithm, TH_CV_CLIENT, hash, hash_len,
                            cv.signature.data, cv.signature.len, &alert)) {
        return failf(why, why_len,
                     "the client's CertificateVerify (%s) does not verify (RFC 8446 §4.4.3: %s)",
                     name ? name : "?", alert_name(alert));
    }
    if (!ep_transcript_add(ep, ev->bytes, ev->len)) {
        *local = 1;
        return failf(why, why_len, "cannot add CertificateVerify to the transcript");
    }
    if (pha) {
        st->pha_cv_received = 1;
    } else {
        st->ccv_received = 1;
    }
    return 1;
}

/* Checks a Finished against |base_key| over the transcript (RFC 8446
 * §4.4.4) and adds it. */
static int check_finished(th_ep *ep, const th_ep_event *ev, const th_secret *base_key, int *local,
                          char *why, size_t why_len) {
    CBS cbs;
    th_handshake hs;
    th_finished fin;
    uint8_t alert, hash[EVP_MAX_MD_SIZE];
    size_t hash_len;
    CBS_init(&cbs, ev->bytes, ev->len);
    if (!th_parse_handshake(&cbs, &hs, &alert)) {
        return failf(why, why_len, "Finished framing is broken (%s)", alert_name(alert));
    }
    CBS_init(&cbs, hs.body.data, hs.body.len);
    if (!th_parse_finished(&cbs, &fin, &alert)) {
        return failf(why, why_len, "the client's Finished does not parse (%s)", alert_name(alert));
    }
    if (ep->md == NULL || !ep_transcript_hash(ep, hash, &hash_len)) {
        *local = 1;
        return failf(why, why_len, "no transcript for Finished");
    }
    /* RFC 8446 §4.4.4: "Recipients of Finished messages MUST verify that the
     * contents are correct and if incorrect MUST terminate the connection
     * with a "decrypt_error" alert." */
    if (!th_tls13_finished_check(ep->md, base_key, hash, hash_len, fin.verify_data.data,
                                 fin.verify_data.len, &alert)) {
        return failf(why, why_len,
                     "the client's Finished verify_data is wrong (RFC 8446 §4.4.4: %s)",
                     alert_name(alert));
    }
    if (!ep_transcript_add(ep, ev->bytes, ev->len)) {
        *local = 1;
        return failf(why, why_len, "cannot add Finished to the transcript");
    }
    return 1;
}

static int recv_finished(th_ep *ep, sv_state *st, const th_ep_event *ev, int *local, char *why,
                         size_t why_len) {
    if (!check_finished(ep, ev, &ep->c_hs, local, why, why_len)) {
        return 0;
    }
    *local = 1;
    if (!ep_derive_res_master(ep) ||
        !ep_set_key(ep, &ep->rd, TH_SC_EPOCH_APPLICATION, 0, &ep->c_ap) ||
        (st->read_rsl != 0 && !th_rl_dir_set_record_size_limit(&ep->rd.app, st->read_rsl))) {
        return failf(why, why_len, "cannot derive the client's application keys");
    }
    if (st->pha_offered) {
        /* RFC 8446 §4.4: post-handshake, the Handshake Context is the
         * transcript through the client Finished plus the CertificateRequest. */
        if (!th_transcript_copy(&st->pha_base, &ep->transcript)) {
            return failf(why, why_len, "cannot keep the transcript for post-handshake auth");
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
    int ok = check_finished(ep, ev, &base, local, why, why_len);
    th_secret_cleanse(&base);
    if (ok) {
        st->pha_pending = 0;
    }
    return ok;
}

static int recv_key_update(th_ep *ep, sv_state *st, const th_ep_event *ev, int *local, char *why,
                           size_t why_len) {
    CBS cbs;
    th_handshake hs;
    th_key_update ku;
    uint8_t alert;
    CBS_init(&cbs, ev->bytes, ev->len);
    if (!th_parse_handshake(&cbs, &hs, &alert)) {
        return failf(why, why_len, "KeyUpdate framing is broken (%s)", alert_name(alert));
    }
    CBS_init(&cbs, hs.body.data, hs.body.len);
    if (!th_parse_key_update(&cbs, &ku, &alert)) {
        return failf(why, why_len, "the client's KeyUpdate does not parse (RFC 8446 §4.6.3: %s)",
                     alert_name(alert));
    }
    /* RFC 8446 §4.6.3: the sender's next records use the next key; the old
     * one stays for the core's trial decryption of a late alert. */
    th_rl_dir_cleanup(&ep->rd.app_prev);
    if (!th_rl_dir_set_key(&ep->rd.app_prev, ep->rd.app.suite, &ep->rd.app.traffic_secret)) {
        *local = 1;
        return failf(why, why_len, "cannot keep the previous read key");
    }
    th_rl_dir_set_seq(&ep->rd.app_prev, ep->rd.app.seq);
    if (!th_rl_dir_update(&ep->rd.app)) {
        *local = 1;
        return failf(why, why_len, "cannot update our read key");
    }
    if (ku.request_update == TH_KEY_UPDATE_REQUESTED) {
        ep->key_update_due = 1;
    }
    st->ku_expected = 0;
    return 1;
}

static int sv_recv(th_ep *ep, const th_ep_event *ev, int *out_local_error, char *why,
                   size_t why_len) {
    sv_state *st = ep->role_state;
    *out_local_error = 0;
    if (ev->kind != TH_EP_EV_MESSAGE || ev->bytes == NULL || ev->len < 4) {
        return failf(why, why_len, "not a handshake message");
    }
    const char *name = ep_msg_name(ev->msg);
    int fin_sent = st->sent[TH_SC_MSG_FINISHED];
    switch (ev->hs_type) {
    case TH_HS_CLIENT_HELLO:
        if (!st->established) {
            return recv_client_hello(ep, st, ev, out_local_error, why, why_len);
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
    return failf(why, why_len,
                 "the client sent %s where a server does not accept it (RFC 8446 §4: "
                 "unexpected_message)",
                 name != NULL && strcmp(name, "?") != 0 ? name : "an unknown handshake message");
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
    ext_builder eb;
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
    if (!eb_put_u16(&eb, TH_EXT_SUPPORTED_VERSIONS, version)) {
        goto err;
    }
    if (hrr) {
        uint16_t group = st->group;
        if (set_int(step, TH_SC_F_HRR_SELECTED_GROUP, &v)) {
            group = (uint16_t)v;
        }
        if (!eb_put_u16(&eb, TH_EXT_KEY_SHARE, group)) {
            goto err;
        }
        const th_sc_value *cookie = set_value(step, TH_SC_F_HRR_COOKIE, TH_SC_VAL_BYTES);
        if (cookie != NULL) {
            CBB cbb;
            CBB c;
            if (!CBB_init(&cbb, cookie->bytes_len + 2) || !CBB_add_u16_length_prefixed(&cbb, &c) ||
                !CBB_add_bytes(&c, cookie->bytes, cookie->bytes_len) ||
                !eb_put(&eb, TH_EXT_COOKIE, &cbb)) {
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
                !eb_put(&eb, TH_EXT_COOKIE, &cbb)) {
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
                    failf(err, err_len, "cannot generate a %s key share",
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
                !eb_put(&eb, TH_EXT_KEY_SHARE, &cbb)) {
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
        if (with_psk && !eb_put_u16(&eb, TH_EXT_PRE_SHARED_KEY, identity)) {
            goto err;
        }
    }
    if (!eb_apply_ops(&eb, step, err, err_len)) {
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
            failf(err, err_len, "cannot rewrite the transcript for the HelloRetryRequest");
            goto err;
        }
    }
    ok = 1;
err:
    if (!ok && err != NULL && err[0] == '\0') {
        failf(err, err_len, "cannot write the %s", hrr ? "HelloRetryRequest" : "ServerHello");
    }
    eb_cleanup(&eb);
    return ok;
}

/* EncryptedExtensions (RFC 8446 §4.3.1): ALPN, record_size_limit (RFC 8449
 * §4: answered only when the client sent one), early_data when accepted. */
static int build_encrypted_extensions(th_ep *ep, sv_state *st, const th_sc_send *step, CBB *out,
                                      char *err, size_t err_len) {
    th_encrypted_extensions ee;
    ext_builder eb;
    uint64_t v;
    int ok = 0;
    memset(&eb, 0, sizeof(eb));
    const th_sc_value *alpn = set_value(step, TH_SC_F_EE_ALPN, TH_SC_VAL_STRING);
    if ((alpn != NULL || st->have_alpn) && !eb_put_alpn(&eb, alpn != NULL ? alpn->str : st->alpn)) {
        goto err;
    }
    uint16_t ours = ep->cfg->record_size_limit != 0 ? ep->cfg->record_size_limit : RSL_MAX;
    int with_rsl = st->client_rsl != 0;
    if (set_int(step, TH_SC_F_EE_RECORD_SIZE_LIMIT, &v)) {
        ours = (uint16_t)v;
        with_rsl = 1;
    }
    if (with_rsl && !eb_put_u16(&eb, TH_EXT_RECORD_SIZE_LIMIT, ours)) {
        goto err;
    }
    if (st->early_accept && !eb_put_bytes(&eb, TH_EXT_EARLY_DATA, NULL, 0)) {
        goto err;
    }
    if (!eb_apply_ops(&eb, step, err, err_len)) {
        goto err;
    }
    ee.extensions = eb.block;
    WRITE_MSG(out, TH_HS_ENCRYPTED_EXTENSIONS, th_write_encrypted_extensions, &ee);
    ok = 1;
err:
    if (!ok && err != NULL && err[0] == '\0') {
        failf(err, err_len, "cannot write the EncryptedExtensions");
    }
    eb_cleanup(&eb);
    return ok;
}

/* CertificateRequest (RFC 8446 §4.3.2): an empty context in the handshake, a
 * fresh one after it (§4.6.2), and our signature schemes. */
static int build_certificate_request(th_ep *ep, sv_state *st, const th_sc_send *step, CBB *out,
                                     char *err, size_t err_len) {
    th_certificate_request cr;
    ext_builder eb;
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
            failf(err, err_len, "cannot restore the handshake transcript");
            goto err;
        }
    }
    const th_sc_value *ctx = set_value(step, TH_SC_F_CR_CONTEXT, TH_SC_VAL_BYTES);
    if (ctx != NULL) {
        cr.certificate_request_context.data = ctx->bytes;
        cr.certificate_request_context.len = ctx->bytes_len;
    }
    size_t n;
    const uint16_t *schemes = our_schemes(ep, &n);
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
    int put = eb_put_u16_list(&eb, TH_EXT_SIGNATURE_ALGORITHMS, schemes, n);
    free(list);
    if (!put || !eb_apply_ops(&eb, step, err, err_len)) {
        goto err;
    }
    cr.extensions = eb.block;
    WRITE_MSG(out, TH_HS_CERTIFICATE_REQUEST, th_write_certificate_request, &cr);
    ok = 1;
err:
    if (!ok && err != NULL && err[0] == '\0') {
        failf(err, err_len, "cannot write the CertificateRequest");
    }
    eb_cleanup(&eb);
    return ok;
}

/* Certificate (RFC 8446 §4.4.2): our chain, or the step's `chain:`. The
 * message has no extension block of its own: extension edits apply to the
 * leaf's CertificateEntry (e.g. an unsolicited status_request). */
static int build_certificate(th_ep *ep, sv_state *st, const th_sc_send *step, CBB *out, char *err,
                             size_t err_len) {
    th_certificate cert;
    ext_builder eb;
    int ok = 0;
    memset(&cert, 0, sizeof(cert));
    memset(&eb, 0, sizeof(eb));
    const th_sc_value *chain = set_value(step, TH_SC_F_CT_CHAIN, TH_SC_VAL_STRING);
    const th_cert_key *ck = NULL;
    if (chain != NULL && strcmp(chain->str, "empty") == 0) {
        ck = NULL;
    } else if (chain != NULL) {
        th_cert_key_cleanup(&st->alt_cert);
        if (!ep_load_cert(ep, chain->str, &st->alt_cert, err, err_len)) {
            return 0;
        }
        ck = &st->alt_cert;
    } else {
        if (!load_our_cert(ep, err, err_len)) {
            return 0;
        }
        ck = &ep->cert;
    }
    for (size_t i = 0; ck != NULL && i < ck->num_chain; i++) {
        if (!th_certificate_add_entry(&cert, ck->chain[i])) {
            failf(err, err_len, "out of memory");
            goto err;
        }
    }
    const th_sc_value *ctx = set_value(step, TH_SC_F_CT_CONTEXT, TH_SC_VAL_BYTES);
    if (ctx != NULL) {
        cert.certificate_request_context.data = ctx->bytes;
        cert.certificate_request_context.len = ctx->bytes_len;
    }
    if (step != NULL && step->num_ext_ops != 0) {
        if (cert.num_entries == 0) {
            failf(err, err_len, "extension edits need a certificate entry (the chain is empty)");
            goto err;
        }
        if (!eb_apply_ops(&eb, step, err, err_len)) {
            goto err;
        }
        /* Borrowed by the entry until written; the builder owns it. */
        cert.entries[0].extensions = eb.block;
    }
    WRITE_MSG(out, TH_HS_CERTIFICATE, th_write_certificate, &cert);
    if (ck != NULL) {
        st->used_cert = ck;
    }
    ok = 1;
err:
    if (!ok && err != NULL && err[0] == '\0') {
        failf(err, err_len, "cannot write the Certificate");
    }
    if (cert.num_entries != 0) {
        memset(&cert.entries[0].extensions, 0, sizeof(cert.entries[0].extensions));
    }
    th_certificate_cleanup(&cert);
    eb_cleanup(&eb);
    return ok;
}

/* CertificateVerify (RFC 8446 §4.4.3) over the transcript so far, signed with
 * the key of the chain we sent; a `scheme:` is signed with as given (even
 * one TLS 1.3 forbids), `context: client` signs the client's context string. */
static int build_certificate_verify(th_ep *ep, sv_state *st, const th_sc_send *step, CBB *out,
                                    char *err, size_t err_len) {
    uint8_t hash[EVP_MAX_MD_SIZE];
    size_t hash_len;
    uint8_t *content = NULL, *sig = NULL;
    size_t content_len = 0, sig_len = 0;
    uint8_t fake[64];
    uint64_t v;
    int ok = 0;
    const th_cert_key *ck = st->used_cert;
    if (ck == NULL) {
        if (!load_our_cert(ep, err, err_len)) {
            return 0;
        }
        ck = &ep->cert;
    }
    uint16_t scheme = st->scheme;
    if (ck != &ep->cert || scheme == 0) {
        th_ext_signature_algorithms sa;
        if (client_sig_algs(st, &sa)) {
            uint16_t s = scheme_for(ep, ck->key, sa.sig_algs, sa.num_sig_algs);
            th_ext_signature_algorithms_cleanup(&sa);
            if (s != 0) {
                scheme = s;
            }
        }
    }
    if (set_int(step, TH_SC_F_CV_SCHEME, &v)) {
        scheme = (uint16_t)v;
    }
    th_cv_sender sender = TH_CV_SERVER;
    const th_sc_value *ctx = set_value(step, TH_SC_F_CV_CONTEXT, TH_SC_VAL_STRING);
    if (ctx != NULL && strcmp(ctx->str, "client") == 0) {
        sender = TH_CV_CLIENT;
    }
    CBB c;
    if (!ep->transcript_ready) {
        /* Sent before the transcript has a hash (a deviation): a zero
         * hash stands for it. */
        memset(hash, 0, 32);
        hash_len = 32;
    } else if (!ep_transcript_hash(ep, hash, &hash_len)) {
        return failf(err, err_len, "cannot hash the transcript");
    }
    if (!CBB_init(&c, TH_CV_CONTENT_MAX) || !th_tls13_cv_content(&c, sender, hash, hash_len) ||
        !CBB_finish(&c, &content, &content_len)) {
        CBB_cleanup(&c);
        failf(err, err_len, "cannot compute the CertificateVerify content");
        goto err;
    }
    th_certificate_verify cv = {scheme, {NULL, 0}};
    if (th_sig_sign(ck->key, scheme, content, content_len, &sig, &sig_len)) {
        cv.signature.data = sig;
        cv.signature.len = sig_len;
    } else {
        /* A scheme our key cannot make: random bytes in its place. */
        ep_random(ep, fake, sizeof(fake));
        cv.signature.data = fake;
        cv.signature.len = sizeof(fake);
    }
    const th_sc_value *given = set_value(step, TH_SC_F_CV_SIGNATURE, TH_SC_VAL_BYTES);
    if (given != NULL) {
        cv.signature.data = given->bytes;
        cv.signature.len = given->bytes_len;
    }
    uint8_t *flipped = NULL;
    if (step != NULL && step->flip.part == TH_SC_FLIP_SIGNATURE) {
        flipped = malloc(cv.signature.len ? cv.signature.len : 1);
        if (flipped == NULL) {
            goto err;
        }
        memcpy(flipped, cv.signature.data, cv.signature.len);
        if (!ep_flip_bit(flipped, cv.signature.len, step->flip.bit)) {
            free(flipped);
            failf(err, err_len, "flip bit %zu is outside the %zu-byte signature", step->flip.bit,
                  cv.signature.len);
            goto err;
        }
        cv.signature.data = flipped;
    }
    {
        CBB body;
        ok = CBB_add_u8(out, TH_HS_CERTIFICATE_VERIFY) && CBB_add_u24_length_prefixed(out, &body) &&
             th_write_certificate_verify(&body, &cv) && CBB_flush(out);
    }
    free(flipped);
err:
    if (!ok && err != NULL && err[0] == '\0') {
        failf(err, err_len, "cannot write the CertificateVerify");
    }
    OPENSSL_free(content);
    OPENSSL_free(sig);
    return ok;
}

/* Finished (RFC 8446 §4.4.4) with server_handshake_traffic_secret. Sent
 * before there is a key (a deviation), it carries Hash.length zero bytes. */
static int build_finished(th_ep *ep, const th_sc_send *step, CBB *out, char *err, size_t err_len) {
    th_secret mac;
    uint8_t *buf = NULL;
    int ok = 0;
    memset(&mac, 0, sizeof(mac));
    if (ep->md == NULL || ep->s_hs.len == 0) {
        mac.len = ep->md != NULL ? (size_t)EVP_MD_size(ep->md) : 32;
        ep_log(ep, "   server: Finished before handshake keys: zero verify_data\n");
    } else if (!ep_finished_mac(ep, &ep->s_hs, &mac)) {
        return failf(err, err_len, "cannot compute the Finished verify_data");
    }
    th_finished fin = {{mac.bytes, mac.len}};
    const th_sc_value *given = set_value(step, TH_SC_F_FIN_VERIFY_DATA, TH_SC_VAL_BYTES);
    if (given != NULL) {
        fin.verify_data.data = given->bytes;
        fin.verify_data.len = given->bytes_len;
    }
    if (step != NULL && step->flip.part == TH_SC_FLIP_VERIFY_DATA) {
        buf = malloc(fin.verify_data.len ? fin.verify_data.len : 1);
        if (buf == NULL) {
            goto err;
        }
        memcpy(buf, fin.verify_data.data, fin.verify_data.len);
        if (!ep_flip_bit(buf, fin.verify_data.len, step->flip.bit)) {
            failf(err, err_len, "flip bit %zu is outside the %zu-byte verify_data", step->flip.bit,
                  fin.verify_data.len);
            goto err;
        }
        fin.verify_data.data = buf;
    }
    WRITE_MSG(out, TH_HS_FINISHED, th_write_finished, &fin);
    ok = 1;
err:
    if (!ok && err != NULL && err[0] == '\0') {
        failf(err, err_len, "cannot write the Finished");
    }
    free(buf);
    th_secret_cleanse(&mac);
    return ok;
}

/* NewSessionTicket (RFC 8446 §4.6.1): our ticket is 32 random bytes naming
 * the PSK we keep in ep->ticket. */
static int build_new_session_ticket(th_ep *ep, sv_state *st, const th_sc_send *step, CBB *out,
                                    char *err, size_t err_len) {
    th_new_session_ticket nst;
    ext_builder eb;
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
            !eb_put(&eb, TH_EXT_EARLY_DATA, &cbb)) {
            CBB_cleanup(&cbb);
            goto err;
        }
    }
    if (!eb_apply_ops(&eb, step, err, err_len)) {
        goto err;
    }
    nst.extensions = eb.block;
    WRITE_MSG(out, TH_HS_NEW_SESSION_TICKET, th_write_new_session_ticket, &nst);
    ok = 1;
err:
    if (!ok && err != NULL && err[0] == '\0') {
        failf(err, err_len, "cannot write the NewSessionTicket");
    }
    eb_cleanup(&eb);
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
    return failf(err, err_len, "cannot write the KeyUpdate");
}

static int build_end_of_early_data(CBB *out, char *err, size_t err_len) {
    th_end_of_early_data eoed = {0};
    WRITE_MSG(out, TH_HS_END_OF_EARLY_DATA, th_write_end_of_early_data, &eoed);
    return 1;
err:
    return failf(err, err_len, "cannot write the EndOfEarlyData");
}

static int sv_build(th_ep *ep, th_sc_msg msg, const th_sc_send *step, CBB *out, char *err,
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
        return build_certificate(ep, st, step, out, err, err_len);
    case TH_SC_MSG_CERTIFICATE_VERIFY:
        return build_certificate_verify(ep, st, step, out, err, err_len);
    case TH_SC_MSG_FINISHED:
        return build_finished(ep, step, out, err, err_len);
    case TH_SC_MSG_NEW_SESSION_TICKET:
        return build_new_session_ticket(ep, st, step, out, err, err_len);
    case TH_SC_MSG_KEY_UPDATE:
        return build_key_update(step, out, err, err_len);
    case TH_SC_MSG_END_OF_EARLY_DATA:
        return build_end_of_early_data(out, err, err_len);
    default:
        return failf(err, err_len, "the server role does not send %s (TLS 1.3)", ep_msg_name(msg));
    }
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
            !dup_bytes(&st->hrr_cookie, &st->hrr_cookie_len, cookie.cookie.data,
                       cookie.cookie.len)) {
            th_server_hello_cleanup(&sh);
            return failf(err, err_len, "out of memory");
        }
        th_server_hello_cleanup(&sh);
    }
    ep->neg.hello_retry = 1;
    /* RFC 8446 §4.2.10: 0-RTT data is rejected after a HelloRetryRequest;
     * the PSK is judged again in the second ClientHello. */
    if (st->early_offered) {
        reject_early_data(ep);
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
            reject_early_data(ep);
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
        return failf(err, err_len, "cannot derive the handshake keys");
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
            return failf(err, err_len, "cannot set our record size limit");
        }
    }
    th_encrypted_extensions_cleanup(&ee);
    if (st->early_accept && !early) {
        /* We decided to accept but sent no early_data: the client takes its
         * 0-RTT data as rejected (RFC 8446 §4.2.10) and uses its handshake
         * key from now on. */
        st->early_accept = 0;
        ep->neg.early_data_accepted = 0;
        reject_early_data(ep);
        if (st->keys_ok && !ep_set_key(ep, &ep->rd, TH_SC_EPOCH_HANDSHAKE, 0, &ep->c_hs)) {
            return failf(err, err_len, "cannot install client_handshake_traffic_secret");
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
        return failf(err, err_len, "cannot derive the application keys");
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
        return failf(err, err_len, "cannot derive the ticket's PSK");
    }
    uint32_t max_early = 0;
    const th_ext *ed = th_ext_block_find(&nst.extensions, TH_EXT_EARLY_DATA);
    th_ext_early_data_nst edv;
    CBS b;
    if (ed != NULL && (b = th_ext_body(ed), th_parse_ext_early_data_nst(&b, &edv, &alert))) {
        max_early = edv.max_early_data_size;
    }
    if (!dup_bytes(&ep->ticket.ticket, &ep->ticket.ticket_len, nst.ticket.data, nst.ticket.len)) {
        th_secret_cleanse(&psk);
        th_new_session_ticket_cleanup(&nst);
        return failf(err, err_len, "out of memory");
    }
    ep->ticket.valid = 1;
    ep->ticket.suite = ep->neg.cipher_suite;
    ep->ticket.psk = psk;
    ep->ticket.age_add = nst.ticket_age_add;
    ep->ticket.lifetime = nst.ticket_lifetime;
    ep->ticket.max_early_data = max_early;
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
    if (ep->wr.cur_epoch == TH_SC_EPOCH_APPLICATION && !th_rl_dir_update(&ep->wr.app)) {
        return failf(err, err_len, "cannot update our write key");
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
    if (st->need_hrr && !did(ep, st, TH_SC_MSG_HELLO_RETRY_REQUEST)) {
        return plan(TH_EP_NEXT_SEND, TH_SC_MSG_HELLO_RETRY_REQUEST);
    }
    if (st->sent[TH_SC_MSG_HELLO_RETRY_REQUEST] && st->num_ch < 2) {
        return plan(TH_EP_NEXT_EXPECT, TH_SC_MSG_CLIENT_HELLO);
    }
    if (!did(ep, st, TH_SC_MSG_SERVER_HELLO)) {
        return plan(TH_EP_NEXT_SEND, TH_SC_MSG_SERVER_HELLO);
    }
    if (!did(ep, st, TH_SC_MSG_ENCRYPTED_EXTENSIONS)) {
        return plan(TH_EP_NEXT_SEND, TH_SC_MSG_ENCRYPTED_EXTENSIONS);
    }
    if (!st->psk_ok) {
        /* RFC 8446 §4.3.2, §4.4.2: not when a PSK authenticates. */
        if (ep->cfg->client_auth != 0 && !did(ep, st, TH_SC_MSG_CERTIFICATE_REQUEST)) {
            return plan(TH_EP_NEXT_SEND, TH_SC_MSG_CERTIFICATE_REQUEST);
        }
        if (!did(ep, st, TH_SC_MSG_CERTIFICATE)) {
            return plan(TH_EP_NEXT_SEND, TH_SC_MSG_CERTIFICATE);
        }
        if (!st->cert_sent_empty && !did(ep, st, TH_SC_MSG_CERTIFICATE_VERIFY)) {
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
    sv_start, sv_build, sv_sent, sv_recv, sv_next, sv_cleanup,
};
