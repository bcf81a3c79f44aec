/* The scenario loader: files and directories of YAML documents into
 * th_scenario_set. A document is typed once per matrix combination, with
 * ${name} substituted in every scalar first; a document with any error adds
 * no scenario. Steps are typed in load_steps.c, scalars in load_util.c. */
#include "load_internal.h"

#include <dirent.h>
#include <stddef.h>
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "conn.h"
#include "peer.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* Documents one file may hold: bounds the work of the duplicate-id check. */
#define MAX_DOCS 4096
/* Matrix variables per document. */
#define MAX_VARS 16

void th_sc_errors_cleanup(th_sc_errors *errs) {
    if (errs == NULL) {
        return;
    }
    for (size_t i = 0; i < errs->num; i++) {
        free(errs->msgs[i]);
    }
    free(errs->msgs);
    memset(errs, 0, sizeof(*errs));
}

/* ---- config: one side ---- */

static const char *const kSideKeys[] = {
    "versions",
    "cipher_suites",
    "groups",
    "key_shares",
    "signature_schemes",
    "alpn",
    "server_name",
    "certificate",
    "client_auth",
    "resume",
    "psk_ke",
    "early_data",
    "early_data_hex",
    "max_early_data",
    "middlebox_compat",
    "hrr_cookie",
    "record_size_limit",
    "post_handshake_auth",
    "require_sni",
    "echo",
    "ems",
    "accept_renegotiation",
};

/* Types the keys of mapping |n| into |side|, replacing what they set. */
static void side_parse(th_ld *c, yaml_node_t *n, const char *what, th_sc_side *side) {
    if (!th_ld_map(c, n, what, kSideKeys, COUNT(kSideKeys))) {
        return;
    }
    yaml_node_t *v;
    uint64_t u;
    if ((v = th_ld_get(c, n, "versions", NULL)) != NULL &&
        th_ld_u16_list(c, v, TH_SC_NAMES_VERSION, &side->versions, &side->num_versions) &&
        side->num_versions == 0) {
        th_ld_err(c, v, "expected a non-empty list of versions (omit versions for tls1.3)");
    }
    if ((v = th_ld_get(c, n, "cipher_suites", NULL)) != NULL) {
        (void)th_ld_u16_list(c, v, TH_SC_NAMES_SUITE, &side->cipher_suites,
                             &side->num_cipher_suites);
    }
    if ((v = th_ld_get(c, n, "groups", NULL)) != NULL) {
        (void)th_ld_u16_list(c, v, TH_SC_NAMES_GROUP, &side->groups, &side->num_groups);
    }
    if ((v = th_ld_get(c, n, "key_shares", NULL)) != NULL &&
        th_ld_u16_list(c, v, TH_SC_NAMES_GROUP, &side->key_shares, &side->num_key_shares)) {
        side->has_key_shares = 1;
    }
    if ((v = th_ld_get(c, n, "signature_schemes", NULL)) != NULL) {
        (void)th_ld_u16_list(c, v, TH_SC_NAMES_SCHEME, &side->sig_schemes, &side->num_sig_schemes);
    }
    if ((v = th_ld_get(c, n, "alpn", NULL)) != NULL &&
        th_ld_str_list(c, v, "protocol names", &side->alpn, &side->num_alpn)) {
        for (size_t i = 0; i < side->num_alpn; i++) {
            /* RFC 7301 §3.1: opaque ProtocolName<1..2^8-1> */
            size_t len = strlen(side->alpn[i]);
            if (len == 0 || len > 255) {
                th_ld_err(c, v, "ALPN protocol %zu is %zu bytes long: expected 1..255", i + 1, len);
            }
        }
    }
    if ((v = th_ld_get(c, n, "server_name", NULL)) != NULL) {
        (void)th_ld_strdup(c, v, "a host name", &side->server_name);
    }
    if ((v = th_ld_get(c, n, "certificate", NULL)) != NULL &&
        th_ld_strdup(c, v, "a certificate name from scenarios/pki", &side->certificate)) {
        for (const char *p = side->certificate; *p != '\0'; p++) {
            if (*p == '/' || (p == side->certificate && *p == '.')) {
                th_ld_err(c, v, "expected a certificate name from scenarios/pki, got a path");
                break;
            }
        }
    }
    if ((v = th_ld_get(c, n, "client_auth", NULL)) != NULL) {
        const char *s = th_ld_str(c, v, "none, request or require");
        if (s != NULL) {
            if (strcmp(s, "none") == 0) {
                side->client_auth = 0;
            } else if (strcmp(s, "request") == 0) {
                side->client_auth = 1;
            } else if (strcmp(s, "require") == 0) {
                side->client_auth = 2;
            } else {
                th_ld_err(c, v, "expected none, request or require for client_auth, got '%.64s'",
                          s);
            }
        }
    }
    static const struct {
        const char *key;
        size_t offset;
    } kBools[] = {
        {"resume", offsetof(th_sc_side, resume)},
        {"psk_ke", offsetof(th_sc_side, psk_ke)},
        {"middlebox_compat", offsetof(th_sc_side, middlebox_compat)},
        {"hrr_cookie", offsetof(th_sc_side, hrr_cookie)},
        {"post_handshake_auth", offsetof(th_sc_side, post_handshake_auth)},
        {"require_sni", offsetof(th_sc_side, require_sni)},
        {"echo", offsetof(th_sc_side, echo)},
        {"accept_renegotiation", offsetof(th_sc_side, accept_renegotiation)},
    };
    for (size_t i = 0; i < COUNT(kBools); i++) {
        if ((v = th_ld_get(c, n, kBools[i].key, NULL)) != NULL) {
            (void)th_ld_bool(c, v, kBools[i].key, (int *)((char *)side + kBools[i].offset));
        }
    }
    /* RFC 7627: `ems: false` turns extended_master_secret off (TLS 1.2). */
    int ems = 1;
    if ((v = th_ld_get(c, n, "ems", NULL)) != NULL && th_ld_bool(c, v, "ems", &ems)) {
        side->no_ems = !ems;
    }
    yaml_node_t *ed = th_ld_get(c, n, "early_data", NULL);
    yaml_node_t *edh = th_ld_get(c, n, "early_data_hex", NULL);
    if (ed != NULL && edh != NULL) {
        th_ld_err(c, edh, "early_data and early_data_hex are exclusive: give one");
    } else if (ed != NULL) {
        char *text = NULL;
        if (th_ld_strdup(c, ed, "early data text", &text)) {
            free(side->early_data);
            side->early_data = (uint8_t *)text;
            side->early_data_len = strlen(text);
        }
    } else if (edh != NULL) {
        (void)th_ld_hex(c, edh, "early_data_hex", &side->early_data, &side->early_data_len);
    }
    if ((v = th_ld_get(c, n, "max_early_data", NULL)) != NULL &&
        th_ld_uint(c, v, "max_early_data (bytes)", 0xffffffff, &u)) {
        side->max_early_data = (uint32_t)u;
    }
    /* RFC 8449 §4: RecordSizeLimit is a uint16. */
    if ((v = th_ld_get(c, n, "record_size_limit", NULL)) != NULL &&
        th_ld_uint(c, v, "record_size_limit", 0xffff, &u)) {
        side->record_size_limit = (uint16_t)u;
    }
}

/* ---- one document ---- */

static int id_valid(const char *id) {
    if (*id == '\0') {
        return 0;
    }
    for (const char *p = id; *p != '\0'; p++) {
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_' || *p == '.' ||
              *p == '-')) {
            return 0;
        }
    }
    return 1;
}

static const char *const kTopKeys[] = {"id",     "title", "rfc",    "role", "peers",
                                       "config", "peer",  "matrix", "steps"};
static const char *const kRfcKeys[] = {"doc", "section", "quote"};

/* Types the document |root| (a mapping, keys already checked) into |s|. */
static void scenario_parse(th_ld *c, yaml_node_t *root, th_scenario *s) {
    yaml_node_t *v;
    s->loc = th_ld_loc(c, root);
    if ((v = th_ld_need(c, root, "id", "a scenario")) != NULL &&
        th_ld_strdup(c, v, "a scenario id", &s->id) && !id_valid(s->id)) {
        th_ld_err(c, v, "bad id '%.64s': expected lower-case letters, digits, '.', '_', '-'",
                  s->id);
    }
    if ((v = th_ld_need(c, root, "title", "a scenario")) != NULL &&
        th_ld_strdup(c, v, "a title", &s->title) && s->title[0] == '\0') {
        th_ld_err(c, v, "expected a title, got an empty string");
    }
    if ((v = th_ld_need(c, root, "rfc", "a scenario")) != NULL &&
        th_ld_map(c, v, "rfc", kRfcKeys, COUNT(kRfcKeys))) {
        yaml_node_t *f;
        if ((f = th_ld_need(c, v, "doc", "rfc")) != NULL) {
            (void)th_ld_strdup(c, f, "an RFC number", &s->rfc.doc);
        }
        if ((f = th_ld_need(c, v, "section", "rfc")) != NULL) {
            (void)th_ld_strdup(c, f, "a section number", &s->rfc.section);
        }
        if ((f = th_ld_get(c, v, "quote", NULL)) != NULL) {
            (void)th_ld_strdup(c, f, "the quoted requirement", &s->rfc.quote);
        }
    }
    if ((v = th_ld_need(c, root, "role", "a scenario")) != NULL) {
        const char *r = th_ld_str(c, v, "client or server");
        if (r != NULL && strcmp(r, "client") == 0) {
            s->role = TH_ROLE_CLIENT;
        } else if (r != NULL && strcmp(r, "server") == 0) {
            s->role = TH_ROLE_SERVER;
        } else if (r != NULL) {
            th_ld_err(c, v, "expected client or server for role, got '%.64s'", r);
        }
    }
    if ((v = th_ld_get(c, root, "peers", NULL)) != NULL &&
        th_ld_str_list(c, v, "peer names", &s->peers, &s->num_peers)) {
        for (size_t i = 0; i < s->num_peers; i++) {
            if (!th_peer_spec_valid(s->peers[i])) {
                yaml_node_t *item = yaml_document_get_node(c->doc, v->data.sequence.items.start[i]);
                th_ld_err(c, item,
                          "unknown peer '%.64s' (expected boringssl, self, tcp:HOST:PORT, "
                          "listen:PORT or exec:COMMAND)",
                          s->peers[i]);
            }
        }
    }
    s->ours.echo = 1;
    s->peer.echo = 1;
    yaml_node_t *config = th_ld_get(c, root, "config", NULL);
    if (config != NULL) {
        side_parse(c, config, "config", &s->ours);
        /* The peer starts from the same config; its errors are already
         * reported once above. */
        size_t failed = c->failed;
        c->quiet++;
        side_parse(c, config, "config", &s->peer);
        c->quiet--;
        c->failed = failed;
    }
    if ((v = th_ld_get(c, root, "peer", NULL)) != NULL) {
        s->peer_configured = 1;
        side_parse(c, v, "peer", &s->peer);
    }
    th_sc_side *sides[2] = {&s->ours, &s->peer};
    for (size_t i = 0; i < 2; i++) {
        if (sides[i]->num_versions == 0) {
            free(sides[i]->versions);
            sides[i]->versions = malloc(sizeof(uint16_t));
            if (sides[i]->versions == NULL) {
                th_ld_err(c, root, "out of memory");
                continue;
            }
            sides[i]->versions[0] = TH_VERSION_TLS13;
            sides[i]->num_versions = 1;
        }
    }
    if ((v = th_ld_need(c, root, "steps", "a scenario")) != NULL) {
        (void)th_ld_steps(c, v, 0, &s->steps);
    }
}

/* ---- matrix ---- */

typedef struct {
    size_t num_vars;
    const char *names[MAX_VARS];
    yaml_node_t *keys[MAX_VARS];
    yaml_node_t *lists[MAX_VARS];
    size_t sizes[MAX_VARS];
    int used[MAX_VARS];
    size_t combos;
} matrix;

static int var_name_valid(const char *s) {
    if (*s == '\0') {
        return 0;
    }
    for (; *s != '\0'; s++) {
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
              *s == '_')) {
            return 0;
        }
    }
    return 1;
}

/* Reads `matrix:` (a mapping of names to non-empty lists of scalars). */
static int matrix_parse(th_ld *c, yaml_node_t *n, matrix *m) {
    char kb[64];
    size_t before = c->failed;
    m->combos = 1;
    if (n->type != YAML_MAPPING_NODE) {
        th_ld_err(c, n, "expected matrix (a mapping of names to lists of values), got %s",
                  th_ld_kind(c, n, kb, sizeof(kb)));
        return 0;
    }
    for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
        yaml_node_t *k = th_ld_node(c, p->key);
        yaml_node_t *v = th_ld_node(c, p->value);
        if (k == NULL || v == NULL) {
            return 0;
        }
        if (k->type != YAML_SCALAR_NODE || !var_name_valid((const char *)k->data.scalar.value)) {
            th_ld_err(c, k, "expected a matrix variable name (letters, digits, '_'), got %s",
                      th_ld_kind(c, k, kb, sizeof(kb)));
            continue;
        }
        const char *name = (const char *)k->data.scalar.value;
        int dup = 0;
        for (size_t i = 0; i < m->num_vars; i++) {
            if (strcmp(m->names[i], name) == 0) {
                th_ld_err(c, k, "duplicate key '%s' in matrix (first at line %lu, column %lu)",
                          name, (unsigned long)m->keys[i]->start_mark.line + 1,
                          (unsigned long)m->keys[i]->start_mark.column + 1);
                dup = 1;
            }
        }
        if (dup) {
            continue;
        }
        if (m->num_vars == MAX_VARS) {
            th_ld_err(c, k, "too many matrix variables (at most %d)", MAX_VARS);
            return 0;
        }
        if (v->type != YAML_SEQUENCE_NODE) {
            th_ld_err(c, v, "expected a list of values for matrix variable '%s', got %s", name,
                      th_ld_kind(c, v, kb, sizeof(kb)));
            continue;
        }
        size_t num = (size_t)(v->data.sequence.items.top - v->data.sequence.items.start);
        if (num == 0) {
            th_ld_err(c, v, "expected a non-empty list of values for matrix variable '%s'", name);
            continue;
        }
        for (size_t i = 0; i < num; i++) {
            yaml_node_t *item = th_ld_node(c, v->data.sequence.items.start[i]);
            if (item == NULL) {
                return 0;
            }
            if (item->type != YAML_SCALAR_NODE ||
                strlen((const char *)item->data.scalar.value) != item->data.scalar.length) {
                th_ld_err(c, item, "expected a scalar value for matrix variable '%s', got %s", name,
                          th_ld_kind(c, item, kb, sizeof(kb)));
            }
        }
        m->names[m->num_vars] = name;
        m->keys[m->num_vars] = k;
        m->lists[m->num_vars] = v;
        m->sizes[m->num_vars] = num;
        m->num_vars++;
        if (m->combos > TH_LD_MAX_COMBOS / num) {
            th_ld_err(c, k, "matrix too large: more than %d combinations", TH_LD_MAX_COMBOS);
            return 0;
        }
        m->combos *= num;
    }
    return c->failed == before;
}

/* Every scalar outside the matrix that names a variable: reports undefined
 * ones and marks the used ones. Linear in the document's nodes. */
static void matrix_scan(th_ld *c, yaml_node_t *matrix_node, matrix *m) {
    for (yaml_node_t *n = c->doc->nodes.start; n < c->doc->nodes.top; n++) {
        if (n->type != YAML_SCALAR_NODE || n == matrix_node) {
            continue;
        }
        int in_matrix = 0;
        for (size_t i = 0; i < m->num_vars && !in_matrix; i++) {
            if (n == m->keys[i]) {
                in_matrix = 1;
            }
            yaml_node_t *l = m->lists[i];
            for (yaml_node_item_t *it = l->data.sequence.items.start;
                 it < l->data.sequence.items.top && !in_matrix; it++) {
                if (yaml_document_get_node(c->doc, *it) == n) {
                    in_matrix = 1;
                }
            }
        }
        if (in_matrix) {
            continue;
        }
        const char *s = (const char *)n->data.scalar.value;
        for (const char *p = strstr(s, "${"); p != NULL; p = strstr(p + 2, "${")) {
            size_t len = 0;
            while ((p[2 + len] >= 'a' && p[2 + len] <= 'z') ||
                   (p[2 + len] >= 'A' && p[2 + len] <= 'Z') ||
                   (p[2 + len] >= '0' && p[2 + len] <= '9') || p[2 + len] == '_') {
                len++;
            }
            if (len == 0 || p[2 + len] != '}') {
                continue; /* not a reference: "${" stays as written */
            }
            int found = 0;
            for (size_t i = 0; i < m->num_vars; i++) {
                if (strlen(m->names[i]) == len && memcmp(m->names[i], p + 2, len) == 0) {
                    m->used[i] = 1;
                    found = 1;
                }
            }
            if (!found) {
                if (m->num_vars == 0) {
                    th_ld_err(c, n,
                              "matrix variable '${%.*s}' is used but the scenario has no "
                              "matrix",
                              (int)(len > 64 ? 64 : len), p + 2);
                } else {
                    th_ld_err(c, n, "matrix variable '${%.*s}' is used but not defined in matrix",
                              (int)(len > 64 ? 64 : len), p + 2);
                }
            }
        }
    }
    for (size_t i = 0; i < m->num_vars; i++) {
        if (!m->used[i]) {
            th_ld_err(c, m->keys[i], "matrix variable '%s' is defined but never used as ${%s}",
                      m->names[i], m->names[i]);
        }
    }
}

/* ---- files ---- */

typedef struct {
    th_scenario_set *set;
    th_sc_errors *errs;
    const char *file; /* the copy in set->files */
    size_t file_errors;
    size_t visits; /* the work budgets are the file's: */
    size_t bytes;  /* every document draws from them */
} file_state;

static void arena_free(th_ld *c) {
    for (size_t i = 0; i < c->num_arena; i++) {
        free(c->arena[i]);
    }
    free(c->arena);
    c->arena = NULL;
    c->num_arena = 0;
}

static int append_scenario(th_scenario_set *set, th_scenario *s) {
    th_scenario **p = th_array_grow(set->scenarios, set->num_scenarios, sizeof(*p));
    if (p == NULL) {
        return 0;
    }
    set->scenarios = p;
    set->scenarios[set->num_scenarios++] = s;
    return 1;
}

static char *matrix_label(const matrix *m, const char **values) {
    size_t len = 1;
    for (size_t i = 0; i < m->num_vars; i++) {
        len += strlen(m->names[i]) + strlen(values[i]) + 2;
    }
    char *label = malloc(len);
    if (label == NULL) {
        return NULL;
    }
    size_t o = 0;
    for (size_t i = 0; i < m->num_vars; i++) {
        o += (size_t)snprintf(label + o, len - o, "%s%s=%s", i > 0 ? "," : "", m->names[i],
                              values[i]);
    }
    label[o] = '\0';
    return label;
}

/* Types one document; appends its scenarios to the set if it has no error. */
static void load_document(file_state *fs, yaml_document_t *doc) {
    char kb[64];
    yaml_node_t *root = yaml_document_get_root_node(doc);
    if (root == NULL || (root->type == YAML_SCALAR_NODE && root->data.scalar.length == 0 &&
                         root->data.scalar.style == YAML_PLAIN_SCALAR_STYLE)) {
        return; /* an empty document (a trailing ---) */
    }
    th_ld c;
    memset(&c, 0, sizeof(c));
    c.file = fs->file;
    c.doc = doc;
    c.errs = fs->errs;
    c.visits = fs->visits;
    c.bytes = fs->bytes;
    th_scenario **made = NULL;
    size_t num_made = 0;
    yaml_node_t *id_node = NULL;
    if (root->type != YAML_MAPPING_NODE) {
        th_ld_err(&c, root,
                  "expected a scenario (a mapping with id, title, rfc, role, steps), "
                  "got %s",
                  th_ld_kind(&c, root, kb, sizeof(kb)));
        goto err;
    }
    (void)th_ld_map(&c, root, "a scenario", kTopKeys, COUNT(kTopKeys));
    matrix m;
    memset(&m, 0, sizeof(m));
    m.combos = 1;
    yaml_node_t *mnode = th_ld_get(&c, root, "matrix", NULL);
    if (mnode != NULL) {
        (void)matrix_parse(&c, mnode, &m);
    }
    matrix_scan(&c, mnode, &m);
    /* With a broken matrix, the first row still shows the other errors. */
    size_t combos = c.failed > 0 ? 1 : m.combos;
    id_node = th_ld_get(&c, root, "id", NULL);
    const char *values[MAX_VARS];
    c.num_vars = m.num_vars;
    c.var_names = m.names;
    c.var_values = values;
    for (size_t combo = 0; combo < combos && !c.over_budget; combo++) {
        size_t rest = combo;
        for (size_t i = m.num_vars; i-- > 0;) {
            /* The first variable varies slowest: rows in the order written. */
            yaml_node_t *item = yaml_document_get_node(
                doc, m.lists[i]->data.sequence.items.start[rest % m.sizes[i]]);
            values[i] = item->type == YAML_SCALAR_NODE ? (const char *)item->data.scalar.value : "";
            rest /= m.sizes[i];
        }
        th_scenario *s = calloc(1, sizeof(*s));
        if (s == NULL) {
            th_ld_err(&c, root, "out of memory");
            break;
        }
        scenario_parse(&c, root, s);
        if (m.num_vars > 0) {
            s->matrix_label = matrix_label(&m, values);
            if (s->matrix_label == NULL) {
                th_ld_err(&c, root, "out of memory");
            }
        }
        arena_free(&c);
        th_scenario **p = th_array_grow(made, num_made, sizeof(*made));
        if (p == NULL) {
            th_scenario_free(s);
            th_ld_err(&c, root, "out of memory");
            break;
        }
        made = p;
        made[num_made++] = s;
    }
    if (c.failed > 0) {
        goto err;
    }
    /* Ids are unique over the whole set; matrix rows share theirs. */
    for (size_t i = 0; num_made > 0 && i < fs->set->num_scenarios; i++) {
        const th_scenario *o = fs->set->scenarios[i];
        if (strcmp(o->id, made[0]->id) == 0) {
            th_ld_err(&c, id_node,
                      "duplicate id '%.64s' (already used by the scenario at %s:%u:%u)",
                      made[0]->id, o->loc.file, o->loc.line, o->loc.column);
            goto err;
        }
    }
    for (size_t i = 0; i < num_made; i++) {
        if (!append_scenario(fs->set, made[i])) {
            th_ld_err(&c, root, "out of memory");
            for (size_t j = i; j < num_made; j++) {
                th_scenario_free(made[j]);
            }
            num_made = 0;
            goto err;
        }
    }
    free(made);
    arena_free(&c);
    fs->visits = c.visits;
    fs->bytes = c.bytes;
    return;

err:
    for (size_t i = 0; i < num_made; i++) {
        th_scenario_free(made[i]);
    }
    free(made);
    arena_free(&c);
    fs->visits = c.visits;
    fs->bytes = c.bytes;
    fs->file_errors += c.failed;
}

static const char *yaml_error_kind(yaml_error_type_t e) {
    switch (e) {
    case YAML_MEMORY_ERROR:
        return "out of memory";
    case YAML_READER_ERROR:
        return "YAML reader error";
    case YAML_SCANNER_ERROR:
        return "YAML syntax error";
    case YAML_PARSER_ERROR:
        return "YAML syntax error";
    case YAML_COMPOSER_ERROR:
        return "YAML error";
    default:
        return "YAML error";
    }
}

void th_ld_yaml_error(const yaml_parser_t *parser, const char *file, th_sc_errors *errs) {
    const char *problem = parser->problem != NULL ? parser->problem : "unknown problem";
    if (parser->error == YAML_READER_ERROR) {
        th_ld_errs_add(errs, "%s: %s: %s at byte %zu", file, yaml_error_kind(parser->error),
                       problem, parser->problem_offset);
    } else if (parser->context != NULL) {
        th_ld_errs_add(errs, "%s:%lu:%lu: %s: %s (%s at line %lu, column %lu)", file,
                       (unsigned long)parser->problem_mark.line + 1,
                       (unsigned long)parser->problem_mark.column + 1,
                       yaml_error_kind(parser->error), problem, parser->context,
                       (unsigned long)parser->context_mark.line + 1,
                       (unsigned long)parser->context_mark.column + 1);
    } else {
        th_ld_errs_add(errs, "%s:%lu:%lu: %s: %s", file,
                       (unsigned long)parser->problem_mark.line + 1,
                       (unsigned long)parser->problem_mark.column + 1,
                       yaml_error_kind(parser->error), problem);
    }
}

int th_ld_flow_depth_ok(const char *file, const char *yaml, size_t len, th_sc_errors *errs) {
    /* libyaml checks every open flow level on each token, so deep [ { nesting
     * costs tokens x depth. Counted naively (brackets inside quoted text
     * count too): no scenario comes near the bound. */
    size_t depth = 0;
    unsigned long line = 1, column = 1;
    for (size_t i = 0; i < len; i++, column++) {
        if (yaml[i] == '\n') {
            line++;
            column = 0;
        } else if (yaml[i] == '[' || yaml[i] == '{') {
            if (++depth > TH_LD_MAX_FLOW_DEPTH) {
                th_ld_errs_add(errs, "%s:%lu:%lu: [ and { nested deeper than %d levels", file, line,
                               column, TH_LD_MAX_FLOW_DEPTH);
                return 0;
            }
        } else if ((yaml[i] == ']' || yaml[i] == '}') && depth > 0) {
            depth--;
        }
    }
    return 1;
}

/* Adds |name| to set->files and returns the set's copy (NULL: no memory). */
static const char *add_file(th_scenario_set *set, const char *name) {
    char *copy = strdup(name);
    char **p = th_array_grow(set->files, set->num_files, sizeof(*p));
    if (copy == NULL || p == NULL) {
        free(copy);
        return NULL;
    }
    set->files = p;
    set->files[set->num_files++] = copy;
    return copy;
}

int th_scenario_load_string(const char *name, const char *yaml, size_t len, th_scenario_set *set,
                            th_sc_errors *errs) {
    size_t errs_before = errs->num;
    const char *file = add_file(set, name);
    if (file == NULL) {
        th_ld_errs_add(errs, "%s: out of memory", name);
        return 0;
    }
    if (len > TH_LD_MAX_FILE_SIZE) {
        th_ld_errs_add(errs, "%s: file too large (%zu bytes, at most %u)", file, len,
                       TH_LD_MAX_FILE_SIZE);
        return 0;
    }
    if (!th_ld_flow_depth_ok(file, yaml, len, errs)) {
        return 0;
    }
    yaml_parser_t parser;
    if (!yaml_parser_initialize(&parser)) {
        th_ld_errs_add(errs, "%s: out of memory", file);
        return 0;
    }
    yaml_parser_set_input_string(&parser, (const unsigned char *)yaml, len);
    file_state fs = {set, errs, file, 0, 0, 0};
    for (size_t docs = 0;; docs++) {
        yaml_document_t doc;
        if (!yaml_parser_load(&parser, &doc)) {
            th_ld_yaml_error(&parser, file, errs);
            fs.file_errors++;
            break;
        }
        if (yaml_document_get_root_node(&doc) == NULL) {
            yaml_document_delete(&doc);
            break; /* the end of the stream */
        }
        if (docs == MAX_DOCS) {
            th_ld_errs_add(errs, "%s: more than %d documents in one file", file, MAX_DOCS);
            yaml_document_delete(&doc);
            fs.file_errors++;
            break;
        }
        load_document(&fs, &doc);
        yaml_document_delete(&doc);
        if (fs.file_errors > TH_LD_MAX_ERRORS) {
            th_ld_errs_add(errs, "%s: more than %d errors; not reading the rest of the file", file,
                           TH_LD_MAX_ERRORS);
            break;
        }
    }
    yaml_parser_delete(&parser);
    if (fs.file_errors > 0 && errs->num == errs_before) {
        th_ld_errs_add(errs, "%s: invalid scenario file", file);
    }
    return errs->num == errs_before;
}

int th_ld_read_file(const char *path, char **out, size_t *out_len, th_sc_errors *errs) {
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        th_ld_errs_add(errs, "%s: %s", path, strerror(errno));
        return 0;
    }
    size_t cap = 4096, len = 0;
    char *buf = malloc(cap);
    while (buf != NULL) {
        if (len == cap) {
            if (cap > TH_LD_MAX_FILE_SIZE) {
                th_ld_errs_add(errs, "%s: file too large (more than %u bytes)", path,
                               TH_LD_MAX_FILE_SIZE);
                free(buf);
                fclose(f);
                return 0;
            }
            char *nb = realloc(buf, cap * 2);
            if (nb == NULL) {
                break;
            }
            buf = nb;
            cap *= 2;
        }
        size_t n = fread(buf + len, 1, cap - len, f);
        len += n;
        if (n == 0) {
            if (ferror(f)) {
                th_ld_errs_add(errs, "%s: read error", path);
                free(buf);
                fclose(f);
                return 0;
            }
            fclose(f);
            *out = buf;
            *out_len = len;
            return 1;
        }
    }
    free(buf);
    fclose(f);
    th_ld_errs_add(errs, "%s: out of memory", path);
    return 0;
}

int th_scenario_load_file(const char *path, th_scenario_set *set, th_sc_errors *errs) {
    char *buf = NULL;
    size_t len = 0;
    if (!th_ld_read_file(path, &buf, &len, errs)) {
        return 0;
    }
    int ok = th_scenario_load_string(path, buf, len, set, errs);
    free(buf);
    return ok;
}

typedef struct {
    char **paths;
    size_t num;
} path_list;

static int path_add(path_list *l, const char *path) {
    char *copy = strdup(path);
    char **p = th_array_grow(l->paths, l->num, sizeof(*p));
    if (copy == NULL || p == NULL) {
        free(copy);
        return 0;
    }
    l->paths = p;
    l->paths[l->num++] = copy;
    return 1;
}

static int has_suffix(const char *s, const char *suffix) {
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* Collects the scenario files under |dir| (see th_scenario_load_paths). */
static void collect(const char *dir, int depth, path_list *out, th_sc_errors *errs) {
    if (depth > 32) {
        th_ld_errs_add(errs, "%s: directories nested too deep", dir);
        return;
    }
    DIR *d = opendir(dir);
    if (d == NULL) {
        th_ld_errs_add(errs, "%s: %s", dir, strerror(errno));
        return;
    }
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.' || strcmp(e->d_name, "pki") == 0) {
            continue;
        }
        size_t len = strlen(dir) + strlen(e->d_name) + 2;
        char *path = malloc(len);
        if (path == NULL) {
            break;
        }
        snprintf(path, len, "%s%s%s", dir, has_suffix(dir, "/") ? "" : "/", e->d_name);
        struct stat st;
        if (lstat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
            collect(path, depth + 1, out, errs);
        } else if ((has_suffix(e->d_name, ".yaml") || has_suffix(e->d_name, ".yml")) &&
                   fnmatch("expectations*.yaml", e->d_name, 0) != 0 &&
                   fnmatch("expectations*.yml", e->d_name, 0) != 0) {
            if (out->num >= TH_LD_MAX_FILES || !path_add(out, path)) {
                th_ld_errs_add(errs, "%s: too many files", dir);
                free(path);
                break;
            }
        }
        free(path);
    }
    closedir(d);
}

static int path_cmp(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int th_scenario_load_paths(const char *const *paths, size_t num, th_scenario_set *set,
                           th_sc_errors *errs) {
    size_t errs_before = errs->num;
    for (size_t i = 0; i < num; i++) {
        struct stat st;
        if (stat(paths[i], &st) != 0) {
            th_ld_errs_add(errs, "%s: %s", paths[i], strerror(errno));
            continue;
        }
        if (!S_ISDIR(st.st_mode)) {
            int loaded = th_scenario_load_file(paths[i], set, errs);
            (void)loaded; /* failures are in |errs|, checked below */
            continue;
        }
        path_list l = {NULL, 0};
        collect(paths[i], 0, &l, errs);
        if (l.num > 1) {
            qsort(l.paths, l.num, sizeof(*l.paths), path_cmp);
        }
        for (size_t j = 0; j < l.num; j++) {
            int loaded = th_scenario_load_file(l.paths[j], set, errs);
            (void)loaded; /* failures are in |errs|, checked below */
            free(l.paths[j]);
        }
        free(l.paths);
    }
    return errs->num == errs_before;
}
