"""The run ledger: exact FLOP and MFU of a real RL run, counted where it runs.

- :mod:`~flopcast.accounting.track.counts`: per-phase counters fed by token counts
- :mod:`~flopcast.accounting.track.timing`: GPU-synchronised phase times and GPU pools
- :mod:`~flopcast.accounting.track.ledger`: the crash-safe JSON-lines ledger
- :mod:`~flopcast.accounting.track.ranks`: counters of many ranks added into one step
- :mod:`~flopcast.accounting.track.summary`: totals, MFU, comparison with a recipe
- integrations (each imports its library only when used): ``trl`` (a GRPOTrainer callback),
  ``distributed`` (torch.distributed all-reduce), ``ray_actors`` (Ray workers and a driver-side
  aggregator), ``verl`` (a veRL batch's metrics), ``prometheus`` (vLLM / SGLang metrics),
  ``figure`` (FLOP and MFU per step)
"""

from __future__ import annotations

from flopcast.accounting.track.counts import Model, PackedSums, PhaseCounts, StepCounts
from flopcast.accounting.track.ledger import Ledger, LedgerData, read_ledger
from flopcast.accounting.track.ranks import merge_ranks
from flopcast.accounting.track.summary import compare_with_recipe, step_series, summarize_ledger
from flopcast.accounting.track.timing import Span, timer

__all__ = [
    "Ledger",
    "LedgerData",
    "Model",
    "PackedSums",
    "PhaseCounts",
    "Span",
    "StepCounts",
    "compare_with_recipe",
    "merge_ranks",
    "read_ledger",
    "step_series",
    "summarize_ledger",
    "timer",
]
