"""Report text: the blocks of :mod:`flopcast.report.blocks` rendered to Markdown and to HTML.

:func:`markdown` and :func:`html_page` each render the same list of blocks, so the two files
always state the same numbers. The HTML page is self-contained: CSS in a ``<style>`` element and
each figure as inline SVG. Dates never wrap inside a table cell.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Mapping
from typing import Any

from flopcast.report.blocks import blocks


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
    # An ISO date is one unit: a <time> element that never wraps (CSS below).
    return _DATE.sub(r'<time datetime="\1">\1</time>', _inline(text))


_DATE = re.compile(r"(?<![\w-])(\d{4}-\d{2}-\d{2})(?![\w-])")


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
time { white-space: nowrap; }
figure { margin: 16px 0; } figure svg { width: 100%; height: auto; }
figcaption { font-size: 13px; color: #555; }
.sources { font-size: 13px; }
"""
