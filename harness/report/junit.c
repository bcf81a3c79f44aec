/* The JUnit XML report: one <testsuite> per peer and one <testcase> per
 * scenario x peer, in the dialect Jenkins, GitLab and GitHub test reporters
 * read. Every attribute and text node is escaped here, including the
 * characters XML 1.0 cannot carry at all. */
#include <stdlib.h>
#include <string.h>

#include "report_util.h"

/* Writes |s| escaped for an attribute value (|attr|) or for element text.
 * XML 1.0 §2.2 "Char" excludes most C0 controls, U+FFFE and U+FFFF: those
 * become a visible "\xNN" or U+FFFD, never a character reference (which
 * would be just as ill-formed). In attributes, tab and newlines are written
 * as references since §3.3.3 normalization would turn them into spaces. */
static void xml_put(FILE *f, const char *s, int attr) {
    if (s == NULL) {
        return;
    }
    size_t len = strlen(s);
    for (size_t i = 0; i < len;) {
        uint32_t cp;
        size_t n = th_utf8_next(s + i, len - i, &cp);
        switch (cp) {
        case '&':
            fputs("&amp;", f);
            break;
        case '<':
            fputs("&lt;", f);
            break;
        case '>':
            fputs("&gt;", f);
            break;
        case '"':
            fputs(attr ? "&quot;" : "\"", f);
            break;
        case '\t':
            fputs(attr ? "&#9;" : "\t", f);
            break;
        case '\n':
            fputs(attr ? "&#10;" : "\n", f);
            break;
        case '\r':
            fputs("&#13;", f);
            break;
        default:
            if (cp < 0x20) {
                fprintf(f, "\\x%02x", (unsigned)cp);
            } else if (cp == 0xfffd || cp == 0xfffe || cp == 0xffff) {
                fputs("\xef\xbf\xbd", f);
            } else {
                fwrite(s + i, 1, n, f);
            }
            break;
        }
        i += n;
    }
}

static void xml_attr(FILE *f, const char *name, const char *value) {
    fprintf(f, " %s=\"", name);
    xml_put(f, value, 1);
    fputc('"', f);
}

/* "tls13.ch" for "tls13.ch.psk_not_last": CI tools group test cases by
 * class, so a file's scenarios land together. */
static void classname(FILE *f, const char *peer, const char *id) {
    fputs(" classname=\"", f);
    xml_put(f, peer, 1);
    fputc('.', f);
    if (id != NULL) {
        const char *dot = strrchr(id, '.');
        size_t n = dot != NULL ? (size_t)(dot - id) : strlen(id);
        char buf[256];
        while (n > 0) {
            size_t chunk = n < sizeof(buf) - 1 ? n : sizeof(buf) - 1;
            memcpy(buf, id, chunk);
            buf[chunk] = '\0';
            xml_put(f, buf, 1);
            id += chunk;
            n -= chunk;
        }
    }
    fputc('"', f);
}

static void test_name(FILE *f, const th_result *r) {
    fputs(" name=\"", f);
    xml_put(f, r->scenario_id != NULL ? r->scenario_id : "(unnamed)", 1);
    if (r->matrix_label != NULL) {
        fputc('[', f);
        xml_put(f, r->matrix_label, 1);
        fputc(']', f);
    }
    fputc('"', f);
}

static void text_line(FILE *f, const char *label, const char *value) {
    if (value == NULL) {
        return;
    }
    fputs(label, f);
    xml_put(f, value, 0);
    fputc('\n', f);
}

/* The body of <failure> and <error>: what a CI log viewer shows. */
static void failure_body(FILE *f, const th_result *r) {
    if (r->failed_step > 0) {
        fprintf(f, "step %d", r->failed_step);
        if (r->step_loc != NULL) {
            fputs(" (", f);
            xml_put(f, r->step_loc, 0);
            fputc(')', f);
        }
        fputc('\n', f);
    }
    text_line(f, "message: ", r->message);
    text_line(f, "expected: ", r->expected);
    text_line(f, "got: ", r->got);
    text_line(f, "reason: ", r->reason);
    text_line(f, "scenario: ", r->file);
    if (r->rfc_doc != NULL || r->rfc_section != NULL) {
        fputs("RFC ", f);
        xml_put(f, r->rfc_doc, 0);
        fputs(" \xc2\xa7", f);
        xml_put(f, r->rfc_section, 0);
        if (r->rfc_quote != NULL) {
            fputs(": ", f);
            xml_put(f, r->rfc_quote, 0);
        }
        fputc('\n', f);
    }
    text_line(f, "transcript file: ", r->transcript_path);
    text_line(f, "key log: ", r->keylog_path);
    if (r->transcript != NULL) {
        fputs("\ntranscript:\n", f);
        size_t keep = th_report_transcript_keep(r->transcript);
        if (r->transcript[keep] == '\0') {
            xml_put(f, r->transcript, 0);
        } else {
            char *cut = strndup(r->transcript, keep);
            char note[512];
            th_report_transcript_note(r, keep, note, sizeof(note));
            /* Out of memory: the note alone still says where the rest is. */
            xml_put(f, cut, 0);
            xml_put(f, note, 0);
            free(cut);
        }
        fputc('\n', f);
    }
}

static void write_testcase(FILE *f, const th_result *r, const char *peer) {
    fputs("    <testcase", f);
    classname(f, peer, r->scenario_id);
    test_name(f, r);
    xml_attr(f, "file", r->file);
    fprintf(f, " time=\"%.3f\"", r->duration_ms > 0 ? r->duration_ms / 1000.0 : 0.0);
    switch (r->verdict) {
    case TH_VERDICT_PASS:
        fputs("/>\n", f);
        return;
    case TH_VERDICT_FAIL:
        fputs(">\n      <failure", f);
        xml_attr(f, "message", r->message != NULL ? r->message : "failed");
        fputs(" type=\"fail\">", f);
        failure_body(f, r);
        fputs("</failure>\n", f);
        break;
    case TH_VERDICT_XPASS:
        /* A stale expectations record hides future regressions: it fails
         * the build until the record is removed. */
        fputs(">\n      <failure message=\"unexpectedly passed: the expectations file records a "
              "divergence for this peer that no longer happens; remove the record",
              f);
        if (r->reason != NULL) {
            fputs(" (", f);
            xml_put(f, r->reason, 1);
            fputc(')', f);
        }
        fputs("\" type=\"xpass\">", f);
        failure_body(f, r);
        fputs("</failure>\n", f);
        break;
    case TH_VERDICT_SKIP:
    case TH_VERDICT_XFAIL: {
        const char *why = r->reason != NULL ? r->reason : r->message;
        fputs(">\n      <skipped message=\"", f);
        if (r->verdict == TH_VERDICT_XFAIL) {
            fputs("xfail (expected divergence): ", f);
        }
        xml_put(f, why != NULL ? why : "skipped", 1);
        if (r->verdict == TH_VERDICT_XFAIL && r->message != NULL && why != r->message) {
            fputs(" | observed: ", f);
            xml_put(f, r->message, 1);
        }
        fputs("\"/>\n", f);
        break;
    }
    case TH_VERDICT_ERROR:
    default:
        fputs(">\n      <error", f);
        xml_attr(f, "message", r->message != NULL ? r->message : "could not run");
        fputs(" type=\"error\">", f);
        failure_body(f, r);
        fputs("</error>\n", f);
        break;
    }
    fputs("    </testcase>\n", f);
}

typedef struct {
    size_t tests, failures, errors, skipped;
    double ms;
} tally;

static void count(tally *t, const th_result *r) {
    t->tests++;
    t->ms += r->duration_ms > 0 ? r->duration_ms : 0;
    switch (r->verdict) {
    case TH_VERDICT_PASS:
        break;
    case TH_VERDICT_FAIL:
    case TH_VERDICT_XPASS:
        t->failures++;
        break;
    case TH_VERDICT_SKIP:
    case TH_VERDICT_XFAIL:
        t->skipped++;
        break;
    default:
        t->errors++;
        break;
    }
}

static void tally_attrs(FILE *f, const tally *t, double ms) {
    fprintf(f, " tests=\"%zu\" failures=\"%zu\" errors=\"%zu\" skipped=\"%zu\" time=\"%.3f\"",
            t->tests, t->failures, t->errors, t->skipped, ms > 0 ? ms / 1000.0 : 0.0);
}

static void property(FILE *f, const char *name, const char *value) {
    fputs("      <property", f);
    xml_attr(f, "name", name);
    xml_attr(f, "value", value != NULL ? value : "");
    fputs("/>\n", f);
}

int th_report_write_junit(const th_run *run, const char *path, char *err, size_t err_len) {
    th_report_grid grid;
    if (!th_report_grid_build(run, &grid)) {
        return th_report_fail(err, err_len, "%s: out of memory", path != NULL ? path : "junit");
    }
    FILE *f = th_report_open(path, err, err_len);
    if (f == NULL) {
        th_report_grid_cleanup(&grid);
        return 0;
    }
    tally all = {0};
    for (size_t i = 0; i < run->num_results; i++) {
        count(&all, &run->results[i]);
    }
    char seed[24];
    snprintf(seed, sizeof(seed), "%llu", (unsigned long long)run->seed);

    fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"tlsharness\"", f);
    tally_attrs(f, &all, run->duration_ms);
    fputs(">\n", f);
    for (size_t c = 0; c < grid.num_cols; c++) {
        tally t = {0};
        for (size_t i = 0; i < run->num_results; i++) {
            if (grid.col_of[i] == c) {
                count(&t, &run->results[i]);
            }
        }
        fputs("  <testsuite", f);
        xml_attr(f, "name", grid.cols[c]);
        tally_attrs(f, &t, t.ms);
        fputs(">\n    <properties>\n", f);
        property(f, "peer", grid.cols[c]);
        property(f, "seed", seed);
        property(f, "started_at", run->started_at);
        property(f, "tool_version", run->tool_version);
        fputs("    </properties>\n", f);
        for (size_t i = 0; i < run->num_results; i++) {
            if (grid.col_of[i] == c) {
                write_testcase(f, &run->results[i], grid.cols[c]);
            }
        }
        fputs("  </testsuite>\n", f);
    }
    fputs("</testsuites>\n", f);
    th_report_grid_cleanup(&grid);
    return th_report_close(f, path, err, err_len);
}
