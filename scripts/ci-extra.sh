#!/usr/bin/env bash
# ci-extra.sh: the reliability half of CI, run by .ci/run after scripts/test.sh:
#   1. the whole CTest suite built with AddressSanitizer + UndefinedBehaviorSanitizer (GCC,
#      LOGREG_SANITIZE=ON) in build-asan: any report, leak included, fails its test;
#   2. the libFuzzer targets (clang, LOGREG_FUZZ=ON) in build-fuzz, each run for a bounded time
#      (LOGREG_FUZZ_SECONDS, 30 by default) on its seed corpus by `ctest -L fuzz`.
# Installs what is missing first (scripts/deps.sh lists clang and libclang-rt-14-dev).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh
jobs=$(nproc)
fuzz_seconds=${LOGREG_FUZZ_SECONDS:-30}

echo "== sanitizers: build-asan (-fsanitize=address,undefined)"
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DLOGREG_WERROR=ON \
  -DLOGREG_SANITIZE=ON > /dev/null
cmake --build build-asan -j "$jobs"
(cd build-asan && ctest --output-on-failure -j "$jobs")

echo "== fuzzing: build-fuzz (clang, libFuzzer, ${fuzz_seconds}s per target)"
cmake -S . -B build-fuzz -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DLOGREG_WERROR=ON -DLOGREG_FUZZ=ON -DLOGREG_FUZZ_SECONDS="$fuzz_seconds" > /dev/null
cmake --build build-fuzz -j "$jobs" --target logreg_fuzzers
(cd build-fuzz && ctest --output-on-failure -j "$jobs" -L fuzz)
