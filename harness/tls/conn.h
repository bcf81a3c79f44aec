/* The sans-I/O TLS connection (DESIGN.md "The engine is sans-I/O"): the
 * caller feeds the peer's bytes in with th_conn_recv, takes the bytes for the
 * peer out with th_conn_take_output, and exchanges application data with
 * th_conn_write_app / th_conn_read_app. No sockets, no clock, no randomness
 * of its own: time and randomness come from th_config. TLS 1.3 (RFC 8446) in
 * both roles; the handshakes are the tables of hs13_client.c and
 * hs13_server.c. Any bad peer input ends in the RFC alert, sent to the peer
 * and reported by th_conn_status. */
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
    /* Anchors for the peer's chain. A client without one fails the handshake
     * (unknown_ca) unless insecure_skip_verify is set. */
    X509_STORE *trust_store;
    int insecure_skip_verify;
    /* Server: ask for a client certificate; fail with certificate_required
     * when the client sends none and require_client_cert is set. */
    int request_client_cert;
    int require_client_cert;
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
    int peer_closed; /* close_notify received */
    int we_closed;   /* close_notify sent */
    uint16_t version;
    uint16_t cipher_suite;
    uint16_t group;
    uint16_t sig_scheme;     /* the scheme of the peer's CertificateVerify */
    th_bytes alpn;           /* empty when none was negotiated */
    th_bytes server_name;    /* the SNI host_name sent (client) or received (server, up to
                                255 bytes); empty when none */
    int hello_retry;         /* a HelloRetryRequest was part of the handshake */
    int resumed;             /* always 0 until resumption exists */
    size_t tickets_received; /* well-formed NewSessionTickets (client) */
    int peer_authenticated;  /* the peer sent a certificate that verified */
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

/* Sends close_notify (RFC 8446 §6.1); no more application data is written.
 * 0 if it was already sent or the connection failed. */
int th_conn_close(th_conn *c) TH_MUST_USE;

/* Fills |out| with the state and the negotiated parameters. */
void th_conn_get_status(const th_conn *c, th_conn_status *out);

/* Frees |c|, wiping every secret (OPENSSL_cleanse). Accepts NULL. */
void th_conn_free(th_conn *c);

#endif
