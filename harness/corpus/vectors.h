/* Seeds from the test vector files (tests/vectors/NAME.txt, `name = hex` lines):
 * every entry named after a handshake message (client_hello,
 * server_finished, ecdhe_rsa12_server_certificate, ...) that is one whole
 * message with its 4-byte header is split like a recorded message. Entries
 * named <handshake>_<client|server>_<message> form one handshake per
 * <handshake>; a file without such names is one handshake. The RFC 8448
 * 0-RTT ClientHello, given as client_hello_prefix and psk_binder, is put
 * back together first. */
#ifndef TH_CORPUS_VECTORS_H
#define TH_CORPUS_VECTORS_H

#include <stdio.h>

#include "seeds.h"

/* Splits the vector file at |path| into |set|. 1 on success; 0 with a message
 * on |err| when the file cannot be read or holds bad hex, or memory runs out. */
int th_corpus_vectors_file(th_seed_set *set, const char *path, FILE *err) TH_MUST_USE;

/* Splits every *.txt file in |dir|, in name order. 1 on success; 0 as above
 * or when |dir| cannot be listed. */
int th_corpus_vectors_dir(th_seed_set *set, const char *dir, FILE *err) TH_MUST_USE;

#endif
