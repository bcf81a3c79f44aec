#include "names.h"

#include <stdio.h>
#include <string.h>

#define N(v, s)                                                                                    \
    { (v), (s) }
#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static const th_name kContentTypes[] = {
    N(20, "change_cipher_spec"), N(21, "alert"),     N(22, "handshake"),
    N(23, "application_data"),   N(24, "heartbeat"),
};

static const th_name kHandshakeTypes[] = {
    N(0, "hello_request"),
    N(1, "client_hello"),
    N(2, "server_hello"),
    N(3, "hello_verify_request"),
    N(4, "new_session_ticket"),
    N(5, "end_of_early_data"),
    N(6, "hello_retry_request"),
    N(8, "encrypted_extensions"),
    N(11, "certificate"),
    N(12, "server_key_exchange"),
    N(13, "certificate_request"),
    N(14, "server_hello_done"),
    N(15, "certificate_verify"),
    N(16, "client_key_exchange"),
    N(20, "finished"),
    N(21, "certificate_url"),
    N(22, "certificate_status"),
    N(23, "supplemental_data"),
    N(24, "key_update"),
    N(25, "compressed_certificate"),
    N(254, "message_hash"),
};

static const th_name kAlerts[] = {
    N(0, "close_notify"),
    N(10, "unexpected_message"),
    N(20, "bad_record_mac"),
    N(21, "decryption_failed"),
    N(22, "record_overflow"),
    N(30, "decompression_failure"),
    N(40, "handshake_failure"),
    N(41, "no_certificate"),
    N(42, "bad_certificate"),
    N(43, "unsupported_certificate"),
    N(44, "certificate_revoked"),
    N(45, "certificate_expired"),
    N(46, "certificate_unknown"),
    N(47, "illegal_parameter"),
    N(48, "unknown_ca"),
    N(49, "access_denied"),
    N(50, "decode_error"),
    N(51, "decrypt_error"),
    N(60, "export_restriction"),
    N(70, "protocol_version"),
    N(71, "insufficient_security"),
    N(80, "internal_error"),
    N(86, "inappropriate_fallback"),
    N(90, "user_canceled"),
    N(100, "no_renegotiation"),
    N(109, "missing_extension"),
    N(110, "unsupported_extension"),
    N(111, "certificate_unobtainable"),
    N(112, "unrecognized_name"),
    N(113, "bad_certificate_status_response"),
    N(114, "bad_certificate_hash_value"),
    N(115, "unknown_psk_identity"),
    N(116, "certificate_required"),
    N(120, "no_application_protocol"),
    N(121, "ech_required"),
};

static const th_name kAlertLevels[] = {N(1, "warning"), N(2, "fatal")};

static const th_name kVersions[] = {
    N(0x0200, "SSL 2.0"),  N(0x0300, "SSL 3.0"),  N(0x0301, "TLS 1.0"),
    N(0x0302, "TLS 1.1"),  N(0x0303, "TLS 1.2"),  N(0x0304, "TLS 1.3"),
    N(0xfeff, "DTLS 1.0"), N(0xfefd, "DTLS 1.2"), N(0xfefc, "DTLS 1.3"),
};

/* Short names accepted in configs: "tls1.2", "tls1.3". */
static const th_name kVersionKeys[] = {
    N(0x0300, "ssl3"),   N(0x0301, "tls1.0"), N(0x0302, "tls1.1"),
    N(0x0303, "tls1.2"), N(0x0304, "tls1.3"),
};

static const th_name kCipherSuites[] = {
    N(0x0000, "TLS_NULL_WITH_NULL_NULL"),
    N(0x0004, "TLS_RSA_WITH_RC4_128_MD5"),
    N(0x0005, "TLS_RSA_WITH_RC4_128_SHA"),
    N(0x000a, "TLS_RSA_WITH_3DES_EDE_CBC_SHA"),
    N(0x0016, "TLS_DHE_RSA_WITH_3DES_EDE_CBC_SHA"),
    N(0x002f, "TLS_RSA_WITH_AES_128_CBC_SHA"),
    N(0x0033, "TLS_DHE_RSA_WITH_AES_128_CBC_SHA"),
    N(0x0035, "TLS_RSA_WITH_AES_256_CBC_SHA"),
    N(0x0039, "TLS_DHE_RSA_WITH_AES_256_CBC_SHA"),
    N(0x003c, "TLS_RSA_WITH_AES_128_CBC_SHA256"),
    N(0x003d, "TLS_RSA_WITH_AES_256_CBC_SHA256"),
    N(0x0067, "TLS_DHE_RSA_WITH_AES_128_CBC_SHA256"),
    N(0x006b, "TLS_DHE_RSA_WITH_AES_256_CBC_SHA256"),
    N(0x008c, "TLS_PSK_WITH_AES_128_CBC_SHA"),
    N(0x008d, "TLS_PSK_WITH_AES_256_CBC_SHA"),
    N(0x009c, "TLS_RSA_WITH_AES_128_GCM_SHA256"),
    N(0x009d, "TLS_RSA_WITH_AES_256_GCM_SHA384"),
    N(0x009e, "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256"),
    N(0x009f, "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384"),
    N(0x00ff, "TLS_EMPTY_RENEGOTIATION_INFO_SCSV"),
    N(0x1301, "TLS_AES_128_GCM_SHA256"),
    N(0x1302, "TLS_AES_256_GCM_SHA384"),
    N(0x1303, "TLS_CHACHA20_POLY1305_SHA256"),
    N(0x1304, "TLS_AES_128_CCM_SHA256"),
    N(0x1305, "TLS_AES_128_CCM_8_SHA256"),
    N(0x5600, "TLS_FALLBACK_SCSV"),
    N(0xc009, "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA"),
    N(0xc00a, "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA"),
    N(0xc012, "TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA"),
    N(0xc013, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA"),
    N(0xc014, "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA"),
    N(0xc023, "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256"),
    N(0xc024, "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384"),
    N(0xc027, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256"),
    N(0xc028, "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384"),
    N(0xc02b, "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"),
    N(0xc02c, "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384"),
    N(0xc02f, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"),
    N(0xc030, "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"),
    N(0xc035, "TLS_ECDHE_PSK_WITH_AES_128_CBC_SHA"),
    N(0xc036, "TLS_ECDHE_PSK_WITH_AES_256_CBC_SHA"),
    N(0xc09c, "TLS_RSA_WITH_AES_128_CCM"),
    N(0xc09d, "TLS_RSA_WITH_AES_256_CCM"),
    N(0xc0ac, "TLS_ECDHE_ECDSA_WITH_AES_128_CCM"),
    N(0xc0ad, "TLS_ECDHE_ECDSA_WITH_AES_256_CCM"),
    N(0xcca8, "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256"),
    N(0xcca9, "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256"),
    N(0xccaa, "TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256"),
    N(0xccab, "TLS_PSK_WITH_CHACHA20_POLY1305_SHA256"),
    N(0xccac, "TLS_ECDHE_PSK_WITH_CHACHA20_POLY1305_SHA256"),
};

static const th_name kGroups[] = {
    N(1, "sect163k1"),
    N(19, "secp192r1"),
    N(21, "secp224r1"),
    N(22, "secp256k1"),
    N(23, "secp256r1"),
    N(24, "secp384r1"),
    N(25, "secp521r1"),
    N(26, "brainpoolP256r1"),
    N(27, "brainpoolP384r1"),
    N(28, "brainpoolP512r1"),
    N(29, "x25519"),
    N(30, "x448"),
    N(31, "brainpoolP256r1tls13"),
    N(32, "brainpoolP384r1tls13"),
    N(33, "brainpoolP512r1tls13"),
    N(256, "ffdhe2048"),
    N(257, "ffdhe3072"),
    N(258, "ffdhe4096"),
    N(259, "ffdhe6144"),
    N(260, "ffdhe8192"),
    N(0x11eb, "SecP256r1MLKEM768"),
    N(0x11ec, "X25519MLKEM768"),
    N(0x11ed, "SecP384r1MLKEM1024"),
    N(0x6399, "X25519Kyber768Draft00"),
    N(0xff01, "arbitrary_explicit_prime_curves"),
    N(0xff02, "arbitrary_explicit_char2_curves"),
};

static const th_name kSigSchemes[] = {
    N(0x0201, "rsa_pkcs1_sha1"),
    N(0x0202, "dsa_sha1"),
    N(0x0203, "ecdsa_sha1"),
    N(0x0301, "rsa_pkcs1_sha224"),
    N(0x0302, "dsa_sha224"),
    N(0x0303, "ecdsa_sha224"),
    N(0x0401, "rsa_pkcs1_sha256"),
    N(0x0402, "dsa_sha256"),
    N(0x0403, "ecdsa_secp256r1_sha256"),
    N(0x0501, "rsa_pkcs1_sha384"),
    N(0x0502, "dsa_sha384"),
    N(0x0503, "ecdsa_secp384r1_sha384"),
    N(0x0601, "rsa_pkcs1_sha512"),
    N(0x0602, "dsa_sha512"),
    N(0x0603, "ecdsa_secp521r1_sha512"),
    N(0x0804, "rsa_pss_rsae_sha256"),
    N(0x0805, "rsa_pss_rsae_sha384"),
    N(0x0806, "rsa_pss_rsae_sha512"),
    N(0x0807, "ed25519"),
    N(0x0808, "ed448"),
    N(0x0809, "rsa_pss_pss_sha256"),
    N(0x080a, "rsa_pss_pss_sha384"),
    N(0x080b, "rsa_pss_pss_sha512"),
    N(0x081a, "ecdsa_brainpoolP256r1tls13_sha256"),
    N(0x081b, "ecdsa_brainpoolP384r1tls13_sha384"),
    N(0x081c, "ecdsa_brainpoolP512r1tls13_sha512"),
};

static const th_name kExtensions[] = {
    N(0, "server_name"),
    N(1, "max_fragment_length"),
    N(2, "client_certificate_url"),
    N(3, "trusted_ca_keys"),
    N(4, "truncated_hmac"),
    N(5, "status_request"),
    N(10, "supported_groups"),
    N(11, "ec_point_formats"),
    N(13, "signature_algorithms"),
    N(14, "use_srtp"),
    N(15, "heartbeat"),
    N(16, "application_layer_protocol_negotiation"),
    N(17, "status_request_v2"),
    N(18, "signed_certificate_timestamp"),
    N(19, "client_certificate_type"),
    N(20, "server_certificate_type"),
    N(21, "padding"),
    N(22, "encrypt_then_mac"),
    N(23, "extended_master_secret"),
    N(27, "compress_certificate"),
    N(28, "record_size_limit"),
    N(35, "session_ticket"),
    N(41, "pre_shared_key"),
    N(42, "early_data"),
    N(43, "supported_versions"),
    N(44, "cookie"),
    N(45, "psk_key_exchange_modes"),
    N(47, "certificate_authorities"),
    N(48, "oid_filters"),
    N(49, "post_handshake_auth"),
    N(50, "signature_algorithms_cert"),
    N(51, "key_share"),
    N(57, "quic_transport_parameters"),
    N(13172, "next_protocol_negotiation"),
    N(17513, "application_settings"),
    N(0xfe0d, "encrypted_client_hello"),
    N(0xff01, "renegotiation_info"),
};

static const th_name kPskModes[] = {N(0, "psk_ke"), N(1, "psk_dhe_ke")};
static const th_name kPointFormats[] = {
    N(0, "uncompressed"),
    N(1, "ansiX962_compressed_prime"),
    N(2, "ansiX962_compressed_char2"),
};
static const th_name kCompressions[] = {N(0, "null"), N(1, "DEFLATE")};
static const th_name kCertStatusTypes[] = {N(1, "ocsp"), N(2, "ocsp_multi")};
static const th_name kKeyUpdate[] = {N(0, "update_not_requested"), N(1, "update_requested")};

static const char *lookup(const th_name *table, size_t num, unsigned value) {
    for (size_t i = 0; i < num; i++) {
        if (table[i].value == value) {
            return table[i].name;
        }
    }
    return NULL;
}

static int rlookup(const th_name *table, size_t num, const char *name, uint16_t *out) {
    for (size_t i = 0; i < num; i++) {
        if (strcmp(table[i].name, name) == 0) {
            *out = table[i].value;
            return 1;
        }
    }
    return 0;
}

#define LOOKUP(table, v) lookup((table), COUNT(table), (v))

int th_is_grease16(uint16_t value) {
    return (value & 0x0f0f) == 0x0a0a && (value >> 8) == (value & 0xff);
}

int th_is_grease_psk_mode(uint8_t mode) {
    return mode % 0x1f == 0x0b;
}

const char *th_content_type_name(uint8_t type) {
    return LOOKUP(kContentTypes, type);
}
const char *th_handshake_type_name(uint8_t type) {
    return LOOKUP(kHandshakeTypes, type);
}
const char *th_alert_name(uint8_t description) {
    return LOOKUP(kAlerts, description);
}
const char *th_alert_level_name(uint8_t level) {
    return LOOKUP(kAlertLevels, level);
}
const char *th_version_name(uint16_t version) {
    return th_is_grease16(version) ? "GREASE" : LOOKUP(kVersions, version);
}
const char *th_cipher_suite_name(uint16_t suite) {
    return th_is_grease16(suite) ? "GREASE" : LOOKUP(kCipherSuites, suite);
}
const char *th_group_name(uint16_t group) {
    return th_is_grease16(group) ? "GREASE" : LOOKUP(kGroups, group);
}
const char *th_sig_scheme_name(uint16_t scheme) {
    return th_is_grease16(scheme) ? "GREASE" : LOOKUP(kSigSchemes, scheme);
}
const char *th_ext_name(uint16_t type) {
    return th_is_grease16(type) ? "GREASE" : LOOKUP(kExtensions, type);
}
const char *th_psk_ke_mode_name(uint8_t mode) {
    return th_is_grease_psk_mode(mode) ? "GREASE" : LOOKUP(kPskModes, mode);
}
const char *th_ec_point_format_name(uint8_t format) {
    return LOOKUP(kPointFormats, format);
}
const char *th_compression_name(uint8_t method) {
    return LOOKUP(kCompressions, method);
}
const char *th_cert_status_type_name(uint8_t type) {
    return LOOKUP(kCertStatusTypes, type);
}
const char *th_key_update_name(uint8_t request) {
    return LOOKUP(kKeyUpdate, request);
}

int th_alert_by_name(const char *name, uint8_t *out) {
    uint16_t v;
    if (!rlookup(kAlerts, COUNT(kAlerts), name, &v)) {
        return 0;
    }
    *out = (uint8_t)v;
    return 1;
}
int th_handshake_type_by_name(const char *name, uint8_t *out) {
    uint16_t v;
    if (!rlookup(kHandshakeTypes, COUNT(kHandshakeTypes), name, &v)) {
        return 0;
    }
    *out = (uint8_t)v;
    return 1;
}
int th_cipher_suite_by_name(const char *name, uint16_t *out) {
    return rlookup(kCipherSuites, COUNT(kCipherSuites), name, out);
}
int th_group_by_name(const char *name, uint16_t *out) {
    return rlookup(kGroups, COUNT(kGroups), name, out);
}
int th_sig_scheme_by_name(const char *name, uint16_t *out) {
    return rlookup(kSigSchemes, COUNT(kSigSchemes), name, out);
}
int th_ext_by_name(const char *name, uint16_t *out) {
    return rlookup(kExtensions, COUNT(kExtensions), name, out);
}
int th_version_by_name(const char *name, uint16_t *out) {
    return rlookup(kVersionKeys, COUNT(kVersionKeys), name, out) ||
           rlookup(kVersions, COUNT(kVersions), name, out);
}

const char *th_name_or_hex(const char *name, unsigned value, char *buf, size_t buf_len) {
    if (name != NULL) {
        return name;
    }
    snprintf(buf, buf_len, "unknown(0x%04x)", value);
    return buf;
}
