#!/usr/bin/env bash
# Install Debian packages the tests need, idempotently: packages already installed are not touched, and
# `apt-get update` runs only when a package has no install candidate (no package lists yet) or an
# install from stale lists failed. Must run as root (CI and the development machines do). Prints one
# line saying what it did, ending with the version of one package that names the set.
#   bash scripts/apt-install.sh <label> <package to report the version of> <package>...
set -euo pipefail

label=$1
report=$2
shift 2
PACKAGES=("$@")
LOG=${TMPDIR:-/tmp}/modelreg-${label// /-}-install.log

# (Output captured first: `cmd | grep -q` under pipefail fails when grep exits before cmd is done.)
installed() { local s; s=$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null) || return 1; [[ $s == *'install ok installed'* ]]; }
has_candidate() { local s; s=$(apt-cache policy "$1" 2>/dev/null) || return 1; [[ $s =~ Candidate:\ [^\(] ]]; }
version() { dpkg-query -W -f='${Version}' "$report"; }

missing=()
for p in "${PACKAGES[@]}"; do installed "$p" || missing+=("$p"); done
if [ ${#missing[@]} -eq 0 ]; then
  echo "$label install: already installed (${PACKAGES[*]}); $report $(version)"
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "$label install: needs root to install ${missing[*]} (run it with sudo)" >&2
  exit 1
fi

export DEBIAN_FRONTEND=noninteractive
: >"$LOG"
t0=$(date +%s)
updated=no
update() { apt-get update -q >>"$LOG" 2>&1 && updated=yes; }
for p in "${missing[@]}"; do
  has_candidate "$p" || { update || { echo "$label install: apt-get update failed:" >&2; tail -n 20 "$LOG" >&2; exit 1; }; break; }
done

install() { apt-get install -y -q --no-install-recommends "${missing[@]}" >>"$LOG" 2>&1; }
if ! install; then
  # Lists older than the mirror give 404s on download: refresh them once and try again.
  if [ "$updated" = no ] && update && install; then :; else
    echo "$label install: apt-get install ${missing[*]} failed; last lines of $LOG:" >&2
    tail -n 20 "$LOG" >&2
    exit 1
  fi
fi
echo "$label install: installed ${missing[*]} in $(( $(date +%s) - t0 ))s (apt-get update: $updated); $report $(version)"
