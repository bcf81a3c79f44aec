/* TLS 1.2 CertificateRequest (RFC 5246 §7.4.4) and its TLS 1.0/1.1 form
 * without supported_signature_algorithms (RFC 4346 §7.4.4). The TLS 1.3
 * message is certificate_request.h. */
#ifndef TH_WIRE_CERTIFICATE_REQUEST_TLS12_H
#define TH_WIRE_CERTIFICATE_REQUEST_TLS12_H

#include "th_base.h"

/* ClientCertificateType values, RFC 5246 §7.4.4 and RFC 4492 §5.5. */
enum {
    TH_CLIENT_CERT_TYPE_RSA_SIGN = 1,
    TH_CLIENT_CERT_TYPE_DSS_SIGN = 2,
    TH_CLIENT_CERT_TYPE_RSA_FIXED_DH = 3,
    TH_CLIENT_CERT_TYPE_DSS_FIXED_DH = 4,
    TH_CLIENT_CERT_TYPE_ECDSA_SIGN = 64,
    TH_CLIENT_CERT_TYPE_RSA_FIXED_ECDH = 65,
    TH_CLIENT_CERT_TYPE_ECDSA_FIXED_ECDH = 66,
};

typedef struct {
    th_bytes certificate_types; /* view; one ClientCertificateType per byte, unknown kept */
    /* 1 for the TLS 1.2 form, which carries supported_signature_algorithms;
     * 0 for the TLS 1.0/1.1 form (sig_algs then unused). */
    int has_sig_algs;
    uint16_t *sig_algs; /* owned array, wire order, unknown values kept */
    size_t num_sig_algs;
    th_bytes *cas; /* owned array of DistinguishedName views (DER), wire order */
    size_t num_cas;
} th_certificate_request_tls12;

/* Parses a TLS 1.2 CertificateRequest body. 0 with decode_error for an empty
 * certificate_types, an empty or odd-length supported_signature_algorithms, an
 * empty DistinguishedName, bad lengths or trailing bytes. Whether the types and
 * algorithms are usable is the engine's. On failure |out| owns nothing. */
int th_parse_certificate_request_tls12(CBS *in, th_certificate_request_tls12 *out,
                                       uint8_t *out_alert) TH_MUST_USE;

/* Parses the TLS 1.0/1.1 form (no supported_signature_algorithms) with the
 * same rules; sets has_sig_algs = 0. */
int th_parse_certificate_request_tls10(CBS *in, th_certificate_request_tls12 *out,
                                       uint8_t *out_alert) TH_MUST_USE;

/* Writes the body from |in| as is (no rule checks, so deviating messages can
 * be built); supported_signature_algorithms is written iff has_sig_algs. 0 if
 * a length does not fit its prefix or memory runs out. */
int th_write_certificate_request_tls12(CBB *out,
                                       const th_certificate_request_tls12 *in) TH_MUST_USE;

/* Append a signature algorithm / a DistinguishedName (a view the caller keeps
 * alive); 0 when out of memory. */
int th_certificate_request_tls12_add_sig_alg(th_certificate_request_tls12 *cr,
                                             uint16_t sig_alg) TH_MUST_USE;
int th_certificate_request_tls12_add_ca(th_certificate_request_tls12 *cr, th_bytes dn) TH_MUST_USE;

/* Frees the arrays; accepts NULL and leaves the struct zeroed. */
void th_certificate_request_tls12_cleanup(th_certificate_request_tls12 *cr);

#endif
