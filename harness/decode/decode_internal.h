/* Shared by the decoder's files: the decoding context, node builders and the
 * readers that walk bytes with CBS while adding one node per field. Not part
 * of the public API (decode.h). */
#ifndef TH_DECODE_INTERNAL_H
#define TH_DECODE_INTERNAL_H

#include <jansson.h>

#include "decode.h"
#include "extensions.h"
#include "th_base.h"

/* Which name table a code point is looked up in. */
typedef enum {
    TH_NK_NONE = 0, /* a plain number: no "name" */
    TH_NK_CONTENT_TYPE,
    TH_NK_HS_TYPE,
    TH_NK_ALERT,
    TH_NK_ALERT_LEVEL,
    TH_NK_VERSION,
    TH_NK_CIPHER,
    TH_NK_GROUP,
    TH_NK_SIG,
    TH_NK_EXT,
    TH_NK_PSK_MODE,
    TH_NK_POINT_FORMAT,
    TH_NK_COMPRESSION,
    TH_NK_STATUS_TYPE,
    TH_NK_KEY_UPDATE,
    /* Code points names.h does not carry; decode_tree.c has small tables. */
    TH_NK_SNI_TYPE,
    TH_NK_MAX_FRAGMENT,
    TH_NK_CERT_TYPE,
    TH_NK_CLIENT_CERT_TYPE,
    TH_NK_CURVE_TYPE,
    TH_NK_HEARTBEAT_MODE,
    TH_NK_CERT_COMPRESSION,
    TH_NK_ECH_TYPE,
    TH_NK_HPKE_KDF,
    TH_NK_HPKE_AEAD,
    TH_NK_SRTP_PROFILE,
} th_nk;

/* The name of |value| in table |kind|, or NULL. */
const char *th_dname(th_nk kind, unsigned value);

/* A run of a reassembled message: logical bytes [logical, logical+len) of the
 * message buffer came from input bytes [input, input+len). */
typedef struct {
    size_t logical;
    size_t input;
    size_t len;
} th_dseg;

typedef struct {
    const th_decode_opts *opts;
    /* The buffer the current CBSs point into and how it maps to the input:
     * with no segments, input offset = (p - buf) + buf_input_off. */
    const uint8_t *buf;
    size_t buf_input_off;
    const th_dseg *segs;
    size_t num_segs;

    /* Where the walker is, for error messages. */
    const char *msg_name;
    char ext_label[80];

    /* The first problem in the current message (a field the walker cannot
     * read, or a length or value the RFC forbids), reported only if the
     * codec also refuses the message. */
    int viol_set;
    size_t viol_off;
    char viol_where[200];
    char viol_reason[160];
    uint8_t viol_alert;
    json_t *viol_node;

    /* The first error of the whole input (sticky: decoding stops there). */
    th_decode_error *err;

    /* What earlier messages negotiated. */
    uint16_t version; /* 0 unknown, else from the ServerHello */
    uint16_t cipher_suite;
    int have_cipher_suite;
    int after_ccs;
} th_dctx;

/* Input offset of |p|, a pointer into c->buf. */
size_t th_doff(const th_dctx *c, const uint8_t *p);

/* Appends a node {field, offset, length} to parent's "children" (created on
 * demand) and returns it (borrowed; NULL only when out of memory, which every
 * helper below tolerates). */
json_t *th_dnode(th_dctx *c, json_t *parent, const char *field, const uint8_t *at, size_t len);

/* Setters for a node's value: an integer with the name from |kind|, bytes as
 * hex, bytes as a string (hex with a note when not printable ASCII). */
void th_dnode_int(json_t *node, uint64_t value, th_nk kind);
void th_dnode_hex(json_t *node, const uint8_t *p, size_t len);
void th_dnode_text(json_t *node, const uint8_t *p, size_t len);
void th_dnode_note(json_t *node, const char *note);

/* Records a problem at |at| in field |field| of the current message (the
 * first one wins) and marks |node| with it. |alert| is the alert to report
 * when no codec decides (messages without a codec, framing). */
void th_dfail(th_dctx *c, const uint8_t *at, json_t *node, const char *field, uint8_t alert,
              const char *fmt, ...) __attribute__((format(printf, 6, 7)));

/* Withdraws the recorded problem of the current message, if any, because the
 * codec accepts what it was found in: its node keeps it as "warning". */
void th_dwithdraw(th_dctx *c);

/* Records an error outside any message (record framing, reassembly): sets
 * c->err directly if it is not set yet. */
void th_dstream_error(th_dctx *c, size_t offset, const char *where, uint8_t alert, const char *fmt,
                      ...) __attribute__((format(printf, 5, 6)));

/* Readers. Each reads from the front of |in|, adds a node to |parent| and
 * returns 1, or records a problem (decode_error) and returns 0 when |in| is
 * too short: the caller then stops walking this message. The problem is kept
 * in the context (the first one wins), so a walker may ignore the result of
 * its last read: the readers are deliberately not TH_MUST_USE. */

/* An unsigned big-endian integer of |width| bytes (1..4); *out may be NULL. */
int th_rd_uint(th_dctx *c, CBS *in, json_t *parent, const char *field, size_t width, th_nk kind,
               uint32_t *out);

/* |n| opaque bytes shown as hex. */
int th_rd_fixed(th_dctx *c, CBS *in, json_t *parent, const char *field, size_t n, CBS *out);

/* A vector with a |width|-byte length prefix: adds a container node (covering
 * the prefix) and sets *out_body to its contents. A length outside
 * [min, max] is recorded as a problem but the walk goes on. */
int th_rd_vec(th_dctx *c, CBS *in, json_t *parent, const char *field, size_t width, size_t min,
              size_t max, CBS *out_body, json_t **out_node);

/* A length-prefixed opaque leaf, shown as hex (as_text = 0) or a string. */
int th_rd_opaque(th_dctx *c, CBS *in, json_t *parent, const char *field, size_t width, size_t min,
                 size_t max, int as_text, json_t **out_node);

/* A length-prefixed list of |item_width|-byte code points: a container node
 * |field| with one |item| child per element. An odd byte count is a problem.
 * *out_body (may be NULL) is set to the list's bytes. */
int th_rd_list(th_dctx *c, CBS *in, json_t *parent, const char *field, const char *item,
               size_t width, size_t min, size_t max, size_t item_width, th_nk kind, CBS *out_body);

/* A node grouping several fields (a list entry): th_dgroup adds it with
 * length 0 at |at|, th_dgroup_end sets its length from |at| to where |now|
 * has got to. */
json_t *th_dgroup(th_dctx *c, json_t *parent, const char *field, const uint8_t *at);
void th_dgroup_end(json_t *node, const uint8_t *at, const CBS *now);

/* Notes on DER blobs, when BoringSSL can parse them: a certificate's subject
 * and issuer common names, a DistinguishedName as one line. */
void th_dnote_cert(json_t *node, const uint8_t *der, size_t len);
void th_dnote_dn(json_t *node, const uint8_t *der, size_t len);

/* If |in| still holds bytes, shows them as "trailing_bytes" and records a
 * problem: |what| is the structure they follow. */
void th_drest(th_dctx *c, CBS *in, json_t *parent, const char *what);

/* Extension blocks (decode_extensions.c): reads a u16-prefixed block from
 * the front of |in| for message context |ctx|. 0 when the walk must stop. */
int th_dext_block(th_dctx *c, CBS *in, json_t *parent, th_ext_ctx ctx);

/* Messages (decode_messages.c, decode_messages12.c). A message form: the
 * name `--as` accepts, its handshake type, the walker of its body, and the
 * codec that judges it (NULL: the walker decides). */
typedef struct {
    const char *name;
    uint8_t type;
    void (*walk)(th_dctx *c, CBS *body, json_t *node);
    int (*check)(CBS *body, uint8_t *out_alert);
} th_dform;

/* The form named |name| or NULL. */
const th_dform *th_dform_by_name(const char *name);

/* The form for handshake |type| given what was negotiated so far; |body| is
 * used to guess between the TLS 1.2 and 1.3 forms when the version is not
 * known. NULL for a type the decoder does not know. */
const th_dform *th_dform_for_type(const th_dctx *c, uint8_t type, const uint8_t *body, size_t len);

/* Iterates the form table: the i-th form, or NULL past the end. */
const th_dform *th_dform_at(size_t i);

/* TLS 1.2 forms (decode_messages12.c), looked up by the table above. */
extern const th_dform th_dform_tls12[];
extern const size_t th_num_dform_tls12;

/* The TLS 1.2 form for handshake |type| (NULL if it has none): the cipher
 * suite and version of the ServerHello pick the key exchange, and without
 * them the first form whose codec accepts |body|. */
const th_dform *th_dform12_for_type(const th_dctx *c, uint8_t type, const uint8_t *body,
                                    size_t len);

/* The codecs, wrapped to a common shape: parse into a scratch struct, free
 * it, return the verdict. */
#define TH_DCHECK_OWNING(NAME, TYPE, PARSE, CLEANUP)                                               \
    static int NAME(CBS *body, uint8_t *out_alert) {                                               \
        TYPE v;                                                                                    \
        memset(&v, 0, sizeof(v));                                                                  \
        int ok = PARSE(body, &v, out_alert);                                                       \
        CLEANUP(&v);                                                                               \
        return ok;                                                                                 \
    }
#define TH_DCHECK_PLAIN(NAME, TYPE, PARSE)                                                         \
    static int NAME(CBS *body, uint8_t *out_alert) {                                               \
        TYPE v;                                                                                    \
        return PARSE(body, &v, out_alert);                                                         \
    }

/* Walks body |body| (a view into c->buf) of form |form| (NULL: unknown type,
 * shown as hex) under |node|, then asks the codec and resolves the error.
 * |truncated| is 1 when the body is shorter than its header said. */
void th_dmessage_body(th_dctx *c, const th_dform *form, CBS *body, json_t *node, int truncated,
                      size_t announced);

/* Adds the JA3/JA4 "fingerprints" of ClientHello body |body| to |node|, or a
 * note saying there are none when the codec refuses the body. */
void th_dfingerprints(json_t *node, const uint8_t *body, size_t len);

#endif
