/* The expectations file: xfail, skip and alert entries per peer, glob
 * matching, and every error with its line and column. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "expectations.h"
#include "testutil.h"

static const char kValid[] = "version: 1\n"
                             "boringssl:\n"
                             "  - id: tls13.ch.keyshare_order\n"
                             "    status: xfail\n"
                             "    reason: \"RFC 8446 §4.2.8 makes the check a MAY\"\n"
                             "  - id: tls13.ch.duplicate_*\n"
                             "    status: alert\n"
                             "    alerts: [decode_error, 47]\n"
                             "    reason: \"either alert is reasonable\"\n"
                             "  - id: tls13.ch.*\n"
                             "    status: skip\n"
                             "    reason: \"not this peer\"\n"
                             "self: []\n";

static void test_expectations_parse_every_status(void **state) {
    th_expectations e;
    th_sc_errors errs;
    memset(&errs, 0, sizeof(errs));
    assert_true(th_expectations_load_string("x.yaml", kValid, strlen(kValid), &e, &errs));
    assert_int_equal(errs.num, 0);
    assert_string_equal(e.file, "x.yaml");
    assert_int_equal(e.num_peers, 2);
    assert_string_equal(e.peers[0].peer, "boringssl");
    assert_int_equal(e.peers[0].num_items, 3);
    const th_expectation *x = &e.peers[0].items[0];
    assert_string_equal(x->id_glob, "tls13.ch.keyshare_order");
    assert_int_equal(x->status, TH_EXPECT_XFAIL);
    assert_int_equal(x->num_alerts, 0);
    assert_string_equal(x->reason, "RFC 8446 §4.2.8 makes the check a MAY");
    assert_ptr_equal(x->loc.file, e.file);
    assert_int_equal(x->loc.line, 3);
    assert_int_equal(x->loc.column, 5);
    const th_expectation *a = &e.peers[0].items[1];
    assert_int_equal(a->status, TH_EXPECT_ALERT);
    assert_int_equal(a->num_alerts, 2);
    assert_int_equal(a->alerts[0], TH_ALERT_DECODE_ERROR);
    assert_int_equal(a->alerts[1], TH_ALERT_ILLEGAL_PARAMETER);
    assert_int_equal(e.peers[0].items[2].status, TH_EXPECT_SKIP);
    assert_string_equal(e.peers[1].peer, "self");
    assert_int_equal(e.peers[1].num_items, 0);
    th_expectations_cleanup(&e);
    th_sc_errors_cleanup(&errs);
}

static void test_expectations_find_first_glob_match(void **state) {
    th_expectations e;
    th_sc_errors errs;
    memset(&errs, 0, sizeof(errs));
    assert_true(th_expectations_load_string("x.yaml", kValid, strlen(kValid), &e, &errs));
    const th_expectation *m = th_expectations_find(&e, "boringssl", "tls13.ch.keyshare_order");
    assert_non_null(m);
    assert_int_equal(m->status, TH_EXPECT_XFAIL);
    m = th_expectations_find(&e, "boringssl", "tls13.ch.duplicate_extension");
    assert_non_null(m);
    assert_int_equal(m->status, TH_EXPECT_ALERT);
    m = th_expectations_find(&e, "boringssl", "tls13.ch.other");
    assert_non_null(m);
    assert_int_equal(m->status, TH_EXPECT_SKIP);
    assert_null(th_expectations_find(&e, "boringssl", "tls13.sh.other"));
    assert_null(th_expectations_find(&e, "self", "tls13.ch.keyshare_order"));
    assert_null(th_expectations_find(&e, "tcp:x:1", "tls13.ch.keyshare_order"));
    assert_null(th_expectations_find(NULL, "self", "x"));
    th_expectations_cleanup(&e);
    th_expectations_cleanup(&e); /* idempotent */
    th_sc_errors_cleanup(&errs);
}

/* Loads |yaml| expecting failure with "e.yaml:LINE:COL: ...|text|...". */
static void expect_error(const char *yaml, unsigned line, unsigned col, const char *text) {
    th_expectations e;
    th_sc_errors errs;
    memset(&errs, 0, sizeof(errs));
    assert_false(th_expectations_load_string("e.yaml", yaml, strlen(yaml), &e, &errs));
    assert_null(e.file);
    assert_int_equal(e.num_peers, 0);
    char prefix[64];
    snprintf(prefix, sizeof(prefix), "e.yaml:%u:%u: ", line, col);
    int found = 0;
    for (size_t i = 0; i < errs.num; i++) {
        if (strncmp(errs.msgs[i], prefix, strlen(prefix)) == 0 &&
            strstr(errs.msgs[i], text) != NULL) {
            found = 1;
        }
    }
    if (!found) {
        fprintf(stderr, "wanted %s...%s, got:\n", prefix, text);
        for (size_t i = 0; i < errs.num; i++) {
            fprintf(stderr, "  %s\n", errs.msgs[i]);
        }
    }
    assert_true(found);
    th_sc_errors_cleanup(&errs);
}

static void test_expectations_errors(void **state) {
    expect_error("self: []\n", 1, 1, "missing required key 'version'");
    expect_error("version: 2\nself: []\n", 1, 10, "unsupported expectations version 2");
    expect_error("version: 1\nopenssl: []\n", 2, 1, "unknown peer 'openssl'");
    expect_error("version: 1\nself: {id: x}\n", 2, 7,
                 "expected a list of expectation entries for peer 'self', got a mapping");
    expect_error("version: 1\nself:\n  - {id: x, status: maybe, reason: r}\n", 3, 21,
                 "expected xfail, skip or alert for status, got 'maybe'");
    expect_error("version: 1\nself:\n  - {id: x, status: alert, reason: r}\n", 3, 5,
                 "missing required key 'alerts'");
    expect_error("version: 1\nself:\n  - {id: x, status: xfail, alerts: [1], reason: r}\n", 3, 36,
                 "alerts only go with status alert");
    expect_error("version: 1\nself:\n  - {id: x, status: alert, alerts: [nope], reason: r}\n", 3,
                 37, "unknown alert 'nope'");
    expect_error("version: 1\nself:\n  - {id: x, status: skip}\n", 3, 5,
                 "missing required key 'reason'");
    expect_error("version: 1\nself:\n  - {id: x, status: skip, reason: r, why: w}\n", 3, 38,
                 "unknown key 'why' in an expectation entry (expected one of: id, status, "
                 "alerts, reason)");
    expect_error("version: 1\nself:\n  - {id: x, status: skip, reason: r}\n"
                 "  - {id: x, status: xfail, reason: r}\n",
                 4, 5, "duplicate id 'x' for peer 'self' (first at line 3, column 5)");
    expect_error("version: 1\nself: []\nself: []\n", 3, 1, "duplicate key 'self'");
    expect_error("version: 1\nself: [\n", 3, 1, "YAML syntax error");
    expect_error("version: 1\n---\nversion: 1\n", 3, 1, "expected one document");
    expect_error("- 1\n", 1, 1, "expected the expectations (a mapping");
}

static void test_expectations_load_file(void **state) {
    char path[] = "/tmp/th_expect_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, kValid, strlen(kValid)), (ssize_t)strlen(kValid));
    close(fd);
    th_expectations e;
    th_sc_errors errs;
    memset(&errs, 0, sizeof(errs));
    assert_true(th_expectations_load(path, &e, &errs));
    assert_string_equal(e.file, path);
    assert_int_equal(e.num_peers, 2);
    th_expectations_cleanup(&e);
    unlink(path);
    assert_false(th_expectations_load(path, &e, &errs));
    assert_int_equal(errs.num, 1);
    assert_non_null(strstr(errs.msgs[0], "No such file or directory"));
    th_sc_errors_cleanup(&errs);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_expectations_parse_every_status),
        cmocka_unit_test(test_expectations_find_first_glob_match),
        cmocka_unit_test(test_expectations_errors),
        cmocka_unit_test(test_expectations_load_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
