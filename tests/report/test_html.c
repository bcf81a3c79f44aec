/* harness/report/html.c: one self-contained page whose embedded JSON data
 * parses back to the report tree (transcripts included), with nothing in
 * the data able to close the script element. The page is run in a real
 * browser by tests/report/html_browser_check.sh. */
#include <jansson.h>

#include "report_testutil.h"
#include "report_util.h"
#include "sample_run.h"

#define DATA_OPEN "<script type=\"application/json\" id=\"th-data\">"

static char *write_html(const th_run *run, size_t *out_len) {
    char *dir = th_report_test_dir();
    char *path = th_report_test_path(dir, "report.html");
    char err[256] = "";
    assert_int_equal(th_report_write_html(run, path, err, sizeof(err)), 1);
    char *html = th_report_test_read(path, out_len);
    th_report_test_cleanup(dir, path);
    return html;
}

/* The embedded data, parsed: it must equal the JSON report tree with
 * transcripts. */
static void assert_embedded_data(const char *html, const th_run *run) {
    const char *start = strstr(html, DATA_OPEN);
    assert_non_null(start);
    start += strlen(DATA_OPEN);
    /* The first end tag after the data's start must be the data's own. */
    const char *end = strstr(start, "</script>");
    assert_non_null(end);
    json_error_t jerr;
    json_t *data = json_loadb(start, (size_t)(end - start), 0, &jerr);
    if (data == NULL) {
        fail_msg("embedded data does not parse: %s at column %d", jerr.text, jerr.column);
    }
    json_t *want = th_report_json_tree(run, 1);
    assert_non_null(want);
    assert_true(json_equal(data, want));
    json_decref(want);
    json_decref(data);
}

static void test_html_embeds_the_report_data(void **state) {
    th_run run;
    memset(&run, 0, sizeof(run));
    th_sample_run(&run);
    size_t len;
    char *html = write_html(&run, &len);
    assert_embedded_data(html, &run);
    /* Only the page's own three scripts open and close. */
    assert_int_equal(th_report_test_count(html, "<script"), 3);
    assert_int_equal(th_report_test_count(html, "</script>"), 3);
    assert_int_equal(th_report_test_count(html, "</SCRIPT"), 0);
    assert_int_equal(th_report_test_count(html, "<!--"), 0);
    /* The 3 MB transcript is embedded up to TH_REPORT_TRANSCRIPT_MAX. */
    assert_true(len > TH_REPORT_TRANSCRIPT_MAX);
    assert_true(len < 2 * TH_REPORT_TRANSCRIPT_MAX);
    assert_non_null(strstr(html, " more bytes in transcripts/x.txt]\\n"));
    assert_non_null(strstr(html, "\\u003ctag\\u003e \\u0026 \\\"q\\\" |\\n"));
    free(html);
    th_run_cleanup(&run);
}

static void test_html_is_self_contained(void **state) {
    th_run run;
    memset(&run, 0, sizeof(run));
    th_sample_run(&run);
    char *html = write_html(&run, NULL);
    assert_true(strncmp(html, "<!DOCTYPE html>\n", 16) == 0);
    assert_non_null(strstr(html, "<meta charset=\"utf-8\">"));
    assert_int_equal(th_report_test_count(html, "<style>"), 1);
    /* No external resource of any kind. */
    assert_null(strstr(html, " src="));
    assert_null(strstr(html, "<link"));
    assert_null(strstr(html, "http://"));
    assert_null(strstr(html, "https://"));
    assert_null(strstr(html, "@import"));
    /* The hooks tests/report/html_browser_check.sh reads. */
    assert_non_null(strstr(html, "<body data-status=\"loading\">"));
    assert_non_null(strstr(html, "document.body.dataset.status = 'error:' + message;"));
    assert_non_null(strstr(html, "body.dataset.status = 'ready';"));
    assert_non_null(strstr(html, "body.dataset.rows = String(rows.length);"));
    /* window.onerror is installed before the data and the main script. */
    assert_true(strstr(html, "window.onerror") < strstr(html, DATA_OPEN));
    free(html);
    th_run_cleanup(&run);
}

static void test_html_data_is_ascii(void **state) {
    th_run run;
    memset(&run, 0, sizeof(run));
    th_sample_run(&run);
    char *html = write_html(&run, NULL);
    const char *start = strstr(html, DATA_OPEN) + strlen(DATA_OPEN);
    const char *end = strstr(start, "</script>");
    for (const char *p = start; p < end; p++) {
        /* JSON_ENSURE_ASCII: U+2028, control bytes and invalid UTF-8 are
         * all \u escapes, and '<' '>' '&' never appear raw. */
        assert_true((unsigned char)*p >= 0x20 && (unsigned char)*p < 0x7f);
        assert_true(*p != '<' && *p != '>' && *p != '&');
    }
    assert_non_null(strstr(start, "\\u2028\\u2029"));
    assert_non_null(strstr(start, "\\uD83D\\uDE80")); /* U+1F680 */
    free(html);
    th_run_cleanup(&run);
}

static void test_html_empty_run(void **state) {
    th_run run;
    memset(&run, 0, sizeof(run));
    char *html = write_html(&run, NULL);
    assert_embedded_data(html, &run);
    assert_non_null(strstr(html, "No results in this run."));
    free(html);
}

static void test_html_unwritable_path_fails_with_message(void **state) {
    th_run run;
    memset(&run, 0, sizeof(run));
    th_sample_run(&run);
    char err[256] = "";
    assert_int_equal(th_report_write_html(&run, TH_REPORT_UNWRITABLE, err, sizeof(err)), 0);
    assert_non_null(strstr(err, TH_REPORT_UNWRITABLE));
    th_run_cleanup(&run);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_html_embeds_the_report_data),
        cmocka_unit_test(test_html_is_self_contained),
        cmocka_unit_test(test_html_data_is_ascii),
        cmocka_unit_test(test_html_empty_run),
        cmocka_unit_test(test_html_unwritable_path_fails_with_message),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
