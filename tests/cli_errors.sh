#!/usr/bin/env bash
# cli_errors.sh: malformed input of each kind gives exactly one "logreg: error: ..." line on
# stderr naming the file:line:column or the option, a non-zero exit status (1..125), and
# leaves no model behind.
. "$(dirname "$0")/lib.sh"
cd "$WORK"

printf 'a,b,y\n1,2,x\n3,4,y\n5,6\n' > ragged.csv
printf 'a,b,y\n1,zz,x\n3,4,y\n' > nonnum.csv
printf 'a,b,y\n' > header.csv
: > empty.csv
printf 'a,b,y\n1,"2,x\n' > quote.csv
printf 'a,b,y\n1,"2"x,x\n' > afterquote.csv
printf 'a,b,y\n1,2,x\n3,4,x\n' > oneclass.csv
printf 'a,b,y\n1,2,x\n3,4,y\n5,6,z\n' > three.csv
printf 'a,b,y\n1,inf,x\n3,4,y\n' > inf.csv
printf 'a,b,y\n1,nan,x\n3,4,y\n' > nan.csv
printf 'a,b,y\n1,1e39,x\n3,4,y\n' > huge.csv
printf 'a,b,y\n1,2,\n3,4,y\n' > nolabel.csv
printf '1 0:1 2:3\n' > zero.svm
printf '1 3:1 2:3\n' > unsorted.svm
printf '1 1:x\n' > badval.svm
printf '\x00\x00\x09\x03\x00\x00\x00\x01\x00\x00\x00\x01\x00\x00\x00\x01\x05' > wrongmagic-ubyte
printf '\x00\x00\x08\x03\x00\x00\x00\x02\x00\x00\x00\x02\x00\x00\x00\x02\x01\x02' > short-ubyte
printf 'a,b,y\n1,2,x\n3,4,y\n1,2,x\n3,4,y\n' > ok.csv
printf 'a,y\n1,x\n' > fewfeat.csv
printf 'a,b,y\n1,2,q\n' > unseen.csv
"$LOGREG" train ok.csv --split 1,0,0 --quiet --model m.json >/dev/null 2>&1 || fail "setup model"
head -c 60 m.json > trunc.json
printf '{"format": 1}' > nokeys.json
sed 's/"weights":/"weightz":/' m.json > renamed.json

# expect "SUBSTRING" logreg-args...
expect() {
  local want=$1; shift
  rm -f out.json
  "$LOGREG" "$@" > /dev/null 2> err.txt
  local rc=$? lines
  lines=$(wc -l < err.txt)
  if [ "$rc" -lt 1 ] || [ "$rc" -gt 125 ]; then fail "$*: exit status $rc"; return; fi
  if [ "$lines" -ne 1 ]; then fail "$*: $lines lines on stderr: $(cat err.txt)"; return; fi
  if ! grep -q '^logreg: error: ' err.txt; then fail "$*: no 'logreg: error:' prefix: $(cat err.txt)"; return; fi
  if ! grep -qF -- "$want" err.txt; then fail "$*: expected \"$want\" in: $(cat err.txt)"; return; fi
  if [ -e out.json ]; then fail "$*: wrote a model"; return; fi
  pass "$* -> $(cat err.txt)"
}

T="--quiet --model out.json"
expect "missing.csv: cannot open" train missing.csv $T
expect "empty.csv: empty file" train empty.csv $T
expect "header.csv: no data rows" train header.csv $T
expect "ragged.csv:4: expected 3 fields, found 2" train ragged.csv $T
expect 'nonnum.csv:2:2: not a number: "zz"' train nonnum.csv $T
expect "quote.csv:2:2: unterminated quoted field" train quote.csv $T
expect "afterquote.csv:2:2:" train afterquote.csv $T
expect "inf.csv:2:2: non-finite value" train inf.csv $T
expect "nan.csv:2:2: non-finite value" train nan.csv $T
expect "huge.csv:2:2:" train huge.csv $T
expect "nolabel.csv:2:3:" train nolabel.csv $T
expect "only 1 class" train oneclass.csv $T
expect "--binary requires exactly 2 classes" train three.csv --binary $T
expect 'target column "nope"' train three.csv --target nope $T
expect "three.csv" train three.csv --target 7 $T
expect 'drop column "zz"' train three.csv --drop zz $T
expect "zero.svm:1:3: feature index 0" train zero.svm $T
expect "unsorted.svm:1:7:" train unsorted.svm $T
expect "badval.svm:1:" train badval.svm $T
expect "wrongmagic-ubyte: " train wrongmagic-ubyte $T
expect "short-ubyte: " train short-ubyte $T
expect "unknown option --frob" train ok.csv --frob $T
expect '--lr: "abc" is not a number' train ok.csv --lr abc $T
expect "--lr must be > 0" train ok.csv --lr -1 $T
expect "--epochs" train ok.csv --epochs 0 $T
expect "--epochs" train ok.csv --epochs 1.5 $T
expect "--split" train ok.csv --split 0.5,0.5 $T
expect "--split" train ok.csv --split 0.5,0.6,0.1 $T
expect "--optimizer" train ok.csv --optimizer newton $T
expect "--class-weight" train ok.csv --class-weight heavy $T
expect "--pos-weight needs --binary" train ok.csv --pos-weight 2 $T
expect '--device: unknown device "gpu9"' train ok.csv --device gpu9 $T
expect "--format" train ok.csv --format xml $T
expect "--lr needs a value" train ok.csv $T --lr
expect "train needs one DATA file" train --quiet
expect "unknown command" frobnicate
expect "--model is required" predict ok.csv
expect "fewfeat.csv:1:" predict --model m.json fewfeat.csv
expect 'unseen.csv:2:3: label "q"' eval --model m.json unseen.csv
expect "trunc.json:" predict --model trunc.json ok.csv
expect 'nokeys.json: missing key' predict --model nokeys.json ok.csv
expect 'renamed.json: missing key "weights"' predict --model renamed.json ok.csv
expect "nomodel.json" eval --model nomodel.json ok.csv
expect "no-such-dir/m.json" train ok.csv --quiet --model no-such-dir/m.json
expect "gen: unknown kind" gen circles
expect "--classes" gen blobs --classes 1 -o out.csv
finish
