#!/usr/bin/env bash
# main.sh: the README's first command: install what is missing, build, then train on
# Fashion-MNIST with the best backend found, evaluate on the official test set, and save the
# model, the training history and a loss plot under out/.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh >&2
bash scripts/build.sh >&2 # build chatter on stderr: stdout is the report
fm=/usr/share/datasets/fashion-mnist
mkdir -p out
./build/logreg train "$fm/train-images-idx3-ubyte.gz" --labels "$fm/train-labels-idx1-ubyte.gz" \
  --test "$fm/t10k-images-idx3-ubyte.gz" --test-labels "$fm/t10k-labels-idx1-ubyte.gz" \
  --device auto --optimizer adam --batch-size 256 --lr 0.001 --epochs 10 \
  --model out/fashion-mnist.json --history out/fashion-mnist-history.csv "$@"
./build/logreg plot loss --history out/fashion-mnist-history.csv -o out/fashion-mnist-loss.png \
  --title "Fashion-MNIST: mini-batch Adam"
echo "loss plot saved to out/fashion-mnist-loss.png"
