"""`flopcast models` and `flopcast data ...` through the CLI runner: exit codes and output."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from typer.testing import CliRunner

from flopcast.cli import app
from flopcast.evidence import dataset

runner = CliRunner()
DATA = Path(__file__).parent / "data"
FIXTURE = DATA / "epoch" / "notable_ai_models_fixture.csv"
SRC = str(Path(__file__).resolve().parents[1] / "src")


def run(*args: str):
    return runner.invoke(app, list(args))


def test_models_table():
    res = run("models")
    assert res.exit_code == 0, res.output
    assert "DeepSeek-R1" in res.output and "RL FLOP (90% CI)" in res.output
    assert "data version" in res.output


def test_models_json_and_filters():
    res = run("models", "--json", "--developer", "deepseek", "--since", "2025-01-01")
    assert res.exit_code == 0, res.output
    doc = json.loads(res.output)
    ids = {m["id"] for m in doc["models"]}
    assert {"deepseek-r1", "deepseek-r1-zero", "deepseek-v3-2"} <= ids
    assert "deepseek-v3" not in ids  # released 2024-12-26, before --since
    assert all(
        m["developer"] == "DeepSeek" and m["release_date"] >= "2025-01-01" for m in doc["models"]
    )
    res = run("models", "--json", "--reasoning")
    assert all(m["reasoning"] for m in json.loads(res.output)["models"])


def test_models_csv():
    res = run("models", "--csv")
    assert res.exit_code == 0
    lines = res.output.strip().splitlines()
    assert lines[0].startswith("id,name,developer") and len(lines) > 20


def test_models_bad_since_is_one_line():
    res = run("models", "--since", "last year")
    assert res.exit_code == 1
    assert "error: --since" in res.output and "Traceback" not in res.output


def test_models_show_derivation():
    res = run("models", "show", "deepseek-r1")
    assert res.exit_code == 0, res.output
    out = res.output
    assert "Epoch AI, January 2025" in out and "DeepSeek, Nature, September 2025" in out
    assert "SUPERSEDED by DeepSeek, Nature, September 2025" in out and "share of the spread" in out
    assert "https://www.nature.com/articles/s41586-025-09422-z" in out
    assert "pretraining of deepseek-v3 + rl" in out


def test_models_show_json_and_unknown_id():
    res = run("models", "show", "o3", "--json")
    doc = json.loads(res.output)
    assert doc["fields"]["rl"]["lines"][0]["expression"] == "@o1.rl * 10"
    res = run("models", "show", "o5")
    assert res.exit_code == 1 and "unknown model 'o5'" in res.output


def test_models_with_user_data(tmp_path):
    (tmp_path / "mine.yaml").write_text(
        "id: my-model\nname: My Model\ndeveloper: Me\nrelease_date: 2026-01-01\nreasoning: true\n"
        "base_model: deepseek-v3\nrl:\n  estimate: hardware(chip=H100, chip_hours=10k, stage=rl)\n"
        "  confidence: Likely\n  sources: [{url: 'https://example.org/me', title: me, states: me, accessed: 2026-01-01}]\n"
    )
    res = run("models", "--data", str(tmp_path), "--json")
    assert "my-model" in {m["id"] for m in json.loads(res.output)["models"]}


def test_data_validate():
    res = run("data", "validate")
    assert res.exit_code == 0 and "ok" in res.output
    res = run("data", "validate", str(DATA / "broken"))
    assert res.exit_code == 1
    assert "bad-date.yaml:4: release_date: bad date" in res.output
    assert "unknown-chip.yaml:6" in res.output and "6 problem(s)" in res.output


def test_data_import_epoch(tmp_path):
    res = run("data", "import-epoch", str(FIXTURE), "--json")
    assert res.exit_code == 0, res.output
    doc = json.loads(res.output)
    assert doc["rows"] == 26 and len(doc["records"]) == 25
    res = run("data", "import-epoch", str(FIXTURE), "--out", str(tmp_path / "rec"))
    assert res.exit_code == 0 and "wrote 25 record(s)" in res.output
    assert "llama-3-1-405b" in res.output


def test_data_import_malformed_writes_nothing(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_bytes(b"Model,Organization\nA,B,C\n")
    res = run("data", "import-epoch", str(bad), "--out", str(tmp_path / "out"))
    assert res.exit_code == 1 and "row has 3 cells" in res.output
    assert not (tmp_path / "out").exists()


def test_data_export(tmp_path):
    out = tmp_path / "ours.csv"
    res = run("data", "export", "--format", "epoch-csv", "--out", str(out))
    assert res.exit_code == 0, res.output
    text = out.read_text()
    assert (
        text.startswith("Model,Organization,Publication date") and "Finetune compute (FLOP)" in text
    )
    res = run("data", "export", "--format", "parquet")
    assert res.exit_code == 1 and "unknown export format" in res.output


def test_data_reestimate():
    res = run("data", "reestimate", str(FIXTURE))
    assert res.exit_code == 0, res.output
    assert "summary:" in res.output and "median |log10 ratio|" in res.output
    res = run("data", "reestimate", str(FIXTURE), "--json")
    doc = json.loads(res.output)
    assert doc["summary"]["rows"] == len(doc["rows"])


def test_show_prints_history_bound_and_utilisation():
    res = run("models", "show", "deepseek-r1")
    assert res.exit_code == 0, res.output
    out = res.output
    assert "Epoch AI, January 2025: 6.1e23, superseded by DeepSeek, Nature, September 2025" in out
    assert "physics bound: 142,336 NVIDIA H800 SXM5-hours" in out
    assert "implied utilisation of the current value:" in out
    assert "SUPERSEDED by DeepSeek, Nature, September 2025" in out


def test_pool_all_is_one_line_when_a_superseded_figure_breaks_the_bound():
    res = run("models", "show", "deepseek-r1", "--pool-all")
    assert res.exit_code == 1
    assert "above the physics bound" in res.output and "Traceback" not in res.output


def test_validate_refuses_bad_evidence_one_line_each():
    res = run("data", "validate", str(DATA / "bad-evidence"))
    assert res.exit_code == 1
    lines = res.output.strip().splitlines()
    assert lines[-1] == "5 problem(s)" and len(lines) == 6  # one line per problem
    assert any("unknown recipe 'deepseek-r2-zero'" in ln for ln in lines)
    assert any("supersession cycle" in ln for ln in lines)
    assert any("above the physics bound" in ln for ln in lines)


def test_import_says_which_cells_looked_like_formulas(tmp_path):
    csv_file = tmp_path / "evil.csv"
    csv_file.write_text(
        "Model,Organization,Publication date,Training compute (FLOP)\n"
        "\"=cmd|' /C calc'!A0\",Lab,2025-01-01,1e22\n"
    )
    res = run("data", "import-epoch", str(csv_file))
    assert res.exit_code == 0, res.output
    assert "began with a formula character" in res.output and "model" in res.output


def test_export_over_an_existing_file_killed_midway_leaves_old_or_new(tmp_path):
    out = tmp_path / "existing.csv"
    out.write_text("old contents\n")
    env = {**os.environ, "PYTHONPATH": SRC}
    cmd = [sys.executable, "-m", "flopcast", "data", "export", "--out", str(out)]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(1.5)  # inside the load or the writing
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    text = out.read_text()
    assert text == "old contents\n" or (
        text.startswith("Model,Organization") and text.count("\n") == len(dataset.load()) + 1
    )
