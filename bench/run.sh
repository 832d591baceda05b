#!/usr/bin/env bash
# run.sh: regenerates bench/RESULTS.md (and bench/ms_per_epoch_vs_n.png) in one run.
#
#   bash scripts/build.sh && bash bench/run.sh
#
# What it does, in order (about 10 minutes on the project's 2-core VM):
#  1. installs what the peers need when missing (Debian: python3-numpy python3-torch
#     python3-sklearn python3-matplotlib libopenblas0-pthread);
#  2. records the machine: CPU model (lscpu), cores, memory, OpenCL devices (`logreg devices`),
#     package versions, date, commit;
#  3. per shape: `logreg bench --device all --json` (cpu, the reference and every OpenCL device,
#     each against its memory floor measured in the same run) and bench/peers.py (NumPy,
#     PyTorch by hand, PyTorch nn.Linear + SGD) with the same thread count. Shapes:
#     Fashion-MNIST (the real 60000 x 784 x 10 training images), 1,000,000 x 32 x 2,
#     200,000 x 256 x 10, and the sweep N = 1e4 .. 1e7 at D = 64, K = 10; a shape whose X does
#     not fit an OpenCL device's max allocation is listed as "not run" with the numbers;
#     then, per OpenCL device, the sweep again in one process with the epochs taken
#     round-robin across N (`logreg bench --sweep`): the linearity figures;
#  4. bench/fmnist_lbfgs.sh: L-BFGS to scikit-learn's 100-iteration objective;
#  5. writes bench/RESULTS.md from bench/RESULTS.template.md and the tables
#     (bench/make_results.py), and the plot.
#
# Epochs (timed, after 2 warm-up epochs each; epochs_for below): 50 for N <= 3e4, 20 for
# N <= 1e5 (Fashion-MNIST: 20), 10 below 1e7, 5 at 1e7, the same for logreg and the peers; the
# reference gets 5 on N >= 1e6 and 3 at 1e7 (--reference-epochs): its epochs take seconds there.
#
# Environment: BENCH_OUT=DIR writes RESULTS.md and the PNG there instead of bench/;
# BENCH_QUICK=1 is a smoke run (2 epochs, N <= 1e5, no L-BFGS) for working on this script.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
die() {
  echo "run.sh: error: $*" >&2
  exit 1
}
say() { printf '[run.sh %4ds] %s\n' "$((SECONDS))" "$*" >&2; }

out_dir=${BENCH_OUT:-bench}
quick=${BENCH_QUICK:-0}
mkdir -p "$out_dir" || die "cannot create $out_dir"

# ---- 1. dependencies ----
pkgs=(python3-numpy python3-torch python3-sklearn python3-matplotlib libopenblas0-pthread)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || die "need root to install: ${missing[*]}"
    sudo=sudo
  fi
  say "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq || die "apt-get update failed"
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null ||
    die "apt-get install ${missing[*]} failed"
fi
logreg=$root/build/logreg
[ -x "$logreg" ] || die "$logreg missing: run 'bash scripts/build.sh' first"
fm=/usr/share/datasets/fashion-mnist
[ -f "$fm/train-images-idx3-ubyte.gz" ] ||
  die "$fm missing: apt-get install dataset-fashion-mnist (scripts/deps.sh)"
py=/usr/bin/python3
$py -c "import numpy, torch, sklearn, matplotlib" 2>/dev/null ||
  die "$py cannot import numpy, torch, sklearn and matplotlib"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
threads=$(nproc)

# Runs a command, logging it (for RESULTS.md) and stopping with its error output on failure.
# Usage: run OUTFILE CMD...   (stdout to OUTFILE, stderr to OUTFILE.err)
run() {
  local outf=$1
  shift
  printf '%s\n' "$*" | sed "s|$root/||g" >>"$work/commands.txt"
  if ! "$@" >"$outf" 2>"$outf.err"; then
    echo "run.sh: error: this command failed:" >&2
    echo "  $*" >&2
    sed 's/^/  | /' "$outf.err" >&2
    exit 1
  fi
}

# ---- 2. the machine ----
{
  echo "date=$(date -u '+%Y-%m-%d %H:%M UTC')"
  echo "cpu=$(lscpu | sed -n 's/^Model name: *//p' | head -1)"
  echo "cores=$threads"
  echo "memory_gib=$(awk '/MemTotal/ {printf "%.1f", $2 / 1048576}' /proc/meminfo)"
  echo "commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(
    [ -n "$(git status --porcelain --untracked-files=no 2>/dev/null)" ] && echo " + uncommitted changes")"
  for p in pocl-opencl-icd libclblast1 libopenblas0-pthread python3-numpy python3-torch \
    python3-sklearn; do
    echo "pkg_$p=$(dpkg-query -W -f='${Version}' "$p" 2>/dev/null || echo none)"
  done
  echo "quick=$quick"
  echo "load_start=$(cut -d' ' -f1 /proc/loadavg)"
} >"$work/machine.txt"
load=$(cut -d' ' -f1 /proc/loadavg)
if awk -v l="$load" 'BEGIN { exit !(l > 0.5) }'; then
  say "warning: load average $load before the benchmarks: other work is running, timings will be noisy"
fi
"$logreg" devices >"$work/devices.txt" 2>&1 || die "'logreg devices' failed: $(cat "$work/devices.txt")"

# The smallest max allocation over the OpenCL devices, in MiB (0 when there is none), and its
# device, from `logreg devices` ("opencl:P:D  NAME" then "... max allocation X GiB ...").
read -r max_alloc_mib max_alloc_dev < <(awk '
  /^opencl:/ { dev = $1 }
  /max allocation/ { match($0, /max allocation [0-9.]+ GiB/); split(substr($0, RSTART, RLENGTH), a, " ");
                     m = a[3] * 1024; if (best == "" || m < best) { best = m; bdev = dev } }
  END { if (best == "") print 0, "none"; else printf "%.0f %s\n", best, bdev }' "$work/devices.txt")
say "machine: $(sed -n 's/^cpu=//p' "$work/machine.txt"), $threads cores; smallest OpenCL max allocation ${max_alloc_mib} MiB ($max_alloc_dev)"

# ---- 3. shapes ----
# Timed epochs by rows: enough for a stable median, few enough for the 15-minute budget.
epochs_for() {
  local n=$1
  if [ "$quick" = 1 ]; then
    echo 2
  elif [ "$n" -le 30000 ]; then
    echo 50
  elif [ "$n" -le 100000 ]; then
    echo 20
  elif [ "$n" -lt 10000000 ]; then
    echo 10
  else
    echo 5
  fi
}
cpu_epochs_for() {
  local n=$1
  if [ "$quick" = 1 ]; then
    echo 2
  elif [ "$n" -ge 10000000 ]; then
    echo 3
  elif [ "$n" -ge 1000000 ]; then
    echo 5
  else
    epochs_for "$n"
  fi
}

# bench_shape NAME N D K [logreg data args...]: logreg bench --device all + peers.py.
bench_shape() {
  local name=$1 n=$2 d=$3 k=$4
  shift 4
  local e ce bytes mib
  e=$(epochs_for "$n")
  ce=$(cpu_epochs_for "$n")
  bytes=$((n * d * 4))
  mib=$(((bytes + 1048575) / 1048576))
  if [ "$max_alloc_mib" -gt 0 ] && [ "$mib" -gt "$max_alloc_mib" ]; then
    say "$name: not run: X needs $mib MiB, $max_alloc_dev's max allocation is $max_alloc_mib MiB"
    printf '{"shape":"%s","rows":%s,"features":%s,"classes":%s,"not_run":"X needs %s MiB, device max allocation %s MiB (%s)"}\n' \
      "$name" "$n" "$d" "$k" "$mib" "$max_alloc_mib" "$max_alloc_dev" >>"$work/not_run.jsonl"
    return 0
  fi
  if [ "$quick" = 1 ] && [ "$n" -gt 100000 ]; then
    printf '{"shape":"%s","rows":%s,"features":%s,"classes":%s,"not_run":"BENCH_QUICK=1 (smoke run)"}\n' \
      "$name" "$n" "$d" "$k" >>"$work/not_run.jsonl"
    return 0
  fi
  say "$name: logreg bench --device all, $e epochs (reference $ce)"
  if [ $# -gt 0 ]; then
    run "$work/$name.logreg.jsonl" "$logreg" bench "$@" --device all --epochs "$e" --reference-epochs "$ce" --json
  else
    run "$work/$name.logreg.jsonl" "$logreg" bench --rows "$n" --features "$d" --classes "$k" \
      --device all --epochs "$e" --reference-epochs "$ce" --json
  fi
  say "$name: peers.py, $e epochs, $threads threads"
  if [ $# -gt 0 ]; then
    run "$work/$name.peers.jsonl" $py bench/peers.py --fashion --epochs "$e" --threads "$threads"
  else
    run "$work/$name.peers.jsonl" $py bench/peers.py --rows "$n" --features "$d" --classes "$k" \
      --epochs "$e" --threads "$threads"
  fi
  sed "s/^/$name: /" "$work/$name.peers.jsonl.err" >>"$work/warnings.txt"
  echo "$name" >>"$work/shapes.txt"
}

bench_shape fashion 60000 784 10 --data "$fm/train-images-idx3-ubyte.gz" \
  --labels "$fm/train-labels-idx1-ubyte.gz"
bench_shape n1e6_d32_k2 1000000 32 2
bench_shape n2e5_d256_k10 200000 256 10
for n in 10000 30000 100000 300000 1000000 3000000 10000000; do
  bench_shape "sweep_$n" "$n" 64 10
done

# The linearity check: the same sweep in one logreg process per OpenCL device, epochs taken
# round-robin across the sizes (`logreg bench --sweep`), so that the machine's slow spells hit
# every N alike; the separate runs above are for the peers and the plot.
sweep_ns=(10000 30000 100000 300000 1000000 3000000 10000000)
[ "$quick" = 1 ] && sweep_ns=(10000 30000 100000)
sweep_fit=()
for n in "${sweep_ns[@]}"; do
  if [ "$max_alloc_mib" -eq 0 ] || [ $(((n * 64 * 4 + 1048575) / 1048576)) -le "$max_alloc_mib" ]; then
    sweep_fit+=("$n")
  fi
done
sweep_list=$(IFS=,; echo "${sweep_fit[*]}")
sweep_epochs=20
[ "$quick" = 1 ] && sweep_epochs=2
for dev in $(awk '/^opencl:/ { print $1 }' "$work/devices.txt"); do
  say "interleaved sweep on $dev: logreg bench --sweep $sweep_list, $sweep_epochs epochs each"
  run "$work/sweep_interleaved.$dev.jsonl" "$logreg" bench --sweep "$sweep_list" --features 64 \
    --classes 10 --device "$dev" --epochs "$sweep_epochs" --json
done

# ---- 4. L-BFGS against scikit-learn ----
if [ "$quick" != 1 ]; then
  say "fmnist_lbfgs.sh (L-BFGS, 100 iterations: logreg cpu, logreg opencl, scikit-learn)"
  run "$work/lbfgs.md" bash bench/fmnist_lbfgs.sh
fi

# ---- 5. RESULTS.md and the plot ----
{
  echo "seconds=$SECONDS"
  echo "load_end=$(cut -d' ' -f1 /proc/loadavg)"
} >>"$work/machine.txt"
say "writing $out_dir/RESULTS.md and $out_dir/ms_per_epoch_vs_n.png"
$py bench/make_results.py "$work" bench/RESULTS.template.md "$out_dir/RESULTS.md" \
  "$out_dir/ms_per_epoch_vs_n.png" || die "bench/make_results.py failed"
if [ -s "$work/warnings.txt" ]; then
  echo "run.sh: warnings from the peers (also in RESULTS.md):" >&2
  cat "$work/warnings.txt" >&2
fi
say "done in $((SECONDS / 60)) min $((SECONDS % 60)) s"
