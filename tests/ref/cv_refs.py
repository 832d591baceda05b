#!/usr/bin/env python3
"""cv_refs.py: the cross-validation references that tests/cli_cv.sh holds `logreg train --cv` to.

breast-cancer-wisconsin.data (699 rows; feature columns 1..9, label column 10, `?` missing),
read and standardized as logreg does it with --split 1,0,0 (tests/ref/optimum_refs.py: medians,
mean and population std of all rows, rounded to float32), folds = row index mod 5 (file order),
multinomial (softmax over the 2 classes), C in {0.01, 0.1, 1, 10, 100}. For each C and fold: the
model of the rows outside the fold at lambda = 1 / (C * their count), from scikit-learn's
LogisticRegression(newton-cg, tol 1e-12) polished by Newton's method in double until J stops
decreasing, and its mean log loss on the fold's rows. Printed: per C the mean and population
std over the folds, the chosen C (lowest mean), and scikit-learn's LogisticRegressionCV
(scoring="neg_log_loss", the same folds, lbfgs, tol 1e-10) beside them.

Needs numpy, scipy and scikit-learn (Debian: python3-sklearn). Run from anywhere:
  python3 tests/ref/cv_refs.py [SHARED_DATA_DIR]
Its output is copied at the end of this file.
"""
import os
import sys
import warnings

import numpy as np
from sklearn.linear_model import LogisticRegression, LogisticRegressionCV

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import optimum_refs as ref  # noqa: E402

SHARED = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "..", "..", "..", "shared",
                                                           "data")
CS = [0.01, 0.1, 1.0, 10.0, 100.0]
K = 5


def fit(x, y, k, lam, c):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        m = LogisticRegression(C=c, tol=1e-12, max_iter=100000, solver="newton-cg",
                               multi_class="multinomial").fit(x, y)
    coef, icpt = m.coef_, m.intercept_
    if coef.shape[0] == 1:
        coef, icpt = np.vstack([-coef[0], coef[0]]), np.array([-icpt[0], icpt[0]])
    theta = np.concatenate([coef.T.reshape(-1), icpt])
    return ref.newton(x, y, k, False, lam, theta)


def main():
    x32, y = ref.read_csv(os.path.join(SHARED, "breast-cancer-wisconsin.data"), 10, drop=(0,),
                          header=False)
    x = ref.standardize(x32)
    n, d = x.shape
    k = int(y.max()) + 1
    fold = np.arange(n) % K
    means = []
    for c in CS:
        losses, objs = [], []
        for f in range(K):
            tr, va = fold != f, fold == f
            lam = 1.0 / (c * tr.sum())
            theta, j = fit(x[tr], y[tr], k, lam, c)
            w = theta[: d * k].reshape(d, k)
            z = x[va] @ w + theta[d * k:]
            losses.append(ref.row_losses(z, y[va], False).mean())
            objs.append(j)
        losses = np.array(losses)
        means.append(losses.mean())
        print(f"C={c:g}: val loss mean {losses.mean():.12g} std {losses.std():.12g}; "
              f"objectives {' '.join(f'{o:.12g}' for o in objs)}")
    print(f"chosen C = {CS[int(np.argmin(means))]:g}")
    splits = [(np.where(fold != f)[0], np.where(fold == f)[0]) for f in range(K)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        cv = LogisticRegressionCV(Cs=CS, cv=splits, scoring="neg_log_loss", solver="lbfgs",
                                  multi_class="multinomial", tol=1e-10, max_iter=100000).fit(x, y)
    sk = -next(iter(cv.scores_.values())).mean(axis=0)
    print("scikit-learn LogisticRegressionCV: " +
          ", ".join(f"C={c:g} {v:.12g}" for c, v in zip(CS, sk)) + f"; chosen C = {cv.C_[0]:g}")


if __name__ == "__main__":
    main()

# Output (scikit-learn 1.2.1, numpy 1.24.2, scipy 1.10.1; about 8 minutes on 2 cores, nearly all
# of it newton-cg at tol 1e-12). tests/cli_cv.sh holds these values.
#
# C=0.01: val loss mean 0.131297431191 std 0.00479791847559; objectives 0.192957221295 0.189149155313 0.191028535575 0.190438131601 0.191770625494
# C=0.1: val loss mean 0.096427350519 std 0.0127602069405; objectives 0.108545019474 0.0977622529133 0.10402188873 0.103687937961 0.104267764362
# C=1: val loss mean 0.0998272006788 std 0.0240963100202; objectives 0.0898692155824 0.0728577933179 0.0831725344278 0.0821654196282 0.0831876109253
# C=10: val loss mean 0.102658214488 std 0.0280640181007; objectives 0.0872705760305 0.0686095206055 0.0799349162103 0.0789583070351 0.0800790338316
# C=100: val loss mean 0.103068293402 std 0.0286025430686; objectives 0.0869925713883 0.0681291063785 0.0795752353956 0.0786097521568 0.0797410519985
# chosen C = 0.1
# scikit-learn LogisticRegressionCV: C=0.01 0.131297434677, C=0.1 0.0964275606928, C=1 0.0998272425456, C=10 0.102658594539, C=100 0.103068603025; chosen C = 0.1
