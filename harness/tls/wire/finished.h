/* Finished (RFC 8446 §4.4.4, RFC 5246 §7.4.9): verify_data is the whole body. */
#ifndef TH_WIRE_FINISHED_H
#define TH_WIRE_FINISHED_H

#include "th_base.h"

typedef struct {
    th_bytes verify_data; /* view; every byte of the body */
} th_finished;

/* Parses a Finished body (no handshake header): all of |in| is verify_data.
 * 0 with decode_error when it is empty. The expected length (12 in TLS 1.2,
 * Hash.length in TLS 1.3) depends on the cipher suite, so the engine checks
 * it. Owns nothing. */
int th_parse_finished(CBS *in, th_finished *out, uint8_t *out_alert) TH_MUST_USE;

/* Writes verify_data as the body. */
int th_write_finished(CBB *out, const th_finished *in) TH_MUST_USE;

#endif
