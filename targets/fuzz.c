#include "fuzz.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/mem.h>

#include "names.h"

/* The libFuzzer-only targets (targets.def's comment) and the registered
 * target that shares their input format, dictionary and max_len: their seeds
 * and regressions replay through it, with every check on. */
static const struct {
    const char *name, *registered;
} kLibFuzzerOnly[] = {
    {"handshake_client", "handshake_client_no_fuzzer_mode"},
    {"handshake_server", "handshake_server_no_fuzzer_mode"},
};

static const th_fuzz_target *find_registered(const char *name) {
    for (size_t i = 0; i < th_num_fuzz_targets; i++) {
        if (strcmp(th_fuzz_targets[i].name, name) == 0) {
            return &th_fuzz_targets[i];
        }
    }
    return NULL;
}

const th_fuzz_target *th_fuzz_find(const char *name) {
    for (size_t i = 0; i < sizeof(kLibFuzzerOnly) / sizeof(kLibFuzzerOnly[0]); i++) {
        if (strcmp(kLibFuzzerOnly[i].name, name) == 0) {
            return find_registered(kLibFuzzerOnly[i].registered);
        }
    }
    return find_registered(name);
}

/* The alerts a codec may send (RFC 8446 §6: decode_error for syntax,
 * illegal_parameter for values, plus those the RFC names for framing and
 * missing extensions). Anything else from a parser is a bug. */
static int codec_alert_allowed(uint8_t alert) {
    switch (alert) {
    case TH_ALERT_DECODE_ERROR:
    case TH_ALERT_ILLEGAL_PARAMETER:
    case TH_ALERT_UNEXPECTED_MESSAGE:
    case TH_ALERT_RECORD_OVERFLOW:
    case TH_ALERT_MISSING_EXTENSION:
    case TH_ALERT_UNRECOGNIZED_NAME: /* an empty or NUL-bearing SNI, as BoringSSL */
        return 1;
    default:
        return 0;
    }
}

/* One parse-and-write: returns TH_FUZZ_ACCEPTED with the output, or the alert. */
static int run_once(const char *target, th_fuzz_codec_fn fn, const uint8_t *data, size_t len,
                    uint8_t **out, size_t *out_len) {
    CBS in;
    CBB cbb;
    uint8_t alert = 0;
    CBS_init(&in, data, len);
    if (!CBB_init(&cbb, len + 16)) {
        abort();
    }
    if (!fn(&in, &cbb, &alert)) {
        CBB_cleanup(&cbb);
        if (!codec_alert_allowed(alert)) {
            th_fuzz_oracle_failed(target, "rejection without a codec alert");
        }
        return alert;
    }
    if (!CBB_finish(&cbb, out, out_len)) {
        th_fuzz_oracle_failed(target, "writer failed on a parsed value");
    }
    return TH_FUZZ_ACCEPTED;
}

int th_fuzz_check_codec(const char *target, th_fuzz_codec_fn fn, const uint8_t *data, size_t len) {
    uint8_t *out1 = NULL, *out2 = NULL;
    size_t len1 = 0, len2 = 0;
    int r1 = run_once(target, fn, data, len, &out1, &len1);
    int r2 = run_once(target, fn, data, len, &out2, &len2);
    if (r1 != r2 || len1 != len2 || (len1 && memcmp(out1, out2, len1) != 0)) {
        th_fuzz_oracle_failed(target, "same input gave two results");
    }
    /* With the two runs agreeing, write(parse(b)) == b also gives
     * parse(write(v)) == v for v = parse(b): no third run is needed. */
    if (r1 == TH_FUZZ_ACCEPTED && (len1 != len || (len && memcmp(out1, data, len) != 0))) {
        th_fuzz_oracle_failed(target, "round trip: write(parse(b)) != b");
    }
    OPENSSL_free(out1);
    OPENSSL_free(out2);
    return r1;
}

static void put_token(FILE *out, const uint8_t *b, size_t n) {
    fputc('"', out);
    for (size_t i = 0; i < n; i++) {
        fprintf(out, "\\x%02X", b[i]);
    }
    fputs("\"\n", out);
}

/* Writes each 16-bit code point of a name table with a lookup, bare and with
 * the common length prefixes, as libFuzzer dictionary tokens. */
static void put_u16_points(FILE *out, const char *(*name)(uint16_t), int with_len) {
    for (uint32_t v = 0; v <= 0xffff; v++) {
        if (name((uint16_t)v) == NULL || strcmp(name((uint16_t)v), "GREASE") == 0) {
            continue;
        }
        uint8_t b[4] = {(uint8_t)(v >> 8), (uint8_t)v, 0, 0};
        put_token(out, b, 2);
        if (with_len) {
            put_token(out, b, 4); /* the point followed by an empty body */
        }
    }
}

static const char *ct_name16(uint16_t v) {
    return v < 256 ? th_content_type_name((uint8_t)v) : NULL;
}
static const char *hs_name16(uint16_t v) {
    return v < 256 ? th_handshake_type_name((uint8_t)v) : NULL;
}
static const char *alert_name16(uint16_t v) {
    return v < 256 ? th_alert_name((uint8_t)v) : NULL;
}

void th_fuzz_write_dict(const th_fuzz_target *t, FILE *out) {
    fprintf(out, "# %s: %s\n", t->name, t->description);
    if (t->dict & TH_DICT_VERSIONS) {
        put_u16_points(out, th_version_name, 0);
        put_token(out, (const uint8_t *)"\x0a\x0a", 2); /* GREASE */
    }
    if (t->dict & TH_DICT_SUITES) {
        put_u16_points(out, th_cipher_suite_name, 0);
    }
    if (t->dict & TH_DICT_GROUPS) {
        put_u16_points(out, th_group_name, 0);
    }
    if (t->dict & TH_DICT_SIGALGS) {
        put_u16_points(out, th_sig_scheme_name, 0);
    }
    if (t->dict & TH_DICT_EXTS) {
        put_u16_points(out, th_ext_name, 1);
    }
    for (uint32_t v = 0; v < 256; v++) {
        uint8_t b = (uint8_t)v;
        if (((t->dict & TH_DICT_CONTENT_TYPES) && ct_name16((uint16_t)v)) ||
            ((t->dict & TH_DICT_HS_TYPES) && hs_name16((uint16_t)v)) ||
            ((t->dict & TH_DICT_ALERTS) && alert_name16((uint16_t)v))) {
            put_token(out, &b, 1);
        }
    }
}
