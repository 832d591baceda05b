#!/usr/bin/env bash
# cli_bench.sh: `logreg bench` on a small synthetic shape: --json gives the contract's keys plus
# the memory floor (floor_ms, floor_gb_per_s, floor_kind, ratio_to_floor, copy_floor_ms) with
# consistent numbers; the text table shows the floor; --gemm MODE is passed on and a bad mode is
# a usage error; --reference-epochs (and its old name --cpu-epochs) sets the reference's epochs; --sweep times several row counts
# in one process (one line per size, per-row times and their spread recomputed here) and
# rejects bad lists; --floor device holds an OpenCL device (PoCL here, a CPU device) against
# the device read kernel with the device copy as a second figure, as GPUs are by default, and
# --floor rejects a bad value or a host backend (cpu, reference).
. "$(dirname "$0")/lib.sh"

"$LOGREG" bench --rows 3000 --features 16 --classes 3 --device cpu --epochs 3 --json \
  > "$WORK/cpu.json" 2> "$WORK/err" || fail "bench --device cpu --json exited $?: $(cat "$WORK/err")"
[ "$(wc -l < "$WORK/cpu.json")" -eq 1 ] || fail "bench --json: not one line per device"
python3 - "$WORK/cpu.json" <<'EOF' && pass "bench --json keys and floor" || fail "bench --json: $(cat "$WORK/cpu.json")"
import json, re, sys
j = json.loads(open(sys.argv[1]).readline())
for k in ("device", "rows", "features", "classes", "ms_per_epoch_median", "ms_per_epoch_min",
          "ms_per_epoch_max", "gb_per_s", "floor_ms", "floor_gb_per_s", "floor_kind",
          "ratio_to_floor"):
    assert k in j, k
assert (j["rows"], j["features"], j["classes"], j["epochs"]) == (3000, 16, 3, 3)
assert re.fullmatch(r"host read, \d+ threads?", j["floor_kind"]), j["floor_kind"]
assert j["floor_ms"] > 0 and j["floor_gb_per_s"] > 0
assert abs(j["floor_gb_per_s"] - 3000 * 16 * 4 / (j["floor_ms"] * 1e-3) / 1e9) < 1e-6 * j["floor_gb_per_s"]
assert abs(j["ratio_to_floor"] - j["ms_per_epoch_median"] / j["floor_ms"]) < 1e-9 * j["ratio_to_floor"]
assert j["ms_per_epoch_min"] <= j["ms_per_epoch_median"] <= j["ms_per_epoch_max"]
assert "copy_floor_ms" in j and j["copy_floor_ms"] is None, "cpu: no device copy figure"
EOF

"$LOGREG" bench --rows 3000 --features 16 --classes 3 --device cpu --epochs 2 > "$WORK/t.txt" \
  2> "$WORK/err" || fail "bench text exited $?: $(cat "$WORK/err")"
grep -q "^floor = one pass over an X-sized buffer" "$WORK/t.txt" && grep -q "x floor" "$WORK/t.txt" \
  && grep -q "host read, [0-9]* thread.*cpu (.* kernels, double accumulation)" "$WORK/t.txt" \
  && pass "bench table shows the floor" || fail "bench table: $(cat "$WORK/t.txt")"

"$LOGREG" bench --rows 100 --features 4 --device cpu --epochs 1 --gemm nope > /dev/null 2> "$WORK/err"
rc=$?
[ "$rc" -eq 2 ] && grep -q "^logreg: error: --gemm" "$WORK/err" && pass "--gemm nope is a usage error" \
  || fail "--gemm nope: rc $rc $(cat "$WORK/err")"

for flag in --reference-epochs --cpu-epochs; do
  "$LOGREG" bench --rows 500 --features 4 --device all --epochs 3 $flag 1 --json \
    > "$WORK/all.json" 2> "$WORK/err" || fail "bench --device all exited $?: $(cat "$WORK/err")"
  python3 - "$WORK/all.json" <<'EOF' && pass "$flag" || fail "$flag: $(cat "$WORK/all.json")"
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
assert [r["spec"] for r in rows[:2]] == ["cpu", "reference"], rows
assert rows[1]["epochs"] == 1
assert all(r["epochs"] == 3 for r in rows[:1] + rows[2:])
EOF
done

"$LOGREG" bench --sweep 400,1200,2000 --features 5 --classes 3 --device cpu --epochs 3 --json \
  > "$WORK/sweep.json" 2> "$WORK/err" || fail "bench --sweep exited $?: $(cat "$WORK/err")"
python3 - "$WORK/sweep.json" <<'EOF' && pass "--sweep: one line per size, per-row times, spread" \
  || fail "--sweep: $(cat "$WORK/sweep.json")"
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
assert [r["rows"] for r in rows] == [400, 1200, 2000]
per = [r["ms_per_epoch_median"] / (r["rows"] / 1e5) for r in rows]
for r, p in zip(rows, per):
    assert r["sweep"] is True and r["epochs"] == 3 and (r["features"], r["classes"]) == (5, 3)
    assert abs(r["ms_per_1e5_rows"] - p) <= 1e-9 * p
    assert r["ms_per_epoch_min"] <= r["ms_per_epoch_median"] <= r["ms_per_epoch_max"]
    assert abs(r["sweep_spread"] - (max(per) / min(per) - 1)) <= 1e-9 * (1 + r["sweep_spread"])
EOF
for bad in "1000" "1000,x" "0,100" "100,200 --device all" "100,200 --data nofile.csv"; do
  # shellcheck disable=SC2086
  "$LOGREG" bench --sweep $bad --features 4 --epochs 1 > /dev/null 2> "$WORK/err"
  rc=$?
  [ "$rc" -eq 2 ] && grep -q "^logreg: error: --sweep" "$WORK/err" && pass "--sweep $bad: usage error" \
    || fail "--sweep $bad: rc $rc $(cat "$WORK/err")"
done

for bad in "--floor nope" "--floor device --device cpu" "--floor device --device reference"; do
  # shellcheck disable=SC2086
  "$LOGREG" bench --rows 100 --features 4 --epochs 1 --device cpu $bad > /dev/null 2> "$WORK/err"
  rc=$?
  [ "$rc" -eq 2 ] && grep -q "^logreg: error: --floor" "$WORK/err" && pass "$bad: usage error" \
    || fail "$bad: rc $rc $(cat "$WORK/err")"
done

# With an OpenCL device: --gemm reaches the backend (its device string names the GEMM path);
# the floors of an OpenCL device. 3000 x 16 floats are 12000 whole float4s, so the device read
# covers exactly X's bytes.
if "$LOGREG" devices 2> /dev/null | grep -q '^opencl:[0-9]*:[0-9]*'; then
  gpu=$("$LOGREG" devices 2> /dev/null | awk '/^opencl:/ { getline t; if (t ~ /^ *GPU,/) n++ } END { print n + 0 }')
  "$LOGREG" bench --rows 3000 --features 16 --classes 3 --device opencl --epochs 2 --json \
    > "$WORK/auto.json" 2> "$WORK/err" || fail "bench --device opencl exited $?: $(cat "$WORK/err")"
  "$LOGREG" bench --rows 3000 --features 16 --classes 3 --device opencl --epochs 2 --json \
    --floor device > "$WORK/dev.json" 2> "$WORK/err" \
    || fail "bench --floor device exited $?: $(cat "$WORK/err")"
  python3 - "$WORK/auto.json" "$WORK/dev.json" "$gpu" <<'EOF' && pass "--floor device: device read, copy as a second figure" \
    || fail "--floor device: $(cat "$WORK/auto.json" "$WORK/dev.json")"
import json, re, sys
auto, dev = (json.loads(open(f).readline()) for f in sys.argv[1:3])
if sys.argv[3] == "0":  # a CPU OpenCL device: the host read by default, no copy figure
    assert re.fullmatch(r"host read, \d+ threads?", auto["floor_kind"]), auto["floor_kind"]
    assert auto["copy_floor_ms"] is None
assert dev["floor_kind"] == "device read", dev["floor_kind"]
assert dev["floor_ms"] > 0 and dev["copy_floor_ms"] > 0
assert abs(dev["floor_gb_per_s"] - 3000 * 16 * 4 / (dev["floor_ms"] * 1e-3) / 1e9) < 1e-6 * dev["floor_gb_per_s"]
assert abs(dev["ratio_to_floor"] - dev["ms_per_epoch_median"] / dev["floor_ms"]) < 1e-9 * dev["ratio_to_floor"]
EOF
  "$LOGREG" bench --rows 3000 --features 16 --classes 3 --device opencl --epochs 2 --floor device \
    > "$WORK/dev.txt" 2> "$WORK/err" || fail "bench --floor device (text) exited $?: $(cat "$WORK/err")"
  grep -q "^  device read .* ms .* GB/s  (opencl; a read kernel" "$WORK/dev.txt" \
    && grep -q "^  device copy .* ms .* GB/s  (opencl; clEnqueueCopyBuffer" "$WORK/dev.txt" \
    && grep -q " device read  *opencl:" "$WORK/dev.txt" \
    && ! grep -q "host read" "$WORK/dev.txt" \
    && pass "--floor device table: the read is the floor, the copy a line" \
    || fail "--floor device table: $(cat "$WORK/dev.txt")"
  "$LOGREG" bench --sweep 1000,3000 --features 16 --classes 3 --device opencl --epochs 2 \
    --floor device --json > "$WORK/dsweep.json" 2> "$WORK/err" \
    || fail "bench --sweep --floor device exited $?: $(cat "$WORK/err")"
  python3 - "$WORK/dsweep.json" <<'EOF' && pass "--sweep --floor device" || fail "--sweep --floor device: $(cat "$WORK/dsweep.json")"
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
assert [r["rows"] for r in rows] == [1000, 3000]
for r in rows:
    assert r["floor_kind"] == "device read" and r["floor_ms"] > 0 and r["copy_floor_ms"] > 0
EOF
  "$LOGREG" bench --rows 500 --features 4 --device opencl --epochs 1 --gemm own --json \
    > "$WORK/own.json" 2> "$WORK/err" || fail "bench --gemm own exited $?: $(cat "$WORK/err")"
  grep -q "own GEMM" "$WORK/own.json" && pass "--gemm own reaches the backend" \
    || fail "--gemm own: $(cat "$WORK/own.json")"
fi
finish
