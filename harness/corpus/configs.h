/* The configuration matrix of the seed corpus: one row per BoringSSL client vs
 * BoringSSL server handshake (a row may run two connections: a full handshake
 * and its resumption). */
#ifndef TH_CORPUS_CONFIGS_H
#define TH_CORPUS_CONFIGS_H

#include <stddef.h>
#include <stdint.h>

#include "pki.h"

/* Behaviours a row switches on. */
enum {
    TH_CC_ALPN = 1u << 0,                 /* client offers h2,http/1.1; server selects h2 */
    TH_CC_SNI = 1u << 1,                  /* client sends server_name localhost; server acks */
    TH_CC_CLIENT_AUTH = 1u << 2,          /* server requests a certificate; client has one */
    TH_CC_CLIENT_AUTH_EMPTY = 1u << 3,    /* server requests; client answers an empty Certificate */
    TH_CC_CLIENT_CERT_REQUIRED = 1u << 4, /* with _EMPTY: server refuses (handshake fails) */
    TH_CC_CA_NAMES = 1u << 5,             /* CertificateRequest lists the corpus CA */
    TH_CC_RESUME = 1u << 6,               /* second connection resumes the first one's session */
    TH_CC_EARLY_DATA = 1u << 7,           /* with _RESUME: 0-RTT data on the second connection */
    TH_CC_KEY_UPDATE = 1u << 8,           /* client KeyUpdate(update_requested); server answers */
    TH_CC_OCSP = 1u << 9,            /* client asks for a stapled OCSP response; server has one */
    TH_CC_SCT = 1u << 10,            /* client asks for SCTs; server has a list */
    TH_CC_NO_TICKETS = 1u << 11,     /* SSL_OP_NO_TICKET: TLS 1.2 session-ID resumption */
    TH_CC_NO_AES_HW = 1u << 12,      /* run where AES hardware is off: ChaCha20 is preferred */
    TH_CC_CHAIN = 1u << 13,          /* server sends leaf and CA certificate */
    TH_CC_GREASE = 1u << 14,         /* client GREASE (RFC 8701) */
    TH_CC_PERMUTE = 1u << 15,        /* client permutes its extensions */
    TH_CC_SMALL_RECORDS = 1u << 16,  /* both sides send records of at most 512 bytes */
    TH_CC_EXPECT_FAILURE = 1u << 17, /* the handshake is meant to fail with an alert */
};

typedef struct {
    const char *name;
    const char *description;
    /* Version ranges; 0 means BoringSSL's default (TLS 1.2 .. TLS 1.3). */
    uint16_t client_min_version, client_max_version;
    uint16_t server_min_version, server_max_version;
    th_corpus_id server_id;
    /* TLS 1.2 cipher suites the server accepts (a BoringSSL cipher string),
     * NULL for the default. TLS 1.3 suites cannot be configured in BoringSSL. */
    const char *server_ciphers;
    /* Groups (BoringSSL curves list), NULL for the default. */
    const char *client_groups, *server_groups;
    uint32_t flags; /* TH_CC_* */
} th_corpus_config;

extern const th_corpus_config th_corpus_configs[];
extern const size_t th_num_corpus_configs;

/* The row called |name|, or NULL. */
const th_corpus_config *th_corpus_config_find(const char *name);

#endif
