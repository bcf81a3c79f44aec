/* JA3 and JA4 client fingerprints.
 *
 * JA3 (Salesforce): "SSLVersion,Ciphers,Extensions,EllipticCurves,
 * EcPointFormats", each field the decimal values in wire order joined by
 * '-', an absent or empty list leaving its field empty (e.g. "769,4-5,,,").
 * SSLVersion is the ClientHello's legacy_version. GREASE values (RFC 8701)
 * are left out of the cipher, extension and curve lists; point formats are
 * bytes and have no GREASE. The hash is the MD5 of the string, lower-case hex.
 *
 * JA4 (FoxIO, technical_details/JA4.md), a_b_c:
 *   a = 't' (TLS over TCP: tlsharness sees neither QUIC nor DTLS)
 *       + version: the highest non-GREASE value of supported_versions when
 *         the extension is present, else legacy_version (the record version
 *         is ignored), as "13" "12" "11" "10" "s3" "s2" "d1" "d2" "d3", any
 *         other value "00". A supported_versions holding only GREASE values
 *         has no highest value; we then fall back to legacy_version as if it
 *         were absent (the spec does not say).
 *       + 'd' if a server_name extension is present, else 'i'
 *       + two-digit count of cipher suites, GREASE left out, SCSVs counted,
 *         99 when over 99
 *       + two-digit count of extensions, GREASE left out, SNI and ALPN
 *         counted, 99 when over 99
 *       + the first and last characters of the first ALPN protocol name;
 *         "00" when there is no ALPN extension (RFC 7301 §3.1 forbids an
 *         empty list or name); a one-character name gives that character
 *         twice; if the first or last byte is not an ASCII letter or digit,
 *         the first and last characters of the name's lower-case hex instead
 *         (first nibble of the first byte, last nibble of the last byte:
 *         0xAB 0xCD -> "ad").
 *   b = first 12 hex digits of SHA-256 over the cipher suites as 4-digit
 *       lower-case hex, sorted, joined by ','; "000000000000" when there is no
 *       cipher suite.
 *   c = first 12 hex digits of SHA-256 over the extension types as 4-digit
 *       hex, sorted, SNI (0000) and ALPN (0010) left out, joined by ','; then,
 *       when signature_algorithms lists any, '_' and the signature schemes in
 *       wire order joined by ','; without them (a list of GREASE values only
 *       included) the string ends with no '_'.
 *       "000000000000" when no extension is left after the removals.
 * GREASE is ignored everywhere, signature schemes included.
 *
 * The fields are read from the codec's parse (th_parse_client_hello and the
 * typed extension parsers), so only a ClientHello tlsharness accepts has
 * fingerprints: one that is malformed, or repeats an extension, has none. */
#include "fingerprint.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/md5.h>
#include <openssl/sha.h>

#include "client_hello.h"
#include "ext_types.h"
#include "names.h"

/* A growable NUL-terminated string; |failed| is sticky. */
typedef struct {
    char *s;
    size_t len, cap;
    int failed;
} strbuf;

static void sb_printf(strbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void sb_printf(strbuf *sb, const char *fmt, ...) {
    if (sb->failed) {
        return;
    }
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(sb->s != NULL ? sb->s + sb->len : NULL,
                          sb->s != NULL ? sb->cap - sb->len : 0, fmt, ap);
        va_end(ap);
        if (n < 0) {
            sb->failed = 1;
            return;
        }
        if (sb->s != NULL && (size_t)n < sb->cap - sb->len) {
            sb->len += (size_t)n;
            return;
        }
        size_t cap = sb->cap == 0 ? 64 : sb->cap;
        while (cap - sb->len <= (size_t)n) {
            cap *= 2;
        }
        char *grown = realloc(sb->s, cap);
        if (grown == NULL) {
            sb->failed = 1;
            return;
        }
        sb->s = grown;
        sb->cap = cap;
    }
}

/* Appends |values| joined by |sep|, in decimal or 4-digit hex. */
static void sb_join(strbuf *sb, const uint16_t *values, size_t num, const char *sep, int hex) {
    for (size_t i = 0; i < num; i++) {
        sb_printf(sb, hex ? "%s%04x" : "%s%u", i == 0 ? "" : sep, values[i]);
    }
}

/* The fields both fingerprints read, GREASE left out of the lists. */
typedef struct {
    uint16_t legacy_version;
    uint16_t *ciphers, *exts, *groups, *sig_algs;
    size_t num_ciphers, num_exts, num_groups, num_sig_algs;
    th_bytes point_formats;
    int has_versions; /* a non-GREASE supported_versions value was seen */
    uint16_t max_version;
    int has_sni;
    int have_alpn;
    th_bytes alpn_first; /* the first ProtocolName */
} ch_fields;

static void fields_cleanup(ch_fields *f) {
    free(f->ciphers);
    free(f->exts);
    free(f->groups);
    free(f->sig_algs);
    memset(f, 0, sizeof(*f));
}

/* Copies the non-GREASE values of |in| into a new array *out. */
static int copy_non_grease(const uint16_t *in, size_t num, uint16_t **out, size_t *out_num) {
    *out = malloc((num > 0 ? num : 1) * sizeof(uint16_t));
    *out_num = 0;
    if (*out == NULL) {
        return 0;
    }
    for (size_t i = 0; i < num; i++) {
        if (!th_is_grease16(in[i])) {
            (*out)[(*out_num)++] = in[i];
        }
    }
    return 1;
}

/* The body of extension |type| of |ch| in *out; 0 when it is absent. */
static int find_body(const th_client_hello *ch, uint16_t type, CBS *out) {
    const th_ext *ext = th_ext_block_find(&ch->extensions, type);
    if (ext == NULL) {
        return 0;
    }
    CBS_init(out, ext->body.data, ext->body.len);
    return 1;
}

/* Reads the extensions the fingerprints use with the codec's typed parsers.
 * The ClientHello parser has already checked their bodies, so a refusal here
 * only means memory ran out. */
static int read_extensions(const th_client_hello *ch, ch_fields *f) {
    CBS body;
    uint8_t alert;
    int ok = 1;
    f->has_sni = th_ext_block_find(&ch->extensions, TH_EXT_SERVER_NAME) != NULL;
    if (ok && find_body(ch, TH_EXT_SUPPORTED_GROUPS, &body)) {
        th_ext_supported_groups groups;
        ok = th_parse_ext_supported_groups(&body, &groups, &alert) &&
             copy_non_grease(groups.groups, groups.num_groups, &f->groups, &f->num_groups);
        th_ext_supported_groups_cleanup(&groups);
    }
    if (ok && find_body(ch, TH_EXT_SIGNATURE_ALGORITHMS, &body)) {
        th_ext_signature_algorithms sa;
        ok = th_parse_ext_signature_algorithms(&body, &sa, &alert) &&
             copy_non_grease(sa.sig_algs, sa.num_sig_algs, &f->sig_algs, &f->num_sig_algs);
        th_ext_signature_algorithms_cleanup(&sa);
    }
    /* Not th_parse_ext_ec_point_formats: it refuses a list without
     * uncompressed(0), which a ClientHello may still carry (the rule binds
     * once TLS 1.2 with ECC is negotiated) and JA3 lists as sent. */
    if (ok && find_body(ch, TH_EXT_EC_POINT_FORMATS, &body)) {
        CBS formats;
        ok = CBS_get_u8_length_prefixed(&body, &formats) && CBS_len(&body) == 0;
        if (ok) {
            f->point_formats = th_bytes_of_cbs(&formats);
        }
    }
    if (ok && find_body(ch, TH_EXT_SUPPORTED_VERSIONS, &body)) {
        th_ext_supported_versions_ch sv;
        ok = th_parse_ext_supported_versions_ch(&body, &sv, &alert);
        for (size_t i = 0; ok && i < sv.num_versions; i++) {
            uint16_t v = sv.versions[i];
            if (!th_is_grease16(v) && (!f->has_versions || v > f->max_version)) {
                f->max_version = v;
                f->has_versions = 1;
            }
        }
        th_ext_supported_versions_ch_cleanup(&sv);
    }
    if (ok && find_body(ch, TH_EXT_ALPN, &body)) {
        th_ext_alpn_ch alpn;
        ok = th_parse_ext_alpn_ch(&body, &alpn, &alert) && alpn.num_protocols > 0;
        if (ok) {
            f->have_alpn = 1;
            f->alpn_first = alpn.protocols[0];
        }
        th_ext_alpn_ch_cleanup(&alpn);
    }
    return ok;
}

static int read_client_hello(const uint8_t *body, size_t len, ch_fields *f) {
    th_client_hello ch;
    CBS in;
    uint8_t alert;
    memset(f, 0, sizeof(*f));
    CBS_init(&in, body, len);
    if (!th_parse_client_hello(&in, &ch, &alert)) {
        return 0;
    }
    f->legacy_version = ch.legacy_version;
    int ok = copy_non_grease(ch.cipher_suites, ch.num_cipher_suites, &f->ciphers, &f->num_ciphers);
    /* Extension types: th_ext_block keeps the wire order. */
    f->exts = malloc((ch.extensions.num_exts > 0 ? ch.extensions.num_exts : 1) * sizeof(uint16_t));
    ok = ok && f->exts != NULL;
    for (size_t i = 0; ok && i < ch.extensions.num_exts; i++) {
        if (!th_is_grease16(ch.extensions.exts[i].type)) {
            f->exts[f->num_exts++] = ch.extensions.exts[i].type;
        }
    }
    ok = ok && read_extensions(&ch, f);
    th_client_hello_cleanup(&ch);
    return ok;
}

static int cmp_u16(const void *a, const void *b) {
    uint16_t x = *(const uint16_t *)a, y = *(const uint16_t *)b;
    return (x > y) - (x < y);
}

static const char *ja4_version(uint16_t v) {
    switch (v) {
    case 0x0304:
        return "13";
    case 0x0303:
        return "12";
    case 0x0302:
        return "11";
    case 0x0301:
        return "10";
    case 0x0300:
        return "s3";
    case 0x0002:
        return "s2";
    case 0xfeff:
        return "d1";
    case 0xfefd:
        return "d2";
    case 0xfefc:
        return "d3";
    default:
        return "00";
    }
}

static int is_alnum(uint8_t b) {
    return (b >= '0' && b <= '9') || (b >= 'A' && b <= 'Z') || (b >= 'a' && b <= 'z');
}

static void ja4_alpn(const ch_fields *f, char out[3]) {
    static const char kHex[] = "0123456789abcdef";
    const uint8_t *p = f->alpn_first.data;
    size_t n = f->alpn_first.len;
    if (!f->have_alpn || n == 0) {
        memcpy(out, "00", 3);
        return;
    }
    if (is_alnum(p[0]) && is_alnum(p[n - 1])) {
        out[0] = (char)p[0];
        out[1] = (char)p[n - 1];
    } else {
        out[0] = kHex[p[0] >> 4];
        out[1] = kHex[p[n - 1] & 15];
    }
    out[2] = '\0';
}

/* First 12 hex digits of SHA-256(s), or twelve zeros when |empty|. */
static void hash12(const char *s, size_t len, int empty, char out[13]) {
    if (empty) {
        memcpy(out, "000000000000", 13);
        return;
    }
    uint8_t digest[SHA256_DIGEST_LENGTH];
    SHA256((const uint8_t *)s, len, digest);
    for (size_t i = 0; i < 6; i++) {
        snprintf(out + 2 * i, 3, "%02x", digest[i]);
    }
}

static int ja3(const ch_fields *f, th_fingerprints *out) {
    strbuf sb = {0};
    sb_printf(&sb, "%u,", f->legacy_version);
    sb_join(&sb, f->ciphers, f->num_ciphers, "-", 0);
    sb_printf(&sb, ",");
    sb_join(&sb, f->exts, f->num_exts, "-", 0);
    sb_printf(&sb, ",");
    sb_join(&sb, f->groups, f->num_groups, "-", 0);
    sb_printf(&sb, ",");
    for (size_t i = 0; i < f->point_formats.len; i++) {
        sb_printf(&sb, "%s%u", i == 0 ? "" : "-", f->point_formats.data[i]);
    }
    if (sb.failed) {
        free(sb.s);
        return 0;
    }
    uint8_t digest[MD5_DIGEST_LENGTH];
    MD5((const uint8_t *)sb.s, sb.len, digest);
    for (size_t i = 0; i < MD5_DIGEST_LENGTH; i++) {
        snprintf(out->ja3_md5 + 2 * i, 3, "%02x", digest[i]);
    }
    out->ja3 = sb.s;
    return 1;
}

static int ja4(ch_fields *f, th_fingerprints *out) {
    char alpn[3], b[13], c[13], a[16];
    uint16_t version = f->has_versions ? f->max_version : f->legacy_version;
    ja4_alpn(f, alpn);
    snprintf(a, sizeof(a), "t%s%c%02zu%02zu%s", ja4_version(version), f->has_sni ? 'd' : 'i',
             f->num_ciphers > 99 ? (size_t)99 : f->num_ciphers,
             f->num_exts > 99 ? (size_t)99 : f->num_exts, alpn);

    qsort(f->ciphers, f->num_ciphers, sizeof(uint16_t), cmp_u16);
    /* Sorting in place is fine: JA3 has already read the wire order. */
    size_t kept = 0;
    for (size_t i = 0; i < f->num_exts; i++) {
        if (f->exts[i] != TH_EXT_SERVER_NAME && f->exts[i] != TH_EXT_ALPN) {
            f->exts[kept++] = f->exts[i];
        }
    }
    qsort(f->exts, kept, sizeof(uint16_t), cmp_u16);

    strbuf ciphers = {0}, exts = {0};
    sb_join(&ciphers, f->ciphers, f->num_ciphers, ",", 1);
    sb_join(&exts, f->exts, kept, ",", 1);
    if (f->num_sig_algs > 0) {
        sb_printf(&exts, "_");
        sb_join(&exts, f->sig_algs, f->num_sig_algs, ",", 1);
    }
    strbuf raw = {0};
    sb_printf(&raw, "%s_%s_%s", a, ciphers.s != NULL ? ciphers.s : "",
              exts.s != NULL ? exts.s : "");
    int ok = !ciphers.failed && !exts.failed && !raw.failed;
    if (ok) {
        hash12(ciphers.s, ciphers.len, f->num_ciphers == 0, b);
        hash12(exts.s, exts.len, kept == 0, c);
        snprintf(out->ja4, sizeof(out->ja4), "%.10s_%.12s_%.12s", a, b, c);
        out->ja4_r = raw.s;
        raw.s = NULL;
    }
    free(ciphers.s);
    free(exts.s);
    free(raw.s);
    return ok;
}

int th_fingerprint_client_hello(const uint8_t *body, size_t len, th_fingerprints *out) {
    ch_fields f;
    memset(out, 0, sizeof(*out));
    int ok = read_client_hello(body, len, &f) && ja3(&f, out) && ja4(&f, out);
    fields_cleanup(&f);
    if (!ok) {
        th_fingerprints_cleanup(out);
    }
    return ok;
}

void th_fingerprints_cleanup(th_fingerprints *fp) {
    if (fp == NULL) {
        return;
    }
    free(fp->ja3);
    free(fp->ja4_r);
    memset(fp, 0, sizeof(*fp));
}
