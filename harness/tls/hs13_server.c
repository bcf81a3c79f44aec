/* The TLS 1.3 server handshake (RFC 8446 §2, §4) as a table of (state,
 * message type) → handler; conn.c answers anything else with
 * unexpected_message. */
#include <stdlib.h>
#include <string.h>

#include <openssl/hmac.h>
#include <openssl/mem.h>
#include <openssl/x509v3.h>

#include "client_hello.h"
#include "conn_internal.h"
#include "empty_messages.h"
#include "ext_types.h"
#include "server_hello.h"

enum {
    SV_WAIT_CH = 0,   /* nothing received (a zeroed connection) */
    SV_WAIT_CH2,      /* HelloRetryRequest sent */
    SV_WAIT_CERT,     /* client Certificate after our CertificateRequest */
    SV_WAIT_CV,       /* client CertificateVerify */
    SV_WAIT_FINISHED, /* client Finished */
    SV_WAIT_EOED,     /* 0-RTT data accepted: application data, EndOfEarlyData */
    SV_DONE,          /* established: post-handshake messages */
    SV_PHA_CERT,      /* post-handshake CertificateRequest sent */
    SV_PHA_CV,        /* its CertificateVerify */
    SV_PHA_FINISHED,  /* its Finished */
};

static int in_list(const uint16_t *list, size_t num, uint16_t v) {
    for (size_t i = 0; i < num; i++) {
        if (list[i] == v) {
            return 1;
        }
    }
    return 0;
}

/* Writes a ServerHello or HelloRetryRequest (|hrr|) message and sends it. */
static int send_server_hello(th_conn *c, int hrr) {
    CBB cbb, body, sid, exts, ext;
    uint8_t random[TH_RANDOM_LEN];
    if (hrr) {
        memcpy(random, th_hrr_random, sizeof(random));
    } else {
        th_conn_random(c, random, sizeof(random));
    }
    if (!th_conn_begin_message(&cbb, &body, TH_HS_SERVER_HELLO)) {
        return 0;
    }
    th_ext_supported_versions_sh sv = {TH_VERSION_TLS13};
    th_ext_key_share_hrr ks_hrr = {c->group};
    th_ext_key_share_sh ks = {{c->group, {c->kex.public_key, c->kex.public_key_len}}};
    th_ext_pre_shared_key_sh psk = {0};
    th_ext_cookie cookie = {{c->cookie, c->cookie_len}};
    int with_share = hrr || !c->resumed || c->psk_dhe;
    if (!CBB_add_u16(&body, TH_VERSION_TLS12) || !CBB_add_bytes(&body, random, sizeof(random)) ||
        !CBB_add_u8_length_prefixed(&body, &sid) ||
        !CBB_add_bytes(&sid, c->session_id, c->session_id_len) || !CBB_add_u16(&body, c->suite) ||
        !CBB_add_u8(&body, 0) || !CBB_add_u16_length_prefixed(&body, &exts) ||
        !CBB_add_u16(&exts, TH_EXT_SUPPORTED_VERSIONS) ||
        !CBB_add_u16_length_prefixed(&exts, &ext) ||
        !th_write_ext_supported_versions_sh(&ext, &sv) ||
        (with_share &&
         (!CBB_add_u16(&exts, TH_EXT_KEY_SHARE) || !CBB_add_u16_length_prefixed(&exts, &ext) ||
          !(hrr ? th_write_ext_key_share_hrr(&ext, &ks_hrr)
                : th_write_ext_key_share_sh(&ext, &ks)))) ||
        (hrr && c->cookie != NULL &&
         (!CBB_add_u16(&exts, TH_EXT_COOKIE) || !CBB_add_u16_length_prefixed(&exts, &ext) ||
          !th_write_ext_cookie(&ext, &cookie))) ||
        (!hrr && c->resumed &&
         (!CBB_add_u16(&exts, TH_EXT_PRE_SHARED_KEY) || !CBB_add_u16_length_prefixed(&exts, &ext) ||
          !th_write_ext_pre_shared_key_sh(&ext, &psk)))) {
        CBB_cleanup(&cbb);
        return 0;
    }
    return th_conn_finish_message(c, &cbb);
}

/* Makes the HelloRetryRequest cookie (RFC 8446 §4.2.2): HMAC-SHA256 under a
 * fresh per-connection key over the first ClientHello and the selected group,
 * kept in c->cookie so the second ClientHello's copy can be compared. */
static int make_hrr_cookie(th_conn *c, const uint8_t *ch1, size_t ch1_len) {
    uint8_t key[32], group[2] = {(uint8_t)(c->group >> 8), (uint8_t)c->group};
    unsigned mac_len = 0;
    uint8_t *mac = malloc(EVP_MAX_MD_SIZE);
    if (mac == NULL) {
        return 0;
    }
    th_conn_random(c, key, sizeof(key));
    HMAC_CTX hmac;
    HMAC_CTX_init(&hmac);
    int ok = HMAC_Init_ex(&hmac, key, sizeof(key), EVP_sha256(), NULL) &&
             HMAC_Update(&hmac, ch1, ch1_len) && HMAC_Update(&hmac, group, sizeof(group)) &&
             HMAC_Final(&hmac, mac, &mac_len);
    HMAC_CTX_cleanup(&hmac);
    OPENSSL_cleanse(key, sizeof(key));
    if (!ok) {
        free(mac);
        return 0;
    }
    free(c->cookie);
    c->cookie = mac;
    c->cookie_len = mac_len;
    return 1;
}

/* Extensions the second ClientHello may change (RFC 8446 §4.1.2: "the
 * client MUST send the same ClientHello without modification, except as
 * follows": key_share replaced, early_data removed, cookie added,
 * pre_shared_key updated, padding altered). */
static int ch2_may_change(uint16_t type) {
    return type == TH_EXT_KEY_SHARE || type == TH_EXT_EARLY_DATA || type == TH_EXT_COOKIE ||
           type == TH_EXT_PRE_SHARED_KEY || type == TH_EXT_PADDING;
}

/* The next extension of |b| from *|i| on that CH2 may not change, or NULL. */
static const th_ext *next_fixed_ext(const th_ext_block *b, size_t *i) {
    while (*i < b->num_exts && ch2_may_change(b->exts[*i].type)) {
        (*i)++;
    }
    return *i < b->num_exts ? &b->exts[(*i)++] : NULL;
}

static int bytes_equal(th_bytes a, th_bytes b) {
    return a.len == b.len && (a.len == 0 || memcmp(a.data, b.data, a.len) == 0);
}

/* 1 if the second ClientHello |ch2| is the first (c->ch1) but for what RFC
 * 8446 §4.1.2 lets it change; the alert otherwise is illegal_parameter (the
 * RFC names none; §6: "semantically invalid"). */
static int same_client_hello(const th_conn *c, const th_client_hello *ch2) {
    th_client_hello ch1;
    uint8_t alert;
    CBS cbs;
    if (c->ch1 == NULL || c->ch1_len < TH_HANDSHAKE_HEADER_LEN) {
        return 0;
    }
    CBS_init(&cbs, c->ch1 + TH_HANDSHAKE_HEADER_LEN, c->ch1_len - TH_HANDSHAKE_HEADER_LEN);
    if (!th_parse_client_hello(&cbs, &ch1, &alert)) {
        return 0;
    }
    int same = ch1.legacy_version == ch2->legacy_version &&
               memcmp(ch1.random, ch2->random, TH_RANDOM_LEN) == 0 &&
               bytes_equal(ch1.legacy_session_id, ch2->legacy_session_id) &&
               ch1.num_cipher_suites == ch2->num_cipher_suites &&
               memcmp(ch1.cipher_suites, ch2->cipher_suites,
                      ch1.num_cipher_suites * sizeof(uint16_t)) == 0 &&
               bytes_equal(ch1.legacy_compression_methods, ch2->legacy_compression_methods);
    size_t i = 0, j = 0;
    while (same) {
        const th_ext *a = next_fixed_ext(&ch1.extensions, &i);
        const th_ext *b = next_fixed_ext(&ch2->extensions, &j);
        if (a == NULL || b == NULL) {
            same = a == b;
            break;
        }
        same = a->type == b->type && bytes_equal(a->body, b->body);
    }
    th_client_hello_cleanup(&ch1);
    return same;
}

/* Checks the second ClientHello's cookie against the one our
 * HelloRetryRequest carried. */
static int check_hrr_cookie(const th_conn *c, const th_client_hello *ch, uint8_t *out_alert) {
    if (c->cookie == NULL) {
        return 1;
    }
    const th_ext *ext = th_ext_block_find(&ch->extensions, TH_EXT_COOKIE);
    if (ext == NULL) {
        /* RFC 8446 §4.2.2: "When sending the new ClientHello, the client
         * MUST copy the contents of the extension received in the
         * HelloRetryRequest into a "cookie" extension in the new
         * ClientHello"; an absent required extension is missing_extension
         * (§6.2). */
        *out_alert = TH_ALERT_MISSING_EXTENSION;
        return 0;
    }
    th_ext_cookie ck;
    CBS body = th_ext_body(ext);
    if (!th_parse_ext_cookie(&body, &ck, out_alert)) {
        return 0;
    }
    if (ck.cookie.len != c->cookie_len ||
        CRYPTO_memcmp(ck.cookie.data, c->cookie, c->cookie_len) != 0) {
        /* RFC 8446 §4.2.2: the contents must be copied unchanged; a changed
         * value is a semantic error, illegal_parameter (§6). */
        *out_alert = TH_ALERT_ILLEGAL_PARAMETER;
        return 0;
    }
    return 1;
}

static int send_encrypted_extensions(th_conn *c) {
    CBB cbb, body, exts, ext, list, name;
    if (!th_conn_begin_message(&cbb, &body, TH_HS_ENCRYPTED_EXTENSIONS) ||
        !CBB_add_u16_length_prefixed(&body, &exts)) {
        return 0;
    }
    if (c->alpn_len != 0 &&
        (!CBB_add_u16(&exts, TH_EXT_ALPN) || !CBB_add_u16_length_prefixed(&exts, &ext) ||
         !CBB_add_u16_length_prefixed(&ext, &list) || !CBB_add_u8_length_prefixed(&list, &name) ||
         !CBB_add_bytes(&name, c->alpn, c->alpn_len))) {
        CBB_cleanup(&cbb);
        return 0;
    }
    th_ext_record_size_limit rsl = {th_conn_our_record_size_limit(c)};
    if (c->peer_rsl != 0 && (!CBB_add_u16(&exts, TH_EXT_RECORD_SIZE_LIMIT) ||
                             !CBB_add_u16_length_prefixed(&exts, &ext) ||
                             !th_write_ext_record_size_limit(&ext, &rsl))) {
        CBB_cleanup(&cbb);
        return 0;
    }
    if (c->early_accepted && (!CBB_add_u16(&exts, TH_EXT_EARLY_DATA) || !CBB_add_u16(&exts, 0))) {
        CBB_cleanup(&cbb);
        return 0;
    }
    return th_conn_finish_message(c, &cbb);
}

static int send_certificate_request(th_conn *c, const uint8_t *context, size_t context_len) {
    CBB cbb, body, ctx, exts, ext;
    size_t n;
    const uint16_t *schemes = th_conn_sig_schemes(c, &n);
    th_ext_signature_algorithms sa = {(uint16_t *)schemes, n};
    if (!th_conn_begin_message(&cbb, &body, TH_HS_CERTIFICATE_REQUEST)) {
        return 0;
    }
    if (!CBB_add_u8_length_prefixed(&body, &ctx) || !CBB_add_bytes(&ctx, context, context_len) ||
        !CBB_add_u16_length_prefixed(&body, &exts) ||
        !CBB_add_u16(&exts, TH_EXT_SIGNATURE_ALGORITHMS) ||
        !CBB_add_u16_length_prefixed(&exts, &ext) ||
        !th_write_ext_signature_algorithms(&ext, &sa)) {
        CBB_cleanup(&cbb);
        return 0;
    }
    return th_conn_finish_message(c, &cbb);
}

/* RFC 8449: a client's record_size_limit is honoured (our records toward it
 * from EncryptedExtensions on) and answered with ours. */
static int note_record_size_limit(th_conn *c, const th_client_hello *ch, uint8_t *out_alert) {
    const th_ext *ext = th_ext_block_find(&ch->extensions, TH_EXT_RECORD_SIZE_LIMIT);
    c->peer_rsl = 0;
    if (ext == NULL) {
        return 1;
    }
    th_ext_record_size_limit rsl;
    CBS body = th_ext_body(ext);
    if (!th_parse_ext_record_size_limit(&body, &rsl, out_alert)) {
        return 0;
    }
    if (!th_rl_dir_set_record_size_limit(&c->wr, rsl.limit)) {
        *out_alert = TH_ALERT_ILLEGAL_PARAMETER;
        return 0;
    }
    c->peer_rsl = rsl.limit;
    return 1;
}

/* RFC 8449 §4: "Records are subject to the limits that were set in the
 * handshake that produces the keys that are used to protect those records":
 * ours binds the client from its handshake key on (not 0-RTT data). */
static int enforce_our_record_size_limit(th_conn *c) {
    return c->peer_rsl == 0 ||
           th_rl_dir_set_record_size_limit(&c->rd, th_conn_our_record_size_limit(c));
}

/* Our chain (c->cert_key) and CertificateVerify scheme. Of the candidates
 * (th_conn_cert_key_at) that can sign a scheme the client lists: the first
 * whose leaf matches the client's server_name, else the first. RFC 8446
 * §4.4.2.2: the certificate "MUST be appropriate for the negotiated cipher
 * suite's authentication algorithm" and, with server_name, "SHOULD" match
 * it; a name match the client cannot verify is no use. */
static int choose_cert(th_conn *c, const th_client_hello *ch, uint16_t *out_scheme,
                       uint8_t *out_alert) {
    const th_ext *ext = th_ext_block_find(&ch->extensions, TH_EXT_SIGNATURE_ALGORITHMS);
    if (ext == NULL) {
        /* RFC 8446 §9.2: certificate authentication needs it. */
        *out_alert = TH_ALERT_MISSING_EXTENSION;
        return 0;
    }
    th_ext_signature_algorithms sa;
    CBS body = th_ext_body(ext);
    if (!th_parse_ext_signature_algorithms(&body, &sa, out_alert)) {
        return 0;
    }
    size_t n = th_conn_num_cert_keys(c);
    const th_cert_key *chosen = NULL;
    uint16_t chosen_scheme = 0;
    for (size_t i = 0; i < n; i++) {
        const th_cert_key *ck = th_conn_cert_key_at(c, i);
        uint16_t scheme = th_conn_sig_scheme_for(c, ck, sa.sig_algs, sa.num_sig_algs);
        if (scheme == 0) {
            continue;
        }
        /* With one usable candidate there is no choice to make by name. */
        if (chosen == NULL) {
            chosen = ck;
            chosen_scheme = scheme;
            if (n == 1) {
                break;
            }
        }
        if (th_server_leaf_matches_name(c, ck)) {
            chosen = ck;
            chosen_scheme = scheme;
            break;
        }
    }
    th_ext_signature_algorithms_cleanup(&sa);
    if (chosen == NULL) {
        /* RFC 8446 §4.4.3 and BoringSSL: no common scheme is
         * handshake_failure. */
        *out_alert = TH_ALERT_HANDSHAKE_FAILURE;
        return 0;
    }
    c->cert_key = chosen;
    *out_scheme = chosen_scheme;
    return 1;
}

/* Our flight after ServerHello: EncryptedExtensions, CertificateRequest,
 * Certificate, CertificateVerify, Finished; then the application secrets. */
static int send_server_flight(th_conn *c, uint16_t scheme) {
    /* RFC 8446 §4.3.2 and §4.4.2: no CertificateRequest nor Certificate
     * when authenticating with a PSK. */
    if (!send_encrypted_extensions(c) ||
        (!c->resumed && c->cfg.request_client_cert && !send_certificate_request(c, NULL, 0)) ||
        (!c->resumed && !th_conn_send_certificate(c, NULL, 0, 1, scheme, TH_CV_SERVER)) ||
        !th_conn_send_finished(c, &c->s_hs) || !th_conn_application_secrets(c)) {
        return 0;
    }
    return th_conn_set_write_key(c, &c->s_ap);
}

/* RFC 8446 §D.4: "The server sends a dummy change_cipher_spec record
 * immediately after its first handshake message", when the client is in
 * compatibility mode, which its non-empty session id says. */
static int send_compat_ccs(th_conn *c) {
    return c->session_id_len == 0 || th_conn_send_compat_ccs(c);
}

/* Largest early data skipped when 0-RTT is rejected and the config sets no
 * max_early_data (BoringSSL's limit). */
#define EARLY_SKIP_DEFAULT 16384

/* Largest difference (ms) between the client's view of the ticket age and
 * ours for 0-RTT (RFC 8446 §8.3 freshness check). */
#define TICKET_AGE_WINDOW_MS 10000

/* Picks the PSK of the ClientHello (RFC 8446 §4.2.11): the first identity
 * that is a ticket of ours, unexpired, with the hash of |suite|, in a mode
 * the client offers, from a handshake that authenticated the client when the
 * config requires it (resumption then carries that authentication). Unknown, expired or
 * incompatible tickets are ignored (a full handshake). The chosen one's binder is checked over
 * Truncate(ClientHello) after what the transcript already holds
 * (HelloRetryRequest, §4.2.11.2): decrypt_error if wrong. 1 with c->resumed
 * set or not; *out_tk and *out_index describe the chosen ticket, *out_fresh
 * whether the client's ticket age agrees with ours (RFC 8446 §8.3). */
static int choose_psk(th_conn *c, const th_client_hello *ch, const uint8_t *msg, size_t msg_len,
                      uint16_t suite, th_ticket_state *out_tk, size_t *out_index, int *out_fresh,
                      uint8_t *out_alert) {
    const th_ext *ext = th_ext_block_find(&ch->extensions, TH_EXT_PRE_SHARED_KEY);
    const th_ext *modes_ext = th_ext_block_find(&ch->extensions, TH_EXT_PSK_KEY_EXCHANGE_MODES);
    c->resumed = 0;
    c->peer_authenticated = 0;
    c->client_psk_modes = 0;
    if (modes_ext != NULL) {
        th_ext_psk_key_exchange_modes modes;
        CBS body;
        CBS_init(&body, modes_ext->body.data, modes_ext->body.len);
        if (!th_parse_ext_psk_key_exchange_modes(&body, &modes, out_alert)) {
            return 0;
        }
        for (size_t i = 0; i < modes.modes.len; i++) {
            if (modes.modes.data[i] <= TH_PSK_MODE_DHE_KE) {
                c->client_psk_modes |= (uint8_t)(1u << modes.modes.data[i]);
            }
        }
    }
    if (ext == NULL || c->cfg.tickets == NULL || c->client_psk_modes == 0) {
        return 1;
    }
    th_ext_pre_shared_key_ch psk;
    CBS body = th_ext_body(ext);
    if (!th_parse_ext_pre_shared_key_ch(&body, &psk, out_alert)) {
        return 0;
    }
    const EVP_MD *md = th_suite_hash(suite);
    time_t now = th_conn_now(c);
    int found = 0, ok = 0;
    for (size_t i = 0; i < psk.num_identities && !found; i++) {
        const th_bytes *id = &psk.identities[i].identity;
        if (!th_conn_open_ticket(c, id->data, id->len, out_tk)) {
            continue;
        }
        /* RFC 8446 §4.6.1: not past its lifetime; §4.2.11: the PSK's hash
         * must be the suite's. */
        if (th_suite_hash(out_tk->suite) == md && now >= out_tk->created &&
            (uint64_t)(now - out_tk->created) < out_tk->lifetime &&
            (out_tk->peer_authenticated || !c->cfg.require_client_cert)) {
            found = 1;
            *out_index = i;
        } else {
            th_secret_cleanse(&out_tk->psk);
        }
    }
    if (!found) {
        th_ext_pre_shared_key_ch_cleanup(&psk);
        return 1;
    }
    /* The binder (RFC 8446 §4.2.11: "If this value does not validate, the
     * server MUST abort the handshake", with decrypt_error as for
     * Finished). */
    size_t trunc_len, hash_len;
    uint8_t hash[EVP_MAX_MD_SIZE];
    unsigned md_len;
    th_secret binder_key;
    th_transcript t;
    memset(&t, 0, sizeof(t));
    *out_alert = TH_ALERT_INTERNAL_ERROR;
    if (!th_client_hello_truncated_len(msg, msg_len, &trunc_len) ||
        !th_tls13_early_secret(&c->early_secret, md, out_tk->psk.bytes, out_tk->psk.len) ||
        !th_tls13_derive_secret(&binder_key, md, &c->early_secret, TH_TLS13_RES_BINDER, NULL, 0)) {
        goto err;
    }
    if (c->transcript_ready) {
        int hok = th_transcript_copy(&t, &c->transcript) &&
                  th_transcript_update(&t, msg, trunc_len) &&
                  th_transcript_hash(&t, hash, &hash_len);
        th_transcript_cleanup(&t);
        if (!hok) {
            goto err;
        }
    } else {
        if (!EVP_Digest(msg, trunc_len, hash, &md_len, md, NULL)) {
            goto err;
        }
        hash_len = md_len;
    }
    const th_bytes *binder = &psk.binders[*out_index];
#if defined(TH_FUZZING_UNSAFE)
    /* Fuzzing mode (th_tls_unsafe only, never th_tls): any binder is
     * accepted, so a fuzzer reaches the resumed handshake. */
    (void)binder;
#else
    if (!th_tls13_finished_check(md, &binder_key, hash, hash_len, binder->data, binder->len,
                                 out_alert)) {
        goto err;
    }
#endif
    c->resumed = 1;
    c->peer_authenticated = out_tk->peer_authenticated;
    /* RFC 8446 §4.2.9: psk_dhe_ke when offered, else psk_ke. */
    c->psk_dhe = (c->client_psk_modes >> TH_PSK_MODE_DHE_KE) & 1;
    c->psk_suite = out_tk->suite;
    /* RFC 8446 §4.2.11.1: the client's age is obfuscated_ticket_age minus
     * ticket_age_add modulo 2^32; ours has a resolution of one second. */
    uint32_t client_age = psk.identities[*out_index].obfuscated_ticket_age - out_tk->age_add;
    uint64_t real_age = (uint64_t)(now - out_tk->created) * 1000;
    uint64_t diff = client_age > real_age ? client_age - real_age : real_age - client_age;
    *out_fresh = diff <= TICKET_AGE_WINDOW_MS + 1000;
    ok = 1;
err:
    th_secret_cleanse(&binder_key);
    th_ext_pre_shared_key_ch_cleanup(&psk);
    if (!ok) {
        th_secret_cleanse(&out_tk->psk);
    }
    return ok;
}

/* Decides on 0-RTT (RFC 8446 §4.2.10) for a ClientHello1 with early_data:
 * accepted with our max_early_data, or skipped. */
static void decide_early_data(th_conn *c, const th_ticket_state *tk, size_t index, int fresh) {
    time_t now = th_conn_now(c);
    /* RFC 8446 §4.2.10: "In order to accept early data, the server MUST have
     * accepted a PSK cipher suite and selected the first key offered in the
     * client's "pre_shared_key" extension. In addition, it MUST verify that
     * the following values are the same as those associated with the
     * selected PSK: The TLS version number, The selected cipher suite, The
     * selected ALPN [RFC7301] protocol, if any." Then the anti-replay policy
     * of th_ticket_ctx_new: each ticket once. */
    if (c->resumed && index == 0 && fresh && c->cfg.max_early_data != 0 &&
        tk->max_early_data != 0 && tk->suite == c->suite && tk->alpn_len == c->alpn_len &&
        memcmp(tk->alpn, c->alpn, c->alpn_len) == 0 &&
        th_ticket_strike(c->cfg.tickets, tk->id, tk->created + (time_t)tk->lifetime, now)) {
        c->early_accepted = 1;
        c->early_reading = 1;
        c->early_budget = c->cfg.max_early_data;
        return;
    }
    c->early_skipping = 1;
    c->early_budget = c->cfg.max_early_data != 0 ? c->cfg.max_early_data : EARLY_SKIP_DEFAULT;
}

static int server_client_hello(th_conn *c, const th_handshake *hs, const uint8_t *msg,
                               size_t msg_len, uint8_t *out_alert) {
    CBS cbs, body;
    th_client_hello ch;
    th_ext_supported_groups sg = {NULL, 0};
    th_ext_key_share_ch ks = {NULL, 0};
    int ok = 0, second = c->hs_state == SV_WAIT_CH2;
    CBS_init(&cbs, hs->body.data, hs->body.len);
    if (!th_parse_client_hello(&cbs, &ch, out_alert)) {
        return 0;
    }
    c->ccs_allowed = 1;
    /* RFC 8446 §D.5: "Any endpoint receiving a Hello message with
     * ClientHello.legacy_version ... set to 0x0300 MUST abort the handshake
     * with a "protocol_version" alert", supported_versions or not. */
    if (ch.legacy_version <= TH_VERSION_SSL3) {
        *out_alert = TH_ALERT_PROTOCOL_VERSION;
        goto err;
    }
    /* Only TLS 1.3 is implemented: a client that does not offer it gets
     * protocol_version (RFC 8446 §4.2.1). */
    if (!th_client_hello_offers_tls13(&ch)) {
        *out_alert = TH_ALERT_PROTOCOL_VERSION;
        goto err;
    }
    if (!th_client_hello_check_tls13(&ch, out_alert)) {
        goto err;
    }
    if (second) {
        if (!check_hrr_cookie(c, &ch, out_alert)) {
            goto err;
        }
        if (!same_client_hello(c, &ch)) {
            *out_alert = TH_ALERT_ILLEGAL_PARAMETER;
            goto err;
        }
    }
    size_t num_suites, num_groups;
    const uint16_t *suites = th_conn_suites(c, &num_suites);
    const uint16_t *groups = th_conn_groups(c, &num_groups);
    uint16_t suite = 0;
    for (size_t i = 0; i < num_suites && suite == 0; i++) {
        if (in_list(ch.cipher_suites, ch.num_cipher_suites, suites[i]) &&
            th_suite_hash(suites[i]) != NULL) {
            suite = suites[i];
        }
    }
    if (suite == 0) {
        *out_alert = TH_ALERT_HANDSHAKE_FAILURE;
        goto err;
    }
    *out_alert = TH_ALERT_ILLEGAL_PARAMETER;
    if (second) {
        /* RFC 8446 §4.1.4: the server's choice must not change after HRR;
         * and the rest of the ClientHello must not either (§4.1.2). */
        if (suite != c->suite) {
            goto err;
        }
    } else {
        memcpy(c->session_id, ch.legacy_session_id.data, ch.legacy_session_id.len);
        c->session_id_len = ch.legacy_session_id.len;
    }
    th_ticket_state tk;
    size_t psk_index = 0;
    int fresh = 0;
    memset(&tk, 0, sizeof(tk));
    if (second) {
        /* The second ClientHello ends the skipping of rejected early data
         * (RFC 8446 §4.2.10: nothing protected precedes it). */
        c->early_skipping = 0;
    }
    if (!choose_psk(c, &ch, msg, msg_len, suite, &tk, &psk_index, &fresh, out_alert)) {
        goto err;
    }
    int psk_ke = c->resumed && !c->psk_dhe;
    const th_ext *sg_ext = th_ext_block_find(&ch.extensions, TH_EXT_SUPPORTED_GROUPS);
    const th_ext *ks_ext = th_ext_block_find(&ch.extensions, TH_EXT_KEY_SHARE);
    uint16_t group = 0;
    const th_key_share_entry *share = NULL;
    if (!psk_ke) {
        if (sg_ext == NULL || ks_ext == NULL) {
            /* RFC 8446 §9.2: without PSK both are mandatory. */
            *out_alert = TH_ALERT_MISSING_EXTENSION;
            goto err;
        }
        CBS_init(&body, sg_ext->body.data, sg_ext->body.len);
        if (!th_parse_ext_supported_groups(&body, &sg, out_alert)) {
            goto err;
        }
        CBS_init(&body, ks_ext->body.data, ks_ext->body.len);
        if (!th_parse_ext_key_share_ch(&body, &ks, out_alert)) {
            goto err;
        }
        /* RFC 8446 §4.2.8: "Clients MUST NOT offer any KeyShareEntry values
         * for groups not listed in the client's "supported_groups"
         * extension. Servers MAY check for violations of these rules and
         * abort the handshake with an "illegal_parameter" alert if one is
         * violated." */
        for (size_t i = 0; i < ks.num_shares; i++) {
            if (!in_list(sg.groups, sg.num_groups, ks.shares[i].group)) {
                *out_alert = TH_ALERT_ILLEGAL_PARAMETER;
                goto err;
            }
        }
        for (size_t i = 0; i < num_groups && group == 0; i++) {
            if (th_kex_group_supported(groups[i]) && in_list(sg.groups, sg.num_groups, groups[i])) {
                group = groups[i];
            }
        }
        if (group == 0) {
            *out_alert = TH_ALERT_HANDSHAKE_FAILURE;
            goto err;
        }
        share = th_ext_key_share_ch_find(&ks, group);
    }
    uint16_t scheme = 0;
    if ((!second && !th_server_note_server_name(c, &ch, out_alert)) ||
        !note_record_size_limit(c, &ch, out_alert) ||
        (!c->resumed && !choose_cert(c, &ch, &scheme, out_alert)) ||
        (!second && !th_server_choose_alpn(c, &ch, out_alert))) {
        goto err;
    }
    c->suite = suite;
    c->version = TH_VERSION_TLS13;
    /* The client random names the key log lines. */
    memcpy(c->client_random, ch.random, sizeof(c->client_random));
    c->pha_offered = th_ext_block_find(&ch.extensions, TH_EXT_POST_HANDSHAKE_AUTH) != NULL;
    int early = th_ext_block_find(&ch.extensions, TH_EXT_EARLY_DATA) != NULL;
    if (early && second) {
        /* RFC 8446 §4.2.10: "A client MUST NOT include the "early_data"
         * extension in its followup ClientHello." No alert is named: a
         * semantic error is illegal_parameter (§6). */
        *out_alert = TH_ALERT_ILLEGAL_PARAMETER;
        goto err;
    }
    if (early) {
        c->early_offered = 1;
    }
    if (!psk_ke && share == NULL) {
        if (second) {
            /* RFC 8446 §4.2.8: after HRR the client's share must be for the
             * selected group. */
            *out_alert = TH_ALERT_ILLEGAL_PARAMETER;
            goto err;
        }
        *out_alert = TH_ALERT_INTERNAL_ERROR;
        c->md = th_suite_hash(suite);
        c->group = group;
        c->hello_retry = 1;
        /* RFC 8446 §4.2.10: early data after a HelloRetryRequest is
         * skipped; the PSK is judged again in the second ClientHello. */
        if (early) {
            c->early_skipping = 1;
            c->early_budget =
                c->cfg.max_early_data != 0 ? c->cfg.max_early_data : EARLY_SKIP_DEFAULT;
        }
        c->resumed = 0;
        if (!th_transcript_init(&c->transcript, c->md) ||
            !th_transcript_update(&c->transcript, msg, msg_len) ||
            !th_transcript_hrr_rewrite(&c->transcript)) {
            goto err;
        }
        c->transcript_ready = 1;
        if (c->cfg.hrr_cookie && !make_hrr_cookie(c, msg, msg_len)) {
            goto err;
        }
        /* Kept to hold the second ClientHello to it (RFC 8446 §4.1.2). */
        OPENSSL_free(c->ch1);
        c->ch1_len = 0;
        if ((c->ch1 = OPENSSL_memdup(msg, msg_len)) == NULL) {
            goto err;
        }
        c->ch1_len = msg_len;
        ok = send_server_hello(c, 1) && send_compat_ccs(c);
        c->hs_state = SV_WAIT_CH2;
        goto err;
    }
    if (second && !psk_ke && group != c->group) {
        goto err;
    }
    if (early) {
        decide_early_data(c, &tk, psk_index, fresh);
    }
    uint8_t ecdhe[TH_KEX_MAX_SECRET];
    size_t ecdhe_len = 0;
    if (!psk_ke) {
        c->group = group;
        *out_alert = TH_ALERT_INTERNAL_ERROR;
        if (!th_kex_generate(&c->kex, group, th_conn_random_cb, c)) {
            goto err;
        }
        if (!th_kex_compute(&c->kex, share->key_exchange.data, share->key_exchange.len, ecdhe,
                            &ecdhe_len, out_alert)) {
            goto err;
        }
    }
    *out_alert = TH_ALERT_INTERNAL_ERROR;
    if (!second) {
        c->md = th_suite_hash(suite);
        if (!th_transcript_init(&c->transcript, c->md)) {
            OPENSSL_cleanse(ecdhe, sizeof(ecdhe));
            goto err;
        }
        c->transcript_ready = 1;
    }
    /* RFC 8446 §7.1: client_early_traffic_secret over the ClientHello; the
     * early data is read under it until EndOfEarlyData (§4.5). */
    ok = th_transcript_update(&c->transcript, msg, msg_len) &&
         (!c->early_accepted ||
          th_conn_derive(c, &c->c_e, &c->early_secret, TH_TLS13_C_E_TRAFFIC)) &&
         send_server_hello(c, 0) && send_compat_ccs(c) &&
         th_conn_handshake_keys(c, psk_ke ? NULL : ecdhe, ecdhe_len) &&
         (c->early_accepted ? th_rl_dir_set_key(&c->rd, c->suite, &c->c_e)
                            : enforce_our_record_size_limit(c)) &&
         send_server_flight(c, scheme);
    OPENSSL_cleanse(ecdhe, sizeof(ecdhe));
    th_kex_cleanup(&c->kex);
    if (c->early_accepted) {
        c->hs_state = SV_WAIT_EOED;
    } else if (!c->resumed && c->cfg.request_client_cert) {
        c->hs_state = SV_WAIT_CERT;
    } else {
        c->hs_state = SV_WAIT_FINISHED;
    }
err:
    th_secret_cleanse(&tk.psk);
    th_ext_supported_groups_cleanup(&sg);
    th_ext_key_share_ch_cleanup(&ks);
    th_client_hello_cleanup(&ch);
    return ok;
}

/* EndOfEarlyData (RFC 8446 §4.5): the end of the 0-RTT data; the client's
 * handshake key protects what follows. */
static int server_end_of_early_data(th_conn *c, const th_handshake *hs, const uint8_t *msg,
                                    size_t msg_len, uint8_t *out_alert) {
    CBS cbs;
    th_end_of_early_data eoed;
    CBS_init(&cbs, hs->body.data, hs->body.len);
    if (!th_parse_end_of_early_data(&cbs, &eoed, out_alert)) {
        return 0;
    }
    *out_alert = TH_ALERT_INTERNAL_ERROR;
    if (!th_transcript_update(&c->transcript, msg, msg_len) ||
        !th_rl_dir_set_key(&c->rd, c->suite, &c->c_hs) || !enforce_our_record_size_limit(c)) {
        return 0;
    }
    c->read_key_changed = 1;
    c->early_reading = 0;
    c->hs_state = SV_WAIT_FINISHED;
    return 1;
}

static int server_certificate(th_conn *c, const th_handshake *hs, const uint8_t *msg,
                              size_t msg_len, uint8_t *out_alert) {
    int empty;
    if (!th_conn_recv_certificate(c, hs, msg, msg_len, NULL, 0, &empty, out_alert)) {
        return 0;
    }
    if (empty) {
        /* RFC 8446 §4.4.2.4: "If the client does not send any certificates
         * (i.e., it sends an empty Certificate message), the server MAY at
         * its discretion either continue the handshake without client
         * authentication or abort the handshake with a
         * "certificate_required" alert." */
        if (c->cfg.require_client_cert) {
            *out_alert = th_alert_empty_client_chain(TH_VERSION_TLS13);
            return 0;
        }
        c->hs_state = SV_WAIT_FINISHED;
        return 1;
    }
    c->hs_state = SV_WAIT_CV;
    return 1;
}

static int server_certificate_verify(th_conn *c, const th_handshake *hs, const uint8_t *msg,
                                     size_t msg_len, uint8_t *out_alert) {
    size_t n;
    const uint16_t *schemes = th_conn_sig_schemes(c, &n);
    if (!th_conn_recv_certificate_verify(c, hs, msg, msg_len, schemes, n, TH_CV_CLIENT,
                                         out_alert)) {
        return 0;
    }
    c->hs_state = SV_WAIT_FINISHED;
    return 1;
}

static int server_finished(th_conn *c, const th_handshake *hs, const uint8_t *msg, size_t msg_len,
                           uint8_t *out_alert) {
    if (!th_conn_check_finished(c, hs, msg, msg_len, &c->c_hs, out_alert)) {
        return 0;
    }
    *out_alert = TH_ALERT_INTERNAL_ERROR;
    if (!th_conn_derive(c, &c->res_master, &c->master_secret, TH_TLS13_RES_MASTER) ||
        !th_rl_dir_set_key(&c->rd, c->suite, &c->c_ap) || !th_conn_send_tickets(c) ||
        !th_conn_pha_save(c)) {
        return 0;
    }
    c->read_key_changed = 1;
    th_conn_established(c);
    c->hs_state = SV_DONE;
    return 1;
}

int th_hs13_server_request_auth(th_conn *c) {
    /* RFC 8446 §4.6.2: the context "MUST be unique within the connection";
     * 32 random bytes are. */
    th_conn_random(c, c->cr_context, 32);
    c->cr_context_len = 32;
    if (!th_conn_pha_begin(c) || !send_certificate_request(c, c->cr_context, c->cr_context_len) ||
        !th_conn_flush_flight(c)) {
        th_conn_pha_end(c);
        return 0;
    }
    c->pha_pending = 1;
    c->pha_prev_auth = c->peer_authenticated;
    c->hs_state = SV_PHA_CERT;
    return 1;
}

static int server_pha_certificate(th_conn *c, const th_handshake *hs, const uint8_t *msg,
                                  size_t msg_len, uint8_t *out_alert) {
    int empty;
    /* th_conn_recv_certificate sets it when this chain verifies. */
    c->peer_authenticated = 0;
    if (!th_conn_recv_certificate(c, hs, msg, msg_len, c->cr_context, c->cr_context_len, &empty,
                                  out_alert)) {
        return 0;
    }
    if (empty) {
        /* RFC 8446 §4.4.2.4: an empty Certificate ends in
         * "certificate_required" when the server requires one. */
        if (c->cfg.require_client_cert) {
            *out_alert = th_alert_empty_client_chain(TH_VERSION_TLS13);
            return 0;
        }
        c->hs_state = SV_PHA_FINISHED;
        return 1;
    }
    /* Authenticated only once CertificateVerify and Finished checked. */
    c->pha_chain_ok = c->peer_authenticated;
    c->peer_authenticated = 0;
    c->hs_state = SV_PHA_CV;
    return 1;
}

static int server_pha_certificate_verify(th_conn *c, const th_handshake *hs, const uint8_t *msg,
                                         size_t msg_len, uint8_t *out_alert) {
    size_t n;
    const uint16_t *schemes = th_conn_sig_schemes(c, &n);
    if (!th_conn_recv_certificate_verify(c, hs, msg, msg_len, schemes, n, TH_CV_CLIENT,
                                         out_alert)) {
        return 0;
    }
    c->hs_state = SV_PHA_FINISHED;
    return 1;
}

static int server_pha_finished(th_conn *c, const th_handshake *hs, const uint8_t *msg,
                               size_t msg_len, uint8_t *out_alert) {
    /* RFC 8446 §4.4: the base key is the client's current
     * client_application_traffic_secret_N, our read secret. */
    if (!th_conn_check_finished(c, hs, msg, msg_len, &c->rd.traffic_secret, out_alert)) {
        return 0;
    }
    th_conn_pha_end(c);
    EVP_PKEY_free(c->peer_key);
    c->peer_key = NULL;
    /* An empty Certificate leaves the earlier authentication standing. */
    c->peer_authenticated = c->pha_chain_ok || c->pha_prev_auth;
    c->pha_chain_ok = 0;
    c->pha_pending = 0;
    c->hs_state = SV_DONE;
    return 1;
}

const th_hs_row th_hs13_server_table[] = {
    {SV_WAIT_CH, TH_HS_CLIENT_HELLO, server_client_hello},
    {SV_WAIT_CH2, TH_HS_CLIENT_HELLO, server_client_hello},
    {SV_WAIT_CERT, TH_HS_CERTIFICATE, server_certificate},
    {SV_WAIT_CV, TH_HS_CERTIFICATE_VERIFY, server_certificate_verify},
    {SV_WAIT_FINISHED, TH_HS_FINISHED, server_finished},
    {SV_WAIT_EOED, TH_HS_END_OF_EARLY_DATA, server_end_of_early_data},
    {SV_DONE, TH_HS_KEY_UPDATE, th_conn_recv_key_update},
    {SV_PHA_CERT, TH_HS_CERTIFICATE, server_pha_certificate},
    {SV_PHA_CV, TH_HS_CERTIFICATE_VERIFY, server_pha_certificate_verify},
    {SV_PHA_FINISHED, TH_HS_FINISHED, server_pha_finished},
    {SV_PHA_CERT, TH_HS_KEY_UPDATE, th_conn_recv_key_update},
};
const size_t th_hs13_server_table_len =
    sizeof(th_hs13_server_table) / sizeof(th_hs13_server_table[0]);
