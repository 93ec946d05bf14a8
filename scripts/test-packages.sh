#!/usr/bin/env bash
# Every Debian package `npm test` needs (root; idempotent; CI runs it from .ci/run):
#   the S3 test server's (scripts/s3-server/install.sh),
#   the registry browser's (scripts/browser/install.sh: Chromium and fonts), and
#   python3-yaml python3-ruamel.yaml python3-jsonschema - the YAML 1.1 and 1.2 readers and the JSON
#       Schema validator that Python pipelines use, run by /usr/bin/python3 over every manifest the
#       suite writes (test/readers/)
set -euo pipefail
here=$(dirname "$0")
bash "$here/s3-server/install.sh"
bash "$here/browser/install.sh"
bash "$here/install-packages.sh" python3-yaml python3-ruamel.yaml python3-jsonschema
