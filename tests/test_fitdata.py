"""Fit points from a CSV file or from the dataset's benchmark results."""

from __future__ import annotations

from pathlib import Path

import pytest

from flopcast.core.errors import DataError
from flopcast.forecast.fitdata import from_dataset, read_csv

DATA = Path(__file__).parent / "data" / "fit"


def test_csv_columns_and_one_line_errors():
    c, y = read_csv(DATA / "synthetic_logistic.csv", "rl_flop", "accuracy")
    assert len(c) == len(y) == 24  # make_synthetic.py writes 24 points
    with pytest.raises(DataError, match="no column 'flop'"):
        read_csv(DATA / "synthetic_logistic.csv", "flop", "accuracy")
    with pytest.raises(DataError, match=r"bad_cell.csv:3: rl_flop: 'not-a-number' is not a number"):
        read_csv(DATA / "bad_cell.csv", "rl_flop", "accuracy")


def test_dataset_points_need_three_models():
    with pytest.raises(DataError, match="a fit needs at least 3"):
        from_dataset("no such benchmark")
