#!/usr/bin/env bash
# Install what the browser tests need from Debian's own packages:
#   chromium           - driven by playwright-core (whose own browser download cannot work on these machines)
#   fonts-dejavu-core  - fonts, for legible screenshots
# Idempotent (scripts/install-packages.sh); must run as root. Prints one line saying what it did.
exec bash "$(dirname "$0")/../install-packages.sh" chromium fonts-dejavu-core
