#!/usr/bin/env bash
# mpi_scaling.sh: strong scaling of `mpirun -np R logreg train` (R = 1, 2 by default) on the
# Fashion-MNIST training images: full-batch L-BFGS for a fixed number of iterations (--tol 1e-30
# keeps it from stopping early), so every R does the same evaluations. Prints, per R and run,
# the training seconds (--json's "seconds": set-up after reading, and the iterations) and the
# wall seconds (reading and preparing the whole file on every rank included), then the medians.
# Columns of the run lines: R, run, training s, wall s, evaluations, objective, and the CPU
# seconds (user + sys, /usr/bin/time) of the busiest rank: reading and preparing included.
# usage: bench/mpi_scaling.sh path/to/logreg [device] [iterations] [runs] [ranks...]
set -euo pipefail
LOGREG=$(realpath "${1:?usage: mpi_scaling.sh path/to/logreg [device] [iters] [runs] [ranks...]}")
DEV=${2:-cpu}
IT=${3:-30}
RUNS=${4:-3}
shift $(($# < 4 ? $# : 4))
RANKS=("${@:-1 2}")
[ $# -eq 0 ] && RANKS=(1 2)
F=${LOGREG_FASHION_DIR:-/usr/share/datasets/fashion-mnist}
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cmd=(train "$F/train-images-idx3-ubyte.gz" --labels "$F/train-labels-idx1-ubyte.gz"
     --optimizer lbfgs --epochs "$IT" --tol 1e-30 --device "$DEV" --json --quiet
     --model "$tmp/m.json")
echo "command: mpirun -np R --oversubscribe $LOGREG ${cmd[*]}"
# Interleaved (1, 2, 1, 2, ...), so that a change in the machine's load touches every R alike.
for i in $(seq "$RUNS"); do
  echo "run $i: load average $(cut -d' ' -f1-3 /proc/loadavg)"
  for r in "${RANKS[@]}"; do
    t0=$(date +%s.%N)
    mpirun -np "$r" --oversubscribe /usr/bin/time -f "cpu %U %S" "$LOGREG" "${cmd[@]}" \
      > "$tmp/o.json" 2> "$tmp/err" || { cat "$tmp/err" >&2; exit 1; }
    t1=$(date +%s.%N)
    python3 - "$tmp/o.json" "$r" "$i" "$t0" "$t1" "$tmp/err" <<'PY' | tee -a "$tmp/rows"
import json, sys
j = json.load(open(sys.argv[1]))
# The largest CPU time (user + sys) of one rank: the wall time that rank would need on a core
# of its own, which the machine's other load does not change as much as the wall time.
cpu = max(float(l.split()[1]) + float(l.split()[2]) for l in open(sys.argv[6]) if l.startswith("cpu "))
print(sys.argv[2], sys.argv[3], j['seconds'], float(sys.argv[5]) - float(sys.argv[4]),
      j['evaluations'], repr(j['objective']), cpu)
PY
  done
done
python3 - "$tmp/rows" <<'PY'
import statistics, sys
rows = [l.split() for l in open(sys.argv[1])]
base = None
for r in sorted({int(x[0]) for x in rows}):
    s = statistics.median(float(x[2]) for x in rows if int(x[0]) == r)
    w = statistics.median(float(x[3]) for x in rows if int(x[0]) == r)
    ev = [x[4] for x in rows if int(x[0]) == r][0]
    c = statistics.median(float(x[6]) for x in rows if int(x[0]) == r)
    base = base or (s, w, c)
    print(f"R={r}: median training {s:.3f} s (speed-up {base[0]/s:.2f}), median wall {w:.3f} s "
          f"(speed-up {base[1]/w:.2f}), median CPU s of the busiest rank {c:.3f} (speed-up "
          f"{base[2]/c:.2f}), {ev} evaluations")
PY
