#include "empty_messages.h"

#include <string.h>

/* RFC 5246 §7.4.1.1 "struct { } HelloRequest;", §7.4.5 "struct { }
 * ServerHelloDone;", RFC 8446 §4.5 "struct {} EndOfEarlyData;". RFC 5246
 * §7.4.1.2: implementations "MUST check that the amount of data in the message
 * precisely matches one of these formats; if not, then it MUST send a fatal
 * "decode_error" alert." BoringSSL sends decode_error for a non-empty
 * ServerHelloDone and EndOfEarlyData too. */
static int parse_empty(CBS *in, uint8_t *out_alert) {
    if (CBS_len(in) != 0) {
        *out_alert = TH_ALERT_DECODE_ERROR;
        return 0;
    }
    return 1;
}

int th_parse_hello_request(CBS *in, th_hello_request *out, uint8_t *out_alert) {
    memset(out, 0, sizeof(*out));
    return parse_empty(in, out_alert);
}

int th_parse_server_hello_done(CBS *in, th_server_hello_done *out, uint8_t *out_alert) {
    memset(out, 0, sizeof(*out));
    return parse_empty(in, out_alert);
}

int th_parse_end_of_early_data(CBS *in, th_end_of_early_data *out, uint8_t *out_alert) {
    memset(out, 0, sizeof(*out));
    return parse_empty(in, out_alert);
}

int th_write_hello_request(CBB *out, const th_hello_request *in) {
    (void)out;
    (void)in;
    return 1;
}

int th_write_server_hello_done(CBB *out, const th_server_hello_done *in) {
    (void)out;
    (void)in;
    return 1;
}

int th_write_end_of_early_data(CBB *out, const th_end_of_early_data *in) {
    (void)out;
    (void)in;
    return 1;
}
