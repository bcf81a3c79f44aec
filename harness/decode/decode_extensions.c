/* The decoder's extension blocks: one walker per extension body form, keyed
 * by type and message context. Validity is the codec's: th_check_ext_block_at
 * judges the block (RFC 8446 §4.2's rules and every body) and names the
 * extension it refuses, which is where the error is reported. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decode_internal.h"
#include "names.h"

typedef void (*ext_walk_fn)(th_dctx *c, CBS *b, json_t *n, th_ext_ctx ctx);

#define U16_MAX_LIST 0xfffe /* largest even u16 length: <2..2^16-2> lists */

static int is_ch(th_ext_ctx ctx) {
    return ctx == TH_EXT_CTX_CH;
}

/* RFC 6066 §3: server_name_list in the ClientHello; empty elsewhere. */
static void w_server_name(th_dctx *c, CBS *b, json_t *n, th_ext_ctx ctx) {
    CBS list;
    json_t *ln;
    if (!is_ch(ctx) || !th_rd_vec(c, b, n, "server_name_list", 2, 1, 0xffff, &list, &ln)) {
        return;
    }
    while (CBS_len(&list) > 0) {
        const uint8_t *at = CBS_data(&list);
        json_t *g = th_dgroup(c, ln, "server_name", at);
        uint32_t type;
        int ok = th_rd_uint(c, &list, g, "name_type", 1, TH_NK_SNI_TYPE, &type) &&
                 th_rd_opaque(c, &list, g, type == 0 ? "host_name" : "name", 2, 1, 0xffff,
                              type == 0, NULL);
        th_dgroup_end(g, at, &list);
        if (!ok) {
            return;
        }
    }
}

static void w_u8(th_dctx *c, CBS *b, json_t *n, const char *field, th_nk kind) {
    (void)th_rd_uint(c, b, n, field, 1, kind, NULL);
}

static void w_max_fragment_length(th_dctx *c, CBS *b, json_t *n, th_ext_ctx ctx) {
    w_u8(c, b, n, "max_fragment_length", TH_NK_MAX_FRAGMENT);
}

/* RFC 6066 §8 (request, in ClientHello and TLS 1.3 CertificateRequest) and
 * RFC 8446 §4.4.2.1 (the response inside a Certificate entry). */
static void w_status_request(th_dctx *c, CBS *b, json_t *n, th_ext_ctx ctx) {
    uint32_t type;
    if (ctx == TH_EXT_CTX_CT) {
        if (th_rd_uint(c, b, n, "status_type", 1, TH_NK_STATUS_TYPE, NULL)) {
            (void)th_rd_opaque(c, b, n, "ocsp_response", 3, 1, 0xffffff, 0, NULL);
        }
        return;
    }
    if ((ctx != TH_EXT_CTX_CH && ctx != TH_EXT_CTX_CR) || CBS_len(b) == 0 ||
        !th_rd_uint(c, b, n, "status_type", 1, TH_NK_STATUS_TYPE, &type)) {
        return;
    }
    if (type != 1) {
        th_dnode_hex(th_dnode(c, n, "request", CBS_data(b), CBS_len(b)), CBS_data(b), CBS_len(b));
        CBS_skip(b, CBS_len(b));
        return;
    }
    CBS ids;
    json_t *ln;
    if (!th_rd_vec(c, b, n, "responder_id_list", 2, 0, 0xffff, &ids, &ln)) {
        return;
    }
    while (CBS_len(&ids) > 0) {
        if (!th_rd_opaque(c, &ids, ln, "responder_id", 2, 1, 0xffff, 0, NULL)) {
            return;
        }
    }
    (void)th_rd_opaque(c, b, n, "request_extensions", 2, 0, 0xffff, 0, NULL);
}

static void w_supported_groups(th_dctx *c, CBS *b, json_t *n, th_ext_ctx ctx) {
    (void)th_rd_list(c, b, n, "named_group_list", "named_group", 2, 2, U16_MAX_LIST, 2, TH_NK_GROUP,
                     NULL);
}

static void w_ec_point_formats(th_dctx *c, CBS *b, json_t *n, th_ext_ctx ctx) {
    (void)th_rd_list(c, b, n, "ec_point_format_list", "ec_point_format", 1, 1, 255, 1,
                     TH_NK_POINT_FORMAT, NULL);
}

static void w_signature_algorithms(th_dctx *c, CBS *b, json_t *n, th_ext_ctx ctx) {
    (void)th_rd_list(c, b, n, "supported_signature_algorithms", "signature_scheme", 2, 2,
                     U16_MAX_LIST, 2, TH_NK_SIG, NULL);
}

/* RFC 5764 §4.1.1. */
static void w_use_srtp(th_dctx *c, CBS *b, json_t *n, th_ext_ctx ctx) {
    if (th_rd_list(c, b, n, "srtp_protection_profiles", "srtp_protection_profile", 2, 2,
                   U16_MAX_LIST, 2, TH_NK_SRTP_PROFILE, NULL)) {
        (void)th_rd_opaque(c, b, n, "srtp_mki", 1, 0, 255, 0, NULL);
    }
}

static void w_heartbeat(th_dctx *c, CBS *b, json_t *n, th_ext_ctx ctx) {
    w_u8(c, b, n, "mode", TH_NK_HEARTBEAT_MODE);
}

/* RFC 7301 §3.1: ProtocolNameList<2..2^16-1> of ProtocolName<1..2^8-1>. */
static void w_alpn(th_dctx *c, CBS *b, json_t *n, th_ext_ctx ctx) {
    CBS list;
    json_t *ln;
    if (!th_rd_vec(c, b, n, "protocol_name_list", 2, 2, 0xffff, &list, &ln)) {
        return;
    }
    while (CBS_len(&list) > 0) {
        if (!th_rd_opaque(c, &list, ln, "protocol_name", 1, 1, 255, 1, NULL)) {
            return;
        }
    }
}

/* RFC 6962 §3.3: empty in requests, a SignedCertificateTimestampList in
 * ServerHello, EncryptedExtensions and Certificate entries. */
static void w_sct(th_dctx *c, CBS *b, json_t *n, th_ext_ctx ctx) {
    CBS list;
    json_t *ln;
    if (ctx == TH_EXT_CTX_CH || ctx == TH_EXT_CTX_CR ||
        !th_rd_vec(c, b, n, "signed_certificate_timestamp_list", 2, 1, 0xffff, &list, &ln)) {
        return;
    }
    while (CBS_len(&list) > 0) {
        if (!th_rd_opaque(c, &list, ln, "serialized_sct", 2, 1, 0xffff, 0, NULL)) {
            return;
        }
    }
}

/* RFC 7250 §3: a list in the ClientHello, one type in the server's answer. */
static void w_cert_type(th_dctx *c, CBS *b, json_t *n, th_ext_ctx ctx) {
    if (is_ch(ctx)) {
        (void)th_rd_list(c, b, n, "certificate_types", "certificate_type", 1, 1, 255, 1,
                         TH_NK_CERT_TYPE, NULL);
    } else {
        w_u8(c, b, n, "certificate_type", TH_NK_CERT_TYPE);
    }
}

/* RFC 7685 §3: "an arbitrary number of zero bytes". */
static void w_padding(th_dctx *c, CBS *b, json_t *n, th_ext_ctx ctx) {
    json_t *node = th_dnode(c, n, "padding", CBS_data(b), CBS_len(b));
    th_dnode_hex(node, CBS_data(b), CBS_len(b));
    for (size_t i = 0; i < CBS_len(b); i++) {
        if (CBS_data(b)[i] != 0) {
            th_dnode_note(node, "not all zero");
            break;
        }
    }
    CBS_skip(b, CBS_len(b));
}

/* RFC 8879 §3: CertificateCompressionAlgorithm algorithms<2..2^8-2>. */
static void w_compress_certificate(th_dctx *c, CBS *b, json_t *n, th_ext_ctx ctx) {
    (void)th_rd_list(c, b, n, "algorithms", "algorithm", 1, 2, 254, 2, TH_NK_CERT_COMPRESSION,
                     NULL);
}

static void w_record_size_limit(th_dctx *c, CBS *b, json_t *n, th_ext_ctx ctx) {
    (void)th_rd_uint(c, b, n, "record_size_limit", 2, TH_NK_NONE, NULL);
}

static void w_rest_hex(th_dctx *c, CBS *b, json_t *n, const char *field) {
    th_dnode_hex(th_dnode(c, n, field, CBS_data(b), CBS_len(b)), CBS_data(b), CBS_len(b));
    CBS_skip(b, CBS_len(b));
}

/* RFC 5077 §3.2: the ticket, possibly empty. */
static void w_session_ticket(th_dctx *c, CBS *b, json_t *n, th_ext_ctx ctx) {
    if (CBS_len(b) != 0) {
        w_rest_hex(c, b, n, "ticket");
    }
}

/* RFC 8446 §4.2.11. */
static void w_pre_shared_key(th_dctx *c, CBS *b, json_t *n, th_ext_ctx ctx) {
    if (ctx == TH_EXT_CTX_SH) {
        (void)th_rd_uint(c, b, n, "selected_identity", 2, TH_NK_NONE, NULL);
        return;
    }
    if (!is_ch(ctx)) {
        return;
    }
    CBS ids, binders;
    json_t *ln;
    if (!th_rd_vec(c, b, n, "identities", 2, 7, 0xffff, &ids, &ln)) {
        return;
    }
    while (CBS_len(&ids) > 0) {
        const uint8_t *at = CBS_data(&ids);
        json_t *g = th_dgroup(c, ln, "psk_identity", at);
        int ok = th_rd_opaque(c, &ids, g, "identity", 2, 1, 0xffff, 0, NULL) &&
                 th_rd_uint(c, &ids, g, "obfuscated_ticket_age", 4, TH_NK_NONE, NULL);
        th_dgroup_end(g, at, &ids);
        if (!ok) {
            return;
        }
    }
    if (!th_rd_vec(c, b, n, "binders", 2, 33, 0xffff, &binders, &ln)) {
        return;
    }
    while (CBS_len(&binders) > 0) {
        if (!th_rd_opaque(c, &binders, ln, "binder", 1, 32, 255, 0, NULL)) {
            return;
        }
    }
}

/* RFC 8446 §4.2.10: empty except in NewSessionTicket. */
static void w_early_data(th_dctx *c, CBS *b, json_t *n, th_ext_ctx ctx) {
    if (ctx == TH_EXT_CTX_NST) {
        (void)th_rd_uint(c, b, n, "max_early_data_size", 4, TH_NK_NONE, NULL);
    }
}

/* RFC 8446 §4.2.1. */
static void w_supported_versions(th_dctx *c, CBS *b, json_t *n, th_ext_ctx ctx) {
    if (is_ch(ctx)) {
        (void)th_rd_list(c, b, n, "versions", "version", 1, 2, 254, 2, TH_NK_VERSION, NULL);
    } else {
        (void)th_rd_uint(c, b, n, "selected_version", 2, TH_NK_VERSION, NULL);
    }
}

static void w_cookie(th_dctx *c, CBS *b, json_t *n, th_ext_ctx ctx) {
    (void)th_rd_opaque(c, b, n, "cookie", 2, 1, 0xffff, 0, NULL);
}

static void w_psk_modes(th_dctx *c, CBS *b, json_t *n, th_ext_ctx ctx) {
    (void)th_rd_list(c, b, n, "ke_modes", "ke_mode", 1, 1, 255, 1, TH_NK_PSK_MODE, NULL);
}

/* RFC 8446 §4.2.4: DistinguishedName authorities<3..2^16-1>. */
static void w_certificate_authorities(th_dctx *c, CBS *b, json_t *n, th_ext_ctx ctx) {
    CBS list, dn;
    json_t *ln, *dn_node;
    if (!th_rd_vec(c, b, n, "authorities", 2, 3, 0xffff, &list, &ln)) {
        return;
    }
    while (CBS_len(&list) > 0) {
        if (!th_rd_vec(c, &list, ln, "distinguished_name", 2, 1, 0xffff, &dn, &dn_node)) {
            return;
        }
        th_dnode_hex(dn_node, CBS_data(&dn), CBS_len(&dn));
        th_dnote_dn(dn_node, CBS_data(&dn), CBS_len(&dn));
    }
}

/* RFC 8446 §4.2.5. */
static void w_oid_filters(th_dctx *c, CBS *b, json_t *n, th_ext_ctx ctx) {
    CBS list;
    json_t *ln;
    if (!th_rd_vec(c, b, n, "filters", 2, 0, 0xffff, &list, &ln)) {
        return;
    }
    while (CBS_len(&list) > 0) {
        const uint8_t *at = CBS_data(&list);
        json_t *g = th_dgroup(c, ln, "oid_filter", at);
        int ok = th_rd_opaque(c, &list, g, "certificate_extension_oid", 1, 1, 255, 0, NULL) &&
                 th_rd_opaque(c, &list, g, "certificate_extension_values", 2, 0, 0xffff, 0, NULL);
        th_dgroup_end(g, at, &list);
        if (!ok) {
            return;
        }
    }
}

static int key_share_entry(th_dctx *c, CBS *b, json_t *parent) {
    const uint8_t *at = CBS_data(b);
    json_t *g = th_dgroup(c, parent, "key_share_entry", at);
    int ok = th_rd_uint(c, b, g, "group", 2, TH_NK_GROUP, NULL) &&
             th_rd_opaque(c, b, g, "key_exchange", 2, 1, 0xffff, 0, NULL);
    th_dgroup_end(g, at, b);
    return ok;
}

/* RFC 8446 §4.2.8: client_shares in the ClientHello, one entry in the
 * ServerHello, the selected group in a HelloRetryRequest. */
static void w_key_share(th_dctx *c, CBS *b, json_t *n, th_ext_ctx ctx) {
    if (ctx == TH_EXT_CTX_HRR) {
        (void)th_rd_uint(c, b, n, "selected_group", 2, TH_NK_GROUP, NULL);
        return;
    }
    if (!is_ch(ctx)) {
        (void)key_share_entry(c, b, n);
        return;
    }
    CBS list;
    json_t *ln;
    if (!th_rd_vec(c, b, n, "client_shares", 2, 0, 0xffff, &list, &ln)) {
        return;
    }
    while (CBS_len(&list) > 0 && key_share_entry(c, &list, ln)) {
    }
}

static void w_quic_transport_parameters(th_dctx *c, CBS *b, json_t *n, th_ext_ctx ctx) {
    w_rest_hex(c, b, n, "parameters");
}

/* draft-vvv-tls-alps: the client lists protocols, the server sends settings. */
static void w_application_settings(th_dctx *c, CBS *b, json_t *n, th_ext_ctx ctx) {
    CBS list;
    json_t *ln;
    if (!is_ch(ctx)) {
        w_rest_hex(c, b, n, "settings");
        return;
    }
    if (!th_rd_vec(c, b, n, "supported_protocols", 2, 0, 0xffff, &list, &ln)) {
        return;
    }
    while (CBS_len(&list) > 0) {
        if (!th_rd_opaque(c, &list, ln, "protocol_name", 1, 1, 255, 1, NULL)) {
            return;
        }
    }
}

/* draft-ietf-tls-esni §5: ECHClientHello; retry configs in
 * EncryptedExtensions; an 8-byte confirmation in a HelloRetryRequest. */
static void w_ech(th_dctx *c, CBS *b, json_t *n, th_ext_ctx ctx) {
    if (ctx == TH_EXT_CTX_HRR) {
        (void)th_rd_fixed(c, b, n, "confirmation", 8, NULL);
        return;
    }
    if (!is_ch(ctx)) {
        w_rest_hex(c, b, n, "retry_configs");
        return;
    }
    uint32_t type;
    if (!th_rd_uint(c, b, n, "type", 1, TH_NK_ECH_TYPE, &type) || type != 0) {
        return;
    }
    const uint8_t *at = CBS_data(b);
    json_t *g = th_dgroup(c, n, "cipher_suite", at);
    int ok = th_rd_uint(c, b, g, "kdf_id", 2, TH_NK_HPKE_KDF, NULL) &&
             th_rd_uint(c, b, g, "aead_id", 2, TH_NK_HPKE_AEAD, NULL);
    th_dgroup_end(g, at, b);
    if (ok && th_rd_uint(c, b, n, "config_id", 1, TH_NK_NONE, NULL) &&
        th_rd_opaque(c, b, n, "enc", 2, 0, 0xffff, 0, NULL)) {
        (void)th_rd_opaque(c, b, n, "payload", 2, 1, 0xffff, 0, NULL);
    }
}

/* RFC 5746 §3.2. */
static void w_renegotiation_info(th_dctx *c, CBS *b, json_t *n, th_ext_ctx ctx) {
    (void)th_rd_opaque(c, b, n, "renegotiated_connection", 1, 0, 255, 0, NULL);
}

/* draft-agl-tls-nextprotoneg: empty from the client, the server's list of
 * u8-prefixed protocols up to the end of the body. */
static void w_npn(th_dctx *c, CBS *b, json_t *n, th_ext_ctx ctx) {
    while (!is_ch(ctx) && CBS_len(b) > 0) {
        if (!th_rd_opaque(c, b, n, "protocol_name", 1, 0, 255, 1, NULL)) {
            return;
        }
    }
}

static const struct {
    uint16_t type;
    ext_walk_fn walk;
} kWalkers[] = {
    {TH_EXT_SERVER_NAME, w_server_name},
    {TH_EXT_MAX_FRAGMENT_LENGTH, w_max_fragment_length},
    {TH_EXT_STATUS_REQUEST, w_status_request},
    {TH_EXT_SUPPORTED_GROUPS, w_supported_groups},
    {TH_EXT_EC_POINT_FORMATS, w_ec_point_formats},
    {TH_EXT_SIGNATURE_ALGORITHMS, w_signature_algorithms},
    {TH_EXT_USE_SRTP, w_use_srtp},
    {TH_EXT_HEARTBEAT, w_heartbeat},
    {TH_EXT_ALPN, w_alpn},
    {TH_EXT_SIGNED_CERTIFICATE_TIMESTAMP, w_sct},
    {TH_EXT_CLIENT_CERTIFICATE_TYPE, w_cert_type},
    {TH_EXT_SERVER_CERTIFICATE_TYPE, w_cert_type},
    {TH_EXT_PADDING, w_padding},
    {TH_EXT_COMPRESS_CERTIFICATE, w_compress_certificate},
    {TH_EXT_RECORD_SIZE_LIMIT, w_record_size_limit},
    {TH_EXT_SESSION_TICKET, w_session_ticket},
    {TH_EXT_PRE_SHARED_KEY, w_pre_shared_key},
    {TH_EXT_EARLY_DATA, w_early_data},
    {TH_EXT_SUPPORTED_VERSIONS, w_supported_versions},
    {TH_EXT_COOKIE, w_cookie},
    {TH_EXT_PSK_KEY_EXCHANGE_MODES, w_psk_modes},
    {TH_EXT_CERTIFICATE_AUTHORITIES, w_certificate_authorities},
    {TH_EXT_OID_FILTERS, w_oid_filters},
    {TH_EXT_SIGNATURE_ALGORITHMS_CERT, w_signature_algorithms},
    {TH_EXT_KEY_SHARE, w_key_share},
    {TH_EXT_QUIC_TRANSPORT_PARAMETERS, w_quic_transport_parameters},
    {TH_EXT_APPLICATION_SETTINGS, w_application_settings},
    {TH_EXT_ENCRYPTED_CLIENT_HELLO, w_ech},
    {TH_EXT_RENEGOTIATION_INFO, w_renegotiation_info},
    {13172, w_npn},
};

/* "extension key_share (51)", the context of error reports inside it. */
static void set_label(th_dctx *c, uint16_t type) {
    const char *name = th_ext_name(type);
    snprintf(c->ext_label, sizeof(c->ext_label), "extension %s (%u)",
             name != NULL ? name : "unknown", type);
}

/* Extensions with an empty body in every message (encrypt_then_mac,
 * extended_master_secret, post_handshake_auth, truncated_hmac) need no
 * walker: any byte in them is shown as trailing. */
static ext_walk_fn find_walker(uint16_t type) {
    for (size_t i = 0; i < sizeof(kWalkers) / sizeof(kWalkers[0]); i++) {
        if (kWalkers[i].type == type) {
            return kWalkers[i].walk;
        }
    }
    return NULL;
}

static int empty_body_ext(uint16_t type) {
    return type == TH_EXT_ENCRYPT_THEN_MAC || type == TH_EXT_EXTENDED_MASTER_SECRET ||
           type == TH_EXT_POST_HANDSHAKE_AUTH || type == TH_EXT_TRUNCATED_HMAC;
}

/* One extension: its header, then its body walked field by field. Sets
 * *out_node to the extension's node. 0 when the walk must stop (the header or
 * the body runs past the end of the block). */
static int one_extension(th_dctx *c, CBS *list, json_t *ln, th_ext_ctx ctx, json_t **out_node) {
    const uint8_t *at = CBS_data(list);
    uint16_t type, len;
    CBS body;
    if (!CBS_get_u16(list, &type) || !CBS_get_u16(list, &len)) {
        json_t *node = th_dnode(c, ln, "extension", at, CBS_len(list));
        th_dfail(c, at, node, "extension", TH_ALERT_DECODE_ERROR,
                 "an extension header needs 4 bytes, %zu left",
                 (size_t)(CBS_data(list) - at) + CBS_len(list));
        return 0;
    }
    set_label(c, type);
    if (!CBS_get_bytes(list, &body, len)) {
        json_t *node = th_dnode(c, ln, "extension", at, 4 + CBS_len(list));
        th_dnode_int(node, type, TH_NK_EXT);
        th_dfail(c, at + 2, node, "extension_data", TH_ALERT_DECODE_ERROR,
                 "length %u exceeds the %zu bytes left", len, CBS_len(list));
        return 0;
    }
    json_t *node = th_dnode(c, ln, "extension", at, 4 + (size_t)len);
    th_dnode_int(node, type, TH_NK_EXT);
    ext_walk_fn fn = find_walker(type);
    if (fn != NULL) {
        fn(c, &body, node, ctx);
    } else if (!empty_body_ext(type) && CBS_len(&body) != 0) {
        w_rest_hex(c, &body, node, "data");
    }
    if (CBS_len(&body) != 0 && !c->viol_set) {
        char what[96];
        snprintf(what, sizeof(what), "%s", c->ext_label);
        th_drest(c, &body, node, what);
    }
    c->ext_label[0] = '\0';
    *out_node = node;
    return 1;
}

/* Puts into words why the codec refused extension |i| of |block|: the
 * verdict (which extension, which alert) is th_check_ext_block_at's, this
 * only names it. The codec checks the block rules on every extension before
 * any body, so an extension that breaks one was refused for it. Returns 1 when
 * the body itself was refused. */
static int explain_refusal(const th_ext_block *block, size_t i, th_ext_ctx ctx, char *buf,
                           size_t buf_len) {
    const th_ext *ext = &block->exts[i];
    for (size_t j = 0; j < i; j++) {
        if (block->exts[j].type == ext->type) {
            snprintf(buf, buf_len, "duplicate extension");
            return 0;
        }
    }
    if (!th_ext_allowed_in(ext->type, ctx)) {
        snprintf(buf, buf_len, "not allowed in %s", th_ext_ctx_name(ctx));
        return 0;
    }
    if (ctx == TH_EXT_CTX_CH && ext->type == TH_EXT_PRE_SHARED_KEY && i + 1 != block->num_exts) {
        snprintf(buf, buf_len, "pre_shared_key is not the last extension");
        return 0;
    }
    CBS body;
    uint8_t alert;
    CBS_init(&body, ext->body.data, ext->body.len);
    if (!th_ext_check_body(ext->type, ctx, body, &alert)) {
        const char *name = th_ext_name(ext->type);
        snprintf(buf, buf_len, "refused by the %s parser", name != NULL ? name : "extension");
        return 1;
    }
    snprintf(buf, buf_len, "refused by the RFC 8446 §4.2 rules for %s", th_ext_ctx_name(ctx));
    return 0;
}

/* Reports the codec's refusal of extension |i| (at |at|, shown as |node|)
 * with |alert|. A problem the walker found earlier in the block gives way to
 * it; one the walker found in this extension's own refused body stays, since
 * it names the field. */
static void report_refusal(th_dctx *c, const th_ext_block *block, size_t i, th_ext_ctx ctx,
                           uint8_t alert, json_t *node, const uint8_t *at, int found_here) {
    char reason[160];
    int body = explain_refusal(block, i, ctx, reason, sizeof(reason));
    if (c->viol_set && body && found_here) {
        c->viol_alert = alert;
        return;
    }
    th_dwithdraw(c);
    set_label(c, block->exts[i].type);
    th_dfail(c, at, node, NULL, alert, "%s", reason);
    c->ext_label[0] = '\0';
}

int th_dext_block(th_dctx *c, CBS *in, json_t *parent, th_ext_ctx ctx) {
    CBS list;
    json_t *ln;
    if (!th_rd_vec(c, in, parent, "extensions", 2, 0, 0xffff, &list, &ln)) {
        return 0;
    }
    /* The codec judges the block (RFC 8446 §4.2's rules and every body);
     * the walk below only shows it. */
    th_ext_block block;
    uint8_t alert = TH_ALERT_DECODE_ERROR;
    size_t bad = 0;
    CBS copy = list;
    int split = th_parse_ext_list(&copy, &block, &alert);
    int accepted = split && th_check_ext_block_at(&block, ctx, &alert, &bad);
    int viol_before = c->viol_set;
    int ok = 1;
    for (size_t i = 0; CBS_len(&list) > 0; i++) {
        const uint8_t *at = CBS_data(&list);
        int viol_earlier = c->viol_set;
        json_t *node = NULL;
        if (!one_extension(c, &list, ln, ctx, &node)) {
            ok = 0;
            break;
        }
        if (split && !accepted && i == bad && !viol_before) {
            report_refusal(c, &block, i, ctx, alert, node, at, !viol_earlier && c->viol_set);
        }
    }
    /* The codec accepts the block: whatever the walker found in it is only a
     * warning, and must not stand for a later problem the codec refuses. */
    if (accepted && !viol_before) {
        th_dwithdraw(c);
    }
    th_ext_block_cleanup(&block);
    return ok;
}
