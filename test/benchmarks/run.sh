#!/usr/bin/env bash
# Builds the tether benchmarks (Release, runtime only) and the Go program, then
# runs them interleaved and prints medians, ratios and the targets.
#
#   test/benchmarks/run.sh [--rounds N] [--filter REGEX] [--json FILE] [--oversubscribe]
#
# Prints the machine (lscpu model, CPUs, threads per core), the load, the
# measured core-to-core round trip, and every figure as a ratio to tether,
# to Go and (channels) to that round trip, so figures from different
# machines can be compared. --oversubscribe adds one busy loop per CPU.
#
# Needs: libbenchmark-dev, golang-go, libconcurrentqueue-dev (optional
# moodycamel baseline). Go runs with GOMAXPROCS=2. Run on an idle machine.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
build="${TETHER_BENCH_BUILD_DIR:-$root/build-bench}"

cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DTETHER_BUILD_PLUGIN=OFF -DTETHER_BUILD_TIDY=OFF -DTETHER_BUILD_CLANGD=OFF \
  -DTETHER_BUILD_BENCHMARKS=ON -DTETHER_SANITIZE= >/dev/null
cmake --build "$build" -j "${JOBS:-2}" --target tether_bench
(cd "$root/test/benchmarks/go" && GOFLAGS=-mod=mod go build -o "$build/go-bench" .)
python3 "$root/test/benchmarks/compare.py" --tether "$build/test/benchmarks/tether_bench" \
  --go "$build/go-bench" "$@"
