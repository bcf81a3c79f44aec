#include "handshake.h"

#include <stdlib.h>
#include <string.h>

int th_parse_handshake(CBS *in, th_handshake *out, uint8_t *out_alert) {
    CBS body;
    memset(out, 0, sizeof(*out));
    if (!CBS_get_u8(in, &out->type) || !CBS_get_u24_length_prefixed(in, &body) ||
        CBS_len(in) != 0) {
        *out_alert = TH_ALERT_DECODE_ERROR;
        return 0;
    }
    out->body = th_bytes_of_cbs(&body);
    return 1;
}

int th_write_handshake(CBB *out, const th_handshake *in) {
    CBB body;
    return CBB_add_u8(out, in->type) && CBB_add_u24_length_prefixed(out, &body) &&
           CBB_add_bytes(&body, in->body.data, in->body.len) && CBB_flush(out);
}

void th_hs_reasm_init(th_hs_reasm *r, size_t max_message_len) {
    memset(r, 0, sizeof(*r));
    r->max_message_len = max_message_len == 0 ? TH_DEFAULT_MAX_HANDSHAKE : max_message_len;
}

void th_hs_reasm_cleanup(th_hs_reasm *r) {
    if (r == NULL) {
        return;
    }
    free(r->buf);
    memset(r, 0, sizeof(*r));
}

size_t th_hs_reasm_pending(const th_hs_reasm *r) {
    return r->len - r->consumed;
}

/* Checks every complete header in the pending bytes against the limit, so an
 * oversize message is refused as soon as its header arrives. */
static int check_headers(th_hs_reasm *r, uint8_t *out_alert) {
    size_t off = r->consumed;
    while (off <= r->len && r->len - off >= TH_HANDSHAKE_HEADER_LEN) {
        const uint8_t *h = r->buf + off;
        size_t body_len = ((size_t)h[1] << 16) | ((size_t)h[2] << 8) | h[3];
        if (body_len > r->max_message_len) {
            *out_alert = TH_ALERT_ILLEGAL_PARAMETER;
            return 0;
        }
        off += TH_HANDSHAKE_HEADER_LEN + body_len;
    }
    return 1;
}

int th_hs_reasm_add(th_hs_reasm *r, const uint8_t *data, size_t len, uint8_t *out_alert) {
    if (r->failed) {
        *out_alert = r->sticky_alert;
        return 0;
    }
    /* Drop what was handed out before growing, so the buffer never holds more
     * than the message in progress plus this payload. */
    if (r->consumed != 0) {
        memmove(r->buf, r->buf + r->consumed, r->len - r->consumed);
        r->len -= r->consumed;
        r->consumed = 0;
    }
    if (len > r->cap - r->len) {
        size_t need = r->len + len;
        size_t cap = r->cap == 0 ? 256 : r->cap;
        while (cap < need) {
            cap *= 2;
        }
        uint8_t *grown = realloc(r->buf, cap);
        if (grown == NULL) {
            r->sticky_alert = *out_alert = TH_ALERT_INTERNAL_ERROR;
            r->failed = 1;
            return 0;
        }
        r->buf = grown;
        r->cap = cap;
    }
    if (len != 0) {
        memcpy(r->buf + r->len, data, len);
        r->len += len;
    }
    if (!check_headers(r, out_alert)) {
        r->sticky_alert = *out_alert;
        r->failed = 1;
        return 0;
    }
    return 1;
}

int th_hs_reasm_next(th_hs_reasm *r, th_handshake *out) {
    if (r->failed || th_hs_reasm_pending(r) < TH_HANDSHAKE_HEADER_LEN) {
        return 0;
    }
    const uint8_t *h = r->buf + r->consumed;
    size_t body_len = ((size_t)h[1] << 16) | ((size_t)h[2] << 8) | h[3];
    if (th_hs_reasm_pending(r) - TH_HANDSHAKE_HEADER_LEN < body_len) {
        return 0;
    }
    out->type = h[0];
    out->body.data = h + TH_HANDSHAKE_HEADER_LEN;
    out->body.len = body_len;
    r->consumed += TH_HANDSHAKE_HEADER_LEN + body_len;
    return 1;
}
