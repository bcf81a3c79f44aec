/* Resumption and 0-RTT: pre_shared_key (RFC 8446 §4.2.11) in its ClientHello
 * and ServerHello forms, psk_key_exchange_modes (§4.2.9) and the
 * NewSessionTicket form of early_data (§4.2.10). */
#include "ext_internal.h"

#include <stdlib.h>
#include <string.h>

void th_ext_pre_shared_key_ch_cleanup(th_ext_pre_shared_key_ch *psk) {
    if (psk == NULL) {
        return;
    }
    free(psk->identities);
    free(psk->binders);
    memset(psk, 0, sizeof(*psk));
}

int th_parse_ext_pre_shared_key_ch(CBS *body, th_ext_pre_shared_key_ch *out, uint8_t *out_alert) {
    CBS identities, binders;
    size_t body_len = CBS_len(body);
    memset(out, 0, sizeof(*out));
    /* RFC 8446 §4.2.11: "PskIdentity identities<7..2^16-1>; PskBinderEntry
     * binders<33..2^16-1>;": both lists hold at least one entry. */
    if (!CBS_get_u16_length_prefixed(body, &identities) || CBS_len(&identities) == 0) {
        *out_alert = TH_ALERT_DECODE_ERROR;
        return 0;
    }
    out->binders_offset = body_len - CBS_len(body);
    if (!CBS_get_u16_length_prefixed(body, &binders) || CBS_len(&binders) == 0 ||
        CBS_len(body) != 0) {
        *out_alert = TH_ALERT_DECODE_ERROR;
        return 0;
    }
    while (CBS_len(&identities) != 0) {
        CBS identity;
        uint32_t age;
        th_psk_identity *grown;
        /* RFC 8446 §4.2.11: "opaque identity<1..2^16-1>; uint32
         * obfuscated_ticket_age;" */
        if (!CBS_get_u16_length_prefixed(&identities, &identity) || CBS_len(&identity) == 0 ||
            !CBS_get_u32(&identities, &age)) {
            *out_alert = TH_ALERT_DECODE_ERROR;
            goto err;
        }
        grown = th_array_grow(out->identities, out->num_identities, sizeof(*out->identities));
        if (grown == NULL) {
            *out_alert = TH_ALERT_INTERNAL_ERROR;
            goto err;
        }
        out->identities = grown;
        out->identities[out->num_identities].identity = th_bytes_of_cbs(&identity);
        out->identities[out->num_identities].obfuscated_ticket_age = age;
        out->num_identities++;
    }
    /* RFC 8446 §4.2.11: "opaque PskBinderEntry<32..255>;" */
    if (!th_ext_parse_bytes_list(binders, 1, 32, &out->binders, &out->num_binders, out_alert)) {
        goto err;
    }
    /* RFC 8446 §4.2.11: binders are "A series of HMAC values, one for each
     * value in the identities list and in the same order". No alert is named;
     * BoringSSL sends illegal_parameter (PSK_IDENTITY_BINDER_COUNT_MISMATCH)
     * for a count mismatch, and so do we. */
    if (out->num_binders != out->num_identities) {
        *out_alert = TH_ALERT_ILLEGAL_PARAMETER;
        goto err;
    }
    return 1;

err:
    th_ext_pre_shared_key_ch_cleanup(out);
    return 0;
}

int th_write_ext_pre_shared_key_ch(CBB *out, const th_ext_pre_shared_key_ch *in) {
    CBB identities;
    if (!CBB_add_u16_length_prefixed(out, &identities)) {
        return 0;
    }
    for (size_t i = 0; i < in->num_identities; i++) {
        if (!th_ext_add_prefixed_bytes(&identities, 2, in->identities[i].identity) ||
            !CBB_add_u32(&identities, in->identities[i].obfuscated_ticket_age)) {
            return 0;
        }
    }
    return CBB_flush(out) && th_ext_write_bytes_list(out, 2, 1, in->binders, in->num_binders);
}

size_t th_ext_pre_shared_key_ch_binders_len(const th_ext_pre_shared_key_ch *psk) {
    size_t len = 2;
    for (size_t i = 0; i < psk->num_binders; i++) {
        len += 1 + psk->binders[i].len;
    }
    return len;
}

int th_parse_ext_pre_shared_key_sh(CBS *body, th_ext_pre_shared_key_sh *out, uint8_t *out_alert) {
    memset(out, 0, sizeof(*out));
    /* RFC 8446 §4.2.11: "case server_hello: uint16 selected_identity;" its
     * range against the offered identities is the engine's check. */
    if (!CBS_get_u16(body, &out->selected_identity) || CBS_len(body) != 0) {
        *out_alert = TH_ALERT_DECODE_ERROR;
        return 0;
    }
    return 1;
}

int th_write_ext_pre_shared_key_sh(CBB *out, const th_ext_pre_shared_key_sh *in) {
    return CBB_add_u16(out, in->selected_identity);
}

int th_parse_ext_psk_key_exchange_modes(CBS *body, th_ext_psk_key_exchange_modes *out,
                                        uint8_t *out_alert) {
    CBS modes;
    memset(out, 0, sizeof(*out));
    /* RFC 8446 §4.2.9: "PskKeyExchangeMode ke_modes<1..255>;" unknown modes
     * (GREASE included) are kept for the engine to skip. */
    if (!CBS_get_u8_length_prefixed(body, &modes) || CBS_len(&modes) == 0 || CBS_len(body) != 0) {
        *out_alert = TH_ALERT_DECODE_ERROR;
        return 0;
    }
    out->modes = th_bytes_of_cbs(&modes);
    return 1;
}

int th_write_ext_psk_key_exchange_modes(CBB *out, const th_ext_psk_key_exchange_modes *in) {
    return th_ext_add_prefixed_bytes(out, 1, in->modes);
}

int th_parse_ext_early_data_nst(CBS *body, th_ext_early_data_nst *out, uint8_t *out_alert) {
    memset(out, 0, sizeof(*out));
    /* RFC 8446 §4.2.10: "case new_session_ticket: uint32 max_early_data_size;" */
    if (!CBS_get_u32(body, &out->max_early_data_size) || CBS_len(body) != 0) {
        *out_alert = TH_ALERT_DECODE_ERROR;
        return 0;
    }
    return 1;
}

int th_write_ext_early_data_nst(CBB *out, const th_ext_early_data_nst *in) {
    return CBB_add_u32(out, in->max_early_data_size);
}
