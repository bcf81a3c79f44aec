/* `tlsharness bench` (harness/cli/bench.c), run as a program: a short run
 * exits 0 and prints every row, the notes and the goals; --json and --only
 * select; bad options are usage errors. Times are never asserted: they
 * depend on the machine. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testutil.h"

#define PKI TH_VECTORS_DIR "/../../scenarios/pki"

static const char *const kRowLabels[] = {
    "full handshakes/s X25519+ECDSA-P256 AES-128-GCM",
    "full handshakes/s X25519+RSA-2048 AES-128-GCM",
    "resumed handshakes/s PSK-DHE X25519 AES-128-GCM",
    "TLS 1.2 full handshakes/s ECDHE-ECDSA-P256 X25519 AES-128-GCM",
    "TLS 1.2 full handshakes/s RSA-2048 key exchange AES-128-GCM",
    "TLS 1.2 resumed handshakes/s ticket ECDHE-ECDSA AES-128-GCM",
    "bulk MB/s AES-128-GCM 16 KiB records",
    "bulk MB/s AES-256-GCM 16 KiB records",
    "bulk MB/s ChaCha20-Poly1305 16 KiB records",
    "heap bytes per idle established connection",
    "crypto floor share of an ECDSA handshake",
    "crypto floor share of an RSA handshake",
};

/* Runs `tlsharness bench ARGS` (the tlsharness built beside this test's
 * folder) and returns its exit status; *out holds stdout and stderr. */
static int run_bench(const char *args, char **out) {
    char exe[4096], cmd[8192];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
    assert_true(n > 0);
    exe[n] = '\0';
    /* <build>/tests/cli_test_bench -> <build>/tlsharness */
    char *slash = strrchr(exe, '/');
    assert_non_null(slash);
    *slash = '\0';
    slash = strrchr(exe, '/');
    assert_non_null(slash);
    *slash = '\0';
    snprintf(cmd, sizeof(cmd), "'%s/tlsharness' bench --pki '%s' %s 2>&1", exe, PKI, args);
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    size_t len = 0, cap = 1 << 16;
    char *buf = malloc(cap);
    assert_non_null(buf);
    size_t got;
    while ((got = fread(buf + len, 1, cap - 1 - len, p)) > 0) {
        len += got;
        if (cap - 1 - len == 0) {
            cap *= 2;
            buf = realloc(buf, cap);
            assert_non_null(buf);
        }
    }
    buf[len] = '\0';
    int status = pclose(p);
    *out = buf;
    assert_true(WIFEXITED(status));
    return WEXITSTATUS(status);
}

static void expect_contains(const char *out, const char *what) {
    if (strstr(out, what) == NULL) {
        fail_msg("'%s' missing from:\n%s", what, out);
    }
}

static void test_short_run_prints_every_row(void **state) {
    char *out;
    int rc = run_bench("--seconds 0.05", &out);
    if (rc != 0) {
        fail_msg("exit %d:\n%s", rc, out);
    }
    expect_contains(out, "ratio (ours/BoringSSL)");
    for (size_t i = 0; i < sizeof(kRowLabels) / sizeof(kRowLabels[0]); i++) {
        expect_contains(out, kRowLabels[i]);
    }
    assert_null(strstr(out, "FAILED"));
    expect_contains(out, "goals (not asserted): handshake ratio >= 1.0, bulk ratio >= 0.95");
    free(out);
}

static void test_json_only_prints_one_row(void **state) {
    char *out;
    assert_int_equal(run_bench("--seconds 0.02 --only resumed --json", &out), 0);
    expect_contains(out, "\"name\": \"resumed\"");
    expect_contains(out, "\"boringssl\":");
    expect_contains(out, "\"bulk_ratio_min\":");
    assert_null(strstr(out, "\"name\": \"memory\""));
    free(out);
}

static void test_json_tls12_rows_have_both_stacks(void **state) {
    static const char *const kRows12[] = {"handshake12_ecdsa", "handshake12_rsa", "resumed12"};
    for (size_t i = 0; i < sizeof(kRows12) / sizeof(kRows12[0]); i++) {
        char args[128], name[64], *out;
        snprintf(args, sizeof(args), "--seconds 0.02 --only %s --json", kRows12[i]);
        int rc = run_bench(args, &out);
        if (rc != 0) {
            fail_msg("%s: exit %d:\n%s", kRows12[i], rc, out);
        }
        snprintf(name, sizeof(name), "\"name\": \"%s\"", kRows12[i]);
        expect_contains(out, name);
        expect_contains(out, "\"ratio\":");
        assert_null(strstr(out, "\"ratio\": null"));
        assert_null(strstr(out, "FAILED"));
        free(out);
    }
}

static void test_bad_options_are_usage_errors(void **state) {
    char *out;
    assert_int_equal(run_bench("--seconds 0", &out), 2);
    expect_contains(out, "--seconds needs a positive number");
    free(out);
    assert_int_equal(run_bench("--only nope", &out), 2);
    expect_contains(out, "unknown row 'nope'");
    free(out);
    assert_int_equal(run_bench("--bogus", &out), 2);
    expect_contains(out, "unknown option '--bogus'");
    free(out);
    assert_int_equal(run_bench("--seconds", &out), 2);
    expect_contains(out, "--seconds needs a value");
    free(out);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_short_run_prints_every_row),
        cmocka_unit_test(test_json_only_prints_one_row),
        cmocka_unit_test(test_json_tls12_rows_have_both_stacks),
        cmocka_unit_test(test_bad_options_are_usage_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
