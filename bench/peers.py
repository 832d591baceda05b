#!/usr/bin/python3
"""peers.py: the full-batch epoch of `logreg bench` in the tools people would otherwise use.

One epoch, as in logreg: logits Z = X W + b, stable softmax (exp(Z - max Z) / sum), mean
cross-entropy loss, gradient dW = X^T (P - Y) / N + lambda W and db = column sums of (P - Y) / N,
then a plain gradient-descent step (lr 0.1, lambda 1e-4, parameters start at zero), all in
float32 on data already in memory. The peers with --device cpu (the default):

  numpy      NumPy float32 arrays (matmuls through its BLAS: install libopenblas0-pthread)
  torch      PyTorch float32 tensors, no autograd: the same explicit matmuls
  torch-nn   PyTorch nn.Linear + CrossEntropyLoss + SGD(weight_decay on W only): autograd,
             zero_grad / backward / step, the idiomatic training loop

With --device cuda (an NVIDIA GPU through PyTorch; bench/gpu.sh runs it): float32 with TF32
off (matmul and cuDNN), data resident on the GPU (synthetic data drawn there), each timed
epoch between two CUDA events after the warm-up, no host synchronization inside the loop;
median of the timed epochs. The peers there:

  torch           the explicit epoch above, eager
  torch-compile   torch.compile of that same epoch function (the first call, which compiles,
                  is a warm-up epoch; its seconds are reported as compile_seconds)
  torch-nn        nn.Linear + cross_entropy + autograd + SGD step, as above
  read-floor      X.sum(): one read of X, the GPU's read floor as PyTorch sees it (ms per pass)
  adam-minibatch  the idiomatic mini-batch loop: nn.Linear, F.cross_entropy, torch.optim.Adam
                  (lr 1e-3), batches of 256 rows from a torch.randperm of the rows on the GPU
                  each epoch (no DataLoader); ms per epoch over all the rows (not in the
                  default list: name it in --peers)

Default --peers: numpy,torch,torch-nn on cpu; torch,torch-compile,torch-nn,read-floor on cuda.
--device cuda where PyTorch or CUDA is missing stops with one error line. On cuda a peer that
fails (torch.compile without a working compiler, out of memory) prints
{"peer": NAME, "error": "..."} and the others still run; the exit status is then 1.

Data: --rows N --features D --classes K synthetic like `logreg bench` (y uniform in 0..K-1,
x = N(0,1) + (j % K == y)), or --fashion (Fashion-MNIST's 60000 training images from Debian's
dataset-fashion-mnist, or the IDX files in --fashion-dir, standardized). Every peer runs with --threads T (OMP/OpenBLAS/MKL thread
variables are set before NumPy is imported; torch.set_num_threads(T); OMP_WAIT_POLICY=PASSIVE
unless set, so that PyTorch's OpenMP threads do not spin against OpenBLAS's), --warmup untimed epochs
(default 2), then --epochs timed ones. Prints one JSON line per peer:
{"peer","rows","features","classes","threads","ms_per_epoch_median","ms_per_epoch_min",
"ms_per_epoch_max",...}. The losses of the first two (warm-up) epochs are compared across the
peers once, outside the timed loop (the second depends on the first gradient); a relative
difference above 1e-4 prints a warning on stderr.

Uses Debian's /usr/bin/python3 with python3-numpy and python3-torch on cpu; any python3 with
numpy and a CUDA build of PyTorch on cuda (`python3 bench/peers.py --device cuda`)."""
import argparse
import json
import os
import sys
import time

LR = 0.1
L2 = 1e-4
FASHION = "/usr/share/datasets/fashion-mnist"
PEERS = ("numpy", "torch", "torch-nn")
CUDA_PEERS = ("torch", "torch-compile", "torch-nn", "read-floor", "adam-minibatch")
CUDA_DEFAULT = ("torch", "torch-compile", "torch-nn", "read-floor")
ADAM_LR = 1e-3
ADAM_BATCH = 256


def parse_args():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rows", type=int, default=60000)
    ap.add_argument("--features", type=int, default=784)
    ap.add_argument("--classes", type=int, default=10)
    ap.add_argument("--fashion", action="store_true",
                    help="Fashion-MNIST training images instead of synthetic data")
    ap.add_argument("--fashion-dir", default=FASHION,
                    help="folder of Fashion-MNIST's IDX files (default " + FASHION + ")")
    ap.add_argument("--epochs", type=int, default=20, help="timed epochs (default 20)")
    ap.add_argument("--warmup", type=int, default=2, help="untimed epochs first (default 2)")
    ap.add_argument("--threads", type=int, default=os.cpu_count() or 1,
                    help="threads for every peer (default: all CPUs)")
    ap.add_argument("--device", choices=("cpu", "cuda"), default="cpu",
                    help="cpu (default) or cuda: an NVIDIA GPU through PyTorch")
    ap.add_argument("--peers", default=None,
                    help="comma list; cpu: " + ", ".join(PEERS) + " (default: all); cuda: "
                    + ", ".join(CUDA_PEERS) + " (default: " + ",".join(CUDA_DEFAULT) + ")")
    ap.add_argument("--seed", type=int, default=42)
    a = ap.parse_args()
    known = PEERS if a.device == "cpu" else CUDA_PEERS
    if a.peers is None:
        a.peers = ",".join(PEERS if a.device == "cpu" else CUDA_DEFAULT)
    a.peers = [p for p in a.peers.split(",") if p]
    bad = [p for p in a.peers if p not in known]
    if bad:
        ap.error(f"unknown peer(s) for --device {a.device}: {','.join(bad)}: choose from "
                 f"{', '.join(known)}")
    if not a.peers:
        ap.error("--peers: name at least one peer")
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
            with gzip.open(f"{a.fashion_dir}/{name}", "rb") as f:
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


def make_torch_nn(torch, x, y, k, on_device=False):
    """The idiomatic loop; on_device (cuda) returns the loss as a tensor, so that the timed
    epoch does not wait for the GPU to hand the number back."""
    model = torch.nn.Linear(x.shape[1], k).to(x.device)
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
        return loss.detach() if on_device else float(loss)

    return epoch


# ---- --device cuda ----

def cuda_setup():
    """Imports torch and checks CUDA; one error line and exit 1 when either is missing."""
    try:
        import torch
    except ImportError as e:
        sys.exit(f"peers.py: error: --device cuda needs PyTorch: {e}")
    if not torch.cuda.is_available():
        sys.exit(f"peers.py: error: --device cuda: CUDA is not available to PyTorch "
                 f"{torch.__version__} (built for CUDA {torch.version.cuda or 'none'})")
    # Float32 throughout: no TF32 in matmuls or convolutions (logreg computes in float32).
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    torch.set_float32_matmul_precision("highest")
    return torch


def cuda_data(a, torch):
    """X (N x D float32), y (N int64) and K on the GPU: Fashion-MNIST standardized as on cpu,
    or the synthetic data drawn on the GPU (same distribution as load(), other draws)."""
    dev = torch.device("cuda")
    if a.fashion:
        x, y, k = load(a, import_numpy())
        return torch.from_numpy(x).to(dev), torch.from_numpy(y).to(dev), k
    n, d, k = a.rows, a.features, a.classes
    g = torch.Generator(device=dev)
    g.manual_seed(a.seed)
    y = torch.randint(0, k, (n,), generator=g, device=dev, dtype=torch.int64)
    x = torch.randn(n, d, generator=g, device=dev, dtype=torch.float32)
    x += ((torch.arange(d, device=dev) % k)[None, :] == y[:, None]).to(torch.float32)
    return x, y, k


def torch_epoch_fn(torch):
    """The explicit epoch as a function of its tensors, updating w and b in place and returning
    the loss as a 0-d tensor (no host synchronization): eager, and the input of torch.compile."""

    def epoch(x, yc, minus_one, w, b):
        n = x.shape[0]
        z = torch.addmm(b, x, w)
        z -= z.max(dim=1, keepdim=True).values
        e = torch.exp(z)
        s = e.sum(dim=1, keepdim=True)
        loss = torch.mean(torch.log(s) - z.gather(1, yc))
        g = e / s
        g.scatter_add_(1, yc, minus_one)
        g *= 1.0 / n
        gw = torch.mm(x.t(), g)
        gw.add_(w, alpha=L2)
        w.add_(gw, alpha=-LR)
        b.add_(g.sum(dim=0), alpha=-LR)
        return loss

    return epoch


def make_cuda_epoch(torch, x, y, k, compiled):
    n, d = x.shape
    w = torch.zeros(d, k, dtype=torch.float32, device=x.device)
    b = torch.zeros(k, dtype=torch.float32, device=x.device)
    yc = y[:, None].contiguous()
    minus_one = torch.full((n, 1), -1.0, dtype=torch.float32, device=x.device)
    fn = torch_epoch_fn(torch)
    if compiled:
        fn = torch.compile(fn)
    return lambda: fn(x, yc, minus_one, w, b)


def make_cuda_adam(torch, x, y, k, seed):
    """The loop a PyTorch user writes: shuffled mini-batches of 256 by index, Adam."""
    import torch.nn.functional as F

    n = x.shape[0]
    torch.manual_seed(seed)
    model = torch.nn.Linear(x.shape[1], k).to(x.device)
    opt = torch.optim.Adam(model.parameters(), lr=ADAM_LR)
    g = torch.Generator(device=x.device)
    g.manual_seed(seed)

    def epoch():
        perm = torch.randperm(n, device=x.device, generator=g)
        for i in range(0, n, ADAM_BATCH):
            idx = perm[i:i + ADAM_BATCH]
            opt.zero_grad()
            loss = F.cross_entropy(model(x[idx]), y[idx])
            loss.backward()
            opt.step()
        return loss.detach()

    return epoch


def cuda_times(torch, fn, warmup, epochs):
    """Runs fn warmup times, then epochs times with a CUDA event before and after each call and
    no synchronization in between; returns (the warm-up results, ms of each timed call, seconds
    of the first warm-up call, synchronized)."""
    t0 = time.perf_counter()
    first = fn()
    torch.cuda.synchronize()
    first_s = time.perf_counter() - t0
    out = [first] + [fn() for _ in range(warmup - 1)]
    torch.cuda.synchronize()
    ev = [(torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True))
          for _ in range(epochs)]
    for start, end in ev:
        start.record()
        fn()
        end.record()
    torch.cuda.synchronize()
    return out, [s.elapsed_time(e) for s, e in ev], first_s


def main_cuda(a):
    torch = cuda_setup()
    x, y, k = cuda_data(a, torch)
    n, d = x.shape
    props = torch.cuda.get_device_properties(0)
    common = {"device": "cuda", "gpu": props.name, "rows": n, "features": d, "classes": k,
              "data": "fashion-mnist" if a.fashion else "synthetic", "version": torch.__version__,
              "cuda": torch.version.cuda, "tf32": False, "timing": "cuda events"}
    first, failed = {}, 0
    for peer in a.peers:
        rec = {"peer": peer}
        try:
            if peer == "read-floor":
                fn = lambda: x.sum()  # noqa: E731
            elif peer == "adam-minibatch":
                fn = make_cuda_adam(torch, x, y, k, a.seed)
            elif peer == "torch-nn":
                fn = make_torch_nn(torch, x, y, k, on_device=True)
            else:
                fn = make_cuda_epoch(torch, x, y, k, compiled=peer == "torch-compile")
            outs, times, first_s = cuda_times(torch, fn, a.warmup, a.epochs)
        except Exception as e:  # one peer's failure (compiler, memory) does not stop the rest
            msg = " ".join(f"{type(e).__name__}: {e}".split())[:500]
            print(json.dumps({**rec, **common, "error": msg}), flush=True)
            print(f"peers.py: {peer} failed: {msg}", file=sys.stderr)
            failed += 1
            torch.cuda.empty_cache()
            continue
        times.sort()
        m = len(times)
        med = times[m // 2] if m % 2 else 0.5 * (times[m // 2 - 1] + times[m // 2])
        rec.update(common)
        rec.update({"ms_per_epoch_median": med, "ms_per_epoch_min": times[0],
                    "ms_per_epoch_max": times[-1], "epochs": a.epochs, "warmup": a.warmup,
                    "first_call_seconds": first_s})
        if peer == "torch-compile":
            rec["compile_seconds"] = first_s
        if peer == "read-floor":
            rec["gb_per_s"] = n * d * 4 / (med * 1e-3) / 1e9
        elif peer == "adam-minibatch":
            rec.update({"batch_size": ADAM_BATCH, "lr": ADAM_LR, "optimizer": "adam",
                        "timed_seconds": sum(times) / 1e3})
        else:
            rec["first_losses"] = [float(v) for v in outs[:2]]
            first[peer] = rec["first_losses"]
        print(json.dumps(rec), flush=True)
        del fn
        torch.cuda.empty_cache()
    check_losses(first)
    return 1 if failed else 0


def import_numpy():
    try:
        import numpy
    except ImportError as e:
        sys.exit(f"peers.py: error: needs NumPy: {e}")
    return numpy


def check_losses(first):
    """Warns when a peer's first two (warm-up) losses differ from the first peer's."""
    ref = next(iter(first), None)
    for peer, losses in first.items():
        for e, (l0, l1) in enumerate(zip(first[ref], losses), 1):
            if abs(l1 - l0) > 1e-4 * abs(l0):
                print(f"peers.py: warning: epoch {e} loss of {peer} ({l1:.8g}) differs from "
                      f"{ref}'s ({l0:.8g}) by more than 1e-4 relative", file=sys.stderr)


def main():
    a = parse_args()
    t = str(a.threads)
    for v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[v] = t
    # PyTorch's OpenMP pool and OpenBLAS's threads take turns on the same cores; with OpenMP's
    # default spin-waiting they fight over them (on 2 cores, torch epochs varied by 5x).
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    if a.device == "cuda":
        return main_cuda(a)
    np = import_numpy()
    torch = None
    if any(p.startswith("torch") for p in a.peers):
        try:
            import torch
        except ImportError as e:
            sys.exit(f"peers.py: error: the torch peers need PyTorch: {e}")
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
    check_losses(first)
    return 0


if __name__ == "__main__":
    sys.exit(main())
