#!/usr/bin/python3
"""numpy_eval.py: one evaluation of the multinomial loss and its gradient in NumPy + OpenBLAS,
the way scikit-learn's lbfgs computes it (issue 24, item 1): X @ W (dgemm), a stable
log-sum-exp, P - Y, X.T @ R (dgemm) in float64, on the data shape of `logreg bench`.

Usage: /usr/bin/python3 bench/numpy_eval.py ROWS FEATURES CLASSES [REPEATS]
Prints the median milliseconds of REPEATS (default 10) evaluations after one untimed one, for
float64 X (scikit-learn's) and for float32 X (the same products in single precision), and the
BLAS threadpoolctl reports. Run it with OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset in that
command alone where the machine sets them (see bench/RESULTS.md)."""
import sys
import time

import numpy as np


def evaluate(x, y1h, w, b):
    z = x @ w + b
    m = z.max(axis=1, keepdims=True)
    e = np.exp(z - m)
    s = e.sum(axis=1, keepdims=True)
    loss = float(np.sum(m[:, 0] + np.log(s[:, 0]) - np.sum(z * y1h, axis=1)))
    r = e / s - y1h
    return loss, x.T @ r, r.sum(axis=0)


def main():
    n, d, k = (int(a) for a in sys.argv[1:4])
    reps = int(sys.argv[4]) if len(sys.argv) > 4 else 10
    rng = np.random.default_rng(42)
    y = rng.integers(0, k, n)
    x = rng.standard_normal((n, d))
    x[np.arange(n), y % d] += 1.0
    y1h = np.eye(k)[y]
    w = 0.01 * rng.standard_normal((d, k))
    b = np.zeros(k)
    for name, dtype in (("float64", np.float64), ("float32", np.float32)):
        xx, yy, ww, bb = (a.astype(dtype) for a in (x, y1h, w, b))
        evaluate(xx, yy, ww, bb)
        ts = []
        for _ in range(reps):
            t0 = time.perf_counter()
            evaluate(xx, yy, ww, bb)
            ts.append(time.perf_counter() - t0)
        print("numpy %s X, %d x %d x %d: median %.2f ms, min %.2f ms (%d evaluations)"
              % (name, n, d, k, 1e3 * float(np.median(ts)), 1e3 * min(ts), reps))
    try:
        from threadpoolctl import threadpool_info
        for p in threadpool_info():
            print("blas: %s %s, %s threads, core %s" % (p.get("internal_api"), p.get("version"),
                                                      p.get("num_threads"), p.get("architecture")))
    except ImportError:
        print("blas: threadpoolctl not installed")


if __name__ == "__main__":
    main()
