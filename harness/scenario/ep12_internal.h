/* Internals of the scripted endpoint's TLS 1.2 roles (ep12_client.c,
 * ep12_server.c) and their shared steps (ep12_common.c). The TLS 1.2 role
 * state lives in ep->role_state as an ep12_st: the raw handshake messages
 * (RFC 5246 §7.4.9 handshake_messages; a CertificateVerify hashes them with
 * its own scheme), the key exchange, the master secret and key block, and
 * the record protection of each direction (th_rl12_dir), installed when our
 * ChangeCipherSpec goes out (write) or the peer's comes in (read). The
 * engine's hs12 code works on a th_conn, so only its public pieces are used
 * here: keys12.h, record12.h, the wire codecs, kex.h and sigs.h. */
#ifndef TH_EP12_INTERNAL_H
#define TH_EP12_INTERNAL_H

#include "ep_internal.h"
#include "keys12.h"
#include "new_session_ticket_tls12.h"
#include "record12.h"

/* What a ClientHello offered (both roles read it from the message as it
 * went over the wire). Arrays are owned. */
typedef struct {
    uint16_t legacy_version;
    uint8_t random[32];
    uint8_t session_id[32];
    size_t session_id_len;
    uint16_t *suites;
    size_t num_suites;
    int comp_null;       /* compression_methods holds null */
    int offers13;        /* supported_versions lists TLS 1.3 */
    int ems;             /* extended_master_secret (RFC 7627) */
    int ri;              /* renegotiation_info or the SCSV (RFC 5746) */
    int ri_scsv;         /* TLS_EMPTY_RENEGOTIATION_INFO_SCSV */
    int has_ri_ext;      /* the renegotiation_info extension ... */
    uint8_t ri_body[64]; /* ... and its body (at most 64 bytes kept) */
    size_t ri_body_len;
    int has_ticket;  /* session_ticket extension (RFC 5077) */
    uint8_t *ticket; /* its body */
    size_t ticket_len;
    int etm;    /* encrypt_then_mac (RFC 7366) */
    int status; /* status_request (RFC 6066 §8) */
    int has_groups;
    uint16_t *groups;
    size_t num_groups;
    int has_schemes;
    uint16_t *schemes;
    size_t num_schemes;
    char **alpn; /* owned strings */
    size_t num_alpn;
    int has_point_formats;
    uint16_t rsl;        /* record_size_limit, 0 when absent */
    uint16_t *ext_types; /* every extension type, for unsolicited checks */
    size_t num_ext_types;
} ep12_offer;

/* The TLS 1.2 role state (ep->role_state). */
typedef struct {
    const th_ep_role *orig_ops; /* the TLS 1.3 role we took over from, or NULL */
    int state;                  /* the role's own state enum */
    ep12_offer offer;           /* the ClientHello (both roles) */
    const th_tls12_suite *suite;
    uint8_t *msgs; /* handshake_messages so far */
    size_t msgs_len;
    th_secret premaster;
    th_secret master;
    th_tls12_key_block kb;
    int have_keys; /* kb derived */
    int ems, etm, resumed;
    th_rl12_dir rd, wr;
    int ccs_sent, ccs_recvd; /* our / the peer's CCS switched keys */
    int reneg;               /* this handshake is a renegotiation (RFC 5746) */
    uint8_t client_vd[TH_TLS12_VERIFY_DATA_LEN];
    uint8_t server_vd[TH_TLS12_VERIFY_DATA_LEN];
    uint8_t session_id[32]; /* ServerHello's session ID */
    size_t session_id_len;
    /* ECDHE: our key pair and the peer's point in |group|. */
    uint16_t group;
    th_kex kex;
    uint8_t peer_point[256];
    size_t peer_point_len;
    int ske_done; /* a ServerKeyExchange was received / sent */
    /* Certificates: a CertificateRequest came / went out, with its schemes;
     * our and the peer's Certificate were non-empty. */
    int cert_requested;
    uint16_t *cr_schemes;
    size_t num_cr_schemes;
    int our_cert_nonempty, peer_cert_nonempty;
    /* Sessions: the server promised a ticket (session_ticket in SH); the
     * newest ticket (client) or the one we issued (server). */
    int ticket_expected;
    uint8_t *new_ticket;
    size_t new_ticket_len;
    uint32_t new_ticket_lifetime;
} ep12_st;

/* Client handshake states. */
enum {
    EP12_C_INIT = 0,
    EP12_C_WAIT_SH,
    EP12_C_WAIT_CERT,
    EP12_C_WAIT_SKE, /* CertificateStatus / ServerKeyExchange */
    EP12_C_WAIT_SHD, /* CertificateRequest / ServerHelloDone */
    EP12_C_FLIGHT2,  /* our Certificate, CKE, CV, CCS, Finished */
    EP12_C_WAIT_FIN, /* NewSessionTicket, CCS, Finished */
    EP12_C_FLIGHT_R, /* resumed: our CCS, Finished */
    EP12_C_DONE,
};

/* Server handshake states. */
enum {
    EP12_S_WAIT_CH = 0,
    EP12_S_FLIGHT1,  /* SH, Certificate, SKE, CR, SHD (resumed: SH, CCS, Fin) */
    EP12_S_WAIT_FL2, /* Certificate, CKE, CV, CCS, Finished */
    EP12_S_FLIGHT3,  /* NST, CCS, Finished */
    EP12_S_WAIT_FIN_R,
    EP12_S_DONE,
};

/* State of |ep| (NULL when the role has not started). */
ep12_st *ep12_state(th_ep *ep);

/* Allocates the role state (ep->role_state); 0 when out of memory. */
int ep12_state_new(th_ep *ep) TH_MUST_USE;

/* Frees the role state and, after a takeover, gives the connection back to
 * the TLS 1.3 role for the next one (th_ep_role.cleanup of both roles). */
void ep12_cleanup(th_ep *ep);

/* Parses the whole ClientHello |msg| (header included) into |out|. 0 if it
 * does not parse or out of memory. */
int ep12_offer_parse(const uint8_t *msg, size_t len, ep12_offer *out) TH_MUST_USE;
void ep12_offer_cleanup(ep12_offer *o);
int ep12_offer_has_ext(const ep12_offer *o, uint16_t type);
int ep12_list_has(const uint16_t *l, size_t n, uint16_t v);

/* Our configured TLS 1.2 suites (the table's when none), groups and
 * schemes, at most |cap|; the count. */
size_t ep12_cfg_suites(const th_ep *ep, uint16_t *out, size_t cap);
size_t ep12_cfg_groups(const th_ep *ep, uint16_t *out, size_t cap);
size_t ep12_cfg_schemes(const th_ep *ep, uint16_t *out, size_t cap);

/* Starts a renegotiation on the established connection (RFC 5246
 * §7.4.1.2, RFC 5746): the handshake state is reset, the record keys in use
 * stay until the next ChangeCipherSpec, the verify_data of the last
 * handshake are kept for renegotiation_info. */
void ep12_restart(th_ep *ep);

/* Appends a whole handshake message to the transcript. */
int ep12_msgs_add(th_ep *ep, const uint8_t *msg, size_t len) TH_MUST_USE;
/* ep12_msgs_add of the received message |ev|; when out of memory, 0 with
 * |why| and *local = 1 (our failure, not the peer's). */
int ep12_msgs_add_recv(th_ep *ep, const th_ep_event *ev, int *local, char *why,
                       size_t why_len) TH_MUST_USE;

/* Sets the negotiated suite (ep->neg too); 0 for one not in the table. */
int ep12_set_suite(th_ep *ep, uint16_t suite) TH_MUST_USE;

/* Master secret (extended over the messages so far when st->ems) from the
 * premaster, key log line, key block. */
int ep12_derive_master(th_ep *ep) TH_MUST_USE;

/* The key block from st->master (resumption). */
int ep12_derive_key_block(th_ep *ep) TH_MUST_USE;

/* verify_data of |from_server| over the messages so far. */
int ep12_verify_data(th_ep *ep, int from_server, uint8_t out[TH_TLS12_VERIFY_DATA_LEN]) TH_MUST_USE;

/* Checks the peer's Finished (whole message |ev|); 1 if right, else 0 with
 * |why| (RFC 5246 §7.4.9). Adds it to the transcript and keeps the
 * verify_data. *local on our failure. */
int ep12_recv_finished(th_ep *ep, const th_ep_event *ev, int *local, char *why, size_t why_len);

/* Builds the Finished body of our side (set verify_data, flip). */
int ep12_build_finished(th_ep *ep, const th_sc_send *step, CBB *body, char *err, size_t err_len);

/* Builds a TLS 1.2 Certificate body: the `chain` set, else |dflt| (NULL:
 * empty). *out_nonempty says whether a chain went in. */
int ep12_build_certificate(th_ep *ep, const th_sc_send *step, const th_cert_key *dflt, CBB *body,
                           int *out_nonempty, char *err, size_t err_len) TH_MUST_USE;

/* Parses and verifies a peer's TLS 1.2 Certificate (whole message),
 * keeping the leaf key in ep->peer_key. *out_empty for an empty chain
 * (accepted: the caller judges). 0 with |why|. */
int ep12_recv_certificate(th_ep *ep, const th_ep_event *ev, int purpose_server, int *out_empty,
                          char *why, size_t why_len);

/* Wraps |body| in a handshake header of |type| into |out|. */
int ep12_wrap(CBB *out, uint8_t type, const uint8_t *body, size_t len) TH_MUST_USE;

/* Established: negotiated state and the session kept for resumption. */
void ep12_established(th_ep *ep);

/* Record hooks of th_ep_role shared by both roles. */
int ep12_seal(th_ep *ep, CBB *out, uint8_t type, uint16_t version, const uint8_t *content,
              size_t len, const th_sc_record_opts *opts);
int ep12_open(th_ep *ep, const th_record *rec, uint8_t *buf, size_t cap, th_bytes *out,
              uint8_t *out_alert);
int ep12_ccs_sent(th_ep *ep, char *err, size_t err_len);
void ep12_ccs_recv(th_ep *ep, const uint8_t *data, size_t len);
int ep12_before_send(th_ep *ep, th_sc_msg msg, char *err, size_t err_len);

/* th_ep_role.check_fields of both roles: the TLS 1.2 forms of
 * server_key_exchange, client_key_exchange, certificate_request,
 * new_session_ticket and certificate; other messages go to
 * ep_check_fields. */
int ep12_check_fields(th_ep *ep, const th_ep_event *ev, const th_sc_expect *x, char *exp,
                      size_t exp_len, char *got, size_t got_len);

/* th_sc_msg_name, "?" for none. */
const char *ep12_msg_name(th_sc_msg msg);

/* Writes "an unexpected |msg|" (RFC 5246 §7.4: unexpected_message) into
 * |why| and returns 0: a role's recv for a message out of place. */
int ep12_unexpected(th_sc_msg msg, char *why, size_t why_len);

/* Keeps the ticket of |nst| (sent or received) as the newest one; 0 when out
 * of memory (no ticket kept). */
int ep12_keep_ticket(ep12_st *st, const th_new_session_ticket_tls12 *nst) TH_MUST_USE;

/* Keeps the verify_data of the Finished |wire| (header included, at most
 * TH_TLS12_VERIFY_DATA_LEN bytes) for renegotiation_info (RFC 5746 §3). */
void ep12_keep_verify_data(uint8_t out[TH_TLS12_VERIFY_DATA_LEN], const uint8_t *wire, size_t len);

/* The signature of a CertificateVerify or ServerKeyExchange (RFC 5246
 * §7.4.8, §7.4.3) in *out: the step's `set:` of |field| when it has one, else
 * |key|'s signature with |scheme| over |content| (owned in *out_sig,
 * OPENSSL_free), with the step's flip of the signature. 0 with |err|. */
int ep12_signature(const th_sc_send *step, th_sc_field field, EVP_PKEY *key, uint16_t scheme,
                   const uint8_t *content, size_t content_len, th_bytes *out, uint8_t **out_sig,
                   char *err, size_t err_len) TH_MUST_USE;

/* The th_ep_role hooks both TLS 1.2 roles share: cleanup, the record layer
 * and CCS of ep12_common.c, and the `expect` fields of TLS 1.2 messages. */
#define EP12_SHARED_OPS                                                                            \
    .cleanup = ep12_cleanup, .seal = ep12_seal, .open = ep12_open, .ccs_sent = ep12_ccs_sent,      \
    .ccs_recv = ep12_ccs_recv, .before_send = ep12_before_send, .check_fields = ep12_check_fields

/* Client role takeover: the ClientHello the TLS 1.3 role sent (in
 * ep->pending_th) becomes ours (ep12_client.c). */
int ep12_client_adopt(th_ep *ep) TH_MUST_USE;

#endif
