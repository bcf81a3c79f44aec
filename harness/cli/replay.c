/* tlsharness replay: runs files or folders through a fuzz target without
 * libFuzzer, each input in a child process so one crash or failed oracle is
 * reported and the rest still run. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"
#include "cli_io.h"
#include "fuzz.h"
#include "names.h"

static void replay_usage(FILE *f) {
    fprintf(
        f, "usage: tlsharness replay [--target NAME] PATH...\n"
           "\n"
           "Runs each file (folders: every file inside, sorted) through a fuzz target and\n"
           "prints one line per file: ok (accepted or the alert sent) or FAIL with the\n"
           "oracle that failed or the signal. Without --target the target is the first\n"
           "path component that names one (corpus/<target>/..., corpus/regressions/<target>/...).\n"
           "Exit status: 0 all ok, 1 any failure, 2 usage or input error.\n"
           "\n"
           "  --target NAME   the fuzz target ('tlsharness targets' lists them)\n"
           "  --help          this text\n");
}

static const th_fuzz_target *target_from_path(const char *path) {
    char *copy = strdup(path);
    const th_fuzz_target *found = NULL;
    if (copy == NULL) {
        return NULL;
    }
    for (char *save = NULL, *tok = strtok_r(copy, "/", &save); tok != NULL;
         tok = strtok_r(NULL, "/", &save)) {
        const th_fuzz_target *t = th_fuzz_find(tok);
        if (t != NULL) {
            found = t; /* the innermost component wins: corpus/regressions/<t>/ */
        }
    }
    free(copy);
    return found;
}

/* Runs one input in a child: 1 when the target returned, with its result. */
static int run_child(const th_fuzz_target *t, const uint8_t *data, size_t len, int *out_result,
                     char *why, size_t why_len) {
    int res_pipe[2], err_pipe[2];
    if (pipe(res_pipe) != 0 || pipe(err_pipe) != 0) {
        snprintf(why, why_len, "pipe: %s", strerror(errno));
        return 0;
    }
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid < 0) {
        snprintf(why, why_len, "fork: %s", strerror(errno));
        return 0;
    }
    if (pid == 0) {
        close(res_pipe[0]);
        close(err_pipe[0]);
        dup2(err_pipe[1], STDERR_FILENO);
        int result = t->run(data, len);
        ssize_t w = write(res_pipe[1], &result, sizeof(result));
        _exit(w == (ssize_t)sizeof(result) ? 0 : 3);
    }
    close(res_pipe[1]);
    close(err_pipe[1]);
    /* Keep the last oracle/sanitizer line the child printed. */
    char buf[4096], line[512] = "";
    size_t used = 0;
    ssize_t n;
    while ((n = read(err_pipe[0], buf + used, sizeof(buf) - 1 - used)) > 0) {
        used += (size_t)n;
        buf[used] = 0;
        char *nl;
        while ((nl = strchr(buf, '\n')) != NULL) {
            *nl = 0;
            if (strstr(buf, "oracle failed") || strstr(buf, "ERROR:") ||
                strstr(buf, "runtime error")) {
                snprintf(line, sizeof(line), "%.500s", buf);
            }
            used -= (size_t)(nl + 1 - buf);
            memmove(buf, nl + 1, used + 1);
        }
        if (used == sizeof(buf) - 1) {
            used = 0;
        }
    }
    close(err_pipe[0]);
    int result = -1, status = 0;
    ssize_t got = read(res_pipe[0], &result, sizeof(result));
    close(res_pipe[0]);
    waitpid(pid, &status, 0);
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0 && got == (ssize_t)sizeof(result)) {
        *out_result = result;
        return 1;
    }
    if (line[0] != 0) {
        snprintf(why, why_len, "%.500s", line);
    } else if (WIFSIGNALED(status)) {
        snprintf(why, why_len, "killed by signal %d", WTERMSIG(status));
    } else {
        snprintf(why, why_len, "exit status %d", WEXITSTATUS(status));
    }
    return 0;
}

static int replay_file(const th_fuzz_target *forced, const char *path, int *failures) {
    const th_fuzz_target *t = forced ? forced : target_from_path(path);
    uint8_t *data;
    size_t len;
    if (t == NULL) {
        fprintf(stderr, "replay: %s: no --target and no target name in the path\n", path);
        return 0;
    }
    char err[512];
    if (!th_cli_read_file(path, SIZE_MAX, &data, &len, err, sizeof(err))) {
        fprintf(stderr, "replay: %s\n", err);
        return 0;
    }
    /* An exact-size copy, so ASan sees any read past the input as libFuzzer does. */
    uint8_t *exact = malloc(len ? len : 1);
    if (exact == NULL) {
        free(data);
        return 0;
    }
    if (len) {
        memcpy(exact, data, len);
    }
    free(data);
    data = exact;
    int result;
    char why[600];
    if (run_child(t, data, len, &result, why, sizeof(why))) {
        if (result == TH_FUZZ_ACCEPTED) {
            printf("ok      %s [%s] accepted\n", path, t->name);
        } else {
            const char *name = th_alert_name((uint8_t)result);
            printf("ok      %s [%s] rejected: %s\n", path, t->name, name ? name : "?");
        }
    } else {
        printf("FAIL    %s [%s] %s\n", path, t->name, why);
        printf("        reproduce: tlsharness replay --target %s %s\n", t->name, path);
        (*failures)++;
    }
    free(data);
    return 1;
}

static int cmp_str(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int replay_path(const th_fuzz_target *forced, const char *path, int *failures, int *count) {
    struct stat st;
    if (stat(path, &st) != 0) {
        fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
        return 0;
    }
    if (!S_ISDIR(st.st_mode)) {
        int ran = replay_file(forced, path, failures);
        *count += ran;
        return ran;
    }
    DIR *dir = opendir(path);
    if (dir == NULL) {
        fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
        return 0;
    }
    char **names = NULL;
    size_t num = 0;
    int ok = 1;
    struct dirent *de;
    while ((de = readdir(dir)) != NULL) {
        if (de->d_name[0] == '.') {
            continue; /* ., .. and hidden files such as .gitkeep */
        }
        char **grown = th_array_grow(names, num, sizeof(char *));
        char *full = malloc(strlen(path) + strlen(de->d_name) + 2);
        if (grown == NULL || full == NULL) {
            free(full);
            ok = 0;
            break;
        }
        names = grown;
        sprintf(full, "%s/%s", path, de->d_name);
        names[num++] = full;
    }
    closedir(dir);
    if (num > 1) {
        qsort(names, num, sizeof(char *), cmp_str);
    }
    for (size_t i = 0; i < num; i++) {
        ok = replay_path(forced, names[i], failures, count) && ok;
        free(names[i]);
    }
    free(names);
    return ok;
}

int th_cli_replay(int argc, char **argv) {
    const th_fuzz_target *forced = NULL;
    int i = 1, failures = 0, count = 0, ok = 1;
    for (; i < argc && argv[i][0] == '-' && argv[i][1] != 0; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            replay_usage(stdout);
            return 0;
        } else if (strcmp(argv[i], "--target") == 0) {
            if (i + 1 >= argc) {
                fprintf(stderr, "replay: --target needs a target name\n");
                return 2;
            }
            forced = th_fuzz_find(argv[++i]);
            if (forced == NULL) {
                fprintf(stderr,
                        "replay: --target: unknown target '%s' (see 'tlsharness targets')\n",
                        argv[i]);
                return 2;
            }
        } else if (strcmp(argv[i], "--") == 0) {
            i++;
            break;
        } else {
            fprintf(stderr, "replay: unknown option '%s'\n", argv[i]);
            replay_usage(stderr);
            return 2;
        }
    }
    if (i >= argc) {
        fprintf(stderr, "replay: no PATH given\n");
        replay_usage(stderr);
        return 2;
    }
    for (; i < argc; i++) {
        ok = replay_path(forced, argv[i], &failures, &count) && ok;
    }
    printf("%d inputs, %d failed%s\n", count, failures,
           ok ? "" : " (some paths could not be run: see the errors above)");
    if (!ok) {
        return 2;
    }
    return failures ? 1 : 0;
}

static void targets_usage(FILE *f) {
    fprintf(f, "usage: tlsharness targets [--dict NAME | --options NAME]\n"
               "\n"
               "Lists the fuzz targets (name, max_len, description), or prints the libFuzzer\n"
               "dictionary or .options file of one target.\n");
}

int th_cli_targets(int argc, char **argv) {
    if (argc == 1) {
        for (size_t i = 0; i < th_num_fuzz_targets; i++) {
            printf("%-24s %6zu  %s\n", th_fuzz_targets[i].name, th_fuzz_targets[i].max_len,
                   th_fuzz_targets[i].description);
        }
        return 0;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        targets_usage(stdout);
        return 0;
    }
    if ((strcmp(argv[1], "--dict") == 0 || strcmp(argv[1], "--options") == 0) && argc == 3) {
        const th_fuzz_target *t = th_fuzz_find(argv[2]);
        if (t == NULL) {
            fprintf(stderr, "targets: %s: unknown target '%s'\n", argv[1], argv[2]);
            return 2;
        }
        if (strcmp(argv[1], "--dict") == 0) {
            th_fuzz_write_dict(t, stdout);
        } else {
            printf("[libfuzzer]\nmax_len = %zu\ndict = fuzz_%s.dict\n", t->max_len, t->name);
        }
        return 0;
    }
    if ((strcmp(argv[1], "--dict") == 0 || strcmp(argv[1], "--options") == 0) && argc == 2) {
        fprintf(stderr, "targets: %s needs a target name\n", argv[1]);
    } else if (strcmp(argv[1], "--dict") == 0 || strcmp(argv[1], "--options") == 0) {
        fprintf(stderr, "targets: unexpected argument '%s' after %s NAME\n", argv[3], argv[1]);
    } else {
        fprintf(stderr, "targets: unknown option '%s'\n", argv[1]);
    }
    targets_usage(stderr);
    return 2;
}
