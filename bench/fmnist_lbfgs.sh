#!/usr/bin/env bash
# fmnist_lbfgs.sh: Fashion-MNIST to scikit-learn's 100-iteration L-BFGS objective, in one run:
# logreg on the cpu reference, logreg on the OpenCL device, and scikit-learn's
# LogisticRegression(C=1, max_iter=100) (bench/sklearn_fmnist.py), all on the 60000 training
# rows (lambda = 1/(C N) = 1.6667e-5), tested on the 10000 test rows. Prints a Markdown table.
set -euo pipefail
cd "$(dirname "$0")/.."
fm=/usr/share/datasets/fashion-mnist
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
threads=$(nproc)
row() { python3 -c "
import json, sys
j = json.load(open(sys.argv[1]))
if 'tool' in j:
    print(f\"| scikit-learn {sys.argv[2]} | {j['fit_seconds']:.1f} | {j['objective']:.6f} | {j['iterations']} | {j['test_accuracy']:.4f} |\")
else:
    print(f\"| logreg {sys.argv[2]} | {j['seconds']:.1f} | {j['objective']:.6f} | {j['epochs']} | {j['test']['accuracy']:.4f} |\")
" "$1" "$2"; }
echo "| run | fit seconds | objective J | iterations | test accuracy |"
echo "|---|---:|---:|---:|---:|"
for dev in cpu opencl; do
  ./build/logreg train "$fm/train-images-idx3-ubyte.gz" --labels "$fm/train-labels-idx1-ubyte.gz" \
    --test "$fm/t10k-images-idx3-ubyte.gz" --test-labels "$fm/t10k-labels-idx1-ubyte.gz" \
    --split 1,0,0 --optimizer lbfgs --l2 1.6667e-5 --epochs 100 --device $dev --quiet --json \
    --model "$out/m.json" > "$out/$dev.json"
  row "$out/$dev.json" "--device $dev"
done
OMP_NUM_THREADS=$threads OPENBLAS_NUM_THREADS=$threads /usr/bin/python3 bench/sklearn_fmnist.py \
  > "$out/sk.json" 2> /dev/null
row "$out/sk.json" "lbfgs ($threads threads)"
