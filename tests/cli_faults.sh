#!/usr/bin/env bash
# cli_faults.sh: device faults, injected with the library's test hook
# (logreg_device_options.fail_call, the CLI's --test-fail-opencl-call K: the K-th checked OpenCL
# call of the backend reports CL_OUT_OF_RESOURCES). For every call index K of a one-iteration
# L-BFGS run on the OpenCL device: never a crash, a hang or a NaN model; --device opencl either completes
# or ends with one error line naming the call (and, during training, the epoch and the device),
# leaving no model; --device auto always completes, on cpu when the fault came, saying so, and
# from the checkpoint when one had been written. Skips without an OpenCL device.
. "$(dirname "$0")/lib.sh"
"$LOGREG" devices 2>&1 | grep -q '^opencl:[0-9]*:[0-9]*' || { echo "SKIP: no OpenCL device" >&2; exit 77; }
"$LOGREG" gen blobs --rows 600 --features 5 --classes 3 --spread 3 -o "$WORK/s.csv" > /dev/null \
  || fail "gen exited $?"
RUN=(train "$WORK/s.csv" --optimizer lbfgs --quiet)

# run DEVICE K [more options]: one faulty run; rc in $WORK/rc.K, stderr in $WORK/err.K.
run() {
  local dev=$1 k=$2
  shift 2
  rm -f "$WORK/m.$k.json"
  timeout 60 "$LOGREG" "${RUN[@]}" --device "$dev" --model "$WORK/m.$k.json" \
    --test-fail-opencl-call "$k" "$@" > /dev/null 2> "$WORK/err.$k"
  echo $? > "$WORK/rc.$k"
}

# The last call index that fails the run, in steps of 10 (a fault in path timing is survived).
last=0
for ((k = 1; k <= 5000; k += 20)); do
  run opencl "$k" --epochs 1
  [ "$(cat "$WORK/rc.$k")" -ne 0 ] && last=$k
  [ $((k - last)) -ge 60 ] && break
done
[ "$last" -gt 0 ] || fail "no injected fault failed the run"
end=$((last + 20))
echo "fault injection: calls 1..$end of the run" >&2

# --device opencl: every call index.
bad=0 failed=0 done_ok=0
for ((k = 1; k <= end; k++)); do
  run opencl "$k" --epochs 1
  rc=$(cat "$WORK/rc.$k")
  if [ "$rc" -eq 0 ]; then
    done_ok=$((done_ok + 1))
  elif [ "$rc" -eq 1 ] && [ "$(wc -l < "$WORK/err.$k")" -eq 1 ] &&
    grep -q "^logreg: error: opencl: .* failed: CL_OUT_OF_RESOURCES" "$WORK/err.$k" &&
    [ ! -e "$WORK/m.$k.json" ]; then
    failed=$((failed + 1))
  else
    bad=$((bad + 1))
    fail "--device opencl, call $k: rc $rc: $(cat "$WORK/err.$k")"
  fi
done
[ "$bad" -eq 0 ] && pass "--device opencl: $end call indices: $failed one-line errors, $done_ok completed"
grep -h "in epoch [0-9]* on opencl:" "$WORK"/err.* | head -1 | grep -q . \
  && pass "a fault during training names the epoch and the device: $(grep -h "in epoch" "$WORK"/err.* | head -1)" \
  || fail "no error names the epoch and the device"
python3 - "$WORK" << 'EOF' && pass "every completed model is finite" || fail "a model with NaN or Inf"
import glob, json, math, sys
for f in glob.glob(sys.argv[1] + "/m.*.json"):
    m = json.load(open(f))
    vals = [v for row in m["weights"] for v in row] + list(m["bias"])
    if not all(isinstance(v, (int, float)) and math.isfinite(v) for v in vals):
        sys.exit(f"{f}: not finite")
EOF
rm -f "$WORK"/m.*.json "$WORK"/err.* "$WORK"/rc.*

# --device auto with a checkpoint every iteration, 3 iterations (about 3 times the calls): always
# a model, on cpu after a fault, from the checkpoint after the first iteration.
bad=0 fell=0 from_ck=0
for ((k = 1; k <= 3 * end; k += 11)); do
  rm -f "$WORK/c.ck"
  run auto "$k" --epochs 3 --checkpoint "$WORK/c.ck" --checkpoint-every 1
  rc=$(cat "$WORK/rc.$k")
  if [ "$rc" -ne 0 ] || [ ! -s "$WORK/m.$k.json" ]; then
    bad=$((bad + 1))
    fail "--device auto, call $k: rc $rc: $(cat "$WORK/err.$k")"
    continue
  fi
  if grep -q "falling back to --device cpu" "$WORK/err.$k"; then
    fell=$((fell + 1))
    grep -q "from the checkpoint" "$WORK/err.$k" && from_ck=$((from_ck + 1))
    grep -q '"device": *"cpu' "$WORK/m.$k.json" || fail "call $k: fell back, but the model's device is not cpu"
  fi
done
[ "$bad" -eq 0 ] && pass "--device auto: every run completed ($fell on cpu after the fault, $from_ck of them from the checkpoint)"
[ "$from_ck" -gt 0 ] || fail "no fallback went on from the checkpoint"
python3 - "$WORK" << 'EOF' && pass "every --device auto model is finite" || fail "a model with NaN or Inf"
import glob, json, math, sys
for f in glob.glob(sys.argv[1] + "/m.*.json"):
    m = json.load(open(f))
    vals = [v for row in m["weights"] for v in row] + list(m["bias"])
    if not all(isinstance(v, (int, float)) and math.isfinite(v) for v in vals):
        sys.exit(f"{f}: not finite")
EOF
finish
