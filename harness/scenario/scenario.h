/* The scenario model (schema v1, scenarios/README.md): what a YAML scenario
 * says once loaded, typed and checked. The loader (load.c) fills it from
 * libyaml documents; the scripted endpoint (endpoint*.c) executes its steps
 * against a peer (peer.h); the runner (runner.c) expands the matrix, applies
 * the expectations file and collects results (report/result.h). Every owned
 * pointer is freed by th_scenario_free. Every step and value keeps the
 * file/line/column it came from, so the runner can name it in a failure. */
#ifndef TH_SCENARIO_H
#define TH_SCENARIO_H
#include <stddef.h>
#include <stdint.h>
#include "th_base.h"

/* Where something was written: 1-based line and column, as printed. */
typedef struct {
    const char *file; /* borrowed from the th_scenario_set's file list */
    unsigned line;
    unsigned column;
} th_sc_loc;

/* Messages a step can send or expect. HRR is its own name though it is a
 * ServerHello on the wire. */
typedef enum {
    TH_SC_MSG_NONE = 0,
    TH_SC_MSG_CLIENT_HELLO,
    TH_SC_MSG_SERVER_HELLO,
    TH_SC_MSG_HELLO_RETRY_REQUEST,
    TH_SC_MSG_ENCRYPTED_EXTENSIONS,
    TH_SC_MSG_CERTIFICATE_REQUEST,
    TH_SC_MSG_CERTIFICATE,
    TH_SC_MSG_CERTIFICATE_VERIFY,
    TH_SC_MSG_FINISHED,
    TH_SC_MSG_END_OF_EARLY_DATA,
    TH_SC_MSG_NEW_SESSION_TICKET,
    TH_SC_MSG_KEY_UPDATE,
    /* TLS 1.2 (issue 7) */
    TH_SC_MSG_SERVER_KEY_EXCHANGE,
    TH_SC_MSG_SERVER_HELLO_DONE,
    TH_SC_MSG_CLIENT_KEY_EXCHANGE,
    TH_SC_MSG_HELLO_REQUEST,
    TH_SC_MSG_CERTIFICATE_STATUS,
    TH_SC_NUM_MSGS,
} th_sc_msg;

/* Name ("client_hello") and wire handshake type of a message; NULL/0 for
 * TH_SC_MSG_NONE. th_sc_msg_by_name returns TH_SC_MSG_NONE when unknown. */
const char *th_sc_msg_name(th_sc_msg msg);
uint8_t th_sc_msg_wire_type(th_sc_msg msg);
th_sc_msg th_sc_msg_by_name(const char *name);

/* Which epoch protects a record we send (RFC 8446 §5, §7.3). CURRENT is the
 * one a correct endpoint would use at that point. */
typedef enum {
    TH_SC_EPOCH_CURRENT = 0,
    TH_SC_EPOCH_PLAINTEXT,
    TH_SC_EPOCH_EARLY,       /* client_early_traffic_secret */
    TH_SC_EPOCH_HANDSHAKE,   /* [sender]_handshake_traffic_secret */
    TH_SC_EPOCH_APPLICATION, /* [sender]_application_traffic_secret_N */
    TH_SC_EPOCH_NEXT,        /* [sender]_application_traffic_secret_N+1, without
                                switching to it (RFC 8446 §7.2) */
} th_sc_epoch;

/* A typed value of a `set:` field or a field check. */
typedef enum {
    TH_SC_VAL_INT,      /* a number or a code point given by name */
    TH_SC_VAL_BYTES,    /* hex string: "0a0b", "0a:0b", or "" */
    TH_SC_VAL_STRING,   /* text (ALPN, server name, certificate name) */
    TH_SC_VAL_INT_LIST, /* list of numbers / code point names */
    TH_SC_VAL_STR_LIST, /* list of text */
} th_sc_val_kind;

typedef struct {
    th_sc_val_kind kind;
    uint64_t i;       /* INT */
    uint8_t *bytes;   /* BYTES (owned) */
    size_t bytes_len; /* BYTES */
    char *str;        /* STRING (owned, NUL-terminated) */
    uint64_t *ints;   /* INT_LIST (owned) */
    char **strs;      /* STR_LIST (owned, each owned) */
    size_t num;       /* INT_LIST / STR_LIST length */
} th_sc_value;

/* The fields a step can set on a message we send or check on a message we
 * receive. The table in fields.c gives each one's message, YAML name, value
 * kind and, for code points, the name space (suite, group, version...).
 * Extension-valued fields (supported_versions, key_shares...) set or check the
 * typed extension: setting one on a message that lacks the extension adds it. */
typedef enum {
    TH_SC_F_NONE = 0,
    /* ClientHello */
    TH_SC_F_CH_LEGACY_VERSION,       /* INT version */
    TH_SC_F_CH_RANDOM,               /* BYTES (32) */
    TH_SC_F_CH_SESSION_ID,           /* BYTES */
    TH_SC_F_CH_CIPHER_SUITES,        /* INT_LIST suite */
    TH_SC_F_CH_COMPRESSION_METHODS,  /* INT_LIST */
    TH_SC_F_CH_SUPPORTED_VERSIONS,   /* INT_LIST version */
    TH_SC_F_CH_SUPPORTED_GROUPS,     /* INT_LIST group */
    TH_SC_F_CH_KEY_SHARES,           /* INT_LIST group: valid shares generated */
    TH_SC_F_CH_SIGNATURE_ALGORITHMS, /* INT_LIST scheme */
    TH_SC_F_CH_ALPN,                 /* STR_LIST */
    TH_SC_F_CH_SERVER_NAME,          /* STRING */
    TH_SC_F_CH_PSK_MODES,            /* INT_LIST (0 psk_ke, 1 psk_dhe_ke) */
    TH_SC_F_CH_RECORD_SIZE_LIMIT,    /* INT */
    /* ServerHello / HelloRetryRequest */
    TH_SC_F_SH_LEGACY_VERSION,     /* INT version */
    TH_SC_F_SH_RANDOM,             /* BYTES (32) */
    TH_SC_F_SH_RANDOM_SUFFIX,      /* BYTES (1-32): the last bytes of random
                                      (the RFC 8446 §4.1.3 downgrade sentinel) */
    TH_SC_F_SH_SESSION_ID_ECHO,    /* BYTES */
    TH_SC_F_SH_CIPHER_SUITE,       /* INT suite */
    TH_SC_F_SH_COMPRESSION_METHOD, /* INT */
    TH_SC_F_SH_SELECTED_VERSION,   /* INT version (supported_versions) */
    TH_SC_F_SH_KEY_SHARE_GROUP,    /* INT group: a valid share in that group */
    TH_SC_F_SH_SELECTED_IDENTITY,  /* INT (pre_shared_key) */
    TH_SC_F_HRR_SELECTED_GROUP,    /* INT group (key_share of an HRR) */
    TH_SC_F_HRR_COOKIE,            /* BYTES */
    /* EncryptedExtensions */
    TH_SC_F_EE_ALPN, /* STRING: the selected protocol */
    TH_SC_F_EE_RECORD_SIZE_LIMIT,
    /* CertificateRequest */
    TH_SC_F_CR_CONTEXT,              /* BYTES */
    TH_SC_F_CR_SIGNATURE_ALGORITHMS, /* INT_LIST scheme */
    /* Certificate */
    TH_SC_F_CT_CONTEXT, /* BYTES */
    TH_SC_F_CT_CHAIN,   /* STRING: a scenarios/pki name, or "empty" */
    /* CertificateVerify */
    TH_SC_F_CV_SCHEME,    /* INT scheme (signed with it even if wrong) */
    TH_SC_F_CV_SIGNATURE, /* BYTES (replaces the signature) */
    TH_SC_F_CV_CONTEXT,   /* STRING "server" or "client": context string signed */
    /* Finished */
    TH_SC_F_FIN_VERIFY_DATA, /* BYTES */
    /* NewSessionTicket */
    TH_SC_F_NST_LIFETIME,
    TH_SC_F_NST_AGE_ADD,
    TH_SC_F_NST_NONCE,          /* BYTES */
    TH_SC_F_NST_TICKET,         /* BYTES */
    TH_SC_F_NST_MAX_EARLY_DATA, /* INT: adds early_data to the NST */
    /* KeyUpdate */
    TH_SC_F_KU_REQUEST_UPDATE, /* INT */
    /* ServerKeyExchange (TLS 1.2, ECDHE) */
    TH_SC_F_SKE_CURVE,     /* INT group: named_curve (the point is made for it) */
    TH_SC_F_SKE_POINT,     /* BYTES: the ECPoint / X25519 key (replaces ours) */
    TH_SC_F_SKE_SCHEME,    /* INT scheme (signed with it even if wrong) */
    TH_SC_F_SKE_SIGNATURE, /* BYTES (replaces the signature) */
    /* ClientKeyExchange (TLS 1.2) */
    TH_SC_F_CKE_POINT,             /* BYTES: ECDHE public value (replaces ours) */
    TH_SC_F_CKE_PREMASTER_VERSION, /* INT version: RSA premaster's client_version */
    TH_SC_F_CKE_PREMASTER_PADDING, /* STRING "bad": broken PKCS#1 type-2 padding */
    TH_SC_F_CKE_PREMASTER_LEN,     /* INT: RSA premaster length (default 48) */
    TH_SC_NUM_FIELDS,
} th_sc_field;

/* Name spaces of code points written by name in YAML (names.h lookups):
 * "TLS_AES_128_GCM_SHA256" or 0x1301 are the same value. */
typedef enum {
    TH_SC_NAMES_NONE = 0, /* plain numbers */
    TH_SC_NAMES_VERSION,  /* tls1.2, tls1.3 or the names.h names */
    TH_SC_NAMES_SUITE,
    TH_SC_NAMES_GROUP,
    TH_SC_NAMES_SCHEME,
    TH_SC_NAMES_ALERT,
    TH_SC_NAMES_EXT,
    TH_SC_NAMES_PSK_MODE,
} th_sc_names;

/* A field's row in the table of fields.c. */
typedef struct {
    th_sc_field field;
    th_sc_msg msg;
    const char *name; /* YAML key, e.g. "cipher_suites" */
    th_sc_val_kind kind;
    th_sc_names names; /* name space of INT / INT_LIST values */
} th_sc_field_info;

/* The row of |field|, or the field called |name| on |msg| (NULL if none). */
const th_sc_field_info *th_sc_field_info_of(th_sc_field field);
const th_sc_field_info *th_sc_field_by_name(th_sc_msg msg, const char *name);

typedef struct {
    th_sc_field field;
    th_sc_value value;
    th_sc_loc loc;
} th_sc_set;

/* Extension edits on a message we send, applied in order after `set:`. */
typedef enum {
    TH_SC_EXT_REMOVE,    /* drop every extension of |type| */
    TH_SC_EXT_ADD,       /* add |body| (raw) at |position| */
    TH_SC_EXT_REPLACE,   /* replace the body of |type| (added if absent) */
    TH_SC_EXT_DUPLICATE, /* a second copy right after the first */
    TH_SC_EXT_MOVE,      /* move |type| to |position| */
} th_sc_ext_op_kind;

/* Positions: an index into the block, or one of these. END is the end but
 * before pre_shared_key (which a correct ClientHello keeps last); LAST is
 * after everything, pre_shared_key included. */
#define TH_SC_POS_END   (-1)
#define TH_SC_POS_LAST  (-2)
#define TH_SC_POS_FIRST 0

typedef struct {
    th_sc_ext_op_kind op;
    uint16_t type;
    uint8_t *body; /* owned; ADD and REPLACE */
    size_t body_len;
    int position; /* ADD and MOVE */
    th_sc_loc loc;
} th_sc_ext_op;

/* Bit flips in what we send (the bit counts from the first byte's most
 * significant bit of the named part). */
typedef enum {
    TH_SC_FLIP_NONE = 0,
    TH_SC_FLIP_VERIFY_DATA, /* Finished */
    TH_SC_FLIP_SIGNATURE,   /* CertificateVerify (or ServerKeyExchange) */
    TH_SC_FLIP_BINDER,      /* the first PSK binder of a ClientHello */
    TH_SC_FLIP_BODY,        /* the message body, anywhere (bit index) */
    TH_SC_FLIP_CIPHERTEXT,  /* the encrypted part of the record */
    TH_SC_FLIP_TAG,         /* the last byte of the record (the AEAD tag) */
} th_sc_flip_part;

typedef struct {
    th_sc_flip_part part;
    size_t bit;
} th_sc_flip;

/* How the bytes of a send step become records. */
typedef struct {
    th_sc_epoch epoch;
    int has_content_type; /* TLSPlaintext.type (plaintext) or the inner type */
    uint8_t content_type;
    int has_outer_type; /* TLSCiphertext.opaque_type of a protected record */
    uint8_t outer_type;
    int has_version; /* legacy_record_version */
    uint16_t version;
    int has_length; /* the record's length field, whatever follows */
    uint16_t length;
    size_t fragment; /* at most this many content bytes per record; 0: 2^14 */
    int coalesce;    /* hold: the next send joins this one in one record */
    int has_padding; /* TLSInnerPlaintext padding (zero bytes) */
    size_t padding;
    int has_pad_byte; /* a non-zero byte at the end of the padding */
    uint8_t pad_byte;
    int no_encrypt;  /* send plaintext even where a key is in use */
    int bad_padding; /* TLS 1.2 CBC: a wrong padding byte (MAC still right) */
} th_sc_record_opts;

typedef enum {
    TH_SC_SEND_MESSAGE,      /* a handshake message (msg) */
    TH_SC_SEND_CCS,          /* change_cipher_spec: `data` (default 01) */
    TH_SC_SEND_ALERT,        /* alert level + description */
    TH_SC_SEND_APP_DATA,     /* application_data: `data` */
    TH_SC_SEND_CLOSE_NOTIFY, /* warning close_notify */
    TH_SC_SEND_RECORD,       /* a record of content_type with `data` */
    TH_SC_SEND_RAW,          /* `data` straight onto the wire */
} th_sc_send_kind;

typedef struct {
    th_sc_send_kind kind;
    th_sc_msg msg;
    th_sc_set *sets; /* owned */
    size_t num_sets;
    th_sc_ext_op *ext_ops; /* owned */
    size_t num_ext_ops;
    int has_body; /* replace the whole message body */
    uint8_t *body;
    size_t body_len;
    uint8_t *append; /* bytes after the body (trailing data) */
    size_t append_len;
    size_t truncate;    /* bytes cut off the end of the body */
    int has_msg_length; /* the handshake header's length field */
    uint32_t msg_length;
    int has_msg_type; /* the handshake header's type byte */
    uint8_t msg_type;
    int no_transcript; /* keep this message out of our transcript */
    size_t times;      /* send it this many times (0 and 1: once) */
    th_sc_flip flip;
    uint8_t alert_level; /* ALERT */
    uint8_t alert_desc;
    uint8_t *data; /* CCS / APP_DATA / RECORD / RAW */
    size_t data_len;
    uint16_t key_update_request; /* KEY_UPDATE shortcut via msg */
    th_sc_record_opts rec;
} th_sc_send;

typedef enum {
    TH_SC_EXPECT_MESSAGE,    /* a handshake message, fields checked */
    TH_SC_EXPECT_ALERT,      /* one of |alerts| (any level unless |level|) */
    TH_SC_EXPECT_CLOSE,      /* the peer closed: EOF, or failed/closed with
                                nothing more to send */
    TH_SC_EXPECT_NOTHING,    /* no record within |deadline_ms| */
    TH_SC_EXPECT_APP_DATA,   /* application data equal to |data| */
    TH_SC_EXPECT_CCS,        /* a change_cipher_spec record */
    TH_SC_EXPECT_NEGOTIATED, /* what the handshake agreed, as we saw it */
    TH_SC_EXPECT_ESTABLISHED /* the handshake is complete (both Finished) */
} th_sc_expect_kind;

typedef struct {
    th_sc_expect_kind kind;
    th_sc_msg msg;
    th_sc_set *fields; /* owned: each must equal */
    size_t num_fields;
    uint16_t *ext_present; /* owned: extension types that must be there */
    size_t num_ext_present;
    uint16_t *ext_absent;
    size_t num_ext_absent;
    uint8_t *alerts; /* owned: acceptable descriptions */
    size_t num_alerts;
    uint8_t level; /* 0 any, 1 warning, 2 fatal */
    unsigned deadline_ms;
    uint8_t *data;
    size_t data_len;
    /* NEGOTIATED: 0 / NULL / -1 means not checked */
    uint16_t version;
    uint16_t cipher_suite;
    uint16_t group;
    char *alpn; /* "" checks that no ALPN was agreed */
    int resumed;
    int hello_retry;
    int early_data_accepted;
} th_sc_expect;

/* The default handshake from the current point: every message a correct
 * endpoint would send or expect, until we are about to send |until| (not
 * sent) or the handshake is complete. Messages in |skip| are not sent. */
typedef struct {
    th_sc_msg until; /* NONE: to the end */
    th_sc_msg *skip; /* owned */
    size_t num_skip;
} th_sc_handshake;

typedef enum {
    TH_SC_STEP_SEND,
    TH_SC_STEP_EXPECT,
    TH_SC_STEP_HANDSHAKE,
    TH_SC_STEP_ANY_OF, /* alternatives: the first whose first expect matches
                          the peer's next event runs */
    TH_SC_STEP_REPEAT, /* |steps| |count| times */
} th_sc_step_kind;

typedef struct th_sc_step th_sc_step;
typedef struct {
    th_sc_step *steps; /* owned */
    size_t num_steps;
} th_sc_steps;

struct th_sc_step {
    th_sc_step_kind kind;
    th_sc_loc loc;
    th_sc_send send;
    th_sc_expect expect;
    th_sc_handshake handshake;
    th_sc_steps *alts; /* ANY_OF: owned array */
    size_t num_alts;
    th_sc_steps body; /* REPEAT */
    size_t count;
};

/* One side's settings. The scenario's `config:` fills both sides (the peer is
 * configured to match), `peer:` overrides the peer's. Zero means the default
 * (scenarios/README.md). */
typedef struct {
    uint16_t *versions; /* owned; default {tls1.3} */
    size_t num_versions;
    uint16_t *cipher_suites;
    size_t num_cipher_suites;
    uint16_t *groups;
    size_t num_groups;
    int has_key_shares; /* client: the groups that get a share (may be
                           empty); default the first group */
    uint16_t *key_shares;
    size_t num_key_shares;
    uint16_t *sig_schemes;
    size_t num_sig_schemes;
    char **alpn;
    size_t num_alpn;
    char *server_name;   /* client: SNI; server peer: the name it requires */
    char *certificate;   /* scenarios/pki name, e.g. "server-ecdsa-p256" */
    int client_auth;     /* server: 0 none, 1 request, 2 require */
    int resume;          /* a first handshake gets a ticket; then resume it */
    int psk_ke;          /* client: offer psk_ke instead of psk_dhe_ke */
    uint8_t *early_data; /* client: 0-RTT data (owned) */
    size_t early_data_len;
    uint32_t max_early_data; /* server: tickets allow this much 0-RTT */
    int middlebox_compat;
    int hrr_cookie;             /* server: cookie in every HRR */
    uint16_t record_size_limit; /* 0: none */
    int post_handshake_auth;    /* client: offer it */
    int require_sni;            /* server peer: refuse a CH without SNI */
    int echo;                   /* peer: echo application data (default 1) */
    int no_ems; /* `ems: false`: TLS 1.2 without extended_master_secret (RFC 7627) */
    int accept_renegotiation; /* TLS 1.2 client: answer a HelloRequest with a
                                 (secure, RFC 5746) renegotiation instead of
                                 refusing it */
} th_sc_side;

typedef struct {
    char *doc;     /* "8446" */
    char *section; /* "4.2.8" */
    char *quote;
} th_sc_rfc;

typedef struct {
    char *id;
    char *title;
    th_sc_rfc rfc;
    int role;     /* th_role of OUR side: TH_ROLE_CLIENT or TH_ROLE_SERVER */
    char **peers; /* owned; empty: every peer */
    size_t num_peers;
    th_sc_side ours;
    th_sc_side peer;
    int peer_configured; /* a `peer:` map: settings only in-process peers take */
    th_sc_steps steps;
    char *matrix_label; /* "cipher_suite=TLS_AES_128_GCM_SHA256" or NULL */
    th_sc_loc loc;      /* the document's start */
} th_scenario;

/* Every scenario loaded from a set of files, matrix rows expanded (one
 * th_scenario per combination). */
typedef struct {
    char **files; /* owned paths, referenced by every th_sc_loc */
    size_t num_files;
    th_scenario **scenarios; /* owned */
    size_t num_scenarios;
} th_scenario_set;

void th_scenario_free(th_scenario *s);
void th_scenario_set_cleanup(th_scenario_set *set);

#endif
