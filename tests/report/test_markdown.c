/* harness/report/markdown.c: the summary table, one matrix row per scenario
 * with escaped cells, and the failures with message, expected/got and the
 * step location. */
#include "report_testutil.h"
#include "report_util.h"
#include "sample_run.h"

static char *write_markdown(const th_run *run) {
    char *dir = th_report_test_dir();
    char *path = th_report_test_path(dir, "report.md");
    char err[256] = "";
    assert_int_equal(th_report_write_markdown(run, path, err, sizeof(err)), 1);
    char *md = th_report_test_read(path, NULL);
    th_report_test_cleanup(dir, path);
    return md;
}

/* The text between |heading| and the next "\n## " (or the end). */
static char *section(const char *md, const char *heading) {
    const char *start = strstr(md, heading);
    assert_non_null(start);
    const char *end = strstr(start + 1, "\n## ");
    size_t n = end != NULL ? (size_t)(end - start) : strlen(start);
    char *s = strndup(start, n);
    assert_non_null(s);
    return s;
}

/* Pipes that separate cells: those not escaped by an odd run of backslashes. */
static size_t cell_separators(const char *line, size_t len) {
    size_t n = 0, backslashes = 0;
    for (size_t i = 0; i < len; i++) {
        if (line[i] == '|' && backslashes % 2 == 0) {
            n++;
        }
        backslashes = line[i] == '\\' ? backslashes + 1 : 0;
    }
    return n;
}

static void test_markdown_summary_counts(void **state) {
    th_run run;
    memset(&run, 0, sizeof(run));
    th_sample_run(&run);
    char *md = write_markdown(&run);
    assert_non_null(strstr(md, "- result: **FAILED** (7 unexpected)\n"));
    assert_non_null(strstr(md, "- seed: 18446744073709551615\n"));
    assert_non_null(strstr(md, "| \xe2\x9c\x85 pass | 5 |\n"));
    assert_non_null(strstr(md, "| \xe2\x9d\x8c fail | 3 |\n"));
    assert_non_null(strstr(md, "| \xf0\x9f\x92\xa5 error | 2 |\n"));
    assert_non_null(strstr(md, "| \xe2\x9e\x96 skip | 3 |\n"));
    assert_non_null(strstr(md, "| \xf0\x9f\x94\xb6 xfail | 2 |\n"));
    assert_non_null(strstr(md, "| \xe2\x9d\x97 xpass | 2 |\n"));
    assert_non_null(strstr(md, "| **total** | 17 |\n"));
    free(md);
    th_run_cleanup(&run);
}

static void test_markdown_matrix_has_one_row_per_scenario(void **state) {
    th_run run;
    memset(&run, 0, sizeof(run));
    th_sample_run(&run);
    char *md = write_markdown(&run);
    char *matrix = section(md, "## Matrix\n");
    assert_non_null(strstr(matrix, "| scenario | RFC | title | boringssl | self | "
                                   "tcp:127.0.0.1:4433 |\n"));
    size_t rows = 0;
    for (const char *line = strchr(matrix, '\n') + 1; *line != '\0';) {
        const char *nl = strchr(line, '\n');
        size_t len = nl != NULL ? (size_t)(nl - line) : strlen(line);
        if (len > 0 && line[0] == '|') {
            /* scenario, RFC, title and one cell per peer: 7 cells, 7 pipes
             * after the leading one, however nasty the text. */
            assert_int_equal(cell_separators(line, len), 3 + TH_SAMPLE_NUM_PEERS + 1);
            rows++;
        }
        line += nl != NULL ? len + 1 : len;
    }
    /* Header and delimiter rows plus one per scenario row. */
    assert_int_equal(rows, TH_SAMPLE_NUM_ROWS + 2);
    assert_non_null(strstr(matrix, "| tls13.ch.psk\\_not\\_last | RFC 8446 \xc2\xa7"
                                   "4.2.11 | A scenario title | \xe2\x9c\x85 pass | "
                                   "\xe2\x9d\x8c fail | \xe2\x9e\x96 skip |\n"));
    assert_non_null(strstr(matrix,
                           "| tls13.interop.suites \\[suite=TLS\\_AES\\_128\\_GCM\\_SHA256\\]"
                           " |"));
    assert_non_null(strstr(matrix, "| \xe2\x80\x94 |\n"));
    assert_non_null(strstr(matrix, "record.nasty\\<script\\>\\|id"));
    assert_null(strstr(matrix, "<script>"));
    free(matrix);
    free(md);
    th_run_cleanup(&run);
}

static void test_markdown_failures_section(void **state) {
    th_run run;
    memset(&run, 0, sizeof(run));
    th_sample_run(&run);
    char *md = write_markdown(&run);
    char *failures = section(md, "## Failures\n");
    size_t unexpected =
        run.counts[TH_VERDICT_FAIL] + run.counts[TH_VERDICT_ERROR] + run.counts[TH_VERDICT_XPASS];
    assert_int_equal(th_report_test_count(failures, "\n### "), unexpected);
    assert_non_null(strstr(failures, "### \xe2\x9d\x8c fail: tls13.ch.psk\\_not\\_last on self\n"));
    assert_non_null(strstr(failures, "- failed step: 3 at scenarios/tls13/ch.yaml:20:5\n"));
    assert_non_null(strstr(failures, "message:\n\n```text\nstep 3 expect: expected alert "
                                     "illegal_parameter, got server_hello\n```\n"));
    assert_non_null(strstr(failures, "expected:\n\n```text\nalert illegal_parameter\n```\n"));
    assert_non_null(strstr(failures, "got:\n\n```text\nserver_hello\n```\n"));
    assert_non_null(strstr(failures, "- transcript: transcripts/x.txt\n"));
    assert_non_null(strstr(failures, "- unexpectedly passed: the expectations file records"));
    /* A value holding ``` gets a longer fence; control bytes are visible. */
    assert_non_null(strstr(failures, "````text\n\"quotes\""));
    assert_non_null(strstr(failures, "\\x01\\x02\\x1b[31m\\x7f end\n````\n"));
    free(failures);
    char *divergences = section(md, "## Recorded divergences (xfail)\n");
    assert_non_null(strstr(divergences, "| tls13.ch.keyshare\\_order | boringssl | RFC 8446 "));
    free(divergences);
    free(md);
    th_run_cleanup(&run);
}

static void test_markdown_empty_run(void **state) {
    th_run run;
    memset(&run, 0, sizeof(run));
    char *md = write_markdown(&run);
    assert_non_null(strstr(md, "- result: **OK**"));
    assert_non_null(strstr(md, "| **total** | 0 |\n"));
    assert_non_null(strstr(md, "## Matrix\n\nNo results.\n"));
    assert_non_null(strstr(md, "## Failures\n\nNone.\n"));
    free(md);
}

static void test_markdown_unwritable_path_fails_with_message(void **state) {
    th_run run;
    memset(&run, 0, sizeof(run));
    char err[256] = "";
    assert_int_equal(th_report_write_markdown(&run, TH_REPORT_UNWRITABLE, err, sizeof(err)), 0);
    assert_non_null(strstr(err, TH_REPORT_UNWRITABLE));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_markdown_summary_counts),
        cmocka_unit_test(test_markdown_matrix_has_one_row_per_scenario),
        cmocka_unit_test(test_markdown_failures_section),
        cmocka_unit_test(test_markdown_empty_run),
        cmocka_unit_test(test_markdown_unwritable_path_fails_with_message),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
