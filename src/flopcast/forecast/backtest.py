"""Backtest: forecast as of a past date, then hold the forecast against what was learnt later.

``backtest(as_of)`` runs a scenario with ``evidence.as_of`` set, so every ``@record``
reference sees only records released on or before that day and only their lines of evidence
dated on or before it (:func:`flopcast.forecast.references.value_as_of`). It then compares:

* **later records**: each record released after ``as_of`` with an RL-stage figure, against the
  forecast band of reasoning compute at its release date; each with a total training figure,
  against the frontier band. The score of one comparison is its PIT, the share of forecast draws
  below the observed median (0.5 is dead centre; below 0.05 or above 0.95 is outside the 90%
  band). Only a record that sets a new maximum of RL compute is a test of the trajectory, which
  forecasts the *largest* reasoning run: smaller models fall below it by design (``new_max``).
* **revisions**: records released before ``as_of`` whose evidence gained lines dated after it
  (e.g. DeepSeek's September 2025 GPU-hour disclosure for R1), as the ratio of today's median
  to the median known at ``as_of``.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from flopcast.evidence import dataset as _dataset
from flopcast.forecast.dates import parse_date, to_year
from flopcast.forecast.model import ForecastResult, run
from flopcast.forecast.references import value_as_of
from flopcast.forecast.scenario import Scenario, load_scenario

FIELDS = {"rl": "reasoning", "total": "frontier"}


def backtest(
    as_of: str,
    scenario: Scenario | str = "latest-evidence",
    *,
    n: int = 20_000,
    seed: int = 0,
    dataset: Any = None,
    overrides: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Forecast with evidence up to ``as_of`` and compare with evidence dated after it."""
    cutoff = parse_date(as_of, "as_of")
    if dataset is None:
        dataset = _dataset.load()
    changes = {**(overrides or {}), "evidence.as_of": cutoff.isoformat()}
    sc = (
        scenario.with_overrides(changes)
        if isinstance(scenario, Scenario)
        else load_scenario(scenario, changes)
    )
    res = run(sc, n=n, seed=seed, dataset=dataset)
    rows = dataset.table(n=n, seed=seed)
    later = _later(res, rows, cutoff)
    revisions = _revisions(dataset, rows, cutoff)
    summary = {}
    for fld in FIELDS:
        tests = [c for c in later if c["field"] == fld and c.get("new_max", True)]
        summary[fld] = {
            "compared": len(tests),
            "inside_90": sum(c["inside_90"] for c in tests),
            "median_pit": float(np.median([c["pit"] for c in tests])) if tests else None,
        }
    return {
        "as_of": cutoff.isoformat(),
        "scenario": sc.name,
        "seed": seed,
        "samples": n,
        "data_version": getattr(dataset, "version", None),
        "forecast": res.to_dict(),
        "later": later,
        "revisions": revisions,
        "summary": summary,
    }


def _later(res: ForecastResult, rows: list[dict], cutoff: Any) -> list[dict]:
    out = []
    best_rl = -math.inf
    for row in sorted(rows, key=lambda r: r["release_date"]):
        released = parse_date(row["release_date"])
        rl = row.get("rl")
        is_new_max = rl is not None and rl["median"] > best_rl
        if released > cutoff:
            for fld, series in FIELDS.items():
                obs = row.get(fld)
                if not obs:
                    continue
                draws = (res.reasoning_at if series == "reasoning" else res.frontier_at)(
                    to_year(released)
                )
                out.append(
                    _compare(row, fld, obs, draws, new_max=is_new_max if fld == "rl" else None)
                )
            share = row.get("rl_share")
            if share:
                t = to_year(released)
                draws = res.reasoning_at(t) - res.frontier_at(t)
                out.append(_compare(row, "rl_share", share, draws, new_max=None))
        if rl is not None:
            best_rl = max(best_rl, rl["median"])
    return out


def _compare(
    row: dict, fld: str, obs: dict, draws_log10: np.ndarray, new_max: bool | None
) -> dict[str, Any]:
    obs_log = math.log10(obs["median"])
    p5, p50, p95 = np.percentile(draws_log10, [5, 50, 95])
    pit = float(np.mean(draws_log10 < obs_log))
    out = {
        "id": row["id"],
        "release_date": row["release_date"],
        "field": fld,
        "observed": {k: obs[k] for k in ("median", "p5", "p95") if k in obs},
        "forecast": {"median": 10**p50, "p5": 10**p5, "p95": 10**p95},
        "log10_error": obs_log - float(p50),
        "pit": pit,
        "inside_90": bool(0.05 <= pit <= 0.95),
    }
    if new_max is not None:
        out["new_max"] = new_max
    return out


def _revisions(ds: Any, rows: list[dict], cutoff: Any) -> list[dict]:
    out = []
    for row in rows:
        rec = ds.get(row["id"])
        if rec.release_date > cutoff:
            continue
        for fld in ("pretraining", "rl"):
            ev = getattr(rec, fld, None)
            lines = getattr(ev, "lines", None) or []
            after = [ln for ln in lines if ln.date and ln.date > cutoff]
            if not after:
                continue
            then = value_as_of(ds, rec.id, fld, cutoff)
            now = ds.quantity(rec.id, fld)
            if then is None or now is None:
                continue
            m_then, m_now = then.median(), now.median()
            out.append(
                {
                    "id": rec.id,
                    "field": fld,
                    "median_as_of": m_then,
                    "median_now": m_now,
                    "ratio": m_now / m_then,
                    "lines_after": [
                        {
                            "date": ln.date.isoformat(),
                            "estimate": ln.expression(),
                            "source": ln.sources[0].url,
                        }
                        for ln in after
                    ],
                }
            )
    return out
