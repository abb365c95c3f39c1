"""Confidence labels with a stated numeric meaning (``data/models/_confidence.yaml``).

Each label names the widest 90% interval it may carry, as a factor ``f`` either side of the
median (the interval lies within ``[median / f, median x f]``): Confident 1.5, Likely 3,
Speculative 10. The same factor gives a bare stated figure its spread, and
:func:`deserved` gives any value the label its spread deserves, so a derived line (o3 = 10 x
o1) cannot claim more confidence than the spread it inherits. The comparison with Epoch AI's
own labels is in docs/pooling.md.
"""

from __future__ import annotations

import math
from functools import lru_cache
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from flopcast.core import yamlio
from flopcast.core.errors import DataError
from flopcast.evidence.records import CONFIDENCE_ORDER, SHIPPED_DIR

CONFIDENCE_FILE = SHIPPED_DIR / "_confidence.yaml"


class _Spread(BaseModel):
    model_config = ConfigDict(extra="forbid")
    factor: float = Field(gt=1)
    why: str


class _ConfidenceFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    spread: dict[str, _Spread]


@lru_cache(maxsize=1)
def spreads() -> dict[str, tuple[float, str]]:
    """Label -> (90% interval factor, the reason shown beside it), read once."""
    data, lines = yamlio.load_file(CONFIDENCE_FILE, "confidence file")
    parsed = yamlio.validate(_ConfidenceFile, data, str(CONFIDENCE_FILE), lines)
    missing = [k for k in CONFIDENCE_ORDER if k not in parsed.spread]
    if missing:
        raise DataError(f"no spread for label(s) {', '.join(missing)}", str(CONFIDENCE_FILE))
    return {k: (v.factor, " ".join(v.why.split())) for k, v in parsed.spread.items()}


def factor_of(value: Any) -> float:
    """The 90% interval's factor either side of the median: ``sqrt(p95 / p5)``."""
    if value.is_point:
        return 1.0
    p5, p95 = value.percentile([5, 95], n=20_000)  # the table's sample size
    if p5 <= 0:
        return math.inf
    return math.sqrt(p95 / p5)


def deserved(value: Any) -> str:
    """The most confident label whose factor covers the value's spread (Speculative beyond)."""
    f = factor_of(value)
    table = spreads()
    for label in CONFIDENCE_ORDER:
        if f <= table[label][0] * 1.0001:  # NB: a bare figure given exactly its label's spread
            return label
    return CONFIDENCE_ORDER[-1]


def weaker(a: str, b: str) -> str:
    return max(a, b, key=CONFIDENCE_ORDER.index)
