/* The decoder's handshake messages: one walker per message form (TLS 1.3 and
 * the forms both versions share; the TLS 1.2-only forms are in
 * decode_messages12.c), the codec that judges each form, and the glue that
 * turns the walker's findings and the codec's verdict into the reported
 * error. */
#include <stdio.h>
#include <string.h>

#include <openssl/mem.h>
#include <openssl/nid.h>
#include <openssl/x509.h>

#include "certificate.h"
#include "certificate_request.h"
#include "certificate_verify.h"
#include "client_hello.h"
#include "decode_internal.h"
#include "empty_messages.h"
#include "encrypted_extensions.h"
#include "fingerprint.h"
#include "finished.h"
#include "key_update.h"
#include "message_hash.h"
#include "names.h"
#include "new_session_ticket.h"
#include "server_hello.h"

/* Notes from BoringSSL's X.509 parser (a bonus: failures just add nothing). */

static void append_cn(char *buf, size_t buf_len, const char *label, X509_NAME *name) {
    int idx = X509_NAME_get_index_by_NID(name, NID_commonName, -1);
    if (idx < 0) {
        return;
    }
    unsigned char *utf8 = NULL;
    int n = ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, idx)));
    if (n >= 0) {
        size_t used = strlen(buf);
        snprintf(buf + used, buf_len - used, "%s%s CN=%.*s", used != 0 ? ", " : "", label, n,
                 (const char *)utf8);
    }
    OPENSSL_free(utf8);
}

void th_dnote_cert(json_t *node, const uint8_t *der, size_t len) {
    const uint8_t *p = der;
    X509 *x509 = d2i_X509(NULL, &p, (long)len);
    if (x509 == NULL) {
        th_dnode_note(node, "not parseable as X.509");
        return;
    }
    char buf[256] = "";
    append_cn(buf, sizeof(buf), "subject", X509_get_subject_name(x509));
    append_cn(buf, sizeof(buf), "issuer", X509_get_issuer_name(x509));
    if (buf[0] != '\0') {
        th_dnode_note(node, buf);
    }
    X509_free(x509);
}

void th_dnote_dn(json_t *node, const uint8_t *der, size_t len) {
    const uint8_t *p = der;
    X509_NAME *name = d2i_X509_NAME(NULL, &p, (long)len);
    if (name == NULL) {
        return;
    }
    char buf[200];
    if (X509_NAME_oneline(name, buf, sizeof(buf)) != NULL) {
        th_dnode_note(node, buf);
    }
    X509_NAME_free(name);
}

void th_dfingerprints(json_t *node, const uint8_t *body, size_t len) {
    th_fingerprints fp;
    if (!th_fingerprint_client_hello(body, len, &fp)) {
        th_dnode_note(node, "no fingerprints: our ClientHello parser refuses it");
        return;
    }
    json_t *o = json_object();
    json_object_set_new(o, "ja3", json_string(fp.ja3));
    json_object_set_new(o, "ja3_hash", json_string(fp.ja3_md5));
    json_object_set_new(o, "ja4", json_string(fp.ja4));
    json_object_set_new(o, "ja4_r", json_string(fp.ja4_r));
    json_object_set_new(node, "fingerprints", o);
    th_fingerprints_cleanup(&fp);
}

/* Walkers. Each reads |b| (the message body) field by field into |n| and
 * stops at the first field it cannot read. */

static void walk_client_hello(th_dctx *c, CBS *b, json_t *n) {
    CBS methods;
    if (!th_rd_uint(c, b, n, "legacy_version", 2, TH_NK_VERSION, NULL) ||
        !th_rd_fixed(c, b, n, "random", TH_RANDOM_LEN, NULL) ||
        !th_rd_opaque(c, b, n, "legacy_session_id", 1, 0, TH_SESSION_ID_MAX_LEN, 0, NULL) ||
        !th_rd_list(c, b, n, "cipher_suites", "cipher_suite", 2, 2, 0xfffe, 2, TH_NK_CIPHER,
                    NULL) ||
        !th_rd_list(c, b, n, "legacy_compression_methods", "compression_method", 1, 1, 255, 1,
                    TH_NK_COMPRESSION, &methods)) {
        return;
    }
    /* RFC 5246 §7.4.1.2: "this vector MUST contain, and all implementations
     * MUST support, CompressionMethod.null". */
    if (memchr(CBS_data(&methods), 0, CBS_len(&methods)) == NULL) {
        th_dfail(c, CBS_data(&methods) - 1, NULL, "legacy_compression_methods",
                 TH_ALERT_ILLEGAL_PARAMETER, "no null compression method");
    }
    if (CBS_len(b) == 0) {
        th_dnode_note(n, "no extensions (TLS 1.2 form)");
        return;
    }
    if (th_dext_block(c, b, n, TH_EXT_CTX_CH)) {
        th_drest(c, b, n, "the extensions");
    }
}

/* The body of the first extension of |type| in the u16-prefixed block at the
 * front of |block| (not consumed). */
static int peek_ext(const CBS *block, uint16_t type, CBS *out_body) {
    CBS copy = *block, list;
    if (!CBS_get_u16_length_prefixed(&copy, &list)) {
        return 0;
    }
    while (CBS_len(&list) > 0) {
        uint16_t t;
        CBS body;
        if (!CBS_get_u16(&list, &t) || !CBS_get_u16_length_prefixed(&list, &body)) {
            return 0;
        }
        if (t == type) {
            *out_body = body;
            return 1;
        }
    }
    return 0;
}

/* RFC 8446 §4.1.3 (and §4.1.4 for the HelloRetryRequest form). The extension
 * context and the negotiated version follow th_server_hello_ext_ctx. */
static void walk_server_hello(th_dctx *c, CBS *b, json_t *n) {
    static const uint8_t kDowngrade[7] = {0x44, 0x4f, 0x57, 0x4e, 0x47, 0x52, 0x44};
    uint32_t legacy, suite;
    CBS random, sv;
    if (!th_rd_uint(c, b, n, "legacy_version", 2, TH_NK_VERSION, &legacy) ||
        !th_rd_fixed(c, b, n, "random", TH_RANDOM_LEN, &random)) {
        return;
    }
    int hrr = memcmp(CBS_data(&random), th_hrr_random, TH_RANDOM_LEN) == 0;
    if (hrr) {
        th_dnode_note(n, "hello_retry_request");
    } else if (memcmp(CBS_data(&random) + 24, kDowngrade, 7) == 0 && CBS_data(&random)[31] <= 1) {
        th_dnode_note(n, CBS_data(&random)[31] == 1 ? "TLS 1.2 downgrade sentinel"
                                                    : "TLS 1.1 downgrade sentinel");
    }
    if (!th_rd_opaque(c, b, n, "legacy_session_id_echo", 1, 0, TH_SESSION_ID_MAX_LEN, 0, NULL) ||
        !th_rd_uint(c, b, n, "cipher_suite", 2, TH_NK_CIPHER, &suite) ||
        !th_rd_uint(c, b, n, "legacy_compression_method", 1, TH_NK_COMPRESSION, NULL)) {
        return;
    }
    c->cipher_suite = (uint16_t)suite;
    c->have_cipher_suite = 1;
    c->version = (uint16_t)legacy;
    if (CBS_len(b) == 0) {
        th_dnode_note(n, "no extensions (TLS 1.2 form)");
        return;
    }
    int has_sv = peek_ext(b, TH_EXT_SUPPORTED_VERSIONS, &sv);
    uint16_t selected;
    if (hrr) {
        c->version = TH_VERSION_TLS13;
    } else if (has_sv && CBS_len(&sv) == 2 && CBS_get_u16(&sv, &selected)) {
        c->version = selected;
    }
    th_ext_ctx ctx = hrr ? TH_EXT_CTX_HRR : has_sv ? TH_EXT_CTX_SH : TH_EXT_CTX_SH12;
    if (th_dext_block(c, b, n, ctx)) {
        th_drest(c, b, n, "the extensions");
    }
}

static void walk_encrypted_extensions(th_dctx *c, CBS *b, json_t *n) {
    if (th_dext_block(c, b, n, TH_EXT_CTX_EE)) {
        th_drest(c, b, n, "the extensions");
    }
}

/* RFC 8446 §4.4.2. */
static void walk_certificate(th_dctx *c, CBS *b, json_t *n) {
    CBS list;
    json_t *ln;
    if (!th_rd_opaque(c, b, n, "certificate_request_context", 1, 0, 255, 0, NULL) ||
        !th_rd_vec(c, b, n, "certificate_list", 3, 0, 0xffffff, &list, &ln)) {
        return;
    }
    while (CBS_len(&list) > 0) {
        const uint8_t *at = CBS_data(&list);
        json_t *entry = th_dgroup(c, ln, "certificate_entry", at);
        CBS cert;
        json_t *cn;
        int ok = th_rd_vec(c, &list, entry, "cert_data", 3, 1, 0xffffff, &cert, &cn);
        if (ok) {
            th_dnode_hex(cn, CBS_data(&cert), CBS_len(&cert));
            th_dnote_cert(cn, CBS_data(&cert), CBS_len(&cert));
            ok = th_dext_block(c, &list, entry, TH_EXT_CTX_CT);
        }
        th_dgroup_end(entry, at, &list);
        if (!ok) {
            return;
        }
    }
    th_drest(c, b, n, "certificate_list");
}

/* RFC 8446 §4.3.2. */
static void walk_certificate_request(th_dctx *c, CBS *b, json_t *n) {
    if (th_rd_opaque(c, b, n, "certificate_request_context", 1, 0, 255, 0, NULL) &&
        th_dext_block(c, b, n, TH_EXT_CTX_CR)) {
        th_drest(c, b, n, "the extensions");
    }
}

/* RFC 8446 §4.4.3; TLS 1.2's DigitallySigned has the same layout. */
static void walk_certificate_verify(th_dctx *c, CBS *b, json_t *n) {
    if (th_rd_uint(c, b, n, "algorithm", 2, TH_NK_SIG, NULL) &&
        th_rd_opaque(c, b, n, "signature", 2, 0, 0xffff, 0, NULL)) {
        th_drest(c, b, n, "the signature");
    }
}

static void walk_finished(th_dctx *c, CBS *b, json_t *n) {
    (void)th_rd_fixed(c, b, n, "verify_data", CBS_len(b), NULL);
}

/* RFC 8446 §4.6.1. */
static void walk_new_session_ticket(th_dctx *c, CBS *b, json_t *n) {
    if (th_rd_uint(c, b, n, "ticket_lifetime", 4, TH_NK_NONE, NULL) &&
        th_rd_uint(c, b, n, "ticket_age_add", 4, TH_NK_NONE, NULL) &&
        th_rd_opaque(c, b, n, "ticket_nonce", 1, 0, 255, 0, NULL) &&
        th_rd_opaque(c, b, n, "ticket", 2, 1, 0xffff, 0, NULL) &&
        th_dext_block(c, b, n, TH_EXT_CTX_NST)) {
        th_drest(c, b, n, "the extensions");
    }
}

static void walk_empty(th_dctx *c, CBS *b, json_t *n) {
    th_drest(c, b, n, "an empty message");
}

static void walk_key_update(th_dctx *c, CBS *b, json_t *n) {
    if (th_rd_uint(c, b, n, "request_update", 1, TH_NK_KEY_UPDATE, NULL)) {
        th_drest(c, b, n, "request_update");
    }
}

static void walk_message_hash(th_dctx *c, CBS *b, json_t *n) {
    (void)th_rd_fixed(c, b, n, "hash", CBS_len(b), NULL);
}

/* RFC 6347 §4.2.1 (DTLS only; shown for completeness). */
static void walk_hello_verify_request(th_dctx *c, CBS *b, json_t *n) {
    if (th_rd_uint(c, b, n, "server_version", 2, TH_NK_VERSION, NULL) &&
        th_rd_opaque(c, b, n, "cookie", 1, 0, 255, 0, NULL)) {
        th_drest(c, b, n, "the cookie");
    }
}

/* RFC 8879 §4. */
static void walk_compressed_certificate(th_dctx *c, CBS *b, json_t *n) {
    if (th_rd_uint(c, b, n, "algorithm", 2, TH_NK_CERT_COMPRESSION, NULL) &&
        th_rd_uint(c, b, n, "uncompressed_length", 3, TH_NK_NONE, NULL) &&
        th_rd_opaque(c, b, n, "compressed_certificate_message", 3, 1, 0xffffff, 0, NULL)) {
        th_drest(c, b, n, "the compressed message");
    }
}

static void walk_raw(th_dctx *c, CBS *b, json_t *n) {
    if (CBS_len(b) != 0) {
        (void)th_rd_fixed(c, b, n, "body", CBS_len(b), NULL);
    }
}

TH_DCHECK_OWNING(check_client_hello, th_client_hello, th_parse_client_hello,
                 th_client_hello_cleanup)
TH_DCHECK_OWNING(check_server_hello, th_server_hello, th_parse_server_hello,
                 th_server_hello_cleanup)
TH_DCHECK_OWNING(check_encrypted_extensions, th_encrypted_extensions, th_parse_encrypted_extensions,
                 th_encrypted_extensions_cleanup)
TH_DCHECK_OWNING(check_certificate, th_certificate, th_parse_certificate, th_certificate_cleanup)
TH_DCHECK_OWNING(check_certificate_request, th_certificate_request, th_parse_certificate_request,
                 th_certificate_request_cleanup)
TH_DCHECK_OWNING(check_new_session_ticket, th_new_session_ticket, th_parse_new_session_ticket,
                 th_new_session_ticket_cleanup)
TH_DCHECK_PLAIN(check_certificate_verify, th_certificate_verify, th_parse_certificate_verify)
TH_DCHECK_PLAIN(check_finished, th_finished, th_parse_finished)
TH_DCHECK_PLAIN(check_key_update, th_key_update, th_parse_key_update)
TH_DCHECK_PLAIN(check_message_hash, th_message_hash, th_parse_message_hash)
TH_DCHECK_PLAIN(check_hello_request, th_hello_request, th_parse_hello_request)
TH_DCHECK_PLAIN(check_server_hello_done, th_server_hello_done, th_parse_server_hello_done)
TH_DCHECK_PLAIN(check_end_of_early_data, th_end_of_early_data, th_parse_end_of_early_data)

/* Forms whose walk is NULL are chosen from context (th_dform_for_type). */
static const th_dform kForms[] = {
    {"hello_request", TH_HS_HELLO_REQUEST, walk_empty, check_hello_request},
    {"client_hello", TH_HS_CLIENT_HELLO, walk_client_hello, check_client_hello},
    {"server_hello", TH_HS_SERVER_HELLO, walk_server_hello, check_server_hello},
    {"hello_retry_request", TH_HS_SERVER_HELLO, walk_server_hello, check_server_hello},
    {"hello_verify_request", TH_HS_HELLO_VERIFY_REQUEST, walk_hello_verify_request, NULL},
    {"new_session_ticket", TH_HS_NEW_SESSION_TICKET, walk_new_session_ticket,
     check_new_session_ticket},
    {"end_of_early_data", TH_HS_END_OF_EARLY_DATA, walk_empty, check_end_of_early_data},
    {"encrypted_extensions", TH_HS_ENCRYPTED_EXTENSIONS, walk_encrypted_extensions,
     check_encrypted_extensions},
    {"certificate", TH_HS_CERTIFICATE, walk_certificate, check_certificate},
    {"server_key_exchange", TH_HS_SERVER_KEY_EXCHANGE, NULL, NULL},
    {"certificate_request", TH_HS_CERTIFICATE_REQUEST, walk_certificate_request,
     check_certificate_request},
    {"server_hello_done", TH_HS_SERVER_HELLO_DONE, walk_empty, check_server_hello_done},
    {"certificate_verify", TH_HS_CERTIFICATE_VERIFY, walk_certificate_verify,
     check_certificate_verify},
    {"client_key_exchange", TH_HS_CLIENT_KEY_EXCHANGE, NULL, NULL},
    {"finished", TH_HS_FINISHED, walk_finished, check_finished},
    {"certificate_url", TH_HS_CERTIFICATE_URL, walk_raw, NULL},
    {"supplemental_data", TH_HS_SUPPLEMENTAL_DATA, walk_raw, NULL},
    {"key_update", TH_HS_KEY_UPDATE, walk_key_update, check_key_update},
    {"compressed_certificate", TH_HS_COMPRESSED_CERTIFICATE, walk_compressed_certificate, NULL},
    {"message_hash", TH_HS_MESSAGE_HASH, walk_message_hash, check_message_hash},
};

#define NUM_FORMS (sizeof(kForms) / sizeof(kForms[0]))

const th_dform *th_dform_at(size_t i) {
    if (i < NUM_FORMS) {
        return &kForms[i];
    }
    i -= NUM_FORMS;
    return i < th_num_dform_tls12 ? &th_dform_tls12[i] : NULL;
}

const th_dform *th_dform_by_name(const char *name) {
    const th_dform *f;
    for (size_t i = 0; (f = th_dform_at(i)) != NULL; i++) {
        if (strcmp(f->name, name) == 0) {
            return f;
        }
    }
    return NULL;
}

static const th_dform *form_of_type(uint8_t type) {
    for (size_t i = 0; i < NUM_FORMS; i++) {
        if (kForms[i].type == type) {
            return &kForms[i];
        }
    }
    return NULL;
}

/* 1 if |form|'s codec accepts |body|. */
static int accepts(const th_dform *form, const uint8_t *body, size_t len) {
    CBS cbs;
    uint8_t alert;
    CBS_init(&cbs, body, len);
    return form->check != NULL && form->check(&cbs, &alert);
}

const th_dform *th_dform_for_type(const th_dctx *c, uint8_t type, const uint8_t *body, size_t len) {
    const th_dform *f13 = form_of_type(type);
    const th_dform *f12 = th_dform12_for_type(c, type, body, len);
    if (f13 == NULL || f13->walk == NULL) {
        return f12; /* TLS 1.2 only (ServerKeyExchange, ...) or unknown */
    }
    if (f12 == NULL || c->version == TH_VERSION_TLS13) {
        return f13;
    }
    if (c->version != 0) {
        return f12;
    }
    /* Version unknown (no ServerHello seen): the form our codec accepts,
     * TLS 1.3 first. */
    if (accepts(f13, body, len) || !accepts(f12, body, len)) {
        return f13;
    }
    return f12;
}

void th_dmessage_body(th_dctx *c, const th_dform *form, CBS *body, json_t *node, int truncated,
                      size_t announced) {
    const uint8_t *start = CBS_data(body);
    size_t len = CBS_len(body);
    c->msg_name = form != NULL ? form->name : "handshake";
    c->ext_label[0] = '\0';
    c->viol_set = 0;
    c->viol_node = NULL;
    if (form == NULL) {
        th_dnode_note(node, "unknown handshake type");
        walk_raw(c, body, node);
    } else {
        const char *field = json_string_value(json_object_get(node, "field"));
        const char *type_name = th_handshake_type_name(form->type);
        if (field != NULL && strcmp(field, form->name) != 0 &&
            (type_name == NULL || strcmp(type_name, form->name) != 0)) {
            th_dnode_note(node, form->name);
        }
        form->walk(c, body, node);
    }
    th_decode_error *e = c->err;
    if (!e->set && truncated) {
        e->set = 1;
        e->alert = TH_ALERT_DECODE_ERROR;
        e->offset = c->viol_set ? c->viol_off : th_doff(c, start + len);
        snprintf(e->where, sizeof(e->where), "%s", c->viol_set ? c->viol_where : c->msg_name);
        snprintf(e->reason, sizeof(e->reason), "message truncated: %zu of %zu body bytes%s%.100s",
                 len, announced, c->viol_set ? "; " : "", c->viol_set ? c->viol_reason : "");
    } else if (!e->set) {
        uint8_t alert = c->viol_alert;
        int ok = !c->viol_set;
        if (form != NULL && form->check != NULL) {
            CBS copy;
            CBS_init(&copy, start, len);
            alert = TH_ALERT_DECODE_ERROR;
            ok = form->check(&copy, &alert);
        }
        if (!ok) {
            e->set = 1;
            e->alert = alert;
            e->offset = c->viol_set ? c->viol_off : th_doff(c, start);
            snprintf(e->where, sizeof(e->where), "%s", c->viol_set ? c->viol_where : c->msg_name);
            if (c->viol_set) {
                snprintf(e->reason, sizeof(e->reason), "%s", c->viol_reason);
            } else {
                snprintf(e->reason, sizeof(e->reason), "our %s parser refuses it", c->msg_name);
            }
        } else {
            /* The walker is stricter than the codec here; the codec decides. */
            th_dwithdraw(c);
        }
    }
    if (form != NULL && form->type == TH_HS_CLIENT_HELLO && !c->opts->no_fingerprints) {
        th_dfingerprints(node, start, len);
    }
    c->msg_name = NULL;
    c->ext_label[0] = '\0';
}
