# Runs `tlsharness corpus` twice into fresh folders and checks that the two
# runs produce the same targets with the same number of seeds each (seed bytes
# differ: BoringSSL's randomness cannot be seeded), and that the main targets
# are not empty.
#   cmake -DTLSHARNESS=<tlsharness> -DWORK_DIR=<scratch dir> -P determinism.cmake
if(NOT TLSHARNESS OR NOT WORK_DIR)
    message(FATAL_ERROR "usage: cmake -DTLSHARNESS=... -DWORK_DIR=... -P determinism.cmake")
endif()

set(MAIN_TARGETS
    client_hello server_hello encrypted_extensions certificate certificate_request
    certificate_verify finished new_session_ticket key_update end_of_early_data
    certificate_tls12 certificate_request_tls12 server_key_exchange_ecdhe server_hello_done
    client_key_exchange_ecdhe client_key_exchange_rsa new_session_ticket_tls12
    certificate_status message_hash handshake record record_stream alert ccs inner_plaintext
    ext_block_ch ext_block_sh ext_block_hrr ext_block_ee ext_block_ct ext_block_cr
    ext_block_nst ext_block_sh12 ext_key_share_ch ext_key_share_sh ext_key_share_hrr
    ext_supported_versions_ch ext_supported_versions_sh ext_pre_shared_key_ch
    ext_pre_shared_key_sh ext_early_data_nst ext_alpn_ch ext_alpn_sh ext_server_name_ch
    ext_signed_certificate_timestamp ext_empty ext_list u16_list)

# Prints "<target> <count>" lines for the folder |dir| into |out_var|.
function(corpus_listing dir out_var)
    file(GLOB targets LIST_DIRECTORIES true RELATIVE ${dir} ${dir}/*)
    list(SORT targets)
    set(listing "")
    foreach(t ${targets})
        if(IS_DIRECTORY ${dir}/${t})
            file(GLOB seeds ${dir}/${t}/*)
            list(LENGTH seeds n)
            string(APPEND listing "${t} ${n}\n")
        endif()
    endforeach()
    set(${out_var} "${listing}" PARENT_SCOPE)
endfunction()

foreach(run a b)
    file(REMOVE_RECURSE ${WORK_DIR}/${run})
    execute_process(COMMAND ${TLSHARNESS} corpus --quiet --out ${WORK_DIR}/${run}
                    RESULT_VARIABLE rc ERROR_VARIABLE err)
    if(NOT rc EQUAL 0)
        message(FATAL_ERROR "tlsharness corpus (run ${run}) exited with ${rc}:\n${err}")
    endif()
    corpus_listing(${WORK_DIR}/${run} listing_${run})
endforeach()

if(NOT listing_a STREQUAL listing_b)
    message(FATAL_ERROR "the two runs differ in targets or seed counts:\n"
                        "--- run a\n${listing_a}--- run b\n${listing_b}")
endif()
foreach(t ${MAIN_TARGETS})
    file(GLOB seeds ${WORK_DIR}/a/${t}/*)
    list(LENGTH seeds n)
    if(n EQUAL 0)
        message(FATAL_ERROR "no seeds for target ${t}\n${listing_a}")
    endif()
endforeach()
message(STATUS "both runs agree:\n${listing_a}")
file(REMOVE_RECURSE ${WORK_DIR})
