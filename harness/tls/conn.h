/* The sans-I/O TLS connection (DESIGN.md "The engine is sans-I/O"): the
 * caller feeds the peer's bytes in with th_conn_recv, takes the bytes for the
 * peer out with th_conn_take_output, and exchanges application data with
 * th_conn_write_app / th_conn_read_app. No sockets, no clock, no randomness
 * of its own: time and randomness come from th_config. TLS 1.3 (RFC 8446) in
 * both roles; the handshakes are the tables of hs13_client.c and
 * hs13_server.c; TLS 1.2 (RFC 5246) those of hs12_client.c and hs12_server.c
 * when th_config.versions enables it; session tickets, PSK resumption and 0-RTT in
 * conn_session.c and the tables. Any bad peer input ends in the RFC alert,
 * sent to the peer and reported by th_conn_status. Built with
 * TH_FUZZING_UNSAFE (the th_tls_unsafe library of libFuzzer builds only),
 * CertificateVerify signatures, Finished verify_data and PSK binders are not
 * checked. */
#ifndef TH_CONN_H
#define TH_CONN_H

#include <time.h>

#include <openssl/x509.h>

#include "kex.h"
#include "th_base.h"
#include "x509.h"

typedef enum {
    TH_ROLE_CLIENT = 0,
    TH_ROLE_SERVER,
} th_role;

/* A resumable session (client side): one NewSessionTicket with its
 * resumption PSK, suite, ALPN, lifetime and age_add (RFC 8446 §4.6.1). Taken
 * from a connection with th_conn_take_session, offered by later connections
 * through th_config.session. Holds a secret: free it with th_session_free. */
typedef struct th_session th_session;

/* Frees |s|, wiping the PSK. Accepts NULL. */
void th_session_free(th_session *s);

/* The max_early_data_size the ticket allows (0: no 0-RTT with it). */
uint32_t th_session_max_early_data(const th_session *s);

/* The server's ticket state, shared by every connection of a config: the
 * AEAD key that seals tickets (the server stores no session: a ticket carries
 * its own PSK, suite, ALPN, creation time and age_add) and the 0-RTT
 * anti-replay strike register. Not thread-safe: one thread at a time. */
typedef struct th_ticket_ctx th_ticket_ctx;

/* A ticket context sealing with AES-256-GCM under |key| (32 bytes), or a key
 * from BoringSSL's RAND_bytes when |key| is NULL. The strike register holds
 * up to |max_strikes| ticket identities (0 means 4096). Anti-replay policy
 * (RFC 8446 §8.1, single-use tickets): 0-RTT is accepted at most once per
 * ticket; an identity stays in the register until its ticket expires, and
 * when the register is full of unexpired identities 0-RTT is rejected
 * (the handshake still resumes in 1-RTT), so a replay is never accepted.
 * NULL when out of memory. */
th_ticket_ctx *th_ticket_ctx_new(const uint8_t *key, size_t max_strikes);

/* Frees |t|, wiping the key. Accepts NULL. */
void th_ticket_ctx_free(th_ticket_ctx *t);

/* The server's TLS 1.2 session ID cache (RFC 5246 §7.4.1.2): up to a fixed
 * number of sessions (master secret, suite, EMS flag) by session ID, the
 * oldest evicted first, each valid for the config's ticket_lifetime. Shared
 * by every connection of a config; not thread-safe. */
typedef struct th_session_cache th_session_cache;

/* A cache of up to |max_entries| sessions (0 means 1024). NULL when out of
 * memory. */
th_session_cache *th_session_cache_new(size_t max_entries);

/* Frees |cache|, wiping every master secret. Accepts NULL. */
void th_session_cache_free(th_session_cache *cache);

/* What a TLS 1.2 client does with a HelloRequest (RFC 5246 §7.4.1.1). */
typedef enum {
    TH_RENEGOTIATE_REFUSE = 0, /* answer with a warning no_renegotiation alert */
    TH_RENEGOTIATE_ACCEPT,     /* renegotiate (secure renegotiation only, RFC 5746) */
} th_renegotiation;

/* Largest ticket_lifetime (RFC 8446 §4.6.1: "Servers MUST NOT use any value
 * greater than 604800 seconds (7 days)"). */
#define TH_MAX_TICKET_LIFETIME 604800u

/* What a connection is made of. Borrowed: everything pointed to (lists,
 * strings, cert_key, trust_store, callbacks' contexts) must outlive every
 * connection made from it. Zero means default for every field. */
typedef struct {
    /* Preference order. Defaults: the three TLS 1.3 suites (AES-128-GCM,
     * AES-256-GCM, ChaCha20); X25519, secp256r1, secp384r1; ECDSA P-256/P-384,
     * RSA-PSS-RSAE SHA-256/384/512, Ed25519. The client sends a key share for
     * the first group; the server picks the first of its own groups the
     * client supports (HelloRetryRequest when it has no share for it). */
    const uint16_t *cipher_suites;
    size_t num_cipher_suites;
    const uint16_t *groups;
    size_t num_groups;
    const uint16_t *sig_schemes;
    size_t num_sig_schemes;
    /* ALPN protocol names in preference order (RFC 7301). The server picks
     * its first name the client offers. */
    const char *const *alpn;
    size_t num_alpn;
    /* Client: the server_name to send (RFC 6066) and, unless verify_host is
     * set, the name the server's certificate must match. */
    const char *server_name;
    const char *verify_host;
    /* Our certificate chain and key (server: required; client: sent when the
     * server asks). */
    const th_cert_key *cert_key;
    /* More chains and keys (an array; RSA and ECDSA together, or one per
     * name). The candidates are cert_key, then these. Server: each handshake
     * uses the first candidate whose leaf matches the client's server_name
     * (BoringSSL's X509_check_host: exact or wildcard) and whose key can sign
     * a scheme the client's signature_algorithms lists; else the first the
     * client can verify; else handshake_failure. Client: the first whose key
     * can sign a scheme of the CertificateRequest. */
    const th_cert_key *cert_keys;
    size_t num_cert_keys;
    /* Anchors for the peer's chain. A client without one fails the handshake
     * (unknown_ca) unless insecure_skip_verify is set. */
    X509_STORE *trust_store;
    int insecure_skip_verify;
    /* Server: ask for a client certificate; fail with certificate_required
     * when the client sends none and require_client_cert is set. */
    int request_client_cert;
    int require_client_cert;
    /* Middlebox compatibility mode (RFC 8446 §D.4). Client: a random 32-byte
     * legacy_session_id and one change_cipher_spec record before its second
     * flight (before the second ClientHello after a HelloRetryRequest, else
     * before its encrypted flight; right after the ClientHello when sending
     * 0-RTT data). Server: one change_cipher_spec record after its first
     * ServerHello or HelloRetryRequest when the client sent a session id. */
    int middlebox_compat;
    /* Server: every HelloRetryRequest carries a cookie (RFC 8446 §4.2.2)
     * binding the first ClientHello and the selected group; the second
     * ClientHello must echo it (missing_extension if absent,
     * illegal_parameter if changed). */
    int hrr_cookie;
    /* Randomness (randoms, key shares); NULL means BoringSSL's RAND_bytes. */
    th_random_fn random;
    void *random_ctx;
    /* Time for certificate validity; NULL means time(NULL). */
    time_t (*now)(void *ctx);
    void *now_ctx;
    /* Receives NSS key log lines (without newline) for every traffic secret. */
    void (*keylog)(void *ctx, const char *line);
    void *keylog_ctx;
    /* Largest handshake message body accepted; 0 means
     * TH_DEFAULT_MAX_HANDSHAKE. */
    size_t max_handshake_message;
    /* record_size_limit (RFC 8449): the largest TLSInnerPlaintext we accept
     * in protected records, 64 to 16385 (0 means 16385; below 64 makes the
     * config unusable). Client: sent in the ClientHello when not 0. Server:
     * a client's record_size_limit is always honoured and answered with
     * ours in EncryptedExtensions. Once negotiated, records over our limit
     * are record_overflow. */
    uint16_t record_size_limit;

    /* Server: tickets and resumption. Without |tickets| no NewSessionTicket
     * is sent and every PSK is ignored (full handshakes). num_tickets
     * NewSessionTickets follow each handshake (0 means 2), valid for
     * ticket_lifetime seconds (0 means 7200; capped at
     * TH_MAX_TICKET_LIFETIME). max_early_data: the max_early_data_size of our
     * tickets, and 0-RTT accepted with them (0: no 0-RTT). */
    th_ticket_ctx *tickets;
    size_t num_tickets;
    uint32_t ticket_lifetime;
    uint32_t max_early_data;

    /* Client: the session to resume (borrowed; NULL for a full handshake).
     * It is offered when its suite's hash matches an offered suite and it has
     * not expired; the caller offers it only to the server (name) that
     * issued it. psk_ke: offer psk_ke (PSK without (EC)DHE) instead of
     * psk_dhe_ke. early_data: bytes sent as 0-RTT data when the session
     * allows at least early_data_len bytes (RFC 8446 §4.2.10); if the server
     * rejects them (status early_data_accepted 0) the caller sends them again
     * once established. */
    const th_session *session;
    int psk_ke;
    const uint8_t *early_data;
    size_t early_data_len;

    /* Client: offer post-handshake client authentication (RFC 8446 §4.2.6)
     * and answer the server's post-handshake CertificateRequests with the
     * candidates of cert_key/cert_keys (an empty Certificate when none
     * fits). The handshake-end transcript is then kept for the connection's
     * life. */
    int post_handshake_auth;
    /* Server: refuse a ClientHello without server_name with missing_extension
     * (RFC 8446 §9.2: "Servers requiring this extension SHOULD respond to a
     * ClientHello lacking a "server_name" extension by terminating the
     * connection with a "missing_extension" alert"). */
    int require_server_name;

    /* Protocol versions, any order: TH_VERSION_TLS12 and/or
     * TH_VERSION_TLS13. Empty means TLS 1.3 only. A server with both picks
     * TLS 1.3 when the client offers it (supported_versions), else TLS 1.2,
     * and then writes the RFC 8446 §4.1.3 downgrade sentinel into its
     * random. */
    const uint16_t *versions;
    size_t num_versions;
    /* TLS 1.2: accept a peer without extended_master_secret (RFC 7627).
     * Default 0: the EMS is required and a handshake without it fails with
     * handshake_failure. */
    int tls12_allow_no_ems;
    /* TLS 1.2 client: how a HelloRequest is answered. */
    th_renegotiation renegotiation;
    /* TLS 1.2 client: add TLS_FALLBACK_SCSV (RFC 7507) to the ClientHello. */
    int fallback_scsv;
    /* TLS 1.2 server: sessions resumable by session ID (NULL: no session
     * IDs are issued). RFC 5077 tickets are sealed with |tickets| unless
     * tls12_no_tickets is set. */
    th_session_cache *session_cache;
    int tls12_no_tickets;
    /* Server: an OCSP response (DER) stapled when the client sends
     * status_request (TLS 1.2 CertificateStatus, RFC 6066 §8). */
    const uint8_t *ocsp_response;
    size_t ocsp_response_len;
    /* Client: send status_request (RFC 6066 §8) and accept a
     * CertificateStatus (TLS 1.2); the response is th_conn_peer_ocsp's. */
    int ocsp_stapling;
} th_config;

typedef enum {
    TH_CONN_HANDSHAKING = 0,
    TH_CONN_ESTABLISHED,
    TH_CONN_CLOSED, /* close_notify sent and received */
    TH_CONN_FAILED, /* a fatal alert was sent or received */
} th_conn_state;

/* A snapshot of a connection. alpn points into the connection. */
typedef struct {
    th_conn_state state;
    int want_write;     /* output is waiting for th_conn_take_output */
    int want_read;      /* nothing to send: progress needs the peer's bytes */
    int has_alert_sent; /* alert_sent holds the last alert we sent */
    uint8_t alert_sent;
    int has_alert_received;
    uint8_t alert_received;
    int peer_closed;  /* close_notify received */
    int we_closed;    /* close_notify sent */
    uint16_t version; /* the negotiated version (TLS 1.2 or 1.3), 0 before */
    uint16_t cipher_suite;
    uint16_t group;
    uint16_t sig_scheme;             /* the scheme of the peer's CertificateVerify */
    th_bytes alpn;                   /* empty when none was negotiated */
    th_bytes server_name;            /* the SNI host_name sent (client) or received (server, up to
                                        255 bytes); empty when none */
    int hello_retry;                 /* a HelloRetryRequest was part of the handshake */
    int resumed;                     /* the handshake used a PSK (RFC 8446 §4.2.11) */
    int early_data_offered;          /* client: sent 0-RTT data; server: the client offered it */
    int early_data_accepted;         /* 0-RTT data was accepted */
    size_t tickets_received;         /* well-formed NewSessionTickets (client) */
    uint16_t peer_record_size_limit; /* the peer's RFC 8449 limit our records
                                        honour; 0 when not negotiated */
    int peer_authenticated;          /* the peer sent a certificate that verified (in a
                                        resumed handshake: in the one that issued the
                                        ticket) */
} th_conn_status;

typedef struct th_conn th_conn;

/* A new connection in |role| using |cfg| (borrowed, see th_config). A client
 * has its ClientHello ready in the output at once. NULL when out of memory,
 * when the config is unusable (a server without cert_key, an unsupported
 * group or suite only) or when the randomness fails. */
th_conn *th_conn_new(const th_config *cfg, th_role role);

/* Consumes |len| bytes from the peer (any split, records across calls). 1 if
 * the connection is still usable; 0 if it has failed, the alert then being in
 * th_conn_status and, when we sent it, in the output. */
int th_conn_recv(th_conn *c, const uint8_t *in, size_t len) TH_MUST_USE;

/* Copies up to |cap| bytes of pending output into |out| and removes them;
 * returns the number copied (0 when nothing is pending). */
size_t th_conn_take_output(th_conn *c, uint8_t *out, size_t cap);

/* A view of all pending output (NULL when none) and its length, valid until
 * the next call on |c|; th_conn_consume_output drops |n| bytes of it. */
const uint8_t *th_conn_pending_output(const th_conn *c, size_t *out_len);
void th_conn_consume_output(th_conn *c, size_t n);

/* Queues |len| bytes of application data as protected records of at most
 * |max_record| content bytes (0 means the largest the record layer allows).
 * 0 if the connection is not established or we closed it, or on an internal
 * failure (the connection then fails). */
int th_conn_write_app(th_conn *c, const uint8_t *data, size_t len, size_t max_record) TH_MUST_USE;

/* Copies up to |cap| bytes of received application data into |out| and
 * returns how many. */
size_t th_conn_read_app(th_conn *c, uint8_t *out, size_t cap);

/* Sends a KeyUpdate (RFC 8446 §4.6.3), asking the peer to update too if
 * |request_peer|, and moves our write key on. 0 unless established. */
int th_conn_key_update(th_conn *c, int request_peer) TH_MUST_USE;

/* Frees every empty buffer of an established connection now. Buffers are
 * allocated on demand and freed when they empty, except those grown past two
 * records by bursts of data, which are kept for the next burst until this
 * call (a caller about to leave the connection idle makes it). */
void th_conn_release_buffers(th_conn *c);

/* Sends close_notify (RFC 8446 §6.1); no more application data is written.
 * 0 if it was already sent or the connection failed. */
int th_conn_close(th_conn *c) TH_MUST_USE;

/* Server: sends a post-handshake CertificateRequest (RFC 8446 §4.6.2) with
 * a fresh 32-byte certificate_request_context from the config's randomness.
 * The client's answer is checked as it arrives (require_client_cert makes an
 * empty Certificate certificate_required); peer_authenticated is set once
 * it verified. 0 (nothing sent) unless the connection is an established
 * server whose client offered post_handshake_auth, neither side has sent
 * close_notify and no request is outstanding (a client that has closed
 * leaves requests unanswered); or on an internal failure (the connection then
 * fails). */
int th_conn_request_client_auth(th_conn *c) TH_MUST_USE;

/* Client: the session of the most recent NewSessionTicket, which the caller
 * now owns (th_session_free); NULL when no ticket has arrived since the last
 * call. */
th_session *th_conn_take_session(th_conn *c);

/* Fills |out| with the state and the negotiated parameters. */
void th_conn_get_status(const th_conn *c, th_conn_status *out);

/* Frees |c|, wiping every secret (OPENSSL_cleanse). Accepts NULL. */
void th_conn_free(th_conn *c);

/* The certificate chain the peer sent (DER, leaf first) once its Certificate
 * message was accepted; NULL with *out_num 0 before that or when it sent none
 * (resumption). Owned by the connection. */
const th_bytes *th_conn_peer_chain(const th_conn *c, size_t *out_num);

/* The OCSP response the server stapled (TLS 1.2 CertificateStatus, DER),
 * owned by the connection; NULL with *out_len 0 when none. */
const uint8_t *th_conn_peer_ocsp(const th_conn *c, size_t *out_len);

#endif
