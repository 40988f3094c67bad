"""Small real time series that ship inside matplotlib (Yahoo Finance prices), offline."""

import csv
from dataclasses import dataclass
from pathlib import Path

import numpy as np

__all__ = ["TimeSeries", "load_timeseries", "TIMESERIES"]

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
    """A univariate series: ``dates`` (datetime64[D]) and float64 ``values``, oldest first."""

    name: str
    dates: np.ndarray
    values: np.ndarray
    description: str

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
