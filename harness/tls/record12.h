/* TLS 1.2 record protection (RFC 5246 §6.2.3): one th_rl12_dir per direction
 * holds the keys of the current connection state, seals TLSPlaintext into
 * TLSCiphertext records and opens them again. AES-GCM follows RFC 5288 (the
 * sequence number as the 8-byte explicit nonce), ChaCha20-Poly1305 RFC 7905,
 * AES-CBC-HMAC-SHA1 either MAC-then-encrypt through BoringSSL's constant-time
 * TLS CBC AEAD (RFC 5246 §6.2.3.2) or encrypt-then-MAC (RFC 7366). Every
 * decryption failure is bad_record_mac, with no other observable difference.
 * Framing (th_parse_record), CCS handling and which key protects which record
 * are the engine's. No allocation per record. */
#ifndef TH_RECORD12_H
#define TH_RECORD12_H

#include <openssl/aead.h>
#include <openssl/cipher.h>
#include <openssl/hmac.h>

#include "kex.h"
#include "keys12.h"
#include "record.h"
#include "th_base.h"

/* Smallest plaintext limit (record_size_limit, RFC 8449 §4). */
#define TH_RL12_MIN_PLAINTEXT_LIMIT 64

/* Whether a direction seals (write) or opens (read) records. BoringSSL's TLS
 * CBC AEADs are keyed for one direction only. */
typedef enum {
    TH_RL12_OPEN = 0,
    TH_RL12_SEAL,
} th_rl12_direction;

/* One direction of TLS 1.2 record protection. A zeroed th_rl12_dir has no
 * key: seal and open refuse until th_rl12_dir_set_key. The fields are public
 * for reading (reports, tests); change them only through the functions. */
typedef struct {
    const th_tls12_suite *suite; /* NULL while no key is set */
    th_rl12_direction direction;
    int encrypt_then_mac;   /* RFC 7366 negotiated (CBC suites only) */
    EVP_AEAD_CTX aead;      /* GCM, ChaCha20-Poly1305 or the TLS CBC AEAD (MtE) */
    EVP_CIPHER_CTX cbc;     /* CBC suites: raw AES-CBC (EtM, and scripted MtE seals) */
    HMAC_CTX hmac;          /* CBC suites: HMAC-SHA1 keyed with the MAC key */
    th_secret fixed_iv;     /* GCM salt (4 bytes) or ChaCha20-Poly1305 IV (12) */
    uint64_t seq;           /* sequence number of the next record (§6.1) */
    size_t plaintext_limit; /* largest TLSPlaintext.length; 0 means 2^14 */
    th_random_fn random;    /* CBC IVs; NULL means RAND_bytes */
    void *random_ctx;
} th_rl12_dir;

/* Keys |dir| for |suite| with one sender's write keys (RFC 5246 §6.3):
 * |mac_key| (CBC only), |enc_key| and |fixed_iv| (GCM and ChaCha only), each
 * exactly the suite's length (empty secrets, or NULL, where the suite uses
 * none), and resets the sequence number (§6.1: "set to zero whenever a
 * connection state is made the active state"). |encrypt_then_mac| selects
 * RFC 7366 and is refused for AEAD suites (§3: "does not apply to ...
 * GenericAEADCiphers"). The plaintext limit and randomness carry over. 0
 * (internal_error) for an unknown suite, a wrong key length or a crypto
 * failure; |dir| then has no key. */
int th_rl12_dir_set_key(th_rl12_dir *dir, uint16_t suite, th_rl12_direction direction,
                        int encrypt_then_mac, const th_secret *mac_key, const th_secret *enc_key,
                        const th_secret *fixed_iv) TH_MUST_USE;

/* th_rl12_dir_set_key with the client's (|sender_is_server| 0) or the
 * server's keys of |kb|, e.g. the client's write keys for a server's read
 * direction. */
int th_rl12_dir_set_key_block(th_rl12_dir *dir, uint16_t suite, th_rl12_direction direction,
                              int encrypt_then_mac, const th_tls12_key_block *kb,
                              int sender_is_server) TH_MUST_USE;

/* Sets the largest TLSPlaintext.length |dir| seals (the peer's
 * record_size_limit or max_fragment_length, for the write direction) or
 * accepts (our advertised limit, for the read direction). RFC 8449 §4: in
 * TLS 1.2 "the limit covers all input to compression and encryption".
 * Values above 2^14 count as 2^14. 0 for a value below 64. */
int th_rl12_dir_set_plaintext_limit(th_rl12_dir *dir, size_t limit) TH_MUST_USE;

/* Sets the randomness for CBC IVs (RFC 5246 §6.2.3.2: "MUST be
 * unpredictable"); NULL restores RAND_bytes. Tests and fuzzing pass a
 * deterministic source. */
void th_rl12_dir_set_random(th_rl12_dir *dir, th_random_fn random, void *random_ctx);

/* Sets the sequence number of the next record (tests of exhaustion). AES-GCM
 * seals refuse a sequence number below one already used under the key, since
 * it is the explicit nonce (RFC 5288 §3: "MUST be distinct"). */
void th_rl12_dir_set_seq(th_rl12_dir *dir, uint64_t seq);

/* The largest content one record of |dir| can carry: 2^14 or the plaintext
 * limit. */
size_t th_rl12_max_content_len(const th_rl12_dir *dir);

/* Deviations a scripted endpoint may ask th_rl12_seal_ex for. A zeroed struct
 * means a conforming record. */
typedef struct {
    uint16_t version;          /* record version; 0 means 0x0303 */
    unsigned cbc_extra_blocks; /* CBC: padding blocks beyond the minimum (the
                                  padding stays at most 255 bytes) */
    uint8_t cbc_pad_xor;       /* CBC: XORed into the last padding byte before
                                  the padding_length byte (or into padding_length
                                  itself when there is no padding) */
    uint8_t mac_xor;           /* XORed into the first byte of the MAC or tag */
} th_rl12_seal_opts;

/* Appends one TLSCiphertext record to |out|: |content| of type |type|
 * protected under the next sequence number, version 0x0303 (RFC 5246
 * §6.2.3). |type| is written as given, so the scripted endpoint can send
 * malformed records; sizes are not: content over the plaintext limit is
 * refused. |content| must not point into |out|'s buffer. 0 (internal_error)
 * on a refusal, no key, a read-direction |dir|, an exhausted sequence number
 * or a CBB/crypto failure; |out| may then hold a partial record, which the
 * caller discards. */
int th_rl12_seal(th_rl12_dir *dir, CBB *out, uint8_t type, const uint8_t *content,
                 size_t content_len) TH_MUST_USE;

/* th_rl12_seal with the deviations of |opts| (NULL for none). CBC records
 * with non-default padding or a corrupted MAC are built with plain AES-CBC
 * and HMAC (no constant-time need on our own data). 0 also for padding that
 * would exceed 255 bytes. */
int th_rl12_seal_ex(th_rl12_dir *dir, CBB *out, uint8_t type, const uint8_t *content,
                    size_t content_len, const th_rl12_seal_opts *opts) TH_MUST_USE;

/* Opens the protected record |rec| (from th_parse_record) into |out|, which
 * holds |out_cap| bytes: at least the fragment length, or exactly
 * rec->fragment.data (with |out_cap| its length) to decrypt in place. On
 * success |out_content| is the plaintext (a view into |out|, not necessarily
 * at its start) and the sequence number advances. The record type is
 * authenticated but not judged (the engine refuses unexpected types and
 * empty handshake/alert records). 0 with *out_alert: record_overflow for a
 * ciphertext over 2^14 + 2048 bytes or a plaintext over the limit;
 * bad_record_mac for every decryption failure (too short, not a block
 * multiple, bad tag, bad MAC, bad padding: RFC 5246 §6.2.3.2, RFC 5288 §3,
 * RFC 7366 §3); internal_error for no key, a write-direction |dir|, an
 * exhausted sequence number or a short buffer. |out| is scratch on failure. */
int th_rl12_open(th_rl12_dir *dir, const th_record *rec, uint8_t *out, size_t out_cap,
                 th_bytes *out_content, uint8_t *out_alert) TH_MUST_USE;

/* Frees the cipher state and wipes every key (OPENSSL_cleanse); leaves |dir|
 * zeroed, settings included. Accepts NULL. */
void th_rl12_dir_cleanup(th_rl12_dir *dir);

#endif
