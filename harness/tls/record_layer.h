/* TLS 1.3 record protection (RFC 8446 §5.2-§5.5): one th_rl_dir per
 * direction holds the AEAD state of the current traffic secret, seals
 * TLSInnerPlaintext into TLSCiphertext records and opens them again. No
 * allocation per record: seal writes into the caller's CBB and open decrypts
 * into the caller's buffer (in place if the caller wishes). Framing of the
 * byte stream (th_parse_record) and the choice of which key protects which
 * record are the engine's. */
#ifndef TH_RECORD_LAYER_H
#define TH_RECORD_LAYER_H

#include <openssl/aead.h>

#include "keys13.h"
#include "record.h"
#include "th_base.h"

/* Largest TLSInnerPlaintext, content type and padding included (RFC 8446
 * §5.4), and so the largest record_size_limit TLS 1.3 can use (RFC 8449 §4). */
#define TH_RL_MAX_INNER_PLAINTEXT (TH_MAX_PLAINTEXT + 1)

/* Smallest record_size_limit an endpoint may advertise (RFC 8449 §4). */
#define TH_RL_MIN_RECORD_SIZE_LIMIT 64

/* Records one AES-GCM key may protect: RFC 8446 §5.5 "up to 2^24.5
 * full-size records" (floor of 2^24.5). ChaCha20-Poly1305 has no such limit
 * ("the record sequence number would wrap before the safety limit is
 * reached"), so only the sequence number headroom below applies to it. */
#define TH_RL_AES_GCM_MAX_RECORDS 23726566u

/* th_rl_dir_needs_key_update turns true this many records before the
 * sequence number would have to wrap, leaving room to send the KeyUpdate. */
#define TH_RL_SEQ_HEADROOM 65536u

/* One direction (read or write) of record protection. A zeroed th_rl_dir has
 * no key: seal and open refuse until th_rl_dir_set_key. The fields are public
 * for reading (reports, tests); change them only through the functions. */
typedef struct {
    uint16_t suite;           /* 0 while no key is set */
    EVP_AEAD_CTX aead;        /* keyed with [sender]_write_key */
    th_secret iv;             /* [sender]_write_iv, the static IV of §5.3 */
    th_secret traffic_secret; /* the current traffic secret, for KeyUpdate */
    uint64_t seq;             /* sequence number of the next record (§5.3) */
    uint64_t num_records;     /* records protected under the current key */
    uint64_t num_bytes;       /* TLSInnerPlaintext bytes under the current key */
    uint64_t max_records;     /* usage limit of the current key (§5.5) */
    uint64_t max_records_cap; /* lower limit set for tests; 0 when unset */
    size_t record_size_limit; /* largest TLSInnerPlaintext; 0 means 2^14+1 */
} th_rl_dir;

/* Padding policies for th_rl_seal (RFC 8446 §5.4). */
typedef enum {
    TH_RL_PAD_NONE = 0,
    TH_RL_PAD_BLOCK, /* pad TLSInnerPlaintext to a multiple of |value| bytes,
                        never beyond the record size limit */
    TH_RL_PAD_EXACT, /* exactly |value| zero bytes; refused past the limit */
} th_rl_pad_mode;

typedef struct {
    th_rl_pad_mode mode;
    size_t value; /* block size (>= 1) or padding length */
} th_rl_padding;

/* Derives the write key and IV of |traffic_secret| for |suite| (RFC 8446
 * §7.3), keys |dir| with them and resets the sequence number and usage
 * counters (§5.3). The secret is kept for th_rl_dir_update; the record size
 * limit and a usage cap carry over. |traffic_secret| may be
 * &dir->traffic_secret. 0 (internal_error) for a suite other than the three
 * TLS 1.3 AEAD suites, a secret that is not Hash.length bytes or a crypto
 * failure; |dir| then has no key. */
int th_rl_dir_set_key(th_rl_dir *dir, uint16_t suite, const th_secret *traffic_secret) TH_MUST_USE;

/* The KeyUpdate step (RFC 8446 §7.2): moves |dir| to
 * application_traffic_secret_N+1 and its key and IV, sequence number 0. 0 if
 * |dir| has no key or on a crypto failure; |dir| then has no key. */
int th_rl_dir_update(th_rl_dir *dir) TH_MUST_USE;

/* Sets the record_size_limit (RFC 8449 §4) |dir| honours: the largest
 * TLSInnerPlaintext it seals (the peer's limit, for the write direction) or
 * accepts (our advertised limit, for the read direction). Values above 2^14+1
 * count as 2^14+1. 0 for a value below 64, which RFC 8449 forbids. */
int th_rl_dir_set_record_size_limit(th_rl_dir *dir, uint16_t limit) TH_MUST_USE;

/* Lowers the number of records the current and later keys may protect before
 * th_rl_dir_needs_key_update turns true (tests; 0 restores the defaults). */
void th_rl_dir_set_usage_cap(th_rl_dir *dir, uint64_t max_records);

/* Sets the sequence number of the next record (tests of exhaustion). */
void th_rl_dir_set_seq(th_rl_dir *dir, uint64_t seq);

/* 1 when |dir| should move to a new key (RFC 8446 §5.5 "Implementations
 * SHOULD do a key update ... prior to reaching these limits"): the usage
 * limit of the AEAD is reached or the sequence number is within
 * TH_RL_SEQ_HEADROOM of exhaustion. 0 when it has no key. */
int th_rl_dir_needs_key_update(const th_rl_dir *dir);

/* The largest content one record of |dir| can carry: the record size limit
 * minus the content type byte (RFC 8449 §4), at most 2^14. */
size_t th_rl_max_content_len(const th_rl_dir *dir);

/* Appends one TLSCiphertext record to |out| (RFC 8446 §5.2): |content|,
 * |type| and the padding of |pad| (NULL for none) as TLSInnerPlaintext,
 * sealed under the next sequence number, outer type application_data and
 * version 0x0303. |type| is written as given, so the scripted endpoint can
 * send malformed records; sizes are not: content over 2^14 bytes or an inner
 * plaintext over the record size limit is refused. |content| must not point
 * into |out|'s buffer. 0 (internal_error) on a refusal, no key, an exhausted
 * sequence number or a CBB/crypto failure; |out| may then hold a partial
 * record, which the caller discards. */
int th_rl_seal(th_rl_dir *dir, CBB *out, uint8_t type, const uint8_t *content, size_t content_len,
               const th_rl_padding *pad) TH_MUST_USE;

/* Opens the protected record |rec| (from th_parse_record) into |out|, which
 * holds |out_cap| bytes: at least the fragment length minus the AEAD tag, or
 * exactly rec->fragment.data to decrypt in place. On success |out_inner| has
 * the content (a view into |out|), the inner type and the padding length,
 * and the sequence number advances. 0 with *out_alert: unexpected_message
 * for an outer type other than application_data (the engine handles
 * change_cipher_spec before calling this), an all-zero plaintext or an empty
 * handshake/alert record; record_overflow for a ciphertext over 2^14+256
 * bytes or a plaintext over the record size limit; bad_record_mac when the
 * AEAD fails; internal_error for no key, an exhausted sequence number or a
 * short buffer. A failed AEAD leaves the sequence number unchanged (trial
 * decryption of skipped early data relies on it). |out| is scratch on
 * failure. */
int th_rl_open(th_rl_dir *dir, const th_record *rec, uint8_t *out, size_t out_cap,
               th_inner_plaintext *out_inner, uint8_t *out_alert) TH_MUST_USE;

/* Frees the AEAD state and wipes the key schedule, IV and traffic secret
 * (OPENSSL_cleanse); leaves |dir| zeroed, settings included. Accepts NULL. */
void th_rl_dir_cleanup(th_rl_dir *dir);

#endif
