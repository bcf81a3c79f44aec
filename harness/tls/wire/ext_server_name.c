/* RFC 6066 extensions: server_name (§3), max_fragment_length (§4) and
 * status_request (§8). The server's empty acknowledgements of server_name and
 * status_request use th_parse_ext_empty. */
#include "ext_internal.h"

#include <stdlib.h>
#include <string.h>

void th_ext_server_name_ch_cleanup(th_ext_server_name_ch *sni) {
    if (sni == NULL) {
        return;
    }
    free(sni->names);
    memset(sni, 0, sizeof(*sni));
}

int th_parse_ext_server_name_ch(CBS *body, th_ext_server_name_ch *out, uint8_t *out_alert) {
    CBS list;
    memset(out, 0, sizeof(*out));
    /* RFC 6066 §3: "ServerName server_name_list<1..2^16-1>". */
    if (!CBS_get_u16_length_prefixed(body, &list) || CBS_len(body) != 0 || CBS_len(&list) == 0) {
        *out_alert = TH_ALERT_DECODE_ERROR;
        return 0;
    }
    while (CBS_len(&list) != 0) {
        uint8_t name_type;
        CBS name;
        th_server_name *grown;
        /* RFC 6066 §3: "all future data structures associated with new
         * NameTypes MUST begin with a 16-bit length field", so a name of any
         * type parses as type + u16 vector and unknown types can be kept. */
        if (!CBS_get_u8(&list, &name_type) || !CBS_get_u16_length_prefixed(&list, &name)) {
            *out_alert = TH_ALERT_DECODE_ERROR;
            goto err;
        }
        /* RFC 6066 §3: "opaque HostName<1..2^16-1>". BoringSSL answers an
         * empty host_name with unrecognized_name rather than decode_error, and
         * so do we. */
        if (name_type == TH_SNI_HOST_NAME && CBS_len(&name) == 0) {
            *out_alert = TH_ALERT_UNRECOGNIZED_NAME;
            goto err;
        }
        /* RFC 6066 §3: "The ServerNameList MUST NOT contain more than one name
         * of the same name_type." No alert is named. BoringSSL refuses any
         * list of more than one name with decode_error (it treats the list as
         * the single-name syntax RFC 4366 had), so a second name of a type is
         * decode_error here too; names of distinct types stay legal, as RFC
         * 6066 allows them. */
        for (size_t i = 0; i < out->num_names; i++) {
            if (out->names[i].name_type == name_type) {
                *out_alert = TH_ALERT_DECODE_ERROR;
                goto err;
            }
        }
        grown = th_array_grow(out->names, out->num_names, sizeof(*out->names));
        if (grown == NULL) {
            *out_alert = TH_ALERT_INTERNAL_ERROR;
            goto err;
        }
        out->names = grown;
        out->names[out->num_names].name_type = name_type;
        out->names[out->num_names].name = th_bytes_of_cbs(&name);
        out->num_names++;
    }
    return 1;

err:
    th_ext_server_name_ch_cleanup(out);
    return 0;
}

int th_write_ext_server_name_ch(CBB *out, const th_ext_server_name_ch *in) {
    CBB list;
    if (!CBB_add_u16_length_prefixed(out, &list)) {
        return 0;
    }
    for (size_t i = 0; i < in->num_names; i++) {
        if (!CBB_add_u8(&list, in->names[i].name_type) ||
            !th_ext_add_prefixed_bytes(&list, 2, in->names[i].name)) {
            return 0;
        }
    }
    return CBB_flush(out);
}

const th_bytes *th_ext_server_name_host(const th_ext_server_name_ch *sni) {
    for (size_t i = 0; i < sni->num_names; i++) {
        if (sni->names[i].name_type == TH_SNI_HOST_NAME) {
            return &sni->names[i].name;
        }
    }
    return NULL;
}

int th_parse_ext_max_fragment_length(CBS *body, th_ext_max_fragment_length *out,
                                     uint8_t *out_alert) {
    memset(out, 0, sizeof(*out));
    if (!CBS_get_u8(body, &out->code) || CBS_len(body) != 0) {
        *out_alert = TH_ALERT_DECODE_ERROR;
        return 0;
    }
    /* RFC 6066 §4: "If a server receives a maximum fragment length negotiation
     * request for a value other than the allowed values, it MUST abort the
     * handshake with an "illegal_parameter" alert." The response must equal
     * the request, so an out-of-range response is illegal_parameter too. */
    if (out->code < TH_MFL_512 || out->code > TH_MFL_4096) {
        *out_alert = TH_ALERT_ILLEGAL_PARAMETER;
        return 0;
    }
    return 1;
}

int th_write_ext_max_fragment_length(CBB *out, const th_ext_max_fragment_length *in) {
    return CBB_add_u8(out, in->code);
}

void th_ext_status_request_ch_cleanup(th_ext_status_request_ch *sr) {
    if (sr == NULL) {
        return;
    }
    free(sr->responder_ids);
    memset(sr, 0, sizeof(*sr));
}

int th_parse_ext_status_request_ch(CBS *body, th_ext_status_request_ch *out, uint8_t *out_alert) {
    CBS ids, exts;
    memset(out, 0, sizeof(*out));
    if (!CBS_get_u8(body, &out->status_type)) {
        *out_alert = TH_ALERT_DECODE_ERROR;
        return 0;
    }
    /* RFC 6066 §8 defines the request of ocsp(1) only; the bytes of any other
     * type cannot be parsed and a server ignores a type it does not know, so
     * they are kept raw. */
    if (out->status_type != TH_CERT_STATUS_TYPE_OCSP) {
        out->other_request = th_bytes_of_cbs(body);
        return CBS_skip(body, CBS_len(body));
    }
    /* RFC 6066 §8: "ResponderID responder_id_list<0..2^16-1>; Extensions
     * request_extensions;" with "opaque ResponderID<1..2^16-1>; opaque
     * Extensions<0..2^16-1>;". */
    if (!CBS_get_u16_length_prefixed(body, &ids) || !CBS_get_u16_length_prefixed(body, &exts) ||
        CBS_len(body) != 0) {
        *out_alert = TH_ALERT_DECODE_ERROR;
        return 0;
    }
    if (!th_ext_parse_bytes_list(ids, 2, 1, &out->responder_ids, &out->num_responder_ids,
                                 out_alert)) {
        return 0;
    }
    out->request_extensions = th_bytes_of_cbs(&exts);
    return 1;
}

int th_write_ext_status_request_ch(CBB *out, const th_ext_status_request_ch *in) {
    if (!CBB_add_u8(out, in->status_type)) {
        return 0;
    }
    if (in->status_type != TH_CERT_STATUS_TYPE_OCSP) {
        return CBB_add_bytes(out, in->other_request.data, in->other_request.len);
    }
    return th_ext_write_bytes_list(out, 2, 2, in->responder_ids, in->num_responder_ids) &&
           th_ext_add_prefixed_bytes(out, 2, in->request_extensions);
}
