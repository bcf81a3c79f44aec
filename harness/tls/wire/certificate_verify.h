/* CertificateVerify (RFC 8446 §4.4.3). The same wire format serves TLS 1.2's
 * CertificateVerify (RFC 5246 §7.4.8), a DigitallySigned whose
 * SignatureAndHashAlgorithm pair reads as one u16 SignatureScheme. */
#ifndef TH_WIRE_CERTIFICATE_VERIFY_H
#define TH_WIRE_CERTIFICATE_VERIFY_H

#include "th_base.h"

typedef struct {
    uint16_t algorithm; /* SignatureScheme (TH_SIG_*), any value kept */
    th_bytes signature; /* view; 0..2^16-1 bytes */
} th_certificate_verify;

/* Parses a CertificateVerify body (no handshake header). 0 with decode_error
 * for bad lengths or trailing bytes. Whether the algorithm was offered and
 * fits the key, and the signature itself, are the engine's. Owns nothing. */
int th_parse_certificate_verify(CBS *in, th_certificate_verify *out,
                                uint8_t *out_alert) TH_MUST_USE;

/* Writes the body from |in|. 0 if the signature is too long. */
int th_write_certificate_verify(CBB *out, const th_certificate_verify *in) TH_MUST_USE;

#endif
