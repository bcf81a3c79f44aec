#include "server_hello.h"

#include <string.h>

/* RFC 8446 §4.1.3. */
const uint8_t th_hrr_random[TH_RANDOM_LEN] = {
    0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
    0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c,
};

/* RFC 8446 §4.1.3: "44 4F 57 4E 47 52 44 01" (TLS 1.2) and "... 00" (TLS 1.1
 * or below), "DOWNGRD" followed by one byte. */
#define SENTINEL_LEN 8
static const uint8_t kDowngradeTLS12[SENTINEL_LEN] = {0x44, 0x4f, 0x57, 0x4e,
                                                      0x47, 0x52, 0x44, 0x01};
static const uint8_t kDowngradeTLS11[SENTINEL_LEN] = {0x44, 0x4f, 0x57, 0x4e,
                                                      0x47, 0x52, 0x44, 0x00};

void th_server_hello_cleanup(th_server_hello *sh) {
    if (sh == NULL) {
        return;
    }
    th_ext_block_cleanup(&sh->extensions);
    memset(sh, 0, sizeof(*sh));
}

int th_server_hello_is_hrr(const th_server_hello *sh) {
    return memcmp(sh->random, th_hrr_random, TH_RANDOM_LEN) == 0;
}

th_ext_ctx th_server_hello_ext_ctx(const th_server_hello *sh) {
    /* RFC 8446 §4.1.3: "Upon receiving a message with type server_hello,
     * implementations MUST first examine the Random value". */
    if (th_server_hello_is_hrr(sh)) {
        return TH_EXT_CTX_HRR;
    }
    if (th_ext_block_find(&sh->extensions, TH_EXT_SUPPORTED_VERSIONS) != NULL) {
        return TH_EXT_CTX_SH;
    }
    return TH_EXT_CTX_SH12;
}

th_downgrade th_server_hello_downgrade_sentinel(const th_server_hello *sh) {
    const uint8_t *tail = sh->random + TH_RANDOM_LEN - SENTINEL_LEN;
    if (memcmp(tail, kDowngradeTLS12, SENTINEL_LEN) == 0) {
        return TH_DOWNGRADE_TLS12;
    }
    if (memcmp(tail, kDowngradeTLS11, SENTINEL_LEN) == 0) {
        return TH_DOWNGRADE_TLS11;
    }
    return TH_DOWNGRADE_NONE;
}

const uint8_t *th_downgrade_sentinel_bytes(th_downgrade which) {
    switch (which) {
    case TH_DOWNGRADE_TLS12:
        return kDowngradeTLS12;
    case TH_DOWNGRADE_TLS11:
        return kDowngradeTLS11;
    default:
        return NULL;
    }
}

int th_parse_server_hello(CBS *in, th_server_hello *out, uint8_t *out_alert) {
    CBS session_id, list;
    th_ext_ctx ctx;
    memset(out, 0, sizeof(*out));
    if (!CBS_get_u16(in, &out->legacy_version) || !CBS_copy_bytes(in, out->random, TH_RANDOM_LEN) ||
        !CBS_get_u8_length_prefixed(in, &session_id) || !CBS_get_u16(in, &out->cipher_suite) ||
        !CBS_get_u8(in, &out->legacy_compression_method)) {
        *out_alert = TH_ALERT_DECODE_ERROR;
        goto err;
    }
    /* RFC 8446 §4.1.3: opaque legacy_session_id_echo<0..32>. */
    if (CBS_len(&session_id) > TH_SESSION_ID_MAX_LEN) {
        *out_alert = TH_ALERT_DECODE_ERROR;
        goto err;
    }
    out->legacy_session_id_echo = th_bytes_of_cbs(&session_id);
    /* RFC 5246 §7.4.1.3 allows a TLS 1.2 ServerHello to end here, without an
     * extensions block. */
    if (CBS_len(in) != 0) {
        out->has_extensions = 1;
        if (!CBS_get_u16_length_prefixed(in, &list) || CBS_len(in) != 0) {
            *out_alert = TH_ALERT_DECODE_ERROR;
            goto err;
        }
        /* The context depends on the extensions themselves (supported_versions
         * makes it a TLS 1.3 ServerHello), so split first, then check. */
        if (!th_parse_ext_list(&list, &out->extensions, out_alert)) {
            goto err;
        }
    }
    ctx = th_server_hello_ext_ctx(out);
    if (!th_check_ext_block(&out->extensions, ctx, out_alert)) {
        goto err;
    }
    /* RFC 8446 §4.1.3: "legacy_compression_method: A single byte which MUST
     * have the value 0." No alert is named; a wrong value is illegal_parameter
     * (§6). In TLS 1.2 the engine checks the method was offered. */
    if (ctx != TH_EXT_CTX_SH12 && out->legacy_compression_method != 0) {
        *out_alert = TH_ALERT_ILLEGAL_PARAMETER;
        goto err;
    }
    /* RFC 8446 §4.1.4: "The server's extensions MUST contain
     * "supported_versions"." No alert is named; §6.2 defines
     * missing_extension for a message lacking an extension mandatory for the
     * offered version. */
    if (ctx == TH_EXT_CTX_HRR &&
        th_ext_block_find(&out->extensions, TH_EXT_SUPPORTED_VERSIONS) == NULL) {
        *out_alert = TH_ALERT_MISSING_EXTENSION;
        goto err;
    }
    return 1;

err:
    th_server_hello_cleanup(out);
    return 0;
}

int th_write_server_hello(CBB *out, const th_server_hello *in) {
    CBB session_id;
    if (!in->has_extensions && in->extensions.num_exts != 0) {
        return 0;
    }
    if (!CBB_add_u16(out, in->legacy_version) || !CBB_add_bytes(out, in->random, TH_RANDOM_LEN) ||
        !CBB_add_u8_length_prefixed(out, &session_id) ||
        !CBB_add_bytes(&session_id, in->legacy_session_id_echo.data,
                       in->legacy_session_id_echo.len) ||
        !CBB_add_u16(out, in->cipher_suite) || !CBB_add_u8(out, in->legacy_compression_method)) {
        return 0;
    }
    if (in->has_extensions && !th_write_ext_block(out, &in->extensions)) {
        return 0;
    }
    return CBB_flush(out);
}
