"""A quantity whose log10 is normal: the closed-form currency of the exact forecast path.

An exact lognormal :class:`~flopcast.core.uncertain.Uncertain` (a product, quotient or power of
lognormal inputs and positive points) is read as ``log10 X ~ N(mu, sd)`` from its exact median
and 95th percentile; sums of independent ones add means and variances. Anything else (a sum,
a mixture, a normal or log-uniform input) has no such form and sends the forecast to Monte
Carlo.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

Z95 = 1.6448536269514722  # the standard normal's 95th percentile

__all__ = ["Log10Normal"]


@dataclass(frozen=True)
class Log10Normal:
    """``log10 X ~ N(mu, sd)``; ``sd == 0`` is a known number."""

    mu: float
    sd: float

    @classmethod
    def of(cls, q: Any) -> Log10Normal | None:
        """The form of an exact lognormal quantity or a positive number; None otherwise."""
        if isinstance(q, (int, float)):
            return cls(math.log10(q), 0.0) if q > 0 else None
        if not getattr(q, "is_exact", False):
            return None
        median, p95 = (float(v) for v in q.percentile([50, 95]))
        if not (median > 0 and p95 > 0):
            return None
        sd = max(0.0, (math.log10(p95) - math.log10(median)) / Z95)
        return cls(math.log10(median), sd)

    def plus(self, other: Log10Normal, sign: float = 1.0) -> Log10Normal:
        """``log10 X + sign * log10 Y`` for independent X and Y."""
        return Log10Normal(self.mu + sign * other.mu, math.hypot(self.sd, other.sd))

    def shift(self, oom: float) -> Log10Normal:
        return Log10Normal(self.mu + oom, self.sd)

    @property
    def is_point(self) -> bool:
        return self.sd == 0.0
