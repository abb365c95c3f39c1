"""``flopcast estimate``: through the CLI runner, exit codes and output; start-up imports."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from flopcast.cli import app


def run(runner, *args):
    return runner.invoke(app, list(args))


def test_estimate_expression_json(runner):
    res = run(runner, "estimate", "140k * hour * peak(H100, bf16) * (0.1 to 0.4)", "--json")
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    # 140,000 x 3,600 x 9.89e14 x sqrt(0.1 x 0.4) = 9.97e22
    assert data["median"] == pytest.approx(140e3 * 3600 * 9.89e14 * 0.2, rel=1e-9)
    for key in ("mean", "p5", "p95", "unit", "inputs", "contributions"):
        assert key in data
    assert data["exact"] is True


def test_estimate_hardware_named_options(runner):
    res = run(
        runner,
        "estimate",
        "hardware",
        "--chip",
        "H100",
        "--chip-hours",
        "140k",
        "--utilization",
        "0.1 to 0.4",
        "--json",
    )
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert data["unit"] == "FLOP"
    assert data["median"] == pytest.approx(9.97e22, rel=1e-3)
    assert data["method"] == "hardware"
    assert any("utilization" in a for a in data["assumptions"])


def test_estimate_ops_and_cost(runner):
    res = run(runner, "estimate", "ops", "-N", "37B", "-D", "14.8T", "--json")
    assert json.loads(res.stdout)["median"] == pytest.approx(3.2856e24)  # 6 x 37e9 x 14.8e12
    res = run(
        runner,
        "estimate",
        "cost",
        "--dollars",
        "1M",
        "--chip",
        "H100",
        "--usd-per-hour",
        "2",
        "--utilization",
        "0.28",
        "--json",
    )
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["median"] == pytest.approx(4.98e23, rel=1e-3)


def test_table_output_names_inputs(runner):
    res = run(
        runner, "estimate", "hardware", "--chip", "H800", "--chip-hours", "147k", "--stage", "rl"
    )
    assert res.exit_code == 0, res.output
    assert "FLOP (90% CI" in res.stdout
    assert "utilization rl" in res.stdout


def test_monte_carlo_estimate_is_reproducible(runner):
    a = json.loads(run(runner, "estimate", "1 to 10 + 1 to 10", "--json", "--seed", "3").stdout)
    b = json.loads(run(runner, "estimate", "1 to 10 + 1 to 10", "--json", "--seed", "3").stdout)
    assert a == b and a["exact"] is False and a["seed"] == 3


@pytest.mark.parametrize(
    "args, message",
    [
        (["estimate", "140k * * 2"], "unexpected '*'"),
        (["estimate", "10 to 1"], "above upper bound"),
        (
            ["estimate", "hardware", "--chip", "H10O", "--chip-hours", "1k"],
            "unknown chip 'H10O'; did you mean",
        ),
        (["estimate", "hardware", "--chip", "H100", "--chip-hours", "-5"], "must be positive"),
        (
            [
                "estimate",
                "hardware",
                "--chip",
                "H100",
                "--chip-hours",
                "1k",
                "--utilization",
                "1.5",
            ],
            "at most 1",
        ),
        (["estimate", "hardware", "--chip", "H100", "--chip-hours", "nan"], "unknown name 'nan'"),
    ],
)
def test_bad_input_one_line_exit_1(runner, args, message):
    res = run(runner, *args)
    assert res.exit_code == 1
    assert message in res.stderr
    assert "Traceback" not in res.output + res.stderr


def test_absurd_magnitude_warns_but_succeeds(runner):
    res = run(runner, "estimate", "ops", "-N", "1P", "-D", "1P")
    assert res.exit_code == 0
    assert "warning:" in res.stderr and "1000x" in res.stderr


def test_usage_error_exits_2(runner):
    res = run(runner, "estimate", "hardware", "--chip")
    assert res.exit_code == 2


HEAVY = ("matplotlib", "torch", "pandas", "scipy.stats", "fastapi", "transformers")


@pytest.mark.parametrize("argv", [["--help"], ["estimate", "1 to 10"]])
def test_start_up_imports_stay_light(argv):
    code = (
        "import sys\n"
        "from flopcast.cli import app\n"
        f"try:\n    app({argv!r})\nexcept SystemExit:\n    pass\n"
        f"print(sorted(m for m in sys.modules if m.split('.')[0] in {[h.split('.')[0] for h in HEAVY]!r}"
        f" and any(m == h or m.startswith(h + '.') for h in {list(HEAVY)!r})))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip().splitlines()[-1] == "[]"


def test_a_missing_extra_is_one_line_with_the_install_command(runner, monkeypatch, tmp_path):
    import builtins

    real_import = builtins.__import__

    def no_matplotlib(name, *args, **kwargs):
        if name.split(".")[0] == "matplotlib":
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_matplotlib)
    # figures drawn in this process, where the import is patched (a pool process has its own
    # imports: tests/test_report.py checks that its ModuleNotFoundError reaches the caller)
    monkeypatch.setattr("flopcast.report.build.FIGURE_WORKERS", 0)
    for mod in [m for m in sys.modules if m.startswith(("matplotlib", "flopcast.report.figures"))]:
        monkeypatch.delitem(sys.modules, mod)
    res = run(runner, "report", "--out", str(tmp_path / "report"))
    assert res.exit_code == 1
    assert "pip install 'flopcast[report]'" in res.stderr
    assert "Traceback" not in res.output + res.stderr


def test_an_unwritable_or_missing_path_is_one_line(runner, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    res = run(runner, "report", "--out", str(blocker / "report"))
    assert res.exit_code == 1
    assert res.stderr.startswith("error: ") and str(blocker) in res.stderr
    assert "Traceback" not in res.output + res.stderr
    res = run(runner, "flops", str(tmp_path))  # a directory where a config file is expected
    assert res.exit_code == 1 and "Traceback" not in res.output + res.stderr


def test_estimate_ratio_multiplies_a_record_by_a_factor():
    runner = CliRunner()
    res = runner.invoke(app, ["estimate", "ratio", "6e23", "10", "--json"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["median"] == pytest.approx(6e24)  # 6e23 x 10
    ref = runner.invoke(app, ["estimate", "ratio", "@o1.rl", "10", "--json"])
    phrase = runner.invoke(app, ["estimate", "10x o1.rl", "--json"])
    assert json.loads(ref.stdout)["median"] == pytest.approx(json.loads(phrase.stdout)["median"])
    bad = runner.invoke(app, ["estimate", "ratio", "@o9.rl", "10"])
    assert bad.exit_code == 1 and "unknown model 'o9'" in bad.output


def test_estimate_priors_lists_the_fitted_utilisation_priors():
    res = CliRunner().invoke(app, ["estimate", "priors", "--json"])
    assert res.exit_code == 0, res.output
    priors = json.loads(res.stdout)["priors"]
    assert priors["utilization.rl"]["fit"]["phase"] == "rl_run"
    assert priors["utilization.rollout"]["fit"]["assumed"].startswith("assumed")
