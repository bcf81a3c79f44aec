/* Test helpers for the extension codec tests: the extension blocks of the
 * RFC 8448 ClientHello, ServerHello, EncryptedExtensions and NewSessionTicket
 * in tests/vectors/, split with th_parse_ext_list, and small checks every
 * extension test repeats. */
#ifndef TH_TESTS_EXT_TEST_VECTORS_H
#define TH_TESTS_EXT_TEST_VECTORS_H

#include <stdlib.h>
#include <string.h>

#include <openssl/mem.h>

#include "extensions.h"
#include "testutil.h"

#define EXT_SIMPLE  "rfc8448-simple-1rtt.txt"
#define EXT_RESUMED "rfc8448-resumed-0rtt.txt"

/* A whole handshake message of a vector file. The resumed ClientHello is
 * stored as client_hello_prefix and psk_binder: the message is
 * prefix || 0021 20 || binder (see the file's header). */
static inline uint8_t *ext_test_message(const char *file, const char *name, size_t *out_len) {
    if (strcmp(file, EXT_RESUMED) == 0 && strcmp(name, "client_hello") == 0) {
        size_t prefix_len, binder_len;
        uint8_t *prefix = th_test_vector(file, "client_hello_prefix", &prefix_len);
        uint8_t *binder = th_test_vector(file, "psk_binder", &binder_len);
        uint8_t *msg = malloc(prefix_len + 3 + binder_len);
        assert_non_null(msg);
        memcpy(msg, prefix, prefix_len);
        msg[prefix_len] = 0x00;
        msg[prefix_len + 1] = (uint8_t)(binder_len + 1);
        msg[prefix_len + 2] = (uint8_t)binder_len;
        memcpy(msg + prefix_len + 3, binder, binder_len);
        *out_len = prefix_len + 3 + binder_len;
        free(prefix);
        free(binder);
        return msg;
    }
    return th_test_vector(file, name, out_len);
}

/* Moves |msg| (a whole handshake message) to the contents of its extension
 * block, for the four message types the vectors carry. */
static inline void ext_test_seek_extensions(CBS *msg, CBS *out_list) {
    uint8_t type, u8;
    uint16_t u16;
    uint32_t u32;
    CBS body, skip;
    assert_true(CBS_get_u8(msg, &type));
    assert_true(CBS_get_u24_length_prefixed(msg, &body));
    assert_int_equal(CBS_len(msg), 0);
    switch (type) {
    case TH_HS_CLIENT_HELLO:
        assert_true(CBS_get_u16(&body, &u16) && CBS_skip(&body, 32) &&
                    CBS_get_u8_length_prefixed(&body, &skip) &&
                    CBS_get_u16_length_prefixed(&body, &skip) &&
                    CBS_get_u8_length_prefixed(&body, &skip));
        break;
    case TH_HS_SERVER_HELLO:
        assert_true(CBS_get_u16(&body, &u16) && CBS_skip(&body, 32) &&
                    CBS_get_u8_length_prefixed(&body, &skip) && CBS_get_u16(&body, &u16) &&
                    CBS_get_u8(&body, &u8));
        break;
    case TH_HS_NEW_SESSION_TICKET:
        assert_true(CBS_get_u32(&body, &u32) && CBS_get_u32(&body, &u32) &&
                    CBS_get_u8_length_prefixed(&body, &skip) &&
                    CBS_get_u16_length_prefixed(&body, &skip));
        break;
    case TH_HS_ENCRYPTED_EXTENSIONS:
        break;
    default:
        fail_msg("no extension block in handshake type %u", type);
    }
    assert_true(CBS_get_u16_length_prefixed(&body, out_list));
    assert_int_equal(CBS_len(&body), 0);
}

/* Loads a message and splits its extension block into |out| (views into the
 * returned buffer, which the caller frees after th_ext_block_cleanup). */
static inline uint8_t *ext_test_block(const char *file, const char *name, th_ext_block *out) {
    size_t len;
    uint8_t *msg = ext_test_message(file, name, &len);
    CBS cbs, list;
    uint8_t alert;
    CBS_init(&cbs, msg, len);
    ext_test_seek_extensions(&cbs, &list);
    assert_true(th_parse_ext_list(&list, out, &alert));
    return msg;
}

/* The body of extension |type| in |block|; fails the test if it is absent. */
static inline th_bytes ext_test_body(const th_ext_block *block, uint16_t type) {
    const th_ext *ext = th_ext_block_find(block, type);
    if (ext == NULL) {
        fail_msg("extension %u missing from the vector", type);
    }
    return ext->body;
}

/* Round-trips the body of |type| in message |name| of |file| through |fn|,
 * with the truncation and trailing-byte checks. */
static inline void ext_test_vector_roundtrip(th_codec_fn fn, const char *file, const char *name,
                                             uint16_t type) {
    th_ext_block block;
    uint8_t *msg = ext_test_block(file, name, &block);
    th_bytes body = ext_test_body(&block, type);
    th_expect_roundtrip(fn, body.data, body.len);
    th_expect_truncations_rejected(fn, body.data, body.len);
    th_expect_trailing_rejected(fn, body.data, body.len);
    th_ext_block_cleanup(&block);
    free(msg);
}

/* Parses hex with |fn| and expects it back byte for byte, plus truncation and
 * trailing-byte rejection. */
static inline void ext_test_hex_roundtrip(th_codec_fn fn, const char *hex) {
    size_t len;
    uint8_t *bytes = th_test_hex(hex, &len);
    th_expect_roundtrip(fn, bytes, len);
    th_expect_truncations_rejected(fn, bytes, len);
    th_expect_trailing_rejected(fn, bytes, len);
    free(bytes);
}

/* Expects |fn| to reject the hex input with |alert|. */
static inline void ext_test_hex_reject(th_codec_fn fn, const char *hex, uint8_t alert) {
    size_t len;
    uint8_t *bytes = th_test_hex(hex, &len);
    th_expect_reject(fn, bytes, len, alert);
    free(bytes);
}

/* Expects the length field of |width| bytes at |offset| of the hex input to be
 * rejected at value +-1. */
static inline void ext_test_hex_length_pm1(th_codec_fn fn, const char *hex, size_t offset,
                                           size_t width) {
    size_t len;
    uint8_t *bytes = th_test_hex(hex, &len);
    th_expect_length_pm1_rejected(fn, bytes, len, offset, width);
    free(bytes);
}

/* Writes |*in| with WRITE and expects the bytes of HEX: the writers also build
 * bodies from structs filled by hand. */
#define EXT_EXPECT_WRITE(WRITE, IN, HEX)                                                           \
    do {                                                                                           \
        CBB cbb_;                                                                                  \
        uint8_t *out_, *want_;                                                                     \
        size_t out_len_, want_len_;                                                                \
        want_ = th_test_hex((HEX), &want_len_);                                                    \
        assert_true(CBB_init(&cbb_, 0));                                                           \
        assert_true(WRITE(&cbb_, (IN)));                                                           \
        assert_true(CBB_finish(&cbb_, &out_, &out_len_));                                          \
        assert_int_equal(out_len_, want_len_);                                                     \
        assert_memory_equal(out_, want_, want_len_);                                               \
        OPENSSL_free(out_);                                                                        \
        free(want_);                                                                               \
    } while (0)

/* Parses HEX with PARSE into *OUT, asserting success; the input buffer is
 * returned in *BUF (free it after the struct is done with). */
#define EXT_PARSE_HEX(PARSE, HEX, OUT, BUF)                                                        \
    do {                                                                                           \
        size_t len_;                                                                               \
        CBS cbs_;                                                                                  \
        uint8_t alert_;                                                                            \
        *(BUF) = th_test_hex((HEX), &len_);                                                        \
        CBS_init(&cbs_, *(BUF), len_);                                                             \
        assert_true(PARSE(&cbs_, (OUT), &alert_));                                                 \
        assert_int_equal(CBS_len(&cbs_), 0);                                                       \
    } while (0)

#endif
