#include "certificate_tls12.h"

#include <stdlib.h>
#include <string.h>

void th_certificate_tls12_cleanup(th_certificate_tls12 *msg) {
    if (msg == NULL) {
        return;
    }
    free(msg->certs);
    msg->certs = NULL;
    msg->num_certs = 0;
}

int th_certificate_tls12_add(th_certificate_tls12 *msg, th_bytes cert) {
    th_bytes *grown = th_array_grow(msg->certs, msg->num_certs, sizeof(*grown));
    if (grown == NULL) {
        return 0;
    }
    msg->certs = grown;
    msg->certs[msg->num_certs++] = cert;
    return 1;
}

int th_parse_certificate_tls12(CBS *in, th_certificate_tls12 *out, uint8_t *out_alert) {
    CBS list;
    memset(out, 0, sizeof(*out));
    /* RFC 5246 §7.4.2: "ASN.1Cert certificate_list<0..2^24-1>;" */
    if (!CBS_get_u24_length_prefixed(in, &list) || CBS_len(in) != 0) {
        *out_alert = TH_ALERT_DECODE_ERROR;
        goto err;
    }
    while (CBS_len(&list) != 0) {
        CBS cert;
        /* RFC 5246 §7.4.2: "opaque ASN.1Cert<1..2^24-1>;" An empty one is out
         * of range: decode_error (RFC 5246 §7.2.2), as BoringSSL sends. */
        if (!CBS_get_u24_length_prefixed(&list, &cert) || CBS_len(&cert) == 0) {
            *out_alert = TH_ALERT_DECODE_ERROR;
            goto err;
        }
        if (!th_certificate_tls12_add(out, th_bytes_of_cbs(&cert))) {
            *out_alert = TH_ALERT_INTERNAL_ERROR;
            goto err;
        }
    }
    return 1;

err:
    th_certificate_tls12_cleanup(out);
    return 0;
}

int th_write_certificate_tls12(CBB *out, const th_certificate_tls12 *in) {
    CBB list, cert;
    if (!CBB_add_u24_length_prefixed(out, &list)) {
        return 0;
    }
    for (size_t i = 0; i < in->num_certs; i++) {
        if (!CBB_add_u24_length_prefixed(&list, &cert) ||
            !CBB_add_bytes(&cert, in->certs[i].data, in->certs[i].len)) {
            return 0;
        }
    }
    return CBB_flush(out);
}
