/* The scripted endpoint: our side of a scenario. It is built from the same
 * codec (wire/), key schedule (keys13.c), record protection
 * (record_layer.c), key exchange (kex.c) and signatures (sigs.c) as the
 * engine, so by default it completes a correct TLS 1.3 handshake in either
 * role, keeping transcript and keys right, and deviates exactly where a step
 * says so. It executes a scenario's steps in order against a connected peer
 * and stops at the first mismatch. */
#ifndef TH_ENDPOINT_H
#define TH_ENDPOINT_H
#include "peer.h"
#include "scenario.h"

typedef struct {
    const char *pki_dir; /* scenarios/pki: certificates named in configs */
    uint64_t seed;       /* all our randomness (randoms, shares, tickets) */
    /* How long network peers get before `expect` gives up (in-process peers
     * answer at once); `expect: nothing` uses its own deadline. */
    unsigned deadline_ms;
} th_ep_opts;

typedef enum {
    TH_EP_PASS = 0,
    TH_EP_FAIL,  /* a step's expectation was not met */
    TH_EP_ERROR, /* the scenario could not run (peer transport, our own
                    failure to build a message, a certificate that does not
                    load) */
} th_ep_verdict;

typedef struct {
    th_ep_verdict verdict;
    size_t failed_step; /* 1-based index in the scenario's top-level steps */
    th_sc_loc step_loc; /* the step (nested steps: the innermost) */
    char *message;      /* owned one-line summary: "step 3 (expect alert at
                           file:12:5): expected alert decode_error, got alert
                           illegal_parameter (fatal)" */
    char *expected;     /* owned: what the step wanted */
    char *got;          /* owned: what came */
    int got_alert;      /* the failing step received an alert ... */
    uint8_t alert;      /* ... with this description */
    /* Owned text: every record both ways, decoded with the decoder's names
     * ("-> handshake ClientHello ...", "<- alert fatal decode_error"),
     * plaintext shown for protected records, with the epoch. */
    char *transcript;
    char *keylog; /* owned NSS key log lines ("CLIENT_HANDSHAKE_TRAFFIC_SECRET
                     <random> <secret>\n" ...) */
} th_ep_outcome;

/* Runs |sc| against |peer| (made for the opposite role, not yet connected):
 * connects (twice for a `resume` scenario: a full handshake first for a
 * ticket), executes the steps and disconnects. Returns 1 when the outcome is
 * filled (pass, fail or error); 0 only when out of memory. */
int th_ep_run(const th_scenario *sc, th_peer *peer, const th_ep_opts *opts,
              th_ep_outcome *out) TH_MUST_USE;

/* Frees the outcome's strings and zeroes it. Accepts NULL. */
void th_ep_outcome_cleanup(th_ep_outcome *out);

#endif
