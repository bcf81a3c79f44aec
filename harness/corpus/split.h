/* Turns recorded handshakes into per-target fuzz inputs, using the project's
 * own parsers to find messages, extension blocks and extension bodies:
 *   handshake message body       -> its message target (client_hello, ...)
 *   whole message with header    -> handshake
 *   extension block (u16 prefix) -> ext_block_<ch|sh|hrr|ee|ct|cr|nst|sh12>
 *   the list inside that prefix  -> ext_list
 *   groups, signature algorithms, cipher suites -> u16_list
 *   extension body               -> ext_<form> (named after th_parse_ext_<form>)
 *   alert / ChangeCipherSpec body -> alert / ccs
 *   each record / each direction  -> record / record_stream
 *   TLS 1.3 content + type + 0, 1 or 16 zero bytes -> inner_plaintext
 *   Hash(ClientHello1) before a HelloRetryRequest   -> message_hash
 *   each direction of a TLS 1.2 connection -> handshake_client/server_no_fuzzer_mode
 * A message a parser rejects is still kept as a seed and reported as a
 * warning on the set (BoringSSL sent it, so a rejection may be a codec bug). */
#ifndef TH_CORPUS_SPLIT_H
#define TH_CORPUS_SPLIT_H

#include "bssl_record.h"
#include "extensions.h"
#include "seeds.h"

/* One handshake being split: the messages seen so far decide the version and
 * key exchange that tell the TLS 1.2 and TLS 1.3 forms of a message apart. */
typedef struct {
    th_seed_set *set;
    const char *source; /* configuration or vector name: kinds and warnings */
    uint16_t version;   /* 0 until known (given, or read from the ServerHello) */
    uint16_t cipher_suite;
    uint8_t *first_client_hello; /* owned copy, for message_hash after a HelloRetryRequest */
    size_t first_client_hello_len;
} th_split_ctx;

/* Starts a split; |version| and |cipher_suite| may be 0 (then the
 * ServerHello's decide). */
void th_split_init(th_split_ctx *s, th_seed_set *set, const char *source, uint16_t version,
                   uint16_t cipher_suite);
/* Frees what |s| holds and zeroes it (the seed set is not touched). */
void th_split_cleanup(th_split_ctx *s);

/* Splits one whole handshake message (4-byte header included). 0 only when
 * memory runs out. */
int th_split_handshake_message(th_split_ctx *s, const uint8_t *msg, size_t len) TH_MUST_USE;

/* Seeds inner_plaintext with |data| as content of record type |type| and 0, 1
 * and 16 bytes of zero padding (RFC 8446 §5.2). 0 only when memory runs out. */
int th_split_inner_plaintext(th_split_ctx *s, uint8_t type, const uint8_t *data,
                             size_t len) TH_MUST_USE;

/* Splits a recorded connection: its messages, alerts, CCS, inner plaintexts,
 * records and record streams. 0 only when memory runs out. */
int th_split_conn(th_seed_set *set, const char *source, const th_bssl_conn *conn) TH_MUST_USE;

/* The fuzz target for the body of extension |type| in a block of context
 * |ctx| (e.g. key_share in a ClientHello: "ext_key_share_ch"), or NULL when
 * tlsharness has no typed parser for that form. */
const char *th_split_ext_target(uint16_t type, th_ext_ctx ctx);

/* The fuzz target for a handshake message body of |type| under |version|
 * (0: not known yet) and |cipher_suite|, or NULL when there is none. */
const char *th_split_message_target(uint8_t type, uint16_t version, uint16_t cipher_suite);

#endif
