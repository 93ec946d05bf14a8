#!/usr/bin/env bash
# Install what the browser tests need from Debian's own packages: chromium (driven by playwright-core,
# whose own browser download cannot work on these machines) and fonts for legible screenshots.
# Idempotent, like scripts/s3-server/install.sh: packages already installed are not touched, and
# `apt-get update` runs only when a package has no install candidate or an install from stale lists
# failed. Must run as root (CI and the development machines do). Prints one line saying what it did.
set -euo pipefail

PACKAGES=(chromium fonts-dejavu-core)
LOG=${TMPDIR:-/tmp}/modelreg-browser-install.log

installed() { local s; s=$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null) || return 1; [[ $s == *'install ok installed'* ]]; }
has_candidate() { local s; s=$(apt-cache policy "$1" 2>/dev/null) || return 1; [[ $s =~ Candidate:\ [^\(] ]]; }

missing=()
for p in "${PACKAGES[@]}"; do installed "$p" || missing+=("$p"); done
if [ ${#missing[@]} -eq 0 ]; then
  echo "browser install: already installed (${PACKAGES[*]}); chromium $(dpkg-query -W -f='${Version}' chromium)"
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "browser install: needs root to install ${missing[*]} (run it with sudo)" >&2
  exit 1
fi

export DEBIAN_FRONTEND=noninteractive
: >"$LOG"
t0=$(date +%s)
updated=no
update() { apt-get update -q >>"$LOG" 2>&1 && updated=yes; }
for p in "${missing[@]}"; do
  has_candidate "$p" || { update || { echo "browser install: apt-get update failed:" >&2; tail -n 20 "$LOG" >&2; exit 1; }; break; }
done

install() { apt-get install -y -q --no-install-recommends "${missing[@]}" >>"$LOG" 2>&1; }
if ! install; then
  if [ "$updated" = no ] && update && install; then :; else
    echo "browser install: apt-get install ${missing[*]} failed; last lines of $LOG:" >&2
    tail -n 20 "$LOG" >&2
    exit 1
  fi
fi
echo "browser install: installed ${missing[*]} in $(( $(date +%s) - t0 ))s (apt-get update: $updated); chromium $(dpkg-query -W -f='${Version}' chromium)"
