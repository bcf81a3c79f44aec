/* tlsharness validate: loads scenario files (and an expectations file)
 * without running them, so a CI job or an editor can check them: every error
 * on stderr as file:line:col, exit 2 on any. */
#include <fnmatch.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "expectations.h"
#include "load.h"

static void validate_usage(FILE *f) {
    fprintf(f, "usage: tlsharness validate [--expect FILE] [PATH...]\n"
               "\n"
               "Loads scenario files and folders (folders: every *.yaml / *.yml inside,\n"
               "recursively, skipping pki/ and expectations*.yaml) and checks them against\n"
               "schema v1 (scenarios/README.md) without running them. Every error is printed\n"
               "on stderr as file:line:col: message. Without PATH: scenarios/.\n"
               "Exit status: 0 all valid, 2 any error or a usage error.\n"
               "\n"
               "  --expect FILE   also check an expectations file\n"
               "  --help          this text\n");
}

/* Scenarios as written: matrix rows of one document share its location. */
static size_t count_documents(const th_scenario_set *set) {
    size_t n = 0;
    for (size_t i = 0; i < set->num_scenarios; i++) {
        const th_scenario *s = set->scenarios[i];
        const th_scenario *prev = i > 0 ? set->scenarios[i - 1] : NULL;
        if (prev == NULL || prev->loc.file != s->loc.file || prev->loc.line != s->loc.line ||
            prev->loc.column != s->loc.column) {
            n++;
        }
    }
    return n;
}

/* An expectation that matches no loaded scenario is likely stale (a renamed
 * id): a warning, since the paths given may be a part of the suite. */
static void warn_unmatched(const th_expectations *ex, const th_scenario_set *set) {
    for (size_t i = 0; i < ex->num_peers; i++) {
        const th_expect_peer *p = &ex->peers[i];
        for (size_t j = 0; j < p->num_items; j++) {
            const th_expectation *it = &p->items[j];
            size_t k = 0;
            while (k < set->num_scenarios && fnmatch(it->id_glob, set->scenarios[k]->id, 0) != 0) {
                k++;
            }
            if (k == set->num_scenarios) {
                fprintf(stderr, "%s:%u:%u: warning: '%s' (peer %s) matches no scenario loaded\n",
                        it->loc.file, it->loc.line, it->loc.column, it->id_glob, p->peer);
            }
        }
    }
}

int th_cli_validate(int argc, char **argv) {
    const char *expect = NULL;
    const char *paths[256];
    size_t num_paths = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            validate_usage(stdout);
            return 0;
        } else if (strcmp(argv[i], "--expect") == 0) {
            if (i + 1 >= argc) {
                fprintf(stderr, "tlsharness validate: --expect needs a file\n");
                validate_usage(stderr);
                return 2;
            }
            expect = argv[++i];
        } else if (argv[i][0] == '-' && argv[i][1] != '\0') {
            fprintf(stderr, "tlsharness validate: unknown option '%s'\n", argv[i]);
            validate_usage(stderr);
            return 2;
        } else if (num_paths == sizeof(paths) / sizeof(paths[0])) {
            fprintf(stderr, "tlsharness validate: too many paths (at most %zu)\n",
                    sizeof(paths) / sizeof(paths[0]));
            return 2;
        } else {
            paths[num_paths++] = argv[i];
        }
    }
    if (num_paths == 0 && expect == NULL) {
        paths[num_paths++] = "scenarios";
    }
    th_scenario_set set;
    th_sc_errors errs;
    memset(&set, 0, sizeof(set));
    memset(&errs, 0, sizeof(errs));
    int ok = 1;
    if (num_paths > 0 && !th_scenario_load_paths(paths, num_paths, &set, &errs)) {
        ok = 0;
    }
    th_expectations ex;
    memset(&ex, 0, sizeof(ex));
    size_t num_entries = 0;
    if (expect != NULL) {
        if (th_expectations_load(expect, &ex, &errs)) {
            for (size_t i = 0; i < ex.num_peers; i++) {
                num_entries += ex.peers[i].num_items;
            }
        } else {
            ok = 0;
        }
    }
    for (size_t i = 0; i < errs.num; i++) {
        fprintf(stderr, "%s\n", errs.msgs[i]);
    }
    if (ok && num_paths > 0) {
        warn_unmatched(&ex, &set);
    }
    if (ok) {
        if (num_paths > 0) {
            printf("%zu scenarios (%zu after matrix expansion) in %zu files: ok\n",
                   count_documents(&set), set.num_scenarios, set.num_files);
        }
        if (expect != NULL) {
            printf("%s: %zu expectations for %zu peers: ok\n", expect, num_entries, ex.num_peers);
        }
    } else {
        fprintf(stderr, "%zu error%s\n", errs.num, errs.num == 1 ? "" : "s");
    }
    th_expectations_cleanup(&ex);
    th_scenario_set_cleanup(&set);
    th_sc_errors_cleanup(&errs);
    return ok ? 0 : 2;
}
