"""The run ledger: an append-only JSON-lines file, one line per step, fsync'd as it is written.

Line 1 is the run's header (run id, model coefficients, chip, precision); every further line
is one complete step: its per-phase counters (:mod:`flopcast.accounting.track.counts`) and its
timed spans (:mod:`flopcast.accounting.track.timing`). A line counts only once its newline is on
disk, so a process killed mid-write leaves a ledger that reads back every complete step; the
next :meth:`Ledger.open` cuts the partial line before appending. A restart resumes at
:attr:`Ledger.next_step`; a step recorded again (a restart from an older checkpoint replays it)
is kept as a ``replay`` line and left out of the totals, so nothing is counted twice and
nothing spent is hidden.

Bad input is refused before anything is written: an unknown model or chip when the ledger is
opened, a negative token count when it is fed, a line of another run when it is read.
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO

from flopcast.accounting.architecture import Architecture
from flopcast.accounting.track.counts import Model, StepCounts
from flopcast.accounting.track.timing import Span
from flopcast.core.errors import DataError, InputError
from flopcast.estimate.chips import lookup, peak_flop_per_s

__all__ = ["Ledger", "LedgerData", "StepRecord", "read_ledger", "LEDGER_VERSION"]

LEDGER_VERSION = 1


@dataclass(frozen=True)
class StepRecord:
    step: int
    counts: StepCounts
    line: int
    replay: bool = False


@dataclass
class LedgerData:
    """A ledger read back: its header, the counted steps in order, the replays."""

    path: str
    run_id: str
    model: Model
    chip: str
    precision: str
    steps: list[StepRecord] = field(default_factory=list)
    replays: list[StepRecord] = field(default_factory=list)
    cut_tail: bool = False  # the last line was cut mid-write and is not counted
    complete_bytes: int = 0  # length of the file up to the last complete line

    def peak_flop_per_s(self, chip: str | None = None) -> float:
        return peak_flop_per_s(chip or self.chip, self.precision)


def read_ledger(path: str | Path) -> LedgerData:
    """Read a ledger; every error names the file and line (DataError)."""
    p = Path(path)
    raw = p.read_bytes()
    end = raw.rfind(b"\n") + 1  # complete lines only
    lines = raw[:end].decode("utf-8", errors="replace").split("\n")[:-1]
    if not lines:
        raise DataError("the ledger has no complete header line", str(p))
    head = _json_line(lines[0], p, 1)
    try:
        if head.get("kind") != "run" or head.get("version") != LEDGER_VERSION:
            raise InputError(f"the first line must be a version {LEDGER_VERSION} run header")
        data = LedgerData(
            str(p),
            str(head["run_id"]),
            Model.from_dict(head["model"]),
            str(head["chip"]),
            str(head["precision"]),
            cut_tail=end < len(raw),
            complete_bytes=end,
        )
    except (InputError, KeyError, TypeError, ValueError) as exc:
        raise DataError(f"bad run header: {_reason(exc)}", str(p), line=1) from None
    first_line: dict[int, int] = {}
    for i, text in enumerate(lines[1:], start=2):
        rec = _json_line(text, p, i)
        if rec.get("run_id") != data.run_id:
            raise DataError(
                f"line of run {rec.get('run_id')!r} in the ledger of run {data.run_id!r}; "
                "each ledger holds one run",
                str(p),
                line=i,
            )
        try:
            step = _step_record(rec, data.model, i)
        except (InputError, KeyError, TypeError, ValueError) as exc:
            raise DataError(f"bad step record: {_reason(exc)}", str(p), line=i) from None
        if step.replay:
            data.replays.append(step)
        elif step.step in first_line:
            raise DataError(
                f"step {step.step} is recorded twice (line {first_line[step.step]} and this one) "
                "without the replay mark",
                str(p),
                line=i,
            )
        else:
            first_line[step.step] = i
            data.steps.append(step)
    data.steps.sort(key=lambda s: s.step)
    return data


class Ledger:
    """An open ledger to record steps into. Make one with :meth:`open`."""

    def __init__(self, data: LedgerData, handle: BinaryIO) -> None:
        self.data = data
        self._handle = handle
        self._recorded = {s.step for s in data.steps}

    @classmethod
    def open(
        cls,
        path: str | Path,
        *,
        model: Model | Architecture | str | Path | Mapping[str, Any] | None = None,
        chip: str | None = None,
        precision: str = "bf16",
        run_id: str | None = None,
    ) -> Ledger:
        """Open (create or resume) the ledger at ``path``.

        A new ledger needs ``model`` (a config, a shipped name, an Architecture) and ``chip``
        (a name in the chip catalog); an unknown one is an error now, not after the run.
        Resuming checks that ``run_id``, ``model`` and ``chip``, where given, match.
        """
        p = Path(path)
        if p.exists() and p.stat().st_size > 0:
            data = read_ledger(p)
            _check_resume(data, model, chip, precision, run_id)
            handle: BinaryIO = p.open("r+b")
            handle.truncate(data.complete_bytes)  # drop a line cut mid-write
            handle.seek(0, os.SEEK_END)
            return cls(data, handle)
        if model is None or chip is None:
            raise InputError(f"a new ledger ({p}) needs a model and a chip")
        m = Model.of(model)
        chip_id = lookup(chip).id
        peak_flop_per_s(chip_id, precision)  # the chip must have this precision's peak
        rid = run_id or uuid.uuid4().hex[:12]
        header = {
            "kind": "run",
            "version": LEDGER_VERSION,
            "run_id": rid,
            "model": m.to_dict(),
            "chip": chip_id,
            "precision": precision,
            "created": datetime.now(UTC).isoformat(timespec="seconds"),
        }
        handle = p.open("ab")
        _append(handle, header)
        data = LedgerData(str(p), rid, m, chip_id, precision, complete_bytes=handle.tell())
        return cls(data, handle)

    @property
    def run_id(self) -> str:
        return self.data.run_id

    @property
    def model(self) -> Model:
        return self.data.model

    @property
    def next_step(self) -> int:
        """The first step not yet recorded (0 for a new ledger)."""
        return max(self._recorded) + 1 if self._recorded else 0

    def counts(self) -> StepCounts:
        """An empty counter for this ledger's model (for a rank or a worker)."""
        return StepCounts(self.data.model)

    @contextmanager
    def step(self, index: int | None = None) -> Iterator[StepCounts]:
        """``with ledger.step() as s:`` feed ``s``; the step is written when the block ends
        normally (an exception inside leaves no record)."""
        counts = self.counts()
        yield counts
        self.record(self.next_step if index is None else index, counts)

    def record(self, index: int, counts: StepCounts) -> bool:
        """Append step ``index``; returns False (a replay line, not counted) if it was
        already recorded."""
        if isinstance(index, bool) or not isinstance(index, int) or index < 0:
            raise InputError(f"a step index must be a non-negative whole number, got {index!r}")
        if counts.model.coefficients != self.data.model.coefficients:
            raise InputError(
                f"counters of model {counts.model.name!r} cannot go in the ledger of "
                f"{self.data.model.name!r}"
            )
        replay = index in self._recorded
        line = {
            "kind": "step",
            "run_id": self.run_id,
            "step": index,
            "phases": counts.to_dict(),
            "spans": [s.to_dict() for s in counts.spans],
        }
        if replay:
            line["replay"] = True
        _append(self._handle, line)
        self.data.complete_bytes = self._handle.tell()
        rec = StepRecord(index, counts, 0, replay)
        if replay:
            self.data.replays.append(rec)
        else:
            self._recorded.add(index)
            self.data.steps.append(rec)
        return not replay

    def close(self) -> None:
        self._handle.close()

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _append(handle: BinaryIO, record: dict[str, Any]) -> None:
    """One line in one write, then flush and fsync: on disk before the next step starts."""
    handle.write((json.dumps(record, separators=(",", ":")) + "\n").encode("utf-8"))
    handle.flush()
    os.fsync(handle.fileno())


def _json_line(text: str, path: Path, line: int) -> dict[str, Any]:
    try:
        rec = json.loads(text)
    except json.JSONDecodeError as exc:
        raise DataError(f"not a JSON record: {exc.msg}", str(path), line=line) from None
    if not isinstance(rec, dict):
        raise DataError("a ledger line must be one JSON object", str(path), line=line)
    return rec


def _step_record(rec: dict[str, Any], model: Model, line: int) -> StepRecord:
    if rec.get("kind") != "step":
        raise InputError(f"kind must be 'step', got {rec.get('kind')!r}")
    index = rec["step"]
    if isinstance(index, bool) or not isinstance(index, int) or index < 0:
        raise InputError(f"step must be a non-negative whole number, got {index!r}")
    counts = StepCounts.from_dict(model, rec["phases"])
    counts.spans = [Span.from_dict(s) for s in rec.get("spans", [])]
    return StepRecord(index, counts, line, bool(rec.get("replay", False)))


def _check_resume(
    data: LedgerData,
    model: Model | Architecture | str | Path | Mapping[str, Any] | None,
    chip: str | None,
    precision: str,
    run_id: str | None,
) -> None:
    where = f"ledger {data.path}"
    if run_id is not None and run_id != data.run_id:
        raise InputError(f"{where} belongs to run {data.run_id!r}, not {run_id!r}")
    if model is not None and Model.of(model).coefficients != data.model.coefficients:
        raise InputError(f"{where} counts model {data.model.name!r}, not {Model.of(model).name!r}")
    if chip is not None and lookup(chip).id != data.chip:
        raise InputError(f"{where} was opened for chip {data.chip!r}, not {chip!r}")
    if precision != data.precision:
        raise InputError(f"{where} uses {data.precision} peaks, not {precision}")


def _reason(exc: BaseException) -> str:
    if isinstance(exc, KeyError):
        return f"missing field {exc.args[0]!r}"
    return str(exc)
