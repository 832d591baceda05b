#!/usr/bin/env bash
# cli_formats.sh: one small dataset (90 rows, 6 integer features 0..9 with zeros, 3 classes,
# not perfectly separable) written by python3 as CSV, LIBSVM (1-based, zeros skipped), IDX
# (ubyte images 0x00000803 2x3 + labels 0x00000801) and gzipped IDX. Full-batch gd on each:
# CSV and LIBSVM reach the same objective (1e-9 relative; with --scale maxabs, as LIBSVM rows are
# not centred); the objective is the mean
# cross-entropy of the saved model recomputed in python (1e-6) and the scaler mean is the column
# mean; IDX plain and gz give identical weights. predict works on every format (header `label`,
# one row per input), eval --json accuracy equals a python recount of predict's labels against
# the true labels, predict -o FILE equals stdout, and --proba columns p_<class> sum to 1.
. "$(dirname "$0")/lib.sh"
cd "$WORK"

python3 - <<'PY' || { echo "FAIL: could not write the datasets" >&2; exit 1; }
import gzip, random, struct
rng = random.Random(1234)
N, R, C, K = 90, 2, 3, 3
D = R * C
rows = []
for i in range(N):
    y = i % K
    x = [max(0, min(9, int(round(rng.gauss(2 + 2 * ((j + y) % K == 0) + y * (j % 2), 1.5)))))
         for j in range(D)]
    rows.append((x, y))
assert any(v == 0 for x, _ in rows for v in x)            # LIBSVM really skips something
assert all(any(x[j] for x, _ in rows) for j in range(D))  # ... but every index occurs
with open("d.csv", "w") as f:
    f.write(",".join("f%d" % j for j in range(D)) + ",label\n")
    for x, y in rows:
        f.write(",".join(map(str, x)) + ",%d\n" % y)
with open("d.svm", "w") as f:
    for x, y in rows:
        f.write(str(y) + "".join(" %d:%d" % (j + 1, v) for j, v in enumerate(x) if v) + "\n")
img = struct.pack(">IIII", 0x00000803, N, R, C) + bytes(v for x, _ in rows for v in x)
lab = struct.pack(">II", 0x00000801, N) + bytes(y for _, y in rows)
for name, blob in (("d-images-idx3-ubyte", img), ("d-labels-idx1-ubyte", lab)):
    open(name, "wb").write(blob)
    open(name + ".gz", "wb").write(gzip.compress(blob))
with open("truth.txt", "w") as f:
    f.write("".join("%d\n" % y for _, y in rows))
PY

# Each format: name, then the DATA argument(s) shared by train, predict and eval.
FORMATS=(csv svm idx idxgz)
declare -A ARGS=(
  [csv]="d.csv"
  [svm]="d.svm"
  [idx]="d-images-idx3-ubyte --labels d-labels-idx1-ubyte"
  [idxgz]="d-images-idx3-ubyte.gz --labels d-labels-idx1-ubyte.gz"
)
O="--split 1,0,0 --optimizer gd --epochs 50 --quiet --json"
for f in "${FORMATS[@]}"; do
  # shellcheck disable=SC2086
  "$LOGREG" train ${ARGS[$f]} $O --model "m_$f.json" > "train_$f.json" 2> err \
    || fail "$f: train exited $?: $(cat err)"
  [ "$(json "train_$f.json" "(j['n_features'], j['classes'], j['train']['rows'])")" \
    = "(6, ['0', '1', '2'], 90)" ] || fail "$f: summary shape"
done

# CSV and LIBSVM hold the same numbers: same objective, same model. LIBSVM rows stay sparse and
# are never centred, so the two are compared under a scaling without centring (--scale maxabs:
# dense and sparse data alike), both on the cpu backend (sparse data trains there only).
for f in csv svm; do
  # shellcheck disable=SC2086
  "$LOGREG" train ${ARGS[$f]} $O --scale maxabs --device cpu --model "mx_$f.json" > "trainx_$f.json" 2> err \
    || fail "$f: train --scale maxabs exited $?: $(cat err)"
done
python3 - trainx_csv.json trainx_svm.json mx_csv.json mx_svm.json <<'PY' \
  && pass "CSV and LIBSVM: same objective and weights" || fail "CSV and LIBSVM disagree"
import json, sys
a, b, ma, mb = (json.load(open(p)) for p in sys.argv[1:])
oa, ob = a["objective"], b["objective"]
assert abs(oa - ob) <= 1e-9 * abs(oa), (oa, ob)
for wa, wb in zip(ma["weights"] + [ma["bias"]], mb["weights"] + [mb["bias"]]):
    assert all(abs(x - y) <= 1e-9 * max(1, abs(x)) for x, y in zip(wa, wb)), (wa, wb)
PY

# The objective is the mean cross-entropy (l2 = 0) of the saved model over the 90 rows,
# recomputed here in double from the raw CSV; the scaler mean is the column mean.
python3 - train_csv.json m_csv.json d.csv <<'PY' \
  && pass "objective recomputed from the model" || fail "objective recount"
import csv, json, math, sys
t, m = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
rows = list(csv.reader(open(sys.argv[3])))[1:]
X = [[float(v) for v in r[:-1]] for r in rows]; Y = [int(r[-1]) for r in rows]
mu, sd = m["scaler"]["mean"], m["scaler"]["std"]
for d in range(6):
    mean = sum(x[d] for x in X) / len(X)
    assert abs(mu[d] - mean) <= 1e-12 * max(1, abs(mean)), (d, mu[d], mean)
W, b = m["weights"], m["bias"]
tot = 0.0
for x, y in zip(X, Y):
    xs = [(x[d] - mu[d]) / sd[d] for d in range(6)]
    z = [b[k] + sum(xs[d] * W[d][k] for d in range(6)) for k in range(3)]
    zmax = max(z)
    tot += zmax + math.log(sum(math.exp(v - zmax) for v in z)) - z[y]
ll = tot / len(X)
assert abs(ll - t["objective"]) <= 1e-6 * ll, (ll, t["objective"])
PY

# IDX plain and gzipped: identical weights.
[ "$(json m_idx.json "j['weights'], j['bias']")" = "$(json m_idxgz.json "j['weights'], j['bias']")" ] \
  && pass "IDX plain and gz: identical weights" || fail "IDX plain and gz models differ"

# predict and eval on every format, each with its own model.
for f in "${FORMATS[@]}"; do
  # shellcheck disable=SC2086
  "$LOGREG" predict --model "m_$f.json" ${ARGS[$f]} > "pred_$f.csv" 2> err \
    || fail "$f: predict exited $?: $(cat err)"
  # shellcheck disable=SC2086
  "$LOGREG" eval --model "m_$f.json" ${ARGS[$f]} --json > "eval_$f.json" 2> err \
    || fail "$f: eval exited $?: $(cat err)"
  python3 - "pred_$f.csv" "eval_$f.json" truth.txt <<'PY' \
    && pass "$f: predict rows/header, eval accuracy = recount" || fail "$f: predict/eval"
import csv, json, sys
pred = list(csv.reader(open(sys.argv[1], newline="")))
e = json.load(open(sys.argv[2]))
truth = open(sys.argv[3]).read().split()
assert pred[0] == ["label"], pred[0]
assert len(pred) == 1 + len(truth), len(pred)
assert all(len(r) == 1 and r[0] in ("0", "1", "2") for r in pred[1:])
right = sum(p[0] == t for p, t in zip(pred[1:], truth))
acc = right / len(truth)
assert 0.5 < acc < 1, acc          # learnt, but not trivially: the recount means something
assert abs(e["accuracy"] - acc) < 1e-12, (e["accuracy"], acc)
cm = e["confusion_matrix"]
assert sum(cm[k][k] for k in range(3)) == right and sum(map(sum, cm)) == len(truth), cm
PY
done
# IDX images predict without labels too.
"$LOGREG" predict --model m_idx.json d-images-idx3-ubyte > pred_nolab.csv 2> err \
  || fail "predict on IDX without --labels exited $?: $(cat err)"
cmp -s pred_nolab.csv pred_idx.csv && pass "IDX predict without --labels" \
  || fail "IDX predict without --labels differs"

# predict -o FILE writes what stdout gets; --proba adds p_<class> summing to 1.
for f in csv svm; do
  # shellcheck disable=SC2086
  "$LOGREG" predict --model "m_$f.json" ${ARGS[$f]} --proba > "proba_$f.csv" 2> err \
    || fail "$f: predict --proba exited $?: $(cat err)"
  # shellcheck disable=SC2086
  "$LOGREG" predict --model "m_$f.json" ${ARGS[$f]} --proba -o "proba_$f.out" > stdout.txt 2> err \
    || fail "$f: predict -o exited $?: $(cat err)"
  cmp -s "proba_$f.csv" "proba_$f.out" && pass "$f: -o FILE equals stdout" \
    || fail "$f: predict -o FILE differs from stdout"
  [ -s stdout.txt ] && fail "$f: predict -o also wrote to stdout: $(head -c 200 stdout.txt)"
  python3 - "proba_$f.csv" "pred_$f.csv" <<'PY' && pass "$f: --proba columns" || fail "$f: --proba"
import csv, sys
rows = list(csv.reader(open(sys.argv[1], newline="")))
labels = list(csv.reader(open(sys.argv[2], newline="")))
assert rows[0] == ["label", "p_0", "p_1", "p_2"], rows[0]
assert len(rows) == 91, len(rows)
for r, l in zip(rows[1:], labels[1:]):
    p = [float(v) for v in r[1:]]
    assert all(0 <= v <= 1 for v in p) and abs(sum(p) - 1) < 1e-6, r
    assert r[0] == l[0] == str(max(range(3), key=lambda k: p[k])), (r, l)
PY
done
finish
