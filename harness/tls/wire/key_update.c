#include "key_update.h"

#include <string.h>

int th_parse_key_update(CBS *in, th_key_update *out, uint8_t *out_alert) {
    memset(out, 0, sizeof(*out));
    if (!CBS_get_u8(in, &out->request_update) || CBS_len(in) != 0) {
        *out_alert = TH_ALERT_DECODE_ERROR;
        memset(out, 0, sizeof(*out));
        return 0;
    }
    /* RFC 8446 §4.6.3: "If an implementation receives any other value, it
     * MUST terminate the connection with an "illegal_parameter" alert." */
    if (out->request_update != TH_KEY_UPDATE_NOT_REQUESTED &&
        out->request_update != TH_KEY_UPDATE_REQUESTED) {
        *out_alert = TH_ALERT_ILLEGAL_PARAMETER;
        memset(out, 0, sizeof(*out));
        return 0;
    }
    return 1;
}

int th_write_key_update(CBB *out, const th_key_update *in) {
    return CBB_add_u8(out, in->request_update);
}
