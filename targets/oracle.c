/* The failed-oracle report, alone in its file so that the libFuzzer-only
 * targets (handshake13_unsafe.c) link it without the registry. */
#include <stdio.h>
#include <stdlib.h>

#include "fuzz.h"

void th_fuzz_oracle_failed(const char *target, const char *oracle) {
    fprintf(stderr, "tlsharness: target %s: oracle failed: %s\n", target, oracle);
    fflush(stderr);
    abort();
}
