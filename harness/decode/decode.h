/* The TLS decoder: turns records, handshake messages or one message body into
 * ONE tree (a jansson json_t) from which both the readable text and the JSON
 * output are rendered. Used by `tlsharness decode` and by the scenario runner
 * to print transcripts.
 *
 * Every node of the tree is a JSON object with:
 *   "field"    what the bytes are ("record", "handshake", "cipher_suite", ...)
 *   "offset"   byte offset of the node's first byte, from the start of the input
 *              (for a message reassembled from several records, the offset of
 *              each field is where that field's first byte sits in the input)
 *   "length"   bytes covered, length prefixes included
 *   "value"    a number (code points, integers) or a string (host names, ALPN
 *              protocols), when the node has one
 *   "name"     the code point's name from names.h ("x25519"); null when the
 *              value is a code point tlsharness does not know
 *   "hex"      the bytes of opaque fields (randoms, keys, unknown extensions,
 *              ciphertext)
 *   "note"     a remark ("hello_retry_request", "encrypted", "GREASE", ...)
 *   "error"    on the node where decoding failed: the reason
 *   "children" the sub-fields in wire order
 * A handshake node also lists the "fragments" it was reassembled from when it
 * spanned several records, and a ClientHello carries "fingerprints" (JA3, JA4)
 * when the codec parses it (a note says so when it does not).
 *
 * The decoder is a lenient structural walker: it shows everything it can,
 * with offsets. Whether a message is valid is decided by the codec's own
 * parsers (harness/tls/wire), so the alert reported for bad input is the one
 * tlsharness itself would send. */
#ifndef TH_DECODE_H
#define TH_DECODE_H

#include <stdio.h>

#include <jansson.h>

#include "th_base.h"

/* What the input holds. */
typedef enum {
    TH_DECODE_RECORDS = 0, /* a stream of TLS records */
    TH_DECODE_HANDSHAKE,   /* a stream of handshake messages (4-byte headers) */
    TH_DECODE_MESSAGE,     /* one message body without its header, see message */
} th_decode_mode;

typedef struct {
    th_decode_mode mode;
    /* For TH_DECODE_MESSAGE: a name accepted by th_decode_message_known(). */
    const char *message;
    /* The TLS version to assume before a ServerHello says which one applies
     * (0: unknown, the forms of Certificate and friends are then guessed by
     * trying the TLS 1.3 codec first). */
    uint16_t version;
    /* 1 to skip the JA3/JA4 fingerprints of ClientHellos. */
    int no_fingerprints;
} th_decode_opts;

/* The first problem found in the input. */
typedef struct {
    int set;
    size_t offset;   /* from the start of the input */
    char where[200]; /* "client_hello, extension key_share (51), field client_shares" */
    char reason[160];
    uint8_t alert; /* the alert tlsharness's parser would send */
} th_decode_error;

/* Decodes |len| bytes as opts->mode says (opts may be NULL: records). Sets
 * *out_tree to a new tree (the caller frees it with json_decref; NULL only
 * when out of memory) holding everything decoded up to the first error, which
 * is also recorded in the tree's root as "error" {offset, where, reason,
 * alert, alert_name}. Returns 1 if the whole input decoded and our codec
 * accepts every message, 0 with *out_err set otherwise. */
int th_decode(const uint8_t *in, size_t len, const th_decode_opts *opts, json_t **out_tree,
              th_decode_error *out_err) TH_MUST_USE;

/* th_decode in TH_DECODE_RECORDS mode. */
int th_decode_records(const uint8_t *in, size_t len, const th_decode_opts *opts, json_t **out_tree,
                      th_decode_error *out_err) TH_MUST_USE;

/* th_decode in TH_DECODE_HANDSHAKE mode. */
int th_decode_handshake(const uint8_t *in, size_t len, const th_decode_opts *opts,
                        json_t **out_tree, th_decode_error *out_err) TH_MUST_USE;

/* th_decode of one message body named |message| (see th_decode_message_known). */
int th_decode_message(const char *message, const uint8_t *in, size_t len,
                      const th_decode_opts *opts, json_t **out_tree,
                      th_decode_error *out_err) TH_MUST_USE;

/* 1 if |message| names a message form the decoder knows: the handshake type
 * names of names.h ("client_hello", "hello_retry_request", ...) and the TLS
 * 1.2 forms whose wire format differs ("certificate_tls12",
 * "certificate_request_tls12", "new_session_ticket_tls12", ...). */
int th_decode_message_known(const char *message);

/* Writes the names th_decode_message_known accepts, comma separated, to |f|. */
void th_decode_list_messages(FILE *f);

/* Renders |tree| as an indented text tree to |f|: one line per node with its
 * offset (hex), length and value. */
void th_decode_render_text(const json_t *tree, FILE *f);

/* Renders |tree| as indented JSON to |f|; 0 on a write error. */
int th_decode_render_json(const json_t *tree, FILE *f) TH_MUST_USE;

/* Formats |err| as one line without newline, e.g. "offset 0x004c (76):
 * client_hello, extension key_share (51): decode_error (...)". */
void th_decode_error_format(const th_decode_error *err, char *buf, size_t buf_len);

#endif
