#!/usr/bin/env bash
# cli_checkpoint.sh: long runs that survive (docs/reliability.md, "Long runs").
# - kill -9 at random moments of a run that checkpoints every epoch, then --resume: the final
#   model is byte-identical (cmp) to the uninterrupted run's, for mini-batch Adam with shuffling
#   and for L-BFGS, on cpu and on OpenCL (PoCL here; skipped without a device): 5 kills each
#   (OWL-QN with an L1 term: 3, on cpu),
#   20 runs with OpenCL. After each kill the checkpoint either does not exist or loads (the
#   resume reads it), and the model file either does not exist or is the finished one.
# - SIGINT and SIGTERM: exit 130 / 143, one line, a checkpoint that resumes to the same model,
#   no model written (an existing one intact), no temp file left; a second SIGINT exits at once.
#   The signal comes at a random moment of 219 mini-batches an epoch: training stops after the
#   step it is in, and the checkpoint records the position in the epoch.
# - The checkpoint is refused, with one line, for other options, other data, a damaged file.
# The random kill times are printed (LOGREG_KILL_SEED repeats a sequence).
. "$(dirname "$0")/lib.sh"
RANDOM=${LOGREG_KILL_SEED:-$$}
echo "kill seed: $RANDOM (LOGREG_KILL_SEED)" >&2
"$LOGREG" gen blobs --rows 20000 --features 20 --classes 4 --spread 4 -o "$WORK/b.csv" > /dev/null \
  || fail "gen exited $?"
now() { date +%s.%N; }
# wait_for FILE: until it exists (training has started, the signal handlers are in place).
wait_for() {
  local i
  for ((i = 0; i < 200; i++)); do
    [ -e "$1" ] && return 0
    sleep 0.05
  done
  return 1
}

# one_config NAME KILLS OPTIONS...: the uninterrupted run, then KILLS killed-and-resumed runs.
one_config() {
  local name=$1 kills=$2
  shift 2
  local dir="$WORK/$name"
  mkdir -p "$dir"
  local t0 t1
  t0=$(now)
  "$LOGREG" train "$WORK/b.csv" "$@" --quiet --model "$dir/ref.json" > /dev/null 2> "$dir/err" \
    || { fail "$name: uninterrupted run exited $?: $(cat "$dir/err")"; return; }
  t1=$(now)
  local wall
  wall=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')
  local i ok=0
  for ((i = 1; i <= kills; i++)); do
    rm -f "$dir/c.ck" "$dir/m.json"
    local at
    at=$(awk -v w="$wall" -v r="$RANDOM" 'BEGIN { printf "%.3f", w * (0.1 + 0.9 * r / 32768) }')
    "$LOGREG" train "$WORK/b.csv" "$@" --quiet --model "$dir/m.json" --checkpoint "$dir/c.ck" \
      --checkpoint-every 1 > /dev/null 2>&1 &
    local pid=$!
    sleep "$at"
    kill -9 "$pid" 2> /dev/null
    wait "$pid" 2> /dev/null
    # kill -9 may leave the writer's temp file (c.ck.tmpXXXXXX), never a half-written c.ck.
    rm -f "$dir"/c.ck.tmp* "$dir"/m.json.tmp*
    if [ -f "$dir/m.json" ] && ! cmp -s "$dir/m.json" "$dir/ref.json"; then
      fail "$name: kill at ${at}s left a model that is not the finished one"
      continue
    fi
    local how=fresh
    local resume=()
    if [ -f "$dir/c.ck" ]; then
      resume=(--resume "$dir/c.ck")
      how=resumed
    fi
    # (the rerun checkpoints at the default interval: none in so short a run)
    "$LOGREG" train "$WORK/b.csv" "$@" --quiet --model "$dir/m.json" --checkpoint "$dir/c.ck" \
      "${resume[@]}" > /dev/null 2> "$dir/err" \
      || { fail "$name: kill at ${at}s: the rerun ($how) exited $?: $(cat "$dir/err")"; continue; }
    if cmp -s "$dir/m.json" "$dir/ref.json"; then
      ok=$((ok + 1))
      echo "  $name: kill -9 at ${at}s of ${wall}s, $how: same model" >&2
    else
      fail "$name: kill at ${at}s, $how: the model differs from the uninterrupted run's"
    fi
  done
  [ "$ok" -eq "$kills" ] && pass "$name: $kills kill -9 runs resumed to the same bytes"
}

ADAM=(--optimizer adam --batch-size 64 --epochs 40)
LBFGS=(--optimizer lbfgs --C 1e4 --tol 1e-12 --epochs 300)
one_config cpu-adam 5 --device cpu "${ADAM[@]}"
one_config cpu-lbfgs 5 --device cpu "${LBFGS[@]}"
one_config cpu-owlqn 3 --device cpu --penalty l1 --C 10 --tol 1e-12 --epochs 300

# SIGINT / SIGTERM: one line, the exit status, a checkpoint that resumes to the same model.
sig_test() {
  local sig=$1 code=$2 dir="$WORK/sig$1"
  mkdir -p "$dir"
  echo old > "$dir/m.json" # an earlier model, which the interrupted run must leave alone
  "$LOGREG" train "$WORK/b.csv" --device cpu "${ADAM[@]}" --quiet --model "$dir/m.json" \
    --checkpoint "$dir/c.ck" --checkpoint-every 5 > /dev/null 2> "$dir/err" &
  local pid=$!
  wait_for "$dir/c.ck" || fail "SIG$sig: no checkpoint after 10 s"
  kill "-$sig" "$pid"
  wait "$pid"
  local rc=$?
  [ "$rc" -eq "$code" ] && pass "SIG$sig: exit $code" || fail "SIG$sig: exit $rc, not $code"
  [ "$(wc -l < "$dir/err")" -eq 1 ] && grep -q "^logreg: SIG$sig: interrupted \(after epoch [0-9]*\|in epoch [0-9]* after [0-9]* of its 219 mini-batches\); the state is in" "$dir/err" \
    && pass "SIG$sig: one line: $(cat "$dir/err")" || fail "SIG$sig: stderr: $(cat "$dir/err")"
  # Format version 3, with the position inside the epoch: the mini-batch rows done, not 0 when
  # it stopped after a step inside an epoch, 0 between epochs (host/solve/README.md's layout:
  # after the 56-byte header and ids, 19 values of 8 bytes).
  local version done
  version=$(od -A n -t u4 -j 8 -N 4 "$dir/c.ck" | tr -d ' ')
  done=$(od -A n -t u8 -j 208 -N 8 "$dir/c.ck" | tr -d ' ')
  [ "$version" = 3 ] || fail "SIG$sig: checkpoint version $version, not 3"
  if grep -q "in epoch" "$dir/err"; then
    [ "$done" -gt 0 ] && pass "SIG$sig: stopped inside an epoch, after $done rows of it" \
      || fail "SIG$sig: stopped inside an epoch, but the checkpoint's position is $done"
  else
    [ "$done" = 0 ] || fail "SIG$sig: stopped between epochs, but the position is $done"
  fi
  [ "$(cat "$dir/m.json")" = old ] && pass "SIG$sig: no model written, the old one intact" \
    || fail "SIG$sig: the old model was replaced"
  [ -z "$(ls "$dir" | grep tmp)" ] || fail "SIG$sig: temp files left: $(ls "$dir")"
  "$LOGREG" train "$WORK/b.csv" --device cpu "${ADAM[@]}" --quiet --model "$dir/m.json" \
    --resume "$dir/c.ck" > /dev/null 2> "$dir/err2" || fail "SIG$sig: resume exited $?: $(cat "$dir/err2")"
  cmp -s "$dir/m.json" "$WORK/cpu-adam/ref.json" && pass "SIG$sig: resumed to the same model" \
    || fail "SIG$sig: the resumed model differs"
}
sig_test INT 130
sig_test TERM 143

# A second SIGINT exits at once (130), leaving no partial file.
dir="$WORK/twice"
mkdir -p "$dir"
"$LOGREG" train "$WORK/b.csv" --device cpu "${ADAM[@]}" --quiet --model "$dir/m.json" \
  --checkpoint "$dir/c.ck" --checkpoint-every 5 > /dev/null 2> "$dir/err" &
pid=$!
wait_for "$dir/c.ck" || fail "two SIGINTs: no checkpoint after 10 s"
kill -INT "$pid"
kill -INT "$pid"
wait "$pid"
rc=$?
[ "$rc" -eq 130 ] && pass "two SIGINTs: exit 130" || fail "two SIGINTs: exit $rc"
[ ! -e "$dir/m.json" ] && [ -z "$(ls "$dir" | grep tmp)" ] && pass "two SIGINTs: nothing partial" \
  || fail "two SIGINTs: files left: $(ls "$dir")"

# Refusals: other options, other data, a damaged file, not a checkpoint; one line each.
ck="$WORK/sigINT/c.ck"
refuse() {
  local what=$1 pattern=$2
  shift 2
  "$LOGREG" train "$@" --quiet --model "$WORK/r.json" > /dev/null 2> "$WORK/rerr"
  local rc=$?
  { [ "$rc" -eq 1 ] && [ "$(wc -l < "$WORK/rerr")" -eq 1 ] && grep -q "$pattern" "$WORK/rerr"; } \
    && pass "$what: $(cat "$WORK/rerr")" || fail "$what: rc $rc: $(cat "$WORK/rerr")"
}
refuse "other options" "checkpoint was written with other training options" \
  "$WORK/b.csv" --device cpu "${ADAM[@]}" --lr 0.02 --resume "$ck"
"$LOGREG" gen blobs --rows 20000 --features 20 --classes 4 --spread 4 --seed 7 -o "$WORK/b7.csv" > /dev/null
refuse "other data" "checkpoint was written for other data" \
  "$WORK/b7.csv" --device cpu "${ADAM[@]}" --resume "$ck"
cp "$ck" "$WORK/bad.ck"
printf '\x01' | dd of="$WORK/bad.ck" bs=1 seek=100 conv=notrunc 2> /dev/null
refuse "a damaged byte" "damaged checkpoint" "$WORK/b.csv" --device cpu "${ADAM[@]}" --resume "$WORK/bad.ck"
head -c 1000 "$ck" > "$WORK/short.ck"
refuse "a truncated file" "damaged checkpoint" "$WORK/b.csv" --device cpu "${ADAM[@]}" --resume "$WORK/short.ck"
# The checkpoint's checksum as host/solve/README.md describes it, for the files crafted below.
cat > "$WORK/lrhash.py" << 'EOF'
M = (1 << 64) - 1
def lr_hash(b):
    h, mul, n = 0x9E3779B97F4A7C15, 0xFF51AFD7ED558CCD, len(b)
    for i in range(0, n - n % 8, 8):
        h = ((h ^ int.from_bytes(b[i:i + 8], "little")) * mul) & M
        h ^= h >> 32
    for c in b[n - n % 8:]:
        h = ((h ^ c) * mul) & M
        h ^= h >> 29
    h = ((h ^ n) * 0xC4CEB9FE1A85EC53) & M
    return h ^ (h >> 33)
EOF
# A file with a valid checksum whose row order indexes past the rows (the checksum recomputed
# as host/solve/README.md describes it): refused, not a crash.
PYTHONPATH="$WORK" python3 - "$ck" "$WORK/crafted.ck" << 'EOF'
import sys
d = bytearray(open(sys.argv[1], "rb").read()[:-8])
from lrhash import lr_hash
assert lr_hash(d) == int.from_bytes(open(sys.argv[1], "rb").read()[-8:], "little"), "checksum"
o = 272 + (8 if int.from_bytes(d[8:12], "little") >= 2 else 0)  # versions 2 and 3: the position too
d[o:o + 4] = (0xFFFFFFFF).to_bytes(4, "little")  # the first entry of the row order
open(sys.argv[2], "wb").write(d + lr_hash(d).to_bytes(8, "little"))
EOF
[ $? -eq 0 ] && pass "the checksum recomputed as documented" || fail "the documented checksum does not match"
refuse "a crafted row order" "does not fit this run" "$WORK/b.csv" --device cpu "${ADAM[@]}" --resume "$WORK/crafted.ck"
refuse "not a checkpoint" "not a logreg checkpoint" "$WORK/b.csv" --device cpu "${ADAM[@]}" --resume "$WORK/b.csv"

# OpenCL (PoCL here): the same kill -9 sweep on the device.
if "$LOGREG" devices 2>&1 | grep -q '^opencl:[0-9]*:[0-9]*'; then
  one_config opencl-adam 5 --device opencl --optimizer adam --batch-size 256 --epochs 40
  one_config opencl-lbfgs 5 --device opencl "${LBFGS[@]}"
else
  echo "no OpenCL device: the OpenCL kill runs are skipped" >&2
fi
# A resumed run goes on on the device its checkpoint ran on, on the same path, and ends with the
# uninterrupted run's bytes, for every kind of device: --device auto on sparse data (cpu and the
# OpenCL device timed at set-up; the resume takes the checkpoint's choice, untimed), auto on
# dense data, cpu, reference and opencl named. The checkpoint of epoch 25 (every 5, none at the
# last).
"$LOGREG" gen sparse --rows 400 --features 60 --classes 3 --density 0.1 -o "$WORK/t.svm" \
  > /dev/null || fail "gen sparse exited $?"
resume_same() { # NAME DATA OPTIONS...
  local name=$1 data=$2 dir="$WORK/resume-$1"
  shift 2
  mkdir -p "$dir"
  local run=("$LOGREG" train "$data" --optimizer lbfgs --C 1e4 --tol 1e-14 --epochs 30 "$@"
    --checkpoint "$dir/ck" --quiet)
  "${run[@]}" --checkpoint-every 5 --model "$dir/full.json" > /dev/null 2> "$dir/err" \
    || { fail "$name: exited $?: $(cat "$dir/err")"; return; }
  cp "$dir/ck" "$dir/ck25"
  "${run[@]}" --resume "$dir/ck" --model "$dir/res.json" > /dev/null 2> "$dir/err" \
    || { fail "$name: the resume exited $?: $(cat "$dir/err")"; return; }
  cmp -s "$dir/full.json" "$dir/res.json" && pass "$name: resumed to the same bytes" \
    || fail "$name: the resumed model differs from the uninterrupted run's"
}
resume_same auto-sparse "$WORK/t.svm" --device auto
resume_same auto-dense "$WORK/b.csv" --device auto
resume_same cpu-sparse "$WORK/t.svm" --device cpu
resume_same reference-sparse "$WORK/t.svm" --device reference
if "$LOGREG" devices 2>&1 | grep -q '^opencl:[0-9]*:[0-9]*'; then
  resume_same opencl-sparse "$WORK/t.svm" --device opencl
  resume_same opencl-dense "$WORK/b.csv" --device opencl --gemm fused
fi
# The same epoch-25 state as earlier builds wrote it (format version 1: the OpenCL path's name in
# 16 bytes, no position; "cpu" then meant the reference backend: "" for --device cpu, "cpu" for
# sparse auto's timed choice of it): resumed on the reference where it ran, to the bytes of the
# uninterrupted reference run, under --device reference and under auto.
legacy() { # NAME PATHNAME: rewrites resume-reference-sparse/ck25 as version 1, as NAME.ck
  PYTHONPATH="$WORK" python3 - "$WORK/resume-reference-sparse/ck25" "$WORK/$1.ck" "$2" << 'EOF2'
import sys
d = bytearray(open(sys.argv[1], "rb").read()[:-8])
from lrhash import lr_hash
assert int.from_bytes(d[8:12], "little") == 3
kind, path = int.from_bytes(d[40:48], "little"), int.from_bytes(d[48:56], "little")
assert kind == 0 and path == 1, (kind, path)  # the reference, its own loops
d[40:56] = sys.argv[3].encode().ljust(16, b"\0")
assert int.from_bytes(d[208:216], "little") == 0  # between epochs: version 1 has no position
del d[208:216]
d[8:12] = (1).to_bytes(4, "little")
d[16:24] = (len(d) - 24).to_bytes(8, "little")
open(sys.argv[2], "wb").write(d + lr_hash(bytes(d)).to_bytes(8, "little"))
EOF2
}
ref="$WORK/resume-reference-sparse"
for case in "v1-reference reference" "v1-auto auto cpu"; do
  set -- $case
  name=$1 dev=$2 pathname=${3:-}
  [ -f "$ref/ck25" ] || continue
  if ! legacy "$name" "$pathname"; then
    fail "$name: could not write the version 1 file"
    continue
  fi
  "$LOGREG" train "$WORK/t.svm" --optimizer lbfgs --C 1e4 --tol 1e-14 --epochs 30 --device $dev \
    --quiet --resume "$WORK/$name.ck" --model "$WORK/$name.json" > /dev/null 2> "$WORK/$name.err" \
    || { fail "$name: the version 1 resume exited $?: $(cat "$WORK/$name.err")"; continue; }
  cmp -s "$ref/full.json" "$WORK/$name.json" \
    && pass "$name: a version 1 checkpoint resumed on the reference to the same bytes" \
    || fail "$name: the version 1 checkpoint's resume differs"
done
# A device named on the command line that is not the checkpoint's kind trains there, and says
# so in one warning line (another backend rounds otherwise): the reference's epoch 25 on cpu
# (30 epochs stop short of --tol 1e-14: that warning is the run's own).
if [ -f "$ref/ck25" ]; then
  cp "$ref/ck25" "$WORK/other.ck"
  "$LOGREG" train "$WORK/t.svm" --optimizer lbfgs --C 1e4 --tol 1e-14 --epochs 30 --device cpu \
    --quiet --resume "$WORK/other.ck" --model "$WORK/other.json" > /dev/null 2> "$WORK/other.err"
  rc=$?
  [ "$rc" -eq 0 ] && [ "$(grep -c -- "--resume" "$WORK/other.err")" -eq 1 ] &&
    grep -q "^logreg: warning: --resume: the checkpoint's run trained on reference: resumed on cpu as asked" \
      "$WORK/other.err" && pass "another kind named: trained there, one warning line" \
    || fail "another kind named: rc $rc $(cat "$WORK/other.err")"
fi
finish
