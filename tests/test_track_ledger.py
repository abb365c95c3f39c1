"""The crash-safe ledger: fsync'd JSON lines, resume without double counting, cut tails."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from flopcast.accounting.track.counts import StepCounts
from flopcast.accounting.track.ledger import Ledger, read_ledger
from flopcast.accounting.track.summary import summarize_ledger
from flopcast.core.errors import ConfigError, DataError, InputError, UnknownNameError

ROOT = Path(__file__).resolve().parent.parent
TINY = str(ROOT / "tests/data/configs/tiny-qwen2.json")

# A tracked loop: step i's lengths depend only on i, so a resumed run sees the same tokens.
LOOP = """
import sys, time
import numpy as np
from flopcast.accounting.track.ledger import Ledger
path, n, pause = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
ledger = Ledger.open(path, model=sys.argv[4], chip="H100", run_id="kill-test")
for i in range(ledger.next_step, n):
    rng = np.random.default_rng(i)
    p, r = rng.integers(1, 50, 8), rng.integers(1, 200, 8)
    with ledger.step(i) as s:
        s.rollout(p, r)
        s.count("reference", p + r)
        s.count("update", p + r)
        s.add_time("update", 0.5, gpus=2)
    print(i, flush=True)
    time.sleep(pause)
"""


def _run(path: Path, n: int, pause: float = 0.0) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    return subprocess.Popen(
        [sys.executable, "-c", LOOP, str(path), str(n), str(pause), TINY],
        stdout=subprocess.PIPE,
        env=env,
        text=True,
    )


def _feed(s: StepCounts, k: int) -> None:
    s.rollout([k, 2 * k], [3, 4])
    s.count("update", [k + 3, 2 * k + 4])


def test_sigkill_and_resume_end_with_the_totals_of_an_uninterrupted_run(tmp_path):
    whole, killed = tmp_path / "whole.jsonl", tmp_path / "killed.jsonl"
    assert _run(whole, 12).wait(timeout=60) == 0
    proc = _run(killed, 12, pause=0.2)
    assert proc.stdout is not None
    for _ in range(4):  # let four steps reach the disk, then kill without warning
        proc.stdout.readline()
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    partial = read_ledger(killed)
    assert 4 <= len(partial.steps) < 12
    assert _run(killed, 12).wait(timeout=60) == 0  # the restart resumes at next_step
    a, b = summarize_ledger(read_ledger(whole)), summarize_ledger(read_ledger(killed))
    assert b["steps"] == a["steps"] == 12
    assert b["phases"] == a["phases"]
    assert b["total_flop"] == a["total_flop"]
    assert b["replayed_steps"] == 0


def test_a_ledger_cut_mid_write_reads_back_every_complete_step(tmp_path):
    path = tmp_path / "run.jsonl"
    with Ledger.open(path, model=TINY, chip="H100", run_id="cut") as ledger:
        for k in range(1, 4):
            with ledger.step() as s:
                _feed(s, k)
    raw = path.read_bytes()
    ends = [i + 1 for i, b in enumerate(raw) if b == ord("\n")]  # header, step 0, 1, 2
    for cut in range(ends[0], len(raw)):
        path.write_bytes(raw[:cut])
        data = read_ledger(path)
        complete = sum(1 for e in ends[1:] if e <= cut)
        assert [s.step for s in data.steps] == list(range(complete))
        assert data.cut_tail == (cut not in ends)
    path.write_bytes(raw[: ends[2] + 10])  # step 1 complete, step 2 cut
    with Ledger.open(path, run_id="cut") as ledger:
        assert ledger.next_step == 2
        with ledger.step() as s:
            _feed(s, 3)
    data = read_ledger(path)
    assert [s.step for s in data.steps] == [0, 1, 2] and not data.cut_tail


def test_a_replayed_step_is_kept_but_not_counted_twice(tmp_path):
    path = tmp_path / "run.jsonl"
    with Ledger.open(path, model=TINY, chip="H100") as ledger:
        with ledger.step(0) as s:
            _feed(s, 1)
        assert ledger.record(0, s) is False  # a restart from an older checkpoint replays it
        assert ledger.next_step == 1
    data = read_ledger(path)
    summary = summarize_ledger(data)
    assert summary["steps"] == 1 and summary["replayed_steps"] == 1
    assert summary["replayed_flop"] == summary["total_flop"]
    assert len(path.read_text().splitlines()) == 3  # header, step, replay


def test_a_line_from_another_run_is_one_clear_error_and_the_file_is_untouched(tmp_path):
    a, b = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    for path, rid in ((a, "run-a"), (b, "run-b")):
        with Ledger.open(path, model=TINY, chip="H100", run_id=rid) as ledger:
            with ledger.step() as s:
                _feed(s, 2)
    mixed = tmp_path / "mixed.jsonl"
    mixed.write_text(a.read_text() + b.read_text().splitlines()[1] + "\n")
    before = mixed.read_bytes()
    with pytest.raises(DataError, match=r"mixed.jsonl:3: line of run 'run-b' in the ledger"):
        read_ledger(mixed)
    with pytest.raises(DataError, match="line of run 'run-b'"):
        Ledger.open(mixed)
    with pytest.raises(InputError, match="belongs to run 'run-a', not 'run-x'"):
        Ledger.open(a, run_id="run-x")
    assert mixed.read_bytes() == before


def test_negative_counts_in_a_file_and_in_a_feed_are_refused(tmp_path):
    path = tmp_path / "run.jsonl"
    with Ledger.open(path, model=TINY, chip="H100", run_id="neg") as ledger:
        with ledger.step() as s:
            _feed(s, 1)
        with pytest.raises(InputError, match="response lengths must be non-negative, got -5"):
            with ledger.step() as s:
                s.rollout([3], [-5])
        assert ledger.next_step == 1  # the failed step left no record
    lines = path.read_text().splitlines()
    rec = json.loads(lines[1])
    rec["step"] = 1
    rec["phases"]["update"]["tokens"] = -7
    path.write_text("\n".join([*lines, json.dumps(rec)]) + "\n")
    with pytest.raises(DataError, match=r"run.jsonl:3: .*update.tokens must be a non-negative"):
        read_ledger(path)


def test_unknown_model_or_chip_fails_when_the_ledger_opens(tmp_path):
    path = tmp_path / "run.jsonl"
    with pytest.raises(UnknownNameError, match="unknown chip 'H1000'"):
        Ledger.open(path, model=TINY, chip="H1000")
    with pytest.raises(UnknownNameError, match="unknown architecture 'qwen-9000'"):
        Ledger.open(path, model="qwen-9000", chip="H100")
    with pytest.raises(ConfigError, match="model_type 'nosuch' is not supported"):
        Ledger.open(path, model={"model_type": "nosuch"}, chip="H100")
    assert not path.exists()


def test_resume_checks_model_and_chip(tmp_path):
    path = tmp_path / "run.jsonl"
    Ledger.open(path, model=TINY, chip="H100").close()
    with pytest.raises(InputError, match="counts model 'tiny-qwen2', not 'tiny-gpt2'"):
        Ledger.open(path, model=str(ROOT / "tests/data/configs/tiny-gpt2.json"))
    with pytest.raises(InputError, match="was opened for chip 'h100-sxm'"):
        Ledger.open(path, chip="A100")


def test_step_timing_is_recorded(tmp_path):
    path = tmp_path / "run.jsonl"
    with Ledger.open(path, model=TINY, chip="H100") as ledger:
        with ledger.step() as s:
            with s.timed("update", gpus=4):
                time.sleep(0.01)
            _feed(s, 1)
    (span,) = read_ledger(path).steps[0].counts.spans
    assert span.phases == ("update",) and span.gpus == 4 and span.seconds >= 0.01
