"""flopcast.report.output: a report folder is replaced whole or not at all."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from flopcast.core.errors import InputError
from flopcast.report import output

SRC = Path(__file__).resolve().parent.parent / "src"


def _snapshot(folder: Path) -> dict[str, str]:
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.iterdir())
        if p.is_file()
    }


def _old_report(folder: Path) -> dict[str, str]:
    folder.mkdir()
    (folder / "report.json").write_text('{"old": true}\n')
    (folder / "index.html").write_text("<p>old</p>\n")
    return _snapshot(folder)


def test_a_new_folder_appears_only_when_complete(tmp_path):
    out = tmp_path / "report"
    with output.staged(out) as tmp:
        (tmp / "report.json").write_text("{}")
        assert not out.exists()  # nothing at the target while writing
        assert tmp.parent == tmp_path and tmp.name.startswith(".report.partial-")
    assert _snapshot(out) == {"report.json": hashlib.sha256(b"{}").hexdigest()}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report"]  # no temporary left


def test_an_earlier_report_is_replaced_and_a_failure_keeps_it(tmp_path):
    out = tmp_path / "report"
    old = _old_report(out)
    with pytest.raises(RuntimeError), output.staged(out) as tmp:
        (tmp / "report.json").write_text("{}")
        raise RuntimeError("died halfway")
    assert _snapshot(out) == old  # untouched
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report"]
    with output.staged(out) as tmp:
        (tmp / "report.json").write_text('{"new": true}\n')
    assert (out / "report.json").read_text() == '{"new": true}\n'
    assert not (out / "index.html").exists()  # the new report, not a mix of both


def test_a_file_or_a_foreign_folder_is_refused_in_one_line(tmp_path):
    f = tmp_path / "notes.txt"
    f.write_text("mine")
    with pytest.raises(InputError, match="is a file; a report is a folder of files"):
        output.check_target(f)
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "thesis.tex").write_text("do not delete")
    with pytest.raises(InputError, match=r"holds no flopcast report \(report.json\)"):
        output.check_target(mine)
    assert (mine / "thesis.tex").read_text() == "do not delete" and f.read_text() == "mine"
    (tmp_path / "empty").mkdir()
    output.check_target(tmp_path / "empty")  # an empty folder is fine


def test_a_report_moved_aside_by_a_killed_run_is_put_back(tmp_path):
    out = tmp_path / "report"
    old = _old_report(out)
    dead = 2**22 + 12345  # above Linux's default pid_max (4,194,304 = 2**22): no such process
    aside = tmp_path / f".report.old-{dead}-abcd"
    os.rename(out, aside)  # as if killed between the two renames
    (tmp_path / f".report.partial-{dead}-efgh").mkdir()
    output.recover(out)
    assert _snapshot(out) == old
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report"]


def _start_report(out: Path, seed: int) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    cmd = [sys.executable, "-m", "flopcast", "report", "--out", str(out), "--seed", str(seed)]
    return subprocess.Popen([*cmd, "-n", "1000"], env=env, stderr=subprocess.PIPE)


@pytest.mark.parametrize("when", ["computing", "writing"])
def test_a_report_killed_midway_leaves_the_old_report_intact(tmp_path, when):
    out = tmp_path / "report"
    old = _old_report(out)
    proc = _start_report(out, seed=7)
    deadline = time.monotonic() + 60
    partial: list[Path] = []
    if when == "computing":
        time.sleep(1.0)  # loading data and running the forecast: well before any file is written
    else:
        while proc.poll() is None and not partial and time.monotonic() < deadline:
            partial = list(tmp_path.glob(".report.partial-*"))
    finished = proc.poll() is not None
    if not finished:
        os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    now = _snapshot(out)
    if when == "computing":
        assert now == old  # the old report, byte for byte
    else:  # killed while writing: the old report whole, or (past the atomic swap) the new one
        assert now == old or {"report.md", "report.json", "index.html"} <= set(now), now
    if finished or when == "computing":
        return
    # The next run clears what the killed one left, and replaces the report whole.
    done = _start_report(out, seed=8)
    assert done.wait(timeout=120) == 0, done.stderr.read() if done.stderr else ""
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report"]
    assert (out / "report.md").exists() and not (out / "index.html").read_text() == "<p>old</p>\n"


def test_report_out_an_existing_file_is_one_line(tmp_path):
    f = tmp_path / "report.pdf"
    f.write_bytes(b"%PDF")
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    done = subprocess.run(
        [sys.executable, "-m", "flopcast", "report", "--out", str(f)],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert done.returncode == 1
    assert done.stderr.startswith(f"error: --out {f} is a file") and done.stderr.count("\n") == 1
    assert f.read_bytes() == b"%PDF"
