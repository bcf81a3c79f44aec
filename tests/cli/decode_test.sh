#!/bin/sh
# CLI tests of `tlsharness decode`, one case per CTest test:
#   decode_test.sh TLSHARNESS VECTORS_DIR JSON_CHECK CASE
# Each case runs the binary, checks the exit status and greps its output.
set -u

bin=$1
vectors=$2
json_check=$3
case_name=$4

tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
out=$tmp/out
err=$tmp/err
vec=$vectors/rfc8448-simple-1rtt.txt

fail() {
    echo "FAIL ($case_name): $*"
    echo "--- stdout"
    cat "$out"
    echo "--- stderr"
    cat "$err"
    exit 1
}

# run EXPECTED_STATUS ARGS... (stdin is the caller's)
run() {
    expected=$1
    shift
    "$bin" decode "$@" >"$out" 2>"$err"
    status=$?
    [ "$status" -eq "$expected" ] || fail "exit status $status, expected $expected"
}

# expect FILE FIXED_STRING
expect() {
    grep -F -e "$2" "$1" >/dev/null || fail "no '$2' in $(basename "$1")"
}

# The RFC 8448 ClientHello message (header included) as hex.
client_hello_hex() {
    sed -n 's/^client_hello *= *//p' "$vec"
}

case $case_name in
rfc8448_vector)
    run 0 --as handshake "$vec"
    expect "$out" 'handshake: client_hello (1)'
    expect "$out" 'host_name: "server"'
    expect "$out" 'extension: supported_groups (10)'
    expect "$out" 'named_group: x25519 (0x001d)'
    expect "$out" 'extension: key_share (51)'
    expect "$out" 'group: x25519 (0x001d)'
    expect "$out" 'version: TLS 1.3 (0x0304)'
    expect "$out" 'extension: signature_algorithms (13)'
    expect "$out" 'signature_scheme: rsa_pss_rsae_sha256 (0x0804)'
    expect "$out" 'ja3: 771,4865-4867-4866,0-65281-10-35-51-43-13-45-28,29-23-24-25-256-257-258-259-260,'
    expect "$out" 'ja3_hash: da4dea34fe6d4ce5f0725df3f2682fa0'
    expect "$out" 'ja4: t13d030900_55b375c5d22e_59cd3dafc54d'
    expect "$out" 'handshake: new_session_ticket (4)'
    n=$(grep -c ' handshake: ' "$out")
    [ "$n" -eq 8 ] || fail "$n handshake messages, expected 8"
    ;;
hex_records_from_stdin)
    # The ClientHello in one record, written with colons and a comment.
    { echo '# a record'; echo '16:03:01:00:c4'; client_hello_hex; } | run 0 || exit 1
    expect "$out" 'content_type: handshake (22)'
    expect "$out" 'handshake: client_hello (1)'
    expect "$out" 'ja4: t13d030900_55b375c5d22e_59cd3dafc54d'
    ;;
binary_alert_record)
    # A fatal handshake_failure alert as raw bytes: binary is detected.
    printf '\025\003\003\000\002\002\050' >"$tmp/alert.bin"
    run 0 "$tmp/alert.bin"
    expect "$out" 'level: fatal (2)'
    expect "$out" 'description: handshake_failure (40)'
    ;;
truncated_input)
    # The first 100 bytes of the ClientHello: the extensions run past the end.
    client_hello_hex | cut -c1-200 | run 2 --as handshake || exit 1
    expect "$err" 'decode: offset 0x0031 (49): client_hello, field extensions: decode_error'
    expect "$out" 'cipher_suites'
    ;;
bad_key_share)
    # client_shares (message offset 0x67) claims 37 bytes where 36 follow.
    hex=$(client_hello_hex)
    head=$(printf '%s' "$hex" | cut -c1-206)
    tail=$(printf '%s' "$hex" | cut -c211-)
    printf '%s0025%s\n' "$head" "$tail" | run 2 || exit 1
    expect "$err" 'decode: offset 0x0067 (103): client_hello, extension key_share (51)'
    expect "$err" 'decode_error'
    ;;
json_output)
    run 0 --json --as handshake "$vec"
    "$json_check" "$out" || fail "the --json output does not parse"
    expect "$out" '"name": "x25519"'
    expect "$out" '"ja4": "t13d030900_55b375c5d22e_59cd3dafc54d"'
    # Bad input still prints a valid tree, with the error in it.
    client_hello_hex | cut -c1-200 | run 2 --json || exit 1
    "$json_check" "$out" || fail "the --json output of a bad input does not parse"
    expect "$out" '"alert_name": "decode_error"'
    ;;
help)
    run 0 --help
    expect "$out" 'usage: tlsharness decode'
    expect "$out" 'certificate_tls12'
    ;;
unknown_option)
    run 2 --foo "$vec"
    expect "$err" "decode: unknown option '--foo'"
    run 2 --as nonsense "$vec"
    expect "$err" "unknown --as value 'nonsense'"
    ;;
missing_file)
    run 2 "$tmp/no-such-file.hex"
    expect "$err" "decode: cannot open '$tmp/no-such-file.hex'"
    ;;
empty_input)
    run 2 </dev/null
    expect "$err" 'empty'
    printf '# only a comment\n\n' | run 2 || exit 1
    expect "$err" 'no hex bytes'
    ;;
bad_hex)
    printf '16 03 01 zz\n' | run 2 --hex || exit 1
    expect "$err" "line 1, column 10: 'z' is not a hex digit"
    printf '160\n' | run 2 || exit 1
    expect "$err" 'odd number of hex digits'
    ;;
ccs_before_second_client_hello)
    # RFC 8446 §D.4: ClientHello, the compatibility CCS, then the second
    # ClientHello (plaintext in TLS 1.3): both are decoded and fingerprinted.
    { echo '16 0301 00c4'; client_hello_hex; echo '14 0303 0001 01'; echo '16 0303 00c4';
      client_hello_hex; } | run 0 || exit 1
    n=$(grep -c 'ja4: t13d030900_55b375c5d22e_59cd3dafc54d' "$out")
    [ "$n" -eq 2 ] || fail "$n ja4 lines, expected 2"
    if grep -F -e 'encrypted' "$out" >/dev/null; then
        fail "a record is shown as encrypted"
    fi
    ;;
input_size_limit)
    # An input of exactly 64 MiB is read (its first record is then refused:
    # length 0x4801 is over 2^14+2048); one byte more is refused unread.
    big=$tmp/big.bin
    printf '\027\003\003\110\001' >"$big"
    head -c $((64 * 1024 * 1024 - 5)) /dev/zero >>"$big"
    run 2 "$big"
    expect "$err" 'record_overflow'
    if grep -F -e 'larger than' "$err" >/dev/null; then
        fail "an input of exactly 64 MiB is refused"
    fi
    printf '\000' >>"$big"
    run 2 "$big"
    expect "$err" "decode: cannot read '$big': larger than 64 MiB"
    ;;
*)
    echo "unknown case '$case_name'"
    exit 1
    ;;
esac
exit 0
