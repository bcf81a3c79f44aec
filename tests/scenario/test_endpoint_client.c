/* The scripted endpoint's client role (ep_client.c) and core (ep_core.c,
 * ep_record.c, ep_expect.c, ep_transcript.c) against the `self` and
 * `boringssl` peers: scenarios loaded from YAML in memory, each send
 * modifier and expectation kind at least once, and scenarios built to fail
 * must be reported as failures naming what was expected and what came. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "conn.h"
#include "endpoint.h"
#include "load.h"
#include "peer.h"
#include "x509.h"

#define PKI_DIR TH_SOURCE_DIR "/scenarios/pki"

static const char *const kPeers[] = {"self", "boringssl"};

/* Runs the single scenario of |yaml| against |peer_spec| and returns the
 * outcome (caller cleans up). */
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

static void expect_verdict(const char *yaml, th_ep_verdict want) {
    for (size_t i = 0; i < sizeof(kPeers) / sizeof(kPeers[0]); i++) {
        th_ep_outcome out = run_on(yaml, kPeers[i]);
        if (out.verdict != want) {
            fprintf(stderr, "[%s] verdict %d, wanted %d: %s\n--- transcript\n%s\n", kPeers[i],
                    out.verdict, want, out.message ? out.message : "(no message)",
                    out.transcript ? out.transcript : "");
        }
        assert_int_equal(out.verdict, want);
        if (getenv("TH_TEST_VERBOSE") != NULL) {
            fprintf(stderr, "[%s] transcript:\n%s\nkeylog:\n%s\n", kPeers[i],
                    out.transcript ? out.transcript : "", out.keylog ? out.keylog : "");
        }
        th_ep_outcome_cleanup(&out);
    }
}

#define PASSES(yaml) expect_verdict(yaml, TH_EP_PASS)

/* A scenario designed to fail must fail, naming the step, what it expected
 * and what came. */
static void fails_naming(const char *yaml) {
    for (size_t i = 0; i < sizeof(kPeers) / sizeof(kPeers[0]); i++) {
        th_ep_outcome out = run_on(yaml, kPeers[i]);
        if (out.verdict != TH_EP_FAIL) {
            fprintf(stderr, "[%s] verdict %d: %s\n%s\n", kPeers[i], out.verdict,
                    out.message ? out.message : "", out.transcript ? out.transcript : "");
        }
        assert_int_equal(out.verdict, TH_EP_FAIL);
        assert_non_null(out.message);
        assert_non_null(strstr(out.message, "step "));
        assert_non_null(strstr(out.message, "test.yaml:"));
        assert_non_null(strstr(out.message, "expected "));
        assert_non_null(strstr(out.message, ", got "));
        assert_non_null(out.transcript);
        if (getenv("TH_TEST_VERBOSE") != NULL) {
            fprintf(stderr, "[%s] %s\n", kPeers[i], out.message);
        }
        th_ep_outcome_cleanup(&out);
    }
}

#define FAILS(yaml) fails_naming(yaml)

#define HEAD(id) "id: t." id "\ntitle: t\nrfc: {doc: \"8446\", section: \"4\"}\nrole: client\n"

static void test_default_handshake_passes(void **state) {
    (void)state;
    PASSES(HEAD("default") "steps:\n"
                           "  - handshake: complete\n"
                           "  - expect: established\n"
                           "  - expect: {negotiated: {version: tls1.3, resumed: false}}\n");
}

static void test_app_data_echo(void **state) {
    (void)state;
    PASSES(HEAD("app_data_echo") "steps:\n"
                                 "  - handshake: complete\n"
                                 "  - send: application_data\n"
                                 "    data: hello\n"
                                 "  - expect: {application_data: hello}\n");
}

static void test_close_notify_answered(void **state) {
    (void)state;
    PASSES(HEAD("close_notify_answered") "steps:\n"
                                         "  - handshake: complete\n"
                                         "  - send: close_notify\n"
                                         "  - any_of:\n"
                                         "      - [{expect: {alert: close_notify, level: "
                                         "warning}}, {expect: close}]\n"
                                         "      - [{expect: close}]\n");
}

static void test_removed_key_share_is_missing_extension(void **state) {
    (void)state;
    PASSES(
        HEAD("removed_key_share_is_missing_extension") "steps:\n"
                                                       "  - send: client_hello\n"
                                                       "    remove_extensions: [key_share]\n"
                                                       "  - expect: {alert: missing_extension}\n");
}

static void test_wrong_alert_is_reported_as_fail(void **state) {
    (void)state;
    FAILS(HEAD("wrong_alert_is_reported_as_fail") "steps:\n"
                                                  "  - send: client_hello\n"
                                                  "    remove_extensions: [key_share]\n"
                                                  "  - expect: {alert: decode_error}\n");
    for (size_t i = 0; i < sizeof(kPeers) / sizeof(kPeers[0]); i++) {
        th_ep_outcome out = run_on(HEAD("wrong_alert") "steps:\n"
                                                       "  - send: client_hello\n"
                                                       "    remove_extensions: [key_share]\n"
                                                       "  - expect: {alert: decode_error}\n",
                                   kPeers[i]);
        assert_int_equal(out.verdict, TH_EP_FAIL);
        assert_int_equal(out.failed_step, 2);
        assert_int_equal(out.step_loc.line, 8);
        assert_true(out.got_alert);
        assert_int_equal(out.alert, 109); /* missing_extension */
        assert_non_null(strstr(out.expected, "decode_error"));
        assert_non_null(strstr(out.got, "missing_extension"));
        assert_non_null(strstr(out.message, "step 2 (expect alert at test.yaml:8:5)"));
        assert_non_null(strstr(out.transcript, "-> [plaintext] handshake client_hello"));
        assert_non_null(strstr(out.transcript, "<- [plaintext] alert fatal missing_extension"));
        th_ep_outcome_cleanup(&out);
    }
}

static void test_hrr_to_secp384r1(void **state) {
    (void)state;
    PASSES(
        HEAD("hrr_to_secp384r1") "config:\n"
                                 "  groups: [x25519, secp384r1]\n"
                                 "  key_shares: [x25519]\n"
                                 "peer:\n"
                                 "  groups: [secp384r1]\n"
                                 "steps:\n"
                                 "  - handshake: complete\n"
                                 "  - expect: {negotiated: {group: secp384r1, hello_retry: true}}\n"
                                 "  - send: application_data\n"
                                 "    data: after hrr\n"
                                 "  - expect: {application_data: after hrr}\n");
}

static void test_resumption(void **state) {
    (void)state;
    PASSES(HEAD("resumption") "config:\n"
                              "  resume: true\n"
                              "steps:\n"
                              "  - handshake: complete\n"
                              "  - expect: {negotiated: {resumed: true}}\n"
                              "  - send: application_data\n"
                              "    data: resumed\n"
                              "  - expect: {application_data: resumed}\n");
}

static void test_client_auth(void **state) {
    (void)state;
    PASSES(HEAD("client_auth") "config:\n"
                               "  client_auth: require\n"
                               "  certificate: client-ecdsa-p256\n"
                               "peer:\n"
                               "  certificate: server-ecdsa-p256\n"
                               "steps:\n"
                               "  - send: client_hello\n"
                               "  - expect: server_hello\n"
                               "  - expect: encrypted_extensions\n"
                               "  - expect: certificate_request\n"
                               "  - handshake: complete\n"
                               "  - send: application_data\n"
                               "    data: authed\n"
                               "  - expect: {application_data: authed}\n");
}

static void test_key_update_requested(void **state) {
    (void)state;
    PASSES(HEAD("key_update_requested") "steps:\n"
                                        "  - handshake: complete\n"
                                        "  - send: key_update\n"
                                        "    set: {request_update: 1}\n"
                                        "  - expect: key_update\n"
                                        "  - send: application_data\n"
                                        "    data: updated\n"
                                        "  - expect: {application_data: updated}\n");
}

static void test_flipped_finished_is_decrypt_error(void **state) {
    (void)state;
    PASSES(HEAD("flipped_finished_is_decrypt_error") "steps:\n"
                                                     "  - handshake: {until: finished}\n"
                                                     "  - send: finished\n"
                                                     "    flip: {part: verify_data, bit: 3}\n"
                                                     "  - expect: {alert: decrypt_error}\n");
}

static void test_expect_nothing_after_handshake(void **state) {
    (void)state;
    PASSES(HEAD("expect_nothing_after_handshake") "steps:\n"
                                                  "  - handshake: complete\n"
                                                  "  - expect: {nothing: 20}\n");
}

static void test_server_hello_fields(void **state) {
    (void)state;
    PASSES(HEAD("server_hello_fields") "steps:\n"
                                       "  - send: client_hello\n"
                                       "    set: {cipher_suites: [TLS_AES_256_GCM_SHA384]}\n"
                                       "  - expect: {message: server_hello, fields: {cipher_suite: "
                                       "TLS_AES_256_GCM_SHA384, selected_version: tls1.3}, "
                                       "extensions_present: [key_share], extensions_absent: "
                                       "[pre_shared_key]}\n"
                                       "  - handshake: complete\n"
                                       "  - expect: {negotiated: {cipher_suite: "
                                       "TLS_AES_256_GCM_SHA384}}\n");
}

static void test_server_hello_wrong_field_fails(void **state) {
    (void)state;
    FAILS(HEAD(
        "server_hello_wrong_field_fails") "steps:\n"
                                          "  - send: client_hello\n"
                                          "    set: {cipher_suites: [TLS_AES_256_GCM_SHA384]}\n"
                                          "  - expect: {message: server_hello, fields: "
                                          "{cipher_suite: TLS_AES_128_GCM_SHA256}}\n");
}

/* random_suffix checks the last bytes of ServerHello.random: the RFC 8446
 * §4.1.3 sentinel of a 1.3-capable server negotiating TLS 1.2 is there, and
 * a TLS 1.3 ServerHello's random does not end with it. */
static void test_random_suffix_downgrade_sentinel(void **state) {
    (void)state;
    PASSES(HEAD("random_suffix") "config: {versions: [tls1.2]}\n"
                                 "peer: {versions: [tls1.2, tls1.3]}\n"
                                 "steps:\n"
                                 "  - send: client_hello\n"
                                 "    set: {cipher_suites: "
                                 "[TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256]}\n"
                                 "    remove_extensions: [supported_versions]\n"
                                 "  - expect: {message: server_hello, fields: {random_suffix: "
                                 "\"444f574e47524401\"}}\n");
    FAILS(HEAD("random_suffix_13") "steps:\n"
                                   "  - send: client_hello\n"
                                   "  - expect: {message: server_hello, fields: {random_suffix: "
                                   "\"444f574e47524401\"}}\n");
}

static void test_unknown_record_type_is_unexpected_message(void **state) {
    (void)state;
    PASSES(HEAD(
        "unknown_record_type_is_unexpected_message") "steps:\n"
                                                     "  - handshake: complete\n"
                                                     "  - send: record\n"
                                                     "    content_type: 0x42\n"
                                                     "    data_hex: \"0102\"\n"
                                                     "  - expect: {alert: unexpected_message}\n");
}

static void test_fragmented_client_hello(void **state) {
    (void)state;
    PASSES(HEAD("fragmented_client_hello") "steps:\n"
                                           "  - send: client_hello\n"
                                           "    record: {fragment: 7}\n"
                                           "  - handshake: complete\n");
}

static void test_coalesced_application_data(void **state) {
    (void)state;
    PASSES(HEAD("coalesced_application_data") "steps:\n"
                                              "  - handshake: complete\n"
                                              "  - send: application_data\n"
                                              "    data: ab\n"
                                              "    record: {coalesce: true}\n"
                                              "  - send: application_data\n"
                                              "    data: cd\n"
                                              "  - expect: {application_data: abcd}\n");
}

static void test_padded_application_data(void **state) {
    (void)state;
    PASSES(HEAD("padded_application_data") "steps:\n"
                                           "  - handshake: complete\n"
                                           "  - send: application_data\n"
                                           "    data: pad\n"
                                           "    record: {padding: 100}\n"
                                           "  - expect: {application_data: pad}\n");
}

static void test_pad_byte_makes_an_unknown_inner_type(void **state) {
    (void)state;
    PASSES(
        HEAD("pad_byte_makes_an_unknown_inner_type") "steps:\n"
                                                     "  - handshake: complete\n"
                                                     "  - send: application_data\n"
                                                     "    data: pad\n"
                                                     "    record: {padding: 3, pad_byte: 0x42}\n"
                                                     "  - expect: {alert: unexpected_message}\n");
}

static void test_handshake_epoch_after_established_is_bad_record_mac(void **state) {
    (void)state;
    PASSES(HEAD(
        "handshake_epoch_after_established_is_bad_record_mac") "steps:\n"
                                                               "  - handshake: complete\n"
                                                               "  - send: application_data\n"
                                                               "    data: x\n"
                                                               "    record: {epoch: handshake}\n"
                                                               "  - expect: {alert: "
                                                               "bad_record_mac}\n");
}

static void test_ccs_after_handshake_is_unexpected_message(void **state) {
    (void)state;
    PASSES(HEAD(
        "ccs_after_handshake_is_unexpected_message") "steps:\n"
                                                     "  - handshake: complete\n"
                                                     "  - send: change_cipher_spec\n"
                                                     "  - expect: {alert: [unexpected_message, "
                                                     "bad_record_mac]}\n");
}

static void test_compat_mode_ccs_from_server(void **state) {
    (void)state;
    PASSES(HEAD("compat_mode_ccs_from_server") "config:\n"
                                               "  middlebox_compat: true\n"
                                               "steps:\n"
                                               "  - send: client_hello\n"
                                               "  - expect: server_hello\n"
                                               "  - expect: change_cipher_spec\n"
                                               "  - handshake: complete\n");
}

static void test_repeat_echo(void **state) {
    (void)state;
    PASSES(HEAD("repeat_echo") "steps:\n"
                               "  - handshake: complete\n"
                               "  - repeat:\n"
                               "      count: 3\n"
                               "      steps:\n"
                               "        - send: application_data\n"
                               "          data: again\n"
                               "        - expect: {application_data: again}\n");
}

static void test_tag_flip_is_bad_record_mac(void **state) {
    (void)state;
    PASSES(HEAD("tag_flip_is_bad_record_mac") "steps:\n"
                                              "  - handshake: complete\n"
                                              "  - send: application_data\n"
                                              "    data: x\n"
                                              "    flip: {part: tag, bit: 0}\n"
                                              "  - expect: {alert: bad_record_mac}\n");
}

static void test_ciphertext_flip_is_bad_record_mac(void **state) {
    (void)state;
    PASSES(HEAD("ciphertext_flip_is_bad_record_mac") "steps:\n"
                                                     "  - handshake: complete\n"
                                                     "  - send: application_data\n"
                                                     "    data: xyz\n"
                                                     "    flip: {part: ciphertext, bit: 1}\n"
                                                     "  - expect: {alert: bad_record_mac}\n");
}

static void test_oversize_record_is_record_overflow(void **state) {
    (void)state;
    PASSES(HEAD("oversize_record_is_record_overflow") "steps:\n"
                                                      "  - handshake: complete\n"
                                                      "  - send: application_data\n"
                                                      "    fill: 16385\n"
                                                      "    record: {fragment: 16385}\n"
                                                      "  - expect: {alert: record_overflow}\n");
}

static void test_zero_length_application_data_is_fine(void **state) {
    (void)state;
    PASSES(HEAD("zero_length_application_data_is_fine") "steps:\n"
                                                        "  - handshake: complete\n"
                                                        "  - send: application_data\n"
                                                        "    data: \"\"\n"
                                                        "  - send: application_data\n"
                                                        "    data: after\n"
                                                        "  - expect: {application_data: after}\n");
}

static void test_plaintext_finished_is_refused(void **state) {
    (void)state;
    PASSES(HEAD("plaintext_finished_is_refused") "steps:\n"
                                                 "  - handshake: {until: finished}\n"
                                                 "  - send: finished\n"
                                                 "    record: {plaintext: true}\n"
                                                 "  - expect: {alert: [unexpected_message, "
                                                 "decode_error, bad_record_mac]}\n");
}

static void test_truncated_client_hello_is_decode_error(void **state) {
    (void)state;
    PASSES(HEAD("truncated_client_hello_is_decode_error") "steps:\n"
                                                          "  - send: client_hello\n"
                                                          "    truncate: 2\n"
                                                          "  - expect: {alert: decode_error}\n");
}

static void test_appended_byte_is_decode_error(void **state) {
    (void)state;
    PASSES(HEAD(
        "appended_byte_is_decode_error") "steps:\n"
                                         "  - handshake: {until: finished}\n"
                                         "  - send: finished\n"
                                         "    append: \"00\"\n"
                                         "  - expect: {alert: [decode_error, decrypt_error]}\n");
}

static void test_client_hello_twice_is_unexpected_message(void **state) {
    (void)state;
    PASSES(
        HEAD("client_hello_twice_is_unexpected_message") "steps:\n"
                                                         "  - send: client_hello\n"
                                                         "    times: 2\n"
                                                         "  - expect: server_hello\n"
                                                         "  - any_of:\n"
                                                         "      - [{expect: {alert: "
                                                         "[unexpected_message, bad_record_mac]}}]\n"
                                                         "      - [{expect: encrypted_extensions}, "
                                                         "{expect: certificate}, {expect: "
                                                         "certificate_verify}, {expect: finished}, "
                                                         "{expect: {alert: [unexpected_message, "
                                                         "bad_record_mac]}}]\n");
}

static void test_raw_garbage_is_refused(void **state) {
    (void)state;
    PASSES(HEAD("raw_garbage_is_refused") "steps:\n"
                                          "  - send: raw\n"
                                          "    data_hex: \"ff030300020000\"\n"
                                          "  - any_of:\n"
                                          "      - [{expect: {alert: [decode_error, "
                                          "unexpected_message, protocol_version]}}]\n"
                                          "      - [{expect: close}]\n");
}

static void test_outer_type_override_is_refused(void **state) {
    (void)state;
    PASSES(HEAD("outer_type_override_is_refused") "steps:\n"
                                                  "  - handshake: complete\n"
                                                  "  - send: application_data\n"
                                                  "    data: x\n"
                                                  "    record: {outer_type: 22}\n"
                                                  "  - expect: {alert: [unexpected_message, "
                                                  "decode_error]}\n");
}

static void test_message_type_override(void **state) {
    (void)state;
    PASSES(HEAD("message_type_override") "steps:\n"
                                         "  - handshake: {until: finished}\n"
                                         "  - send: finished\n"
                                         "    type: 99\n"
                                         "  - expect: {alert: unexpected_message}\n");
}

static void test_skip_finished_then_app_data_is_refused(void **state) {
    (void)state;
    PASSES(HEAD("skip_finished_then_app_data_is_refused") "steps:\n"
                                                          "  - handshake: {until: finished}\n"
                                                          "  - send: application_data\n"
                                                          "    data: early\n"
                                                          "    record: {epoch: application}\n"
                                                          "  - expect: {alert: [bad_record_mac, "
                                                          "unexpected_message]}\n");
}

static void test_early_data_accepted(void **state) {
    (void)state;
    PASSES(HEAD("early_data_accepted") "config:\n"
                                       "  resume: true\n"
                                       "  early_data: \"zero rtt\"\n"
                                       "  max_early_data: 16384\n"
                                       "steps:\n"
                                       "  - handshake: complete\n"
                                       "  - expect: {negotiated: {resumed: true, "
                                       "early_data_accepted: true}}\n");
}

static void test_flipped_binder_is_decrypt_error(void **state) {
    (void)state;
    PASSES(HEAD("flipped_binder_is_decrypt_error") "config:\n"
                                                   "  resume: true\n"
                                                   "steps:\n"
                                                   "  - send: client_hello\n"
                                                   "    flip: {part: binder, bit: 0}\n"
                                                   "  - expect: {alert: decrypt_error}\n");
}

static void test_duplicate_extension_is_refused(void **state) {
    (void)state;
    PASSES(HEAD("duplicate_extension_is_refused") "steps:\n"
                                                  "  - send: client_hello\n"
                                                  "    duplicate_extensions: [supported_groups]\n"
                                                  "  - expect: {alert: [decode_error, "
                                                  "illegal_parameter]}\n");
}

static void test_added_unknown_extension_is_ignored(void **state) {
    (void)state;
    PASSES(HEAD("added_unknown_extension_is_ignored") "steps:\n"
                                                      "  - send: client_hello\n"
                                                      "    add_extensions: [{type: 0x1234, body: "
                                                      "\"0102\", position: first}]\n"
                                                      "  - handshake: complete\n");
}

static void test_expected_message_but_got_alert_fails(void **state) {
    (void)state;
    FAILS(
        HEAD("expected_message_but_got_alert_fails") "steps:\n"
                                                     "  - send: client_hello\n"
                                                     "    remove_extensions: [supported_versions]\n"
                                                     "  - expect: server_hello\n");
}

static void test_version_override(void **state) {
    (void)state;
    PASSES(HEAD("version_override") "steps:\n"
                                    "  - send: client_hello\n"
                                    "    record: {version: 0x0301}\n"
                                    "  - handshake: complete\n");
}

static void test_psk_ke_resumption(void **state) {
    (void)state;
    const char *yaml =
        HEAD("psk_ke_resumption") "config:\n"
                                  "  resume: true\n"
                                  "  psk_ke: true\n"
                                  "steps:\n"
                                  "  - send: client_hello\n"
                                  "  - expect: {message: server_hello, extensions_absent: "
                                  "[key_share], extensions_present: [pre_shared_key]}\n"
                                  "  - handshake: complete\n"
                                  "  - expect: {negotiated: {resumed: true}}\n"
                                  "  - send: application_data\n"
                                  "    data: psk only\n"
                                  "  - expect: {application_data: psk only}\n";
    th_ep_outcome out = run_on(yaml, "self");
    if (out.verdict != TH_EP_PASS) {
        fprintf(stderr, "%s\n%s\n", out.message, out.transcript);
    }
    assert_int_equal(out.verdict, TH_EP_PASS);
    th_ep_outcome_cleanup(&out);
    /* BoringSSL supports psk_dhe_ke only (RFC 8446 §4.2.9 leaves the modes
     * to the server): a full handshake, so the pre_shared_key check fails. */
    out = run_on(yaml, "boringssl");
    assert_int_equal(out.verdict, TH_EP_FAIL);
    assert_non_null(strstr(out.message, "pre_shared_key"));
    th_ep_outcome_cleanup(&out);
}

static void test_established_before_handshake_fails(void **state) {
    (void)state;
    FAILS(HEAD("established_before_handshake_fails") "steps:\n"
                                                     "  - send: client_hello\n"
                                                     "  - expect: established\n");
}

static void test_fatal_alert_then_close(void **state) {
    (void)state;
    PASSES(HEAD("fatal_alert_then_close") "steps:\n"
                                          "  - handshake: {until: finished}\n"
                                          "  - send: alert\n"
                                          "    alert: decode_error\n"
                                          "  - expect: close\n");
}

static void test_unloadable_certificate_is_error(void **state) {
    (void)state;
    expect_verdict(
        HEAD("unloadable_certificate_is_error") "config:\n"
                                                "  client_auth: require\n"
                                                "steps:\n"
                                                "  - handshake: {until: certificate}\n"
                                                "  - send: certificate\n"
                                                "    set: {chain: no-such-certificate}\n",
        TH_EP_ERROR);
}

static void test_wrong_application_data_fails(void **state) {
    (void)state;
    FAILS(HEAD("wrong_application_data_fails") "steps:\n"
                                               "  - handshake: complete\n"
                                               "  - send: application_data\n"
                                               "    data: hello\n"
                                               "  - expect: {application_data: world}\n");
}

static void test_any_of_without_match_fails(void **state) {
    (void)state;
    FAILS(HEAD("any_of_without_match_fails") "steps:\n"
                                             "  - send: client_hello\n"
                                             "  - any_of:\n"
                                             "      - [{expect: {alert: decode_error}}]\n"
                                             "      - [{expect: close}]\n");
}

static void test_key_update_not_requested_keeps_data_flowing(void **state) {
    (void)state;
    PASSES(HEAD("key_update_not_requested_keeps_data_flowing") "steps:\n"
                                                               "  - handshake: complete\n"
                                                               "  - send: key_update\n"
                                                               "  - send: application_data\n"
                                                               "    data: after update\n"
                                                               "  - expect: {application_data: "
                                                               "after update}\n");
}

static void test_handshake_skip_certificate_verify_with_client_auth(void **state) {
    (void)state;
    PASSES(HEAD(
        "handshake_skip_certificate_verify_with_client_auth") "config:\n"
                                                              "  client_auth: require\n"
                                                              "  certificate: client-ecdsa-p256\n"
                                                              "peer:\n"
                                                              "  certificate: server-ecdsa-p256\n"
                                                              "steps:\n"
                                                              "  - handshake: {skip: "
                                                              "[certificate_verify]}\n"
                                                              "  - any_of:\n"
                                                              "      - [{expect: {alert: "
                                                              "[unexpected_message, decrypt_error, "
                                                              "certificate_required]}}]\n"
                                                              "      - [{expect: "
                                                              "new_session_ticket}]\n");
}

/* The key log has every secret, and our randomness comes from the seed: two
 * runs give the same client_random. */
static void test_keylog_and_determinism(void **state) {
    (void)state;
    const char *yaml = HEAD("keylog") "steps:\n"
                                      "  - handshake: complete\n";
    th_ep_outcome a = run_on(yaml, "self");
    th_ep_outcome b = run_on(yaml, "self");
    assert_int_equal(a.verdict, TH_EP_PASS);
    assert_non_null(strstr(a.keylog, "CLIENT_HANDSHAKE_TRAFFIC_SECRET "));
    assert_non_null(strstr(a.keylog, "SERVER_HANDSHAKE_TRAFFIC_SECRET "));
    assert_non_null(strstr(a.keylog, "CLIENT_TRAFFIC_SECRET_0 "));
    assert_non_null(strstr(a.keylog, "SERVER_TRAFFIC_SECRET_0 "));
    const char *ra = strchr(a.keylog, ' ');
    const char *rb = strchr(b.keylog, ' ');
    assert_non_null(ra);
    assert_non_null(rb);
    assert_memory_equal(ra, rb, 65);
    th_ep_outcome_cleanup(&a);
    th_ep_outcome_cleanup(&b);
}

static void test_record_length_override_is_refused(void **state) {
    (void)state;
    PASSES(HEAD("record_length_override_is_refused") "steps:\n"
                                                     "  - send: client_hello\n"
                                                     "    record: {length: 5}\n"
                                                     "  - any_of:\n"
                                                     "      - [{expect: {alert: [decode_error, "
                                                     "unexpected_message, record_overflow, "
                                                     "protocol_version]}}]\n"
                                                     "      - [{expect: {nothing: 20}}]\n"
                                                     "      - [{expect: close}]\n");
}

static void test_handshake_as_application_data_is_refused(void **state) {
    (void)state;
    PASSES(HEAD(
        "handshake_as_application_data_is_refused") "steps:\n"
                                                    "  - send: client_hello\n"
                                                    "    record: {content_type: application_data}\n"
                                                    "  - any_of:\n"
                                                    "      - [{expect: {alert: "
                                                    "[unexpected_message, decode_error]}}]\n"
                                                    "      - [{expect: close}]\n");
}

static void test_zero_length_handshake_record_is_refused(void **state) {
    (void)state;
    PASSES(
        HEAD("zero_length_handshake_record_is_refused") "steps:\n"
                                                        "  - handshake: complete\n"
                                                        "  - send: record\n"
                                                        "    content_type: handshake\n"
                                                        "    data_hex: \"\"\n"
                                                        "  - any_of:\n"
                                                        "      - [{expect: {alert: "
                                                        "[unexpected_message, decode_error]}}]\n"
                                                        /* BoringSSL counts empty records (its
                                                         * empty-record limit) rather than refusing
                                                         * them: RFC 8446 §5.1 binds the sender. */
                                                        "      - [{expect: {nothing: 20}}]\n");
}

static void test_flipped_client_signature_is_decrypt_error(void **state) {
    (void)state;
    PASSES(HEAD(
        "flipped_client_signature_is_decrypt_error") "config:\n"
                                                     "  client_auth: require\n"
                                                     "  certificate: client-ecdsa-p256\n"
                                                     "peer:\n"
                                                     "  certificate: server-ecdsa-p256\n"
                                                     "steps:\n"
                                                     "  - handshake: {until: certificate_verify}\n"
                                                     "  - send: certificate_verify\n"
                                                     "    flip: {part: signature, bit: 20}\n"
                                                     "  - expect: {alert: [decrypt_error, "
                                                     "decode_error, bad_certificate]}\n");
}

static void test_client_cv_with_unoffered_scheme(void **state) {
    (void)state;
    PASSES(HEAD("client_cv_with_unoffered_scheme") "config:\n"
                                                   "  client_auth: require\n"
                                                   "  certificate: client-ecdsa-p256\n"
                                                   "peer:\n"
                                                   "  certificate: server-ecdsa-p256\n"
                                                   "steps:\n"
                                                   "  - handshake: {until: certificate_verify}\n"
                                                   "  - send: certificate_verify\n"
                                                   "    set: {scheme: ecdsa_secp384r1_sha384}\n"
                                                   "  - expect: {alert: [illegal_parameter, "
                                                   "decrypt_error]}\n");
}

static void test_empty_client_certificate_when_required(void **state) {
    (void)state;
    PASSES(HEAD(
        "empty_client_certificate_when_required") "config:\n"
                                                  "  client_auth: require\n"
                                                  "peer:\n"
                                                  "  certificate: server-ecdsa-p256\n"
                                                  "steps:\n"
                                                  "  - handshake: complete\n"
                                                  "  - expect: {alert: certificate_required}\n");
}

static void test_psk_not_last_is_illegal_parameter(void **state) {
    (void)state;
    PASSES(HEAD("psk_not_last_is_illegal_parameter") "config:\n"
                                                     "  resume: true\n"
                                                     "steps:\n"
                                                     "  - send: client_hello\n"
                                                     "    move_extensions: [{type: pre_shared_key, "
                                                     "position: first}]\n"
                                                     "  - expect: {alert: [illegal_parameter, "
                                                     "decode_error]}\n");
}

static void test_replaced_supported_versions_without_tls13(void **state) {
    (void)state;
    PASSES(HEAD(
        "replaced_supported_versions_without_tls13") "steps:\n"
                                                     "  - send: client_hello\n"
                                                     "    replace_extensions: [{type: "
                                                     "supported_versions, body: \"020303\"}]\n"
                                                     "  - expect: {alert: protocol_version}\n");
}

static void test_body_flip_in_client_hello_random_still_works(void **state) {
    (void)state;
    PASSES(HEAD("body_flip_in_client_hello_random_still_works") "steps:\n"
                                                                "  - send: client_hello\n"
                                                                "    flip: {part: body, bit: 100}\n"
                                                                "  - handshake: complete\n");
}

static void test_set_legacy_version_ssl3(void **state) {
    (void)state;
    PASSES(HEAD("set_legacy_version_ssl3") "steps:\n"
                                           "  - send: client_hello\n"
                                           "    set: {legacy_version: 0x0300}\n"
                                           "  - any_of:\n"
                                           "      - [{expect: {alert: [protocol_version, "
                                           "illegal_parameter]}}]\n"
                                           "      - [{expect: server_hello}]\n");
}

static void test_expect_ccs_when_none_fails(void **state) {
    (void)state;
    FAILS(HEAD("expect_ccs_when_none_fails") "steps:\n"
                                             "  - send: client_hello\n"
                                             "  - expect: server_hello\n"
                                             "  - expect: encrypted_extensions\n"
                                             "  - expect: change_cipher_spec\n");
}

static void test_alert_level_mismatch_fails(void **state) {
    (void)state;
    FAILS(HEAD(
        "alert_level_mismatch_fails") "steps:\n"
                                      "  - send: client_hello\n"
                                      "    remove_extensions: [key_share]\n"
                                      "  - expect: {alert: missing_extension, level: warning}\n");
}

static void test_negotiated_mismatch_fails(void **state) {
    (void)state;
    FAILS(HEAD("negotiated_mismatch_fails") "steps:\n"
                                            "  - handshake: complete\n"
                                            "  - expect: {negotiated: {group: secp384r1}}\n");
}

static void test_alpn_negotiated(void **state) {
    (void)state;
    PASSES(HEAD("alpn_negotiated") "config:\n"
                                   "  alpn: [h2, http/1.1]\n"
                                   "steps:\n"
                                   "  - handshake: complete\n"
                                   "  - expect: {negotiated: {alpn: h2}}\n");
}

static void test_sni_sent_and_checked(void **state) {
    (void)state;
    PASSES(HEAD("sni_sent_and_checked") "config:\n"
                                        "  server_name: localhost\n"
                                        "steps:\n"
                                        "  - handshake: complete\n"
                                        "  - send: application_data\n"
                                        "    data: sni\n"
                                        "  - expect: {application_data: sni}\n");
}

static void test_scripted_early_data(void **state) {
    (void)state;
    PASSES(HEAD("scripted_early_data") "config:\n"
                                       "  resume: true\n"
                                       "  max_early_data: 16384\n"
                                       "steps:\n"
                                       "  - send: client_hello\n"
                                       "    add_extensions: [{type: early_data, body: \"\"}]\n"
                                       "  - send: application_data\n"
                                       "    data: scripted 0-rtt\n"
                                       "    record: {epoch: early}\n"
                                       "  - handshake: complete\n"
                                       "  - expect: {negotiated: {resumed: true, "
                                       "early_data_accepted: true}}\n"
                                       "  - send: application_data\n"
                                       "    data: 1-rtt\n"
                                       "  - expect: {application_data: scripted 0-rtt1-rtt}\n");
}

static void test_hrr_cookie_echoed(void **state) {
    (void)state;
    PASSES(HEAD(
        "hrr_cookie_echoed") "config:\n"
                             "  groups: [x25519, secp384r1]\n"
                             "  key_shares: [x25519]\n"
                             "  hrr_cookie: true\n"
                             "peer:\n"
                             "  groups: [secp384r1]\n"
                             "steps:\n"
                             "  - send: client_hello\n"
                             "  - expect: {message: hello_retry_request, fields: {selected_group: "
                             "secp384r1}}\n"
                             "  - handshake: complete\n"
                             "  - expect: {negotiated: {hello_retry: true, group: secp384r1}}\n");
}

static void test_hrr_in_compat_mode(void **state) {
    (void)state;
    PASSES(HEAD("hrr_in_compat_mode") "config:\n"
                                      "  groups: [x25519, secp384r1]\n"
                                      "  key_shares: [x25519]\n"
                                      "  middlebox_compat: true\n"
                                      "peer:\n"
                                      "  groups: [secp384r1]\n"
                                      "steps:\n"
                                      "  - handshake: complete\n"
                                      "  - expect: {negotiated: {hello_retry: true}}\n"
                                      "  - send: application_data\n"
                                      "    data: compat\n"
                                      "  - expect: {application_data: compat}\n");
}

static void test_resumption_after_hrr(void **state) {
    (void)state;
    PASSES(HEAD(
        "resumption_after_hrr") "config:\n"
                                "  resume: true\n"
                                "  groups: [x25519, secp384r1]\n"
                                "  key_shares: [x25519]\n"
                                "peer:\n"
                                "  groups: [secp384r1]\n"
                                "steps:\n"
                                "  - handshake: complete\n"
                                "  - expect: {negotiated: {resumed: true, hello_retry: true}}\n");
}

static void test_chacha_and_p256(void **state) {
    (void)state;
    PASSES(HEAD("chacha_and_p256") "config:\n"
                                   "  cipher_suites: [TLS_CHACHA20_POLY1305_SHA256]\n"
                                   "  groups: [secp256r1]\n"
                                   "steps:\n"
                                   "  - handshake: complete\n"
                                   "  - expect: {negotiated: {cipher_suite: "
                                   "TLS_CHACHA20_POLY1305_SHA256, group: secp256r1}}\n"
                                   "  - send: application_data\n"
                                   "    data: chacha\n"
                                   "  - expect: {application_data: chacha}\n");
}

static void test_rsa_server_certificate(void **state) {
    (void)state;
    PASSES(HEAD("rsa_server_certificate") "config:\n"
                                          "  signature_schemes: [rsa_pss_rsae_sha256]\n"
                                          "peer:\n"
                                          "  certificate: server-rsa2048\n"
                                          "steps:\n"
                                          "  - handshake: complete\n");
}

static void test_record_size_limit_honoured(void **state) {
    (void)state;
    PASSES(HEAD(
        "record_size_limit_honoured") "config:\n"
                                      "  record_size_limit: 256\n"
                                      "steps:\n"
                                      "  - handshake: complete\n"
                                      "  - send: application_data\n"
                                      "    fill: 1000\n"
                                      "  - expect: {application_data_hex: "
                                      "\"0000000000000000000000000000000000000000000000000000000000"
                                      "000000000000000000000000000000000000000000000000000000000000"
                                      "000000000000000000000000000000000000000000000000000000000000"
                                      "000000000000000000000000000000000000000000000000000000000000"
                                      "000000000000000000000000000000000000000000000000000000000000"
                                      "000000000000000000000000000000000000000000000000000000000000"
                                      "000000000000000000000000000000000000000000000000000000000000"
                                      "000000000000000000000000000000000000000000000000000000000000"
                                      "000000000000000000000000000000000000000000000000000000000000"
                                      "000000000000000000000000000000000000000000000000000000000000"
                                      "000000000000000000000000000000000000000000000000000000000000"
                                      "000000000000000000000000000000000000000000000000000000000000"
                                      "000000000000000000000000000000000000000000000000000000000000"
                                      "000000000000000000000000000000000000000000000000000000000000"
                                      "000000000000000000000000000000000000000000000000000000000000"
                                      "000000000000000000000000000000000000000000000000000000000000"
                                      "000000000000000000000000000000000000000000000000000000000000"
                                      "000000000000000000000000000000000000000000000000000000000000"
                                      "000000000000000000000000000000000000000000000000000000000000"
                                      "000000000000000000000000000000000000000000000000000000000000"
                                      "000000000000000000000000000000000000000000000000000000000000"
                                      "000000000000000000000000000000000000000000000000000000000000"
                                      "000000000000000000000000000000000000000000000000000000000000"
                                      "000000000000000000000000000000000000000000000000000000000000"
                                      "000000000000000000000000000000000000000000000000000000000000"
                                      "000000000000000000000000000000000000000000000000000000000000"
                                      "000000000000000000000000000000000000000000000000000000000000"
                                      "000000000000000000000000000000000000000000000000000000000000"
                                      "000000000000000000000000000000000000000000000000000000000000"
                                      "000000000000000000000000000000000000000000000000000000000000"
                                      "000000000000000000000000000000000000000000000000000000000000"
                                      "000000000000000000000000000000000000000000000000000000000000"
                                      "000000000000000000000000000000000000000000000000000000000000"
                                      "0000000000000000000000\"}\n");
}

static void test_coalesced_finished_and_application_data(void **state) {
    (void)state;
    PASSES(
        HEAD("coalesced_finished_and_application_data") "steps:\n"
                                                        "  - handshake: {until: finished}\n"
                                                        "  - send: finished\n"
                                                        "    record: {coalesce: true}\n"
                                                        "  - send: application_data\n"
                                                        "    data: joined\n"
                                                        "  - expect: {application_data: joined}\n");
}

static void test_client_flight_in_one_record(void **state) {
    (void)state;
    PASSES(HEAD("client_flight_in_one_record") "config:\n"
                                               "  client_auth: require\n"
                                               "  certificate: client-ecdsa-p256\n"
                                               "peer:\n"
                                               "  certificate: server-ecdsa-p256\n"
                                               "steps:\n"
                                               "  - handshake: {until: certificate}\n"
                                               "  - send: certificate\n"
                                               "    record: {coalesce: true}\n"
                                               "  - send: certificate_verify\n"
                                               "    record: {coalesce: true}\n"
                                               "  - send: finished\n"
                                               "  - send: application_data\n"
                                               "    data: one record\n"
                                               "  - expect: {application_data: one record}\n");
}

/* ---- a test-only server over our engine that starts post-handshake
 * exchanges (the peers answer, they do not initiate) ---------------------- */

enum { TRIG_PHA = 1, TRIG_KEY_UPDATE = 2 };

typedef struct {
    th_peer base;
    int trigger;
    int triggered;
    th_config cfg;
    th_cert_key ck;
    X509_STORE *store;
    th_conn *c;
} trig_peer;

static int trig_connect(th_peer *p, char *err, size_t err_len) {
    trig_peer *t = (trig_peer *)p;
    th_conn_free(t->c);
    t->triggered = 0;
    t->c = th_conn_new(&t->cfg, TH_ROLE_SERVER);
    if (t->c == NULL) {
        snprintf(err, err_len, "th_conn_new failed");
        return 0;
    }
    return 1;
}

static int trig_write(th_peer *p, const uint8_t *in, size_t len, char *err, size_t err_len) {
    trig_peer *t = (trig_peer *)p;
    (void)err;
    (void)err_len;
    if (!th_conn_recv(t->c, in, len)) {
        return 1;
    }
    th_conn_status st;
    th_conn_get_status(t->c, &st);
    if (st.state != TH_CONN_ESTABLISHED) {
        return 1;
    }
    uint8_t buf[4096];
    size_t n;
    while ((n = th_conn_read_app(t->c, buf, sizeof(buf))) > 0) {
        if (!th_conn_write_app(t->c, buf, n, 0)) {
            return 1;
        }
    }
    if (!t->triggered) {
        t->triggered = 1;
        int ok = t->trigger == TRIG_PHA ? th_conn_request_client_auth(t->c)
                                        : th_conn_key_update(t->c, 1);
        assert_true(ok);
    }
    return 1;
}

static th_peer_read_result trig_read(th_peer *p, uint8_t *out, size_t cap, size_t *out_len,
                                     unsigned deadline_ms, char *err, size_t err_len) {
    trig_peer *t = (trig_peer *)p;
    (void)deadline_ms;
    (void)err;
    (void)err_len;
    *out_len = th_conn_take_output(t->c, out, cap);
    if (*out_len > 0) {
        return TH_PEER_READ_DATA;
    }
    th_conn_status st;
    th_conn_get_status(t->c, &st);
    return st.state == TH_CONN_FAILED || st.state == TH_CONN_CLOSED ? TH_PEER_READ_EOF
                                                                    : TH_PEER_READ_NONE;
}

static void trig_disconnect(th_peer *p) {
    trig_peer *t = (trig_peer *)p;
    th_conn_free(t->c);
    t->c = NULL;
}

static void trig_info(th_peer *p, th_peer_info *out) {
    trig_peer *t = (trig_peer *)p;
    memset(out, 0, sizeof(*out));
    if (t->c == NULL) {
        return;
    }
    th_conn_status st;
    th_conn_get_status(t->c, &st);
    out->known = 1;
    out->established = st.state == TH_CONN_ESTABLISHED;
    out->has_alert_received = st.has_alert_received;
    out->alert_received = st.alert_received;
}

static void trig_free(th_peer *p) {
    trig_peer *t = (trig_peer *)p;
    th_conn_free(t->c);
    th_cert_key_cleanup(&t->ck);
    X509_STORE_free(t->store);
    free(p->spec);
    free(t);
}

static const th_peer_ops kTrigOps = {trig_connect,    trig_write, trig_read,
                                     trig_disconnect, trig_info,  trig_free};

static th_peer *trig_peer_new(int trigger) {
    trig_peer *t = calloc(1, sizeof(*t));
    char err[256];
    assert_non_null(t);
    t->base.ops = &kTrigOps;
    t->base.spec = strdup("trigger");
    t->trigger = trigger;
    assert_true(th_cert_key_load(PKI_DIR "/server-ecdsa-p256-chain.pem",
                                 PKI_DIR "/server-ecdsa-p256.key", &t->ck, err, sizeof(err)));
    assert_true(th_trust_store_load(PKI_DIR "/root-ca.pem", &t->store, err, sizeof(err)));
    t->cfg.cert_key = &t->ck;
    t->cfg.trust_store = t->store;
    return &t->base;
}

static th_ep_outcome run_with(const char *yaml, th_peer *peer) {
    th_scenario_set set;
    th_sc_errors errs;
    memset(&set, 0, sizeof(set));
    memset(&errs, 0, sizeof(errs));
    assert_true(th_scenario_load_string("test.yaml", yaml, strlen(yaml), &set, &errs));
    th_ep_opts opts = {PKI_DIR, 42, 1000};
    th_ep_outcome out;
    assert_true(th_ep_run(set.scenarios[0], peer, &opts, &out));
    th_scenario_set_cleanup(&set);
    th_sc_errors_cleanup(&errs);
    if (out.verdict == TH_EP_ERROR || getenv("TH_TEST_VERBOSE") != NULL) {
        fprintf(stderr, "%s\n%s\n", out.message != NULL ? out.message : "pass", out.transcript);
    }
    return out;
}

/* RFC 8446 §4.6.2: the client answers a post-handshake CertificateRequest
 * with Certificate, CertificateVerify and Finished (under the application
 * traffic secret); the server (our engine) verifies them. */
static void test_post_handshake_auth_answered(void **state) {
    (void)state;
    th_peer *peer = trig_peer_new(TRIG_PHA);
    th_ep_outcome out = run_with(HEAD("pha") "config:\n"
                                             "  post_handshake_auth: true\n"
                                             "  certificate: client-ecdsa-p256\n"
                                             "steps:\n"
                                             "  - handshake: complete\n"
                                             "  - expect: certificate_request\n"
                                             "  - handshake: complete\n"
                                             "  - send: application_data\n"
                                             "    data: authenticated\n"
                                             "  - expect: {application_data: authenticated}\n",
                                 peer);
    assert_int_equal(out.verdict, TH_EP_PASS);
    th_ep_outcome_cleanup(&out);
    th_peer_free(peer);
}

/* RFC 8446 §4.6.3: a KeyUpdate with update_requested makes our next default
 * message a KeyUpdate; data flows under the new keys both ways. */
static void test_peer_key_update_requested_is_answered(void **state) {
    (void)state;
    th_peer *peer = trig_peer_new(TRIG_KEY_UPDATE);
    th_ep_outcome out = run_with(HEAD("ku") "steps:\n"
                                            "  - handshake: complete\n"
                                            "  - expect: {message: key_update, fields: "
                                            "{request_update: 1}}\n"
                                            "  - handshake: complete\n"
                                            "  - send: application_data\n"
                                            "    data: rekeyed\n"
                                            "  - expect: {application_data: rekeyed}\n",
                                 peer);
    assert_int_equal(out.verdict, TH_EP_PASS);
    th_ep_outcome_cleanup(&out);
    th_peer_free(peer);
}

static void test_replaced_finished_body_is_decrypt_error(void **state) {
    (void)state;
    PASSES(HEAD("replaced_finished_body_is_decrypt_error") "steps:\n"
                                                           "  - handshake: {until: finished}\n"
                                                           "  - send: finished\n"
                                                           "    body: "
                                                           "\"0000000000000000000000000000000000000"
                                                           "000000000000000000000000000\"\n"
                                                           "  - expect: {alert: decrypt_error}\n");
}

static void test_huge_handshake_length_is_refused(void **state) {
    (void)state;
    PASSES(HEAD("huge_handshake_length_is_refused") "steps:\n"
                                                    "  - handshake: {until: finished}\n"
                                                    "  - send: finished\n"
                                                    "    length: 70000\n"
                                                    "  - any_of:\n"
                                                    "      - [{expect: {alert: [decode_error, "
                                                    "illegal_parameter, unexpected_message]}}]\n"
                                                    "      - [{expect: {nothing: 20}}]\n");
}

static void test_certificate_kept_out_of_transcript_breaks_the_signature(void **state) {
    (void)state;
    PASSES(
        HEAD("certificate_kept_out_of_transcript_breaks_the_signature") "config:\n"
                                                                        "  client_auth: require\n"
                                                                        "  certificate: "
                                                                        "client-ecdsa-p256\n"
                                                                        "peer:\n"
                                                                        "  certificate: "
                                                                        "server-ecdsa-p256\n"
                                                                        "steps:\n"
                                                                        "  - handshake: {until: "
                                                                        "certificate}\n"
                                                                        "  - send: certificate\n"
                                                                        "    no_transcript: true\n"
                                                                        "  - handshake: {until: "
                                                                        "finished}\n"
                                                                        "  - send: finished\n"
                                                                        "  - expect: {alert: "
                                                                        "[decrypt_error, "
                                                                        "bad_certificate]}\n");
}

/* ---- a canned peer: answers our first flight with fixed bytes, to see
 * the client role refuse a broken ServerHello with the RFC rule named ---- */

typedef struct {
    th_peer base;
    const char *hex;
    int answered;
    uint8_t out[512];
    size_t out_len;
} canned_peer;

static int canned_connect(th_peer *p, char *err, size_t err_len) {
    (void)err;
    (void)err_len;
    ((canned_peer *)p)->answered = 0;
    return 1;
}

static int canned_write(th_peer *p, const uint8_t *in, size_t len, char *err, size_t err_len) {
    canned_peer *c = (canned_peer *)p;
    (void)in;
    (void)len;
    (void)err;
    (void)err_len;
    if (!c->answered) {
        c->answered = 1;
        c->out_len = strlen(c->hex) / 2;
        for (size_t i = 0; i < c->out_len; i++) {
            unsigned v;
            assert_int_equal(sscanf(c->hex + 2 * i, "%2x", &v), 1);
            c->out[i] = (uint8_t)v;
        }
    }
    return 1;
}

static th_peer_read_result canned_read(th_peer *p, uint8_t *out, size_t cap, size_t *out_len,
                                       unsigned deadline_ms, char *err, size_t err_len) {
    canned_peer *c = (canned_peer *)p;
    (void)deadline_ms;
    (void)err;
    (void)err_len;
    if (c->out_len == 0) {
        return TH_PEER_READ_NONE;
    }
    assert_true(c->out_len <= cap);
    memcpy(out, c->out, c->out_len);
    *out_len = c->out_len;
    c->out_len = 0;
    return TH_PEER_READ_DATA;
}

static void canned_disconnect(th_peer *p) {
    (void)p;
}

static void canned_info(th_peer *p, th_peer_info *out) {
    (void)p;
    memset(out, 0, sizeof(*out));
}

static void canned_free(th_peer *p) {
    free(p->spec);
    free(p);
}

static const th_peer_ops kCannedOps = {canned_connect,    canned_write, canned_read,
                                       canned_disconnect, canned_info,  canned_free};

static void expect_refused_server_hello(const char *server_hex, const char *rule) {
    canned_peer *c = calloc(1, sizeof(*c));
    assert_non_null(c);
    c->base.ops = &kCannedOps;
    c->base.spec = strdup("canned");
    c->hex = server_hex;
    th_ep_outcome out = run_with(HEAD("canned") "steps:\n"
                                                "  - send: client_hello\n"
                                                "  - expect: server_hello\n",
                                 &c->base);
    assert_int_equal(out.verdict, TH_EP_FAIL);
    if (strstr(out.message, rule) == NULL) {
        fprintf(stderr, "%s\n", out.message);
    }
    assert_non_null(strstr(out.message, "step 2 (expect server_hello at test.yaml:7:5)"));
    assert_non_null(strstr(out.message, rule));
    th_ep_outcome_cleanup(&out);
    th_peer_free(&c->base);
}

/* RFC 8446 §4.1.3: "A client which receives a cipher suite that was not
 * offered MUST abort the handshake with an "illegal_parameter" alert." */
static void test_server_hello_with_unoffered_suite_is_refused(void **state) {
    (void)state;
    expect_refused_server_hello("160303005a02000056030322222222222222222222222222222222222222222222"
                                "2222222222222222222200130500002e002b0002030400330024001d0020111111"
                                "1111111111111111111111111111111111111111111111111111111111",
                                "RFC 8446 §4.1.3");
}

/* RFC 8446 §4.1.3: a TLS 1.3 ServerHello never ends its random with a
 * downgrade sentinel. */
static void test_server_hello_with_downgrade_sentinel_is_refused(void **state) {
    (void)state;
    expect_refused_server_hello("160303005a02000056030322222222222222222222222222222222222222222222"
                                "2222444f574e4752440100130100002e002b0002030400330024001d0020111111"
                                "1111111111111111111111111111111111111111111111111111111111",
                                "downgrade sentinel");
}

/* RFC 8446 §4.6.3: "Both sender and receiver MUST encrypt their KeyUpdate
 * messages with the old keys": a KeyUpdate sealed under the N+1 keys it
 * announces (`record: {epoch: next}`) does not open at the server. */
static void test_key_update_under_next_keys_is_bad_record_mac(void **state) {
    (void)state;
    const char *yaml = HEAD("key_update_under_next_keys") "steps:\n"
                                                          "  - handshake: complete\n"
                                                          "  - send: key_update\n"
                                                          "    record: {epoch: next}\n"
                                                          "  - expect: {alert: bad_record_mac}\n"
                                                          "  - expect: close\n";
    PASSES(yaml);
    th_ep_outcome out = run_on(yaml, "self");
    assert_non_null(strstr(out.transcript, "-> [next application] record"));
    th_ep_outcome_cleanup(&out);
}

/* `epoch: next` with no application key yet is our error, not the peer's. */
static void test_next_epoch_before_application_keys_is_an_error(void **state) {
    (void)state;
    th_ep_outcome out = run_on(HEAD("next_too_early") "steps:\n"
                                                      "  - send: client_hello\n"
                                                      "    record: {epoch: next}\n",
                               "self");
    assert_int_equal(out.verdict, TH_EP_ERROR);
    assert_non_null(strstr(out.message, "no next application write key"));
    th_ep_outcome_cleanup(&out);
}

/* After a KeyUpdate that changes none of our state (a raw record), data
 * under `next` is what a correct peer reads: the keys it switched to. */
static void test_next_keys_are_the_announced_ones(void **state) {
    (void)state;
    PASSES(HEAD("next_after_raw_key_update") "steps:\n"
                                             "  - handshake: complete\n"
                                             "  - send: record\n"
                                             "    content_type: handshake\n"
                                             "    data_hex: \"1800000100\"\n"
                                             "  - send: application_data\n"
                                             "    data: first\n"
                                             "    record: {epoch: next}\n"
                                             "  - expect: {application_data: first}\n");
}

/* The echo is checked against the session id we actually sent (RFC 8446
 * §4.1.3), and a ClientHello2 repeats it (§4.1.2). */
static void test_set_session_id_is_the_one_checked(void **state) {
    (void)state;
    PASSES(HEAD("set_session_id") "config: {groups: [x25519, secp256r1], key_shares: []}\n"
                                  "steps:\n"
                                  "  - send: client_hello\n"
                                  "    set: {session_id: \"11111111111111111111111111111111\"}\n"
                                  "  - expect: hello_retry_request\n"
                                  "  - send: client_hello\n"
                                  "  - expect: {message: server_hello, fields: {session_id: "
                                  "\"11111111111111111111111111111111\"}}\n"
                                  "  - handshake: complete\n");
}

/* Keys and state follow what was actually sent: a ClientHello whose
 * pre_shared_key was removed offers no PSK, so a full handshake (with the
 * server's certificate) is right. */
static void test_removed_psk_is_not_offered(void **state) {
    (void)state;
    PASSES(HEAD("removed_psk") "config: {resume: true}\n"
                               "steps:\n"
                               "  - send: client_hello\n"
                               "    remove_extensions: [pre_shared_key]\n"
                               "  - handshake: complete\n"
                               "  - expect: {negotiated: {resumed: false}}\n");
}

/* The suites offered are the ones in the ClientHello that went out, so the
 * server's choice is checked against them. */
static void test_cipher_suites_offered_follow_the_wire(void **state) {
    (void)state;
    PASSES(HEAD("suites_follow_wire") "steps:\n"
                                      "  - send: client_hello\n"
                                      "    set: {cipher_suites: [TLS_AES_256_GCM_SHA384]}\n"
                                      "  - handshake: complete\n"
                                      "  - expect: {negotiated: {cipher_suite: "
                                      "TLS_AES_256_GCM_SHA384}}\n");
}

/* A second ClientHello after the ServerHello is out of place: it stays out
 * of our transcript and changes no keys, so the server's answer (an alert,
 * or its flight, whose Finished we still verify, then the alert) is read
 * with the right keys. */
static void test_client_hello_out_of_place_keeps_state(void **state) {
    (void)state;
    th_ep_outcome out = run_on(HEAD("ch_out_of_place") "steps:\n"
                                                       "  - send: client_hello\n"
                                                       "  - expect: server_hello\n"
                                                       "  - send: client_hello\n"
                                                       "  - any_of:\n"
                                                       "      - [{expect: {alert: "
                                                       "unexpected_message}}]\n"
                                                       "      - [{expect: encrypted_extensions}, "
                                                       "{expect: certificate}, {expect: "
                                                       "certificate_verify}, {expect: finished}, "
                                                       "{expect: {alert: unexpected_message}}]\n",
                               "self");
    if (out.verdict != TH_EP_PASS) {
        fprintf(stderr, "%s\n%s\n", out.message, out.transcript);
    }
    assert_int_equal(out.verdict, TH_EP_PASS);
    assert_non_null(strstr(out.transcript, "(out of place: our keys and state are unchanged)"));
    th_ep_outcome_cleanup(&out);
}

/* The psk_key_exchange_modes that went out decide whether a ServerHello
 * without key_share is right (RFC 8446 §4.2.11), not the config: psk_ke set
 * by a step lets the server resume without (EC)DHE. */
static void test_psk_modes_set_by_a_step_are_the_offer(void **state) {
    (void)state;
    th_ep_outcome out = run_on(HEAD("psk_modes_set") "config: {resume: true}\n"
                                                     "steps:\n"
                                                     "  - send: client_hello\n"
                                                     "    set: {psk_modes: [psk_ke]}\n"
                                                     "  - handshake: complete\n"
                                                     "  - expect: {negotiated: {resumed: true, "
                                                     "group: 0}}\n",
                               "self");
    if (out.verdict != TH_EP_PASS) {
        fprintf(stderr, "%s\n%s\n", out.message, out.transcript);
    }
    assert_int_equal(out.verdict, TH_EP_PASS);
    th_ep_outcome_cleanup(&out);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_default_handshake_passes),
        cmocka_unit_test(test_app_data_echo),
        cmocka_unit_test(test_close_notify_answered),
        cmocka_unit_test(test_removed_key_share_is_missing_extension),
        cmocka_unit_test(test_wrong_alert_is_reported_as_fail),
        cmocka_unit_test(test_hrr_to_secp384r1),
        cmocka_unit_test(test_resumption),
        cmocka_unit_test(test_client_auth),
        cmocka_unit_test(test_key_update_requested),
        cmocka_unit_test(test_flipped_finished_is_decrypt_error),
        cmocka_unit_test(test_expect_nothing_after_handshake),
        cmocka_unit_test(test_server_hello_fields),
        cmocka_unit_test(test_server_hello_wrong_field_fails),
        cmocka_unit_test(test_random_suffix_downgrade_sentinel),
        cmocka_unit_test(test_unknown_record_type_is_unexpected_message),
        cmocka_unit_test(test_fragmented_client_hello),
        cmocka_unit_test(test_coalesced_application_data),
        cmocka_unit_test(test_padded_application_data),
        cmocka_unit_test(test_pad_byte_makes_an_unknown_inner_type),
        cmocka_unit_test(test_handshake_epoch_after_established_is_bad_record_mac),
        cmocka_unit_test(test_ccs_after_handshake_is_unexpected_message),
        cmocka_unit_test(test_compat_mode_ccs_from_server),
        cmocka_unit_test(test_repeat_echo),
        cmocka_unit_test(test_tag_flip_is_bad_record_mac),
        cmocka_unit_test(test_ciphertext_flip_is_bad_record_mac),
        cmocka_unit_test(test_oversize_record_is_record_overflow),
        cmocka_unit_test(test_zero_length_application_data_is_fine),
        cmocka_unit_test(test_plaintext_finished_is_refused),
        cmocka_unit_test(test_truncated_client_hello_is_decode_error),
        cmocka_unit_test(test_appended_byte_is_decode_error),
        cmocka_unit_test(test_client_hello_twice_is_unexpected_message),
        cmocka_unit_test(test_raw_garbage_is_refused),
        cmocka_unit_test(test_outer_type_override_is_refused),
        cmocka_unit_test(test_message_type_override),
        cmocka_unit_test(test_skip_finished_then_app_data_is_refused),
        cmocka_unit_test(test_early_data_accepted),
        cmocka_unit_test(test_flipped_binder_is_decrypt_error),
        cmocka_unit_test(test_duplicate_extension_is_refused),
        cmocka_unit_test(test_added_unknown_extension_is_ignored),
        cmocka_unit_test(test_expected_message_but_got_alert_fails),
        cmocka_unit_test(test_version_override),
        cmocka_unit_test(test_psk_ke_resumption),
        cmocka_unit_test(test_established_before_handshake_fails),
        cmocka_unit_test(test_fatal_alert_then_close),
        cmocka_unit_test(test_unloadable_certificate_is_error),
        cmocka_unit_test(test_wrong_application_data_fails),
        cmocka_unit_test(test_any_of_without_match_fails),
        cmocka_unit_test(test_key_update_not_requested_keeps_data_flowing),
        cmocka_unit_test(test_handshake_skip_certificate_verify_with_client_auth),
        cmocka_unit_test(test_keylog_and_determinism),
        cmocka_unit_test(test_record_length_override_is_refused),
        cmocka_unit_test(test_handshake_as_application_data_is_refused),
        cmocka_unit_test(test_zero_length_handshake_record_is_refused),
        cmocka_unit_test(test_flipped_client_signature_is_decrypt_error),
        cmocka_unit_test(test_client_cv_with_unoffered_scheme),
        cmocka_unit_test(test_empty_client_certificate_when_required),
        cmocka_unit_test(test_psk_not_last_is_illegal_parameter),
        cmocka_unit_test(test_replaced_supported_versions_without_tls13),
        cmocka_unit_test(test_body_flip_in_client_hello_random_still_works),
        cmocka_unit_test(test_set_legacy_version_ssl3),
        cmocka_unit_test(test_expect_ccs_when_none_fails),
        cmocka_unit_test(test_alert_level_mismatch_fails),
        cmocka_unit_test(test_negotiated_mismatch_fails),
        cmocka_unit_test(test_alpn_negotiated),
        cmocka_unit_test(test_sni_sent_and_checked),
        cmocka_unit_test(test_scripted_early_data),
        cmocka_unit_test(test_hrr_cookie_echoed),
        cmocka_unit_test(test_hrr_in_compat_mode),
        cmocka_unit_test(test_resumption_after_hrr),
        cmocka_unit_test(test_chacha_and_p256),
        cmocka_unit_test(test_rsa_server_certificate),
        cmocka_unit_test(test_record_size_limit_honoured),
        cmocka_unit_test(test_coalesced_finished_and_application_data),
        cmocka_unit_test(test_client_flight_in_one_record),
        cmocka_unit_test(test_post_handshake_auth_answered),
        cmocka_unit_test(test_peer_key_update_requested_is_answered),
        cmocka_unit_test(test_replaced_finished_body_is_decrypt_error),
        cmocka_unit_test(test_huge_handshake_length_is_refused),
        cmocka_unit_test(test_certificate_kept_out_of_transcript_breaks_the_signature),
        cmocka_unit_test(test_server_hello_with_unoffered_suite_is_refused),
        cmocka_unit_test(test_server_hello_with_downgrade_sentinel_is_refused),
        cmocka_unit_test(test_key_update_under_next_keys_is_bad_record_mac),
        cmocka_unit_test(test_next_epoch_before_application_keys_is_an_error),
        cmocka_unit_test(test_next_keys_are_the_announced_ones),
        cmocka_unit_test(test_set_session_id_is_the_one_checked),
        cmocka_unit_test(test_removed_psk_is_not_offered),
        cmocka_unit_test(test_cipher_suites_offered_follow_the_wire),
        cmocka_unit_test(test_client_hello_out_of_place_keeps_state),
        cmocka_unit_test(test_psk_modes_set_by_a_step_are_the_offer),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
