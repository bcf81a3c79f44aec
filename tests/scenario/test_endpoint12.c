/* The scripted endpoint's TLS 1.2 roles (ep12_client.c, ep12_server.c,
 * ep12_common.c) against the `self` and `boringssl` peers: default
 * handshakes of several suite families both roles, RSA key exchange, CBC,
 * resumption by ticket and session ID, client authentication, and
 * deviations the peers must refuse with the RFC alert; a scenario built to
 * fail is reported as a failure. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "endpoint.h"
#include "load.h"
#include "peer.h"

#define PKI_DIR TH_SOURCE_DIR "/scenarios/pki"

static const char *const kPeers[] = {"self", "boringssl"};

/* Runs the single scenario of |yaml| against |peer_spec|. */
static th_ep_outcome run_on(const char *yaml, const char *peer_spec) {
    th_scenario_set set;
    th_sc_errors errs;
    memset(&set, 0, sizeof(set));
    memset(&errs, 0, sizeof(errs));
    int loaded = th_scenario_load_string("test.yaml", yaml, strlen(yaml), &set, &errs);
    for (size_t i = 0; i < errs.num; i++) {
        fprintf(stderr, "%s\n", errs.msgs[i]);
    }
    assert_true(loaded);
    assert_int_equal(set.num_scenarios, 1);
    const th_scenario *sc = set.scenarios[0];
    th_peer_opts popts = {PKI_DIR, 7, 1000, 0};
    char err[512] = "";
    th_peer *peer =
        th_peer_new(peer_spec, sc->role == 0 ? 1 : 0, &sc->peer, &popts, err, sizeof(err));
    if (peer == NULL) {
        fprintf(stderr, "peer %s: %s\n", peer_spec, err);
    }
    assert_non_null(peer);
    th_ep_opts opts = {PKI_DIR, 42, 1000};
    th_ep_outcome out;
    assert_true(th_ep_run(sc, peer, &opts, &out));
    th_peer_free(peer);
    th_scenario_set_cleanup(&set);
    th_sc_errors_cleanup(&errs);
    return out;
}

static void expect_verdict_on(const char *yaml, const char *const *peers, size_t num_peers,
                              th_ep_verdict want) {
    for (size_t i = 0; i < num_peers; i++) {
        th_ep_outcome out = run_on(yaml, peers[i]);
        if (out.verdict != want || getenv("TH_TEST_VERBOSE") != NULL) {
            fprintf(stderr, "[%s] verdict %d, wanted %d: %s\n--- transcript\n%s\n", peers[i],
                    out.verdict, want, out.message ? out.message : "(no message)",
                    out.transcript ? out.transcript : "");
        }
        assert_int_equal(out.verdict, want);
        if (want == TH_EP_FAIL) {
            assert_non_null(out.message);
            assert_non_null(strstr(out.message, "expected "));
            assert_non_null(strstr(out.message, ", got "));
        }
        th_ep_outcome_cleanup(&out);
    }
}

#define PASSES(yaml) expect_verdict_on(yaml, kPeers, 2, TH_EP_PASS)
#define FAILS(yaml)  expect_verdict_on(yaml, kPeers, 2, TH_EP_FAIL)

#define HEAD(id, role)                                                                             \
    "id: t." id "\ntitle: t\nrfc: {doc: \"5246\", section: \"7.3\"}\nrole: " role "\n"

#define CONFIG(suite, cert)                                                                        \
    "config:\n  versions: [tls1.2]\n  cipher_suites: [" suite "]\n  certificate: " cert "\n"

/* A default handshake with |suite| and |cert| in role |role|, then a short
 * and a 20000-byte echo (two records each way) and close_notify. */
static void default_handshake(const char *role, const char *suite, const char *cert) {
    enum { BIG = 20000 };
    char *big = malloc(BIG + 1);
    char *yaml = malloc(2 * BIG + 2048);
    assert_non_null(big);
    assert_non_null(yaml);
    memset(big, 'a', BIG);
    big[BIG] = '\0';
    snprintf(yaml, 2 * BIG + 2048,
             "id: t.default\ntitle: t\nrfc: {doc: \"5246\", section: \"7.3\"}\nrole: %s\n"
             "config:\n  versions: [tls1.2]\n  cipher_suites: [%s]\n  certificate: %s\n"
             "steps:\n"
             "  - handshake: complete\n"
             "  - expect: established\n"
             "  - expect: {negotiated: {version: tls1.2, cipher_suite: %s, resumed: false}}\n"
             "  - send: application_data\n"
             "    data: hello\n"
             "  - expect: {application_data: hello}\n"
             "  - send: application_data\n"
             "    data: %s\n"
             "  - expect: {application_data: %s}\n"
             "  - send: close_notify\n",
             role, suite, cert, suite, big, big);
    PASSES(yaml);
    free(big);
    free(yaml);
}

static void test_client_ecdhe_ecdsa_aes128_gcm(void **state) {
    (void)state;
    default_handshake("client", "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "server-ecdsa-p256");
}

static void test_client_ecdhe_ecdsa_aes256_gcm(void **state) {
    (void)state;
    default_handshake("client", "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "server-ecdsa-p256");
}

static void test_client_ecdhe_rsa_chacha(void **state) {
    (void)state;
    default_handshake("client", "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256", "server-rsa2048");
}

static void test_client_ecdhe_ecdsa_cbc(void **state) {
    (void)state;
    default_handshake("client", "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA", "server-ecdsa-p256");
}

static void test_client_rsa_kx_gcm(void **state) {
    (void)state;
    default_handshake("client", "TLS_RSA_WITH_AES_128_GCM_SHA256", "server-rsa2048");
}

static void test_client_rsa_kx_cbc(void **state) {
    (void)state;
    default_handshake("client", "TLS_RSA_WITH_AES_256_CBC_SHA", "server-rsa2048");
}

static void test_server_ecdhe_ecdsa_aes128_gcm(void **state) {
    (void)state;
    default_handshake("server", "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "server-ecdsa-p256");
}

static void test_server_ecdhe_rsa_aes256_gcm(void **state) {
    (void)state;
    default_handshake("server", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", "server-rsa2048");
}

static void test_server_ecdhe_ecdsa_chacha(void **state) {
    (void)state;
    default_handshake("server", "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
                      "server-ecdsa-p256");
}

static void test_server_ecdhe_rsa_cbc(void **state) {
    (void)state;
    default_handshake("server", "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA", "server-rsa2048");
}

static void test_server_rsa_kx_gcm(void **state) {
    (void)state;
    default_handshake("server", "TLS_RSA_WITH_AES_256_GCM_SHA384", "server-rsa2048");
}

static void test_server_rsa_kx_cbc(void **state) {
    (void)state;
    default_handshake("server", "TLS_RSA_WITH_AES_128_CBC_SHA", "server-rsa2048");
}

#define TLS12 "config:\n  versions: [tls1.2]\n"

static void test_client_resumption(void **state) {
    (void)state;
    PASSES(HEAD("c_resume", "client") TLS12
           "  resume: true\n"
           "steps:\n"
           "  - handshake: complete\n"
           "  - expect: {negotiated: {version: tls1.2, resumed: true}}\n"
           "  - send: application_data\n"
           "    data: resumed\n"
           "  - expect: {application_data: resumed}\n");
}

static void test_server_resumption(void **state) {
    (void)state;
    PASSES(HEAD("s_resume", "server") TLS12
           "  resume: true\n"
           "steps:\n"
           "  - handshake: complete\n"
           "  - expect: {negotiated: {version: tls1.2, resumed: true}}\n"
           "  - send: application_data\n"
           "    data: resumed\n"
           "  - expect: {application_data: resumed}\n");
}

static void test_client_auth(void **state) {
    (void)state;
    PASSES(HEAD("c_auth", "client") TLS12 "  client_auth: require\n"
                                          "  certificate: client-ecdsa-p256\n"
                                          "peer:\n"
                                          "  certificate: server-ecdsa-p256\n"
                                          "steps:\n"
                                          "  - send: client_hello\n"
                                          "  - expect: server_hello\n"
                                          "  - expect: certificate\n"
                                          "  - expect: server_key_exchange\n"
                                          "  - expect: certificate_request\n"
                                          "  - expect: server_hello_done\n"
                                          "  - handshake: complete\n"
                                          "  - send: application_data\n"
                                          "    data: authed\n"
                                          "  - expect: {application_data: authed}\n");
}

static void test_server_client_auth(void **state) {
    (void)state;
    PASSES(HEAD("s_auth", "server") TLS12 "  client_auth: require\n"
                                          "  certificate: server-ecdsa-p256\n"
                                          "peer:\n"
                                          "  certificate: client-rsa2048\n"
                                          "steps:\n"
                                          "  - expect: client_hello\n"
                                          "  - send: server_hello\n"
                                          "  - send: certificate\n"
                                          "  - send: server_key_exchange\n"
                                          "  - send: certificate_request\n"
                                          "  - send: server_hello_done\n"
                                          "  - expect: certificate\n"
                                          "  - expect: client_key_exchange\n"
                                          "  - expect: certificate_verify\n"
                                          "  - expect: change_cipher_spec\n"
                                          "  - expect: finished\n"
                                          "  - handshake: complete\n"
                                          "  - send: application_data\n"
                                          "    data: authed\n"
                                          "  - expect: {application_data: authed}\n");
}

/* CVE-2014-0224: a ChangeCipherSpec before the key exchange. */
static void test_client_early_ccs_is_unexpected_message(void **state) {
    (void)state;
    PASSES(HEAD("c_early_ccs", "client") TLS12 "steps:\n"
                                               "  - handshake: {until: client_key_exchange}\n"
                                               "  - send: change_cipher_spec\n"
                                               "  - expect: {alert: unexpected_message}\n");
}

static void test_server_early_ccs_is_unexpected_message(void **state) {
    (void)state;
    PASSES(HEAD("s_early_ccs", "server") TLS12 "steps:\n"
                                               "  - expect: client_hello\n"
                                               "  - send: server_hello\n"
                                               "  - send: change_cipher_spec\n"
                                               "  - expect: {alert: unexpected_message}\n");
}

static void test_client_bad_finished_is_decrypt_error(void **state) {
    (void)state;
    PASSES(HEAD("c_bad_fin", "client") TLS12 "steps:\n"
                                             "  - handshake: {until: finished}\n"
                                             "  - send: change_cipher_spec\n"
                                             "  - send: finished\n"
                                             "    flip: {part: verify_data, bit: 3}\n"
                                             "  - expect: {alert: decrypt_error}\n");
}

static void test_server_bad_finished_is_decrypt_error(void **state) {
    (void)state;
    PASSES(HEAD("s_bad_fin", "server") TLS12
           "steps:\n"
           "  - handshake: {until: finished}\n"
           "  - send: change_cipher_spec\n"
           "  - send: finished\n"
           "    set: {verify_data: \"000102030405060708090a0b\"}\n"
           "  - expect: {alert: decrypt_error}\n");
}

static void test_client_finished_without_ccs_is_unexpected_message(void **state) {
    (void)state;
    PASSES(HEAD("c_no_ccs", "client") TLS12 "steps:\n"
                                            "  - handshake: {until: finished}\n"
                                            "  - send: finished\n"
                                            "  - expect: {alert: unexpected_message}\n");
}

static void test_server_skipped_ske_is_unexpected_message(void **state) {
    (void)state;
    PASSES(HEAD("s_no_ske", "server") TLS12 "steps:\n"
                                            "  - handshake: {until: server_key_exchange}\n"
                                            "  - send: server_hello_done\n"
                                            "  - expect: {alert: unexpected_message}\n");
}

static void test_server_bad_ske_signature_is_decrypt_error(void **state) {
    (void)state;
    PASSES(HEAD("s_bad_ske", "server") TLS12 "steps:\n"
                                             "  - handshake: {until: server_key_exchange}\n"
                                             "  - send: server_key_exchange\n"
                                             "    flip: {part: signature, bit: 100}\n"
                                             "  - expect: {alert: decrypt_error}\n");
}

static void test_client_bad_record_mac(void **state) {
    (void)state;
    PASSES(HEAD("c_bad_mac", "client") TLS12
           "  cipher_suites: [TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA]\n"
           "steps:\n"
           "  - handshake: complete\n"
           "  - send: application_data\n"
           "    data: x\n"
           "    flip: {part: tag, bit: 0}\n"
           "  - expect: {alert: bad_record_mac}\n");
}

static void test_client_bad_cbc_padding_is_bad_record_mac(void **state) {
    (void)state;
    PASSES(HEAD("c_bad_pad", "client") TLS12
           "  cipher_suites: [TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA]\n"
           "steps:\n"
           "  - handshake: complete\n"
           "  - send: application_data\n"
           "    data: x\n"
           "    record: {bad_padding: true}\n"
           "  - expect: {alert: bad_record_mac}\n");
}

static void test_client_rsa_bad_padding_fails_at_finished(void **state) {
    (void)state;
    PASSES(HEAD("c_rsa_bad", "client") TLS12
           "  cipher_suites: [TLS_RSA_WITH_AES_128_GCM_SHA256]\n"
           "  certificate: server-rsa2048\n"
           "steps:\n"
           "  - handshake: {until: client_key_exchange}\n"
           "  - send: client_key_exchange\n"
           "    set: {premaster_padding: bad}\n"
           "  - send: change_cipher_spec\n"
           "  - send: finished\n"
           "  - expect: {alert: [bad_record_mac, decrypt_error]}\n");
}

static void test_client_plaintext_overflow_is_record_overflow(void **state) {
    (void)state;
    PASSES(HEAD("c_overflow", "client") TLS12 "steps:\n"
                                              "  - handshake: complete\n"
                                              "  - send: application_data\n"
                                              "    fill: 16385\n"
                                              "    record: {fragment: 16385}\n"
                                              "  - expect: {alert: record_overflow}\n");
}

static void test_server_plaintext_overflow_is_record_overflow(void **state) {
    (void)state;
    PASSES(HEAD("s_overflow", "server") TLS12
           "  cipher_suites: [TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256]\n"
           "steps:\n"
           "  - handshake: complete\n"
           "  - send: application_data\n"
           "    fill: 16385\n"
           "    record: {fragment: 16385}\n"
           "  - expect: {alert: record_overflow}\n");
}

static void test_client_cbc_plaintext_overflow_is_record_overflow(void **state) {
    (void)state;
    PASSES(HEAD("c_overflow_cbc", "client") TLS12
           "  cipher_suites: [TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA]\n"
           "steps:\n"
           "  - handshake: complete\n"
           "  - send: application_data\n"
           "    fill: 16385\n"
           "    record: {fragment: 16385}\n"
           "  - expect: {alert: record_overflow}\n");
}

static void test_client_renegotiation_is_refused(void **state) {
    (void)state;
    PASSES(HEAD("c_reneg", "client") TLS12 "steps:\n"
                                           "  - handshake: complete\n"
                                           "  - send: client_hello\n"
                                           "  - expect: {alert: no_renegotiation}\n");
}

static void test_server_hello_request_is_answered(void **state) {
    (void)state;
    PASSES(HEAD("s_hello_request", "server") TLS12 "steps:\n"
                                                   "  - handshake: complete\n"
                                                   "  - send: hello_request\n"
                                                   "  - any_of:\n"
                                                   "    - [{expect: {alert: no_renegotiation}}]\n"
                                                   "    - [{expect: {nothing: 200}}, {send: "
                                                   "application_data, data: still}, {expect: "
                                                   "{application_data: still}}]\n");
}

static void test_client_skipped_certificate_is_unexpected_message(void **state) {
    (void)state;
    PASSES(HEAD("c_no_cert", "client") TLS12 "  client_auth: require\n"
                                             "  certificate: client-ecdsa-p256\n"
                                             "peer:\n"
                                             "  certificate: server-ecdsa-p256\n"
                                             "steps:\n"
                                             "  - handshake: {until: certificate}\n"
                                             "  - send: client_key_exchange\n"
                                             "  - expect: {alert: unexpected_message}\n");
}

static void test_server_rsa_kx_ske_is_unexpected_message(void **state) {
    (void)state;
    PASSES(HEAD("s_rsa_ske", "server") TLS12 "  cipher_suites: [TLS_RSA_WITH_AES_128_GCM_SHA256]\n"
                                             "  certificate: server-rsa2048\n"
                                             "steps:\n"
                                             "  - expect: client_hello\n"
                                             "  - send: server_hello\n"
                                             "  - send: certificate\n"
                                             "  - send: server_key_exchange\n"
                                             "  - expect: {alert: unexpected_message}\n");
}

static void test_client_ske_fields(void **state) {
    (void)state;
    PASSES(HEAD("c_ske_fields", "client") TLS12
           "  groups: [secp256r1]\n"
           "steps:\n"
           "  - send: client_hello\n"
           "  - expect: {message: server_hello, fields: {legacy_version: tls1.2}}\n"
           "  - expect: certificate\n"
           "  - expect: {message: server_key_exchange, fields: {curve: secp256r1, scheme: "
           "ecdsa_secp256r1_sha256}}\n"
           "  - handshake: complete\n");
}

static void test_client_ske_wrong_curve_is_fail(void **state) {
    (void)state;
    FAILS(HEAD("c_ske_wrong", "client") TLS12 "  groups: [secp256r1]\n"
                                              "steps:\n"
                                              "  - send: client_hello\n"
                                              "  - expect: server_hello\n"
                                              "  - expect: certificate\n"
                                              "  - expect: {message: server_key_exchange, "
                                              "fields: {curve: x25519}}\n");
}

static void test_server_ske_curve_not_offered_is_refused(void **state) {
    (void)state;
    PASSES(HEAD("s_ske_curve", "server") TLS12 "  groups: [x25519]\n"
                                               "steps:\n"
                                               "  - handshake: {until: server_key_exchange}\n"
                                               "  - send: server_key_exchange\n"
                                               "    set: {curve: secp384r1}\n"
                                               "  - expect: {alert: illegal_parameter}\n");
}

static void test_server_sets_cipher_suite_not_offered(void **state) {
    (void)state;
    PASSES(HEAD("s_suite", "server") TLS12
           "  cipher_suites: [TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256]\n"
           "steps:\n"
           "  - expect: client_hello\n"
           "  - send: server_hello\n"
           "    set: {cipher_suite: TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384}\n"
           "  - expect: {alert: [illegal_parameter, handshake_failure]}\n");
}

/* `ems: false`: a handshake and resumption without the extended master
 * secret (the self peer then allows it). */
static void test_client_without_ems(void **state) {
    (void)state;
    expect_verdict_on(HEAD("c_no_ems", "client") TLS12
                      "  ems: false\n"
                      "  resume: true\n"
                      "steps:\n"
                      "  - send: client_hello\n"
                      "  - expect: {message: server_hello, "
                      "extensions_absent: [extended_master_secret]}\n"
                      "  - handshake: complete\n"
                      "  - expect: {negotiated: {resumed: true}}\n",
                      kPeers, 2, TH_EP_PASS);
}

static void test_alpn_both_roles(void **state) {
    (void)state;
    PASSES(HEAD("c_alpn", "client") TLS12 "  alpn: [h2, http/1.1]\n"
                                          "steps:\n"
                                          "  - handshake: complete\n"
                                          "  - expect: {negotiated: {alpn: h2}}\n");
    PASSES(HEAD("s_alpn", "server") TLS12 "  alpn: [http/1.1]\n"
                                          "steps:\n"
                                          "  - handshake: complete\n"
                                          "  - expect: {negotiated: {alpn: http/1.1}}\n");
}

static void test_server_unsolicited_certificate_status(void **state) {
    (void)state;
    PASSES(HEAD("s_status", "server") TLS12 "steps:\n"
                                            "  - handshake: {until: server_key_exchange}\n"
                                            "  - send: certificate_status\n"
                                            "  - expect: {alert: unexpected_message}\n");
}

/* RFC 7366: our engine answers encrypt_then_mac (BoringSSL does not
 * implement it). */
static void test_client_encrypt_then_mac(void **state) {
    (void)state;
    expect_verdict_on(
        HEAD("c_etm", "client") TLS12
        "  cipher_suites: [TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA]\n"
        "steps:\n"
        "  - send: client_hello\n"
        "    add_extensions: [{type: encrypt_then_mac}]\n"
        "  - expect: {message: server_hello, extensions_present: [encrypt_then_mac]}\n"
        "  - handshake: complete\n"
        "  - send: application_data\n"
        "    data: etm\n"
        "  - expect: {application_data: etm}\n"
        "  - send: application_data\n"
        "    data: x\n"
        "    flip: {part: tag, bit: 0}\n"
        "  - expect: {alert: bad_record_mac}\n",
        &kPeers[0], 1, TH_EP_PASS);
}

static void test_client_auth_rsa(void **state) {
    (void)state;
    PASSES(HEAD("c_auth_rsa", "client") TLS12
           "  client_auth: require\n"
           "  certificate: client-rsa2048\n"
           "peer:\n"
           "  certificate: server-rsa2048\n"
           "  cipher_suites: [TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256]\n"
           "steps:\n"
           "  - handshake: complete\n"
           "  - send: application_data\n"
           "    data: rsa\n"
           "  - expect: {application_data: rsa}\n");
}

/* Resumption by session ID (RFC 5246 §7.4.1.2): the resumption offers no
 * ticket. Our engine keeps a session cache; BoringSSL's server, having
 * issued a ticket, does not resume the ID. */
static void test_client_session_id_resumption(void **state) {
    (void)state;
    expect_verdict_on(HEAD("c_sessid", "client") TLS12
                      "  resume: true\n"
                      "steps:\n"
                      "  - send: client_hello\n"
                      "    remove_extensions: [session_ticket]\n"
                      "  - handshake: complete\n"
                      "  - expect: {negotiated: {resumed: true}}\n",
                      &kPeers[0], 1, TH_EP_PASS);
}

/* RFC 7627 §5.3: a resumption of a session without EMS that adds EMS. */
static void test_server_ems_added_on_resumption_is_refused(void **state) {
    (void)state;
    PASSES(HEAD("s_ems_added", "server") TLS12
           "  ems: false\n"
           "  resume: true\n"
           "steps:\n"
           "  - expect: client_hello\n"
           "  - send: server_hello\n"
           "    add_extensions: [{type: extended_master_secret}]\n"
           "  - expect: {alert: handshake_failure}\n");
}

/* RFC 5746: a HelloRequest answered by a peer that renegotiates; the
 * second handshake runs under the first one's keys, with
 * renegotiation_info carrying both verify_data. */
static void test_server_renegotiation(void **state) {
    (void)state;
    PASSES(HEAD("s_reneg", "server") TLS12 "peer:\n"
                                           "  accept_renegotiation: true\n"
                                           "steps:\n"
                                           "  - handshake: complete\n"
                                           "  - send: application_data\n"
                                           "    data: before\n"
                                           "  - expect: {application_data: before}\n"
                                           "  - send: hello_request\n"
                                           "  - expect: client_hello\n"
                                           "  - handshake: complete\n"
                                           "  - expect: established\n"
                                           "  - send: application_data\n"
                                           "    data: after\n"
                                           "  - expect: {application_data: after}\n");
}

/* A scenario designed to fail is reported as FAIL. */
static void test_wrong_expectation_is_fail(void **state) {
    (void)state;
    FAILS(HEAD("c_wrong", "client") TLS12 "steps:\n"
                                          "  - handshake: {until: finished}\n"
                                          "  - send: change_cipher_spec\n"
                                          "  - send: finished\n"
                                          "    flip: {part: verify_data}\n"
                                          "  - expect: {alert: handshake_failure}\n");
}

static void test_wrong_negotiated_version_is_fail(void **state) {
    (void)state;
    FAILS(HEAD("c_wrong_v", "client") TLS12 "steps:\n"
                                            "  - handshake: complete\n"
                                            "  - expect: {negotiated: {version: tls1.3}}\n");
}

/* Our side offers both versions; the peer only TLS 1.2: the TLS 1.2 role
 * takes over after the ServerHello / ClientHello. */
static void test_client_dual_version_lands_on_tls12(void **state) {
    (void)state;
    PASSES(HEAD("c_dual", "client") "config:\n  versions: [tls1.2, tls1.3]\n"
                                    "  cipher_suites: [TLS_AES_128_GCM_SHA256, "
                                    "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256]\n"
                                    "peer:\n  versions: [tls1.2]\n"
                                    "  cipher_suites: [TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256]\n"
                                    "steps:\n"
                                    "  - handshake: complete\n"
                                    "  - expect: {negotiated: {version: tls1.2}}\n"
                                    "  - send: application_data\n"
                                    "    data: dual\n"
                                    "  - expect: {application_data: dual}\n");
}

static void test_server_dual_version_lands_on_tls12(void **state) {
    (void)state;
    PASSES(HEAD("s_dual", "server") "config:\n  versions: [tls1.2, tls1.3]\n"
                                    "peer:\n  versions: [tls1.2]\n"
                                    "steps:\n"
                                    "  - handshake: complete\n"
                                    "  - expect: {negotiated: {version: tls1.2}}\n"
                                    "  - send: application_data\n"
                                    "    data: dual\n"
                                    "  - expect: {application_data: dual}\n");
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_client_ecdhe_ecdsa_aes128_gcm),
        cmocka_unit_test(test_client_ecdhe_ecdsa_aes256_gcm),
        cmocka_unit_test(test_client_ecdhe_rsa_chacha),
        cmocka_unit_test(test_client_ecdhe_ecdsa_cbc),
        cmocka_unit_test(test_client_rsa_kx_gcm),
        cmocka_unit_test(test_client_rsa_kx_cbc),
        cmocka_unit_test(test_server_ecdhe_ecdsa_aes128_gcm),
        cmocka_unit_test(test_server_ecdhe_rsa_aes256_gcm),
        cmocka_unit_test(test_server_ecdhe_ecdsa_chacha),
        cmocka_unit_test(test_server_ecdhe_rsa_cbc),
        cmocka_unit_test(test_server_rsa_kx_gcm),
        cmocka_unit_test(test_server_rsa_kx_cbc),
        cmocka_unit_test(test_client_resumption),
        cmocka_unit_test(test_server_resumption),
        cmocka_unit_test(test_client_auth),
        cmocka_unit_test(test_server_client_auth),
        cmocka_unit_test(test_client_early_ccs_is_unexpected_message),
        cmocka_unit_test(test_server_early_ccs_is_unexpected_message),
        cmocka_unit_test(test_client_bad_finished_is_decrypt_error),
        cmocka_unit_test(test_server_bad_finished_is_decrypt_error),
        cmocka_unit_test(test_client_finished_without_ccs_is_unexpected_message),
        cmocka_unit_test(test_server_skipped_ske_is_unexpected_message),
        cmocka_unit_test(test_server_bad_ske_signature_is_decrypt_error),
        cmocka_unit_test(test_client_bad_record_mac),
        cmocka_unit_test(test_client_bad_cbc_padding_is_bad_record_mac),
        cmocka_unit_test(test_client_rsa_bad_padding_fails_at_finished),
        cmocka_unit_test(test_client_plaintext_overflow_is_record_overflow),
        cmocka_unit_test(test_server_plaintext_overflow_is_record_overflow),
        cmocka_unit_test(test_client_cbc_plaintext_overflow_is_record_overflow),
        cmocka_unit_test(test_client_renegotiation_is_refused),
        cmocka_unit_test(test_server_hello_request_is_answered),
        cmocka_unit_test(test_client_skipped_certificate_is_unexpected_message),
        cmocka_unit_test(test_server_rsa_kx_ske_is_unexpected_message),
        cmocka_unit_test(test_client_ske_fields),
        cmocka_unit_test(test_client_ske_wrong_curve_is_fail),
        cmocka_unit_test(test_server_ske_curve_not_offered_is_refused),
        cmocka_unit_test(test_server_sets_cipher_suite_not_offered),
        cmocka_unit_test(test_client_without_ems),
        cmocka_unit_test(test_alpn_both_roles),
        cmocka_unit_test(test_server_unsolicited_certificate_status),
        cmocka_unit_test(test_client_encrypt_then_mac),
        cmocka_unit_test(test_client_auth_rsa),
        cmocka_unit_test(test_client_session_id_resumption),
        cmocka_unit_test(test_server_ems_added_on_resumption_is_refused),
        cmocka_unit_test(test_server_renegotiation),
        cmocka_unit_test(test_wrong_expectation_is_fail),
        cmocka_unit_test(test_wrong_negotiated_version_is_fail),
        cmocka_unit_test(test_client_dual_version_lands_on_tls12),
        cmocka_unit_test(test_server_dual_version_lands_on_tls12),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
