#include "certificate_request_tls12.h"

#include "ext_internal.h"
#include "ext_types.h"

#include <stdlib.h>
#include <string.h>

void th_certificate_request_tls12_cleanup(th_certificate_request_tls12 *cr) {
    if (cr == NULL) {
        return;
    }
    free(cr->sig_algs);
    free(cr->cas);
    memset(cr, 0, sizeof(*cr));
}

int th_certificate_request_tls12_add_sig_alg(th_certificate_request_tls12 *cr, uint16_t sig_alg) {
    uint16_t *grown = th_array_grow(cr->sig_algs, cr->num_sig_algs, sizeof(*grown));
    if (grown == NULL) {
        return 0;
    }
    cr->sig_algs = grown;
    cr->sig_algs[cr->num_sig_algs++] = sig_alg;
    return 1;
}

int th_certificate_request_tls12_add_ca(th_certificate_request_tls12 *cr, th_bytes dn) {
    th_bytes *grown = th_array_grow(cr->cas, cr->num_cas, sizeof(*grown));
    if (grown == NULL) {
        return 0;
    }
    cr->cas = grown;
    cr->cas[cr->num_cas++] = dn;
    return 1;
}

static int parse_sig_algs(CBS *in, th_certificate_request_tls12 *out, uint8_t *out_alert) {
    /* RFC 5246 §7.4.1.4.1: "SignatureAndHashAlgorithm
     * supported_signature_algorithms<2..2^16-2>;" (§7.4.4 repeats the field
     * as "<2^16-1>" without the bounds). Empty or odd is out of range:
     * decode_error (RFC 5246 §7.2.2), as BoringSSL sends. */
    return th_parse_u16_list(in, 2, &out->sig_algs, &out->num_sig_algs, out_alert);
}

static int parse_cas(CBS *in, th_certificate_request_tls12 *out, uint8_t *out_alert) {
    CBS list;
    /* RFC 5246 §7.4.4: "DistinguishedName certificate_authorities<0..2^16-1>;"
     * of "opaque DistinguishedName<1..2^16-1>;" */
    if (!CBS_get_u16_length_prefixed(in, &list)) {
        *out_alert = TH_ALERT_DECODE_ERROR;
        return 0;
    }
    return th_ext_parse_bytes_list(list, 2, 1, &out->cas, &out->num_cas, out_alert);
}

/* Both forms: certificate_types, supported_signature_algorithms (TLS 1.2
 * only), certificate_authorities. */
static int parse_certificate_request(CBS *in, int has_sig_algs, th_certificate_request_tls12 *out,
                                     uint8_t *out_alert) {
    CBS types;
    memset(out, 0, sizeof(*out));
    out->has_sig_algs = has_sig_algs;
    /* RFC 5246 §7.4.4: "ClientCertificateType certificate_types<1..2^8-1>;"
     * Unknown types are kept: the client picks among those it knows. */
    if (!CBS_get_u8_length_prefixed(in, &types) || CBS_len(&types) == 0) {
        *out_alert = TH_ALERT_DECODE_ERROR;
        goto err;
    }
    out->certificate_types = th_bytes_of_cbs(&types);
    if (has_sig_algs && !parse_sig_algs(in, out, out_alert)) {
        goto err;
    }
    if (!parse_cas(in, out, out_alert)) {
        goto err;
    }
    /* RFC 5246 §7.4.1.2: a message that does not precisely match its format is
     * a decode_error. */
    if (CBS_len(in) != 0) {
        *out_alert = TH_ALERT_DECODE_ERROR;
        goto err;
    }
    return 1;

err:
    th_certificate_request_tls12_cleanup(out);
    return 0;
}

int th_parse_certificate_request_tls12(CBS *in, th_certificate_request_tls12 *out,
                                       uint8_t *out_alert) {
    return parse_certificate_request(in, 1, out, out_alert);
}

int th_parse_certificate_request_tls10(CBS *in, th_certificate_request_tls12 *out,
                                       uint8_t *out_alert) {
    return parse_certificate_request(in, 0, out, out_alert);
}

int th_write_certificate_request_tls12(CBB *out, const th_certificate_request_tls12 *in) {
    CBB types;
    if (!CBB_add_u8_length_prefixed(out, &types) ||
        !CBB_add_bytes(&types, in->certificate_types.data, in->certificate_types.len)) {
        return 0;
    }
    if (in->has_sig_algs && !th_write_u16_list(out, 2, in->sig_algs, in->num_sig_algs)) {
        return 0;
    }
    return th_ext_write_bytes_list(out, 2, 2, in->cas, in->num_cas) && CBB_flush(out);
}
