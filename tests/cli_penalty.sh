#!/usr/bin/env bash
# cli_penalty.sh: `--penalty-scale raw` (the L2 term on the weights in the data's units, scikit-learn's
# LogisticRegression on unscaled data) and `--no-intercept` (b = 0, features scaled without
# centring). On breast-cancer-wisconsin with its features scaled by 1e-4 .. 1e4: the objective
# and the raw weights match tests/ref/penalty_refs.py (Newton's method in double from
# scikit-learn's solution) on cpu, and on OpenCL within float32's reach; the model file records
# both options and predicts with them; --cv's grid trains the same models as separate runs; a
# bad --penalty-scale is one error line.
. "$(dirname "$0")/lib.sh"
need_shared breast-cancer-wisconsin.data
cd "$WORK" || exit 1

# The data of penalty_refs.py (bcw_scaled there): feature j (0-based) times 10^(j-4), label
# last, plus columns 10, 11 = 1 outside fold 0 / fold 1 (row index mod 2), 12 = the fold.
python3 - "$SHARED/data/breast-cancer-wisconsin.data" <<'PY'
import sys
rows = [l.split(",") for l in open(sys.argv[1]).read().splitlines() if l.strip()]
with open("s.csv", "w") as f:
    for i, r in enumerate(rows):
        feats = [v if v == "?" else repr(float(v) * 10.0 ** (j - 4)) for j, v in enumerate(r[1:10])]
        f.write(",".join(feats + [r[10], str(int(i % 2 != 0)), str(int(i % 2 != 1)), str(i % 2)]) + "\n")
PY
common=(--no-header --target 9 --drop 10,11,12 --split 1,0,0 --C 1 --epochs 100000 --quiet --json)

# check OUT MODEL J WCOL W... : objective within JTOL, column WCOL of weights_raw within WTOL
# (relative L2).
check() {
  python3 - "$@" <<'PY'
import json, math, os, sys
out, model = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
want_j, col = float(sys.argv[3]), int(sys.argv[4])
want_w = [float(v) for v in sys.argv[5:]]
jtol, wtol = float(os.environ["JTOL"]), float(os.environ["WTOL"])
w = [row[col] for row in model["weights_raw"]]
dw = math.sqrt(sum((a - b) ** 2 for a, b in zip(w, want_w)) / sum(b * b for b in want_w))
dj = abs(out["objective"] - want_j) / want_j
assert dj <= jtol and dw <= wtol, ("J", out["objective"], want_j, dj, "W", dw)
print("J rel %.1e, W_raw rel %.1e" % (dj, dw))
PY
}

# tests/ref/penalty_refs.py's output.
declare -A J W ARGS
ARGS[raw]="--penalty-scale raw"
J[raw]=0.111536829372858
W[raw]="1 0.00639215994307 0.034761568232 0.395538952281 0.717230536445 0.13434175035 0.0272649744811 0.00291648182239 0.000159276810999 3.33631474256e-05"
ARGS[raw_binary]="--penalty-scale raw --binary"
J[raw_binary]=0.112239070818031
W[raw_binary]="0 0.00640922016778 0.0356859791415 0.403395938736 1.08923258166 0.283509711393 0.0551510766964 0.0058775079411 0.000319886042888 6.65385332213e-05"
ARGS[raw_noint]="--penalty-scale raw --no-intercept"
J[raw_noint]=0.504625300893507
W[raw_noint]="1 -0.0116105467905 0.148361344057 1.05265018875 0.846746162416 -0.238768853269 0.024976856308 -0.00178297132264 0.000218334482296 -1.04717878519e-05"
ARGS[noint_binary]="--no-intercept --binary"
J[noint_binary]=0.39723409009557
W[noint_binary]="0 -3171.67164228 787.608553777 21.3186224901 1.12216801814 -0.727679557021 0.0502071840854 -0.00462855592284 0.000300434076081 -2.13276843042e-05"

for c in raw raw_binary raw_noint noint_binary; do
  # shellcheck disable=SC2086
  "$LOGREG" train s.csv "${common[@]}" ${ARGS[$c]} --device cpu --tol 1e-10 --model $c.json \
    > $c.out 2> err || fail "$c: $(cat err)"
  # shellcheck disable=SC2086
  r=$(JTOL=1e-10 WTOL=1e-6 check $c.out $c.json ${J[$c]} ${W[$c]} 2>&1) &&
    pass "cpu ${ARGS[$c]}: penalty_refs.py's optimum ($r)" || fail "cpu ${ARGS[$c]}: $r"
done

# The model file records the options; predict applies the model as trained: no intercept means
# probabilities from x W_raw alone.
python3 - raw.json raw_noint.json noint_binary.json <<'PY' && pass "the model records penalty and fit_intercept" || fail "model options"
import json, sys
a, b, c = (json.load(open(p)) for p in sys.argv[1:])
assert a["options"]["penalty_scale"] == "raw" and a["options"]["fit_intercept"] is True
assert b["options"]["penalty_scale"] == "raw" and b["options"]["fit_intercept"] is False
assert c["options"]["penalty_scale"] == "standardized" and c["options"]["fit_intercept"] is False
assert all(v == 0 for v in b["bias_raw"]) and all(v == 0 for v in b["scaler"]["mean"]), b["scaler"]
PY
"$LOGREG" predict s.csv --no-header --model noint_binary.json --proba --output p.csv 2> err || fail "predict: $(cat err)"
python3 - s.csv noint_binary.json p.csv <<'PY' && pass "predict --no-intercept model: sigma(x W_raw)" || fail "predict with a --no-intercept model"
import csv, json, math, sys
rows = list(csv.reader(open(sys.argv[1])))
m = json.load(open(sys.argv[2]))
w = [r[0] for r in m["weights_raw"]]
med = m["imputer"]["median"]
out = list(csv.DictReader(open(sys.argv[3])))
worst = 0.0
for r, o in zip(rows, out):
    x = [med[j] if v == "?" else float(v) for j, v in enumerate(r[:9])]
    z = sum(a * b for a, b in zip(x, w))
    p1 = 1 / (1 + math.exp(-z))
    worst = max(worst, abs(float(o[[k for k in o if k.startswith("p_")][1]]) - p1))
assert len(out) == len(rows) and worst <= 1e-6, worst
PY

# OpenCL: the same optima within float32's reach.
"$LOGREG" devices > devices.txt 2>&1
if grep -q '^opencl:[0-9]*:[0-9]*' devices.txt; then
  for c in raw raw_noint; do
    # shellcheck disable=SC2086
    "$LOGREG" train s.csv "${common[@]}" ${ARGS[$c]} --device opencl --tol 1e-7 \
      --model o$c.json > o$c.out 2> err || fail "opencl $c: $(cat err)"
    # shellcheck disable=SC2086
    r=$(JTOL=1e-6 WTOL=1e-3 check o$c.out o$c.json ${J[$c]} ${W[$c]} 2>&1) &&
      pass "opencl ${ARGS[$c]}: penalty_refs.py's optimum ($r)" || fail "opencl ${ARGS[$c]}: $r"
  done
else
  echo "note: no OpenCL device; the OpenCL checks did not run" >&2
fi

# --cv: the grid's fold models are separate `--weight MASK` runs with the same options.
"$LOGREG" train s.csv --no-header --target 9 --drop 10,11 --folds 12 --split 1,0,0 --device cpu \
  --tol 1e-10 --epochs 100000 --sweep C=0.1,10 --penalty-scale raw --no-intercept --quiet --json \
  --model cv.json > cv.out 2> err || fail "--cv: $(cat err)"
for f in 0 1; do
  "$LOGREG" train s.csv --no-header --target 9 --drop $((11 - f)),12 --weight $((10 + f)) \
    --split 1,0,0 --device cpu --tol 1e-10 --epochs 100000 --C 10 --penalty-scale raw --no-intercept \
    --quiet --json --model one.json > one.out 2> err || fail "fold $f: $(cat err)"
  python3 - cv.out one.out $f <<'PY' && pass "--cv --penalty-scale raw --no-intercept: fold $f = a separate run" || fail "--cv fold $f"
import json, sys
cv, one = json.load(open(sys.argv[1]))["cv"], json.load(open(sys.argv[2]))
g = [v for v in cv["values"] if v["C"] == 10][0]["folds"][int(sys.argv[3])]
assert abs(g["objective"] - one["objective"]) <= 1e-9 * one["objective"], (g, one["objective"])
PY
done

# A column of spread 1e-20: 1 / sigma^2 = 1e40 is past float32's range; the factor is capped
# (1e30), so a float32 device trains it too (it used to end with a NaN objective), to the cpu
# reference's J.
python3 - <<'PY'
import random
random.seed(1)
with open("tiny.csv", "w") as f:
    f.write("a,b,y\n")
    for i in range(200):
        y = random.randint(0, 1)
        f.write("%r,%r,%d\n" % (random.gauss(y, 1), random.gauss(0, 1) * 1e-20, y))
PY
"$LOGREG" train tiny.csv --target y --penalty-scale raw --split 1,0,0 --device cpu --quiet --json \
  --model t.json > tc.out 2> err || fail "tiny spread, cpu: $(cat err)"
if grep -q '^opencl:[0-9]*:[0-9]*' devices.txt; then
  "$LOGREG" train tiny.csv --target y --penalty-scale raw --split 1,0,0 --device opencl --quiet --json \
    --model t.json > to.out 2> err || fail "tiny spread, opencl: $(cat err)"
  python3 - tc.out to.out <<'PY' && pass "--penalty-scale raw, a column of spread 1e-20: opencl = cpu" || fail "tiny spread: $(cat tc.out to.out)"
import json, math, sys
a, b = (json.load(open(p))["objective"] for p in sys.argv[1:])
assert math.isfinite(a) and math.isfinite(b) and abs(a - b) <= 1e-6 * a, (a, b)
PY
fi

rm -f e.json
"$LOGREG" train s.csv --no-header --target 9 --penalty-scale l1 --model e.json > /dev/null 2> err
rc=$?
{ [ $rc -ne 0 ] && [ "$(wc -l < err)" -eq 1 ] && grep -q -- '--penalty-scale' err && [ ! -e e.json ]; } &&
  pass "error: $(cat err)" || fail "--penalty-scale l1 (rc $rc): $(cat err)"
finish
