#!/usr/bin/python3
"""python_small.py: per-fit time of a small table through the Python package against
scikit-learn, in one process (issue 24, item 6: a 5,000-row fit at most 2x scikit-learn's).

Usage: PYTHONPATH=python LOGREG_LIBRARY=build/liblogreg.so.0 /usr/bin/python3 \
           bench/python_small.py [--rows 5000] [--repeat 21] [DEVICE...]
(default devices: auto cpu). The table: the first --rows rows of diamonds (bench/tables.py's
copy in ~/.cache/logreg-bench/diamonds.csv: 22 features after one-hot encoding, 5 classes,
standardized once, float64 as a user holds it) when it is there, else a generated one of the
same shape. Each estimator is LogisticRegression(C=1, max_iter=1000, tol=1e-4) (scikit-learn's
defaults but for max_iter), fitted --repeat times after one untimed fit (imports, the first
call's library loading and, for OpenCL, kernel builds stay out: this is the per-call cost a
grid search pays); prints the median and min fit seconds, the iterations, J (mean log loss +
||W||^2 / (2 C n), in double) and the ratio to scikit-learn's median.
"""
import argparse
import os
import statistics
import time
import warnings

import numpy as np
from scipy.special import logsumexp
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler

import logreg


def table(rows):
    path = os.path.expanduser("~/.cache/logreg-bench/diamonds.csv")
    if os.path.exists(path):
        import pandas as pd
        df = pd.read_csv(path).head(rows)
        y = df.pop("cut").to_numpy()
        x = pd.get_dummies(df, dtype=float).to_numpy()
        what = f"diamonds, first {rows} rows"
    else:
        rng = np.random.default_rng(0)
        x = rng.normal(size=(rows, 22))
        y = np.argmax(x[:, :5] + rng.normal(size=(rows, 5)), axis=1)
        what = f"generated, {rows} rows"
    return StandardScaler().fit_transform(x), y, what


def objective(clf, x, y):
    z = x @ clf.coef_.T + clf.intercept_
    idx = np.searchsorted(clf.classes_, y)
    if z.shape[1] == 1:
        s = np.where(idx == 1, 1.0, -1.0)
        loss = np.logaddexp(0.0, -s * z[:, 0]).mean()
    else:
        loss = (logsumexp(z, axis=1) - z[np.arange(len(y)), idx]).mean()
    return loss + 0.5 * (clf.coef_ ** 2).sum() / (clf.C * len(y))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=5000)
    ap.add_argument("--repeat", type=int, default=21)
    ap.add_argument("devices", nargs="*", default=["auto", "cpu"])
    a = ap.parse_args()
    x, y, what = table(a.rows)
    print(f"{what}: {x.shape[0]} x {x.shape[1]}, {len(np.unique(y))} classes; "
          f"median of {a.repeat} fits after one untimed")
    runs = [("scikit-learn", lambda: LogisticRegression(C=1.0, max_iter=1000, tol=1e-4))]
    runs += [(f"logreg device={d}", lambda d=d: logreg.LogisticRegression(
        C=1.0, max_iter=1000, tol=1e-4, device=d)) for d in a.devices]
    base = None
    print(f"{'estimator':<22} {'median s':>9} {'min s':>8} {'iters':>6} {'J':>14} {'x sklearn':>9}")
    for name, make in runs:
        times = []
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            make().fit(x, y)
            for _ in range(a.repeat):
                clf = make()
                t0 = time.perf_counter()
                clf.fit(x, y)
                times.append(time.perf_counter() - t0)
        med = statistics.median(times)
        base = base or med
        it = int(np.max(clf.n_iter_))
        extra = f"  ({clf.device_})" if hasattr(clf, "device_") else ""
        print(f"{name:<22} {med:9.4f} {min(times):8.4f} {it:6d} {objective(clf, x, y):14.10f} "
              f"{med / base:9.2f}{extra}")


if __name__ == "__main__":
    main()
