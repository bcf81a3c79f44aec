/* Runs one corpus configuration: a BoringSSL client against a BoringSSL
 * server, in-process over two memory BIO pairs with this code in the middle,
 * recording (a) every byte each side put on the wire and (b) every plaintext
 * message each side sent, from SSL_CTX_set_msg_callback: handshake messages
 * with their 4-byte header, alert and ChangeCipherSpec bodies, plus the
 * application data the driver wrote. */
#ifndef TH_CORPUS_BSSL_RECORD_H
#define TH_CORPUS_BSSL_RECORD_H

#include <stdio.h>

#include "configs.h"
#include "pki.h"
#include "th_base.h"

enum { TH_BSSL_CLIENT = 0, TH_BSSL_SERVER = 1 };

typedef struct {
    uint8_t from;         /* TH_BSSL_CLIENT or TH_BSSL_SERVER */
    uint8_t content_type; /* TH_CT_HANDSHAKE, _ALERT, _CHANGE_CIPHER_SPEC, _APPLICATION_DATA */
    uint8_t *data;        /* owned */
    size_t len;
} th_bssl_msg;

/* One connection: the messages in the order they were sent (both sides
 * interleaved) and each side's wire bytes (a record stream). */
typedef struct {
    th_bssl_msg *msgs; /* owned array */
    size_t num_msgs;
    uint8_t *wire[2]; /* owned; indexed by TH_BSSL_CLIENT / TH_BSSL_SERVER */
    size_t wire_len[2];
    uint16_t version;      /* negotiated version, 0 when no handshake completed */
    uint16_t cipher_suite; /* negotiated suite, 0 likewise */
    int established;       /* 1 when both sides completed the handshake */
    int resumed;           /* 1 when the session was resumed */
    int early_data_accepted;
} th_bssl_conn;

typedef struct {
    th_bssl_conn *conns; /* owned array: one, or two when the row resumes */
    size_t num_conns;
} th_bssl_recording;

/* Runs |cfg| with the identities in |pki| and fills |out|. 1 on success (for a
 * row with TH_CC_EXPECT_FAILURE, success means the handshake failed as meant);
 * 0 with a one-line reason written to |err| (may be NULL) and |out| owning
 * nothing. */
int th_bssl_record(const th_corpus_config *cfg, const th_corpus_pki *pki, th_bssl_recording *out,
                   FILE *err) TH_MUST_USE;

/* Frees what |rec| holds; accepts NULL and a zeroed struct, leaves it zeroed. */
void th_bssl_recording_cleanup(th_bssl_recording *rec);

/* 1 if this process has AES hardware enabled in BoringSSL (then rows with
 * TH_CC_NO_AES_HW must run in a process started with it disabled). */
int th_bssl_has_aes_hw(void);

/* The environment setting (NAME=VALUE) that turns BoringSSL's AES hardware
 * support off in a new process on this CPU, or NULL where there is none. */
const char *th_bssl_no_aes_hw_env(void);

/* Serialises |rec| into |out| (a private format for passing a recording from a
 * child process); th_bssl_recording_parse reads it back. Both return 1 on
 * success; the parser returns 0 (|out| owning nothing) on malformed input. */
int th_bssl_recording_serialize(CBB *out, const th_bssl_recording *rec) TH_MUST_USE;
int th_bssl_recording_parse(CBS *in, th_bssl_recording *out) TH_MUST_USE;

#endif
