/* The decoder's TLS 1.2 (and 1.0/1.1) message forms whose wire format differs
 * from TLS 1.3 or that only TLS 1.2 has: Certificate, CertificateRequest,
 * NewSessionTicket, ServerKeyExchange, ClientKeyExchange, CertificateStatus.
 * The key exchange forms depend on the negotiated cipher suite. */
#include <string.h>

#include "certificate_request_tls12.h"
#include "certificate_status.h"
#include "certificate_tls12.h"
#include "client_key_exchange.h"
#include "decode_internal.h"
#include "names.h"
#include "new_session_ticket_tls12.h"
#include "server_key_exchange.h"

/* RFC 5246 §7.4.2: ASN.1Cert certificate_list<0..2^24-1>. */
static void walk_certificate_tls12(th_dctx *c, CBS *b, json_t *n) {
    CBS list, cert;
    json_t *ln, *cn;
    if (!th_rd_vec(c, b, n, "certificate_list", 3, 0, 0xffffff, &list, &ln)) {
        return;
    }
    while (CBS_len(&list) > 0) {
        if (!th_rd_vec(c, &list, ln, "asn1_cert", 3, 1, 0xffffff, &cert, &cn)) {
            return;
        }
        th_dnode_hex(cn, CBS_data(&cert), CBS_len(&cert));
        th_dnote_cert(cn, CBS_data(&cert), CBS_len(&cert));
    }
    th_drest(c, b, n, "certificate_list");
}

/* RFC 5246 §7.4.4; the TLS 1.0/1.1 form (RFC 4346 §7.4.4) has no
 * supported_signature_algorithms. */
static void walk_certificate_request_common(th_dctx *c, CBS *b, json_t *n, int sig_algs) {
    CBS list, dn;
    json_t *ln, *dn_node;
    if (!th_rd_list(c, b, n, "certificate_types", "certificate_type", 1, 1, 255, 1,
                    TH_NK_CLIENT_CERT_TYPE, NULL) ||
        (sig_algs && !th_rd_list(c, b, n, "supported_signature_algorithms", "signature_scheme", 2,
                                 2, 0xfffe, 2, TH_NK_SIG, NULL)) ||
        !th_rd_vec(c, b, n, "certificate_authorities", 2, 0, 0xffff, &list, &ln)) {
        return;
    }
    while (CBS_len(&list) > 0) {
        if (!th_rd_vec(c, &list, ln, "distinguished_name", 2, 1, 0xffff, &dn, &dn_node)) {
            return;
        }
        th_dnode_hex(dn_node, CBS_data(&dn), CBS_len(&dn));
        th_dnote_dn(dn_node, CBS_data(&dn), CBS_len(&dn));
    }
    th_drest(c, b, n, "certificate_authorities");
}

static void walk_certificate_request_tls12(th_dctx *c, CBS *b, json_t *n) {
    walk_certificate_request_common(c, b, n, 1);
}

static void walk_certificate_request_tls10(th_dctx *c, CBS *b, json_t *n) {
    walk_certificate_request_common(c, b, n, 0);
}

/* RFC 5077 §3.3. */
static void walk_new_session_ticket_tls12(th_dctx *c, CBS *b, json_t *n) {
    if (th_rd_uint(c, b, n, "ticket_lifetime_hint", 4, TH_NK_NONE, NULL) &&
        th_rd_opaque(c, b, n, "ticket", 2, 0, 0xffff, 0, NULL)) {
        th_drest(c, b, n, "the ticket");
    }
}

/* The signature ending a ServerKeyExchange: RFC 5246 §4.7 DigitallySigned,
 * with the algorithm only in the TLS 1.2 form. */
static void walk_signed(th_dctx *c, CBS *b, json_t *n, int has_sig_alg) {
    if ((!has_sig_alg || th_rd_uint(c, b, n, "algorithm", 2, TH_NK_SIG, NULL)) &&
        th_rd_opaque(c, b, n, "signature", 2, 0, 0xffff, 0, NULL)) {
        th_drest(c, b, n, "the signature");
    }
}

/* RFC 8422 §5.4: ServerECDHParams then the signature. */
static void walk_ske_ecdhe_common(th_dctx *c, CBS *b, json_t *n, int has_sig_alg) {
    uint32_t curve_type;
    const uint8_t *at = CBS_data(b);
    json_t *params = th_dgroup(c, n, "params", at);
    if (!th_rd_uint(c, b, params, "curve_type", 1, TH_NK_CURVE_TYPE, &curve_type)) {
        return;
    }
    if (curve_type != TH_EC_CURVE_TYPE_NAMED_CURVE) {
        /* RFC 8422 §5.4 deprecates explicit curves; the rest is unreadable. */
        th_dfail(c, at, params, "curve_type", TH_ALERT_DECODE_ERROR,
                 "only named_curve parameters can be read");
        return;
    }
    int ok = th_rd_uint(c, b, params, "named_curve", 2, TH_NK_GROUP, NULL) &&
             th_rd_opaque(c, b, params, "point", 1, 1, 255, 0, NULL);
    th_dgroup_end(params, at, b);
    if (ok) {
        walk_signed(c, b, n, has_sig_alg);
    }
}

static void walk_ske_ecdhe(th_dctx *c, CBS *b, json_t *n) {
    walk_ske_ecdhe_common(c, b, n, 1);
}

static void walk_ske_ecdhe_legacy(th_dctx *c, CBS *b, json_t *n) {
    walk_ske_ecdhe_common(c, b, n, 0);
}

/* RFC 5246 §7.4.3: ServerDHParams then the signature. */
static void walk_ske_dhe_common(th_dctx *c, CBS *b, json_t *n, int has_sig_alg) {
    const uint8_t *at = CBS_data(b);
    json_t *params = th_dgroup(c, n, "params", at);
    int ok = th_rd_opaque(c, b, params, "dh_p", 2, 1, 0xffff, 0, NULL) &&
             th_rd_opaque(c, b, params, "dh_g", 2, 1, 0xffff, 0, NULL) &&
             th_rd_opaque(c, b, params, "dh_Ys", 2, 1, 0xffff, 0, NULL);
    th_dgroup_end(params, at, b);
    if (ok) {
        walk_signed(c, b, n, has_sig_alg);
    }
}

static void walk_ske_dhe(th_dctx *c, CBS *b, json_t *n) {
    walk_ske_dhe_common(c, b, n, 1);
}

static void walk_ske_dhe_legacy(th_dctx *c, CBS *b, json_t *n) {
    walk_ske_dhe_common(c, b, n, 0);
}

/* RFC 8422 §5.7, RFC 5246 §7.4.7.1 and §7.4.7.2. */
static void walk_cke_ecdhe(th_dctx *c, CBS *b, json_t *n) {
    if (th_rd_opaque(c, b, n, "ecdh_Yc", 1, 1, 255, 0, NULL)) {
        th_drest(c, b, n, "ecdh_Yc");
    }
}

static void walk_cke_rsa(th_dctx *c, CBS *b, json_t *n) {
    if (th_rd_opaque(c, b, n, "encrypted_pre_master_secret", 2, 0, 0xffff, 0, NULL)) {
        th_drest(c, b, n, "encrypted_pre_master_secret");
    }
}

static void walk_cke_dhe(th_dctx *c, CBS *b, json_t *n) {
    if (th_rd_opaque(c, b, n, "dh_Yc", 2, 1, 0xffff, 0, NULL)) {
        th_drest(c, b, n, "dh_Yc");
    }
}

/* RFC 6066 §8. */
static void walk_certificate_status(th_dctx *c, CBS *b, json_t *n) {
    if (th_rd_uint(c, b, n, "status_type", 1, TH_NK_STATUS_TYPE, NULL) &&
        th_rd_opaque(c, b, n, "ocsp_response", 3, 1, 0xffffff, 0, NULL)) {
        th_drest(c, b, n, "ocsp_response");
    }
}

TH_DCHECK_OWNING(check_certificate_tls12, th_certificate_tls12, th_parse_certificate_tls12,
                 th_certificate_tls12_cleanup)
TH_DCHECK_OWNING(check_certificate_request_tls12, th_certificate_request_tls12,
                 th_parse_certificate_request_tls12, th_certificate_request_tls12_cleanup)
TH_DCHECK_OWNING(check_certificate_request_tls10, th_certificate_request_tls12,
                 th_parse_certificate_request_tls10, th_certificate_request_tls12_cleanup)
TH_DCHECK_PLAIN(check_new_session_ticket_tls12, th_new_session_ticket_tls12,
                th_parse_new_session_ticket_tls12)
TH_DCHECK_PLAIN(check_ske_ecdhe, th_server_key_exchange_ecdhe, th_parse_server_key_exchange_ecdhe)
TH_DCHECK_PLAIN(check_ske_ecdhe_legacy, th_server_key_exchange_ecdhe,
                th_parse_server_key_exchange_ecdhe_legacy)
TH_DCHECK_PLAIN(check_ske_dhe, th_server_key_exchange_dhe, th_parse_server_key_exchange_dhe)
TH_DCHECK_PLAIN(check_ske_dhe_legacy, th_server_key_exchange_dhe,
                th_parse_server_key_exchange_dhe_legacy)
TH_DCHECK_PLAIN(check_cke_ecdhe, th_client_key_exchange_ecdhe, th_parse_client_key_exchange_ecdhe)
TH_DCHECK_PLAIN(check_cke_rsa, th_client_key_exchange_rsa, th_parse_client_key_exchange_rsa)
TH_DCHECK_PLAIN(check_cke_dhe, th_client_key_exchange_dhe, th_parse_client_key_exchange_dhe)
TH_DCHECK_PLAIN(check_certificate_status, th_certificate_status, th_parse_certificate_status)

enum {
    F_CERTIFICATE,
    F_CERTIFICATE_REQUEST,
    F_CERTIFICATE_REQUEST_TLS10,
    F_NEW_SESSION_TICKET,
    F_SKE_ECDHE,
    F_SKE_ECDHE_LEGACY,
    F_SKE_DHE,
    F_SKE_DHE_LEGACY,
    F_CKE_ECDHE,
    F_CKE_RSA,
    F_CKE_DHE,
    F_CERTIFICATE_STATUS,
};

const th_dform th_dform_tls12[] = {
    [F_CERTIFICATE] = {"certificate_tls12", TH_HS_CERTIFICATE, walk_certificate_tls12,
                       check_certificate_tls12},
    [F_CERTIFICATE_REQUEST] = {"certificate_request_tls12", TH_HS_CERTIFICATE_REQUEST,
                               walk_certificate_request_tls12, check_certificate_request_tls12},
    [F_CERTIFICATE_REQUEST_TLS10] = {"certificate_request_tls10", TH_HS_CERTIFICATE_REQUEST,
                                     walk_certificate_request_tls10,
                                     check_certificate_request_tls10},
    [F_NEW_SESSION_TICKET] = {"new_session_ticket_tls12", TH_HS_NEW_SESSION_TICKET,
                              walk_new_session_ticket_tls12, check_new_session_ticket_tls12},
    [F_SKE_ECDHE] = {"server_key_exchange_ecdhe", TH_HS_SERVER_KEY_EXCHANGE, walk_ske_ecdhe,
                     check_ske_ecdhe},
    [F_SKE_ECDHE_LEGACY] = {"server_key_exchange_ecdhe_tls10", TH_HS_SERVER_KEY_EXCHANGE,
                            walk_ske_ecdhe_legacy, check_ske_ecdhe_legacy},
    [F_SKE_DHE] = {"server_key_exchange_dhe", TH_HS_SERVER_KEY_EXCHANGE, walk_ske_dhe,
                   check_ske_dhe},
    [F_SKE_DHE_LEGACY] = {"server_key_exchange_dhe_tls10", TH_HS_SERVER_KEY_EXCHANGE,
                          walk_ske_dhe_legacy, check_ske_dhe_legacy},
    [F_CKE_ECDHE] = {"client_key_exchange_ecdhe", TH_HS_CLIENT_KEY_EXCHANGE, walk_cke_ecdhe,
                     check_cke_ecdhe},
    [F_CKE_RSA] = {"client_key_exchange_rsa", TH_HS_CLIENT_KEY_EXCHANGE, walk_cke_rsa,
                   check_cke_rsa},
    [F_CKE_DHE] = {"client_key_exchange_dhe", TH_HS_CLIENT_KEY_EXCHANGE, walk_cke_dhe,
                   check_cke_dhe},
    [F_CERTIFICATE_STATUS] = {"certificate_status", TH_HS_CERTIFICATE_STATUS,
                              walk_certificate_status, check_certificate_status},
};

const size_t th_num_dform_tls12 = sizeof(th_dform_tls12) / sizeof(th_dform_tls12[0]);

static int accepts(int form, const uint8_t *body, size_t len) {
    CBS cbs;
    uint8_t alert;
    CBS_init(&cbs, body, len);
    return th_dform_tls12[form].check(&cbs, &alert);
}

/* The key exchange of the negotiated suite, by its IANA name: "ECDHE",
 * "DHE", "RSA" (TLS_RSA_WITH_*), or NULL when unknown. */
static const char *suite_kex(const th_dctx *c) {
    const char *name = c->have_cipher_suite ? th_cipher_suite_name(c->cipher_suite) : NULL;
    if (name == NULL) {
        return NULL;
    }
    if (strncmp(name, "TLS_ECDHE_", 10) == 0) {
        return "ECDHE";
    }
    if (strncmp(name, "TLS_DHE_", 8) == 0) {
        return "DHE";
    }
    if (strncmp(name, "TLS_RSA_", 8) == 0) {
        return "RSA";
    }
    return NULL;
}

/* The first of |forms| whose codec accepts |body|, else |fallback|. */
static const th_dform *first_accepted(const int *forms, size_t num, int fallback,
                                      const uint8_t *body, size_t len) {
    for (size_t i = 0; i < num; i++) {
        if (accepts(forms[i], body, len)) {
            return &th_dform_tls12[forms[i]];
        }
    }
    return &th_dform_tls12[fallback];
}

static const th_dform *server_key_exchange(const th_dctx *c, const uint8_t *body, size_t len) {
    static const int kAll[] = {F_SKE_ECDHE, F_SKE_DHE, F_SKE_ECDHE_LEGACY, F_SKE_DHE_LEGACY};
    const char *kex = suite_kex(c);
    /* RFC 5246 §7.4.3: the algorithm field exists from TLS 1.2 on. */
    int legacy = c->version != 0 && c->version < TH_VERSION_TLS12;
    if (kex != NULL && strcmp(kex, "ECDHE") == 0) {
        return &th_dform_tls12[legacy ? F_SKE_ECDHE_LEGACY : F_SKE_ECDHE];
    }
    if (kex != NULL && strcmp(kex, "DHE") == 0) {
        return &th_dform_tls12[legacy ? F_SKE_DHE_LEGACY : F_SKE_DHE];
    }
    /* Unknown suite: ECParameters start with curve_type named_curve (3). */
    int fallback = len > 0 && body[0] == TH_EC_CURVE_TYPE_NAMED_CURVE ? F_SKE_ECDHE : F_SKE_DHE;
    return first_accepted(kAll, sizeof(kAll) / sizeof(kAll[0]), fallback, body, len);
}

static const th_dform *client_key_exchange(const th_dctx *c, const uint8_t *body, size_t len) {
    /* RSA and DHE share the wire form (a u16-prefixed value); unknown
     * suites show it as RSA's. */
    static const int kAll[] = {F_CKE_ECDHE, F_CKE_RSA};
    const char *kex = suite_kex(c);
    if (kex != NULL) {
        return &th_dform_tls12[strcmp(kex, "ECDHE") == 0 ? F_CKE_ECDHE
                               : strcmp(kex, "DHE") == 0 ? F_CKE_DHE
                                                         : F_CKE_RSA];
    }
    return first_accepted(kAll, sizeof(kAll) / sizeof(kAll[0]), F_CKE_ECDHE, body, len);
}

const th_dform *th_dform12_for_type(const th_dctx *c, uint8_t type, const uint8_t *body,
                                    size_t len) {
    switch (type) {
    case TH_HS_CERTIFICATE:
        return &th_dform_tls12[F_CERTIFICATE];
    case TH_HS_CERTIFICATE_REQUEST:
        return &th_dform_tls12[c->version != 0 && c->version < TH_VERSION_TLS12
                                   ? F_CERTIFICATE_REQUEST_TLS10
                                   : F_CERTIFICATE_REQUEST];
    case TH_HS_NEW_SESSION_TICKET:
        return &th_dform_tls12[F_NEW_SESSION_TICKET];
    case TH_HS_SERVER_KEY_EXCHANGE:
        return server_key_exchange(c, body, len);
    case TH_HS_CLIENT_KEY_EXCHANGE:
        return client_key_exchange(c, body, len);
    case TH_HS_CERTIFICATE_STATUS:
        return &th_dform_tls12[F_CERTIFICATE_STATUS];
    default:
        return NULL;
    }
}
