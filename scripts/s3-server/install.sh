#!/usr/bin/env bash
# The Debian packages the S3 test server needs:
#   ceph-mon ceph-osd radosgw  - a real S3 implementation (Ceph RADOS Gateway) for up.sh/down.sh
#   awscli                      - an independent S3 client (/usr/bin/aws), so a failure can be told
#                                 apart: our code, or the server?
#   curl                        - up.sh polls the gateway's port with it
exec bash "$(dirname "$0")/../install-packages.sh" ceph-mon ceph-osd radosgw awscli curl
