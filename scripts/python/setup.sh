#!/usr/bin/env bash
# A Python virtual environment with the pinned MLflow and scikit-learn (requirements.txt beside this file),
# for the tests and the benchmark that drive real MLflow clients and a real `mlflow server`.
#
#   bash scripts/python/setup.sh            build it unless it is there; print its python's absolute path
#   bash scripts/python/setup.sh --rebuild  build it from scratch (what .ci/run does), print the path
#   bash scripts/python/setup.sh --print    print the path if it is built, else exit 3 (builds nothing)
#
# The venv lives in $MODELREG_PYTHON_CACHE (default ~/.cache/modelreg/python) under a directory named by
# the hash of requirements.txt, so a change of pins builds a new one and local runs reuse it; CI rebuilds
# it once, before the tests (which, and the scripts they start, only reuse it). The interpreter is named, never taken from PATH:
# $MODELREG_BASE_PYTHON, else pyenv's 3.11.7, else Debian's /usr/bin/python3.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
req="$here/requirements.txt"
hash=$(sha256sum "$req" | cut -c1-16)
cache=${MODELREG_PYTHON_CACHE:-$HOME/.cache/modelreg/python}
venv="$cache/venv-$hash"
python="$venv/bin/python"

if [[ ${1:-} == --print ]]; then
  [[ -f $venv/.complete ]] || exit 3
  echo "$python"
  exit 0
fi

if [[ -f $venv/.complete && ${1:-} != --rebuild ]]; then
  echo "$python"
  exit 0
fi

base=${MODELREG_BASE_PYTHON:-}
if [[ -z $base ]]; then
  for candidate in "$HOME/.pyenv/versions/3.11.7/bin/python3" /root/.pyenv/versions/3.11.7/bin/python3 /usr/bin/python3; do
    if [[ -x $candidate ]] && "$candidate" -c 'import venv, ensurepip' 2>/dev/null; then base=$candidate; break; fi
  done
fi
[[ -n $base ]] || { echo "setup.sh: no Python 3.11 with venv found; set MODELREG_BASE_PYTHON (Debian: apt-get install python3-venv)" >&2; exit 1; }

started=$(date +%s)
rm -rf "$venv"
mkdir -p "$cache"
echo "setup.sh: building $venv with $base (a few hundred MB from PyPI)" >&2
"$base" -m venv "$venv"
"$python" -m pip install --quiet --disable-pip-version-check --no-input 'pip==24.3.1' >&2
"$python" -m pip install --quiet --disable-pip-version-check --no-input --require-virtualenv -r "$req" 2> >(grep -v "^WARNING: Location .* is ignored" >&2) >&2
"$python" -c 'import mlflow, sklearn; print("setup.sh: mlflow", mlflow.__version__, "scikit-learn", sklearn.__version__)' >&2
touch "$venv/.complete"
echo "setup.sh: done in $(( $(date +%s) - started )) s" >&2
echo "$python"
