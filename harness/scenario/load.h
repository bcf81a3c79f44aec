/* The scenario loader: YAML files (schema v1, scenarios/README.md) into the
 * scenario model (scenario.h), with libyaml's document API. Every problem is
 * reported, not only the first, as "file:line:col: message" (1-based) naming
 * what was expected. Matrix rows are expanded: one th_scenario per
 * combination. The loader bounds its work (file size, nesting depth, nodes
 * visited, matrix size) and says so when an input goes beyond a bound. */
#ifndef TH_SCENARIO_LOAD_H
#define TH_SCENARIO_LOAD_H
#include <stddef.h>

#include "scenario.h"

/* Error messages, each "file:line:col: message" (or "file: message" when no
 * position applies). Owned: free with th_sc_errors_cleanup. */
typedef struct {
    char **msgs;
    size_t num;
} th_sc_errors;

/* Loads every document of the file at |path| and appends its scenarios to
 * |set| (the path is added to set->files; every loc points to that copy).
 * Ids must be unique over the whole set. Returns 1, or 0 with at least one
 * message appended to |errs|; scenarios of documents without errors are still
 * appended. */
int th_scenario_load_file(const char *path, th_scenario_set *set, th_sc_errors *errs) TH_MUST_USE;

/* Same as th_scenario_load_file for |len| bytes of YAML in memory, |name|
 * standing for the file name in locations and messages. */
int th_scenario_load_string(const char *name, const char *yaml, size_t len, th_scenario_set *set,
                            th_sc_errors *errs) TH_MUST_USE;

/* Loads files and directories: a directory is searched recursively for
 * *.yaml and *.yml files, taken in path order, skipping any directory named
 * pki (certificates) or starting with '.', and files named expectations*.yaml
 * (the expectations file has its own loader). Returns 1, or 0 with errors
 * (unreadable paths included); everything loadable is still loaded. */
int th_scenario_load_paths(const char *const *paths, size_t num, th_scenario_set *set,
                           th_sc_errors *errs) TH_MUST_USE;

/* Frees the messages; safe on a zeroed struct, leaves it zeroed. */
void th_sc_errors_cleanup(th_sc_errors *errs);

#endif
