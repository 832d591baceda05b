#!/usr/bin/env bash
# main.sh: the README's first command: install what is missing, build, put logreg on PATH, then
# train on Fashion-MNIST with the best backend found, evaluate on the official test set, and
# save the model, the training history and a loss plot under out/.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh >&2
# The build's own lines go to a log, shown (its end) only when the build fails; stdout is the
# report.
log="$(mktemp "${TMPDIR:-/tmp}/logreg-build.XXXXXX.log")"
start=$(date +%s)
if ! bash scripts/build.sh > "$log" 2>&1; then
  echo "build: failed; the end of $log:" >&2
  tail -n 40 "$log" >&2
  exit 1
fi
rm -f "$log"
echo "build: build/ (the library, logreg, the tests) in $(($(date +%s) - start)) s" >&2
# `logreg` in a new shell: as root, installed into /usr/local (cmake --install: the CLI, the
# libraries, the headers, logreg.pc, the CMake package, the man page; ldconfig so that programs
# find /usr/local/lib/liblogreg.so.0 at once); otherwise the line that puts build/ on PATH.
installed=0
if [ "$(id -u)" -eq 0 ]; then
  if cmake --install build --prefix /usr/local > /dev/null && PATH="$PATH:/usr/sbin:/sbin" ldconfig
  then
    installed=1
    echo "installed into /usr/local: logreg, liblogreg.so, logreg.h, logreg.pc, man logreg"
  else
    echo "main: could not install into /usr/local (above)" >&2
  fi
fi
if [ "$installed" -eq 0 ]; then
  echo "logreg is build/logreg; to run it as logreg: export PATH=\"$PWD/build:\$PATH\""
fi
fm=/usr/share/datasets/fashion-mnist
mkdir -p out
./build/logreg train "$fm/train-images-idx3-ubyte.gz" --labels "$fm/train-labels-idx1-ubyte.gz" \
  --test "$fm/t10k-images-idx3-ubyte.gz" --test-labels "$fm/t10k-labels-idx1-ubyte.gz" \
  --device auto --optimizer adam --batch-size 256 --lr 0.001 --epochs 10 \
  --model out/fashion-mnist.json --history out/fashion-mnist-history.csv "$@"
./build/logreg plot loss --history out/fashion-mnist-history.csv -o out/fashion-mnist-loss.png \
  --title "Fashion-MNIST: mini-batch Adam" # its "wrote ..." line names the plot: once
