#!/usr/bin/env bash
# Install what the S3 tests need from Debian's own packages:
#   ceph-mon ceph-osd radosgw  - a real S3 implementation (Ceph RADOS Gateway) for up.sh/down.sh
#   awscli                      - an independent S3 client (/usr/bin/aws), so a failure can be told
#                                 apart: our code, or the server?
#   curl                        - up.sh polls the gateway's port with it
# Idempotent (scripts/apt-install.sh: packages already installed are not touched, and `apt-get update`
# runs only when needed). Must run as root (CI and the development machines do). Prints one line saying
# what it did.
set -euo pipefail
exec bash "$(dirname "$0")/../apt-install.sh" s3-server radosgw ceph-mon ceph-osd radosgw awscli curl
