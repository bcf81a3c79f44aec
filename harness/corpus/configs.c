/* The corpus configuration matrix. Rows run in this order, and the per-target
 * cap keeps the first seeds of each kind, so the order is part of what makes
 * two runs pick structurally equivalent seeds.
 *
 * Not in the matrix because BoringSSL (API 17) cannot produce it between two
 * BoringSSL endpoints: TLS_AES_256_GCM_SHA384 (TLS 1.3 suites are not
 * configurable and the server honours the client's fixed order, AES-128-GCM
 * or ChaCha20 first), HelloRequest and renegotiation (a BoringSSL server never
 * initiates one), a HelloRetryRequest cookie, post-handshake authentication,
 * record_size_limit and encrypt_then_mac. */
#include "configs.h"

#include <string.h>

#define V12  TH_VERSION_TLS12
#define V13  TH_VERSION_TLS13
#define P256 TH_CORPUS_ID_ECDSA_P256
#define P384 TH_CORPUS_ID_ECDSA_P384
#define RSA  TH_CORPUS_ID_RSA_2048
#define ED   TH_CORPUS_ID_ED25519

const th_corpus_config th_corpus_configs[] = {
    /* TLS 1.3: cipher suites, groups, server keys. */
    {"tls13_x25519", "TLS 1.3, TLS_AES_128_GCM_SHA256, X25519, ECDSA P-256", 0, 0, 0, 0, P256, NULL,
     "X25519", NULL, 0},
    {"tls13_chacha20", "TLS 1.3, TLS_CHACHA20_POLY1305_SHA256 (AES hardware off)", 0, 0, 0, 0, P256,
     NULL, NULL, NULL, TH_CC_NO_AES_HW},
    {"tls13_p256", "TLS 1.3, key share P-256", 0, 0, 0, 0, P256, NULL, "P-256", NULL, 0},
    {"tls13_p384", "TLS 1.3, key share P-384", 0, 0, 0, 0, P256, NULL, "P-384", NULL, 0},
    {"tls13_ecdsa_p384", "TLS 1.3, ECDSA P-384 server (ecdsa_secp384r1_sha384)", 0, 0, 0, 0, P384,
     NULL, NULL, NULL, 0},
    {"tls13_rsa_pss", "TLS 1.3, RSA-2048 server (rsa_pss_rsae_sha256)", 0, 0, 0, 0, RSA, NULL, NULL,
     NULL, 0},
    {"tls13_ed25519", "TLS 1.3, Ed25519 server", 0, 0, 0, 0, ED, NULL, NULL, NULL, 0},
    /* TLS 1.3: extensions and handshake shapes. */
    {"tls13_alpn_sni", "TLS 1.3, ALPN h2 and SNI localhost", 0, 0, 0, 0, P256, NULL, NULL, NULL,
     TH_CC_ALPN | TH_CC_SNI},
    {"tls13_hrr", "TLS 1.3 HelloRetryRequest: share for X25519, server takes only P-256", 0, 0, 0,
     0, P256, NULL, "X25519:P-256", "P-256", 0},
    {"tls13_client_auth", "TLS 1.3 client certificate, CertificateRequest with CA names", 0, 0, 0,
     0, P256, NULL, NULL, NULL, TH_CC_CLIENT_AUTH | TH_CC_CA_NAMES},
    {"tls13_client_auth_empty", "TLS 1.3 CertificateRequest answered by an empty Certificate", 0, 0,
     0, 0, RSA, NULL, NULL, NULL, TH_CC_CLIENT_AUTH_EMPTY},
    {"tls13_cert_required", "TLS 1.3, server requires a client certificate, none sent: alert", 0, 0,
     0, 0, P256, NULL, NULL, NULL,
     TH_CC_CLIENT_AUTH_EMPTY | TH_CC_CLIENT_CERT_REQUIRED | TH_CC_EXPECT_FAILURE},
    {"tls13_resume", "TLS 1.3 PSK resumption (psk_dhe_ke) from a NewSessionTicket", 0, 0, 0, 0,
     P256, NULL, NULL, NULL, TH_CC_RESUME | TH_CC_SNI},
    {"tls13_early_data", "TLS 1.3 0-RTT: resumption with early data and EndOfEarlyData", 0, 0, 0, 0,
     P256, NULL, NULL, NULL, TH_CC_RESUME | TH_CC_EARLY_DATA | TH_CC_ALPN},
    {"tls13_hrr_resume", "TLS 1.3 resumption through a HelloRetryRequest", 0, 0, 0, 0, P256, NULL,
     "X25519:P-384", "P-384", TH_CC_RESUME},
    {"tls13_key_update", "TLS 1.3 KeyUpdate both ways", 0, 0, 0, 0, P256, NULL, NULL, NULL,
     TH_CC_KEY_UPDATE},
    {"tls13_ocsp_sct", "TLS 1.3, stapled OCSP and SCTs in the leaf entry, chain of two", 0, 0, 0, 0,
     P256, NULL, NULL, NULL, TH_CC_OCSP | TH_CC_SCT | TH_CC_CHAIN},
    {"tls13_grease", "TLS 1.3, client GREASE", 0, 0, 0, 0, P256, NULL, NULL, NULL, TH_CC_GREASE},
    {"tls13_permute", "TLS 1.3, client extensions permuted, ALPN and SNI", 0, 0, 0, 0, P256, NULL,
     NULL, NULL, TH_CC_PERMUTE | TH_CC_ALPN | TH_CC_SNI},
    {"tls13_small_records", "TLS 1.3, RSA chain, records of at most 512 bytes", 0, 0, 0, 0, RSA,
     NULL, NULL, NULL, TH_CC_SMALL_RECORDS | TH_CC_CHAIN},
    /* TLS 1.2: key exchanges and ciphers. Every TLS 1.2 handshake carries
     * extended_master_secret and renegotiation_info (BoringSSL always sends them). */
    {"tls12_ecdhe_ecdsa_aes128gcm", "TLS 1.2 ECDHE-ECDSA-AES128-GCM-SHA256", 0, V12, 0, V12, P256,
     "ECDHE-ECDSA-AES128-GCM-SHA256", NULL, NULL, 0},
    {"tls12_ecdhe_ecdsa_aes256gcm", "TLS 1.2 ECDHE-ECDSA-AES256-GCM-SHA384, P-384 key", 0, V12, 0,
     V12, P384, "ECDHE-ECDSA-AES256-GCM-SHA384", NULL, NULL, 0},
    {"tls12_ecdhe_ecdsa_chacha20", "TLS 1.2 ECDHE-ECDSA-CHACHA20-POLY1305", 0, V12, 0, V12, P256,
     "ECDHE-ECDSA-CHACHA20-POLY1305", NULL, NULL, 0},
    {"tls12_ecdhe_ecdsa_cbc", "TLS 1.2 ECDHE-ECDSA-AES128-SHA (CBC)", 0, V12, 0, V12, P256,
     "ECDHE-ECDSA-AES128-SHA", NULL, NULL, 0},
    {"tls12_ecdhe_rsa_aes128gcm", "TLS 1.2 ECDHE-RSA-AES128-GCM-SHA256", 0, V12, 0, V12, RSA,
     "ECDHE-RSA-AES128-GCM-SHA256", NULL, NULL, 0},
    {"tls12_ecdhe_rsa_chacha20", "TLS 1.2 ECDHE-RSA-CHACHA20-POLY1305", 0, V12, 0, V12, RSA,
     "ECDHE-RSA-CHACHA20-POLY1305", NULL, NULL, 0},
    {"tls12_ecdhe_rsa_cbc", "TLS 1.2 ECDHE-RSA-AES256-SHA (CBC)", 0, V12, 0, V12, RSA,
     "ECDHE-RSA-AES256-SHA", NULL, NULL, 0},
    {"tls12_rsa_aes128gcm", "TLS 1.2 TLS_RSA_WITH_AES_128_GCM_SHA256 (RSA key exchange)", 0, V12, 0,
     V12, RSA, "TLS_RSA_WITH_AES_128_GCM_SHA256", NULL, NULL, 0},
    {"tls12_rsa_cbc", "TLS 1.2 TLS_RSA_WITH_AES_128_CBC_SHA (RSA key exchange)", 0, V12, 0, V12,
     RSA, "TLS_RSA_WITH_AES_128_CBC_SHA", NULL, NULL, 0},
    {"tls12_ecdhe_p256", "TLS 1.2 ECDHE over P-256", 0, V12, 0, V12, P256, NULL, "P-256", NULL, 0},
    /* In TLS 1.2 the client must also list the curve of an ECDSA server key
     * (RFC 8422 §5.1), so the server, not the client, narrows to P-384. */
    {"tls12_ecdhe_p384", "TLS 1.2 ECDHE over P-384", 0, V12, 0, V12, P256, NULL, NULL, "P-384", 0},
    {"tls12_ed25519", "TLS 1.2 ECDHE with an Ed25519 server", 0, V12, 0, V12, ED, NULL, NULL, NULL,
     0},
    /* TLS 1.2: resumption, client auth, stapling. */
    {"tls12_ticket_resume", "TLS 1.2 session ticket (NewSessionTicket) and resumption", 0, V12, 0,
     V12, P256, NULL, NULL, NULL, TH_CC_RESUME},
    {"tls12_session_id_resume", "TLS 1.2 session-ID resumption, tickets off", 0, V12, 0, V12, P256,
     NULL, NULL, NULL, TH_CC_RESUME | TH_CC_NO_TICKETS},
    {"tls12_client_auth", "TLS 1.2 client certificate, CertificateRequest with CA names", 0, V12, 0,
     V12, P256, NULL, NULL, NULL, TH_CC_CLIENT_AUTH | TH_CC_CA_NAMES},
    {"tls12_client_auth_empty", "TLS 1.2 CertificateRequest answered by an empty Certificate", 0,
     V12, 0, V12, RSA, "ECDHE-RSA-AES128-GCM-SHA256", NULL, NULL, TH_CC_CLIENT_AUTH_EMPTY},
    {"tls12_ocsp_sct", "TLS 1.2 CertificateStatus (OCSP stapling) and SCTs, chain of two", 0, V12,
     0, V12, P256, NULL, NULL, NULL, TH_CC_OCSP | TH_CC_SCT | TH_CC_CHAIN},
    {"tls12_alpn_sni", "TLS 1.2, ALPN h2 and SNI localhost", 0, V12, 0, V12, P256, NULL, NULL, NULL,
     TH_CC_ALPN | TH_CC_SNI},
    {"tls12_grease", "TLS 1.2, client GREASE", 0, V12, 0, V12, P256, NULL, NULL, NULL,
     TH_CC_GREASE},
    {"tls12_small_records", "TLS 1.2, RSA chain, records of at most 512 bytes", 0, V12, 0, V12, RSA,
     "ECDHE-RSA-AES128-GCM-SHA256", NULL, NULL, TH_CC_SMALL_RECORDS | TH_CC_CHAIN},
    /* A failed negotiation: a plaintext protocol_version alert. */
    {"version_mismatch", "client at most TLS 1.2, server at least TLS 1.3: protocol_version", 0,
     V12, V13, 0, P256, NULL, NULL, NULL, TH_CC_EXPECT_FAILURE},
};

const size_t th_num_corpus_configs = sizeof(th_corpus_configs) / sizeof(th_corpus_configs[0]);

const th_corpus_config *th_corpus_config_find(const char *name) {
    for (size_t i = 0; i < th_num_corpus_configs; i++) {
        if (strcmp(th_corpus_configs[i].name, name) == 0) {
            return &th_corpus_configs[i];
        }
    }
    return NULL;
}
