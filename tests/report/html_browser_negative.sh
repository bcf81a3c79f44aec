#!/bin/sh
# Proves html_browser_check.sh can say no: a page whose script throws, a
# page whose embedded data is corrupt, and a wrong expected row count must
# all fail the check. Exit 77 (skip) when chromium is not installed.
# usage: html_browser_negative.sh MAKE_SAMPLE_REPORT CHECK_SCRIPT WORKDIR
set -u
make_sample=$1
check=$2
work=$3
mkdir -p "$work" || exit 1
good=$work/negative_good.html
rows=$("$make_sample" "$good") || exit 1

expect_failure() {
    sh "$check" "$1" "$2" >"$work/negative.out" 2>&1
    rc=$?
    if [ $rc -eq 77 ]; then
        cat "$work/negative.out"
        exit 77
    fi
    if [ $rc -eq 0 ]; then
        echo "FAIL: the check accepted $3" >&2
        cat "$work/negative.out" >&2
        exit 1
    fi
    if ! grep -q "$4" "$work/negative.out"; then
        echo "FAIL: the check rejected $3 without saying \"$4\"" >&2
        cat "$work/negative.out" >&2
        exit 1
    fi
    echo "ok: rejected $3"
}

sed "s/body.dataset.status = 'ready';/throw new Error('planted failure');/" "$good" \
    >"$work/negative_throw.html"
expect_failure "$work/negative_throw.html" "$rows" "a page whose script throws" \
    "reported a script error"

sed 's/<script type="application\/json" id="th-data">{/<script type="application\/json" id="th-data">{{/' \
    "$good" >"$work/negative_data.html"
expect_failure "$work/negative_data.html" "$rows" "corrupt embedded data" \
    "reported a script error"

expect_failure "$good" $((rows + 1)) "a wrong row count" "expected data-rows"
echo "PASS: html_browser_check.sh rejects broken pages"
