#!/usr/bin/env python3
"""penalty_refs.py: the reference optima that tests/cli_penalty.sh holds `--penalty-scale raw` and
`--no-intercept` to.

The data: breast-cancer-wisconsin.data's nine features with feature j (0-based) multiplied by
10^(j-4), so that their scales run from 1e-4 to 1e4 (unscaled data, where penalizing the raw
weights and penalizing the standardized ones have different optima). tests/cli_penalty.sh
writes the same file with the same Python expressions (bcw_scaled below).

logreg trains on x' = float32((x32 - mean) / std) (mean 0 with --no-intercept; std the
population std about the mean) and penalizes theta with lambda/2 sum pen_j theta_j^2, pen_j =
1 / std_j^2 with --penalty-scale raw (the raw weights W_raw = theta / std), else 1. The optimum here
is Newton's method in double on exactly that objective, started from scikit-learn's
LogisticRegression on the raw x (C, fit_intercept; multinomial unless binary) mapped into
theta. Printed: J, and the raw weights (binary cases: all of them; multinomial: class 1's).

Needs numpy and scikit-learn. Run: python3 tests/ref/penalty_refs.py [SHARED_DATA_DIR]
Its output is copied at the end of this file.
"""
import os
import sys
import warnings

import numpy as np
from sklearn.linear_model import LogisticRegression

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from optimum_refs import grad_hess, objective, read_csv  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
SHARED = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "..", "..", "..", "shared",
                                                           "data")


def bcw_scaled(rows):
    """The test's CSV rows from bcw's lines: features scaled, '?' kept, label last."""
    out = []
    for r in rows:
        f = r[1:10]
        out.append([v if v == "?" else repr(float(v) * 10.0 ** (j - 4)) for j, v in
                    enumerate(f)] + [r[10]])
    return out


def penalized(x, y, k, binary, lam, pen, fit_intercept, theta):
    """J, gradient and Hessian of mean loss + lam/2 sum pen theta_W^2 (b fixed without an
    intercept: its rows and columns dropped)."""
    d = x.shape[1]
    kw = 1 if binary else k
    nw = d * kw
    p = np.concatenate([np.repeat(pen, kw), np.zeros(kw)])
    f = objective(x, y, k, binary, 0.0, theta) + 0.5 * lam * np.sum(p * theta * theta)
    g, h = grad_hess(x, y, k, binary, 0.0, theta)
    g = g + lam * p * theta
    h = h + lam * np.diag(p)
    if not fit_intercept:
        g, h = g[:nw], h[:nw, :nw]
    return f, g, h


def newton(x, y, k, binary, lam, pen, fit_intercept, theta):
    d = x.shape[1]
    nw = d * (1 if binary else k)
    f, g, h = penalized(x, y, k, binary, lam, pen, fit_intercept, theta)
    for _ in range(100):
        step = np.linalg.lstsq(h, -g, rcond=None)[0]
        if not fit_intercept:
            step = np.concatenate([step, np.zeros(len(theta) - nw)])
        t, improved = 1.0, False
        while t > 1e-6:
            cand = theta + t * step
            fc = penalized(x, y, k, binary, lam, pen, fit_intercept, cand)[0]
            if fc < f:
                theta, improved = cand, True
                f, g, h = penalized(x, y, k, binary, lam, pen, fit_intercept, theta)
                break
            t *= 0.5
        if not improved:
            break
    return theta, f, np.max(np.abs(g))


def reference(name, x32, y, binary, c, raw, fit_intercept):
    x = x32.astype(np.float64)
    med = np.nanmedian(x, axis=0)
    x = np.where(np.isnan(x), med, x)
    mu = x.mean(axis=0)
    sd = np.sqrt(((x - mu) ** 2).mean(axis=0))
    sd = np.where((sd > 0) & (sd > 1e-12 * np.abs(mu)), sd, 1.0)
    if not fit_intercept:
        mu = np.zeros_like(mu)
    xs = ((x - mu) / sd).astype(np.float32).astype(np.float64)
    n, d = xs.shape
    k = int(y.max()) + 1
    kw = 1 if binary else k
    lam = 1.0 / (c * n)
    pen = 1.0 / sd**2 if raw else np.ones(d)
    kwargs = dict(C=c, tol=1e-10, max_iter=100000, solver="newton-cg",
                  fit_intercept=fit_intercept)
    if not binary:
        kwargs["multi_class"] = "multinomial"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        m = LogisticRegression(**kwargs).fit(x if raw else xs, y)
    coef = m.coef_
    icpt = np.atleast_1d(m.intercept_) * np.ones(coef.shape[0])
    if not binary and coef.shape[0] == 1:
        coef, icpt = np.vstack([-coef[0], coef[0]]), np.array([-icpt[0], icpt[0]])
    # Into theta: W = coef * sd (raw) or coef (fitted on xs), b = intercept + coef . mu.
    w = coef.T * sd[:, None] if raw else coef.T
    b = icpt + (coef @ mu if raw else 0.0)
    theta = np.concatenate([w.reshape(-1), b if fit_intercept else np.zeros(kw)])
    theta, j, gmax = newton(xs, y, k, binary, lam, pen, fit_intercept, theta)
    w_raw = theta[: d * kw].reshape(d, kw) / sd[:, None]
    col = 0 if binary else 1
    print(f"{name:44s} J = {j:.15g} (max|grad| {gmax:.1e})")
    print("  W_raw[:, %d] = %s" % (col, " ".join("%.12g" % v for v in w_raw[:, col])))


def main():
    bcw = os.path.join(SHARED, "breast-cancer-wisconsin.data")
    rows = [line.split(",") for line in open(bcw).read().splitlines() if line.strip()]
    tmp = os.path.join(os.environ.get("TMPDIR", "/tmp"), "bcw_scaled.csv")
    with open(tmp, "w") as f:
        for r in bcw_scaled(rows):
            f.write(",".join(r) + "\n")
    x, y = read_csv(tmp, 9, header=False)
    os.unlink(tmp)
    reference("--penalty-scale raw", x, y, False, 1.0, True, True)
    reference("--penalty-scale raw --binary", x, y, True, 1.0, True, True)
    reference("--penalty-scale raw --no-intercept", x, y, False, 1.0, True, False)
    reference("--no-intercept --binary (standardized)", x, y, True, 1.0, False, False)


if __name__ == "__main__":
    main()
