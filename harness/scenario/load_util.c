/* The loader's typed readers over libyaml nodes: every reader checks the
 * node's kind, the name space and the range of its value and reports what it
 * expected at the node's line and column. */
#include "load_internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "names.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static int errs_append(th_sc_errors *errs, const char *msg) {
    for (size_t i = 0; i < errs->num; i++) {
        if (strcmp(errs->msgs[i], msg) == 0) {
            return 1;
        }
    }
    char *copy = strdup(msg);
    if (copy == NULL) {
        return 0;
    }
    char **p = th_array_grow(errs->msgs, errs->num, sizeof(*errs->msgs));
    if (p == NULL) {
        free(copy);
        return 0;
    }
    errs->msgs = p;
    errs->msgs[errs->num++] = copy;
    return 1;
}

void th_ld_errs_add(th_sc_errors *errs, const char *fmt, ...) {
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    if (!errs_append(errs, buf)) {
        /* Out of memory: the caller still fails on errs->num == 0 below. */
        return;
    }
}

void th_ld_err(th_ld *c, const yaml_node_t *n, const char *fmt, ...) {
    c->failed++;
    if (c->quiet) {
        return;
    }
    if (c->failed > TH_LD_MAX_ERRORS) {
        if (c->failed == TH_LD_MAX_ERRORS + 1) {
            th_ld_errs_add(c->errs, "%s: more than %d errors in one document; not listing more",
                           c->file, TH_LD_MAX_ERRORS);
        }
        return;
    }
    char msg[768];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    if (n == NULL) {
        th_ld_errs_add(c->errs, "%s: %s", c->file, msg);
    } else {
        th_ld_errs_add(c->errs, "%s:%lu:%lu: %s", c->file, (unsigned long)n->start_mark.line + 1,
                       (unsigned long)n->start_mark.column + 1, msg);
    }
}

th_sc_loc th_ld_loc(th_ld *c, const yaml_node_t *n) {
    th_sc_loc loc;
    loc.file = c->file;
    loc.line = n == NULL ? 0 : (unsigned)n->start_mark.line + 1;
    loc.column = n == NULL ? 0 : (unsigned)n->start_mark.column + 1;
    return loc;
}

yaml_node_t *th_ld_node(th_ld *c, int index) {
    if (c->over_budget) {
        return NULL;
    }
    if (++c->visits > TH_LD_MAX_VISITS) {
        c->over_budget = 1;
        th_ld_err(c, NULL,
                  "file too large to load: more than %d nodes to read (aliases and matrix "
                  "rows included)",
                  TH_LD_MAX_VISITS);
        return NULL;
    }
    return yaml_document_get_node(c->doc, index);
}

int th_ld_charge(th_ld *c, yaml_node_t *n, size_t len) {
    if (len > TH_LD_MAX_BYTES || c->bytes + len > TH_LD_MAX_BYTES) {
        if (!c->over_budget) {
            c->over_budget = 1;
            th_ld_err(c, n, "file too large to load: its values need more than %u bytes",
                      TH_LD_MAX_BYTES);
        }
        return 0;
    }
    c->bytes += len;
    return 1;
}

const char *th_ld_kind(th_ld *c, const yaml_node_t *n, char *buf, size_t buf_len) {
    (void)c;
    if (n == NULL) {
        return "nothing";
    }
    switch (n->type) {
    case YAML_MAPPING_NODE:
        return "a mapping";
    case YAML_SEQUENCE_NODE:
        return "a list";
    case YAML_SCALAR_NODE:
        if (n->data.scalar.length > 40) {
            snprintf(buf, buf_len, "'%.37s...'", (const char *)n->data.scalar.value);
        } else {
            snprintf(buf, buf_len, "'%.40s'", (const char *)n->data.scalar.value);
        }
        return buf;
    default:
        return "nothing";
    }
}

static int var_char(char ch) {
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
           ch == '_';
}

/* The value of the matrix variable written at |p| ("${name}..."), its
 * length in |*out_len| of the reference; NULL if |p| is no known reference. */
static const char *var_ref(th_ld *c, const char *p, size_t *out_len) {
    if (p[0] != '$' || p[1] != '{') {
        return NULL;
    }
    size_t n = 0;
    while (var_char(p[2 + n])) {
        n++;
    }
    if (n == 0 || p[2 + n] != '}') {
        return NULL;
    }
    for (size_t i = 0; i < c->num_vars; i++) {
        if (strlen(c->var_names[i]) == n && memcmp(c->var_names[i], p + 2, n) == 0) {
            *out_len = n + 3;
            return c->var_values[i];
        }
    }
    return NULL;
}

const char *th_ld_str(th_ld *c, yaml_node_t *n, const char *what) {
    char kb[64];
    if (n == NULL) {
        return NULL;
    }
    if (n->type != YAML_SCALAR_NODE) {
        th_ld_err(c, n, "expected %s, got %s", what, th_ld_kind(c, n, kb, sizeof(kb)));
        return NULL;
    }
    const char *v = (const char *)n->data.scalar.value;
    if (strlen(v) != n->data.scalar.length) {
        th_ld_err(c, n, "expected %s, got text with a NUL character", what);
        return NULL;
    }
    if (strstr(v, "${") == NULL) {
        return v;
    }
    /* A reference to no variable was reported by the matrix check: type
     * nothing more from that scalar. */
    for (const char *p = strstr(v, "${"); p != NULL; p = strstr(p + 2, "${")) {
        size_t ref_len;
        size_t name_len = 0;
        while (var_char(p[2 + name_len])) {
            name_len++;
        }
        if (name_len > 0 && p[2 + name_len] == '}' && var_ref(c, p, &ref_len) == NULL) {
            c->failed++;
            return NULL;
        }
    }
    if (c->num_vars == 0) {
        return v;
    }
    size_t out_len = 0;
    for (const char *p = v; *p != '\0';) {
        size_t ref_len;
        const char *val = var_ref(c, p, &ref_len);
        if (val != NULL) {
            out_len += strlen(val);
            p += ref_len;
        } else {
            out_len++;
            p++;
        }
    }
    if (!th_ld_charge(c, n, out_len + 1)) {
        return NULL;
    }
    char *out = malloc(out_len + 1);
    char **arena = th_array_grow(c->arena, c->num_arena, sizeof(*c->arena));
    if (out == NULL || arena == NULL) {
        free(out);
        th_ld_err(c, n, "out of memory");
        return NULL;
    }
    c->arena = arena;
    c->arena[c->num_arena++] = out;
    size_t o = 0;
    for (const char *p = v; *p != '\0';) {
        size_t ref_len;
        const char *val = var_ref(c, p, &ref_len);
        if (val != NULL) {
            memcpy(out + o, val, strlen(val));
            o += strlen(val);
            p += ref_len;
        } else {
            out[o++] = *p++;
        }
    }
    out[o] = '\0';
    return out;
}

int th_ld_map(th_ld *c, yaml_node_t *n, const char *what, const char *const *allowed,
              size_t num_allowed) {
    char kb[64];
    if (n == NULL) {
        return 0;
    }
    if (n->type != YAML_MAPPING_NODE) {
        th_ld_err(c, n, "expected %s (a mapping), got %s", what, th_ld_kind(c, n, kb, sizeof(kb)));
        return 0;
    }
    for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
        yaml_node_t *k = th_ld_node(c, p->key);
        if (k == NULL) {
            return 0;
        }
        const char *key = th_ld_str(c, k, "a key");
        if (key == NULL) {
            continue;
        }
        int known = allowed == NULL;
        for (size_t i = 0; allowed != NULL && i < num_allowed; i++) {
            if (strcmp(allowed[i], key) == 0) {
                known = 1;
                break;
            }
        }
        if (!known) {
            char list[768];
            size_t used = 0;
            list[0] = '\0';
            for (size_t i = 0; i < num_allowed && used < sizeof(list); i++) {
                int w = snprintf(list + used, sizeof(list) - used, "%s%s", i > 0 ? ", " : "",
                                 allowed[i]);
                if (w < 0) {
                    break;
                }
                used += (size_t)w;
            }
            th_ld_err(c, k, "unknown key '%s' in %s (expected one of: %s)", key, what, list);
            continue;
        }
        for (yaml_node_pair_t *q = n->data.mapping.pairs.start; q < p; q++) {
            yaml_node_t *k2 = yaml_document_get_node(c->doc, q->key);
            if (k2 != NULL && k2->type == YAML_SCALAR_NODE &&
                strcmp((const char *)k2->data.scalar.value, key) == 0) {
                th_ld_err(c, k, "duplicate key '%s' in %s (first at line %lu, column %lu)", key,
                          what, (unsigned long)k2->start_mark.line + 1,
                          (unsigned long)k2->start_mark.column + 1);
                break;
            }
        }
    }
    return 1;
}

yaml_node_t *th_ld_get(th_ld *c, yaml_node_t *map, const char *key, yaml_node_t **out_key) {
    if (map == NULL || map->type != YAML_MAPPING_NODE) {
        return NULL;
    }
    for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top;
         p++) {
        yaml_node_t *k = yaml_document_get_node(c->doc, p->key);
        if (k != NULL && k->type == YAML_SCALAR_NODE &&
            strcmp((const char *)k->data.scalar.value, key) == 0) {
            if (out_key != NULL) {
                *out_key = k;
            }
            return th_ld_node(c, p->value);
        }
    }
    return NULL;
}

yaml_node_t *th_ld_need(th_ld *c, yaml_node_t *map, const char *key, const char *what) {
    yaml_node_t *v = th_ld_get(c, map, key, NULL);
    if (v == NULL && !c->over_budget && map != NULL && map->type == YAML_MAPPING_NODE) {
        th_ld_err(c, map, "missing required key '%s' in %s", key, what);
    }
    return v;
}

/* 1 and the value of a decimal or 0x-hex number; 0 if |s| is not written as
 * a number; -1 if it is too large for 64 bits. */
static int parse_number(const char *s, uint64_t *out) {
    uint64_t v = 0;
    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        s += 2;
        if (*s == '\0') {
            return 0;
        }
        for (; *s != '\0'; s++) {
            unsigned d;
            if (*s >= '0' && *s <= '9') {
                d = (unsigned)(*s - '0');
            } else if (*s >= 'a' && *s <= 'f') {
                d = (unsigned)(*s - 'a' + 10);
            } else if (*s >= 'A' && *s <= 'F') {
                d = (unsigned)(*s - 'A' + 10);
            } else {
                return 0;
            }
            if (v > (UINT64_MAX >> 4)) {
                return -1;
            }
            v = (v << 4) | d;
        }
        *out = v;
        return 1;
    }
    if (*s == '\0') {
        return 0;
    }
    for (; *s != '\0'; s++) {
        if (*s < '0' || *s > '9') {
            return 0;
        }
        unsigned d = (unsigned)(*s - '0');
        if (v > (UINT64_MAX - d) / 10) {
            return -1;
        }
        v = v * 10 + d;
    }
    *out = v;
    return 1;
}

static const struct {
    th_sc_names names;
    const char *one;  /* "a cipher suite name or number" */
    const char *many; /* "cipher suite names or numbers" */
    const char *noun; /* "cipher suite" */
} kNameSpaces[] = {
    {TH_SC_NAMES_NONE, "a number", "numbers", "number"},
    {TH_SC_NAMES_VERSION, "a version (tls1.0..tls1.3, a name or a number)",
     "versions (tls1.0..tls1.3, names or numbers)", "version"},
    {TH_SC_NAMES_SUITE, "a cipher suite name or number", "cipher suite names or numbers",
     "cipher suite"},
    {TH_SC_NAMES_GROUP, "a group name or number", "group names or numbers", "group"},
    {TH_SC_NAMES_SCHEME, "a signature scheme name or number", "signature scheme names or numbers",
     "signature scheme"},
    {TH_SC_NAMES_ALERT, "an alert name or number", "alert names or numbers", "alert"},
    {TH_SC_NAMES_EXT, "an extension name or number", "extension names or numbers", "extension"},
    {TH_SC_NAMES_PSK_MODE, "a PSK key exchange mode (psk_ke, psk_dhe_ke or a number)",
     "PSK key exchange modes (psk_ke, psk_dhe_ke or numbers)", "PSK key exchange mode"},
};

static size_t ns_index(th_sc_names names) {
    for (size_t i = 0; i < COUNT(kNameSpaces); i++) {
        if (kNameSpaces[i].names == names) {
            return i;
        }
    }
    return 0;
}

static int lookup_name(th_sc_names names, const char *s, uint64_t *out) {
    uint16_t v16 = 0;
    uint8_t v8 = 0;
    switch (names) {
    case TH_SC_NAMES_VERSION:
        if (!th_version_by_name(s, &v16)) {
            return 0;
        }
        break;
    case TH_SC_NAMES_SUITE:
        if (!th_cipher_suite_by_name(s, &v16)) {
            return 0;
        }
        break;
    case TH_SC_NAMES_GROUP:
        if (!th_group_by_name(s, &v16)) {
            return 0;
        }
        break;
    case TH_SC_NAMES_SCHEME:
        if (!th_sig_scheme_by_name(s, &v16)) {
            return 0;
        }
        break;
    case TH_SC_NAMES_ALERT:
        if (!th_alert_by_name(s, &v8)) {
            return 0;
        }
        v16 = v8;
        break;
    case TH_SC_NAMES_EXT:
        /* "alpn" is what everyone calls extension 16 (RFC 7301). */
        if (strcmp(s, "alpn") == 0) {
            v16 = TH_EXT_ALPN;
        } else if (!th_ext_by_name(s, &v16)) {
            return 0;
        }
        break;
    case TH_SC_NAMES_PSK_MODE:
        /* RFC 8446 §4.2.9: psk_ke(0), psk_dhe_ke(1) */
        if (strcmp(s, "psk_ke") == 0) {
            v16 = 0;
        } else if (strcmp(s, "psk_dhe_ke") == 0) {
            v16 = 1;
        } else {
            return 0;
        }
        break;
    default:
        return 0;
    }
    *out = v16;
    return 1;
}

static int code_of(th_ld *c, yaml_node_t *n, const char *s, th_sc_names names, uint64_t max,
                   uint64_t *out) {
    size_t ns = ns_index(names);
    uint64_t v = 0;
    int r = parse_number(s, &v);
    if (r == 0 && !lookup_name(names, s, &v)) {
        if (names == TH_SC_NAMES_NONE || (s[0] >= '0' && s[0] <= '9')) {
            th_ld_err(c, n, "expected %s, got '%.64s'", kNameSpaces[ns].one, s);
        } else {
            th_ld_err(c, n, "unknown %s '%.64s' (expected %s)", kNameSpaces[ns].noun, s,
                      kNameSpaces[ns].one);
        }
        return 0;
    }
    if (r < 0 || v > max) {
        th_ld_err(c, n, "%s %.64s is out of range (0..%llu)", kNameSpaces[ns].noun, s,
                  (unsigned long long)max);
        return 0;
    }
    *out = v;
    return 1;
}

int th_ld_uint(th_ld *c, yaml_node_t *n, const char *what, uint64_t max, uint64_t *out) {
    const char *s = th_ld_str(c, n, what);
    if (s == NULL) {
        return 0;
    }
    uint64_t v = 0;
    int r = parse_number(s, &v);
    if (r == 0) {
        th_ld_err(c, n, "expected %s, got '%.64s'", what, s);
        return 0;
    }
    if (r < 0 || v > max) {
        th_ld_err(c, n, "%.64s is out of range for %s (0..%llu)", s, what, (unsigned long long)max);
        return 0;
    }
    *out = v;
    return 1;
}

int th_ld_code(th_ld *c, yaml_node_t *n, th_sc_names names, uint64_t max, uint64_t *out) {
    const char *s = th_ld_str(c, n, kNameSpaces[ns_index(names)].one);
    return s != NULL && code_of(c, n, s, names, max, out);
}

int th_ld_bool(th_ld *c, yaml_node_t *n, const char *what, int *out) {
    const char *s = th_ld_str(c, n, "true or false");
    if (s == NULL) {
        return 0;
    }
    if (strcmp(s, "true") == 0) {
        *out = 1;
    } else if (strcmp(s, "false") == 0) {
        *out = 0;
    } else {
        th_ld_err(c, n, "expected true or false for %s, got '%.64s'", what, s);
        return 0;
    }
    return 1;
}

int th_ld_strdup(th_ld *c, yaml_node_t *n, const char *what, char **out) {
    const char *s = th_ld_str(c, n, what);
    if (s == NULL || !th_ld_charge(c, n, strlen(s) + 1)) {
        return 0;
    }
    char *copy = strdup(s);
    if (copy == NULL) {
        th_ld_err(c, n, "out of memory");
        return 0;
    }
    free(*out);
    *out = copy;
    return 1;
}

static int hex_digit(char ch) {
    if (ch >= '0' && ch <= '9') {
        return ch - '0';
    }
    if (ch >= 'a' && ch <= 'f') {
        return ch - 'a' + 10;
    }
    if (ch >= 'A' && ch <= 'F') {
        return ch - 'A' + 10;
    }
    return -1;
}

int th_ld_hex(th_ld *c, yaml_node_t *n, const char *what, uint8_t **out, size_t *out_len) {
    const char *s = th_ld_str(c, n, what);
    if (s == NULL) {
        return 0;
    }
    size_t digits = 0;
    for (size_t i = 0; s[i] != '\0'; i++) {
        if (s[i] == ':' || s[i] == ' ' || s[i] == '\n' || s[i] == '\t') {
            continue;
        }
        if (hex_digit(s[i]) < 0) {
            th_ld_err(c, n, "bad hex string for %s: '%c' at offset %zu is not a hex digit", what,
                      s[i], i);
            return 0;
        }
        digits++;
    }
    if (digits % 2 != 0) {
        th_ld_err(c, n, "bad hex string for %s: odd number of hex digits (%zu)", what, digits);
        return 0;
    }
    if (!th_ld_charge(c, n, digits / 2 + 1)) {
        return 0;
    }
    uint8_t *buf = malloc(digits / 2 + 1);
    if (buf == NULL) {
        th_ld_err(c, n, "out of memory");
        return 0;
    }
    size_t o = 0;
    int hi = -1;
    for (size_t i = 0; s[i] != '\0'; i++) {
        int d = hex_digit(s[i]);
        if (d < 0) {
            continue;
        }
        if (hi < 0) {
            hi = d;
        } else {
            buf[o++] = (uint8_t)((hi << 4) | d);
            hi = -1;
        }
    }
    free(*out);
    *out = buf;
    *out_len = o;
    return 1;
}

/* Checks that |n| is a list, naming |what| ("a list of ..."). */
static int is_list(th_ld *c, yaml_node_t *n, const char *what) {
    char kb[64];
    if (n == NULL) {
        return 0;
    }
    if (n->type != YAML_SEQUENCE_NODE) {
        th_ld_err(c, n, "expected a list of %s, got %s", what, th_ld_kind(c, n, kb, sizeof(kb)));
        return 0;
    }
    return 1;
}

int th_ld_code_list(th_ld *c, yaml_node_t *n, th_sc_names names, uint64_t max, uint64_t **out,
                    size_t *out_num) {
    size_t ns = ns_index(names);
    if (!is_list(c, n, kNameSpaces[ns].many)) {
        return 0;
    }
    size_t num = (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
    if (!th_ld_charge(c, n, (num + 1) * sizeof(uint64_t))) {
        return 0;
    }
    uint64_t *vals = calloc(num + 1, sizeof(uint64_t));
    if (vals == NULL) {
        th_ld_err(c, n, "out of memory");
        return 0;
    }
    int ok = 1;
    for (size_t i = 0; i < num; i++) {
        yaml_node_t *item = th_ld_node(c, n->data.sequence.items.start[i]);
        if (item == NULL) {
            ok = 0;
            break;
        }
        char what[128];
        snprintf(what, sizeof(what), "%s in the list", kNameSpaces[ns].one);
        const char *s = th_ld_str(c, item, what);
        if (s == NULL || !code_of(c, item, s, names, max, &vals[i])) {
            ok = 0;
        }
    }
    if (!ok) {
        free(vals);
        return 0;
    }
    free(*out);
    *out = vals;
    *out_num = num;
    return 1;
}

int th_ld_u16_list(th_ld *c, yaml_node_t *n, th_sc_names names, uint16_t **out, size_t *out_num) {
    uint64_t *vals = NULL;
    size_t num = 0;
    if (!th_ld_code_list(c, n, names, 0xffff, &vals, &num)) {
        return 0;
    }
    uint16_t *v16 = calloc(num + 1, sizeof(uint16_t));
    if (v16 == NULL) {
        free(vals);
        th_ld_err(c, n, "out of memory");
        return 0;
    }
    for (size_t i = 0; i < num; i++) {
        v16[i] = (uint16_t)vals[i];
    }
    free(vals);
    free(*out);
    *out = v16;
    *out_num = num;
    return 1;
}

int th_ld_str_list(th_ld *c, yaml_node_t *n, const char *what, char ***out, size_t *out_num) {
    char many[128];
    snprintf(many, sizeof(many), "%s", what);
    if (!is_list(c, n, many)) {
        return 0;
    }
    size_t num = (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
    if (!th_ld_charge(c, n, (num + 1) * sizeof(char *))) {
        return 0;
    }
    char **strs = calloc(num + 1, sizeof(char *));
    if (strs == NULL) {
        th_ld_err(c, n, "out of memory");
        return 0;
    }
    int ok = 1;
    for (size_t i = 0; i < num; i++) {
        yaml_node_t *item = th_ld_node(c, n->data.sequence.items.start[i]);
        if (item == NULL || !th_ld_strdup(c, item, "text in the list", &strs[i])) {
            ok = 0;
            if (item == NULL) {
                break;
            }
        }
    }
    if (!ok) {
        for (size_t i = 0; i < num; i++) {
            free(strs[i]);
        }
        free(strs);
        return 0;
    }
    if (*out != NULL) {
        for (size_t i = 0; i < *out_num; i++) {
            free((*out)[i]);
        }
        free(*out);
    }
    *out = strs;
    *out_num = num;
    return 1;
}

int th_ld_msg(th_ld *c, yaml_node_t *n, th_sc_msg *out) {
    const char *s = th_ld_str(c, n, "a handshake message name");
    if (s == NULL) {
        return 0;
    }
    th_sc_msg m = th_sc_msg_by_name(s);
    if (m == TH_SC_MSG_NONE) {
        char list[512];
        size_t used = 0;
        list[0] = '\0';
        for (int i = 1; i < TH_SC_NUM_MSGS && used < sizeof(list); i++) {
            int w = snprintf(list + used, sizeof(list) - used, "%s%s", i > 1 ? ", " : "",
                             th_sc_msg_name((th_sc_msg)i));
            if (w < 0) {
                break;
            }
            used += (size_t)w;
        }
        th_ld_err(c, n, "unknown message '%.64s' (expected one of: %s)", s, list);
        return 0;
    }
    *out = m;
    return 1;
}

int th_ld_content_type(th_ld *c, yaml_node_t *n, uint8_t *out) {
    const char *s = th_ld_str(c, n, "a content type name or number");
    if (s == NULL) {
        return 0;
    }
    for (unsigned t = 0; t < 256; t++) {
        const char *name = th_content_type_name((uint8_t)t);
        if (name != NULL && strcmp(name, s) == 0) {
            *out = (uint8_t)t;
            return 1;
        }
    }
    uint64_t v = 0;
    int r = parse_number(s, &v);
    if (r == 0) {
        th_ld_err(c, n,
                  "unknown content type '%.64s' (expected change_cipher_spec, alert, handshake, "
                  "application_data, heartbeat or a number)",
                  s);
        return 0;
    }
    if (r < 0 || v > 0xff) {
        th_ld_err(c, n, "content type %.64s is out of range (0..255)", s);
        return 0;
    }
    *out = (uint8_t)v;
    return 1;
}

int th_ld_value(th_ld *c, yaml_node_t *n, const th_sc_field_info *info, th_sc_value *out) {
    uint64_t max = th_sc_field_max(info->field);
    char what[128];
    memset(out, 0, sizeof(*out));
    out->kind = info->kind;
    switch (info->kind) {
    case TH_SC_VAL_INT:
        return th_ld_code(c, n, info->names, max, &out->i);
    case TH_SC_VAL_BYTES: {
        snprintf(what, sizeof(what), "%s (a hex string)", info->name);
        if (!th_ld_hex(c, n, what, &out->bytes, &out->bytes_len)) {
            return 0;
        }
        size_t min = th_sc_field_min_len(info->field);
        if (out->bytes_len > max || out->bytes_len < min) {
            if (min == max) {
                th_ld_err(c, n, "%s must be %zu bytes, got %zu", info->name, min, out->bytes_len);
            } else {
                th_ld_err(c, n, "%s is %zu bytes, at most %llu fit", info->name, out->bytes_len,
                          (unsigned long long)max);
            }
            return 0;
        }
        return 1;
    }
    case TH_SC_VAL_STRING:
        snprintf(what, sizeof(what), "text for %s", info->name);
        if (!th_ld_strdup(c, n, what, &out->str)) {
            return 0;
        }
        if (strlen(out->str) > max) {
            th_ld_err(c, n, "%s is %zu bytes long, at most %llu fit", info->name, strlen(out->str),
                      (unsigned long long)max);
            return 0;
        }
        /* RFC 8446 §4.4.3: the context string is "TLS 1.3, server
         * CertificateVerify" or "TLS 1.3, client CertificateVerify". */
        if (info->field == TH_SC_F_CV_CONTEXT && strcmp(out->str, "server") != 0 &&
            strcmp(out->str, "client") != 0) {
            th_ld_err(c, n, "expected server or client for context, got '%.64s'", out->str);
            return 0;
        }
        /* The one way of breaking the PKCS#1 padding we know how to make. */
        if (info->field == TH_SC_F_CKE_PREMASTER_PADDING && strcmp(out->str, "bad") != 0) {
            th_ld_err(c, n, "expected bad for premaster_padding, got '%.64s'", out->str);
            return 0;
        }
        return 1;
    case TH_SC_VAL_INT_LIST:
        return th_ld_code_list(c, n, info->names, max, &out->ints, &out->num);
    case TH_SC_VAL_STR_LIST:
        snprintf(what, sizeof(what), "text for %s", info->name);
        if (!th_ld_str_list(c, n, what, &out->strs, &out->num)) {
            return 0;
        }
        for (size_t i = 0; i < out->num; i++) {
            if (strlen(out->strs[i]) > max) {
                th_ld_err(c, n, "%s entry %zu is %zu bytes long, at most %llu fit", info->name, i,
                          strlen(out->strs[i]), (unsigned long long)max);
                return 0;
            }
        }
        return 1;
    }
    return 0;
}
