/* CertificateStatus (RFC 6066 §8): a stapled OCSP response. It is the body of
 * the TLS 1.2 certificate_status handshake message and, in TLS 1.3, the body
 * of a CertificateEntry's status_request extension (RFC 8446 §4.4.2.1). */
#ifndef TH_WIRE_CERTIFICATE_STATUS_H
#define TH_WIRE_CERTIFICATE_STATUS_H

#include "th_base.h"

/* CertificateStatusType, RFC 6066 §8. */
enum { TH_CERT_STATUS_TYPE_OCSP = 1 };

typedef struct {
    uint8_t status_type; /* TH_CERT_STATUS_TYPE_OCSP after a parse */
    th_bytes response;   /* OCSPResponse (DER), view; checked by the engine */
} th_certificate_status;

/* Parses a CertificateStatus body (handshake message or extension body). 0
 * with decode_error for a status_type other than ocsp, an empty response, bad
 * lengths or trailing bytes (as BoringSSL). The struct owns nothing. */
int th_parse_certificate_status(CBS *in, th_certificate_status *out,
                                uint8_t *out_alert) TH_MUST_USE;

/* Writes the body from |in| as is; 0 if the response does not fit its prefix. */
int th_write_certificate_status(CBB *out, const th_certificate_status *in) TH_MUST_USE;

#endif
