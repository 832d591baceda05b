#!/usr/bin/env bash
# cli_gen.sh: `logreg gen`. blobs honours --rows/--features/--classes/--spread/--seed/-o
# (header x0..x{D-1},label, row count, labels 0..K-1 in equal shares like make_blobs,
# within-blob standard deviation ~ --spread); the same seed gives a byte-identical file and
# another seed a different one; a well-separated blobs file trains to test accuracy >= 0.95.
# gen tumors writes leukocyte_count,blood_pressure,tumor_class and trains to >= 0.90.
. "$(dirname "$0")/lib.sh"
cd "$WORK"

# check_blobs FILE ROWS FEATURES CLASSES SPREAD: an independent look at the CSV.
check_blobs() {
  python3 - "$@" <<'PY'
import csv, math, statistics, sys
path, n, d, k, spread = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5])
rows = list(csv.reader(open(path, newline="")))
want = ["x%d" % j for j in range(d)] + ["label"]
assert rows[0] == want, ("header", rows[0], want)
data = rows[1:]
assert len(data) == n, ("rows", len(data), n)
by = {}
for i, r in enumerate(data):
    assert len(r) == d + 1, ("fields", i + 2, r)
    x = [float(v) for v in r[:-1]]
    assert all(math.isfinite(v) for v in x), ("non-finite", i + 2, r)
    by.setdefault(r[-1], []).append(x)
assert set(by) == {str(c) for c in range(k)}, ("labels", sorted(by))
counts = [len(v) for v in by.values()]
assert max(counts) - min(counts) <= 1, ("class shares", counts)
# Within-blob standard deviation of every feature ~ spread (pooled over a few hundred points).
if n // k >= 150:
    for c, pts in by.items():
        for j in range(d):
            sd = statistics.pstdev(p[j] for p in pts)
            assert 0.8 * spread <= sd <= 1.2 * spread, ("spread", c, j, sd, spread)
PY
}

# Header, rows and shape for a few sizes (short option -o and long --output).
"$LOGREG" gen blobs --rows 600 --features 4 --classes 3 --spread 1.0 --seed 7 -o a.csv \
  > /dev/null 2> err || fail "gen blobs exited $?: $(cat err)"
check_blobs a.csv 600 4 3 1.0 && pass "blobs 600x4, 3 classes" || fail "blobs 600x4x3 content"
"$LOGREG" gen blobs --rows 37 --features 1 --classes 5 --seed 3 --output b.csv \
  > /dev/null 2> err || fail "gen blobs (1 feature) exited $?: $(cat err)"
check_blobs b.csv 37 1 5 1.0 && pass "blobs 37x1, 5 classes" || fail "blobs 37x1x5 content"
"$LOGREG" gen blobs --rows 900 --features 6 --classes 2 --spread 3 --seed 11 -o c.csv \
  > /dev/null 2> err || fail "gen blobs (spread 3) exited $?: $(cat err)"
check_blobs c.csv 900 6 2 3.0 && pass "blobs 900x6, 2 classes, spread 3" || fail "blobs spread 3 content"

# Same seed -> identical bytes; another seed -> different data of the same shape.
"$LOGREG" gen blobs --rows 600 --features 4 --classes 3 --spread 1.0 --seed 7 -o a2.csv \
  > /dev/null 2>&1 || fail "gen blobs (again) exited $?"
cmp -s a.csv a2.csv && pass "same seed, same file" || fail "same seed gave different files"
"$LOGREG" gen blobs --rows 600 --features 4 --classes 3 --spread 1.0 --seed 8 -o a3.csv \
  > /dev/null 2>&1 || fail "gen blobs (seed 8) exited $?"
check_blobs a3.csv 600 4 3 1.0 || fail "blobs seed 8 content"
cmp -s a.csv a3.csv; rc=$?   # 0 same, 1 different, 2 trouble
[ "$rc" -eq 1 ] && pass "other seed, other file" || fail "seeds 7 and 8: cmp status $rc (want 1: different)"

# A well-separated blobs file is learnt: test accuracy >= 0.95.
"$LOGREG" train a.csv --json --quiet --model m.json > train.json 2> err \
  || fail "train on blobs exited $?: $(cat err)"
acc=$(json train.json "j['test']['accuracy']")
echo "blobs test accuracy: $acc" >&2
ge "$acc" 0.95 && pass "blobs test accuracy $acc >= 0.95" || fail "blobs test accuracy $acc < 0.95"
[ "$(json train.json "(j['n_features'], j['classes'])")" = "(4, ['0', '1', '2'])" ] \
  || fail "blobs summary: $(json train.json "(j['n_features'], j['classes'])")"

# gen tumors: header, row count, two classes, numeric features; trains to >= 0.90.
"$LOGREG" gen tumors --rows 1000 --seed 5 -o t.csv > /dev/null 2> err \
  || fail "gen tumors exited $?: $(cat err)"
python3 - t.csv <<'PY' && pass "tumors CSV" || fail "tumors CSV content"
import csv, math, sys
rows = list(csv.reader(open(sys.argv[1], newline="")))
assert rows[0] == ["leukocyte_count", "blood_pressure", "tumor_class"], rows[0]
assert len(rows) == 1001, len(rows)
assert {r[2] for r in rows[1:]} == {"benign", "malignant"}, {r[2] for r in rows[1:]}
assert all(math.isfinite(float(r[0])) and math.isfinite(float(r[1])) for r in rows[1:])
PY
"$LOGREG" gen tumors --rows 1000 --seed 5 -o t2.csv > /dev/null 2>&1 || fail "gen tumors (again)"
cmp -s t.csv t2.csv && pass "tumors: same seed, same file" || fail "tumors: same seed gave different files"
"$LOGREG" train t.csv --json --quiet --model mt.json > ttrain.json 2> err \
  || fail "train on tumors exited $?: $(cat err)"
acc=$(json ttrain.json "j['test']['accuracy']")
echo "generated tumors test accuracy: $acc" >&2
ge "$acc" 0.90 && pass "tumors test accuracy $acc >= 0.90" || fail "tumors test accuracy $acc < 0.90"
[ "$(json ttrain.json "j['classes']")" = "['benign', 'malignant']" ] || fail "tumors classes"
finish
