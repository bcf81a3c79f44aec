/* Seeds from the vector files. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "testutil.h"

#include "vectors.h"

static const th_seed_target *target(const th_seed_set *set, const char *name) {
    const th_seed_target *t = th_seed_set_find(set, name);
    if (t == NULL) {
        fail_msg("no target %s", name);
    }
    return t;
}

static void load(th_seed_set *set, const char *file) {
    char path[512];
    snprintf(path, sizeof(path), "%s/%s", TH_VECTORS_DIR, file);
    th_seed_set_init(set, 40);
    assert_true(th_corpus_vectors_file(set, path, stderr));
}

static void test_vectors_rfc8448_simple_handshake(void **state) {
    th_seed_set set;
    load(&set, "rfc8448-simple-1rtt.txt");
    /* CH, SH, EE, Certificate, CertificateVerify, two Finished, NST. */
    assert_int_equal(target(&set, "handshake")->num_seeds, 8);
    assert_int_equal(target(&set, "finished")->num_seeds, 2);
    assert_int_equal(target(&set, "certificate")->num_seeds, 1);
    assert_int_equal(target(&set, "new_session_ticket")->num_seeds, 1);
    assert_int_equal(target(&set, "ext_block_nst")->num_seeds, 1);
    /* Six protected messages, three paddings each. */
    assert_int_equal(target(&set, "inner_plaintext")->num_seeds, 18);
    assert_string_equal(target(&set, "ext_key_share_ch")->kinds[0], "rfc8448-simple-1rtt");
    assert_int_equal(set.num_warnings, 0);
    th_seed_set_cleanup(&set);
}

static void test_vectors_rfc8448_0rtt_client_hello_is_rebuilt(void **state) {
    th_seed_set set;
    size_t prefix_len, binder_len;
    uint8_t *prefix =
        th_test_vector("rfc8448-resumed-0rtt.txt", "client_hello_prefix", &prefix_len);
    uint8_t *binder = th_test_vector("rfc8448-resumed-0rtt.txt", "psk_binder", &binder_len);
    load(&set, "rfc8448-resumed-0rtt.txt");
    const th_seed_target *ch = target(&set, "client_hello");
    assert_int_equal(ch->num_seeds, 1);
    /* prefix || binders<0021> { binder<20> } without the 4-byte header. */
    assert_int_equal(binder_len, 32);
    assert_int_equal(ch->seeds[0].len, prefix_len - 4 + 3 + 32);
    assert_memory_equal(ch->seeds[0].data, prefix + 4, prefix_len - 4);
    assert_memory_equal(ch->seeds[0].data + prefix_len - 4, "\x00\x21\x20", 3);
    assert_memory_equal(ch->seeds[0].data + prefix_len - 1, binder, 32);
    assert_int_equal(target(&set, "ext_pre_shared_key_ch")->num_seeds, 1);
    assert_int_equal(target(&set, "end_of_early_data")->num_seeds, 1);
    assert_int_equal(target(&set, "ext_pre_shared_key_sh")->num_seeds, 1);
    assert_int_equal(set.num_warnings, 0);
    th_seed_set_cleanup(&set);
    free(prefix);
    free(binder);
}

static void test_vectors_tls12_file_splits_each_handshake_by_version(void **state) {
    th_seed_set set;
    load(&set, "tls12-boringssl.txt");
    /* Four handshakes; the TLS 1.1 one uses the legacy forms. */
    assert_int_equal(target(&set, "new_session_ticket_tls12")->num_kinds, 4);
    assert_string_equal(target(&set, "new_session_ticket_tls12")->kinds[0],
                        "tls12-boringssl:ecdhe_ecdsa12");
    assert_int_equal(target(&set, "certificate_request_tls10")->num_seeds, 1);
    assert_int_equal(target(&set, "certificate_request_tls12")->num_seeds, 1);
    assert_int_equal(target(&set, "server_key_exchange_ecdhe_legacy")->num_seeds, 1);
    assert_int_equal(target(&set, "server_key_exchange_ecdhe")->num_seeds, 2);
    assert_int_equal(target(&set, "client_key_exchange_rsa")->num_seeds, 1);
    assert_int_equal(target(&set, "certificate_status")->num_seeds, 1);
    /* The TLS 1.1 CertificateVerify has no parser: only the TLS 1.2 one. */
    assert_int_equal(target(&set, "certificate_verify")->num_seeds, 1);
    assert_null(th_seed_set_find(&set, "inner_plaintext"));
    assert_int_equal(set.num_warnings, 0);
    th_seed_set_cleanup(&set);
}

static char *write_temp(const char *text) {
    char *path = strdup("/tmp/th_corpus_vectors_XXXXXX");
    assert_non_null(path);
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
    return path;
}

static void expect_error(const char *text, const char *message) {
    th_seed_set set;
    char *path = write_temp(text);
    char *err_text = NULL;
    size_t err_len = 0;
    FILE *err = open_memstream(&err_text, &err_len);
    assert_non_null(err);
    th_seed_set_init(&set, 40);
    assert_false(th_corpus_vectors_file(&set, path, err));
    fclose(err);
    assert_non_null(strstr(err_text, path));
    assert_non_null(strstr(err_text, message));
    th_seed_set_cleanup(&set);
    unlink(path);
    free(path);
    free(err_text);
}

static void test_vectors_bad_hex_names_file_and_line(void **state) {
    expect_error("# comment\n\nclient_hello = 0100zz\n", ":3: bad hex");
    expect_error("finished = 140\n", ":1: bad hex");
    expect_error("no equals sign\n", ":1: expected `name = hex`");
}

static void test_vectors_missing_file_or_dir_is_an_error(void **state) {
    th_seed_set set;
    FILE *devnull = fopen("/dev/null", "w");
    th_seed_set_init(&set, 40);
    assert_false(th_corpus_vectors_file(&set, "/nonexistent/x.txt", devnull));
    assert_false(th_corpus_vectors_dir(&set, "/nonexistent", devnull));
    fclose(devnull);
    th_seed_set_cleanup(&set);
}

static void test_vectors_entries_not_named_after_messages_are_ignored(void **state) {
    th_seed_set set;
    /* A whole, valid Finished message under a secret's name. */
    char *path = write_temp("finished_key = 14000004aabbccdd\nserver_finished = 14000002aabb\n");
    th_seed_set_init(&set, 40);
    assert_true(th_corpus_vectors_file(&set, path, stderr));
    const th_seed_target *fin = th_seed_set_find(&set, "finished");
    assert_non_null(fin);
    assert_int_equal(fin->num_seeds, 1);
    assert_int_equal(fin->seeds[0].len, 2);
    th_seed_set_cleanup(&set);
    unlink(path);
    free(path);
}

static void test_vectors_dir_reads_every_file(void **state) {
    th_seed_set set;
    th_seed_set_init(&set, 40);
    assert_true(th_corpus_vectors_dir(&set, TH_VECTORS_DIR, stderr));
    /* The simple handshake's ClientHello and the rebuilt 0-RTT one at least. */
    assert_true(target(&set, "client_hello")->num_seeds >= 2);
    assert_int_equal(set.num_warnings, 0);
    th_seed_set_cleanup(&set);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_vectors_rfc8448_simple_handshake),
        cmocka_unit_test(test_vectors_rfc8448_0rtt_client_hello_is_rebuilt),
        cmocka_unit_test(test_vectors_tls12_file_splits_each_handshake_by_version),
        cmocka_unit_test(test_vectors_bad_hex_names_file_and_line),
        cmocka_unit_test(test_vectors_missing_file_or_dir_is_an_error),
        cmocka_unit_test(test_vectors_entries_not_named_after_messages_are_ignored),
        cmocka_unit_test(test_vectors_dir_reads_every_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
