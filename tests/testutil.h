/* Shared helpers for the unit tests: hex and RFC 8448 vectors, and the
 * standard rejection checks every parser gets (truncation at every byte,
 * length fields +-1, trailing bytes, one alert per bad value). */
#ifndef TH_TESTUTIL_H
#define TH_TESTUTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "th_base.h"
#include "x509.h"

/* Parse |in| then write what was parsed into |out|. Returns 0 (alert set) when
 * the parse fails. Tests wrap each parser/writer pair in one of these with
 * TH_CODEC_FN below. */
typedef int (*th_codec_fn)(CBS *in, CBB *out, uint8_t *out_alert);

/* Defines `static int NAME(CBS *, CBB *, uint8_t *)` from a parser, writer and
 * cleanup (use th_test_no_cleanup for structs that own nothing). */
#define TH_CODEC_FN(NAME, TYPE, PARSE, WRITE, CLEANUP)                                             \
    static int NAME(CBS *in, CBB *out, uint8_t *out_alert) {                                       \
        TYPE v;                                                                                    \
        memset(&v, 0, sizeof(v));                                                                  \
        if (!PARSE(in, &v, out_alert)) {                                                           \
            CLEANUP(&v);                                                                           \
            return 0;                                                                              \
        }                                                                                          \
        int ok = WRITE(out, &v);                                                                   \
        CLEANUP(&v);                                                                               \
        assert_true(ok);                                                                           \
        return 1;                                                                                  \
    }

static inline void th_test_no_cleanup(void *p) {
    (void)p;
}

/* Decodes hex (whitespace allowed) into a fresh buffer; fails the test on bad hex. */
uint8_t *th_test_hex(const char *hex, size_t *out_len);

/* Loads `name = hex` from tests/vectors/<file>; fails the test if absent. */
uint8_t *th_test_vector(const char *file, const char *name, size_t *out_len);

/* Like th_test_vector, but skips the 4-byte handshake header. The returned
 * pointer is the start of the allocation (free it); *out_body points inside. */
uint8_t *th_test_vector_body(const char *file, const char *name, const uint8_t **out_body,
                             size_t *out_len);

/* Asserts fn accepts |in| and writes it back byte for byte. */
void th_expect_roundtrip(th_codec_fn fn, const uint8_t *in, size_t len);

/* Asserts fn rejects |in| with |alert|. */
void th_expect_reject(th_codec_fn fn, const uint8_t *in, size_t len, uint8_t alert);

/* Asserts every strict prefix of |in| is rejected with some alert set. */
void th_expect_truncations_rejected(th_codec_fn fn, const uint8_t *in, size_t len);

/* Asserts |in| with one extra byte appended is rejected with decode_error. */
void th_expect_trailing_rejected(th_codec_fn fn, const uint8_t *in, size_t len);

/* Asserts the big-endian length field of |width| bytes at |offset| is
 * rejected both at value+1 and value-1, with some alert set. */
void th_expect_length_pm1_rejected(th_codec_fn fn, const uint8_t *in, size_t len, size_t offset,
                                   size_t width);

/* Returns a malloc'd copy of |in| with the bytes of |patch_hex| written at |offset|. */
uint8_t *th_test_patch(const uint8_t *in, size_t len, size_t offset, const char *patch_hex);

/* The committed test PKI (scenarios/pki/). */
#define TH_TEST_PKI_DIR TH_VECTORS_DIR "/../../scenarios/pki/"

/* Loads scenarios/pki/<cert_file> and <key_file> into |ck|; fails the test
 * naming the file otherwise. */
void th_test_load_cert_key_files(const char *cert_file, const char *key_file, th_cert_key *ck);

/* Loads NAME-chain.pem with NAME.key: the chain a peer NAME sends. */
void th_test_load_cert_key(const char *name, th_cert_key *ck);

/* Loads scenarios/pki/<file> as a trust store; fails the test otherwise. */
X509_STORE *th_test_load_trust_store(const char *file);

#endif
