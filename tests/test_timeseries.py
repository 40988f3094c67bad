"""dlbook_utils.data.load_co2 (the Mauna Loa CO2 record read from statsmodels' CSV)."""

import importlib.util
import sys

import numpy as np
import pytest

from dlbook_utils.data import timeseries
from dlbook_utils.data.timeseries import load_co2


def test_weekly_series_is_a_regular_grid_with_its_gaps_filled():
    ts = load_co2("weekly")
    assert len(ts.values) == 2_284 and ts.filled.sum() == 59
    assert set(np.diff(ts.dates).astype(int)) == {7}
    assert str(ts.dates[0]) == "1958-03-29" and str(ts.dates[-1]) == "2001-12-29"
    assert ts.values[0] == 316.1 and ts.values[-1] == 371.5  # the file's first and last
    assert np.isfinite(ts.values).all() and 310 < ts.values.min() < ts.values.max() < 380
    # A filled week lies between its measured neighbours.
    i = int(np.flatnonzero(ts.filled & ~np.roll(ts.filled, 1) & ~np.roll(ts.filled, -1))[0])
    lo, hi = sorted((ts.values[i - 1], ts.values[i + 1]))
    assert lo <= ts.values[i] <= hi


def test_monthly_series_averages_the_measured_weeks():
    weekly, monthly = load_co2("weekly"), load_co2("monthly")
    assert len(monthly.values) == 526  # 1958-03 .. 2001-12
    assert str(monthly.dates[0]) == "1958-03-01" and str(monthly.dates[-1]) == "2001-12-01"
    gaps = [str(d)[:7] for d in monthly.dates[monthly.filled]]
    assert gaps == ["1958-06", "1958-10", "1964-02", "1964-03", "1964-04"]
    months = weekly.dates.astype("datetime64[M]")
    dec_2001 = weekly.values[(months == np.datetime64("2001-12")) & ~weekly.filled]
    assert monthly.values[-1] == pytest.approx(dec_2001.mean())
    # The seasonal cycle: each year peaks in spring (April-June) and the level rises.
    assert monthly.values[-12:].mean() - monthly.values[10:22].mean() > 50


def test_co2_reads_the_csv_without_importing_statsmodels():
    sys.modules.pop("statsmodels", None)
    load_co2()
    assert "statsmodels" not in sys.modules


def test_co2_without_statsmodels_says_how_to_install(monkeypatch):
    real = importlib.util.find_spec
    monkeypatch.setattr(
        timeseries.importlib.util,
        "find_spec",
        lambda name, *a: None if name == "statsmodels" else real(name, *a),
    )
    with pytest.raises(ModuleNotFoundError, match="pip install statsmodels"):
        load_co2()


def test_co2_bad_frequency():
    with pytest.raises(ValueError, match="'weekly' or 'monthly'"):
        load_co2("daily")
