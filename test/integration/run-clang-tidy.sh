#!/bin/sh
# The plugin through run-clang-tidy -load, as docs/integration.md shows it:
# configure test/integration/project for its compile_commands.json, run
# run-clang-tidy over it and expect the tether warning.
#   run-clang-tidy.sh CMAKE CXX RUN_CLANG_TIDY CLANG_TIDY PLUGIN WORK_DIR
set -u
cmake=$1 cxx=$2 run=$3 tidy=$4 plugin=$5 work=$6
src=$(cd "$(dirname "$0")/project" && pwd)
rm -rf "$work" && mkdir -p "$work"
"$cmake" -S "$src" -B "$work/build" -DCMAKE_CXX_COMPILER="$cxx" \
  > "$work/configure.log" 2>&1 || { cat "$work/configure.log"; echo "FAIL: configure"; exit 1; }
"$run" -clang-tidy-binary "$tidy" -load="$plugin" -checks='-*,tether-*' \
  -p "$work/build" > "$work/run.log" 2>&1
rc=$?
cat "$work/run.log"
want="fire.cpp:6:21: warning: temporary thread is detached; its owner can no longer wait for it, stop it or get its result [tether-detached-thread]"
grep -qF "$want" "$work/run.log" || { echo "FAIL: no '$want' in run-clang-tidy's output (exit $rc)"; exit 1; }
grep -q "error:" "$work/run.log" && { echo "FAIL: run-clang-tidy reported an error"; exit 1; }
echo "PASS: run-clang-tidy -load reports tether-detached-thread"
