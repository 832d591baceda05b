#!/usr/bin/python3
"""make_results.py: the tables and the plot of bench/RESULTS.md, from what bench/run.sh
measured. Not meant to be run by hand: run.sh passes its work folder.

usage: make_results.py WORK TEMPLATE RESULTS.md PLOT.png

WORK holds machine.txt (key=value), devices.txt (`logreg devices`), commands.txt, shapes.txt,
NAME.logreg.jsonl (`logreg bench --json`), NAME.peers.jsonl (peers.py), not_run.jsonl,
sweep_interleaved.DEVICE.jsonl (`logreg bench --sweep ... --json`),
warnings.txt and lbfgs.md (bench/fmnist_lbfgs.sh). The template's line @@GENERATED@@ is
replaced by the generated sections; both files are written atomically."""
import json
import os
import re
import sys
import textwrap

PEER_NAMES = {"numpy": "NumPy float32 + OpenBLAS", "torch": "PyTorch, explicit matmuls",
              "torch-nn": "PyTorch nn.Linear + CrossEntropyLoss + SGD"}
SWEEP_LINEAR = (100000, 10000000)  # the linearity target: ms per row within 20% over this range


def para(text):
    """A prose paragraph wrapped at 100 columns, as the rest of the Markdown."""
    return textwrap.fill(text, width=100, break_long_words=False, break_on_hyphens=False)


def read_jsonl(path):
    if not os.path.exists(path):
        return []
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def read_kv(path):
    kv = {}
    with open(path) as f:
        for line in f:
            if "=" in line:
                k, v = line.rstrip("\n").split("=", 1)
                kv[k] = v
    return kv


HOST_SPECS = ("cpu", "reference")  # the backends in host memory: the host floor is theirs


def logreg_label(r):
    if r["spec"] == "reference":
        return "logreg reference"
    m = re.search(r"\(([^()]*)\)\s*$", r["device"])
    return f"logreg {r['spec']} ({m.group(1)})" if m else f"logreg {r['device']}"


def fmt(v, nd=2):
    if v is None:
        return "–"
    if v >= 1000:
        return f"{v:,.0f}"
    if v >= 100:
        return f"{v:.1f}"
    return f"{v:.{nd}f}"


def sci(n):
    e = len(str(n)) - 1
    m = n / 10 ** e
    return f"1e{e}" if m == 1 else f"{m:g}e{e}"


def shape_runs(work, name):
    """The runs of one shape: dicts with label, kind (logreg-cpu: cpu and reference, logreg-ocl,
    peer) and the numbers; plus the host floor."""
    lg = read_jsonl(f"{work}/{name}.logreg.jsonl")
    peers = read_jsonl(f"{work}/{name}.peers.jsonl")
    host = next((r for r in lg if r["spec"] in HOST_SPECS), None)
    runs = []
    for r in lg:
        runs.append({"label": logreg_label(r), "kind": "logreg-cpu" if r["spec"] in HOST_SPECS else
                     "logreg-ocl", "epochs": r["epochs"], "median": r["ms_per_epoch_median"],
                     "min": r["ms_per_epoch_min"], "max": r["ms_per_epoch_max"],
                     "gbps": r["gb_per_s"], "floor_ms": r.get("floor_ms"),
                     "floor_kind": r.get("floor_kind", "")})
    n, d = lg[0]["rows"], lg[0]["features"]
    for p in peers:
        runs.append({"label": PEER_NAMES.get(p["peer"], p["peer"]) + f", {p['threads']} threads",
                     "peer": p["peer"], "kind": "peer", "epochs": p["epochs"],
                     "median": p["ms_per_epoch_median"], "min": p["ms_per_epoch_min"],
                     "max": p["ms_per_epoch_max"],
                     "gbps": n * d * 4 / (p["ms_per_epoch_median"] * 1e-3) / 1e9,
                     "floor_ms": host.get("floor_ms") if host else None,
                     "floor_kind": host.get("floor_kind", "") if host else ""})
    ocl = [r["median"] for r in runs if r["kind"] == "logreg-ocl"]
    best = min(ocl) if ocl else None
    for r in runs:
        r["x_floor"] = r["median"] / r["floor_ms"] if r["floor_ms"] else None
        r["vs_ocl"] = r["median"] / best if best else None
    return lg[0], runs


TABLE_HEAD = ("| run | timed epochs | median ms | min ms | max ms | GB/s | floor ms (kind) "
              "| x floor | ÷ logreg OpenCL |\n|---|---:|---:|---:|---:|---:|---|---:|---:|")


def table_rows(runs, prefix=""):
    out = []
    for r in runs:
        fl = f"{fmt(r['floor_ms'], 3)} ({r['floor_kind']})" if r["floor_ms"] else "–"
        out.append(f"| {prefix}{r['label']} | {r['epochs']} | {fmt(r['median'])} | {fmt(r['min'])} "
                   f"| {fmt(r['max'])} | {fmt(r['gbps'])} | {fl} | {fmt(r['x_floor'], 1)} "
                   f"| {fmt(r['vs_ocl'])} |")
    return out


def generated(work, plot_path):
    mk = read_kv(f"{work}/machine.txt")
    shapes = open(f"{work}/shapes.txt").read().split() if os.path.exists(f"{work}/shapes.txt") \
        else []
    not_run = read_jsonl(f"{work}/not_run.jsonl")
    L = []
    secs = int(mk.get("seconds", "0"))
    L += ["## Machine and run", "",
          "| | |", "|---|---|",
          f"| date | {mk.get('date')} |",
          f"| CPU | {mk.get('cpu')} |",
          f"| cores (threads for the floor and the peers) | {mk.get('cores')} |",
          f"| memory | {mk.get('memory_gib')} GiB |",
          f"| commit | {mk.get('commit')} |",
          f"| PoCL / CLBlast / OpenBLAS | {mk.get('pkg_pocl-opencl-icd')} / "
          f"{mk.get('pkg_libclblast1')} / {mk.get('pkg_libopenblas0-pthread')} |",
          f"| NumPy / PyTorch / scikit-learn (Debian) | {mk.get('pkg_python3-numpy')} / "
          f"{mk.get('pkg_python3-torch')} / {mk.get('pkg_python3-sklearn')} |",
          f"| load average (1 min) at start / end | {mk.get('load_start')} / "
          f"{mk.get('load_end')} |",
          f"| run time of bench/run.sh | {secs // 60} min {secs % 60} s |", ""]
    try:
        busy = float(mk.get("load_start", "0")) > 0.5 or float(mk.get("load_end", "0")) > 2.5
    except ValueError:
        busy = False
    if busy:
        L += [para("**The machine was busy** (load average above; other work ran beside the "
                   "benchmark): absolute times and the per-row spreads below are noisy. Compare "
                   "ratios within one shape, and the min columns."), ""]
    if mk.get("quick") == "1":
        L += ["**BENCH_QUICK=1: a smoke run with 2 epochs per shape; not measurements.**", ""]
    L += ["OpenCL devices (`logreg devices`):", "", "```",
          open(f"{work}/devices.txt").read().rstrip(), "```", ""]
    L += ["Commands, in the order run (bench/run.sh):", "", "```",
          open(f"{work}/commands.txt").read().rstrip(), "```", ""]

    L += ["## Full-batch epoch per shape", "", para(
          "One epoch everywhere: logits, stable softmax, mean cross-entropy, gradient "
          "X^T(P - Y)/N + lambda W and bias gradient, GD update, on float32 data already in "
          "memory (logreg: resident on the device), after 2 warm-up epochs. "
          "**GB/s** = N x D x 4 bytes / median epoch. **floor** = one pass over an X-sized "
          "buffer measured in the same `logreg bench` run: `host read` is a plain C sum over "
          "a freshly written buffer split over all cores (used for the cpu backend, CPU OpenCL "
          "devices such as PoCL, and the peers, which run on the host); `device copy` is a "
          "clEnqueueCopyBuffer on a GPU counted as read bandwidth = size / time. "
          "**x floor** = median / floor (1 would be memory-bound). "
          "**÷ logreg OpenCL** = this run's median / the fastest logreg OpenCL device's median "
          "in the same shape: above 1, logreg's OpenCL path is that many times faster. "
          "The peers (bench/peers.py) run with the same thread count; on synthetic shapes they "
          "draw their data from NumPy's generator (same distribution as `logreg bench`, "
          "different numbers)."), ""]
    titles = {"fashion": "Fashion-MNIST (real data, 60000 x 784, 10 classes, standardized)",
              "n1e6_d32_k2": "1,000,000 x 32, 2 classes (synthetic)",
              "n2e5_d256_k10": "200,000 x 256, 10 classes (synthetic)"}
    for name, title in titles.items():
        L += [f"### {title}", ""]
        nr = [r for r in not_run if r["shape"] == name]
        if nr:
            L += [f"not run: {nr[0]['not_run']}", ""]
            continue
        if name not in shapes:
            L += ["not run", ""]
            continue
        _, runs = shape_runs(work, name)
        L += [TABLE_HEAD] + table_rows(runs) + [""]

    # The sweep.
    sweep = []
    for name in shapes:
        if name.startswith("sweep_"):
            head, runs = shape_runs(work, name)
            sweep.append((head["rows"], runs))
    sweep.sort(key=lambda t: t[0])
    sweep_nr = sorted((r for r in not_run if r["shape"].startswith("sweep_")),
                      key=lambda r: r["rows"])
    L += ["## Sweep over N (D = 64, K = 10, synthetic)", "", TABLE_HEAD.replace(
        "| run |", "| N | run |", 1).replace("|---|", "|---:|---|", 1)]
    for n, runs in sweep:
        L += table_rows(runs, prefix="")
        L[-len(runs):] = [f"| {sci(n)} " + row for row in L[-len(runs):]]
    for r in sweep_nr:
        L += [f"| {sci(r['rows'])} | not run: {r['not_run']} | | | | | | | | |"]
    L += ["", f"![ms per epoch against N]({os.path.basename(plot_path)})", ""]

    # Per-row time: ms per 1e5 rows, and its spread over SWEEP_LINEAR.
    ns = [n for n, _ in sweep]
    labels = []
    for _, runs in sweep:
        for r in runs:
            if r["label"] not in labels:
                labels.append(r["label"])
    lo, hi = SWEEP_LINEAR
    L += ["### Per-row time in the separate runs (ms per 1e5 rows = median ms / (N / 1e5))", "",
          para(f"Linearity target: from N = {sci(lo)} to {sci(hi)} the per-row time stays within 20% "
          "(spread = largest / smallest, minus 1, over that range; smaller N are shown but pay fixed "
          "per-epoch costs). Each N here ran at a different time, so the machine's load moves these "
          "spreads; logreg's own figure is the interleaved sweep below, whose sizes share their "
          "slow spells."), "",
          "| run | " + " | ".join(sci(n) for n in ns) + f" | spread {sci(lo)}–{sci(hi)} "
          "| within 20% |",
          "|---|" + "---:|" * len(ns) + "---:|---|"]
    rows_per = {}
    for lab in labels + ["host floor (read X once)"]:
        vals = []
        for n, runs in sweep:
            if lab.startswith("host floor"):
                fr = next((r for r in runs if r["kind"] == "logreg-cpu"), None)
                v = fr["floor_ms"] if fr and fr["floor_ms"] else None
            else:
                r = next((r for r in runs if r["label"] == lab), None)
                v = r["median"] if r else None
            vals.append(None if v is None else v / (n / 1e5))
        rows_per[lab] = vals
        inr = [v for n, v in zip(ns, vals) if lo <= n <= hi and v is not None]
        have = {n for n, v in zip(ns, vals) if v is not None}
        if len(inr) >= 2 and lo in have and hi in have:
            spread = max(inr) / min(inr) - 1
            sp, ok = f"{spread * 100:.0f}%", "yes" if spread <= 0.2 else "**no**"
        else:
            sp, ok = "–", "not measured"
        L += [f"| {lab} | " + " | ".join(fmt(v, 3) for v in vals) + f" | {sp} | {ok} |"]
    if sweep_nr:
        L += ["", "; ".join(f"N = {sci(r['rows'])}: not run: {r['not_run']}" for r in sweep_nr)
              + "."]
    L += [""]
    L += interleaved_sweep(work)

    warnings = open(f"{work}/warnings.txt").read().strip() \
        if os.path.exists(f"{work}/warnings.txt") else ""
    L += ["### Numerical check of the peers", ""]
    if warnings:
        L += ["peers.py printed on stderr (its loss check warns when the first two epochs' losses "
              "differ by more than 1e-4 relative):", "",
              "```", warnings, "```", ""]
    else:
        L += [para("On every shape, the first two (warm-up) epochs' mean losses of NumPy, PyTorch by "
              "hand and PyTorch nn agree to 1e-4 relative (checked by peers.py outside the timed "
              "loop; the second depends on the first gradient)."), ""]

    if os.path.exists(f"{work}/lbfgs.md"):
        L += ["## Fashion-MNIST with L-BFGS to scikit-learn's 100-iteration objective", "", para(
              "All three on the 60000 training rows with lambda = 1/(C N) = 1.6667e-5 (C = 1), "
              "100 L-BFGS iterations, tested on the 10000 test rows; scikit-learn with OpenBLAS "
              f"on {mk.get('cores')} threads. `bash bench/fmnist_lbfgs.sh`; the logreg runs "
              "write `--history`, whose `seconds` column (since the start of training, "
              "preprocessing, upload and kernel build included) gives the time to reach "
              "scikit-learn's objective; a logreg run that has not reached it after 100 "
              "iterations runs again with up to 200 for that table (its float32 path can need "
              "one or two more)."), "",
              open(f"{work}/lbfgs.md").read().rstrip(), ""]
    return "\n".join(L), sweep


def interleaved_sweep(work):
    """The linearity table: `logreg bench --sweep` per OpenCL device (one process, the epochs
    taken round-robin across N)."""
    L = []
    files = sorted(f for f in os.listdir(work) if f.startswith("sweep_interleaved."))
    lo, hi = SWEEP_LINEAR
    for f in files:
        runs = sorted(read_jsonl(f"{work}/{f}"), key=lambda r: r["rows"])
        for r in runs:
            r["rows"] = int(r["rows"])
        if not runs:
            continue
        dev = f[len("sweep_interleaved."):-len(".jsonl")]
        L += [f"### Linearity: the sweep in one process on {dev} (epochs round-robin across N)", "",
              para("`logreg bench --sweep N1,N2,... --features 64 --classes 10` keeps every size "
                   "resident at once and times the epochs round-robin across the sizes (the order "
                   "rotating each round), so a slow spell of the machine hits every N alike; the "
                   "separate runs above do not share that protection. **ms / 1e5 rows** = median "
                   "/ (N / 1e5)."), "",
              "| N | timed epochs | median ms | min ms | max ms | GB/s | floor ms | x floor "
              "| ms / 1e5 rows |",
              "|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
        for r in runs:
            L += [f"| {sci(r['rows'])} | {r['epochs']} | {fmt(r['ms_per_epoch_median'])} "
                  f"| {fmt(r['ms_per_epoch_min'])} | {fmt(r['ms_per_epoch_max'])} "
                  f"| {fmt(r['gb_per_s'])} | {fmt(r['floor_ms'], 3)} "
                  f"| {fmt(r['ratio_to_floor'], 1)} | {fmt(r['ms_per_1e5_rows'], 3)} |"]
        inr = [r["ms_per_1e5_rows"] for r in runs if lo <= r["rows"] <= hi]
        have = {r["rows"] for r in runs}
        if len(inr) >= 2 and lo in have and hi in have:
            spread = max(inr) / min(inr) - 1
            L += ["", para(f"Per-row spread from N = {sci(lo)} to {sci(hi)}: {spread * 100:.0f}% "
                           f"(target: within 20%: {'met' if spread <= 0.2 else '**not met**'}).")]
        else:
            L += ["", para(f"Per-row spread from N = {sci(lo)} to {sci(hi)}: not measured (those "
                           "sizes were not both run).")]
        L += [""]
    return L


def plot(sweep, path):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(8, 5.5), dpi=110)
    labels = []
    for _, runs in sweep:
        for r in runs:
            if r["label"] not in labels:
                labels.append(r["label"])
    for lab in labels:
        pts = [(n, r["median"]) for n, runs in sweep for r in runs if r["label"] == lab]
        if pts:
            ax.plot([p[0] for p in pts], [p[1] for p in pts], marker="o", label=lab)
    fl = [(n, r["floor_ms"]) for n, runs in sweep for r in runs
          if r["kind"] == "logreg-cpu" and r["floor_ms"]]
    if fl:
        ax.plot([p[0] for p in fl], [p[1] for p in fl], linestyle="--", color="gray",
                label="host floor (one read of X)")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("rows N (D = 64 features, K = 10 classes)")
    ax.set_ylabel("ms per full-batch epoch (median)")
    ax.set_title("Full-batch epoch time against N")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    tmp = path + ".tmp.png"
    fig.savefig(tmp)
    os.replace(tmp, path)


def main():
    if len(sys.argv) != 5:
        sys.exit(__doc__)
    work, template, results, plot_path = sys.argv[1:]
    text, sweep = generated(work, plot_path)
    tpl = open(template).read()
    if "@@GENERATED@@" not in tpl:
        sys.exit(f"make_results.py: {template} has no @@GENERATED@@ line")
    if sweep:
        plot(sweep, plot_path)
    tmp = results + ".tmp"
    with open(tmp, "w") as f:
        f.write(tpl.replace("@@GENERATED@@", text))
    os.replace(tmp, results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
