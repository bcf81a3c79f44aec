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
 * x25519,secp256r1 or TLS_AES_128_GCM_SHA256; cipher suites also by their
 * OpenSSL names, e.g. ECDHE-ECDSA-AES128-GCM-SHA256) into |out|
 * (TH_CLI_MAX_LIST entries). Names the engine cannot use (in TLS 1.2 or
 * 1.3) are refused too. 0 with a message naming |flag| and the bad name in
 * |err|. */
int th_cli_parse_codes(const char *flag, const char *list, th_cli_list_kind kind, uint16_t *out,
                       size_t *out_num, char *err, size_t err_len) TH_MUST_USE;

/* Most entries of a --versions list: TLS 1.2 and TLS 1.3. */
#define TH_CLI_MAX_VERSIONS 2

/* Parses a --versions list ("tls1.2,tls1.3", "1.3"; the names tls1.2,
 * tls1.3, 1.2 and 1.3, any order, repeats ignored) into |out|
 * (TH_CLI_MAX_VERSIONS entries). 0 with a message naming |flag| and the bad
 * name in |err|. */
int th_cli_parse_versions(const char *flag, const char *list, uint16_t *out, size_t *out_num,
                          char *err, size_t err_len) TH_MUST_USE;

/* Checks that an explicit --suites list (|num_suites| > 0) holds a suite for
 * every enabled version (|num_versions| 0 means TLS 1.3 only, the engine's
 * default) and no suite of a version that is not enabled, so a handshake
 * never offers a version it has no suite for. 0 with a message in |err|. */
int th_cli_check_suites(const uint16_t *suites, size_t num_suites, const uint16_t *versions,
                        size_t num_versions, char *err, size_t err_len) TH_MUST_USE;

/* An ALPN list (comma-separated protocol names, each 1..255 bytes). |storage|
 * receives a copy of |list| that |out| points into; free it when done. 0 with
 * a message naming |flag| in |err|. */
int th_cli_parse_alpn(const char *flag, const char *list, char **storage, const char **out,
                      size_t *out_num, char *err, size_t err_len) TH_MUST_USE;

/* The engine's keylog callback for a FILE * context: writes |line| and a
 * newline and flushes, so the file is usable while the program runs. */
void th_cli_keylog_to_file(void *file, const char *line);

/* "version=TLS 1.3 suite=TLS_AES_128_GCM_SHA256 group=x25519 alpn=h2
 * sni=localhost" (with hrr when a HelloRetryRequest happened; group=- for a
 * TLS 1.2 RSA key exchange or a resumption without one) into |buf|. */
void th_cli_describe(const th_conn_status *st, char *buf, size_t buf_len);

/* The alert of a failed connection as "sent alert unknown_ca" / "received
 * alert handshake_failure" (with "(after we sent no_renegotiation)" when we
 * had sent another alert before) into |buf|. */
void th_cli_describe_alert(const th_conn_status *st, char *buf, size_t buf_len);

#endif
