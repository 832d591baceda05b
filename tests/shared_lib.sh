#!/usr/bin/env bash
# shared_lib.sh: liblogreg.so as a binding loads it.
#   $1 the shared library (build/liblogreg.so.0.1.0), $2 the public headers' folder (include/:
#   logreg.h, and logreg_bench.h and logreg_util.h for the programs that time training or need
#   the CLI's helpers), $3 arrays_shared (tests/test_arrays.c linked against the shared
#   library, not the static one).
# Checks: the SONAME; every exported symbol is a logreg_ function and every function declared
# in the headers (parsed from their text, comments removed) is exported, each declaration marked
# LOGREG_API; the OpenCL kernels are inside it; arrays_shared resolves logreg_ from it and passes.
. "$(dirname "$0")/lib.sh" # LOGREG is the shared library here
HEADERS=${2:?usage: shared_lib.sh liblogreg.so include/ arrays_shared}
PROG=${3:?usage: shared_lib.sh liblogreg.so include/ arrays_shared}
for tool in nm readelf; do
  command -v "$tool" > /dev/null || { echo "SKIP: $tool not installed (binutils)" >&2; exit 77; }
done

soname=$(readelf -d "$LOGREG" | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')
[ "$soname" = liblogreg.so.0 ] && pass "SONAME $soname" || fail "SONAME '$soname', want liblogreg.so.0"

nm -D --defined-only "$LOGREG" > "$WORK/nm" || fail "nm -D failed"
awk '{print $NF}' "$WORK/nm" | sort > "$WORK/exported"
awk '$(NF-1) != "T" || $NF !~ /^logreg_/' "$WORK/nm" > "$WORK/stray"
[ -s "$WORK/stray" ] && fail "exported beyond the logreg_ functions: $(tr '\n' ' ' < "$WORK/stray")" \
  || pass "$(wc -l < "$WORK/exported") symbols exported, all logreg_ functions"

# Declarations: a name followed by "(" outside comments (a function-pointer type's name is
# followed by ")"); each must carry LOGREG_API before it in its declaration.
python3 - "$HEADERS" "$WORK/declared" << 'PY' || fail "header parse: a declaration without LOGREG_API"
import glob, os, re, sys
names, bad = [], []
for header in sorted(glob.glob(os.path.join(sys.argv[1], "*.h"))):
    text = re.sub(r"/\*.*?\*/", " ", open(header).read(), flags=re.S)
    text = re.sub(r"^\s*#.*?(?<!\\)$", " ", text, flags=re.M | re.S)  # directives and macros
    decls = [d.strip() for d in re.split(r"[;{}]", text)]
    mine = []
    for d in decls:
        m = re.search(r"\b(logreg_[a-z0-9_]+)\s*\(", d)
        if not m or d.startswith("typedef"):
            continue
        mine.append(m.group(1))
        if not d.startswith("LOGREG_API "):
            bad.append(m.group(1))
    print(f"{os.path.basename(header)}: {len(mine)} functions", file=sys.stderr)
    names += mine
open(sys.argv[2], "w").write("".join(n + "\n" for n in sorted(names)))
if bad:
    print("without LOGREG_API:", " ".join(bad), file=sys.stderr)
    sys.exit(1)
PY
ndecl=$(wc -l < "$WORK/declared")
[ "$ndecl" -ge 80 ] && pass "$ndecl functions declared in the public headers" || fail "only $ndecl declarations parsed"
missing=$(comm -23 "$WORK/declared" "$WORK/exported")
extra=$(comm -13 "$WORK/declared" "$WORK/exported")
[ -z "$missing" ] && pass "every declared function exported" || fail "declared, not exported: $missing"
[ -z "$extra" ] && pass "nothing exported that the header does not declare" \
  || fail "exported, not declared: $extra"

# The kernels are embedded (cmake/embed.cmake): their text is in the library's read-only data.
grep -aq "__kernel void" "$LOGREG" && pass "kernels embedded" || fail "no kernel source in the library"

# The program linked against the shared library: logreg_ comes from liblogreg.so.0 at run time.
nm --defined-only "$PROG" | grep -q ' logreg_' && fail "arrays_shared defines logreg_ itself"
readelf -d "$PROG" | grep -q 'NEEDED.*\[liblogreg.so.0\]' && pass "arrays_shared needs liblogreg.so.0" \
  || fail "arrays_shared does not need liblogreg.so.0"
"$PROG" > "$WORK/out" 2>&1 && pass "arrays_shared passes" || fail "arrays_shared: $(tail -20 "$WORK/out")"
finish
