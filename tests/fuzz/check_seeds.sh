#!/bin/sh
# Fails when a registered fuzz target has no committed seed under corpus/<target>/.
set -eu
tlsharness=$1
root=$2
missing=0
total=0
for t in $("$tlsharness" targets | awk '{print $1}'); do
    total=$((total + 1))
    if [ -z "$(ls -A "$root/corpus/$t" 2>/dev/null)" ]; then
        echo "no seeds for target $t (run: tlsharness corpus --out corpus)"
        missing=$((missing + 1))
    fi
done
echo "$total targets, $missing without seeds"
[ "$missing" -eq 0 ]
