/* Shared between peer.c and the peer kinds (peer_boringssl.c, peer_self.c,
 * peer_net.c): each kind's constructor and the spec parsing helpers. */
#ifndef TH_PEER_INTERNAL_H
#define TH_PEER_INTERNAL_H
#include <stddef.h>
#include <stdint.h>

#include "conn.h"
#include "peer.h"

typedef enum {
    TH_PEER_KIND_NONE = 0,
    TH_PEER_KIND_BORINGSSL,
    TH_PEER_KIND_SELF,
    TH_PEER_KIND_TCP,
    TH_PEER_KIND_LISTEN,
    TH_PEER_KIND_EXEC,
} th_peer_kind;

/* The kind |spec| names, TH_PEER_KIND_NONE when it is not a valid spec. */
th_peer_kind th_peer_kind_of(const char *spec);

/* Splits "HOST:PORT" (HOST may be a bracketed IPv6 address) into |host|
 * (NUL-terminated, brackets removed) and a port 1..65535. 0 if malformed. */
int th_peer_parse_host_port(const char *s, char *host, size_t host_cap,
                            uint16_t *out_port) TH_MUST_USE;

/* Writes "<pki_dir>/<name><suffix>" into |out|. 0 with |err| when |name| is
 * not a plain file name (letters, digits, '-', '_', '.', not starting with
 * '.') or the path does not fit. */
int th_peer_pki_file(const th_peer_opts *opts, const char *name, const char *suffix, char *out,
                     size_t out_cap, char *err, size_t err_len) TH_MUST_USE;

/* Deterministic bytes: SHA-256(label || seed || counter || block) blocks, so
 * every in-process peer that can be seeded derives its randomness and keys
 * from the run's --seed. */
void th_peer_seed_bytes(uint64_t seed, const char *label, uint64_t counter, uint8_t *out,
                        size_t len);

/* The groups a client peer lists, in order: both peers send one key share,
 * for their first group, so the first of key_shares (when given) leads,
 * followed by the other groups. A malloc'd array (free it; *out_num may be
 * 0), NULL when out of memory. */
uint16_t *th_peer_client_groups(const th_sc_side *cfg, size_t *out_num);

/* snprintf into |err| (ignored when NULL or empty). */
void th_peer_set_error(char *err, size_t err_len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* The constructors of each kind; same contract as th_peer_new. |spec| is
 * valid for the kind. */
th_peer *th_peer_boringssl_new(const char *spec, int peer_role, const th_sc_side *cfg,
                               const th_peer_opts *opts, char *err, size_t err_len);
th_peer *th_peer_self_new(const char *spec, int peer_role, const th_sc_side *cfg,
                          const th_peer_opts *opts, char *err, size_t err_len);
th_peer *th_peer_net_new(const char *spec, th_peer_kind kind, int peer_role, const th_sc_side *cfg,
                         const th_peer_opts *opts, char *err, size_t err_len);

/* The port of a network peer (listen: where it accepts; exec: the {port}
 * given to the command; tcp: the server's), 0 for other peers. */
uint16_t th_peer_net_port(const th_peer *peer);

#endif
