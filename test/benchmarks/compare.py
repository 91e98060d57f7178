#!/usr/bin/env python3
"""Runs the tether (Google Benchmark) and Go benchmark binaries interleaved,
several rounds, and prints the machine, per-workload medians (ns/op), ratios
to tether, to Go and to the machine's core-to-core round trip, and the
performance targets of the runtime issues (met / missed).

  compare.py --tether build-bench/test/benchmarks/tether_bench --go go-bench
             [--rounds 5] [--filter REGEX] [--oversubscribe] [--json FILE]

--oversubscribe runs one busy loop per CPU for the whole measurement (2x
oversubscription for the two-thread workloads) and checks that no tether
figure is then worse than the mutex + condvar baseline's.
"""
import argparse
import datetime
import json
import os
import statistics
import subprocess
import sys
from collections import defaultdict

UNIT_NS = {"ns": 1.0, "us": 1e3, "ms": 1e6, "s": 1e9}

# (description, numerator, denominator, max ratio) -- ratio = num / den.
TARGETS = [
    ("buffered 1p1c at least as fast as Go", "chan_1p1c_cap1024/tether", "chan_1p1c_cap1024/go", 1.0),
    ("buffered 1p1c 3x faster than mutex queue", "chan_1p1c_cap1024/tether", "chan_1p1c_cap1024/mutex_queue", 1 / 3),
    ("buffered 4p4c at least as fast as Go", "chan_4p4c_cap1024/tether", "chan_4p4c_cap1024/go", 1.0),
    ("buffered 4p4c 3x faster than mutex queue", "chan_4p4c_cap1024/tether", "chan_4p4c_cap1024/mutex_queue", 1 / 3),
    ("unbuffered ping-pong within 2x of Go", "chan_unbuffered_pingpong/tether", "chan_unbuffered_pingpong/go", 2.0),
    ("go()+wait() within 1.2x of raw std::thread", "go_wait_per_task/tether", "go_wait_per_task/raw_thread", 1.2),
    ("add+done within 3x of the atomic floor", "waitgroup_add_done/tether", "waitgroup_add_done/atomic_pair", 3.0),
]
ABSOLUTE = [("cancelled() under 2 ns", "ctx_cancelled_poll/tether", 2.0)]
# Under --oversubscribe: tether no slower than the mutex + condvar baseline.
OVERSUBSCRIBED = [
    (f"{w} no slower than the mutex queue (oversubscribed)", f"{w}/tether", f"{w}/mutex_queue", 1.0)
    for w in ("chan_1p1c_cap1024", "chan_4p4c_cap1024", "chan_unbuffered_pingpong")
]
FLOOR = "core_roundtrip/floor"


def machine():
    """lscpu's model, CPUs, cores and threads per core, as one line."""
    info = {}
    try:
        out = subprocess.run(["lscpu"], capture_output=True, text=True, check=True).stdout
        for line in out.splitlines():
            k, _, v = line.partition(":")
            info[k.strip()] = v.strip()
    except (OSError, subprocess.CalledProcessError):
        pass
    model = info.get("Model name", "unknown CPU")
    return (f"{model}, {info.get('CPU(s)', os.cpu_count())} CPUs "
            f"({info.get('Core(s) per socket', '?')} cores per socket x "
            f"{info.get('Socket(s)', '?')} sockets, "
            f"{info.get('Thread(s) per core', '?')} threads per core)")


def busy_loops(n):
    return [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(n)]


def run_tether(binary, min_time, filt):
    cmd = [binary, "--benchmark_format=json", f"--benchmark_min_time={min_time}"]
    if filt:
        # The floor is always measured: every figure is also read against it.
        cmd.append(f"--benchmark_filter=({filt})|^core_roundtrip")
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    res = {}
    for b in json.loads(out)["benchmarks"]:
        ops = b.get("ops", 1.0)
        res[b["name"].split("/real_time")[0]] = b["real_time"] * UNIT_NS[b["time_unit"]] / ops
    return res


def run_go(binary, filt):
    cmd = [binary]
    if filt:
        cmd.append(f"-filter={filt}")
    out = subprocess.run(cmd, check=True, capture_output=True, text=True,
                         env={"GOMAXPROCS": "2", "PATH": "/usr/bin:/bin"}).stdout
    return {d["name"]: d["ns_per_op"] for d in map(json.loads, out.splitlines()) if d}


def fmt_ns(ns):
    if ns >= 1e6:
        return f"{ns / 1e6:.2f} ms"
    if ns >= 1e3:
        return f"{ns / 1e3:.2f} us"
    return f"{ns:.2f} ns"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tether", required=True)
    ap.add_argument("--go", required=True)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--min-time", default="0.5")
    ap.add_argument("--filter", default="")
    ap.add_argument("--json", help="also write the raw samples here")
    ap.add_argument("--oversubscribe", action="store_true",
                    help="run one busy loop per CPU during the measurement")
    args = ap.parse_args()

    load_before = os.getloadavg()[0]
    started = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    busy = busy_loops(os.cpu_count() or 1) if args.oversubscribe else []
    try:
        samples = measure(args)
    finally:
        for p in busy:
            p.kill()
            p.wait()
    load_after = os.getloadavg()[0]
    report(args, samples, started, load_before, load_after)


def measure(args):
    samples = defaultdict(list)
    for r in range(args.rounds):
        order = [("tether", run_tether), ("go", run_go)]
        if r % 2:
            order.reverse()
        for name, fn in order:
            print(f"round {r + 1}/{args.rounds}: {name}", file=sys.stderr, flush=True)
            res = fn(args.tether, args.min_time, args.filter) if name == "tether" else fn(args.go, args.filter)
            for k, v in res.items():
                samples[k].append(v)
    return samples


def report(args, samples, started, load_before, load_after):
    med = {k: statistics.median(v) for k, v in samples.items()}
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"samples": samples, "median": med}, f, indent=1)

    workloads = defaultdict(dict)
    for k, v in med.items():
        w, impl = k.split("/", 1)
        workloads[w][impl] = v
    floor = med.get(FLOOR)
    print(f"\nMachine: {machine()}")
    print(f"Run: {started}, load average {load_before:.2f} before, {load_after:.2f} after"
          + (f", {os.cpu_count()} busy loops running (oversubscribed)" if args.oversubscribe else ""))
    if floor:
        print(f"Core-to-core round trip (one cache line, two pinned threads): {fmt_ns(floor)}")
    print(f"\nMedians of {args.rounds} interleaved rounds (ns per op; lower is better)\n")
    print("| workload | implementation | median | spread (min-max) | vs tether | vs Go | vs round trip |")
    print("|---|---|---|---|---|---|---|")
    for w in sorted(workloads):
        if w == FLOOR.split("/")[0]:
            continue
        impls = workloads[w]
        base = impls.get("tether")
        go = impls.get("go")
        for impl in sorted(impls, key=lambda i: (i != "tether", i)):
            s = samples[f"{w}/{impl}"]
            ratio = f"{impls[impl] / base:.2f}x" if base else "-"
            vs_go = f"{impls[impl] / go:.2f}x" if go else "-"
            vs_floor = f"{impls[impl] / floor:.2f}x" if floor and w.startswith("chan_") else "-"
            print(f"| {w} | {impl} | {fmt_ns(impls[impl])} | {fmt_ns(min(s))} - {fmt_ns(max(s))} "
                  f"| {ratio} | {vs_go} | {vs_floor} |")

    print("\nTargets\n")
    print("| target | measured | limit | result |")
    print("|---|---|---|---|")
    for desc, num, den, limit in TARGETS + (OVERSUBSCRIBED if args.oversubscribe else []):
        if num in med and den in med:
            ratio = med[num] / med[den]
            print(f"| {desc} | {ratio:.2f}x | {limit:.2f}x | {'met' if ratio <= limit else 'MISSED'} |")
        else:
            print(f"| {desc} | n/a | {limit:.2f}x | not run |")
    for desc, key, limit in ABSOLUTE:
        if key in med:
            print(f"| {desc} | {med[key]:.2f} ns | {limit:.2f} ns | {'met' if med[key] < limit else 'MISSED'} |")


if __name__ == "__main__":
    main()
