#include "testutil.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/mem.h>

static int hexval(int c) {
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    c = tolower(c);
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

uint8_t *th_test_hex(const char *hex, size_t *out_len) {
    size_t n = strlen(hex);
    uint8_t *out = malloc(n / 2 + 1);
    size_t len = 0;
    int hi = -1;
    assert_non_null(out);
    for (size_t i = 0; i < n; i++) {
        if (isspace((unsigned char)hex[i])) {
            continue;
        }
        int v = hexval((unsigned char)hex[i]);
        assert_true(v >= 0);
        if (hi < 0) {
            hi = v;
        } else {
            out[len++] = (uint8_t)(hi << 4 | v);
            hi = -1;
        }
    }
    assert_true(hi < 0);
    *out_len = len;
    return out;
}

uint8_t *th_test_vector(const char *file, const char *name, size_t *out_len) {
    char path[1024], line[16384];
    snprintf(path, sizeof(path), "%s/%s", TH_VECTORS_DIR, file);
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        fail_msg("cannot open %s", path);
    }
    size_t name_len = strlen(name);
    while (fgets(line, sizeof(line), f) != NULL) {
        if (strncmp(line, name, name_len) != 0) {
            continue;
        }
        const char *p = line + name_len;
        while (*p == ' ') {
            p++;
        }
        if (*p != '=') {
            continue;
        }
        fclose(f);
        return th_test_hex(p + 1, out_len);
    }
    fclose(f);
    fail_msg("no %s in %s", name, path);
    return NULL;
}

uint8_t *th_test_vector_body(const char *file, const char *name, const uint8_t **out_body,
                             size_t *out_len) {
    size_t len;
    uint8_t *msg = th_test_vector(file, name, &len);
    assert_true(len >= 4);
    *out_body = msg + 4;
    *out_len = len - 4;
    return msg;
}

static int run(th_codec_fn fn, const uint8_t *in, size_t len, uint8_t **out, size_t *out_len,
               uint8_t *alert) {
    /* A heap copy of exactly |len| bytes so ASan catches any read past it. */
    uint8_t *copy = malloc(len ? len : 1);
    CBS cbs;
    CBB cbb;
    assert_non_null(copy);
    if (len) {
        memcpy(copy, in, len);
    }
    CBS_init(&cbs, copy, len);
    assert_true(CBB_init(&cbb, 64));
    *alert = 0xff;
    int ok = fn(&cbs, &cbb, alert);
    if (ok) {
        assert_true(CBB_finish(&cbb, out, out_len));
    } else {
        CBB_cleanup(&cbb);
        *out = NULL;
        *out_len = 0;
    }
    free(copy);
    return ok;
}

void th_expect_roundtrip(th_codec_fn fn, const uint8_t *in, size_t len) {
    uint8_t *out, alert;
    size_t out_len;
    if (!run(fn, in, len, &out, &out_len, &alert)) {
        fail_msg("rejected (alert %u) a valid input of %zu bytes", alert, len);
    }
    assert_int_equal(out_len, len);
    assert_memory_equal(out, in, len);
    OPENSSL_free(out);
}

void th_expect_reject(th_codec_fn fn, const uint8_t *in, size_t len, uint8_t alert) {
    uint8_t *out, got;
    size_t out_len;
    if (run(fn, in, len, &out, &out_len, &got)) {
        OPENSSL_free(out);
        fail_msg("accepted an input that must be rejected with alert %u", alert);
    }
    assert_int_equal(got, alert);
}

void th_expect_truncations_rejected(th_codec_fn fn, const uint8_t *in, size_t len) {
    for (size_t i = 0; i < len; i++) {
        uint8_t *out, alert;
        size_t out_len;
        if (run(fn, in, i, &out, &out_len, &alert)) {
            OPENSSL_free(out);
            fail_msg("accepted the input truncated to %zu of %zu bytes", i, len);
        }
        if (alert == 0xff) {
            fail_msg("rejected a truncation to %zu bytes without setting an alert", i);
        }
    }
}

void th_expect_trailing_rejected(th_codec_fn fn, const uint8_t *in, size_t len) {
    uint8_t *longer = malloc(len + 1);
    assert_non_null(longer);
    memcpy(longer, in, len);
    longer[len] = 0;
    th_expect_reject(fn, longer, len + 1, TH_ALERT_DECODE_ERROR);
    free(longer);
}

void th_expect_length_pm1_rejected(th_codec_fn fn, const uint8_t *in, size_t len, size_t offset,
                                   size_t width) {
    assert_true(offset + width <= len && width >= 1 && width <= 3);
    uint32_t v = 0;
    for (size_t i = 0; i < width; i++) {
        v = v << 8 | in[offset + i];
    }
    for (int delta = -1; delta <= 1; delta += 2) {
        if (delta < 0 && v == 0) {
            continue;
        }
        uint32_t nv = v + (uint32_t)delta;
        if (nv >> (8 * width)) {
            continue;
        }
        uint8_t *copy = malloc(len);
        assert_non_null(copy);
        memcpy(copy, in, len);
        for (size_t i = 0; i < width; i++) {
            copy[offset + i] = (uint8_t)(nv >> (8 * (width - 1 - i)));
        }
        uint8_t *out, alert;
        size_t out_len;
        if (run(fn, copy, len, &out, &out_len, &alert)) {
            OPENSSL_free(out);
            fail_msg("accepted the length field at offset %zu changed by %d", offset, delta);
        }
        if (alert == 0xff) {
            fail_msg("length at offset %zu changed by %d: rejected without an alert", offset,
                     delta);
        }
        free(copy);
    }
}

uint8_t *th_test_patch(const uint8_t *in, size_t len, size_t offset, const char *patch_hex) {
    size_t plen;
    uint8_t *patch = th_test_hex(patch_hex, &plen);
    assert_true(offset + plen <= len);
    uint8_t *copy = malloc(len);
    assert_non_null(copy);
    memcpy(copy, in, len);
    memcpy(copy + offset, patch, plen);
    free(patch);
    return copy;
}

void th_test_load_cert_key_files(const char *cert_file, const char *key_file, th_cert_key *ck) {
    char cert[512], key[512], err[512];
    snprintf(cert, sizeof(cert), TH_TEST_PKI_DIR "%s", cert_file);
    snprintf(key, sizeof(key), TH_TEST_PKI_DIR "%s", key_file);
    if (!th_cert_key_load(cert, key, ck, err, sizeof(err))) {
        fail_msg("loading %s: %s", cert_file, err);
    }
}

void th_test_load_cert_key(const char *name, th_cert_key *ck) {
    char cert[128], key[128];
    snprintf(cert, sizeof(cert), "%s-chain.pem", name);
    snprintf(key, sizeof(key), "%s.key", name);
    th_test_load_cert_key_files(cert, key, ck);
}

X509_STORE *th_test_load_trust_store(const char *file) {
    char path[512], err[512];
    X509_STORE *store = NULL;
    snprintf(path, sizeof(path), TH_TEST_PKI_DIR "%s", file);
    if (!th_trust_store_load(path, &store, err, sizeof(err))) {
        fail_msg("trust store %s: %s", file, err);
    }
    return store;
}
