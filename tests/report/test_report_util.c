/* harness/report/report_util.c: UTF-8 decoding of hostile input, the
 * scenario x peer grid, and file errors. */
#include "report_testutil.h"
#include "report_util.h"
#include "sample_run.h"

static void expect_next(const char *s, size_t len, uint32_t cp, size_t consumed) {
    uint32_t got;
    assert_int_equal(th_utf8_next(s, len, &got), consumed);
    assert_int_equal(got, cp);
}

static void test_utf8_next_decodes_valid_sequences(void **state) {
    expect_next("A", 1, 'A', 1);
    expect_next("\xc2\xa7", 2, 0xa7, 2);
    expect_next("\xe2\x80\xa8", 3, 0x2028, 3);
    expect_next("\xf0\x9f\x9a\x80", 4, 0x1f680, 4);
    expect_next("\xf4\x8f\xbf\xbf", 4, 0x10ffff, 4);
}

static void test_utf8_next_replaces_invalid_sequences(void **state) {
    expect_next("\xff", 1, 0xfffd, 1);
    expect_next("\x80", 1, 0xfffd, 1);             /* lone continuation */
    expect_next("\xc0\xaf", 2, 0xfffd, 1);         /* overlong '/' */
    expect_next("\xe0\x80\xaf", 3, 0xfffd, 1);     /* overlong */
    expect_next("\xed\xa0\x80", 3, 0xfffd, 1);     /* surrogate */
    expect_next("\xf4\x90\x80\x80", 4, 0xfffd, 1); /* past U+10FFFF */
    expect_next("\xe2\x80", 2, 0xfffd, 1);         /* truncated */
    expect_next("\xc3(", 2, 0xfffd, 1);            /* bad continuation */
}

static void test_utf8_sanitize(void **state) {
    char *s = th_utf8_sanitize(TH_SAMPLE_INVALID_UTF8);
    assert_non_null(s);
    assert_string_equal(s, "bad \xef\xbf\xbd\xef\xbf\xbd \xef\xbf\xbd \xef\xbf\xbd\xef\xbf\xbd"
                           "\xef\xbf\xbd \xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd end");
    free(s);
    s = th_utf8_sanitize(TH_SAMPLE_NASTY);
    assert_string_equal(s, TH_SAMPLE_NASTY);
    free(s);
    assert_null(th_utf8_sanitize(NULL));
}

static void test_transcript_keep_cuts_on_a_character_boundary(void **state) {
    assert_int_equal(th_report_transcript_keep("short"), 5);
    char *t = malloc(TH_REPORT_TRANSCRIPT_MAX + 16);
    assert_non_null(t);
    memset(t, 'a', TH_REPORT_TRANSCRIPT_MAX + 15);
    t[TH_REPORT_TRANSCRIPT_MAX + 15] = '\0';
    assert_int_equal(th_report_transcript_keep(t), TH_REPORT_TRANSCRIPT_MAX);
    /* A 4-byte character straddling the limit is left out whole. */
    memcpy(t + TH_REPORT_TRANSCRIPT_MAX - 2, "\xf0\x9f\x9a\x80", 4);
    assert_int_equal(th_report_transcript_keep(t), TH_REPORT_TRANSCRIPT_MAX - 2);
    /* Exactly at the limit: kept whole. */
    t[TH_REPORT_TRANSCRIPT_MAX] = '\0';
    assert_int_equal(th_report_transcript_keep(t), TH_REPORT_TRANSCRIPT_MAX);
    th_result r;
    memset(&r, 0, sizeof(r));
    r.transcript = t;
    char note[128];
    th_report_transcript_note(&r, 100, note, sizeof(note));
    char want[128];
    snprintf(want, sizeof(want), "\n[... %d more bytes: not embedded]\n",
             TH_REPORT_TRANSCRIPT_MAX - 100);
    assert_string_equal(note, want);
    free(t);
}

static void test_grid_rows_and_columns(void **state) {
    th_run run;
    memset(&run, 0, sizeof(run));
    th_sample_run(&run);
    th_report_grid grid;
    assert_int_equal(th_report_grid_build(&run, &grid), 1);
    assert_int_equal(grid.num_rows, TH_SAMPLE_NUM_ROWS);
    assert_int_equal(grid.num_cols, TH_SAMPLE_NUM_PEERS);
    assert_string_equal(grid.cols[0], "boringssl");
    assert_string_equal(grid.cols[1], "self");
    assert_string_equal(grid.cols[2], "tcp:127.0.0.1:4433");
    /* The last result repeats the first scenario for the extra peer. */
    size_t last = run.num_results - 1;
    assert_int_equal(grid.row_of[last], 0);
    assert_int_equal(grid.col_of[last], 2);
    /* Matrix rows of one scenario are distinct rows. */
    assert_int_equal(grid.row_of[2], 1);
    assert_int_equal(grid.row_of[4], 2);
    for (size_t i = 0; i < run.num_results; i++) {
        assert_true(grid.row_first[grid.row_of[i]] <= i);
    }
    th_report_grid_cleanup(&grid);
    th_report_grid_cleanup(&grid);
    th_run_cleanup(&run);
}

static void test_grid_of_an_empty_run(void **state) {
    th_run run;
    memset(&run, 0, sizeof(run));
    th_report_grid grid;
    assert_int_equal(th_report_grid_build(&run, &grid), 1);
    assert_int_equal(grid.num_rows, 0);
    assert_int_equal(grid.num_cols, 0);
    th_report_grid_cleanup(&grid);
}

static void test_grid_names_a_missing_peer(void **state) {
    th_run run;
    memset(&run, 0, sizeof(run));
    th_result *r = th_run_add(&run);
    assert_non_null(r);
    th_report_grid grid;
    assert_int_equal(th_report_grid_build(&run, &grid), 1);
    assert_int_equal(grid.num_rows, 1);
    assert_int_equal(grid.num_cols, 1);
    assert_string_equal(grid.cols[0], TH_REPORT_NO_PEER);
    th_report_grid_cleanup(&grid);
    th_run_cleanup(&run);
}

static void test_open_reports_the_path_and_reason(void **state) {
    char err[256] = "";
    assert_null(th_report_open(TH_REPORT_UNWRITABLE, err, sizeof(err)));
    assert_non_null(strstr(err, TH_REPORT_UNWRITABLE ": No such file or directory"));
    assert_null(th_report_open(NULL, err, sizeof(err)));
    /* A NULL buffer is allowed. */
    assert_null(th_report_open(TH_REPORT_UNWRITABLE, NULL, 0));
}

static void test_close_reports_write_errors(void **state) {
    /* /dev/full accepts the open and fails every write. */
    FILE *f = fopen("/dev/full", "w");
    if (f == NULL) {
        skip();
    }
    setvbuf(f, NULL, _IONBF, 0);
    fputs("data", f);
    char err[256] = "";
    assert_int_equal(th_report_close(f, "/dev/full", err, sizeof(err)), 0);
    assert_non_null(strstr(err, "/dev/full: write failed"));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_utf8_next_decodes_valid_sequences),
        cmocka_unit_test(test_utf8_next_replaces_invalid_sequences),
        cmocka_unit_test(test_utf8_sanitize),
        cmocka_unit_test(test_transcript_keep_cuts_on_a_character_boundary),
        cmocka_unit_test(test_grid_rows_and_columns),
        cmocka_unit_test(test_grid_of_an_empty_run),
        cmocka_unit_test(test_grid_names_a_missing_peer),
        cmocka_unit_test(test_open_reports_the_path_and_reason),
        cmocka_unit_test(test_close_reports_write_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
