#!/usr/bin/python3
"""sparse_debian.py: a real sparse text data set from material on any Debian machine: the
package records of the apt lists, as a hashed bag of words in LIBSVM format, labelled by the
package's Section. Standard library only (lz4 is the `lz4` command, Debian package `lz4`).

Usage: /usr/bin/python3 bench/sparse_debian.py OUT.svm [--labels sections|binary]
           [--sections 16] [--bits 18] [--lists 'GLOB']

  OUT.svm      where to write the LIBSVM file (labels then index:value, 1-based, increasing)
  --labels     sections (default): the --sections most common sections, one class each
               (0 = the most common, ...), the other packages left out;
               binary: the same packages, label 1 for the library sections (libs, libdevel),
               0 for the others (LIBLINEAR -s 0 is one-vs-rest for more classes: a different
               model, so its comparison uses this labelling)
  --bits B     hash buckets 2^B (default 18: 262144 features)
  --lists G    the apt lists (default /var/lib/apt/lists/*_Packages.lz4; plain `Packages`
               files are read too)

How the file is built (deterministic for the same apt lists; they change with
`apt-get update`, so the counts printed at the end identify the version measured):
1. Every record of every list (files in sorted order; `lz4 -dc` for .lz4). A package name seen
   in several lists (bookworm, -updates, -security) keeps its record from the last list in that
   order; packages are then sorted by name.
2. Text: the short Description (the Packages lists hold only that line; the long descriptions
   live in the Translation files, not downloaded here), the package name split on `-` `.` `+`,
   the Depends/Pre-Depends/Recommends/Suggests package names (versions dropped) and the Tag
   values. Tokens are lowercase runs of [a-z0-9+] (package names and tags whole), prefixed by
   their field (`d:`, `n:`, `dep:`, `tag:`) so the same word in two fields is two features.
3. Feature of a token = FNV-1a 32-bit of its UTF-8 bytes mod 2^B, plus 1; value = the count of
   tokens of the row in that bucket (term frequency, no normalisation: the trainers scale).
   Rows are written in package order; a package with no token is written with its label only.

Prints one line: N, D (2^B: the largest index present may be smaller), nnz, mean nnz per row,
classes with their counts.
"""
import collections
import glob
import re
import subprocess
import sys

LIB_SECTIONS = {"libs", "libdevel"}
WORD = re.compile(r"[a-z0-9+]+")


def fnv1a(s):
    h = 0x811C9DC5
    for b in s.encode("utf-8"):
        h ^= b
        h = (h * 0x01000193) & 0xFFFFFFFF
    return h


def records(path):
    if path.endswith(".lz4"):
        text = subprocess.run(["lz4", "-dc", path], check=True, capture_output=True).stdout
    else:
        with open(path, "rb") as f:
            text = f.read()
    rec, last = {}, None
    for line in text.decode("utf-8", "replace").split("\n"):
        if not line.strip():
            if rec:
                yield rec
            rec, last = {}, None
        elif line[0] in " \t":
            if last:
                rec[last] += " " + line.strip()
        else:
            k, _, v = line.partition(":")
            last = k
            rec[k] = v.strip()
    if rec:
        yield rec


def tokens(rec):
    out = []
    out += ["d:" + w for w in WORD.findall(rec.get("Description", "").lower())]
    out += ["n:" + w for w in re.split(r"[-.+]", rec["Package"].lower()) if w]
    for field in ("Depends", "Pre-Depends", "Recommends", "Suggests"):
        for alt in rec.get(field, "").split(","):
            for dep in alt.split("|"):
                name = dep.strip().split(" ")[0].split(":")[0].lower()
                if name:
                    out.append("dep:" + name)
    out += ["tag:" + t.strip().lower() for t in rec.get("Tag", "").split(",") if t.strip()]
    return out


def main():
    args = sys.argv[1:]
    labels, nsec, bits = "sections", 16, 18
    lists = "/var/lib/apt/lists/*_Packages.lz4"
    out = None
    i = 0
    while i < len(args):
        a = args[i]
        if a in ("--labels", "--sections", "--bits", "--lists") and i + 1 < len(args):
            v = args[i + 1]
            if a == "--labels":
                labels = v
            elif a == "--sections":
                nsec = int(v)
            elif a == "--bits":
                bits = int(v)
            else:
                lists = v
            i += 2
        elif out is None and not a.startswith("--"):
            out, i = a, i + 1
        else:
            sys.exit(__doc__)
    if out is None or labels not in ("sections", "binary"):
        sys.exit(__doc__)
    paths = sorted(glob.glob(lists)) or sorted(glob.glob(lists.replace(".lz4", "")))
    if not paths:
        sys.exit(f"sparse_debian.py: no apt lists match {lists}: run apt-get update")
    pkgs = {}
    for p in paths:
        for rec in records(p):
            if "Package" in rec and "Section" in rec:
                pkgs[rec["Package"]] = rec
    sec = lambda r: r["Section"].split("/")[-1]  # "contrib/net" -> "net"
    counts = collections.Counter(sec(r) for r in pkgs.values())
    top = [s for s, _ in sorted(counts.items(), key=lambda t: (-t[1], t[0]))[:nsec]]
    cls = {s: c for c, s in enumerate(top)}
    mask = (1 << bits) - 1
    n = nnz = 0
    per = collections.Counter()
    with open(out, "w") as f:
        for name in sorted(pkgs):
            r = pkgs[name]
            s = sec(r)
            if s not in cls:
                continue
            y = cls[s] if labels == "sections" else int(s in LIB_SECTIONS)
            h = collections.Counter((fnv1a(t) & mask) + 1 for t in tokens(r))
            f.write(str(y) + "".join(f" {j}:{h[j]}" for j in sorted(h)) + "\n")
            n += 1
            nnz += len(h)
            per[y] += 1
    names = top if labels == "sections" else ["other", "libs+libdevel"]
    print(f"N={n} D={1 << bits} nnz={nnz} nnz_per_row={nnz / max(n, 1):.1f} classes={len(per)} "
          + " ".join(f"{c}:{names[c]}={per[c]}" for c in sorted(per)) + f" lists={len(paths)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
