"""Which peak a calibration row is compared at: the row's numerical format, else a default.

Epoch's own hardware estimates use the precision a paper states; CSVs before mid-2025 do not
record it. :func:`precisions` gives the peaks a row's run may have used and
:func:`either` the equal-weight mixture of the hardware estimates at several of them.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from flopcast.core.constructors import mix
from flopcast.core.errors import FlopcastError
from flopcast.core.uncertain import Uncertain
from flopcast.estimate import chips
from flopcast.evidence.epoch import EpochRow

__all__ = ["PRECISION_ORDER", "UNSTATED_PRE_BF16", "either", "precisions"]

# without a stated format, the first precision the catalog has for the chip, in this order
PRECISION_ORDER = ("bf16", "fp16", "fp32")
# a pre-bf16 chip's run may have used either peak when the row does not say (see precisions())
UNSTATED_PRE_BF16 = ("fp16", "fp32")


def precisions(row: EpochRow, spec: chips.Chip) -> tuple[list[str], str]:
    """The peaks the row's run may have used (several: an equal-weight mixture), or why none.

    1. The row's "Numerical format" (Epoch's exports from mid-2025) where the catalog has it.
    2. Else a chip with a bf16 peak: bf16 (the default flopcast's hardware method documents).
    3. Else a chip with both an fp16 (tensor-core, mixed-precision) and an fp32 peak, the
       pre-bf16 generations (Volta, Turing, Pascal): **both**, with equal weight. Such a run
       may have used mixed precision or plain fp32, an 8x difference in peak on a V100, and
       the row does not say which; the equal weight is an assumption (no sourced share of
       fp32 runs on these chips was found), and it widens the interval rather than guessing.
    4. Else whichever single peak the chip has.
    """
    if row.numerical_format:
        stated: list[str] = []
        for part in re.split(r"[,;/]| and ", row.numerical_format):
            if not part.strip():
                continue
            try:
                key = chips.normalize_precision(part.strip())
            except FlopcastError:
                continue
            if key in spec.peak and key not in stated:
                stated.append(key)
        if stated:
            return stated, ""
    if "bf16" in spec.peak:
        return ["bf16"], ""
    if "fp16" in spec.peak and "fp32" in spec.peak:
        return list(UNSTATED_PRE_BF16), ""
    for precision in PRECISION_ORDER:
        if precision in spec.peak:
            return [precision], ""
    return [], f"{spec.name} has no bf16, fp16 or fp32 peak in the catalog"


def either(parts: Sequence[Uncertain], peaks: Sequence[str], chip: str) -> Uncertain:
    return mix(
        list(parts),
        name="precision not stated",
        description=(
            f"equal-weight mixture of the {' and '.join(peaks)} peaks of {chip}: the row does "
            "not say which the run used (assumed weights)"
        ),
    )
