#!/usr/bin/env bash
# Install Debian packages: `bash scripts/install-packages.sh PKG...` (scripts/test-packages.sh names
# what the tests need, scripts/s3-server/install.sh what the S3 server needs).
# Idempotent: packages already installed are not touched, and `apt-get update` runs only when a
# package has no install candidate (no package lists yet) or an install from stale lists failed.
# Must run as root (CI and the development machines do). Prints one line saying what it did.
set -euo pipefail

PACKAGES=("$@")
[ ${#PACKAGES[@]} -gt 0 ] || { echo "usage: bash scripts/install-packages.sh PKG..." >&2; exit 2; }
LOG=${TMPDIR:-/tmp}/modelreg-install-packages.log

# (Output captured first: `cmd | grep -q` under pipefail fails when grep exits before cmd is done.)
installed() { local s; s=$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null) || return 1; [[ $s == *'install ok installed'* ]]; }
has_candidate() { local s; s=$(apt-cache policy "$1" 2>/dev/null) || return 1; [[ $s =~ Candidate:\ [^\(] ]]; }

missing=()
for p in "${PACKAGES[@]}"; do installed "$p" || missing+=("$p"); done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-packages: already installed (${PACKAGES[*]})"
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "install-packages: needs root to install ${missing[*]} (run it with sudo)" >&2
  exit 1
fi

export DEBIAN_FRONTEND=noninteractive
: >"$LOG"
t0=$(date +%s)
updated=no
update() { apt-get update -q >>"$LOG" 2>&1 && updated=yes; }
for p in "${missing[@]}"; do
  has_candidate "$p" || { update || { echo "install-packages: apt-get update failed:" >&2; tail -n 20 "$LOG" >&2; exit 1; }; break; }
done

install() { apt-get install -y -q --no-install-recommends "${missing[@]}" >>"$LOG" 2>&1; }
if ! install; then
  # Lists older than the mirror give 404s on download: refresh them once and try again.
  if [ "$updated" = no ] && update && install; then :; else
    echo "install-packages: apt-get install ${missing[*]} failed; last lines of $LOG:" >&2
    tail -n 20 "$LOG" >&2
    exit 1
  fi
fi
echo "install-packages: installed ${missing[*]} in $(( $(date +%s) - t0 ))s (apt-get update: $updated)"
