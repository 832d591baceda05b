#!/usr/bin/env bash
# cli_cv_opencl.sh: `train --cv 3` with --device opencl runs the grid on the OpenCL backend's
# grid_sums (the run names the device) and gives every fold model of every C the objective
# --device cpu gives, within 1e-6 relative, with the same rows per fold, on
# breast-cancer-wisconsin (binary) and tumors (softmax). Skips without an OpenCL device.
. "$(dirname "$0")/lib.sh"
need_shared breast-cancer-wisconsin.data
need_shared tumors.csv
"$LOGREG" devices > "$WORK/devices.txt" 2>&1 || fail "devices exited $?"
grep -q '^opencl:[0-9]*:[0-9]*' "$WORK/devices.txt" || { echo "SKIP: no OpenCL device" >&2; exit 77; }

cv_pair() { # cv_pair NAME DATA ARGS...: --cv 3 on cpu and opencl, fold objectives compared
  local name=$1 data=$2; shift 2
  for dev in cpu opencl; do
    "$LOGREG" train "$data" "$@" --cv 3 --sweep C=0.01,1,100 --device $dev --json \
      --model "$WORK/$name.$dev.model" > "$WORK/$name.$dev.json" 2> "$WORK/$name.$dev.err" \
      || { fail "$name --device $dev exited $?: $(cat "$WORK/$name.$dev.err")"; return; }
  done
  grep -q 'passes over X on opencl:' "$WORK/$name.opencl.err" \
    || fail "$name: the grid did not run on opencl: $(grep cross-validation "$WORK/$name.opencl.err")"
  python3 - "$WORK/$name.cpu.json" "$WORK/$name.opencl.json" <<'PY' && pass "$name --cv 3: opencl = cpu per fold (1e-6)" || fail "$name --cv 3: opencl differs from cpu"
import json, sys
a, b = (json.load(open(f))["cv"] for f in sys.argv[1:3])
assert len(a["values"]) == len(b["values"]) == 3
worst = 0.0
for va, vb in zip(a["values"], b["values"]):
    assert va["C"] == vb["C"]
    assert len(va["folds"]) == len(vb["folds"]) == 3
    for fa, fb in zip(va["folds"], vb["folds"]):
        assert (fa["train_rows"], fa["val_rows"]) == (fb["train_rows"], fb["val_rows"]), (fa, fb)
        r = abs(fa["objective"] - fb["objective"]) / abs(fa["objective"])
        worst = max(worst, r)
        assert r <= 1e-6, (va["C"], fa["objective"], fb["objective"])
        assert abs(fa["val_loss"] - fb["val_loss"]) <= 1e-5 * fa["val_loss"], (fa, fb)
print("  worst relative objective difference %.2g" % worst, file=sys.stderr)
assert a["best"] == b["best"], (a["best"], b["best"])
PY
}
cv_pair bcw "$SHARED/data/breast-cancer-wisconsin.data" --no-header --target 10 --drop 0
cv_pair tumors "$SHARED/data/tumors.csv" --target tumor_class

# --device auto: one pass of the grid is timed on the OpenCL device and on cpu, and the grid runs
# on the faster; the line names both timings and the one that ran, and the JSON the same.
"$LOGREG" train "$SHARED/data/tumors.csv" --target tumor_class --cv 3 --sweep C=1 --split 1,0,0 \
  --device auto --json --model "$WORK/auto.model" > "$WORK/auto.json" 2> "$WORK/auto.err" ||
  fail "--cv --device auto: $(cat "$WORK/auto.err")"
python3 - "$WORK/auto.json" "$WORK/auto.err" <<'PY' && pass "--device auto: the grid on the faster of cpu and opencl, said" || fail "--device auto: $(grep cross-validation "$WORK/auto.err")"
import json, re, sys
cv = json.load(open(sys.argv[1]))["cv"]
err = open(sys.argv[2]).read()
m = re.search(r"a pass of the grid took ([0-9.e+-]+) ms on cpu, ([0-9.e+-]+) ms on (opencl:\S+)", cv["why"])
assert m, cv
t_cpu, t_dev = float(m.group(1)), float(m.group(2))
ran = cv["device"]
assert ran.startswith("cpu") == (t_cpu < t_dev), (t_cpu, t_dev, ran)
assert ran.startswith("cpu") or ran.startswith(m.group(3)), (ran, m.group(3))
assert "(--device auto: " + cv["why"] + ")" in err, err
PY
finish
