#!/usr/bin/env bash
# cli_history.sh: train --history on a small generated dataset writes the contract's header and
# exactly one row per epoch (1..7); with full-batch gd at a small lr the objective never rises
# (1e-12) and falls overall, lr is the one given, seconds never decrease, the last row agrees
# with the --json summary (objective, val loss, accuracies; 1e-6 relative) and, with
# --split 1,0,0, with the cross-entropy of the saved model recomputed in python; the val
# columns are then empty. Progress: plain lines on stderr when it is not a terminal (no \r, no
# escape codes), nothing with --quiet; with --json stdout is exactly one JSON object.
. "$(dirname "$0")/lib.sh"
cd "$WORK"

"$LOGREG" gen blobs --rows 300 --features 3 --classes 3 --spread 2 --seed 4 -o d.csv \
  > /dev/null 2> err || fail "gen exited $?: $(cat err)"

# check_history H.csv JSON EPOCHS LR HAS_VAL [MODEL DATA]: independent checks of the file.
check_history() {
  python3 - "$@" <<'PY'
import csv, json, math, sys
path, summ, epochs, lr, has_val = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4]), sys.argv[5] == "1"
rows = list(csv.reader(open(path, newline="")))
assert rows[0] == ["epoch", "objective", "train_loss", "train_accuracy", "val_loss",
                   "val_accuracy", "lr", "seconds"], rows[0]
data = rows[1:]
assert len(data) == epochs, ("rows", len(data))
assert [r[0] for r in data] == [str(e) for e in range(1, epochs + 1)], [r[0] for r in data]
obj = [float(r[1]) for r in data]
for a, b in zip(obj, obj[1:]):
    assert b <= a + 1e-12, ("objective rose", a, b)
assert obj[-1] < obj[0], ("objective did not fall", obj)
for r in data:
    assert abs(float(r[6]) - lr) <= 1e-12 * lr, ("lr", r)
    assert abs(float(r[2]) - float(r[1])) <= 1e-9 * float(r[1]), ("l2 = 0: objective = loss", r)
    assert 0 <= float(r[3]) <= 1, r
    if has_val:
        assert math.isfinite(float(r[4])) and 0 <= float(r[5]) <= 1, ("val", r)
    else:
        assert r[4] == "" and r[5] == "", ("val columns not empty", r)
secs = [float(r[7]) for r in data]
assert secs[0] >= 0 and all(b >= a for a, b in zip(secs, secs[1:])), secs
j = json.load(open(summ))
last = data[-1]
close = lambda a, b: abs(a - b) <= 1e-6 * max(abs(b), 1e-300)
assert close(float(last[1]), j["objective"]), (last[1], j["objective"])
assert close(float(last[2]), j["train"]["loss"]), (last[2], j["train"]["loss"])
assert close(float(last[3]), j["train"]["accuracy"]), (last[3], j["train"]["accuracy"])
# accuracy is a count over the training rows
n = j["train"]["rows"]
assert abs(float(last[3]) * n - round(float(last[3]) * n)) < 1e-4, (last[3], n)
if has_val:
    assert close(float(last[4]), j["val"]["loss"]), (last[4], j["val"])
    assert close(float(last[5]), j["val"]["accuracy"]), (last[5], j["val"])
else:
    assert j["val"] is None, j["val"]
if len(sys.argv) > 7:
    # All rows are training rows: recompute the mean cross-entropy of the saved model.
    m = json.load(open(sys.argv[6]))
    rows = list(csv.reader(open(sys.argv[7], newline="")))[1:]
    classes = m["classes"]
    mu, sd, W, b = m["scaler"]["mean"], m["scaler"]["std"], m["weights"], m["bias"]
    D, K = len(mu), len(b)
    tot = 0.0
    for r in rows:
        xs = [(float(r[d]) - mu[d]) / sd[d] for d in range(D)]
        z = [b[k] + sum(xs[d] * W[d][k] for d in range(D)) for k in range(K)]
        zm = max(z)
        tot += zm + math.log(sum(math.exp(v - zm) for v in z)) - z[classes.index(r[-1])]
    assert close(float(last[1]), tot / len(rows)), ("model cross-entropy", last[1], tot / len(rows))
PY
}

# Default split (val present), gd, progress on (stderr is a file, not a terminal), --json.
"$LOGREG" train d.csv --optimizer gd --lr 0.1 --epochs 7 --history h1.csv --json \
  --model m1.json > out1.json 2> err1.txt || fail "train (split) exited $?: $(cat err1.txt)"
check_history h1.csv out1.json 7 0.1 1 && pass "history with a val split" \
  || fail "history with a val split"

# --split 1,0,0: empty val columns; last objective = cross-entropy of the saved model.
"$LOGREG" train d.csv --split 1,0,0 --optimizer gd --lr 0.1 --epochs 7 --history h2.csv \
  --json --quiet --model m2.json > out2.json 2> err2.txt \
  || fail "train (1,0,0) exited $?: $(cat err2.txt)"
check_history h2.csv out2.json 7 0.1 0 m2.json d.csv && pass "history without val" \
  || fail "history without val"

# Mini-batch optimizer: still exactly one row per epoch.
"$LOGREG" train d.csv --optimizer sgd --batch-size 32 --epochs 7 --history h3.csv --quiet \
  --model m3.json > /dev/null 2> err3.txt || fail "train (sgd) exited $?: $(cat err3.txt)"
python3 - h3.csv <<'PY' && pass "sgd history: 7 rows" || fail "sgd history rows"
import csv, sys
rows = list(csv.reader(open(sys.argv[1], newline="")))
assert rows[0][0] == "epoch" and [r[0] for r in rows[1:]] == [str(e) for e in range(1, 8)], rows
PY

# stdout with --json is one JSON object and nothing else (progress was on).
for o in out1.json out2.json; do
  python3 -c "import json,sys; j=json.loads(open(sys.argv[1]).read()); assert isinstance(j, dict)" "$o" \
    && pass "$o: stdout is exactly one JSON object" || fail "$o: stdout is not one JSON object: $(head -c 300 "$o")"
done
# Progress went to stderr as plain lines: some mention the epochs; no \r, no escape codes.
if [ "$(grep -ci epoch err1.txt)" -lt 1 ]; then
  fail "no progress lines on stderr: $(cat err1.txt)"
elif grep -q $'[\r\033]' err1.txt; then
  fail "progress on a non-terminal has \\r or escape codes"
else
  pass "progress on stderr: $(grep -ci epoch err1.txt) epoch line(s)"
fi
# --quiet: nothing at all on stderr, with and without --json.
[ -s err2.txt ] && fail "--quiet --json wrote on stderr: $(cat err2.txt)" || pass "--quiet --json: silent stderr"
[ -s err3.txt ] && fail "--quiet wrote on stderr: $(cat err3.txt)" || pass "--quiet: silent stderr"
finish
