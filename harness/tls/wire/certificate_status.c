#include "certificate_status.h"

#include <string.h>

int th_parse_certificate_status(CBS *in, th_certificate_status *out, uint8_t *out_alert) {
    CBS response;
    memset(out, 0, sizeof(*out));
    if (!CBS_get_u8(in, &out->status_type)) {
        *out_alert = TH_ALERT_DECODE_ERROR;
        return 0;
    }
    /* RFC 6066 §8: "select (status_type) { case ocsp: OCSPResponse; }
     * response;" defines a body for ocsp(1) only, so any other type cannot be
     * decoded. BoringSSL sends decode_error for it (handshake_client.cc,
     * do_read_certificate_status; tls13_both.cc for the TLS 1.3 extension). */
    if (out->status_type != TH_CERT_STATUS_TYPE_OCSP) {
        *out_alert = TH_ALERT_DECODE_ERROR;
        return 0;
    }
    /* RFC 6066 §8: "opaque OCSPResponse<1..2^24-1>;" An empty one is out of
     * range: decode_error (RFC 5246 §7.2.2), as BoringSSL sends. Checking the
     * response itself is the engine's (bad_certificate_status_response). */
    if (!CBS_get_u24_length_prefixed(in, &response) || CBS_len(&response) == 0 ||
        CBS_len(in) != 0) {
        *out_alert = TH_ALERT_DECODE_ERROR;
        return 0;
    }
    out->response = th_bytes_of_cbs(&response);
    return 1;
}

int th_write_certificate_status(CBB *out, const th_certificate_status *in) {
    CBB response;
    return CBB_add_u8(out, in->status_type) && CBB_add_u24_length_prefixed(out, &response) &&
           CBB_add_bytes(&response, in->response.data, in->response.len) && CBB_flush(out);
}
