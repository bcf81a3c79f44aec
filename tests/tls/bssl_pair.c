#include "bssl_pair.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/err.h>

#include "record.h"
#include "testutil.h"

static void grow_append(uint8_t **buf, size_t *len, const uint8_t *data, size_t n) {
    uint8_t *p = realloc(*buf, *len + n + 1);
    assert_non_null(p);
    memcpy(p + *len, data, n);
    *buf = p;
    *len += n;
}

void th_bssl_pair_init(th_bssl_pair *p, const th_config *cfg, th_role role, SSL_CTX *ctx) {
    memset(p, 0, sizeof(*p));
    p->c = th_conn_new(cfg, role);
    assert_non_null(p->c);
    p->ssl = SSL_new(ctx);
    assert_non_null(p->ssl);
    p->to_ssl = BIO_new(BIO_s_mem());
    p->from_ssl = BIO_new(BIO_s_mem());
    BIO_set_mem_eof_return(p->to_ssl, -1);
    BIO_set_mem_eof_return(p->from_ssl, -1);
    SSL_set_bio(p->ssl, p->to_ssl, p->from_ssl);
    if (role == TH_ROLE_SERVER) {
        SSL_set_connect_state(p->ssl);
    } else {
        SSL_set_accept_state(p->ssl);
    }
}

/* Feeds BoringSSL's bytes to us, one record at a time when a tamper hook
 * must see each. */
static void feed_ours(th_bssl_pair *p, uint8_t *buf, size_t len) {
    size_t off = 0;
    while (off < len) {
        size_t chunk = len - off;
        if (p->tamper != NULL && chunk >= TH_RECORD_HEADER_LEN) {
            size_t rec_len = TH_RECORD_HEADER_LEN + ((size_t)buf[off + 3] << 8 | buf[off + 4]);
            chunk = rec_len < chunk ? rec_len : chunk;
            p->tamper(buf + off, chunk);
        }
        if (!th_conn_recv(p->c, buf + off, chunk)) {
            /* The status tells; the test checks it. */
        }
        off += chunk;
    }
}

void th_bssl_pair_shuttle(th_bssl_pair *p) {
    static uint8_t buf[65536];
    for (int iter = 0; iter < 100000; iter++) {
        int progress = 0;
        size_t n;
        const uint8_t *out = th_conn_pending_output(p->c, &n);
        if (n != 0) {
            assert_int_equal(BIO_write(p->to_ssl, out, (int)n), (int)n);
            th_conn_consume_output(p->c, n);
            progress = 1;
        }
        if (!p->ssl_done && !p->ssl_failed) {
            int r = SSL_do_handshake(p->ssl);
            if (r == 1) {
                p->ssl_done = 1;
                progress = 1;
            } else if (SSL_get_error(p->ssl, r) != SSL_ERROR_WANT_READ) {
                p->ssl_failed = 1;
                progress = 1;
            }
        }
        if (p->ssl_done && !p->ssl_closed && !p->ssl_failed) {
            int r;
            while ((r = SSL_read(p->ssl, buf, sizeof(buf))) > 0) {
                grow_append(&p->ssl_in, &p->ssl_in_len, buf, (size_t)r);
                progress = 1;
            }
            int e = SSL_get_error(p->ssl, r);
            if (e == SSL_ERROR_ZERO_RETURN) {
                p->ssl_closed = 1;
                progress = 1;
            } else if (e != SSL_ERROR_WANT_READ) {
                p->ssl_failed = 1;
                progress = 1;
            }
        }
        int r = BIO_read(p->from_ssl, buf, sizeof(buf));
        if (r > 0) {
            feed_ours(p, buf, (size_t)r);
            progress = 1;
        }
        size_t got;
        while ((got = th_conn_read_app(p->c, buf, sizeof(buf))) > 0) {
            grow_append(&p->our_in, &p->our_in_len, buf, got);
            progress = 1;
        }
        if (!progress) {
            return;
        }
    }
    fail_msg("shuttle did not settle");
}

void th_bssl_pair_free(th_bssl_pair *p) {
    th_conn_free(p->c);
    SSL_free(p->ssl);
    free(p->ssl_in);
    free(p->our_in);
    ERR_clear_error();
}

void th_bssl_pair_exchange_small(th_bssl_pair *p) {
    static const char ping[] = "ping", pong[] = "pong";
    assert_true(th_conn_write_app(p->c, (const uint8_t *)ping, 4, 0));
    th_bssl_pair_shuttle(p);
    assert_int_equal(p->ssl_in_len, 4);
    assert_memory_equal(p->ssl_in, ping, 4);
    assert_int_equal(SSL_write(p->ssl, pong, 4), 4);
    th_bssl_pair_shuttle(p);
    assert_int_equal(p->our_in_len, 4);
    assert_memory_equal(p->our_in, pong, 4);
    p->ssl_in_len = p->our_in_len = 0;
}

void th_bssl_pair_bulk(th_bssl_pair *p, th_random_fn random, void *random_ctx) {
    size_t total = 1 << 20;
    uint8_t *data = malloc(total);
    assert_non_null(data);
    random(random_ctx, data, total);
    size_t off = 0;
    while (off < total) {
        uint8_t r[4];
        random(random_ctx, r, sizeof(r));
        size_t n = 1 + ((size_t)r[0] << 8 | r[1]) % 20000;
        size_t max_record = 1 + ((size_t)r[2] << 8 | r[3]) % 16384;
        if (n > total - off) {
            n = total - off;
        }
        assert_true(th_conn_write_app(p->c, data + off, n, max_record));
        off += n;
        if (r[0] & 1) {
            th_bssl_pair_shuttle(p);
        }
    }
    th_bssl_pair_shuttle(p);
    assert_int_equal(p->ssl_in_len, total);
    assert_memory_equal(p->ssl_in, data, total);
    off = 0;
    while (off < total) {
        uint8_t r[2];
        random(random_ctx, r, sizeof(r));
        int n = 1 + (int)(((size_t)r[0] << 8 | r[1]) % 16384);
        if ((size_t)n > total - off) {
            n = (int)(total - off);
        }
        assert_int_equal(SSL_write(p->ssl, data + off, n), n);
        off += (size_t)n;
        if (r[0] & 1) {
            th_bssl_pair_shuttle(p);
        }
    }
    th_bssl_pair_shuttle(p);
    assert_int_equal(p->our_in_len, total);
    assert_memory_equal(p->our_in, data, total);
    p->ssl_in_len = p->our_in_len = 0;
    free(data);
}
