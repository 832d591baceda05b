#!/usr/bin/env python3
"""check_structure.py: two checks of the shape of host/ that the compiler does not make.

  --functions  no function in a host/ .c file is longer than --max-lines (150) lines, counted
               from the first line of its signature to its closing brace;
  --includes   no #include cycle among the host/ modules: a file and its header (x.c and x.h)
               are one module, so that "train.c includes checkpoint.h and checkpoint.c
               includes train.h" is the cycle it is (a cycle among headers alone is one too).

  --names      no string comparison with a device or path name ("cpu", "auto", "reference", "native",
               "opencl", "fused", "tiled", "own", "clblast", "csr") in the library's layers outside the
               device module's own table-driven code (host/backend/device.c).

All run when none is given. Usage: tests/check_structure.py [--functions] [--includes]
[--names] [--max-lines N] [ROOT] (ROOT: the repository, by default the one this script is in). Exit 0
when clean, 1 with one line per violation (FILE:LINE: what), 2 on a usage error.

The C is read, not compiled: comments, string and character literals are blanked first (line
breaks kept, so line numbers stay right) and preprocessor lines end a declaration. A '{' at
brace depth 0 opens a function body when the text before it (back to the previous ';', '}' or
preprocessor line) has a '(' and no '=' (which makes it an initializer). When the branches of
an #if do not balance their braces, the file is read again with only the first branch of each
conditional. Python 3 standard library only, so that CTest can run it anywhere.
"""
import argparse
import os
import re
import sys

MAX_LINES = 150

# Words that come before a '(' in a declaration without being the function's name (a type in
# "void (*f(void))(int)", an attribute).
NOT_A_NAME = {
    "__attribute__", "__declspec", "_Alignas", "alignas", "_Static_assert", "__typeof__",
    "typeof", "sizeof", "void", "char", "short", "int", "long", "float", "double", "signed",
    "unsigned", "_Bool", "const", "volatile", "restrict", "static", "extern", "inline",
}


def blank_comments_and_literals(src, keep_strings=False):
    """The text with comments (and string and character literals unless keep_strings) replaced
    by spaces; line breaks stay, so offsets map to the same lines."""
    out = []
    i, n = 0, len(src)
    while i < n:
        c = src[i]
        if c == "/" and i + 1 < n and src[i + 1] == "*":
            j = src.find("*/", i + 2)
            j = n if j < 0 else j + 2
            out.append(re.sub(r"[^\n]", " ", src[i:j]))
            i = j
        elif c == "/" and i + 1 < n and src[i + 1] == "/":
            j = i
            while j < n and src[j] != "\n":
                j += 2 if src[j] == "\\" and j + 1 < n else 1  # a backslash-newline continues it
            out.append(re.sub(r"[^\n]", " ", src[i:j]))
            i = j
        elif c in "\"'":
            j = i + 1
            while j < n and src[j] != c and src[j] != "\n":
                j += 2 if src[j] == "\\" else 1
            j = min(j + 1, n)
            text = src[i:j]
            out.append(text if keep_strings else c + re.sub(r"[^\n]", " ", text[1:-1]) + c)
            i = j
        else:
            out.append(c)
            i += 1
    return "".join(out)


def preprocessor_lines(text):
    """[(first, last, directive)] for each preprocessor line of blanked text (0-based lines,
    backslash continuations included)."""
    lines = text.split("\n")
    found, i = [], 0
    while i < len(lines):
        m = re.match(r"\s*#\s*(\w*)", lines[i])
        if not m:
            i += 1
            continue
        j = i
        while j + 1 < len(lines) and lines[j].rstrip().endswith("\\"):
            j += 1
        found.append((i, j, m.group(1)))
        i = j + 1
    return found


def mask_preprocessor(text, first_branch_only):
    """Blanks the preprocessor lines, each ending with ';' so that it bounds a declaration;
    with first_branch_only, also the #elif / #else branches of every conditional."""
    lines = text.split("\n")
    stack = []  # per open conditional: whether we are past its first branch
    skip_from = None
    for first, last, what in preprocessor_lines(text):
        if what in ("if", "ifdef", "ifndef"):
            stack.append(False)
        elif what in ("elif", "else") and stack:
            if first_branch_only and not stack[-1] and skip_from is None:
                skip_from = (len(stack), last + 1)
            stack[-1] = True
        elif what == "endif" and stack:
            if skip_from is not None and skip_from[0] == len(stack):
                for k in range(skip_from[1], first):
                    lines[k] = " " * len(lines[k])
                skip_from = None
            stack.pop()
        for k in range(first, last + 1):
            lines[k] = " " * len(lines[k])
        lines[last] = lines[last][:-1] + ";" if lines[last] else ";"
    return "\n".join(lines)


def function_name(head):
    """The declared name in a function's head: the identifier before its parameter list."""
    for m in re.finditer(r"([A-Za-z_]\w*)\s*\(", head):
        if m.group(1) not in NOT_A_NAME:
            return m.group(1)
    return "?"


def functions_in(text):
    """[(name, first_line, last_line)] (1-based) of the function bodies in masked text, or None
    when the braces do not balance."""
    found = []
    depth = 0
    start = 0  # where the text at depth 0 since the last ';', '}' or preprocessor line begins
    body = None  # (name, first line) of the function whose body is open
    line = 1
    for i, c in enumerate(text):
        if c == "\n":
            line += 1
        elif c == "{":
            if depth == 0:
                head = text[start:i]
                if "(" in head and "=" not in head:
                    lead = len(head) - len(head.lstrip())
                    body = (function_name(head), line - head[lead:].count("\n"))
            depth += 1
        elif c == "}":
            depth -= 1
            if depth < 0:
                return None
            if depth == 0:
                if body:
                    found.append((body[0], body[1], line))
                body = None
                start = i + 1
        elif c == ";" and depth == 0:
            start = i + 1
    return found if depth == 0 else None


def host_files(root, exts):
    host = os.path.join(root, "host")
    for folder, dirs, files in os.walk(host):
        dirs.sort()
        for f in sorted(files):
            if f.endswith(exts):
                yield os.path.join(folder, f)


def read(path):
    with open(path, encoding="utf-8", errors="replace") as f:
        return f.read()


def check_functions(root, max_lines):
    problems = []
    for path in host_files(root, (".c",)):
        text = blank_comments_and_literals(read(path))
        rel = os.path.relpath(path, root)
        funcs = functions_in(mask_preprocessor(text, False))
        if funcs is None:
            funcs = functions_in(mask_preprocessor(text, True))
        if funcs is None:
            problems.append(f"{rel}:1: cannot read its functions: the braces do not balance")
            continue
        for name, first, last in funcs:
            length = last - first + 1
            if length > max_lines:
                problems.append(f"{rel}:{first}: function {name} is {length} lines "
                                f"(at most {max_lines})")
    return problems


def include_graph(root):
    """{file: [(included file, line)]} over host/ (paths relative to root). "layer/file.h" is
    relative to host/, "file.h" to the including file's folder (each rule falls back to the
    other); what resolves to no host/ file (logreg.h, kernels/) is outside the graph."""
    host = os.path.join(root, "host")
    graph = {}
    for path in host_files(root, (".c", ".h")):
        text = blank_comments_and_literals(read(path), keep_strings=True)
        rel = os.path.relpath(path, root)
        edges = []
        for lineno, line in enumerate(text.split("\n"), 1):
            m = re.match(r'\s*#\s*include\s*"([^"]+)"', line)
            if not m:
                continue
            name = m.group(1)
            here = os.path.join(os.path.dirname(path), name)
            top = os.path.join(host, name)
            for cand in ((top, here) if "/" in name else (here, top)):
                if os.path.isfile(cand):
                    edges.append((os.path.relpath(os.path.normpath(cand), root), lineno))
                    break
        graph[rel] = edges
    return graph


def strongly_connected(graph):
    """Tarjan's strongly connected components of graph {node: [(node, line)]}, iteratively."""
    index, low, on_stack, stack, comps = {}, {}, set(), [], []
    counter = 0
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, 0)]
        while work:
            node, k = work.pop()
            if k == 0:
                index[node] = low[node] = counter
                counter += 1
                stack.append(node)
                on_stack.add(node)
            edges = graph.get(node, [])
            if k < len(edges):
                work.append((node, k + 1))
                nxt = edges[k][0]
                if nxt not in index:
                    work.append((nxt, 0))
                elif nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
                continue
            if low[node] == index[node]:
                comp = []
                while True:
                    w = stack.pop()
                    on_stack.discard(w)
                    comp.append(w)
                    if w == node:
                        break
                comps.append(sorted(comp))
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
    return comps


def cycles_in(comp, graph, limit=50):
    """The elementary cycles inside one strongly connected component, each starting at its
    smallest file, at most `limit` of them."""
    members = set(comp)
    found = []
    for s in comp:
        path = [s]

        def walk(node):
            for nxt, _ in graph[node]:
                if len(found) >= limit:
                    return
                if nxt == s:
                    found.append(list(path))
                elif nxt in members and nxt > s and nxt not in path:
                    path.append(nxt)
                    walk(nxt)
                    path.pop()

        walk(s)
    return found


def module_graph(graph):
    """The include graph with each x.c and x.h merged into one node "x" (its own header is not
    an edge); each edge keeps the file and line of its first #include."""
    modules = {}
    for f, edges in graph.items():
        m = os.path.splitext(f)[0]
        out = modules.setdefault(m, [])
        for t, ln in edges:
            tm = os.path.splitext(t)[0]
            if tm != m and all(x != tm for x, _ in out):
                out.append((tm, (f, ln)))
    for m in list(modules):
        for t, _ in modules[m]:
            modules.setdefault(t, [])
    return modules


def check_includes(root):
    files = include_graph(root)
    graph = module_graph(files)
    problems = []
    for comp in strongly_connected(graph):
        if len(comp) == 1 and all(t != comp[0] for t, _ in graph[comp[0]]):
            continue
        for cycle in cycles_in(comp, graph):
            first, second = cycle[0], cycle[1] if len(cycle) > 1 else cycle[0]
            where, line = next(at for t, at in graph[first] if t == second)
            hops = []
            for a, b in zip(cycle, cycle[1:] + cycle[:1]):
                f, ln = next(at for t, at in graph[a] if t == b)
                hops.append(f"{f[len('host/'):]}:{ln}")
            chain = " -> ".join(p[len("host/"):] for p in cycle + [cycle[0]])
            problems.append(f"{where}:{line}: include cycle between modules {chain} "
                            f"(the includes: {', '.join(hops)})")
    return problems


# The device module (host/backend/device.c) owns the device and path names; elsewhere in the
# library no code compares a string with one of them (issue 23's acceptance grep).
DEVICE_NAMES = r'str(n)?cmp\([^)]*"(cpu|auto|reference|native|opencl|fused|tiled|own|clblast|csr)"'
NAME_LAYERS = ("solve", "backend", "data", "model", "prep")


def check_device_names(root):
    problems = []
    for layer in NAME_LAYERS:
        for path in host_files(os.path.join(root), (".c", ".h")):
            rel = os.path.relpath(path, root)
            if not rel.startswith(os.path.join("host", layer) + os.sep):
                continue
            for lineno, line in enumerate(read(path).split("\n"), 1):
                if re.search(DEVICE_NAMES, line):
                    problems.append(f"{rel}:{lineno}: compares a device or path name as a string "
                                    f"(the device module, backend/device.c, owns them)")
    return problems


def main(argv):
    ap = argparse.ArgumentParser(description="Structure checks of host/ (functions, includes).")
    ap.add_argument("root", nargs="?", default=os.path.dirname(os.path.dirname(
        os.path.abspath(__file__))), help="the repository (default: this script's)")
    ap.add_argument("--functions", action="store_true", help="function lengths only")
    ap.add_argument("--includes", action="store_true", help="include cycles only")
    ap.add_argument("--names", action="store_true", help="device and path name comparisons only")
    ap.add_argument("--max-lines", type=int, default=MAX_LINES,
                    help=f"longest function allowed (default {MAX_LINES})")
    args = ap.parse_args(argv)
    if not os.path.isdir(os.path.join(args.root, "host")):
        ap.error(f"{args.root}: no host/ folder")
    both = not args.functions and not args.includes and not args.names
    problems = []
    if args.functions or both:
        problems += check_functions(args.root, args.max_lines)
    if args.includes or both:
        problems += check_includes(args.root)
    if args.names or both:
        problems += check_device_names(args.root)
    for p in problems:
        print(p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
