/* What both roles of the scripted endpoint build and check the same way
 * (ep_internal.h): our configured lists with the engine's defaults, and the
 * authentication messages of RFC 8446 §4.4 (Certificate, CertificateVerify,
 * Finished), sent by either side and checked for either side; the role
 * passes only what differs (the context, the schemes the peer offered, the
 * Finished key, which certificate extensions the peer may send). Also what
 * the TLS 1.3 and TLS 1.2 clients share of a ClientHello (its start, the
 * `set:` fields both know, the whole message) and the small steps every
 * role repeats (the body of a received message, a codec rejection, a
 * `set:` of bytes, our certificate). */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/mem.h>

#include "certificate.h"
#include "certificate_verify.h"
#include "client_hello.h"
#include "ep_internal.h"
#include "ext_types.h"
#include "finished.h"
#include "key_update.h"
#include "names.h"
#include "sigs.h"

/* Our defaults when the config names none: the engine's (conn.c). */
static const uint16_t kDefaultSuites[] = {
    TH_TLS_AES_128_GCM_SHA256,
    TH_TLS_AES_256_GCM_SHA384,
    TH_TLS_CHACHA20_POLY1305_SHA256,
};
static const uint16_t kDefaultGroups[] = {TH_GROUP_X25519, TH_GROUP_SECP256R1, TH_GROUP_SECP384R1};
static const uint16_t kDefaultSchemes[] = {
    TH_SIG_ECDSA_SECP256R1_SHA256, TH_SIG_ECDSA_SECP384R1_SHA384, TH_SIG_RSA_PSS_RSAE_SHA256,
    TH_SIG_RSA_PSS_RSAE_SHA384,    TH_SIG_RSA_PSS_RSAE_SHA512,    TH_SIG_ED25519,
};

#define NUM(a) (sizeof(a) / sizeof((a)[0]))

const uint16_t *ep_our_suites(const th_ep *ep, size_t *out_num) {
    if (ep->cfg->num_cipher_suites == 0) {
        *out_num = NUM(kDefaultSuites);
        return kDefaultSuites;
    }
    *out_num = ep->cfg->num_cipher_suites;
    return ep->cfg->cipher_suites;
}

const uint16_t *ep_our_groups(const th_ep *ep, size_t *out_num) {
    if (ep->cfg->num_groups == 0) {
        *out_num = NUM(kDefaultGroups);
        return kDefaultGroups;
    }
    *out_num = ep->cfg->num_groups;
    return ep->cfg->groups;
}

const uint16_t *ep_our_schemes(const th_ep *ep, size_t *out_num) {
    if (ep->cfg->num_sig_schemes == 0) {
        *out_num = NUM(kDefaultSchemes);
        return kDefaultSchemes;
    }
    *out_num = ep->cfg->num_sig_schemes;
    return ep->cfg->sig_schemes;
}

void ep_set_bytes(const th_sc_send *step, th_sc_field field, th_bytes *out) {
    const th_sc_set *f = ep_find_set(step, field);
    if (f != NULL) {
        out->data = f->value.bytes;
        out->len = f->value.bytes_len;
    }
}

int ep_in_list(const uint16_t *list, size_t num, uint16_t v) {
    for (size_t i = 0; i < num; i++) {
        if (list[i] == v) {
            return 1;
        }
    }
    return 0;
}

uint16_t ep_scheme_for(const th_ep *ep, const EVP_PKEY *key, const uint16_t *peer,
                       size_t num_peer) {
    size_t n;
    const uint16_t *ours = ep_our_schemes(ep, &n);
    for (size_t i = 0; i < n; i++) {
        if (ep_in_list(peer, num_peer, ours[i]) &&
            th_sig_scheme_allowed(ours[i], key, TH_VERSION_TLS13)) {
            return ours[i];
        }
    }
    return 0;
}

int ep_failf(char *buf, size_t len, const char *fmt, ...) {
    if (buf != NULL && len > 0) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(buf, len, fmt, ap);
        va_end(ap);
    }
    return 0;
}

static const char *alert_name(uint8_t alert, char *buf, size_t len) {
    return th_name_or_hex(th_alert_name(alert), alert, buf, len);
}

/* "client" or "server": the peer's side, for texts. */
static const char *peer_side(const th_ep *ep) {
    return ep->role == TH_ROLE_CLIENT ? "server" : "client";
}

/* The whole message: |type|, a uint24 length, the body |write| makes. */
static int add_message(CBB *out, uint8_t type, CBB *body) {
    return CBB_add_u8(out, type) && CBB_add_u24_length_prefixed(out, body);
}

/* ---- extension blocks we build ---------------------------------------- */

void ep_eb_cleanup(ep_ext_builder *eb) {
    th_ext_block_cleanup(&eb->block);
    for (size_t i = 0; i < eb->num_bufs; i++) {
        OPENSSL_free(eb->bufs[i]);
    }
    free(eb->bufs);
    memset(eb, 0, sizeof(*eb));
}

int ep_eb_put(ep_ext_builder *eb, uint16_t type, CBB *cbb) {
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
    th_ext_block *b = &eb->block;
    for (size_t i = 0; i < b->num_exts; i++) {
        if (b->exts[i].type == type) {
            b->exts[i].body = body;
            return 1;
        }
    }
    size_t n = b->num_exts;
    if (eb->psk_last && n > 0 && b->exts[n - 1].type == TH_EXT_PRE_SHARED_KEY) {
        /* RFC 8446 §4.2.11: pre_shared_key stays the last extension. */
        th_ext psk = b->exts[n - 1];
        b->exts[n - 1].type = type;
        b->exts[n - 1].body = body;
        return th_ext_block_add(b, psk.type, psk.body);
    }
    return th_ext_block_add(b, type, body);
}

int ep_eb_put_bytes(ep_ext_builder *eb, uint16_t type, const uint8_t *data, size_t len) {
    CBB cbb;
    if (!CBB_init(&cbb, len + 1) || !CBB_add_bytes(&cbb, data, len) || !ep_eb_put(eb, type, &cbb)) {
        CBB_cleanup(&cbb);
        return 0;
    }
    return 1;
}

int ep_eb_put_u16(ep_ext_builder *eb, uint16_t type, uint16_t v) {
    uint8_t b[2] = {(uint8_t)(v >> 8), (uint8_t)v};
    return ep_eb_put_bytes(eb, type, b, sizeof(b));
}

int ep_eb_put_u16_list(ep_ext_builder *eb, uint16_t type, size_t prefix_len, const uint16_t *v,
                       size_t n) {
    CBB cbb;
    if (!CBB_init(&cbb, 2 + 2 * n) || !th_write_u16_list(&cbb, prefix_len, v, n) ||
        !ep_eb_put(eb, type, &cbb)) {
        CBB_cleanup(&cbb);
        return 0;
    }
    return 1;
}

int ep_eb_put_alpn(ep_ext_builder *eb, const char *const *names, size_t n) {
    CBB cbb, list, name;
    if (!CBB_init(&cbb, 64) || !CBB_add_u16_length_prefixed(&cbb, &list)) {
        CBB_cleanup(&cbb);
        return 0;
    }
    for (size_t i = 0; i < n; i++) {
        if (!CBB_add_u8_length_prefixed(&list, &name) ||
            !CBB_add_bytes(&name, (const uint8_t *)names[i], strlen(names[i]))) {
            CBB_cleanup(&cbb);
            return 0;
        }
    }
    if (!ep_eb_put(eb, TH_EXT_ALPN, &cbb)) {
        CBB_cleanup(&cbb);
        return 0;
    }
    return 1;
}

int ep_eb_apply_ops(ep_ext_builder *eb, const th_sc_send *step, char *err, size_t err_len) {
    if (step == NULL || step->num_ext_ops == 0) {
        return 1;
    }
    return ep_apply_ext_ops(&eb->block, step->ext_ops, step->num_ext_ops, err, err_len);
}

int ep_eb_put_sni(ep_ext_builder *eb, const char *host) {
    th_server_name name = {TH_SNI_HOST_NAME, {(const uint8_t *)host, strlen(host)}};
    th_ext_server_name_ch sni = {&name, 1};
    CBB c;
    if (!CBB_init(&c, 64) || !th_write_ext_server_name_ch(&c, &sni) ||
        !ep_eb_put(eb, TH_EXT_SERVER_NAME, &c)) {
        CBB_cleanup(&c);
        return 0;
    }
    return 1;
}

/* ---- the ClientHello both versions build ------------------------------ */

/* The uint16 list extension a `set:` field of a ClientHello replaces (its
 * type and length prefix), or 0 when |field| is not one. */
static uint16_t ch_list_ext(th_sc_field field, size_t *prefix_len) {
    *prefix_len = 2;
    switch (field) {
    case TH_SC_F_CH_SUPPORTED_VERSIONS:
        *prefix_len = 1;
        return TH_EXT_SUPPORTED_VERSIONS;
    case TH_SC_F_CH_SUPPORTED_GROUPS:
        return TH_EXT_SUPPORTED_GROUPS;
    case TH_SC_F_CH_SIGNATURE_ALGORITHMS:
        return TH_EXT_SIGNATURE_ALGORITHMS;
    default:
        return 0;
    }
}

int ep_ch_init(th_client_hello *ch, const uint8_t random[TH_RANDOM_LEN], const uint8_t *sid,
               size_t sid_len, const uint16_t *suites, size_t num_suites) {
    static const uint8_t kCompNull = 0;
    ch->legacy_version = TH_VERSION_TLS12;
    memcpy(ch->random, random, TH_RANDOM_LEN);
    ch->legacy_session_id.data = sid;
    ch->legacy_session_id.len = sid_len;
    for (size_t i = 0; i < num_suites; i++) {
        if (!th_client_hello_add_cipher_suite(ch, suites[i])) {
            return 0;
        }
    }
    ch->legacy_compression_methods.data = &kCompNull;
    ch->legacy_compression_methods.len = 1;
    ch->has_extensions = 1;
    return 1;
}

int ep_ch_apply_set(th_client_hello *ch, ep_ext_builder *eb, const th_sc_set *set, uint8_t **comp,
                    int *handled, char *err, size_t err_len) {
    const th_sc_value *v = &set->value;
    size_t prefix_len;
    uint16_t list_ext = ch_list_ext(set->field, &prefix_len);
    *handled = 1;
    if (list_ext != 0) {
        uint16_t *l = calloc(v->num + 1, sizeof(*l));
        if (l == NULL) {
            return ep_failf(err, err_len, "out of memory");
        }
        for (size_t j = 0; j < v->num; j++) {
            l[j] = (uint16_t)v->ints[j];
        }
        int ok = ep_eb_put_u16_list(eb, list_ext, prefix_len, l, v->num);
        free(l);
        return ok || ep_failf(err, err_len, "out of memory");
    }
    switch (set->field) {
    case TH_SC_F_CH_LEGACY_VERSION:
        ch->legacy_version = (uint16_t)v->i;
        return 1;
    case TH_SC_F_CH_RANDOM:
        if (v->bytes_len != TH_RANDOM_LEN) {
            return ep_failf(err, err_len, "random: %zu bytes, not 32", v->bytes_len);
        }
        memcpy(ch->random, v->bytes, TH_RANDOM_LEN);
        return 1;
    case TH_SC_F_CH_SESSION_ID:
        ch->legacy_session_id.data = v->bytes;
        ch->legacy_session_id.len = v->bytes_len;
        return 1;
    case TH_SC_F_CH_CIPHER_SUITES:
        free(ch->cipher_suites);
        ch->cipher_suites = NULL;
        ch->num_cipher_suites = 0;
        for (size_t j = 0; j < v->num; j++) {
            if (!th_client_hello_add_cipher_suite(ch, (uint16_t)v->ints[j])) {
                return ep_failf(err, err_len, "out of memory");
            }
        }
        return 1;
    case TH_SC_F_CH_COMPRESSION_METHODS:
        free(*comp);
        *comp = malloc(v->num + 1);
        if (*comp == NULL) {
            return ep_failf(err, err_len, "out of memory");
        }
        for (size_t j = 0; j < v->num; j++) {
            (*comp)[j] = (uint8_t)v->ints[j];
        }
        ch->legacy_compression_methods.data = *comp;
        ch->legacy_compression_methods.len = v->num;
        return 1;
    case TH_SC_F_CH_ALPN:
        return ep_eb_put_alpn(eb, (const char *const *)v->strs, v->num) ||
               ep_failf(err, err_len, "out of memory");
    case TH_SC_F_CH_SERVER_NAME:
        return ep_eb_put_sni(eb, v->str != NULL ? v->str : "") ||
               ep_failf(err, err_len, "out of memory");
    case TH_SC_F_CH_RECORD_SIZE_LIMIT:
        return ep_eb_put_u16(eb, TH_EXT_RECORD_SIZE_LIMIT, (uint16_t)v->i) ||
               ep_failf(err, err_len, "out of memory");
    default:
        *handled = 0;
        return 1;
    }
}

int ep_write_client_hello(const th_client_hello *ch, uint8_t **out_msg, size_t *out_len, char *err,
                          size_t err_len) {
    CBB full, body;
    if (!CBB_init(&full, 512) || !CBB_add_u8(&full, TH_HS_CLIENT_HELLO) ||
        !CBB_add_u24_length_prefixed(&full, &body) || !th_write_client_hello(&body, ch) ||
        !CBB_finish(&full, out_msg, out_len)) {
        CBB_cleanup(&full);
        return ep_failf(err, err_len, "the client_hello does not fit its length fields");
    }
    return 1;
}

/* ---- building --------------------------------------------------------- */

/* The step's flip of |part| applied to a copy of |*bytes| (owned in *buf,
 * |*bytes| pointed at it); nothing when the step flips another part. */
static int flip_part(const th_sc_send *step, th_sc_flip_part part, const char *what,
                     th_bytes *bytes, uint8_t **buf, char *err, size_t err_len) {
    if (step == NULL || step->flip.part != part) {
        return 1;
    }
    *buf = malloc(bytes->len + 1);
    if (*buf == NULL) {
        return ep_failf(err, err_len, "out of memory");
    }
    memcpy(*buf, bytes->data, bytes->len);
    if (!ep_flip_bit(*buf, bytes->len, step->flip.bit)) {
        return ep_failf(err, err_len, "flip %s: bit %zu is outside the %zu-byte %s", what,
                        step->flip.bit, bytes->len, what);
    }
    bytes->data = *buf;
    return 1;
}

const th_cert_key *ep_our_cert(th_ep *ep, const char *dflt, char *err, size_t err_len) {
    const char *name = ep->cfg->certificate != NULL ? ep->cfg->certificate : dflt;
    if (name == NULL) {
        return NULL;
    }
    if (ep->cert.num_chain == 0 && !ep_load_cert(ep, name, &ep->cert, err, err_len)) {
        return NULL;
    }
    return &ep->cert;
}

int ep_build_certificate(th_ep *ep, const th_sc_send *step, const char *dflt, const uint8_t *ctx,
                         size_t ctx_len, CBB *out, char *err, size_t err_len) {
    th_certificate cert;
    th_ext_block exts;
    int ok = 0;
    memset(&cert, 0, sizeof(cert));
    memset(&exts, 0, sizeof(exts));
    err[0] = '\0';
    const th_sc_set *f = ep_find_set(step, TH_SC_F_CT_CHAIN);
    const th_cert_key *ck = NULL;
    if (f != NULL && f->value.str != NULL && strcmp(f->value.str, "empty") != 0) {
        th_cert_key_cleanup(&ep->alt_cert);
        if (!ep_load_cert(ep, f->value.str, &ep->alt_cert, err, err_len)) {
            return 0;
        }
        ck = &ep->alt_cert;
    } else if (f == NULL) {
        ck = ep_our_cert(ep, dflt, err, err_len);
        if (ck == NULL && err[0] != '\0') {
            return 0;
        }
    }
    cert.certificate_request_context.data = ctx;
    cert.certificate_request_context.len = ctx_len;
    ep_set_bytes(step, TH_SC_F_CT_CONTEXT, &cert.certificate_request_context);
    for (size_t i = 0; ck != NULL && i < ck->num_chain; i++) {
        if (!th_certificate_add_entry(&cert, ck->chain[i])) {
            ep_failf(err, err_len, "out of memory");
            goto err;
        }
    }
    if (step != NULL && step->num_ext_ops != 0) {
        /* The edits apply to the first entry's extensions (RFC 8446
         * §4.4.2), borrowed by the entry until written. */
        if (cert.num_entries == 0) {
            ep_failf(err, err_len, "extension edits need a certificate entry (the chain is empty)");
            goto err;
        }
        if (!ep_apply_ext_ops(&exts, step->ext_ops, step->num_ext_ops, err, err_len)) {
            goto err;
        }
        cert.entries[0].extensions = exts;
    }
    CBB body;
    if (!add_message(out, TH_HS_CERTIFICATE, &body) || !th_write_certificate(&body, &cert) ||
        !CBB_flush(out)) {
        ep_failf(err, err_len, "cannot write the certificate");
        goto err;
    }
    ep->sent_cert = ck;
    ok = 1;
err:
    if (cert.num_entries != 0) {
        memset(&cert.entries[0].extensions, 0, sizeof(cert.entries[0].extensions));
    }
    th_certificate_cleanup(&cert);
    th_ext_block_cleanup(&exts);
    return ok;
}

int ep_build_certificate_verify(th_ep *ep, const th_sc_send *step, const char *dflt,
                                const uint16_t *peer_schemes, size_t num_peer_schemes, CBB *out,
                                char *err, size_t err_len) {
    uint8_t hash[EVP_MAX_MD_SIZE], fake[64];
    size_t hash_len;
    uint8_t *sig = NULL, *flipped = NULL;
    size_t sig_len = 0;
    int ok = 0;
    err[0] = '\0';
    const th_cert_key *ck = ep->sent_cert;
    if (ck == NULL) {
        ck = ep_our_cert(ep, dflt, err, err_len);
    }
    if (ck == NULL || ck->key == NULL) {
        if (err[0] == '\0') {
            ep_failf(err, err_len, "no certificate key to sign a certificate_verify with");
        }
        return 0;
    }
    /* RFC 8446 §4.4.3: a scheme the peer offered, of our preference; else
     * one our key can make, so that a step can still send the message (the
     * peer will refuse it). */
    size_t n;
    const uint16_t *ours = ep_our_schemes(ep, &n);
    uint16_t scheme = ep_scheme_for(ep, ck->key, peer_schemes, num_peer_schemes);
    if (scheme == 0) {
        scheme = ep_scheme_for(ep, ck->key, ours, n);
    }
    if (scheme == 0) {
        /* None of our configured schemes fits the key: any the peer lists
         * that it can make. */
        uint8_t alert;
        if (!th_sig_choose_scheme(ck->key, TH_VERSION_TLS13, peer_schemes, num_peer_schemes,
                                  &scheme, &alert)) {
            scheme = 0;
        }
    }
    const th_sc_set *f = ep_find_set(step, TH_SC_F_CV_SCHEME);
    uint16_t wire_scheme = f != NULL ? (uint16_t)f->value.i : scheme;
    th_cv_sender sender = ep->role == TH_ROLE_CLIENT ? TH_CV_CLIENT : TH_CV_SERVER;
    if ((f = ep_find_set(step, TH_SC_F_CV_CONTEXT)) != NULL && f->value.str != NULL) {
        sender = strcmp(f->value.str, "server") == 0 ? TH_CV_SERVER : TH_CV_CLIENT;
    }
    if (!ep->transcript_ready) {
        /* Sent before the transcript has a hash (a deviation): a zero hash
         * stands for it. */
        memset(hash, 0, 32);
        hash_len = 32;
    } else if (!ep_transcript_hash(ep, hash, &hash_len)) {
        return ep_failf(err, err_len, "cannot hash the transcript");
    }
    CBB content;
    if (!CBB_init(&content, TH_CV_CONTENT_MAX) ||
        !th_tls13_cv_content(&content, sender, hash, hash_len)) {
        CBB_cleanup(&content);
        return ep_failf(err, err_len, "cannot compute the certificate_verify content");
    }
    /* Signed with the named scheme when the key can make it, else with our
     * choice under the named one; random bytes when the key makes neither. */
    th_certificate_verify cv = {wire_scheme, {fake, sizeof(fake)}};
    if (th_sig_sign(ck->key, wire_scheme, CBB_data(&content), CBB_len(&content), &sig, &sig_len) ||
        (scheme != 0 && scheme != wire_scheme &&
         th_sig_sign(ck->key, scheme, CBB_data(&content), CBB_len(&content), &sig, &sig_len))) {
        cv.signature.data = sig;
        cv.signature.len = sig_len;
    } else {
        ep_random(ep, fake, sizeof(fake));
    }
    CBB_cleanup(&content);
    ep_set_bytes(step, TH_SC_F_CV_SIGNATURE, &cv.signature);
    if (!flip_part(step, TH_SC_FLIP_SIGNATURE, "signature", &cv.signature, &flipped, err,
                   err_len)) {
        goto err;
    }
    CBB body;
    if (!add_message(out, TH_HS_CERTIFICATE_VERIFY, &body) ||
        !th_write_certificate_verify(&body, &cv) || !CBB_flush(out)) {
        ep_failf(err, err_len, "cannot write the certificate_verify");
        goto err;
    }
    ok = 1;
err:
    free(flipped);
    OPENSSL_free(sig);
    return ok;
}

int ep_build_finished(th_ep *ep, const th_sc_send *step, const th_secret *base_key, CBB *out,
                      char *err, size_t err_len) {
    th_secret mac;
    uint8_t *buf = NULL;
    int ok = 0;
    memset(&mac, 0, sizeof(mac));
    if (ep->md == NULL || base_key->len == 0) {
        /* Sent before there is a key (a deviation): Hash.length zeros. */
        mac.len = ep->md != NULL ? (size_t)EVP_MD_size(ep->md) : 32;
        ep_log(ep, "   finished before handshake keys: zero verify_data\n");
    } else if (!ep_finished_mac(ep, base_key, &mac)) {
        return ep_failf(err, err_len, "cannot compute the finished verify_data");
    }
    th_finished fin = {{mac.bytes, mac.len}};
    ep_set_bytes(step, TH_SC_F_FIN_VERIFY_DATA, &fin.verify_data);
    if (!flip_part(step, TH_SC_FLIP_VERIFY_DATA, "verify_data", &fin.verify_data, &buf, err,
                   err_len)) {
        goto err;
    }
    CBB body;
    if (!add_message(out, TH_HS_FINISHED, &body) || !th_write_finished(&body, &fin) ||
        !CBB_flush(out)) {
        ep_failf(err, err_len, "cannot write the finished");
        goto err;
    }
    ok = 1;
err:
    free(buf);
    th_secret_cleanse(&mac);
    return ok;
}

/* ---- checking the peer's ---------------------------------------------- */

void ep_body_cbs(const th_ep_event *ev, CBS *out) {
    CBS_init(out, ev->bytes + TH_HANDSHAKE_HEADER_LEN, ev->len - TH_HANDSHAKE_HEADER_LEN);
}

int ep_codec_rejects(char *why, size_t why_len, const char *what, uint8_t alert) {
    char b[32];
    return ep_failf(why, why_len, "%s our codec rejects (%s)", what,
                    alert_name(alert, b, sizeof(b)));
}

int ep_check_certificate(th_ep *ep, const th_ep_event *ev, const ep_cert_rules *rules,
                         int *out_empty, int *local, char *why, size_t why_len) {
    th_certificate ct;
    CBS cbs;
    uint8_t alert;
    char b1[32], reason[256];
    th_bytes *ders = NULL;
    int ok = 0;
    const char *side = peer_side(ep);
    ep_body_cbs(ev, &cbs);
    if (!th_parse_certificate(&cbs, &ct, &alert)) {
        return ep_failf(why, why_len, "the %s's certificate does not parse (%s)", side,
                        alert_name(alert, b1, sizeof(b1)));
    }
    /* RFC 8446 §4.4.2: the context is empty in the main handshake (server)
     * and echoes the CertificateRequest's in answer to one. */
    if (ct.certificate_request_context.len != rules->context_len ||
        (rules->context_len != 0 &&
         memcmp(ct.certificate_request_context.data, rules->context, rules->context_len) != 0)) {
        ep_failf(why, why_len,
                 "the %s's certificate_request_context is not the expected one (RFC 8446 §4.4.2: "
                 "illegal_parameter)",
                 side);
        goto err;
    }
    for (size_t i = 0; i < ct.num_entries; i++) {
        for (size_t j = 0; j < ct.entries[i].extensions.num_exts; j++) {
            uint16_t t = ct.entries[i].extensions.exts[j].type;
            /* RFC 8446 §4.4.2: entry extensions answer those of the
             * ClientHello / CertificateRequest. */
            if (rules->allowed_exts == NULL || !((rules->allowed_exts[t >> 3] >> (t & 7)) & 1)) {
                ep_failf(why, why_len,
                         "the %s's certificate entry carries extension %s, which was not asked for "
                         "(RFC 8446 §4.4.2: unsupported_extension)",
                         side, th_name_or_hex(th_ext_name(t), t, b1, sizeof(b1)));
                goto err;
            }
        }
    }
    if (ct.num_entries == 0 && rules->empty_alert != 0) {
        /* RFC 8446 §4.4.2.4: a server's chain is never empty (decode_error);
         * a server that requires a client certificate aborts with
         * certificate_required. */
        ep_failf(why, why_len, "an empty %s certificate (RFC 8446 §4.4.2.4: %s)", side,
                 alert_name(rules->empty_alert, b1, sizeof(b1)));
        goto err;
    }
    if (ct.num_entries != 0) {
        X509_STORE *store = ep_trust(ep, reason, sizeof(reason));
        ders = calloc(ct.num_entries, sizeof(*ders));
        if (store == NULL || ders == NULL) {
            *local = 1;
            ep_failf(why, why_len, "%s", store == NULL ? reason : "out of memory");
            goto err;
        }
        for (size_t i = 0; i < ct.num_entries; i++) {
            ders[i] = ct.entries[i].cert_data;
        }
        if (!th_verify_chain(store, ders, ct.num_entries, rules->host, rules->host != NULL,
                             time(NULL), &alert, reason, sizeof(reason))) {
            ep_failf(why, why_len, "the %s's certificate chain does not verify: %s (%s)", side,
                     reason, alert_name(alert, b1, sizeof(b1)));
            goto err;
        }
        EVP_PKEY_free(ep->peer_key);
        ep->peer_key = NULL;
        if (!th_leaf_public_key(ders[0], &ep->peer_key, &alert, reason, sizeof(reason))) {
            ep_failf(why, why_len, "the %s's leaf key is unusable: %s (%s)", side, reason,
                     alert_name(alert, b1, sizeof(b1)));
            goto err;
        }
    }
    if (!ep_transcript_add(ep, ev->bytes, ev->len)) {
        *local = 1;
        ep_failf(why, why_len, "cannot add the certificate to the transcript");
        goto err;
    }
    ep->peer_cert_empty = ct.num_entries == 0;
    *out_empty = ct.num_entries == 0;
    ok = 1;
err:
    free(ders);
    th_certificate_cleanup(&ct);
    return ok;
}

int ep_check_certificate_verify(th_ep *ep, const th_ep_event *ev, const uint16_t *offered,
                                size_t num_offered, int *local, char *why, size_t why_len) {
    th_certificate_verify cv;
    CBS cbs;
    uint8_t alert, hash[EVP_MAX_MD_SIZE];
    size_t hash_len;
    char b1[32], b2[32];
    const char *side = peer_side(ep);
    ep_body_cbs(ev, &cbs);
    if (!th_parse_certificate_verify(&cbs, &cv, &alert)) {
        return ep_failf(why, why_len, "the %s's certificate_verify does not parse (%s)", side,
                        alert_name(alert, b1, sizeof(b1)));
    }
    const char *scheme =
        th_name_or_hex(th_sig_scheme_name(cv.algorithm), cv.algorithm, b1, sizeof(b1));
    /* RFC 8446 §4.4.3: "the signature algorithm MUST be one offered in the
     * ... "signature_algorithms" extension". */
    if (!ep_in_list(offered, num_offered, cv.algorithm)) {
        return ep_failf(why, why_len,
                        "the %s signed with %s, which was not offered (RFC 8446 §4.4.3: "
                        "illegal_parameter)",
                        side, scheme);
    }
    if (ep->peer_key == NULL || !ep_transcript_hash(ep, hash, &hash_len)) {
        *local = 1;
        return ep_failf(why, why_len, "no %s key or transcript for the certificate_verify", side);
    }
    th_cv_sender sender = ep->role == TH_ROLE_CLIENT ? TH_CV_SERVER : TH_CV_CLIENT;
    if (!th_tls13_cv_verify(ep->peer_key, cv.algorithm, sender, hash, hash_len, cv.signature.data,
                            cv.signature.len, &alert)) {
        return ep_failf(why, why_len,
                        "the %s's certificate_verify (%s) does not verify (RFC 8446 §4.4.3: %s)",
                        side, scheme, alert_name(alert, b2, sizeof(b2)));
    }
    if (!ep_transcript_add(ep, ev->bytes, ev->len)) {
        *local = 1;
        return ep_failf(why, why_len, "cannot add the certificate_verify to the transcript");
    }
    return 1;
}

int ep_check_finished(th_ep *ep, const th_ep_event *ev, const th_secret *base_key, int *local,
                      char *why, size_t why_len) {
    th_finished fin;
    CBS cbs;
    uint8_t alert, hash[EVP_MAX_MD_SIZE];
    size_t hash_len;
    char b1[32];
    const char *side = peer_side(ep);
    ep_body_cbs(ev, &cbs);
    if (!th_parse_finished(&cbs, &fin, &alert)) {
        return ep_failf(why, why_len, "the %s's finished does not parse (%s)", side,
                        alert_name(alert, b1, sizeof(b1)));
    }
    if (ep->md == NULL || !ep_transcript_hash(ep, hash, &hash_len)) {
        *local = 1;
        return ep_failf(why, why_len, "no transcript for the finished");
    }
    /* RFC 8446 §4.4.4: "Recipients of Finished messages MUST verify that the
     * contents are correct and if incorrect MUST terminate the connection
     * with a "decrypt_error" alert." */
    if (!th_tls13_finished_check(ep->md, base_key, hash, hash_len, fin.verify_data.data,
                                 fin.verify_data.len, &alert)) {
        return ep_failf(why, why_len,
                        "the %s's finished verify_data is wrong (RFC 8446 §4.4.4: %s)", side,
                        alert_name(alert, b1, sizeof(b1)));
    }
    if (!ep_transcript_add(ep, ev->bytes, ev->len)) {
        *local = 1;
        return ep_failf(why, why_len, "cannot add the finished to the transcript");
    }
    return 1;
}

int ep_check_key_update(th_ep *ep, const th_ep_event *ev, int *local, char *why, size_t why_len) {
    th_key_update ku;
    CBS cbs;
    uint8_t alert;
    char b1[32];
    ep_body_cbs(ev, &cbs);
    if (!th_parse_key_update(&cbs, &ku, &alert)) {
        return ep_failf(why, why_len,
                        "the %s's key_update does not parse or has a bad request_update (RFC 8446 "
                        "§4.6.3: %s)",
                        peer_side(ep), alert_name(alert, b1, sizeof(b1)));
    }
    /* RFC 8446 §4.6.3: the sender's next records use the next key (§7.2);
     * the old one stays for the core's trial decryption of a late alert. */
    th_rl_dir_cleanup(&ep->rd.app_prev);
    if (!th_rl_dir_set_key(&ep->rd.app_prev, ep->rd.app.suite, &ep->rd.app.traffic_secret)) {
        *local = 1;
        return ep_failf(why, why_len, "cannot keep the previous read key");
    }
    th_rl_dir_set_seq(&ep->rd.app_prev, ep->rd.app.seq);
    if (!th_rl_dir_update(&ep->rd.app)) {
        *local = 1;
        return ep_failf(why, why_len, "cannot update our read key");
    }
    if (ku.request_update == TH_KEY_UPDATE_REQUESTED) {
        ep->key_update_due = 1;
    }
    return 1;
}
