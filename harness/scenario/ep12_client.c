/* The scripted endpoint's TLS 1.2 client role (RFC 5246 §7.3 message
 * flow): ClientHello with extended_master_secret (RFC 7627),
 * renegotiation_info (RFC 5746), session_ticket (RFC 5077); ECDHE
 * (RFC 8422) or RSA key exchange; client authentication; resumption by
 * session ID or ticket; each message built as a typed struct so `set:`
 * fields and extension edits apply, each received message checked as a
 * correct client would. */
#include <stdlib.h>
#include <string.h>

#include <openssl/mem.h>
#include <openssl/rsa.h>

#include "certificate_request_tls12.h"
#include "certificate_verify.h"
#include "client_hello.h"
#include "client_key_exchange.h"
#include "ep12_internal.h"
#include "ext_types.h"
#include "names.h"
#include "new_session_ticket_tls12.h"
#include "server_hello.h"
#include "server_key_exchange.h"
#include "sigs.h"

static int resuming(const th_ep *ep) {
    return ep->cfg->resume && !ep->first_connection && ep->ticket.valid;
}

static int c_start(th_ep *ep) {
    if (!ep12_state_new(ep)) {
        return 0;
    }
    ep_random(ep, ep->client_random, sizeof(ep->client_random));
    return 1;
}

/* ---- ClientHello ------------------------------------------------------ */

static int build_client_hello(th_ep *ep, const th_sc_send *step, CBB *out, char *err,
                              size_t err_len) {
    ep12_st *st = ep12_state(ep);
    th_client_hello ch;
    ep_ext_builder eb;
    memset(&ch, 0, sizeof(ch));
    memset(&eb, 0, sizeof(eb));
    uint8_t *comp = NULL;
    int ok = 0;
    snprintf(err, err_len, "out of memory building the client_hello");

    uint8_t random[TH_RANDOM_LEN];
    memcpy(random, ep->client_random, TH_RANDOM_LEN);
    /* RFC 5746 §3.5: a renegotiation carries client_verify_data. */
    int reneg = st->state == EP12_C_DONE;
    uint8_t ri[1 + TH_TLS12_VERIFY_DATA_LEN] = {0};
    size_t ri_len = 1;
    if (reneg) {
        ep_random(ep, random, TH_RANDOM_LEN);
        ri[0] = TH_TLS12_VERIFY_DATA_LEN;
        memcpy(ri + 1, st->client_vd, TH_TLS12_VERIFY_DATA_LEN);
        ri_len = sizeof(ri);
    }
    if (resuming(ep) && !reneg) {
        /* RFC 5077 §3.4: with a ticket, a session ID of our own shows
         * whether the server resumed. */
        if (ep->sess12_id_len != 0) {
            memcpy(ep->session_id, ep->sess12_id, ep->sess12_id_len);
            ep->session_id_len = ep->sess12_id_len;
        } else {
            ep_random(ep, ep->session_id, 32);
            ep->session_id_len = 32;
        }
    }
    uint16_t suites[64];
    size_t n = ep12_cfg_suites(ep, suites, 64);
    /* RFC 5246 §7.4.1.2: client_version is the highest we support. */
    if (!ep_ch_init(&ch, random, ep->session_id, reneg ? 0 : ep->session_id_len, suites, n)) {
        goto done;
    }
    if (ep->cfg->server_name != NULL && !ep_eb_put_sni(&eb, ep->cfg->server_name)) {
        goto done;
    }
    uint16_t list[32];
    n = ep12_cfg_groups(ep, list, 32);
    /* RFC 8422 §5.1.2: uncompressed, the only format. */
    static const uint8_t kPointFormats[2] = {1, 0};
    if (!ep_eb_put_u16_list(&eb, TH_EXT_SUPPORTED_GROUPS, 2, list, n) ||
        !ep_eb_put_bytes(&eb, TH_EXT_EC_POINT_FORMATS, kPointFormats, 2)) {
        goto done;
    }
    n = ep12_cfg_schemes(ep, list, 32);
    if (!ep_eb_put_u16_list(&eb, TH_EXT_SIGNATURE_ALGORITHMS, 2, list, n)) {
        goto done;
    }
    if (ep->cfg->num_alpn != 0 &&
        !ep_eb_put_alpn(&eb, (const char *const *)ep->cfg->alpn, ep->cfg->num_alpn)) {
        goto done;
    }
    th_bytes ticket = {NULL, 0};
    if (resuming(ep) && ep->ticket.ticket != NULL) {
        ticket.data = ep->ticket.ticket;
        ticket.len = ep->ticket.ticket_len;
    }
    if (!ep_eb_put_bytes(&eb, TH_EXT_SESSION_TICKET, ticket.data, ticket.len) ||
        (!ep->cfg->no_ems && !ep_eb_put_bytes(&eb, TH_EXT_EXTENDED_MASTER_SECRET, NULL, 0)) ||
        !ep_eb_put_bytes(&eb, TH_EXT_RENEGOTIATION_INFO, ri, ri_len) ||
        (ep->cfg->record_size_limit != 0 &&
         !ep_eb_put_u16(&eb, TH_EXT_RECORD_SIZE_LIMIT, ep->cfg->record_size_limit))) {
        goto done;
    }
    for (size_t i = 0; step != NULL && i < step->num_sets; i++) {
        int handled;
        if (!ep_ch_apply_set(&ch, &eb, &step->sets[i], &comp, &handled, err, err_len)) {
            goto done;
        }
        if (!handled) {
            snprintf(err, err_len, "field %s cannot be set on a TLS 1.2 client_hello",
                     th_sc_field_info_of(step->sets[i].field)
                         ? th_sc_field_info_of(step->sets[i].field)->name
                         : "?");
            goto done;
        }
    }
    if (!ep_eb_apply_ops(&eb, step, err, err_len)) {
        goto done;
    }
    /* Borrowed until the message is written; the builder owns it. */
    ch.extensions = eb.block;
    uint8_t *msg = NULL;
    size_t msg_len;
    if (!ep_write_client_hello(&ch, &msg, &msg_len, err, err_len)) {
        goto done;
    }
    /* What we offer, as built (a message our codec refuses keeps the
     * offer of the last one). */
    ep12_offer o;
    if (ep12_offer_parse(msg, msg_len, &o)) {
        ep12_offer_cleanup(&st->offer);
        st->offer = o;
    } else {
        memcpy(st->offer.random, ch.random, 32);
        st->offer.legacy_version = ch.legacy_version;
    }
    ok = CBB_add_bytes(out, msg, msg_len);
    OPENSSL_free(msg);
done:
    free(comp);
    memset(&ch.extensions, 0, sizeof(ch.extensions));
    th_client_hello_cleanup(&ch);
    ep_eb_cleanup(&eb);
    return ok;
}

/* ---- ClientKeyExchange ------------------------------------------------ */

/* RSA premaster (RFC 5246 §7.4.7.1) encrypted to the server's key, with
 * the padding deliberately broken when asked. */
static int rsa_cke(th_ep *ep, const th_sc_send *step, CBB *body, char *err, size_t err_len) {
    ep12_st *st = ep12_state(ep);
    const th_sc_set *f;
    uint8_t pms[256];
    size_t pms_len = 48;
    if ((f = ep_find_set(step, TH_SC_F_CKE_PREMASTER_LEN)) != NULL) {
        pms_len = (size_t)f->value.i;
    }
    uint16_t version = st->offer.legacy_version ? st->offer.legacy_version : TH_VERSION_TLS12;
    if ((f = ep_find_set(step, TH_SC_F_CKE_PREMASTER_VERSION)) != NULL) {
        version = (uint16_t)f->value.i;
    }
    ep_random(ep, pms, sizeof(pms));
    if (pms_len >= 2) {
        pms[0] = (uint8_t)(version >> 8);
        pms[1] = (uint8_t)version;
    }
    th_secret_cleanse(&st->premaster);
    if (pms_len <= TH_SECRET_MAX && !th_secret_set(&st->premaster, pms, pms_len)) {
        snprintf(err, err_len, "premaster failure");
        return 0;
    }
    RSA *rsa = ep->peer_key != NULL ? EVP_PKEY_get0_RSA(ep->peer_key) : NULL;
    if (rsa == NULL) {
        snprintf(err, err_len, "no RSA server key to encrypt the premaster to");
        return 0;
    }
    size_t k = RSA_size(rsa), enc_len = 0;
    uint8_t *enc = malloc(k), *em = malloc(k);
    int ok = enc != NULL && em != NULL;
    if (ok && ep_find_set(step, TH_SC_F_CKE_PREMASTER_PADDING) != NULL) {
        /* RFC 8017 §7.2.1 EME-PKCS1-v1_5: 00 02 PS 00 M; block type 01
         * instead of 02 breaks it. */
        ok = pms_len + 11 <= k;
        if (ok) {
            size_t ps = k - pms_len - 3;
            em[0] = 0;
            em[1] = 1;
            ep_random(ep, em + 2, ps);
            for (size_t i = 0; i < ps; i++) {
                em[2 + i] |= 1;
            }
            em[2 + ps] = 0;
            memcpy(em + 3 + ps, pms, pms_len);
            ok = RSA_encrypt(rsa, &enc_len, enc, k, em, k, RSA_NO_PADDING);
        }
    } else if (ok) {
        ok = RSA_encrypt(rsa, &enc_len, enc, k, pms, pms_len, RSA_PKCS1_PADDING);
    }
    th_client_key_exchange_rsa cke = {{enc, enc_len}};
    ok = ok && th_write_client_key_exchange_rsa(body, &cke);
    if (!ok) {
        snprintf(err, err_len, "RSA premaster encryption failed");
    }
    free(enc);
    free(em);
    OPENSSL_cleanse(pms, sizeof(pms));
    return ok;
}

static int build_cke(th_ep *ep, const th_sc_send *step, CBB *body, char *err, size_t err_len) {
    ep12_st *st = ep12_state(ep);
    if (st->suite != NULL && st->suite->kx == TH_TLS12_KX_RSA) {
        return rsa_cke(ep, step, body, err, err_len);
    }
    uint16_t group = st->group != 0 ? st->group : TH_GROUP_X25519;
    th_kex_cleanup(&st->kex);
    if (!th_kex_generate(&st->kex, group, ep_random_cb, ep)) {
        snprintf(err, err_len, "cannot generate a key in group 0x%04x", group);
        return 0;
    }
    th_secret_cleanse(&st->premaster);
    if (st->peer_point_len != 0) {
        uint8_t secret[TH_KEX_MAX_SECRET], alert;
        size_t sl;
        if (!th_kex_compute(&st->kex, st->peer_point, st->peer_point_len, secret, &sl, &alert) ||
            !th_secret_set(&st->premaster, secret, sl)) {
            snprintf(err, err_len, "ECDHE with the server's point failed");
            return 0;
        }
        OPENSSL_cleanse(secret, sizeof(secret));
    }
    th_client_key_exchange_ecdhe cke = {{st->kex.public_key, st->kex.public_key_len}};
    ep_set_bytes(step, TH_SC_F_CKE_POINT, &cke.public_key);
    if (!th_write_client_key_exchange_ecdhe(body, &cke)) {
        snprintf(err, err_len, "cannot write the client_key_exchange");
        return 0;
    }
    return 1;
}

/* ---- CertificateVerify (RFC 5246 §7.4.8) ------------------------------- */

static int build_cv(th_ep *ep, const th_sc_send *step, CBB *body, char *err, size_t err_len) {
    ep12_st *st = ep12_state(ep);
    const th_sc_set *f;
    uint16_t scheme = 0;
    uint8_t alert;
    uint8_t *sig = NULL;
    if (ep->cert.key == NULL) {
        snprintf(err, err_len, "no client certificate key to sign with");
        return 0;
    }
    if ((f = ep_find_set(step, TH_SC_F_CV_SCHEME)) != NULL) {
        scheme = (uint16_t)f->value.i;
    } else if (!th_sig_choose_scheme(ep->cert.key, TH_VERSION_TLS12, st->cr_schemes,
                                     st->num_cr_schemes, &scheme, &alert)) {
        snprintf(err, err_len, "no scheme of the certificate_request fits our key");
        return 0;
    }
    th_certificate_verify cv;
    cv.algorithm = scheme;
    if (!ep12_signature(step, TH_SC_F_CV_SIGNATURE, ep->cert.key, scheme, st->msgs, st->msgs_len,
                        &cv.signature, &sig, err, err_len)) {
        return 0;
    }
    int ok = th_write_certificate_verify(body, &cv);
    OPENSSL_free(sig);
    if (!ok) {
        snprintf(err, err_len, "cannot write the certificate_verify");
    }
    return ok;
}

static int c_build(th_ep *ep, th_sc_msg msg, const th_sc_send *step, CBB *out, char *err,
                   size_t err_len) {
    ep12_st *st = ep12_state(ep);
    if (msg == TH_SC_MSG_CLIENT_HELLO) {
        return build_client_hello(ep, step, out, err, err_len);
    }
    CBB body;
    if (!CBB_init(&body, 256)) {
        snprintf(err, err_len, "out of memory");
        return 0;
    }
    int ok;
    switch (msg) {
    case TH_SC_MSG_CERTIFICATE: {
        /* No certificate configured: an empty one (RFC 5246 §7.4.6). */
        const th_cert_key *ck = ep_our_cert(ep, NULL, err, err_len);
        if (ck == NULL && ep->cfg->certificate != NULL) {
            ok = 0;
            break;
        }
        ok = ep12_build_certificate(ep, step, ck, &body, &st->our_cert_nonempty, err, err_len);
        break;
    }
    case TH_SC_MSG_CLIENT_KEY_EXCHANGE:
        ok = build_cke(ep, step, &body, err, err_len);
        break;
    case TH_SC_MSG_CERTIFICATE_VERIFY:
        ok = build_cv(ep, step, &body, err, err_len);
        break;
    case TH_SC_MSG_FINISHED:
        ok = ep12_build_finished(ep, step, &body, err, err_len);
        break;
    default:
        snprintf(err, err_len, "a TLS 1.2 client does not send %s (use body:)", ep12_msg_name(msg));
        ok = 0;
        break;
    }
    ok = ok && ep12_wrap(out, th_sc_msg_wire_type(msg), CBB_data(&body), CBB_len(&body));
    CBB_cleanup(&body);
    return ok;
}

static int c_sent(th_ep *ep, th_sc_msg msg, const uint8_t *wire, size_t len, char *err,
                  size_t err_len) {
    ep12_st *st = ep12_state(ep);
    if (msg == TH_SC_MSG_CLIENT_HELLO && st->state == EP12_C_DONE) {
        /* RFC 5246 §7.4.1.2: a ClientHello after the handshake starts a
         * renegotiation under the current keys. */
        ep12_restart(ep);
        st->state = EP12_C_INIT;
    }
    ep->done[msg] = 1;
    if (msg == TH_SC_MSG_CLIENT_HELLO && st->state != EP12_C_INIT) {
        /* A second ClientHello in the middle of a handshake: the peer's
         * answer decides; our state stays. */
        ep_log(ep, "   (a second client_hello: our state is unchanged)\n");
        return 1;
    }
    if (!ep12_msgs_add(ep, wire, len)) {
        snprintf(err, err_len, "out of memory");
        return 0;
    }
    switch (msg) {
    case TH_SC_MSG_CLIENT_HELLO:
        memcpy(ep->client_random, st->offer.random, 32);
        st->state = EP12_C_WAIT_SH;
        return 1;
    case TH_SC_MSG_CLIENT_KEY_EXCHANGE:
        if (st->premaster.len == 0 || !ep12_derive_master(ep)) {
            ep_log(ep, "   (no premaster: no TLS 1.2 keys derived)\n");
        }
        return 1;
    case TH_SC_MSG_FINISHED:
        ep12_keep_verify_data(st->client_vd, wire, len);
        if (st->resumed) {
            ep12_established(ep);
            st->state = EP12_C_DONE;
        } else {
            st->state = EP12_C_WAIT_FIN;
        }
        return 1;
    default:
        return 1;
    }
}

/* ---- receiving -------------------------------------------------------- */

static int sh_alpn(th_ep *ep, const th_ext *e) {
    CBS b, list, name;
    CBS_init(&b, e->body.data, e->body.len);
    if (!CBS_get_u16_length_prefixed(&b, &list) || !CBS_get_u8_length_prefixed(&list, &name) ||
        CBS_len(&name) >= sizeof(ep->neg.alpn)) {
        return 0;
    }
    memcpy(ep->neg.alpn, CBS_data(&name), CBS_len(&name));
    ep->neg.alpn[CBS_len(&name)] = '\0';
    return 1;
}

static int recv_sh(th_ep *ep, const th_ep_event *ev, int *local, char *why, size_t why_len) {
    ep12_st *st = ep12_state(ep);
    th_server_hello sh;
    CBS cbs;
    uint8_t alert;
    char b1[32];
    int ok = 0;
    ep_body_cbs(ev, &cbs);
    if (!th_parse_server_hello(&cbs, &sh, &alert)) {
        return ep_codec_rejects(why, why_len, "a server_hello", alert);
    }
    if (sh.legacy_version != TH_VERSION_TLS12) {
        PEER_ERR(
            "a server_hello with version %s (RFC 5246 §E.1: protocol_version)",
            th_name_or_hex(th_version_name(sh.legacy_version), sh.legacy_version, b1, sizeof(b1)));
    }
    /* RFC 8446 §4.1.3: a client that also does TLS 1.3 checks the
     * downgrade sentinel. */
    for (size_t i = 0; i < ep->cfg->num_versions; i++) {
        if (ep->cfg->versions[i] == TH_VERSION_TLS13 &&
            th_server_hello_downgrade_sentinel(&sh) != TH_DOWNGRADE_NONE) {
            PEER_ERR("a TLS 1.2 server_hello with the downgrade sentinel (RFC 8446 §4.1.3: "
                     "illegal_parameter)");
        }
    }
    if (!ep12_list_has(st->offer.suites, st->offer.num_suites, sh.cipher_suite) ||
        th_tls12_suite_find(sh.cipher_suite) == NULL) {
        PEER_ERR(
            "cipher_suite %s we did not offer (RFC 5246 §7.4.1.3: illegal_parameter)",
            th_name_or_hex(th_cipher_suite_name(sh.cipher_suite), sh.cipher_suite, b1, sizeof(b1)));
    }
    if (sh.legacy_compression_method != 0) {
        PEER_ERR("compression_method %u (RFC 5246 §7.4.1.3: illegal_parameter)",
                 sh.legacy_compression_method);
    }
    for (size_t i = 0; i < sh.extensions.num_exts; i++) {
        uint16_t t = sh.extensions.exts[i].type;
        if (!ep12_offer_has_ext(&st->offer, t) &&
            !(t == TH_EXT_RENEGOTIATION_INFO && st->offer.ri)) {
            PEER_ERR("extension %s we did not offer (RFC 5246 §7.4.1.4: unsupported_extension)",
                     th_name_or_hex(th_ext_name(t), t, b1, sizeof(b1)));
        }
    }
    const th_ext *ri = th_ext_block_find(&sh.extensions, TH_EXT_RENEGOTIATION_INFO);
    if (!st->reneg && ri != NULL && !(ri->body.len == 1 && ri->body.data[0] == 0)) {
        PEER_ERR("an initial renegotiation_info that is not empty (RFC 5746 §3.4: "
                 "handshake_failure)");
    }
    if (st->reneg && (ri == NULL || ri->body.len != 1 + 2 * TH_TLS12_VERIFY_DATA_LEN ||
                      ri->body.data[0] != 2 * TH_TLS12_VERIFY_DATA_LEN ||
                      memcmp(ri->body.data + 1, st->client_vd, TH_TLS12_VERIFY_DATA_LEN) != 0 ||
                      memcmp(ri->body.data + 1 + TH_TLS12_VERIFY_DATA_LEN, st->server_vd,
                             TH_TLS12_VERIFY_DATA_LEN) != 0)) {
        PEER_ERR("a renegotiation server_hello whose renegotiation_info is not client_verify_data "
                 "+ server_verify_data (RFC 5746 §3.5: handshake_failure)");
    }
    if (!ep12_set_suite(ep, sh.cipher_suite)) {
        *local = 1;
        PEER_ERR("suite failure");
    }
    memcpy(ep->server_random, sh.random, 32);
    st->ems = th_ext_block_find(&sh.extensions, TH_EXT_EXTENDED_MASTER_SECRET) != NULL;
    st->etm = th_ext_block_find(&sh.extensions, TH_EXT_ENCRYPT_THEN_MAC) != NULL &&
              st->suite->cipher == TH_TLS12_CIPHER_AES_CBC_HMAC_SHA1;
    st->ticket_expected = th_ext_block_find(&sh.extensions, TH_EXT_SESSION_TICKET) != NULL;
    const th_ext *e = th_ext_block_find(&sh.extensions, TH_EXT_ALPN);
    if (e != NULL && !sh_alpn(ep, e)) {
        PEER_ERR("an alpn extension that does not name one protocol (RFC 7301 §3.1: "
                 "decode_error)");
    }
    e = th_ext_block_find(&sh.extensions, TH_EXT_RECORD_SIZE_LIMIT);
    if (e != NULL && e->body.len == 2) {
        ep->peer_record_size_limit = (uint16_t)((e->body.data[0] << 8) | e->body.data[1]);
    }
    st->session_id_len = sh.legacy_session_id_echo.len <= 32 ? sh.legacy_session_id_echo.len : 32;
    memcpy(st->session_id, sh.legacy_session_id_echo.data, st->session_id_len);
    if (!ep12_msgs_add_recv(ep, ev, local, why, why_len)) {
        goto err;
    }
    /* RFC 5246 §7.4.1.3: the echoed session ID means resumption. */
    if (resuming(ep) && !st->reneg && st->offer.session_id_len != 0 &&
        st->session_id_len == st->offer.session_id_len &&
        memcmp(st->session_id, st->offer.session_id, st->session_id_len) == 0) {
        if (sh.cipher_suite != ep->ticket.suite) {
            PEER_ERR("a resumption with another cipher_suite than the session's (RFC 5246 "
                     "§7.4.1.3: illegal_parameter)");
        }
        if (st->ems != ep->sess12_ems) {
            PEER_ERR("a resumption %s extended_master_secret where the session %s (RFC 7627 "
                     "§5.3: handshake_failure)",
                     st->ems ? "with" : "without", ep->sess12_ems ? "had it" : "did not");
        }
        st->resumed = 1;
        st->master = ep->ticket.psk;
        if (!ep12_derive_key_block(ep)) {
            *local = 1;
            PEER_ERR("key block failure");
        }
        st->state = EP12_C_WAIT_FIN;
    } else {
        st->state = EP12_C_WAIT_CERT;
    }
    ok = 1;
err:
    th_server_hello_cleanup(&sh);
    return ok;
}

static int recv_ske(th_ep *ep, const th_ep_event *ev, int *local, char *why, size_t why_len) {
    ep12_st *st = ep12_state(ep);
    th_server_key_exchange_ecdhe ske;
    CBS cbs;
    uint8_t alert, *content = NULL;
    char b1[32];
    int ok = 0;
    if (st->suite->kx == TH_TLS12_KX_RSA) {
        snprintf(why, why_len,
                 "a server_key_exchange under a static RSA suite (RFC 5246 §7.4.3: "
                 "unexpected_message)");
        return 0;
    }
    ep_body_cbs(ev, &cbs);
    if (!th_parse_server_key_exchange_ecdhe(&cbs, &ske, &alert)) {
        return ep_codec_rejects(why, why_len, "a server_key_exchange", alert);
    }
    if (!ep12_list_has(st->offer.groups, st->offer.num_groups, ske.named_curve) ||
        !th_kex_group_supported(ske.named_curve)) {
        PEER_ERR("named_curve %s we did not offer (RFC 8422 §5.4: illegal_parameter)",
                 th_name_or_hex(th_group_name(ske.named_curve), ske.named_curve, b1, sizeof(b1)));
    }
    if (!th_kex_check_peer_share(ske.named_curve, ske.public_key.data, ske.public_key.len,
                                 &alert)) {
        PEER_ERR("an ECDH point that is not valid on %s (RFC 8422 §5.4: illegal_parameter)",
                 th_name_or_hex(th_group_name(ske.named_curve), ske.named_curve, b1, sizeof(b1)));
    }
    if (!ep12_list_has(st->offer.schemes, st->offer.num_schemes, ske.sig_alg) ||
        ep->peer_key == NULL ||
        !th_sig_scheme_allowed(ske.sig_alg, ep->peer_key, TH_VERSION_TLS12)) {
        PEER_ERR("signature scheme %s we did not offer or that does not fit the key (RFC 5246 "
                 "§7.4.3: illegal_parameter)",
                 th_name_or_hex(th_sig_scheme_name(ske.sig_alg), ske.sig_alg, b1, sizeof(b1)));
    }
    /* RFC 8422 §5.4: the signature covers client_random + server_random +
     * ServerECDHParams. */
    size_t clen = 64 + ske.params.len;
    content = malloc(clen);
    if (content == NULL) {
        *local = 1;
        PEER_ERR("out of memory");
    }
    memcpy(content, ep->client_random, 32);
    memcpy(content + 32, ep->server_random, 32);
    memcpy(content + 64, ske.params.data, ske.params.len);
    if (!th_sig_verify(ep->peer_key, ske.sig_alg, content, clen, ske.signature.data,
                       ske.signature.len, &alert)) {
        PEER_ERR("a server_key_exchange signature that does not verify (RFC 5246 §7.2.2: "
                 "decrypt_error)");
    }
    st->group = ske.named_curve;
    ep->neg.group = ske.named_curve;
    memcpy(st->peer_point, ske.public_key.data, ske.public_key.len);
    st->peer_point_len = ske.public_key.len;
    st->ske_done = 1;
    if (!ep12_msgs_add_recv(ep, ev, local, why, why_len)) {
        goto err;
    }
    st->state = EP12_C_WAIT_SHD;
    ok = 1;
err:
    free(content);
    return ok;
}

static int recv_cr(th_ep *ep, const th_ep_event *ev, int *local, char *why, size_t why_len) {
    ep12_st *st = ep12_state(ep);
    th_certificate_request_tls12 cr;
    CBS cbs;
    uint8_t alert;
    ep_body_cbs(ev, &cbs);
    if (!th_parse_certificate_request_tls12(&cbs, &cr, &alert)) {
        return ep_codec_rejects(why, why_len, "a certificate_request", alert);
    }
    free(st->cr_schemes);
    st->cr_schemes = cr.sig_algs;
    st->num_cr_schemes = cr.num_sig_algs;
    cr.sig_algs = NULL;
    cr.num_sig_algs = 0;
    th_certificate_request_tls12_cleanup(&cr);
    st->cert_requested = 1;
    ep->cert_requested = 1;
    if (!ep12_msgs_add_recv(ep, ev, local, why, why_len)) {
        return 0;
    }
    return 1;
}

static int recv_nst(th_ep *ep, const th_ep_event *ev, int *local, char *why, size_t why_len) {
    ep12_st *st = ep12_state(ep);
    th_new_session_ticket_tls12 nst;
    CBS cbs;
    uint8_t alert;
    ep_body_cbs(ev, &cbs);
    if (!st->ticket_expected) {
        snprintf(why, why_len,
                 "a new_session_ticket without session_ticket in the server_hello (RFC 5077 §3.3: "
                 "unexpected_message)");
        return 0;
    }
    if (!th_parse_new_session_ticket_tls12(&cbs, &nst, &alert)) {
        return ep_codec_rejects(why, why_len, "a new_session_ticket", alert);
    }
    if (!ep12_keep_ticket(st, &nst) || !ep12_msgs_add(ep, ev->bytes, ev->len)) {
        *local = 1;
        snprintf(why, why_len, "out of memory");
        return 0;
    }
    return 1;
}

static int c_recv(th_ep *ep, const th_ep_event *ev, int *out_local, char *why, size_t why_len) {
    ep12_st *st = ep12_state(ep);
    int empty = 0;
    *out_local = 0;
    if (ev->msg == TH_SC_MSG_HELLO_REQUEST) {
        /* RFC 5246 §7.4.1.1: not part of the transcript; whether to
         * renegotiate is the scenario's choice. */
        return 1;
    }
    switch (st->state) {
    case EP12_C_WAIT_SH:
        if (ev->msg == TH_SC_MSG_SERVER_HELLO) {
            return recv_sh(ep, ev, out_local, why, why_len);
        }
        break;
    case EP12_C_WAIT_CERT:
        if (ev->msg == TH_SC_MSG_CERTIFICATE) {
            if (!ep12_recv_certificate(ep, ev, 1, &empty, why, why_len)) {
                return 0;
            }
            if (empty) {
                snprintf(why, why_len,
                         "an empty server certificate (RFC 5246 §7.4.2; BoringSSL: decode_error)");
                return 0;
            }
            st->state = st->suite->kx == TH_TLS12_KX_RSA ? EP12_C_WAIT_SHD : EP12_C_WAIT_SKE;
            return ep12_msgs_add_recv(ep, ev, out_local, why, why_len);
        }
        break;
    case EP12_C_WAIT_SKE:
        /* RFC 6066 §8: only after a status_request. */
        if (ev->msg == TH_SC_MSG_CERTIFICATE_STATUS && st->offer.status) {
            return ep12_msgs_add_recv(ep, ev, out_local, why, why_len);
        }
        if (ev->msg == TH_SC_MSG_SERVER_KEY_EXCHANGE) {
            return recv_ske(ep, ev, out_local, why, why_len);
        }
        if (ev->msg == TH_SC_MSG_SERVER_HELLO_DONE) {
            snprintf(why, why_len,
                     "a server_hello_done without server_key_exchange under an ECDHE suite "
                     "(RFC 8422 §5.4, RFC 5246 §7.4: unexpected_message)");
            return 0;
        }
        break;
    case EP12_C_WAIT_SHD:
        if (ev->msg == TH_SC_MSG_SERVER_KEY_EXCHANGE) {
            return recv_ske(ep, ev, out_local, why, why_len);
        }
        if (ev->msg == TH_SC_MSG_CERTIFICATE_STATUS && st->offer.status && !st->cert_requested &&
            st->suite->kx == TH_TLS12_KX_RSA) {
            return ep12_msgs_add_recv(ep, ev, out_local, why, why_len);
        }
        if (ev->msg == TH_SC_MSG_CERTIFICATE_REQUEST && !st->cert_requested) {
            return recv_cr(ep, ev, out_local, why, why_len);
        }
        if (ev->msg == TH_SC_MSG_SERVER_HELLO_DONE) {
            if (ev->len != TH_HANDSHAKE_HEADER_LEN) {
                snprintf(why, why_len,
                         "a server_hello_done with a body (RFC 5246 §7.4.5: "
                         "decode_error)");
                return 0;
            }
            st->state = EP12_C_FLIGHT2;
            return ep12_msgs_add_recv(ep, ev, out_local, why, why_len);
        }
        break;
    case EP12_C_WAIT_FIN:
        if (ev->msg == TH_SC_MSG_NEW_SESSION_TICKET && !st->ccs_recvd) {
            return recv_nst(ep, ev, out_local, why, why_len);
        }
        if (ev->msg == TH_SC_MSG_FINISHED) {
            if (!ep12_recv_finished(ep, ev, out_local, why, why_len)) {
                return 0;
            }
            if (st->resumed) {
                st->state = EP12_C_FLIGHT_R;
            } else {
                ep12_established(ep);
                st->state = EP12_C_DONE;
            }
            return 1;
        }
        break;
    default:
        break;
    }
    return ep12_unexpected(ev->msg, why, why_len);
}

static th_ep_next c_next(th_ep *ep) {
    ep12_st *st = ep12_state(ep);
    th_ep_next n = {TH_EP_NEXT_EXPECT, TH_SC_MSG_NONE};
    switch (st->state) {
    case EP12_C_INIT:
        if (!ep->done[TH_SC_MSG_CLIENT_HELLO]) {
            n.kind = TH_EP_NEXT_SEND;
            n.msg = TH_SC_MSG_CLIENT_HELLO;
            return n;
        }
        st->state = EP12_C_WAIT_SH;
        n.msg = TH_SC_MSG_SERVER_HELLO;
        return n;
    case EP12_C_WAIT_SH:
        n.msg = TH_SC_MSG_SERVER_HELLO;
        return n;
    case EP12_C_WAIT_CERT:
        n.msg = TH_SC_MSG_CERTIFICATE;
        return n;
    case EP12_C_WAIT_SKE:
        n.msg = TH_SC_MSG_SERVER_KEY_EXCHANGE;
        return n;
    case EP12_C_WAIT_SHD:
        n.msg = TH_SC_MSG_SERVER_HELLO_DONE;
        return n;
    case EP12_C_FLIGHT2:
        n.kind = TH_EP_NEXT_SEND;
        if (st->cert_requested && !ep->done[TH_SC_MSG_CERTIFICATE]) {
            n.msg = TH_SC_MSG_CERTIFICATE;
        } else if (!ep->done[TH_SC_MSG_CLIENT_KEY_EXCHANGE]) {
            n.msg = TH_SC_MSG_CLIENT_KEY_EXCHANGE;
        } else if (st->our_cert_nonempty && !ep->done[TH_SC_MSG_CERTIFICATE_VERIFY]) {
            n.msg = TH_SC_MSG_CERTIFICATE_VERIFY;
        } else if (!ep->done[TH_SC_MSG_FINISHED]) {
            n.msg = TH_SC_MSG_FINISHED;
        } else {
            st->state = EP12_C_WAIT_FIN;
            n.kind = TH_EP_NEXT_EXPECT;
            n.msg = TH_SC_MSG_FINISHED;
        }
        return n;
    case EP12_C_WAIT_FIN:
        n.msg = TH_SC_MSG_FINISHED;
        return n;
    case EP12_C_FLIGHT_R:
        if (!ep->done[TH_SC_MSG_FINISHED]) {
            n.kind = TH_EP_NEXT_SEND;
            n.msg = TH_SC_MSG_FINISHED;
            return n;
        }
        ep12_established(ep);
        st->state = EP12_C_DONE;
        n.kind = TH_EP_NEXT_DONE;
        return n;
    default:
        n.kind = TH_EP_NEXT_DONE;
        return n;
    }
}

int ep12_client_adopt(th_ep *ep) {
    if (!c_start(ep)) {
        return 0;
    }
    ep12_st *st = ep12_state(ep);
    /* The TLS 1.3 role's ClientHello is the only message so far. */
    if (ep->pending_th_len == 0 ||
        !ep12_offer_parse(ep->pending_th, ep->pending_th_len, &st->offer) ||
        !ep12_msgs_add(ep, ep->pending_th, ep->pending_th_len)) {
        return 0;
    }
    memcpy(ep->client_random, st->offer.random, 32);
    memcpy(ep->session_id, st->offer.session_id, st->offer.session_id_len);
    ep->session_id_len = st->offer.session_id_len;
    st->state = EP12_C_WAIT_SH;
    return 1;
}

const th_ep_role th_ep12_client_role = {
    .start = c_start,
    .build = c_build,
    .sent = c_sent,
    .recv = c_recv,
    .next = c_next,
    EP12_SHARED_OPS,
};
