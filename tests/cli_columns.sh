#!/usr/bin/env bash
# cli_columns.sh: predict and eval find the model's columns by header name, in any order (issue
# 12, item 1): on tumors.csv, a copy with the label column first, the features swapped and an
# extra id column predicts exactly what the original file predicts; a copy without the label
# column predicts too, and eval on it is one error line naming the missing column; a model file
# without the label's name (written before it was kept) still finds the label by position.
# Also: `-` reads standard input (plain or gzip), --threshold for two-class models, and --id
# copies a column into predict's output, --json writes JSON Lines. And train's data: line names
# the label column (saying when it was the default last one); a header row of numbers only
# (a header-less file read with a header) is one warning suggesting --no-header.
. "$(dirname "$0")/lib.sh"
need_shared tumors.csv
data="$SHARED/data/tumors.csv"
cd "$WORK" || exit 1

"$LOGREG" train "$data" --device cpu --optimizer lbfgs --C 1 --quiet --model m.json > /dev/null \
  2> err || fail "train: $(cat err)"
[ "$(json m.json "j['options']['data']['target']")" = tumor_class ] &&
  pass "the model keeps the label column's name" || fail "options.data.target: $(cat m.json | head -c 300)"

# shuffled.csv: id, tumor_class, blood_pressure, leukocyte_count; nolabel.csv: the two features.
python3 - "$data" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
with open("shuffled.csv", "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(["id", "tumor_class", "blood_pressure", "leukocyte_count"])
    for i, r in enumerate(rows):
        w.writerow([1000 + i, r["tumor_class"], r["blood_pressure"], r["leukocyte_count"]])
with open("nolabel.csv", "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(["blood_pressure", "leukocyte_count"])
    for r in rows:
        w.writerow([r["blood_pressure"], r["leukocyte_count"]])
PY

"$LOGREG" predict --model m.json "$data" --proba > a.csv 2> err || fail "predict original: $(cat err)"
"$LOGREG" predict --model m.json shuffled.csv --proba > b.csv 2> err ||
  fail "predict shuffled: $(cat err)"
"$LOGREG" predict --model m.json nolabel.csv --proba > c.csv 2> err ||
  fail "predict without the label column: $(cat err)"
[ -s a.csv ] && cmp -s a.csv b.csv && pass "shuffled columns and an extra one: the same predictions" ||
  fail "shuffled columns: predictions differ"
[ -s a.csv ] && cmp -s a.csv c.csv && pass "no label column: the same predictions" ||
  fail "no label column: predictions differ"

"$LOGREG" eval --model m.json "$data" --json > e1.json 2> err || fail "eval original: $(cat err)"
"$LOGREG" eval --model m.json shuffled.csv --json > e2.json 2> err || fail "eval shuffled: $(cat err)"
cmp -s e1.json e2.json && pass "eval on shuffled columns: the same metrics" ||
  fail "eval shuffled: metrics differ"
"$LOGREG" eval --model m.json nolabel.csv > /dev/null 2> err
rc=$?
if [ "$rc" -ne 0 ] && [ "$(wc -l < err)" -eq 1 ] && grep -q 'nolabel.csv:1: target column "tumor_class" not found' err; then
  pass "eval without the label column: $(cat err)"
else
  fail "eval without the label column: rc $rc: $(cat err)"
fi

# A model without the name (as saved before it was kept): the label by its training position.
python3 - <<'PY'
import json
m = json.load(open("m.json"))
del m["options"]["data"]["target"]
json.dump(m, open("old.json", "w"))
PY
"$LOGREG" predict --model old.json "$data" --proba > d.csv 2> err || fail "old model: $(cat err)"
cmp -s a.csv d.csv && pass "a model without the label's name predicts as before" ||
  fail "old model: predictions differ"
# Standard input: the same predictions as the file, plain and gzip-compressed.
"$LOGREG" predict --model m.json - --proba < "$data" > s.csv 2> err || fail "stdin: $(cat err)"
gzip -c shuffled.csv | "$LOGREG" predict --model m.json - --proba > z.csv 2> err ||
  fail "gzip stdin: $(cat err)"
cmp -s a.csv s.csv && cmp -s a.csv z.csv && pass "- reads standard input (plain and gzip)" ||
  fail "stdin: predictions differ"

# --threshold T: the second class exactly where its probability (from --proba) is >= T.
for t in 0.2 0.8; do
  "$LOGREG" predict --model m.json "$data" --proba --threshold $t > t.csv 2> err ||
    fail "--threshold $t: $(cat err)"
  python3 - t.csv $t <<'PY' && pass "--threshold $t" || fail "--threshold $t"
import csv, sys
rows, t = list(csv.DictReader(open(sys.argv[1]))), float(sys.argv[2])
names = [k[2:] for k in rows[0] if k.startswith("p_")]
assert len(rows) == 1000 and len(names) == 2
for r in rows:
    assert r["label"] == (names[1] if float(r["p_" + names[1]]) >= t else names[0]), r
# the threshold matters: at 0.2 and 0.8 the counts differ from the likelier class's
likelier = sum(float(r["p_" + names[1]]) > float(r["p_" + names[0]]) for r in rows)
chosen = sum(r["label"] == names[1] for r in rows)
assert chosen != likelier, (chosen, likelier)
PY
done
"$LOGREG" predict --model m.json "$data" --threshold 1.5 > /dev/null 2> err
[ $? -ne 0 ] && [ "$(wc -l < err)" -eq 1 ] && grep -q -- "--threshold must be a probability" err &&
  pass "--threshold 1.5: $(cat err)" || fail "--threshold 1.5: $(cat err)"
# --id: the id column first, row for row, then what predict prints without it.
"$LOGREG" predict --model m.json shuffled.csv --proba --id id > i.csv 2> err || fail "--id: $(cat err)"
python3 - i.csv a.csv <<'PY' && pass "--id copies the id column" || fail "--id: $(head -3 i.csv)"
import sys
i, a = open(sys.argv[1]).read().splitlines(), open(sys.argv[2]).read().splitlines()
assert len(i) == len(a) == 1001 and i[0] == "id," + a[0], (i[0], a[0])
for r, (x, y) in enumerate(zip(i[1:], a[1:])):
    assert x == f"{1000 + r},{y}", (x, y)
PY
"$LOGREG" predict --model m.json shuffled.csv --id nope > /dev/null 2> err
[ $? -ne 0 ] && [ "$(wc -l < err)" -eq 1 ] && grep -q 'shuffled.csv:1: id column "nope" not found' err &&
  pass "--id nope: $(cat err)" || fail "--id nope: $(cat err)"
# --json: JSON Lines, one object per row, the same labels and probabilities as the CSV.
"$LOGREG" predict --model m.json shuffled.csv --json --id id > j.jsonl 2> err || fail "--json: $(cat err)"
python3 - j.jsonl i.csv <<'PY' && pass "--json: one object per row, as the CSV" || fail "--json: $(head -2 j.jsonl)"
import csv, json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
ref = list(csv.DictReader(open(sys.argv[2])))
assert len(rows) == len(ref) == 1000
for r, c in zip(rows, ref):
    assert r["id"] == c["id"] and r["label"] == c["label"], (r, c)
    for k, v in r["proba"].items():
        assert abs(v - float(c["p_" + k])) <= 1e-8, (k, v, c)
    assert abs(sum(r["proba"].values()) - 1) <= 1e-12
PY
# The data: line names the label column.
"$LOGREG" train "$data" --device cpu --epochs 1 --model t.json > /dev/null 2> err
grep -q '^data: .*; label column "tumor_class" (the last column: --target chooses another)$' err &&
  pass "data: the default label column is named" || fail "data: line: $(head -1 err)"
"$LOGREG" train "$data" --device cpu --epochs 1 --target tumor_class --model t.json > /dev/null 2> err
grep -q '^data: .*; label column "tumor_class"$' err && pass "data: --target named" ||
  fail "data: line with --target: $(head -1 err)"
# A header-less file read as if it had a header: one warning (even with --quiet).
printf '1,2,0\n3,4,1\n5,6,0\n7,8,1\n9,9,0\n' > nohdr.csv
"$LOGREG" train nohdr.csv --device cpu --optimizer gd --epochs 1 --split 1,0,0 --quiet --model t.json > /dev/null 2> err
[ "$(wc -l < err)" -eq 1 ] && grep -q 'nohdr.csv: every field of the header row is a number:.*--no-header' err &&
  pass "numeric header: $(cat err)" || fail "numeric header: $(cat err)"
"$LOGREG" train nohdr.csv --no-header --device cpu --optimizer gd --epochs 1 --split 1,0,0 --quiet --model t.json \
  > /dev/null 2> err
[ ! -s err ] && pass "--no-header: no warning" || fail "--no-header: $(cat err)"
finish
