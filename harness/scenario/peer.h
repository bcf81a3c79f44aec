/* Peers: the implementation under test behind one small vtable (BearSSL
 * style), so the scripted endpoint talks to BoringSSL in-process, to our own
 * engine, to a TCP endpoint or to a command it starts in the same way.
 *
 * A peer is made once per scenario run from a spec ("boringssl", "self",
 * "tcp:HOST:PORT", "listen:PORT", "exec:COMMAND") and the peer side of the
 * scenario's config, in the role opposite to ours. It then serves one or more
 * connections in sequence (a resumption scenario first runs a handshake for a
 * ticket on one connection, then the scenario on the next; the peer keeps its
 * ticket keys / session between them). In-process peers answer synchronously:
 * everything they have to say is available to read right after write, so a
 * read never waits; network peers wait up to the deadline. */
#ifndef TH_PEER_H
#define TH_PEER_H
#include <stddef.h>
#include <stdint.h>
#include "scenario.h"

/* What the peer said about the connection (in-process peers only; network
 * peers leave known = 0). */
typedef struct {
    int known;
    int established;
    uint16_t version;
    uint16_t cipher_suite;
    uint16_t group;
    char alpn[256];
    int resumed;
    int has_alert_sent;
    uint8_t alert_sent;
    int has_alert_received;
    uint8_t alert_received;
    char error[256]; /* the peer's own description of a failure, if any */
} th_peer_info;

typedef enum {
    TH_PEER_READ_DATA = 0, /* bytes were read (*out_len > 0) */
    TH_PEER_READ_NONE,     /* nothing within the deadline */
    TH_PEER_READ_EOF,      /* the peer closed the connection (or, in-process,
                              has failed or closed and has nothing more) */
    TH_PEER_READ_ERROR,    /* the transport failed: see err */
} th_peer_read_result;

typedef struct th_peer th_peer;

typedef struct {
    /* Starts the next connection (for a client peer: the peer sends its
     * ClientHello, readable at once). 0 with |err| on failure. */
    int (*connect)(th_peer *p, char *err, size_t err_len);
    /* Delivers our bytes to the peer. 0 when the transport failed (the peer
     * having closed is not a failure: its bytes are dropped). */
    int (*write)(th_peer *p, const uint8_t *in, size_t len, char *err, size_t err_len);
    /* Reads what the peer sent, waiting up to |deadline_ms| for a network
     * peer (in-process peers never wait). */
    th_peer_read_result (*read)(th_peer *p, uint8_t *out, size_t cap, size_t *out_len,
                                unsigned deadline_ms, char *err, size_t err_len);
    /* Ends the current connection (our transport side closes). */
    void (*disconnect)(th_peer *p);
    /* Fills |out| with the peer's view of the current connection. */
    void (*info)(th_peer *p, th_peer_info *out);
    void (*free)(th_peer *p);
} th_peer_ops;

/* Options every peer gets from the runner. */
typedef struct {
    const char *pki_dir; /* scenarios/pki */
    uint64_t seed;       /* randomness of in-process peers that allow it */
    unsigned connect_timeout_ms;
    int verbose;
} th_peer_opts;

struct th_peer {
    const th_peer_ops *ops;
    char *spec; /* owned copy of the spec */
};

/* 1 if |spec| names a peer kind (used to validate --peer and `peers:`). */
int th_peer_spec_valid(const char *spec);

/* Makes a peer for |spec| acting in |peer_role| (the role opposite to our
 * scripted side) with the peer side of a scenario's config. NULL with |err|
 * when the spec is unknown or the config cannot be honoured (a certificate
 * that does not load, ...). A peer that cannot do what a scenario needs (e.g.
 * a network peer and `resume`) says so in |err| and returns NULL; the runner
 * reports the scenario as an error. */
th_peer *th_peer_new(const char *spec, int peer_role, const th_sc_side *cfg,
                     const th_peer_opts *opts, char *err, size_t err_len);

/* Convenience wrappers around ops. */
int th_peer_connect(th_peer *p, char *err, size_t err_len) TH_MUST_USE;
int th_peer_write(th_peer *p, const uint8_t *in, size_t len, char *err, size_t err_len) TH_MUST_USE;
th_peer_read_result th_peer_read(th_peer *p, uint8_t *out, size_t cap, size_t *out_len,
                                 unsigned deadline_ms, char *err, size_t err_len);
void th_peer_disconnect(th_peer *p);
void th_peer_info_get(th_peer *p, th_peer_info *out);
void th_peer_free(th_peer *p);

#endif
