/* Whole-handshake targets with every real check (the *_no_fuzzer_mode
 * variants; handshake13_unsafe.c runs the same logic against the engine built
 * with TH_FUZZING_UNSAFE, which skips signature, Finished and binder checks).
 * The fuzzer's bytes are
 * the peer's records, fed to our engine in pieces the input itself sizes.
 * Oracles: the engine never crashes or leaks; a failed connection has sent or
 * received an alert and then produces nothing new; garbage never establishes
 * a connection; the same input twice gives the same transcript. */
#include <stdlib.h>
#include <string.h>

#include <openssl/bytestring.h>
#include <openssl/curve25519.h>
#include <openssl/evp.h>
#include <openssl/mem.h>
#include <openssl/x509.h>

#include "conn.h"
#include "fuzz.h"

/* Deterministic randomness: a counter, so two runs are byte-identical. */
static void counter_random(void *ctx, uint8_t *out, size_t len) {
    uint32_t *counter = ctx;
    for (size_t i = 0; i < len; i++) {
        out[i] = (uint8_t)(*counter * 131 + i * 7 + 1);
    }
    (*counter)++;
}

static time_t fixed_now(void *ctx) {
    (void)ctx;
    return 1764000000; /* 2025-11-24 */
}

/* A self-signed Ed25519 certificate for "localhost" from a fixed seed, built
 * once: fuzz binaries run far from the repository's PKI files. */
static int make_cert_key(th_cert_key *out) {
    static const uint8_t kSeed[32] = {0x74, 0x6c, 0x73, 0x68, 0x61, 0x72, 0x6e, 0x65, 0x73, 0x73};
    EVP_PKEY *key = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, kSeed, sizeof(kSeed));
    X509 *x = X509_new();
    X509_NAME *name = X509_NAME_new();
    uint8_t *der = NULL;
    int der_len = -1;
    if (key != NULL && x != NULL && name != NULL && X509_set_version(x, X509_VERSION_3) &&
        ASN1_INTEGER_set(X509_get_serialNumber(x), 1) &&
        X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const uint8_t *)"localhost", -1, -1,
                                   0) &&
        X509_set_subject_name(x, name) && X509_set_issuer_name(x, name) &&
        ASN1_TIME_set(X509_getm_notBefore(x), 946684800) &&
        ASN1_TIME_set(X509_getm_notAfter(x), 4102444799) && X509_set_pubkey(x, key) &&
        X509_sign(x, key, NULL)) {
        der_len = i2d_X509(x, &der);
    }
    X509_NAME_free(name);
    X509_free(x);
    memset(out, 0, sizeof(*out));
    if (der_len <= 0 || (out->chain = malloc(sizeof(th_bytes))) == NULL) {
        OPENSSL_free(der);
        EVP_PKEY_free(key);
        return 0;
    }
    out->chain[0].data = der; /* owned DER, freed with the process */
    out->chain[0].len = (size_t)der_len;
    out->num_chain = 1;
    out->key = key;
    return 1;
}

/* Built on first use and kept for the process, as libFuzzer targets do. */
static const th_cert_key *cert_key(void) {
    static th_cert_key ck;
    static int made;
    if (!made) {
        if (!make_cert_key(&ck)) {
            abort();
        }
        made = 1;
    }
    return &ck;
}

/* Runs one connection against |data| as the peer's bytes and writes what the
 * engine sent into |transcript|. Returns the final alert sent, or
 * TH_FUZZ_ACCEPTED when none was. */
static void target_config(th_config *cfg, th_role role, uint32_t *counter) {
    memset(cfg, 0, sizeof(*cfg));
    cfg->random = counter_random;
    cfg->random_ctx = counter;
    cfg->now = fixed_now;
    cfg->server_name = "localhost";
    cfg->insecure_skip_verify = 1; /* the chain is checked elsewhere; signatures still are */
    if (role == TH_ROLE_SERVER) {
        cfg->cert_key = cert_key();
    }
}

/* Appends |bytes| to |seed| in the targets' input format: pieces of at most
 * 256 bytes, each after a byte holding its length - 1. */
static int add_pieces(CBB *seed, const uint8_t *bytes, size_t len) {
    while (len != 0) {
        size_t n = len < 256 ? len : 256;
        if (!CBB_add_u8(seed, (uint8_t)(n - 1)) || !CBB_add_bytes(seed, bytes, n)) {
            return 0;
        }
        bytes += n;
        len -= n;
    }
    return 1;
}

/* Moves everything |from| has to send into |to| and into |seed|. */
static int shuttle(th_conn *from, th_conn *to, CBB *seed) {
    uint8_t buf[4096];
    size_t n;
    while ((n = th_conn_take_output(from, buf, sizeof(buf))) != 0) {
        if (!add_pieces(seed, buf, n) || !th_conn_recv(to, buf, n)) {
            return 0;
        }
    }
    return 1;
}

int th_fuzz_handshake13_seeds(CBB *client_target_seed, CBB *server_target_seed) {
    /* Both peers use the targets' own configuration and randomness, so
     * replaying one side's bytes against the target reproduces the whole
     * handshake, up to application data and close_notify. */
    uint32_t client_counter = 0, server_counter = 0;
    th_config client_cfg, server_cfg;
    target_config(&client_cfg, TH_ROLE_CLIENT, &client_counter);
    target_config(&server_cfg, TH_ROLE_SERVER, &server_counter);
    th_conn *client = th_conn_new(&client_cfg, TH_ROLE_CLIENT);
    th_conn *server = th_conn_new(&server_cfg, TH_ROLE_SERVER);
    static const uint8_t kPing[] = "ping", kPong[] = "pong";
    int ok = client != NULL && server != NULL;
    for (int round = 0; ok && round < 4; round++) {
        ok = shuttle(client, server, server_target_seed) &&
             shuttle(server, client, client_target_seed);
    }
    th_conn_status cs, ss;
    th_conn_get_status(client, &cs);
    th_conn_get_status(server, &ss);
    ok = ok && cs.state == TH_CONN_ESTABLISHED && ss.state == TH_CONN_ESTABLISHED &&
         th_conn_write_app(client, kPing, sizeof(kPing), 0) &&
         th_conn_write_app(server, kPong, sizeof(kPong), 0) && th_conn_close(client) &&
         shuttle(client, server, server_target_seed) && th_conn_close(server) &&
         shuttle(server, client, client_target_seed);
    th_conn_free(client);
    th_conn_free(server);
    return ok;
}

static int run_conn(const char *target, th_role role, const uint8_t *data, size_t len,
                    CBB *transcript) {
    uint32_t counter = 0;
    th_config cfg;
    target_config(&cfg, role, &counter);
    th_conn *c = th_conn_new(&cfg, role);
    if (c == NULL) {
        abort();
    }
    CBS in;
    CBS_init(&in, data, len);
    int failed_before = 0;
    uint8_t out[4096];
    for (;;) {
        size_t n;
        while ((n = th_conn_take_output(c, out, sizeof(out))) != 0) {
            if (failed_before) {
                th_fuzz_oracle_failed(target, "output after the connection failed");
            }
            if (!CBB_add_bytes(transcript, out, n)) {
                abort();
            }
        }
        th_conn_status st;
        th_conn_get_status(c, &st);
        if (st.state == TH_CONN_FAILED) {
            if (!st.has_alert_sent && !st.has_alert_received) {
                th_fuzz_oracle_failed(target, "failed without an alert");
            }
            failed_before = 1;
        }
        /* The first byte of each piece sizes it, so the fuzzer explores
         * record splits too. */
        uint8_t piece;
        CBS chunk;
        if (!CBS_get_u8(&in, &piece)) {
            break;
        }
        size_t take = (size_t)piece + 1;
        if (take > CBS_len(&in)) {
            take = CBS_len(&in);
        }
        if (!CBS_get_bytes(&in, &chunk, take)) {
            break;
        }
        if (!th_conn_recv(c, CBS_data(&chunk), CBS_len(&chunk)) && !failed_before) {
            th_conn_get_status(c, &st);
            if (st.state != TH_CONN_FAILED) {
                th_fuzz_oracle_failed(target, "recv refused bytes without failing");
            }
        }
        uint8_t app[1024];
        while (th_conn_read_app(c, app, sizeof(app)) != 0) {
        }
    }
    th_conn_status st;
    th_conn_get_status(c, &st);
    int result = st.has_alert_sent ? st.alert_sent : TH_FUZZ_ACCEPTED;
    th_conn_free(c);
    return result;
}

int th_fuzz_handshake13_run(const char *target, th_role role, const uint8_t *data, size_t len) {
    CBB t1, t2;
    if (!CBB_init(&t1, 1024) || !CBB_init(&t2, 1024)) {
        abort();
    }
    int r1 = run_conn(target, role, data, len, &t1);
    int r2 = run_conn(target, role, data, len, &t2);
    if (r1 != r2 || CBB_len(&t1) != CBB_len(&t2) ||
        memcmp(CBB_data(&t1), CBB_data(&t2), CBB_len(&t1)) != 0) {
        th_fuzz_oracle_failed(target, "same input gave two transcripts");
    }
    CBB_cleanup(&t1);
    CBB_cleanup(&t2);
    return r1;
}

int th_fuzz_handshake_client_no_fuzzer_mode(const uint8_t *data, size_t len) {
    return th_fuzz_handshake13_run("handshake_client_no_fuzzer_mode", TH_ROLE_CLIENT, data, len);
}

int th_fuzz_handshake_server_no_fuzzer_mode(const uint8_t *data, size_t len) {
    return th_fuzz_handshake13_run("handshake_server_no_fuzzer_mode", TH_ROLE_SERVER, data, len);
}
