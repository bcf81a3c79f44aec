/* The TLS 1.3 key schedule (RFC 8446 §7): HKDF-Expand-Label, Derive-Secret,
 * the Early/Handshake/Master Secret chain, traffic keys, Finished and PSK
 * binder MACs, KeyUpdate, exporters, the transcript hash (with the
 * HelloRetryRequest rewrite) and NSS key log lines. Built on BoringSSL's HKDF,
 * HMAC and EVP_MD. Every secret is written into a caller-provided th_secret
 * (an output may alias an input secret); the only state that needs freeing is
 * th_transcript's digest. Functions returning 0 mean a bad argument or a
 * crypto failure, i.e. internal_error, unless they say otherwise. */
#ifndef TH_KEYS13_H
#define TH_KEYS13_H

#include <openssl/aead.h>
#include <openssl/digest.h>

#include "th_base.h"

/* A secret of at most EVP_MAX_MD_SIZE bytes (a Hash.length secret, an AEAD key
 * or IV, a MAC). Wipe it with th_secret_cleanse when done. */
#define TH_SECRET_MAX EVP_MAX_MD_SIZE
typedef struct {
    uint8_t bytes[TH_SECRET_MAX];
    size_t len;
} th_secret;

/* Zeroes the bytes (OPENSSL_cleanse) and the length. Accepts NULL. */
void th_secret_cleanse(th_secret *s);

/* Copies |len| bytes into |out| (e.g. a PSK from a ticket store). 0 if |len|
 * exceeds TH_SECRET_MAX. */
int th_secret_set(th_secret *out, const uint8_t *in, size_t len) TH_MUST_USE;

/* The hash of a TLS 1.3 cipher suite (RFC 8446 §B.4): SHA-256 for 0x1301 and
 * 0x1303, SHA-384 for 0x1302; NULL for any other suite. */
const EVP_MD *th_suite_hash(uint16_t suite);

/* The AEAD of a TLS 1.3 cipher suite; NULL for any other suite. */
const EVP_AEAD *th_suite_aead(uint16_t suite);

/* HKDF-Expand-Label(secret, label, context, out_len) (RFC 8446 §7.1) into
 * |out|. |label| is without the "tls13 " prefix. 0 if "tls13 " + label is not
 * 7..255 bytes, the context exceeds 255 bytes, |out_len| exceeds HKDF's limit
 * (255 * Hash.length), or |secret| is not Hash.length bytes. */
int th_hkdf_expand_label(uint8_t *out, size_t out_len, const EVP_MD *md, const th_secret *secret,
                         const char *label, size_t label_len, const uint8_t *context,
                         size_t context_len) TH_MUST_USE;

/* Derive-Secret(secret, label, Messages) (RFC 8446 §7.1) into |out|, given
 * |messages_hash| = Transcript-Hash(Messages) of Hash.length bytes, or NULL
 * and 0 for Messages = "" (the hash of the empty string is then computed).
 * 0 on any bad length (see th_hkdf_expand_label). |out| may alias |secret|. */
int th_derive_secret(th_secret *out, const EVP_MD *md, const th_secret *secret, const char *label,
                     size_t label_len, const uint8_t *messages_hash, size_t hash_len) TH_MUST_USE;

/* The Derive-Secret outputs of the schedule (RFC 8446 §7.1), in diagram order. */
typedef enum {
    TH_TLS13_EXT_BINDER,     /* binder_key of an external PSK; Messages = "" */
    TH_TLS13_RES_BINDER,     /* binder_key of a resumption PSK; Messages = "" */
    TH_TLS13_C_E_TRAFFIC,    /* client_early_traffic_secret; ClientHello */
    TH_TLS13_E_EXP_MASTER,   /* early_exporter_master_secret; ClientHello */
    TH_TLS13_DERIVED,        /* salt of the next Extract; Messages = "" */
    TH_TLS13_C_HS_TRAFFIC,   /* client_handshake_traffic_secret; CH..SH */
    TH_TLS13_S_HS_TRAFFIC,   /* server_handshake_traffic_secret; CH..SH */
    TH_TLS13_C_AP_TRAFFIC,   /* client_application_traffic_secret_0; CH..server Fin */
    TH_TLS13_S_AP_TRAFFIC,   /* server_application_traffic_secret_0; CH..server Fin */
    TH_TLS13_EXP_MASTER,     /* exporter_master_secret; CH..server Fin */
    TH_TLS13_RES_MASTER,     /* resumption_master_secret; CH..client Fin */
    TH_TLS13_NUM_SECRET_IDS, /* not a secret: the number of ids */
} th_tls13_secret_id;

/* Derive-Secret(from, <label of id>, Messages) into |out|. For the three
 * Messages = "" ids, |transcript_hash| must be NULL and |hash_len| 0;
 * otherwise it is the Transcript-Hash of the messages above, Hash.length
 * bytes. 0 on a bad id, a bad length or a crypto failure. */
int th_tls13_derive_secret(th_secret *out, const EVP_MD *md, const th_secret *from,
                           th_tls13_secret_id id, const uint8_t *transcript_hash,
                           size_t hash_len) TH_MUST_USE;

/* Early Secret = HKDF-Extract(0, PSK) (RFC 8446 §7.1); a NULL |psk| means no
 * PSK, i.e. Hash.length zero bytes. 0 on a crypto failure. */
int th_tls13_early_secret(th_secret *out, const EVP_MD *md, const uint8_t *psk,
                          size_t psk_len) TH_MUST_USE;

/* Handshake Secret = HKDF-Extract(Derive-Secret(early, "derived", ""),
 * (EC)DHE); a NULL |ecdhe| (psk_ke mode) means Hash.length zero bytes. */
int th_tls13_handshake_secret(th_secret *out, const EVP_MD *md, const th_secret *early,
                              const uint8_t *ecdhe, size_t ecdhe_len) TH_MUST_USE;

/* Master Secret = HKDF-Extract(Derive-Secret(handshake, "derived", ""), 0). */
int th_tls13_master_secret(th_secret *out, const EVP_MD *md,
                           const th_secret *handshake) TH_MUST_USE;

/* The PSK of a ticket (RFC 8446 §4.6.1): HKDF-Expand-Label(
 * resumption_master_secret, "resumption", ticket_nonce, Hash.length). 0 if the
 * nonce exceeds 255 bytes. */
int th_tls13_resumption_psk(th_secret *out, const EVP_MD *md, const th_secret *res_master,
                            const uint8_t *nonce, size_t nonce_len) TH_MUST_USE;

/* application_traffic_secret_N+1 from _N (RFC 8446 §7.2, "traffic upd").
 * |out| may alias |current|. */
int th_tls13_next_traffic_secret(th_secret *out, const EVP_MD *md,
                                 const th_secret *current) TH_MUST_USE;

/* The write key and IV of a traffic secret (RFC 8446 §7.3, labels "key" and
 * "iv"), sized for |aead| (key length, nonce length). */
int th_tls13_traffic_key_iv(th_secret *out_key, th_secret *out_iv, const EVP_MD *md,
                            const EVP_AEAD *aead, const th_secret *traffic_secret) TH_MUST_USE;

/* finished_key = HKDF-Expand-Label(base_key, "finished", "", Hash.length)
 * (RFC 8446 §4.4.4). */
int th_tls13_finished_key(th_secret *out, const EVP_MD *md, const th_secret *base_key) TH_MUST_USE;

/* HMAC(finished_key(base_key), transcript_hash): the Finished verify_data
 * (base_key a handshake traffic secret, RFC 8446 §4.4.4) or a PSK binder
 * (base_key the binder_key, §4.2.11.2). */
int th_tls13_finished_mac(th_secret *out, const EVP_MD *md, const th_secret *base_key,
                          const uint8_t *transcript_hash, size_t hash_len) TH_MUST_USE;

/* The binder of a PSK (RFC 8446 §4.2.11.2) from its Early Secret, in one step:
 * binder_key ("res binder" if |is_resumption|, else "ext binder"), then the
 * MAC over |truncated_hash|, the Transcript-Hash up to Truncate(ClientHello). */
int th_tls13_psk_binder(th_secret *out, const EVP_MD *md, const th_secret *early, int is_resumption,
                        const uint8_t *truncated_hash, size_t hash_len) TH_MUST_USE;

/* Checks a received Finished verify_data or PSK binder in constant time. 1 if
 * it matches th_tls13_finished_mac; else 0 with *out_alert decrypt_error (a
 * wrong length included, as BoringSSL does), or internal_error. */
int th_tls13_finished_check(const EVP_MD *md, const th_secret *base_key,
                            const uint8_t *transcript_hash, size_t hash_len,
                            const uint8_t *received, size_t received_len,
                            uint8_t *out_alert) TH_MUST_USE;

/* TLS-Exporter(label, context_value, out_len) (RFC 8446 §7.5) from the
 * (early_)exporter_master_secret into |out|. A NULL context is the empty
 * context, which TLS 1.3 treats like an absent one. 0 on a bad length. */
int th_tls13_export(uint8_t *out, size_t out_len, const EVP_MD *md, const th_secret *exporter,
                    const char *label, size_t label_len, const uint8_t *context,
                    size_t context_len) TH_MUST_USE;

/* A running Transcript-Hash (RFC 8446 §4.4.1) over whole handshake messages
 * (4-byte headers included). Safe to clean up when zeroed. */
typedef struct {
    EVP_MD_CTX ctx;
} th_transcript;

/* Starts (or restarts) an empty transcript with |md|; |t| must be zeroed or
 * previously initialised. 0 on failure (then cleanup is still safe). */
int th_transcript_init(th_transcript *t, const EVP_MD *md) TH_MUST_USE;

/* Adds a handshake message. */
int th_transcript_update(th_transcript *t, const uint8_t *msg, size_t len) TH_MUST_USE;

/* Writes the hash of everything so far (Hash.length <= EVP_MAX_MD_SIZE bytes)
 * into |out|, leaving |t| running. */
int th_transcript_hash(const th_transcript *t, uint8_t out[EVP_MAX_MD_SIZE],
                       size_t *out_len) TH_MUST_USE;

/* The HelloRetryRequest rewrite (RFC 8446 §4.4.1): replaces the contents,
 * which must be exactly ClientHello1, by message_hash(Hash(ClientHello1)). */
int th_transcript_hrr_rewrite(th_transcript *t) TH_MUST_USE;

/* Makes |dst| (initialised or zeroed) an independent copy of |src|. */
int th_transcript_copy(th_transcript *dst, const th_transcript *src) TH_MUST_USE;

/* Frees the digest state and zeroes |t|. Accepts NULL. */
void th_transcript_cleanup(th_transcript *t);

/* Longest NSS key log line with its NUL: a 31-byte label, a space, 64 hex
 * digits of client_random, a space, 128 hex digits of secret. */
#define TH_KEYLOG_LINE_MAX 226

/* Formats "<LABEL> <client_random hex> <secret hex>" (NSS key log format,
 * lowercase hex, no newline, NUL-terminated) for the secrets that have an NSS
 * label (C/S handshake and application traffic, client early traffic, early
 * and exporter master). 0 for other ids, a client_random that is not 32
 * bytes, or |out_cap| too small. */
int th_keylog_line(char *out, size_t out_cap, th_tls13_secret_id id, const uint8_t *client_random,
                   size_t client_random_len, const th_secret *secret) TH_MUST_USE;

#endif
