#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ext_test_vectors.h"
#include "ext_types.h"
#include "extensions.h"
#include "testutil.h"

#define OK (-1)

typedef struct {
    uint16_t type;
    const char *hex; /* extension body */
    int alert;       /* OK when the body is valid for the context */
} check_case;

static void run_cases(th_ext_ctx ctx, const check_case *cases, size_t num) {
    for (size_t i = 0; i < num; i++) {
        size_t len;
        uint8_t *body = th_test_hex(cases[i].hex, &len);
        uint8_t alert = 0xff;
        CBS cbs;
        CBS_init(&cbs, body, len);
        int ok = th_ext_check_body(cases[i].type, ctx, cbs, &alert);
        if (cases[i].alert == OK && !ok) {
            fail_msg("%s: type %u body '%s' rejected with alert %u", th_ext_ctx_name(ctx),
                     cases[i].type, cases[i].hex, alert);
        }
        if (cases[i].alert != OK && (ok || alert != cases[i].alert)) {
            fail_msg("%s: type %u body '%s' gave %s/%u, want alert %d", th_ext_ctx_name(ctx),
                     cases[i].type, cases[i].hex, ok ? "accepted" : "alert", alert, cases[i].alert);
        }
        free(body);
    }
}

#define RUN(ctx, cases) run_cases((ctx), (cases), sizeof(cases) / sizeof((cases)[0]))

#define DE TH_ALERT_DECODE_ERROR
#define IP TH_ALERT_ILLEGAL_PARAMETER

static void test_check_client_hello_uses_ch_forms(void **state) {
    (void)state;
    static const check_case cases[] = {
        {TH_EXT_SERVER_NAME, "0009 00 0006 736572766572", OK},
        {TH_EXT_SERVER_NAME, "", DE},
        {TH_EXT_SERVER_NAME, "0003 00 0000", TH_ALERT_UNRECOGNIZED_NAME},
        {TH_EXT_MAX_FRAGMENT_LENGTH, "04", OK},
        {TH_EXT_MAX_FRAGMENT_LENGTH, "05", IP},
        {TH_EXT_STATUS_REQUEST, "01 0000 0000", OK},
        {TH_EXT_STATUS_REQUEST, "01 000003 300100", DE},
        {TH_EXT_SUPPORTED_GROUPS, "0002 001d", OK},
        {TH_EXT_SUPPORTED_GROUPS, "0000", DE},
        {TH_EXT_EC_POINT_FORMATS, "01 00", OK},
        /* Without uncompressed: the TLS 1.2 engine's rule, not a CH codec one. */
        {TH_EXT_EC_POINT_FORMATS, "01 01", OK},
        {TH_EXT_EC_POINT_FORMATS, "00", DE},
        {TH_EXT_EC_POINT_FORMATS, "02 00", DE},
        {TH_EXT_SIGNATURE_ALGORITHMS, "0002 0804", OK},
        {TH_EXT_SIGNATURE_ALGORITHMS, "0001 08", DE},
        {TH_EXT_SIGNATURE_ALGORITHMS_CERT, "0002 0804", OK},
        {TH_EXT_SIGNATURE_ALGORITHMS_CERT, "0000", DE},
        {TH_EXT_ALPN, "000c 02 6832 08 687474702f312e31", OK},
        {TH_EXT_ALPN, "0001 00", DE},
        {TH_EXT_SIGNED_CERTIFICATE_TIMESTAMP, "", OK},
        {TH_EXT_SIGNED_CERTIFICATE_TIMESTAMP, "0002 0000", DE},
        {TH_EXT_PADDING, "000001", OK},
        {TH_EXT_ENCRYPT_THEN_MAC, "", OK},
        {TH_EXT_ENCRYPT_THEN_MAC, "00", DE},
        {TH_EXT_EXTENDED_MASTER_SECRET, "", OK},
        {TH_EXT_EXTENDED_MASTER_SECRET, "00", DE},
        {TH_EXT_RECORD_SIZE_LIMIT, "4001", OK},
        {TH_EXT_RECORD_SIZE_LIMIT, "003f", IP},
        {TH_EXT_SESSION_TICKET, "0005ff", OK},
        {TH_EXT_PRE_SHARED_KEY,
         "000b 0005 6964656e74 00000001 0021 20 "
         "3add4fb2d8fdf822a0ca3cf7678ef5e88dae990141c5924d57bb6fa31b9e5f9d",
         OK},
        {TH_EXT_PRE_SHARED_KEY, "0000", DE},
        {TH_EXT_EARLY_DATA, "", OK},
        {TH_EXT_EARLY_DATA, "00000400", DE},
        {TH_EXT_SUPPORTED_VERSIONS, "02 0304", OK},
        {TH_EXT_SUPPORTED_VERSIONS, "0304", DE},
        {TH_EXT_COOKIE, "0001 ff", OK},
        {TH_EXT_COOKIE, "0000", DE},
        {TH_EXT_PSK_KEY_EXCHANGE_MODES, "01 01", OK},
        {TH_EXT_PSK_KEY_EXCHANGE_MODES, "00", DE},
        {TH_EXT_CERTIFICATE_AUTHORITIES, "0003 0001 30", OK},
        {TH_EXT_CERTIFICATE_AUTHORITIES, "0000", DE},
        {TH_EXT_POST_HANDSHAKE_AUTH, "", OK},
        {TH_EXT_POST_HANDSHAKE_AUTH, "00", DE},
        {TH_EXT_KEY_SHARE, "0000", OK},
        {TH_EXT_KEY_SHARE, "001d", DE},
        {TH_EXT_KEY_SHARE, "000c 001d 0002 abcd 001d 0002 abcd", IP},
        {TH_EXT_RENEGOTIATION_INFO, "00", OK},
        {TH_EXT_RENEGOTIATION_INFO, "", DE},
    };
    RUN(TH_EXT_CTX_CH, cases);
}

static void test_check_server_hello_uses_sh_forms(void **state) {
    (void)state;
    static const check_case cases[] = {
        {TH_EXT_KEY_SHARE, "001d 0002 abcd", OK}, {TH_EXT_KEY_SHARE, "0006 001d 0002 abcd", DE},
        {TH_EXT_KEY_SHARE, "001d", DE},           {TH_EXT_PRE_SHARED_KEY, "0000", OK},
        {TH_EXT_PRE_SHARED_KEY, "00", DE},        {TH_EXT_SUPPORTED_VERSIONS, "0304", OK},
        {TH_EXT_SUPPORTED_VERSIONS, "0303", IP},  {TH_EXT_SUPPORTED_VERSIONS, "02 0304", DE},
    };
    RUN(TH_EXT_CTX_SH, cases);
}

static void test_check_hello_retry_request_uses_hrr_forms(void **state) {
    (void)state;
    static const check_case cases[] = {
        {TH_EXT_KEY_SHARE, "001d", OK},          {TH_EXT_KEY_SHARE, "001d 0002 abcd", DE},
        {TH_EXT_SUPPORTED_VERSIONS, "0304", OK}, {TH_EXT_SUPPORTED_VERSIONS, "0302", IP},
        {TH_EXT_COOKIE, "0002 abcd", OK},        {TH_EXT_COOKIE, "0000", DE},
    };
    RUN(TH_EXT_CTX_HRR, cases);
}

static void test_check_encrypted_extensions_uses_server_forms(void **state) {
    (void)state;
    static const check_case cases[] = {
        {TH_EXT_SERVER_NAME, "", OK},
        {TH_EXT_SERVER_NAME, "0009 00 0006 736572766572", DE},
        {TH_EXT_EARLY_DATA, "", OK},
        {TH_EXT_EARLY_DATA, "00000400", DE},
        {TH_EXT_ALPN, "0003 02 6832", OK},
        {TH_EXT_ALPN, "000c 02 6832 08 687474702f312e31", DE},
        {TH_EXT_SUPPORTED_GROUPS, "0004 001d 0017", OK},
        {TH_EXT_SUPPORTED_GROUPS, "0003 001d00", DE},
        {TH_EXT_MAX_FRAGMENT_LENGTH, "01", OK},
        {TH_EXT_MAX_FRAGMENT_LENGTH, "00", IP},
        {TH_EXT_RECORD_SIZE_LIMIT, "4001", OK},
        {TH_EXT_RECORD_SIZE_LIMIT, "0020", IP},
    };
    RUN(TH_EXT_CTX_EE, cases);
}

static void test_check_certificate_uses_status_and_sct_lists(void **state) {
    (void)state;
    static const check_case cases[] = {
        {TH_EXT_STATUS_REQUEST, "01 000003 300100", OK},
        {TH_EXT_STATUS_REQUEST, "01 0000 0000", DE},
        {TH_EXT_STATUS_REQUEST, "", DE},
        {TH_EXT_SIGNED_CERTIFICATE_TIMESTAMP, "0009 0003 000102 0002 0304", OK},
        {TH_EXT_SIGNED_CERTIFICATE_TIMESTAMP, "", DE},
    };
    RUN(TH_EXT_CTX_CT, cases);
}

static void test_check_certificate_request_uses_request_forms(void **state) {
    (void)state;
    static const check_case cases[] = {
        {TH_EXT_SIGNATURE_ALGORITHMS, "0002 0804", OK},
        {TH_EXT_SIGNATURE_ALGORITHMS, "0000", DE},
        {TH_EXT_SIGNATURE_ALGORITHMS_CERT, "0002 0403", OK},
        {TH_EXT_SIGNATURE_ALGORITHMS_CERT, "0001 04", DE},
        {TH_EXT_CERTIFICATE_AUTHORITIES, "0004 0002 3000", OK},
        {TH_EXT_CERTIFICATE_AUTHORITIES, "0002 0000", DE},
        {TH_EXT_STATUS_REQUEST, "", OK},
        {TH_EXT_STATUS_REQUEST, "01 0000 0000", DE},
        {TH_EXT_STATUS_REQUEST, "01 000003 300100", DE},
        {TH_EXT_SIGNED_CERTIFICATE_TIMESTAMP, "", OK},
        {TH_EXT_SIGNED_CERTIFICATE_TIMESTAMP, "0009 0003 000102 0002 0304", DE},
    };
    RUN(TH_EXT_CTX_CR, cases);
}

static void test_check_new_session_ticket_uses_max_early_data(void **state) {
    (void)state;
    static const check_case cases[] = {
        {TH_EXT_EARLY_DATA, "00000400", OK},
        {TH_EXT_EARLY_DATA, "", DE},
    };
    RUN(TH_EXT_CTX_NST, cases);
}

static void test_check_tls12_server_hello_uses_acknowledgements(void **state) {
    (void)state;
    static const check_case cases[] = {
        {TH_EXT_SERVER_NAME, "", OK},
        {TH_EXT_SERVER_NAME, "0009 00 0006 736572766572", DE},
        {TH_EXT_STATUS_REQUEST, "", OK},
        {TH_EXT_STATUS_REQUEST, "01 0000 0000", DE},
        {TH_EXT_EC_POINT_FORMATS, "01 00", OK},
        {TH_EXT_EC_POINT_FORMATS, "01 01", IP},
        {TH_EXT_ALPN, "0003 02 6832", OK},
        {TH_EXT_ALPN, "0000", DE},
        {TH_EXT_SIGNED_CERTIFICATE_TIMESTAMP, "0009 0003 000102 0002 0304", OK},
        {TH_EXT_SIGNED_CERTIFICATE_TIMESTAMP, "", DE},
        {TH_EXT_ENCRYPT_THEN_MAC, "", OK},
        {TH_EXT_ENCRYPT_THEN_MAC, "01", DE},
        {TH_EXT_EXTENDED_MASTER_SECRET, "", OK},
        {TH_EXT_EXTENDED_MASTER_SECRET, "01", DE},
        {TH_EXT_RECORD_SIZE_LIMIT, "0040", OK},
        {TH_EXT_RECORD_SIZE_LIMIT, "003f", IP},
        {TH_EXT_SESSION_TICKET, "", OK},
        {TH_EXT_SESSION_TICKET, "0005ff", DE},
        {TH_EXT_RENEGOTIATION_INFO, "00", OK},
        {TH_EXT_RENEGOTIATION_INFO, "01", DE},
        {TH_EXT_MAX_FRAGMENT_LENGTH, "02", OK},
        {TH_EXT_MAX_FRAGMENT_LENGTH, "0202", DE},
        {TH_EXT_SUPPORTED_GROUPS, "0002 0017", OK},
        {TH_EXT_SUPPORTED_GROUPS, "0000", DE},
    };
    RUN(TH_EXT_CTX_SH12, cases);
}

static void test_check_unknown_and_untyped_extensions_pass(void **state) {
    (void)state;
    static const check_case cases[] = {
        {0x1234, "ff", OK},
        {0x0a0a, "", OK},
        {0xfafa, "00", OK},
        {TH_EXT_USE_SRTP, "ff", OK},
        {TH_EXT_COMPRESS_CERTIFICATE, "ff", OK},
        {TH_EXT_QUIC_TRANSPORT_PARAMETERS, "ff", OK},
        {TH_EXT_ENCRYPTED_CLIENT_HELLO, "ff", OK},
    };
    for (th_ext_ctx ctx = 0; ctx < TH_EXT_CTX_COUNT; ctx++) {
        RUN(ctx, cases);
    }
}

static void test_check_type_without_form_in_context_passes(void **state) {
    (void)state;
    /* Whether key_share may be in EncryptedExtensions is kExtTable's question
     * (th_check_ext_block), not the body check's. */
    static const check_case cases[] = {
        {TH_EXT_KEY_SHARE, "ff", OK},
        {TH_EXT_PRE_SHARED_KEY, "ff", OK},
        {TH_EXT_SUPPORTED_VERSIONS, "ff", OK},
    };
    RUN(TH_EXT_CTX_EE, cases);
    CBS empty;
    uint8_t alert;
    CBS_init(&empty, NULL, 0);
    assert_true(th_ext_check_body(TH_EXT_KEY_SHARE, TH_EXT_CTX_COUNT, empty, &alert));
}

static void test_check_accepts_every_vector_extension(void **state) {
    (void)state;
    static const struct {
        const char *file, *name;
        th_ext_ctx ctx;
    } msgs[] = {
        {EXT_SIMPLE, "client_hello", TH_EXT_CTX_CH},
        {EXT_SIMPLE, "server_hello", TH_EXT_CTX_SH},
        {EXT_SIMPLE, "encrypted_extensions", TH_EXT_CTX_EE},
        {EXT_SIMPLE, "new_session_ticket", TH_EXT_CTX_NST},
        {EXT_RESUMED, "client_hello", TH_EXT_CTX_CH},
        {EXT_RESUMED, "server_hello", TH_EXT_CTX_SH},
        {EXT_RESUMED, "encrypted_extensions", TH_EXT_CTX_EE},
    };
    for (size_t i = 0; i < sizeof(msgs) / sizeof(msgs[0]); i++) {
        th_ext_block block;
        uint8_t *msg = ext_test_block(msgs[i].file, msgs[i].name, &block);
        assert_true(block.num_exts > 0);
        for (size_t j = 0; j < block.num_exts; j++) {
            CBS body;
            uint8_t alert;
            CBS_init(&body, block.exts[j].body.data, block.exts[j].body.len);
            if (!th_ext_check_body(block.exts[j].type, msgs[i].ctx, body, &alert)) {
                fail_msg("%s %s: extension %u rejected with alert %u", msgs[i].file, msgs[i].name,
                         block.exts[j].type, alert);
            }
        }
        th_ext_block_cleanup(&block);
        free(msg);
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_check_client_hello_uses_ch_forms),
        cmocka_unit_test(test_check_server_hello_uses_sh_forms),
        cmocka_unit_test(test_check_hello_retry_request_uses_hrr_forms),
        cmocka_unit_test(test_check_encrypted_extensions_uses_server_forms),
        cmocka_unit_test(test_check_certificate_uses_status_and_sct_lists),
        cmocka_unit_test(test_check_certificate_request_uses_request_forms),
        cmocka_unit_test(test_check_new_session_ticket_uses_max_early_data),
        cmocka_unit_test(test_check_tls12_server_hello_uses_acknowledgements),
        cmocka_unit_test(test_check_unknown_and_untyped_extensions_pass),
        cmocka_unit_test(test_check_type_without_form_in_context_passes),
        cmocka_unit_test(test_check_accepts_every_vector_extension),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
