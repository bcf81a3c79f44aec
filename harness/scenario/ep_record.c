/* The scripted endpoint's record layer: what we send (epochs, fragments,
 * coalescing, overrides, padding, flips) and what the peer sent (records
 * parsed, decrypted with the current read key or, for alerts, a key the
 * peer may still or already use, handshake messages reassembled) as events. */
#include <stdlib.h>
#include <string.h>

#include <openssl/mem.h>

#include "ep_internal.h"
#include "names.h"

void th_ep_event_cleanup(th_ep_event *ev) {
    if (ev == NULL) {
        return;
    }
    free(ev->bytes);
    memset(ev, 0, sizeof(*ev));
}

void th_ep_event_describe(const th_ep_event *ev, char *out, size_t out_len) {
    char b1[32], b2[32];
    switch (ev->kind) {
    case TH_EP_EV_NONE:
        snprintf(out, out_len, "no event");
        return;
    case TH_EP_EV_MESSAGE:
        if (ev->msg != TH_SC_MSG_NONE) {
            snprintf(out, out_len, "message %s", th_sc_msg_name(ev->msg));
        } else {
            snprintf(out, out_len, "handshake message of type %u", ev->hs_type);
        }
        return;
    case TH_EP_EV_ALERT:
        snprintf(
            out, out_len, "alert %s (%s)%s",
            th_name_or_hex(th_alert_name(ev->alert_desc), ev->alert_desc, b2, sizeof(b2)),
            th_name_or_hex(th_alert_level_name(ev->alert_level), ev->alert_level, b1, sizeof(b1)),
            ev->epoch == TH_SC_EPOCH_PLAINTEXT   ? ""
            : ev->epoch == TH_SC_EPOCH_HANDSHAKE ? " under the handshake keys"
                                                 : "");
        return;
    case TH_EP_EV_CCS:
        snprintf(out, out_len, "change_cipher_spec");
        return;
    case TH_EP_EV_APP_DATA:
        snprintf(out, out_len, "application_data (%zu bytes)", ev->len);
        return;
    case TH_EP_EV_CLOSE:
        snprintf(out, out_len, "close (the peer closed the connection)");
        return;
    case TH_EP_EV_NOTHING:
        snprintf(out, out_len, "nothing (no record from the peer)");
        return;
    case TH_EP_EV_BAD:
        snprintf(out, out_len, "unreadable record: %s", ev->text);
        return;
    case TH_EP_EV_ERROR:
        snprintf(out, out_len, "transport error: %s", ev->text);
        return;
    }
}

/* ---- sending ---------------------------------------------------------- */

static int same_secret(const th_secret *a, const th_secret *b) {
    return a->len == b->len && memcmp(a->bytes, b->bytes, a->len) == 0;
}

/* wr.next for the current application write key: keyed with
 * application_traffic_secret_N+1 (RFC 8446 §7.2) from sequence number 0 the
 * first time, then going on. NULL without an application key. */
static th_rl_dir *next_slot(th_ep *ep) {
    th_ep_dir *w = &ep->wr;
    if (w->app.suite == 0) {
        return NULL;
    }
    if (w->next.suite != 0 && same_secret(&w->next_of, &w->app.traffic_secret)) {
        return &w->next;
    }
    th_rl_dir_cleanup(&w->next);
    if (!th_rl_dir_set_key(&w->next, w->app.suite, &w->app.traffic_secret) ||
        !th_rl_dir_update(&w->next)) {
        th_rl_dir_cleanup(&w->next);
        return NULL;
    }
    w->next_of = w->app.traffic_secret;
    return &w->next;
}

static th_rl_dir *write_slot(th_ep *ep, th_sc_epoch epoch) {
    switch (epoch) {
    case TH_SC_EPOCH_EARLY:
        return &ep->wr.early;
    case TH_SC_EPOCH_HANDSHAKE:
        return &ep->wr.hs;
    case TH_SC_EPOCH_APPLICATION:
        return &ep->wr.app;
    case TH_SC_EPOCH_NEXT:
        return next_slot(ep);
    default:
        return NULL;
    }
}

int ep_update_write_key(th_ep *ep) {
    th_ep_dir *w = &ep->wr;
    int ahead = w->next.suite != 0 && same_secret(&w->next_of, &w->app.traffic_secret);
    uint64_t seq = w->next.seq;
    if (!th_rl_dir_update(&w->app)) {
        return 0;
    }
    if (ahead) {
        th_rl_dir_set_seq(&w->app, seq);
    }
    th_rl_dir_cleanup(&w->next);
    th_secret_cleanse(&w->next_of);
    return 1;
}

/* Seals |inner| (TLSInnerPlaintext as we built it) under |dir| with the
 * header |hdr_type| / |hdr_version| in the additional data (RFC 8446 §5.2),
 * appending header + ciphertext to |out|. Done here rather than with
 * th_rl_seal so that oversize and malformed records can be sent. */
static int seal_record(th_rl_dir *dir, CBB *out, uint8_t hdr_type, uint16_t hdr_version,
                       const uint8_t *inner, size_t inner_len) {
    size_t overhead = EVP_AEAD_max_overhead(EVP_AEAD_CTX_aead(&dir->aead));
    size_t ct_len = inner_len + overhead;
    if (dir->suite == 0 || ct_len > 0xffff) {
        return 0;
    }
    uint8_t nonce[EVP_AEAD_MAX_NONCE_LENGTH];
    size_t nonce_len = dir->iv.len;
    memcpy(nonce, dir->iv.bytes, nonce_len);
    for (size_t i = 0; i < 8; i++) {
        /* RFC 8446 §5.3: the 64-bit sequence number, left-padded, XORed
         * with the static IV. */
        nonce[nonce_len - 1 - i] ^= (uint8_t)(dir->seq >> (8 * i));
    }
    uint8_t ad[5] = {hdr_type, (uint8_t)(hdr_version >> 8), (uint8_t)hdr_version,
                     (uint8_t)(ct_len >> 8), (uint8_t)ct_len};
    uint8_t *p;
    size_t written;
    if (!CBB_add_bytes(out, ad, sizeof(ad)) || !CBB_reserve(out, &p, ct_len) ||
        !EVP_AEAD_CTX_seal(&dir->aead, p, &written, ct_len, nonce, nonce_len, inner, inner_len, ad,
                           sizeof(ad)) ||
        !CBB_did_write(out, written)) {
        return 0;
    }
    th_rl_dir_set_seq(dir, dir->seq + 1);
    return 1;
}

/* Builds the records of one chunk into |out|. */
/* Builds one record into |out|: plaintext for the PLAINTEXT epoch, else
 * sealed under |dir| (the epoch's key, or the snapshot of a held record). */
static int build_record(th_ep *ep, CBB *out, th_sc_epoch epoch, th_rl_dir *dir, uint8_t type,
                        const uint8_t *content, size_t len, const th_sc_record_opts *o,
                        const th_sc_flip *flip, char *err, size_t err_len) {
    size_t start = CBB_len(out);
    uint16_t version = o->has_version ? o->version : TH_VERSION_TLS12;
    if (epoch == TH_SC_EPOCH_PLAINTEXT) {
        uint8_t t = o->has_content_type ? o->content_type : type;
        if (o->has_outer_type) {
            t = o->outer_type;
        }
        if (!CBB_add_u8(out, t) || !CBB_add_u16(out, version) || !CBB_add_u16(out, (uint16_t)len) ||
            !CBB_add_bytes(out, content, len)) {
            snprintf(err, err_len, "cannot build a plaintext record");
            return 0;
        }
    } else if (ep->ops->seal != NULL) {
        /* TLS 1.2 (RFC 5246 §6.2.3): no inner type, the record type is the
         * content's. */
        uint8_t t = o->has_content_type ? o->content_type : type;
        if (o->has_outer_type) {
            t = o->outer_type;
        }
        if (!ep->ops->seal(ep, out, t, version, content, len, o)) {
            snprintf(err, err_len, "cannot seal a %zu-byte TLS 1.2 record (no write key yet?)",
                     len);
            return 0;
        }
    } else {
        if (dir == NULL || dir->suite == 0) {
            snprintf(err, err_len, "no %s write key yet", ep_epoch_name(epoch));
            return 0;
        }
        /* TLSInnerPlaintext (RFC 8446 §5.2): content, type, zero padding;
         * a pad_byte ends the padding with a non-zero byte. */
        size_t pad = o->has_padding ? o->padding : 0;
        size_t inner_len = len + 1 + pad + (o->has_pad_byte ? 1 : 0);
        uint8_t *inner = calloc(1, inner_len);
        if (inner == NULL) {
            snprintf(err, err_len, "out of memory");
            return 0;
        }
        if (len != 0) {
            memcpy(inner, content, len);
        }
        inner[len] = o->has_content_type ? o->content_type : type;
        if (o->has_pad_byte) {
            inner[inner_len - 1] = o->pad_byte;
        }
        uint8_t outer = o->has_outer_type ? o->outer_type : TH_CT_APPLICATION_DATA;
        int ok = seal_record(dir, out, outer, version, inner, inner_len);
        free(inner);
        if (!ok) {
            snprintf(err, err_len, "cannot seal a %zu-byte record under the %s key", len,
                     ep_epoch_name(epoch));
            return 0;
        }
    }
    if (!CBB_flush(out)) {
        snprintf(err, err_len, "out of memory");
        return 0;
    }
    uint8_t *rec = (uint8_t *)CBB_data(out) + start;
    size_t rec_len = CBB_len(out) - start;
    if (o->has_length) {
        rec[3] = (uint8_t)(o->length >> 8);
        rec[4] = (uint8_t)o->length;
    }
    if (flip != NULL && flip->part == TH_SC_FLIP_CIPHERTEXT &&
        !ep_flip_bit(rec + TH_RECORD_HEADER_LEN, rec_len - TH_RECORD_HEADER_LEN, flip->bit)) {
        snprintf(err, err_len, "flip ciphertext: bit %zu is outside the record", flip->bit);
        return 0;
    }
    if (flip != NULL && flip->part == TH_SC_FLIP_TAG) {
        /* The AEAD tag is the last 16 bytes of every TLS 1.3 suite. */
        size_t tag = rec_len - TH_RECORD_HEADER_LEN >= 16 ? rec_len - 16 : TH_RECORD_HEADER_LEN;
        if (!ep_flip_bit(rec + tag, rec_len - tag, flip->bit)) {
            snprintf(err, err_len, "flip tag: bit %zu is outside the tag", flip->bit);
            return 0;
        }
    }
    char tb[32];
    ep_log(ep, "-> [%s] record %s, %zu bytes%s\n", ep_epoch_name(epoch),
           th_name_or_hex(th_content_type_name(rec[0]), rec[0], tb, sizeof(tb)),
           rec_len - TH_RECORD_HEADER_LEN, epoch != TH_SC_EPOCH_PLAINTEXT ? " (protected)" : "");
    return 1;
}

/* Writes to the peer and keeps the bytes for a replay (`times`). */
static int write_out(th_ep *ep, const uint8_t *buf, size_t len, char *err, size_t err_len) {
    free(ep->last_write);
    ep->last_write = malloc(len + 1);
    if (ep->last_write == NULL) {
        ep->last_write_len = 0;
        snprintf(err, err_len, "out of memory");
        return 0;
    }
    if (len != 0) {
        memcpy(ep->last_write, buf, len);
    }
    ep->last_write_len = len;
    if (len == 0) {
        return 1;
    }
    return th_peer_write(ep->peer, buf, len, err, err_len);
}

static th_sc_epoch resolve_epoch(const th_ep *ep, const th_sc_record_opts *o) {
    if (o->no_encrypt) {
        return TH_SC_EPOCH_PLAINTEXT;
    }
    return o->epoch == TH_SC_EPOCH_CURRENT ? ep->wr.cur_epoch : o->epoch;
}

/* Seals the held content (coalesce) into |out| as one record (more if its
 * size needs), under the key of when it was held: a KeyUpdate or Finished
 * sent since moved the epoch's key on, but the held bytes precede it. The
 * epoch's key, if unchanged, advances past the records used. */
static int flush_hold(th_ep *ep, CBB *out, const uint8_t *extra, size_t extra_len, char *err,
                      size_t err_len) {
    th_sc_epoch he = ep->hold_opts.epoch;
    size_t len = ep->hold_len + extra_len;
    uint8_t *all = malloc(len + 1);
    if (all == NULL) {
        snprintf(err, err_len, "out of memory");
        return 0;
    }
    memcpy(all, ep->hold, ep->hold_len);
    if (extra_len != 0) {
        memcpy(all + ep->hold_len, extra, extra_len);
    }
    size_t max = ep->hold_opts.fragment != 0 ? ep->hold_opts.fragment : TH_MAX_PLAINTEXT;
    size_t off = 0;
    int ok = 1;
    do {
        size_t n = len - off < max ? len - off : max;
        ok = build_record(ep, out, he, he == TH_SC_EPOCH_PLAINTEXT ? NULL : &ep->hold_dir,
                          ep->hold_type, all + off, n, &ep->hold_opts, NULL, err, err_len);
        off += n;
    } while (ok && off < len);
    free(all);
    th_rl_dir *slot = write_slot(ep, he);
    if (ok && slot != NULL && slot->suite != 0 &&
        slot->traffic_secret.len == ep->hold_dir.traffic_secret.len &&
        memcmp(slot->traffic_secret.bytes, ep->hold_dir.traffic_secret.bytes,
               slot->traffic_secret.len) == 0) {
        th_rl_dir_set_seq(slot, ep->hold_dir.seq);
    }
    free(ep->hold);
    ep->hold = NULL;
    ep->hold_len = 0;
    ep->holding = 0;
    th_rl_dir_cleanup(&ep->hold_dir);
    return ok;
}

int ep_send_records(th_ep *ep, uint8_t type, const uint8_t *content, size_t len,
                    const th_sc_record_opts *opts, const th_sc_flip *flip, char *err,
                    size_t err_len) {
    th_sc_record_opts defaults;
    memset(&defaults, 0, sizeof(defaults));
    const th_sc_record_opts *o = opts != NULL ? opts : &defaults;
    if (ep->holding && ep->hold_type == type) {
        /* The content joins the held bytes in the held record. */
        CBB out;
        if (!CBB_init(&out, ep->hold_len + len + 64)) {
            snprintf(err, err_len, "out of memory");
            return 0;
        }
        if (o->coalesce) {
            uint8_t *p = realloc(ep->hold, ep->hold_len + len + 1);
            if (p == NULL) {
                CBB_cleanup(&out);
                snprintf(err, err_len, "out of memory");
                return 0;
            }
            if (len != 0) {
                memcpy(p + ep->hold_len, content, len);
            }
            ep->hold = p;
            ep->hold_len += len;
            CBB_cleanup(&out);
            return 1;
        }
        int ok = flush_hold(ep, &out, content, len, err, err_len) &&
                 write_out(ep, CBB_data(&out), CBB_len(&out), err, err_len);
        CBB_cleanup(&out);
        return ok;
    }
    CBB out;
    if (!CBB_init(&out, len + 64)) {
        snprintf(err, err_len, "out of memory");
        return 0;
    }
    /* Different content types cannot share a record: the held one goes
     * first in the same write. */
    if (ep->holding && !flush_hold(ep, &out, NULL, 0, err, err_len)) {
        goto fail;
    }
    th_sc_epoch epoch = resolve_epoch(ep, o);
    if (o->coalesce) {
        /* Held until the next send: the record takes this send's options,
         * its epoch and key as they are now. */
        ep->hold = malloc(len + 1);
        if (ep->hold == NULL) {
            snprintf(err, err_len, "out of memory");
            goto fail;
        }
        if (len != 0) {
            memcpy(ep->hold, content, len);
        }
        ep->hold_len = len;
        ep->hold_type = type;
        ep->hold_opts = *o;
        ep->hold_opts.coalesce = 0;
        ep->hold_opts.epoch = epoch;
        ep->holding = 1;
        th_rl_dir *slot = write_slot(ep, epoch);
        th_rl_dir_cleanup(&ep->hold_dir);
        if (slot != NULL && slot->suite != 0) {
            if (!th_rl_dir_set_key(&ep->hold_dir, slot->suite, &slot->traffic_secret)) {
                snprintf(err, err_len, "cannot snapshot the write key");
                goto fail;
            }
            th_rl_dir_set_seq(&ep->hold_dir, slot->seq);
        }
        /* Whatever an earlier hold flushed goes out now. */
        int ok = CBB_len(&out) == 0 || write_out(ep, CBB_data(&out), CBB_len(&out), err, err_len);
        CBB_cleanup(&out);
        return ok;
    }
    /* Records carry at most `fragment` bytes when given (even beyond the
     * peer's limits: oversize records are sent that way). Otherwise what
     * one record may carry (RFC 8446 §5.1) within the peer's
     * record_size_limit (RFC 8449 §4). */
    size_t max = o->fragment;
    if (max == 0) {
        max = TH_MAX_PLAINTEXT;
        if (ep->peer_record_size_limit != 0 && epoch != TH_SC_EPOCH_PLAINTEXT &&
            (size_t)ep->peer_record_size_limit - 1 < max) {
            max = ep->peer_record_size_limit - 1;
        }
    }
    size_t off = 0;
    do {
        size_t n = len - off < max ? len - off : max;
        if (!build_record(ep, &out, epoch, write_slot(ep, epoch), type, content + off, n, o,
                          off == 0 ? flip : NULL, err, err_len)) {
            goto fail;
        }
        off += n;
    } while (off < len);
    int ok = write_out(ep, CBB_data(&out), CBB_len(&out), err, err_len);
    CBB_cleanup(&out);
    return ok;
fail:
    CBB_cleanup(&out);
    return 0;
}

int ep_send_alert(th_ep *ep, uint8_t level, uint8_t desc, const th_sc_record_opts *opts, char *err,
                  size_t err_len) {
    uint8_t body[2] = {level, desc};
    char b1[32], b2[32];
    ep_log(ep, "-> alert %s %s\n",
           th_name_or_hex(th_alert_level_name(level), level, b1, sizeof(b1)),
           th_name_or_hex(th_alert_name(desc), desc, b2, sizeof(b2)));
    return ep_send_records(ep, TH_CT_ALERT, body, sizeof(body), opts, NULL, err, err_len);
}

/* ---- receiving -------------------------------------------------------- */

static th_rl_dir *read_slot(th_ep *ep, th_sc_epoch epoch) {
    switch (epoch) {
    case TH_SC_EPOCH_EARLY:
        return &ep->rd.early;
    case TH_SC_EPOCH_HANDSHAKE:
        return &ep->rd.hs;
    case TH_SC_EPOCH_APPLICATION:
        return &ep->rd.app;
    default:
        return NULL;
    }
}

static int set_bytes(th_ep_event *ev, const uint8_t *data, size_t len) {
    ev->bytes = malloc(len + 1);
    if (ev->bytes == NULL) {
        return 0;
    }
    if (len != 0) {
        memcpy(ev->bytes, data, len);
    }
    ev->len = len;
    return 1;
}

/* Turns a record's content of |type| into an event (or feeds the
 * reassembler: *out_more = 1). */
static int content_event(th_ep *ep, th_sc_epoch epoch, uint8_t type, const uint8_t *data,
                         size_t len, th_ep_event *ev, int *out_more) {
    char b1[32], b2[32];
    *out_more = 0;
    ev->epoch = epoch;
    switch (type) {
    case TH_CT_HANDSHAKE: {
        uint8_t alert = TH_ALERT_UNEXPECTED_MESSAGE;
        if (len == 0 || !th_hs_reasm_add(&ep->reasm, data, len, &alert)) {
            ev->kind = TH_EP_EV_BAD;
            ev->content_type = type;
            snprintf(ev->text, sizeof(ev->text), "%s handshake record (%s)",
                     len == 0 ? "an empty" : "a bad",
                     th_name_or_hex(th_alert_name(alert), alert, b1, sizeof(b1)));
            if (len == 0) {
                snprintf(ev->text, sizeof(ev->text), "an empty handshake record");
            }
            ep_log(ep, "<- [%s] %s\n", ep_epoch_name(epoch), ev->text);
            return 1;
        }
        ep->reasm_epoch = epoch;
        ep_log(ep, "<- [%s] record handshake, %zu bytes\n", ep_epoch_name(epoch), len);
        *out_more = 1;
        return 1;
    }
    case TH_CT_ALERT:
        if (len != 2) {
            ev->kind = TH_EP_EV_BAD;
            ev->content_type = type;
            snprintf(ev->text, sizeof(ev->text), "an alert record of %zu bytes", len);
        } else {
            ev->kind = TH_EP_EV_ALERT;
            ev->alert_level = data[0];
            ev->alert_desc = data[1];
        }
        if (ev->kind == TH_EP_EV_ALERT) {
            ep_log(ep, "<- [%s] alert %s %s\n", ep_epoch_name(epoch),
                   th_name_or_hex(th_alert_level_name(data[0]), data[0], b1, sizeof(b1)),
                   th_name_or_hex(th_alert_name(data[1]), data[1], b2, sizeof(b2)));
        } else {
            ep_log(ep, "<- [%s] %s\n", ep_epoch_name(epoch), ev->text);
        }
        return 1;
    case TH_CT_APPLICATION_DATA:
        ev->kind = TH_EP_EV_APP_DATA;
        ep_log(ep, "<- [%s] application_data %zu bytes", ep_epoch_name(epoch), len);
        ep_log_data(ep, data, len);
        return set_bytes(ev, data, len);
    default:
        ev->kind = TH_EP_EV_BAD;
        ev->content_type = type;
        snprintf(ev->text, sizeof(ev->text), "a record of content type %s",
                 th_name_or_hex(th_content_type_name(type), type, b1, sizeof(b1)));
        ep_log(ep, "<- [%s] %s\n", ep_epoch_name(epoch), ev->text);
        return set_bytes(ev, data, len);
    }
}

/* RFC 8446 §4.2.10: a server that rejected 0-RTT ignores the early data,
 * "skipping all records with an external content type of application_data"
 * (after a HelloRetryRequest) or "discarding records which fail
 * deprotection", "up to the configured max_early_data_size". 1 if |rec| is
 * skipped under the budget (alerts are read before this is asked). */
static int skip_early(th_ep *ep, const th_record *rec) {
    if (ep->early_skip_budget == 0) {
        return 0;
    }
    size_t n =
        rec->fragment.len < ep->early_skip_budget ? rec->fragment.len : ep->early_skip_budget;
    ep->early_skip_budget -= n;
    ep_log(ep, "<- [early] protected record of %zu bytes skipped (0-RTT rejected)\n",
           rec->fragment.len);
    return 1;
}

/* Opens a protected record: the current read key first, then (for an alert
 * sent by a peer that failed before or after a key change) the others. */
static int open_record(th_ep *ep, const th_record *rec, th_ep_event *ev, int *out_more) {
    uint8_t *buf = malloc(rec->fragment.len + 1);
    if (buf == NULL) {
        return 0;
    }
    th_inner_plaintext inner;
    uint8_t alert = 0;
    th_sc_epoch cur = ep->rd.cur_epoch;
    th_rl_dir *dir = read_slot(ep, cur);
    int ok = 0;
    if (dir != NULL && dir->suite != 0 &&
        th_rl_open(dir, rec, buf, rec->fragment.len, &inner, &alert)) {
        ok =
            content_event(ep, cur, inner.type, inner.content.data, inner.content.len, ev, out_more);
        free(buf);
        return ok;
    }
    uint8_t first_alert = alert;
    static const th_sc_epoch kTrials[] = {TH_SC_EPOCH_HANDSHAKE, TH_SC_EPOCH_APPLICATION,
                                          TH_SC_EPOCH_EARLY};
    for (size_t i = 0; i < sizeof(kTrials) / sizeof(kTrials[0]); i++) {
        th_rl_dir *d = read_slot(ep, kTrials[i]);
        if (kTrials[i] == cur || d->suite == 0) {
            continue;
        }
        if (th_rl_open(d, rec, buf, rec->fragment.len, &inner, &alert)) {
            if (inner.type != TH_CT_ALERT && kTrials[i] == TH_SC_EPOCH_EARLY &&
                skip_early(ep, rec)) {
                free(buf);
                *out_more = 1;
                return 1;
            }
            if (inner.type == TH_CT_ALERT) {
                ok = content_event(ep, kTrials[i], inner.type, inner.content.data,
                                   inner.content.len, ev, out_more);
            } else {
                ev->kind = TH_EP_EV_BAD;
                ev->epoch = kTrials[i];
                ev->content_type = inner.type;
                snprintf(ev->text, sizeof(ev->text),
                         "a record protected with the %s keys while %s keys are in use",
                         ep_epoch_name(kTrials[i]), ep_epoch_name(cur));
                ep_log(ep, "<- %s\n", ev->text);
                ok = 1;
            }
            free(buf);
            return ok;
        }
    }
    if (ep->rd.app_prev.suite != 0 &&
        th_rl_open(&ep->rd.app_prev, rec, buf, rec->fragment.len, &inner, &alert) &&
        inner.type == TH_CT_ALERT) {
        ok = content_event(ep, TH_SC_EPOCH_APPLICATION, inner.type, inner.content.data,
                           inner.content.len, ev, out_more);
        free(buf);
        return ok;
    }
    free(buf);
    if (cur != TH_SC_EPOCH_EARLY && skip_early(ep, rec)) {
        *out_more = 1;
        return 1;
    }
    char ab[32];
    ev->kind = TH_EP_EV_BAD;
    ev->epoch = cur;
    ev->content_type = rec->type;
    if (dir == NULL || dir->suite == 0) {
        snprintf(ev->text, sizeof(ev->text), "a protected record (%zu bytes) %s", rec->fragment.len,
                 cur == TH_SC_EPOCH_PLAINTEXT ? "before we have any read key"
                                              : "while we have no read key for that epoch");
    } else {
        snprintf(ev->text, sizeof(ev->text),
                 "a protected record that does not open under the %s "
                 "keys (%s)",
                 ep_epoch_name(cur),
                 th_name_or_hex(th_alert_name(first_alert), first_alert, ab, sizeof(ab)));
    }
    ep_log(ep, "<- %s\n", ev->text);
    return 1;
}

/* TLS 1.2 after the peer's ChangeCipherSpec: every record is protected
 * (RFC 5246 §6.2.3); a 2-byte alert that does not open is read as a
 * plaintext alert (a peer that failed before switching keys). */
static int open_record12(th_ep *ep, const th_record *rec, th_ep_event *ev, int *out_more) {
    uint8_t *buf = malloc(rec->fragment.len + 1);
    if (buf == NULL) {
        return 0;
    }
    th_bytes pt;
    uint8_t alert = 0;
    int ok = 1;
    int opened = ep->ops->open(ep, rec, buf, rec->fragment.len + 1, &pt, &alert);
    if (opened && rec->type == TH_CT_CHANGE_CIPHER_SPEC) {
        /* A renegotiation's ChangeCipherSpec, under the current keys. */
        ev->kind = TH_EP_EV_CCS;
        ev->epoch = ep->rd.cur_epoch;
        ep_log(ep, "<- [%s] change_cipher_spec (%zu bytes)\n", ep_epoch_name(ev->epoch), pt.len);
        ok = set_bytes(ev, pt.data, pt.len);
        if (ep->ops->ccs_recv != NULL) {
            ep->ops->ccs_recv(ep, pt.data, pt.len);
        }
    } else if (opened) {
        ok = content_event(ep, ep->rd.cur_epoch, rec->type, pt.data, pt.len, ev, out_more);
    } else if (rec->type == TH_CT_ALERT && rec->fragment.len == 2) {
        ok = content_event(ep, TH_SC_EPOCH_PLAINTEXT, rec->type, rec->fragment.data,
                           rec->fragment.len, ev, out_more);
    } else {
        char ab[32], tb[32];
        ev->kind = TH_EP_EV_BAD;
        ev->epoch = ep->rd.cur_epoch;
        ev->content_type = rec->type;
        snprintf(ev->text, sizeof(ev->text),
                 "a TLS 1.2 %s record (%zu bytes) that does not open under the peer's keys (%s)",
                 th_name_or_hex(th_content_type_name(rec->type), rec->type, tb, sizeof(tb)),
                 rec->fragment.len, th_name_or_hex(th_alert_name(alert), alert, ab, sizeof(ab)));
        ep_log(ep, "<- %s\n", ev->text);
    }
    free(buf);
    return ok;
}

/* Reads more bytes from the peer into rbuf. Returns the read result. */
static th_peer_read_result fill(th_ep *ep, unsigned deadline_ms, char *err, size_t err_len) {
    if (ep->rbuf_cap - ep->rbuf_len < 16384) {
        size_t cap = ep->rbuf_cap * 2 + 32768;
        uint8_t *p = realloc(ep->rbuf, cap);
        if (p == NULL) {
            snprintf(err, err_len, "out of memory");
            return TH_PEER_READ_ERROR;
        }
        ep->rbuf = p;
        ep->rbuf_cap = cap;
    }
    size_t n = 0;
    th_peer_read_result r =
        th_peer_read(ep->peer, ep->rbuf + ep->rbuf_len, ep->rbuf_cap - ep->rbuf_len, &n,
                     deadline_ms, err, err_len);
    if (r == TH_PEER_READ_DATA) {
        ep->rbuf_len += n;
    }
    return r;
}

static int read_event(th_ep *ep, th_ep_event *ev, unsigned deadline_ms) {
    memset(ev, 0, sizeof(*ev));
    if (deadline_ms == 0) {
        deadline_ms = ep->opts->deadline_ms;
    }
    for (;;) {
        th_handshake hs;
        if (th_hs_reasm_next(&ep->reasm, &hs)) {
            size_t len = hs.body.len + TH_HANDSHAKE_HEADER_LEN;
            const uint8_t *start = hs.body.data - TH_HANDSHAKE_HEADER_LEN;
            ev->kind = TH_EP_EV_MESSAGE;
            ev->epoch = ep->reasm_epoch;
            ev->hs_type = hs.type;
            ev->msg = ep_msg_of_wire(start, len);
            if (!set_bytes(ev, start, len)) {
                return 0;
            }
            ep12_dispatch(ep, ev);
            ep_log_message(ep, "<-", ev->epoch, ev->bytes, ev->len);
            return 1;
        }
        CBS in;
        CBS_init(&in, ep->rbuf, ep->rbuf_len);
        if (!th_record_complete(&in)) {
            if (ep->peer_eof) {
                ev->kind = TH_EP_EV_CLOSE;
                if (ep->rbuf_len != 0) {
                    snprintf(ev->text, sizeof(ev->text), "%zu bytes of an incomplete record",
                             ep->rbuf_len);
                }
                return 1;
            }
            /* A length over what any version allows never completes. */
            if (ep->rbuf_len >= TH_RECORD_HEADER_LEN) {
                th_record rec;
                uint8_t alert;
                CBS tmp = in;
                if (!th_parse_record(&tmp, &rec, &alert) && alert == TH_ALERT_RECORD_OVERFLOW) {
                    ev->kind = TH_EP_EV_BAD;
                    snprintf(ev->text, sizeof(ev->text), "a record longer than any TLS allows");
                    ep->rbuf_len = 0;
                    return 1;
                }
            }
            char err[256] = "";
            th_peer_read_result r = fill(ep, deadline_ms, err, sizeof(err));
            if (r == TH_PEER_READ_DATA) {
                continue;
            }
            if (r == TH_PEER_READ_EOF) {
                ep->peer_eof = 1;
                ep_log(ep, "<- (connection closed)\n");
                continue;
            }
            if (r == TH_PEER_READ_NONE) {
                ev->kind = TH_EP_EV_NOTHING;
                return 1;
            }
            ev->kind = TH_EP_EV_ERROR;
            snprintf(ev->text, sizeof(ev->text), "%s", err);
            return 1;
        }
        th_record rec;
        uint8_t alert;
        if (!th_parse_record(&in, &rec, &alert)) {
            ev->kind = TH_EP_EV_BAD;
            snprintf(ev->text, sizeof(ev->text), "a record that does not parse");
            ep->rbuf_len = 0;
            return 1;
        }
        /* Copy the record out of rbuf before dropping it. */
        size_t rec_total = ep->rbuf_len - CBS_len(&in);
        uint8_t *copy = malloc(rec_total + 1);
        if (copy == NULL) {
            return 0;
        }
        memcpy(copy, ep->rbuf, rec_total);
        memmove(ep->rbuf, ep->rbuf + rec_total, ep->rbuf_len - rec_total);
        ep->rbuf_len -= rec_total;
        rec.fragment.data = copy + TH_RECORD_HEADER_LEN;
        int more = 0, ok = 1;
        int protected12 = ep->ops->open != NULL && ep->rd.cur_epoch != TH_SC_EPOCH_PLAINTEXT;
        if (rec.type == TH_CT_CHANGE_CIPHER_SPEC && !protected12) {
            ev->kind = TH_EP_EV_CCS;
            ev->epoch = TH_SC_EPOCH_PLAINTEXT;
            ep_log(ep, "<- change_cipher_spec (%zu bytes)\n", rec.fragment.len);
            ok = set_bytes(ev, rec.fragment.data, rec.fragment.len);
            if (ep->ops->ccs_recv != NULL) {
                ep->ops->ccs_recv(ep, rec.fragment.data, rec.fragment.len);
            }
        } else if (protected12) {
            ok = open_record12(ep, &rec, ev, &more);
        } else if (rec.type == TH_CT_APPLICATION_DATA &&
                   ep->rd.cur_epoch != TH_SC_EPOCH_PLAINTEXT) {
            ok = open_record(ep, &rec, ev, &more);
        } else if (rec.type == TH_CT_ALERT || (ep->rd.cur_epoch == TH_SC_EPOCH_PLAINTEXT &&
                                               rec.type != TH_CT_APPLICATION_DATA)) {
            /* Plaintext alerts are read in every epoch: a peer that failed
             * before it had keys sends one. */
            ok = content_event(ep, TH_SC_EPOCH_PLAINTEXT, rec.type, rec.fragment.data,
                               rec.fragment.len, ev, &more);
        } else if (rec.type == TH_CT_APPLICATION_DATA) {
            /* Protected data before we have a key: try the keys we have
             * (e.g. early data keys are set but not current). */
            ok = open_record(ep, &rec, ev, &more);
        } else {
            char tb[32];
            ev->kind = TH_EP_EV_BAD;
            ev->content_type = rec.type;
            snprintf(ev->text, sizeof(ev->text), "a plaintext %s record while %s keys are in use",
                     th_name_or_hex(th_content_type_name(rec.type), rec.type, tb, sizeof(tb)),
                     ep_epoch_name(ep->rd.cur_epoch));
            ep_log(ep, "<- %s\n", ev->text);
        }
        free(copy);
        if (!ok) {
            return 0;
        }
        if (!more) {
            return 1;
        }
    }
}

int ep_next_event(th_ep *ep, th_ep_event *out, unsigned deadline_ms) {
    if (ep->peeked.kind != TH_EP_EV_NONE && ep->peeked.kind != TH_EP_EV_NOTHING) {
        *out = ep->peeked;
        memset(&ep->peeked, 0, sizeof(ep->peeked));
        return 1;
    }
    th_ep_event_cleanup(&ep->peeked);
    return read_event(ep, out, deadline_ms);
}

const th_ep_event *ep_peek_event(th_ep *ep, unsigned deadline_ms) {
    if (ep->peeked.kind == TH_EP_EV_NONE || ep->peeked.kind == TH_EP_EV_NOTHING) {
        th_ep_event_cleanup(&ep->peeked);
        if (!read_event(ep, &ep->peeked, deadline_ms)) {
            return NULL;
        }
    }
    return &ep->peeked;
}
