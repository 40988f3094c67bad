#!/usr/bin/env bash
# Build the book in one profile: scripts/build_book.sh [full|quick]
#   full  -> _build/html               (the published book; cache in _build/.jupyter_cache)
#   quick -> _build/quick/_build/html  (its own folder and cache: jupyter-cache keys on the
#                                       code cells only, so profiles must not share a cache)
# Fails on any cell error or Sphinx warning.
set -euo pipefail
cd "$(dirname "$0")/.."
profile=${1:-full}
case "$profile" in
  full) out=. ;;
  quick) out=_build/quick ;;
  *) echo "unknown profile '$profile': expected full or quick" >&2; exit 2 ;;
esac
scripts/bootstrap.sh
export DLBOOK_PROFILE=$profile
echo "==> building the book in the '$profile' profile (chapters execute unless cached)"
start=$SECONDS
.venv/bin/jupyter-book build --all -n -W --keep-going --path-output "$out" .
html="$out/_build/html"
html=${html#./}
echo "==> built in $((SECONDS - start)) s: open $html/index.html"
