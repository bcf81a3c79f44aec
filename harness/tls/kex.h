/* Key exchange for the TLS 1.3 key_share extension (RFC 8446 §4.2.8,
 * §7.4): X25519 (RFC 7748) and ECDHE on secp256r1 and secp384r1, on
 * BoringSSL's curve25519 and EC APIs. The private key is drawn from the
 * caller's randomness callback (the engine's config), so tests and fuzzing
 * are deterministic. Peer shares are validated before use. */
#ifndef TH_KEX_H
#define TH_KEX_H

#include <openssl/ec_key.h>

#include "th_base.h"

/* Longest key_exchange we produce or accept: an uncompressed P-384 point. */
#define TH_KEX_MAX_PUBLIC 97
/* Longest shared secret: the P-384 x-coordinate. */
#define TH_KEX_MAX_SECRET 48

/* The randomness callback of the engine's config: fills |out| with |len|
 * random bytes. */
typedef void (*th_random_fn)(void *ctx, uint8_t *out, size_t len);

/* One ephemeral key pair of a named group. Safe to clean up when zeroed. */
typedef struct {
    uint16_t group; /* 0 when no key */
    uint8_t x25519_private[32];
    EC_KEY *ec; /* owned, for the NIST curves */
    uint8_t public_key[TH_KEX_MAX_PUBLIC];
    size_t public_key_len;
} th_kex;

/* 1 if |group| is one this stack can exchange keys in. */
int th_kex_group_supported(uint16_t group);

/* The key_exchange length RFC 8446 §4.2.8.2 fixes for |group| (32 for X25519,
 * 65 for secp256r1, 97 for secp384r1), 0 for unsupported groups. */
size_t th_kex_public_len(uint16_t group);

/* Generates a key pair in |group| with the private key from |random| and
 * writes the public share into |out|. 0 (internal_error) for an unsupported
 * group or a crypto failure; |out| then holds no key. */
int th_kex_generate(th_kex *out, uint16_t group, th_random_fn random, void *random_ctx) TH_MUST_USE;

/* Checks a peer's key_exchange for |group| without computing anything: the
 * length of RFC 8446 §4.2.8.2, the uncompressed form and a point on the curve
 * for the NIST curves. 1 if acceptable; 0 with illegal_parameter otherwise. */
int th_kex_check_peer_share(uint16_t group, const uint8_t *peer, size_t peer_len,
                            uint8_t *out_alert) TH_MUST_USE;

/* The (EC)DHE shared secret of |k| and the peer's share into |out| (at least
 * TH_KEX_MAX_SECRET bytes): the X25519 output or the x-coordinate of the
 * ECDH point (RFC 8446 §7.4). 0 with illegal_parameter for a bad peer share
 * (th_kex_check_peer_share) or an all-zero X25519 output (§7.4.2), or with
 * internal_error if |k| holds no key. Wipe |out| after use. */
int th_kex_compute(const th_kex *k, const uint8_t *peer, size_t peer_len, uint8_t *out,
                   size_t *out_len, uint8_t *out_alert) TH_MUST_USE;

/* Wipes the private key and frees the EC key; accepts NULL, leaves |k|
 * zeroed. */
void th_kex_cleanup(th_kex *k);

#endif
