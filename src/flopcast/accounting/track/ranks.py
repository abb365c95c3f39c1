"""Counters of several ranks or workers for one step, added into one.

A data-parallel step is counted where it runs, one counter per rank; the step's FLOP are the
sum over ranks (verl-omni PR #128: MFU is inflated unless every rank's sequences are counted,
not one rank's times the world size). Times do not add: ranks run side by side, so a phase
lasts as long as its slowest rank, on the sum of the ranks' GPUs.
"""

from __future__ import annotations

from collections.abc import Iterable

from flopcast.accounting.track.counts import StepCounts
from flopcast.accounting.track.timing import merge_rank_spans
from flopcast.core.errors import InputError

__all__ = ["merge_ranks"]


def merge_ranks(
    reports: Iterable[tuple[int, StepCounts]], *, step: int | None = None
) -> StepCounts:
    """One step's counters from ``(rank, counters)`` pairs; a rank that reports twice is an
    error (its sequences would be counted twice)."""
    seen: set[int] = set()
    items = list(reports)
    if not items:
        raise InputError("no rank reported" + (f" for step {step}" if step is not None else ""))
    total = StepCounts(items[0][1].model)
    for rank, counts in items:
        if rank in seen:
            where = f" for step {step}" if step is not None else ""
            raise InputError(f"rank {rank} reported twice{where}; each rank reports once per step")
        seen.add(rank)
        total.merge(counts, spans=False)
    total.spans = merge_rank_spans([c.spans for _, c in items])
    return total
