#include "certificate_verify.h"

#include <string.h>

int th_parse_certificate_verify(CBS *in, th_certificate_verify *out, uint8_t *out_alert) {
    CBS signature;
    memset(out, 0, sizeof(*out));
    /* RFC 8446 §4.4.3: SignatureScheme algorithm; opaque signature<0..2^16-1>. */
    if (!CBS_get_u16(in, &out->algorithm) || !CBS_get_u16_length_prefixed(in, &signature) ||
        CBS_len(in) != 0) {
        *out_alert = TH_ALERT_DECODE_ERROR;
        memset(out, 0, sizeof(*out));
        return 0;
    }
    out->signature = th_bytes_of_cbs(&signature);
    return 1;
}

int th_write_certificate_verify(CBB *out, const th_certificate_verify *in) {
    CBB signature;
    return CBB_add_u16(out, in->algorithm) && CBB_add_u16_length_prefixed(out, &signature) &&
           CBB_add_bytes(&signature, in->signature.data, in->signature.len) && CBB_flush(out);
}
