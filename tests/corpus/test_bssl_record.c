/* Recording BoringSSL handshakes: what each configuration puts in the
 * recording, and the child-process serialisation. The group setup makes the
 * PKI once; each test gets it as *state. */
#include <stdio.h>
#include <stdlib.h>

#include <openssl/mem.h>

#include "testutil.h"

#include "bssl_record.h"
#include "record.h"
#include "server_hello.h"

static int setup(void **state) {
    th_corpus_pki *pki = malloc(sizeof(*pki));
    if (pki == NULL || !th_corpus_pki_init(pki)) {
        free(pki);
        return -1;
    }
    *state = pki;
    return 0;
}

static int teardown(void **state) {
    th_corpus_pki_cleanup(*state);
    free(*state);
    return 0;
}

/* The |nth| message (0-based) from |from| of content type |ct| and, for
 * handshake messages, type |hs_type| (-1: any); NULL if absent. */
static const th_bssl_msg *find_msg(const th_bssl_conn *c, int from, uint8_t ct, int hs_type,
                                   int nth) {
    for (size_t i = 0; i < c->num_msgs; i++) {
        const th_bssl_msg *m = &c->msgs[i];
        if (m->from != from || m->content_type != ct) {
            continue;
        }
        if (hs_type >= 0 && (m->len == 0 || m->data[0] != hs_type)) {
            continue;
        }
        if (nth-- == 0) {
            return m;
        }
    }
    return NULL;
}

static void record_ok(void **state, const char *name, th_bssl_recording *rec) {
    const th_corpus_config *cfg = th_corpus_config_find(name);
    assert_non_null(cfg);
    assert_true(th_bssl_record(cfg, *state, rec, stderr));
}

static void test_record_tls13_full_handshake(void **state) {
    th_bssl_recording rec;
    record_ok(state, "tls13_x25519", &rec);
    assert_int_equal(rec.num_conns, 1);
    const th_bssl_conn *c = &rec.conns[0];
    assert_true(c->established);
    assert_false(c->resumed);
    assert_int_equal(c->version, TH_VERSION_TLS13);
    /* The first message is the client's ClientHello, with its header. */
    assert_int_equal(c->msgs[0].from, TH_BSSL_CLIENT);
    assert_int_equal(c->msgs[0].content_type, TH_CT_HANDSHAKE);
    assert_int_equal(c->msgs[0].data[0], TH_HS_CLIENT_HELLO);
    assert_int_equal(c->msgs[0].len, 4 + ((size_t)c->msgs[0].data[2] << 8 | c->msgs[0].data[3]));
    assert_non_null(find_msg(c, TH_BSSL_SERVER, TH_CT_HANDSHAKE, TH_HS_SERVER_HELLO, 0));
    assert_non_null(find_msg(c, TH_BSSL_SERVER, TH_CT_HANDSHAKE, TH_HS_ENCRYPTED_EXTENSIONS, 0));
    assert_non_null(find_msg(c, TH_BSSL_SERVER, TH_CT_HANDSHAKE, TH_HS_CERTIFICATE_VERIFY, 0));
    assert_non_null(find_msg(c, TH_BSSL_CLIENT, TH_CT_HANDSHAKE, TH_HS_FINISHED, 0));
    assert_non_null(find_msg(c, TH_BSSL_SERVER, TH_CT_HANDSHAKE, TH_HS_NEW_SESSION_TICKET, 0));
    /* Application data the driver wrote, and close_notify both ways. */
    assert_non_null(find_msg(c, TH_BSSL_CLIENT, TH_CT_APPLICATION_DATA, -1, 0));
    assert_non_null(find_msg(c, TH_BSSL_SERVER, TH_CT_APPLICATION_DATA, -1, 0));
    for (int from = 0; from < 2; from++) {
        const th_bssl_msg *alert = find_msg(c, from, TH_CT_ALERT, -1, 0);
        assert_non_null(alert);
        assert_int_equal(alert->len, 2);
        assert_int_equal(alert->data[1], TH_ALERT_CLOSE_NOTIFY);
    }
    /* Each side's wire is a whole record stream. */
    for (int from = 0; from < 2; from++) {
        CBS in;
        size_t records = 0;
        CBS_init(&in, c->wire[from], c->wire_len[from]);
        while (CBS_len(&in) != 0) {
            th_record r;
            uint8_t alert;
            assert_true(th_parse_record(&in, &r, &alert));
            records++;
        }
        assert_true(records >= 3);
    }
    th_bssl_recording_cleanup(&rec);
    th_bssl_recording_cleanup(&rec);
}

static void test_record_key_update_both_ways(void **state) {
    th_bssl_recording rec;
    record_ok(state, "tls13_key_update", &rec);
    const th_bssl_conn *c = &rec.conns[0];
    const th_bssl_msg *cku = find_msg(c, TH_BSSL_CLIENT, TH_CT_HANDSHAKE, TH_HS_KEY_UPDATE, 0);
    const th_bssl_msg *sku = find_msg(c, TH_BSSL_SERVER, TH_CT_HANDSHAKE, TH_HS_KEY_UPDATE, 0);
    assert_non_null(cku);
    assert_non_null(sku);
    assert_int_equal(cku->len, 5);
    assert_int_equal(cku->data[4], 1); /* update_requested */
    assert_int_equal(sku->data[4], 0); /* the answer: update_not_requested */
    th_bssl_recording_cleanup(&rec);
}

static void test_record_early_data_resumption(void **state) {
    th_bssl_recording rec;
    record_ok(state, "tls13_early_data", &rec);
    assert_int_equal(rec.num_conns, 2);
    const th_bssl_conn *c = &rec.conns[1];
    assert_true(c->resumed);
    assert_true(c->early_data_accepted);
    assert_non_null(find_msg(c, TH_BSSL_CLIENT, TH_CT_HANDSHAKE, TH_HS_END_OF_EARLY_DATA, 0));
    /* The early data is the client's first application data. */
    const th_bssl_msg *early = find_msg(c, TH_BSSL_CLIENT, TH_CT_APPLICATION_DATA, -1, 0);
    assert_non_null(early);
    assert_memory_equal(early->data, "GET /early", 10);
    th_bssl_recording_cleanup(&rec);
}

static void test_record_hello_retry_request(void **state) {
    th_bssl_recording rec;
    record_ok(state, "tls13_hrr", &rec);
    const th_bssl_conn *c = &rec.conns[0];
    const th_bssl_msg *hrr = find_msg(c, TH_BSSL_SERVER, TH_CT_HANDSHAKE, TH_HS_SERVER_HELLO, 0);
    assert_non_null(hrr);
    assert_true(hrr->len >= 4 + 2 + TH_RANDOM_LEN);
    assert_memory_equal(hrr->data + 6, th_hrr_random, TH_RANDOM_LEN);
    assert_non_null(find_msg(c, TH_BSSL_CLIENT, TH_CT_HANDSHAKE, TH_HS_CLIENT_HELLO, 1));
    th_bssl_recording_cleanup(&rec);
}

static void test_record_tls12_ticket_and_resumption(void **state) {
    th_bssl_recording rec;
    record_ok(state, "tls12_ticket_resume", &rec);
    assert_int_equal(rec.conns[0].version, TH_VERSION_TLS12);
    assert_non_null(
        find_msg(&rec.conns[0], TH_BSSL_SERVER, TH_CT_HANDSHAKE, TH_HS_NEW_SESSION_TICKET, 0));
    assert_non_null(
        find_msg(&rec.conns[0], TH_BSSL_CLIENT, TH_CT_HANDSHAKE, TH_HS_CLIENT_KEY_EXCHANGE, 0));
    assert_true(rec.conns[1].resumed);
    /* An abbreviated handshake: no Certificate. */
    assert_null(find_msg(&rec.conns[1], TH_BSSL_SERVER, TH_CT_HANDSHAKE, TH_HS_CERTIFICATE, 0));
    assert_non_null(find_msg(&rec.conns[1], TH_BSSL_SERVER, TH_CT_CHANGE_CIPHER_SPEC, -1, 0));
    th_bssl_recording_cleanup(&rec);
}

static void test_record_tls12_ocsp_staple(void **state) {
    th_bssl_recording rec;
    record_ok(state, "tls12_ocsp_sct", &rec);
    const th_bssl_msg *status =
        find_msg(&rec.conns[0], TH_BSSL_SERVER, TH_CT_HANDSHAKE, TH_HS_CERTIFICATE_STATUS, 0);
    assert_non_null(status);
    static const uint8_t kBody[] = {0x01, 0x00, 0x00, 0x05, 0x30, 0x03, 0x0a, 0x01, 0x03};
    assert_int_equal(status->len, 4 + sizeof(kBody));
    assert_memory_equal(status->data + 4, kBody, sizeof(kBody));
    th_bssl_recording_cleanup(&rec);
}

static void test_record_version_mismatch_fails_as_meant(void **state) {
    th_bssl_recording rec;
    record_ok(state, "version_mismatch", &rec);
    const th_bssl_conn *c = &rec.conns[0];
    assert_false(c->established);
    assert_int_equal(c->version, 0);
    const th_bssl_msg *alert = find_msg(c, TH_BSSL_SERVER, TH_CT_ALERT, -1, 0);
    assert_non_null(alert);
    assert_int_equal(alert->data[0], TH_ALERT_LEVEL_FATAL);
    assert_int_equal(alert->data[1], TH_ALERT_PROTOCOL_VERSION);
    th_bssl_recording_cleanup(&rec);
}

static void test_record_certificate_required_alert(void **state) {
    th_bssl_recording rec;
    record_ok(state, "tls13_cert_required", &rec);
    const th_bssl_msg *alert = find_msg(&rec.conns[0], TH_BSSL_SERVER, TH_CT_ALERT, -1, 0);
    assert_non_null(alert);
    assert_int_equal(alert->data[1], TH_ALERT_CERTIFICATE_REQUIRED);
    /* The client's empty Certificate. */
    const th_bssl_msg *cert =
        find_msg(&rec.conns[0], TH_BSSL_CLIENT, TH_CT_HANDSHAKE, TH_HS_CERTIFICATE, 0);
    assert_non_null(cert);
    assert_int_equal(cert->len, 4 + 4);
    th_bssl_recording_cleanup(&rec);
}

static void test_record_bad_row_fails_with_a_reason(void **state) {
    th_corpus_config cfg = *th_corpus_config_find("tls12_ecdhe_rsa_cbc");
    th_bssl_recording rec;
    char *text = NULL;
    size_t text_len = 0;
    FILE *err = open_memstream(&text, &text_len);
    assert_non_null(err);
    cfg.server_ciphers = "NO-SUCH-CIPHER";
    assert_false(th_bssl_record(&cfg, *state, &rec, err));
    assert_int_equal(rec.num_conns, 0);
    cfg = *th_corpus_config_find("tls13_x25519");
    cfg.flags |= TH_CC_EXPECT_FAILURE; /* but nothing makes it fail */
    assert_false(th_bssl_record(&cfg, *state, &rec, err));
    fclose(err);
    assert_non_null(strstr(text, "tls12_ecdhe_rsa_cbc: cannot configure BoringSSL"));
    assert_non_null(strstr(text, "meant to fail"));
    free(text);
}

static void test_record_no_aes_hw_setting_names_a_variable(void **state) {
    const char *env = th_bssl_no_aes_hw_env();
    if (env != NULL) {
        assert_non_null(strchr(env, '='));
    }
    assert_true(th_bssl_has_aes_hw() == 0 || th_bssl_has_aes_hw() == 1);
}

static void serialize(const th_bssl_recording *rec, uint8_t **out, size_t *out_len) {
    CBB cbb;
    assert_true(CBB_init(&cbb, 1024));
    assert_true(th_bssl_recording_serialize(&cbb, rec));
    assert_true(CBB_finish(&cbb, out, out_len));
}

static void test_record_serialization_round_trips(void **state) {
    th_bssl_recording rec, back;
    uint8_t *a, *b;
    size_t a_len, b_len;
    record_ok(state, "tls13_resume", &rec);
    serialize(&rec, &a, &a_len);
    CBS in;
    CBS_init(&in, a, a_len);
    assert_true(th_bssl_recording_parse(&in, &back));
    assert_int_equal(back.num_conns, 2);
    assert_true(back.conns[1].resumed);
    assert_int_equal(back.conns[0].num_msgs, rec.conns[0].num_msgs);
    serialize(&back, &b, &b_len);
    assert_int_equal(a_len, b_len);
    assert_memory_equal(a, b, a_len);
    OPENSSL_free(a);
    OPENSSL_free(b);
    th_bssl_recording_cleanup(&rec);
    th_bssl_recording_cleanup(&back);
}

static void test_record_serialization_truncated_or_trailing_is_rejected(void **state) {
    th_bssl_recording rec, back;
    uint8_t *a;
    size_t a_len;
    record_ok(state, "version_mismatch", &rec);
    serialize(&rec, &a, &a_len);
    for (size_t len = 0; len < a_len; len++) {
        CBS in;
        CBS_init(&in, a, len);
        assert_false(th_bssl_recording_parse(&in, &back));
        assert_int_equal(back.num_conns, 0);
    }
    uint8_t *longer = malloc(a_len + 1);
    assert_non_null(longer);
    memcpy(longer, a, a_len);
    longer[a_len] = 0;
    CBS in;
    CBS_init(&in, longer, a_len + 1);
    assert_false(th_bssl_recording_parse(&in, &back));
    free(longer);
    OPENSSL_free(a);
    th_bssl_recording_cleanup(&rec);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_record_tls13_full_handshake),
        cmocka_unit_test(test_record_key_update_both_ways),
        cmocka_unit_test(test_record_early_data_resumption),
        cmocka_unit_test(test_record_hello_retry_request),
        cmocka_unit_test(test_record_tls12_ticket_and_resumption),
        cmocka_unit_test(test_record_tls12_ocsp_staple),
        cmocka_unit_test(test_record_version_mismatch_fails_as_meant),
        cmocka_unit_test(test_record_certificate_required_alert),
        cmocka_unit_test(test_record_bad_row_fails_with_a_reason),
        cmocka_unit_test(test_record_no_aes_hw_setting_names_a_variable),
        cmocka_unit_test(test_record_serialization_round_trips),
        cmocka_unit_test(test_record_serialization_truncated_or_trailing_is_rejected),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
