#include <stdlib.h>
#include <string.h>

#include <openssl/hmac.h>
#include <openssl/mem.h>
#include <openssl/sha.h>

#include "keys13.h"
#include "new_session_ticket.h"
#include "testutil.h"

static const char kSimple[] = "rfc8448-simple-1rtt.txt";
static const char kResumed[] = "rfc8448-resumed-0rtt.txt";

/* Asserts |got| is the hex |want|. */
static void expect_hex(const char *want_hex, const uint8_t *got, size_t got_len) {
    size_t len;
    uint8_t *want = th_test_hex(want_hex, &len);
    assert_int_equal(got_len, len);
    assert_memory_equal(got, want, len);
    free(want);
}

/* Asserts |got| is the vector |name| of |file|. */
static void expect_vec(const char *file, const char *name, const uint8_t *got, size_t got_len) {
    size_t len;
    uint8_t *want = th_test_vector(file, name, &len);
    if (got_len != len || memcmp(got, want, len) != 0) {
        fail_msg("%s of %s differs", name, file);
    }
    free(want);
}

static void expect_secret(const char *file, const char *name, const th_secret *s) {
    expect_vec(file, name, s->bytes, s->len);
}

static void load_secret(const char *file, const char *name, th_secret *out) {
    size_t len;
    uint8_t *v = th_test_vector(file, name, &len);
    assert_true(th_secret_set(out, v, len));
    free(v);
}

/* Adds the vector message |name| (header included) to |t|. */
static void add_msg(th_transcript *t, const char *file, const char *name) {
    size_t len;
    uint8_t *msg = th_test_vector(file, name, &len);
    assert_true(th_transcript_update(t, msg, len));
    free(msg);
}

/* The two traffic secrets of a Derive-Secret pair, their keys and IVs, checked
 * against the vectors <side>_<phase>_traffic_secret, _key and _iv. */
static void expect_traffic(const char *file, const char *secret_name, const char *key_name,
                           const char *iv_name, const th_secret *secret) {
    th_secret key, iv;
    if (secret_name != NULL) {
        expect_secret(file, secret_name, secret);
    }
    assert_true(th_tls13_traffic_key_iv(&key, &iv, EVP_sha256(), EVP_aead_aes_128_gcm(), secret));
    expect_secret(file, key_name, &key);
    expect_secret(file, iv_name, &iv);
}

static void test_suite_hash_and_aead_per_suite(void **state) {
    (void)state;
    assert_ptr_equal(th_suite_hash(0x1301), EVP_sha256());
    assert_ptr_equal(th_suite_hash(0x1302), EVP_sha384());
    assert_ptr_equal(th_suite_hash(0x1303), EVP_sha256());
    assert_ptr_equal(th_suite_aead(0x1301), EVP_aead_aes_128_gcm());
    assert_ptr_equal(th_suite_aead(0x1302), EVP_aead_aes_256_gcm());
    assert_ptr_equal(th_suite_aead(0x1303), EVP_aead_chacha20_poly1305());
    static const uint16_t kOthers[] = {0x0000, 0x1304, 0x1305, 0x00ff, 0xc02f, 0x130a};
    for (size_t i = 0; i < sizeof(kOthers) / sizeof(kOthers[0]); i++) {
        assert_null(th_suite_hash(kOthers[i]));
        assert_null(th_suite_aead(kOthers[i]));
    }
}

static void test_rfc8448_1rtt_every_secret_key_iv_and_finished(void **state) {
    (void)state;
    const EVP_MD *md = EVP_sha256();
    th_transcript t = {0};
    uint8_t hash[EVP_MAX_MD_SIZE];
    size_t hash_len, ecdhe_len;
    th_secret early, derived, hs, c_hs, s_hs, master, c_ap, s_ap, exp, res, mac;
    uint8_t *ecdhe = th_test_vector(kSimple, "ecdhe_shared_secret", &ecdhe_len);

    assert_true(th_tls13_early_secret(&early, md, NULL, 0));
    expect_secret(kSimple, "early_secret", &early);
    assert_true(th_tls13_derive_secret(&derived, md, &early, TH_TLS13_DERIVED, NULL, 0));
    expect_secret(kSimple, "derived_for_handshake", &derived);
    assert_true(th_tls13_handshake_secret(&hs, md, &early, ecdhe, ecdhe_len));
    expect_secret(kSimple, "handshake_secret", &hs);

    assert_true(th_transcript_init(&t, md));
    add_msg(&t, kSimple, "client_hello");
    add_msg(&t, kSimple, "server_hello");
    assert_true(th_transcript_hash(&t, hash, &hash_len));
    assert_true(th_tls13_derive_secret(&c_hs, md, &hs, TH_TLS13_C_HS_TRAFFIC, hash, hash_len));
    assert_true(th_tls13_derive_secret(&s_hs, md, &hs, TH_TLS13_S_HS_TRAFFIC, hash, hash_len));
    expect_traffic(kSimple, "client_handshake_traffic_secret", "client_handshake_key",
                   "client_handshake_iv", &c_hs);
    expect_traffic(kSimple, "server_handshake_traffic_secret", "server_handshake_key",
                   "server_handshake_iv", &s_hs);

    assert_true(th_tls13_derive_secret(&derived, md, &hs, TH_TLS13_DERIVED, NULL, 0));
    expect_secret(kSimple, "derived_for_master", &derived);
    assert_true(th_tls13_master_secret(&master, md, &hs));
    expect_secret(kSimple, "master_secret", &master);

    /* RFC 8446 §4.4.4: the server Finished covers CH..CertificateVerify. */
    add_msg(&t, kSimple, "encrypted_extensions");
    add_msg(&t, kSimple, "certificate");
    add_msg(&t, kSimple, "certificate_verify");
    assert_true(th_transcript_hash(&t, hash, &hash_len));
    assert_true(th_tls13_finished_mac(&mac, md, &s_hs, hash, hash_len));
    expect_secret(kSimple, "server_finished_verify_data", &mac);

    add_msg(&t, kSimple, "server_finished");
    assert_true(th_transcript_hash(&t, hash, &hash_len));
    assert_true(th_tls13_finished_mac(&mac, md, &c_hs, hash, hash_len));
    expect_secret(kSimple, "client_finished_verify_data", &mac);
    assert_true(th_tls13_derive_secret(&c_ap, md, &master, TH_TLS13_C_AP_TRAFFIC, hash, hash_len));
    assert_true(th_tls13_derive_secret(&s_ap, md, &master, TH_TLS13_S_AP_TRAFFIC, hash, hash_len));
    assert_true(th_tls13_derive_secret(&exp, md, &master, TH_TLS13_EXP_MASTER, hash, hash_len));
    expect_traffic(kSimple, "client_application_traffic_secret", "client_application_key",
                   "client_application_iv", &c_ap);
    expect_traffic(kSimple, "server_application_traffic_secret", "server_application_key",
                   "server_application_iv", &s_ap);
    expect_secret(kSimple, "exporter_master_secret", &exp);

    add_msg(&t, kSimple, "client_finished");
    assert_true(th_transcript_hash(&t, hash, &hash_len));
    assert_true(th_tls13_derive_secret(&res, md, &master, TH_TLS13_RES_MASTER, hash, hash_len));
    expect_secret(kSimple, "resumption_master_secret", &res);

    /* RFC 8446 §4.6.1: the PSK of the ticket, with the nonce the codec reads. */
    const uint8_t *body;
    size_t body_len;
    uint8_t *nst_msg = th_test_vector_body(kSimple, "new_session_ticket", &body, &body_len), alert;
    th_new_session_ticket nst;
    CBS cbs;
    CBS_init(&cbs, body, body_len);
    assert_true(th_parse_new_session_ticket(&cbs, &nst, &alert));
    assert_true(
        th_tls13_resumption_psk(&mac, md, &res, nst.ticket_nonce.data, nst.ticket_nonce.len));
    expect_secret(kSimple, "resumption_psk", &mac);
    th_new_session_ticket_cleanup(&nst);
    free(nst_msg);
    th_transcript_cleanup(&t);
    free(ecdhe);
}

/* The resumed ClientHello: client_hello_prefix || binders<33..> holding one
 * 32-byte binder (RFC 8446 §4.2.11). */
static uint8_t *resumed_client_hello(size_t *out_len, size_t *out_prefix_len) {
    size_t prefix_len, binder_len;
    uint8_t *prefix = th_test_vector(kResumed, "client_hello_prefix", &prefix_len);
    uint8_t *binder = th_test_vector(kResumed, "psk_binder", &binder_len);
    uint8_t *ch = malloc(prefix_len + 3 + binder_len);
    assert_non_null(ch);
    memcpy(ch, prefix, prefix_len);
    ch[prefix_len] = 0x00;
    ch[prefix_len + 1] = 0x21;
    ch[prefix_len + 2] = 0x20;
    memcpy(ch + prefix_len + 3, binder, binder_len);
    *out_len = prefix_len + 3 + binder_len;
    *out_prefix_len = prefix_len;
    free(prefix);
    free(binder);
    return ch;
}

static void test_rfc8448_resumed_binder_early_and_handshake_secrets(void **state) {
    (void)state;
    const EVP_MD *md = EVP_sha256();
    th_transcript t = {0};
    uint8_t hash[EVP_MAX_MD_SIZE], alert;
    size_t hash_len, ch_len, prefix_len, ecdhe_len;
    th_secret psk, early, binder_key, s, derived, hs, c_hs, s_hs, master;
    uint8_t *ch = resumed_client_hello(&ch_len, &prefix_len);
    uint8_t *ecdhe = th_test_vector(kResumed, "ecdhe_shared_secret", &ecdhe_len);

    /* The PSK is the one the 1-RTT handshake's ticket yields. */
    load_secret(kResumed, "resumption_psk", &psk);
    expect_secret(kSimple, "resumption_psk", &psk);
    assert_true(th_tls13_early_secret(&early, md, psk.bytes, psk.len));
    expect_secret(kResumed, "early_secret", &early);

    /* RFC 8446 §4.2.11.2: the binder covers Truncate(ClientHello). */
    assert_true(th_transcript_init(&t, md));
    assert_true(th_transcript_update(&t, ch, prefix_len));
    assert_true(th_transcript_hash(&t, hash, &hash_len));
    expect_vec(kResumed, "binder_hash", hash, hash_len);
    assert_true(th_tls13_derive_secret(&binder_key, md, &early, TH_TLS13_RES_BINDER, NULL, 0));
    expect_secret(kResumed, "binder_key", &binder_key);
    assert_true(th_tls13_finished_key(&s, md, &binder_key));
    expect_secret(kResumed, "binder_finished_key", &s);
    assert_true(th_tls13_finished_mac(&s, md, &binder_key, hash, hash_len));
    expect_secret(kResumed, "psk_binder", &s);
    assert_true(th_tls13_psk_binder(&s, md, &early, 1, hash, hash_len));
    expect_secret(kResumed, "psk_binder", &s);
    assert_true(
        th_tls13_finished_check(md, &binder_key, hash, hash_len, ch + prefix_len + 3, 32, &alert));
    /* The external label gives another binder: the two PSK kinds differ. */
    assert_true(th_tls13_psk_binder(&s, md, &early, 0, hash, hash_len));
    assert_int_not_equal(memcmp(s.bytes, ch + prefix_len + 3, 32), 0);

    th_transcript_cleanup(&t);
    assert_true(th_transcript_init(&t, md));
    assert_true(th_transcript_update(&t, ch, ch_len));
    assert_true(th_transcript_hash(&t, hash, &hash_len));
    assert_true(th_tls13_derive_secret(&s, md, &early, TH_TLS13_C_E_TRAFFIC, hash, hash_len));
    expect_traffic(kResumed, "client_early_traffic_secret", "client_early_key", "client_early_iv",
                   &s);
    assert_true(th_tls13_derive_secret(&s, md, &early, TH_TLS13_E_EXP_MASTER, hash, hash_len));
    expect_secret(kResumed, "early_exporter_master_secret", &s);

    assert_true(th_tls13_derive_secret(&derived, md, &early, TH_TLS13_DERIVED, NULL, 0));
    expect_secret(kResumed, "derived_for_handshake", &derived);
    assert_true(th_tls13_handshake_secret(&hs, md, &early, ecdhe, ecdhe_len));
    expect_secret(kResumed, "handshake_secret", &hs);
    add_msg(&t, kResumed, "server_hello");
    assert_true(th_transcript_hash(&t, hash, &hash_len));
    assert_true(th_tls13_derive_secret(&c_hs, md, &hs, TH_TLS13_C_HS_TRAFFIC, hash, hash_len));
    assert_true(th_tls13_derive_secret(&s_hs, md, &hs, TH_TLS13_S_HS_TRAFFIC, hash, hash_len));
    expect_traffic(kResumed, "client_handshake_traffic_secret", "client_handshake_key",
                   "client_handshake_iv", &c_hs);
    expect_traffic(kResumed, "server_handshake_traffic_secret", "server_handshake_key",
                   "server_handshake_iv", &s_hs);
    assert_true(th_tls13_master_secret(&master, md, &hs));
    expect_secret(kResumed, "master_secret", &master);

    /* No Certificate with a PSK: the server Finished covers CH, SH, EE. */
    add_msg(&t, kResumed, "encrypted_extensions");
    assert_true(th_transcript_hash(&t, hash, &hash_len));
    assert_true(th_tls13_finished_mac(&s, md, &s_hs, hash, hash_len));
    expect_secret(kResumed, "server_finished_verify_data", &s);

    add_msg(&t, kResumed, "server_finished");
    assert_true(th_transcript_hash(&t, hash, &hash_len));
    assert_true(th_tls13_derive_secret(&s, md, &master, TH_TLS13_C_AP_TRAFFIC, hash, hash_len));
    expect_secret(kResumed, "client_application_traffic_secret", &s);
    assert_true(th_tls13_derive_secret(&s, md, &master, TH_TLS13_S_AP_TRAFFIC, hash, hash_len));
    expect_traffic(kResumed, "server_application_traffic_secret", "server_application_key",
                   "server_application_iv", &s);
    assert_true(th_tls13_derive_secret(&s, md, &master, TH_TLS13_EXP_MASTER, hash, hash_len));
    expect_secret(kResumed, "exporter_master_secret", &s);

    /* The client Finished covers EndOfEarlyData too (RFC 8446 §4.4.1). */
    const uint8_t *cf;
    size_t cf_len;
    uint8_t *cf_msg = th_test_vector_body(kResumed, "client_finished", &cf, &cf_len);
    add_msg(&t, kResumed, "end_of_early_data");
    assert_true(th_transcript_hash(&t, hash, &hash_len));
    assert_true(th_tls13_finished_mac(&s, md, &c_hs, hash, hash_len));
    assert_int_equal(s.len, cf_len);
    assert_memory_equal(s.bytes, cf, cf_len);
    assert_true(th_tls13_finished_check(md, &c_hs, hash, hash_len, cf, cf_len, &alert));
    free(cf_msg);
    th_transcript_cleanup(&t);
    free(ecdhe);
    free(ch);
}

static void test_finished_check_bad_mac_or_length_is_decrypt_error(void **state) {
    (void)state;
    const EVP_MD *md = EVP_sha256();
    th_secret base, mac;
    uint8_t hash[32], bad[33], alert;
    memset(hash, 0x42, sizeof(hash));
    load_secret(kSimple, "server_handshake_traffic_secret", &base);
    assert_true(th_tls13_finished_mac(&mac, md, &base, hash, sizeof(hash)));
    assert_true(th_tls13_finished_check(md, &base, hash, sizeof(hash), mac.bytes, 32, &alert));
    memcpy(bad, mac.bytes, 32);
    for (size_t i = 0; i < 32; i++) {
        bad[i] ^= 0x01;
        alert = 0;
        assert_false(th_tls13_finished_check(md, &base, hash, sizeof(hash), bad, 32, &alert));
        assert_int_equal(alert, TH_ALERT_DECRYPT_ERROR);
        bad[i] ^= 0x01;
    }
    bad[32] = 0;
    static const size_t kLens[] = {0, 1, 31, 33};
    for (size_t i = 0; i < sizeof(kLens) / sizeof(kLens[0]); i++) {
        alert = 0;
        assert_false(th_tls13_finished_check(md, &base, hash, sizeof(hash), bad, kLens[i], &alert));
        assert_int_equal(alert, TH_ALERT_DECRYPT_ERROR);
    }
    /* A transcript hash of the wrong length is our bug, not the peer's. */
    assert_false(th_tls13_finished_check(md, &base, hash, 31, mac.bytes, 32, &alert));
    assert_int_equal(alert, TH_ALERT_INTERNAL_ERROR);
}

/* HKDF-Expand-Label written out from RFC 5869 §2.3 and RFC 8446 §7.1 with
 * HMAC alone (no HKDF_expand, no CBB): T(i) = HMAC(PRK, T(i-1) | info | i). */
static void independent_expand_label(const EVP_MD *md, const th_secret *secret, const char *label,
                                     const uint8_t *context, size_t context_len, uint8_t *out,
                                     size_t out_len) {
    uint8_t info[2 + 1 + 255 + 1 + 255], block[EVP_MAX_MD_SIZE + sizeof(info) + 1];
    uint8_t t[EVP_MAX_MD_SIZE];
    size_t label_len = strlen(label), info_len = 0, t_len = 0, done = 0;
    info[info_len++] = (uint8_t)(out_len >> 8);
    info[info_len++] = (uint8_t)out_len;
    info[info_len++] = (uint8_t)(6 + label_len);
    memcpy(info + info_len, "tls13 ", 6);
    memcpy(info + info_len + 6, label, label_len);
    info_len += 6 + label_len;
    info[info_len++] = (uint8_t)context_len;
    if (context_len > 0) {
        memcpy(info + info_len, context, context_len);
    }
    info_len += context_len;
    for (uint8_t i = 1; done < out_len; i++) {
        unsigned len;
        memcpy(block, t, t_len);
        memcpy(block + t_len, info, info_len);
        block[t_len + info_len] = i;
        assert_non_null(HMAC(md, secret->bytes, secret->len, block, t_len + info_len + 1, t, &len));
        t_len = len;
        size_t n = out_len - done < t_len ? out_len - done : t_len;
        memcpy(out + done, t, n);
        done += n;
    }
}

static void test_expand_label_matches_independent_hmac(void **state) {
    (void)state;
    static const struct {
        const char *label;
        size_t context_len, out_len;
    } kCases[] = {{"key", 0, 16},        {"iv", 0, 12},         {"c hs traffic", 32, 32},
                  {"exporter", 48, 100}, {"resumption", 2, 48}, {"x", 255, 200}};
    const EVP_MD *mds[] = {EVP_sha256(), EVP_sha384()};
    uint8_t context[255], got[200], want[200];
    for (size_t i = 0; i < sizeof(context); i++) {
        context[i] = (uint8_t)(i * 7);
    }
    for (size_t m = 0; m < 2; m++) {
        th_secret secret;
        secret.len = EVP_MD_size(mds[m]);
        memset(secret.bytes, 0xa5, secret.len);
        for (size_t i = 0; i < sizeof(kCases) / sizeof(kCases[0]); i++) {
            const char *label = kCases[i].label;
            assert_true(th_hkdf_expand_label(got, kCases[i].out_len, mds[m], &secret, label,
                                             strlen(label), context, kCases[i].context_len));
            independent_expand_label(mds[m], &secret, label, context, kCases[i].context_len, want,
                                     kCases[i].out_len);
            assert_memory_equal(got, want, kCases[i].out_len);
        }
    }
}

static void test_expand_label_length_limits(void **state) {
    (void)state;
    const EVP_MD *md = EVP_sha256();
    char label[251];
    uint8_t context[256] = {0}, out[32], want[32];
    th_secret secret = {{0}, 32};
    memset(label, 'l', sizeof(label) - 1);
    label[sizeof(label) - 1] = '\0';
    /* RFC 8446 §7.1: "opaque label<7..255> = "tls13 " + Label;" */
    assert_true(th_hkdf_expand_label(out, 32, md, &secret, label, 249, NULL, 0));
    label[249] = '\0';
    independent_expand_label(md, &secret, label, NULL, 0, want, 32);
    assert_memory_equal(out, want, 32);
    assert_false(th_hkdf_expand_label(out, 32, md, &secret, label, 250, NULL, 0));
    assert_false(th_hkdf_expand_label(out, 32, md, &secret, "", 0, NULL, 0));
    assert_true(th_hkdf_expand_label(out, 32, md, &secret, "k", 1, NULL, 0));
    /* "opaque context<0..255> = Context;" */
    assert_true(th_hkdf_expand_label(out, 32, md, &secret, "k", 1, context, 255));
    assert_false(th_hkdf_expand_label(out, 32, md, &secret, "k", 1, context, 256));
    assert_false(th_hkdf_expand_label(out, 32, md, &secret, "k", 1, NULL, 1));
    /* RFC 5869 §2.3: at most 255 * HashLen bytes. */
    uint8_t *big = malloc(255 * 32 + 1);
    assert_non_null(big);
    assert_true(th_hkdf_expand_label(big, 255 * 32, md, &secret, "k", 1, NULL, 0));
    assert_false(th_hkdf_expand_label(big, 255 * 32 + 1, md, &secret, "k", 1, NULL, 0));
    free(big);
    /* Every schedule secret is Hash.length bytes. */
    secret.len = 48;
    assert_false(th_hkdf_expand_label(out, 32, md, &secret, "k", 1, NULL, 0));
    assert_false(th_hkdf_expand_label(out, 32, NULL, &secret, "k", 1, NULL, 0));
    /* The exporter's label goes through the same rule. */
    secret.len = 32;
    assert_true(th_tls13_export(out, 32, md, &secret, label, 249, NULL, 0));
    assert_false(th_tls13_export(out, 32, md, &secret, label, 250, NULL, 0));
    assert_false(th_tls13_export(out, 32, md, &secret, "", 0, NULL, 0));
}

static void test_derive_secret_rejects_misused_messages(void **state) {
    (void)state;
    const EVP_MD *md = EVP_sha256();
    th_secret early, out;
    uint8_t hash[48] = {0};
    assert_true(th_tls13_early_secret(&early, md, NULL, 0));
    /* Messages = "" for binder keys and "derived"; a hash elsewhere. */
    assert_false(th_tls13_derive_secret(&out, md, &early, TH_TLS13_DERIVED, hash, 32));
    assert_false(th_tls13_derive_secret(&out, md, &early, TH_TLS13_EXT_BINDER, hash, 32));
    assert_false(th_tls13_derive_secret(&out, md, &early, TH_TLS13_C_E_TRAFFIC, NULL, 0));
    assert_false(th_tls13_derive_secret(&out, md, &early, TH_TLS13_C_E_TRAFFIC, hash, 31));
    assert_false(th_tls13_derive_secret(&out, md, &early, TH_TLS13_C_E_TRAFFIC, hash, 48));
    assert_false(th_tls13_derive_secret(&out, md, &early, TH_TLS13_NUM_SECRET_IDS, hash, 32));
    assert_false(th_tls13_derive_secret(&out, md, &early, (th_tls13_secret_id)-1, hash, 32));
    assert_false(th_tls13_derive_secret(&out, EVP_sha384(), &early, TH_TLS13_DERIVED, NULL, 0));
    /* The generic form with the same label is the named one. */
    th_secret named;
    assert_true(th_tls13_derive_secret(&named, md, &early, TH_TLS13_C_E_TRAFFIC, hash, 32));
    assert_true(th_derive_secret(&out, md, &early, "c e traffic", 11, hash, 32));
    assert_memory_equal(out.bytes, named.bytes, 32);
    /* |out| may alias the input secret. */
    assert_true(th_tls13_derive_secret(&early, md, &early, TH_TLS13_C_E_TRAFFIC, hash, 32));
    assert_memory_equal(early.bytes, named.bytes, 32);
}

/* One BoringSSL (API 17) TLS 1.3 handshake over a BIO pair, TLS_AES_128_GCM_SHA256,
 * recorded by a throwaway program: its keylog callback lines, three
 * SSL_export_keying_material outputs and the client write secret that
 * SSL_get_traffic_secrets gave after zero, one and two SSL_key_update calls. */
static const char kBsslRandom[] =
    "c2f84562882810db177cee6a962cb0a11647559fecb4d1085b581dd58758627d";
static const char kBsslTraffic0[] =
    "3ed4cdcee639af03cdb561ee5ffa8b9e5ee5e9a550880609083b01cb021c725b";
static const char kBsslTraffic1[] =
    "9b1b900c6072ee21630adb29d56534acf346afcb011cdb7930b59645f4003fb3";
static const char kBsslTraffic2[] =
    "50f95caa5f7ebadc71279fa620b2c16f587e64b181bbc1a3ed89fad80ca144e6";
static const char kBsslExporterSecret[] =
    "4e82fa52abefbebd7e18bd33c8d2e60f602ea96c8d3dfeb3002262c141ea4054";
static const char kBsslExportLabel[] = "EXPORTER-tlsharness-keys13";
static const char kBsslExportCtx5[] =
    "9d37742df3b4192b4620310c16518604a4cf34ef458ad3bac97f0d23808b026e";
static const char kBsslExportNoCtx64[] =
    "403ca7446e46b1e97b08b5bb1b43ea0bfb9d85341db70775d2a6d02f0fcd7747"
    "f0590c694cd18c90f7a73d054495f09b6323b6266382287b8d9054df1c7bc050";

static void hex_secret(const char *hex, th_secret *out) {
    size_t len;
    uint8_t *b = th_test_hex(hex, &len);
    assert_true(th_secret_set(out, b, len));
    free(b);
}

static void test_next_traffic_secret_matches_boringssl_key_update(void **state) {
    (void)state;
    th_secret s, next;
    hex_secret(kBsslTraffic0, &s);
    assert_true(th_tls13_next_traffic_secret(&next, EVP_sha256(), &s));
    expect_hex(kBsslTraffic1, next.bytes, next.len);
    /* In place, as the engine updates its keys. */
    assert_true(th_tls13_next_traffic_secret(&next, EVP_sha256(), &next));
    expect_hex(kBsslTraffic2, next.bytes, next.len);
    assert_false(th_tls13_next_traffic_secret(&next, EVP_sha384(), &s));
}

static void test_exporter_matches_boringssl(void **state) {
    (void)state;
    static const uint8_t kCtx[] = {0, 1, 2, 3, 4};
    const EVP_MD *md = EVP_sha256();
    uint8_t out[64], empty[64];
    size_t label_len = strlen(kBsslExportLabel);
    th_secret exporter;
    hex_secret(kBsslExporterSecret, &exporter);
    assert_true(th_tls13_export(out, 32, md, &exporter, kBsslExportLabel, label_len, kCtx, 5));
    expect_hex(kBsslExportCtx5, out, 32);
    /* RFC 8446 §7.5: "providing no context computes the same value as
     * providing an empty context"; BoringSSL gave one value for both. */
    assert_true(th_tls13_export(out, 64, md, &exporter, kBsslExportLabel, label_len, NULL, 0));
    expect_hex(kBsslExportNoCtx64, out, 64);
    static const uint8_t kNone[1] = {0};
    assert_true(th_tls13_export(empty, 64, md, &exporter, kBsslExportLabel, label_len, kNone, 0));
    assert_memory_equal(out, empty, 64);
    assert_false(th_tls13_export(out, 32, md, &exporter, kBsslExportLabel, label_len, NULL, 1));
}

static void test_keylog_lines_match_boringssl(void **state) {
    (void)state;
    static const struct {
        th_tls13_secret_id id;
        const char *line;
    } kLines[] = {
        {TH_TLS13_C_HS_TRAFFIC, "CLIENT_HANDSHAKE_TRAFFIC_SECRET "
                                "c2f84562882810db177cee6a962cb0a11647559fecb4d1085b581dd58758627d "
                                "f6fc392e27238865952d93505b24b54274cd35f589e596856fee1c76adff4b01"},
        {TH_TLS13_S_HS_TRAFFIC, "SERVER_HANDSHAKE_TRAFFIC_SECRET "
                                "c2f84562882810db177cee6a962cb0a11647559fecb4d1085b581dd58758627d "
                                "1ac0d56c0103a9da08f00d094183b73077686052ade3899eca620197708c50ce"},
        {TH_TLS13_C_AP_TRAFFIC, "CLIENT_TRAFFIC_SECRET_0 "
                                "c2f84562882810db177cee6a962cb0a11647559fecb4d1085b581dd58758627d "
                                "3ed4cdcee639af03cdb561ee5ffa8b9e5ee5e9a550880609083b01cb021c725b"},
        {TH_TLS13_S_AP_TRAFFIC, "SERVER_TRAFFIC_SECRET_0 "
                                "c2f84562882810db177cee6a962cb0a11647559fecb4d1085b581dd58758627d "
                                "4d0538a3c09a2886d80a26ee4f115dd767247611e8fbd978f4b2655b12b949e4"},
        {TH_TLS13_EXP_MASTER, "EXPORTER_SECRET "
                              "c2f84562882810db177cee6a962cb0a11647559fecb4d1085b581dd58758627d "
                              "4e82fa52abefbebd7e18bd33c8d2e60f602ea96c8d3dfeb3002262c141ea4054"},
    };
    size_t random_len;
    uint8_t *random = th_test_hex(kBsslRandom, &random_len);
    char line[TH_KEYLOG_LINE_MAX];
    th_secret s;
    for (size_t i = 0; i < sizeof(kLines) / sizeof(kLines[0]); i++) {
        const char *secret_hex = strrchr(kLines[i].line, ' ') + 1;
        hex_secret(secret_hex, &s);
        assert_true(th_keylog_line(line, sizeof(line), kLines[i].id, random, random_len, &s));
        assert_string_equal(line, kLines[i].line);
        /* Exactly the line and its NUL fit; one byte less does not. */
        size_t need = strlen(kLines[i].line) + 1;
        assert_true(th_keylog_line(line, need, kLines[i].id, random, random_len, &s));
        assert_false(th_keylog_line(line, need - 1, kLines[i].id, random, random_len, &s));
    }
    /* The two early secrets' NSS labels, and ids the format has no label for. */
    assert_true(th_keylog_line(line, sizeof(line), TH_TLS13_C_E_TRAFFIC, random, 32, &s));
    assert_memory_equal(line, "CLIENT_EARLY_TRAFFIC_SECRET c2f8", 32);
    assert_true(th_keylog_line(line, sizeof(line), TH_TLS13_E_EXP_MASTER, random, 32, &s));
    assert_memory_equal(line, "EARLY_EXPORTER_SECRET c2f8", 26);
    assert_false(th_keylog_line(line, sizeof(line), TH_TLS13_RES_MASTER, random, 32, &s));
    assert_false(th_keylog_line(line, sizeof(line), TH_TLS13_RES_BINDER, random, 32, &s));
    assert_false(th_keylog_line(line, sizeof(line), TH_TLS13_DERIVED, random, 32, &s));
    assert_false(th_keylog_line(line, sizeof(line), TH_TLS13_C_HS_TRAFFIC, random, 31, &s));
    /* The longest line (SHA-384 secret) fits TH_KEYLOG_LINE_MAX exactly. */
    s.len = 48;
    memset(s.bytes, 0xff, 48);
    assert_true(
        th_keylog_line(line, 31 + 1 + 64 + 1 + 96 + 1, TH_TLS13_C_HS_TRAFFIC, random, 32, &s));
    s.len = 64;
    assert_true(th_keylog_line(line, TH_KEYLOG_LINE_MAX, TH_TLS13_C_HS_TRAFFIC, random, 32, &s));
    assert_int_equal(strlen(line) + 1, TH_KEYLOG_LINE_MAX);
    free(random);
}

/* A SHA-384 / AES-256-GCM schedule computed by a separate Python model of
 * RFC 8446 §7 on hashlib/hmac (not BoringSSL); that model reproduces RFC 8448
 * with SHA-256. Inputs: no PSK, (EC)DHE = 40 41 .. 6f, transcript hash =
 * SHA-384("tlsharness keys13 sha384 transcript"). */
static void test_sha384_schedule_matches_independent_model(void **state) {
    (void)state;
    static const char kTranscriptInput[] = "tlsharness keys13 sha384 transcript";
    const EVP_MD *md = th_suite_hash(TH_TLS_AES_256_GCM_SHA384);
    uint8_t ecdhe[48], hash[SHA384_DIGEST_LENGTH], out[40];
    th_secret early, hs, c_hs, master, s, key, iv;
    for (size_t i = 0; i < sizeof(ecdhe); i++) {
        ecdhe[i] = (uint8_t)(0x40 + i);
    }
    SHA384((const uint8_t *)kTranscriptInput, strlen(kTranscriptInput), hash);
    assert_true(th_tls13_early_secret(&early, md, NULL, 0));
    expect_hex("7ee8206f5570023e6dc7519eb1073bc4e791ad37b5c382aa10ba18e2357e7169"
               "71f9362f2c2fe2a76bfd78dfec4ea9b5",
               early.bytes, early.len);
    assert_true(th_tls13_handshake_secret(&hs, md, &early, ecdhe, sizeof(ecdhe)));
    expect_hex("3cbf9ece47142e612e4dfed50ca23f074dcccf3a5980ce5939ff64b88491116d"
               "493db18b010b98d4dbbd6dc761307764",
               hs.bytes, hs.len);
    assert_true(th_tls13_derive_secret(&c_hs, md, &hs, TH_TLS13_C_HS_TRAFFIC, hash, 48));
    expect_hex("5c30ec570c3144e53e17ef8d9c71e1196d8741dcaf3d769c33ba3c48ab267568"
               "f8ddaa77ef59ed69dfd61ec1da6b955a",
               c_hs.bytes, c_hs.len);
    assert_true(th_tls13_master_secret(&master, md, &hs));
    expect_hex("44c6d0a936c8cbd8f2d7210c369c326e467532997091b888b11181e9156e6e54"
               "3b54a4275a9a0a0599d9b14a2e23247c",
               master.bytes, master.len);
    assert_true(th_tls13_finished_mac(&s, md, &c_hs, hash, 48));
    expect_hex("5efbfd9714a084602fbaa703ba3c10dc97a1c6b928fdd90a7fe89defe58053bf"
               "bf5e8e2e7259b8889363b81b20f149c1",
               s.bytes, s.len);
    assert_true(th_tls13_traffic_key_iv(&key, &iv, md, th_suite_aead(0x1302), &c_hs));
    expect_hex("1c666aedce13e689a544821674b3b24a15aeebb8c3627eaab9ed4ec172e85fb6", key.bytes,
               key.len);
    expect_hex("aafdd8e62cc747e92c8bd700", iv.bytes, iv.len);
    assert_true(th_tls13_next_traffic_secret(&s, md, &c_hs));
    expect_hex("0cbfb1a8d648b6f09c53002dc9b565154a2a49c3a5cfb14de4f65a6d74084848"
               "89616ced00d8c2d2245c2e2f620c484c",
               s.bytes, s.len);
    static const uint8_t kCtx[] = {0, 1, 2, 3, 4};
    assert_true(th_tls13_export(out, sizeof(out), md, &master, kBsslExportLabel,
                                strlen(kBsslExportLabel), kCtx, sizeof(kCtx)));
    expect_hex("e367c0c723d79b0183a35daa73a96fc790f95043908fa10d134478581ddaa3b7849c9567be1b8d80",
               out, sizeof(out));
    static const uint8_t kNonce[] = {0x00, 0x01};
    assert_true(th_tls13_resumption_psk(&s, md, &master, kNonce, sizeof(kNonce)));
    expect_hex("2941f29340d70d54b0c770bbdbf354ea9bb794ddff879763b42c727c17c2f599"
               "7e3a5994695916efaf9aee283bbf3b0c",
               s.bytes, s.len);
}

static void test_traffic_key_iv_sizes_follow_the_aead(void **state) {
    (void)state;
    th_secret secret = {{1}, 32}, key, iv;
    assert_true(th_tls13_traffic_key_iv(&key, &iv, EVP_sha256(), th_suite_aead(0x1303), &secret));
    assert_int_equal(key.len, 32);
    assert_int_equal(iv.len, 12);
    assert_true(th_tls13_traffic_key_iv(&key, &iv, EVP_sha256(), th_suite_aead(0x1301), &secret));
    assert_int_equal(key.len, 16);
    assert_int_equal(iv.len, 12);
    assert_false(th_tls13_traffic_key_iv(&key, &iv, EVP_sha256(), NULL, &secret));
    assert_false(th_tls13_traffic_key_iv(&key, &iv, EVP_sha384(), th_suite_aead(0x1302), &secret));
}

/* Hash(message_hash || 00 00 Hash.length || Hash(CH1) || HRR), by hand. */
static void expect_hrr_rewrite(const EVP_MD *md) {
    static const uint8_t kCh1[] = {0x01, 0x00, 0x00, 0x02, 0xaa, 0xbb};
    static const uint8_t kHrr[] = {0x02, 0x00, 0x00, 0x01, 0xcc};
    th_transcript t = {0};
    uint8_t got[EVP_MAX_MD_SIZE], want[EVP_MAX_MD_SIZE], synthetic[4 + EVP_MAX_MD_SIZE];
    size_t got_len, hash_len = EVP_MD_size(md);
    unsigned want_len = 0, ch1_hash_len = 0;
    synthetic[0] = TH_HS_MESSAGE_HASH;
    synthetic[1] = 0;
    synthetic[2] = 0;
    synthetic[3] = (uint8_t)hash_len;
    assert_true(EVP_Digest(kCh1, sizeof(kCh1), synthetic + 4, &ch1_hash_len, md, NULL));
    EVP_MD_CTX ctx;
    EVP_MD_CTX_init(&ctx);
    assert_true(
        EVP_DigestInit_ex(&ctx, md, NULL) && EVP_DigestUpdate(&ctx, synthetic, 4 + hash_len) &&
        EVP_DigestUpdate(&ctx, kHrr, sizeof(kHrr)) && EVP_DigestFinal_ex(&ctx, want, &want_len));
    EVP_MD_CTX_cleanup(&ctx);

    assert_true(th_transcript_init(&t, md));
    assert_true(th_transcript_update(&t, kCh1, sizeof(kCh1)));
    assert_true(th_transcript_hrr_rewrite(&t));
    assert_true(th_transcript_update(&t, kHrr, sizeof(kHrr)));
    assert_true(th_transcript_hash(&t, got, &got_len));
    assert_int_equal(got_len, want_len);
    assert_memory_equal(got, want, want_len);
    th_transcript_cleanup(&t);
}

static void test_transcript_hrr_rewrite_uses_message_hash(void **state) {
    (void)state;
    expect_hrr_rewrite(EVP_sha256());
    expect_hrr_rewrite(EVP_sha384());
}

static void test_transcript_copy_and_hash_leave_the_original_running(void **state) {
    (void)state;
    th_transcript t = {0}, copy = {0}, zero = {0};
    uint8_t h1[EVP_MAX_MD_SIZE], h2[EVP_MAX_MD_SIZE], want[SHA256_DIGEST_LENGTH];
    size_t len1, len2;
    assert_true(th_transcript_init(&t, EVP_sha256()));
    assert_true(th_transcript_update(&t, (const uint8_t *)"ab", 2));
    assert_true(th_transcript_hash(&t, h1, &len1));
    assert_true(th_transcript_hash(&t, h2, &len2));
    assert_memory_equal(h1, h2, 32);
    SHA256((const uint8_t *)"ab", 2, want);
    assert_memory_equal(h1, want, 32);
    assert_true(th_transcript_copy(&copy, &t));
    assert_true(th_transcript_update(&copy, (const uint8_t *)"c", 1));
    assert_true(th_transcript_update(&t, NULL, 0));
    assert_true(th_transcript_hash(&t, h2, &len2));
    assert_memory_equal(h1, h2, 32);
    assert_true(th_transcript_hash(&copy, h2, &len2));
    SHA256((const uint8_t *)"abc", 3, want);
    assert_memory_equal(h2, want, 32);
    /* A zeroed transcript refuses use and cleans up. */
    assert_false(th_transcript_update(&zero, (const uint8_t *)"a", 1));
    assert_false(th_transcript_hash(&zero, h1, &len1));
    assert_false(th_transcript_init(&zero, NULL));
    th_transcript_cleanup(&zero);
    th_transcript_cleanup(&copy);
    th_transcript_cleanup(&t);
    th_transcript_cleanup(NULL);
}

static void test_secret_set_and_cleanse(void **state) {
    (void)state;
    uint8_t big[TH_SECRET_MAX + 1];
    th_secret s;
    memset(big, 0x77, sizeof(big));
    assert_true(th_secret_set(&s, big, TH_SECRET_MAX));
    assert_int_equal(s.len, TH_SECRET_MAX);
    assert_false(th_secret_set(&s, big, sizeof(big)));
    th_secret_cleanse(&s);
    assert_int_equal(s.len, 0);
    for (size_t i = 0; i < TH_SECRET_MAX; i++) {
        assert_int_equal(s.bytes[i], 0);
    }
    th_secret_cleanse(NULL);
    /* A NULL PSK is Hash.length zeros (RFC 8446 §7.1); NULL with a length is
     * a caller bug. */
    th_secret a, b;
    static const uint8_t kZeros[32] = {0};
    assert_true(th_tls13_early_secret(&a, EVP_sha256(), NULL, 0));
    assert_true(th_tls13_early_secret(&b, EVP_sha256(), kZeros, 32));
    assert_memory_equal(a.bytes, b.bytes, 32);
    assert_false(th_tls13_early_secret(&a, EVP_sha256(), NULL, 1));
    assert_false(th_tls13_handshake_secret(&b, EVP_sha256(), &a, NULL, 1));
    assert_false(th_tls13_early_secret(&a, NULL, NULL, 0));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_suite_hash_and_aead_per_suite),
        cmocka_unit_test(test_rfc8448_1rtt_every_secret_key_iv_and_finished),
        cmocka_unit_test(test_rfc8448_resumed_binder_early_and_handshake_secrets),
        cmocka_unit_test(test_finished_check_bad_mac_or_length_is_decrypt_error),
        cmocka_unit_test(test_expand_label_matches_independent_hmac),
        cmocka_unit_test(test_expand_label_length_limits),
        cmocka_unit_test(test_derive_secret_rejects_misused_messages),
        cmocka_unit_test(test_next_traffic_secret_matches_boringssl_key_update),
        cmocka_unit_test(test_exporter_matches_boringssl),
        cmocka_unit_test(test_keylog_lines_match_boringssl),
        cmocka_unit_test(test_sha384_schedule_matches_independent_model),
        cmocka_unit_test(test_traffic_key_iv_sizes_follow_the_aead),
        cmocka_unit_test(test_transcript_hrr_rewrite_uses_message_hash),
        cmocka_unit_test(test_transcript_copy_and_hash_leave_the_original_running),
        cmocka_unit_test(test_secret_set_and_cleanse),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
