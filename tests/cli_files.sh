#!/usr/bin/env bash
# cli_files.sh: no lost or partial files. Every output of logreg (model, history, predictions,
# generated data) goes to a temp file beside the target that is fsynced and renamed over it,
# so a failure leaves an existing target untouched. Checked here:
#   - a target in a folder that does not exist: one error line, nothing created;
#   - a target that is a device (a private copy of /dev/full, made with mknod): one error line,
#     and the device is still a device (a rename over it would have replaced it with a file;
#     /dev/full itself is never used: as root that would damage the machine);
#   - a full filesystem (a 64 KiB tmpfs, when this runs as root and may mount): the write fails
#     with ENOSPC, one error line, the old model byte for byte, no temp file left;
#   - a file size limit (ulimit -f, with SIGXFSZ ignored, so write() fails with EFBIG): the
#     same, without privileges;
#   - SIGKILL during training and saving of an 8 MB model, at random moments and right after
#     the temp file appears: the target is always the complete old model or the complete new
#     one, never a partial file (a killed process cannot remove its temp file: that one is
#     left beside the target under its own name, NAME.tmpXXXXXX).
. "$(dirname "$0")/lib.sh"
cd "$WORK" || exit 1
MNT="$WORK/full"
trap 'mountpoint -q "$MNT" 2>/dev/null && umount "$MNT"; rm -rf "$WORK"' EXIT

printf 'a,b,y\n1,2,x\n3,4,y\n1,2.5,x\n3,4.5,y\n2,2,x\n4,4,y\n' > ok.csv
T="--quiet --device cpu --split 1,0,0"

# one_error WHAT EXPECTED-SUBSTRING: the last command's stderr (err.txt) and status ($rc).
one_error() {
  local what=$1 want=$2 lines
  lines=$(wc -l < err.txt)
  if [ "$rc" -lt 1 ] || [ "$rc" -gt 125 ]; then fail "$what: exit status $rc"; return 1; fi
  if [ "$lines" -ne 1 ] || ! grep -q '^logreg: error: ' err.txt; then
    fail "$what: expected one 'logreg: error:' line, got: $(cat err.txt)"
    return 1
  fi
  if ! grep -qF -- "$want" err.txt; then fail "$what: expected \"$want\" in: $(cat err.txt)"; return 1; fi
  pass "$what -> $(cat err.txt)"
}

# same FILE COPY WHAT: FILE still holds exactly COPY's bytes.
same() { if cmp -s "$1" "$2"; then pass "$3: $1 untouched"; else fail "$3: $1 changed"; fi; }

# no_temps DIR WHAT: no temp file left in DIR.
no_temps() {
  local left
  left=$(find "$1" -maxdepth 1 -name '*.tmp*' | head -3)
  if [ -z "$left" ]; then pass "$2: no temp file left"; else fail "$2: temp files left: $left"; fi
}

# ---- A folder that does not exist ----
"$LOGREG" train ok.csv $T --model no-such-dir/m.json > /dev/null 2> err.txt
rc=$?
one_error "model in a missing folder" "no-such-dir/m.json: cannot create file"
[ -e no-such-dir ] && fail "no-such-dir was created"

# ---- A device as the target ----
if mknod fakefull c 1 7 2> /dev/null; then
  for cmd in "train ok.csv $T --model fakefull" "train ok.csv $T --model m0.json --history fakefull" \
    "gen blobs --rows 10 -o fakefull"; do
    # shellcheck disable=SC2086
    "$LOGREG" $cmd > /dev/null 2> err.txt
    rc=$?
    one_error "$cmd" "fakefull: not a regular file"
    [ -c fakefull ] || fail "$cmd: fakefull is no longer a character device"
  done
  rm -f fakefull m0.json
else
  echo "skip: mknod not permitted here: the device target checks did not run" >&2
fi

# ---- A full filesystem ----
"$LOGREG" train ok.csv $T --epochs 5 --model old.json > /dev/null 2>&1 || fail "setup: old model"
mkdir -p "$MNT"
if [ "$(id -u)" -eq 0 ] && mount -t tmpfs -o size=64k,mode=0755 tmpfs "$MNT" 2> /dev/null; then
  cp old.json "$MNT/m.json"
  printf 'epoch\n' > "$MNT/h.csv"
  cp "$MNT/h.csv" old-h.csv
  dd if=/dev/zero of="$MNT/fill" bs=4096 > /dev/null 2>&1 # until ENOSPC
  "$LOGREG" train ok.csv $T --epochs 9 --model "$MNT/m.json" > /dev/null 2> err.txt
  rc=$?
  one_error "model on a full filesystem" "m.json: write failed: No space left on device"
  same "$MNT/m.json" old.json "model on a full filesystem"
  "$LOGREG" train ok.csv $T --epochs 9 --model m9.json --history "$MNT/h.csv" > /dev/null 2> err.txt
  rc=$?
  one_error "history on a full filesystem" "h.csv"
  same "$MNT/h.csv" old-h.csv "history on a full filesystem"
  "$LOGREG" predict --model old.json ok.csv -o "$MNT/p.csv" > /dev/null 2> err.txt
  rc=$?
  one_error "predictions on a full filesystem" "p.csv"
  [ -e "$MNT/p.csv" ] && fail "predictions on a full filesystem: p.csv exists"
  no_temps "$MNT" "full filesystem"
  umount "$MNT"
else
  echo "skip: cannot mount a tmpfs (needs root and CAP_SYS_ADMIN): the full-filesystem checks" \
    "did not run; the file size limit below covers the same failure" >&2
fi

# ---- A file size limit: write() fails with EFBIG part way through the model ----
cp old.json m.json
# 1 KiB: the model (about 1.4 KB) cannot be written whole. SIGXFSZ is ignored in the subshell,
# and an ignored signal stays ignored across exec, so logreg sees the error instead of dying.
(
  trap '' XFSZ
  ulimit -f 1
  exec "$LOGREG" train ok.csv $T --epochs 9 --model m.json
) > /dev/null 2> err.txt
rc=$?
one_error "model over the file size limit" "m.json: write failed: File too large"
same m.json old.json "model over the file size limit"
no_temps . "file size limit"

# ---- SIGKILL during the save ----
# 40 sparse rows with feature indices up to 200000: the model JSON is about 8.7 MB, so writing
# and fsyncing it takes tens of milliseconds. old.json: 1 epoch; new.json: 2 epochs (a
# different model); training is deterministic, so the complete new model is known exactly.
python3 - << 'EOF'
import random
r = random.Random(1)
D = 200000
with open("wide.svm", "w") as f:
    for i in range(40):
        idx = sorted(r.sample(range(1, D), 20))
        if i == 0:
            idx[-1] = D
        f.write(str(i % 2) + " " + " ".join(f"{j}:{r.random():.3f}" for j in idx) + "\n")
EOF
W="wide.svm --device cpu --split 1,0,0 --optimizer gd --quiet"
# shellcheck disable=SC2086
"$LOGREG" train $W --epochs 1 --model old.json > /dev/null 2>&1 || fail "setup: wide old model"
# shellcheck disable=SC2086
"$LOGREG" train $W --epochs 2 --model new.json > /dev/null 2>&1 || fail "setup: wide new model"
cmp -s old.json new.json && fail "setup: old and new wide models are identical"
for f in old.json new.json; do
  python3 -c '
import json, sys
j = json.load(open(sys.argv[1]))
keys = {"format", "classes", "features", "binary", "scaler", "imputer", "weights", "bias",
        "weights_raw", "bias_raw", "options", "metrics"}
sys.exit(0 if keys <= set(j) and len(j["weights"]) == 200000 else 1)' "$f" ||
    fail "setup: $f is not a complete model"
done
# One run undisturbed, timed: the whole run, and the save window (from the temp file's
# appearance to its rename), as seen by polling every 2 ms.
wait_for_temp() { # PID: returns when m.json.tmp* exists or PID has exited
  for _ in $(seq 5000); do
    compgen -G 'm.json.tmp*' > /dev/null && return 0
    kill -0 "$1" 2> /dev/null || return 1
    sleep 0.002
  done
}
ms_now() { echo $(($(date +%s%N) / 1000000)); }
cp old.json m.json
t0=$(ms_now)
# shellcheck disable=SC2086
"$LOGREG" train $W --epochs 2 --model m.json > /dev/null 2>&1 &
pid=$!
wait_for_temp "$pid"
t1=$(ms_now)
while compgen -G 'm.json.tmp*' > /dev/null && kill -0 "$pid" 2> /dev/null; do sleep 0.002; done
t2=$(ms_now)
wait "$pid" || fail "setup: the timed run failed"
full_ms=$((t2 - t0)) window_ms=$((t2 - t1))
[ "$window_ms" -ge 1 ] || window_ms=1
cmp -s m.json new.json || fail "setup: the timed run did not write the new model"

runs=0 midsave=0 kept_old=0 got_new=0
while [ "$runs" -lt 40 ]; do
  [ "$runs" -ge 12 ] && [ "$midsave" -ge 3 ] && break
  runs=$((runs + 1))
  cp old.json m.json
  # shellcheck disable=SC2086
  "$LOGREG" train $W --epochs 2 --model m.json > /dev/null 2>&1 &
  pid=$!
  if [ $((runs % 3)) -eq 0 ]; then
    # Anywhere in the run, loading and training included.
    ms=$((RANDOM % (full_ms + 1)))
  else
    # Once the temp file appears, anywhere in the save window (write, fflush, fsync, rename)
    # and a little after it.
    wait_for_temp "$pid"
    ms=$((RANDOM % (window_ms + 5)))
  fi
  sleep "$((ms / 1000)).$(printf '%03d' $((ms % 1000)))"
  kill -9 "$pid" 2> /dev/null
  wait "$pid" 2> /dev/null
  if compgen -G 'm.json.tmp*' > /dev/null; then midsave=$((midsave + 1)); fi
  if cmp -s m.json old.json; then
    kept_old=$((kept_old + 1))
  elif cmp -s m.json new.json; then
    got_new=$((got_new + 1))
  else
    # Say what is wrong with it: not JSON, or keys missing.
    why=$(python3 -c '
import json, sys
try:
    j = json.load(open(sys.argv[1]))
    keys = {"format", "classes", "features", "binary", "scaler", "weights", "bias", "options"}
    print("JSON with keys missing: %s" % sorted(keys - set(j)) if keys - set(j) else "complete JSON, but neither model")
except Exception as e:
    print("not JSON: %s" % e)' m.json)
    fail "SIGKILL run $runs: m.json ($(stat -c %s m.json) bytes) is neither the old nor the new model: $why"
  fi
  rm -f m.json.tmp*
done
echo "SIGKILL: $runs runs (a run takes ${full_ms} ms, its save ${window_ms} ms): $midsave killed while the temp file" \
  "was open, $kept_old left the old model, $got_new the new one, 0 partial" >&2
if [ "$midsave" -eq 0 ]; then
  fail "SIGKILL: no run was killed during the save, so this proved nothing"
else
  pass "SIGKILL during save: the target was always a complete model ($runs runs, $midsave mid-save)"
fi
finish
