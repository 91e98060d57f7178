#!/bin/sh
# The plugin through CMAKE_CXX_CLANG_TIDY, as docs/integration.md shows it:
# configure and build test/integration/project and expect the tether warning
# in the build output.
#   cmake-clang-tidy.sh CMAKE CXX CLANG_TIDY PLUGIN WORK_DIR
set -u
cmake=$1 cxx=$2 tidy=$3 plugin=$4 work=$5
src=$(cd "$(dirname "$0")/project" && pwd)
rm -rf "$work" && mkdir -p "$work"
"$cmake" -S "$src" -B "$work/build" -DCMAKE_CXX_COMPILER="$cxx" \
  -DCMAKE_CXX_CLANG_TIDY="$tidy;-load=$plugin;-checks=-*,tether-*" \
  > "$work/configure.log" 2>&1 || { cat "$work/configure.log"; echo "FAIL: configure"; exit 1; }
"$cmake" --build "$work/build" > "$work/build.log" 2>&1
rc=$?
cat "$work/build.log"
[ $rc = 0 ] || { echo "FAIL: the build failed (exit $rc)"; exit 1; }
want="fire.cpp:6:21: warning: temporary thread is detached; its owner can no longer wait for it, stop it or get its result [tether-detached-thread]"
grep -qF "$want" "$work/build.log" || { echo "FAIL: no '$want' in the build output"; exit 1; }
[ -f "$work/build/libfire.a" ] || { echo "FAIL: libfire.a was not built"; exit 1; }
echo "PASS: CMAKE_CXX_CLANG_TIDY reports tether-detached-thread"
