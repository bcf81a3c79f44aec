/* Extension blocks: the Extension list of every message that carries one,
 * kept in wire order with raw bodies so unknown, duplicated or reordered
 * extensions survive a round trip. Which extension may appear in which message
 * (RFC 8446 §4.2) is the table kExtTable in extensions.c. */
#ifndef TH_EXTENSIONS_H
#define TH_EXTENSIONS_H

#include "th_base.h"

/* The message an extension block belongs to: RFC 8446 §4.2's CH, SH, HRR, EE,
 * CT, CR, NST, plus the TLS 1.2 ServerHello (SH12) whose rules are RFC 5246's. */
typedef enum {
    TH_EXT_CTX_CH = 0,
    TH_EXT_CTX_SH,
    TH_EXT_CTX_HRR,
    TH_EXT_CTX_EE,
    TH_EXT_CTX_CT,
    TH_EXT_CTX_CR,
    TH_EXT_CTX_NST,
    TH_EXT_CTX_SH12,
    TH_EXT_CTX_COUNT,
} th_ext_ctx;

typedef struct {
    uint16_t type;
    th_bytes body; /* extension_data, a view into the parsed input */
} th_ext;

typedef struct {
    th_ext *exts; /* owned array, wire order */
    size_t num_exts;
} th_ext_block;

/* Short name of a context ("ClientHello", ...). */
const char *th_ext_ctx_name(th_ext_ctx ctx);

/* Parses the Extension list in |in| (the bytes inside the u16 length prefix),
 * without rules: it only splits. 1 on success, 0 and decode_error otherwise. */
int th_parse_ext_list(CBS *in, th_ext_block *out, uint8_t *out_alert) TH_MUST_USE;

/* Parses a u16-length-prefixed extension block from the front of |in| for
 * message |ctx| and applies RFC 8446 §4.2: no duplicate types (the alert BoringSSL sends in
 * that message, see duplicate_alert in extensions.c);
 * a recognised extension not allowed in |ctx| is illegal_parameter;
 * pre_shared_key not last in a ClientHello is illegal_parameter (§4.2.11);
 * each recognised extension's body is checked by th_ext_check_body. Unknown
 * types are kept raw. On failure |out| owns nothing. */
int th_parse_ext_block(CBS *in, th_ext_ctx ctx, th_ext_block *out, uint8_t *out_alert) TH_MUST_USE;

/* Checks the rules above on an already split block (used by the parser and by
 * code that builds blocks). */
int th_check_ext_block(const th_ext_block *block, th_ext_ctx ctx, uint8_t *out_alert) TH_MUST_USE;

/* As th_check_ext_block; on failure *out_index is the offending extension's
 * position in the block (for the decoder's error reports). */
int th_check_ext_block_at(const th_ext_block *block, th_ext_ctx ctx, uint8_t *out_alert,
                          size_t *out_index) TH_MUST_USE;

/* Writes |in| as a u16-length-prefixed block. */
int th_write_ext_block(CBB *out, const th_ext_block *in) TH_MUST_USE;

/* Appends an extension (body is a view the caller keeps alive). */
int th_ext_block_add(th_ext_block *block, uint16_t type, th_bytes body) TH_MUST_USE;

/* The extension's body as a CBS, for its typed parser. */
static inline CBS th_ext_body(const th_ext *ext) {
    CBS body;
    CBS_init(&body, ext->body.data, ext->body.len);
    return body;
}

/* The first extension of |type| or NULL. */
const th_ext *th_ext_block_find(const th_ext_block *block, uint16_t type);

void th_ext_block_cleanup(th_ext_block *block);

/* 1 if |type| is in the RFC 8446 §4.2 table (its placement rules apply);
 * th_ext_body_form tells whether it also has a typed body parser. */
int th_ext_is_known(uint16_t type);

/* 1 if RFC 8446 §4.2 (or RFC 5246 for SH12) allows a known extension |type|
 * in |ctx|; unknown types are always allowed here (the engine decides). */
int th_ext_allowed_in(uint16_t type, th_ext_ctx ctx);

/* Validates one extension body for |ctx| with the typed parser of its form
 * (e.g. key_share in CH, SH or HRR). Unknown types pass. Implemented in
 * ext_check.c beside the typed parsers. */
int th_ext_check_body(uint16_t type, th_ext_ctx ctx, CBS body, uint8_t *out_alert) TH_MUST_USE;

/* The name of the typed parser that checks |type|'s body in |ctx| (for
 * th_parse_ext_key_share_ch, "ext_key_share_ch"; also the fuzz target's
 * name), or NULL when the body has no typed form there. */
const char *th_ext_body_form(uint16_t type, th_ext_ctx ctx);

#endif
