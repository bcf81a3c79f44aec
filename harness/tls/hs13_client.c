/* The TLS 1.3 client handshake (RFC 8446 §2, §4) as a table of (state,
 * message type) → handler; conn.c answers anything else with
 * unexpected_message. */
#include <stdlib.h>
#include <string.h>

#include <openssl/mem.h>

#include "certificate_request.h"
#include "client_hello.h"
#include "empty_messages.h"
#include "conn_internal.h"
#include "encrypted_extensions.h"
#include "ext_types.h"
#include "hs12_internal.h"
#include "new_session_ticket.h"
#include "server_hello.h"

enum {
    CL_WAIT_SH = 1,   /* ClientHello sent */
    CL_WAIT_SH2,      /* second ClientHello sent after a HelloRetryRequest */
    CL_WAIT_EE,       /* handshake keys installed */
    CL_WAIT_CERT_CR,  /* CertificateRequest or Certificate */
    CL_WAIT_CERT,     /* Certificate after a CertificateRequest */
    CL_WAIT_CV,       /* CertificateVerify */
    CL_WAIT_FINISHED, /* server Finished */
    CL_DONE,          /* established: post-handshake messages */
};

static int suite_offered(th_conn *c, uint16_t suite);

/* Writes our ClientHello body: the first, or the second after a
 * HelloRetryRequest (then c->kex is in the selected group and c->cookie is
 * echoed, RFC 8446 §4.1.2). */
static int write_client_hello(th_conn *c, CBB *body) {
    size_t num_suites, num_groups, num_schemes;
    const uint16_t *suites = th_conn_suites(c, &num_suites);
    const uint16_t *groups = th_conn_groups(c, &num_groups);
    const uint16_t *schemes = th_conn_sig_schemes(c, &num_schemes);
    CBB sid, suite_list, comp, exts, ext;
    /* Offering TLS 1.2 too: the TLS 1.2 suites and extensions of
     * hs12_client.c join the ClientHello (RFC 8446 §4.1.2 keeps one format). */
    int tls12 = th_conn_version_enabled(c, TH_VERSION_TLS12);
    if (!CBB_add_u16(body, TH_VERSION_TLS12) ||
        !CBB_add_bytes(body, c->client_random, sizeof(c->client_random)) ||
        !CBB_add_u8_length_prefixed(body, &sid) ||
        !CBB_add_bytes(&sid, c->session_id, c->session_id_len) ||
        !CBB_add_u16_length_prefixed(body, &suite_list)) {
        return 0;
    }
    for (size_t i = 0; i < num_suites; i++) {
        if ((!tls12 || th_tls12_suite_find(suites[i]) == NULL) &&
            !CBB_add_u16(&suite_list, suites[i])) {
            return 0;
        }
    }
    if ((tls12 && !th_hs12_client_hello_suites(c, &suite_list)) ||
        !CBB_add_u8_length_prefixed(body, &comp) || !CBB_add_u8(&comp, 0) ||
        !CBB_add_u16_length_prefixed(body, &exts)) {
        return 0;
    }
    if (!th_client_add_server_name(c, &exts)) {
        return 0;
    }
    /* RFC 8446 §4.2.1: a TLS 1.3 ClientHello "MUST contain" supported_versions. */
    uint16_t versions[2] = {TH_VERSION_TLS13, TH_VERSION_TLS12};
    th_ext_supported_versions_ch sv = {versions, tls12 ? 2 : 1};
    th_ext_supported_groups sg = {(uint16_t *)groups, num_groups};
    th_key_share_entry share = {c->kex.group, {c->kex.public_key, c->kex.public_key_len}};
    th_ext_key_share_ch ks = {&share, 1};
    th_ext_signature_algorithms sa = {(uint16_t *)schemes, num_schemes};
    if (!th_client_add_ext(c, &exts, TH_EXT_SUPPORTED_VERSIONS, &ext) ||
        !th_write_ext_supported_versions_ch(&ext, &sv) ||
        !th_client_add_ext(c, &exts, TH_EXT_SUPPORTED_GROUPS, &ext) ||
        !th_write_ext_supported_groups(&ext, &sg) ||
        !th_client_add_ext(c, &exts, TH_EXT_KEY_SHARE, &ext) ||
        !th_write_ext_key_share_ch(&ext, &ks) ||
        !th_client_add_ext(c, &exts, TH_EXT_SIGNATURE_ALGORITHMS, &ext) ||
        !th_write_ext_signature_algorithms(&ext, &sa)) {
        return 0;
    }
    if (!th_client_add_alpn_and_rsl(c, &exts)) {
        return 0;
    }
    if (c->cookie != NULL) {
        th_ext_cookie cookie = {{c->cookie, c->cookie_len}};
        if (!th_client_add_ext(c, &exts, TH_EXT_COOKIE, &ext) ||
            !th_write_ext_cookie(&ext, &cookie)) {
            return 0;
        }
    }
    /* Always offered, so that servers send tickets (RFC 8446 §4.2.9). */
    uint8_t mode = c->cfg.psk_ke ? TH_PSK_MODE_KE : TH_PSK_MODE_DHE_KE;
    th_ext_psk_key_exchange_modes modes = {{&mode, 1}};
    if (!th_client_add_ext(c, &exts, TH_EXT_PSK_KEY_EXCHANGE_MODES, &ext) ||
        !th_write_ext_psk_key_exchange_modes(&ext, &modes)) {
        return 0;
    }
    /* RFC 8446 §4.2.6: post_handshake_auth has an empty body. */
    if (c->cfg.post_handshake_auth &&
        (!th_client_add_ext(c, &exts, TH_EXT_POST_HANDSHAKE_AUTH, &ext) || !CBB_flush(&exts))) {
        return 0;
    }
    /* RFC 8446 §4.2.10: "A client MUST NOT include the "early_data"
     * extension in its followup ClientHello" after a HelloRetryRequest. */
    if (c->early_writing && !c->hello_retry &&
        (!th_client_add_ext(c, &exts, TH_EXT_EARLY_DATA, &ext) || !CBB_flush(&exts))) {
        return 0;
    }
    if (tls12 && !th_hs12_client_hello_exts(c, &exts)) {
        return 0;
    }
    if (c->psk_offered) {
        /* RFC 8446 §4.2.11: ""pre_shared_key" MUST be the last extension
         * in the ClientHello". The binder is a placeholder here, computed
         * over Truncate(ClientHello) once the message is complete. */
        const th_session *sess = c->cfg.session;
        uint8_t zero[EVP_MAX_MD_SIZE] = {0};
        time_t now = th_conn_now(c);
        uint64_t age_ms = now > sess->received ? (uint64_t)(now - sess->received) * 1000 : 0;
        /* RFC 8446 §4.2.11.1: the age plus ticket_age_add "modulo 2^32". */
        th_psk_identity id = {{sess->ticket, sess->ticket_len}, (uint32_t)(age_ms + sess->age_add)};
        th_bytes binder = {zero, EVP_MD_size(th_suite_hash(sess->suite))};
        th_ext_pre_shared_key_ch psk = {&id, 1, &binder, 1, 0};
        if (!th_client_add_ext(c, &exts, TH_EXT_PRE_SHARED_KEY, &ext) ||
            !th_write_ext_pre_shared_key_ch(&ext, &psk)) {
            return 0;
        }
    }
    return CBB_flush(body);
}

/* Fills in the binder of our PSK (RFC 8446 §4.2.11.2): the MAC over the
 * Transcript-Hash of what precedes the ClientHello (after a
 * HelloRetryRequest: message_hash(ClientHello1) and the HRR) and
 * Truncate(ClientHello). */
static int write_binder(th_conn *c, uint8_t *msg, size_t len) {
    const EVP_MD *md = th_suite_hash(c->psk_suite);
    size_t trunc_len, hash_len = EVP_MD_size(md);
    uint8_t hash[EVP_MAX_MD_SIZE];
    unsigned md_len;
    th_secret binder;
    th_transcript t;
    memset(&t, 0, sizeof(t));
    if (!th_client_hello_truncated_len(msg, len, &trunc_len) || trunc_len + 3 + hash_len != len) {
        return 0;
    }
    int ok;
    if (c->transcript_ready) {
        ok = th_transcript_copy(&t, &c->transcript) && th_transcript_update(&t, msg, trunc_len) &&
             th_transcript_hash(&t, hash, &hash_len);
        th_transcript_cleanup(&t);
    } else {
        ok = EVP_Digest(msg, trunc_len, hash, &md_len, md, NULL);
    }
    ok = ok && th_tls13_psk_binder(&binder, md, &c->early_secret, 1, hash, hash_len) &&
         binder.len == hash_len;
    if (ok) {
        memcpy(msg + trunc_len + 3, binder.bytes, binder.len);
    }
    th_secret_cleanse(&binder);
    return ok;
}

/* Builds a ClientHello message into |*out_msg| (OPENSSL_free it). */
static int build_client_hello(th_conn *c, uint8_t **out_msg, size_t *out_len) {
    CBB cbb, body;
    if (!th_conn_begin_message(&cbb, &body, TH_HS_CLIENT_HELLO)) {
        return 0;
    }
    if (!write_client_hello(c, &body) || !CBB_finish(&cbb, out_msg, out_len)) {
        CBB_cleanup(&cbb);
        return 0;
    }
    if (c->psk_offered && !write_binder(c, *out_msg, *out_len)) {
        OPENSSL_free(*out_msg);
        *out_msg = NULL;
        return 0;
    }
    return 1;
}

/* 1 if the config's session can be offered: not expired, and an offered
 * suite has its hash (RFC 8446 §4.2.11: the PSK's hash must be the
 * negotiated suite's). */
static int session_usable(th_conn *c) {
    const th_session *s = c->cfg.session;
    if (s == NULL || s->ticket_len == 0 || s->version == TH_VERSION_TLS12) {
        return 0;
    }
    time_t now = th_conn_now(c);
    /* RFC 8446 §4.6.1: the ticket is not used past its lifetime. */
    if (now < s->received || (uint64_t)(now - s->received) >= s->lifetime) {
        return 0;
    }
    size_t n;
    const uint16_t *suites = th_conn_suites(c, &n);
    for (size_t i = 0; i < n; i++) {
        if (th_suite_hash(suites[i]) != NULL &&
            th_suite_hash(suites[i]) == th_suite_hash(s->suite)) {
            return 1;
        }
    }
    return 0;
}

/* Sends the 0-RTT data under client_early_traffic_secret =
 * Derive-Secret(Early Secret, "c e traffic", ClientHello) (RFC 8446 §7.1). */
static int send_early_data(th_conn *c) {
    const EVP_MD *md = th_suite_hash(c->psk_suite);
    uint8_t hash[EVP_MAX_MD_SIZE];
    unsigned hash_len;
    if (!EVP_Digest(c->ch1, c->ch1_len, hash, &hash_len, md, NULL) ||
        !th_tls13_derive_secret(&c->c_e, md, &c->early_secret, TH_TLS13_C_E_TRAFFIC, hash,
                                hash_len) ||
        !th_rl_dir_set_key(&c->wr, c->psk_suite, &c->c_e)) {
        return 0;
    }
    if (c->cfg.keylog != NULL) {
        char line[TH_KEYLOG_LINE_MAX];
        if (th_keylog_line(line, sizeof(line), TH_TLS13_C_E_TRAFFIC, c->client_random,
                           sizeof(c->client_random), &c->c_e)) {
            c->cfg.keylog(c->cfg.keylog_ctx, line);
        }
    }
    return th_conn_write_records(c, TH_CT_APPLICATION_DATA, c->cfg.early_data,
                                 c->cfg.early_data_len, 0);
}

int th_hs13_client_start(th_conn *c) {
    size_t num_groups;
    const uint16_t *groups = th_conn_groups(c, &num_groups);
    if (!th_kex_group_supported(groups[0])) {
        return 0;
    }
    c->sent_exts = calloc(1, sizeof(*c->sent_exts));
    if (c->sent_exts == NULL) {
        return 0;
    }
    th_conn_random(c, c->client_random, sizeof(c->client_random));
    if (c->cfg.middlebox_compat) {
        /* RFC 8446 §D.4: "the client MUST send a non-empty session ID". */
        th_conn_random(c, c->session_id, sizeof(c->session_id));
        c->session_id_len = sizeof(c->session_id);
    }
    if (!th_kex_generate(&c->kex, groups[0], th_conn_random_cb, c)) {
        return 0;
    }
    if (th_conn_version_enabled(c, TH_VERSION_TLS12)) {
        th_hs12_client_offer_session(c);
    }
    if (session_usable(c)) {
        const th_session *s = c->cfg.session;
        c->psk_offered = 1;
        c->psk_suite = s->suite;
        if (!th_tls13_early_secret(&c->early_secret, th_suite_hash(s->suite), s->psk.bytes,
                                   s->psk.len)) {
            return 0;
        }
        /* RFC 8446 §4.2.10: 0-RTT only with a ticket that allows it, within
         * its max_early_data_size, and with the ticket's suite offered. */
        c->early_writing = c->cfg.early_data_len != 0 && s->max_early_data != 0 &&
                           c->cfg.early_data_len <= s->max_early_data && suite_offered(c, s->suite);
        c->early_offered = c->early_writing;
    }
    if (!build_client_hello(c, &c->ch1, &c->ch1_len)) {
        return 0;
    }
    /* The transcript hash is unknown until the server picks the suite, so
     * ClientHello1 waits in c->ch1. */
    c->ccs_allowed = 1;
    c->hs_state = CL_WAIT_SH;
    /* RFC 8446 §D.4: with 0-RTT the change_cipher_spec goes right after the
     * ClientHello, before the first protected record (as BoringSSL). */
    return th_conn_write_records(c, TH_CT_HANDSHAKE, c->ch1, c->ch1_len, 0) &&
           (!c->early_writing || (th_conn_send_compat_ccs(c) && send_early_data(c)));
}

static int suite_offered(th_conn *c, uint16_t suite) {
    size_t n;
    const uint16_t *suites = th_conn_suites(c, &n);
    for (size_t i = 0; i < n; i++) {
        if (suites[i] == suite) {
            return 1;
        }
    }
    return 0;
}

static int group_offered(th_conn *c, uint16_t group) {
    size_t n;
    const uint16_t *groups = th_conn_groups(c, &n);
    for (size_t i = 0; i < n; i++) {
        if (groups[i] == group) {
            return 1;
        }
    }
    return 0;
}

/* Starts the transcript with the suite's hash and ClientHello1. */
static int start_transcript(th_conn *c, uint16_t suite) {
    c->md = th_suite_hash(suite);
    if (c->md == NULL || !th_transcript_init(&c->transcript, c->md) ||
        !th_transcript_update(&c->transcript, c->ch1, c->ch1_len)) {
        return 0;
    }
    c->transcript_ready = 1;
    return 1;
}

/* The HelloRetryRequest (RFC 8446 §4.1.4). */
static int handle_hrr(th_conn *c, const th_server_hello *sh, const uint8_t *msg, size_t msg_len,
                      uint8_t *out_alert) {
    CBS body;
    if (c->hs_state == CL_WAIT_SH2) {
        /* RFC 8446 §4.1.4: "If a client receives a second HelloRetryRequest
         * in the same connection ... it MUST abort the handshake with an
         * "unexpected_message" alert." */
        *out_alert = TH_ALERT_UNEXPECTED_MESSAGE;
        return 0;
    }
    const th_ext *ks = th_ext_block_find(&sh->extensions, TH_EXT_KEY_SHARE);
    const th_ext *cookie = th_ext_block_find(&sh->extensions, TH_EXT_COOKIE);
    /* RFC 8446 §4.1.4: "Clients MUST abort the handshake with an
     * "illegal_parameter" alert if the HelloRetryRequest would not result in
     * any change in the ClientHello." */
    if (ks == NULL && cookie == NULL) {
        *out_alert = TH_ALERT_ILLEGAL_PARAMETER;
        return 0;
    }
    uint16_t group = c->kex.group;
    if (ks != NULL) {
        th_ext_key_share_hrr hrr;
        CBS_init(&body, ks->body.data, ks->body.len);
        if (!th_parse_ext_key_share_hrr(&body, &hrr, out_alert)) {
            return 0;
        }
        /* RFC 8446 §4.2.8: "Upon receipt of this extension in a
         * HelloRetryRequest, the client MUST verify that (1) the
         * selected_group field corresponds to a group which was provided in
         * the "supported_groups" extension in the original ClientHello and
         * (2) the selected_group field does not correspond to a group which
         * was provided in the "key_share" extension in the original
         * ClientHello. If either of these checks fails, then the client MUST
         * abort the handshake with an "illegal_parameter" alert." */
        if (!group_offered(c, hrr.selected_group) || hrr.selected_group == c->kex.group ||
            !th_kex_group_supported(hrr.selected_group)) {
            *out_alert = TH_ALERT_ILLEGAL_PARAMETER;
            return 0;
        }
        group = hrr.selected_group;
    }
    if (cookie != NULL) {
        th_ext_cookie ck;
        CBS_init(&body, cookie->body.data, cookie->body.len);
        if (!th_parse_ext_cookie(&body, &ck, out_alert)) {
            return 0;
        }
        c->cookie = malloc(ck.cookie.len);
        if (c->cookie == NULL) {
            *out_alert = TH_ALERT_INTERNAL_ERROR;
            return 0;
        }
        memcpy(c->cookie, ck.cookie.data, ck.cookie.len);
        c->cookie_len = ck.cookie.len;
    }
    *out_alert = TH_ALERT_INTERNAL_ERROR;
    /* RFC 8446 §4.4.1: ClientHello1 is replaced by message_hash. */
    if (!start_transcript(c, sh->cipher_suite) || !th_transcript_hrr_rewrite(&c->transcript) ||
        !th_transcript_update(&c->transcript, msg, msg_len)) {
        return 0;
    }
    th_kex_cleanup(&c->kex);
    if (!th_kex_generate(&c->kex, group, th_conn_random_cb, c)) {
        return 0;
    }
    if (c->early_writing) {
        /* RFC 8446 §4.2.10: a HelloRetryRequest rejects the 0-RTT data;
         * the second ClientHello goes unprotected. */
        th_rl_dir_cleanup(&c->wr);
        c->early_writing = 0;
    }
    /* RFC 8446 §4.1.4: the PSK is offered again only if its hash is the
     * HelloRetryRequest suite's. */
    if (c->psk_offered && th_suite_hash(c->psk_suite) != th_suite_hash(sh->cipher_suite)) {
        c->psk_offered = 0;
    }
    uint8_t *ch2 = NULL;
    size_t ch2_len = 0;
    /* RFC 8446 §D.4: the change_cipher_spec "immediately before its second
     * flight", here the second ClientHello. */
    if (!th_conn_send_compat_ccs(c) || !build_client_hello(c, &ch2, &ch2_len)) {
        return 0;
    }
    int ok = th_conn_send_handshake(c, ch2, ch2_len);
    OPENSSL_free(ch2);
    c->hrr_suite = sh->cipher_suite;
    c->hello_retry = 1;
    c->hs_state = CL_WAIT_SH2;
    return ok;
}

static int client_server_hello(th_conn *c, const th_handshake *hs, const uint8_t *msg,
                               size_t msg_len, uint8_t *out_alert) {
    CBS cbs, body;
    th_server_hello sh;
    int ok = 0;
    /* RFC 8446 §D.5: "Any endpoint receiving a Hello message with ...
     * ServerHello.legacy_version set to 0x0300 MUST abort the handshake with
     * a "protocol_version" alert", whatever its extensions say (the TLS 1.2
     * extension rules the parser applies to such a ServerHello come after). */
    if (hs->body.len >= 2 && ((hs->body.data[0] << 8) | hs->body.data[1]) <= TH_VERSION_SSL3) {
        *out_alert = TH_ALERT_PROTOCOL_VERSION;
        return 0;
    }
    CBS_init(&cbs, hs->body.data, hs->body.len);
    if (!th_parse_server_hello(&cbs, &sh, out_alert)) {
        return 0;
    }
    const th_ext *sv_ext = th_ext_block_find(&sh.extensions, TH_EXT_SUPPORTED_VERSIONS);
    if (sv_ext == NULL && c->hs_state == CL_WAIT_SH && !c->early_offered &&
        th_conn_version_enabled(c, TH_VERSION_TLS12)) {
        /* A TLS 1.2 ServerHello (no supported_versions) to a first
         * ClientHello that offered TLS 1.2 too: hs12_client.c takes the
         * connection over (the downgrade sentinel is checked there). */
        th_server_hello_cleanup(&sh);
        return th_hs12_client_server_hello13(c, hs, msg, msg_len, out_alert);
    }
    if (sv_ext == NULL) {
        /* The server chose TLS 1.2 or below, which we did not offer. RFC
         * 8446 §4.1.3: a TLS 1.3 client that finds the downgrade sentinel
         * "MUST abort the handshake with an "illegal_parameter" alert". */
        *out_alert = th_server_hello_downgrade_sentinel(&sh) != TH_DOWNGRADE_NONE
                         ? TH_ALERT_ILLEGAL_PARAMETER
                         : TH_ALERT_PROTOCOL_VERSION;
        goto err;
    }
    th_ext_supported_versions_sh sv;
    CBS_init(&body, sv_ext->body.data, sv_ext->body.len);
    if (!th_parse_ext_supported_versions_sh(&body, &sv, out_alert)) {
        goto err;
    }
    *out_alert = TH_ALERT_ILLEGAL_PARAMETER;
    /* RFC 8446 §4.2.1: "If the "supported_versions" extension in the
     * ServerHello contains a version not offered by the client ..., the
     * client MUST abort the handshake with an "illegal_parameter" alert." */
    if (sv.selected_version != TH_VERSION_TLS13) {
        goto err;
    }
    /* RFC 8446 §4.1.3: "A client which receives a legacy_session_id_echo
     * field that does not match what it sent in the ClientHello MUST abort
     * the handshake with an "illegal_parameter" alert." */
    if (sh.legacy_session_id_echo.len != c->session_id_len ||
        CRYPTO_memcmp(sh.legacy_session_id_echo.data, c->session_id, c->session_id_len) != 0) {
        goto err;
    }
    /* RFC 8446 §4.1.3: "A client which receives a cipher suite that was not
     * offered MUST abort the handshake with an "illegal_parameter" alert." */
    if (!suite_offered(c, sh.cipher_suite) || th_suite_hash(sh.cipher_suite) == NULL) {
        goto err;
    }
    int is_hrr = th_server_hello_is_hrr(&sh);
    for (size_t i = 0; i < sh.extensions.num_exts; i++) {
        uint16_t type = sh.extensions.exts[i].type;
        /* RFC 8446 §4.2: responses only to what we sent, "with the
         * exception of the "cookie" extension in the HelloRetryRequest",
         * else "unsupported_extension". */
        if (is_hrr && type == TH_EXT_COOKIE) {
            continue;
        }
        if (!th_client_ext_sent(c, type)) {
            *out_alert = TH_ALERT_UNSUPPORTED_EXTENSION;
            goto err;
        }
    }
    if (is_hrr) {
        ok = handle_hrr(c, &sh, msg, msg_len, out_alert);
        goto err;
    }
    /* RFC 8446 §4.1.4: the ServerHello's cipher suite must be the
     * HelloRetryRequest's ("illegal_parameter" otherwise). */
    if (c->hello_retry && sh.cipher_suite != c->hrr_suite) {
        goto err;
    }
    const th_ext *psk_ext = th_ext_block_find(&sh.extensions, TH_EXT_PRE_SHARED_KEY);
    if (psk_ext != NULL) {
        th_ext_pre_shared_key_sh psk;
        CBS_init(&body, psk_ext->body.data, psk_ext->body.len);
        if (!th_parse_ext_pre_shared_key_sh(&body, &psk, out_alert)) {
            goto err;
        }
        /* RFC 8446 §4.2.11: "Clients MUST verify that the server's
         * selected_identity is within the range supplied by the client, that
         * the server selected a cipher suite indicating a Hash associated
         * with the PSK ... If these values are not consistent, the client
         * MUST abort the handshake with an "illegal_parameter" alert." (A
         * pre_shared_key we did not send is unsupported_extension above.) */
        if (!c->psk_offered || psk.selected_identity != 0 ||
            th_suite_hash(sh.cipher_suite) != th_suite_hash(c->psk_suite)) {
            *out_alert = TH_ALERT_ILLEGAL_PARAMETER;
            goto err;
        }
        c->resumed = 1;
        /* The PSK stands for the server authentication of its handshake. */
        c->peer_authenticated = c->cfg.session->peer_authenticated;
    }
    const th_ext *ks_ext = th_ext_block_find(&sh.extensions, TH_EXT_KEY_SHARE);
    uint8_t ecdhe[TH_KEX_MAX_SECRET];
    size_t ecdhe_len = 0;
    if (ks_ext == NULL) {
        /* Without PSK a key share is the only key exchange: missing_extension
         * (RFC 8446 §9.2). With a PSK accepted, RFC 8446 §4.2.11: "Clients
         * MUST verify ... that a server "key_share" extension is present if
         * required by the ClientHello "psk_key_exchange_modes" extension. If
         * these values are not consistent, the client MUST abort the
         * handshake with an "illegal_parameter" alert." */
        if (!c->resumed) {
            *out_alert = TH_ALERT_MISSING_EXTENSION;
            goto err;
        }
        if (!c->cfg.psk_ke) {
            *out_alert = TH_ALERT_ILLEGAL_PARAMETER;
            goto err;
        }
    } else {
        th_ext_key_share_sh ks;
        CBS_init(&body, ks_ext->body.data, ks_ext->body.len);
        if (!th_parse_ext_key_share_sh(&body, &ks, out_alert)) {
            goto err;
        }
        /* RFC 8446 §4.2.8: "If using (EC)DHE key establishment and a
         * HelloRetryRequest containing a "key_share" extension was received
         * by the client, the client MUST verify that the selected NamedGroup
         * in the ServerHello is the same as that in the HelloRetryRequest",
         * and the group must be one the client sent a share for:
         * illegal_parameter. A key share after we offered only psk_ke is a
         * mode we did not offer (§4.2.9): illegal_parameter too. */
        if (ks.share.group != c->kex.group || (c->resumed && c->cfg.psk_ke)) {
            *out_alert = TH_ALERT_ILLEGAL_PARAMETER;
            goto err;
        }
        if (!th_kex_compute(&c->kex, ks.share.key_exchange.data, ks.share.key_exchange.len, ecdhe,
                            &ecdhe_len, out_alert)) {
            goto err;
        }
        c->group = c->kex.group;
    }
    *out_alert = TH_ALERT_INTERNAL_ERROR;
    c->suite = sh.cipher_suite;
    c->version = TH_VERSION_TLS13;
    /* RFC 8446 §D.4: the change_cipher_spec before our encrypted flight,
     * queued before its key is installed (nothing protected precedes it). */
    ok = (c->transcript_ready || start_transcript(c, sh.cipher_suite)) &&
         th_transcript_update(&c->transcript, msg, msg_len) && th_conn_send_compat_ccs(c) &&
         th_conn_handshake_keys(c, ks_ext != NULL ? ecdhe : NULL, ecdhe_len);
    OPENSSL_cleanse(ecdhe, sizeof(ecdhe));
    th_kex_cleanup(&c->kex);
    c->hs_state = CL_WAIT_EE;
err:
    th_server_hello_cleanup(&sh);
    return ok;
}

static int client_encrypted_extensions(th_conn *c, const th_handshake *hs, const uint8_t *msg,
                                       size_t msg_len, uint8_t *out_alert) {
    CBS cbs;
    th_encrypted_extensions ee;
    int ok = 0;
    CBS_init(&cbs, hs->body.data, hs->body.len);
    if (!th_parse_encrypted_extensions(&cbs, &ee, out_alert)) {
        return 0;
    }
    for (size_t i = 0; i < ee.extensions.num_exts; i++) {
        const th_ext *ext = &ee.extensions.exts[i];
        /* RFC 8446 §4.2: "Implementations MUST NOT send extension responses
         * if the remote endpoint did not send the corresponding extension
         * requests ... Upon receiving such an extension, an endpoint MUST
         * abort the handshake with an "unsupported_extension" alert." */
        if (!th_client_ext_sent(c, ext->type)) {
            *out_alert = TH_ALERT_UNSUPPORTED_EXTENSION;
            goto err;
        }
        if (ext->type == TH_EXT_ALPN) {
            th_ext_alpn_sh alpn;
            CBS body = th_ext_body(ext);
            if (!th_parse_ext_alpn_sh(&body, &alpn, out_alert)) {
                goto err;
            }
            /* RFC 7301 §3.1: the server's choice must be one the client
             * offered; BoringSSL answers illegal_parameter. */
            int found = 0;
            for (size_t j = 0; j < c->cfg.num_alpn && !found; j++) {
                found = strlen(c->cfg.alpn[j]) == alpn.protocol.len &&
                        memcmp(c->cfg.alpn[j], alpn.protocol.data, alpn.protocol.len) == 0;
            }
            if (!found || alpn.protocol.len > TH_ALPN_MAX) {
                *out_alert = TH_ALERT_ILLEGAL_PARAMETER;
                goto err;
            }
            memcpy(c->alpn, alpn.protocol.data, alpn.protocol.len);
            c->alpn_len = alpn.protocol.len;
        }
        if (ext->type == TH_EXT_RECORD_SIZE_LIMIT) {
            th_ext_record_size_limit rsl;
            CBS body = th_ext_body(ext);
            if (!th_parse_ext_record_size_limit(&body, &rsl, out_alert)) {
                goto err;
            }
            /* RFC 8449 §4: negotiated. We "MUST NOT generate a protected
             * record with plaintext that is larger than the RecordSizeLimit
             * value it receives from its peer"; ours now binds the server. */
            if (!th_rl_dir_set_record_size_limit(&c->wr, rsl.limit) ||
                !th_rl_dir_set_record_size_limit(&c->rd, th_conn_our_record_size_limit(c))) {
                *out_alert = TH_ALERT_ILLEGAL_PARAMETER;
                goto err;
            }
            c->peer_rsl = rsl.limit;
        }
        if (ext->type == TH_EXT_EARLY_DATA) {
            /* Only an answer to the early_data of ClientHello1 (not after a
             * HelloRetryRequest); RFC 8446 §4.2.10: "If the server has
             * supplied an "early_data" extension, the client MUST verify that
             * the server's selected_identity is 0. If any other value is
             * returned, the client MUST abort the handshake with an
             * "illegal_parameter" alert." */
            if (!c->early_writing) {
                *out_alert = TH_ALERT_UNSUPPORTED_EXTENSION;
                goto err;
            }
            if (!c->resumed || c->suite != c->psk_suite) {
                *out_alert = TH_ALERT_ILLEGAL_PARAMETER;
                goto err;
            }
            c->early_accepted = 1;
        }
    }
    /* RFC 8446 §4.2.10: accepting early data needs the ALPN protocol of
     * the ticket; BoringSSL answers a mismatch with illegal_parameter. */
    const th_session *sess = c->cfg.session;
    if (c->early_accepted &&
        (c->alpn_len != sess->alpn_len || memcmp(c->alpn, sess->alpn, c->alpn_len) != 0)) {
        *out_alert = TH_ALERT_ILLEGAL_PARAMETER;
        goto err;
    }
    *out_alert = TH_ALERT_INTERNAL_ERROR;
    ok = th_transcript_update(&c->transcript, msg, msg_len);
    if (ok && c->early_writing && !c->early_accepted) {
        /* Rejected 0-RTT: the handshake key protects what follows. */
        c->early_writing = 0;
        ok = th_conn_set_write_key(c, &c->c_hs);
    }
    /* RFC 8446 §4.4.2: "If the server is authenticating via a PSK, it does
     * not send Certificate", nor a CertificateRequest (§4.3.2). */
    c->hs_state = c->resumed ? CL_WAIT_FINISHED : CL_WAIT_CERT_CR;
err:
    th_encrypted_extensions_cleanup(&ee);
    return ok;
}

static int client_certificate_request(th_conn *c, const th_handshake *hs, const uint8_t *msg,
                                      size_t msg_len, uint8_t *out_alert) {
    CBS cbs, body;
    th_certificate_request cr;
    th_ext_signature_algorithms sa = {NULL, 0};
    int ok = 0;
    CBS_init(&cbs, hs->body.data, hs->body.len);
    if (!th_parse_certificate_request(&cbs, &cr, out_alert)) {
        return 0;
    }
    /* RFC 8446 §4.3.2: the context "SHALL be zero length unless used for the
     * post-handshake authentication exchanges". */
    if (cr.certificate_request_context.len != 0) {
        *out_alert = TH_ALERT_ILLEGAL_PARAMETER;
        goto err;
    }
    const th_ext *ext = th_ext_block_find(&cr.extensions, TH_EXT_SIGNATURE_ALGORITHMS);
    if (ext == NULL) {
        /* RFC 8446 §4.3.2: "The "signature_algorithms" extension MUST be
         * specified". */
        *out_alert = TH_ALERT_MISSING_EXTENSION;
        goto err;
    }
    body = th_ext_body(ext);
    if (!th_parse_ext_signature_algorithms(&body, &sa, out_alert)) {
        goto err;
    }
    free(c->cr_sig_algs);
    c->cr_sig_algs = sa.sig_algs;
    c->num_cr_sig_algs = sa.num_sig_algs;
    *out_alert = TH_ALERT_INTERNAL_ERROR;
    ok = th_transcript_update(&c->transcript, msg, msg_len);
    c->cert_requested = 1;
    c->hs_state = CL_WAIT_CERT;
err:
    th_certificate_request_cleanup(&cr);
    return ok;
}

static int client_certificate(th_conn *c, const th_handshake *hs, const uint8_t *msg,
                              size_t msg_len, uint8_t *out_alert) {
    int empty;
    if (!th_conn_recv_certificate(c, hs, msg, msg_len, NULL, 0, &empty, out_alert)) {
        return 0;
    }
    if (empty) {
        /* RFC 8446 §4.4.2.4: a server's empty Certificate is decode_error. */
        *out_alert = th_alert_empty_server_chain(TH_VERSION_TLS13);
        return 0;
    }
    c->hs_state = CL_WAIT_CV;
    return 1;
}

static int client_certificate_verify(th_conn *c, const th_handshake *hs, const uint8_t *msg,
                                     size_t msg_len, uint8_t *out_alert) {
    size_t n;
    const uint16_t *schemes = th_conn_sig_schemes(c, &n);
    if (!th_conn_recv_certificate_verify(c, hs, msg, msg_len, schemes, n, TH_CV_SERVER,
                                         out_alert)) {
        return 0;
    }
    c->hs_state = CL_WAIT_FINISHED;
    return 1;
}

/* Our chain and signature scheme for a client CertificateVerify: the first
 * candidate with a chain whose key can make a scheme the CertificateRequest
 * lists (c->cert_key); 0 if none. */
static uint16_t client_sig_scheme(th_conn *c) {
    for (size_t i = 0; i < th_conn_num_cert_keys(c); i++) {
        const th_cert_key *ck = th_conn_cert_key_at(c, i);
        if (ck->key == NULL || ck->num_chain == 0) {
            continue;
        }
        uint16_t scheme = th_conn_sig_scheme_for(c, ck, c->cr_sig_algs, c->num_cr_sig_algs);
        if (scheme != 0) {
            c->cert_key = ck;
            return scheme;
        }
    }
    return 0;
}

static int client_finished(th_conn *c, const th_handshake *hs, const uint8_t *msg, size_t msg_len,
                           uint8_t *out_alert) {
    if (!th_conn_check_finished(c, hs, msg, msg_len, &c->s_hs, out_alert)) {
        return 0;
    }
    *out_alert = TH_ALERT_INTERNAL_ERROR;
    if (!th_conn_application_secrets(c) || !th_rl_dir_set_key(&c->rd, c->suite, &c->s_ap)) {
        return 0;
    }
    c->read_key_changed = 1;
    if (c->early_writing) {
        /* RFC 8446 §4.5: EndOfEarlyData under the early traffic key, then
         * the handshake key for the rest of the flight. */
        CBB cbb, body;
        th_end_of_early_data eoed;
        memset(&eoed, 0, sizeof(eoed));
        if (!th_conn_begin_message(&cbb, &body, TH_HS_END_OF_EARLY_DATA)) {
            return 0;
        }
        if (!th_write_end_of_early_data(&body, &eoed)) {
            CBB_cleanup(&cbb);
            return 0;
        }
        if (!th_conn_finish_message(c, &cbb) || !th_conn_set_write_key(c, &c->c_hs)) {
            return 0;
        }
        c->early_writing = 0;
    }
    if (c->cert_requested) {
        /* RFC 8446 §4.4.2: "If the server requests client authentication but
         * no suitable certificate is available, the client MUST send a
         * Certificate message containing no certificates." */
        uint16_t scheme = client_sig_scheme(c);
        if (!th_conn_send_certificate(c, NULL, 0, scheme != 0, scheme, TH_CV_CLIENT)) {
            return 0;
        }
    }
    /* RFC 8446 §7.1: resumption_master_secret covers ClientHello..client
     * Finished. */
    if (!th_conn_send_finished(c, &c->c_hs) ||
        !th_conn_derive(c, &c->res_master, &c->master_secret, TH_TLS13_RES_MASTER) ||
        !th_conn_set_write_key(c, &c->c_ap)) {
        return 0;
    }
    c->pha_offered = c->cfg.post_handshake_auth;
    if (!th_conn_pha_save(c)) {
        return 0;
    }
    th_conn_established(c);
    c->hs_state = CL_DONE;
    return 1;
}

static int client_new_session_ticket(th_conn *c, const th_handshake *hs, const uint8_t *msg,
                                     size_t msg_len, uint8_t *out_alert) {
    CBS cbs;
    th_new_session_ticket nst;
    CBS_init(&cbs, hs->body.data, hs->body.len);
    if (!th_parse_new_session_ticket(&cbs, &nst, out_alert)) {
        return 0;
    }
    int ok = th_conn_store_ticket(c, &nst, out_alert);
    th_new_session_ticket_cleanup(&nst);
    c->tickets_received += ok;
    return ok;
}

/* A post-handshake CertificateRequest (RFC 8446 §4.6.2): answered at once
 * with Certificate (+ CertificateVerify) and Finished under the current
 * client_application_traffic_secret. */
static int client_post_handshake_cr(th_conn *c, const th_handshake *hs, const uint8_t *msg,
                                    size_t msg_len, uint8_t *out_alert) {
    CBS cbs, body;
    th_certificate_request cr;
    th_ext_signature_algorithms sa = {NULL, 0};
    int ok = 0;
    /* RFC 8446 §4.6.2: "A client that receives a CertificateRequest message
     * without having sent the "post_handshake_auth" extension MUST send an
     * "unexpected_message" fatal alert." */
    if (!c->pha_offered) {
        *out_alert = TH_ALERT_UNEXPECTED_MESSAGE;
        return 0;
    }
    CBS_init(&cbs, hs->body.data, hs->body.len);
    if (!th_parse_certificate_request(&cbs, &cr, out_alert)) {
        return 0;
    }
    if (c->we_closed) {
        /* RFC 8446 §6.1: nothing follows our close_notify; the request goes
         * unanswered. */
        th_certificate_request_cleanup(&cr);
        return 1;
    }
    const th_ext *ext = th_ext_block_find(&cr.extensions, TH_EXT_SIGNATURE_ALGORITHMS);
    if (ext == NULL) {
        /* RFC 8446 §4.3.2: "The "signature_algorithms" extension MUST be
         * specified". */
        *out_alert = TH_ALERT_MISSING_EXTENSION;
        goto err;
    }
    body = th_ext_body(ext);
    if (!th_parse_ext_signature_algorithms(&body, &sa, out_alert)) {
        goto err;
    }
    free(c->cr_sig_algs);
    c->cr_sig_algs = sa.sig_algs;
    c->num_cr_sig_algs = sa.num_sig_algs;
    *out_alert = TH_ALERT_INTERNAL_ERROR;
    if (!th_conn_pha_begin(c) || !th_transcript_update(&c->transcript, msg, msg_len)) {
        goto err;
    }
    uint16_t scheme = client_sig_scheme(c);
    /* RFC 8446 §4.4: post-handshake, the Finished base key is
     * client_application_traffic_secret_N, our current write secret. */
    ok = th_conn_send_certificate(c, cr.certificate_request_context.data,
                                  cr.certificate_request_context.len, scheme != 0, scheme,
                                  TH_CV_CLIENT) &&
         th_conn_send_finished(c, &c->wr.traffic_secret) && th_conn_flush_flight(c);
err:
    th_conn_pha_end(c);
    free(c->cr_sig_algs);
    c->cr_sig_algs = NULL;
    c->num_cr_sig_algs = 0;
    th_certificate_request_cleanup(&cr);
    return ok;
}

const th_hs_row th_hs13_client_table[] = {
    {CL_WAIT_SH, TH_HS_SERVER_HELLO, client_server_hello},
    {CL_WAIT_SH2, TH_HS_SERVER_HELLO, client_server_hello},
    {CL_WAIT_EE, TH_HS_ENCRYPTED_EXTENSIONS, client_encrypted_extensions},
    {CL_WAIT_CERT_CR, TH_HS_CERTIFICATE_REQUEST, client_certificate_request},
    {CL_WAIT_CERT_CR, TH_HS_CERTIFICATE, client_certificate},
    {CL_WAIT_CERT, TH_HS_CERTIFICATE, client_certificate},
    {CL_WAIT_CV, TH_HS_CERTIFICATE_VERIFY, client_certificate_verify},
    {CL_WAIT_FINISHED, TH_HS_FINISHED, client_finished},
    {CL_DONE, TH_HS_NEW_SESSION_TICKET, client_new_session_ticket},
    {CL_DONE, TH_HS_KEY_UPDATE, th_conn_recv_key_update},
    {CL_DONE, TH_HS_CERTIFICATE_REQUEST, client_post_handshake_cr},
};
const size_t th_hs13_client_table_len =
    sizeof(th_hs13_client_table) / sizeof(th_hs13_client_table[0]);
