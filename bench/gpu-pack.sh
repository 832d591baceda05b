#!/usr/bin/env bash
# gpu-pack.sh: packs what bench/gpu.sh needs on a bare NVIDIA machine into gpubundle/ at the
# repository root (ignored by git; the device call carries it).
#
#   bash scripts/build.sh && bash bench/gpu-pack.sh
#   then, on the GPU machine, from the repository root:  bash bench/gpu.sh
#   (the device tool: command "bash bench/gpu.sh", carry ["gpubundle"])
#
# The GPU machine has the NVIDIA driver, CUDA and PyTorch but no OpenCL ICD loader, CLBlast,
# cJSON or network, so the bundle holds:
#   bin/      build/logreg and the OpenCL tests (test_opencl_parity, test_opencl_hv, test_opencl_grid, test_opencl_train, test_opencl_sparse,
#             test_optimum, test_backend), built here (Release)
#   lib/      every library those binaries load (as `ldd` resolves them here), saved under
#             their sonames, the OpenCL ICD loader libOpenCL.so.1 included, except the C and C++
#             runtimes the target system has itself (libc, libm, libstdc++, libgcc_s, ld-linux,
#             libpthread, libdl, librt). No ICD registry: gpu.sh writes one for the NVIDIA
#             driver there; PoCL's, from here, stays here.
#   shared/data/  a copy of ../shared/data (the real CSV datasets the tests read through
#             LOGREG_SHARED_DIR)
#   fashion/  the Fashion-MNIST IDX files (/usr/share/datasets/fashion-mnist)
#   COMMIT    the commit the binaries were built from (the GPU machine's copy has no .git)
#   INFO      when and where it was packed
# It fails when the build is missing, not Release or older than the sources, when a library
# does not resolve, or when the bundle passes 64 MiB (what a device call carries in all).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
die() {
  echo "gpu-pack.sh: error: $*" >&2
  exit 1
}

build=$root/build
bundle=$root/gpubundle
fm=/usr/share/datasets/fashion-mnist
shared=$root/../shared/data
limit_mib=64
bins=("$build/logreg" "$build/tests/test_opencl_parity" "$build/tests/test_opencl_hv" "$build/tests/test_opencl_grid" "$build/tests/test_opencl_train"
  "$build/tests/test_optimum" "$build/tests/test_backend" "$build/tests/test_opencl_sparse")

[ -f "$build/CMakeCache.txt" ] || die "no build in $build: run 'bash scripts/build.sh' first"
btype=$(sed -n 's/^CMAKE_BUILD_TYPE:[A-Z]*=//p' "$build/CMakeCache.txt")
[ "$btype" = Release ] || die "$build is a '$btype' build: gpu.sh times it, so build Release (scripts/build.sh)"
for b in "${bins[@]}"; do
  [ -x "$b" ] || die "$b missing: run 'bash scripts/build.sh' (with tests)"
done
# A source newer than the binaries means the bundle would time old code.
newer=$(find host include kernels tests CMakeLists.txt cmake -type f -newer "$build/logreg" \
  \( -name '*.c' -o -name '*.h' -o -name '*.cl' -o -name '*.txt' -o -name '*.cmake' \) | head -3)
[ -z "$newer" ] || die "the build is older than $(echo "$newer" | tr '\n' ' '): run 'bash scripts/build.sh'"
[ -f "$fm/train-images-idx3-ubyte.gz" ] || die "$fm missing (apt-get install dataset-fashion-mnist)"
[ -d "$shared" ] || die "$shared missing (the shared datasets beside the repository)"

rm -rf "$bundle"
mkdir -p "$bundle/bin" "$bundle/lib" "$bundle/shared" "$bundle/fashion"
cp "${bins[@]}" "$bundle/bin/"

# Libraries: the union of what ldd resolves for every binary, minus the system runtimes.
skip='^(libc|libm|libstdc\+\+|libgcc_s|ld-linux.*|libpthread|libdl|librt|linux-vdso)\.so'
ldd "${bins[@]}" | awk '/=>/ { print $1, $3 }' | sort -u | while read -r name path; do
  [ "$path" = "not" ] && die "ldd: $name not found here"
  [[ $name =~ $skip ]] && continue
  cp -L "$path" "$bundle/lib/$name"
done
[ -f "$bundle/lib/libOpenCL.so.1" ] || die "libOpenCL.so.1 (the ICD loader) is not among the libraries"
# Every binary must resolve its libraries from the bundle alone (plus the system runtimes).
missing=$(LD_LIBRARY_PATH=$bundle/lib ldd "$bundle"/bin/* | grep "not found" | sort -u || true)
[ -z "$missing" ] || die "unresolved in the bundle: $missing"

cp -r "$shared" "$bundle/shared/data"
cp "$fm"/*-ubyte.gz "$bundle/fashion/"

commit=$(git rev-parse HEAD 2>/dev/null || echo unknown)
if [ -n "$(git status --porcelain --untracked-files=no 2>/dev/null)" ]; then
  commit="$commit + uncommitted changes"
fi
echo "$commit" >"$bundle/COMMIT"
{
  echo "packed=$(date -u '+%Y-%m-%d %H:%M UTC')"
  echo "host=$(uname -n) $(uname -m)"
  echo "glibc=$(ldd --version | head -1 | awk '{ print $NF }')"
  echo "build_type=$btype"
  echo "commit=$commit"
} >"$bundle/INFO"

bytes=$(du -sb "$bundle" | cut -f1)
# The working tree travels with it: tracked files and untracked ones git does not ignore.
tree=$(git ls-files -co --exclude-standard -z 2>/dev/null | xargs -0 -r du -cb 2>/dev/null | tail -1 | cut -f1)
tree=${tree:-0}
mib() { awk -v b="$1" 'BEGIN { printf "%.1f", b / 1048576 }'; }
echo "gpu-pack.sh: $bundle: $(mib "$bytes") MiB (${#bins[@]} binaries, $(find "$bundle/lib" -type f | wc -l) libraries; commit $commit); with the working tree $(mib $((bytes + tree))) MiB"
if [ $((bytes + tree)) -gt $((limit_mib * 1048576)) ]; then
  die "the bundle ($(mib "$bytes") MiB) and the working tree ($(mib "$tree") MiB) pass the $limit_mib MiB a device call carries"
fi
echo "gpu-pack.sh: next, on the GPU machine from the repository root: bash bench/gpu.sh (carry gpubundle)"
