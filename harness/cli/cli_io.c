/* Whole-input reading shared by the CLI subcommands. */
#include "cli_io.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* "64 MiB" for whole mebibytes, else "%zu bytes". */
static void format_size(size_t n, char *buf, size_t buf_len) {
    if (n != 0 && n % (1u << 20) == 0) {
        snprintf(buf, buf_len, "%zu MiB", n >> 20);
    } else {
        snprintf(buf, buf_len, "%zu bytes", n);
    }
}

int th_cli_read_file(const char *path, size_t max_len, uint8_t **out, size_t *out_len, char *err,
                     size_t err_len) {
    int is_stdin = strcmp(path, "-") == 0;
    const char *label = is_stdin ? "stdin" : path;
    FILE *f = is_stdin ? stdin : fopen(path, "rb");
    uint8_t *buf = NULL;
    size_t len = 0, cap = 0;
    /* One byte more than |max_len| is read to tell an input of exactly
     * max_len bytes from a longer one. */
    size_t limit = max_len < SIZE_MAX ? max_len + 1 : SIZE_MAX;
    if (f == NULL) {
        snprintf(err, err_len, "cannot open '%s': %s", path, strerror(errno));
        return 0;
    }
    for (;;) {
        if (len == cap) {
            size_t next = cap == 0 ? 4096 : cap <= SIZE_MAX / 2 ? cap * 2 : SIZE_MAX;
            if (next > limit) {
                next = limit;
            }
            uint8_t *grown = next > cap ? realloc(buf, next) : NULL;
            if (grown == NULL) {
                snprintf(err, err_len, "cannot read '%s': out of memory", label);
                goto err;
            }
            buf = grown;
            cap = next;
        }
        size_t n = fread(buf + len, 1, cap - len, f);
        len += n;
        if (len > max_len) {
            char size[32];
            format_size(max_len, size, sizeof(size));
            snprintf(err, err_len, "cannot read '%s': larger than %s", label, size);
            goto err;
        }
        if (n == 0) {
            break;
        }
    }
    if (ferror(f)) {
        snprintf(err, err_len, "cannot read '%s': %s", label, strerror(errno));
        goto err;
    }
    if (!is_stdin) {
        fclose(f);
    }
    *out = buf;
    *out_len = len;
    return 1;

err:
    if (!is_stdin) {
        fclose(f);
    }
    free(buf);
    return 0;
}
