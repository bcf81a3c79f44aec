#!/bin/sh
# Checks the committed test PKI in scenarios/pki/ (see its README.md):
#   1. every good chain verifies against trust-bundle.pem for its purpose,
#      host name and IP address, and each key matches its certificate;
#   2. each bad certificate fails with exactly the expected reason, and a
#      control shows it is otherwise sound (so it is bad in one way only);
#   3. the committed files have the structure generate.sh produces today: a
#      fresh PKI is generated in a scratch directory and both are compared by
#      file list, subjects, issuers, serials, validity dates and their ASN.1
#      time types, key types and sizes, extensions and SANs (not bytes: keys
#      are random).
# Usage: check_pki.sh SOURCE_DIR     (needs the openssl command and bash)
set -u
src=${1:?usage: check_pki.sh SOURCE_DIR}
pki=$src/scenarios/pki
tb=$pki/trust-bundle.pem
inter=$pki/intermediate-ca.pem

if ! command -v openssl >/dev/null 2>&1; then
    echo "FAIL: the openssl command is not installed (apt-get install openssl)"
    exit 1
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
checks=0
fails=0

fail() {
    fails=$((fails + 1))
    echo "FAIL: $*"
}

# expect_ok DESC VERIFY-ARGS...: openssl verify succeeds.
expect_ok() {
    desc=$1
    shift
    checks=$((checks + 1))
    if ! openssl verify "$@" >"$tmp/out" 2>&1; then
        fail "$desc: expected to verify"
        sed 's/^/    /' "$tmp/out"
    fi
}

# expect_err CODE DESC VERIFY-ARGS...: openssl verify fails with X509 error
# CODE at depth 0 (the leaf).
expect_err() {
    code=$1
    desc=$2
    shift 2
    checks=$((checks + 1))
    if openssl verify "$@" >"$tmp/out" 2>&1; then
        fail "$desc: verified, expected error $code"
    elif ! grep -q "^error $code at 0 depth lookup" "$tmp/out"; then
        fail "$desc: expected error $code at depth 0"
        sed 's/^/    /' "$tmp/out"
    fi
}

# same DESC A B: files A and B are byte-identical.
same() {
    checks=$((checks + 1))
    cmp -s "$2" "$3" || fail "$1"
}

# --- 1. good chains --------------------------------------------------------

expect_ok "root-ca: self-signed trust anchor" -CAfile "$tb" -x509_strict "$pki/root-ca.pem"
expect_ok "intermediate-ca: issued by the root" -CAfile "$tb" -x509_strict "$inter"
same "trust-bundle.pem is not root-ca.pem" "$tb" "$pki/root-ca.pem"
checks=$((checks + 1))
[ "$(grep -c 'BEGIN CERTIFICATE' "$tb")" = 1 ] || fail "trust-bundle.pem holds more than the root"

for alg in ecdsa-p256 ecdsa-p384 rsa2048 ed25519; do
    n=server-$alg
    expect_ok "$n: sslserver localhost 127.0.0.1" -CAfile "$tb" -untrusted "$inter" \
        -purpose sslserver -x509_strict -verify_hostname localhost -verify_ip 127.0.0.1 "$pki/$n.pem"
    expect_ok "$n: with $n-chain.pem" -CAfile "$tb" -untrusted "$pki/$n-chain.pem" \
        -purpose sslserver -verify_hostname localhost "$pki/$n.pem"
    expect_err 26 "$n: not a client certificate" -CAfile "$tb" -untrusted "$inter" \
        -purpose sslclient "$pki/$n.pem"
done
for alg in ecdsa-p256 rsa2048; do
    n=client-$alg
    expect_ok "$n: sslclient" -CAfile "$tb" -untrusted "$inter" -purpose sslclient -x509_strict "$pki/$n.pem"
    expect_ok "$n: with $n-chain.pem" -CAfile "$tb" -untrusted "$pki/$n-chain.pem" \
        -purpose sslclient "$pki/$n.pem"
    expect_err 26 "$n: not a server certificate" -CAfile "$tb" -untrusted "$inter" \
        -purpose sslserver "$pki/$n.pem"
done

# Every key belongs to its certificate; every chain file is leaf + issuer.
for key in "$pki"/*.key; do
    n=$(basename "$key" .key)
    openssl pkey -in "$key" -pubout -out "$tmp/a" 2>/dev/null
    openssl x509 -in "$pki/$n.pem" -pubkey -noout >"$tmp/b" 2>/dev/null
    checks=$((checks + 1))
    if [ ! -s "$tmp/a" ] || ! cmp -s "$tmp/a" "$tmp/b"; then
        fail "$n.key does not match $n.pem"
    fi
    [ -e "$pki/$n-chain.pem" ] || continue
    case $n in
        bad-unknown-ca) cp "$pki/$n.pem" "$tmp/chain" ;;
        bad-md5 | bad-sha1) cat "$pki/$n.pem" "$pki/intermediate-rsa.pem" >"$tmp/chain" ;;
        *) cat "$pki/$n.pem" "$inter" >"$tmp/chain" ;;
    esac
    same "$n-chain.pem is not $n.pem + its issuer" "$pki/$n-chain.pem" "$tmp/chain"
done

# --- 2. bad certificates ---------------------------------------------------

# bad_err CODE DESC NAME [OPTS...] / bad_ok DESC NAME [OPTS...]: verify NAME
# as a TLS client would (its chain file, trust bundle, sslserver, localhost).
bad_err() {
    c=$1 d=$2 n=$3
    shift 3
    expect_err "$c" "$d" "$@" -CAfile "$tb" -untrusted "$pki/$n-chain.pem" \
        -purpose sslserver -verify_hostname localhost "$pki/$n.pem"
}
bad_ok() {
    d=$1 n=$2
    shift 2
    expect_ok "$d" "$@" -CAfile "$tb" -untrusted "$pki/$n-chain.pem" \
        -purpose sslserver -verify_hostname localhost "$pki/$n.pem"
}

bad_err 10 "bad-expired: certificate has expired" bad-expired
bad_ok "bad-expired: valid in 2001" bad-expired -attime 991353600

bad_err 9 "bad-not-yet-valid: certificate is not yet valid" bad-not-yet-valid
bad_ok "bad-not-yet-valid: valid in 2091" bad-not-yet-valid -attime 3818448000

bad_err 62 "bad-wrong-host: hostname mismatch" bad-wrong-host
expect_err 64 "bad-wrong-host: IP address mismatch" -CAfile "$tb" -untrusted "$inter" \
    -purpose sslserver -verify_ip 127.0.0.1 "$pki/bad-wrong-host.pem"
expect_ok "bad-wrong-host: valid for wrong.example" -CAfile "$tb" -untrusted "$inter" \
    -purpose sslserver -verify_hostname wrong.example "$pki/bad-wrong-host.pem"

bad_err 20 "bad-unknown-ca: unable to get local issuer certificate" bad-unknown-ca
expect_err 20 "bad-unknown-ca: the intermediate does not help" -CAfile "$tb" -untrusted "$inter" \
    -purpose sslserver "$pki/bad-unknown-ca.pem"
expect_ok "bad-unknown-ca: valid under untrusted-root" -CAfile "$pki/untrusted-root.pem" \
    -purpose sslserver -x509_strict -verify_hostname localhost -verify_ip 127.0.0.1 "$pki/bad-unknown-ca.pem"

bad_err 7 "bad-signature: certificate signature failure" bad-signature
# Flip the last DER byte back (see generate.sh): the certificate must verify.
openssl x509 -in "$pki/bad-signature.pem" -outform DER -out "$tmp/bad.der" 2>/dev/null
size=$(wc -c <"$tmp/bad.der")
last=$(tail -c 1 "$tmp/bad.der" | od -An -tu1 | tr -d ' ')
head -c $((size - 1)) "$tmp/bad.der" >"$tmp/fixed.der"
# shellcheck disable=SC2059
printf "\\$(printf %03o $((last ^ 1)))" >>"$tmp/fixed.der"
openssl x509 -inform DER -in "$tmp/fixed.der" -out "$tmp/fixed.pem" 2>/dev/null
expect_ok "bad-signature: verifies with its last byte restored" -CAfile "$tb" -untrusted "$inter" \
    -purpose sslserver -x509_strict -verify_hostname localhost -verify_ip 127.0.0.1 "$tmp/fixed.pem"

# bad-md5 / bad-sha1: bad only in their signature hash; the chain is sound
# (OpenSSL's command still accepts the hash at its default level; TLS
# stacks must not: RFC 8446 §4.4.2.4).
for weak in md5 sha1; do
    checks=$((checks + 1))
    openssl x509 -in "$pki/bad-$weak.pem" -noout -text 2>/dev/null |
        grep -q "Signature Algorithm: ${weak}WithRSAEncryption" ||
        fail "bad-$weak: not signed ${weak}WithRSAEncryption"
    expect_ok "bad-$weak: otherwise valid" -CAfile "$tb" -untrusted "$pki/intermediate-rsa.pem" \
        -purpose sslserver -verify_hostname localhost -verify_ip 127.0.0.1 "$pki/bad-$weak.pem"
done

# --- 3. structure matches generate.sh -------------------------------------

# describe FILE: the key-independent structure of a PEM file, one fact a line.
# Hex dumps (keys, signatures, key identifiers) are dropped; their labels stay.
hexline='^[[:space:]]*([0-9A-Fa-f]{2}:)*[0-9A-Fa-f]{2}:?[[:space:]]*$'
describe() {
    grep '^-----BEGIN' "$1"
    case $1 in
        *.key)
            openssl pkey -in "$1" -noout -text 2>&1 | grep -Ev "$hexline"
            ;;
        *)
            rm -f "$tmp"/part.*
            awk -v dir="$tmp" '/^-----BEGIN/ { n++ } n { print > (dir "/part." n) }' "$1"
            for part in "$tmp"/part.*; do
                openssl x509 -in "$part" -noout -text 2>&1 | grep -Ev "$hexline"
                openssl asn1parse -in "$part" 2>&1 | grep TIME | sed 's/^.*prim: *//'
            done
            ;;
    esac
}

if ! bash "$pki/generate.sh" "$tmp/gen" >"$tmp/out" 2>&1; then
    fail "generate.sh failed"
    sed 's/^/    /' "$tmp/out"
else
    (cd "$pki" && ls -- *.pem *.key) >"$tmp/list.committed"
    (cd "$tmp/gen" && ls -- *.pem *.key) >"$tmp/list.generated"
    checks=$((checks + 1))
    if ! diff -u "$tmp/list.committed" "$tmp/list.generated" >"$tmp/out"; then
        fail "committed file list differs from generate.sh output"
        sed 's/^/    /' "$tmp/out"
    fi
    while read -r f; do
        [ -e "$tmp/gen/$f" ] || continue
        describe "$pki/$f" >"$tmp/d.committed"
        describe "$tmp/gen/$f" >"$tmp/d.generated"
        checks=$((checks + 1))
        if ! diff -u "$tmp/d.committed" "$tmp/d.generated" >"$tmp/out"; then
            fail "$f: structure differs from generate.sh output (committed vs generated)"
            sed 's/^/    /' "$tmp/out"
        fi
    done <"$tmp/list.committed"
fi

echo "$checks checks, $fails failed"
[ "$fails" -eq 0 ]
