#!/usr/bin/env bash
# cli_valgrind.sh: valgrind memcheck over one end-to-end run on the cpu backend: train on
# tumors (mini-batch Adam, with a history file), predict with probabilities, eval. Any invalid
# read or write, use of uninitialised memory, bad free or leak (definite, indirect or possible)
# fails the test; there are no suppressions, because with --device cpu logreg never calls into
# OpenCL (the ICD loader is linked but no platform is ever loaded, which this test checks).
# Skips (77) when valgrind or ../shared is absent, and in the sanitizer build (valgrind cannot
# run an ASan binary).
. "$(dirname "$0")/lib.sh"
need_shared tumors.csv
if [ -n "${LOGREG_SANITIZER_BUILD:-}" ]; then
  echo "SKIP: sanitizer build: valgrind cannot run AddressSanitizer binaries" >&2
  exit 77
fi
command -v valgrind > /dev/null || { echo "SKIP: valgrind not installed" >&2; exit 77; }
cd "$WORK" || exit 1
DATA="$SHARED/data/tumors.csv"

# vg NAME logreg-args...: runs logreg under memcheck; its own exit status must be 0 and
# memcheck must find nothing (exit 99 is memcheck's).
vg() {
  local name=$1; shift
  valgrind --error-exitcode=99 --leak-check=full --show-leak-kinds=definite,indirect,possible \
    --errors-for-leak-kinds=definite,indirect,possible --track-origins=yes -q \
    --log-file="vg-$name.log" "$LOGREG" "$@" > "out-$name.txt" 2> "err-$name.txt"
  local rc=$?
  if [ "$rc" -eq 99 ] || [ -s "vg-$name.log" ]; then
    fail "$name: valgrind reported errors:"
    cat "vg-$name.log" >&2
  elif [ "$rc" -ne 0 ]; then
    fail "$name: exit status $rc: $(cat "err-$name.txt")"
  else
    pass "$name: memcheck clean"
  fi
}

vg train train "$DATA" --device cpu --optimizer adam --batch-size 64 --epochs 20 --quiet \
  --model m.json --history h.csv
vg predict predict --model m.json "$DATA" --proba -o p.csv
vg eval eval --model m.json "$DATA" --json
[ "$(wc -l < p.csv)" -eq 1001 ] || fail "predict wrote $(wc -l < p.csv) lines, expected 1001"
ge "$(json out-eval.txt 'j["accuracy"]')" 0.9 || fail "eval accuracy below 0.9"

# --device cpu must not load an OpenCL platform (PoCL) at all: glibc's loader lists every
# library it opens.
LD_DEBUG=files "$LOGREG" train "$DATA" --device cpu --epochs 2 --quiet --model m2.json \
  > /dev/null 2> ld.txt
if grep -qE 'file=[^ ]*(pocl|LLVM)' ld.txt; then
  fail "--device cpu loaded an OpenCL platform: $(grep -oE 'file=[^ ]*(pocl|LLVM)[^ ]*' ld.txt | sort -u | tr '\n' ' ')"
else
  pass "--device cpu loads no OpenCL platform"
fi
finish
