#!/usr/bin/env bash
# examples.sh: runs every example of README.md and docs/*.md and checks that the output the
# page shows is what the command prints today, so that no example goes stale silently
# (tests/CMakeLists.txt runs it as the test `docs_examples`).
#
#   bash docs/examples.sh [--update] [--build DIR | --installed] [FILE.md ...]
#
# An example is an HTML comment line `<!-- example: NAME [FLAGS] -->`, then a fenced block of
# commands (a leading `$ ` is dropped; `\` continues a line, as in a shell), then the fenced
# block of what they print (stdout and stderr together). The examples of one page run in
# order, in one scratch folder of their own holding links to the repository's top-level
# entries (so `data/` and `bench/` are there, and new files land in the scratch folder) and a
# copy of `python/` (which `pip install ./python` builds in), with DIR (default build/) first
# on PATH, `logreg` meaning DIR/logreg, the package in python/ first on PYTHONPATH (a venv's
# python too), an empty path cache and HOME in the scratch folder. With --installed,
# as a user after `scripts/main.sh`: `logreg` and python3 are whatever PATH finds, and nothing
# points into the repository's build (.ci/fresh-debian.sh runs the README so).
#
# The comparison ignores what differs between runs and machines and nothing else: durations
# (`0.94s`, `12.3 ms`, JSON's `"seconds": 0.05`), the native kernels' instruction set (AVX-512, AVX2, generic C), and
# digits past the 9th significant one of long decimals. A line `...` in the shown output
# stands for any number of lines. FLAGS: `machine` (the output is a measurement of the
# machine, such as `logreg devices`: the commands must succeed, the output is not compared),
# `needs=CMD` (skipped, and said so, where CMD is not installed; `needs=py:MODULE`: where
# python3 cannot import MODULE). An example that writes into the repository's docs/ or data/
# (a picture of the docs overwritten, say) is a failure.
#
# --update writes each example's output into its page (keeping a `...` line where the page
# has one: the lines before and after it are refreshed). Exit status: 0 when every example
# ran and matched, 1 on a mismatch or a failed command, 77 when none failed but some were
# skipped.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
exec python3 - "$root" "$@" <<'PY'
import os, re, shutil, subprocess, sys, tempfile

root = sys.argv[1]
args = sys.argv[2:]
update = False
installed = False
build = os.path.join(root, "build")
pages = []
while args:
    a = args.pop(0)
    if a == "--update":
        update = True
    elif a == "--installed":
        installed = True
    elif a == "--build" and args:
        build = os.path.abspath(args.pop(0))
    elif a.startswith("-"):
        sys.exit("examples.sh: unknown option %s (usage: examples.sh [--update] [--build DIR | --installed] [FILE.md ...])" % a)
    else:
        pages.append(os.path.abspath(a))
if not pages:
    pages = [os.path.join(root, "README.md")] + sorted(
        os.path.join(root, "docs", f) for f in os.listdir(os.path.join(root, "docs")) if f.endswith(".md"))
if not installed and not os.access(os.path.join(build, "logreg"), os.X_OK):
    sys.exit("examples.sh: no %s/logreg: build first (bash scripts/build.sh) or pass --build DIR" % build)

MARK = re.compile(r"<!-- example: *([\w.-]+)((?: +[\w=.:-]+)*) *-->")


def fences(lines, i):
    """The fenced block starting at or after line i: (first content line, end line) or None."""
    while i < len(lines) and not lines[i].startswith("```"):
        if lines[i].strip():
            return None
        i += 1
    if i == len(lines):
        return None
    j = i + 1
    while j < len(lines) and not lines[j].startswith("```"):
        j += 1
    return (i + 1, j) if j < len(lines) else None


def parse(path):
    lines = open(path).read().split("\n")
    out = []
    for n, line in enumerate(lines):
        m = MARK.fullmatch(line.strip())
        if not m:
            if line.strip().startswith("<!-- example:"):
                sys.exit("%s:%d: not an example mark (<!-- example: NAME [FLAGS] -->): %s"
                         % (path, n + 1, line.strip()))
            continue
        cmd = fences(lines, n + 1)
        shown = fences(lines, cmd[1] + 1) if cmd else None
        if not cmd or not shown:
            sys.exit("%s:%d: example %s: a block of commands and a block of output must follow"
                     % (path, n + 1, m.group(1)))
        flags = m.group(2).split()
        out.append({"name": m.group(1), "line": n + 1, "flags": flags, "cmd": cmd, "shown": shown})
    return lines, out


def commands(lines, blk):
    text = []
    for l in lines[blk[0]:blk[1]]:
        text.append(l[2:] if l.startswith("$ ") else l)
    return "\n".join(text) + "\n"


def norm(text):
    out = []
    for l in text.split("\n"):
        l = re.sub(r"AVX-512|AVX2 \+ FMA|AVX2|generic C", "<isa>", l)
        l = re.sub(r"\b\d+(\.\d+)?(e[-+]?\d+)? ?(s|ms)\b", "<t>", l)
        l = re.sub(r'("\w*seconds\w*"): *[-+0-9.e]+', r'\1: <t>', l)
        l = re.sub(r"-?\d+\.\d{9,}(e[-+]?\d+)?", lambda m: "%.9g" % float(m.group()), l)
        out.append(l.rstrip())
    while out and not out[-1]:
        out.pop()
    return out


def matches(shown, got):
    pat = "".join("(?:.*\n)*?" if l.strip() == "..." else re.escape(l) + "\n" for l in shown)
    return re.fullmatch(pat, "".join(l + "\n" for l in got)) is not None


def refreshed(shown, got):
    dots = [i for i, l in enumerate(shown) if l.strip() == "..."]
    if not dots:
        return got
    if len(dots) > 1:
        return None  # several elisions: edit the page by hand
    a, b = dots[0], len(shown) - dots[0] - 1
    return got[:a] + ["..."] + (got[len(got) - b:] if b else [])


def snapshot():
    """Every file under docs/ and data/ with its size and modification time."""
    out = {}
    for d in ("docs", "data"):
        for base, _, files in os.walk(os.path.join(root, d)):
            for f in files:
                st = os.stat(os.path.join(base, f))
                out[os.path.join(base, f)] = (st.st_size, st.st_mtime_ns)
    return out


failed = skipped = ran = 0
before = snapshot()
for page in pages:
    lines, exs = parse(page)
    if not exs:
        continue
    rel = os.path.relpath(page, root)
    work = tempfile.mkdtemp(prefix="logreg-examples-")
    try:
        for e in os.listdir(root):
            if not e.startswith(".") and not e.startswith("build"):
                if e == "python":  # a copy: `pip install ./python` builds inside the folder
                    shutil.copytree(os.path.join(root, e), os.path.join(work, e), ignore=shutil.ignore_patterns(
                        "build", "dist", "*.egg-info", "__pycache__", "liblogreg.so*"))
                else:
                    os.symlink(os.path.join(root, e), os.path.join(work, e))
        env = dict(os.environ)
        env.update(HOME=work, LOGREG_PATH_CACHE=os.path.join(work, "paths.tsv"), LC_ALL="C.UTF-8",
                   COLUMNS="100")
        if installed:
            py = shutil.which("python3")
        else:
            # python3 is Debian's (numpy, scikit-learn) unless LOGREG_PYTHON names another, as
            # in tests/python_package.sh
            py = os.environ.get("LOGREG_PYTHON") or (
                "/usr/bin/python3" if os.access("/usr/bin/python3", os.X_OK) else shutil.which("python3"))
            os.mkdir(os.path.join(work, ".bin"))
            if py:
                os.symlink(py, os.path.join(work, ".bin", "python3"))
            env.update(PATH=os.pathsep.join([build, os.path.join(work, ".bin"), env.get("PATH", "")]),
                       PYTHONPATH=os.path.join(root, "python"),
                       LOGREG_LIBRARY=os.environ.get("LOGREG_LIBRARY") or os.path.join(build, "liblogreg.so.0"))
        env.pop("LOGREG_DEVICE", None)
        edits = []
        for ex in exs:
            where = "%s:%d (%s)" % (rel, ex["line"], ex["name"])
            need = [f.split("=", 1)[1] for f in ex["flags"] if f.startswith("needs=")]
            if any(subprocess.run([py or "python3", "-c", "import " + c[3:]], capture_output=True).returncode
                   if c.startswith("py:") else shutil.which(c) is None for c in need):
                print("skip  %s: no %s" % (where, ", ".join(need)))
                skipped += 1
                continue
            r = subprocess.run(["bash", "-eo", "pipefail", "-c", commands(lines, ex["cmd"])], cwd=work,
                               env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                               timeout=600)
            ran += 1
            got_raw = r.stdout.rstrip("\n").split("\n")
            if r.returncode != 0:
                print("FAIL  %s: exit status %d\n%s" % (where, r.returncode, r.stdout[-3000:]))
                failed += 1
                continue
            if "machine" in ex["flags"]:
                print("ok    %s (ran; the output is the machine's, not compared)" % where)
                continue
            shown_raw = lines[ex["shown"][0]:ex["shown"][1]]
            if matches(norm("\n".join(shown_raw)), norm(r.stdout)):
                print("ok    %s" % where)
                continue
            if update:
                new = refreshed(shown_raw, got_raw)
                if new is None:
                    print("FAIL  %s: several '...' lines; update it by hand:\n%s" % (where, r.stdout))
                    failed += 1
                else:
                    edits.append((ex["shown"], new))
                    print("upd   %s" % where)
                continue
            import difflib
            d = difflib.unified_diff(norm("\n".join(shown_raw)), norm(r.stdout), "shown", "printed",
                                     lineterm="", n=2)
            print("FAIL  %s: the output differs (normalized):\n%s" % (where, "\n".join(d)))
            failed += 1
        if edits:
            for (a, b), new in sorted(edits, reverse=True):
                lines[a:b] = new
            with open(page + ".tmp", "w") as f:
                f.write("\n".join(lines))
            os.replace(page + ".tmp", page)
    finally:
        shutil.rmtree(work, ignore_errors=True)
after = snapshot()
for f in sorted(set(before) | set(after)):
    if before.get(f) != after.get(f) and not (update and f in pages):
        print("FAIL  an example wrote into the repository: %s" % os.path.relpath(f, root))
        failed += 1
print("examples: %d ran, %d failed, %d skipped" % (ran, failed, skipped))
sys.exit(1 if failed else 77 if skipped else 0)
PY
