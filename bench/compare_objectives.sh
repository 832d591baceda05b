#!/usr/bin/env bash
# compare_objectives.sh OLD_LOGREG NEW_LOGREG [DEVICES]: the final objective of every optimizer
# on tumors and breast-cancer-wisconsin (50 epochs, --l2 1e-3, all rows), from two builds of
# logreg, side by side with their relative difference: a refactoring of the solvers or the
# backends must leave it at the rounding level (issue 11: within 1e-12 on cpu, the parity bounds
# on a float32 device). DEVICES defaults to "cpu opencl". An optimizer that a build refuses (one
# the old build does not have yet) shows "-" for that build. A device may be named per build as
# OLD=NEW: builds before the native cpu backend (2026-12-07) call the reference "cpu", so
# "cpu=reference" compares the reference across that change.
set -euo pipefail
old=$(realpath "$1") new=$(realpath "$2") devs=${3:-cpu opencl}
D=$(cd "$(dirname "$0")/../../shared/data" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
run() { # binary, then train arguments: prints "objective epochs", or "- -" when it refuses
  local bin=$1 out
  shift
  if out=$("$bin" train "$@" --quiet --json --model m.json 2> err); then
    python3 -c 'import json,sys; d=json.load(sys.stdin); print(repr(d["objective"]), d["epochs"])' \
      <<< "$out"
  elif grep -q -- '--optimizer: ".*" is not one of' err; then
    echo "- -"
  else
    cat err >&2
    return 1
  fi
}
echo "| device | data | optimizer | old J | new J | rel. diff | epochs old/new |"
echo "|---|---|---|---:|---:|---:|---:|"
for dev in $devs; do
  for data in "tumors.csv" "breast-cancer-wisconsin.data --no-header --target 10 --drop 0"; do
    for opt in "gd" "sgd --batch-size 32" "momentum --batch-size 32" \
               "momentum --nesterov --batch-size 32" "adam --batch-size 64" "adam" "lbfgs" \
               "newton" "adagrad --batch-size 32" "adagrad --lr 0.1"; do
      # shellcheck disable=SC2086
      set -- $data
      file=$1
      shift
      args=("$D/$file" "$@" --optimizer $opt --epochs 50 --l2 0.001 --split 1,0,0)
      read -r a ea <<< "$(run "$old" "${args[@]}" --device "${dev%%=*}")"
      read -r b eb <<< "$(run "$new" "${args[@]}" --device "${dev##*=}")"
      python3 -c "a, b = '$a', '$b'
rel = '%.1e' % (abs(float(a) - float(b)) / abs(float(a))) if '-' not in (a, b) else '-'
print('| $dev | ${file%%.*} | $opt | %s | %s | %s | $ea/$eb |' % (a, b, rel))"
    done
  done
done
