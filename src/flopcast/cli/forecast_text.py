"""The text form of ``flopcast forecast`` and ``backtest``: what the commands print (split from
:mod:`flopcast.cli.forecast`, which parses and calls the library)."""

from __future__ import annotations

import math
from typing import Any

import typer

from flopcast.cli._common import fmt
from flopcast.forecast.caps import CAPS


def print_backtest(out: dict[str, Any], samples: int, seed: int) -> None:
    """The backtest's report: inputs, later evidence with scores, the meeting check."""
    md = out["forecast"]["meeting_date"]
    typer.echo(
        f"Backtest of {out['scenario']} as of {out['as_of']} ({samples:,} draws, seed {seed})"
    )
    inputs = out["inputs"]
    records = ", ".join(f"{k} ({v})" for k, v in inputs["records"].items()) or "none"
    typer.echo(f"  records used (all released by the cut-off): {records}")
    flagged = inputs["parameters"]["undated"] + inputs["parameters"]["user_set"]
    if flagged:
        typer.echo(f"  flagged, source date unknown or set by you: {', '.join(flagged)}")
    typer.echo(
        f"  start {out['forecast']['start_date']}; meeting date median {md['median'] or 'never'}"
        f" (90% {md['p5'] or 'never'} - {md['p95'] or 'never'})"
    )
    typer.echo(
        "  later evidence (observed median vs forecast median and 90% band; scores in log10):"
    )
    for c in out["later"]:
        f = c["forecast"]
        band = "inside 50%" if c["inside_50"] else "inside 90%" if c["inside_90"] else "OUTSIDE 90%"
        tag = band if c["test"] else "not a new maximum (not a test)"
        typer.echo(
            f"    {c['release_date']} {c['id']:<24} {c['field']:<9} {fmt(c['observed']['median'])}"
            f" vs {fmt(f['median'])} ({fmt(f['p5'])} - {fmt(f['p95'])})  pit {c['pit']:.2f}"
            f"  log score {c['log_score']:.2f}  CRPS {c['crps']:.3f}  {tag}"
        )
    if not out["later"]:
        typer.echo("    none in the dataset")
    for fld, s in out["summary"].items():
        if s["compared"]:
            typer.echo(
                f"  {fld}: {s['compared']} test(s), coverage 50% {s['coverage_50']:.0%}, 90% "
                f"{s['coverage_90']:.0%}, mean log score {s['mean_log_score']:.2f}, "
                f"mean CRPS {s['mean_crps']:.3f}"
            )
    m = out["meeting"]
    typer.echo(
        f"  meeting observed by {m['data_date']}? {'yes' if m['observed_met'] else 'no'}; the "
        f"forecast gave {m['forecast_prob_met']:.0%} (Brier {m['brier']:.3f})"
    )
    for r in out["revisions"]:
        typer.echo(
            f"  revised later: {r['id']}.{r['field']} {fmt(r['median_as_of'])} -> "
            f"{fmt(r['median_now'])} (x{r['ratio']:.2g})"
        )


def print_status(st: dict[str, Any]) -> None:
    """The as-of status, first: what the records say before what the forecast says."""
    typer.echo(f"As of {st['data_date']} (newest record; data {st['data_version']}):")
    cap = st["cap"]
    first, closest = st["first_met"], st["closest"]
    if first is not None:
        typer.echo(
            f"  reasoning-stage compute MET the cap: {first['id']} ({first['release_date']}), RL "
            f"{fmt(first['rl'])} FLOP vs cap {fmt(first['cap'])} ({first['against']}), "
            f"P(met) = {first['prob_met']:.0%}"
        )
    elif closest is not None:
        cap_text = fmt(closest["cap"]) if closest.get("cap") else "-"
        typer.echo(
            f"  reasoning-stage compute has not met the cap ({cap['kind']}): closest record "
            f"{closest['id']} ({closest['release_date']}), RL {fmt(closest['rl'])} FLOP vs cap "
            f"{cap_text} ({closest['against']}), P(met) = {closest['prob_met']:.1%}"
        )
    after = st["from_data_date"]
    md = after["meeting_date_given_not_met"]
    if after["prob_met_before"] > 0.999:
        typer.echo(
            f"  the forecast gave P(met by {st['data_date']}) = {after['prob_met_before']:.1%}: "
            "it leaves no outcome unmet by then"
            + ("" if first is not None else ", and the records show none (contradicted)")
        )
        return
    typer.echo(
        f"  the forecast gave P(met by {st['data_date']}) = {after['prob_met_before']:.0%}; "
        f"from then on, if not met: median {md['median'] or 'never'} "
        f"(90% {md['p5'] or 'never'} - {md['p95'] or 'never'})"
    )


def print_forecast(res: Any, b: dict[str, Any], data_date: str = "") -> None:
    sc = res.scenario
    md = res.meeting_date
    title = f": {sc.title}" if sc.title else ""
    typer.echo(f"Scenario {sc.name}{title}")
    info = res.method_info()
    if info["used"] == "exact":
        err = info["error_bound"]
        typer.echo(
            f"Method: closed form (quadrature error below {fmt(err['meeting_days'])} days, "
            f"{fmt(err['band_oom'])} OOM)"
        )
    else:
        typer.echo(f"Method: Monte Carlo, {res.n:,} draws, seed {res.seed} ({info['why']})")
    for k, v in sc.overrides.items():
        typer.echo(f"  override {k} = {v}")
    cap = CAPS[sc.cap_kind].description
    typer.echo(f"Reasoning compute (from {res.start_date}) meets its cap ({cap}):")

    def when(d: str | None) -> str:
        if not d:
            return "never"
        return f"{d} (past as of the data)" if data_date and d < data_date else d

    typer.echo(f"  median        {when(md['median'])}")
    typer.echo(f"  50% interval  {when(md['p25'])} - {when(md['p75'])}")
    typer.echo(f"  90% interval  {when(md['p5'])} - {when(md['p95'])}")
    if data_date and md["median"] and md["median"] < data_date:
        typer.echo(
            "  NB: these dates are the forecast from its start, not predictions: the status "
            "above says what the records show"
        )
    for date, p in res.to_dict()["prob_before"].items():
        typer.echo(f"  P(before {date}) = {p:.0%}")
    if res.prob_never:
        typer.echo(f"  never (cap grows as fast or faster): {res.prob_never:.1%} of draws")
    h = res.headroom_oom
    typer.echo(
        f"Headroom at the start: {h['median']:.2f} orders of magnitude "
        f"(90% CI {h['p5']:.2f} - {h['p95']:.2f})"
    )
    g = res.growth
    typer.echo(
        f"Growth of reasoning compute: {_x(g['before'])} per year before, "
        f"{_x(g['after'])} per year after (frontier {_x(g['frontier'])})"
    )
    typer.echo(f"{'date':<12} {'reasoning FLOP (median, 90%)':<32} {'frontier FLOP (median)':<24}")
    for i in range(0, len(b["t"]), 12):
        r = [10 ** b["reasoning"][p][i] for p in (50, 5, 95)]
        f = 10 ** b["frontier"][50][i]
        typer.echo(
            f"{b['dates'][i]:<12} {fmt(r[0]):>8} ({fmt(r[1])} - {fmt(r[2])}){'':<8} {fmt(f):>8}"
        )


def _x(s: dict[str, float]) -> str:
    if math.isclose(s["p5"], s["p95"]):
        return f"{fmt(s['median'])}x"
    return f"{fmt(s['median'])}x (90% {fmt(s['p5'])}x - {fmt(s['p95'])}x)"


def years_text(y: float) -> str:
    return "inf" if not math.isfinite(y) else f"{y:.2f} y"
