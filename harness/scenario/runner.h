/* The runner: every scenario (matrix rows already expanded by the loader)
 * against every peer, in parallel, each verdict adjusted by the expectations
 * file, into one th_run that the report writers read. */
#ifndef TH_RUNNER_H
#define TH_RUNNER_H
#include <stdio.h>
#include "expectations.h"
#include "result.h"
#include "scenario.h"

/* Report formats (bit mask). */
#define TH_FORMAT_JSON 1u
#define TH_FORMAT_JUNIT 2u
#define TH_FORMAT_MD 4u
#define TH_FORMAT_HTML 8u
#define TH_FORMAT_ALL 15u

typedef struct {
    const char *const *peers; /* peer specs, in report order */
    size_t num_peers;
    const char *filter;              /* fnmatch glob on the id (or "id[matrix]"); NULL: all */
    const th_expectations *expect;   /* NULL: none */
    uint64_t seed;                   /* every run with the same seed is the same for us
                                        and self (BoringSSL draws its own randomness) */
    const char *pki_dir;             /* scenarios/pki */
    unsigned deadline_ms;            /* network peers: how long an expect waits */
    unsigned jobs;                   /* worker threads; 0 means 1 */
    const char *report_dir;          /* NULL: no files (transcripts stay in memory) */
    FILE *progress;                  /* NULL: quiet; else "done/total, failures" lines */
} th_runner_opts;

/* Runs the set. Fills |out| (results in scenario order, then peer order) and
 * saves each failure's transcript and key log under report_dir/transcripts/.
 * 1 on a completed run (whatever the verdicts); 0 with |err| when the run
 * itself could not happen (out of memory, report dir not writable). */
int th_runner_run(const th_scenario_set *set, const th_runner_opts *opts, th_run *out, char *err,
                  size_t err_len) TH_MUST_USE;

/* Writes the formats of |mask| into |dir| as report.json, junit.xml,
 * report.md and report.html. 0 with |err| naming the file on failure. */
int th_runner_write_reports(const th_run *run, const char *dir, unsigned mask, char *err,
                            size_t err_len) TH_MUST_USE;

/* A one-paragraph summary: counts per verdict, the failures with their first
 * mismatch, the time taken. */
void th_runner_print_summary(const th_run *run, FILE *f);

#endif
