/* `tlsharness run`: the conformance run. Loads scenarios, runs each against
 * each peer (runner.c), prints a summary and writes the reports. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "expectations.h"
#include "load.h"
#include "peer.h"
#include "runner.h"

#define MAX_PEERS 16
#define MAX_PATHS 256

static void run_usage(FILE *f) {
    fprintf(f,
            "usage: tlsharness run [PATH...] [--peer SPEC]... [--report DIR]\n"
            "                      [--format json,junit,md,html] [-j N] [--filter GLOB]\n"
            "                      [--expect FILE | --no-expect] [--seed N] [--pki DIR]\n"
            "                      [--deadline-ms N] [--quiet]\n"
            "\n"
            "Runs YAML scenarios (files or directories; default: scenarios/) against each\n"
            "peer and reports a verdict per scenario x peer: pass, fail (first mismatch),\n"
            "error, skip, xfail (a divergence the expectations file records) or xpass (a\n"
            "recorded divergence that no longer happens).\n"
            "\n"
            "  --peer SPEC      boringssl (in-process libssl), self (our engine),\n"
            "                   tcp:HOST:PORT (a server), listen:PORT (a client connects),\n"
            "                   exec:COMMAND (started per run; {port} is replaced by a free\n"
            "                   port). Repeatable; default: boringssl and self.\n"
            "  --report DIR     write report.json, junit.xml, report.md, report.html and\n"
            "                   the transcripts and key logs of failures into DIR\n"
            "  --format LIST    formats to write (default: all four)\n"
            "  -j N             scenarios run in parallel (default: number of CPUs)\n"
            "  --filter GLOB    only scenario ids (or id[matrix]) matching GLOB\n"
            "  --expect FILE    expectations file (default: scenarios/expectations.yaml\n"
            "                   when the default scenarios are run and it exists)\n"
            "  --no-expect      no expectations file: every divergence is a failure\n"
            "  --seed N         randomness of our endpoint and of self (default 1)\n"
            "  --pki DIR        certificates named by scenarios (default: scenarios/pki)\n"
            "  --deadline-ms N  how long network peers get to answer (default 2000)\n"
            "  --quiet          no progress line\n"
            "\n"
            "Exit status: 0 everything as expected, 1 any fail/error/xpass, 2 usage or\n"
            "input error.\n");
}

static int parse_uint(const char *flag, const char *s, unsigned long long max,
                      unsigned long long *out) {
    char *end = NULL;
    if (s == NULL || *s == '\0' || *s == '-') {
        fprintf(stderr, "tlsharness run: %s needs a number\n", flag);
        return 0;
    }
    unsigned long long v = strtoull(s, &end, 0);
    if (*end != '\0' || v > max) {
        fprintf(stderr, "tlsharness run: %s: '%s' is not a number up to %llu\n", flag, s, max);
        return 0;
    }
    *out = v;
    return 1;
}

static int parse_formats(const char *list, unsigned *out) {
    static const struct {
        const char *name;
        unsigned bit;
    } kFormats[] = {{"json", TH_FORMAT_JSON}, {"junit", TH_FORMAT_JUNIT}, {"md", TH_FORMAT_MD},
                    {"markdown", TH_FORMAT_MD}, {"html", TH_FORMAT_HTML}};
    *out = 0;
    const char *p = list;
    while (*p != '\0') {
        size_t n = strcspn(p, ",");
        size_t i = 0;
        for (; i < sizeof(kFormats) / sizeof(kFormats[0]); i++) {
            if (strlen(kFormats[i].name) == n && strncmp(kFormats[i].name, p, n) == 0) {
                *out |= kFormats[i].bit;
                break;
            }
        }
        if (i == sizeof(kFormats) / sizeof(kFormats[0])) {
            fprintf(stderr,
                    "tlsharness run: --format: unknown format '%.*s' (json, junit, md, html)\n",
                    (int)n, p);
            return 0;
        }
        p += n;
        p += *p == ',';
    }
    if (*out == 0) {
        fprintf(stderr, "tlsharness run: --format needs at least one format\n");
        return 0;
    }
    return 1;
}

static int is_dir(const char *path) {
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static int is_file(const char *path) {
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* The default scenarios/ folder: in the current directory, else the source
 * tree's. */
static const char *default_root(void) {
    return is_dir("scenarios") ? "scenarios" : TH_SOURCE_DIR "/scenarios";
}

int th_cli_run(int argc, char **argv) {
    const char *peers[MAX_PEERS];
    size_t num_peers = 0;
    const char *paths[MAX_PATHS];
    size_t num_paths = 0;
    const char *report_dir = NULL, *filter = NULL, *expect_path = NULL, *pki_dir = NULL;
    int no_expect = 0, quiet = 0;
    unsigned formats = TH_FORMAT_ALL;
    unsigned long long jobs = 0, seed = 1, deadline = 2000;

    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            run_usage(stdout);
            return 0;
        } else if (strcmp(a, "--peer") == 0) {
            if (v == NULL || !th_peer_spec_valid(v)) {
                fprintf(stderr,
                        "tlsharness run: --peer: '%s' is not a peer (boringssl, self, "
                        "tcp:HOST:PORT, listen:PORT, exec:COMMAND)\n",
                        v != NULL ? v : "");
                return 2;
            }
            if (num_peers == MAX_PEERS) {
                fprintf(stderr, "tlsharness run: --peer: at most %d peers\n", MAX_PEERS);
                return 2;
            }
            peers[num_peers++] = v;
            i++;
        } else if (strcmp(a, "--report") == 0) {
            if (v == NULL) {
                fprintf(stderr, "tlsharness run: --report needs a directory\n");
                return 2;
            }
            report_dir = v;
            i++;
        } else if (strcmp(a, "--format") == 0) {
            if (v == NULL || !parse_formats(v, &formats)) {
                if (v == NULL) {
                    fprintf(stderr, "tlsharness run: --format needs a list\n");
                }
                return 2;
            }
            i++;
        } else if (strcmp(a, "-j") == 0 || strcmp(a, "--jobs") == 0) {
            if (!parse_uint(a, v, 256, &jobs)) {
                return 2;
            }
            i++;
        } else if (strncmp(a, "-j", 2) == 0 && a[2] >= '0' && a[2] <= '9') {
            if (!parse_uint("-j", a + 2, 256, &jobs)) {
                return 2;
            }
        } else if (strcmp(a, "--filter") == 0) {
            if (v == NULL) {
                fprintf(stderr, "tlsharness run: --filter needs a glob\n");
                return 2;
            }
            filter = v;
            i++;
        } else if (strcmp(a, "--expect") == 0) {
            if (v == NULL) {
                fprintf(stderr, "tlsharness run: --expect needs a file\n");
                return 2;
            }
            expect_path = v;
            i++;
        } else if (strcmp(a, "--no-expect") == 0) {
            no_expect = 1;
        } else if (strcmp(a, "--seed") == 0) {
            if (!parse_uint(a, v, UINT64_MAX, &seed)) {
                return 2;
            }
            i++;
        } else if (strcmp(a, "--pki") == 0) {
            if (v == NULL || !is_dir(v)) {
                fprintf(stderr, "tlsharness run: --pki: '%s' is not a directory\n",
                        v != NULL ? v : "");
                return 2;
            }
            pki_dir = v;
            i++;
        } else if (strcmp(a, "--deadline-ms") == 0) {
            if (!parse_uint(a, v, 600000, &deadline)) {
                return 2;
            }
            i++;
        } else if (strcmp(a, "--quiet") == 0 || strcmp(a, "-q") == 0) {
            quiet = 1;
        } else if (a[0] == '-' && a[1] != '\0') {
            fprintf(stderr, "tlsharness run: unknown option '%s' (see --help)\n", a);
            return 2;
        } else {
            if (num_paths == MAX_PATHS) {
                fprintf(stderr, "tlsharness run: at most %d paths\n", MAX_PATHS);
                return 2;
            }
            paths[num_paths++] = a;
        }
    }
    if (expect_path != NULL && no_expect) {
        fprintf(stderr, "tlsharness run: --expect and --no-expect exclude each other\n");
        return 2;
    }
    char default_expect[4096];
    if (num_paths == 0) {
        paths[num_paths++] = default_root();
        snprintf(default_expect, sizeof(default_expect), "%s/expectations.yaml", paths[0]);
        if (expect_path == NULL && !no_expect && is_file(default_expect)) {
            expect_path = default_expect;
        }
    }
    if (num_peers == 0) {
        peers[num_peers++] = "boringssl";
        peers[num_peers++] = "self";
    }
    char default_pki[4096];
    if (pki_dir == NULL) {
        snprintf(default_pki, sizeof(default_pki), "%s/pki", default_root());
        pki_dir = default_pki;
    }
    if (jobs == 0) {
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        jobs = n > 0 ? (unsigned long long)n : 1;
    }

    th_scenario_set set;
    memset(&set, 0, sizeof(set));
    th_sc_errors errs;
    memset(&errs, 0, sizeof(errs));
    th_expectations expect;
    memset(&expect, 0, sizeof(expect));
    int status = 2;
    if (!th_scenario_load_paths(paths, num_paths, &set, &errs)) {
        goto input_errors;
    }
    if (expect_path != NULL && !th_expectations_load(expect_path, &expect, &errs)) {
        goto input_errors;
    }
    if (set.num_scenarios == 0) {
        fprintf(stderr, "tlsharness run: no scenarios found\n");
        goto done;
    }

    th_runner_opts opts = {.peers = peers,
                           .num_peers = num_peers,
                           .filter = filter,
                           .expect = expect_path != NULL ? &expect : NULL,
                           .seed = seed,
                           .pki_dir = pki_dir,
                           .deadline_ms = (unsigned)deadline,
                           .jobs = (unsigned)jobs,
                           .report_dir = report_dir,
                           .progress = !quiet && isatty(fileno(stderr)) ? stderr : NULL};
    th_run run;
    char err[1024] = "";
    if (!th_runner_run(&set, &opts, &run, err, sizeof(err))) {
        fprintf(stderr, "tlsharness run: %s\n", err);
        th_run_cleanup(&run);
        goto done;
    }
    if (run.num_results == 0) {
        fprintf(stderr, "tlsharness run: --filter '%s' matches no scenario\n",
                filter != NULL ? filter : "");
        th_run_cleanup(&run);
        goto done;
    }
    th_runner_print_summary(&run, stdout);
    if (report_dir != NULL) {
        if (!th_runner_write_reports(&run, report_dir, formats, err, sizeof(err))) {
            fprintf(stderr, "tlsharness run: %s\n", err);
            th_run_cleanup(&run);
            goto done;
        }
        printf("reports in %s/%s\n", report_dir,
               (formats & TH_FORMAT_HTML) != 0 ? "report.html" : "");
    }
    status = th_run_ok(&run) ? 0 : 1;
    th_run_cleanup(&run);
    goto done;

input_errors:
    for (size_t i = 0; i < errs.num; i++) {
        fprintf(stderr, "%s\n", errs.msgs[i]);
    }
done:
    th_sc_errors_cleanup(&errs);
    th_expectations_cleanup(&expect);
    th_scenario_set_cleanup(&set);
    return status;
}
