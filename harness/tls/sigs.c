/* Handshake signatures: one table of SignatureSchemes, EVP_DigestSign/Verify. */
#include "sigs.h"

#include <string.h>

#include <openssl/ec.h>
#include <openssl/ec_key.h>
#include <openssl/err.h>
#include <openssl/mem.h>
#include <openssl/nid.h>
#include <openssl/rsa.h>

/* BoringSSL's value for "salt as long as the digest"; its default (-2, any
 * length when verifying) would accept salts RFC 8446 forbids. */
#define PSS_SALT_LEN_DIGEST (-1)

typedef struct {
    uint16_t scheme;
    int pkey_type;             /* EVP_PKEY_RSA, EVP_PKEY_EC or EVP_PKEY_ED25519 */
    int tls13_curve;           /* the curve TLS 1.3 binds an ECDSA scheme to, else NID_undef */
    const EVP_MD *(*md)(void); /* NULL: pure Ed25519 signs the message itself */
    uint8_t is_pss;
    uint8_t tls13; /* valid for TLS 1.3 handshake signatures */
} sig_alg;

/* RFC 8446 §4.2.3 code points. The tls13 column: §4.4.3 "RSA signatures MUST
 * use an RSASSA-PSS algorithm, regardless of whether RSASSA-PKCS1-v1_5
 * algorithms appear in "signature_algorithms"" and "The SHA-1 algorithm MUST
 * NOT be used in any signatures of CertificateVerify messages." ECDSA schemes
 * name "the corresponding curve" in TLS 1.3 only; in TLS 1.2 the same code
 * point is a SignatureAndHashAlgorithm pair (RFC 5246 §7.4.1.4.1), usable with
 * any curve. rsa_pss_pss_* need an RSASSA-PSS public key (§4.2.3), which
 * BoringSSL does not load, and BoringSSL has no Ed448: both stay out, i.e.
 * unknown. */
static const sig_alg kSigAlgs[] = {
    {TH_SIG_RSA_PSS_RSAE_SHA256, EVP_PKEY_RSA, NID_undef, EVP_sha256, 1, 1},
    {TH_SIG_RSA_PSS_RSAE_SHA384, EVP_PKEY_RSA, NID_undef, EVP_sha384, 1, 1},
    {TH_SIG_RSA_PSS_RSAE_SHA512, EVP_PKEY_RSA, NID_undef, EVP_sha512, 1, 1},
    {TH_SIG_ECDSA_SECP256R1_SHA256, EVP_PKEY_EC, NID_X9_62_prime256v1, EVP_sha256, 0, 1},
    {TH_SIG_ECDSA_SECP384R1_SHA384, EVP_PKEY_EC, NID_secp384r1, EVP_sha384, 0, 1},
    {TH_SIG_ECDSA_SECP521R1_SHA512, EVP_PKEY_EC, NID_secp521r1, EVP_sha512, 0, 1},
    {TH_SIG_ED25519, EVP_PKEY_ED25519, NID_undef, NULL, 0, 1},
    {TH_SIG_RSA_PKCS1_SHA256, EVP_PKEY_RSA, NID_undef, EVP_sha256, 0, 0},
    {TH_SIG_RSA_PKCS1_SHA384, EVP_PKEY_RSA, NID_undef, EVP_sha384, 0, 0},
    {TH_SIG_RSA_PKCS1_SHA512, EVP_PKEY_RSA, NID_undef, EVP_sha512, 0, 0},
    {TH_SIG_RSA_PKCS1_SHA1, EVP_PKEY_RSA, NID_undef, EVP_sha1, 0, 0},
    {TH_SIG_ECDSA_SHA1, EVP_PKEY_EC, NID_undef, EVP_sha1, 0, 0},
};

static const sig_alg *find_alg(uint16_t scheme) {
    for (size_t i = 0; i < sizeof(kSigAlgs) / sizeof(kSigAlgs[0]); i++) {
        if (kSigAlgs[i].scheme == scheme) {
            return &kSigAlgs[i];
        }
    }
    return NULL;
}

/* The curve NID of an EC key, NID_undef for any other key. */
static int key_curve(const EVP_PKEY *key) {
    const EC_KEY *ec = EVP_PKEY_get0_EC_KEY(key);
    if (ec == NULL || EC_KEY_get0_group(ec) == NULL) {
        return NID_undef;
    }
    return EC_GROUP_get_curve_name(EC_KEY_get0_group(ec));
}

int th_sig_key_supported(const EVP_PKEY *key) {
    if (key == NULL) {
        return 0;
    }
    switch (EVP_PKEY_id(key)) {
    case EVP_PKEY_RSA:
    case EVP_PKEY_ED25519:
        return 1;
    case EVP_PKEY_EC: {
        int curve = key_curve(key);
        return curve == NID_X9_62_prime256v1 || curve == NID_secp384r1 || curve == NID_secp521r1;
    }
    default:
        return 0;
    }
}

/* The table row of |scheme| if it signs with |key|'s type in |version|. */
static const sig_alg *alg_for_key(uint16_t scheme, const EVP_PKEY *key, uint16_t version) {
    const sig_alg *alg = find_alg(scheme);
    if (alg == NULL || !th_sig_key_supported(key) || EVP_PKEY_id(key) != alg->pkey_type) {
        return NULL;
    }
    if (version == TH_VERSION_TLS12) {
        return alg;
    }
    if (version != TH_VERSION_TLS13 || !alg->tls13) {
        return NULL;
    }
    if (alg->tls13_curve != NID_undef && key_curve(key) != alg->tls13_curve) {
        return NULL;
    }
    return alg;
}

int th_sig_scheme_allowed(uint16_t scheme, const EVP_PKEY *key, uint16_t version) {
    return alg_for_key(scheme, key, version) != NULL;
}

/* RSASSA-PSS needs emLen >= hLen + sLen + 2 with sLen = hLen (RFC 8017
 * §9.1.1): a 1024-bit key cannot sign with SHA-512. */
static int key_fits_alg(const EVP_PKEY *key, const sig_alg *alg) {
    if (!alg->is_pss) {
        return 1;
    }
    return (size_t)EVP_PKEY_size(key) >= 2 * EVP_MD_size(alg->md()) + 2;
}

int th_sig_choose_scheme(const EVP_PKEY *key, uint16_t version, const uint16_t *peer_schemes,
                         size_t num_peer_schemes, uint16_t *out_scheme, uint8_t *out_alert) {
    /* RFC 8446 §4.2.3: the values "are indicated in descending order of
     * preference", so the peer's order decides. */
    for (size_t i = 0; i < num_peer_schemes; i++) {
        const sig_alg *alg = alg_for_key(peer_schemes[i], key, version);
        if (alg != NULL && key_fits_alg(key, alg)) {
            *out_scheme = alg->scheme;
            return 1;
        }
    }
    /* RFC 8446 §4.1.1: with "no overlap between the client and server
     * parameters", abort "with either a "handshake_failure" or
     * "insufficient_security" fatal alert". */
    *out_alert = TH_ALERT_HANDSHAKE_FAILURE;
    return 0;
}

/* Initialises |ctx| to sign or verify with |alg|. */
static int init_ctx(EVP_MD_CTX *ctx, const sig_alg *alg, EVP_PKEY *key, int sign) {
    EVP_PKEY_CTX *pctx = NULL;
    const EVP_MD *md = alg->md != NULL ? alg->md() : NULL;
    if (sign ? !EVP_DigestSignInit(ctx, &pctx, md, NULL, key)
             : !EVP_DigestVerifyInit(ctx, &pctx, md, NULL, key)) {
        return 0;
    }
    if (!alg->is_pss) {
        return 1;
    }
    /* RFC 8446 §4.2.3: "The digest used in the mask generation function and
     * the digest being signed are both the corresponding hash algorithm"; "The
     * length of the Salt MUST be equal to the length of the output of the
     * digest algorithm." */
    return EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) &&
           EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, PSS_SALT_LEN_DIGEST) &&
           EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, md);
}

static int sign_with_alg(EVP_PKEY *key, const sig_alg *alg, const uint8_t *msg, size_t msg_len,
                         uint8_t **out_sig, size_t *out_sig_len) {
    int ok = 0;
    size_t cap = (size_t)EVP_PKEY_size(key);
    uint8_t *sig = OPENSSL_malloc(cap > 0 ? cap : 1);
    EVP_MD_CTX ctx;
    EVP_MD_CTX_init(&ctx);
    if (sig == NULL || !init_ctx(&ctx, alg, key, 1) ||
        !EVP_DigestSign(&ctx, sig, &cap, msg, msg_len)) {
        goto err;
    }
    *out_sig = sig;
    *out_sig_len = cap;
    sig = NULL;
    ok = 1;
err:
    OPENSSL_free(sig);
    EVP_MD_CTX_cleanup(&ctx);
    if (!ok) {
        ERR_clear_error();
    }
    return ok;
}

int th_sig_sign(EVP_PKEY *key, uint16_t scheme, const uint8_t *msg, size_t msg_len,
                uint8_t **out_sig, size_t *out_sig_len) {
    const sig_alg *alg = alg_for_key(scheme, key, TH_VERSION_TLS12);
    if (alg == NULL) {
        return 0;
    }
    return sign_with_alg(key, alg, msg, msg_len, out_sig, out_sig_len);
}

static int verify_with_alg(EVP_PKEY *key, const sig_alg *alg, const uint8_t *msg, size_t msg_len,
                           const uint8_t *sig, size_t sig_len, uint8_t *out_alert) {
    EVP_MD_CTX ctx;
    EVP_MD_CTX_init(&ctx);
    int inited = init_ctx(&ctx, alg, key, 0);
    int valid = inited && EVP_DigestVerify(&ctx, sig, sig_len, msg, msg_len);
    EVP_MD_CTX_cleanup(&ctx);
    if (!valid) {
        ERR_clear_error();
        /* RFC 8446 §4.4.3: "If the verification fails, the receiver MUST
         * terminate the handshake with a "decrypt_error" alert." */
        *out_alert = inited ? TH_ALERT_DECRYPT_ERROR : TH_ALERT_INTERNAL_ERROR;
        return 0;
    }
    return 1;
}

int th_sig_verify(EVP_PKEY *key, uint16_t scheme, const uint8_t *msg, size_t msg_len,
                  const uint8_t *sig, size_t sig_len, uint8_t *out_alert) {
    const sig_alg *alg = alg_for_key(scheme, key, TH_VERSION_TLS12);
    if (alg == NULL) {
        /* A scheme that does not fit the key: "inconsistent with other
         * fields" (RFC 8446 §6.2, illegal_parameter), as BoringSSL sends. */
        *out_alert = TH_ALERT_ILLEGAL_PARAMETER;
        return 0;
    }
    return verify_with_alg(key, alg, msg, msg_len, sig, sig_len, out_alert);
}

static const char kServerContext[] = "TLS 1.3, server CertificateVerify";
static const char kClientContext[] = "TLS 1.3, client CertificateVerify";
_Static_assert(sizeof(kServerContext) == sizeof(kClientContext),
               "context strings differ in length");
_Static_assert(64 + sizeof(kServerContext) + EVP_MAX_MD_SIZE == TH_CV_CONTENT_MAX,
               "TH_CV_CONTENT_MAX is 64 spaces, context, NUL and hash");

int th_tls13_cv_content(CBB *out, th_cv_sender sender, const uint8_t *transcript_hash,
                        size_t hash_len) {
    if (hash_len == 0 || hash_len > EVP_MAX_MD_SIZE) {
        return 0;
    }
    /* RFC 8446 §4.4.3: "A string that consists of octet 32 (0x20) repeated 64
     * times", "The context string", "A single 0 byte which serves as the
     * separator", "The content to be signed". sizeof keeps the NUL. */
    const char *context = sender == TH_CV_SERVER ? kServerContext : kClientContext;
    uint8_t *pad;
    if (!CBB_add_space(out, &pad, 64)) {
        return 0;
    }
    memset(pad, 0x20, 64);
    return CBB_add_bytes(out, (const uint8_t *)context, sizeof(kServerContext)) &&
           CBB_add_bytes(out, transcript_hash, hash_len) && CBB_flush(out);
}

/* Writes the signed content of a CertificateVerify into |buf|. */
static int cv_content_fixed(uint8_t buf[TH_CV_CONTENT_MAX], size_t *out_len, th_cv_sender sender,
                            const uint8_t *transcript_hash, size_t hash_len) {
    CBB cbb;
    if (!CBB_init_fixed(&cbb, buf, TH_CV_CONTENT_MAX) ||
        !th_tls13_cv_content(&cbb, sender, transcript_hash, hash_len) ||
        !CBB_finish(&cbb, NULL, out_len)) {
        CBB_cleanup(&cbb);
        return 0;
    }
    return 1;
}

int th_tls13_cv_sign(EVP_PKEY *key, uint16_t scheme, th_cv_sender sender,
                     const uint8_t *transcript_hash, size_t hash_len, uint8_t **out_sig,
                     size_t *out_sig_len) {
    uint8_t content[TH_CV_CONTENT_MAX];
    size_t content_len;
    const sig_alg *alg = alg_for_key(scheme, key, TH_VERSION_TLS13);
    if (alg == NULL ||
        !cv_content_fixed(content, &content_len, sender, transcript_hash, hash_len)) {
        return 0;
    }
    return sign_with_alg(key, alg, content, content_len, out_sig, out_sig_len);
}

int th_tls13_cv_verify(EVP_PKEY *key, uint16_t scheme, th_cv_sender sender,
                       const uint8_t *transcript_hash, size_t hash_len, const uint8_t *sig,
                       size_t sig_len, uint8_t *out_alert) {
    /* RFC 8446 §4.4.3: "the signature algorithm MUST be compatible with the key
     * in the sender's end-entity certificate"; a PKCS#1, SHA-1 or wrong-curve
     * scheme is a field "inconsistent with other fields" (§6.2), which
     * BoringSSL also answers with illegal_parameter. */
    const sig_alg *alg = alg_for_key(scheme, key, TH_VERSION_TLS13);
    if (alg == NULL) {
        *out_alert = TH_ALERT_ILLEGAL_PARAMETER;
        return 0;
    }
    uint8_t content[TH_CV_CONTENT_MAX];
    size_t content_len;
    if (!cv_content_fixed(content, &content_len, sender, transcript_hash, hash_len)) {
        *out_alert = TH_ALERT_INTERNAL_ERROR;
        return 0;
    }
    return verify_with_alg(key, alg, content, content_len, sig, sig_len, out_alert);
}
