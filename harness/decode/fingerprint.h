/* TLS client fingerprints of a ClientHello: JA3 (Salesforce) and JA4 (FoxIO,
 * the TLS client fingerprint of the JA4+ suite, BSD 3-Clause). Both are
 * computed from the ClientHello as it was on the wire, as parsed by the
 * codec (client_hello.h, ext_types.h). */
#ifndef TH_FINGERPRINT_H
#define TH_FINGERPRINT_H

#include "th_base.h"

/* "t13d1516h2_" + 12 + "_" + 12 hex digits, NUL included. */
#define TH_JA4_LEN 37

typedef struct {
    /* "SSLVersion,Ciphers,Extensions,EllipticCurves,EcPointFormats" in
     * decimal, '-' between values, GREASE left out; malloc'd. */
    char *ja3;
    char ja3_md5[33]; /* lower-case hex MD5 of ja3 */
    char ja4[TH_JA4_LEN];
    /* JA4_r, the raw form: section a, then the sorted cipher and extension
     * lists and the signature algorithms in clear; malloc'd. */
    char *ja4_r;
} th_fingerprints;

/* Computes the fingerprints of ClientHello body |body| (no handshake
 * header) from the codec's parse of it. 1 on success; 0 when
 * th_parse_client_hello refuses the body or memory runs out, and |out| then
 * owns nothing. Free with th_fingerprints_cleanup. */
int th_fingerprint_client_hello(const uint8_t *body, size_t len, th_fingerprints *out) TH_MUST_USE;

/* Frees the strings; accepts NULL and leaves the struct zeroed. */
void th_fingerprints_cleanup(th_fingerprints *fp);

#endif
