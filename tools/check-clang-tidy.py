#!/usr/bin/env python3
"""Run one clang-tidy check test, with the contract of upstream check_clang_tidy.py.

Usage (from a lit RUN line, through the %check_clang_tidy substitution):

  %check_clang_tidy [-check-suffix=S | -check-suffixes=A,B] [-std=c++20]
                    [-expect-clang-tidy-error]
                    <input> <checks> <temp> [-- <clang-tidy args> [-- <compiler args>]]

The input file is copied to <temp>.<ext> with its CHECK- comments blanked (line
numbers are kept), clang-tidy runs on the copy with -fix and only <checks>, then:
  - CHECK-MESSAGES[-S]: FileCheck over clang-tidy's output; every warning and
    error must be matched (-implicit-check-not);
  - CHECK-NOTES[-S]: the same, and every note must be matched too;
  - CHECK-FIXES[-S]: FileCheck over the fixed file; without CHECK-FIXES the file
    must come out unchanged, so an untested fix-it fails the test;
  - with neither MESSAGES nor NOTES, any warning fails the test.
The tool itself (clang-tidy with -load=plugin, or tether-tidy) and FileCheck are
given by --clang-tidy, --load and --filecheck, which lit's substitution supplies.
"""

import argparse
import os
import re
import shlex
import subprocess
import sys


def fail(msg):
    sys.stderr.write("check-clang-tidy: " + msg + "\n")
    sys.exit(1)


def run(args, **kw):
    sys.stderr.write("Running: " + " ".join(shlex.quote(a) for a in args) + "\n")
    return subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          universal_newlines=True, **kw)


def split_dashes(argv):
    """Split [options..., '--', tidy args..., '--', compiler args...]."""
    if "--" not in argv:
        return argv, [], None
    i = argv.index("--")
    own, rest = argv[:i], argv[i + 1:]
    if "--" not in rest:
        return own, rest, None
    j = rest.index("--")
    return own, rest[:j], rest[j + 1:]


def main():
    own, tidy_args, compiler_args = split_dashes(sys.argv[1:])
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--clang-tidy", required=True, help="clang-tidy or tether-tidy binary")
    p.add_argument("--load", action="append", default=[], help="plugin to -load")
    p.add_argument("--filecheck", required=True, help="FileCheck binary")
    p.add_argument("-check-suffix", "-check-suffixes", dest="suffixes", default="")
    p.add_argument("-std", default="c++20")
    p.add_argument("-expect-clang-tidy-error", action="store_true")
    p.add_argument("input")
    p.add_argument("checks")
    p.add_argument("temp")
    opts = p.parse_args(own)

    suffixes = [s.strip() for s in opts.suffixes.split(",") if s.strip()] or [""]
    for s in suffixes:
        if not re.match(r"^[A-Z0-9\-]*$", s):
            fail("check suffix '%s' must be uppercase letters, digits or '-'" % s)

    with open(opts.input, encoding="utf-8") as f:
        original = f.read()

    def prefixes(kind):
        names = ["CHECK-%s%s" % (kind, "-" + s if s else "") for s in suffixes]
        return [n for n in names if re.search(r"\b" + re.escape(n) + r"(-NOT)?:", original)]

    fix_prefixes = prefixes("FIXES")
    msg_prefixes = prefixes("MESSAGES")
    note_prefixes = prefixes("NOTES")
    if msg_prefixes and note_prefixes:
        fail("use either CHECK-MESSAGES or CHECK-NOTES, not both, for one suffix set")

    # Blank every CHECK- comment so that the fixed file compares cleanly.
    cleaned = re.sub(r"//\s*CHECK-[A-Z0-9\-]*:[^\r\n]*", "//", original)
    ext = os.path.splitext(opts.input)[1] or ".cpp"
    temp = opts.temp + ext
    os.makedirs(os.path.dirname(os.path.abspath(temp)), exist_ok=True)
    with open(temp, "w", encoding="utf-8") as f:
        f.write(cleaned)
    with open(temp + ".orig", "w", encoding="utf-8") as f:
        f.write(cleaned)

    if compiler_args is None:
        compiler_args = []
    if not any(a.startswith("-std=") for a in compiler_args) and ext != ".c":
        compiler_args = ["-std=" + opts.std] + compiler_args
    # Hermetic by default: no .clang-tidy from the directories above the test.
    if not any(a.startswith("-config") or a.startswith("--config") for a in tidy_args):
        tidy_args = ["-config={}"] + tidy_args

    cmd = [opts.clang_tidy] + ["-load=" + l for l in opts.load] + [
        temp, "-fix", "--checks=-*," + opts.checks] + tidy_args + ["--"] + compiler_args
    r = run(cmd)
    output = r.stdout
    sys.stderr.write("------------------------ clang-tidy output -----------------------\n")
    sys.stderr.write(r.stdout + r.stderr)
    if r.returncode < 0 or r.returncode > 1 or "Stack dump" in r.stderr:
        fail("clang-tidy crashed or failed (exit %d)" % r.returncode)
    if opts.expect_clang_tidy_error:
        if r.returncode == 0:
            fail("clang-tidy was expected to fail but exited 0")
    elif r.returncode != 0:
        fail("clang-tidy exited %d; the test input must compile" % r.returncode)
    if "error: no checks enabled" in (r.stdout + r.stderr).lower() or \
            "Error: no checks enabled" in r.stderr:
        fail("no checks enabled: is the tether module loaded?")

    with open(temp + ".msg", "w", encoding="utf-8") as f:
        f.write(output)

    def filecheck(input_file, pfx, extra):
        fc = [opts.filecheck, "-input-file=" + input_file, opts.input,
              "-check-prefixes=" + ",".join(pfx)] + extra
        c = run(fc)
        if c.returncode != 0:
            sys.stderr.write(c.stdout + c.stderr)
            fail("FileCheck failed for " + ",".join(pfx))

    if msg_prefixes:
        filecheck(temp + ".msg", msg_prefixes, ["-implicit-check-not={{warning|error}}:"])
    elif note_prefixes:
        filecheck(temp + ".msg", note_prefixes, ["-implicit-check-not={{note|warning|error}}:"])
    elif re.search(r"(warning|error):", output):
        fail("clang-tidy reported diagnostics but the test has no CHECK-MESSAGES or "
             "CHECK-NOTES lines: every warning must be matched")

    with open(temp, encoding="utf-8") as f:
        fixed = f.read()
    if fix_prefixes:
        filecheck(temp, fix_prefixes, ["-strict-whitespace"])
    elif fixed != cleaned:
        d = run(["diff", "-u", temp + ".orig", temp])
        sys.stderr.write(d.stdout)
        fail("clang-tidy changed the file but the test has no CHECK-FIXES lines")


if __name__ == "__main__":
    main()
