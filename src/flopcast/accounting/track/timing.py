"""Phase times: GPU-synchronised wall clocks and the GPU pool each phase ran on.

CUDA kernels run asynchronously, so a wall clock read right after a launch measures the
launch, not the work. :func:`timer` calls ``torch.cuda.synchronize()`` before reading the clock
at both ends when torch is already imported and CUDA is available (the usual PyTorch timing
practice); otherwise it is plain ``time.perf_counter`` wall time on the CPU.
"""

from __future__ import annotations

import math
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from flopcast.accounting.rl import PHASES
from flopcast.core.errors import InputError, UnknownNameError

__all__ = ["Span", "timer", "synchronize", "merge_rank_spans"]


@dataclass(frozen=True)
class Span:
    """``seconds`` of wall time in which ``gpus`` chips of ``chip`` ran ``phases``.

    ``chip`` None means the ledger's chip. A span may cover several phases (a rollout engine
    that runs prefill and decode together); MFU is then known for the group, not each phase.
    """

    phases: tuple[str, ...]
    seconds: float
    gpus: int
    chip: str | None = None

    def __post_init__(self) -> None:
        if not self.phases:
            raise InputError("a timed span needs at least one phase")
        for ph in self.phases:
            if ph not in PHASES:
                raise UnknownNameError("phase", str(ph), list(PHASES))
        if not (isinstance(self.seconds, (int, float)) and math.isfinite(self.seconds)):
            raise InputError(f"span seconds must be a finite number, got {self.seconds!r}")
        if self.seconds < 0:
            raise InputError(f"span seconds must be non-negative, got {self.seconds}")
        if isinstance(self.gpus, bool) or not isinstance(self.gpus, int) or self.gpus < 1:
            raise InputError(f"a span needs a pool of at least 1 GPU, got {self.gpus!r}")

    @property
    def label(self) -> str:
        return "+".join(self.phases)

    def to_dict(self) -> dict[str, Any]:
        return {
            "phases": list(self.phases),
            "seconds": self.seconds,
            "gpus": self.gpus,
            "chip": self.chip,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Span:
        try:
            return cls(
                tuple(data["phases"]), float(data["seconds"]), data["gpus"], data.get("chip")
            )
        except (KeyError, TypeError, ValueError):
            raise InputError("a span needs phases, seconds and gpus") from None


def synchronize() -> None:
    """Wait for queued CUDA work when torch is loaded and CUDA is available."""
    torch = sys.modules.get("torch")  # only if the caller already uses torch
    if torch is not None and torch.cuda.is_available():
        torch.cuda.synchronize()


@contextmanager
def timer() -> Iterator[list[float]]:
    """``with timer() as t: ...``; afterwards ``t[0]`` is the synchronised elapsed seconds."""
    out = [0.0]
    synchronize()
    start = time.perf_counter()
    try:
        yield out
    finally:
        synchronize()
        out[0] = time.perf_counter() - start


def merge_rank_spans(per_rank: Sequence[Sequence[Span]]) -> list[Span]:
    """Spans of ranks that ran side by side: per (phases, chip), the longest rank's seconds
    (the phase ends when the last rank ends) and the sum of the ranks' GPUs."""
    groups: dict[tuple[tuple[str, ...], str | None], list[Span]] = {}
    for spans in per_rank:
        seen: dict[tuple[tuple[str, ...], str | None], Span] = {}
        for s in spans:  # one rank timing a phase in pieces: its pieces add up
            key = (s.phases, s.chip)
            prev = seen.get(key)
            seen[key] = (
                s if prev is None else Span(s.phases, prev.seconds + s.seconds, s.gpus, s.chip)
            )
        for key, s in seen.items():
            groups.setdefault(key, []).append(s)
    return [
        Span(k[0], max(s.seconds for s in v), sum(s.gpus for s in v), k[1])
        for k, v in groups.items()
    ]
