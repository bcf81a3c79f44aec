/* TLS 1.2 Certificate (RFC 5246 §7.4.2): a bare chain of DER certificates,
 * leaf first. The TLS 1.3 form with per-entry extensions is certificate.h. */
#ifndef TH_WIRE_CERTIFICATE_TLS12_H
#define TH_WIRE_CERTIFICATE_TLS12_H

#include "th_base.h"

typedef struct {
    th_bytes *certs; /* owned array of views into the input, wire order (leaf first) */
    size_t num_certs;
} th_certificate_tls12;

/* Parses a Certificate body. An empty certificate_list is accepted (a client
 * without a certificate sends one; whether it is allowed is the engine's);
 * an empty ASN.1Cert, bad lengths or trailing bytes are decode_error. The
 * certificates themselves are not parsed. On failure |out| owns nothing. */
int th_parse_certificate_tls12(CBS *in, th_certificate_tls12 *out, uint8_t *out_alert) TH_MUST_USE;

/* Writes the body from |in| as is (no rule checks, so deviating messages can
 * be built). 0 if a length does not fit its prefix or memory runs out. */
int th_write_certificate_tls12(CBB *out, const th_certificate_tls12 *in) TH_MUST_USE;

/* Appends |cert| (a view the caller keeps alive) to the chain; 0 when out of
 * memory. */
int th_certificate_tls12_add(th_certificate_tls12 *msg, th_bytes cert) TH_MUST_USE;

/* Frees the certificate array; accepts NULL and leaves the struct zeroed. */
void th_certificate_tls12_cleanup(th_certificate_tls12 *msg);

#endif
