#!/usr/bin/env bash
# cli_opencl.sh: the OpenCL device from the command line: `devices` lists it and marks the
# auto choice; tumors trains on it to test accuracy >= 0.94 and the summary names it; bad
# device specs and a kernel that does not compile give one error line; --device auto falls
# back to cpu with a warning when the kernels cannot be built. Skips without an OpenCL device.
. "$(dirname "$0")/lib.sh"
# With no OpenCL platform at all (an empty ICD vendor folder for the ocl-icd loader), devices
# says so, auto picks cpu, and --device opencl is an error, not a silent fallback.
mkdir -p "$WORK/noicd"
OCL_ICD_VENDORS="$WORK/noicd" "$LOGREG" devices > "$WORK/none.txt" 2>&1 || fail "devices without platform exited $?"
grep -q "no platform found" "$WORK/none.txt" && grep -q "^auto -> cpu" "$WORK/none.txt" \
  && pass "devices without a platform" || fail "devices without a platform: $(cat "$WORK/none.txt")"
if [ -f "$SHARED/data/tumors.csv" ]; then
  OCL_ICD_VENDORS="$WORK/noicd" "$LOGREG" train "$SHARED/data/tumors.csv" --device opencl --quiet \
    --model "$WORK/n.json" > /dev/null 2> "$WORK/err"
  rc=$?
  { [ "$rc" -ge 1 ] && [ "$rc" -le 125 ] && [ "$(wc -l < "$WORK/err")" -eq 1 ] &&
    grep -q "^logreg: error: --device opencl: no OpenCL platform found" "$WORK/err"; } \
    && pass "--device opencl without a platform is an error" || fail "no-platform error: rc $rc $(cat "$WORK/err")"
  OCL_ICD_VENDORS="$WORK/noicd" "$LOGREG" train "$SHARED/data/tumors.csv" --quiet --json \
    --model "$WORK/n.json" > "$WORK/n.out" 2> "$WORK/err" || fail "auto without a platform exited $?"
  [ "$(json "$WORK/n.out" "j['backend']")" = cpu ] && pass "auto without a platform runs on cpu" \
    || fail "auto without a platform"
fi

"$LOGREG" devices > "$WORK/devices.txt" 2>&1 || fail "devices exited $?"
grep -q '^opencl:[0-9]*:[0-9]*' "$WORK/devices.txt" || { echo "SKIP: no OpenCL device" >&2; exit 77; }
grep -q '<- auto' "$WORK/devices.txt" || fail "devices does not mark the auto choice"
grep -qE 'compute units, global memory [0-9.]+ GiB, max allocation [0-9.]+ GiB, OpenCL C' "$WORK/devices.txt" \
  || fail "devices lacks device details: $(cat "$WORK/devices.txt")"
grep -q '^auto -> ' "$WORK/devices.txt" || fail "devices does not say what auto picks and why"

need_shared tumors.csv
data="$SHARED/data/tumors.csv"
"$LOGREG" train "$data" --target tumor_class --device opencl --json --quiet --model "$WORK/m.json" \
  > "$WORK/t.json" 2> "$WORK/err" || fail "train --device opencl exited $?: $(cat "$WORK/err")"
acc=$(json "$WORK/t.json" "j['test']['accuracy']")
echo "tumors on opencl: test accuracy $acc" >&2
ge "$acc" 0.94 && pass "opencl accuracy $acc" || fail "opencl accuracy $acc < 0.94"
[ "$(json "$WORK/t.json" "j['backend']")" = opencl ] || fail "backend is not opencl"

# auto says what it chose on stderr.
"$LOGREG" train "$data" --epochs 3 --model "$WORK/a.json" > /dev/null 2> "$WORK/err" || fail "auto train"
grep -q '^device: auto -> opencl:' "$WORK/err" && pass "auto announces its choice" \
  || fail "auto did not announce an OpenCL choice: $(head -2 "$WORK/err")"
# ... and, the device being on the host's cores (PoCL) and tumors' 1400 training values under
# 10^6, that it trained on cpu without timing or setting the device up.
if grep -q '^device: auto -> opencl:.*; or cpu: set-up weighs them' "$WORK/err"; then
  grep -q '^device: auto -> cpu, not opencl:[0-9]*:[0-9]* (.*): 1400 values of training data (under 10^6), untimed$' \
    "$WORK/err" && pass "auto: small data on cpu, untimed" \
    || fail "auto on small data: $(cat "$WORK/err")"
  # 10^6 values (50000 x 20, every row training): cpu's evaluation is timed. With nothing known
  # of the device (an empty path cache), its set-up (a first build's, guessed at 10 s) is paid
  # only when it fits 5% of the run: 100 iterations take cpu untried; 10^6 iterations (their
  # 5% is far over 10 s) set the device up and time it, and the path cache keeps its set-up
  # time (and its evaluation's, when cpu won); a second such run then decides from what the
  # cache holds, without setting the device up again.
  export LOGREG_PATH_CACHE="$WORK/auto-paths.tsv"
  "$LOGREG" gen blobs --rows 50000 --features 20 --classes 2 --seed 5 -o "$WORK/big.csv" \
    > /dev/null 2>&1 || fail "gen 50000 x 20"
  big=(train "$WORK/big.csv" --split 1,0,0 --json --quiet --model "$WORK/big.json")
  "$LOGREG" "${big[@]}" > "$WORK/b1.json" 2> "$WORK/err" || fail "auto, 10^6 values: $(cat "$WORK/err")"
  json "$WORK/b1.json" "j['backend'], j['device_choice']" | grep -Eq "^cpu .*: [0-9.e+-]+ ms per evaluation \(timed\); the device not timed: its set-up \(the first on this machine, about 10 s\) is over the budget for it" \
    && [ ! -s "$LOGREG_PATH_CACHE" ] && pass "auto, 10^6 values, 100 iterations: cpu, the device not set up" \
    || fail "auto, 10^6 values: $(cat "$WORK/b1.json")"
  for r in 2 3; do
    "$LOGREG" "${big[@]}" --epochs 1000000 > "$WORK/b$r.json" 2> "$WORK/err" \
      || fail "auto, 10^6 iterations: $(cat "$WORK/err")"
  done
  python3 - "$WORK/b2.json" "$WORK/b3.json" "$LOGREG_PATH_CACHE" <<'PY' \
    && pass "auto, 10^6 values, 10^6 iterations: the device timed once, then known" \
    || fail "auto with a long run: $(cat "$WORK/b2.json" "$WORK/b3.json" "$LOGREG_PATH_CACHE")"
import json, re, sys
b2, b3 = (json.load(open(p)) for p in sys.argv[1:3])
cache = open(sys.argv[3]).read()
assert "both timed" in b2["device_choice"], b2["device_choice"]
assert re.search(r"\|setup\tsetup\ts=[0-9.e+-]+$", cache, re.M), cache
# what the cache holds of the device: a run's ms per evaluation (the device won and trained) or
# the timed one (cpu won)
assert re.search(r"\|kw=[0-9]+\|d=20\|n=2\^15\|run\t(run|timed)\tms=[0-9.e+-]+$", cache, re.M), cache
assert "both timed" not in b3["device_choice"] and " set-up " in b3["device_choice"], b3
assert b3["objective"] == b3["objective"] and abs(b3["objective"] - b2["objective"]) <= 1e-6 * b2["objective"]
PY
  unset LOGREG_PATH_CACHE
fi

# The library leaves the process's stderr alone while a kernel builds (the compiler's log comes
# back in the error), so a driver's own line stays: PoCL's clang prints its diagnostic count
# ("1 error generated.") when a source does not compile. That line is the driver's, not ours.
driver_lines='^[0-9]+ (error|warning)s? generated\.$'
one_error() { # one_error "SUBSTRING" cmd...: exactly one 'logreg: error:' line, non-zero exit
  local want=$1; shift
  "$@" > /dev/null 2> "$WORK/err.all"; local rc=$?
  grep -vE "$driver_lines" "$WORK/err.all" > "$WORK/err"
  if [ "$rc" -lt 1 ] || [ "$rc" -gt 125 ]; then fail "$*: exit $rc"; return; fi
  [ "$(wc -l < "$WORK/err")" -eq 1 ] || { fail "$*: stderr: $(cat "$WORK/err")"; return; }
  grep -q "^logreg: error: .*$want" "$WORK/err" && pass "$* -> $(cat "$WORK/err" | cut -c1-120)" \
    || fail "$*: expected '$want' in $(cat "$WORK/err")"
}
one_error "no device 9 on platform 9" "$LOGREG" train "$data" --device opencl:9:9 --quiet --model "$WORK/x.json"
one_error "opencl:PLATFORM:DEVICE" "$LOGREG" train "$data" --device opencl:x --quiet --model "$WORK/x.json"
LOGREG_OPENCL_DEVICE=no-such-device one_error "match no device" "$LOGREG" train "$data" --device opencl --quiet --model "$WORK/x.json"
# The same settings as options (which override the environment).
one_error '--opencl-device "no-such-device": the device options match no device' \
  "$LOGREG" train "$data" --device opencl --opencl-device no-such-device --quiet --model "$WORK/x.json"
LOGREG_OPENCL_DEVICE=no-such-device "$LOGREG" train "$data" --device opencl --opencl-device 0 \
  --epochs 2 --quiet --json --model "$WORK/o.json" > "$WORK/o.out" 2> "$WORK/err" &&
  [ "$(json "$WORK/o.out" "j['backend']")" = opencl ] && pass "--opencl-device overrides the environment" \
  || fail "--opencl-device 0 over LOGREG_OPENCL_DEVICE: $(cat "$WORK/err")"
# The queried capabilities follow the options: an allocation limit and no fp64.
"$LOGREG" devices --max-alloc 1073741824 --no-fp64 > "$WORK/capped.txt" 2>&1 &&
  grep -q 'max allocation 1.0 GiB, .*fp64 no' "$WORK/capped.txt" &&
  ! grep -q 'fp64 yes' "$WORK/capped.txt" && pass "devices --max-alloc --no-fp64" \
  || fail "devices --max-alloc --no-fp64: $(cat "$WORK/capped.txt")"

# A kernel that does not compile: a clean error with the build log on --device opencl ...
mkdir -p "$WORK/k"
src="$(dirname "$0")/../kernels/logreg.cl"
sed 's/const float xj = x\[j\];/const float xj = x[j] oops;/' "$src" > "$WORK/k/logreg.cl"
cp "$(dirname "$src")/layout.h" "$WORK/k/"
LOGREG_KERNEL_DIR="$WORK/k" one_error "clBuildProgram failed.*-DLR_K=2.*error" \
  "$LOGREG" train "$data" --device opencl --quiet --model "$WORK/x.json"
one_error "clBuildProgram failed.*-DLR_FP64=0.*-DLR_MARK=1.*error" "$LOGREG" train "$data" \
  --device opencl --kernel-dir "$WORK/k" --no-fp64 --build-options -DLR_MARK=1 --quiet --model "$WORK/x.json"
[ -e "$WORK/x.json" ] && fail "a model was written after a kernel build failure"
# ... and a warning plus a cpu run on --device auto.
LOGREG_AUTO_KEEPS_DEVICE=1 LOGREG_KERNEL_DIR="$WORK/k" \
  "$LOGREG" train "$data" --device auto --quiet --json --model "$WORK/f.json" \
  > "$WORK/f.out" 2> "$WORK/err" || fail "auto fallback exited $?"
grep -q '^logreg: warning: .*falling back to --device cpu' "$WORK/err" || fail "no fallback warning"
[ "$(json "$WORK/f.out" "j['backend']")" = cpu ] && pass "auto fell back to cpu" || fail "fallback backend"
finish
