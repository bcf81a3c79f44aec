/* Names for every TLS code point tlsharness knows, used wherever text is
 * printed (decoder, logs, reports, scenarios). Each lookup returns NULL for a
 * value it does not know; callers print the number instead. */
#ifndef TH_NAMES_H
#define TH_NAMES_H

#include "th_base.h"

typedef struct {
    uint16_t value;
    const char *name;
} th_name;

const char *th_content_type_name(uint8_t type);
const char *th_handshake_type_name(uint8_t type);
const char *th_alert_name(uint8_t description);
const char *th_alert_level_name(uint8_t level);
const char *th_version_name(uint16_t version);
const char *th_cipher_suite_name(uint16_t suite);
const char *th_group_name(uint16_t group);
const char *th_sig_scheme_name(uint16_t scheme);
const char *th_ext_name(uint16_t type);
const char *th_psk_ke_mode_name(uint8_t mode);
const char *th_ec_point_format_name(uint8_t format);
const char *th_compression_name(uint8_t method);
const char *th_cert_status_type_name(uint8_t type);
const char *th_key_update_name(uint8_t request);

/* Reverse lookups for config files and scenarios: 1 and the value on a match
 * (exact, case-sensitive name), 0 otherwise. */
int th_alert_by_name(const char *name, uint8_t *out) TH_MUST_USE;
int th_handshake_type_by_name(const char *name, uint8_t *out) TH_MUST_USE;
int th_cipher_suite_by_name(const char *name, uint16_t *out) TH_MUST_USE;
int th_group_by_name(const char *name, uint16_t *out) TH_MUST_USE;
int th_sig_scheme_by_name(const char *name, uint16_t *out) TH_MUST_USE;
int th_ext_by_name(const char *name, uint16_t *out) TH_MUST_USE;
int th_version_by_name(const char *name, uint16_t *out) TH_MUST_USE;

/* RFC 8701 GREASE: 0x?A?A for 16-bit code points (cipher suites, extensions,
 * groups, signature schemes, versions, ALPN is separate). */
int th_is_grease16(uint16_t value);
/* RFC 8701 §2: GREASE psk_key_exchange_modes are 0x0B, 0x2A, 0x49, ..., 0xEB. */
int th_is_grease_psk_mode(uint8_t mode);

/* Writes "name" or "name(0xNNNN)"-style text for an unknown value into buf. */
const char *th_name_or_hex(const char *name, unsigned value, char *buf, size_t buf_len);

#endif
