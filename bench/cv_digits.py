#!/usr/bin/env python3
"""cv_digits.py: `logreg train --cv` against scikit-learn's LogisticRegressionCV, and the
one-pass grid against G x K separate runs, on scikit-learn's digits (1797 x 64, 10 classes).

Usage: python3 bench/cv_digits.py [LOGREG] [--device DEV] [--cs 10] [--separate]
  LOGREG      the logreg binary (default build/logreg)
  --separate  also train the G x K models one by one (logreg train --weight MASK --C C) and
              compare their objectives and times with the grid's

Needs numpy and scikit-learn (Debian: python3-sklearn). What it does:
1. Writes digits as CSV with a `fold` column: scikit-learn's StratifiedKFold(5) (no shuffle),
   so both sides use the same folds (`--folds fold`).
2. Runs `logreg train digits.csv --cv 5 --folds fold --split 1,0,0 --device DEV --tol 1e-10
   --epochs 20000 --json` (the default grid: 10 values of C from 1e-4 to 1e4, as Cs=10).
3. Runs LogisticRegressionCV(Cs=10, cv=the same folds, scoring="neg_log_loss", lbfgs,
   multinomial, tol=1e-10, max_iter=10000) on X standardized as logreg does it (training
   mean and population std of all rows, a constant column only centred, rounded to float32).
4. Prints, per C: both mean validation log losses and their difference, and the range over the
   folds of J(scikit-learn's fold model) / J(logreg's) - 1 (the same J: positive means
   scikit-learn stopped farther from the optimum), the mean validation loss of scikit-learn's
   fold models polished by Newton's method in double (the optimum both aim at) and its
   difference from logreg's, and the chosen C.
5. With --separate: per (C, fold) `logreg train --weight m<fold> --C C --split 1,0,0
   --optimizer lbfgs --tol 1e-10` on the same file (mask columns: 1 outside the fold, 0 in it,
   so the scaler is the same as the grid's), the relative difference of its objective from the
   grid's model, and the summed training seconds and wall time of the separate runs.
"""
import json
import os
import subprocess
import sys
import tempfile
import time
import warnings

import numpy as np
from scipy.special import logsumexp
from sklearn.datasets import load_digits
from sklearn.linear_model import LogisticRegressionCV
from sklearn.model_selection import StratifiedKFold

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "ref"))
import optimum_refs as ref  # noqa: E402  (J, its gradient and Hessian in double)


TOL = "1e-10"  # max |gradient| of J (mean loss): at C = 1e4, lambda is 1.4e-7 here


def objective(w, b, x, y, lam):
    z = x @ w.T + b
    return (logsumexp(z, axis=1) - z[np.arange(len(y)), y]).mean() + 0.5 * lam * (w * w).sum()


def main():
    args = sys.argv[1:]
    device, cs, separate = "cpu", 10, False
    logreg = "build/logreg"
    i = 0
    while i < len(args):
        if args[i] == "--device":
            device, i = args[i + 1], i + 2
        elif args[i] == "--cs":
            cs, i = int(args[i + 1]), i + 2
        elif args[i] == "--separate":
            separate, i = True, i + 1
        else:
            logreg, i = args[i], i + 1
    x, y = load_digits(return_X_y=True)
    n, d = x.shape
    K = 5
    folds = np.zeros(n, dtype=int)
    splits = list(StratifiedKFold(K).split(x, y))
    for f, (_, te) in enumerate(splits):
        folds[te] = f
    tmp = tempfile.mkdtemp()
    path = os.path.join(tmp, "digits.csv")
    with open(path, "w") as fh:
        cols = [f"p{j}" for j in range(d)] + ["fold"] + [f"m{f}" for f in range(K)] + ["digit"]
        fh.write(",".join(cols) + "\n")
        for r in range(n):
            masks = [str(int(folds[r] != f)) for f in range(K)]
            fh.write(",".join([str(int(v)) for v in x[r]] + [str(folds[r])] + masks +
                              [str(y[r])]) + "\n")
    drop = ",".join(f"m{f}" for f in range(K))
    grid = np.logspace(-4, 4, cs)
    sweep = "C=" + ",".join(repr(float(c)) for c in grid)
    cmd = [logreg, "train", path, "--cv", str(K), "--folds", "fold", "--drop", drop, "--sweep",
           sweep, "--split", "1,0,0", "--device", device, "--tol", TOL, "--epochs", "20000",
           "--json", "--quiet", "--model", os.path.join(tmp, "cv.json")]
    t0 = time.perf_counter()
    out = subprocess.run(cmd, check=True, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    j = json.loads(out.stdout)["cv"]
    print(f"logreg --cv {K}: grid {j['seconds']:.3f} s ({j['passes']} passes over X for "
          f"{cs * K} models), {wall:.3f} s wall for the whole command (refit included)")

    # scikit-learn on the data as logreg sees it.
    x32 = x.astype(np.float32).astype(np.float64)
    mean = x32.mean(axis=0)
    std = x32.std(axis=0)
    std[std == 0] = 1.0
    xs = ((x32 - mean) / std).astype(np.float32).astype(np.float64)
    t0 = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sk = LogisticRegressionCV(Cs=list(grid), cv=splits, scoring="neg_log_loss",
                                  solver="lbfgs", multi_class="multinomial", tol=1e-10,
                                  max_iter=10000).fit(xs, y)
    sk_s = time.perf_counter() - t0
    scores = -next(iter(sk.scores_.values()))  # (K, G) validation log losses
    print(f"scikit-learn LogisticRegressionCV: {sk_s:.3f} s, chosen C = {sk.C_[0]:.6g}")
    # Multinomial: every class's entry holds its rows of the same fits, (K, G, d + 1) each.
    paths = np.stack([sk.coefs_paths_[c] for c in sk.classes_], axis=2)  # (K, G, classes, d + 1)
    print(f"{'C':>12} {'logreg val loss':>16} {'sklearn val loss':>17} {'diff':>9} "
          f"{'logreg std':>11} {'sklearn std':>12} {'J sklearn/logreg - 1':>21} "
          f"{'polished sklearn':>16} {'diff':>9}")
    worst = worst_pol = 0.0
    for g, c in enumerate(grid):
        ours = j["values"][g]
        diff = abs(ours["val_loss_mean"] - scores[:, g].mean())
        worst = max(worst, diff)
        # Both minimize the same J per fold: the lower J is the nearer the optimum.
        rel = []
        for f, (tr, _) in enumerate(splits):
            lam = 1.0 / (c * len(tr))
            jsk = objective(paths[f, g, :, :d], paths[f, g, :, d], xs[tr], y[tr], lam)
            rel.append(jsk / ours["folds"][f]["objective"] - 1)
        # scikit-learn's fold models polished by Newton's method in double (J's optimum, which
        # both aim at), and their validation loss.
        pol = []
        for f, (tr, te) in enumerate(splits):
            lam = 1.0 / (c * len(tr))
            theta = np.concatenate([paths[f, g, :, :d].T.reshape(-1), paths[f, g, :, d]])
            theta, _ = ref.newton(xs[tr], y[tr], 10, False, lam, theta)
            w, b = theta[: d * 10].reshape(d, 10), theta[d * 10:]
            pol.append(ref.row_losses(xs[te] @ w + b, y[te], False).mean())
        pdiff = abs(ours["val_loss_mean"] - np.mean(pol))
        worst_pol = max(worst_pol, pdiff)
        print(f"{c:12.6g} {ours['val_loss_mean']:16.6f} {scores[:, g].mean():17.6f} {diff:9.1e} "
              f"{ours['val_loss_std']:11.6f} {scores[:, g].std():12.6f} "
              f"{min(rel):+10.1e}..{max(rel):+9.1e} {np.mean(pol):16.6f} {pdiff:9.1e}")
    print(f"chosen C: logreg {j['best']:.6g}, scikit-learn {sk.C_[0]:.6g}; "
          f"largest mean val loss difference {worst:.1e} ({worst_pol:.1e} from scikit-learn's "
          f"models polished to the optimum)")
    ok = abs(j["best"] - sk.C_[0]) <= 1e-9 * sk.C_[0] and worst_pol <= 1e-3

    if separate:
        tsum, worst_rel, t0 = 0.0, 0.0, time.perf_counter()
        for g, c in enumerate(grid):
            for f in range(K):
                others = ",".join(["fold"] + [f"m{h}" for h in range(K) if h != f])
                cmd = [logreg, "train", path, "--weight", f"m{f}", "--drop", others, "--C",
                       repr(float(c)), "--split", "1,0,0", "--optimizer", "lbfgs", "--device",
                       device, "--tol", TOL, "--epochs", "20000", "--json", "--quiet",
                       "--model", os.path.join(tmp, "one.json")]
                r = json.loads(subprocess.run(cmd, check=True, capture_output=True,
                                              text=True).stdout)
                tsum += r["seconds"]
                mine = j["values"][g]["folds"][f]["objective"]
                worst_rel = max(worst_rel, abs(r["objective"] - mine) / mine)
        sep_wall = time.perf_counter() - t0
        print(f"separate runs: {cs * K} x logreg train: {tsum:.3f} s training, {sep_wall:.3f} s "
              f"wall; grid {j['seconds']:.3f} s: {tsum / j['seconds']:.1f}x less training time; "
              f"objectives within {worst_rel:.1e} relative of the grid's")
        ok = ok and worst_rel <= 1e-6
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
