/* Seed sets: dedup by SHA-1, cap round-robin over kinds, libFuzzer layout. */
#include "seeds.h"

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz.h"

void th_seed_set_init(th_seed_set *set, size_t max_per_target) {
    memset(set, 0, sizeof(*set));
    set->max_per_target = max_per_target;
}

static void target_cleanup(th_seed_target *t) {
    for (size_t i = 0; i < t->num_seeds; i++) {
        free(t->seeds[i].data);
    }
    for (size_t i = 0; i < t->num_kinds; i++) {
        free(t->kinds[i]);
    }
    free(t->seeds);
    free(t->kinds);
    free(t->name);
    memset(t, 0, sizeof(*t));
}

void th_seed_set_cleanup(th_seed_set *set) {
    if (set == NULL) {
        return;
    }
    for (size_t i = 0; i < set->num_targets; i++) {
        target_cleanup(&set->targets[i]);
    }
    for (size_t i = 0; i < set->num_warnings; i++) {
        free(set->warnings[i]);
    }
    free(set->targets);
    free(set->warnings);
    memset(set, 0, sizeof(*set));
}

static th_seed_target *get_target(th_seed_set *set, const char *name) {
    for (size_t i = 0; i < set->num_targets; i++) {
        if (strcmp(set->targets[i].name, name) == 0) {
            return &set->targets[i];
        }
    }
    th_seed_target *grown = th_array_grow(set->targets, set->num_targets, sizeof(*grown));
    if (grown == NULL) {
        return NULL;
    }
    set->targets = grown;
    th_seed_target *t = &set->targets[set->num_targets];
    memset(t, 0, sizeof(*t));
    t->name = strdup(name);
    if (t->name == NULL) {
        return NULL;
    }
    set->num_targets++;
    return t;
}

/* Index of |kind| in |t|, added if new; (size_t)-1 when memory runs out. */
static size_t get_kind(th_seed_target *t, const char *kind) {
    for (size_t i = 0; i < t->num_kinds; i++) {
        if (strcmp(t->kinds[i], kind) == 0) {
            return i;
        }
    }
    char **grown = th_array_grow(t->kinds, t->num_kinds, sizeof(*grown));
    if (grown == NULL) {
        return (size_t)-1;
    }
    t->kinds = grown;
    t->kinds[t->num_kinds] = strdup(kind);
    if (t->kinds[t->num_kinds] == NULL) {
        return (size_t)-1;
    }
    return t->num_kinds++;
}

/* SHA-1 of |data| with every GREASE-shaped pair (0x?A 0x?A, equal bytes)
 * replaced by 0x0A 0x0A. Random bytes that happen to look like GREASE are
 * masked too, which cannot make two random seeds equal in practice. */
static int grease_masked_key(const uint8_t *data, size_t len, uint8_t out[SHA_DIGEST_LENGTH]) {
    uint8_t *copy = malloc(len ? len : 1);
    if (copy == NULL) {
        return 0;
    }
    if (len != 0) {
        memcpy(copy, data, len);
    }
    for (size_t i = 0; i + 1 < len; i++) {
        if (copy[i] == copy[i + 1] && (copy[i] & 0x0f) == 0x0a) {
            copy[i] = copy[i + 1] = 0x0a;
            i++;
        }
    }
    SHA1(copy, len, out);
    free(copy);
    return 1;
}

int th_seed_set_add(th_seed_set *set, const char *target, const char *kind, const uint8_t *data,
                    size_t len) {
    th_seed_target *t = get_target(set, target);
    if (t == NULL) {
        return 0;
    }
    const th_fuzz_target *registered = th_fuzz_find(target);
    if (registered != NULL && len > registered->max_len) {
        t->num_too_long++;
        return 1;
    }
    th_seed s;
    SHA1(data, len, s.sha1);
    if (!grease_masked_key(data, len, s.key)) {
        return 0;
    }
    for (size_t i = 0; i < t->num_seeds; i++) {
        if (memcmp(t->seeds[i].key, s.key, sizeof(s.key)) == 0) {
            return 1;
        }
    }
    s.kind = get_kind(t, kind);
    if (s.kind == (size_t)-1) {
        return 0;
    }
    th_seed *grown = th_array_grow(t->seeds, t->num_seeds, sizeof(*grown));
    if (grown == NULL) {
        return 0;
    }
    t->seeds = grown;
    s.data = malloc(len ? len : 1);
    if (s.data == NULL) {
        return 0;
    }
    if (len != 0) {
        memcpy(s.data, data, len);
    }
    s.len = len;
    t->seeds[t->num_seeds++] = s;
    return 1;
}

int th_seed_set_warn(th_seed_set *set, const char *fmt, ...) {
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    char **grown = th_array_grow(set->warnings, set->num_warnings, sizeof(*grown));
    if (grown == NULL) {
        return 0;
    }
    set->warnings = grown;
    set->warnings[set->num_warnings] = strdup(buf);
    if (set->warnings[set->num_warnings] == NULL) {
        return 0;
    }
    set->num_warnings++;
    return 1;
}

static void select_target(th_seed_target *t, size_t max) {
    if (t->num_seeds <= max) {
        return;
    }
    /* next[k]: where to resume looking for kind k's next seed. */
    size_t *next = calloc(t->num_kinds, sizeof(size_t));
    th_seed *kept = calloc(max, sizeof(th_seed));
    unsigned char *taken = calloc(t->num_seeds, 1);
    if (next == NULL || kept == NULL || taken == NULL) {
        /* Keep the first |max| instead: same result size, less variety. */
        for (size_t i = max; i < t->num_seeds; i++) {
            free(t->seeds[i].data);
        }
        t->num_seeds = max;
        free(next);
        free(kept);
        free(taken);
        return;
    }
    size_t num_kept = 0;
    int progress = 1;
    while (num_kept < max && progress) {
        progress = 0;
        for (size_t k = 0; k < t->num_kinds && num_kept < max; k++) {
            while (next[k] < t->num_seeds && t->seeds[next[k]].kind != k) {
                next[k]++;
            }
            if (next[k] < t->num_seeds) {
                taken[next[k]] = 1;
                kept[num_kept++] = t->seeds[next[k]++];
                progress = 1;
            }
        }
    }
    for (size_t i = 0; i < t->num_seeds; i++) {
        if (!taken[i]) {
            free(t->seeds[i].data);
        }
    }
    free(t->seeds);
    t->seeds = kept;
    t->num_seeds = num_kept;
    free(next);
    free(taken);
}

void th_seed_set_select(th_seed_set *set) {
    for (size_t i = 0; i < set->num_targets; i++) {
        select_target(&set->targets[i], set->max_per_target);
    }
}

const th_seed_target *th_seed_set_find(const th_seed_set *set, const char *name) {
    for (size_t i = 0; i < set->num_targets; i++) {
        if (strcmp(set->targets[i].name, name) == 0) {
            return &set->targets[i];
        }
    }
    return NULL;
}

void th_seed_sha1_hex(const uint8_t sha1[SHA_DIGEST_LENGTH], char out[2 * SHA_DIGEST_LENGTH + 1]) {
    static const char kHex[] = "0123456789abcdef";
    for (size_t i = 0; i < SHA_DIGEST_LENGTH; i++) {
        out[2 * i] = kHex[sha1[i] >> 4];
        out[2 * i + 1] = kHex[sha1[i] & 15];
    }
    out[2 * SHA_DIGEST_LENGTH] = 0;
}

/* mkdir -p for |path| (modified in place and restored). */
static int make_dirs(char *path) {
    for (char *p = path + 1;; p++) {
        if (*p == '/' || *p == 0) {
            char saved = *p;
            *p = 0;
            int ok = mkdir(path, 0777) == 0 || errno == EEXIST;
            *p = saved;
            if (!ok) {
                return 0;
            }
            if (saved == 0) {
                return 1;
            }
        }
    }
}

static int is_sha1_name(const char *name) {
    size_t n = strlen(name);
    if (n != 2 * SHA_DIGEST_LENGTH) {
        return 0;
    }
    for (size_t i = 0; i < n; i++) {
        if (!((name[i] >= '0' && name[i] <= '9') || (name[i] >= 'a' && name[i] <= 'f'))) {
            return 0;
        }
    }
    return 1;
}

static int clean_dir(const char *path, FILE *err) {
    DIR *d = opendir(path);
    if (d == NULL) {
        return errno == ENOENT;
    }
    struct dirent *de;
    int ok = 1;
    while ((de = readdir(d)) != NULL) {
        if (!is_sha1_name(de->d_name)) {
            continue;
        }
        char file[4096];
        struct stat st;
        int n = snprintf(file, sizeof(file), "%s/%s", path, de->d_name);
        if (n < 0 || (size_t)n >= sizeof(file)) {
            fprintf(err, "corpus: %s: path too long\n", path);
            ok = 0;
            continue;
        }
        if (lstat(file, &st) == 0 && S_ISREG(st.st_mode) && unlink(file) != 0) {
            fprintf(err, "corpus: %s: %s\n", file, strerror(errno));
            ok = 0;
        }
    }
    closedir(d);
    return ok;
}

static int write_file(const char *path, const uint8_t *data, size_t len) {
    FILE *f = fopen(path, "wb");
    if (f == NULL) {
        return 0;
    }
    int ok = fwrite(data, 1, len, f) == len;
    return fclose(f) == 0 && ok;
}

int th_seed_set_write(const th_seed_set *set, const char *dir, int clean, FILE *err) {
    char path[4096];
    for (size_t i = 0; i < set->num_targets; i++) {
        const th_seed_target *t = &set->targets[i];
        if (t->num_seeds == 0) {
            continue;
        }
        if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, t->name) >= sizeof(path) - 42) {
            fprintf(err, "corpus: %s: path too long\n", dir);
            return 0;
        }
        if (!make_dirs(path)) {
            fprintf(err, "corpus: cannot create %s: %s\n", path, strerror(errno));
            return 0;
        }
        if (clean && !clean_dir(path, err)) {
            return 0;
        }
        size_t base = strlen(path);
        for (size_t j = 0; j < t->num_seeds; j++) {
            path[base] = '/';
            th_seed_sha1_hex(t->seeds[j].sha1, path + base + 1);
            if (!write_file(path, t->seeds[j].data, t->seeds[j].len)) {
                fprintf(err, "corpus: cannot write %s: %s\n", path, strerror(errno));
                return 0;
            }
        }
    }
    return 1;
}
