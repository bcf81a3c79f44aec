#include <stdlib.h>
#include <string.h>

#include "ext_test_vectors.h"
#include "extensions.h"
#include "testutil.h"

/* th_parse_ext_block reads a block off the front of a message; these wrappers
 * make it a whole-input codec, one per message context. */
static int block_codec(CBS *in, CBB *out, th_ext_ctx ctx, uint8_t *out_alert) {
    th_ext_block block;
    if (!th_parse_ext_block(in, ctx, &block, out_alert)) {
        assert_null(block.exts);
        return 0;
    }
    if (CBS_len(in) != 0) {
        th_ext_block_cleanup(&block);
        *out_alert = TH_ALERT_DECODE_ERROR;
        return 0;
    }
    assert_true(th_write_ext_block(out, &block));
    th_ext_block_cleanup(&block);
    return 1;
}

#define BLOCK_CODEC(NAME, CTX)                                                                     \
    static int NAME(CBS *in, CBB *out, uint8_t *out_alert) {                                       \
        return block_codec(in, out, (CTX), out_alert);                                             \
    }
BLOCK_CODEC(ch_block, TH_EXT_CTX_CH)
BLOCK_CODEC(sh_block, TH_EXT_CTX_SH)
BLOCK_CODEC(hrr_block, TH_EXT_CTX_HRR)
BLOCK_CODEC(ee_block, TH_EXT_CTX_EE)
BLOCK_CODEC(cr_block, TH_EXT_CTX_CR)
BLOCK_CODEC(nst_block, TH_EXT_CTX_NST)
BLOCK_CODEC(sh12_block, TH_EXT_CTX_SH12)

/* Round-trips the whole extension block (with its u16 length) of a vector
 * message through the codec of its context. */
static void roundtrip_vector_block(th_codec_fn fn, const char *file, const char *name) {
    size_t len;
    uint8_t *msg = ext_test_message(file, name, &len);
    CBS cbs, list;
    CBS_init(&cbs, msg, len);
    ext_test_seek_extensions(&cbs, &list);
    /* The block is the list plus the two length bytes before it. */
    const uint8_t *block = CBS_data(&list) - 2;
    size_t block_len = CBS_len(&list) + 2;
    th_expect_roundtrip(fn, block, block_len);
    th_expect_truncations_rejected(fn, block, block_len);
    th_expect_trailing_rejected(fn, block, block_len);
    th_expect_length_pm1_rejected(fn, block, block_len, 0, 2);
    free(msg);
}

static void test_vector_blocks_roundtrip(void **state) {
    (void)state;
    roundtrip_vector_block(ch_block, EXT_SIMPLE, "client_hello");
    roundtrip_vector_block(sh_block, EXT_SIMPLE, "server_hello");
    roundtrip_vector_block(ee_block, EXT_SIMPLE, "encrypted_extensions");
    roundtrip_vector_block(nst_block, EXT_SIMPLE, "new_session_ticket");
    roundtrip_vector_block(ch_block, EXT_RESUMED, "client_hello");
    roundtrip_vector_block(sh_block, EXT_RESUMED, "server_hello");
    roundtrip_vector_block(ee_block, EXT_RESUMED, "encrypted_extensions");
}

static void test_vector_block_wire_order_preserved(void **state) {
    (void)state;
    static const uint16_t want[] = {
        TH_EXT_SERVER_NAME,          TH_EXT_RENEGOTIATION_INFO,
        TH_EXT_SUPPORTED_GROUPS,     TH_EXT_KEY_SHARE,
        TH_EXT_EARLY_DATA,           TH_EXT_SUPPORTED_VERSIONS,
        TH_EXT_SIGNATURE_ALGORITHMS, TH_EXT_PSK_KEY_EXCHANGE_MODES,
        TH_EXT_RECORD_SIZE_LIMIT,    TH_EXT_PADDING,
        TH_EXT_PRE_SHARED_KEY,
    };
    size_t len;
    uint8_t *msg = ext_test_message(EXT_RESUMED, "client_hello", &len);
    CBS cbs, list;
    CBS_init(&cbs, msg, len);
    ext_test_seek_extensions(&cbs, &list);
    CBS block;
    CBS_init(&block, CBS_data(&list) - 2, CBS_len(&list) + 2);
    th_ext_block exts;
    uint8_t alert;
    assert_true(th_parse_ext_block(&block, TH_EXT_CTX_CH, &exts, &alert));
    assert_int_equal(exts.num_exts, sizeof(want) / sizeof(want[0]));
    for (size_t i = 0; i < exts.num_exts; i++) {
        assert_int_equal(exts.exts[i].type, want[i]);
    }
    th_ext_block_cleanup(&exts);
    free(msg);
}

static void test_ch_duplicate_extension_is_decode_error(void **state) {
    (void)state;
    ext_test_hex_reject(ch_block, "0008 0017 0000 0017 0000", TH_ALERT_DECODE_ERROR);
    /* Also when the two are not adjacent, and for unknown types. */
    ext_test_hex_reject(ch_block, "000c 1234 0000 0017 0000 1234 0000", TH_ALERT_DECODE_ERROR);
}

/* Duplicates get the alert BoringSSL's parser for that message sends:
 * tls1_check_duplicate_extensions (CH, TLS 1.2 SH, EE) sends decode_error,
 * ssl_parse_extensions (TLS 1.3 SH, HRR, CT, CR, NST) illegal_parameter. */
static void test_sh12_and_ee_duplicate_extension_is_decode_error(void **state) {
    (void)state;
    ext_test_hex_reject(sh12_block, "0008 0017 0000 0017 0000", TH_ALERT_DECODE_ERROR);
    ext_test_hex_reject(ee_block, "0008 0000 0000 0000 0000", TH_ALERT_DECODE_ERROR);
}

static void test_tls13_sh_hrr_cr_duplicate_extension_is_illegal_parameter(void **state) {
    (void)state;
    ext_test_hex_reject(sh_block, "000c 002b 0002 0304 002b 0002 0304", TH_ALERT_ILLEGAL_PARAMETER);
    ext_test_hex_reject(cr_block, "000c 000d 0002 0804 000d 0002 0804", TH_ALERT_ILLEGAL_PARAMETER);
}

static void test_duplicate_check_is_linear(void **state) {
    (void)state;
    /* 16383 distinct empty extensions fill a 64 KiB block; the check must not
     * be quadratic (it would take seconds under ASan). The last one repeats
     * the first. */
    size_t n = 16383, len = 2 + 4 * n;
    uint8_t *b = calloc(1, len);
    assert_non_null(b);
    b[0] = (uint8_t)((len - 2) >> 8);
    b[1] = (uint8_t)(len - 2);
    for (size_t i = 0; i < n; i++) {
        uint16_t type = (uint16_t)(0x1000 + (i == n - 1 ? 0 : i));
        b[2 + 4 * i] = (uint8_t)(type >> 8);
        b[3 + 4 * i] = (uint8_t)type;
    }
    th_expect_reject(ch_block, b, len, TH_ALERT_DECODE_ERROR);
    free(b);
}

static void test_ee_key_share_is_illegal_parameter(void **state) {
    (void)state;
    ext_test_hex_reject(ee_block, "0009 0033 0005 001d 0001 ab", TH_ALERT_ILLEGAL_PARAMETER);
}

static void test_extension_in_wrong_message_is_illegal_parameter(void **state) {
    (void)state;
    /* RFC 8446 §4.2: psk_key_exchange_modes is CH only, early_data is not in
     * SH, cookie not in EE, max_early_data only in NST's early_data. */
    ext_test_hex_reject(sh_block, "0006 002d 0002 0101", TH_ALERT_ILLEGAL_PARAMETER);
    ext_test_hex_reject(sh_block, "0004 002a 0000", TH_ALERT_ILLEGAL_PARAMETER);
    ext_test_hex_reject(ee_block, "0007 002c 0003 0001 ff", TH_ALERT_ILLEGAL_PARAMETER);
    ext_test_hex_reject(hrr_block, "0004 0000 0000", TH_ALERT_ILLEGAL_PARAMETER);
}

static void test_ch_pre_shared_key_not_last_is_illegal_parameter(void **state) {
    (void)state;
    ext_test_hex_reject(ch_block,
                        "0038 0029 0030 000b 0005 6964656e74 00000001 0021 20 "
                        "3add4fb2d8fdf822a0ca3cf7678ef5e88dae990141c5924d57bb6fa31b9e5f9d "
                        "0017 0000",
                        TH_ALERT_ILLEGAL_PARAMETER);
}

static void test_ch_pre_shared_key_last_is_accepted(void **state) {
    (void)state;
    ext_test_hex_roundtrip(ch_block,
                           "0038 0017 0000 0029 0030 000b 0005 6964656e74 00000001 0021 20 "
                           "3add4fb2d8fdf822a0ca3cf7678ef5e88dae990141c5924d57bb6fa31b9e5f9d");
}

static void test_unknown_and_grease_extensions_kept_raw(void **state) {
    (void)state;
    const char *hex = "001a 0a0a 0000 1234 0003 abcdef 0017 0000 fafa 0001 00 ff00 0002 0102";
    ext_test_hex_roundtrip(ch_block, hex);
    ext_test_hex_roundtrip(ee_block, "0016 0a0a 0000 1234 0003 abcdef fafa 0001 00 ff00 0002 0102");
    ext_test_hex_roundtrip(nst_block, "0004 2a2a 0000");
    size_t len;
    uint8_t *in = th_test_hex(hex, &len);
    CBS cbs;
    th_ext_block block;
    uint8_t alert;
    CBS_init(&cbs, in, len);
    assert_true(th_parse_ext_block(&cbs, TH_EXT_CTX_CH, &block, &alert));
    assert_int_equal(block.num_exts, 5);
    assert_int_equal(block.exts[0].type, 0x0a0a);
    assert_int_equal(block.exts[1].type, 0x1234);
    assert_int_equal(block.exts[1].body.len, 3);
    assert_int_equal(block.exts[1].body.data[2], 0xef);
    assert_int_equal(block.exts[3].type, 0xfafa);
    assert_int_equal(block.exts[4].type, 0xff00);
    assert_non_null(th_ext_block_find(&block, 0x1234));
    assert_null(th_ext_block_find(&block, 0x4321));
    th_ext_block_cleanup(&block);
    free(in);
}

static void test_malformed_known_body_gives_its_alert(void **state) {
    (void)state;
    /* supported_versions in the ServerHello form inside a ClientHello. */
    ext_test_hex_reject(ch_block, "0006 002b 0002 0304", TH_ALERT_DECODE_ERROR);
    /* key_share with two shares of one group. */
    ext_test_hex_reject(ch_block, "0012 0033 000e 000c 001d 0002 abcd 001d 0002 abcd",
                        TH_ALERT_ILLEGAL_PARAMETER);
    /* record_size_limit below 64. */
    ext_test_hex_reject(ee_block, "0006 001c 0002 003f", TH_ALERT_ILLEGAL_PARAMETER);
    /* An SNI with an empty host_name. */
    ext_test_hex_reject(ch_block, "0009 0000 0005 0003 00 0000", TH_ALERT_UNRECOGNIZED_NAME);
    /* supported_versions 1.2 in a ServerHello. */
    ext_test_hex_reject(sh_block, "0006 002b 0002 0303", TH_ALERT_ILLEGAL_PARAMETER);
}

static void test_structure_checked_before_bodies(void **state) {
    (void)state;
    /* Two malformed key_shares in a ClientHello: the duplicate wins. */
    ext_test_hex_reject(ch_block, "000c 0033 0002 001d 0033 0002 001d", TH_ALERT_DECODE_ERROR);
    /* A malformed body before a misplaced extension: the placement wins. */
    ext_test_hex_reject(ee_block, "000c 001c 0002 003f 0033 0002 001d", TH_ALERT_ILLEGAL_PARAMETER);
}

static void test_empty_block_accepted_everywhere(void **state) {
    (void)state;
    uint8_t empty[] = {0, 0};
    th_codec_fn all[] = {ch_block, sh_block, hrr_block, ee_block, cr_block, nst_block, sh12_block};
    for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
        th_expect_roundtrip(all[i], empty, sizeof(empty));
    }
}

static void test_block_leaves_following_bytes(void **state) {
    (void)state;
    uint8_t in[] = {0, 4, 0, 0x17, 0, 0, 0xff};
    CBS cbs;
    th_ext_block block;
    uint8_t alert;
    CBS_init(&cbs, in, sizeof(in));
    assert_true(th_parse_ext_block(&cbs, TH_EXT_CTX_CH, &block, &alert));
    assert_int_equal(block.num_exts, 1);
    assert_int_equal(CBS_len(&cbs), 1);
    th_ext_block_cleanup(&block);
}

static void test_block_truncated_extension_is_decode_error(void **state) {
    (void)state;
    ext_test_hex_reject(ch_block, "0005 0017 0001", TH_ALERT_DECODE_ERROR);
    ext_test_hex_reject(ch_block, "0003 0017 00", TH_ALERT_DECODE_ERROR);
    ext_test_hex_reject(ch_block, "0006 0017 0001", TH_ALERT_DECODE_ERROR);
    ext_test_hex_length_pm1(ch_block, "0009 1234 0005 0102030405", 4, 2);
}

static void test_block_add_and_write_builds_a_block(void **state) {
    (void)state;
    static const uint8_t body[] = {0x03, 0x04};
    th_ext_block block = {NULL, 0};
    for (int i = 0; i < 9; i++) {
        th_bytes b = {body, (size_t)(i % 3)};
        assert_true(th_ext_block_add(&block, (uint16_t)(0x1000 + i), b));
    }
    assert_int_equal(block.num_exts, 9);
    EXT_EXPECT_WRITE(th_write_ext_block, &block,
                     "002d 1000 0000 1001 0001 03 1002 0002 0304"
                     " 1003 0000 1004 0001 03 1005 0002 0304"
                     " 1006 0000 1007 0001 03 1008 0002 0304");
    th_ext_block_cleanup(&block);
    assert_null(block.exts);
    assert_int_equal(block.num_exts, 0);
    th_ext_block_cleanup(NULL);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_vector_blocks_roundtrip),
        cmocka_unit_test(test_vector_block_wire_order_preserved),
        cmocka_unit_test(test_ch_duplicate_extension_is_decode_error),
        cmocka_unit_test(test_sh12_and_ee_duplicate_extension_is_decode_error),
        cmocka_unit_test(test_tls13_sh_hrr_cr_duplicate_extension_is_illegal_parameter),
        cmocka_unit_test(test_duplicate_check_is_linear),
        cmocka_unit_test(test_ee_key_share_is_illegal_parameter),
        cmocka_unit_test(test_extension_in_wrong_message_is_illegal_parameter),
        cmocka_unit_test(test_ch_pre_shared_key_not_last_is_illegal_parameter),
        cmocka_unit_test(test_ch_pre_shared_key_last_is_accepted),
        cmocka_unit_test(test_unknown_and_grease_extensions_kept_raw),
        cmocka_unit_test(test_malformed_known_body_gives_its_alert),
        cmocka_unit_test(test_structure_checked_before_bodies),
        cmocka_unit_test(test_empty_block_accepted_everywhere),
        cmocka_unit_test(test_block_leaves_following_bytes),
        cmocka_unit_test(test_block_truncated_extension_is_decode_error),
        cmocka_unit_test(test_block_add_and_write_builds_a_block),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
