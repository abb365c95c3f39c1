"""Bad input on every surface: one line and exit 1, never a traceback, nothing lost (issue 14).

Two halves. The regression cases are the repros of issue 14, each written as a user would hit
it. The property tests throw bounded hypothesis-generated input at each surface (expression
grammar, YAML records/recipes/scenarios, config.json, Epoch CSV, ``--set``) and check the
same promise. The API surface is fuzzed by schemathesis in the web tests.

"One line": the error is one sentence on stderr starting ``error:``; an expression error may
add the expression and a caret under the bad token (two more lines), nothing else.
"""

from __future__ import annotations

import json
import re
import resource
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from flopcast.cli import app

FUZZ = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    derandomize=True,
)


def run(*argv: str):
    return CliRunner().invoke(app, list(argv))


def assert_one_line(result, *, codes=(1,)) -> None:
    """Exit code among ``codes``; no Python exception escaped; stderr one ``error:`` line."""
    exc = result.exception
    assert exc is None or isinstance(exc, SystemExit), f"traceback: {exc!r}\n{result.output}"
    assert result.exit_code in codes, (result.exit_code, result.output)
    if result.exit_code == 1:
        lines = [ln for ln in result.stderr.splitlines() if not ln.startswith("warning:")]
        assert lines and lines[0].startswith("error: "), result.stderr
        assert len(lines) in (1, 3), result.stderr  # 3: expression, caret
        assert "Traceback" not in result.output


def assert_problem_report(result, *, codes=(1,)) -> None:
    """``data validate`` lists every problem, one ``path:line: field: message`` line each, then
    a count: no exception escaped and every line has that form."""
    exc = result.exception
    assert exc is None or isinstance(exc, SystemExit), f"traceback: {exc!r}\n{result.output}"
    assert result.exit_code in codes, (result.exit_code, result.output)
    if result.exit_code == 1:
        lines = result.output.strip().splitlines()
        assert re.fullmatch(r"\d+ problem\(s\)", lines[-1]), result.output
        assert all(re.match(r"^\S+?:(\d+:)? \S", ln) for ln in lines[:-1]), result.output


# ---- regression cases: expressions ---------------------------------------------------------

DEEP = [
    ("nested parentheses", "(" * 150 + "1" + ")" * 150),
    ("chained terms", " + ".join(["1"] * 1000)),
    ("nested calls", "point(" * 200 + "1" + ")" * 200),
    ("overflow of an interval", "(1 to 2) * 1e308"),
    ("interval across the range", "1e-308 to 1e308"),
    ("zero to a negative power", "0^-1"),
    ("a vanishing level", "ci(1, 10, level=1e-20)"),
]


@pytest.mark.parametrize(("what", "text"), DEEP, ids=[d[0] for d in DEEP])
def test_hostile_expressions_are_one_line(what: str, text: str) -> None:
    assert_one_line(run("estimate", text, "--json"))


def test_an_exact_number_stays_exact() -> None:
    res = run("estimate", "123", "--json")
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["median"] == 123.0  # not 122.99999999999994


def test_a_large_mixture_is_refused_without_using_gigabytes() -> None:
    text = "mix(" + ", ".join(f"{i + 1} to {i + 2}" for i in range(2000)) + ")"
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    res = run("estimate", text, "--json")
    grown_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    assert_one_line(res, codes=(0, 1))
    assert grown_mb < 500


# ---- regression cases: YAML files ----------------------------------------------------------

LAUGHS = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{c}: &{c} [{', '.join(['*' + p] * 10)}]\n"
    for p, c in zip("abcdefgh", "bcdefghi", strict=True)
)

BAD_YAML = {
    "billion laughs": LAUGHS,
    "recursive anchor": "id: &x [*x]\n",
    "a list as a key": "? [1, 2]\n: x\nid: a\n",
    "a duplicate key": "id: a\nid: b\n",
}


@pytest.mark.parametrize("what", list(BAD_YAML))
def test_hostile_records_are_one_line(what: str, tmp_path: Path) -> None:
    (tmp_path / "bad.yaml").write_text(BAD_YAML[what])
    assert_problem_report(run("data", "validate", str(tmp_path / "bad.yaml")))


def test_a_record_that_is_not_utf8_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "bad.yaml").write_bytes("id: caf\u00e9\n".encode("latin-1"))
    assert_problem_report(run("data", "validate", str(tmp_path / "bad.yaml")))


@pytest.mark.parametrize("what", list(BAD_YAML))
def test_hostile_recipes_are_one_line(what: str, tmp_path: Path) -> None:
    (tmp_path / "bad.yaml").write_text(BAD_YAML[what])
    assert_one_line(run("rl", str(tmp_path / "bad.yaml")))


def test_a_recipe_that_is_not_utf8_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "bad.yaml").write_bytes(b"name: \xff\xfe\n")
    assert_one_line(run("rl", str(tmp_path / "bad.yaml")))


@pytest.mark.parametrize("what", list(BAD_YAML))
def test_hostile_scenarios_are_one_line(what: str, tmp_path: Path) -> None:
    (tmp_path / "bad.yaml").write_text(BAD_YAML[what])
    assert_one_line(run("forecast", "--scenario", str(tmp_path / "bad.yaml"), "--json"))


# ---- regression cases: config.json ---------------------------------------------------------

TINY = Path(__file__).parent / "data" / "configs" / "tiny-llama.json"


def _config(tmp_path: Path, **changes) -> str:
    cfg = json.loads(TINY.read_text())
    cfg.update(changes)
    path = tmp_path / "config.json"
    path.write_text(json.dumps(cfg))
    return str(path)


@pytest.mark.parametrize(
    "changes",
    [
        {"num_hidden_layers": float("nan")},
        {"model_type": ["llama"]},
        {"num_hidden_layers": 10_000_000},
        {"hidden_size": -8},
        {"num_attention_heads": "many"},
    ],
    ids=["nan-layers", "type-list", "huge-layers", "negative-width", "text-heads"],
)
def test_bad_configs_are_one_line(changes: dict, tmp_path: Path) -> None:
    assert_one_line(run("flops", _config(tmp_path, **changes), "--json"))


def test_a_utf16_config_is_one_line(tmp_path: Path) -> None:
    path = tmp_path / "config.json"
    path.write_bytes(TINY.read_text().encode("utf-16"))
    assert_one_line(run("flops", str(path), "--json"), codes=(0, 1))


# ---- regression cases: --set, outputs ------------------------------------------------------


@pytest.mark.parametrize(
    "override",
    ["reasoning.start_date=9999-12-31", "growth.months_per_10x=(1 to 2) * 1e308", "cap.kind=[1]"],
)
def test_hostile_overrides_are_one_line(override: str) -> None:
    assert_one_line(run("forecast", "--set", override, "--json"), codes=(0, 1))


def test_export_over_an_existing_file_keeps_it_on_failure(tmp_path: Path) -> None:
    out = tmp_path / "existing.csv"
    out.write_text("precious\n")
    bad = tmp_path / "records"
    bad.mkdir()
    (bad / "x.yaml").write_text("id: x\n")  # not a valid record: the export must not start
    res = run("data", "export", "--out", str(out), "--data", str(bad))
    assert_one_line(res)
    assert out.read_text() == "precious\n"


def test_report_into_an_existing_file_is_one_line(tmp_path: Path) -> None:
    target = tmp_path / "report"
    target.write_text("not a folder\n")
    assert_one_line(run("report", "--out", str(target)))
    assert target.read_text() == "not a folder\n"


# ---- property tests ------------------------------------------------------------------------

ATOMS = st.sampled_from(
    ["1", "0", "-1", "1e308", "1e-308", "140k", "20%", "hour", "x", "@o1.rl", "'H100'", "nan"]
)
OPS = st.sampled_from([" + ", " - ", " * ", " / ", "^", " to ", ", "])
FUNCS = st.sampled_from(["", "ci", "peak", "mix", "point", "at_most", "hardware", "nope"])


@st.composite
def expressions(draw) -> str:
    parts = [draw(ATOMS)]
    for _ in range(draw(st.integers(0, 6))):
        parts += [draw(OPS), draw(ATOMS)]
    text = "".join(parts)
    fn = draw(FUNCS)
    if fn:
        text = f"{fn}({text})"
    return text + draw(st.sampled_from(["", ")", "(", " to", "**2"]))


@FUZZ
@given(expressions())
def test_any_expression_is_a_value_or_one_line(text: str) -> None:
    assert_one_line(run("estimate", text, "--json"), codes=(0, 1))


YAML_SCALARS = st.one_of(
    st.integers(-(10**12), 10**12),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
    st.none(),
    st.booleans(),
)


@FUZZ
@given(
    st.dictionaries(
        st.sampled_from(["id", "name", "developer", "release_date", "rl", "pretraining", "x"]),
        st.one_of(YAML_SCALARS, st.lists(YAML_SCALARS, max_size=3)),
        max_size=6,
    )
)
def test_any_record_is_valid_or_one_line(tmp_path_factory, fields: dict) -> None:
    folder = tmp_path_factory.mktemp("rec")
    (folder / "r.yaml").write_text(json.dumps(fields))  # JSON is YAML
    assert_problem_report(run("data", "validate", str(folder / "r.yaml")), codes=(0, 1))


@FUZZ
@given(
    st.dictionaries(
        st.sampled_from(
            ["num_hidden_layers", "hidden_size", "num_attention_heads", "intermediate_size"]
            + ["vocab_size", "num_key_value_heads", "model_type", "head_dim"]
        ),
        YAML_SCALARS,
        max_size=4,
    )
)
def test_any_config_is_counted_or_one_line(tmp_path_factory, changes: dict) -> None:
    folder = tmp_path_factory.mktemp("cfg")
    assert_one_line(run("flops", _config(folder, **changes), "--json"), codes=(0, 1))


@FUZZ
@given(
    st.sampled_from(
        ["growth.months_per_10x", "reasoning.start_flop", "frontier.flop", "cap.share", "x.y"]
    ),
    expressions(),
)
def test_any_override_is_a_forecast_or_one_line(key: str, value: str) -> None:
    assert_one_line(run("forecast", "--set", f"{key}={value}", "-n", "500", "--json"), codes=(0, 1))


CSV_HEADER = (
    "Model,Organization,Publication date,Training compute (FLOP),Training hardware,"
    "Hardware quantity,Training time (hours),Confidence\n"
)
CELLS = st.one_of(st.text(max_size=10), st.sampled_from(["1e24", "-5", "nan", "H100", "=1+1"]))


@FUZZ
@given(st.lists(st.lists(CELLS, min_size=8, max_size=8), min_size=1, max_size=4))
def test_any_epoch_csv_is_read_or_one_line(tmp_path_factory, rows: list) -> None:
    import csv
    import io

    buf = io.StringIO()
    csv.writer(buf).writerows(rows)
    path = tmp_path_factory.mktemp("csv") / "models.csv"
    path.write_text(CSV_HEADER + buf.getvalue())
    assert_one_line(run("data", "import-epoch", str(path), "--json"), codes=(0, 1))


# ---- regression cases: the API (HTTP 500 before) -------------------------------------------

API_CASES = [
    ("/api/forecast", {"n": 2000, "overrides": {"growth.months_per_10x": "(1 to 2) * 1e308"}}),
    ("/api/forecast", {"n": 2000, "overrides": {"reasoning.start_date": "9999-12-31"}}),
    ("/api/forecast", {"n": 2000, "overrides": {"growth.months_per_10x": "0^-1"}}),
    ("/api/rl", {"architecture": "deepseek-v3", "steps": "(1 to 2) * 1e308"}),
    ("/api/rl", {"architecture": "deepseek-v3", "steps": "0^-1"}),
]


@pytest.mark.parametrize(
    ("path", "body"), API_CASES, ids=[f"{p}-{i}" for i, (p, _) in enumerate(API_CASES)]
)
def test_hostile_api_bodies_are_422(path: str, body: dict) -> None:
    from fastapi.testclient import TestClient  # lazily: the web extra

    from flopcast.web.app import create_app

    r = TestClient(create_app()).post(path, json=body)
    assert r.status_code == 422, r.text
    assert r.json()["detail"][0]["msg"]  # a message for a person, not a server trace
