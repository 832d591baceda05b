#!/usr/bin/env bash
# cli_metrics.sh: the metrics `eval` reports (issue 26), held to scikit-learn's on its own
# computation from the same probabilities (`predict --json`, which prints numbers that read back
# exactly): ROC AUC, average precision and the Brier score within 1e-12 on a binary model, a
# two-class softmax and a four-class model, on data with tied probabilities of both classes
# (features rounded, so rows repeat); per class one-vs-rest, macro and weighted; the macro
# precision/recall/F1 row; the confusion matrix labelled with the class names in --json; train's
# test report is the same numbers. `train --cv --scoring roc_auc` chooses the C of the highest
# mean fold AUC, each fold's AUC scikit-learn's for scikit-learn's model of that fold, and
# another C than the default log loss chooses; --scoring accuracy takes the highest mean
# accuracy; a bad --scoring is one line.
# scikit-learn comes from Debian's /usr/bin/python3 (skip when it lacks numpy or sklearn).
. "$(dirname "$0")/lib.sh"
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3
"$PY" -c "import numpy, sklearn" 2>/dev/null \
  || { echo "SKIP: numpy or scikit-learn missing for $PY" >&2; exit 77; }
cd "$WORK" || exit 1

"$LOGREG" gen tumors --rows 1000 --seed 7 -o tumors.csv > /dev/null 2> err || fail "gen tumors: $(cat err)"
"$LOGREG" gen blobs --rows 600 --features 3 --classes 4 --spread 3 --seed 1 -o blobs.csv \
  > /dev/null 2> err || fail "gen blobs: $(cat err)"
# Ties: the features rounded (tumors to integers, blobs to multiples of 5), so that rows repeat and equal probabilities fall on
# rows of different classes.
"$PY" - <<'PY' || fail "rounding the data"
import csv
for src, dst, step in [("tumors.csv", "tumors_r.csv", 1), ("blobs.csv", "blobs_r.csv", 5)]:
    rows = list(csv.reader(open(src)))
    with open(dst, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(rows[0])
        for r in rows[1:]:
            w.writerow(["%g" % (step * round(float(v) / step)) for v in r[:-1]] + [r[-1]])
PY

# compare MODEL DATA: eval --json (and the text table) against scikit-learn on predict's
# probabilities of the same rows.
compare() {
  "$LOGREG" eval --model "$1" "$2" --json > ev.json 2> err || { fail "eval $1 $2: $(cat err)"; return; }
  "$LOGREG" eval --model "$1" "$2" > ev.txt 2> err || { fail "eval $1 $2 (text): $(cat err)"; return; }
  "$LOGREG" predict --model "$1" "$2" --json > pr.jsonl 2> err || { fail "predict $1 $2: $(cat err)"; return; }
  "$PY" - "$1" "$2" <<'PY' && pass "eval $1 on $2: scikit-learn's AUC, average precision, Brier" \
    || fail "eval $1 on $2 against scikit-learn"
import csv, json, sys
import numpy as np
from sklearn.metrics import (average_precision_score, brier_score_loss, confusion_matrix,
                             precision_recall_fscore_support, roc_auc_score)
model, data = json.load(open(sys.argv[1])), sys.argv[2]
classes = model["classes"]
K = len(classes)
rows = list(csv.reader(open(data)))
y = np.array([classes.index(r[-1]) for r in rows[1:]])
P = np.array([[json.loads(l)["proba"][c] for c in classes] for l in open("pr.jsonl")])
ev = json.load(open("ev.json"))
assert P.shape == (len(y), K), P.shape

# The rounded data has ties of both classes, which the trapezoid between distinct scores
# handles: rows of several classes share a probability.
col = P[:, 1] if K == 2 else P[:, 0]
groups = {}
for s, c in zip(col, y):
    groups.setdefault(s, set()).add(c)
mixed = sum(len(g) > 1 for g in groups.values())
assert mixed >= 10 if data.endswith("_r.csv") else len(groups) == len(y), (len(groups), mixed)

Y = np.eye(K)[y]  # one-hot (label_binarize gives one column for two classes)
def close(a, b, what):
    assert abs(a - b) <= 1e-12, (what, a, b, a - b)
if K == 2:
    close(ev["roc_auc"], roc_auc_score(y, P[:, 1]), "roc_auc")
    close(ev["average_precision"], average_precision_score(y, P[:, 1]), "average_precision")
    close(ev["brier_score"], brier_score_loss(y, P[:, 1]), "brier")
else:
    close(ev["roc_auc"], roc_auc_score(y, P, multi_class="ovr"), "roc_auc")
    close(ev["average_precision"], average_precision_score(Y, P), "average_precision")
    # Brier's multi-category score: the mean over rows of the sum over classes.
    close(ev["brier_score"], np.mean(np.sum((P - Y) ** 2, axis=1)), "brier")
for avg in ("macro", "weighted"):
    close(ev[avg]["roc_auc"], roc_auc_score(Y, P, average=avg), avg + " roc_auc")
    close(ev[avg]["average_precision"], average_precision_score(Y, P, average=avg), avg + " AP")
auc_c, ap_c = roc_auc_score(Y, P, average=None), average_precision_score(Y, P, average=None)
for c, name in enumerate(classes):
    close(ev["per_class"][name]["roc_auc"], auc_c[c], name + " roc_auc")
    close(ev["per_class"][name]["average_precision"], ap_c[c], name + " AP")
pred = P.argmax(axis=1)
p, r, f, _ = precision_recall_fscore_support(y, pred, labels=range(K), average="macro",
                                             zero_division=0)
close(ev["macro"]["precision"], p, "macro precision")
close(ev["macro"]["recall"], r, "macro recall")
close(ev["macro"]["f1"], f, "macro f1")
assert ev["macro"]["support"] == len(y)
assert ev["confusion_matrix_labels"] == classes, ev["confusion_matrix_labels"]
assert ev["confusion_matrix"] == confusion_matrix(y, pred, labels=range(K)).tolist()

# The text table shows the same numbers (4 decimals).
txt = open("ev.txt").read()
assert " macro avg     %.4f    %.4f    %.4f" % (ev["macro"]["precision"], ev["macro"]["recall"],
                                                ev["macro"]["f1"]) in txt, txt
assert "Brier score        %.4f" % ev["brier_score"] in txt, txt
if K == 2:
    assert "ROC AUC            %.4f  (%s against %s)" % (ev["roc_auc"], classes[1], classes[0]) in txt, txt
    assert "average precision  %.4f  (%s)" % (ev["average_precision"], classes[1]) in txt, txt
else:
    assert "ROC AUC            %.4f macro, %.4f weighted" % (ev["macro"]["roc_auc"],
                                                           ev["weighted"]["roc_auc"]) in txt, txt
PY
}

common=(--device cpu --quiet)
"$LOGREG" train tumors.csv "${common[@]}" --binary --test tumors_r.csv --json --model bin.json \
  > bin.out 2> err || fail "train --binary: $(cat err)"
"$LOGREG" train tumors.csv "${common[@]}" --model soft.json > /dev/null 2> err || fail "train: $(cat err)"
"$LOGREG" train blobs.csv "${common[@]}" --model blobs.json > /dev/null 2> err || fail "train blobs: $(cat err)"
compare bin.json tumors_r.csv
compare bin.json tumors.csv
compare soft.json tumors_r.csv
compare blobs.json blobs_r.csv
compare blobs.json blobs.csv

# train's test report is eval's: the same numbers on the same rows (--test tumors_r.csv).
"$LOGREG" eval --model bin.json tumors_r.csv --json > ev.json 2> err || fail "eval: $(cat err)"
"$PY" - bin.out ev.json <<'PY' && pass "train's test metrics are eval's" || fail "train's test metrics"
import json, sys
t, e = json.load(open(sys.argv[1]))["test"]["metrics"], json.load(open(sys.argv[2]))
for k in ("roc_auc", "average_precision", "brier_score", "macro", "weighted",
          "confusion_matrix_labels", "per_class"):
    assert t[k] == e[k], (k, t[k], e[k])
PY

# --cv --scoring: tumors (binary) and blobs (4 classes) with the folds given (row index mod 5),
# every row in the folds, the penalty on the weights in the data's units (--penalty-scale raw).
# Reference: scikit-learn's LogisticRegression(C) on each fold's training rows (the same optimum,
# on the unscaled features), its AUC on the fold.
"$PY" - <<'PY' || fail "fold columns"
import csv
for src, dst in [("tumors.csv", "tumors_f.csv"), ("blobs.csv", "blobs_f.csv")]:
    rows = list(csv.reader(open(src)))
    with open(dst, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(rows[0] + ["fold"])
        for i, r in enumerate(rows[1:]):
            w.writerow(r + [str(i % 5)])
PY
cvopts=(--split 1,0,0 --folds fold --sweep C=0.001,0.01,0.1,1,10 --penalty-scale raw --tol 1e-10 --epochs 1000
        --device cpu --quiet --json --model cv.json)
for set in "tumors_f.csv tumor_class --binary" "blobs_f.csv label"; do
  read -r data target bin <<< "$set"
  for sc in roc_auc log_loss accuracy; do
    "$LOGREG" train "$data" --target "$target" ${bin:-} "${cvopts[@]}" --scoring $sc \
      > "cv_$sc.out" 2> err || fail "$data --scoring $sc: $(cat err)"
  done
  "$PY" - "$data" "$target" <<'PY' && pass "$data --cv --scoring roc_auc: scikit-learn's fold AUCs and C" \
    || fail "$data --cv --scoring against scikit-learn"
import csv, json, sys, warnings
import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
warnings.filterwarnings("ignore")
data, target = sys.argv[1], sys.argv[2]
rows = list(csv.reader(open(data)))
head = rows[0]
ti, fi = head.index(target), head.index("fold")
feat = [j for j in range(len(head)) if j not in (ti, fi)]
X = np.array([[float(r[j]) for j in feat] for r in rows[1:]])
labels = [r[ti] for r in rows[1:]]
classes = sorted(set(labels))
y = np.array([classes.index(v) for v in labels])
fold = np.array([int(r[fi]) for r in rows[1:]])
cv = {sc: json.load(open("cv_%s.out" % sc))["cv"] for sc in ("roc_auc", "log_loss", "accuracy")}
auc = cv["roc_auc"]
assert auc["scoring"] == "roc_auc" and cv["log_loss"]["scoring"] == "log_loss"
means = []
for v in auc["values"]:
    ref = []
    for f, fo in enumerate(v["folds"]):
        tr = fold != f
        m = LogisticRegression(C=v["C"], tol=1e-12, max_iter=100000).fit(X[tr], y[tr])
        P = m.predict_proba(X[~tr])
        ref.append(roc_auc_score(y[~tr], P[:, 1]) if len(classes) == 2
                   else roc_auc_score(y[~tr], P, multi_class="ovr"))
        assert abs(fo["val_roc_auc"] - ref[-1]) <= 1e-9, (v["C"], f, fo["val_roc_auc"], ref[-1])
    assert abs(v["val_roc_auc_mean"] - np.mean(ref)) <= 1e-9, (v, np.mean(ref))
    means.append(np.mean(ref))
best = auc["values"][int(np.argmax(means))]["C"]
assert auc["best"] == best, (auc["best"], best, means)
# The other scores choose by their own means: accuracy the highest (first of equals), log loss
# the lowest, which on tumors is another C than the AUC's (so the choice above is the AUC's).
acc = [v["val_accuracy_mean"] for v in cv["accuracy"]["values"]]
assert cv["accuracy"]["best"] == cv["accuracy"]["values"][int(np.argmax(acc))]["C"], acc
loss = [v["val_loss_mean"] for v in cv["log_loss"]["values"]]
assert cv["log_loss"]["best"] == cv["log_loss"]["values"][int(np.argmin(loss))]["C"], loss
if data.startswith("tumors"):
    assert cv["log_loss"]["best"] != best, (cv["log_loss"]["best"], best)
print("mean fold AUC per C:", ["%.6f" % m for m in means], "best C", best,
      "log loss's", cv["log_loss"]["best"], file=sys.stderr)
PY
done

# The text table gains the AUC columns and says what chose the value.
"$LOGREG" train tumors_f.csv --target tumor_class --binary --split 1,0,0 --folds fold \
  --sweep C=0.01,1 --scoring roc_auc --device cpu --quiet --model t.json > cv.txt 2> err \
  || fail "--scoring roc_auc (text): $(cat err)"
grep -q 'val ROC AUC       std  iterations' cv.txt &&
  grep -q '^training on all 1000 rows with the best by mean validation ROC AUC, C=' cv.txt &&
  [ "$(grep -c '<- best' cv.txt)" -eq 1 ] && pass "--scoring roc_auc: the table" \
  || fail "--scoring roc_auc table: $(cat cv.txt)"

# Errors: one line, exit status 2, no model. A fold of one class has no AUC (fold 0 here: ten
# benign rows).
"$PY" - <<'PY' || fail "one-class fold"
import csv
rows = list(csv.reader(open("tumors.csv")))
with open("tumors_1.csv", "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(rows[0] + ["fold"])
    benign = 0
    for i, r in enumerate(rows[1:]):
        first = r[-1] == "benign" and benign < 10
        benign += first
        w.writerow(r + ["0" if first else str(1 + i % 2)])
PY
for args in "tumors.csv --cv 3 --scoring auc" "tumors.csv --scoring roc_auc" \
            "tumors_1.csv --target tumor_class --folds fold --scoring roc_auc"; do
  rm -f e.json
  "$LOGREG" train $args --device cpu --quiet --model e.json > /dev/null 2> err
  rc=$?
  [ $rc -eq 2 ] && [ "$(wc -l < err)" -eq 1 ] && grep -q '^logreg: error: --scoring' err &&
    [ ! -e e.json ] && pass "train $args: $(cat err)" || fail "train $args: status $rc, $(cat err)"
done
finish
