"""flopcast.report and ``flopcast report``: files, sizes, and the numbers each figure states.

One report is built through the CLI for the whole module (about ten seconds); every number it
states is checked against an independent call of the library with the same scenario and seed.
"""

from __future__ import annotations

import functools
import json
import re
import struct
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import yaml

from flopcast.cli import app
from flopcast.core import fmt

SEED = 3
SAMPLES = 4_000
STEMS = ("fan_chart", "forest_plot", "rl_share", "score_vs_compute", "sensitivity_tornado")
AXIS_LABELS = {
    "fan_chart": ("Training compute (FLOP, log scale)", "Date (calendar year)"),
    "forest_plot": ("Training compute (FLOP, log scale)",),
    "rl_share": ("RL-stage share of total training compute (%)",),
    "score_vs_compute": ("RL-stage training compute (FLOP, log scale)", "AIME 2024 score (%)"),
    "sensitivity_tornado": ("Median meeting date (year-month)",),
}


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    from typer.testing import CliRunner

    out = tmp_path_factory.mktemp("report")
    result = CliRunner().invoke(
        app, ["report", "--out", str(out), "--seed", str(SEED), "--samples", str(SAMPLES), "--json"]
    )
    assert result.exit_code == 0, result.output
    return out, json.loads(result.stdout)


@pytest.fixture(scope="module")
def forecast_json():
    """The forecast the report should state, computed here without the report code."""
    import importlib

    forecast = importlib.import_module("flopcast.forecast.model")
    dataset = importlib.import_module("flopcast.evidence.dataset")
    ds = dataset.load()
    sc = forecast.load_scenario("seed-analysis")
    return forecast.run(sc, n=SAMPLES, seed=SEED, dataset=ds).to_dict(), ds


def _png_size(path: Path) -> tuple[int, int]:
    head = path.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n", f"{path.name} is not a PNG"
    return struct.unpack(">II", head[16:24])


def test_every_file_is_written_with_a_plausible_size(built):
    out, summary = built
    for stem in STEMS:
        png, svg = out / f"{stem}.png", out / f"{stem}.svg"
        assert png.stat().st_size > 20_000, f"{png.name} is suspiciously small"
        width, height = _png_size(png)
        assert width == 1650  # 11 in x 150 dpi
        assert 400 <= height <= 3000
        ET.fromstring(svg.read_text())  # a well-formed SVG document
    for name in ("index.html", "report.md", "report.json"):
        assert (out / name).stat().st_size > 1_000
    assert set(summary["files"]) == {f"{s}.{e}" for s in STEMS for e in ("png", "svg")} | {
        "index.html",
        "report.md",
        "report.json",
    }


def test_headline_in_report_md_equals_the_forecast(built, forecast_json):
    out, summary = built
    expected, _ = forecast_json
    md = expected["meeting_date"]
    text = (out / "report.md").read_text()
    headline = text.split("## Headline\n\n", 1)[1].split("\n", 1)[0]
    assert f"on {md['median']} (median; 90% interval {md['p5']} to {md['p95']})" in headline
    assert f"{fmt.number(expected['headroom_oom']['median'])} orders of magnitude" in headline
    past = " (past as of the data date)"  # the shipped data runs past the whole 50% interval
    assert f"| Meeting date, 50% interval | {md['p25']}{past} to {md['p75']}{past} |" in text
    assert summary["headline"]["meeting_date"] == md
    stated = json.loads((out / "report.json").read_text())
    assert stated["forecast"]["meeting_date"] == md
    assert stated["forecast"]["prob_before"] == pytest.approx(expected["prob_before"])


def test_headline_equals_the_forecast_command_json(built, runner):
    _, summary = built
    result = runner.invoke(
        app, ["forecast", "--json", "--seed", str(SEED), "--samples", str(SAMPLES)]
    )
    assert result.exit_code == 0, result.output
    assert summary["headline"]["meeting_date"] == json.loads(result.stdout)["meeting_date"]


def test_every_figure_states_scenario_seed_samples_data_version_and_sources(built, forecast_json):
    out, summary = built
    _, ds = forecast_json
    stamp = f"flopcast data {ds.version} · scenario seed-analysis · seed {SEED} · n={SAMPLES:,}"
    for stem in STEMS:
        text = (out / f"{stem}.svg").read_text()
        assert stamp in text, stem
        assert re.search(r"Sources: accessed \d{4}-\d{2}-\d{2}: ", text), stem
        for label in AXIS_LABELS[stem]:  # axes with their units
            assert label in text, (stem, label)
    assert summary["meta"]["data_version"] == ds.version


def test_fan_chart_marks_the_forecast_meeting_date(built, forecast_json):
    out, _ = built
    expected, _ = forecast_json
    median = expected["meeting_date"]["median"]  # e.g. 2026-01-18 -> legend says 2026-01
    text = (out / "fan_chart.svg").read_text()
    assert f"Meeting date, median ({median[:7]})" in text
    assert "Training compute (FLOP, log scale)" in text
    assert "Date (calendar year)" in text


def test_forest_and_share_plots_name_every_model_with_numbers(built, forecast_json):
    out, _ = built
    _, ds = forecast_json
    table = ds.table(seed=SEED)
    forest = (out / "forest_plot.svg").read_text()
    share = (out / "rl_share.svg").read_text()
    for row in table:
        if row["rl"] or row["pretraining"]:
            assert row["name"] in forest, row["id"]
        if row["rl_share"]:
            assert row["name"] in share, row["id"]
    # The share figure prints each median share; DeepSeek-R1's is in the dataset.
    r1 = next(r for r in table if r["id"] == "deepseek-r1")
    assert fmt.percent(r1["rl_share"]["median"]) in share  # e.g. 0.0123 -> "1.2%"


def test_score_figure_states_the_fit_of_the_library(built):
    import importlib

    out, _ = built
    stated = json.loads((out / "report.json").read_text())["scores"]
    fit = importlib.import_module("flopcast.forecast.fit")
    points = stated["points"]
    assert len(points) >= 3
    f = fit.LogLinearFit(seed=SEED).fit([p["median"] for p in points], [p["score"] for p in points])
    label = (
        f"score = {fmt.number(f.intercept_)} + {fmt.number(f.slope_)} × log10(FLOP) "
        f"(n = {len(points)})"
    )
    assert label in (out / "score_vs_compute.svg").read_text()
    assert stated["benchmark"] == "AIME 2024"


def test_tornado_lists_the_parameters_that_move_the_date(built):
    out, _ = built
    stated = json.loads((out / "report.json").read_text())["sensitivity"]
    text = (out / "sensitivity_tornado.svg").read_text()
    moving = [r["parameter"] for r in stated if not r["fixed"]]
    assert moving and all(p in text for p in moving)
    assert "cap.share" not in text  # held fixed at 1 in seed-analysis: no bar


@pytest.mark.parametrize(
    ("lo", "hi", "labels"),
    [
        # 12 months in view, at most 8 ticks: every 2 months, counted from January
        (2025.55, 2026.55, ["2025-09", "2025-11", "2026-01", "2026-03", "2026-05", "2026-07"]),
        (2025.9, 2026.1, ["2025-12", "2026-01", "2026-02"]),  # 2.4 months: every month
        (
            2025.2,
            2026.9,
            ["2025-04", "2025-07", "2025-10", "2026-01", "2026-04", "2026-07", "2026-10"],
        ),
        (2025.0, 2027.5, ["2025-01", "2025-07", "2026-01", "2026-07", "2027-01", "2027-07"]),
        (2025.3, 2035.3, ["2026-01", "2028-01", "2030-01", "2032-01", "2034-01"]),  # 2 years
    ],
)
def test_month_ticks_are_regular_and_labelled_by_month(lo, hi, labels):
    from flopcast.core.dates import to_year
    from flopcast.report import figures

    ticks = figures.MonthTicks(max_ticks=8).tick_values(lo, hi)
    assert [figures._year_text(t) for t in ticks] == labels
    assert ticks == [to_year(f"{label}-01") for label in labels]  # the first of each month


def test_tornado_ticks_every_few_months():
    from flopcast.core.dates import to_year
    from flopcast.report import figures

    stamp = figures.Stamp("s", 0, 1000, "v1", "2026-01-01")
    rows = [
        {"parameter": "a", "low": "1", "high": "2", "median_low": 2025.83, "median_high": 2026.35},
        {"parameter": "b", "low": "3", "high": "4", "median_low": 2026.1, "median_high": 2025.98},
    ]
    fig = figures.tornado_chart(rows, 2026.05, stamp)
    fig.canvas.draw()
    ax = fig.axes[0]
    labels = [t.get_text() for t in ax.get_xticklabels()]
    assert labels and all(re.fullmatch(r"\d{4}-\d{2}", text) for text in labels)
    months = [int(text[:4]) * 12 + int(text[5:]) for text in labels]
    steps = {b - a for a, b in zip(months, months[1:], strict=False)}
    assert len(steps) == 1 and steps.pop() in (1, 2, 3, 6, 12)  # one regular step
    assert list(ax.get_xticks()) == [to_year(f"{text}-01") for text in labels]
    assert figures._year_text(to_year("2025-03-01")) == "2025-03"  # the date's month


def test_index_html_is_self_contained(built):
    out, _ = built
    page = (out / "index.html").read_text()
    assert page.count("<svg") >= len(STEMS)
    assert "<style>" in page
    # Nothing to load: no scripts, no stylesheets, no images from elsewhere.
    assert not re.search(r"<(script|link|img|iframe)\b", page)
    assert not re.search(r"""(src|@import|url\()\s*=?\s*["']?https?://""", page)
    headline = json.loads((out / "report.json").read_text())["headline"]["sentence"]
    assert headline.split(" (scenario")[0] in page


def test_report_md_links_the_figures_and_the_reproducing_command(built):
    out, _ = built
    text = (out / "report.md").read_text()
    for stem in STEMS:
        assert f"]({stem}.png)" in text
    assert (
        f"`flopcast report --scenario seed-analysis --seed {SEED} --samples {SAMPLES} --years 6`"
        in text
    )


def test_report_with_a_scenario_file_and_overrides(tmp_path, runner):
    # A downloaded/edited scenario file is accepted and named in the reproducing command.
    import importlib

    forecast = importlib.import_module("flopcast.forecast.model")
    path = tmp_path / "mine.yaml"
    path.write_text(forecast.load_scenario("seed-analysis").to_yaml())
    from flopcast.report.build import build

    # No figures drawn: this test is about the numbers and the command.
    report = build(
        tmp_path / "out",
        scenario=path,
        seed=1,
        n=2_000,
        figures=(),
        overrides={"growth.months_per_10x": "6 to 8"},
    )
    assert str(path) in report.data["meta"]["command"]
    assert "--set 'growth.months_per_10x=6 to 8'" in report.data["meta"]["command"]
    expected = forecast.run(
        forecast.load_scenario(path, {"growth.months_per_10x": "6 to 8"}), n=2_000, seed=1
    ).meeting_date
    assert report.data["headline"]["meeting_date"] == expected


def test_bad_input_is_one_line_and_exit_1(runner, tmp_path):
    result = runner.invoke(
        app, ["report", "--out", str(tmp_path), "--scenario", "no-such-scenario"]
    )
    assert result.exit_code == 1
    assert result.stderr.startswith("error: ") and "Traceback" not in result.output
    result = runner.invoke(
        app, ["report", "--out", str(tmp_path), "--set", "growth.months_per_10x"]
    )
    assert result.exit_code == 1 and "key=value" in result.stderr
    assert runner.invoke(app, ["report", "--samples", "10"]).exit_code == 2


def test_cli_import_does_not_load_matplotlib_or_fastapi():
    code = (
        "import sys, flopcast.cli; heavy = [m for m in ('matplotlib', 'fastapi', 'uvicorn') "
        "if m in sys.modules]; print(heavy); sys.exit(1 if heavy else 0)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr


def test_figures_leave_global_matplotlib_state_alone():
    import matplotlib

    from flopcast.report import figures

    before = dict(matplotlib.rcParams)
    backend = matplotlib.get_backend()
    stamp = figures.Stamp("s", 0, 1000, "v1", "2026-01-01")
    fig = figures.tornado_chart(
        [{"parameter": "p", "low": "1", "high": "2", "median_low": 2026.0, "median_high": 2026.5}],
        2026.2,
        stamp,
    )
    figures.svg_text(fig)
    assert dict(matplotlib.rcParams) == before
    assert matplotlib.get_backend() == backend


def test_same_data_gives_the_same_svg():
    from flopcast.report import figures

    stamp = figures.Stamp("s", 0, 1000, "v1", "2026-01-01", ("example.org",))
    rows = [
        {"label": "A", "median": 0.2, "lo": 0.1, "hi": 0.3},
        {"label": "B", "median": 0.001, "lo": 0.0005, "hi": 0.002},
    ]
    a = figures.svg_text(figures.rl_share_chart(rows, stamp))
    b = figures.svg_text(figures.rl_share_chart(rows, stamp))
    assert a == b
    assert "20%" in a and "0.1%" in a  # each median share is printed: 0.2 -> 20%, 0.001 -> 0.1%


def test_fan_chart_refuses_bands_without_its_percentiles():
    from flopcast.report import figures

    stamp = figures.Stamp("s", 0, 1000, "v1", "2026-01-01")
    bands = {"t": [2025.0, 2026.0], "reasoning": {"50": [24, 25]}, "frontier": {"50": [26, 26.6]}}
    with pytest.raises(ValueError, match=r"band percentiles \[5, 25, 75, 95\] missing"):
        figures.fan_chart(bands, [], {"median": 2025.5, "p5": 2025.2, "p95": 2025.9}, stamp)


def test_scenario_yaml_round_trip_is_what_report_reads(tmp_path):
    import importlib

    forecast = importlib.import_module("flopcast.forecast.model")
    sc = forecast.load_scenario("seed-analysis", {"frontier.growth_per_year": "5"})
    doc = yaml.safe_load(sc.to_yaml())
    assert doc["parameters"]["frontier.growth_per_year"]["value"] == "5"


def test_fan_chart_names_a_meeting_date_it_cannot_draw():
    import math

    from flopcast.report import figures

    stamp = figures.Stamp("s", 0, 1000, "v1", "2026-01-01")
    t = [2025.0 + i / 12 for i in range(25)]  # two years, monthly
    band = {str(p): [24 + 0.1 * i + (p - 50) / 100 for i in range(25)] for p in (5, 25, 50, 75, 95)}
    far = figures.svg_text(
        figures.fan_chart(
            {"t": t, "reasoning": band, "frontier": band},
            [],
            {"median": 2030.5, "p5": 2026.5, "p95": math.inf},
            stamp,
        )
    )
    assert "Meeting date, median: after 2027-01" in far  # the chart ends at 2027.0
    assert "(2026-07 to never)" in far


def test_headline_when_the_median_draw_never_meets(tmp_path):
    from flopcast.report.build import build

    report = build(tmp_path, n=2_000, figures=(), overrides={"growth.months_per_10x": "200"})
    assert report.data["headline"]["meeting_date"]["median"] is None
    assert (
        "never meets the frontier of total training compute in 100% of the draws" in report.headline
    )


def test_report_leads_with_the_as_of_status_and_the_method(built, forecast_json):
    out, summary = built
    _, ds = forecast_json
    stated = json.loads((out / "report.json").read_text())
    status = stated["status"]
    assert status["data_date"] == max(r.release_date for r in ds.records).isoformat()
    text = (out / "report.md").read_text()
    first_h2 = text.split("\n## ", 1)[1].split("\n", 1)[0]
    assert first_h2 == f"As of {status['data_date']}: what the records show"
    assert text.index("## As of") < text.index("## Headline")
    assert stated["lead"]["status_sentence"] in text
    assert stated["lead"]["from_data_date_sentence"] in text
    assert stated["method"]["used"] in ("exact", "mc")
    assert stated["lead"]["method_sentence"].startswith("Method: ")
    assert stated["lead"]["method_sentence"] in text
    page = (out / "index.html").read_text()
    assert page.index("what the records show") < page.index(">Headline<")


def test_no_past_meeting_date_is_printed_as_a_prediction(built):
    out, _ = built
    stated = json.loads((out / "report.json").read_text())
    data_date = stated["status"]["data_date"]
    text = (out / "report.md").read_text()
    rows = [ln for ln in text.splitlines() if ln.startswith("| Meeting date")]
    assert len(rows) == 3
    for row in rows:
        for date in re.findall(r"\d{4}-\d{2}-\d{2}(?! \(past)", row):
            assert date > data_date, row  # an unmarked date is after the data date
    if stated["headline"]["past"]:
        assert "not a prediction" in stated["headline"]["sentence"]


def test_report_states_the_superseded_history_bound_and_implied_utilisation(built):
    out, _ = built
    stated = json.loads((out / "report.json").read_text())
    r1 = next(r for r in stated["derivations"] if r["id"] == "deepseek-r1")["fields"]["rl"]
    (history,) = r1["history"]
    assert history.startswith("Epoch AI, January 2025: 6.1e23, superseded by DeepSeek")
    text = (out / "report.md").read_text()
    row = next(ln for ln in text.splitlines() if ln.startswith("| DeepSeek-R1 | RL stage |"))
    assert history in row
    assert fmt.number(r1["bound"]["bound_flop"]) in row  # 5.1e23: 142,336 H800-h at BF16 peak
    assert f"{fmt.percent(r1['implied_utilization']['median'])} (" in row
    assert history in (out / "index.html").read_text()


def test_report_shows_the_backtest_of_the_seed_analysis(built):
    out, _ = built
    stated = json.loads((out / "report.json").read_text())["backtest"]
    assert (stated["as_of"], stated["scenario"]) == ("2025-05-13", "seed-analysis")
    text = (out / "report.md").read_text()
    assert "## Backtest: seed-analysis as of 2025-05-13" in text
    assert "Meeting observed?" in text
    header = "| Record | Released | Quantity | Observed | Forecast (90%) | PIT | Log score | CRPS |"
    assert header in text
    body = text.split(header, 1)[1].split("\n\n", 1)[0]
    assert body.count("\n| ") == len(stated["later"])  # one row per later observation


def test_fan_chart_answers_the_question(built):
    out, _ = built
    stated = json.loads((out / "report.json").read_text())
    text = (out / "fan_chart.svg").read_text()
    assert f"As of {stated['status']['data_date']} (newest record)" in text
    assert "after the start, hollow" in text
    assert "Forecast start (" in text


# ---------------------------------------------------------------------------- figure workers


def test_the_pool_draws_a_figure_byte_for_byte_as_this_process_does(built):
    """A figure drawn in a fork-server process (the report's way) equals the same figure drawn
    here: the same PNG bytes and the same SVG text, so the pool changes only the time."""
    from flopcast.report import build as report_build
    from flopcast.report import catalog
    from flopcast.report.background import figure_pool

    out, _ = built
    data = json.loads((out / "report.json").read_text())
    spec = report_build.FIGURES["sensitivity_tornado"]
    here = catalog.export_figure(spec, data)
    with figure_pool(1) as pool:
        assert pool is not None  # Linux has a fork server
        there = report_build._submit(pool, spec, data)()
    assert here is not None and there == here


@pytest.fixture(scope="module")
def part(built, forecast_json):
    """:func:`flopcast.report.gather.forecast_part` of the report's scenario and seed, as JSON."""
    import datetime as dt

    from flopcast.forecast import model as forecast
    from flopcast.forecast.sensitivity import sensitivity
    from flopcast.report import build as report_build
    from flopcast.report.gather import forecast_part

    out, _ = built
    generated = json.loads((out / "report.json").read_text())["meta"]["generated"]
    _, ds = forecast_json
    sc = forecast.load_scenario("seed-analysis")
    res = forecast.run(sc, n=SAMPLES, seed=SEED, dataset=ds)
    bands = res.bands(years=6.0, series=("reasoning", "frontier"))
    sens = sensitivity(sc, n=min(SAMPLES, report_build.SENSITIVITY_SAMPLES), seed=SEED, dataset=ds)
    today = dt.date.fromisoformat(generated)
    got = forecast_part(ds, sc, res, bands, sens, today=today, horizon_years=6.0)
    return json.loads(json.dumps(got))


def test_the_forecast_part_is_the_report_data_before_the_table(built, part):
    """What the early figures are given is exactly what the finished report states under those
    keys (the footers' sources apart from the scores', which need the table)."""
    out, _ = built
    data = json.loads((out / "report.json").read_text())
    assert set(part["sources_short"]) == {"forecast", "dataset"}
    for key, value in part.items():
        if key == "sources_short":
            value = {**value, "scores": data[key]["scores"]}
        assert value == data[key], key


def test_each_figure_draws_from_the_keys_it_declares(built, part):
    """``FigureSpec.needs`` is what a figure reads: drawn from those keys (and ``meta``) alone,
    each shipped figure is byte for byte the figure drawn from the whole report data; one whose
    keys are all in the forecast part is drawn from it alone the same. The tornado is such a
    figure, so the report draws it while the table is computed."""
    from flopcast.report import catalog

    out, _ = built
    data = json.loads((out / "report.json").read_text())
    early = set()
    for spec in catalog.FIGURES.values():
        assert spec.needs is not None and spec.cost > 0, spec.stem
        whole = catalog.export_figure(spec, data)
        assert catalog.export_figure(spec, {k: data[k] for k in (*spec.needs, "meta")}) == whole
        if spec.needs <= part.keys():
            early.add(spec.stem)
            assert catalog.export_figure(spec, part) == whole, spec.stem
    assert early == {"sensitivity_tornado"}


def test_a_plain_script_without_a_main_guard_runs_once(tmp_path):
    """The figure processes start from the fork server and never run the caller's script
    again (multiprocessing's spawn would, without an ``if __name__ == "__main__":`` guard)."""
    script = tmp_path / "make_report.py"
    script.write_text(
        "import sys\n"
        "from flopcast.report.build import build\n"
        "print('body', file=sys.stderr)\n"
        f"build({str(tmp_path / 'out')!r}, figures=('sensitivity_tornado', 'rl_share'))\n"
    )
    done = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr.count("body") == 1  # not once more per figure process
    assert (tmp_path / "out" / "rl_share.svg").read_text().startswith("<svg")


def test_a_figure_registered_outside_the_catalogue_is_drawn_here():
    from flopcast.report import build as report_build
    from flopcast.report.catalog import FigureSpec

    local = FigureSpec("local", "t", "c", lambda data, stamp: None)  # a lambda: not importable
    assert not report_build._importable(local)
    assert report_build._importable(report_build.FIGURES["fan_chart"])
    task = report_build._submit(object(), local, {"meta": {}})  # type: ignore[arg-type]
    assert isinstance(task, functools.partial)  # drawn in this process, never sent to the pool


def test_a_missing_extra_in_a_figure_process_is_raised_as_it_is():
    from flopcast.report.background import figure_pool

    with pytest.raises(ModuleNotFoundError) as err:
        with figure_pool(1) as pool:
            assert pool is not None
            pool.submit(_no_matplotlib).result()
    assert err.value.name == "matplotlib"  # what the CLI turns into its install hint


def test_a_report_without_matplotlib_stops_before_computing(monkeypatch, tmp_path):
    import importlib.util

    from flopcast.report import build as report_build

    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "matplotlib" else real(name)
    )
    monkeypatch.setattr(report_build.dataset, "load", _never_called)
    with pytest.raises(ModuleNotFoundError) as err:
        report_build.build(tmp_path / "r")
    assert err.value.name == "matplotlib"


def _never_called(*args: object, **kwargs: object) -> None:
    raise AssertionError("the dataset was loaded before the missing extra was found")


def _no_matplotlib() -> None:
    raise ModuleNotFoundError("No module named 'matplotlib'", name="matplotlib")


def test_a_failure_before_the_figures_leaves_no_process_waiting():
    import time

    from flopcast.report.background import figure_pool

    t0 = time.monotonic()
    with pytest.raises(ValueError, match="bad scenario"):
        with figure_pool(2) as pool:
            assert pool is not None
            pool.submit(time.sleep, 0.1)
            raise ValueError("bad scenario")
    assert time.monotonic() - t0 < 10  # the pool was shut down, queued work cancelled


def test_the_report_leads_the_score_sections_with_the_within_run_test(built):
    built, _ = built
    md = (built / "report.md").read_text()
    within = md.index("## Within one run: the seed's premise")
    across = md.index("## Exploratory, across models:")
    assert within < across and "points per 10x RL compute" in md[within:across]
    assert "deepseek-r1-zero-aime" in md[within:across]
    assert '"within_run"' in (built / "report.json").read_text()


def test_the_fork_servers_preload_is_light_and_frozen():
    """The fork server's one preload module imports the figure code and matplotlib, none of the
    estimates, and freezes what they made (so the server's exit skips a last collection)."""
    probe = (
        "import gc, sys; import flopcast.report.preload; "
        "print(gc.get_freeze_count() > 0, 'matplotlib.backends.backend_svg' in sys.modules, "
        "any(m.startswith(('flopcast.evidence', 'flopcast.forecast', 'scipy')) for m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    assert done.stdout.split() == ["True", "True", "False"], done.stderr


def _children(pid: int) -> set[int]:
    """The processes whose parent is ``pid`` (Linux /proc)."""
    out = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                out.add(int(entry.name))
    return out


def _cmdline(pid: int) -> bytes:
    """``pid``'s command line; empty when it has already ended."""
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc (Linux)")
def test_the_figure_processes_end_when_the_report_is_killed():
    """``flopcast report`` killed while its figures draw (SIGKILL: no chance to shut its pool
    down) leaves no process behind: each figure process sees its parent's end and exits, and
    the fork server then ends too."""
    import os
    import signal
    import tempfile
    import time

    with tempfile.TemporaryDirectory() as tmp:
        cmd = [sys.executable, "-m", "flopcast", "report", "--out", f"{tmp}/r", "-n", "1000"]
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        servers: set[int] = set()
        workers: set[int] = set()
        while proc.poll() is None and not workers and time.monotonic() < deadline:
            servers = {c for c in _children(proc.pid) if b"forkserver" in _cmdline(c)}
            workers = {w for s in servers for w in _children(s)}
            time.sleep(0.005)
        if proc.poll() is not None:
            pytest.skip("the report finished before its figure processes were seen")
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
        deadline = time.monotonic() + 20
        while any(_alive(p) for p in servers | workers) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not [p for p in servers | workers if _alive(p)]
