/* tlsharness decode: reads records, handshake messages or one message body
 * (binary or hex) and prints the decoder's tree as text or JSON, with JA3/JA4
 * for every ClientHello.
 *
 * Hex input: any whitespace and colons between digits, '#' starts a comment
 * to the end of the line. Lines of the form `name = hex` (the RFC 8448 vector
 * files in tests/vectors/) are read too, and then only the lines named after a
 * handshake message are decoded: a names.h handshake type, optionally with a
 * client_ or server_ prefix (client_hello, server_hello, certificate,
 * server_finished, ...). Other names hold keys, secrets or partial messages
 * (client_hello_prefix) and are skipped. The selected lines are concatenated
 * in file order, so offsets count from the first selected byte. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cli_io.h"
#include "decode.h"
#include "names.h"

/* Inputs larger than this are refused rather than read into memory. */
#define MAX_INPUT (64u << 20)

static void decode_usage(FILE *f) {
    fprintf(f, "usage: tlsharness decode [--hex|--bin] [--as WHAT] [--json] [FILE|-]\n"
               "\n"
               "Decodes TLS bytes into a tree: every field with its offset, length and value,\n"
               "code points by name, and JA3/JA4 fingerprints for each ClientHello. Reads FILE,\n"
               "or standard input when FILE is '-' or absent.\n"
               "\n"
               "  --hex        the input is hex text: whitespace and colons are ignored, '#'\n"
               "               starts a comment, `name = hex` lines (RFC 8448 vector files)\n"
               "               contribute only when the name is a handshake message\n"
               "  --bin        the input is raw bytes\n"
               "               (default: hex when the input is printable text, else binary)\n"
               "  --as WHAT    records     a stream of TLS records\n"
               "               handshake   a stream of handshake messages (4-byte headers)\n"
               "               MESSAGE     one message body without its header\n"
               "               (default: records when the input starts like a record header,\n"
               "               else handshake; `name = hex` files default to handshake)\n"
               "  --json       print the tree as JSON instead of text\n"
               "  --help       this text\n"
               "\n"
               "MESSAGE is one of: ");
    th_decode_list_messages(f);
    fprintf(f, "\n\nExit status: 0 decoded and accepted, 2 usage or input error or bad input\n"
               "(the offset, the field and the alert tlsharness would send go to stderr).\n");
}

/* Hex text parsing. */

typedef struct {
    uint8_t *bytes;
    size_t len;
    size_t num_named, num_selected;
    int pending_nibble; /* -1, or a high nibble waiting for its pair */
    char error[200];
    char names[200]; /* the selected names, for the text header */
} hex_input;

static int hex_value(int ch) {
    if (ch >= '0' && ch <= '9') {
        return ch - '0';
    }
    ch = tolower(ch);
    return ch >= 'a' && ch <= 'f' ? ch - 'a' + 10 : -1;
}

/* 1 if |name| (|len| bytes) names a handshake message, with an optional
 * client_ or server_ prefix (server_finished). */
static int names_message(const char *name, size_t len) {
    char buf[64];
    uint8_t type;
    if (len == 0 || len >= sizeof(buf)) {
        return 0;
    }
    memcpy(buf, name, len);
    buf[len] = '\0';
    if (th_handshake_type_by_name(buf, &type)) {
        return 1;
    }
    const char *rest = strncmp(buf, "client_", 7) == 0   ? buf + 7
                       : strncmp(buf, "server_", 7) == 0 ? buf + 7
                                                         : NULL;
    return rest != NULL && th_handshake_type_by_name(rest, &type);
}

/* Reads the hex digits of [p, end) into |in|; 0 with in->error set on a
 * character that is not hex, whitespace or ':'. */
static int add_hex(hex_input *in, const char *p, const char *end, size_t line,
                   const char *line_start, int keep) {
    for (; p < end; p++) {
        if (*p == '#') {
            break;
        }
        if (isspace((unsigned char)*p) || *p == ':') {
            continue;
        }
        int v = hex_value((unsigned char)*p);
        if (v < 0) {
            snprintf(in->error, sizeof(in->error), "line %zu, column %zu: '%c' is not a hex digit",
                     line, (size_t)(p - line_start) + 1, isprint((unsigned char)*p) ? *p : '?');
            return 0;
        }
        if (!keep) {
            continue;
        }
        if (in->pending_nibble < 0) {
            in->pending_nibble = v;
        } else {
            in->bytes[in->len++] = (uint8_t)((in->pending_nibble << 4) | v);
            in->pending_nibble = -1;
        }
    }
    return 1;
}

static int parse_hex_text(const uint8_t *text, size_t text_len, hex_input *in) {
    memset(in, 0, sizeof(*in));
    in->pending_nibble = -1;
    in->bytes = malloc(text_len / 2 + 1);
    if (in->bytes == NULL) {
        snprintf(in->error, sizeof(in->error), "out of memory");
        return 0;
    }
    const char *p = (const char *)text, *end = p + text_len;
    for (size_t line = 1; p < end; line++) {
        const char *eol = memchr(p, '\n', (size_t)(end - p));
        if (eol == NULL) {
            eol = end;
        }
        if (memchr(p, '\0', (size_t)(eol - p)) != NULL) {
            snprintf(in->error, sizeof(in->error), "line %zu: a NUL byte", line);
            return 0;
        }
        /* `name = hex`: an identifier, '=', then hex. */
        const char *q = p;
        while (q < eol && isspace((unsigned char)*q)) {
            q++;
        }
        const char *name = q;
        while (q < eol && (isalnum((unsigned char)*q) || *q == '_')) {
            q++;
        }
        const char *name_end = q;
        while (q < eol && isspace((unsigned char)*q)) {
            q++;
        }
        int named = name_end > name && !isdigit((unsigned char)*name) && q < eol && *q == '=';
        int keep = 1;
        if (named) {
            in->num_named++;
            keep = names_message(name, (size_t)(name_end - name));
            if (keep) {
                size_t used = strlen(in->names);
                snprintf(in->names + used, sizeof(in->names) - used, "%s%.*s",
                         used != 0 ? ", " : "", (int)(name_end - name), name);
                in->num_selected++;
            }
            q++;
        } else {
            q = p;
        }
        if (!add_hex(in, q, eol, line, p, keep)) {
            return 0;
        }
        if (named && in->pending_nibble >= 0) {
            snprintf(in->error, sizeof(in->error), "line %zu: odd number of hex digits", line);
            return 0;
        }
        p = eol < end ? eol + 1 : end;
    }
    if (in->pending_nibble >= 0) {
        snprintf(in->error, sizeof(in->error), "odd number of hex digits");
        return 0;
    }
    return 1;
}

/* 1 if |in| is printable ASCII and whitespace: then it is read as hex. TLS
 * records and message bodies start with a control byte, so binary input is
 * never taken for text. */
static int is_text(const uint8_t *in, size_t len) {
    for (size_t i = 0; i < len; i++) {
        if ((in[i] < 0x20 && !isspace(in[i])) || in[i] > 0x7e) {
            return 0;
        }
    }
    return 1;
}

/* 1 if |in| starts like a TLS record header: a known content type and a
 * 3.x version. */
static int looks_like_record(const uint8_t *in, size_t len) {
    return len >= 5 && in[0] >= 20 && in[0] <= 24 && in[1] == 3 && in[2] <= 4;
}

typedef struct {
    int hex, bin, json;
    const char *as;
    const char *path;
} decode_args;

/* 0 ok, 2 on a usage error (already reported), 1 for --help. */
static int parse_args(int argc, char **argv, decode_args *a) {
    memset(a, 0, sizeof(*a));
    int only_files = 0;
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        if (only_files || arg[0] != '-' || strcmp(arg, "-") == 0) {
            if (a->path != NULL) {
                fprintf(stderr, "decode: more than one input ('%s' and '%s')\n", a->path, arg);
                return 2;
            }
            a->path = arg;
        } else if (strcmp(arg, "--") == 0) {
            only_files = 1;
        } else if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
            return 1;
        } else if (strcmp(arg, "--hex") == 0) {
            a->hex = 1;
        } else if (strcmp(arg, "--bin") == 0) {
            a->bin = 1;
        } else if (strcmp(arg, "--json") == 0) {
            a->json = 1;
        } else if (strcmp(arg, "--as") == 0) {
            if (i + 1 >= argc) {
                fprintf(stderr, "decode: option '--as' needs a value\n");
                return 2;
            }
            a->as = argv[++i];
        } else if (strncmp(arg, "--as=", 5) == 0) {
            a->as = arg + 5;
        } else {
            fprintf(stderr, "decode: unknown option '%s'\nTry 'tlsharness decode --help'.\n", arg);
            return 2;
        }
    }
    if (a->hex && a->bin) {
        fprintf(stderr, "decode: --hex and --bin exclude each other\n");
        return 2;
    }
    if (a->as != NULL && strcmp(a->as, "records") != 0 && strcmp(a->as, "handshake") != 0 &&
        !th_decode_message_known(a->as)) {
        fprintf(stderr,
                "decode: unknown --as value '%s'; use records, handshake or one of: ", a->as);
        th_decode_list_messages(stderr);
        fputc('\n', stderr);
        return 2;
    }
    return 0;
}

static int load(const decode_args *a, uint8_t **out_raw, size_t *out_raw_len) {
    char err[512];
    if (!th_cli_read_file(a->path != NULL ? a->path : "-", MAX_INPUT, out_raw, out_raw_len, err,
                          sizeof(err))) {
        fprintf(stderr, "decode: %s\n", err);
        return 0;
    }
    return 1;
}

static int run(const decode_args *a, const uint8_t *in, size_t len, int named_file,
               const char *header) {
    th_decode_opts opts;
    memset(&opts, 0, sizeof(opts));
    if (a->as == NULL) {
        opts.mode =
            !named_file && looks_like_record(in, len) ? TH_DECODE_RECORDS : TH_DECODE_HANDSHAKE;
    } else if (strcmp(a->as, "records") == 0) {
        opts.mode = TH_DECODE_RECORDS;
    } else if (strcmp(a->as, "handshake") == 0) {
        opts.mode = TH_DECODE_HANDSHAKE;
    } else {
        opts.mode = TH_DECODE_MESSAGE;
        opts.message = a->as;
    }
    json_t *tree = NULL;
    th_decode_error err;
    int ok = th_decode(in, len, &opts, &tree, &err);
    if (tree != NULL) {
        if (a->json) {
            if (!th_decode_render_json(tree, stdout)) {
                fprintf(stderr, "decode: cannot write the output\n");
                ok = 0;
            }
        } else {
            if (header[0] != '\0') {
                printf("# %s\n", header);
            }
            th_decode_render_text(tree, stdout);
        }
        json_decref(tree);
    }
    fflush(stdout);
    if (err.set) {
        char line[512];
        th_decode_error_format(&err, line, sizeof(line));
        fprintf(stderr, "decode: %s\n", line);
    }
    return ok ? 0 : 2;
}

int th_cli_decode(int argc, char **argv) {
    decode_args a;
    int r = parse_args(argc, argv, &a);
    if (r == 1) {
        decode_usage(stdout);
        return 0;
    }
    if (r != 0) {
        return r;
    }
    uint8_t *raw = NULL;
    size_t raw_len = 0;
    if (!load(&a, &raw, &raw_len)) {
        return 2;
    }
    const char *label = a.path == NULL || strcmp(a.path, "-") == 0 ? "stdin" : a.path;
    int status = 2;
    hex_input hex;
    memset(&hex, 0, sizeof(hex));
    if (raw_len == 0) {
        fprintf(stderr, "decode: %s is empty: nothing to decode\n", label);
        goto done;
    }
    int as_hex = a.hex || (!a.bin && is_text(raw, raw_len));
    if (as_hex && !parse_hex_text(raw, raw_len, &hex)) {
        fprintf(stderr, "decode: %s: %s\n", label, hex.error);
        goto done;
    }
    char header[256] = "";
    if (!as_hex) {
        status = run(&a, raw, raw_len, 0, header);
        goto done;
    }
    if (hex.num_named != 0 && hex.num_selected == 0) {
        fprintf(stderr,
                "decode: %s: none of its %zu `name = hex` lines names a handshake message\n", label,
                hex.num_named);
        goto done;
    }
    if (hex.len == 0) {
        fprintf(stderr, "decode: %s holds no hex bytes: nothing to decode\n", label);
        goto done;
    }
    if (hex.num_named != 0) {
        snprintf(header, sizeof(header), "%s: %zu of %zu named lines (%s)", label, hex.num_selected,
                 hex.num_named, hex.names);
    }
    status = run(&a, hex.bytes, hex.len, hex.num_named != 0, header);
done:
    free(hex.bytes);
    free(raw);
    return status;
}
