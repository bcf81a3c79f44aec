/* Seeds of the whole-handshake targets (handshake13.c): complete handshakes
 * of our own client and server, one per variant (TLS 1.3; TLS 1.2 per suite
 * family; with and without client authentication; resumption), and the
 * conversion of a peer's wire bytes into the targets' input format, for the
 * flights `tlsharness corpus` records from BoringSSL. */
#ifndef TH_TARGETS_HANDSHAKE_SEEDS_H
#define TH_TARGETS_HANDSHAKE_SEEDS_H

#include <stddef.h>

#include <openssl/bytestring.h>

#include "th_base.h"

/* The number of self-handshake variants. */
size_t th_fuzz_handshake_num_variants(void);

/* The name of variant |i| ("tls12_rsa_aes128gcm", ...), NULL past the end. */
const char *th_fuzz_handshake_variant_name(size_t i);

/* Runs variant |i|: the target's client against a server of the variant,
 * whose bytes go to |client_target_seed|, and a client of the variant
 * against the target's server, whose bytes go to |server_target_seed|, each
 * to an established connection, application data both ways and close_notify.
 * A variant with nothing for one target (resumption: the client target offers
 * no session) leaves that CBB untouched. 0 if a handshake did not complete
 * with the variant's version and suite, or memory ran out. */
int th_fuzz_handshake_variant_seeds(size_t i, CBB *client_target_seed,
                                    CBB *server_target_seed) TH_MUST_USE;

/* Appends a peer's wire bytes |bytes| to |seed| in the targets' input format
 * (pieces of at most 256 bytes, each after a byte holding its length - 1).
 * 0 only when memory runs out. */
int th_fuzz_handshake_input(CBB *seed, const uint8_t *bytes, size_t len) TH_MUST_USE;

#endif
