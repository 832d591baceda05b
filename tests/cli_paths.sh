#!/usr/bin/env bash
# cli_paths.sh: the OpenCL evaluation paths from the command line. --gemm auto times every
# applicable path on the data, keeps the fastest of those it timed and says so (bench --json
# "gemm", train's "training: path" line and --json); the choice is cached per device and shape
# class (LOGREG_PATH_CACHE), so the next run says "cached" and takes the same path; a cache
# with junk lines still works; --gemm tiled is "requested"; --gemm tiled on rows too wide for
# the device's local memory is one clear error. Skips (77) without an OpenCL device.
. "$(dirname "$0")/lib.sh"
"$LOGREG" devices 2> /dev/null | grep -q '^opencl:[0-9]*:[0-9]*' \
  || { echo "SKIP: no OpenCL device" >&2; exit 77; }

export LOGREG_PATH_CACHE="$WORK/paths.tsv"
"$LOGREG" bench --rows 3000 --features 24 --classes 3 --device opencl --epochs 2 --json \
  > "$WORK/a.json" 2> "$WORK/err" || fail "bench --gemm auto exited $?: $(cat "$WORK/err")"
python3 - "$WORK/a.json" <<'PY' && pass "auto: every path timed, the fastest kept" \
  || fail "auto: $(cat "$WORK/a.json")"
import json, sys
g = json.loads(open(sys.argv[1]).readline())["gemm"]
ms = g["ms_per_evaluation"]
assert g["chosen_by"] == "measured", g
assert set(ms) == {"tiled", "fused", "own", "clblast"}, ms
timed = {k: v for k, v in ms.items() if v is not None}
assert g["path"] == min(timed, key=timed.get), g
PY
[ "$(wc -l < "$WORK/paths.tsv")" -eq 1 ] && pass "one cache line" || fail "cache: $(cat "$WORK/paths.tsv")"
chosen=$(json "$WORK/a.json" 'j["gemm"]["path"]')

"$LOGREG" bench --rows 3000 --features 24 --classes 3 --device opencl --epochs 2 --json \
  > "$WORK/b.json" 2> "$WORK/err" || fail "cached bench exited $?: $(cat "$WORK/err")"
[ "$(json "$WORK/b.json" 'j["gemm"]["chosen_by"]')" = cached ] \
  && [ "$(json "$WORK/b.json" 'j["gemm"]["path"]')" = "$chosen" ] \
  && grep -qi "$chosen" <(json "$WORK/b.json" 'j["device"]') \
  && pass "second run: cached, same path ($chosen)" || fail "cached: $(cat "$WORK/b.json")"

# Another shape class (rows in another power of two) is measured again.
"$LOGREG" bench --rows 700 --features 24 --classes 3 --device opencl --epochs 1 --json \
  > "$WORK/c.json" 2> "$WORK/err" || fail "bench 700 rows exited $?: $(cat "$WORK/err")"
[ "$(json "$WORK/c.json" 'j["gemm"]["chosen_by"]')" = measured ] \
  && [ "$(wc -l < "$WORK/paths.tsv")" -eq 2 ] && pass "another shape class is measured" \
  || fail "shape class: $(cat "$WORK/c.json") $(cat "$WORK/paths.tsv")"

# Junk in the cache is skipped; the entry still works.
printf 'junk\n\t\t\nno tab here\n' >> "$WORK/paths.tsv"
"$LOGREG" bench --rows 3000 --features 24 --classes 3 --device opencl --epochs 1 --json \
  > "$WORK/d.json" 2> "$WORK/err" && [ "$(json "$WORK/d.json" 'j["gemm"]["chosen_by"]')" = cached ] \
  && pass "junk cache lines are skipped" || fail "junk cache: $(cat "$WORK/err" "$WORK/d.json")"

# train: the path on stderr's training: line and in --json.
"$LOGREG" gen blobs --rows 600 --features 5 --classes 3 --seed 3 -o "$WORK/blobs.csv" 2> /dev/null \
  || fail "gen blobs"
"$LOGREG" train "$WORK/blobs.csv" --device opencl --optimizer gd --epochs 3 --model "$WORK/m.json" \
  --json > "$WORK/t.json" 2> "$WORK/t.err" || fail "train exited $?: $(cat "$WORK/t.err")"
grep -Eq "^training: path (tiled|fused|own|clblast) \((measured|cached): tiled [0-9.e+-]+ ms" \
  "$WORK/t.err" && pass "train: training: path line" || fail "train stderr: $(cat "$WORK/t.err")"
[ "$(json "$WORK/t.json" 'j["gemm"]["path"] in ("tiled", "fused", "own", "clblast")')" = True ] \
  && pass "train --json gemm" || fail "train --json: $(cat "$WORK/t.json")"

# Requested paths, and a row too wide for the tiled kernel's local memory.
"$LOGREG" bench --rows 300 --features 24 --classes 3 --device opencl --epochs 1 --gemm tiled \
  --json > "$WORK/e.json" 2> "$WORK/err" || fail "bench --gemm tiled exited $?: $(cat "$WORK/err")"
[ "$(json "$WORK/e.json" 'j["gemm"]["path"] + " " + j["gemm"]["chosen_by"]')" = "tiled requested" ] \
  && grep -q "tiled one-pass kernel" "$WORK/e.json" && pass "--gemm tiled reaches the backend" \
  || fail "--gemm tiled: $(cat "$WORK/e.json")"
"$LOGREG" bench --rows 2 --features 70000 --binary --device opencl --epochs 1 --gemm tiled \
  > /dev/null 2> "$WORK/err"
rc=$?
[ "$rc" -ne 0 ] && [ "$(wc -l < "$WORK/err")" -eq 1 ] \
  && grep -q "^logreg: error: .*--gemm tiled: a tile row of 70000 features does not fit" "$WORK/err" \
  && pass "--gemm tiled on rows wider than local memory: one error line" || fail "wide rows: rc $rc $(cat "$WORK/err")"
finish
