/* `tlsharness bench`: our engine and BoringSSL's libssl side by side in one
 * process, in memory (our client and server joined through th_conn buffers;
 * BoringSSL's through BIO pairs), with the same keys, the same trust bundle
 * and client verification on in both: full and resumed handshakes/s (TLS 1.3,
 * and TLS 1.2 with ECDHE-ECDSA, RSA key exchange and ticket resumption), bulk
 * MB/s per AEAD, heap bytes per idle established connection and the share of
 * a handshake spent in BoringSSL's raw crypto. Contenders take turns in
 * short slices; every rate is per CPU-second of this thread, the median of
 * three runs of --seconds after a warm-up. Goals are printed, never
 * asserted: the numbers depend on the machine. */
#include <malloc.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <openssl/aead.h>
#include <openssl/bio.h>
#include <openssl/curve25519.h>
#include <openssl/ec_key.h>
#include <openssl/ecdsa.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/hkdf.h>
#include <openssl/hmac.h>
#include <openssl/mem.h>
#include <openssl/nid.h>
#include <openssl/rsa.h>
#include <openssl/sha.h>
#include <openssl/ssl.h>

#include "cli.h"
#include "conn.h"
#include "keys12.h"
#include "x509.h"

/* Application data per bulk step: four full 16 KiB records. */
#define BULK_RECORD 16384
#define BULK_CHUNK  (4 * BULK_RECORD)
/* Established connection pairs held at once to measure memory. */
#define MEM_PAIRS 200
/* Room in each direction of a BoringSSL BIO pair: a whole bulk step. */
#define BIO_PAIR_SIZE (1 << 17)

/* OPENSSL_ia32cap mask that hides AES-NI from BoringSSL (bit 57, CPUID.1:ECX
 * bit 25). Only then do BoringSSL's client and server choose
 * ChaCha20-Poly1305 between themselves: libssl has no call to pick a TLS 1.3
 * suite, and the mask is read once when libcrypto loads. */
#define NO_AESNI_MASK "~0x200000000000000"

enum { KEY_ECDSA = 0, KEY_RSA = 1, NUM_KEYS };

static const char *const kKeyFiles[NUM_KEYS] = {"server-ecdsa-p256", "server-rsa2048"};
static const uint16_t kSigSchemes[NUM_KEYS] = {TH_SIG_ECDSA_SECP256R1_SHA256,
                                               TH_SIG_RSA_PSS_RSAE_SHA256};
static const uint16_t kX25519[] = {TH_GROUP_X25519};
static const uint16_t kAes128[] = {TH_TLS_AES_128_GCM_SHA256};
static const uint16_t kAes256[] = {TH_TLS_AES_256_GCM_SHA384};
static const uint16_t kChacha[] = {TH_TLS_CHACHA20_POLY1305_SHA256};
static const uint16_t kTls12[] = {TH_VERSION_TLS12};
/* TLS 1.2: the client also lists the curve of the ECDSA key (RFC 8422 §5.1:
 * a server uses an ECDSA certificate only on a curve the client supports);
 * both stacks still agree on X25519, first on both sides. */
static const uint16_t kX25519P256[] = {TH_GROUP_X25519, TH_GROUP_SECP256R1};
/* The TLS 1.2 suite of each key's row: ECDHE-ECDSA, and RSA key exchange. */
static const uint16_t kSuites12[NUM_KEYS] = {TH_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
                                             TH_TLS_RSA_WITH_AES_128_GCM_SHA256};
static const char *const kBsslCiphers12[NUM_KEYS] = {"ECDHE-ECDSA-AES128-GCM-SHA256",
                                                     "TLS_RSA_WITH_AES_128_GCM_SHA256"};

typedef struct {
    double seconds;
    const char *only;
    int json;
    char pki[1024];
    th_cert_key ck[NUM_KEYS];
    X509_STORE *store;
    th_ticket_ctx *tickets;
    th_config cli;             /* our client: AES-128-GCM, X25519, verifying */
    th_config srv[NUM_KEYS];   /* our server, no tickets */
    th_config cli12[NUM_KEYS]; /* TLS 1.2 only, kSuites12[key] only */
    th_config srv12[NUM_KEYS]; /* TLS 1.2 only, kSuites12[key], no tickets or session IDs */
    SSL_CTX *bssl_cli;
    SSL_CTX *bssl_srv[NUM_KEYS];   /* no tickets */
    SSL_CTX *bssl_cli_tickets;     /* takes sessions from tickets */
    SSL_CTX *bssl_srv_tickets;     /* ECDSA, BoringSSL's default tickets */
    SSL_CTX *bssl_cli12[NUM_KEYS]; /* TLS 1.2, kBsslCiphers12[key] */
    SSL_CTX *bssl_srv12[NUM_KEYS]; /* TLS 1.2, no tickets, no session cache */
    SSL_CTX *bssl_cli12_tickets;   /* TLS 1.2 ECDHE-ECDSA, takes sessions */
    SSL_CTX *bssl_srv12_tickets;   /* TLS 1.2 ECDHE-ECDSA, default tickets */
    uint8_t *buf, *sink;           /* BULK_CHUNK bytes each */
} bench;

/* One printed row. Values are rates (handshakes/s, MB/s), bytes, or shares
 * of a handshake (floor rows); a missing value has its reason in |why_*|. */
typedef struct {
    const char *name; /* for --only and JSON */
    const char *label;
    const char *unit;
    int has_ours, has_bssl;
    double ours, bssl;
    char why_ours[96], why_bssl[96];
    char note[160];
    int is_floor;     /* ours/bssl are shares; floor_us is the crypto time */
    int lower_better; /* memory */
    double floor_us;
} row;

enum {
    ROW_HS_ECDSA,
    ROW_HS_RSA,
    ROW_RESUMED,
    ROW_HS12_ECDSA,
    ROW_HS12_RSA,
    ROW_RESUMED12,
    ROW_BULK_AES128,
    ROW_BULK_AES256,
    ROW_BULK_CHACHA,
    ROW_MEMORY,
    ROW_FLOOR_ECDSA,
    ROW_FLOOR_RSA,
    NUM_ROWS
};

static const struct {
    const char *name, *label, *unit;
} kRows[NUM_ROWS] = {
    {"handshake_ecdsa", "full handshakes/s X25519+ECDSA-P256 AES-128-GCM", "handshakes/s"},
    {"handshake_rsa", "full handshakes/s X25519+RSA-2048 AES-128-GCM", "handshakes/s"},
    {"resumed", "resumed handshakes/s PSK-DHE X25519 AES-128-GCM", "handshakes/s"},
    {"handshake12_ecdsa", "TLS 1.2 full handshakes/s ECDHE-ECDSA-P256 X25519 AES-128-GCM",
     "handshakes/s"},
    {"handshake12_rsa", "TLS 1.2 full handshakes/s RSA-2048 key exchange AES-128-GCM",
     "handshakes/s"},
    {"resumed12", "TLS 1.2 resumed handshakes/s ticket ECDHE-ECDSA AES-128-GCM", "handshakes/s"},
    {"bulk_aes128gcm", "bulk MB/s AES-128-GCM 16 KiB records", "MB/s"},
    {"bulk_aes256gcm", "bulk MB/s AES-256-GCM 16 KiB records", "MB/s"},
    {"bulk_chacha20", "bulk MB/s ChaCha20-Poly1305 16 KiB records", "MB/s"},
    {"memory", "heap bytes per idle established connection", "bytes"},
    {"floor_ecdsa", "crypto floor share of an ECDSA handshake", "fraction"},
    {"floor_rsa", "crypto floor share of an RSA handshake", "fraction"},
};

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* One unit of work (a handshake, a bulk step); adds what it did to *units.
 * 0 on a failure. */
typedef int (*work_fn)(void *arg, double *units);

static double cpu_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Repeats |fn| for |seconds| of wall time, adding its units and this
 * thread's CPU seconds to *units and *cpu. */
static int run_slice(work_fn fn, void *arg, double seconds, double *units, double *cpu) {
    double start = now_s(), cpu0 = cpu_s();
    do {
        if (!fn(arg, units)) {
            return 0;
        }
    } while (now_s() - start < seconds);
    *cpu += cpu_s() - cpu0;
    return 1;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* What measure compares: a work function, and its median rate. Set |ok| to
 * take part; a failing contender drops out with ok 0. */
typedef struct {
    work_fn fn;
    void *arg;
    int ok;
    double rate;
} contender;

#define MAX_CONTENDERS 3
#define NUM_RUNS       3

/* Wall time of one turn: contenders take turns this long, so that each
 * sees the same load on the machine. */
#define SLICE_SECONDS 0.1

/* A short warm-up of each contender, then NUM_RUNS runs in which each
 * contender gets b->seconds in turns of SLICE_SECONDS; a run's rate is units
 * per second of this thread's CPU time (other processes' load does not
 * count), and each contender gets its median run. */
static void measure(const bench *b, contender *cs, size_t n) {
    double r[MAX_CONTENDERS][NUM_RUNS], warm = b->seconds / 4 < 0.25 ? b->seconds / 4 : 0.25;
    double slice = b->seconds < SLICE_SECONDS ? b->seconds : SLICE_SECONDS;
    for (size_t i = 0; i < n; i++) {
        double units = 0, cpu = 0;
        cs[i].ok = cs[i].ok && run_slice(cs[i].fn, cs[i].arg, warm, &units, &cpu);
    }
    for (int run = 0; run < NUM_RUNS; run++) {
        double units[MAX_CONTENDERS] = {0}, cpu[MAX_CONTENDERS] = {0};
        for (double spent = 0; spent < b->seconds; spent += slice) {
            for (size_t i = 0; i < n; i++) {
                cs[i].ok = cs[i].ok && run_slice(cs[i].fn, cs[i].arg, slice, &units[i], &cpu[i]);
            }
        }
        for (size_t i = 0; i < n; i++) {
            r[i][run] = cpu[i] > 0 ? units[i] / cpu[i] : 0;
        }
    }
    for (size_t i = 0; i < n; i++) {
        if (cs[i].ok) {
            qsort(r[i], NUM_RUNS, sizeof(r[i][0]), cmp_double);
            cs[i].rate = r[i][NUM_RUNS / 2];
        }
    }
}

/* ---- our engine ---- */

/* Hands |from|'s pending output to |to|; sets *moved if there was any. */
static int ours_move(th_conn *from, th_conn *to, int *moved) {
    size_t n;
    const uint8_t *out = th_conn_pending_output(from, &n);
    if (n == 0) {
        return 1;
    }
    int ok = th_conn_recv(to, out, n);
    th_conn_consume_output(from, n);
    *moved = 1;
    return ok;
}

/* Shuttles bytes until neither side has any; 1 if both are established. */
static int ours_drive(th_conn *c, th_conn *s) {
    for (int i = 0; i < 64; i++) {
        int moved = 0;
        if (!ours_move(c, s, &moved) || !ours_move(s, c, &moved)) {
            return 0;
        }
        if (!moved) {
            th_conn_status cs, ss;
            th_conn_get_status(c, &cs);
            th_conn_get_status(s, &ss);
            return cs.state == TH_CONN_ESTABLISHED && ss.state == TH_CONN_ESTABLISHED;
        }
    }
    return 0;
}

static int ours_pair(const th_config *ccfg, const th_config *scfg, th_conn **c, th_conn **s) {
    *c = th_conn_new(ccfg, TH_ROLE_CLIENT);
    *s = th_conn_new(scfg, TH_ROLE_SERVER);
    if (*c != NULL && *s != NULL && ours_drive(*c, *s)) {
        return 1;
    }
    th_conn_free(*c);
    th_conn_free(*s);
    *c = *s = NULL;
    return 0;
}

typedef struct {
    const th_config *cli, *srv;
    int server_byte; /* resumed handshakes: see bssl_handshake */
} ours_hs_arg;

/* The server writes one byte of application data and the client reads it. */
static int ours_server_byte(th_conn *c, th_conn *s) {
    uint8_t byte = 'x';
    int moved = 0;
    return th_conn_write_app(s, &byte, 1, 0) && ours_move(s, c, &moved) &&
           th_conn_read_app(c, &byte, 1) == 1;
}

static int ours_handshake(void *arg, double *units) {
    const ours_hs_arg *a = arg;
    th_conn *c, *s;
    if (!ours_pair(a->cli, a->srv, &c, &s)) {
        return 0;
    }
    int ok = !a->server_byte || ours_server_byte(c, s);
    th_conn_free(c);
    th_conn_free(s);
    *units += 1;
    return ok;
}

/* One handshake of |a| that must negotiate |version|, |suite|, |group| and
 * |sig| (0 when no signature is expected: resumption, RSA key exchange) and,
 * if |resumed|, resume. A TLS 1.2 full handshake must have verified the
 * server's certificate. */
static int ours_check(const ours_hs_arg *a, uint16_t version, uint16_t suite, uint16_t group,
                      uint16_t sig, int resumed) {
    th_conn *c, *s;
    if (!ours_pair(a->cli, a->srv, &c, &s)) {
        return 0;
    }
    th_conn_status st;
    th_conn_get_status(c, &st);
    int ok = st.version == version && st.cipher_suite == suite && st.group == group &&
             st.resumed == resumed &&
             (sig == 0 || (st.sig_scheme == sig && st.peer_authenticated)) &&
             (version != TH_VERSION_TLS12 || resumed || st.peer_authenticated);
    th_conn_free(c);
    th_conn_free(s);
    return ok;
}

/* ---- BoringSSL ---- */

static int bssl_wants(SSL *ssl, int r) {
    int e = SSL_get_error(ssl, r);
    return e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE;
}

/* A client and a server joined by a BIO pair, handshaken; both share
 * |curves| when non-NULL. */
static int bssl_pair(SSL_CTX *cctx, SSL_CTX *sctx, const char *curves, SSL_SESSION *session,
                     SSL **out_c, SSL **out_s) {
    SSL *c = SSL_new(cctx), *s = SSL_new(sctx);
    BIO *bc = NULL, *bs = NULL;
    if (c == NULL || s == NULL || !BIO_new_bio_pair(&bc, BIO_PAIR_SIZE, &bs, BIO_PAIR_SIZE)) {
        goto err;
    }
    SSL_set_bio(c, bc, bc);
    SSL_set_bio(s, bs, bs);
    SSL_set_connect_state(c);
    SSL_set_accept_state(s);
    if (!SSL_set_tlsext_host_name(c, "localhost") || !SSL_set1_host(c, "localhost") ||
        (curves != NULL &&
         (!SSL_set1_curves_list(c, curves) || !SSL_set1_curves_list(s, curves))) ||
        (session != NULL && !SSL_set_session(c, session))) {
        goto err;
    }
    int cdone = 0, sdone = 0;
    for (int i = 0; i < 64 && !(cdone && sdone); i++) {
        if (!cdone) {
            int r = SSL_do_handshake(c);
            if (r == 1) {
                cdone = 1;
            } else if (!bssl_wants(c, r)) {
                goto err;
            }
        }
        if (!sdone) {
            int r = SSL_do_handshake(s);
            if (r == 1) {
                sdone = 1;
            } else if (!bssl_wants(s, r)) {
                goto err;
            }
        }
    }
    if (!cdone || !sdone) {
        goto err;
    }
    *out_c = c;
    *out_s = s;
    return 1;
err:
    SSL_free(c);
    SSL_free(s);
    ERR_clear_error();
    return 0;
}

typedef struct {
    SSL_CTX *cli, *srv;
    const char *curves;
    SSL_SESSION *session; /* resumed handshakes */
} bssl_hs_arg;

/* The server writes one byte of application data and the client reads it. */
static int bssl_server_byte(SSL *c, SSL *s) {
    uint8_t byte = 'x';
    return SSL_write(s, &byte, 1) == 1 && SSL_read(c, &byte, 1) == 1;
}

static int bssl_handshake(void *arg, double *units) {
    const bssl_hs_arg *a = arg;
    SSL *c, *s;
    if (!bssl_pair(a->cli, a->srv, a->curves, a->session, &c, &s)) {
        return 0;
    }
    /* After a resumption, one byte from the server: BoringSSL flushes its
     * NewSessionTickets with the server's first write, and the client
     * processes them reading it (ours does the same work, see
     * ours_handshake). */
    if (a->session != NULL && !bssl_server_byte(c, s)) {
        SSL_free(c);
        SSL_free(s);
        return 0;
    }
    SSL_free(c);
    SSL_free(s);
    *units += 1;
    return 1;
}

static int bssl_check(const bssl_hs_arg *a, uint16_t version, uint16_t suite, uint16_t sig,
                      int resumed) {
    SSL *c, *s;
    if (!bssl_pair(a->cli, a->srv, a->curves, a->session, &c, &s)) {
        return 0;
    }
    const SSL_CIPHER *cipher = SSL_get_current_cipher(c);
    int ok = SSL_version(c) == version && cipher != NULL &&
             SSL_CIPHER_get_protocol_id(cipher) == suite && SSL_session_reused(c) == resumed &&
             (sig == 0 || SSL_get_peer_signature_algorithm(c) == sig) &&
             SSL_get_verify_result(c) == X509_V_OK;
    SSL_free(c);
    SSL_free(s);
    return ok;
}

/* Keeps the first session a client's NewSessionTickets make when the SSL
 * carries a slot for it (SSL_set_app_data); BoringSSL frees the others. */
static int bssl_new_session(SSL *ssl, SSL_SESSION *session) {
    SSL_SESSION **slot = SSL_get_app_data(ssl);
    if (slot == NULL || *slot != NULL) {
        return 0;
    }
    *slot = session;
    return 1;
}

/* An X25519 context of |version| only: a verifying client (|key| < 0; with
 * |tickets| it hands sessions to bssl_new_session) or a server with |key|'s
 * chain (with |tickets| it issues BoringSSL's default NewSessionTickets).
 * |ciphers| (TLS 1.2 only) is BoringSSL's cipher string, NULL for the
 * default. A TLS 1.2 server without tickets keeps no session cache either,
 * like ours without session_cache: neither side then does work for a
 * resumption that never comes. */
static SSL_CTX *bssl_ctx(const bench *b, uint16_t version, int key, int tickets,
                         const char *ciphers) {
    SSL_CTX *ctx = SSL_CTX_new(TLS_method());
    if (ctx == NULL || !SSL_CTX_set_min_proto_version(ctx, version) ||
        !SSL_CTX_set_max_proto_version(ctx, version) ||
        !SSL_CTX_set1_curves_list(ctx, version == TLS1_2_VERSION ? "X25519:P-256" : "X25519") ||
        (ciphers != NULL && !SSL_CTX_set_strict_cipher_list(ctx, ciphers))) {
        goto err;
    }
    if (key < 0) {
        char bundle[1100];
        snprintf(bundle, sizeof(bundle), "%s/trust-bundle.pem", b->pki);
        if (!SSL_CTX_load_verify_locations(ctx, bundle, NULL)) {
            goto err;
        }
        SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
        if (tickets) {
            SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_CLIENT);
            SSL_CTX_sess_set_new_cb(ctx, bssl_new_session);
        }
        return ctx;
    }
    char cert[1100], pkey[1100];
    snprintf(cert, sizeof(cert), "%s/%s-chain.pem", b->pki, kKeyFiles[key]);
    snprintf(pkey, sizeof(pkey), "%s/%s.key", b->pki, kKeyFiles[key]);
    if (!SSL_CTX_use_certificate_chain_file(ctx, cert) ||
        !SSL_CTX_use_PrivateKey_file(ctx, pkey, SSL_FILETYPE_PEM)) {
        goto err;
    }
    if (!tickets) {
        SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET);
        if (version == TLS1_2_VERSION) {
            SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
        }
    }
    return ctx;
err:
    SSL_CTX_free(ctx);
    return NULL;
}

/* ---- bulk ---- */

typedef struct {
    const bench *b;
    th_conn *c, *s;
    SSL *sc, *ss;
} bulk_arg;

/* Client to server: sealed by the client, opened by the server. */
static int ours_bulk(void *arg, double *units) {
    bulk_arg *a = arg;
    if (!th_conn_write_app(a->c, a->b->buf, BULK_CHUNK, BULK_RECORD)) {
        return 0;
    }
    int moved = 0;
    if (!ours_move(a->c, a->s, &moved)) {
        return 0;
    }
    size_t got = 0, n;
    while ((n = th_conn_read_app(a->s, a->b->sink, BULK_CHUNK)) > 0) {
        got += n;
    }
    *units += (double)got;
    return got == BULK_CHUNK;
}

static int bssl_bulk(void *arg, double *units) {
    bulk_arg *a = arg;
    if (SSL_write(a->sc, a->b->buf, BULK_CHUNK) != BULK_CHUNK) {
        return 0;
    }
    size_t got = 0;
    while (got < BULK_CHUNK) {
        int r = SSL_read(a->ss, a->b->sink, BULK_CHUNK);
        if (r <= 0) {
            return 0;
        }
        got += (size_t)r;
    }
    *units += (double)got;
    return 1;
}

/* An established pair of ours on |suite|; 0 if it does not negotiate it. */
static int ours_bulk_open(const bench *b, const uint16_t *suite, bulk_arg *a) {
    th_config cli = b->cli, srv = b->srv[KEY_ECDSA];
    cli.cipher_suites = srv.cipher_suites = suite;
    memset(a, 0, sizeof(*a));
    a->b = b;
    if (!ours_pair(&cli, &srv, &a->c, &a->s)) {
        return 0;
    }
    th_conn_status st;
    th_conn_get_status(a->c, &st);
    return st.cipher_suite == suite[0];
}

/* An established BoringSSL pair (curves |curves| when non-NULL); 0 if it
 * does not negotiate |suite|. */
static int bssl_bulk_open(const bench *b, uint16_t suite, const char *curves, bulk_arg *a) {
    memset(a, 0, sizeof(*a));
    a->b = b;
    if (!bssl_pair(b->bssl_cli, b->bssl_srv[KEY_ECDSA], curves, NULL, &a->sc, &a->ss)) {
        return 0;
    }
    const SSL_CIPHER *cipher = SSL_get_current_cipher(a->sc);
    return cipher != NULL && SSL_CIPHER_get_protocol_id(cipher) == suite;
}

static void bulk_close(bulk_arg *a) {
    th_conn_free(a->c);
    th_conn_free(a->s);
    SSL_free(a->sc);
    SSL_free(a->ss);
    memset(a, 0, sizeof(*a));
}

/* BoringSSL's ChaCha20-Poly1305 rate, measured by a copy of this program
 * started with AES-NI hidden from BoringSSL (see NO_AESNI_MASK). */
static int bssl_chacha_rate(const bench *b, double *out_mbps, char *why, size_t why_len) {
    char exe[4096], secs[64], text[128];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
    int fds[2];
    if (n <= 0 || pipe(fds) != 0) {
        snprintf(why, why_len, "n/a (cannot start the measuring child)");
        return 0;
    }
    exe[n] = '\0';
    snprintf(secs, sizeof(secs), "%.17g", b->seconds);
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        dup2(fds[1], 1);
        close(fds[0]);
        close(fds[1]);
        setenv("OPENSSL_ia32cap", NO_AESNI_MASK, 1);
        execl(exe, exe, "bench", "--bssl-chacha-child", "--seconds", secs, "--pki", b->pki,
              (char *)NULL);
        _exit(127);
    }
    close(fds[1]);
    size_t len = 0;
    ssize_t r;
    while (len < sizeof(text) - 1 && (r = read(fds[0], text + len, sizeof(text) - 1 - len)) > 0) {
        len += (size_t)r;
    }
    text[len] = '\0';
    close(fds[0]);
    int status = 0;
    if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
        WEXITSTATUS(status) != 0 || sscanf(text, "%lf", out_mbps) != 1) {
        snprintf(why, why_len, "n/a (the no-AES-NI child failed)");
        return 0;
    }
    return 1;
}

/* The child of bssl_chacha_rate: prints BoringSSL's ChaCha20 MB/s. */
static int chacha_child(const bench *b) {
    if (EVP_has_aes_hardware()) {
        fprintf(stderr, "bench: OPENSSL_ia32cap did not hide AES-NI\n");
        return 1;
    }
    bulk_arg a;
    contender c = {bssl_bulk, &a, 0, 0};
    c.ok = bssl_bulk_open(b, TH_TLS_CHACHA20_POLY1305_SHA256, NULL, &a);
    if (c.ok) {
        measure(b, &c, 1);
    }
    bulk_close(&a);
    if (!c.ok) {
        fprintf(stderr, "bench: BoringSSL ChaCha20-Poly1305 pair failed\n");
        return 1;
    }
    printf("%.6f\n", c.rate / 1e6);
    return 0;
}

/* ---- memory ---- */

/* Bytes the heap has handed out (glibc's arena and mmapped chunks). */
static double heap_in_use(void) {
    struct mallinfo2 mi = mallinfo2();
    return (double)mi.uordblks + (double)mi.hblkhd;
}

/* Holds MEM_PAIRS established pairs; *out_client and *out_server are the
 * heap bytes each client and each server keeps once established. */
static int ours_memory(const bench *b, double *out_client, double *out_server) {
    th_conn **c = calloc(MEM_PAIRS, sizeof(*c)), **s = calloc(MEM_PAIRS, sizeof(*s));
    int ok = c != NULL && s != NULL;
    double before = heap_in_use(), all = 0, clients = 0;
    for (size_t i = 0; ok && i < MEM_PAIRS; i++) {
        ok = ours_pair(&b->cli, &b->srv[KEY_ECDSA], &c[i], &s[i]);
    }
    if (ok) {
        all = heap_in_use();
        for (size_t i = 0; i < MEM_PAIRS; i++) {
            th_conn_free(s[i]);
            s[i] = NULL;
        }
        clients = heap_in_use();
        *out_client = (clients - before) / MEM_PAIRS;
        *out_server = (all - clients) / MEM_PAIRS;
    }
    for (size_t i = 0; c != NULL && s != NULL && i < MEM_PAIRS; i++) {
        th_conn_free(c[i]);
        th_conn_free(s[i]);
    }
    free(c);
    free(s);
    return ok;
}

/* As ours_memory; each SSL's BIO is released once established (the
 * transport's buffers are not the connection's), so an idle SSL is what
 * remains. */
static int bssl_memory(const bench *b, double *out_client, double *out_server) {
    SSL **c = calloc(MEM_PAIRS, sizeof(*c)), **s = calloc(MEM_PAIRS, sizeof(*s));
    int ok = c != NULL && s != NULL;
    double before = heap_in_use(), all = 0, clients = 0;
    for (size_t i = 0; ok && i < MEM_PAIRS; i++) {
        ok = bssl_pair(b->bssl_cli, b->bssl_srv[KEY_ECDSA], NULL, NULL, &c[i], &s[i]);
        if (ok) {
            SSL_set_bio(c[i], NULL, NULL);
            SSL_set_bio(s[i], NULL, NULL);
        }
    }
    if (ok) {
        all = heap_in_use();
        for (size_t i = 0; i < MEM_PAIRS; i++) {
            SSL_free(s[i]);
            s[i] = NULL;
        }
        clients = heap_in_use();
        *out_client = (clients - before) / MEM_PAIRS;
        *out_server = (all - clients) / MEM_PAIRS;
    }
    for (size_t i = 0; c != NULL && s != NULL && i < MEM_PAIRS; i++) {
        SSL_free(c[i]);
        SSL_free(s[i]);
    }
    free(c);
    free(s);
    return ok;
}

/* ---- the crypto floor ---- */

/* Bytes of a full handshake's transcript, about what both stacks hash with
 * these chains (ClientHello to client Finished). */
#define FLOOR_TRANSCRIPT 2048

typedef struct {
    EVP_PKEY *server_key; /* the CertificateVerify key */
    int rsa;
    EC_KEY *ca; /* stands for the intermediate and the root */
    uint8_t ca_digest[32];
    uint8_t ca_sig[80]; /* a DER ECDSA P-256 signature: at most 72 bytes */
    size_t ca_sig_len;
    uint8_t transcript[FLOOR_TRANSCRIPT];
} floor_arg;

static int expand_label(uint8_t *out, size_t out_len, const uint8_t *secret, const char *label,
                        const uint8_t *context, size_t context_len) {
    /* RFC 8446 §7.1 HkdfLabel: length, "tls13 " + label, context. */
    uint8_t info[2 + 1 + 255 + 1 + 255];
    size_t label_len = strlen(label), n = 0;
    info[n++] = (uint8_t)(out_len >> 8);
    info[n++] = (uint8_t)out_len;
    info[n++] = (uint8_t)(6 + label_len);
    memcpy(info + n, "tls13 ", 6);
    n += 6;
    memcpy(info + n, label, label_len);
    n += label_len;
    info[n++] = (uint8_t)context_len;
    if (context_len > 0) {
        memcpy(info + n, context, context_len);
        n += context_len;
    }
    return HKDF_expand(out, out_len, EVP_sha256(), secret, 32, info, n);
}

/* One side's TLS 1.3 schedule (RFC 8446 §7.1, §7.3, §4.4.4) with SHA-256:
 * the transcript hashes, every Derive-Secret, the four traffic keys and IVs
 * and both Finished MACs. */
static int floor_schedule(const floor_arg *a, const uint8_t ecdhe[32]) {
    static const uint8_t kZeros[32] = {0};
    uint8_t empty[32], early[32], derived[32], hs[32], master[32], th_sh[32], th_fin[32];
    uint8_t secrets[4][32], key[16], iv[12], fkey[32], mac[32];
    unsigned mac_len;
    size_t n;
    SHA256_CTX sha, copy;
    SHA256_Init(&sha);
    SHA256_Update(&sha, a->transcript, 300); /* ClientHello, ServerHello */
    copy = sha;
    SHA256_Final(th_sh, &copy);
    SHA256_Update(&sha, a->transcript + 300, FLOOR_TRANSCRIPT - 300);
    copy = sha;
    SHA256_Final(th_fin, &copy);
    SHA256((const uint8_t *)"", 0, empty);
    int ok = HKDF_extract(early, &n, EVP_sha256(), kZeros, 32, kZeros, 32) &&
             expand_label(derived, 32, early, "derived", empty, 32) &&
             HKDF_extract(hs, &n, EVP_sha256(), ecdhe, 32, derived, 32) &&
             expand_label(secrets[0], 32, hs, "c hs traffic", th_sh, 32) &&
             expand_label(secrets[1], 32, hs, "s hs traffic", th_sh, 32) &&
             expand_label(derived, 32, hs, "derived", empty, 32) &&
             HKDF_extract(master, &n, EVP_sha256(), kZeros, 32, derived, 32) &&
             expand_label(secrets[2], 32, master, "c ap traffic", th_fin, 32) &&
             expand_label(secrets[3], 32, master, "s ap traffic", th_fin, 32);
    for (int i = 0; ok && i < 4; i++) {
        ok = expand_label(key, sizeof(key), secrets[i], "key", NULL, 0) &&
             expand_label(iv, sizeof(iv), secrets[i], "iv", NULL, 0);
    }
    for (int i = 0; ok && i < 2; i++) {
        ok = expand_label(fkey, 32, secrets[i], "finished", NULL, 0) &&
             HMAC(EVP_sha256(), fkey, 32, th_fin, 32, mac, &mac_len) != NULL;
    }
    OPENSSL_cleanse(secrets, sizeof(secrets));
    OPENSSL_cleanse(hs, sizeof(hs));
    OPENSSL_cleanse(master, sizeof(master));
    return ok;
}

/* The server's CertificateVerify signature and the client's check of it
 * (RFC 8446 §4.4.3), RSA-PSS for RSA keys. */
static int floor_cert_verify(const floor_arg *a) {
    uint8_t content[64 + 33 + 1 + 32], sig[512];
    size_t sig_len = sizeof(sig);
    memset(content, 0x20, 64);
    memcpy(content + 64, "TLS 1.3, server CertificateVerify", 33);
    content[97] = 0;
    SHA256(a->transcript, 1500, content + 98);
    EVP_MD_CTX ctx;
    EVP_PKEY_CTX *pctx;
    EVP_MD_CTX_init(&ctx);
    int ok = EVP_DigestSignInit(&ctx, &pctx, EVP_sha256(), NULL, a->server_key) &&
             (!a->rsa || (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) &&
                          EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, -1))) &&
             EVP_DigestSign(&ctx, sig, &sig_len, content, sizeof(content));
    EVP_MD_CTX_cleanup(&ctx);
    EVP_MD_CTX_init(&ctx);
    ok = ok && EVP_DigestVerifyInit(&ctx, &pctx, EVP_sha256(), NULL, a->server_key) &&
         (!a->rsa || (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) &&
                      EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, -1))) &&
         EVP_DigestVerify(&ctx, sig, sig_len, content, sizeof(content));
    EVP_MD_CTX_cleanup(&ctx);
    return ok;
}

/* The crypto of one full handshake, both sides: X25519 key generation and
 * agreement on each side, the CertificateVerify signature and its check, the
 * client's two chain signature checks (leaf by the intermediate, intermediate
 * by the root: ECDSA P-256 here) and each side's key schedule. */
static int floor_handshake(void *arg, double *units) {
    const floor_arg *a = arg;
    uint8_t cpub[32], cpriv[32], spub[32], spriv[32], cshared[32], sshared[32];
    X25519_keypair(cpub, cpriv);
    X25519_keypair(spub, spriv);
    int ok = X25519(sshared, spriv, cpub) && X25519(cshared, cpriv, spub) && floor_cert_verify(a) &&
             ECDSA_verify(0, a->ca_digest, 32, a->ca_sig, a->ca_sig_len, a->ca) &&
             ECDSA_verify(0, a->ca_digest, 32, a->ca_sig, a->ca_sig_len, a->ca) &&
             floor_schedule(a, sshared) && floor_schedule(a, cshared);
    OPENSSL_cleanse(cpriv, sizeof(cpriv));
    OPENSSL_cleanse(spriv, sizeof(spriv));
    *units += 1;
    return ok;
}

/* Keys and inputs for floor_handshake with |key|'s CertificateVerify. */
static int floor_open(const bench *b, int key, floor_arg *a) {
    memset(a, 0, sizeof(*a));
    a->server_key = b->ck[key].key;
    a->rsa = key == KEY_RSA;
    memset(a->transcript, 0x5a, sizeof(a->transcript));
    memset(a->ca_digest, 0xa5, sizeof(a->ca_digest));
    unsigned sig_len = 0;
    a->ca = EC_KEY_new_by_curve_name(NID_X9_62_prime256v1);
    int ok = a->ca != NULL && EC_KEY_generate_key(a->ca) &&
             ECDSA_size(a->ca) <= sizeof(a->ca_sig) &&
             ECDSA_sign(0, a->ca_digest, 32, a->ca_sig, &sig_len, a->ca);
    a->ca_sig_len = sig_len;
    return ok;
}

/* ---- the rows ---- */

static int wanted(const bench *b, int r) {
    return b->only == NULL || strcmp(b->only, kRows[r].name) == 0;
}

static void set_ours(row *r, int ok, double v, const char *why) {
    r->has_ours = ok;
    r->ours = v;
    if (!ok) {
        snprintf(r->why_ours, sizeof(r->why_ours), "%s", why);
    }
}

static void set_bssl(row *r, int ok, double v, const char *why) {
    r->has_bssl = ok;
    r->bssl = v;
    if (!ok) {
        snprintf(r->why_bssl, sizeof(r->why_bssl), "%s", why);
    }
}

/* Ours, BoringSSL and, for the floor row, the raw crypto, interleaved. */
static void run_handshake_row(const bench *b, int key, int with_floor, row *r, row *floor) {
    ours_hs_arg oa = {&b->cli, &b->srv[key], 0};
    bssl_hs_arg ba = {b->bssl_cli, b->bssl_srv[key], NULL, NULL};
    floor_arg fa;
    contender cs[3] = {
        {ours_handshake, &oa,
         ours_check(&oa, TH_VERSION_TLS13, TH_TLS_AES_128_GCM_SHA256, TH_GROUP_X25519,
                    kSigSchemes[key], 0),
         0},
        {bssl_handshake, &ba,
         bssl_check(&ba, TLS1_3_VERSION, TH_TLS_AES_128_GCM_SHA256, kSigSchemes[key], 0), 0},
        {floor_handshake, &fa, with_floor && floor_open(b, key, &fa), 0},
    };
    measure(b, cs, with_floor ? 3 : 2);
    set_ours(r, cs[0].ok, cs[0].rate, "FAILED (handshake did not complete as configured)");
    set_bssl(r, cs[1].ok, cs[1].rate, "FAILED (handshake did not complete as configured)");
    if (!with_floor) {
        return;
    }
    EC_KEY_free(fa.ca);
    floor->is_floor = 1;
    if (!cs[2].ok || cs[2].rate <= 0) {
        set_ours(floor, 0, 0, "FAILED");
        set_bssl(floor, 0, 0, "FAILED");
        return;
    }
    /* Share of one handshake: the floor's time over the stack's time. */
    floor->floor_us = 1e6 / cs[2].rate;
    set_ours(floor, cs[0].ok, cs[0].rate / cs[2].rate, "n/a (no handshake rate)");
    set_bssl(floor, cs[1].ok, cs[1].rate / cs[2].rate, "n/a (no handshake rate)");
    snprintf(floor->note, sizeof(floor->note),
             "floor %.1f us/handshake: X25519 keygen+derive x2, %s sign+verify, 2 ECDSA-P256 "
             "chain verifies, HKDF schedule x2",
             floor->floor_us, key == KEY_RSA ? "RSA-PSS-2048" : "ECDSA-P256");
}

static void run_resumed_row(const bench *b, row *r) {
    /* Ours: a full handshake with tickets, then every handshake offers its
     * first ticket; the server issues its default tickets each time. */
    th_config cli = b->cli, srv = b->srv[KEY_ECDSA];
    srv.tickets = b->tickets;
    th_conn *c, *s;
    th_session *session = NULL;
    if (b->tickets != NULL && ours_pair(&cli, &srv, &c, &s)) {
        session = ours_server_byte(c, s) ? th_conn_take_session(c) : NULL;
        th_conn_free(c);
        th_conn_free(s);
    }
    cli.session = session;
    ours_hs_arg oa = {&cli, &srv, 1};

    /* BoringSSL: the session of one full handshake, resumed every time. */
    SSL *sc, *ss;
    SSL_SESSION *bsess = NULL;
    if (bssl_pair(b->bssl_cli_tickets, b->bssl_srv_tickets, NULL, NULL, &sc, &ss)) {
        SSL_set_app_data(sc, &bsess);
        if (!bssl_server_byte(sc, ss)) {
            SSL_SESSION_free(bsess);
            bsess = NULL;
        }
        SSL_free(sc);
        SSL_free(ss);
        ERR_clear_error();
    }
    bssl_hs_arg ba = {b->bssl_cli_tickets, b->bssl_srv_tickets, NULL, bsess};

    contender cs[2] = {
        {ours_handshake, &oa,
         session != NULL &&
             ours_check(&oa, TH_VERSION_TLS13, TH_TLS_AES_128_GCM_SHA256, TH_GROUP_X25519, 0, 1),
         0},
        {bssl_handshake, &ba,
         bsess != NULL && bssl_check(&ba, TLS1_3_VERSION, TH_TLS_AES_128_GCM_SHA256, 0, 1), 0},
    };
    measure(b, cs, 2);
    set_ours(r, cs[0].ok, cs[0].rate,
             session == NULL ? "n/a (no session from the engine)"
                             : "FAILED (the engine did not resume)");
    set_bssl(r, cs[1].ok, cs[1].rate, "FAILED (BoringSSL did not resume)");
    th_session_free(session);
    SSL_SESSION_free(bsess);
}

/* TLS 1.2 full handshakes with |key|'s suite (kSuites12): ECDHE-ECDSA over
 * X25519, or RSA key exchange (no group, no signature). */
static void run_handshake12_row(const bench *b, int key, row *r) {
    ours_hs_arg oa = {&b->cli12[key], &b->srv12[key], 0};
    bssl_hs_arg ba = {b->bssl_cli12[key], b->bssl_srv12[key], NULL, NULL};
    int ecdhe = key == KEY_ECDSA;
    uint16_t group = ecdhe ? TH_GROUP_X25519 : 0, sig = ecdhe ? kSigSchemes[KEY_ECDSA] : 0;
    contender cs[2] = {
        {ours_handshake, &oa, ours_check(&oa, TH_VERSION_TLS12, kSuites12[key], group, sig, 0), 0},
        {bssl_handshake, &ba, bssl_check(&ba, TLS1_2_VERSION, kSuites12[key], sig, 0), 0},
    };
    measure(b, cs, 2);
    set_ours(r, cs[0].ok, cs[0].rate, "FAILED (handshake did not complete as configured)");
    set_bssl(r, cs[1].ok, cs[1].rate, "FAILED (handshake did not complete as configured)");
}

/* TLS 1.2 abbreviated handshakes: the ticket (RFC 5077) of one full
 * ECDHE-ECDSA handshake offered every time. */
static void run_resumed12_row(const bench *b, row *r) {
    th_config cli = b->cli12[KEY_ECDSA], srv = b->srv12[KEY_ECDSA];
    srv.tickets = b->tickets;
    th_conn *c, *s;
    th_session *session = NULL;
    if (b->tickets != NULL && ours_pair(&cli, &srv, &c, &s)) {
        session = th_conn_take_session(c);
        th_conn_free(c);
        th_conn_free(s);
    }
    cli.session = session;
    ours_hs_arg oa = {&cli, &srv, 1};

    SSL *sc, *ss;
    SSL_SESSION *bsess = NULL;
    if (bssl_pair(b->bssl_cli12_tickets, b->bssl_srv12_tickets, NULL, NULL, &sc, &ss)) {
        /* In TLS 1.2 the session is complete with the handshake. */
        bsess = SSL_get1_session(sc);
        SSL_free(sc);
        SSL_free(ss);
        ERR_clear_error();
    }
    bssl_hs_arg ba = {b->bssl_cli12_tickets, b->bssl_srv12_tickets, NULL, bsess};
    contender cs[2] = {
        {ours_handshake, &oa,
         session != NULL && ours_check(&oa, TH_VERSION_TLS12, kSuites12[KEY_ECDSA], 0, 0, 1), 0},
        {bssl_handshake, &ba,
         bsess != NULL && bssl_check(&ba, TLS1_2_VERSION, kSuites12[KEY_ECDSA], 0, 1), 0},
    };
    measure(b, cs, 2);
    set_ours(r, cs[0].ok, cs[0].rate,
             session == NULL ? "FAILED (no session from the engine)"
                             : "FAILED (the engine did not resume)");
    set_bssl(r, cs[1].ok, cs[1].rate, "FAILED (BoringSSL did not resume)");
    snprintf(r->note, sizeof(r->note),
             "one byte from the server after each resumption, in both stacks (as the TLS 1.3 row)");
    th_session_free(session);
    SSL_SESSION_free(bsess);
}

static void run_bulk_row(const bench *b, int which, row *r) {
    static const uint16_t *const kSuite[3] = {kAes128, kAes256, kChacha};
    bulk_arg oa, ba;
    contender cs[2] = {
        {ours_bulk, &oa, ours_bulk_open(b, kSuite[which], &oa), 0},
        {bssl_bulk, &ba, 0, 0},
    };
    memset(&ba, 0, sizeof(ba));
    if (which == 0) {
        cs[1].ok = bssl_bulk_open(b, kAes128[0], NULL, &ba);
    } else if (which == 1) {
        /* BoringSSL's server takes AES-256-GCM over AES-128-GCM only with a
         * post-quantum group; CECPQ2 here, which changes no record. */
        cs[1].ok = bssl_bulk_open(b, kAes256[0], "CECPQ2", &ba);
        snprintf(r->note, sizeof(r->note), "BoringSSL pair keyed through CECPQ2 to get AES-256");
    }
    measure(b, cs, which == 2 ? 1 : 2);
    bulk_close(&oa);
    bulk_close(&ba);
    set_ours(r, cs[0].ok, cs[0].rate / 1e6, "FAILED");
    if (which != 2) {
        set_bssl(r, cs[1].ok, cs[1].rate / 1e6, "FAILED");
        return;
    }
    char why[96];
    double v = 0;
    int ok = bssl_chacha_rate(b, &v, why, sizeof(why));
    set_bssl(r, ok, v, why);
    snprintf(r->note, sizeof(r->note),
             "BoringSSL measured in a child process with OPENSSL_ia32cap=" NO_AESNI_MASK);
}

static void run_memory_row(const bench *b, row *r) {
    /* A sanitizer's allocator bypasses glibc's arena: mallinfo2 then sees
     * nothing, and the row says so rather than print 0. */
    static const char kNoHeap[] = "n/a (no glibc heap: sanitizer?)";
    double oc = 0, os = 0, bc = 0, bs = 0;
    int ok = ours_memory(b, &oc, &os);
    set_ours(r, ok && oc + os > 0, (oc + os) / 2, ok ? kNoHeap : "FAILED");
    ok = bssl_memory(b, &bc, &bs);
    set_bssl(r, ok && bc + bs > 0, (bc + bs) / 2, ok ? kNoHeap : "FAILED");
    snprintf(r->note, sizeof(r->note),
             "client/server bytes: ours %.0f/%.0f, BoringSSL %.0f/%.0f (mallinfo2 around %d "
             "established pairs)",
             oc, os, bc, bs, MEM_PAIRS);
    r->lower_better = 1;
}

static void format_value(const row *r, int ours, char *out, size_t out_len) {
    int has = ours ? r->has_ours : r->has_bssl;
    double v = ours ? r->ours : r->bssl;
    if (!has) {
        snprintf(out, out_len, "%s", ours ? r->why_ours : r->why_bssl);
    } else if (r->is_floor) {
        snprintf(out, out_len, "%.1f%%", 100 * v);
    } else if (v >= 100) {
        snprintf(out, out_len, "%.0f", v);
    } else {
        snprintf(out, out_len, "%.2f", v);
    }
}

static void print_table(const row *rows, const int *done) {
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
    printf("warning: this tlsharness is built with a sanitizer: the numbers say nothing about "
           "speed (configure with -DTH_SANITIZE=OFF -DCMAKE_BUILD_TYPE=Release)\n");
#endif
    printf("%-61s | %-12s | %-12s | %s\n", "metric", "ours", "BoringSSL", "ratio (ours/BoringSSL)");
    for (int i = 0; i < NUM_ROWS; i++) {
        if (!done[i]) {
            continue;
        }
        const row *r = &rows[i];
        char o[128], s[128], ratio[32] = "-";
        format_value(r, 1, o, sizeof(o));
        format_value(r, 0, s, sizeof(s));
        if (r->has_ours && r->has_bssl && r->bssl > 0 && !r->is_floor) {
            snprintf(ratio, sizeof(ratio), "%.2f", r->ours / r->bssl);
        }
        printf("%-61s | %-12s | %-12s | %s\n", r->label, o, s, ratio);
    }
    printf("\n");
    for (int i = 0; i < NUM_ROWS; i++) {
        if (done[i] && rows[i].note[0] != '\0') {
            printf("note: %s: %s\n", rows[i].name, rows[i].note);
        }
    }
    printf("method: one process, in memory, TLS 1.3 unless the row says TLS 1.2; the client\n"
           "  verifies the chain (trust-bundle.pem) and the name localhost in both stacks. TLS\n"
           "  1.2 full handshakes: extended master secret, no tickets or session cache on either\n"
           "  server. Ours and BoringSSL take turns in 0.1 s slices; each gets 3 runs of\n"
           "  --seconds after a warm-up, median shown.\n"
           "  Rates are per second of this thread's CPU time (other load does not count). One\n"
           "  handshake = a client's and a server's. MB = 10^6 bytes of application data, one\n"
           "  direction, sealed and opened. Memory: heap in use (mallinfo2) per connection,\n"
           "  mean of client and server, transport buffers excluded; lower is better.\n");
    printf("goals (not asserted): handshake ratio >= 1.0, bulk ratio >= 0.95\n");
}

static int print_json(const bench *b, const row *rows, const int *done) {
    json_t *root = json_object(), *arr = json_array();
    json_object_set_new(root, "seconds", json_real(b->seconds));
    json_object_set_new(root, "runs", json_integer(NUM_RUNS));
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
    json_object_set_new(root, "sanitizer_build", json_true());
#else
    json_object_set_new(root, "sanitizer_build", json_false());
#endif
    for (int i = 0; i < NUM_ROWS; i++) {
        if (!done[i]) {
            continue;
        }
        const row *r = &rows[i];
        json_t *o = json_object();
        json_object_set_new(o, "name", json_string(r->name));
        json_object_set_new(o, "metric", json_string(r->label));
        json_object_set_new(o, "unit", json_string(r->unit));
        json_object_set_new(o, "ours", r->has_ours ? json_real(r->ours) : json_null());
        json_object_set_new(o, "boringssl", r->has_bssl ? json_real(r->bssl) : json_null());
        json_object_set_new(o, "ratio",
                            r->has_ours && r->has_bssl && r->bssl > 0 && !r->is_floor
                                ? json_real(r->ours / r->bssl)
                                : json_null());
        if (!r->has_ours) {
            json_object_set_new(o, "ours_reason", json_string(r->why_ours));
        }
        if (!r->has_bssl) {
            json_object_set_new(o, "boringssl_reason", json_string(r->why_bssl));
        }
        if (r->is_floor) {
            json_object_set_new(o, "floor_us", json_real(r->floor_us));
        }
        if (r->lower_better) {
            json_object_set_new(o, "lower_is_better", json_true());
        }
        if (r->note[0] != '\0') {
            json_object_set_new(o, "note", json_string(r->note));
        }
        json_array_append_new(arr, o);
    }
    json_object_set_new(root, "rows", arr);
    json_t *goals = json_object();
    json_object_set_new(goals, "handshake_ratio_min", json_real(1.0));
    json_object_set_new(goals, "bulk_ratio_min", json_real(0.95));
    json_object_set_new(root, "goals", goals);
    int ok = json_dumpf(root, stdout, JSON_INDENT(2)) == 0;
    printf("\n");
    json_decref(root);
    return ok;
}

/* ---- setup and the command ---- */

static int setup(bench *b) {
    char cert[1100], key[1100], err[1400], bundle[1100];
    for (int k = 0; k < NUM_KEYS; k++) {
        snprintf(cert, sizeof(cert), "%s/%s-chain.pem", b->pki, kKeyFiles[k]);
        snprintf(key, sizeof(key), "%s/%s.key", b->pki, kKeyFiles[k]);
        if (!th_cert_key_load(cert, key, &b->ck[k], err, sizeof(err))) {
            fprintf(stderr, "bench: %s\n", err);
            return 0;
        }
    }
    snprintf(bundle, sizeof(bundle), "%s/trust-bundle.pem", b->pki);
    if (!th_trust_store_load(bundle, &b->store, err, sizeof(err))) {
        fprintf(stderr, "bench: %s\n", err);
        return 0;
    }
    b->cli.cipher_suites = kAes128;
    b->cli.num_cipher_suites = 1;
    b->cli.groups = kX25519;
    b->cli.num_groups = 1;
    b->cli.server_name = "localhost";
    b->cli.trust_store = b->store;
    for (int k = 0; k < NUM_KEYS; k++) {
        b->srv[k].cipher_suites = kAes128;
        b->srv[k].num_cipher_suites = 1;
        b->srv[k].groups = kX25519;
        b->srv[k].num_groups = 1;
        b->srv[k].cert_key = &b->ck[k];
    }
    for (int k = 0; k < NUM_KEYS; k++) {
        th_config *c12 = &b->cli12[k], *s12 = &b->srv12[k];
        *c12 = b->cli;
        *s12 = b->srv[k];
        c12->versions = s12->versions = kTls12;
        c12->num_versions = s12->num_versions = 1;
        c12->cipher_suites = s12->cipher_suites = &kSuites12[k];
        c12->num_cipher_suites = s12->num_cipher_suites = 1;
        c12->groups = s12->groups = kX25519P256;
        c12->num_groups = s12->num_groups = 2;
    }
    b->tickets = th_ticket_ctx_new(NULL, 0);
    b->bssl_cli = bssl_ctx(b, TLS1_3_VERSION, -1, 0, NULL);
    b->bssl_srv[KEY_ECDSA] = bssl_ctx(b, TLS1_3_VERSION, KEY_ECDSA, 0, NULL);
    b->bssl_srv[KEY_RSA] = bssl_ctx(b, TLS1_3_VERSION, KEY_RSA, 0, NULL);
    b->bssl_srv_tickets = bssl_ctx(b, TLS1_3_VERSION, KEY_ECDSA, 1, NULL);
    b->bssl_cli_tickets = bssl_ctx(b, TLS1_3_VERSION, -1, 1, NULL);
    int ok12 = 1;
    for (int k = 0; k < NUM_KEYS; k++) {
        b->bssl_cli12[k] = bssl_ctx(b, TLS1_2_VERSION, -1, 0, kBsslCiphers12[k]);
        b->bssl_srv12[k] = bssl_ctx(b, TLS1_2_VERSION, k, 0, kBsslCiphers12[k]);
        ok12 = ok12 && b->bssl_cli12[k] != NULL && b->bssl_srv12[k] != NULL;
    }
    b->bssl_cli12_tickets = bssl_ctx(b, TLS1_2_VERSION, -1, 1, kBsslCiphers12[KEY_ECDSA]);
    b->bssl_srv12_tickets = bssl_ctx(b, TLS1_2_VERSION, KEY_ECDSA, 1, kBsslCiphers12[KEY_ECDSA]);
    b->buf = malloc(BULK_CHUNK);
    b->sink = malloc(BULK_CHUNK);
    if (b->bssl_cli == NULL || b->bssl_srv[0] == NULL || b->bssl_srv[1] == NULL ||
        b->bssl_srv_tickets == NULL || b->bssl_cli_tickets == NULL || !ok12 ||
        b->bssl_cli12_tickets == NULL || b->bssl_srv12_tickets == NULL || b->buf == NULL ||
        b->sink == NULL) {
        fprintf(stderr, "bench: cannot set up BoringSSL with the keys of %s\n", b->pki);
        return 0;
    }
    for (size_t i = 0; i < BULK_CHUNK; i++) {
        b->buf[i] = (uint8_t)(i * 131 + 7);
    }
    return 1;
}

static void cleanup(bench *b) {
    for (int k = 0; k < NUM_KEYS; k++) {
        th_cert_key_cleanup(&b->ck[k]);
        SSL_CTX_free(b->bssl_srv[k]);
        SSL_CTX_free(b->bssl_cli12[k]);
        SSL_CTX_free(b->bssl_srv12[k]);
    }
    SSL_CTX_free(b->bssl_cli12_tickets);
    SSL_CTX_free(b->bssl_srv12_tickets);
    X509_STORE_free(b->store);
    th_ticket_ctx_free(b->tickets);
    SSL_CTX_free(b->bssl_cli);
    SSL_CTX_free(b->bssl_srv_tickets);
    SSL_CTX_free(b->bssl_cli_tickets);
    free(b->buf);
    free(b->sink);
}

/* The PKI folder: scenarios/pki under the working directory, else the
 * source tree's. */
static void default_pki(char *out, size_t out_len) {
    struct stat st;
    if (stat("scenarios/pki/trust-bundle.pem", &st) == 0) {
        snprintf(out, out_len, "scenarios/pki");
        return;
    }
#ifdef TH_CORPUS_VECTORS_DIR
    snprintf(out, out_len, "%s", TH_CORPUS_VECTORS_DIR "/../../scenarios/pki");
#else
    snprintf(out, out_len, "scenarios/pki");
#endif
}

static void usage(FILE *f) {
    fprintf(f, "usage: tlsharness bench [--seconds S] [--only NAME] [--json] [--pki DIR]\n\n"
               "Runs our engine and BoringSSL's libssl side by side in this process (TLS 1.3, and\n"
               "TLS 1.2 rows), in memory, with the same keys (DIR/server-ecdsa-p256,\n"
               "server-rsa2048, verified against DIR/trust-bundle.pem), and prints\n"
               "metric | ours | BoringSSL | ratio.\n"
               "Each measurement runs S seconds (default 2) after a warm-up, three times; the\n"
               "median is reported. Goals are printed, never asserted.\n\n"
               "  --seconds S   seconds per run (default 2)\n"
               "  --only NAME   one row:");
    for (int i = 0; i < NUM_ROWS; i++) {
        fprintf(f, " %s", kRows[i].name);
    }
    fprintf(f, "\n  --json        machine-readable output\n"
               "  --pki DIR     the test PKI (default scenarios/pki)\n");
}

int th_cli_bench(int argc, char **argv) {
    bench b;
    memset(&b, 0, sizeof(b));
    b.seconds = 2;
    default_pki(b.pki, sizeof(b.pki));
    int child = 0;
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
            usage(stdout);
            return 0;
        } else if (strcmp(arg, "--json") == 0) {
            b.json = 1;
        } else if (strcmp(arg, "--bssl-chacha-child") == 0) {
            child = 1;
        } else if (strcmp(arg, "--seconds") == 0 || strcmp(arg, "--only") == 0 ||
                   strcmp(arg, "--pki") == 0) {
            if (i + 1 >= argc) {
                fprintf(stderr, "bench: %s needs a value\n", arg);
                return 2;
            }
            const char *val = argv[++i];
            if (strcmp(arg, "--seconds") == 0) {
                char *end;
                b.seconds = strtod(val, &end);
                if (*end != '\0' || !isfinite(b.seconds) || b.seconds <= 0 || b.seconds > 3600) {
                    fprintf(stderr, "bench: --seconds needs a positive number (at most 3600)\n");
                    return 2;
                }
            } else if (strcmp(arg, "--only") == 0) {
                b.only = val;
            } else {
                snprintf(b.pki, sizeof(b.pki), "%s", val);
            }
        } else {
            fprintf(stderr, "bench: unknown option '%s'\n", arg);
            usage(stderr);
            return 2;
        }
    }
    int known = b.only == NULL;
    for (int i = 0; !known && i < NUM_ROWS; i++) {
        known = strcmp(b.only, kRows[i].name) == 0;
    }
    if (!known) {
        fprintf(stderr, "bench: unknown row '%s' (see --help)\n", b.only);
        return 2;
    }
    if (!setup(&b)) {
        cleanup(&b);
        return 2;
    }
    if (child) {
        int rc = chacha_child(&b);
        cleanup(&b);
        return rc;
    }

    row rows[NUM_ROWS];
    int done[NUM_ROWS] = {0};
    memset(rows, 0, sizeof(rows));
    for (int i = 0; i < NUM_ROWS; i++) {
        rows[i].name = kRows[i].name;
        rows[i].label = kRows[i].label;
        rows[i].unit = kRows[i].unit;
    }
    /* The floor rows are measured with their handshakes. */
    for (int k = 0; k < NUM_KEYS; k++) {
        int floor = wanted(&b, ROW_FLOOR_ECDSA + k);
        if (floor || wanted(&b, ROW_HS_ECDSA + k)) {
            run_handshake_row(&b, k, floor, &rows[ROW_HS_ECDSA + k], &rows[ROW_FLOOR_ECDSA + k]);
            done[ROW_HS_ECDSA + k] = wanted(&b, ROW_HS_ECDSA + k);
            done[ROW_FLOOR_ECDSA + k] = floor;
        }
    }
    if (wanted(&b, ROW_RESUMED)) {
        run_resumed_row(&b, &rows[ROW_RESUMED]);
        done[ROW_RESUMED] = 1;
    }
    for (int k = 0; k < NUM_KEYS; k++) {
        if (wanted(&b, ROW_HS12_ECDSA + k)) {
            run_handshake12_row(&b, k, &rows[ROW_HS12_ECDSA + k]);
            done[ROW_HS12_ECDSA + k] = 1;
        }
    }
    if (wanted(&b, ROW_RESUMED12)) {
        run_resumed12_row(&b, &rows[ROW_RESUMED12]);
        done[ROW_RESUMED12] = 1;
    }
    for (int i = 0; i < 3; i++) {
        if (wanted(&b, ROW_BULK_AES128 + i)) {
            run_bulk_row(&b, i, &rows[ROW_BULK_AES128 + i]);
            done[ROW_BULK_AES128 + i] = 1;
        }
    }
    if (wanted(&b, ROW_MEMORY)) {
        run_memory_row(&b, &rows[ROW_MEMORY]);
        done[ROW_MEMORY] = 1;
    }
    int ok = 1;
    if (b.json) {
        ok = print_json(&b, rows, done);
    } else {
        print_table(rows, done);
    }
    /* A failed measurement (not a missing feature) is exit 1. */
    for (int i = 0; i < NUM_ROWS; i++) {
        if (done[i] && ((!rows[i].has_ours && strncmp(rows[i].why_ours, "FAILED", 6) == 0) ||
                        (!rows[i].has_bssl && strncmp(rows[i].why_bssl, "FAILED", 6) == 0))) {
            ok = 0;
        }
    }
    ERR_clear_error();
    cleanup(&b);
    return ok ? 0 : 1;
}
