#!/usr/bin/env bash
# Create .venv and install the pinned requirements and dlbook_utils into it (once, and again
# whenever requirements.txt or pyproject.toml change).
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-$(command -v python3.11 || command -v python3)}
stamp=.venv/.installed
if [ ! -x .venv/bin/python ]; then
  echo "==> creating a virtual environment in .venv with $PYTHON ($($PYTHON --version))"
  "$PYTHON" -m venv .venv
fi
if [ ! -f "$stamp" ] || [ requirements.txt -nt "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  echo "==> installing the pinned requirements into .venv (first run: a few minutes)"
  .venv/bin/python -m pip install --quiet --upgrade pip
  .venv/bin/python -m pip install --quiet -r requirements.txt
  echo "==> installing dlbook_utils (editable) into .venv"
  .venv/bin/python -m pip install --quiet --no-deps -e .
  touch "$stamp"
fi
