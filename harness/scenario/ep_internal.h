/* Internals of the scripted endpoint (endpoint.h), shared by the core
 * (ep_core.c: run loop, steps, expectations; ep_record.c: records both ways;
 * ep_transcript.c: the text transcript and key log) and the two roles
 * (ep_client.c, ep_server.c), with what both build and check alike in
 * ep_shared.c.
 *
 * The core owns the connection: the peer, the record layer in both
 * directions with one th_rl_dir per epoch (so `record: {epoch: handshake}`
 * after the application keys and trial decryption of an alert under an older
 * key both work), the receive buffer and handshake reassembly, the running
 * transcript hash, the event log and the outcome. A role (th_ep_role) knows
 * the handshake of one side: it builds our messages as typed structs (so
 * `set:` fields and extension edits apply before writing), processes the
 * peer's messages as a correct endpoint would (keys, transcript, checks, with
 * a mismatch text naming the RFC rule when the peer is wrong) and tells the
 * default plan: what a correct endpoint sends or expects next.
 *
 * Send pipeline of a `send: <message>` step (ep_send_message):
 *   role->build  -> whole handshake message (header + body) with sets, ext
 *                   ops and the role's flips (verify_data, signature, binder)
 *   core         -> body / append / truncate / flip body / header type and
 *                   length edits, then records (ep_send_records)
 *   transcript   -> the bytes actually sent are added (unless no_transcript
 *                   or role->out_of_place)
 *   role->sent   -> state after sending (keys switch, plan advances), not
 *                   called for no_transcript or out_of_place messages
 *
 * `times: N` on a handshake message sends N copies, each sealed as a new
 * record (a duplicated message; the transcript takes the first); on the
 * other sends it replays the very bytes of the first (a replayed record).
 * `record: {coalesce: true}` holds the content, with the epoch and a
 * snapshot of the write key of that moment, until the next send: the same
 * content type joins it in one record, another goes out right after it in
 * the same write. Without `fragment`, records are cut at 2^14 bytes or the
 * peer's record_size_limit; `fragment` is obeyed even beyond both.
 */
#ifndef TH_EP_INTERNAL_H
#define TH_EP_INTERNAL_H

#include <stdio.h>

#include <openssl/ctrdrbg.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "client_hello.h"
#include "conn.h"
#include "endpoint.h"
#include "extensions.h"
#include "handshake.h"
#include "kex.h"
#include "keys13.h"
#include "record.h"
#include "record_layer.h"
#include "x509.h"

/* Largest number of key shares we put in one ClientHello. */
#define TH_EP_MAX_SHARES 8

/* Length of the texts of one mismatch (expected / got). */
#define TH_EP_TEXT_MAX 512

/* ---- events: what the peer said next ---------------------------------- */

typedef enum {
    TH_EP_EV_NONE = 0, /* no event read yet (internal) */
    TH_EP_EV_MESSAGE,  /* a whole handshake message */
    TH_EP_EV_ALERT,    /* an alert record (plaintext or decrypted) */
    TH_EP_EV_CCS,      /* a change_cipher_spec record */
    TH_EP_EV_APP_DATA, /* application data (decrypted) */
    TH_EP_EV_CLOSE,    /* EOF: the peer closed or failed silently */
    TH_EP_EV_NOTHING,  /* nothing within the deadline */
    TH_EP_EV_BAD,      /* a record we cannot read: undecryptable, unknown
                          content type, broken framing (text says why) */
    TH_EP_EV_ERROR,    /* the transport failed (text says why) */
} th_ep_event_kind;

typedef struct {
    th_ep_event_kind kind;
    th_sc_epoch epoch; /* the read epoch the record came under */
    uint8_t hs_type;   /* MESSAGE: handshake type byte */
    th_sc_msg msg;     /* MESSAGE: our name for it (HRR told apart) */
    uint8_t *bytes;    /* owned: MESSAGE whole message (header included);
                          APP_DATA / CCS / BAD: the content */
    size_t len;
    uint8_t alert_level; /* ALERT */
    uint8_t alert_desc;
    uint8_t content_type; /* BAD: the (inner) type */
    char text[256];       /* BAD / ERROR: what went wrong */
} th_ep_event;

void th_ep_event_cleanup(th_ep_event *ev);

/* One-line description ("message server_hello", "alert fatal decode_error",
 * "close", ...) for mismatch texts. */
void th_ep_event_describe(const th_ep_event *ev, char *out, size_t out_len);

/* ---- the plan: what a correct endpoint does next ---------------------- */

typedef enum {
    TH_EP_NEXT_DONE = 0, /* the handshake is complete: nothing more */
    TH_EP_NEXT_SEND,     /* we send |msg| */
    TH_EP_NEXT_EXPECT,   /* we wait for a peer message (|msg| is the most
                            likely one, for texts; the role accepts any that
                            is valid in its state) */
} th_ep_next_kind;

typedef struct {
    th_ep_next_kind kind;
    th_sc_msg msg;
} th_ep_next;

/* ---- roles ------------------------------------------------------------ */

typedef struct th_ep th_ep;

typedef struct {
    /* Called once per connection after connect (state reset, first keys). */
    int (*start)(th_ep *ep);
    /* Builds the message |msg| a correct endpoint would send now, applies
     * step->sets (fields of scenario.h), step->ext_ops (ep_apply_ext_ops) and
     * the flips of verify_data / signature / binder, and writes the whole
     * handshake message (4-byte header + body) into |out| (CBB initialised
     * by the caller). 0 with |err| when it cannot (ERROR verdict): a message
     * this role never sends, a missing key, a bad `set:` value. |step| may be
     * NULL for the default message (handshake step). */
    int (*build)(th_ep *ep, th_sc_msg msg, const th_sc_send *step, CBB *out, char *err,
                 size_t err_len);
    /* After the message (the final bytes in |wire|, header included) went
     * out and, unless no_transcript or a NewSessionTicket / KeyUpdate, into
     * the transcript (first copy only with `times`): key changes, plan
     * state. Called once even with `times`. 0 with |err| on a local
     * failure. */
    int (*sent)(th_ep *ep, th_sc_msg msg, const uint8_t *wire, size_t len, char *err,
                size_t err_len);
    /* 1 if sending |msg| now is out of place in a way that must not touch
     * our state (a hello after the hellos are done): the core then keeps it
     * out of the transcript and does not call |sent|. */
    int (*out_of_place)(th_ep *ep, th_sc_msg msg);
    /* Processes a received handshake message as a correct endpoint would
     * (transcript: the role adds it with ep_transcript_add where the key
     * schedule needs it; keys; checks). 1 if the peer's message is
     * acceptable; 0 with |why| naming the RFC rule the peer broke (the step
     * fails), or with *out_local_error = 1 and |why| for our own failure. */
    int (*recv)(th_ep *ep, const th_ep_event *ev, int *out_local_error, char *why, size_t why_len);
    /* The default plan from the current state. A `skip:` sets
     * ep->done[msg] = 1 without building or sending the message: the plan
     * must then move past it. */
    th_ep_next (*next)(th_ep *ep);
    /* Frees the role's private state (ep->role_state). */
    void (*cleanup)(th_ep *ep);
    /* TLS 1.2 hooks (ep12_*.c; NULL in the TLS 1.3 roles). seal: protects
     * one record of |type| (already the record's type byte) with our write
     * key after our ChangeCipherSpec, appending header + fragment to |out|.
     * open: decrypts a protected record with the peer's key into |buf|
     * (|cap| bytes), 0 with *out_alert. ccs_sent / ccs_recv: a
     * change_cipher_spec went out / came in (switch the write / read keys).
     * before_send: the default plan is about to send |msg| (our CCS goes out
     * before our Finished). */
    int (*seal)(th_ep *ep, CBB *out, uint8_t type, uint16_t version, const uint8_t *content,
                size_t len, const th_sc_record_opts *opts);
    int (*open)(th_ep *ep, const th_record *rec, uint8_t *buf, size_t cap, th_bytes *out,
                uint8_t *out_alert);
    int (*ccs_sent)(th_ep *ep, char *err, size_t err_len);
    void (*ccs_recv)(th_ep *ep, const uint8_t *data, size_t len);
    int (*before_send)(th_ep *ep, th_sc_msg msg, char *err, size_t err_len);
    /* Replaces ep_check_fields for this role (TLS 1.2 message forms); NULL:
     * ep_check_fields. */
    int (*check_fields)(th_ep *ep, const th_ep_event *ev, const th_sc_expect *x, char *exp,
                        size_t exp_len, char *got, size_t got_len);
} th_ep_role;

extern const th_ep_role th_ep_client_role;
extern const th_ep_role th_ep_server_role;
/* TLS 1.2 roles (ep12_client.c, ep12_server.c). */
extern const th_ep_role th_ep12_client_role;
extern const th_ep_role th_ep12_server_role;

/* The role a scenario starts with: the TLS 1.2 one when our versions hold
 * tls1.2 but not tls1.3, else |dflt| (ep12_common.c). */
const th_ep_role *ep12_initial_role(const th_scenario *sc, const th_ep_role *dflt);

/* Version dispatch on a received message (called by the record layer as the
 * event is made, before any role sees it): a TLS 1.3 client role meeting a
 * TLS 1.2 ServerHello, or a TLS 1.3 server role meeting a ClientHello that
 * offers no TLS 1.3, hands the connection to the TLS 1.2 role when our
 * versions hold tls1.2 (ep12_common.c). */
void ep12_dispatch(th_ep *ep, const th_ep_event *ev);

/* For the TLS 1.3 client role's ClientHello when our versions also hold
 * tls1.2: adds extended_master_secret, an empty renegotiation_info,
 * ec_point_formats and an empty session_ticket, which a TLS 1.2 server
 * (ours requires EMS by default) needs. Does nothing without tls1.2. 0 when
 * out of memory. */
int ep12_client_hello_exts(th_ep *ep, th_ext_block *exts) TH_MUST_USE;

/* ---- the endpoint ----------------------------------------------------- */

/* One direction's record protection, a th_rl_dir per epoch (suite 0: not
 * keyed); cur_epoch is what a correct endpoint uses now. */
typedef struct {
    th_rl_dir early;       /* client_early_traffic_secret */
    th_rl_dir hs;          /* [sender]_handshake_traffic_secret */
    th_rl_dir app;         /* [sender]_application_traffic_secret_N */
    th_rl_dir app_prev;    /* read: _N-1 after a KeyUpdate (trial decryption) */
    th_rl_dir next;        /* write: _N+1 for `epoch: next`, derived on use */
    th_secret next_of;     /* write: the _N that |next| follows */
    th_sc_epoch cur_epoch; /* PLAINTEXT, EARLY, HANDSHAKE or APPLICATION (never NEXT) */
} th_ep_dir;

/* What the handshake agreed, as we saw it (expect: negotiated). */
typedef struct {
    uint16_t version;
    uint16_t cipher_suite;
    uint16_t group; /* 0 for psk_ke */
    char alpn[256]; /* "" when none */
    int resumed;
    int hello_retry;
    int early_data_accepted;
    int established; /* both Finished sent / received */
} th_ep_negotiated;

/* A ticket kept for resumption (client: the newest received; server: the
 * newest we issued), across the connections of one run. */
typedef struct {
    int valid;
    uint16_t suite;
    th_secret psk;   /* from resumption_master_secret and the nonce */
    uint8_t *ticket; /* owned */
    size_t ticket_len;
    uint32_t age_add;
    uint32_t lifetime;
    uint32_t max_early_data;
    /* RFC 8446 §4.2.10: the ALPN protocol of the connection the ticket
     * came from ("" for none), which accepted 0-RTT must keep. */
    char alpn[256];
} th_ep_ticket;

struct th_ep {
    const th_scenario *sc;
    const th_sc_side *cfg; /* our side: &sc->ours */
    const th_ep_opts *opts;
    int role;              /* TH_ROLE_CLIENT or TH_ROLE_SERVER (ours) */
    const th_ep_role *ops; /* role implementation */
    void *role_state;      /* role private (freed by ops->cleanup) */
    th_peer *peer;
    int connected;
    int first_connection; /* the `resume` ticket run: no step applies */

    CTR_DRBG_STATE *drbg; /* all our randomness, seeded from opts->seed */

    /* Trust anchors and our certificate (loaded on demand). */
    X509_STORE *trust;
    th_cert_key cert; /* cfg->certificate; num_chain 0 when none */
    /* This connection: the chain of a `chain:` set, and the chain our last
     * Certificate carried (NULL: empty), whose key signs our
     * CertificateVerify. */
    th_cert_key alt_cert;
    const th_cert_key *sent_cert;

    /* Records. */
    th_ep_dir rd, wr;
    uint8_t *rbuf; /* bytes read from the peer not yet parsed */
    size_t rbuf_len, rbuf_cap;
    th_hs_reasm reasm;
    th_sc_epoch reasm_epoch; /* epoch of the pending handshake bytes */
    th_ep_event peeked;      /* kind NONE when no event is waiting */
    int peer_eof;
    /* `coalesce` joins the next send's content into the same record: the
     * held content, its type and epoch. */
    uint8_t *hold; /* content bytes */
    size_t hold_len;
    uint8_t hold_type;
    th_sc_record_opts hold_opts; /* epoch resolved when held */
    int holding;
    th_rl_dir hold_dir;  /* the write key when the content was held */
    uint8_t *last_write; /* the bytes of the last write, for `times` replays */
    size_t last_write_len;
    uint16_t peer_record_size_limit; /* what we honour when sealing */
    /* Server that rejected 0-RTT (RFC 8446 §4.2.10): while > 0, protected
     * records that do not open, or open under the early keys but are not
     * alerts, are dropped (logged) and their length subtracted. */
    size_t early_skip_budget;
    /* 0-RTT application data received while the handshake plan ran (server
     * role), consumed first by `expect: application_data`. */
    uint8_t *early_rcvd;
    size_t early_rcvd_len;

    /* Transcript: messages before the hash is known are buffered. */
    th_transcript transcript;
    int transcript_ready;
    const EVP_MD *md;
    uint8_t *pending_th; /* owned: messages added before ep_transcript_start */
    size_t pending_th_len;

    /* Handshake state common to both roles. */
    uint8_t client_random[32];
    uint8_t server_random[32];
    uint8_t session_id[32];
    size_t session_id_len;
    th_kex kex[TH_EP_MAX_SHARES]; /* our key pairs (client: one per share) */
    size_t num_kex;
    th_secret early_secret, handshake_secret, master_secret;
    th_secret c_e, c_hs, s_hs, c_ap, s_ap, res_master, exp_master;
    uint8_t *cookie; /* owned: HRR cookie to echo */
    size_t cookie_len;
    int psk_offered, psk_accepted, early_offered;
    EVP_PKEY *peer_key; /* owned: the peer's leaf key */
    int peer_cert_empty;
    uint16_t *peer_sig_algs; /* owned: CertificateRequest / CH schemes */
    size_t num_peer_sig_algs;
    uint8_t *cr_context; /* owned: the context of the CertificateRequest */
    size_t cr_context_len;
    int cert_requested; /* a CertificateRequest came (client) / was sent */
    int key_update_due; /* the peer asked for a KeyUpdate (update_requested) */
    th_ep_negotiated neg;
    th_ep_ticket ticket; /* client: newest ticket (kept across connections) */
    /* Plan state: messages of the default handshake already done (sent,
     * skipped or received), indexed by th_sc_msg. */
    unsigned char done[TH_SC_NUM_MSGS];

    /* The outcome being filled: text transcript and key log. */
    FILE *log; /* memstream of the text transcript */
    char *log_buf;
    size_t log_size;
    FILE *keylog;
    char *keylog_buf;
    size_t keylog_size;

    /* Where we are, for mismatch texts. */
    size_t top_step; /* 1-based top-level step index */
    const th_sc_step *cur_step;

    /* TLS 1.2 session kept across connections (ep12_*.c): its session ID
     * and whether its master secret is the extended one (RFC 7627); suite,
     * master secret (ticket.psk) and ticket are in |ticket|. */
    uint8_t sess12_id[32];
    size_t sess12_id_len;
    int sess12_ems;
};

/* ---- helpers the roles use -------------------------------------------- */

/* Our configured cipher suites, groups and signature schemes, or the
 * engine's defaults when the config names none (ep_shared.c). */
const uint16_t *ep_our_suites(const th_ep *ep, size_t *out_num);
const uint16_t *ep_our_groups(const th_ep *ep, size_t *out_num);
const uint16_t *ep_our_schemes(const th_ep *ep, size_t *out_num);

/* In a recv function with |why|, |why_len| and an `err:` cleanup label:
 * writes the printf-style reason the peer's message fails and jumps there. */
#define PEER_ERR(...)                                                                              \
    do {                                                                                           \
        snprintf(why, why_len, __VA_ARGS__);                                                       \
        goto err;                                                                                  \
    } while (0)

/* Writes a printf-style text into |buf| (when not NULL) and returns 0:
 * `return ep_failf(why, why_len, ...)` for a failure with its reason. */
int ep_failf(char *buf, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* An extension block under construction whose bodies are owned buffers of
 * the builder (ep_shared.c). Zero it to start; psk_last = 1 keeps a
 * pre_shared_key last when another extension is added (RFC 8446
 * §4.2.11). */
typedef struct {
    th_ext_block block;
    uint8_t **bufs;
    size_t num_bufs;
    int psk_last;
} ep_ext_builder;

void ep_eb_cleanup(ep_ext_builder *eb);
/* Finishes |cbb| into the body of |type|: it replaces the body of the first
 * extension of that type, or the extension is added. 0 when out of memory
 * (the caller cleans |cbb| up). */
int ep_eb_put(ep_ext_builder *eb, uint16_t type, CBB *cbb) TH_MUST_USE;
/* ep_eb_put of: raw bytes; a uint16; a uint16 list with a |prefix_len|-byte
 * length; an ALPN list of |n| protocols (RFC 7301 §3.1, written as given). */
int ep_eb_put_bytes(ep_ext_builder *eb, uint16_t type, const uint8_t *data, size_t len) TH_MUST_USE;
int ep_eb_put_u16(ep_ext_builder *eb, uint16_t type, uint16_t v) TH_MUST_USE;
int ep_eb_put_u16_list(ep_ext_builder *eb, uint16_t type, size_t prefix_len, const uint16_t *v,
                       size_t n) TH_MUST_USE;
int ep_eb_put_alpn(ep_ext_builder *eb, const char *const *names, size_t n) TH_MUST_USE;
/* The step's extension edits (ep_apply_ext_ops; |step| may be NULL). */
int ep_eb_apply_ops(ep_ext_builder *eb, const th_sc_send *step, char *err,
                    size_t err_len) TH_MUST_USE;
/* The body of the received message |ev| (its 4-byte header skipped). */
void ep_body_cbs(const th_ep_event *ev, CBS *out);
/* Writes "|what| our codec rejects (alert)" into |why| and returns 0: the
 * peer's message failed our parser with |alert|. */
int ep_codec_rejects(char *why, size_t why_len, const char *what, uint8_t alert);
/* The certificate a server config without `certificate:` uses. */
#define EP_SERVER_CERTIFICATE "server-ecdsa-p256"

/* Our certificate, cfg->certificate or else |dflt|, loaded into ep->cert
 * once; NULL when neither names one, or with |err| when it does not load. */
const th_cert_key *ep_our_cert(th_ep *ep, const char *dflt, char *err, size_t err_len);

/* ep_eb_put of a server_name naming |host| (RFC 6066 §3). */
int ep_eb_put_sni(ep_ext_builder *eb, const char *host) TH_MUST_USE;

/* Starts |ch| (zeroed) as both versions send it: legacy_version TLS 1.2
 * (RFC 8446 §4.1.2), |random|, the session ID (a view), |suites|, null
 * compression only, an extension block to come. 0 when out of memory. */
int ep_ch_init(th_client_hello *ch, const uint8_t random[TH_RANDOM_LEN], const uint8_t *sid,
               size_t sid_len, const uint16_t *suites, size_t num_suites) TH_MUST_USE;
/* Applies the ClientHello `set:` field |set| that both versions know to |ch|
 * and its extensions |eb| (a new compression list is owned in *comp);
 * *handled = 0, and nothing done, for any other field. 0 with |err|. */
int ep_ch_apply_set(th_client_hello *ch, ep_ext_builder *eb, const th_sc_set *set, uint8_t **comp,
                    int *handled, char *err, size_t err_len) TH_MUST_USE;
/* The whole ClientHello (4-byte header + body) of |ch| in *out_msg (owned,
 * OPENSSL_free). 0 with |err| when it does not fit its length fields. */
int ep_write_client_hello(const th_client_hello *ch, uint8_t **out_msg, size_t *out_len, char *err,
                          size_t err_len) TH_MUST_USE;

/* 1 if |v| is in |list|. */
int ep_in_list(const uint16_t *list, size_t num, uint16_t v);

/* The first of our schemes that |peer| lists and |key| can make in TLS 1.3
 * (RFC 8446 §4.4.3); 0 if none. */
uint16_t ep_scheme_for(const th_ep *ep, const EVP_PKEY *key, const uint16_t *peer, size_t num_peer);

/* Our authentication messages (RFC 8446 §4.4), whole (header included),
 * with the step's sets, extension edits and flips (|step| may be NULL).
 * Certificate: the step's `chain:` ("empty" or a pki name) or our
 * configured certificate (|dflt| when the config names none; NULL: an empty
 * chain), context |ctx| unless set; the chain sent is kept in
 * ep->sent_cert. CertificateVerify: signed over the transcript with the key
 * of that chain, in our preferred scheme of |peer_schemes|. Finished: the
 * MAC with |base_key| (zeros before there is one). 0 with |err|. */
int ep_build_certificate(th_ep *ep, const th_sc_send *step, const char *dflt, const uint8_t *ctx,
                         size_t ctx_len, CBB *out, char *err, size_t err_len) TH_MUST_USE;
int ep_build_certificate_verify(th_ep *ep, const th_sc_send *step, const char *dflt,
                                const uint16_t *peer_schemes, size_t num_peer_schemes, CBB *out,
                                char *err, size_t err_len) TH_MUST_USE;
int ep_build_finished(th_ep *ep, const th_sc_send *step, const th_secret *base_key, CBB *out,
                      char *err, size_t err_len) TH_MUST_USE;

/* What a peer's Certificate must be: its context, the extension types its
 * entries may carry (a bitmap by type; NULL: none), the name the leaf must
 * match (NULL: not checked) and the alert refusing an empty chain (0: an
 * empty chain is acceptable). */
typedef struct {
    const uint8_t *context;
    size_t context_len;
    const uint8_t *allowed_exts;
    const char *host;
    uint8_t empty_alert;
} ep_cert_rules;

/* The peer's authentication messages checked as a correct endpoint checks
 * them (RFC 8446 §4.4.2-4.4.4) and added to the transcript: the chain
 * verified against the trust store (its leaf key kept in ep->peer_key,
 * *out_empty set), the CertificateVerify signature in one of |offered|,
 * the Finished MAC with |base_key|. 0 with |why| naming the rule the peer
 * broke, or with *local = 1 for our failure. */
int ep_check_certificate(th_ep *ep, const th_ep_event *ev, const ep_cert_rules *rules,
                         int *out_empty, int *local, char *why, size_t why_len);
int ep_check_certificate_verify(th_ep *ep, const th_ep_event *ev, const uint16_t *offered,
                                size_t num_offered, int *local, char *why, size_t why_len);
int ep_check_finished(th_ep *ep, const th_ep_event *ev, const th_secret *base_key, int *local,
                      char *why, size_t why_len);

/* The peer's KeyUpdate (RFC 8446 §4.6.3): our read key moves to the next
 * generation (the old one kept for trial decryption) and an
 * update_requested makes ep->key_update_due. 0 with |why| for a bad
 * message, or with *local = 1 for our failure. */
int ep_check_key_update(th_ep *ep, const th_ep_event *ev, int *local, char *why, size_t why_len);

/* |len| bytes from the DRBG. */
void ep_random(th_ep *ep, uint8_t *out, size_t len);
/* ep_random as a th_random_fn (context: the th_ep). */
void ep_random_cb(void *ctx, uint8_t *out, size_t len);

/* The transcript: ep_transcript_add adds a whole handshake message (buffered
 * until ep_transcript_start picks the hash); ep_transcript_hash writes the
 * current hash. ep_transcript_hrr_rewrite replaces ClientHello1 by
 * message_hash (RFC 8446 §4.4.1); the transcript must hold only CH1. */
int ep_transcript_add(th_ep *ep, const uint8_t *msg, size_t len) TH_MUST_USE;
int ep_transcript_start(th_ep *ep, uint16_t suite) TH_MUST_USE;
int ep_transcript_hash(th_ep *ep, uint8_t out[EVP_MAX_MD_SIZE], size_t *out_len) TH_MUST_USE;
int ep_transcript_hrr_rewrite(th_ep *ep) TH_MUST_USE;

/* Derive-Secret over the current transcript into |out| and writes the NSS
 * key log line for it. */
int ep_derive(th_ep *ep, th_secret *out, const th_secret *from, th_tls13_secret_id id) TH_MUST_USE;

/* Key schedule steps (suite from ep->neg.cipher_suite, ep->md set):
 * handshake secrets from |ecdhe| (NULL: psk_ke) after ServerHello; the
 * application secrets after the server Finished; res_master after the
 * client Finished. Each installs nothing: the caller calls ep_set_key. */
int ep_derive_handshake(th_ep *ep, const uint8_t *ecdhe, size_t ecdhe_len) TH_MUST_USE;
int ep_derive_application(th_ep *ep) TH_MUST_USE;
int ep_derive_res_master(th_ep *ep) TH_MUST_USE;

/* Keys |dir|'s |epoch| slot with |secret| (suite: ep->neg.cipher_suite, or
 * |suite| when not 0) and makes it the current epoch. */
int ep_set_key(th_ep *ep, th_ep_dir *dir, th_sc_epoch epoch, uint16_t suite,
               const th_secret *secret) TH_MUST_USE;

/* verify_data of the sender with |base_key| (c_hs or s_hs) over the current
 * transcript. */
int ep_finished_mac(th_ep *ep, const th_secret *base_key, th_secret *out) TH_MUST_USE;

/* Applies extension edits to |block| (in order). Bodies are views into the
 * step (which outlives the block). 0 with |err| for a bad position or out of
 * memory. */
int ep_apply_ext_ops(th_ext_block *block, const th_sc_ext_op *ops, size_t num_ops, char *err,
                     size_t err_len) TH_MUST_USE;

/* Flips bit |bit| of |buf| (bits counted from the first byte's MSB); 0 if
 * out of range. */
int ep_flip_bit(uint8_t *buf, size_t len, size_t bit) TH_MUST_USE;

/* Looks up a `set:` of |field| in |step| (NULL if none or |step| NULL). */
const th_sc_set *ep_find_set(const th_sc_send *step, th_sc_field field);
/* Replaces *out with the bytes of the step's `set:` of |field|, when it has
 * one (|step| may be NULL). */
void ep_set_bytes(const th_sc_send *step, th_sc_field field, th_bytes *out);

/* Loads cfg->certificate (or |name|) from the pki dir into |out|. 0 with
 * |err|. */
int ep_load_cert(th_ep *ep, const char *name, th_cert_key *out, char *err,
                 size_t err_len) TH_MUST_USE;

/* The trust store (<pki_dir>/root-ca.pem), loaded once. NULL with |err|. */
X509_STORE *ep_trust(th_ep *ep, char *err, size_t err_len);

/* Sends |content| of |type| as records under |opts| (NULL: defaults, current
 * epoch): fragmenting, coalescing, padding, overrides. |flip| applies to the
 * ciphertext / tag of the first record. 0 with |err| on a local or transport
 * failure. */
int ep_send_records(th_ep *ep, uint8_t type, const uint8_t *content, size_t len,
                    const th_sc_record_opts *opts, const th_sc_flip *flip, char *err,
                    size_t err_len) TH_MUST_USE;

/* Sends a handshake message as the step says (build, edits, records,
 * transcript, sent). |step| NULL: the default message, default records. */
int ep_send_message(th_ep *ep, th_sc_msg msg, const th_sc_send *step, char *err,
                    size_t err_len) TH_MUST_USE;

/* Our KeyUpdate (RFC 8446 §4.6.3): the write direction moves to
 * application_traffic_secret_N+1; records already sealed under it with
 * `epoch: next` keep their sequence numbers. 0 on a crypto failure. */
int ep_update_write_key(th_ep *ep) TH_MUST_USE;

/* Sends an alert (level, desc) under the current epoch (best effort). */
int ep_send_alert(th_ep *ep, uint8_t level, uint8_t desc, const th_sc_record_opts *opts, char *err,
                  size_t err_len) TH_MUST_USE;

/* The peer's next event, read lazily (decrypting with the current read key,
 * so processing a message before reading the next record keeps keys right).
 * ep_peek_event leaves it for the next ep_next_event. |deadline_ms| 0 uses
 * opts->deadline_ms. The event is owned by the caller after ep_next_event
 * (th_ep_event_cleanup) and by |ep| after ep_peek_event. */
int ep_next_event(th_ep *ep, th_ep_event *out, unsigned deadline_ms) TH_MUST_USE;
const th_ep_event *ep_peek_event(th_ep *ep, unsigned deadline_ms);

/* Checks the field values and extensions_present / extensions_absent of
 * |x| against the received message |ev| (ep_expect.c). 1 if all hold; else
 * 0 with |exp| / |got| naming the first that does not. */
int ep_check_fields(th_ep *ep, const th_ep_event *ev, const th_sc_expect *x, char *exp,
                    size_t exp_len, char *got, size_t got_len);

/* Writes a line to the text transcript ("-> ", "<- " or "   " prefixed by
 * the caller). printf-style. */
void ep_log(th_ep *ep, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Renders a handshake message (whole, header included) with the decoder
 * into the transcript, indented, at most a few lines. */
void ep_log_message(th_ep *ep, const char *dir, th_sc_epoch epoch, const uint8_t *msg, size_t len);

/* Ends a transcript line with a preview of |data| (text in quotes, else
 * hex) and a newline. */
void ep_log_data(th_ep *ep, const uint8_t *data, size_t len);

/* Writes the NSS key log line of |id| (client_random from ep). */
void ep_keylog(th_ep *ep, th_tls13_secret_id id, const th_secret *secret);

/* Short names for logs and texts. */
const char *ep_epoch_name(th_sc_epoch epoch);

/* The message a received handshake message (whole, header included) is:
 * HelloRetryRequest told apart from ServerHello by its random. NONE for a
 * type we have no name for. */
th_sc_msg ep_msg_of_wire(const uint8_t *msg, size_t len);

#endif
