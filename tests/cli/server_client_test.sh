#!/bin/sh
# Loopback tests of `tlsharness server` and `tlsharness client`, with each
# other and with the Debian `openssl` tool, one case per CTest test:
#   server_client_test.sh TLSHARNESS PKI_DIR CASE
# Everything listens on 127.0.0.1 only; every process runs under `timeout`
# and background servers are killed on exit, so a hang fails fast.
set -u

bin=$1
pki=$2
case_name=$3

tmp=$(mktemp -d) || exit 1
server_pid=
# shellcheck disable=SC2317 # called by the EXIT trap
cleanup() {
    if [ -n "$server_pid" ]; then
        kill "$server_pid" 2>/dev/null
        wait "$server_pid" 2>/dev/null
    fi
    exec 3>&- 2>/dev/null
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

out=$tmp/out
err=$tmp/err
slog=$tmp/server.log
chain=$pki/server-ecdsa-p256-chain.pem
key=$pki/server-ecdsa-p256.key
ca=$pki/trust-bundle.pem

fail() {
    echo "FAIL ($case_name): $*"
    for f in "$out" "$err" "$slog"; do
        echo "--- $(basename "$f")"
        cat "$f" 2>/dev/null
    done
    exit 1
}

expect() {
    grep -F -e "$2" "$1" >/dev/null || fail "no '$2' in $(basename "$1")"
}

expect_not() {
    if grep -F -e "$2" "$1" >/dev/null; then
        fail "unexpected '$2' in $(basename "$1")"
    fi
}

random_port() {
    echo $((20000 + $(od -An -N2 -tu2 /dev/urandom | tr -d ' ') % 40000))
}

# wait_for FILE TEXT PID: 0 once TEXT is in FILE, 1 if PID exits first or 15 s
# pass.
wait_for() {
    i=0
    while [ $i -lt 150 ]; do
        grep -F -e "$2" "$1" >/dev/null 2>&1 && return 0
        kill -0 "$3" 2>/dev/null || return 1
        sleep 0.1
        i=$((i + 1))
    done
    return 1
}

# start_server ARGS...: `tlsharness server` on a free port ($port), logging to
# $slog; retries on a port in use.
start_server() {
    for _ in 1 2 3 4 5; do
        port=$(random_port)
        # Emptied here, not by the background redirection, so wait_for cannot
        # see the line of a previous server.
        : >"$slog"
        timeout 30 "$bin" server --port "$port" "$@" 2>"$slog" &
        server_pid=$!
        wait_for "$slog" "listening on" "$server_pid" && return 0
        wait "$server_pid" 2>/dev/null
        server_pid=
    done
    fail "the server did not start"
}

# start_openssl_server ARGS...: `openssl s_server` on a free port, its stdin a
# FIFO held open (at end of input s_server shuts down). It serves
# $openssl_naccept connections (default 1).
openssl_naccept=1
start_openssl_server() {
    mkfifo "$tmp/sin"
    exec 3<>"$tmp/sin"
    for _ in 1 2 3 4 5; do
        port=$(random_port)
        : >"$slog"
        timeout 30 openssl s_server -accept "127.0.0.1:$port" -naccept "$openssl_naccept" "$@" \
            <"$tmp/sin" >"$slog" 2>&1 &
        server_pid=$!
        wait_for "$slog" "ACCEPT" "$server_pid" && return 0
        wait "$server_pid" 2>/dev/null
        server_pid=
    done
    fail "openssl s_server did not start"
}

# wait_server EXPECTED_STATUS: the server must exit by itself (its
# --max-connections reached) with that status.
wait_server() {
    wait "$server_pid"
    s=$?
    server_pid=
    [ "$s" -eq "$1" ] || fail "server exit status $s, expected $1"
}

# client EXPECTED_STATUS INPUT ARGS...: runs `tlsharness client` against the
# server with INPUT on stdin (kept open one more second, so the reply
# arrives before our close_notify).
client() {
    expected=$1
    input=$2
    shift 2
    (printf '%b' "$input"; sleep 1) |
        timeout 15 "$bin" client "127.0.0.1:$port" "$@" >"$out" 2>"$err"
    status=$?
    [ "$status" -eq "$expected" ] || fail "client exit status $status, expected $expected"
}

# run EXPECTED_STATUS ARGS...: a command that needs no peer.
run() {
    expected=$1
    shift
    timeout 15 "$bin" "$@" </dev/null >"$out" 2>"$err"
    status=$?
    [ "$status" -eq "$expected" ] || fail "exit status $status, expected $expected"
}

echo_with_suite() {
    start_server --cert "$chain" --key "$key" --echo --max-connections 1
    client 0 "hello $1\n" --ca "$ca" --sni localhost --suites "$1"
    wait_server 0
    expect "$out" "hello $1"
    expect "$err" "version=TLS 1.3 suite=$1 group=x25519"
    expect "$err" "sni=localhost"
    expect "$err" "s:/O=tlsharness test PKI/OU=server/CN=server-ecdsa-p256"
    expect "$err" "i:/O=tlsharness test PKI/OU=intermediate CA/CN=intermediate-ca"
    expect "$err" "closed: the server sent close_notify"
    expect "$slog" "suite=$1 group=x25519 alpn=- sni=localhost closed"
}

openssl_client_with_suite() {
    start_server --cert "$chain" --key "$key" --echo --max-connections 1
    (printf 'ping %s\n' "$1"; sleep 1) |
        timeout 15 openssl s_client -connect "127.0.0.1:$port" -CAfile "$ca" \
            -servername localhost -verify_hostname localhost -verify_return_error \
            -tls1_3 -ciphersuites "$1" -no_ign_eof >"$out" 2>"$err"
    status=$?
    [ "$status" -eq 0 ] || fail "s_client exit status $status"
    wait_server 0
    expect "$out" "ping $1"
    expect "$out" "Cipher is $1"
    expect "$out" "Verify return code: 0 (ok)"
    expect "$slog" "suite=$1 group=x25519 alpn=- sni=localhost closed"
}

# expect_count FILE TEXT N: TEXT is on exactly N lines of FILE.
expect_count() {
    c=$(grep -c -F -e "$2" "$1")
    [ "$c" -eq "$3" ] || fail "'$2' on $c lines of $(basename "$1"), expected $3"
}

# expect_output TEXT: standard output of the client is exactly TEXT (printf
# escapes).
expect_output() {
    printf '%b' "$1" >"$tmp/expected"
    cmp -s "$tmp/expected" "$out" || fail "the output is not '$1'"
}

# resume_with_early_data SERVER_ARGS CLIENT_ARGS OUTCOME: --resume with
# --early-data against our server; OUTCOME is the client's early_data= value.
# The early data comes back before standard input in every case: accepted, it
# is echoed once the handshake is done; otherwise the client sends it again
# after the handshake.
resume_with_early_data() {
    printf 'early bytes\n' >"$tmp/early"
    # shellcheck disable=SC2086
    start_server --cert "$chain" --key "$key" --echo --max-connections 2 $1
    # shellcheck disable=SC2086
    client 0 "after handshake\n" --ca "$ca" --sni localhost --resume --early-data "$tmp/early" $2
    wait_server 0
    expect_output "early bytes\nafter handshake\n"
    expect "$err" "resumed=yes early_data=$3"
    expect_count "$err" "resumed=no" 1
}

openssl_server_with_suite() {
    start_openssl_server -tls1_3 -ciphersuites "$1" -rev -cert "$pki/server-ecdsa-p256.pem" \
        -cert_chain "$pki/intermediate-ca.pem" -key "$key"
    client 0 "stressed\n" --ca "$ca" --sni localhost
    wait_server 0
    # -rev sends each line back reversed.
    expect "$out" "desserts"
    expect "$err" "suite=$1"
    expect "$err" "s:/O=tlsharness test PKI/OU=server/CN=server-ecdsa-p256"
    expect "$slog" "Ciphersuite: $1"
}

# suite12 SHORT: sets $iana, $ossl (OpenSSL's name) and $kind (the server
# certificate: ecdsa-p256 or rsa2048) of a TLS 1.2 suite family the engine
# supports.
suite12() {
    case $1 in
    ecdsa_aes128gcm) iana=TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 ossl=ECDHE-ECDSA-AES128-GCM-SHA256 ;;
    ecdsa_aes256gcm) iana=TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384 ossl=ECDHE-ECDSA-AES256-GCM-SHA384 ;;
    ecdsa_chacha20) iana=TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256 ossl=ECDHE-ECDSA-CHACHA20-POLY1305 ;;
    ecdsa_aes128cbc) iana=TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA ossl=ECDHE-ECDSA-AES128-SHA ;;
    ecdsa_aes256cbc) iana=TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA ossl=ECDHE-ECDSA-AES256-SHA ;;
    rsa_aes128gcm) iana=TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 ossl=ECDHE-RSA-AES128-GCM-SHA256 ;;
    rsa_aes256gcm) iana=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384 ossl=ECDHE-RSA-AES256-GCM-SHA384 ;;
    rsa_chacha20) iana=TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256 ossl=ECDHE-RSA-CHACHA20-POLY1305 ;;
    rsa_aes128cbc) iana=TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA ossl=ECDHE-RSA-AES128-SHA ;;
    rsa_aes256cbc) iana=TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA ossl=ECDHE-RSA-AES256-SHA ;;
    rsakx_aes128gcm) iana=TLS_RSA_WITH_AES_128_GCM_SHA256 ossl=AES128-GCM-SHA256 ;;
    rsakx_aes256gcm) iana=TLS_RSA_WITH_AES_256_GCM_SHA384 ossl=AES256-GCM-SHA384 ;;
    rsakx_aes128cbc) iana=TLS_RSA_WITH_AES_128_CBC_SHA ossl=AES128-SHA ;;
    rsakx_aes256cbc) iana=TLS_RSA_WITH_AES_256_CBC_SHA ossl=AES256-SHA ;;
    *) fail "unknown TLS 1.2 suite family '$1'" ;;
    esac
    case $1 in
    ecdsa_*) kind=ecdsa-p256 ;;
    *) kind=rsa2048 ;;
    esac
}

# s_client12 ARGS...: `openssl s_client -tls1_2` against $port with the
# trust bundle; "$tag" on standard input (kept open a second so the echo
# arrives); all output in $out. Exit status checked.
s_client12() {
    (printf '%s\n' "$tag"; sleep 1) |
        timeout 15 openssl s_client -connect "127.0.0.1:$port" -CAfile "$ca" \
            -servername localhost -verify_hostname localhost -verify_return_error \
            -no_ign_eof "$@" >"$out" 2>&1
    status=$?
    [ "$status" -eq 0 ] || fail "s_client exit status $status"
}

# openssl_client12 SHORT: `openssl s_client -tls1_2 -cipher` with the suite
# against our TLS 1.2 server restricted to it; the data comes back.
openssl_client12() {
    suite12 "$1"
    start_server --cert "$pki/server-$kind-chain.pem" --key "$pki/server-$kind.key" --echo \
        --max-connections 1 --versions tls1.2 --suites "$iana"
    tag="ping $ossl"
    s_client12 -tls1_2 -cipher "$ossl"
    wait_server 0
    expect "$out" "ping $ossl"
    expect "$out" "Cipher is $ossl"
    expect "$out" "Protocol  : TLSv1.2"
    expect "$out" "Verify return code: 0 (ok)"
    expect "$out" "Extended master secret: yes"
    expect "$slog" "version=TLS 1.2 suite=$iana "
    expect "$slog" "closed ($((${#tag} + 1)) bytes in, $((${#tag} + 1)) out)"
}

# openssl_server12 SHORT: our client (every TLS 1.2 suite offered) against
# `openssl s_server -tls1_2 -cipher` with the suite; -rev sends each line
# back reversed.
openssl_server12() {
    suite12 "$1"
    start_openssl_server -tls1_2 -cipher "$ossl" -rev -cert "$pki/server-$kind.pem" \
        -cert_chain "$pki/intermediate-ca.pem" -key "$pki/server-$kind.key"
    client 0 "stressed\n" --ca "$ca" --sni localhost --versions tls1.2
    wait_server 0
    expect "$out" "desserts"
    expect "$err" "version=TLS 1.2 suite=$iana "
    expect "$err" "CN=server-$kind"
    expect "$err" "closed: the server sent close_notify"
    expect "$slog" "Protocol version: TLSv1.2"
    expect "$slog" "Ciphersuite: $ossl"
    case $1 in
    rsakx_*) expect "$err" "group=- alpn=- sni=localhost sig=-" ;;
    *) expect "$err" "group=x25519" ;;
    esac
}

# make_ocsp_response: a DER OCSP response ("good") for server-ecdsa-p256
# signed by the intermediate CA that issued it, in $tmp/ocsp.der.
make_ocsp_response() {
    serial=$(openssl x509 -in "$pki/server-ecdsa-p256.pem" -noout -serial) || fail "no serial"
    subject=$(openssl x509 -in "$pki/server-ecdsa-p256.pem" -noout -subject -nameopt compat)
    printf 'V\t300101000000Z\t\t%s\tunknown\t%s\n' "${serial#serial=}" "${subject#subject=}" \
        >"$tmp/ocsp.index"
    openssl ocsp -index "$tmp/ocsp.index" -rsigner "$pki/intermediate-ca.pem" \
        -rkey "$pki/intermediate-ca.key" -CA "$pki/intermediate-ca.pem" \
        -issuer "$pki/intermediate-ca.pem" -cert "$pki/server-ecdsa-p256.pem" \
        -respout "$tmp/ocsp.der" -ndays 1 >"$tmp/ocsp.log" 2>&1 || fail "openssl ocsp failed"
    ocsp_len=$(wc -c <"$tmp/ocsp.der" | tr -d ' ')
}

case $case_name in
openssl_* | tls12_openssl_*)
    # CTest reports 77 as skipped (SKIP_RETURN_CODE) where the tool is absent.
    command -v openssl >/dev/null 2>&1 || exit 77
    ;;
esac

case $case_name in
echo_aes128)
    echo_with_suite TLS_AES_128_GCM_SHA256
    ;;
echo_aes256)
    echo_with_suite TLS_AES_256_GCM_SHA384
    ;;
echo_chacha20)
    echo_with_suite TLS_CHACHA20_POLY1305_SHA256
    ;;
groups_hrr)
    # The client's key share is x25519; the server wants secp384r1 only, so
    # it asks again with a HelloRetryRequest.
    start_server --cert "$chain" --key "$key" --echo --max-connections 1 --groups secp384r1
    client 0 "after hrr\n" --ca "$ca" --sni localhost --groups x25519,secp384r1
    wait_server 0
    expect "$out" "after hrr"
    expect "$err" "group=secp384r1"
    expect "$err" " hrr"
    # The chain is read from the encrypted flight that follows the HRR.
    expect "$err" "s:/O=tlsharness test PKI/OU=server/CN=server-ecdsa-p256"
    expect "$slog" "group=secp384r1"
    ;;
cert_kinds)
    for kind in rsa2048:rsa_pss_rsae_sha256 ed25519:ed25519 ecdsa-p384:ecdsa_secp384r1_sha384; do
        name=${kind%%:*}
        start_server --cert "$pki/server-$name-chain.pem" --key "$pki/server-$name.key" \
            --echo --max-connections 1
        client 0 "via $name\n" --ca "$ca" --sni localhost
        wait_server 0
        expect "$out" "via $name"
        expect "$err" "sig=${kind#*:}"
        expect "$err" "CN=server-$name"
    done
    ;;
http)
    start_server --cert "$chain" --key "$key" --http --max-connections 1
    client 0 'GET / HTTP/1.0\r\nHost: localhost\r\n\r\n' --ca "$ca" --sni localhost
    wait_server 0
    expect "$out" "HTTP/1.0 200 OK"
    expect "$out" "Hello from tlsharness"
    expect "$slog" "answered"
    ;;
alpn)
    start_server --cert "$chain" --key "$key" --echo --max-connections 1 --alpn h2,http/1.1
    client 0 "x\n" --ca "$ca" --sni localhost --alpn foo,http/1.1
    wait_server 0
    expect "$err" "alpn=http/1.1"
    expect "$slog" "alpn=http/1.1"
    ;;
alpn_no_overlap)
    start_server --cert "$chain" --key "$key" --echo --max-connections 1 --alpn h2
    client 1 "x\n" --ca "$ca" --sni localhost --alpn http/1.1
    wait_server 0
    expect "$err" "no_application_protocol"
    expect "$slog" "sent alert no_application_protocol"
    ;;
bad_ca)
    start_server --cert "$chain" --key "$key" --echo --max-connections 1
    client 1 "x\n" --ca "$pki/untrusted-root.pem" --sni localhost
    wait_server 0
    expect "$err" "sent alert unknown_ca"
    expect "$slog" "received alert unknown_ca"
    ;;
wrong_host)
    start_server --cert "$chain" --key "$key" --echo --max-connections 1
    client 1 "x\n" --ca "$ca" --sni not-the-host.example
    wait_server 0
    expect "$err" "sent alert bad_certificate"
    ;;
client_auth)
    start_server --cert "$chain" --key "$key" --echo --max-connections 1 --ca "$ca" \
        --require-client-cert
    client 0 "authenticated\n" --ca "$ca" --sni localhost \
        --cert "$pki/client-ecdsa-p256-chain.pem" --key "$pki/client-ecdsa-p256.key"
    wait_server 0
    expect "$out" "authenticated"
    expect "$slog" "client_cert=verified"
    ;;
bulk)
    # 1 MiB each way through the echo server, in records of up to 16 KiB.
    head -c 1048576 /dev/urandom >"$tmp/bulk.in"
    start_server --cert "$chain" --key "$key" --echo --max-connections 1
    (cat "$tmp/bulk.in"; sleep 2) |
        timeout 30 "$bin" client "127.0.0.1:$port" --ca "$ca" --sni localhost >"$out" 2>"$err"
    status=$?
    [ "$status" -eq 0 ] || fail "client exit status $status"
    wait_server 0
    cmp -s "$tmp/bulk.in" "$out" || fail "the echo differs from the input"
    expect "$slog" "(1048576 bytes in, 1048576 out)"
    ;;
client_auth_missing)
    start_server --cert "$chain" --key "$key" --echo --max-connections 1 --ca "$ca" \
        --require-client-cert
    client 1 "x\n" --ca "$ca" --sni localhost
    wait_server 0
    expect "$err" "certificate_required"
    expect "$slog" "sent alert certificate_required"
    ;;
keylog)
    start_server --cert "$chain" --key "$key" --echo --max-connections 1 \
        --keylog "$tmp/server.keys"
    client 0 "x\n" --ca "$ca" --sni localhost --keylog "$tmp/client.keys"
    wait_server 0
    for f in "$tmp/client.keys" "$tmp/server.keys"; do
        for label in CLIENT_HANDSHAKE_TRAFFIC_SECRET SERVER_HANDSHAKE_TRAFFIC_SECRET \
            CLIENT_TRAFFIC_SECRET_0 SERVER_TRAFFIC_SECRET_0; do
            expect "$f" "$label "
        done
    done
    # Both ends log the same secrets.
    sort "$tmp/client.keys" >"$tmp/c.sorted"
    sort "$tmp/server.keys" >"$tmp/s.sorted"
    cmp -s "$tmp/c.sorted" "$tmp/s.sorted" || fail "client and server key logs differ"
    ;;
concurrent)
    start_server --cert "$chain" --key "$key" --echo --max-connections 3
    for i in 1 2 3; do
        (printf 'conn %s\n' "$i"; sleep 2) |
            timeout 15 "$bin" client "127.0.0.1:$port" --ca "$ca" --sni localhost \
                >"$tmp/out$i" 2>"$tmp/err$i" &
        eval "pid$i=\$!"
    done
    for i in 1 2 3; do
        eval "wait \$pid$i"
        s=$?
        [ "$s" -eq 0 ] || fail "client $i exit status $s"
        expect "$tmp/out$i" "conn $i"
    done
    wait_server 0
    [ "$(grep -c ' closed (' "$slog")" -eq 3 ] || fail "expected 3 connection lines"
    ;;
openssl_client_aes128)
    openssl_client_with_suite TLS_AES_128_GCM_SHA256
    ;;
openssl_client_aes256)
    openssl_client_with_suite TLS_AES_256_GCM_SHA384
    ;;
openssl_client_chacha20)
    openssl_client_with_suite TLS_CHACHA20_POLY1305_SHA256
    ;;
openssl_server_aes128)
    openssl_server_with_suite TLS_AES_128_GCM_SHA256
    ;;
openssl_server_aes256)
    openssl_server_with_suite TLS_AES_256_GCM_SHA384
    ;;
openssl_server_chacha20)
    openssl_server_with_suite TLS_CHACHA20_POLY1305_SHA256
    ;;
resume)
    start_server --cert "$chain" --key "$key" --echo --max-connections 2
    client 0 "second connection\n" --ca "$ca" --sni localhost --resume
    wait_server 0
    # Standard input goes on the second connection only.
    expect_output "second connection\n"
    expect "$err" "sig=ecdsa_secp256r1_sha256 resumed=no"
    expect "$err" "sig=- resumed=yes"
    expect "$err" "certificate chain: (none: the session was resumed)"
    expect_count "$err" "closed: the server sent close_notify" 2
    expect "$slog" "sni=localhost closed (0 bytes in, 0 out)"
    expect "$slog" "sni=localhost resumed closed (18 bytes in, 18 out)"
    ;;
resume_no_tickets)
    # Without tickets the second connection is a full handshake.
    start_server --cert "$chain" --key "$key" --echo --max-connections 2 --no-tickets
    client 0 "full again\n" --ca "$ca" --sni localhost --resume
    wait_server 0
    expect_output "full again\n"
    expect "$err" "the server sent no session ticket"
    expect_count "$err" "resumed=no" 2
    expect_not "$slog" "resumed"
    ;;
early_data_accepted)
    resume_with_early_data "--early-data 16384" "" accepted
    expect "$slog" "resumed early_data=accepted closed (28 bytes in, 28 out)"
    ;;
early_data_rejected)
    # The server wants secp384r1 and the client's share is x25519: the
    # HelloRetryRequest rejects 0-RTT (RFC 8446 §4.2.10) although the ticket
    # allows it; the PSK still resumes.
    resume_with_early_data "--early-data 16384 --groups secp384r1" "--groups x25519,secp384r1" \
        rejected
    expect "$err" "hrr sig=- resumed=yes early_data=rejected"
    expect "$slog" "hrr resumed early_data=rejected closed (28 bytes in, 28 out)"
    ;;
early_data_not_allowed)
    # A server without --early-data issues tickets that allow no 0-RTT, so
    # the client does not offer it and sends the bytes after the handshake.
    resume_with_early_data "" "" not-sent
    expect "$err" "the ticket allows 0 bytes, the file has 12"
    expect "$slog" "resumed closed (28 bytes in, 28 out)"
    expect_not "$slog" "early_data="
    ;;
openssl_client_two_certs)
    # ECDSA and RSA served together: a client that can only verify RSA-PSS
    # gets the RSA chain, any other client the first (ECDSA) one.
    start_server --cert "$chain" --key "$key" --cert "$pki/server-rsa2048-chain.pem" \
        --key "$pki/server-rsa2048.key" --echo --max-connections 2
    for sigalgs in rsa_pss_rsae_sha256 ecdsa_secp256r1_sha256:rsa_pss_rsae_sha256; do
        (printf 'two %s\n' "$sigalgs"; sleep 1) |
            timeout 15 openssl s_client -connect "127.0.0.1:$port" -CAfile "$ca" \
                -servername localhost -verify_hostname localhost -verify_return_error \
                -tls1_3 -sigalgs "$sigalgs" -no_ign_eof >"$out" 2>"$err"
        status=$?
        [ "$status" -eq 0 ] || fail "s_client exit status $status"
        expect "$out" "two $sigalgs"
        expect "$out" "Verify return code: 0 (ok)"
        case $sigalgs in
        rsa_*) expect "$out" "CN = server-rsa2048" ;;
        *) expect "$out" "CN = server-ecdsa-p256" ;;
        esac
    done
    wait_server 0
    ;;
openssl_client_resume)
    # s_client keeps the session of the first connection in a file and
    # offers it on the next ones; 0-RTT once per ticket (RFC 8446 §8.1).
    printf 'early from s_client\n' >"$tmp/early"
    start_server --cert "$chain" --key "$key" --echo --max-connections 4 --early-data 16384
    for step in first resumed early replay; do
        case $step in
        first) sess="-sess_out $tmp/sess.pem" ;;
        resumed) sess="-sess_in $tmp/sess.pem" ;;
        *) sess="-sess_in $tmp/sess.pem -early_data $tmp/early" ;;
        esac
        # shellcheck disable=SC2086
        (printf '%s\n' "$step"; sleep 1) |
            timeout 15 openssl s_client -connect "127.0.0.1:$port" -CAfile "$ca" \
                -servername localhost -verify_return_error -tls1_3 -no_ign_eof $sess \
                >"$tmp/$step.out" 2>&1
        s=$?
        [ "$s" -eq 0 ] || fail "s_client ($step) exit status $s"
        expect "$tmp/$step.out" "$step"
    done
    wait_server 0
    expect "$tmp/first.out" "New, TLSv1.3"
    expect "$tmp/resumed.out" "Reused, TLSv1.3"
    expect "$tmp/early.out" "Early data was accepted"
    expect "$tmp/early.out" "early from s_client"
    expect "$tmp/replay.out" "Reused, TLSv1.3"
    expect "$tmp/replay.out" "Early data was rejected"
    expect_count "$slog" " resumed" 3
    expect_count "$slog" "early_data=accepted" 1
    expect_count "$slog" "early_data=rejected" 1
    ;;
openssl_server_resume)
    # OpenSSL issues two tickets after every TLS 1.3 handshake by default.
    openssl_naccept=2
    start_openssl_server -tls1_3 -cert "$pki/server-ecdsa-p256.pem" \
        -cert_chain "$pki/intermediate-ca.pem" -key "$key"
    client 0 "to s_server\n" --ca "$ca" --sni localhost --resume
    wait_server 0
    expect "$err" "resumed=no"
    expect "$err" "resumed=yes"
    expect "$slog" "Reused session-id"
    expect "$slog" "to s_server"
    ;;
openssl_server_early_data)
    printf 'zero rtt\n' >"$tmp/early"
    openssl_naccept=2
    start_openssl_server -tls1_3 -early_data -cert "$pki/server-ecdsa-p256.pem" \
        -cert_chain "$pki/intermediate-ca.pem" -key "$key"
    client 0 "one rtt\n" --ca "$ca" --sni localhost --resume --early-data "$tmp/early"
    wait_server 0
    expect "$err" "resumed=yes early_data=accepted"
    expect "$slog" "Early data received"
    expect "$slog" "zero rtt"
    expect "$slog" "one rtt"
    ;;
tls12_openssl_version_negotiation)
    # A server of both versions: TLS 1.3 to a client that offers it, TLS 1.2
    # to a TLS 1.2-only client.
    start_server --cert "$chain" --key "$key" --echo --max-connections 2 \
        --versions tls1.2,tls1.3
    tag="modern"
    s_client12
    expect "$out" "modern"
    expect "$out" "New, TLSv1.3"
    tag="legacy"
    s_client12 -tls1_2
    expect "$out" "legacy"
    expect "$out" "Protocol  : TLSv1.2"
    wait_server 0
    expect_count "$slog" "version=TLS 1.3 suite=TLS_AES_128_GCM_SHA256" 1
    expect_count "$slog" "version=TLS 1.2 suite=TLS_ECDHE_ECDSA_WITH_" 1
    ;;
tls12_openssl_dual_client)
    # A TLS 1.2-only s_server writes no downgrade sentinel (it does not speak
    # TLS 1.3), so our client offering both settles for TLS 1.2.
    start_openssl_server -tls1_2 -rev -cert "$pki/server-ecdsa-p256.pem" \
        -cert_chain "$pki/intermediate-ca.pem" -key "$key"
    client 0 "lanoitisnart\n" --ca "$ca" --sni localhost --versions tls1.2,tls1.3
    wait_server 0
    expect "$out" "transitional"
    expect "$err" "version=TLS 1.2 suite=TLS_ECDHE_ECDSA_WITH_"
    expect "$slog" "Protocol version: TLSv1.2"
    ;;
tls12_self)
    # Ours against ours in TLS 1.2, ECDSA and RSA key exchange with an RSA
    # certificate.
    start_server --cert "$chain" --key "$key" --echo --max-connections 1 --versions tls1.2
    client 0 "self twelve\n" --ca "$ca" --sni localhost --versions 1.2
    wait_server 0
    expect_output "self twelve\n"
    expect "$err" "version=TLS 1.2 suite=TLS_ECDHE_ECDSA_WITH_"
    expect "$err" "group=x25519"
    expect "$err" "sig=ecdsa_secp256r1_sha256"
    expect "$err" "s:/O=tlsharness test PKI/OU=server/CN=server-ecdsa-p256"
    expect "$slog" "version=TLS 1.2 suite=TLS_ECDHE_ECDSA_WITH_"
    start_server --cert "$pki/server-rsa2048-chain.pem" --key "$pki/server-rsa2048.key" --echo \
        --max-connections 1 --versions tls1.2 --suites AES256-SHA
    client 0 "rsa kx\n" --ca "$ca" --sni localhost --versions tls1.2 \
        --suites TLS_RSA_WITH_AES_256_CBC_SHA,TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256
    wait_server 0
    expect_output "rsa kx\n"
    expect "$err" "version=TLS 1.2 suite=TLS_RSA_WITH_AES_256_CBC_SHA group=- alpn=- sni=localhost sig=-"
    expect "$slog" "version=TLS 1.2 suite=TLS_RSA_WITH_AES_256_CBC_SHA group=-"
    ;;
tls12_self_dual)
    # Our server of both versions: TLS 1.2 to our TLS 1.2 client, TLS 1.3 to
    # our client of both.
    start_server --cert "$chain" --key "$key" --echo --max-connections 2 \
        --versions tls1.3,tls1.2
    client 0 "v12\n" --ca "$ca" --sni localhost --versions tls1.2
    expect "$err" "version=TLS 1.2 "
    client 0 "v13\n" --ca "$ca" --sni localhost --versions tls1.2,tls1.3
    expect "$err" "version=TLS 1.3 "
    wait_server 0
    expect_count "$slog" "version=TLS 1.2 " 1
    expect_count "$slog" "version=TLS 1.3 " 1
    ;;
tls12_alpn_client_auth)
    start_server --cert "$chain" --key "$key" --echo --max-connections 1 --versions tls1.2 \
        --ca "$ca" --require-client-cert --alpn h2,http/1.1
    client 0 "authenticated 1.2\n" --ca "$ca" --sni localhost --versions tls1.2 \
        --alpn http/1.1 --cert "$pki/client-rsa2048-chain.pem" --key "$pki/client-rsa2048.key"
    wait_server 0
    expect_output "authenticated 1.2\n"
    expect "$err" "alpn=http/1.1"
    expect "$slog" "version=TLS 1.2 "
    expect "$slog" "alpn=http/1.1 sni=localhost client_cert=verified"
    ;;
tls12_openssl_client_auth)
    start_server --cert "$chain" --key "$key" --echo --max-connections 1 --versions tls1.2 \
        --ca "$ca" --require-client-cert
    tag="client cert"
    s_client12 -tls1_2 -cert "$pki/client-ecdsa-p256.pem" -cert_chain "$pki/intermediate-ca.pem" \
        -key "$pki/client-ecdsa-p256.key"
    wait_server 0
    expect "$out" "client cert"
    expect "$slog" "version=TLS 1.2 "
    expect "$slog" "client_cert=verified"
    ;;
tls12_bulk)
    # 1 MiB each way through a CBC suite (records of up to 16 KiB).
    head -c 1048576 /dev/urandom >"$tmp/bulk.in"
    start_server --cert "$chain" --key "$key" --echo --max-connections 1 --versions tls1.2
    (cat "$tmp/bulk.in"; sleep 2) |
        timeout 30 "$bin" client "127.0.0.1:$port" --ca "$ca" --sni localhost \
            --versions tls1.2 --suites TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA >"$out" 2>"$err"
    status=$?
    [ "$status" -eq 0 ] || fail "client exit status $status"
    wait_server 0
    cmp -s "$tmp/bulk.in" "$out" || fail "the echo differs from the input"
    expect "$slog" "suite=TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA"
    expect "$slog" "(1048576 bytes in, 1048576 out)"
    ;;
tls12_resume_ticket)
    start_server --cert "$chain" --key "$key" --echo --max-connections 2 --versions tls1.2
    client 0 "second 1.2\n" --ca "$ca" --sni localhost --versions tls1.2 --resume
    wait_server 0
    expect_output "second 1.2\n"
    expect "$err" "version=TLS 1.2 suite=TLS_ECDHE_ECDSA_WITH_"
    expect "$err" "sig=ecdsa_secp256r1_sha256 resumed=no"
    expect "$err" "sig=- resumed=yes"
    expect "$err" "certificate chain: (none: the session was resumed)"
    expect_count "$err" "closed: the server sent close_notify" 2
    expect "$slog" "sni=localhost resumed closed (11 bytes in, 11 out)"
    ;;
tls12_resume_session_id)
    # No tickets: the session ID and the server's cache resume it.
    start_server --cert "$chain" --key "$key" --echo --max-connections 2 --versions tls1.2 \
        --no-tickets --session-cache
    client 0 "by id\n" --ca "$ca" --sni localhost --versions tls1.2 --resume
    wait_server 0
    expect_output "by id\n"
    expect "$err" "resumed=no"
    expect "$err" "resumed=yes"
    expect "$slog" "resumed closed (6 bytes in, 6 out)"
    ;;
tls12_resume_none)
    # Neither tickets nor a cache: the second connection is a full handshake.
    start_server --cert "$chain" --key "$key" --echo --max-connections 2 --versions tls1.2 \
        --no-tickets
    client 0 "full\n" --ca "$ca" --sni localhost --versions tls1.2 --resume
    wait_server 0
    expect_output "full\n"
    expect "$err" "the server sent no session ticket"
    expect_count "$err" "resumed=no" 2
    expect_not "$slog" "resumed"
    ;;
tls12_openssl_client_resume_ticket | tls12_openssl_client_resume_id)
    # s_client keeps the session in a file: by RFC 5077 ticket, or (with
    # -no_ticket) by session ID from --session-cache.
    start_server --cert "$chain" --key "$key" --echo --max-connections 2 --versions tls1.2 \
        --session-cache
    case $case_name in
    *_ticket) no_ticket= ;;
    *) no_ticket=-no_ticket ;;
    esac
    for step in first again; do
        case $step in
        first) args="-sess_out $tmp/sess.pem" ;;
        *) args="-sess_in $tmp/sess.pem" ;;
        esac
        tag=$step
        # shellcheck disable=SC2086
        s_client12 -tls1_2 $no_ticket $args
        cp "$out" "$tmp/$step.out"
        expect "$tmp/$step.out" "$step"
    done
    wait_server 0
    expect "$tmp/first.out" "New, TLSv1.2"
    expect "$tmp/again.out" "Reused, TLSv1.2"
    if [ -n "$no_ticket" ]; then
        expect_not "$tmp/first.out" "TLS session ticket:"
    else
        expect "$tmp/first.out" "TLS session ticket lifetime hint"
    fi
    expect_count "$slog" "version=TLS 1.2 " 2
    expect_count "$slog" " resumed closed (6 bytes in, 6 out)" 1
    ;;
tls12_openssl_server_resume)
    # OpenSSL's server resumes by ticket by default, by session ID with
    # -no_ticket.
    for mode in ticket id; do
        openssl_naccept=2
        extra=
        [ "$mode" = id ] && extra=-no_ticket
        # shellcheck disable=SC2086
        start_openssl_server -tls1_2 $extra -cert "$pki/server-ecdsa-p256.pem" \
            -cert_chain "$pki/intermediate-ca.pem" -key "$key"
        client 0 "to s_server $mode\n" --ca "$ca" --sni localhost --versions tls1.2 --resume
        wait_server 0
        exec 3>&-
        rm -f "$tmp/sin"
        expect "$err" "version=TLS 1.2 "
        expect "$err" "resumed=no"
        expect "$err" "resumed=yes"
        expect "$slog" "Reused session-id"
        expect "$slog" "to s_server $mode"
    done
    ;;
tls12_openssl_client_renegotiation)
    # s_client renegotiates on an "R" line; our server refuses with a warning
    # no_renegotiation (RFC 5746 §4.4 allows it), which OpenSSL answers with
    # a fatal handshake_failure.
    start_server --cert "$chain" --key "$key" --echo --max-connections 1 --versions tls1.2
    (printf 'before\n'; sleep 0.5; printf 'R\n'; sleep 1) |
        timeout 15 openssl s_client -connect "127.0.0.1:$port" -CAfile "$ca" -tls1_2 \
            -no_ign_eof >"$out" 2>&1
    wait_server 0
    expect "$out" "Secure Renegotiation IS supported"
    expect "$out" "before"
    expect "$out" "RENEGOTIATING"
    expect "$out" "no renegotiation"
    expect "$slog" "version=TLS 1.2 "
    expect "$slog" "failed: received alert handshake_failure (after we sent no_renegotiation)"
    ;;
tls12_openssl_server_renegotiation)
    # An "r" line makes s_server send a HelloRequest once our client's first
    # line arrived: refused by default (no_renegotiation, which OpenSSL
    # answers with handshake_failure), a new handshake with
    # --accept-renegotiation after which data still flows.
    for mode in refuse accept; do
        start_openssl_server -tls1_2 -cert "$pki/server-ecdsa-p256.pem" \
            -cert_chain "$pki/intermediate-ca.pem" -key "$key"
        if [ "$mode" = accept ]; then
            extra=--accept-renegotiation
            want=0
        else
            extra=
            want=1
        fi
        (
            printf 'first %s\n' "$mode"
            wait_for "$slog" "first $mode" "$server_pid" || exit 0
            printf 'r\n' >&3
            wait_for "$slog" "SSL_do_handshake" "$server_pid" || exit 0
            printf 'second %s\n' "$mode"
            sleep 1
        ) | timeout 15 "$bin" client "127.0.0.1:$port" --ca "$ca" --sni localhost \
            --versions tls1.2 $extra >"$out" 2>"$err"
        status=$?
        [ "$status" -eq "$want" ] || fail "client ($mode) exit status $status, expected $want"
        wait_server 0
        exec 3>&-
        rm -f "$tmp/sin"
        if [ "$mode" = accept ]; then
            expect "$slog" "SSL_do_handshake -> 1"
            expect "$slog" "second accept"
            expect "$err" "closed: the server sent close_notify"
        else
            expect "$slog" "no renegotiation"
            expect "$err" "received alert handshake_failure (after we sent no_renegotiation)"
        fi
    done
    ;;
tls12_openssl_ocsp)
    # Our server staples the response for s_client -status; s_server
    # -status_file staples it for our client.
    make_ocsp_response
    start_server --cert "$chain" --key "$key" --echo --max-connections 1 --versions tls1.2 \
        --ocsp-response "$tmp/ocsp.der"
    tag="stapled"
    s_client12 -tls1_2 -status
    wait_server 0
    expect "$out" "OCSP Response Status: successful"
    expect "$out" "Cert Status: good"
    start_openssl_server -tls1_2 -status_file "$tmp/ocsp.der" -rev \
        -cert "$pki/server-ecdsa-p256.pem" -cert_chain "$pki/intermediate-ca.pem" -key "$key"
    client 0 "pselpats\n" --ca "$ca" --sni localhost --versions tls1.2 --ocsp
    wait_server 0
    expect "$out" "staplesp"
    expect "$err" "OCSP response: $ocsp_len bytes stapled"
    ;;
tls13_openssl_ocsp_dual)
    # A client offering TLS 1.2 and 1.3 with --ocsp sends status_request; a
    # TLS 1.3 server may then staple in the leaf's CertificateEntry (RFC 8446
    # §4.4.2.1), which our client takes like TLS 1.2's CertificateStatus.
    make_ocsp_response
    start_openssl_server -tls1_3 -status_file "$tmp/ocsp.der" -rev \
        -cert "$pki/server-ecdsa-p256.pem" -cert_chain "$pki/intermediate-ca.pem" -key "$key"
    client 0 "pselpats\n" --ca "$ca" --sni localhost --versions tls1.2,tls1.3 --ocsp
    wait_server 0
    expect "$out" "staplesp"
    expect "$err" "version=TLS 1.3"
    expect "$err" "OCSP response: $ocsp_len bytes stapled"
    ;;
tls12_ocsp_self)
    # Ours against ours: stapled when asked for, not otherwise.
    make_ocsp_response
    start_server --cert "$chain" --key "$key" --echo --max-connections 2 --versions tls1.2 \
        --ocsp-response "$tmp/ocsp.der"
    client 0 "x\n" --ca "$ca" --sni localhost --versions tls1.2 --ocsp
    expect "$err" "OCSP response: $ocsp_len bytes stapled"
    client 0 "x\n" --ca "$ca" --sni localhost --versions tls1.2
    expect_not "$err" "OCSP"
    wait_server 0
    ;;
tls12_openssl_fallback_scsv)
    # RFC 7507 §3: a server of a higher version than the client's fallback
    # answers TLS_FALLBACK_SCSV with inappropriate_fallback; a TLS 1.2-only
    # server accepts it.
    start_server --cert "$chain" --key "$key" --echo --max-connections 1 \
        --versions tls1.2,tls1.3
    (printf 'x\n'; sleep 1) |
        timeout 15 openssl s_client -connect "127.0.0.1:$port" -CAfile "$ca" -tls1_2 \
            -fallback_scsv -no_ign_eof >"$out" 2>&1
    wait_server 0
    expect "$out" "alert inappropriate fallback"
    expect "$slog" "version=TLS 1.2 suite=- group=- alpn=- sni=- failed: sent alert inappropriate_fallback"
    start_server --cert "$chain" --key "$key" --echo --max-connections 1 --versions tls1.2
    tag="fallback ok"
    s_client12 -tls1_2 -fallback_scsv
    wait_server 0
    expect "$out" "fallback ok"
    expect "$slog" "version=TLS 1.2 "
    ;;
tls12_openssl_server_client_auth)
    # s_server (able to do TLS 1.3, so its random carries the downgrade
    # sentinel, which a TLS 1.2-only client does not check) asks for a client
    # certificate: our RSA one and its CertificateVerify.
    start_openssl_server -Verify 2 -CAfile "$ca" -cert "$pki/server-rsa2048.pem" \
        -cert_chain "$pki/intermediate-ca.pem" -key "$pki/server-rsa2048.key"
    client 0 "with cert\n" --ca "$ca" --sni localhost --versions tls1.2 \
        --cert "$pki/client-rsa2048-chain.pem" --key "$pki/client-rsa2048.key"
    wait_server 0
    expect "$err" "version=TLS 1.2 suite=TLS_ECDHE_RSA_WITH_"
    expect "$slog" "CIPHER is ECDHE-RSA-"
    expect "$slog" "subject=O = tlsharness test PKI, OU = client, CN = client-rsa2048"
    expect "$slog" "with cert"
    ;;
tls12_openssl_keylog)
    # TLS 1.2 key log lines (CLIENT_RANDOM and the master secret): our server
    # and s_client log the same line, our client and our server too.
    start_server --cert "$chain" --key "$key" --echo --max-connections 2 --versions tls1.2 \
        --keylog "$tmp/server.keys"
    tag="logged"
    s_client12 -tls1_2 -keylogfile "$tmp/openssl.keys"
    client 0 "x\n" --ca "$ca" --sni localhost --versions tls1.2 --keylog "$tmp/client.keys"
    wait_server 0
    grep '^CLIENT_RANDOM ' "$tmp/openssl.keys" >"$tmp/both.keys"
    cat "$tmp/client.keys" >>"$tmp/both.keys"
    sort "$tmp/both.keys" >"$tmp/c.sorted"
    sort "$tmp/server.keys" >"$tmp/s.sorted"
    expect_count "$tmp/s.sorted" "CLIENT_RANDOM " 2
    cmp -s "$tmp/c.sorted" "$tmp/s.sorted" || fail "the key logs differ"
    ;;
tls12_flag_errors)
    run 2 client 127.0.0.1:4433 --ca "$ca" --versions tls1.1
    expect "$err" "--versions: unknown version 'tls1.1'"
    run 2 server --port 4433 --cert "$chain" --key "$key" --versions tls1.2,ssl3
    expect "$err" "--versions: unknown version 'ssl3'"
    run 2 client 127.0.0.1:4433 --ca "$ca" --versions ''
    expect "$err" "--versions"
    run 2 client 127.0.0.1:4433 --ca "$ca" --versions
    expect "$err" "--versions needs a value"
    run 2 client 127.0.0.1:4433 --ca "$ca" --suites TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256
    expect "$err" "is a TLS 1.2 suite but --versions does not enable TLS 1.2"
    run 2 server --port 4433 --cert "$chain" --key "$key" --versions tls1.2 \
        --suites TLS_AES_128_GCM_SHA256
    expect "$err" "is a TLS 1.3 suite but --versions does not enable TLS 1.3"
    run 2 client 127.0.0.1:4433 --ca "$ca" --versions tls1.2,tls1.3 --suites AES128-SHA
    expect "$err" "no TLS 1.3 suite although --versions enables TLS 1.3"
    run 2 server --port 4433 --cert "$chain" --key "$key" --versions tls1.2 \
        --suites TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256
    expect "$err" "not supported by the engine"
    run 2 server --port 4433 --cert "$chain" --key "$key" --session-cache
    expect "$err" "--session-cache"
    run 2 server --port 4433 --cert "$chain" --key "$key" --ocsp-response "$tmp/missing.der"
    expect "$err" "--ocsp-response: cannot open"
    ;;
# Last: these patterns would shadow tls12_openssl_client_auth and the like.
tls12_openssl_client_*)
    openssl_client12 "${case_name#tls12_openssl_client_}"
    ;;
tls12_openssl_server_*)
    openssl_server12 "${case_name#tls12_openssl_server_}"
    ;;
help)
    run 0 server --help
    expect "$out" "--max-connections"
    expect "$out" "matches its server_name"
    expect "$out" "--early-data N"
    expect "$out" "--no-tickets"
    expect "$out" "--versions LIST"
    expect "$out" "--session-cache"
    expect "$out" "ECDHE-ECDSA/ECDHE-RSA"
    expect "$out" "--ocsp-response FILE"
    expect "$out" "--allow-no-ems"
    run 0 client --help
    expect "$out" "--insecure"
    expect "$out" "--resume"
    expect "$out" "--early-data FILE"
    expect "$out" "--versions LIST"
    expect "$out" "TLS_RSA_WITH_AES_{128,256}_CBC_SHA"
    expect "$out" "--accept-renegotiation"
    expect "$out" "--ocsp "
    ;;
flag_errors)
    run 2 server --port 4433 --cert "$chain" --key "$key" --bogus
    expect "$err" "unknown option '--bogus'"
    run 2 client 127.0.0.1:4433 --bogus
    expect "$err" "unknown option '--bogus'"
    run 2 server --port 0 --cert "$chain" --key "$key"
    expect "$err" "--port"
    run 2 server --port 70000 --cert "$chain" --key "$key"
    expect "$err" "--port"
    run 2 server --port 4433 --key "$key"
    expect "$err" "missing --cert"
    run 2 server --port 4433 --cert "$chain"
    expect "$err" "--key"
    run 2 server --port 4433 --cert "$chain" --key "$tmp/missing.key"
    expect "$err" "missing.key"
    run 2 server --port 4433 --cert "$chain" --key "$key" --max-connections x
    expect "$err" "--max-connections"
    run 2 server --port 4433 --cert "$chain" --key "$key" --suites TLS_AES_128_CCM_SHA256
    expect "$err" "--suites"
    run 2 client 127.0.0.1:99999 --ca "$ca"
    expect "$err" "bad port"
    run 2 client localhost --ca "$ca"
    expect "$err" "HOST:PORT"
    run 2 client 127.0.0.1:4433 --ca "$ca" --groups x25519,nope
    expect "$err" "--groups: unknown group 'nope'"
    run 2 client 127.0.0.1:4433 --ca "$ca" --suites TLS_NOPE
    expect "$err" "--suites: unknown cipher suite 'TLS_NOPE'"
    run 2 client 127.0.0.1:4433 --ca "$tmp/missing.pem"
    expect "$err" "missing.pem"
    run 2 client 127.0.0.1:4433 --ca "$ca" --early-data "$tmp/x"
    expect "$err" "--early-data needs --resume"
    run 2 client 127.0.0.1:4433 --ca "$ca" --resume --early-data "$tmp/missing.bin"
    expect "$err" "--early-data: cannot open '$tmp/missing.bin'"
    : >"$tmp/empty.bin"
    run 2 client 127.0.0.1:4433 --ca "$ca" --resume --early-data "$tmp/empty.bin"
    expect "$err" "empty.bin' is empty"
    run 2 client 127.0.0.1:4433 --ca "$ca" --resume --early-data -
    expect "$err" "--early-data: '-'"
    run 2 client 127.0.0.1:4433 --ca "$ca" --resume --early-data
    expect "$err" "--early-data needs a value"
    run 2 server --port 4433 --cert "$chain" --key "$key" --early-data lots
    expect "$err" "--early-data: 'lots'"
    run 2 server --port 4433 --cert "$chain" --key "$key" --early-data 4294967296
    expect "$err" "--early-data: '4294967296'"
    run 2 server --port 4433 --cert "$chain" --key "$key" --early-data 100 --no-tickets
    expect "$err" "--no-tickets"
    run 2 client 127.0.0.1:4433 --ca "$ca" --alpn 'a,,b'
    expect "$err" "--alpn"
    ;;
*)
    fail "unknown case"
    ;;
esac
exit 0
