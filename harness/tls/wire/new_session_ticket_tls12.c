#include "new_session_ticket_tls12.h"

#include <string.h>

int th_parse_new_session_ticket_tls12(CBS *in, th_new_session_ticket_tls12 *out,
                                      uint8_t *out_alert) {
    CBS ticket;
    memset(out, 0, sizeof(*out));
    /* RFC 5077 §3.3 (not in shared/rfc; rule stated from the RFC): "struct {
     * uint32 ticket_lifetime_hint; opaque ticket<0..2^16-1>; }
     * NewSessionTicket;". An empty ticket is legal: a server that sent the
     * SessionTicket extension may change its mind and send none. */
    if (!CBS_get_u32(in, &out->ticket_lifetime_hint) || !CBS_get_u16_length_prefixed(in, &ticket) ||
        CBS_len(in) != 0) {
        *out_alert = TH_ALERT_DECODE_ERROR;
        return 0;
    }
    out->ticket = th_bytes_of_cbs(&ticket);
    return 1;
}

int th_write_new_session_ticket_tls12(CBB *out, const th_new_session_ticket_tls12 *in) {
    CBB ticket;
    return CBB_add_u32(out, in->ticket_lifetime_hint) &&
           CBB_add_u16_length_prefixed(out, &ticket) &&
           CBB_add_bytes(&ticket, in->ticket.data, in->ticket.len) && CBB_flush(out);
}
