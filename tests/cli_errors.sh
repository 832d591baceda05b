#!/usr/bin/env bash
# cli_errors.sh: malformed input of each kind gives exactly one "logreg: error: ..." line on
# stderr naming the file:line:column or the option, a non-zero exit status (1..125), and
# leaves no model behind (every `expect` line below is one case). Then the valid extremes
# (values of 3.4e38 train to a finite model) and device faults (an allocation limit: auto
# falls back to cpu with one warning, an explicit device is one error line).
. "$(dirname "$0")/lib.sh"
cd "$WORK" || exit 1

printf 'a,b,y\n1,2,x\n3,4,y\n5,6\n' > ragged.csv
printf 'a,b,y\n1,zz,x\n3,4,y\n' > nonnum.csv
printf 'a,b,y\n' > header.csv
: > empty.csv
printf 'a,b,y\n1,"2,x\n' > quote.csv
printf 'a,b,y\n1,"2"x,x\n' > afterquote.csv
printf 'a,b,y\n1,2,x\n3,4,x\n' > oneclass.csv
printf 'a,b,y\n1,2,x\n3,4,y\n5,6,z\n' > three.csv
printf 'a,b,y\n1,inf,x\n3,4,y\n' > inf.csv
printf 'a,b,y\n1,nan,x\n3,4,y\n' > nan.csv
printf 'a,b,y\n1,1e39,x\n3,4,y\n' > huge.csv
printf 'a,b,y\n1,2,\n3,4,y\n' > nolabel.csv
printf '1 0:1 2:3\n' > zero.svm
printf '1 3:1 2:3\n' > unsorted.svm
printf '1 1:x\n' > badval.svm
printf '\x00\x00\x09\x03\x00\x00\x00\x01\x00\x00\x00\x01\x00\x00\x00\x01\x05' > wrongmagic-ubyte
printf '\x00\x00\x08\x03\x00\x00\x00\x02\x00\x00\x00\x02\x00\x00\x00\x02\x01\x02' > short-ubyte
printf 'a,b,y\n1,2,x\n3,4,y\n1,2,x\n3,4,y\n' > ok.csv
printf 'a,y\n1,x\n' > fewfeat.csv
printf 'a,b,y\n1,2,q\n' > unseen.csv
"$LOGREG" train ok.csv --split 1,0,0 --quiet --model m.json >/dev/null 2>&1 || fail "setup model"
head -c 60 m.json > trunc.json
printf '{"format": 1}' > nokeys.json
sed 's/"weights":/"weightz":/' m.json > renamed.json
# Binary garbage (a fixed pseudo-random 3000 bytes, NULs included) under each format's name.
python3 -c 'import random, sys; r = random.Random(7); sys.stdout.buffer.write(bytes(r.randrange(256) for _ in range(3000)))' > garbage.csv
cp garbage.csv garbage.svm && cp garbage.csv garbage-ubyte && cp garbage.csv garbage.json
printf 'a,b,y\n1,2\0003,x\n3,4,y\n' > nul.csv
printf '1 1:2\0003\n2 1:1\n' > nul.svm
printf '1 1:1\n2 8888888813:1\n' > hugeindex.svm
printf '1:2 3:4\n' > nolabel.svm
printf 'a,b\n1,2\n' > twocol.csv
printf '1 1:1 2:2\n2 1:3 2:1\n1 1:1\n2 2:5\n' > ok.svm
printf '1 1:1 5:1\n' > wide.svm
printf '1 1:1\n0 2:1 2:3\n' > dup.svm
printf '1 1:1\n0 2147483648:1\n' > over31.svm
printf '1 1:1\n0 2:1.5x\n' > junkval.svm
printf '1 1:1\n0 2x:1\n' > junkidx.svm
printf '1 2000000000:1\n0 1:1\n' > dense-weights.svm
"$LOGREG" train ok.svm --split 1,0,0 --quiet --device cpu --model msvm.json > /dev/null 2>&1 || fail "setup svm model"
printf '1,2,3,x\n3,4,5,y\n' > nh4.csv
python3 - << 'PYEOF'
import gzip, struct
def idx(dims, payload):
    return bytes([0, 0, 8, len(dims)]) + b"".join(struct.pack(">I", d) for d in dims) + payload
open("img-ubyte", "wb").write(idx([4, 2, 2], bytes(range(16))))
open("lab-ubyte", "wb").write(idx([4], bytes([0, 1, 0, 1])))
open("lab3-ubyte", "wb").write(idx([3], bytes([0, 1, 0])))
open("lab2d-ubyte", "wb").write(idx([4, 1, 1], bytes(4)))
open("labnew-ubyte", "wb").write(idx([4], bytes([0, 1, 0, 2])))
open("img9-ubyte", "wb").write(idx([4, 3, 3], bytes(36)))
open("trailing-ubyte", "wb").write(idx([4, 2, 2], bytes(17)))
open("trunc-ubyte.gz", "wb").write(gzip.compress(idx([4, 2, 2], bytes(range(16))), mtime=0)[:-9])
PYEOF
"$LOGREG" train img-ubyte --labels lab-ubyte --split 1,0,0 --quiet --device cpu --model midx.json > /dev/null 2>&1 || fail "setup idx model"
python3 - << 'PYEOF'
import json
t = open("m.json").read()
open("nan.json", "w").write(t.replace('"bias": [', '"bias": [NaN, ', 1))
j = json.loads(t)
j["bias"][0] = 1e999  # json.dumps writes Infinity; the loader must refuse the overflow instead
open("inf.json", "w").write(json.dumps(j).replace("Infinity", "1e999"))
j = json.loads(t); j["scaler"]["std"][0] = 0
open("std0.json", "w").write(json.dumps(j))
j = json.loads(t); j["options"]["scale"] = "mean"
open("scale.json", "w").write(json.dumps(j))
j = json.loads(t); del j["options"]["scale"]  # a model saved before --scale: std
open("noscale.json", "w").write(json.dumps(j))
j = json.loads(t); j["classes"] = ["x", "x"]
open("dupclass.json", "w").write(json.dumps(j))
j = json.loads(t); j["weights"] = j["weights"][:1]
open("rows.json", "w").write(json.dumps(j))
j = json.loads(t); j["format"] = 2
open("format2.json", "w").write(json.dumps(j))
open("trailing.json", "w").write(t + "}")
open("nulmodel.json", "wb").write(t.encode()[:40] + b"\0" + t.encode()[40:])
PYEOF
: > emptymodel.json

# expect "SUBSTRING" logreg-args...
expect() {
  local want=$1; shift
  rm -f out.json
  "$LOGREG" "$@" > /dev/null 2> err.txt
  local rc=$? lines
  lines=$(wc -l < err.txt)
  if [ "$rc" -lt 1 ] || [ "$rc" -gt 125 ]; then fail "$*: exit status $rc"; return; fi
  if [ "$lines" -ne 1 ]; then fail "$*: $lines lines on stderr: $(cat err.txt)"; return; fi
  if ! grep -q '^logreg: error: ' err.txt; then fail "$*: no 'logreg: error:' prefix: $(cat err.txt)"; return; fi
  if ! grep -qF -- "$want" err.txt; then fail "$*: expected \"$want\" in: $(cat err.txt)"; return; fi
  if [ -e out.json ]; then fail "$*: wrote a model"; return; fi
  pass "$* -> $(cat err.txt)"
}

T="--quiet --model out.json"
expect "missing.csv: cannot open" train missing.csv $T
expect "empty.csv: empty file" train empty.csv $T
expect "header.csv: no data rows" train header.csv $T
expect "ragged.csv:4: expected 3 fields, found 2" train ragged.csv $T
expect 'nonnum.csv:2:2: not a number: "zz"' predict --model m.json nonnum.csv
expect "quote.csv:2:2: unterminated quoted field" train quote.csv $T
expect "afterquote.csv:2:2:" train afterquote.csv $T
expect "inf.csv:2:2: non-finite value" train inf.csv $T
expect "nan.csv:2:2: non-finite value" train nan.csv --na-values none $T
expect "huge.csv:2:2:" train huge.csv $T
expect "nolabel.csv:2:3: missing label" train nolabel.csv --missing-label error $T
expect '--missing-label: "drop" is not one of skip, error' train ok.csv --missing-label drop $T
expect '--decimal: "comma" is not . or ,' train ok.csv --decimal comma $T
expect "only 1 class" train oneclass.csv $T
expect "--binary requires exactly 2 classes" train three.csv --binary $T
expect 'target column "nope"' train three.csv --target nope $T
expect "three.csv" train three.csv --target 7 $T
expect 'drop column "zz"' train three.csv --drop zz $T
expect "zero.svm:1:3: feature index 0" train zero.svm $T
expect "unsorted.svm:1:7:" train unsorted.svm $T
expect "badval.svm:1:" train badval.svm $T
expect "wrongmagic-ubyte: " train wrongmagic-ubyte $T
expect "short-ubyte: " train short-ubyte $T
expect "unknown option --frob" train ok.csv --frob $T
expect '--lr: "abc" is not a number' train ok.csv --lr abc $T
expect "--lr must be > 0" train ok.csv --lr -1 $T
expect "--epochs" train ok.csv --epochs 0 $T
expect "--epochs" train ok.csv --epochs 1.5 $T
expect "--split" train ok.csv --split 0.5,0.5 $T
expect "--split" train ok.csv --split 0.5,0.6,0.1 $T
expect "--optimizer" train ok.csv --optimizer rmsprop $T
expect "--class-weight" train ok.csv --class-weight heavy $T
expect "--pos-weight needs --binary" train ok.csv --pos-weight 2 $T
expect "--C must be a number > 0, or inf" train ok.csv --C 0 $T
expect "--C and --l2 both set the L2 strength" train ok.csv --C 1 --l2 0.1 $T
expect '--sweep: "0" is not a C > 0' train ok.csv --sweep C=1,0 $T
expect '--device: unknown device "gpu9"' train ok.csv --device gpu9 $T
# The device settings' environment variables are the CLI's (the library reads none): a bad
# value is a usage error naming the variable, like a bad option.
LOGREG_THREADS=many expect 'LOGREG_THREADS: "many" is not a whole number' train ok.csv $T
LOGREG_OPENCL_MAX_ALLOC=lots expect 'LOGREG_OPENCL_MAX_ALLOC: "lots"' train ok.csv $T
expect '--threads: "x" is not a whole number' train ok.csv --threads x $T
expect '--max-alloc: "-1" is not a whole number' bench --max-alloc -1 --device cpu
expect "--format" train ok.csv --format xml $T
expect "--lr needs a value" train ok.csv $T --lr
expect "train needs one DATA file" train --quiet
expect "unknown command" frobnicate
expect "--model is required" predict ok.csv
expect "fewfeat.csv:1:" predict --model m.json fewfeat.csv
expect 'unseen.csv:2:3: label "q"' eval --model m.json unseen.csv
expect "trunc.json:" predict --model trunc.json ok.csv
expect 'nokeys.json: missing key' predict --model nokeys.json ok.csv
expect 'renamed.json: missing key "weights"' predict --model renamed.json ok.csv
expect "nomodel.json" eval --model nomodel.json ok.csv
expect "no-such-dir/m.json" train ok.csv --quiet --model no-such-dir/m.json
expect "gen: unknown kind" gen circles
expect "--classes" gen blobs --classes 1 -o out.csv

# ---- More of the issue's list: binary garbage, NUL bytes, malformed numbers in options,
# impossible splits, broken IDX, LIBSVM and model files, wrong feature counts ----
expect "garbage.csv:1: NUL byte at byte 144 of the line" train garbage.csv $T
expect "garbage.svm:1:144: NUL byte" train garbage.svm $T
expect "garbage-ubyte: not an IDX file: magic" train garbage-ubyte $T
expect "garbage.json:1:" predict --model garbage.json ok.csv
expect "nul.csv:2: NUL byte" train nul.csv $T
expect "nul.svm:1:6: NUL byte" train nul.svm $T
expect "hugeindex.svm:2:3: feature index 8888888813 is too large" train hugeindex.svm $T
expect "nolabel.svm:1:1: missing label" train nolabel.svm $T
expect "dup.svm:2:7: feature index 2 after index 2" train dup.svm $T
expect "over31.svm:2:3: feature index 2147483648 is too large: at most 2147483647" train over31.svm $T
expect 'junkval.svm:2:5: not a number: "1.5x"' train junkval.svm $T
expect 'junkidx.svm:2:3: bad feature index "2x"' train junkidx.svm $T
expect '--scale: "mean" is not one of std, maxabs, none' train ok.svm --scale mean $T
expect "2000000000 features x 2 weight columns: at most 8388608 weights" train dense-weights.svm $T
expect "--cv 9: more folds than the 4 training rows" train ok.svm --cv 9 --split 1,0,0 --device cpu $T
expect 'target column "y" not found' train twocol.csv --target y $T
expect "no feature columns left" train twocol.csv --drop a $T
expect '--lr: "1e" is not a number' train ok.csv --lr 1e $T
expect '--lr: "" is not a number' train ok.csv --lr '' $T
expect '--lr: "inf" is not a finite number' train ok.csv --lr inf $T
expect '--l2: "nan" is not a finite number' train ok.csv --l2 nan $T
expect "--l2 must be a finite number >= 0" train ok.csv --l2 -1 $T
expect '--epochs: "10abc"' train ok.csv --epochs 10abc $T
expect '--epochs: "99999999999999"' train ok.csv --epochs 99999999999999 $T
expect '--seed: "-1"' train ok.csv --seed -1 $T
expect '--seed: "99999999999999999999999"' train ok.csv --seed 99999999999999999999999 $T
expect '--batch-size: "1e3"' train ok.csv --batch-size 1e3 $T
expect '--batch-size: "-5"' train ok.csv --batch-size -5 $T
expect '--patience: "x"' train ok.csv --patience x $T
expect "--tol must be a finite number >= 0" train ok.csv --tol -1 $T
expect "--pos-weight must be a finite number > 0" train ok.csv --binary --pos-weight 0 $T
expect "--momentum must be in [0, 1)" train ok.csv --optimizer momentum --momentum 2 $T
expect '--split: "0.7,abc,0.3"' train ok.csv --split 0.7,abc,0.3 $T
expect '--split: "0.5,0.5,0,0"' train ok.csv --split 0.5,0.5,0,0 $T
expect '--split: "0,1,0" must be fractions' train ok.csv --split 0,1,0 $T
expect "--split: the training part of 4 rows is empty" train ok.csv --split 0.1,0.45,0.45 $T
expect "--patience needs a validation split" train ok.csv --split 1,0,0 --patience 3 $T
expect "lab3-ubyte: 3 labels, but img-ubyte holds 4 images" train img-ubyte --labels lab3-ubyte $T
expect "lab2d-ubyte: not an IDX labels file" train img-ubyte --labels lab2d-ubyte $T
expect "trailing-ubyte: expected 16 bytes of data, found 17" train trailing-ubyte --labels lab-ubyte $T
expect "trunc-ubyte.gz: gzip: unexpected end of file" train trunc-ubyte.gz --labels lab-ubyte $T
expect "img-ubyte: no labels" train img-ubyte $T
expect "img9-ubyte: 9 features, but the model expects 4" predict --model midx.json img9-ubyte
expect "labnew-ubyte: label 2 of item 3" eval --model midx.json img-ubyte --labels labnew-ubyte
expect "wide.svm:1:7: feature index 5 is beyond the model's 2 features" predict --model msvm.json wide.svm
expect "nh4.csv:1: expected 3 fields (as in training) or 2" predict --model m.json nh4.csv --no-header
expect "nan.json:" predict --model nan.json ok.csv
expect 'inf.json: "bias"[0] must be a finite number' predict --model inf.json ok.csv
expect '"scaler.std"[0] must be > 0' predict --model std0.json ok.csv
expect '"options.scale"' predict --model scale.json ok.csv
"$LOGREG" predict --model noscale.json ok.csv > /dev/null 2> err.txt \
  && pass "a model without options.scale loads (std)" || fail "noscale.json: $(cat err.txt)"
expect 'dupclass.json: "classes" lists "x" twice' predict --model dupclass.json ok.csv
expect 'rows.json: "weights" must have 2 rows' predict --model rows.json ok.csv
expect "format2.json: unsupported model format 2" predict --model format2.json ok.csv
expect "trailing.json:" predict --model trailing.json ok.csv
expect "nulmodel.json:" predict --model nulmodel.json ok.csv
expect "emptymodel.json: empty file" predict --model emptymodel.json ok.csv
expect ".: cannot read" train . $T
N_CASES=$(grep -cE '^ *expect ' "$0")

# ---- Extreme but valid: |x| up to 3.4e38 (float32's limit) trains without overflow, because
# the scaler's statistics are computed in double; every number in the model is finite ----
printf 'a,b,y\n1,1e38,x\n2,-1e38,y\n3,3.4e38,x\n4,-3.4e38,y\n1,1e-38,x\n2,0,y\n5,2e38,x\n6,-2e38,y\n' > big.csv
if "$LOGREG" train big.csv --device cpu --split 1,0,0 --quiet --model big.json > /dev/null 2> err.txt &&
  python3 -c '
import json, math, sys
j = json.load(open("big.json"))
vals = [v for r in j["weights"] + j["weights_raw"] for v in r] + j["bias"] + j["bias_raw"] + \
       j["scaler"]["mean"] + j["scaler"]["std"] + [j["metrics"]["train"]["loss"]]
sys.exit(0 if all(isinstance(v, (int, float)) and math.isfinite(v) for v in vals) else 1)' &&
  "$LOGREG" predict --model big.json big.csv --proba > p.csv 2>> err.txt &&
  ! grep -qiE 'nan|inf' p.csv; then
  pass "values of 3.4e38 train to a finite model and finite probabilities"
else
  fail "values of 3.4e38: $(cat err.txt)"
fi

# ---- Device faults (need an OpenCL device): an allocation limit of 4 KiB ----
if "$LOGREG" devices 2> /dev/null | grep -q '^opencl:[0-9]*:[0-9]*'; then
  # 600 rows x 4 features: 9.4 KiB of training data, over the 4 KiB limit.
  "$LOGREG" gen blobs --rows 600 --features 4 --classes 2 --seed 3 -o blobs.csv > /dev/null 2>&1 ||
    fail "setup: gen blobs"
  # auto: one warning naming the cause, then the run goes on on cpu and saves its model.
  # (X itself would be split over several buffers; the parameters, 5 x 2 floats, cannot be.)
  # LOGREG_AUTO_KEEPS_DEVICE=1: auto would take cpu for data this small without setting the
  # device up (logreg_hooks.h).
  LOGREG_AUTO_KEEPS_DEVICE=1 LOGREG_OPENCL_MAX_ALLOC=16 "$LOGREG" train blobs.csv --device auto --quiet --json \
    --model auto.json > auto.out 2> err.txt
  rc=$?
  if [ "$rc" -eq 0 ] && [ "$(wc -l < err.txt)" -eq 1 ] &&
    grep -q '^logreg: warning: .*largest allocation.*falling back to --device cpu' err.txt &&
    [ "$(json auto.out 'j["backend"]')" = cpu ] && [ -s auto.json ]; then
    pass "auto with LOGREG_OPENCL_MAX_ALLOC=16 -> $(cat err.txt)"
  else
    fail "auto with LOGREG_OPENCL_MAX_ALLOC=16: exit $rc, stderr: $(cat err.txt)"
  fi
  # An explicit device: an error naming the buffer and the sizes, no model. (The first buffer
  # over the limit is the backend's first allocation: since the solver layer, the sums.)
  export LOGREG_OPENCL_MAX_ALLOC=16
  expect "needs" train blobs.csv --device opencl --quiet --model out.json
  grep -qE '(parameters|sums) needs 40 bytes, more than the device.s largest allocation \(16 bytes\)' err.txt ||
    fail "--device opencl over the allocation limit: sizes not named: $(cat err.txt)"
  unset LOGREG_OPENCL_MAX_ALLOC
else
  echo "skip: no OpenCL device: the allocation-limit checks did not run" >&2
fi
echo "bad-input cases: $N_CASES (each one error line, status 1..125, no model)" >&2
finish
