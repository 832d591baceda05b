#!/usr/bin/env bash
# cli_tables.sh: items 1-6 of issue 26, on survey-like tables the script writes itself
# (age, income, hours, a text column, the label "vote"), each case a file that carries it:
# - rows without a label: train skips them with one warning that counts them, and trains the
#   model of the file without those rows (weights bit for bit); --missing-label error refuses
#   with one line naming the first; eval skips and counts them (the metrics of the filtered
#   file); predict on a file whose label column is present but empty predicts every row;
# - missing markers: "n/a", "NULL", "None", "-nan" read as missing train the model of the clean
#   file with those fields empty (bit for bit), and the model records the set; --na-values adds
#   a marker; an old model without the key reads with the set of its time ("n/a" is no number);
# - a numeric column with a stray word: one error line naming the column, line, field and value
#   and both ways on (--na-values, --categorical), no model written; each way on trains;
# - decimal commas: a ';' export with "32,5" trains the model of the ',' file (bit for bit),
#   says so on the data: line, the model records ',' and predict reads such files as the clean
#   ones; both marks in one file, or a quoted decimal comma in a ',' file, is one error line
#   naming --decimal, and --decimal , reads the latter;
# - suspect columns: an id in a file sorted by the label (unique integers that also separate the
#   classes), the ids shuffled, a copy of the label, a text unique to each row: one warning line
#   each with the --drop that removes it (which silences it); the survey itself has none;
# - "did you mean": a mistyped column (case, a swap) and a mistyped option name the closest one.
. "$(dirname "$0")/lib.sh"
cd "$WORK" || exit 1

python3 - <<'PY'
import random
r = random.Random(26)
rows = []
for i in range(2160):
    age = r.randint(18, 90)
    income = round(r.uniform(8, 150), 1)
    hours = r.choice([10, 20, 30, 40, 45, 50, 60])
    region = r.choice(["north", "south", "east", "west"])
    s = 0.04 * (age - 50) - 0.015 * (income - 70) + 0.02 * (hours - 38) + r.gauss(0, 1)
    s += {"north": 0.3, "south": -0.2, "east": 0, "west": 0.1}[region]
    vote = "yes" if s > 0 else "no"
    rows.append([str(age), "%.1f" % income, str(hours), region, vote])
hdr = ["age", "income", "hours", "region", "vote"]
def write(name, rs, delim=",", header=hdr):
    with open(name, "w") as f:
        f.write(delim.join(header) + "\n")
        for x in rs:
            f.write(delim.join(x) + "\n")
write("clean.csv", rows)
# 1. 139 rows without a label (empty, NA, n/a, ?), spread over the file.
lost = sorted(r.sample(range(2160), 139))
marks = ["", "NA", "n/a", "?"]
unl = [x[:] for x in rows]
for k, i in enumerate(lost):
    unl[i][4] = marks[k % 4]
write("unlabelled.csv", unl)
write("labelled.csv", [x for i, x in enumerate(rows) if i not in set(lost)])
write("emptylabel.csv", [x[:4] + [""] for x in rows[:50]])
write("nolabelcol.csv", [x[:4] for x in rows[:50]], header=hdr[:4])
open("first_lost", "w").write(str(lost[0] + 2))
# 2. Missing markers in numeric columns, and the same fields empty.
na = [x[:] for x in rows]
gaps = [x[:] for x in rows]
for i, (col, m) in enumerate([(0, "n/a"), (1, "NULL"), (2, "None"), (0, "-nan"), (1, "n/a")]):
    row = 100 + 37 * i
    na[row][col] = m
    gaps[row][col] = ""
write("na.csv", na)
write("gaps.csv", gaps)
# 3. A stray word in age (row 812: line 814, field 1).
stray = [x[:] for x in rows]
stray[812][0] = "unknown"
write("stray.csv", stray)
unknown = [x[:] for x in rows]
unknown[812][0] = ""
write("stray_as_missing.csv", unknown)
ages = {x[0] for x in stray}
open("stray_want", "w").write(
    'logreg: error: stray.csv:814:1: column "age" holds numbers except "unknown" (1 of its %d '
    'distinct values): if it means missing, pass --na-values unknown; if the column is '
    'categorical, pass --categorical age' % len(ages))
open("stray_features", "w").write(str(len(ages) + 2 + 4))
# 4. A European export: ';' with decimal commas; both marks; a quoted comma in a ',' file.
comma = [[x[0], x[1].replace(".", ","), x[2], x[3], x[4]] for x in rows]
write("euro.csv", comma, ";")
mixed = [x[:] for x in comma]
mixed[5][2] = "40.5"
write("mixed.csv", mixed, ";")
write("quoted.csv", [[x[0], '"%s"' % x[1].replace(".", ","), x[2], x[3], x[4]] for x in rows])
open("mixed_want", "w").write(
    'logreg: error: mixed.csv:7:3: "40.5" (column "hours") has a decimal point, but "%s" at line '
    '2 (column "income") a decimal comma: pass --decimal . or --decimal , to say which the file '
    'uses' % comma[0][1])
open("quoted_want", "w").write(
    'logreg: error: quoted.csv:2:2: column "income" holds numbers written with a decimal comma '
    '("%s"): pass --decimal , to read them as numbers, or --categorical income to keep them as '
    'categories' % comma[0][1])
# 5. Suspect columns: a respondent id in a file sorted by the label, the same ids shuffled, a
# copy of the label, a name unique to each row (60 rows: fewer than --max-categories).
srt = sorted(rows, key=lambda x: x[4])
write("ids.csv", [[str(100001 + i)] + x for i, x in enumerate(srt)], header=["respondent_id"] + hdr)
ids = list(range(100001, 100001 + len(rows)))
r.shuffle(ids)
write("ids_shuffled.csv", [[str(ids[i])] + x for i, x in enumerate(rows)],
      header=["respondent_id"] + hdr)
write("leak.csv", [x[:4] + [str(int(x[4] == "yes")), x[4]] for x in rows],
      header=hdr[:4] + ["voted yes"] + hdr[4:])
write("names.csv", [["p%d" % i] + x for i, x in enumerate(rows[:60])], header=["name"] + hdr)
PY

fit=(--device cpu --optimizer lbfgs --C 1 --split 1,0,0 --json)
# same_model A B: the two model files have the same weights, bias and objective-defining
# preprocessing, bit for bit (the JSON numbers are printed to round-trip).
same_model() {
  python3 - "$1" "$2" <<'PY'
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
for k in ("features", "classes", "weights", "bias", "scaler", "imputer"):
    assert a[k] == b[k], (k, a[k], b[k])
PY
}
objective() { json "$1" "repr(j['objective'])"; }

# ---- 1. Rows without a label ----
"$LOGREG" train unlabelled.csv "${fit[@]}" --model u.json > u.out 2> u.err || fail "train unlabelled: $(cat u.err)"
"$LOGREG" train labelled.csv "${fit[@]}" --model l.json > l.out 2> l.err || fail "train labelled: $(cat l.err)"
want='logreg: warning: unlabelled.csv: 139 rows without a label in column "vote" were skipped (--missing-label error refuses them)'
[ "$(grep '^logreg: warning' u.err)" = "$want" ] && pass "skipped rows counted: $want" ||
  fail "skipped warning: $(grep warning u.err)"
same_model u.json l.json && [ "$(objective u.out)" = "$(objective l.out)" ] &&
  pass "unlabelled.csv trains labelled.csv's model, objective $(objective u.out)" ||
  fail "skipping rows: models differ ($(objective u.out) vs $(objective l.out))"
"$LOGREG" train unlabelled.csv "${fit[@]}" --missing-label error --model e.json > /dev/null 2> err
rc=$?
want="logreg: error: unlabelled.csv:$(cat first_lost):5: missing label (column \"vote\")"
[ "$rc" -eq 1 ] && [ "$(cat err)" = "$want" ] && [ ! -e e.json ] &&
  pass "--missing-label error: $want" || fail "--missing-label error: rc $rc: $(cat err)"
"$LOGREG" eval --model l.json unlabelled.csv --json > eu.json 2> eu.err || fail "eval: $(cat eu.err)"
"$LOGREG" eval --model l.json labelled.csv --json > el.json 2> /dev/null
grep -q "unlabelled.csv: 139 rows without a label in column \"vote\" were skipped" eu.err &&
  cmp -s eu.json el.json && pass "eval skips and counts them: the metrics of the filtered file" ||
  fail "eval: $(cat eu.err); $(head -c 200 eu.json) vs $(head -c 200 el.json)"
"$LOGREG" predict --model l.json emptylabel.csv --proba > pe.csv 2> pe.err
rc=$?
"$LOGREG" predict --model l.json nolabelcol.csv --proba > pn.csv 2> /dev/null
[ "$rc" -eq 0 ] && [ ! -s pe.err ] && [ "$(wc -l < pe.csv)" -eq 51 ] && cmp -s pe.csv pn.csv &&
  pass "predict with an empty label column: 50 rows, as without the column" ||
  fail "predict, empty label column: rc $rc: $(cat pe.err)"

# ---- 2. Missing markers ----
"$LOGREG" train na.csv "${fit[@]}" --model na.json > na.out 2> na.err || fail "train na: $(cat na.err)"
"$LOGREG" train gaps.csv "${fit[@]}" --model gaps.json > gaps.out 2> gaps.err || fail "train gaps: $(cat gaps.err)"
same_model na.json gaps.json && [ "$(objective na.out)" = "$(objective gaps.out)" ] &&
  [ "$(json na.out "j['missing_values']")" = 5 ] && [ "$(json na.out "j['n_features']")" = 7 ] &&
  pass "n/a, NULL, None, -nan read as missing: the empty fields' model, objective $(objective na.out)" ||
  fail "markers: $(json na.out "j['n_features'], j['missing_values']") vs clean: $(objective na.out) $(objective gaps.out)"
python3 - <<'PY' && pass "the model records pandas' set and ?" || fail "options.data.na_values"
import json
na = json.load(open("na.json"))["options"]["data"]["na_values"]
assert na == ["", "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan", "1.#IND",
              "1.#QNAN", "<NA>", "N/A", "NA", "NULL", "NaN", "None", "n/a", "nan", "null", "?"], na
PY
# predict reads the markers as the model says: "n/a" as the empty field.
sed -n '1p;102p' na.csv > p_na.csv
sed -n '1p;102p' gaps.csv > p_gap.csv
"$LOGREG" predict --model na.json p_na.csv --proba > a.csv 2> err && "$LOGREG" predict --model na.json p_gap.csv --proba > b.csv 2>&1 &&
  cmp -s a.csv b.csv && pass "predict reads n/a as missing too" || fail "predict n/a: $(cat err)"
# A model saved before the set was kept (no key) reads with the set of its time: n/a is no number.
python3 -c '
import json; m = json.load(open("na.json")); del m["options"]["data"]["na_values"]
json.dump(m, open("old.json", "w"))'
"$LOGREG" predict --model old.json p_na.csv > /dev/null 2> err
rc=$?
[ "$rc" -eq 1 ] && grep -q '^logreg: error: p_na.csv:2:1: not a number: "n/a" (column "age")$' err &&
  pass "an old model keeps the old set: $(cat err)" || fail "old model: rc $rc: $(cat err)"
"$LOGREG" predict --model old.json p_na.csv --na-values n/a --proba > c.csv 2> err &&
  "$LOGREG" predict --model old.json p_gap.csv --proba > d.csv 2>&1 && cmp -s c.csv d.csv &&
  pass "--na-values n/a adds to an old model's set" || fail "--na-values, old model: $(cat err)"

# ---- 3. A numeric column with a stray word ----
"$LOGREG" train stray.csv "${fit[@]}" --model s.json > /dev/null 2> err
rc=$?
want=$(cat stray_want)
[ "$rc" -eq 1 ] && [ "$(cat err)" = "$want" ] && [ ! -e s.json ] && pass "stray word: $want" ||
  fail "stray word: rc $rc: $(cat err) (wanted: $want)"
"$LOGREG" train stray.csv "${fit[@]}" --na-values unknown --model s1.json > s1.out 2> err &&
  "$LOGREG" train stray_as_missing.csv "${fit[@]}" --model s2.json > s2.out 2>&1 &&
  same_model s1.json s2.json && pass "--na-values unknown: the model with that field empty" ||
  fail "--na-values unknown: $(cat err)"
python3 -c 'import json; assert "unknown" in json.load(open("s1.json"))["options"]["data"]["na_values"]' &&
  pass "the model records the added marker" || fail "added marker not recorded"
"$LOGREG" train stray.csv "${fit[@]}" --categorical age --model s3.json > s3.out 2> err &&
  [ "$(json s3.out "j['n_features']")" = "$(cat stray_features)" ] &&
  pass "--categorical age: $(cat stray_features) features (age one-hot)" ||
  fail "--categorical age: $(cat err) $(json s3.out "j['n_features']")"

# ---- 4. Decimal commas ----
"$LOGREG" train euro.csv "${fit[@]}" --model eu.json > eu.out 2> eu.err || fail "train euro: $(cat eu.err)"
"$LOGREG" train clean.csv "${fit[@]}" --model c.json > c.out 2> c.err || fail "train clean: $(cat c.err)"
same_model eu.json c.json && [ "$(objective eu.out)" = "$(objective c.out)" ] &&
  [ "$(json eu.out "j['n_features']")" = 7 ] &&
  pass "decimal commas: the clean file's model, objective $(objective eu.out), 7 features" ||
  fail "decimal commas: $(json eu.out "j['n_features']") features, $(objective eu.out) vs $(objective c.out)"
grep -q "^data: euro.csv: 2160 rows, 7 features, 2 classes; .*; delimiter ';' (detected from the first line: --delimiter sets it); decimal comma (detected from the numbers: --decimal sets it)$" eu.err &&
  pass "the data: line says so" || fail "data: line: $(grep '^data' eu.err)"
[ "$(json eu.json "j['options']['data']['decimal']")" = "," ] && [ "$(json c.json "j['options']['data']['decimal']")" = "." ] &&
  pass "the model records the mark" || fail "options.data.decimal"
head -40 euro.csv > pe_in.csv && head -40 clean.csv > pc_in.csv
"$LOGREG" predict --model eu.json pe_in.csv --proba > pe.out 2> err && "$LOGREG" predict --model c.json pc_in.csv --proba > pc.out 2>&1 &&
  cmp -s pe.out pc.out && pass "predict reads the model's decimal commas" || fail "predict euro: $(cat err)"
"$LOGREG" train mixed.csv "${fit[@]}" --model m.json > /dev/null 2> err
rc=$?
want=$(cat mixed_want)
[ "$rc" -eq 1 ] && [ "$(cat err)" = "$want" ] && [ ! -e m.json ] && pass "both marks: $want" ||
  fail "both marks: rc $rc: $(cat err) (wanted: $want)"
"$LOGREG" train quoted.csv "${fit[@]}" --model q.json > /dev/null 2> err
rc=$?
[ "$rc" -eq 1 ] && [ "$(cat err)" = "$(cat quoted_want)" ] &&
  pass "a quoted decimal comma in a ',' file: $(cat err)" || fail "quoted: rc $rc: $(cat err)"
"$LOGREG" train quoted.csv "${fit[@]}" --decimal , --model q.json > q.out 2> err && same_model q.json c.json &&
  pass "--decimal , reads them: the clean file's model" || fail "--decimal ,: $(cat err)"

# ---- 5. Suspect columns ----
warnings() { grep '^logreg: warning' "$1"; }
[ -z "$(warnings c.err)" ] && [ -z "$(warnings eu.err)" ] && pass "no suspect column in the survey" ||
  fail "warnings on the clean survey: $(warnings c.err) $(warnings eu.err)"
"$LOGREG" train ids.csv "${fit[@]}" --model i.json > /dev/null 2> err || fail "train ids: $(cat err)"
want='logreg: warning: ids.csv: column "respondent_id" holds a different integer in every row and alone separates the classes (each class'"'"'s values lie in a range of their own): an id in a file sorted by the label, or a leak? --drop respondent_id removes it'
[ "$(warnings err)" = "$want" ] && pass "an id in a file sorted by the label: $want" ||
  fail "ids.csv: $(warnings err)"
"$LOGREG" train ids.csv "${fit[@]}" --drop respondent_id --model i.json > /dev/null 2> err &&
  [ -z "$(warnings err)" ] && pass "the --drop it gives silences it" || fail "--drop: $(cat err)"
"$LOGREG" train ids_shuffled.csv "${fit[@]}" --model i.json > /dev/null 2> err
want='logreg: warning: ids_shuffled.csv: column "respondent_id" holds a different integer in every row: an id? --drop respondent_id removes it'
[ "$(warnings err)" = "$want" ] && pass "shuffled ids: $want" || fail "ids_shuffled.csv: $(warnings err)"
"$LOGREG" train leak.csv "${fit[@]}" --model i.json > /dev/null 2> err
want='logreg: warning: leak.csv: column "voted yes" alone separates the classes (each class'"'"'s values lie in a range of their own): an id in a file sorted by the label, or a leak? --drop '"'"'voted yes'"'"' removes it'
[ "$(warnings err)" = "$want" ] && pass "a copy of the label: $want" || fail "leak.csv: $(warnings err)"
"$LOGREG" train names.csv "${fit[@]}" --model i.json > /dev/null 2> err
want='logreg: warning: names.csv: column "name" holds a different text in every row: an id? --drop name removes it'
[ "$(warnings err)" = "$want" ] && pass "a name per row: $want" || fail "names.csv: $(warnings err)"

# ---- 6. Did you mean ----
"$LOGREG" train clean.csv --target Vote --quiet --model d.json > /dev/null 2> err
rc=$?
[ "$rc" -eq 1 ] && [ "$(cat err)" = 'logreg: error: clean.csv:1: target column "Vote" not found in the header: did you mean "vote"?' ] &&
  pass "a column: $(cat err)" || fail "column: rc $rc: $(cat err)"
"$LOGREG" train clean.csv --target vote --drop regoin --quiet --model d.json > /dev/null 2> err
grep -q 'drop column "regoin" not found in the header: did you mean "region"?$' err &&
  pass "a swap: $(cat err)" || fail "drop: $(cat err)"
"$LOGREG" train clean.csv --traget vote --quiet --model d.json > /dev/null 2> err
rc=$?
[ "$rc" -eq 2 ] && [ "$(cat err)" = "logreg: error: unknown option --traget: did you mean --target? (see 'logreg train --help')" ] &&
  pass "an option: $(cat err)" || fail "option: rc $rc: $(cat err)"
"$LOGREG" predict --model c.json clean.csv --na-value x > /dev/null 2> err
grep -q "unknown option --na-value: did you mean --na-values?" err && pass "predict's options too" ||
  fail "predict option: $(cat err)"
"$LOGREG" train clean.csv --target salary --quiet --model d.json > /dev/null 2> err
grep -q 'target column "salary" not found in the header$' err && pass "nothing close, no guess" ||
  fail "no guess: $(cat err)"
finish
