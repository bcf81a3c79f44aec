/* th_cli_read_file (harness/cli/cli_io.c): whole files and standard input,
 * the size limit at its exact boundary, and error messages that name the
 * input. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli_io.h"
#include "testutil.h"

/* Writes |len| bytes (i & 0xff) to a new temporary file; returns its path. */
static char *temp_file(size_t len) {
    char *path = strdup("/tmp/th_cli_io_XXXXXX");
    assert_non_null(path);
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "wb");
    assert_non_null(f);
    for (size_t i = 0; i < len; i++) {
        assert_int_equal(fputc((int)(i & 0xff), f), (int)(i & 0xff));
    }
    assert_int_equal(fclose(f), 0);
    return path;
}

static void remove_temp(char *path) {
    assert_int_equal(unlink(path), 0);
    free(path);
}

static void test_reads_the_whole_file(void **state) {
    (void)state;
    /* More than the first 4096-byte buffer, so the buffer grows. */
    char *path = temp_file(10000);
    uint8_t *data = NULL;
    size_t len = 0;
    char err[256];
    assert_true(th_cli_read_file(path, SIZE_MAX, &data, &len, err, sizeof(err)));
    assert_int_equal(len, 10000);
    for (size_t i = 0; i < len; i++) {
        assert_int_equal(data[i], i & 0xff);
    }
    free(data);
    remove_temp(path);
}

static void test_exactly_max_len_bytes_is_accepted(void **state) {
    (void)state;
    char err[256];
    uint8_t *data = NULL;
    size_t len = 0;
    /* At a buffer size boundary (4096) and off it. */
    static const size_t kSizes[] = {1, 10, 4096, 8192, 5000};
    for (size_t i = 0; i < sizeof(kSizes) / sizeof(kSizes[0]); i++) {
        char *path = temp_file(kSizes[i]);
        assert_true(th_cli_read_file(path, kSizes[i], &data, &len, err, sizeof(err)));
        assert_int_equal(len, kSizes[i]);
        free(data);
        remove_temp(path);
    }
}

static void test_one_byte_over_max_len_is_refused_naming_the_file(void **state) {
    (void)state;
    char err[256];
    uint8_t *data = NULL;
    size_t len = 0;
    static const size_t kSizes[] = {1, 10, 4096, 8192, 5000};
    for (size_t i = 0; i < sizeof(kSizes) / sizeof(kSizes[0]); i++) {
        char *path = temp_file(kSizes[i] + 1);
        char expected[300];
        snprintf(expected, sizeof(expected), "cannot read '%s': larger than %zu bytes", path,
                 kSizes[i]);
        assert_false(th_cli_read_file(path, kSizes[i], &data, &len, err, sizeof(err)));
        assert_string_equal(err, expected);
        remove_temp(path);
    }
    /* Whole mebibytes are written as such. */
    char *path = temp_file((1u << 20) + 1);
    assert_false(th_cli_read_file(path, 1u << 20, &data, &len, err, sizeof(err)));
    assert_non_null(strstr(err, "larger than 1 MiB"));
    remove_temp(path);
}

static void test_empty_file_gives_an_empty_buffer(void **state) {
    (void)state;
    char *path = temp_file(0);
    uint8_t *data = NULL;
    size_t len = 1;
    char err[256];
    assert_true(th_cli_read_file(path, 0, &data, &len, err, sizeof(err)));
    assert_int_equal(len, 0);
    assert_non_null(data);
    free(data);
    remove_temp(path);
}

static void test_missing_file_is_named(void **state) {
    (void)state;
    uint8_t *data = NULL;
    size_t len = 0;
    char err[256];
    assert_false(
        th_cli_read_file("/nonexistent/th_cli_io.bin", SIZE_MAX, &data, &len, err, sizeof(err)));
    assert_string_equal(err, "cannot open '/nonexistent/th_cli_io.bin': No such file or directory");
}

static void test_dash_reads_standard_input(void **state) {
    (void)state;
    char *path = temp_file(300);
    uint8_t *data = NULL;
    size_t len = 0;
    char err[256];
    assert_non_null(freopen(path, "rb", stdin));
    assert_true(th_cli_read_file("-", 300, &data, &len, err, sizeof(err)));
    assert_int_equal(len, 300);
    assert_int_equal(data[299], 299 & 0xff);
    free(data);
    /* Standard input too long: the message says stdin. */
    assert_non_null(freopen(path, "rb", stdin));
    assert_false(th_cli_read_file("-", 299, &data, &len, err, sizeof(err)));
    assert_string_equal(err, "cannot read 'stdin': larger than 299 bytes");
    remove_temp(path);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reads_the_whole_file),
        cmocka_unit_test(test_exactly_max_len_bytes_is_accepted),
        cmocka_unit_test(test_one_byte_over_max_len_is_refused_naming_the_file),
        cmocka_unit_test(test_empty_file_gives_an_empty_buffer),
        cmocka_unit_test(test_missing_file_is_named),
        cmocka_unit_test(test_dash_reads_standard_input),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
