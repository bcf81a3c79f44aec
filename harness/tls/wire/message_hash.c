#include "message_hash.h"

#include <string.h>

int th_parse_message_hash(CBS *in, th_message_hash *out, uint8_t *out_alert) {
    size_t len = CBS_len(in);
    memset(out, 0, sizeof(*out));
    /* RFC 8446 §4.4.1: the body is Hash(ClientHello1), Hash.length bytes of
     * the cipher suite's hash; any other length cannot be a hash output. */
    if (len != 32 && len != 48 && len != 64) {
        *out_alert = TH_ALERT_DECODE_ERROR;
        return 0;
    }
    out->hash = th_bytes_of_cbs(in);
    CBS_skip(in, len);
    return 1;
}

int th_write_message_hash(CBB *out, const th_message_hash *in) {
    return CBB_add_bytes(out, in->hash.data, in->hash.len);
}

int th_write_message_hash_from(CBB *out, const uint8_t *hash, size_t hash_len) {
    /* RFC 8446 §4.4.1: "Hash(message_hash || 00 00 Hash.length ||
     * Hash(ClientHello1) || ...)". */
    CBB body;
    return CBB_add_u8(out, TH_HS_MESSAGE_HASH) && CBB_add_u24_length_prefixed(out, &body) &&
           CBB_add_bytes(&body, hash, hash_len) && CBB_flush(out);
}
