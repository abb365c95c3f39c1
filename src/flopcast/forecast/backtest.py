"""Backtest: forecast as of a past date, then hold the forecast against what was learnt later.

``backtest(as_of)`` runs a scenario (default: the seed analysis) with ``evidence.as_of`` set,
so that only what was public on that day reaches the forecast:

* **records**: every ``@record`` reference sees only records released on or before that day
  and only their lines of evidence dated on or before it
  (:func:`flopcast.forecast.references.value_as_of`); ``inputs.records`` lists what was used;
* **parameter sources**: a parameter whose source was published after the cut-off is refused
  (one clear error); one whose source has no date is flagged (``inputs.parameters.undated``),
  as is a value set by the user.

It then scores the forecast against every later observation: each record released after the
cut-off with an RL-stage figure (against the reasoning band at its release), a total (against
the frontier band) or an RL share, with proper scores (:mod:`flopcast.forecast.scores`: log
score and CRPS in log10 units), the PIT and whether it lies inside the 50% and 90% bands. Only
a record that sets a new maximum is a test of the trajectory, which forecasts the *largest*
run; smaller models fall below it by design (``test: false``). The **meeting check** compares
the forecast's probability of a meeting by the data date with what the records show then
(:mod:`flopcast.forecast.status`), with its Brier score. **Revisions** are records released
before the cut-off whose evidence gained lines dated after it, as the ratio of today's median
to the median known then.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from flopcast.core import summary as summary_shape
from flopcast.core.dates import bounded_date, parse_date, to_year
from flopcast.core.errors import InputError, ScenarioError
from flopcast.evidence import dataset as _dataset
from flopcast.forecast.model import ForecastResult, run
from flopcast.forecast.references import value_as_of
from flopcast.forecast.scenario import Scenario, load_scenario
from flopcast.forecast.scores import score
from flopcast.forecast.status import cap_status, meeting_after

FIELDS = {"rl": "reasoning", "total": "frontier"}


def backtest(
    as_of: str,
    scenario: Scenario | str = "seed-analysis",
    *,
    n: int = 20_000,
    seed: int = 0,
    dataset: Any = None,
    overrides: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Forecast with what was public up to ``as_of`` and score it against what came after."""
    cutoff = bounded_date(as_of, "as_of")
    ds = dataset if dataset is not None else _dataset.load()
    rows = sorted(ds.table(n=n, seed=seed), key=lambda r: r["release_date"])
    if not rows or parse_date(rows[0]["release_date"]) > cutoff:
        first = f"; the earliest record, {rows[0]['id']}, was released {rows[0]['release_date']}"
        raise InputError(
            f"no evidence on or before {cutoff}"
            + (first if rows else "")
            + "; pick a later --as-of"
        )
    changes = {**(overrides or {}), "evidence.as_of": cutoff.isoformat()}
    sc = (
        scenario.with_overrides(changes, source="backtest")
        if isinstance(scenario, Scenario)
        else load_scenario(scenario).with_overrides(changes, source="backtest")
    )
    sources = parameter_sources(sc, cutoff)
    res = run(sc, n=n, seed=seed, dataset=ds)
    later = _later(res, rows, cutoff)
    summary = {
        fld: _summary([c for c in later if c["field"] == fld and c["test"]])
        for fld in (*FIELDS, "rl_share")
    }
    return {
        "as_of": cutoff.isoformat(),
        "scenario": sc.name,
        "seed": seed,
        "samples": n,
        "data_version": getattr(ds, "version", None),
        "inputs": {"records": dict(res.quantities.records), "parameters": sources},
        "forecast": res.to_dict(),
        "later": later,
        "summary": summary,
        "meeting": _meeting_check(res, ds),
        "revisions": _revisions(ds, rows, cutoff),
    }


def parameter_sources(sc: Scenario, cutoff: Any) -> dict[str, Any]:
    """The publication date of each parameter the forecast uses; ScenarioError for one after
    ``cutoff``. Keys: ``dated`` (key -> date), ``records`` (keys read from the dataset, which
    the as-of date filters), ``undated`` and ``user_set`` (flagged: not checkable)."""
    out: dict[str, Any] = {"dated": {}, "records": [], "undated": [], "user_set": []}
    for key in sc.in_use():
        entry, value = sc.entries[key], sc.values[key]
        if key == "evidence.as_of":
            continue
        if value.ref is not None or "@" in value.text:
            out["records"].append(key)
        elif key in sc.overrides and entry.source != "backtest":
            out["user_set"].append(key)
        elif entry.published is None:
            out["undated"].append(key)
        elif entry.published > cutoff:
            raise ScenarioError(
                f"its source ({entry.source}) was published {entry.published}, after the "
                f"cut-off {cutoff}: only what was public then may reach the forecast; "
                f"--set {key}=... or choose a later --as-of",
                path=sc.path,
                field=key,
            )
        else:
            out["dated"][key] = entry.published.isoformat()
    return out


def _later(res: ForecastResult, rows: list[dict], cutoff: Any) -> list[dict]:
    out = []
    best = {"rl": -math.inf, "total": -math.inf}
    for row in rows:
        released = parse_date(row["release_date"])
        new_max = {f: bool(row.get(f)) and row[f]["median"] > best[f] for f in best}
        if released > cutoff:
            t = to_year(released)
            for fld, series in FIELDS.items():
                obs = row.get(fld)
                if obs:
                    draws = (res.reasoning_at if series == "reasoning" else res.frontier_at)(t)
                    out.append(_compare(row, fld, obs, draws, test=new_max[fld]))
            share = row.get("rl_share")
            if share:
                draws = res.reasoning_at(t) - res.frontier_at(t)
                out.append(_compare(row, "rl_share", share, draws, test=new_max["rl"]))
        for f in best:
            if row.get(f):
                best[f] = max(best[f], row[f]["median"])
    return out


def _compare(row: dict, fld: str, obs: dict, draws_log10: np.ndarray, test: bool) -> dict[str, Any]:
    obs_log = math.log10(obs["median"])
    p50 = float(np.median(draws_log10))
    unit = None if fld == "rl_share" else "FLOP"
    forecast = summary_shape.summary(lambda ps: 10 ** np.percentile(draws_log10, ps), unit=unit)
    return {
        "id": row["id"],
        "release_date": row["release_date"],
        "field": fld,
        "observed": {k: obs[k] for k in ("median", "p5", "p95") if k in obs},
        "forecast": forecast,
        "log10_error": obs_log - float(p50),
        **score(draws_log10, obs_log),
        "test": test,
        "new_max": test,
    }


def _summary(tests: list[dict]) -> dict[str, Any]:
    n = len(tests)
    mean = (lambda k: float(np.mean([c[k] for c in tests]))) if n else (lambda k: None)
    return {
        "compared": n,
        "inside_50": sum(c["inside_50"] for c in tests),
        "inside_90": sum(c["inside_90"] for c in tests),
        "coverage_50": mean("inside_50"),
        "coverage_90": mean("inside_90"),
        "mean_log_score": mean("log_score"),
        "mean_crps": mean("crps"),
        "median_pit": float(np.median([c["pit"] for c in tests])) if n else None,
    }


def _meeting_check(res: ForecastResult, ds: Any) -> dict[str, Any]:
    """The forecast's P(meeting by the data date) against what the records show then."""
    status = cap_status(res, ds)
    p = meeting_after(res, status["data_date"])["prob_met_before"]
    observed = bool(status["met"])
    return {
        "data_date": status["data_date"],
        "forecast_prob_met": p,
        "observed_met": observed,
        "brier": (p - float(observed)) ** 2,
        "closest": status["closest"],
        "first_met": status["first_met"],
    }


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
