#include "server_key_exchange.h"

#include <string.h>

/* The signed_params after the parameters: RFC 5246 §4.7 "struct {
 * SignatureAndHashAlgorithm algorithm; opaque signature<0..2^16-1>; }
 * DigitallySigned;". TLS 1.0/1.1 (RFC 4346 §4.7) have no algorithm field.
 * The signature may be empty here; verifying it is the engine's
 * (decrypt_error, RFC 5246 §7.2.2). */
static int parse_signature(CBS *in, int has_sig_alg, uint16_t *out_sig_alg, th_bytes *out_sig,
                           uint8_t *out_alert) {
    CBS sig;
    if ((has_sig_alg && !CBS_get_u16(in, out_sig_alg)) || !CBS_get_u16_length_prefixed(in, &sig) ||
        CBS_len(in) != 0) {
        *out_alert = TH_ALERT_DECODE_ERROR;
        return 0;
    }
    *out_sig = th_bytes_of_cbs(&sig);
    return 1;
}

static int write_signature(CBB *out, int has_sig_alg, uint16_t sig_alg, th_bytes sig) {
    CBB child;
    if (has_sig_alg && !CBB_add_u16(out, sig_alg)) {
        return 0;
    }
    return CBB_add_u16_length_prefixed(out, &child) && CBB_add_bytes(&child, sig.data, sig.len) &&
           CBB_flush(out);
}

/* The signed params (ServerECDHParams or ServerDHParams): from |start| up to
 * where |in| now is. */
static th_bytes span_to(const CBS *start, const CBS *in) {
    th_bytes b = {CBS_data(start), CBS_len(start) - CBS_len(in)};
    return b;
}

static int parse_ecdhe(CBS *in, int has_sig_alg, th_server_key_exchange_ecdhe *out,
                       uint8_t *out_alert) {
    CBS start = *in, point;
    memset(out, 0, sizeof(*out));
    out->has_sig_alg = has_sig_alg;
    if (!CBS_get_u8(in, &out->curve_type)) {
        *out_alert = TH_ALERT_DECODE_ERROR;
        return 0;
    }
    /* RFC 8422 §5.4 (not in shared/rfc; rule stated from the RFC) leaves
     * named_curve as the only ECCurveType and deprecates explicit_prime(1) and
     * explicit_char2(2). No alert is named; BoringSSL sends decode_error for
     * any other curve_type (handshake_client.cc, do_read_server_key_exchange),
     * and so do we. */
    if (out->curve_type != TH_EC_CURVE_TYPE_NAMED_CURVE) {
        *out_alert = TH_ALERT_DECODE_ERROR;
        return 0;
    }
    if (!CBS_get_u16(in, &out->named_curve)) {
        *out_alert = TH_ALERT_DECODE_ERROR;
        return 0;
    }
    /* RFC 4492 §5.4: "Values of NamedCurve that indicate support for a class
     * of explicitly defined curves are not allowed here (they are only
     * permissible in the ClientHello extension)". Whether the curve was offered
     * is the engine's (illegal_parameter there too). */
    if (out->named_curve == TH_CURVE_ARBITRARY_EXPLICIT_PRIME ||
        out->named_curve == TH_CURVE_ARBITRARY_EXPLICIT_CHAR2) {
        *out_alert = TH_ALERT_ILLEGAL_PARAMETER;
        return 0;
    }
    /* RFC 4492 §5.4: "opaque point <1..2^8-1>;" */
    if (!CBS_get_u8_length_prefixed(in, &point) || CBS_len(&point) == 0) {
        *out_alert = TH_ALERT_DECODE_ERROR;
        return 0;
    }
    out->public_key = th_bytes_of_cbs(&point);
    out->params = span_to(&start, in);
    return parse_signature(in, has_sig_alg, &out->sig_alg, &out->signature, out_alert);
}

int th_parse_server_key_exchange_ecdhe(CBS *in, th_server_key_exchange_ecdhe *out,
                                       uint8_t *out_alert) {
    return parse_ecdhe(in, 1, out, out_alert);
}

int th_parse_server_key_exchange_ecdhe_legacy(CBS *in, th_server_key_exchange_ecdhe *out,
                                              uint8_t *out_alert) {
    return parse_ecdhe(in, 0, out, out_alert);
}

int th_write_server_ecdh_params(CBB *out, const th_server_key_exchange_ecdhe *in) {
    CBB point;
    if (!CBB_add_u8(out, in->curve_type)) {
        return 0;
    }
    if (in->curve_type == TH_EC_CURVE_TYPE_NAMED_CURVE && !CBB_add_u16(out, in->named_curve)) {
        return 0;
    }
    return CBB_add_u8_length_prefixed(out, &point) &&
           CBB_add_bytes(&point, in->public_key.data, in->public_key.len) && CBB_flush(out);
}

int th_write_server_key_exchange_ecdhe(CBB *out, const th_server_key_exchange_ecdhe *in) {
    return th_write_server_ecdh_params(out, in) &&
           write_signature(out, in->has_sig_alg, in->sig_alg, in->signature);
}

/* RFC 5246 §7.4.3: "opaque dh_p<1..2^16-1>;" and likewise dh_g and dh_Ys. */
static int get_dh_value(CBS *in, th_bytes *out, uint8_t *out_alert) {
    CBS value;
    if (!CBS_get_u16_length_prefixed(in, &value) || CBS_len(&value) == 0) {
        *out_alert = TH_ALERT_DECODE_ERROR;
        return 0;
    }
    *out = th_bytes_of_cbs(&value);
    return 1;
}

static int parse_dhe(CBS *in, int has_sig_alg, th_server_key_exchange_dhe *out,
                     uint8_t *out_alert) {
    CBS start = *in;
    memset(out, 0, sizeof(*out));
    out->has_sig_alg = has_sig_alg;
    if (!get_dh_value(in, &out->dh_p, out_alert) || !get_dh_value(in, &out->dh_g, out_alert) ||
        !get_dh_value(in, &out->dh_ys, out_alert)) {
        return 0;
    }
    out->params = span_to(&start, in);
    return parse_signature(in, has_sig_alg, &out->sig_alg, &out->signature, out_alert);
}

int th_parse_server_key_exchange_dhe(CBS *in, th_server_key_exchange_dhe *out, uint8_t *out_alert) {
    return parse_dhe(in, 1, out, out_alert);
}

int th_parse_server_key_exchange_dhe_legacy(CBS *in, th_server_key_exchange_dhe *out,
                                            uint8_t *out_alert) {
    return parse_dhe(in, 0, out, out_alert);
}

static int add_dh_value(CBB *out, th_bytes value) {
    CBB child;
    return CBB_add_u16_length_prefixed(out, &child) &&
           CBB_add_bytes(&child, value.data, value.len) && CBB_flush(out);
}

int th_write_server_dh_params(CBB *out, const th_server_key_exchange_dhe *in) {
    return add_dh_value(out, in->dh_p) && add_dh_value(out, in->dh_g) &&
           add_dh_value(out, in->dh_ys);
}

int th_write_server_key_exchange_dhe(CBB *out, const th_server_key_exchange_dhe *in) {
    return th_write_server_dh_params(out, in) &&
           write_signature(out, in->has_sig_alg, in->sig_alg, in->signature);
}
