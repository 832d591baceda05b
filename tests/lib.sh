# lib.sh: helpers for the CLI tests (sourced). $1 of the test is the logreg binary.
set -u
LOGREG=${1:?usage: test.sh path/to/logreg}
SHARED=${LOGREG_SHARED_DIR:-../shared}
WORK=$(mktemp -d "${LOGREG_TMP:-/tmp}/clitest.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
FAILS=0

fail() { echo "FAIL: $*" >&2; FAILS=$((FAILS + 1)); }
pass() { echo "ok: $*" >&2; }
need_shared() {
  [ -f "$SHARED/data/$1" ] || { echo "SKIP: $SHARED/data/$1 not found (../shared absent)" >&2; exit 77; }
}
# json FILE EXPR: evaluates a Python expression over the parsed JSON `j`.
json() { python3 -c "import json,sys; j=json.load(open(sys.argv[1])); print($2)" "$1"; }
# ge A B: A >= B as numbers.
ge() { python3 -c "import sys; sys.exit(0 if float(sys.argv[1]) >= float(sys.argv[2]) else 1)" "$1" "$2"; }
finish() {
  if [ "$FAILS" -ne 0 ]; then echo "$FAILS check(s) failed" >&2; exit 1; fi
  echo "all checks passed" >&2
  exit 0
}
