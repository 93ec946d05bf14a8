#!/usr/bin/env bash
# Install what the browser tests need from Debian's own packages:
#   chromium           - driven by playwright-core (whose own browser download cannot work on these machines)
#   fonts-dejavu-core  - fonts, for legible screenshots
# Idempotent (scripts/apt-install.sh); must run as root. Prints one line saying what it did.
set -euo pipefail
exec bash "$(dirname "$0")/../apt-install.sh" browser chromium chromium fonts-dejavu-core
