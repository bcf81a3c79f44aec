/* A seed set: inputs per fuzz target, deduplicated by content, capped per
 * target, written libFuzzer style (one folder per target, each file named by
 * the hex SHA-1 of its content). */
#ifndef TH_CORPUS_SEEDS_H
#define TH_CORPUS_SEEDS_H

#include <stdio.h>

#include <openssl/sha.h>

#include "th_base.h"

typedef struct {
    uint8_t sha1[SHA_DIGEST_LENGTH]; /* of the content: the file name */
    uint8_t key[SHA_DIGEST_LENGTH];  /* of the content with GREASE masked: the dedup key */
    uint8_t *data;                   /* owned */
    size_t len;
    size_t kind; /* index into the target's kinds */
} th_seed;

typedef struct {
    char *name; /* owned */
    th_seed *
        seeds; /* owned array, in the order they were added (after th_seed_set_select: kept ones) */
    size_t num_seeds;
    /* Kinds label where a seed came from (a configuration, a message type, a
     * record type); the cap keeps seeds round-robin over kinds so every kind
     * is represented. Owned strings, in order of first appearance. */
    char **kinds;
    size_t num_kinds;
    size_t num_too_long; /* seeds refused for exceeding the target's max_len */
} th_seed_target;

typedef struct {
    th_seed_target *targets; /* owned array, in order of first appearance */
    size_t num_targets;
    size_t max_per_target;
    char **warnings; /* owned strings: codec rejections and other oddities */
    size_t num_warnings;
} th_seed_set;

/* Initialises an empty set keeping at most |max_per_target| seeds a target. */
void th_seed_set_init(th_seed_set *set, size_t max_per_target);

/* Frees everything; accepts NULL and leaves the set zeroed. */
void th_seed_set_cleanup(th_seed_set *set);

/* Adds a copy of |data| to |target| under |kind|. A seed already present in
 * the target is dropped, and so is one longer than the max_len of a
 * registered fuzz target of that name. "Already present" ignores GREASE
 * (RFC 8701): seeds that differ only in 16-bit values of the form 0x?A?A are
 * duplicates. BoringSSL draws each GREASE value from 16 at random, so exact
 * comparison would keep a different number of such seeds each run; the seed
 * written is still the bytes as given. 0 only when memory runs out. */
int th_seed_set_add(th_seed_set *set, const char *target, const char *kind, const uint8_t *data,
                    size_t len) TH_MUST_USE;

/* Records a warning (printf format). 0 only when memory runs out. */
int th_seed_set_warn(th_seed_set *set, const char *fmt, ...) TH_MUST_USE
    __attribute__((format(printf, 2, 3)));

/* Applies the cap: keeps, per target, at most max_per_target seeds taken
 * round-robin over its kinds (in order of first appearance, each kind's seeds
 * in the order added) and frees the rest. */
void th_seed_set_select(th_seed_set *set);

/* The target called |name| or NULL. */
const th_seed_target *th_seed_set_find(const th_seed_set *set, const char *name);

/* Writes every target's seeds under |dir| (created if missing) as
 * dir/<target>/<sha1 hex>. With |clean|, files named like a SHA-1 already in
 * those target folders are removed first (hand-named files and other folders,
 * such as regressions/, are left alone). 1 on success; 0 with a message on
 * |err|. */
int th_seed_set_write(const th_seed_set *set, const char *dir, int clean, FILE *err) TH_MUST_USE;

/* Writes the 40 lowercase hex digits of |sha1| and a NUL to |out|. */
void th_seed_sha1_hex(const uint8_t sha1[SHA_DIGEST_LENGTH], char out[2 * SHA_DIGEST_LENGTH + 1]);

#endif
