/* Certificates on BoringSSL's X509 APIs: loading, chain and name
 * verification, and the RFC 8446 §6.2 alert of every failure. */
#include "x509.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/ec.h>
#include <openssl/ec_key.h>
#include <openssl/err.h>
#include <openssl/mem.h>
#include <openssl/nid.h>
#include <openssl/obj.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "sigs.h"

static void set_msg(char *buf, size_t len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void set_msg(char *buf, size_t len, const char *fmt, ...) {
    if (buf == NULL || len == 0) {
        return;
    }
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, len, fmt, ap);
    va_end(ap);
}

/* The reason string of BoringSSL's most recent error, for messages. */
static const char *last_error_reason(void) {
    uint32_t e = ERR_peek_last_error();
    const char *reason = e != 0 ? ERR_reason_error_string(e) : NULL;
    return reason != NULL ? reason : "unknown error";
}

/* Opens |path| for reading, or writes why not into |errbuf|. */
static BIO *open_file(const char *path, char *errbuf, size_t errbuf_len) {
    errno = 0;
    BIO *bio = BIO_new_file(path, "r");
    if (bio == NULL) {
        set_msg(errbuf, errbuf_len, "%s: cannot open: %s", path,
                errno != 0 ? strerror(errno) : last_error_reason());
        ERR_clear_error();
    }
    return bio;
}

/* Every CERTIFICATE block of the PEM file |path|, in file order; NULL (with a
 * message naming |path|) if the file cannot be read, a block does not parse,
 * or there is none. */
static STACK_OF(X509) * read_pem_certs(const char *path, char *errbuf, size_t errbuf_len) {
    ERR_clear_error();
    BIO *bio = open_file(path, errbuf, errbuf_len);
    if (bio == NULL) {
        return NULL;
    }
    STACK_OF(X509) *certs = sk_X509_new_null();
    if (certs == NULL) {
        set_msg(errbuf, errbuf_len, "%s: out of memory", path);
        goto err;
    }
    for (;;) {
        X509 *x = PEM_read_bio_X509(bio, NULL, NULL, NULL);
        if (x == NULL) {
            uint32_t e = ERR_peek_last_error();
            if (ERR_GET_LIB(e) == ERR_LIB_PEM && ERR_GET_REASON(e) == PEM_R_NO_START_LINE) {
                break; /* no further CERTIFICATE block */
            }
            set_msg(errbuf, errbuf_len, "%s: certificate %zu does not parse: %s", path,
                    (size_t)sk_X509_num(certs) + 1, last_error_reason());
            goto err;
        }
        if (!sk_X509_push(certs, x)) {
            X509_free(x);
            set_msg(errbuf, errbuf_len, "%s: out of memory", path);
            goto err;
        }
    }
    if (sk_X509_num(certs) == 0) {
        set_msg(errbuf, errbuf_len, "%s: no PEM CERTIFICATE block", path);
        goto err;
    }
    ERR_clear_error();
    BIO_free(bio);
    return certs;
err:
    ERR_clear_error();
    sk_X509_pop_free(certs, X509_free);
    BIO_free(bio);
    return NULL;
}

int th_trust_store_load(const char *path, X509_STORE **out_store, char *errbuf, size_t errbuf_len) {
    *out_store = NULL;
    STACK_OF(X509) *certs = read_pem_certs(path, errbuf, errbuf_len);
    if (certs == NULL) {
        return 0;
    }
    X509_STORE *store = X509_STORE_new();
    if (store == NULL) {
        set_msg(errbuf, errbuf_len, "%s: out of memory", path);
        goto err;
    }
    for (size_t i = 0; i < (size_t)sk_X509_num(certs); i++) {
        if (!X509_STORE_add_cert(store, sk_X509_value(certs, i))) {
            uint32_t e = ERR_peek_last_error();
            /* A certificate listed twice is harmless. */
            if (ERR_GET_LIB(e) == ERR_LIB_X509 &&
                ERR_GET_REASON(e) == X509_R_CERT_ALREADY_IN_HASH_TABLE) {
                ERR_clear_error();
                continue;
            }
            set_msg(errbuf, errbuf_len, "%s: certificate %zu cannot be trusted: %s", path, i + 1,
                    last_error_reason());
            goto err;
        }
    }
    sk_X509_pop_free(certs, X509_free);
    *out_store = store;
    return 1;
err:
    ERR_clear_error();
    X509_STORE_free(store);
    sk_X509_pop_free(certs, X509_free);
    return 0;
}

uint8_t th_alert_empty_server_chain(uint16_t version) {
    /* RFC 8446 §4.4.2.4: "If the server supplies an empty Certificate message,
     * the client MUST abort the handshake with a "decode_error" alert." RFC
     * 5246 names none for TLS 1.2; BoringSSL sends decode_error there too. */
    (void)version;
    return TH_ALERT_DECODE_ERROR;
}

uint8_t th_alert_empty_client_chain(uint16_t version) {
    if (version >= TH_VERSION_TLS13) {
        /* RFC 8446 §4.4.2.4: the server MAY "abort the handshake with a
         * "certificate_required" alert". */
        return TH_ALERT_CERTIFICATE_REQUIRED;
    }
    /* RFC 5246 §7.4.6: the server MAY "respond with a fatal handshake_failure
     * alert" (BoringSSL does). */
    return TH_ALERT_HANDSHAKE_FAILURE;
}

/* X509_verify_cert errors and their alerts (RFC 8446 §6.2). The grouping is
 * BoringSSL's SSL_alert_from_verify_result except where noted; an error not
 * listed is certificate_unknown: "Some other (unspecified) issue arose in
 * processing the certificate, rendering it unacceptable." */
static const struct {
    int error;
    uint8_t alert;
} kVerifyAlerts[] = {
    /* "A certificate has expired or is not currently valid." */
    {X509_V_ERR_CERT_HAS_EXPIRED, TH_ALERT_CERTIFICATE_EXPIRED},
    {X509_V_ERR_CERT_NOT_YET_VALID, TH_ALERT_CERTIFICATE_EXPIRED},
    {X509_V_ERR_CRL_HAS_EXPIRED, TH_ALERT_CERTIFICATE_EXPIRED},
    {X509_V_ERR_CRL_NOT_YET_VALID, TH_ALERT_CERTIFICATE_EXPIRED},
    /* unknown_ca: "the CA certificate could not be located or could not be
     * matched with a known trust anchor." */
    {X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT, TH_ALERT_UNKNOWN_CA},
    {X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY, TH_ALERT_UNKNOWN_CA},
    {X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE, TH_ALERT_UNKNOWN_CA},
    {X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT, TH_ALERT_UNKNOWN_CA},
    {X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN, TH_ALERT_UNKNOWN_CA},
    {X509_V_ERR_CERT_CHAIN_TOO_LONG, TH_ALERT_UNKNOWN_CA},
    {X509_V_ERR_INVALID_CA, TH_ALERT_UNKNOWN_CA},
    {X509_V_ERR_PATH_LENGTH_EXCEEDED, TH_ALERT_UNKNOWN_CA},
    {X509_V_ERR_UNABLE_TO_GET_CRL, TH_ALERT_UNKNOWN_CA},
    {X509_V_ERR_UNABLE_TO_GET_CRL_ISSUER, TH_ALERT_UNKNOWN_CA},
    /* bad_certificate: "A certificate was corrupt, contained signatures that
     * did not verify correctly, etc." BoringSSL and OpenSSL send decrypt_error
     * for a chain signature that fails; we follow the RFC's definition, and
     * scenarios accept decrypt_error from those peers. */
    {X509_V_ERR_CERT_SIGNATURE_FAILURE, TH_ALERT_BAD_CERTIFICATE},
    {X509_V_ERR_CRL_SIGNATURE_FAILURE, TH_ALERT_BAD_CERTIFICATE},
    {X509_V_ERR_UNABLE_TO_DECRYPT_CERT_SIGNATURE, TH_ALERT_BAD_CERTIFICATE},
    {X509_V_ERR_UNABLE_TO_DECRYPT_CRL_SIGNATURE, TH_ALERT_BAD_CERTIFICATE},
    {X509_V_ERR_UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY, TH_ALERT_BAD_CERTIFICATE},
    {X509_V_ERR_ERROR_IN_CERT_NOT_BEFORE_FIELD, TH_ALERT_BAD_CERTIFICATE},
    {X509_V_ERR_ERROR_IN_CERT_NOT_AFTER_FIELD, TH_ALERT_BAD_CERTIFICATE},
    {X509_V_ERR_ERROR_IN_CRL_LAST_UPDATE_FIELD, TH_ALERT_BAD_CERTIFICATE},
    {X509_V_ERR_ERROR_IN_CRL_NEXT_UPDATE_FIELD, TH_ALERT_BAD_CERTIFICATE},
    {X509_V_ERR_CERT_UNTRUSTED, TH_ALERT_BAD_CERTIFICATE},
    {X509_V_ERR_CERT_REJECTED, TH_ALERT_BAD_CERTIFICATE},
    /* A name mismatch: RFC 8446 names no alert; bad_certificate is what
     * BoringSSL and OpenSSL send (certificate_unknown would also fit). */
    {X509_V_ERR_HOSTNAME_MISMATCH, TH_ALERT_BAD_CERTIFICATE},
    {X509_V_ERR_IP_ADDRESS_MISMATCH, TH_ALERT_BAD_CERTIFICATE},
    {X509_V_ERR_EMAIL_MISMATCH, TH_ALERT_BAD_CERTIFICATE},
    /* A leaf without the EKU of its role: "A certificate was of an
     * unsupported type" (unsupported_certificate), as BoringSSL sends. */
    {X509_V_ERR_INVALID_PURPOSE, TH_ALERT_UNSUPPORTED_CERTIFICATE},
    {X509_V_ERR_CERT_REVOKED, TH_ALERT_CERTIFICATE_REVOKED},
    /* Failures of ours, not of the certificate. */
    {X509_V_OK, TH_ALERT_INTERNAL_ERROR},
    {X509_V_ERR_UNSPECIFIED, TH_ALERT_INTERNAL_ERROR},
    {X509_V_ERR_OUT_OF_MEM, TH_ALERT_INTERNAL_ERROR},
    {X509_V_ERR_INVALID_CALL, TH_ALERT_INTERNAL_ERROR},
    {X509_V_ERR_STORE_LOOKUP, TH_ALERT_INTERNAL_ERROR},
};

static uint8_t alert_for_verify_error(int error) {
    for (size_t i = 0; i < sizeof(kVerifyAlerts) / sizeof(kVerifyAlerts[0]); i++) {
        if (kVerifyAlerts[i].error == error) {
            return kVerifyAlerts[i].alert;
        }
    }
    return TH_ALERT_CERTIFICATE_UNKNOWN;
}

/* Parses exactly one DER certificate; NULL if |der| is not one. */
static X509 *parse_der(th_bytes der) {
    if (der.len == 0 || der.len > LONG_MAX) {
        return NULL;
    }
    const uint8_t *p = der.data;
    X509 *x = d2i_X509(NULL, &p, (long)der.len);
    if (x != NULL && p != der.data + der.len) {
        X509_free(x);
        x = NULL;
    }
    if (x == NULL) {
        ERR_clear_error();
    }
    return x;
}

/* 1 if the SubjectPublicKeyInfo algorithm of |leaf| is one we would decode:
 * rsaEncryption, Ed25519, or an EC key on a named curve we support. */
static int spki_type_supported(X509 *leaf) {
    ASN1_OBJECT *oid = NULL;
    X509_ALGOR *alg = NULL;
    if (!X509_PUBKEY_get0_param(&oid, NULL, NULL, &alg, X509_get_X509_PUBKEY(leaf))) {
        return 0;
    }
    int nid = OBJ_obj2nid(oid);
    if (nid == NID_rsaEncryption || nid == NID_ED25519) {
        return 1;
    }
    if (nid != NID_X9_62_id_ecPublicKey || alg == NULL) {
        return 0;
    }
    int param_type;
    const void *param;
    X509_ALGOR_get0(NULL, &param_type, &param, alg);
    if (param_type != V_ASN1_OBJECT) {
        return 0; /* explicit curve parameters (RFC 5480 §2.1.1 forbids them) */
    }
    int curve = OBJ_obj2nid(param);
    return curve == NID_X9_62_prime256v1 || curve == NID_secp384r1 || curve == NID_secp521r1;
}

/* The public key of a parsed leaf, checked as th_leaf_public_key says. */
static int leaf_key(X509 *leaf, EVP_PKEY **out_key, uint8_t *out_alert, char *why, size_t why_len) {
    EVP_PKEY *key = X509_get_pubkey(leaf);
    if (key == NULL) {
        ERR_clear_error();
        if (spki_type_supported(leaf)) {
            /* A key of a supported type that does not decode is corrupt:
             * BoringSSL sends decode_error for a leaf key it cannot parse. */
            *out_alert = TH_ALERT_DECODE_ERROR;
            set_msg(why, why_len, "leaf public key does not decode");
        } else {
            /* RFC 8446 §6.2 unsupported_certificate: "A certificate was of an
             * unsupported type." */
            *out_alert = TH_ALERT_UNSUPPORTED_CERTIFICATE;
            set_msg(why, why_len, "leaf public key algorithm is not supported");
        }
        return 0;
    }
    if (!th_sig_key_supported(key)) {
        *out_alert = TH_ALERT_UNSUPPORTED_CERTIFICATE;
        const EC_KEY *ec = EVP_PKEY_get0_EC_KEY(key);
        int nid = ec != NULL ? EC_GROUP_get_curve_name(EC_KEY_get0_group(ec)) : EVP_PKEY_id(key);
        const char *name = OBJ_nid2sn(nid);
        set_msg(why, why_len, "leaf public key %s%s is not supported", ec != NULL ? "on " : "",
                name != NULL ? name : "of unknown type");
        EVP_PKEY_free(key);
        return 0;
    }
    *out_key = key;
    return 1;
}

int th_leaf_public_key(th_bytes leaf_der, EVP_PKEY **out_key, uint8_t *out_alert, char *why,
                       size_t why_len) {
    *out_key = NULL;
    set_msg(why, why_len, "%s", "");
    X509 *leaf = parse_der(leaf_der);
    if (leaf == NULL) {
        /* BoringSSL sends decode_error for a certificate it cannot parse. */
        *out_alert = TH_ALERT_DECODE_ERROR;
        set_msg(why, why_len, "leaf is not a DER X.509 certificate");
        return 0;
    }
    int ok = leaf_key(leaf, out_key, out_alert, why, why_len);
    X509_free(leaf);
    return ok;
}

/* Writes the reason of a failed X509_verify_cert into |why|. */
static void describe_verify_error(X509_STORE_CTX *ctx, int error, const char *host_or_ip, char *why,
                                  size_t why_len) {
    char subject[256] = "?";
    X509 *cert = X509_STORE_CTX_get_current_cert(ctx);
    if (cert != NULL) {
        X509_NAME_oneline(X509_get_subject_name(cert), subject, sizeof(subject));
    }
    if (error == X509_V_ERR_HOSTNAME_MISMATCH || error == X509_V_ERR_IP_ADDRESS_MISMATCH) {
        set_msg(why, why_len, "certificate %d (%s): %s: %s (X509 error %d)",
                X509_STORE_CTX_get_error_depth(ctx), subject, X509_verify_cert_error_string(error),
                host_or_ip != NULL ? host_or_ip : "", error);
        return;
    }
    set_msg(why, why_len, "certificate %d (%s): %s (X509 error %d)",
            X509_STORE_CTX_get_error_depth(ctx), subject, X509_verify_cert_error_string(error),
            error);
}

/* Sets the peer name to check: an IP address if |host_or_ip| reads as one. */
static int set_peer_name(X509_VERIFY_PARAM *param, const char *host_or_ip) {
    if (X509_VERIFY_PARAM_set1_ip_asc(param, host_or_ip)) {
        return 1;
    }
    ERR_clear_error();
    /* Names come from subjectAltName only: RFC 9525 dropped the subject CN
     * fallback of RFC 6125 §6.4.4. */
    X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NEVER_CHECK_SUBJECT);
    return X509_VERIFY_PARAM_set1_host(param, host_or_ip, strlen(host_or_ip));
}

/* RFC 8446 §4.4.2.4: "Any endpoint receiving any certificate which it would
 * need to validate using any signature algorithm using an MD5 hash MUST abort
 * the handshake with a "bad_certificate" alert. SHA-1 is deprecated, and it
 * is RECOMMENDED that [the same for] a SHA-1 hash": we do both. Checked on
 * every certificate of the verified chain whose signature we validated, i.e.
 * all but the trust anchor (its self-signature is not relied on). */
static int check_signature_hashes(X509_STORE_CTX *ctx, uint8_t *out_alert, char *why,
                                  size_t why_len) {
    STACK_OF(X509) *verified = X509_STORE_CTX_get0_chain(ctx);
    size_t n = verified != NULL ? sk_X509_num(verified) : 0;
    for (size_t i = 0; i + 1 < n; i++) {
        X509 *cert = sk_X509_value(verified, i);
        int md_nid = NID_undef, pkey_nid = NID_undef;
        if (!OBJ_find_sigid_algs(X509_get_signature_nid(cert), &md_nid, &pkey_nid) ||
            (md_nid != NID_md5 && md_nid != NID_sha1 && md_nid != NID_md5_sha1)) {
            continue;
        }
        char subject[256] = "?";
        X509_NAME_oneline(X509_get_subject_name(cert), subject, sizeof(subject));
        snprintf(why, why_len, "certificate %zu (%s) is signed with %s", i, subject,
                 OBJ_nid2sn(md_nid));
        *out_alert = TH_ALERT_BAD_CERTIFICATE;
        return 0;
    }
    return 1;
}

int th_verify_chain(X509_STORE *store, const th_bytes *der_certs, size_t num_certs,
                    const char *host_or_ip, int purpose_server, time_t now, uint8_t *out_alert,
                    char *why, size_t why_len) {
    int ok = 0;
    STACK_OF(X509) *chain = NULL;
    X509_STORE_CTX *ctx = NULL;
    EVP_PKEY *key = NULL;
    set_msg(why, why_len, "%s", "");

    if (num_certs == 0) {
        *out_alert = purpose_server ? th_alert_empty_server_chain(TH_VERSION_TLS13)
                                    : th_alert_empty_client_chain(TH_VERSION_TLS13);
        set_msg(why, why_len, "empty certificate chain");
        return 0;
    }
    if (store == NULL || (host_or_ip != NULL && host_or_ip[0] == '\0')) {
        *out_alert = TH_ALERT_INTERNAL_ERROR;
        set_msg(why, why_len, store == NULL ? "no trust store" : "empty peer name");
        return 0;
    }
    chain = sk_X509_new_null();
    if (chain == NULL) {
        *out_alert = TH_ALERT_INTERNAL_ERROR;
        set_msg(why, why_len, "out of memory");
        goto err;
    }
    for (size_t i = 0; i < num_certs; i++) {
        X509 *x = parse_der(der_certs[i]);
        if (x == NULL) {
            /* BoringSSL sends decode_error for a cert_data it cannot parse
             * (tls13_process_certificate, ssl_parse_cert_chain). */
            *out_alert = TH_ALERT_DECODE_ERROR;
            set_msg(why, why_len, "certificate %zu is not a DER X.509 certificate", i);
            goto err;
        }
        if (!sk_X509_push(chain, x)) {
            X509_free(x);
            *out_alert = TH_ALERT_INTERNAL_ERROR;
            set_msg(why, why_len, "out of memory");
            goto err;
        }
    }
    X509 *leaf = sk_X509_value(chain, 0);
    if (!leaf_key(leaf, &key, out_alert, why, why_len)) {
        goto err;
    }

    /* The peer name goes into the verify parameters, so X509_verify_cert
     * checks it (X509_check_host / X509_check_ip) in BoringSSL's own order
     * among the other checks, as SSL_set1_host does. */
    ctx = X509_STORE_CTX_new();
    if (ctx == NULL || !X509_STORE_CTX_init(ctx, store, leaf, chain) ||
        !X509_STORE_CTX_set_default(ctx, purpose_server ? "ssl_server" : "ssl_client")) {
        *out_alert = TH_ALERT_INTERNAL_ERROR;
        set_msg(why, why_len, "cannot set up verification");
        goto err;
    }
    X509_VERIFY_PARAM *param = X509_STORE_CTX_get0_param(ctx);
    X509_VERIFY_PARAM_set_time(param, now);
    if (host_or_ip != NULL && !set_peer_name(param, host_or_ip)) {
        *out_alert = TH_ALERT_INTERNAL_ERROR;
        set_msg(why, why_len, "cannot check the name %s", host_or_ip);
        goto err;
    }
    if (X509_verify_cert(ctx) != 1) {
        int error = X509_STORE_CTX_get_error(ctx);
        *out_alert = alert_for_verify_error(error);
        describe_verify_error(ctx, error, host_or_ip, why, why_len);
        goto err;
    }
    if (!check_signature_hashes(ctx, out_alert, why, why_len)) {
        goto err;
    }
    ok = 1;
err:
    ERR_clear_error();
    EVP_PKEY_free(key);
    X509_STORE_CTX_free(ctx);
    sk_X509_pop_free(chain, X509_free);
    return ok;
}

/* Reads the first private key of the PEM file |path|. */
static EVP_PKEY *read_pem_key(const char *path, char *errbuf, size_t errbuf_len) {
    ERR_clear_error();
    BIO *bio = open_file(path, errbuf, errbuf_len);
    if (bio == NULL) {
        return NULL;
    }
    /* No password callback data: an encrypted key fails instead of prompting. */
    EVP_PKEY *key = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL);
    if (key == NULL) {
        set_msg(errbuf, errbuf_len, "%s: no private key: %s", path, last_error_reason());
    }
    ERR_clear_error();
    BIO_free(bio);
    return key;
}

int th_cert_key_load(const char *cert_path, const char *key_path, th_cert_key *out, char *errbuf,
                     size_t errbuf_len) {
    memset(out, 0, sizeof(*out));
    STACK_OF(X509) *certs = read_pem_certs(cert_path, errbuf, errbuf_len);
    if (certs == NULL) {
        return 0;
    }
    out->key = read_pem_key(key_path, errbuf, errbuf_len);
    if (out->key == NULL) {
        goto err;
    }
    if (!th_sig_key_supported(out->key)) {
        set_msg(errbuf, errbuf_len,
                "%s: unsupported key type (RSA, ECDSA P-256/P-384/P-521 or Ed25519 expected)",
                key_path);
        goto err;
    }
    if (X509_check_private_key(sk_X509_value(certs, 0), out->key) != 1) {
        set_msg(errbuf, errbuf_len, "%s: the key does not match the first certificate of %s",
                key_path, cert_path);
        goto err;
    }
    for (size_t i = 0; i < (size_t)sk_X509_num(certs); i++) {
        uint8_t *der = NULL;
        int der_len = i2d_X509(sk_X509_value(certs, i), &der);
        th_bytes *grown =
            der_len > 0 ? th_array_grow(out->chain, out->num_chain, sizeof(th_bytes)) : NULL;
        if (grown == NULL) {
            OPENSSL_free(der);
            set_msg(errbuf, errbuf_len, "%s: certificate %zu cannot be encoded", cert_path, i + 1);
            goto err;
        }
        out->chain = grown;
        out->chain[out->num_chain].data = der;
        out->chain[out->num_chain].len = (size_t)der_len;
        out->num_chain++;
    }
    ERR_clear_error();
    sk_X509_pop_free(certs, X509_free);
    return 1;
err:
    ERR_clear_error();
    sk_X509_pop_free(certs, X509_free);
    th_cert_key_cleanup(out);
    return 0;
}

void th_cert_key_cleanup(th_cert_key *ck) {
    if (ck == NULL) {
        return;
    }
    for (size_t i = 0; i < ck->num_chain; i++) {
        OPENSSL_free((void *)ck->chain[i].data);
    }
    free(ck->chain);
    EVP_PKEY_free(ck->key);
    memset(ck, 0, sizeof(*ck));
}
