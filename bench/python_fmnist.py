#!/usr/bin/python3
"""python_fmnist.py: fit time on Fashion-MNIST through the Python package against scikit-learn,
in one run (issue 13).

Usage: PYTHONPATH=python /usr/bin/python3 bench/python_fmnist.py [DEVICE...]
(default devices: cpu opencl). Both sides fit StandardScaler'd X (60000 x 784, 10 classes,
float64 arrays as a user would hold them) with LogisticRegression(C=1, solver="lbfgs",
max_iter=100, tol=1e-4): scikit-learn's defaults. Prints per estimator the fit seconds (wall,
conversion of the arrays included), the iterations, J of DESIGN.md section 2 at the fitted
coefficients (mean cross-entropy + lambda/2 ||W||^2, lambda = 1/(C N), in double), and the test
accuracy. Needs numpy, scikit-learn and the data of Debian's dataset-fashion-mnist.
"""
import os
import sys
import time
import warnings

import numpy as np
from scipy.special import logsumexp
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler

import logreg

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from sklearn_fmnist import D, idx  # noqa: E402  (the same data, read the same way)



def objective(clf, x, y, lam):
    z = x @ clf.coef_.T + clf.intercept_
    return (logsumexp(z, axis=1) - z[np.arange(len(y)), y]).mean() + 0.5 * lam * (clf.coef_ ** 2).sum()


def main():
    devices = sys.argv[1:] or ["cpu", "opencl"]
    xtr = idx(f"{D}/train-images-idx3-ubyte.gz", 16).reshape(-1, 784).astype(np.float64)
    ytr = idx(f"{D}/train-labels-idx1-ubyte.gz", 8).astype(np.int64)
    xte = idx(f"{D}/t10k-images-idx3-ubyte.gz", 16).reshape(-1, 784).astype(np.float64)
    yte = idx(f"{D}/t10k-labels-idx1-ubyte.gz", 8).astype(np.int64)
    sc = StandardScaler().fit(xtr)
    xtr, xte = sc.transform(xtr), sc.transform(xte)
    lam = 1.0 / len(ytr)
    runs = [("scikit-learn", lambda: LogisticRegression(C=1.0, max_iter=100, tol=1e-4))]
    runs += [(f"logreg device={d}", lambda d=d: logreg.LogisticRegression(
        C=1.0, max_iter=100, tol=1e-4, device=d)) for d in devices]
    print(f"{'estimator':<24} {'fit s':>8} {'iters':>6} {'J':>12} {'test acc':>9}")
    for name, make in runs:
        clf = make()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            t0 = time.perf_counter()
            clf.fit(xtr, ytr)
            secs = time.perf_counter() - t0
        it = int(np.max(clf.n_iter_))
        print(f"{name:<24} {secs:8.2f} {it:6d} {objective(clf, xtr, ytr, lam):12.6f} "
              f"{clf.score(xte, yte):9.4f}", flush=True)


if __name__ == "__main__":
    main()
