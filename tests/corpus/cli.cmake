# `tlsharness corpus` options and exit statuses.
#   cmake -DTLSHARNESS=<tlsharness> -DWORK_DIR=<scratch dir> -P cli.cmake
if(NOT TLSHARNESS OR NOT WORK_DIR)
    message(FATAL_ERROR "usage: cmake -DTLSHARNESS=... -DWORK_DIR=... -P cli.cmake")
endif()
file(REMOVE_RECURSE ${WORK_DIR})

# Runs tlsharness corpus with ARGN, expects exit status |rc| and, when given,
# |pattern| in stdout+stderr.
function(expect rc pattern)
    execute_process(COMMAND ${TLSHARNESS} corpus ${ARGN}
                    RESULT_VARIABLE got OUTPUT_VARIABLE out ERROR_VARIABLE err)
    if(NOT got EQUAL rc)
        message(FATAL_ERROR "corpus ${ARGN}: exit ${got}, expected ${rc}\n${out}${err}")
    endif()
    if(pattern AND NOT "${out}${err}" MATCHES "${pattern}")
        message(FATAL_ERROR "corpus ${ARGN}: no '${pattern}' in:\n${out}${err}")
    endif()
endfunction()

expect(0 "Reproducibility" --help)
expect(0 "tls13_early_data +TLS 1.3 0-RTT" --list)
expect(2 "--out DIR is required")
expect(2 "unknown option '--bogus'" --bogus)
expect(2 "--out needs a value" --out)
expect(2 "unknown configuration 'nope'" --out ${WORK_DIR}/x --only nope)
expect(2 "positive number" --out ${WORK_DIR}/x --max-per-target 0)
expect(2 "none: No such file or directory" --out ${WORK_DIR}/x --vectors ${WORK_DIR}/none)
expect(2 "cannot create" --out /dev/null/corpus --only tls13_x25519 --no-vectors)

# One configuration, no vectors, a cap of 2: a folder per reached target only.
expect(0 "tls13_x25519 +1 connection, ok" --out ${WORK_DIR}/one --only tls13_x25519
       --no-vectors --max-per-target 2)
file(GLOB finished ${WORK_DIR}/one/finished/*)
list(LENGTH finished n)
if(NOT n EQUAL 2)
    message(FATAL_ERROR "expected 2 finished seeds with --max-per-target 2, got ${n}")
endif()
foreach(absent server_key_exchange_ecdhe new_session_ticket_tls12 end_of_early_data)
    if(EXISTS ${WORK_DIR}/one/${absent})
        message(FATAL_ERROR "${absent} is not reached by tls13_x25519 but has a folder")
    endif()
endforeach()

# TLS 1.3 ChaCha20 needs BoringSSL's AES hardware support off, which only a new
# process can have: the ServerHello must carry TLS_CHACHA20_POLY1305_SHA256.
expect(0 "tls13_chacha20 +1 connection, ok" --out ${WORK_DIR}/chacha --only tls13_chacha20
       --no-vectors)
file(GLOB hellos ${WORK_DIR}/chacha/server_hello/*)
list(GET hellos 0 hello)
file(READ ${hello} hex HEX)
# legacy_version(2) random(32) session_id(1+32), then cipher_suite.
string(SUBSTRING "${hex}" 134 4 suite)
if(NOT suite STREQUAL "1303")
    message(FATAL_ERROR "tls13_chacha20 negotiated ${suite}, not 1303: ${hex}")
endif()

# --clean removes SHA-1-named files of earlier runs and nothing else.
set(stale ${WORK_DIR}/one/finished/0000000000000000000000000000000000000000)
file(WRITE ${stale} "old")
file(WRITE ${WORK_DIR}/one/finished/README "kept")
expect(0 "" --out ${WORK_DIR}/one --only tls13_x25519 --no-vectors --max-per-target 2 --quiet)
if(NOT EXISTS ${stale})
    message(FATAL_ERROR "without --clean earlier seeds must stay")
endif()
expect(0 "" --out ${WORK_DIR}/one --only tls13_x25519 --no-vectors --max-per-target 2 --quiet
       --clean)
if(EXISTS ${stale} OR NOT EXISTS ${WORK_DIR}/one/finished/README)
    message(FATAL_ERROR "--clean must remove SHA-1-named files only")
endif()
file(REMOVE_RECURSE ${WORK_DIR})
