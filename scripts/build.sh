#!/usr/bin/env bash
# build.sh: configures and builds logreg (library, CLI, tests) in ./build with warnings as
# errors. Extra arguments go to cmake's configure step.
set -euo pipefail
cd "$(dirname "$0")/.."
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DLOGREG_WERROR=ON "$@" >/dev/null
cmake --build build -j "$(nproc)"
