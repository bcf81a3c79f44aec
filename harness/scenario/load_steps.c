/* Steps of schema v1 (scenarios/README.md): send with its modifiers, expect,
 * handshake, any_of and repeat, typed into th_sc_step. */
#include "load_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "names.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static void val_cleanup(th_sc_value *v) {
    free(v->bytes);
    free(v->str);
    free(v->ints);
    for (size_t i = 0; v->strs != NULL && i < v->num; i++) {
        free(v->strs[i]);
    }
    free(v->strs);
    memset(v, 0, sizeof(*v));
}

void th_ld_sets(th_ld *c, yaml_node_t *n, th_sc_msg msg, const char *what, th_sc_set **out,
                size_t *out_num) {
    if (!th_ld_map(c, n, what, NULL, 0)) {
        return;
    }
    for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
        yaml_node_t *k = th_ld_node(c, p->key);
        yaml_node_t *v = th_ld_node(c, p->value);
        if (k == NULL || v == NULL) {
            return;
        }
        const char *name = th_ld_str(c, k, "a field name");
        if (name == NULL) {
            continue;
        }
        const th_sc_field_info *info = th_sc_field_by_name(msg, name);
        if (info == NULL) {
            char list[512];
            if (th_sc_field_names_of(msg, list, sizeof(list)) == 0) {
                th_ld_err(c, k, "unknown field '%.64s': %s has no fields to set or check", name,
                          th_sc_msg_name(msg));
            } else {
                th_ld_err(c, k, "unknown field '%.64s' of %s (expected one of: %s)", name,
                          th_sc_msg_name(msg), list);
            }
            continue;
        }
        th_sc_value val;
        if (!th_ld_value(c, v, info, &val)) {
            val_cleanup(&val);
            continue;
        }
        th_sc_set *a = th_array_grow(*out, *out_num, sizeof(**out));
        if (a == NULL) {
            val_cleanup(&val);
            th_ld_err(c, k, "out of memory");
            return;
        }
        *out = a;
        a[*out_num].field = info->field;
        a[*out_num].value = val;
        a[*out_num].loc = th_ld_loc(c, k);
        (*out_num)++;
    }
}

/* An extension position: end, last, first or an index. */
static int position_parse(th_ld *c, yaml_node_t *n, int *out) {
    const char *s = th_ld_str(c, n, "a position (end, last, first or an index)");
    if (s == NULL) {
        return 0;
    }
    if (strcmp(s, "end") == 0) {
        *out = TH_SC_POS_END;
    } else if (strcmp(s, "last") == 0) {
        *out = TH_SC_POS_LAST;
    } else if (strcmp(s, "first") == 0) {
        *out = TH_SC_POS_FIRST;
    } else {
        uint64_t v;
        if (!th_ld_uint(c, n, "a position (end, last, first or an index)", 0xffff, &v)) {
            return 0;
        }
        *out = (int)v;
    }
    return 1;
}

static th_sc_ext_op *ext_op_add(th_ld *c, yaml_node_t *n, th_sc_send *s) {
    th_sc_ext_op *a = th_array_grow(s->ext_ops, s->num_ext_ops, sizeof(*a));
    if (a == NULL) {
        th_ld_err(c, n, "out of memory");
        return NULL;
    }
    s->ext_ops = a;
    th_sc_ext_op *op = &a[s->num_ext_ops++];
    memset(op, 0, sizeof(*op));
    op->loc = th_ld_loc(c, n);
    return op;
}

/* remove_extensions / duplicate_extensions: a list of extension types. */
static void ext_types_parse(th_ld *c, yaml_node_t *n, th_sc_ext_op_kind kind, th_sc_send *s) {
    uint64_t *types = NULL;
    size_t num = 0;
    if (!th_ld_code_list(c, n, TH_SC_NAMES_EXT, 0xffff, &types, &num)) {
        return;
    }
    for (size_t i = 0; i < num; i++) {
        yaml_node_t *item = yaml_document_get_node(c->doc, n->data.sequence.items.start[i]);
        th_sc_ext_op *op = ext_op_add(c, item, s);
        if (op == NULL) {
            break;
        }
        op->op = kind;
        op->type = (uint16_t)types[i];
    }
    free(types);
}

static const char *const kAddKeys[] = {"type", "body", "position"};
static const char *const kReplaceKeys[] = {"type", "body"};
static const char *const kMoveKeys[] = {"type", "position"};

/* add_extensions / replace_extensions / move_extensions: lists of mappings. */
static void ext_edits_parse(th_ld *c, yaml_node_t *n, th_sc_ext_op_kind kind, const char *what,
                            th_sc_send *s) {
    char kb[64];
    if (n->type != YAML_SEQUENCE_NODE) {
        th_ld_err(c, n, "expected a list of %s, got %s", what, th_ld_kind(c, n, kb, sizeof(kb)));
        return;
    }
    for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top;
         it++) {
        yaml_node_t *item = th_ld_node(c, *it);
        if (item == NULL) {
            return;
        }
        int ok;
        if (kind == TH_SC_EXT_ADD) {
            ok = th_ld_map(c, item, what, kAddKeys, COUNT(kAddKeys));
        } else if (kind == TH_SC_EXT_REPLACE) {
            ok = th_ld_map(c, item, what, kReplaceKeys, COUNT(kReplaceKeys));
        } else {
            ok = th_ld_map(c, item, what, kMoveKeys, COUNT(kMoveKeys));
        }
        if (!ok) {
            continue;
        }
        th_sc_ext_op *op = ext_op_add(c, item, s);
        if (op == NULL) {
            return;
        }
        op->op = kind;
        op->position = TH_SC_POS_END;
        yaml_node_t *v;
        uint64_t type;
        if ((v = th_ld_need(c, item, "type", what)) != NULL &&
            th_ld_code(c, v, TH_SC_NAMES_EXT, 0xffff, &type)) {
            op->type = (uint16_t)type;
        }
        if (kind != TH_SC_EXT_MOVE && (v = th_ld_get(c, item, "body", NULL)) != NULL) {
            (void)th_ld_hex(c, v, "an extension body", &op->body, &op->body_len);
            if (op->body_len > 0xffff) {
                th_ld_err(c, v, "extension body of %zu bytes: at most 65535 fit", op->body_len);
            }
        }
        if (kind == TH_SC_EXT_MOVE) {
            if ((v = th_ld_need(c, item, "position", what)) != NULL) {
                (void)position_parse(c, v, &op->position);
            }
        } else if (kind == TH_SC_EXT_ADD && (v = th_ld_get(c, item, "position", NULL)) != NULL) {
            (void)position_parse(c, v, &op->position);
        }
    }
}

static const char *const kFlipKeys[] = {"part", "bit"};
static const struct {
    const char *name;
    th_sc_flip_part part;
} kFlipParts[] = {
    {"verify_data", TH_SC_FLIP_VERIFY_DATA}, {"signature", TH_SC_FLIP_SIGNATURE},
    {"binder", TH_SC_FLIP_BINDER},           {"body", TH_SC_FLIP_BODY},
    {"ciphertext", TH_SC_FLIP_CIPHERTEXT},   {"tag", TH_SC_FLIP_TAG},
};

static void flip_parse(th_ld *c, yaml_node_t *n, th_sc_flip *out) {
    if (!th_ld_map(c, n, "flip", kFlipKeys, COUNT(kFlipKeys))) {
        return;
    }
    yaml_node_t *v;
    if ((v = th_ld_need(c, n, "part", "flip")) != NULL) {
        const char *s = th_ld_str(c, v, "a part to flip");
        size_t i = 0;
        while (s != NULL && i < COUNT(kFlipParts) && strcmp(kFlipParts[i].name, s) != 0) {
            i++;
        }
        if (s != NULL && i == COUNT(kFlipParts)) {
            th_ld_err(c, v,
                      "unknown flip part '%.64s' (expected one of: verify_data, signature, "
                      "binder, body, ciphertext, tag)",
                      s);
        } else if (s != NULL) {
            out->part = kFlipParts[i].part;
        }
    }
    uint64_t bit;
    if ((v = th_ld_get(c, n, "bit", NULL)) != NULL &&
        th_ld_uint(c, v, "a bit index", (1u << 20) - 1, &bit)) {
        out->bit = (size_t)bit;
    }
}

static const char *const kRecordKeys[] = {"epoch",    "content_type", "outer_type", "version",
                                          "length",   "fragment",     "coalesce",   "padding",
                                          "pad_byte", "plaintext",    "bad_padding"};
static const struct {
    const char *name;
    th_sc_epoch epoch;
} kEpochs[] = {
    {"current", TH_SC_EPOCH_CURRENT},
    {"plaintext", TH_SC_EPOCH_PLAINTEXT},
    {"early", TH_SC_EPOCH_EARLY},
    {"handshake", TH_SC_EPOCH_HANDSHAKE},
    {"application", TH_SC_EPOCH_APPLICATION},
    {"next", TH_SC_EPOCH_NEXT},
};

static void record_parse(th_ld *c, yaml_node_t *n, th_sc_record_opts *r) {
    if (!th_ld_map(c, n, "record", kRecordKeys, COUNT(kRecordKeys))) {
        return;
    }
    yaml_node_t *v;
    uint64_t u;
    if ((v = th_ld_get(c, n, "epoch", NULL)) != NULL) {
        const char *s = th_ld_str(c, v, "an epoch");
        size_t i = 0;
        while (s != NULL && i < COUNT(kEpochs) && strcmp(kEpochs[i].name, s) != 0) {
            i++;
        }
        if (s != NULL && i == COUNT(kEpochs)) {
            th_ld_err(c, v,
                      "unknown epoch '%.64s' (expected one of: current, plaintext, early, "
                      "handshake, application, next)",
                      s);
        } else if (s != NULL) {
            r->epoch = kEpochs[i].epoch;
        }
    }
    if ((v = th_ld_get(c, n, "content_type", NULL)) != NULL &&
        th_ld_content_type(c, v, &r->content_type)) {
        r->has_content_type = 1;
    }
    if ((v = th_ld_get(c, n, "outer_type", NULL)) != NULL &&
        th_ld_content_type(c, v, &r->outer_type)) {
        r->has_outer_type = 1;
    }
    if ((v = th_ld_get(c, n, "version", NULL)) != NULL &&
        th_ld_code(c, v, TH_SC_NAMES_VERSION, 0xffff, &u)) {
        r->has_version = 1;
        r->version = (uint16_t)u;
    }
    /* RFC 8446 §5.1: uint16 length */
    if ((v = th_ld_get(c, n, "length", NULL)) != NULL &&
        th_ld_uint(c, v, "a record length", 0xffff, &u)) {
        r->has_length = 1;
        r->length = (uint16_t)u;
    }
    if ((v = th_ld_get(c, n, "fragment", NULL)) != NULL &&
        th_ld_uint(c, v, "a fragment size", 0xffff, &u)) {
        if (u == 0) {
            th_ld_err(c, v, "fragment must be at least 1 byte");
        }
        r->fragment = (size_t)u;
    }
    if ((v = th_ld_get(c, n, "coalesce", NULL)) != NULL) {
        (void)th_ld_bool(c, v, "coalesce", &r->coalesce);
    }
    if ((v = th_ld_get(c, n, "padding", NULL)) != NULL &&
        th_ld_uint(c, v, "padding (bytes)", 0xffff, &u)) {
        r->has_padding = 1;
        r->padding = (size_t)u;
    }
    if ((v = th_ld_get(c, n, "pad_byte", NULL)) != NULL && th_ld_uint(c, v, "pad_byte", 0xff, &u)) {
        r->has_pad_byte = 1;
        r->pad_byte = (uint8_t)u;
    }
    if ((v = th_ld_get(c, n, "plaintext", NULL)) != NULL) {
        (void)th_ld_bool(c, v, "plaintext", &r->no_encrypt);
    }
    if ((v = th_ld_get(c, n, "bad_padding", NULL)) != NULL) {
        (void)th_ld_bool(c, v, "bad_padding", &r->bad_padding);
    }
}

/* data / data_hex / fill (at most one) into |out|. */
static void data_parse(th_ld *c, yaml_node_t *step, uint8_t **out, size_t *out_len, int required) {
    yaml_node_t *d = th_ld_get(c, step, "data", NULL);
    yaml_node_t *h = th_ld_get(c, step, "data_hex", NULL);
    yaml_node_t *f = th_ld_get(c, step, "fill", NULL);
    if ((d != NULL) + (h != NULL) + (f != NULL) > 1) {
        th_ld_err(c, step, "data, data_hex and fill are exclusive: give one");
        return;
    }
    if (d != NULL) {
        char *text = NULL;
        if (th_ld_strdup(c, d, "text data", &text)) {
            free(*out);
            *out = (uint8_t *)text;
            *out_len = strlen(text);
        }
    } else if (h != NULL) {
        (void)th_ld_hex(c, h, "data_hex", out, out_len);
    } else if (f != NULL) {
        uint64_t n;
        if (th_ld_uint(c, f, "a byte count", TH_LD_MAX_FILL, &n) &&
            th_ld_charge(c, f, (size_t)n + 1)) {
            uint8_t *buf = calloc((size_t)n + 1, 1);
            if (buf == NULL) {
                th_ld_err(c, f, "out of memory");
                return;
            }
            free(*out);
            *out = buf;
            *out_len = (size_t)n;
        }
    } else if (required) {
        th_ld_err(c, step, "missing data: give data, data_hex or fill");
    }
}

static const char *const kSendMessageKeys[] = {
    "send",
    "times",
    "record",
    "flip",
    "set",
    "remove_extensions",
    "add_extensions",
    "replace_extensions",
    "duplicate_extensions",
    "move_extensions",
    "body",
    "append",
    "truncate",
    "length",
    "type",
    "no_transcript",
};
static const char *const kSendCcsKeys[] = {"send", "times", "record", "data", "data_hex"};
static const char *const kSendAlertKeys[] = {"send", "times", "record", "flip", "alert", "level"};
static const char *const kSendAppDataKeys[] = {"send", "times",    "record", "flip",
                                               "data", "data_hex", "fill"};
static const char *const kSendCloseKeys[] = {"send", "times", "record", "flip"};
static const char *const kSendRecordKeys[] = {"send",         "times", "record",   "flip",
                                              "content_type", "data",  "data_hex", "fill"};
static const char *const kSendRawKeys[] = {"send", "times", "data", "data_hex", "fill"};

static const struct {
    const char *name;
    th_sc_send_kind kind;
    const char *const *keys;
    size_t num_keys;
} kSendKinds[] = {
    {"change_cipher_spec", TH_SC_SEND_CCS, kSendCcsKeys, COUNT(kSendCcsKeys)},
    {"alert", TH_SC_SEND_ALERT, kSendAlertKeys, COUNT(kSendAlertKeys)},
    {"application_data", TH_SC_SEND_APP_DATA, kSendAppDataKeys, COUNT(kSendAppDataKeys)},
    {"close_notify", TH_SC_SEND_CLOSE_NOTIFY, kSendCloseKeys, COUNT(kSendCloseKeys)},
    {"record", TH_SC_SEND_RECORD, kSendRecordKeys, COUNT(kSendRecordKeys)},
    {"raw", TH_SC_SEND_RAW, kSendRawKeys, COUNT(kSendRawKeys)},
};

int th_ld_level(th_ld *c, yaml_node_t *n, uint8_t *out) {
    const char *s = th_ld_str(c, n, "an alert level (warning, fatal or a number)");
    if (s == NULL) {
        return 0;
    }
    if (strcmp(s, "warning") == 0) {
        *out = 1;
    } else if (strcmp(s, "fatal") == 0) {
        *out = 2;
    } else {
        uint64_t v;
        if (!th_ld_uint(c, n, "an alert level (warning, fatal or a number)", 0xff, &v)) {
            return 0;
        }
        *out = (uint8_t)v;
    }
    return 1;
}

static void send_parse(th_ld *c, yaml_node_t *step, yaml_node_t *what, th_sc_send *s) {
    const char *name = th_ld_str(c, what, "a message name or a record kind");
    if (name == NULL) {
        return;
    }
    const char *const *keys = kSendMessageKeys;
    size_t num_keys = COUNT(kSendMessageKeys);
    s->kind = TH_SC_SEND_MESSAGE;
    s->msg = th_sc_msg_by_name(name);
    if (s->msg == TH_SC_MSG_NONE) {
        size_t i = 0;
        while (i < COUNT(kSendKinds) && strcmp(kSendKinds[i].name, name) != 0) {
            i++;
        }
        if (i == COUNT(kSendKinds)) {
            th_ld_err(c, what,
                      "unknown message '%.64s' to send (expected a handshake message name or "
                      "one of: change_cipher_spec, alert, application_data, close_notify, "
                      "record, raw)",
                      name);
            return;
        }
        s->kind = kSendKinds[i].kind;
        keys = kSendKinds[i].keys;
        num_keys = kSendKinds[i].num_keys;
    }
    char desc[96];
    snprintf(desc, sizeof(desc), "a send %.48s step", name);
    (void)th_ld_map(c, step, desc, keys, num_keys);
    yaml_node_t *v;
    yaml_node_t *k;
    uint64_t u;
    if ((v = th_ld_get(c, step, "times", NULL)) != NULL &&
        th_ld_uint(c, v, "a repeat count (times)", 1000, &u)) {
        if (u == 0) {
            th_ld_err(c, v, "times must be at least 1");
        }
        s->times = (size_t)u;
    }
    if ((v = th_ld_get(c, step, "record", NULL)) != NULL) {
        record_parse(c, v, &s->rec);
    }
    if ((v = th_ld_get(c, step, "flip", NULL)) != NULL) {
        flip_parse(c, v, &s->flip);
    }
    switch (s->kind) {
    case TH_SC_SEND_MESSAGE:
        break;
    case TH_SC_SEND_CCS:
        data_parse(c, step, &s->data, &s->data_len, 0);
        if (s->data == NULL) {
            /* RFC 8446 §5: a change_cipher_spec record with the single byte
             * value 0x01. */
            s->data = malloc(1);
            if (s->data == NULL) {
                th_ld_err(c, step, "out of memory");
                return;
            }
            s->data[0] = 1;
            s->data_len = 1;
        }
        return;
    case TH_SC_SEND_ALERT:
        s->alert_level = 2;
        if ((v = th_ld_need(c, step, "alert", desc)) != NULL &&
            th_ld_code(c, v, TH_SC_NAMES_ALERT, 0xff, &u)) {
            s->alert_desc = (uint8_t)u;
        }
        if ((v = th_ld_get(c, step, "level", NULL)) != NULL) {
            (void)th_ld_level(c, v, &s->alert_level);
        }
        return;
    case TH_SC_SEND_APP_DATA:
        data_parse(c, step, &s->data, &s->data_len, 0);
        return;
    case TH_SC_SEND_CLOSE_NOTIFY:
        s->alert_level = 1;
        s->alert_desc = TH_ALERT_CLOSE_NOTIFY;
        return;
    case TH_SC_SEND_RECORD:
        if ((v = th_ld_need(c, step, "content_type", desc)) != NULL &&
            th_ld_content_type(c, v, &s->rec.content_type)) {
            s->rec.has_content_type = 1;
        }
        data_parse(c, step, &s->data, &s->data_len, 0);
        return;
    case TH_SC_SEND_RAW:
        data_parse(c, step, &s->data, &s->data_len, 1);
        return;
    }
    /* Handshake message modifiers, in the order written (extension edits
     * apply in that order). */
    for (yaml_node_pair_t *p = step->data.mapping.pairs.start; p < step->data.mapping.pairs.top;
         p++) {
        k = th_ld_node(c, p->key);
        v = th_ld_node(c, p->value);
        if (k == NULL || v == NULL) {
            return;
        }
        if (k->type != YAML_SCALAR_NODE) {
            continue;
        }
        const char *key = (const char *)k->data.scalar.value;
        if (strcmp(key, "set") == 0) {
            char w[96];
            snprintf(w, sizeof(w), "set (fields of %s)", th_sc_msg_name(s->msg));
            th_ld_sets(c, v, s->msg, w, &s->sets, &s->num_sets);
        } else if (strcmp(key, "remove_extensions") == 0) {
            ext_types_parse(c, v, TH_SC_EXT_REMOVE, s);
        } else if (strcmp(key, "duplicate_extensions") == 0) {
            ext_types_parse(c, v, TH_SC_EXT_DUPLICATE, s);
        } else if (strcmp(key, "add_extensions") == 0) {
            ext_edits_parse(c, v, TH_SC_EXT_ADD, "extensions to add ({type, body, position})", s);
        } else if (strcmp(key, "replace_extensions") == 0) {
            ext_edits_parse(c, v, TH_SC_EXT_REPLACE, "extensions to replace ({type, body})", s);
        } else if (strcmp(key, "move_extensions") == 0) {
            ext_edits_parse(c, v, TH_SC_EXT_MOVE, "extensions to move ({type, position})", s);
        } else if (strcmp(key, "body") == 0) {
            if (th_ld_hex(c, v, "body", &s->body, &s->body_len)) {
                s->has_body = 1;
            }
        } else if (strcmp(key, "append") == 0) {
            (void)th_ld_hex(c, v, "append", &s->append, &s->append_len);
        } else if (strcmp(key, "truncate") == 0) {
            if (th_ld_uint(c, v, "a byte count (truncate)", 0xffffff, &u)) {
                s->truncate = (size_t)u;
            }
        } else if (strcmp(key, "length") == 0) {
            /* RFC 8446 §4: uint24 length */
            if (th_ld_uint(c, v, "a handshake length", 0xffffff, &u)) {
                s->has_msg_length = 1;
                s->msg_length = (uint32_t)u;
            }
        } else if (strcmp(key, "type") == 0) {
            const char *t = th_ld_str(c, v, "a handshake type name or number");
            uint8_t ht;
            if (t != NULL && th_handshake_type_by_name(t, &ht)) {
                s->has_msg_type = 1;
                s->msg_type = ht;
            } else if (t != NULL && th_ld_uint(c, v, "a handshake type name or number", 0xff, &u)) {
                s->has_msg_type = 1;
                s->msg_type = (uint8_t)u;
            }
        } else if (strcmp(key, "no_transcript") == 0) {
            (void)th_ld_bool(c, v, "no_transcript", &s->no_transcript);
        }
    }
    for (size_t i = 0; i < s->num_sets; i++) {
        if (s->sets[i].field == TH_SC_F_KU_REQUEST_UPDATE) {
            s->key_update_request = (uint16_t)s->sets[i].value.i;
        }
    }
}

/* ---- handshake, any_of, repeat ---- */

static const char *const kHandshakeKeys[] = {"until", "skip"};

static void handshake_parse(th_ld *c, yaml_node_t *n, th_sc_handshake *h) {
    if (n->type == YAML_SCALAR_NODE) {
        const char *s = th_ld_str(c, n, "complete or a mapping");
        if (s != NULL && strcmp(s, "complete") != 0) {
            th_ld_err(c, n, "expected complete or {until: MESSAGE, skip: [MESSAGES]}, got '%.64s'",
                      s);
        }
        return;
    }
    if (!th_ld_map(c, n, "handshake", kHandshakeKeys, COUNT(kHandshakeKeys))) {
        return;
    }
    yaml_node_t *v;
    if ((v = th_ld_get(c, n, "until", NULL)) != NULL) {
        (void)th_ld_msg(c, v, &h->until);
    }
    if ((v = th_ld_get(c, n, "skip", NULL)) != NULL) {
        char kb[64];
        if (v->type != YAML_SEQUENCE_NODE) {
            th_ld_err(c, v, "expected a list of message names, got %s",
                      th_ld_kind(c, v, kb, sizeof(kb)));
            return;
        }
        size_t num = (size_t)(v->data.sequence.items.top - v->data.sequence.items.start);
        h->skip = calloc(num + 1, sizeof(*h->skip));
        if (h->skip == NULL) {
            th_ld_err(c, v, "out of memory");
            return;
        }
        for (size_t i = 0; i < num; i++) {
            yaml_node_t *item = th_ld_node(c, v->data.sequence.items.start[i]);
            if (item == NULL) {
                return;
            }
            if (th_ld_msg(c, item, &h->skip[h->num_skip])) {
                h->num_skip++;
            }
        }
    }
}

static void any_of_parse(th_ld *c, yaml_node_t *n, int depth, th_sc_step *st) {
    char kb[64];
    if (n->type != YAML_SEQUENCE_NODE) {
        th_ld_err(c, n, "expected a list of alternatives (each a list of steps), got %s",
                  th_ld_kind(c, n, kb, sizeof(kb)));
        return;
    }
    size_t num = (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
    if (num == 0) {
        th_ld_err(c, n, "expected a non-empty list of alternatives");
        return;
    }
    st->alts = calloc(num, sizeof(*st->alts));
    if (st->alts == NULL) {
        th_ld_err(c, n, "out of memory");
        return;
    }
    st->num_alts = num;
    for (size_t i = 0; i < num; i++) {
        yaml_node_t *alt = th_ld_node(c, n->data.sequence.items.start[i]);
        if (alt == NULL) {
            return;
        }
        (void)th_ld_steps(c, alt, depth + 1, &st->alts[i]);
    }
}

static const char *const kRepeatKeys[] = {"count", "steps"};

static void repeat_parse(th_ld *c, yaml_node_t *n, int depth, th_sc_step *st) {
    if (!th_ld_map(c, n, "repeat", kRepeatKeys, COUNT(kRepeatKeys))) {
        return;
    }
    yaml_node_t *v;
    uint64_t u;
    if ((v = th_ld_need(c, n, "count", "repeat")) != NULL &&
        th_ld_uint(c, v, "a repeat count", 10000, &u)) {
        if (u == 0) {
            th_ld_err(c, v, "count must be at least 1");
        }
        st->count = (size_t)u;
    }
    if ((v = th_ld_need(c, n, "steps", "repeat")) != NULL) {
        (void)th_ld_steps(c, v, depth + 1, &st->body);
    }
}

static const char *const kStepKinds[] = {"send", "expect", "handshake", "any_of", "repeat"};

static void step_parse(th_ld *c, yaml_node_t *n, int depth, th_sc_step *st) {
    char kb[64];
    st->loc = th_ld_loc(c, n);
    if (n->type != YAML_MAPPING_NODE) {
        th_ld_err(c, n,
                  "expected a step (a mapping with send, expect, handshake, any_of or repeat), "
                  "got %s",
                  th_ld_kind(c, n, kb, sizeof(kb)));
        return;
    }
    size_t which = COUNT(kStepKinds);
    yaml_node_t *value = NULL;
    for (size_t i = 0; i < COUNT(kStepKinds); i++) {
        yaml_node_t *key = NULL;
        yaml_node_t *v = th_ld_get(c, n, kStepKinds[i], &key);
        if (v == NULL) {
            continue;
        }
        if (which != COUNT(kStepKinds)) {
            th_ld_err(c, key,
                      "a step has exactly one of send, expect, handshake, any_of, repeat: '%s' "
                      "comes with '%s'",
                      kStepKinds[i], kStepKinds[which]);
            return;
        }
        which = i;
        value = v;
    }
    if (which == COUNT(kStepKinds)) {
        if (!c->over_budget) {
            (void)th_ld_map(c, n, "a step", kStepKinds, COUNT(kStepKinds));
            th_ld_err(c, n, "a step needs one of send, expect, handshake, any_of, repeat");
        }
        return;
    }
    switch (which) {
    case 0:
        st->kind = TH_SC_STEP_SEND;
        send_parse(c, n, value, &st->send);
        return;
    case 1:
        st->kind = TH_SC_STEP_EXPECT;
        (void)th_ld_map(c, n, "an expect step", kStepKinds + 1, 1);
        th_ld_expect(c, value, &st->expect);
        return;
    case 2:
        st->kind = TH_SC_STEP_HANDSHAKE;
        (void)th_ld_map(c, n, "a handshake step", kStepKinds + 2, 1);
        handshake_parse(c, value, &st->handshake);
        return;
    case 3:
        st->kind = TH_SC_STEP_ANY_OF;
        (void)th_ld_map(c, n, "an any_of step", kStepKinds + 3, 1);
        any_of_parse(c, value, depth, st);
        return;
    default:
        st->kind = TH_SC_STEP_REPEAT;
        (void)th_ld_map(c, n, "a repeat step", kStepKinds + 4, 1);
        repeat_parse(c, value, depth, st);
        return;
    }
}

int th_ld_steps(th_ld *c, yaml_node_t *n, int depth, th_sc_steps *out) {
    char kb[64];
    size_t before = c->failed;
    if (depth > TH_LD_MAX_DEPTH) {
        th_ld_err(c, n, "steps nested too deep (at most %d levels of any_of and repeat)",
                  TH_LD_MAX_DEPTH);
        return 0;
    }
    if (n->type != YAML_SEQUENCE_NODE) {
        th_ld_err(c, n, "expected a list of steps, got %s", th_ld_kind(c, n, kb, sizeof(kb)));
        return 0;
    }
    size_t num = (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
    if (num == 0) {
        th_ld_err(c, n, "expected a non-empty list of steps");
        return 0;
    }
    if (!th_ld_charge(c, n, num * sizeof(th_sc_step))) {
        return 0;
    }
    out->steps = calloc(num, sizeof(th_sc_step));
    if (out->steps == NULL) {
        th_ld_err(c, n, "out of memory");
        return 0;
    }
    out->num_steps = num;
    for (size_t i = 0; i < num; i++) {
        yaml_node_t *item = th_ld_node(c, n->data.sequence.items.start[i]);
        if (item == NULL) {
            break;
        }
        step_parse(c, item, depth, &out->steps[i]);
    }
    return c->failed == before;
}
