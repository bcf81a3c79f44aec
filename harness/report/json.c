/* The JSON report (docs/report-schema.json, schema_version
 * TH_REPORT_SCHEMA_VERSION), written with jansson: every string goes through
 * the library, never through hand escaping. */
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "report_util.h"

/* Builds objects while remembering the first allocation failure, so the
 * tree is built straight through and checked once. */
typedef struct {
    int oom;
} builder;

static void set(builder *b, json_t *obj, const char *key, json_t *val) {
    /* jansson takes the reference even on failure (NULL object included). */
    if (json_object_set_new(obj, key, val) != 0) {
        b->oom = 1;
    }
}

/* A JSON string for |s| (invalid UTF-8 replaced), or null when absent. */
static json_t *str_or_null(builder *b, const char *s) {
    if (s == NULL) {
        return json_null();
    }
    char *clean = th_utf8_sanitize(s);
    if (clean == NULL) {
        b->oom = 1;
        return NULL;
    }
    json_t *v = json_string(clean);
    free(clean);
    return v;
}

/* The transcript to embed, cut to TH_REPORT_TRANSCRIPT_MAX with a note. */
static json_t *transcript(builder *b, const th_result *r) {
    if (r->transcript == NULL) {
        return json_null();
    }
    size_t keep = th_report_transcript_keep(r->transcript);
    if (r->transcript[keep] == '\0') {
        return str_or_null(b, r->transcript);
    }
    char note[512];
    th_report_transcript_note(r, keep, note, sizeof(note));
    size_t note_len = strlen(note);
    char *cut = malloc(keep + note_len + 1);
    if (cut == NULL) {
        b->oom = 1;
        return NULL;
    }
    memcpy(cut, r->transcript, keep);
    memcpy(cut + keep, note, note_len + 1);
    json_t *v = str_or_null(b, cut);
    free(cut);
    return v;
}

static json_t *ms(double v) {
    /* jansson refuses NaN and infinities, which no clock produces anyway. */
    return json_real(isfinite(v) && v >= 0 ? v : 0.0);
}

static json_t *result_json(builder *b, const th_result *r, int with_transcripts) {
    json_t *o = json_object();
    set(b, o, "id", str_or_null(b, r->scenario_id));
    set(b, o, "matrix", str_or_null(b, r->matrix_label));
    set(b, o, "title", str_or_null(b, r->title));
    set(b, o, "file", str_or_null(b, r->file));
    json_t *rfc = json_object();
    set(b, rfc, "doc", str_or_null(b, r->rfc_doc));
    set(b, rfc, "section", str_or_null(b, r->rfc_section));
    set(b, rfc, "quote", str_or_null(b, r->rfc_quote));
    set(b, o, "rfc", rfc);
    set(b, o, "role", str_or_null(b, r->role));
    set(b, o, "peer", str_or_null(b, r->peer));
    set(b, o, "verdict", json_string(th_verdict_name(r->verdict)));
    set(b, o, "message", str_or_null(b, r->message));
    set(b, o, "failed_step", r->failed_step > 0 ? json_integer(r->failed_step) : json_null());
    set(b, o, "step_loc", str_or_null(b, r->step_loc));
    set(b, o, "expected", str_or_null(b, r->expected));
    set(b, o, "got", str_or_null(b, r->got));
    set(b, o, "reason", str_or_null(b, r->reason));
    set(b, o, "duration_ms", ms(r->duration_ms));
    set(b, o, "transcript_path", str_or_null(b, r->transcript_path));
    set(b, o, "keylog_path", str_or_null(b, r->keylog_path));
    if (with_transcripts) {
        set(b, o, "transcript", transcript(b, r));
    }
    return o;
}

json_t *th_report_json_tree(const th_run *run, int with_transcripts) {
    builder b = {0};
    json_t *root = json_object();
    set(&b, root, "schema_version", json_integer(TH_REPORT_SCHEMA_VERSION));

    json_t *tool = json_object();
    set(&b, tool, "name", json_string("tlsharness"));
    set(&b, tool, "version", str_or_null(&b, run->tool_version));
    set(&b, root, "tool", tool);

    json_t *info = json_object();
    /* A uint64 seed does not fit jansson's int64 nor a JavaScript number
     * (2^53): a decimal string keeps every seed exact for reproduction. */
    char seed[24];
    snprintf(seed, sizeof(seed), "%" PRIu64, run->seed);
    set(&b, info, "seed", json_string(seed));
    set(&b, info, "started_at", str_or_null(&b, run->started_at));
    set(&b, info, "duration_ms", ms(run->duration_ms));
    json_t *peers = json_array();
    for (size_t i = 0; i < run->num_peers; i++) {
        json_t *p = str_or_null(&b, run->peers[i] != NULL ? run->peers[i] : TH_REPORT_NO_PEER);
        if (json_array_append_new(peers, p) != 0) {
            b.oom = 1;
        }
    }
    set(&b, info, "peers", peers);
    set(&b, root, "run", info);

    /* Counted here from the results, so the summary always agrees with the
     * results array even if the caller did not call th_run_count. */
    size_t counts[TH_NUM_VERDICTS] = {0};
    for (size_t i = 0; i < run->num_results; i++) {
        if ((unsigned)run->results[i].verdict < TH_NUM_VERDICTS) {
            counts[run->results[i].verdict]++;
        }
    }
    json_t *summary = json_object();
    for (int v = 0; v < TH_NUM_VERDICTS; v++) {
        set(&b, summary, th_verdict_name((th_verdict)v), json_integer((json_int_t)counts[v]));
    }
    set(&b, summary, "total", json_integer((json_int_t)run->num_results));
    set(&b, summary, "ok", json_boolean(th_run_ok(run)));
    set(&b, root, "summary", summary);

    json_t *results = json_array();
    for (size_t i = 0; i < run->num_results && !b.oom; i++) {
        json_t *r = result_json(&b, &run->results[i], with_transcripts);
        if (json_array_append_new(results, r) != 0) {
            b.oom = 1;
        }
    }
    set(&b, root, "results", results);

    if (b.oom) {
        json_decref(root);
        return NULL;
    }
    return root;
}

int th_report_write_json(const th_run *run, const char *path, char *err, size_t err_len) {
    json_t *root = th_report_json_tree(run, 0);
    if (root == NULL) {
        return th_report_fail(err, err_len, "%s: out of memory building the report",
                              path != NULL ? path : "report.json");
    }
    FILE *f = th_report_open(path, err, err_len);
    if (f == NULL) {
        json_decref(root);
        return 0;
    }
    int dumped = json_dumpf(root, f, JSON_INDENT(2) | JSON_REAL_PRECISION(10)) == 0;
    json_decref(root);
    if (dumped) {
        fputc('\n', f);
    }
    if (!th_report_close(f, path, err, err_len)) {
        return 0;
    }
    if (!dumped) {
        return th_report_fail(err, err_len, "%s: could not serialize the report", path);
    }
    return 1;
}
