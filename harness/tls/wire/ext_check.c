/* th_ext_check_body: which typed form of an extension body each message
 * carries (RFC 8446 §4.2 and the RFCs defining each extension), as one table.
 * The check parses the body into a local and frees it; the result is only
 * whether the body is valid for that message and, if not, the alert. */
#include "ext_types.h"
#include "extensions.h"
#include "ext_internal.h"

#include <stddef.h>

typedef int (*body_check_fn)(CBS *body, uint8_t *out_alert);

#define NO_CLEANUP(p) ((void)(p))

/* Defines a body_check_fn that runs PARSE on a local TYPE and frees it. */
#define DEFINE_CHECK(NAME, TYPE, PARSE, CLEANUP)                                                   \
    static int NAME(CBS *body, uint8_t *out_alert) {                                               \
        TYPE value;                                                                                \
        int ok = PARSE(body, &value, out_alert);                                                   \
        CLEANUP(&value);                                                                           \
        return ok;                                                                                 \
    }

DEFINE_CHECK(check_server_name_ch, th_ext_server_name_ch, th_parse_ext_server_name_ch,
             th_ext_server_name_ch_cleanup)
DEFINE_CHECK(check_max_fragment_length, th_ext_max_fragment_length,
             th_parse_ext_max_fragment_length, NO_CLEANUP)
DEFINE_CHECK(check_status_request_ch, th_ext_status_request_ch, th_parse_ext_status_request_ch,
             th_ext_status_request_ch_cleanup)
DEFINE_CHECK(check_status_request_ct, th_certificate_status, th_parse_certificate_status,
             NO_CLEANUP)
DEFINE_CHECK(check_supported_groups, th_ext_supported_groups, th_parse_ext_supported_groups,
             th_ext_supported_groups_cleanup)
DEFINE_CHECK(check_ec_point_formats, th_ext_ec_point_formats, th_parse_ext_ec_point_formats,
             NO_CLEANUP)
/* RFC 4492 §5.1.2: "ECPointFormat ec_point_format_list<1..2^8-1>". */
static int check_ec_point_formats_syntax(CBS *body, uint8_t *out_alert) {
    CBS formats;
    if (!CBS_get_u8_length_prefixed(body, &formats) || CBS_len(&formats) == 0 ||
        CBS_len(body) != 0) {
        *out_alert = TH_ALERT_DECODE_ERROR;
        return 0;
    }
    return 1;
}

DEFINE_CHECK(check_key_share_ch, th_ext_key_share_ch, th_parse_ext_key_share_ch,
             th_ext_key_share_ch_cleanup)
DEFINE_CHECK(check_key_share_sh, th_ext_key_share_sh, th_parse_ext_key_share_sh, NO_CLEANUP)
DEFINE_CHECK(check_key_share_hrr, th_ext_key_share_hrr, th_parse_ext_key_share_hrr, NO_CLEANUP)
DEFINE_CHECK(check_signature_algorithms, th_ext_signature_algorithms,
             th_parse_ext_signature_algorithms, th_ext_signature_algorithms_cleanup)
DEFINE_CHECK(check_signature_algorithms_cert, th_ext_signature_algorithms_cert,
             th_parse_ext_signature_algorithms_cert, th_ext_signature_algorithms_cert_cleanup)
DEFINE_CHECK(check_certificate_authorities, th_ext_certificate_authorities,
             th_parse_ext_certificate_authorities, th_ext_certificate_authorities_cleanup)
DEFINE_CHECK(check_pre_shared_key_ch, th_ext_pre_shared_key_ch, th_parse_ext_pre_shared_key_ch,
             th_ext_pre_shared_key_ch_cleanup)
DEFINE_CHECK(check_pre_shared_key_sh, th_ext_pre_shared_key_sh, th_parse_ext_pre_shared_key_sh,
             NO_CLEANUP)
DEFINE_CHECK(check_psk_key_exchange_modes, th_ext_psk_key_exchange_modes,
             th_parse_ext_psk_key_exchange_modes, NO_CLEANUP)
DEFINE_CHECK(check_early_data_nst, th_ext_early_data_nst, th_parse_ext_early_data_nst, NO_CLEANUP)
DEFINE_CHECK(check_supported_versions_ch, th_ext_supported_versions_ch,
             th_parse_ext_supported_versions_ch, th_ext_supported_versions_ch_cleanup)
DEFINE_CHECK(check_supported_versions_sh, th_ext_supported_versions_sh,
             th_parse_ext_supported_versions_sh, NO_CLEANUP)
DEFINE_CHECK(check_cookie, th_ext_cookie, th_parse_ext_cookie, NO_CLEANUP)
DEFINE_CHECK(check_alpn_ch, th_ext_alpn_ch, th_parse_ext_alpn_ch, th_ext_alpn_ch_cleanup)
DEFINE_CHECK(check_alpn_sh, th_ext_alpn_sh, th_parse_ext_alpn_sh, NO_CLEANUP)
DEFINE_CHECK(check_sct_list, th_ext_signed_certificate_timestamp,
             th_parse_ext_signed_certificate_timestamp, th_ext_signed_certificate_timestamp_cleanup)
DEFINE_CHECK(check_padding, th_ext_padding, th_parse_ext_padding, NO_CLEANUP)
DEFINE_CHECK(check_record_size_limit, th_ext_record_size_limit, th_parse_ext_record_size_limit,
             NO_CLEANUP)
DEFINE_CHECK(check_session_ticket, th_ext_session_ticket, th_parse_ext_session_ticket, NO_CLEANUP)
DEFINE_CHECK(check_renegotiation_info, th_ext_renegotiation_info, th_parse_ext_renegotiation_info,
             NO_CLEANUP)

static int check_empty(CBS *body, uint8_t *out_alert) {
    return th_parse_ext_empty(body, out_alert);
}

/* (extension type, messages) -> body form. A type or message missing here has
 * no typed form and passes; whether the type may appear in the message at all
 * is kExtTable's business in extensions.c. */
static const struct {
    uint16_t type;
    uint16_t contexts;
    body_check_fn check;
    const char *form; /* the typed parser, named as its fuzz target */
} kBodyForms[] = {
    /* RFC 6066 §3: the server's server_name "SHALL be empty". */
    {TH_EXT_SERVER_NAME, CH, check_server_name_ch, "ext_server_name_ch"},
    {TH_EXT_SERVER_NAME, EE | SH12, check_empty, "ext_empty"},
    {TH_EXT_MAX_FRAGMENT_LENGTH, CH | EE | SH12, check_max_fragment_length,
     "ext_max_fragment_length"},
    /* RFC 8446 §4.4.2.1: the body in a Certificate entry "MUST be a
     * CertificateStatus structure as defined in [RFC6066]", and "A server MAY
     * request that a client present an OCSP response with its certificate by
     * sending an empty "status_request" extension in its CertificateRequest
     * message." RFC 6066 §8: the TLS 1.2 ServerHello acknowledges "with empty
     * "extension_data"". */
    {TH_EXT_STATUS_REQUEST, CH, check_status_request_ch, "ext_status_request_ch"},
    {TH_EXT_STATUS_REQUEST, CT, check_status_request_ct, "certificate_status"},
    {TH_EXT_STATUS_REQUEST, CR | SH12, check_empty, "ext_empty"},
    {TH_EXT_SUPPORTED_GROUPS, CH | EE | SH12, check_supported_groups, "ext_supported_groups"},
    /* The uncompressed(0) rule binds once TLS 1.2 with ECC is negotiated
     * (RFC 8422 §5.1.2), so in a ClientHello, which may be TLS 1.3, only the
     * syntax is the codec's; the TLS 1.2 engine applies the rule, as
     * BoringSSL does. A TLS 1.2 ServerHello is always bound by it. */
    {TH_EXT_EC_POINT_FORMATS, CH, check_ec_point_formats_syntax, "ext_ec_point_formats"},
    {TH_EXT_EC_POINT_FORMATS, SH12, check_ec_point_formats, "ext_ec_point_formats"},
    {TH_EXT_SIGNATURE_ALGORITHMS, CH | CR, check_signature_algorithms, "ext_signature_algorithms"},
    {TH_EXT_SIGNATURE_ALGORITHMS_CERT, CH | CR, check_signature_algorithms_cert,
     "ext_signature_algorithms_cert"},
    {TH_EXT_CERTIFICATE_AUTHORITIES, CH | CR, check_certificate_authorities,
     "ext_certificate_authorities"},
    {TH_EXT_ALPN, CH, check_alpn_ch, "ext_alpn_ch"},
    {TH_EXT_ALPN, EE | SH12, check_alpn_sh, "ext_alpn_sh"},
    /* RFC 6962 §3.3.1 and RFC 8446 §4.4.2.1: the request is empty, the
     * answer a SignedCertificateTimestampList. */
    {TH_EXT_SIGNED_CERTIFICATE_TIMESTAMP, CH | CR, check_empty, "ext_empty"},
    {TH_EXT_SIGNED_CERTIFICATE_TIMESTAMP, CT | SH12, check_sct_list,
     "ext_signed_certificate_timestamp"},
    {TH_EXT_PADDING, CH, check_padding, "ext_padding"},
    {TH_EXT_ENCRYPT_THEN_MAC, CH | SH12, check_empty, "ext_empty"},
    {TH_EXT_EXTENDED_MASTER_SECRET, CH | SH12, check_empty, "ext_empty"},
    {TH_EXT_RECORD_SIZE_LIMIT, CH | EE | SH12, check_record_size_limit, "ext_record_size_limit"},
    /* RFC 5077 §3.2: a ticket (or nothing) in the ClientHello, and "a
     * zero-length SessionTicket extension" from the server. */
    {TH_EXT_SESSION_TICKET, CH, check_session_ticket, "ext_session_ticket"},
    {TH_EXT_SESSION_TICKET, SH12, check_empty, "ext_empty"},
    {TH_EXT_PRE_SHARED_KEY, CH, check_pre_shared_key_ch, "ext_pre_shared_key_ch"},
    {TH_EXT_PRE_SHARED_KEY, SH, check_pre_shared_key_sh, "ext_pre_shared_key_sh"},
    /* RFC 8446 §4.2.10: Empty in ClientHello and EncryptedExtensions. */
    {TH_EXT_EARLY_DATA, CH | EE, check_empty, "ext_empty"},
    {TH_EXT_EARLY_DATA, NST, check_early_data_nst, "ext_early_data_nst"},
    {TH_EXT_SUPPORTED_VERSIONS, CH, check_supported_versions_ch, "ext_supported_versions_ch"},
    {TH_EXT_SUPPORTED_VERSIONS, SH | HRR, check_supported_versions_sh, "ext_supported_versions_sh"},
    {TH_EXT_COOKIE, CH | HRR, check_cookie, "ext_cookie"},
    {TH_EXT_PSK_KEY_EXCHANGE_MODES, CH, check_psk_key_exchange_modes, "ext_psk_key_exchange_modes"},
    {TH_EXT_POST_HANDSHAKE_AUTH, CH, check_empty, "ext_empty"},
    {TH_EXT_KEY_SHARE, CH, check_key_share_ch, "ext_key_share_ch"},
    {TH_EXT_KEY_SHARE, SH, check_key_share_sh, "ext_key_share_sh"},
    {TH_EXT_KEY_SHARE, HRR, check_key_share_hrr, "ext_key_share_hrr"},
    {TH_EXT_RENEGOTIATION_INFO, CH | SH12, check_renegotiation_info, "ext_renegotiation_info"},
};

static int form_index(uint16_t type, th_ext_ctx ctx) {
    if (ctx >= TH_EXT_CTX_COUNT) {
        return -1;
    }
    for (size_t i = 0; i < sizeof(kBodyForms) / sizeof(kBodyForms[0]); i++) {
        if (kBodyForms[i].type == type && (kBodyForms[i].contexts & (1u << ctx)) != 0) {
            return (int)i;
        }
    }
    return -1;
}

const char *th_ext_body_form(uint16_t type, th_ext_ctx ctx) {
    int i = form_index(type, ctx);
    return i < 0 ? NULL : kBodyForms[i].form;
}

int th_ext_check_body(uint16_t type, th_ext_ctx ctx, CBS body, uint8_t *out_alert) {
    int i = form_index(type, ctx);
    return i < 0 || kBodyForms[i].check(&body, out_alert);
}
