/* Field checks of `expect: {message: X, fields: {...}, extensions_present,
 * extensions_absent}`: the received message is parsed with the codec and
 * each named field compared with the scenario's value. */
#include <stdlib.h>
#include <string.h>

#include "certificate.h"
#include "certificate_request.h"
#include "certificate_verify.h"
#include "client_hello.h"
#include "encrypted_extensions.h"
#include "ep_internal.h"
#include "ext_types.h"
#include "finished.h"
#include "key_update.h"
#include "names.h"
#include "new_session_ticket.h"
#include "server_hello.h"

#define MAX_LIST 128

/* A field's value as received. */
typedef struct {
    th_sc_val_kind kind;
    int absent; /* the field's extension is not in the message */
    uint64_t i;
    const uint8_t *b;
    size_t blen;
    uint64_t ints[MAX_LIST];
    size_t num;
    th_bytes strs[MAX_LIST];
} actual;

/* Every parsed form a checked message may have. */
typedef struct {
    th_client_hello ch;
    th_server_hello sh;
    th_encrypted_extensions ee;
    th_certificate_request cr;
    th_certificate ct;
    th_certificate_verify cv;
    th_finished fin;
    th_new_session_ticket nst;
    th_key_update ku;
    const th_ext_block *exts; /* the message's extensions, if it has any */
} parsed;

static void parsed_cleanup(parsed *p) {
    th_client_hello_cleanup(&p->ch);
    th_server_hello_cleanup(&p->sh);
    th_encrypted_extensions_cleanup(&p->ee);
    th_certificate_request_cleanup(&p->cr);
    th_certificate_cleanup(&p->ct);
    th_new_session_ticket_cleanup(&p->nst);
}

static int parse_msg(const th_ep_event *ev, parsed *p) {
    CBS body;
    uint8_t alert;
    memset(p, 0, sizeof(*p));
    CBS_init(&body, ev->bytes + TH_HANDSHAKE_HEADER_LEN, ev->len - TH_HANDSHAKE_HEADER_LEN);
    switch (ev->msg) {
    case TH_SC_MSG_CLIENT_HELLO:
        if (!th_parse_client_hello(&body, &p->ch, &alert)) {
            return 0;
        }
        p->exts = &p->ch.extensions;
        return 1;
    case TH_SC_MSG_SERVER_HELLO:
    case TH_SC_MSG_HELLO_RETRY_REQUEST:
        if (!th_parse_server_hello(&body, &p->sh, &alert)) {
            return 0;
        }
        p->exts = &p->sh.extensions;
        return 1;
    case TH_SC_MSG_ENCRYPTED_EXTENSIONS:
        if (!th_parse_encrypted_extensions(&body, &p->ee, &alert)) {
            return 0;
        }
        p->exts = &p->ee.extensions;
        return 1;
    case TH_SC_MSG_CERTIFICATE_REQUEST:
        if (!th_parse_certificate_request(&body, &p->cr, &alert)) {
            return 0;
        }
        p->exts = &p->cr.extensions;
        return 1;
    case TH_SC_MSG_CERTIFICATE:
        if (!th_parse_certificate(&body, &p->ct, &alert)) {
            return 0;
        }
        p->exts = p->ct.num_entries > 0 ? &p->ct.entries[0].extensions : NULL;
        return 1;
    case TH_SC_MSG_CERTIFICATE_VERIFY:
        return th_parse_certificate_verify(&body, &p->cv, &alert);
    case TH_SC_MSG_FINISHED:
        return th_parse_finished(&body, &p->fin, &alert);
    case TH_SC_MSG_NEW_SESSION_TICKET:
        if (!th_parse_new_session_ticket(&body, &p->nst, &alert)) {
            return 0;
        }
        p->exts = &p->nst.extensions;
        return 1;
    case TH_SC_MSG_KEY_UPDATE:
        return th_parse_key_update(&body, &p->ku, &alert);
    default:
        return 1;
    }
}

static void set_list16(actual *a, const uint16_t *v, size_t n) {
    a->kind = TH_SC_VAL_INT_LIST;
    a->num = n < MAX_LIST ? n : MAX_LIST;
    for (size_t i = 0; i < a->num; i++) {
        a->ints[i] = v[i];
    }
}

static void set_list8(actual *a, const uint8_t *v, size_t n) {
    a->kind = TH_SC_VAL_INT_LIST;
    a->num = n < MAX_LIST ? n : MAX_LIST;
    for (size_t i = 0; i < a->num; i++) {
        a->ints[i] = v[i];
    }
}

static void set_bytes(actual *a, const uint8_t *b, size_t n) {
    a->kind = TH_SC_VAL_BYTES;
    a->b = b;
    a->blen = n;
}

static void set_int(actual *a, uint64_t v) {
    a->kind = TH_SC_VAL_INT;
    a->i = v;
}

/* The body of extension |type| in |p| as a CBS; 0 when absent. */
static int ext_of(const parsed *p, uint16_t type, CBS *out) {
    const th_ext *e = p->exts != NULL ? th_ext_block_find(p->exts, type) : NULL;
    if (e == NULL) {
        return 0;
    }
    *out = th_ext_body(e);
    return 1;
}

/* Reads |f| from the message into |a|. 0 if the field does not apply to it. */
static int get_field(const th_ep_event *ev, const parsed *p, th_sc_field f, actual *a) {
    CBS e;
    uint8_t alert;
    memset(a, 0, sizeof(*a));
    switch (f) {
    case TH_SC_F_CH_LEGACY_VERSION:
        set_int(a, p->ch.legacy_version);
        return 1;
    case TH_SC_F_CH_RANDOM:
        set_bytes(a, p->ch.random, TH_RANDOM_LEN);
        return 1;
    case TH_SC_F_CH_SESSION_ID:
        set_bytes(a, p->ch.legacy_session_id.data, p->ch.legacy_session_id.len);
        return 1;
    case TH_SC_F_CH_CIPHER_SUITES:
        set_list16(a, p->ch.cipher_suites, p->ch.num_cipher_suites);
        return 1;
    case TH_SC_F_CH_COMPRESSION_METHODS:
        set_list8(a, p->ch.legacy_compression_methods.data, p->ch.legacy_compression_methods.len);
        return 1;
    case TH_SC_F_CH_SUPPORTED_VERSIONS: {
        th_ext_supported_versions_ch v;
        memset(&v, 0, sizeof(v));
        a->kind = TH_SC_VAL_INT_LIST;
        if (!ext_of(p, TH_EXT_SUPPORTED_VERSIONS, &e) ||
            !th_parse_ext_supported_versions_ch(&e, &v, &alert)) {
            a->absent = 1;
            return 1;
        }
        set_list16(a, v.versions, v.num_versions);
        th_ext_supported_versions_ch_cleanup(&v);
        return 1;
    }
    case TH_SC_F_CH_SUPPORTED_GROUPS: {
        th_ext_supported_groups v;
        memset(&v, 0, sizeof(v));
        a->kind = TH_SC_VAL_INT_LIST;
        if (!ext_of(p, TH_EXT_SUPPORTED_GROUPS, &e) ||
            !th_parse_ext_supported_groups(&e, &v, &alert)) {
            a->absent = 1;
            return 1;
        }
        set_list16(a, v.groups, v.num_groups);
        th_ext_supported_groups_cleanup(&v);
        return 1;
    }
    case TH_SC_F_CH_KEY_SHARES: {
        th_ext_key_share_ch v;
        memset(&v, 0, sizeof(v));
        a->kind = TH_SC_VAL_INT_LIST;
        if (!ext_of(p, TH_EXT_KEY_SHARE, &e) || !th_parse_ext_key_share_ch(&e, &v, &alert)) {
            a->absent = 1;
            return 1;
        }
        a->num = v.num_shares < MAX_LIST ? v.num_shares : MAX_LIST;
        for (size_t i = 0; i < a->num; i++) {
            a->ints[i] = v.shares[i].group;
        }
        th_ext_key_share_ch_cleanup(&v);
        return 1;
    }
    case TH_SC_F_CH_SIGNATURE_ALGORITHMS:
    case TH_SC_F_CR_SIGNATURE_ALGORITHMS: {
        th_ext_signature_algorithms v;
        memset(&v, 0, sizeof(v));
        a->kind = TH_SC_VAL_INT_LIST;
        if (!ext_of(p, TH_EXT_SIGNATURE_ALGORITHMS, &e) ||
            !th_parse_ext_signature_algorithms(&e, &v, &alert)) {
            a->absent = 1;
            return 1;
        }
        set_list16(a, v.sig_algs, v.num_sig_algs);
        th_ext_signature_algorithms_cleanup(&v);
        return 1;
    }
    case TH_SC_F_CH_ALPN: {
        th_ext_alpn_ch v;
        memset(&v, 0, sizeof(v));
        a->kind = TH_SC_VAL_STR_LIST;
        if (!ext_of(p, TH_EXT_ALPN, &e) || !th_parse_ext_alpn_ch(&e, &v, &alert)) {
            a->absent = 1;
            return 1;
        }
        a->num = v.num_protocols < MAX_LIST ? v.num_protocols : MAX_LIST;
        for (size_t i = 0; i < a->num; i++) {
            a->strs[i] = v.protocols[i];
        }
        th_ext_alpn_ch_cleanup(&v);
        return 1;
    }
    case TH_SC_F_CH_SERVER_NAME: {
        th_ext_server_name_ch v;
        memset(&v, 0, sizeof(v));
        a->kind = TH_SC_VAL_STRING;
        if (!ext_of(p, TH_EXT_SERVER_NAME, &e) || !th_parse_ext_server_name_ch(&e, &v, &alert)) {
            a->absent = 1;
            return 1;
        }
        const th_bytes *h = th_ext_server_name_host(&v);
        if (h != NULL) {
            a->b = h->data;
            a->blen = h->len;
        } else {
            a->absent = 1;
        }
        th_ext_server_name_ch_cleanup(&v);
        return 1;
    }
    case TH_SC_F_CH_PSK_MODES: {
        th_ext_psk_key_exchange_modes v;
        a->kind = TH_SC_VAL_INT_LIST;
        if (!ext_of(p, TH_EXT_PSK_KEY_EXCHANGE_MODES, &e) ||
            !th_parse_ext_psk_key_exchange_modes(&e, &v, &alert)) {
            a->absent = 1;
            return 1;
        }
        set_list8(a, v.modes.data, v.modes.len);
        return 1;
    }
    case TH_SC_F_CH_RECORD_SIZE_LIMIT:
    case TH_SC_F_EE_RECORD_SIZE_LIMIT: {
        th_ext_record_size_limit v;
        a->kind = TH_SC_VAL_INT;
        if (!ext_of(p, TH_EXT_RECORD_SIZE_LIMIT, &e) ||
            !th_parse_ext_record_size_limit(&e, &v, &alert)) {
            a->absent = 1;
            return 1;
        }
        a->i = v.limit;
        return 1;
    }
    case TH_SC_F_SH_LEGACY_VERSION:
        set_int(a, p->sh.legacy_version);
        return 1;
    case TH_SC_F_SH_RANDOM:
    case TH_SC_F_SH_RANDOM_SUFFIX: /* cut to the expected length by the caller */
        set_bytes(a, p->sh.random, TH_RANDOM_LEN);
        return 1;
    case TH_SC_F_SH_SESSION_ID_ECHO:
        set_bytes(a, p->sh.legacy_session_id_echo.data, p->sh.legacy_session_id_echo.len);
        return 1;
    case TH_SC_F_SH_CIPHER_SUITE:
        set_int(a, p->sh.cipher_suite);
        return 1;
    case TH_SC_F_SH_COMPRESSION_METHOD:
        set_int(a, p->sh.legacy_compression_method);
        return 1;
    case TH_SC_F_SH_SELECTED_VERSION: {
        th_ext_supported_versions_sh v;
        a->kind = TH_SC_VAL_INT;
        if (!ext_of(p, TH_EXT_SUPPORTED_VERSIONS, &e) ||
            !th_parse_ext_supported_versions_sh(&e, &v, &alert)) {
            a->absent = 1;
            return 1;
        }
        a->i = v.selected_version;
        return 1;
    }
    case TH_SC_F_SH_KEY_SHARE_GROUP: {
        th_ext_key_share_sh v;
        a->kind = TH_SC_VAL_INT;
        if (!ext_of(p, TH_EXT_KEY_SHARE, &e) || !th_parse_ext_key_share_sh(&e, &v, &alert)) {
            a->absent = 1;
            return 1;
        }
        a->i = v.share.group;
        return 1;
    }
    case TH_SC_F_SH_SELECTED_IDENTITY: {
        th_ext_pre_shared_key_sh v;
        a->kind = TH_SC_VAL_INT;
        if (!ext_of(p, TH_EXT_PRE_SHARED_KEY, &e) ||
            !th_parse_ext_pre_shared_key_sh(&e, &v, &alert)) {
            a->absent = 1;
            return 1;
        }
        a->i = v.selected_identity;
        return 1;
    }
    case TH_SC_F_HRR_SELECTED_GROUP: {
        th_ext_key_share_hrr v;
        a->kind = TH_SC_VAL_INT;
        if (!ext_of(p, TH_EXT_KEY_SHARE, &e) || !th_parse_ext_key_share_hrr(&e, &v, &alert)) {
            a->absent = 1;
            return 1;
        }
        a->i = v.selected_group;
        return 1;
    }
    case TH_SC_F_HRR_COOKIE: {
        th_ext_cookie v;
        a->kind = TH_SC_VAL_BYTES;
        if (!ext_of(p, TH_EXT_COOKIE, &e) || !th_parse_ext_cookie(&e, &v, &alert)) {
            a->absent = 1;
            return 1;
        }
        a->b = v.cookie.data;
        a->blen = v.cookie.len;
        return 1;
    }
    case TH_SC_F_EE_ALPN: {
        th_ext_alpn_sh v;
        a->kind = TH_SC_VAL_STRING;
        if (!ext_of(p, TH_EXT_ALPN, &e) || !th_parse_ext_alpn_sh(&e, &v, &alert)) {
            a->absent = 1;
            return 1;
        }
        a->b = v.protocol.data;
        a->blen = v.protocol.len;
        return 1;
    }
    case TH_SC_F_CR_CONTEXT:
        set_bytes(a, p->cr.certificate_request_context.data, p->cr.certificate_request_context.len);
        return 1;
    case TH_SC_F_CT_CONTEXT:
        set_bytes(a, p->ct.certificate_request_context.data, p->ct.certificate_request_context.len);
        return 1;
    case TH_SC_F_CT_CHAIN:
        /* Only "empty" can be compared without the pki files. */
        a->kind = TH_SC_VAL_STRING;
        a->b = (const uint8_t *)(p->ct.num_entries == 0 ? "empty" : "non-empty");
        a->blen = strlen((const char *)a->b);
        return 1;
    case TH_SC_F_CV_SCHEME:
        set_int(a, p->cv.algorithm);
        return 1;
    case TH_SC_F_CV_SIGNATURE:
        set_bytes(a, p->cv.signature.data, p->cv.signature.len);
        return 1;
    case TH_SC_F_FIN_VERIFY_DATA:
        set_bytes(a, p->fin.verify_data.data, p->fin.verify_data.len);
        return 1;
    case TH_SC_F_NST_LIFETIME:
        set_int(a, p->nst.ticket_lifetime);
        return 1;
    case TH_SC_F_NST_AGE_ADD:
        set_int(a, p->nst.ticket_age_add);
        return 1;
    case TH_SC_F_NST_NONCE:
        set_bytes(a, p->nst.ticket_nonce.data, p->nst.ticket_nonce.len);
        return 1;
    case TH_SC_F_NST_TICKET:
        set_bytes(a, p->nst.ticket.data, p->nst.ticket.len);
        return 1;
    case TH_SC_F_NST_MAX_EARLY_DATA: {
        th_ext_early_data_nst v;
        a->kind = TH_SC_VAL_INT;
        if (!ext_of(p, TH_EXT_EARLY_DATA, &e) || !th_parse_ext_early_data_nst(&e, &v, &alert)) {
            a->absent = 1;
            return 1;
        }
        a->i = v.max_early_data_size;
        return 1;
    }
    case TH_SC_F_KU_REQUEST_UPDATE:
        set_int(a, p->ku.request_update);
        return 1;
    default:
        (void)ev;
        return 0;
    }
}

static void fmt_bytes(const uint8_t *b, size_t n, char *out, size_t out_len) {
    size_t off = 0;
    out[0] = '\0';
    for (size_t i = 0; i < n && i < 40 && off + 3 < out_len; i++) {
        off += (size_t)snprintf(out + off, out_len - off, "%02x", b[i]);
    }
    if (n > 40 && off + 4 < out_len) {
        snprintf(out + off, out_len - off, "...");
    }
    if (n == 0) {
        snprintf(out, out_len, "\"\"");
    }
}

/* The name of |v| in the field's name space, or NULL. */
static const char *code_name(th_sc_names ns, uint64_t v) {
    switch (ns) {
    case TH_SC_NAMES_VERSION:
        return th_version_name((uint16_t)v);
    case TH_SC_NAMES_SUITE:
        return th_cipher_suite_name((uint16_t)v);
    case TH_SC_NAMES_GROUP:
        return th_group_name((uint16_t)v);
    case TH_SC_NAMES_SCHEME:
        return th_sig_scheme_name((uint16_t)v);
    case TH_SC_NAMES_ALERT:
        return th_alert_name((uint8_t)v);
    case TH_SC_NAMES_EXT:
        return th_ext_name((uint16_t)v);
    case TH_SC_NAMES_PSK_MODE:
        return th_psk_ke_mode_name((uint8_t)v);
    default:
        return NULL;
    }
}

/* Appends one integer, by name where the field has a name space. */
static size_t fmt_int(th_sc_names ns, uint64_t v, char *out, size_t out_len) {
    const char *name = code_name(ns, v);
    int n = name != NULL ? snprintf(out, out_len, "%s", name)
                         : snprintf(out, out_len, "0x%llx", (unsigned long long)v);
    return n < 0 ? 0 : (size_t)n < out_len ? (size_t)n : out_len - 1;
}

static void fmt_ints(th_sc_names ns, const uint64_t *v, size_t num, char *out, size_t out_len) {
    size_t off = (size_t)snprintf(out, out_len, "[");
    for (size_t i = 0; i < num && off + 8 < out_len; i++) {
        if (i != 0) {
            off += (size_t)snprintf(out + off, out_len - off, ", ");
        }
        off += fmt_int(ns, v[i], out + off, out_len - off);
    }
    if (off + 1 < out_len) {
        snprintf(out + off, out_len - off, "]");
    }
}

static void fmt_expected(th_sc_names ns, const th_sc_value *v, char *out, size_t out_len) {
    size_t off = 0;
    switch (v->kind) {
    case TH_SC_VAL_INT:
        fmt_int(ns, v->i, out, out_len);
        return;
    case TH_SC_VAL_BYTES:
        fmt_bytes(v->bytes, v->bytes_len, out, out_len);
        return;
    case TH_SC_VAL_STRING:
        snprintf(out, out_len, "\"%s\"", v->str != NULL ? v->str : "");
        return;
    case TH_SC_VAL_INT_LIST:
        fmt_ints(ns, v->ints, v->num, out, out_len);
        return;
    case TH_SC_VAL_STR_LIST:
        off += (size_t)snprintf(out, out_len, "[");
        for (size_t i = 0; i < v->num && off < out_len; i++) {
            off +=
                (size_t)snprintf(out + off, out_len - off, "%s\"%s\"", i ? ", " : "", v->strs[i]);
        }
        if (off < out_len) {
            snprintf(out + off, out_len - off, "]");
        }
        return;
    }
}

static void fmt_actual(th_sc_names ns, const actual *a, char *out, size_t out_len) {
    size_t off = 0;
    if (a->absent) {
        snprintf(out, out_len, "(absent)");
        return;
    }
    switch (a->kind) {
    case TH_SC_VAL_INT:
        fmt_int(ns, a->i, out, out_len);
        return;
    case TH_SC_VAL_BYTES:
        fmt_bytes(a->b, a->blen, out, out_len);
        return;
    case TH_SC_VAL_STRING:
        snprintf(out, out_len, "\"%.*s\"", (int)a->blen, (const char *)a->b);
        return;
    case TH_SC_VAL_INT_LIST:
        fmt_ints(ns, a->ints, a->num, out, out_len);
        return;
    case TH_SC_VAL_STR_LIST:
        off += (size_t)snprintf(out, out_len, "[");
        for (size_t i = 0; i < a->num && off < out_len; i++) {
            off += (size_t)snprintf(out + off, out_len - off, "%s\"%.*s\"", i ? ", " : "",
                                    (int)a->strs[i].len, (const char *)a->strs[i].data);
        }
        if (off < out_len) {
            snprintf(out + off, out_len - off, "]");
        }
        return;
    }
}

static int equal(const th_sc_value *v, const actual *a) {
    if (a->absent) {
        return 0;
    }
    switch (v->kind) {
    case TH_SC_VAL_INT:
        return a->kind == TH_SC_VAL_INT && a->i == v->i;
    case TH_SC_VAL_BYTES:
        return (a->kind == TH_SC_VAL_BYTES || a->kind == TH_SC_VAL_STRING) &&
               a->blen == v->bytes_len && (a->blen == 0 || memcmp(a->b, v->bytes, a->blen) == 0);
    case TH_SC_VAL_STRING:
        return (a->kind == TH_SC_VAL_STRING || a->kind == TH_SC_VAL_BYTES) && v->str != NULL &&
               a->blen == strlen(v->str) && memcmp(a->b, v->str, a->blen) == 0;
    case TH_SC_VAL_INT_LIST:
        if (a->kind != TH_SC_VAL_INT_LIST || a->num != v->num) {
            return 0;
        }
        for (size_t i = 0; i < a->num; i++) {
            if (a->ints[i] != v->ints[i]) {
                return 0;
            }
        }
        return 1;
    case TH_SC_VAL_STR_LIST:
        if (a->kind != TH_SC_VAL_STR_LIST || a->num != v->num) {
            return 0;
        }
        for (size_t i = 0; i < a->num; i++) {
            if (a->strs[i].len != strlen(v->strs[i]) ||
                memcmp(a->strs[i].data, v->strs[i], a->strs[i].len) != 0) {
                return 0;
            }
        }
        return 1;
    }
    return 0;
}

static const char *field_name(th_sc_field f) {
    const th_sc_field_info *fi = th_sc_field_info_of(f);
    return fi != NULL ? fi->name : "field";
}

int ep_check_fields(th_ep *ep, const th_ep_event *ev, const th_sc_expect *x, char *exp,
                    size_t exp_len, char *got, size_t got_len) {
    (void)ep;
    if (x->num_fields == 0 && x->num_ext_present == 0 && x->num_ext_absent == 0) {
        return 1;
    }
    parsed p;
    const char *name = ev->msg != TH_SC_MSG_NONE ? th_sc_msg_name(ev->msg) : "?";
    if (!parse_msg(ev, &p)) {
        snprintf(exp, exp_len, "%s whose fields can be checked", name);
        snprintf(got, got_len, "a %s our codec does not parse", name);
        parsed_cleanup(&p);
        return 0;
    }
    int ok = 1;
    for (size_t i = 0; i < x->num_fields && ok; i++) {
        actual a;
        char e[TH_EP_TEXT_MAX / 2], g[TH_EP_TEXT_MAX / 2];
        const th_sc_set *f = &x->fields[i];
        if (!get_field(ev, &p, f->field, &a)) {
            snprintf(exp, exp_len, "%s with field %s", name, field_name(f->field));
            snprintf(got, got_len, "a message without that field");
            ok = 0;
            break;
        }
        if (f->field == TH_SC_F_SH_RANDOM_SUFFIX && f->value.bytes_len <= a.blen) {
            a.b += a.blen - f->value.bytes_len;
            a.blen = f->value.bytes_len;
        }
        if (!equal(&f->value, &a)) {
            const th_sc_field_info *fi = th_sc_field_info_of(f->field);
            th_sc_names ns = fi != NULL ? fi->names : TH_SC_NAMES_NONE;
            fmt_expected(ns, &f->value, e, sizeof(e));
            fmt_actual(ns, &a, g, sizeof(g));
            snprintf(exp, exp_len, "%s %s = %s", name, field_name(f->field), e);
            snprintf(got, got_len, "%s = %s", field_name(f->field), g);
            ok = 0;
        }
    }
    char nb[32];
    for (size_t i = 0; i < x->num_ext_present && ok; i++) {
        uint16_t t = x->ext_present[i];
        if (p.exts == NULL || th_ext_block_find(p.exts, t) == NULL) {
            snprintf(exp, exp_len, "%s with extension %s", name,
                     th_name_or_hex(th_ext_name(t), t, nb, sizeof(nb)));
            snprintf(got, got_len, "%s without it", name);
            ok = 0;
        }
    }
    for (size_t i = 0; i < x->num_ext_absent && ok; i++) {
        uint16_t t = x->ext_absent[i];
        if (p.exts != NULL && th_ext_block_find(p.exts, t) != NULL) {
            snprintf(exp, exp_len, "%s without extension %s", name,
                     th_name_or_hex(th_ext_name(t), t, nb, sizeof(nb)));
            snprintf(got, got_len, "%s with it", name);
            ok = 0;
        }
    }
    parsed_cleanup(&p);
    return ok;
}
