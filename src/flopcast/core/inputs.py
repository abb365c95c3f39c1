"""The named inputs of uncertain quantities: each one source of uncertainty, or a known number.

An :class:`Input` is a leaf of an :class:`~flopcast.core.quantity.Uncertain` expression. It owns
one standard normal score ``Z_i`` (seeded by the input's name), so an input used twice in an
expression is the same draw twice. ``uid`` tells inputs apart when two share a name.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

from flopcast.core import fmt

_uids = itertools.count(1)

KINDS = ("point", "lognormal", "normal", "loguniform", "mixture")


@dataclass(frozen=True)
class Input:
    """One named source of uncertainty (or a named known number)."""

    name: str
    kind: str  # one of KINDS
    params: dict[str, float]
    description: str = ""
    source: str = ""
    uid: int = field(default_factory=lambda: next(_uids), compare=False)
    named: bool = True  # False when the name was made up from the spec ("0.1 to 0.4")

    def spec(self) -> str:
        """The input as a person would write it: ``0.1 to 0.4``, ``log-uniform 1 - 10``."""
        p = self.params
        if self.kind == "point":
            return fmt.number(p["value"])
        if self.kind in ("lognormal", "normal"):
            lvl = round(p["level"] * 100)
            tail = f", {lvl}% CI" if lvl != 90 else ""
            dist = "" if self.kind == "lognormal" else ", normal"
            return f"{fmt.number(p['lo'])} to {fmt.number(p['hi'])}{tail}{dist}"
        if self.kind == "loguniform":
            return f"log-uniform {fmt.number(p['lo'])} - {fmt.number(p['hi'])}"
        return f"mixture of {int(p['components'])}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "kind": self.kind,
            "spec": self.spec(),
            "params": dict(self.params),
            "description": self.description,
            "source": self.source,
        }


def next_uid() -> int:
    return next(_uids)
