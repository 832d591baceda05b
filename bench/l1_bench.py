#!/usr/bin/python3
"""l1_bench.py: L1-penalized logistic regression (issue 27): logreg's OWL-QN on --device cpu
against scikit-learn's saga and liblinear solvers and LIBLINEAR's `-s 6`, time to the same
objective. Prints Markdown on stdout (bench/RESULTS.md's section "L1") and progress on stderr.

Usage: /usr/bin/python3 bench/l1_bench.py [--logreg build/logreg] [--quick]

Needs Debian's /usr/bin/python3 with numpy, scipy and scikit-learn, and for the LIBLINEAR rows
`liblinear-tools` (LIBLINEAR 2.3.0, `liblinear-train`; skipped when absent) and `lz4` (the
Debian set).

The problem, one for every solver: binary labels, no intercept (LIBLINEAR -B -1,
fit_intercept=False, --no-intercept), C = 1, features scaled beforehand (dense: standardized;
sparse: divided by their standard deviation, not centred) and stored as float32 values, which
every solver reads exactly:

    J = mean log loss + lambda ||w||_1,  lambda = 1 / (C N)

(LIBLINEAR's and scikit-learn's objective ||w||_1 + C sum loss, divided by C N). logreg trains
the scaled file with `--scale none`, so its penalty is on the same w. Each solution's J is
computed here in double from its weights.

Data: dense, Fashion-MNIST's T-shirt/top against Shirt (Debian's dataset-fashion-mnist, its
12,000 training images of the two, 784 pixels, standardized); sparse text, bench/sparse_debian.py --labels binary (the apt lists' package descriptions as
a hashed bag of words, 2^18 buckets; library sections or not).

Time to J* (1 + 1e-6), J* the lowest J any run reached: each solver runs at decreasing
tolerances (logreg --tol 1e-3..1e-9 on the KKT residual; saga tol 1e-2..1e-8 with max_iter
10^5, the tighter ones skipped once a run takes over 60 s; liblinear tol and LIBLINEAR -e
1e-1..1e-7), and its time is that of its fastest run
within 1e-6 of J*. logreg: the JSON `seconds` (fit: scaling, set-up, iterations) and the wall
time of the command (reading the file too); scikit-learn: fit() only; LIBLINEAR: wall time
minus that of a run that stops at once (-e 1e30: reading and writing). Medians of 3 below 3 s.
"""
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import warnings

import numpy as np
import scipy.sparse as sp
from scipy.special import log_expit
from sklearn.datasets import dump_svmlight_file, load_svmlight_file
from sklearn.linear_model import LogisticRegression

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from sparse_bench import read_liblinear  # noqa: E402  (LIBLINEAR's model file: w and labels)

HERE = os.path.dirname(os.path.abspath(__file__))
REL = 1e-6
C = 1.0


def say(msg):
    print(f"[l1_bench {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def timed(fn, fast=3.0):
    """fn() -> result; (result of the last run, median wall s) over 3 runs when fast."""
    walls, out = [], None
    for _ in range(3):
        t0 = time.perf_counter()
        out = fn()
        walls.append(time.perf_counter() - t0)
        if walls[0] >= fast:
            break
    return out, statistics.median(walls)


def run(cmd):
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(f"l1_bench.py: failed ({r.returncode}): {' '.join(cmd)}\n{r.stderr}")
    return r.stdout


def objective(X, y01, w):
    z = np.asarray(X @ w).ravel()
    loss = -(y01 * log_expit(z) + (1 - y01) * log_expit(-z)).mean()
    return loss + np.abs(w).sum() / (C * X.shape[0])


def fashion_pair(limit):
    """Fashion-MNIST's training images of T-shirt/top (0) and Shirt (6), Debian's
    dataset-fashion-mnist, as float64 pixels 0..255 and 0/1 labels."""
    import gzip
    base = "/usr/share/datasets/fashion-mnist"
    with gzip.open(os.path.join(base, "train-images-idx3-ubyte.gz")) as f:
        img = np.frombuffer(f.read(), dtype=np.uint8, offset=16).reshape(-1, 784)
    with gzip.open(os.path.join(base, "train-labels-idx1-ubyte.gz")) as f:
        lab = np.frombuffer(f.read(), dtype=np.uint8, offset=8)
    keep = (lab == 0) | (lab == 6)
    X, y = img[keep].astype(np.float64), (lab[keep] == 6).astype(int)
    return (X[:limit], y[:limit]) if limit else (X, y)


def bench(name, X, y, work, logreg, quick):
    y01 = (y == y.max()).astype(np.float64)
    n, d = X.shape
    svm = os.path.join(work, name + ".svm")
    dump_svmlight_file(X, y01.astype(int), svm, zero_based=False)
    X, _ = load_svmlight_file(svm, n_features=d)  # exactly what the files hold
    X = X.tocsr()
    dense = name.startswith("fashion")
    Xs = X.toarray() if dense else X
    # logreg reads dense data from CSV (its dense path), sparse data from the LIBSVM file.
    data = svm
    if dense:
        data = os.path.join(work, name + ".csv")
        with open(data, "w") as f:
            f.write(",".join(f"p{j}" for j in range(d)) + ",y\n")
            for i in range(n):
                f.write(",".join(repr(float(v)) for v in Xs[i]) + f",{int(y01[i])}\n")
    rows = []
    tols = ["1e-3", "1e-4", "1e-5", "1e-6", "1e-7", "1e-8", "1e-9"]
    for tol in tols[:4] if quick else tols:
        model = os.path.join(work, "m.json")
        cmd = [logreg, "train", data, "--device", "cpu", "--binary", "--penalty", "l1", "--C",
               str(C), "--no-intercept", "--scale", "none", "--split", "1,0,0", "--tol", tol,
               "--epochs", "100000", "--quiet", "--json", "--model", model]
        out, wall = timed(lambda: run(cmd))
        js = json.loads(out)
        w = np.array(json.load(open(model))["weights_raw"], dtype=np.float64).ravel()
        w = np.concatenate([w, np.zeros(d - len(w))]) if len(w) < d else w
        rows.append(("logreg owlqn", f"--tol {tol}", js["seconds"], wall, js["epochs"],
                     objective(Xs, y01, w), int((w != 0).sum())))
        say(f"{name}: logreg --tol {tol}: {js['seconds']:.3f} s, J {rows[-1][5]:.12g}")
    for solver in ("saga", "liblinear"):
        for tol in [1e-2, 1e-3, 1e-4, 1e-5, 1e-6, 1e-7, 1e-8][: 4 if quick else 7]:
            if solver == "saga" and tol < 1e-6 and dense is False and quick:
                continue
            def fit():
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    return LogisticRegression(penalty="l1", C=C, solver=solver, tol=tol,
                                              max_iter=100000, fit_intercept=False).fit(Xs, y01)
            m, t = timed(fit)
            w = m.coef_.ravel()
            rows.append((f"scikit-learn {solver}", f"tol {tol:g}", t, None, int(m.n_iter_[0]),
                         objective(Xs, y01, w), int((w != 0).sum())))
            say(f"{name}: {solver} tol {tol:g}: {t:.3f} s, J {rows[-1][5]:.12g}")
            if t > 60:  # the next, tighter tolerance would take minutes more
                say(f"{name}: {solver}: tighter tolerances skipped (this one took {t:.0f} s)")
                break
    ll = shutil.which("liblinear-train")
    if ll:
        model = os.path.join(work, "ll.model")
        _, base = timed(lambda: run([ll, "-s", "6", "-c", str(C), "-B", "-1", "-e", "1e30", "-q",
                                     svm, model]))
        for eps in ["1e-1", "1e-2", "1e-3", "1e-4", "1e-5", "1e-6", "1e-7"][: 4 if quick else 7]:
            _, wall = timed(lambda: run([ll, "-s", "6", "-c", str(C), "-B", "-1", "-e", eps, "-q",
                                         svm, model]))
            w, labels = read_liblinear(model)
            w = np.concatenate([w, np.zeros(d - len(w))]) if len(w) < d else w[:d]
            if labels and labels[0] != 1:
                w = -w
            rows.append(("LIBLINEAR -s 6", f"-e {eps}", max(wall - base, 0.0), wall, None,
                         objective(Xs, y01, w), int((w != 0).sum())))
            say(f"{name}: LIBLINEAR -e {eps}: {wall:.3f} s wall, J {rows[-1][5]:.12g}")
    else:
        say("liblinear-train missing (apt-get install liblinear-tools): no LIBLINEAR rows")
    jstar = min(r[5] for r in rows)
    out = [f"### {name}: N={n} D={d} nnz={X.nnz}, J* = {jstar:.12g}", "",
           "| solver | setting | fit s | wall s | iterations | J - J* (relative) | nonzeros |",
           "|---|---|---:|---:|---:|---:|---:|"]
    first = {}
    for r in rows:
        ok = r[5] <= jstar * (1 + REL)
        if ok and (r[0] not in first or r[2] < first[r[0]][2]):
            first[r[0]] = r
    for r in rows:
        mark = " **first**" if first.get(r[0]) is r else ""
        wall = f"{r[3]:.3f}" if r[3] is not None else ""
        it = r[4] if r[4] is not None else ""
        out.append(f"| {r[0]} | {r[1]}{mark} | {r[2]:.3f} | {wall} | {it} | "
                   f"{(r[5] - jstar) / jstar:.1e} | {r[6]} |")
    out.append("")
    summary = {k: v[2] for k, v in first.items()}
    return out, summary


def main():
    args = sys.argv[1:]
    logreg = os.path.join(HERE, "..", "build", "logreg")
    for i, a in enumerate(args):
        if a == "--logreg":
            logreg = args[i + 1]
    quick = "--quick" in args
    logreg = os.path.abspath(logreg)
    work = tempfile.mkdtemp(prefix="l1_bench.")
    try:
        sets = []
        X, y = fashion_pair(3000 if quick else None)
        sd = X.std(axis=0)
        sd[sd == 0] = 1
        X = (X - X.mean(axis=0)) / sd
        sets.append(("Fashion-MNIST T-shirt vs shirt (dense)", sp.csr_matrix(X.astype(np.float32)),
                     y))
        deb = os.path.join(work, "debian.svm")
        r = subprocess.run(["/usr/bin/python3", os.path.join(HERE, "sparse_debian.py"), deb,
                            "--labels", "binary"], capture_output=True, text=True)
        if r.returncode == 0:
            Xd, yd = load_svmlight_file(deb)
            Xd = Xd.tocsr()
            if quick:
                Xd, yd = Xd[:8000], yd[:8000]
            sd = np.sqrt(np.asarray(Xd.multiply(Xd).mean(axis=0)).ravel() -
                         np.asarray(Xd.mean(axis=0)).ravel() ** 2)
            sd[sd == 0] = 1
            Xd = sp.csr_matrix(Xd @ sp.diags(1 / sd), dtype=np.float32)
            sets.append(("Debian descriptions (sparse text)", Xd, yd))
        else:
            say(f"no Debian set: {r.stderr.strip()}")
        tables, sums = [], []
        for name, X, y in sets:
            say(f"{name}: {X.shape}")
            t, s = bench(name.split(" ")[0].lower().replace("-", "_"), X, y, work, logreg, quick)
            tables += t
            sums.append((name, s))
        print("| data | logreg owlqn | scikit-learn saga | scikit-learn liblinear | "
              "LIBLINEAR -s 6 |")
        print("|---|---:|---:|---:|---:|")
        for name, s in sums:
            cells = [f"{s[k]:.3f}" if k in s else "not reached" for k in
                     ("logreg owlqn", "scikit-learn saga", "scikit-learn liblinear",
                      "LIBLINEAR -s 6")]
            print(f"| {name} | " + " | ".join(cells) + " |")
        print()
        print("\n".join(tables))
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
