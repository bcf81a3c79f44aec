/* The scenario loader: every key, step kind and modifier into the model, the
 * defaults, matrix expansion, and every error kind with its line and column. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conn.h"
#include "load.h"
#include "testutil.h"

/* A valid header: steps follow on line 5. */
#define HEAD                                                                                       \
    "id: t.one\n"                                                                                  \
    "title: T\n"                                                                                   \
    "rfc: {doc: \"8446\", section: \"4.1.2\", quote: \"q\"}\n"                                     \
    "role: client\n"

typedef struct {
    th_scenario_set set;
    th_sc_errors errs;
    int ok;
} loaded;

static void load(loaded *l, const char *yaml) {
    memset(l, 0, sizeof(*l));
    l->ok = th_scenario_load_string("t.yaml", yaml, strlen(yaml), &l->set, &l->errs);
    assert_int_equal(l->ok, l->errs.num == 0);
}

static void done(loaded *l) {
    th_scenario_set_cleanup(&l->set);
    th_sc_errors_cleanup(&l->errs);
}

static void dump(const loaded *l) {
    for (size_t i = 0; i < l->errs.num; i++) {
        fprintf(stderr, "  error: %s\n", l->errs.msgs[i]);
    }
}

/* Loads |yaml| expecting success; returns the only scenario. */
static const th_scenario *load_one(loaded *l, const char *yaml) {
    load(l, yaml);
    if (!l->ok) {
        dump(l);
    }
    assert_true(l->ok);
    assert_int_equal(l->set.num_scenarios, 1);
    return l->set.scenarios[0];
}

/* 1 if |l| has the error "t.yaml:LINE:COL: ..." containing |text|. */
static int has_error(const loaded *l, unsigned line, unsigned col, const char *text) {
    char prefix[64];
    snprintf(prefix, sizeof(prefix), "t.yaml:%u:%u: ", line, col);
    for (size_t i = 0; i < l->errs.num; i++) {
        if (strncmp(l->errs.msgs[i], prefix, strlen(prefix)) == 0 &&
            strstr(l->errs.msgs[i], text) != NULL) {
            return 1;
        }
    }
    fprintf(stderr, "wanted %s...%s, got:\n", prefix, text);
    dump(l);
    return 0;
}

/* Loads |yaml| expecting an error "t.yaml:LINE:COL: ..." containing |text|;
 * a document with an error adds no scenario. */
static void expect_error(const char *yaml, unsigned line, unsigned col, const char *text) {
    loaded l;
    load(&l, yaml);
    int found = has_error(&l, line, col, text);
    assert_false(l.ok);
    assert_true(found);
    assert_int_equal(l.set.num_scenarios, 0);
    done(&l);
}

/* ---- the model ---- */

static void test_minimal_scenario_gets_defaults(void **state) {
    loaded l;
    const th_scenario *s = load_one(&l, HEAD "steps: [{handshake: complete}]\n");
    assert_string_equal(s->id, "t.one");
    assert_string_equal(s->title, "T");
    assert_string_equal(s->rfc.doc, "8446");
    assert_string_equal(s->rfc.section, "4.1.2");
    assert_string_equal(s->rfc.quote, "q");
    assert_int_equal(s->role, TH_ROLE_CLIENT);
    assert_int_equal(s->num_peers, 0);
    assert_null(s->matrix_label);
    assert_int_equal(s->ours.num_versions, 1);
    assert_int_equal(s->ours.versions[0], TH_VERSION_TLS13);
    assert_int_equal(s->peer.num_versions, 1);
    assert_int_equal(s->peer.versions[0], TH_VERSION_TLS13);
    assert_int_equal(s->ours.echo, 1);
    assert_int_equal(s->peer.echo, 1);
    assert_int_equal(s->ours.has_key_shares, 0);
    assert_string_equal(s->loc.file, "t.yaml");
    assert_ptr_equal(s->loc.file, l.set.files[0]);
    assert_int_equal(s->loc.line, 1);
    assert_int_equal(s->loc.column, 1);
    assert_int_equal(s->steps.num_steps, 1);
    assert_int_equal(s->steps.steps[0].kind, TH_SC_STEP_HANDSHAKE);
    assert_int_equal(s->steps.steps[0].handshake.until, TH_SC_MSG_NONE);
    assert_int_equal(s->steps.steps[0].loc.line, 5);
    assert_int_equal(s->steps.steps[0].loc.column, 9);
    done(&l);
}

static void test_config_and_peer_override(void **state) {
    loaded l;
    const th_scenario *s =
        load_one(&l, "id: t.cfg\ntitle: T\nrfc: {doc: 8446, section: 4}\nrole: server\n"
                     "peers: [boringssl, self, \"tcp:localhost:443\"]\n"
                     "config:\n"
                     "  versions: [tls1.2, tls1.3, 0x7f1c]\n"
                     "  cipher_suites: [TLS_AES_128_GCM_SHA256, 0x1302, 4867]\n"
                     "  groups: [x25519, secp256r1]\n"
                     "  key_shares: []\n"
                     "  signature_schemes: [ecdsa_secp256r1_sha256, rsa_pss_rsae_sha256]\n"
                     "  alpn: [h2, http/1.1]\n"
                     "  server_name: localhost\n"
                     "  certificate: server-ecdsa-p256\n"
                     "  client_auth: require\n"
                     "  resume: true\n"
                     "  psk_ke: true\n"
                     "  early_data: hello\n"
                     "  max_early_data: 16384\n"
                     "  middlebox_compat: true\n"
                     "  hrr_cookie: true\n"
                     "  record_size_limit: 1024\n"
                     "  post_handshake_auth: true\n"
                     "  require_sni: true\n"
                     "  echo: false\n"
                     "peer:\n"
                     "  certificate: server-rsa2048\n"
                     "  groups: [secp384r1]\n"
                     "  early_data_hex: \"00ff\"\n"
                     "steps: [{handshake: complete}]\n");
    assert_int_equal(s->role, TH_ROLE_SERVER);
    assert_int_equal(s->num_peers, 3);
    assert_string_equal(s->peers[2], "tcp:localhost:443");
    const th_sc_side *o = &s->ours;
    assert_int_equal(o->num_versions, 3);
    assert_int_equal(o->versions[0], TH_VERSION_TLS12);
    assert_int_equal(o->versions[1], TH_VERSION_TLS13);
    assert_int_equal(o->versions[2], 0x7f1c);
    assert_int_equal(o->num_cipher_suites, 3);
    assert_int_equal(o->cipher_suites[0], 0x1301);
    assert_int_equal(o->cipher_suites[1], 0x1302);
    assert_int_equal(o->cipher_suites[2], 0x1303);
    assert_int_equal(o->num_groups, 2);
    assert_int_equal(o->groups[0], 29);
    assert_int_equal(o->has_key_shares, 1);
    assert_int_equal(o->num_key_shares, 0);
    assert_int_equal(o->num_sig_schemes, 2);
    assert_int_equal(o->sig_schemes[1], 0x0804);
    assert_int_equal(o->num_alpn, 2);
    assert_string_equal(o->alpn[1], "http/1.1");
    assert_string_equal(o->server_name, "localhost");
    assert_string_equal(o->certificate, "server-ecdsa-p256");
    assert_int_equal(o->client_auth, 2);
    assert_int_equal(o->resume, 1);
    assert_int_equal(o->psk_ke, 1);
    assert_int_equal(o->early_data_len, 5);
    assert_memory_equal(o->early_data, "hello", 5);
    assert_int_equal(o->max_early_data, 16384);
    assert_int_equal(o->middlebox_compat, 1);
    assert_int_equal(o->hrr_cookie, 1);
    assert_int_equal(o->record_size_limit, 1024);
    assert_int_equal(o->post_handshake_auth, 1);
    assert_int_equal(o->require_sni, 1);
    assert_int_equal(o->echo, 0);
    /* The peer side: config, then the peer: overrides. */
    const th_sc_side *p = &s->peer;
    assert_string_equal(p->certificate, "server-rsa2048");
    assert_int_equal(p->num_groups, 1);
    assert_int_equal(p->groups[0], 24);
    assert_int_equal(p->early_data_len, 2);
    assert_int_equal(p->early_data[1], 0xff);
    assert_int_equal(p->num_cipher_suites, 3);
    assert_string_equal(p->server_name, "localhost");
    assert_int_equal(p->client_auth, 2);
    assert_int_equal(p->echo, 0);
    done(&l);
}

static void test_send_message_modifiers(void **state) {
    loaded l;
    const th_scenario *s = load_one(
        &l, HEAD "steps:\n"
                 "  - send: client_hello\n"
                 "    set: {cipher_suites: [TLS_AES_128_GCM_SHA256], legacy_version: 0x0300,\n"
                 "          random: \""
                 "00000000000000000000000000000000"
                 "00000000000000000000000000000001\", alpn: [h2], server_name: x,\n"
                 "          psk_modes: [psk_ke, 1]}\n"
                 "    remove_extensions: [key_share, 0x002b]\n"
                 "    add_extensions: [{type: 0x1234, body: \"01:02\", position: end},\n"
                 "                     {type: padding, position: 3}, {type: 1, position: last}]\n"
                 "    replace_extensions: [{type: key_share, body: \"\"}]\n"
                 "    duplicate_extensions: [supported_groups]\n"
                 "    move_extensions: [{type: pre_shared_key, position: first}]\n"
                 "    body: \"0a0b\"\n"
                 "    append: \"00\"\n"
                 "    truncate: 1\n"
                 "    length: 70000\n"
                 "    type: 99\n"
                 "    flip: {part: binder, bit: 7}\n"
                 "    times: 2\n"
                 "    no_transcript: true\n"
                 "    record: {epoch: handshake, content_type: handshake, outer_type: 23,\n"
                 "             version: 0x0301, length: 5, fragment: 1, coalesce: true,\n"
                 "             padding: 10, pad_byte: 5, plaintext: true}\n"
                 "  - send: finished\n"
                 "    type: client_hello\n"
                 "    flip: {part: verify_data}\n");
    const th_sc_send *x = &s->steps.steps[0].send;
    assert_int_equal(s->steps.steps[0].kind, TH_SC_STEP_SEND);
    assert_int_equal(x->kind, TH_SC_SEND_MESSAGE);
    assert_int_equal(x->msg, TH_SC_MSG_CLIENT_HELLO);
    assert_int_equal(x->num_sets, 6);
    assert_int_equal(x->sets[0].field, TH_SC_F_CH_CIPHER_SUITES);
    assert_int_equal(x->sets[0].value.kind, TH_SC_VAL_INT_LIST);
    assert_int_equal(x->sets[0].value.num, 1);
    assert_int_equal(x->sets[0].value.ints[0], 0x1301);
    assert_int_equal(x->sets[0].loc.line, 7);
    assert_int_equal(x->sets[0].loc.column, 11);
    assert_int_equal(x->sets[1].field, TH_SC_F_CH_LEGACY_VERSION);
    assert_int_equal(x->sets[1].value.i, 0x0300);
    assert_int_equal(x->sets[2].field, TH_SC_F_CH_RANDOM);
    assert_int_equal(x->sets[2].value.bytes_len, 32);
    assert_int_equal(x->sets[2].value.bytes[31], 1);
    assert_int_equal(x->sets[3].value.kind, TH_SC_VAL_STR_LIST);
    assert_string_equal(x->sets[3].value.strs[0], "h2");
    assert_int_equal(x->sets[4].value.kind, TH_SC_VAL_STRING);
    assert_string_equal(x->sets[4].value.str, "x");
    assert_int_equal(x->sets[5].value.ints[0], 0);
    assert_int_equal(x->sets[5].value.ints[1], 1);
    /* Extension edits in the order written. */
    assert_int_equal(x->num_ext_ops, 8);
    assert_int_equal(x->ext_ops[0].op, TH_SC_EXT_REMOVE);
    assert_int_equal(x->ext_ops[0].type, TH_EXT_KEY_SHARE);
    assert_int_equal(x->ext_ops[1].type, TH_EXT_SUPPORTED_VERSIONS);
    assert_int_equal(x->ext_ops[2].op, TH_SC_EXT_ADD);
    assert_int_equal(x->ext_ops[2].type, 0x1234);
    assert_int_equal(x->ext_ops[2].body_len, 2);
    assert_int_equal(x->ext_ops[2].body[1], 2);
    assert_int_equal(x->ext_ops[2].position, TH_SC_POS_END);
    assert_int_equal(x->ext_ops[3].type, TH_EXT_PADDING);
    assert_int_equal(x->ext_ops[3].position, 3);
    assert_int_equal(x->ext_ops[4].position, TH_SC_POS_LAST);
    assert_int_equal(x->ext_ops[5].op, TH_SC_EXT_REPLACE);
    assert_int_equal(x->ext_ops[5].body_len, 0);
    assert_int_equal(x->ext_ops[6].op, TH_SC_EXT_DUPLICATE);
    assert_int_equal(x->ext_ops[6].type, TH_EXT_SUPPORTED_GROUPS);
    assert_int_equal(x->ext_ops[7].op, TH_SC_EXT_MOVE);
    assert_int_equal(x->ext_ops[7].type, TH_EXT_PRE_SHARED_KEY);
    assert_int_equal(x->ext_ops[7].position, TH_SC_POS_FIRST);
    assert_true(x->has_body);
    assert_int_equal(x->body_len, 2);
    assert_int_equal(x->body[0], 0x0a);
    assert_int_equal(x->append_len, 1);
    assert_int_equal(x->truncate, 1);
    assert_true(x->has_msg_length);
    assert_int_equal(x->msg_length, 70000);
    assert_true(x->has_msg_type);
    assert_int_equal(x->msg_type, 99);
    assert_int_equal(x->flip.part, TH_SC_FLIP_BINDER);
    assert_int_equal(x->flip.bit, 7);
    assert_int_equal(x->times, 2);
    assert_true(x->no_transcript);
    const th_sc_record_opts *r = &x->rec;
    assert_int_equal(r->epoch, TH_SC_EPOCH_HANDSHAKE);
    assert_true(r->has_content_type);
    assert_int_equal(r->content_type, TH_CT_HANDSHAKE);
    assert_true(r->has_outer_type);
    assert_int_equal(r->outer_type, 23);
    assert_true(r->has_version);
    assert_int_equal(r->version, 0x0301);
    assert_true(r->has_length);
    assert_int_equal(r->length, 5);
    assert_int_equal(r->fragment, 1);
    assert_true(r->coalesce);
    assert_true(r->has_padding);
    assert_int_equal(r->padding, 10);
    assert_true(r->has_pad_byte);
    assert_int_equal(r->pad_byte, 5);
    assert_true(r->no_encrypt);
    const th_sc_send *f = &s->steps.steps[1].send;
    assert_int_equal(f->msg, TH_SC_MSG_FINISHED);
    assert_int_equal(f->msg_type, TH_HS_CLIENT_HELLO);
    assert_int_equal(f->flip.part, TH_SC_FLIP_VERIFY_DATA);
    assert_int_equal(f->times, 0);
    done(&l);
}

static void test_send_record_kinds(void **state) {
    loaded l;
    const th_scenario *s = load_one(&l, HEAD "steps:\n"
                                             "  - send: change_cipher_spec\n"
                                             "  - send: change_cipher_spec\n"
                                             "    data_hex: \"02\"\n"
                                             "  - send: alert\n"
                                             "    alert: decode_error\n"
                                             "  - send: alert\n"
                                             "    alert: 200\n"
                                             "    level: warning\n"
                                             "  - send: application_data\n"
                                             "    data: hello\n"
                                             "  - send: application_data\n"
                                             "    fill: 16385\n"
                                             "    flip: {part: tag}\n"
                                             "  - send: close_notify\n"
                                             "  - send: record\n"
                                             "    content_type: 0x42\n"
                                             "    data_hex: \"0102\"\n"
                                             "  - send: raw\n"
                                             "    data_hex: \"16 03 01\"\n"
                                             "  - send: key_update\n"
                                             "    set: {request_update: 1}\n"
                                             "  - send: application_data\n");
    const th_sc_step *st = s->steps.steps;
    assert_int_equal(s->steps.num_steps, 11);
    assert_int_equal(st[0].send.kind, TH_SC_SEND_CCS);
    assert_int_equal(st[0].send.data_len, 1);
    assert_int_equal(st[0].send.data[0], 1);
    assert_int_equal(st[1].send.data[0], 2);
    assert_int_equal(st[2].send.kind, TH_SC_SEND_ALERT);
    assert_int_equal(st[2].send.alert_level, 2);
    assert_int_equal(st[2].send.alert_desc, TH_ALERT_DECODE_ERROR);
    assert_int_equal(st[3].send.alert_level, 1);
    assert_int_equal(st[3].send.alert_desc, 200);
    assert_int_equal(st[4].send.kind, TH_SC_SEND_APP_DATA);
    assert_int_equal(st[4].send.data_len, 5);
    assert_memory_equal(st[4].send.data, "hello", 5);
    assert_int_equal(st[5].send.data_len, 16385);
    assert_int_equal(st[5].send.data[16384], 0);
    assert_int_equal(st[5].send.flip.part, TH_SC_FLIP_TAG);
    assert_int_equal(st[6].send.kind, TH_SC_SEND_CLOSE_NOTIFY);
    assert_int_equal(st[6].send.alert_desc, TH_ALERT_CLOSE_NOTIFY);
    assert_int_equal(st[7].send.kind, TH_SC_SEND_RECORD);
    assert_true(st[7].send.rec.has_content_type);
    assert_int_equal(st[7].send.rec.content_type, 0x42);
    assert_int_equal(st[7].send.data_len, 2);
    assert_int_equal(st[8].send.kind, TH_SC_SEND_RAW);
    assert_int_equal(st[8].send.data_len, 3);
    assert_int_equal(st[8].send.data[0], 0x16);
    assert_int_equal(st[9].send.msg, TH_SC_MSG_KEY_UPDATE);
    assert_int_equal(st[9].send.num_sets, 1);
    assert_int_equal(st[9].send.sets[0].field, TH_SC_F_KU_REQUEST_UPDATE);
    assert_int_equal(st[9].send.key_update_request, 1);
    assert_int_equal(st[10].send.data_len, 0);
    done(&l);
}

static void test_expect_kinds(void **state) {
    loaded l;
    const th_scenario *s = load_one(
        &l, HEAD "steps:\n"
                 "  - expect: server_hello\n"
                 "  - expect: close\n"
                 "  - expect: change_cipher_spec\n"
                 "  - expect: established\n"
                 "  - expect: {message: server_hello, fields: {cipher_suite: "
                 "TLS_AES_128_GCM_SHA256},\n"
                 "             extensions_present: [key_share], extensions_absent: [early_data]}\n"
                 "  - expect: {alert: decode_error}\n"
                 "  - expect: {alert: [illegal_parameter, 50], level: fatal}\n"
                 "  - expect: {nothing: 300}\n"
                 "  - expect: {application_data: hello}\n"
                 "  - expect: {application_data_hex: \"0001\"}\n"
                 "  - expect: {negotiated: {version: tls1.3, cipher_suite: 0x1301, group: "
                 "x25519,\n"
                 "             alpn: h2, resumed: true, hello_retry: false, "
                 "early_data_accepted: true}}\n"
                 "  - expect: {negotiated: {alpn: \"\"}}\n"
                 "  - expect: {message: hello_retry_request, fields: {selected_group: "
                 "secp256r1, cipher_suite: 0x1301}}\n");
    const th_sc_step *st = s->steps.steps;
    assert_int_equal(s->steps.num_steps, 13);
    assert_int_equal(st[0].kind, TH_SC_STEP_EXPECT);
    assert_int_equal(st[0].expect.kind, TH_SC_EXPECT_MESSAGE);
    assert_int_equal(st[0].expect.msg, TH_SC_MSG_SERVER_HELLO);
    assert_int_equal(st[1].expect.kind, TH_SC_EXPECT_CLOSE);
    assert_int_equal(st[2].expect.kind, TH_SC_EXPECT_CCS);
    assert_int_equal(st[3].expect.kind, TH_SC_EXPECT_ESTABLISHED);
    const th_sc_expect *m = &st[4].expect;
    assert_int_equal(m->kind, TH_SC_EXPECT_MESSAGE);
    assert_int_equal(m->num_fields, 1);
    assert_int_equal(m->fields[0].field, TH_SC_F_SH_CIPHER_SUITE);
    assert_int_equal(m->fields[0].value.i, 0x1301);
    assert_int_equal(m->num_ext_present, 1);
    assert_int_equal(m->ext_present[0], TH_EXT_KEY_SHARE);
    assert_int_equal(m->num_ext_absent, 1);
    assert_int_equal(m->ext_absent[0], TH_EXT_EARLY_DATA);
    assert_int_equal(st[5].expect.kind, TH_SC_EXPECT_ALERT);
    assert_int_equal(st[5].expect.num_alerts, 1);
    assert_int_equal(st[5].expect.alerts[0], TH_ALERT_DECODE_ERROR);
    assert_int_equal(st[5].expect.level, 0);
    assert_int_equal(st[6].expect.num_alerts, 2);
    assert_int_equal(st[6].expect.alerts[0], TH_ALERT_ILLEGAL_PARAMETER);
    assert_int_equal(st[6].expect.alerts[1], 50);
    assert_int_equal(st[6].expect.level, 2);
    assert_int_equal(st[7].expect.kind, TH_SC_EXPECT_NOTHING);
    assert_int_equal(st[7].expect.deadline_ms, 300);
    assert_int_equal(st[8].expect.kind, TH_SC_EXPECT_APP_DATA);
    assert_int_equal(st[8].expect.data_len, 5);
    assert_int_equal(st[9].expect.data_len, 2);
    assert_int_equal(st[9].expect.data[1], 1);
    const th_sc_expect *n = &st[10].expect;
    assert_int_equal(n->kind, TH_SC_EXPECT_NEGOTIATED);
    assert_int_equal(n->version, TH_VERSION_TLS13);
    assert_int_equal(n->cipher_suite, 0x1301);
    assert_int_equal(n->group, 29);
    assert_string_equal(n->alpn, "h2");
    assert_int_equal(n->resumed, 1);
    assert_int_equal(n->hello_retry, 0);
    assert_int_equal(n->early_data_accepted, 1);
    /* Unchecked: 0, NULL, -1. */
    assert_int_equal(st[11].expect.version, 0);
    assert_string_equal(st[11].expect.alpn, "");
    assert_int_equal(st[11].expect.resumed, -1);
    assert_int_equal(st[11].expect.hello_retry, -1);
    assert_int_equal(st[11].expect.early_data_accepted, -1);
    assert_int_equal(st[12].expect.msg, TH_SC_MSG_HELLO_RETRY_REQUEST);
    assert_int_equal(st[12].expect.num_fields, 2);
    assert_int_equal(st[12].expect.fields[0].field, TH_SC_F_HRR_SELECTED_GROUP);
    assert_int_equal(st[12].expect.fields[1].field, TH_SC_F_SH_CIPHER_SUITE);
    done(&l);
}

static void test_handshake_any_of_repeat(void **state) {
    loaded l;
    const th_scenario *s = load_one(
        &l, HEAD "steps:\n"
                 "  - handshake: {until: finished, skip: [certificate, certificate_verify]}\n"
                 "  - any_of:\n"
                 "      - [{expect: {alert: illegal_parameter}}, {expect: close}]\n"
                 "      - [{expect: server_hello}]\n"
                 "  - repeat: {count: 3, steps: [{send: application_data, data: x},\n"
                 "                               {expect: {application_data: x}}]}\n");
    const th_sc_step *st = s->steps.steps;
    assert_int_equal(st[0].kind, TH_SC_STEP_HANDSHAKE);
    assert_int_equal(st[0].handshake.until, TH_SC_MSG_FINISHED);
    assert_int_equal(st[0].handshake.num_skip, 2);
    assert_int_equal(st[0].handshake.skip[1], TH_SC_MSG_CERTIFICATE_VERIFY);
    assert_int_equal(st[1].kind, TH_SC_STEP_ANY_OF);
    assert_int_equal(st[1].num_alts, 2);
    assert_int_equal(st[1].alts[0].num_steps, 2);
    assert_int_equal(st[1].alts[0].steps[1].expect.kind, TH_SC_EXPECT_CLOSE);
    assert_int_equal(st[1].alts[0].steps[1].loc.line, 8);
    assert_int_equal(st[1].alts[0].steps[1].loc.column, 48);
    assert_int_equal(st[1].alts[1].steps[0].expect.msg, TH_SC_MSG_SERVER_HELLO);
    assert_int_equal(st[2].kind, TH_SC_STEP_REPEAT);
    assert_int_equal(st[2].count, 3);
    assert_int_equal(st[2].body.num_steps, 2);
    assert_int_equal(st[2].body.steps[0].send.kind, TH_SC_SEND_APP_DATA);
    done(&l);
}

static void test_matrix_expands_in_order(void **state) {
    loaded l;
    load(&l, "id: t.m\ntitle: \"${suite} over ${group}\"\nrfc: {doc: 8446, section: 9.1}\n"
             "role: client\n"
             "config: {cipher_suites: [\"${suite}\"], groups: [\"${group}\"]}\n"
             "matrix:\n"
             "  suite: [TLS_AES_128_GCM_SHA256, TLS_AES_256_GCM_SHA384]\n"
             "  group: [x25519, secp256r1, 0x18]\n"
             "steps:\n"
             "  - handshake: complete\n"
             "  - expect: {negotiated: {cipher_suite: \"${suite}\", group: \"${group}\"}}\n");
    if (!l.ok) {
        dump(&l);
    }
    assert_true(l.ok);
    assert_int_equal(l.set.num_scenarios, 6);
    static const char *const kLabels[] = {
        "suite=TLS_AES_128_GCM_SHA256,group=x25519",
        "suite=TLS_AES_128_GCM_SHA256,group=secp256r1",
        "suite=TLS_AES_128_GCM_SHA256,group=0x18",
        "suite=TLS_AES_256_GCM_SHA384,group=x25519",
        "suite=TLS_AES_256_GCM_SHA384,group=secp256r1",
        "suite=TLS_AES_256_GCM_SHA384,group=0x18",
    };
    static const uint16_t kSuites[] = {0x1301, 0x1301, 0x1301, 0x1302, 0x1302, 0x1302};
    static const uint16_t kGroups[] = {29, 23, 24, 29, 23, 24};
    for (size_t i = 0; i < 6; i++) {
        const th_scenario *s = l.set.scenarios[i];
        assert_string_equal(s->id, "t.m");
        assert_string_equal(s->matrix_label, kLabels[i]);
        assert_int_equal(s->ours.cipher_suites[0], kSuites[i]);
        assert_int_equal(s->peer.cipher_suites[0], kSuites[i]);
        assert_int_equal(s->ours.groups[0], kGroups[i]);
        assert_int_equal(s->steps.steps[1].expect.cipher_suite, kSuites[i]);
        assert_int_equal(s->steps.steps[1].expect.group, kGroups[i]);
    }
    assert_string_equal(l.set.scenarios[4]->title, "TLS_AES_256_GCM_SHA384 over secp256r1");
    done(&l);
}

static void test_several_documents_and_empty_ones(void **state) {
    loaded l;
    load(&l, "---\n" HEAD "steps: [{expect: close}]\n---\n"
             "id: t.two\ntitle: T\nrfc: {doc: 1, section: 2}\nrole: server\n"
             "steps: [{expect: close}]\n---\n");
    assert_true(l.ok);
    assert_int_equal(l.set.num_scenarios, 2);
    assert_int_equal(l.set.scenarios[1]->loc.line, 8);
    assert_int_equal(l.set.num_files, 1);
    done(&l);
}

/* ---- errors, each at its line and column ---- */

static void test_error_unknown_key_lists_allowed(void **state) {
    expect_error(HEAD "colour: red\nsteps: [{expect: close}]\n", 5, 1,
                 "unknown key 'colour' in a scenario (expected one of: id, title, rfc, role, "
                 "peers, config, peer, matrix, steps)");
    expect_error(HEAD "config: {grups: [x25519]}\nsteps: [{expect: close}]\n", 5, 10,
                 "unknown key 'grups' in config");
    expect_error(HEAD "steps:\n  - send: alert\n    alert: 1\n    data: x\n", 8, 5,
                 "unknown key 'data' in a send alert step");
    expect_error(HEAD "steps: [{expect: {alert: 1, fields: {}}}]\n", 5, 29,
                 "unknown key 'fields' in an expectation");
}

static void test_error_wrong_type(void **state) {
    expect_error(HEAD "config:\n  cipher_suites: {a: b}\nsteps: [{expect: close}]\n", 6, 18,
                 "expected a list of cipher suite names or numbers, got a mapping");
    expect_error(HEAD "config:\n  groups: x25519\nsteps: [{expect: close}]\n", 6, 11,
                 "expected a list of group names or numbers, got 'x25519'");
    expect_error(HEAD "config: {resume: yes}\nsteps: [{expect: close}]\n", 5, 18,
                 "expected true or false for resume, got 'yes'");
    expect_error(HEAD "steps: {send: client_hello}\n", 5, 8,
                 "expected a list of steps, got a mapping");
    expect_error(HEAD "steps: [client_hello]\n", 5, 9, "expected a step");
    expect_error("- a\n- b\n", 1, 1, "expected a scenario (a mapping");
    expect_error(HEAD "title: [x]\nsteps: [{expect: close}]\n", 5, 1, "duplicate key 'title'");
}

static void test_error_unknown_names(void **state) {
    expect_error(HEAD "steps: [{send: client_helo}]\n", 5, 16,
                 "unknown message 'client_helo' to send");
    expect_error(HEAD "steps: [{expect: server_helo}]\n", 5, 18,
                 "unknown message 'server_helo' to expect");
    expect_error(HEAD "steps: [{expect: {message: foo}}]\n", 5, 28, "unknown message 'foo'");
    expect_error(HEAD "steps: [{expect: {alert: decode_eror}}]\n", 5, 26,
                 "unknown alert 'decode_eror'");
    expect_error(HEAD "config: {cipher_suites: [TLS_FOO]}\nsteps: [{expect: close}]\n", 5, 26,
                 "unknown cipher suite 'TLS_FOO'");
    expect_error(HEAD "config: {groups: [x25519, p256]}\nsteps: [{expect: close}]\n", 5, 27,
                 "unknown group 'p256'");
    expect_error(HEAD "config: {signature_schemes: [ecdsa]}\nsteps: [{expect: close}]\n", 5, 30,
                 "unknown signature scheme 'ecdsa'");
    expect_error(HEAD "steps: [{send: client_hello, remove_extensions: [keyshare]}]\n", 5, 50,
                 "unknown extension 'keyshare'");
    expect_error(HEAD "config: {versions: [tls1.4]}\nsteps: [{expect: close}]\n", 5, 21,
                 "unknown version 'tls1.4'");
    expect_error(HEAD "steps: [{send: client_hello, set: {cipher_suite: 1}}]\n", 5, 36,
                 "unknown field 'cipher_suite' of client_hello (expected one of: legacy_version");
    expect_error(HEAD "peers: [boringssl, openssl]\nsteps: [{expect: close}]\n", 5, 20,
                 "unknown peer 'openssl'");
    expect_error(HEAD "steps: [{send: record, content_type: bogus}]\n", 5, 38,
                 "unknown content type 'bogus'");
    expect_error(HEAD "steps: [{send: finished, flip: {part: mac}}]\n", 5, 39,
                 "unknown flip part 'mac'");
    expect_error(HEAD "steps: [{send: finished, record: {epoch: late}}]\n", 5, 42,
                 "unknown epoch 'late'");
}

static void test_error_missing_required(void **state) {
    expect_error("id: t.x\ntitle: T\nrole: client\nsteps: [{expect: close}]\n", 1, 1,
                 "missing required key 'rfc' in a scenario");
    expect_error("id: t.x\ntitle: T\nrfc: {doc: 8446}\nrole: client\nsteps: [{expect: close}]\n", 3,
                 6, "missing required key 'section' in rfc");
    expect_error(HEAD "steps: [{send: alert}]\n", 5, 9,
                 "missing required key 'alert' in a send alert step");
    expect_error(HEAD "steps: [{send: raw}]\n", 5, 9, "missing data");
    expect_error(HEAD "steps: [{repeat: {count: 2}}]\n", 5, 18,
                 "missing required key 'steps' in repeat");
    expect_error(HEAD "steps: [{send: client_hello, move_extensions: [{type: 1}]}]\n", 5, 48,
                 "missing required key 'position'");
    expect_error(HEAD, 1, 1, "missing required key 'steps'");
}

static void test_error_step_kinds(void **state) {
    expect_error(HEAD "steps: []\n", 5, 8, "expected a non-empty list of steps");
    expect_error(HEAD "steps: [{send: finished, expect: close}]\n", 5, 26,
                 "a step has exactly one of send, expect, handshake, any_of, repeat: 'expect' "
                 "comes with 'send'");
    expect_error(HEAD "steps: [{times: 2}]\n", 5, 9, "a step needs one of send, expect");
    expect_error(HEAD "steps: [{expect: {}}]\n", 5, 18, "expected one of message, alert");
    expect_error(HEAD "steps: [{any_of: []}]\n", 5, 18, "non-empty list of alternatives");
    expect_error(HEAD "steps: [{any_of: [[]]}]\n", 5, 19, "expected a non-empty list of steps");
    expect_error(HEAD "steps: [{handshake: done}]\n", 5, 21, "expected complete or");
}

static void test_error_duplicate_id_names_both(void **state) {
    loaded l;
    load(&l, HEAD "steps: [{expect: close}]\n---\n" HEAD "steps: [{expect: close}]\n");
    assert_false(l.ok);
    assert_true(
        has_error(&l, 7, 5, "duplicate id 't.one' (already used by the scenario at t.yaml:1:1)"));
    assert_int_equal(l.set.num_scenarios, 1);
    done(&l);
    expect_error("id: Bad.Id\ntitle: T\nrfc: {doc: 1, section: 2}\nrole: client\n"
                 "steps: [{expect: close}]\n",
                 1, 5, "bad id 'Bad.Id'");
}

static void test_error_duplicate_key(void **state) {
    expect_error(HEAD "steps:\n  - send: client_hello\n    times: 1\n    times: 2\n", 8, 5,
                 "duplicate key 'times' in a send client_hello step (first at line 7, column 5)");
    expect_error(HEAD "steps: [{send: client_hello, set: {random: \"00\", random: \"01\"}}]\n", 5,
                 50, "duplicate key 'random'");
    expect_error(HEAD "matrix: {a: [1], a: [2]}\nsteps: [{expect: {nothing: \"${a}\"}}]\n", 5, 18,
                 "duplicate key 'a' in matrix (first at line 5, column 10)");
}

static void test_error_bad_hex(void **state) {
    expect_error(HEAD "steps: [{send: finished, body: \"0g\"}]\n", 5, 32,
                 "bad hex string for body: 'g' at offset 1 is not a hex digit");
    expect_error(HEAD "steps: [{send: raw, data_hex: \"123\"}]\n", 5, 31,
                 "odd number of hex digits (3)");
    expect_error(HEAD "steps: [{send: client_hello, set: {random: \"0011\"}}]\n", 5, 44,
                 "random must be 32 bytes, got 2");
}

static void test_error_out_of_range(void **state) {
    expect_error(HEAD "config: {cipher_suites: [0x10000]}\nsteps: [{expect: close}]\n", 5, 26,
                 "cipher suite 0x10000 is out of range (0..65535)");
    expect_error(HEAD "steps: [{send: alert, alert: 256}]\n", 5, 30,
                 "alert 256 is out of range (0..255)");
    expect_error(HEAD "steps: [{send: finished, length: 0x1000000}]\n", 5, 34,
                 "out of range for a handshake length (0..16777215)");
    expect_error(HEAD "steps: [{send: finished, times: 99999999999999999999999}]\n", 5, 33,
                 "out of range");
    expect_error(HEAD "steps: [{expect: {nothing: -1}}]\n", 5, 28,
                 "expected milliseconds, got '-1'");
    expect_error(HEAD "steps: [{send: application_data, fill: 100000000}]\n", 5, 40,
                 "out of range for a byte count");
    expect_error(HEAD "steps: [{send: finished, times: 0}]\n", 5, 33, "times must be at least 1");
}

static void test_error_yaml_syntax(void **state) {
    expect_error("id: a\n  b: [\n", 2, 4, "YAML syntax error: mapping values are not allowed");
    expect_error(HEAD "steps: [{expect: close}\n", 6, 1, "YAML syntax error");
    expect_error("key: &a [1]\nother: *b\n", 2, 8, "YAML error");
}

static void test_error_matrix_variables(void **state) {
    expect_error(HEAD "steps: [{expect: {alert: \"${x}\"}}]\n", 5, 26,
                 "matrix variable '${x}' is used but the scenario has no matrix");
    expect_error(HEAD "matrix: {a: [1]}\nsteps: [{expect: {alert: \"${b}\"}}]\n", 6, 26,
                 "matrix variable '${b}' is used but not defined in matrix");
    expect_error(HEAD "matrix: {a: [1]}\nsteps: [{expect: close}]\n", 5, 10,
                 "matrix variable 'a' is defined but never used as ${a}");
    expect_error(HEAD "matrix: {a: []}\nsteps: [{expect: {alert: \"${a}\"}}]\n", 5, 13,
                 "expected a non-empty list of values for matrix variable 'a'");
    /* A bad value in one row is reported with its substituted text. */
    expect_error(HEAD "matrix: {a: [decode_error, nope]}\nsteps: [{expect: {alert: \"${a}\"}}]\n",
                 6, 26, "unknown alert 'nope'");
}

static void test_all_errors_of_a_file_are_collected(void **state) {
    loaded l;
    load(&l, "id: t.a\ntitle: T\nrfc: {doc: 1, section: 2}\nrole: side\n"
             "config: {groups: [nope], versions: [tls9]}\n"
             "steps:\n  - send: nothing\n  - expect: {alert: nope}\n---\n"
             "id: t.b\ntitle: T\nrfc: {doc: 1}\nrole: client\nsteps: []\n");
    assert_false(l.ok);
    assert_int_equal(l.errs.num, 7);
    done(&l);
}

static void test_nesting_depth_is_bounded(void **state) {
    char yaml[8192];
    size_t o = (size_t)snprintf(yaml, sizeof(yaml), HEAD "steps: ");
    for (int i = 0; i < 40; i++) {
        o += (size_t)snprintf(yaml + o, sizeof(yaml) - o, "[{repeat: {count: 1, steps: ");
    }
    o += (size_t)snprintf(yaml + o, sizeof(yaml) - o, "[{expect: close}]");
    for (int i = 0; i < 40; i++) {
        o += (size_t)snprintf(yaml + o, sizeof(yaml) - o, "}}]");
    }
    snprintf(yaml + o, sizeof(yaml) - o, "\n");
    loaded l;
    load(&l, yaml);
    assert_false(l.ok);
    assert_non_null(strstr(l.errs.msgs[0], "steps nested too deep"));
    done(&l);
}

static void test_alias_bomb_is_bounded(void **state) {
    /* Each level is ten references to the one before: 10^8 steps unbounded. */
    loaded l;
    load(&l, HEAD "x0: &a0 [{expect: close}, {expect: close}]\n"
                  "steps:\n"
                  "  - repeat: {count: 1, steps: &a1 [{any_of: [*a0,*a0,*a0,*a0,*a0,*a0,*a0,*a0]}"
                  ",{any_of: [*a0,*a0,*a0,*a0,*a0,*a0,*a0,*a0]}]}\n"
                  "  - repeat: {count: 1, steps: &a2 [{any_of: [*a1,*a1,*a1,*a1,*a1,*a1,*a1,*a1]}"
                  ",{any_of: [*a1,*a1,*a1,*a1,*a1,*a1,*a1,*a1]}]}\n"
                  "  - repeat: {count: 1, steps: &a3 [{any_of: [*a2,*a2,*a2,*a2,*a2,*a2,*a2,*a2]}"
                  ",{any_of: [*a2,*a2,*a2,*a2,*a2,*a2,*a2,*a2]}]}\n"
                  "  - repeat: {count: 1, steps: &a4 [{any_of: [*a3,*a3,*a3,*a3,*a3,*a3,*a3,*a3]}"
                  ",{any_of: [*a3,*a3,*a3,*a3,*a3,*a3,*a3,*a3]}]}\n"
                  "  - repeat: {count: 1, steps: &a5 [{any_of: [*a4,*a4,*a4,*a4,*a4,*a4,*a4,*a4]}"
                  ",{any_of: [*a4,*a4,*a4,*a4,*a4,*a4,*a4,*a4]}]}\n");
    assert_false(l.ok);
    int budget = 0;
    for (size_t i = 0; i < l.errs.num; i++) {
        if (strstr(l.errs.msgs[i], "file too large to load") != NULL) {
            budget = 1;
        }
    }
    assert_true(budget);
    done(&l);
}

static void test_matrix_size_is_bounded(void **state) {
    expect_error(HEAD "matrix:\n  a: [1,2,3,4,5,6,7,8,9,10,11]\n  b: [1,2,3,4,5,6,7,8,9,10,11]\n"
                      "  c: [1,2,3,4,5,6,7,8,9,10,11]\n"
                      "steps: [{expect: {alert: \"${a}\", level: \"${b}\"}}, "
                      "{expect: {nothing: \"${c}\"}}]\n",
                 8, 3, "matrix too large: more than 1024 combinations");
}

/* ---- files and directories ---- */

static void write_file(const char *path, const char *text) {
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static void test_load_paths_walks_sorted_and_skips(void **state) {
    char dir[] = "/tmp/th_load_XXXXXX";
    assert_non_null(mkdtemp(dir));
    char p[512];
    snprintf(p, sizeof(p), "%s/b", dir);
    assert_int_equal(mkdir(p, 0700), 0);
    snprintf(p, sizeof(p), "%s/pki", dir);
    assert_int_equal(mkdir(p, 0700), 0);
    static const char *const kFiles[] = {"b/z.yaml",          "a.yml",    "b/c.yaml", "pki/x.yaml",
                                         "expectations.yaml", "notes.txt"};
    for (size_t i = 0; i < 6; i++) {
        char text[256];
        snprintf(text, sizeof(text),
                 "id: f%zu\ntitle: T\nrfc: {doc: 1, section: 2}\nrole: client\n"
                 "steps: [{expect: close}]\n",
                 i);
        snprintf(p, sizeof(p), "%s/%s", dir, kFiles[i]);
        write_file(p, text);
    }
    th_scenario_set set;
    th_sc_errors errs;
    memset(&set, 0, sizeof(set));
    memset(&errs, 0, sizeof(errs));
    const char *paths[] = {dir};
    assert_true(th_scenario_load_paths(paths, 1, &set, &errs));
    assert_int_equal(set.num_scenarios, 3);
    assert_string_equal(set.scenarios[0]->id, "f1"); /* a.yml */
    assert_string_equal(set.scenarios[1]->id, "f2"); /* b/c.yaml */
    assert_string_equal(set.scenarios[2]->id, "f0"); /* b/z.yaml */
    assert_int_equal(set.num_files, 3);
    assert_non_null(strstr(set.scenarios[2]->loc.file, "/b/z.yaml"));
    /* A missing path is an error; the rest still loads. */
    snprintf(p, sizeof(p), "%s/missing.yaml", dir);
    const char *paths2[] = {p};
    assert_false(th_scenario_load_paths(paths2, 1, &set, &errs));
    assert_int_equal(errs.num, 1);
    assert_non_null(strstr(errs.msgs[0], "missing.yaml: No such file or directory"));
    th_scenario_set_cleanup(&set);
    th_sc_errors_cleanup(&errs);
    for (size_t i = 0; i < 6; i++) {
        snprintf(p, sizeof(p), "%s/%s", dir, kFiles[i]);
        unlink(p);
    }
    snprintf(p, sizeof(p), "%s/b", dir);
    rmdir(p);
    snprintf(p, sizeof(p), "%s/pki", dir);
    rmdir(p);
    rmdir(dir);
}

static void test_load_file_reports_path(void **state) {
    char path[] = "/tmp/th_load_file_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    write_file(path, HEAD "steps: [{expect: clos}]\n");
    th_scenario_set set;
    th_sc_errors errs;
    memset(&set, 0, sizeof(set));
    memset(&errs, 0, sizeof(errs));
    assert_false(th_scenario_load_file(path, &set, &errs));
    assert_int_equal(errs.num, 1);
    char prefix[128];
    snprintf(prefix, sizeof(prefix), "%s:5:18: unknown message 'clos'", path);
    assert_int_equal(strncmp(errs.msgs[0], prefix, strlen(prefix)), 0);
    th_scenario_set_cleanup(&set);
    th_sc_errors_cleanup(&errs);
    unlink(path);
}

static void test_field_table(void **state) {
    for (int f = 1; f < TH_SC_NUM_FIELDS; f++) {
        const th_sc_field_info *info = th_sc_field_info_of((th_sc_field)f);
        assert_non_null(info);
        assert_int_equal(info->field, f);
        assert_ptr_equal(th_sc_field_by_name(info->msg, info->name), info);
    }
    assert_null(th_sc_field_info_of(TH_SC_F_NONE));
    assert_null(th_sc_field_by_name(TH_SC_MSG_FINISHED, "random"));
    for (int m = 1; m < TH_SC_NUM_MSGS; m++) {
        const char *name = th_sc_msg_name((th_sc_msg)m);
        assert_non_null(name);
        assert_int_equal(th_sc_msg_by_name(name), m);
    }
    assert_null(th_sc_msg_name(TH_SC_MSG_NONE));
    assert_int_equal(th_sc_msg_by_name("nope"), TH_SC_MSG_NONE);
    assert_int_equal(th_sc_msg_wire_type(TH_SC_MSG_HELLO_RETRY_REQUEST), TH_HS_SERVER_HELLO);
    assert_int_equal(th_sc_msg_wire_type(TH_SC_MSG_FINISHED), TH_HS_FINISHED);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_minimal_scenario_gets_defaults),
        cmocka_unit_test(test_config_and_peer_override),
        cmocka_unit_test(test_send_message_modifiers),
        cmocka_unit_test(test_send_record_kinds),
        cmocka_unit_test(test_expect_kinds),
        cmocka_unit_test(test_handshake_any_of_repeat),
        cmocka_unit_test(test_matrix_expands_in_order),
        cmocka_unit_test(test_several_documents_and_empty_ones),
        cmocka_unit_test(test_error_unknown_key_lists_allowed),
        cmocka_unit_test(test_error_wrong_type),
        cmocka_unit_test(test_error_unknown_names),
        cmocka_unit_test(test_error_missing_required),
        cmocka_unit_test(test_error_step_kinds),
        cmocka_unit_test(test_error_duplicate_id_names_both),
        cmocka_unit_test(test_error_duplicate_key),
        cmocka_unit_test(test_error_bad_hex),
        cmocka_unit_test(test_error_out_of_range),
        cmocka_unit_test(test_error_yaml_syntax),
        cmocka_unit_test(test_error_matrix_variables),
        cmocka_unit_test(test_all_errors_of_a_file_are_collected),
        cmocka_unit_test(test_nesting_depth_is_bounded),
        cmocka_unit_test(test_alias_bomb_is_bounded),
        cmocka_unit_test(test_matrix_size_is_bounded),
        cmocka_unit_test(test_load_paths_walks_sorted_and_skips),
        cmocka_unit_test(test_load_file_reports_path),
        cmocka_unit_test(test_field_table),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
