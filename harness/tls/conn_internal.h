/* Internals shared by conn.c and the handshake tables (hs13_client.c,
 * hs13_server.c). Not part of the public API. */
#ifndef TH_CONN_INTERNAL_H
#define TH_CONN_INTERNAL_H

#include <openssl/evp.h>

#include "client_hello.h"
#include "conn.h"
#include "handshake.h"
#include "keys13.h"
#include "new_session_ticket.h"
#include "record12.h"
#include "record_layer.h"
#include "sigs.h"

#define TH_ALPN_MAX 255

/* Ticket identities are the 12-byte AEAD nonce that opens the ticket. */
#define TH_TICKET_NONCE_LEN 12

struct th_session {
    uint16_t suite;
    th_secret psk;
    uint8_t *ticket;
    size_t ticket_len;
    uint32_t lifetime, age_add, max_early_data;
    time_t received;        /* th_conn_now when the ticket arrived */
    int peer_authenticated; /* the server's chain verified in that handshake */
    uint8_t alpn[TH_ALPN_MAX];
    size_t alpn_len;
    /* TLS 1.2 (version TH_VERSION_TLS12): psk holds the 48-byte master
     * secret; the session ID (may be empty with a ticket), the EMS flag
     * (RFC 7627 §5.3) and the ticket (may be NULL with a session ID). */
    uint16_t version;
    uint8_t session_id[32];
    size_t session_id_len;
    int ems;
};

struct th_ticket_ctx {
    EVP_AEAD_CTX aead;
    /* The strike register: identities and the time their ticket expires. */
    uint8_t (*strikes)[TH_TICKET_NONCE_LEN];
    time_t *strike_expiry;
    size_t num_strikes, max_strikes;
};

struct th_conn {
    th_config cfg;
    th_role role;
    int hs_state; /* the role's table state */
    th_conn_state state;
    int has_alert_sent, has_alert_received;
    uint8_t alert_sent, alert_received;
    int peer_closed, we_closed;
    int ccs_allowed; /* RFC 8446 §5: between the first ClientHello and the
                        peer's Finished */
    int hs_trimmed;  /* the handshake-only state is freed (trim_idle) */
    int ccs_sent;    /* our middlebox-compatibility change_cipher_spec */
    /* RFC 8449: the peer's record_size_limit (0: not negotiated). */
    uint16_t peer_rsl;
    int ku_requested; /* we asked the peer to update its key (read limit) */

    /* Negotiated. */
    uint16_t version, suite, group, peer_sig_scheme;
    uint8_t alpn[TH_ALPN_MAX];
    size_t alpn_len;
    uint8_t server_name[TH_ALPN_MAX]; /* the host_name of the ClientHello */
    size_t server_name_len;
    int hello_retry, peer_authenticated;

    /* Byte buffers: peer input not yet framed, output for the peer,
     * decrypted application data not yet read. */
    uint8_t *in;
    size_t in_len, in_cap;
    uint8_t *out;
    size_t out_off, out_len, out_cap;
    uint8_t *app;
    size_t app_off, app_len, app_cap;
    /* Handshake messages of the flight being built: they go out in as few
     * records as possible when the write key changes or the input is
     * consumed. */
    uint8_t *flight;
    size_t flight_len, flight_cap;

    th_hs_reasm reasm;
    th_rl_dir rd, wr;
    int read_key_changed; /* set by a handler that installed a new read key */

    /* Key schedule. */
    const EVP_MD *md;
    th_transcript transcript;
    int transcript_ready;
    th_kex kex;
    th_secret hs_secret, master_secret;
    th_secret c_hs, s_hs, c_ap, s_ap;
    th_secret res_master; /* resumption_master_secret, for tickets */
    size_t tickets_received;
    uint8_t client_random[32];
    uint8_t session_id[32];
    size_t session_id_len;

    /* Client: the first ClientHello until the suite is known, the HRR's
     * cookie and group, the offered extension types. */
    uint8_t *ch1;
    size_t ch1_len;
    uint8_t *cookie;
    size_t cookie_len;
    uint16_t hrr_suite;
    th_u16_set *sent_exts;

    /* Our chain and key for this handshake (th_conn_cert_key_at). */
    const th_cert_key *cert_key;

    /* The peer's leaf key for CertificateVerify; the signature schemes of a
     * CertificateRequest (client) and its context. */
    EVP_PKEY *peer_key;
    /* The peer's chain as received (DER, leaf first), for th_conn_peer_chain:
     * one owned buffer and views into it. */
    uint8_t *peer_chain_buf;
    th_bytes *peer_chain;
    size_t num_peer_chain;
    int cert_requested;
    uint16_t *cr_sig_algs;
    size_t num_cr_sig_algs;
    uint8_t cr_context[255];
    size_t cr_context_len;

    /* Resumption. early_secret is the PSK's Early Secret (client: of the
     * offered session; server: of the accepted ticket). */
    int psk_offered, resumed, psk_dhe;
    /* A client offering TLS 1.3 and 1.2 offers a TLS 1.2 session too: by its
     * ID (in legacy_session_id) and, when it has one, its ticket. */
    int session12_offered, ticket12_offered;
    th_secret early_secret, c_e;
    uint16_t psk_suite;
    th_session *session;      /* client: the newest ticket, for take_session */
    uint8_t client_psk_modes; /* server: bit 1 << mode offered */
    int early_offered, early_accepted;
    int early_writing; /* client: the write key is client_early_traffic_secret */
    /* Server: 0-RTT records being read (accepted) or skipped (rejected) and
     * the bytes left of the budget (RFC 8446 §4.2.10). */
    int early_reading, early_skipping;
    size_t early_budget;

    /* Post-handshake authentication (RFC 8446 §4.6.2). pha_offered: client:
     * we sent post_handshake_auth; server: the client did. pha_transcript:
     * the transcript through the client Finished (kept only when offered),
     * which each exchange continues in c->transcript. pha_pending: server,
     * a CertificateRequest is outstanding; pha_prev_auth: peer_authenticated
     * before it; pha_chain_ok: the answer's chain verified, which counts
     * once its Finished checked. */
    int pha_offered, pha_pending, pha_prev_auth, pha_chain_ok;
    th_transcript pha_transcript;

    /* TLS 1.2 (hs12_internal.h): tls12 once negotiated; the record
     * protection of each direction (no key until the ChangeCipherSpec);
     * the handshake state. */
    int tls12;
    th_rl12_dir rd12, wr12;
    struct th_hs12 *hs12;
    unsigned warning_alerts; /* TLS 1.2 warning alerts in a row (conn.c) */
    /* Client: the stapled OCSP response (owned), th_conn_peer_ocsp. */
    uint8_t *peer_ocsp;
    size_t peer_ocsp_len;
};

/* A handshake message handler: |msg| is the whole message (header included)
 * for the transcript, |hs| its parsed header. 1 to continue, 0 with the
 * alert. */
typedef int (*th_hs_handler)(th_conn *c, const th_handshake *hs, const uint8_t *msg, size_t msg_len,
                             uint8_t *out_alert);

/* One row of a handshake table. */
typedef struct {
    int state;
    uint8_t type;
    th_hs_handler handler;
} th_hs_row;

/* The role's entry points: starting the handshake (client: queue the
 * ClientHello) and the table. */
int th_hs13_client_start(th_conn *c) TH_MUST_USE;
extern const th_hs_row th_hs13_client_table[];
extern const size_t th_hs13_client_table_len;
extern const th_hs_row th_hs13_server_table[];
extern const size_t th_hs13_server_table_len;

/* Shared helpers (conn.c; the handshake steps in hs13_common.c). */

/* The config lists with their defaults. */
const uint16_t *th_conn_suites(const th_conn *c, size_t *out_num);
const uint16_t *th_conn_groups(const th_conn *c, size_t *out_num);
const uint16_t *th_conn_sig_schemes(const th_conn *c, size_t *out_num);

/* Our candidate chains and keys: the config's cert_key (when set), then its
 * cert_keys. th_conn_cert_key_at is NULL past the end. */
size_t th_conn_num_cert_keys(const th_conn *c);
const th_cert_key *th_conn_cert_key_at(const th_conn *c, size_t i);

/* Our signature scheme with |ck|: the first of our schemes that |peer| lists
 * and |ck|'s key can make in TLS 1.3; 0 if none. */
uint16_t th_conn_sig_scheme_for(const th_conn *c, const th_cert_key *ck, const uint16_t *peer,
                                size_t num_peer);

void th_conn_random(th_conn *c, uint8_t *out, size_t len);

/* th_conn_random as a th_random_fn with the connection as context. */
void th_conn_random_cb(void *conn, uint8_t *out, size_t len);
time_t th_conn_now(const th_conn *c);

/* ClientHello steps shared by both versions (hs_common.c).
 * th_client_add_ext: opens one extension of |type| in |exts| and remembers
 * that we sent it (th_client_ext_sent: 1 if our ClientHello carried one).
 * th_client_add_alpn_and_rsl: our ALPN list (RFC 7301) and record_size_limit
 * (RFC 8449) when configured. 0 on a CBB failure. */
int th_client_add_ext(th_conn *c, CBB *exts, uint16_t type, CBB *out_body) TH_MUST_USE;
int th_client_ext_sent(const th_conn *c, uint16_t type);
int th_client_add_alpn_and_rsl(th_conn *c, CBB *exts) TH_MUST_USE;
/* server_name with the config's name (RFC 6066 §3), unless it is none or an
 * IP literal. 0 on a CBB failure. */
int th_client_add_server_name(th_conn *c, CBB *exts) TH_MUST_USE;

/* Keeps a copy of the peer's chain for th_conn_peer_chain (the message it
 * came from is freed once processed); 0 with internal_error when out of
 * memory. */
int th_conn_keep_peer_chain(th_conn *c, const th_bytes *ders, size_t n,
                            uint8_t *out_alert) TH_MUST_USE;

/* Server ClientHello steps shared by both versions (hs_common.c).
 * th_server_choose_alpn: the first of our ALPN names the client offers into
 * c->alpn (RFC 7301 §3.2); 0 with no_application_protocol when both sides
 * have lists and they do not overlap. th_server_note_server_name: keeps the
 * client's host_name; 0 with missing_extension when there is none and the
 * config requires one (RFC 8446 §9.2), or the codec's alert. */
int th_server_choose_alpn(th_conn *c, const th_client_hello *ch, uint8_t *out_alert) TH_MUST_USE;
int th_server_note_server_name(th_conn *c, const th_client_hello *ch,
                               uint8_t *out_alert) TH_MUST_USE;
/* 1 if the leaf of |ck| is valid for the client's server_name (RFC 6066 §3),
 * exact or wildcard, by BoringSSL's X509_check_host; 0 without a name. */
int th_server_leaf_matches_name(const th_conn *c, const th_cert_key *ck);

/* Queues |len| bytes of |type| as records (protected once a write key is
 * set), split at the record layer's limit or |max_record| if smaller. */
int th_conn_write_records(th_conn *c, uint8_t type, const uint8_t *data, size_t len,
                          size_t max_record) TH_MUST_USE;

/* Writes the pending flight as records under the current write key. */
int th_conn_flush_flight(th_conn *c) TH_MUST_USE;

/* Middlebox compatibility (RFC 8446 §D.4): when the config asks for it and
 * none was sent yet, flushes the flight and queues one unprotected
 * change_cipher_spec record. 1 when done or not wanted. */
int th_conn_send_compat_ccs(th_conn *c) TH_MUST_USE;

/* Our record_size_limit (RFC 8449): the config's or 2^14+1. */
uint16_t th_conn_our_record_size_limit(const th_conn *c);

/* Flushes the flight, then protects what follows with |secret|. */
int th_conn_set_write_key(th_conn *c, const th_secret *secret) TH_MUST_USE;

/* Adds a whole handshake message to the transcript (when started) and to the
 * pending flight. */
int th_conn_send_handshake(th_conn *c, const uint8_t *msg, size_t len) TH_MUST_USE;

/* Starts a handshake message of |type| in |cbb| (initialised here) with
 * |body| open for the body; th_conn_finish_message closes, sends and frees. */
int th_conn_begin_message(CBB *cbb, CBB *body, uint8_t type) TH_MUST_USE;
int th_conn_finish_message(th_conn *c, CBB *cbb) TH_MUST_USE;

/* The transcript hash so far into |out| (EVP_MAX_MD_SIZE). */
int th_conn_hash(const th_conn *c, uint8_t *out, size_t *out_len) TH_MUST_USE;

/* Derives |out| = Derive-Secret(from, id, transcript so far) and writes its key
 * log line. */
int th_conn_derive(th_conn *c, th_secret *out, const th_secret *from,
                   th_tls13_secret_id id) TH_MUST_USE;

/* Handshake Secret from the (EC)DHE secret, then both handshake traffic
 * secrets from the transcript (through ServerHello), keys installed for
 * |role|. */
int th_conn_handshake_keys(th_conn *c, const uint8_t *ecdhe, size_t ecdhe_len) TH_MUST_USE;

/* Master Secret and both application traffic secrets from the transcript
 * (through the server Finished). Installs nothing. */
int th_conn_application_secrets(th_conn *c) TH_MUST_USE;

/* Sends our Finished (RFC 8446 §4.4.4) under |base_key|. */
int th_conn_send_finished(th_conn *c, const th_secret *base_key) TH_MUST_USE;

/* Checks the peer's Finished under |base_key| (decrypt_error) and adds it to
 * the transcript. */
int th_conn_check_finished(th_conn *c, const th_handshake *hs, const uint8_t *msg, size_t msg_len,
                           const th_secret *base_key, uint8_t *out_alert) TH_MUST_USE;

/* Sends Certificate (with |context|) of our chain or an empty one, and
 * CertificateVerify under |scheme| when the chain is not empty. */
int th_conn_send_certificate(th_conn *c, const uint8_t *context, size_t context_len, int with_chain,
                             uint16_t scheme, th_cv_sender sender) TH_MUST_USE;

/* Parses and verifies a peer's Certificate (context must equal |context|);
 * stores the leaf key. *out_empty is 1 for an empty chain, which the caller
 * judges. */
int th_conn_recv_certificate(th_conn *c, const th_handshake *hs, const uint8_t *msg, size_t msg_len,
                             const uint8_t *context, size_t context_len, int *out_empty,
                             uint8_t *out_alert) TH_MUST_USE;

/* Verifies the peer's CertificateVerify against |offered| schemes. */
int th_conn_recv_certificate_verify(th_conn *c, const th_handshake *hs, const uint8_t *msg,
                                    size_t msg_len, const uint16_t *offered, size_t num_offered,
                                    th_cv_sender sender, uint8_t *out_alert) TH_MUST_USE;

/* Sends a KeyUpdate with |request| and moves our write key on. */
int th_conn_send_key_update(th_conn *c, uint8_t request) TH_MUST_USE;

/* KeyUpdate from the peer in the established state (both roles). */
int th_conn_recv_key_update(th_conn *c, const th_handshake *hs, const uint8_t *msg, size_t msg_len,
                            uint8_t *out_alert) TH_MUST_USE;

/* What a ticket holds (conn_session.c), and its identity. */
typedef struct {
    uint16_t suite;
    time_t created;
    uint32_t lifetime, age_add, max_early_data;
    th_secret psk;
    uint8_t alpn[TH_ALPN_MAX];
    size_t alpn_len;
    int peer_authenticated; /* the client's certificate verified */
    uint8_t id[TH_TICKET_NONCE_LEN];
} th_ticket_state;

/* Server: opens |ticket| with the config's ticket key into |out| (wipe
 * out->psk when done). 0 for no ticket key or a ticket that is not ours
 * (the PSK is then ignored, RFC 8446 §4.2.11). */
/* The ticket AEAD both versions' tickets use (conn_session.c):
 * th_ticket_seal appends nonce || AES-256-GCM(|plain|) under the config's
 * ticket key (0 without one); th_ticket_open opens a ticket into |plain| (at
 * most |cap| bytes), 0 for anything that does not open. */
int th_ticket_seal(th_conn *c, const uint8_t *plain, size_t plain_len, CBB *out) TH_MUST_USE;
int th_ticket_open(const th_ticket_ctx *t, const uint8_t *ticket, size_t len, uint8_t *plain,
                   size_t cap, size_t *out_len) TH_MUST_USE;
int th_conn_open_ticket(th_conn *c, const uint8_t *ticket, size_t len,
                        th_ticket_state *out) TH_MUST_USE;

/* Server: queues the config's NewSessionTickets (after the client Finished,
 * res_master derived); none when the client sent no psk_key_exchange_modes. */
int th_conn_send_tickets(th_conn *c) TH_MUST_USE;

/* Client: keeps |nst| as the newest session (c->session). 0 with the alert
 * for a malformed early_data extension or internal_error. */
int th_conn_store_ticket(th_conn *c, const th_new_session_ticket *nst,
                         uint8_t *out_alert) TH_MUST_USE;

/* The strike register: 1 if the identity |id| was not seen (it is now
 * remembered until |expiry|), 0 if it was or the register is full. */
int th_ticket_strike(th_ticket_ctx *t, const uint8_t id[TH_TICKET_NONCE_LEN], time_t expiry,
                     time_t now) TH_MUST_USE;

/* Keeps a copy of the transcript through the client Finished when
 * post_handshake_auth was offered (1 when done or not needed). */
int th_conn_pha_save(th_conn *c) TH_MUST_USE;

/* Starts c->transcript for a post-handshake authentication exchange from
 * the handshake-end copy. */
int th_conn_pha_begin(th_conn *c) TH_MUST_USE;

/* Ends the exchange's transcript. */
void th_conn_pha_end(th_conn *c);

/* Server: queues a post-handshake CertificateRequest (hs13_server.c); the
 * caller checked that one may be sent. */
int th_hs13_server_request_auth(th_conn *c) TH_MUST_USE;

/* Marks the handshake complete. */
void th_conn_established(th_conn *c);

/* Sends an alert of |level| (TLS 1.2 warnings: no_renegotiation) under the
 * current write key; the connection state does not change. */
void th_conn_send_alert(th_conn *c, uint8_t level, uint8_t description);

#endif
