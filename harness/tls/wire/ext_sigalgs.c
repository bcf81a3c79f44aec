/* Authentication parameters: signature_algorithms and
 * signature_algorithms_cert (RFC 8446 §4.2.3, RFC 5246 §7.4.1.4.1) and
 * certificate_authorities (RFC 8446 §4.2.4). */
#include "ext_internal.h"

#include <stdlib.h>
#include <string.h>

void th_ext_signature_algorithms_cleanup(th_ext_signature_algorithms *sa) {
    if (sa == NULL) {
        return;
    }
    free(sa->sig_algs);
    memset(sa, 0, sizeof(*sa));
}

int th_parse_ext_signature_algorithms(CBS *body, th_ext_signature_algorithms *out,
                                      uint8_t *out_alert) {
    memset(out, 0, sizeof(*out));
    /* RFC 8446 §4.2.3: "SignatureScheme
     * supported_signature_algorithms<2..2^16-2>;" empty or odd is
     * decode_error (th_parse_u16_list); the upper bound is the largest even
     * length a u16 prefix holds. */
    if (!th_parse_u16_list(body, 2, &out->sig_algs, &out->num_sig_algs, out_alert)) {
        return 0;
    }
    if (CBS_len(body) != 0) {
        *out_alert = TH_ALERT_DECODE_ERROR;
        th_ext_signature_algorithms_cleanup(out);
        return 0;
    }
    return 1;
}

int th_write_ext_signature_algorithms(CBB *out, const th_ext_signature_algorithms *in) {
    return th_write_u16_list(out, 2, in->sig_algs, in->num_sig_algs);
}

/* RFC 8446 §4.2.3: "The "extension_data" field of these extensions contains a
 * SignatureSchemeList value", so the _cert form is the same codec. */
int th_parse_ext_signature_algorithms_cert(CBS *body, th_ext_signature_algorithms_cert *out,
                                           uint8_t *out_alert) {
    return th_parse_ext_signature_algorithms(body, out, out_alert);
}

int th_write_ext_signature_algorithms_cert(CBB *out, const th_ext_signature_algorithms_cert *in) {
    return th_write_ext_signature_algorithms(out, in);
}

void th_ext_signature_algorithms_cert_cleanup(th_ext_signature_algorithms_cert *sa) {
    th_ext_signature_algorithms_cleanup(sa);
}

void th_ext_certificate_authorities_cleanup(th_ext_certificate_authorities *ca) {
    if (ca == NULL) {
        return;
    }
    free(ca->authorities);
    memset(ca, 0, sizeof(*ca));
}

int th_parse_ext_certificate_authorities(CBS *body, th_ext_certificate_authorities *out,
                                         uint8_t *out_alert) {
    CBS list;
    memset(out, 0, sizeof(*out));
    /* RFC 8446 §4.2.4: "opaque DistinguishedName<1..2^16-1>;" and
     * "DistinguishedName authorities<3..2^16-1>;" at least one name of at
     * least one byte. The DER inside is the engine's to read. */
    if (!CBS_get_u16_length_prefixed(body, &list) || CBS_len(body) != 0 || CBS_len(&list) == 0) {
        *out_alert = TH_ALERT_DECODE_ERROR;
        return 0;
    }
    return th_ext_parse_bytes_list(list, 2, 1, &out->authorities, &out->num_authorities, out_alert);
}

int th_write_ext_certificate_authorities(CBB *out, const th_ext_certificate_authorities *in) {
    return th_ext_write_bytes_list(out, 2, 2, in->authorities, in->num_authorities);
}
