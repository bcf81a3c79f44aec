/* harness/report/json.c: the JSON report parses back with jansson, holds
 * every field with its type, agrees with docs/report-schema.json and with
 * the run's counts. */
#include <regex.h>

#include <jansson.h>

#include "report_testutil.h"
#include "report_util.h"
#include "sample_run.h"

static const char *const kResultKeys[] = {
    "id",          "matrix",          "title",       "file",     "rfc",      "role", "peer",
    "verdict",     "message",         "failed_step", "step_loc", "expected", "got",  "reason",
    "duration_ms", "transcript_path", "keylog_path"};
static const char *const kStringKeys[] = {"id",         "matrix", "title",   "file",
                                          "role",       "peer",   "message", "step_loc",
                                          "expected",   "got",    "reason",  "transcript_path",
                                          "keylog_path"};

/* Writes |run| as JSON into a scratch file and loads it back. */
static json_t *write_and_load(const th_run *run) {
    char *dir = th_report_test_dir();
    char *path = th_report_test_path(dir, "report.json");
    char err[256] = "";
    assert_int_equal(th_report_write_json(run, path, err, sizeof(err)), 1);
    json_error_t jerr;
    json_t *root = json_load_file(path, 0, &jerr);
    if (root == NULL) {
        fail_msg("report.json does not parse: %s at line %d", jerr.text, jerr.line);
    }
    th_report_test_cleanup(dir, path);
    return root;
}

static void assert_string_or_null(json_t *obj, const char *key, const char *want) {
    json_t *v = json_object_get(obj, key);
    assert_non_null(v);
    if (want == NULL) {
        assert_true(json_is_null(v));
    } else {
        assert_true(json_is_string(v));
        assert_string_equal(json_string_value(v), want);
    }
}

static void test_json_has_every_field_with_its_type(void **state) {
    th_run run;
    memset(&run, 0, sizeof(run));
    th_sample_run(&run);
    json_t *root = write_and_load(&run);

    assert_int_equal(json_integer_value(json_object_get(root, "schema_version")),
                     TH_REPORT_SCHEMA_VERSION);
    assert_int_equal(json_object_size(root), 5);
    json_t *tool = json_object_get(root, "tool");
    assert_string_or_null(tool, "name", "tlsharness");
    assert_string_or_null(tool, "version", run.tool_version);

    json_t *info = json_object_get(root, "run");
    assert_string_or_null(info, "seed", "18446744073709551615");
    assert_string_or_null(info, "started_at", "2026-11-25T23:00:00Z");
    assert_true(json_is_number(json_object_get(info, "duration_ms")));
    assert_true(json_number_value(json_object_get(info, "duration_ms")) == 1234.5);
    json_t *peers = json_object_get(info, "peers");
    assert_true(json_is_array(peers));
    assert_int_equal(json_array_size(peers), 2);
    assert_string_equal(json_string_value(json_array_get(peers, 1)), "self");

    json_t *results = json_object_get(root, "results");
    assert_true(json_is_array(results));
    assert_int_equal(json_array_size(results), run.num_results);
    for (size_t i = 0; i < run.num_results; i++) {
        const th_result *r = &run.results[i];
        json_t *o = json_array_get(results, i);
        assert_true(json_is_object(o));
        assert_int_equal(json_object_size(o), sizeof(kResultKeys) / sizeof(kResultKeys[0]));
        for (size_t k = 0; k < sizeof(kResultKeys) / sizeof(kResultKeys[0]); k++) {
            assert_non_null(json_object_get(o, kResultKeys[k]));
        }
        for (size_t k = 0; k < sizeof(kStringKeys) / sizeof(kStringKeys[0]); k++) {
            json_t *v = json_object_get(o, kStringKeys[k]);
            assert_true(json_is_string(v) || json_is_null(v));
        }
        assert_string_or_null(o, "id", r->scenario_id);
        assert_string_or_null(o, "matrix", r->matrix_label);
        assert_string_or_null(o, "peer", r->peer);
        assert_string_or_null(o, "verdict", th_verdict_name(r->verdict));
        assert_string_or_null(o, "step_loc", r->step_loc);
        assert_string_or_null(o, "reason", r->reason);
        json_t *rfc = json_object_get(o, "rfc");
        assert_true(json_is_object(rfc));
        assert_int_equal(json_object_size(rfc), 3);
        assert_string_or_null(rfc, "doc", r->rfc_doc);
        assert_string_or_null(rfc, "section", r->rfc_section);
        assert_string_or_null(rfc, "quote", r->rfc_quote);
        json_t *step = json_object_get(o, "failed_step");
        if (r->failed_step > 0) {
            assert_int_equal(json_integer_value(step), r->failed_step);
        } else {
            assert_true(json_is_null(step));
        }
        assert_true(json_is_number(json_object_get(o, "duration_ms")));
        /* Transcripts are files beside the report, not part of it. */
        assert_null(json_object_get(o, "transcript"));
    }
    json_decref(root);
    th_run_cleanup(&run);
}

static void test_json_summary_counts_match_results(void **state) {
    th_run run;
    memset(&run, 0, sizeof(run));
    th_sample_run(&run);
    json_t *root = write_and_load(&run);
    json_t *summary = json_object_get(root, "summary");
    json_t *results = json_object_get(root, "results");
    size_t total = 0;
    for (int v = 0; v < TH_NUM_VERDICTS; v++) {
        json_t *n = json_object_get(summary, th_verdict_name((th_verdict)v));
        assert_true(json_is_integer(n));
        size_t seen = 0;
        for (size_t i = 0; i < json_array_size(results); i++) {
            const char *verdict =
                json_string_value(json_object_get(json_array_get(results, i), "verdict"));
            seen += strcmp(verdict, th_verdict_name((th_verdict)v)) == 0;
        }
        assert_int_equal(json_integer_value(n), seen);
        assert_int_equal(json_integer_value(n), run.counts[v]);
        assert_true(seen >= 2);
        total += seen;
    }
    assert_int_equal(json_integer_value(json_object_get(summary, "total")), total);
    assert_int_equal(total, run.num_results);
    assert_true(json_is_false(json_object_get(summary, "ok")));
    json_decref(root);
    th_run_cleanup(&run);
}

static void test_json_strings_survive_escaping(void **state) {
    th_run run;
    memset(&run, 0, sizeof(run));
    th_sample_run(&run);
    json_t *root = write_and_load(&run);
    json_t *results = json_object_get(root, "results");
    int nasty = 0, invalid = 0;
    for (size_t i = 0; i < run.num_results; i++) {
        json_t *o = json_array_get(results, i);
        const char *title = json_string_value(json_object_get(o, "title"));
        if (title != NULL && strcmp(title, TH_SAMPLE_NASTY) == 0) {
            nasty++;
        }
        const char *got = json_string_value(json_object_get(o, "got"));
        if (run.results[i].got != NULL && strcmp(run.results[i].got, TH_SAMPLE_INVALID_UTF8) == 0) {
            /* Invalid UTF-8 comes back with U+FFFD in place of each bad byte. */
            assert_non_null(got);
            assert_non_null(strstr(got, "bad \xef\xbf\xbd\xef\xbf\xbd "));
            assert_non_null(strstr(got, " end"));
            invalid++;
        }
    }
    assert_int_equal(nasty, 2);
    assert_int_equal(invalid, 1);
    json_decref(root);
    th_run_cleanup(&run);
}

static void test_json_absent_strings_are_null(void **state) {
    th_run run;
    memset(&run, 0, sizeof(run));
    th_result *r = th_run_add(&run);
    assert_non_null(r);
    r->verdict = TH_VERDICT_ERROR;
    json_t *root = write_and_load(&run);
    json_t *o = json_array_get(json_object_get(root, "results"), 0);
    for (size_t k = 0; k < sizeof(kStringKeys) / sizeof(kStringKeys[0]); k++) {
        assert_true(json_is_null(json_object_get(o, kStringKeys[k])));
    }
    json_t *rfc = json_object_get(o, "rfc");
    assert_true(json_is_null(json_object_get(rfc, "doc")));
    assert_true(json_is_null(json_object_get(rfc, "section")));
    assert_true(json_is_null(json_object_get(rfc, "quote")));
    assert_true(json_is_null(json_object_get(o, "failed_step")));
    assert_true(json_is_null(json_object_get(json_object_get(root, "tool"), "version")));
    assert_true(json_is_null(json_object_get(json_object_get(root, "run"), "started_at")));
    json_decref(root);
    th_run_cleanup(&run);
}

static void test_json_empty_run(void **state) {
    th_run run;
    memset(&run, 0, sizeof(run));
    json_t *root = write_and_load(&run);
    assert_int_equal(json_array_size(json_object_get(root, "results")), 0);
    assert_true(json_is_array(json_object_get(root, "results")));
    json_t *summary = json_object_get(root, "summary");
    assert_int_equal(json_integer_value(json_object_get(summary, "total")), 0);
    assert_true(json_is_true(json_object_get(summary, "ok")));
    assert_string_equal(json_string_value(json_object_get(json_object_get(root, "run"), "seed")),
                        "0");
    json_decref(root);
}

/* A validator for the part of JSON Schema 2020-12 that
 * docs/report-schema.json uses ($ref to $defs, type, const, enum, required,
 * properties, additionalProperties: false, items, minimum, pattern), so the
 * documented schema and the writer cannot drift apart. */
static int type_matches(const char *type, const json_t *v) {
    if (strcmp(type, "object") == 0) {
        return json_is_object(v);
    } else if (strcmp(type, "array") == 0) {
        return json_is_array(v);
    } else if (strcmp(type, "string") == 0) {
        return json_is_string(v);
    } else if (strcmp(type, "integer") == 0) {
        return json_is_integer(v);
    } else if (strcmp(type, "number") == 0) {
        return json_is_number(v);
    } else if (strcmp(type, "boolean") == 0) {
        return json_is_boolean(v);
    } else if (strcmp(type, "null") == 0) {
        return json_is_null(v);
    }
    fail_msg("schema type %s not handled by the test validator", type);
    return 0;
}

static void validate(json_t *root_schema, json_t *schema, json_t *v, const char *where) {
    static const char *const kKnown[] = {
        "$schema", "$id",     "$defs",  "title",    "description", "$ref",
        "type",    "const",   "enum",   "required", "properties",  "additionalProperties",
        "items",   "minimum", "pattern"};
    const char *key;
    json_t *kw;
    json_object_foreach(schema, key, kw) {
        int known = 0;
        for (size_t i = 0; i < sizeof(kKnown) / sizeof(kKnown[0]); i++) {
            known |= strcmp(key, kKnown[i]) == 0;
        }
        if (!known) {
            fail_msg("schema keyword %s not handled by the test validator", key);
        }
    }
    json_t *ref = json_object_get(schema, "$ref");
    if (ref != NULL) {
        const char *name = json_string_value(ref);
        assert_true(strncmp(name, "#/$defs/", 8) == 0);
        json_t *target = json_object_get(json_object_get(root_schema, "$defs"), name + 8);
        assert_non_null(target);
        validate(root_schema, target, v, where);
    }
    json_t *type = json_object_get(schema, "type");
    if (json_is_string(type)) {
        if (!type_matches(json_string_value(type), v)) {
            fail_msg("%s: not of type %s", where, json_string_value(type));
        }
    } else if (json_is_array(type)) {
        int any = 0;
        size_t i;
        json_t *t;
        json_array_foreach(type, i, t) {
            any |= type_matches(json_string_value(t), v);
        }
        if (!any) {
            fail_msg("%s: of none of the allowed types", where);
        }
    }
    json_t *c = json_object_get(schema, "const");
    if (c != NULL && !json_equal(c, v)) {
        fail_msg("%s: not the constant", where);
    }
    json_t *e = json_object_get(schema, "enum");
    if (e != NULL) {
        int any = 0;
        size_t i;
        json_t *alt;
        json_array_foreach(e, i, alt) {
            any |= json_equal(alt, v) || (json_is_null(alt) && json_is_null(v));
        }
        if (!any) {
            fail_msg("%s: not one of the enum values", where);
        }
    }
    json_t *min = json_object_get(schema, "minimum");
    if (min != NULL && json_is_number(v) && json_number_value(v) < json_number_value(min)) {
        fail_msg("%s: below the minimum", where);
    }
    json_t *pattern = json_object_get(schema, "pattern");
    if (pattern != NULL && json_is_string(v)) {
        regex_t re;
        assert_int_equal(regcomp(&re, json_string_value(pattern), REG_EXTENDED | REG_NOSUB), 0);
        int matched = regexec(&re, json_string_value(v), 0, NULL, 0) == 0;
        regfree(&re);
        if (!matched) {
            fail_msg("%s: \"%s\" does not match %s", where, json_string_value(v),
                     json_string_value(pattern));
        }
    }
    if (json_is_object(v)) {
        size_t i;
        json_t *req;
        json_array_foreach(json_object_get(schema, "required"), i, req) {
            if (json_object_get(v, json_string_value(req)) == NULL) {
                fail_msg("%s: required field %s missing", where, json_string_value(req));
            }
        }
        json_t *props = json_object_get(schema, "properties");
        json_t *val;
        json_object_foreach(v, key, val) {
            char sub[256];
            snprintf(sub, sizeof(sub), "%s.%s", where, key);
            json_t *ps = json_object_get(props, key);
            if (ps != NULL) {
                validate(root_schema, ps, val, sub);
            } else if (json_is_false(json_object_get(schema, "additionalProperties"))) {
                fail_msg("%s: not in the schema", sub);
            }
        }
    }
    json_t *items = json_object_get(schema, "items");
    if (items != NULL && json_is_array(v)) {
        size_t i;
        json_t *item;
        json_array_foreach(v, i, item) {
            char sub[256];
            snprintf(sub, sizeof(sub), "%s[%zu]", where, i);
            validate(root_schema, items, item, sub);
        }
    }
}

static void test_json_matches_the_documented_schema(void **state) {
    json_error_t jerr;
    json_t *schema = json_load_file(TH_SOURCE_DIR "/docs/report-schema.json", 0, &jerr);
    if (schema == NULL) {
        fail_msg("docs/report-schema.json: %s at line %d", jerr.text, jerr.line);
    }
    assert_string_equal(json_string_value(json_object_get(schema, "$schema")),
                        "https://json-schema.org/draft/2020-12/schema");
    json_t *version = json_object_get(
        json_object_get(json_object_get(schema, "properties"), "schema_version"), "const");
    assert_int_equal(json_integer_value(version), TH_REPORT_SCHEMA_VERSION);

    th_run run;
    memset(&run, 0, sizeof(run));
    th_sample_run(&run);
    json_t *root = write_and_load(&run);
    validate(schema, schema, root, "$");
    json_decref(root);
    th_run_cleanup(&run);

    /* The empty run and a result with nothing set are valid too. */
    th_result *r = th_run_add(&run);
    assert_non_null(r);
    root = write_and_load(&run);
    validate(schema, schema, root, "$");
    json_decref(root);
    th_run_cleanup(&run);
    root = write_and_load(&run);
    validate(schema, schema, root, "$");
    json_decref(root);
    json_decref(schema);
}

static void test_json_unwritable_path_fails_with_message(void **state) {
    th_run run;
    memset(&run, 0, sizeof(run));
    th_sample_run(&run);
    char err[256] = "";
    assert_int_equal(th_report_write_json(&run, TH_REPORT_UNWRITABLE, err, sizeof(err)), 0);
    assert_non_null(strstr(err, TH_REPORT_UNWRITABLE));
    assert_non_null(strstr(err, "No such file"));
    th_run_cleanup(&run);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_json_has_every_field_with_its_type),
        cmocka_unit_test(test_json_summary_counts_match_results),
        cmocka_unit_test(test_json_strings_survive_escaping),
        cmocka_unit_test(test_json_absent_strings_are_null),
        cmocka_unit_test(test_json_empty_run),
        cmocka_unit_test(test_json_matches_the_documented_schema),
        cmocka_unit_test(test_json_unwritable_path_fails_with_message),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
