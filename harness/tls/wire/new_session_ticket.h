/* TLS 1.3 NewSessionTicket (RFC 8446 §4.6.1). The TLS 1.2 form (RFC 5077)
 * has its own codec. */
#ifndef TH_WIRE_NEW_SESSION_TICKET_H
#define TH_WIRE_NEW_SESSION_TICKET_H

#include "extensions.h"
#include "th_base.h"

typedef struct {
    uint32_t ticket_lifetime; /* seconds */
    uint32_t ticket_age_add;
    th_bytes ticket_nonce;   /* view; 0..255 bytes */
    th_bytes ticket;         /* view; 1..2^16-1 bytes */
    th_ext_block extensions; /* TH_EXT_CTX_NST rules */
} th_new_session_ticket;

/* Parses a TLS 1.3 NewSessionTicket body (no handshake header). 0 with
 * decode_error for bad lengths, an empty ticket or trailing bytes, or the
 * alert of the extension block rules. On failure |out| owns nothing. */
int th_parse_new_session_ticket(CBS *in, th_new_session_ticket *out,
                                uint8_t *out_alert) TH_MUST_USE;

/* Writes the body from |in| as is (no rule checks). */
int th_write_new_session_ticket(CBB *out, const th_new_session_ticket *in) TH_MUST_USE;

/* Frees the extension block; accepts NULL and leaves the struct zeroed. */
void th_new_session_ticket_cleanup(th_new_session_ticket *nst);

#endif
