#!/usr/bin/env bash
# Build the book in one profile: scripts/build_book.sh [full|quick]
#   full  -> _build/html               (the published book; cache in _build/.jupyter_cache)
#   quick -> _build/quick/_build/html  (its own folder and cache: jupyter-cache keys on the
#                                       code cells only, so profiles must not share a cache)
# Steps: system packages (stops at once if one is missing and cannot be installed), .venv,
# the datasets (`make data`: a dataset that cannot be had is not fatal, its pages run on a
# labelled stand-in, unless DLBOOK_STANDIN=0), then the build. Fails on any cell error or
# Sphinx warning.
set -euo pipefail
cd "$(dirname "$0")/.."
profile=${1:-full}
case "$profile" in
  full) out=. ;;
  quick) out=_build/quick ;;
  *) echo "unknown profile '$profile': expected full or quick" >&2; exit 2 ;;
esac
. scripts/env.sh
scripts/system_packages.sh book
scripts/bootstrap.sh
export DLBOOK_PROFILE=$profile
# The build's kernels print an intended error as its message alone (IPython's Minimal
# traceback mode): a traceback would show files of the machine that built the page.
export IPYTHONDIR="$PWD/_build/ipython"
mkdir -p "$IPYTHONDIR/profile_default"
echo 'c.InteractiveShell.xmode = "Minimal"' \
  >"$IPYTHONDIR/profile_default/ipython_kernel_config.py"
if ! dlbook_is_yes "${DLBOOK_DATA_FETCHED:-}"; then  # run_tests.sh fetched them already
  echo "==> fetching the datasets the book uses (as 'make data' does)"
  .venv/bin/python scripts/fetch_data.py
fi
echo "==> building the book in the '$profile' profile (chapters execute unless cached)"
start=$SECONDS
.venv/bin/jupyter-book build --all -n -W --keep-going --path-output "$out" .
html="$out/_build/html"
html=${html#./}
echo "==> built in $((SECONDS - start)) s: open $html/index.html"
