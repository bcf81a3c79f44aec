/* Common definitions for the tlsharness TLS stack: BoringSSL guard, result
 * macros, byte views and the code points the whole stack names. */
#ifndef TH_BASE_H
#define TH_BASE_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/base.h>
#include <openssl/bytestring.h>

#if !defined(OPENSSL_IS_BORINGSSL)
#error "tlsharness needs BoringSSL headers (OpenSSL's were found first): see README, BORINGSSL_ROOT"
#endif

#define TH_MUST_USE __attribute__((warn_unused_result))

/* A view of bytes owned by someone else (usually the parsed input). */
typedef struct {
    const uint8_t *data;
    size_t len;
} th_bytes;

static inline th_bytes th_bytes_of_cbs(const CBS *cbs) {
    th_bytes b = {CBS_data(cbs), CBS_len(cbs)};
    return b;
}

/* Record content types, RFC 8446 §5.1 / RFC 5246 §6.2.1. */
enum {
    TH_CT_INVALID = 0,
    TH_CT_CHANGE_CIPHER_SPEC = 20,
    TH_CT_ALERT = 21,
    TH_CT_HANDSHAKE = 22,
    TH_CT_APPLICATION_DATA = 23,
    TH_CT_HEARTBEAT = 24,
};

/* Alert levels and descriptions, RFC 8446 §6 and RFC 5246 §7.2. */
enum { TH_ALERT_LEVEL_WARNING = 1, TH_ALERT_LEVEL_FATAL = 2 };
enum {
    TH_ALERT_CLOSE_NOTIFY = 0,
    TH_ALERT_UNEXPECTED_MESSAGE = 10,
    TH_ALERT_BAD_RECORD_MAC = 20,
    TH_ALERT_DECRYPTION_FAILED = 21,
    TH_ALERT_RECORD_OVERFLOW = 22,
    TH_ALERT_DECOMPRESSION_FAILURE = 30,
    TH_ALERT_HANDSHAKE_FAILURE = 40,
    TH_ALERT_NO_CERTIFICATE = 41,
    TH_ALERT_BAD_CERTIFICATE = 42,
    TH_ALERT_UNSUPPORTED_CERTIFICATE = 43,
    TH_ALERT_CERTIFICATE_REVOKED = 44,
    TH_ALERT_CERTIFICATE_EXPIRED = 45,
    TH_ALERT_CERTIFICATE_UNKNOWN = 46,
    TH_ALERT_ILLEGAL_PARAMETER = 47,
    TH_ALERT_UNKNOWN_CA = 48,
    TH_ALERT_ACCESS_DENIED = 49,
    TH_ALERT_DECODE_ERROR = 50,
    TH_ALERT_DECRYPT_ERROR = 51,
    TH_ALERT_EXPORT_RESTRICTION = 60,
    TH_ALERT_PROTOCOL_VERSION = 70,
    TH_ALERT_INSUFFICIENT_SECURITY = 71,
    TH_ALERT_INTERNAL_ERROR = 80,
    TH_ALERT_INAPPROPRIATE_FALLBACK = 86,
    TH_ALERT_USER_CANCELED = 90,
    TH_ALERT_NO_RENEGOTIATION = 100,
    TH_ALERT_MISSING_EXTENSION = 109,
    TH_ALERT_UNSUPPORTED_EXTENSION = 110,
    TH_ALERT_CERTIFICATE_UNOBTAINABLE = 111,
    TH_ALERT_UNRECOGNIZED_NAME = 112,
    TH_ALERT_BAD_CERTIFICATE_STATUS_RESPONSE = 113,
    TH_ALERT_BAD_CERTIFICATE_HASH_VALUE = 114,
    TH_ALERT_UNKNOWN_PSK_IDENTITY = 115,
    TH_ALERT_CERTIFICATE_REQUIRED = 116,
    TH_ALERT_NO_APPLICATION_PROTOCOL = 120,
};

/* Handshake message types, RFC 8446 §4 and RFC 5246 §7.4. */
enum {
    TH_HS_HELLO_REQUEST = 0,
    TH_HS_CLIENT_HELLO = 1,
    TH_HS_SERVER_HELLO = 2,
    TH_HS_HELLO_VERIFY_REQUEST = 3,
    TH_HS_NEW_SESSION_TICKET = 4,
    TH_HS_END_OF_EARLY_DATA = 5,
    TH_HS_HELLO_RETRY_REQUEST = 6, /* draft value; on the wire HRR is a ServerHello */
    TH_HS_ENCRYPTED_EXTENSIONS = 8,
    TH_HS_CERTIFICATE = 11,
    TH_HS_SERVER_KEY_EXCHANGE = 12,
    TH_HS_CERTIFICATE_REQUEST = 13,
    TH_HS_SERVER_HELLO_DONE = 14,
    TH_HS_CERTIFICATE_VERIFY = 15,
    TH_HS_CLIENT_KEY_EXCHANGE = 16,
    TH_HS_FINISHED = 20,
    TH_HS_CERTIFICATE_URL = 21,
    TH_HS_CERTIFICATE_STATUS = 22,
    TH_HS_SUPPLEMENTAL_DATA = 23,
    TH_HS_KEY_UPDATE = 24,
    TH_HS_COMPRESSED_CERTIFICATE = 25,
    TH_HS_MESSAGE_HASH = 254,
};

/* Protocol versions. */
enum {
    TH_VERSION_SSL3 = 0x0300,
    TH_VERSION_TLS10 = 0x0301,
    TH_VERSION_TLS11 = 0x0302,
    TH_VERSION_TLS12 = 0x0303,
    TH_VERSION_TLS13 = 0x0304,
};

/* Extension types (IANA TLS ExtensionType Values). */
enum {
    TH_EXT_SERVER_NAME = 0,
    TH_EXT_MAX_FRAGMENT_LENGTH = 1,
    TH_EXT_CLIENT_CERTIFICATE_URL = 2,
    TH_EXT_TRUSTED_CA_KEYS = 3,
    TH_EXT_TRUNCATED_HMAC = 4,
    TH_EXT_STATUS_REQUEST = 5,
    TH_EXT_SUPPORTED_GROUPS = 10,
    TH_EXT_EC_POINT_FORMATS = 11,
    TH_EXT_SIGNATURE_ALGORITHMS = 13,
    TH_EXT_USE_SRTP = 14,
    TH_EXT_HEARTBEAT = 15,
    TH_EXT_ALPN = 16,
    TH_EXT_STATUS_REQUEST_V2 = 17,
    TH_EXT_SIGNED_CERTIFICATE_TIMESTAMP = 18,
    TH_EXT_CLIENT_CERTIFICATE_TYPE = 19,
    TH_EXT_SERVER_CERTIFICATE_TYPE = 20,
    TH_EXT_PADDING = 21,
    TH_EXT_ENCRYPT_THEN_MAC = 22,
    TH_EXT_EXTENDED_MASTER_SECRET = 23,
    TH_EXT_COMPRESS_CERTIFICATE = 27,
    TH_EXT_RECORD_SIZE_LIMIT = 28,
    TH_EXT_SESSION_TICKET = 35,
    TH_EXT_PRE_SHARED_KEY = 41,
    TH_EXT_EARLY_DATA = 42,
    TH_EXT_SUPPORTED_VERSIONS = 43,
    TH_EXT_COOKIE = 44,
    TH_EXT_PSK_KEY_EXCHANGE_MODES = 45,
    TH_EXT_CERTIFICATE_AUTHORITIES = 47,
    TH_EXT_OID_FILTERS = 48,
    TH_EXT_POST_HANDSHAKE_AUTH = 49,
    TH_EXT_SIGNATURE_ALGORITHMS_CERT = 50,
    TH_EXT_KEY_SHARE = 51,
    TH_EXT_QUIC_TRANSPORT_PARAMETERS = 57,
    TH_EXT_APPLICATION_SETTINGS = 17513,
    TH_EXT_ENCRYPTED_CLIENT_HELLO = 0xfe0d,
    TH_EXT_RENEGOTIATION_INFO = 0xff01,
};

/* Named groups, RFC 8446 §4.2.7, RFC 7919, RFC 4492. */
enum {
    TH_GROUP_SECP256R1 = 23,
    TH_GROUP_SECP384R1 = 24,
    TH_GROUP_SECP521R1 = 25,
    TH_GROUP_X25519 = 29,
    TH_GROUP_X448 = 30,
    TH_GROUP_FFDHE2048 = 256,
    TH_GROUP_FFDHE3072 = 257,
    TH_GROUP_FFDHE4096 = 258,
    TH_GROUP_FFDHE6144 = 259,
    TH_GROUP_FFDHE8192 = 260,
};

/* Signature schemes, RFC 8446 §4.2.3. */
enum {
    TH_SIG_RSA_PKCS1_SHA1 = 0x0201,
    TH_SIG_ECDSA_SHA1 = 0x0203,
    TH_SIG_RSA_PKCS1_SHA256 = 0x0401,
    TH_SIG_RSA_PKCS1_SHA384 = 0x0501,
    TH_SIG_RSA_PKCS1_SHA512 = 0x0601,
    TH_SIG_ECDSA_SECP256R1_SHA256 = 0x0403,
    TH_SIG_ECDSA_SECP384R1_SHA384 = 0x0503,
    TH_SIG_ECDSA_SECP521R1_SHA512 = 0x0603,
    TH_SIG_RSA_PSS_RSAE_SHA256 = 0x0804,
    TH_SIG_RSA_PSS_RSAE_SHA384 = 0x0805,
    TH_SIG_RSA_PSS_RSAE_SHA512 = 0x0806,
    TH_SIG_ED25519 = 0x0807,
    TH_SIG_ED448 = 0x0808,
    TH_SIG_RSA_PSS_PSS_SHA256 = 0x0809,
    TH_SIG_RSA_PSS_PSS_SHA384 = 0x080a,
    TH_SIG_RSA_PSS_PSS_SHA512 = 0x080b,
};

/* Cipher suites used by name in code (the full list is in names.c). */
enum {
    TH_TLS_AES_128_GCM_SHA256 = 0x1301,
    TH_TLS_AES_256_GCM_SHA384 = 0x1302,
    TH_TLS_CHACHA20_POLY1305_SHA256 = 0x1303,
    TH_TLS_EMPTY_RENEGOTIATION_INFO_SCSV = 0x00ff,
    TH_TLS_FALLBACK_SCSV = 0x5600,
};

/* Largest record fragments on the wire: RFC 8446 §5.1/§5.2, RFC 5246 §6.2. */
#define TH_MAX_PLAINTEXT     16384
#define TH_MAX_CIPHERTEXT_13 (16384 + 256)
#define TH_MAX_CIPHERTEXT_12 (16384 + 2048)

/* A set of 16-bit code points, one bit each: duplicate checks over lists an
 * attacker sizes (extensions, key shares) stay linear. 8 KiB; zero it first. */
typedef struct {
    uint8_t bits[65536 / 8];
} th_u16_set;

/* Adds |v|; 0 if it was already there. */
static inline int th_u16_set_add(th_u16_set *set, uint16_t v) {
    uint8_t bit = (uint8_t)(1u << (v & 7));
    if (set->bits[v >> 3] & bit) {
        return 0;
    }
    set->bits[v >> 3] |= bit;
    return 1;
}

/* Grows an array of num elements of elem_size to hold one more; returns the
 * new array or NULL (the old one is then still owned by the caller). */
void *th_array_grow(void *array, size_t num, size_t elem_size) TH_MUST_USE;

#endif
