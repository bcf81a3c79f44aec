#!/bin/sh
# Validates JSON reports against docs/report-schema.json with a complete
# JSON Schema 2020-12 validator (python3-jsonschema), after checking the
# schema document itself. Exit 77 (skip) when the validator is missing;
# test_json's built-in validator covers the same ground without it.
# usage: json_schema_check.sh SCHEMA REPORT.json...
set -u
if ! python3 -c 'import jsonschema' 2>/dev/null; then
    echo "python3-jsonschema not installed"
    exit 77
fi
python3 - "$@" <<'PY'
import json, sys
import jsonschema
schema = json.load(open(sys.argv[1]))
jsonschema.Draft202012Validator.check_schema(schema)
validator = jsonschema.Draft202012Validator(schema)
failed = False
for path in sys.argv[2:]:
    errors = list(validator.iter_errors(json.load(open(path))))
    for e in errors:
        print("FAIL: %s: %s at %s" % (path, e.message, "/".join(map(str, e.absolute_path))))
    failed |= bool(errors)
    if not errors:
        print("ok: %s" % path)
sys.exit(1 if failed else 0)
PY
