"""The named inputs of uncertain quantities: each one source of uncertainty, or a known number.

An :class:`Input` is a leaf of an :class:`~flopcast.core.quantity.Uncertain` expression. It owns
one standard normal score ``Z_i`` (seeded by the input's name), so an input used twice in an
expression is the same draw twice. ``uid`` tells inputs apart when two share a name. Inputs are
values: never changed once made (:meth:`Input.replace` makes a changed copy with the same uid).
"""

from __future__ import annotations

import itertools
from typing import Any

from flopcast.core import fmt

_uids = itertools.count(1)

KINDS = ("point", "lognormal", "normal", "loguniform", "mixture")


class Input:
    """One named source of uncertainty (or a named known number).

    ``name=None`` means "made up from the spec" (``"0.1 to 0.4"``): the name is then written
    only when first read, so the exact path never formats numbers it does not print.
    """

    __slots__ = ("_name", "kind", "params", "description", "source", "uid", "named")

    def __init__(
        self,
        name: str | None,
        kind: str,  # one of KINDS
        params: dict[str, float],
        description: str = "",
        source: str = "",
        uid: int | None = None,
        named: bool = True,  # False when the name was made up from the spec ("0.1 to 0.4")
    ):
        self._name = name
        self.kind = kind
        self.params = params
        self.description = description
        self.source = source
        self.uid = next(_uids) if uid is None else uid
        self.named = named

    @property
    def name(self) -> str:
        if self._name is None:
            self._name = self.made_up_name()
        return self._name

    def made_up_name(self) -> str:
        p = self.params
        if self.kind in ("lognormal", "normal"):
            return f"{fmt.number(p['lo'])} to {fmt.number(p['hi'])}"
        if self.kind == "loguniform":
            return f"between {fmt.number(p['lo'])} and {fmt.number(p['hi'])}"
        return self.kind

    def replace(self, **changes: Any) -> Input:
        """A copy with ``changes`` (same uid: it is the same source of uncertainty)."""
        fields: dict[str, Any] = {
            "name": self.name,
            "kind": self.kind,
            "params": self.params,
            "description": self.description,
            "source": self.source,
            "uid": self.uid,
            "named": self.named,
        }
        fields.update(changes)
        return Input(**fields)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Input):
            return NotImplemented
        return (self.name, self.kind, self.params, self.description, self.source, self.named) == (
            other.name,
            other.kind,
            other.params,
            other.description,
            other.source,
            other.named,
        )

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"Input({self.name!r}, {self.kind!r}, {self.params!r})"

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
