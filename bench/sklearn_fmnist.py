#!/usr/bin/python3
"""sklearn_fmnist.py: scikit-learn's LogisticRegression (lbfgs, C=1, max_iter=100) on
Fashion-MNIST, the reference for `logreg train --optimizer lbfgs --l2 1.6667e-5 --epochs 100`.

Optional arguments MAX_ITER and TOL (default 100 and scikit-learn's 1e-4) run it longer, to
scikit-learn's optimum (bench/newton.sh). Prints one JSON line: fit seconds, the objective J of DESIGN.md §2 (mean cross-entropy +
lambda/2 ||W||^2 with lambda = 1/(C N)) at scikit-learn's solution, and the test accuracy.
Uses Debian's python3-sklearn (/usr/bin/python3); the data from dataset-fashion-mnist."""
import gzip
import json
import sys
import time

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler

D = "/usr/share/datasets/fashion-mnist"


def idx(path, offset):
    with gzip.open(path, "rb") as f:
        return np.frombuffer(f.read(), dtype=np.uint8, offset=offset)


def main():
    xtr = idx(f"{D}/train-images-idx3-ubyte.gz", 16).reshape(-1, 784).astype(np.float64)
    ytr = idx(f"{D}/train-labels-idx1-ubyte.gz", 8).astype(np.int64)
    xte = idx(f"{D}/t10k-images-idx3-ubyte.gz", 16).reshape(-1, 784).astype(np.float64)
    yte = idx(f"{D}/t10k-labels-idx1-ubyte.gz", 8).astype(np.int64)
    sc = StandardScaler().fit(xtr)
    xtr, xte = sc.transform(xtr), sc.transform(xte)
    C = 1.0
    max_iter = int(sys.argv[1]) if len(sys.argv) > 1 else 100
    tol = float(sys.argv[2]) if len(sys.argv) > 2 else 1e-4
    clf = LogisticRegression(C=C, max_iter=max_iter, tol=tol, solver="lbfgs")
    t0 = time.perf_counter()
    clf.fit(xtr, ytr)
    secs = time.perf_counter() - t0
    z = xtr @ clf.coef_.T + clf.intercept_
    zmax = z.max(axis=1, keepdims=True)
    lse = zmax[:, 0] + np.log(np.exp(z - zmax).sum(axis=1))
    loss = np.mean(lse - z[np.arange(len(ytr)), ytr])
    lam = 1.0 / (C * len(ytr))
    J = loss + 0.5 * lam * np.sum(clf.coef_ ** 2)
    acc = float((clf.predict(xte) == yte).mean())
    print(json.dumps({"tool": "scikit-learn", "fit_seconds": secs, "objective": J,
                      "iterations": int(clf.n_iter_[0]), "test_accuracy": acc}))


if __name__ == "__main__":
    sys.exit(main())
