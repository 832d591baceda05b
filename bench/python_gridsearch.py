#!/usr/bin/python3
"""python_gridsearch.py: GridSearchCV over the Python package's estimator against the same search
over scikit-learn's LogisticRegression (issue 24, item 6: at most half of scikit-learn's time on
the nycflights13 shape), in one run.

Usage: PYTHONPATH=python LOGREG_LIBRARY=build/liblogreg.so.0 python3 bench/python_gridsearch.py \
           [--csv ~/.cache/logreg-bench/flights.csv] [--target late] [--n-jobs N]
The table as bench/tables.py prepares it (pandas get_dummies + StandardScaler, float64), then
GridSearchCV(est, {"C": 10 values 1e-4 .. 1e4}, cv=5, scoring="neg_log_loss", n_jobs) for
est = sklearn.linear_model.LogisticRegression(max_iter=100) and logreg.LogisticRegression()
(both tol=1e-4, max_iter=100: scikit-learn's defaults); prints each search's seconds, best C and
best mean score. Folds: GridSearchCV's (StratifiedKFold without shuffling), the same for both.
"""
import argparse
import os
import time
import warnings

import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV
from sklearn.preprocessing import StandardScaler

import logreg


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--csv", default=os.path.expanduser("~/.cache/logreg-bench/flights.csv"))
    ap.add_argument("--target", default="late")
    ap.add_argument("--n-jobs", type=int, default=None)
    a = ap.parse_args()
    df = pd.read_csv(a.csv)
    y = df.pop(a.target).to_numpy()
    x = StandardScaler().fit_transform(pd.get_dummies(df, dtype=float).to_numpy())
    grid = {"C": np.logspace(-4, 4, 10)}
    print(f"{a.csv}: {x.shape[0]} x {x.shape[1]}; GridSearchCV 10 C x 5 folds, n_jobs={a.n_jobs}")
    for name, est in [("logreg", logreg.LogisticRegression(device="cpu")),
                      ("scikit-learn", LogisticRegression(max_iter=100))]:
        gs = GridSearchCV(est, grid, cv=5, scoring="neg_log_loss", n_jobs=a.n_jobs)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            t0 = time.perf_counter()
            gs.fit(x, y)
            sec = time.perf_counter() - t0
        print(f"{name:<14} {sec:8.2f} s  best C {gs.best_params_['C']:.4g}  "
              f"best mean log loss {-gs.best_score_:.6f}")


if __name__ == "__main__":
    main()
