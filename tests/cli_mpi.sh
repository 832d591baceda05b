#!/usr/bin/env bash
# cli_mpi.sh: `mpirun -np 2 logreg train` (data parallel, issue 15) against one process with
# the same options, on breast-cancer-wisconsin and on a Fashion-MNIST subset (the 10000 t10k
# images as training data) when present. For full-batch lbfgs, gd and mini-batch adam (shuffled
# every epoch): the objective within 1e-10 of the single-process run on cpu (the ranks' sums
# are the same numbers added in another order: ~1e-16 measured) and 1e-6 on PoCL (float32
# sums in another order), the same predicted labels, and two R = 2 runs write
# byte-identical models; the same for sparse (LIBSVM) rows. A rank that cannot read its data (mpirun's MPMD form gives rank 1 a
# missing file), or whose device does not exist, stops every rank with one error line from
# rank 0 and no model file. Skips
# without mpirun, or when logreg was built without MPI (--json's "ranks" is then 1).
. "$(dirname "$0")/lib.sh"
need_shared breast-cancer-wisconsin.data
command -v mpirun > /dev/null || { echo "SKIP: mpirun not found (apt-get install openmpi-bin)" >&2; exit 77; }
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 # CI runs as root
# The sanitizer build: Open MPI's components (dlopen'ed, dlclose'd at MPI_Finalize, so their
# stacks end in "<unknown module>") leave allocations that LeakSanitizer reports in every rank.
# Memory errors are still checked here; the library's own shard path is leak-checked by
# test_shard, which needs no MPI.
[ "${LOGREG_SANITIZER_BUILD:-}" = 1 ] && export ASAN_OPTIONS="${ASAN_OPTIONS:-}:detect_leaks=0"
MPI=(mpirun -np 2 --oversubscribe)
data="$SHARED/data/breast-cancer-wisconsin.data"
bcw=(--format csv --no-header --drop 0 --target 10)
cd "$WORK"

"${MPI[@]}" true > /dev/null 2> err \
  || { echo "SKIP: mpirun cannot start 2 processes here: $(tail -3 err)" >&2; exit 77; }
"${MPI[@]}" "$LOGREG" train "$data" "${bcw[@]}" --device cpu --json --quiet --model probe.json \
  > probe.out 2> err || { fail "mpirun -np 2 logreg train exited $?: $(cat err)"; finish; }
[ "$(json probe.out "j.get('ranks', 1)")" = 2 ] \
  || { echo "SKIP: logreg was built without MPI (no libopenmpi-dev at configure time)" >&2; exit 77; }

# within A B TOL: |A - B| <= TOL.
within() { python3 -c "import sys; a,b,t=map(float,sys.argv[1:]); sys.exit(0 if abs(a-b)<=t else 1)" "$@"; }

# compare NAME DEVICE TOL "PREDICT ARGS" TRAIN_ARGS...: one process, then two R = 2 runs;
# predict with PREDICT ARGS (data and options; "": skipped) compares the two models' labels.
compare() {
  local name=$1 dev=$2 tol=$3 pargs=$4
  shift 4
  "$LOGREG" train "$@" --device "$dev" --json --quiet --model one.json > one.out 2> err \
    || { fail "$name: one process exited $?: $(cat err)"; return; }
  for r in a b; do
    "${MPI[@]}" "$LOGREG" train "$@" --device "$dev" --json --quiet --model "two$r.json" \
      > "two$r.out" 2> err || { fail "$name: mpirun exited $?: $(cat err)"; return; }
  done
  local j1 j2
  j1=$(json one.out "repr(j['objective'])")
  j2=$(json twoa.out "repr(j['objective'])")
  within "$j1" "$j2" "$tol" && pass "$name: objective $j2 (R = 2) vs $j1 (one process) within $tol" \
    || fail "$name: objective $j2 (R = 2) vs $j1 (one process): more than $tol apart"
  [ "$(json one.out "j['epochs']")" = "$(json twoa.out "j['epochs']")" ] \
    || fail "$name: epochs $(json one.out "j['epochs']") vs $(json twoa.out "j['epochs']")"
  cmp -s twoa.json twob.json && pass "$name: two R = 2 runs write the same model bytes" \
    || fail "$name: two R = 2 runs wrote different models"
  if [ -n "$pargs" ]; then
    "$LOGREG" predict --model one.json $pargs > p1.csv 2> err || fail "$name: predict: $(cat err)"
    "$LOGREG" predict --model twoa.json $pargs > p2.csv 2> err || fail "$name: predict: $(cat err)"
    cmp -s p1.csv p2.csv && pass "$name: the same $(($(wc -l < p1.csv) - 1)) predicted labels" \
      || fail "$name: predictions differ"
  fi
}

opencl=0
"$LOGREG" devices 2> /dev/null | grep -q "^opencl:" && opencl=1
for opt in "--optimizer lbfgs" "--optimizer gd --epochs 50" \
           "--optimizer adam --batch-size 32 --epochs 10"; do
  # predict reads the file with the model's column layout: --no-header is its only option here.
  compare "bcw cpu $opt" cpu 1e-10 "--no-header $data" "$data" "${bcw[@]}" $opt
  [ $opencl = 1 ] && compare "bcw opencl $opt" opencl 1e-6 "--no-header $data" "$data" "${bcw[@]}" $opt
done

# Sparse (LIBSVM) rows: each rank keeps its share of the CSR rows (row pointers rebased), the
# used-column renumbering computed on all of them alike; lbfgs, newton (Hessian-vector sums
# exchanged too) and shuffled adam.
"$LOGREG" gen sparse --rows 1500 --features 3000 --density 0.01 --classes 3 --seed 5 \
  -o "$WORK/sp.svm" > /dev/null 2> err || fail "gen sparse: $(cat err)"
for opt in "--optimizer lbfgs" "--optimizer newton" "--optimizer adam --batch-size 64 --epochs 4"; do
  compare "sparse cpu $opt" cpu 1e-10 "$WORK/sp.svm" "$WORK/sp.svm" $opt
done
[ $opencl = 1 ] && compare "sparse opencl lbfgs" opencl 1e-6 "$WORK/sp.svm" "$WORK/sp.svm" --optimizer lbfgs

# --gemm auto under a group: rank 0 chooses the path (timed, or from the path cache) and the
# others take it instead of timing theirs or reading their caches (a group whose ranks each took
# their fastest would not repeat its model). Each rank gets its own cache file (mpirun's MPMD
# form): rank 1's stays unwritten; then rank 0's line names each path in turn, among them own and
# clblast, which no rank takes by default, while rank 1's names another: the model must equal
# --gemm PATH's on every rank.
if [ $opencl = 1 ]; then
  c0="$WORK/paths0.tsv" c1="$WORK/paths1.tsv"
  rm -f "$c0" "$c1"
  group_auto() {
    mpirun --oversubscribe -np 1 env LOGREG_PATH_CACHE="$c0" "$LOGREG" train "$data" "${bcw[@]}" \
      --device opencl --quiet --model auto.json : -np 1 env LOGREG_PATH_CACHE="$c1" "$LOGREG" \
      train "$data" "${bcw[@]}" --device opencl --quiet --model auto.json 2> err
  }
  group_auto || fail "mpirun --gemm auto exited $?: $(cat err)"
  { [ "$(wc -l < "$c0" 2> /dev/null)" = 1 ] && [ ! -e "$c1" ]; } \
    && pass "rank 0 stores its path choice, rank 1 none" \
    || fail "path caches: rank 0's has $(wc -l < "$c0" 2> /dev/null) lines, rank 1's $([ -e "$c1" ] && echo exists || echo absent)"
  for path in own clblast tiled fused; do
    grep -q "tiled=[0-9]" "$c0" || [ $path != tiled ] || continue # tiled does not apply here
    other=fused
    [ $path = fused ] && other=own
    awk -F '\t' -v OFS='\t' -v p=$other '{ $2 = p; print }' "$c0" > "$c1"
    awk -F '\t' -v OFS='\t' -v p=$path '{ $2 = p; print }' "$c0" > cache.new && mv cache.new "$c0"
    group_auto || fail "mpirun, cached $path: $(cat err)"
    "${MPI[@]}" "$LOGREG" train "$data" "${bcw[@]}" --device opencl --gemm $path \
      --quiet --model pinned.json 2> err || fail "mpirun --gemm $path: $(cat err)"
    cmp -s auto.json pinned.json && pass "rank 0's cached $path (rank 1's: $other): the model of --gemm $path" \
      || fail "rank 0's cached $path (rank 1's: $other): a model other than --gemm $path's"
  done
fi

# A rank that cannot read its data: one line from rank 0, no model, a failing exit status.
for order in second first; do
  good=("$LOGREG" train "$data" "${bcw[@]}" --device cpu --quiet --model bad.json)
  bad=("$LOGREG" train missing.csv "${bcw[@]}" --device cpu --quiet --model bad.json)
  if [ $order = second ]; then
    mpirun --oversubscribe -np 1 "${good[@]}" : -np 1 "${bad[@]}" > out 2> err
  else
    mpirun --oversubscribe -np 1 "${bad[@]}" : -np 1 "${good[@]}" > out 2> err
  fi
  rc=$?
  n=$(grep -c "^logreg: error: " err)
  { [ "$rc" -ne 0 ] && [ "$n" = 1 ] && grep -q "missing.csv: cannot open" err && [ ! -e bad.json ]; } \
    && pass "rank $([ $order = second ] && echo 1 || echo 0) cannot read: $(grep '^logreg: error' err)" \
    || fail "failing rank ($order): rc $rc, $n error lines, model $( [ -e bad.json ] && echo written || echo absent): $(cat err)"
  [ $order = second ] && { grep -q "rank 1 of 2" err || fail "the error does not name rank 1"; }
done

# A rank whose device does not exist (one node without it) stops before reading: the same.
mpirun --oversubscribe -np 1 "$LOGREG" train "$data" "${bcw[@]}" --device cpu --quiet --model bad.json \
  : -np 1 "$LOGREG" train "$data" "${bcw[@]}" --device opencl:9:9 --quiet --model bad.json > out 2> err
rc=$?
n=$(grep -c "^logreg: error: " err)
{ [ "$rc" -ne 0 ] && [ "$n" = 1 ] && grep -q "^logreg: error: rank 1 of 2: --device" err && [ ! -e bad.json ]; } \
  && pass "rank 1 without its device: $(grep '^logreg: error' err)" \
  || fail "rank 1 without its device: rc $rc, $n error lines: $(cat err)"

# Ranks on different kinds of device (cpu and PoCL: double and float32 vectors) would part
# their solvers' paths: refused at set-up with one line naming both, no model.
if [ $opencl = 1 ]; then
  mpirun --oversubscribe -np 1 "$LOGREG" train "$data" "${bcw[@]}" --device cpu --quiet \
    --model bad.json : -np 1 "$LOGREG" train "$data" "${bcw[@]}" --device opencl --quiet \
    --model bad.json > out 2> err
  rc=$?
  n=$(grep -c "^logreg: error: " err)
  { [ "$rc" -ne 0 ] && [ "$n" = 1 ] && grep -q "rank 1 of 2: it trains on opencl .*, rank 0 on cpu" err \
    && [ ! -e bad.json ]; } && pass "cpu and opencl ranks: $(grep '^logreg: error' err)" \
    || fail "cpu and opencl ranks: rc $rc, $n error lines: $(cat err)"
fi

# A failure in training that every rank meets (divergence): one line from rank 0, no model, and
# the job ends (a rank that fails after the start leaves without MPI_Finalize).
timeout 120 "${MPI[@]}" "$LOGREG" train "$data" "${bcw[@]}" --device cpu --optimizer gd --lr 1e30 \
  --quiet --model bad.json > out 2> err
rc=$?
n=$(grep -c "^logreg: error: " err)
{ [ "$rc" -ne 0 ] && [ "$rc" -ne 124 ] && [ "$n" = 1 ] && grep -q "diverged" err && [ ! -e bad.json ]; } \
  && pass "divergence under mpirun: one line, no model" \
  || fail "divergence under mpirun: rc $rc, $n error lines: $(cat err)"

F=${LOGREG_FASHION_DIR:-/usr/share/datasets/fashion-mnist}
if [ -f "$F/t10k-images-idx3-ubyte.gz" ] && [ -f "$F/t10k-labels-idx1-ubyte.gz" ]; then
  fm=("$F/t10k-images-idx3-ubyte.gz" --labels "$F/t10k-labels-idx1-ubyte.gz")
  for opt in "--optimizer lbfgs --epochs 15" "--optimizer gd --epochs 5" \
             "--optimizer adam --batch-size 256 --epochs 1"; do
    # lbfgs stops at --epochs 15 (a warning: not the optimum, the same 15 steps in both).
    compare "fashion-10k cpu $opt" cpu 1e-10 "$F/t10k-images-idx3-ubyte.gz" "${fm[@]}" $opt
  done
  [ $opencl = 1 ] && compare "fashion-10k opencl lbfgs" opencl 1e-6 "" "${fm[@]}" --optimizer lbfgs --epochs 15
else
  echo "note: Fashion-MNIST not found in $F: its part skipped" >&2
fi
finish
