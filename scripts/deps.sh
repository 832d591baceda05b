#!/usr/bin/env bash
# deps.sh: installs the Debian 12 packages logreg needs to build, test and run its main job,
# skipping the apt round trip when everything is already there. Run as root (or with sudo).
set -euo pipefail

packages=(
  cmake gcc make pkg-config      # build
  libcjson-dev zlib1g-dev        # model files, gzip-compressed IDX
  ocl-icd-opencl-dev opencl-c-headers libclblast-dev  # OpenCL and CLBlast
  pocl-opencl-icd                # an OpenCL device everywhere: the CPU through PoCL
  libplplot-dev plplot-driver-cairo  # logreg plot: PLplot with its headless pngcairo device
  python3                        # CLI tests read JSON output; cmake/manpage.py writes logreg.1
  man-db                         # man logreg; tests/manpage.sh renders the page (groff-base)
  python3-numpy python3-sklearn python3-pandas  # the Python package (python/) and its tests
  python3-statsmodels            # tests/cli_show.sh: show --stats against Logit / MNLogit (skips without)
  python3-venv python3-wheel     # pip install --no-build-isolation ./python in a venv (docs/python.md):
                                 # venv brings pip and setuptools, python3-wheel their bdist_wheel
  dataset-fashion-mnist          # the main job's data
  clang libclang-rt-14-dev       # reliability CI (scripts/ci-extra.sh): libFuzzer targets
  valgrind                       # tests/cli_valgrind.sh: memcheck of an end-to-end run
  libopenmpi-dev openmpi-bin     # optional: mpirun -np R logreg train (tests/cli_mpi.sh skips without)
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "deps: all ${#packages[@]} packages present"
  exit 0
fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "deps: need root to install: ${missing[*]}" >&2; exit 1; }
  sudo=sudo
fi
# One line per step; apt's and dpkg's own lines go to a log, shown (its end) only on failure.
log="$(mktemp "${TMPDIR:-/tmp}/logreg-deps.XXXXXX.log")"
step() { # step WHAT COMMAND...: runs COMMAND with its output in the log
  local what="$1"
  shift
  echo "deps: $what"
  if ! "$@" >>"$log" 2>&1; then
    echo "deps: failed: $what; the end of $log:" >&2
    tail -n 25 "$log" >&2
    exit 1
  fi
}
export DEBIAN_FRONTEND=noninteractive
step "updating the package lists (apt-get update)" $sudo apt-get update
step "installing ${#missing[@]} packages: ${missing[*]}" \
  $sudo apt-get install -y --no-install-recommends "${missing[@]}"
rm -f "$log"
echo "deps: done"
