#!/usr/bin/env bash
# cli_show.sh: `logreg show MODEL` and its statistics (`show --stats DATA`, `train --stats`).
# - show: the coefficients in the data's units are the model file's weights_raw / bias_raw, the
#   standardized ones its weights / bias, the odds ratios exp(raw), options and metrics the
#   file's own, for a binary and a multinomial model; the text names every term.
# - --stats against statsmodels (Debian's python3-statsmodels, computed here on the same rows):
#   Logit on spector (binary model, and a two-class softmax model), MNLogit on anes96 (7
#   classes), and smf.logit with a categorical column (treatment coding, the first category the
#   reference) on anes96's vote: standard errors, z, p-values and both interval ends within
#   1e-6 relative, the log-likelihoods and the LLR p-value too (tests/ref/show_stats.py). The
#   models train with --C inf --tol 1e-12 --split 1,0,0 --scale none: no penalty, all rows, and
#   the features exactly as read (float32), so that both fit the same numbers; with the default
#   --scale std the rows are standardized in float32, which moves the optimum by about 4e-7
#   relative on anes96 (measured), and that fit is held to 1e-5.
# - train --stats gives show --stats' table; a penalized fit (--C 1) says the statistics are not
#   valid and prints none; separation (a quasi-complete and a complete one, and one class of
#   three) is named by its feature, collinear and constant features by theirs, with no table.
# - --C inf and its errors; show's usage errors.
. "$(dirname "$0")/lib.sh"
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3
"$PY" -c "import statsmodels, scipy, pandas" 2>/dev/null \
  || { echo "SKIP: statsmodels (python3-statsmodels), scipy or pandas missing for $PY" >&2; exit 77; }
REF="${LOGREG_SOURCE_DIR:-$(dirname "$0")/..}/tests/ref"
cd "$WORK" || exit 1
"$PY" "$REF/show_stats.py" data . || { fail "writing the data sets"; finish; }

# fit NAME CSV [train options]: an unpenalized fit on every row, to a tight tolerance.
fit() {
  local name=$1 csv=$2
  shift 2
  "$LOGREG" train "$csv" --C inf --tol 1e-12 --split 1,0,0 --epochs 100000 --device cpu --quiet \
    --model "$name.json" "$@" > "$name.out" 2> err || fail "train $name exited $?: $(cat err)"
}
# stats NAME CSV: show --stats --json into NAME.show.
stats() {
  "$LOGREG" show "$1.json" --stats "$2" --json > "$1.show" 2> err \
    || fail "show --stats $1 exited $?: $(cat err)"
}
# compare NAME CSV TOL [FORMULA]
compare() {
  local r
  r=$("$PY" "$REF/show_stats.py" compare "$2" "$1.show" "$3" ${4:+"$4"} 2>&1) \
    && pass "$1: statsmodels' table within $3: $r" || fail "$1 against statsmodels: $r"
}

# ---- statsmodels ----
fit spector spector.csv --binary --scale none
stats spector spector.csv
compare spector spector.csv 1e-6
fit spector2 spector.csv --scale none # softmax over two classes: vector 1 against 0
stats spector2 spector.csv
compare spector2 spector.csv 1e-6
fit anes96 anes96.csv --scale none
stats anes96 anes96.csv
compare anes96 anes96.csv 1e-6
fit anes96_std anes96.csv
stats anes96_std anes96.csv
compare anes96_std anes96.csv 1e-5
fit educ educ.csv --binary --scale none --categorical educ
stats educ educ.csv
compare educ educ.csv 1e-6 "vote ~ age + income + C(educ)"
json educ.show '",".join(j["stats"]["reference_categories"])' | grep -qx 'educ=1' \
  && pass "educ: the first category is the reference" || fail "educ: $(cat educ.show)"

# train --stats: the same table, on the training rows.
"$LOGREG" train spector.csv --binary --C inf --tol 1e-10 --split 1,0,0 --epochs 100000 \
  --device cpu --scale none --quiet --stats --json --model t.json > t.show 2> err \
  || fail "train --stats exited $?: $(cat err)"
"$PY" - t.show spector.show <<'PY' && pass "train --stats: show --stats' table" || fail "train --stats"
import json, sys
a, b = json.load(open(sys.argv[1]))["stats"], json.load(open(sys.argv[2]))["stats"]
assert a["data"] == "spector.csv" and a["rows"] == 32, a
for x, y in zip(a["table"], b["table"]):
    for k in ("coef", "std_err", "z", "p_value", "ci_low", "ci_high"):
        assert abs(x[k] - y[k]) <= 1e-12 * abs(y[k]), (k, x, y)
PY
compare t spector.csv 1e-6
"$LOGREG" train spector.csv --binary --C inf --split 1,0,0 --device cpu --quiet --stats \
  --model t.json > t.txt 2> err || fail "train --stats (text) exited $?: $(cat err)"
grep -q '^statistics on spector.csv: 32 rows' t.txt && grep -q '^  GPA  ' t.txt \
  && pass "train --stats prints the table" || fail "train --stats text: $(cat t.txt)"
"$LOGREG" train spector.csv --binary --C inf --split 1,0,0 --device cpu --model t.json \
  > /dev/null 2> err || fail "train --C inf exited $?: $(cat err)"
grep -q '^training: binary, lbfgs (the default), C inf (no penalty),' err \
  && pass "--C inf: no penalty" || fail "--C inf: $(cat err)"
json spector.json 'j["options"]["l2"]' | grep -qx '0' && pass "--C inf: the model's lambda is 0" \
  || fail "--C inf: l2 $(json spector.json 'j["options"]["l2"]')"

# ---- show without --stats: the model file's numbers ----
"$LOGREG" train anes96.csv --device cpu --quiet --model multi.json > /dev/null 2> err \
  || fail "train multi exited $?: $(cat err)"
for m in spector multi; do
  "$LOGREG" show $m.json --json > $m.plain 2> err || fail "show $m exited $?: $(cat err)"
  "$LOGREG" show $m.json > $m.txt 2> err || fail "show $m (text) exited $?: $(cat err)"
  "$PY" - $m.json $m.plain $m.txt <<'PY' && pass "show $m: the file's weights, odds ratios, options, metrics" \
    || fail "show $m"
import json, math, sys
m, s, text = json.load(open(sys.argv[1])), json.load(open(sys.argv[2])), open(sys.argv[3]).read()
assert "stats" not in s and s["binary"] == m["binary"] and s["classes"] == m["classes"], s
assert s["features"] == m["features"] and s["options"] == m["options"], s
assert s["metrics"] == m["metrics"], (s["metrics"], m["metrics"])
rows = s["coefficients"]
assert [r["term"] for r in rows] == ["(intercept)"] + m["features"], rows
assert rows[0]["raw"] == m["bias_raw"] and rows[0]["standardized"] == m["bias"], rows[0]
for r, wr, w in zip(rows[1:], m["weights_raw"], m["weights"]):
    assert r["raw"] == wr and r["standardized"] == w, (r, wr, w)
for r in rows:
    if m["binary"]:
        assert r["odds_ratio"] == math.exp(r["raw"][0]), r
    else:
        assert "odds_ratio" not in r, r
for name in m["features"] + ["(intercept)", "options (as trained):", "metrics (saved at training):"]:
    assert "\n  " + name in text or name + "\n" in text or name in text, name
assert ("odds ratio" in text) == m["binary"], text
PY
done

# ---- when there are no statistics ----
"$LOGREG" train spector.csv --binary --C 1 --split 1,0,0 --device cpu --quiet --model pen.json \
  > /dev/null 2> err || fail "train --C 1 exited $?: $(cat err)"
"$LOGREG" show pen.json --stats spector.csv > pen.txt 2> err || fail "show pen exited $?: $(cat err)"
"$LOGREG" show pen.json --stats spector.csv --json > pen.show 2> err || fail "show pen --json"
grep -q 'none: the model was trained with an L2 penalty.*not be valid.*--C inf' pen.txt \
  && ! grep -q 'std err' pen.txt && [ "$(json pen.show 'j["stats"]["verdict"], j["stats"]["table"]')" = "penalized None" ] \
  && pass "penalized: not valid, no table" || fail "penalized: $(cat pen.txt pen.show)"

# verdict NAME CSV WANT_VERDICT WANT_INVOLVED [train options]
verdict() {
  local name=$1 csv=$2 want=$3 involved=$4
  shift 4
  fit "$name" "$csv" "$@"
  "$LOGREG" show "$name.json" --stats "$csv" > "$name.txt" 2> err || fail "show $name: $(cat err)"
  stats "$name" "$csv"
  local got
  got=$(json "$name.show" 'j["stats"]["verdict"] + " " + ",".join(j["stats"]["involved"]) + " " + str(j["stats"]["table"])')
  [ "$got" = "$want $involved None" ] && grep -q "none: $want" "$name.txt" \
    && ! grep -q 'std err' "$name.txt" \
    && pass "$name: $want, $involved: $(sed -n 's/.*none: //p' "$name.txt" | cut -c1-150)..." \
    || fail "$name: got '$got', want '$want $involved None': $(cat "$name.txt")"
}
verdict quasi quasi.csv separation honors --binary
verdict quasi_softmax quasi.csv separation honors
verdict complete complete.csv separation score --binary
verdict party party.csv separation flag
grep -q 'predicts class "rep" on some rows with certainty' party.txt && pass "party: the class named" \
  || fail "party: $(cat party.txt)"
verdict collinear collinear.csv collinear GPA,GPA2 --binary
verdict constant constant.csv collinear const --binary
# The default tolerance (1e-6) and another optimizer find the separation too.
"$LOGREG" train quasi.csv --C inf --split 1,0,0 --device cpu --quiet --optimizer newton \
  --model q2.json > /dev/null 2> err || fail "train quasi newton: $(cat err)"
"$LOGREG" show q2.json --stats quasi.csv --json > q2.show 2> err || fail "show q2: $(cat err)"
[ "$(json q2.show 'j["stats"]["verdict"], j["stats"]["involved"]')" = "separation ['honors']" ] \
  && pass "quasi, newton at tol 1e-6: separation by honors" || fail "q2: $(cat q2.show)"

# A model trained on part of the rows is not the fit of all of them: said, numbers still given.
"$LOGREG" train anes96.csv --C inf --device cpu --quiet --model part.json > /dev/null 2> err \
  || fail "train part: $(cat err)"
"$LOGREG" show part.json --stats anes96.csv > part.txt 2> err || fail "show part: $(cat err)"
grep -q 'note: the model is not the maximum-likelihood fit of these rows' part.txt \
  && grep -q 'std err' part.txt && pass "a model of other rows: noted" || fail "part: $(cat part.txt)"

# ---- errors ----
# expect STATUS TEXT ARGS...: exit status and one error line containing TEXT.
expect() {
  local status=$1 text=$2
  shift 2
  "$LOGREG" "$@" > out 2> err
  local rc=$?
  [ "$rc" -eq "$status" ] && [ "$(wc -l < err)" -eq 1 ] && grep -qF -- "$text" err \
    && pass "$* -> $rc: $(cat err)" || fail "$*: exit $rc, want $status with '$text': $(cat err)"
}
expect 2 "show needs one MODEL file" show
expect 2 "unknown option --frob" show spector.json --frob
expect 1 "nope.json" show nope.json
cut -d, -f1-3 spector.csv > unlabelled.csv
expect 1 "GRADE" show spector.json --stats unlabelled.csv
expect 2 '--C must be a number > 0, or inf' train spector.csv --C -1
expect 2 '--C: "abc" is not a number' train spector.csv --C abc
finish
