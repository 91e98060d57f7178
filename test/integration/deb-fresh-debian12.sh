#!/bin/sh
# The .deb on a fresh Debian 12: debootstrap a minbase bookworm root (or unpack
# a cached pristine one), install the package there with apt so that apt alone
# must find its LLVM dependencies, and run the installed tools as a user would:
# tether-tidy and clang-tidy-N -load on a file with a detached thread,
# tether-clangd (--check and an LSP session), tether-lint on a CMake project,
# and a runtime consumer through find_package(tether) and pkg-config.
#
#   sudo test/integration/deb-fresh-debian12.sh build/pkg/tether_*.deb
#
# Run as root; needs debootstrap (apt-get install debootstrap) and the Debian
# mirrors (deb.debian.org: bookworm, bookworm-updates, bookworm-security).
# Takes a few minutes and ~1.5 GB; not part of ctest. Environment:
#   TETHER_DEB12_CACHE=FILE.tar  pristine root: made on the first run, unpacked
#                                on later ones (the root is fresh either way)
#   TETHER_DEB12_MIRROR=URL      default http://deb.debian.org/debian
#   TETHER_DEB12_KEEP=1          keep the root (mounts are always undone)
# Prints one PASS/FAIL line per check and exits 1 if any failed; the output of
# every command is in <root>/../log (printed on failure).
set -u
deb=${1:?usage: deb-fresh-debian12.sh PATH/TO/tether_VERSION_ARCH.deb}
[ -f "$deb" ] || { echo "FAIL: no such file: $deb"; exit 2; }
[ "$(id -u)" = 0 ] || { echo "FAIL: run as root (debootstrap, chroot, mount)"; exit 2; }
command -v debootstrap > /dev/null || { echo "FAIL: no debootstrap (apt-get install debootstrap)"; exit 2; }
deb=$(cd "$(dirname "$deb")" && pwd)/$(basename "$deb")
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
mirror=${TETHER_DEB12_MIRROR:-http://deb.debian.org/debian}
major=$(dpkg-deb -f "$deb" Version | sed -n 's/.*+llvm\([0-9][0-9]*\)$/\1/p')
[ -n "$major" ] || { echo "FAIL: $deb: version has no +llvmN"; exit 2; }

top=$(mktemp -d /tmp/tether-deb12.XXXXXX)
root=$top/root
log=$top/log
failed=0

# Undo the mounts (deepest first); delete the root only when none is left, so
# that rm can never reach the host's /dev, /proc or /sys.
cleanup() {
  for m in $(awk -v r="$root/" 'index($2, r) == 1 { print $2 }' /proc/mounts | sort -r); do
    umount "$m" 2> /dev/null || umount -l "$m"
  done
  if awk -v r="$root/" 'index($2, r) == 1 { found = 1 } END { exit !found }' /proc/mounts; then
    echo "WARN: mounts left under $root; not deleting it"
  elif [ "${TETHER_DEB12_KEEP:-0}" = 1 ]; then
    echo "kept: $root (log: $log)"
  else
    rm -rf "$top"
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

say() { echo "$*"; echo "== $*" >> "$log"; }
pass() { echo "PASS: $*"; }
fail() { echo "FAIL: $*"; failed=1; }
# Runs a shell command inside the root with a clean environment; its output
# goes to the log and to $top/out, its exit status is returned.
in_root() {
  echo "\$ $*" >> "$log"
  chroot "$root" /usr/bin/env -i HOME=/root LANG=C.UTF-8 TERM=dumb \
    PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    DEBIAN_FRONTEND=noninteractive /bin/sh -c "cd /root/work 2>/dev/null; $*" \
    > "$top/out" 2>&1
  rc=$?
  cat "$top/out" >> "$log"
  echo "[exit $rc]" >> "$log"
  return $rc
}
has() { grep -qF -- "$1" "$top/out"; }
show() { sed 's/^/    /' "$top/out" | head -n "${1:-20}"; }
finish() {
  if [ $failed = 0 ]; then
    echo "PASS: $(basename "$deb") on a fresh Debian $(cat "$root/etc/debian_version" 2>/dev/null)"
    exit 0
  fi
  echo "---- log ($log) ----"; tail -n 200 "$log"
  exit 1
}

# ---- A fresh root -----------------------------------------------------------
mkdir -p "$root"
: > "$log"
if [ -n "${TETHER_DEB12_CACHE:-}" ] && [ -f "$TETHER_DEB12_CACHE" ]; then
  say "root: unpacking the pristine root $TETHER_DEB12_CACHE"
  tar -xpf "$TETHER_DEB12_CACHE" -C "$root" || { fail "unpacking $TETHER_DEB12_CACHE"; finish; }
else
  say "root: debootstrap --variant=minbase bookworm $root $mirror"
  debootstrap --variant=minbase bookworm "$root" "$mirror" >> "$log" 2>&1 \
    || { fail "debootstrap"; finish; }
  if [ -n "${TETHER_DEB12_CACHE:-}" ]; then
    tar -cpf "$TETHER_DEB12_CACHE" -C "$root" . && say "root: cached as $TETHER_DEB12_CACHE"
  fi
fi
security=$(echo "$mirror" | sed 's,/debian/*$,/debian-security,')
cat > "$root/etc/apt/sources.list" << EOF
deb $mirror bookworm main
deb $mirror bookworm-updates main
deb $security bookworm-security main
EOF
cp /etc/resolv.conf "$root/etc/resolv.conf" 2> /dev/null
for d in proc sys dev dev/pts; do
  mkdir -p "$root/$d" && mount --bind "/$d" "$root/$d" || { fail "mount --bind /$d"; finish; }
done
mkdir -p "$root/root/work"
pass "fresh root: Debian $(cat "$root/etc/debian_version"), $(chroot "$root" dpkg-query -W -f '.\n' | wc -l) packages"

# ---- Install: apt must pull in the LLVM packages by itself ----------------
cp "$deb" "$root/root/work/"
if in_root "apt-get update -q"; then pass "apt-get update"; else fail "apt-get update"; show; finish; fi
if in_root "apt-get install -y --no-install-recommends ./$(basename "$deb")"; then
  new=$(sed -n '/^The following NEW packages will be installed:/,/^[0-9]* upgraded/p' "$top/out" \
        | sed '1d;$d' | tr -s ' \n' ' ')
  pass "apt-get install ./$(basename "$deb") ($(echo "$new" | wc -w) new packages)"
  echo "    new packages:$new"
else
  fail "apt-get install ./$(basename "$deb")"; show 40; finish
fi
in_root "dpkg-query -W tether clang-tidy-$major libllvm$major libclang-cpp$major libclang-common-$major-dev python3"
show
for p in tether clang-tidy-$major libllvm$major libclang-cpp$major libclang-common-$major-dev; do
  grep -qE "^$p(:[a-z0-9]+)?[[:space:]]+[^[:space:]]" "$top/out" || fail "$p is not installed"
done

# Nothing installed may point into the tree the package was built from.
in_root "dpkg -L tether" && dpkg_list=$(cat "$top/out")
leaks=""
for f in $dpkg_list; do
  [ -f "$root$f" ] && grep -qF "$repo" "$root$f" && leaks="$leaks $f"
done
if [ -z "$leaks" ]; then pass "no installed file names $repo"; else fail "files name the build tree $repo:$leaks"; fi

plugin=$(echo "$dpkg_list" | grep '/TetherTidyModule\.so$' | head -n 1)

# ---- The checks on one file ---------------------------------------------------
cat > "$root/root/work/detached.cpp" << 'EOF'
#include <thread>

void work();

void fireAndForget() {
  std::thread(work).detach();
}
EOF
want="detached.cpp:6:21: warning: temporary thread is detached"
if in_root "tether-tidy --checks='-*,tether-*' detached.cpp -- -std=c++20" \
   && has "$want" && has "[tether-detached-thread]" && ! has "error:"; then
  pass "tether-tidy --checks='-*,tether-*' detached.cpp -- -std=c++20"
else
  fail "tether-tidy on detached.cpp (exit $rc)"
fi
show 8

if [ -z "$plugin" ]; then
  fail "no TetherTidyModule.so in the package"
elif in_root "clang-tidy-$major -load=$plugin --checks='-*,tether-*' detached.cpp -- -std=c++20" \
   && has "$want" && has "[tether-detached-thread]" && ! has "error:"; then
  pass "clang-tidy-$major -load=$plugin --checks='-*,tether-*' detached.cpp"
else
  fail "clang-tidy-$major -load=$plugin on detached.cpp (exit $rc)"
fi
show 8

if echo "$dpkg_list" | grep -q '^/usr/bin/tether-clangd$'; then
  echo "-std=c++20" > "$root/root/work/compile_flags.txt"
  if in_root "tether-clangd --check=detached.cpp" && ! has "error:"; then
    pass "tether-clangd --check=detached.cpp"
  else
    fail "tether-clangd --check=detached.cpp (exit $rc)"
  fi
  grep -E 'Loaded compilation database|All checks completed|[0-9]+ errors' "$top/out" | head -n 5 | sed 's/^/    /'
  rm -f "$root/root/work/compile_flags.txt"
  # clangd --check prints no clang-tidy warnings: the editor's view needs a
  # real LSP session (test/clangd/lsp-session.py, with the mock headers).
  if [ -f "$repo/test/clangd/lsp-session.py" ]; then
    mkdir -p "$root/root/work/lsp"
    cp "$repo/test/clangd/lsp-session.py" "$root/root/work/lsp/"
    cp -r "$repo/test/checks/Inputs" "$root/root/work/lsp/Inputs"
    if in_root "python3 lsp/lsp-session.py --clangd /usr/bin/tether-clangd --inputs lsp/Inputs --timeout 90"; then
      pass "tether-clangd LSP session publishes tether-detached-thread"
    else
      fail "tether-clangd LSP session (exit $rc)"
    fi
    show 5
  fi
else
  echo "SKIP: tether-clangd is not in the package"
fi

# ---- A CMake project, and the runtime ------------------------------------------
if in_root "apt-get install -y --no-install-recommends cmake make g++ pkg-config"; then
  pass "apt-get install cmake make g++ pkg-config"
else
  fail "apt-get install cmake make g++ pkg-config"; show 20
fi

cp -r "$here/project" "$root/root/work/project"
if in_root "cmake -S project -B project/build" && [ -f "$root/root/work/project/build/compile_commands.json" ]; then
  pass "cmake -S project -B project/build (compile_commands.json)"
else
  fail "configuring test/integration/project"; show 20
fi
in_root "tether-lint -j 1 --progress never project/build"
if [ $rc = 1 ] && has "fire.cpp:6:21: warning: temporary thread is detached"; then
  pass "tether-lint project/build (exit 1, the detached thread)"
else
  fail "tether-lint project/build (exit $rc, want 1 and the detached thread)"
fi
show 8
# SARIF: the rules' help links are the installed check pages.
cat > "$root/root/work/sarif.py" << 'EOF'
import json, os, sys
run = json.load(open(sys.argv[1]))["runs"][0]
driver = run["tool"]["driver"]
missing = [r["helpUri"] for r in driver["rules"] if not r["helpUri"].startswith("file://")
           or not os.path.exists(r["helpUri"][len("file://"):])]
print(driver["name"], driver["version"], [x["ruleId"] for x in run["results"]],
      "%d rules, help pages missing: %s" % (len(driver["rules"]), missing or "none"))
sys.exit(1 if missing or not run["results"] else 0)
EOF
in_root "tether-lint -j 1 --progress never --format sarif --output lint.sarif project/build; \
  [ \$? = 1 ] && python3 sarif.py lint.sarif"
if [ $rc = 0 ] && has "tether-detached-thread"; then
  pass "tether-lint --format sarif (help pages under /usr/share/doc/tether)"
else
  fail "tether-lint --format sarif (exit $rc)"
fi
show 3
# git is optional: only --diff needs it, and says so in one line (exit 2).
if ! in_root "command -v git"; then
  in_root "tether-lint --diff HEAD project/build"
  if [ $rc = 2 ] && has "git"; then
    pass "tether-lint --diff without git: exit 2, one line"
  else
    fail "tether-lint --diff without git (exit $rc, want 2)"
  fi
  show 2
fi

mkdir -p "$root/root/work/consumer"
cat > "$root/root/work/consumer/main.cpp" << 'EOF'
#include <tether/tether.h>

#include <cstdio>

int main() {
  tether::Group g;
  tether::Channel<int> ch(3);
  for (int i = 1; i <= 3; ++i)
    g.go([&ch, i](const tether::Context& ctx) -> std::error_code {
      if (ch.send(ctx, i) != tether::ChannelStatus::ok) return ctx.err();
      return {};
    });
  std::error_code ec = g.wait();
  ch.close();
  int sum = 0;
  for (int v : ch) sum += v;
  std::printf("tether runtime: sum=%d wait=%s\n", sum, ec ? ec.message().c_str() : "ok");
  return sum == 6 && !ec ? 0 : 1;
}
EOF
cat > "$root/root/work/consumer/CMakeLists.txt" << 'EOF'
cmake_minimum_required(VERSION 3.20)
project(consumer LANGUAGES CXX)
find_package(tether REQUIRED)
add_executable(consumer main.cpp)
target_compile_features(consumer PRIVATE cxx_std_20)
target_link_libraries(consumer PRIVATE tether::runtime)
EOF
if in_root "cmake -S consumer -B consumer/build && cmake --build consumer/build && ./consumer/build/consumer" \
   && has "tether runtime: sum=6 wait=ok"; then
  pass "find_package(tether) consumer builds and runs (g++)"
else
  fail "find_package(tether) consumer (exit $rc)"
fi
grep -E 'tether_DIR|tether runtime|error' "$top/out" | head -n 5 | sed 's/^/    /'
in_root "grep -h '^tether_DIR' consumer/build/CMakeCache.txt"; show 1

if in_root "pkg-config --cflags --libs tether && g++ -std=c++20 consumer/main.cpp \$(pkg-config --cflags --libs tether) -o consumer/pc && ./consumer/pc" \
   && has "tether runtime: sum=6 wait=ok"; then
  pass "pkg-config --cflags --libs tether: builds and runs (g++)"
else
  fail "pkg-config tether consumer (exit $rc)"
fi
show 3
if in_root "command -v clang++-$major && clang++-$major -std=c++20 consumer/main.cpp \$(pkg-config --cflags --libs tether) -o consumer/pc-clang && ./consumer/pc-clang" \
   && has "tether runtime: sum=6 wait=ok"; then
  pass "pkg-config tether consumer builds and runs (clang++-$major)"
else
  fail "pkg-config tether consumer with clang++-$major (exit $rc)"
fi
show 3

# ---- Removal leaves nothing behind ------------------------------------------
if in_root "apt-get remove -y tether" && ! ls "$root"/usr/bin/tether-* > /dev/null 2>&1 \
   && [ ! -e "$root/usr/lib/tether" ]; then
  pass "apt-get remove tether"
else
  fail "apt-get remove tether (exit $rc)"
fi
finish
