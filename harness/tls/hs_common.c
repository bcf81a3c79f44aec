/* Hello steps taken the same way in TLS 1.3 and TLS 1.2 (hs13_*.c,
 * hs12_*.c): the client's extension bookkeeping, ALPN and record_size_limit;
 * the server's ALPN choice and server name. */
#include <string.h>

#include <openssl/x509v3.h>

#include "conn_internal.h"
#include "ext_types.h"

/* The first of our names the client offers (RFC 7301 §3.2: server's
 * choice). 1 with c->alpn set, or nothing to do; 0 with
 * no_application_protocol when both sides have lists without overlap. */
int th_server_choose_alpn(th_conn *c, const th_client_hello *ch, uint8_t *out_alert) {
    const th_ext *ext = th_ext_block_find(&ch->extensions, TH_EXT_ALPN);
    c->alpn_len = 0;
    if (ext == NULL || c->cfg.num_alpn == 0) {
        return 1;
    }
    th_ext_alpn_ch alpn;
    CBS body = th_ext_body(ext);
    if (!th_parse_ext_alpn_ch(&body, &alpn, out_alert)) {
        return 0;
    }
    int found = 0;
    for (size_t i = 0; i < c->cfg.num_alpn && !found; i++) {
        size_t len = strlen(c->cfg.alpn[i]);
        for (size_t j = 0; j < alpn.num_protocols && !found; j++) {
            if (alpn.protocols[j].len == len && len <= TH_ALPN_MAX &&
                memcmp(alpn.protocols[j].data, c->cfg.alpn[i], len) == 0) {
                memcpy(c->alpn, c->cfg.alpn[i], len);
                c->alpn_len = len;
                found = 1;
            }
        }
    }
    th_ext_alpn_ch_cleanup(&alpn);
    if (!found) {
        /* RFC 7301 §3.2: "In the event that the server supports no protocols
         * that the client advertises, then the server SHALL respond with a
         * fatal "no_application_protocol" alert." */
        *out_alert = TH_ALERT_NO_APPLICATION_PROTOCOL;
        return 0;
    }
    return 1;
}

/* Keeps the client's host_name (RFC 6066 §3) for the status and the
 * certificate choice; the codec has checked the extension's form. Names over
 * 255 bytes are not kept. */
int th_server_note_server_name(th_conn *c, const th_client_hello *ch, uint8_t *out_alert) {
    const th_ext *ext = th_ext_block_find(&ch->extensions, TH_EXT_SERVER_NAME);
    if (ext == NULL) {
        /* RFC 8446 §9.2, for servers requiring the extension. */
        *out_alert = TH_ALERT_MISSING_EXTENSION;
        return !c->cfg.require_server_name;
    }
    th_ext_server_name_ch sni;
    CBS body = th_ext_body(ext);
    if (!th_parse_ext_server_name_ch(&body, &sni, out_alert)) {
        return 0;
    }
    const th_bytes *host = th_ext_server_name_host(&sni);
    if (host != NULL && host->len <= sizeof(c->server_name)) {
        memcpy(c->server_name, host->data, host->len);
        c->server_name_len = host->len;
    }
    th_ext_server_name_ch_cleanup(&sni);
    return 1;
}

int th_client_add_ext(th_conn *c, CBB *exts, uint16_t type, CBB *out_body) {
    th_u16_set_add(c->sent_exts, type);
    return CBB_add_u16(exts, type) && CBB_add_u16_length_prefixed(exts, out_body);
}

int th_client_ext_sent(const th_conn *c, uint16_t type) {
    return (c->sent_exts->bits[type >> 3] >> (type & 7)) & 1;
}

int th_client_add_alpn_and_rsl(th_conn *c, CBB *exts) {
    CBB ext;
    if (c->cfg.num_alpn != 0) {
        CBB list, name;
        if (!th_client_add_ext(c, exts, TH_EXT_ALPN, &ext) ||
            !CBB_add_u16_length_prefixed(&ext, &list)) {
            return 0;
        }
        for (size_t i = 0; i < c->cfg.num_alpn; i++) {
            if (!CBB_add_u8_length_prefixed(&list, &name) ||
                !CBB_add_bytes(&name, (const uint8_t *)c->cfg.alpn[i], strlen(c->cfg.alpn[i]))) {
                return 0;
            }
        }
    }
    if (c->cfg.record_size_limit != 0) {
        th_ext_record_size_limit rsl = {c->cfg.record_size_limit};
        if (!th_client_add_ext(c, exts, TH_EXT_RECORD_SIZE_LIMIT, &ext) ||
            !th_write_ext_record_size_limit(&ext, &rsl)) {
            return 0;
        }
    }
    return CBB_flush(exts);
}

/* 1 if |name| is an IP literal, which RFC 6066 §3 keeps out of server_name:
 * "Literal IPv4 and IPv6 addresses are not permitted in "HostName"." */
static int is_ip_literal(const char *name) {
    if (strchr(name, ':') != NULL) {
        return 1;
    }
    for (const char *p = name; *p != '\0'; p++) {
        if ((*p < '0' || *p > '9') && *p != '.') {
            return 0;
        }
    }
    return 1;
}

int th_client_add_server_name(th_conn *c, CBB *exts) {
    if (c->cfg.server_name == NULL || is_ip_literal(c->cfg.server_name)) {
        return 1;
    }
    th_server_name name = {TH_SNI_HOST_NAME,
                           {(const uint8_t *)c->cfg.server_name, strlen(c->cfg.server_name)}};
    th_ext_server_name_ch sni = {&name, 1};
    CBB ext;
    return th_client_add_ext(c, exts, TH_EXT_SERVER_NAME, &ext) &&
           th_write_ext_server_name_ch(&ext, &sni) && CBB_flush(exts);
}

int th_server_leaf_matches_name(const th_conn *c, const th_cert_key *ck) {
    if (c->server_name_len == 0) {
        return 0;
    }
    const uint8_t *der = ck->chain[0].data;
    X509 *leaf = d2i_X509(NULL, &der, (long)ck->chain[0].len);
    int match = leaf != NULL && X509_check_host(leaf, (const char *)c->server_name,
                                                c->server_name_len, 0, NULL) == 1;
    X509_free(leaf);
    return match;
}
