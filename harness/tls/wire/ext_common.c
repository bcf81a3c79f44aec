/* Building blocks of the typed extension codecs: length-prefixed vectors,
 * lists of u16 code points and lists of opaque items. */
#include "ext_internal.h"

#include <stdlib.h>
#include <string.h>

int th_ext_get_prefixed(CBS *in, size_t prefix_len, CBS *out) {
    switch (prefix_len) {
    case 1:
        return CBS_get_u8_length_prefixed(in, out);
    case 2:
        return CBS_get_u16_length_prefixed(in, out);
    case 3:
        return CBS_get_u24_length_prefixed(in, out);
    default:
        return 0;
    }
}

int th_ext_add_prefixed(CBB *out, size_t prefix_len, CBB *child) {
    switch (prefix_len) {
    case 1:
        return CBB_add_u8_length_prefixed(out, child);
    case 2:
        return CBB_add_u16_length_prefixed(out, child);
    case 3:
        return CBB_add_u24_length_prefixed(out, child);
    default:
        return 0;
    }
}

int th_ext_add_prefixed_bytes(CBB *out, size_t prefix_len, th_bytes bytes) {
    CBB child;
    return th_ext_add_prefixed(out, prefix_len, &child) &&
           CBB_add_bytes(&child, bytes.data, bytes.len) && CBB_flush(out);
}

int th_parse_u16_list(CBS *in, size_t prefix_len, uint16_t **out_values, size_t *out_num,
                      uint8_t *out_alert) {
    CBS list;
    uint16_t *values = NULL;
    size_t num = 0;
    *out_values = NULL;
    *out_num = 0;
    /* Every u16 list in TLS has a lower bound of one element (e.g. RFC 8446
     * §4.2.7 named_group_list<2..2^16-1>, §4.2.3 <2..2^16-2>, §4.2.1
     * versions<2..254>, §4.1.2 cipher_suites<2..2^16-2>), and an odd length
     * cannot hold whole values: RFC 8446 §6, decode_error, "some field was out
     * of the specified range or the length of the message was incorrect". */
    if (!th_ext_get_prefixed(in, prefix_len, &list) || CBS_len(&list) == 0 ||
        CBS_len(&list) % 2 != 0) {
        *out_alert = TH_ALERT_DECODE_ERROR;
        return 0;
    }
    while (CBS_len(&list) != 0) {
        uint16_t value;
        uint16_t *grown;
        if (!CBS_get_u16(&list, &value)) {
            *out_alert = TH_ALERT_DECODE_ERROR;
            goto err;
        }
        grown = th_array_grow(values, num, sizeof(*values));
        if (grown == NULL) {
            *out_alert = TH_ALERT_INTERNAL_ERROR;
            goto err;
        }
        values = grown;
        values[num++] = value;
    }
    *out_values = values;
    *out_num = num;
    return 1;

err:
    free(values);
    return 0;
}

int th_write_u16_list(CBB *out, size_t prefix_len, const uint16_t *values, size_t num) {
    CBB list;
    if (!th_ext_add_prefixed(out, prefix_len, &list)) {
        return 0;
    }
    for (size_t i = 0; i < num; i++) {
        if (!CBB_add_u16(&list, values[i])) {
            return 0;
        }
    }
    return CBB_flush(out);
}

int th_ext_parse_bytes_list(CBS list, size_t item_prefix_len, size_t min_item_len,
                            th_bytes **out_items, size_t *out_num, uint8_t *out_alert) {
    th_bytes *items = NULL;
    size_t num = 0;
    *out_items = NULL;
    *out_num = 0;
    while (CBS_len(&list) != 0) {
        CBS item;
        th_bytes *grown;
        if (!th_ext_get_prefixed(&list, item_prefix_len, &item) || CBS_len(&item) < min_item_len) {
            *out_alert = TH_ALERT_DECODE_ERROR;
            goto err;
        }
        grown = th_array_grow(items, num, sizeof(*items));
        if (grown == NULL) {
            *out_alert = TH_ALERT_INTERNAL_ERROR;
            goto err;
        }
        items = grown;
        items[num++] = th_bytes_of_cbs(&item);
    }
    *out_items = items;
    *out_num = num;
    return 1;

err:
    free(items);
    return 0;
}

int th_ext_write_bytes_list(CBB *out, size_t list_prefix_len, size_t item_prefix_len,
                            const th_bytes *items, size_t num) {
    CBB list;
    if (!th_ext_add_prefixed(out, list_prefix_len, &list)) {
        return 0;
    }
    for (size_t i = 0; i < num; i++) {
        if (!th_ext_add_prefixed_bytes(&list, item_prefix_len, items[i])) {
            return 0;
        }
    }
    return CBB_flush(out);
}
