/* The server role of the scripted endpoint (ep_server.c): scenarios with
 * role server run against the in-process client peers, BoringSSL and our
 * own engine. The default handshake, HelloRetryRequest (with and without
 * cookie), client authentication, resumption, 0-RTT, post-handshake
 * messages and deviations whose alert the RFC fixes must pass against both;
 * scenarios designed to fail must be reported as failures. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conn.h"
#include "endpoint.h"
#include "load.h"
#include "peer.h"
#include "testutil.h"

#define PKI TH_SOURCE_DIR "/scenarios/pki"

static const char *const kPeers[] = {"boringssl", "self"};

/* The common head of every test scenario (role server, an RFC reference). */
#define HEAD(id)                                                                                   \
    "id: " id "\n"                                                                                 \
    "title: server role test\n"                                                                    \
    "rfc: {doc: \"8446\", section: \"2\"}\n"                                                       \
    "role: server\n"

/* Runs the one scenario of |yaml| against |peer_spec| (a client peer) and
 * returns the outcome (the caller cleans it up). */
static th_ep_verdict run_one(const char *peer_spec, const char *yaml, th_ep_outcome *out) {
    th_scenario_set set;
    th_sc_errors errs;
    memset(&set, 0, sizeof(set));
    memset(&errs, 0, sizeof(errs));
    if (!th_scenario_load_string("test.yaml", yaml, strlen(yaml), &set, &errs)) {
        for (size_t i = 0; i < errs.num; i++) {
            print_error("%s\n", errs.msgs[i]);
        }
        fail_msg("the test scenario does not load");
    }
    th_sc_errors_cleanup(&errs);
    assert_int_equal(set.num_scenarios, 1);
    const th_scenario *sc = set.scenarios[0];
    assert_int_equal(sc->role, TH_ROLE_SERVER);
    th_peer_opts po;
    memset(&po, 0, sizeof(po));
    po.pki_dir = PKI;
    po.seed = 7;
    po.connect_timeout_ms = 5000;
    char err[256] = "";
    th_peer *peer = th_peer_new(peer_spec, TH_ROLE_CLIENT, &sc->peer, &po, err, sizeof(err));
    if (peer == NULL) {
        fail_msg("th_peer_new(%s): %s", peer_spec, err);
    }
    th_ep_opts eo;
    memset(&eo, 0, sizeof(eo));
    eo.pki_dir = PKI;
    eo.seed = 7;
    eo.deadline_ms = 1000;
    assert_true(th_ep_run(sc, peer, &eo, out));
    th_peer_free(peer);
    th_scenario_set_cleanup(&set);
    return out->verdict;
}

static const char *verdict_name(th_ep_verdict v) {
    return v == TH_EP_PASS ? "pass" : v == TH_EP_FAIL ? "fail" : "error";
}

/* |yaml| must end in |want| against every peer (or only |only|); a failure
 * message, when |want_text| is not NULL, must contain it. */
static void expect_verdict_on(const char *only, const char *yaml, th_ep_verdict want,
                              const char *want_text) {
    for (size_t i = 0; i < sizeof(kPeers) / sizeof(kPeers[0]); i++) {
        if (only != NULL && strcmp(only, kPeers[i]) != 0) {
            continue;
        }
        th_ep_outcome out;
        th_ep_verdict v = run_one(kPeers[i], yaml, &out);
        if (v != want || (want_text != NULL &&
                          (out.message == NULL || strstr(out.message, want_text) == NULL))) {
            /* stderr, not print_error: cmocka truncates long messages. */
            fprintf(stderr, "peer %s: verdict %s, message: %s\n--- transcript ---\n%s\n", kPeers[i],
                    verdict_name(v), out.message ? out.message : "(none)",
                    out.transcript ? out.transcript : "(none)");
            th_ep_outcome_cleanup(&out);
            fail_msg("peer %s: expected %s%s%s", kPeers[i], verdict_name(want),
                     want_text ? " with " : "", want_text ? want_text : "");
        }
        int complete = out.transcript != NULL && out.keylog != NULL &&
                       (want == TH_EP_PASS || (out.message != NULL && out.expected != NULL &&
                                               out.got != NULL && out.message[0] != '\0'));
        th_ep_outcome_cleanup(&out);
        assert_true(complete);
    }
}

static void expect_verdict(const char *yaml, th_ep_verdict want, const char *want_text) {
    expect_verdict_on(NULL, yaml, want, want_text);
}

static void expect_pass(const char *yaml) {
    expect_verdict(yaml, TH_EP_PASS, NULL);
}

/* ---- correct handshakes ---------------------------------------------------- */

static void test_default_handshake_passes(void **state) {
    (void)state;
    expect_pass(HEAD("t.full") "steps:\n"
                               "  - handshake: complete\n"
                               "  - expect: {negotiated: {version: tls1.3, cipher_suite: "
                               "TLS_AES_128_GCM_SHA256,\n"
                               "             group: x25519, resumed: false, hello_retry: false}}\n"
                               "  - send: application_data\n"
                               "    data: hello\n"
                               "  - expect: {application_data: hello}\n");
}

static void test_keylog_and_transcript_are_filled(void **state) {
    (void)state;
    static const char kYaml[] = HEAD("t.keylog") "steps:\n"
                                                 "  - handshake: complete\n";
    static const char *const kLabels[] = {
        "CLIENT_HANDSHAKE_TRAFFIC_SECRET",
        "SERVER_HANDSHAKE_TRAFFIC_SECRET",
        "CLIENT_TRAFFIC_SECRET_0",
        "SERVER_TRAFFIC_SECRET_0",
        "EXPORTER_SECRET",
    };
    for (size_t i = 0; i < sizeof(kPeers) / sizeof(kPeers[0]); i++) {
        th_ep_outcome out;
        assert_int_equal(run_one(kPeers[i], kYaml, &out), TH_EP_PASS);
        int ok = out.keylog != NULL && out.transcript != NULL &&
                 strstr(out.transcript, "server_hello") != NULL &&
                 strstr(out.transcript, "new_session_ticket") != NULL;
        for (size_t j = 0; ok && j < sizeof(kLabels) / sizeof(kLabels[0]); j++) {
            ok = strstr(out.keylog, kLabels[j]) != NULL;
        }
        th_ep_outcome_cleanup(&out);
        assert_true(ok);
    }
}

static void test_explicit_steps_pass(void **state) {
    (void)state;
    expect_pass(
        HEAD("t.explicit") "steps:\n"
                           "  - expect: {message: client_hello, extensions_present: [key_share]}\n"
                           "  - send: server_hello\n"
                           "  - send: encrypted_extensions\n"
                           "  - send: certificate\n"
                           "  - send: certificate_verify\n"
                           "  - send: finished\n"
                           "  - expect: finished\n"
                           "  - expect: established\n"
                           "  - send: new_session_ticket\n"
                           "  - send: application_data\n"
                           "    data: ping\n"
                           "  - expect: {application_data: ping}\n");
}

static void test_suites_groups_and_alpn_pass(void **state) {
    (void)state;
    expect_pass(HEAD("t.params") "config:\n"
                                 "  cipher_suites: [TLS_AES_256_GCM_SHA384]\n"
                                 "  groups: [secp256r1]\n"
                                 "  alpn: [h2]\n"
                                 "steps:\n"
                                 "  - handshake: complete\n"
                                 "  - expect: {negotiated: {cipher_suite: TLS_AES_256_GCM_SHA384, "
                                 "group: secp256r1,\n"
                                 "             alpn: h2}}\n"
                                 "  - send: application_data\n"
                                 "    data: x\n"
                                 "  - expect: {application_data: x}\n");
    expect_pass(
        HEAD("t.chacha") "config:\n"
                         "  cipher_suites: [TLS_CHACHA20_POLY1305_SHA256]\n"
                         "  groups: [secp384r1]\n"
                         "steps:\n"
                         "  - handshake: complete\n"
                         "  - expect: {negotiated: {cipher_suite: TLS_CHACHA20_POLY1305_SHA256,\n"
                         "             group: secp384r1}}\n");
}

static void test_rsa_certificate_passes(void **state) {
    (void)state;
    expect_pass(HEAD("t.rsa") "config:\n"
                              "  certificate: server-rsa2048\n"
                              "steps:\n"
                              "  - handshake: complete\n"
                              "  - send: application_data\n"
                              "    data: x\n"
                              "  - expect: {application_data: x}\n");
}

static void test_hello_retry_request_passes(void **state) {
    (void)state;
    /* Our group is x25519; the client shares secp256r1 only. */
    expect_pass(HEAD("t.hrr") "config:\n"
                              "  groups: [x25519, secp256r1]\n"
                              "peer:\n"
                              "  groups: [secp256r1, x25519]\n"
                              "steps:\n"
                              "  - expect: client_hello\n"
                              "  - send: hello_retry_request\n"
                              "  - expect: {message: client_hello, extensions_absent: [cookie]}\n"
                              "  - handshake: complete\n"
                              "  - expect: {negotiated: {group: x25519, hello_retry: true}}\n"
                              "  - send: application_data\n"
                              "    data: x\n"
                              "  - expect: {application_data: x}\n");
}

static void test_hello_retry_request_cookie_is_echoed(void **state) {
    (void)state;
    expect_pass(HEAD("t.hrr_cookie") "config:\n"
                                     "  groups: [x25519, secp256r1]\n"
                                     "  hrr_cookie: true\n"
                                     "peer:\n"
                                     "  groups: [secp256r1, x25519]\n"
                                     "steps:\n"
                                     "  - handshake: {until: server_hello}\n"
                                     "  - handshake: complete\n"
                                     "  - expect: {negotiated: {hello_retry: true}}\n");
    /* RFC 8446 §4.2.2: a 64-byte cookie of our choosing is copied. */
    expect_pass(HEAD(
        "t.hrr_cookie64") "config:\n"
                          "  groups: [x25519, secp256r1]\n"
                          "peer:\n"
                          "  groups: [secp256r1, x25519]\n"
                          "steps:\n"
                          "  - expect: client_hello\n"
                          "  - send: hello_retry_request\n"
                          "    set: {cookie: "
                          "\"00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"
                          "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff\"}\n"
                          "  - expect: {message: client_hello, extensions_present: [cookie]}\n"
                          "  - handshake: complete\n");
}

static void test_middlebox_compat_passes(void **state) {
    (void)state;
    expect_pass(HEAD("t.compat") "config:\n"
                                 "  middlebox_compat: true\n"
                                 "  groups: [x25519, secp256r1]\n"
                                 "peer:\n"
                                 "  groups: [secp256r1, x25519]\n"
                                 "steps:\n"
                                 "  - handshake: complete\n"
                                 "  - send: application_data\n"
                                 "    data: x\n"
                                 "  - expect: {application_data: x}\n");
}

static void test_client_auth_passes(void **state) {
    (void)state;
    expect_pass(HEAD("t.client_auth") "config:\n"
                                      "  client_auth: require\n"
                                      "peer:\n"
                                      "  certificate: client-ecdsa-p256\n"
                                      "steps:\n"
                                      "  - handshake: {until: finished}\n"
                                      "  - send: finished\n"
                                      "  - expect: certificate\n"
                                      "  - expect: certificate_verify\n"
                                      "  - expect: finished\n"
                                      "  - send: application_data\n"
                                      "    data: x\n"
                                      "  - expect: {application_data: x}\n");
    expect_pass(HEAD("t.client_auth_rsa") "config:\n"
                                          "  client_auth: request\n"
                                          "peer:\n"
                                          "  certificate: client-rsa2048\n"
                                          "steps:\n"
                                          "  - handshake: complete\n"
                                          "  - expect: established\n");
}

static void test_optional_client_auth_without_certificate_passes(void **state) {
    (void)state;
    expect_pass(HEAD("t.client_auth_none") "config:\n"
                                           "  client_auth: request\n"
                                           "steps:\n"
                                           "  - handshake: complete\n"
                                           "  - send: application_data\n"
                                           "    data: x\n"
                                           "  - expect: {application_data: x}\n");
}

static void test_required_client_auth_without_certificate_fails(void **state) {
    (void)state;
    /* The client sends an empty Certificate: a correct server aborts
     * (RFC 8446 §4.4.2.4), which the step reports. */
    expect_verdict(HEAD("t.client_auth_missing") "config:\n"
                                                 "  client_auth: require\n"
                                                 "steps:\n"
                                                 "  - handshake: complete\n",
                   TH_EP_FAIL, "certificate_required");
}

static void test_untrusted_client_certificate_fails(void **state) {
    (void)state;
    /* Our server checks the client's chain against root-ca.pem as a client
     * certificate (RFC 8446 §4.4.2.4): a chain from another CA fails the
     * step, naming the verifier's reason. */
    expect_verdict(HEAD("t.client_auth_untrusted") "config:\n"
                                                   "  client_auth: require\n"
                                                   "peer:\n"
                                                   "  certificate: bad-unknown-ca\n"
                                                   "steps:\n"
                                                   "  - handshake: complete\n",
                   TH_EP_FAIL, "does not verify");
}

static void test_resumption_passes(void **state) {
    (void)state;
    expect_pass(HEAD(
        "t.resume") "config:\n"
                    "  resume: true\n"
                    "steps:\n"
                    "  - expect: {message: client_hello, extensions_present: [pre_shared_key]}\n"
                    "  - handshake: complete\n"
                    "  - expect: {negotiated: {resumed: true, early_data_accepted: false}}\n"
                    "  - send: application_data\n"
                    "    data: again\n"
                    "  - expect: {application_data: again}\n");
}

static void test_resumption_with_hrr_passes(void **state) {
    (void)state;
    expect_pass(
        HEAD("t.resume_hrr") "config:\n"
                             "  resume: true\n"
                             "  groups: [x25519, secp256r1]\n"
                             "peer:\n"
                             "  groups: [secp256r1, x25519]\n"
                             "steps:\n"
                             "  - handshake: complete\n"
                             "  - expect: {negotiated: {resumed: true, hello_retry: true}}\n");
}

static void test_early_data_accepted_passes(void **state) {
    (void)state;
    expect_pass(
        HEAD("t.0rtt") "config:\n"
                       "  resume: true\n"
                       "  max_early_data: 16384\n"
                       "  early_data: early\n"
                       "steps:\n"
                       "  - expect: {message: client_hello, extensions_present: [early_data]}\n"
                       "  - handshake: complete\n"
                       "  - expect: {negotiated: {resumed: true, early_data_accepted: true}}\n"
                       "  - expect: {application_data: early}\n");
}

static void test_early_data_rejected_passes(void **state) {
    (void)state;
    /* EncryptedExtensions without early_data rejects the 0-RTT data (RFC
     * 8446 §4.2.10): we skip the client's early records and read its
     * handshake key. */
    expect_pass(HEAD("t.0rtt_rejected_ee") "config:\n"
                                           "  resume: true\n"
                                           "  max_early_data: 16384\n"
                                           "  early_data: early\n"
                                           "steps:\n"
                                           "  - handshake: {until: encrypted_extensions}\n"
                                           "  - send: encrypted_extensions\n"
                                           "    remove_extensions: [early_data]\n"
                                           "  - handshake: complete\n"
                                           "  - expect: {negotiated: {resumed: true, "
                                           "early_data_accepted: false}}\n");
    /* After a HelloRetryRequest 0-RTT is rejected too. */
    expect_pass(
        HEAD("t.0rtt_rejected_hrr") "config:\n"
                                    "  resume: true\n"
                                    "  max_early_data: 16384\n"
                                    "  early_data: early\n"
                                    "  groups: [x25519, secp256r1]\n"
                                    "peer:\n"
                                    "  groups: [secp256r1, x25519]\n"
                                    "steps:\n"
                                    "  - handshake: complete\n"
                                    "  - expect: {negotiated: {resumed: true, hello_retry: true,\n"
                                    "             early_data_accepted: false}}\n");
}

static void test_key_update_passes(void **state) {
    (void)state;
    expect_pass(HEAD("t.key_update") "steps:\n"
                                     "  - handshake: complete\n"
                                     "  - send: key_update\n"
                                     "    set: {request_update: 1}\n"
                                     "  - send: application_data\n"
                                     "    data: after\n"
                                     "  - expect: key_update\n"
                                     "  - expect: {application_data: after}\n");
}

static void test_post_handshake_auth_passes(void **state) {
    (void)state;
    /* BoringSSL's client does not offer post_handshake_auth. */
    expect_verdict_on("self",
                      HEAD("t.pha") "config:\n"
                                    "  post_handshake_auth: true\n"
                                    "peer:\n"
                                    "  certificate: client-ecdsa-p256\n"
                                    "steps:\n"
                                    "  - handshake: complete\n"
                                    "  - send: certificate_request\n"
                                    "  - expect: certificate\n"
                                    "  - expect: certificate_verify\n"
                                    "  - expect: finished\n"
                                    "  - send: application_data\n"
                                    "    data: x\n"
                                    "  - expect: {application_data: x}\n",
                      TH_EP_PASS, NULL);
}

/* ---- deviations: the client must answer with the RFC's alert -------------- */

static void test_server_hello_unoffered_suite_is_illegal_parameter(void **state) {
    (void)state;
    /* RFC 8446 §4.1.3: "A client which receives a cipher suite that was not
     * offered MUST abort the handshake with an "illegal_parameter" alert."
     * Neither client offers TLS_AES_128_CCM_SHA256. */
    expect_pass(HEAD("t.sh_suite") "steps:\n"
                                   "  - expect: client_hello\n"
                                   "  - send: server_hello\n"
                                   "    set: {cipher_suite: 0x1304}\n"
                                   "  - expect: {alert: illegal_parameter}\n"
                                   "  - expect: close\n");
}

static void test_session_id_mismatch_is_illegal_parameter(void **state) {
    (void)state;
    /* RFC 8446 §4.1.3: "A client which receives a legacy_session_id_echo
     * field that does not match what it sent in the ClientHello MUST abort
     * the handshake with an "illegal_parameter" alert." BoringSSL (API 17)
     * sends decode_error: a divergence for the expectations file. */
    static const char kYaml[] =
        HEAD("t.sh_sid") "config:\n"
                         "  middlebox_compat: true\n"
                         "steps:\n"
                         "  - expect: client_hello\n"
                         "  - send: server_hello\n"
                         "    set: {session_id: "
                         "\"0000000000000000000000000000000000000000000000000000000000000000\"}\n"
                         "  - expect: {alert: illegal_parameter}\n";
    expect_verdict_on("self", kYaml, TH_EP_PASS, NULL);
    expect_verdict_on("boringssl", kYaml, TH_EP_FAIL, "decode_error");
}

static void test_flipped_finished_is_decrypt_error(void **state) {
    (void)state;
    expect_pass(HEAD("t.fin_flip") "steps:\n"
                                   "  - handshake: {until: finished}\n"
                                   "  - send: finished\n"
                                   "    flip: {part: verify_data, bit: 3}\n"
                                   "  - expect: {alert: decrypt_error}\n");
}

static void test_flipped_signature_is_decrypt_error(void **state) {
    (void)state;
    expect_pass(HEAD("t.cv_flip") "steps:\n"
                                  "  - handshake: {until: certificate_verify}\n"
                                  "  - send: certificate_verify\n"
                                  "    flip: {part: signature, bit: 100}\n"
                                  "  - expect: {alert: decrypt_error}\n");
    /* RFC 8446 §4.4.3: the client context string does not verify. */
    expect_pass(HEAD("t.cv_client_context") "steps:\n"
                                            "  - handshake: {until: certificate_verify}\n"
                                            "  - send: certificate_verify\n"
                                            "    set: {context: client}\n"
                                            "  - expect: {alert: decrypt_error}\n");
}

static void test_empty_certificate_is_decode_error(void **state) {
    (void)state;
    /* RFC 8446 §4.4.2.4: "If the server supplies an empty Certificate
     * message, the client MUST abort the handshake with a "decode_error"
     * alert." BoringSSL sends certificate_required instead (a divergence
     * for the expectations file, not the endpoint's). */
    static const char kYaml[] = HEAD("t.crt_empty") "steps:\n"
                                                    "  - handshake: {until: certificate}\n"
                                                    "  - send: certificate\n"
                                                    "    set: {chain: empty}\n"
                                                    "  - expect: {alert: decode_error}\n";
    expect_verdict_on("self", kYaml, TH_EP_PASS, NULL);
    expect_verdict_on("boringssl", kYaml, TH_EP_FAIL, "certificate_required");
}

static void test_unknown_ca_certificate_is_refused(void **state) {
    (void)state;
    /* BoringSSL verifies the chain once CertificateVerify is in, so both
     * are sent; the CertificateVerify is signed with that chain's key. */
    expect_pass(HEAD("t.crt_unknown_ca") "steps:\n"
                                         "  - handshake: {until: certificate}\n"
                                         "  - send: certificate\n"
                                         "    set: {chain: bad-unknown-ca}\n"
                                         "  - send: certificate_verify\n"
                                         "  - expect: {alert: unknown_ca}\n");
}

static void test_missing_certificate_verify_is_unexpected_message(void **state) {
    (void)state;
    expect_pass(
        HEAD("t.cv_missing") "steps:\n"
                             "  - handshake: {until: finished, skip: [certificate_verify]}\n"
                             "  - send: finished\n"
                             "  - expect: {alert: unexpected_message}\n");
}

static void test_encrypted_extensions_with_key_share_is_illegal_parameter(void **state) {
    (void)state;
    expect_pass(
        HEAD("t.ee_key_share") "steps:\n"
                               "  - handshake: {until: encrypted_extensions}\n"
                               "  - send: encrypted_extensions\n"
                               "    add_extensions: [{type: key_share, body: \"001d\"}]\n"
                               "  - expect: {alert: [illegal_parameter, unsupported_extension]}\n");
}

static void test_hrr_without_change_is_illegal_parameter(void **state) {
    (void)state;
    /* RFC 8446 §4.1.4: an HRR that would not change the ClientHello. */
    expect_pass(HEAD("t.hrr_no_change") "steps:\n"
                                        "  - expect: client_hello\n"
                                        "  - send: hello_retry_request\n"
                                        "    remove_extensions: [key_share]\n"
                                        "  - expect: {alert: illegal_parameter}\n");
    /* RFC 8446 §4.2.8: selected_group already in the first key_share. */
    expect_pass(HEAD("t.hrr_same_group") "steps:\n"
                                         "  - expect: client_hello\n"
                                         "  - send: hello_retry_request\n"
                                         "    set: {selected_group: x25519}\n"
                                         "  - expect: {alert: illegal_parameter}\n");
}

static void test_early_data_from_server_is_unexpected_message(void **state) {
    (void)state;
    expect_pass(HEAD("t.server_eoed") "steps:\n"
                                      "  - handshake: complete\n"
                                      "  - send: end_of_early_data\n"
                                      "  - expect: {alert: unexpected_message}\n");
}

static void test_unsolicited_certificate_entry_extension_is_refused(void **state) {
    (void)state;
    /* RFC 8446 §4.4.2: "Extensions in the Certificate message from the
     * server MUST correspond to ones from the ClientHello message." */
    expect_pass(HEAD(
        "t.crt_entry_ext") "steps:\n"
                           "  - handshake: {until: certificate}\n"
                           "  - send: certificate\n"
                           "    add_extensions: [{type: status_request, body: \"0100000100\"}]\n"
                           "  - expect: {alert: unsupported_extension}\n");
}

static void test_certificate_request_in_psk_handshake_is_unexpected(void **state) {
    (void)state;
    /* RFC 8446 §4.3.2: "Servers which are authenticating with a PSK MUST
     * NOT send the CertificateRequest message in the main handshake". */
    expect_pass(HEAD("t.cr_psk") "config:\n"
                                 "  resume: true\n"
                                 "steps:\n"
                                 "  - handshake: {until: finished}\n"
                                 "  - send: certificate_request\n"
                                 "  - send: finished\n"
                                 "  - expect: {alert: unexpected_message}\n");
}

static void test_psk_ke_resumption_passes(void **state) {
    (void)state;
    /* RFC 8446 §4.2.9: psk_ke, no key_share in our ServerHello. */
    expect_verdict_on("self",
                      HEAD("t.psk_ke") "config:\n"
                                       "  resume: true\n"
                                       "  psk_ke: true\n"
                                       "steps:\n"
                                       "  - handshake: complete\n"
                                       "  - expect: {negotiated: {resumed: true}}\n"
                                       "  - send: application_data\n"
                                       "    data: x\n"
                                       "  - expect: {application_data: x}\n",
                      TH_EP_PASS, NULL);
}

static void test_second_hrr_is_unexpected_message(void **state) {
    (void)state;
    expect_pass(
        HEAD("t.hrr_twice") "config:\n"
                            "  groups: [x25519, secp256r1]\n"
                            "peer:\n"
                            "  groups: [secp256r1, x25519]\n"
                            "steps:\n"
                            "  - handshake: {until: server_hello}\n"
                            "  - send: hello_retry_request\n"
                            "    set: {selected_group: secp384r1}\n"
                            "  - expect: {alert: [unexpected_message, illegal_parameter]}\n");
}

static void test_post_handshake_auth_declined_passes(void **state) {
    (void)state;
    /* RFC 8446 §4.6.2: a client without a certificate declines with an
     * empty Certificate and Finished. */
    expect_verdict_on("self",
                      HEAD("t.pha_declined") "config:\n"
                                             "  post_handshake_auth: true\n"
                                             "steps:\n"
                                             "  - handshake: complete\n"
                                             "  - send: certificate_request\n"
                                             "  - expect: certificate\n"
                                             "  - expect: finished\n"
                                             "  - send: application_data\n"
                                             "    data: x\n"
                                             "  - expect: {application_data: x}\n",
                      TH_EP_PASS, NULL);
    /* BoringSSL never offers post_handshake_auth (RFC 8446 §4.6.2:
     * unexpected_message for a CertificateRequest without it). */
    expect_verdict_on("boringssl",
                      HEAD("t.cr_without_pha") "steps:\n"
                                               "  - handshake: complete\n"
                                               "  - send: certificate_request\n"
                                               "  - expect: {alert: unexpected_message}\n",
                      TH_EP_PASS, NULL);
}

static void test_ticket_with_unknown_extension_is_ignored(void **state) {
    (void)state;
    /* RFC 8446 §4.6.1: "Clients MUST ignore unrecognized extensions." */
    expect_pass(HEAD("t.nst_unknown_ext") "steps:\n"
                                          "  - handshake: complete\n"
                                          "  - send: new_session_ticket\n"
                                          "    add_extensions: [{type: 0x4242, body: \"00\"}]\n"
                                          "  - send: application_data\n"
                                          "    data: x\n"
                                          "  - expect: {application_data: x}\n");
}

/* ---- the endpoint can say no ---------------------------------------------- */

static void test_wrong_expectations_fail(void **state) {
    (void)state;
    expect_verdict(HEAD("t.fail_negotiated") "steps:\n"
                                             "  - handshake: complete\n"
                                             "  - expect: {negotiated: {cipher_suite: "
                                             "TLS_AES_256_GCM_SHA384}}\n",
                   TH_EP_FAIL, "step 2");
    /* The client aborts on the flipped Finished: no echo comes. */
    expect_verdict(HEAD("t.fail_after_flip") "steps:\n"
                                             "  - handshake: {until: finished}\n"
                                             "  - send: finished\n"
                                             "    flip: {part: verify_data, bit: 0}\n"
                                             "  - send: application_data\n"
                                             "    data: x\n"
                                             "  - expect: {application_data: x}\n",
                   TH_EP_FAIL, "decrypt_error");
    expect_verdict(HEAD("t.fail_alert") "steps:\n"
                                        "  - expect: client_hello\n"
                                        "  - send: server_hello\n"
                                        "    set: {cipher_suite: 0x1304}\n"
                                        "  - expect: {alert: decode_error}\n",
                   TH_EP_FAIL, "illegal_parameter");
}

static void test_missing_certificate_is_an_error(void **state) {
    (void)state;
    expect_verdict(HEAD("t.no_cert") "steps:\n"
                                     "  - handshake: {until: certificate}\n"
                                     "  - send: certificate\n"
                                     "    set: {chain: no-such-certificate}\n",
                   TH_EP_ERROR, NULL);
}

/* ---- state kept right around deviations ------------------------------------ */

/* A second ServerHello after EncryptedExtensions, kept out of the
 * transcript or not: our handshake keys stay, so the client's alert under
 * its real handshake keys is read. */
static void test_server_hello_twice_keeps_keys(void **state) {
    (void)state;
    expect_pass(HEAD("t.sh_twice") "steps:\n"
                                   "  - handshake: {until: certificate}\n"
                                   "  - send: server_hello\n"
                                   "    no_transcript: true\n"
                                   "  - expect: {alert: unexpected_message}\n"
                                   "  - expect: close\n");
    expect_pass(HEAD("t.sh_twice_in_transcript") "steps:\n"
                                                 "  - handshake: {until: certificate}\n"
                                                 "  - send: server_hello\n"
                                                 "  - expect: {alert: unexpected_message}\n"
                                                 "  - expect: close\n");
}

/* RFC 8446 §4.2.10: after our HelloRetryRequest the client's 0-RTT records
 * are skipped ("skipping all records with an external content type of
 * application_data"), and the plaintext ClientHello2 is read. */
static void test_hrr_skips_the_rejected_early_data(void **state) {
    (void)state;
    expect_pass(HEAD("t.hrr_0rtt") "config: {resume: true, max_early_data: 16384, early_data: "
                                   "\"early bytes\", groups: [x25519, secp256r1], key_shares: "
                                   "[x25519]}\n"
                                   "steps:\n"
                                   "  - expect: {message: client_hello, extensions_present: "
                                   "[early_data]}\n"
                                   "  - send: hello_retry_request\n"
                                   "    set: {selected_group: secp256r1}\n"
                                   "  - expect: {message: client_hello, extensions_absent: "
                                   "[early_data]}\n"
                                   "  - handshake: complete\n"
                                   "  - expect: {negotiated: {hello_retry: true, "
                                   "early_data_accepted: false}}\n");
}

/* A TLS 1.2 ServerHello after accepted 0-RTT (RFC 8446 §D.3): the client's
 * alert, in plaintext or under its early keys, is read. */
static void test_tls12_reply_to_early_data_reads_the_alert(void **state) {
    (void)state;
    expect_pass(HEAD("t.0rtt_tls12") "config: {resume: true, max_early_data: 16384, early_data: "
                                     "\"early bytes\"}\n"
                                     "steps:\n"
                                     "  - expect: {message: client_hello, extensions_present: "
                                     "[early_data]}\n"
                                     "  - expect: {application_data: \"early bytes\"}\n"
                                     "  - send: server_hello\n"
                                     "    set: {legacy_version: tls1.2, cipher_suite: "
                                     "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256}\n"
                                     "    remove_extensions: [supported_versions, key_share, "
                                     "pre_shared_key]\n"
                                     "  - expect: {alert: [protocol_version, illegal_parameter]}\n"
                                     "  - expect: close\n");
}

/* RFC 8446 §4.6.3: "Both sender and receiver MUST encrypt their KeyUpdate
 * messages with the old keys": our KeyUpdate under the N+1 keys it
 * announces (`record: {epoch: next}`) does not open at the client. */
static void test_key_update_under_next_keys_is_bad_record_mac(void **state) {
    (void)state;
    expect_pass(HEAD("t.ku_next") "steps:\n"
                                  "  - handshake: complete\n"
                                  "  - send: key_update\n"
                                  "    record: {epoch: next}\n"
                                  "  - expect: {alert: bad_record_mac}\n"
                                  "  - expect: close\n");
}

/* RFC 8446 §4.2.10: 0-RTT is accepted only with the ticket's ALPN
 * protocol, which the ticket keeps from the connection that issued it. */
static void test_early_data_with_the_tickets_alpn_is_accepted(void **state) {
    (void)state;
    expect_pass(HEAD("t.0rtt_alpn") "config: {resume: true, max_early_data: 16384, early_data: "
                                    "early, alpn: [h2]}\n"
                                    "steps:\n"
                                    "  - handshake: complete\n"
                                    "  - expect: {negotiated: {resumed: true, alpn: h2, "
                                    "early_data_accepted: true}}\n"
                                    "  - expect: {application_data: early}\n");
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_default_handshake_passes),
        cmocka_unit_test(test_keylog_and_transcript_are_filled),
        cmocka_unit_test(test_explicit_steps_pass),
        cmocka_unit_test(test_suites_groups_and_alpn_pass),
        cmocka_unit_test(test_rsa_certificate_passes),
        cmocka_unit_test(test_hello_retry_request_passes),
        cmocka_unit_test(test_hello_retry_request_cookie_is_echoed),
        cmocka_unit_test(test_middlebox_compat_passes),
        cmocka_unit_test(test_client_auth_passes),
        cmocka_unit_test(test_optional_client_auth_without_certificate_passes),
        cmocka_unit_test(test_required_client_auth_without_certificate_fails),
        cmocka_unit_test(test_untrusted_client_certificate_fails),
        cmocka_unit_test(test_resumption_passes),
        cmocka_unit_test(test_resumption_with_hrr_passes),
        cmocka_unit_test(test_early_data_accepted_passes),
        cmocka_unit_test(test_early_data_rejected_passes),
        cmocka_unit_test(test_key_update_passes),
        cmocka_unit_test(test_post_handshake_auth_passes),
        cmocka_unit_test(test_server_hello_unoffered_suite_is_illegal_parameter),
        cmocka_unit_test(test_session_id_mismatch_is_illegal_parameter),
        cmocka_unit_test(test_flipped_finished_is_decrypt_error),
        cmocka_unit_test(test_flipped_signature_is_decrypt_error),
        cmocka_unit_test(test_empty_certificate_is_decode_error),
        cmocka_unit_test(test_unknown_ca_certificate_is_refused),
        cmocka_unit_test(test_missing_certificate_verify_is_unexpected_message),
        cmocka_unit_test(test_encrypted_extensions_with_key_share_is_illegal_parameter),
        cmocka_unit_test(test_hrr_without_change_is_illegal_parameter),
        cmocka_unit_test(test_early_data_from_server_is_unexpected_message),
        cmocka_unit_test(test_unsolicited_certificate_entry_extension_is_refused),
        cmocka_unit_test(test_certificate_request_in_psk_handshake_is_unexpected),
        cmocka_unit_test(test_psk_ke_resumption_passes),
        cmocka_unit_test(test_second_hrr_is_unexpected_message),
        cmocka_unit_test(test_post_handshake_auth_declined_passes),
        cmocka_unit_test(test_ticket_with_unknown_extension_is_ignored),
        cmocka_unit_test(test_wrong_expectations_fail),
        cmocka_unit_test(test_missing_certificate_is_an_error),
        cmocka_unit_test(test_server_hello_twice_keeps_keys),
        cmocka_unit_test(test_hrr_skips_the_rejected_early_data),
        cmocka_unit_test(test_tls12_reply_to_early_data_reads_the_alert),
        cmocka_unit_test(test_key_update_under_next_keys_is_bad_record_mac),
        cmocka_unit_test(test_early_data_with_the_tickets_alpn_is_accepted),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
