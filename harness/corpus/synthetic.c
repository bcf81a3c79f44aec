#include "synthetic.h"

#include <stdio.h>
#include <string.h>

#include <openssl/mem.h>

#include "client_key_exchange.h"
#include "empty_messages.h"
#include "ext_types.h"
#include "fuzz.h"
#include "handshake_seeds.h"
#include "server_key_exchange.h"

/* Writes with |write| into a fresh CBB and adds the bytes as a seed. */
#define ADD_WRITTEN(SET, TARGET, KIND, WRITE_CALL)                                                 \
    do {                                                                                           \
        CBB cbb;                                                                                   \
        uint8_t *bytes;                                                                            \
        size_t len;                                                                                \
        if (!CBB_init(&cbb, 64) || !(WRITE_CALL) || !CBB_finish(&cbb, &bytes, &len)) {             \
            CBB_cleanup(&cbb);                                                                     \
            return 0;                                                                              \
        }                                                                                          \
        int added = th_seed_set_add((SET), (TARGET), (KIND), bytes, len);                          \
        OPENSSL_free(bytes);                                                                       \
        if (!added) {                                                                              \
            return 0;                                                                              \
        }                                                                                          \
    } while (0)

/* RFC 7919 Appendix A.1 ffdhe2048 is too long to be useful as a seed; a small
 * prime keeps the structure (the codec does not judge group strength). */
static const uint8_t kDhP[] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xc5};
static const uint8_t kDhG[] = {0x02};
static const uint8_t kDhY[] = {0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde, 0xf0};
static const uint8_t kSig[] = {0x30, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x01};
static const uint8_t kCookie[] = {0x63, 0x6f, 0x6f, 0x6b, 0x69, 0x65, 0x00, 0xff};

int th_corpus_synthetic(th_seed_set *set) {
    const th_hello_request hr = {0};
    ADD_WRITTEN(set, "hello_request", "synthetic", th_write_hello_request(&cbb, &hr));

    th_server_key_exchange_dhe ske = {{kDhP, sizeof(kDhP)},
                                      {kDhG, sizeof(kDhG)},
                                      {kDhY, sizeof(kDhY)},
                                      1,
                                      TH_SIG_RSA_PSS_RSAE_SHA256,
                                      {kSig, sizeof(kSig)},
                                      {NULL, 0}};
    ADD_WRITTEN(set, "server_key_exchange_dhe", "synthetic",
                th_write_server_key_exchange_dhe(&cbb, &ske));
    ske.has_sig_alg = 0;
    ADD_WRITTEN(set, "server_key_exchange_dhe_legacy", "synthetic",
                th_write_server_key_exchange_dhe(&cbb, &ske));

    const th_client_key_exchange_dhe cke = {{kDhY, sizeof(kDhY)}};
    ADD_WRITTEN(set, "client_key_exchange_dhe", "synthetic",
                th_write_client_key_exchange_dhe(&cbb, &cke));

    const th_ext_cookie cookie = {{kCookie, sizeof(kCookie)}};
    ADD_WRITTEN(set, "ext_cookie", "synthetic", th_write_ext_cookie(&cbb, &cookie));

    for (uint8_t code = TH_MFL_512; code <= TH_MFL_4096; code++) {
        const th_ext_max_fragment_length mfl = {code};
        ADD_WRITTEN(set, "ext_max_fragment_length", "synthetic",
                    th_write_ext_max_fragment_length(&cbb, &mfl));
    }

    uint16_t schemes[] = {TH_SIG_ECDSA_SECP256R1_SHA256, TH_SIG_RSA_PSS_RSAE_SHA256, TH_SIG_ED25519,
                          TH_SIG_RSA_PKCS1_SHA256, 0x0a0a /* GREASE */};
    /* Our own client and server, for the whole-handshake targets: one
     * complete handshake per variant (TLS 1.3, TLS 1.2 per suite family,
     * client authentication, resumption), each replaying to an established
     * connection. A variant that does not complete is a warning, not a
     * failure of the whole corpus. */
    for (size_t i = 0; i < th_fuzz_handshake_num_variants(); i++) {
        const char *variant = th_fuzz_handshake_variant_name(i);
        CBB to_client, to_server;
        if (!CBB_init(&to_client, 1024) || !CBB_init(&to_server, 1024)) {
            CBB_cleanup(&to_client);
            return 0;
        }
        char kind[64];
        snprintf(kind, sizeof(kind), "self-%s", variant);
        int ok = 1;
        if (!th_fuzz_handshake_variant_seeds(i, &to_client, &to_server)) {
            ok = th_seed_set_warn(set, "self handshake %s did not complete", variant);
        } else {
            ok = (CBB_len(&to_client) == 0 ||
                  th_seed_set_add(set, "handshake_client_no_fuzzer_mode", kind,
                                  CBB_data(&to_client), CBB_len(&to_client))) &&
                 (CBB_len(&to_server) == 0 ||
                  th_seed_set_add(set, "handshake_server_no_fuzzer_mode", kind,
                                  CBB_data(&to_server), CBB_len(&to_server)));
        }
        CBB_cleanup(&to_client);
        CBB_cleanup(&to_server);
        if (!ok) {
            return 0;
        }
    }

    const th_ext_signature_algorithms_cert sac = {schemes, sizeof(schemes) / sizeof(schemes[0])};
    ADD_WRITTEN(set, "ext_signature_algorithms_cert", "synthetic",
                th_write_ext_signature_algorithms_cert(&cbb, &sac));
    return 1;
}
