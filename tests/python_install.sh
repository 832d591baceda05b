#!/usr/bin/env bash
# python_install.sh: docs/python.md's install steps, as a user runs them, in fresh venvs.
#   $1 the built shared library (liblogreg.so.0.1.0).
# In a temporary folder, a copy of the clone's layout named logreg/ (python/ and build/ with the
# library), so that the folder above it holds a directory named logreg, as after git clone:
#  1. python3 -m venv --system-site-packages; pip install --no-build-isolation ./python from the
#     clone, offline (PIP_NO_INDEX: setuptools, wheel, numpy and scikit-learn from Debian);
#  2. from the folder above the clone and from the clone, import logreg finds the installed
#     package and its bundled library, and fits breast cancer and iris to scikit-learn's optimum
#     (coef_ within 1e-4 relative, predict_proba within 1e-5);
#  3. LOGREG_LIBRARY pointing nowhere fails at import with one line that says what to do;
#  4. pip wheel --no-deps --no-build-isolation ./python makes a platform wheel (not none-any)
#     with the library inside; with the clone and its build/ deleted, it installs into a second
#     fresh venv with pip install --no-index and passes 2.
# The interpreter: $LOGREG_PYTHON, else Debian's /usr/bin/python3, else python3 on PATH.
# Exits 77 (skip) only when that Python has no venv/ensurepip (python3-venv) or no numpy and
# scikit-learn for the venvs to see (python3-numpy python3-sklearn); a missing python3-wheel is
# a failure, since scripts/deps.sh installs it and the documented steps need it.
set -u
LIB=${1:?usage: python_install.sh path/to/liblogreg.so.0.1.0}
REPO=$(cd "$(dirname "$0")/.." && pwd)
py=${LOGREG_PYTHON:-}
if [ -z "$py" ]; then
  if [ -x /usr/bin/python3 ]; then py=/usr/bin/python3; else py=python3; fi
fi
"$py" -c "import ensurepip, venv" 2> /dev/null \
  || { echo "SKIP: $py has no venv/ensurepip (Debian: python3-venv)" >&2; exit 77; }
"$py" -c "import numpy, sklearn" 2> /dev/null \
  || { echo "SKIP: $py has no numpy/scikit-learn (Debian: python3-numpy python3-sklearn)" >&2; exit 77; }
[ -f "$LIB" ] || { echo "FAIL: $LIB not found" >&2; exit 1; }

WORK=$(mktemp -d "${LOGREG_TMP:-/tmp}/pyinstall.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
FAILS=0
fail() { echo "FAIL: $*" >&2; FAILS=$((FAILS + 1)); }
pass() { echo "ok: $*" >&2; }

# Nothing from the caller's environment may find the library or the package for it, and pip
# reads no configuration (no index, no find-links) and writes no cache outside $WORK.
unset LOGREG_LIBRARY PYTHONPATH LD_LIBRARY_PATH PIP_FIND_LINKS PIP_INDEX_URL PIP_EXTRA_INDEX_URL
export PIP_CONFIG_FILE=/dev/null PIP_NO_INDEX=1 PIP_DISABLE_PIP_VERSION_CHECK=1 \
       PIP_CACHE_DIR="$WORK/pip-cache" PIP_NO_INPUT=1

# The clone's layout: logreg/python (the package's sources, without build leftovers) and
# logreg/build/liblogreg.so.0 -> the library, as bash scripts/build.sh leaves it.
CLONE="$WORK/logreg"
mkdir -p "$CLONE/build"
cp -r "$REPO/python" "$CLONE/python"
rm -rf "$CLONE/python/build" "$CLONE"/python/*.egg-info "$CLONE"/python/logreg/liblogreg.so*
find "$CLONE/python" -name __pycache__ -prune -exec rm -rf {} +
cp "$LIB" "$CLONE/build/liblogreg.so.0.1.0"
ln -s liblogreg.so.0.1.0 "$CLONE/build/liblogreg.so.0"

# run LOG CMD...: runs CMD with its output in LOG; on failure the log's tail goes to stderr.
run() {
  local log=$1; shift
  if "$@" > "$log" 2>&1; then return 0; fi
  echo "--- $* failed; last lines of its output:" >&2
  tail -n 25 "$log" >&2
  return 1
}

cat > "$WORK/check.py" << 'PY'
"""The installed package, from wherever this runs: where it was imported from, and fits held to
scikit-learn's at its optimum."""
import os
import sys
import warnings

import numpy as np
import logreg
from sklearn.datasets import load_breast_cancer, load_iris
from sklearn.linear_model import LogisticRegression

venv = os.path.realpath(sys.argv[1])
bad = 0
where = os.path.realpath(logreg.__file__)
lib = os.path.realpath(logreg._lib.path)
if not where.startswith(venv + os.sep):
    print("FAIL: import logreg found %s, not the package installed in %s" % (where, venv))
    bad += 1
if lib != os.path.join(os.path.dirname(where), "liblogreg.so.0"):
    print("FAIL: the package loaded %s, not its own copy" % lib)
    bad += 1
for name, load in (("breast cancer", load_breast_cancer), ("iris", load_iris)):
    X, y = load(return_X_y=True)
    ours = logreg.LogisticRegression(C=1.0, solver="newton-cg", tol=1e-10, max_iter=1000,
                                     device="cpu").fit(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # newton-cg's line search near the optimum
        ref = LogisticRegression(C=1.0, solver="newton-cg", tol=1e-10, max_iter=10000).fit(X, y)
    coef = np.linalg.norm(ours.coef_ - ref.coef_) / np.linalg.norm(ref.coef_)
    proba = np.abs(ours.predict_proba(X) - ref.predict_proba(X)).max()
    ok = ours.coef_.shape == ref.coef_.shape and coef < 1e-4 and proba < 1e-5
    print("%s: %s coef_ %s relative L2 %.2e from scikit-learn's (bound 1e-4), predict_proba %.2e "
          "(bound 1e-5)" % ("ok" if ok else "FAIL", name, ours.coef_.shape, coef, proba))
    bad += not ok
print("imported %s, library %s" % (where, lib))
sys.exit(1 if bad else 0)
PY

# 1-2: the documented steps, in a venv that sees Debian's numpy and scikit-learn.
VENV="$WORK/venv"
if run "$WORK/venv.log" "$py" -m venv --system-site-packages "$VENV" &&
   (cd "$CLONE" && run "$WORK/install.log" "$VENV/bin/pip" install --no-build-isolation ./python); then
  pass "venv --system-site-packages; pip install --no-build-isolation ./python (offline)"
  if cmp -s "$LIB" "$VENV"/lib/python3*/site-packages/logreg/liblogreg.so.0; then
    pass "the installed package holds a copy of build/liblogreg.so.0"
  else
    fail "the installed package does not hold a copy of build/liblogreg.so.0"
  fi
  (cd "$WORK" && "$VENV/bin/python" "$WORK/check.py" "$VENV") >&2 \
    && pass "from the folder above the clone (it holds logreg/): the installed package fits" \
    || fail "from the folder above the clone"
  out=$(cd "$CLONE" && "$VENV/bin/python" -c "import logreg; print(logreg.__file__)" 2>&1)
  case $out in
    "$VENV"/*) pass "from the clone, import logreg finds $out" ;;
    *) fail "from the clone, import logreg: $out" ;;
  esac
  # 3: a library that cannot be found is one line saying what to do.
  err=$(cd "$WORK" && LOGREG_LIBRARY="$WORK/nowhere/liblogreg.so.0" "$VENV/bin/python" \
        -c "import logreg" 2>&1)
  rc=$?
  last=$(printf '%s\n' "$err" | tail -n 1)
  if [ $rc -eq 0 ] || [ "$last" != "ImportError: logreg: LOGREG_LIBRARY=$WORK/nowhere/liblogreg.so.0 is not a file; set it to the built liblogreg.so.0 (build/liblogreg.so.0 after bash scripts/build.sh) or unset it" ]; then
    fail "LOGREG_LIBRARY pointing nowhere: $err"
  else
    pass "LOGREG_LIBRARY pointing nowhere: $last"
  fi
else
  fail "the documented install (python3-wheel missing? scripts/deps.sh installs it)"
fi

# 4: the wheel, installed where neither the clone nor its build/ exists.
if (cd "$CLONE" && run "$WORK/wheel.log" "$VENV/bin/pip" wheel --no-deps --no-build-isolation \
      -w "$WORK/dist" ./python); then
  wheels=("$WORK"/dist/logreg-*.whl)
  whl=${wheels[0]}
  if [ ${#wheels[@]} -ne 1 ] || [ ! -f "$whl" ]; then
    fail "pip wheel made ${#wheels[@]} logreg wheels: ${wheels[*]}"
  else
    tag=$(basename "$whl" .whl); tag=${tag#logreg-*-}
    plat=$("$py" -c "import sysconfig; print(sysconfig.get_platform().replace('-', '_').replace('.', '_'))")
    [ "$tag" = "py3-none-$plat" ] && pass "wheel $(basename "$whl"): tag $tag" \
      || fail "wheel $(basename "$whl"): tag $tag, want py3-none-$plat (it holds a native library)"
    "$py" -c "import sys, zipfile; sys.exit('logreg/liblogreg.so.0' not in zipfile.ZipFile(sys.argv[1]).namelist())" "$whl" \
      && pass "the wheel holds logreg/liblogreg.so.0" || fail "the wheel has no logreg/liblogreg.so.0"
    rm -rf "$CLONE" "$VENV"
    mkdir "$CLONE"  # the folder named logreg stays, empty, beside where the check runs
    VENV2="$WORK/venv2"
    if run "$WORK/venv2.log" "$py" -m venv --system-site-packages "$VENV2" &&
       (cd "$WORK" && run "$WORK/install2.log" "$VENV2/bin/pip" install --no-index "$whl"); then
      pass "the wheel installs into a fresh venv with pip install --no-index"
      (cd "$WORK" && "$VENV2/bin/python" "$WORK/check.py" "$VENV2") >&2 \
        && pass "without the clone or its build/: the wheel's package fits" \
        || fail "the wheel's package, without the clone"
    else
      fail "pip install --no-index of the wheel"
    fi
  fi
else
  fail "pip wheel --no-deps --no-build-isolation ./python"
fi

if [ "$FAILS" -ne 0 ]; then echo "$FAILS check(s) failed" >&2; exit 1; fi
echo "all checks passed" >&2
exit 0
