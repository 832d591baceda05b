#!/usr/bin/env bash
# fresh-debian.sh: the README's steps, exactly as it writes them, on a fresh Debian 12 root
# (debootstrap --variant=minbase bookworm): the first command (scripts/main.sh), then in a new
# login shell the tour (`docs/examples.sh --installed README.md`: `logreg` on PATH, the Python
# steps in a venv, mpirun as root) and `man logreg`; with --full also the second command
# (scripts/test.sh, the whole suite). Not part of .ci/run: it needs root, debootstrap and the
# network, and takes 10-30 minutes. Run it for changes to the scripts, the dependencies or the
# README's commands.
#
#   bash .ci/fresh-debian.sh [--full] [--keep] [DIR]
#
# DIR (default /var/tmp/logreg-fresh) is emptied first. The repository's committed HEAD is
# cloned into DIR/root/logreg. LOGREG_DEBIAN_TAR may name a tarball of a bookworm root made
# earlier by debootstrap, to skip that step. Prints each step's time; exits non-zero on the
# first failure.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
full=0 keep=0 dir=/var/tmp/logreg-fresh
for a in "$@"; do
  case "$a" in
  --full) full=1 ;;
  --keep) keep=1 ;;
  -*) echo "fresh-debian.sh: unknown option $a" >&2; exit 2 ;;
  *) dir="$a" ;;
  esac
done
[ "$(id -u)" -eq 0 ] || { echo "fresh-debian.sh: run as root (chroot, mounts)" >&2; exit 2; }

mounted=()
cleanup() {
  for ((i = ${#mounted[@]} - 1; i >= 0; i--)); do umount -l "${mounted[i]}" 2>/dev/null || true; done
  [ "$keep" -eq 1 ] || rm -rf --one-file-system "$dir"
}
trap cleanup EXIT

rm -rf --one-file-system "$dir"
mkdir -p "$dir"
t0=$(date +%s)
if [ -n "${LOGREG_DEBIAN_TAR:-}" ]; then
  tar -C "$dir" -xf "$LOGREG_DEBIAN_TAR"
else
  command -v debootstrap >/dev/null || { echo "fresh-debian.sh: needs debootstrap (apt-get install debootstrap)" >&2; exit 2; }
  debootstrap --variant=minbase bookworm "$dir" http://deb.debian.org/debian >/dev/null
fi
echo "fresh-debian: root ready in $(($(date +%s) - t0)) s"
cp /etc/resolv.conf "$dir/etc/resolv.conf"
for m in proc sys dev dev/pts; do
  mkdir -p "$dir/$m"
  case "$m" in
  proc) mount -t proc proc "$dir/proc" ;;
  *) mount --bind "/$m" "$dir/$m" ;;
  esac
  mounted+=("$dir/$m")
done
git clone -q "$repo" "$dir/root/logreg"

run() { # run TITLE SCRIPT: SCRIPT in a new login shell in the root, as root, in the clone
  local t=$(date +%s)
  echo "fresh-debian: $1"
  chroot "$dir" /usr/bin/env -i HOME=/root TERM=dumb LANG=C.UTF-8 \
    PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    bash -lc "cd /root/logreg && $2"
  echo "fresh-debian: $1: done in $(($(date +%s) - t)) s"
}
run "the first command (bash scripts/main.sh)" "bash scripts/main.sh"
run "a new shell: logreg on PATH, man logreg, the README's tour" \
  "command -v logreg && man logreg | sed -n 1,4p && bash docs/examples.sh --installed README.md"
if [ "$full" -eq 1 ]; then
  run "the second command (bash scripts/test.sh)" "bash scripts/test.sh"
fi
echo "fresh-debian: all steps passed in $(($(date +%s) - t0)) s"
