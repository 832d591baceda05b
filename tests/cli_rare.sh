#!/usr/bin/env bash
# cli_rare.sh: rare categories (issue 26, item 7) held to scikit-learn's OneHotEncoder on a table
# the script writes itself (a numeric column, a text column with Zipf-like counts and missing
# values, an integer-coded column made categorical, the label):
# - `--min-frequency N`, `--max-categories K --infrequent` and both together give, column by
#   column, the features of OneHotEncoder(min_frequency=N, max_categories=K) fitted on the file
#   ("col=a" for "col_a", "col=" for "col_nan", "col=infrequent" for "col_infrequent_sklearn",
#   the group last);
# - predict's probabilities equal those recomputed in Python from weights_raw/bias_raw and
#   OneHotEncoder(handle_unknown="infrequent_if_exist").transform on a file with rare, unseen and
#   missing values (1e-6): unseen ones go to the group and are not counted as unseen;
# - the data: line counts the grouped categories; the errors are one line each, a malformed
#   group in a model file too.
# scikit-learn comes from Debian's /usr/bin/python3 (skip when it lacks pandas or sklearn).
. "$(dirname "$0")/lib.sh"
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3
"$PY" -c "import numpy, pandas, sklearn" 2>/dev/null \
  || { echo "SKIP: numpy, pandas or scikit-learn missing for $PY" >&2; exit 77; }
cd "$WORK" || exit 1

"$PY" - <<'PY' || fail "writing the data"
import random
r = random.Random(7)
cats = "abcdefghij"
freq = [300, 200, 120, 60, 25, 14, 9, 5, 2, 1]
rows = []
for c, f in zip(cats, freq):
    for _ in range(f):
        x = round(r.gauss(0, 1), 3)
        code = r.choice([1, 1, 1, 2, 2, 3, 5, 8, 8, 13])
        col = c if r.random() > 0.02 else ""
        s = x + {"a": 0.5, "b": -0.5, "c": 1.0}.get(c, 0) + (0.3 if code > 3 else 0) + r.gauss(0, 1)
        rows.append((x, col, code, "yes" if s > 0 else "no"))
r.shuffle(rows)
with open("rare.csv", "w") as f:
    f.write("x,shop,code,label\n")
    for x in rows:
        f.write("%s,%s,%d,%s\n" % x)
# To predict: rare (i, j), unseen (zz, 99), missing, and frequent values.
with open("new.csv", "w") as f:
    f.write("x,shop,code\n")
    for i, (s, c) in enumerate([("a", 1), ("i", 13), ("j", 8), ("zz", 99), ("", 2), ("c", 5),
                                ("e", 3), ("f", 21), ("h", 1)]):
        f.write("%.3f,%s,%d\n" % (0.1 * i - 0.4, s, c))
PY

fit=(--device cpu --C 1 --split 1,0,0 --categorical code --quiet)
# compare ARGS...: train with ARGS, then the features against OneHotEncoder's with the same
# settings (read from ARGS), and predict on new.csv against the probabilities recomputed from the
# model's raw weights on OneHotEncoder's transform.
compare() {
  local what="$*"
  "$LOGREG" train rare.csv "${fit[@]}" "$@" --model m.json > /dev/null 2> err ||
    { fail "train $what: $(cat err)"; return; }
  "$LOGREG" predict --model m.json new.csv --proba > p.csv 2> perr ||
    { fail "predict $what: $(cat perr)"; return; }
  # Unseen values are counted only in a column without a group (there they encode as zeros).
  for col in shop code; do
    grep -q "^$col=infrequent\$" <(json m.json "'\n'.join(j['features'])") && grep -q "($col:\|, $col:" perr &&
      fail "predict $what: unseen $col values counted though the column has a group: $(cat perr)"
  done
  "$PY" - "$@" <<'PY' && pass "$what: OneHotEncoder's features and probabilities" || fail "$what"
import json, sys
import numpy as np, pandas as pd
from sklearn.preprocessing import OneHotEncoder
a = sys.argv[1:]
opt = lambda k: int(a[a.index(k) + 1]) if k in a else None
mf, mc = opt("--min-frequency"), opt("--max-categories") if "--infrequent" in a else None
m = json.load(open("m.json"))
d = pd.read_csv("rare.csv")
enc = OneHotEncoder(min_frequency=mf, max_categories=mc, handle_unknown="infrequent_if_exist")
enc.fit(d[["shop", "code"]])
def ours(name):
    col, _, cat = name.rpartition("_")
    if cat == "sklearn":
        return name[: -len("_infrequent_sklearn")] + "=infrequent"
    return col + "=" + ("" if cat == "nan" else cat)
want = [ours(n) for n in enc.get_feature_names_out()]
got = m["features"][1:]
for col in ("shop", "code"):
    w = [f for f in want if f.startswith(col + "=")]
    g = [f for f in got if f.startswith(col + "=")]
    assert sorted(w) == sorted(g), (col, w, g)
    assert (col + "=infrequent" in g) == (g[-1] == col + "=infrequent"), g
assert m["features"][0] == "x"
# The probabilities from the raw weights on scikit-learn's encoding of new.csv.
n = pd.read_csv("new.csv", dtype={"shop": str})
n["code"] = n["code"].astype(d["code"].dtype)
oh = enc.transform(n[["shop", "code"]]).toarray()
cols = {f: i for i, f in enumerate(want)}
X = np.column_stack([n["x"].to_numpy()] + [oh[:, cols[f]] for f in got])
W, b = np.array(m["weights_raw"]), np.array(m["bias_raw"])
z = X @ W + b if W.shape[0] == X.shape[1] else X @ W.T + b
p = np.exp(z - z.max(axis=1, keepdims=True))
p /= p.sum(axis=1, keepdims=True)
out = pd.read_csv("p.csv")
q = out[["p_no", "p_yes"]].to_numpy()
assert np.abs(p - q).max() <= 1e-6, (p, q)
PY
}
compare --min-frequency 10
compare --max-categories 5 --infrequent
compare --max-categories 6 --infrequent --min-frequency 20
compare --min-frequency 1000

"$LOGREG" train rare.csv --device cpu --split 1,0,0 --categorical code --epochs 1 --min-frequency 10 \
  --model m.json > /dev/null 2> err
rare=$("$PY" -c '
import pandas as pd
d = pd.read_csv("rare.csv", keep_default_na=False, dtype=str)
print(sum(int((d[c].value_counts() < 10).sum()) for c in ("shop", "code")))')
grep -q "^data: rare.csv: 736 rows, .*, $rare rare categories grouped into COLUMN=infrequent, 0 dropped;" err &&
  pass "the data: line counts the $rare grouped categories" || fail "data: line ($rare): $(grep '^data' err)"

# The default stays an error; a cap of 1 and a real category named "infrequent" are one line.
"$LOGREG" train rare.csv "${fit[@]}" --max-categories 5 --model e.json > /dev/null 2> err
rc=$?
[ "$rc" -eq 1 ] && grep -q 'columns "shop" (10), "code" (6) have more distinct values than --max-categories 5' err &&
  [ ! -e e.json ] && pass "--max-categories without --infrequent still refuses" ||
  fail "--max-categories: rc $rc: $(cat err)"
"$LOGREG" train rare.csv "${fit[@]}" --max-categories 1 --infrequent --model e.json > /dev/null 2> err
rc=$?
[ "$rc" -eq 1 ] && [ "$(wc -l < err)" -eq 1 ] && grep -q "2 at least" err &&
  pass "--max-categories 1 --infrequent: $(cat err)" || fail "cap 1: rc $rc: $(cat err)"
sed 's/,a,/,infrequent,/' rare.csv > named.csv
"$LOGREG" train named.csv "${fit[@]}" --min-frequency 10 --model e.json > /dev/null 2> err
rc=$?
[ "$rc" -eq 1 ] && [ "$(wc -l < err)" -eq 1 ] && grep -q 'column "shop" has a category "infrequent"' err &&
  [ ! -e e.json ] && pass "a category named infrequent: $(cat err)" || fail "named: rc $rc: $(cat err)"
# A model file whose group is malformed is one line at load time.
"$LOGREG" train rare.csv "${fit[@]}" --min-frequency 10 --model g.json > /dev/null 2>&1
"$PY" - <<'PY'
import json
m = json.load(open("g.json"))
c = [e for e in m["categorical"] if e.get("infrequent")][0]
c["infrequent"] = "yes"
json.dump(m, open("g1.json", "w"))
c["infrequent"] = True
c["categories"][-1] = "other"
m["features"][m["features"].index(c["column"] + "=infrequent")] = c["column"] + "=other"
json.dump(m, open("g2.json", "w"))
PY
for bad in "g1.json:infrequent must be true or false" "g2.json:the last category must be \"infrequent\""; do
  "$LOGREG" predict --model "${bad%%:*}" new.csv > /dev/null 2> err
  rc=$?
  [ "$rc" -eq 1 ] && [ "$(wc -l < err)" -eq 1 ] && grep -qF -- "${bad#*:}" err &&
    pass "${bad%%:*}: $(cat err)" || fail "${bad%%:*}: rc $rc: $(cat err)"
done
finish
