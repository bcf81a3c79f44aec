#include "extensions.h"
#include "ext_internal.h"

#include <stdlib.h>
#include <string.h>

/* RFC 8446 §4.2: "The table below indicates the messages where a given
 * extension may appear". The ClientHello column holds every extension since
 * one ClientHello offers both versions. SH12 follows RFC 5246 and the RFCs that
 * define each TLS 1.2 extension (supported_groups is tolerated there because
 * deployed servers echo it, as BoringSSL does). */
static const struct {
    uint16_t type;
    uint16_t allowed;
} kExtTable[] = {
    {TH_EXT_SERVER_NAME, CH | EE | SH12},
    {TH_EXT_MAX_FRAGMENT_LENGTH, CH | EE | SH12},
    {TH_EXT_STATUS_REQUEST, CH | CR | CT | SH12},
    {TH_EXT_SUPPORTED_GROUPS, CH | EE | SH12},
    {TH_EXT_EC_POINT_FORMATS, CH | SH12},
    {TH_EXT_SIGNATURE_ALGORITHMS, CH | CR},
    {TH_EXT_USE_SRTP, CH | EE | SH12},
    {TH_EXT_HEARTBEAT, CH | EE | SH12},
    {TH_EXT_ALPN, CH | EE | SH12},
    {TH_EXT_SIGNED_CERTIFICATE_TIMESTAMP, CH | CR | CT | SH12},
    {TH_EXT_CLIENT_CERTIFICATE_TYPE, CH | EE | SH12},
    {TH_EXT_SERVER_CERTIFICATE_TYPE, CH | EE | SH12},
    {TH_EXT_PADDING, CH},
    {TH_EXT_ENCRYPT_THEN_MAC, CH | SH12},
    {TH_EXT_EXTENDED_MASTER_SECRET, CH | SH12},
    {TH_EXT_COMPRESS_CERTIFICATE, CH | CR},     /* RFC 8879 §3 */
    {TH_EXT_RECORD_SIZE_LIMIT, CH | EE | SH12}, /* RFC 8449 §4 */
    {TH_EXT_SESSION_TICKET, CH | SH12},         /* RFC 5077 */
    {TH_EXT_PRE_SHARED_KEY, CH | SH},
    {TH_EXT_EARLY_DATA, CH | EE | NST},
    {TH_EXT_SUPPORTED_VERSIONS, CH | SH | HRR},
    {TH_EXT_COOKIE, CH | HRR},
    {TH_EXT_PSK_KEY_EXCHANGE_MODES, CH},
    {TH_EXT_CERTIFICATE_AUTHORITIES, CH | CR},
    {TH_EXT_OID_FILTERS, CR},
    {TH_EXT_POST_HANDSHAKE_AUTH, CH},
    {TH_EXT_SIGNATURE_ALGORITHMS_CERT, CH | CR},
    {TH_EXT_KEY_SHARE, CH | SH | HRR},
    {TH_EXT_QUIC_TRANSPORT_PARAMETERS, CH | EE}, /* RFC 9001 §8.2 */
    {TH_EXT_ENCRYPTED_CLIENT_HELLO, CH | EE | HRR},
    {TH_EXT_RENEGOTIATION_INFO, CH | SH12}, /* RFC 5746 */
};

static const char *const kCtxNames[TH_EXT_CTX_COUNT] = {
    "ClientHello", "ServerHello",        "HelloRetryRequest", "EncryptedExtensions",
    "Certificate", "CertificateRequest", "NewSessionTicket",  "ServerHello (TLS 1.2)",
};

const char *th_ext_ctx_name(th_ext_ctx ctx) {
    return ctx < TH_EXT_CTX_COUNT ? kCtxNames[ctx] : "?";
}

static int table_index(uint16_t type) {
    for (size_t i = 0; i < sizeof(kExtTable) / sizeof(kExtTable[0]); i++) {
        if (kExtTable[i].type == type) {
            return (int)i;
        }
    }
    return -1;
}

int th_ext_is_known(uint16_t type) {
    return table_index(type) >= 0;
}

int th_ext_allowed_in(uint16_t type, th_ext_ctx ctx) {
    int i = table_index(type);
    return i < 0 || (kExtTable[i].allowed & (1u << ctx)) != 0;
}

void th_ext_block_cleanup(th_ext_block *block) {
    if (block == NULL) {
        return;
    }
    free(block->exts);
    block->exts = NULL;
    block->num_exts = 0;
}

int th_ext_block_add(th_ext_block *block, uint16_t type, th_bytes body) {
    th_ext *grown = th_array_grow(block->exts, block->num_exts, sizeof(th_ext));
    if (grown == NULL) {
        return 0;
    }
    block->exts = grown;
    block->exts[block->num_exts].type = type;
    block->exts[block->num_exts].body = body;
    block->num_exts++;
    return 1;
}

const th_ext *th_ext_block_find(const th_ext_block *block, uint16_t type) {
    for (size_t i = 0; i < block->num_exts; i++) {
        if (block->exts[i].type == type) {
            return &block->exts[i];
        }
    }
    return NULL;
}

int th_parse_ext_list(CBS *in, th_ext_block *out, uint8_t *out_alert) {
    memset(out, 0, sizeof(*out));
    while (CBS_len(in) != 0) {
        uint16_t type;
        CBS body;
        if (!CBS_get_u16(in, &type) || !CBS_get_u16_length_prefixed(in, &body)) {
            *out_alert = TH_ALERT_DECODE_ERROR;
            goto err;
        }
        if (!th_ext_block_add(out, type, th_bytes_of_cbs(&body))) {
            *out_alert = TH_ALERT_INTERNAL_ERROR;
            goto err;
        }
    }
    return 1;

err:
    th_ext_block_cleanup(out);
    return 0;
}

/* RFC 8446 §4.2: "There MUST NOT be more than one extension of the same type
 * in a given extension block." No alert is named; we send BoringSSL's: it
 * checks ClientHello, the TLS 1.2 ServerHello and EncryptedExtensions with
 * tls1_check_duplicate_extensions (decode_error) and the TLS 1.3 ServerHello,
 * HelloRetryRequest, Certificate entry, CertificateRequest and
 * NewSessionTicket with ssl_parse_extensions (illegal_parameter). */
static uint8_t duplicate_alert(th_ext_ctx ctx) {
    return (ctx == TH_EXT_CTX_CH || ctx == TH_EXT_CTX_SH12 || ctx == TH_EXT_CTX_EE)
               ? TH_ALERT_DECODE_ERROR
               : TH_ALERT_ILLEGAL_PARAMETER;
}

int th_check_ext_block_at(const th_ext_block *block, th_ext_ctx ctx, uint8_t *out_alert,
                          size_t *out_index) {
    th_u16_set seen;
    memset(&seen, 0, sizeof(seen));
    for (size_t i = 0; i < block->num_exts; i++) {
        const th_ext *ext = &block->exts[i];
        *out_index = i;
        if (!th_u16_set_add(&seen, ext->type)) {
            *out_alert = duplicate_alert(ctx);
            return 0;
        }
        /* RFC 8446 §4.2: "If an implementation receives an extension which it
         * recognizes and which is not specified for the message in which it
         * appears, it MUST abort the handshake with an "illegal_parameter"
         * alert." */
        if (!th_ext_allowed_in(ext->type, ctx)) {
            *out_alert = TH_ALERT_ILLEGAL_PARAMETER;
            return 0;
        }
        /* RFC 8446 §4.2.11: "Servers MUST check that it is the last extension
         * and otherwise fail the handshake with an "illegal_parameter" alert." */
        if (ctx == TH_EXT_CTX_CH && ext->type == TH_EXT_PRE_SHARED_KEY &&
            i + 1 != block->num_exts) {
            *out_alert = TH_ALERT_ILLEGAL_PARAMETER;
            return 0;
        }
    }
    /* Bodies are checked after the structural rules, so a malformed body never
     * hides a duplicate or misplaced extension. */
    for (size_t i = 0; i < block->num_exts; i++) {
        CBS body;
        *out_index = i;
        CBS_init(&body, block->exts[i].body.data, block->exts[i].body.len);
        if (!th_ext_check_body(block->exts[i].type, ctx, body, out_alert)) {
            return 0;
        }
    }
    return 1;
}

int th_check_ext_block(const th_ext_block *block, th_ext_ctx ctx, uint8_t *out_alert) {
    size_t index;
    return th_check_ext_block_at(block, ctx, out_alert, &index);
}

int th_parse_ext_block(CBS *in, th_ext_ctx ctx, th_ext_block *out, uint8_t *out_alert) {
    CBS list;
    memset(out, 0, sizeof(*out));
    if (!CBS_get_u16_length_prefixed(in, &list)) {
        *out_alert = TH_ALERT_DECODE_ERROR;
        return 0;
    }
    if (!th_parse_ext_list(&list, out, out_alert)) {
        return 0;
    }
    if (!th_check_ext_block(out, ctx, out_alert)) {
        th_ext_block_cleanup(out);
        return 0;
    }
    return 1;
}

int th_write_ext_block(CBB *out, const th_ext_block *in) {
    CBB list, body;
    if (!CBB_add_u16_length_prefixed(out, &list)) {
        return 0;
    }
    for (size_t i = 0; i < in->num_exts; i++) {
        if (!CBB_add_u16(&list, in->exts[i].type) || !CBB_add_u16_length_prefixed(&list, &body) ||
            !CBB_add_bytes(&body, in->exts[i].body.data, in->exts[i].body.len)) {
            return 0;
        }
    }
    return CBB_flush(out);
}
