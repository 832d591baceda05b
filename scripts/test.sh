#!/usr/bin/env bash
# test.sh: the README's second command: install what is missing, build, run the whole CTest
# suite. Real-data tests use ../shared/data when it is there and skip visibly when not.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh
bash scripts/build.sh
cd build
ctest --output-on-failure -j "$(nproc)"
