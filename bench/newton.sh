#!/usr/bin/env bash
# newton.sh: passes over X that --optimizer newton and lbfgs need to come within 1e-6 and 1e-8
# (relative) of scikit-learn's optimum J*, on cpu and on the OpenCL device, at C = 1
# (lambda = 1/(C N)), measured with build/logreg_passes (bench/passes.c, the public trainer
# API). A pass is one full-batch evaluation or one Hessian-vector product: each reads X once on
# the cpu reference and on the fused and tiled device paths. J* for tumors and
# breast-cancer-wisconsin comes from tests/ref/optimum_refs.py (scikit-learn polished by Newton
# in double), as for Fashion-MNIST's T-shirt vs Shirt (12000 x 784, binary: test_optimum's
# case), which runs on the OpenCL device only (FASHION_CPU=1 adds the cpu reference). Prints a
# Markdown table.
set -euo pipefail
cd "$(dirname "$0")/.."
P=./build/logreg_passes
[ -x $P ] || { echo "newton.sh: $P missing: run scripts/build.sh" >&2; exit 1; }
S=../shared/data
fm=/usr/share/datasets/fashion-mnist
devs="cpu"
./build/logreg devices 2>/dev/null | grep -q '^opencl:' && devs="cpu opencl"
cases=()
[ -f $S/tumors.csv ] && cases+=("tumors.csv|$S/tumors.csv|0.0695705074827313|target=tumor_class")
[ -f $S/breast-cancer-wisconsin.data ] &&
  cases+=("breast-cancer-wisconsin|$S/breast-cancer-wisconsin.data|0.0836195023483367|target=10 drop=0 noheader"
          "breast-cancer-wisconsin --binary|$S/breast-cancer-wisconsin.data|0.0860597174020408|target=10 drop=0 noheader binary")
if [ -f $fm/train-images-idx3-ubyte.gz ]; then
  cases+=("Fashion-MNIST T-shirt vs Shirt --binary|$fm/train-images-idx3-ubyte.gz|0.276498871421071|labels=$fm/train-labels-idx1-ubyte.gz classes=0,6 binary")
fi
echo "| data | device | solver | passes to 1e-6 | passes to 1e-8 | iterations to 1e-8 | evaluations + Hv products | seconds to 1e-8 | final rel. diff |"
echo "|---|---|---|---:|---:|---:|---:|---:|---:|"
for c in "${cases[@]}"; do
  IFS='|' read -r name file jstar opts <<< "$c"
  for dev in $devs; do
    [[ $name == Fashion* && $dev == cpu && -z ${FASHION_CPU:-} ]] && continue
    for solver in lbfgs newton; do
      # shellcheck disable=SC2086
      $P "$file" "$jstar" $solver $dev 1 ${EPOCHS:-1500} $opts | python3 -c "
import json, sys
d = json.load(sys.stdin)
n = lambda v: '-' if v < 0 else str(v)
print(f\"| $name | $dev | $solver | {n(d['passes_1e-6'])} | {n(d['passes_1e-8'])} | {n(d['epochs_1e-8'])} \"
      f\"| {d['evaluations']} + {d['hv_products']} | {d['seconds_1e-8']:.2f} | {d['rel']:.1e} |\")"
    done
  done
done
