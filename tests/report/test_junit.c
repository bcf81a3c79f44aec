/* harness/report/junit.c: the JUnit XML is well-formed (xmllint when
 * installed, and a built-in check that always runs), has one testcase per
 * result in one testsuite per peer, and the right failure, error and skipped
 * elements and attributes. */
#include <stdint.h>
#include <stdlib.h>

#include "report_testutil.h"
#include "report_util.h"
#include "sample_run.h"

static char *write_junit(const th_run *run, size_t *out_len) {
    char *dir = th_report_test_dir();
    char *path = th_report_test_path(dir, "junit.xml");
    char err[256] = "";
    assert_int_equal(th_report_write_junit(run, path, err, sizeof(err)), 1);
    /* xmllint (libxml2-utils) is the real parser; the check below is the
     * fallback where it is not installed. */
    if (system("command -v xmllint >/dev/null 2>&1") == 0) {
        char cmd[1024];
        snprintf(cmd, sizeof(cmd), "xmllint --noout '%s'", path);
        assert_int_equal(system(cmd), 0);
    } else {
        print_message("xmllint not installed: built-in well-formedness check only\n");
    }
    char *xml = th_report_test_read(path, out_len);
    th_report_test_cleanup(dir, path);
    return xml;
}

/* A small XML 1.0 well-formedness check: UTF-8 of allowed characters only,
 * balanced and properly nested elements, quoted attributes without '<',
 * and every '&' starting a predefined or numeric reference. */
static int is_xml_char(uint32_t cp) {
    return cp == 0x9 || cp == 0xa || cp == 0xd || (cp >= 0x20 && cp <= 0xd7ff) ||
           (cp >= 0xe000 && cp <= 0xfffd) || (cp >= 0x10000 && cp <= 0x10ffff);
}

static int reference_ok(const char *p) {
    static const char *const kEntities[] = {"&amp;", "&lt;", "&gt;", "&quot;", "&apos;"};
    for (size_t i = 0; i < 5; i++) {
        if (strncmp(p, kEntities[i], strlen(kEntities[i])) == 0) {
            return 1;
        }
    }
    if (p[1] != '#') {
        return 0;
    }
    const char *q = p + 2;
    while (*q >= '0' && *q <= '9') {
        q++;
    }
    return q > p + 2 && *q == ';' && is_xml_char((uint32_t)strtoul(p + 2, NULL, 10));
}

static void assert_well_formed(const char *xml, size_t len) {
    assert_int_equal(strlen(xml), len); /* no NUL byte */
    for (size_t i = 0; i < len;) {
        uint32_t cp;
        size_t n = th_utf8_next(xml + i, len - i, &cp);
        if (cp == 0xfffd && n == 1) {
            fail_msg("invalid UTF-8 at byte %zu", i);
        }
        if (!is_xml_char(cp)) {
            fail_msg("character U+%04x not allowed in XML 1.0 at byte %zu", (unsigned)cp, i);
        }
        i += n;
    }
    const char *p = xml;
    assert_true(strncmp(p, "<?xml ", 6) == 0);
    p = strstr(p, "?>") + 2;
    const char *stack[16];
    size_t depth = 0, elements = 0;
    while (*p != '\0') {
        if (*p == '&') {
            assert_true(reference_ok(p));
            p++;
        } else if (*p == '>') {
            fail_msg("raw '>' in text");
        } else if (*p != '<') {
            p++;
        } else if (p[1] == '/') {
            assert_true(depth > 0);
            const char *name = stack[--depth];
            size_t n = strcspn(name, " />");
            assert_true(strncmp(p + 2, name, n) == 0 && p[2 + n] == '>');
            p += 3 + n;
        } else {
            const char *name = p + 1;
            size_t n = strcspn(name, " />\n");
            assert_true(n > 0);
            p = name + n;
            for (;;) {
                while (*p == ' ' || *p == '\n') {
                    p++;
                }
                if (*p == '>' || (p[0] == '/' && p[1] == '>')) {
                    break;
                }
                const char *eq = strchr(p, '=');
                assert_non_null(eq);
                assert_true(eq > p && eq[1] == '"');
                p = eq + 2;
                while (*p != '"') {
                    assert_true(*p != '\0' && *p != '<');
                    if (*p == '&') {
                        assert_true(reference_ok(p));
                    }
                    p++;
                }
                p++;
            }
            elements++;
            if (*p == '/') {
                p += 2;
            } else {
                assert_true(depth < 16);
                stack[depth++] = name;
                p++;
            }
        }
    }
    assert_int_equal(depth, 0);
    assert_true(elements > 0);
}

static void test_junit_is_well_formed_xml(void **state) {
    th_run run;
    memset(&run, 0, sizeof(run));
    th_sample_run(&run);
    size_t len;
    char *xml = write_junit(&run, &len);
    assert_well_formed(xml, len);
    /* The control bytes of the sample are replaced by visible text. */
    assert_non_null(strstr(xml, "\\x01\\x02\\x1b[31m"));
    /* Attribute line breaks are references, so they survive normalization. */
    assert_non_null(strstr(xml, "line1&#10;line2&#13;&#10;&#9;tab"));
    assert_null(strstr(xml, "<script>"));
    free(xml);
    th_run_cleanup(&run);
}

static void test_junit_counts_testcases_per_peer(void **state) {
    th_run run;
    memset(&run, 0, sizeof(run));
    th_sample_run(&run);
    size_t len;
    char *xml = write_junit(&run, &len);
    size_t fail = run.counts[TH_VERDICT_FAIL], xpass = run.counts[TH_VERDICT_XPASS];
    size_t error = run.counts[TH_VERDICT_ERROR];
    size_t skipped = run.counts[TH_VERDICT_SKIP] + run.counts[TH_VERDICT_XFAIL];
    assert_int_equal(th_report_test_count(xml, "<testsuite "), TH_SAMPLE_NUM_PEERS);
    assert_int_equal(th_report_test_count(xml, "<testcase "), run.num_results);
    assert_int_equal(th_report_test_count(xml, "<failure "), fail + xpass);
    assert_int_equal(th_report_test_count(xml, "<error "), error);
    assert_int_equal(th_report_test_count(xml, "<skipped "), skipped);
    char want[256];
    snprintf(want, sizeof(want),
             "<testsuites name=\"tlsharness\" tests=\"%zu\" failures=\"%zu\" errors=\"%zu\" "
             "skipped=\"%zu\"",
             run.num_results, fail + xpass, error, skipped);
    assert_non_null(strstr(xml, want));
    /* boringssl: pass pass error xfail xpass fail skip xpass */
    assert_non_null(strstr(xml, "<testsuite name=\"boringssl\" tests=\"8\" failures=\"3\" "
                                "errors=\"1\" skipped=\"2\""));
    assert_non_null(strstr(xml, "<testsuite name=\"self\" tests=\"8\" failures=\"2\" "
                                "errors=\"1\" skipped=\"2\""));
    assert_non_null(strstr(xml, "<testsuite name=\"tcp:127.0.0.1:4433\" tests=\"1\" "
                                "failures=\"0\" errors=\"0\" skipped=\"1\""));
    free(xml);
    th_run_cleanup(&run);
}

static void test_junit_names_and_classnames(void **state) {
    th_run run;
    memset(&run, 0, sizeof(run));
    th_sample_run(&run);
    size_t len;
    char *xml = write_junit(&run, &len);
    assert_non_null(strstr(xml, "<testcase classname=\"self.tls13.ch\" "
                                "name=\"tls13.ch.psk_not_last\""));
    assert_non_null(strstr(xml, "<testcase classname=\"boringssl.tls13.interop\" "
                                "name=\"tls13.interop.suites[suite=TLS_AES_256_GCM_SHA384]\""));
    /* An id without a dot is its own prefix. */
    assert_non_null(strstr(xml, "classname=\"boringssl.noprefix\" name=\"noprefix\""));
    assert_non_null(strstr(xml, "classname=\"boringssl.record\" name=\"record.nasty&lt;script&gt;"
                                "|id[&quot;quotes&quot; 'single' &lt;script&gt;"));
    free(xml);
    th_run_cleanup(&run);
}

static void test_junit_failure_bodies(void **state) {
    th_run run;
    memset(&run, 0, sizeof(run));
    th_sample_run(&run);
    size_t len;
    char *xml = write_junit(&run, &len);
    assert_non_null(strstr(xml, "<failure message=\"step 3 expect: expected alert "
                                "illegal_parameter, got server_hello\" type=\"fail\">step 3 "
                                "(scenarios/tls13/ch.yaml:20:5)\n"));
    assert_non_null(strstr(xml, "expected: alert illegal_parameter\ngot: server_hello\n"));
    assert_non_null(strstr(xml, "transcript file: transcripts/x.txt\n"));
    assert_non_null(strstr(xml, "\ntranscript:\n-&gt; ClientHello\n&lt;- ServerHello\n"));
    /* The 3 MB transcript is cut at TH_REPORT_TRANSCRIPT_MAX, with a note
     * saying where the rest is. */
    size_t lines = th_report_test_count(xml, "ClientHello &lt;tag&gt; &amp; \"q\" |\n");
    size_t line_len = strlen("-> record handshake(22) len=512 ClientHello <tag> & \"q\" |\n");
    assert_int_equal(lines, TH_REPORT_TRANSCRIPT_MAX / line_len);
    assert_non_null(strstr(xml, " more bytes in transcripts/x.txt]\n"));
    assert_true(len < 2 * TH_REPORT_TRANSCRIPT_MAX);
    assert_non_null(strstr(xml, "<error message=\"peer failed to start\" type=\"error\">"));
    assert_non_null(strstr(xml, "<skipped message=\"xfail (expected divergence): RFC 8446 "
                                "\xc2\xa7"
                                "4.2.8 makes the check a MAY | observed: step 2"));
    assert_non_null(strstr(xml, "<skipped message=\"not applicable to this peer\"/>"));
    assert_int_equal(th_report_test_count(xml, "<failure message=\"unexpectedly passed: the "
                                               "expectations file records"),
                     run.counts[TH_VERDICT_XPASS]);
    assert_int_equal(th_report_test_count(xml, "type=\"xpass\""), run.counts[TH_VERDICT_XPASS]);
    /* Invalid UTF-8 became U+FFFD. */
    assert_non_null(strstr(xml, "got: bad \xef\xbf\xbd\xef\xbf\xbd "));
    free(xml);
    th_run_cleanup(&run);
}

static void test_junit_empty_run(void **state) {
    th_run run;
    memset(&run, 0, sizeof(run));
    size_t len;
    char *xml = write_junit(&run, &len);
    assert_well_formed(xml, len);
    assert_non_null(strstr(xml, "tests=\"0\" failures=\"0\" errors=\"0\" skipped=\"0\""));
    assert_int_equal(th_report_test_count(xml, "<testcase"), 0);
    free(xml);
}

static void test_junit_unwritable_path_fails_with_message(void **state) {
    th_run run;
    memset(&run, 0, sizeof(run));
    th_sample_run(&run);
    char err[256] = "";
    assert_int_equal(th_report_write_junit(&run, TH_REPORT_UNWRITABLE, err, sizeof(err)), 0);
    assert_non_null(strstr(err, TH_REPORT_UNWRITABLE));
    th_run_cleanup(&run);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_junit_is_well_formed_xml),
        cmocka_unit_test(test_junit_counts_testcases_per_peer),
        cmocka_unit_test(test_junit_names_and_classnames),
        cmocka_unit_test(test_junit_failure_bodies),
        cmocka_unit_test(test_junit_empty_run),
        cmocka_unit_test(test_junit_unwritable_path_fails_with_message),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
