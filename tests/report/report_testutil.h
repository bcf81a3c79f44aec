/* Helpers for the report writer tests: a scratch directory, reading a
 * written report back, counting substrings. */
#ifndef TH_TEST_REPORT_TESTUTIL_H
#define TH_TEST_REPORT_TESTUTIL_H
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "testutil.h"

/* A fresh directory under $TMPDIR (or /tmp); the caller frees the string. */
static inline char *th_report_test_dir(void) {
    const char *base = getenv("TMPDIR");
    char tmpl[512];
    snprintf(tmpl, sizeof(tmpl), "%s/th_report_XXXXXX", base != NULL ? base : "/tmp");
    assert_non_null(mkdtemp(tmpl));
    char *dir = strdup(tmpl);
    assert_non_null(dir);
    return dir;
}

/* |dir|/|name| in a new string. */
static inline char *th_report_test_path(const char *dir, const char *name) {
    size_t len = strlen(dir) + strlen(name) + 2;
    char *p = malloc(len);
    assert_non_null(p);
    snprintf(p, len, "%s/%s", dir, name);
    return p;
}

/* Removes the file (if any) and the directory, then frees both strings. */
static inline void th_report_test_cleanup(char *dir, char *path) {
    if (path != NULL) {
        unlink(path);
    }
    rmdir(dir);
    free(path);
    free(dir);
}

/* The whole file as a NUL-terminated string; *out_len excludes the NUL. */
static inline char *th_report_test_read(const char *path, size_t *out_len) {
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    size_t cap = 4096, len = 0;
    char *buf = malloc(cap);
    assert_non_null(buf);
    size_t n;
    while ((n = fread(buf + len, 1, cap - len - 1, f)) > 0) {
        len += n;
        if (cap - len - 1 == 0) {
            cap *= 2;
            buf = realloc(buf, cap);
            assert_non_null(buf);
        }
    }
    assert_int_equal(ferror(f), 0);
    fclose(f);
    buf[len] = '\0';
    if (out_len != NULL) {
        *out_len = len;
    }
    return buf;
}

/* Non-overlapping occurrences of |needle|. A plain scan: strstr in a loop
 * is quadratic under ASan, which measures the haystack on every call. */
static inline size_t th_report_test_count(const char *haystack, const char *needle) {
    size_t n = 0, nlen = strlen(needle), hlen = strlen(haystack);
    for (size_t i = 0; nlen > 0 && i + nlen <= hlen;) {
        if (haystack[i] == needle[0] && memcmp(haystack + i, needle, nlen) == 0) {
            n++;
            i += nlen;
        } else {
            i++;
        }
    }
    return n;
}

/* A path whose directory does not exist: every writer must refuse it. */
#define TH_REPORT_UNWRITABLE "/nonexistent-th-report-dir/sub/report.out"

#endif
