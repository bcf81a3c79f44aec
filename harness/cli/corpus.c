/* tlsharness corpus: regenerates the fuzz targets' seed corpora from recorded
 * BoringSSL handshakes and the test vectors. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bssl_record.h"
#include "cli.h"
#include "configs.h"
#include "fuzz.h"
#include "pki.h"
#include "seeds.h"
#include "split.h"
#include "synthetic.h"
#include "vectors.h"

#define DEFAULT_MAX_PER_TARGET 40

static void corpus_usage(FILE *f) {
    fprintf(f,
            "usage: tlsharness corpus --out DIR [options]\n"
            "\n"
            "Regenerates the seed corpora of the fuzz targets. Runs every configuration of the\n"
            "matrix ('--list' shows them): a BoringSSL client against a BoringSSL server,\n"
            "in-process over memory BIO pairs, recording every record on the wire and every\n"
            "plaintext message each side sent. tlsharness's own parsers split the recordings\n"
            "into per-target inputs (message bodies, whole messages, extension blocks,\n"
            "extension bodies, alerts, records, record streams, TLS 1.3 inner plaintexts);\n"
            "the handshake messages of the test vectors are added first. Each target gets\n"
            "DIR/<target>/<SHA-1 of the content> (libFuzzer layout), duplicates dropped, at\n"
            "most --max-per-target files, chosen round-robin over configurations, message\n"
            "types or record types so every kind is represented. Targets no recording\n"
            "reaches get no folder.\n"
            "\n"
            "Reproducibility: BoringSSL's randomness cannot be seeded, so client and server\n"
            "randoms, key shares, signatures and tickets differ from run to run, and with\n"
            "them the bytes and file names of most seeds. Seeds are never normalised: every\n"
            "seed is exactly what BoringSSL sent. What two runs reproduce is the set: the\n"
            "same targets, the same number of seeds per target, structurally equivalent\n"
            "seeds (same configurations, messages and extensions), and identical files\n"
            "wherever the content does not depend on randomness (certificates, extension\n"
            "blocks without key shares, alerts, ...). Keys and certificates are\n"
            "deterministic. Seeds that differ only in GREASE values (RFC 8701, drawn\n"
            "at random from 16) count as duplicates, so their number does not vary\n"
            "either. The test suite checks exactly this (targets and counts).\n"
            "\n"
            "  --out DIR             write the corpus under DIR (created if missing)\n"
            "  --clean               first delete SHA-1-named files in the target folders\n"
            "                        written (other files and folders such as regressions/\n"
            "                        are left alone)\n"
            "  --max-per-target N    at most N seeds a target (default %d)\n"
            "  --vectors DIR         vector files to add (default %s)\n"
            "  --no-vectors          do not add the vector files\n"
            "  --only NAME           run only configuration NAME (repeatable)\n"
            "  --registered-only     write only targets registered in targets/targets.def\n"
            "  --list                list the configurations and exit\n"
            "  --quiet               print only warnings and errors\n"
            "  --help                this text\n"
            "\n"
            "Exit status: 0 done, 1 a configuration did not run as meant (the corpus is\n"
            "then not written), 2 usage or input error.\n",
            DEFAULT_MAX_PER_TARGET, TH_CORPUS_VECTORS_DIR);
}

/* Runs |cfg| in a new process of this program with BoringSSL's AES hardware
 * support off and reads the recording back from its standard output. */
static int record_in_child(const th_corpus_config *cfg, th_bssl_recording *out) {
    const char *env = th_bssl_no_aes_hw_env();
    int fds[2];
    if (env == NULL) {
        fprintf(stderr, "corpus: %s: cannot turn AES hardware off on this CPU\n", cfg->name);
        return 0;
    }
    if (pipe(fds) != 0) {
        fprintf(stderr, "corpus: pipe: %s\n", strerror(errno));
        return 0;
    }
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid < 0) {
        fprintf(stderr, "corpus: fork: %s\n", strerror(errno));
        close(fds[0]);
        close(fds[1]);
        return 0;
    }
    if (pid == 0) {
        char *setting = strdup(env);
        char *eq = setting ? strchr(setting, '=') : NULL;
        close(fds[0]);
        if (eq == NULL || dup2(fds[1], STDOUT_FILENO) < 0) {
            _exit(127);
        }
        *eq = 0;
        if (setenv(setting, eq + 1, 1) != 0) {
            _exit(127);
        }
        execl("/proc/self/exe", "tlsharness", "corpus", "--record-config", cfg->name, (char *)NULL);
        _exit(127);
    }
    close(fds[1]);
    CBB buf;
    uint8_t chunk[65536];
    ssize_t n;
    int ok = CBB_init(&buf, sizeof(chunk));
    while (ok && (n = read(fds[0], chunk, sizeof(chunk))) != 0) {
        if (n < 0) {
            ok = errno == EINTR;
            continue;
        }
        ok = CBB_add_bytes(&buf, chunk, (size_t)n);
    }
    close(fds[0]);
    int status = 0;
    waitpid(pid, &status, 0);
    if (!ok || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        fprintf(stderr, "corpus: %s: the recording process failed\n", cfg->name);
        CBB_cleanup(&buf);
        return 0;
    }
    CBS in;
    CBS_init(&in, CBB_data(&buf), CBB_len(&buf));
    ok = th_bssl_recording_parse(&in, out);
    CBB_cleanup(&buf);
    if (!ok) {
        fprintf(stderr, "corpus: %s: malformed recording from the child process\n", cfg->name);
    }
    return ok;
}

/* The hidden child mode: record one configuration, write it to stdout. */
static int record_config_to_stdout(const char *name) {
    const th_corpus_config *cfg = th_corpus_config_find(name);
    th_corpus_pki pki;
    th_bssl_recording rec;
    CBB out;
    if (cfg == NULL) {
        fprintf(stderr, "corpus: unknown configuration '%s'\n", name);
        return 2;
    }
    if ((cfg->flags & TH_CC_NO_AES_HW) && th_bssl_has_aes_hw()) {
        fprintf(stderr, "corpus: %s: AES hardware is still on in the child\n", name);
        return 1;
    }
    if (!th_corpus_pki_init(&pki)) {
        fprintf(stderr, "corpus: cannot make the keys and certificates\n");
        return 1;
    }
    int ok = th_bssl_record(cfg, &pki, &rec, stderr);
    th_corpus_pki_cleanup(&pki);
    if (!ok) {
        return 1;
    }
    ok = CBB_init(&out, 65536) && th_bssl_recording_serialize(&out, &rec) &&
         fwrite(CBB_data(&out), 1, CBB_len(&out), stdout) == CBB_len(&out) && fflush(stdout) == 0;
    CBB_cleanup(&out);
    th_bssl_recording_cleanup(&rec);
    return ok ? 0 : 1;
}

typedef struct {
    const char *out_dir;
    const char *vectors_dir;
    const char **only;
    size_t num_only;
    size_t max_per_target;
    int clean, registered_only, quiet;
} corpus_opts;

static int selected(const corpus_opts *o, const th_corpus_config *cfg) {
    if (o->num_only == 0) {
        return 1;
    }
    for (size_t i = 0; i < o->num_only; i++) {
        if (strcmp(o->only[i], cfg->name) == 0) {
            return 1;
        }
    }
    return 0;
}

/* Records and splits every selected configuration; 0 if any did not run as
 * meant. */
static int record_all(const corpus_opts *o, const th_corpus_pki *pki, th_seed_set *set) {
    int ok = 1;
    for (size_t i = 0; i < th_num_corpus_configs; i++) {
        const th_corpus_config *cfg = &th_corpus_configs[i];
        th_bssl_recording rec;
        if (!selected(o, cfg)) {
            continue;
        }
        int recorded = (cfg->flags & TH_CC_NO_AES_HW) && th_bssl_has_aes_hw()
                           ? record_in_child(cfg, &rec)
                           : th_bssl_record(cfg, pki, &rec, stderr);
        if (!recorded) {
            ok = 0;
            continue;
        }
        for (size_t c = 0; c < rec.num_conns; c++) {
            char source[128];
            snprintf(source, sizeof(source), "%s%s", cfg->name, c ? ":resumed" : "");
            if (!th_split_conn(set, source, &rec.conns[c])) {
                fprintf(stderr, "corpus: out of memory\n");
                ok = 0;
            }
        }
        if (!o->quiet) {
            const th_bssl_conn *last = &rec.conns[rec.num_conns - 1];
            printf("%-30s %zu connection%s, %s\n", cfg->name, rec.num_conns,
                   rec.num_conns == 1 ? "" : "s", last->established ? "ok" : "failed as meant");
        }
        th_bssl_recording_cleanup(&rec);
    }
    return ok;
}

static void drop_unregistered(th_seed_set *set) {
    for (size_t i = 0; i < set->num_targets; i++) {
        th_seed_target *t = &set->targets[i];
        if (th_fuzz_find(t->name) == NULL) {
            for (size_t j = 0; j < t->num_seeds; j++) {
                free(t->seeds[j].data);
            }
            t->num_seeds = 0;
        }
    }
}

static void print_summary(const th_seed_set *set) {
    size_t files = 0, bytes = 0, targets = 0;
    printf("\n%-36s %5s %9s\n", "target", "seeds", "bytes");
    for (size_t i = 0; i < set->num_targets; i++) {
        const th_seed_target *t = &set->targets[i];
        size_t b = 0;
        if (t->num_seeds == 0) {
            continue;
        }
        for (size_t j = 0; j < t->num_seeds; j++) {
            b += t->seeds[j].len;
        }
        printf("%-36s %5zu %9zu%s%s\n", t->name, t->num_seeds, b,
               th_fuzz_find(t->name) ? "" : "  (target not registered yet)",
               t->num_too_long ? "  (some over max_len dropped)" : "");
        files += t->num_seeds;
        bytes += b;
        targets++;
    }
    printf("%zu targets, %zu seeds, %zu bytes\n", targets, files, bytes);
}

static int parse_opts(int argc, char **argv, corpus_opts *o) {
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        int has_value = i + 1 < argc;
        if (strcmp(a, "--out") == 0 && has_value) {
            o->out_dir = argv[++i];
        } else if (strcmp(a, "--vectors") == 0 && has_value) {
            o->vectors_dir = argv[++i];
        } else if (strcmp(a, "--no-vectors") == 0) {
            o->vectors_dir = NULL;
        } else if (strcmp(a, "--only") == 0 && has_value) {
            const char *name = argv[++i];
            if (th_corpus_config_find(name) == NULL) {
                fprintf(stderr, "corpus: --only: unknown configuration '%s' (see --list)\n", name);
                return 0;
            }
            const char **grown = th_array_grow(o->only, o->num_only, sizeof(*grown));
            if (grown == NULL) {
                return 0;
            }
            o->only = grown;
            o->only[o->num_only++] = name;
        } else if (strcmp(a, "--max-per-target") == 0 && has_value) {
            char *end;
            unsigned long n = strtoul(argv[++i], &end, 10);
            if (*end != 0 || n == 0 || argv[i][0] == '-') {
                fprintf(stderr, "corpus: --max-per-target needs a positive number\n");
                return 0;
            }
            o->max_per_target = n;
        } else if (strcmp(a, "--clean") == 0) {
            o->clean = 1;
        } else if (strcmp(a, "--registered-only") == 0) {
            o->registered_only = 1;
        } else if (strcmp(a, "--quiet") == 0) {
            o->quiet = 1;
        } else if (!has_value && (strcmp(a, "--out") == 0 || strcmp(a, "--vectors") == 0 ||
                                  strcmp(a, "--only") == 0 || strcmp(a, "--max-per-target") == 0)) {
            fprintf(stderr, "corpus: %s needs a value\n", a);
            return 0;
        } else {
            fprintf(stderr, "corpus: unknown option '%s'\n", a);
            return 0;
        }
    }
    if (o->out_dir == NULL) {
        fprintf(stderr, "corpus: --out DIR is required\n");
        return 0;
    }
    return 1;
}

int th_cli_corpus(int argc, char **argv) {
    corpus_opts o;
    memset(&o, 0, sizeof(o));
    o.vectors_dir = TH_CORPUS_VECTORS_DIR;
    o.max_per_target = DEFAULT_MAX_PER_TARGET;
    if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        corpus_usage(stdout);
        return 0;
    }
    if (argc >= 2 && strcmp(argv[1], "--list") == 0) {
        for (size_t i = 0; i < th_num_corpus_configs; i++) {
            printf("%-30s %s\n", th_corpus_configs[i].name, th_corpus_configs[i].description);
        }
        return 0;
    }
    if (argc == 3 && strcmp(argv[1], "--record-config") == 0) {
        return record_config_to_stdout(argv[2]);
    }
    if (!parse_opts(argc, argv, &o)) {
        free(o.only);
        fprintf(stderr, "usage: tlsharness corpus --out DIR [options] (see --help)\n");
        return 2;
    }
    th_corpus_pki pki;
    th_seed_set set;
    int status = 0;
    th_seed_set_init(&set, o.max_per_target);
    if (!th_corpus_pki_init(&pki)) {
        fprintf(stderr, "corpus: cannot make the keys and certificates\n");
        free(o.only);
        return 1;
    }
    /* Vectors first: the cap keeps the first seeds of each kind, and the RFC
     * 8448 messages are the canonical ones. */
    if (o.vectors_dir != NULL && !th_corpus_vectors_dir(&set, o.vectors_dir, stderr)) {
        status = 2;
    } else if (!th_corpus_synthetic(&set)) {
        fprintf(stderr, "corpus: out of memory\n");
        status = 1;
    } else if (!record_all(&o, &pki, &set)) {
        fprintf(stderr, "corpus: a configuration did not run as meant; nothing written\n");
        status = 1;
    } else {
        th_seed_set_select(&set);
        if (o.registered_only) {
            drop_unregistered(&set);
        }
        if (!th_seed_set_write(&set, o.out_dir, o.clean, stderr)) {
            status = 2;
        } else if (!o.quiet) {
            print_summary(&set);
        }
        for (size_t i = 0; i < set.num_warnings; i++) {
            fprintf(stderr, "corpus: warning: %s\n", set.warnings[i]);
        }
    }
    th_seed_set_cleanup(&set);
    th_corpus_pki_cleanup(&pki);
    free(o.only);
    return status;
}
