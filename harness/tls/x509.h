/* Certificates for the engine, on BoringSSL's X509 APIs only (X509_STORE,
 * X509_STORE_CTX, X509_verify_cert with the peer name in its
 * X509_VERIFY_PARAM): trust stores and our own chain + key from PEM files,
 * chain and name verification of a peer's Certificate with every failure
 * mapped to its RFC 8446 §6.2 alert, and the peer's leaf key for
 * CertificateVerify. Time is the caller's (the engine's config clock), never
 * the system's. Reason texts are NUL-terminated, truncated to the buffer. */
#ifndef TH_X509_H
#define TH_X509_H

#include <time.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "th_base.h"

/* Reads every CERTIFICATE block of the PEM file |path| into a new store of
 * trust anchors. 1 with *out_store set (X509_STORE_free it); 0 with
 * *out_store NULL and a message starting with |path| in |errbuf| (cannot
 * open, a block that does not parse, no certificate at all). */
int th_trust_store_load(const char *path, X509_STORE **out_store, char *errbuf,
                        size_t errbuf_len) TH_MUST_USE;

/* Verifies a peer's chain: |der_certs| is the Certificate message's
 * cert_data in order (leaf first; the rest are untrusted intermediates),
 * anchored in |store| at time |now|, for the server purpose (EKU serverAuth;
 * we are the client) if |purpose_server|, else the client purpose. A non-NULL
 * |host_or_ip| must match the leaf's subjectAltName: as an IP address if it
 * reads as one, else as a DNS name (the subject CN is never used); NULL skips
 * the name check. 1 if acceptable; else 0 with *out_alert and a reason in
 * |why|: decode_error (a DER certificate that does not parse, or a leaf key
 * that does not decode), unsupported_certificate (a key type we cannot use, a
 * wrong purpose), certificate_expired, unknown_ca, bad_certificate (a chain
 * signature that fails, a name mismatch), certificate_revoked,
 * certificate_unknown (any other verifier error), internal_error. An empty
 * chain gets the TLS 1.3 alert of th_alert_empty_*_chain; a caller that may
 * accept it (optional client auth) checks for it first. */
int th_verify_chain(X509_STORE *store, const th_bytes *der_certs, size_t num_certs,
                    const char *host_or_ip, int purpose_server, time_t now, uint8_t *out_alert,
                    char *why, size_t why_len) TH_MUST_USE;

/* The alert for a server's empty Certificate message: decode_error in TLS 1.3
 * (RFC 8446 §4.4.2.4) and, as BoringSSL sends, in TLS 1.2. */
uint8_t th_alert_empty_server_chain(uint16_t version);

/* The alert a server that requires client authentication sends for an empty
 * client Certificate: certificate_required in TLS 1.3 (RFC 8446 §4.4.2.4),
 * handshake_failure in TLS 1.2 (RFC 5246 §7.4.6). */
uint8_t th_alert_empty_client_chain(uint16_t version);

/* Decodes the public key of the DER certificate |leaf_der| (to verify
 * CertificateVerify or a TLS 1.2 ServerKeyExchange). 1 with *out_key set
 * (EVP_PKEY_free it); 0 with decode_error if the certificate or its key does
 * not decode, unsupported_certificate for a key type th_sig_key_supported
 * refuses, and a reason in |why|. */
int th_leaf_public_key(th_bytes leaf_der, EVP_PKEY **out_key, uint8_t *out_alert, char *why,
                       size_t why_len) TH_MUST_USE;

/* Our own certificate chain and private key. */
typedef struct {
    th_bytes *chain; /* owned array, leaf first; each .data is owned DER too */
    size_t num_chain;
    EVP_PKEY *key; /* owned; matches chain[0] */
} th_cert_key;

/* Loads the certificates of the PEM file |cert_path| (leaf first, then the
 * intermediates to send) and the private key of |key_path| (PKCS#8 or
 * traditional, unencrypted). 1 with |out| filled; 0 with |out| owning nothing
 * and a message naming the file at fault in |errbuf|: cannot open, no
 * certificate, no key, a key of an unsupported type, or a key that does not
 * match the leaf. */
int th_cert_key_load(const char *cert_path, const char *key_path, th_cert_key *out, char *errbuf,
                     size_t errbuf_len) TH_MUST_USE;

/* Frees the chain and the key; accepts NULL and a zeroed struct, leaves it
 * zeroed. */
void th_cert_key_cleanup(th_cert_key *ck);

#endif
