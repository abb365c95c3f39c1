"""The README's promises: two commands first, and CI runs exactly the test command."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _first_commands() -> list[str]:
    text = (ROOT / "README.md").read_text()
    block = re.search(r"```bash\n(.*?)```", text, re.S)
    assert block, "README must open with a bash block of two commands"
    assert text.index(block.group(0)) < 200, "the commands must be the README's first lines"
    return [line.split("#")[0].strip() for line in block.group(1).splitlines() if line.strip()]


def test_readme_opens_with_the_main_job_and_the_test_command():
    main_job, tests = _first_commands()
    assert main_job.startswith("pip install") and "flopcast report" in main_job
    assert tests.startswith("pip install") and "pytest" in tests


def test_ci_runs_exactly_the_readme_test_command():
    _, tests = _first_commands()
    ci = [line.strip() for line in (ROOT / ".ci" / "run").read_text().splitlines()]
    assert tests in ci
    assert "set -euo pipefail" in ci  # a failing test fails CI; pytest's "no tests" exit 5 too


def _console_examples() -> list[tuple[str, str]]:
    """(command, its first output line) of every ``$ flopcast`` line in the README's
    ```console blocks."""
    text = (ROOT / "README.md").read_text()
    out = []
    for block in re.findall(r"^```console\n(.*?)^```", text, re.S | re.M):
        lines = block.splitlines()
        for i, line in enumerate(lines):
            if line.startswith("$ flopcast ") and i + 1 < len(lines):
                out.append((line[2:], lines[i + 1]))
    return out


def test_the_readme_has_console_examples():
    assert len(_console_examples()) >= 3


@pytest.mark.parametrize(("command", "expected"), _console_examples(), ids=lambda x: x[:40])
def test_the_readme_console_examples_print_what_they_say(command, expected):
    from typer.testing import CliRunner

    from flopcast.cli import app

    args = shlex.split(command, comments=True)[1:]
    res = CliRunner().invoke(app, args, env={"COLUMNS": "200"})
    assert res.exit_code == 0, res.output
    assert " ".join(expected.split()) in " ".join(res.output.split()), res.output
