#include "certificate_request.h"

#include <string.h>

void th_certificate_request_cleanup(th_certificate_request *cr) {
    if (cr == NULL) {
        return;
    }
    th_ext_block_cleanup(&cr->extensions);
    memset(cr, 0, sizeof(*cr));
}

int th_parse_certificate_request(CBS *in, th_certificate_request *out, uint8_t *out_alert) {
    CBS context, peek;
    uint16_t exts_len;
    memset(out, 0, sizeof(*out));
    /* RFC 8446 §4.3.2: opaque certificate_request_context<0..2^8-1>;
     * Extension extensions<2..2^16-1>. Whether the context is empty (SHALL,
     * during the handshake) is the engine's to check. */
    if (!CBS_get_u8_length_prefixed(in, &context)) {
        *out_alert = TH_ALERT_DECODE_ERROR;
        goto err;
    }
    out->certificate_request_context = th_bytes_of_cbs(&context);
    /* An empty block is below the <2..> floor: a length error (§6:
     * decode_error), checked before the block's contents. */
    peek = *in;
    if (!CBS_get_u16(&peek, &exts_len) || exts_len == 0) {
        *out_alert = TH_ALERT_DECODE_ERROR;
        goto err;
    }
    if (!th_parse_ext_block(in, TH_EXT_CTX_CR, &out->extensions, out_alert)) {
        goto err;
    }
    if (CBS_len(in) != 0) {
        *out_alert = TH_ALERT_DECODE_ERROR;
        goto err;
    }
    /* RFC 8446 §4.3.2: "The "signature_algorithms" extension MUST be
     * specified". No alert is named; §6.2 defines missing_extension for a
     * message lacking a mandatory extension. */
    if (th_ext_block_find(&out->extensions, TH_EXT_SIGNATURE_ALGORITHMS) == NULL) {
        *out_alert = TH_ALERT_MISSING_EXTENSION;
        goto err;
    }
    return 1;

err:
    th_certificate_request_cleanup(out);
    return 0;
}

int th_write_certificate_request(CBB *out, const th_certificate_request *in) {
    CBB context;
    return CBB_add_u8_length_prefixed(out, &context) &&
           CBB_add_bytes(&context, in->certificate_request_context.data,
                         in->certificate_request_context.len) &&
           th_write_ext_block(out, &in->extensions) && CBB_flush(out);
}
