#!/usr/bin/env bash
# cli_faults.sh: device faults, injected with the library's test hook
# (logreg_test_hooks.fail_call, logreg_hooks.h, the CLI's --test-fail-opencl-call K: the K-th checked OpenCL
# call of the backend reports CL_OUT_OF_RESOURCES). Never a crash, a hang or a NaN model.
# - Every call index K of a one-iteration L-BFGS run, --device opencl: the run completes or ends
#   with one error line naming the call and the device (and, during training, the epoch),
#   leaving no model.
# - --device auto without --checkpoint, a fault every 79th call of an L-BFGS run to its
#   tolerance: every run completes on cpu, saying so in one warning line; a fault after the
#   first iteration goes on from the last iteration's state held in memory, not from the start;
#   the objective equals the uninterrupted cpu run's within 1e-6 relative; --history holds each
#   epoch once. Not bit for bit: the iterations before the fault ran in float32 on the device,
#   so the cpu run goes on from a point its own run never passed through and takes other steps,
#   to the same optimum within the tolerance (max |gradient| <= 1e-6).
# - --device auto, faults while L-BFGS refines in double (--tol 1e-10): one warning naming the
#   refined device, and the cpu run's objective within 1e-9.
# - --device auto with a checkpoint every iteration: always a model, on cpu after a fault.
# Skips without an OpenCL device. Auto keeps the OpenCL device on this small data
# (LOGREG_AUTO_KEEPS_DEVICE=1, logreg_hooks.h): without it auto trains on cpu, untimed.
. "$(dirname "$0")/lib.sh"
export LOGREG_AUTO_KEEPS_DEVICE=1
"$LOGREG" devices 2>&1 | grep -q '^opencl:[0-9]*:[0-9]*' || { echo "SKIP: no OpenCL device" >&2; exit 77; }
"$LOGREG" gen blobs --rows 600 --features 5 --classes 3 --spread 3 -o "$WORK/s.csv" > /dev/null \
  || fail "gen exited $?"
RUN=(train "$WORK/s.csv" --optimizer lbfgs --quiet)

# run DEVICE K [more options]: one faulty run; rc in $WORK/rc.K, stdout in out.K, stderr in err.K.
run() {
  local dev=$1 k=$2
  shift 2
  rm -f "$WORK/m.$k.json"
  timeout 60 "$LOGREG" "${RUN[@]}" --device "$dev" --model "$WORK/m.$k.json" \
    --test-fail-opencl-call "$k" "$@" > "$WORK/out.$k" 2> "$WORK/err.$k"
  echo $? > "$WORK/rc.$k"
}

# finite_models WHAT: every model file m.*.json has finite weights and biases.
finite_models() {
  python3 - "$WORK" << 'EOF' && pass "$1" || fail "a model with NaN or Inf"
import glob, json, math, sys
for f in glob.glob(sys.argv[1] + "/m.*.json"):
    m = json.load(open(f))
    vals = [v for row in m["weights"] for v in row] + list(m["bias"])
    if not all(isinstance(v, (int, float)) and math.isfinite(v) for v in vals):
        sys.exit(f"{f}: not finite")
EOF
}
clean() { rm -f "$WORK"/m.*.json "$WORK"/err.* "$WORK"/rc.* "$WORK"/out.* "$WORK"/h.*.csv; }

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
    grep -q "^logreg: error: opencl: .* failed: CL_OUT_OF_RESOURCES.* on opencl:[0-9]*:[0-9]* " "$WORK/err.$k" &&
    [ ! -e "$WORK/m.$k.json" ]; then
    failed=$((failed + 1))
  else
    bad=$((bad + 1))
    fail "--device opencl, call $k: rc $rc: $(cat "$WORK/err.$k")"
  fi
done
[ "$bad" -eq 0 ] && pass "--device opencl: $end call indices: $failed one-line errors naming the call and the device, $done_ok completed"
grep -h "in epoch [0-9]* on opencl:" "$WORK"/err.* | head -1 | grep -q . \
  && pass "a fault during training names the epoch and the device: $(grep -h "in epoch" "$WORK"/err.* | head -1)" \
  || fail "no error names the epoch and the device"
grep -h "creating the backend on opencl:" "$WORK"/err.* | head -1 | grep -q . \
  && pass "a fault while the backend is created names the device: $(grep -h "creating the backend" "$WORK"/err.* | head -1)" \
  || fail "no error names the device while the backend is created"
finite_models "every completed model is finite"
clean

# --device auto without a checkpoint: L-BFGS to its tolerance (C = 1: 17 iterations, about 3500
# calls on PoCL), against the same run on cpu.
# cpu_and_end OPTIONS...: the cpu run with OPTIONS (its --json in cpu.out), then end_k: the
# first call index, in steps of 1000, past the end of the same run under --device auto (0:
# none found).
cpu_and_end() {
  timeout 60 "$LOGREG" "${RUN[@]}" "$@" --device cpu --model "$WORK/cpu.json" > "$WORK/cpu.out" \
    || fail "the cpu run ($*) exited $?"
  end_k=0
  for ((k = 1000; k <= 60000; k += 1000)); do
    run auto "$k" "$@"
    grep -q "falling back" "$WORK/err.$k" || { end_k=$k; break; }
  done
  clean
}
CONV=(--C 1 --epochs 100 --json)
cpu_and_end "${CONV[@]}"
conv_end=$end_k
[ "$conv_end" -gt 0 ] || fail "no call index past the end of the run"
bad=0 runs=0 from_mem=0
for ((k = 1; k <= conv_end; k += 79)); do
  run auto "$k" "${CONV[@]}" --history "$WORK/h.$k.csv"
  rc=$(cat "$WORK/rc.$k")
  runs=$((runs + 1))
  if [ "$rc" -ne 0 ] || [ ! -s "$WORK/m.$k.json" ]; then
    bad=$((bad + 1))
    fail "--device auto, call $k: rc $rc: $(cat "$WORK/err.$k")"
    continue
  fi
  if [ ! -s "$WORK/err.$k" ]; then # a fault past the end of the run: the device ran it all
    rm -f "$WORK/m.$k.json" "$WORK/out.$k"
    continue
  fi
  # One line, the warning (--quiet prints nothing else), naming the call and the device.
  if [ "$(wc -l < "$WORK/err.$k")" -ne 1 ] || ! grep -q \
    "^logreg: warning: opencl: .* failed: CL_OUT_OF_RESOURCES.* on opencl:[0-9]*:[0-9]* .*; falling back to --device cpu from " \
    "$WORK/err.$k"; then
    bad=$((bad + 1))
    fail "--device auto, call $k: not one fallback warning: $(cat "$WORK/err.$k")"
  fi
  if grep -q "from epoch [0-9]*'s state" "$WORK/err.$k"; then
    from_mem=$((from_mem + 1))
  elif grep -q "in epoch [0-9]*[02-9] on\|reading back the model after" "$WORK/err.$k"; then
    bad=$((bad + 1))
    fail "call $k: a fault after the first iteration went on from the start: $(cat "$WORK/err.$k")"
  fi
done
[ "$bad" -eq 0 ] && pass "--device auto without a checkpoint: $runs faults (calls 1..$conv_end, every 79th), each one warning and a cpu model, $from_mem from an iteration's state in memory"
[ "$from_mem" -ge $((runs / 2)) ] || fail "only $from_mem of $runs fallbacks went on from a state in memory"
python3 - "$WORK" << 'EOF' && pass "every fallback model: on cpu, finite, objective within 1e-6 relative of the cpu run's, each epoch once in --history" || fail "fallback models"
import csv, glob, json, math, sys
w = sys.argv[1]
ref = json.load(open(w + "/cpu.out"))["objective"]
worst, n = 0.0, 0
for f in glob.glob(w + "/out.*"):
    k = f.rsplit(".", 1)[1]
    o = json.load(open(f))
    m = json.load(open(f"{w}/m.{k}.json"))
    if o["backend"] != "cpu" or not m["options"]["device"].startswith("cpu"):
        sys.exit(f"call {k}: not on cpu: {o['backend']}, {m['options']['device']}")
    vals = [v for row in m["weights"] for v in row] + list(m["bias"])
    if not all(math.isfinite(v) for v in vals):
        sys.exit(f"call {k}: not finite")
    rel = abs(o["objective"] - ref) / abs(ref)
    worst, n = max(worst, rel), n + 1
    if not rel <= 1e-6:
        sys.exit(f"call {k}: objective {o['objective']!r}, cpu {ref!r}: {rel:.3g} relative")
    epochs = [int(r["epoch"]) for r in csv.DictReader(open(f"{w}/h.{k}.csv"))]
    if epochs != list(range(1, o["epochs"] + 1)):
        sys.exit(f"call {k}: history epochs {epochs}, run {o['epochs']}")
print(f"{n} fallback models; largest relative difference of the objective from cpu's: {worst:.3g}",
      file=sys.stderr)
EOF
clean

# --device auto, faults while L-BFGS refines in double (--tol 1e-10 is past float32's reach:
# the run switches to the double build of the kernels, and the device reads "..., refined in
# double"): calls sampled over the run's last 600 calls, where the refinement runs (L-BFGS
# refines only once float32 has stopped making progress, late in the run). Each fault
# there is one warning naming the refined device, and the run ends on cpu at the cpu run's
# objective (within 1e-9 relative: both reach max |gradient| <= 1e-10 in double).
FINE=(--C 1 --epochs 200 --tol 1e-10 --json --gemm fused) # one path: the same calls every run
cpu_and_end "${FINE[@]}"
fine_end=$end_k
# The run's last call to within 100 (end_k is the first multiple of 1000 past it): refinement
# is the run's last iterations, so the faults are sampled just before it.
while [ "$fine_end" -gt 100 ]; do
  k=$((fine_end - 100))
  run auto "$k" "${FINE[@]}"
  fell=$(grep -c "falling back" "$WORK/err.$k")
  rm -f "$WORK/err.$k" "$WORK/out.$k" "$WORK/rc.$k" # not one of the sampled runs below
  [ "$fell" -gt 0 ] && break
  fine_end=$k
done
refined=0
for ((j = 1; j <= 10 && fine_end > 0; j++)); do
  k=$((fine_end - 60 * j))
  run auto "$k" "${FINE[@]}"
  grep -q "refined in double" "$WORK/err.$k" || continue
  refined=$((refined + 1))
  rc=$(cat "$WORK/rc.$k")
  [ "$rc" -eq 0 ] && [ "$(wc -l < "$WORK/err.$k")" -eq 1 ] \
    && grep -q "^logreg: warning: .*refined in double; falling back to --device cpu from " \
      "$WORK/err.$k" || fail "refining, call $k: rc $rc: $(cat "$WORK/err.$k")"
done
[ "$refined" -ge 3 ] || fail "only $refined of the sampled faults hit the refinement (run: $fine_end calls)"
python3 - "$WORK" "$refined" << 'EOF' && pass "faults while refining in double: $refined runs, each on cpu at the cpu run's objective" || fail "fallbacks from the refinement"
import glob, json, sys
w = sys.argv[1]
ref = json.load(open(w + "/cpu.out"))["objective"]
n = 0
for f in glob.glob(w + "/err.*"):
    k = f.rsplit(".", 1)[1]
    if "refined in double" not in open(f).read():
        continue
    o = json.load(open(f"{w}/out.{k}"))
    rel = abs(o["objective"] - ref) / ref
    if o["backend"] != "cpu" or not rel <= 1e-9:
        sys.exit(f"call {k}: {o['backend']}, objective {o['objective']!r} vs cpu {ref!r}: {rel:.3g}")
    n += 1
print(f"{n} fallbacks from the refinement, on cpu", file=sys.stderr)
sys.exit(0 if n == int(sys.argv[2]) else 1)
EOF
clean

# --device auto with a checkpoint every iteration, 3 iterations: always a model, on cpu after a
# fault (from the state in memory, never older than the file).
bad=0 fell=0
for ((k = 1; k <= 3 * end; k += 37)); do
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
    grep -q '"device": *"cpu' "$WORK/m.$k.json" || fail "call $k: fell back, but the model's device is not cpu"
  fi
done
[ "$bad" -eq 0 ] && pass "--device auto with a checkpoint: every run completed ($fell on cpu after the fault)"
[ "$fell" -gt 0 ] || fail "no run fell back to cpu"
finite_models "every --device auto model with a checkpoint is finite"
finish
