#!/usr/bin/env bash
# gpu.sh: logreg on an NVIDIA GPU in one call: registers the driver's OpenCL ICD, runs the
# OpenCL tests on the GPU, then the full-batch table of issue 10 (logreg every GEMM path
# against its device read floor, and PyTorch on the same card) and mini-batch Adam, and writes
# RESULTS-gpu.md.
#
#   here:            bash scripts/build.sh && bash bench/gpu-pack.sh     (makes gpubundle/)
#   on the GPU:      bash bench/gpu.sh          from the repository root, gpubundle/ beside it
#   the device tool: run(command="bash bench/gpu.sh", carry=["gpubundle"], timeout_s=600)
#   a second try on the warm machine, say:
#                    GPU_SH_TESTS=0 GPU_SH_BUDGET_S=240 GPU_SH_SHAPES=n10m_d64_k10,n50m_d32_k2 bash bench/gpu.sh
#
# The GPU machine is bare Ubuntu with the NVIDIA driver, CUDA, PyTorch, NumPy and no OpenCL ICD
# loader, CLBlast, cJSON or network: gpubundle/ (bench/gpu-pack.sh) brings the binaries built
# here, their libraries (the ICD loader included), the shared test data and Fashion-MNIST.
#
# Steps (each run has its own time limit; a global deadline skips what no longer fits):
#  1. environment: writes gpubundle/icd/nvidia.icd naming the driver's OpenCL library
#     (/usr/local/nvidia/lib64/libnvidia-opencl.so.1, else where ldconfig or a search finds it;
#     GPU_SH_OPENCL_LIB overrides) and sets OCL_ICD_VENDORS to that folder; LD_LIBRARY_PATH =
#     gpubundle/lib (+ the driver's folder) only for logreg and the tests, so that Python and
#     PyTorch keep the system's libraries; LOGREG_SHARED_DIR = gpubundle/shared.
#  2. the machine: nvidia-smi (card, driver, CUDA), `logreg devices` (OpenCL platform), commit
#     (git, else gpubundle/COMMIT, the build's).
#  3. tests: test_opencl_parity, test_opencl_hv, test_opencl_grid, test_opencl_train, test_optimum, test_backend,
#     test_opencl_sparse on the GPU, each
#     with a time limit (NVIDIA compiles the kernels on first use: about 90 s for the parity
#     test), 210 s for the four at most: passed / failed / skipped / timeout.
#  4. the table, per shape (fmnist: Fashion-MNIST 60000 x 784 x 10 from the IDX files;
#     n1m_d32_k2, n200k_d256_k10, n10m_d64_k10, n2m_d784_k10, n50m_d32_k2, n70m_d32_k2 (past
#     2^31 elements): synthetic N x D x K):
#     `logreg bench --device opencl --gemm MODE --floor device --json` for MODE in auto own
#     fused clblast tiled (a mode this build does not know is "n/a", a failing run "fails":
#     never an abort), and `python3 bench/peers.py --device cuda` (torch, read-floor,
#     torch-nn, torch-compile); then mini-batch Adam on Fashion-MNIST: `logreg train
#     --optimizer adam --batch-size 256` for 2 and 12 epochs (the difference is the per-epoch
#     time without the setup) against peers.py's adam-minibatch. Order: for every shape the fast
#     paths (own, tiled, auto) and PyTorch eager (with torch.compile on Fashion-MNIST), then
#     Adam, then the cross-validation grid (`logreg train --cv 5` with 5 values of C, 25
#     models per pass, on 20,000 x 256 x 10 blobs for at most 20 iterations: cpu against the OpenCL
#     device, ms per pass), then torch.compile on the other shapes (each compiles for a while), then the slow
#     paths (fused, clblast), so that a cut run still has the main comparisons. Epochs: 20 timed
#     after 2 warm-up; the slow paths (auto, which is CLBlast on GPUs today, fused, clblast:
#     50x to 200x slower there) get 5 on the three big shapes.
#  5. writes $OUT/RESULTS-gpu.md (bench/ when OUT is unset) after every run, so that a cut run
#     still leaves a report, with the raw records in $OUT/raw/ (cells.jsonl: one line per run
#     with its JSON output; machine.txt; devices.txt; gpu.log: 5 files in all, within what a
#     device call brings back), then prints a short table. bench/make_results_gpu.py does the
#     records and the report.
#
# Time: the whole script stays under GPU_SH_BUDGET_S seconds (default 450: under 8 minutes on
# an H100, leaving room in a 15-minute device budget for the machine's start and a second try).
# A run that would start with less than 15 s left is "skipped" and named in the report.
#
# Environment: GPU_SH_SMOKE=1 exercises everything here on PoCL in about a minute (three tiny
# shapes, 3 epochs, `peers.py --device cpu`, the build/ binaries and the system's OpenCL unless
# gpubundle/ exists; with it, GPU_SH_OPENCL_LIB=/usr/lib/x86_64-linux-gnu/libpocl.so.2 tests
# the ICD step too). Its report says SMOKE RUN and goes to a temporary folder unless OUT is
# set: never commit it. GPU_SH_TESTS=0 skips the tests, GPU_SH_TESTS_BUDGET_S their share
# (210); GPU_SH_SHAPES=name,... runs those shapes only ("adam" for the Adam runs);
# GPU_SH_PEERS_DEVICE=cpu|cuda overrides the peers' device; PYTHON runs peers.py (python3).
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
root=$PWD
export LC_NUMERIC=C # $EPOCHREALTIME and awk with a decimal point
smoke=${GPU_SH_SMOKE:-0}
budget=${GPU_SH_BUDGET_S:-450}
py=${PYTHON:-python3}
warm=2      # logreg bench's untimed epochs (1 in the smoke run)
[ "$smoke" = 1 ] && warm=1
reserve=8   # seconds kept for the last report
min_cell=15 # a run needs at least this much time left to start
die() {
  echo "gpu.sh: error: $*" >&2
  exit 1
}
command -v python3 >/dev/null || die "python3 not found (the report is written with it)"
command -v timeout >/dev/null || die "timeout (coreutils) not found"

if [ -n "${OUT:-}" ]; then
  out=$OUT
elif [ "$smoke" = 1 ]; then
  out=$(mktemp -d /tmp/gpu-sh-smoke.XXXXXX)
else
  out=$root/bench
fi
raw=$out/raw
mkdir -p "$raw" || die "cannot create $raw"
: >"$raw/cells.jsonl"
work=$(mktemp -d /tmp/gpu-sh.XXXXXX)
trap 'rm -rf "$work"' EXIT
exec 2> >(tee -a "$raw/gpu.log" >&2)
say() { printf '[gpu.sh %4ds] %s\n' "$SECONDS" "$*" >&2; }

# ---- 1. environment ----
bundle=$root/gpubundle
lrenv=(env) # how our binaries run: with the bundle's libraries, set below
if [ -x "$bundle/bin/logreg" ]; then
  logreg=$bundle/bin/logreg
  testdir=$bundle/bin
  fm=$bundle/fashion
  export LOGREG_SHARED_DIR=$bundle/shared
  ocl_lib=${GPU_SH_OPENCL_LIB:-/usr/local/nvidia/lib64/libnvidia-opencl.so.1}
  if [ ! -f "$ocl_lib" ]; then
    found=$(ldconfig -p 2>/dev/null | awk '/libnvidia-opencl\.so\.1/ { print $NF; exit }')
    [ -n "$found" ] || found=$(find /usr/local/nvidia /usr/lib /usr/lib64 -name 'libnvidia-opencl.so.1' \
      2>/dev/null | head -1)
    [ -n "$found" ] && say "$ocl_lib missing; using $found" && ocl_lib=$found
  fi
  [ -f "$ocl_lib" ] || say "warning: no NVIDIA OpenCL library found ($ocl_lib): the OpenCL runs will fail"
  icd=$bundle/icd
  if ! { mkdir -p "$icd" && echo "$ocl_lib" >"$icd/nvidia.icd"; } 2>/dev/null; then
    icd=$work/icd # a read-only bundle: the registry goes to the work folder
    mkdir -p "$icd" && echo "$ocl_lib" >"$icd/nvidia.icd"
  fi
  export OCL_ICD_VENDORS=$icd
  # Only for our binaries: Python and PyTorch keep the system's libraries.
  lrenv=(env "LD_LIBRARY_PATH=$bundle/lib:$(dirname "$ocl_lib")${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}")
  say "bundle: $bundle; ICD $icd/nvidia.icd -> $ocl_lib"
elif [ "$smoke" = 1 ]; then
  logreg=$root/build/logreg
  testdir=$root/build/tests
  fm=/usr/share/datasets/fashion-mnist
  export LOGREG_SHARED_DIR=${LOGREG_SHARED_DIR:-$root/../shared}
  [ -x "$logreg" ] || die "$logreg missing: run 'bash scripts/build.sh'"
  say "smoke run with $root/build and the system's OpenCL (no gpubundle/)"
else
  die "gpubundle/ missing: run 'bash bench/gpu-pack.sh' where logreg was built, and carry gpubundle"
fi
export LOGREG_SOURCE_DIR=$root LOGREG_TMP=$work
miss=$("${lrenv[@]}" ldd "$logreg" "$testdir"/test_opencl_parity 2>&1 | grep "not found" | sort -u)
[ -z "$miss" ] || say "warning: libraries not found: $miss"

# ---- 2. the machine ----
commit=$(git -C "$root" rev-parse HEAD 2>/dev/null) && commit_from=git
if [ -z "${commit:-}" ]; then
  commit=$(cat "$bundle/COMMIT" 2>/dev/null || echo unknown)
  commit_from="gpubundle/COMMIT (the build's commit)"
fi
{
  echo "date=$(date -u '+%Y-%m-%d %H:%M UTC')"
  echo "smoke=$smoke"
  echo "budget_s=$budget"
  echo "warmup=$warm"
  echo "commit=$commit"
  echo "commit_from=$commit_from"
  [ -f "$bundle/INFO" ] && sed 's/^/bundle_/' "$bundle/INFO"
  echo "cpu=$(lscpu 2>/dev/null | sed -n 's/^Model name: *//p' | head -1)"
  echo "cores=$(nproc)"
  if command -v nvidia-smi >/dev/null; then
    IFS=, read -r name driver mem < <(nvidia-smi --query-gpu=name,driver_version,memory.total \
      --format=csv,noheader 2>/dev/null | head -1)
    echo "gpu=$(echo "$name" | xargs)"
    echo "driver=$(echo "$driver" | xargs)"
    echo "gpu_memory=$(echo "$mem" | xargs)"
    echo "cuda=$(nvidia-smi 2>/dev/null | sed -n 's/.*CUDA Version: *\([0-9.]*\).*/\1/p' | head -1)"
  fi
} >"$raw/machine.txt"
"${lrenv[@]}" "$logreg" devices >"$raw/devices.txt" 2>&1 || say "warning: 'logreg devices' failed"
say "machine: $(grep -E '^(gpu|driver)=' "$raw/machine.txt" | tr '\n' ' ')"
sed 's/^/  /' "$raw/devices.txt" >&2
grep -q '^opencl:' "$raw/devices.txt" || say "warning: no OpenCL device: the logreg runs will fail"

render() {
  python3 "$root/bench/make_results_gpu.py" render "$raw" "$out/RESULTS-gpu.md" "$@"
}
# Shows a command as run: paths relative to the repository.
show() { printf '%s ' "$@" | sed -e "s|$root/||g" -e 's/ $//'; }

# run_cell KEY=VALUE... -- LIMIT_S CMD...: one run under min(LIMIT_S, time left), recorded in
# cells.jsonl (KEY=VALUE pairs as the record's fields) and the report redrawn.
run_cell() {
  local meta=()
  while [ "$1" != -- ]; do
    meta+=("$1")
    shift
  done
  shift
  local cap=$1
  shift
  local left=$((budget - reserve - SECONDS)) id
  id=$(printf '%03d' "$(wc -l <"$raw/cells.jsonl")")
  if [ "$left" -lt "$min_cell" ]; then
    say "skipped (time): ${meta[*]}"
    python3 "$root/bench/make_results_gpu.py" cell "${meta[@]}" status=skipped \
      "reason=the script's ${budget} s budget ran short" "cmd=$(show "$@")" >>"$raw/cells.jsonl"
    return 0
  fi
  local lim=$((cap < left ? cap : left)) t0=$EPOCHREALTIME rc secs
  say "$(show "$@")  [limit ${lim} s]"
  timeout -k 5 "$lim" "$@" >"$work/$id.out" 2>"$work/$id.err"
  rc=$?
  secs=$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.2f", b - a }')
  python3 "$root/bench/make_results_gpu.py" cell "${meta[@]}" "rc=$rc" "seconds=$secs" \
    "timeout_s=$lim" "cmd=$(show "$@")" --stdout "$work/$id.out" --stderr "$work/$id.err" \
    >>"$raw/cells.jsonl"
  say "  -> rc $rc, $secs s: $(tail -1 "$raw/cells.jsonl" | python3 -c 'import json,sys; print(json.load(sys.stdin)["status"])')"
  render >/dev/null || say "warning: the report could not be written"
}

# ---- 3. tests ----
if [ "${GPU_SH_TESTS:-1}" != 0 ]; then
  tests_end=$((SECONDS + ${GPU_SH_TESTS_BUDGET_S:-210}))
  for t in test_opencl_parity test_opencl_hv test_opencl_grid test_opencl_train test_optimum test_backend test_opencl_sparse; do
    cap=120
    [ "$t" = test_opencl_parity ] && cap=180
    [ $((tests_end - SECONDS)) -lt "$cap" ] && cap=$((tests_end - SECONDS))
    if [ "$cap" -lt "$min_cell" ]; then
      python3 "$root/bench/make_results_gpu.py" cell kind=test "name=$t" status=skipped \
        "reason=the tests' share of the budget (GPU_SH_TESTS_BUDGET_S) ran out" >>"$raw/cells.jsonl"
      continue
    fi
    # The tests find ../shared relative to their folder when LOGREG_SHARED_DIR is unset; it is
    # set above, and they run in the work folder so that nothing lands in the repository.
    (cd "$work" && run_cell kind=test "name=$t" -- "$cap" "${lrenv[@]}" "$testdir/$t")
  done
fi

# ---- 4. the table ----
# name|label|rows features classes|epochs for own, tiled and the peers|epochs for the slow paths
if [ "$smoke" = 1 ]; then
  shapes=("fmnist|Fashion-MNIST 60000 x 784 x 10|60000 784 10|3|2"
    "n20k_d32_k2|20,000 x 32 x 2 (smoke)|20000 32 2|3|2"
    "n5k_d256_k10|5,000 x 256 x 10 (smoke)|5000 256 10|3|2")
  peers_dev=${GPU_SH_PEERS_DEVICE:-cpu}
  adam_epochs=(1 2)
else
  shapes=("fmnist|Fashion-MNIST 60000 x 784 x 10|60000 784 10|20|20"
    "n1m_d32_k2|1,000,000 x 32 x 2|1000000 32 2|20|20"
    "n200k_d256_k10|200,000 x 256 x 10|200000 256 10|20|20"
    "n10m_d64_k10|10,000,000 x 64 x 10|10000000 64 10|20|5"
    "n2m_d784_k10|2,000,000 x 784 x 10|2000000 784 10|20|5"
    "n50m_d32_k2|50,000,000 x 32 x 2|50000000 32 2|20|5"
    "n70m_d32_k2|70,000,000 x 32 x 2 (2.24e9 elements: past 2^31)|70000000 32 2|5|3")
  peers_dev=${GPU_SH_PEERS_DEVICE:-cuda}
  adam_epochs=(2 12)
fi
peers_warm=2 # peers.py needs two warm-up epochs (its loss cross-check)
if [ -n "${GPU_SH_SHAPES:-}" ]; then # a second try on some shapes only
  keep=()
  for s in "${shapes[@]}"; do
    [[ ",$GPU_SH_SHAPES," == *",${s%%|*},"* ]] && keep+=("$s")
  done
  [ ${#keep[@]} -gt 0 ] || [[ ",$GPU_SH_SHAPES," == *,adam,* || ",$GPU_SH_SHAPES," == *,cv,* ]] ||
    die "GPU_SH_SHAPES=$GPU_SH_SHAPES names none of: $(printf '%s ' "${shapes[@]%%|*}")adam cv"
  shapes=("${keep[@]}")
fi

# logreg_cell SHAPE_SPEC MODE LIMIT_S
logreg_cell() {
  local name label dims fast slow n d k e data=()
  IFS='|' read -r name label dims fast slow <<<"$1"
  read -r n d k <<<"$dims"
  case $2 in own | tiled) e=$fast ;; *) e=$slow ;; esac
  if [ "$name" = fmnist ]; then
    data=(--data "$fm/train-images-idx3-ubyte.gz" --labels "$fm/train-labels-idx1-ubyte.gz")
  else
    data=(--rows "$n" --features "$d" --classes "$k")
  fi
  run_cell kind=logreg "shape=$name" "label=$label" "mode=$2" "n=$n" "d=$d" "k=$k" -- "$3" \
    "${lrenv[@]}" "$logreg" bench "${data[@]}" --device opencl --gemm "$2" --floor device --epochs "$e" \
    --warmup "$warm" --json
}

# peers_cell SHAPE_SPEC PEERS LIMIT_S
peers_cell() {
  local name label dims fast slow n d k data=()
  IFS='|' read -r name label dims fast slow <<<"$1"
  read -r n d k <<<"$dims"
  local list=$2 gone
  if [ "$peers_dev" = cpu ]; then # the cpu peers have no torch-compile or read-floor
    list=$(echo "$2" | tr ',' '\n' | grep -Ev '^(torch-compile|read-floor)$' | paste -sd, -)
    gone=$(echo "$2" | tr ',' '\n' | grep -E '^(torch-compile|read-floor)$' | paste -sd, -)
    if [ -n "$gone" ]; then
      python3 "$root/bench/make_results_gpu.py" cell kind=peers "shape=$name" "label=$label" \
        "peers=$gone" status=n/a "reason=peers.py --device cpu has no $gone" >>"$raw/cells.jsonl"
    fi
    [ -n "$list" ] || return 0
  fi
  if [ "$name" = fmnist ]; then
    data=(--fashion --fashion-dir "$fm")
  else
    data=(--rows "$n" --features "$d" --classes "$k")
  fi
  run_cell kind=peers "shape=$name" "label=$label" "peers=$list" -- "$3" \
    env PYTHONUNBUFFERED=1 "$py" "$root/bench/peers.py" --device "$peers_dev" "${data[@]}" --peers "$list" \
    --epochs "$fast" --warmup "$peers_warm"
}

modes_fast=(own tiled auto)
modes_slow=(fused clblast)
lr_cap=100
[ "$smoke" = 1 ] && lr_cap=60
for s in "${shapes[@]}"; do
  for m in "${modes_fast[@]}"; do logreg_cell "$s" "$m" "$lr_cap"; done
  # torch.compile on Fashion-MNIST in the same process (it is the issue's reference case);
  # on the other shapes in a later pass, as time allows (each compiles for 10 to 40 s).
  case $s in
  fmnist\|*) peers_cell "$s" torch,read-floor,torch-nn,torch-compile 150 ;;
  *) peers_cell "$s" torch,read-floor,torch-nn 90 ;;
  esac
done

# Mini-batch Adam on Fashion-MNIST: logreg train for two epoch counts (their difference is the
# per-epoch time without the setup), against PyTorch's idiomatic loop.
if [[ -n "${GPU_SH_SHAPES:-}" && ",$GPU_SH_SHAPES," != *,adam,* ]]; then
  adam_epochs=() # GPU_SH_SHAPES without "adam": no Adam runs
fi
# shellcheck disable=SC2054 # --split 1,0,0 is one argument
adam_args=(train "$fm/train-images-idx3-ubyte.gz" --labels "$fm/train-labels-idx1-ubyte.gz"
  --split 1,0,0 --optimizer adam --batch-size 256 --lr 0.001 --device opencl --json --quiet
  --model "$work/adam.json")
if [ ${#adam_epochs[@]} -eq 2 ]; then
  run_cell kind=adam-logreg mode=logreg-lo -- 120 "${lrenv[@]}" "$logreg" "${adam_args[@]}" --epochs "${adam_epochs[0]}"
  run_cell kind=adam-logreg mode=logreg-hi -- 120 "${lrenv[@]}" "$logreg" "${adam_args[@]}" --epochs "${adam_epochs[1]}"
fi
if [ "$peers_dev" = cuda ] && [ ${#adam_epochs[@]} -eq 2 ]; then
  run_cell kind=adam-peers mode=peers peers=adam-minibatch -- 120 \
    env PYTHONUNBUFFERED=1 "$py" "$root/bench/peers.py" --device cuda --fashion --fashion-dir "$fm" \
    --peers adam-minibatch --epochs 10 --warmup "$peers_warm"
fi

# Cross-validation (`train --cv 5`, 5 values of C: 25 models in one pass per iteration): the
# grid on cpu and on the OpenCL device, the same data and iterations; ms per pass compared.
if [[ -z "${GPU_SH_SHAPES:-}" || ",$GPU_SH_SHAPES," == *,cv,* ]]; then
  if [ "$smoke" = 1 ]; then cv_rows=2000 cv_epochs=3; else cv_rows=20000 cv_epochs=20; fi
  cv_data="$work/cv-blobs.csv"
  "$logreg" gen blobs --rows "$cv_rows" --features 256 --classes 10 --spread 8 --seed 7 \
    -o "$cv_data" >/dev/null 2>&1 || say "warning: logreg gen for the cv cells failed"
  for m in opencl cpu; do
    run_cell kind=cv "mode=$m" "n=$cv_rows" d=256 k=10 -- 180 "${lrenv[@]}" "$logreg" train \
      "$cv_data" --cv 5 --sweep C=0.01,0.1,1,10,100 --split 1,0,0 --epochs "$cv_epochs" \
      --device "$m" --json --quiet --model "$work/cv-$m.json"
  done
fi

for s in "${shapes[@]}"; do
  case $s in fmnist\|*) ;; *) peers_cell "$s" torch-compile 150 ;; esac
done
for s in "${shapes[@]}"; do
  for m in "${modes_slow[@]}"; do logreg_cell "$s" "$m" "$lr_cap"; done
done

# ---- 5. the report ----
echo "seconds=$SECONDS" >>"$raw/machine.txt"
render --table || die "bench/make_results_gpu.py render failed"
say "done in ${SECONDS} s: $out/RESULTS-gpu.md, raw records in $raw/"
