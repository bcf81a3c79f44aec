/* TLS 1.2 (and 1.0/1.1) ServerKeyExchange for ECDHE (RFC 4492 §5.4, RFC 8422
 * §5.4) and DHE (RFC 5246 §7.4.3): the server's ephemeral parameters and the
 * signature over client_random + server_random + params. The TLS 1.2 form
 * signs with an explicit SignatureAndHashAlgorithm (RFC 5246 §4.7); the TLS
 * 1.0/1.1 ("legacy") form has only the signature, its algorithm implied by the
 * certificate. */
#ifndef TH_WIRE_SERVER_KEY_EXCHANGE_H
#define TH_WIRE_SERVER_KEY_EXCHANGE_H

#include "th_base.h"

/* ECCurveType, RFC 4492 §5.4. RFC 8422 §5.4 deprecates the explicit ones. */
enum {
    TH_EC_CURVE_TYPE_EXPLICIT_PRIME = 1,
    TH_EC_CURVE_TYPE_EXPLICIT_CHAR2 = 2,
    TH_EC_CURVE_TYPE_NAMED_CURVE = 3,
};

/* NamedCurve values that name a class of curves, not a curve (RFC 4492 §5.1.1). */
enum {
    TH_CURVE_ARBITRARY_EXPLICIT_PRIME = 0xff01,
    TH_CURVE_ARBITRARY_EXPLICIT_CHAR2 = 0xff02,
};

typedef struct {
    uint8_t curve_type;   /* TH_EC_CURVE_TYPE_NAMED_CURVE after a parse */
    uint16_t named_curve; /* on the wire only when curve_type is named_curve */
    th_bytes public_key;  /* ECPoint.point, view; format and curve checked by the engine */
    int has_sig_alg;      /* 1: TLS 1.2 form with sig_alg; 0: TLS 1.0/1.1 form */
    uint16_t sig_alg;     /* SignatureAndHashAlgorithm, when has_sig_alg */
    th_bytes signature;   /* view */
    /* Set by the parsers: the ServerECDHParams bytes as received, i.e. what
     * the signature covers after the two randoms. Writers ignore it (use
     * th_write_server_ecdh_params to produce the bytes to sign). */
    th_bytes params;
} th_server_key_exchange_ecdhe;

/* Parses an ECDHE ServerKeyExchange body in the TLS 1.2 form. 0 with
 * decode_error for a curve_type other than named_curve (as BoringSSL), an
 * empty point, bad lengths or trailing bytes; illegal_parameter for the
 * arbitrary_explicit_* NamedCurve values. The struct owns nothing. */
int th_parse_server_key_exchange_ecdhe(CBS *in, th_server_key_exchange_ecdhe *out,
                                       uint8_t *out_alert) TH_MUST_USE;

/* The same for the TLS 1.0/1.1 form (no SignatureAndHashAlgorithm); sets
 * has_sig_alg = 0. */
int th_parse_server_key_exchange_ecdhe_legacy(CBS *in, th_server_key_exchange_ecdhe *out,
                                              uint8_t *out_alert) TH_MUST_USE;

/* Writes ServerECDHParams (curve_type, named_curve when curve_type is
 * named_curve, the point): the bytes the server signs. 0 if the point does not
 * fit its length prefix. */
int th_write_server_ecdh_params(CBB *out, const th_server_key_exchange_ecdhe *in) TH_MUST_USE;

/* Writes the whole body from |in| as is (no rule checks, so deviating
 * messages can be built): the params, sig_alg iff has_sig_alg, the signature.
 * 0 if a length does not fit its prefix. */
int th_write_server_key_exchange_ecdhe(CBB *out,
                                       const th_server_key_exchange_ecdhe *in) TH_MUST_USE;

typedef struct {
    th_bytes dh_p; /* views; big-endian integers as sent */
    th_bytes dh_g;
    th_bytes dh_ys;
    int has_sig_alg; /* as in th_server_key_exchange_ecdhe */
    uint16_t sig_alg;
    th_bytes signature;
    th_bytes params; /* ServerDHParams as received (set by the parsers) */
} th_server_key_exchange_dhe;

/* Parses a DHE ServerKeyExchange body (TLS 1.2 form / TLS 1.0-1.1 form). 0
 * with decode_error for an empty dh_p, dh_g or dh_Ys, bad lengths or trailing
 * bytes. Group strength and the range of dh_Ys (RFC 7919 §3) are the
 * engine's. The struct owns nothing. */
int th_parse_server_key_exchange_dhe(CBS *in, th_server_key_exchange_dhe *out,
                                     uint8_t *out_alert) TH_MUST_USE;
int th_parse_server_key_exchange_dhe_legacy(CBS *in, th_server_key_exchange_dhe *out,
                                            uint8_t *out_alert) TH_MUST_USE;

/* Writes ServerDHParams (the bytes the server signs); 0 if a value does not
 * fit its length prefix. */
int th_write_server_dh_params(CBB *out, const th_server_key_exchange_dhe *in) TH_MUST_USE;

/* Writes the whole DHE body from |in| as is, like the ECDHE writer. */
int th_write_server_key_exchange_dhe(CBB *out, const th_server_key_exchange_dhe *in) TH_MUST_USE;

#endif
