/* Handshake signatures on BoringSSL's EVP_DigestSign / EVP_DigestVerify: the
 * SignatureScheme table (RFC 8446 §4.2.3; the TLS 1.2 reading of the same code
 * points, RFC 5246 §7.4.1.4.1), choosing a scheme for our key,
 * raw signing and verification, and the TLS 1.3 CertificateVerify (RFC 8446
 * §4.4.3). Supported keys: RSA (rsaEncryption), ECDSA on P-256, P-384 and
 * P-521, Ed25519. Signing draws its randomness from BoringSSL (ECDSA nonces,
 * PSS salts); verification is deterministic. Functions that only sign return
 * 0 for a local failure, i.e. internal_error. */
#ifndef TH_SIGS_H
#define TH_SIGS_H

#include <openssl/evp.h>

#include "th_base.h"

/* Who sends a CertificateVerify: selects the context string. */
typedef enum {
    TH_CV_SERVER, /* "TLS 1.3, server CertificateVerify" */
    TH_CV_CLIENT, /* "TLS 1.3, client CertificateVerify" */
} th_cv_sender;

/* Longest TLS 1.3 CertificateVerify signed content: 64 spaces, the 33-byte
 * context string, a 0 byte and a transcript hash. */
#define TH_CV_CONTENT_MAX (64 + 33 + 1 + EVP_MAX_MD_SIZE)

/* 1 if |key| is of a type this stack signs and verifies with: RSA, ECDSA on
 * P-256, P-384 or P-521, or Ed25519; 0 otherwise (DSA, X25519, other curves). */
int th_sig_key_supported(const EVP_PKEY *key);

/* 1 if |scheme| is a signature algorithm of |key| in |version| (TH_VERSION_TLS12
 * or TH_VERSION_TLS13). TLS 1.3 also requires the scheme to be valid for
 * handshake signatures (no RSASSA-PKCS1-v1_5, no SHA-1) and an ECDSA scheme to
 * name the key's curve; TLS 1.2 binds only the key type. 0 for unknown schemes
 * and other versions. */
int th_sig_scheme_allowed(uint16_t scheme, const EVP_PKEY *key, uint16_t version);

/* Picks the first scheme of the peer's signature_algorithms list
 * (|peer_schemes|, the peer's order of preference, RFC 8446 §4.2.3) that
 * |key| can sign with in |version|, skipping RSA-PSS hashes too large for the
 * key. 1 with *out_scheme set; 0 with handshake_failure if none fits. */
int th_sig_choose_scheme(const EVP_PKEY *key, uint16_t version, const uint16_t *peer_schemes,
                         size_t num_peer_schemes, uint16_t *out_scheme,
                         uint8_t *out_alert) TH_MUST_USE;

/* Signs |msg| with |key| under |scheme| (its hash; PSS with salt = hash length
 * and MGF1 on the same hash; ECDSA as a DER ECDSA-Sig-Value; pure Ed25519),
 * binding only the key type, so TLS 1.2 and deliberate TLS 1.3 deviations can
 * use it. 1 with *out_sig (OPENSSL_free it) and *out_sig_len; 0 for an unknown
 * scheme, a key of another type, or a crypto failure. */
int th_sig_sign(EVP_PKEY *key, uint16_t scheme, const uint8_t *msg, size_t msg_len,
                uint8_t **out_sig, size_t *out_sig_len) TH_MUST_USE;

/* Verifies |sig| over |msg| with |key| under |scheme|, binding only the key
 * type. 1 if valid; 0 with illegal_parameter for an unknown scheme or a key of
 * another type, decrypt_error for a signature that does not verify. */
int th_sig_verify(EVP_PKEY *key, uint16_t scheme, const uint8_t *msg, size_t msg_len,
                  const uint8_t *sig, size_t sig_len, uint8_t *out_alert) TH_MUST_USE;

/* Writes the content a TLS 1.3 CertificateVerify signs (RFC 8446 §4.4.3): 64
 * spaces (0x20), the context string of |sender|, a 0 byte, then
 * |transcript_hash| (Transcript-Hash of the messages up to Certificate). 0 if
 * the hash is empty or longer than EVP_MAX_MD_SIZE, or |out| fails. */
int th_tls13_cv_content(CBB *out, th_cv_sender sender, const uint8_t *transcript_hash,
                        size_t hash_len) TH_MUST_USE;

/* Signs a TLS 1.3 CertificateVerify. 1 with *out_sig (OPENSSL_free it); 0 if
 * |scheme| is not allowed for |key| in TLS 1.3 (th_sig_scheme_allowed) or the
 * signing fails. */
int th_tls13_cv_sign(EVP_PKEY *key, uint16_t scheme, th_cv_sender sender,
                     const uint8_t *transcript_hash, size_t hash_len, uint8_t **out_sig,
                     size_t *out_sig_len) TH_MUST_USE;

/* Verifies a received TLS 1.3 CertificateVerify with the peer's leaf key. 1 if
 * valid; 0 with illegal_parameter if |scheme| is not allowed for |key| in TLS
 * 1.3, decrypt_error if the signature does not verify, internal_error for a
 * bad hash length. Whether |scheme| was offered is the engine's check. */
int th_tls13_cv_verify(EVP_PKEY *key, uint16_t scheme, th_cv_sender sender,
                       const uint8_t *transcript_hash, size_t hash_len, const uint8_t *sig,
                       size_t sig_len, uint8_t *out_alert) TH_MUST_USE;

#endif
