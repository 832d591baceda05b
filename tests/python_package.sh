#!/usr/bin/env bash
# python_package.sh: the Python package (python/logreg) against scikit-learn, through
# python/tests/run.py (tests/CMakeLists.txt sets LOGREG_LIBRARY to the built liblogreg.so).
# The interpreter: $LOGREG_PYTHON, else Debian's /usr/bin/python3 (python3-numpy and
# python3-sklearn), else python3 on PATH. Arguments go to run.py (--device opencl: train on
# the OpenCL device). run.py exits 77 (skip) only when numpy or scikit-learn is not importable
# or the device asked for is not there.
set -u
py=${LOGREG_PYTHON:-}
if [ -z "$py" ]; then
  if [ -x /usr/bin/python3 ]; then py=/usr/bin/python3; else py=python3; fi
fi
exec "$py" "$(dirname "$0")/../python/tests/run.py" "$@"
