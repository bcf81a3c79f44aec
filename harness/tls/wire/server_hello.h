/* ServerHello (RFC 8446 §4.1.3, RFC 5246 §7.4.1.3) and HelloRetryRequest
 * (RFC 8446 §4.1.4), which shares the ServerHello wire format and is told
 * apart by its special random. */
#ifndef TH_WIRE_SERVER_HELLO_H
#define TH_WIRE_SERVER_HELLO_H

#include "client_hello.h"
#include "extensions.h"
#include "th_base.h"

/* RFC 8446 §4.1.3: the HelloRetryRequest random, SHA-256("HelloRetryRequest"). */
extern const uint8_t th_hrr_random[TH_RANDOM_LEN];

typedef struct {
    uint16_t legacy_version;
    uint8_t random[TH_RANDOM_LEN];
    th_bytes legacy_session_id_echo; /* view; 0..32 bytes when parsed */
    uint16_t cipher_suite;
    uint8_t legacy_compression_method;
    /* 0 for the TLS 1.2 form that ends after the compression method (RFC 5246
     * §7.4.1.3); an empty but present block (0000) has has_extensions = 1. */
    int has_extensions;
    th_ext_block extensions; /* rules of th_server_hello_ext_ctx() */
} th_server_hello;

/* Parses a ServerHello or HelloRetryRequest body (no handshake header). The
 * extension rules are those of th_server_hello_ext_ctx(). 0 with
 * decode_error for bad lengths (session id over 32, trailing bytes),
 * illegal_parameter for a non-zero compression method in a TLS 1.3
 * ServerHello or HelloRetryRequest, missing_extension for a HelloRetryRequest
 * without supported_versions, or the alert of the extension block rules. On
 * failure |out| owns nothing. */
int th_parse_server_hello(CBS *in, th_server_hello *out, uint8_t *out_alert) TH_MUST_USE;

/* Writes the body from |in| as is (no rule checks, so deviating messages can
 * be built). 0 if a length does not fit or extensions are given with
 * has_extensions = 0. */
int th_write_server_hello(CBB *out, const th_server_hello *in) TH_MUST_USE;

/* Frees the extension block; accepts NULL and leaves the struct zeroed. */
void th_server_hello_cleanup(th_server_hello *sh);

/* 1 if the random is th_hrr_random, i.e. the message is a HelloRetryRequest. */
int th_server_hello_is_hrr(const th_server_hello *sh);

/* The extension context the message is read in: TH_EXT_CTX_HRR for the HRR
 * random, TH_EXT_CTX_SH when a supported_versions extension is present (a
 * TLS 1.3 ServerHello, RFC 8446 §4.1.3), TH_EXT_CTX_SH12 otherwise. */
th_ext_ctx th_server_hello_ext_ctx(const th_server_hello *sh);

/* Which TLS 1.3 downgrade sentinel (RFC 8446 §4.1.3) a random ends with. */
typedef enum {
    TH_DOWNGRADE_NONE = 0,
    TH_DOWNGRADE_TLS12, /* 44 4F 57 4E 47 52 44 01: server negotiated TLS 1.2 */
    TH_DOWNGRADE_TLS11, /* 44 4F 57 4E 47 52 44 00: TLS 1.1 or below */
} th_downgrade;

/* The downgrade sentinel in the last 8 bytes of the random, if any. The
 * engine decides whether a match is an error (illegal_parameter for a TLS 1.3
 * client that negotiated TLS 1.2 or below). */
th_downgrade th_server_hello_downgrade_sentinel(const th_server_hello *sh);

/* The 8 bytes of |which| (TLS12 or TLS11) for building a random, or NULL for
 * TH_DOWNGRADE_NONE. */
const uint8_t *th_downgrade_sentinel_bytes(th_downgrade which);

#endif
