/* Targets for every typed extension body parser (ext_types.h), plus the
 * shared empty-body and u16-list forms. */
#include "ext_types.h"
#include "fuzz.h"

#include <stdlib.h>

TH_FUZZ_CODEC_TARGET(ext_server_name_ch, th_ext_server_name_ch, th_parse_ext_server_name_ch,
                     th_write_ext_server_name_ch, th_ext_server_name_ch_cleanup)
TH_FUZZ_CODEC_TARGET(ext_max_fragment_length, th_ext_max_fragment_length,
                     th_parse_ext_max_fragment_length, th_write_ext_max_fragment_length,
                     th_fuzz_no_cleanup)
TH_FUZZ_CODEC_TARGET(ext_status_request_ch, th_ext_status_request_ch,
                     th_parse_ext_status_request_ch, th_write_ext_status_request_ch,
                     th_ext_status_request_ch_cleanup)
TH_FUZZ_CODEC_TARGET(ext_supported_groups, th_ext_supported_groups, th_parse_ext_supported_groups,
                     th_write_ext_supported_groups, th_ext_supported_groups_cleanup)
TH_FUZZ_CODEC_TARGET(ext_ec_point_formats, th_ext_ec_point_formats, th_parse_ext_ec_point_formats,
                     th_write_ext_ec_point_formats, th_fuzz_no_cleanup)
TH_FUZZ_CODEC_TARGET(ext_key_share_ch, th_ext_key_share_ch, th_parse_ext_key_share_ch,
                     th_write_ext_key_share_ch, th_ext_key_share_ch_cleanup)
TH_FUZZ_CODEC_TARGET(ext_key_share_sh, th_ext_key_share_sh, th_parse_ext_key_share_sh,
                     th_write_ext_key_share_sh, th_fuzz_no_cleanup)
TH_FUZZ_CODEC_TARGET(ext_key_share_hrr, th_ext_key_share_hrr, th_parse_ext_key_share_hrr,
                     th_write_ext_key_share_hrr, th_fuzz_no_cleanup)
TH_FUZZ_CODEC_TARGET(ext_signature_algorithms, th_ext_signature_algorithms,
                     th_parse_ext_signature_algorithms, th_write_ext_signature_algorithms,
                     th_ext_signature_algorithms_cleanup)
TH_FUZZ_CODEC_TARGET(ext_signature_algorithms_cert, th_ext_signature_algorithms_cert,
                     th_parse_ext_signature_algorithms_cert, th_write_ext_signature_algorithms_cert,
                     th_ext_signature_algorithms_cert_cleanup)
TH_FUZZ_CODEC_TARGET(ext_certificate_authorities, th_ext_certificate_authorities,
                     th_parse_ext_certificate_authorities, th_write_ext_certificate_authorities,
                     th_ext_certificate_authorities_cleanup)
TH_FUZZ_CODEC_TARGET(ext_pre_shared_key_ch, th_ext_pre_shared_key_ch,
                     th_parse_ext_pre_shared_key_ch, th_write_ext_pre_shared_key_ch,
                     th_ext_pre_shared_key_ch_cleanup)
TH_FUZZ_CODEC_TARGET(ext_pre_shared_key_sh, th_ext_pre_shared_key_sh,
                     th_parse_ext_pre_shared_key_sh, th_write_ext_pre_shared_key_sh,
                     th_fuzz_no_cleanup)
TH_FUZZ_CODEC_TARGET(ext_psk_key_exchange_modes, th_ext_psk_key_exchange_modes,
                     th_parse_ext_psk_key_exchange_modes, th_write_ext_psk_key_exchange_modes,
                     th_fuzz_no_cleanup)
TH_FUZZ_CODEC_TARGET(ext_early_data_nst, th_ext_early_data_nst, th_parse_ext_early_data_nst,
                     th_write_ext_early_data_nst, th_fuzz_no_cleanup)
TH_FUZZ_CODEC_TARGET(ext_supported_versions_ch, th_ext_supported_versions_ch,
                     th_parse_ext_supported_versions_ch, th_write_ext_supported_versions_ch,
                     th_ext_supported_versions_ch_cleanup)
TH_FUZZ_CODEC_TARGET(ext_supported_versions_sh, th_ext_supported_versions_sh,
                     th_parse_ext_supported_versions_sh, th_write_ext_supported_versions_sh,
                     th_fuzz_no_cleanup)
TH_FUZZ_CODEC_TARGET(ext_cookie, th_ext_cookie, th_parse_ext_cookie, th_write_ext_cookie,
                     th_fuzz_no_cleanup)
TH_FUZZ_CODEC_TARGET(ext_alpn_ch, th_ext_alpn_ch, th_parse_ext_alpn_ch, th_write_ext_alpn_ch,
                     th_ext_alpn_ch_cleanup)
TH_FUZZ_CODEC_TARGET(ext_alpn_sh, th_ext_alpn_sh, th_parse_ext_alpn_sh, th_write_ext_alpn_sh,
                     th_fuzz_no_cleanup)
TH_FUZZ_CODEC_TARGET(ext_signed_certificate_timestamp, th_ext_signed_certificate_timestamp,
                     th_parse_ext_signed_certificate_timestamp,
                     th_write_ext_signed_certificate_timestamp,
                     th_ext_signed_certificate_timestamp_cleanup)
TH_FUZZ_CODEC_TARGET(ext_padding, th_ext_padding, th_parse_ext_padding, th_write_ext_padding,
                     th_fuzz_no_cleanup)
TH_FUZZ_CODEC_TARGET(ext_record_size_limit, th_ext_record_size_limit,
                     th_parse_ext_record_size_limit, th_write_ext_record_size_limit,
                     th_fuzz_no_cleanup)
TH_FUZZ_CODEC_TARGET(ext_session_ticket, th_ext_session_ticket, th_parse_ext_session_ticket,
                     th_write_ext_session_ticket, th_fuzz_no_cleanup)
TH_FUZZ_CODEC_TARGET(ext_renegotiation_info, th_ext_renegotiation_info,
                     th_parse_ext_renegotiation_info, th_write_ext_renegotiation_info,
                     th_fuzz_no_cleanup)

static int ext_empty_codec(CBS *in, CBB *out, uint8_t *out_alert) {
    return th_parse_ext_empty(in, out_alert) && th_write_ext_empty(out);
}

int th_fuzz_ext_empty(const uint8_t *data, size_t len) {
    return th_fuzz_check_codec("ext_empty", ext_empty_codec, data, len);
}

/* The u16 list with its 2-byte prefix (cipher suites, groups, schemes). */
static int u16_list_codec(CBS *in, CBB *out, uint8_t *out_alert) {
    uint16_t *values = NULL;
    size_t num = 0;
    if (!th_parse_u16_list(in, 2, &values, &num, out_alert)) {
        free(values);
        return 0;
    }
    int ok = CBS_len(in) == 0;
    if (!ok) {
        *out_alert = TH_ALERT_DECODE_ERROR;
    } else if (!th_write_u16_list(out, 2, values, num)) {
        th_fuzz_oracle_failed("u16_list", "writer failed on a parsed value");
    }
    free(values);
    return ok;
}

int th_fuzz_u16_list(const uint8_t *data, size_t len) {
    return th_fuzz_check_codec("u16_list", u16_list_codec, data, len);
}
