"""The physics bound on a stage's FLOP: chip-hours x 3600 s/h x peak FLOP/s at the precision used.

No run can do more arithmetic than its chips can at 100% of their dense peak for the hours they
ran, so a published hardware time bounds every line of evidence about that stage. The bound of
a quantity comes from, in this order: its ``hardware:`` field; else the published chip-hours of
its ``hardware(...)`` lines; else the published chip-hours of the recipes its count lines use
(data/recipes/*.yaml ``published``). Several readings: the largest is the bound (a bound that
refuses a figure must hold under every reading).

What happens at the bound (docs/pooling.md): a line whose *median* is above it is refused
(:class:`~flopcast.core.errors.DataError`: a stated figure that needs more than 100% of peak is
wrong, or refers to other hardware); a line whose median is below but whose upper tail crosses
it is capped (the probability above the bound moves to the bound) when more than 0.1% of it
lies above, with a :class:`~flopcast.core.errors.PlausibilityWarning` when more than 5% does.
"""

from __future__ import annotations

import math
import re
import warnings
from dataclasses import dataclass
from typing import Any

from flopcast.accounting import rl
from flopcast.core import expr
from flopcast.core.errors import DataError, FlopcastError, PlausibilityWarning
from flopcast.core.uncertain import minimum
from flopcast.estimate import chips
from flopcast.estimate.functions import evaluate
from flopcast.evidence.records import Evidence, HardwareTime, Line

TAIL_WARN = 0.05  # warn when more than this share of a line lies above the bound
# NB: a lognormal's tail always crosses a bound somewhere; below this share the cap changes no
# reported percentile (5-95) and would only turn an exact value into a sampled one, so it is
# left alone
TAIL_IGNORE = 0.001
CHECK_SAMPLES = 20_000  # Monte Carlo samples for the checks (the table's default, so shared)
_CALL_RE = re.compile(r"^\s*hardware\s*\((?P<args>.*)\)\s*$", re.S)


@dataclass(frozen=True)
class Bound:
    """``flop = chip_hours x 3600 x peak_flop_per_s``: the most a stage can have done."""

    chip: str
    chip_hours: float
    precision: str
    peak_flop_per_s: float
    origin: str

    @property
    def flop(self) -> float:
        return self.chip_hours * 3600.0 * self.peak_flop_per_s

    def utilization(self, flop: Any) -> Any:
        """Share of peak implied by ``flop`` over these chip-hours: ``flop / bound``."""
        return flop / self.flop

    def describe(self) -> str:
        return (
            f"{self.chip_hours:,.0f} {self.chip}-hours x 3600 s x "
            f"{self.peak_flop_per_s:.4g} FLOP/s ({self.precision} peak) = {self.flop:.3g} FLOP"
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "chip": self.chip,
            "chip_hours": self.chip_hours,
            "precision": self.precision,
            "peak_flop_per_s": self.peak_flop_per_s,
            "bound_flop": self.flop,
            "origin": self.origin,
        }


def of_quantity(ev: Evidence) -> Bound | None:
    """The bound of one quantity (None when no hardware time is published)."""
    if ev.hardware is not None:
        return of_field(ev.hardware)
    found = [b for ln in ev.lines for b in [of_line(ln)] if b is not None]
    return max(found, key=lambda b: b.flop) if found else None


def of_field(hw: HardwareTime) -> Bound:
    hours = _number(hw.chip_hours, "hardware.chip_hours")
    return _make(hw.chip, hours, hw.precision, "the quantity's hardware field")


def of_line(line: Line) -> Bound | None:
    """From a ``hardware(...)`` line's chip-hours, or from the published hours of its recipes."""
    if line.recipe is not None:
        return _of_recipes(line.recipe)
    m = _CALL_RE.match(line.expression())
    if m is None or expr.parse(line.expression()).kind != "call":
        return None
    args = _kwargs(m.group("args"))
    chip = args.get("chip")
    if chip is None:
        return None
    if "chip_hours" in args:
        hours = _number(args["chip_hours"], "chip_hours")
    elif "chips" in args and "hours" in args:
        hours = _number(args["chips"], "chips") * _number(args["hours"], "hours")
    else:
        return None
    precision = args.get("precision", "bf16").strip("\"' ")
    return _make(chip.strip("\"' "), hours, precision, f"hardware line {line.label or ''}".strip())


def check(value: Any, bound: Bound, what: str) -> Any:
    """``value`` under ``bound``: refused when its median is above, capped when its tail is."""
    median = value.median(n=CHECK_SAMPLES)
    if median > bound.flop:
        raise DataError(
            f"{what}: {median:.3g} FLOP is above the physics bound {bound.flop:.3g} FLOP "
            f"({bound.describe()}); it would need {median / bound.flop:.0%} of peak. "
            "Mark it superseded, fix the figure, or fix the hardware time"
        )
    above = value.prob_above(bound.flop, n=CHECK_SAMPLES)
    if above <= TAIL_IGNORE:
        return value
    if above > TAIL_WARN:
        warnings.warn(
            f"{what}: {above:.0%} of it lies above the physics bound {bound.flop:.3g} FLOP "
            f"({bound.describe()}); capped at the bound",
            PlausibilityWarning,
            stacklevel=2,
        )
    capped = minimum(value, bound.flop).with_unit(value.unit)
    return capped.with_meta(
        method=value.method,
        assumptions=[
            *value.assumptions,
            f"capped at the physics bound {bound.flop:.3g} FLOP ({above:.1%} lay above)",
        ],
    )


# ---- private ----------------------------------------------------------------------------------


def _make(chip: str, hours: float, precision: str, origin: str) -> Bound:
    spec = chips.lookup(chip)
    return Bound(spec.name, hours, precision, chips.peak_flop_per_s(spec.id, precision), origin)


def _of_recipes(names: list[str]) -> Bound | None:
    parts = []
    for name in names:
        pub = rl.load_recipe(name).published
        hours = pub.get("chip_hours")
        hours = hours.get("value") if isinstance(hours, dict) else hours
        if not pub.get("chip") or hours is None:
            return None  # one recipe without published hours: no bound for the sum
        parts.append((str(pub["chip"]), float(hours), str(pub.get("precision", "bf16"))))
    chips_used = {(c, p) for c, _, p in parts}
    if len(chips_used) != 1:
        return None  # different chips: the bound would mix peaks
    chip, precision = chips_used.pop()
    return _make(
        chip, sum(h for _, h, _ in parts), precision, "published hours of " + " + ".join(names)
    )


def _kwargs(text: str) -> dict[str, str]:
    out, depth, start, parts = {}, 0, 0, []
    for i, ch in enumerate(text):
        depth += ch == "("
        depth -= ch == ")"
        if ch == "," and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    parts.append(text[start:])
    for part in parts:
        key, eq, val = part.partition("=")
        if eq:
            out[key.strip()] = val.strip()
    return out


def _number(text: str, what: str) -> float:
    """A chip-hours figure; an interval counts at its 95th percentile (a generous bound)."""
    try:
        value = float(text)  # NB: plain numbers exactly (the exact path goes through exp/log)
    except ValueError:
        value = _evaluated(text, what)
    if not (math.isfinite(value) and value > 0):
        raise DataError(f"{what}: {text!r} must be a positive number of chip-hours")
    return value


def _evaluated(text: str, what: str) -> float:
    try:
        q = evaluate(str(text))
    except FlopcastError as exc:
        raise DataError(f"{what}: {exc}") from None
    return float(q.median() if q.is_point else q.percentile(95))
