"""What the report says first: the as-of status of the evidence, then the forecast from then on.

:func:`lead` turns :func:`flopcast.forecast.status.cap_status` (has reasoning-stage compute met
the cap by the data date, the newest record's release, and with what probability) and
:meth:`flopcast.forecast.model.ForecastResult.method_info` (closed form or Monte Carlo) into
the sentences the report leads with; :func:`blocks` lays them out with the records behind them.
A forecast date before the data date is a date the records can already check, so it is always
printed with :func:`when`, which says so ("2025-11-09, past as of the data date"), never as a
prediction. Nothing is computed here.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flopcast.core import fmt

Block = tuple[Any, ...]
PAST = "past as of the data date"
CLOSEST_SHOWN = 10  # records in the status table: the closest to the cap first
# The forecast and the records contradict each other when the forecast gave a meeting by the
# data date at least this probability and the records show none (or at most 1 - this and they
# show one). NB: a reading threshold for the sentence, not a test.
CONTRADICTION = 0.9


def when(date: str | None, data_date: str | None, *, missing: str = "never") -> str:
    """A forecast date as the report prints it: marked when the data date has passed it."""
    if not date:
        return missing
    return f"{date} ({PAST})" if data_date and date <= data_date else date


def lead(
    status: Mapping[str, Any], method: Mapping[str, Any], names: Mapping[str, str]
) -> dict[str, Any]:
    """The sentences the report leads with, from the as-of status, the method and record names."""
    d = status["data_date"]
    cap = status["cap"]
    kappa = cap.get("fraction_of_frontier_run")
    target = (
        f"its cap ({fmt.number(kappa)} x the largest total training compute released by then)"
        if kappa is not None
        else "its cap (the scenario's budget)"
    )
    first, closest = status.get("first_met"), status.get("closest")
    if status["met"] and first:
        k = sum(c["prob_met"] >= 0.5 for c in status.get("records") or [])
        said = f"has met {target}: the first record to meet it is {_record(first, names)}" + (
            f" ({k} records meet it with P(met) of at least 50%)" if k > 1 else ""
        )
    elif closest:
        said = f"has not met {target}; the closest record is {_record(closest, names)}"
    else:
        said = f"cannot be held against {target}: no record has an RL-stage figure"
    status_sentence = f"As of {d} (the newest record's release), reasoning-stage compute {said}."
    after = status["from_data_date"]
    p = after["prob_met_before"]
    md = after["meeting_date_given_not_met"]
    then = (
        f"it puts the meeting on {md['median']} (median; 90% interval {md.get('p5') or 'never'} "
        f"to {md.get('p95') or 'never'})"
        if md.get("median")
        else "its median draw never meets the cap"
    )
    from_then = (
        f"The forecast gave a meeting by {d} a probability of {fmt.percent(p, 3)}; from then on, "
        f"given no meeting by {d}, {then}."
    )
    contradiction = None
    if p >= CONTRADICTION and not status["met"]:
        contradiction = (
            f"The records contradict the forecast: it gave {fmt.percent(p, 3)} to a meeting by "
            f"{d}, and no record shows one (see the backtest below)."
        )
    elif p <= 1 - CONTRADICTION and status["met"]:
        contradiction = (
            f"The records contradict the forecast: it gave only {fmt.percent(p, 3)} to a meeting "
            f"by {d}, and a record shows one."
        )
    return {
        "data_date": d,
        "status_sentence": status_sentence,
        "from_data_date_sentence": from_then,
        "contradiction": contradiction,
        "method_sentence": method_sentence(method),
    }


def method_sentence(method: Mapping[str, Any]) -> str:
    """How the forecast's dates and bands were computed, as one sentence."""
    if method.get("used") == "exact":
        err = method.get("error_bound") or {}
        bound = (
            f"; error below {fmt.number(err['meeting_days'])} days on the meeting date and "
            f"{fmt.number(err['band_oom'])} orders of magnitude on the bands"
            if "meeting_days" in err and "band_oom" in err
            else ""
        )
        why = str(method.get("why", "")).removeprefix("closed form: ")
        return f"Method: closed form ({why}{bound})."
    return (
        f"Method: Monte Carlo, {int(method.get('samples') or 0):,} draws"
        + (f" ({method['why']})" if method.get("why") else "")
        + "."
    )


def blocks(data: Mapping[str, Any]) -> list[Block]:
    """The report's opening section: the as-of status, the records behind it, the method."""
    status, lead_ = data.get("status"), data.get("lead")
    if not status or not lead_:
        return []
    names = {r["id"]: r["name"] for r in data.get("models", []) if "id" in r}
    out: list[Block] = [
        ("h2", f"As of {status['data_date']}: what the records show"),
        ("p", lead_["status_sentence"]),
        ("p", lead_["from_data_date_sentence"]),
    ]
    if lead_.get("contradiction"):
        out.append(("p", lead_["contradiction"]))
    records = sorted(status.get("records") or [], key=lambda c: -c["prob_met"])
    if records:
        shown = records[:CLOSEST_SHOWN]
        out += [
            (
                "p",
                f"The {len(shown)} records closest to the cap of the {len(records)} with an "
                "RL-stage figure, each held against the cap at its release; P(met) treats both "
                "figures as lognormal from their 5th, 50th and 95th percentiles.",
            ),
            (
                "table",
                [
                    "Record",
                    "Released",
                    "RL-stage FLOP",
                    "Cap at release (FLOP)",
                    "Against",
                    "P(met)",
                ],
                [
                    [
                        names.get(c["id"], c["id"]),
                        c["release_date"],
                        fmt.number(c["rl"]),
                        fmt.number(c.get("cap"), missing=fmt.NOT_APPLICABLE),
                        c.get("against") or "",
                        fmt.percent(c["prob_met"]),
                    ]
                    for c in shown
                ],
            ),
        ]
    out.append(("p", lead_["method_sentence"]))
    return out


def _record(c: Mapping[str, Any], names: Mapping[str, str]) -> str:
    name = names.get(c["id"], c["id"])
    return (
        f"{name} ({c['release_date']}), RL-stage {fmt.number(c['rl'])} FLOP against a cap of "
        f"{fmt.number(c.get('cap'), missing=fmt.NOT_APPLICABLE)} FLOP ({c.get('against', '')}), "
        f"P(met) = {fmt.percent(c['prob_met'])}"
    )
