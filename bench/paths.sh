#!/usr/bin/env bash
# paths.sh: `logreg bench --gemm auto` against every path it chooses from, on the README's three
# shapes (Fashion-MNIST's 60000 x 784 x 10, 1,000,000 x 32 x 2, 200,000 x 256 x 10), one device,
# one run: the acceptance check "auto within 10% of the best path". auto measures afresh
# (LOGREG_PATH_CACHE empty). Prints a markdown table (median ms per epoch) on stdout.
# Usage: bash bench/paths.sh [path/to/logreg] [device] [epochs]
set -euo pipefail
LOGREG=${1:-build/logreg}
DEV=${2:-opencl}
EPOCHS=${3:-5}
export LOGREG_PATH_CACHE=
FM=/usr/share/datasets/fashion-mnist
shapes=("fmnist" "1000000 32 2" "200000 256 10")
echo "| shape | auto (chose) | tiled | fused | own | clblast | auto / best |"
echo "|---|---:|---:|---:|---:|---:|---:|"
for sh in "${shapes[@]}"; do
  if [ "$sh" = fmnist ]; then
    args=(--data "$FM/train-images-idx3-ubyte.gz" --labels "$FM/train-labels-idx1-ubyte.gz")
    name="Fashion-MNIST 60000 x 784 x 10"
  else
    read -r n d k <<< "$sh"
    args=(--rows "$n" --features "$d" --classes "$k")
    name="$n x $d x $k"
  fi
  declare -A ms=()
  chose=""
  for mode in auto tiled fused own clblast; do
    out=$("$LOGREG" bench "${args[@]}" --device "$DEV" --gemm "$mode" --epochs "$EPOCHS" --json \
      2> /dev/null | head -1) || out=""
    if [ -n "$out" ]; then
      ms[$mode]=$(python3 -c 'import json,sys; print("%.1f" % json.loads(sys.argv[1])["ms_per_epoch_median"])' "$out")
      [ "$mode" = auto ] && chose=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["gemm"]["path"])' "$out")
    else
      ms[$mode]="fails"
    fi
  done
  ratio=$(python3 -c '
import sys
v = [float(x) for x in sys.argv[2:] if x != "fails"]
print("%.2f" % (float(sys.argv[1]) / min(v)))' "${ms[auto]}" "${ms[tiled]}" "${ms[fused]}" "${ms[own]}" "${ms[clblast]}")
  echo "| $name | ${ms[auto]} ($chose) | ${ms[tiled]} | ${ms[fused]} | ${ms[own]} | ${ms[clblast]} | $ratio |"
done
