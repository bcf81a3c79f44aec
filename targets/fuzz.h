/* The fuzz-target registry: every target is a name, an entry function and a
 * one-line description. libFuzzer builds make one binary per target
 * (fuzz_<name>); every build links all of them into `tlsharness replay`. */
#ifndef TH_FUZZ_H
#define TH_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "conn.h"
#include "th_base.h"

/* What a target reports for one input: TH_FUZZ_ACCEPTED, or the alert its
 * parser sent (0..255). An oracle failure never returns: it prints the oracle's
 * name and aborts, so libFuzzer and replay both see it. */
#define TH_FUZZ_ACCEPTED 256

/* Token classes a target's dictionary is made from. */
enum {
    TH_DICT_VERSIONS = 1 << 0,
    TH_DICT_SUITES = 1 << 1,
    TH_DICT_GROUPS = 1 << 2,
    TH_DICT_SIGALGS = 1 << 3,
    TH_DICT_EXTS = 1 << 4,
    TH_DICT_CONTENT_TYPES = 1 << 5,
    TH_DICT_HS_TYPES = 1 << 6,
    TH_DICT_ALERTS = 1 << 7,
    TH_DICT_HELLO =
        TH_DICT_VERSIONS | TH_DICT_SUITES | TH_DICT_GROUPS | TH_DICT_SIGALGS | TH_DICT_EXTS,
};

typedef struct {
    const char *name;
    int (*run)(const uint8_t *data, size_t len);
    const char *description;
    size_t max_len; /* libFuzzer -max_len for <name>.options */
    unsigned dict;  /* TH_DICT_* classes for <name>.dict */
} th_fuzz_target;

/* Every target's entry function, th_fuzz_<name>. */
#define TH_TARGET(NAME, MAX_LEN, DICT, DESC) int th_fuzz_##NAME(const uint8_t *data, size_t len);
#include "targets.def"
#undef TH_TARGET

extern const th_fuzz_target th_fuzz_targets[];
extern const size_t th_num_fuzz_targets;

/* The target called |name|, or NULL. The libFuzzer-only handshake_client and
 * handshake_server name their *_no_fuzzer_mode target, so that replay runs
 * their seeds and regressions with every check on. */
const th_fuzz_target *th_fuzz_find(const char *name);

/* Writes the libFuzzer dictionary for |t| (one token a line, "\xNN" escaped). */
void th_fuzz_write_dict(const th_fuzz_target *t, FILE *out);

/* Parse-then-write of one codec, as the oracles drive it: 1 and the written
 * bytes in |out|, or 0 and the alert. */
typedef int (*th_fuzz_codec_fn)(CBS *in, CBB *out, uint8_t *out_alert);

/* Runs the codec oracles on |data|: two runs agree (result, alert, bytes
 * written); an accepted input writes back byte for byte, which with the first
 * also makes parse(write(v)) == v; a rejection carries an alert a parser may
 * send. Returns TH_FUZZ_ACCEPTED or the alert. */
int th_fuzz_check_codec(const char *target, th_fuzz_codec_fn fn, const uint8_t *data, size_t len);

/* Defines `static int NAME_codec(CBS *, CBB *, uint8_t *)` for a parser/writer
 * pair: parse into a zeroed TYPE, write it back, clean up. */
#define TH_FUZZ_CODEC_FN(NAME, TYPE, PARSE, WRITE, CLEANUP)                                        \
    static int NAME##_codec(CBS *in, CBB *out, uint8_t *out_alert) {                               \
        TYPE v;                                                                                    \
        memset(&v, 0, sizeof(v));                                                                  \
        if (!PARSE(in, &v, out_alert)) {                                                           \
            CLEANUP(&v);                                                                           \
            return 0;                                                                              \
        }                                                                                          \
        if (!WRITE(out, &v)) {                                                                     \
            th_fuzz_oracle_failed(#NAME, "writer failed on a parsed value");                       \
        }                                                                                          \
        CLEANUP(&v);                                                                               \
        return 1;                                                                                  \
    }

/* Defines the target th_fuzz_NAME that runs the codec oracles on that pair. */
#define TH_FUZZ_CODEC_TARGET(NAME, TYPE, PARSE, WRITE, CLEANUP)                                    \
    TH_FUZZ_CODEC_FN(NAME, TYPE, PARSE, WRITE, CLEANUP)                                            \
    int th_fuzz_##NAME(const uint8_t *data, size_t len) {                                          \
        return th_fuzz_check_codec(#NAME, NAME##_codec, data, len);                                \
    }

/* CLEANUP for structs that own nothing. */
static inline void th_fuzz_no_cleanup(const void *v) {
    (void)v;
}

/* Seeds for the whole-handshake targets: a complete TLS 1.3 handshake
 * between our own client and server under the targets' configuration, each
 * side's bytes in the targets' input format. 0 if the handshake did not
 * complete. The TLS 1.2 and resumption variants are in handshake_seeds.h. */
int th_fuzz_handshake13_seeds(CBB *client_target_seed, CBB *server_target_seed) TH_MUST_USE;

/* Runs one whole-handshake input (handshake13.c): |data| is the peer's bytes
 * for our engine in |role| under the targets' configuration, run twice to
 * check that both runs agree. Failed oracles abort under the name |target|.
 * Returns the last alert sent, or TH_FUZZ_ACCEPTED when none was. Shared by
 * the *_no_fuzzer_mode targets and the libFuzzer-only handshake_client and
 * handshake_server (handshake13_unsafe.c), which link the engine built with
 * TH_FUZZING_UNSAFE. */
int th_fuzz_handshake13_run(const char *target, th_role role, const uint8_t *data, size_t len);

/* Reports a failed oracle for |target| and aborts (oracle.c, so that the
 * libFuzzer-only targets link it without the registry). */
void th_fuzz_oracle_failed(const char *target, const char *oracle) __attribute__((noreturn));

#endif
