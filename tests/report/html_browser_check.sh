#!/bin/sh
# Loads an HTML report in Debian's headless chromium and checks that the page
# built its matrix: body data-status="ready", data-rows=EXPECTED_ROWS, no
# "error:" status from window.onerror. A second load with #selftest makes the
# page click every cell and exercise every filter (data-selftest="ok:N").
# Exit 77 (skip) when chromium is not installed.
set -u
if [ $# -ne 2 ]; then
    echo "usage: $0 REPORT.html EXPECTED_ROWS" >&2
    exit 2
fi
report=$1
rows=$2
browser=""
for b in chromium chromium-browser; do
    if command -v "$b" >/dev/null 2>&1; then
        browser=$b
        break
    fi
done
if [ -z "$browser" ]; then
    echo "chromium not installed"
    exit 77
fi
if [ ! -r "$report" ]; then
    echo "FAIL: cannot read $report" >&2
    exit 1
fi
case $report in
/*) abs=$report ;;
*) abs=$(pwd)/$report ;;
esac
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM

# Dumps the DOM after the load event. A private profile keeps runs
# independent; the timeout guards against a browser that never exits.
dump() {
    timeout 90 "$browser" --headless --no-sandbox --disable-gpu --disable-dev-shm-usage \
        --no-first-run --no-default-browser-check --user-data-dir="$tmp/profile" \
        --dump-dom "file://$abs$1" >"$tmp/dom" 2>"$tmp/stderr"
    rc=$?
    if [ $rc -ne 0 ] || [ ! -s "$tmp/dom" ]; then
        echo "FAIL: $browser exited with $rc and no DOM for $abs$1" >&2
        tail -n 20 "$tmp/stderr" >&2
        exit 1
    fi
}

# The <body> start tag as serialized by the browser.
body_tag() {
    tr '\n' ' ' <"$tmp/dom" | grep -o '<body[^>]*>' | head -n 1
}

check() {
    tag=$(body_tag)
    echo "$1: $tag"
    case $tag in
    *'data-status="error:'*)
        echo "FAIL: the page reported a script error" >&2
        exit 1
        ;;
    esac
    case $tag in
    *'data-status="ready"'*) ;;
    *)
        echo "FAIL: data-status is not \"ready\" (the script did not finish)" >&2
        exit 1
        ;;
    esac
    case $tag in
    *"data-rows=\"$rows\""*) ;;
    *)
        echo "FAIL: expected data-rows=\"$rows\"" >&2
        exit 1
        ;;
    esac
    n=$(grep -o '<tr' "$tmp/dom" | wc -l)
    # One header row plus one per scenario row.
    if [ "$n" -ne $((rows + 1)) ]; then
        echo "FAIL: the DOM holds $n table rows, expected $((rows + 1))" >&2
        exit 1
    fi
}

dump ""
check "load"
dump "#selftest"
check "selftest"
case $(body_tag) in
*'data-selftest="ok:'*) ;;
*)
    echo "FAIL: the #selftest pass did not complete" >&2
    exit 1
    ;;
esac
echo "PASS: $report renders $rows rows without script errors"
