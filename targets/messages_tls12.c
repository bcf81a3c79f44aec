/* Targets for the TLS 1.2-only handshake messages (and the empty-bodied ones). */
#include "certificate_request_tls12.h"
#include "certificate_status.h"
#include "certificate_tls12.h"
#include "client_key_exchange.h"
#include "empty_messages.h"
#include "fuzz.h"
#include "new_session_ticket_tls12.h"
#include "server_key_exchange.h"

TH_FUZZ_CODEC_TARGET(hello_request, th_hello_request, th_parse_hello_request,
                     th_write_hello_request, th_fuzz_no_cleanup)
TH_FUZZ_CODEC_TARGET(server_hello_done, th_server_hello_done, th_parse_server_hello_done,
                     th_write_server_hello_done, th_fuzz_no_cleanup)
TH_FUZZ_CODEC_TARGET(end_of_early_data, th_end_of_early_data, th_parse_end_of_early_data,
                     th_write_end_of_early_data, th_fuzz_no_cleanup)
TH_FUZZ_CODEC_TARGET(certificate_tls12, th_certificate_tls12, th_parse_certificate_tls12,
                     th_write_certificate_tls12, th_certificate_tls12_cleanup)
TH_FUZZ_CODEC_TARGET(certificate_request_tls12, th_certificate_request_tls12,
                     th_parse_certificate_request_tls12, th_write_certificate_request_tls12,
                     th_certificate_request_tls12_cleanup)
TH_FUZZ_CODEC_TARGET(certificate_request_tls10, th_certificate_request_tls12,
                     th_parse_certificate_request_tls10, th_write_certificate_request_tls12,
                     th_certificate_request_tls12_cleanup)
TH_FUZZ_CODEC_TARGET(server_key_exchange_ecdhe, th_server_key_exchange_ecdhe,
                     th_parse_server_key_exchange_ecdhe, th_write_server_key_exchange_ecdhe,
                     th_fuzz_no_cleanup)
TH_FUZZ_CODEC_TARGET(server_key_exchange_ecdhe_legacy, th_server_key_exchange_ecdhe,
                     th_parse_server_key_exchange_ecdhe_legacy, th_write_server_key_exchange_ecdhe,
                     th_fuzz_no_cleanup)
TH_FUZZ_CODEC_TARGET(server_key_exchange_dhe, th_server_key_exchange_dhe,
                     th_parse_server_key_exchange_dhe, th_write_server_key_exchange_dhe,
                     th_fuzz_no_cleanup)
TH_FUZZ_CODEC_TARGET(server_key_exchange_dhe_legacy, th_server_key_exchange_dhe,
                     th_parse_server_key_exchange_dhe_legacy, th_write_server_key_exchange_dhe,
                     th_fuzz_no_cleanup)
TH_FUZZ_CODEC_TARGET(client_key_exchange_ecdhe, th_client_key_exchange_ecdhe,
                     th_parse_client_key_exchange_ecdhe, th_write_client_key_exchange_ecdhe,
                     th_fuzz_no_cleanup)
TH_FUZZ_CODEC_TARGET(client_key_exchange_rsa, th_client_key_exchange_rsa,
                     th_parse_client_key_exchange_rsa, th_write_client_key_exchange_rsa,
                     th_fuzz_no_cleanup)
TH_FUZZ_CODEC_TARGET(client_key_exchange_dhe, th_client_key_exchange_dhe,
                     th_parse_client_key_exchange_dhe, th_write_client_key_exchange_dhe,
                     th_fuzz_no_cleanup)
TH_FUZZ_CODEC_TARGET(new_session_ticket_tls12, th_new_session_ticket_tls12,
                     th_parse_new_session_ticket_tls12, th_write_new_session_ticket_tls12,
                     th_fuzz_no_cleanup)
TH_FUZZ_CODEC_TARGET(certificate_status, th_certificate_status, th_parse_certificate_status,
                     th_write_certificate_status, th_fuzz_no_cleanup)
