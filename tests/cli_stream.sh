#!/usr/bin/env bash
# cli_stream.sh: data larger than the device (issue 15, phase 2). With --device-memory at a
# quarter of X, the training (and validation) X stays in host memory and streams to the device
# in chunks at each evaluation (host/backend/opencl_stream.c, "Streaming X from host memory"). On
# Fashion-MNIST's t10k images (10000 x 784, X = 31.4 MB; the limit 7.84 MB):
# - full-batch L-BFGS (15 steps, as tests/cli_mpi.sh: float32 L-BFGS stalls short of the optimum,
#   so the same steps are compared) and gd (lr 0.1, 10 epochs) reach the resident run's
#   objective within 1e-6 relative on the fused and tiled paths (measured on PoCL: lbfgs 5.5e-7
#   and 6.4e-7, gd 1e-11 and 1.6e-8; the chunks add the rows' partial sums in another order, as
#   MPI ranks do);
# - mini-batch Adam (batch 256, val split streamed too; chunks of 452 rows) saves the same model
#   bit for bit: a batch of at most one chunk is one kernel launch laid out as the resident one;
# - newton (Hessian-vector products), --gemm own and --cv grids are refused with one line
#   each, and data that fits is not streamed.
. "$(dirname "$0")/lib.sh"
F=${LOGREG_FASHION_DIR:-/usr/share/datasets/fashion-mnist}
for f in t10k-images-idx3-ubyte.gz t10k-labels-idx1-ubyte.gz; do
  [ -f "$F/$f" ] || { echo "SKIP: $F/$f not found" >&2; exit 77; }
done
cd "$WORK" || exit 1
"$LOGREG" devices > devices.txt 2>&1
grep -q '^opencl:[0-9]*:[0-9]*' devices.txt || { echo "SKIP: no OpenCL device" >&2; exit 77; }

data=("$F/t10k-images-idx3-ubyte.gz" --labels "$F/t10k-labels-idx1-ubyte.gz" --device opencl
      --quiet --json)
QUARTER=7840000 # a quarter of 10000 x 784 floats

# run NAME LIMIT ARGS...: trains into NAME.json (summary) and NAME.model.
run() {
  local name=$1 limit=$2
  shift 2
  "$LOGREG" train "${data[@]}" --device-memory "$limit" --model "$name.model" "$@" \
    > "$name.json" 2> "$name.err" || fail "$name: exit $?: $(tail -1 "$name.err")"
}
streamed() { json "$1.json" "'streamed' in j['device']"; }
relclose() {
  python3 -c "import sys; a, b, t = map(float, sys.argv[1:]); sys.exit(0 if abs(a - b) <= t * abs(b) else 1)" "$1" "$2" "$3"
}

for path in fused tiled; do
  for opt in "--optimizer lbfgs --epochs 15" "--optimizer gd --lr 0.1 --epochs 10"; do
    tag="$path ${opt// /_}"
    run res 0 --split 1,0,0 --gemm $path $opt
    run str $QUARTER --split 1,0,0 --gemm $path $opt
    [ "$(streamed res)" = False ] && [ "$(streamed str)" = True ] \
      && pass "$tag: streamed only under --device-memory ($(json str.json "j['device']"))" \
      || fail "$tag: streamed: resident $(streamed res), limited $(streamed str)"
    a=$(json str.json "repr(j['objective'])") b=$(json res.json "repr(j['objective'])")
    relclose "$a" "$b" 1e-6 && pass "$tag: objective $a vs resident $b (1e-6 relative)" \
      || fail "$tag: objective $a vs resident $b"
  done
  run res 0 --split 0.8,0.2,0 --gemm $path --optimizer adam --batch-size 256 --lr 0.001 --epochs 2
  run str $QUARTER --split 0.8,0.2,0 --gemm $path --optimizer adam --batch-size 256 --lr 0.001 \
    --epochs 2
  [ "$(streamed str)" = True ] || fail "$path adam: not streamed"
  # The model files differ only in the device's name (options.device says "streamed").
  python3 - res.model str.model <<'PY' && pass "$path adam: the same model, bit for bit" \
    || fail "$path adam: models differ"
import json, sys
a, b = (json.load(open(f)) for f in sys.argv[1:])
assert "streamed" in b["options"].pop("device") and "streamed" not in a["options"].pop("device")
assert a == b
PY
  [ "$(json res.json "repr(j['val']['loss'])")" = "$(json str.json "repr(j['val']['loss'])")" ] \
    || echo "note: $path adam val loss $(json str.json "j['val']['loss']") vs $(json res.json "j['val']['loss']")" >&2
done

# refused NAME PATTERN ARGS...: the run fails with one error line matching PATTERN.
refused() {
  local name=$1 pat=$2
  shift 2
  if "$LOGREG" train "${data[@]}" --device-memory $QUARTER "$@" --model r.model > r.json 2> r.err
  then
    fail "$name with streamed X: exit 0"
  else
    [ "$(wc -l < r.err)" = 1 ] && grep -q "$pat" r.err && pass "$name refused: $(cat r.err)" \
      || fail "$name: $(cat r.err)"
  fi
}
refused newton "Hessian-vector products need X on the device" --split 1,0,0 \
  --optimizer newton --epochs 2
refused "--gemm own" "gemm own needs X on the device" --split 1,0,0 --gemm own --epochs 2
refused "--cv" "cross-validation grids need X on the device" --cv 2 --sweep C=0.1,1 --epochs 2
finish
