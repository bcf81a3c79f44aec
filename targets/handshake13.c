/* Whole-handshake targets with every real check (the *_no_fuzzer_mode
 * variants; handshake13_unsafe.c runs the same logic against the engine built
 * with TH_FUZZING_UNSAFE, which skips the TLS 1.3 CertificateVerify, Finished
 * and binder checks and the TLS 1.2 ServerKeyExchange, CertificateVerify and
 * Finished checks). The fuzzer's bytes are the peer's records, fed to our
 * engine in pieces the input itself sizes. Both roles negotiate TLS 1.3 or
 * TLS 1.2 with every suite of each; the server has an Ed25519 and an RSA-1024
 * certificate (ECDHE_ECDSA, ECDHE_RSA and RSA key exchange), asks for a
 * client certificate, issues tickets and session IDs; the client has an
 * Ed25519 certificate for client authentication.
 * Oracles: the engine never crashes or leaks; a failed connection has sent or
 * received an alert and then produces nothing new; an established connection
 * has a version and suite we offered; the same input twice gives the same
 * transcript. */
#include <stdlib.h>
#include <string.h>

#include <openssl/bytestring.h>
#include <openssl/curve25519.h>
#include <openssl/evp.h>
#include <openssl/mem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "conn.h"
#include "fuzz.h"
#include "handshake_seeds.h"
#include "keys12.h"

#define NUM(a) (sizeof(a) / sizeof((a)[0]))

static const uint16_t kVersions[] = {TH_VERSION_TLS13, TH_VERSION_TLS12};

/* Every suite of both versions: the TLS 1.3 ones, then the TLS 1.2 ones in
 * the engine's order (ECDHE_ECDSA before ECDHE_RSA before RSA key exchange,
 * so a ClientHello offering them all gets ECDHE-ECDSA-AES128-GCM). */
static const uint16_t kSuites[] = {
    TH_TLS_AES_128_GCM_SHA256,
    TH_TLS_AES_256_GCM_SHA384,
    TH_TLS_CHACHA20_POLY1305_SHA256,
    TH_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
    TH_TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
    TH_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
    TH_TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
    TH_TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
    TH_TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
    TH_TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA,
    TH_TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA,
    TH_TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA,
    TH_TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA,
    TH_TLS_RSA_WITH_AES_128_GCM_SHA256,
    TH_TLS_RSA_WITH_AES_256_GCM_SHA384,
    TH_TLS_RSA_WITH_AES_128_CBC_SHA,
    TH_TLS_RSA_WITH_AES_256_CBC_SHA,
};

/* The client accepts every scheme the engine verifies, the TLS 1.2
 * PKCS#1 ones included; it signs only with its Ed25519 key. */
static const uint16_t kClientSchemes[] = {
    TH_SIG_ECDSA_SECP256R1_SHA256, TH_SIG_ECDSA_SECP384R1_SHA384, TH_SIG_RSA_PSS_RSAE_SHA256,
    TH_SIG_RSA_PSS_RSAE_SHA384,    TH_SIG_RSA_PSS_RSAE_SHA512,    TH_SIG_ED25519,
    TH_SIG_RSA_PKCS1_SHA256,       TH_SIG_RSA_PKCS1_SHA384,       TH_SIG_RSA_PKCS1_SHA512,
};

/* The server signs with these only, all deterministic (Ed25519, RSA
 * PKCS#1 v1.5): ECDSA nonces and PSS salts come from BoringSSL's RAND_bytes,
 * not from the config, and would make two runs of one input differ. ECDSA
 * stays for verifying client certificates. */
static const uint16_t kServerSchemes[] = {
    TH_SIG_ED25519,          TH_SIG_ECDSA_SECP256R1_SHA256, TH_SIG_ECDSA_SECP384R1_SHA384,
    TH_SIG_RSA_PKCS1_SHA256, TH_SIG_RSA_PKCS1_SHA384,       TH_SIG_RSA_PKCS1_SHA512,
};

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

/* A fixed RSA-1024 key (PKCS#1 RSAPrivateKey, DER), made once with
 * `openssl genrsa 1024` for these targets. BoringSSL cannot generate an RSA
 * key from a seed, and a key per process would break the seeds whose
 * ClientKeyExchange is encrypted to it. 1024 bits, not 2048: the targets
 * test the handshake, not the key, and under ASan an RSA-2048 private
 * operation (ECDHE_RSA signature, RSA key exchange) costs about four times
 * as much, twice per input. */
static const char kRsaHex[] =
    "3082025e02010002818100bde12c94ef8c82b0db5d3796c9ec76520309c4baed403934b4e07c465ed27e7573"
    "771fc3e86324a4303347d745fa31e769f228276d4182933b0fd6977a4b7d85dfde8057d202f4a68cff60e234"
    "bdc85dd9b5df7bbc9d16119fa41ff261b90aae0b7cceac7f9497af0d63ccd3db3cf5ab783fe294e2b97c028f"
    "77dfae70c35159020301000102818100a3ea01b16485f8c031ee6bb18908cf2f871de4adb567ceba78369e31"
    "a563b2f533432fb1d027de16bae159f035a1817913158fa25187ceefc879a8b745446bcb2b72c0681b56ea9f"
    "5f40f8d76a6d76af271f78df082183275e502d8c26d489dddea0d19dfe5971ca482ab7a6356c57fc545efef7"
    "aeed8b4aaccd72cea15e1ecd024100eb9e73b6e758a8e7af221f8cce7f931876d7cdbcd3134fe2426e9132f2"
    "22d89ff34a249522f91a4a6191f77744ef0d607ccdbc155bf3ae1f83a5c353a3f0ab8f024100ce4dde863ac4"
    "1d924e2af9c183613b1785a26cfe73ab5c986fad7a99e522173cfe5a4afffb3cb6b8a67523ecaa908b737bcb"
    "8c72757588ece7d8c15358bfe097024100acce9fcbabcd68c3d3bcd12af260babf9c9a1638c10e4eee810e9a"
    "cba4af4df5b1f7d4f0d49fa25a9f48f118b6a4254978ff634cbf0defcd093ed00d4e15bb9d024100aba216fe"
    "3f47c77e5fafdb4746410f035bb72ccc6878e9391cb80be69abd48ee028226215ee83cefd3f462a5d3a51b8f"
    "412fafb1cdccb1d4be72132c7f0a6b130240798ed3af36f30dfcae3859013c702f80849d01d395e0411cc264"
    "1344add088a54f68b33e6cd4de227b270963fc261a428e61d9ef60271bcf4a4f870d7c452726";

static int hex_value(char c) {
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

static EVP_PKEY *rsa_fixed_key(void) {
    uint8_t der[sizeof(kRsaHex) / 2];
    size_t len = (sizeof(kRsaHex) - 1) / 2;
    for (size_t i = 0; i < len; i++) {
        int hi = hex_value(kRsaHex[2 * i]), lo = hex_value(kRsaHex[2 * i + 1]);
        if (hi < 0 || lo < 0) {
            return NULL;
        }
        der[i] = (uint8_t)(hi << 4 | lo);
    }
    RSA *rsa = RSA_private_key_from_bytes(der, len);
    EVP_PKEY *pkey = EVP_PKEY_new();
    if (rsa == NULL || pkey == NULL || !EVP_PKEY_assign_RSA(pkey, rsa)) {
        RSA_free(rsa);
        EVP_PKEY_free(pkey);
        return NULL;
    }
    return pkey;
}

/* A self-signed certificate for "localhost" with |key| (taken), signed
 * deterministically (Ed25519, or RSA PKCS#1 v1.5 with SHA-256): fuzz
 * binaries run far from the repository's PKI files. */
static int make_cert_key(EVP_PKEY *key, long serial, th_cert_key *out) {
    X509 *x = X509_new();
    X509_NAME *name = X509_NAME_new();
    uint8_t *der = NULL;
    int der_len = -1;
    const EVP_MD *md = key != NULL && EVP_PKEY_id(key) == EVP_PKEY_RSA ? EVP_sha256() : NULL;
    if (key != NULL && x != NULL && name != NULL && X509_set_version(x, X509_VERSION_3) &&
        ASN1_INTEGER_set(X509_get_serialNumber(x), serial) &&
        X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const uint8_t *)"localhost", -1, -1,
                                   0) &&
        X509_set_subject_name(x, name) && X509_set_issuer_name(x, name) &&
        ASN1_TIME_set(X509_getm_notBefore(x), 946684800) &&
        ASN1_TIME_set(X509_getm_notAfter(x), 4102444799) && X509_set_pubkey(x, key) &&
        X509_sign(x, key, md)) {
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

/* What the targets share for the life of the process (as libFuzzer targets
 * do), built on first use: the certificates and the ticket key. Nothing in it
 * changes with an input: the ticket context's only state, the 0-RTT strike
 * register, is unused without max_early_data. */
typedef struct {
    th_cert_key ed25519; /* server and client certificate */
    th_cert_key rsa;     /* the server's second certificate (RSA-1024) */
    th_ticket_ctx *tickets;
} target_keys;

static const target_keys *keys(void) {
    static const uint8_t kEdSeed[32] = {0x74, 0x6c, 0x73, 0x68, 0x61, 0x72, 0x6e, 0x65, 0x73, 0x73};
    static const uint8_t kTicketKey[32] = {0x74, 0x69, 0x63, 0x6b, 0x65, 0x74};
    static target_keys k;
    static int made;
    if (!made) {
        EVP_PKEY *ed =
            EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, kEdSeed, sizeof(kEdSeed));
        if (!make_cert_key(ed, 1, &k.ed25519) || !make_cert_key(rsa_fixed_key(), 2, &k.rsa) ||
            (k.tickets = th_ticket_ctx_new(kTicketKey, 0)) == NULL) {
            abort();
        }
        made = 1;
    }
    return &k;
}

/* The targets' configuration for |role|, randomness from |counter|. A
 * server gets |cache| (a fresh one per connection, so that no state carries
 * from one run to the next) for TLS 1.2 session IDs. */
static void target_config(th_config *cfg, th_role role, uint32_t *counter,
                          th_session_cache *cache) {
    const target_keys *k = keys();
    memset(cfg, 0, sizeof(*cfg));
    cfg->random = counter_random;
    cfg->random_ctx = counter;
    cfg->now = fixed_now;
    cfg->server_name = "localhost";
    cfg->insecure_skip_verify = 1; /* the chain is checked elsewhere; signatures still are */
    cfg->versions = kVersions;
    cfg->num_versions = NUM(kVersions);
    cfg->cipher_suites = kSuites;
    cfg->num_cipher_suites = NUM(kSuites);
    cfg->cert_key = &k->ed25519;
    if (role == TH_ROLE_SERVER) {
        cfg->cert_keys = &k->rsa;
        cfg->num_cert_keys = 1;
        cfg->sig_schemes = kServerSchemes;
        cfg->num_sig_schemes = NUM(kServerSchemes);
        cfg->request_client_cert = 1;
        cfg->tickets = k->tickets;
        cfg->session_cache = cache;
    } else {
        cfg->sig_schemes = kClientSchemes;
        cfg->num_sig_schemes = NUM(kClientSchemes);
    }
}

int th_fuzz_handshake_input(CBB *seed, const uint8_t *bytes, size_t len) {
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

/* Moves everything |from| has to send into |to| and, unless it is NULL, into
 * |seed|. */
static int shuttle(th_conn *from, th_conn *to, CBB *seed) {
    uint8_t buf[4096];
    size_t n;
    while ((n = th_conn_take_output(from, buf, sizeof(buf))) != 0) {
        if ((seed != NULL && !th_fuzz_handshake_input(seed, buf, n)) || !th_conn_recv(to, buf, n)) {
            return 0;
        }
    }
    return 1;
}

/* A variant of the seed handshakes: what the peer of the target (the
 * handshake's other side) does differently from the target's own
 * configuration. */
typedef struct {
    const char *name;
    uint16_t version;   /* the peer's only version; 0: both */
    uint16_t suite;     /* the peer's only suite; 0: all of them */
    int no_client_auth; /* the server asks for no certificate; the client has none */
    int resume;         /* the client resumes a session (server target only: the
                           client target offers none) */
    int server_only;    /* a seed for the server target only (RSA key exchange,
                           which the client target does not offer) */
} seed_variant;

#define V12 TH_VERSION_TLS12

static const seed_variant kVariants[] = {
    {"tls13", 0, 0, 0, 0, 0},
    {"tls13_no_client_auth", 0, 0, 1, 0, 0},
    {"tls13_chacha20", 0, TH_TLS_CHACHA20_POLY1305_SHA256, 0, 0, 0},
    {"tls13_resume", 0, 0, 0, 1, 0},
    {"tls12_ecdhe_ecdsa_aes128gcm", V12, TH_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, 0, 0, 0},
    {"tls12_ecdhe_ecdsa_aes256gcm", V12, TH_TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, 1, 0, 0},
    {"tls12_ecdhe_ecdsa_chacha20", V12, TH_TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256, 0, 0, 0},
    {"tls12_ecdhe_ecdsa_aes128cbc", V12, TH_TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA, 0, 0, 0},
    {"tls12_ecdhe_rsa_aes128gcm", V12, TH_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, 1, 0, 0},
    {"tls12_ecdhe_rsa_chacha20", V12, TH_TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256, 0, 0, 0},
    {"tls12_ecdhe_rsa_aes256cbc", V12, TH_TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA, 0, 0, 0},
    {"tls12_rsa_aes128gcm", V12, TH_TLS_RSA_WITH_AES_128_GCM_SHA256, 0, 0, 1},
    {"tls12_rsa_aes256gcm", V12, TH_TLS_RSA_WITH_AES_256_GCM_SHA384, 1, 0, 1},
    {"tls12_rsa_aes128cbc", V12, TH_TLS_RSA_WITH_AES_128_CBC_SHA, 0, 0, 1},
    {"tls12_resume_ticket", V12, 0, 0, 1, 0},
    {"tls12_rsa_resume_ticket", V12, TH_TLS_RSA_WITH_AES_128_CBC_SHA, 1, 1, 1},
};

size_t th_fuzz_handshake_num_variants(void) {
    return NUM(kVariants);
}

const char *th_fuzz_handshake_variant_name(size_t i) {
    return i < NUM(kVariants) ? kVariants[i].name : NULL;
}

/* The configuration of the target's peer in variant |v|. */
static void peer_config(th_config *cfg, const seed_variant *v, th_role role, uint32_t *counter,
                        th_session_cache *cache) {
    target_config(cfg, role, counter, cache);
    if (v->version != 0) {
        cfg->versions = &v->version;
        cfg->num_versions = 1;
    }
    if (v->suite != 0) {
        cfg->cipher_suites = &v->suite;
        cfg->num_cipher_suites = 1;
    }
    if (v->no_client_auth) {
        cfg->request_client_cert = 0;
        if (role == TH_ROLE_CLIENT) {
            cfg->cert_key = NULL;
        }
    }
}

/* Runs |client| against |server| to an established connection with the
 * variant's version and suite, then application data both ways and
 * close_notify both ways; the client's bytes go to |server_seed| and the
 * server's to |client_seed| (either may be NULL). The client's session, if
 * |out_session|, is taken once the server's data was read (TLS 1.3 tickets
 * come after the handshake). */
static int self_handshake(th_conn *client, th_conn *server, const seed_variant *v, CBB *client_seed,
                          CBB *server_seed, th_session **out_session) {
    static const uint8_t kPing[] = "ping", kPong[] = "pong";
    int ok = client != NULL && server != NULL;
    for (int round = 0; ok && round < 4; round++) {
        ok = shuttle(client, server, server_seed) && shuttle(server, client, client_seed);
    }
    th_conn_status cs, ss;
    th_conn_get_status(client, &cs);
    th_conn_get_status(server, &ss);
    ok = ok && cs.state == TH_CONN_ESTABLISHED && ss.state == TH_CONN_ESTABLISHED &&
         (v->version == 0 || cs.version == v->version) &&
         (v->suite == 0 || cs.cipher_suite == v->suite) &&
         th_conn_write_app(client, kPing, sizeof(kPing), 0) &&
         th_conn_write_app(server, kPong, sizeof(kPong), 0) &&
         shuttle(client, server, server_seed) && shuttle(server, client, client_seed);
    if (ok && out_session != NULL) {
        th_session *s;
        while ((s = th_conn_take_session(client)) != NULL) {
            th_session_free(*out_session);
            *out_session = s;
        }
        ok = *out_session != NULL;
    }
    ok = ok && th_conn_close(client) && shuttle(client, server, server_seed) &&
         th_conn_close(server) && shuttle(server, client, client_seed);
    return ok;
}

int th_fuzz_handshake_variant_seeds(size_t i, CBB *client_target_seed, CBB *server_target_seed) {
    if (i >= NUM(kVariants)) {
        return 0;
    }
    const seed_variant *v = &kVariants[i];
    /* The target's side starts its counter at 0 like run_conn, so the
     * replay matches byte for byte; the peer's counter starts elsewhere. */
    uint32_t target_counter = 0, peer_counter = 0x10000;
    th_config target_cfg, peer_cfg;
    th_session_cache *target_cache = th_session_cache_new(8);
    th_session_cache *peer_cache = th_session_cache_new(8);
    th_session *session = NULL;
    int ok = target_cache != NULL && peer_cache != NULL;

    /* The client target: our target client against the variant's server. */
    if (ok && !v->resume && !v->server_only) {
        target_config(&target_cfg, TH_ROLE_CLIENT, &target_counter, NULL);
        peer_config(&peer_cfg, v, TH_ROLE_SERVER, &peer_counter, peer_cache);
        th_conn *c = th_conn_new(&target_cfg, TH_ROLE_CLIENT);
        th_conn *s = th_conn_new(&peer_cfg, TH_ROLE_SERVER);
        ok = self_handshake(c, s, v, client_target_seed, NULL, NULL);
        th_conn_free(c);
        th_conn_free(s);
    }

    /* The server target: the variant's client against our target server,
     * after a full handshake with a server of the same configuration for
     * the session when the variant resumes (tickets: the key is shared). */
    if (ok && v->resume) {
        uint32_t first_counter = 0x20000;
        th_session_cache *first_cache = th_session_cache_new(8);
        target_config(&target_cfg, TH_ROLE_SERVER, &first_counter, first_cache);
        peer_config(&peer_cfg, v, TH_ROLE_CLIENT, &peer_counter, NULL);
        th_conn *c = th_conn_new(&peer_cfg, TH_ROLE_CLIENT);
        th_conn *s = th_conn_new(&target_cfg, TH_ROLE_SERVER);
        ok = first_cache != NULL && self_handshake(c, s, v, NULL, NULL, &session);
        th_conn_free(c);
        th_conn_free(s);
        th_session_cache_free(first_cache);
    }
    if (ok) {
        target_counter = 0;
        target_config(&target_cfg, TH_ROLE_SERVER, &target_counter, target_cache);
        peer_config(&peer_cfg, v, TH_ROLE_CLIENT, &peer_counter, NULL);
        peer_cfg.session = session;
        th_conn *c = th_conn_new(&peer_cfg, TH_ROLE_CLIENT);
        th_conn *s = th_conn_new(&target_cfg, TH_ROLE_SERVER);
        ok = self_handshake(c, s, v, NULL, server_target_seed, NULL);
        if (ok && v->resume) {
            th_conn_status st;
            th_conn_get_status(s, &st);
            ok = st.resumed;
        }
        th_conn_free(c);
        th_conn_free(s);
    }
    th_session_free(session);
    th_session_cache_free(target_cache);
    th_session_cache_free(peer_cache);
    return ok;
}

int th_fuzz_handshake13_seeds(CBB *client_target_seed, CBB *server_target_seed) {
    return th_fuzz_handshake_variant_seeds(0, client_target_seed, server_target_seed);
}

/* 1 if |v| is in |list|. */
static int in_list(const uint16_t *list, size_t n, uint16_t v) {
    for (size_t i = 0; i < n; i++) {
        if (list[i] == v) {
            return 1;
        }
    }
    return 0;
}

/* Runs one connection against |data| as the peer's bytes and writes what the
 * engine sent into |transcript| and the suite it negotiated (0 if none) into
 * *out_suite. Returns the final alert sent, or TH_FUZZ_ACCEPTED when none
 * was. */
static int run_conn(const char *target, th_role role, const uint8_t *data, size_t len,
                    CBB *transcript, uint16_t *out_suite) {
    uint32_t counter = 0;
    th_config cfg;
    th_session_cache *cache = NULL;
    if (role == TH_ROLE_SERVER && (cache = th_session_cache_new(8)) == NULL) {
        abort();
    }
    target_config(&cfg, role, &counter, cache);
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
        if (st.state == TH_CONN_ESTABLISHED &&
            (!in_list(kVersions, NUM(kVersions), st.version) ||
             !in_list(cfg.cipher_suites, cfg.num_cipher_suites, st.cipher_suite) ||
             (st.version == TH_VERSION_TLS13) != (th_tls12_suite_find(st.cipher_suite) == NULL))) {
            th_fuzz_oracle_failed(target, "established with a version or suite not offered");
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
    *out_suite = st.cipher_suite;
    th_conn_free(c);
    th_session_cache_free(cache);
    return result;
}

int th_fuzz_handshake13_run(const char *target, th_role role, const uint8_t *data, size_t len) {
    CBB t1, t2;
    uint16_t suite1, suite2;
    if (!CBB_init(&t1, 1024) || !CBB_init(&t2, 1024)) {
        abort();
    }
    int r1 = run_conn(target, role, data, len, &t1, &suite1);
    int r2 = run_conn(target, role, data, len, &t2, &suite2);
    if (r1 != r2 || suite1 != suite2 || CBB_len(&t1) != CBB_len(&t2) ||
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
