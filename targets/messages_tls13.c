/* Targets for the TLS 1.3 handshake messages (ClientHello and ServerHello
 * serve TLS 1.2 too). */
#include <stdlib.h>

#include <openssl/mem.h>

#include "certificate.h"
#include "certificate_request.h"
#include "certificate_verify.h"
#include "client_hello.h"
#include "encrypted_extensions.h"
#include "finished.h"
#include "fuzz.h"
#include "handshake.h"
#include "key_update.h"
#include "message_hash.h"
#include "new_session_ticket.h"
#include "server_hello.h"

/* ClientHello: beyond the codec oracles, the TLS 1.3 checks answer with a
 * codec alert, and Truncate(ClientHello) lands inside the message, right
 * before the binders list. */
static void client_hello_extra(const uint8_t *data, size_t len) {
    th_client_hello ch;
    uint8_t alert = 0;
    CBS in;
    CBS_init(&in, data, len);
    memset(&ch, 0, sizeof(ch));
    if (!th_parse_client_hello(&in, &ch, &alert)) {
        th_client_hello_cleanup(&ch);
        return;
    }
    if (!th_client_hello_check_tls13(&ch, &alert) && alert != TH_ALERT_ILLEGAL_PARAMETER &&
        alert != TH_ALERT_MISSING_EXTENSION && alert != TH_ALERT_DECODE_ERROR) {
        th_fuzz_oracle_failed("client_hello", "TLS 1.3 check sent an unexpected alert");
    }
    (void)th_client_hello_offers_tls13(&ch);
    int has_psk_last = ch.extensions.num_exts != 0 &&
                       ch.extensions.exts[ch.extensions.num_exts - 1].type == TH_EXT_PRE_SHARED_KEY;
    th_client_hello_cleanup(&ch);

    CBB cbb;
    uint8_t *msg;
    size_t msg_len, trunc_len;
    th_handshake hs = {TH_HS_CLIENT_HELLO, {data, len}};
    if (!CBB_init(&cbb, len + 4) || !th_write_handshake(&cbb, &hs) ||
        !CBB_finish(&cbb, &msg, &msg_len)) {
        abort();
    }
    int ok = th_client_hello_truncated_len(msg, msg_len, &trunc_len);
    if (ok && (!has_psk_last || trunc_len >= msg_len || trunc_len < 4 + 34)) {
        th_fuzz_oracle_failed("client_hello", "Truncate(ClientHello) outside the message");
    }
    OPENSSL_free(msg);
}

TH_FUZZ_CODEC_FN(client_hello, th_client_hello, th_parse_client_hello, th_write_client_hello,
                 th_client_hello_cleanup)

int th_fuzz_client_hello(const uint8_t *data, size_t len) {
    int r = th_fuzz_check_codec("client_hello", client_hello_codec, data, len);
    client_hello_extra(data, len);
    return r;
}

/* ServerHello: the context chosen and HRR detection agree with the random. */
static int server_hello_codec(CBS *in, CBB *out, uint8_t *out_alert) {
    th_server_hello sh;
    memset(&sh, 0, sizeof(sh));
    if (!th_parse_server_hello(in, &sh, out_alert)) {
        th_server_hello_cleanup(&sh);
        return 0;
    }
    int hrr = th_server_hello_is_hrr(&sh);
    th_ext_ctx ctx = th_server_hello_ext_ctx(&sh);
    if (hrr != (ctx == TH_EXT_CTX_HRR)) {
        th_fuzz_oracle_failed("server_hello", "HRR random and extension context disagree");
    }
    if (hrr && th_server_hello_downgrade_sentinel(&sh) != TH_DOWNGRADE_NONE) {
        th_fuzz_oracle_failed("server_hello", "HRR random seen as a downgrade sentinel");
    }
    if (!th_write_server_hello(out, &sh)) {
        th_fuzz_oracle_failed("server_hello", "writer failed on a parsed value");
    }
    th_server_hello_cleanup(&sh);
    return 1;
}

int th_fuzz_server_hello(const uint8_t *data, size_t len) {
    return th_fuzz_check_codec("server_hello", server_hello_codec, data, len);
}

TH_FUZZ_CODEC_TARGET(encrypted_extensions, th_encrypted_extensions, th_parse_encrypted_extensions,
                     th_write_encrypted_extensions, th_encrypted_extensions_cleanup)
TH_FUZZ_CODEC_TARGET(certificate, th_certificate, th_parse_certificate, th_write_certificate,
                     th_certificate_cleanup)
TH_FUZZ_CODEC_TARGET(certificate_request, th_certificate_request, th_parse_certificate_request,
                     th_write_certificate_request, th_certificate_request_cleanup)
TH_FUZZ_CODEC_TARGET(certificate_verify, th_certificate_verify, th_parse_certificate_verify,
                     th_write_certificate_verify, th_fuzz_no_cleanup)
TH_FUZZ_CODEC_TARGET(finished, th_finished, th_parse_finished, th_write_finished,
                     th_fuzz_no_cleanup)
TH_FUZZ_CODEC_TARGET(new_session_ticket, th_new_session_ticket, th_parse_new_session_ticket,
                     th_write_new_session_ticket, th_new_session_ticket_cleanup)
TH_FUZZ_CODEC_TARGET(key_update, th_key_update, th_parse_key_update, th_write_key_update,
                     th_fuzz_no_cleanup)
TH_FUZZ_CODEC_TARGET(message_hash, th_message_hash, th_parse_message_hash, th_write_message_hash,
                     th_fuzz_no_cleanup)
