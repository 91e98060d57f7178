#!/bin/sh
# make-db.sh OUT_DIR INPUTS_DIR COMPILER: a compile_commands.json for omp.cpp
# as CMake writes it for COMPILER with -fopenmp and GCC-only flags.
out=$1; inputs=$2; cxx=$3
mkdir -p "$out"
cat > "$out/compile_commands.json" <<JSON
[{"directory": "$out", "file": "$inputs/omp.cpp",
  "command": "$cxx -std=c++20 -fopenmp -O2 -fno-tree-vrp -fconcepts-diagnostics-depth=2 -Wno-maybe-uninitialized -isystem $inputs/.. -c $inputs/omp.cpp -o omp.o"}]
JSON
