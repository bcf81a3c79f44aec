/* Handshake messages whose body is empty: HelloRequest and ServerHelloDone
 * (RFC 5246 §7.4.1.1, §7.4.5) and the TLS 1.3 EndOfEarlyData (RFC 8446 §4.5).
 * Each has its own struct and parse/write pair so the engine's message table
 * names them like any other message. */
#ifndef TH_WIRE_EMPTY_MESSAGES_H
#define TH_WIRE_EMPTY_MESSAGES_H

#include "th_base.h"

/* The structs carry nothing (C forbids empty structs): reserved is 0. */
typedef struct {
    uint8_t reserved;
} th_hello_request;

typedef struct {
    uint8_t reserved;
} th_server_hello_done;

typedef struct {
    uint8_t reserved;
} th_end_of_early_data;

/* Parse an empty body; 0 with decode_error when |in| holds any byte. The
 * structs own nothing. */
int th_parse_hello_request(CBS *in, th_hello_request *out, uint8_t *out_alert) TH_MUST_USE;
int th_parse_server_hello_done(CBS *in, th_server_hello_done *out, uint8_t *out_alert) TH_MUST_USE;
int th_parse_end_of_early_data(CBS *in, th_end_of_early_data *out, uint8_t *out_alert) TH_MUST_USE;

/* Write the (empty) body: nothing is added to |out|. Always 1. */
int th_write_hello_request(CBB *out, const th_hello_request *in) TH_MUST_USE;
int th_write_server_hello_done(CBB *out, const th_server_hello_done *in) TH_MUST_USE;
int th_write_end_of_early_data(CBB *out, const th_end_of_early_data *in) TH_MUST_USE;

#endif
