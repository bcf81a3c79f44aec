/* The keys and certificates the corpus handshakes use, made in-process with
 * BoringSSL's EVP and X509 APIs. Every byte is deterministic: EC and Ed25519
 * keys are derived from fixed labels, the RSA-2048 key is a fixed test key,
 * and every certificate is signed by an Ed25519 corpus CA (Ed25519 signatures
 * are deterministic, ECDSA and RSA-PSS ones are not), so the Certificate
 * messages of two runs are identical. */
#ifndef TH_CORPUS_PKI_H
#define TH_CORPUS_PKI_H

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "th_base.h"

/* The identities a configuration can put on either side. */
typedef enum {
    TH_CORPUS_ID_ECDSA_P256 = 0, /* server, the default */
    TH_CORPUS_ID_ECDSA_P384,
    TH_CORPUS_ID_RSA_2048,
    TH_CORPUS_ID_ED25519,
    TH_CORPUS_ID_CLIENT_P256, /* the client certificate */
    TH_CORPUS_ID_COUNT,
} th_corpus_id;

typedef struct {
    EVP_PKEY *key;
    X509 *cert; /* issued by the corpus CA, SAN DNS:localhost */
} th_corpus_identity;

typedef struct {
    EVP_PKEY *ca_key; /* Ed25519 */
    X509 *ca_cert;    /* self-signed */
    th_corpus_identity ids[TH_CORPUS_ID_COUNT];
} th_corpus_pki;

/* Builds every key and certificate into |pki|. 1 on success; 0 (BoringSSL's
 * error queue says why) with |pki| owning nothing. */
int th_corpus_pki_init(th_corpus_pki *pki) TH_MUST_USE;

/* Frees what |pki| holds; accepts NULL and a zeroed struct, leaves it zeroed. */
void th_corpus_pki_cleanup(th_corpus_pki *pki);

/* Short name of an identity ("ecdsa-p256", ...). */
const char *th_corpus_id_name(th_corpus_id id);

#endif
