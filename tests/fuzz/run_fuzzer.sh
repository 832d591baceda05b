#!/usr/bin/env bash
# run_fuzzer.sh FUZZER CORPUS SECONDS: runs a libFuzzer target for a bounded time on a copy of
# its seed corpus (the tree is never modified) and fails on any crash, leak, timeout or
# sanitizer report, printing the reproducer (kept under $LOGREG_TMP/fuzz-artifacts) in base64
# so that a CI log is enough to replay it. Uses tests/fuzz/<name>.dict when there is one.
set -u
fuzzer=${1:?usage: run_fuzzer.sh FUZZER CORPUS SECONDS}
corpus=${2:?corpus folder}
seconds=${3:-30}
name=$(basename "$fuzzer")
work=$(mktemp -d "${LOGREG_TMP:-/tmp}/$name.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/corpus" "$work/artifacts"
cp "$corpus"/* "$work/corpus/"
# -rss_limit_mb bounds the memory really used. A single allocation may be larger
# (-malloc_limit_mb): a LIBSVM file of a few kilobytes can legitimately describe a dense
# matrix of gigabytes (300 rows with index 4194304), which calloc maps lazily and the reader
# fills sparsely; with allocator_may_return_null a request the allocator cannot serve comes
# back as NULL, so the readers' out-of-memory paths are exercised instead of aborting.
args=(-max_total_time="$seconds" -rss_limit_mb=2048 -malloc_limit_mb=16384 -timeout=10
      -print_final_stats=1
      -error_exitcode=1 -timeout_exitcode=1 -artifact_prefix="$work/artifacts/")
dict="${LOGREG_FUZZ_DICT_DIR:-$(dirname "$0")}/${name#fuzz_}.dict"
[ -f "$dict" ] && args+=(-dict="$dict")
# Leaks are bugs here: LeakSanitizer runs at the end of every input that allocated.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=1:halt_on_error=1:allocator_may_return_null=1"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:+$UBSAN_OPTIONS:}halt_on_error=1:print_stacktrace=1"
"$fuzzer" "${args[@]}" "$work/corpus" > "$work/log" 2>&1
rc=$?
grep -E '^(stat::|#[0-9]+ +DONE|Done [0-9]+ runs)' "$work/log"
if [ "$rc" -ne 0 ] || ls "$work/artifacts"/* >/dev/null 2>&1; then
  tail -n 60 "$work/log"
  keep="${LOGREG_TMP:-/tmp}/fuzz-artifacts"
  mkdir -p "$keep"
  for f in "$work/artifacts"/*; do
    [ -f "$f" ] || continue
    cp "$f" "$keep/$name-$(basename "$f")"
    echo "reproducer: $keep/$name-$(basename "$f") (base64 below; replay: $fuzzer FILE)"
    base64 -w 100 "$f" | head -c 20000
    echo
  done
  echo "FAIL: $name (exit status $rc)"
  exit 1
fi
echo "ok: $name ran ${seconds}s with no crash"
