"""Estimation methods: evidence -> FLOP, each a pure function returning an :class:`Uncertain`.

Every method names its inputs (so ``result.inputs()`` lists the assumptions with their
sources, and ``result.contributions()`` says which one drives the spread), sets the unit and
records the method and its assumptions (``result.method``, ``result.assumptions``).

Methods (Epoch AI, "Estimating Training Compute of Deep Learning Models",
https://epoch.ai/blog/estimating-training-compute):

* hardware time  ``C = chips x time x peak x utilisation`` (or ``chip-hours x 3600 x peak x u``);
* operation counting  ``C = 6 N D`` for training (2 forward + 4 backward FLOP per parameter per
  token; Kaplan et al. 2020, https://arxiv.org/abs/2001.08361) and ``2 N D`` for generation,
  with ``N`` the *active* parameters of a mixture-of-experts model;
* cost  ``chip-hours = dollars / price per chip-hour``, then the hardware method;
* ratio and share of another estimate (``o3 = 10 x o1``);
* chart reading: values and ratios from positions on a log-scale axis.
"""

from __future__ import annotations

import math
import warnings
from typing import Any

from flopcast.core.errors import InputError, PlausibilityWarning
from flopcast.core.expr import Symbol
from flopcast.core.uncertain import Uncertain, as_uncertain, ci, named
from flopcast.estimate import chips as hw
from flopcast.estimate.priors import (
    largest_run_flop,
    prior,
    prior_precision,
    priors,
    utilization_prior_name,
)

__all__ = [
    "STAGES",
    "chart_ratio",
    "chart_value",
    "cost",
    "hardware",
    "operations",
    "prior",
    "priors",
    "ratio",
    "share",
]

# stage -> the phase of data/utilization.yaml whose fitted prior is its default utilisation
STAGES = {
    "pretraining": "pretraining",
    "finetune": "finetune",
    "rl": "rl",  # a whole RL run: prior utilization.rl (fitted to the rl_run points)
    "rl_update": "rl_update",
    "rollout": "rollout",
    "inference": "inference",
}

# FLOP per parameter per token for operation counting, by kind of pass.
# NB: ignores the attention score/value products that grow with context (see architecture.py
# for the exact count) and the embedding lookup.
OPS_PER_PARAM_TOKEN = {"training": 6.0, "inference": 2.0, "generation": 2.0, "forward": 2.0}


# ---- methods --------------------------------------------------------------------------------


def hardware(
    chip: str,
    *,
    chip_hours: Any = None,
    chips: Any = None,
    hours: Any = None,
    utilization: Any = None,
    precision: str = "bf16",
    stage: str = "pretraining",
) -> Uncertain:
    """``C = chip-hours x 3600 s/h x peak(chip, precision) x utilization``.

    Give ``chip_hours``, or ``chips`` and ``hours``. Without ``utilization`` the stage's fitted
    prior is used: ``utilization.<stage>.<precision>`` where the points allow a fit at that
    precision, else ``utilization.<stage>`` (``stage="rl"``: the whole-run prior). A prior whose
    points are all measured against another precision's peak (the RL points: BF16) multiplies
    that peak where the chip has it, so the FLOP/s it stands for is not doubled or halved.
    """
    _check_stage(stage)
    spec = hw.lookup(str(chip))
    asked = hw.normalize_precision(str(precision))
    precision, notes = asked, []
    if utilization is None:
        name = utilization_prior_name(STAGES[stage], asked)
        basis = prior_precision(name)
        if basis and basis != asked and basis in spec.peak:
            precision = basis
            notes.append(
                f"{name} is fitted to points measured against the {basis} peak, so it "
                f"multiplies the {basis} peak rather than the {asked} one"
            )
    peak_value = hw.peak_flop_per_s(str(chip), precision)
    if chip_hours is not None and (chips is not None or hours is not None):
        raise InputError("give either chip_hours, or chips and hours, not both")
    if chip_hours is None:
        if chips is None or hours is None:
            raise InputError("the hardware method needs chip_hours, or both chips and hours")
        chip_time = _positive(chips, "chips", "number of chips") * _positive(
            hours, "hours", "wall-clock hours of training"
        )
    else:
        chip_time = _positive(chip_hours, "chip_hours", f"{spec.name}-hours")
    util = _utilization(utilization, stage, precision)
    peak = named(
        peak_value,
        f"peak({spec.id}, {precision})",
        unit="FLOP/s",
        description=f"peak dense {precision} FLOP/s of {spec.name}",
        source="; ".join(_chip_sources(spec)),
    )
    result = chip_time * 3600.0 * peak * util
    return _finish(
        result,
        "hardware",
        [
            f"chip: {spec.name}, {precision} peak {peak_value:.3g} FLOP/s",
            f"utilization: {_describe(util)}"
            + ("" if utilization is not None else f" (default prior for {stage})"),
            "time counts every chip-hour as training at the stated utilization",
            *notes,
        ],
    )


def operations(N: Any, D: Any, *, kind: str = "training") -> Uncertain:
    """``C = 6 N D`` (training) or ``2 N D`` (inference/generation/forward).

    ``N``: parameters (active parameters for mixture-of-experts); ``D``: tokens.
    NB: omits the attention term that grows with context length; for long reasoning chains use
    the exact accounting in ``flopcast.accounting.architecture`` / ``flopcast.accounting.rl``.
    """
    if kind not in OPS_PER_PARAM_TOKEN:
        raise InputError(f"unknown kind {kind!r}; allowed: {', '.join(OPS_PER_PARAM_TOKEN)}")
    k = OPS_PER_PARAM_TOKEN[kind]
    n = _positive(N, "N", "parameters (active, for mixture-of-experts)")
    d = _positive(D, "D", "tokens")
    return _finish(
        k * n * d,
        "operations",
        [
            f"{k:g} FLOP per parameter per token ({kind})",
            "N counts active parameters for mixture-of-experts models",
            "attention FLOP that grow with context length are not counted",
        ],
    )


def cost(
    dollars: Any,
    chip: str,
    *,
    usd_per_hour: Any = None,
    utilization: Any = None,
    precision: str = "bf16",
    stage: str = "pretraining",
) -> Uncertain:
    """``chip-hours = dollars / usd_per_hour``, then :func:`hardware`.

    Without ``usd_per_hour`` the catalog's latest sourced rental price for the chip is used.
    """
    spec = hw.lookup(str(chip))
    money = _positive(dollars, "dollars", "spend in US dollars")
    if usd_per_hour is None:
        entry = hw.price_per_hour(str(chip))
        if entry is None:
            raise InputError(
                f"the catalog has no sourced rental price for {spec.name}; give usd_per_hour"
            )
        price = named(
            _get(entry, "usd_per_hour"),
            "usd_per_hour",
            unit="USD/hour",
            description=f"rental price per {spec.name}-hour ({_get(entry, 'date')})",
            source=str(_get(entry, "source")),
        )
    else:
        price = _positive(usd_per_hour, "usd_per_hour", f"US dollars per {spec.name}-hour")
    chip_hours = money / price
    result = hardware(
        str(chip), chip_hours=chip_hours, utilization=utilization, precision=precision, stage=stage
    )
    return result.with_meta(
        method="cost",
        assumptions=[
            "all the money bought chip time at the stated price (no staff, data or failed runs)",
            *result.assumptions,
        ],
    )


def ratio(base: Any, factor: Any) -> Uncertain:
    """A multiple of another estimate (``o3 = 10 x o1``); keeps the base's uncertainty."""
    b = as_uncertain(base)
    f = _positive(factor, "factor", "multiple of the base estimate")
    return _finish(
        b * f,
        "ratio",
        ["the multiple applies to the same quantity as the base"],
        unit=b.unit or "FLOP",
    )


def share(base: Any, fraction: Any) -> Uncertain:
    """A share of another estimate (``RL = 20% of pre-training``)."""
    b = as_uncertain(base)
    f = _positive(fraction, "fraction", "share of the base estimate")
    if isinstance(f, Uncertain) and f.is_point and f.median() > 1:
        raise InputError(
            f"a share must be at most 1, got {f.median():g}; use ratio() for multiples"
        )
    return _finish(
        b * f, "share", ["the share applies to the base estimate"], unit=b.unit or "FLOP"
    )


def chart_value(
    pixel: float,
    tick_a: tuple[float, float],
    tick_b: tuple[float, float],
    *,
    pixel_error: float = 2.0,
    name: str = "chart reading",
) -> Uncertain:
    """The value at ``pixel`` on a log-scale axis calibrated by two labelled ticks.

    ``log10 v = log10 v_a + (pixel - p_a) (log10 v_b - log10 v_a) / (p_b - p_a)``; the reading
    error ``pixel_error`` (pixels, a 90% bound) becomes a lognormal spread of
    ``pixel_error / pixels_per_decade`` decades either side. Works for y axes in image
    coordinates too (pixels growing downwards): the ticks fix the direction.
    """
    pa, va = (_finite(tick_a[0], "tick_a pixel"), _finite(tick_a[1], "tick_a value"))
    pb, vb = (_finite(tick_b[0], "tick_b pixel"), _finite(tick_b[1], "tick_b value"))
    if va <= 0 or vb <= 0:
        raise InputError("tick values on a log axis must be positive")
    if pa == pb or va == vb:
        raise InputError("the two ticks must be at different pixels and different values")
    ppd = (pb - pa) / (math.log10(vb) - math.log10(va))
    center = math.log10(va) + (_finite(pixel, "pixel") - pa) / ppd
    err = abs(_finite(pixel_error, "pixel_error")) / abs(ppd)
    q = _reading(
        center,
        err,
        name,
        f"pixel {pixel:g} on an axis of {abs(ppd):.3g} pixels per decade, "
        f"read to +/-{pixel_error:g} px",
    )
    return q.with_meta(
        method="chart_value",
        assumptions=[
            "the axis is logarithmic and the two ticks are read exactly",
            f"reading error +/-{pixel_error:g} px is a 90% bound",
        ],
    )


def chart_ratio(
    px_a: float,
    px_b: float,
    pixels_per_decade: float,
    *,
    pixel_error: float = 2.0,
    name: str = "chart ratio",
) -> Uncertain:
    """The ratio ``value_b / value_a`` of two points on a log-scale axis with no labels.

    ``ratio = 10^((px_b - px_a) / pixels_per_decade)``; both readings err by ``pixel_error``
    (90%), so the difference errs by ``sqrt(2) x pixel_error``. Use a negative
    ``pixels_per_decade`` for a y axis whose pixels grow downwards.
    """
    ppd = _finite(pixels_per_decade, "pixels_per_decade")
    if ppd == 0:
        raise InputError("pixels_per_decade must not be zero")
    center = (_finite(px_b, "px_b") - _finite(px_a, "px_a")) / ppd
    err = math.sqrt(2) * abs(_finite(pixel_error, "pixel_error")) / abs(ppd)
    q = _reading(
        center,
        err,
        name,
        f"{px_b - px_a:g} px apart at {abs(ppd):g} px per decade, "
        f"each read to +/-{pixel_error:g} px",
    )
    return q.with_unit(None).with_meta(
        method="chart_ratio",
        assumptions=[
            "the axis is logarithmic with the stated pixels per decade",
            "the two readings err independently",
        ],
    )


# ---- helpers --------------------------------------------------------------------------------


def _reading(center_log10: float, err_log10: float, name: str, description: str) -> Uncertain:
    if err_log10 == 0:
        return named(10**center_log10, name, description=description)
    return ci(
        10 ** (center_log10 - err_log10),
        10 ** (center_log10 + err_log10),
        name=name,
        description=description,
    )


def _finish(
    result: Uncertain, method: str, assumptions: list[str], unit: str = "FLOP"
) -> Uncertain:
    out = result.with_unit(unit).with_meta(method=method, assumptions=assumptions)
    _warn_magnitude(out)
    return out


def _warn_magnitude(q: Uncertain) -> None:
    if q.unit != "FLOP":
        return
    largest = float(as_uncertain(_largest_run()).median())
    med = q.median()
    if med > 1000 * largest:
        warnings.warn(
            f"the estimate {med:.2g} FLOP is more than 1000x the largest known training "
            f"run (~{largest:.0e} FLOP); check the units of the inputs",
            PlausibilityWarning,
            stacklevel=3,
        )
    elif 0 < med < 1e15:
        warnings.warn(
            f"the estimate {med:.2g} FLOP is less than a second of one modern GPU; "
            "check the units of the inputs",
            PlausibilityWarning,
            stacklevel=3,
        )


def _largest_run() -> float:
    return largest_run_flop()


def _utilization(value: Any, stage: str, precision: str) -> Uncertain:
    if value is None:
        return prior(utilization_prior_name(STAGES[stage], precision))
    u = named(value, "utilization", description="share of peak FLOP/s achieved")
    if u.is_exact or u.is_point:
        hi = u.percentile(95)
        lo = u.percentile(5)
    else:
        lo, hi = u.interval(0.9)
    if lo <= 0:
        raise InputError(f"utilization must be positive, got {_describe(u)}")
    if hi > 1:
        raise InputError(
            f"utilization is a share of peak and must be at most 1, got {_describe(u)} "
            f"(95th percentile {hi:.3g})"
        )
    return u


def _positive(value: Any, name: str, description: str) -> Any:
    if isinstance(value, (str, Symbol)):
        raise InputError(f"{name} must be a number, got the word {str(value)!r}")
    q = named(value, name, description=description)
    lo = q.percentile(5) if (q.is_exact or q.is_point) else q.interval(0.9)[0]
    if not lo > 0:
        raise InputError(f"{name} must be positive, got {_describe(q)}")
    return q


def _finite(x: Any, what: str) -> float:
    try:
        v = float(x)
    except (TypeError, ValueError):
        raise InputError(f"{what} must be a number, got {x!r}") from None
    if not math.isfinite(v):
        raise InputError(f"{what} must be a finite number, got {x!r}")
    return v


def _check_stage(stage: str) -> None:
    if stage not in STAGES:
        raise InputError(f"unknown stage {stage!r}; allowed: {', '.join(STAGES)}")


def _describe(q: Uncertain) -> str:
    if q.is_point:
        return f"{q.median():.3g}"
    lo, hi = q.interval(0.9)
    return f"{lo:.3g} to {hi:.3g} (90%)"


def _get(entry: Any, key: str) -> Any:
    return entry[key] if isinstance(entry, dict) else getattr(entry, key)


def _chip_sources(chip: Any) -> list[str]:
    out = []
    for s in getattr(chip, "sources", []) or []:
        out.append(s if isinstance(s, str) else str(_get(s, "url")))
    return out
