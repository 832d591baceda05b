#!/usr/bin/env bash
# cli_sparse.sh: sparse LIBSVM data end to end on the cpu backend (issue 14, phase 1).
# `logreg gen sparse` writes 200 rows x 37 features (3 classes) and a row of zeros is added;
# `train --optimizer lbfgs --C 1 --scale std --tol 1e-10 --split 1,0,0` reaches scikit-learn's
# optimum (load_svmlight_file, StandardScaler(with_mean=False) fitted on the same rows,
# LogisticRegression(C=1, multinomial) polished by Newton in double, tests/ref/optimum_refs.py)
# within 1e-6 relative, with the model's scaler equal to scikit-learn's (mean 0, scale_) and
# options.scale "std"; --scale maxabs records MaxAbsScaler's scale_ (and on dense CSV data too,
# where std centres and maxabs and none do not); predict --proba from the
# sparse file equals softmax of the model's weights over the scaled rows; --test takes a LIBSVM
# file with a smaller largest index; mini-batch adam trains
# too; --device auto times cpu and the sparse kernels and keeps the faster; --device opencl (the sparse kernels)
# reaches the cpu run's lbfgs objective within 1e-6 relative, newton's too, repeats bit for bit,
# trains mini-batch adam, and names the array that does not fit a small allocation limit;
# gen sparse is reproducible; an index past 2^22 (4200001) trains with small memory.
# scikit-learn comes from Debian's /usr/bin/python3 (skip when it lacks numpy, scipy, sklearn).
. "$(dirname "$0")/lib.sh"
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3
"$PY" -c "import numpy, scipy, sklearn" 2>/dev/null \
  || { echo "SKIP: numpy, scipy or scikit-learn missing for $PY" >&2; exit 77; }
REF="${LOGREG_SOURCE_DIR:-$(dirname "$0")/..}/tests/ref"
cd "$WORK"

# The data: D = 37 (a prime: no multiple of any block size), a row with a label only.
"$LOGREG" gen sparse --rows 200 --features 37 --density 0.12 --classes 3 --seed 7 -o s.svm \
  2> err || fail "gen sparse exited $?: $(cat err)"
"$LOGREG" gen sparse --rows 200 --features 37 --density 0.12 --classes 3 --seed 7 -o s2.svm \
  2> err || fail "gen sparse (again) exited $?: $(cat err)"
cmp -s s.svm s2.svm && pass "gen sparse: same seed, same bytes" || fail "gen sparse differs"
printf '1\n' >> s.svm
grep -q ' 37:' s.svm || printf '2 37:0.5\n' >> s.svm # the last feature occurs: D = 37

T="--device cpu --split 1,0,0 --quiet --json"
"$LOGREG" train s.svm $T --optimizer lbfgs --C 1 --scale std --tol 1e-10 --epochs 1000 \
  --model m.json > t.json 2> err || fail "train lbfgs exited $?: $(cat err)"
"$PY" - t.json m.json s.svm "$REF" <<'PY' && pass "lbfgs --C 1 --scale std: scikit-learn's optimum" \
  || fail "lbfgs --C 1 --scale std vs scikit-learn"
import json, sys, warnings
import numpy as np
from sklearn.datasets import load_svmlight_file
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler
sys.path.insert(0, sys.argv[4])
import optimum_refs as ref
t, m = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
X, y = load_svmlight_file(sys.argv[3])
# As logreg reads them: float32 values, then scaled in double and stored as float32.
X = X.astype(np.float32).astype(np.float64)
y = y.astype(int)
n, d = X.shape
assert t["n_features"] == d == 37 and t["train"]["rows"] == n == 201, (t["n_features"], d, n)
assert (X.getnnz(axis=1) == 0).any()
sc = StandardScaler(with_mean=False).fit(X)
assert m["options"]["scale"] == "std", m["options"]
assert all(v == 0 for v in m["scaler"]["mean"])
assert np.allclose(m["scaler"]["std"], sc.scale_, rtol=1e-12, atol=0), (m["scaler"]["std"], sc.scale_)
xs = sc.transform(X).astype(np.float32).astype(np.float64).toarray()
k, C = 3, 1.0
lam = 1.0 / (C * n)
with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    lr = LogisticRegression(C=C, tol=1e-12, max_iter=100000, solver="newton-cg",
                            multi_class="multinomial").fit(xs, y)
theta = np.concatenate([lr.coef_.T.reshape(-1), lr.intercept_])
want, gmax = ref.polish(xs, y, k, False, lam, theta)
got = t["objective"]
assert abs(got - want) <= 1e-6 * want, (got, want, gmax)
print("objective %.12g, scikit-learn + Newton %.12g (rel %.2e)" % (got, want, abs(got - want) / want),
      file=sys.stderr)
PY

# predict --proba reads the sparse file as CSR: the probabilities are the softmax of the model.
"$LOGREG" predict --model m.json s.svm --proba > p.csv 2> err || fail "predict exited $?: $(cat err)"
"$LOGREG" eval --model m.json s.svm --json > e.json 2> err || fail "eval exited $?: $(cat err)"
"$PY" - m.json s.svm p.csv e.json <<'PY' && pass "predict --proba and eval from the sparse file" \
  || fail "predict/eval on sparse data"
import csv, json, sys
import numpy as np
from sklearn.datasets import load_svmlight_file
m = json.load(open(sys.argv[1]))
X, y = load_svmlight_file(sys.argv[2])
X = X.astype(np.float32).astype(np.float64).toarray()
W, b = np.array(m["weights"]), np.array(m["bias"])
z = (X - np.array(m["scaler"]["mean"])) / np.array(m["scaler"]["std"]) @ W + b
p = np.exp(z - z.max(axis=1, keepdims=True))
p /= p.sum(axis=1, keepdims=True)
rows = list(csv.reader(open(sys.argv[3])))
assert rows[0] == ["label", "p_0", "p_1", "p_2"], rows[0]
got = np.array([[float(v) for v in r[1:]] for r in rows[1:]])
assert got.shape == p.shape and np.abs(got - p).max() < 1e-9, np.abs(got - p).max()
acc = (p.argmax(axis=1) == y.astype(int)).mean()
assert abs(json.load(open(sys.argv[4]))["accuracy"] - acc) < 1e-12
PY

# --scale maxabs: MaxAbsScaler's scale, recorded.
"$LOGREG" train s.svm $T --optimizer lbfgs --scale maxabs --model mx.json > tx.json 2> err \
  || fail "train --scale maxabs exited $?: $(cat err)"
"$PY" - mx.json s.svm <<'PY' && pass "--scale maxabs: MaxAbsScaler's scale" || fail "--scale maxabs"
import json, sys
import numpy as np
from sklearn.datasets import load_svmlight_file
from sklearn.preprocessing import MaxAbsScaler
m = json.load(open(sys.argv[1]))
X, _ = load_svmlight_file(sys.argv[2])
X = X.astype(np.float32).astype(np.float64)
assert m["options"]["scale"] == "maxabs"
assert np.array_equal(m["scaler"]["std"], MaxAbsScaler().fit(X).scale_)
PY
"$LOGREG" train s.svm $T --optimizer lbfgs --scale none --model mn.json > /dev/null 2> err \
  || fail "train --scale none exited $?: $(cat err)"
[ "$(json mn.json "all(v == 1 for v in j['scaler']['std']), j['options']['scale']")" = "True none" ] \
  && pass "--scale none: scale 1" || fail "--scale none: $(json mn.json "j['options']['scale']")"

# Dense data takes --scale too: maxabs and none do not centre (mean 0), std still does.
"$LOGREG" gen blobs --rows 60 --features 3 --classes 2 --seed 3 -o b.csv 2> /dev/null
for sc in std maxabs none; do
  "$LOGREG" train b.csv $T --scale $sc --model "b_$sc.json" > /dev/null 2> err \
    || fail "dense --scale $sc exited $?: $(cat err)"
done
"$PY" - b.csv b_std.json b_maxabs.json b_none.json <<'PY' && pass "dense --scale std|maxabs|none" \
  || fail "dense --scale"
import json, sys
import numpy as np
x = np.loadtxt(sys.argv[1], delimiter=",", skiprows=1)[:, :-1].astype(np.float32).astype(np.float64)
s, a, n = (json.load(open(p)) for p in sys.argv[2:])
assert np.allclose(s["scaler"]["mean"], x.mean(axis=0), rtol=1e-12) and s["options"]["scale"] == "std"
assert np.allclose(s["scaler"]["std"], x.std(axis=0), rtol=1e-12)
assert not any(a["scaler"]["mean"]) and a["scaler"]["std"] == list(np.abs(x).max(axis=0))
assert not any(n["scaler"]["mean"]) and all(v == 1 for v in n["scaler"]["std"])
assert (a["options"]["scale"], n["options"]["scale"]) == ("maxabs", "none")
PY

# Mini-batches over CSR rows (ranges of the shuffled order), and newton's Hessian products.
"$LOGREG" train s.svm $T --optimizer adam --batch-size 16 --epochs 30 --model ma.json > ta.json \
  2> err || fail "train adam --batch-size exited $?: $(cat err)"
ge "$(json ta.json "j['train']['accuracy']")" 0.6 && pass "adam mini-batches on sparse data" \
  || fail "adam mini-batches: accuracy $(json ta.json "j['train']['accuracy']")"
"$LOGREG" train s.svm $T --optimizer newton --C 1 --tol 1e-10 --model mw.json > tw.json 2> err \
  || fail "train newton exited $?: $(cat err)"
"$PY" - t.json tw.json <<'PY' && pass "newton on sparse data: lbfgs's optimum" || fail "newton"
import json, sys
a, b = (json.load(open(p))["objective"] for p in sys.argv[1:])
assert abs(a - b) <= 1e-9 * a, (a, b)
PY

# --test with a LIBSVM file whose largest index is smaller: read with the training features.
printf '0 3:1\n1 2:1\n2 5:0.5\n' > te.svm
"$LOGREG" train s.svm --device cpu --test te.svm --quiet --json --model mt.json > tt.json 2> err \
  || fail "--test te.svm exited $?: $(cat err)"
[ "$(json tt.json "j['test']['rows'], j['n_features']")" = "3 37" ] \
  && pass "--test LIBSVM with fewer features" || fail "--test LIBSVM: $(cat tt.json err)"

# Devices: auto trains data this small (875 stored values, under 10^6) on cpu without timing
# or setting the device up, and says so; kept on the device (LOGREG_AUTO_KEEPS_DEVICE=1, as for
# larger data), it times one evaluation on cpu and on the OpenCL device and trains on the
# faster, saying both times. --device opencl trains on the sparse
# kernels: lbfgs reaches the cpu run's objective within 1e-6 relative, two runs write the same
# model file (no float atomics: fixed orders of additions), newton reaches it too, and
# mini-batch adam (ranges of the shuffled order) trains.
"$LOGREG" train s.svm --split 1,0,0 --device auto --model ma2.json > /dev/null 2> err \
  || fail "--device auto exited $?: $(cat err)"
if "$LOGREG" devices 2>/dev/null | grep -q '^opencl:'; then
  "$LOGREG" train s.svm --split 1,0,0 --device auto --json --quiet --model ma4.json > tu.json \
    2> err || fail "--device auto --json exited $?: $(cat err)"
  "$PY" - tu.json <<'PY' && pass "--device auto, 875 stored values: cpu, untimed" \
    || fail "--device auto on small sparse data: $(cat tu.json)"
import json, sys
j = json.load(open(sys.argv[1]))
assert j["backend"] == "cpu" and j["gemm"] is None, j
assert "875 values of training data (under 10^6), untimed" in j["device_choice"], j
PY
  LOGREG_AUTO_KEEPS_DEVICE=1 "$LOGREG" train s.svm --split 1,0,0 --device auto --json --quiet \
    --model ma3.json > ta.json 2> err || fail "--device auto --json exited $?: $(cat err)"
  "$PY" - ta.json <<'PY' && pass "--device auto: cpu and the sparse kernels timed, the faster kept" \
    || fail "--device auto: $(cat ta.json)"
import json, sys
j = json.load(open(sys.argv[1]))
g = j["gemm"]
ms = g["ms_per_evaluation"]
assert g["chosen_by"] == "measured" and set(ms) == {"cpu", "csr"}, g
assert g["path"] == min(ms, key=ms.get), g
assert j["device"].startswith("cpu") == (g["path"] == "cpu"), j["device"]
PY
  TO="--device opencl --split 1,0,0 --quiet --json"
  for r in 1 2; do
    "$LOGREG" train s.svm $TO --optimizer lbfgs --C 1 --scale std --tol 1e-10 --epochs 1000 \
      --model "mo$r.json" > "to$r.json" 2> err || fail "train --device opencl exited $?: $(cat err)"
  done
  "$PY" - t.json to1.json <<'PY' && pass "--device opencl lbfgs: the cpu run's objective" \
    || fail "--device opencl lbfgs objective"
import json, sys
a, b = (json.load(open(p))["objective"] for p in sys.argv[1:])
assert abs(a - b) <= 1e-6 * a, (a, b)
print("objective cpu %.12g, opencl %.12g (rel %.2e)" % (a, b, abs(a - b) / a), file=sys.stderr)
PY
  cmp -s mo1.json mo2.json && pass "--device opencl: two runs, the same model file" \
    || fail "--device opencl: two runs differ"
  "$LOGREG" train s.svm $TO --optimizer newton --C 1 --tol 1e-10 --model mon.json > ton.json \
    2> err || fail "train --device opencl newton exited $?: $(cat err)"
  "$PY" - t.json ton.json <<'PY' && pass "--device opencl newton: the cpu run's objective" \
    || fail "--device opencl newton objective"
import json, sys
a, b = (json.load(open(p))["objective"] for p in sys.argv[1:])
assert abs(a - b) <= 1e-6 * a, (a, b)
PY
  # Sparse arrays larger than the device's largest allocation: one error line, no model.
  LOGREG_OPENCL_MAX_ALLOC=1024 "$LOGREG" train s.svm --device opencl --gemm fused --split 1,0,0 \
    --quiet --model mbig.json > /dev/null 2> err
  rc=$?
  [ $rc -ne 0 ] && [ "$(wc -l < err)" -eq 1 ] && grep -q "training data's .*largest allocation" err \
    && [ ! -e mbig.json ] && pass "--device opencl: sparse data over the allocation limit, one line" \
    || fail "sparse data over the allocation limit: status $rc, $(cat err)"
  "$LOGREG" train s.svm $TO --optimizer adam --batch-size 16 --epochs 30 --model moa.json \
    > toa.json 2> err || fail "train --device opencl adam exited $?: $(cat err)"
  ge "$(json toa.json "j['train']['accuracy']")" 0.6 \
    && pass "--device opencl: adam mini-batches on sparse data" \
    || fail "--device opencl adam: accuracy $(json toa.json "j['train']['accuracy']")"
fi

# --cv on sparse rows (the cpu grid; test_sparse holds its folds to the dense grid's): the
# grid's table, and the final model is the optimum `train --C BEST` reaches (the refit starts
# from the chosen value's fold-mean weights, `train --C` from 0: the same objective within
# 1e-9, the same raw weights within 1e-5).
"$LOGREG" train s.svm $T --cv 3 --sweep C=0.1,10 --scale maxabs --tol 1e-9 --epochs 500 \
  --model mcv.json > tcv.json 2> err || fail "train --cv on sparse data exited $?: $(cat err)"
best=$(json tcv.json "j['cv']['best']")
"$LOGREG" train s.svm $T --C "$best" --scale maxabs --tol 1e-9 --epochs 500 --model mbest.json \
  > tbest.json 2> err || fail "train --C $best exited $?: $(cat err)"
r=$(python3 - tcv.json tbest.json mcv.json mbest.json <<'PY' 2>&1
import json, math, sys
a, b, ma, mb = (json.load(open(p)) for p in sys.argv[1:])
assert len(a["cv"]["values"]) == 2, a["cv"]
assert abs(a["objective"] - b["objective"]) <= 1e-9 * b["objective"], (a["objective"], b["objective"])
x = [v for row in ma["weights_raw"] for v in (row if isinstance(row, list) else [row])]
y = [v for row in mb["weights_raw"] for v in (row if isinstance(row, list) else [row])]
rel = math.sqrt(sum((p - q) ** 2 for p, q in zip(x, y)) / sum(q * q for q in y))
assert rel <= 1e-5, rel
print("objective rel %.1e, weights_raw %.1e" % (abs(a["objective"] / b["objective"] - 1), rel))
PY
) && pass "--cv 3 on sparse data: C = $best chosen, the optimum of --C $best: $r" \
  || fail "--cv on sparse data: best $best: $r"

# An index past 2^22: CSR memory, dense weights of 4200001 (binary: one column).
printf '1 3:1 4200001:2\n0 2:1\n1 3:0.5\n0 1:1 4200001:-1\n' > wide.svm
if [ -x /usr/bin/time ]; then
  /usr/bin/time -v "$LOGREG" train wide.svm $T --binary --optimizer gd --epochs 3 --model mw2.json \
    > tw2.json 2> err || fail "wide index exited $?: $(cat err)"
  rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' err)
  [ "$(json tw2.json "j['n_features']")" = 4200001 ] && [ "${rss:-0}" -lt 1500000 ] \
    && pass "index 4200001 trains (max RSS ${rss} kB)" || fail "wide index: RSS ${rss:-?} kB"
else
  "$LOGREG" train wide.svm $T --binary --optimizer gd --epochs 3 --model mw2.json > tw2.json \
    2> err && pass "index 4200001 trains" || fail "wide index exited $?: $(cat err)"
fi
finish
