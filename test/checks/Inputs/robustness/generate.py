#!/usr/bin/env python3
"""Generate hostile or large inputs for the tether checks.

  generate.py SHAPE N [SEED]  -> C++ source on stdout

Shapes (N scales the input; the output's size grows linearly with N):
  threads     one function starting N std::threads one after the other;
              thread i is joined on both branches of an if when i is even, on
              one branch only when i is odd (N/2 tether-unjoined-thread
              findings; every search from an odd thread runs to the end)
  branches    one thread and N if/else branches (with loops) before its join
  workers     N lambdas spawned on one tether::WaitGroup, each with a loop;
              every third one never checks a stop signal (unstoppable-worker)
  members     a class with N std::thread members, joined in the destructor
              except every fourth
  nested      one thread inside N nested scopes (if, for, while, braces,
              lambdas every tenth level)
  macros      N threads stamped out by an X-macro and token pasting, each
              joined at once in one function; N more stamped out one per
              line by a macro and never joined (N findings: a warning inside
              a macro is reported once per expansion site)
  tokens      N random C++ tokens (thread words, braces, keywords): soup that
              rarely parses
  bytes       N random bytes
  truncate    every test/checks/*.cpp cut at N evenly spread offsets, written
              as files into the directory given as SEED
"""
import os
import random
import sys

HEADER = """#include <thread>
#include <tether/wait_group.h>
#include <tether/context.h>
void work();
bool ready() noexcept;
bool more(int) noexcept;
void step(int) noexcept;
"""


def threads(n):
    out = [HEADER, "void manyThreads() {"]
    for i in range(n):
        out.append("  std::thread t%d(work);" % i)
        if i % 2 == 0:
            out.append("  if (ready()) t%d.join(); else t%d.join();" % (i, i))
        else:
            out.append("  if (ready()) t%d.join();" % i)
    out.append("}")
    return "\n".join(out) + "\n"


def branches(n):
    out = [HEADER, "void manyBranches(int x) {", "  std::thread t(work);"]
    for i in range(n):
        if i % 3 == 0:
            out.append("  if (more(%d)) { step(%d); } else { step(x); }" % (i, i))
        elif i % 3 == 1:
            out.append("  for (int i = 0; i < x; ++i) { if (more(i)) break; step(%d); }" % i)
        else:
            out.append("  while (more(%d)) { if (ready()) continue; step(%d); }" % (i, i))
    out.append("  t.join();")
    out.append("}")
    return "\n".join(out) + "\n"


def workers(n):
    out = [HEADER, "void manyWorkers(tether::Context ctx) {", "  tether::WaitGroup wg;"]
    for i in range(n):
        if i % 3 == 0:
            out.append("  wg.go([] { while (true) step(%d); });" % i)
        else:
            out.append("  wg.go([ctx] { while (!ctx.cancelled()) step(%d); }, ctx);" % i)
    out.append("  wg.wait();")
    out.append("}")
    return "\n".join(out) + "\n"


def members(n):
    out = [HEADER, "class Pool {", "public:", "  Pool()"]
    for i in range(n):
        out.append("    %s m%d(work)" % (":" if i == 0 else ",", i))
    out.append("  {}")
    out.append("  ~Pool() {")
    for i in range(n):
        if i % 4:
            out.append("    m%d.join();" % i)
    out.append("  }")
    out.append("private:")
    for i in range(n):
        out.append("  std::thread m%d;" % i)
    out.append("};")
    return "\n".join(out) + "\n"


def nested(n):
    out = [HEADER, "void deep(int x) {"]
    closers = []
    for i in range(n):
        ind = "  " * (i + 1)
        kind = i % 5
        if i % 10 == 9:
            out.append(ind + "auto l%d = [&] {" % i)
            closers.append(ind + "}; l%d();" % i)
        elif kind == 0:
            out.append(ind + "if (more(%d)) {" % i)
            closers.append(ind + "}")
        elif kind == 1:
            out.append(ind + "for (int i%d = 0; i%d < x; ++i%d) {" % (i, i, i))
            closers.append(ind + "}")
        elif kind == 2:
            out.append(ind + "while (more(%d)) {" % i)
            closers.append(ind + "}")
        else:
            out.append(ind + "{")
            closers.append(ind + "}")
    ind = "  " * (n + 1)
    out.append(ind + "std::thread t(work);")
    out.append(ind + "if (ready()) t.join();")
    out.extend(reversed(closers))
    out.append("}")
    return "\n".join(out) + "\n"


def macros(n):
    out = [HEADER,
           "#define SPAWN(name) std::thread thread_##name(work);",
           "#define SPAWN_JOIN(name) { SPAWN(name) thread_##name.join(); }",
           "#define EACH(X) \\"]
    for i in range(n):
        out.append("  X(w%d) \\" % i)
    out.append("")
    out.append("void stamped() {")
    out.append("  EACH(SPAWN_JOIN)")
    out.append("}")
    out.append("void stampedLeaky() {")
    for i in range(n):
        out.append("  SPAWN(leak%d)" % i)
    out.append("}")
    return "\n".join(out) + "\n"


TOKENS = ["std::thread", "std::jthread", "t", "(", ")", "{", "}", "[", "]", ";",
          ",", "&", "=", "work", "join", "detach", ".", "->", "::", "if", "else",
          "while", "for", "return", "throw", "try", "catch", "...", "void",
          "int", "auto", "template", "<", ">", "class", "struct", "operator",
          "this", "std::move", "tether::WaitGroup", "go", "wg", "ctx",
          "tether::Context", "co_await", "goto", "L:", "switch", "case", "0",
          "1", "\"s\"", "'c'", "#define M", "\n", "~", "!", "&&", "||",
          "pthread_create", "nullptr", "new", "delete", "static", "mutable",
          "noexcept", "decltype", "sizeof", "using", "namespace", "typename"]


def tokens(n, seed):
    rng = random.Random(seed)
    return HEADER + " ".join(rng.choice(TOKENS) for _ in range(n)) + "\n"


def random_bytes(n, seed):
    rng = random.Random(seed)
    return bytes(rng.randrange(256) for _ in range(n))


def truncate(n, outdir):
    here = os.path.dirname(os.path.abspath(__file__))
    tests = os.path.normpath(os.path.join(here, "..", ".."))
    os.makedirs(outdir, exist_ok=True)
    for name in sorted(os.listdir(tests)):
        if not name.endswith(".cpp"):
            continue
        with open(os.path.join(tests, name), "rb") as fh:
            data = fh.read()
        for k in range(1, n + 1):
            cut = len(data) * k // (n + 1)
            with open(os.path.join(outdir, "%s.cut%d.cpp" % (name[:-4], k)), "wb") as fh:
                fh.write(data[:cut])


def main():
    shape, n = sys.argv[1], int(sys.argv[2])
    seed = sys.argv[3] if len(sys.argv) > 3 else "0"
    gens = {"threads": threads, "branches": branches, "workers": workers,
            "members": members, "nested": nested, "macros": macros}
    if shape in gens:
        sys.stdout.write(gens[shape](n))
    elif shape == "tokens":
        sys.stdout.write(tokens(n, seed))
    elif shape == "bytes":
        sys.stdout.buffer.write(random_bytes(n, seed))
    elif shape == "truncate":
        truncate(n, seed)
    else:
        sys.exit("generate.py: unknown shape %r" % shape)


if __name__ == "__main__":
    main()
