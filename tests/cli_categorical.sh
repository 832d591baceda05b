#!/usr/bin/env bash
# cli_categorical.sh: categorical features (issue 12) end to end on Titanic-like raw data that the
# script writes itself (text, categorical and missing values: PassengerId, Survived, Pclass,
# Name, Sex, Age with gaps, SibSp, Parch, Ticket, Fare, Cabin mostly empty, Embarked with gaps).
# - Unprepared, it fails with one error line naming the id-like text columns (Name, Ticket) with
#   their distinct counts, as Python's csv module counts them, and the --drop that removes them.
# - With --drop, it trains; the model is held against an independent reference: the same rows
#   one-hot encoded by Python (numeric 0/1 columns, categories sorted as documented) and trained
#   through the numeric path reach the same objective (1e-9 relative, L-BFGS, C = 1, no split),
#   the same feature names (`Sex=male`, `Embarked=` for missing) and the same probabilities.
# - predict on a file without the label, with shuffled columns and --id; unseen categories (and
#   a missing value where training had none) encode as all zeros, and one warning line counts
#   them per column: every probability is recomputed in Python from weights_raw/bias_raw and the
#   imputer medians.
# - The data: line's column counts, --test, a header-less file, an old model without the
#   "categorical" key, and each new error as one line naming the file or the option.
. "$(dirname "$0")/lib.sh"
cd "$WORK" || exit 1

python3 - <<'PY'
import csv, random
r = random.Random(12)
surnames = ["Smith", "Jones", "Brown", "Taylor", "Wilson", "Davies", "Evans", "Thomas"]
rows = []
for i in range(240):
    pclass = r.choice([1, 2, 3, 3])
    sex = r.choice(["male", "male", "female"])
    age = "" if r.random() < 0.2 else str(r.randint(1, 70))
    sib, parch = r.randint(0, 3), r.randint(0, 2)
    fare = "%.2f" % (r.uniform(5, 100) / pclass)
    cabin = r.choice("ABCDE") + str(r.randint(1, 99)) if r.random() < 0.2 else ""
    emb = "" if r.random() < 0.04 else r.choice(["S", "S", "S", "C", "Q"])
    name = "%s, Mr. John %d" % (r.choice(surnames), i)  # quoted: it holds a comma
    ticket = "PC %d" % r.randint(1000, 99999)
    score = (1.5 if sex == "female" else -1.0) + (3 - pclass) * 0.8 + (0.7 if emb == "C" else 0)
    score += r.gauss(0, 1)
    rows.append([i + 1, int(score > 0), pclass, name, sex, age, sib, parch, ticket, fare, cabin, emb])
hdr = ["PassengerId", "Survived", "Pclass", "Name", "Sex", "Age", "SibSp", "Parch", "Ticket",
       "Fare", "Cabin", "Embarked"]
with open("titanic.csv", "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(hdr)
    w.writerows(rows)
PY

# 1. No preparation: one error line naming Name and Ticket (their distinct counts) and --drop.
"$LOGREG" train titanic.csv --target Survived --device cpu --quiet --model m0.json > /dev/null 2> err
rc=$?
want=$(python3 - <<'PY'
import csv
rows = list(csv.DictReader(open("titanic.csv")))
n = {c: len({r[c] for r in rows if r[c] not in ("", "?", "NA")}) for c in ("Name", "Ticket")}
print('logreg: error: titanic.csv: columns "Name" (%d), "Ticket" (%d) have more distinct values '
      'than --max-categories 100 allows for a categorical column (an id or free text?): --drop '
      'Name,Ticket, or raise --max-categories' % (n["Name"], n["Ticket"]))
PY
)
if [ "$rc" -eq 1 ] && [ "$(cat err)" = "$want" ] && [ ! -e m0.json ]; then
  pass "unprepared: $(cat err)"
else
  fail "unprepared: rc $rc: $(cat err) (wanted: $want)"
fi
"$LOGREG" train titanic.csv --target Survived --device cpu --quiet --max-categories 300 \
  --drop PassengerId --split 1,0,0 --optimizer lbfgs --epochs 3 --model m0.json > /dev/null 2> err
[ -s m0.json ] && pass "--max-categories 300 lets Name and Ticket through" ||
  fail "--max-categories 300: $(cat err)"

# 2. The reference: Python one-hot encodes Pclass (forced), Sex and Embarked in place, in sorted
# order (numbers numerically, text bytewise, missing first as COLUMN=), drops the same columns.
python3 - <<'PY'
import csv
rows = list(csv.DictReader(open("titanic.csv")))
miss = ("", "?", "NA")
def cats(c):
    v = {("" if r[c] in miss else r[c]) for r in rows}
    try:
        return sorted(v, key=lambda s: (s != "", float(s) if s else 0.0))
    except ValueError:
        return sorted(v)
order = ["Pclass", "Sex", "Age", "SibSp", "Parch", "Fare", "Embarked"]
cat = {c: cats(c) for c in ("Pclass", "Sex", "Embarked")}
hdr = []
for c in order:
    hdr += ["%s=%s" % (c, v) for v in cat[c]] if c in cat else [c]
with open("onehot.csv", "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(hdr + ["Survived"])
    for r in rows:
        out = []
        for c in order:
            if c in cat:
                v = "" if r[c] in miss else r[c]
                out += [1 if v == k else 0 for k in cat[c]]
            else:
                out.append(r[c])
        w.writerow(out + [r["Survived"]])
PY
FIT="--device cpu --optimizer lbfgs --C 1 --split 1,0,0 --json"
"$LOGREG" train titanic.csv --target Survived --drop Name,Ticket,Cabin,PassengerId \
  --categorical Pclass $FIT --model cat.json > cat.out 2> err || fail "train categorical: $(cat err)"
"$LOGREG" train onehot.csv $FIT --model ref.json > ref.out 2> err2 || fail "train reference: $(cat err2)"
python3 - <<'PY' && pass "categorical path = Python one-hot through the numeric path (objective, names)" ||
import json
a, b = json.load(open("cat.out")), json.load(open("ref.out"))
ma, mb = json.load(open("cat.json")), json.load(open("ref.json"))
assert abs(a["objective"] - b["objective"]) <= 1e-9 * abs(b["objective"]), (a["objective"], b["objective"])
assert ma["features"] == mb["features"], (ma["features"], mb["features"])
assert "Sex=male" in ma["features"] and "Embarked=" in ma["features"] and "Pclass=3" in ma["features"]
assert [c["column"] for c in ma["categorical"]] == ["Pclass", "Sex", "Embarked"], ma["categorical"]
assert ma["categorical"][0] == {"column": "Pclass", "feature": 0, "categories": ["1", "2", "3"]}
assert ma["categorical"][2]["categories"] == ["", "C", "Q", "S"]
assert mb["categorical"] == []
for wa, wb in zip(ma["weights_raw"], mb["weights_raw"]):
    for x, y in zip(wa, wb):
        assert abs(x - y) <= 1e-9 * max(1.0, abs(y)), (x, y)
PY
  fail "categorical vs reference: $(head -c 300 cat.out) / $(head -c 300 ref.out)"
"$LOGREG" predict --model cat.json titanic.csv --proba > pc.csv 2> err || fail "predict cat: $(cat err)"
"$LOGREG" predict --model ref.json onehot.csv --proba > pr.csv 2> err || fail "predict ref: $(cat err)"
python3 - <<'PY' && pass "the same probabilities as the reference model" || fail "predictions differ"
import csv
a, b = list(csv.reader(open("pc.csv"))), list(csv.reader(open("pr.csv")))
assert len(a) == len(b) == 241 and a[0] == b[0]
for x, y in zip(a[1:], b[1:]):
    assert x[0] == y[0] and all(abs(float(p) - float(q)) <= 1e-8 for p, q in zip(x[1:], y[1:])), (x, y)
PY

# 3. The data: line: numeric, categorical (one-hot width) and dropped columns, the label column.
"$LOGREG" train titanic.csv --target Survived --drop Name,Ticket,Cabin,PassengerId \
  --categorical Pclass --device cpu --epochs 1 --split 1,0,0 --model t.json > /dev/null 2> err
want=$(python3 - <<'PY'
import csv
rows = list(csv.DictReader(open("titanic.csv")))
miss = sum(r["Age"] == "" for r in rows)
w = sum(len({r[c] for r in rows}) for c in ("Pclass", "Sex", "Embarked"))
print("data: titanic.csv: 240 rows, %d features, 2 classes, %d missing values (filled with training "
      "medians); columns: 4 numeric, 3 categorical (%d one-hot features, the training split's "
      "categories), 4 dropped; label column \"Survived\"" % (4 + w, miss, w))
PY
)
[ "$(head -1 err)" = "$want" ] && pass "data: line: $want" || fail "data: line: $(head -1 err) (wanted: $want)"
printf 'c,x,label\na,1,0\nb,2,1\na,3,0\nb,4,1\n' > last.csv
"$LOGREG" train last.csv --device cpu --epochs 1 --split 1,0,0 --model t.json > /dev/null 2> err
grep -qx 'data: last.csv: 4 rows, 3 features, 2 classes; columns: 1 numeric, 1 categorical (2 one-hot features, the training split'"'"'s categories), 0 dropped; label column "label" (the last column: --target chooses another)' err &&
  pass "data: line, default label column" || fail "data: line (default label): $(head -1 err)"

# 4. predict without the label column, columns shuffled, --id PassengerId: the same predictions.
python3 - <<'PY'
import csv
rows = list(csv.DictReader(open("titanic.csv")))
cols = ["Embarked", "Fare", "Name", "PassengerId", "Age", "Cabin", "Sex", "Parch", "Ticket", "SibSp", "Pclass"]
with open("shuffled.csv", "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(cols)
    for r in rows:
        w.writerow([r[c] for c in cols])
PY
"$LOGREG" predict --model cat.json shuffled.csv --proba --id PassengerId > ps.csv 2> err ||
  fail "predict shuffled: $(cat err)"
python3 - <<'PY' && [ ! -s err ] && pass "no label, shuffled columns, --id: the same predictions" ||
import csv
a, s = list(csv.reader(open("pc.csv"))), list(csv.reader(open("ps.csv")))
assert s[0] == ["PassengerId"] + a[0], s[0]
assert len(s) == len(a) == 241
for i, (x, y) in enumerate(zip(a[1:], s[1:])):
    assert y == [str(i + 1)] + x, (x, y)
PY
  fail "predict shuffled: $(head -3 ps.csv) $(cat err)"

# 5. Unseen categories: Embarked X (2 rows), Sex "other" (1 row), a missing Sex (training had no
# missing Sex: unseen too); Embarked missing is a training category. One warning line, and every
# probability recomputed from weights_raw/bias_raw with all zeros for the unseen columns.
python3 - <<'PY'
import csv
rows = list(csv.DictReader(open("titanic.csv")))[:12]
rows[1]["Embarked"] = "X"
rows[4]["Embarked"] = "X"
rows[4]["Sex"] = "other"
rows[7]["Sex"] = ""
rows[9]["Embarked"] = ""
cols = ["PassengerId", "Sex", "Pclass", "Age", "Embarked", "Fare", "SibSp", "Parch"]
with open("unseen.csv", "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(cols)
    for r in rows:
        w.writerow([r[c] for c in cols])
PY
"$LOGREG" predict --model cat.json unseen.csv --proba --id PassengerId > pu.csv 2> err ||
  fail "predict unseen: $(cat err)"
want='logreg: warning: unseen.csv: 3 rows had categories unseen in training (Sex: 2, Embarked: 2); they encode as all zeros'
[ "$(cat err)" = "$want" ] && pass "unseen: $(cat err)" || fail "unseen warning: $(cat err)"
python3 - <<'PY' && pass "unseen categories encode as all zeros (probabilities recomputed)" ||
import csv, json, math
m = json.load(open("cat.json"))
cat = {c["column"]: c for c in m["categorical"]}
rows = list(csv.DictReader(open("unseen.csv")))
out = list(csv.DictReader(open("pu.csv")))
feats, med = m["features"], m["imputer"]["median"]
W, b = m["weights_raw"], m["bias_raw"]
zero_rows = 0
for r, o in zip(rows, out):
    x = []
    for j, name in enumerate(feats):
        col = next((c for c in cat if name.startswith(c + "=") and j >= cat[c]["feature"] and j < cat[c]["feature"] + len(cat[c]["categories"])), None)
        if col:
            v = r[col] if r[col] not in ("?", "NA") else ""
            x.append(1.0 if v == cat[col]["categories"][j - cat[col]["feature"]] else 0.0)
        else:
            x.append(float(r[name]) if r[name] != "" else med[j])
    for c in cat.values():
        f, k = c["feature"], len(c["categories"])
        zero_rows += sum(x[f:f + k]) == 0
    z = [b[k] + sum(x[j] * W[j][k] for j in range(len(x))) for k in range(len(b))]
    mz = max(z)
    e = [math.exp(v - mz) for v in z]
    p = [v / sum(e) for v in e]
    got = [float(o["p_" + c]) for c in m["classes"]]
    assert all(abs(a - q) <= 1e-8 for a, q in zip(p, got)), (r, p, got)
assert zero_rows == 4, zero_rows
PY
  fail "unseen: probabilities differ from the all-zeros encoding"
"$LOGREG" eval --model cat.json titanic.csv > /dev/null 2> err && [ ! -s err ] &&
  pass "eval on the training file: no warning" || fail "eval: $(cat err)"

# 6. --test: the test file expands to the training split's categories; its unseen ones warned.
python3 - <<'PY'
import csv
rows = list(csv.DictReader(open("titanic.csv")))[:30]
rows[2]["Embarked"] = "X"
with open("test.csv", "w", newline="") as f:
    w = csv.DictWriter(f, fieldnames=list(rows[0]))
    w.writeheader()
    w.writerows(rows)
PY
"$LOGREG" train titanic.csv --target Survived --drop Name,Ticket,Cabin,PassengerId --device cpu \
  --optimizer lbfgs --test test.csv --json --model tt.json > tt.out 2> err
rc=$?
[ "$rc" -eq 0 ] && grep -qx 'logreg: warning: test.csv: 1 row had categories unseen in training (Embarked: 1); they encode as all zeros' err &&
  [ "$(json tt.out "j['test']['rows']")" = 30 ] && pass "--test with categorical features" ||
  fail "--test: rc $rc: $(grep -v '^epoch' err)"

# 7. A header-less file: columns by index (c4=male), the same model as with the header.
tail -n +2 titanic.csv > nohdr.csv
"$LOGREG" train nohdr.csv --no-header --target 1 --drop 0,3,8,10 --categorical 2 $FIT \
  --model nh.json > nh.out 2> err || fail "header-less train: $(cat err)"
"$LOGREG" predict --model nh.json nohdr.csv --no-header --proba > pn.csv 2> err ||
  fail "header-less predict: $(cat err)"
python3 - <<'PY' && pass "header-less: c4=male etc., the same objective and predictions" ||
import csv, json
m = json.load(open("nh.json"))
assert m["features"][:5] == ["c2=1", "c2=2", "c2=3", "c4=female", "c4=male"], m["features"]
assert json.load(open("nh.out"))["objective"] == json.load(open("cat.out"))["objective"]
a, b = list(csv.reader(open("pc.csv"))), list(csv.reader(open("pn.csv")))
assert a[1:] == b[1:]
PY
  fail "header-less: $(head -c 300 nh.out)"

# 8. An old model file (no "categorical" key) of numeric features predicts as before.
"$LOGREG" train onehot.csv --device cpu --optimizer lbfgs --quiet --split 1,0,0 --model num.json \
  > /dev/null 2>&1 || fail "numeric model"
python3 -c 'import json; m = json.load(open("num.json")); del m["categorical"]; json.dump(m, open("old.json", "w"))'
"$LOGREG" predict --model num.json onehot.csv --proba > p1.csv 2> /dev/null
"$LOGREG" predict --model old.json onehot.csv --proba > p2.csv 2> err
[ -s p1.csv ] && cmp -s p1.csv p2.csv && pass "a model without \"categorical\" loads and predicts" ||
  fail "old model: $(cat err)"

# 9. Errors: one line each, naming the file (and line) or the option; no model written.
python3 - <<'PY'
import json
m = json.load(open("cat.json"))
m["categorical"][1]["categories"] = ["female", "unknown"]
json.dump(m, open("badcat.json", "w"))
m = json.load(open("cat.json"))
m["categorical"][1]["feature"] = 99
json.dump(m, open("badidx.json", "w"))
PY
printf 'PassengerId,Pclass,Age\n1,3,22\n' > nosex.csv
expect() { # WANT ARGS...: exit status 1 or 2, exactly one error line containing WANT, no out.json
  local want=$1
  shift
  rm -f out.json
  "$LOGREG" "$@" > /dev/null 2> e.txt
  local rc=$?
  if [ "$rc" -ne 1 ] && [ "$rc" -ne 2 ]; then fail "$*: exit status $rc"; return; fi
  if [ "$(wc -l < e.txt)" -ne 1 ] || ! grep -q '^logreg: error: ' e.txt; then
    fail "$*: not one error line: $(cat e.txt)"
    return
  fi
  grep -qF -- "$want" e.txt || { fail "$*: expected \"$want\" in: $(cat e.txt)"; return; }
  [ -e out.json ] && { fail "$*: wrote a model"; return; }
  pass "$* -> $(cat e.txt)"
}
D="--drop Name,Ticket,Cabin,PassengerId --device cpu --quiet --model out.json"
expect 'titanic.csv: --categorical: column "Survived" is not a feature (it is the target)' \
  train titanic.csv --target Survived --categorical Survived $D
expect 'titanic.csv: --categorical: column "Name" is not a feature (it is dropped)' \
  train titanic.csv --target Survived --categorical Name $D
expect 'titanic.csv:1: categorical column "Deck" not found in the header' \
  train titanic.csv --target Survived --categorical Deck $D
expect 'titanic.csv: column "Cabin" (' train titanic.csv --target Survived --max-categories 10 \
  --drop Name,Ticket,PassengerId --device cpu --quiet --model out.json
expect '--max-categories: "ten" is not' train titanic.csv --max-categories ten $D
expect 'badcat.json: "categorical"[1].categories[1]: feature 4 must be "Sex=unknown"' \
  predict --model badcat.json titanic.csv
expect 'badidx.json: "categorical"[1] must be {"column": name, "feature": an index below 13' \
  predict --model badidx.json titanic.csv
expect 'nosex.csv:1: model feature column "Sex" not found in the header' \
  predict --model cat.json nosex.csv
printf '0 1:1\n1 1:2\n' > d.svm
expect 'd.svm: --categorical needs CSV data (this file is read as LIBSVM)' \
  train d.svm --categorical 1 --device cpu --quiet --model out.json
finish
