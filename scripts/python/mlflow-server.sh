#!/usr/bin/env bash
# A real MLflow tracking and registry server on loopback, for the tests and the benchmark:
# SQLite backend, a local artifact root served through the server's artifact proxy (mlflow-artifacts:/).
#
#   bash scripts/python/mlflow-server.sh <dir> <port> [workers]
#
# Runs in the foreground until killed; <dir> holds mlflow.db and artifacts/. The venv comes from setup.sh
# beside this file (built if missing).
set -euo pipefail
dir=${1:?usage: mlflow-server.sh <dir> <port> [workers]}
port=${2:?usage: mlflow-server.sh <dir> <port> [workers]}
workers=${3:-1}
python=$(bash "$(dirname "$0")/setup.sh")
mkdir -p "$dir/artifacts"
exec "$python" -m mlflow server \
  --backend-store-uri "sqlite:///$dir/mlflow.db" \
  --artifacts-destination "$dir/artifacts" \
  --host 127.0.0.1 --port "$port" --workers "$workers"
