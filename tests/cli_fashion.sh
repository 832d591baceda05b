#!/usr/bin/env bash
# cli_fashion.sh: Fashion-MNIST from the gzipped IDX files (skipped when they are absent):
# 2 epochs of mini-batch adam (batch 256, lr 0.001) with the t10k set as --test reach test
# accuracy >= 0.80 (0.8333 measured) on 10000 test rows, 784 features, 10 classes; eval of
# the saved model on t10k gives the same accuracy (1e-12), and that accuracy and the confusion
# matrix agree with a python recount of predict's labels against the labels file.
. "$(dirname "$0")/lib.sh"
F=${LOGREG_FASHION_DIR:-/usr/share/datasets/fashion-mnist}
for f in train-images-idx3-ubyte.gz train-labels-idx1-ubyte.gz t10k-images-idx3-ubyte.gz \
         t10k-labels-idx1-ubyte.gz; do
  [ -f "$F/$f" ] || { echo "SKIP: $F/$f not found" >&2; exit 77; }
done
cd "$WORK"

"$LOGREG" train "$F/train-images-idx3-ubyte.gz" --labels "$F/train-labels-idx1-ubyte.gz" \
  --test "$F/t10k-images-idx3-ubyte.gz" --test-labels "$F/t10k-labels-idx1-ubyte.gz" \
  --optimizer adam --batch-size 256 --lr 0.001 --epochs 2 --quiet --json --model m.json \
  > train.json 2> err || fail "train exited $?: $(cat err)"
acc=$(json train.json "j['test']['accuracy']")
echo "fashion-mnist test accuracy after 2 epochs: $acc ($(json train.json "j['seconds']") s training)" >&2
ge "$acc" 0.80 && pass "test accuracy $acc >= 0.80" || fail "test accuracy $acc < 0.80"
[ "$(json train.json "(j['test']['rows'], j['n_features'], len(j['classes']), j['epochs'])")" \
  = "(10000, 784, 10, 2)" ] && pass "shape: 10000 test rows, 784 features, 10 classes" \
  || fail "shape: $(json train.json "(j['test']['rows'], j['n_features'], j['classes'], j['epochs'])")"
# All 60000 training images are used, split between train and val (no test split with --test).
[ "$(json train.json "j['train']['rows'] + (j['val']['rows'] if j['val'] else 0)")" = 60000 ] \
  || fail "train + val rows != 60000: $(json train.json "j['train'], j['val']")"

"$LOGREG" eval --model m.json --labels "$F/t10k-labels-idx1-ubyte.gz" \
  "$F/t10k-images-idx3-ubyte.gz" --json > eval.json 2> err || fail "eval exited $?: $(cat err)"
"$LOGREG" predict --model m.json "$F/t10k-images-idx3-ubyte.gz" > pred.csv 2> err \
  || fail "predict exited $?: $(cat err)"
python3 - train.json eval.json pred.csv "$F/t10k-labels-idx1-ubyte.gz" <<'PY' \
  && pass "eval accuracy = train's test accuracy = recount of predict" || fail "eval/predict/train disagree"
import csv, gzip, json, struct, sys
t, e = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
pred = [r[0] for r in csv.reader(open(sys.argv[3], newline=""))]
raw = gzip.open(sys.argv[4]).read()
magic, n = struct.unpack(">II", raw[:8])
assert magic == 0x801 and n == 10000
truth = [str(b) for b in raw[8:8 + n]]
assert abs(e["accuracy"] - t["test"]["accuracy"]) <= 1e-12, (e["accuracy"], t["test"]["accuracy"])
assert pred[0] == "label" and len(pred) == n + 1, (pred[0], len(pred))
right = sum(p == y for p, y in zip(pred[1:], truth))
assert abs(e["accuracy"] - right / n) <= 1e-12, (e["accuracy"], right / n)
cm = e["confusion_matrix"]
assert len(cm) == 10 and sum(map(sum, cm)) == n and sum(cm[k][k] for k in range(10)) == right
assert [sum(r) for r in cm] == [truth.count(str(k)) for k in range(10)], [sum(r) for r in cm]
PY
finish
