#!/usr/bin/env bash
# model_load.sh BEFORE_BUILD AFTER_BUILD [WORK]: loading and saving a 10^6-feature sparse model
# with two builds of logreg (each folder holds `logreg` and `logreg_model_io`), three runs each,
# interleaved; prints the median wall time and max RSS of each command (bench/RESULTS.md,
# "Sparse: loading and saving a 10^6-feature model"). Data: `logreg gen sparse`, 20000 rows x
# 10^6 features, 3 classes, ~30 non-zeros per row; the model: 5 cpu L-BFGS iterations.
set -eu
before=${1:?usage: model_load.sh BEFORE_BUILD AFTER_BUILD [WORK]}
after=${2:?after build}
work=${3:-$(mktemp -d /tmp/model_load.XXXXXX)}
mkdir -p "$work"
cd "$work"
"$after/logreg" gen sparse --rows 20000 --features 1000000 --classes 3 --density 0.00003 \
  --seed 42 -o s1m.svm 2> /dev/null
# time_v LABEL CMD...: one run under /usr/bin/time -v, a line "LABEL wall_s max_rss_kib"
time_v() {
  local label=$1; shift
  /usr/bin/time -v "$@" > /dev/null 2> tv.txt
  python3 - "$label" << 'PYEOF'
import re, sys
t = open("tv.txt").read()
w = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (\S+)", t).group(1).split(":")
s = sum(float(x) * 60 ** i for i, x in enumerate(reversed(w)))
rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", t).group(1))
print(sys.argv[1], s, rss)
PYEOF
}
: > runs.txt
for run in 1 2 3; do
  for which in before after; do
    b=$before; [ $which = after ] && b=$after
    time_v "$which train" "$b/logreg" train s1m.svm --device cpu --epochs 5 --quiet \
      --model m.$which.json >> runs.txt
    time_v "$which eval" "$b/logreg" eval --model m.$which.json s1m.svm >> runs.txt
    time_v "$which predict" "$b/logreg" predict --model m.$which.json s1m.svm >> runs.txt
    echo "$which model_io $("$b/logreg_model_io" m.$which.json rt.$which.json)" >> runs.txt
  done
done
cmp m.before.json m.after.json && echo "the two builds saved the same model bytes ($(stat -c %s m.after.json) bytes)"
cmp m.after.json rt.after.json && echo "load + save gives the same bytes"
python3 - << 'PYEOF'
import json, statistics
rows = {}
for line in open("runs.txt"):
    which, what, rest = line.split(" ", 2)
    if what == "model_io":
        j = json.loads(rest)
        for k, v in j.items():
            rows.setdefault((what + "." + k, which), []).append(v)
    else:
        s, rss = rest.split()
        rows.setdefault((what + " wall s", which), []).append(float(s))
        rows.setdefault((what + " max RSS MiB", which), []).append(int(rss) / 1024)
print("| measure | before (median of 3) | after | after / before |")
print("|---|---:|---:|---:|")
for key in dict.fromkeys(k for k, _ in rows):
    b = statistics.median(rows[(key, "before")]); a = statistics.median(rows[(key, "after")])
    f = ".0f" if "MiB" in key or "mib" in key else ".2f"
    print(f"| {key} | {b:{f}} | {a:{f}} | {a / b:.2f} |")
PYEOF
