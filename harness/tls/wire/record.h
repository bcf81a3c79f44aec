/* Record-layer framing: TLSPlaintext/TLSCiphertext headers, the TLS 1.3
 * TLSInnerPlaintext, Alert and ChangeCipherSpec bodies. */
#ifndef TH_WIRE_RECORD_H
#define TH_WIRE_RECORD_H

#include "th_base.h"

#define TH_RECORD_HEADER_LEN 5

typedef struct {
    uint8_t type;      /* any value; unknown types are kept for the engine to refuse */
    uint16_t version;  /* legacy_record_version */
    th_bytes fragment; /* view into the input */
} th_record;

/* 1 if |in| starts with a whole record (header and fragment). */
int th_record_complete(const CBS *in);

/* Takes one record off the front of the stream |in| (the rest stays in |in|
 * for the next call). 0 with decode_error when |in| holds less than a whole
 * record, record_overflow when the length exceeds TH_MAX_CIPHERTEXT_12, the
 * largest any version allows (RFC 5246 §6.2.3); the engine applies the
 * tighter per-version limits. */
int th_parse_record(CBS *in, th_record *out, uint8_t *out_alert) TH_MUST_USE;
int th_write_record(CBB *out, const th_record *in) TH_MUST_USE;

/* TLS 1.3 TLSInnerPlaintext, RFC 8446 §5.2/§5.4. */
typedef struct {
    th_bytes content;
    uint8_t type;
    size_t padding_len; /* zero bytes after the type */
} th_inner_plaintext;

/* Parses a decrypted record body; all-zero (no content type) is
 * unexpected_message (RFC 8446 §5.4). */
int th_parse_inner_plaintext(CBS *in, th_inner_plaintext *out, uint8_t *out_alert) TH_MUST_USE;
int th_write_inner_plaintext(CBB *out, const th_inner_plaintext *in) TH_MUST_USE;

/* Alert body, RFC 8446 §6: level and description, exactly two bytes. */
typedef struct {
    uint8_t level;
    uint8_t description;
} th_alert;

int th_parse_alert(CBS *in, th_alert *out, uint8_t *out_alert) TH_MUST_USE;
int th_write_alert(CBB *out, const th_alert *in) TH_MUST_USE;

/* ChangeCipherSpec body: exactly the byte 0x01 (RFC 8446 §5, RFC 5246 §7.1). */
typedef struct {
    uint8_t value;
} th_ccs;

int th_parse_ccs(CBS *in, th_ccs *out, uint8_t *out_alert) TH_MUST_USE;
int th_write_ccs(CBB *out, const th_ccs *in) TH_MUST_USE;

#endif
