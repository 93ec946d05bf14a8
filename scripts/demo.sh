#!/usr/bin/env bash
# The main job on the embedded default: a new local registry (local artifact store), then
# init → validate → list → resolve. Runs in a temporary directory; DEMO_DIR=<dir> keeps it.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
modelreg() { node "$here/bin/run.js" "$@"; }
dir=${DEMO_DIR:-$(mktemp -d)/registry}
# A throwaway identity for the demo's commits when git has none configured.
export GIT_AUTHOR_NAME=${GIT_AUTHOR_NAME:-modelreg demo} GIT_AUTHOR_EMAIL=${GIT_AUTHOR_EMAIL:-demo@example.com}
export GIT_COMMITTER_NAME=${GIT_COMMITTER_NAME:-modelreg demo} GIT_COMMITTER_EMAIL=${GIT_COMMITTER_EMAIL:-demo@example.com}

step() { printf '\n\033[1m$ modelreg %s\033[0m\n' "$*"; }
step init "$dir"; modelreg init "$dir"
cd "$dir"
step validate; modelreg validate
step list; modelreg list

# Until `modelreg register` exists (the write issue), the demo adds the example models by hand, as a user
# writing manifests would, and commits them.
cp -R "$here/test/fixtures/registry/models/." models/
git add -A && git commit -qm "Add example models"
step validate; modelreg validate
step list; modelreg list
step resolve sentiment@production; modelreg resolve sentiment@production
step compare sentiment@production sentiment@staging; modelreg compare sentiment@production sentiment@staging
step lineage sentiment@1.1.0; modelreg lineage sentiment@1.1.0
step history sentiment; modelreg history sentiment
printf '\nThe registry is in %s\n' "$dir"
