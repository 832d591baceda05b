#!/usr/bin/env bash
# install.sh: `cmake --install` into a fresh prefix P, and logreg used from there as a user and a
# C programmer would, in a folder outside the source and build trees (under /tmp).
#   $1 the built logreg, $2 the build folder, $3 the built logreg_example (docs/example.c
#   linked in the tree). LOGREG_CMAKE, LOGREG_CC: the cmake and the C compiler of this build.
# Checks: every file the install promises is there; P/bin/logreg runs (--version agrees with
# pkg-config's version), trains on cpu and, with an OpenCL device, on it (the kernels are
# embedded: nothing is read from the source tree); `man -w logreg` finds P's page; docs/example.c
# built against P three ways (pkg-config and liblogreg.so; pkg-config --static and liblogreg.a;
# a CMake project with find_package(logreg) and logreg::logreg) prints what the in-tree example
# prints on the same data, and the two shared builds load P's liblogreg.so.0.
# Without man or an OpenCL device those checks are left out and the test ends as a skip (77)
# after all the others ran; a failure still fails.
. "$(dirname "$0")/lib.sh"
BUILD=${2:?usage: install.sh logreg build/ logreg_example}
EXAMPLE_BIN=${3:?usage: install.sh logreg build/ logreg_example}
SRC=${LOGREG_SOURCE_DIR:?LOGREG_SOURCE_DIR: the source tree}
LOGREG=$(realpath "$LOGREG") BUILD=$(realpath "$BUILD") EXAMPLE_BIN=$(realpath "$EXAMPLE_BIN")
CMAKE=${LOGREG_CMAKE:-cmake}
CC=${LOGREG_CC:-cc}
unset LOGREG_KERNEL_DIR # the installed logreg must find its kernels on its own
# The prefix and the folder the programs run in: outside the source and build trees.
RUN=$(mktemp -d "${TMPDIR:-/tmp}/logreg-install.XXXXXX") || exit 1
trap 'rm -rf "$WORK" "$RUN"' EXIT
P=$RUN/prefix
skipped=()

"$CMAKE" --install "$BUILD" --prefix "$P" > "$WORK/install.log" 2>&1 \
  || { fail "cmake --install exited $?: $(tail -5 "$WORK/install.log")"; finish; }
missing=""
for f in bin/logreg lib/liblogreg.so lib/liblogreg.so.0 lib/liblogreg.a include/logreg.h \
  lib/pkgconfig/logreg.pc lib/cmake/logreg/logregConfig.cmake \
  lib/cmake/logreg/logregConfigVersion.cmake lib/cmake/logreg/logregTargets.cmake \
  share/man/man1/logreg.1; do
  [ -e "$P/$f" ] || missing="$missing $f"
done
[ -z "$missing" ] && pass "installed: bin, lib (.so, .a), include, pkgconfig, cmake, man" \
  || fail "not installed:$missing"
# Every header an installed header includes ("logreg_x.h") is installed beside it.
for h in "$P"/include/*.h; do
  while read -r inc; do
    [ -f "$P/include/$inc" ] || fail "$(basename "$h") includes $inc, not installed"
  done < <(sed -n 's/^#include "\(.*\)"/\1/p' "$h")
done
grep -aq "__kernel void" "$P/bin/logreg" && grep -aq "__kernel void" "$P/lib/liblogreg.so" \
  && pass "kernels embedded in bin/logreg and liblogreg.so" \
  || fail "installed files lack the kernels"

# The installed CLI, from a folder of its own.
mkdir -p "$RUN/run" && cd "$RUN/run" || exit 1
version=$("$P/bin/logreg" --version) || fail "logreg --version exited $?"
pcversion=$(PKG_CONFIG_PATH="$P/lib/pkgconfig" pkg-config --modversion logreg)
[ "$version" = "logreg $pcversion" ] && [ "$version" = "$("$LOGREG" --version)" ] \
  && pass "P/bin/logreg --version: $version (pkg-config: $pcversion)" \
  || fail "versions: '$version', pkg-config '$pcversion', built '$("$LOGREG" --version)'"
"$P/bin/logreg" --help | grep -q '^  train ' || fail "P/bin/logreg --help lists no train"
"$P/bin/logreg" gen tumors --rows 1000 -o tumors.csv > /dev/null 2>&1 || fail "gen exited $?"
train() { # train DEVICE: the summary in DEVICE.json
  "$P/bin/logreg" train tumors.csv --device "$1" --quiet --json --model "$1-model.json" \
    > "$1.json" 2> "$1.err" || { fail "train --device $1 exited $?: $(cat "$1.err")"; return 1; }
  acc=$(json "$1.json" "j['test']['accuracy']")
  ge "$acc" 0.9 && pass "P/bin/logreg trains on $1 from $PWD: test accuracy $acc" \
    || fail "--device $1: test accuracy $acc < 0.9"
}
train cpu
if "$P/bin/logreg" devices 2>&1 | grep -q '^opencl:[0-9]*:[0-9]'; then
  train opencl && [ "$(json opencl.json "j['backend']")" = opencl ] || fail "opencl: not on opencl"
else
  skipped+=("no OpenCL device: P/bin/logreg not trained on one")
fi

if command -v man > /dev/null; then
  page=$(MANPATH="$P/share/man" MAN_DISABLE_SECCOMP=1 man -w logreg 2>&1)
  [ "$page" = "$P/share/man/man1/logreg.1" ] && pass "man -w logreg: $page" || fail "man -w: $page"
  MANPATH="$P/share/man" MAN_DISABLE_SECCOMP=1 MANWIDTH=80 man logreg 2> /dev/null \
    | grep -q '^   logreg train$' && pass "man logreg renders" \
    || fail "man logreg: no 'logreg train'"
else
  skipped+=("man not installed (man-db): the page not looked up")
fi

# docs/example.c against P. What the in-tree example prints on the same data is the reference.
"$EXAMPLE_BIN" tumors.csv > want.txt 2>&1 || fail "in-tree example exited $?: $(cat want.txt)"
grep -q '^accuracy .* on 200 held-out rows$' want.txt || fail "in-tree example: $(cat want.txt)"
same() { # same NAME [ENV=...]: runs ./NAME on tumors.csv, its output must be want.txt's
  local name=$1
  shift
  env "$@" "./$name" tumors.csv > "$name.txt" 2>&1 || fail "$name exited $?: $(cat "$name.txt")"
  cmp -s want.txt "$name.txt" && pass "$name prints what the in-tree example prints" \
    || fail "$name differs: $(diff want.txt "$name.txt" | head -5)"
}
# loads LIB NAME [ENV=...]: the program's liblogreg.so.0 is P's.
loads() {
  local name=$1
  shift
  env "$@" ldd "./$name" | grep -q "liblogreg.so.0 => $P/lib/liblogreg.so.0 " \
    && pass "$name loads $P/lib/liblogreg.so.0" \
    || fail "$name: $(env "$@" ldd "./$name" | grep logreg)"
}
export PKG_CONFIG_PATH="$P/lib/pkgconfig"
flags=$(pkg-config --cflags --libs logreg) || fail "pkg-config --cflags --libs logreg failed"
read -r -a words <<< "$flags" && flags="${words[*]}" # without the blank pkgconf ends with
[ "$flags" = "-I$P/include -L$P/lib -llogreg" ] && pass "pkg-config: $flags" \
  || fail "pkg-config: $flags"
# shellcheck disable=SC2086 # the flags are words
"$CC" -std=c11 -Wall -Wextra -Werror "$SRC/docs/example.c" $flags -o ex_pkgconfig 2> cc.err \
  || fail "cc with pkg-config: $(cat cc.err)"
readelf -d ex_pkgconfig | grep -q 'NEEDED.*\[liblogreg.so.0\]' \
  || fail "ex_pkgconfig does not need liblogreg.so.0"
same ex_pkgconfig LD_LIBRARY_PATH="$P/lib"
loads ex_pkgconfig LD_LIBRARY_PATH="$P/lib"
# The static library with the flags of its dependencies (Libs.private); -l:liblogreg.a picks
# the archive where -llogreg would pick the shared library beside it.
static=$(pkg-config --static --libs logreg | sed 's/-llogreg\b/-l:liblogreg.a/')
# shellcheck disable=SC2046,SC2086
"$CC" -std=c11 "$SRC/docs/example.c" $(pkg-config --cflags logreg) $static -o ex_static 2> cc.err \
  || fail "cc with pkg-config --static: $(cat cc.err)"
readelf -d ex_static | grep -q 'liblogreg' && fail "ex_static needs liblogreg.so"
same ex_static
unset PKG_CONFIG_PATH

# A CMake project: find_package(logreg) and logreg::logreg; CMake puts P/lib in its RUNPATH.
# A version 1 logreg is not found (logregConfigVersion.cmake: within the major version).
mkdir -p consumer
cat > consumer/CMakeLists.txt << EOF
cmake_minimum_required(VERSION 3.18)
project(consumer C)
find_package(logreg 1 CONFIG QUIET)
if(logreg_FOUND)
  message(FATAL_ERROR "find_package(logreg 1) found version \${logreg_VERSION}")
endif()
find_package(logreg ${pcversion%%.*}.0 CONFIG REQUIRED)
message(STATUS "logreg \${logreg_VERSION} from \${logreg_DIR}")
add_executable(ex_cmake "$SRC/docs/example.c")
target_link_libraries(ex_cmake PRIVATE logreg::logreg)
EOF
if "$CMAKE" -S consumer -B consumer/build -DCMAKE_C_COMPILER="$CC" -DCMAKE_PREFIX_PATH="$P" \
  -DCMAKE_BUILD_TYPE=Release > cmake.log 2>&1 \
  && "$CMAKE" --build consumer/build >> cmake.log 2>&1; then
  grep -q "logreg $pcversion from $P/lib/cmake/logreg" cmake.log \
    && pass "find_package(logreg): $pcversion from $P/lib/cmake/logreg" \
    || fail "find_package found: $(grep 'logreg .* from' cmake.log)"
  cp consumer/build/ex_cmake .
  same ex_cmake
  loads ex_cmake
else
  fail "the CMake consumer: $(tail -15 cmake.log)"
fi

if [ ${#skipped[@]} -ne 0 ] && [ "$FAILS" -eq 0 ]; then
  printf 'SKIP: %s (every other check passed)\n' "${skipped[@]}" >&2
  exit 77
fi
finish
