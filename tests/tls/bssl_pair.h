/* Test helper: one of our connections and a BoringSSL SSL joined in process
 * by two memory BIOs, driven until nothing moves. Shared by the TLS 1.2
 * interop tests (test_conn12_interop.c, test_conn12_client_interop.c). */
#ifndef TH_TEST_BSSL_PAIR_H
#define TH_TEST_BSSL_PAIR_H
#include <openssl/ssl.h>

#include "conn.h"

typedef struct {
    th_conn *c;
    SSL *ssl;
    BIO *to_ssl, *from_ssl; /* what SSL reads; what SSL writes */
    int ssl_done, ssl_failed, ssl_closed;
    uint8_t *ssl_in; /* application data BoringSSL read */
    size_t ssl_in_len;
    uint8_t *our_in; /* application data we read */
    size_t our_in_len;
    /* Rewrites each record from BoringSSL before we see it (NULL: none). */
    void (*tamper)(uint8_t *rec, size_t len);
} th_bssl_pair;

/* A new connection of ours in |role| with |cfg| and a new SSL of |ctx| in
 * the other role. */
void th_bssl_pair_init(th_bssl_pair *p, const th_config *cfg, th_role role, SSL_CTX *ctx);
/* Moves bytes both ways and drives both sides until nothing moves. */
void th_bssl_pair_shuttle(th_bssl_pair *p);
void th_bssl_pair_free(th_bssl_pair *p);
/* "ping" to BoringSSL, "pong" back: proves both directions' keys. */
void th_bssl_pair_exchange_small(th_bssl_pair *p);
/* 1 MiB each way in random write sizes and record limits, drawn from
 * |random|. */
void th_bssl_pair_bulk(th_bssl_pair *p, th_random_fn random, void *random_ctx);

#endif
