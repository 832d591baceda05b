#!/usr/bin/env bash
# cli_tumors.sh: end to end on ../shared/data/tumors.csv: train --json (test accuracy >= 0.94,
# the seed's from-scratch result), the model file parses as JSON with the contract's keys,
# predict --proba gives one row per input with probabilities summing to 1, and eval --json
# agrees with a recount of predict's labels.
. "$(dirname "$0")/lib.sh"
need_shared tumors.csv
data="$SHARED/data/tumors.csv"

"$LOGREG" train "$data" --target tumor_class --json --quiet --model "$WORK/m.json" \
  > "$WORK/train.json" 2> "$WORK/err" || fail "train exited $?: $(cat "$WORK/err")"
acc=$(json "$WORK/train.json" "j['test']['accuracy']")
echo "tumors test accuracy: $acc" >&2
ge "$acc" 0.94 && pass "test accuracy $acc >= 0.94" || fail "test accuracy $acc < 0.94"
for k in backend device optimizer epochs seconds objective n_features classes train val test; do
  [ "$(json "$WORK/train.json" "'$k' in j")" = True ] || fail "summary lacks key $k"
done
[ "$(json "$WORK/train.json" "j['classes']")" = "['benign', 'malignant']" ] || fail "classes"

# The model is plain JSON with every key of DESIGN.md §5.
for k in format classes features binary scaler weights bias weights_raw bias_raw options metrics; do
  [ "$(json "$WORK/m.json" "'$k' in j")" = True ] || fail "model lacks key $k"
done
[ "$(json "$WORK/m.json" "(len(j['weights']), len(j['weights'][0]))")" = "(2, 2)" ] || fail "weights shape"

"$LOGREG" predict --model "$WORK/m.json" "$data" --proba > "$WORK/pred.csv" 2> "$WORK/err" \
  || fail "predict exited $?: $(cat "$WORK/err")"
python3 - "$WORK/pred.csv" <<'PY' || fail "predict output"
import csv, sys
rows = list(csv.reader(open(sys.argv[1])))
assert rows[0] == ["label", "p_benign", "p_malignant"], rows[0]
assert len(rows) == 1001, len(rows)
for r in rows[1:]:
    p = [float(v) for v in r[1:]]
    assert abs(sum(p) - 1) < 1e-6, r
    assert r[0] == ("benign" if p[0] >= p[1] else "malignant"), r
PY

"$LOGREG" eval --model "$WORK/m.json" "$data" --json > "$WORK/eval.json" 2> "$WORK/err" \
  || fail "eval exited $?: $(cat "$WORK/err")"
python3 - "$WORK/eval.json" "$WORK/pred.csv" "$data" <<'PY' || fail "eval disagrees with predict"
import csv, json, sys
e = json.load(open(sys.argv[1]))
pred = [r[0] for r in list(csv.reader(open(sys.argv[2])))[1:]]
true = [r[2] for r in list(csv.reader(open(sys.argv[3])))[1:]]
acc = sum(p == t for p, t in zip(pred, true)) / len(true)
assert abs(e["accuracy"] - acc) < 1e-12, (e["accuracy"], acc)
cm = e["confusion_matrix"]
assert sum(map(sum, cm)) == 1000 and cm[0][0] + cm[1][1] == sum(p == t for p, t in zip(pred, true))
assert set(e["per_class"]) == {"benign", "malignant"}
assert e["per_class"]["benign"]["support"] == 389 and e["per_class"]["malignant"]["support"] == 611
for k in ("precision", "recall", "f1", "support"): assert k in e["weighted"]
PY
finish
