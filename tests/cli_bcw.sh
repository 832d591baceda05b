#!/usr/bin/env bash
# cli_bcw.sh: end to end on the original Breast Cancer Wisconsin file: no header, id column 0
# dropped, target column 10, 16 '?' values imputed. Test accuracy >= 0.95, both multinomial
# and --binary, and the 16 missing values are reported.
. "$(dirname "$0")/lib.sh"
need_shared breast-cancer-wisconsin.data
data="$SHARED/data/breast-cancer-wisconsin.data"

for mode in "" "--binary"; do
  "$LOGREG" train "$data" --format csv --no-header --drop 0 --target 10 $mode --json --quiet \
    --model "$WORK/m.json" > "$WORK/t.json" 2> "$WORK/err" || fail "train $mode exited $?: $(cat "$WORK/err")"
  acc=$(json "$WORK/t.json" "j['test']['accuracy']")
  echo "bcw ${mode:-multinomial} test accuracy: $acc" >&2
  ge "$acc" 0.95 && pass "$mode accuracy $acc" || fail "$mode accuracy $acc < 0.95"
  [ "$(json "$WORK/t.json" "j['missing_values']")" = 16 ] || fail "missing values not 16"
  [ "$(json "$WORK/t.json" "j['classes']")" = "['2', '4']" ] || fail "classes"
done
# The header-less file predicts through the recorded column layout.
"$LOGREG" predict --model "$WORK/m.json" --no-header "$data" > "$WORK/p.csv" 2> "$WORK/err" \
  || fail "predict exited $?: $(cat "$WORK/err")"
[ "$(wc -l < "$WORK/p.csv")" = 700 ] || fail "predict rows"
finish
