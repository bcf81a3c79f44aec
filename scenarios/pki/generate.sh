#!/usr/bin/env bash
# Regenerates the tlsharness test PKI (see README.md in this folder).
#
#   scenarios/pki/generate.sh            rewrite the committed files in place
#   scenarios/pki/generate.sh OUTDIR     write a fresh PKI into OUTDIR instead
#
# Keys are random, so every run gives new bytes; subjects, SANs, serials,
# validity dates, key types and extensions are fixed. The committed files are
# the source of truth: tests/pki/check_pki.sh proves they still have the
# structure this script produces. Everything is built in a scratch directory
# first; only when all of it succeeded are the *.pem and *.key files of OUTDIR
# replaced (stale ones removed), so the script is re-runnable and a failed run
# leaves the previous PKI untouched.
#
# Needs bash and the OpenSSL 3 command-line tool (installed with apt-get when
# missing, as `make` does for the build dependencies).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
out=${1:-$here}
cnf=$here/ca.cnf

if ! command -v openssl >/dev/null 2>&1; then
    echo "generate.sh: installing openssl"
    sudo=$([ "$(id -u)" = 0 ] || echo sudo)
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends openssl >/dev/null
fi
case $(openssl version) in
    "OpenSSL 3."*) ;;
    *) echo "generate.sh: need OpenSSL 3, found: $(openssl version)" >&2; exit 1 ;;
esac

mkdir -p "$out"
out=$(cd "$out" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
stage=$work/stage
mkdir -p "$stage" "$work/db/newcerts"
: >"$work/db/index.txt"

# Every certificate shares these, except where a bad one overrides them.
# UTCTime before 2050, GeneralizedTime from 2050 (RFC 5280 4.1.2.5).
START=20000101000000Z
END=20991231235959Z
ORG="tlsharness test PKI"
SAN_GOOD="DNS:localhost,IP:127.0.0.1"

export TH_PKI_DB=$work/db
export TH_PKI_SAN=$SAN_GOOD
export TH_PKI_KU=digitalSignature

# Runs a command quietly; shows its output only if it fails.
quiet() {
    if ! "$@" >"$work/log" 2>&1; then
        cat "$work/log" >&2
        echo "generate.sh: failed: $*" >&2
        exit 1
    fi
}

# genkey NAME ALG: NAME.key, unencrypted PKCS#8 PEM.
genkey() {
    local name=$1 alg=$2
    case $alg in
        p256) quiet openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 \
                  -pkeyopt ec_param_enc:named_curve -out "$stage/$name.key" ;;
        p384) quiet openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-384 \
                  -pkeyopt ec_param_enc:named_curve -out "$stage/$name.key" ;;
        rsa2048) quiet openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 \
                     -out "$stage/$name.key" ;;
        ed25519) quiet openssl genpkey -algorithm ED25519 -out "$stage/$name.key" ;;
        *) echo "generate.sh: unknown key type $alg" >&2; exit 1 ;;
    esac
    chmod 644 "$stage/$name.key"
}

# issue NAME ALG ISSUER SERIAL OU EXT [START END]: key, CSR, then NAME.pem
# signed by ISSUER (a NAME already in the stage; "self" for a root).
issue() {
    local name=$1 alg=$2 issuer=$3 serial=$4 ou=$5 ext=$6
    local start=${7:-$START} end=${8:-$END}
    genkey "$name" "$alg"
    quiet openssl req -new -config "$cnf" -key "$stage/$name.key" \
        -subj "/O=$ORG/OU=$ou/CN=$name" -out "$work/$name.csr"
    echo "$serial" >"$work/db/serial"
    local signer
    if [ "$issuer" = self ]; then
        signer=(-selfsign -keyfile "$stage/$name.key")
    else
        signer=(-cert "$stage/$issuer.pem" -keyfile "$stage/$issuer.key")
    fi
    quiet openssl ca -batch -config "$cnf" -name th_ca "${signer[@]}" \
        -extensions "$ext" -startdate "$start" -enddate "$end" -preserveDN \
        -md "${TH_PKI_MD:-sha256}" -notext -in "$work/$name.csr" -out "$stage/$name.pem"
}

# chain NAME [CA]: NAME-chain.pem = leaf followed by CA (none for "-").
chain() {
    local name=$1 ca=${2:-intermediate-ca}
    if [ "$ca" = - ]; then
        cat "$stage/$name.pem" >"$stage/$name-chain.pem"
    else
        cat "$stage/$name.pem" "$stage/$ca.pem" >"$stage/$name-chain.pem"
    fi
}

# Certificate authorities.
issue root-ca p256 self 01 "root CA" v3_root
issue intermediate-ca p256 root-ca 02 "intermediate CA" v3_intermediate
issue untrusted-root p256 self 03 "untrusted root CA" v3_root
# An RSA intermediate, only to sign the leaves whose signature hash is weak
# (an ECDSA issuer has no MD5 signature).
issue intermediate-rsa rsa2048 root-ca 04 "intermediate RSA CA" v3_intermediate
cp "$stage/root-ca.pem" "$stage/trust-bundle.pem"

# Server leaves: one per signature algorithm the harness negotiates.
for spec in ecdsa-p256:p256:1001 ecdsa-p384:p384:1002 rsa2048:rsa2048:1003 ed25519:ed25519:1004; do
    IFS=: read -r suffix alg serial <<<"$spec"
    if [ "$alg" = rsa2048 ]; then
        TH_PKI_KU="digitalSignature, keyEncipherment"
    else
        TH_PKI_KU=digitalSignature
    fi
    issue "server-$suffix" "$alg" intermediate-ca "$serial" server v3_server
    chain "server-$suffix"
done
TH_PKI_KU=digitalSignature

# Client leaves (extendedKeyUsage clientAuth, no SAN).
issue client-ecdsa-p256 p256 intermediate-ca 2001 client v3_client
chain client-ecdsa-p256
issue client-rsa2048 rsa2048 intermediate-ca 2002 client v3_client
chain client-rsa2048

# Deliberately bad server leaves (ECDSA P-256), each wrong in one way only.
issue bad-expired p256 intermediate-ca 3001 "bad server" v3_server 20000101000000Z 20011231235959Z
chain bad-expired
issue bad-not-yet-valid p256 intermediate-ca 3002 "bad server" v3_server 20900101000000Z "$END"
chain bad-not-yet-valid
TH_PKI_SAN="DNS:wrong.example"
issue bad-wrong-host p256 intermediate-ca 3003 "bad server" v3_server
chain bad-wrong-host
TH_PKI_SAN=$SAN_GOOD
issue bad-unknown-ca p256 untrusted-root 3004 "bad server" v3_server
chain bad-unknown-ca -

# bad-signature: a valid leaf whose last DER byte is XORed with 0x01. An ECDSA
# certificate ends with the signature BIT STRING holding SEQUENCE { r, s }, so
# the flipped byte is the low byte of s: the DER stays well-formed and only the
# signature check fails (check_pki.sh flips it back and verifies).
issue bad-signature p256 intermediate-ca 3005 "bad server" v3_server
quiet openssl x509 -in "$stage/bad-signature.pem" -outform DER -out "$work/good.der"
size=$(wc -c <"$work/good.der")
last=$(tail -c 1 "$work/good.der" | od -An -tu1 | tr -d ' ')
head -c $((size - 1)) "$work/good.der" >"$work/bad.der"
# shellcheck disable=SC2059  # the octal escape is the point
printf "\\$(printf %03o $((last ^ 1)))" >>"$work/bad.der"
quiet openssl x509 -inform DER -in "$work/bad.der" -outform PEM -out "$stage/bad-signature.pem"
chain bad-signature

# bad-md5, bad-sha1: RSA leaves signed md5WithRSAEncryption /
# sha1WithRSAEncryption by intermediate-rsa (RFC 8446 §4.4.2.4: MD5 MUST be
# refused with bad_certificate; SHA-1 SHOULD be).
TH_PKI_KU="digitalSignature, keyEncipherment"
TH_PKI_MD=md5 issue bad-md5 rsa2048 intermediate-rsa 3006 "bad server" v3_server
chain bad-md5 intermediate-rsa
TH_PKI_MD=sha1 issue bad-sha1 rsa2048 intermediate-rsa 3007 "bad server" v3_server
chain bad-sha1 intermediate-rsa
TH_PKI_KU=digitalSignature

# Replace the PKI in OUTDIR.
rm -f "$out"/*.pem "$out"/*.key
cp "$stage"/*.pem "$stage"/*.key "$out"/
files=("$stage"/*)
echo "generate.sh: wrote ${#files[@]} files to $out"
