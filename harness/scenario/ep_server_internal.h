/* Internals of the server role of the scripted endpoint, shared by its
 * files: ep_server.c (state, after sending, the plan), ep_server_ch.c (the
 * ClientHello), ep_server_build.c (our messages) and ep_server_recv.c (the
 * client's later messages). */
#ifndef TH_EP_SERVER_INTERNAL_H
#define TH_EP_SERVER_INTERNAL_H

#include "client_hello.h"
#include "ep_internal.h"
#include "ext_types.h"

/* NewSessionTicket defaults: lifetime (s), nonce and ticket lengths. */
#define TICKET_LIFETIME  7200
#define TICKET_NONCE_LEN 8
#define TICKET_LEN       32

/* Length of a post-handshake certificate_request_context and of a cookie. */
#define PHA_CONTEXT_LEN 32
#define COOKIE_LEN      32

/* Largest record_size_limit (RFC 8449 §4: 2^14 + 1 in TLS 1.3). */
#define RSL_MAX 16385

/* Largest early data skipped when 0-RTT is rejected and the config sets no
 * max_early_data (BoringSSL's limit, as the engine). */
#define EARLY_SKIP_DEFAULT 16384

typedef struct {
    /* The client's current ClientHello: an owned copy of the whole message
     * and its parse (views into the copy). */
    uint8_t *ch_buf;
    size_t ch_len;
    th_client_hello ch;
    int have_ch;
    int num_ch; /* ClientHellos received */

    /* Our choices from the ClientHello. */
    uint16_t suite, group, scheme;
    int need_hrr; /* no share for our group in ClientHello1 */
    char alpn[256];
    int have_alpn;
    uint8_t client_psk_modes; /* bit 1 << mode */
    int psk_ok;               /* the PSK of our ticket, binder checked */
    size_t psk_index;
    int psk_dhe;
    int early_offered, early_accept;
    int early_rejected;  /* reject_early_data done */
    uint16_t client_rsl; /* 0: the client sent no record_size_limit */
    int pha_offered;

    /* What we sent (by th_sc_msg), and what the sent messages said. */
    unsigned char sent[TH_SC_NUM_MSGS];
    size_t num_hrr;
    uint16_t hrr_suite, hrr_group;
    uint8_t *hrr_cookie; /* owned: the cookie our HRR carried */
    size_t hrr_cookie_len;
    int ccs_sent;
    int cr_sent;
    uint8_t cr_context[255];
    size_t cr_context_len;
    uint16_t *cr_sig_algs; /* owned: the schemes our CertificateRequest offered */
    size_t num_cr_sig_algs;
    int cert_sent_empty;
    int keys_ok; /* handshake keys derived after our ServerHello */
    size_t nst_sent;
    uint32_t nst_counter;

    /* What the client sent. */
    int eoed_received;
    int ccert_received, ccert_empty, ccv_received, cfin_received;
    int established;

    /* Post-handshake authentication (RFC 8446 §4.6.2): the transcript
     * through the client Finished, and the exchange in progress. */
    th_transcript pha_base;
    int have_pha_base;
    int pha_pending, pha_cert_received, pha_cert_empty, pha_cv_received;

    int ku_expected;   /* we asked the client to update its key */
    uint16_t read_rsl; /* our record_size_limit, once the EncryptedExtensions sent it */
} sv_state;

/* The name of |alert|, "?" when unknown. */
const char *sv_alert_name(uint8_t alert);

/* A message of the default plan counts as done once sent or skipped (the
 * core marks skipped ones in ep->done). */
int sv_did(const th_ep *ep, const sv_state *st, th_sc_msg msg);

/* Copies |len| bytes into a fresh owned buffer (*out freed first); 0 when
 * out of memory. */
int sv_dup_bytes(uint8_t **out, size_t *out_len, const uint8_t *in, size_t len) TH_MUST_USE;

/* The client's signature_algorithms (an owned copy in *out); 0 when absent
 * or malformed (*out zeroed, safe to clean up). */
int sv_client_sig_algs(const sv_state *st, th_ext_signature_algorithms *out);

/* RFC 8446 §4.2.10: we reject the client's 0-RTT (once per connection):
 * the core skips its early records. */
void sv_reject_early_data(th_ep *ep, sv_state *st);

/* Receives a ClientHello (first or second) and makes our choices. The
 * th_ep_role recv contract. */
int sv_recv_client_hello(th_ep *ep, sv_state *st, const th_ep_event *ev, int *local, char *why,
                         size_t why_len);

/* The th_ep_role build and recv of the server role. */
int sv_build(th_ep *ep, th_sc_msg msg, const th_sc_send *step, CBB *out, char *err, size_t err_len);
int sv_recv(th_ep *ep, const th_ep_event *ev, int *out_local_error, char *why, size_t why_len);

#endif
