/* The remaining extensions: the empty bodies (encrypt_then_mac,
 * extended_master_secret, post_handshake_auth and the server
 * acknowledgements), ALPN (RFC 7301), signed_certificate_timestamp (RFC 6962),
 * padding (RFC 7685), record_size_limit (RFC 8449), session_ticket (RFC 5077)
 * and renegotiation_info (RFC 5746). RFC 7301, 6962, 7685, 8449, 5077, 5746
 * and 7627 are not in shared/rfc: their quotes below are stated from the RFCs. */
#include "ext_internal.h"

#include <stdlib.h>
#include <string.h>

int th_parse_ext_empty(CBS *body, uint8_t *out_alert) {
    /* E.g. RFC 8446 §4.2.6: "The "extension_data" field of the
     * "post_handshake_auth" extension is zero length."; RFC 7366 §2 says of
     * encrypt_then_mac that "the "extension_data" field of this extension
     * SHALL be empty", as RFC 7627 §5.1 of extended_master_secret and RFC
     * 6066 §3/§8 of the server's server_name and status_request. Anything else
     * does not match the syntax: decode_error (RFC 8446 §6). */
    if (CBS_len(body) != 0) {
        *out_alert = TH_ALERT_DECODE_ERROR;
        return 0;
    }
    return 1;
}

int th_write_ext_empty(CBB *out) {
    (void)out;
    return 1;
}

void th_ext_alpn_ch_cleanup(th_ext_alpn_ch *alpn) {
    if (alpn == NULL) {
        return;
    }
    free(alpn->protocols);
    memset(alpn, 0, sizeof(*alpn));
}

int th_parse_ext_alpn_ch(CBS *body, th_ext_alpn_ch *out, uint8_t *out_alert) {
    CBS list;
    memset(out, 0, sizeof(*out));
    /* RFC 7301 §3.1: "opaque ProtocolName<1..2^8-1>;" and "ProtocolName
     * protocol_name_list<2..2^16-1>"; "Empty strings MUST NOT be included".
     * BoringSSL answers both with decode_error. */
    if (!CBS_get_u16_length_prefixed(body, &list) || CBS_len(body) != 0 || CBS_len(&list) == 0) {
        *out_alert = TH_ALERT_DECODE_ERROR;
        return 0;
    }
    return th_ext_parse_bytes_list(list, 1, 1, &out->protocols, &out->num_protocols, out_alert);
}

int th_write_ext_alpn_ch(CBB *out, const th_ext_alpn_ch *in) {
    return th_ext_write_bytes_list(out, 2, 1, in->protocols, in->num_protocols);
}

int th_parse_ext_alpn_sh(CBS *body, th_ext_alpn_sh *out, uint8_t *out_alert) {
    CBS list, protocol;
    memset(out, 0, sizeof(*out));
    /* RFC 7301 §3.1: the server's extension_data "is structured the same as
     * described above for the client "extension_data", except that the
     * "ProtocolNameList" MUST contain exactly one "ProtocolName"." No alert is
     * named; BoringSSL sends decode_error for zero or several names, and so do
     * we. Whether the client offered the name is the engine's check. */
    if (!CBS_get_u16_length_prefixed(body, &list) || CBS_len(body) != 0 ||
        !CBS_get_u8_length_prefixed(&list, &protocol) || CBS_len(&protocol) == 0 ||
        CBS_len(&list) != 0) {
        *out_alert = TH_ALERT_DECODE_ERROR;
        return 0;
    }
    out->protocol = th_bytes_of_cbs(&protocol);
    return 1;
}

int th_write_ext_alpn_sh(CBB *out, const th_ext_alpn_sh *in) {
    return th_ext_write_bytes_list(out, 2, 1, &in->protocol, 1);
}

void th_ext_signed_certificate_timestamp_cleanup(th_ext_signed_certificate_timestamp *sct) {
    if (sct == NULL) {
        return;
    }
    free(sct->scts);
    memset(sct, 0, sizeof(*sct));
}

int th_parse_ext_signed_certificate_timestamp(CBS *body, th_ext_signed_certificate_timestamp *out,
                                              uint8_t *out_alert) {
    CBS list;
    memset(out, 0, sizeof(*out));
    /* RFC 6962 §3.3: "opaque SerializedSCT<1..2^16-1>;" and "SerializedSCT
     * sct_list <1..2^16-1>;" BoringSSL refuses an empty list or SCT with
     * decode_error. */
    if (!CBS_get_u16_length_prefixed(body, &list) || CBS_len(body) != 0 || CBS_len(&list) == 0) {
        *out_alert = TH_ALERT_DECODE_ERROR;
        return 0;
    }
    return th_ext_parse_bytes_list(list, 2, 1, &out->scts, &out->num_scts, out_alert);
}

int th_write_ext_signed_certificate_timestamp(CBB *out,
                                              const th_ext_signed_certificate_timestamp *in) {
    return th_ext_write_bytes_list(out, 2, 2, in->scts, in->num_scts);
}

int th_parse_ext_padding(CBS *body, th_ext_padding *out, uint8_t *out_alert) {
    (void)out_alert;
    memset(out, 0, sizeof(*out));
    /* RFC 7685 §3: "The client MUST fill the padding extension completely with
     * zero bytes". The MUST is on the sender only, so the receiver accepts any
     * contents and reports whether they were zero. */
    out->contents = th_bytes_of_cbs(body);
    out->all_zero = 1;
    for (size_t i = 0; i < out->contents.len; i++) {
        if (out->contents.data[i] != 0) {
            out->all_zero = 0;
            break;
        }
    }
    return CBS_skip(body, CBS_len(body));
}

int th_write_ext_padding(CBB *out, const th_ext_padding *in) {
    uint8_t *zeros;
    if (in->contents.data != NULL) {
        return CBB_add_bytes(out, in->contents.data, in->contents.len);
    }
    if (!CBB_add_space(out, &zeros, in->contents.len)) {
        return 0;
    }
    if (in->contents.len != 0) {
        memset(zeros, 0, in->contents.len);
    }
    return 1;
}

int th_parse_ext_record_size_limit(CBS *body, th_ext_record_size_limit *out, uint8_t *out_alert) {
    memset(out, 0, sizeof(*out));
    /* RFC 8449 §4: "uint16 RecordSizeLimit;" exactly two bytes. */
    if (!CBS_get_u16(body, &out->limit) || CBS_len(body) != 0) {
        *out_alert = TH_ALERT_DECODE_ERROR;
        return 0;
    }
    /* RFC 8449 §4: "Endpoints MUST NOT send a "record_size_limit" extension
     * with a value smaller than 64. An endpoint MUST treat receipt of a
     * smaller value as a fatal error and generate an "illegal_parameter"
     * alert." The upper bound depends on the version and is the engine's. */
    if (out->limit < 64) {
        *out_alert = TH_ALERT_ILLEGAL_PARAMETER;
        return 0;
    }
    return 1;
}

int th_write_ext_record_size_limit(CBB *out, const th_ext_record_size_limit *in) {
    return CBB_add_u16(out, in->limit);
}

int th_parse_ext_session_ticket(CBS *body, th_ext_session_ticket *out, uint8_t *out_alert) {
    (void)out_alert;
    memset(out, 0, sizeof(*out));
    /* RFC 5077 §3.2: the ClientHello extension_data is the ticket itself,
     * opaque and without a length prefix, or empty when "the client does not
     * have a ticket and is prepared to receive one". Any bytes are valid. */
    out->ticket = th_bytes_of_cbs(body);
    return CBS_skip(body, CBS_len(body));
}

int th_write_ext_session_ticket(CBB *out, const th_ext_session_ticket *in) {
    return CBB_add_bytes(out, in->ticket.data, in->ticket.len);
}

int th_parse_ext_renegotiation_info(CBS *body, th_ext_renegotiation_info *out, uint8_t *out_alert) {
    CBS renegotiated_connection;
    memset(out, 0, sizeof(*out));
    /* RFC 5746 §3.2: "opaque renegotiated_connection<0..255>;" whether it must
     * be empty or hold the verify_data depends on the connection: the
     * engine's check. */
    if (!CBS_get_u8_length_prefixed(body, &renegotiated_connection) || CBS_len(body) != 0) {
        *out_alert = TH_ALERT_DECODE_ERROR;
        return 0;
    }
    out->renegotiated_connection = th_bytes_of_cbs(&renegotiated_connection);
    return 1;
}

int th_write_ext_renegotiation_info(CBB *out, const th_ext_renegotiation_info *in) {
    return th_ext_add_prefixed_bytes(out, 1, in->renegotiated_connection);
}
