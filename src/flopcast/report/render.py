"""Report text: the gathered data laid out once as blocks, rendered to Markdown and to HTML.

A block is a small tuple (``("h2", text)``, ``("p", text)``, ``("table", header, rows)``,
``("figure", stem, title, caption)``, ``("links", [(label, url)])``); :func:`markdown` and
:func:`html_page` each render the same list, so the two files always state the same numbers.
The HTML page is self-contained: CSS in a ``<style>`` element and each figure as inline SVG.
"""

from __future__ import annotations

import html
import math
from collections.abc import Callable, Mapping
from typing import Any

Block = tuple[Any, ...]


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
        ("h2", "Headline"),
        ("p", data["headline"]["sentence"]),
        ("h2", "Summary"),
        ("table", ["Quantity", "Value"], _summary_rows(f)),
        ("h2", "Figures"),
    ]
    for fig in data.get("figures", []):
        out.append(("figure", fig["stem"], fig["title"], fig["caption"]))
    out += _sensitivity_blocks(data["sensitivity"])
    out += _score_blocks(data.get("scores"))
    out += [
        ("h2", "Models"),
        (
            "p",
            "Medians with 90% intervals, FLOP; RL share is RL-stage compute over total "
            "training compute. Confidence is Epoch AI's scale, of the RL figure if known, else "
            "of pre-training.",
        ),
        (
            "table",
            ["Model", "Released", "Pre-training FLOP", "RL-stage FLOP", "RL share", "Confidence"],
            [
                [
                    r["name"],
                    r["release_date"],
                    _ci(r.get("pretraining")),
                    _ci(r.get("rl")),
                    _ci(r.get("rl_share"), _pct),
                    r.get("confidence") or "–",
                ]
                for r in data["models"]
            ],
        ),
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


def markdown(data: Mapping[str, Any]) -> str:
    """The report as Markdown, figures linked as PNG files beside it."""
    lines: list[str] = []
    for b in blocks(data):
        _MD[b[0]](lines, *b[1:])
    return "\n".join(lines).rstrip() + "\n"


def html_page(data: Mapping[str, Any], svgs: Mapping[str, str]) -> str:
    """The report as one self-contained HTML page (inline CSS, inline SVG figures)."""
    body: list[str] = []
    for b in blocks(data):
        if b[0] == "figure":
            body.append(_html_figure(svgs, *b[1:]))
        else:
            body.append(_HTML[b[0]](*b[1:]))
    title = html.escape(
        f"flopcast report · {data['meta']['scenario']} · seed {data['meta']['seed']}"
    )
    return (
        '<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f'<title>{title}</title>\n<meta name="viewport" content="width=device-width, '
        f'initial-scale=1">\n<style>{_CSS}</style>\n</head>\n<body>\n<main>\n'
        + "\n".join(body)
        + "\n</main>\n</body>\n</html>\n"
    )


# ---------------------------------------------------------------------------- content helpers


def _summary_rows(f: Mapping[str, Any]) -> list[list[str]]:
    md = f["meeting_date"]
    h = f["headroom_oom"]
    rows = [
        ["Meeting date, median", md.get("median") or "never"],
        ["Meeting date, 50% interval", f"{md.get('p25') or 'n/a'} to {md.get('p75') or 'never'}"],
        ["Meeting date, 90% interval", f"{md.get('p5') or 'n/a'} to {md.get('p95') or 'never'}"],
        ["P(never meets)", _pct(f["prob_never"])],
        ["Start date of the reasoning trajectory", f["start_date"]],
        [
            "Headroom at the start (orders of magnitude)",
            f"{h['median']:.2f} (90% interval {h['p5']:.2f} to {h['p95']:.2f})",
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
            rows.append(
                [label, f"{_num(g['median'])} (90% interval {_num(g['p5'])} to {_num(g['p95'])})"]
            )
    for date, p in (f.get("prob_before") or {}).items():
        rows.append([f"P(meeting before {date})", _pct(p)])
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
                    _num(r["low"]),
                    _num(r["high"]),
                    r.get("median_low") or "never",
                    r.get("median_high") or "never",
                    f"{r['swing_years']:.2f}",
                    _pct(r["variance_share"]),
                ]
                for r in rows
            ],
        ),
    ]


def _score_blocks(s: Mapping[str, Any] | None) -> list[Block]:
    if not s:
        return []
    out: list[Block] = [("h2", f"Score against RL-stage compute: {s['benchmark']}")]
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
                    _ci({"median": p["median"], "p5": p["lo"], "p95": p["hi"]}),
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


def _ci(s: Mapping[str, float] | None, fmt: Callable[[float], str] | None = None) -> str:
    fmt = fmt or _num
    if not s:
        return "–"
    return f"{fmt(s['median'])} ({fmt(s['p5'])} to {fmt(s['p95'])})"


def _num(x: Any) -> str:
    """Compact numbers: 0.25, 3.69, 1270, 1.27e4, 6.1e23."""
    if not isinstance(x, (int, float)):
        return str(x)
    if x == 0 or not math.isfinite(x):
        return str(x)
    a = abs(x)
    if 1e-3 <= a < 1e4:
        return f"{x:.4g}" if a >= 1000 else f"{x:.3g}"
    exp = math.floor(math.log10(a))
    mantissa = x / 10**exp
    return f"{mantissa:.3g}e{exp}"


def _pct(x: float | None) -> str:
    if x is None:
        return "–"
    v = 100 * x
    return f"{v:.0f}%" if v >= 1 or v == 0 else f"{v:.2g}%"


# ---------------------------------------------------------------------------- Markdown


def _md_table(lines: list[str], header: list[str], rows: list[list[str]]) -> None:
    def cell(x: Any) -> str:
        return str(x).replace("|", "\\|").replace("\n", " ")

    lines += ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(cell(c) for c in r) + " |" for r in rows]
    lines.append("")


_MD: dict[str, Callable[..., None]] = {
    "h1": lambda lines, text: lines.extend([f"# {text}", ""]),
    "h2": lambda lines, text: lines.extend([f"## {text}", ""]),
    "p": lambda lines, text: lines.extend([text, ""]) if text else None,
    "table": _md_table,
    "figure": lambda lines, stem, title, caption: lines.extend(
        [f"### {title}", "", f"![{title}]({stem}.png)", "", f"*{caption}* ([SVG]({stem}.svg))", ""]
    ),
    "links": lambda lines, items: lines.extend(
        [*(f"- [{label}]({url})" for label, url in items), ""]
    ),
}


# ---------------------------------------------------------------------------- HTML


def _inline(text: str) -> str:
    """Escape, then turn `code` spans into <code>."""
    parts = html.escape(text).split("`")
    return "".join(f"<code>{p}</code>" if i % 2 else p for i, p in enumerate(parts))


def _html_table(header: list[str], rows: list[list[str]]) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    body = "".join(
        "<tr>" + "".join(f"<td>{_link_or_text(c)}</td>" for c in r) + "</tr>" for r in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _link_or_text(c: Any) -> str:
    text = str(c)
    if text.startswith(("http://", "https://")) and " " not in text:
        e = html.escape(text)
        return f'<a href="{e}">{e}</a>'
    return _inline(text)


def _html_figure(svgs: Mapping[str, str], stem: str, title: str, caption: str) -> str:
    return (
        f'<figure id="{html.escape(stem)}"><h3>{html.escape(title)}</h3>{svgs[stem]}'
        f'<figcaption>{html.escape(caption)} Files: <a href="{stem}.png">PNG</a>, '
        f'<a href="{stem}.svg">SVG</a>.</figcaption></figure>'
    )


_HTML: dict[str, Callable[..., str]] = {
    "h1": lambda text: f"<h1>{html.escape(text)}</h1>",
    "h2": lambda text: f"<h2>{html.escape(text)}</h2>",
    "p": lambda text: f"<p>{_inline(text)}</p>" if text else "",
    "table": _html_table,
    "links": lambda items: (
        '<ul class="sources">'
        + "".join(
            f'<li><a href="{html.escape(u)}">{html.escape(label)}</a></li>' for label, u in items
        )
        + "</ul>"
    ),
}

_CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #222;
       background: #fafafa; margin: 0; }
main { max-width: 1000px; margin: 0 auto; padding: 8px 20px 40px; background: #fff; }
h1 { font-size: 24px; } h2 { font-size: 19px; margin-top: 28px; border-bottom: 1px solid #ddd; }
h3 { font-size: 15px; }
table { border-collapse: collapse; width: 100%; font-size: 13px; margin: 8px 0; }
th, td { padding: 4px 6px; border-bottom: 1px solid #eee; text-align: left; vertical-align: top; }
th { background: #f4f4f4; }
code { background: #f4f4f4; padding: 1px 4px; }
figure { margin: 16px 0; } figure svg { width: 100%; height: auto; }
figcaption { font-size: 13px; color: #555; }
.sources { font-size: 13px; }
"""
