#!/usr/bin/env bash
# stream.sh: epoch time of streamed against resident X (issue 15, phase 2) on one OpenCL device:
# full-batch gd on the 60000 Fashion-MNIST training images (--split 1,0,0: X = 60000 x 784
# floats = 188.2 MB), resident and with --device-memory at a quarter of X (47.04 MB: X streams
# from pinned host memory in chunks, bench/RESULTS.md), on the fused and the tiled path. Runs
# interleaved (resident, streamed, ...); the epoch time of a run is the mean of its epochs 2..E
# (--history's cumulative seconds: set-up and the first epoch left out); medians of RUNS runs.
# Then the transfer floor: X's bytes over the host-to-device bandwidth from pinned memory
# (build/logreg_h2d, bench/h2d.c).
# usage: bench/stream.sh path/to/build [epochs] [runs] [paths...]
set -euo pipefail
B=$(realpath "${1:?usage: stream.sh path/to/build [epochs] [runs] [paths...]}")
E=${2:-6}
RUNS=${3:-3}
shift $(($# < 3 ? $# : 3))
PATHS=("$@")
[ $# -eq 0 ] && PATHS=(fused tiled)
F=${LOGREG_FASHION_DIR:-/usr/share/datasets/fashion-mnist}
XB=$((60000 * 784 * 4))
LIMIT=$((XB / 4))
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cmd=(train "$F/train-images-idx3-ubyte.gz" --labels "$F/train-labels-idx1-ubyte.gz" --split 1,0,0
     --optimizer gd --lr 0.1 --epochs "$E" --device opencl --quiet --json --model "$tmp/m.json"
     --history "$tmp/h.csv")
echo "command: $B/logreg ${cmd[*]} --gemm PATH --device-memory 0|$LIMIT"
for i in $(seq "$RUNS"); do
  echo "run $i: load average $(cut -d' ' -f1-3 /proc/loadavg)"
  for path in "${PATHS[@]}"; do
    for lim in 0 "$LIMIT"; do
      "$B/logreg" "${cmd[@]}" --gemm "$path" --device-memory "$lim" > "$tmp/o.json"
      python3 - "$tmp/h.csv" "$tmp/o.json" "$path" "$lim" <<'PY' | tee -a "$tmp/rows"
import csv, json, sys
h = list(csv.DictReader(open(sys.argv[1])))
j = json.load(open(sys.argv[2]))
s = [float(r["seconds"]) for r in h]
ep = (s[-1] - s[0]) / (len(s) - 1)
mode = "streamed" if "streamed" in j["device"] else "resident"
print(sys.argv[3], mode, f"{ep * 1e3:.1f}", repr(j["objective"]))
PY
    done
  done
done
echo "epoch ms, median of $RUNS (runs):"
python3 - "$tmp/rows" <<'PY'
import statistics, sys
rows = [l.split() for l in open(sys.argv[1])]
med = {}
for path in dict.fromkeys(r[0] for r in rows):
    for mode in ("resident", "streamed"):
        v = [float(r[2]) for r in rows if r[0] == path and r[1] == mode]
        med[path, mode] = statistics.median(v)
        print(f"| {path} | {mode} | {', '.join(f'{x:.1f}' for x in v)} | {med[path, mode]:.1f} |")
    print(f"  {path}: streamed / resident = {med[path, 'streamed'] / med[path, 'resident']:.2f}")
PY
"$B/logreg_h2d" 64 9
