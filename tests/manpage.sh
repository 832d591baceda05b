#!/usr/bin/env bash
# manpage.sh: the manual page logreg.1 (written by cmake/manpage.py) agrees with --help.
#   $1 the logreg binary, $2 the page (build/logreg.1).
# Checks: man renders the page with every groff warning on and prints none; it has the usual
# sections; for every command of `logreg --help`, and every subcommand a command's help points
# to ('logreg plot loss --help'), the page has a subsection "logreg CMD" whose options are
# exactly those of `logreg CMD --help`, each with its help text word for word; every LOGREG_
# variable a help names is in ENVIRONMENT. The commands and options are read here from --help
# on their own, not through the generator, so a page that lost or gained an option fails.
. "$(dirname "$0")/lib.sh"
PAGE=${2:?usage: manpage.sh path/to/logreg path/to/logreg.1}
command -v man > /dev/null || { echo "SKIP: man not installed (man-db)" >&2; exit 77; }
[ -s "$PAGE" ] || { fail "no page at $PAGE"; finish; }

# man-db's seccomp sandbox cannot start in some containers; rendering a local file needs none.
LC_ALL=C.UTF-8 MANWIDTH=100 MAN_DISABLE_SECCOMP=1 man --warnings=w -l "$PAGE" > "$WORK/page.txt" \
  2> "$WORK/warnings" || fail "man -l exited $?: $(cat "$WORK/warnings")"
[ -s "$WORK/warnings" ] && fail "man -l warns: $(head -5 "$WORK/warnings")" \
  || pass "man -l renders the page without a warning ($(wc -l < "$WORK/page.txt") lines)"

python3 - "$LOGREG" "$WORK/page.txt" << 'PY' || fail "the page disagrees with --help (above)"
import re, subprocess, sys

logreg, page = sys.argv[1], open(sys.argv[2], encoding="utf-8").read()
bad = []

def helptext(words):
    run = subprocess.run([logreg, *words, "--help"], capture_output=True, text=True)
    if run.returncode != 0:
        sys.exit(f"logreg {' '.join(words)} --help exited {run.returncode}")
    return run.stdout

def norm(s):
    return " ".join(s.split())

# The sections of the rendered page: a heading starts in column 0, a subsection in column 3.
sections = dict(re.findall(r"^([A-Z][A-Z ]+)\n(.*?)(?=^\S|\Z)", page, flags=re.M | re.S))
for name in ["NAME", "SYNOPSIS", "DESCRIPTION", "COMMANDS", "ENVIRONMENT", "EXIT STATUS",
             "FILES", "SEE ALSO"]:
    if name not in sections:
        bad.append(f"no {name} section")
subsections = dict(re.findall(r"^   (logreg [a-z ]+)\n(.*?)(?=^ {0,3}\S|\Z)", page,
                              flags=re.M | re.S))

# Commands: the first word of each line of the top help's "commands:" list, then the
# subcommands a command's help names.
top = helptext([]).split("\n\n")
listing = next(b for b in top if b.startswith("commands:"))
todo = [[line.split()[0]] for line in listing.splitlines()[1:]]
seen, envvars = [], set()
while todo:
    words = todo.pop(0)
    seen.append(words)
    text = helptext(words)
    for sub in re.findall(r"'logreg ([a-z ]+?) --help'", text):
        if sub.split()[:len(words)] == words and sub.split() != words:
            todo.append(sub.split())
    name = "logreg " + " ".join(words)
    if name not in subsections:
        bad.append(f"no subsection {name!r}")
        continue
    block = subsections[name]
    options = re.findall(r"^  (--[a-z0-9-]+)((?: \S+)?) +(.*)$", text, flags=re.M)
    envvars |= set(re.findall(r"\b(LOGREG_[A-Z0-9_]+)", text))
    # Each option as a tag ("--lr RATE", on a line of its own or, when short, beginning the
    # line of its text) with its help text after it.
    for opt, meta, helps in options:
        tag = re.search(rf"^ +{re.escape(opt + meta)}(?: +|$)", block, flags=re.M)
        if not tag:
            bad.append(f"{name}: no {opt + meta} in the page")
        elif norm(block[tag.end():].split("\n\n")[0]) != norm(helps):  # up to the blank line
            bad.append(f"{name}: {opt}'s text differs from --help: {helps!r}")
    # And no option in the page that --help does not have.
    extra = set(re.findall(r"^ {7}(--[a-z0-9-]+)", block, flags=re.M)) - {o[0] for o in options}
    if extra:
        bad.append(f"{name}: in the page, not in --help: {sorted(extra)}")
    print(f"ok: {name}: {len(options)} options", file=sys.stderr)
for var in sorted(envvars):
    if not re.search(rf"^ {{7}}{var}$", sections.get("ENVIRONMENT", ""), flags=re.M):
        bad.append(f"ENVIRONMENT lacks {var}")
print(f"ok: {len(seen)} commands, {len(envvars)} environment variables", file=sys.stderr)
for b in bad:
    print("FAIL:", b, file=sys.stderr)
sys.exit(1 if bad else 0)
PY
finish
