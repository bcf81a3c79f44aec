#include "client_key_exchange.h"

#include <string.h>

int th_parse_client_key_exchange_ecdhe(CBS *in, th_client_key_exchange_ecdhe *out,
                                       uint8_t *out_alert) {
    CBS point;
    memset(out, 0, sizeof(*out));
    /* RFC 4492 §5.7: "If client authentication with ECDSA_fixed_ECDH or
     * RSA_fixed_ECDH is used, this message is empty. Otherwise, it contains the
     * client's ephemeral ECDH public key." tlsharness supports neither fixed
     * ECDH method (RFC 8422 deprecates them), so the key must be there, and an
     * ECPoint is "opaque point <1..2^8-1>;" (§5.4). BoringSSL also sends
     * decode_error. */
    if (!CBS_get_u8_length_prefixed(in, &point) || CBS_len(&point) == 0 || CBS_len(in) != 0) {
        *out_alert = TH_ALERT_DECODE_ERROR;
        return 0;
    }
    out->public_key = th_bytes_of_cbs(&point);
    return 1;
}

int th_write_client_key_exchange_ecdhe(CBB *out, const th_client_key_exchange_ecdhe *in) {
    CBB point;
    return CBB_add_u8_length_prefixed(out, &point) &&
           CBB_add_bytes(&point, in->public_key.data, in->public_key.len) && CBB_flush(out);
}

int th_parse_client_key_exchange_rsa(CBS *in, th_client_key_exchange_rsa *out, uint8_t *out_alert) {
    CBS epms;
    memset(out, 0, sizeof(*out));
    /* RFC 5246 §7.4.7.1: "the RSA-encrypted PreMasterSecret in a
     * ClientKeyExchange is preceded by two length bytes" and "MUST ... accept
     * the correct encoding". Only the framing is checked: "a TLS server MUST
     * NOT generate an alert if processing an RSA-encrypted premaster secret
     * message fails", so a wrong-size ciphertext is the engine's to absorb. */
    if (!CBS_get_u16_length_prefixed(in, &epms) || CBS_len(in) != 0) {
        *out_alert = TH_ALERT_DECODE_ERROR;
        return 0;
    }
    out->encrypted_pre_master_secret = th_bytes_of_cbs(&epms);
    return 1;
}

int th_write_client_key_exchange_rsa(CBB *out, const th_client_key_exchange_rsa *in) {
    CBB epms;
    return CBB_add_u16_length_prefixed(out, &epms) &&
           CBB_add_bytes(&epms, in->encrypted_pre_master_secret.data,
                         in->encrypted_pre_master_secret.len) &&
           CBB_flush(out);
}

int th_parse_client_key_exchange_dhe(CBS *in, th_client_key_exchange_dhe *out, uint8_t *out_alert) {
    CBS yc;
    memset(out, 0, sizeof(*out));
    /* RFC 5246 §7.4.7.2: "case explicit: opaque dh_Yc<1..2^16-1>;" The
     * implicit (empty) form is only for fixed_dh client certificates, which
     * tlsharness does not support. */
    if (!CBS_get_u16_length_prefixed(in, &yc) || CBS_len(&yc) == 0 || CBS_len(in) != 0) {
        *out_alert = TH_ALERT_DECODE_ERROR;
        return 0;
    }
    out->dh_yc = th_bytes_of_cbs(&yc);
    return 1;
}

int th_write_client_key_exchange_dhe(CBB *out, const th_client_key_exchange_dhe *in) {
    CBB yc;
    return CBB_add_u16_length_prefixed(out, &yc) &&
           CBB_add_bytes(&yc, in->dh_yc.data, in->dh_yc.len) && CBB_flush(out);
}
