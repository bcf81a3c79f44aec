/* The server role (ep_server.c): the client's ClientHello judged as a
 * correct TLS 1.3 server judges it (RFC 8446 §4.1.2, §4.2): suite, group
 * (or a HelloRetryRequest), signature scheme, ALPN, the PSK of our ticket
 * with its binder, 0-RTT, and the second ClientHello against the first. */
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

/* ---- the ClientHello ----------------------------------------------------- */

/* RFC 8446 §4.2.10: a server that rejects 0-RTT skips the early records,
 * up to max_early_data_size bytes (the core's early_skip_budget). The early
 * read key stays for an alert the client sends under it; the read epoch
 * goes back to what the handshake has (HANDSHAKE keys or none). Called
 * once per connection. */
void sv_reject_early_data(th_ep *ep, sv_state *st) {
    if (st->early_rejected) {
        return;
    }
    st->early_rejected = 1;
    ep->early_skip_budget =
        ep->cfg->max_early_data != 0 ? ep->cfg->max_early_data : EARLY_SKIP_DEFAULT;
    if (ep->rd.cur_epoch == TH_SC_EPOCH_EARLY) {
        ep->rd.cur_epoch = ep->rd.hs.suite != 0 ? TH_SC_EPOCH_HANDSHAKE : TH_SC_EPOCH_PLAINTEXT;
    }
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
        return ep_failf(why, why_len, "pre_shared_key does not parse (%s)", sv_alert_name(alert));
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
        ep_failf(why, why_len, "cannot compute the PSK binder");
        goto err;
    }
    if (ep->transcript_ready) {
        /* After a HelloRetryRequest the binder covers message_hash(CH1) and
         * the HRR too (RFC 8446 §4.2.11.2). */
        if (!th_transcript_copy(&t, &ep->transcript) ||
            !th_transcript_update(&t, st->ch_buf, trunc_len) ||
            !th_transcript_hash(&t, hash, &hash_len)) {
            ep_failf(why, why_len, "cannot hash the truncated ClientHello");
            goto err;
        }
    } else {
        if (!EVP_Digest(st->ch_buf, trunc_len, hash, &md_len, md, NULL)) {
            ep_failf(why, why_len, "cannot hash the truncated ClientHello");
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
        ep_failf(why, why_len,
                 "the client's PSK binder of identity %zu does not verify (RFC 8446 §4.2.11: "
                 "%s)",
                 index, sv_alert_name(alert));
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
        return ep_failf(why, why_len,
                        "ClientHello2 changed legacy_session_id (RFC 8446 §4.1.2: the client "
                        "sends the same ClientHello; illegal_parameter)");
    }
    if (st->hrr_cookie != NULL) {
        const th_ext *ext = th_ext_block_find(&ch->extensions, TH_EXT_COOKIE);
        if (ext == NULL) {
            return ep_failf(why, why_len,
                            "ClientHello2 lacks the HelloRetryRequest's cookie (RFC 8446 §4.2.2: "
                            "the client MUST copy the contents of the extension; "
                            "missing_extension)");
        }
        th_ext_cookie ck;
        CBS body = th_ext_body(ext);
        if (!th_parse_ext_cookie(&body, &ck, &alert) || ck.cookie.len != st->hrr_cookie_len ||
            memcmp(ck.cookie.data, st->hrr_cookie, st->hrr_cookie_len) != 0) {
            return ep_failf(why, why_len,
                            "ClientHello2's cookie differs from the HelloRetryRequest's (RFC 8446 "
                            "§4.2.2; illegal_parameter)");
        }
    }
    if (th_ext_block_find(&ch->extensions, TH_EXT_EARLY_DATA) != NULL) {
        return ep_failf(why, why_len,
                        "ClientHello2 carries early_data (RFC 8446 §4.2.10: \"A client MUST NOT "
                        "include the early_data extension in its followup ClientHello\"; "
                        "illegal_parameter)");
    }
    if (!ep_in_list(ch->cipher_suites, ch->num_cipher_suites, st->hrr_suite)) {
        return ep_failf(why, why_len,
                        "ClientHello2 no longer offers the HelloRetryRequest's suite %s (RFC 8446 "
                        "§4.1.2; illegal_parameter)",
                        th_cipher_suite_name(st->hrr_suite) ? th_cipher_suite_name(st->hrr_suite)
                                                            : "?");
    }
    const th_ext *ks_ext = th_ext_block_find(&ch->extensions, TH_EXT_KEY_SHARE);
    if (st->hrr_group != 0 && !st->psk_ok) {
        th_ext_key_share_ch ks;
        if (ks_ext == NULL) {
            return ep_failf(why, why_len, "ClientHello2 lacks key_share (RFC 8446 §4.2.8)");
        }
        CBS body = th_ext_body(ks_ext);
        if (!th_parse_ext_key_share_ch(&body, &ks, &alert)) {
            return ep_failf(why, why_len, "ClientHello2's key_share does not parse (%s)",
                            sv_alert_name(alert));
        }
        int ok = ks.num_shares == 1 && ks.shares[0].group == st->hrr_group;
        th_ext_key_share_ch_cleanup(&ks);
        if (!ok) {
            /* RFC 8446 §4.1.2: the client MUST replace "the "key_share"
             * extension with one containing only a new KeyShareEntry for the
             * group indicated in the selected_group field". */
            return ep_failf(why, why_len,
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
        return ep_failf(why, why_len, "the client's ALPN does not parse (%s)",
                        sv_alert_name(alert));
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
        return ep_failf(why, why_len,
                        "the client offers none of our ALPN protocols (RFC 7301 §3.2: "
                        "no_application_protocol)");
    }
    return 1;
}

/* RFC 8446 §4.2.10: 0-RTT is accepted only with the first identity of a
 * PSK whose suite is the handshake's, not after an HRR, and with "the
 * selected ALPN protocol, if any" the ticket's. A rejected offer makes the
 * core skip the early records. */
static void decide_early_data(th_ep *ep, sv_state *st) {
    const char *alpn = st->have_alpn ? st->alpn : "";
    st->early_accept = st->early_offered && st->num_ch == 1 && !st->need_hrr && st->psk_ok &&
                       st->psk_index == 0 && ep->cfg->max_early_data != 0 &&
                       ep->ticket.max_early_data != 0 && ep->ticket.suite == st->suite &&
                       strcmp(alpn, ep->ticket.alpn) == 0;
    if (st->early_offered && st->psk_ok && strcmp(alpn, ep->ticket.alpn) != 0) {
        ep_log(ep, "   server: ALPN \"%s\" is not the ticket's \"%s\": 0-RTT rejected\n", alpn,
               ep->ticket.alpn);
    }
    if (st->early_offered && !st->early_accept) {
        sv_reject_early_data(ep, st);
    }
}

int sv_recv_client_hello(th_ep *ep, sv_state *st, const th_ep_event *ev, int *local, char *why,
                         size_t why_len) {
    uint8_t alert;
    int second = st->num_ch > 0;
    if (second && (!sv_did(ep, st, TH_SC_MSG_HELLO_RETRY_REQUEST) || st->num_ch > 1 ||
                   sv_did(ep, st, TH_SC_MSG_SERVER_HELLO))) {
        return ep_failf(why, why_len,
                        "a ClientHello that does not answer a HelloRetryRequest (RFC 8446 §4.1.2, "
                        "§4: unexpected_message)");
    }
    th_client_hello_cleanup(&st->ch);
    st->have_ch = 0;
    if (!sv_dup_bytes(&st->ch_buf, &st->ch_len, ev->bytes, ev->len)) {
        *local = 1;
        return ep_failf(why, why_len, "out of memory");
    }
    CBS cbs;
    th_handshake hs;
    CBS_init(&cbs, st->ch_buf, st->ch_len);
    if (!th_parse_handshake(&cbs, &hs, &alert)) {
        return ep_failf(why, why_len, "ClientHello framing is broken (%s)", sv_alert_name(alert));
    }
    CBS_init(&cbs, hs.body.data, hs.body.len);
    if (!th_parse_client_hello(&cbs, &st->ch, &alert)) {
        return ep_failf(why, why_len, "ClientHello does not parse (%s)", sv_alert_name(alert));
    }
    st->have_ch = 1;
    st->num_ch++;
    th_client_hello *ch = &st->ch;
    /* RFC 8446 §4.2.1: a TLS 1.3 server negotiates with supported_versions;
     * we script TLS 1.3 only. */
    if (!th_client_hello_offers_tls13(ch)) {
        return ep_failf(why, why_len,
                        "the ClientHello does not offer TLS 1.3 in supported_versions (RFC 8446 "
                        "§4.2.1: protocol_version)");
    }
    if (!th_client_hello_check_tls13(ch, &alert)) {
        return ep_failf(why, why_len,
                        "the ClientHello breaks a TLS 1.3 rule (RFC 8446 §4.1.2, §9.2: %s)",
                        sv_alert_name(alert));
    }
    if (second && !check_ch2(ep, st, why, why_len)) {
        return 0;
    }
    /* Suite: ours in preference order (after HRR, the HRR's: §4.1.4). */
    size_t num_suites, num_groups;
    const uint16_t *suites = ep_our_suites(ep, &num_suites);
    const uint16_t *groups = ep_our_groups(ep, &num_groups);
    uint16_t suite = 0;
    if (second) {
        suite = st->hrr_suite;
    }
    for (size_t i = 0; i < num_suites && suite == 0; i++) {
        if (ep_in_list(ch->cipher_suites, ch->num_cipher_suites, suites[i]) &&
            th_suite_hash(suites[i]) != NULL) {
            suite = suites[i];
        }
    }
    if (suite == 0 || th_suite_hash(suite) == NULL) {
        return ep_failf(why, why_len,
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
            return ep_failf(why, why_len,
                            "the ClientHello lacks supported_groups or key_share (RFC 8446 §9.2: "
                            "missing_extension)");
        }
        CBS body = th_ext_body(sg_ext);
        if (!th_parse_ext_supported_groups(&body, &sg, &alert)) {
            return ep_failf(why, why_len, "supported_groups does not parse (%s)",
                            sv_alert_name(alert));
        }
        body = th_ext_body(ks_ext);
        if (!th_parse_ext_key_share_ch(&body, &ks, &alert)) {
            th_ext_supported_groups_cleanup(&sg);
            return ep_failf(why, why_len, "key_share does not parse (%s)", sv_alert_name(alert));
        }
        int bad_share = 0;
        for (size_t i = 0; i < ks.num_shares; i++) {
            bad_share |= !ep_in_list(sg.groups, sg.num_groups, ks.shares[i].group);
        }
        if (second) {
            group = st->hrr_group;
        }
        for (size_t i = 0; i < num_groups && group == 0; i++) {
            if (th_kex_group_supported(groups[i]) &&
                ep_in_list(sg.groups, sg.num_groups, groups[i])) {
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
            return ep_failf(why, why_len,
                            "the client sent a key share for a group it does not list in "
                            "supported_groups (RFC 8446 §4.2.8: illegal_parameter)");
        }
        if (group == 0) {
            return ep_failf(why, why_len,
                            "the client supports none of our groups (RFC 8446 §4.2.7: "
                            "handshake_failure)");
        }
    }
    st->group = group;
    st->need_hrr = !second && !psk_ke && !have_share;
    /* Certificate and scheme, unless a PSK authenticates (RFC 8446 §4.4.2). */
    if (!st->psk_ok) {
        th_ext_signature_algorithms sa;
        if (!sv_client_sig_algs(st, &sa)) {
            return ep_failf(why, why_len,
                            "the ClientHello lacks signature_algorithms (RFC 8446 §9.2: "
                            "missing_extension)");
        }
        char err[256];
        if (ep_our_cert(ep, EP_SERVER_CERTIFICATE, err, sizeof(err)) == NULL) {
            th_ext_signature_algorithms_cleanup(&sa);
            *local = 1;
            return ep_failf(why, why_len, "%s", err);
        }
        st->scheme = ep_scheme_for(ep, ep->cert.key, sa.sig_algs, sa.num_sig_algs);
        th_ext_signature_algorithms_cleanup(&sa);
        if (st->scheme == 0) {
            return ep_failf(why, why_len,
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
            return ep_failf(why, why_len, "record_size_limit does not parse (%s)",
                            sv_alert_name(alert));
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
        return ep_failf(why, why_len, "cannot add the ClientHello to the transcript");
    }
    ep->neg.version = TH_VERSION_TLS13;
    ep->neg.cipher_suite = suite;
    if (st->early_accept) {
        /* RFC 8446 §7.1: client_early_traffic_secret over the ClientHello;
         * the early data is read under it until EndOfEarlyData (§4.5). */
        if (!ep_derive(ep, &ep->c_e, &ep->early_secret, TH_TLS13_C_E_TRAFFIC) ||
            !ep_set_key(ep, &ep->rd, TH_SC_EPOCH_EARLY, suite, &ep->c_e)) {
            return ep_failf(why, why_len, "cannot install client_early_traffic_secret");
        }
        ep_log(ep, "   server: 0-RTT accepted\n");
    } else if (st->early_offered) {
        if (!second && st->psk_ok && st->psk_index == 0 &&
            th_suite_hash(ep->ticket.suite) == ep->md) {
            /* Rejected, but the client uses client_early_traffic_secret
             * anyway: kept (not current) so that an alert it sends under it
             * can be read. */
            th_sc_epoch keep = ep->rd.cur_epoch;
            if (!ep_derive(ep, &ep->c_e, &ep->early_secret, TH_TLS13_C_E_TRAFFIC) ||
                !ep_set_key(ep, &ep->rd, TH_SC_EPOCH_EARLY, ep->ticket.suite, &ep->c_e)) {
                return ep_failf(why, why_len, "cannot derive client_early_traffic_secret");
            }
            ep->rd.cur_epoch = keep;
        }
        ep_log(ep, "   server: 0-RTT offered and rejected\n");
    }
    *local = 0;
    if (st->need_hrr) {
        ep_log(ep, "   server: no client share for %s: HelloRetryRequest\n",
               th_group_name(group) ? th_group_name(group) : "?");
    }
    return 1;
}
