"""The report's backtest: the seed analysis as of its own date, scored against what came after.

:func:`run` calls :func:`flopcast.forecast.backtest.backtest` (the seed analysis as of
2025-05-13, the day Epoch AI published it: only records and parameter sources public then reach
the forecast) and keeps what the report states; :func:`blocks` lays it out: per later
observation the observed and forecast medians, the PIT, the log score and CRPS (log10 units),
whether it lies inside the 50% and 90% bands; coverage per quantity; and the "meeting observed?"
check. Nothing is scored here.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from flopcast.core import fmt
from flopcast.core.errors import FlopcastError
from flopcast.forecast.backtest import backtest

Block = tuple[Any, ...]

SCENARIO = "seed-analysis"
# The publication date of Epoch AI's "How far can reasoning models scale?"
# (https://epoch.ai/gradient-updates/how-far-can-reasoning-models-scale), which the seed
# scenario restates (data/scenarios/seed-analysis.yaml, its ``published`` dates).
AS_OF = "2025-05-13"
FIELD_TEXT = {"rl": "RL stage", "total": "total", "rl_share": "RL share"}


def run(ds: Any, *, n: int, seed: int) -> dict[str, Any]:
    """The backtest the report shows (JSON-ready); ``{"error": ...}`` if the data cannot run it
    (a user's dataset with no record before the cut-off, say)."""
    try:
        out = backtest(AS_OF, SCENARIO, n=n, seed=seed, dataset=ds)
    except FlopcastError as e:
        return {"as_of": AS_OF, "scenario": SCENARIO, "error": str(e)}
    out = dict(out)
    out.pop("forecast", None)  # the forecast as of the cut-off: its scores are what matter here
    return out


def blocks(bt: Mapping[str, Any] | None, names: Mapping[str, str]) -> list[Block]:
    """The section "Backtest": later observations, coverage, meeting check, revisions."""
    if not bt:
        return []
    out: list[Block] = [("h2", f"Backtest: {bt['scenario']} as of {bt['as_of']}")]
    if bt.get("error"):
        return [*out, ("p", f"Not run on this data: {bt['error']}.")]
    params = bt["inputs"]["parameters"]
    used = ", ".join(f"{names.get(k, k)} ({v})" for k, v in bt["inputs"]["records"].items())
    out.append(
        (
            "p",
            f"The forecast made with only what was public on {bt['as_of']}: records released by "
            f"then ({used or 'none referenced'}) and parameters whose sources were published by "
            f"then ({len(params['dated'])} dated"
            + (
                f"; undated, not checkable: {', '.join(params['undated'])}"
                if params["undated"]
                else ""
            )
            + "), scored against every record released later. Log score: ln of the forecast "
            "density at the observed median per order of magnitude (higher is better); CRPS in "
            "orders of magnitude (lower is better); PIT: the forecast's share below the "
            "observation. Only a record that sets a new maximum tests the trajectory, which "
            "forecasts the largest run; the others are shown and not counted.",
        )
    )
    out.append(("table", _summary_header(), _summary_rows(bt["summary"])))
    out.append(
        (
            "table",
            [
                "Record",
                "Released",
                "Quantity",
                "Observed",
                "Forecast (90%)",
                "PIT",
                "Log score",
                "CRPS",
                "In 50%",
                "In 90%",
                "Tests the trajectory",
            ],
            [_later_row(c, names) for c in bt["later"]],
        )
    )
    out.append(("p", meeting_sentence(bt["meeting"], names)))
    revs = bt.get("revisions") or []
    if revs:
        out.append(
            (
                "p",
                "Revised since the cut-off (records public then whose evidence gained later "
                "lines): "
                + "; ".join(
                    f"{names.get(r['id'], r['id'])} {FIELD_TEXT.get(r['field'], r['field'])} "
                    f"{fmt.number(r['median_as_of'])} then, {fmt.number(r['median_now'])} now "
                    f"({fmt.ratio(r['ratio'])})"
                    for r in revs
                )
                + ".",
            )
        )
    return out


def meeting_sentence(m: Mapping[str, Any], names: Mapping[str, str]) -> str:
    """The "meeting observed?" check as one sentence."""
    seen = "a record shows one" if m["observed_met"] else "no record shows one"
    c = m.get("first_met") or m.get("closest")
    who = (
        f" ({'first' if m.get('first_met') else 'closest'}: {names.get(c['id'], c['id'])}, "
        f"{c['release_date']}, P(met) = {fmt.percent(c['prob_met'])})"
        if c
        else ""
    )
    return (
        f"Meeting observed? The forecast gave a meeting by {m['data_date']} (the data date) a "
        f"probability of {fmt.percent(m['forecast_prob_met'], 3)}; {seen}{who}; Brier score "
        f"{fmt.number(m['brier'])} (0 is a perfect forecast, 1 the worst)."
    )


# ---- private ----------------------------------------------------------------------------------


def _summary_header() -> list[str]:
    return [
        "Quantity",
        "Tests",
        "Inside 50%",
        "Inside 90%",
        "Mean log score",
        "Mean CRPS (OOM)",
        "Median PIT",
    ]


def _summary_rows(summary: Mapping[str, Any]) -> list[list[str]]:
    rows = []
    for fld, s in summary.items():
        n = s["compared"]
        rows.append(
            [
                FIELD_TEXT.get(fld, fld),
                str(n),
                f"{s['inside_50']} of {n} ({fmt.percent(s['coverage_50'], missing='n/a')})",
                f"{s['inside_90']} of {n} ({fmt.percent(s['coverage_90'], missing='n/a')})",
                _score(s["mean_log_score"]) if n else fmt.NOT_APPLICABLE,
                fmt.number(s["mean_crps"], missing=fmt.NOT_APPLICABLE),
                fmt.number(s["median_pit"], missing=fmt.NOT_APPLICABLE),
            ]
        )
    return rows


def _later_row(c: Mapping[str, Any], names: Mapping[str, str]) -> list[str]:
    f = c["forecast"]
    share = c["field"] == "rl_share"
    num = fmt.percent if share else fmt.number
    return [
        names.get(c["id"], c["id"]),
        c["release_date"],
        FIELD_TEXT.get(c["field"], c["field"]),
        num(c["observed"]["median"]),
        f"{num(f['median'])} ({num(f['lo'])} to {num(f['hi'])})",
        fmt.number(c["pit"]),
        _score(c["log_score"]),
        fmt.number(c["crps"]),
        "yes" if c["inside_50"] else "no",
        "yes" if c["inside_90"] else "no",
        "yes (new maximum)" if c["test"] else "no",
    ]


def _score(x: float | None) -> str:
    """A log score; JSON's ``null`` is ``-inf``: the observation lies beyond every draw."""
    if x is None or (isinstance(x, float) and math.isinf(x) and x < 0):
        return "-inf (beyond every draw)"
    return fmt.number(x)
