#!/usr/bin/env bash
# cli_headers.sh: the "Files" item of issue 12. The same data separated by ',', ';' or tab (some
# fields quoted) trains to the same objective, the delimiter detected (and said on the data:
# line) or given with --delimiter (`;`, `tab`, `\t`, a literal tab), recorded in the model so
# that predict and eval read such files too; header names kept exactly, so --drop ' ' drops a
# pandas-style unnamed index column; duplicate names are one error line naming the fields and
# the indices to pass; a header row that looks like data (scikit-learn's iris.csv layout) warns,
# column-number headers do not; a --no-header mix-up between train and eval is one error line
# that says so. Data from `logreg gen`, so nothing is skipped.
. "$(dirname "$0")/lib.sh"
cd "$WORK" || exit 1

"$LOGREG" gen tumors --rows 400 --seed 7 -o comma.csv > /dev/null 2> err || fail "gen: $(cat err)"
python3 - <<'PY'
import csv
rows = list(csv.reader(open("comma.csv")))
# ';' with every field quoted (RFC 4180 quoting with another delimiter), tab with the labels
# quoted and blanks around the numbers (values are trimmed of spaces, not of the tab delimiter).
with open("semi.csv", "w", newline="") as f:
    csv.writer(f, delimiter=";", quoting=csv.QUOTE_ALL).writerows(rows)
with open("tab.tsv", "w", newline="") as f:
    f.write("\t".join(rows[0]) + "\n")
    for r in rows[1:]:
        f.write(" %s\t%s \t\"%s\"\n" % (r[0], r[1], r[2]))
# pandas' DataFrame.to_csv(): an unnamed index column, named "" (and " " in some exports).
for name, first in (("pidx.csv", ""), ("pidx2.csv", " ")):
    with open(name, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow([first] + rows[0])
        for i, r in enumerate(rows[1:]):
            w.writerow([i] + r)
PY

fit=(--device cpu --optimizer lbfgs --C 1 --split 1,0,0 --json)
objective() { json "$1" "repr(j['objective'])" 2> /dev/null; }
"$LOGREG" train comma.csv "${fit[@]}" --model c.json > c.out 2> c.err || fail "train comma: $(cat c.err)"
"$LOGREG" train semi.csv "${fit[@]}" --model s.json > s.out 2> s.err || fail "train ';': $(cat s.err)"
"$LOGREG" train tab.tsv "${fit[@]}" --model t.json > t.out 2> t.err || fail "train tab: $(cat t.err)"
ref=$(objective c.out)
python3 -c "import sys; r = float(sys.argv[1]); assert 0.01 < r < 1, r" "$ref" 2> /dev/null ||
  { fail "comma objective '$ref' is not a fitted value"; ref=none; }
# same_objective OUT: the --json summary in OUT has exactly the comma file's objective.
same_objective() { [ "$(objective "$1")" = "$ref" ]; }
same_objective s.out && pass "';' (all quoted): objective $ref, bitwise as ','" ||
  fail "';' objective $(objective s.out) != $ref"
same_objective t.out && pass "tab: objective $ref, bitwise as ','" ||
  fail "tab objective $(objective t.out) != $ref"
grep -q "^data: semi.csv: 400 rows, 2 features, 2 classes; .*; delimiter ';' (detected from the first line: --delimiter sets it)$" s.err &&
  pass "data: line names the detected ';'" || fail "data: line for ';': $(grep '^data' s.err)"
grep -q "; delimiter tab (detected" t.err && pass "data: line names the detected tab" ||
  fail "data: line for tab: $(grep '^data' t.err)"
grep -q "^data: comma.csv: 400 rows" c.err && ! grep -q "delimiter" c.err &&
  pass "data: line says nothing of a comma" || fail "data: line for ',': $(grep '^data' c.err)"
[ "$(json s.json "j['options']['data']['delimiter']")" = ";" ] &&
  [ "$(json t.json "repr(j['options']['data']['delimiter'])")" = "'\\t'" ] &&
  [ "$(json c.json "j['options']['data']['delimiter']")" = "," ] &&
  pass "the models record ';', tab and ','" ||
  fail "options.data.delimiter: $(json s.json "j['options']['data']")"
# --quiet: no data: line, so no delimiter note either.
"$LOGREG" train semi.csv "${fit[@]}" --quiet --model q.json > /dev/null 2> err
[ ! -s err ] && pass "--quiet: nothing on stderr" || fail "--quiet: $(cat err)"

# --delimiter given, in every spelling of tab; given, nothing is said to be detected.
for d in tab '\t' "$(printf '\t')"; do
  "$LOGREG" train tab.tsv "${fit[@]}" --delimiter "$d" --model d.json > d.out 2> err ||
    fail "--delimiter $(printf %q "$d"): $(cat err)"
  same_objective d.out && grep -q '; delimiter tab$' err &&
    pass "--delimiter $(printf %q "$d")" || fail "--delimiter $(printf %q "$d"): $(grep '^data' err)"
done
"$LOGREG" train semi.csv "${fit[@]}" --delimiter ';' --model d.json > d.out 2> err
same_objective d.out && pass "--delimiter ';'" || fail "--delimiter ';': $(cat err)"
"$LOGREG" train comma.csv --delimiter '|' --device cpu > /dev/null 2> err
rc=$?
[ "$rc" -eq 2 ] && [ "$(wc -l < err)" -eq 1 ] &&
  grep -q '^logreg: error: --delimiter: "|" is not one of , ; tab$' err &&
  pass "--delimiter '|': $(cat err)" || fail "--delimiter '|': rc $rc: $(cat err)"

# predict/eval on each kind with each model: the same predictions as on the comma file.
"$LOGREG" predict --model c.json comma.csv --proba > p_ref.csv 2> err || fail "predict: $(cat err)"
same=0
for m in c s t; do
  for f in comma.csv semi.csv tab.tsv; do
    "$LOGREG" predict --model $m.json $f --proba > p.csv 2> err || fail "predict $m on $f: $(cat err)"
    if [ "$(wc -l < p.csv)" -eq 401 ] && cmp -s p.csv p_ref.csv; then same=$((same + 1)); else
      fail "predict with $m.json on $f differs"; fi
  done
done
[ "$same" -eq 9 ] && pass "predict: every model on every delimiter, the same 400 rows"
"$LOGREG" eval --model s.json tab.tsv --json > e1.json 2> err || fail "eval tab: $(cat err)"
"$LOGREG" eval --model s.json semi.csv --delimiter ';' --json > e2.json 2> err ||
  fail "eval --delimiter ';': $(cat err)"
cmp -s e1.json e2.json && ge "$(json e1.json "j['accuracy']")" 0.9 &&
  pass "eval across delimiters: accuracy $(json e1.json "j['accuracy']")" || fail "eval: $(cat e1.json)"
# A model without the key (saved before it was kept) reads as before.
python3 -c "
import json; m = json.load(open('c.json')); del m['options']['data']['delimiter']
json.dump(m, open('old.json', 'w'))"
"$LOGREG" predict --model old.json comma.csv --proba > p.csv 2> err && cmp -s p.csv p_ref.csv &&
  pass "a model without options.data.delimiter" || fail "old model: $(cat err)"

# Header names exactly: pandas' unnamed index column ("" or " ") is a name that --drop ' ' finds.
for f in pidx.csv pidx2.csv; do
  "$LOGREG" train $f "${fit[@]}" --drop ' ' --model p.json > p.out 2> err || fail "$f --drop ' ': $(cat err)"
  [ "$(json p.json "j['features']")" = "['leukocyte_count', 'blood_pressure']" ] &&
    same_objective p.out && pass "$f: --drop ' ' drops the index column" ||
    fail "$f --drop ' ': features $(json p.json "j['features']")"
done
"$LOGREG" train pidx2.csv "${fit[@]}" --model p.json > /dev/null 2> err || fail "pidx2.csv: $(cat err)"
[ "$(json p.json "j['features']")" = "[' ', 'leukocyte_count', 'blood_pressure']" ] &&
  pass "without --drop the index column is a feature named ' '" ||
  fail "pidx2.csv features: $(json p.json "j['features']")"
# ...and a name with blanks around it is found by its trimmed spelling.
sed '1s/tumor_class/ tumor_class /' comma.csv > spaced.csv
"$LOGREG" train spaced.csv "${fit[@]}" --target tumor_class --model sp.json > sp.out 2> err ||
  fail "--target tumor_class on ' tumor_class ': $(cat err)"
same_objective sp.out && [ "$(json sp.json "j['options']['data']['target']")" = " tumor_class " ] &&
  pass "--target tumor_class finds ' tumor_class '" || fail "spaced target: $(cat err)"

# Duplicate names: one error line naming the option, the fields and the indices.
sed '1s/^leukocyte_count,blood_pressure/x,x/' comma.csv > dup.csv
"$LOGREG" train dup.csv --drop x --device cpu > /dev/null 2> err
rc=$?
[ "$rc" -ne 0 ] && [ "$(wc -l < err)" -eq 1 ] &&
  grep -q '^logreg: error: dup.csv:1: drop column "x" is ambiguous: header fields 1 and 2 both have that name; pass --drop the 0-based index of the one you mean (0 or 1)$' err &&
  pass "duplicate name: $(cat err)" || fail "duplicate name: rc $rc: $(cat err)"
sed '1s/^leukocyte_count,blood_pressure,tumor_class/a,a ,a/' comma.csv > dup2.csv
"$LOGREG" train dup2.csv --target ' a' --device cpu > /dev/null 2> err
rc=$?
[ "$rc" -ne 0 ] && [ "$(wc -l < err)" -eq 1 ] &&
  grep -q '^logreg: error: dup2.csv:1: target column " a" is ambiguous: header fields 1, 2 and 3 match it once the blanks around them are trimmed; pass --target the 0-based index' err &&
  pass "names equal once trimmed: $(cat err)" || fail "trimmed duplicates: rc $rc: $(cat err)"
"$LOGREG" train dup2.csv --target 2 "${fit[@]}" --model d.json > d.out 2> err
same_objective d.out && pass "the suggested index works" || fail "--target 2: $(cat err)"

# A header that looks like data: scikit-learn's iris.csv layout (N,D,class names...) warns once;
# pandas' column numbers 0,1 do not; --no-header silences it.
"$LOGREG" gen blobs --rows 150 --features 4 --classes 3 -o blobs.csv > /dev/null 2> err ||
  fail "gen blobs: $(cat err)"
python3 - <<'PY'
import csv
blobs = list(csv.reader(open("blobs.csv")))[1:]
with open("sk.csv", "w") as f:  # 150,4,setosa,versicolor,virginica as in scikit-learn's iris.csv
    f.write("%d,4,setosa,versicolor,virginica\n" % len(blobs))
    for r in blobs:
        f.write(",".join(r) + "\n")
rows = list(csv.reader(open("comma.csv")))[1:]
with open("cols.csv", "w") as f:
    f.write("0,1,label\n")
    for r in rows:
        f.write(",".join(r) + "\n")
PY
"$LOGREG" train sk.csv --device cpu --optimizer gd --epochs 1 --quiet --model w.json > /dev/null 2> err
# (The blobs lie apart: a column that alone separates the classes draws its own warning.)
[ "$(grep -vc 'alone separates the classes' err)" -eq 1 ] &&
  grep -q '^logreg: warning: sk.csv: the header row looks like data (it has numbers where the data rows do): if the file has no header, pass --no-header' err &&
  pass "iris.csv-style header: $(cat err)" || fail "iris.csv-style header: $(cat err)"
"$LOGREG" train cols.csv --device cpu --optimizer gd --epochs 1 --quiet --model w.json > /dev/null 2> err
[ ! -s err ] && pass "column numbers as names: no warning" || fail "cols.csv: $(cat err)"

# --no-header mix-ups between train and eval: one line that says so.
tail -n +2 comma.csv > nohdr.csv
"$LOGREG" train nohdr.csv --no-header "${fit[@]}" --model nh.json > nh.out 2> err || fail "train --no-header: $(cat err)"
same_objective nh.out && pass "--no-header: the same objective" || fail "--no-header objective"
"$LOGREG" eval --model nh.json nohdr.csv > /dev/null 2> err
rc=$?
[ "$rc" -ne 0 ] && [ "$(wc -l < err)" -eq 1 ] &&
  grep -q '^logreg: error: nohdr.csv:1: model feature column "c0" not found in the header: the model was trained on a file without a header row (its features are columns by position): if this file has none either, pass --no-header$' err &&
  pass "header-less model, file read with a header: $(cat err)" || fail "no-header hint: rc $rc: $(cat err)"
"$LOGREG" eval --model nh.json nohdr.csv --no-header --json > e.json 2> err &&
  ge "$(json e.json "j['accuracy']")" 0.9 && pass "...and with --no-header it evaluates" ||
  fail "eval --no-header: $(cat err)"
"$LOGREG" eval --model c.json comma.csv --no-header > /dev/null 2> err
rc=$?
[ "$rc" -ne 0 ] && [ "$(wc -l < err)" -eq 1 ] &&
  grep -q '^logreg: error: comma.csv:1:1: not a number: "leukocyte_count": the model was trained on a file with a header row: is --no-header wrong here?$' err &&
  pass "header model, file read with --no-header: $(cat err)" || fail "reverse hint: rc $rc: $(cat err)"
finish
