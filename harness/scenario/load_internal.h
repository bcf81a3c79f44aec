/* Internals shared by the loader's files (load.c, load_steps.c, fields.c,
 * expectations.c): the per-document context, error reporting and typed
 * scalar readers over libyaml nodes. Not a public API. */
#ifndef TH_SCENARIO_LOAD_INTERNAL_H
#define TH_SCENARIO_LOAD_INTERNAL_H
#include <stddef.h>
#include <stdint.h>

#include <yaml.h>

#include "load.h"
#include "scenario.h"

/* Bounds on what one file may make the loader do. */
#define TH_LD_MAX_FILE_SIZE  (1u << 20)
#define TH_LD_MAX_DEPTH      16          /* nested any_of / repeat */
#define TH_LD_MAX_VISITS     1000000     /* node reads per file, aliases included */
#define TH_LD_MAX_COMBOS     1024        /* matrix combinations per document */
#define TH_LD_MAX_BYTES      (64u << 20) /* bytes a file's values may allocate */
#define TH_LD_MAX_FILL       (1u << 18)
#define TH_LD_MAX_ERRORS     200
#define TH_LD_MAX_FILES      10000
#define TH_LD_MAX_FLOW_DEPTH 128 /* [ and { nesting, counted on the text */

/* One document being typed. */
typedef struct {
    const char *file; /* borrowed */
    yaml_document_t *doc;
    th_sc_errors *errs;
    int quiet;     /* type without reporting (the peer's copy of config) */
    size_t failed; /* errors reported (or suppressed) in this document */
    size_t visits;
    int over_budget;
    size_t bytes;
    /* matrix substitution: |num_vars| names and the current values */
    size_t num_vars;
    const char **var_names;
    const char **var_values;
    char **arena; /* substituted strings of the current combination */
    size_t num_arena;
} th_ld;

/* Appends "file:line:col: message" at |n|'s start (or "file: message" when
 * |n| is NULL) unless quiet; identical messages are kept once. */
void th_ld_err(th_ld *c, const yaml_node_t *n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Appends a formatted message to |errs| (deduplicated, capped). */
void th_ld_errs_add(th_sc_errors *errs, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The node |index| of the document, counting against the visit budget; NULL
 * (and one error) once the budget is spent. */
yaml_node_t *th_ld_node(th_ld *c, int index);
/* "a mapping", "a list", "'text'" for messages. */
const char *th_ld_kind(th_ld *c, const yaml_node_t *n, char *buf, size_t buf_len);
/* The scalar's text with ${var} substituted; NULL (error reported naming
 * |what|) when |n| is not a scalar. Valid until the combination ends. */
const char *th_ld_str(th_ld *c, yaml_node_t *n, const char *what);

/* Checks that |n| is a mapping whose keys are scalars in |allowed|, each once (any key when
 * |allowed| is NULL);
 * reports every unknown or duplicate key. 0 if |n| is not a mapping. */
int th_ld_map(th_ld *c, yaml_node_t *n, const char *what, const char *const *allowed,
              size_t num_allowed);
/* The value of |key| in mapping |map| (NULL if absent); |out_key| the key. */
yaml_node_t *th_ld_get(th_ld *c, yaml_node_t *map, const char *key, yaml_node_t **out_key);
/* Reports a missing required key of |map| when absent. */
yaml_node_t *th_ld_need(th_ld *c, yaml_node_t *map, const char *key, const char *what);

/* Typed readers: 1 with the value, or 0 with an error reported. */
int th_ld_uint(th_ld *c, yaml_node_t *n, const char *what, uint64_t max, uint64_t *out);
int th_ld_code(th_ld *c, yaml_node_t *n, th_sc_names names, uint64_t max, uint64_t *out);
int th_ld_bool(th_ld *c, yaml_node_t *n, const char *what, int *out);
int th_ld_strdup(th_ld *c, yaml_node_t *n, const char *what, char **out);
int th_ld_hex(th_ld *c, yaml_node_t *n, const char *what, uint8_t **out, size_t *out_len);
int th_ld_code_list(th_ld *c, yaml_node_t *n, th_sc_names names, uint64_t max, uint64_t **out,
                    size_t *out_num);
int th_ld_u16_list(th_ld *c, yaml_node_t *n, th_sc_names names, uint16_t **out, size_t *out_num);
int th_ld_str_list(th_ld *c, yaml_node_t *n, const char *what, char ***out, size_t *out_num);
int th_ld_msg(th_ld *c, yaml_node_t *n, th_sc_msg *out);
int th_ld_content_type(th_ld *c, yaml_node_t *n, uint8_t *out);
/* A value of |field|'s kind into |out| (cleared first). */
int th_ld_value(th_ld *c, yaml_node_t *n, const th_sc_field_info *info, th_sc_value *out);
/* Counts |len| bytes against the document's allocation budget. */
int th_ld_charge(th_ld *c, yaml_node_t *n, size_t len);
th_sc_loc th_ld_loc(th_ld *c, const yaml_node_t *n);

/* `set:` or `fields:` of |msg| (a mapping of field names to values),
 * appended to |*out|. */
void th_ld_sets(th_ld *c, yaml_node_t *n, th_sc_msg msg, const char *what, th_sc_set **out,
                size_t *out_num);
/* An alert level: warning (1), fatal (2) or a number. */
int th_ld_level(th_ld *c, yaml_node_t *n, uint8_t *out);
/* The value of an `expect:` key into |e| (load_expect.c). */
void th_ld_expect(th_ld *c, yaml_node_t *n, th_sc_expect *e);

/* The steps list |n| into |out|: non-empty, at nesting |depth|. */
int th_ld_steps(th_ld *c, yaml_node_t *n, int depth, th_sc_steps *out);

/* Reads the whole file at |path| (at most TH_LD_MAX_FILE_SIZE bytes) into a
 * malloc'd |*out|; 0 with a message in |errs|. */
int th_ld_read_file(const char *path, char **out, size_t *out_len, th_sc_errors *errs);
/* 1 if |yaml| nests [ and { at most TH_LD_MAX_FLOW_DEPTH deep; 0 with an
 * error at the first bracket too deep. */
int th_ld_flow_depth_ok(const char *file, const char *yaml, size_t len, th_sc_errors *errs);
/* Appends a libyaml parser error of |file| to |errs|. */
void th_ld_yaml_error(const yaml_parser_t *parser, const char *file, th_sc_errors *errs);

/* fields.c: largest value / exact length of a field, and its names for a
 * message as "a, b, c" (the number of names). */
uint64_t th_sc_field_max(th_sc_field field);
size_t th_sc_field_min_len(th_sc_field field);
size_t th_sc_field_names_of(th_sc_msg msg, char *buf, size_t buf_len);

#endif
