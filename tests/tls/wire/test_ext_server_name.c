#include <stdlib.h>
#include <string.h>

#include "ext_test_vectors.h"
#include "ext_types.h"
#include "testutil.h"

TH_CODEC_FN(sni_codec, th_ext_server_name_ch, th_parse_ext_server_name_ch,
            th_write_ext_server_name_ch, th_ext_server_name_ch_cleanup)
TH_CODEC_FN(mfl_codec, th_ext_max_fragment_length, th_parse_ext_max_fragment_length,
            th_write_ext_max_fragment_length, th_test_no_cleanup)
TH_CODEC_FN(status_ch_codec, th_ext_status_request_ch, th_parse_ext_status_request_ch,
            th_write_ext_status_request_ch, th_ext_status_request_ch_cleanup)
TH_CODEC_FN(status_ct_codec, th_certificate_status, th_parse_certificate_status,
            th_write_certificate_status, th_test_no_cleanup)

static int empty_codec(CBS *in, CBB *out, uint8_t *out_alert) {
    if (!th_parse_ext_empty(in, out_alert)) {
        return 0;
    }
    assert_true(th_write_ext_empty(out));
    return 1;
}

/* server_name "server" as in RFC 8448. */
#define SNI_SERVER "0009 00 0006 736572766572"

static void test_sni_vector_roundtrip(void **state) {
    (void)state;
    ext_test_vector_roundtrip(sni_codec, EXT_SIMPLE, "client_hello", TH_EXT_SERVER_NAME);
    ext_test_vector_roundtrip(sni_codec, EXT_RESUMED, "client_hello", TH_EXT_SERVER_NAME);
}

static void test_sni_vector_fields(void **state) {
    (void)state;
    th_ext_block block;
    uint8_t *msg = ext_test_block(EXT_SIMPLE, "client_hello", &block);
    th_bytes body = ext_test_body(&block, TH_EXT_SERVER_NAME);
    th_ext_server_name_ch sni;
    uint8_t alert;
    CBS cbs;
    CBS_init(&cbs, body.data, body.len);
    assert_true(th_parse_ext_server_name_ch(&cbs, &sni, &alert));
    assert_int_equal(sni.num_names, 1);
    assert_int_equal(sni.names[0].name_type, TH_SNI_HOST_NAME);
    const th_bytes *host = th_ext_server_name_host(&sni);
    assert_non_null(host);
    assert_int_equal(host->len, 6);
    assert_memory_equal(host->data, "server", 6);
    th_ext_server_name_ch_cleanup(&sni);
    assert_null(sni.names);
    assert_int_equal(sni.num_names, 0);
    th_ext_block_cleanup(&block);
    free(msg);
}

static void test_sni_lengths_pm1_rejected(void **state) {
    (void)state;
    ext_test_hex_length_pm1(sni_codec, SNI_SERVER, 0, 2);
    ext_test_hex_length_pm1(sni_codec, SNI_SERVER, 3, 2);
}

static void test_sni_empty_list_is_decode_error(void **state) {
    (void)state;
    ext_test_hex_reject(sni_codec, "0000", TH_ALERT_DECODE_ERROR);
    ext_test_hex_reject(sni_codec, "", TH_ALERT_DECODE_ERROR);
}

static void test_sni_empty_host_name_is_unrecognized_name(void **state) {
    (void)state;
    ext_test_hex_reject(sni_codec, "0003 00 0000", TH_ALERT_UNRECOGNIZED_NAME);
}

static void test_sni_duplicate_name_type_is_decode_error(void **state) {
    (void)state;
    ext_test_hex_reject(sni_codec, "0012 00 0006 736572766572 00 0006 6f7468657273",
                        TH_ALERT_DECODE_ERROR);
}

static void test_sni_unknown_name_types_kept(void **state) {
    (void)state;
    ext_test_hex_roundtrip(sni_codec, "0011 00 0006 736572766572 05 0005 6162636465");
    /* A name of an unknown type has no lower bound we know of. */
    ext_test_hex_roundtrip(sni_codec, "0003 07 0000");
    size_t len;
    uint8_t *in = th_test_hex("0003 07 0000", &len);
    CBS cbs;
    th_ext_server_name_ch sni;
    uint8_t alert;
    CBS_init(&cbs, in, len);
    assert_true(th_parse_ext_server_name_ch(&cbs, &sni, &alert));
    assert_null(th_ext_server_name_host(&sni));
    th_ext_server_name_ch_cleanup(&sni);
    free(in);
}

static void test_sni_build_from_struct(void **state) {
    (void)state;
    th_server_name name = {TH_SNI_HOST_NAME, {(const uint8_t *)"server", 6}};
    th_ext_server_name_ch sni = {&name, 1};
    EXT_EXPECT_WRITE(th_write_ext_server_name_ch, &sni, SNI_SERVER);
}

static void test_sni_cleanup_accepts_null(void **state) {
    (void)state;
    th_ext_server_name_ch_cleanup(NULL);
    th_ext_status_request_ch_cleanup(NULL);
}

static void test_sni_server_ack_is_empty(void **state) {
    (void)state;
    th_ext_block block;
    uint8_t *msg = ext_test_block(EXT_SIMPLE, "encrypted_extensions", &block);
    th_bytes body = ext_test_body(&block, TH_EXT_SERVER_NAME);
    th_expect_roundtrip(empty_codec, body.data, body.len);
    th_expect_trailing_rejected(empty_codec, body.data, body.len);
    th_ext_block_cleanup(&block);
    free(msg);
}

static void test_mfl_allowed_codes_roundtrip(void **state) {
    (void)state;
    for (uint8_t code = TH_MFL_512; code <= TH_MFL_4096; code++) {
        th_expect_roundtrip(mfl_codec, &code, 1);
        th_expect_truncations_rejected(mfl_codec, &code, 1);
        th_expect_trailing_rejected(mfl_codec, &code, 1);
    }
}

static void test_mfl_other_code_is_illegal_parameter(void **state) {
    (void)state;
    uint8_t bad[] = {0, 5, 0xff};
    for (size_t i = 0; i < sizeof(bad); i++) {
        th_expect_reject(mfl_codec, &bad[i], 1, TH_ALERT_ILLEGAL_PARAMETER);
    }
}

/* OCSP request with two responder ids and request extensions. */
#define STATUS_OCSP "01 0008 0002 3000 0002 3001 0004 30020500"

static void test_status_request_ocsp_roundtrip(void **state) {
    (void)state;
    ext_test_hex_roundtrip(status_ch_codec, STATUS_OCSP);
    ext_test_hex_roundtrip(status_ch_codec, "01 0000 0000");
    size_t len;
    uint8_t *in = th_test_hex(STATUS_OCSP, &len);
    CBS cbs;
    th_ext_status_request_ch sr;
    uint8_t alert;
    CBS_init(&cbs, in, len);
    assert_true(th_parse_ext_status_request_ch(&cbs, &sr, &alert));
    assert_int_equal(sr.status_type, TH_CERT_STATUS_TYPE_OCSP);
    assert_int_equal(sr.num_responder_ids, 2);
    assert_int_equal(sr.responder_ids[1].len, 2);
    assert_int_equal(sr.responder_ids[1].data[1], 0x01);
    assert_int_equal(sr.request_extensions.len, 4);
    th_ext_status_request_ch_cleanup(&sr);
    free(in);
}

static void test_status_request_lengths_pm1_rejected(void **state) {
    (void)state;
    ext_test_hex_length_pm1(status_ch_codec, STATUS_OCSP, 1, 2);
    ext_test_hex_length_pm1(status_ch_codec, STATUS_OCSP, 3, 2);
    ext_test_hex_length_pm1(status_ch_codec, STATUS_OCSP, 7, 2);
    ext_test_hex_length_pm1(status_ch_codec, STATUS_OCSP, 11, 2);
}

static void test_status_request_empty_responder_id_is_decode_error(void **state) {
    (void)state;
    ext_test_hex_reject(status_ch_codec, "01 0002 0000 0000", TH_ALERT_DECODE_ERROR);
}

static void test_status_request_empty_body_is_decode_error(void **state) {
    (void)state;
    ext_test_hex_reject(status_ch_codec, "", TH_ALERT_DECODE_ERROR);
}

static void test_status_request_unknown_type_kept_raw(void **state) {
    (void)state;
    size_t len;
    uint8_t *in = th_test_hex("02 abcdef", &len);
    CBS cbs;
    th_ext_status_request_ch sr;
    uint8_t alert;
    th_expect_roundtrip(status_ch_codec, in, len);
    CBS_init(&cbs, in, len);
    assert_true(th_parse_ext_status_request_ch(&cbs, &sr, &alert));
    assert_int_equal(sr.status_type, 2);
    assert_int_equal(sr.other_request.len, 3);
    assert_int_equal(sr.num_responder_ids, 0);
    th_ext_status_request_ch_cleanup(&sr);
    th_expect_roundtrip(status_ch_codec, in, 1);
    free(in);
}

/* CertificateStatus with a 3-byte OCSP response. */
#define STATUS_CT "01 000003 300100"

static void test_status_ct_roundtrip(void **state) {
    (void)state;
    ext_test_hex_roundtrip(status_ct_codec, STATUS_CT);
    ext_test_hex_length_pm1(status_ct_codec, STATUS_CT, 1, 3);
}

static void test_status_ct_empty_response_is_decode_error(void **state) {
    (void)state;
    ext_test_hex_reject(status_ct_codec, "01 000000", TH_ALERT_DECODE_ERROR);
}

static void test_status_ct_non_ocsp_type_is_decode_error(void **state) {
    (void)state;
    ext_test_hex_reject(status_ct_codec, "02 000003 300100", TH_ALERT_DECODE_ERROR);
}

static void test_status_ct_build_from_struct(void **state) {
    (void)state;
    static const uint8_t response[] = {0x30, 0x01, 0x00};
    th_certificate_status ct = {TH_CERT_STATUS_TYPE_OCSP, {response, sizeof(response)}};
    EXT_EXPECT_WRITE(th_write_certificate_status, &ct, STATUS_CT);
}

static void test_status_request_build_from_struct(void **state) {
    (void)state;
    static const uint8_t id[] = {0x30, 0x00};
    th_bytes ids[] = {{id, sizeof(id)}};
    th_ext_status_request_ch sr = {TH_CERT_STATUS_TYPE_OCSP, ids, 1, {NULL, 0}, {NULL, 0}};
    EXT_EXPECT_WRITE(th_write_ext_status_request_ch, &sr, "01 0004 0002 3000 0000");
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sni_vector_roundtrip),
        cmocka_unit_test(test_sni_vector_fields),
        cmocka_unit_test(test_sni_lengths_pm1_rejected),
        cmocka_unit_test(test_sni_empty_list_is_decode_error),
        cmocka_unit_test(test_sni_empty_host_name_is_unrecognized_name),
        cmocka_unit_test(test_sni_duplicate_name_type_is_decode_error),
        cmocka_unit_test(test_sni_unknown_name_types_kept),
        cmocka_unit_test(test_sni_build_from_struct),
        cmocka_unit_test(test_sni_cleanup_accepts_null),
        cmocka_unit_test(test_sni_server_ack_is_empty),
        cmocka_unit_test(test_mfl_allowed_codes_roundtrip),
        cmocka_unit_test(test_mfl_other_code_is_illegal_parameter),
        cmocka_unit_test(test_status_request_ocsp_roundtrip),
        cmocka_unit_test(test_status_request_lengths_pm1_rejected),
        cmocka_unit_test(test_status_request_empty_responder_id_is_decode_error),
        cmocka_unit_test(test_status_request_empty_body_is_decode_error),
        cmocka_unit_test(test_status_request_unknown_type_kept_raw),
        cmocka_unit_test(test_status_ct_roundtrip),
        cmocka_unit_test(test_status_ct_empty_response_is_decode_error),
        cmocka_unit_test(test_status_ct_non_ocsp_type_is_decode_error),
        cmocka_unit_test(test_status_ct_build_from_struct),
        cmocka_unit_test(test_status_request_build_from_struct),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
