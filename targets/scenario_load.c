/* The scenario loader as a target: scenario files come from users and CI
 * jobs, so the loader meets arbitrary bytes. Oracles: no crash, leak or hang
 * (the sanitizers and the loader's bounds), and two loads of the same bytes
 * give the same scenarios and errors. */
#include <stdlib.h>

#include "fuzz.h"
#include "load.h"

static void load_once(const uint8_t *data, size_t len, size_t *out_scenarios, size_t *out_errors,
                      int *out_ok) {
    th_scenario_set set;
    th_sc_errors errs;
    memset(&set, 0, sizeof(set));
    memset(&errs, 0, sizeof(errs));
    *out_ok = th_scenario_load_string("fuzz.yaml", (const char *)data, len, &set, &errs);
    if (*out_ok != (errs.num == 0)) {
        th_fuzz_oracle_failed("scenario_load", "result disagrees with the error list");
    }
    *out_scenarios = set.num_scenarios;
    *out_errors = errs.num;
    th_scenario_set_cleanup(&set);
    th_sc_errors_cleanup(&errs);
}

int th_fuzz_scenario_load(const uint8_t *data, size_t len) {
    size_t s1, s2, e1, e2;
    int ok1, ok2;
    load_once(data, len, &s1, &e1, &ok1);
    load_once(data, len, &s2, &e2, &ok2);
    if (s1 != s2 || e1 != e2 || ok1 != ok2) {
        th_fuzz_oracle_failed("scenario_load", "two loads of the same bytes differ");
    }
    /* Rejected files map to decode_error so replay prints a verdict. */
    return ok1 ? TH_FUZZ_ACCEPTED : TH_ALERT_DECODE_ERROR;
}
