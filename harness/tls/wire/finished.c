#include "finished.h"

#include <string.h>

int th_parse_finished(CBS *in, th_finished *out, uint8_t *out_alert) {
    memset(out, 0, sizeof(*out));
    /* RFC 8446 §4.4.4: opaque verify_data[Hash.length]; RFC 5246 §7.4.9:
     * verify_data[verify_data_length], at least 12. No negotiated length is
     * zero, and an empty body cannot be told apart from a missing field. */
    if (CBS_len(in) == 0) {
        *out_alert = TH_ALERT_DECODE_ERROR;
        return 0;
    }
    out->verify_data = th_bytes_of_cbs(in);
    CBS_skip(in, CBS_len(in));
    return 1;
}

int th_write_finished(CBB *out, const th_finished *in) {
    return CBB_add_bytes(out, in->verify_data.data, in->verify_data.len);
}
