#include "client_hello.h"

#include "ext_types.h"

#include <stdlib.h>
#include <string.h>

void th_client_hello_cleanup(th_client_hello *ch) {
    if (ch == NULL) {
        return;
    }
    free(ch->cipher_suites);
    th_ext_block_cleanup(&ch->extensions);
    memset(ch, 0, sizeof(*ch));
}

int th_client_hello_add_cipher_suite(th_client_hello *ch, uint16_t suite) {
    uint16_t *grown = th_array_grow(ch->cipher_suites, ch->num_cipher_suites, sizeof(uint16_t));
    if (grown == NULL) {
        return 0;
    }
    ch->cipher_suites = grown;
    ch->cipher_suites[ch->num_cipher_suites++] = suite;
    return 1;
}

/* Reads the fields before the extensions block, which every ClientHello has. */
static int parse_fixed_fields(CBS *in, th_client_hello *out, uint8_t *out_alert) {
    CBS session_id, compression;
    if (!CBS_get_u16(in, &out->legacy_version) || !CBS_copy_bytes(in, out->random, TH_RANDOM_LEN) ||
        !CBS_get_u8_length_prefixed(in, &session_id)) {
        *out_alert = TH_ALERT_DECODE_ERROR;
        return 0;
    }
    /* RFC 8446 §4.1.2: opaque legacy_session_id<0..32>; a longer one is an
     * out-of-range length (§6: decode_error). */
    if (CBS_len(&session_id) > TH_SESSION_ID_MAX_LEN) {
        *out_alert = TH_ALERT_DECODE_ERROR;
        return 0;
    }
    /* RFC 8446 §4.1.2: CipherSuite cipher_suites<2..2^16-2>, two bytes each:
     * the u16 list reader refuses an empty or odd list with decode_error. */
    if (!th_parse_u16_list(in, 2, &out->cipher_suites, &out->num_cipher_suites, out_alert)) {
        return 0;
    }
    if (!CBS_get_u8_length_prefixed(in, &compression)) {
        *out_alert = TH_ALERT_DECODE_ERROR;
        return 0;
    }
    /* RFC 8446 §4.1.2: opaque legacy_compression_methods<1..2^8-1>. */
    if (CBS_len(&compression) == 0) {
        *out_alert = TH_ALERT_DECODE_ERROR;
        return 0;
    }
    /* RFC 5246 §7.4.1.2: "This vector MUST contain, and all implementations
     * MUST support, CompressionMethod.null." This holds for every version. No
     * alert is named; BoringSSL sends illegal_parameter, as we do. */
    if (memchr(CBS_data(&compression), 0, CBS_len(&compression)) == NULL) {
        *out_alert = TH_ALERT_ILLEGAL_PARAMETER;
        return 0;
    }
    out->legacy_session_id = th_bytes_of_cbs(&session_id);
    out->legacy_compression_methods = th_bytes_of_cbs(&compression);
    return 1;
}

int th_parse_client_hello(CBS *in, th_client_hello *out, uint8_t *out_alert) {
    memset(out, 0, sizeof(*out));
    if (!parse_fixed_fields(in, out, out_alert)) {
        goto err;
    }
    /* RFC 5246 §7.4.1.2: "the presence of extensions can be detected by
     * determining whether there are bytes following the compression_methods
     * at the end of the ClientHello." */
    if (CBS_len(in) != 0) {
        out->has_extensions = 1;
        if (!th_parse_ext_block(in, TH_EXT_CTX_CH, &out->extensions, out_alert)) {
            goto err;
        }
        if (CBS_len(in) != 0) {
            *out_alert = TH_ALERT_DECODE_ERROR;
            goto err;
        }
    }
    return 1;

err:
    th_client_hello_cleanup(out);
    return 0;
}

int th_write_client_hello(CBB *out, const th_client_hello *in) {
    CBB session_id, compression;
    if (!in->has_extensions && in->extensions.num_exts != 0) {
        return 0;
    }
    if (!CBB_add_u16(out, in->legacy_version) || !CBB_add_bytes(out, in->random, TH_RANDOM_LEN) ||
        !CBB_add_u8_length_prefixed(out, &session_id) ||
        !CBB_add_bytes(&session_id, in->legacy_session_id.data, in->legacy_session_id.len) ||
        !th_write_u16_list(out, 2, in->cipher_suites, in->num_cipher_suites) ||
        !CBB_add_u8_length_prefixed(out, &compression) ||
        !CBB_add_bytes(&compression, in->legacy_compression_methods.data,
                       in->legacy_compression_methods.len) ||
        !CBB_flush(out)) {
        return 0;
    }
    if (in->has_extensions && !th_write_ext_block(out, &in->extensions)) {
        return 0;
    }
    return CBB_flush(out);
}

int th_client_hello_offers_tls13(const th_client_hello *ch) {
    const th_ext *ext = th_ext_block_find(&ch->extensions, TH_EXT_SUPPORTED_VERSIONS);
    CBS body, versions;
    if (ext == NULL) {
        return 0;
    }
    /* RFC 8446 §4.2.1: ProtocolVersion versions<2..254> in a ClientHello. */
    CBS_init(&body, ext->body.data, ext->body.len);
    if (!CBS_get_u8_length_prefixed(&body, &versions) || CBS_len(&body) != 0) {
        return 0;
    }
    while (CBS_len(&versions) != 0) {
        uint16_t version;
        if (!CBS_get_u16(&versions, &version)) {
            return 0;
        }
        if (version == TH_VERSION_TLS13) {
            return 1;
        }
    }
    return 0;
}

static int has_ext(const th_client_hello *ch, uint16_t type) {
    return th_ext_block_find(&ch->extensions, type) != NULL;
}

int th_client_hello_check_tls13(const th_client_hello *ch, uint8_t *out_alert) {
    /* RFC 8446 §4.1.2: "For every TLS 1.3 ClientHello, this vector MUST
     * contain exactly one byte, set to zero [...] If a TLS 1.3 ClientHello is
     * received with any other value in this field, the server MUST abort the
     * handshake with an "illegal_parameter" alert." */
    if (ch->legacy_compression_methods.len != 1 || ch->legacy_compression_methods.data[0] != 0) {
        *out_alert = TH_ALERT_ILLEGAL_PARAMETER;
        return 0;
    }
    int has_psk = has_ext(ch, TH_EXT_PRE_SHARED_KEY);
    int has_groups = has_ext(ch, TH_EXT_SUPPORTED_GROUPS);
    /* RFC 8446 §9.2: "If not containing a "pre_shared_key" extension, it MUST
     * contain both a "signature_algorithms" extension and a "supported_groups"
     * extension. [...] Servers receiving a ClientHello which does not conform
     * to these requirements MUST abort the handshake with a
     * "missing_extension" alert." */
    if (!has_psk && (!has_ext(ch, TH_EXT_SIGNATURE_ALGORITHMS) || !has_groups)) {
        *out_alert = TH_ALERT_MISSING_EXTENSION;
        return 0;
    }
    /* RFC 8446 §9.2: "If containing a "supported_groups" extension, it MUST
     * also contain a "key_share" extension, and vice versa." */
    if (has_groups != has_ext(ch, TH_EXT_KEY_SHARE)) {
        *out_alert = TH_ALERT_MISSING_EXTENSION;
        return 0;
    }
    /* RFC 8446 §4.2.9: "If clients offer "pre_shared_key" without a
     * "psk_key_exchange_modes" extension, servers MUST abort the handshake."
     * No alert is named; §6.2 defines missing_extension for exactly this.
     * (BoringSSL instead ignores the PSK and does a full handshake.) */
    if (has_psk && !has_ext(ch, TH_EXT_PSK_KEY_EXCHANGE_MODES)) {
        *out_alert = TH_ALERT_MISSING_EXTENSION;
        return 0;
    }
    return 1;
}

int th_client_hello_truncated_len(const uint8_t *msg, size_t msg_len, size_t *out_len) {
    CBS in, body;
    th_client_hello ch;
    th_ext_pre_shared_key_ch psk;
    uint8_t type, alert;
    int ok = 0;
    memset(&ch, 0, sizeof(ch));
    memset(&psk, 0, sizeof(psk));
    CBS_init(&in, msg, msg_len);
    if (!CBS_get_u8(&in, &type) || type != TH_HS_CLIENT_HELLO ||
        !CBS_get_u24_length_prefixed(&in, &body) || CBS_len(&in) != 0 ||
        !th_parse_client_hello(&body, &ch, &alert) || ch.extensions.num_exts == 0) {
        goto err;
    }
    /* The parser has checked pre_shared_key is the last extension (RFC 8446
     * §4.2.11), so its binders list ends the message. */
    const th_ext *last = &ch.extensions.exts[ch.extensions.num_exts - 1];
    CBS psk_body;
    CBS_init(&psk_body, last->body.data, last->body.len);
    if (last->type != TH_EXT_PRE_SHARED_KEY ||
        !th_parse_ext_pre_shared_key_ch(&psk_body, &psk, &alert)) {
        goto err;
    }
    *out_len = (size_t)(last->body.data - msg) + psk.binders_offset;
    ok = 1;

err:
    th_ext_pre_shared_key_ch_cleanup(&psk);
    th_client_hello_cleanup(&ch);
    return ok;
}
