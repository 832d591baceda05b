#!/usr/bin/python3
"""peers.py: the full-batch epoch of `logreg bench` in the tools people would otherwise use.

One epoch, as in logreg: logits Z = X W + b, stable softmax (exp(Z - max Z) / sum), mean
cross-entropy loss, gradient dW = X^T (P - Y) / N + lambda W and db = column sums of (P - Y) / N,
then a plain gradient-descent step (lr 0.1, lambda 1e-4, parameters start at zero), all in
float32 on data already in memory. The peers:

  numpy      NumPy float32 arrays (matmuls through its BLAS: install libopenblas0-pthread)
  torch      PyTorch float32 tensors, no autograd: the same explicit matmuls
  torch-nn   PyTorch nn.Linear + CrossEntropyLoss + SGD(weight_decay on W only): autograd,
             zero_grad / backward / step, the idiomatic training loop

Data: --rows N --features D --classes K synthetic like `logreg bench` (y uniform in 0..K-1,
x = N(0,1) + (j % K == y)), or --fashion (Fashion-MNIST's 60000 training images from Debian's
dataset-fashion-mnist, standardized). Every peer runs with --threads T (OMP/OpenBLAS/MKL thread
variables are set before NumPy is imported; torch.set_num_threads(T); OMP_WAIT_POLICY=PASSIVE
unless set, so that PyTorch's OpenMP threads do not spin against OpenBLAS's), --warmup untimed epochs
(default 2), then --epochs timed ones. Prints one JSON line per peer:
{"peer","rows","features","classes","threads","ms_per_epoch_median","ms_per_epoch_min",
"ms_per_epoch_max",...}. The losses of the first two (warm-up) epochs are compared across the
peers once, outside the timed loop (the second depends on the first gradient); a relative
difference above 1e-4 prints a warning on stderr.

Uses Debian's /usr/bin/python3 with python3-numpy and python3-torch."""
import argparse
import json
import os
import sys
import time

LR = 0.1
L2 = 1e-4
FASHION = "/usr/share/datasets/fashion-mnist"
PEERS = ("numpy", "torch", "torch-nn")


def parse_args():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rows", type=int, default=60000)
    ap.add_argument("--features", type=int, default=784)
    ap.add_argument("--classes", type=int, default=10)
    ap.add_argument("--fashion", action="store_true",
                    help="Fashion-MNIST training images instead of synthetic data")
    ap.add_argument("--epochs", type=int, default=20, help="timed epochs (default 20)")
    ap.add_argument("--warmup", type=int, default=2, help="untimed epochs first (default 2)")
    ap.add_argument("--threads", type=int, default=os.cpu_count() or 1,
                    help="threads for every peer (default: all CPUs)")
    ap.add_argument("--peers", default=",".join(PEERS),
                    help="comma list of " + ", ".join(PEERS) + " (default: all)")
    ap.add_argument("--seed", type=int, default=42)
    a = ap.parse_args()
    a.peers = [p for p in a.peers.split(",") if p]
    bad = [p for p in a.peers if p not in PEERS]
    if bad:
        ap.error(f"unknown peer(s) {','.join(bad)}: choose from {', '.join(PEERS)}")
    if a.epochs < 1 or a.warmup < 2:
        ap.error("--epochs must be >= 1 and --warmup >= 2 (the loss check uses 2 epochs)")
    if a.threads < 1:
        ap.error("--threads must be >= 1")
    if not a.fashion and (a.rows < 1 or a.features < 1 or a.classes < 2):
        ap.error("--rows and --features must be >= 1, --classes >= 2")
    return a


def load(a, np):
    if a.fashion:
        import gzip

        def idx(name, offset):
            with gzip.open(f"{FASHION}/{name}", "rb") as f:
                return np.frombuffer(f.read(), dtype=np.uint8, offset=offset)

        x = idx("train-images-idx3-ubyte.gz", 16).reshape(-1, 784).astype(np.float32)
        y = idx("train-labels-idx1-ubyte.gz", 8).astype(np.int64)
        mu = x.mean(axis=0, dtype=np.float64)
        sd = x.std(axis=0, dtype=np.float64)
        sd[sd == 0] = 1.0
        x = ((x - mu) / sd).astype(np.float32)
        return np.ascontiguousarray(x), y, int(y.max()) + 1
    rng = np.random.default_rng(a.seed)
    n, d, k = a.rows, a.features, a.classes
    y = rng.integers(0, k, size=n, dtype=np.int64)
    x = rng.standard_normal((n, d), dtype=np.float32)
    x += (np.arange(d) % k)[None, :] == y[:, None]
    return x, y, k


def numpy_epoch(np, x, y, rows, w, b):
    n = x.shape[0]
    z = x @ w
    z += b
    z -= z.max(axis=1, keepdims=True)
    e = np.exp(z)
    s = e.sum(axis=1, keepdims=True)
    loss = float(np.mean(np.log(s[:, 0]) - z[rows, y]))
    g = e / s
    g[rows, y] -= 1.0
    g *= np.float32(1.0 / n)
    gw = x.T @ g
    gw += np.float32(L2) * w
    w -= np.float32(LR) * gw
    b -= np.float32(LR) * g.sum(axis=0)
    return loss


def make_numpy(np, x, y, k):
    w = np.zeros((x.shape[1], k), dtype=np.float32)
    b = np.zeros(k, dtype=np.float32)
    rows = np.arange(x.shape[0])
    return lambda: numpy_epoch(np, x, y, rows, w, b)


def make_torch(torch, x, y, k):
    n = x.shape[0]
    w = torch.zeros(x.shape[1], k, dtype=torch.float32)
    b = torch.zeros(k, dtype=torch.float32)
    yc = y[:, None]
    minus_one = torch.full((n, 1), -1.0, dtype=torch.float32)

    def epoch():
        z = torch.addmm(b, x, w)
        z -= z.max(dim=1, keepdim=True).values
        e = torch.exp(z)
        s = e.sum(dim=1, keepdim=True)
        loss = float(torch.mean(torch.log(s) - z.gather(1, yc)))
        g = e / s
        g.scatter_add_(1, yc, minus_one)
        g *= 1.0 / n
        gw = torch.mm(x.t(), g)
        gw.add_(w, alpha=L2)
        w.add_(gw, alpha=-LR)
        b.add_(g.sum(dim=0), alpha=-LR)
        return loss

    return epoch


def make_torch_nn(torch, x, y, k):
    model = torch.nn.Linear(x.shape[1], k)
    with torch.no_grad():
        model.weight.zero_()
        model.bias.zero_()
    crit = torch.nn.CrossEntropyLoss()
    # weight_decay = lambda on W only: the gradient lambda W of (lambda/2)||W||^2; bias free.
    opt = torch.optim.SGD([{"params": [model.weight], "weight_decay": L2},
                           {"params": [model.bias], "weight_decay": 0.0}], lr=LR)

    def epoch():
        opt.zero_grad()
        loss = crit(model(x), y)
        loss.backward()
        opt.step()
        return float(loss)

    return epoch


def main():
    a = parse_args()
    t = str(a.threads)
    for v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[v] = t
    # PyTorch's OpenMP pool and OpenBLAS's threads take turns on the same cores; with OpenMP's
    # default spin-waiting they fight over them (on 2 cores, torch epochs varied by 5x).
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    import numpy as np

    torch = None
    if any(p.startswith("torch") for p in a.peers):
        import torch

        torch.set_num_threads(a.threads)
    x, y, k = load(a, np)
    n, d = x.shape
    xt = yt = None
    if torch is not None:
        xt, yt = torch.from_numpy(x), torch.from_numpy(y)
    first = {}
    for peer in a.peers:
        if peer == "numpy":
            epoch, version = make_numpy(np, x, y, k), np.__version__
        elif peer == "torch":
            epoch, version = make_torch(torch, xt, yt, k), torch.__version__
        else:
            epoch, version = make_torch_nn(torch, xt, yt, k), torch.__version__
        losses = [epoch() for _ in range(a.warmup)]
        first[peer] = losses[:2]
        times = []
        for _ in range(a.epochs):
            t0 = time.perf_counter()
            epoch()
            times.append((time.perf_counter() - t0) * 1e3)
        times.sort()
        m = len(times)
        med = times[m // 2] if m % 2 else 0.5 * (times[m // 2 - 1] + times[m // 2])
        print(json.dumps({"peer": peer, "rows": n, "features": d, "classes": k,
                          "threads": a.threads, "ms_per_epoch_median": med,
                          "ms_per_epoch_min": times[0], "ms_per_epoch_max": times[-1],
                          "epochs": a.epochs, "warmup": a.warmup,
                          "data": "fashion-mnist" if a.fashion else "synthetic",
                          "version": version, "first_losses": losses[:2],
                          "omp_wait_policy": os.environ["OMP_WAIT_POLICY"]}), flush=True)
    ref = next(iter(first), None)
    for peer, losses in first.items():
        for e, (l0, l1) in enumerate(zip(first[ref], losses), 1):
            if abs(l1 - l0) > 1e-4 * abs(l0):
                print(f"peers.py: warning: epoch {e} loss of {peer} ({l1:.8g}) differs from "
                      f"{ref}'s ({l0:.8g}) by more than 1e-4 relative", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
