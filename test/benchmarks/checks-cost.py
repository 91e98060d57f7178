#!/usr/bin/env python3
"""checks-cost.py: what the tether checks cost on thread-heavy code (issue 21).

  test/benchmarks/checks-cost.py [--tidy BIN] [--sizes 50,500,5000]
                                 [--spawns 3000] [--repeat R] [--no-uam]
                                 [--profile] [--findings DIR] [--keep DIR]
                                 [--before BIN]

Generates thread-heavy TUs of N functions that start, join, detach, capture,
loop, lock, wait on WaitGroups and pass Contexts, with the real std headers
(<thread>, <vector>, <mutex>, <atomic>) and tether's runtime headers;
one function in twelve has a planted defect (an unjoined thread, a detached
thread capturing a local by reference, an unstoppable worker, add() inside the
spawned task, a discarded result, done() missing on a path). Plus one function
with --spawns spawns and joins. Then times, interleaved, R times each, CPU time
(user+sys of the child):
  - clang++-<major> -fsyntax-only,
  - tether-tidy --checks=-*,tether-* (all tether checks),
  - tether-tidy --checks=-*,bugprone-use-after-move (upstream's CFG check),
and, with --before, the same checks run by another tether-tidy (a build
before a change), and prints a Markdown table of the medians and ratios, with the CPU model
(lscpu) and the load. --profile adds, per TU, the per-check times of
--enable-check-profile (one run). --findings DIR writes the tether findings of
each TU to DIR/<tu>.txt (to diff before/after a change).
"""
import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile

from cputime import cpu

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
RUNTIME_INCLUDE = os.path.join(ROOT, "runtime", "include")

HEADER = """#include <atomic>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <vector>
#include <tether/context.h>
#include <tether/wait_group.h>

int compute(int) noexcept;
void consume(int) noexcept;
bool more(int) noexcept;
int parse(int);
void addLocked(std::mutex& m, int& total, int v);
"""

# One function per kind; kind 11 is the planted defect (rotating).
KINDS = [
    # 0: start, loop, join
    """void f{i}(std::vector<int>& out) {{
  std::thread t([&out] {{
    for (int k = 0; k < {i} % 17 + 3; ++k)
      out.push_back(compute(k));
  }});
  t.join();
}}""",
    # 1: a vector of threads, join loop
    """void f{i}(int n) {{
  std::vector<std::thread> ts;
  for (int k = 0; k < n; ++k)
    ts.emplace_back([k] {{ consume(compute(k + {i})); }});
  for (auto& t : ts)
    t.join();
}}""",
    # 2: jthread with a stop token loop
    """void f{i}() {{
  std::jthread w([](std::stop_token st) {{
    int k = 0;
    while (!st.stop_requested())
      consume(compute(++k + {i}));
  }});
  w.request_stop();
}}""",
    # 3: WaitGroup go, capture by value
    """void f{i}(const std::vector<int>& in) {{
  tether::WaitGroup wg;
  for (int x : in)
    wg.go([x] {{ consume(compute(x * {i})); }});
  wg.wait();
}}""",
    # 4: Context propagated to the worker
    """void f{i}(tether::Context ctx) {{
  tether::WaitGroup wg;
  wg.go([ctx] {{
    int k = 0;
    while (!ctx.cancelled())
      consume(compute(++k + {i}));
  }});
  wg.wait();
}}""",
    # 5: mutex and lock_guard in the worker (a function and references)
    """void f{i}(int& total) {{
  std::mutex m;
  std::thread a(addLocked, std::ref(m), std::ref(total), {i});
  std::thread b(addLocked, std::ref(m), std::ref(total), -{i});
  a.join();
  b.join();
}}""",
    # 6: function and arguments, moved into a vector
    """void f{i}(std::vector<std::thread>& pool) {{
  std::thread t(consume, {i});
  pool.push_back(std::move(t));
  for (auto& p : pool)
    if (p.joinable())
      p.join();
}}""",
    # 7: exceptions around the join
    """int f{i}(int x) {{
  int r = 0;
  std::thread t([&r, x] {{ try {{ r = parse(x); }} catch (...) {{ r = -1; }} }});
  try {{
    r += parse(x + {i});
  }} catch (...) {{
    t.join();
    throw;
  }}
  t.join();
  return r;
}}""",
    # 8: an atomic stop flag
    """void f{i}() {{
  std::atomic<bool> stop{{false}};
  std::thread t([&stop] {{
    while (!stop.load())
      consume(compute({i}));
  }});
  stop = true;
  t.join();
}}""",
    # 9: early return joins too
    """int f{i}(int x) {{
  std::thread t(consume, x + {i});
  if (x < 0) {{
    t.join();
    return -1;
  }}
  int y = compute(x);
  t.join();
  return y;
}}""",
    # 10: ownership handed on by a move
    """void f{i}() {{
  std::thread t(consume, {i});
  std::thread u = std::move(t);
  u.join();
}}""",
]

DEFECTS = [
    # unjoined on an early return
    """int f{i}(int x) {{
  std::thread t([x] {{ consume(x); }});
  if (x < {i})
    return -1;
  t.join();
  return 0;
}}""",
    # detached thread capturing a local by reference
    """void f{i}() {{
  int local = {i};
  std::thread t([&local] {{ consume(local); }});
  t.detach();
}}""",
    # unstoppable worker
    """void f{i}() {{
  std::thread t([] {{
    int k = 0;
    while (true)
      consume(compute(++k + {i}));
  }});
  t.join();
}}""",
    # add() inside the spawned task
    """void f{i}(tether::WaitGroup& wg) {{
  std::thread t([&wg] {{ wg.add(1); consume({i}); wg.done(); }});
  t.join();
  wg.wait();
}}""",
    # discarded result
    """void f{i}() {{
  std::thread t([] {{ return compute({i}); }});
  t.join();
}}""",
    # done() missing on the early return
    """void f{i}(tether::WaitGroup& wg, tether::Context ctx) {{
  wg.add(1);
  std::thread t([&wg, ctx] {{
    if (more({i}))
      return;
    consume({i});
    wg.done();
  }});
  t.join();
  wg.wait();
}}""",
]


def functions_tu(n):
    out = [HEADER]
    for i in range(n):
        if i % 12 == 11:
            out.append(DEFECTS[(i // 12) % len(DEFECTS)].format(i=i))
        else:
            out.append(KINDS[i % 12].format(i=i))
    return "\n\n".join(out) + "\n"


def spawns_tu(n):
    out = [HEADER, "void manySpawns(std::vector<std::thread>& pool) {"]
    for i in range(n):
        out.append("  std::thread t%d(consume, %d);" % (i, i))
        if i % 3 == 0:
            out.append("  if (more(%d)) t%d.join(); else t%d.join();" % (i, i, i))
        elif i % 3 == 1:
            out.append("  t%d.join();" % i)
        else:
            out.append("  pool.push_back(std::move(t%d));" % i)
    out.append("  for (auto& p : pool)")
    out.append("    p.join();")
    out.append("}")
    return "\n".join(out) + "\n"


def findings(out):
    return sorted(line for line in out.splitlines()
                  if ": warning: " in line or ": note: " in line or ": error: " in line)


def cpu_model():
    try:
        out = subprocess.check_output(["lscpu"], universal_newlines=True)
    except OSError:
        return "unknown"
    for line in out.splitlines():
        if line.startswith("Model name:"):
            return line.split(":", 1)[1].strip()
    return "unknown"


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--tidy", default=os.path.join(ROOT, "build", "bin", "tether-tidy"))
    ap.add_argument("--major", default="22")
    ap.add_argument("--sizes", default="50,500,5000")
    ap.add_argument("--spawns", type=int, default=3000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--no-uam", action="store_true",
                    help="skip bugprone-use-after-move (slow on the spawns TU)")
    ap.add_argument("--profile", action="store_true")
    ap.add_argument("--findings", help="write each TU's tether findings to this directory")
    ap.add_argument("--keep", help="write the generated TUs to this directory")
    ap.add_argument("--before", help="a tether-tidy built before a change, timed alongside")
    a = ap.parse_args()
    flags = ["-std=c++20", "-isystem", RUNTIME_INCLUDE]
    print("CPU: %s; load before: %s" % (cpu_model(), os.getloadavg()))
    print()
    print("| TU | lines | syntax-only s |%s all tether checks s | ratio | checks' own s "
          "| bugprone-use-after-move s | ratio | tether findings |" %
          (" before: all tether checks s | ratio |" if a.before else ""))
    print("|---|---|---|---|---|---|---|---|---|%s" % ("---|---|" if a.before else ""))
    tmp = a.keep or tempfile.mkdtemp()
    os.makedirs(tmp, exist_ok=True)
    tus = [("%d functions" % n, "functions_%d.cpp" % n, functions_tu(n))
           for n in [int(x) for x in a.sizes.split(",") if x]]
    if a.spawns:
        tus.append(("one function, %d spawns" % a.spawns, "spawns_%d.cpp" % a.spawns,
                    spawns_tu(a.spawns)))
    profiles = []
    for label, name, text in tus:
        src = os.path.join(tmp, name)
        with open(src, "w") as fh:
            fh.write(text)
        syn, tid, uam, bef, out = [], [], [], [], ""
        for _ in range(a.repeat):
            syn.append(cpu(["clang++-%s" % a.major, "-fsyntax-only", "-w"] + flags + [src])[0])
            if a.before:
                bef.append(cpu([a.before, "--quiet", "--checks=-*,tether-*", src, "--"]
                               + flags)[0])
            t, out = cpu([a.tidy, "--quiet", "--checks=-*,tether-*", src, "--"] + flags)
            tid.append(t)
            if not a.no_uam:
                uam.append(cpu([a.tidy, "--quiet", "--checks=-*,bugprone-use-after-move",
                                src, "--"] + flags)[0])
        found = findings(out)
        if a.findings:
            os.makedirs(a.findings, exist_ok=True)
            with open(os.path.join(a.findings, name + ".txt"), "w") as fh:
                fh.write("\n".join(line.replace(tmp, "<tmp>") for line in found) + "\n")
        s, t = statistics.median(syn), statistics.median(tid)
        u = "%.2f | %.2fx" % (statistics.median(uam), statistics.median(uam) / s) \
            if uam else "- | -"
        b = " %.2f | %.2fx |" % (statistics.median(bef), statistics.median(bef) / s) \
            if bef else ""
        print("| %s | %d | %.2f |%s %.2f | %.2fx | %.2f | %s | %d |" % (
            label, text.count("\n"), s, b, t, t / s, max(t - s, 0.0), u,
            sum(1 for line in found if "warning:" in line)))
        sys.stdout.flush()
        if a.profile:
            _, prof = cpu([a.tidy, "--quiet", "--checks=-*,tether-*", "--enable-check-profile",
                           src, "--"] + flags)
            rows = []
            for line in prof.splitlines():
                m = re.match(r"\s*([\d.]+)\s*\(\s*[\d.]+%\)\s+([\d.]+)\s*\(\s*[\d.]+%\)\s+"
                             r"([\d.]+)\s*\(\s*[\d.]+%\)\s+([\d.]+)\s*\(\s*([\d.]+)%\)\s+(\S+)",
                             line)
                if m and m.group(6) != "Total":
                    rows.append((float(m.group(4)), m.group(6), m.group(5)))
            profiles.append((label, sorted(rows, reverse=True)))
    for label, rows in profiles:
        print()
        print("--enable-check-profile, %s (wall s, share of check time):" % label)
        for wall, check, share in rows:
            print("  %6.3f  %5s%%  %s" % (wall, share, check))
    print()
    print("load after: %s" % (os.getloadavg(),))


if __name__ == "__main__":
    main()
