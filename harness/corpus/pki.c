/* Deterministic keys and certificates for the corpus handshakes. */
#include "pki.h"

#include <string.h>

#include <openssl/bn.h>
#include <openssl/curve25519.h>
#include <openssl/ec.h>
#include <openssl/ec_key.h>
#include <openssl/nid.h>
#include <openssl/rsa.h>
#include <openssl/sha.h>
#include <openssl/x509v3.h>

/* A fixed RSA-2048 key (PKCS#1 RSAPrivateKey, DER), made once with
 * `openssl genrsa 2048` for this corpus only. BoringSSL cannot generate RSA
 * keys from a seed, and a fresh key per run would change every Certificate
 * message. */
static const char kRsa2048Hex[] =
    "308204a30201000282010100da483bf3e1e34f2635b25de5b17144bd9a6a71723fb099378c882d44fbdedbc2"
    "87e6772573440b17090cc1f7c144d72dee6a93b71ac30f8095db3b1d49e24aae0ff708d9482534ab739fbe91"
    "e3748e92fc3a91ac0360fa66974b18af0dbd3b6790d4a16d5251bece1b381d16bde69d445783f7d093e5f25c"
    "dea5c5a290d8b80f4ac9ee67cefa592da2bff881227f560309ce148229c07877fbdd48f1d8248fbc47185f78"
    "a86624ee554b8490694b66cef60ee331ecd253936f9a5735a40ea1ab99ad277c74ca2600fbf6dabf15fc10aa"
    "912bbb2d39952da086666610562deeb926981716feaa760ea233b933e15b1f58d4cb9e111d7b12b09bb3d359"
    "8daf58150203010001028201003f4a1667fe24e43c15f1a39c07b8e9cf77c84920712b0921bc1377dcba92c1"
    "7143ea24bdad101b8f1046acaee350cc7b3ad79800cd37a57508fe49c3923a94a0a76c5f1a70faa8acd59789"
    "afcf1d6a815fb4b3ac0646c6139ce65f3fd261fda967aadf2b4d64fa47d4488ed69b3514804e47ab40c4c135"
    "668bffd0aff403824a1384dc86ee31b690cf166edf64c2071d0fa9e74b042f7bfc0b3ebb1142402a157878ec"
    "868ad57bf54294f9f29c77c8af14d37305a0c218f1672b9b7cd478e304435bc425d892e9d5de602eca5be522"
    "6f1c20a554ed00d8db59f8b858a1c9a2df3fe8398dc113af3af8a6ef6dba8722f571583f2022f58ead8b960c"
    "366877d43902818100f94a06230abae3ceef3f30e97f0ec9debe7b5030a0dd6daba4eb2e502251528736716d"
    "4110def51d29db1b6562336e85a4f4659807cc1bc2d81ec6f78a3fc792cd09ccd481438e355055e4aa94a3e5"
    "2f515e2bfbedc79d281d001d572dce24962ae4339966040d5cadadea31dc4f6c5008edf863e39a12e2bb7128"
    "6f83445e3702818100e028868b29b65abddfbaaf1a22c2a62eb6176c101107e66709dfb94118aa5c1733f89a"
    "0208e909e565d320e1a6f341828db8b6022c44f2eca3b3ae175ae8ea0854c9d66ae29f0d9627de8a6decc772"
    "42ed76b9728638c74cc01b288f6b384e95839068f27921eb26d795e4b75b642a48765233f04a361f34e889b2"
    "35c5c9761302818076f0d7aebe7edf14abd8059952b316a43d540eb5b4fb1149951d54f28cfd2a183364b911"
    "13609da8b580c238843b2fdf7a0dd5af4d0118b9c56e21d697d2c881056d489a97b648d2ad2ade3879451da3"
    "8efa14985622289cac0192fe366fa5cb3459bf38d090dc633cc6bef7dd3ad3ddf7f4bacfc6178c2d3bebc8b4"
    "33f859cf02818020685b835525831afe749c0a384a520260db2409729ce4c7b2dac08ad3c91585594330e8e8"
    "66e0c264a55094af316e2034e326954bd73013dc5b06e96380570d9b4c8f0e66f33de09ea502f87f8a1a4fe8"
    "cb0866b15716215788d5a55e88067c8147e8945dc4f49d69ffc6d0678b24bdd3357142e547cbdd375d690173"
    "35fc3702818100d7132a29c41c470566433a0b6aca40e0fc43ce075089cfea27234901d23138bd24bb6ae6cd"
    "132d1b4e1874a2c2b888c9d58041658255655b9a772b2ca3b887eb6fa5d4f6100a5a883568cdb0fb99385ad0"
    "2e76b1837dc24989c42a9945280d30e449361fc35937241c5f2c1a1479d2eb7f5feeb9d91af6297ae178724e"
    "bca7c8";

/* Validity of every certificate: fixed, so the DER is the same every run. */
static const char kNotBefore[] = "240101000000Z";
static const char kNotAfter[] = "20991231235959Z";

static const struct {
    const char *name; /* also the label the key is derived from and the CN */
    long serial;
} kIds[TH_CORPUS_ID_COUNT] = {
    [TH_CORPUS_ID_ECDSA_P256] = {"ecdsa-p256", 2},   [TH_CORPUS_ID_ECDSA_P384] = {"ecdsa-p384", 3},
    [TH_CORPUS_ID_RSA_2048] = {"rsa-2048", 4},       [TH_CORPUS_ID_ED25519] = {"ed25519", 5},
    [TH_CORPUS_ID_CLIENT_P256] = {"client-p256", 6},
};

const char *th_corpus_id_name(th_corpus_id id) {
    return (unsigned)id < TH_CORPUS_ID_COUNT ? kIds[id].name : NULL;
}

static int hex_value(char c) {
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    return -1;
}

static EVP_PKEY *rsa_fixed_key(void) {
    uint8_t der[sizeof(kRsa2048Hex) / 2];
    size_t len = (sizeof(kRsa2048Hex) - 1) / 2;
    for (size_t i = 0; i < len; i++) {
        int hi = hex_value(kRsa2048Hex[2 * i]), lo = hex_value(kRsa2048Hex[2 * i + 1]);
        if (hi < 0 || lo < 0) {
            return NULL;
        }
        der[i] = (uint8_t)(hi << 4 | lo);
    }
    RSA *rsa = RSA_private_key_from_bytes(der, len);
    EVP_PKEY *pkey = EVP_PKEY_new();
    if (rsa == NULL || pkey == NULL || !EVP_PKEY_assign_RSA(pkey, rsa)) {
        RSA_free(rsa);
        EVP_PKEY_free(pkey);
        return NULL;
    }
    return pkey;
}

/* An EC key whose scalar is SHA-256/384(label) reduced modulo the order. */
static EVP_PKEY *ec_key_from_label(int nid, const char *label) {
    uint8_t digest[SHA384_DIGEST_LENGTH];
    size_t digest_len;
    if (nid == NID_secp384r1) {
        SHA384((const uint8_t *)label, strlen(label), digest);
        digest_len = SHA384_DIGEST_LENGTH;
    } else {
        SHA256((const uint8_t *)label, strlen(label), digest);
        digest_len = SHA256_DIGEST_LENGTH;
    }
    EVP_PKEY *pkey = NULL;
    EC_KEY *ec = EC_KEY_new_by_curve_name(nid);
    BN_CTX *bn_ctx = BN_CTX_new();
    BIGNUM *priv = BN_bin2bn(digest, digest_len, NULL);
    EC_POINT *pub = NULL;
    if (ec == NULL || bn_ctx == NULL || priv == NULL) {
        goto err;
    }
    const EC_GROUP *group = EC_KEY_get0_group(ec);
    pub = EC_POINT_new(group);
    if (pub == NULL || !BN_nnmod(priv, priv, EC_GROUP_get0_order(group), bn_ctx) ||
        BN_is_zero(priv) || !EC_POINT_mul(group, pub, priv, NULL, NULL, bn_ctx) ||
        !EC_KEY_set_private_key(ec, priv) || !EC_KEY_set_public_key(ec, pub)) {
        goto err;
    }
    pkey = EVP_PKEY_new();
    if (pkey == NULL || !EVP_PKEY_assign_EC_KEY(pkey, ec)) {
        EVP_PKEY_free(pkey);
        pkey = NULL;
        goto err;
    }
    ec = NULL; /* owned by pkey */
err:
    EC_POINT_free(pub);
    BN_free(priv);
    BN_CTX_free(bn_ctx);
    EC_KEY_free(ec);
    return pkey;
}

static EVP_PKEY *ed25519_key_from_label(const char *label) {
    uint8_t seed[SHA256_DIGEST_LENGTH];
    SHA256((const uint8_t *)label, strlen(label), seed);
    return EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, seed, sizeof(seed));
}

static int add_ext(X509 *x, int nid, const char *value) {
    X509_EXTENSION *ext = X509V3_EXT_nconf_nid(NULL, NULL, nid, value);
    int ok = ext != NULL && X509_add_ext(x, ext, -1);
    X509_EXTENSION_free(ext);
    return ok;
}

static int set_time(X509 *x, int not_after, const char *value) {
    ASN1_TIME *t = ASN1_TIME_new();
    int ok = t != NULL && ASN1_TIME_set_string(t, value) &&
             (not_after ? X509_set1_notAfter(x, t) : X509_set1_notBefore(x, t));
    ASN1_TIME_free(t);
    return ok;
}

/* A certificate for |key| named |cn|, issued by |issuer| (NULL: self-signed
 * by |issuer_key|, which must then be |key|) and signed with |issuer_key|. */
static X509 *make_cert(EVP_PKEY *key, const char *cn, long serial, X509 *issuer,
                       EVP_PKEY *issuer_key) {
    X509 *x = X509_new();
    X509_NAME *name = X509_NAME_new();
    if (x == NULL || name == NULL || !X509_set_version(x, X509_VERSION_3) ||
        !ASN1_INTEGER_set(X509_get_serialNumber(x), serial) ||
        !X509_NAME_add_entry_by_txt(name, "O", MBSTRING_UTF8, (const uint8_t *)"tlsharness", -1, -1,
                                    0) ||
        !X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, (const uint8_t *)cn, -1, -1, 0) ||
        !X509_set_subject_name(x, name) ||
        !X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer) : name) ||
        !set_time(x, 0, kNotBefore) || !set_time(x, 1, kNotAfter) || !X509_set_pubkey(x, key)) {
        goto err;
    }
    if (issuer == NULL) {
        if (!add_ext(x, NID_basic_constraints, "critical,CA:TRUE") ||
            !add_ext(x, NID_key_usage, "critical,keyCertSign")) {
            goto err;
        }
    } else if (!add_ext(x, NID_subject_alt_name, "DNS:localhost")) {
        goto err;
    }
    /* Ed25519 signs the whole TBSCertificate: no digest (RFC 8410 §6). */
    if (X509_sign(x, issuer_key, NULL) <= 0) {
        goto err;
    }
    X509_NAME_free(name);
    return x;
err:
    X509_NAME_free(name);
    X509_free(x);
    return NULL;
}

int th_corpus_pki_init(th_corpus_pki *pki) {
    memset(pki, 0, sizeof(*pki));
    pki->ca_key = ed25519_key_from_label("tlsharness corpus CA");
    if (pki->ca_key == NULL) {
        goto err;
    }
    pki->ca_cert = make_cert(pki->ca_key, "tlsharness corpus CA", 1, NULL, pki->ca_key);
    if (pki->ca_cert == NULL) {
        goto err;
    }
    for (int i = 0; i < TH_CORPUS_ID_COUNT; i++) {
        EVP_PKEY *key;
        switch (i) {
        case TH_CORPUS_ID_ECDSA_P384:
            key = ec_key_from_label(NID_secp384r1, kIds[i].name);
            break;
        case TH_CORPUS_ID_RSA_2048:
            key = rsa_fixed_key();
            break;
        case TH_CORPUS_ID_ED25519:
            key = ed25519_key_from_label(kIds[i].name);
            break;
        default:
            key = ec_key_from_label(NID_X9_62_prime256v1, kIds[i].name);
            break;
        }
        pki->ids[i].key = key;
        if (key == NULL) {
            goto err;
        }
        pki->ids[i].cert = make_cert(key, kIds[i].name, kIds[i].serial, pki->ca_cert, pki->ca_key);
        if (pki->ids[i].cert == NULL) {
            goto err;
        }
    }
    return 1;
err:
    th_corpus_pki_cleanup(pki);
    return 0;
}

void th_corpus_pki_cleanup(th_corpus_pki *pki) {
    if (pki == NULL) {
        return;
    }
    for (int i = 0; i < TH_CORPUS_ID_COUNT; i++) {
        EVP_PKEY_free(pki->ids[i].key);
        X509_free(pki->ids[i].cert);
    }
    EVP_PKEY_free(pki->ca_key);
    X509_free(pki->ca_cert);
    memset(pki, 0, sizeof(*pki));
}
