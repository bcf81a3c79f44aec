/* Typed extension bodies: one struct, parser and writer per extension form.
 * Every function here handles the extension BODY only (extension_data, no
 * type or length header); th_parse_ext_block splits a block and calls
 * th_ext_check_body, which runs the form below that fits the message.
 *
 * Parsers follow the codec contract (DESIGN.md): they consume the whole of
 * |body| (trailing bytes are decode_error), return 1 on success and 0 with
 * *out_alert set otherwise, and on failure the struct owns nothing. Byte
 * strings are th_bytes views into the input, which must outlive the struct.
 * Lists of variable-length items are arrays grown with th_array_grow and freed
 * by the _cleanup function of that form (accepts NULL, leaves the struct
 * zeroed). Writers write whatever the struct holds without checking the rules,
 * so deviating bodies can be built; they fail only when a length does not fit
 * its prefix or memory runs out. Rules needing negotiation state (e.g. "a
 * version the client did not offer") are the engine's. */
#ifndef TH_WIRE_EXT_TYPES_H
#define TH_WIRE_EXT_TYPES_H

#include "certificate_status.h"
#include "th_base.h"

/* ---- Shared helpers --------------------------------------------------- */

/* Parses a list of u16 code points (groups, signature schemes, versions,
 * cipher suites) from the front of |in|: a length prefix of |prefix_len| (1 or
 * 2) bytes, then the values. An empty or odd-length list is decode_error. The
 * bytes after the list stay in |in|. On success *out_values is an array from
 * th_array_grow owned by the caller; on failure it is NULL. */
int th_parse_u16_list(CBS *in, size_t prefix_len, uint16_t **out_values, size_t *out_num,
                      uint8_t *out_alert) TH_MUST_USE;

/* Writes |num| values behind a |prefix_len|-byte length prefix. 0 when the
 * list does not fit the prefix. */
int th_write_u16_list(CBB *out, size_t prefix_len, const uint16_t *values, size_t num) TH_MUST_USE;

/* Empty bodies: encrypt_then_mac, extended_master_secret,
 * post_handshake_auth, early_data in ClientHello and EncryptedExtensions,
 * server_name and session_ticket from a server, status_request in
 * CertificateRequest and the TLS 1.2 ServerHello, and
 * signed_certificate_timestamp in ClientHello and CertificateRequest. A
 * non-empty body is decode_error. */
int th_parse_ext_empty(CBS *body, uint8_t *out_alert) TH_MUST_USE;

/* Writes an empty body (nothing); always 1. */
int th_write_ext_empty(CBB *out) TH_MUST_USE;

/* ---- server_name, max_fragment_length, status_request (RFC 6066) ------ */

enum { TH_SNI_HOST_NAME = 0 };

typedef struct {
    uint8_t name_type;
    th_bytes name; /* HostName for host_name(0), else the opaque name */
} th_server_name;

/* ServerNameList in a ClientHello. */
typedef struct {
    th_server_name *names; /* owned array, wire order */
    size_t num_names;
} th_ext_server_name_ch;

/* 0 with decode_error for an empty list, a bad length, or two names of one
 * name_type; unrecognized_name for an empty host_name (as BoringSSL). Names of
 * unknown types are kept. */
int th_parse_ext_server_name_ch(CBS *body, th_ext_server_name_ch *out,
                                uint8_t *out_alert) TH_MUST_USE;
int th_write_ext_server_name_ch(CBB *out, const th_ext_server_name_ch *in) TH_MUST_USE;
void th_ext_server_name_ch_cleanup(th_ext_server_name_ch *sni);

/* The host_name entry of |sni|, or NULL when it has none. */
const th_bytes *th_ext_server_name_host(const th_ext_server_name_ch *sni);

/* MaxFragmentLength codes: 2^9 (1) .. 2^12 (4). */
enum {
    TH_MFL_512 = 1,
    TH_MFL_1024 = 2,
    TH_MFL_2048 = 3,
    TH_MFL_4096 = 4,
};

typedef struct {
    uint8_t code; /* TH_MFL_* */
} th_ext_max_fragment_length;

/* One byte; a code outside 1..4 is illegal_parameter (RFC 6066 §4). */
int th_parse_ext_max_fragment_length(CBS *body, th_ext_max_fragment_length *out,
                                     uint8_t *out_alert) TH_MUST_USE;
int th_write_ext_max_fragment_length(CBB *out, const th_ext_max_fragment_length *in) TH_MUST_USE;

/* CertificateStatusRequest (ClientHello). The TLS 1.3 CertificateRequest and
 * the TLS 1.2 ServerHello carry the empty form (RFC 8446 §4.4.2.1, RFC 6066
 * §8). */
typedef struct {
    uint8_t status_type;
    /* status_type ocsp: the OCSPStatusRequest fields. */
    th_bytes *responder_ids; /* owned array of DER ResponderID views */
    size_t num_responder_ids;
    th_bytes request_extensions; /* DER Extensions, may be empty */
    /* Any other status_type: the bytes after status_type, kept raw. */
    th_bytes other_request;
} th_ext_status_request_ch;

/* 0 with decode_error on bad lengths or an empty ResponderID. An unknown
 * status_type is kept raw (the server ignores it). */
int th_parse_ext_status_request_ch(CBS *body, th_ext_status_request_ch *out,
                                   uint8_t *out_alert) TH_MUST_USE;
int th_write_ext_status_request_ch(CBB *out, const th_ext_status_request_ch *in) TH_MUST_USE;
void th_ext_status_request_ch_cleanup(th_ext_status_request_ch *sr);

/* In a Certificate entry, status_request carries a CertificateStatus: see
 * certificate_status.h (th_parse_certificate_status), shared with TLS 1.2. */

/* ---- supported_groups, ec_point_formats, key_share -------------------- */

typedef struct {
    uint16_t *groups; /* owned array, wire order, GREASE kept */
    size_t num_groups;
} th_ext_supported_groups;

/* NamedGroupList; empty or odd is decode_error (RFC 8446 §4.2.7). */
int th_parse_ext_supported_groups(CBS *body, th_ext_supported_groups *out,
                                  uint8_t *out_alert) TH_MUST_USE;
int th_write_ext_supported_groups(CBB *out, const th_ext_supported_groups *in) TH_MUST_USE;
void th_ext_supported_groups_cleanup(th_ext_supported_groups *groups);

enum { TH_EC_POINT_UNCOMPRESSED = 0 };

typedef struct {
    th_bytes formats; /* one ECPointFormat per byte */
} th_ext_ec_point_formats;

/* ECPointFormatList; a list without uncompressed(0), the empty list included,
 * is illegal_parameter (RFC 4492 §5.1.2, as BoringSSL). */
int th_parse_ext_ec_point_formats(CBS *body, th_ext_ec_point_formats *out,
                                  uint8_t *out_alert) TH_MUST_USE;
int th_write_ext_ec_point_formats(CBB *out, const th_ext_ec_point_formats *in) TH_MUST_USE;

typedef struct {
    uint16_t group;
    th_bytes key_exchange;
} th_key_share_entry;

/* KeyShareClientHello. */
typedef struct {
    th_key_share_entry *shares; /* owned array, wire order; may be empty */
    size_t num_shares;
} th_ext_key_share_ch;

/* 0 with decode_error on bad lengths or an empty key_exchange,
 * illegal_parameter for two shares of one group (RFC 8446 §4.2.8). */
int th_parse_ext_key_share_ch(CBS *body, th_ext_key_share_ch *out, uint8_t *out_alert) TH_MUST_USE;
int th_write_ext_key_share_ch(CBB *out, const th_ext_key_share_ch *in) TH_MUST_USE;
void th_ext_key_share_ch_cleanup(th_ext_key_share_ch *ks);

/* The share for |group| in |ks|, or NULL. */
const th_key_share_entry *th_ext_key_share_ch_find(const th_ext_key_share_ch *ks, uint16_t group);

/* KeyShareServerHello: exactly one entry. */
typedef struct {
    th_key_share_entry share;
} th_ext_key_share_sh;

/* One entry and nothing after it, else decode_error; an empty key_exchange
 * is decode_error. */
int th_parse_ext_key_share_sh(CBS *body, th_ext_key_share_sh *out, uint8_t *out_alert) TH_MUST_USE;
int th_write_ext_key_share_sh(CBB *out, const th_ext_key_share_sh *in) TH_MUST_USE;

/* KeyShareHelloRetryRequest: exactly a u16 selected_group. */
typedef struct {
    uint16_t selected_group;
} th_ext_key_share_hrr;

/* Exactly two bytes, else decode_error; whether the group may be selected is
 * the engine's check. */
int th_parse_ext_key_share_hrr(CBS *body, th_ext_key_share_hrr *out,
                               uint8_t *out_alert) TH_MUST_USE;
int th_write_ext_key_share_hrr(CBB *out, const th_ext_key_share_hrr *in) TH_MUST_USE;

/* ---- signature_algorithms(_cert), certificate_authorities ------------- */

typedef struct {
    uint16_t *sig_algs; /* owned array, wire order, GREASE kept */
    size_t num_sig_algs;
} th_ext_signature_algorithms;

/* signature_algorithms_cert has the same body (RFC 8446 §4.2.3). */
typedef th_ext_signature_algorithms th_ext_signature_algorithms_cert;

/* supported_signature_algorithms; empty or odd is decode_error. */
int th_parse_ext_signature_algorithms(CBS *body, th_ext_signature_algorithms *out,
                                      uint8_t *out_alert) TH_MUST_USE;
int th_write_ext_signature_algorithms(CBB *out, const th_ext_signature_algorithms *in) TH_MUST_USE;
void th_ext_signature_algorithms_cleanup(th_ext_signature_algorithms *sa);

/* The same codec for signature_algorithms_cert. */
int th_parse_ext_signature_algorithms_cert(CBS *body, th_ext_signature_algorithms_cert *out,
                                           uint8_t *out_alert) TH_MUST_USE;
int th_write_ext_signature_algorithms_cert(CBB *out,
                                           const th_ext_signature_algorithms_cert *in) TH_MUST_USE;
void th_ext_signature_algorithms_cert_cleanup(th_ext_signature_algorithms_cert *sa);

typedef struct {
    th_bytes *authorities; /* owned array of DER DistinguishedName views */
    size_t num_authorities;
} th_ext_certificate_authorities;

/* CertificateAuthoritiesExtension; an empty list or an empty name is
 * decode_error (RFC 8446 §4.2.4). */
int th_parse_ext_certificate_authorities(CBS *body, th_ext_certificate_authorities *out,
                                         uint8_t *out_alert) TH_MUST_USE;
int th_write_ext_certificate_authorities(CBB *out,
                                         const th_ext_certificate_authorities *in) TH_MUST_USE;
void th_ext_certificate_authorities_cleanup(th_ext_certificate_authorities *ca);

/* ---- pre_shared_key, psk_key_exchange_modes, early_data --------------- */

typedef struct {
    th_bytes identity;
    uint32_t obfuscated_ticket_age;
} th_psk_identity;

/* OfferedPsks (ClientHello). */
typedef struct {
    th_psk_identity *identities; /* owned array, wire order */
    size_t num_identities;
    th_bytes *binders; /* owned array of views, one per identity */
    size_t num_binders;
    /* Set by the parser: offset in the body of the binders list (its u16
     * length). The binders list ends the body, so Truncate(ClientHello) of
     * RFC 8446 §4.2.11.2 is the message up to body + binders_offset. */
    size_t binders_offset;
} th_ext_pre_shared_key_ch;

/* 0 with decode_error on bad lengths, an empty identity list, identity or
 * binder list, or a binder outside 32..255 bytes; illegal_parameter when the
 * binder and identity counts differ (as BoringSSL). */
int th_parse_ext_pre_shared_key_ch(CBS *body, th_ext_pre_shared_key_ch *out,
                                   uint8_t *out_alert) TH_MUST_USE;
int th_write_ext_pre_shared_key_ch(CBB *out, const th_ext_pre_shared_key_ch *in) TH_MUST_USE;
void th_ext_pre_shared_key_ch_cleanup(th_ext_pre_shared_key_ch *psk);

/* Length the binders list of |psk| takes on the wire, u16 prefix included:
 * what a writer leaves off to hash Truncate(ClientHello) before the binders
 * are known. */
size_t th_ext_pre_shared_key_ch_binders_len(const th_ext_pre_shared_key_ch *psk);

/* ServerHello: the selected identity index (its range is the engine's). */
typedef struct {
    uint16_t selected_identity;
} th_ext_pre_shared_key_sh;

/* Exactly two bytes, else decode_error. */
int th_parse_ext_pre_shared_key_sh(CBS *body, th_ext_pre_shared_key_sh *out,
                                   uint8_t *out_alert) TH_MUST_USE;
int th_write_ext_pre_shared_key_sh(CBB *out, const th_ext_pre_shared_key_sh *in) TH_MUST_USE;

enum { TH_PSK_MODE_KE = 0, TH_PSK_MODE_DHE_KE = 1 };

typedef struct {
    th_bytes modes; /* one PskKeyExchangeMode per byte, GREASE kept */
} th_ext_psk_key_exchange_modes;

/* ke_modes<1..255>; empty is decode_error. */
int th_parse_ext_psk_key_exchange_modes(CBS *body, th_ext_psk_key_exchange_modes *out,
                                        uint8_t *out_alert) TH_MUST_USE;
int th_write_ext_psk_key_exchange_modes(CBB *out,
                                        const th_ext_psk_key_exchange_modes *in) TH_MUST_USE;

/* early_data in NewSessionTicket (ClientHello and EncryptedExtensions use the
 * empty form). */
typedef struct {
    uint32_t max_early_data_size;
} th_ext_early_data_nst;

/* Exactly a u32, else decode_error. */
int th_parse_ext_early_data_nst(CBS *body, th_ext_early_data_nst *out,
                                uint8_t *out_alert) TH_MUST_USE;
int th_write_ext_early_data_nst(CBB *out, const th_ext_early_data_nst *in) TH_MUST_USE;

/* ---- supported_versions, cookie --------------------------------------- */

typedef struct {
    uint16_t *versions; /* owned array, wire order, GREASE and unknown kept */
    size_t num_versions;
} th_ext_supported_versions_ch;

/* versions<2..254>; empty or odd is decode_error. */
int th_parse_ext_supported_versions_ch(CBS *body, th_ext_supported_versions_ch *out,
                                       uint8_t *out_alert) TH_MUST_USE;
int th_write_ext_supported_versions_ch(CBB *out,
                                       const th_ext_supported_versions_ch *in) TH_MUST_USE;
void th_ext_supported_versions_ch_cleanup(th_ext_supported_versions_ch *sv);

/* 1 if |sv| lists |version|. */
int th_ext_supported_versions_ch_has(const th_ext_supported_versions_ch *sv, uint16_t version);

/* ServerHello and HelloRetryRequest: selected_version. */
typedef struct {
    uint16_t selected_version;
} th_ext_supported_versions_sh;

/* A version below TLS 1.3 is illegal_parameter (RFC 8446 §4.2.1); whether
 * the client offered it is the engine's check. */
int th_parse_ext_supported_versions_sh(CBS *body, th_ext_supported_versions_sh *out,
                                       uint8_t *out_alert) TH_MUST_USE;
int th_write_ext_supported_versions_sh(CBB *out,
                                       const th_ext_supported_versions_sh *in) TH_MUST_USE;

typedef struct {
    th_bytes cookie;
} th_ext_cookie;

/* cookie<1..2^16-1>; empty is decode_error. */
int th_parse_ext_cookie(CBS *body, th_ext_cookie *out, uint8_t *out_alert) TH_MUST_USE;
int th_write_ext_cookie(CBB *out, const th_ext_cookie *in) TH_MUST_USE;

/* ---- ALPN, SCT, padding, record_size_limit, session_ticket, RI -------- */

/* ProtocolNameList offered by a client. */
typedef struct {
    th_bytes *protocols; /* owned array of views, wire order */
    size_t num_protocols;
} th_ext_alpn_ch;

/* An empty list or an empty ProtocolName is decode_error (RFC 7301 §3.1). */
int th_parse_ext_alpn_ch(CBS *body, th_ext_alpn_ch *out, uint8_t *out_alert) TH_MUST_USE;
int th_write_ext_alpn_ch(CBB *out, const th_ext_alpn_ch *in) TH_MUST_USE;
void th_ext_alpn_ch_cleanup(th_ext_alpn_ch *alpn);

/* The server's answer (ServerHello 1.2, EncryptedExtensions): a list of
 * exactly one ProtocolName. */
typedef struct {
    th_bytes protocol;
} th_ext_alpn_sh;

/* Anything but exactly one non-empty name is decode_error (as BoringSSL). */
int th_parse_ext_alpn_sh(CBS *body, th_ext_alpn_sh *out, uint8_t *out_alert) TH_MUST_USE;
int th_write_ext_alpn_sh(CBB *out, const th_ext_alpn_sh *in) TH_MUST_USE;

/* SignedCertificateTimestampList (Certificate entry, ServerHello 1.2); the
 * ClientHello and CertificateRequest use the empty form. */
typedef struct {
    th_bytes *scts; /* owned array of SerializedSCT views */
    size_t num_scts;
} th_ext_signed_certificate_timestamp;

/* An empty list or an empty SCT is decode_error (RFC 6962 §3.3, as BoringSSL). */
int th_parse_ext_signed_certificate_timestamp(CBS *body, th_ext_signed_certificate_timestamp *out,
                                              uint8_t *out_alert) TH_MUST_USE;
int th_write_ext_signed_certificate_timestamp(
    CBB *out, const th_ext_signed_certificate_timestamp *in) TH_MUST_USE;
void th_ext_signed_certificate_timestamp_cleanup(th_ext_signed_certificate_timestamp *sct);

typedef struct {
    /* The padding bytes as received. For writing, a NULL data with a length
     * means that many zero bytes. */
    th_bytes contents;
    int all_zero; /* set by the parser: 1 if every byte is zero (RFC 7685 §3) */
} th_ext_padding;

/* Accepts any contents (only the sender must zero them, RFC 7685 §3). */
int th_parse_ext_padding(CBS *body, th_ext_padding *out, uint8_t *out_alert) TH_MUST_USE;
int th_write_ext_padding(CBB *out, const th_ext_padding *in) TH_MUST_USE;

typedef struct {
    uint16_t limit;
} th_ext_record_size_limit;

/* Exactly a u16; below 64 is illegal_parameter (RFC 8449 §4). */
int th_parse_ext_record_size_limit(CBS *body, th_ext_record_size_limit *out,
                                   uint8_t *out_alert) TH_MUST_USE;
int th_write_ext_record_size_limit(CBB *out, const th_ext_record_size_limit *in) TH_MUST_USE;

/* SessionTicket in a ClientHello: any opaque bytes, empty included (RFC 5077
 * §3.2); the TLS 1.2 ServerHello uses the empty form. */
typedef struct {
    th_bytes ticket;
} th_ext_session_ticket;

/* Takes the whole body as the ticket; never fails. */
int th_parse_ext_session_ticket(CBS *body, th_ext_session_ticket *out,
                                uint8_t *out_alert) TH_MUST_USE;
int th_write_ext_session_ticket(CBB *out, const th_ext_session_ticket *in) TH_MUST_USE;

typedef struct {
    th_bytes renegotiated_connection; /* empty in an initial handshake */
} th_ext_renegotiation_info;

/* renegotiated_connection<0..255> (RFC 5746 §3.2); what it must hold is the
 * engine's check. */
int th_parse_ext_renegotiation_info(CBS *body, th_ext_renegotiation_info *out,
                                    uint8_t *out_alert) TH_MUST_USE;
int th_write_ext_renegotiation_info(CBB *out, const th_ext_renegotiation_info *in) TH_MUST_USE;

#endif
