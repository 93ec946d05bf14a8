#!/usr/bin/env bash
# The main job on the embedded default: a new local registry with a local artifact store, then
# init → register → promote (through the gates) → resolve → pull → verify. Runs in a temporary
# directory; DEMO_DIR=<dir> keeps it somewhere you choose.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
modelreg() { node "$here/bin/run.js" "$@"; }
work=${DEMO_DIR:-$(mktemp -d)}
dir=$work/registry
# A throwaway identity for the demo's commits when git has none configured.
export GIT_AUTHOR_NAME=${GIT_AUTHOR_NAME:-modelreg demo} GIT_AUTHOR_EMAIL=${GIT_AUTHOR_EMAIL:-demo@example.com}
export GIT_COMMITTER_NAME=${GIT_COMMITTER_NAME:-modelreg demo} GIT_COMMITTER_EMAIL=${GIT_COMMITTER_EMAIL:-demo@example.com}
step() { printf '\n\033[1m$ modelreg %s\033[0m\n' "$*"; }

step init "$dir"; modelreg init "$dir"
cd "$dir"

# A training job's output: weights, config and tokenizer.
out=$work/training-output
mkdir -p "$out"
head -c 8388608 /dev/urandom > "$out/model.safetensors"
printf '{"hidden_size": 768}\n' > "$out/config.json"
printf '{"version": "1.0"}\n' > "$out/tokenizer.json"

step register sentiment "$out" --metric accuracy=0.88 …
modelreg register sentiment "$out" --framework transformers --type fine-tuned --metric accuracy=0.88 --metric latency_ms=41 \
  --dataset s3://acme-data/reviews/train.parquet --code https://github.com/acme/sentiment@4b825dc6 --task text-classification
step register sentiment "$out" --bump minor --metric accuracy=0.91 …
modelreg register sentiment "$out" --bump minor --framework transformers --type fine-tuned --metric accuracy=0.91 --metric latency_ms=35 \
  --dataset s3://acme-data/reviews/train.parquet --code https://github.com/acme/sentiment@9f86d081
step promote sentiment@1.0.0 development; modelreg promote sentiment@1.0.0 development
step promote sentiment@1.0.0 production '(refused: it has not been through staging)'
modelreg promote sentiment@1.0.0 production || true
step promote sentiment@1.0.0 staging; modelreg promote sentiment@1.0.0 staging
# Production needs an approval (registry.yaml), which only a pull request can give: on the default branch
# the promotion is refused and --pr suggested. This demo has no GitHub to open one on, so it says
# --no-verify, as one would for a local registry; the pull-request check would still ask for the approval.
step promote sentiment@1.0.0 production '(refused on main: production needs an approval)'
modelreg promote sentiment@1.0.0 production || true
step promote sentiment@1.0.0 production --no-verify; modelreg promote sentiment@1.0.0 production --no-verify
for stage in development staging; do step promote sentiment@1.1.0 $stage; modelreg promote sentiment@1.1.0 $stage --reason "beats 1.0.0 by 3 points"; done
step promote sentiment@1.1.0 production --no-verify; modelreg promote sentiment@1.1.0 production --reason "beats 1.0.0 by 3 points" --no-verify
step list; modelreg list
step resolve sentiment@production; modelreg resolve sentiment@production
step compare sentiment@1.0.0 sentiment@production; modelreg compare sentiment@1.0.0 sentiment@production
step rollback sentiment production --no-verify; modelreg rollback sentiment production --reason "latency alarm" --no-verify
step history sentiment; modelreg history sentiment
step pull sentiment@production -o "$work/deploy"; modelreg pull sentiment@production -o "$work/deploy"
step verify; modelreg verify
step validate; modelreg validate
printf '\nThe registry is in %s; git log shows the audit trail.\n' "$dir"
