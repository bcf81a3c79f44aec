/* TLS 1.2 NewSessionTicket (RFC 5077 §3.3). The TLS 1.3 message is
 * new_session_ticket.h. */
#ifndef TH_WIRE_NEW_SESSION_TICKET_TLS12_H
#define TH_WIRE_NEW_SESSION_TICKET_TLS12_H

#include "th_base.h"

typedef struct {
    uint32_t ticket_lifetime_hint; /* seconds; 0 means unspecified */
    th_bytes ticket;               /* view; may be empty (no ticket after all) */
} th_new_session_ticket_tls12;

/* Parses a NewSessionTicket body: ticket_lifetime_hint u32, ticket<0..2^16-1>.
 * 0 with decode_error for bad lengths or trailing bytes. The struct owns
 * nothing. */
int th_parse_new_session_ticket_tls12(CBS *in, th_new_session_ticket_tls12 *out,
                                      uint8_t *out_alert) TH_MUST_USE;

/* Writes the body from |in| as is; 0 if the ticket does not fit its prefix. */
int th_write_new_session_ticket_tls12(CBB *out, const th_new_session_ticket_tls12 *in) TH_MUST_USE;

#endif
