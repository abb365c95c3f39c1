"""torch.distributed: every rank counts its own sequences; one all-reduce adds them up.

Each rank feeds a :class:`~flopcast.accounting.track.counts.StepCounts` with the sequences it
processed. :func:`all_reduce` sums the integer counters of all ranks with one
``all_reduce(SUM)`` on an int64 tensor (a fixed layout: phases x [sequences, tokens, head
tokens, pairs per window], O(phases) whatever the number of sequences), and gathers the ranks'
timed spans (a few numbers each) so every rank gets the step's totals. Rank 0 then records the
step in the ledger. NB: int64 holds 9.2e18 per counter and step, beyond any real step (a step of
1e4 sequences of 1e5 tokens has 1.5e14 pairs x 3 passes).
"""

from __future__ import annotations

from typing import Any

from flopcast.accounting.track.counts import StepCounts
from flopcast.accounting.track.timing import Span, merge_rank_spans

__all__ = ["all_reduce"]


def all_reduce(counts: StepCounts, group: Any = None) -> StepCounts:
    """The step's counters summed over the ranks of ``group`` (default: the world)."""
    import torch  # optional extra: only ranks that use torch.distributed import it
    import torch.distributed as dist

    values = torch.tensor(counts.vector(), dtype=torch.int64)
    dist.all_reduce(values, op=dist.ReduceOp.SUM, group=group)
    total = StepCounts.from_vector(counts.model, values.tolist())
    gathered: list[Any] = [None] * dist.get_world_size(group)
    dist.all_gather_object(gathered, [s.to_dict() for s in counts.spans], group=group)
    total.spans = merge_rank_spans([[Span.from_dict(d) for d in spans] for spans in gathered])
    return total
