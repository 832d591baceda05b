#!/usr/bin/env bash
# cli_cv.sh: `train --cv K` (issue 12). On breast-cancer-wisconsin with the folds given (--folds,
# row index mod 5) and C in {0.01, 0.1, 1, 10, 100}: every fold model's objective and the mean
# and std of the validation log loss per C match tests/ref/cv_refs.py (scikit-learn polished by
# Newton's method) and the chosen C is its; the one-pass grid's models are the models that
# separate `train --weight MASK --C C` runs train (objectives within 1e-9); the refit trains on
# all rows with the chosen C. Without --folds the folds are stratified and balanced. The errors
# (--cv 1, --folds out of range or not an integer, options --cv refuses) are one line each.
. "$(dirname "$0")/lib.sh"
need_shared breast-cancer-wisconsin.data
cd "$WORK" || exit 1

# bcw plus column 11 = fold (row index mod 5) and columns 12..16 = 1 outside fold f, 0 in it.
python3 - "$SHARED/data/breast-cancer-wisconsin.data" <<'PY'
import sys
rows = [l.rstrip("\n").split(",") for l in open(sys.argv[1]) if l.strip()]
with open("bcwf.csv", "w") as f:
    for i, r in enumerate(rows):
        f.write(",".join(r + [str(i % 5)] + [str(int(i % 5 != h)) for h in range(5)]) + "\n")
PY
common=(--no-header --target 10 --split 1,0,0 --device cpu --tol 1e-9 --epochs 1000 --quiet)
"$LOGREG" train bcwf.csv "${common[@]}" --drop 0,12,13,14,15,16 --folds 11 \
  --sweep C=0.01,0.1,1,10,100 --json --model cv.json > cv.out 2> err || fail "--cv: $(cat err)"
[ ! -s err ] || fail "--cv printed: $(cat err)"
python3 - cv.out cv.json <<'PY' && pass "--cv 5 --folds: scikit-learn's fold optima, losses and C" || fail "--cv against tests/ref/cv_refs.py"
import json, sys
out, model = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
cv = out["cv"]
# tests/ref/cv_refs.py: per C, mean and std of the validation loss, then the fold objectives.
ref = {
    0.01: (0.131297431191, 0.00479791847559, [0.192957221295, 0.189149155313, 0.191028535575, 0.190438131601, 0.191770625494]),
    0.1: (0.096427350519, 0.0127602069405, [0.108545019474, 0.0977622529133, 0.10402188873, 0.103687937961, 0.104267764362]),
    1.0: (0.0998272006788, 0.0240963100202, [0.0898692155824, 0.0728577933179, 0.0831725344278, 0.0821654196282, 0.0831876109253]),
    10.0: (0.102658214488, 0.0280640181007, [0.0872705760305, 0.0686095206055, 0.0799349162103, 0.0789583070351, 0.0800790338316]),
    100.0: (0.103068293402, 0.0286025430686, [0.0869925713883, 0.0681291063785, 0.0795752353956, 0.0786097521568, 0.0797410519985]),
}
assert cv["folds"] == 5 and cv["key"] == "C" and len(cv["values"]) == 5, cv
for v in cv["values"]:
    mean, std, objs = ref[v["C"]]
    assert abs(v["val_loss_mean"] - mean) <= 1e-7, (v["C"], v["val_loss_mean"], mean)
    assert abs(v["val_loss_std"] - std) <= 1e-7, (v["C"], v["val_loss_std"], std)
    for f, o in zip(v["folds"], objs):
        assert abs(f["objective"] - o) <= 1e-9 * o, (v["C"], f["objective"], o)
        assert f["stop_reason"] == "tol" and f["grad_max"] <= 1e-9, f
        # rows i with i % 5 == fold: 140 in folds 0..3, 139 in fold 4
        assert f["train_rows"] + f["val_rows"] == 699, f
assert [f["val_rows"] for f in cv["values"][0]["folds"]] == [140, 140, 140, 140, 139]
assert cv["best"] == 0.1, cv["best"]  # cv_refs.py's chosen C, and LogisticRegressionCV's
# The refit: all 699 rows at C = 0.1, lambda = 1 / (C N).
assert out["train"]["rows"] == 699 and abs(model["options"]["l2"] - 1 / (0.1 * 699)) < 1e-15
assert out["stop_reason"] == "tol", out["stop_reason"]
PY

# The grid's models are the ordinary trainer's: fold f's model is `train --weight m_f` (weight
# 0 inside the fold, so the same scaler) at the same C, run on its own.
for c in 0.1 10; do
  for f in 0 3; do
    drop="0,11"
    for h in 0 1 2 3 4; do [ $h = $f ] || drop="$drop,$((12 + h))"; done
    "$LOGREG" train bcwf.csv "${common[@]}" --optimizer lbfgs --C $c --drop $drop \
      --weight $((12 + f)) --json --model one.json > one.out 2> err || fail "C=$c fold $f: $(cat err)"
    python3 - cv.out one.out $c $f <<'PY' && pass "C=$c fold $f: the grid's model = a separate run" || fail "C=$c fold $f: grid vs separate run"
import json, sys
cv, one = json.load(open(sys.argv[1]))["cv"], json.load(open(sys.argv[2]))
c, f = float(sys.argv[3]), int(sys.argv[4])
g = [v for v in cv["values"] if v["C"] == c][0]["folds"][f]
assert abs(g["objective"] - one["objective"]) <= 1e-9 * one["objective"], (g, one["objective"])
PY
  done
done

# The grid runs along the path (the most regularized value first, each from the previous
# value's solution); --cv-together trains every model from W = 0 at once: the same optima
# (objectives within 1e-9 at --tol 1e-9). With --cv-tol 1e-3 every model stops at max
# |gradient| <= 1e-3, the values are compared there, and the C chosen is the converged grid's; the
# refit still goes to --tol.
"$LOGREG" train bcwf.csv "${common[@]}" --drop 0,12,13,14,15,16 --folds 11 \
  --sweep C=0.01,0.1,1,10,100 --cv-together --json --model cvt.json > cvt.out 2> err \
  || fail "--cv-together: $(cat err)"
"$LOGREG" train bcwf.csv "${common[@]}" --drop 0,12,13,14,15,16 --folds 11 \
  --sweep C=0.01,0.1,1,10,100 --cv-tol 1e-3 --json --model cvl.json > cvl.out 2> err \
  || fail "--cv-tol 1e-3: $(cat err)"
python3 - cv.out cvt.out cvl.out <<'PY' && pass "--cv-together: the path's optima; --cv-tol 1e-3 screens, the same C, the refit to --tol" || fail "--cv-together / --cv-tol"
import json, sys
outs = [json.load(open(p)) for p in sys.argv[1:]]
path, together, loose = (o["cv"] for o in outs)
for a, b in zip(path["values"], together["values"]):
    for fa, fb in zip(a["folds"], b["folds"]):
        assert abs(fa["objective"] - fb["objective"]) <= 1e-9 * fb["objective"], (fa, fb)
screened = 0
for v in loose["values"]:
    gmax = max(f["grad_max"] for f in v["folds"])
    assert all(f["stop_reason"] == "tol" for f in v["folds"]) and gmax <= 1e-3, v
    screened += gmax > 1e-9
assert loose["best"] == path["best"] and screened > 0, (loose["best"], screened)
assert loose["passes"] < path["passes"], (loose["passes"], path["passes"])
assert outs[2]["stop_reason"] == "tol" and outs[2]["epochs"] > 0, outs[2]["stop_reason"]
PY

# Without --folds: stratified folds, every fold within one row of N / K and of each class's
# share; the default grid is LogisticRegressionCV's Cs=10 (1e-4 .. 1e4); the text table marks
# the best; a test split of 0.15 is kept by default.
"$LOGREG" train bcwf.csv --no-header --target 10 --drop 0,11,12,13,14,15,16 --device cpu \
  --cv 4 --model s.json > s.txt 2> err || fail "--cv 4: $(cat err)"
grep -q '^cross-validation over C, 4 folds' s.txt && [ "$(grep -c '<- best' s.txt)" -eq 1 ] &&
  [ "$(grep -cE '^ +[0-9.e+-]+ +[0-9.]+ +[0-9.]+ +[0-9.]+ +[0-9.]+ +[0-9.]+' s.txt)" -eq 10 ] &&
  grep -q '^split: train 594, val 0, test 105' err &&
  grep -q 'cross-validation: 10 values of C x 4 folds (stratified, --seed), 40 models' err &&
  pass "--cv 4: default grid, stratified, test kept" || fail "--cv 4: $(cat s.txt err)"
"$LOGREG" train bcwf.csv --no-header --target 10 --drop 0,11,12,13,14,15,16 --device cpu \
  --cv 4 --sweep C=1 --split 1,0,0 --json --quiet --model s.json > s.out 2> err || fail "--cv 4 json: $(cat err)"
python3 - s.out <<'PY' && pass "stratified folds are balanced" || fail "stratified folds: $(cat s.out | head -c 400)"
import json, sys
folds = json.load(open(sys.argv[1]))["cv"]["values"][0]["folds"]
sizes = [f["val_rows"] for f in folds]
assert sum(sizes) == 699 and max(sizes) - min(sizes) <= 1, sizes
PY

# Errors: one line each, naming the option (or file:line:field), a non-zero status, no model.
expect_error() { # PATTERN ARGS...
  local pat="$1"
  shift
  rm -f e.json
  "$LOGREG" train "$@" --model e.json > /dev/null 2> err
  local rc=$?
  { [ $rc -ne 0 ] && [ "$(wc -l < err)" -eq 1 ] && grep -q -- "$pat" err && [ ! -e e.json ]; } &&
    pass "error: $(cat err)" || fail "expected '$pat' (rc $rc): $(cat err)"
}
base=(bcwf.csv --no-header --target 10 --device cpu --quiet)
expect_error "--cv K needs K >= 2" "${base[@]}" --cv 1
expect_error "--cv-tol must be a finite number >= 0" "${base[@]}" --cv 5 --cv-tol -1
expect_error "--cv-tol goes with --cv K" "${base[@]}" --cv-tol 1e-4
expect_error "--cv-together goes with --cv K" "${base[@]}" --cv-together
expect_error "--folds: training row .* is in fold 3; folds must be 0..2 for --cv 3" \
  "${base[@]}" --drop 0,12,13,14,15,16 --folds 11 --cv 3 --split 1,0,0
expect_error "--cv trains every model with lbfgs: --optimizer adam" "${base[@]}" --cv 5 --optimizer adam
expect_error "--batch-size does not go with it" "${base[@]}" --cv 5 --batch-size 32
expect_error "validation fraction must be 0 with --cv" "${base[@]}" --cv 5 --split 0.7,0.15,0.15
expect_error "--cv cross-validates C= or l2= values" "${base[@]}" --cv 5 --sweep lr=0.1,1
awk -F, -v OFS=, 'NR == 3 { $12 = "x" } { print }' bcwf.csv > badfold.csv
expect_error "^logreg: error: badfold.csv:3:12: fold \"x\" (folds column) is not an integer >= 0" \
  badfold.csv --no-header --target 10 --device cpu --quiet --drop 0,12,13,14,15,16 --folds 11
expect_error "is both the target and the folds column" "${base[@]}" --folds 10 --cv 5
printf 'a,y\n1,x\n2,z\n3,x\n' > three.csv
expect_error "^logreg: error: --cv 5: more folds than the 3 training rows" three.csv --device cpu \
  --quiet --cv 5 --split 1,0,0
awk -F, -v OFS=, '{ if ($12 == 2) $12 = 1; print }' bcwf.csv > nofold2.csv
expect_error "^logreg: error: --folds: fold 2 has no training rows (--cv 5)" nofold2.csv \
  --no-header --target 10 --device cpu --quiet --drop 0,12,13,14,15,16 --folds 11 --cv 5 --split 1,0,0

finish
