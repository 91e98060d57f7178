#!/usr/bin/env python3
"""check-sarif.py FILE: assert what GitHub code scanning needs of a SARIF 2.1.0
file, then print one normalised line per rule and result for FileCheck."""
import json
import re
import sys

doc = json.load(open(sys.argv[1]))
errors = []


def need(cond, what):
    if not cond:
        errors.append(what)


need(doc.get("version") == "2.1.0", "version is 2.1.0")
need("sarif-2.1.0" in doc.get("$schema", ""), "$schema names sarif-2.1.0")
need(len(doc.get("runs", [])) == 1, "exactly one run")
run = doc["runs"][0]
driver = run["tool"]["driver"]
need(driver.get("name") == "tether", "driver name tether")
need(re.match(r"^\d+\.\d+\.\d+$", driver.get("version", "")), "driver version")
rules = driver.get("rules", [])
ids = [r["id"] for r in rules]
for r in rules:
    need(r["shortDescription"]["text"] and r["fullDescription"]["text"], "rule descriptions")
    need(r.get("helpUri", "").endswith("/" + r["id"][len("tether-"):] + ".md"), "helpUri")
    print("rule %s help=%s" % (r["id"], r["helpUri"].rsplit("/", 1)[-1]))
need("%SRCROOT%" in run.get("originalUriBaseIds", {}), "originalUriBaseIds")
for res in run.get("results", []):
    need(res["ruleId"] in ids, "ruleId is a rule")
    need(ids.index(res["ruleId"]) == res["ruleIndex"], "ruleIndex matches")
    need(res["level"] in ("warning", "error", "note"), "level")
    need(res["message"]["text"], "message")
    loc = res["locations"][0]["physicalLocation"]
    uri = loc["artifactLocation"]["uri"]
    need(not uri.startswith("/") and loc["artifactLocation"].get("uriBaseId") == "%SRCROOT%",
         "relative uri with uriBaseId")
    need(loc["region"]["startLine"] >= 1 and loc["region"]["startColumn"] >= 1, "region")
    fp = res["partialFingerprints"].get("tether/v1", "")
    need(re.match(r"^[0-9a-f]{32}$", fp), "fingerprint")
    for rel in res.get("relatedLocations", []):
        need(rel["message"]["text"] and rel["physicalLocation"]["region"]["startLine"] >= 1,
             "related location")
    print("result %s %s:%d:%d related=%d: %s" % (
        res["ruleId"], uri, loc["region"]["startLine"], loc["region"]["startColumn"],
        len(res.get("relatedLocations", [])), res["message"]["text"]))
    flows = res.get("codeFlows", [])
    need(len(flows) <= 1, "at most one codeFlow")
    for flow in flows:
        need(len(flow["threadFlows"]) == 1, "one threadFlow per path")
        steps = flow["threadFlows"][0]["locations"]
        need([s["executionOrder"] for s in steps] == list(range(1, len(steps) + 1)),
             "steps numbered in order")
        for s in steps:
            ploc = s["location"]["physicalLocation"]
            print("step %d %s:%d:%d: %s" % (
                s["executionOrder"], ploc["artifactLocation"]["uri"],
                ploc["region"]["startLine"], ploc["region"]["startColumn"],
                s["location"]["message"]["text"]))
    for fix in res.get("fixes", []):
        for change in fix["artifactChanges"]:
            for rep in change["replacements"]:
                reg = rep["deletedRegion"]
                print("fix %s:%d:%d-%d:%d bytes %d+%d -> %r" % (
                    change["artifactLocation"]["uri"], reg["startLine"], reg["startColumn"],
                    reg["endLine"], reg["endColumn"], reg["byteOffset"], reg["byteLength"],
                    rep["insertedContent"]["text"]))
if errors:
    sys.stderr.write("check-sarif: " + "; ".join(errors) + "\n")
    sys.exit(1)
print("sarif ok: %d rules, %d results" % (len(rules), len(run.get("results", []))))
