/* A report run for the writer tests and the headless-browser check: several
 * results of every verdict over two peers plus one peer only a result names,
 * matrix rows, and strings built to break escaping (quotes, markup, a script
 * end tag, entities, Unicode, line breaks, control bytes, invalid UTF-8) and
 * a transcript of 3 MB (over TH_REPORT_TRANSCRIPT_MAX). */
#ifndef TH_TEST_SAMPLE_RUN_H
#define TH_TEST_SAMPLE_RUN_H
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "result.h"

/* Distinct (scenario id, matrix label) pairs in the sample: the matrix rows. */
#define TH_SAMPLE_NUM_ROWS 8
/* The peers the sample's results name, in column order. */
#define TH_SAMPLE_NUM_PEERS 3

/* Every escaping hazard at once (valid UTF-8 except where noted). */
#define TH_SAMPLE_NASTY                                                                            \
    "\"quotes\" 'single' <script>alert(1)</script> </SCRIPT > <!-- & &amp; ]]> a|b\\|c "           \
    "```fence``` * _x_ [l](u) \xc3\x9c"                                                            \
    "n\xc3\xaf"                                                                                    \
    "c\xc3\xb6"                                                                                    \
    "d\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac "                                                          \
    "\xf0\x9f\x9a\x80 \xe2\x80\xa8\xe2\x80\xa9 line1\nline2\r\n\ttab \x01\x02\x1b[31m\x7f end"
/* Not UTF-8 at all: writers must not pass it through. */
#define TH_SAMPLE_INVALID_UTF8 "bad \xff\xfe \xc3 \xed\xa0\x80 \xf4\x90\x80\x80 end"

static inline char *th_sample_dup(const char *s) {
    if (s == NULL) {
        return NULL;
    }
    char *d = strdup(s);
    if (d == NULL) {
        abort();
    }
    return d;
}

static inline char *th_sample_long_transcript(size_t min_len) {
    static const char kLine[] = "-> record handshake(22) len=512 ClientHello <tag> & \"q\" |\n";
    size_t n = min_len / (sizeof(kLine) - 1) + 1;
    char *t = malloc(n * (sizeof(kLine) - 1) + sizeof(TH_SAMPLE_NASTY));
    if (t == NULL) {
        abort();
    }
    char *p = t;
    for (size_t i = 0; i < n; i++) {
        memcpy(p, kLine, sizeof(kLine) - 1);
        p += sizeof(kLine) - 1;
    }
    memcpy(p, TH_SAMPLE_NASTY, sizeof(TH_SAMPLE_NASTY));
    return t;
}

/* Fills |run| (zeroed by the caller) with the sample. */
static inline void th_sample_run(th_run *run) {
    static const char *const kPeers[] = {"boringssl", "self"};
    /* id, matrix, verdict for boringssl, verdict for self */
    static const struct {
        const char *id, *matrix;
        th_verdict v[2];
    } kRows[TH_SAMPLE_NUM_ROWS] = {
        {"tls13.ch.psk_not_last", NULL, {TH_VERDICT_PASS, TH_VERDICT_FAIL}},
        {"tls13.interop.suites",
         "suite=TLS_AES_128_GCM_SHA256",
         {TH_VERDICT_PASS, TH_VERDICT_PASS}},
        {"tls13.interop.suites",
         "suite=TLS_AES_256_GCM_SHA384",
         {TH_VERDICT_ERROR, TH_VERDICT_SKIP}},
        {"tls13.ch.keyshare_order", NULL, {TH_VERDICT_XFAIL, TH_VERDICT_PASS}},
        {"tls13.ch.duplicate_extension", NULL, {TH_VERDICT_XPASS, TH_VERDICT_FAIL}},
        {"record.nasty<script>|id", TH_SAMPLE_NASTY, {TH_VERDICT_FAIL, TH_VERDICT_ERROR}},
        {"record.skip_everywhere", NULL, {TH_VERDICT_SKIP, TH_VERDICT_XFAIL}},
        {"noprefix", NULL, {TH_VERDICT_XPASS, TH_VERDICT_PASS}},
    };
    run->tool_version = th_sample_dup("0.6.0-test <b>\"v\"</b>");
    run->seed = UINT64_MAX;
    run->started_at = th_sample_dup("2026-11-25T23:00:00Z");
    run->duration_ms = 1234.5;
    run->peers = calloc(2, sizeof(char *));
    if (run->peers == NULL) {
        abort();
    }
    for (size_t i = 0; i < 2; i++) {
        run->peers[run->num_peers++] = th_sample_dup(kPeers[i]);
    }
    for (size_t row = 0; row < TH_SAMPLE_NUM_ROWS; row++) {
        for (size_t p = 0; p < 2; p++) {
            th_result *r = th_run_add(run);
            if (r == NULL) {
                abort();
            }
            th_verdict v = kRows[row].v[p];
            r->scenario_id = th_sample_dup(kRows[row].id);
            r->matrix_label = th_sample_dup(kRows[row].matrix);
            r->title = th_sample_dup(row == 5 ? TH_SAMPLE_NASTY : "A scenario title");
            r->file = th_sample_dup("scenarios/tls13/ch.yaml:12");
            r->rfc_doc = th_sample_dup("8446");
            r->rfc_section = th_sample_dup(row == 5 ? "4.2 <&> |" : "4.2.11");
            r->rfc_quote = th_sample_dup(row == 3 ? NULL
                                                  : "The \"pre_shared_key\" extension "
                                                    "MUST be the last extension");
            r->role = th_sample_dup(p == 0 ? "client" : "server");
            r->peer = th_sample_dup(kPeers[p]);
            r->verdict = v;
            r->duration_ms = 1.25 * (double)(row + 1);
            switch (v) {
            case TH_VERDICT_FAIL:
                r->message = th_sample_dup(row == 5 ? TH_SAMPLE_NASTY
                                                    : "step 3 expect: expected alert "
                                                      "illegal_parameter, got server_hello");
                r->failed_step = 3;
                r->step_loc = th_sample_dup("scenarios/tls13/ch.yaml:20:5");
                r->expected = th_sample_dup(row == 5 ? TH_SAMPLE_NASTY : "alert illegal_parameter");
                r->got = th_sample_dup(row == 5 ? TH_SAMPLE_INVALID_UTF8 : "server_hello");
                r->transcript = row == 5 ? th_sample_long_transcript(3000000)
                                         : th_sample_dup("-> ClientHello\n<- ServerHello\n");
                r->transcript_path = th_sample_dup("transcripts/x.txt");
                r->keylog_path = th_sample_dup("transcripts/x.keylog");
                break;
            case TH_VERDICT_ERROR:
                r->message = th_sample_dup(row == 5 ? TH_SAMPLE_NASTY : "peer failed to start");
                r->transcript = th_sample_dup(TH_SAMPLE_NASTY);
                break;
            case TH_VERDICT_SKIP:
                r->message = th_sample_dup("not applicable to this peer");
                r->reason = th_sample_dup(row == 6 ? TH_SAMPLE_NASTY : NULL);
                break;
            case TH_VERDICT_XFAIL:
                r->message = th_sample_dup("step 2: expected alert decode_error, got nothing");
                r->reason = th_sample_dup(row == 6 ? TH_SAMPLE_NASTY
                                                   : "RFC 8446 §4.2.8 makes the check a MAY");
                r->transcript = th_sample_dup("-> ClientHello\n");
                break;
            case TH_VERDICT_XPASS:
                r->message = th_sample_dup("passed");
                r->reason = th_sample_dup("BoringSSL does not check order");
                r->transcript = th_sample_dup("-> ClientHello\n<- ServerHello\n");
                break;
            default:
                break;
            }
        }
    }
    /* A result for a peer the run's list does not name, and one of the
     * sample's rows again: the row count stays TH_SAMPLE_NUM_ROWS. */
    th_result *r = th_run_add(run);
    if (r == NULL) {
        abort();
    }
    r->scenario_id = th_sample_dup("tls13.ch.psk_not_last");
    r->peer = th_sample_dup("tcp:127.0.0.1:4433");
    r->verdict = TH_VERDICT_SKIP;
    th_run_count(run);
}

#endif
