/* Handshake framing: the 4-byte handshake header and the reassembler that
 * turns a stream of handshake record payloads into whole messages. */
#ifndef TH_WIRE_HANDSHAKE_H
#define TH_WIRE_HANDSHAKE_H

#include "th_base.h"

#define TH_HANDSHAKE_HEADER_LEN 4

typedef struct {
    uint8_t type;
    th_bytes body; /* view into the input */
} th_handshake;

/* Parses exactly one whole handshake message (header and body); trailing
 * bytes or a short body are decode_error. */
int th_parse_handshake(CBS *in, th_handshake *out, uint8_t *out_alert) TH_MUST_USE;
int th_write_handshake(CBB *out, const th_handshake *in) TH_MUST_USE;

/* Default largest handshake body the reassembler buffers. Certificate chains
 * are the largest messages; BoringSSL allows 100 KiB for them. */
#define TH_DEFAULT_MAX_HANDSHAKE 102400

/* Reassembles handshake messages from record payloads: a message may span
 * many records and a record may carry many messages (RFC 8446 §5.1). A caller
 * that takes every whole message (th_hs_reasm_next) after each add holds at
 * most one message in progress, max_message_len + header, plus that add. */
typedef struct {
    uint8_t *buf;
    size_t len, cap;
    size_t consumed; /* bytes of buf already handed out as messages */
    size_t max_message_len;
    uint8_t sticky_alert; /* first error, kept: a failed reassembler stays failed */
    int failed;
} th_hs_reasm;

/* max_message_len 0 means TH_DEFAULT_MAX_HANDSHAKE. */
void th_hs_reasm_init(th_hs_reasm *r, size_t max_message_len);
void th_hs_reasm_cleanup(th_hs_reasm *r);

/* Appends one record's payload. 0 with the alert when a message header
 * announces a body over the limit (illegal_parameter, as BoringSSL's
 * SSL_R_EXCESSIVE_MESSAGE_SIZE) or memory runs out (internal_error). */
int th_hs_reasm_add(th_hs_reasm *r, const uint8_t *data, size_t len,
                    uint8_t *out_alert) TH_MUST_USE;

/* Takes the next whole message: 1 with |out| set (its body stays valid until
 * the next add or cleanup), 0 when more bytes are needed. */
int th_hs_reasm_next(th_hs_reasm *r, th_handshake *out);

/* Bytes buffered that do not yet form a whole message; the engine uses this to
 * refuse a key change or another record type in mid-message (RFC 8446 §5.1). */
size_t th_hs_reasm_pending(const th_hs_reasm *r);

#endif
