/* handshake_client and handshake_server: the whole-handshake targets of
 * handshake13.c (TLS 1.3 and TLS 1.2) against the engine built with
 * TH_FUZZING_UNSAFE (th_tls_unsafe), which accepts any CertificateVerify and
 * TLS 1.2 ServerKeyExchange signature, any Finished verify_data and any PSK
 * binder, so the fuzzer reaches the states behind them.
 * Compiled only into the fuzz_handshake_client and fuzz_handshake_server
 * libFuzzer binaries, never into th_targets or `tlsharness` (targets.def). */
#include "fuzz.h"

#if !defined(TH_FUZZING_UNSAFE)
#error "handshake13_unsafe.c is built only against th_tls_unsafe (TH_FUZZING_UNSAFE)"
#endif

int th_fuzz_handshake_client(const uint8_t *data, size_t len);
int th_fuzz_handshake_server(const uint8_t *data, size_t len);

int th_fuzz_handshake_client(const uint8_t *data, size_t len) {
    return th_fuzz_handshake13_run("handshake_client", TH_ROLE_CLIENT, data, len);
}

int th_fuzz_handshake_server(const uint8_t *data, size_t len) {
    return th_fuzz_handshake13_run("handshake_server", TH_ROLE_SERVER, data, len);
}
