/* Targets for the record layer framing, the handshake header, the record
 * stream through the reassembler, and extension blocks per message context. */
#include <stdlib.h>
#include <string.h>

#include <openssl/mem.h>

#include "extensions.h"
#include "fuzz.h"
#include "handshake.h"
#include "record.h"

/* th_parse_record takes one record off a stream; as a codec the record must be
 * the whole input. */
static int record_codec(CBS *in, CBB *out, uint8_t *out_alert) {
    th_record r;
    if (!th_parse_record(in, &r, out_alert)) {
        return 0;
    }
    if (CBS_len(in) != 0) {
        *out_alert = TH_ALERT_DECODE_ERROR;
        return 0;
    }
    return th_write_record(out, &r);
}

#define SIMPLE_CODEC(NAME, TYPE, PARSE, WRITE)                                                     \
    static int NAME(CBS *in, CBB *out, uint8_t *out_alert) {                                       \
        TYPE v;                                                                                    \
        return PARSE(in, &v, out_alert) && WRITE(out, &v);                                         \
    }

SIMPLE_CODEC(inner_codec, th_inner_plaintext, th_parse_inner_plaintext, th_write_inner_plaintext)
SIMPLE_CODEC(alert_codec, th_alert, th_parse_alert, th_write_alert)
SIMPLE_CODEC(ccs_codec, th_ccs, th_parse_ccs, th_write_ccs)
SIMPLE_CODEC(handshake_codec, th_handshake, th_parse_handshake, th_write_handshake)

int th_fuzz_record(const uint8_t *data, size_t len) {
    return th_fuzz_check_codec("record", record_codec, data, len);
}
int th_fuzz_inner_plaintext(const uint8_t *data, size_t len) {
    return th_fuzz_check_codec("inner_plaintext", inner_codec, data, len);
}
int th_fuzz_alert(const uint8_t *data, size_t len) {
    return th_fuzz_check_codec("alert", alert_codec, data, len);
}
int th_fuzz_ccs(const uint8_t *data, size_t len) {
    return th_fuzz_check_codec("ccs", ccs_codec, data, len);
}
int th_fuzz_handshake(const uint8_t *data, size_t len) {
    return th_fuzz_check_codec("handshake", handshake_codec, data, len);
}

/* Record stream: the input is a sequence of records; handshake fragments go
 * through the reassembler. Oracles: the messages taken out, concatenated, are
 * exactly the handshake bytes fed in minus what is pending; the same bytes fed
 * one byte at a time give the same messages; memory stays within the limit. */
#define STREAM_MAX_MESSAGE 4096

static int feed(th_hs_reasm *r, const uint8_t *p, size_t n, CBB *msgs, uint8_t *alert) {
    th_handshake m;
    if (!th_hs_reasm_add(r, p, n, alert)) {
        return 0;
    }
    while (th_hs_reasm_next(r, &m)) {
        if (m.body.len > STREAM_MAX_MESSAGE) {
            th_fuzz_oracle_failed("record_stream", "message over the configured limit");
        }
        if (!th_write_handshake(msgs, &m)) {
            abort();
        }
    }
    /* Buffered bytes never exceed one message in progress plus one fragment. */
    if (th_hs_reasm_pending(r) > TH_HANDSHAKE_HEADER_LEN + STREAM_MAX_MESSAGE + n) {
        th_fuzz_oracle_failed("record_stream", "reassembler holds more than the limit");
    }
    return 1;
}

int th_fuzz_record_stream(const uint8_t *data, size_t len) {
    CBS in;
    CBB hs_bytes, msgs_a, msgs_b;
    th_hs_reasm ra, rb;
    uint8_t alert = 0, alert_b = 0;
    int ok_a = 1, ok_b = 1, result = TH_FUZZ_ACCEPTED;
    CBS_init(&in, data, len);
    if (!CBB_init(&hs_bytes, len) || !CBB_init(&msgs_a, len) || !CBB_init(&msgs_b, len)) {
        abort();
    }
    th_hs_reasm_init(&ra, STREAM_MAX_MESSAGE);
    th_hs_reasm_init(&rb, STREAM_MAX_MESSAGE);
    while (CBS_len(&in) != 0 && ok_a) {
        th_record rec;
        if (!th_parse_record(&in, &rec, &alert)) {
            result = alert;
            break;
        }
        if (rec.type != TH_CT_HANDSHAKE) {
            continue;
        }
        if (!CBB_add_bytes(&hs_bytes, rec.fragment.data, rec.fragment.len)) {
            abort();
        }
        ok_a = feed(&ra, rec.fragment.data, rec.fragment.len, &msgs_a, &alert);
        for (size_t i = 0; i < rec.fragment.len && ok_b; i++) {
            ok_b = feed(&rb, rec.fragment.data + i, 1, &msgs_b, &alert_b);
        }
    }
    if (!ok_a) {
        result = alert;
        if (ok_b || alert_b != alert) {
            th_fuzz_oracle_failed("record_stream", "byte-at-a-time feed disagrees on failure");
        }
    } else if (!ok_b) {
        th_fuzz_oracle_failed("record_stream", "byte-at-a-time feed failed alone");
    } else {
        size_t pending = th_hs_reasm_pending(&ra);
        if (CBB_len(&msgs_a) + pending != CBB_len(&hs_bytes) ||
            memcmp(CBB_data(&msgs_a), CBB_data(&hs_bytes), CBB_len(&msgs_a)) != 0) {
            th_fuzz_oracle_failed("record_stream", "messages differ from the bytes fed in");
        }
        if (CBB_len(&msgs_b) != CBB_len(&msgs_a) ||
            memcmp(CBB_data(&msgs_a), CBB_data(&msgs_b), CBB_len(&msgs_a)) != 0) {
            th_fuzz_oracle_failed("record_stream", "record split changed the messages");
        }
    }
    th_hs_reasm_cleanup(&ra);
    th_hs_reasm_cleanup(&rb);
    CBB_cleanup(&hs_bytes);
    CBB_cleanup(&msgs_a);
    CBB_cleanup(&msgs_b);
    return result;
}

/* Extension blocks, one target per RFC 8446 §4.2 context. */
#define EXT_BLOCK_TARGET(NAME, CTX)                                                                \
    static int NAME##_codec(CBS *in, CBB *out, uint8_t *out_alert) {                               \
        th_ext_block b;                                                                            \
        if (!th_parse_ext_block(in, CTX, &b, out_alert)) {                                         \
            return 0;                                                                              \
        }                                                                                          \
        int ok = CBS_len(in) == 0;                                                                 \
        if (!ok) {                                                                                 \
            *out_alert = TH_ALERT_DECODE_ERROR;                                                    \
        } else if (!th_write_ext_block(out, &b)) {                                                 \
            abort();                                                                               \
        }                                                                                          \
        th_ext_block_cleanup(&b);                                                                  \
        return ok;                                                                                 \
    }                                                                                              \
    int th_fuzz_##NAME(const uint8_t *data, size_t len) {                                          \
        return th_fuzz_check_codec(#NAME, NAME##_codec, data, len);                                \
    }

EXT_BLOCK_TARGET(ext_block_ch, TH_EXT_CTX_CH)
EXT_BLOCK_TARGET(ext_block_sh, TH_EXT_CTX_SH)
EXT_BLOCK_TARGET(ext_block_hrr, TH_EXT_CTX_HRR)
EXT_BLOCK_TARGET(ext_block_ee, TH_EXT_CTX_EE)
EXT_BLOCK_TARGET(ext_block_ct, TH_EXT_CTX_CT)
EXT_BLOCK_TARGET(ext_block_cr, TH_EXT_CTX_CR)
EXT_BLOCK_TARGET(ext_block_nst, TH_EXT_CTX_NST)
EXT_BLOCK_TARGET(ext_block_sh12, TH_EXT_CTX_SH12)

/* The extension list split alone (no §4.2 rules): the raw form the decoder
 * and the rule checks start from. */
static int ext_list_codec(CBS *in, CBB *out, uint8_t *out_alert) {
    th_ext_block b;
    if (!th_parse_ext_list(in, &b, out_alert)) {
        return 0;
    }
    /* th_write_ext_block adds the u16 prefix the list itself lacks. */
    CBB tmp;
    uint8_t *bytes;
    size_t len;
    if (!CBB_init(&tmp, 64) || !th_write_ext_block(&tmp, &b) || !CBB_finish(&tmp, &bytes, &len)) {
        abort();
    }
    int ok = CBB_add_bytes(out, bytes + 2, len - 2);
    OPENSSL_free(bytes);
    th_ext_block_cleanup(&b);
    return ok;
}

int th_fuzz_ext_list(const uint8_t *data, size_t len) {
    return th_fuzz_check_codec("ext_list", ext_list_codec, data, len);
}
