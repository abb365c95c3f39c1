"""The report's text as blocks: the gathered data laid out once, in reading order.

A block is a small tuple (``("h2", text)``, ``("p", text)``, ``("table", header, rows)``,
``("figure", stem, title, caption)``, ``("links", [(label, url)])``);
:mod:`flopcast.report.render` turns the same list into Markdown and into HTML, so the two files
always state the same numbers. Every number goes through :mod:`flopcast.core.fmt`; a value the
public record is silent on reads ``fmt.UNKNOWN`` ("unknown"), one that does not exist (the RL
stage of a model without one) ``fmt.NOT_APPLICABLE`` ("n/a").
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from flopcast.core import fmt
from flopcast.report import asof, backtest, derivations, withinrun
from flopcast.report.asof import when
from flopcast.report.catalog import bounds, tornado_ends

Block = tuple[Any, ...]
_NA = fmt.NOT_APPLICABLE


def blocks(data: Mapping[str, Any]) -> list[Block]:
    """The report's content in order, as blocks."""
    m = data["meta"]
    f = data["forecast"]
    out: list[Block] = [
        ("h1", "flopcast report: reasoning-training compute against the frontier"),
        (
            "p",
            f"Generated {m['generated']} by flopcast {m['flopcast_version']} · data version "
            f"{m['data_version']} · scenario {m['scenario']}"
            + (f" ({m['scenario_title']})" if m["scenario_title"] else "")
            + f" · seed {m['seed']} · {m['n']:,} Monte Carlo draws.",
        ),
        ("p", f"Reproduce with: `{m['command']}`"),
        *asof.blocks(data),
        ("h2", "Headline"),
        ("p", data["headline"]["sentence"]),
        ("h2", "Summary"),
        (
            "table",
            ["Quantity", "Value"],
            _summary_rows(f, (data.get("status") or {}).get("data_date")),
        ),
        ("h2", "Figures"),
    ]
    names = {r["id"]: r["name"] for r in data["models"] if "id" in r}
    for fig in data.get("figures", []):
        out.append(("figure", fig["stem"], fig["title"], fig["caption"]))
    out += _sensitivity_blocks(data["sensitivity"])
    out += backtest.blocks(data.get("backtest"), names)
    out += withinrun.blocks(data.get("within_run"))
    out += _score_blocks(data.get("scores"))
    out += [
        ("h2", "Models"),
        (
            "p",
            "Medians with 90% intervals, FLOP; RL share is RL-stage compute over total "
            "training compute. Confidence is Epoch AI's scale, of the RL figure if known, else "
            f"of pre-training. {fmt.UNKNOWN}: the public record does not say; "
            f"{fmt.NOT_APPLICABLE}: the model has no RL stage.",
        ),
        (
            "table",
            ["Model", "Released", "Pre-training FLOP", "RL-stage FLOP", "RL share", "Confidence"],
            [
                [
                    r["name"],
                    r["release_date"],
                    _ci(r.get("pretraining")),
                    _rl(r, "rl"),
                    _rl(r, "rl_share", _pct),
                    r.get("confidence") or fmt.UNKNOWN,
                ]
                for r in data["models"]
            ],
        ),
        *derivations.blocks(data.get("derivations")),
        ("h2", f"Scenario: {data['scenario']['name']}"),
        ("p", data["scenario"]["description"] or ""),
        (
            "table",
            ["Parameter", "Value", "Source"],
            [
                [k, f"`{v['value']}`" if v["value"] else "(empty)", v.get("source", "")]
                for k, v in data["scenario"]["parameters"].items()
            ],
        ),
        ("h2", "Sources"),
        (
            "p",
            "Every source behind the dataset's numbers, with the date it was read "
            "(and published, where known).",
        ),
        ("links", [(_source_label(s), s["url"]) for s in data["sources"]["dataset"]]),
    ]
    return out


# ---------------------------------------------------------------------------- content helpers


def _summary_rows(f: Mapping[str, Any], data_date: str | None = None) -> list[list[str]]:
    """The forecast from its start; a date the data date has passed is marked as past."""
    md = f["meeting_date"]
    h = f["headroom_oom"]

    def w(key: str, missing: str = "never") -> str:
        return when(md.get(key), data_date, missing=missing)

    rows = [
        ["Meeting date, median", w("median")],
        ["Meeting date, 50% interval", f"{w('p25', _NA)} to {w('p75')}"],
        ["Meeting date, 90% interval", f"{w('p5', _NA)} to {w('p95')}"],
        ["P(never meets)", _pct(f["prob_never"])],
        ["Start date of the reasoning trajectory", f["start_date"]],
        [
            f"Headroom on {f['start_date']}, the trajectory's start (orders of magnitude)",
            f"{fmt.number(h['median'])} (90% interval {_interval(h)})",
        ],
    ]
    names = {
        "before": "Reasoning compute growth before meeting (x per year)",
        "after": "Reasoning compute growth after meeting (x per year)",
        "frontier": "Frontier growth (x per year)",
    }
    for key, label in names.items():
        g = f.get("growth_per_year", {}).get(key)
        if g:
            rows.append([label, f"{fmt.number(g['median'])} (90% interval {_interval(g)})"])
    for date, p in (f.get("prob_before") or {}).items():
        rows.append([f"P(meeting before {when(date, data_date)})", _pct(p)])
    return rows


def _sensitivity_blocks(rows: list[dict]) -> list[Block]:
    if not rows:
        return []
    return [
        ("h2", "Sensitivity"),
        (
            "p",
            "One parameter at a time at its 5th and 95th percentile, every other at its median "
            f"(baseline median meeting date {rows[0].get('baseline') or 'never'}). Variance share "
            "is the first-order Sobol index of the meeting time.",
        ),
        (
            "table",
            [
                "Parameter",
                "Low",
                "High",
                "Meeting date (low)",
                "Meeting date (high)",
                "Swing (years)",
                "Variance share",
            ],
            [
                [
                    r["parameter"],
                    *tornado_ends(r),
                    r.get("median_low") or "never",
                    r.get("median_high") or "never",
                    fmt.number(r["swing_years"]),
                    _pct(r["variance_share"]),
                ]
                for r in rows
            ],
        ),
    ]


def _score_blocks(s: Mapping[str, Any] | None) -> list[Block]:
    if not s:
        return []
    out: list[Block] = [
        ("h2", f"Exploratory, across models: {s['benchmark']} against RL-stage compute"),
        (
            "p",
            "Not a test of the seed's premise: different models, settings and training "
            "recipes, with flopcast's own compute estimates as x. The within-run fit above "
            "is the test.",
        ),
    ]
    if s.get("fit"):
        p = s["fit"]["params"]
        out.append(
            (
                "p",
                f"Fit: {s['fit_label']}; parameters with 90% bootstrap intervals: "
                + "; ".join(
                    f"{k} = {_num(v['value'])} ({_num(v['interval'][0])} to "
                    f"{_num(v['interval'][1])})"
                    for k, v in p.items()
                )
                + ".",
            )
        )
    else:
        out.append(
            (
                "p",
                f"Only {len(s['points'])} model(s) report {s['benchmark']} and have RL "
                "compute: too few to fit a curve (3 needed).",
            )
        )
    out.append(
        (
            "table",
            ["Model", "RL-stage FLOP", f"{s['benchmark']} (%)", "Setting", "Source"],
            [
                [
                    p["label"],
                    _ci(p),
                    _num(p["score"]),
                    p.get("setting") or "",
                    p["source"],
                ]
                for p in s["points"]
            ],
        )
    )
    return out


def _source_label(s: Mapping[str, Any]) -> str:
    dates = [
        f"published {s['published']}" if s.get("published") else "",
        f"accessed {s['accessed']}" if s.get("accessed") else "",
    ]
    return ", ".join(x for x in [s.get("title") or s["url"], *dates] if x)


def _ci(
    s: Mapping[str, float] | None,
    text: Callable[[float], str] = fmt.number,
    *,
    missing: str = fmt.UNKNOWN,
) -> str:
    """``median (lo to hi)`` of a summary, each number through ``text``; ``missing`` if none."""
    b = bounds(s)
    if b is None:
        return missing
    return f"{text(b['median'])} ({text(b['lo'])} to {text(b['hi'])})"


def _interval(s: Mapping[str, float]) -> str:
    """A summary's own 90% interval, ``lo to hi``."""
    b = bounds(s) or {}
    return fmt.interval(b.get("lo"), b.get("hi"), sep=" to ")


def _num(x: Any) -> str:
    """A number through :func:`flopcast.core.fmt.number`; text (a date, a name) as it is."""
    return fmt.number(x) if isinstance(x, (int, float)) else str(x)


def _pct(x: float | None) -> str:
    return fmt.percent(x)


def _rl(row: Mapping[str, Any], key: str, text: Callable[[float], str] = fmt.number) -> str:
    """RL-stage figures: "n/a" for a model without an RL stage, "unknown" when not public."""
    absent = fmt.UNKNOWN if row.get("reasoning") else fmt.NOT_APPLICABLE
    return _ci(row.get(key), text, missing=absent)
