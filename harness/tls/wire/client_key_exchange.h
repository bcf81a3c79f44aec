/* TLS 1.2 (and 1.0/1.1) ClientKeyExchange: the ECDHE form (RFC 4492 §5.7), the
 * RSA form (RFC 5246 §7.4.7.1) and the DHE form (RFC 5246 §7.4.7.2). Which one
 * a body holds follows from the negotiated cipher suite, so each has its own
 * parse/write pair. */
#ifndef TH_WIRE_CLIENT_KEY_EXCHANGE_H
#define TH_WIRE_CLIENT_KEY_EXCHANGE_H

#include "th_base.h"

typedef struct {
    th_bytes public_key; /* ecdh_Yc (ECPoint.point), view; checked on the curve by the engine */
} th_client_key_exchange_ecdhe;

/* Parses an ECDHE ClientKeyExchange body: ecdh_Yc<1..2^8-1>. 0 with
 * decode_error for an empty body or point (the implicit form is for fixed-ECDH
 * client certificates, which tlsharness does not support), bad lengths or
 * trailing bytes. The struct owns nothing. */
int th_parse_client_key_exchange_ecdhe(CBS *in, th_client_key_exchange_ecdhe *out,
                                       uint8_t *out_alert) TH_MUST_USE;

/* Writes the body from |in| as is; 0 if the point does not fit its prefix. */
int th_write_client_key_exchange_ecdhe(CBB *out,
                                       const th_client_key_exchange_ecdhe *in) TH_MUST_USE;

typedef struct {
    th_bytes encrypted_pre_master_secret; /* view */
} th_client_key_exchange_rsa;

/* Parses an RSA ClientKeyExchange body: EncryptedPreMasterSecret<0..2^16-1>.
 * 0 with decode_error only for bad lengths or trailing bytes; the content,
 * even empty, is left to the engine's constant-time decryption. The struct
 * owns nothing. */
int th_parse_client_key_exchange_rsa(CBS *in, th_client_key_exchange_rsa *out,
                                     uint8_t *out_alert) TH_MUST_USE;

/* Writes the body from |in| as is; 0 if it does not fit its prefix. */
int th_write_client_key_exchange_rsa(CBB *out, const th_client_key_exchange_rsa *in) TH_MUST_USE;

typedef struct {
    th_bytes dh_yc; /* view; big-endian integer as sent, range checked by the engine */
} th_client_key_exchange_dhe;

/* Parses a DHE ClientKeyExchange body: dh_Yc<1..2^16-1>. 0 with decode_error
 * for an empty body or dh_Yc (the implicit form is for fixed-DH client
 * certificates, not supported), bad lengths or trailing bytes. */
int th_parse_client_key_exchange_dhe(CBS *in, th_client_key_exchange_dhe *out,
                                     uint8_t *out_alert) TH_MUST_USE;

/* Writes the body from |in| as is; 0 if dh_Yc does not fit its prefix. */
int th_write_client_key_exchange_dhe(CBB *out, const th_client_key_exchange_dhe *in) TH_MUST_USE;

#endif
