"""Documented defaults: what flopcast assumes when a source gives no figure.

Two kinds, one way in (:func:`prior`):

* ``utilization.*`` priors are **fitted** to the published points of ``data/utilization.yaml``
  by :mod:`flopcast.estimate.utilization` (one per phase, and per precision where the phase has
  points at several): ``utilization.pretraining``, ``utilization.finetune``, ``utilization.rl``
  (a whole RL run), ``utilization.rl_update``, ``utilization.rollout`` (assumed: rests on the
  decode inference points), ``utilization.inference``, and e.g. ``utilization.pretraining.fp8``;
* every other prior is an entry of ``data/priors.yaml`` with its reasoning and sources
  (validated by :class:`PriorEntry`).
"""

from __future__ import annotations

import difflib
import functools
from importlib import resources
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, RootModel

from flopcast.core import yamlio
from flopcast.core.errors import UnknownNameError
from flopcast.core.expr import evaluate
from flopcast.core.uncertain import Uncertain, named
from flopcast.estimate import utilization as _util

UTILIZATION_SOURCE = "data/utilization.yaml (fitted; see docs/methodology.md)"
# A fitted prior is labelled Likely when its phase has at least this many points, else
# Speculative (flopcast's own rule, documented in docs/methodology.md).
LIKELY_MIN_POINTS = 10


class _Source(BaseModel):
    model_config = ConfigDict(extra="forbid")
    url: str = Field(pattern=r"^https?://")
    title: str
    states: str


class PriorEntry(BaseModel):
    """One hand-written prior of ``data/priors.yaml``."""

    model_config = ConfigDict(extra="forbid")
    value: str | float
    unit: str
    confidence: str
    reasoning: str
    sources: list[_Source] = Field(min_length=1)
    accessed: Any = None


class PriorsFile(RootModel[dict[str, PriorEntry]]):
    pass


def prior(name: str) -> Uncertain:
    """A documented default (``utilization.rl``, ...) as a named input."""
    fitted = _util.fits().get(name)
    if fitted is not None:
        return fitted.quantity()
    entry = _file().get(name)
    if entry is None:
        known = sorted([*_file(), *_util.fits()])
        raise UnknownNameError("prior", name, difflib.get_close_matches(name, known, n=3))
    sources = "; ".join(s.url for s in entry.sources)
    q = evaluate(str(entry.value))
    description = f"default prior ({entry.confidence}): {entry.reasoning}"
    return named(q, name.replace(".", " "), description=description.strip(), source=sources)


def utilization_prior_name(stage_phase: str, precision: str) -> str:
    """``utilization.<stage>.<precision>`` where fitted, else ``utilization.<stage>``."""
    base = f"utilization.{stage_phase}"
    specific = f"{base}.{precision}"
    return specific if specific in _util.fits() else base


def utilization_prior(stage_phase: str, precision: str) -> Uncertain:
    """The fitted prior :func:`utilization_prior_name` names."""
    return prior(utilization_prior_name(stage_phase, precision))


def prior_precision(name: str) -> str | None:
    """The precision whose peak a fitted prior's points are measured against (None: pooled)."""
    fit = _util.fits().get(name)
    return fit.precision if fit is not None else None


def priors() -> dict[str, dict[str, Any]]:
    """Every prior with its value, reasoning and sources (fitted ones with their fit)."""
    out = {k: v.model_dump(mode="json") for k, v in _file().items()}
    points = {p.id: p for p in _util.load_points()}
    for name, fit in _util.fits().items():
        lo, hi = fit.interval(0.9)
        out[name] = {
            "value": f"{lo:.4g} to {hi:.4g}",
            "unit": "fraction of peak dense FLOP/s at the precision the run used",
            "confidence": "Likely" if fit.n_phase >= LIKELY_MIN_POINTS else "Speculative",
            "reasoning": fit.describe(),
            "sources": [
                {"url": s.url, "title": s.title, "states": s.states, "point": pid}
                for pid in fit.points
                for s in points[pid].sources[:1]
            ],
            "fit": {
                "phase": fit.phase,
                "precision": fit.precision,
                "points": list(fit.points),
                "excluded": list(fit.excluded),
                "mu_mle": fit.mu_mle,
                "sigma_mle": fit.sigma_mle,
                "median": fit.median,
                "sigma": fit.sigma,
                "df": fit.df,
                "assumed": fit.assumed or None,
                "data": UTILIZATION_SOURCE,
            },
        }
    return out


def largest_run_flop() -> float:
    """``magnitude.largest_run_flop``: the magnitude warning's reference."""
    return float(str(_file()["magnitude.largest_run_flop"].value))


@functools.cache
def _file() -> dict[str, PriorEntry]:
    text = (resources.files("flopcast") / "data" / "priors.yaml").read_text("utf-8")
    data, lines = yamlio.load(text, "data/priors.yaml")
    return dict(yamlio.validate(PriorsFile, data, "data/priors.yaml", lines).root)
