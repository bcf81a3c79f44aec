/* Group negotiation: supported_groups (RFC 8446 §4.2.7, RFC 4492 §5.1.1),
 * ec_point_formats (RFC 4492 §5.1.2) and key_share (RFC 8446 §4.2.8) in its
 * ClientHello, ServerHello and HelloRetryRequest forms. */
#include "ext_internal.h"

#include <stdlib.h>
#include <string.h>

void th_ext_supported_groups_cleanup(th_ext_supported_groups *groups) {
    if (groups == NULL) {
        return;
    }
    free(groups->groups);
    memset(groups, 0, sizeof(*groups));
}

int th_parse_ext_supported_groups(CBS *body, th_ext_supported_groups *out, uint8_t *out_alert) {
    memset(out, 0, sizeof(*out));
    /* RFC 8446 §4.2.7: "NamedGroup named_group_list<2..2^16-1>;" empty or
     * odd is decode_error (th_parse_u16_list). */
    if (!th_parse_u16_list(body, 2, &out->groups, &out->num_groups, out_alert)) {
        return 0;
    }
    if (CBS_len(body) != 0) {
        *out_alert = TH_ALERT_DECODE_ERROR;
        th_ext_supported_groups_cleanup(out);
        return 0;
    }
    return 1;
}

int th_write_ext_supported_groups(CBB *out, const th_ext_supported_groups *in) {
    return th_write_u16_list(out, 2, in->groups, in->num_groups);
}

int th_parse_ext_ec_point_formats(CBS *body, th_ext_ec_point_formats *out, uint8_t *out_alert) {
    CBS formats;
    memset(out, 0, sizeof(*out));
    /* RFC 4492 §5.1.2: "ECPointFormat ec_point_format_list<1..2^8-1>". */
    if (!CBS_get_u8_length_prefixed(body, &formats) || CBS_len(body) != 0) {
        *out_alert = TH_ALERT_DECODE_ERROR;
        return 0;
    }
    /* RFC 4492 §5.1 (client) and §5.2 (server): "If the Supported Point
     * Formats Extension is indeed sent, it MUST contain the value 0
     * (uncompressed) as one of the items in the list of point formats." RFC
     * 8422 §5.1.2 names illegal_parameter for it. An empty list lacks it too:
     * BoringSSL answers it with illegal_parameter rather than decode_error, and
     * so do we. */
    if (CBS_len(&formats) == 0 ||
        memchr(CBS_data(&formats), TH_EC_POINT_UNCOMPRESSED, CBS_len(&formats)) == NULL) {
        *out_alert = TH_ALERT_ILLEGAL_PARAMETER;
        return 0;
    }
    out->formats = th_bytes_of_cbs(&formats);
    return 1;
}

int th_write_ext_ec_point_formats(CBB *out, const th_ext_ec_point_formats *in) {
    return th_ext_add_prefixed_bytes(out, 1, in->formats);
}

/* RFC 8446 §4.2.8: "struct { NamedGroup group; opaque
 * key_exchange<1..2^16-1>; } KeyShareEntry;" */
static int get_key_share_entry(CBS *in, th_key_share_entry *out, uint8_t *out_alert) {
    CBS key_exchange;
    if (!CBS_get_u16(in, &out->group) || !CBS_get_u16_length_prefixed(in, &key_exchange) ||
        CBS_len(&key_exchange) == 0) {
        *out_alert = TH_ALERT_DECODE_ERROR;
        return 0;
    }
    out->key_exchange = th_bytes_of_cbs(&key_exchange);
    return 1;
}

static int add_key_share_entry(CBB *out, const th_key_share_entry *entry) {
    return CBB_add_u16(out, entry->group) && th_ext_add_prefixed_bytes(out, 2, entry->key_exchange);
}

void th_ext_key_share_ch_cleanup(th_ext_key_share_ch *ks) {
    if (ks == NULL) {
        return;
    }
    free(ks->shares);
    memset(ks, 0, sizeof(*ks));
}

int th_parse_ext_key_share_ch(CBS *body, th_ext_key_share_ch *out, uint8_t *out_alert) {
    CBS shares;
    th_u16_set groups;
    memset(out, 0, sizeof(*out));
    memset(&groups, 0, sizeof(groups));
    /* RFC 8446 §4.2.8: "KeyShareEntry client_shares<0..2^16-1>;" (empty is
     * legal: the client asks for a HelloRetryRequest). */
    if (!CBS_get_u16_length_prefixed(body, &shares) || CBS_len(body) != 0) {
        *out_alert = TH_ALERT_DECODE_ERROR;
        return 0;
    }
    while (CBS_len(&shares) != 0) {
        th_key_share_entry entry;
        th_key_share_entry *grown;
        if (!get_key_share_entry(&shares, &entry, out_alert)) {
            goto err;
        }
        /* RFC 8446 §4.2.8: "Clients MUST NOT offer multiple KeyShareEntry
         * values for the same group." and "Servers MAY check for violations of
         * these rules and abort the handshake with an "illegal_parameter"
         * alert if one is violated." BoringSSL checks it; so do we. */
        if (!th_u16_set_add(&groups, entry.group)) {
            *out_alert = TH_ALERT_ILLEGAL_PARAMETER;
            goto err;
        }
        grown = th_array_grow(out->shares, out->num_shares, sizeof(*out->shares));
        if (grown == NULL) {
            *out_alert = TH_ALERT_INTERNAL_ERROR;
            goto err;
        }
        out->shares = grown;
        out->shares[out->num_shares++] = entry;
    }
    return 1;

err:
    th_ext_key_share_ch_cleanup(out);
    return 0;
}

int th_write_ext_key_share_ch(CBB *out, const th_ext_key_share_ch *in) {
    CBB shares;
    if (!CBB_add_u16_length_prefixed(out, &shares)) {
        return 0;
    }
    for (size_t i = 0; i < in->num_shares; i++) {
        if (!add_key_share_entry(&shares, &in->shares[i])) {
            return 0;
        }
    }
    return CBB_flush(out);
}

const th_key_share_entry *th_ext_key_share_ch_find(const th_ext_key_share_ch *ks, uint16_t group) {
    for (size_t i = 0; i < ks->num_shares; i++) {
        if (ks->shares[i].group == group) {
            return &ks->shares[i];
        }
    }
    return NULL;
}

int th_parse_ext_key_share_sh(CBS *body, th_ext_key_share_sh *out, uint8_t *out_alert) {
    memset(out, 0, sizeof(*out));
    /* RFC 8446 §4.2.8: "struct { KeyShareEntry server_share; }
     * KeyShareServerHello;" one entry and nothing after it. */
    if (!get_key_share_entry(body, &out->share, out_alert)) {
        return 0;
    }
    if (CBS_len(body) != 0) {
        *out_alert = TH_ALERT_DECODE_ERROR;
        return 0;
    }
    return 1;
}

int th_write_ext_key_share_sh(CBB *out, const th_ext_key_share_sh *in) {
    return add_key_share_entry(out, &in->share);
}

int th_parse_ext_key_share_hrr(CBS *body, th_ext_key_share_hrr *out, uint8_t *out_alert) {
    memset(out, 0, sizeof(*out));
    /* RFC 8446 §4.2.8: "struct { NamedGroup selected_group; }
     * KeyShareHelloRetryRequest;" whether the group may be selected is the
     * engine's check (it needs the ClientHello). */
    if (!CBS_get_u16(body, &out->selected_group) || CBS_len(body) != 0) {
        *out_alert = TH_ALERT_DECODE_ERROR;
        return 0;
    }
    return 1;
}

int th_write_ext_key_share_hrr(CBB *out, const th_ext_key_share_hrr *in) {
    return CBB_add_u16(out, in->selected_group);
}
