/* The synthetic message_hash handshake message (RFC 8446 §4.4.1) that
 * replaces ClientHello1 in the transcript after a HelloRetryRequest. */
#ifndef TH_WIRE_MESSAGE_HASH_H
#define TH_WIRE_MESSAGE_HASH_H

#include "th_base.h"

typedef struct {
    th_bytes hash; /* view; Hash(ClientHello1), 32, 48 or 64 bytes */
} th_message_hash;

/* Parses a message_hash body (no handshake header): the whole body is the
 * hash. 0 with decode_error unless it is 32, 48 or 64 bytes long (SHA-256,
 * SHA-384, SHA-512). Owns nothing. */
int th_parse_message_hash(CBS *in, th_message_hash *out, uint8_t *out_alert) TH_MUST_USE;

/* Writes the body (the hash bytes). */
int th_write_message_hash(CBB *out, const th_message_hash *in) TH_MUST_USE;

/* Writes the whole synthetic message, header included, as it enters the
 * transcript: message_hash(254) || 00 00 hash_len || hash. */
int th_write_message_hash_from(CBB *out, const uint8_t *hash, size_t hash_len) TH_MUST_USE;

#endif
