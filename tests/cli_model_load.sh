#!/usr/bin/env bash
# cli_model_load.sh: loading a large sparse model (issue 14). `logreg gen sparse` writes 3000
# rows over 200003 features (3 classes); a short cpu lbfgs run saves a model of ~16 MB. predict
# and eval load it with a peak resident size below 3 times the file plus 64 MiB (38 MiB here;
# the loader before the pre-pass of host/model/model_lift.c took 231 MiB, cJSON's tree),
# when /usr/bin/time is there to measure it. Broken copies of that file (truncated inside the
# weights, a non-number in a weight row, a missing weight row, a scaler of the wrong length, a
# ragged row) each give one error line naming the file and a non-zero exit.
. "$(dirname "$0")/lib.sh"
cd "$WORK"

"$LOGREG" gen sparse --rows 3000 --features 200003 --density 0.0001 --classes 3 --seed 14 \
  -o s.svm 2> err || fail "gen sparse exited $?: $(cat err)"
"$LOGREG" train s.svm --device cpu --epochs 3 --split 1,0,0 --quiet --model m.json > /dev/null \
  2> err || fail "train exited $?: $(cat err)"
D=$(json m.json 'len(j["features"])')
[ "$D" -gt 190000 ] && pass "the model has $D features" || fail "the model has $D features"

"$LOGREG" predict --model m.json s.svm --proba > p.csv 2> err || fail "predict: $(cat err)"
[ "$(wc -l < p.csv)" -eq 3001 ] && pass "predict: 3000 rows" || fail "predict: $(wc -l < p.csv) lines"
"$LOGREG" eval --model m.json s.svm --json > e.json 2> err || fail "eval: $(cat err)"
acc=$(json e.json 'j["accuracy"]')
ge "$acc" 0.9 && pass "eval: training accuracy $acc" || fail "eval: training accuracy $acc"

if [ -x /usr/bin/time ]; then
  size_kb=$(( $(stat -c %s m.json) / 1024 ))
  /usr/bin/time -f "%M" -o rss.txt "$LOGREG" predict --model m.json s.svm > /dev/null 2> err \
    || fail "predict under time: $(cat err)"
  rss_kb=$(tail -1 rss.txt)
  limit_kb=$(( 3 * size_kb + 65536 ))
  [ "$rss_kb" -le "$limit_kb" ] && pass "predict: max RSS $rss_kb KiB for a $size_kb KiB model" \
    || fail "predict: max RSS $rss_kb KiB > $limit_kb KiB (3 x $size_kb KiB model + 64 MiB)"
else
  echo "note: /usr/bin/time absent, peak memory not checked" >&2
fi

python3 - "$D" << 'PYEOF'
import re, sys
t = open("m.json").read()
w = t.index('"weights": [')
rows_at = w + t[w:].index("\n") + 1  # the first weight row's line
lines = t[rows_at:].split("\n")
def with_row(r, new):
    ls = list(lines)
    if new is None:
        del ls[r]
    else:
        ls[r] = new
    return t[:rows_at] + "\n".join(ls)
open("trunc.json", "w").write(t[: w + (len(t) - w) // 3])
open("nonnum.json", "w").write(with_row(999, re.sub(r"\[[^,\]]+", '["w"', lines[999], count=1)))
open("norow.json", "w").write(with_row(500, None))
open("ragged.json", "w").write(with_row(7, lines[7].replace("[", "[0, ", 1)))
open("mean.json", "w").write(t.replace('"mean": [', '"mean": [0, ', 1))
PYEOF

expect() {
  local want=$1; shift
  "$LOGREG" "$@" > /dev/null 2> err.txt
  local rc=$? lines
  lines=$(wc -l < err.txt)
  if [ "$rc" -lt 1 ] || [ "$rc" -gt 125 ]; then fail "$*: exit status $rc"; return; fi
  if [ "$lines" -ne 1 ]; then fail "$*: $lines lines on stderr: $(head -c 300 err.txt)"; return; fi
  if ! grep -qF -- "logreg: error: $want" err.txt; then
    fail "$*: expected \"$want\" in: $(cat err.txt)"; return
  fi
  pass "$* -> $(cat err.txt)"
}
expect "trunc.json:" predict --model trunc.json s.svm
grep -q "malformed JSON (unexpected end of file)" err.txt && pass "trunc.json: end of file" \
  || fail "trunc.json: $(cat err.txt)"
expect 'nonnum.json: "weights"[999][0] must be a finite number' predict --model nonnum.json s.svm
expect "norow.json: \"weights\" must have $D rows of 3 numbers" eval --model norow.json s.svm
expect "ragged.json: \"weights\" must have $D rows of 3 numbers" eval --model ragged.json s.svm
expect "mean.json: \"scaler.mean\" must be an array of $D numbers" predict --model mean.json s.svm
finish
