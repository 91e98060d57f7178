#!/bin/sh
# make-db.sh OUT_DIR INPUTS_DIR FILE...: writes OUT_DIR/compile_commands.json
# listing each FILE (relative to INPUTS_DIR), compiled with the mock headers.
out=$1; inputs=$2; shift 2
mkdir -p "$out"
{
  echo "["
  sep=""
  for f in "$@"; do
    printf '%s{"directory": "%s", "file": "%s/%s", "command": "clang++ -std=c++20 -isystem %s -c %s/%s"}\n' \
      "$sep" "$out" "$inputs" "$f" "$inputs/.." "$inputs" "$f"
    sep=","
  done
  echo "]"
} > "$out/compile_commands.json"
