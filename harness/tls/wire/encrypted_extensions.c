#include "encrypted_extensions.h"

#include <string.h>

void th_encrypted_extensions_cleanup(th_encrypted_extensions *ee) {
    if (ee == NULL) {
        return;
    }
    th_ext_block_cleanup(&ee->extensions);
}

int th_parse_encrypted_extensions(CBS *in, th_encrypted_extensions *out, uint8_t *out_alert) {
    memset(out, 0, sizeof(*out));
    /* RFC 8446 §4.3.1: struct { Extension extensions<0..2^16-1>; }. */
    if (!th_parse_ext_block(in, TH_EXT_CTX_EE, &out->extensions, out_alert)) {
        return 0;
    }
    if (CBS_len(in) != 0) {
        *out_alert = TH_ALERT_DECODE_ERROR;
        th_encrypted_extensions_cleanup(out);
        return 0;
    }
    return 1;
}

int th_write_encrypted_extensions(CBB *out, const th_encrypted_extensions *in) {
    return th_write_ext_block(out, &in->extensions) && CBB_flush(out);
}
