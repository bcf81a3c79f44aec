/* The Markdown summary (CommonMark/GitHub flavour): counts, the scenario x
 * peer matrix and the failures with their first mismatch, small enough to
 * paste into a pull request or a CI job summary. */
#include <string.h>

#include "report_util.h"

static const char *const kVerdictIcon[TH_NUM_VERDICTS] = {
    "\xe2\x9c\x85",     /* pass: check mark */
    "\xe2\x9d\x8c",     /* fail: cross mark */
    "\xf0\x9f\x92\xa5", /* error: collision */
    "\xe2\x9e\x96",     /* skip: minus */
    "\xf0\x9f\x94\xb6", /* xfail: orange diamond */
    "\xe2\x9d\x97",     /* xpass: exclamation mark */
};

static void verdict_words(FILE *f, th_verdict v) {
    if ((unsigned)v < TH_NUM_VERDICTS) {
        fprintf(f, "%s %s", kVerdictIcon[v], th_verdict_name(v));
    } else {
        fputs(th_verdict_name(v), f);
    }
}

/* Inline text, safe in a table cell and a heading: control characters and
 * line breaks become spaces (a newline would end the table row), and the
 * punctuation Markdown would interpret (CommonMark §2.4 allows a backslash
 * before any ASCII punctuation) is escaped, "|" included. */
static void md_inline(FILE *f, const char *s) {
    if (s == NULL) {
        return;
    }
    size_t len = strlen(s);
    for (size_t i = 0; i < len;) {
        uint32_t cp;
        size_t n = th_utf8_next(s + i, len - i, &cp);
        if (cp < 0x20 || cp == 0x7f) {
            fputc(' ', f);
        } else if (cp < 0x80 && strchr("\\`*_[]<>|&~#!", (int)cp) != NULL) {
            fputc('\\', f);
            fputc((int)cp, f);
        } else if (cp == 0xfffd) {
            fputs("\xef\xbf\xbd", f);
        } else {
            fwrite(s + i, 1, n, f);
        }
        i += n;
    }
}

/* A fenced code block longer than any backtick run inside |s|, so the
 * content cannot close it (CommonMark §4.5). */
static void md_code_block(FILE *f, const char *s) {
    size_t len = strlen(s), run = 0, longest = 0;
    for (size_t i = 0; i < len; i++) {
        run = s[i] == '`' ? run + 1 : 0;
        if (run > longest) {
            longest = run;
        }
    }
    size_t fence = longest >= 3 ? longest + 1 : 3;
    for (size_t i = 0; i < fence; i++) {
        fputc('`', f);
    }
    fputs("text\n", f);
    for (size_t i = 0; i < len;) {
        uint32_t cp;
        size_t n = th_utf8_next(s + i, len - i, &cp);
        if (cp == '\n' || cp == '\t') {
            fputc((int)cp, f);
        } else if (cp < 0x20 || cp == 0x7f) {
            fprintf(f, "\\x%02x", (unsigned)cp);
        } else if (cp == 0xfffd) {
            fputs("\xef\xbf\xbd", f);
        } else {
            fwrite(s + i, 1, n, f);
        }
        i += n;
    }
    if (len == 0 || s[len - 1] != '\n') {
        fputc('\n', f);
    }
    for (size_t i = 0; i < fence; i++) {
        fputc('`', f);
    }
    fputs("\n\n", f);
}

static void scenario_label(FILE *f, const th_result *r) {
    md_inline(f, r->scenario_id != NULL ? r->scenario_id : "(unnamed)");
    if (r->matrix_label != NULL) {
        fputs(" \\[", f);
        md_inline(f, r->matrix_label);
        fputs("\\]", f);
    }
}

static void rfc_label(FILE *f, const th_result *r) {
    if (r->rfc_doc == NULL && r->rfc_section == NULL) {
        return;
    }
    fputs("RFC ", f);
    md_inline(f, r->rfc_doc);
    if (r->rfc_section != NULL) {
        fputs(" \xc2\xa7", f);
        md_inline(f, r->rfc_section);
    }
}

static int is_failure(th_verdict v) {
    return v == TH_VERDICT_FAIL || v == TH_VERDICT_ERROR || v == TH_VERDICT_XPASS;
}

static void write_failure(FILE *f, const th_result *r) {
    fputs("### ", f);
    verdict_words(f, r->verdict);
    fputs(": ", f);
    scenario_label(f, r);
    fputs(" on ", f);
    md_inline(f, r->peer != NULL ? r->peer : TH_REPORT_NO_PEER);
    fputs("\n\n", f);
    if (r->title != NULL) {
        fputs("- title: ", f);
        md_inline(f, r->title);
        fputc('\n', f);
    }
    if (r->rfc_doc != NULL || r->rfc_section != NULL) {
        fputs("- ", f);
        rfc_label(f, r);
        if (r->rfc_quote != NULL) {
            fputs(": \"", f);
            md_inline(f, r->rfc_quote);
            fputc('"', f);
        }
        fputc('\n', f);
    }
    if (r->file != NULL) {
        fputs("- scenario file: ", f);
        md_inline(f, r->file);
        fputc('\n', f);
    }
    if (r->failed_step > 0 || r->step_loc != NULL) {
        fprintf(f, "- failed step: %d", r->failed_step);
        if (r->step_loc != NULL) {
            fputs(" at ", f);
            md_inline(f, r->step_loc);
        }
        fputc('\n', f);
    }
    if (r->verdict == TH_VERDICT_XPASS) {
        fputs("- unexpectedly passed: the expectations file records a divergence for this peer "
              "that no longer happens; remove the record\n",
              f);
    }
    if (r->reason != NULL) {
        fputs("- expectations reason: ", f);
        md_inline(f, r->reason);
        fputc('\n', f);
    }
    if (r->transcript_path != NULL) {
        fputs("- transcript: ", f);
        md_inline(f, r->transcript_path);
        fputc('\n', f);
    }
    if (r->keylog_path != NULL) {
        fputs("- key log: ", f);
        md_inline(f, r->keylog_path);
        fputc('\n', f);
    }
    fputc('\n', f);
    const char *const labels[3] = {"message", "expected", "got"};
    const char *const values[3] = {r->message, r->expected, r->got};
    for (int i = 0; i < 3; i++) {
        if (values[i] != NULL) {
            fprintf(f, "%s:\n\n", labels[i]);
            md_code_block(f, values[i]);
        }
    }
}

static void write_matrix(FILE *f, const th_run *run, const th_report_grid *grid) {
    fputs("## Matrix\n\n", f);
    if (grid->num_rows == 0) {
        fputs("No results.\n\n", f);
        return;
    }
    fputs("| scenario | RFC | title |", f);
    for (size_t c = 0; c < grid->num_cols; c++) {
        fputc(' ', f);
        md_inline(f, grid->cols[c]);
        fputs(" |", f);
    }
    fputs("\n|:--|:--|:--|", f);
    for (size_t c = 0; c < grid->num_cols; c++) {
        fputs(":-:|", f);
    }
    fputc('\n', f);
    for (size_t row = 0; row < grid->num_rows; row++) {
        const th_result *first = &run->results[grid->row_first[row]];
        fputs("| ", f);
        scenario_label(f, first);
        fputs(" | ", f);
        rfc_label(f, first);
        fputs(" | ", f);
        md_inline(f, first->title);
        fputs(" |", f);
        for (size_t c = 0; c < grid->num_cols; c++) {
            int any = 0;
            /* Scans from the row's first result: later rows never hold it. */
            for (size_t i = grid->row_first[row]; i < run->num_results; i++) {
                if (grid->row_of[i] == row && grid->col_of[i] == c) {
                    fputs(any ? ", " : " ", f);
                    verdict_words(f, run->results[i].verdict);
                    any = 1;
                }
            }
            fputs(any ? " |" : " \xe2\x80\x94 |", f);
        }
        fputc('\n', f);
    }
    fputc('\n', f);
}

int th_report_write_markdown(const th_run *run, const char *path, char *err, size_t err_len) {
    th_report_grid grid;
    if (!th_report_grid_build(run, &grid)) {
        return th_report_fail(err, err_len, "%s: out of memory", path != NULL ? path : "markdown");
    }
    FILE *f = th_report_open(path, err, err_len);
    if (f == NULL) {
        th_report_grid_cleanup(&grid);
        return 0;
    }
    size_t counts[TH_NUM_VERDICTS] = {0};
    for (size_t i = 0; i < run->num_results; i++) {
        if ((unsigned)run->results[i].verdict < TH_NUM_VERDICTS) {
            counts[run->results[i].verdict]++;
        }
    }
    size_t unexpected =
        counts[TH_VERDICT_FAIL] + counts[TH_VERDICT_ERROR] + counts[TH_VERDICT_XPASS];

    fputs("# tlsharness conformance report\n\n", f);
    fputs("- result: ", f);
    if (th_run_ok(run)) {
        fputs("**OK** (everything as expected)\n", f);
    } else {
        fprintf(f, "**FAILED** (%zu unexpected)\n", unexpected);
    }
    if (run->tool_version != NULL) {
        fputs("- tool: tlsharness ", f);
        md_inline(f, run->tool_version);
        fputc('\n', f);
    }
    if (run->started_at != NULL) {
        fputs("- started: ", f);
        md_inline(f, run->started_at);
        fputc('\n', f);
    }
    fprintf(f, "- seed: %llu\n- duration: %.3f s\n- peers:", (unsigned long long)run->seed,
            run->duration_ms > 0 ? run->duration_ms / 1000.0 : 0.0);
    for (size_t c = 0; c < grid.num_cols; c++) {
        fputs(c > 0 ? ", " : " ", f);
        md_inline(f, grid.cols[c]);
    }
    if (grid.num_cols == 0) {
        fputs(" none", f);
    }
    fputs("\n\n## Summary\n\n| verdict | count |\n|:--|--:|\n", f);
    for (int v = 0; v < TH_NUM_VERDICTS; v++) {
        fputs("| ", f);
        verdict_words(f, (th_verdict)v);
        fprintf(f, " | %zu |\n", counts[v]);
    }
    fprintf(f, "| **total** | %zu |\n\n", run->num_results);

    write_matrix(f, run, &grid);

    fputs("## Failures\n\n", f);
    if (unexpected == 0) {
        fputs("None.\n\n", f);
    }
    for (size_t i = 0; i < run->num_results; i++) {
        if (is_failure(run->results[i].verdict)) {
            write_failure(f, &run->results[i]);
        }
    }

    if (counts[TH_VERDICT_XFAIL] > 0) {
        fputs("## Recorded divergences (xfail)\n\n| scenario | peer | reason |\n|:--|:--|:--|\n",
              f);
        for (size_t i = 0; i < run->num_results; i++) {
            const th_result *r = &run->results[i];
            if (r->verdict == TH_VERDICT_XFAIL) {
                fputs("| ", f);
                scenario_label(f, r);
                fputs(" | ", f);
                md_inline(f, r->peer != NULL ? r->peer : TH_REPORT_NO_PEER);
                fputs(" | ", f);
                md_inline(f, r->reason != NULL ? r->reason : r->message);
                fputs(" |\n", f);
            }
        }
        fputc('\n', f);
    }
    th_report_grid_cleanup(&grid);
    return th_report_close(f, path, err, err_len);
}
