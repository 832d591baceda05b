#!/usr/bin/python3
"""cv_tables.py: 5-fold cross-validation over 10 values of C, CSV file to refitted model, logreg
`train --cv 5` against pandas + scikit-learn's LogisticRegressionCV (issue 24: at most 1/3 of
its time, with a C whose mean validation loss is within 1e-4 of the best).

Usage: python3 bench/cv_tables.py [--logreg build/logreg] [--csv ~/.cache/logreg-bench/flights.csv]
           [--target late] [--binary] [--runs 3] [--converged]
(the table as bench/tables.py caches it; run tables.py once first). Each run is a whole process
timed from outside, as tables.py times them:
- logreg: `train CSV --target T [--binary] --max-categories 0 --split 1,0,0 --cv 5 --device cpu`
  at its default grid tolerance (--tol, 1e-6) and at `--cv-tol 1e-4` (LogisticRegressionCV's
  tol, in the same units since scikit-learn 1.4);
- scikit-learn: pandas read_csv, get_dummies, StandardScaler, then
  LogisticRegressionCV(Cs=10, cv=5, scoring="neg_log_loss") at n_jobs=None (its default) and
  n_jobs=2, whose fit includes its refit.
The runs alternate (logreg, scikit-learn, ...) and the table gives medians. With --converged
the grid is also run to --cv-tol 1e-9 --epochs 3000 on logreg's folds (minutes), and each
logreg run's chosen C is held to the best mean validation loss there. The two programs' folds
differ (logreg's stratified shuffled folds, scikit-learn's StratifiedKFold without shuffling),
so their losses are not compared with each other.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

PEER = r"""
import sys, time
import numpy as np, pandas as pd
from sklearn.preprocessing import StandardScaler
from sklearn.linear_model import LogisticRegressionCV
path, target, n_jobs = sys.argv[1], sys.argv[2], None if sys.argv[3] == "none" else int(sys.argv[3])
df = pd.read_csv(path)
y = df.pop(target).to_numpy()
X = StandardScaler().fit_transform(pd.get_dummies(df, dtype=float).to_numpy())
m = LogisticRegressionCV(Cs=10, cv=5, n_jobs=n_jobs, scoring="neg_log_loss").fit(X, y)
print(m.C_[0], int(m.n_iter_.max()))
"""


def timed(cmd, env=None):
    t0 = time.perf_counter()
    out = subprocess.run(cmd, capture_output=True, text=True, env=env)
    wall = time.perf_counter() - t0
    if out.returncode != 0:
        sys.exit(f"{' '.join(cmd[:3])}...: exit {out.returncode}: {out.stderr[-2000:]}")
    return wall, out.stdout


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--logreg", default="build/logreg")
    ap.add_argument("--csv", default=os.path.expanduser("~/.cache/logreg-bench/flights.csv"))
    ap.add_argument("--target", default="late")
    ap.add_argument("--binary", action="store_true", default=None)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--python", default=sys.executable)
    ap.add_argument("--converged", action="store_true")
    a = ap.parse_args()
    binary = a.binary if a.binary is not None else a.target == "late"
    env = dict(os.environ)
    for v in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"):  # a current OpenBLAS runs slower with them
        env.pop(v, None)
    tmp = tempfile.mkdtemp(prefix="cv_tables.")
    base = [a.logreg, "train", a.csv, "--target", a.target, "--max-categories", "0", "--split",
            "1,0,0", "--cv", "5", "--device", "cpu", "--json", "--quiet",
            "--model", os.path.join(tmp, "m.json")] + (["--binary"] if binary else [])
    runs = {"logreg --cv 5": base, "logreg --cv 5 --cv-tol 1e-4": base + ["--cv-tol", "1e-4"]}
    peers = {"LogisticRegressionCV n_jobs=None": "none", "LogisticRegressionCV n_jobs=2": "2"}
    walls = {k: [] for k in list(runs) + list(peers)}
    info = {}
    for _ in range(a.runs):
        for name, cmd in runs.items():
            w, out = timed(cmd, env)
            walls[name].append(w)
            j = json.loads(out)
            info[name] = {"C": j["cv"]["best"], "passes": j["cv"]["passes"],
                          "grid s": j["cv"]["seconds"], "refit its": j["epochs"]}
        for name, nj in peers.items():
            w, out = timed([a.python, "-c", PEER, a.csv, a.target, nj], env)
            walls[name].append(w)
            c, it = out.split()
            info[name] = {"C": float(c), "n_iter max": int(it)}
    best = None
    if a.converged:
        _, out = timed(base + ["--cv-tol", "1e-9", "--epochs", "3000"], env)
        cv = json.loads(out)["cv"]
        conv = {v["C"]: v["val_loss_mean"] for v in cv["values"]}
        best = min(conv.values())
    ref = statistics.median(walls["LogisticRegressionCV n_jobs=None"])
    ref2 = statistics.median(walls["LogisticRegressionCV n_jobs=2"])
    print(f"{a.csv}: median of {a.runs} runs, whole processes")
    print(f"| run | wall | / LRCV n_jobs=None | / LRCV n_jobs=2 | C chosen | details |")
    print("|---|---:|---:|---:|---:|---|")
    for name, ws in walls.items():
        m = statistics.median(ws)
        d = dict(info[name])
        extra = ""
        if best is not None and name in runs:
            extra = f", converged loss {conv[d['C']]:.7f} (best {best:.7f}, +{conv[d['C']] - best:.1e})"
        c = d.pop("C")
        print(f"| {name} | {m:.2f} s | {m / ref:.2f} | {m / ref2:.2f} | {c:.4g} | "
              + ", ".join(f"{k} {v:.4g}" if isinstance(v, float) else f"{k} {v}"
                          for k, v in d.items()) + extra + " |")


if __name__ == "__main__":
    main()
