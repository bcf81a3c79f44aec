/* The expectations file (scenarios/expectations.yaml, `--expect FILE`):
 * per peer, the scenarios whose divergence from the RFC is known and
 * accepted, with the reason: skip them, expect them to fail (xfail; a pass is
 * an XPASS), or accept other alerts. Format in scenarios/README.md. */
#ifndef TH_EXPECTATIONS_H
#define TH_EXPECTATIONS_H
#include <stddef.h>
#include <stdint.h>

#include "load.h"
#include "scenario.h"

typedef enum {
    TH_EXPECT_XFAIL, /* the scenario is expected to fail against this peer */
    TH_EXPECT_SKIP,  /* not run against this peer */
    TH_EXPECT_ALERT, /* |alerts| are also acceptable from this peer */
} th_expect_status;

typedef struct {
    char *id_glob; /* a scenario id or an fnmatch(3) glob */
    th_expect_status status;
    uint8_t *alerts; /* ALERT: the extra acceptable descriptions */
    size_t num_alerts;
    char *reason;
    th_sc_loc loc; /* the entry; loc.file is th_expectations.file */
} th_expectation;

typedef struct {
    char *peer; /* a peer spec: "boringssl", "self", ... */
    th_expectation *items;
    size_t num_items;
} th_expect_peer;

typedef struct {
    char *file;
    th_expect_peer *peers;
    size_t num_peers;
} th_expectations;

/* Loads the expectations file at |path| into |out| (zeroed first). Returns 1,
 * or 0 with every problem appended to |errs| as "file:line:col: message"; on
 * 0 |out| owns nothing. */
int th_expectations_load(const char *path, th_expectations *out, th_sc_errors *errs) TH_MUST_USE;

/* Same for |len| bytes of YAML in memory, |name| standing for the file. */
int th_expectations_load_string(const char *name, const char *yaml, size_t len,
                                th_expectations *out, th_sc_errors *errs) TH_MUST_USE;

/* The first entry of |peer| whose glob matches |scenario_id|, or NULL. */
const th_expectation *th_expectations_find(const th_expectations *e, const char *peer,
                                           const char *scenario_id);

/* Frees everything; accepts NULL, leaves |e| zeroed. */
void th_expectations_cleanup(th_expectations *e);

#endif
