/* The TLS 1.2 server handshake (hs12_server.c, hs12_common.c) against a
 * scripted client written here on the TLS 1.2 building blocks (keys12,
 * record12, the wire codecs): the full handshake with ECDHE and RSA key
 * exchange, resumption by ticket and by session ID with the RFC 7627 rules,
 * client authentication, renegotiation refused, and every alert of CASES.md
 * §4.1 and §4.3 the server raises. */
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/mem.h>
#include <openssl/rsa.h>

#include "certificate_tls12.h"
#include "certificate_verify.h"
#include "client_key_exchange.h"
#include "conn.h"
#include "conn_internal.h"
#include "ext_types.h"
#include "keys12.h"
#include "new_session_ticket_tls12.h"
#include "record.h"
#include "record12.h"
#include "server_hello.h"
#include "server_key_exchange.h"
#include "testutil.h"

static const uint16_t kBoth[] = {TH_VERSION_TLS12, TH_VERSION_TLS13};
static const uint16_t kOnly12[] = {TH_VERSION_TLS12};
static const uint8_t kTicketKey[32] = {9};

static void test_random(void *ctx, uint8_t *out, size_t len) {
    uint64_t *s = ctx;
    for (size_t i = 0; i < len; i++) {
        *s ^= *s >> 12;
        *s ^= *s << 25;
        *s ^= *s >> 27;
        out[i] = (uint8_t)((*s * 0x2545F4914F6CDD1DULL) >> 56);
    }
}

static time_t test_now(void *ctx) {
    (void)ctx;
    return 1700000000;
}

typedef struct {
    th_cert_key ecdsa_ck, rsa_ck, client_ck;
    X509_STORE *store;
    th_ticket_ctx *tickets;
} fixture;

static int setup(void **state) {
    fixture *f = calloc(1, sizeof(*f));
    th_test_load_cert_key("server-ecdsa-p256", &f->ecdsa_ck);
    th_test_load_cert_key("server-rsa2048", &f->rsa_ck);
    th_test_load_cert_key("client-ecdsa-p256", &f->client_ck);
    f->store = th_test_load_trust_store("trust-bundle.pem");
    f->tickets = th_ticket_ctx_new(kTicketKey, 0);
    *state = f;
    return 0;
}

static int teardown(void **state) {
    fixture *f = *state;
    th_cert_key_cleanup(&f->ecdsa_ck);
    th_cert_key_cleanup(&f->rsa_ck);
    th_cert_key_cleanup(&f->client_ck);
    X509_STORE_free(f->store);
    th_ticket_ctx_free(f->tickets);
    free(f);
    return 0;
}

/* A handshake message the server sent. */
typedef struct {
    uint8_t type;
    uint8_t *body;
    size_t len;
} msg;

/* The scripted client. */
typedef struct {
    fixture *f;
    th_config cfg;
    th_conn *c;
    uint64_t seed;
    uint8_t cr[32], sr[32];
    uint8_t *tr; /* the transcript: every handshake message both ways */
    size_t tr_len;
    uint16_t suite, group;
    int ems, etm;
    th_kex kex;
    uint8_t premaster[48];
    size_t premaster_len;
    th_secret master;
    th_tls12_key_block kb;
    th_rl12_dir wr, rd;
    msg msgs[32];
    size_t num_msgs;
    uint8_t *hs_buf; /* handshake bytes not yet split into messages */
    size_t hs_len;
    int got_ccs;
    uint8_t *ticket;
    size_t ticket_len;
    uint8_t session_id[32];
    size_t session_id_len;
    int warning_alerts;
    uint8_t last_warning;
    uint8_t *app;
    size_t app_len;
    uint8_t *pending; /* server output not read yet (after a CCS we had no keys for) */
    size_t pending_len;
} client;

static void append(uint8_t **buf, size_t *len, const uint8_t *data, size_t n) {
    if (n == 0) {
        return;
    }
    uint8_t *p = realloc(*buf, *len + n + 1);
    assert_non_null(p);
    memcpy(p + *len, data, n);
    *buf = p;
    *len += n;
}

static void base_config(th_config *cfg, fixture *f, uint64_t *seed) {
    memset(cfg, 0, sizeof(*cfg));
    cfg->random = test_random;
    cfg->random_ctx = seed;
    cfg->now = test_now;
    cfg->trust_store = f->store;
    cfg->cert_key = &f->ecdsa_ck;
    cfg->cert_keys = &f->rsa_ck;
    cfg->num_cert_keys = 1;
    cfg->versions = kBoth;
    cfg->num_versions = 2;
}

static void client_init(client *k, fixture *f, uint64_t seed) {
    memset(k, 0, sizeof(*k));
    k->f = f;
    k->seed = seed;
    base_config(&k->cfg, f, &k->seed);
}

/* Creates the server from k->cfg (after the test changed it). */
static void client_connect(client *k) {
    k->c = th_conn_new(&k->cfg, TH_ROLE_SERVER);
    assert_non_null(k->c);
}

static void client_free(client *k) {
    th_conn_free(k->c);
    free(k->tr);
    for (size_t i = 0; i < k->num_msgs; i++) {
        free(k->msgs[i].body);
    }
    free(k->hs_buf);
    free(k->ticket);
    free(k->app);
    free(k->pending);
    th_kex_cleanup(&k->kex);
    th_rl12_dir_cleanup(&k->wr);
    th_rl12_dir_cleanup(&k->rd);
    th_tls12_key_block_cleanse(&k->kb);
    ERR_clear_error();
}

static th_conn_status status(const client *k) {
    th_conn_status st;
    th_conn_get_status(k->c, &st);
    return st;
}

static void expect_alert(const client *k, uint8_t alert) {
    th_conn_status st = status(k);
    if (st.state != TH_CONN_FAILED || !st.has_alert_sent || st.alert_sent != alert) {
        fail_msg("expected alert %u: state %d, alert sent %d/%u", alert, st.state,
                 st.has_alert_sent, st.alert_sent);
    }
}

/* Sends one record of |type|, protected once k->wr has a key. */
static void send_record_ex(client *k, uint8_t type, const uint8_t *data, size_t len,
                           uint16_t version) {
    CBB cbb;
    uint8_t *rec;
    size_t rec_len;
    assert_true(CBB_init(&cbb, len + 256));
    if (k->wr.suite != NULL) {
        assert_true(th_rl12_seal(&k->wr, &cbb, type, data, len));
    } else {
        th_record r = {type, version, {data, len}};
        assert_true(th_write_record(&cbb, &r));
    }
    assert_true(CBB_finish(&cbb, &rec, &rec_len));
    if (!th_conn_recv(k->c, rec, rec_len)) {
        /* The status tells. */
    }
    OPENSSL_free(rec);
}

static void send_record(client *k, uint8_t type, const uint8_t *data, size_t len) {
    send_record_ex(k, type, data, len, TH_VERSION_TLS12);
}

/* Sends a handshake message, added to the transcript. */
static void send_hs(client *k, uint8_t type, const uint8_t *body, size_t len) {
    uint8_t *m = malloc(len + 4);
    assert_non_null(m);
    m[0] = type;
    m[1] = (uint8_t)(len >> 16);
    m[2] = (uint8_t)(len >> 8);
    m[3] = (uint8_t)len;
    memcpy(m + 4, body, len);
    append(&k->tr, &k->tr_len, m, len + 4);
    send_record(k, TH_CT_HANDSHAKE, m, len + 4);
    free(m);
}

static void send_hs_cbb(client *k, uint8_t type, CBB *body) {
    uint8_t *b;
    size_t len;
    assert_true(CBB_finish(body, &b, &len));
    send_hs(k, type, b, len);
    OPENSSL_free(b);
}

/* Reads everything the server sent: its handshake messages (into msgs and
 * the transcript), its CCS (installing our read key), alerts, data. */
static void pump(client *k) {
    size_t n;
    const uint8_t *out = th_conn_pending_output(k->c, &n);
    append(&k->pending, &k->pending_len, out, n);
    th_conn_consume_output(k->c, n);
    n = k->pending_len;
    if (n == 0) {
        return;
    }
    uint8_t *copy = k->pending;
    k->pending = NULL;
    k->pending_len = 0;
    CBS cbs;
    CBS_init(&cbs, copy, n);
    while (CBS_len(&cbs) != 0) {
        th_record rec;
        uint8_t alert;
        assert_true(th_record_complete(&cbs));
        if (CBS_data(&cbs)[0] == TH_CT_CHANGE_CIPHER_SPEC && k->kb.client_key.len == 0) {
            /* Resumption: the keys come from the ServerHello just read;
             * the rest waits for the next pump. */
            append(&k->pending, &k->pending_len, CBS_data(&cbs), CBS_len(&cbs));
            break;
        }
        assert_true(th_parse_record(&cbs, &rec, &alert));
        th_bytes content = rec.fragment;
        if (k->rd.suite != NULL) {
            uint8_t *frag = (uint8_t *)rec.fragment.data;
            assert_true(th_rl12_open(&k->rd, &rec, frag, rec.fragment.len, &content, &alert));
        }
        switch (rec.type) {
        case TH_CT_CHANGE_CIPHER_SPEC:
            assert_int_equal(content.len, 1);
            assert_true(
                th_rl12_dir_set_key_block(&k->rd, k->suite, TH_RL12_OPEN, k->etm, &k->kb, 1));
            k->got_ccs = 1;
            break;
        case TH_CT_HANDSHAKE:
            append(&k->hs_buf, &k->hs_len, content.data, content.len);
            while (k->hs_len >= 4) {
                size_t len = (size_t)k->hs_buf[1] << 16 | (size_t)k->hs_buf[2] << 8 | k->hs_buf[3];
                if (k->hs_len < 4 + len) {
                    break;
                }
                assert_true(k->num_msgs < 32);
                msg *m = &k->msgs[k->num_msgs++];
                m->type = k->hs_buf[0];
                m->body = malloc(len + 1);
                memcpy(m->body, k->hs_buf + 4, len);
                m->len = len;
                append(&k->tr, &k->tr_len, k->hs_buf, 4 + len);
                memmove(k->hs_buf, k->hs_buf + 4 + len, k->hs_len - 4 - len);
                k->hs_len -= 4 + len;
            }
            break;
        case TH_CT_ALERT:
            assert_int_equal(content.len, 2);
            if (content.data[0] == TH_ALERT_LEVEL_WARNING) {
                k->warning_alerts++;
                k->last_warning = content.data[1];
            }
            break;
        case TH_CT_APPLICATION_DATA:
            append(&k->app, &k->app_len, content.data, content.len);
            break;
        default:
            fail_msg("record type %u", rec.type);
        }
    }
    free(copy);
}

static const msg *find_msg(const client *k, uint8_t type) {
    for (size_t i = 0; i < k->num_msgs; i++) {
        if (k->msgs[i].type == type) {
            return &k->msgs[i];
        }
    }
    return NULL;
}

/* ClientHello options. */
enum {
    CH_GROUPS = 1 << 0,     /* supported_groups {group} */
    CH_PF = 1 << 1,         /* ec_point_formats {uncompressed} */
    CH_SIGALGS = 1 << 2,    /* signature_algorithms */
    CH_EMS = 1 << 3,        /* extended_master_secret */
    CH_RI = 1 << 4,         /* renegotiation_info (empty) */
    CH_TICKET = 1 << 5,     /* session_ticket (k->ticket) */
    CH_ONLY_GROUP = 1 << 6, /* supported_groups without P-256 (our ECDSA key's curve) */
    CH_DEFAULT = CH_GROUPS | CH_PF | CH_SIGALGS | CH_EMS | CH_RI,
};

typedef struct {
    uint16_t version;       /* 0: 0x0303 */
    const uint16_t *suites; /* NULL: {ECDHE_ECDSA_AES_128_GCM} */
    size_t num_suites;
    unsigned flags;
    uint16_t group;       /* 0: X25519 */
    const uint8_t *extra; /* whole extensions appended (type, length, body) */
    size_t extra_len;
    const uint8_t *compression; /* NULL: {0} */
    size_t compression_len;
    int trailing;            /* a byte after the extensions */
    uint16_t record_version; /* 0: 0x0303 */
} ch_opts;

static void add_ext(CBB *exts, uint16_t type, const uint8_t *body, size_t len) {
    CBB ext;
    assert_true(CBB_add_u16(exts, type));
    assert_true(CBB_add_u16_length_prefixed(exts, &ext));
    assert_true(CBB_add_bytes(&ext, body, len));
    assert_true(CBB_flush(exts));
}

static void send_client_hello(client *k, const ch_opts *o) {
    static const uint16_t kDefaultSuite[] = {TH_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256};
    static const uint8_t kNull[] = {0};
    CBB body, list, exts;
    const uint16_t *suites = o->suites != NULL ? o->suites : kDefaultSuite;
    size_t num_suites = o->suites != NULL ? o->num_suites : 1;
    uint16_t group = o->group != 0 ? o->group : TH_GROUP_X25519;
    test_random(&k->seed, k->cr, sizeof(k->cr));
    assert_true(CBB_init(&body, 512));
    assert_true(CBB_add_u16(&body, o->version != 0 ? o->version : TH_VERSION_TLS12));
    assert_true(CBB_add_bytes(&body, k->cr, 32));
    assert_true(CBB_add_u8_length_prefixed(&body, &list));
    assert_true(CBB_add_bytes(&list, k->session_id, k->session_id_len));
    assert_true(CBB_add_u16_length_prefixed(&body, &list));
    for (size_t i = 0; i < num_suites; i++) {
        assert_true(CBB_add_u16(&list, suites[i]));
    }
    assert_true(CBB_add_u8_length_prefixed(&body, &list));
    assert_true(CBB_add_bytes(&list, o->compression != NULL ? o->compression : kNull,
                              o->compression != NULL ? o->compression_len : 1));
    assert_true(CBB_add_u16_length_prefixed(&body, &exts));
    if (o->flags & CH_GROUPS) {
        /* The ECDHE group, then P-256 for our ECDSA certificate (RFC 8422
         * §5.1) unless CH_ONLY_GROUP. */
        uint8_t b[6] = {0, 4, (uint8_t)(group >> 8), (uint8_t)group, 0, TH_GROUP_SECP256R1};
        size_t len = sizeof(b);
        if ((o->flags & CH_ONLY_GROUP) || group == TH_GROUP_SECP256R1) {
            b[1] = 2;
            len = 4;
        }
        add_ext(&exts, TH_EXT_SUPPORTED_GROUPS, b, len);
    }
    if (o->flags & CH_PF) {
        static const uint8_t b[] = {1, 0};
        add_ext(&exts, TH_EXT_EC_POINT_FORMATS, b, sizeof(b));
    }
    if (o->flags & CH_SIGALGS) {
        static const uint8_t b[] = {0, 6, 0x04, 0x03, 0x08, 0x04, 0x04, 0x01};
        add_ext(&exts, TH_EXT_SIGNATURE_ALGORITHMS, b, sizeof(b));
    }
    if (o->flags & CH_EMS) {
        add_ext(&exts, TH_EXT_EXTENDED_MASTER_SECRET, NULL, 0);
    }
    if (o->flags & CH_RI) {
        static const uint8_t b[] = {0};
        add_ext(&exts, TH_EXT_RENEGOTIATION_INFO, b, sizeof(b));
    }
    if (o->flags & CH_TICKET) {
        add_ext(&exts, TH_EXT_SESSION_TICKET, k->ticket, k->ticket_len);
    }
    if (o->extra_len != 0) {
        assert_true(CBB_add_bytes(&exts, o->extra, o->extra_len));
    }
    assert_true(CBB_flush(&body));
    if (o->trailing) {
        assert_true(CBB_add_u8(&body, 0));
    }
    uint8_t *b;
    size_t len;
    assert_true(CBB_finish(&body, &b, &len));
    uint8_t *m = malloc(len + 4);
    m[0] = TH_HS_CLIENT_HELLO;
    m[1] = (uint8_t)(len >> 16);
    m[2] = (uint8_t)(len >> 8);
    m[3] = (uint8_t)len;
    memcpy(m + 4, b, len);
    append(&k->tr, &k->tr_len, m, len + 4);
    send_record_ex(k, TH_CT_HANDSHAKE, m, len + 4,
                   o->record_version != 0 ? o->record_version : TH_VERSION_TLS12);
    free(m);
    OPENSSL_free(b);
    pump(k);
}

/* Reads ServerHello (and ServerKeyExchange) into the client state. */
static void read_server_hello(client *k) {
    const msg *m = find_msg(k, TH_HS_SERVER_HELLO);
    assert_non_null(m);
    CBS cbs;
    th_server_hello sh;
    uint8_t alert;
    CBS_init(&cbs, m->body, m->len);
    assert_true(th_parse_server_hello(&cbs, &sh, &alert));
    memcpy(k->sr, sh.random, 32);
    k->suite = sh.cipher_suite;
    k->ems = th_ext_block_find(&sh.extensions, TH_EXT_EXTENDED_MASTER_SECRET) != NULL;
    k->etm = th_ext_block_find(&sh.extensions, TH_EXT_ENCRYPT_THEN_MAC) != NULL;
    memcpy(k->session_id, sh.legacy_session_id_echo.data, sh.legacy_session_id_echo.len);
    k->session_id_len = sh.legacy_session_id_echo.len;
    th_server_hello_cleanup(&sh);
}

/* The premaster from the server's ECDHE share, and our ClientKeyExchange
 * with |point| (NULL: ours). */
static void send_ecdhe_cke(client *k, const uint8_t *point, size_t point_len) {
    const msg *m = find_msg(k, TH_HS_SERVER_KEY_EXCHANGE);
    assert_non_null(m);
    CBS cbs;
    th_server_key_exchange_ecdhe ske;
    uint8_t alert;
    CBS_init(&cbs, m->body, m->len);
    assert_true(th_parse_server_key_exchange_ecdhe(&cbs, &ske, &alert));
    k->group = ske.named_curve;
    assert_true(th_kex_generate(&k->kex, ske.named_curve, test_random, &k->seed));
    assert_true(th_kex_compute(&k->kex, ske.public_key.data, ske.public_key.len, k->premaster,
                               &k->premaster_len, &alert));
    th_client_key_exchange_ecdhe cke = {{point != NULL ? point : k->kex.public_key,
                                         point != NULL ? point_len : k->kex.public_key_len}};
    CBB body;
    assert_true(CBB_init(&body, 128));
    assert_true(th_write_client_key_exchange_ecdhe(&body, &cke));
    send_hs_cbb(k, TH_HS_CLIENT_KEY_EXCHANGE, &body);
}

/* An RSA ClientKeyExchange: |pm| (|pm_len| bytes) encrypted to the
 * server's key, or |raw| sent as is. The premaster we use is |pm|. */
static void send_rsa_cke(client *k, const uint8_t *pm, size_t pm_len, const uint8_t *raw,
                         size_t raw_len) {
    uint8_t enc[512];
    size_t enc_len = raw_len;
    if (raw == NULL) {
        RSA *rsa = EVP_PKEY_get0_RSA(k->f->rsa_ck.key);
        assert_true(RSA_encrypt(rsa, &enc_len, enc, sizeof(enc), pm, pm_len, RSA_PKCS1_PADDING));
        raw = enc;
    }
    memcpy(k->premaster, pm, pm_len);
    k->premaster_len = pm_len;
    th_client_key_exchange_rsa cke = {{raw, enc_len}};
    CBB body;
    assert_true(CBB_init(&body, 512));
    assert_true(th_write_client_key_exchange_rsa(&body, &cke));
    send_hs_cbb(k, TH_HS_CLIENT_KEY_EXCHANGE, &body);
}

static void derive(client *k) {
    const th_tls12_suite *s = th_tls12_suite_find(k->suite);
    assert_non_null(s);
    if (k->ems) {
        uint8_t hash[EVP_MAX_MD_SIZE];
        unsigned hash_len;
        assert_true(EVP_Digest(k->tr, k->tr_len, hash, &hash_len, s->prf_md(), NULL));
        assert_true(th_tls12_extended_master_secret(&k->master, s->prf_md(), k->premaster,
                                                    k->premaster_len, hash, hash_len));
    } else {
        assert_true(th_tls12_master_secret(&k->master, s->prf_md(), k->premaster, k->premaster_len,
                                           k->cr, k->sr));
    }
    assert_true(th_tls12_key_block_derive(&k->kb, s, &k->master, k->cr, k->sr));
}

static void send_ccs(client *k) {
    static const uint8_t one[] = {1};
    send_record(k, TH_CT_CHANGE_CIPHER_SPEC, one, 1);
    assert_true(th_rl12_dir_set_key_block(&k->wr, k->suite, TH_RL12_SEAL, k->etm, &k->kb, 0));
}

/* Our Finished over the transcript; |flip| corrupts it. */
static void send_finished(client *k, int flip) {
    const th_tls12_suite *s = th_tls12_suite_find(k->suite);
    uint8_t hash[EVP_MAX_MD_SIZE];
    unsigned hash_len;
    th_secret vd;
    assert_true(EVP_Digest(k->tr, k->tr_len, hash, &hash_len, s->prf_md(), NULL));
    assert_true(th_tls12_finished_verify_data(&vd, s->prf_md(), &k->master, 0, hash, hash_len));
    if (flip) {
        vd.bytes[0] ^= 1;
    }
    send_hs(k, TH_HS_FINISHED, vd.bytes, vd.len);
}

/* Checks the server's Finished and that the server is established. */
static void expect_established(client *k) {
    pump(k);
    th_conn_status st = status(k);
    if (st.state != TH_CONN_ESTABLISHED) {
        fail_msg("not established: state %d alert %d/%u", st.state, st.has_alert_sent,
                 st.alert_sent);
    }
    assert_true(k->got_ccs);
    assert_non_null(find_msg(k, TH_HS_FINISHED));
    assert_int_equal(st.version, TH_VERSION_TLS12);
    const msg *nst = find_msg(k, TH_HS_NEW_SESSION_TICKET);
    if (nst != NULL) {
        CBS cbs;
        th_new_session_ticket_tls12 t;
        uint8_t alert;
        CBS_init(&cbs, nst->body, nst->len);
        assert_true(th_parse_new_session_ticket_tls12(&cbs, &t, &alert));
        free(k->ticket);
        k->ticket = malloc(t.ticket.len + 1);
        memcpy(k->ticket, t.ticket.data, t.ticket.len);
        k->ticket_len = t.ticket.len;
    }
}

/* Application data both ways. */
static void exchange(client *k) {
    static const uint8_t ping[] = "ping";
    send_record(k, TH_CT_APPLICATION_DATA, ping, 4);
    uint8_t buf[16];
    assert_int_equal(th_conn_read_app(k->c, buf, sizeof(buf)), 4);
    assert_memory_equal(buf, ping, 4);
    assert_true(th_conn_write_app(k->c, (const uint8_t *)"pong", 4, 0));
    k->app_len = 0;
    pump(k);
    assert_int_equal(k->app_len, 4);
    assert_memory_equal(k->app, "pong", 4);
}

/* A full ECDHE handshake with |o|. */
static void full_ecdhe(client *k, const ch_opts *o) {
    send_client_hello(k, o);
    read_server_hello(k);
    assert_non_null(find_msg(k, TH_HS_SERVER_HELLO_DONE));
    send_ecdhe_cke(k, NULL, 0);
    derive(k);
    send_ccs(k);
    send_finished(k, 0);
    expect_established(k);
}

/* ---- Positive paths ------------------------------------------------------ */

static void test_full_handshake_ecdhe(void **state) {
    fixture *f = *state;
    static const uint16_t groups[] = {TH_GROUP_X25519, TH_GROUP_SECP256R1, TH_GROUP_SECP384R1};
    for (size_t g = 0; g < 3; g++) {
        client k;
        client_init(&k, f, 1 + g);
        k.cfg.groups = &groups[g];
        k.cfg.num_groups = 1;
        client_connect(&k);
        ch_opts o = {.flags = CH_DEFAULT, .group = groups[g]};
        full_ecdhe(&k, &o);
        th_conn_status st = status(&k);
        assert_int_equal(st.cipher_suite, TH_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256);
        assert_int_equal(st.group, groups[g]);
        assert_int_equal(k.group, groups[g]);
        assert_false(st.resumed);
        /* The downgrade sentinel: we also speak TLS 1.3 (RFC 8446 §4.1.3). */
        static const uint8_t kSentinel[] = {0x44, 0x4f, 0x57, 0x4e, 0x47, 0x52, 0x44, 0x01};
        assert_memory_equal(k.sr + 24, kSentinel, 8);
        exchange(&k);
        client_free(&k);
    }
}

static void test_no_sentinel_without_tls13(void **state) {
    fixture *f = *state;
    client k;
    client_init(&k, f, 5);
    k.cfg.versions = kOnly12;
    k.cfg.num_versions = 1;
    client_connect(&k);
    ch_opts o = {.flags = CH_DEFAULT};
    full_ecdhe(&k, &o);
    static const uint8_t kSentinel[] = {0x44, 0x4f, 0x57, 0x4e, 0x47, 0x52, 0x44};
    assert_memory_not_equal(k.sr + 24, kSentinel, 7);
    client_free(&k);
}

static void test_full_handshake_rsa_key_exchange(void **state) {
    fixture *f = *state;
    static const uint16_t suites[] = {TH_TLS_RSA_WITH_AES_128_GCM_SHA256,
                                      TH_TLS_RSA_WITH_AES_256_CBC_SHA};
    for (size_t i = 0; i < 2; i++) {
        client k;
        client_init(&k, f, 10 + i);
        client_connect(&k);
        ch_opts o = {.flags = CH_SIGALGS | CH_EMS | CH_RI, .suites = &suites[i], .num_suites = 1};
        send_client_hello(&k, &o);
        read_server_hello(&k);
        assert_null(find_msg(&k, TH_HS_SERVER_KEY_EXCHANGE));
        uint8_t pm[48] = {0x03, 0x03};
        test_random(&k.seed, pm + 2, 46);
        send_rsa_cke(&k, pm, sizeof(pm), NULL, 0);
        derive(&k);
        send_ccs(&k);
        send_finished(&k, 0);
        expect_established(&k);
        assert_int_equal(status(&k).cipher_suite, suites[i]);
        exchange(&k);
        client_free(&k);
    }
}

/* RFC 5246 §7.4.7.1: bad padding, a wrong version and a wrong length all
 * continue with a random premaster: no alert until the client's Finished,
 * which no longer decrypts (bad_record_mac), the same for each. */
static void test_rsa_premaster_failures_are_indistinguishable(void **state) {
    fixture *f = *state;
    static const uint16_t suite = TH_TLS_RSA_WITH_AES_128_GCM_SHA256;
    for (int variant = 0; variant < 3; variant++) {
        client k;
        client_init(&k, f, 20 + (uint64_t)variant);
        client_connect(&k);
        ch_opts o = {.flags = CH_SIGALGS | CH_EMS | CH_RI, .suites = &suite, .num_suites = 1};
        send_client_hello(&k, &o);
        read_server_hello(&k);
        uint8_t pm[48] = {0x03, 0x03};
        test_random(&k.seed, pm + 2, 46);
        if (variant == 0) {
            /* Not PKCS#1: 256 random bytes below the modulus. */
            uint8_t raw[256];
            test_random(&k.seed, raw, sizeof(raw));
            raw[0] = 0;
            send_rsa_cke(&k, pm, sizeof(pm), raw, sizeof(raw));
        } else if (variant == 1) {
            pm[1] = 0x02; /* client_version 0x0302 */
            send_rsa_cke(&k, pm, sizeof(pm), NULL, 0);
        } else {
            send_rsa_cke(&k, pm, 47, NULL, 0);
        }
        assert_int_equal(status(&k).state, TH_CONN_HANDSHAKING);
        assert_false(status(&k).has_alert_sent);
        derive(&k);
        send_ccs(&k);
        assert_int_equal(status(&k).state, TH_CONN_HANDSHAKING);
        send_finished(&k, 0);
        expect_alert(&k, TH_ALERT_BAD_RECORD_MAC);
        client_free(&k);
    }
}

static void test_resumption_by_ticket(void **state) {
    fixture *f = *state;
    client k;
    client_init(&k, f, 30);
    k.cfg.tickets = f->tickets;
    client_connect(&k);
    ch_opts o = {.flags = CH_DEFAULT | CH_TICKET};
    full_ecdhe(&k, &o);
    assert_non_null(k.ticket);
    uint8_t *ticket = k.ticket;
    size_t ticket_len = k.ticket_len;
    th_secret master = k.master;
    k.ticket = NULL;
    client_free(&k);

    client_init(&k, f, 31);
    k.cfg.tickets = f->tickets;
    client_connect(&k);
    k.ticket = ticket;
    k.ticket_len = ticket_len;
    static const uint8_t sid[32] = {7};
    memcpy(k.session_id, sid, 32);
    k.session_id_len = 32;
    send_client_hello(&k, &o);
    read_server_hello(&k);
    /* RFC 5077 §3.4: the session ID echoed says the ticket was accepted. */
    assert_int_equal(k.session_id_len, 32);
    assert_null(find_msg(&k, TH_HS_CERTIFICATE));
    k.master = master;
    k.ems = 1;
    assert_true(
        th_tls12_key_block_derive(&k.kb, th_tls12_suite_find(k.suite), &k.master, k.cr, k.sr));
    pump(&k);
    assert_true(k.got_ccs);
    assert_non_null(find_msg(&k, TH_HS_FINISHED));
    send_ccs(&k);
    send_finished(&k, 0);
    expect_established(&k);
    assert_true(status(&k).resumed);
    exchange(&k);
    client_free(&k);
}

/* A session of a full handshake with |flags| (CH_TICKET to get a ticket),
 * then a resumption attempt with |flags2|: returns the second client. */
static void resume_with(fixture *f, unsigned flags, int allow_no_ems, unsigned flags2, client *k2) {
    client k;
    client_init(&k, f, 40);
    k.cfg.tickets = f->tickets;
    k.cfg.tls12_allow_no_ems = allow_no_ems;
    client_connect(&k);
    ch_opts o = {.flags = flags | CH_TICKET};
    full_ecdhe(&k, &o);
    assert_non_null(k.ticket);
    client_init(k2, f, 41);
    k2->cfg.tickets = f->tickets;
    k2->cfg.tls12_allow_no_ems = allow_no_ems;
    client_connect(k2);
    k2->ticket = k.ticket;
    k2->ticket_len = k.ticket_len;
    k.ticket = NULL;
    client_free(&k);
    static const uint8_t sid[32] = {8};
    memcpy(k2->session_id, sid, 32);
    k2->session_id_len = 32;
    ch_opts o2 = {.flags = flags2 | CH_TICKET};
    send_client_hello(k2, &o2);
}

/* RFC 7627 §5.3: an EMS session offered without extended_master_secret:
 * the server "MUST abort the abbreviated handshake". */
static void test_ems_session_resumed_without_ems_is_handshake_failure(void **state) {
    client k;
    resume_with(*state, CH_DEFAULT, 1, CH_DEFAULT & ~CH_EMS, &k);
    expect_alert(&k, TH_ALERT_HANDSHAKE_FAILURE);
    client_free(&k);
}

/* RFC 7627 §5.3: a non-EMS session with EMS offered: "MUST NOT resume",
 * a full handshake. */
static void test_non_ems_session_with_ems_is_full_handshake(void **state) {
    client k;
    resume_with(*state, CH_DEFAULT & ~CH_EMS, 1, CH_DEFAULT, &k);
    assert_int_equal(status(&k).state, TH_CONN_HANDSHAKING);
    assert_non_null(find_msg(&k, TH_HS_CERTIFICATE));
    assert_non_null(find_msg(&k, TH_HS_SERVER_HELLO_DONE));
    client_free(&k);
}

static void test_ems_required_by_default(void **state) {
    fixture *f = *state;
    client k;
    client_init(&k, f, 45);
    client_connect(&k);
    ch_opts o = {.flags = CH_DEFAULT & ~CH_EMS};
    send_client_hello(&k, &o);
    expect_alert(&k, TH_ALERT_HANDSHAKE_FAILURE);
    client_free(&k);
    /* Allowed by the config: a classic master secret. */
    client_init(&k, f, 46);
    k.cfg.tls12_allow_no_ems = 1;
    client_connect(&k);
    full_ecdhe(&k, &o);
    assert_false(k.ems);
    client_free(&k);
}

static void test_resumption_by_session_id(void **state) {
    fixture *f = *state;
    th_session_cache *cache = th_session_cache_new(2);
    client k;
    client_init(&k, f, 50);
    k.cfg.session_cache = cache;
    client_connect(&k);
    ch_opts o = {.flags = CH_DEFAULT};
    full_ecdhe(&k, &o);
    assert_int_equal(k.session_id_len, 32);
    uint8_t sid[32];
    memcpy(sid, k.session_id, 32);
    th_secret master = k.master;
    client_free(&k);

    client_init(&k, f, 51);
    k.cfg.session_cache = cache;
    client_connect(&k);
    memcpy(k.session_id, sid, 32);
    k.session_id_len = 32;
    send_client_hello(&k, &o);
    read_server_hello(&k);
    assert_memory_equal(k.session_id, sid, 32);
    k.master = master;
    assert_true(
        th_tls12_key_block_derive(&k.kb, th_tls12_suite_find(k.suite), &k.master, k.cr, k.sr));
    pump(&k);
    send_ccs(&k);
    send_finished(&k, 0);
    expect_established(&k);
    assert_true(status(&k).resumed);
    exchange(&k);
    client_free(&k);
    th_session_cache_free(cache);
}

/* server_name "localhost" and "other.test" extensions. */
static const uint8_t kSniLocalhost[] = {0x00, 0x00, 0x00, 0x0e, 0x00, 0x0c, 0x00, 0x00, 0x09,
                                        'l',  'o',  'c',  'a',  'l',  'h',  'o',  's',  't'};
static const uint8_t kSniOther[] = {0x00, 0x00, 0x00, 0x0f, 0x00, 0x0d, 0x00, 0x00, 0x0a, 'o',
                                    't',  'h',  'e',  'r',  '.',  't',  'e',  's',  't'};

/* RFC 6066 §3: an empty server_name acknowledges the name that chose the
 * certificate, and a session is not resumed under another name. */
static void test_server_name_acknowledged_and_binds_the_session(void **state) {
    fixture *f = *state;
    th_session_cache *cache = th_session_cache_new(0);
    client k;
    client_init(&k, f, 55);
    k.cfg.session_cache = cache;
    client_connect(&k);
    ch_opts o = {.flags = CH_DEFAULT, .extra = kSniLocalhost, .extra_len = sizeof(kSniLocalhost)};
    full_ecdhe(&k, &o);
    const msg *m = find_msg(&k, TH_HS_SERVER_HELLO);
    CBS cbs;
    th_server_hello sh;
    uint8_t alert;
    CBS_init(&cbs, m->body, m->len);
    assert_true(th_parse_server_hello(&cbs, &sh, &alert));
    const th_ext *sni = th_ext_block_find(&sh.extensions, TH_EXT_SERVER_NAME);
    assert_non_null(sni);
    assert_int_equal(sni->body.len, 0);
    th_server_hello_cleanup(&sh);
    uint8_t sid[32];
    memcpy(sid, k.session_id, 32);
    client_free(&k);

    client_init(&k, f, 56);
    k.cfg.session_cache = cache;
    client_connect(&k);
    memcpy(k.session_id, sid, 32);
    k.session_id_len = 32;
    ch_opts o2 = {.flags = CH_DEFAULT, .extra = kSniOther, .extra_len = sizeof(kSniOther)};
    send_client_hello(&k, &o2);
    assert_non_null(find_msg(&k, TH_HS_CERTIFICATE));
    assert_non_null(find_msg(&k, TH_HS_SERVER_HELLO_DONE));
    client_free(&k);
    th_session_cache_free(cache);
}

static void test_client_auth(void **state) {
    fixture *f = *state;
    client k;
    client_init(&k, f, 60);
    k.cfg.request_client_cert = 1;
    k.cfg.require_client_cert = 1;
    client_connect(&k);
    ch_opts o = {.flags = CH_DEFAULT};
    send_client_hello(&k, &o);
    read_server_hello(&k);
    assert_non_null(find_msg(&k, TH_HS_CERTIFICATE_REQUEST));
    th_certificate_tls12 cert = {0};
    for (size_t i = 0; i < f->client_ck.num_chain; i++) {
        assert_true(th_certificate_tls12_add(&cert, f->client_ck.chain[i]));
    }
    CBB body;
    assert_true(CBB_init(&body, 1024));
    assert_true(th_write_certificate_tls12(&body, &cert));
    th_certificate_tls12_cleanup(&cert);
    send_hs_cbb(&k, TH_HS_CERTIFICATE, &body);
    send_ecdhe_cke(&k, NULL, 0);
    /* RFC 7627 §4: the session hash ends with ClientKeyExchange. */
    derive(&k);
    uint8_t *sig;
    size_t sig_len;
    assert_true(th_sig_sign(f->client_ck.key, TH_SIG_ECDSA_SECP256R1_SHA256, k.tr, k.tr_len, &sig,
                            &sig_len));
    th_certificate_verify cv = {TH_SIG_ECDSA_SECP256R1_SHA256, {sig, sig_len}};
    assert_true(CBB_init(&body, 128));
    assert_true(th_write_certificate_verify(&body, &cv));
    OPENSSL_free(sig);
    send_hs_cbb(&k, TH_HS_CERTIFICATE_VERIFY, &body);
    send_ccs(&k);
    send_finished(&k, 0);
    expect_established(&k);
    assert_true(status(&k).peer_authenticated);
    assert_int_equal(status(&k).sig_scheme, TH_SIG_ECDSA_SECP256R1_SHA256);
    client_free(&k);
}

static void test_renegotiation_is_refused_with_a_warning(void **state) {
    fixture *f = *state;
    client k;
    client_init(&k, f, 70);
    client_connect(&k);
    ch_opts o = {.flags = CH_DEFAULT};
    full_ecdhe(&k, &o);
    send_client_hello(&k, &o);
    assert_int_equal(k.warning_alerts, 1);
    assert_int_equal(k.last_warning, TH_ALERT_NO_RENEGOTIATION);
    th_conn_status st = status(&k);
    assert_int_equal(st.state, TH_CONN_ESTABLISHED);
    exchange(&k);
    client_free(&k);
}

static void test_record_version_of_client_hello_is_any_03xx(void **state) {
    fixture *f = *state;
    client k;
    client_init(&k, f, 75);
    client_connect(&k);
    ch_opts o = {.flags = CH_DEFAULT, .record_version = TH_VERSION_TLS10};
    full_ecdhe(&k, &o);
    client_free(&k);
}

static void test_server_hello_extensions(void **state) {
    fixture *f = *state;
    client k;
    client_init(&k, f, 76);
    client_connect(&k);
    /* The SCSV alone asks for renegotiation_info (RFC 5746 §3.6). */
    static const uint16_t suites[] = {TH_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
                                      TH_TLS_EMPTY_RENEGOTIATION_INFO_SCSV};
    static const uint8_t rsl[] = {0x00, 0x1c, 0x00, 0x02, 0x40, 0x01};
    ch_opts o = {.flags = CH_DEFAULT & ~CH_RI,
                 .suites = suites,
                 .num_suites = 2,
                 .extra = rsl,
                 .extra_len = sizeof(rsl)};
    send_client_hello(&k, &o);
    const msg *m = find_msg(&k, TH_HS_SERVER_HELLO);
    assert_non_null(m);
    CBS cbs;
    th_server_hello sh;
    uint8_t alert;
    CBS_init(&cbs, m->body, m->len);
    assert_true(th_parse_server_hello(&cbs, &sh, &alert));
    const th_ext *ri = th_ext_block_find(&sh.extensions, TH_EXT_RENEGOTIATION_INFO);
    assert_non_null(ri);
    assert_int_equal(ri->body.len, 1);
    assert_int_equal(ri->body.data[0], 0);
    assert_non_null(th_ext_block_find(&sh.extensions, TH_EXT_EXTENDED_MASTER_SECRET));
    assert_non_null(th_ext_block_find(&sh.extensions, TH_EXT_EC_POINT_FORMATS));
    assert_null(th_ext_block_find(&sh.extensions, TH_EXT_SESSION_TICKET));
    /* RFC 8449 §4: at most 2^14 in TLS 1.2. */
    const th_ext *limit = th_ext_block_find(&sh.extensions, TH_EXT_RECORD_SIZE_LIMIT);
    assert_non_null(limit);
    assert_int_equal(limit->body.len, 2);
    assert_int_equal(limit->body.data[0] << 8 | limit->body.data[1], 16384);
    th_server_hello_cleanup(&sh);
    client_free(&k);
}

static void test_max_fragment_length_limits_records(void **state) {
    fixture *f = *state;
    client k;
    client_init(&k, f, 77);
    client_connect(&k);
    static const uint8_t mfl[] = {0x00, 0x01, 0x00, 0x01, 0x01}; /* 2^9 */
    ch_opts o = {.flags = CH_DEFAULT, .extra = mfl, .extra_len = sizeof(mfl)};
    full_ecdhe(&k, &o);
    assert_true(th_conn_write_app(k.c, (const uint8_t *)"x", 1, 0));
    uint8_t big[2000] = {0};
    assert_true(th_conn_write_app(k.c, big, sizeof(big), 0));
    size_t n;
    const uint8_t *out = th_conn_pending_output(k.c, &n);
    CBS cbs;
    CBS_init(&cbs, out, n);
    size_t records = 0;
    while (CBS_len(&cbs) != 0) {
        th_record rec;
        uint8_t alert;
        assert_true(th_parse_record(&cbs, &rec, &alert));
        /* 512 bytes of plaintext plus the GCM explicit nonce and tag. */
        assert_true(rec.fragment.len <= 512 + 8 + 16);
        records++;
    }
    assert_int_equal(records, 1 + 4);
    client_free(&k);
}

/* RFC 7366: encrypt_then_mac is answered for a CBC suite only, and then
 * protects the records; a wrong MAC is bad_record_mac. */
static void test_encrypt_then_mac(void **state) {
    fixture *f = *state;
    static const uint8_t etm[] = {0x00, 0x16, 0x00, 0x00};
    static const uint16_t cbc = TH_TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA;
    client k;
    client_init(&k, f, 78);
    client_connect(&k);
    ch_opts o = {.flags = CH_DEFAULT, .extra = etm, .extra_len = sizeof(etm)};
    full_ecdhe(&k, &o);
    assert_false(k.etm);
    client_free(&k);

    client_init(&k, f, 79);
    client_connect(&k);
    ch_opts o2 = {.flags = CH_DEFAULT,
                  .suites = &cbc,
                  .num_suites = 1,
                  .extra = etm,
                  .extra_len = sizeof(etm)};
    full_ecdhe(&k, &o2);
    assert_true(k.etm);
    exchange(&k);
    th_rl12_seal_opts so = {.mac_xor = 1};
    CBB cbb;
    uint8_t *rec;
    size_t rec_len;
    assert_true(CBB_init(&cbb, 128));
    assert_true(th_rl12_seal_ex(&k.wr, &cbb, TH_CT_APPLICATION_DATA, (const uint8_t *)"x", 1, &so));
    assert_true(CBB_finish(&cbb, &rec, &rec_len));
    assert_false(th_conn_recv(k.c, rec, rec_len));
    OPENSSL_free(rec);
    expect_alert(&k, TH_ALERT_BAD_RECORD_MAC);
    client_free(&k);
}

/* ---- Alerts (CASES.md §4.1, §4.3) ---------------------------------------- */

/* A ClientHello with |o| gets |alert|. */
static void expect_ch_alert(fixture *f, const ch_opts *o, uint8_t alert, uint64_t seed) {
    client k;
    client_init(&k, f, seed);
    client_connect(&k);
    send_client_hello(&k, o);
    expect_alert(&k, alert);
    client_free(&k);
}

static void test_ch_trailing_data_is_decode_error(void **state) {
    ch_opts o = {.flags = CH_DEFAULT, .trailing = 1};
    expect_ch_alert(*state, &o, TH_ALERT_DECODE_ERROR, 100);
}

static void test_fallback_scsv_below_our_max_is_inappropriate_fallback(void **state) {
    fixture *f = *state;
    static const uint16_t suites[] = {TH_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
                                      TH_TLS_FALLBACK_SCSV};
    ch_opts o = {.flags = CH_DEFAULT, .suites = suites, .num_suites = 2};
    expect_ch_alert(f, &o, TH_ALERT_INAPPROPRIATE_FALLBACK, 101);
    /* Control: a TLS 1.2-only server is at the client's version. */
    client k;
    client_init(&k, f, 102);
    k.cfg.versions = kOnly12;
    k.cfg.num_versions = 1;
    client_connect(&k);
    full_ecdhe(&k, &o);
    client_free(&k);
}

static void test_client_version_below_tls12_is_protocol_version(void **state) {
    ch_opts o = {.flags = CH_DEFAULT, .version = TH_VERSION_SSL3};
    expect_ch_alert(*state, &o, TH_ALERT_PROTOCOL_VERSION, 103);
    ch_opts o2 = {.flags = CH_DEFAULT, .version = TH_VERSION_TLS11};
    expect_ch_alert(*state, &o2, TH_ALERT_PROTOCOL_VERSION, 104);
}

static void test_tls13_only_server_refuses_tls12(void **state) {
    fixture *f = *state;
    client k;
    client_init(&k, f, 105);
    k.cfg.versions = NULL;
    k.cfg.num_versions = 0;
    client_connect(&k);
    ch_opts o = {.flags = CH_DEFAULT};
    send_client_hello(&k, &o);
    expect_alert(&k, TH_ALERT_PROTOCOL_VERSION);
    client_free(&k);
}

static void test_supported_versions_without_tls12_is_protocol_version(void **state) {
    fixture *f = *state;
    client k;
    client_init(&k, f, 106);
    k.cfg.versions = kOnly12;
    k.cfg.num_versions = 1;
    client_connect(&k);
    /* supported_versions {TLS 1.3} only: legacy_version is not read. */
    static const uint8_t sv[] = {0x00, 0x2b, 0x00, 0x03, 0x02, 0x03, 0x04};
    ch_opts o = {.flags = CH_DEFAULT, .extra = sv, .extra_len = sizeof(sv)};
    send_client_hello(&k, &o);
    expect_alert(&k, TH_ALERT_PROTOCOL_VERSION);
    client_free(&k);
}

static void test_no_null_compression_is_illegal_parameter(void **state) {
    static const uint8_t comp[] = {1};
    ch_opts o = {.flags = CH_DEFAULT, .compression = comp, .compression_len = 1};
    expect_ch_alert(*state, &o, TH_ALERT_ILLEGAL_PARAMETER, 107);
}

static void test_no_common_cipher_is_handshake_failure(void **state) {
    static const uint16_t suites[] = {0x0005 /* RC4-SHA */, TH_TLS_AES_128_GCM_SHA256};
    ch_opts o = {.flags = CH_DEFAULT, .suites = suites, .num_suites = 2};
    expect_ch_alert(*state, &o, TH_ALERT_HANDSHAKE_FAILURE, 108);
}

static void test_point_formats_without_uncompressed_is_illegal_parameter(void **state) {
    static const uint8_t pf[] = {0x00, 0x0b, 0x00, 0x02, 0x01, 0x01};
    ch_opts o = {.flags = CH_DEFAULT & ~CH_PF, .extra = pf, .extra_len = sizeof(pf)};
    expect_ch_alert(*state, &o, TH_ALERT_ILLEGAL_PARAMETER, 109);
}

static void test_nonempty_initial_renegotiation_info_is_handshake_failure(void **state) {
    static const uint8_t ri[] = {0xff, 0x01, 0x00, 0x02, 0x01, 0xaa};
    ch_opts o = {.flags = CH_DEFAULT & ~CH_RI, .extra = ri, .extra_len = sizeof(ri)};
    expect_ch_alert(*state, &o, TH_ALERT_HANDSHAKE_FAILURE, 110);
}

static void test_alpn_without_overlap_is_no_application_protocol(void **state) {
    fixture *f = *state;
    static const char *const ours[] = {"h2"};
    client k;
    client_init(&k, f, 111);
    k.cfg.alpn = ours;
    k.cfg.num_alpn = 1;
    client_connect(&k);
    static const uint8_t alpn[] = {0x00, 0x10, 0x00, 0x05, 0x00, 0x03, 0x02, 'h', '3'};
    ch_opts o = {.flags = CH_DEFAULT, .extra = alpn, .extra_len = sizeof(alpn)};
    send_client_hello(&k, &o);
    expect_alert(&k, TH_ALERT_NO_APPLICATION_PROTOCOL);
    client_free(&k);
}

static void test_record_size_limit_below_64_is_illegal_parameter(void **state) {
    static const uint8_t rsl[] = {0x00, 0x1c, 0x00, 0x02, 0x00, 0x3f};
    ch_opts o = {.flags = CH_DEFAULT, .extra = rsl, .extra_len = sizeof(rsl)};
    expect_ch_alert(*state, &o, TH_ALERT_ILLEGAL_PARAMETER, 112);
}

static void test_record_over_our_limit_is_record_overflow(void **state) {
    fixture *f = *state;
    client k;
    client_init(&k, f, 113);
    k.cfg.record_size_limit = 256;
    client_connect(&k);
    static const uint8_t rsl[] = {0x00, 0x1c, 0x00, 0x02, 0x40, 0x00};
    ch_opts o = {.flags = CH_DEFAULT, .extra = rsl, .extra_len = sizeof(rsl)};
    full_ecdhe(&k, &o);
    assert_int_equal(status(&k).peer_record_size_limit, 0x4000);
    uint8_t data[257] = {0};
    send_record(&k, TH_CT_APPLICATION_DATA, data, 256);
    assert_int_equal(status(&k).state, TH_CONN_ESTABLISHED);
    send_record(&k, TH_CT_APPLICATION_DATA, data, 257);
    expect_alert(&k, TH_ALERT_RECORD_OVERFLOW);
    client_free(&k);
}

static void test_max_fragment_length_5_is_illegal_parameter(void **state) {
    static const uint8_t mfl[] = {0x00, 0x01, 0x00, 0x01, 0x05};
    ch_opts o = {.flags = CH_DEFAULT, .extra = mfl, .extra_len = sizeof(mfl)};
    expect_ch_alert(*state, &o, TH_ALERT_ILLEGAL_PARAMETER, 114);
}

/* Runs the ClientHello and the server flight, ECDHE on |group|. */
static void to_cke(client *k, uint16_t group) {
    client_connect(k);
    ch_opts o = {.flags = CH_DEFAULT, .group = group};
    send_client_hello(k, &o);
    read_server_hello(k);
}

static void test_bad_ecdh_points_are_illegal_parameter(void **state) {
    fixture *f = *state;
    /* A compressed P-256 point (RFC 8422 §5.7: uncompressed only). */
    uint8_t compressed[33] = {0x02};
    /* An uncompressed point off the curve. */
    uint8_t off_curve[65] = {0x04, 1, 2, 3};
    const uint8_t *points[] = {compressed, off_curve};
    size_t lens[] = {sizeof(compressed), sizeof(off_curve)};
    for (size_t i = 0; i < 2; i++) {
        client k;
        client_init(&k, f, 120 + i);
        to_cke(&k, TH_GROUP_SECP256R1);
        send_ecdhe_cke(&k, points[i], lens[i]);
        expect_alert(&k, TH_ALERT_ILLEGAL_PARAMETER);
        client_free(&k);
    }
}

/* CVE-2014-0224: a CCS before the key exchange. */
static void test_early_ccs_is_unexpected_message(void **state) {
    fixture *f = *state;
    static const uint8_t one[] = {1};
    client k;
    client_init(&k, f, 130);
    to_cke(&k, 0);
    send_record(&k, TH_CT_CHANGE_CIPHER_SPEC, one, 1);
    expect_alert(&k, TH_ALERT_UNEXPECTED_MESSAGE);
    client_free(&k);
    /* Before the ClientHello too. */
    client_init(&k, f, 131);
    client_connect(&k);
    send_record(&k, TH_CT_CHANGE_CIPHER_SPEC, one, 1);
    expect_alert(&k, TH_ALERT_UNEXPECTED_MESSAGE);
    client_free(&k);
}

static void test_finished_without_ccs_is_unexpected_message(void **state) {
    fixture *f = *state;
    client k;
    client_init(&k, f, 132);
    to_cke(&k, 0);
    send_ecdhe_cke(&k, NULL, 0);
    derive(&k);
    send_finished(&k, 0);
    expect_alert(&k, TH_ALERT_UNEXPECTED_MESSAGE);
    client_free(&k);
}

static void test_bad_finished_is_decrypt_error(void **state) {
    fixture *f = *state;
    client k;
    client_init(&k, f, 133);
    to_cke(&k, 0);
    send_ecdhe_cke(&k, NULL, 0);
    derive(&k);
    send_ccs(&k);
    send_finished(&k, 1);
    expect_alert(&k, TH_ALERT_DECRYPT_ERROR);
    client_free(&k);
}

static void test_second_ccs_is_unexpected_message(void **state) {
    fixture *f = *state;
    static const uint8_t one[] = {1};
    client k;
    client_init(&k, f, 134);
    to_cke(&k, 0);
    send_ecdhe_cke(&k, NULL, 0);
    derive(&k);
    send_ccs(&k);
    send_record(&k, TH_CT_CHANGE_CIPHER_SPEC, one, 1);
    expect_alert(&k, TH_ALERT_UNEXPECTED_MESSAGE);
    client_free(&k);
}

/* The Certificate message of our client chain (|empty|: none). */
static void send_client_certificate(client *k, int empty) {
    th_certificate_tls12 cert = {0};
    for (size_t i = 0; !empty && i < k->f->client_ck.num_chain; i++) {
        assert_true(th_certificate_tls12_add(&cert, k->f->client_ck.chain[i]));
    }
    CBB body;
    assert_true(CBB_init(&body, 1024));
    assert_true(th_write_certificate_tls12(&body, &cert));
    th_certificate_tls12_cleanup(&cert);
    send_hs_cbb(k, TH_HS_CERTIFICATE, &body);
}

static void auth_client(client *k, fixture *f, uint64_t seed) {
    client_init(k, f, seed);
    k->cfg.request_client_cert = 1;
    k->cfg.require_client_cert = 1;
    to_cke(k, 0);
}

static void test_cke_without_requested_certificate_is_unexpected_message(void **state) {
    client k;
    auth_client(&k, *state, 140);
    send_ecdhe_cke(&k, NULL, 0);
    expect_alert(&k, TH_ALERT_UNEXPECTED_MESSAGE);
    client_free(&k);
}

static void test_empty_certificate_when_required_is_handshake_failure(void **state) {
    client k;
    auth_client(&k, *state, 141);
    send_client_certificate(&k, 1);
    expect_alert(&k, TH_ALERT_HANDSHAKE_FAILURE);
    client_free(&k);
}

static void test_missing_certificate_verify_is_unexpected_message(void **state) {
    client k;
    auth_client(&k, *state, 142);
    send_client_certificate(&k, 0);
    send_ecdhe_cke(&k, NULL, 0);
    derive(&k);
    send_ccs(&k);
    expect_alert(&k, TH_ALERT_UNEXPECTED_MESSAGE);
    client_free(&k);
}

static void send_cv(client *k, uint16_t scheme, int over_wrong) {
    uint8_t *sig;
    size_t sig_len;
    /* |over_wrong|: the signature leaves out the last message. */
    size_t len = over_wrong ? k->tr_len - 1 : k->tr_len;
    assert_true(th_sig_sign(k->f->client_ck.key, scheme, k->tr, len, &sig, &sig_len));
    th_certificate_verify cv = {scheme, {sig, sig_len}};
    CBB body;
    assert_true(CBB_init(&body, 128));
    assert_true(th_write_certificate_verify(&body, &cv));
    OPENSSL_free(sig);
    send_hs_cbb(k, TH_HS_CERTIFICATE_VERIFY, &body);
}

static void test_bad_certificate_verify_is_decrypt_error(void **state) {
    client k;
    auth_client(&k, *state, 143);
    send_client_certificate(&k, 0);
    send_ecdhe_cke(&k, NULL, 0);
    send_cv(&k, TH_SIG_ECDSA_SECP256R1_SHA256, 1);
    expect_alert(&k, TH_ALERT_DECRYPT_ERROR);
    client_free(&k);
}

static void test_certificate_verify_scheme_not_requested_is_illegal_parameter(void **state) {
    client k;
    auth_client(&k, *state, 144);
    send_client_certificate(&k, 0);
    send_ecdhe_cke(&k, NULL, 0);
    /* ecdsa_sha1 is not in our CertificateRequest. */
    send_cv(&k, TH_SIG_ECDSA_SHA1, 0);
    expect_alert(&k, TH_ALERT_ILLEGAL_PARAMETER);
    client_free(&k);
}

static void test_gcm_bad_tag_is_bad_record_mac(void **state) {
    fixture *f = *state;
    client k;
    client_init(&k, f, 150);
    client_connect(&k);
    ch_opts o = {.flags = CH_DEFAULT};
    full_ecdhe(&k, &o);
    CBB cbb;
    uint8_t *rec;
    size_t rec_len;
    static const uint8_t data[] = "data";
    assert_true(CBB_init(&cbb, 64));
    assert_true(th_rl12_seal(&k.wr, &cbb, TH_CT_APPLICATION_DATA, data, 4));
    assert_true(CBB_finish(&cbb, &rec, &rec_len));
    rec[rec_len - 1] ^= 1;
    assert_false(th_conn_recv(k.c, rec, rec_len));
    OPENSSL_free(rec);
    expect_alert(&k, TH_ALERT_BAD_RECORD_MAC);
    client_free(&k);
}

static void test_cbc_bad_padding_and_mac_are_bad_record_mac(void **state) {
    fixture *f = *state;
    static const uint16_t suite = TH_TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA;
    for (int variant = 0; variant < 2; variant++) {
        client k;
        client_init(&k, f, 151 + (uint64_t)variant);
        client_connect(&k);
        ch_opts o = {.flags = CH_DEFAULT, .suites = &suite, .num_suites = 1};
        full_ecdhe(&k, &o);
        th_rl12_seal_opts so = {0};
        if (variant == 0) {
            so.cbc_pad_xor = 1;
        } else {
            so.mac_xor = 1;
        }
        CBB cbb;
        uint8_t *rec;
        size_t rec_len;
        static const uint8_t data[] = "data";
        assert_true(CBB_init(&cbb, 128));
        assert_true(th_rl12_seal_ex(&k.wr, &cbb, TH_CT_APPLICATION_DATA, data, 4, &so));
        assert_true(CBB_finish(&cbb, &rec, &rec_len));
        assert_false(th_conn_recv(k.c, rec, rec_len));
        OPENSSL_free(rec);
        expect_alert(&k, TH_ALERT_BAD_RECORD_MAC);
        client_free(&k);
    }
}

static void test_ciphertext_overflow_is_record_overflow(void **state) {
    fixture *f = *state;
    client k;
    client_init(&k, f, 155);
    client_connect(&k);
    ch_opts o = {.flags = CH_DEFAULT};
    full_ecdhe(&k, &o);
    /* TLSCiphertext.length 2^14 + 2049 (RFC 5246 §6.2.3). */
    uint8_t hdr[5] = {TH_CT_APPLICATION_DATA, 3, 3, (16384 + 2049) >> 8, (16384 + 2049) & 0xff};
    assert_false(th_conn_recv(k.c, hdr, sizeof(hdr)));
    expect_alert(&k, TH_ALERT_RECORD_OVERFLOW);
    client_free(&k);
}

/* Warnings do not end a TLS 1.2 connection (RFC 5246 §7.2); a fifth in a
 * row is unexpected_message, as BoringSSL. */
static void test_warning_alerts_are_tolerated_up_to_four_in_a_row(void **state) {
    fixture *f = *state;
    static const uint8_t warn[] = {TH_ALERT_LEVEL_WARNING, TH_ALERT_UNRECOGNIZED_NAME};
    client k;
    client_init(&k, f, 160);
    client_connect(&k);
    ch_opts o = {.flags = CH_DEFAULT};
    full_ecdhe(&k, &o);
    for (int i = 0; i < 4; i++) {
        send_record(&k, TH_CT_ALERT, warn, 2);
    }
    assert_int_equal(status(&k).state, TH_CONN_ESTABLISHED);
    exchange(&k);
    for (int i = 0; i < 4; i++) {
        send_record(&k, TH_CT_ALERT, warn, 2);
    }
    assert_int_equal(status(&k).state, TH_CONN_ESTABLISHED);
    send_record(&k, TH_CT_ALERT, warn, 2);
    expect_alert(&k, TH_ALERT_UNEXPECTED_MESSAGE);
    client_free(&k);
    /* A fatal-level alert ends it at once. */
    static const uint8_t fatal[] = {TH_ALERT_LEVEL_FATAL, TH_ALERT_UNRECOGNIZED_NAME};
    client_init(&k, f, 161);
    client_connect(&k);
    full_ecdhe(&k, &o);
    send_record(&k, TH_CT_ALERT, fatal, 2);
    assert_int_equal(status(&k).state, TH_CONN_FAILED);
    assert_int_equal(status(&k).alert_received, TH_ALERT_UNRECOGNIZED_NAME);
    client_free(&k);
}

static void test_plaintext_overflow_is_record_overflow(void **state) {
    fixture *f = *state;
    client k;
    client_init(&k, f, 159);
    client_connect(&k);
    /* TLSPlaintext.length 2^14 + 1 (RFC 5246 §6.2.1). */
    uint8_t hdr[5] = {TH_CT_HANDSHAKE, 3, 3, (16384 + 1) >> 8, (16384 + 1) & 0xff};
    assert_false(th_conn_recv(k.c, hdr, sizeof(hdr)));
    expect_alert(&k, TH_ALERT_RECORD_OVERFLOW);
    client_free(&k);
}

static void test_unknown_record_type_is_unexpected_message(void **state) {
    fixture *f = *state;
    client k;
    client_init(&k, f, 156);
    client_connect(&k);
    ch_opts o = {.flags = CH_DEFAULT};
    full_ecdhe(&k, &o);
    send_record(&k, 0x42, (const uint8_t *)"x", 1);
    expect_alert(&k, TH_ALERT_UNEXPECTED_MESSAGE);
    client_free(&k);
}

static void test_close_notify_both_ways(void **state) {
    fixture *f = *state;
    client k;
    client_init(&k, f, 157);
    client_connect(&k);
    ch_opts o = {.flags = CH_DEFAULT};
    full_ecdhe(&k, &o);
    static const uint8_t cn[] = {TH_ALERT_LEVEL_WARNING, TH_ALERT_CLOSE_NOTIFY};
    send_record(&k, TH_CT_ALERT, cn, 2);
    assert_true(status(&k).peer_closed);
    assert_true(th_conn_close(k.c));
    pump(&k);
    assert_int_equal(status(&k).state, TH_CONN_CLOSED);
    client_free(&k);
}

static void test_ecdsa_cert_curve_not_offered_falls_back_to_rsa(void **state) {
    fixture *f = *state;
    client k;
    client_init(&k, f, 158);
    client_connect(&k);
    /* The client lists X25519 only: our P-256 ECDSA certificate does not
     * fit (RFC 8422 §5.1), ECDHE_RSA with our RSA certificate does. */
    static const uint16_t suites[] = {TH_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
                                      TH_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256};
    ch_opts o = {.flags = CH_DEFAULT | CH_ONLY_GROUP, .suites = suites, .num_suites = 2};
    full_ecdhe(&k, &o);
    assert_int_equal(status(&k).cipher_suite, TH_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256);
    client_free(&k);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_full_handshake_ecdhe),
        cmocka_unit_test(test_no_sentinel_without_tls13),
        cmocka_unit_test(test_full_handshake_rsa_key_exchange),
        cmocka_unit_test(test_rsa_premaster_failures_are_indistinguishable),
        cmocka_unit_test(test_resumption_by_ticket),
        cmocka_unit_test(test_ems_session_resumed_without_ems_is_handshake_failure),
        cmocka_unit_test(test_non_ems_session_with_ems_is_full_handshake),
        cmocka_unit_test(test_ems_required_by_default),
        cmocka_unit_test(test_resumption_by_session_id),
        cmocka_unit_test(test_server_name_acknowledged_and_binds_the_session),
        cmocka_unit_test(test_client_auth),
        cmocka_unit_test(test_renegotiation_is_refused_with_a_warning),
        cmocka_unit_test(test_record_version_of_client_hello_is_any_03xx),
        cmocka_unit_test(test_server_hello_extensions),
        cmocka_unit_test(test_max_fragment_length_limits_records),
        cmocka_unit_test(test_encrypt_then_mac),
        cmocka_unit_test(test_ch_trailing_data_is_decode_error),
        cmocka_unit_test(test_fallback_scsv_below_our_max_is_inappropriate_fallback),
        cmocka_unit_test(test_client_version_below_tls12_is_protocol_version),
        cmocka_unit_test(test_tls13_only_server_refuses_tls12),
        cmocka_unit_test(test_supported_versions_without_tls12_is_protocol_version),
        cmocka_unit_test(test_no_null_compression_is_illegal_parameter),
        cmocka_unit_test(test_no_common_cipher_is_handshake_failure),
        cmocka_unit_test(test_point_formats_without_uncompressed_is_illegal_parameter),
        cmocka_unit_test(test_nonempty_initial_renegotiation_info_is_handshake_failure),
        cmocka_unit_test(test_alpn_without_overlap_is_no_application_protocol),
        cmocka_unit_test(test_record_size_limit_below_64_is_illegal_parameter),
        cmocka_unit_test(test_record_over_our_limit_is_record_overflow),
        cmocka_unit_test(test_max_fragment_length_5_is_illegal_parameter),
        cmocka_unit_test(test_bad_ecdh_points_are_illegal_parameter),
        cmocka_unit_test(test_early_ccs_is_unexpected_message),
        cmocka_unit_test(test_finished_without_ccs_is_unexpected_message),
        cmocka_unit_test(test_bad_finished_is_decrypt_error),
        cmocka_unit_test(test_second_ccs_is_unexpected_message),
        cmocka_unit_test(test_cke_without_requested_certificate_is_unexpected_message),
        cmocka_unit_test(test_empty_certificate_when_required_is_handshake_failure),
        cmocka_unit_test(test_missing_certificate_verify_is_unexpected_message),
        cmocka_unit_test(test_bad_certificate_verify_is_decrypt_error),
        cmocka_unit_test(test_certificate_verify_scheme_not_requested_is_illegal_parameter),
        cmocka_unit_test(test_gcm_bad_tag_is_bad_record_mac),
        cmocka_unit_test(test_cbc_bad_padding_and_mac_are_bad_record_mac),
        cmocka_unit_test(test_ciphertext_overflow_is_record_overflow),
        cmocka_unit_test(test_warning_alerts_are_tolerated_up_to_four_in_a_row),
        cmocka_unit_test(test_plaintext_overflow_is_record_overflow),
        cmocka_unit_test(test_unknown_record_type_is_unexpected_message),
        cmocka_unit_test(test_close_notify_both_ways),
        cmocka_unit_test(test_ecdsa_cert_curve_not_offered_falls_back_to_rsa),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
