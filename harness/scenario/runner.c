#include "runner.h"

#include <errno.h>
#include <fnmatch.h>
#include <stdarg.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <openssl/sha.h>

#include "endpoint.h"
#include "peer.h"

/* One scenario x peer. */
typedef struct {
    const th_scenario *sc;
    const char *peer;
    th_result *res;
} job;

typedef struct {
    const th_runner_opts *opts;
    job *jobs;
    size_t num_jobs;
    size_t next; /* next job to hand out */
    size_t done;
    size_t failures;
    int oom;
    pthread_mutex_t lock;
} pool;

static char *dup_or_null(const char *s) {
    return s != NULL ? strdup(s) : NULL;
}

static char *dup_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *dup_printf(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0) {
        return NULL;
    }
    char *out = malloc((size_t)n + 1);
    if (out == NULL) {
        return NULL;
    }
    va_start(ap, fmt);
    vsnprintf(out, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return out;
}

static double now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

/* A scenario's `peers:` names kinds ("tcp") or whole specs ("tcp:host:443"). */
static int peer_applies(const th_scenario *sc, const char *peer) {
    if (sc->num_peers == 0) {
        return 1;
    }
    size_t kind_len = strcspn(peer, ":");
    for (size_t i = 0; i < sc->num_peers; i++) {
        const char *p = sc->peers[i];
        if (strcmp(p, peer) == 0 || (strlen(p) == kind_len && strncmp(p, peer, kind_len) == 0)) {
            return 1;
        }
    }
    return 0;
}

/* The seed of one job: the run's seed, the scenario, its matrix row and the
 * peer, so results do not depend on the order jobs ran in. */
static uint64_t job_seed(uint64_t seed, const job *j) {
    SHA256_CTX ctx;
    uint8_t digest[SHA256_DIGEST_LENGTH];
    SHA256_Init(&ctx);
    SHA256_Update(&ctx, &seed, sizeof(seed));
    SHA256_Update(&ctx, j->sc->id, strlen(j->sc->id) + 1);
    if (j->sc->matrix_label != NULL) {
        SHA256_Update(&ctx, j->sc->matrix_label, strlen(j->sc->matrix_label));
    }
    SHA256_Update(&ctx, "", 1);
    SHA256_Update(&ctx, j->peer, strlen(j->peer));
    SHA256_Final(digest, &ctx);
    uint64_t out = 0;
    for (size_t i = 0; i < 8; i++) {
        out = out << 8 | digest[i];
    }
    return out;
}

static int matches_filter(const th_scenario *sc, const char *filter) {
    if (filter == NULL || fnmatch(filter, sc->id, 0) == 0) {
        return 1;
    }
    if (sc->matrix_label == NULL) {
        return 0;
    }
    char *full = dup_printf("%s[%s]", sc->id, sc->matrix_label);
    int ok = full != NULL && fnmatch(filter, full, 0) == 0;
    free(full);
    return ok;
}

static int fill_static(th_result *r, const th_scenario *sc, const char *peer) {
    r->scenario_id = dup_or_null(sc->id);
    r->matrix_label = dup_or_null(sc->matrix_label);
    r->title = dup_or_null(sc->title);
    r->file = dup_printf("%s:%u", sc->loc.file != NULL ? sc->loc.file : "?", sc->loc.line);
    r->rfc_doc = dup_or_null(sc->rfc.doc);
    r->rfc_section = dup_or_null(sc->rfc.section);
    r->rfc_quote = dup_or_null(sc->rfc.quote);
    r->role = strdup(sc->role == 1 ? "server" : "client");
    r->peer = strdup(peer);
    return r->scenario_id != NULL && r->file != NULL && r->role != NULL && r->peer != NULL;
}

static int alert_in(const th_expectation *e, uint8_t alert) {
    for (size_t i = 0; i < e->num_alerts; i++) {
        if (e->alerts[i] == alert) {
            return 1;
        }
    }
    return 0;
}

/* The verdict of an outcome under the peer's expectation (if any). */
static th_verdict judge(const th_ep_outcome *o, const th_expectation *e) {
    if (o->verdict == TH_EP_ERROR) {
        return TH_VERDICT_ERROR;
    }
    if (e == NULL) {
        return o->verdict == TH_EP_PASS ? TH_VERDICT_PASS : TH_VERDICT_FAIL;
    }
    if (o->verdict == TH_EP_PASS) {
        /* The recorded divergence no longer happens: the record is stale. */
        return TH_VERDICT_XPASS;
    }
    if (e->status == TH_EXPECT_XFAIL) {
        return TH_VERDICT_XFAIL;
    }
    /* TH_EXPECT_ALERT: only the recorded alternative alert is excused. */
    return o->got_alert && alert_in(e, o->alert) ? TH_VERDICT_XFAIL : TH_VERDICT_FAIL;
}

static void run_job(const th_runner_opts *opts, job *j) {
    th_result *r = j->res;
    double start = now_ms();
    if (!fill_static(r, j->sc, j->peer)) {
        r->verdict = TH_VERDICT_ERROR;
        return;
    }
    if (!peer_applies(j->sc, j->peer)) {
        r->verdict = TH_VERDICT_SKIP;
        r->message = dup_printf("not applicable to peer %s (scenario peers: %s%s)", j->peer,
                                j->sc->peers[0], j->sc->num_peers > 1 ? ", ..." : "");
        return;
    }
    /* tcp: is a server (we script the client), listen: a client. */
    int we_serve = j->sc->role == 1;
    if ((we_serve && strncmp(j->peer, "tcp:", 4) == 0) ||
        (!we_serve && strncmp(j->peer, "listen:", 7) == 0)) {
        r->verdict = TH_VERDICT_SKIP;
        r->message = dup_printf("%s is a %s, this scenario needs a %s", j->peer,
                                we_serve ? "server" : "client", we_serve ? "client" : "server");
        return;
    }
    /* A network peer is whatever it is: the settings of a `peer:` map
     * (certificate, ALPN, client auth, ...) cannot be given to it, so a
     * scenario that needs them does not apply. */
    if (j->sc->peer_configured && strcmp(j->peer, "boringssl") != 0 &&
        strcmp(j->peer, "self") != 0) {
        r->verdict = TH_VERDICT_SKIP;
        r->message =
            dup_printf("needs the peer configured (a `peer:` map), which %s cannot be", j->peer);
        return;
    }
    const th_expectation *e =
        opts->expect != NULL ? th_expectations_find(opts->expect, j->peer, j->sc->id) : NULL;
    if (e != NULL && e->status == TH_EXPECT_SKIP) {
        r->verdict = TH_VERDICT_SKIP;
        r->reason = dup_or_null(e->reason);
        r->message = dup_printf("skipped by the expectations file: %s",
                                e->reason != NULL ? e->reason : "(no reason)");
        return;
    }
    th_peer_opts popts = {
        .pki_dir = opts->pki_dir, .seed = job_seed(opts->seed, j), .connect_timeout_ms = 10000};
    char err[512] = "";
    th_peer *peer =
        th_peer_new(j->peer, j->sc->role == 1 ? 0 : 1, &j->sc->peer, &popts, err, sizeof(err));
    if (peer == NULL) {
        r->verdict = TH_VERDICT_ERROR;
        r->message = dup_printf("peer %s could not start: %s", j->peer, err);
        r->duration_ms = now_ms() - start;
        return;
    }
    th_ep_opts eopts = {.pki_dir = opts->pki_dir,
                        .seed = popts.seed,
                        .deadline_ms = opts->deadline_ms != 0 ? opts->deadline_ms : 2000};
    th_ep_outcome o;
    memset(&o, 0, sizeof(o));
    if (!th_ep_run(j->sc, peer, &eopts, &o)) {
        r->verdict = TH_VERDICT_ERROR;
        r->message = strdup("out of memory");
    } else {
        r->verdict = judge(&o, e);
        r->failed_step = (int)o.failed_step;
        if (o.failed_step != 0 && o.step_loc.file != NULL) {
            r->step_loc =
                dup_printf("%s:%u:%u", o.step_loc.file, o.step_loc.line, o.step_loc.column);
        }
        r->message = dup_or_null(o.message);
        r->expected = dup_or_null(o.expected);
        r->got = dup_or_null(o.got);
        if (e != NULL) {
            r->reason = dup_or_null(e->reason);
        }
        if (r->verdict == TH_VERDICT_XPASS) {
            free(r->message);
            r->message = dup_printf("passed, but the expectations file records a divergence "
                                    "(%s:%u): remove the entry",
                                    e->loc.file != NULL ? e->loc.file : "?", e->loc.line);
        }
        if (r->verdict != TH_VERDICT_PASS) {
            r->transcript = dup_or_null(o.transcript);
        }
        /* Key log kept beside the transcript for failures (see save_artifacts). */
        if (r->verdict == TH_VERDICT_FAIL || r->verdict == TH_VERDICT_ERROR ||
            r->verdict == TH_VERDICT_XPASS) {
            r->keylog_path = dup_or_null(o.keylog); /* replaced by a path when saved */
        }
    }
    th_ep_outcome_cleanup(&o);
    th_peer_free(peer);
    r->duration_ms = now_ms() - start;
}

static void *worker(void *arg) {
    pool *p = arg;
    for (;;) {
        pthread_mutex_lock(&p->lock);
        if (p->next == p->num_jobs) {
            pthread_mutex_unlock(&p->lock);
            return NULL;
        }
        job *j = &p->jobs[p->next++];
        pthread_mutex_unlock(&p->lock);

        run_job(p->opts, j);

        pthread_mutex_lock(&p->lock);
        p->done++;
        th_verdict v = j->res->verdict;
        if (v == TH_VERDICT_FAIL || v == TH_VERDICT_ERROR || v == TH_VERDICT_XPASS) {
            p->failures++;
        }
        if (p->opts->progress != NULL) {
            fprintf(p->opts->progress, "\r%zu/%zu scenarios run, %zu failed", p->done, p->num_jobs,
                    p->failures);
            fflush(p->opts->progress);
        }
        pthread_mutex_unlock(&p->lock);
    }
}

static int mkdir_p(const char *path) {
    char *copy = strdup(path);
    if (copy == NULL) {
        return 0;
    }
    for (char *s = copy + 1; *s != '\0'; s++) {
        if (*s == '/') {
            *s = '\0';
            if (mkdir(copy, 0755) != 0 && errno != EEXIST) {
                free(copy);
                return 0;
            }
            *s = '/';
        }
    }
    int ok = mkdir(copy, 0755) == 0 || errno == EEXIST;
    free(copy);
    return ok;
}

/* A file name from a result: id, matrix values and peer, with anything but
 * [A-Za-z0-9._-] replaced. */
static char *artifact_name(const th_result *r, const char *ext) {
    char *name = dup_printf("%s%s%s-%s%s", r->scenario_id, r->matrix_label != NULL ? "-" : "",
                            r->matrix_label != NULL ? r->matrix_label : "", r->peer, ext);
    for (char *s = name; s != NULL && *s != '\0'; s++) {
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
              *s == '.' || *s == '_' || *s == '-')) {
            *s = '_';
        }
    }
    return name;
}

static int write_text(const char *dir, const char *name, const char *text) {
    char *path = dup_printf("%s/%s", dir, name);
    if (path == NULL) {
        return 0;
    }
    FILE *f = fopen(path, "w");
    free(path);
    if (f == NULL) {
        return 0;
    }
    fputs(text, f);
    return fclose(f) == 0;
}

/* Saves transcripts and key logs of failures under dir/transcripts/ and
 * points the results at them. */
static int save_artifacts(th_run *run, const char *dir, char *err, size_t err_len) {
    char *tdir = dup_printf("%s/transcripts", dir);
    if (tdir == NULL || !mkdir_p(tdir)) {
        snprintf(err, err_len, "cannot create %s/transcripts: %s", dir, strerror(errno));
        free(tdir);
        return 0;
    }
    int ok = 1;
    for (size_t i = 0; i < run->num_results && ok; i++) {
        th_result *r = &run->results[i];
        char *keylog = r->keylog_path;
        r->keylog_path = NULL;
        if (r->transcript != NULL) {
            char *name = artifact_name(r, ".txt");
            ok = name != NULL && write_text(tdir, name, r->transcript);
            r->transcript_path = name != NULL ? dup_printf("transcripts/%s", name) : NULL;
            free(name);
        }
        if (ok && keylog != NULL && keylog[0] != '\0') {
            char *name = artifact_name(r, ".keylog");
            ok = name != NULL && write_text(tdir, name, keylog);
            r->keylog_path = name != NULL ? dup_printf("transcripts/%s", name) : NULL;
            free(name);
        }
        free(keylog);
        if (!ok) {
            snprintf(err, err_len, "cannot write a transcript under %s: %s", tdir, strerror(errno));
        }
    }
    free(tdir);
    return ok;
}

static void iso_now(char *out, size_t cap) {
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, cap, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

int th_runner_run(const th_scenario_set *set, const th_runner_opts *opts, th_run *out, char *err,
                  size_t err_len) {
    memset(out, 0, sizeof(*out));
    char started[32];
    iso_now(started, sizeof(started));
    out->tool_version = strdup(TH_VERSION_STRING);
    out->started_at = strdup(started);
    out->seed = opts->seed;
    out->peers = calloc(opts->num_peers != 0 ? opts->num_peers : 1, sizeof(char *));
    if (out->tool_version == NULL || out->started_at == NULL || out->peers == NULL) {
        goto oom;
    }
    for (size_t i = 0; i < opts->num_peers; i++) {
        if ((out->peers[i] = strdup(opts->peers[i])) == NULL) {
            goto oom;
        }
        out->num_peers++;
    }
    size_t total = 0;
    for (size_t i = 0; i < set->num_scenarios; i++) {
        total += matches_filter(set->scenarios[i], opts->filter) ? opts->num_peers : 0;
    }
    pool p;
    memset(&p, 0, sizeof(p));
    p.opts = opts;
    p.jobs = calloc(total != 0 ? total : 1, sizeof(job));
    out->results = calloc(total != 0 ? total : 1, sizeof(th_result));
    if (p.jobs == NULL || out->results == NULL) {
        free(p.jobs);
        goto oom;
    }
    out->num_results = total;
    for (size_t i = 0; i < set->num_scenarios; i++) {
        if (!matches_filter(set->scenarios[i], opts->filter)) {
            continue;
        }
        for (size_t k = 0; k < opts->num_peers; k++) {
            job *j = &p.jobs[p.num_jobs];
            j->sc = set->scenarios[i];
            j->peer = opts->peers[k];
            j->res = &out->results[p.num_jobs];
            p.num_jobs++;
        }
    }
    pthread_mutex_init(&p.lock, NULL);
    double start = now_ms();
    unsigned jobs = opts->jobs != 0 ? opts->jobs : 1;
    if (jobs > p.num_jobs) {
        jobs = p.num_jobs != 0 ? (unsigned)p.num_jobs : 1;
    }
    pthread_t *threads = calloc(jobs, sizeof(pthread_t));
    unsigned started_threads = 0;
    if (threads != NULL) {
        for (; started_threads < jobs; started_threads++) {
            if (pthread_create(&threads[started_threads], NULL, worker, &p) != 0) {
                break;
            }
        }
    }
    if (started_threads == 0) {
        worker(&p); /* no threads to be had: run in this one */
    }
    for (unsigned i = 0; i < started_threads; i++) {
        pthread_join(threads[i], NULL);
    }
    free(threads);
    pthread_mutex_destroy(&p.lock);
    free(p.jobs);
    if (opts->progress != NULL && total != 0) {
        fputc('\n', opts->progress);
    }
    out->duration_ms = now_ms() - start;
    th_run_count(out);
    if (opts->report_dir != NULL) {
        if (!mkdir_p(opts->report_dir)) {
            snprintf(err, err_len, "cannot create the report directory %s: %s", opts->report_dir,
                     strerror(errno));
            return 0;
        }
        if (!save_artifacts(out, opts->report_dir, err, err_len)) {
            return 0;
        }
    } else {
        /* Without a report folder there is nowhere to keep key logs. */
        for (size_t i = 0; i < out->num_results; i++) {
            free(out->results[i].keylog_path);
            out->results[i].keylog_path = NULL;
        }
    }
    return 1;

oom:
    snprintf(err, err_len, "out of memory");
    return 0;
}

int th_runner_write_reports(const th_run *run, const char *dir, unsigned mask, char *err,
                            size_t err_len) {
    static const struct {
        unsigned bit;
        const char *name;
        int (*write)(const th_run *, const char *, char *, size_t);
    } kWriters[] = {
        {TH_FORMAT_JSON, "report.json", th_report_write_json},
        {TH_FORMAT_JUNIT, "junit.xml", th_report_write_junit},
        {TH_FORMAT_MD, "report.md", th_report_write_markdown},
        {TH_FORMAT_HTML, "report.html", th_report_write_html},
    };
    if (!mkdir_p(dir)) {
        snprintf(err, err_len, "cannot create the report directory %s: %s", dir, strerror(errno));
        return 0;
    }
    for (size_t i = 0; i < sizeof(kWriters) / sizeof(kWriters[0]); i++) {
        if ((mask & kWriters[i].bit) == 0) {
            continue;
        }
        char *path = dup_printf("%s/%s", dir, kWriters[i].name);
        if (path == NULL) {
            snprintf(err, err_len, "out of memory");
            return 0;
        }
        int ok = kWriters[i].write(run, path, err, err_len);
        free(path);
        if (!ok) {
            return 0;
        }
    }
    return 1;
}

void th_runner_print_summary(const th_run *run, FILE *f) {
    size_t shown = 0;
    for (size_t i = 0; i < run->num_results; i++) {
        const th_result *r = &run->results[i];
        if (r->verdict != TH_VERDICT_FAIL && r->verdict != TH_VERDICT_ERROR &&
            r->verdict != TH_VERDICT_XPASS) {
            continue;
        }
        if (shown++ == 0) {
            fprintf(f, "\nfailures:\n");
        }
        fprintf(f, "  %s %s%s%s%s [%s]: %s\n", th_verdict_name(r->verdict), r->scenario_id,
                r->matrix_label != NULL ? "[" : "", r->matrix_label != NULL ? r->matrix_label : "",
                r->matrix_label != NULL ? "]" : "", r->peer, r->message != NULL ? r->message : "");
    }
    fprintf(f,
            "\n%zu results in %.1f s: %zu pass, %zu fail, %zu error, %zu skip, %zu xfail, "
            "%zu xpass\n",
            run->num_results, run->duration_ms / 1000.0, run->counts[TH_VERDICT_PASS],
            run->counts[TH_VERDICT_FAIL], run->counts[TH_VERDICT_ERROR],
            run->counts[TH_VERDICT_SKIP], run->counts[TH_VERDICT_XFAIL],
            run->counts[TH_VERDICT_XPASS]);
}
