#!/bin/sh
# The .deb: build it with cpack from the tether build tree, check its metadata
# (dpkg-deb -I) and contents (dpkg-deb -c), then unpack it into a scratch
# folder (never into the system) and lint test/integration/project with the
# unpacked tether-lint, which must find the unpacked tether-tidy next to it.
#   package.sh CPACK CMAKE CXX BUILD_DIR WORK_DIR LLVM_MAJOR WANT_FILES...
set -u
cpack=$1 cmake=$2 cxx=$3 build=$4 work=$5 major=$6
shift 6
src=$(cd "$(dirname "$0")/project" && pwd)
fail() { echo "FAIL: $*"; exit 1; }
rm -rf "$work" && mkdir -p "$work"

"$cpack" -G DEB --config "$build/CPackConfig.cmake" -B "$work/pkg" > "$work/cpack.log" 2>&1 \
  || { cat "$work/cpack.log"; fail "cpack failed"; }
deb=$(ls "$work"/pkg/*.deb 2>/dev/null | head -n 1)
[ -n "$deb" ] || { cat "$work/cpack.log"; fail "cpack made no .deb"; }
echo "package: $deb"

dpkg-deb -I "$deb" > "$work/info.txt" || fail "dpkg-deb -I $deb"
cat "$work/info.txt"
field() { dpkg-deb -f "$deb" "$1"; }
[ "$(field Package)" = tether ] || fail "Package is '$(field Package)', not tether"
case "$(field Version)" in *+llvm$major) ;; *) fail "Version '$(field Version)' does not end in +llvm$major" ;; esac
depends=$(field Depends)
for dep in clang-tidy-$major libclang-common-$major-dev libclang-cpp$major libllvm$major python3 libc6 libstdc++6; do
  echo ", $depends," | grep -qE "[ ,]$(echo "$dep" | sed 's/[+.]/\\&/g')( \([^)]*\))?," \
    || fail "Depends lacks $dep: $depends"
done
# Another LLVM major must not sneak in (e.g. libllvm19 in a 22 package).
for other in 14 15 16 17 18 19 20 21 22; do
  [ "$other" = "$major" ] && continue
  echo "$depends" | grep -qE "(libllvm|libclang-cpp|clang-tidy-)$other" \
    && fail "Depends names LLVM $other: $depends"
done

dpkg-deb -c "$deb" > "$work/contents.txt" || fail "dpkg-deb -c $deb"
for f in "$@"; do
  grep -qE " \./usr/$f( |$)" "$work/contents.txt" || { cat "$work/contents.txt"; fail "no /usr/$f in the package"; }
done
grep -q "/usr/local" "$work/contents.txt" && fail "the package installs under /usr/local"
echo "contents: $(wc -l < "$work/contents.txt") entries, all of: $*"

# Unpacked (not installed), the tools still run: tether-lint finds tether-tidy
# next to itself and reports the detached thread.
dpkg-deb -x "$deb" "$work/root" || fail "dpkg-deb -x $deb"
# Stripped, nothing names the build or source tree (debug information of a
# static library did: CMake strips executables and shared libraries only).
srcdir=$(cd "$(dirname "$0")/../.." && pwd)
named=$(grep -rlaF -e "$build" -e "$srcdir/" "$work/root" | sed "s,^$work/root,,")
[ -z "$named" ] || fail "files name $build or $srcdir: $named"
if [ -x "$work/root/usr/bin/tether-tidy" ] && [ -x "$work/root/usr/bin/tether-lint" ]; then
  "$cmake" -S "$src" -B "$work/project" -DCMAKE_CXX_COMPILER="$cxx" > "$work/project.log" 2>&1 \
    || { cat "$work/project.log"; fail "configuring the sample project"; }
  "$work/root/usr/bin/tether-lint" -j 1 --progress never "$work/project" > "$work/lint.log" 2>&1
  rc=$?
  cat "$work/lint.log"
  [ $rc = 1 ] || fail "unpacked tether-lint exited $rc, not 1 (findings)"
  grep -qF "fire.cpp:6:21: warning: temporary thread is detached" "$work/lint.log" \
    || fail "unpacked tether-lint did not report the detached thread"
fi
# ... and the unpacked tether-clangd publishes the tether diagnostic over LSP.
if [ -x "$work/root/usr/bin/tether-clangd" ]; then
  here=$(cd "$(dirname "$0")/.." && pwd)
  "${PYTHON:-python3}" "$here/clangd/lsp-session.py" --clangd "$work/root/usr/bin/tether-clangd" \
    --inputs "$here/checks/Inputs" --timeout 90 || fail "unpacked tether-clangd"
fi
echo "PASS: $(basename "$deb")"
