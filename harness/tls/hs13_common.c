/* The TLS 1.3 handshake steps both roles share (RFC 8446 §4.4, §4.6.3, §7):
 * the key schedule on the transcript, Certificate / CertificateVerify /
 * Finished in both directions, and KeyUpdate. */
#include <stdlib.h>
#include <string.h>

#include <openssl/mem.h>

#include "certificate.h"
#include "certificate_verify.h"
#include "certificate_status.h"
#include "conn_internal.h"
#include "finished.h"
#include "key_update.h"

int th_conn_derive(th_conn *c, th_secret *out, const th_secret *from, th_tls13_secret_id id) {
    uint8_t hash[EVP_MAX_MD_SIZE];
    size_t hash_len;
    if (!th_conn_hash(c, hash, &hash_len) ||
        !th_tls13_derive_secret(out, c->md, from, id, hash, hash_len)) {
        return 0;
    }
    if (c->cfg.keylog != NULL) {
        char line[TH_KEYLOG_LINE_MAX];
        if (th_keylog_line(line, sizeof(line), id, c->client_random, sizeof(c->client_random),
                           out)) {
            c->cfg.keylog(c->cfg.keylog_ctx, line);
        }
    }
    return 1;
}

int th_conn_handshake_keys(th_conn *c, const uint8_t *ecdhe, size_t ecdhe_len) {
    th_secret early = c->early_secret;
    /* RFC 8446 §7.1: the Early Secret is of the PSK when one was accepted,
     * else of zeros. */
    int ok = (c->resumed || th_tls13_early_secret(&early, c->md, NULL, 0)) &&
             th_tls13_handshake_secret(&c->hs_secret, c->md, &early, ecdhe, ecdhe_len) &&
             th_conn_derive(c, &c->c_hs, &c->hs_secret, TH_TLS13_C_HS_TRAFFIC) &&
             th_conn_derive(c, &c->s_hs, &c->hs_secret, TH_TLS13_S_HS_TRAFFIC);
    th_secret_cleanse(&early);
    if (!ok) {
        return 0;
    }
    int client = c->role == TH_ROLE_CLIENT;
    c->read_key_changed = 1;
    if (client && c->early_writing) {
        /* The write key stays client_early_traffic_secret until the
         * EncryptedExtensions say whether the 0-RTT data was accepted. */
        return th_rl_dir_set_key(&c->rd, c->suite, &c->s_hs);
    }
    return th_rl_dir_set_key(&c->rd, c->suite, client ? &c->s_hs : &c->c_hs) &&
           th_conn_set_write_key(c, client ? &c->c_hs : &c->s_hs);
}

int th_conn_application_secrets(th_conn *c) {
    th_secret exporter;
    int ok = th_tls13_master_secret(&c->master_secret, c->md, &c->hs_secret) &&
             th_conn_derive(c, &c->c_ap, &c->master_secret, TH_TLS13_C_AP_TRAFFIC) &&
             th_conn_derive(c, &c->s_ap, &c->master_secret, TH_TLS13_S_AP_TRAFFIC) &&
             th_conn_derive(c, &exporter, &c->master_secret, TH_TLS13_EXP_MASTER);
    th_secret_cleanse(&exporter);
    return ok;
}

int th_conn_send_finished(th_conn *c, const th_secret *base_key) {
    uint8_t hash[EVP_MAX_MD_SIZE];
    size_t hash_len;
    th_secret mac;
    CBB cbb, body;
    if (!th_conn_hash(c, hash, &hash_len) ||
        !th_tls13_finished_mac(&mac, c->md, base_key, hash, hash_len)) {
        return 0;
    }
    th_finished fin = {{mac.bytes, mac.len}};
    int ok = th_conn_begin_message(&cbb, &body, TH_HS_FINISHED);
    if (ok && !th_write_finished(&body, &fin)) {
        CBB_cleanup(&cbb);
        ok = 0;
    }
    ok = ok && th_conn_finish_message(c, &cbb);
    th_secret_cleanse(&mac);
    return ok;
}

int th_conn_check_finished(th_conn *c, const th_handshake *hs, const uint8_t *msg, size_t msg_len,
                           const th_secret *base_key, uint8_t *out_alert) {
    CBS cbs;
    th_finished fin;
    uint8_t hash[EVP_MAX_MD_SIZE];
    size_t hash_len;
    CBS_init(&cbs, hs->body.data, hs->body.len);
    if (!th_parse_finished(&cbs, &fin, out_alert)) {
        return 0;
    }
    *out_alert = TH_ALERT_INTERNAL_ERROR;
    if (!th_conn_hash(c, hash, &hash_len)) {
        return 0;
    }
    /* RFC 8446 §4.4.4: "Recipients of Finished messages MUST verify that the
     * contents are correct and if incorrect MUST terminate the connection
     * with a "decrypt_error" alert." */
#if defined(TH_FUZZING_UNSAFE)
    /* Fuzzing mode (th_tls_unsafe only, never th_tls): any verify_data is
     * accepted, so a fuzzer reaches the states after Finished. */
    (void)base_key;
#else
    if (!th_tls13_finished_check(c->md, base_key, hash, hash_len, fin.verify_data.data,
                                 fin.verify_data.len, out_alert)) {
        return 0;
    }
#endif
    *out_alert = TH_ALERT_INTERNAL_ERROR;
    return th_transcript_update(&c->transcript, msg, msg_len);
}

int th_conn_send_certificate(th_conn *c, const uint8_t *context, size_t context_len, int with_chain,
                             uint16_t scheme, th_cv_sender sender) {
    th_certificate cert;
    CBB cbb, body;
    memset(&cert, 0, sizeof(cert));
    cert.certificate_request_context.data = context;
    cert.certificate_request_context.len = context_len;
    const th_cert_key *ck = c->cert_key;
    int ok = 1;
    if (with_chain) {
        for (size_t i = 0; ok && i < ck->num_chain; i++) {
            ok = th_certificate_add_entry(&cert, ck->chain[i]);
        }
    }
    ok = ok && th_conn_begin_message(&cbb, &body, TH_HS_CERTIFICATE);
    if (ok && !th_write_certificate(&body, &cert)) {
        CBB_cleanup(&cbb);
        ok = 0;
    }
    ok = ok && th_conn_finish_message(c, &cbb);
    th_certificate_cleanup(&cert);
    if (!ok || !with_chain) {
        return ok;
    }
    uint8_t hash[EVP_MAX_MD_SIZE];
    size_t hash_len;
    uint8_t *sig = NULL;
    size_t sig_len = 0;
    if (!th_conn_hash(c, hash, &hash_len) ||
        !th_tls13_cv_sign(ck->key, scheme, sender, hash, hash_len, &sig, &sig_len)) {
        return 0;
    }
    th_certificate_verify cv = {scheme, {sig, sig_len}};
    ok = th_conn_begin_message(&cbb, &body, TH_HS_CERTIFICATE_VERIFY);
    if (ok && !th_write_certificate_verify(&body, &cv)) {
        CBB_cleanup(&cbb);
        ok = 0;
    }
    ok = ok && th_conn_finish_message(c, &cbb);
    OPENSSL_free(sig);
    return ok;
}

/* RFC 8446 §4.4.2: CertificateEntry extensions "MUST only contain extensions
 * that were also present in the ClientHello" (or CertificateRequest). The
 * only one we ask for is status_request (a client with ocsp_stapling, which
 * offers it when it also offers TLS 1.2): its body is a CertificateStatus
 * (RFC 8446 §4.4.2.1), the leaf's response passed through as in TLS 1.2
 * (th_conn_peer_ocsp). Anything else is unsupported_extension. */
static int check_entry_extensions(th_conn *c, const th_ext_block *exts, int leaf,
                                  uint8_t *out_alert) {
    int asked = c->role == TH_ROLE_CLIENT && c->cfg.ocsp_stapling;
    for (size_t i = 0; i < exts->num_exts; i++) {
        const th_ext *ext = &exts->exts[i];
        if (!asked || ext->type != TH_EXT_STATUS_REQUEST) {
            *out_alert = TH_ALERT_UNSUPPORTED_EXTENSION;
            return 0;
        }
        th_certificate_status st;
        CBS body = th_ext_body(ext);
        if (!th_parse_certificate_status(&body, &st, out_alert)) {
            return 0;
        }
        if (!leaf) {
            continue;
        }
        uint8_t *copy = malloc(st.response.len);
        if (copy == NULL) {
            *out_alert = TH_ALERT_INTERNAL_ERROR;
            return 0;
        }
        memcpy(copy, st.response.data, st.response.len);
        free(c->peer_ocsp);
        c->peer_ocsp = copy;
        c->peer_ocsp_len = st.response.len;
    }
    return 1;
}

int th_conn_keep_peer_chain(th_conn *c, const th_bytes *ders, size_t n, uint8_t *out_alert) {
    size_t total = 0;
    for (size_t i = 0; i < n; i++) {
        total += ders[i].len;
    }
    free(c->peer_chain_buf);
    free(c->peer_chain);
    c->num_peer_chain = 0;
    c->peer_chain_buf = malloc(total ? total : 1);
    c->peer_chain = calloc(n, sizeof(th_bytes));
    if (c->peer_chain_buf == NULL || c->peer_chain == NULL) {
        *out_alert = TH_ALERT_INTERNAL_ERROR;
        return 0;
    }
    size_t off = 0;
    for (size_t i = 0; i < n; i++) {
        memcpy(c->peer_chain_buf + off, ders[i].data, ders[i].len);
        c->peer_chain[i].data = c->peer_chain_buf + off;
        c->peer_chain[i].len = ders[i].len;
        off += ders[i].len;
    }
    c->num_peer_chain = n;
    return 1;
}

int th_conn_recv_certificate(th_conn *c, const th_handshake *hs, const uint8_t *msg, size_t msg_len,
                             const uint8_t *context, size_t context_len, int *out_empty,
                             uint8_t *out_alert) {
    CBS cbs;
    th_certificate cert;
    th_bytes *ders = NULL;
    char why[256];
    int ok = 0;
    *out_empty = 0;
    CBS_init(&cbs, hs->body.data, hs->body.len);
    if (!th_parse_certificate(&cbs, &cert, out_alert)) {
        return 0;
    }
    /* RFC 8446 §4.4.2: in the handshake the context is zero length; in
     * answer to a CertificateRequest it echoes the request's. */
    if (cert.certificate_request_context.len != context_len ||
        (context_len != 0 &&
         memcmp(cert.certificate_request_context.data, context, context_len) != 0)) {
        *out_alert = TH_ALERT_ILLEGAL_PARAMETER;
        goto err;
    }
    for (size_t i = 0; i < cert.num_entries; i++) {
        if (!check_entry_extensions(c, &cert.entries[i].extensions, i == 0, out_alert)) {
            goto err;
        }
    }
    *out_alert = TH_ALERT_INTERNAL_ERROR;
    if (!th_transcript_update(&c->transcript, msg, msg_len)) {
        goto err;
    }
    if (cert.num_entries == 0) {
        *out_empty = 1;
        ok = 1;
        goto err;
    }
    ders = calloc(cert.num_entries, sizeof(*ders));
    if (ders == NULL) {
        goto err;
    }
    for (size_t i = 0; i < cert.num_entries; i++) {
        ders[i] = cert.entries[i].cert_data;
    }
    int client = c->role == TH_ROLE_CLIENT;
    if (c->cfg.trust_store != NULL) {
        const char *host = NULL;
        if (client) {
            host = c->cfg.verify_host != NULL ? c->cfg.verify_host : c->cfg.server_name;
        }
        if (!th_verify_chain(c->cfg.trust_store, ders, cert.num_entries, host, client,
                             th_conn_now(c), out_alert, why, sizeof(why))) {
            goto err;
        }
        c->peer_authenticated = 1;
    } else if (!c->cfg.insecure_skip_verify) {
        /* Nothing to anchor the chain in: no issuer can be known. */
        *out_alert = TH_ALERT_UNKNOWN_CA;
        goto err;
    }
    EVP_PKEY_free(c->peer_key);
    c->peer_key = NULL;
    ok = th_leaf_public_key(ders[0], &c->peer_key, out_alert, why, sizeof(why)) &&
         th_conn_keep_peer_chain(c, ders, cert.num_entries, out_alert);
err:
    free(ders);
    th_certificate_cleanup(&cert);
    return ok;
}

int th_conn_recv_certificate_verify(th_conn *c, const th_handshake *hs, const uint8_t *msg,
                                    size_t msg_len, const uint16_t *offered, size_t num_offered,
                                    th_cv_sender sender, uint8_t *out_alert) {
    CBS cbs;
    th_certificate_verify cv;
    uint8_t hash[EVP_MAX_MD_SIZE];
    size_t hash_len;
    CBS_init(&cbs, hs->body.data, hs->body.len);
    if (!th_parse_certificate_verify(&cbs, &cv, out_alert)) {
        return 0;
    }
    /* RFC 8446 §4.4.3: "the signature algorithm MUST be one offered in the
     * client's "signature_algorithms" extension" (resp. the
     * CertificateRequest's); BoringSSL answers illegal_parameter. */
    int found = 0;
    for (size_t i = 0; i < num_offered && !found; i++) {
        found = offered[i] == cv.algorithm;
    }
    if (!found) {
        *out_alert = TH_ALERT_ILLEGAL_PARAMETER;
        return 0;
    }
    *out_alert = TH_ALERT_INTERNAL_ERROR;
    if (c->peer_key == NULL || !th_conn_hash(c, hash, &hash_len)) {
        return 0;
    }
#if defined(TH_FUZZING_UNSAFE)
    /* Fuzzing mode (th_tls_unsafe only, never th_tls): any signature is
     * accepted, so a fuzzer reaches the states after CertificateVerify. */
    (void)sender;
#else
    if (!th_tls13_cv_verify(c->peer_key, cv.algorithm, sender, hash, hash_len, cv.signature.data,
                            cv.signature.len, out_alert)) {
        return 0;
    }
#endif
    c->peer_sig_scheme = cv.algorithm;
    *out_alert = TH_ALERT_INTERNAL_ERROR;
    return th_transcript_update(&c->transcript, msg, msg_len);
}

/* Sends a KeyUpdate and moves the write key on (RFC 8446 §4.6.3: "after
 * sending a KeyUpdate message, the sender SHALL send all its traffic using
 * the next generation of keys"). */
int th_conn_send_key_update(th_conn *c, uint8_t request) {
    th_key_update ku = {request};
    CBB cbb, body;
    if (!th_conn_begin_message(&cbb, &body, TH_HS_KEY_UPDATE)) {
        return 0;
    }
    if (!th_write_key_update(&body, &ku)) {
        CBB_cleanup(&cbb);
        return 0;
    }
    uint8_t *msg = NULL;
    size_t len = 0;
    if (!CBB_finish(&cbb, &msg, &len)) {
        CBB_cleanup(&cbb);
        return 0;
    }
    /* Post-handshake messages are not part of the transcript. */
    int ok = th_conn_flush_flight(c) && th_conn_write_records(c, TH_CT_HANDSHAKE, msg, len, 0) &&
             th_rl_dir_update(&c->wr);
    OPENSSL_free(msg);
    return ok;
}

int th_conn_recv_key_update(th_conn *c, const th_handshake *hs, const uint8_t *msg, size_t msg_len,
                            uint8_t *out_alert) {
    CBS cbs;
    th_key_update ku;
    CBS_init(&cbs, hs->body.data, hs->body.len);
    if (!th_parse_key_update(&cbs, &ku, out_alert)) {
        return 0;
    }
    *out_alert = TH_ALERT_INTERNAL_ERROR;
    if (!th_rl_dir_update(&c->rd)) {
        return 0;
    }
    c->read_key_changed = 1;
    c->ku_requested = 0;
    /* RFC 8446 §4.6.3: "If the request_update field is set to
     * "update_requested", then the receiver MUST send a KeyUpdate of its own
     * with request_update set to "update_not_requested" prior to sending its
     * next Application Data record." After close_notify nothing is sent. */
    if (ku.request_update == TH_KEY_UPDATE_REQUESTED && !c->we_closed) {
        return th_conn_send_key_update(c, TH_KEY_UPDATE_NOT_REQUESTED);
    }
    return 1;
}

int th_conn_pha_save(th_conn *c) {
    if (!c->pha_offered) {
        return 1;
    }
    return th_transcript_copy(&c->pha_transcript, &c->transcript);
}

int th_conn_pha_begin(th_conn *c) {
    /* RFC 8446 §4.4: post-handshake, the Handshake Context is "ClientHello
     * ... client Finished + CertificateRequest". */
    if (!th_transcript_copy(&c->transcript, &c->pha_transcript)) {
        return 0;
    }
    c->transcript_ready = 1;
    return 1;
}

void th_conn_pha_end(th_conn *c) {
    th_transcript_cleanup(&c->transcript);
    c->transcript_ready = 0;
}
