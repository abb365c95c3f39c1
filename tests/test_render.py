"""flopcast.report.render: the same blocks as Markdown and as self-contained HTML."""

from __future__ import annotations

from flopcast.report import render


def test_dates_in_tables_do_not_wrap():
    html = render._html_table(
        ["Parameter", "Meeting date"], [["a", "2025-11-07 to 2026-05-03"], ["b", "never"]]
    )
    assert (
        '<td><time datetime="2025-11-07">2025-11-07</time> to <time datetime="2026-05-03">' in html
    )
    assert "<td>never</td>" in html
    assert "time { white-space: nowrap; }" in render._CSS


def test_what_only_looks_like_a_date_is_left_alone():
    assert render._link_or_text("v2025-11-07-b") == "v2025-11-07-b"
    link = render._link_or_text("https://example.org/2025-01-01/post")
    assert (
        link
        == '<a href="https://example.org/2025-01-01/post">https://example.org/2025-01-01/post</a>'
    )


def test_markdown_tables_escape_pipes():
    lines: list[str] = []
    render._md_table(lines, ["a", "b"], [["x|y", "1"]])
    assert lines[:3] == ["| a | b |", "|---|---|", "| x\\|y | 1 |"]
