/* Vector helpers shared by the wire codecs (ext_common.c): first written for
 * the extensions, used wherever a message has the same shapes. Not part of
 * the public API. */
#ifndef TH_WIRE_EXT_INTERNAL_H
#define TH_WIRE_EXT_INTERNAL_H

#include "ext_types.h"

/* Takes a vector with a |prefix_len|-byte (1, 2 or 3) length off |in|. */
int th_ext_get_prefixed(CBS *in, size_t prefix_len, CBS *out) TH_MUST_USE;

/* Opens a child of |out| behind a |prefix_len|-byte (1, 2 or 3) length. */
int th_ext_add_prefixed(CBB *out, size_t prefix_len, CBB *child) TH_MUST_USE;

/* Writes |bytes| behind a |prefix_len|-byte length; 0 if it does not fit. */
int th_ext_add_prefixed_bytes(CBB *out, size_t prefix_len, th_bytes bytes) TH_MUST_USE;

/* Splits |list| (its own length prefix already removed) into items of a
 * |item_prefix_len|-byte length and at least |min_item_len| bytes each, else
 * decode_error. An empty list is accepted; callers apply their lower bound.
 * On success *out_items is an array from th_array_grow (NULL when empty); on
 * failure it is NULL and nothing is owned. */
int th_ext_parse_bytes_list(CBS list, size_t item_prefix_len, size_t min_item_len,
                            th_bytes **out_items, size_t *out_num, uint8_t *out_alert) TH_MUST_USE;

/* Writes |items| as a |list_prefix_len|-byte-prefixed list of
 * |item_prefix_len|-byte-prefixed items. */
int th_ext_write_bytes_list(CBB *out, size_t list_prefix_len, size_t item_prefix_len,
                            const th_bytes *items, size_t num) TH_MUST_USE;

/* Message masks for the RFC 8446 §4.2 tables (extensions.c, ext_check.c), in
 * the RFC's own abbreviations. */
#define CH   (1u << TH_EXT_CTX_CH)
#define SH   (1u << TH_EXT_CTX_SH)
#define HRR  (1u << TH_EXT_CTX_HRR)
#define EE   (1u << TH_EXT_CTX_EE)
#define CT   (1u << TH_EXT_CTX_CT)
#define CR   (1u << TH_EXT_CTX_CR)
#define NST  (1u << TH_EXT_CTX_NST)
#define SH12 (1u << TH_EXT_CTX_SH12)

#endif
