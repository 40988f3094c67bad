#!/usr/bin/env bash
# Create .venv and install the pinned requirements and dlbook_utils into it (once, and again
# whenever requirements.txt or pyproject.toml change). System packages are checked before
# this, by scripts/system_packages.sh.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-$(command -v python3.11 || command -v python3 || true)}
stamp=.venv/.installed
if [ ! -x .venv/bin/python ]; then
  if [ -z "$PYTHON" ] || ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
    echo "error: the book needs Python 3.11 or newer (found: ${PYTHON:-none});" \
      "set PYTHON=/path/to/python3.11" >&2
    exit 1
  fi
  echo "==> creating a virtual environment in .venv with $PYTHON ($($PYTHON --version))"
  if ! "$PYTHON" -m venv .venv; then
    rm -rf .venv  # a half-made .venv (no pip) would fool the next run
    echo "error: '$PYTHON -m venv' failed; on Debian/Ubuntu: sudo apt-get install" \
      "python3-venv" >&2
    exit 1
  fi
fi
if [ ! -f "$stamp" ] || [ requirements.txt -nt "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  echo "==> installing the pinned requirements into .venv (first run: a few minutes)"
  .venv/bin/python -m pip install --quiet --upgrade pip
  .venv/bin/python -m pip install --quiet -r requirements.txt
  echo "==> installing dlbook_utils (editable) into .venv"
  .venv/bin/python -m pip install --quiet --no-deps -e .
  touch "$stamp"
fi
