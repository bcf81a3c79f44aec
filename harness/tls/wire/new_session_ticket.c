#include "new_session_ticket.h"

#include <string.h>

void th_new_session_ticket_cleanup(th_new_session_ticket *nst) {
    if (nst == NULL) {
        return;
    }
    th_ext_block_cleanup(&nst->extensions);
    memset(nst, 0, sizeof(*nst));
}

int th_parse_new_session_ticket(CBS *in, th_new_session_ticket *out, uint8_t *out_alert) {
    CBS nonce, ticket;
    memset(out, 0, sizeof(*out));
    /* RFC 8446 §4.6.1: uint32 ticket_lifetime; uint32 ticket_age_add;
     * opaque ticket_nonce<0..255>; opaque ticket<1..2^16-1>;
     * Extension extensions<0..2^16-2>. A lifetime over 604800 s is not an
     * error for the client, which "MUST NOT cache tickets for longer than 7
     * days": the engine caps it. */
    if (!CBS_get_u32(in, &out->ticket_lifetime) || !CBS_get_u32(in, &out->ticket_age_add) ||
        !CBS_get_u8_length_prefixed(in, &nonce) || !CBS_get_u16_length_prefixed(in, &ticket) ||
        CBS_len(&ticket) == 0) {
        *out_alert = TH_ALERT_DECODE_ERROR;
        goto err;
    }
    out->ticket_nonce = th_bytes_of_cbs(&nonce);
    out->ticket = th_bytes_of_cbs(&ticket);
    if (!th_parse_ext_block(in, TH_EXT_CTX_NST, &out->extensions, out_alert)) {
        goto err;
    }
    if (CBS_len(in) != 0) {
        *out_alert = TH_ALERT_DECODE_ERROR;
        goto err;
    }
    return 1;

err:
    th_new_session_ticket_cleanup(out);
    return 0;
}

int th_write_new_session_ticket(CBB *out, const th_new_session_ticket *in) {
    CBB nonce, ticket;
    return CBB_add_u32(out, in->ticket_lifetime) && CBB_add_u32(out, in->ticket_age_add) &&
           CBB_add_u8_length_prefixed(out, &nonce) &&
           CBB_add_bytes(&nonce, in->ticket_nonce.data, in->ticket_nonce.len) &&
           CBB_add_u16_length_prefixed(out, &ticket) &&
           CBB_add_bytes(&ticket, in->ticket.data, in->ticket.len) &&
           th_write_ext_block(out, &in->extensions) && CBB_flush(out);
}
