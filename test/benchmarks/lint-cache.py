#!/usr/bin/env python3
"""lint-cache.py: what tether-lint's result cache saves.

  test/benchmarks/lint-cache.py [--jobs N] [--tus 200] [--real BUILD_DIR] [--work DIR]

For a generated project of --tus TUs (real standard headers, thread code with
findings, one header per four TUs) and, with --real, for a real project's
build folder (its compile_commands.json), it runs tools/tether-lint three
times with a fresh cache:
  1. cold: nothing cached (every TU analysed and stored);
  2. warm: nothing changed (every TU replayed); the report must be identical;
  3. after appending a comment to one header of the project that exactly four
     TUs read (taken from the cache's dependency lists): exactly those four
     must be analysed again.
It prints wall times, the cold/warm ratio, the machine (lscpu model name),
the date and the load average, and exits 1 if the warm run is not at least
20x faster, the report differs, or another set of TUs was analysed.
Nothing is written outside --work (default: a fresh folder in /tmp).
"""

import argparse
import glob
import json
import os
import re
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
LINT = os.path.join(ROOT, "tools", "tether-lint")

TU = """// Generated TU {i}: a worker pool slice of group {g}.
#include "group_{g}.h"
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace gen{i} {{
class Pool {{
public:
  explicit Pool(unsigned n) {{
    for (unsigned k = 0; k < n; ++k)
      workers_.emplace_back([this] {{ run(); }});
  }}
  ~Pool() {{
    {{
      std::lock_guard<std::mutex> lock(mu_);
      done_ = true;
    }}
    cv_.notify_all();
    for (std::thread &t : workers_)
      t.join();
  }}
  void submit(std::function<void()> f) {{
    std::lock_guard<std::mutex> lock(mu_);
    tasks_.push_back(std::move(f));
    cv_.notify_one();
  }}

private:
  void run() {{
    for (;;) {{
      std::function<void()> f;
      {{
        std::unique_lock<std::mutex> lock(mu_);
        cv_.wait(lock, [this] {{ return done_ || !tasks_.empty(); }});
        if (done_ && tasks_.empty())
          return;
        f = std::move(tasks_.back());
        tasks_.pop_back();
      }}
      f();
    }}
  }}
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::function<void()>> tasks_;
  bool done_ = false;
  std::vector<std::thread> workers_;
}};

std::map<std::string, int> count(const std::vector<std::string> &words) {{
  std::map<std::string, int> out;
  Pool pool(2);
  for (const std::string &w : words)
    pool.submit([&out, w] {{ group{g}::touch(w); }});
  {bug}
  return out;
}}
}} // namespace gen{i}
"""
BUG = "std::thread([] {{ group{g}::touch(\"late\"); }}).detach();"
HEADER = """// Generated header of group {g}: read by four TUs.
#pragma once
#include <string>
namespace group{g} {{
inline void touch(const std::string &s) {{ (void)s.size(); }}
}}
"""


def generate(folder, tus):
    src = os.path.join(folder, "src")
    for i in range(tus):
        d = os.path.join(src, "part%d" % (i % 4))
        os.makedirs(d, exist_ok=True)
        g = i // 4
        with open(os.path.join(d, "tu%03d.cpp" % i), "w") as f:
            f.write(TU.format(i=i, g=g, bug=BUG.format(g=g) if i % 10 == 0 else ""))
    inc = os.path.join(src, "include")
    os.makedirs(inc, exist_ok=True)
    for g in range((tus + 3) // 4):
        with open(os.path.join(inc, "group_%d.h" % g), "w") as f:
            f.write(HEADER.format(g=g))
    build = os.path.join(folder, "build")
    os.makedirs(build, exist_ok=True)
    db = [{"directory": build, "file": p,
           "command": "clang++ -std=c++20 -I%s -c %s -o %s.o" % (inc, p, os.path.basename(p))}
          for p in sorted(glob.glob(os.path.join(src, "part*", "*.cpp")))]
    with open(os.path.join(build, "compile_commands.json"), "w") as f:
        json.dump(db, f, indent=1)
    return build, src


def lint(build, cache, jobs, extra=()):
    cmd = [sys.executable, LINT, "-j", str(jobs), "--progress", "never", "--cache", cache,
           "--explain-cache"] + list(extra) + [build]
    start = time.monotonic()
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       universal_newlines=True)
    wall = time.monotonic() - start
    if r.returncode not in (0, 1):
        sys.exit("lint-cache: %s failed (%d): %s" % (" ".join(cmd), r.returncode, r.stderr[-2000:]))
    analysed = sorted(l.split("cache: ", 1)[1].split(": analysed")[0]
                      for l in r.stderr.splitlines() if ": analysed (" in l)
    summary = r.stderr.strip().splitlines()[-1]
    return wall, r.stdout, analysed, summary


def header_read_by_four(cache, src_root):
    readers = {}
    for path in glob.glob(os.path.join(cache, "v1", "*", "*.json")):
        with open(path) as f:
            deps = [d for d, _ in json.load(f)["deps"]]
        tu = deps[0]
        for d in deps[1:]:
            if d.startswith(src_root + os.sep) and not d.endswith((".cc", ".cpp", ".c")):
                readers.setdefault(d, set()).add(tu)
    four = sorted(h for h, tus in readers.items() if len(tus) == 4)
    if not four:
        return None, []
    return four[0], sorted(readers[four[0]])


def measure(name, build, src_root, work, jobs):
    cache = os.path.join(work, re.sub(r"[^A-Za-z0-9]+", "-", name).strip("-") + "-cache")
    cold, out1, an1, sum1 = lint(build, cache, jobs)
    warm, out2, an2, sum2 = lint(build, cache, jobs)
    header, readers = header_read_by_four(cache, os.path.realpath(src_root))
    ok = out1 == out2 and not an2
    touched = None
    if header:
        with open(header) as f:
            original = f.read()
        with open(header, "a") as f:
            f.write("\n// touched by lint-cache.py\n")
        try:
            touch, out3, an3, sum3 = lint(build, cache, jobs)
        finally:
            with open(header, "w") as f:
                f.write(original)
        rel = lambda p: os.path.relpath(p, src_root)
        want = sorted(rel(p) for p in readers)
        got = sorted(rel(os.path.realpath(os.path.join(ROOT, p))) if not os.path.isabs(p)
                     else rel(p) for p in an3)
        touched = (rel(header), touch, got, want)
        ok = ok and len(an3) == 4
    ratio = cold / warm if warm else float("inf")
    ok = ok and ratio >= 20
    print("== %s" % name)
    print("cold run: %.1f s  (%s)" % (cold, sum1.split("; ", 1)[1]))
    print("warm run: %.2f s  (%s)" % (warm, sum2.split("; ", 1)[1]))
    print("cold/warm: %.0fx; same report: %s" % (ratio, "yes" if out1 == out2 else "NO"))
    if touched:
        print("touched %s (read by %d TUs): %.1f s, analysed %d: %s" % (
            touched[0], len(touched[3]), touched[1], len(touched[2]), ", ".join(touched[2])))
    else:
        print("no header of the project is read by exactly four TUs")
    return ok


def main():
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--jobs", "-j", type=int, default=os.cpu_count() or 2)
    p.add_argument("--tus", type=int, default=200)
    p.add_argument("--real", default=None, metavar="BUILD_DIR",
                   help="a real project's build folder with compile_commands.json")
    p.add_argument("--real-src", default=None, metavar="SRC_DIR",
                   help="its source folder (where the header to touch is picked)")
    p.add_argument("--work", default=None)
    args = p.parse_args()
    work = args.work or tempfile.mkdtemp(prefix="tether-lint-cache-bench-")
    os.makedirs(work, exist_ok=True)
    model = next((l.split(":", 1)[1].strip() for l in subprocess.run(
        ["lscpu"], stdout=subprocess.PIPE, universal_newlines=True).stdout.splitlines()
        if l.startswith("Model name")), "?")
    print("machine: %s, %d cores; %s; load before: %s" % (
        model, os.cpu_count(), time.strftime("%Y-%m-%d %H:%M %Z"),
        " ".join("%.2f" % x for x in os.getloadavg())))
    print("command: %s" % " ".join(sys.argv))
    build, src = generate(os.path.join(work, "generated"), args.tus)
    ok = measure("generated, %d TUs" % args.tus, build, src, work, args.jobs)
    if args.real:
        src = args.real_src or os.path.dirname(os.path.abspath(args.real))
        ok = measure("real: " + os.path.abspath(args.real), args.real, src, work,
                     args.jobs) and ok
    print("load after: %s" % " ".join("%.2f" % x for x in os.getloadavg()))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
