/* The TLS 1.2 client of the engine (hs12_client.c) against a scripted TLS
 * 1.2 server built here from the codec, the key schedule and the record
 * layer: full handshakes in every suite (ECDHE and RSA key exchange),
 * client authentication, resumption by session ID and by ticket, OCSP
 * stapling, secure renegotiation after a HelloRequest (or its refusal with a
 * warning no_renegotiation), the entry a ClientHello offering TLS 1.3 too
 * uses, and every client-side rule of CASES.md §4.2 with its alert:
 * ServerHello version, suite, extensions, renegotiation_info,
 * extended_master_secret (also on resumption), the downgrade sentinel,
 * Certificate, ServerKeyExchange curve, point, signature scheme and
 * signature, messages out of order, the ChangeCipherSpec rules and a bad
 * Finished. Also against our own TLS 1.2 server: every suite, resumption
 * both ways with client authentication. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/digest.h>
#include <openssl/mem.h>
#include <openssl/rsa.h>

#include "certificate_request_tls12.h"
#include "certificate_status.h"
#include "certificate_tls12.h"
#include "certificate_verify.h"
#include "client_hello.h"
#include "client_key_exchange.h"
#include "conn.h"
#include "conn_internal.h"
#include "ext_types.h"
#include "handshake.h"
#include "hs12_internal.h"
#include "keys12.h"
#include "new_session_ticket_tls12.h"
#include "record.h"
#include "record12.h"
#include "server_hello.h"
#include "server_key_exchange.h"
#include "testutil.h"

static const uint16_t kTls12[] = {TH_VERSION_TLS12};
static const uint16_t kTls12And13[] = {TH_VERSION_TLS13, TH_VERSION_TLS12};

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
    th_cert_key ecdsa_ck, rsa_ck, client_ck, unknown_ca_ck, wrong_host_ck;
    X509_STORE *store;
    uint64_t seed;
} fixture;

static int setup(void **state) {
    fixture *f = calloc(1, sizeof(*f));
    th_test_load_cert_key("server-ecdsa-p256", &f->ecdsa_ck);
    th_test_load_cert_key("server-rsa2048", &f->rsa_ck);
    th_test_load_cert_key("client-ecdsa-p256", &f->client_ck);
    th_test_load_cert_key("bad-unknown-ca", &f->unknown_ca_ck);
    th_test_load_cert_key("bad-wrong-host", &f->wrong_host_ck);
    f->store = th_test_load_trust_store("trust-bundle.pem");
    *state = f;
    return 0;
}

static int teardown(void **state) {
    fixture *f = *state;
    th_cert_key_cleanup(&f->ecdsa_ck);
    th_cert_key_cleanup(&f->rsa_ck);
    th_cert_key_cleanup(&f->client_ck);
    th_cert_key_cleanup(&f->unknown_ca_ck);
    th_cert_key_cleanup(&f->wrong_host_ck);
    X509_STORE_free(f->store);
    free(f);
    return 0;
}

/* A TLS 1.2-only client config. */
static void client_config(th_config *cfg, fixture *f) {
    memset(cfg, 0, sizeof(*cfg));
    f->seed = 7;
    cfg->random = test_random;
    cfg->random_ctx = &f->seed;
    cfg->now = test_now;
    cfg->trust_store = f->store;
    cfg->server_name = "localhost";
    cfg->versions = kTls12;
    cfg->num_versions = 1;
}

static void expect_alert_sent(th_conn *c, uint8_t alert) {
    th_conn_status st;
    th_conn_get_status(c, &st);
    if (st.state != TH_CONN_FAILED || !st.has_alert_sent || st.alert_sent != alert) {
        fail_msg("state %d, alert sent %d/%u, want alert %u", st.state, st.has_alert_sent,
                 st.alert_sent, alert);
    }
}

static void expect_established(th_conn *c) {
    th_conn_status st;
    th_conn_get_status(c, &st);
    if (st.state != TH_CONN_ESTABLISHED) {
        fail_msg("state %d, alert sent %d/%u received %d/%u", st.state, st.has_alert_sent,
                 st.alert_sent, st.has_alert_received, st.alert_received);
    }
    assert_int_equal(st.version, TH_VERSION_TLS12);
}
/* ---- A scripted TLS 1.2 server built from the codec and key blocks ------ */

/* What the scripted server sends; zero means the conforming default. */
typedef struct {
    uint16_t sh_version; /* 0: TLS 1.2 */
    uint16_t suite;      /* 0: the first suite of the ClientHello we support */
    uint16_t group;      /* 0: X25519 */
    uint16_t sig_alg;    /* 0: a scheme the key can make */
    int no_ems;          /* leave extended_master_secret out of the SH */
    int no_ri;           /* leave renegotiation_info out */
    int ri_garbage;      /* a non-empty renegotiated_connection */
    int ticket_ext;      /* session_ticket in the SH (then a NewSessionTicket) */
    const char *alpn;    /* ALPN answer */
    int extra_ext;       /* an extension type to add with an empty body, 0 none */
    int sentinel;        /* end the random with the TLS 1.2 downgrade sentinel */
    const uint8_t *sid;  /* session id to send (resumption echo) */
    size_t sid_len;
    int bad_point;     /* an off-curve P-256 point in the SKE */
    int bad_signature; /* flip a byte of the SKE signature */
    int bad_finished;  /* flip a byte of our Finished */
    int request_cert;  /* send a CertificateRequest */
    int status;        /* send a CertificateStatus */
    int ri_reneg;      /* renegotiation_info of a renegotiation: both verify_data */
} ss_opts;

typedef struct {
    const th_cert_key *ck;
    ss_opts o;
    uint8_t client_random[32], server_random[32];
    uint16_t client_version;
    uint16_t suite;
    const th_tls12_suite *s;
    th_kex kex;
    uint8_t *transcript; /* every handshake message so far */
    size_t transcript_len;
    uint8_t *pending; /* handshake messages not yet sent */
    size_t pending_len;
    th_secret master;
    th_tls12_key_block kb;
    th_rl12_dir rd, wr;
    int ems;
    uint8_t client_verify[12], server_verify[12];
    th_client_hello ch;
    EVP_PKEY *client_key; /* the leaf key of the client's Certificate */
    uint8_t *ch_msg;      /* the ClientHello message (ch points into it) */
    size_t ch_len;
} sserver;

static void buf_add(uint8_t **buf, size_t *len, const uint8_t *data, size_t n) {
    uint8_t *p = realloc(*buf, *len + n + 1);
    assert_non_null(p);
    if (n != 0) {
        memcpy(p + *len, data, n);
    }
    *buf = p;
    *len += n;
}

static void ss_free(sserver *ss) {
    th_kex_cleanup(&ss->kex);
    free(ss->transcript);
    free(ss->pending);
    th_secret_cleanse(&ss->master);
    th_tls12_key_block_cleanse(&ss->kb);
    th_rl12_dir_cleanup(&ss->rd);
    th_rl12_dir_cleanup(&ss->wr);
    th_client_hello_cleanup(&ss->ch);
    EVP_PKEY_free(ss->client_key);
    free(ss->ch_msg);
    memset(ss, 0, sizeof(*ss));
}

/* Queues a handshake message (transcript and pending flight). */
static void ss_msg(sserver *ss, uint8_t type, const uint8_t *body, size_t len) {
    uint8_t hdr[4] = {type, (uint8_t)(len >> 16), (uint8_t)(len >> 8), (uint8_t)len};
    buf_add(&ss->transcript, &ss->transcript_len, hdr, 4);
    buf_add(&ss->transcript, &ss->transcript_len, body, len);
    buf_add(&ss->pending, &ss->pending_len, hdr, 4);
    buf_add(&ss->pending, &ss->pending_len, body, len);
}

/* Writes one record of |type| (protected once our write key is set) into
 * the client. */
static int ss_record_to(sserver *ss, th_conn *c, uint8_t type, const uint8_t *data, size_t len) {
    CBB cbb;
    uint8_t *rec;
    size_t rec_len;
    assert_true(CBB_init(&cbb, len + 64));
    if (ss->wr.suite != NULL) {
        assert_true(th_rl12_seal(&ss->wr, &cbb, type, data, len));
    } else {
        th_record r = {type, TH_VERSION_TLS12, {data, len}};
        assert_true(th_write_record(&cbb, &r));
    }
    assert_true(CBB_finish(&cbb, &rec, &rec_len));
    int ok = th_conn_recv(c, rec, rec_len);
    OPENSSL_free(rec);
    return ok;
}

/* Sends the pending handshake messages in one record. */
static int ss_flush(sserver *ss, th_conn *c) {
    int ok = ss_record_to(ss, c, TH_CT_HANDSHAKE, ss->pending, ss->pending_len);
    ss->pending_len = 0;
    return ok;
}

/* Takes the client's pending output as a list of records: returns the
 * bytes (free them) and their length. */
static uint8_t *take_all(th_conn *c, size_t *out_len) {
    size_t n;
    const uint8_t *out = th_conn_pending_output(c, &n);
    uint8_t *copy = malloc(n + 1);
    assert_non_null(copy);
    if (n != 0) {
        memcpy(copy, out, n);
    }
    th_conn_consume_output(c, n);
    *out_len = n;
    return copy;
}

/* Reads the client's ClientHello. */
static void ss_read_client_hello(sserver *ss, th_conn *c) {
    size_t n;
    uint8_t *bytes = take_all(c, &n);
    CBS cbs, body;
    th_record rec;
    th_handshake hs;
    uint8_t alert;
    th_bytes content;
    CBS_init(&cbs, bytes, n);
    assert_true(th_parse_record(&cbs, &rec, &alert));
    assert_int_equal(rec.type, TH_CT_HANDSHAKE);
    assert_int_equal(CBS_len(&cbs), 0);
    content = rec.fragment;
    if (ss->rd.suite != NULL) {
        /* A renegotiation ClientHello, under the current keys. */
        assert_true(th_rl12_open(&ss->rd, &rec, bytes + TH_RECORD_HEADER_LEN, rec.fragment.len,
                                 &content, &alert));
    }
    ss->ch_msg = malloc(content.len);
    assert_non_null(ss->ch_msg);
    memcpy(ss->ch_msg, content.data, content.len);
    ss->ch_len = content.len;
    free(bytes);
    CBS_init(&cbs, ss->ch_msg, ss->ch_len);
    assert_true(th_parse_handshake(&cbs, &hs, &alert));
    assert_int_equal(hs.type, TH_HS_CLIENT_HELLO);
    CBS_init(&body, hs.body.data, hs.body.len);
    assert_true(th_parse_client_hello(&body, &ss->ch, &alert));
    memcpy(ss->client_random, ss->ch.random, 32);
    ss->client_version = ss->ch.legacy_version;
    buf_add(&ss->transcript, &ss->transcript_len, ss->ch_msg, ss->ch_len);
}

static int ch_has_ext(const sserver *ss, uint16_t type) {
    return th_ext_block_find(&ss->ch.extensions, type) != NULL;
}

static int ch_offers_suite(const sserver *ss, uint16_t suite) {
    for (size_t i = 0; i < ss->ch.num_cipher_suites; i++) {
        if (ss->ch.cipher_suites[i] == suite) {
            return 1;
        }
    }
    return 0;
}

static void ss_add_ext(CBB *exts, uint16_t type, const uint8_t *body, size_t len) {
    CBB e;
    assert_true(CBB_add_u16(exts, type));
    assert_true(CBB_add_u16_length_prefixed(exts, &e));
    assert_true(CBB_add_bytes(&e, body, len));
    assert_true(CBB_flush(exts));
}

/* Queues the ServerHello. */
static void ss_server_hello(sserver *ss) {
    CBB cbb, sid, exts;
    uint8_t *body;
    size_t len;
    ss->suite = ss->o.suite;
    if (ss->suite == 0) {
        for (size_t i = 0; i < ss->ch.num_cipher_suites && ss->suite == 0; i++) {
            if (th_tls12_suite_find(ss->ch.cipher_suites[i]) != NULL) {
                ss->suite = ss->ch.cipher_suites[i];
            }
        }
    }
    ss->s = th_tls12_suite_find(ss->suite);
    for (size_t i = 0; i < 32; i++) {
        ss->server_random[i] = (uint8_t)(0xa0 + i);
    }
    if (ss->o.sentinel) {
        memcpy(ss->server_random + 24, th_downgrade_sentinel_bytes(TH_DOWNGRADE_TLS12), 8);
    }
    assert_true(CBB_init(&cbb, 256));
    assert_true(CBB_add_u16(&cbb, ss->o.sh_version ? ss->o.sh_version : TH_VERSION_TLS12));
    assert_true(CBB_add_bytes(&cbb, ss->server_random, 32));
    assert_true(CBB_add_u8_length_prefixed(&cbb, &sid));
    assert_true(CBB_add_bytes(&sid, ss->o.sid, ss->o.sid_len));
    assert_true(CBB_add_u16(&cbb, ss->suite));
    assert_true(CBB_add_u8(&cbb, 0));
    assert_true(CBB_add_u16_length_prefixed(&cbb, &exts));
    if (!ss->o.no_ri) {
        static const uint8_t empty_ri[] = {0};
        static const uint8_t garbage_ri[] = {3, 1, 2, 3};
        if (ss->o.ri_reneg) {
            uint8_t ri[25];
            ri[0] = 24;
            memcpy(ri + 1, ss->client_verify, 12);
            memcpy(ri + 13, ss->server_verify, 12);
            if (ss->o.ri_garbage) {
                ri[24] ^= 1;
            }
            ss_add_ext(&exts, TH_EXT_RENEGOTIATION_INFO, ri, sizeof(ri));
        } else if (ss->o.ri_garbage) {
            ss_add_ext(&exts, TH_EXT_RENEGOTIATION_INFO, garbage_ri, sizeof(garbage_ri));
        } else {
            ss_add_ext(&exts, TH_EXT_RENEGOTIATION_INFO, empty_ri, sizeof(empty_ri));
        }
    }
    ss->ems = !ss->o.no_ems;
    if (ss->ems) {
        ss_add_ext(&exts, TH_EXT_EXTENDED_MASTER_SECRET, NULL, 0);
    }
    if (ss->s != NULL && ss->s->kx == TH_TLS12_KX_ECDHE) {
        static const uint8_t formats[] = {1, 0};
        ss_add_ext(&exts, TH_EXT_EC_POINT_FORMATS, formats, sizeof(formats));
    }
    if (ss->o.ticket_ext) {
        ss_add_ext(&exts, TH_EXT_SESSION_TICKET, NULL, 0);
    }
    if (ss->o.status) {
        ss_add_ext(&exts, TH_EXT_STATUS_REQUEST, NULL, 0);
    }
    if (ss->o.alpn != NULL) {
        uint8_t a[64];
        size_t l = strlen(ss->o.alpn);
        a[0] = 0;
        a[1] = (uint8_t)(l + 1);
        a[2] = (uint8_t)l;
        memcpy(a + 3, ss->o.alpn, l);
        ss_add_ext(&exts, TH_EXT_ALPN, a, l + 3);
    }
    if (ss->o.extra_ext != 0) {
        ss_add_ext(&exts, (uint16_t)ss->o.extra_ext, NULL, 0);
    }
    assert_true(CBB_finish(&cbb, &body, &len));
    ss_msg(ss, TH_HS_SERVER_HELLO, body, len);
    OPENSSL_free(body);
}

static void ss_certificate(sserver *ss) {
    th_certificate_tls12 cert;
    CBB cbb;
    uint8_t *body;
    size_t len;
    memset(&cert, 0, sizeof(cert));
    for (size_t i = 0; i < ss->ck->num_chain; i++) {
        assert_true(th_certificate_tls12_add(&cert, ss->ck->chain[i]));
    }
    assert_true(CBB_init(&cbb, 1024));
    assert_true(th_write_certificate_tls12(&cbb, &cert));
    assert_true(CBB_finish(&cbb, &body, &len));
    ss_msg(ss, TH_HS_CERTIFICATE, body, len);
    OPENSSL_free(body);
    th_certificate_tls12_cleanup(&cert);
}

static void ss_certificate_status(sserver *ss) {
    static const uint8_t ocsp[] = {0x30, 0x03, 0x0a, 0x01, 0x00};
    th_certificate_status st = {TH_CERT_STATUS_TYPE_OCSP, {ocsp, sizeof(ocsp)}};
    CBB cbb;
    uint8_t *body;
    size_t len;
    assert_true(CBB_init(&cbb, 64));
    assert_true(th_write_certificate_status(&cbb, &st));
    assert_true(CBB_finish(&cbb, &body, &len));
    ss_msg(ss, TH_HS_CERTIFICATE_STATUS, body, len);
    OPENSSL_free(body);
}

static uint16_t ss_default_sig_alg(const sserver *ss) {
    return EVP_PKEY_id(ss->ck->key) == EVP_PKEY_RSA ? TH_SIG_RSA_PSS_RSAE_SHA256
                                                    : TH_SIG_ECDSA_SECP256R1_SHA256;
}

/* A P-256 point that is not on the curve. */
static void bad_p256_point(uint8_t out[65]) {
    memset(out, 0, 65);
    out[0] = 4;
    out[32] = 1;
    out[64] = 1;
}

static void ss_server_key_exchange(sserver *ss) {
    uint64_t seed = 99;
    uint16_t group = ss->o.group ? ss->o.group : TH_GROUP_X25519;
    uint8_t bad[65];
    th_server_key_exchange_ecdhe ske;
    CBB params, cbb;
    uint8_t *p, *body, *sig;
    size_t p_len, len, sig_len;
    if (th_kex_group_supported(group)) {
        assert_true(th_kex_generate(&ss->kex, group, test_random, &seed));
    }
    memset(&ske, 0, sizeof(ske));
    ske.curve_type = TH_EC_CURVE_TYPE_NAMED_CURVE;
    ske.named_curve = group;
    if (ss->o.bad_point) {
        bad_p256_point(bad);
        ske.public_key.data = bad;
        ske.public_key.len = sizeof(bad);
    } else if (th_kex_group_supported(group)) {
        ske.public_key.data = ss->kex.public_key;
        ske.public_key.len = ss->kex.public_key_len;
    } else {
        static const uint8_t dummy[32] = {9};
        ske.public_key.data = dummy;
        ske.public_key.len = sizeof(dummy);
    }
    ske.has_sig_alg = 1;
    ske.sig_alg = ss->o.sig_alg ? ss->o.sig_alg : ss_default_sig_alg(ss);
    assert_true(CBB_init(&params, 256));
    assert_true(CBB_add_bytes(&params, ss->client_random, 32));
    assert_true(CBB_add_bytes(&params, ss->server_random, 32));
    assert_true(th_write_server_ecdh_params(&params, &ske));
    assert_true(CBB_finish(&params, &p, &p_len));
    uint16_t sign_alg = ske.sig_alg;
    if (!th_sig_scheme_allowed(sign_alg, ss->ck->key, TH_VERSION_TLS12)) {
        sign_alg = ss_default_sig_alg(ss);
    }
    assert_true(th_sig_sign(ss->ck->key, sign_alg, p, p_len, &sig, &sig_len));
    if (ss->o.bad_signature) {
        sig[sig_len / 2] ^= 1;
    }
    ske.signature.data = sig;
    ske.signature.len = sig_len;
    assert_true(CBB_init(&cbb, 256));
    assert_true(th_write_server_key_exchange_ecdhe(&cbb, &ske));
    assert_true(CBB_finish(&cbb, &body, &len));
    ss_msg(ss, TH_HS_SERVER_KEY_EXCHANGE, body, len);
    OPENSSL_free(body);
    OPENSSL_free(p);
    OPENSSL_free(sig);
}

static void ss_certificate_request(sserver *ss) {
    th_certificate_request_tls12 cr;
    static const uint8_t types[] = {TH_CLIENT_CERT_TYPE_RSA_SIGN, TH_CLIENT_CERT_TYPE_ECDSA_SIGN};
    CBB cbb;
    uint8_t *body;
    size_t len;
    memset(&cr, 0, sizeof(cr));
    cr.certificate_types.data = types;
    cr.certificate_types.len = sizeof(types);
    cr.has_sig_algs = 1;
    assert_true(th_certificate_request_tls12_add_sig_alg(&cr, TH_SIG_ECDSA_SECP256R1_SHA256));
    assert_true(th_certificate_request_tls12_add_sig_alg(&cr, TH_SIG_RSA_PKCS1_SHA256));
    assert_true(CBB_init(&cbb, 64));
    assert_true(th_write_certificate_request_tls12(&cbb, &cr));
    assert_true(CBB_finish(&cbb, &body, &len));
    ss_msg(ss, TH_HS_CERTIFICATE_REQUEST, body, len);
    OPENSSL_free(body);
    th_certificate_request_tls12_cleanup(&cr);
}

static void ss_server_hello_done(sserver *ss) {
    ss_msg(ss, TH_HS_SERVER_HELLO_DONE, NULL, 0);
}

/* The standard first flight of the options: SH, Certificate, [status],
 * [SKE], [CR], SHD, sent in one record. */
static int ss_first_flight(sserver *ss, th_conn *c) {
    ss_server_hello(ss);
    ss_certificate(ss);
    if (ss->o.status) {
        ss_certificate_status(ss);
    }
    if (ss->s != NULL && ss->s->kx == TH_TLS12_KX_ECDHE) {
        ss_server_key_exchange(ss);
    }
    if (ss->o.request_cert) {
        ss_certificate_request(ss);
    }
    ss_server_hello_done(ss);
    return ss_flush(ss, c);
}

static void ss_hash(const sserver *ss, uint8_t *out, size_t *out_len) {
    unsigned n;
    assert_true(EVP_Digest(ss->transcript, ss->transcript_len, out, &n, ss->s->prf_md(), NULL));
    *out_len = n;
}

/* Derives the master secret and the keys from |premaster| (the transcript
 * ends with the ClientKeyExchange). */
static void ss_keys(sserver *ss, const uint8_t *premaster, size_t premaster_len) {
    const EVP_MD *md = ss->s->prf_md();
    if (ss->ems) {
        uint8_t h[EVP_MAX_MD_SIZE];
        size_t hl;
        ss_hash(ss, h, &hl);
        assert_true(
            th_tls12_extended_master_secret(&ss->master, md, premaster, premaster_len, h, hl));
    } else {
        assert_true(th_tls12_master_secret(&ss->master, md, premaster, premaster_len,
                                           ss->client_random, ss->server_random));
    }
    assert_true(th_tls12_key_block_derive(&ss->kb, ss->s, &ss->master, ss->client_random,
                                          ss->server_random));
}

/* Reads the client's second flight: [Certificate, ClientKeyExchange,
 * CertificateVerify,] CCS, Finished; checks the Finished. Returns 1 if all
 * is as expected. |*out_cert_len| receives the number of certificates. */
static void ss_read_client_flight(sserver *ss, th_conn *c, size_t *out_certs, int *out_cv) {
    size_t n;
    uint8_t *bytes = take_all(c, &n);
    CBS cbs;
    th_record rec;
    uint8_t alert;
    int ccs_seen = 0, fin_seen = 0;
    *out_certs = 0;
    *out_cv = 0;
    CBS_init(&cbs, bytes, n);
    while (CBS_len(&cbs) != 0) {
        assert_true(th_parse_record(&cbs, &rec, &alert));
        if (rec.type == TH_CT_CHANGE_CIPHER_SPEC) {
            assert_false(ccs_seen);
            ccs_seen = 1;
            assert_true(th_rl12_dir_set_key_block(&ss->rd, ss->suite, TH_RL12_OPEN, 0, &ss->kb, 0));
            continue;
        }
        assert_int_equal(rec.type, TH_CT_HANDSHAKE);
        th_bytes content = rec.fragment;
        uint8_t *plain = NULL;
        if (ss->rd.suite != NULL) {
            plain = malloc(rec.fragment.len + 1);
            assert_true(th_rl12_open(&ss->rd, &rec, plain, rec.fragment.len, &content, &alert));
        }
        CBS msgs;
        CBS_init(&msgs, content.data, content.len);
        while (CBS_len(&msgs) != 0) {
            uint8_t type;
            uint32_t len = 0;
            CBS copy = msgs, body;
            assert_true(CBS_get_u8(&msgs, &type) && CBS_get_u24(&msgs, &len) &&
                        CBS_get_bytes(&msgs, &body, len));
            const uint8_t *msg = CBS_data(&copy);
            size_t msg_len = 4 + len;
            if (type == TH_HS_CERTIFICATE) {
                th_certificate_tls12 cert;
                assert_true(th_parse_certificate_tls12(&body, &cert, &alert));
                *out_certs = cert.num_certs;
                if (cert.num_certs != 0) {
                    char why[128];
                    assert_true(th_leaf_public_key(cert.certs[0], &ss->client_key, &alert, why,
                                                   sizeof(why)));
                }
                th_certificate_tls12_cleanup(&cert);
            } else if (type == TH_HS_CLIENT_KEY_EXCHANGE) {
                buf_add(&ss->transcript, &ss->transcript_len, msg, msg_len);
                uint8_t pms[512];
                size_t pms_len;
                if (ss->s->kx == TH_TLS12_KX_ECDHE) {
                    th_client_key_exchange_ecdhe cke;
                    assert_true(th_parse_client_key_exchange_ecdhe(&body, &cke, &alert));
                    assert_true(th_kex_compute(&ss->kex, cke.public_key.data, cke.public_key.len,
                                               pms, &pms_len, &alert));
                } else {
                    th_client_key_exchange_rsa cke;
                    assert_true(th_parse_client_key_exchange_rsa(&body, &cke, &alert));
                    RSA *rsa = EVP_PKEY_get0_RSA(ss->ck->key);
                    assert_true(RSA_decrypt(
                        rsa, &pms_len, pms, sizeof(pms), cke.encrypted_pre_master_secret.data,
                        cke.encrypted_pre_master_secret.len, RSA_PKCS1_PADDING));
                    assert_int_equal(pms_len, 48);
                    /* RFC 5246 §7.4.7.1: client_version, the offered one. */
                    assert_int_equal(pms[0] << 8 | pms[1], ss->client_version);
                }
                ss_keys(ss, pms, pms_len);
                continue;
            } else if (type == TH_HS_CERTIFICATE_VERIFY) {
                /* RFC 5246 §7.4.8: over handshake_messages so far. */
                th_certificate_verify cv;
                assert_true(th_parse_certificate_verify(&body, &cv, &alert));
                assert_non_null(ss->client_key);
                assert_true(th_sig_verify(ss->client_key, cv.algorithm, ss->transcript,
                                          ss->transcript_len, cv.signature.data, cv.signature.len,
                                          &alert));
                *out_cv = 1;
            } else if (type == TH_HS_FINISHED) {
                uint8_t h[EVP_MAX_MD_SIZE];
                size_t hl;
                ss_hash(ss, h, &hl);
                assert_true(ccs_seen);
                assert_true(th_tls12_finished_check(ss->s->prf_md(), &ss->master, 0, h, hl,
                                                    CBS_data(&body), CBS_len(&body), &alert));
                memcpy(ss->client_verify, CBS_data(&body), 12);
                fin_seen = 1;
            } else {
                fail_msg("unexpected message %u from the client", type);
            }
            buf_add(&ss->transcript, &ss->transcript_len, msg, msg_len);
        }
        free(plain);
    }
    assert_true(ccs_seen);
    assert_true(fin_seen);
    free(bytes);
}

static int ss_send_ccs(sserver *ss, th_conn *c) {
    static const uint8_t one = 1;
    int ok = ss_record_to(ss, c, TH_CT_CHANGE_CIPHER_SPEC, &one, 1);
    assert_true(th_rl12_dir_set_key_block(&ss->wr, ss->suite, TH_RL12_SEAL, 0, &ss->kb, 1));
    return ok;
}

/* Queues our Finished. */
static void ss_finished(sserver *ss) {
    uint8_t h[EVP_MAX_MD_SIZE];
    size_t hl;
    th_secret vd;
    ss_hash(ss, h, &hl);
    assert_true(th_tls12_finished_verify_data(&vd, ss->s->prf_md(), &ss->master, 1, h, hl));
    if (ss->o.bad_finished) {
        vd.bytes[0] ^= 1;
    }
    memcpy(ss->server_verify, vd.bytes, 12);
    ss_msg(ss, TH_HS_FINISHED, vd.bytes, vd.len);
}

/* Queues a NewSessionTicket carrying |ticket|. */
static void ss_new_session_ticket(sserver *ss, const char *ticket) {
    th_new_session_ticket_tls12 nst = {7200, {(const uint8_t *)ticket, strlen(ticket)}};
    CBB cbb;
    uint8_t *body;
    size_t len;
    assert_true(CBB_init(&cbb, 64));
    assert_true(th_write_new_session_ticket_tls12(&cbb, &nst));
    assert_true(CBB_finish(&cbb, &body, &len));
    ss_msg(ss, TH_HS_NEW_SESSION_TICKET, body, len);
    OPENSSL_free(body);
}

/* Our last flight of a full handshake: [NST,] CCS, Finished. */
static int ss_finish(sserver *ss, th_conn *c) {
    if (ss->o.ticket_ext) {
        ss_new_session_ticket(ss, "scripted-ticket");
        if (!ss_flush(ss, c)) {
            return 0;
        }
    }
    if (!ss_send_ccs(ss, c)) {
        return 0;
    }
    ss_finished(ss);
    return ss_flush(ss, c);
}

/* ---- Helpers over the scripted server ------------------------------------ */

/* A client for |cfg| with its ClientHello read by |ss| (serving |ck|). */
static th_conn *start(th_config *cfg, sserver *ss, const th_cert_key *ck, const ss_opts *o) {
    th_conn *c = th_conn_new(cfg, TH_ROLE_CLIENT);
    assert_non_null(c);
    memset(ss, 0, sizeof(*ss));
    ss->ck = ck;
    if (o != NULL) {
        ss->o = *o;
    }
    ss_read_client_hello(ss, c);
    return c;
}

/* A whole full handshake; returns the established client. */
static th_conn *full_handshake(th_config *cfg, sserver *ss, const th_cert_key *ck,
                               const ss_opts *o) {
    size_t certs;
    int cv;
    th_conn *c = start(cfg, ss, ck, o);
    assert_true(ss_first_flight(ss, c));
    ss_read_client_flight(ss, c, &certs, &cv);
    assert_true(ss_finish(ss, c));
    expect_established(c);
    return c;
}

/* Application data both ways between the client and the scripted server. */
static void app_both_ways(sserver *ss, th_conn *c) {
    static const char kUp[] = "hello server", kDown[] = "hello client";
    uint8_t buf[64];
    assert_true(th_conn_write_app(c, (const uint8_t *)kUp, strlen(kUp), 0));
    size_t n;
    uint8_t *bytes = take_all(c, &n);
    CBS cbs;
    th_record rec;
    th_bytes content;
    uint8_t alert;
    CBS_init(&cbs, bytes, n);
    assert_true(th_parse_record(&cbs, &rec, &alert));
    assert_int_equal(rec.type, TH_CT_APPLICATION_DATA);
    uint8_t *plain = malloc(rec.fragment.len + 1);
    assert_true(th_rl12_open(&ss->rd, &rec, plain, rec.fragment.len, &content, &alert));
    assert_int_equal(content.len, strlen(kUp));
    assert_memory_equal(content.data, kUp, content.len);
    free(plain);
    free(bytes);
    assert_true(ss_record_to(ss, c, TH_CT_APPLICATION_DATA, (const uint8_t *)kDown, strlen(kDown)));
    assert_int_equal(th_conn_read_app(c, buf, sizeof(buf)), strlen(kDown));
    assert_memory_equal(buf, kDown, strlen(kDown));
}

/* The abbreviated handshake of a resumed session with |master|: SH (echoing
 * the session ID of the ClientHello), [NST,] CCS, Finished; then reads the
 * client's CCS and Finished. */
static int ss_resume(sserver *ss, th_conn *c, const th_secret *master) {
    ss->o.sid = ss->ch.legacy_session_id.data;
    ss->o.sid_len = ss->ch.legacy_session_id.len;
    ss_server_hello(ss);
    ss->master = *master;
    assert_true(th_tls12_key_block_derive(&ss->kb, ss->s, &ss->master, ss->client_random,
                                          ss->server_random));
    if (ss->o.ticket_ext) {
        ss_new_session_ticket(ss, "renewed-ticket");
    }
    if (!ss_flush(ss, c) || !ss_send_ccs(ss, c)) {
        return 0;
    }
    ss_finished(ss);
    return ss_flush(ss, c);
}

/* ---- Full handshakes ------------------------------------------------------ */

static void test_every_suite_full_handshake(void **state) {
    fixture *f = *state;
    const th_tls12_suite *s;
    for (size_t i = 0; (s = th_tls12_suite_at(i)) != NULL; i++) {
        th_config cfg;
        sserver ss;
        client_config(&cfg, f);
        ss_opts o = {0};
        o.suite = s->id;
        const th_cert_key *ck = s->auth == TH_TLS12_AUTH_ECDSA ? &f->ecdsa_ck : &f->rsa_ck;
        th_conn *c = full_handshake(&cfg, &ss, ck, &o);
        th_conn_status st;
        th_conn_get_status(c, &st);
        assert_int_equal(st.cipher_suite, s->id);
        assert_false(st.resumed);
        assert_true(st.peer_authenticated);
        if (s->kx == TH_TLS12_KX_ECDHE) {
            assert_int_equal(st.group, TH_GROUP_X25519);
            assert_int_equal(st.sig_scheme, ss_default_sig_alg(&ss));
        }
        size_t n;
        assert_non_null(th_conn_peer_chain(c, &n));
        assert_int_equal(n, ck->num_chain);
        app_both_ways(&ss, c);
        th_conn_free(c);
        ss_free(&ss);
    }
}

static void test_client_hello_offers_tls12_extensions(void **state) {
    fixture *f = *state;
    th_config cfg;
    sserver ss;
    static const char *const alpn[] = {"h2", "http/1.1"};
    client_config(&cfg, f);
    cfg.alpn = alpn;
    cfg.num_alpn = 2;
    cfg.fallback_scsv = 1;
    th_conn *c = start(&cfg, &ss, &f->ecdsa_ck, NULL);
    assert_int_equal(ss.ch.legacy_version, TH_VERSION_TLS12);
    assert_int_equal(ss.ch.legacy_session_id.len, 0);
    assert_true(ch_offers_suite(&ss, TH_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256));
    assert_true(ch_offers_suite(&ss, TH_TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256));
    assert_true(ch_offers_suite(&ss, TH_TLS_RSA_WITH_AES_128_CBC_SHA));
    assert_true(ch_offers_suite(&ss, TH_TLS_FALLBACK_SCSV));
    assert_false(ch_offers_suite(&ss, TH_TLS_AES_128_GCM_SHA256));
    assert_false(ch_has_ext(&ss, TH_EXT_SUPPORTED_VERSIONS));
    assert_false(ch_has_ext(&ss, TH_EXT_KEY_SHARE));
    assert_true(ch_has_ext(&ss, TH_EXT_SERVER_NAME));
    assert_true(ch_has_ext(&ss, TH_EXT_EXTENDED_MASTER_SECRET));
    assert_true(ch_has_ext(&ss, TH_EXT_ALPN));
    const th_ext *ri = th_ext_block_find(&ss.ch.extensions, TH_EXT_RENEGOTIATION_INFO);
    assert_non_null(ri);
    assert_int_equal(ri->body.len, 1);
    assert_int_equal(ri->body.data[0], 0);
    const th_ext *pf = th_ext_block_find(&ss.ch.extensions, TH_EXT_EC_POINT_FORMATS);
    assert_non_null(pf);
    assert_int_equal(pf->body.len, 2);
    assert_int_equal(pf->body.data[1], TH_EC_POINT_UNCOMPRESSED);
    const th_ext *st = th_ext_block_find(&ss.ch.extensions, TH_EXT_SESSION_TICKET);
    assert_non_null(st);
    assert_int_equal(st->body.len, 0);
    const th_ext *sa = th_ext_block_find(&ss.ch.extensions, TH_EXT_SIGNATURE_ALGORITHMS);
    assert_non_null(sa);
    th_ext_signature_algorithms algs;
    uint8_t alert;
    CBS body = th_ext_body(sa);
    assert_true(th_parse_ext_signature_algorithms(&body, &algs, &alert));
    int pkcs1 = 0, ecdsa = 0;
    for (size_t i = 0; i < algs.num_sig_algs; i++) {
        pkcs1 |= algs.sig_algs[i] == TH_SIG_RSA_PKCS1_SHA256;
        ecdsa |= algs.sig_algs[i] == TH_SIG_ECDSA_SECP256R1_SHA256;
    }
    assert_true(pkcs1 && ecdsa);
    th_ext_signature_algorithms_cleanup(&algs);
    th_conn_free(c);
    ss_free(&ss);
}

static void test_rsa_key_exchange_premaster_carries_client_version(void **state) {
    fixture *f = *state;
    th_config cfg;
    sserver ss;
    client_config(&cfg, f);
    ss_opts o = {0};
    o.suite = TH_TLS_RSA_WITH_AES_256_GCM_SHA384;
    /* ss_read_client_flight checks the premaster's version. */
    th_conn *c = full_handshake(&cfg, &ss, &f->rsa_ck, &o);
    app_both_ways(&ss, c);
    th_conn_free(c);
    ss_free(&ss);
}

static void test_client_auth_sends_certificate_and_verify(void **state) {
    fixture *f = *state;
    th_config cfg;
    sserver ss;
    size_t certs;
    int cv;
    client_config(&cfg, f);
    cfg.cert_key = &f->client_ck;
    ss_opts o = {0};
    o.request_cert = 1;
    th_conn *c = start(&cfg, &ss, &f->ecdsa_ck, &o);
    assert_true(ss_first_flight(&ss, c));
    ss_read_client_flight(&ss, c, &certs, &cv);
    assert_int_equal(certs, f->client_ck.num_chain);
    assert_true(cv);
    assert_true(ss_finish(&ss, c));
    expect_established(c);
    app_both_ways(&ss, c);
    th_conn_free(c);
    ss_free(&ss);
}

static void test_client_auth_without_certificate_sends_empty_one(void **state) {
    fixture *f = *state;
    th_config cfg;
    sserver ss;
    size_t certs;
    int cv;
    client_config(&cfg, f);
    ss_opts o = {0};
    o.request_cert = 1;
    th_conn *c = start(&cfg, &ss, &f->ecdsa_ck, &o);
    assert_true(ss_first_flight(&ss, c));
    ss_read_client_flight(&ss, c, &certs, &cv);
    assert_int_equal(certs, 0);
    assert_false(cv);
    assert_true(ss_finish(&ss, c));
    expect_established(c);
    th_conn_free(c);
    ss_free(&ss);
}

static void test_without_ems_allowed_by_config(void **state) {
    fixture *f = *state;
    th_config cfg;
    sserver ss;
    client_config(&cfg, f);
    cfg.tls12_allow_no_ems = 1;
    ss_opts o = {0};
    o.no_ems = 1;
    th_conn *c = full_handshake(&cfg, &ss, &f->ecdsa_ck, &o);
    app_both_ways(&ss, c);
    th_conn_free(c);
    ss_free(&ss);
}

static void test_alpn_and_missing_renegotiation_info_accepted(void **state) {
    fixture *f = *state;
    th_config cfg;
    sserver ss;
    static const char *const alpn[] = {"h2", "http/1.1"};
    client_config(&cfg, f);
    cfg.alpn = alpn;
    cfg.num_alpn = 2;
    ss_opts o = {0};
    o.alpn = "http/1.1";
    o.no_ri = 1;
    th_conn *c = full_handshake(&cfg, &ss, &f->ecdsa_ck, &o);
    th_conn_status st;
    th_conn_get_status(c, &st);
    assert_int_equal(st.alpn.len, 8);
    assert_memory_equal(st.alpn.data, "http/1.1", 8);
    th_conn_free(c);
    ss_free(&ss);
}

/* ---- Sessions ------------------------------------------------------------- */

static void test_resumption_by_session_id(void **state) {
    fixture *f = *state;
    th_config cfg;
    sserver ss;
    size_t certs;
    int cv;
    static const uint8_t kSid[32] = {1, 2, 3, 4, 5, 6, 7, 8, 9};
    client_config(&cfg, f);
    ss_opts o = {0};
    o.sid = kSid;
    o.sid_len = sizeof(kSid);
    th_conn *c = full_handshake(&cfg, &ss, &f->ecdsa_ck, &o);
    th_session *sess = th_conn_take_session(c);
    assert_non_null(sess);
    assert_null(th_conn_take_session(c));
    th_secret master = ss.master;
    uint16_t suite = ss.suite;
    th_conn_free(c);
    ss_free(&ss);

    cfg.session = sess;
    o.suite = suite;
    c = start(&cfg, &ss, &f->ecdsa_ck, &o);
    assert_int_equal(ss.ch.legacy_session_id.len, sizeof(kSid));
    assert_memory_equal(ss.ch.legacy_session_id.data, kSid, sizeof(kSid));
    assert_true(ss_resume(&ss, c, &master));
    ss_read_client_flight(&ss, c, &certs, &cv);
    expect_established(c);
    th_conn_status st;
    th_conn_get_status(c, &st);
    assert_true(st.resumed);
    assert_true(st.peer_authenticated);
    app_both_ways(&ss, c);
    th_session *again = th_conn_take_session(c);
    assert_non_null(again);
    th_session_free(again);
    th_conn_free(c);
    ss_free(&ss);
    th_session_free(sess);
}

static void test_resumption_by_ticket(void **state) {
    fixture *f = *state;
    th_config cfg;
    sserver ss;
    size_t certs;
    int cv;
    client_config(&cfg, f);
    ss_opts o = {0};
    o.ticket_ext = 1;
    th_conn *c = full_handshake(&cfg, &ss, &f->ecdsa_ck, &o);
    th_conn_status st;
    th_conn_get_status(c, &st);
    assert_int_equal(st.tickets_received, 1);
    th_session *sess = th_conn_take_session(c);
    assert_non_null(sess);
    th_secret master = ss.master;
    uint16_t suite = ss.suite;
    th_conn_free(c);
    ss_free(&ss);

    cfg.session = sess;
    o.suite = suite;
    c = start(&cfg, &ss, &f->ecdsa_ck, &o);
    const th_ext *t = th_ext_block_find(&ss.ch.extensions, TH_EXT_SESSION_TICKET);
    assert_non_null(t);
    assert_int_equal(t->body.len, strlen("scripted-ticket"));
    assert_memory_equal(t->body.data, "scripted-ticket", t->body.len);
    /* RFC 5077 §3.4: a session ID to recognise the server's acceptance. */
    assert_int_equal(ss.ch.legacy_session_id.len, 32);
    assert_true(ss_resume(&ss, c, &master));
    ss_read_client_flight(&ss, c, &certs, &cv);
    expect_established(c);
    th_conn_get_status(c, &st);
    assert_true(st.resumed);
    app_both_ways(&ss, c);
    th_session *renewed = th_conn_take_session(c);
    assert_non_null(renewed);
    th_conn_free(c);
    ss_free(&ss);
    th_session_free(sess);
    th_session_free(renewed);
}

/* A session of a full handshake with |o| (ems or not) and its master. */
static th_session *make_session(fixture *f, th_config *cfg, const ss_opts *o, th_secret *master,
                                uint16_t *suite) {
    sserver ss;
    th_conn *c = full_handshake(cfg, &ss, &f->ecdsa_ck, o);
    th_session *sess = th_conn_take_session(c);
    assert_non_null(sess);
    *master = ss.master;
    *suite = ss.suite;
    th_conn_free(c);
    ss_free(&ss);
    return sess;
}

static void test_resume_ems_session_without_ems_is_handshake_failure(void **state) {
    fixture *f = *state;
    th_config cfg;
    sserver ss;
    th_secret master;
    uint16_t suite;
    static const uint8_t kSid[32] = {7};
    client_config(&cfg, f);
    cfg.tls12_allow_no_ems = 1;
    ss_opts o = {0};
    o.sid = kSid;
    o.sid_len = sizeof(kSid);
    th_session *sess = make_session(f, &cfg, &o, &master, &suite);
    cfg.session = sess;
    o.suite = suite;
    o.no_ems = 1;
    th_conn *c = start(&cfg, &ss, &f->ecdsa_ck, &o);
    assert_false(ss_resume(&ss, c, &master));
    expect_alert_sent(c, TH_ALERT_HANDSHAKE_FAILURE);
    th_conn_free(c);
    ss_free(&ss);
    th_session_free(sess);
}

static void test_resume_non_ems_session_with_ems_is_handshake_failure(void **state) {
    fixture *f = *state;
    th_config cfg;
    sserver ss;
    th_secret master;
    uint16_t suite;
    static const uint8_t kSid[32] = {8};
    client_config(&cfg, f);
    cfg.tls12_allow_no_ems = 1;
    ss_opts o = {0};
    o.sid = kSid;
    o.sid_len = sizeof(kSid);
    o.no_ems = 1;
    th_session *sess = make_session(f, &cfg, &o, &master, &suite);
    cfg.session = sess;
    o.suite = suite;
    o.no_ems = 0;
    th_conn *c = start(&cfg, &ss, &f->ecdsa_ck, &o);
    assert_false(ss_resume(&ss, c, &master));
    expect_alert_sent(c, TH_ALERT_HANDSHAKE_FAILURE);
    th_conn_free(c);
    ss_free(&ss);
    th_session_free(sess);
}

static void test_resume_with_other_suite_is_illegal_parameter(void **state) {
    fixture *f = *state;
    th_config cfg;
    sserver ss;
    th_secret master;
    uint16_t suite;
    static const uint8_t kSid[32] = {9};
    client_config(&cfg, f);
    ss_opts o = {0};
    o.sid = kSid;
    o.sid_len = sizeof(kSid);
    o.suite = TH_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256;
    th_session *sess = make_session(f, &cfg, &o, &master, &suite);
    cfg.session = sess;
    o.suite = TH_TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384;
    th_conn *c = start(&cfg, &ss, &f->ecdsa_ck, &o);
    assert_false(ss_resume(&ss, c, &master));
    expect_alert_sent(c, TH_ALERT_ILLEGAL_PARAMETER);
    th_conn_free(c);
    ss_free(&ss);
    th_session_free(sess);
}

static void test_server_ignoring_session_gives_full_handshake(void **state) {
    fixture *f = *state;
    th_config cfg;
    sserver ss;
    th_secret master;
    uint16_t suite;
    static const uint8_t kSid[32] = {10};
    client_config(&cfg, f);
    ss_opts o = {0};
    o.sid = kSid;
    o.sid_len = sizeof(kSid);
    th_session *sess = make_session(f, &cfg, &o, &master, &suite);
    cfg.session = sess;
    o.sid = NULL;
    o.sid_len = 0;
    th_conn *c = full_handshake(&cfg, &ss, &f->ecdsa_ck, &o);
    th_conn_status st;
    th_conn_get_status(c, &st);
    assert_false(st.resumed);
    /* No session ID and no ticket: nothing resumable. */
    assert_null(th_conn_take_session(c));
    th_conn_free(c);
    ss_free(&ss);
    th_session_free(sess);
}

/* ---- ServerHello ---------------------------------------------------------- */

/* Sends the first flight of |o| and expects |alert|. */
static void expect_first_flight_alert(fixture *f, th_config *cfg, const th_cert_key *ck,
                                      const ss_opts *o, uint8_t alert) {
    sserver ss;
    th_conn *c = start(cfg, &ss, ck, o);
    assert_false(ss_first_flight(&ss, c));
    expect_alert_sent(c, alert);
    th_conn_free(c);
    ss_free(&ss);
}

static void test_sh_tls11_is_protocol_version(void **state) {
    fixture *f = *state;
    th_config cfg;
    client_config(&cfg, f);
    ss_opts o = {0};
    o.sh_version = TH_VERSION_TLS11;
    expect_first_flight_alert(f, &cfg, &f->ecdsa_ck, &o, TH_ALERT_PROTOCOL_VERSION);
}

/* Queues a TLS 1.3 ServerHello: supported_versions 0x0304 and a key
 * share. */
static void ss_tls13_server_hello(sserver *ss) {
    CBB cbb, sid, exts, e;
    uint8_t *body;
    size_t len;
    uint8_t share[32] = {9};
    assert_true(CBB_init(&cbb, 128));
    assert_true(CBB_add_u16(&cbb, TH_VERSION_TLS12));
    assert_true(CBB_add_bytes(&cbb, share, 32));
    assert_true(CBB_add_u8_length_prefixed(&cbb, &sid));
    assert_true(CBB_add_u16(&cbb, TH_TLS_AES_128_GCM_SHA256));
    assert_true(CBB_add_u8(&cbb, 0));
    assert_true(CBB_add_u16_length_prefixed(&cbb, &exts));
    assert_true(CBB_add_u16(&exts, TH_EXT_SUPPORTED_VERSIONS));
    assert_true(CBB_add_u16_length_prefixed(&exts, &e));
    assert_true(CBB_add_u16(&e, TH_VERSION_TLS13));
    assert_true(CBB_add_u16(&exts, TH_EXT_KEY_SHARE));
    assert_true(CBB_add_u16_length_prefixed(&exts, &e));
    assert_true(CBB_add_u16(&e, TH_GROUP_X25519));
    assert_true(CBB_add_u16(&e, 32));
    assert_true(CBB_add_bytes(&e, share, 32));
    assert_true(CBB_finish(&cbb, &body, &len));
    ss_msg(ss, TH_HS_SERVER_HELLO, body, len);
    OPENSSL_free(body);
}

static void test_sh_tls13_to_tls12_client_is_protocol_version(void **state) {
    fixture *f = *state;
    th_config cfg;
    sserver ss;
    client_config(&cfg, f);
    th_conn *c = start(&cfg, &ss, &f->ecdsa_ck, NULL);
    ss_tls13_server_hello(&ss);
    assert_false(ss_flush(&ss, c));
    expect_alert_sent(c, TH_ALERT_PROTOCOL_VERSION);
    th_conn_free(c);
    ss_free(&ss);
}

static void test_sh_cipher_not_offered_is_illegal_parameter(void **state) {
    fixture *f = *state;
    th_config cfg;
    static const uint16_t suites[] = {TH_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256};
    client_config(&cfg, f);
    cfg.cipher_suites = suites;
    cfg.num_cipher_suites = 1;
    ss_opts o = {0};
    o.suite = TH_TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384;
    expect_first_flight_alert(f, &cfg, &f->ecdsa_ck, &o, TH_ALERT_ILLEGAL_PARAMETER);
}

static void test_sh_unsolicited_extension_is_unsupported_extension(void **state) {
    fixture *f = *state;
    th_config cfg;
    client_config(&cfg, f);
    ss_opts o = {0};
    o.alpn = "h2";
    expect_first_flight_alert(f, &cfg, &f->ecdsa_ck, &o, TH_ALERT_UNSUPPORTED_EXTENSION);
    ss_opts o2 = {0};
    o2.status = 1;
    expect_first_flight_alert(f, &cfg, &f->ecdsa_ck, &o2, TH_ALERT_UNSUPPORTED_EXTENSION);
}

static void test_sh_alpn_not_offered_is_illegal_parameter(void **state) {
    fixture *f = *state;
    th_config cfg;
    static const char *const alpn[] = {"http/1.1"};
    client_config(&cfg, f);
    cfg.alpn = alpn;
    cfg.num_alpn = 1;
    ss_opts o = {0};
    o.alpn = "h2";
    expect_first_flight_alert(f, &cfg, &f->ecdsa_ck, &o, TH_ALERT_ILLEGAL_PARAMETER);
}

static void test_sh_ri_nonempty_initial_is_handshake_failure(void **state) {
    fixture *f = *state;
    th_config cfg;
    client_config(&cfg, f);
    ss_opts o = {0};
    o.ri_garbage = 1;
    expect_first_flight_alert(f, &cfg, &f->ecdsa_ck, &o, TH_ALERT_HANDSHAKE_FAILURE);
}

static void test_sh_without_ems_is_handshake_failure(void **state) {
    fixture *f = *state;
    th_config cfg;
    client_config(&cfg, f);
    ss_opts o = {0};
    o.no_ems = 1;
    expect_first_flight_alert(f, &cfg, &f->ecdsa_ck, &o, TH_ALERT_HANDSHAKE_FAILURE);
}

/* The TLS 1.2 ServerHello of |o| for a client offering TLS 1.3 and 1.2,
 * through the entry hs13_client.c calls; returns its result. */
static int dual_version_server_hello(fixture *f, const ss_opts *o, uint8_t *out_alert) {
    th_config cfg;
    sserver ss;
    client_config(&cfg, f);
    cfg.versions = kTls12And13;
    cfg.num_versions = 2;
    th_conn *c = start(&cfg, &ss, &f->ecdsa_ck, o);
    assert_non_null(c->ch1);
    /* What hs13_client.c adds to a ClientHello offering TLS 1.2 too: the
     * TLS 1.2 extensions, marked as sent. */
    CBB scratch;
    assert_true(CBB_init(&scratch, 64));
    assert_true(th_hs12_client_hello_exts(c, &scratch));
    CBB_cleanup(&scratch);
    ss_server_hello(&ss);
    th_handshake hs;
    CBS cbs;
    CBS_init(&cbs, ss.pending, ss.pending_len);
    assert_true(th_parse_handshake(&cbs, &hs, out_alert));
    int ok = th_hs12_client_server_hello13(c, &hs, ss.pending, ss.pending_len, out_alert);
    th_conn_free(c);
    ss_free(&ss);
    return ok;
}

static void test_downgrade_sentinel_is_illegal_parameter(void **state) {
    fixture *f = *state;
    uint8_t alert = 0;
    ss_opts o = {0};
    o.suite = TH_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256;
    assert_true(dual_version_server_hello(f, &o, &alert));
    o.sentinel = 1;
    assert_false(dual_version_server_hello(f, &o, &alert));
    assert_int_equal(alert, TH_ALERT_ILLEGAL_PARAMETER);
}

static void test_dual_version_client_completes_tls12(void **state) {
    fixture *f = *state;
    th_config cfg;
    sserver ss;
    size_t certs;
    int cv;
    uint8_t alert;
    client_config(&cfg, f);
    cfg.versions = kTls12And13;
    cfg.num_versions = 2;
    ss_opts o = {0};
    o.suite = TH_TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384;
    o.group = TH_GROUP_SECP384R1;
    th_conn *c = start(&cfg, &ss, &f->ecdsa_ck, &o);
    CBB scratch;
    assert_true(CBB_init(&scratch, 64));
    assert_true(th_hs12_client_hello_exts(c, &scratch));
    CBB_cleanup(&scratch);
    /* The ServerHello through the entry hs13_client.c calls, the rest of
     * the flight through the record layer. */
    ss_server_hello(&ss);
    th_handshake hs;
    CBS cbs;
    CBS_init(&cbs, ss.pending, ss.pending_len);
    assert_true(th_parse_handshake(&cbs, &hs, &alert));
    assert_true(th_hs12_client_server_hello13(c, &hs, ss.pending, ss.pending_len, &alert));
    ss.pending_len = 0;
    ss_certificate(&ss);
    ss_server_key_exchange(&ss);
    ss_server_hello_done(&ss);
    assert_true(ss_flush(&ss, c));
    ss_read_client_flight(&ss, c, &certs, &cv);
    assert_true(ss_finish(&ss, c));
    expect_established(c);
    th_conn_status st;
    th_conn_get_status(c, &st);
    assert_int_equal(st.cipher_suite, TH_TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384);
    assert_int_equal(st.group, TH_GROUP_SECP384R1);
    app_both_ways(&ss, c);
    th_conn_free(c);
    ss_free(&ss);
}

static void test_downgrade_sentinel_ignored_by_tls12_only_client(void **state) {
    fixture *f = *state;
    th_config cfg;
    sserver ss;
    client_config(&cfg, f);
    ss_opts o = {0};
    o.sentinel = 1;
    th_conn *c = full_handshake(&cfg, &ss, &f->ecdsa_ck, &o);
    th_conn_free(c);
    ss_free(&ss);
}

/* ---- Certificate and ServerKeyExchange ------------------------------------ */

static void test_cert_unknown_ca_is_unknown_ca(void **state) {
    fixture *f = *state;
    th_config cfg;
    client_config(&cfg, f);
    expect_first_flight_alert(f, &cfg, &f->unknown_ca_ck, NULL, TH_ALERT_UNKNOWN_CA);
}

static void test_cert_wrong_host_is_bad_certificate(void **state) {
    fixture *f = *state;
    th_config cfg;
    client_config(&cfg, f);
    expect_first_flight_alert(f, &cfg, &f->wrong_host_ck, NULL, TH_ALERT_BAD_CERTIFICATE);
}

static void test_cert_empty_is_decode_error(void **state) {
    fixture *f = *state;
    th_config cfg;
    sserver ss;
    static const uint8_t empty[] = {0, 0, 0};
    client_config(&cfg, f);
    th_conn *c = start(&cfg, &ss, &f->ecdsa_ck, NULL);
    ss_server_hello(&ss);
    ss_msg(&ss, TH_HS_CERTIFICATE, empty, sizeof(empty));
    assert_false(ss_flush(&ss, c));
    expect_alert_sent(c, TH_ALERT_DECODE_ERROR);
    th_conn_free(c);
    ss_free(&ss);
}

static void test_cert_key_not_of_suite_is_illegal_parameter(void **state) {
    fixture *f = *state;
    th_config cfg;
    client_config(&cfg, f);
    ss_opts o = {0};
    o.suite = TH_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256;
    expect_first_flight_alert(f, &cfg, &f->rsa_ck, &o, TH_ALERT_ILLEGAL_PARAMETER);
}

static void test_unsolicited_certificate_status_is_unexpected_message(void **state) {
    fixture *f = *state;
    th_config cfg;
    sserver ss;
    client_config(&cfg, f);
    th_conn *c = start(&cfg, &ss, &f->ecdsa_ck, NULL);
    ss_server_hello(&ss);
    ss_certificate(&ss);
    ss_certificate_status(&ss);
    assert_false(ss_flush(&ss, c));
    expect_alert_sent(c, TH_ALERT_UNEXPECTED_MESSAGE);
    th_conn_free(c);
    ss_free(&ss);
}

static void test_ske_curve_not_offered_is_illegal_parameter(void **state) {
    fixture *f = *state;
    th_config cfg;
    static const uint16_t groups[] = {TH_GROUP_X25519};
    client_config(&cfg, f);
    cfg.groups = groups;
    cfg.num_groups = 1;
    ss_opts o = {0};
    o.group = TH_GROUP_SECP256R1;
    expect_first_flight_alert(f, &cfg, &f->ecdsa_ck, &o, TH_ALERT_ILLEGAL_PARAMETER);
}

static void test_ske_invalid_point_is_illegal_parameter(void **state) {
    fixture *f = *state;
    th_config cfg;
    client_config(&cfg, f);
    ss_opts o = {0};
    o.group = TH_GROUP_SECP256R1;
    o.bad_point = 1;
    expect_first_flight_alert(f, &cfg, &f->ecdsa_ck, &o, TH_ALERT_ILLEGAL_PARAMETER);
}

static void test_ske_sigalg_not_offered_is_illegal_parameter(void **state) {
    fixture *f = *state;
    th_config cfg;
    client_config(&cfg, f);
    ss_opts o = {0};
    o.sig_alg = TH_SIG_ECDSA_SHA1;
    expect_first_flight_alert(f, &cfg, &f->ecdsa_ck, &o, TH_ALERT_ILLEGAL_PARAMETER);
    /* Listed, but not a scheme of the certificate's key. */
    ss_opts o2 = {0};
    o2.sig_alg = TH_SIG_RSA_PSS_RSAE_SHA256;
    expect_first_flight_alert(f, &cfg, &f->ecdsa_ck, &o2, TH_ALERT_ILLEGAL_PARAMETER);
}

static void test_ske_bad_signature_is_decrypt_error(void **state) {
    fixture *f = *state;
    th_config cfg;
    client_config(&cfg, f);
    ss_opts o = {0};
    o.bad_signature = 1;
    expect_first_flight_alert(f, &cfg, &f->ecdsa_ck, &o, TH_ALERT_DECRYPT_ERROR);
    ss_opts o2 = {0};
    o2.bad_signature = 1;
    o2.suite = TH_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256;
    expect_first_flight_alert(f, &cfg, &f->rsa_ck, &o2, TH_ALERT_DECRYPT_ERROR);
}

static void test_ske_under_rsa_key_exchange_is_unexpected_message(void **state) {
    fixture *f = *state;
    th_config cfg;
    sserver ss;
    client_config(&cfg, f);
    ss_opts o = {0};
    o.suite = TH_TLS_RSA_WITH_AES_128_GCM_SHA256;
    th_conn *c = start(&cfg, &ss, &f->rsa_ck, &o);
    ss_server_hello(&ss);
    ss_certificate(&ss);
    ss_server_key_exchange(&ss);
    ss_server_hello_done(&ss);
    assert_false(ss_flush(&ss, c));
    expect_alert_sent(c, TH_ALERT_UNEXPECTED_MESSAGE);
    th_conn_free(c);
    ss_free(&ss);
}

static void test_ske_skipped_is_unexpected_message(void **state) {
    fixture *f = *state;
    th_config cfg;
    sserver ss;
    client_config(&cfg, f);
    th_conn *c = start(&cfg, &ss, &f->ecdsa_ck, NULL);
    ss_server_hello(&ss);
    ss_certificate(&ss);
    ss_server_hello_done(&ss);
    assert_false(ss_flush(&ss, c));
    expect_alert_sent(c, TH_ALERT_UNEXPECTED_MESSAGE);
    th_conn_free(c);
    ss_free(&ss);
}

/* ---- ChangeCipherSpec, NewSessionTicket, Finished ------------------------- */

static void test_early_ccs_is_unexpected_message(void **state) {
    fixture *f = *state;
    th_config cfg;
    sserver ss;
    static const uint8_t one = 1;
    client_config(&cfg, f);
    th_conn *c = start(&cfg, &ss, &f->ecdsa_ck, NULL);
    ss_server_hello(&ss);
    assert_true(ss_flush(&ss, c));
    /* CVE-2014-0224: a CCS before any key exchange. */
    assert_false(ss_record_to(&ss, c, TH_CT_CHANGE_CIPHER_SPEC, &one, 1));
    expect_alert_sent(c, TH_ALERT_UNEXPECTED_MESSAGE);
    th_conn_free(c);
    ss_free(&ss);
}

static void test_finished_without_ccs_is_unexpected_message(void **state) {
    fixture *f = *state;
    th_config cfg;
    sserver ss;
    size_t certs;
    int cv;
    client_config(&cfg, f);
    th_conn *c = start(&cfg, &ss, &f->ecdsa_ck, NULL);
    assert_true(ss_first_flight(&ss, c));
    ss_read_client_flight(&ss, c, &certs, &cv);
    ss_finished(&ss);
    assert_false(ss_flush(&ss, c));
    expect_alert_sent(c, TH_ALERT_UNEXPECTED_MESSAGE);
    th_conn_free(c);
    ss_free(&ss);
}

static void test_bad_server_finished_is_decrypt_error(void **state) {
    fixture *f = *state;
    th_config cfg;
    sserver ss;
    size_t certs;
    int cv;
    client_config(&cfg, f);
    ss_opts o = {0};
    o.bad_finished = 1;
    th_conn *c = start(&cfg, &ss, &f->ecdsa_ck, &o);
    assert_true(ss_first_flight(&ss, c));
    ss_read_client_flight(&ss, c, &certs, &cv);
    assert_false(ss_finish(&ss, c));
    expect_alert_sent(c, TH_ALERT_DECRYPT_ERROR);
    th_conn_free(c);
    ss_free(&ss);
}

static void test_missing_promised_ticket_is_unexpected_message(void **state) {
    fixture *f = *state;
    th_config cfg;
    sserver ss;
    size_t certs;
    int cv;
    client_config(&cfg, f);
    ss_opts o = {0};
    o.ticket_ext = 1;
    th_conn *c = start(&cfg, &ss, &f->ecdsa_ck, &o);
    assert_true(ss_first_flight(&ss, c));
    ss_read_client_flight(&ss, c, &certs, &cv);
    assert_false(ss_send_ccs(&ss, c));
    expect_alert_sent(c, TH_ALERT_UNEXPECTED_MESSAGE);
    th_conn_free(c);
    ss_free(&ss);
}

/* ---- HelloRequest ---------------------------------------------------------- */

static void test_hello_request_refused_with_warning(void **state) {
    fixture *f = *state;
    th_config cfg;
    sserver ss;
    static const uint8_t kHelloRequest[] = {TH_HS_HELLO_REQUEST, 0, 0, 0};
    client_config(&cfg, f);
    th_conn *c = full_handshake(&cfg, &ss, &f->ecdsa_ck, NULL);
    assert_true(ss_record_to(&ss, c, TH_CT_HANDSHAKE, kHelloRequest, sizeof(kHelloRequest)));
    expect_established(c);
    size_t n;
    uint8_t *bytes = take_all(c, &n);
    CBS cbs;
    th_record rec;
    th_bytes content;
    uint8_t alert;
    CBS_init(&cbs, bytes, n);
    assert_true(th_parse_record(&cbs, &rec, &alert));
    assert_int_equal(rec.type, TH_CT_ALERT);
    uint8_t plain[64];
    assert_true(th_rl12_open(&ss.rd, &rec, plain, sizeof(plain), &content, &alert));
    assert_int_equal(content.len, 2);
    assert_int_equal(content.data[0], TH_ALERT_LEVEL_WARNING);
    assert_int_equal(content.data[1], TH_ALERT_NO_RENEGOTIATION);
    free(bytes);
    app_both_ways(&ss, c);
    th_conn_free(c);
    ss_free(&ss);
}

static void test_hello_request_during_handshake_ignored(void **state) {
    fixture *f = *state;
    th_config cfg;
    sserver ss;
    size_t certs;
    int cv;
    static const uint8_t kHelloRequest[] = {TH_HS_HELLO_REQUEST, 0, 0, 0};
    client_config(&cfg, f);
    th_conn *c = start(&cfg, &ss, &f->ecdsa_ck, NULL);
    ss_server_hello(&ss);
    ss_certificate(&ss);
    /* RFC 5246 §7.4.1.1: not part of the message hashes. */
    buf_add(&ss.pending, &ss.pending_len, kHelloRequest, sizeof(kHelloRequest));
    ss_server_key_exchange(&ss);
    ss_server_hello_done(&ss);
    assert_true(ss_flush(&ss, c));
    ss_read_client_flight(&ss, c, &certs, &cv);
    assert_true(ss_finish(&ss, c));
    expect_established(c);
    th_conn_free(c);
    ss_free(&ss);
}

/* ---- Renegotiation (RFC 5746) ---------------------------------------------- */

/* Forgets the first handshake's state but keeps its record keys. */
static void ss_reset_for_renegotiation(sserver *ss) {
    th_kex_cleanup(&ss->kex);
    ss->transcript_len = 0;
    ss->pending_len = 0;
    th_client_hello_cleanup(&ss->ch);
    free(ss->ch_msg);
    ss->ch_msg = NULL;
    EVP_PKEY_free(ss->client_key);
    ss->client_key = NULL;
    th_tls12_key_block_cleanse(&ss->kb);
    memset(&ss->o, 0, sizeof(ss->o));
}

/* An established client that accepts renegotiation, after a HelloRequest:
 * its new ClientHello read by |ss|. */
static th_conn *renegotiation_started(fixture *f, th_config *cfg, sserver *ss) {
    static const uint8_t kHelloRequest[] = {TH_HS_HELLO_REQUEST, 0, 0, 0};
    client_config(cfg, f);
    cfg->renegotiation = TH_RENEGOTIATE_ACCEPT;
    th_conn *c = full_handshake(cfg, ss, &f->ecdsa_ck, NULL);
    uint8_t client_verify[12];
    memcpy(client_verify, ss->client_verify, 12);
    assert_true(ss_record_to(ss, c, TH_CT_HANDSHAKE, kHelloRequest, sizeof(kHelloRequest)));
    ss_reset_for_renegotiation(ss);
    ss_read_client_hello(ss, c);
    /* RFC 5746 §3.5: renegotiated_connection = client_verify_data, no SCSV. */
    const th_ext *ri = th_ext_block_find(&ss->ch.extensions, TH_EXT_RENEGOTIATION_INFO);
    assert_non_null(ri);
    assert_int_equal(ri->body.len, 13);
    assert_int_equal(ri->body.data[0], 12);
    assert_memory_equal(ri->body.data + 1, client_verify, 12);
    assert_false(ch_offers_suite(ss, TH_TLS_EMPTY_RENEGOTIATION_INFO_SCSV));
    return c;
}

static void test_secure_renegotiation_accepted(void **state) {
    fixture *f = *state;
    th_config cfg;
    sserver ss;
    size_t certs;
    int cv;
    th_conn *c = renegotiation_started(f, &cfg, &ss);
    /* Application data still flows under the old keys meanwhile. */
    app_both_ways(&ss, c);
    ss.o.ri_reneg = 1;
    ss.o.suite = TH_TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256;
    assert_true(ss_first_flight(&ss, c));
    ss_read_client_flight(&ss, c, &certs, &cv);
    assert_true(ss_finish(&ss, c));
    expect_established(c);
    th_conn_status st;
    th_conn_get_status(c, &st);
    assert_int_equal(st.cipher_suite, TH_TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256);
    app_both_ways(&ss, c);
    th_conn_free(c);
    ss_free(&ss);
}

static void test_hello_request_right_after_finished_renegotiates(void **state) {
    fixture *f = *state;
    th_config cfg;
    sserver ss;
    size_t certs;
    int cv;
    static const uint8_t kHelloRequest[] = {TH_HS_HELLO_REQUEST, 0, 0, 0};
    client_config(&cfg, f);
    cfg.renegotiation = TH_RENEGOTIATE_ACCEPT;
    th_conn *c = start(&cfg, &ss, &f->ecdsa_ck, NULL);
    assert_true(ss_first_flight(&ss, c));
    ss_read_client_flight(&ss, c, &certs, &cv);
    assert_true(ss_send_ccs(&ss, c));
    /* Finished and HelloRequest records in one input: the renegotiation
     * starts before the first handshake's state was ever trimmed. */
    ss_finished(&ss);
    CBB cbb;
    uint8_t *both;
    size_t both_len;
    assert_true(CBB_init(&cbb, 256));
    assert_true(th_rl12_seal(&ss.wr, &cbb, TH_CT_HANDSHAKE, ss.pending, ss.pending_len));
    assert_true(th_rl12_seal(&ss.wr, &cbb, TH_CT_HANDSHAKE, kHelloRequest, sizeof(kHelloRequest)));
    assert_true(CBB_finish(&cbb, &both, &both_len));
    ss.pending_len = 0;
    assert_true(th_conn_recv(c, both, both_len));
    OPENSSL_free(both);
    expect_established(c);
    ss_reset_for_renegotiation(&ss);
    ss_read_client_hello(&ss, c);
    ss.o.ri_reneg = 1;
    assert_true(ss_first_flight(&ss, c));
    ss_read_client_flight(&ss, c, &certs, &cv);
    assert_true(ss_finish(&ss, c));
    expect_established(c);
    app_both_ways(&ss, c);
    th_conn_free(c);
    ss_free(&ss);
}

static void test_renegotiation_bad_renegotiation_info_is_handshake_failure(void **state) {
    fixture *f = *state;
    th_config cfg;
    sserver ss;
    th_conn *c = renegotiation_started(f, &cfg, &ss);
    ss.o.ri_reneg = 1;
    ss.o.ri_garbage = 1;
    assert_false(ss_first_flight(&ss, c));
    expect_alert_sent(c, TH_ALERT_HANDSHAKE_FAILURE);
    th_conn_free(c);
    ss_free(&ss);
    /* RFC 5746 §3.5: missing altogether. */
    c = renegotiation_started(f, &cfg, &ss);
    ss.o.no_ri = 1;
    assert_false(ss_first_flight(&ss, c));
    expect_alert_sent(c, TH_ALERT_HANDSHAKE_FAILURE);
    th_conn_free(c);
    ss_free(&ss);
}

static void test_renegotiation_refused_without_secure_renegotiation(void **state) {
    fixture *f = *state;
    th_config cfg;
    sserver ss;
    static const uint8_t kHelloRequest[] = {TH_HS_HELLO_REQUEST, 0, 0, 0};
    client_config(&cfg, f);
    cfg.renegotiation = TH_RENEGOTIATE_ACCEPT;
    ss_opts o = {0};
    o.no_ri = 1;
    th_conn *c = full_handshake(&cfg, &ss, &f->ecdsa_ck, &o);
    assert_true(ss_record_to(&ss, c, TH_CT_HANDSHAKE, kHelloRequest, sizeof(kHelloRequest)));
    th_conn_status st;
    th_conn_get_status(c, &st);
    assert_int_equal(st.state, TH_CONN_ESTABLISHED);
    assert_true(st.has_alert_sent);
    assert_int_equal(st.alert_sent, TH_ALERT_NO_RENEGOTIATION);
    th_conn_free(c);
    ss_free(&ss);
}

static void test_renegotiation_tls13_server_hello_is_protocol_version(void **state) {
    fixture *f = *state;
    th_config cfg;
    sserver ss;
    th_conn *c = renegotiation_started(f, &cfg, &ss);
    /* RFC 8446 §4.1.3: "A client that receives a TLS 1.3 ServerHello during
     * renegotiation MUST abort the handshake with a "protocol_version"
     * alert." */
    ss_tls13_server_hello(&ss);
    assert_false(ss_flush(&ss, c));
    expect_alert_sent(c, TH_ALERT_PROTOCOL_VERSION);
    th_conn_free(c);
    ss_free(&ss);
}

/* ---- OCSP stapling (RFC 6066 §8) -------------------------------------------- */

static void test_ocsp_stapling_passed_through(void **state) {
    fixture *f = *state;
    th_config cfg;
    sserver ss;
    client_config(&cfg, f);
    cfg.ocsp_stapling = 1;
    ss_opts o = {0};
    o.status = 1;
    th_conn *c = start(&cfg, &ss, &f->ecdsa_ck, &o);
    assert_true(ch_has_ext(&ss, TH_EXT_STATUS_REQUEST));
    size_t certs, n;
    int cv;
    assert_true(ss_first_flight(&ss, c));
    ss_read_client_flight(&ss, c, &certs, &cv);
    assert_true(ss_finish(&ss, c));
    expect_established(c);
    const uint8_t *ocsp = th_conn_peer_ocsp(c, &n);
    static const uint8_t kOcsp[] = {0x30, 0x03, 0x0a, 0x01, 0x00};
    assert_int_equal(n, sizeof(kOcsp));
    assert_memory_equal(ocsp, kOcsp, n);
    th_conn_free(c);
    ss_free(&ss);
}

static void test_ocsp_acknowledged_without_status_completes(void **state) {
    fixture *f = *state;
    th_config cfg;
    sserver ss;
    client_config(&cfg, f);
    cfg.ocsp_stapling = 1;
    ss_opts o = {0};
    o.status = 1;
    th_conn *c = start(&cfg, &ss, &f->ecdsa_ck, &o);
    size_t certs, n;
    int cv;
    /* RFC 6066 §8: the server "MAY" still send no CertificateStatus. */
    ss_server_hello(&ss);
    ss_certificate(&ss);
    ss_server_key_exchange(&ss);
    ss_server_hello_done(&ss);
    assert_true(ss_flush(&ss, c));
    ss_read_client_flight(&ss, c, &certs, &cv);
    assert_true(ss_finish(&ss, c));
    expect_established(c);
    assert_null(th_conn_peer_ocsp(c, &n));
    assert_int_equal(n, 0);
    th_conn_free(c);
    ss_free(&ss);
}

/* ---- Against our own TLS 1.2 server ---------------------------------------- */

/* Moves |from|'s output into |to|; 1 if anything moved. */
static int move(th_conn *from, th_conn *to) {
    size_t n;
    const uint8_t *out = th_conn_pending_output(from, &n);
    if (n == 0) {
        return 0;
    }
    if (!th_conn_recv(to, out, n)) {
        /* Checked through the status by the caller. */
    }
    th_conn_consume_output(from, n);
    return 1;
}

static void pump(th_conn *a, th_conn *b) {
    int moved;
    do {
        moved = move(a, b);
        moved |= move(b, a);
    } while (moved);
}

static void echo(th_conn *from, th_conn *to, const char *text) {
    uint8_t buf[64];
    assert_true(th_conn_write_app(from, (const uint8_t *)text, strlen(text), 0));
    pump(from, to);
    assert_int_equal(th_conn_read_app(to, buf, sizeof(buf)), strlen(text));
    assert_memory_equal(buf, text, strlen(text));
}

static void server_config(th_config *cfg, const th_cert_key *ck, uint64_t *seed) {
    memset(cfg, 0, sizeof(*cfg));
    cfg->random = test_random;
    cfg->random_ctx = seed;
    cfg->now = test_now;
    cfg->cert_key = ck;
    cfg->versions = kTls12;
    cfg->num_versions = 1;
}

static void test_self_every_suite(void **state) {
    fixture *f = *state;
    const th_tls12_suite *s;
    for (size_t i = 0; (s = th_tls12_suite_at(i)) != NULL; i++) {
        uint64_t seed = 300 + i;
        th_config ccfg, scfg;
        client_config(&ccfg, f);
        ccfg.cipher_suites = &s->id;
        ccfg.num_cipher_suites = 1;
        server_config(&scfg, s->auth == TH_TLS12_AUTH_ECDSA ? &f->ecdsa_ck : &f->rsa_ck, &seed);
        th_conn *c = th_conn_new(&ccfg, TH_ROLE_CLIENT);
        th_conn *sv = th_conn_new(&scfg, TH_ROLE_SERVER);
        assert_non_null(c);
        assert_non_null(sv);
        pump(c, sv);
        expect_established(c);
        expect_established(sv);
        th_conn_status st;
        th_conn_get_status(c, &st);
        assert_int_equal(st.cipher_suite, s->id);
        echo(c, sv, "to the server");
        echo(sv, c, "to the client");
        assert_true(th_conn_close(c));
        assert_true(th_conn_close(sv));
        pump(c, sv);
        th_conn_get_status(c, &st);
        assert_int_equal(st.state, TH_CONN_CLOSED);
        th_conn_free(c);
        th_conn_free(sv);
    }
}

/* Full handshake then resumption against our server configured by
 * |tickets| / |cache|, with client authentication. */
static void self_resume(fixture *f, th_ticket_ctx *tickets, th_session_cache *cache) {
    uint64_t seed = 400;
    th_config ccfg, scfg;
    client_config(&ccfg, f);
    ccfg.cert_key = &f->client_ck;
    server_config(&scfg, &f->ecdsa_ck, &seed);
    scfg.trust_store = f->store;
    scfg.request_client_cert = 1;
    scfg.require_client_cert = 1;
    scfg.tickets = tickets;
    scfg.tls12_no_tickets = tickets == NULL;
    scfg.session_cache = cache;
    th_conn *c = th_conn_new(&ccfg, TH_ROLE_CLIENT);
    th_conn *sv = th_conn_new(&scfg, TH_ROLE_SERVER);
    pump(c, sv);
    expect_established(c);
    expect_established(sv);
    th_conn_status st;
    th_conn_get_status(sv, &st);
    assert_true(st.peer_authenticated);
    th_session *sess = th_conn_take_session(c);
    assert_non_null(sess);
    th_conn_free(c);
    th_conn_free(sv);

    ccfg.session = sess;
    c = th_conn_new(&ccfg, TH_ROLE_CLIENT);
    sv = th_conn_new(&scfg, TH_ROLE_SERVER);
    pump(c, sv);
    expect_established(c);
    expect_established(sv);
    th_conn_get_status(c, &st);
    assert_true(st.resumed);
    th_conn_get_status(sv, &st);
    assert_true(st.resumed);
    echo(c, sv, "resumed");
    th_conn_free(c);
    th_conn_free(sv);
    th_session_free(sess);
}

static void test_self_resumption_and_client_auth(void **state) {
    fixture *f = *state;
    static const uint8_t kKey[32] = {1};
    th_ticket_ctx *tickets = th_ticket_ctx_new(kKey, 0);
    th_session_cache *cache = th_session_cache_new(4);
    assert_non_null(tickets);
    assert_non_null(cache);
    self_resume(f, tickets, NULL);
    self_resume(f, NULL, cache);
    th_ticket_ctx_free(tickets);
    th_session_cache_free(cache);
}

/* ---- Robustness ------------------------------------------------------------ */

static void test_every_byte_flip_of_first_flight_fails_cleanly(void **state) {
    fixture *f = *state;
    th_config cfg;
    sserver ss;
    client_config(&cfg, f);
    ss_opts o = {0};
    o.request_cert = 1;
    o.ticket_ext = 1;
    th_conn *c = start(&cfg, &ss, &f->ecdsa_ck, &o);
    ss_server_hello(&ss);
    ss_certificate(&ss);
    ss_server_key_exchange(&ss);
    ss_certificate_request(&ss);
    ss_server_hello_done(&ss);
    size_t len = TH_RECORD_HEADER_LEN + ss.pending_len;
    uint8_t *flight = malloc(len);
    assert_non_null(flight);
    flight[0] = TH_CT_HANDSHAKE;
    flight[1] = 3;
    flight[2] = 3;
    flight[3] = (uint8_t)(ss.pending_len >> 8);
    flight[4] = (uint8_t)ss.pending_len;
    memcpy(flight + TH_RECORD_HEADER_LEN, ss.pending, ss.pending_len);
    assert_true(th_conn_recv(c, flight, len));
    th_conn_free(c);
    ss_free(&ss);
    /* The same ClientHello each time (same randomness), so the flight
     * answers it; every flipped byte ends in an alert or waits for more. */
    size_t failed = 0;
    for (size_t i = 0; i < len; i++) {
        client_config(&cfg, f);
        c = th_conn_new(&cfg, TH_ROLE_CLIENT);
        assert_non_null(c);
        size_t n;
        free(take_all(c, &n));
        flight[i] ^= 0x01;
        int ok = th_conn_recv(c, flight, len);
        flight[i] ^= 0x01;
        th_conn_status st;
        th_conn_get_status(c, &st);
        if (!ok) {
            assert_int_equal(st.state, TH_CONN_FAILED);
            assert_true(st.has_alert_sent);
            failed++;
        } else {
            assert_int_equal(st.state, TH_CONN_HANDSHAKING);
        }
        th_conn_free(c);
    }
    /* Most bytes matter (the random, lengths, the chain, the signature). */
    assert_true(failed > len / 2);
    free(flight);
}

/* A client offering TLS 1.3 and 1.2 (hs13_client.c writes the
 * ClientHello) meeting a TLS 1.2 ServerHello of |o| through the record
 * layer. */
static th_conn *dual_start(fixture *f, th_config *cfg, sserver *ss, const ss_opts *o) {
    client_config(cfg, f);
    cfg->versions = kTls12And13;
    cfg->num_versions = 2;
    th_conn *c = start(cfg, ss, &f->ecdsa_ck, o);
    assert_true(ch_has_ext(ss, TH_EXT_SUPPORTED_VERSIONS));
    assert_true(ch_has_ext(ss, TH_EXT_EXTENDED_MASTER_SECRET));
    assert_true(ch_offers_suite(ss, TH_TLS_AES_128_GCM_SHA256));
    assert_true(ch_offers_suite(ss, TH_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256));
    return c;
}

static void test_dual_version_sentinel_through_conn_is_illegal_parameter(void **state) {
    fixture *f = *state;
    th_config cfg;
    sserver ss;
    ss_opts o = {0};
    o.sentinel = 1;
    th_conn *c = dual_start(f, &cfg, &ss, &o);
    assert_false(ss_first_flight(&ss, c));
    expect_alert_sent(c, TH_ALERT_ILLEGAL_PARAMETER);
    th_conn_free(c);
    ss_free(&ss);
    size_t certs;
    int cv;
    c = dual_start(f, &cfg, &ss, NULL);
    assert_true(ss_first_flight(&ss, c));
    ss_read_client_flight(&ss, c, &certs, &cv);
    assert_true(ss_finish(&ss, c));
    expect_established(c);
    app_both_ways(&ss, c);
    th_conn_free(c);
    ss_free(&ss);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_suite_full_handshake),
        cmocka_unit_test(test_client_hello_offers_tls12_extensions),
        cmocka_unit_test(test_rsa_key_exchange_premaster_carries_client_version),
        cmocka_unit_test(test_client_auth_sends_certificate_and_verify),
        cmocka_unit_test(test_client_auth_without_certificate_sends_empty_one),
        cmocka_unit_test(test_without_ems_allowed_by_config),
        cmocka_unit_test(test_alpn_and_missing_renegotiation_info_accepted),
        cmocka_unit_test(test_resumption_by_session_id),
        cmocka_unit_test(test_resumption_by_ticket),
        cmocka_unit_test(test_resume_ems_session_without_ems_is_handshake_failure),
        cmocka_unit_test(test_resume_non_ems_session_with_ems_is_handshake_failure),
        cmocka_unit_test(test_resume_with_other_suite_is_illegal_parameter),
        cmocka_unit_test(test_server_ignoring_session_gives_full_handshake),
        cmocka_unit_test(test_sh_tls11_is_protocol_version),
        cmocka_unit_test(test_sh_tls13_to_tls12_client_is_protocol_version),
        cmocka_unit_test(test_sh_cipher_not_offered_is_illegal_parameter),
        cmocka_unit_test(test_sh_unsolicited_extension_is_unsupported_extension),
        cmocka_unit_test(test_sh_alpn_not_offered_is_illegal_parameter),
        cmocka_unit_test(test_sh_ri_nonempty_initial_is_handshake_failure),
        cmocka_unit_test(test_sh_without_ems_is_handshake_failure),
        cmocka_unit_test(test_downgrade_sentinel_is_illegal_parameter),
        cmocka_unit_test(test_downgrade_sentinel_ignored_by_tls12_only_client),
        cmocka_unit_test(test_dual_version_client_completes_tls12),
        cmocka_unit_test(test_cert_unknown_ca_is_unknown_ca),
        cmocka_unit_test(test_cert_wrong_host_is_bad_certificate),
        cmocka_unit_test(test_cert_empty_is_decode_error),
        cmocka_unit_test(test_cert_key_not_of_suite_is_illegal_parameter),
        cmocka_unit_test(test_unsolicited_certificate_status_is_unexpected_message),
        cmocka_unit_test(test_ske_curve_not_offered_is_illegal_parameter),
        cmocka_unit_test(test_ske_invalid_point_is_illegal_parameter),
        cmocka_unit_test(test_ske_sigalg_not_offered_is_illegal_parameter),
        cmocka_unit_test(test_ske_bad_signature_is_decrypt_error),
        cmocka_unit_test(test_ske_under_rsa_key_exchange_is_unexpected_message),
        cmocka_unit_test(test_ske_skipped_is_unexpected_message),
        cmocka_unit_test(test_early_ccs_is_unexpected_message),
        cmocka_unit_test(test_finished_without_ccs_is_unexpected_message),
        cmocka_unit_test(test_bad_server_finished_is_decrypt_error),
        cmocka_unit_test(test_missing_promised_ticket_is_unexpected_message),
        cmocka_unit_test(test_hello_request_refused_with_warning),
        cmocka_unit_test(test_hello_request_during_handshake_ignored),
        cmocka_unit_test(test_secure_renegotiation_accepted),
        cmocka_unit_test(test_hello_request_right_after_finished_renegotiates),
        cmocka_unit_test(test_renegotiation_tls13_server_hello_is_protocol_version),
        cmocka_unit_test(test_ocsp_stapling_passed_through),
        cmocka_unit_test(test_self_every_suite),
        cmocka_unit_test(test_every_byte_flip_of_first_flight_fails_cleanly),
        cmocka_unit_test(test_self_resumption_and_client_auth),
        cmocka_unit_test(test_ocsp_acknowledged_without_status_completes),
        cmocka_unit_test(test_renegotiation_bad_renegotiation_info_is_handshake_failure),
        cmocka_unit_test(test_renegotiation_refused_without_secure_renegotiation),
        cmocka_unit_test(test_dual_version_sentinel_through_conn_is_illegal_parameter),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
