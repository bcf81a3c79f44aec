/* The decoder's framing layers and entry points: a stream of records (with
 * handshake reassembly across records, CCS, alerts and encrypted records),
 * a stream of handshake messages, or one bare message body. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decode_internal.h"
#include "handshake.h"
#include "names.h"
#include "record.h"

static json_t *new_root(const char *field, size_t len) {
    json_t *root = json_object();
    if (root != NULL) {
        json_object_set_new(root, "field", json_string(field));
        json_object_set_new(root, "offset", json_integer(0));
        json_object_set_new(root, "length", json_integer((json_int_t)len));
    }
    return root;
}

/* One handshake message (header included) of which |avail| bytes are
 * present at |msg|, a view into c->buf. Returns the bytes it spans. */
static size_t decode_hs_message(th_dctx *c, json_t *parent, const uint8_t *msg, size_t avail,
                                json_t **out_node) {
    if (avail < TH_HANDSHAKE_HEADER_LEN) {
        json_t *node = th_dnode(c, parent, "handshake", msg, avail);
        th_dnode_hex(node, msg, avail);
        th_dstream_error(c, th_doff(c, msg), "handshake header", TH_ALERT_DECODE_ERROR,
                         "needs 4 bytes, %zu left", avail);
        return avail;
    }
    size_t announced = ((size_t)msg[1] << 16) | ((size_t)msg[2] << 8) | msg[3];
    size_t body_len = announced;
    int truncated = 0;
    if (announced > avail - TH_HANDSHAKE_HEADER_LEN) {
        body_len = avail - TH_HANDSHAKE_HEADER_LEN;
        truncated = 1;
    }
    json_t *node = th_dnode(c, parent, "handshake", msg, TH_HANDSHAKE_HEADER_LEN + body_len);
    th_dnode_int(node, msg[0], TH_NK_HS_TYPE);
    th_dnode_int(th_dnode(c, node, "length", msg + 1, 3), announced, TH_NK_NONE);
    const th_dform *form = th_dform_for_type(c, msg[0], msg + TH_HANDSHAKE_HEADER_LEN, body_len);
    CBS body;
    CBS_init(&body, msg + TH_HANDSHAKE_HEADER_LEN, body_len);
    th_dmessage_body(c, form, &body, node, truncated, announced);
    if (out_node != NULL) {
        *out_node = node;
    }
    return TH_HANDSHAKE_HEADER_LEN + body_len;
}

static void walk_handshake_stream(th_dctx *c, const uint8_t *in, size_t len, json_t *root) {
    size_t pos = 0;
    while (pos < len && !c->err->set) {
        pos += decode_hs_message(c, root, in + pos, len - pos, NULL);
    }
}

/* Handshake bytes fed to the reassembler, and where each run came from. */
typedef struct {
    th_hs_reasm reasm;
    th_dseg *pieces; /* logical = position in the handshake byte stream */
    size_t num_pieces;
    size_t added, taken;
} hs_stream;

/* The input offset of handshake stream position |pos|. */
static size_t stream_input_off(const hs_stream *s, size_t pos) {
    for (size_t i = 0; i < s->num_pieces; i++) {
        const th_dseg *p = &s->pieces[i];
        if (pos >= p->logical && pos - p->logical < p->len) {
            return p->input + (pos - p->logical);
        }
    }
    return s->num_pieces > 0 ? s->pieces[s->num_pieces - 1].input + s->pieces[s->num_pieces - 1].len
                             : 0;
}

/* Decodes |msg_len| bytes at |msg| (a view into the reassembler), which start
 * at handshake stream position s->taken, under |record_node|: the field
 * offsets are mapped back to the records the bytes came from. */
static void decode_reassembled(th_dctx *c, hs_stream *s, json_t *record_node, const uint8_t *msg,
                               size_t msg_len) {
    const uint8_t *saved_buf = c->buf;
    th_dseg *segs = NULL;
    size_t num_segs = 0;
    for (size_t i = 0; i < s->num_pieces; i++) {
        const th_dseg *p = &s->pieces[i];
        size_t lo = p->logical > s->taken ? p->logical : s->taken;
        size_t hi =
            p->logical + p->len < s->taken + msg_len ? p->logical + p->len : s->taken + msg_len;
        if (lo >= hi) {
            continue;
        }
        th_dseg *grown = th_array_grow(segs, num_segs, sizeof(*segs));
        if (grown == NULL) {
            th_dstream_error(c, p->input, "handshake", TH_ALERT_INTERNAL_ERROR, "out of memory");
            free(segs);
            return;
        }
        segs = grown;
        segs[num_segs].logical = lo - s->taken;
        segs[num_segs].input = p->input + (lo - p->logical);
        segs[num_segs].len = hi - lo;
        num_segs++;
    }
    c->buf = msg;
    c->segs = segs;
    c->num_segs = num_segs;
    json_t *node = NULL;
    (void)decode_hs_message(c, record_node, msg, msg_len, &node);
    if (node != NULL && num_segs > 1) {
        json_t *frags = json_array();
        for (size_t i = 0; i < num_segs; i++) {
            json_t *f = json_object();
            json_object_set_new(f, "offset", json_integer((json_int_t)segs[i].input));
            json_object_set_new(f, "length", json_integer((json_int_t)segs[i].len));
            json_array_append_new(frags, f);
        }
        json_object_set_new(node, "fragments", frags);
    }
    c->buf = saved_buf;
    c->segs = NULL;
    c->num_segs = 0;
    free(segs);
}

/* Decodes every whole message the reassembler holds; each becomes a child of
 * |record_node|, the record that completed it. */
static void take_messages(th_dctx *c, hs_stream *s, json_t *record_node) {
    th_handshake hs;
    while (!c->err->set && th_hs_reasm_next(&s->reasm, &hs)) {
        size_t msg_len = TH_HANDSHAKE_HEADER_LEN + hs.body.len;
        decode_reassembled(c, s, record_node, hs.body.data - TH_HANDSHAKE_HEADER_LEN, msg_len);
        s->taken += msg_len;
    }
}

static void opaque_fragment(th_dctx *c, json_t *rn, const th_record *rec, const char *field,
                            const char *note) {
    json_t *node = th_dnode(c, rn, field, rec->fragment.data, rec->fragment.len);
    th_dnode_hex(node, rec->fragment.data, rec->fragment.len);
    th_dnode_note(node, note);
}

static void handshake_record(th_dctx *c, hs_stream *s, json_t *rn, const th_record *rec,
                             const char *where) {
    uint8_t alert;
    if (rec->fragment.len == 0) {
        th_dnode_note(rn, "empty handshake fragment (RFC 8446 §5.1 forbids sending one)");
        return;
    }
    th_dseg *grown = th_array_grow(s->pieces, s->num_pieces, sizeof(*s->pieces));
    if (grown == NULL) {
        th_dstream_error(c, th_doff(c, rec->fragment.data), where, TH_ALERT_INTERNAL_ERROR,
                         "out of memory");
        return;
    }
    s->pieces = grown;
    s->pieces[s->num_pieces].logical = s->added;
    s->pieces[s->num_pieces].input = th_doff(c, rec->fragment.data);
    s->pieces[s->num_pieces].len = rec->fragment.len;
    s->num_pieces++;
    s->added += rec->fragment.len;
    if (!th_hs_reasm_add(&s->reasm, rec->fragment.data, rec->fragment.len, &alert)) {
        th_dstream_error(c, stream_input_off(s, s->taken), where, alert,
                         alert == TH_ALERT_ILLEGAL_PARAMETER
                             ? "a handshake message announces more than %d bytes"
                             : "handshake reassembly failed (%d)",
                         TH_DEFAULT_MAX_HANDSHAKE);
        return;
    }
    take_messages(c, s, rn);
}

static void alert_record(th_dctx *c, json_t *rn, const th_record *rec, const char *where) {
    CBS body;
    th_alert a;
    uint8_t alert;
    CBS_init(&body, rec->fragment.data, rec->fragment.len);
    if (rec->fragment.len >= 1) {
        th_dnode_int(th_dnode(c, rn, "level", rec->fragment.data, 1), rec->fragment.data[0],
                     TH_NK_ALERT_LEVEL);
    }
    if (rec->fragment.len >= 2) {
        th_dnode_int(th_dnode(c, rn, "description", rec->fragment.data + 1, 1),
                     rec->fragment.data[1], TH_NK_ALERT);
    }
    if (!th_parse_alert(&body, &a, &alert)) {
        if (rec->fragment.len != 2) {
            th_dstream_error(c, th_doff(c, rec->fragment.data), where, alert,
                             "an alert is 2 bytes, this one has %zu", rec->fragment.len);
        } else {
            th_dstream_error(c, th_doff(c, rec->fragment.data), where, alert,
                             "alert level %u is neither warning nor fatal", rec->fragment.data[0]);
        }
    }
}

static void ccs_record(th_dctx *c, json_t *rn, const th_record *rec, const char *where) {
    CBS body;
    th_ccs ccs;
    uint8_t alert;
    CBS_init(&body, rec->fragment.data, rec->fragment.len);
    if (rec->fragment.len >= 1) {
        th_dnode_int(th_dnode(c, rn, "change_cipher_spec", rec->fragment.data, 1),
                     rec->fragment.data[0], TH_NK_NONE);
    }
    if (!th_parse_ccs(&body, &ccs, &alert)) {
        th_dstream_error(c, th_doff(c, rec->fragment.data), where, alert,
                         "a change_cipher_spec is the single byte 01");
    }
    c->after_ccs = 1;
}

/* Whether handshake or alert record |rec| is ciphertext: the note to show it
 * with, or NULL when it is to be decoded. Before any change_cipher_spec
 * nothing is. After one, only TLS 1.2 protects such records: RFC 8446 §5.2,
 * "The outer opaque_type field of a TLSCiphertext record is always set to the
 * value 23 (application_data)", so in TLS 1.3 a handshake or alert record is
 * plaintext even after the middlebox-compatibility CCS, which a client sends
 * before its second ClientHello (RFC 8446 §D.4) and a server after its
 * HelloRetryRequest. The version is the one a ServerHello (or opts->version)
 * gave. Without one, the only plaintext message a TLS 1.3 peer can send
 * after its CCS is that second ClientHello, and a TLS 1.3 alert is 2 bytes,
 * shorter than any TLS 1.2 ciphertext: anything else is taken as TLS 1.2
 * ciphertext. */
static const char *post_ccs_ciphertext(const th_dctx *c, const hs_stream *s, const th_record *rec) {
    const uint8_t *p = rec->fragment.data;
    size_t len = rec->fragment.len;
    if (!c->after_ccs || (rec->type != TH_CT_HANDSHAKE && rec->type != TH_CT_ALERT)) {
        return NULL;
    }
    if (c->version != 0) {
        return c->version < TH_VERSION_TLS13
                   ? "encrypted (TLS 1.2 or earlier, after change_cipher_spec)"
                   : NULL;
    }
    if (rec->type == TH_CT_ALERT) {
        return len == 2 ? NULL : "encrypted (after change_cipher_spec; not a 2-byte alert)";
    }
    /* A ClientHello carried on from an earlier record, or one starting here:
     * type client_hello and, when present, a legacy_version of 3.x. */
    if (th_hs_reasm_pending(&s->reasm) != 0 ||
        (len >= 1 && p[0] == TH_HS_CLIENT_HELLO && (len < 5 || p[4] == 3))) {
        return NULL;
    }
    return "encrypted (after change_cipher_spec; not a ClientHello)";
}

/* A record whose header or fragment runs past the end of the input. */
static void broken_record(th_dctx *c, CBS *in, json_t *root, const char *where) {
    const uint8_t *at = CBS_data(in);
    size_t left = CBS_len(in);
    CBS copy = *in;
    json_t *rn = th_dnode(c, root, "record", at, left);
    uint8_t alert = TH_ALERT_DECODE_ERROR;
    th_record rec;
    if (th_parse_record(&copy, &rec, &alert)) {
        return; /* the caller saw this record fail: not reached */
    }
    if (left < TH_RECORD_HEADER_LEN) {
        th_dnode_hex(rn, at, left);
        th_dstream_error(c, th_doff(c, at), where, alert, "a record header needs 5 bytes, %zu left",
                         left);
        return;
    }
    size_t len = ((size_t)at[3] << 8) | at[4];
    th_dnode_int(th_dnode(c, rn, "content_type", at, 1), at[0], TH_NK_CONTENT_TYPE);
    th_dnode_int(th_dnode(c, rn, "legacy_record_version", at + 1, 2),
                 ((unsigned)at[1] << 8) | at[2], TH_NK_VERSION);
    json_t *ln = th_dnode(c, rn, "length", at + 3, 2);
    th_dnode_int(ln, len, TH_NK_NONE);
    if (alert == TH_ALERT_RECORD_OVERFLOW) {
        json_object_set_new(ln, "error", json_string("over 2^14+2048"));
        th_dstream_error(c, th_doff(c, at + 3), where, alert,
                         "length %zu exceeds 2^14+2048 (RFC 5246 §6.2.3)", len);
    } else {
        json_object_set_new(ln, "error", json_string("past the end of the input"));
        th_dstream_error(c, th_doff(c, at + 3), where, alert,
                         "length %zu exceeds the %zu bytes left", len, left - TH_RECORD_HEADER_LEN);
    }
}

static void walk_records(th_dctx *c, const uint8_t *in, size_t len, json_t *root) {
    CBS cbs;
    hs_stream s;
    json_t *last_record = root;
    memset(&s, 0, sizeof(s));
    th_hs_reasm_init(&s.reasm, 0);
    CBS_init(&cbs, in, len);
    for (size_t n = 1; CBS_len(&cbs) > 0 && !c->err->set; n++) {
        const uint8_t *at = CBS_data(&cbs);
        char where[48];
        th_record rec;
        uint8_t alert;
        snprintf(where, sizeof(where), "record %zu", n);
        if (!th_parse_record(&cbs, &rec, &alert)) {
            broken_record(c, &cbs, root, where);
            break;
        }
        json_t *rn = th_dnode(c, root, "record", at, TH_RECORD_HEADER_LEN + rec.fragment.len);
        last_record = rn;
        th_dnode_int(th_dnode(c, rn, "content_type", at, 1), rec.type, TH_NK_CONTENT_TYPE);
        th_dnode_int(th_dnode(c, rn, "legacy_record_version", at + 1, 2), rec.version,
                     TH_NK_VERSION);
        th_dnode_int(th_dnode(c, rn, "length", at + 3, 2), rec.fragment.len, TH_NK_NONE);
        /* RFC 8446 §5.1: "Handshake messages MUST NOT be interleaved with
         * other record types." */
        if (rec.type != TH_CT_HANDSHAKE && th_hs_reasm_pending(&s.reasm) != 0) {
            char type[32];
            th_dstream_error(
                c, th_doff(c, at), where, TH_ALERT_UNEXPECTED_MESSAGE,
                "%s record inside a handshake message",
                th_name_or_hex(th_content_type_name(rec.type), rec.type, type, sizeof(type)));
            break;
        }
        const char *encrypted = post_ccs_ciphertext(c, &s, &rec);
        switch (rec.type) {
        case TH_CT_HANDSHAKE:
            if (encrypted != NULL) {
                opaque_fragment(c, rn, &rec, "encrypted_record", encrypted);
            } else {
                handshake_record(c, &s, rn, &rec, where);
            }
            break;
        case TH_CT_ALERT:
            if (encrypted != NULL) {
                opaque_fragment(c, rn, &rec, "encrypted_record", encrypted);
            } else {
                alert_record(c, rn, &rec, where);
            }
            break;
        case TH_CT_CHANGE_CIPHER_SPEC:
            ccs_record(c, rn, &rec, where);
            break;
        case TH_CT_APPLICATION_DATA:
            opaque_fragment(c, rn, &rec, "encrypted_record", "encrypted");
            break;
        default:
            opaque_fragment(c, rn, &rec, "fragment", "unknown content type");
            break;
        }
    }
    /* The input ends inside a handshake message: show what there is of it;
     * its decoder reports the truncation. */
    if (!c->err->set && th_hs_reasm_pending(&s.reasm) != 0) {
        decode_reassembled(c, &s, last_record, s.reasm.buf + s.reasm.consumed,
                           th_hs_reasm_pending(&s.reasm));
    }
    th_hs_reasm_cleanup(&s.reasm);
    free(s.pieces);
}

/* A bare body refused in the form --as named (TLS 1.3's Certificate, say)
 * may be the TLS 1.2 form of the same message: say so in the reason. */
static void suggest_other_form(th_dctx *c, const th_dform *form, const uint8_t *in, size_t len) {
    const th_dform *other = th_dform12_for_type(c, form->type, in, len);
    CBS cbs;
    uint8_t alert;
    if (!c->err->set || other == NULL || other == form || other->check == NULL) {
        return;
    }
    CBS_init(&cbs, in, len);
    if (other->check(&cbs, &alert)) {
        size_t used = strlen(c->err->reason);
        snprintf(c->err->reason + used, sizeof(c->err->reason) - used, "; it reads as %s",
                 other->name);
    }
}

static int finish(th_dctx *c, json_t *root, json_t **out_tree) {
    th_decode_error *e = c->err;
    if (e->set && root != NULL) {
        json_t *err = json_object();
        const char *alert = th_alert_name(e->alert);
        json_object_set_new(err, "offset", json_integer((json_int_t)e->offset));
        json_object_set_new(err, "where", json_string(e->where));
        json_object_set_new(err, "reason", json_string(e->reason));
        json_object_set_new(err, "alert", json_integer(e->alert));
        json_object_set_new(err, "alert_name", alert != NULL ? json_string(alert) : json_null());
        json_object_set_new(root, "error", err);
    }
    *out_tree = root;
    return !e->set;
}

int th_decode(const uint8_t *in, size_t len, const th_decode_opts *opts, json_t **out_tree,
              th_decode_error *out_err) {
    static const th_decode_opts kDefault = {TH_DECODE_RECORDS, NULL, 0, 0};
    th_dctx c;
    memset(&c, 0, sizeof(c));
    memset(out_err, 0, sizeof(*out_err));
    c.opts = opts != NULL ? opts : &kDefault;
    c.err = out_err;
    c.version = c.opts->version;
    c.buf = in;

    const th_dform *form = NULL;
    const char *root_name = c.opts->mode == TH_DECODE_RECORDS     ? "records"
                            : c.opts->mode == TH_DECODE_HANDSHAKE ? "handshake_messages"
                                                                  : c.opts->message;
    if (c.opts->mode == TH_DECODE_MESSAGE) {
        form = c.opts->message != NULL ? th_dform_by_name(c.opts->message) : NULL;
        if (form == NULL) {
            th_dstream_error(&c, 0, "options", TH_ALERT_INTERNAL_ERROR, "unknown message '%s'",
                             c.opts->message != NULL ? c.opts->message : "(none)");
            return finish(&c, new_root("message", len), out_tree);
        }
        if (form->walk == NULL) {
            form = th_dform_for_type(&c, form->type, in, len);
        }
    }
    json_t *root = new_root(root_name, len);
    if (root == NULL) {
        th_dstream_error(&c, 0, "input", TH_ALERT_INTERNAL_ERROR, "out of memory");
        return finish(&c, NULL, out_tree);
    }
    if (len == 0) {
        th_dstream_error(&c, 0, "input", TH_ALERT_DECODE_ERROR, "the input is empty");
        return finish(&c, root, out_tree);
    }
    switch (c.opts->mode) {
    case TH_DECODE_RECORDS:
        walk_records(&c, in, len, root);
        break;
    case TH_DECODE_HANDSHAKE:
        walk_handshake_stream(&c, in, len, root);
        break;
    case TH_DECODE_MESSAGE: {
        CBS body;
        CBS_init(&body, in, len);
        th_dmessage_body(&c, form, &body, root, 0, len);
        suggest_other_form(&c, form, in, len);
        break;
    }
    }
    return finish(&c, root, out_tree);
}

int th_decode_records(const uint8_t *in, size_t len, const th_decode_opts *opts, json_t **out_tree,
                      th_decode_error *out_err) {
    th_decode_opts o = opts != NULL ? *opts : (th_decode_opts){0};
    o.mode = TH_DECODE_RECORDS;
    return th_decode(in, len, &o, out_tree, out_err);
}

int th_decode_handshake(const uint8_t *in, size_t len, const th_decode_opts *opts,
                        json_t **out_tree, th_decode_error *out_err) {
    th_decode_opts o = opts != NULL ? *opts : (th_decode_opts){0};
    o.mode = TH_DECODE_HANDSHAKE;
    return th_decode(in, len, &o, out_tree, out_err);
}

int th_decode_message(const char *message, const uint8_t *in, size_t len,
                      const th_decode_opts *opts, json_t **out_tree, th_decode_error *out_err) {
    th_decode_opts o = opts != NULL ? *opts : (th_decode_opts){0};
    o.mode = TH_DECODE_MESSAGE;
    o.message = message;
    return th_decode(in, len, &o, out_tree, out_err);
}

int th_decode_message_known(const char *message) {
    return message != NULL && th_dform_by_name(message) != NULL;
}

void th_decode_list_messages(FILE *f) {
    const th_dform *form;
    for (size_t i = 0; (form = th_dform_at(i)) != NULL; i++) {
        fprintf(f, "%s%s", i == 0 ? "" : ", ", form->name);
    }
}
