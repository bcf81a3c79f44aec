#include "result.h"

#include <stdlib.h>
#include <string.h>

const char *th_verdict_name(th_verdict v) {
    static const char *const kNames[TH_NUM_VERDICTS] = {"pass", "fail",  "error",
                                                        "skip", "xfail", "xpass"};
    return (unsigned)v < TH_NUM_VERDICTS ? kNames[v] : "unknown";
}

th_result *th_run_add(th_run *run) {
    th_result *grown = realloc(run->results, (run->num_results + 1) * sizeof(*grown));
    if (grown == NULL) {
        return NULL;
    }
    run->results = grown;
    th_result *r = &run->results[run->num_results++];
    memset(r, 0, sizeof(*r));
    return r;
}

void th_run_count(th_run *run) {
    memset(run->counts, 0, sizeof(run->counts));
    for (size_t i = 0; i < run->num_results; i++) {
        if ((unsigned)run->results[i].verdict < TH_NUM_VERDICTS) {
            run->counts[run->results[i].verdict]++;
        }
    }
}

int th_run_ok(const th_run *run) {
    for (size_t i = 0; i < run->num_results; i++) {
        th_verdict v = run->results[i].verdict;
        if (v == TH_VERDICT_FAIL || v == TH_VERDICT_ERROR || v == TH_VERDICT_XPASS) {
            return 0;
        }
    }
    return 1;
}

static void result_cleanup(th_result *r) {
    char **strings[] = {&r->scenario_id, &r->matrix_label, &r->title,      &r->file,
                        &r->rfc_doc,     &r->rfc_section,  &r->rfc_quote,  &r->role,
                        &r->peer,        &r->message,      &r->step_loc,   &r->expected,
                        &r->got,         &r->reason,       &r->transcript, &r->transcript_path,
                        &r->keylog_path};
    for (size_t i = 0; i < sizeof(strings) / sizeof(strings[0]); i++) {
        free(*strings[i]);
    }
    memset(r, 0, sizeof(*r));
}

void th_run_cleanup(th_run *run) {
    if (run == NULL) {
        return;
    }
    for (size_t i = 0; i < run->num_results; i++) {
        result_cleanup(&run->results[i]);
    }
    free(run->results);
    for (size_t i = 0; i < run->num_peers; i++) {
        free(run->peers[i]);
    }
    free(run->peers);
    free(run->tool_version);
    free(run->started_at);
    memset(run, 0, sizeof(*run));
}
