#!/usr/bin/env bash
# Install what the S3 tests need from Debian's own packages:
#   ceph-mon ceph-osd radosgw  - a real S3 implementation (Ceph RADOS Gateway) for up.sh/down.sh
#   awscli                      - an independent S3 client (/usr/bin/aws), so a failure can be told
#                                 apart: our code, or the server?
#   curl                        - up.sh polls the gateway's port with it
# Idempotent: packages already installed are not touched, and `apt-get update` runs only when a
# package has no install candidate (no package lists yet) or an install from stale lists failed.
# Must run as root (CI and the development machines do). Prints one line saying what it did.
set -euo pipefail

PACKAGES=(ceph-mon ceph-osd radosgw awscli curl)
LOG=${TMPDIR:-/tmp}/modelreg-s3-install.log

# (Output captured first: `cmd | grep -q` under pipefail fails when grep exits before cmd is done.)
installed() { local s; s=$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null) || return 1; [[ $s == *'install ok installed'* ]]; }
has_candidate() { local s; s=$(apt-cache policy "$1" 2>/dev/null) || return 1; [[ $s =~ Candidate:\ [^\(] ]]; }

missing=()
for p in "${PACKAGES[@]}"; do installed "$p" || missing+=("$p"); done
if [ ${#missing[@]} -eq 0 ]; then
  echo "s3-server install: already installed (${PACKAGES[*]}); radosgw $(dpkg-query -W -f='${Version}' radosgw)"
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "s3-server install: needs root to install ${missing[*]} (run it with sudo)" >&2
  exit 1
fi

export DEBIAN_FRONTEND=noninteractive
: >"$LOG"
t0=$(date +%s)
updated=no
update() { apt-get update -q >>"$LOG" 2>&1 && updated=yes; }
for p in "${missing[@]}"; do
  has_candidate "$p" || { update || { echo "s3-server install: apt-get update failed:" >&2; tail -n 20 "$LOG" >&2; exit 1; }; break; }
done

install() { apt-get install -y -q --no-install-recommends "${missing[@]}" >>"$LOG" 2>&1; }
if ! install; then
  # Lists older than the mirror give 404s on download: refresh them once and try again.
  if [ "$updated" = no ] && update && install; then :; else
    echo "s3-server install: apt-get install ${missing[*]} failed; last lines of $LOG:" >&2
    tail -n 20 "$LOG" >&2
    exit 1
  fi
fi
echo "s3-server install: installed ${missing[*]} in $(( $(date +%s) - t0 ))s (apt-get update: $updated); radosgw $(dpkg-query -W -f='${Version}' radosgw)"
