#!/usr/bin/env bash
# Every test of the book, in stages, each timed:
#   lint -> unit tests -> data (as `make data`) -> chapters under nbval (quick)
#   -> site build (quick, -W) -> browser test
# System packages are checked first (stops at once if one is missing and cannot be
# installed). Prints one closing line "total: N passed, N failed, N skipped" summed over the
# pytest stages.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/env.sh
scripts/system_packages.sh test
scripts/bootstrap.sh
export DLBOOK_PROFILE=quick
# (nproc itself honours OMP_NUM_THREADS, so count the cores before setting it.)
workers=$(( $(getconf _NPROCESSORS_ONLN) >= 2 ? 2 : 1 ))
# One thread per pytest worker, or the workers oversubscribe the cores and run slower than
# serial.
export OMP_NUM_THREADS=1 MKL_NUM_THREADS=1
reports=_build/test-reports
rm -rf "$reports" && mkdir -p "$reports"
py=.venv/bin/python
timings=()

stage() {  # stage NAME COMMAND...: run, time, and remember how long it took
  local name=$1 start=$SECONDS
  shift
  echo
  echo "==> [$name] $*"
  "$@"
  timings+=("$(printf '%-10s %5d s' "$name" $((SECONDS - start)))")
}

stage lint .venv/bin/ruff check dlbook_utils tests scripts conftest.py
stage unit "$py" -m pytest tests --ignore=tests/site -q -n "$workers" \
  --junitxml="$reports/unit.xml"
# A dataset that cannot be had is reported, not fatal (unless DLBOOK_STANDIN=0): the
# chapters then run on labelled stand-ins. The site build below need not fetch again.
stage data "$py" scripts/fetch_data.py
export DLBOOK_DATA_FETCHED=1
stage chapters "$py" -m pytest chapters book -q -n "$workers" --dist loadfile \
  --nbval-lax --nbval-current-env --nbval-cell-timeout=600 --junitxml="$reports/chapters.xml"
stage build scripts/build_book.sh quick
stage browser "$py" -m pytest tests/site -q --junitxml="$reports/browser.xml"

echo
echo "==> stage timings"
printf '    %s\n' "${timings[@]}"
"$py" - "$reports" <<'PY'
import sys
from pathlib import Path
from xml.etree import ElementTree

totals = dict(tests=0, failures=0, errors=0, skipped=0)
for report in Path(sys.argv[1]).glob("*.xml"):
    for suite in ElementTree.parse(report).getroot().iter("testsuite"):
        for key in totals:
            totals[key] += int(suite.get(key, 0))
failed = totals["failures"] + totals["errors"]
passed = totals["tests"] - failed - totals["skipped"]
if totals["tests"] == 0:
    sys.exit("no tests were collected: that is a failure to look at, not a pass")
print(f"total: {passed} passed, {failed} failed, {totals['skipped']} skipped")
PY
