#!/usr/bin/env bash
# cli_refine.sh: L-BFGS on a float32 OpenCL device refines in double where float32 evaluations
# stop making progress (host/solve/opt_lbfgs.c, lbfgs_refine), so that every evaluation path
# reaches the optimum the CPU reference reaches. scikit-learn's digits (64 features, 10 classes, raw
# pixel values) at C = 1 with --penalty-scale raw and --tol 1e-13, beyond float32's reach: on each of
# the four paths (fused, tiled, own, clblast) the model's raw weights and intercepts are within
# 1e-6 (relative L2) of cpu's (measured on PoCL: 1.3e-8; breast cancer 2e-8), its device says "refined in double", and its intercepts sum to 0
# (softmax intercepts are defined up to a common constant; train.c keeps sum_c b_c = 0, where
# cpu's stay). Before refinement the paths stopped 1e-5 to 1e-4 apart on intercept_ (digits at
# C = 10 on PoCL). Also the binary row kernel: breast cancer, --binary, on the own path; and
# --json's refined_epoch and refined_seconds.
. "$(dirname "$0")/lib.sh"
cd "$WORK" || exit 1

"$LOGREG" devices > devices.txt 2>&1
grep -q '^opencl:[0-9]*:[0-9]*' devices.txt || { echo "SKIP: no OpenCL device" >&2; exit 77; }
# scikit-learn's data sets: Debian's python3 (python3-sklearn), as tests/python_package.sh.
PY=${LOGREG_PYTHON:-/usr/bin/python3}
[ -x "$PY" ] || PY=python3
"$PY" - <<'PY' || { echo "SKIP: $PY without scikit-learn" >&2; exit 77; }
import numpy as np
from sklearn.datasets import load_breast_cancer, load_digits
for name, load in (("digits", load_digits), ("bc", load_breast_cancer)):
    X, y = load(return_X_y=True)
    np.savetxt(name + ".csv", np.column_stack([X, y]), delimiter=",", fmt="%.17g")
PY

common=(--no-header --split 1,0,0 --penalty-scale raw --C 1 --tol 1e-13 --epochs 100000 --quiet)

# close A.json B.json TOL: weights_raw and bias_raw of A within TOL of B's (relative L2); A's
# device names the refinement; without --binary A's bias sums to 0 within 1e-12 of its norm.
close() {
  python3 - "$@" <<'PY'
import json, math, sys
a, b = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
tol = float(sys.argv[3])
def flat(m, k):
    v = m[k]
    return [x for row in v for x in (row if isinstance(row, list) else [row])]
def rel(k):
    x, y = flat(a, k), flat(b, k)
    return math.sqrt(sum((p - q) ** 2 for p, q in zip(x, y)) / sum(q * q for q in y))
rw, rb = rel("weights_raw"), rel("bias_raw")
dev = a["options"]["device"]
assert "refined in double" in dev, dev
bias = flat(a, "bias")
if not a["binary"]:
    assert abs(sum(bias)) <= 1e-12 * math.sqrt(sum(v * v for v in bias)), sum(bias)
assert rw <= tol and rb <= tol, (rw, rb)
print("weights_raw %.1e, bias_raw %.1e from cpu's" % (rw, rb))
PY
}

"$LOGREG" train digits.csv "${common[@]}" --device cpu --json --model cpu.json > cpu.out 2> err ||
  fail "digits cpu: $(cat err)"
for p in fused tiled own clblast; do
  if "$LOGREG" train digits.csv "${common[@]}" --device opencl --gemm $p --model $p.json \
    > /dev/null 2> err; then
    r=$(close $p.json cpu.json 1e-6 2>&1) && pass "digits --gemm $p: $r" || fail "digits $p: $r"
  else
    fail "digits --gemm $p: $(cat err)"
  fi
done

# Where refinement began and what it cost (--json: refined_epoch, refined_seconds): within the
# run on the device, absent on cpu.
"$LOGREG" train digits.csv "${common[@]}" --device opencl --gemm fused --json --model f2.json \
  > f2.out 2> err || fail "digits --gemm fused --json: $(cat err)"
r=$(python3 - f2.out cpu.out <<'PY' 2>&1
import json, sys
d, c = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
assert 1 <= d["refined_epoch"] <= d["epochs"], (d["refined_epoch"], d["epochs"])
assert 0 < d["refined_seconds"] <= d["seconds"], (d["refined_seconds"], d["seconds"])
assert "refined_epoch" not in c and "refined_seconds" not in c, c
print("refined from iteration %d of %d: %.2f s of %.2f s" % (
    d["refined_epoch"], d["epochs"], d["refined_seconds"], d["seconds"]))
PY
) && pass "digits --json: $r" || fail "digits --json refinement: $r"

"$LOGREG" train bc.csv "${common[@]}" --binary --device cpu --model bcpu.json > /dev/null 2> err ||
  fail "bc cpu: $(cat err)"
if "$LOGREG" train bc.csv "${common[@]}" --binary --device opencl --gemm own --model bown.json \
  > /dev/null 2> err; then
  r=$(close bown.json bcpu.json 1e-6 2>&1) && pass "bc --binary --gemm own: $r" || fail "bc: $r"
else
  fail "bc --binary --gemm own: $(cat err)"
fi
finish
