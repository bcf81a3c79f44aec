/* Shared pieces of `tlsharness server` and `tlsharness client`: sockets
 * (non-blocking, loopback or any address), the engine's output written to a
 * socket, code point lists and ALPN lists from flags, the NSS key log file and
 * the one-line summary of a connection. */
#ifndef TH_CLI_NET_H
#define TH_CLI_NET_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "conn.h"
#include "th_base.h"

/* Longest --groups / --suites / --alpn list accepted. */
#define TH_CLI_MAX_LIST 32

/* Parses a decimal TCP port 1..65535. 1 on success, 0 otherwise. */
int th_cli_parse_port(const char *s, uint16_t *out) TH_MUST_USE;

/* Splits "HOST:PORT" or "[V6ADDR]:PORT" into |host| (NUL-terminated, at most
 * |host_len| - 1 bytes) and |port|. 0 with a message in |err| otherwise. */
int th_cli_split_host_port(const char *arg, char *host, size_t host_len, uint16_t *port, char *err,
                           size_t err_len) TH_MUST_USE;

/* A non-blocking listening TCP socket on |host|:|port| with SO_REUSEADDR.
 * The descriptor, or -1 with a message in |err|. */
int th_cli_listen(const char *host, uint16_t port, char *err, size_t err_len);

/* A TCP connection to |host|:|port| (blocking connect, then made
 * non-blocking). The descriptor, or -1 with a message in |err|. */
int th_cli_connect(const char *host, uint16_t port, char *err, size_t err_len);

/* Sets O_NONBLOCK on |fd|. 1 on success. */
int th_cli_set_nonblocking(int fd) TH_MUST_USE;

/* Writes as much of |c|'s pending output to |fd| as the socket takes without
 * blocking. 1 if the socket is still usable (output may remain: poll for
 * POLLOUT), 0 on a write error (the peer went away). */
int th_cli_flush(int fd, th_conn *c) TH_MUST_USE;

/* 1 if |c| has output waiting. */
int th_cli_has_output(const th_conn *c);

/* Output bytes beyond which a loop stops taking more input to encrypt (its
 * peer reads too slowly), so memory stays bounded. */
#define TH_CLI_MAX_PENDING_OUTPUT (256u * 1024u)

/* 1 if |c| has less than TH_CLI_MAX_PENDING_OUTPUT bytes waiting. */
int th_cli_output_has_room(const th_conn *c);

/* The kinds of code point lists a flag may hold. */
typedef enum {
    TH_CLI_LIST_GROUPS,
    TH_CLI_LIST_SUITES,
} th_cli_list_kind;

/* Parses the comma-separated names of |list| (names.h spellings, e.g.
 * x25519,secp256r1 or TLS_AES_128_GCM_SHA256) into |out| (TH_CLI_MAX_LIST
 * entries). Names the engine cannot use are refused too. 0 with a message
 * naming |flag| and the bad name in |err|. */
int th_cli_parse_codes(const char *flag, const char *list, th_cli_list_kind kind, uint16_t *out,
                       size_t *out_num, char *err, size_t err_len) TH_MUST_USE;

/* An ALPN list (comma-separated protocol names, each 1..255 bytes). |storage|
 * receives a copy of |list| that |out| points into; free it when done. 0 with
 * a message naming |flag| in |err|. */
int th_cli_parse_alpn(const char *flag, const char *list, char **storage, const char **out,
                      size_t *out_num, char *err, size_t err_len) TH_MUST_USE;

/* The engine's keylog callback for a FILE * context: writes |line| and a
 * newline and flushes, so the file is usable while the program runs. */
void th_cli_keylog_to_file(void *file, const char *line);

/* "TLSv1.3 TLS_AES_128_GCM_SHA256 x25519 alpn=h2 sni=localhost" (with hrr
 * when a HelloRetryRequest happened) into |buf|. */
void th_cli_describe(const th_conn_status *st, char *buf, size_t buf_len);

/* The alert of a failed connection as "sent unknown_ca" / "received
 * handshake_failure" into |buf|. */
void th_cli_describe_alert(const th_conn_status *st, char *buf, size_t buf_len);

#endif
