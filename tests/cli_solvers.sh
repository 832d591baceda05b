#!/usr/bin/env bash
# cli_solvers.sh: every optimizer (newton included) from the command line on tumors (test accuracy >= 0.94 on
# the cpu backend, the reference, and the OpenCL device when there is one); cpu's objective
# within 1e-9 of the reference's; Adam, Adagrad and SGD histories
# go down; divergence (--lr 1e30) is one error line naming the epoch, and no model is written
# (an existing one is left as it was); --sweep ranks settings by validation loss and keeps the
# best; the model's weights_raw/bias_raw applied to the raw features give predict's
# probabilities; --weight reads a weight column.
. "$(dirname "$0")/lib.sh"
need_shared tumors.csv
data="$SHARED/data/tumors.csv"
devices="cpu reference"
"$LOGREG" devices 2>/dev/null | grep -q '^opencl:' && devices="cpu reference opencl"

for dev in $devices; do
  for opt in "gd" "sgd --batch-size 32" "momentum --batch-size 64" "momentum --nesterov --batch-size 64" \
             "adam" "adam --batch-size 32" "lbfgs" "newton" "adagrad --lr 0.1" \
             "adagrad --batch-size 32"; do
    "$LOGREG" train "$data" --device $dev --optimizer $opt --epochs 100 --json --quiet \
      --model "$WORK/m.json" --history "$WORK/h.csv" > "$WORK/t.json" 2> "$WORK/err" \
      || { fail "$dev $opt exited: $(cat "$WORK/err")"; continue; }
    acc=$(json "$WORK/t.json" "j['test']['accuracy']")
    ge "$acc" 0.94 && pass "$dev $opt: test accuracy $acc" || fail "$dev $opt: test accuracy $acc < 0.94"
    # Passes over X: newton's Hessian-vector products are counted, and only newton has any.
    hv=$(json "$WORK/t.json" "j['hv_products']")
    ev=$(json "$WORK/t.json" "j['evaluations']")
    case "$opt" in
    newton) [ "$hv" -ge 1 ] && [ "$ev" -ge 2 ] && pass "$dev newton: $ev evaluations, $hv products" ||
      fail "$dev newton: $ev evaluations, $hv Hessian-vector products" ;;
    *) [ "$hv" -eq 0 ] || fail "$dev $opt: $hv Hessian-vector products" ;;
    esac
    case "$opt" in adam*|sgd*|adagrad*)
      python3 - "$WORK/h.csv" <<'PY' && pass "$dev $opt: loss curve goes down" || fail "$dev $opt: loss curve"
import csv, sys
o = [float(r["objective"]) for r in csv.DictReader(open(sys.argv[1]))]
assert len(o) == 100, len(o)
first, last = sum(o[:5]) / 5, sum(o[-5:]) / 5
assert last < 0.8 * first, (first, last)
# mostly downhill: no 10-epoch window ends above where it started by more than 1%
assert all(o[i + 10] <= o[i] * 1.01 for i in range(len(o) - 10)), o
PY
    esac
  done
done

# --device cpu (the native backend) trains to the reference's objective: both sum in double and
# differ only in the order of the additions (~1e-15 per evaluation), so 1e-9 relative after 100
# epochs or at L-BFGS's and Newton's stop; the summaries name each backend.
for opt in "gd" "adam --batch-size 32" "lbfgs" "newton"; do
  for dev in cpu reference; do
    "$LOGREG" train "$data" --device $dev --optimizer $opt --epochs 100 --json --quiet \
      --model "$WORK/n.json" > "$WORK/$dev.json" 2> "$WORK/err" || fail "$dev $opt: $(cat "$WORK/err")"
  done
  python3 - "$WORK/cpu.json" "$WORK/reference.json" <<'PY' && pass "cpu $opt: the reference's objective" \
    || fail "cpu $opt: $(cat "$WORK/cpu.json")"
import json, sys
n, c = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
assert n["backend"] == "cpu" and n["device"].startswith("cpu ("), (n["backend"], n["device"])
assert c["backend"] == "reference" and c["device"].startswith("reference ("), c["device"]
assert abs(n["objective"] - c["objective"]) <= 1e-9 * c["objective"], (n["objective"], c["objective"])
PY
done

# --C is scikit-learn's C: L-BFGS on all rows reaches LogisticRegression(C=1)'s optimum
# (tests/ref/optimum_refs.py) within 1e-6, and reports lambda = 1/(C N) as the model's l2.
"$LOGREG" train "$data" --device cpu --optimizer lbfgs --C 1 --split 1,0,0 --json --quiet \
  --model "$WORK/c.json" > "$WORK/c.out" 2> "$WORK/err" || fail "--C 1: $(cat "$WORK/err")"
python3 - "$WORK/c.out" "$WORK/c.json" <<'PY' && pass "--C 1: scikit-learn's optimum, lambda 1/(C N)" || fail "--C 1"
import json, sys
j, m = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
want = 0.0695705074827313  # tests/ref/optimum_refs.py, tumors.csv, C = 1
assert abs(j["objective"] - want) / want <= 1e-6, j["objective"]
n = j["train"]["rows"]
assert abs(m["options"]["l2"] - 1.0 / n) <= 1e-15 / n, (m["options"]["l2"], n)
PY

# The defaults are scikit-learn's: with no option but the label column, full-batch L-BFGS at
# C = 1 reaches LogisticRegression(C=1, multi_class="multinomial")'s optimum on the default
# split's 700 training rows (tests/ref/optimum_refs.py re-draws logreg's split) within 1e-6, on
# the device `auto` picks, and says how it stopped.
"$LOGREG" train "$data" --target tumor_class --json --model "$WORK/d.json" > "$WORK/d.out" \
  2> "$WORK/err" || fail "defaults: $(cat "$WORK/err")"
python3 - "$WORK/d.out" <<'PY' && pass "defaults: lbfgs, C = 1, scikit-learn's optimum" || fail "defaults: $(cat "$WORK/d.out")"
import json, sys
j = json.load(open(sys.argv[1]))
want = 0.0786548967784029  # tests/ref/optimum_refs.py, tumors.csv, the default split, C = 1
assert j["optimizer"] == "lbfgs" and j["stop_reason"] == "tol", j
assert j["train"]["rows"] == 700, j["train"]
assert abs(j["objective"] - want) / want <= 1e-6, j["objective"]
PY
grep -q "^training: multinomial, lbfgs (the default), C 1 (the default), at most 100 iterations" \
  "$WORK/err" && grep -q "^converged: max |gradient| .* <= tol 1e-06 after [0-9]* iterations" \
  "$WORK/err" && pass "defaults: said" || fail "defaults not said: $(cat "$WORK/err")"
# --batch-size alone chooses Adam (lambda 0), and says so.
"$LOGREG" train "$data" --device cpu --batch-size 32 --epochs 2 --model "$WORK/d.json" \
  > /dev/null 2> "$WORK/err" || fail "--batch-size default: $(cat "$WORK/err")"
grep -q "^training: multinomial, adam (the default with --batch-size), lr 0.01, l2 0, 2 epochs of mini-batches" \
  "$WORK/err" && pass "--batch-size: adam" || fail "--batch-size default: $(cat "$WORK/err")"

# L-BFGS and Newton at their iteration cap before the tolerance: stop_reason max_iter and one
# warning with the gradient reached, even with --quiet; a model is still written.
for opt in lbfgs newton; do
  "$LOGREG" train "$data" --device cpu --optimizer $opt --epochs 3 --json --quiet \
    --model "$WORK/cap.json" > "$WORK/cap.out" 2> "$WORK/err" || fail "$opt --epochs 3: $(cat "$WORK/err")"
  [ "$(json "$WORK/cap.out" "j['stop_reason']")" = max_iter ] && [ "$(wc -l < "$WORK/err")" -eq 1 ] &&
    grep -q "warning: $opt reached --epochs 3 before its tolerance: max |gradient|" "$WORK/err" &&
    [ -s "$WORK/cap.json" ] && pass "$opt at its cap: $(cat "$WORK/err")" ||
    fail "$opt at its cap: $(json "$WORK/cap.out" "j['stop_reason']"), $(cat "$WORK/err")"
  # A cap equal to the iterations a converged run takes is no cap: the last iteration met the
  # tolerance, so stop_reason tol and no warning (the tolerance is tested before the next one).
  "$LOGREG" train "$data" --device cpu --optimizer $opt --json --quiet --model "$WORK/cap.json" \
    > "$WORK/free.out" 2> "$WORK/err" || fail "$opt: $(cat "$WORK/err")"
  its=$(json "$WORK/free.out" "j['epochs']")
  "$LOGREG" train "$data" --device cpu --optimizer $opt --epochs "$its" --json --quiet \
    --model "$WORK/cap.json" > "$WORK/cap.out" 2> "$WORK/err" || fail "$opt --epochs $its: $(cat "$WORK/err")"
  [ "$(json "$WORK/free.out" "j['stop_reason']")" = tol ] &&
    [ "$(json "$WORK/cap.out" "j['stop_reason']")" = tol ] && [ ! -s "$WORK/err" ] &&
    pass "$opt --epochs $its (its converged run's iterations): tol, no warning" ||
    fail "$opt --epochs $its: $(json "$WORK/cap.out" "j['stop_reason']"), $(cat "$WORK/err")"
done

# Divergence: one line naming the epoch, the hint, no model; an existing model is untouched.
echo '{"keep": true}' > "$WORK/keep.json"
"$LOGREG" train "$data" --device cpu --optimizer gd --lr 1e30 --quiet --model "$WORK/keep.json" \
  > /dev/null 2> "$WORK/err"
rc=$?
{ [ "$rc" -ge 1 ] && [ "$rc" -le 125 ] && [ "$(wc -l < "$WORK/err")" -eq 1 ] &&
  grep -q '^logreg: error: training diverged at epoch 1 .*try a smaller --lr' "$WORK/err"; } \
  && pass "divergence: $(cat "$WORK/err")" || fail "divergence: rc $rc $(cat "$WORK/err")"
[ "$(cat "$WORK/keep.json")" = '{"keep": true}' ] || fail "divergence touched the existing model"
ls "$WORK" | grep -q 'keep.json.tmp' && fail "divergence left a temp file"

# Mini-batch steps do not read their sums back (LR_EVAL_STEP): a run that diverges inside an
# epoch is caught by the evaluation after it, with the same error and no model.
devs=cpu
"$LOGREG" devices 2> /dev/null | grep -q '^opencl:[0-9]*:[0-9]*' && devs="cpu opencl"
for dev in $devs; do
  "$LOGREG" train "$data" --device "$dev" --optimizer sgd --batch-size 8 --lr 1e30 --quiet \
    --model "$WORK/keep.json" > /dev/null 2> "$WORK/err"
  rc=$?
  { [ "$rc" -ge 1 ] && [ "$rc" -le 125 ] && [ "$(wc -l < "$WORK/err")" -eq 1 ] &&
    grep -q '^logreg: error: training diverged at epoch 1 .*try a smaller --lr' "$WORK/err"; } \
    && pass "mini-batch divergence on $dev: $(cat "$WORK/err")" \
    || fail "mini-batch divergence on $dev: rc $rc $(cat "$WORK/err")"
  [ "$(cat "$WORK/keep.json")" = '{"keep": true}' ] || fail "mini-batch divergence touched the model"
done

# --sweep: every value tried, ranked by validation loss, the best kept for the final model.
"$LOGREG" train "$data" --device cpu --optimizer gd --sweep lr=1e-3,1e-2,1e-1,1,1e30 --json --quiet \
  --model "$WORK/s.json" > "$WORK/s.out" 2> "$WORK/err" || fail "sweep exited: $(cat "$WORK/err")"
python3 - "$WORK/s.out" "$WORK/s.json" <<'PY' && pass "sweep ranks by val loss and keeps the best" || fail "sweep"
import json, math, sys
j = json.load(open(sys.argv[1])); m = json.load(open(sys.argv[2]))
rows = j["sweep"]
assert sorted(r["lr"] for r in rows) == [1e-3, 1e-2, 1e-1, 1, 1e30], rows
ok = [r for r in rows if r["status"] == "ok"]
assert [r["val_loss"] for r in ok] == sorted(r["val_loss"] for r in ok), rows
assert rows[-1]["lr"] == 1e30 and rows[-1]["status"] == "diverged", rows[-1]
assert m["options"]["lr"] == rows[0]["lr"], (m["options"]["lr"], rows[0])
assert abs(j["val"]["loss"] - rows[0]["val_loss"]) < 1e-12 * max(1, rows[0]["val_loss"]), (j["val"], rows[0])
PY
"$LOGREG" train "$data" --sweep lr=0.1 --split 1,0,0 --quiet --model "$WORK/x.json" > /dev/null 2> "$WORK/err"
[ $? -eq 2 ] && grep -q "needs a validation split" "$WORK/err" && pass "sweep without val" || fail "sweep without val: $(cat "$WORK/err")"

# Raw weights: softmax(x_raw W_raw + b_raw) equals predict's probabilities.
for mode in "" "--binary"; do
  "$LOGREG" train "$data" --device cpu $mode --quiet --model "$WORK/r.json" > /dev/null 2>&1 || fail "train $mode"
  "$LOGREG" predict --model "$WORK/r.json" "$data" --proba > "$WORK/p.csv" 2>/dev/null || fail "predict $mode"
  python3 - "$WORK/r.json" "$WORK/p.csv" "$data" <<'PY' && pass "raw weights ${mode:-multinomial}" || fail "raw weights $mode"
import csv, json, math, sys
m = json.load(open(sys.argv[1]))
pred = list(csv.reader(open(sys.argv[2])))[1:]
rows = list(csv.reader(open(sys.argv[3])))[1:]
W, b = m["weights_raw"], m["bias_raw"]
worst = 0
for r, p in zip(rows, pred):
    x = [float(v) for v in r[:2]]
    z = [b[c] + sum(x[j] * W[j][c] for j in range(2)) for c in range(len(b))]
    if m["binary"]:
        p1 = 1 / (1 + math.exp(-z[0])); probs = [1 - p1, p1]
    else:
        mx = max(z); e = [math.exp(v - mx) for v in z]; probs = [v / sum(e) for v in e]
    worst = max(worst, max(abs(a - float(q)) for a, q in zip(probs, p[1:])))
assert worst < 1e-6, worst
PY
done

# --weight: a weight column trains; a missing one is one clear error.
python3 - "$data" "$WORK/w.csv" <<'PY'
import csv, sys
rows = list(csv.reader(open(sys.argv[1])))
with open(sys.argv[2], "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(rows[0] + ["w"])
    for i, r in enumerate(rows[1:]): w.writerow(r + [str(1 + i % 2)])
PY
"$LOGREG" train "$WORK/w.csv" --target tumor_class --weight w --device cpu --json --quiet \
  --model "$WORK/w.json" > "$WORK/w.out" 2> "$WORK/err" || fail "--weight: $(cat "$WORK/err")"
[ "$(json "$WORK/w.out" "j['n_features']")" = 2 ] && pass "--weight column is not a feature" || fail "--weight features"
"$LOGREG" train "$WORK/w.csv" --target tumor_class --weight nope --quiet --model "$WORK/w.json" > /dev/null 2> "$WORK/err"
[ $? -eq 1 ] && grep -q 'weight column "nope" not found' "$WORK/err" && pass "--weight nope" || fail "--weight nope: $(cat "$WORK/err")"
finish
