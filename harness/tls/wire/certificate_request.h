/* TLS 1.3 CertificateRequest (RFC 8446 §4.3.2), during the handshake and for
 * post-handshake authentication (§4.6.2). The TLS 1.2 form has its own codec. */
#ifndef TH_WIRE_CERTIFICATE_REQUEST_H
#define TH_WIRE_CERTIFICATE_REQUEST_H

#include "extensions.h"
#include "th_base.h"

typedef struct {
    th_bytes certificate_request_context; /* view; 0..255 bytes */
    th_ext_block extensions;              /* TH_EXT_CTX_CR rules */
} th_certificate_request;

/* Parses a TLS 1.3 CertificateRequest body (no handshake header). 0 with
 * decode_error for bad lengths (including an empty extensions block) or
 * trailing bytes, missing_extension without signature_algorithms, or the
 * alert of the extension block rules. On failure |out| owns nothing. */
int th_parse_certificate_request(CBS *in, th_certificate_request *out,
                                 uint8_t *out_alert) TH_MUST_USE;

/* Writes the body from |in| as is (no rule checks). */
int th_write_certificate_request(CBB *out, const th_certificate_request *in) TH_MUST_USE;

/* Frees the extension block; accepts NULL and leaves the struct zeroed. */
void th_certificate_request_cleanup(th_certificate_request *cr);

#endif
