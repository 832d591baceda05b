#!/usr/bin/env python3
"""optimum_refs.py: the reference optima that tests/test_optimum.c holds the solvers to.

For each case: the data as logreg sees it (features read as float32, missing values imputed
with the column median, standardized with the mean and population std of the training data,
a zero-std column only centred, the result rounded to float32 as logreg stores it), then
scikit-learn's LogisticRegression(C) with a tiny tolerance, then Newton's method in double on
the same objective until it stops improving. Printed: J = mean row loss + lambda/2 ||W||^2
with lambda = 1 / (C N) (DESIGN.md section 2), evaluated in double with the row losses written
so that a confident row keeps its small loss (log1p of the non-maximal terms).

Needs numpy, scipy and scikit-learn (Debian: python3-sklearn). Run from anywhere:
  python3 tests/ref/optimum_refs.py [SHARED_DATA_DIR] [FASHION_MNIST_DIR]
(defaults ../shared/data beside the checkout and /usr/share/datasets/fashion-mnist).

Its output is copied at the end of this file.
"""
import gzip
import math
import os
import struct
import sys
import warnings

import numpy as np
from sklearn.linear_model import LogisticRegression

HERE = os.path.dirname(os.path.abspath(__file__))
SHARED = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "..", "..", "..", "shared",
                                                           "data")
FASHION = sys.argv[2] if len(sys.argv) > 2 else "/usr/share/datasets/fashion-mnist"


def standardize(x32):
    """logreg's scaler (host/preprocess.c): NaN -> column median, then (x - mean) / std."""
    x = x32.astype(np.float64)
    med = np.nanmedian(x, axis=0)
    x = np.where(np.isnan(x), med, x)
    mu = x.mean(axis=0)
    sd = np.sqrt(((x - mu) ** 2).mean(axis=0))
    ok = (sd > 0) & (sd > 1e-12 * np.abs(mu)) & np.isfinite(sd)
    sd = np.where(ok, sd, 1.0)
    return ((x - mu) / sd).astype(np.float32).astype(np.float64)


def row_losses(z, y, binary):
    """Row losses in double, small ones kept: softplus(-z) / softplus(z) for binary (y in
    {0, 1}), else (max z - z_y) + log1p(sum over the other classes of exp(z_c - max z))."""
    if binary:
        s = np.where(y == 1, -z[:, 0], z[:, 0])
        return np.maximum(s, 0) + np.log1p(np.exp(-np.abs(s)))
    n = z.shape[0]
    am = np.argmax(z, axis=1)
    mx = z[np.arange(n), am]
    e = np.exp(z - mx[:, None])
    e[np.arange(n), am] = 0.0
    return (mx - z[np.arange(n), y]) + np.log1p(e.sum(axis=1))


def objective(x, y, k, binary, lam, theta):
    d = x.shape[1]
    kw = 1 if binary else k
    w = theta[: d * kw].reshape(d, kw)
    b = theta[d * kw :]
    z = x @ w + b
    return row_losses(z, y, binary).mean() + 0.5 * lam * (w * w).sum()


def grad_hess(x, y, k, binary, lam, theta):
    """Gradient and Hessian of J in theta = [W (D x KW, row-major) | b]."""
    n, d = x.shape
    kw = 1 if binary else k
    w = theta[: d * kw].reshape(d, kw)
    z = x @ w + theta[d * kw :]
    xa = np.hstack([x, np.ones((n, 1))])  # the bias as a column of ones
    if binary:
        p = 0.5 * (1 + np.tanh(0.5 * z[:, 0]))  # sigmoid without overflow
        r = (p - y) / n
        gfull = xa.T @ r  # D + 1
        h = (xa * (p * (1 - p) / n)[:, None]).T @ xa
        g = gfull.copy()
        g[:d] += lam * w[:, 0]
        h[np.arange(d), np.arange(d)] += lam
        return g, h
    zm = z - z.max(axis=1, keepdims=True)
    p = np.exp(zm)
    p /= p.sum(axis=1, keepdims=True)
    r = p.copy()
    r[np.arange(n), y] -= 1
    r /= n
    # Parameter order: W row-major (feature j, class c) then b (class c) = rows of xa, classes.
    g = (xa.T @ r).reshape(-1)
    h = np.zeros(((d + 1) * k, (d + 1) * k))
    for c in range(k):
        for e in range(k):
            wt = p[:, c] * ((c == e) - p[:, e]) / n
            h[c::k, e::k] = (xa * wt[:, None]).T @ xa
    g[: d * k] += lam * w.reshape(-1)
    h[np.arange(d * k), np.arange(d * k)] += lam
    return g, h


def newton(x, y, k, binary, lam, theta, gtol=0.0):
    """Newton's method from theta, with a backtracking line search, until J stops decreasing
    (or max|grad| < gtol); least squares for the step since the multinomial bias has a free
    direction (adding a constant to every class's bias changes nothing). Returns theta, J."""
    f = objective(x, y, k, binary, lam, theta)
    for _ in range(50):
        g, h = grad_hess(x, y, k, binary, lam, theta)
        step = np.linalg.lstsq(h, -g, rcond=None)[0]
        t, improved = 1.0, False
        while t > 1e-4:
            cand = theta + t * step
            fc = objective(x, y, k, binary, lam, cand)
            if fc < f:
                theta, f, improved = cand, fc, True
                break
            t *= 0.5
        if not improved or np.max(np.abs(g)) < gtol:
            break
    return theta, f


def polish(x, y, k, binary, lam, theta):
    """newton() from scikit-learn's solution; returns J and max|grad| there."""
    theta, f = newton(x, y, k, binary, lam, theta, gtol=1e-15)
    g, _ = grad_hess(x, y, k, binary, lam, theta)
    return f, np.max(np.abs(g))


def reference(name, x32, y, binary, c):
    x = standardize(x32)
    n, d = x.shape
    k = int(y.max()) + 1
    lam = 1.0 / (c * n)
    kwargs = dict(C=c, tol=1e-12, max_iter=100000, solver="newton-cg")
    if not binary:
        kwargs["multi_class"] = "multinomial"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        m = LogisticRegression(**kwargs).fit(x, y)
    if binary:
        theta = np.concatenate([m.coef_[0], m.intercept_])
    else:
        coef = m.coef_
        icpt = m.intercept_
        if coef.shape[0] == 1:  # two classes: scikit-learn reports class 1's row, the
            coef = np.vstack([-coef[0], coef[0]])  # other is its negative
            icpt = np.array([-icpt[0], icpt[0]])
        theta = np.concatenate([coef.T.reshape(-1), icpt])
    j_sk = objective(x, y, k, binary, lam, theta)
    j, gmax = polish(x, y, k, binary, lam, theta)
    print(f"{name:48s} C={c:g} N={n} D={d}: J = {j:.15g} (scikit-learn {j_sk:.15g}, "
          f"rel {abs(j_sk - j) / j:.1e}; max|grad| {gmax:.1e})")


def read_csv(path, target, drop=(), header=True, missing="?"):
    rows = []
    with open(path) as f:
        lines = f.read().splitlines()
    names = None
    if header:
        names, lines = lines[0].split(","), lines[1:]
    for line in lines:
        if line.strip():
            rows.append(line.split(","))
    t = names.index(target) if isinstance(target, str) else target
    feats = [j for j in range(len(rows[0])) if j != t and j not in drop]
    x = np.array([[np.nan if r[j] == missing else float(r[j]) for j in feats] for r in rows])
    labels = [r[t] for r in rows]
    try:
        classes = sorted(set(labels), key=float)
    except ValueError:
        classes = sorted(set(labels))
    y = np.array([classes.index(v) for v in labels])
    return x.astype(np.float32), y


M64 = (1 << 64) - 1


class Xoshiro:
    """host/util/util.c's generator: splitmix64 seeds xoshiro256**."""

    def __init__(self, seed):
        self.s = []
        for _ in range(4):
            seed = (seed + 0x9E3779B97F4A7C15) & M64
            z = seed
            z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M64
            z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M64
            self.s.append(z ^ (z >> 31))

    def next(self):
        s = self.s
        rotl = lambda x, k: ((x << k) | (x >> (64 - k))) & M64
        result = (rotl((s[1] * 5) & M64, 7) * 9) & M64
        t = (s[1] << 17) & M64
        s[2] ^= s[0]
        s[3] ^= s[1]
        s[1] ^= s[2]
        s[0] ^= s[3]
        s[2] ^= t
        s[3] = rotl(s[3], 45)
        return result

    def below(self, n):
        limit = M64 - M64 % n
        while True:
            v = self.next()
            if v < limit:
                return v % n


def split_train_rows(y, train, val, test, seed=42):
    """The training rows of logreg_dataset_split (host/prep/preprocess.c), written again from
    its description: rows grouped by class in file order, each class shuffled (Fisher-Yates
    from the end) with one generator seeded once, cut at round(n_c * train); file order kept."""
    rng = Xoshiro(seed)
    rows = []
    for c in range(int(y.max()) + 1):
        cls = [i for i in range(len(y)) if y[i] == c]
        for i in range(len(cls), 1, -1):
            j = rng.below(i)
            cls[i - 1], cls[j] = cls[j], cls[i - 1]
        cut = len(cls) if val == 0 and test == 0 else min(len(cls), int(math.floor(len(cls) * train + 0.5)))
        rows += cls[:cut]
    return sorted(rows)


def separable(n):
    """The generated case of test_optimum.c (separable_dataset), computed the same way in
    double: points of a Weyl sequence in [-2, 2]^4, labelled by the side of a plane, each
    pushed GAP further to its side along the plane's unit normal."""
    c = [1.0, -2.0, 0.5, 1.5]
    norm = math.sqrt(7.5)
    gap = 4.0
    x = np.zeros((n, 4), dtype=np.float32)
    y = np.zeros(n, dtype=np.int64)
    roots = [math.sqrt(2.0), math.sqrt(3.0), math.sqrt(5.0), math.sqrt(7.0)]
    for i in range(n):
        u = [4.0 * math.fmod((i + 1) * a, 1.0) - 2.0 for a in roots]
        t = c[0] * u[0] + c[1] * u[1] + c[2] * u[2] + c[3] * u[3]
        side = 1.0 if t > 0 else -1.0
        for j in range(4):
            x[i, j] = np.float32(u[j] + side * gap * (c[j] / norm))
        y[i] = 1 if t > 0 else 0
    return x, y


def read_idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    ndim = data[3]
    dims = struct.unpack(">" + "I" * ndim, data[4 : 4 + 4 * ndim])
    arr = np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim)
    return arr.reshape(dims[0], -1) if ndim > 1 else arr


def main():
    tumors = os.path.join(SHARED, "tumors.csv")
    bcw = os.path.join(SHARED, "breast-cancer-wisconsin.data")
    if os.path.exists(tumors):
        x, y = read_csv(tumors, "tumor_class")
        reference("tumors.csv", x, y, False, 1.0)
        reference("tumors.csv --binary", x, y, True, 1.0)
        tr = split_train_rows(y, 0.7, 0.15, 0.15)
        reference("tumors.csv, default split's 700 training rows", x[tr], y[tr], False, 1.0)
    if os.path.exists(bcw):
        x, y = read_csv(bcw, 10, drop=(0,), header=False)
        reference("breast-cancer-wisconsin.data", x, y, False, 1.0)
        reference("breast-cancer-wisconsin.data --binary", x, y, True, 1.0)
    x, y = separable(2000)
    reference("separable 2000 x 4", x, y, False, 1e4)
    reference("separable 2000 x 4 --binary", x, y, True, 1e4)
    img = os.path.join(FASHION, "train-images-idx3-ubyte.gz")
    if os.path.exists(img):
        xi = read_idx(img)
        yi = read_idx(os.path.join(FASHION, "train-labels-idx1-ubyte.gz"))
        keep = (yi == 0) | (yi == 6)
        reference("fashion-mnist T-shirt (0) vs Shirt (6) --binary", xi[keep].astype(np.float32),
                  (yi[keep] == 6).astype(np.int64), True, 1.0)


if __name__ == "__main__":
    main()

# Output (scikit-learn 1.2.1, numpy 1.24.2, scipy 1.10.1; about 3 minutes on 2 cores, most of it
# scikit-learn on Fashion-MNIST). tests/test_optimum.c holds these J values
# (tests/cli_solvers.sh the default split's).
#
# tumors.csv                                       C=1 N=1000 D=2: J = 0.0695705074827313 (scikit-learn 0.0695705074827313, rel 0.0e+00; max|grad| 4.2e-17)
# tumors.csv --binary                              C=1 N=1000 D=2: J = 0.0873804054579653 (scikit-learn 0.0873804054579653, rel 0.0e+00; max|grad| 1.6e-17)
# tumors.csv, default split's 700 training rows    C=1 N=700 D=2: J = 0.0786548967784029 (scikit-learn 0.078654896778403, rel 1.8e-16; max|grad| 5.2e-18)
# breast-cancer-wisconsin.data                     C=1 N=699 D=9: J = 0.0836195023483367 (scikit-learn 0.0836195023483367, rel 1.7e-16; max|grad| 1.6e-17)
# breast-cancer-wisconsin.data --binary            C=1 N=699 D=9: J = 0.0860597174020408 (scikit-learn 0.0860597174020408, rel 1.6e-16; max|grad| 3.4e-12)
# separable 2000 x 4                               C=10000 N=2000 D=4: J = 1.65763630999323e-06 (scikit-learn 1.65763638213121e-06, rel 4.4e-08; max|grad| 1.7e-18)
# separable 2000 x 4 --binary                      C=10000 N=2000 D=4: J = 3.0391721512018e-06 (scikit-learn 3.03917278198644e-06, rel 2.1e-07; max|grad| 2.8e-19)
# fashion-mnist T-shirt (0) vs Shirt (6) --binary  C=1 N=12000 D=784: J = 0.276498871421071 (scikit-learn 0.276498871421071, rel 2.0e-16; max|grad| 9.7e-12)
