#!/usr/bin/env python3
"""manpage.py: writes the manual page logreg.1 from the built binary's --help outputs.

    python3 cmake/manpage.py build/logreg build/logreg.1

Every command, synopsis and option in the page is read from `logreg --help` and from
`logreg CMD --help` (and `logreg CMD SUB --help` for the subcommands a help names, such as
`plot loss`), so the page cannot say anything about the options that --help does not: CMake
runs this after each build of logreg_cli (CMakeLists.txt), and tests/manpage.sh renders the
page and checks every option of every --help in it. The few sections that --help has no
counterpart for (DESCRIPTION, EXIT STATUS, FILES, SEE ALSO) are the fixed text below.

Standard library only: python3 is in scripts/deps.sh, and CMake requires it for this page.
"""
import re
import subprocess
import sys

# An option line of a command's help (host/cli/args.c, args_print_help): two spaces, the
# option and its metavariable, padding to column 29, the help text.
OPTION = re.compile(r"^  (-[-\w]+)((?: [^ ]+)?)\s+(.*)$")
# A definition line (the top-level command list, plot's kinds): a word, 2+ spaces, the text.
ITEM = re.compile(r"^  (\S.*?)\s{2,}(\S.*)$")
# The subcommand helps a help points to: "Run 'logreg plot loss --help'".
SUBHELP = re.compile(r"'logreg ([a-z][a-z ]*?) --help'")
# The environment variables the options name: "(LOGREG_THREADS)", "(LOGREG_OPENCL_FP64=0)".
ENVVAR = re.compile(r"\b(LOGREG_[A-Z0-9_]+)(=\S+?)?[);]")

DESCRIPTION = (
    "logreg trains binary (sigmoid) and multinomial (softmax) logistic regression on CSV, "
    "LIBSVM and IDX data, on an OpenCL device (a GPU, or the CPU through PoCL) or on the "
    "native CPU backend, and predicts, evaluates and plots with the model it saves (JSON). "
    "With no --optimizer, train minimizes what scikit-learn's LogisticRegression() does "
    "(full-batch L-BFGS, C = 1, a tolerance on the gradient)."
)
EXIT_STATUS = [
    ("0", "success (and for --help)."),
    ("1", "bad input, failed training or an I/O error; one line "
          "\"logreg: error: ...\" on standard error names the file, line and column "
          "(or the option) at fault. No partial output file is left behind."),
    ("2", "a bad command line (an unknown command or option, a malformed value)."),
    ("130, 143", "train stopped by SIGINT or SIGTERM (128 + the signal); the model is not "
                 "written, a --checkpoint is."),
]
PATH_CACHE = (
    "where train and bench keep the OpenCL evaluation paths that --gemm auto measured "
    "(default $XDG_CACHE_HOME/logreg/paths.tsv, else ~/.cache/logreg/paths.tsv); "
    "empty: measure every time and keep nothing."
)


def helptext(binary, args):
    """The standard output of `binary ARGS --help`, which must exit 0."""
    run = subprocess.run([binary, *args, "--help"], capture_output=True, text=True)
    if run.returncode != 0:
        sys.exit(f"manpage.py: {' '.join(['logreg', *args, '--help'])} exited "
                 f"{run.returncode}: {run.stderr.strip()}")
    return run.stdout


def esc(text):
    """Text as roff: backslashes escaped, minus signs as \\- (so that options copy as typed),
    and a leading period or quote made literal."""
    text = text.replace("\\", "\\e").replace("-", "\\-")
    return "\\&" + text if text[:1] in (".", "'") else text


def parse(text):
    """A command's help: (usage lines, [(option, meta, help)], [(term, text)], [paragraphs])."""
    usage, options, items, paras = [], [], [], []
    for line in text.splitlines():
        if line.startswith("usage: "):
            usage.append(line[len("usage: "):].strip())
        elif usage and line.startswith("       logreg "):  # a second usage line, aligned
            usage.append(line.strip())
        elif m := OPTION.match(line):
            options.append((m.group(1), m.group(2).strip(), m.group(3)))
        elif m := ITEM.match(line):
            items.append((m.group(1), m.group(2)))
        elif line.strip() and line.strip() != "options:" and not SUBHELP.search(line):
            paras.append(line.strip())
    return usage, options, items, paras


def commands(binary):
    """[(name words, help text)] for every command and subcommand, depth first."""
    top = helptext(binary, [])
    out = []

    def visit(words):
        text = helptext(binary, words)
        out.append((words, text))
        for sub in SUBHELP.findall(text):
            if sub.split() != words and sub.split()[: len(words)] == words:
                visit(sub.split())

    in_list = False
    for line in top.splitlines():
        if line.strip() == "commands:":
            in_list = True
        elif in_list and (m := ITEM.match(line)):
            visit([m.group(1).split()[0]])
        elif in_list and not line.strip():
            in_list = False
    return top, out


def usage_lines(usage):
    """Synopsis lines: the command words bold, the rest as written."""
    lines = []
    for u in usage:
        words = u.split(" ")
        n = 1
        while n < len(words) and re.fullmatch(r"[a-z]+", words[n]):
            n += 1
        lines.append(f"\\fB{esc(' '.join(words[:n]))}\\fR {esc(' '.join(words[n:]))}".rstrip())
    return lines


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: manpage.py path/to/logreg OUT.1")
    binary, out_path = sys.argv[1], sys.argv[2]
    run = subprocess.run([binary, "--version"], capture_output=True, text=True, check=True)
    version = run.stdout.strip()  # "logreg 0.1.0"
    top, cmds = commands(binary)
    top_usage, _, top_items, _ = parse(top)
    summary = {term.split()[0]: text for term, text in top_items}

    r = []
    r.append('.\\" logreg.1: generated from the --help outputs of ' + version +
             ' by cmake/manpage.py; do not edit.')
    r.append(f'.TH LOGREG 1 "" "{version}" "User Commands"')
    r.append(".nh")  # no hyphenation, and ragged right: options and values stay whole
    r.append(".ad l")
    r.append(".SH NAME")
    r.append("logreg \\- train, evaluate and apply logistic-regression models")
    r.append(".SH SYNOPSIS")
    r.append(".nf")
    r += usage_lines(top_usage)
    for words, text in cmds:
        if words and len(words) == 1:
            r += usage_lines(parse(text)[0])
    r.append("\\fBlogreg\\fR \\-\\-help | \\-\\-version")
    r.append("\\fBlogreg\\fR \\fICOMMAND\\fR \\-\\-help")
    r.append(".fi")
    r.append(".SH DESCRIPTION")
    r.append(esc(DESCRIPTION))
    r.append(".PP")
    r.append("The commands:")
    for term, text in top_items:
        r.append(".TP")
        r.append(f"\\fB{esc(term)}\\fR")
        r.append(esc(text))

    r.append(".SH COMMANDS")
    r.append(esc("Each command's options, as its --help prints them."))
    env = {}  # variable -> [(command, option, value, help)]
    for words, text in cmds:
        usage, options, items, paras = parse(text)
        name = " ".join(words)
        r.append(f'.SS "logreg {esc(name)}"')
        if len(words) == 1 and words[0] in summary:
            r.append(esc(summary[words[0]][:1].upper() + summary[words[0]][1:]) + ".")
        r.append(".PP")
        r.append(".nf")
        r += usage_lines(usage)
        r.append(".fi")
        for p in paras:
            r.append(".PP")
            r.append(esc(p))
        for term, desc in items:
            r.append(".TP")
            r.append(f"\\fB{esc(term)}\\fR")
            r.append(esc(desc))
        for opt, meta, desc in options:
            r.append(".TP")
            r.append(f"\\fB{esc(opt)}\\fR" + (f" \\fI{esc(meta)}\\fR" if meta else ""))
            r.append(esc(desc))
            for m in ENVVAR.finditer(desc):
                env.setdefault(m.group(1), []).append((name, opt, m.group(2) or "", desc))

    r.append(".SH ENVIRONMENT")
    r.append("A command-line option overrides the variable that sets the same thing.")
    for var in sorted(env):
        uses = env[var]
        opt, value, desc = uses[0][1], uses[0][2], uses[0][3]
        where = ", ".join(dict.fromkeys(u[0] for u in uses))
        r.append(".TP")
        r.append(f"\\fB{esc(var)}\\fR")
        what = f"{var}{value} is" if value else "The default of"
        # The help's own mention of the variable, "(VAR)" or "; VAR", is redundant here.
        named = re.escape(var + value)
        desc = re.sub(rf"\s*\({named}\)|; {named}(?=\))", "", desc)
        r.append(esc(f"{what} {opt} ({where}): {desc}."))
    r.append(".TP")
    r.append("\\fBLOGREG_PATH_CACHE\\fR")
    r.append(esc("The file " + PATH_CACHE))
    r.append(".SH EXIT STATUS")
    for code, text in EXIT_STATUS:
        r.append(".TP")
        r.append(f"\\fB{esc(code)}\\fR")
        r.append(esc(text))
    r.append(".SH FILES")
    r.append(".TP")
    r.append("\\fI~/.cache/logreg/paths.tsv\\fR")
    r.append(esc("The path cache of --gemm auto (see LOGREG_PATH_CACHE)."))
    r.append(".TP")
    r.append("\\fImodel.json\\fR")
    r.append(esc("The model train writes when no --model is given (in the current folder)."))
    r.append(".SH SEE ALSO")
    r.append(".BR pkg\\-config (1)")
    r.append(".PP")
    r.append(esc("The README and the docs/ folder of the logreg sources: docs/cli.md (every "
                 "command and option, with examples), docs/formats.md (data and model files), "
                 "docs/solvers.md, docs/devices.md, docs/python.md, and docs/library.md for the "
                 "C library (logreg.h, pkg-config logreg, CMake find_package(logreg))."))

    with open(out_path, "w", encoding="utf-8") as f:
        f.write("\n".join(r) + "\n")


if __name__ == "__main__":
    main()
