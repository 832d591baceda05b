#!/usr/bin/python3
"""sparse_bench.py: sparse (CSR) training on --device cpu against LIBLINEAR and scikit-learn:
time to the same objective, and peak memory (issue 14). Prints Markdown (the tables of
bench/RESULTS.md's section "Sparse data") on stdout and progress on stderr.

Usage: /usr/bin/python3 bench/sparse_bench.py [--logreg build/logreg] [--work DIR]
           [--quick] [--no-memory] [--no-debian] [--no-gen] [--sections]
           [--devices cpu[,opencl...]]

Needs Debian's /usr/bin/python3 with numpy, scipy and scikit-learn (python3-sklearn), `lz4`
and GNU time (/usr/bin/time, package `time`) for max RSS, and for the LIBLINEAR rows the
`liblinear-tools` package (LIBLINEAR 2.3.0, command `liblinear-train`):

    apt-get install --no-install-recommends liblinear-tools lz4 time

Without liblinear-train the LIBLINEAR rows are skipped with a message. About 10 minutes on the
project's 2-core VM (--quick: a smoke run on smaller data, seconds).

Data sets (binary labels wherever LIBLINEAR takes part: its -s 0 is one-vs-rest for K > 2, a
different model than the multinomial one of logreg and scikit-learn's lbfgs):
- debian: bench/sparse_debian.py --labels binary (the apt lists' package records as a hashed
  bag of words, 2^18 buckets; label: library sections (libs, libdevel) or not);
- gen: `logreg gen sparse --rows 50000 --features 100000 --density 0.0005 --classes 2 --seed 1`
  (50 non-zeros per row on average);
- sections (only with --sections: scikit-learn's multinomial lbfgs took 140 s for tol=1e-2
  and 400 s for 1e-3 there, past this script's budget): bench/sparse_debian.py --labels
  sections (16 classes, 4.2M weights), logreg against scikit-learn's multinomial lbfgs only;
- memory: the acceptance run, `logreg gen sparse --rows 30000 --features 1000000
  --density 0.00005 --classes 3 --seed 1` (10^6 features, 50 non-zeros per row on average):
  logreg and scikit-learn (lbfgs, multinomial) each in its own process under /usr/bin/time -v,
  max RSS and the objectives' relative difference; plus logreg at other sizes to check the
  README's sizing formula.

The problem: C = 1, features scaled as `logreg train --scale std` does on sparse data: values
read as float32, scaled by StandardScaler(with_mean=False) fitted on all rows (in double),
stored as float32. scikit-learn fits that same matrix (scipy.sparse, float64 holding the
float32 values); LIBLINEAR reads it written back as LIBSVM (exact: float32 values printed with
17 digits). Every solution's objective is computed here, in double, from its weights on that
matrix, in one common form:

    J = mean log loss + lambda/2 ||w||^2,  lambda = 1/(C N),  bias unpenalized

(= scikit-learn's objective / (C N)). LIBLINEAR's -B 1 appends a constant feature 1 whose
weight is penalized like the others: its own problem is J_ll = J + lambda/2 b^2, a different
optimum. Its rows report J_ll ("liblinear form"); the table "LIBLINEAR's problem" compares it
with scikit-learn's liblinear solver (the same problem) and with logreg solving that problem
exactly: `train` on the scaled file with a column of ones appended, `--scale none
--no-intercept` (then every weight, the ones' too, is penalized; a constant column keeps
scale 1). The LIBLINEAR solution's J in the common form is shown too, for the record.

Time to the same objective: every solver runs at a list of decreasing tolerances (logreg and
scikit-learn's lbfgs: --tol / tol on the gradient; LIBLINEAR and scikit-learn's liblinear: -e /
tol); the best objective seen per problem is J*, and a solver's time is the shortest time of a
run whose J <= J* (1 + 1e-6). Times are the median of 3 runs when a run takes under 3 s, else
one run. logreg: "fit s" is the JSON `seconds` (training: scaling, set-up and the iterations;
not reading the file); "wall s" the whole command, reading included. scikit-learn: the fit only
(its data are already in memory). LIBLINEAR: wall time of liblinear-train (reading the text
file included; it reports no fit time) and, as "fit s", that minus the wall time of a run that
stops at once (-e 1e30: reading, one gradient, writing the model).
"""
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import warnings

import numpy as np
import scipy.sparse as sp
from scipy.special import expit, log_expit, logsumexp
from sklearn.datasets import dump_svmlight_file, load_svmlight_file
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler

HERE = os.path.dirname(os.path.abspath(__file__))
REL = 1e-6
LOGREG_TOLS = ["1e-2", "1e-3", "1e-4", "1e-5", "1e-6", "1e-7", "1e-8", "1e-9"]
SK_TOLS = [1e-2, 1e-3, 1e-4, 1e-5, 1e-6, 1e-7, 1e-8, 1e-9]
# PoCL / OpenCL: sparse data trains on --device cpu only in this version (OpenCL sparse is
# being written). When it lands, add its device here (e.g. "opencl" or "opencl:0:0"): each
# device gets its own rows in the common-problem tables (--devices cpu,opencl does the same).
LOGREG_DEVICES = ["cpu"]
LL_EPS = ["1e-1", "1e-2", "1e-3", "1e-4", "1e-5", "1e-6", "1e-7"]


def say(msg):
    print(f"[sparse_bench {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def timed(cmd, reps_if_fast=3, fast=3.0, env=None):
    """Runs cmd (a list); returns (stdout, median wall s, list of walls). Repeats when fast."""
    walls, out = [], None
    for _ in range(reps_if_fast):
        t0 = time.perf_counter()
        r = subprocess.run(cmd, capture_output=True, text=True, env=env)
        walls.append(time.perf_counter() - t0)
        if r.returncode != 0:
            sys.exit(f"sparse_bench.py: failed ({r.returncode}): {' '.join(cmd)}\n{r.stderr}")
        out = r.stdout
        if walls[0] >= fast:
            break
    return out, statistics.median(walls), walls


def time_v(cmd):
    """Runs cmd under /usr/bin/time -v: (stdout, stderr, wall s, max RSS kB)."""
    r = subprocess.run(["/usr/bin/time", "-v"] + cmd, capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(f"sparse_bench.py: failed ({r.returncode}): {' '.join(cmd)}\n{r.stderr}")
    rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", r.stderr).group(1))
    m = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): ([\d:.]+)", r.stderr).group(1)
    wall = 0.0
    for part in m.split(":"):
        wall = wall * 60 + float(part)
    return r.stdout, r.stderr, wall, rss


# ---- objectives, in double on the scaled matrix ----
def j_binary(Xs, y01, w, b, lam, pen_b=False):
    z = Xs @ w + b
    loss = -(y01 * log_expit(z) + (1 - y01) * log_expit(-z)).mean()
    return loss + 0.5 * lam * (w @ w + (b * b if pen_b else 0.0))


def j_multi(Xs, y, W, b, lam):
    z = Xs @ W + b
    return (logsumexp(z, axis=1) - z[np.arange(len(y)), y]).mean() + 0.5 * lam * (W * W).sum()


def logreg_model(path):
    m = json.load(open(path))
    W = np.array(m["weights"], dtype=np.float64)
    b = np.array(m["bias"], dtype=np.float64)
    return W, b


def load_scaled(path, d=None):
    """X as logreg reads it (float32 values), scaled by StandardScaler(with_mean=False) in
    double, stored as float32: returns (X raw float64, Xs float64 CSR, y int)."""
    X, y = load_svmlight_file(path, n_features=d, dtype=np.float64)
    X = X.astype(np.float32).astype(np.float64).tocsr()
    sc = StandardScaler(with_mean=False).fit(X)
    Xs = sc.transform(X).astype(np.float32).astype(np.float64).tocsr()
    Xs.sort_indices()
    return X, Xs, y.astype(int)


def first_reaching(runs, target):
    """The shortest time of a run whose J reaches target (runs: dicts with J and t)."""
    ok = [r for r in runs if r["J"] <= target]
    return min(ok, key=lambda r: r["t"]) if ok else None


class Bench:
    def __init__(self, logreg, work, quick):
        self.logreg, self.work, self.quick = logreg, work, quick
        self.liblinear = shutil.which("liblinear-train") or (
            shutil.which("train") if os.path.exists("/usr/share/doc/liblinear-tools") else None)
        self.md = []
        self.commands = []
        self.devices = list(LOGREG_DEVICES)

    def cmd(self, c):
        root = os.path.dirname(HERE) + "/"
        self.commands.append(" ".join(str(a) for a in c).replace(self.work + "/", "$WORK/")
                             .replace(root, ""))

    # -- runs --
    def logreg_runs(self, data, extra, tols, tag, binary=True, device="cpu", optimizer="lbfgs"):
        runs = []
        for tol in tols:
            model = os.path.join(self.work, f"{tag}.{tol}.json")
            c = [self.logreg, "train", data, "--device", device, "--optimizer", optimizer, "--C", "1",
                 "--split", "1,0,0", "--tol", tol, "--epochs", "100000", "--json", "--quiet",
                 "--model", model] + (["--binary"] if binary else []) + extra
            if tol == tols[0]:
                self.cmd(c[:12] + ["TOL"] + c[13:])
            fits = []
            walls = []
            for rep in range(3):
                t0 = time.perf_counter()
                r = subprocess.run(c, capture_output=True, text=True)
                walls.append(time.perf_counter() - t0)
                if r.returncode:
                    sys.exit(f"logreg failed: {' '.join(c)}\n{r.stderr}")
                j = json.loads(r.stdout)
                fits.append(j["seconds"])
                if walls[0] >= 3.0 or self.quick:
                    break
            runs.append({"setting": f"--tol {tol}", "t": statistics.median(fits),
                         "wall": statistics.median(walls), "iters": j["epochs"], "model": model,
                         "reps": len(fits), "J_logreg": j["objective"]})
            say(f"{tag} --tol {tol}: {j['epochs']} it, fit {runs[-1]['t']:.3f} s, "
                f"J {j['objective']:.10g}")
            if j["stop_reason"] != "tol":
                say(f"{tag}: stopped by {j['stop_reason']} at --tol {tol}; tighter ones skipped")
                break
        return runs

    def sklearn_runs(self, Xs, y, solver, tols, multi=False):
        runs = []
        for tol in tols:
            fits = []
            for rep in range(3):
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    lr = LogisticRegression(C=1.0, solver=solver, tol=tol, max_iter=100000,
                                            **({"multi_class": "multinomial"} if multi else {}))
                    t0 = time.perf_counter()
                    lr.fit(Xs, y)
                    fits.append(time.perf_counter() - t0)
                if fits[0] >= 3.0 or self.quick:
                    break
            it = int(np.max(lr.n_iter_))
            runs.append({"setting": f"tol={tol:g}", "t": statistics.median(fits), "wall": None,
                         "iters": it, "coef": lr.coef_.copy(), "intercept": lr.intercept_.copy(),
                         "reps": len(fits)})
            say(f"scikit-learn {solver} tol={tol:g}: {it} it, {runs[-1]['t']:.3f} s")
        return runs

    def liblinear_runs(self, data, eps_list, tag):
        runs = []
        model = os.path.join(self.work, f"{tag}.ll.model")
        self.cmd(["/usr/bin/time", "-v", self.liblinear, "-s", "0", "-B", "1", "-c", "1", "-e",
                  "EPS", "-q", data, model])
        # Reading + one gradient + writing: stop at once.
        _, base, _ = timed([self.liblinear, "-s", "0", "-B", "1", "-e", "1e30", "-q", data, model])
        for eps in eps_list:
            walls, rss = [], 0
            for rep in range(3):
                _, _, wall, r = time_v([self.liblinear, "-s", "0", "-B", "1", "-c", "1", "-e", eps,
                                        "-q", data, model])
                walls.append(wall)
                rss = max(rss, r)
                if wall >= 3.0 or self.quick:
                    break
            w, labels = read_liblinear(model)
            runs.append({"setting": f"-e {eps}", "t": max(statistics.median(walls) - base, 0.0),
                         "wall": statistics.median(walls), "iters": None, "w": w,
                         "labels": labels, "rss": rss, "reps": len(walls)})
            say(f"LIBLINEAR -e {eps}: wall {runs[-1]['wall']:.3f} s (read etc. {base:.3f} s)")
        return runs, base

    # -- one binary data set --
    def binary_set(self, name, title, raw):
        say(f"{name}: loading and scaling {raw}")
        X, Xs, y = load_scaled(raw)
        n, d = Xs.shape
        nnz = Xs.nnz
        lam = 1.0 / n
        y01 = (y == y.max()).astype(np.float64)  # logreg's class 1 = the larger label
        scaled = os.path.join(self.work, f"{name}.scaled.svm")
        ones = os.path.join(self.work, f"{name}.scaled1.svm")
        dump_svmlight_file(Xs, y, scaled, zero_based=False)
        dump_svmlight_file(sp.hstack([Xs, np.ones((n, 1))]).tocsr(), y, ones, zero_based=False)
        tols = LOGREG_TOLS[:4] if self.quick else LOGREG_TOLS
        sk_tols = SK_TOLS[:4] if self.quick else SK_TOLS
        eps = LL_EPS[:3] if self.quick else LL_EPS

        # The common problem (bias unpenalized).
        lgs = {}
        for dev in self.devices:
            lgs[dev] = self.logreg_runs(raw, ["--scale", "std"], tols, f"{name}.logreg.{dev}",
                                        device=dev)
            for r in lgs[dev]:
                W, b = logreg_model(r["model"])
                r["J"] = j_binary(Xs, y01, W.reshape(-1), float(b.reshape(-1)[0]), lam)
        lgn = self.logreg_runs(raw, ["--scale", "std"], tols, f"{name}.logreg.newton",
                               optimizer="newton")
        for r in lgn:
            W, b = logreg_model(r["model"])
            r["J"] = j_binary(Xs, y01, W.reshape(-1), float(b.reshape(-1)[0]), lam)
        lg = [r for runs in lgs.values() for r in runs] + lgn
        sk = self.sklearn_runs(Xs, y, "lbfgs", sk_tols)
        for r in sk:
            r["J"] = j_binary(Xs, y01, r["coef"][0], float(r["intercept"][0]), lam)
        # LIBLINEAR's problem (bias penalized, -B 1).
        lgl = self.logreg_runs(ones, ["--scale", "none", "--no-intercept"], tols,
                               f"{name}.logreg-ll")
        lgln = self.logreg_runs(ones, ["--scale", "none", "--no-intercept"], tols,
                                f"{name}.logreg-ll.newton", optimizer="newton")
        for r in lgl + lgln:
            W, b = logreg_model(r["model"])
            w = W.reshape(-1)
            r["J"] = j_binary(Xs, y01, w[:-1], w[-1], lam, pen_b=True)
        skl = self.sklearn_runs(Xs, y, "liblinear", sk_tols)
        for r in skl:
            r["J"] = j_binary(Xs, y01, r["coef"][0], float(r["intercept"][0]), lam, pen_b=True)
            r["J_common"] = j_binary(Xs, y01, r["coef"][0], float(r["intercept"][0]), lam)
        ll, ll_base = [], None
        if self.liblinear:
            ll, ll_base = self.liblinear_runs(scaled, eps, name)
            for r in ll:
                # w' x_aug > 0 predicts labels[0]: P(labels[0]) = sigmoid(w' x + b).
                w = r["w"]
                sign = 1.0 if r["labels"][0] == y.max() else -1.0
                r["J"] = j_binary(Xs, y01, sign * w[:-1], sign * w[-1], lam, pen_b=True)
                r["J_common"] = j_binary(Xs, y01, sign * w[:-1], sign * w[-1], lam)

        best = min(r["J"] for r in lg + sk)
        best_ll = min(r["J"] for r in lgl + lgln + skl + ll)
        L = [f"### {title}", "",
             f"N = {n:,}, D = {d:,}, nnz = {nnz:,} ({nnz / n:.1f} per row), classes 2 "
             f"({int(y01.sum()):,} positive); lambda = 1/N = {lam:.4g}.", ""]
        L += ["Common problem (bias unpenalized): J* = %.12g" % best, "",
              "| solver | reaches J* (1 + 1e-6) at | fit s | wall s | iterations | J | "
              "J / J* - 1 |", "|---|---|---:|---:|---:|---:|---:|"]
        rows = [(f"logreg {dev} lbfgs --scale std", lgs[dev]) for dev in self.devices]
        rows += [("logreg cpu newton --scale std", lgn), ("scikit-learn lbfgs", sk)]
        L += self.ttable(rows, best)
        L += ["", "LIBLINEAR's problem (-B 1: bias penalized as a feature of value 1): "
              "J*_ll = %.12g" % best_ll, "",
              "| solver | reaches J*_ll (1 + 1e-6) at | fit s | wall s | iterations | J_ll | "
              "J_ll / J*_ll - 1 |", "|---|---|---:|---:|---:|---:|---:|"]
        rows = [("logreg cpu lbfgs, ones column, --scale none --no-intercept", lgl),
                ("logreg cpu newton, ones column, --scale none --no-intercept", lgln),
                ("scikit-learn liblinear", skl)]
        if ll:
            rows.append(("LIBLINEAR 2.3.0 -s 0 -B 1", ll))
        L += self.ttable(rows, best_ll)
        if ll:
            tight = min(ll, key=lambda r: r["J"])
            L += ["", para(f"LIBLINEAR's wall times include reading the text file: a run that "
                           f"stops at once (`-e 1e30`) takes {ll_base:.3f} s, subtracted for its "
                           f"fit s. Its best solution ({tight['setting']}) has J = "
                           f"{tight['J_common']:.12g} in the common form, "
                           f"{tight['J_common'] / best - 1:.2e} above J*: the penalty on the "
                           f"bias moves the optimum. Max RSS of liblinear-train: "
                           f"{max(r['rss'] for r in ll) / 1024:.0f} MiB.")]
        else:
            L += ["", "LIBLINEAR: not run (liblinear-train missing: apt-get install "
                  "liblinear-tools)."]
        L += [""]
        self.md += L

    def ttable(self, rows, best):
        out = []
        for label, runs in rows:
            hit = first_reaching(runs, best * (1 + REL))
            for r in runs:
                mark = " **first**" if r is hit else ""
                wall = f"{r['wall']:.3f}" if r.get("wall") is not None else "–"
                it = r["iters"] if r["iters"] is not None else "–"
                out.append(f"| {label} | {r['setting']}{mark} | {r['t']:.3f} | {wall} | {it} "
                           f"| {r['J']:.12g} | {r['J'] / best - 1:.1e} |")
            if hit is None:
                out.append(f"| {label} | **not reached** | | | | | |")
        return out

    # -- the multinomial Debian sections --
    def sections_set(self, raw):
        say("sections: loading and scaling")
        _, Xs, y = load_scaled(raw)
        n, d = Xs.shape
        k = int(y.max()) + 1
        lam = 1.0 / n
        tols = LOGREG_TOLS[:3] if self.quick else LOGREG_TOLS[:7]
        sk_tols = SK_TOLS[:3] if self.quick else SK_TOLS[:7]
        lg = self.logreg_runs(raw, ["--scale", "std"], tols, "sections.logreg", binary=False)
        for r in lg:
            W, b = logreg_model(r["model"])
            r["J"] = j_multi(Xs, y, W, b, lam)
        sk = self.sklearn_runs(Xs, y, "lbfgs", sk_tols, multi=True)
        for r in sk:
            r["J"] = j_multi(Xs, y, r["coef"].T, r["intercept"], lam)
        best = min(r["J"] for r in lg + sk)
        self.md += [f"### Debian package descriptions, {k} sections (multinomial)", "",
                    f"N = {n:,}, D = {d:,}, nnz = {Xs.nnz:,}, K = {k}; LIBLINEAR not run "
                    "(one-vs-rest for K > 2). J* = %.12g" % best, "",
                    "| solver | reaches J* (1 + 1e-6) at | fit s | wall s | iterations | J | "
                    "J / J* - 1 |", "|---|---|---:|---:|---:|---:|---:|"]
        self.md += self.ttable([("logreg cpu lbfgs --scale std", lg),
                                ("scikit-learn lbfgs multinomial", sk)], best) + [""]

    # -- memory: the acceptance run --
    def memory(self):
        rows, D, dens = (3000, 100000, 0.0005) if self.quick else (30000, 1000000, 0.00005)
        # The acceptance size, twice the rows, half the features (same non-zeros), a tenth of
        # the rows (most columns unused), and a read-bound shape (many non-zeros, few weights)
        # for the sizing rule.
        sizes = [(rows, D, dens), (2 * rows, D, dens), (rows, D // 2, dens * 2),
                 (rows // 10, D, dens), (200000, 1000, 0.05)]
        if self.quick:
            sizes = sizes[:1]
        L = ["### Memory: 10^6 features, 50 non-zeros per row on average", ""]
        if self.quick:
            L[0] = "### Memory (--quick: 3000 x 100000, not the acceptance size)"
        table = ["| data (K = 3) | nnz | process | max RSS MiB | formula MiB | fit s | J |",
                 "|---|---:|---|---:|---:|---:|---:|"]
        acc = None
        for (n, d, de) in sizes:
            f = os.path.join(self.work, f"mem_{n}_{d}.svm")
            g = [self.logreg, "gen", "sparse", "--rows", n, "--features", d, "--density", de,
                 "--classes", 3, "--seed", 1, "-o", f]
            subprocess.run([str(a) for a in g], check=True, capture_output=True)
            self.cmd(g)
            model = os.path.join(self.work, f"mem_{n}_{d}.json")
            c = [self.logreg, "train", f, "--device", "cpu", "--optimizer", "lbfgs", "--C", "1",
                 "--split", "1,0,0", "--scale", "std", "--tol", "1e-8", "--epochs", "100000",
                 "--json", "--quiet", "--model", model]
            self.cmd(["/usr/bin/time", "-v"] + c)
            out, _, wall, rss = time_v(c)
            j = json.loads(out)
            _, Xs, y = load_scaled(f)
            nn, dd = Xs.shape
            W, b = logreg_model(model)
            J = j_multi(Xs, y, W, b, 1.0 / nn)
            P = (dd + 1) * 3
            P_used = (int((np.diff(Xs.tocsc().indptr) > 0).sum()) + 1) * 3
            formula = sizing(Xs.nnz, nn, P, P_used, os.path.getsize(f)) / 2**20
            table.append(f"| {nn:,} x {dd:,} | {Xs.nnz:,} | logreg train (cpu) | {rss / 1024:.0f} "
                         f"| {formula:.0f} | {j['seconds']:.1f} | {J:.10g} |")
            say(f"memory {nn} x {dd}: logreg max RSS {rss / 1024:.0f} MiB, formula "
                f"{formula:.0f} MiB, {j['epochs']} it")
            if (n, d, de) == sizes[0]:
                # scikit-learn in its own process: load, scale, fit (lbfgs, multinomial).
                script = os.path.join(self.work, "sk_mem.py")
                with open(script, "w") as fh:
                    fh.write(SK_MEM)
                c2 = ["/usr/bin/python3", script, f, os.path.join(self.work, "sk_mem.npz")]
                self.cmd(["/usr/bin/time", "-v"] + c2 + ["  # bench/sparse_bench.py's SK_MEM"])
                out2, _, wall2, rss2 = time_v(c2)
                z = np.load(os.path.join(self.work, "sk_mem.npz"))
                J2 = j_multi(Xs, y, z["coef"].T, z["intercept"], 1.0 / nn)
                fit2 = float(out2.split()[0])
                table.append(f"| {nn:,} x {dd:,} | {Xs.nnz:,} | scikit-learn lbfgs (Python: "
                             f"load, scale, fit) | {rss2 / 1024:.0f} | – | {fit2:.1f} | "
                             f"{J2:.10g} |")
                acc = (nn, dd, rss, rss2, J, J2)
        L += table + [""]
        if acc:
            nn, dd, rss, rss2, J, J2 = acc
            L += [para(f"Acceptance ({nn:,} x {dd:,}): logreg's max RSS {rss / 1024:.0f} MiB "
                       f"against scikit-learn's {rss2 / 1024:.0f} MiB "
                       f"({'below' if rss < rss2 else '**not below**'}); objectives "
                       f"{J:.12g} and {J2:.12g}, relative difference "
                       f"{abs(J - J2) / J2:.1e} "
                       f"({'within' if abs(J - J2) <= 1e-6 * J2 else '**not within**'} 1e-6). "
                       f"A dense N x D float32 copy would take {nn * dd * 4 / 2**30:.0f} GiB."),
                  ""]
        self.md += L


SK_MEM = r'''import sys, time, warnings
import numpy as np
from sklearn.datasets import load_svmlight_file
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler
X, y = load_svmlight_file(sys.argv[1])
X = X.astype(np.float32).astype(np.float64)
Xs = StandardScaler(with_mean=False).fit_transform(X).astype(np.float32).astype(np.float64)
with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    t0 = time.perf_counter()
    lr = LogisticRegression(C=1.0, tol=1e-8, max_iter=100000, multi_class="multinomial").fit(Xs, y)
    t = time.perf_counter() - t0
np.savez(sys.argv[2], coef=lr.coef_, intercept=lr.intercept_)
print(t)
'''


def sizing(nnz, n, p, p_used, file_bytes):
    """The README's sizing rule for `logreg train` on sparse data (bytes): the larger of
    reading: the file's text, the non-zeros as read (8 bytes each, in a buffer doubled from
             4096 entries: up to twice nnz) and 40 bytes per row;
    training: 20 bytes per non-zero (the file's CSR, 4-byte index + 4-byte value, its copy as
             the training split, and the 4-byte scaled values), 20 per row, 32 doubles per
             weight of the columns that some training row uses, P_u = (D_u + 1) x K (the
             solver's vectors: L-BFGS keeps 2(m + 1) = 22 with m = 10; the objective, the line
             search and the best point take the rest), and 2 doubles per weight of the model,
             P = (D + 1) x K (its weights, and their raw form when it is written),
    plus 20 MiB for the program. Fitted to max RSS measured on 30,000 and 3,000 rows x 10^6
    features (78% and 14% of the columns used) and a 200,000 x 1000 run with 9.7M non-zeros
    (read-bound)."""
    cap = 4096
    while cap < nnz:
        cap *= 2
    read = file_bytes + 8 * cap + 40 * n
    train = 20 * nnz + 20 * n + 32 * 8 * p_used + 2 * 8 * p
    return max(read, train) + 20 * 2**20


def para(text):
    import textwrap
    return textwrap.fill(text, width=100, break_long_words=False, break_on_hyphens=False)


def read_liblinear(path):
    with open(path) as f:
        lines = f.read().split("\n")
    labels = None
    i = 0
    while lines[i] != "w":
        if lines[i].startswith("label "):
            labels = [int(float(v)) for v in lines[i].split()[1:]]
        i += 1
    w = np.array([float(l.split()[0]) for l in lines[i + 1:] if l.strip()])
    return w, labels


def main():
    args = sys.argv[1:]
    logreg = os.path.join(HERE, "..", "build", "logreg")
    work = None
    quick = "--quick" in args
    opts = set(a for a in args if a.startswith("--no-"))
    for i, a in enumerate(args):
        if a == "--logreg":
            logreg = args[i + 1]
        elif a == "--work":
            work = args[i + 1]
    logreg = os.path.abspath(logreg)
    if not os.access(logreg, os.X_OK):
        sys.exit(f"sparse_bench.py: {logreg} missing: run 'bash scripts/build.sh' first")
    if not os.path.exists("/usr/bin/time"):
        sys.exit("sparse_bench.py: /usr/bin/time missing: apt-get install time")
    tmp = work or tempfile.mkdtemp(prefix="sparse_bench.")
    os.makedirs(tmp, exist_ok=True)
    b = Bench(logreg, os.path.abspath(tmp), quick)
    for i, a in enumerate(args):
        if a == "--devices":
            b.devices = args[i + 1].split(",")
    if not b.liblinear:
        say("liblinear-train not found: the LIBLINEAR rows are skipped "
            "(apt-get install liblinear-tools)")
    t_start = time.time()
    cpu = subprocess.run(["lscpu"], capture_output=True, text=True).stdout
    model = re.search(r"Model name:\s*(.*)", cpu)
    ver = lambda p: subprocess.run(["dpkg-query", "-W", "-f=${Version}", p], capture_output=True,
                                   text=True).stdout or "none"
    head = [f"Machine: `{model.group(1).strip() if model else '?'}`, {os.cpu_count()} cores, "
            f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; commit "
            f"{subprocess.run(['git', 'rev-parse', '--short', 'HEAD'], capture_output=True, text=True, cwd=HERE).stdout.strip()}; "
            f"scikit-learn {ver('python3-sklearn')}, liblinear-tools {ver('liblinear-tools')}, "
            f"load average at start {os.getloadavg()[0]:.2f}."
            + (" **--quick: smoke-run sizes, not measurements.**" if quick else ""), ""]
    py = "/usr/bin/python3"
    deb = os.path.join(b.work, "debian_binary.svm")
    if "--no-debian" not in opts:
        c = [py, os.path.join(HERE, "sparse_debian.py"), deb, "--labels", "binary"]
        info = subprocess.run(c, check=True, capture_output=True, text=True).stdout.strip()
        b.cmd(c)
        say(info)
        if quick:  # the first 8000 rows
            with open(deb) as f:
                lines = f.readlines()[:8000]
            with open(deb, "w") as f:
                f.writelines(lines)
        b.binary_set("debian", "Debian package descriptions, binary (libs + libdevel or not): "
                     + info.split(" classes=")[0], deb)
    if "--no-gen" not in opts:
        gen = os.path.join(b.work, "gen.svm")
        g = [logreg, "gen", "sparse", "--rows", "5000" if quick else "50000", "--features",
             "100000", "--density", "0.0005", "--classes", "2", "--seed", "1", "-o", gen]
        subprocess.run(g, check=True, capture_output=True)
        b.cmd(g)
        b.binary_set("gen", "Generated: logreg gen sparse, binary", gen)
    if "--sections" in args:
        sec = os.path.join(b.work, "debian_sections.svm")
        c = [py, os.path.join(HERE, "sparse_debian.py"), sec, "--labels", "sections"]
        subprocess.run(c, check=True, capture_output=True, text=True)
        b.cmd(c)
        if quick:
            with open(sec) as f:
                lines = f.readlines()[:8000]
            with open(sec, "w") as f:
                f.writelines(lines)
        b.sections_set(sec)
    if "--no-memory" not in opts:
        b.memory()
    secs = time.time() - t_start
    print("\n".join(head + b.md + ["Commands (TOL, EPS: the lists above; $WORK: a temporary "
                                   "folder):", "", "```"] + b.commands + ["```", "",
                                   f"Run time of bench/sparse_bench.py: {secs / 60:.1f} min."]))
    if not work:
        shutil.rmtree(tmp)
    return 0


if __name__ == "__main__":
    sys.exit(main())
