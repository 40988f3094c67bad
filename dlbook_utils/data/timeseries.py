"""Small real time series available offline: prices inside matplotlib, CO2 in statsmodels.

``load_timeseries``: Yahoo Finance prices from matplotlib's sample data. ``load_co2``: the
Mauna Loa atmospheric CO2 record (weekly, March 1958 to December 2001, ppm) that ships
with statsmodels; its CSV is read directly, without importing statsmodels (slow).
"""

import csv
import importlib.util
from dataclasses import dataclass
from pathlib import Path

import numpy as np

__all__ = ["TimeSeries", "load_timeseries", "load_co2", "co2_csv_path", "TIMESERIES"]

# name -> (file in matplotlib's sample data, column, description)
TIMESERIES = {
    "goog": ("goog.npz", "adj_close", "Google daily adjusted close, 2004-08 to 2008-10"),
    "sp500": ("Stocks.csv", "^GSPC", "S&P 500 index, monthly, 1990-2022"),
    "nasdaq": ("Stocks.csv", "^IXIC", "NASDAQ composite index, monthly, 1990-2022"),
    "ibm": ("Stocks.csv", "IBM", "IBM share price, monthly, 1990-2022"),
    "aapl": ("Stocks.csv", "AAPL", "Apple share price, monthly, 1990-2022"),
    "msft": ("Stocks.csv", "MSFT", "Microsoft share price, monthly, 1990-2022"),
}


@dataclass(frozen=True)
class TimeSeries:
    """A univariate series: ``dates`` (datetime64[D]) and float64 ``values``, oldest first.

    ``filled``: None, or a boolean array marking values that were interpolated, not
    measured.
    """

    name: str
    dates: np.ndarray
    values: np.ndarray
    description: str
    filled: np.ndarray | None = None

    def __repr__(self):
        return (
            f"TimeSeries({self.name!r}, {len(self.values)} values from {self.dates[0]} "
            f"to {self.dates[-1]}: {self.description})"
        )


def _sample_dir():
    import matplotlib

    return Path(matplotlib.get_data_path()) / "sample_data"


def load_timeseries(name):
    """Load a real series by name (see :data:`TIMESERIES`); missing values are dropped."""
    if name not in TIMESERIES:
        raise ValueError(
            f"unknown time series {name!r}: expected one of {sorted(TIMESERIES)}"
        )
    filename, column, description = TIMESERIES[name]
    path = _sample_dir() / filename
    if filename.endswith(".npz"):
        with np.load(path) as archive:
            table = archive["price_data"]
        dates, values = table["date"].astype("datetime64[D]"), table[column].astype(float)
    else:
        with open(path, newline="") as f:
            rows = [r for r in csv.reader(f) if r and not r[0].startswith("#")]
        header, body = rows[0], rows[1:]
        j = header.index(column)
        kept = [(r[0], float(r[j])) for r in body if r[j]]
        dates = np.array([d for d, _ in kept], dtype="datetime64[D]")
        values = np.array([v for _, v in kept], dtype=float)
    order = np.argsort(dates, kind="stable")
    return TimeSeries(name, dates[order], values[order], description)


CO2_DESCRIPTION = (
    "Mauna Loa atmospheric CO2 (ppm), continuous air samples, weekly means, "
    "1958-03 to 2001-12 (Keeling and Whorf, SIO; statsmodels.datasets.co2)"
)


def co2_csv_path():
    """Path of ``co2.csv`` inside the installed statsmodels (found without importing it)."""
    spec = importlib.util.find_spec("statsmodels")
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError(
            "the Mauna Loa CO2 series ships with statsmodels, which is not installed: "
            "`pip install statsmodels==0.15.0` (pinned in requirements.txt)"
        )
    root = Path(next(iter(spec.submodule_search_locations)))
    path = root / "datasets" / "co2" / "co2.csv"
    if not path.exists():
        raise FileNotFoundError(f"{path} is missing: reinstall statsmodels")
    return path


def _interpolate_gaps(values):
    """Fill NaNs by linear interpolation in the index; returns (values, filled mask)."""
    filled = np.isnan(values)
    index = np.arange(len(values))
    values = values.copy()
    values[filled] = np.interp(index[filled], index[~filled], values[~filled])
    return values, filled


def load_co2(frequency="monthly"):
    """The Mauna Loa CO2 record, 1958-2001, as a :class:`TimeSeries` in ppm.

    Args:
        frequency: ``"weekly"``: 2,284 weeks (Saturdays, a regular 7-day grid), of which
            59 were not measured; ``"monthly"``: 526 calendar months (1958-03 to
            2001-12), each the mean of its measured weeks, dated the first of the month.
            Five months have no measured week (1958-06, 1958-10, 1964-02 to 1964-04).

    Gaps (weeks, or months with no measured week) are filled by linear interpolation
    between their neighbours, and marked in ``filled``; the monthly series, with its
    12-step season, is the one chapter 10 forecasts.
    """
    if frequency not in ("weekly", "monthly"):
        raise ValueError(f"frequency must be 'weekly' or 'monthly', got {frequency!r}")
    with open(co2_csv_path(), newline="") as f:
        rows = list(csv.reader(f))[1:]
    dates = np.array([f"{d[:4]}-{d[4:6]}-{d[6:8]}" for d, _ in rows], dtype="datetime64[D]")
    values = np.array([float(v) if v else np.nan for _, v in rows])
    if frequency == "monthly":
        months = dates.astype("datetime64[M]")
        dates = np.arange(months[0], months[-1] + 1)  # every calendar month
        slot = (months - months[0]).astype(int)
        measured = ~np.isnan(values)
        sums = np.bincount(slot[measured], values[measured], minlength=len(dates))
        counts = np.bincount(slot[measured], minlength=len(dates))
        with np.errstate(invalid="ignore", divide="ignore"):
            values = np.where(counts > 0, sums / counts, np.nan)
        dates = dates.astype("datetime64[D]")
    values, filled = _interpolate_gaps(values)
    return TimeSeries(f"co2_{frequency}", dates, values, CO2_DESCRIPTION, filled)
