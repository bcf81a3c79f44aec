/* ClientHello (RFC 8446 §4.1.2, RFC 5246 §7.4.1.2): one wire format for TLS
 * 1.2 and 1.3. The codec checks what holds for every ClientHello; the rules
 * that apply once TLS 1.3 is chosen are in th_client_hello_check_tls13, which
 * the engine calls after version negotiation. */
#ifndef TH_WIRE_CLIENT_HELLO_H
#define TH_WIRE_CLIENT_HELLO_H

#include "extensions.h"
#include "th_base.h"

/* Random is 32 bytes and a session id at most 32 (RFC 8446 §4.1.2/§4.1.3,
 * RFC 5246 §7.4.1.2); ServerHello shares these. */
#define TH_RANDOM_LEN         32
#define TH_SESSION_ID_MAX_LEN 32

typedef struct {
    uint16_t legacy_version;
    uint8_t random[TH_RANDOM_LEN];
    th_bytes legacy_session_id; /* view; 0..32 bytes when parsed */
    uint16_t *cipher_suites;    /* owned array, wire order, GREASE kept */
    size_t num_cipher_suites;
    th_bytes legacy_compression_methods; /* view; one byte per method */
    /* 0 for the TLS 1.2 form that ends after compression_methods (RFC 5246
     * §7.4.1.2); an empty but present block (0000) has has_extensions = 1. */
    int has_extensions;
    th_ext_block extensions; /* TH_EXT_CTX_CH rules */
} th_client_hello;

/* Parses a ClientHello body (no handshake header). 0 with decode_error for
 * bad lengths (session id over 32, odd or empty cipher_suites, empty
 * compression_methods, trailing bytes), illegal_parameter when
 * compression_methods lacks null, or the alert of the extension block rules.
 * On failure |out| owns nothing. */
int th_parse_client_hello(CBS *in, th_client_hello *out, uint8_t *out_alert) TH_MUST_USE;

/* Writes the body from |in| as is (no rule checks, so deviating messages can
 * be built). 0 if a length does not fit or extensions are given with
 * has_extensions = 0. */
int th_write_client_hello(CBB *out, const th_client_hello *in) TH_MUST_USE;

/* Frees the cipher suite array and extension block; accepts NULL and leaves
 * the struct zeroed. */
void th_client_hello_cleanup(th_client_hello *ch);

/* Appends |suite| to ch->cipher_suites; 0 when out of memory. */
int th_client_hello_add_cipher_suite(th_client_hello *ch, uint16_t suite) TH_MUST_USE;

/* 1 if the ClientHello offers TLS 1.3: a supported_versions extension that
 * lists 0x0304 (RFC 8446 §9.2). A malformed extension body counts as no. */
int th_client_hello_offers_tls13(const th_client_hello *ch);

/* Checks the rules that hold for a ClientHello once TLS 1.3 is negotiated and
 * that need no other state: compression methods exactly {0}
 * (illegal_parameter, RFC 8446 §4.1.2), the §9.2 mandatory extension pairs and
 * psk_key_exchange_modes with pre_shared_key (missing_extension). 1 if they
 * hold, 0 with the alert otherwise. */
int th_client_hello_check_tls13(const th_client_hello *ch, uint8_t *out_alert) TH_MUST_USE;

/* Given a whole ClientHello handshake message (4-byte header included) whose
 * last extension is pre_shared_key, sets *out_len to the length of
 * Truncate(ClientHello), i.e. the bytes up to but excluding the binders list
 * (RFC 8446 §4.2.11.2). 0 if the message is malformed or has no
 * pre_shared_key as its last extension. */
int th_client_hello_truncated_len(const uint8_t *msg, size_t msg_len, size_t *out_len) TH_MUST_USE;

#endif
