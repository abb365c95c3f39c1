"""The one JSON cleaner: NaN and infinity become null, numpy and dates become JSON types."""

from __future__ import annotations

import datetime as dt
import json
import math

import numpy as np
import pytest
from pydantic import BaseModel

from flopcast.core import jsonio


class _M(BaseModel):
    day: dt.date
    x: float


def test_clean_makes_every_value_json_safe():
    obj = {
        1: math.nan,
        "inf": math.inf,
        "arr": np.array([1.5, np.inf]),
        "int": np.int64(7),
        "day": dt.date(2025, 1, 20),
        "model": _M(day=dt.date(2024, 9, 12), x=2.0),
        "tuple": (1, "a", None, True),
    }
    assert jsonio.clean(obj) == {
        "1": None,  # keys become text, NaN becomes null
        "inf": None,
        "arr": [1.5, None],
        "int": 7,
        "day": "2025-01-20",
        "model": {"day": "2024-09-12", "x": 2.0},
        "tuple": [1, "a", None, True],
    }


def test_dumps_is_strict_json():
    text = jsonio.dumps({"a": math.nan, "b": [np.float64(0.25)]}, indent=None)
    assert text == '{"a": null, "b": [0.25]}'
    assert json.loads(text) == {"a": None, "b": [0.25]}


def test_dumps_refuses_what_it_cannot_represent():
    with pytest.raises(TypeError, match="not JSON serialisable: object"):
        jsonio.dumps({"x": object()})
