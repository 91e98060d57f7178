"""check-examples.py REPORT.json README.md CHECK...: what `tools/tether-lint`
with no arguments must show. Prints one line per check, 'CHECK: N findings'
and fails (exit 1, naming it) if a check has no finding in docs/examples, if
a fixed.cpp has a finding, or if the README's "Checks" table and the checks
tether-tidy knows differ."""
import json
import re
import sys

report, readme, checks = sys.argv[1], sys.argv[2], sys.argv[3:]
with open(report) as f:
    findings = json.load(f)
with open(readme) as f:
    listed = sorted(set(re.findall(r"^\| \[(tether-[a-z-]+)\]", f.read(), re.M)))
status = 0
if listed != sorted(checks):
    print("README lists %s but tether-tidy has %s" % (listed, sorted(checks)))
    status = 1
for c in sorted(checks):
    n = sum(1 for d in findings if d["check"] == c)
    print("%s: %d finding%s" % (c, n, "" if n == 1 else "s"))
    if n == 0:
        print("error: no example shows %s" % c)
        status = 1
for d in findings:
    if d["file"].endswith("fixed.cpp"):
        print("error: %s:%d: %s [%s] in a fixed example" % (
            d["file"], d["line"], d["message"], d["check"]))
        status = 1
print("examples ok" if status == 0 else "examples FAILED")
sys.exit(status)
