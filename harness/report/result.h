/* The result model every report is written from (JSON, JUnit XML, Markdown,
 * HTML): one th_run with one th_result per scenario x peer. Plain data with
 * owned strings; the runner fills it, the writers only read it. */
#ifndef TH_RESULT_H
#define TH_RESULT_H
#include <stddef.h>
#include <stdint.h>

/* Version of the JSON report schema (docs/report-schema.json, docs/reports.md). */
#define TH_REPORT_SCHEMA_VERSION 1

typedef enum {
    TH_VERDICT_PASS = 0,
    TH_VERDICT_FAIL,  /* a mismatch: the first one is in expected/got */
    TH_VERDICT_ERROR, /* could not run (peer failed to start, ...) */
    TH_VERDICT_SKIP,  /* not applicable to this peer, or skipped by the
                         expectations file */
    TH_VERDICT_XFAIL, /* failed as the expectations file records */
    TH_VERDICT_XPASS, /* passed though the expectations file records a
                         divergence: the record is stale (counts as a failure) */
    TH_NUM_VERDICTS,
} th_verdict;

/* "pass", "fail", "error", "skip", "xfail", "xpass". */
const char *th_verdict_name(th_verdict v);

typedef struct {
    char *scenario_id;  /* "tls13.ch.psk_not_last" */
    char *matrix_label; /* "cipher_suite=TLS_AES_256_GCM_SHA384" or NULL */
    char *title;
    char *file; /* scenario file and line: "scenarios/tls13/ch.yaml:12" */
    char *rfc_doc;
    char *rfc_section;
    char *rfc_quote;
    char *role; /* our scripted role: "client" or "server" */
    char *peer; /* "boringssl", "self", "tcp:..." */
    th_verdict verdict;
    char *message;   /* one line: the first mismatch, the error or the skip /
                        xfail reason */
    int failed_step; /* 1-based step index of the mismatch; 0 when none */
    char *step_loc;  /* "file:line:col" of that step, or NULL */
    char *expected;  /* what the step expected (FAIL), or NULL */
    char *got;       /* what happened instead (FAIL), or NULL */
    char *reason;    /* XFAIL / XPASS / SKIP: the expectations file's reason */
    double duration_ms;
    char *transcript;      /* decoded records and messages, both directions
                              (kept for FAIL, ERROR, XFAIL, XPASS), or NULL */
    char *transcript_path; /* saved transcript, relative to the report dir */
    char *keylog_path;     /* saved NSS key log, relative to the report dir */
} th_result;

typedef struct {
    char *tool_version;
    uint64_t seed;
    char *started_at; /* ISO 8601 UTC */
    double duration_ms;
    char **peers; /* the peers run, in order */
    size_t num_peers;
    th_result *results; /* owned, in scenario order then peer order */
    size_t num_results;
    size_t counts[TH_NUM_VERDICTS];
} th_run;

/* Appends a zeroed result and returns it (NULL when out of memory). */
th_result *th_run_add(th_run *run);
/* Recomputes counts[] from the results. */
void th_run_count(th_run *run);
/* 1 when the run holds no FAIL, ERROR or XPASS. */
int th_run_ok(const th_run *run);
void th_run_cleanup(th_run *run);

/* The writers. Each writes one file at |path| and returns 1, or 0 with a
 * message in |err|. */
int th_report_write_json(const th_run *run, const char *path, char *err, size_t err_len);
int th_report_write_junit(const th_run *run, const char *path, char *err, size_t err_len);
int th_report_write_markdown(const th_run *run, const char *path, char *err, size_t err_len);
int th_report_write_html(const th_run *run, const char *path, char *err, size_t err_len);

#endif
