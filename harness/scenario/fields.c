/* Message names and the `set:` / `fields:` table of schema v1: one row per
 * field a step can set on a message we send or check on one we receive
 * (scenarios/README.md lists them). */
#include "load_internal.h"

#include <stdio.h>
#include <string.h>

static const struct {
    th_sc_msg msg;
    const char *name;
    uint8_t wire_type;
} kMsgs[] = {
    {TH_SC_MSG_CLIENT_HELLO, "client_hello", TH_HS_CLIENT_HELLO},
    {TH_SC_MSG_SERVER_HELLO, "server_hello", TH_HS_SERVER_HELLO},
    /* RFC 8446 §4.1.4: an HRR is a ServerHello on the wire. */
    {TH_SC_MSG_HELLO_RETRY_REQUEST, "hello_retry_request", TH_HS_SERVER_HELLO},
    {TH_SC_MSG_ENCRYPTED_EXTENSIONS, "encrypted_extensions", TH_HS_ENCRYPTED_EXTENSIONS},
    {TH_SC_MSG_CERTIFICATE_REQUEST, "certificate_request", TH_HS_CERTIFICATE_REQUEST},
    {TH_SC_MSG_CERTIFICATE, "certificate", TH_HS_CERTIFICATE},
    {TH_SC_MSG_CERTIFICATE_VERIFY, "certificate_verify", TH_HS_CERTIFICATE_VERIFY},
    {TH_SC_MSG_FINISHED, "finished", TH_HS_FINISHED},
    {TH_SC_MSG_END_OF_EARLY_DATA, "end_of_early_data", TH_HS_END_OF_EARLY_DATA},
    {TH_SC_MSG_NEW_SESSION_TICKET, "new_session_ticket", TH_HS_NEW_SESSION_TICKET},
    {TH_SC_MSG_KEY_UPDATE, "key_update", TH_HS_KEY_UPDATE},
    {TH_SC_MSG_SERVER_KEY_EXCHANGE, "server_key_exchange", TH_HS_SERVER_KEY_EXCHANGE},
    {TH_SC_MSG_SERVER_HELLO_DONE, "server_hello_done", TH_HS_SERVER_HELLO_DONE},
    {TH_SC_MSG_CLIENT_KEY_EXCHANGE, "client_key_exchange", TH_HS_CLIENT_KEY_EXCHANGE},
    {TH_SC_MSG_HELLO_REQUEST, "hello_request", TH_HS_HELLO_REQUEST},
    {TH_SC_MSG_CERTIFICATE_STATUS, "certificate_status", TH_HS_CERTIFICATE_STATUS},
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

const char *th_sc_msg_name(th_sc_msg msg) {
    for (size_t i = 0; i < COUNT(kMsgs); i++) {
        if (kMsgs[i].msg == msg) {
            return kMsgs[i].name;
        }
    }
    return NULL;
}

uint8_t th_sc_msg_wire_type(th_sc_msg msg) {
    for (size_t i = 0; i < COUNT(kMsgs); i++) {
        if (kMsgs[i].msg == msg) {
            return kMsgs[i].wire_type;
        }
    }
    return 0;
}

th_sc_msg th_sc_msg_by_name(const char *name) {
    for (size_t i = 0; name != NULL && i < COUNT(kMsgs); i++) {
        if (strcmp(kMsgs[i].name, name) == 0) {
            return kMsgs[i].msg;
        }
    }
    return TH_SC_MSG_NONE;
}

/* The field table, with each field's largest value (INT and INT_LIST
 * elements) or largest length (BYTES; exact when min_len == max). */
static const struct {
    th_sc_field_info info;
    uint64_t max;
    size_t min_len;
} kFields[] = {
#define F(FIELD, MSG, NAME, KIND, NAMES, MAX, MIN_LEN)                                             \
    {                                                                                              \
        {TH_SC_F_##FIELD, TH_SC_MSG_##MSG, NAME, TH_SC_VAL_##KIND, TH_SC_NAMES_##NAMES}, MAX,      \
            MIN_LEN                                                                                \
    }
    F(CH_LEGACY_VERSION, CLIENT_HELLO, "legacy_version", INT, VERSION, 0xffff, 0),
    /* RFC 8446 §4.1.2: Random random[32] */
    F(CH_RANDOM, CLIENT_HELLO, "random", BYTES, NONE, 32, 32),
    F(CH_SESSION_ID, CLIENT_HELLO, "session_id", BYTES, NONE, 255, 0),
    F(CH_CIPHER_SUITES, CLIENT_HELLO, "cipher_suites", INT_LIST, SUITE, 0xffff, 0),
    F(CH_COMPRESSION_METHODS, CLIENT_HELLO, "compression_methods", INT_LIST, NONE, 0xff, 0),
    F(CH_SUPPORTED_VERSIONS, CLIENT_HELLO, "supported_versions", INT_LIST, VERSION, 0xffff, 0),
    F(CH_SUPPORTED_GROUPS, CLIENT_HELLO, "supported_groups", INT_LIST, GROUP, 0xffff, 0),
    F(CH_KEY_SHARES, CLIENT_HELLO, "key_shares", INT_LIST, GROUP, 0xffff, 0),
    F(CH_SIGNATURE_ALGORITHMS, CLIENT_HELLO, "signature_algorithms", INT_LIST, SCHEME, 0xffff, 0),
    F(CH_ALPN, CLIENT_HELLO, "alpn", STR_LIST, NONE, 255, 0),
    F(CH_SERVER_NAME, CLIENT_HELLO, "server_name", STRING, NONE, 0xffff, 0),
    F(CH_PSK_MODES, CLIENT_HELLO, "psk_modes", INT_LIST, PSK_MODE, 0xff, 0),
    F(CH_RECORD_SIZE_LIMIT, CLIENT_HELLO, "record_size_limit", INT, NONE, 0xffff, 0),
    F(SH_LEGACY_VERSION, SERVER_HELLO, "legacy_version", INT, VERSION, 0xffff, 0),
    F(SH_RANDOM, SERVER_HELLO, "random", BYTES, NONE, 32, 32),
    /* RFC 8446 §4.1.3: "the last 8 bytes of their Random value" */
    F(SH_RANDOM_SUFFIX, SERVER_HELLO, "random_suffix", BYTES, NONE, 32, 1),
    F(SH_SESSION_ID_ECHO, SERVER_HELLO, "session_id", BYTES, NONE, 255, 0),
    F(SH_CIPHER_SUITE, SERVER_HELLO, "cipher_suite", INT, SUITE, 0xffff, 0),
    F(SH_COMPRESSION_METHOD, SERVER_HELLO, "compression_method", INT, NONE, 0xff, 0),
    F(SH_SELECTED_VERSION, SERVER_HELLO, "selected_version", INT, VERSION, 0xffff, 0),
    F(SH_KEY_SHARE_GROUP, SERVER_HELLO, "key_share_group", INT, GROUP, 0xffff, 0),
    F(SH_SELECTED_IDENTITY, SERVER_HELLO, "selected_identity", INT, NONE, 0xffff, 0),
    F(HRR_SELECTED_GROUP, HELLO_RETRY_REQUEST, "selected_group", INT, GROUP, 0xffff, 0),
    F(HRR_COOKIE, HELLO_RETRY_REQUEST, "cookie", BYTES, NONE, 0xffff, 0),
    F(EE_ALPN, ENCRYPTED_EXTENSIONS, "alpn", STRING, NONE, 255, 0),
    F(EE_RECORD_SIZE_LIMIT, ENCRYPTED_EXTENSIONS, "record_size_limit", INT, NONE, 0xffff, 0),
    F(CR_CONTEXT, CERTIFICATE_REQUEST, "context", BYTES, NONE, 255, 0),
    F(CR_SIGNATURE_ALGORITHMS, CERTIFICATE_REQUEST, "signature_algorithms", INT_LIST, SCHEME,
      0xffff, 0),
    F(CT_CONTEXT, CERTIFICATE, "context", BYTES, NONE, 255, 0),
    F(CT_CHAIN, CERTIFICATE, "chain", STRING, NONE, 255, 0),
    F(CV_SCHEME, CERTIFICATE_VERIFY, "scheme", INT, SCHEME, 0xffff, 0),
    F(CV_SIGNATURE, CERTIFICATE_VERIFY, "signature", BYTES, NONE, 0xffff, 0),
    F(CV_CONTEXT, CERTIFICATE_VERIFY, "context", STRING, NONE, 6, 0),
    F(FIN_VERIFY_DATA, FINISHED, "verify_data", BYTES, NONE, 0xffff, 0),
    F(NST_LIFETIME, NEW_SESSION_TICKET, "lifetime", INT, NONE, 0xffffffff, 0),
    F(NST_AGE_ADD, NEW_SESSION_TICKET, "age_add", INT, NONE, 0xffffffff, 0),
    F(NST_NONCE, NEW_SESSION_TICKET, "nonce", BYTES, NONE, 255, 0),
    F(NST_TICKET, NEW_SESSION_TICKET, "ticket", BYTES, NONE, 0xffff, 0),
    F(NST_MAX_EARLY_DATA, NEW_SESSION_TICKET, "max_early_data", INT, NONE, 0xffffffff, 0),
    F(KU_REQUEST_UPDATE, KEY_UPDATE, "request_update", INT, NONE, 0xff, 0),
    /* RFC 8422 §5.4: ServerECDHParams (named_curve, ECPoint) and the signature */
    F(SKE_CURVE, SERVER_KEY_EXCHANGE, "curve", INT, GROUP, 0xffff, 0),
    F(SKE_POINT, SERVER_KEY_EXCHANGE, "point", BYTES, NONE, 255, 0),
    F(SKE_SCHEME, SERVER_KEY_EXCHANGE, "scheme", INT, SCHEME, 0xffff, 0),
    F(SKE_SIGNATURE, SERVER_KEY_EXCHANGE, "signature", BYTES, NONE, 0xffff, 0),
    /* RFC 8422 §5.7 ClientECDiffieHellmanPublic; RFC 5246 §7.4.7.1 PreMasterSecret */
    F(CKE_POINT, CLIENT_KEY_EXCHANGE, "point", BYTES, NONE, 255, 0),
    F(CKE_PREMASTER_VERSION, CLIENT_KEY_EXCHANGE, "premaster_version", INT, VERSION, 0xffff, 0),
    F(CKE_PREMASTER_PADDING, CLIENT_KEY_EXCHANGE, "premaster_padding", STRING, NONE, 3, 0),
    F(CKE_PREMASTER_LEN, CLIENT_KEY_EXCHANGE, "premaster_len", INT, NONE, 200, 0),
#undef F
};

const th_sc_field_info *th_sc_field_info_of(th_sc_field field) {
    for (size_t i = 0; i < COUNT(kFields); i++) {
        if (kFields[i].info.field == field) {
            return &kFields[i].info;
        }
    }
    return NULL;
}

/* The ServerHello fields that a HelloRetryRequest, being a ServerHello on the
 * wire (RFC 8446 §4.1.4), also has. */
static int hrr_shares(th_sc_field f) {
    return f == TH_SC_F_SH_LEGACY_VERSION || f == TH_SC_F_SH_RANDOM ||
           f == TH_SC_F_SH_RANDOM_SUFFIX ||
           f == TH_SC_F_SH_SESSION_ID_ECHO || f == TH_SC_F_SH_CIPHER_SUITE ||
           f == TH_SC_F_SH_COMPRESSION_METHOD || f == TH_SC_F_SH_SELECTED_VERSION;
}

static int field_on(size_t i, th_sc_msg msg) {
    const th_sc_field_info *in = &kFields[i].info;
    return in->msg == msg || (msg == TH_SC_MSG_HELLO_RETRY_REQUEST &&
                              in->msg == TH_SC_MSG_SERVER_HELLO && hrr_shares(in->field));
}

const th_sc_field_info *th_sc_field_by_name(th_sc_msg msg, const char *name) {
    for (size_t i = 0; name != NULL && i < COUNT(kFields); i++) {
        if (field_on(i, msg) && strcmp(kFields[i].info.name, name) == 0) {
            return &kFields[i].info;
        }
    }
    return NULL;
}

uint64_t th_sc_field_max(th_sc_field field) {
    for (size_t i = 0; i < COUNT(kFields); i++) {
        if (kFields[i].info.field == field) {
            return kFields[i].max;
        }
    }
    return 0;
}

size_t th_sc_field_min_len(th_sc_field field) {
    for (size_t i = 0; i < COUNT(kFields); i++) {
        if (kFields[i].info.field == field) {
            return kFields[i].min_len;
        }
    }
    return 0;
}

size_t th_sc_field_names_of(th_sc_msg msg, char *buf, size_t buf_len) {
    size_t n = 0, used = 0;
    if (buf_len > 0) {
        buf[0] = '\0';
    }
    for (size_t i = 0; i < COUNT(kFields); i++) {
        if (!field_on(i, msg)) {
            continue;
        }
        int w =
            snprintf(buf + used, buf_len - used, "%s%s", n > 0 ? ", " : "", kFields[i].info.name);
        if (w < 0 || (size_t)w >= buf_len - used) {
            break;
        }
        used += (size_t)w;
        n++;
    }
    return n;
}
