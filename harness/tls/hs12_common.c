/* The TLS 1.2 handshake steps both roles share (RFC 5246 §7.1, §7.4.2,
 * §7.4.9, §8.1; RFC 7627; RFC 5077; RFC 6066 §4; RFC 8449): the raw
 * transcript, the master secret and key block, ChangeCipherSpec, Finished,
 * Certificate, and the session state of tickets and the session ID cache. */
#include <stdlib.h>
#include <string.h>

#include <openssl/mem.h>

#include "certificate_tls12.h"
#include "client_hello.h"
#include "finished.h"
#include "hs12_internal.h"
#include "server_key_exchange.h"

#define NUM(a) (sizeof(a) / sizeof((a)[0]))

/* The version byte of our TLS 1.2 ticket plaintext (TLS 1.3 tickets use 2,
 * so neither opens as the other). */
#define TICKET12_FORMAT       12
#define DEFAULT_CACHE_ENTRIES 1024

static const uint16_t kDefaultSigSchemes12[] = {
    TH_SIG_ECDSA_SECP256R1_SHA256, TH_SIG_ECDSA_SECP384R1_SHA384,
    TH_SIG_ECDSA_SECP521R1_SHA512, TH_SIG_RSA_PSS_RSAE_SHA256,
    TH_SIG_RSA_PSS_RSAE_SHA384,    TH_SIG_RSA_PSS_RSAE_SHA512,
    TH_SIG_RSA_PKCS1_SHA256,       TH_SIG_RSA_PKCS1_SHA384,
    TH_SIG_RSA_PKCS1_SHA512,       TH_SIG_ED25519,
};

int th_conn_version_enabled(const th_conn *c, uint16_t version) {
    if (c->cfg.num_versions == 0) {
        return version == TH_VERSION_TLS13;
    }
    for (size_t i = 0; i < c->cfg.num_versions; i++) {
        if (c->cfg.versions[i] == version) {
            return 1;
        }
    }
    return 0;
}

uint16_t th_conn_max_version(const th_conn *c) {
    return th_conn_version_enabled(c, TH_VERSION_TLS13) ? TH_VERSION_TLS13 : TH_VERSION_TLS12;
}

int th_hs12_new(th_conn *c) {
    if (c->hs12 == NULL) {
        c->hs12 = calloc(1, sizeof(*c->hs12));
        if (c->hs12 == NULL) {
            return 0;
        }
    }
    c->tls12 = 1;
    c->version = TH_VERSION_TLS12;
    /* CBC IVs come from the config's randomness (RFC 5246 §6.2.3.2). */
    th_rl12_dir_set_random(&c->rd12, th_conn_random_cb, c);
    th_rl12_dir_set_random(&c->wr12, th_conn_random_cb, c);
    return 1;
}

void th_hs12_session_cleanse(th_hs12_session *s) {
    if (s != NULL) {
        th_secret_cleanse(&s->master);
    }
}

static void free_msgs(th_hs12 *h) {
    if (h->msgs != NULL) {
        OPENSSL_cleanse(h->msgs, h->msgs_cap);
    }
    free(h->msgs);
    h->msgs = NULL;
    h->msgs_len = h->msgs_cap = 0;
}

void th_hs12_trim(th_conn *c) {
    th_hs12 *h = c->hs12;
    if (h == NULL) {
        return;
    }
    free_msgs(h);
    th_secret_cleanse(&h->premaster);
    th_tls12_key_block_cleanse(&h->kb);
    free(h->peer_sig_algs);
    h->peer_sig_algs = NULL;
    h->num_peer_sig_algs = 0;
}

void th_hs12_free(th_conn *c) {
    th_hs12 *h = c->hs12;
    if (h == NULL) {
        return;
    }
    th_hs12_trim(c);
    th_secret_cleanse(&h->master);
    th_hs12_session_cleanse(&h->sess);
    free(h->ticket);
    OPENSSL_cleanse(h, sizeof(*h));
    free(h);
    c->hs12 = NULL;
}

int th_hs12_add_message(th_conn *c, const uint8_t *msg, size_t len) {
    th_hs12 *h = c->hs12;
    if (len > SIZE_MAX / 2 - h->msgs_len) {
        return 0;
    }
    if (h->msgs_len + len > h->msgs_cap) {
        size_t cap = h->msgs_cap < 4096 ? 4096 : h->msgs_cap;
        while (cap < h->msgs_len + len) {
            cap *= 2;
        }
        /* Not realloc: the old buffer may hold secrets-derived data, wipe
         * it before freeing. */
        uint8_t *p = malloc(cap);
        if (p == NULL) {
            return 0;
        }
        if (h->msgs_len != 0) {
            memcpy(p, h->msgs, h->msgs_len);
        }
        size_t old_len = h->msgs_len;
        free_msgs(h);
        h->msgs = p;
        h->msgs_len = old_len;
        h->msgs_cap = cap;
    }
    memcpy(h->msgs + h->msgs_len, msg, len);
    h->msgs_len += len;
    return 1;
}

int th_hs12_send_message(th_conn *c, CBB *cbb) {
    uint8_t *msg = NULL;
    size_t len = 0;
    if (!CBB_finish(cbb, &msg, &len)) {
        CBB_cleanup(cbb);
        return 0;
    }
    int ok = th_hs12_add_message(c, msg, len) && th_conn_send_handshake(c, msg, len);
    OPENSSL_free(msg);
    return ok;
}

int th_hs12_hash(const th_conn *c, uint8_t *out, size_t *out_len) {
    const th_hs12 *h = c->hs12;
    unsigned n = 0;
    if (h == NULL || h->suite == NULL ||
        !EVP_Digest(h->msgs, h->msgs_len, out, &n, h->suite->prf_md(), NULL)) {
        return 0;
    }
    *out_len = n;
    return 1;
}

int th_hs12_set_suite(th_conn *c, uint16_t suite) {
    const th_tls12_suite *s = th_tls12_suite_find(suite);
    if (s == NULL) {
        return 0;
    }
    c->hs12->suite = s;
    c->suite = suite;
    c->md = s->prf_md();
    return 1;
}

static void keylog(th_conn *c) {
    char line[176];
    if (c->cfg.keylog != NULL && th_tls12_keylog_line(line, sizeof(line), c->hs12->client_random,
                                                      TH_TLS12_RANDOM_LEN, &c->hs12->master)) {
        c->cfg.keylog(c->cfg.keylog_ctx, line);
    }
}

int th_hs12_derive_key_block(th_conn *c) {
    th_hs12 *h = c->hs12;
    return th_tls12_key_block_derive(&h->kb, h->suite, &h->master, h->client_random,
                                     h->server_random);
}

int th_hs12_derive_master(th_conn *c) {
    th_hs12 *h = c->hs12;
    const EVP_MD *md = h->suite->prf_md();
    int ok;
    if (h->ems) {
        /* RFC 7627 §4: session_hash = Hash(handshake_messages) through
         * ClientKeyExchange. */
        uint8_t hash[EVP_MAX_MD_SIZE];
        size_t hash_len;
        ok = th_hs12_hash(c, hash, &hash_len) &&
             th_tls12_extended_master_secret(&h->master, md, h->premaster.bytes, h->premaster.len,
                                             hash, hash_len);
    } else {
        ok = th_tls12_master_secret(&h->master, md, h->premaster.bytes, h->premaster.len,
                                    h->client_random, h->server_random);
    }
    th_secret_cleanse(&h->premaster);
    if (!ok) {
        return 0;
    }
    keylog(c);
    return th_hs12_derive_key_block(c);
}

int th_hs12_apply_record_limits(th_conn *c) {
    th_hs12 *h = c->hs12;
    size_t write_limit = 0, read_limit = 0;
    if (c->peer_rsl != 0) {
        /* RFC 8449 §4: in TLS 1.2 the limit is the largest plaintext; the
         * peer's binds our writes, ours (advertised in answer) our reads. */
        write_limit = c->peer_rsl;
        read_limit = th_conn_our_record_size_limit(c);
    } else if (h->mfl_code != 0) {
        /* RFC 6066 §4: the negotiated length binds both directions. */
        write_limit = read_limit = (size_t)1 << (8 + h->mfl_code);
    }
    return (write_limit == 0 || th_rl12_dir_set_plaintext_limit(&c->wr12, write_limit)) &&
           (read_limit == 0 || th_rl12_dir_set_plaintext_limit(&c->rd12, read_limit));
}

int th_hs12_send_ccs(th_conn *c) {
    th_hs12 *h = c->hs12;
    if (!th_conn_flush_flight(c)) {
        return 0;
    }
    static const uint8_t kCcs[] = {1};
    /* RFC 5246 §7.1: the CCS goes under the current (old) write state; the
     * new one protects everything after it. */
    if (!th_conn_write_records(c, TH_CT_CHANGE_CIPHER_SPEC, kCcs, sizeof(kCcs), 0)) {
        return 0;
    }
    int server = c->role == TH_ROLE_SERVER;
    return th_rl12_dir_set_key_block(&c->wr12, c->suite, TH_RL12_SEAL, h->etm, &h->kb, server) &&
           th_hs12_apply_record_limits(c);
}

int th_hs12_recv_ccs(th_conn *c, const uint8_t *body, size_t len, uint8_t *out_alert) {
    th_hs12 *h = c->hs12;
    /* RFC 5246 §7.1: "The message consists of a single byte of value 1." */
    if (len != 1 || body[0] != 1) {
        *out_alert = TH_ALERT_DECODE_ERROR;
        return 0;
    }
    /* RFC 5246 §7.4: "sending handshake messages in an unexpected order
     * results in a fatal error"; a CCS before the keys exist (CVE-2014-0224)
     * or in the middle of a fragmented handshake message is one. */
    if (h == NULL || !h->ccs_expected || h->ccs_received || th_hs_reasm_pending(&c->reasm) != 0) {
        *out_alert = TH_ALERT_UNEXPECTED_MESSAGE;
        return 0;
    }
    int server = c->role == TH_ROLE_SERVER;
    if (!th_rl12_dir_set_key_block(&c->rd12, c->suite, TH_RL12_OPEN, h->etm, &h->kb, !server) ||
        !th_hs12_apply_record_limits(c)) {
        *out_alert = TH_ALERT_INTERNAL_ERROR;
        return 0;
    }
    h->ccs_expected = 0;
    h->ccs_received = 1;
    return 1;
}

int th_hs12_send_finished(th_conn *c) {
    th_hs12 *h = c->hs12;
    uint8_t hash[EVP_MAX_MD_SIZE];
    size_t hash_len;
    th_secret vd;
    CBB cbb, body;
    int server = c->role == TH_ROLE_SERVER;
    if (!th_hs12_hash(c, hash, &hash_len) ||
        !th_tls12_finished_verify_data(&vd, h->suite->prf_md(), &h->master, server, hash,
                                       hash_len)) {
        return 0;
    }
    memcpy(server ? h->server_verify_data : h->client_verify_data, vd.bytes,
           TH_TLS12_VERIFY_DATA_LEN);
    th_finished fin = {{vd.bytes, vd.len}};
    int ok = th_conn_begin_message(&cbb, &body, TH_HS_FINISHED);
    if (ok && !th_write_finished(&body, &fin)) {
        CBB_cleanup(&cbb);
        ok = 0;
    }
    ok = ok && th_hs12_send_message(c, &cbb);
    th_secret_cleanse(&vd);
    return ok;
}

int th_hs12_check_finished(th_conn *c, const th_handshake *hs, const uint8_t *msg, size_t msg_len,
                           uint8_t *out_alert) {
    th_hs12 *h = c->hs12;
    CBS cbs;
    th_finished fin;
    uint8_t hash[EVP_MAX_MD_SIZE];
    size_t hash_len;
    /* RFC 5246 §7.4.9: "It is a fatal error if a Finished message is not
     * preceded by a ChangeCipherSpec message at the appropriate point in
     * the handshake." */
    if (!h->ccs_received) {
        *out_alert = TH_ALERT_UNEXPECTED_MESSAGE;
        return 0;
    }
    CBS_init(&cbs, hs->body.data, hs->body.len);
    if (!th_parse_finished(&cbs, &fin, out_alert)) {
        return 0;
    }
    *out_alert = TH_ALERT_INTERNAL_ERROR;
    if (!th_hs12_hash(c, hash, &hash_len)) {
        return 0;
    }
    int from_server = c->role == TH_ROLE_CLIENT;
    /* RFC 5246 §7.4.9: "Recipients of Finished messages MUST verify that the
     * contents are correct"; §7.2.2: a failed check is decrypt_error. */
#if !defined(TH_FUZZING_UNSAFE)
    if (!th_tls12_finished_check(h->suite->prf_md(), &h->master, from_server, hash, hash_len,
                                 fin.verify_data.data, fin.verify_data.len, out_alert)) {
        return 0;
    }
#endif
    if (fin.verify_data.len == TH_TLS12_VERIFY_DATA_LEN) {
        memcpy(from_server ? h->server_verify_data : h->client_verify_data, fin.verify_data.data,
               TH_TLS12_VERIFY_DATA_LEN);
    }
    h->ccs_received = 0;
    *out_alert = TH_ALERT_INTERNAL_ERROR;
    return th_hs12_add_message(c, msg, msg_len);
}

int th_hs12_send_certificate(th_conn *c, int with_chain) {
    th_certificate_tls12 cert;
    CBB cbb, body;
    memset(&cert, 0, sizeof(cert));
    int ok = 1;
    for (size_t i = 0; ok && with_chain && i < c->cert_key->num_chain; i++) {
        ok = th_certificate_tls12_add(&cert, c->cert_key->chain[i]);
    }
    ok = ok && th_conn_begin_message(&cbb, &body, TH_HS_CERTIFICATE);
    if (ok && !th_write_certificate_tls12(&body, &cert)) {
        CBB_cleanup(&cbb);
        ok = 0;
    }
    ok = ok && th_hs12_send_message(c, &cbb);
    th_certificate_tls12_cleanup(&cert);
    return ok;
}

int th_hs12_recv_certificate(th_conn *c, const th_handshake *hs, const uint8_t *msg, size_t msg_len,
                             int *out_empty, uint8_t *out_alert) {
    CBS cbs;
    th_certificate_tls12 cert;
    char why[256];
    int ok = 0;
    *out_empty = 0;
    CBS_init(&cbs, hs->body.data, hs->body.len);
    if (!th_parse_certificate_tls12(&cbs, &cert, out_alert)) {
        return 0;
    }
    *out_alert = TH_ALERT_INTERNAL_ERROR;
    if (!th_hs12_add_message(c, msg, msg_len)) {
        goto err;
    }
    if (cert.num_certs == 0) {
        *out_empty = 1;
        ok = 1;
        goto err;
    }
    int client = c->role == TH_ROLE_CLIENT;
    if (c->cfg.trust_store != NULL) {
        const char *host = NULL;
        if (client) {
            host = c->cfg.verify_host != NULL ? c->cfg.verify_host : c->cfg.server_name;
        }
        if (!th_verify_chain(c->cfg.trust_store, cert.certs, cert.num_certs, host, client,
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
    if (!th_leaf_public_key(cert.certs[0], &c->peer_key, out_alert, why, sizeof(why))) {
        goto err;
    }
    ok = th_conn_keep_peer_chain(c, cert.certs, cert.num_certs, out_alert);
err:
    th_certificate_tls12_cleanup(&cert);
    return ok;
}

int th_hs12_ske_content(const th_hs12 *h, uint16_t group, const uint8_t *point, size_t point_len,
                        uint8_t **out, size_t *out_len) {
    CBB cbb;
    th_server_key_exchange_ecdhe ske;
    memset(&ske, 0, sizeof(ske));
    ske.curve_type = TH_EC_CURVE_TYPE_NAMED_CURVE;
    ske.named_curve = group;
    ske.public_key.data = point;
    ske.public_key.len = point_len;
    /* RFC 8422 §5.4: the signature covers ClientHello.random +
     * ServerHello.random + ServerECDHParams. */
    if (!CBB_init(&cbb, 2 * TH_TLS12_RANDOM_LEN + 4 + point_len) ||
        !CBB_add_bytes(&cbb, h->client_random, TH_TLS12_RANDOM_LEN) ||
        !CBB_add_bytes(&cbb, h->server_random, TH_TLS12_RANDOM_LEN) ||
        !th_write_server_ecdh_params(&cbb, &ske) || !CBB_finish(&cbb, out, out_len)) {
        CBB_cleanup(&cbb);
        return 0;
    }
    return 1;
}

const uint16_t *th_hs12_sig_schemes(const th_conn *c, size_t *out_num) {
    if (c->cfg.num_sig_schemes != 0) {
        *out_num = c->cfg.num_sig_schemes;
        return c->cfg.sig_schemes;
    }
    *out_num = NUM(kDefaultSigSchemes12);
    return kDefaultSigSchemes12;
}

uint16_t th_hs12_sig_scheme_for(const th_conn *c, const th_cert_key *ck, const uint16_t *peer,
                                size_t num_peer) {
    /* RFC 5246 §7.4.1.4.1: without signature_algorithms the peer is taken
     * to support SHA-1 with the key's algorithm only. */
    static const uint16_t kSha1Defaults[] = {TH_SIG_RSA_PKCS1_SHA1, TH_SIG_ECDSA_SHA1};
    if (peer == NULL) {
        peer = kSha1Defaults;
        num_peer = NUM(kSha1Defaults);
    }
    size_t n;
    const uint16_t *ours = th_hs12_sig_schemes(c, &n);
    for (size_t i = 0; i < n; i++) {
        for (size_t j = 0; j < num_peer; j++) {
            if (ours[i] == peer[j] && th_sig_scheme_allowed(ours[i], ck->key, TH_VERSION_TLS12)) {
                return ours[i];
            }
        }
    }
    return 0;
}

size_t th_hs12_suites(const th_conn *c, uint16_t *out, size_t cap) {
    size_t n = 0;
    if (c->cfg.num_cipher_suites != 0) {
        for (size_t i = 0; i < c->cfg.num_cipher_suites && n < cap; i++) {
            if (th_tls12_suite_find(c->cfg.cipher_suites[i]) != NULL) {
                out[n++] = c->cfg.cipher_suites[i];
            }
        }
        return n;
    }
    const th_tls12_suite *s;
    for (size_t i = 0; (s = th_tls12_suite_at(i)) != NULL && n < cap; i++) {
        out[n++] = s->id;
    }
    return n;
}

void th_hs12_established(th_conn *c) {
    th_conn_established(c);
}

/* ---- Sessions ------------------------------------------------------------ */

int th_hs12_seal_ticket(th_conn *c, const th_hs12_session *s, CBB *out) {
    th_ticket_ctx *t = c->cfg.tickets;
    CBB pt, master, name;
    uint8_t *plain = NULL;
    size_t plain_len = 0;
    int ok = 0;
    if (t == NULL) {
        return 0;
    }
    if (!CBB_init(&pt, 96) || !CBB_add_u8(&pt, TICKET12_FORMAT) || !CBB_add_u16(&pt, s->suite) ||
        !CBB_add_u64(&pt, (uint64_t)s->created) || !CBB_add_u32(&pt, s->lifetime) ||
        !CBB_add_u8(&pt, s->ems != 0) || !CBB_add_u8(&pt, s->peer_authenticated != 0) ||
        !CBB_add_u8_length_prefixed(&pt, &master) ||
        !CBB_add_bytes(&master, s->master.bytes, s->master.len) ||
        !CBB_add_u8_length_prefixed(&pt, &name) ||
        !CBB_add_bytes(&name, s->server_name, s->server_name_len) ||
        !CBB_finish(&pt, &plain, &plain_len)) {
        CBB_cleanup(&pt);
        return 0;
    }
    ok = th_ticket_seal(c, plain, plain_len, out);
    OPENSSL_cleanse(plain, plain_len);
    OPENSSL_free(plain);
    return ok;
}

int th_hs12_open_ticket(th_conn *c, const uint8_t *ticket, size_t len, th_hs12_session *out) {
    th_ticket_ctx *t = c->cfg.tickets;
    uint8_t plain[512];
    size_t plain_len;
    CBS cbs, master, name;
    uint8_t format, ems, auth;
    uint64_t created;
    memset(out, 0, sizeof(*out));
    if (!th_ticket_open(t, ticket, len, plain, sizeof(plain), &plain_len)) {
        return 0;
    }
    CBS_init(&cbs, plain, plain_len);
    int ok = CBS_get_u8(&cbs, &format) && format == TICKET12_FORMAT &&
             CBS_get_u16(&cbs, &out->suite) && CBS_get_u64(&cbs, &created) &&
             CBS_get_u32(&cbs, &out->lifetime) && CBS_get_u8(&cbs, &ems) &&
             CBS_get_u8(&cbs, &auth) && CBS_get_u8_length_prefixed(&cbs, &master) &&
             CBS_get_u8_length_prefixed(&cbs, &name) && CBS_len(&cbs) == 0 &&
             CBS_len(&master) == TH_TLS12_MASTER_SECRET_LEN &&
             CBS_len(&name) <= sizeof(out->server_name) &&
             th_secret_set(&out->master, CBS_data(&master), CBS_len(&master));
    if (ok) {
        memcpy(out->server_name, CBS_data(&name), CBS_len(&name));
        out->server_name_len = CBS_len(&name);
    }
    OPENSSL_cleanse(plain, sizeof(plain));
    if (!ok) {
        th_hs12_session_cleanse(out);
        return 0;
    }
    out->created = (time_t)created;
    out->ems = ems != 0;
    out->peer_authenticated = auth != 0;
    /* RFC 5077 §4: an expired ticket means a full handshake. */
    time_t now = th_conn_now(c);
    if (now < out->created || now - out->created > (time_t)out->lifetime) {
        th_hs12_session_cleanse(out);
        return 0;
    }
    return 1;
}

typedef struct {
    uint8_t id[TH_SESSION_ID_MAX_LEN];
    size_t id_len; /* 0: a free slot */
    th_hs12_session s;
} cache_entry;

struct th_session_cache {
    cache_entry *entries;
    size_t max_entries;
    size_t next; /* the slot the next session takes (oldest first) */
};

th_session_cache *th_session_cache_new(size_t max_entries) {
    th_session_cache *cache = calloc(1, sizeof(*cache));
    if (cache == NULL) {
        return NULL;
    }
    cache->max_entries = max_entries != 0 ? max_entries : DEFAULT_CACHE_ENTRIES;
    cache->entries = calloc(cache->max_entries, sizeof(*cache->entries));
    if (cache->entries == NULL) {
        free(cache);
        return NULL;
    }
    return cache;
}

void th_session_cache_free(th_session_cache *cache) {
    if (cache == NULL) {
        return;
    }
    OPENSSL_cleanse(cache->entries, cache->max_entries * sizeof(*cache->entries));
    free(cache->entries);
    free(cache);
}

int th_session_cache_put(th_session_cache *cache, const uint8_t *id, size_t id_len,
                         const th_hs12_session *s) {
    if (id_len == 0 || id_len > TH_SESSION_ID_MAX_LEN) {
        return 0;
    }
    cache_entry *e = &cache->entries[cache->next];
    cache->next = (cache->next + 1) % cache->max_entries;
    th_hs12_session_cleanse(&e->s);
    memcpy(e->id, id, id_len);
    e->id_len = id_len;
    e->s = *s;
    return 1;
}

int th_session_cache_get(th_session_cache *cache, const uint8_t *id, size_t id_len, time_t now,
                         th_hs12_session *out) {
    memset(out, 0, sizeof(*out));
    if (id_len == 0) {
        return 0;
    }
    for (size_t i = 0; i < cache->max_entries; i++) {
        cache_entry *e = &cache->entries[i];
        if (e->id_len != id_len || memcmp(e->id, id, id_len) != 0) {
            continue;
        }
        if (now < e->s.created || now - e->s.created > (time_t)e->s.lifetime) {
            /* Expired: forget it. */
            th_hs12_session_cleanse(&e->s);
            e->id_len = 0;
            return 0;
        }
        *out = e->s;
        return 1;
    }
    return 0;
}
