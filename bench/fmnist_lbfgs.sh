#!/usr/bin/env bash
# fmnist_lbfgs.sh: Fashion-MNIST to scikit-learn's 100-iteration L-BFGS objective, in one run:
# logreg on the cpu reference, logreg on the OpenCL device, and scikit-learn's
# LogisticRegression(C=1, max_iter=100) (bench/sklearn_fmnist.py), all on the 60000 training
# rows (lambda = 1/(C N) = 1.6667e-5), tested on the 10000 test rows. Prints two Markdown
# tables: the fits, and the time each logreg run took to reach scikit-learn's objective J (the
# `seconds` column of its --history at the first epoch whose objective <= J), with the ratio to
# scikit-learn's fit time.
set -euo pipefail
cd "$(dirname "$0")/.."
fm=/usr/share/datasets/fashion-mnist
[ -x ./build/logreg ] || { echo "fmnist_lbfgs.sh: ./build/logreg missing: run scripts/build.sh" >&2; exit 1; }
[ -f "$fm/train-images-idx3-ubyte.gz" ] ||
  { echo "fmnist_lbfgs.sh: $fm missing: apt-get install dataset-fashion-mnist" >&2; exit 1; }
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
threads=$(nproc)
devs=(cpu opencl)
for dev in "${devs[@]}"; do
  ./build/logreg train "$fm/train-images-idx3-ubyte.gz" --labels "$fm/train-labels-idx1-ubyte.gz" \
    --test "$fm/t10k-images-idx3-ubyte.gz" --test-labels "$fm/t10k-labels-idx1-ubyte.gz" \
    --split 1,0,0 --optimizer lbfgs --l2 1.6667e-5 --epochs 100 --device "$dev" --quiet --json \
    --model "$out/m.json" --history "$out/$dev-history.csv" > "$out/$dev.json"
done
OMP_NUM_THREADS=$threads OPENBLAS_NUM_THREADS=$threads /usr/bin/python3 bench/sklearn_fmnist.py \
  > "$out/sk.json" 2> "$out/sk.err" ||
  { echo "fmnist_lbfgs.sh: bench/sklearn_fmnist.py failed:" >&2; cat "$out/sk.err" >&2; exit 1; }
python3 - "$out" "$threads" "${devs[@]}" <<'EOF'
import csv, json, sys
out, threads, devs = sys.argv[1], sys.argv[2], sys.argv[3:]
sk = json.load(open(f"{out}/sk.json"))
print("| run | fit seconds | objective J | iterations | test accuracy |")
print("|---|---:|---:|---:|---:|")
for dev in devs:
    j = json.load(open(f"{out}/{dev}.json"))
    print(f"| logreg --device {dev} | {j['seconds']:.1f} | {j['objective']:.6f} | {j['epochs']} "
          f"| {j['test']['accuracy']:.4f} |")
print(f"| scikit-learn lbfgs ({threads} threads) | {sk['fit_seconds']:.1f} | {sk['objective']:.6f} "
      f"| {sk['iterations']} | {sk['test_accuracy']:.4f} |")
print()
J = sk["objective"]
print(f"Time for logreg to reach scikit-learn's 100-iteration objective J = {J:.6f} "
      f"(scikit-learn's fit: {sk['fit_seconds']:.1f} s):")
print()
print("| run | first epoch with objective <= J | its objective | seconds (history) "
      "| / scikit-learn fit time |")
print("|---|---:|---:|---:|---:|")
for dev in devs:
    hit = None
    with open(f"{out}/{dev}-history.csv") as f:
        for r in csv.DictReader(f):
            if float(r["objective"]) <= J:
                hit = r
                break
    if hit is None:
        print(f"| logreg --device {dev} | not reached in 100 | | | |")
    else:
        s = float(hit["seconds"])
        print(f"| logreg --device {dev} | {hit['epoch']} | {float(hit['objective']):.6f} | {s:.1f} "
              f"| {s / sk['fit_seconds']:.2f} |")
EOF
