#include "report_util.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int th_report_fail(char *err, size_t err_len, const char *fmt, ...) {
    if (err != NULL && err_len > 0) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, err_len, fmt, ap);
        va_end(ap);
    }
    return 0;
}

FILE *th_report_open(const char *path, char *err, size_t err_len) {
    if (path == NULL) {
        th_report_fail(err, err_len, "no report path given");
        return NULL;
    }
    FILE *f = fopen(path, "wb");
    if (f == NULL) {
        th_report_fail(err, err_len, "%s: %s", path, strerror(errno));
    }
    return f;
}

int th_report_close(FILE *f, const char *path, char *err, size_t err_len) {
    int write_failed = ferror(f);
    int saved = errno;
    if (fclose(f) != 0 && !write_failed) {
        write_failed = 1;
        saved = errno;
    }
    if (write_failed) {
        /* A truncated report would be mistaken for a complete one; only a
         * regular file is removed (never /dev/stdout or a pipe). */
        struct stat st;
        if (stat(path, &st) == 0 && S_ISREG(st.st_mode)) {
            remove(path);
        }
        return th_report_fail(err, err_len, "%s: write failed: %s", path, strerror(saved));
    }
    return 1;
}

size_t th_utf8_next(const char *s, size_t len, uint32_t *out_cp) {
    const unsigned char *p = (const unsigned char *)s;
    unsigned char c = p[0];
    size_t need;
    uint32_t cp, min;
    if (c < 0x80) {
        *out_cp = c;
        return 1;
    } else if (c >= 0xc2 && c <= 0xdf) {
        need = 1, cp = c & 0x1f, min = 0x80;
    } else if (c >= 0xe0 && c <= 0xef) {
        need = 2, cp = c & 0x0f, min = 0x800;
    } else if (c >= 0xf0 && c <= 0xf4) {
        need = 3, cp = c & 0x07, min = 0x10000;
    } else {
        *out_cp = 0xfffd;
        return 1;
    }
    if (len < need + 1) {
        *out_cp = 0xfffd;
        return 1;
    }
    for (size_t i = 1; i <= need; i++) {
        if ((p[i] & 0xc0) != 0x80) {
            *out_cp = 0xfffd;
            return 1;
        }
        cp = (cp << 6) | (p[i] & 0x3f);
    }
    /* RFC 3629 §3: overlong forms, surrogates and values past U+10FFFF are
     * not UTF-8. */
    if (cp < min || (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff) {
        *out_cp = 0xfffd;
        return 1;
    }
    *out_cp = cp;
    return need + 1;
}

static size_t utf8_encode(uint32_t cp, char out[4]) {
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    } else if (cp < 0x800) {
        out[0] = (char)(0xc0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3f));
        return 2;
    } else if (cp < 0x10000) {
        out[0] = (char)(0xe0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
        out[2] = (char)(0x80 | (cp & 0x3f));
        return 3;
    }
    out[0] = (char)(0xf0 | (cp >> 18));
    out[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
    out[3] = (char)(0x80 | (cp & 0x3f));
    return 4;
}

char *th_utf8_sanitize(const char *s) {
    if (s == NULL) {
        return NULL;
    }
    size_t len = strlen(s);
    /* Each replaced byte grows to at most 3 bytes (U+FFFD). */
    if (len > (SIZE_MAX - 1) / 3) {
        return NULL;
    }
    char *out = malloc(len * 3 + 1);
    if (out == NULL) {
        return NULL;
    }
    size_t o = 0;
    for (size_t i = 0; i < len;) {
        uint32_t cp;
        size_t n = th_utf8_next(s + i, len - i, &cp);
        if (cp == 0xfffd && n == 1) {
            o += utf8_encode(cp, out + o);
        } else {
            memcpy(out + o, s + i, n);
            o += n;
        }
        i += n;
    }
    out[o] = '\0';
    return out;
}

static int str_eq(const char *a, const char *b) {
    if (a == NULL || b == NULL) {
        return a == b;
    }
    return strcmp(a, b) == 0;
}

void th_report_grid_cleanup(th_report_grid *grid) {
    if (grid == NULL) {
        return;
    }
    free(grid->row_first);
    free(grid->cols);
    free(grid->row_of);
    free(grid->col_of);
    memset(grid, 0, sizeof(*grid));
}

int th_report_grid_build(const th_run *run, th_report_grid *grid) {
    memset(grid, 0, sizeof(*grid));
    size_t n = run->num_results;
    /* calloc(0) may return NULL: allocate at least one element. */
    grid->row_first = calloc(n + 1, sizeof(*grid->row_first));
    grid->cols = calloc(run->num_peers + n + 1, sizeof(*grid->cols));
    grid->row_of = calloc(n + 1, sizeof(*grid->row_of));
    grid->col_of = calloc(n + 1, sizeof(*grid->col_of));
    if (grid->row_first == NULL || grid->cols == NULL || grid->row_of == NULL ||
        grid->col_of == NULL) {
        th_report_grid_cleanup(grid);
        return 0;
    }
    for (size_t i = 0; i < run->num_peers; i++) {
        const char *name = run->peers[i] != NULL ? run->peers[i] : TH_REPORT_NO_PEER;
        size_t c = 0;
        while (c < grid->num_cols && !str_eq(grid->cols[c], name)) {
            c++;
        }
        if (c == grid->num_cols) {
            grid->cols[grid->num_cols++] = name;
        }
    }
    for (size_t i = 0; i < n; i++) {
        const th_result *r = &run->results[i];
        const char *peer = r->peer != NULL ? r->peer : TH_REPORT_NO_PEER;
        size_t c = 0;
        while (c < grid->num_cols && !str_eq(grid->cols[c], peer)) {
            c++;
        }
        if (c == grid->num_cols) {
            grid->cols[grid->num_cols++] = peer;
        }
        grid->col_of[i] = c;
        /* Rows are few hundred to a few thousand: a linear search keeps the
         * first-seen order without a hash table. */
        size_t row = 0;
        while (row < grid->num_rows) {
            const th_result *first = &run->results[grid->row_first[row]];
            if (str_eq(first->scenario_id, r->scenario_id) &&
                str_eq(first->matrix_label, r->matrix_label)) {
                break;
            }
            row++;
        }
        if (row == grid->num_rows) {
            grid->row_first[grid->num_rows++] = i;
        }
        grid->row_of[i] = row;
    }
    return 1;
}

size_t th_report_transcript_keep(const char *transcript) {
    size_t len = strlen(transcript);
    if (len <= TH_REPORT_TRANSCRIPT_MAX) {
        return len;
    }
    size_t keep = TH_REPORT_TRANSCRIPT_MAX;
    /* Back off continuation bytes so no character is split. */
    while (keep > 0 && ((unsigned char)transcript[keep] & 0xc0) == 0x80) {
        keep--;
    }
    return keep;
}

void th_report_transcript_note(const th_result *r, size_t kept, char *out, size_t out_len) {
    size_t len = strlen(r->transcript);
    snprintf(out, out_len, "\n[... %zu more bytes%s%s]\n", len - kept,
             r->transcript_path != NULL ? " in " : ": not embedded",
             r->transcript_path != NULL ? r->transcript_path : "");
}
