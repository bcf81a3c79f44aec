/* TLS 1.3 Certificate (RFC 8446 §4.4.2) with X.509 entries. The RawPublicKey
 * form (RFC 7250) is out of scope: tlsharness never negotiates
 * server_certificate_type or client_certificate_type, so every entry is read
 * as cert_data. The TLS 1.2 form (RFC 5246 §7.4.2) has its own codec. */
#ifndef TH_WIRE_CERTIFICATE_H
#define TH_WIRE_CERTIFICATE_H

#include "extensions.h"
#include "th_base.h"

typedef struct {
    th_bytes cert_data;      /* view; DER certificate, 1..2^24-1 bytes */
    th_ext_block extensions; /* TH_EXT_CTX_CT rules */
} th_certificate_entry;

typedef struct {
    th_bytes certificate_request_context; /* view; 0..255 bytes */
    th_certificate_entry *entries;        /* owned array, chain order */
    size_t num_entries;
} th_certificate;

/* Parses a TLS 1.3 Certificate body (no handshake header). 0 with
 * decode_error for bad lengths, an empty cert_data or trailing bytes, or the
 * alert of an entry's extension block rules. On failure |out| owns nothing. */
int th_parse_certificate(CBS *in, th_certificate *out, uint8_t *out_alert) TH_MUST_USE;

/* Writes the body from |in| as is (an empty cert_data is written too). 0 if
 * a length does not fit. */
int th_write_certificate(CBB *out, const th_certificate *in) TH_MUST_USE;

/* Frees the entries and their extension blocks; accepts NULL and leaves the
 * struct zeroed. */
void th_certificate_cleanup(th_certificate *cert);

/* Appends an entry for |cert_data| (a view the caller keeps alive) with no
 * extensions; add them to the last entry with th_ext_block_add. 0 when out of
 * memory. */
int th_certificate_add_entry(th_certificate *cert, th_bytes cert_data) TH_MUST_USE;

#endif
