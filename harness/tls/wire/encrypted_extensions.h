/* EncryptedExtensions (RFC 8446 §4.3.1): the server's extensions that are not
 * needed to establish the cryptographic context. */
#ifndef TH_WIRE_ENCRYPTED_EXTENSIONS_H
#define TH_WIRE_ENCRYPTED_EXTENSIONS_H

#include "extensions.h"
#include "th_base.h"

typedef struct {
    th_ext_block extensions; /* TH_EXT_CTX_EE rules */
} th_encrypted_extensions;

/* Parses an EncryptedExtensions body (no handshake header). 0 with
 * decode_error for bad lengths or trailing bytes, or the alert of the
 * extension block rules (e.g. illegal_parameter for key_share). On failure
 * |out| owns nothing. */
int th_parse_encrypted_extensions(CBS *in, th_encrypted_extensions *out,
                                  uint8_t *out_alert) TH_MUST_USE;

/* Writes the body from |in| as is. */
int th_write_encrypted_extensions(CBB *out, const th_encrypted_extensions *in) TH_MUST_USE;

/* Frees the extension block; accepts NULL and leaves the struct zeroed. */
void th_encrypted_extensions_cleanup(th_encrypted_extensions *ee);

#endif
