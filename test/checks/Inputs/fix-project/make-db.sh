#!/bin/sh
# make-db.sh DIR MOCKS FILE...: DIR/compile_commands.json for the FILEs of DIR,
# compiled with the mock headers in MOCKS (absolute paths: clang-tidy 19 drops
# warnings in a header reached through a relative path when run elsewhere).
dir=$1; mocks=$2; shift 2
{
  echo "["
  sep=""
  for f in "$@"; do
    printf '%s{"directory": "%s", "file": "%s", "command": "clang++ -std=c++20 -isystem %s -c %s"}\n' \
      "$sep" "$dir" "$dir/$f" "$mocks" "$dir/$f"
    sep=","
  done
  echo "]"
} > "$dir/compile_commands.json"
