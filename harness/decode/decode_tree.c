/* The decoder's tree: node builders, the byte readers that add one node per
 * field, problem recording, and the two renderings (text and JSON). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decode_internal.h"
#include "names.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* Code points names.h does not carry (they only matter for display). */
static const th_name kSniTypes[] = {{0, "host_name"}};
/* RFC 6066 §4. */
static const th_name kMaxFragment[] = {{1, "2^9"}, {2, "2^10"}, {3, "2^11"}, {4, "2^12"}};
/* RFC 7250 §3 / IANA TLS Certificate Types. */
static const th_name kCertTypes[] = {{0, "X509"}, {1, "OpenPGP"}, {2, "RawPublicKey"}};
/* RFC 5246 §7.4.4, RFC 8422 §5.5. */
static const th_name kClientCertTypes[] = {
    {1, "rsa_sign"},    {2, "dss_sign"},        {3, "rsa_fixed_dh"},      {4, "dss_fixed_dh"},
    {64, "ecdsa_sign"}, {65, "rsa_fixed_ecdh"}, {66, "ecdsa_fixed_ecdh"},
};
/* RFC 8422 §5.4. */
static const th_name kCurveTypes[] = {
    {1, "explicit_prime"}, {2, "explicit_char2"}, {3, "named_curve"}};
/* RFC 6520 §2. */
static const th_name kHeartbeatModes[] = {{1, "peer_allowed_to_send"},
                                          {2, "peer_not_allowed_to_send"}};
/* RFC 8879 §3. */
static const th_name kCertCompression[] = {{1, "zlib"}, {2, "brotli"}, {3, "zstd"}};
/* draft-ietf-tls-esni §5. */
static const th_name kEchTypes[] = {{0, "outer"}, {1, "inner"}};
/* RFC 9180 §7.2 and §7.3. */
static const th_name kHpkeKdfs[] = {{1, "HKDF-SHA256"}, {2, "HKDF-SHA384"}, {3, "HKDF-SHA512"}};
static const th_name kHpkeAeads[] = {
    {1, "AES-128-GCM"}, {2, "AES-256-GCM"}, {3, "ChaCha20Poly1305"}, {0xffff, "export-only"}};
/* RFC 5764 §4.1.2. */
static const th_name kSrtpProfiles[] = {
    {1, "SRTP_AES128_CM_HMAC_SHA1_80"}, {2, "SRTP_AES128_CM_HMAC_SHA1_32"},
    {5, "SRTP_NULL_HMAC_SHA1_80"},      {6, "SRTP_NULL_HMAC_SHA1_32"},
    {7, "SRTP_AEAD_AES_128_GCM"},       {8, "SRTP_AEAD_AES_256_GCM"},
};

static const char *find(const th_name *table, size_t num, unsigned value) {
    for (size_t i = 0; i < num; i++) {
        if (table[i].value == value) {
            return table[i].name;
        }
    }
    return NULL;
}

const char *th_dname(th_nk kind, unsigned value) {
    switch (kind) {
    case TH_NK_NONE:
        return NULL;
    case TH_NK_CONTENT_TYPE:
        return th_content_type_name((uint8_t)value);
    case TH_NK_HS_TYPE:
        return th_handshake_type_name((uint8_t)value);
    case TH_NK_ALERT:
        return th_alert_name((uint8_t)value);
    case TH_NK_ALERT_LEVEL:
        return th_alert_level_name((uint8_t)value);
    case TH_NK_VERSION:
        return th_version_name((uint16_t)value);
    case TH_NK_CIPHER:
        return th_cipher_suite_name((uint16_t)value);
    case TH_NK_GROUP:
        return th_group_name((uint16_t)value);
    case TH_NK_SIG:
        return th_sig_scheme_name((uint16_t)value);
    case TH_NK_EXT:
        return th_ext_name((uint16_t)value);
    case TH_NK_PSK_MODE:
        return th_psk_ke_mode_name((uint8_t)value);
    case TH_NK_POINT_FORMAT:
        return th_ec_point_format_name((uint8_t)value);
    case TH_NK_COMPRESSION:
        return th_compression_name((uint8_t)value);
    case TH_NK_STATUS_TYPE:
        return th_cert_status_type_name((uint8_t)value);
    case TH_NK_KEY_UPDATE:
        return th_key_update_name((uint8_t)value);
    case TH_NK_SNI_TYPE:
        return find(kSniTypes, COUNT(kSniTypes), value);
    case TH_NK_MAX_FRAGMENT:
        return find(kMaxFragment, COUNT(kMaxFragment), value);
    case TH_NK_CERT_TYPE:
        return find(kCertTypes, COUNT(kCertTypes), value);
    case TH_NK_CLIENT_CERT_TYPE:
        return find(kClientCertTypes, COUNT(kClientCertTypes), value);
    case TH_NK_CURVE_TYPE:
        return find(kCurveTypes, COUNT(kCurveTypes), value);
    case TH_NK_HEARTBEAT_MODE:
        return find(kHeartbeatModes, COUNT(kHeartbeatModes), value);
    case TH_NK_CERT_COMPRESSION:
        return find(kCertCompression, COUNT(kCertCompression), value);
    case TH_NK_ECH_TYPE:
        return find(kEchTypes, COUNT(kEchTypes), value);
    case TH_NK_HPKE_KDF:
        return find(kHpkeKdfs, COUNT(kHpkeKdfs), value);
    case TH_NK_HPKE_AEAD:
        return find(kHpkeAeads, COUNT(kHpkeAeads), value);
    case TH_NK_SRTP_PROFILE:
        return find(kSrtpProfiles, COUNT(kSrtpProfiles), value);
    }
    return NULL;
}

size_t th_doff(const th_dctx *c, const uint8_t *p) {
    size_t logical = (size_t)(p - c->buf);
    if (c->num_segs == 0) {
        return c->buf_input_off + logical;
    }
    for (size_t i = 0; i < c->num_segs; i++) {
        const th_dseg *s = &c->segs[i];
        if (logical >= s->logical && logical - s->logical < s->len) {
            return s->input + (logical - s->logical);
        }
    }
    /* One past the end of the message: just after its last piece. */
    const th_dseg *last = &c->segs[c->num_segs - 1];
    return last->input + last->len;
}

json_t *th_dnode(th_dctx *c, json_t *parent, const char *field, const uint8_t *at, size_t len) {
    json_t *node = json_object();
    if (node == NULL) {
        return NULL;
    }
    json_object_set_new(node, "field", json_string(field));
    json_object_set_new(node, "offset", json_integer((json_int_t)th_doff(c, at)));
    json_object_set_new(node, "length", json_integer((json_int_t)len));
    json_t *children = json_object_get(parent, "children");
    if (children == NULL) {
        children = json_array();
        if (json_object_set_new(parent, "children", children) != 0) {
            json_decref(node);
            return NULL;
        }
    }
    if (json_array_append_new(children, node) != 0) {
        return NULL;
    }
    return node;
}

void th_dnode_int(json_t *node, uint64_t value, th_nk kind) {
    json_object_set_new(node, "value", json_integer((json_int_t)value));
    if (kind != TH_NK_NONE) {
        const char *name = th_dname(kind, (unsigned)value);
        json_object_set_new(node, "name", name != NULL ? json_string(name) : json_null());
    }
}

void th_dnode_hex(json_t *node, const uint8_t *p, size_t len) {
    static const char kHex[] = "0123456789abcdef";
    char *s = malloc(len * 2 + 1);
    if (s == NULL) {
        return;
    }
    for (size_t i = 0; i < len; i++) {
        s[2 * i] = kHex[p[i] >> 4];
        s[2 * i + 1] = kHex[p[i] & 15];
    }
    s[len * 2] = '\0';
    json_object_set_new(node, "hex", json_string(s));
    free(s);
}

void th_dnode_text(json_t *node, const uint8_t *p, size_t len) {
    for (size_t i = 0; i < len; i++) {
        if (p[i] < 0x20 || p[i] > 0x7e) {
            th_dnode_hex(node, p, len);
            th_dnode_note(node, "not printable ASCII");
            return;
        }
    }
    json_object_set_new(node, "value", json_stringn((const char *)p, len));
}

void th_dnode_note(json_t *node, const char *note) {
    const char *old = json_string_value(json_object_get(node, "note"));
    if (old == NULL) {
        json_object_set_new(node, "note", json_string(note));
        return;
    }
    char buf[256];
    snprintf(buf, sizeof(buf), "%s; %s", old, note);
    json_object_set_new(node, "note", json_string(buf));
}

void th_dfail(th_dctx *c, const uint8_t *at, json_t *node, const char *field, uint8_t alert,
              const char *fmt, ...) {
    if (c->viol_set) {
        return;
    }
    c->viol_set = 1;
    c->viol_off = th_doff(c, at);
    c->viol_alert = alert;
    c->viol_node = node;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->viol_reason, sizeof(c->viol_reason), fmt, ap);
    va_end(ap);
    int n = snprintf(c->viol_where, sizeof(c->viol_where), "%s",
                     c->msg_name != NULL ? c->msg_name : "input");
    if (n > 0 && (size_t)n < sizeof(c->viol_where) && c->ext_label[0] != '\0') {
        n += snprintf(c->viol_where + n, sizeof(c->viol_where) - (size_t)n, ", %s", c->ext_label);
    }
    if (n > 0 && (size_t)n < sizeof(c->viol_where) && field != NULL) {
        snprintf(c->viol_where + n, sizeof(c->viol_where) - (size_t)n, ", field %s", field);
    }
    if (node != NULL) {
        json_object_set_new(node, "error", json_string(c->viol_reason));
    }
}

void th_dwithdraw(th_dctx *c) {
    if (!c->viol_set) {
        return;
    }
    if (c->viol_node != NULL) {
        json_object_set(c->viol_node, "warning", json_object_get(c->viol_node, "error"));
        json_object_del(c->viol_node, "error");
    }
    c->viol_set = 0;
    c->viol_node = NULL;
}

void th_dstream_error(th_dctx *c, size_t offset, const char *where, uint8_t alert, const char *fmt,
                      ...) {
    if (c->err->set) {
        return;
    }
    c->err->set = 1;
    c->err->offset = offset;
    c->err->alert = alert;
    snprintf(c->err->where, sizeof(c->err->where), "%s", where);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->err->reason, sizeof(c->err->reason), fmt, ap);
    va_end(ap);
}

static void short_input(th_dctx *c, CBS *in, json_t *parent, const char *field, size_t need) {
    json_t *node = th_dnode(c, parent, field, CBS_data(in), CBS_len(in));
    if (CBS_len(in) != 0) {
        th_dnode_hex(node, CBS_data(in), CBS_len(in));
    }
    th_dfail(c, CBS_data(in), node, field, TH_ALERT_DECODE_ERROR, "needs %zu bytes, %zu left", need,
             CBS_len(in));
}

int th_rd_uint(th_dctx *c, CBS *in, json_t *parent, const char *field, size_t width, th_nk kind,
               uint32_t *out) {
    const uint8_t *at = CBS_data(in);
    uint64_t v = 0;
    if (width < 1 || width > 4 || CBS_len(in) < width) {
        short_input(c, in, parent, field, width);
        return 0;
    }
    for (size_t i = 0; i < width; i++) {
        uint8_t b;
        (void)CBS_get_u8(in, &b);
        v = (v << 8) | b;
    }
    th_dnode_int(th_dnode(c, parent, field, at, width), v, kind);
    if (out != NULL) {
        *out = (uint32_t)v;
    }
    return 1;
}

int th_rd_fixed(th_dctx *c, CBS *in, json_t *parent, const char *field, size_t n, CBS *out) {
    CBS bytes;
    if (!CBS_get_bytes(in, &bytes, n)) {
        short_input(c, in, parent, field, n);
        return 0;
    }
    th_dnode_hex(th_dnode(c, parent, field, CBS_data(&bytes), n), CBS_data(&bytes), n);
    if (out != NULL) {
        *out = bytes;
    }
    return 1;
}

static int get_prefixed(CBS *in, size_t width, CBS *out, uint64_t *out_len) {
    CBS copy = *in;
    uint64_t len = 0;
    for (size_t i = 0; i < width; i++) {
        uint8_t b;
        if (!CBS_get_u8(&copy, &b)) {
            return -1;
        }
        len = (len << 8) | b;
    }
    *out_len = len;
    if (!CBS_get_bytes(&copy, out, (size_t)len)) {
        return 0;
    }
    *in = copy;
    return 1;
}

int th_rd_vec(th_dctx *c, CBS *in, json_t *parent, const char *field, size_t width, size_t min,
              size_t max, CBS *out_body, json_t **out_node) {
    const uint8_t *at = CBS_data(in);
    uint64_t len = 0;
    int r = get_prefixed(in, width, out_body, &len);
    if (r < 0) {
        short_input(c, in, parent, field, width);
        return 0;
    }
    if (r == 0) {
        json_t *node = th_dnode(c, parent, field, at, CBS_len(in));
        th_dfail(c, at, node, field, TH_ALERT_DECODE_ERROR,
                 "length %llu exceeds the %zu bytes left", (unsigned long long)len,
                 CBS_len(in) - width);
        return 0;
    }
    json_t *node = th_dnode(c, parent, field, at, width + (size_t)len);
    if (len < min || len > max) {
        th_dfail(c, at, node, field, TH_ALERT_DECODE_ERROR,
                 "length %llu outside the allowed %zu..%zu", (unsigned long long)len, min, max);
    }
    if (out_node != NULL) {
        *out_node = node;
    }
    return 1;
}

int th_rd_opaque(th_dctx *c, CBS *in, json_t *parent, const char *field, size_t width, size_t min,
                 size_t max, int as_text, json_t **out_node) {
    CBS body;
    json_t *node = NULL;
    if (!th_rd_vec(c, in, parent, field, width, min, max, &body, &node)) {
        return 0;
    }
    if (as_text) {
        th_dnode_text(node, CBS_data(&body), CBS_len(&body));
    } else {
        th_dnode_hex(node, CBS_data(&body), CBS_len(&body));
    }
    if (out_node != NULL) {
        *out_node = node;
    }
    return 1;
}

int th_rd_list(th_dctx *c, CBS *in, json_t *parent, const char *field, const char *item,
               size_t width, size_t min, size_t max, size_t item_width, th_nk kind, CBS *out_body) {
    CBS body;
    json_t *node = NULL;
    if (!th_rd_vec(c, in, parent, field, width, min, max, &body, &node)) {
        return 0;
    }
    if (out_body != NULL) {
        *out_body = body;
    }
    if (CBS_len(&body) % item_width != 0) {
        th_dfail(c, CBS_data(&body), node, field, TH_ALERT_DECODE_ERROR,
                 "%zu bytes is not a whole number of %zu-byte entries", CBS_len(&body), item_width);
    }
    while (CBS_len(&body) >= item_width) {
        (void)th_rd_uint(c, &body, node, item, item_width, kind, NULL);
    }
    if (CBS_len(&body) != 0) {
        th_dnode_hex(th_dnode(c, node, "trailing_bytes", CBS_data(&body), CBS_len(&body)),
                     CBS_data(&body), CBS_len(&body));
    }
    return 1;
}

json_t *th_dgroup(th_dctx *c, json_t *parent, const char *field, const uint8_t *at) {
    return th_dnode(c, parent, field, at, 0);
}

void th_dgroup_end(json_t *node, const uint8_t *at, const CBS *now) {
    json_object_set_new(node, "length", json_integer((json_int_t)(CBS_data(now) - at)));
}

void th_drest(th_dctx *c, CBS *in, json_t *parent, const char *what) {
    if (CBS_len(in) == 0) {
        return;
    }
    json_t *node = th_dnode(c, parent, "trailing_bytes", CBS_data(in), CBS_len(in));
    th_dnode_hex(node, CBS_data(in), CBS_len(in));
    th_dfail(c, CBS_data(in), node, "trailing_bytes", TH_ALERT_DECODE_ERROR,
             "%zu bytes after the end of %s", CBS_len(in), what);
    CBS_skip(in, CBS_len(in));
}

/* Text rendering. */

/* Extension and handshake types read best in decimal (as in the RFCs and
 * IANA's registries), one-byte code points too; other code points in hex
 * (cipher suites, groups, signature schemes, versions). */
static int decimal_code_point(const char *field, json_int_t length) {
    return length == 1 || strcmp(field, "extension") == 0 || strcmp(field, "handshake") == 0;
}

static void render_value(const json_t *node, const char *field, FILE *f) {
    const json_t *value = json_object_get(node, "value");
    const json_t *name = json_object_get(node, "name");
    json_int_t length = json_integer_value(json_object_get(node, "length"));
    if (json_is_integer(value)) {
        json_int_t v = json_integer_value(value);
        if (name == NULL) {
            fprintf(f, ": %lld", (long long)v);
        } else {
            const char *s = json_is_string(name) ? json_string_value(name) : "unknown";
            if (decimal_code_point(field, length) || length > 4 || length < 1) {
                fprintf(f, ": %s (%lld)", s, (long long)v);
            } else {
                fprintf(f, ": %s (0x%0*llx)", s, (int)(length * 2), (unsigned long long)v);
            }
        }
    } else if (json_is_string(value)) {
        fputs(": \"", f);
        for (const char *p = json_string_value(value); *p != '\0'; p++) {
            if (*p == '"' || *p == '\\') {
                fputc('\\', f);
            }
            fputc(*p, f);
        }
        fputc('"', f);
    }
    const char *hex = json_string_value(json_object_get(node, "hex"));
    if (hex != NULL) {
        /* Text shows the first 32 bytes; --json has them all. */
        size_t n = strlen(hex);
        if (n == 0) {
            fputs(": (empty)", f);
        } else {
            fprintf(f, ": %.*s%s (%zu byte%s)", (int)(n > 64 ? 64 : n), hex, n > 64 ? "..." : "",
                    n / 2, n == 2 ? "" : "s");
        }
    }
}

static void render_node(const json_t *node, FILE *f, int depth, int width) {
    const char *field = json_string_value(json_object_get(node, "field"));
    json_int_t offset = json_integer_value(json_object_get(node, "offset"));
    json_int_t length = json_integer_value(json_object_get(node, "length"));
    fprintf(f, "%0*llx %6lld  %*s%s", width, (unsigned long long)offset, (long long)length,
            depth * 2, "", field != NULL ? field : "?");
    render_value(node, field != NULL ? field : "", f);
    const char *note = json_string_value(json_object_get(node, "note"));
    if (note != NULL) {
        fprintf(f, "  [%s]", note);
    }
    const char *error = json_string_value(json_object_get(node, "error"));
    if (error != NULL) {
        fprintf(f, "  <-- error: %s", error);
    }
    const char *warning = json_string_value(json_object_get(node, "warning"));
    if (warning != NULL) {
        fprintf(f, "  <-- warning (our codec accepts it): %s", warning);
    }
    fputc('\n', f);
    const json_t *fragments = json_object_get(node, "fragments");
    if (json_array_size(fragments) > 1) {
        fprintf(f, "%*s  %*sreassembled from %zu fragments:", width + 6, "", depth * 2 + 2, "",
                json_array_size(fragments));
        size_t i;
        const json_t *frag;
        json_array_foreach(fragments, i, frag) {
            fprintf(f, " 0x%llx+%lld",
                    (unsigned long long)json_integer_value(json_object_get(frag, "offset")),
                    (long long)json_integer_value(json_object_get(frag, "length")));
        }
        fputc('\n', f);
    }
    size_t i;
    const json_t *child;
    json_array_foreach(json_object_get(node, "children"), i, child) {
        render_node(child, f, depth + 1, width);
    }
    const json_t *fp = json_object_get(node, "fingerprints");
    if (fp != NULL) {
        static const char *const kKeys[] = {"ja3", "ja3_hash", "ja4", "ja4_r"};
        for (size_t k = 0; k < COUNT(kKeys); k++) {
            const char *v = json_string_value(json_object_get(fp, kKeys[k]));
            if (v != NULL) {
                fprintf(f, "%*s  %*s%s: %s\n", width + 6, "", depth * 2 + 2, "", kKeys[k], v);
            }
        }
    }
}

void th_decode_render_text(const json_t *tree, FILE *f) {
    json_int_t length = json_integer_value(json_object_get(tree, "length"));
    int width = 4;
    while (width < 16 && (length >> (4 * width)) != 0) {
        width++;
    }
    fprintf(f, "%-*s %6s  %s\n", width, "off", "len", "field");
    render_node(tree, f, 0, width);
}

int th_decode_render_json(const json_t *tree, FILE *f) {
    if (json_dumpf(tree, f, JSON_INDENT(2) | JSON_PRESERVE_ORDER) != 0) {
        return 0;
    }
    return fputc('\n', f) != EOF;
}

void th_decode_error_format(const th_decode_error *err, char *buf, size_t buf_len) {
    const char *alert = th_alert_name(err->alert);
    char alert_buf[32];
    if (alert == NULL) {
        snprintf(alert_buf, sizeof(alert_buf), "alert %u", err->alert);
        alert = alert_buf;
    }
    snprintf(buf, buf_len, "offset 0x%04zx (%zu): %s: %s%s%s%s", err->offset, err->offset,
             err->where, alert, err->reason[0] != '\0' ? " (" : "", err->reason,
             err->reason[0] != '\0' ? ")" : "");
}
