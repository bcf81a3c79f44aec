#include "certificate.h"

#include <stdlib.h>
#include <string.h>

void th_certificate_cleanup(th_certificate *cert) {
    if (cert == NULL) {
        return;
    }
    for (size_t i = 0; i < cert->num_entries; i++) {
        th_ext_block_cleanup(&cert->entries[i].extensions);
    }
    free(cert->entries);
    memset(cert, 0, sizeof(*cert));
}

int th_certificate_add_entry(th_certificate *cert, th_bytes cert_data) {
    th_certificate_entry *grown =
        th_array_grow(cert->entries, cert->num_entries, sizeof(th_certificate_entry));
    if (grown == NULL) {
        return 0;
    }
    cert->entries = grown;
    memset(&cert->entries[cert->num_entries], 0, sizeof(th_certificate_entry));
    cert->entries[cert->num_entries].cert_data = cert_data;
    cert->num_entries++;
    return 1;
}

int th_parse_certificate(CBS *in, th_certificate *out, uint8_t *out_alert) {
    CBS context, list;
    memset(out, 0, sizeof(*out));
    /* RFC 8446 §4.4.2: opaque certificate_request_context<0..2^8-1>;
     * CertificateEntry certificate_list<0..2^24-1>. Whether the context must
     * be empty or echo the CertificateRequest is the engine's to check. */
    if (!CBS_get_u8_length_prefixed(in, &context) || !CBS_get_u24_length_prefixed(in, &list) ||
        CBS_len(in) != 0) {
        *out_alert = TH_ALERT_DECODE_ERROR;
        goto err;
    }
    out->certificate_request_context = th_bytes_of_cbs(&context);
    while (CBS_len(&list) != 0) {
        CBS cert_data;
        th_ext_block exts;
        /* RFC 8446 §4.4.2: opaque cert_data<1..2^24-1>; an empty one is an
         * out-of-range length (§6: decode_error). */
        if (!CBS_get_u24_length_prefixed(&list, &cert_data) || CBS_len(&cert_data) == 0) {
            *out_alert = TH_ALERT_DECODE_ERROR;
            goto err;
        }
        if (!th_parse_ext_block(&list, TH_EXT_CTX_CT, &exts, out_alert)) {
            goto err;
        }
        if (!th_certificate_add_entry(out, th_bytes_of_cbs(&cert_data))) {
            th_ext_block_cleanup(&exts);
            *out_alert = TH_ALERT_INTERNAL_ERROR;
            goto err;
        }
        out->entries[out->num_entries - 1].extensions = exts;
    }
    return 1;

err:
    th_certificate_cleanup(out);
    return 0;
}

int th_write_certificate(CBB *out, const th_certificate *in) {
    CBB context, list, cert_data;
    if (!CBB_add_u8_length_prefixed(out, &context) ||
        !CBB_add_bytes(&context, in->certificate_request_context.data,
                       in->certificate_request_context.len) ||
        !CBB_add_u24_length_prefixed(out, &list)) {
        return 0;
    }
    for (size_t i = 0; i < in->num_entries; i++) {
        const th_certificate_entry *entry = &in->entries[i];
        if (!CBB_add_u24_length_prefixed(&list, &cert_data) ||
            !CBB_add_bytes(&cert_data, entry->cert_data.data, entry->cert_data.len) ||
            !th_write_ext_block(&list, &entry->extensions)) {
            return 0;
        }
    }
    return CBB_flush(out);
}
