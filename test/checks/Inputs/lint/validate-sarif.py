#!/usr/bin/env python3
"""validate-sarif.py FILE...: validate SARIF files against the SARIF 2.1.0
JSON schema (Inputs/sarif/sarif-2.1.0-rtm.5.json) with python3-jsonschema.
Prints "sarif schema ok: FILE" per valid file; exits 1 with every schema
error otherwise, and 1 (never 0) when the validator is missing."""
import json
import os
import sys

try:
    import jsonschema
except ImportError:
    sys.stderr.write("validate-sarif: python3-jsonschema is not installed for %s: cannot "
                     "validate SARIF (apt-get install python3-jsonschema, or tools/setup)\n"
                     % sys.executable)
    sys.exit(1)

schema_path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "sarif",
                           "sarif-2.1.0-rtm.5.json")
with open(schema_path, encoding="utf-8") as f:
    schema = json.load(f)
validator = jsonschema.Draft4Validator(schema)
status = 0
for path in sys.argv[1:]:
    with open(path, encoding="utf-8") as f:
        doc = json.load(f)
    errors = sorted(validator.iter_errors(doc), key=lambda e: list(e.absolute_path))
    for e in errors:
        sys.stderr.write("validate-sarif: %s: at /%s: %s\n" % (
            path, "/".join(str(p) for p in e.absolute_path), e.message))
    if errors:
        status = 1
    else:
        print("sarif schema ok: %s" % os.path.basename(path))
sys.exit(status)
