#!/usr/bin/env python3
"""make_results_gpu.py: the records and the report of bench/gpu.sh (standard library only).

  make_results_gpu.py cell KEY=VALUE... --stdout F --stderr F   one JSON line on stdout
  make_results_gpu.py render RAW_DIR OUT.md [--table]            RESULTS-gpu.md from RAW_DIR

`cell` turns one run of the script (a test, a `logreg bench`, a `logreg train`, a peers.py call)
into one line of RAW_DIR/cells.jsonl: the KEY=VALUE pairs gpu.sh passes (kind, shape, label,
mode, rc, seconds, timeout_s, cmd, ...), the JSON objects found on the run's stdout, and the
last lines of its stderr. Its status: ok; partial (peers.py: some peers failed); fails; n/a (a
GEMM mode this build does not have); timeout; skipped (the script's time ran short, or a
part not run); a test also passed/failed/skipped.

`render` reads RAW_DIR/machine.txt (KEY=VALUE lines), RAW_DIR/devices.txt (`logreg devices`) and
RAW_DIR/cells.jsonl and writes the report: machine, commit, tests, the table of median ms per
epoch, the ratios that issue 10's goals name, the mini-batch Adam comparison, notes on every
cell that did not give a number, and the exact commands. Every number in it comes from a
record; a missing one is shown as the cell's status, never estimated. --table also prints a
short table on stdout."""
import json
import sys

MODES = ("auto", "own", "fused", "clblast", "tiled")
PEERS = ("read-floor", "torch", "torch-compile", "torch-nn")


def cell(argv):
    rec, out, err = {}, None, None
    it = iter(argv)
    for a in it:
        if a == "--stdout":
            out = next(it)
        elif a == "--stderr":
            err = next(it)
        else:
            k, _, v = a.partition("=")
            rec[k] = v
    for k in ("rc", "n", "d", "k", "epochs"):
        if rec.get(k, "") not in ("",):
            try:
                rec[k] = int(rec[k])
            except ValueError:
                pass
    for k in ("seconds", "timeout_s"):
        if k in rec:
            try:
                rec[k] = float(rec[k])
            except ValueError:
                pass
    lines = []
    if out:
        with open(out, errors="replace") as f:
            for line in f:
                line = line.strip()
                if line.startswith("{"):
                    try:
                        lines.append(json.loads(line))
                    except ValueError:
                        pass
    tail = []
    if err:
        with open(err, errors="replace") as f:
            tail = [ln.rstrip() for ln in f if ln.strip()][-6:]
    rec["results"] = lines
    rec["stderr_tail"] = [t[:400] for t in tail]
    if "status" not in rec:
        rec["status"] = status_of(rec)
    print(json.dumps(rec))


def status_of(rec):
    rc, kind = rec.get("rc"), rec.get("kind")
    if rc in (124, 137):
        return "timeout"
    if kind == "test":
        return {0: "passed", 77: "skipped"}.get(rc, "failed")
    res = rec["results"]
    if kind == "logreg":
        if rc == 0 and res:
            return "ok"
        if rc == 2 and any("--gemm" in t for t in rec["stderr_tail"]):
            return "n/a"
        return "fails"
    if kind == "peers":
        good = [r for r in res if "error" not in r]
        if good and len(good) == len(res) and rc == 0:
            return "ok"
        return "partial" if good else "fails"
    return "ok" if rc == 0 and res else "fails"


# ---- render ----

def fmt_ms(v):
    if v is None:
        return "-"
    if v >= 1000:
        return f"{v:.0f}"
    return f"{v:.3g}"


def fmt_ratio(v):
    return "-" if v is None else f"{v:.2f}x" if v < 10 else f"{v:.1f}x"


def median(v):
    v = sorted(v)
    if not v:
        return None
    m = len(v)
    return v[m // 2] if m % 2 else 0.5 * (v[m // 2 - 1] + v[m // 2])


def load(raw):
    machine = {}
    try:
        with open(f"{raw}/machine.txt") as f:
            for line in f:
                k, sep, v = line.rstrip("\n").partition("=")
                if sep:
                    machine[k] = v
    except OSError:
        pass
    try:
        with open(f"{raw}/devices.txt", errors="replace") as f:
            devices = f.read()
    except OSError:
        devices = ""
    cells = []
    try:
        with open(f"{raw}/cells.jsonl") as f:
            for line in f:
                try:
                    cells.append(json.loads(line))
                except ValueError:
                    pass
    except OSError:
        pass
    return machine, devices, cells


class Table:
    """The numbers per shape, from the cells."""

    def __init__(self, cells):
        self.shapes = []  # (name, label) in the order the script ran them
        self.logreg = {}  # (shape, mode) -> cell
        self.peer = {}  # (shape, peer) -> (record or None, cell)
        self.other = []
        for c in cells:
            kind, shape = c.get("kind"), c.get("shape")
            if kind in ("logreg", "peers") and shape and shape not in [s for s, _ in self.shapes]:
                self.shapes.append((shape, c.get("label", shape)))
            if kind == "logreg":
                self.logreg[(shape, c.get("mode"))] = c
            elif kind == "peers":
                names = [p for p in c.get("peers", "").split(",") if p]
                by = {r.get("peer"): r for r in c["results"]}
                for p in names:
                    self.peer[(shape, p)] = (by.get(p), c)
            else:
                self.other.append(c)

    def lr_ms(self, shape, mode):
        c = self.logreg.get((shape, mode))
        if c and c["status"] == "ok":
            return c["results"][0].get("ms_per_epoch_median")
        return None

    def lr_cell(self, shape, mode):
        c = self.logreg.get((shape, mode))
        if not c:
            return "not run"
        if c["status"] == "ok":
            return fmt_ms(self.lr_ms(shape, mode))
        return c["status"]

    def floors(self, shape, key):
        """The device floors (key floor_ms or copy_floor_ms) of the shape's logreg runs whose
        floor is the device read."""
        v = []
        for m in MODES:
            c = self.logreg.get((shape, m))
            if c and c["status"] == "ok":
                r = c["results"][0]
                if r.get("floor_kind") == "device read" and r.get(key) is not None:
                    v.append(r[key])
        return v

    def floor_ms(self, shape):
        return median(self.floors(shape, "floor_ms"))

    def host_floor(self, shape):
        for m in MODES:
            c = self.logreg.get((shape, m))
            if c and c["status"] == "ok":
                r = c["results"][0]
                if r.get("floor_kind", "").startswith("host") and r.get("floor_ms") is not None:
                    return r["floor_ms"], r["floor_kind"]
        return None, None

    def peer_ms(self, shape, peer):
        rec, _ = self.peer.get((shape, peer), (None, None))
        if rec and "error" not in rec:
            return rec.get("ms_per_epoch_median")
        return None

    def peer_cell(self, shape, peer):
        rec, c = self.peer.get((shape, peer), (None, None))
        if c is None:
            return "not run"
        if rec is None:
            return c["status"] if c["status"] in ("timeout", "skipped", "n/a") else "fails"
        if "error" in rec:
            return "fails"
        return fmt_ms(rec.get("ms_per_epoch_median"))

    def best(self, shape):
        got = [(self.lr_ms(shape, m), m) for m in MODES if self.lr_ms(shape, m) is not None]
        return min(got) if got else (None, None)


def ratio(a, b):
    return a / b if a is not None and b else None


def goal(v, ok):
    if v is None:
        return "-"
    return f"{fmt_ratio(v)} ({'met' if ok(v) else 'not met'})"


def render(raw, out_md, table):
    machine, devices, cells = load(raw)
    t = Table(cells)
    smoke = machine.get("smoke") == "1"
    L = []
    w = L.append
    title = "logreg on a GPU: bench/gpu.sh"
    if smoke:
        w(f"# SMOKE RUN of {title} (tiny shapes, not GPU results: do not commit)")
    else:
        w(f"# {title}")
    w("")
    w("Written by `bench/make_results_gpu.py` from the raw records in `raw/` (cells.jsonl: one "
      "line per run with its JSON output; machine.txt; devices.txt). Every number below was "
      "measured in this run; a cell without a number shows why.")
    w("")
    gpu = machine.get("gpu") or "none"
    torch_v = next((r.get("version") for c in cells if c.get("kind") == "peers"
                    for r in c["results"] if r.get("version")), None)
    torch_gpu = next((r.get("gpu") for c in cells if c.get("kind") == "peers"
                      for r in c["results"] if r.get("gpu")), None)
    platforms = [ln.split(":", 1)[1].strip() for ln in devices.splitlines()
                 if ln.startswith("platform ")]
    ocl_devs = [ln.strip() for ln in devices.splitlines() if ln.startswith("opencl:")]
    w("## Machine")
    w("")
    w(f"- card: **{gpu}**" + (f", {machine['gpu_memory']}" if machine.get("gpu_memory") else ""))
    w(f"- NVIDIA driver: {machine.get('driver') or '-'}; CUDA (driver): "
      f"{machine.get('cuda') or '-'}")
    w(f"- OpenCL: {'; '.join(platforms) or 'no platform'}")
    for d in ocl_devs:
        w(f"  - `{d}`")
    w(f"- PyTorch: {torch_v or '-'}" + (f" on {torch_gpu}" if torch_gpu else ""))
    w(f"- host: {machine.get('cpu', '-')}, {machine.get('cores', '-')} cores")
    w(f"- commit: `{machine.get('commit', 'unknown')}` ({machine.get('commit_from', '-')})")
    if machine.get("bundle_commit") and machine["bundle_commit"] != machine.get("commit"):
        w(f"- binaries (gpubundle/, packed {machine.get('bundle_packed', '-')} on glibc "
          f"{machine.get('bundle_glibc', '-')}): built at `{machine['bundle_commit']}`")
    w(f"- date: {machine.get('date', '-')}; script wall time {machine.get('seconds', '-')} s of "
      f"a {machine.get('budget_s', '-')} s budget")
    w("")

    tests = [c for c in t.other if c.get("kind") == "test"]
    if tests:
        w("## OpenCL tests on the device")
        w("")
        w("| test | result | seconds |")
        w("|---|---|---:|")
        for c in tests:
            w(f"| {c.get('name')} | {c['status']} | {c.get('seconds', 0):.1f} |")
        w("")

    w("## Full-batch epoch: median ms per epoch")
    w("")
    w("logreg: `logreg bench --device opencl --gemm MODE` (its JSON's ms_per_epoch_median); read "
      "floor (logreg): the device read kernel of `logreg bench` over an X-sized buffer (median "
      "over the shape's runs), the device copy beside it; PyTorch: `bench/peers.py --device "
      "cuda` (float32, TF32 off, CUDA events): X.sum() as its read floor, the explicit epoch "
      "eager and under torch.compile, nn.Linear + autograd + SGD.")
    w("")
    w("| shape N x D x K | " + " | ".join(f"`{m}`" for m in MODES)
      + " | read floor (logreg) | device copy (logreg) | read floor (torch X.sum) "
      "| PyTorch eager | torch.compile | nn.Linear+autograd |")
    w("|---|" + "---:|" * (len(MODES) + 6))
    for s, label in t.shapes:
        fl = t.floor_ms(s)
        cp = median(t.floors(s, "copy_floor_ms"))
        row = [label] + [t.lr_cell(s, m) for m in MODES]
        if fl is None and t.host_floor(s)[0] is not None:
            hf, kind = t.host_floor(s)
            row += [f"{fmt_ms(hf)} ({kind})", "-"]
        else:
            row += [fmt_ms(fl), fmt_ms(cp)]
        row += [t.peer_cell(s, p) for p in PEERS]
        w("| " + " | ".join(row) + " |")
    w("")
    epochs = "; ".join(
        f"{label}: " + ", ".join(f"{m} {t.logreg[(s, m)]['results'][0].get('epochs')}"
                                 for m in MODES if t.lr_ms(s, m) is not None)
        for s, label in t.shapes if any(t.lr_ms(s, m) is not None for m in MODES))
    if epochs:
        w(f"logreg epochs per cell (timed, after {machine.get('warmup', '2')} warm-up): "
          f"{epochs}.")
    pe = sorted({(r.get("epochs"), r.get("warmup")) for c in cells if c.get("kind") == "peers"
                 for r in c["results"] if "error" not in r})
    if pe:
        w("peers.py epochs: " + ", ".join(f"{e} timed after {wu} warm-up" for e, wu in pe) + ".")
    if epochs or pe:
        w("")

    w("## Ratios (issue 10's goals)")
    w("")
    w("| shape | best logreg | best / read floor (logreg) | best / read floor (torch) "
      "| PyTorch eager / logreg auto | torch.compile / logreg auto | PyTorch eager / best logreg |")
    w("|---|---|---:|---:|---:|---:|---:|")
    for s, label in t.shapes:
        bms, bmode = t.best(s)
        auto = t.lr_ms(s, "auto")
        eager, comp = t.peer_ms(s, "torch"), t.peer_ms(s, "torch-compile")
        w(f"| {label} | {fmt_ms(bms) + ' (' + bmode + ')' if bmode else '-'} "
          f"| {goal(ratio(bms, t.floor_ms(s)), lambda v: v <= 1.5)} "
          f"| {fmt_ratio(ratio(bms, t.peer_ms(s, 'read-floor')))} "
          f"| {goal(ratio(eager, auto), lambda v: v >= 3)} "
          f"| {goal(ratio(comp, auto), lambda v: v >= 2)} "
          f"| {fmt_ratio(ratio(eager, bms))} |")
    w("")
    w("Goals: best logreg <= 1.5x the read floor; PyTorch eager / logreg auto >= 3x; "
      "torch.compile / logreg auto >= 2x; mini-batch Adam (below) >= 10x.")
    w("")

    adam = {c.get("mode"): c for c in t.other if c.get("kind") in ("adam-logreg", "adam-peers")}
    if adam:
        w("## Mini-batch Adam on Fashion-MNIST (60000 x 784 x 10, batch 256, lr 1e-3)")
        w("")
        lo, hi = adam.get("logreg-lo"), adam.get("logreg-hi")
        lr_ms = None
        if lo and hi and lo["status"] == "ok" and hi["status"] == "ok":
            a, b = lo["results"][0], hi["results"][0]
            if b.get("epochs", 0) > a.get("epochs", 0):
                lr_ms = (b["seconds"] - a["seconds"]) / (b["epochs"] - a["epochs"]) * 1e3
            w(f"- logreg (`logreg train ... --optimizer adam --batch-size 256 --lr 0.001 "
              f"--split 1,0,0 --device opencl`): --epochs {a['epochs']} took {a['seconds']:.3f} "
              f"s, --epochs {b['epochs']} {b['seconds']:.3f} s (each with its setup and the "
              f"per-epoch evaluation of the training loss); their difference per epoch: "
              f"**{fmt_ms(lr_ms)} ms per epoch**; train accuracy {b['train']['accuracy']:.4f}; "
              f"device `{b.get('device', '-')}`")
        else:
            w("- logreg: " + ", ".join(f"{k}: {c['status']}" for k, c in sorted(adam.items())
                                      if k.startswith("logreg")))
        pc = adam.get("peers")
        prec = next((r for r in (pc or {}).get("results", []) if "error" not in r), None)
        if prec:
            w(f"- PyTorch idiomatic loop (`bench/peers.py --device cuda --fashion --peers "
              f"adam-minibatch`: nn.Linear, F.cross_entropy, torch.optim.Adam, randperm batches "
              f"on the GPU): **{fmt_ms(prec['ms_per_epoch_median'])} ms per epoch** (median of "
              f"{prec['epochs']}; {prec['timed_seconds']:.3f} s for those epochs)")
        else:
            w(f"- PyTorch idiomatic loop: {pc['status'] if pc else 'not run'}")
        pms = prec["ms_per_epoch_median"] if prec else None
        w(f"- PyTorch / logreg: {goal(ratio(pms, lr_ms), lambda v: v >= 10)}")
        w("")

    cv = {c.get("mode"): c for c in t.other if c.get("kind") == "cv" and c["status"] == "ok"}
    if cv:
        w("## Cross-validation grid (`logreg train --cv 5`, 5 values of C: 25 models per pass)")
        w("")
        w("| backend | rows x features x classes | grid seconds | passes | ms per pass | device |")
        w("|---|---|---:|---:|---:|---|")
        per = {}
        for m in ("cpu", "opencl"):
            c = cv.get(m)
            if not c:
                continue
            g = c["results"][0].get("cv", {})
            if g.get("passes"):
                per[m] = g["seconds"] / g["passes"] * 1e3
            w(f"| {m} | {c.get('n')} x {c.get('d')} x {c.get('k')} | {g.get('seconds', 0):.3f} "
              f"| {g.get('passes', '-')} | {fmt_ms(per.get(m))} | {g.get('device', '-')} |")
        w("")
        w(f"- cpu / opencl per pass: {fmt_ratio(ratio(per.get('cpu'), per.get('opencl')))} "
          f"(grid seconds / passes: the set-up, preprocessing and device program included)")
        w("")

    notes = []
    for c in cells:
        if c.get("status") in ("ok", "passed"):
            continue
        what = " ".join(str(c.get(k)) for k in ("kind", "label", "mode", "peers", "name")
                        if c.get(k))
        errs = [f"{r.get('peer')}: {r['error']}" for r in c.get("results", []) if "error" in r]
        why = c.get("reason") or ("" if errs or not c.get("stderr_tail") else c["stderr_tail"][-1])
        notes.append(f"- {what}: **{c['status']}**" + (f" ({c.get('seconds', 0):.0f} s, limit "
                                                        f"{c.get('timeout_s', 0):.0f} s)"
                                                        if c["status"] == "timeout" else "")
                     + (f": {why}" if why else "") + ("; " + "; ".join(errs) if errs else ""))
    if notes:
        w("## Cells without a number")
        w("")
        L.extend(notes)
        w("")
    devs = sorted({c["results"][0].get("device") for c in cells
                   if c.get("kind") == "logreg" and c["status"] == "ok"} - {None})
    if devs:
        w("Devices as `logreg bench` named them (the GEMM path in brackets): "
          + "; ".join(f"`{d}`" for d in devs) + ".")
        w("")
    w("## Commands")
    w("")
    w("```")
    for c in cells:
        if c.get("cmd"):
            w(c["cmd"])
    w("```")
    text = "\n".join(L) + "\n"
    with open(out_md, "w") as f:
        f.write(text)
    if table:
        print_table(t, smoke)


def print_table(t, smoke):
    cols = ("shape", "auto", "best (mode)", "read floor", "best/floor", "torch eager",
            "compile", "eager/auto")
    rows = []
    for s, label in t.shapes:
        bms, bmode = t.best(s)
        fl = t.floor_ms(s)
        if fl is None:
            fl = t.host_floor(s)[0]
        rows.append((label, t.lr_cell(s, "auto"),
                     f"{fmt_ms(bms)} ({bmode})" if bmode else "-", fmt_ms(fl),
                     fmt_ratio(ratio(bms, fl)), t.peer_cell(s, "torch"),
                     t.peer_cell(s, "torch-compile"),
                     fmt_ratio(ratio(t.peer_ms(s, "torch"), t.lr_ms(s, "auto")))))
    wid = [max(len(str(r[i])) for r in rows + [cols]) for i in range(len(cols))]
    print(("SMOKE RUN (not GPU results): " if smoke else "") + "median ms per full-batch epoch")
    for r in [cols] + rows:
        print("  ".join(str(v).rjust(wid[i]) if i else str(v).ljust(wid[i])
                        for i, v in enumerate(r)))


def main(argv):
    if len(argv) >= 2 and argv[1] == "cell":
        cell(argv[2:])
        return 0
    if len(argv) >= 4 and argv[1] == "render":
        render(argv[2], argv[3], "--table" in argv[4:])
        return 0
    print(__doc__.split("\n\n")[0], file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
