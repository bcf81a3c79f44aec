/* The expectations file: `version: 1` and, per peer, a list of
 * {id, status, alerts, reason} entries (scenarios/README.md). */
#include "expectations.h"

#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

#include "load_internal.h"
#include "peer.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static void item_cleanup(th_expectation *it) {
    free(it->id_glob);
    free(it->alerts);
    free(it->reason);
    memset(it, 0, sizeof(*it));
}

void th_expectations_cleanup(th_expectations *e) {
    if (e == NULL) {
        return;
    }
    for (size_t i = 0; i < e->num_peers; i++) {
        th_expect_peer *p = &e->peers[i];
        for (size_t j = 0; j < p->num_items; j++) {
            item_cleanup(&p->items[j]);
        }
        free(p->items);
        free(p->peer);
    }
    free(e->peers);
    free(e->file);
    memset(e, 0, sizeof(*e));
}

const th_expectation *th_expectations_find(const th_expectations *e, const char *peer,
                                           const char *scenario_id) {
    if (e == NULL || peer == NULL || scenario_id == NULL) {
        return NULL;
    }
    for (size_t i = 0; i < e->num_peers; i++) {
        const th_expect_peer *p = &e->peers[i];
        if (strcmp(p->peer, peer) != 0) {
            continue;
        }
        for (size_t j = 0; j < p->num_items; j++) {
            if (fnmatch(p->items[j].id_glob, scenario_id, 0) == 0) {
                return &p->items[j];
            }
        }
    }
    return NULL;
}

static const char *const kItemKeys[] = {"id", "status", "alerts", "reason"};

/* One entry {id, status, alerts, reason} into |it|. */
static void item_parse(th_ld *c, yaml_node_t *n, th_expectation *it) {
    it->loc = th_ld_loc(c, n);
    if (!th_ld_map(c, n, "an expectation entry", kItemKeys, COUNT(kItemKeys))) {
        return;
    }
    yaml_node_t *v;
    if ((v = th_ld_need(c, n, "id", "an expectation entry")) != NULL &&
        th_ld_strdup(c, v, "a scenario id or glob", &it->id_glob) && it->id_glob[0] == '\0') {
        th_ld_err(c, v, "expected a scenario id or glob, got an empty string");
    }
    int has_status = 0;
    if ((v = th_ld_need(c, n, "status", "an expectation entry")) != NULL) {
        const char *s = th_ld_str(c, v, "xfail, skip or alert");
        if (s != NULL && strcmp(s, "xfail") == 0) {
            it->status = TH_EXPECT_XFAIL;
            has_status = 1;
        } else if (s != NULL && strcmp(s, "skip") == 0) {
            it->status = TH_EXPECT_SKIP;
            has_status = 1;
        } else if (s != NULL && strcmp(s, "alert") == 0) {
            it->status = TH_EXPECT_ALERT;
            has_status = 1;
        } else if (s != NULL) {
            th_ld_err(c, v, "expected xfail, skip or alert for status, got '%.64s'", s);
        }
    }
    yaml_node_t *alerts = th_ld_get(c, n, "alerts", NULL);
    if (has_status && it->status == TH_EXPECT_ALERT && alerts == NULL) {
        th_ld_err(c, n, "missing required key 'alerts' in an expectation entry with status alert");
    } else if (has_status && it->status != TH_EXPECT_ALERT && alerts != NULL) {
        th_ld_err(c, alerts, "alerts only go with status alert");
    } else if (alerts != NULL) {
        uint64_t *vals = NULL;
        size_t num = 0;
        if (th_ld_code_list(c, alerts, TH_SC_NAMES_ALERT, 0xff, &vals, &num)) {
            if (num == 0) {
                th_ld_err(c, alerts, "expected a non-empty list of alerts");
            }
            it->alerts = malloc(num + 1);
            if (it->alerts == NULL) {
                th_ld_err(c, alerts, "out of memory");
            } else {
                for (size_t i = 0; i < num; i++) {
                    it->alerts[i] = (uint8_t)vals[i];
                }
                it->num_alerts = num;
            }
        }
        free(vals);
    }
    if ((v = th_ld_need(c, n, "reason", "an expectation entry")) != NULL &&
        th_ld_strdup(c, v, "a reason", &it->reason) && it->reason[0] == '\0') {
        th_ld_err(c, v, "expected a reason (why the divergence is accepted), got an empty string");
    }
}

/* The list of entries of one peer. */
static void peer_parse(th_ld *c, yaml_node_t *n, th_expect_peer *p) {
    char kb[64];
    if (n->type != YAML_SEQUENCE_NODE) {
        th_ld_err(c, n, "expected a list of expectation entries for peer '%s', got %s", p->peer,
                  th_ld_kind(c, n, kb, sizeof(kb)));
        return;
    }
    size_t num = (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
    p->items = calloc(num + 1, sizeof(*p->items));
    if (p->items == NULL) {
        th_ld_err(c, n, "out of memory");
        return;
    }
    p->num_items = num;
    for (size_t i = 0; i < num; i++) {
        yaml_node_t *item = th_ld_node(c, n->data.sequence.items.start[i]);
        if (item == NULL) {
            return;
        }
        item_parse(c, item, &p->items[i]);
        for (size_t j = 0; j < i && p->items[i].id_glob != NULL; j++) {
            if (p->items[j].id_glob != NULL &&
                strcmp(p->items[j].id_glob, p->items[i].id_glob) == 0) {
                th_ld_err(
                    c, item, "duplicate id '%.64s' for peer '%s' (first at line %u, column %u)",
                    p->items[i].id_glob, p->peer, p->items[j].loc.line, p->items[j].loc.column);
                break;
            }
        }
    }
}

static void doc_parse(th_ld *c, yaml_node_t *root, th_expectations *out) {
    char kb[64];
    if (root->type != YAML_MAPPING_NODE) {
        th_ld_err(c, root,
                  "expected the expectations (a mapping: version and one list per peer), "
                  "got %s",
                  th_ld_kind(c, root, kb, sizeof(kb)));
        return;
    }
    (void)th_ld_map(c, root, "the expectations file", NULL, 0);
    yaml_node_t *v = th_ld_need(c, root, "version", "the expectations file");
    uint64_t version;
    if (v != NULL && th_ld_uint(c, v, "a format version", 0xffff, &version) && version != 1) {
        th_ld_err(c, v, "unsupported expectations version %llu (expected 1)",
                  (unsigned long long)version);
    }
    for (yaml_node_pair_t *p = root->data.mapping.pairs.start; p < root->data.mapping.pairs.top;
         p++) {
        yaml_node_t *k = th_ld_node(c, p->key);
        yaml_node_t *val = th_ld_node(c, p->value);
        if (k == NULL || val == NULL) {
            return;
        }
        const char *peer = th_ld_str(c, k, "a peer name");
        if (peer == NULL || strcmp(peer, "version") == 0) {
            continue;
        }
        if (!th_peer_spec_valid(peer)) {
            th_ld_err(c, k,
                      "unknown peer '%.64s' (expected version or a peer: boringssl, self, "
                      "tcp:HOST:PORT, listen:PORT, exec:COMMAND)",
                      peer);
            continue;
        }
        th_expect_peer *a = th_array_grow(out->peers, out->num_peers, sizeof(*a));
        if (a == NULL) {
            th_ld_err(c, k, "out of memory");
            return;
        }
        out->peers = a;
        th_expect_peer *ep = &a[out->num_peers++];
        memset(ep, 0, sizeof(*ep));
        ep->peer = strdup(peer);
        if (ep->peer == NULL) {
            th_ld_err(c, k, "out of memory");
            return;
        }
        peer_parse(c, val, ep);
    }
}

int th_expectations_load_string(const char *name, const char *yaml, size_t len,
                                th_expectations *out, th_sc_errors *errs) {
    size_t errs_before = errs->num;
    memset(out, 0, sizeof(*out));
    out->file = strdup(name);
    if (out->file == NULL) {
        th_ld_errs_add(errs, "%s: out of memory", name);
        return 0;
    }
    if (len > TH_LD_MAX_FILE_SIZE) {
        th_ld_errs_add(errs, "%s: file too large (%zu bytes, at most %u)", name, len,
                       TH_LD_MAX_FILE_SIZE);
        th_expectations_cleanup(out);
        return 0;
    }
    if (!th_ld_flow_depth_ok(out->file, yaml, len, errs)) {
        th_expectations_cleanup(out);
        return 0;
    }
    yaml_parser_t parser;
    if (!yaml_parser_initialize(&parser)) {
        th_ld_errs_add(errs, "%s: out of memory", name);
        th_expectations_cleanup(out);
        return 0;
    }
    yaml_parser_set_input_string(&parser, (const unsigned char *)yaml, len);
    yaml_document_t doc;
    if (!yaml_parser_load(&parser, &doc)) {
        th_ld_yaml_error(&parser, out->file, errs);
    } else {
        th_ld c;
        memset(&c, 0, sizeof(c));
        c.file = out->file;
        c.doc = &doc;
        c.errs = errs;
        yaml_node_t *root = yaml_document_get_root_node(&doc);
        if (root == NULL) {
            th_ld_errs_add(errs, "%s: empty expectations file (expected version: 1)", out->file);
        } else {
            doc_parse(&c, root, out);
            yaml_document_t next;
            if (!yaml_parser_load(&parser, &next)) {
                th_ld_yaml_error(&parser, out->file, errs);
            } else {
                yaml_node_t *extra = yaml_document_get_root_node(&next);
                if (extra != NULL) {
                    th_ld_err(&c, extra, "expected one document in the expectations file");
                }
                yaml_document_delete(&next);
            }
        }
        if (c.failed > 0 && errs->num == errs_before) {
            th_ld_errs_add(errs, "%s: invalid expectations file", out->file);
        }
        yaml_document_delete(&doc);
    }
    yaml_parser_delete(&parser);
    if (errs->num != errs_before) {
        th_expectations_cleanup(out);
        return 0;
    }
    return 1;
}

int th_expectations_load(const char *path, th_expectations *out, th_sc_errors *errs) {
    char *buf = NULL;
    size_t len = 0;
    memset(out, 0, sizeof(*out));
    if (!th_ld_read_file(path, &buf, &len, errs)) {
        return 0;
    }
    int ok = th_expectations_load_string(path, buf, len, out, errs);
    free(buf);
    return ok;
}
