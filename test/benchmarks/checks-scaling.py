#!/usr/bin/env python3
"""checks-scaling.py: is the cost of the tether checks linear in input size?

  test/benchmarks/checks-scaling.py [--tidy BIN] [--sizes 250,500,...]
                                    [--shapes threads,branches,...] [--repeat R]

For each shape of test/checks/Inputs/robustness/generate.py and each size N,
generates one function of size N, then times (CPU time, user+sys of the child)
  - clang++-<major> -fsyntax-only on it, and
  - tether-tidy --checks=-*,tether-* on it,
R times each, alternating, and reports the medians, their ratio, and the
growth of the checks' own cost (tidy - syntax) from one N to the next: about
2x per doubling of N is linear, about 4x is quadratic. Prints a Markdown table.
"""
import argparse
import os
import statistics
import subprocess
import sys
import tempfile

from cputime import cpu

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
INPUTS = os.path.join(ROOT, "test", "checks", "Inputs")
GEN = os.path.join(INPUTS, "robustness", "generate.py")


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--tidy", default=os.path.join(ROOT, "build", "bin", "tether-tidy"))
    ap.add_argument("--major", default="22")
    ap.add_argument("--sizes", default="250,500,1000,2000,4000")
    ap.add_argument("--shapes", default="threads,branches,workers,members,nested,macros")
    ap.add_argument("--repeat", type=int, default=3)
    a = ap.parse_args()
    flags = ["-std=c++20", "-isystem", INPUTS]
    print("| shape | N | syntax-only s | tether-tidy s | ratio | checks' own s | growth vs N/2 | findings |")
    print("|---|---|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        for shape in a.shapes.split(","):
            prev = None
            for n in [int(x) for x in a.sizes.split(",")]:
                # nested: clang's bracket depth limit is 256
                size = min(n, 240) if shape == "nested" else n
                src = os.path.join(tmp, "%s_%d.cpp" % (shape, size))
                with open(src, "w") as fh:
                    fh.write(subprocess.check_output([sys.executable, GEN, shape, str(size)],
                                                     universal_newlines=True))
                syn, tid, findings = [], [], 0
                for _ in range(a.repeat):
                    syn.append(cpu(["clang++-%s" % a.major, "-fsyntax-only", "-w"] + flags + [src])[0])
                    t, out = cpu([a.tidy, "--quiet", "--checks=-*,tether-*", src, "--"] + flags)
                    tid.append(t)
                    findings = sum(1 for line in out.splitlines()
                                   if "warning:" in line and "[tether-" in line)
                s, t = statistics.median(syn), statistics.median(tid)
                own = max(t - s, 0.0)
                growth = "%.2fx" % (own / prev) if prev and prev > 0.005 else "-"
                prev = own
                print("| %s | %d | %.3f | %.3f | %.2f | %.3f | %s | %d |" % (
                    shape, size, s, t, t / s if s else float("nan"), own, growth, findings))
                sys.stdout.flush()
                if shape == "nested" and size < n:
                    break


if __name__ == "__main__":
    main()
