/* Splitting recorded handshakes into per-target seeds with the project's
 * parsers. */
#include "split.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/nid.h>
#include <openssl/sha.h>
#include <openssl/ssl.h>

#include "certificate.h"
#include "certificate_request.h"
#include "certificate_request_tls12.h"
#include "certificate_status.h"
#include "certificate_tls12.h"
#include "certificate_verify.h"
#include "client_hello.h"
#include "client_key_exchange.h"
#include "empty_messages.h"
#include "encrypted_extensions.h"
#include "ext_types.h"
#include "finished.h"
#include "handshake_seeds.h"
#include "handshake.h"
#include "key_update.h"
#include "message_hash.h"
#include "names.h"
#include "new_session_ticket.h"
#include "new_session_ticket_tls12.h"
#include "record.h"
#include "server_hello.h"
#include "server_key_exchange.h"

/* Room for a kind: a source name or an extension type list. */
#define KIND_LEN 256

/* Extension block targets, by context. */
static const char *const kBlockTargets[TH_EXT_CTX_COUNT] = {
    [TH_EXT_CTX_CH] = "ext_block_ch",   [TH_EXT_CTX_SH] = "ext_block_sh",
    [TH_EXT_CTX_HRR] = "ext_block_hrr", [TH_EXT_CTX_EE] = "ext_block_ee",
    [TH_EXT_CTX_CT] = "ext_block_ct",   [TH_EXT_CTX_CR] = "ext_block_cr",
    [TH_EXT_CTX_NST] = "ext_block_nst", [TH_EXT_CTX_SH12] = "ext_block_sh12",
};

const char *th_split_ext_target(uint16_t type, th_ext_ctx ctx) {
    /* The body's typed parser, which names its fuzz target. */
    return th_ext_body_form(type, ctx);
}

static int cipher_kx(uint16_t suite) {
    const SSL_CIPHER *c = suite ? SSL_get_cipher_by_value(suite) : NULL;
    return c ? SSL_CIPHER_get_kx_nid(c) : NID_undef;
}

const char *th_split_message_target(uint8_t type, uint16_t version, uint16_t cipher_suite) {
    int tls13 = version == TH_VERSION_TLS13;
    switch (type) {
    case TH_HS_CLIENT_HELLO:
        return "client_hello";
    case TH_HS_SERVER_HELLO:
        return "server_hello";
    case TH_HS_FINISHED:
        return "finished";
    case TH_HS_HELLO_REQUEST:
        return "hello_request";
    case TH_HS_CERTIFICATE_STATUS:
        return "certificate_status";
    }
    if (version == 0) {
        return NULL; /* the forms below depend on the version */
    }
    switch (type) {
    case TH_HS_NEW_SESSION_TICKET:
        return tls13 ? "new_session_ticket" : "new_session_ticket_tls12";
    case TH_HS_END_OF_EARLY_DATA:
        return tls13 ? "end_of_early_data" : NULL;
    case TH_HS_ENCRYPTED_EXTENSIONS:
        return tls13 ? "encrypted_extensions" : NULL;
    case TH_HS_CERTIFICATE:
        return tls13 ? "certificate" : "certificate_tls12";
    case TH_HS_CERTIFICATE_REQUEST:
        if (tls13) {
            return "certificate_request";
        }
        return version >= TH_VERSION_TLS12 ? "certificate_request_tls12"
                                           : "certificate_request_tls10";
    case TH_HS_KEY_UPDATE:
        return tls13 ? "key_update" : NULL;
    case TH_HS_CERTIFICATE_VERIFY:
        /* Before TLS 1.2 the signature has no algorithm field: no parser. */
        return version >= TH_VERSION_TLS12 ? "certificate_verify" : NULL;
    case TH_HS_SERVER_HELLO_DONE:
        return tls13 ? NULL : "server_hello_done";
    case TH_HS_SERVER_KEY_EXCHANGE:
        if (tls13 || cipher_kx(cipher_suite) != NID_kx_ecdhe) {
            return NULL;
        }
        return version >= TH_VERSION_TLS12 ? "server_key_exchange_ecdhe"
                                           : "server_key_exchange_ecdhe_legacy";
    case TH_HS_CLIENT_KEY_EXCHANGE:
        if (tls13) {
            return NULL;
        }
        switch (cipher_kx(cipher_suite)) {
        case NID_kx_ecdhe:
            return "client_key_exchange_ecdhe";
        case NID_kx_rsa:
            return "client_key_exchange_rsa";
        }
        return NULL;
    }
    return NULL;
}

void th_split_init(th_split_ctx *s, th_seed_set *set, const char *source, uint16_t version,
                   uint16_t cipher_suite) {
    memset(s, 0, sizeof(*s));
    s->set = set;
    s->source = source;
    s->version = version;
    s->cipher_suite = cipher_suite;
}

void th_split_cleanup(th_split_ctx *s) {
    free(s->first_client_hello);
    memset(s, 0, sizeof(*s));
}

/* Adds a seed; remembers running out of memory in *oom. */
static void add(th_split_ctx *s, int *oom, const char *target, const char *kind,
                const uint8_t *data, size_t len) {
    if (!th_seed_set_add(s->set, target, kind, data, len)) {
        *oom = 1;
    }
}

static void warn_rejected(th_split_ctx *s, int *oom, const char *what, uint8_t alert) {
    const char *name = th_alert_name(alert);
    if (!th_seed_set_warn(s->set, "%s: the codec rejects BoringSSL's %s (%s)", s->source, what,
                          name ? name : "?")) {
        *oom = 1;
    }
}

/* The kinds of seeds that structure-based selection uses: "<prefix>:" and
 * the extension types of |block| in ascending order, GREASE types written as
 * "grease" (their values are random; permuted extensions sort the same). */
static void block_kind(const char *prefix, const th_ext_block *block, char *kind, size_t cap) {
    uint16_t types[64];
    size_t n = 0;
    for (size_t i = 0; i < block->num_exts && n < sizeof(types) / sizeof(types[0]); i++) {
        types[n++] = th_is_grease16(block->exts[i].type) ? 0x0a0a : block->exts[i].type;
    }
    for (size_t i = 1; i < n; i++) {
        for (size_t j = i; j > 0 && types[j - 1] > types[j]; j--) {
            uint16_t t = types[j];
            types[j] = types[j - 1];
            types[j - 1] = t;
        }
    }
    size_t used = (size_t)snprintf(kind, cap, "%s:", prefix);
    for (size_t i = 0; i < n && used < cap; i++) {
        used += (size_t)(types[i] == 0x0a0a ? snprintf(kind + used, cap - used, " grease")
                                            : snprintf(kind + used, cap - used, " %u", types[i]));
    }
}

/* Seeds an extension block (written back through th_write_ext_block, which
 * must reproduce the received bytes) under its structural kind, and each body
 * to its typed target. |tail_end| is the end of the message the block closes,
 * or NULL when the block is not last (Certificate entries). */
static void emit_block(th_split_ctx *s, int *oom, th_ext_ctx ctx, const th_ext_block *block,
                       const uint8_t *tail_end, size_t body_len) {
    CBB cbb;
    char kind[KIND_LEN];
    if (!CBB_init(&cbb, 256) || !th_write_ext_block(&cbb, block)) {
        CBB_cleanup(&cbb);
        *oom = 1;
        return;
    }
    const uint8_t *bytes = CBB_data(&cbb);
    size_t len = CBB_len(&cbb);
    if (tail_end != NULL && (len > body_len || memcmp(tail_end - len, bytes, len) != 0)) {
        if (!th_seed_set_warn(s->set, "%s: %s does not write back as received", s->source,
                              kBlockTargets[ctx])) {
            *oom = 1;
        }
    }
    block_kind(th_ext_ctx_name(ctx), block, kind, sizeof(kind));
    add(s, oom, kBlockTargets[ctx], kind, bytes, len);
    /* The list inside the u16 length prefix: th_parse_ext_list's input. */
    add(s, oom, "ext_list", kind, bytes + 2, len - 2);
    for (size_t i = 0; i < block->num_exts; i++) {
        const th_ext *ext = &block->exts[i];
        const char *target = th_split_ext_target(ext->type, ctx);
        if (target != NULL) {
            add(s, oom, target, s->source, ext->body.data, ext->body.len);
        }
        /* These bodies are exactly a u16-prefixed list of u16 code points. */
        if (ext->type == TH_EXT_SUPPORTED_GROUPS || ext->type == TH_EXT_SIGNATURE_ALGORITHMS ||
            ext->type == TH_EXT_SIGNATURE_ALGORITHMS_CERT) {
            add(s, oom, "u16_list", th_ext_name(ext->type), ext->body.data, ext->body.len);
        }
    }
    CBB_cleanup(&cbb);
}

/* message_hash body for ClientHello1 under the HelloRetryRequest's suite
 * (RFC 8446 §4.4.1: Hash(ClientHello1) with the suite's hash). */
static void emit_message_hash(th_split_ctx *s, int *oom, uint16_t suite) {
    uint8_t digest[SHA384_DIGEST_LENGTH];
    size_t len = SHA256_DIGEST_LENGTH;
    const SSL_CIPHER *c = SSL_get_cipher_by_value(suite);
    if (s->first_client_hello == NULL) {
        return;
    }
    if (c != NULL && SSL_CIPHER_get_prf_nid(c) == NID_sha384) {
        SHA384(s->first_client_hello, s->first_client_hello_len, digest);
        len = SHA384_DIGEST_LENGTH;
    } else {
        SHA256(s->first_client_hello, s->first_client_hello_len, digest);
    }
    /* The synthetic message also feeds the handshake target. */
    CBB cbb;
    if (!CBB_init(&cbb, TH_HANDSHAKE_HEADER_LEN + len) ||
        !th_write_message_hash_from(&cbb, digest, len)) {
        CBB_cleanup(&cbb);
        *oom = 1;
        return;
    }
    add(s, oom, "handshake", "message_hash", CBB_data(&cbb), CBB_len(&cbb));
    add(s, oom, "message_hash", s->source, CBB_data(&cbb) + TH_HANDSHAKE_HEADER_LEN,
        CBB_len(&cbb) - TH_HANDSHAKE_HEADER_LEN);
    CBB_cleanup(&cbb);
}

/* Message checks: parse with the project's parser (1 accepted, 0 rejected
 * with *alert), seed the extension blocks found inside, and describe the
 * message's structure in |kind| (set to the source beforehand) so the cap
 * keeps structurally different messages first. */
typedef int (*check_fn)(th_split_ctx *s, int *oom, CBS *body, uint8_t *alert, char *kind,
                        size_t kind_cap);

static int check_client_hello(th_split_ctx *s, int *oom, CBS *body, uint8_t *alert, char *kind,
                              size_t kind_cap) {
    th_client_hello ch;
    const uint8_t *end = CBS_data(body) + CBS_len(body);
    size_t body_len = CBS_len(body);
    memset(&ch, 0, sizeof(ch));
    if (!th_parse_client_hello(body, &ch, alert)) {
        return 0;
    }
    if (ch.has_extensions) {
        block_kind("ClientHello", &ch.extensions, kind, kind_cap);
        emit_block(s, oom, TH_EXT_CTX_CH, &ch.extensions, end, body_len);
    }
    /* cipher_suites<2..2^16-2> is a u16 list too (written back by the codec). */
    CBB suites;
    if (!CBB_init(&suites, 2 + 2 * ch.num_cipher_suites) ||
        !th_write_u16_list(&suites, 2, ch.cipher_suites, ch.num_cipher_suites)) {
        *oom = 1;
    } else {
        add(s, oom, "u16_list", "cipher_suites", CBB_data(&suites), CBB_len(&suites));
    }
    CBB_cleanup(&suites);
    th_client_hello_cleanup(&ch);
    return 1;
}

static int check_server_hello(th_split_ctx *s, int *oom, CBS *body, uint8_t *alert, char *kind,
                              size_t kind_cap) {
    th_server_hello sh;
    const uint8_t *end = CBS_data(body) + CBS_len(body);
    size_t body_len = CBS_len(body);
    memset(&sh, 0, sizeof(sh));
    if (!th_parse_server_hello(body, &sh, alert)) {
        return 0;
    }
    th_ext_ctx ctx = th_server_hello_ext_ctx(&sh);
    if (s->version == 0) {
        s->version = ctx == TH_EXT_CTX_SH12 ? sh.legacy_version : TH_VERSION_TLS13;
    }
    if (ctx == TH_EXT_CTX_HRR) {
        emit_message_hash(s, oom, sh.cipher_suite);
    } else if (s->cipher_suite == 0) {
        s->cipher_suite = sh.cipher_suite;
    }
    if (sh.has_extensions) {
        block_kind(th_ext_ctx_name(ctx), &sh.extensions, kind, kind_cap);
        emit_block(s, oom, ctx, &sh.extensions, end, body_len);
    }
    th_server_hello_cleanup(&sh);
    return 1;
}

static int check_encrypted_extensions(th_split_ctx *s, int *oom, CBS *body, uint8_t *alert,
                                      char *kind, size_t kind_cap) {
    th_encrypted_extensions ee;
    const uint8_t *end = CBS_data(body) + CBS_len(body);
    size_t body_len = CBS_len(body);
    memset(&ee, 0, sizeof(ee));
    if (!th_parse_encrypted_extensions(body, &ee, alert)) {
        return 0;
    }
    block_kind("EncryptedExtensions", &ee.extensions, kind, kind_cap);
    emit_block(s, oom, TH_EXT_CTX_EE, &ee.extensions, end, body_len);
    th_encrypted_extensions_cleanup(&ee);
    return 1;
}

static int check_certificate(th_split_ctx *s, int *oom, CBS *body, uint8_t *alert, char *kind,
                             size_t kind_cap) {
    th_certificate cert;
    memset(&cert, 0, sizeof(cert));
    if (!th_parse_certificate(body, &cert, alert)) {
        return 0;
    }
    snprintf(kind, kind_cap, "entries %zu", cert.num_entries);
    for (size_t i = 0; i < cert.num_entries; i++) {
        emit_block(s, oom, TH_EXT_CTX_CT, &cert.entries[i].extensions, NULL, 0);
    }
    th_certificate_cleanup(&cert);
    return 1;
}

static int check_certificate_request(th_split_ctx *s, int *oom, CBS *body, uint8_t *alert,
                                     char *kind, size_t kind_cap) {
    th_certificate_request cr;
    const uint8_t *end = CBS_data(body) + CBS_len(body);
    size_t body_len = CBS_len(body);
    memset(&cr, 0, sizeof(cr));
    if (!th_parse_certificate_request(body, &cr, alert)) {
        return 0;
    }
    block_kind("CertificateRequest", &cr.extensions, kind, kind_cap);
    emit_block(s, oom, TH_EXT_CTX_CR, &cr.extensions, end, body_len);
    th_certificate_request_cleanup(&cr);
    return 1;
}

static int check_new_session_ticket(th_split_ctx *s, int *oom, CBS *body, uint8_t *alert,
                                    char *kind, size_t kind_cap) {
    th_new_session_ticket nst;
    const uint8_t *end = CBS_data(body) + CBS_len(body);
    size_t body_len = CBS_len(body);
    memset(&nst, 0, sizeof(nst));
    if (!th_parse_new_session_ticket(body, &nst, alert)) {
        return 0;
    }
    block_kind("NewSessionTicket", &nst.extensions, kind, kind_cap);
    emit_block(s, oom, TH_EXT_CTX_NST, &nst.extensions, end, body_len);
    th_new_session_ticket_cleanup(&nst);
    return 1;
}

static void no_cleanup(void *p) {
    (void)p;
}

/* Messages without extension blocks: parse, describe (printf arguments over
 * the parsed |v|), clean up. */
#define PLAIN_CHECK(NAME, TYPE, PARSE, CLEANUP, ...)                                               \
    static int NAME(th_split_ctx *s, int *oom, CBS *body, uint8_t *alert, char *kind,              \
                    size_t kind_cap) {                                                             \
        TYPE v;                                                                                    \
        memset(&v, 0, sizeof(v));                                                                  \
        int ok = PARSE(body, &v, alert);                                                           \
        if (ok) {                                                                                  \
            snprintf(kind, kind_cap, __VA_ARGS__);                                                 \
        }                                                                                          \
        CLEANUP(&v);                                                                               \
        return ok;                                                                                 \
    }

PLAIN_CHECK(check_certificate_verify, th_certificate_verify, th_parse_certificate_verify,
            no_cleanup, "algorithm %04x", v.algorithm)
PLAIN_CHECK(check_finished, th_finished, th_parse_finished, no_cleanup, "length %zu",
            v.verify_data.len)
PLAIN_CHECK(check_key_update, th_key_update, th_parse_key_update, no_cleanup, "request %u",
            v.request_update)
PLAIN_CHECK(check_end_of_early_data, th_end_of_early_data, th_parse_end_of_early_data, no_cleanup,
            "%s", s->source)
PLAIN_CHECK(check_hello_request, th_hello_request, th_parse_hello_request, no_cleanup, "%s",
            s->source)
PLAIN_CHECK(check_server_hello_done, th_server_hello_done, th_parse_server_hello_done, no_cleanup,
            "%s", s->source)
PLAIN_CHECK(check_certificate_tls12, th_certificate_tls12, th_parse_certificate_tls12,
            th_certificate_tls12_cleanup, "certificates %zu", v.num_certs)
PLAIN_CHECK(check_certificate_request_tls12, th_certificate_request_tls12,
            th_parse_certificate_request_tls12, th_certificate_request_tls12_cleanup,
            "types %zu, algorithms %zu, CAs %zu", v.certificate_types.len, v.num_sig_algs,
            v.num_cas)
PLAIN_CHECK(check_certificate_request_tls10, th_certificate_request_tls12,
            th_parse_certificate_request_tls10, th_certificate_request_tls12_cleanup,
            "types %zu, CAs %zu", v.certificate_types.len, v.num_cas)
PLAIN_CHECK(check_ske_ecdhe, th_server_key_exchange_ecdhe, th_parse_server_key_exchange_ecdhe,
            no_cleanup, "curve %04x, algorithm %04x", v.named_curve, v.sig_alg)
PLAIN_CHECK(check_ske_ecdhe_legacy, th_server_key_exchange_ecdhe,
            th_parse_server_key_exchange_ecdhe_legacy, no_cleanup, "curve %04x", v.named_curve)
PLAIN_CHECK(check_cke_ecdhe, th_client_key_exchange_ecdhe, th_parse_client_key_exchange_ecdhe,
            no_cleanup, "point %zu", v.public_key.len)
PLAIN_CHECK(check_cke_rsa, th_client_key_exchange_rsa, th_parse_client_key_exchange_rsa, no_cleanup,
            "length %zu", v.encrypted_pre_master_secret.len)
PLAIN_CHECK(check_new_session_ticket_tls12, th_new_session_ticket_tls12,
            th_parse_new_session_ticket_tls12, no_cleanup, "%s", s->source)
PLAIN_CHECK(check_certificate_status, th_certificate_status, th_parse_certificate_status,
            no_cleanup, "%s", s->source)

/* The parser of each message target. */
static const struct {
    const char *target;
    check_fn check;
} kChecks[] = {
    {"client_hello", check_client_hello},
    {"server_hello", check_server_hello},
    {"encrypted_extensions", check_encrypted_extensions},
    {"certificate", check_certificate},
    {"certificate_request", check_certificate_request},
    {"new_session_ticket", check_new_session_ticket},
    {"certificate_verify", check_certificate_verify},
    {"finished", check_finished},
    {"key_update", check_key_update},
    {"end_of_early_data", check_end_of_early_data},
    {"hello_request", check_hello_request},
    {"server_hello_done", check_server_hello_done},
    {"certificate_tls12", check_certificate_tls12},
    {"certificate_request_tls12", check_certificate_request_tls12},
    {"certificate_request_tls10", check_certificate_request_tls10},
    {"server_key_exchange_ecdhe", check_ske_ecdhe},
    {"server_key_exchange_ecdhe_legacy", check_ske_ecdhe_legacy},
    {"client_key_exchange_ecdhe", check_cke_ecdhe},
    {"client_key_exchange_rsa", check_cke_rsa},
    {"new_session_ticket_tls12", check_new_session_ticket_tls12},
    {"certificate_status", check_certificate_status},
};

int th_split_handshake_message(th_split_ctx *s, const uint8_t *msg, size_t len) {
    CBS cbs;
    th_handshake hs;
    uint8_t alert = 0;
    int oom = 0;
    char kind[KIND_LEN];
    CBS_init(&cbs, msg, len);
    if (!th_parse_handshake(&cbs, &hs, &alert)) {
        warn_rejected(s, &oom, "handshake message framing", alert);
        return !oom;
    }
    const char *type_name = th_handshake_type_name(hs.type);
    snprintf(kind, sizeof(kind), "%s", type_name ? type_name : "unknown");
    add(s, &oom, "handshake", kind, msg, len);
    if (hs.type == TH_HS_CLIENT_HELLO && s->first_client_hello == NULL) {
        s->first_client_hello = malloc(len);
        if (s->first_client_hello == NULL) {
            return 0;
        }
        memcpy(s->first_client_hello, msg, len);
        s->first_client_hello_len = len;
    }
    const char *target = th_split_message_target(hs.type, s->version, s->cipher_suite);
    if (target == NULL) {
        return 1; /* a form without a parser (e.g. TLS 1.1 CertificateVerify) */
    }
    snprintf(kind, sizeof(kind), "%s", s->source);
    for (size_t i = 0; i < sizeof(kChecks) / sizeof(kChecks[0]); i++) {
        if (strcmp(kChecks[i].target, target) == 0) {
            CBS body;
            CBS_init(&body, hs.body.data, hs.body.len);
            if (!kChecks[i].check(s, &oom, &body, &alert, kind, sizeof(kind))) {
                warn_rejected(s, &oom, target, alert);
            }
            break;
        }
    }
    add(s, &oom, target, kind, hs.body.data, hs.body.len);
    return !oom;
}

static void emit_inner(th_split_ctx *s, int *oom, uint8_t type, uint8_t hs_type,
                       const uint8_t *data, size_t len) {
    static const size_t kPadding[] = {0, 1, 16};
    for (size_t i = 0; i < sizeof(kPadding) / sizeof(kPadding[0]); i++) {
        th_inner_plaintext ip;
        CBB cbb;
        char kind[32];
        ip.content.data = data;
        ip.content.len = len;
        ip.type = type;
        ip.padding_len = kPadding[i];
        if (!CBB_init(&cbb, len + 17) || !th_write_inner_plaintext(&cbb, &ip)) {
            CBB_cleanup(&cbb);
            *oom = 1;
            return;
        }
        snprintf(kind, sizeof(kind), "%u-%u-%zu", type, type == TH_CT_HANDSHAKE ? hs_type : 0,
                 kPadding[i]);
        add(s, oom, "inner_plaintext", kind, CBB_data(&cbb), CBB_len(&cbb));
        CBB_cleanup(&cbb);
    }
}

/* Seeds the records of one direction: the whole stream and each record. The
 * kind of a record is its sender, type and, for a plaintext handshake record
 * that starts a message, the message type (found with the reassembler), so
 * the cap keeps every kind of record. */
static void emit_records(th_split_ctx *s, int *oom, int from, const uint8_t *wire, size_t len,
                         uint16_t version) {
    char kind[64];
    const char *side = from == TH_BSSL_SERVER ? "server" : "client";
    const char *vname = th_version_name(version);
    if (len == 0) {
        return;
    }
    snprintf(kind, sizeof(kind), "%s-%s", vname ? vname : "none", side);
    add(s, oom, "record_stream", kind, wire, len);
    th_hs_reasm reasm;
    th_hs_reasm_init(&reasm, 0);
    int encrypted = 0, reasm_ok = 1;
    CBS in;
    CBS_init(&in, wire, len);
    while (CBS_len(&in) != 0) {
        const uint8_t *start = CBS_data(&in);
        th_record rec;
        uint8_t alert;
        if (!th_parse_record(&in, &rec, &alert)) {
            warn_rejected(s, oom, "record stream", alert);
            break;
        }
        char sub[16] = "";
        if (rec.type == TH_CT_CHANGE_CIPHER_SPEC && version != TH_VERSION_TLS13) {
            encrypted = 1; /* TLS 1.2: what follows in this direction is protected */
        } else if (rec.type == TH_CT_HANDSHAKE && !encrypted && reasm_ok) {
            th_handshake m;
            int starts = th_hs_reasm_pending(&reasm) == 0 && rec.fragment.len != 0;
            snprintf(sub, sizeof(sub), "-%u", starts ? rec.fragment.data[0] : 256u);
            reasm_ok = th_hs_reasm_add(&reasm, rec.fragment.data, rec.fragment.len, &alert);
            while (reasm_ok && th_hs_reasm_next(&reasm, &m)) {
                continue; /* only the message boundaries matter here */
            }
        } else if (rec.type == TH_CT_HANDSHAKE) {
            snprintf(sub, sizeof(sub), "-protected");
        }
        snprintf(kind, sizeof(kind), "%s-%u%s", side, rec.type, sub);
        add(s, oom, "record", kind, start, (size_t)(CBS_data(&in) - start));
    }
    th_hs_reasm_cleanup(&reasm);
}

int th_split_inner_plaintext(th_split_ctx *s, uint8_t type, const uint8_t *data, size_t len) {
    int oom = 0;
    emit_inner(s, &oom, type, type == TH_CT_HANDSHAKE && len != 0 ? data[0] : 0, data, len);
    return !oom;
}

int th_split_conn(th_seed_set *set, const char *source, const th_bssl_conn *conn) {
    th_split_ctx s;
    int oom = 0;
    th_split_init(&s, set, source, conn->version, conn->cipher_suite);
    int tls13 = conn->version == TH_VERSION_TLS13;
    for (size_t i = 0; i < conn->num_msgs && !oom; i++) {
        const th_bssl_msg *m = &conn->msgs[i];
        switch (m->content_type) {
        case TH_CT_HANDSHAKE:
            if (!th_split_handshake_message(&s, m->data, m->len)) {
                oom = 1;
            }
            /* In TLS 1.3 every handshake message but the hellos is protected. */
            if (tls13 && m->len != 0 && m->data[0] != TH_HS_CLIENT_HELLO &&
                m->data[0] != TH_HS_SERVER_HELLO) {
                emit_inner(&s, &oom, TH_CT_HANDSHAKE, m->data[0], m->data, m->len);
            }
            break;
        case TH_CT_ALERT:
            add(&s, &oom, "alert", "alert", m->data, m->len);
            if (tls13) {
                emit_inner(&s, &oom, TH_CT_ALERT, 0, m->data, m->len);
            }
            break;
        case TH_CT_CHANGE_CIPHER_SPEC:
            add(&s, &oom, "ccs", "ccs", m->data, m->len);
            break;
        case TH_CT_APPLICATION_DATA:
            if (tls13) {
                emit_inner(&s, &oom, TH_CT_APPLICATION_DATA, 0, m->data, m->len);
            }
            break;
        }
    }
    for (int from = 0; from < 2 && !oom; from++) {
        emit_records(&s, &oom, from, conn->wire[from], conn->wire_len[from], conn->version);
    }
    /* TLS 1.2: each direction as the peer's bytes of a whole-handshake
     * target (the server's flight for our client, the client's for our
     * server). Our engine's randoms and key shares differ from BoringSSL's,
     * so a replay reaches the first protected record and fails there; the
     * plaintext flights (hellos, certificates, key exchanges, CertificateRequest,
     * NewSessionTicket, abbreviated handshakes) are the point. TLS 1.3
     * flights are left out: after the ServerHello they are all protected,
     * and the targets' own seeds cover TLS 1.3. */
    if (conn->version == TH_VERSION_TLS12) {
        static const char *const kTargets[2] = {"handshake_server_no_fuzzer_mode",
                                                "handshake_client_no_fuzzer_mode"};
        for (int from = 0; from < 2 && !oom; from++) {
            CBB seed;
            if (conn->wire_len[from] == 0) {
                continue;
            }
            if (!CBB_init(&seed, conn->wire_len[from] + conn->wire_len[from] / 256 + 1) ||
                !th_fuzz_handshake_input(&seed, conn->wire[from], conn->wire_len[from])) {
                oom = 1;
            } else {
                add(&s, &oom, kTargets[from], source, CBB_data(&seed), CBB_len(&seed));
            }
            CBB_cleanup(&seed);
        }
    }
    th_split_cleanup(&s);
    return !oom;
}
