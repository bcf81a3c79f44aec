/* Internals shared by the two TLS 1.2 handshake tables (hs12_server.c,
 * hs12_client.c) and their common steps (hs12_common.c): the handshake state
 * of RFC 5246 §7.4 with its extensions (RFC 4492/8422, 5077, 5746, 6066,
 * 7301, 7627, 8449), the transcript of raw handshake messages, key
 * derivation and installation at ChangeCipherSpec, Finished, sessions and
 * the ChangeCipherSpec rule. Not part of the public API.
 *
 * How a TLS 1.2 connection runs in th_conn: c->tls12 is set once TLS 1.2 is
 * negotiated (server: when the ClientHello is read; client: when a TLS 1.2
 * ServerHello arrives, or from the start when TLS 1.3 is not configured);
 * conn.c then dispatches handshake messages to th_hs12_server_table /
 * th_hs12_client_table, hands change_cipher_spec records to
 * th_hs12_recv_ccs, and protects records with c->rd12 / c->wr12 (th_rl12_*)
 * once they hold a key. The TLS 1.3 fields of th_conn that TLS 1.2 reuses:
 * version, suite, group, peer_sig_scheme, alpn, server_name, kex (the ECDHE
 * key pair), cert_key, peer_key, peer_chain, peer_authenticated,
 * cert_requested, cr_sig_algs, session_id (the session's ID), resumed,
 * session (client: the newest session for th_conn_take_session), peer_rsl.
 * c->transcript is NOT used: the messages are kept raw in hs12->msgs. */
#ifndef TH_HS12_INTERNAL_H
#define TH_HS12_INTERNAL_H

#include "conn_internal.h"
#include "keys12.h"
#include "record12.h"

/* RSA premaster (RFC 5246 §7.4.7.1) and the P-384 x-coordinate are 48. */
#define TH_HS12_PREMASTER_MAX 48

/* What a TLS 1.2 session holds: everything resumption needs (RFC 5246
 * §7.4.1.2 "session state", RFC 7627 §5.2 the EMS flag). Held by the
 * server's session ID cache and sealed into our RFC 5077 tickets; the
 * client keeps the same fields in th_session (psk = master secret). */
typedef struct {
    uint16_t suite;
    th_secret master; /* 48 bytes */
    int ems;          /* the master secret is the extended one (RFC 7627) */
    int peer_authenticated;
    time_t created;
    uint32_t lifetime;
    /* The client's server_name host (RFC 6066 §3: a session is not resumed
     * under a different name); empty when none was sent. */
    uint8_t server_name[TH_ALPN_MAX];
    size_t server_name_len;
} th_hs12_session;

/* The TLS 1.2 handshake state (c->hs12, allocated by th_hs12_new). */
typedef struct th_hs12 {
    const th_tls12_suite *suite; /* the negotiated suite's row */
    uint8_t client_random[TH_TLS12_RANDOM_LEN];
    uint8_t server_random[TH_TLS12_RANDOM_LEN];
    /* ClientHello.client_version: the version an RSA premaster must start
     * with (RFC 5246 §7.4.7.1). */
    uint16_t client_version;
    /* The handshake messages so far, headers included (RFC 5246 §7.4.9
     * handshake_messages): kept raw because a CertificateVerify's hash
     * comes from its scheme, not from the PRF. th_hs12_send_message and
     * th_hs12_add_message append; th_hs12_hash hashes with the PRF hash. */
    uint8_t *msgs;
    size_t msgs_len, msgs_cap;

    /* Key exchange: ECDHE uses c->kex (our key pair) and c->group; RSA
     * key exchange the premaster below. */
    th_secret premaster;
    th_secret master;      /* 48 bytes once derived */
    int ems;               /* extended master secret in use (RFC 7627) */
    int peer_ems;          /* the peer sent extended_master_secret */
    th_tls12_key_block kb; /* derived with the master secret */

    /* ChangeCipherSpec (RFC 5246 §7.1). ccs_expected: the role's table
     * says the peer's CCS may come now (server: after ClientKeyExchange /
     * CertificateVerify, or after our Finished when resuming; client: after
     * NewSessionTicket or ServerHelloDone flights). ccs_received: the
     * peer's CCS arrived (its read key is installed): only Finished may
     * follow. */
    int ccs_expected, ccs_received;

    /* Secure renegotiation (RFC 5746): the peer signalled support (SCSV or
     * the extension); both verify_data of this handshake. */
    int secure_reneg;
    uint8_t client_verify_data[TH_TLS12_VERIFY_DATA_LEN];
    uint8_t server_verify_data[TH_TLS12_VERIFY_DATA_LEN];

    /* Negotiated extensions. */
    int etm;                 /* encrypt_then_mac (RFC 7366) for CBC suites */
    int peer_etm;            /* server: the ClientHello offered encrypt_then_mac */
    int ticket_expected;     /* session_ticket: server: we send a NewSessionTicket;
                                client: the server promised one */
    int ocsp;                /* status_request: CertificateStatus follows Certificate */
    uint8_t mfl_code;        /* max_fragment_length code (RFC 6066 §4), 0: none */
    int sni_ack;             /* server: the certificate was chosen by server_name, so
                                the ServerHello carries an empty server_name */
    int peer_sent_sig_algs;  /* signature_algorithms was in the ClientHello */
    uint16_t *peer_sig_algs; /* server: the ClientHello's list (owned) */
    size_t num_peer_sig_algs;

    /* Client authentication: the server asked (c->cert_requested); the
     * client sent a non-empty Certificate, so a CertificateVerify follows. */
    int client_cert_sent;

    /* Sessions: the session of this handshake (resumed or new). The
     * session ID is c->session_id. ticket: client, the ticket of the
     * NewSessionTicket (owned). */
    th_hs12_session sess;
    uint8_t *ticket;
    size_t ticket_len;
    uint32_t ticket_lifetime_hint;
    int ticket_offered; /* client: a ticket was sent in the ClientHello */
} th_hs12;

/* ---- Entry points (conn.c) ---------------------------------------------- */

extern const th_hs_row th_hs12_server_table[];
extern const size_t th_hs12_server_table_len;
extern const th_hs_row th_hs12_client_table[];
extern const size_t th_hs12_client_table_len;

/* 1 if the config lists |version| (TH_VERSION_TLS12 or 13); an empty list
 * means TLS 1.3 only. */
int th_conn_version_enabled(const th_conn *c, uint16_t version);

/* The highest version the config enables. */
uint16_t th_conn_max_version(const th_conn *c);

/* Server: reads the first ClientHello (|hs|) and decides the version
 * (RFC 8446 §4.2.1 / RFC 5246 §E.1): TLS 1.3 when enabled and offered in
 * supported_versions, else TLS 1.2 when enabled and legacy_version >=
 * 0x0303. 1 with *out_tls12 set (1: the TLS 1.2 table takes the message);
 * 0 with protocol_version when neither fits, decode_error etc. for a
 * ClientHello that does not parse. */
int th_hs12_server_pick_version(th_conn *c, const th_handshake *hs, int *out_tls12,
                                uint8_t *out_alert) TH_MUST_USE;

/* Client: starts a TLS 1.2-only handshake (queues the ClientHello); called
 * by th_conn_new when the config does not enable TLS 1.3. (hs12_client.c) */
int th_hs12_client_start(th_conn *c) TH_MUST_USE;

/* Client offering TLS 1.3 and 1.2 (hs13_client.c calls these;
 * hs12_client.c): appends our TLS 1.2 suites (and the SCSVs the config
 * asks for) to the open cipher_suites list |suites|, and the TLS 1.2
 * extensions (extended_master_secret, renegotiation_info, ec_point_formats,
 * session_ticket, status_request) to |exts|, marking them in c->sent_exts. */
int th_hs12_client_hello_suites(th_conn *c, CBB *suites) TH_MUST_USE;
int th_hs12_client_hello_exts(th_conn *c, CBB *exts) TH_MUST_USE;

/* For a client offering TLS 1.3 and 1.2 (hs13_client.c, before it writes
 * its ClientHello): when the config's session is a usable TLS 1.2 one, puts
 * its session ID (or, for a ticket, a random one, RFC 5077 §3.4) into
 * c->session_id and marks it offered, so th_hs12_client_hello_exts offers
 * its ticket and a TLS 1.2 ServerHello can resume it. */
void th_hs12_client_offer_session(th_conn *c);

/* A TLS 1.2 ServerHello answering a ClientHello that offered 1.3 too
 * (c->ch1 holds it): switches the connection to TLS 1.2 (th_hs12_new),
 * checks the RFC 8446 §4.1.3 downgrade sentinel (illegal_parameter) and
 * processes the ServerHello. (hs12_client.c) */
int th_hs12_client_server_hello13(th_conn *c, const th_handshake *hs, const uint8_t *msg,
                                  size_t msg_len, uint8_t *out_alert) TH_MUST_USE;

/* A change_cipher_spec record (|body|, |len|) from the peer in TLS 1.2
 * (RFC 5246 §7.1): a single byte 1, allowed only when hs12->ccs_expected,
 * with no handshake message pending; installs the read key (c->rd12) from
 * hs12->kb. 0 with unexpected_message otherwise (RFC 5246 §7.4: the early
 * CCS of CVE-2014-0224), decode_error for a bad body. */
int th_hs12_recv_ccs(th_conn *c, const uint8_t *body, size_t len, uint8_t *out_alert) TH_MUST_USE;

/* Frees hs12 and wipes it; accepts a connection without one. */
void th_hs12_free(th_conn *c);

/* Drops what only the handshake needed (the raw messages, the premaster,
 * the key block, the peer's schemes) once established. */
void th_hs12_trim(th_conn *c);

/* ---- Shared steps (hs12_common.c) --------------------------------------- */

/* Allocates c->hs12 (zeroed) and sets c->tls12 and c->version. 0 when out
 * of memory. */
int th_hs12_new(th_conn *c) TH_MUST_USE;

/* Appends a whole received or sent handshake message to hs12->msgs. */
int th_hs12_add_message(th_conn *c, const uint8_t *msg, size_t len) TH_MUST_USE;

/* Closes |cbb| (from th_conn_begin_message), appends the message to
 * hs12->msgs and to the pending flight, and frees it. */
int th_hs12_send_message(th_conn *c, CBB *cbb) TH_MUST_USE;

/* Hash of hs12->msgs with the suite's PRF hash into |out|
 * (EVP_MAX_MD_SIZE). */
int th_hs12_hash(const th_conn *c, uint8_t *out, size_t *out_len) TH_MUST_USE;

/* Sets the negotiated suite: c->suite, hs12->suite. 0 if not a TLS 1.2
 * suite of the table. */
int th_hs12_set_suite(th_conn *c, uint16_t suite) TH_MUST_USE;

/* Master secret from hs12->premaster (extended when hs12->ems, over the
 * messages so far, which must end with ClientKeyExchange), then the key
 * block; writes the NSS key log line; wipes the premaster. */
int th_hs12_derive_master(th_conn *c) TH_MUST_USE;

/* The key block from hs12->master (resumption: the session's master). */
int th_hs12_derive_key_block(th_conn *c) TH_MUST_USE;

/* Flushes the flight, queues our change_cipher_spec record and installs
 * our write key (c->wr12) from hs12->kb with the peer's record size limit
 * (RFC 8449 / max_fragment_length). */
int th_hs12_send_ccs(th_conn *c) TH_MUST_USE;

/* Sends our Finished (RFC 5246 §7.4.9) over the messages so far and keeps
 * its verify_data (RFC 5746). */
int th_hs12_send_finished(th_conn *c) TH_MUST_USE;

/* Checks the peer's Finished (|hs|, |msg| the whole message) over the
 * messages so far: decrypt_error for a wrong verify_data (RFC 5246 §7.4.9),
 * unexpected_message without the peer's CCS (RFC 5246 §7.4.9: "It is a
 * fatal error if a Finished message is not preceded by a
 * ChangeCipherSpec"). Keeps the verify_data and adds the message. */
int th_hs12_check_finished(th_conn *c, const th_handshake *hs, const uint8_t *msg, size_t msg_len,
                           uint8_t *out_alert) TH_MUST_USE;

/* Sends Certificate (RFC 5246 §7.4.2) with our chain (c->cert_key), or an
 * empty one when |with_chain| is 0 (client without a usable certificate). */
int th_hs12_send_certificate(th_conn *c, int with_chain) TH_MUST_USE;

/* Parses a peer's Certificate and verifies the chain as TLS 1.3 does
 * (trust store, host name for a client, insecure_skip_verify); keeps the
 * leaf key (c->peer_key) and the chain. *out_empty is 1 for an empty chain,
 * which the caller judges (th_alert_empty_*_chain(TH_VERSION_TLS12)). */
int th_hs12_recv_certificate(th_conn *c, const th_handshake *hs, const uint8_t *msg, size_t msg_len,
                             int *out_empty, uint8_t *out_alert) TH_MUST_USE;

/* The signed content of an ECDHE ServerKeyExchange (RFC 8422 §5.4):
 * client_random + server_random + ServerECDHParams of |group| and |point|.
 * Caller OPENSSL_frees *out. */
int th_hs12_ske_content(const th_hs12 *h, uint16_t group, const uint8_t *point, size_t point_len,
                        uint8_t **out, size_t *out_len) TH_MUST_USE;

/* Our signature scheme in TLS 1.2 for |ck| given the peer's list (NULL /
 * 0: the peer sent none, RFC 5246 §7.4.1.4.1 defaults: SHA-1 with the
 * key's algorithm). The first of our schemes the peer lists that |ck|'s key
 * can make in TLS 1.2 (th_sig_scheme_allowed); 0 if none. */
uint16_t th_hs12_sig_scheme_for(const th_conn *c, const th_cert_key *ck, const uint16_t *peer,
                                size_t num_peer);

/* Our TLS 1.2 signature schemes: the config's or the TLS 1.2 defaults
 * (ECDSA P-256/P-384/P-521 SHA-2, RSA-PSS SHA-256/384/512, RSA PKCS#1
 * SHA-256/384/512, Ed25519). */
const uint16_t *th_hs12_sig_schemes(const th_conn *c, size_t *out_num);

/* Our TLS 1.2 suites in preference order: the config's TLS 1.2 suites, or
 * every row of the suite table (ECDHE first, AEAD first) when the config
 * names none. */
size_t th_hs12_suites(const th_conn *c, uint16_t *out, size_t cap);

/* Sets the record size limits once negotiated: our writes honour the
 * peer's record_size_limit (c->peer_rsl) or max_fragment_length; our reads
 * enforce ours when the peer sent record_size_limit (RFC 8449 §4) or the
 * max_fragment_length. 0 (internal_error) on a bad value. */
int th_hs12_apply_record_limits(th_conn *c) TH_MUST_USE;

/* Sessions. Seals |s| into an RFC 5077 ticket with the config's ticket
 * key (a format of its own, which th_conn_open_ticket refuses) into |out|. */
int th_hs12_seal_ticket(th_conn *c, const th_hs12_session *s, CBB *out) TH_MUST_USE;

/* Opens a ticket of th_hs12_seal_ticket into |out| (wipe out->master). 0
 * for anything that is not one of our unexpired TLS 1.2 tickets. */
int th_hs12_open_ticket(th_conn *c, const uint8_t *ticket, size_t len,
                        th_hs12_session *out) TH_MUST_USE;

/* The server's session ID cache (th_session_cache of conn.h): stores a copy
 * of |s| under |id| (evicting the oldest when full); looks one up (an
 * unexpired entry, copied into |out|). */
int th_session_cache_put(th_session_cache *cache, const uint8_t *id, size_t id_len,
                         const th_hs12_session *s) TH_MUST_USE;
int th_session_cache_get(th_session_cache *cache, const uint8_t *id, size_t id_len, time_t now,
                         th_hs12_session *out) TH_MUST_USE;

/* Wipes the master secret of |s|. */
void th_hs12_session_cleanse(th_hs12_session *s);

/* Marks the TLS 1.2 handshake complete: established, the handshake state
 * trimmed later by conn.c. */
void th_hs12_established(th_conn *c);

#endif
