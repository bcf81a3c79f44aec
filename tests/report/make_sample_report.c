/* Writes the sample run (sample_run.h), or an empty run with --empty, as an
 * HTML report (or a JSON one with --json) for the browser and schema checks,
 * and prints the number of matrix rows the page must render. */
#include <stdio.h>
#include <string.h>

#include "sample_run.h"

int main(int argc, char **argv) {
    int empty = 0, json = 0, i = 1;
    for (; i < argc - 1; i++) {
        if (strcmp(argv[i], "--empty") == 0) {
            empty = 1;
        } else if (strcmp(argv[i], "--json") == 0) {
            json = 1;
        } else {
            break;
        }
    }
    if (i != argc - 1) {
        fprintf(stderr, "usage: %s [--empty] [--json] OUT\n", argv[0]);
        return 2;
    }
    th_run run;
    memset(&run, 0, sizeof(run));
    if (!empty) {
        th_sample_run(&run);
    }
    char err[512];
    int ok = json ? th_report_write_json(&run, argv[i], err, sizeof(err))
                  : th_report_write_html(&run, argv[i], err, sizeof(err));
    th_run_cleanup(&run);
    if (!ok) {
        fprintf(stderr, "make_sample_report: %s\n", err);
        return 1;
    }
    printf("%d\n", empty ? 0 : TH_SAMPLE_NUM_ROWS);
    return 0;
}
