/* Seeds for targets no BoringSSL-vs-BoringSSL handshake reaches (a BoringSSL
 * server never sends HelloRequest, DHE, an HRR cookie, max_fragment_length or
 * signature_algorithms_cert), built with our own writers so each is a valid
 * encoding by construction. */
#ifndef TH_CORPUS_SYNTHETIC_H
#define TH_CORPUS_SYNTHETIC_H

#include "seeds.h"

/* Adds the synthetic seeds to |set|. 0 only when memory runs out. */
int th_corpus_synthetic(th_seed_set *set) TH_MUST_USE;

#endif
