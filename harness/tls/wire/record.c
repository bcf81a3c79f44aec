#include "record.h"

#include <string.h>

int th_record_complete(const CBS *in) {
    CBS copy = *in, fragment;
    uint8_t type;
    uint16_t version;
    return CBS_get_u8(&copy, &type) && CBS_get_u16(&copy, &version) &&
           CBS_get_u16_length_prefixed(&copy, &fragment);
}

int th_parse_record(CBS *in, th_record *out, uint8_t *out_alert) {
    CBS copy = *in, fragment;
    uint16_t len;
    memset(out, 0, sizeof(*out));
    if (!CBS_get_u8(&copy, &out->type) || !CBS_get_u16(&copy, &out->version) ||
        !CBS_get_u16(&copy, &len)) {
        *out_alert = TH_ALERT_DECODE_ERROR;
        return 0;
    }
    /* RFC 5246 §6.2.3: "The length MUST NOT exceed 2^14 + 2048." RFC 8446
     * §5.2 tightens this to 2^14 + 256 once TLS 1.3 is negotiated. */
    if (len > TH_MAX_CIPHERTEXT_12) {
        *out_alert = TH_ALERT_RECORD_OVERFLOW;
        return 0;
    }
    if (!CBS_get_bytes(&copy, &fragment, len)) {
        *out_alert = TH_ALERT_DECODE_ERROR;
        return 0;
    }
    out->fragment = th_bytes_of_cbs(&fragment);
#if defined(TH_FUZZ_CANARY)
    /* A planted out-of-bounds read behind a rare input, for
     * scripts/fuzz_canary.sh to prove the pipeline finds and replays bugs.
     * CMake refuses TH_FUZZ_CANARY outside a fuzz build. */
    if (out->type == 0x42 && len >= 4 && memcmp(CBS_data(&fragment), "TLS!", 4) == 0) {
        volatile uint8_t past = CBS_data(&fragment)[len + 8];
        (void)past;
    }
#endif
    *in = copy;
    return 1;
}

int th_write_record(CBB *out, const th_record *in) {
    CBB fragment;
    return CBB_add_u8(out, in->type) && CBB_add_u16(out, in->version) &&
           CBB_add_u16_length_prefixed(out, &fragment) &&
           CBB_add_bytes(&fragment, in->fragment.data, in->fragment.len) && CBB_flush(out);
}

int th_parse_inner_plaintext(CBS *in, th_inner_plaintext *out, uint8_t *out_alert) {
    const uint8_t *p = CBS_data(in);
    size_t len = CBS_len(in);
    memset(out, 0, sizeof(*out));
    while (len > 0 && p[len - 1] == 0) {
        len--;
    }
    /* RFC 8446 §5.4: "If a receiving implementation does not find a non-zero
     * octet in the cleartext, it MUST terminate the connection with an
     * "unexpected_message" alert." */
    if (len == 0) {
        *out_alert = TH_ALERT_UNEXPECTED_MESSAGE;
        return 0;
    }
    out->type = p[len - 1];
    out->content.data = p;
    out->content.len = len - 1;
    out->padding_len = CBS_len(in) - len;
    CBS_skip(in, CBS_len(in));
    return 1;
}

int th_write_inner_plaintext(CBB *out, const th_inner_plaintext *in) {
    uint8_t *padding;
    if (!CBB_add_bytes(out, in->content.data, in->content.len) || !CBB_add_u8(out, in->type) ||
        !CBB_add_space(out, &padding, in->padding_len)) {
        return 0;
    }
    memset(padding, 0, in->padding_len);
    return 1;
}

int th_parse_alert(CBS *in, th_alert *out, uint8_t *out_alert) {
    memset(out, 0, sizeof(*out));
    if (!CBS_get_u8(in, &out->level) || !CBS_get_u8(in, &out->description) || CBS_len(in) != 0) {
        *out_alert = TH_ALERT_DECODE_ERROR;
        return 0;
    }
    /* RFC 8446 §6 defines only warning(1) and fatal(2); any other level is a
     * bad value (BoringSSL: illegal_parameter). Unknown descriptions are kept:
     * RFC 8446 §6.2 makes every unknown alert fatal, which is the engine's. */
    if (out->level != TH_ALERT_LEVEL_WARNING && out->level != TH_ALERT_LEVEL_FATAL) {
        *out_alert = TH_ALERT_ILLEGAL_PARAMETER;
        return 0;
    }
    return 1;
}

int th_write_alert(CBB *out, const th_alert *in) {
    return CBB_add_u8(out, in->level) && CBB_add_u8(out, in->description);
}

int th_parse_ccs(CBS *in, th_ccs *out, uint8_t *out_alert) {
    memset(out, 0, sizeof(*out));
    /* RFC 8446 §5: "An implementation which receives any other
     * change_cipher_spec value [than the single byte 0x01] ... MUST abort the
     * handshake with an "unexpected_message" alert." A wrong length is such a
     * value. */
    if (!CBS_get_u8(in, &out->value) || CBS_len(in) != 0 || out->value != 1) {
        *out_alert = TH_ALERT_UNEXPECTED_MESSAGE;
        return 0;
    }
    return 1;
}

int th_write_ccs(CBB *out, const th_ccs *in) {
    return CBB_add_u8(out, in->value);
}
