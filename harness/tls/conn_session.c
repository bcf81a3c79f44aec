/* Session tickets (RFC 8446 §4.6.1): the server seals the resumption PSK and
 * what resumption must match (suite, ALPN, creation time, age_add, lifetime,
 * max_early_data_size) into the ticket itself with an AEAD key, so it stores
 * no session; the client keeps the newest ticket as a th_session. Also the
 * 0-RTT strike register (RFC 8446 §8.1). */
#include <stdlib.h>
#include <string.h>

#include <openssl/bytestring.h>
#include <openssl/mem.h>
#include <openssl/rand.h>

#include "conn_internal.h"
#include "ext_types.h"
#include "new_session_ticket.h"

/* Version byte of our ticket plaintext. */
#define TICKET_FORMAT           2
#define DEFAULT_NUM_TICKETS     2
#define DEFAULT_TICKET_LIFETIME 7200u
#define DEFAULT_MAX_STRIKES     4096

void th_session_free(th_session *s) {
    if (s == NULL) {
        return;
    }
    free(s->ticket);
    OPENSSL_cleanse(s, sizeof(*s));
    free(s);
}

uint32_t th_session_max_early_data(const th_session *s) {
    return s->max_early_data;
}

th_ticket_ctx *th_ticket_ctx_new(const uint8_t *key, size_t max_strikes) {
    uint8_t k[32];
    th_ticket_ctx *t = calloc(1, sizeof(*t));
    if (t == NULL) {
        return NULL;
    }
    t->max_strikes = max_strikes != 0 ? max_strikes : DEFAULT_MAX_STRIKES;
    t->strikes = calloc(t->max_strikes, sizeof(*t->strikes));
    t->strike_expiry = calloc(t->max_strikes, sizeof(*t->strike_expiry));
    if (key != NULL) {
        memcpy(k, key, sizeof(k));
    } else if (!RAND_bytes(k, sizeof(k))) {
        goto err;
    }
    if (t->strikes == NULL || t->strike_expiry == NULL ||
        !EVP_AEAD_CTX_init(&t->aead, EVP_aead_aes_256_gcm(), k, sizeof(k),
                           EVP_AEAD_DEFAULT_TAG_LENGTH, NULL)) {
        goto err;
    }
    OPENSSL_cleanse(k, sizeof(k));
    return t;
err:
    OPENSSL_cleanse(k, sizeof(k));
    free(t->strikes);
    free(t->strike_expiry);
    free(t);
    return NULL;
}

void th_ticket_ctx_free(th_ticket_ctx *t) {
    if (t == NULL) {
        return;
    }
    EVP_AEAD_CTX_cleanup(&t->aead);
    free(t->strikes);
    free(t->strike_expiry);
    free(t);
}

int th_ticket_strike(th_ticket_ctx *t, const uint8_t id[TH_TICKET_NONCE_LEN], time_t expiry,
                     time_t now) {
    size_t kept = 0;
    int seen = 0;
    /* Drop the identities of expired tickets: they cannot be resumed, so
     * they cannot be replayed either. */
    for (size_t i = 0; i < t->num_strikes; i++) {
        if (t->strike_expiry[i] < now) {
            continue;
        }
        seen |= memcmp(t->strikes[i], id, TH_TICKET_NONCE_LEN) == 0;
        memmove(t->strikes[kept], t->strikes[i], TH_TICKET_NONCE_LEN);
        t->strike_expiry[kept] = t->strike_expiry[i];
        kept++;
    }
    t->num_strikes = kept;
    if (seen || kept == t->max_strikes) {
        /* Seen before, or no room to remember it: reject 0-RTT. */
        return 0;
    }
    memcpy(t->strikes[kept], id, TH_TICKET_NONCE_LEN);
    t->strike_expiry[kept] = expiry;
    t->num_strikes++;
    return 1;
}

/* Seals |plain| under the config's ticket key: nonce || AES-256-GCM. */
int th_ticket_seal(th_conn *c, const uint8_t *plain, size_t plain_len, CBB *out) {
    th_ticket_ctx *t = c->cfg.tickets;
    uint8_t nonce[TH_TICKET_NONCE_LEN];
    uint8_t *sealed;
    size_t sealed_len;
    if (t == NULL) {
        return 0;
    }
    th_conn_random(c, nonce, sizeof(nonce));
    size_t max = plain_len + EVP_AEAD_max_overhead(EVP_AEAD_CTX_aead(&t->aead));
    return CBB_add_bytes(out, nonce, sizeof(nonce)) && CBB_reserve(out, &sealed, max) &&
           EVP_AEAD_CTX_seal(&t->aead, sealed, &sealed_len, max, nonce, sizeof(nonce), plain,
                             plain_len, NULL, 0) &&
           CBB_did_write(out, sealed_len);
}

int th_ticket_open(const th_ticket_ctx *t, const uint8_t *ticket, size_t len, uint8_t *plain,
                   size_t cap, size_t *out_len) {
    return t != NULL && len >= TH_TICKET_NONCE_LEN &&
           EVP_AEAD_CTX_open(&t->aead, plain, out_len, cap, ticket, TH_TICKET_NONCE_LEN,
                             ticket + TH_TICKET_NONCE_LEN, len - TH_TICKET_NONCE_LEN, NULL, 0);
}

/* Seals |st| into a ticket: nonce || AES-256-GCM(plaintext). */
static int seal_ticket(th_conn *c, const th_ticket_state *st, CBB *out) {
    CBB pt, psk, alpn;
    uint8_t *plain = NULL;
    size_t plain_len = 0;
    int ok = 0;
    if (!CBB_init(&pt, 128) || !CBB_add_u8(&pt, TICKET_FORMAT) || !CBB_add_u16(&pt, st->suite) ||
        !CBB_add_u64(&pt, st->created) || !CBB_add_u8(&pt, st->peer_authenticated != 0) ||
        !CBB_add_u32(&pt, st->lifetime) || !CBB_add_u32(&pt, st->age_add) ||
        !CBB_add_u32(&pt, st->max_early_data) || !CBB_add_u8_length_prefixed(&pt, &psk) ||
        !CBB_add_bytes(&psk, st->psk.bytes, st->psk.len) ||
        !CBB_add_u8_length_prefixed(&pt, &alpn) || !CBB_add_bytes(&alpn, st->alpn, st->alpn_len) ||
        !CBB_finish(&pt, &plain, &plain_len)) {
        CBB_cleanup(&pt);
        return 0;
    }
    ok = th_ticket_seal(c, plain, plain_len, out);
    OPENSSL_cleanse(plain, plain_len);
    OPENSSL_free(plain);
    return ok;
}

int th_conn_open_ticket(th_conn *c, const uint8_t *ticket, size_t len, th_ticket_state *out) {
    th_ticket_ctx *t = c->cfg.tickets;
    uint8_t plain[512];
    size_t plain_len;
    CBS cbs, psk, alpn;
    uint8_t format, peer_auth;
    uint64_t created;
    memset(out, 0, sizeof(*out));
    if (!th_ticket_open(t, ticket, len, plain, sizeof(plain), &plain_len)) {
        return 0;
    }
    CBS_init(&cbs, plain, plain_len);
    int ok = CBS_get_u8(&cbs, &format) && format == TICKET_FORMAT &&
             CBS_get_u16(&cbs, &out->suite) && CBS_get_u64(&cbs, &created) &&
             CBS_get_u8(&cbs, &peer_auth) && CBS_get_u32(&cbs, &out->lifetime) &&
             CBS_get_u32(&cbs, &out->age_add) && CBS_get_u32(&cbs, &out->max_early_data) &&
             CBS_get_u8_length_prefixed(&cbs, &psk) && CBS_get_u8_length_prefixed(&cbs, &alpn) &&
             CBS_len(&cbs) == 0 && CBS_len(&alpn) <= TH_ALPN_MAX &&
             th_secret_set(&out->psk, CBS_data(&psk), CBS_len(&psk));
    if (ok) {
        out->created = (time_t)created;
        out->peer_authenticated = peer_auth != 0;
        memcpy(out->alpn, CBS_data(&alpn), CBS_len(&alpn));
        out->alpn_len = CBS_len(&alpn);
        memcpy(out->id, ticket, TH_TICKET_NONCE_LEN);
    }
    OPENSSL_cleanse(plain, sizeof(plain));
    return ok;
}

int th_conn_send_tickets(th_conn *c) {
    if (c->cfg.tickets == NULL || c->client_psk_modes == 0) {
        /* RFC 8446 §4.2.9: without psk_key_exchange_modes the client
         * "cannot" resume; servers "MUST NOT send a NewSessionTicket". */
        return 1;
    }
    size_t n = c->cfg.num_tickets != 0 ? c->cfg.num_tickets : DEFAULT_NUM_TICKETS;
    uint32_t lifetime =
        c->cfg.ticket_lifetime != 0 ? c->cfg.ticket_lifetime : DEFAULT_TICKET_LIFETIME;
    /* RFC 8446 §4.6.1: "Servers MUST NOT use any value greater than 604800
     * seconds (7 days)." */
    if (lifetime > TH_MAX_TICKET_LIFETIME) {
        lifetime = TH_MAX_TICKET_LIFETIME;
    }
    int ok = 1;
    for (size_t i = 0; ok && i < n; i++) {
        th_ticket_state st;
        uint8_t nonce[8];
        uint8_t rnd[4];
        CBB cbb, body, tnonce, ticket, exts, ext;
        uint8_t *msg = NULL;
        size_t msg_len = 0;
        memset(&st, 0, sizeof(st));
        /* Ticket nonces only need to be unique per connection (§4.6.1). */
        for (size_t j = 0; j < sizeof(nonce); j++) {
            nonce[j] = (uint8_t)((uint64_t)i >> (8 * (sizeof(nonce) - 1 - j)));
        }
        th_conn_random(c, rnd, sizeof(rnd));
        st.suite = c->suite;
        st.created = th_conn_now(c);
        st.lifetime = lifetime;
        st.age_add =
            (uint32_t)rnd[0] << 24 | (uint32_t)rnd[1] << 16 | (uint32_t)rnd[2] << 8 | rnd[3];
        st.max_early_data = c->cfg.max_early_data;
        st.peer_authenticated = c->peer_authenticated;
        memcpy(st.alpn, c->alpn, c->alpn_len);
        st.alpn_len = c->alpn_len;
        ok = th_tls13_resumption_psk(&st.psk, c->md, &c->res_master, nonce, sizeof(nonce)) &&
             th_conn_begin_message(&cbb, &body, TH_HS_NEW_SESSION_TICKET);
        if (!ok) {
            th_secret_cleanse(&st.psk);
            break;
        }
        th_ext_early_data_nst ed = {st.max_early_data};
        ok = CBB_add_u32(&body, st.lifetime) && CBB_add_u32(&body, st.age_add) &&
             CBB_add_u8_length_prefixed(&body, &tnonce) &&
             CBB_add_bytes(&tnonce, nonce, sizeof(nonce)) &&
             CBB_add_u16_length_prefixed(&body, &ticket) && seal_ticket(c, &st, &ticket) &&
             CBB_add_u16_length_prefixed(&body, &exts) &&
             (st.max_early_data == 0 ||
              (CBB_add_u16(&exts, TH_EXT_EARLY_DATA) && CBB_add_u16_length_prefixed(&exts, &ext) &&
               th_write_ext_early_data_nst(&ext, &ed))) &&
             CBB_finish(&cbb, &msg, &msg_len);
        if (!ok) {
            CBB_cleanup(&cbb);
        }
        th_secret_cleanse(&st.psk);
        /* Post-handshake messages are not part of the transcript. */
        ok = ok && th_conn_write_records(c, TH_CT_HANDSHAKE, msg, msg_len, 0);
        OPENSSL_free(msg);
    }
    return ok;
}

int th_conn_store_ticket(th_conn *c, const th_new_session_ticket *nst, uint8_t *out_alert) {
    uint32_t max_early = 0;
    const th_ext *ed = th_ext_block_find(&nst->extensions, TH_EXT_EARLY_DATA);
    if (ed != NULL) {
        th_ext_early_data_nst e;
        CBS body;
        CBS_init(&body, ed->body.data, ed->body.len);
        if (!th_parse_ext_early_data_nst(&body, &e, out_alert)) {
            return 0;
        }
        max_early = e.max_early_data_size;
    }
    if (nst->ticket_lifetime == 0) {
        /* RFC 8446 §4.6.1: "The value of zero indicates that the ticket
         * should be discarded immediately." */
        return 1;
    }
    *out_alert = TH_ALERT_INTERNAL_ERROR;
    th_session *s = calloc(1, sizeof(*s));
    if (s == NULL) {
        return 0;
    }
    s->ticket = malloc(nst->ticket.len);
    if (s->ticket == NULL ||
        !th_tls13_resumption_psk(&s->psk, c->md, &c->res_master, nst->ticket_nonce.data,
                                 nst->ticket_nonce.len)) {
        th_session_free(s);
        return 0;
    }
    memcpy(s->ticket, nst->ticket.data, nst->ticket.len);
    s->ticket_len = nst->ticket.len;
    s->suite = c->suite;
    /* RFC 8446 §4.6.1: "Clients MUST NOT cache tickets for longer than 7
     * days, regardless of the ticket_lifetime"; longer values are capped, as
     * BoringSSL does. */
    s->lifetime = nst->ticket_lifetime < TH_MAX_TICKET_LIFETIME ? nst->ticket_lifetime
                                                                : TH_MAX_TICKET_LIFETIME;
    s->age_add = nst->ticket_age_add;
    s->max_early_data = max_early;
    s->received = th_conn_now(c);
    s->peer_authenticated = c->peer_authenticated;
    memcpy(s->alpn, c->alpn, c->alpn_len);
    s->alpn_len = c->alpn_len;
    th_session_free(c->session);
    c->session = s;
    return 1;
}

th_session *th_conn_take_session(th_conn *c) {
    th_session *s = c->session;
    c->session = NULL;
    return s;
}
