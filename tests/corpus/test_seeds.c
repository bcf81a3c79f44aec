/* Seed sets: dedup, GREASE-blind dedup, max_len, round-robin cap, writing. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "testutil.h"

#include "seeds.h"

static size_t count_files(const char *dir) {
    DIR *d = opendir(dir);
    size_t n = 0;
    struct dirent *de;
    assert_non_null(d);
    while ((de = readdir(d)) != NULL) {
        if (de->d_name[0] != '.') {
            n++;
        }
    }
    closedir(d);
    return n;
}

static char *make_temp_dir(void) {
    char *dir = strdup("/tmp/th_corpus_test_XXXXXX");
    assert_non_null(dir);
    assert_non_null(mkdtemp(dir));
    return dir;
}

static void remove_tree(const char *dir) {
    char cmd[512];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

static void test_seeds_same_content_is_kept_once(void **state) {
    th_seed_set set;
    const uint8_t a[] = {1, 2, 3}, b[] = {1, 2, 4};
    th_seed_set_init(&set, 40);
    assert_true(th_seed_set_add(&set, "finished", "x", a, sizeof(a)));
    assert_true(th_seed_set_add(&set, "finished", "y", a, sizeof(a)));
    assert_true(th_seed_set_add(&set, "finished", "y", b, sizeof(b)));
    const th_seed_target *t = th_seed_set_find(&set, "finished");
    assert_non_null(t);
    assert_int_equal(t->num_seeds, 2);
    assert_int_equal(t->seeds[0].kind, 0); /* the first kind that brought it */
    assert_null(th_seed_set_find(&set, "alert"));
    th_seed_set_cleanup(&set);
    th_seed_set_cleanup(&set); /* safe twice */
}

static void test_seeds_differing_only_in_grease_are_duplicates(void **state) {
    th_seed_set set;
    /* A NewSessionTicket extension block with one GREASE extension: BoringSSL
     * picks the value at random. */
    const uint8_t a[] = {0x00, 0x04, 0x2a, 0x2a, 0x00, 0x00};
    const uint8_t b[] = {0x00, 0x04, 0xfa, 0xfa, 0x00, 0x00};
    const uint8_t c[] = {0x00, 0x04, 0x2a, 0x2b, 0x00, 0x00};
    th_seed_set_init(&set, 40);
    assert_true(th_seed_set_add(&set, "ext_block_nst", "k", a, sizeof(a)));
    assert_true(th_seed_set_add(&set, "ext_block_nst", "k", b, sizeof(b)));
    assert_true(th_seed_set_add(&set, "ext_block_nst", "k", c, sizeof(c)));
    const th_seed_target *t = th_seed_set_find(&set, "ext_block_nst");
    assert_int_equal(t->num_seeds, 2);
    /* The bytes kept are the first ones, unchanged. */
    assert_memory_equal(t->seeds[0].data, a, sizeof(a));
    assert_memory_equal(t->seeds[1].data, c, sizeof(c));
    th_seed_set_cleanup(&set);
}

static void test_seeds_over_registered_max_len_are_dropped(void **state) {
    th_seed_set set;
    uint8_t big[17] = {0};
    th_seed_set_init(&set, 40);
    /* The alert target is registered with max_len 16. */
    assert_true(th_seed_set_add(&set, "alert", "k", big, sizeof(big)));
    assert_true(th_seed_set_add(&set, "alert", "k", big, 2));
    const th_seed_target *t = th_seed_set_find(&set, "alert");
    assert_int_equal(t->num_seeds, 1);
    assert_int_equal(t->num_too_long, 1);
    /* An unregistered name has no limit. */
    assert_true(th_seed_set_add(&set, "no_such_target", "k", big, sizeof(big)));
    assert_int_equal(th_seed_set_find(&set, "no_such_target")->num_seeds, 1);
    th_seed_set_cleanup(&set);
}

static void test_seeds_cap_is_round_robin_over_kinds(void **state) {
    th_seed_set set;
    th_seed_set_init(&set, 4);
    /* Kind a brings five seeds first, then kinds b and c one each. */
    for (uint8_t i = 0; i < 5; i++) {
        assert_true(th_seed_set_add(&set, "record", "a", &i, 1));
    }
    uint8_t vb = 10, vc = 20;
    assert_true(th_seed_set_add(&set, "record", "b", &vb, 1));
    assert_true(th_seed_set_add(&set, "record", "c", &vc, 1));
    th_seed_set_select(&set);
    const th_seed_target *t = th_seed_set_find(&set, "record");
    assert_int_equal(t->num_seeds, 4);
    assert_int_equal(t->seeds[0].data[0], 0);
    assert_int_equal(t->seeds[1].data[0], 10);
    assert_int_equal(t->seeds[2].data[0], 20);
    assert_int_equal(t->seeds[3].data[0], 1);
    th_seed_set_cleanup(&set);
}

static void test_seeds_under_the_cap_are_all_kept(void **state) {
    th_seed_set set;
    th_seed_set_init(&set, 4);
    uint8_t v = 1;
    assert_true(th_seed_set_add(&set, "ccs", "k", &v, 1));
    th_seed_set_select(&set);
    assert_int_equal(th_seed_set_find(&set, "ccs")->num_seeds, 1);
    th_seed_set_cleanup(&set);
}

static void test_seeds_sha1_hex_names_the_content(void **state) {
    uint8_t sha1[SHA_DIGEST_LENGTH];
    char hex[2 * SHA_DIGEST_LENGTH + 1];
    SHA1((const uint8_t *)"abc", 3, sha1);
    th_seed_sha1_hex(sha1, hex);
    assert_string_equal(hex, "a9993e364706816aba3e25717850c26c9cd0d89d");
}

static void test_seeds_write_uses_libfuzzer_layout(void **state) {
    th_seed_set set;
    char *dir = make_temp_dir();
    char path[512];
    th_seed_set_init(&set, 40);
    assert_true(th_seed_set_add(&set, "alert", "k", (const uint8_t *)"\x01\x00", 2));
    assert_true(th_seed_set_add(&set, "alert", "k", (const uint8_t *)"\x02\x28", 2));
    assert_true(th_seed_set_add(&set, "ccs", "k", (const uint8_t *)"abc", 3));
    th_seed_set_select(&set);
    snprintf(path, sizeof(path), "%s/sub", dir); /* created if missing */
    assert_true(th_seed_set_write(&set, path, 0, stderr));
    snprintf(path, sizeof(path), "%s/sub/alert", dir);
    assert_int_equal(count_files(path), 2);
    snprintf(path, sizeof(path), "%s/sub/ccs/a9993e364706816aba3e25717850c26c9cd0d89d", dir);
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    char buf[8];
    assert_int_equal(fread(buf, 1, sizeof(buf), f), 3);
    assert_memory_equal(buf, "abc", 3);
    fclose(f);
    th_seed_set_cleanup(&set);
    remove_tree(dir);
    free(dir);
}

static void test_seeds_clean_removes_only_sha1_named_files(void **state) {
    th_seed_set set;
    char *dir = make_temp_dir();
    char path[512];
    const char *stale[] = {"0000000000000000000000000000000000000000", "README", "keep_me"};
    snprintf(path, sizeof(path), "%s/ccs", dir);
    assert_int_equal(mkdir(path, 0777), 0);
    for (size_t i = 0; i < 3; i++) {
        snprintf(path, sizeof(path), "%s/ccs/%s", dir, stale[i]);
        FILE *f = fopen(path, "wb");
        assert_non_null(f);
        fclose(f);
    }
    /* A folder the run does not write is not touched. */
    snprintf(path, sizeof(path), "%s/regressions", dir);
    assert_int_equal(mkdir(path, 0777), 0);
    snprintf(path, sizeof(path), "%s/regressions/0000000000000000000000000000000000000000", dir);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    fclose(f);
    th_seed_set_init(&set, 40);
    assert_true(th_seed_set_add(&set, "ccs", "k", (const uint8_t *)"\x01", 1));
    assert_true(th_seed_set_write(&set, dir, 1, stderr));
    snprintf(path, sizeof(path), "%s/ccs", dir);
    assert_int_equal(count_files(path), 3); /* README, keep_me, the new seed */
    snprintf(path, sizeof(path), "%s/regressions", dir);
    assert_int_equal(count_files(path), 1);
    th_seed_set_cleanup(&set);
    remove_tree(dir);
    free(dir);
}

static void test_seeds_write_to_unwritable_place_fails(void **state) {
    th_seed_set set;
    FILE *devnull = fopen("/dev/null", "w");
    th_seed_set_init(&set, 40);
    assert_true(th_seed_set_add(&set, "ccs", "k", (const uint8_t *)"\x01", 1));
    assert_false(th_seed_set_write(&set, "/dev/null/corpus", 0, devnull));
    fclose(devnull);
    th_seed_set_cleanup(&set);
}

static void test_seeds_warnings_are_kept(void **state) {
    th_seed_set set;
    th_seed_set_init(&set, 40);
    assert_true(th_seed_set_warn(&set, "%s rejected (%d)", "x", 50));
    assert_int_equal(set.num_warnings, 1);
    assert_string_equal(set.warnings[0], "x rejected (50)");
    th_seed_set_cleanup(&set);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_seeds_same_content_is_kept_once),
        cmocka_unit_test(test_seeds_differing_only_in_grease_are_duplicates),
        cmocka_unit_test(test_seeds_over_registered_max_len_are_dropped),
        cmocka_unit_test(test_seeds_cap_is_round_robin_over_kinds),
        cmocka_unit_test(test_seeds_under_the_cap_are_all_kept),
        cmocka_unit_test(test_seeds_sha1_hex_names_the_content),
        cmocka_unit_test(test_seeds_write_uses_libfuzzer_layout),
        cmocka_unit_test(test_seeds_clean_removes_only_sha1_named_files),
        cmocka_unit_test(test_seeds_write_to_unwritable_place_fails),
        cmocka_unit_test(test_seeds_warnings_are_kept),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
