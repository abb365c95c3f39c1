"""What the evidence says as of the data date: has reasoning-stage compute met the cap?

A forecast made from a 2025 start may put the meeting date before the newest evidence. This
module says, before any prediction, what the records show:

* the **data date** is the newest release date among the records;
* each record with an RL-stage figure, released on or before it, is held against the cap at its
  release: for the ``share`` and ``parity`` caps a fraction ``kappa`` of the frontier run, the
  record with the largest median total compute released on or before it (pre-training where
  its total is unknown, a lower bound: :func:`flopcast.forecast.trends.frontier_row`) (``kappa`` = the
  median ``cap.share``; 1/2 for parity in FLOP; ``k / (1 + k)`` with ``k`` the median ratio of
  the utilisation priors in GPU-time); for a budget cap the forecast's own cap line;
* the probability that it meets the cap treats both figures as lognormal from their 5th, 50th
  and 95th percentiles, independent (NB: when the record is its own frontier run, its RL share
  is used directly, which keeps their dependence);
* then the forecast's probability of a meeting by the data date, and its meeting date *given
  no meeting by then*: what it predicts from the data date on.
"""

from __future__ import annotations

import copy
import math
import weakref
from typing import Any

import numpy as np
from scipy.special import ndtr

from flopcast.core.dates import parse_date, to_date, to_year
from flopcast.evidence import dataset as _dataset
from flopcast.forecast.lognormal import Z95
from flopcast.forecast.model import PERCENTILES, ForecastResult
from flopcast.forecast.trends import frontier_row

__all__ = ["cap_status", "meeting_after"]


def cap_status(res: ForecastResult, dataset: Any = None) -> dict[str, Any]:
    """The as-of status of one forecast (see the module docstring); a JSON-ready dict."""
    ds = dataset if dataset is not None else res.quantities.dataset or _dataset.load()
    kappa = _cap_fraction(res)
    data_date, checks = _checks(res, ds, kappa)
    met = [c for c in checks if c["prob_met"] >= 0.5]
    closest = max(checks, key=lambda c: c["prob_met"]) if checks else None
    after = meeting_after(res, data_date.isoformat())
    return {
        "data_date": data_date.isoformat(),
        "data_version": getattr(ds, "version", None),
        "cap": {"kind": res.scenario.cap_kind, "fraction_of_frontier_run": kappa},
        "met": bool(met),
        "first_met": met[0] if met else None,
        "closest": closest,
        "records": checks,
        "forecast_prob_met_by_data_date": after["prob_met_before"],
        "from_data_date": after,
    }


def meeting_after(res: ForecastResult, date: str) -> dict[str, Any]:
    """P(meeting before ``date``) and the meeting date's percentiles given none by then."""
    s_d = to_year(date) - res.t0
    e = res.exact
    if e is not None:
        before = float(e.meeting_cdf(max(s_d, 0.0))) if s_d > 0 else 0.0
        targets = 100.0 * (before + np.asarray(PERCENTILES) / 100.0 * (1.0 - before))
        years = res.t0 + e.meeting_quantiles(np.minimum(targets, 100.0))
    else:
        m = res.meeting_years
        before = float(np.mean(m < to_year(date)))
        later = m[m >= to_year(date)]
        years = np.percentile(later, PERCENTILES) if later.size else np.full(5, math.inf)
    names = ("p5", "p25", "median", "p75", "p95")
    dates = {k: (to_date(float(v)) or None) for k, v in zip(names, years, strict=True)}
    return {"date": date, "prob_met_before": before, "meeting_date_given_not_met": dates}


def _checks(res: ForecastResult, ds: Any, kappa: float | None) -> tuple[Any, list[dict]]:
    """The data date and each RL record held against the cap at its release.

    Against a fraction ``kappa`` of the frontier run this depends on the records and ``kappa``
    only, so it is worked out once per loaded dataset (whose records do not change) and copied
    to each caller; a budget cap reads the forecast's own draws, so it is worked out each time.
    """
    memo = _MEMO.get(ds) if kappa is not None and _weakrefable(ds) else None
    if memo is not None and kappa in memo:
        return copy.deepcopy(memo[kappa])
    rows = sorted(ds.table(), key=lambda r: r["release_date"])
    data_date = max(parse_date(r["release_date"]) for r in rows)
    checks = []
    for i, row in enumerate(rows):
        if not row.get("rl"):
            continue
        released = parse_date(row["release_date"])
        frontier = _frontier_record(
            rows[: i + 1] + [r for r in rows if r["release_date"] == row["release_date"]]
        )
        checks.append(_check(res, row, frontier, kappa, released))
    if kappa is not None and _weakrefable(ds):
        memo = _MEMO.setdefault(ds, {})
        if len(memo) >= _MEMO_SIZE:  # many cap fractions (a server asked for each): start over
            memo.clear()
        memo[kappa] = copy.deepcopy((data_date, checks))
    return data_date, checks


_MEMO: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # dataset -> {kappa: checks}
_MEMO_SIZE = 64


def _weakrefable(obj: Any) -> bool:
    try:
        weakref.ref(obj)
    except TypeError:
        return False
    return True


def _cap_fraction(res: ForecastResult) -> float | None:
    kind = res.scenario.cap_kind
    v = res.quantities.values
    if kind == "share":
        return float(v["cap.share"].median())
    if kind == "parity":
        if res.quantities.choices.get("cap.parity_in") == "gpu_time":
            k = float((v["utilization.rl"] / v["utilization.pretraining"]).median())
            return k / (1.0 + k)
        return 0.5
    return None  # a budget cap is not a fraction of a run


def _frontier_record(rows: list[dict]) -> tuple[dict, str] | None:
    return frontier_row(rows, "total")


def _check(
    res: ForecastResult,
    row: dict,
    picked: tuple[dict, str] | None,
    kappa: float | None,
    released: Any,
) -> dict[str, Any]:
    rl = row["rl"]
    out: dict[str, Any] = {"id": row["id"], "release_date": row["release_date"], "rl": rl["median"]}
    if kappa is None:  # budget: the forecast's cap line at the release date
        cap = _cap_draws(res, to_year(released))
        x = math.log10(rl["median"])
        out.update(cap=float(10 ** np.median(cap)), prob_met=float(np.mean(cap <= x)))
        out["against"] = f"the scenario's {res.scenario.cap_kind} cap"
        return out
    if picked is None:
        out.update(cap=None, prob_met=0.0, against="no record with a total before it")
        return out
    frontier, fld = picked
    cap_median = kappa * frontier[fld]["median"]
    out.update(cap=cap_median, against=f"{kappa:.3g} x {frontier['id']} {fld}")
    if frontier["id"] == row["id"] and row.get("rl_share"):
        mu, sd = _log_form(row["rl_share"])
        out["prob_met"] = (
            float(ndtr((mu - math.log10(kappa)) / sd)) if sd > 0 else float(mu >= math.log10(kappa))
        )
        return out
    mu_r, sd_r = _log_form(rl)
    mu_f, sd_f = _log_form(frontier[fld])
    gap = mu_r - mu_f - math.log10(kappa)
    sd = math.hypot(sd_r, sd_f)
    out["prob_met"] = float(ndtr(gap / sd)) if sd > 0 else float(gap >= 0)
    return out


def _log_form(stats: dict) -> tuple[float, float]:
    """log10 median and sd of a (p5, median, p95) summary read as lognormal."""
    lo, hi = stats.get("p5") or stats["median"], stats.get("p95") or stats["median"]
    return math.log10(stats["median"]), (math.log10(hi) - math.log10(lo)) / (2 * Z95)


def _cap_draws(res: ForecastResult, t: float) -> np.ndarray:
    lines = res.lines
    return lines.c0 + lines.g_c * (t - lines.t_c)
