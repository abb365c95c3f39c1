"""Ray: counters held by the workers, added up on the driver.

In a Ray RL trainer (veRL, OpenRLHF, NeMo-RL, SkyRL) the rollout and training workers are Ray
actors and the driver runs the loop. Each worker holds a :class:`WorkerCounter` (inside its own
actor, or as an actor of its own: ``ray.remote(WorkerCounter)``, see :func:`remote_counter`)
and counts the sequences it processes; at the end of a step the driver asks every worker for
its :meth:`WorkerCounter.report` and a :class:`RayAggregator` adds the reports (one per rank;
a rank that reports twice is refused) and records the step in the ledger.
Reports are plain dicts, so they travel through Ray's object store without custom types.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from flopcast.accounting.track.counts import Model, PackedSums, StepCounts
from flopcast.accounting.track.ledger import Ledger
from flopcast.accounting.track.ranks import merge_ranks
from flopcast.accounting.track.timing import Span
from flopcast.core.errors import InputError

__all__ = ["WorkerCounter", "RayAggregator", "remote_counter", "counts_from_report"]


class WorkerCounter:
    """One worker's counter; ``model`` is a ledger's ``model.to_dict()`` (plain data)."""

    def __init__(self, model: Mapping[str, Any], rank: int) -> None:
        self.rank = int(rank)
        self._model = Model.from_dict(model)
        self._counts = StepCounts(self._model)

    def rollout(self, prompt_lengths: Sequence[int], response_lengths: Sequence[int]) -> None:
        self._counts.rollout(prompt_lengths, response_lengths)

    def prefill(self, prompt_lengths: Sequence[int]) -> None:
        self._counts.prefill(prompt_lengths)

    def decode(self, prompt_lengths: Sequence[int], response_lengths: Sequence[int]) -> None:
        self._counts.decode(prompt_lengths, response_lengths)

    def count(
        self,
        phase: str,
        lengths: Sequence[int] | None = None,
        *,
        sums: tuple[int, int, int] | None = None,
        passes: int | None = None,
    ) -> None:
        packed = PackedSums(*sums) if sums is not None else None
        self._counts.count(phase, lengths, sums=packed, passes=passes)

    def add_time(self, phases: str | Sequence[str], seconds: float, gpus: int) -> None:
        self._counts.add_time(phases, seconds, gpus)

    def report(self, step: int) -> dict[str, Any]:
        """This worker's counters for ``step``, then a fresh counter for the next one."""
        out = {
            "rank": self.rank,
            "step": int(step),
            "phases": self._counts.to_dict(),
            "spans": [s.to_dict() for s in self._counts.spans],
        }
        self._counts = StepCounts(self._model)
        return out


def remote_counter(**options: Any) -> Any:
    """``WorkerCounter`` as a Ray actor class (``remote_counter().remote(model, rank)``)."""
    import ray  # optional extra: only a Ray driver needs it

    return ray.remote(**options)(WorkerCounter) if options else ray.remote(WorkerCounter)


def counts_from_report(model: Model, report: Mapping[str, Any]) -> tuple[int, StepCounts]:
    """``(rank, counters)`` of one worker's report; a malformed report is an InputError."""
    try:
        rank = report["rank"]
        counts = StepCounts.from_dict(model, report["phases"], where=f"rank {rank} phases")
        counts.spans = [Span.from_dict(s) for s in report.get("spans", [])]
    except (KeyError, TypeError):
        raise InputError("a worker report needs rank, step and phases") from None
    if isinstance(rank, bool) or not isinstance(rank, int) or rank < 0:
        raise InputError(f"a worker's rank must be a non-negative whole number, got {rank!r}")
    return rank, counts


class RayAggregator:
    """Driver side: adds the workers' reports of a step and records it in ``ledger``."""

    def __init__(self, ledger: Ledger) -> None:
        self.ledger = ledger

    def collect(self, step: int, reports: Iterable[Mapping[str, Any]]) -> StepCounts:
        """Add the reports of ``step`` (from ``ray.get([w.report.remote(step) ...])``) and
        record them; every report is checked before anything is written."""
        items = []
        for report in reports:
            if report.get("step") != step:
                raise InputError(
                    f"rank {report.get('rank')} reported step {report.get('step')!r} "
                    f"while the driver collects step {step}"
                )
            items.append(counts_from_report(self.ledger.model, report))
        total = merge_ranks(items, step=step)
        self.ledger.record(step, total)
        return total
