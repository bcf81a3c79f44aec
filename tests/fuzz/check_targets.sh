#!/bin/sh
# Fails when a parser declared in a public header is reached by no fuzz target
# (every th_parse_* must be called from a file under targets/).
set -eu
root=$1
missing=0
for p in $(grep -rhoE '\bth_parse_[a-z0-9_]+[[:space:]]*\(' "$root/harness" --include='*.h' |
           sed 's/[[:space:]]*($//' | sort -u); do
    # A call, th_parse_x(, or a macro argument, th_parse_x, outside comments.
    if ! grep -rhE "\b$p[[:space:]]*[(,]" "$root/targets" | grep -qvE '^[[:space:]]*(/\*|\*|//)'; then
        echo "no fuzz target calls $p"
        missing=$((missing + 1))
    fi
done
count=$(grep -rhoE '\bth_parse_[a-z0-9_]+[[:space:]]*\(' "$root/harness" --include='*.h' | sort -u | wc -l)
echo "$count parsers, $missing without a fuzz target"
[ "$missing" -eq 0 ]
