/* KeyUpdate (RFC 8446 §4.6.3). */
#ifndef TH_WIRE_KEY_UPDATE_H
#define TH_WIRE_KEY_UPDATE_H

#include "th_base.h"

/* RFC 8446 §4.6.3 KeyUpdateRequest. */
enum {
    TH_KEY_UPDATE_NOT_REQUESTED = 0,
    TH_KEY_UPDATE_REQUESTED = 1,
};

typedef struct {
    uint8_t request_update;
} th_key_update;

/* Parses a KeyUpdate body (no handshake header): exactly one byte. 0 with
 * decode_error for any other length, illegal_parameter for a value other
 * than 0 or 1. Owns nothing. */
int th_parse_key_update(CBS *in, th_key_update *out, uint8_t *out_alert) TH_MUST_USE;

/* Writes request_update (any value, so bad ones can be sent). */
int th_write_key_update(CBB *out, const th_key_update *in) TH_MUST_USE;

#endif
