/* Version negotiation and HelloRetryRequest state: supported_versions (RFC
 * 8446 §4.2.1) in its ClientHello and ServerHello/HelloRetryRequest forms, and
 * cookie (§4.2.2). */
#include "ext_internal.h"

#include <stdlib.h>
#include <string.h>

void th_ext_supported_versions_ch_cleanup(th_ext_supported_versions_ch *sv) {
    if (sv == NULL) {
        return;
    }
    free(sv->versions);
    memset(sv, 0, sizeof(*sv));
}

int th_parse_ext_supported_versions_ch(CBS *body, th_ext_supported_versions_ch *out,
                                       uint8_t *out_alert) {
    memset(out, 0, sizeof(*out));
    /* RFC 8446 §4.2.1: "ProtocolVersion versions<2..254>;" empty or odd is
     * decode_error (th_parse_u16_list); 254 is the largest even length a u8
     * prefix holds. Unknown versions stay: servers "MUST ignore any unknown
     * versions that are present in that extension". */
    if (!th_parse_u16_list(body, 1, &out->versions, &out->num_versions, out_alert)) {
        return 0;
    }
    if (CBS_len(body) != 0) {
        *out_alert = TH_ALERT_DECODE_ERROR;
        th_ext_supported_versions_ch_cleanup(out);
        return 0;
    }
    return 1;
}

int th_write_ext_supported_versions_ch(CBB *out, const th_ext_supported_versions_ch *in) {
    return th_write_u16_list(out, 1, in->versions, in->num_versions);
}

int th_ext_supported_versions_ch_has(const th_ext_supported_versions_ch *sv, uint16_t version) {
    for (size_t i = 0; i < sv->num_versions; i++) {
        if (sv->versions[i] == version) {
            return 1;
        }
    }
    return 0;
}

int th_parse_ext_supported_versions_sh(CBS *body, th_ext_supported_versions_sh *out,
                                       uint8_t *out_alert) {
    memset(out, 0, sizeof(*out));
    /* RFC 8446 §4.2.1: "case server_hello: ... ProtocolVersion
     * selected_version;" (HelloRetryRequest shares this form). */
    if (!CBS_get_u16(body, &out->selected_version) || CBS_len(body) != 0) {
        *out_alert = TH_ALERT_DECODE_ERROR;
        return 0;
    }
    /* RFC 8446 §4.2.1: "If the "supported_versions" extension in the
     * ServerHello contains a version not offered by the client or contains a
     * version prior to TLS 1.3, the client MUST abort the handshake with an
     * "illegal_parameter" alert." The first half needs the ClientHello and is
     * the engine's. */
    if (out->selected_version < TH_VERSION_TLS13) {
        *out_alert = TH_ALERT_ILLEGAL_PARAMETER;
        return 0;
    }
    return 1;
}

int th_write_ext_supported_versions_sh(CBB *out, const th_ext_supported_versions_sh *in) {
    return CBB_add_u16(out, in->selected_version);
}

int th_parse_ext_cookie(CBS *body, th_ext_cookie *out, uint8_t *out_alert) {
    CBS cookie;
    memset(out, 0, sizeof(*out));
    /* RFC 8446 §4.2.2: "opaque cookie<1..2^16-1>;" */
    if (!CBS_get_u16_length_prefixed(body, &cookie) || CBS_len(&cookie) == 0 ||
        CBS_len(body) != 0) {
        *out_alert = TH_ALERT_DECODE_ERROR;
        return 0;
    }
    out->cookie = th_bytes_of_cbs(&cookie);
    return 1;
}

int th_write_ext_cookie(CBB *out, const th_ext_cookie *in) {
    return th_ext_add_prefixed_bytes(out, 2, in->cookie);
}
