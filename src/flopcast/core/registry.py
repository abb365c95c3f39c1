"""One registry type for every kind of named thing flopcast looks up.

Layer formulas, config readers, RL algorithms, expression functions, cap kinds, reference
selectors, fit models and report figures are each a :class:`Registry`: names map to objects,
a second registration under a name is refused (as PyTorch's ``flop_counter`` refuses a second
formula for an operation), and looking up an unknown name raises
:class:`~flopcast.core.errors.UnknownNameError` with the closest known names as suggestions.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterator, Mapping
from typing import Generic, TypeVar, overload

from flopcast.core.errors import UnknownNameError

T = TypeVar("T")


class Registry(Mapping[str, T], Generic[T]):
    """Names -> objects of one ``kind`` (the word used in error messages, e.g. "algorithm").

    ``normalize`` maps a name to its key (default: the name itself); use ``str.lower`` for
    case-insensitive names.
    """

    def __init__(self, kind: str, *, normalize: Callable[[str], str] | None = None) -> None:
        self.kind = kind
        self._normalize = normalize or (lambda s: s)
        self._items: dict[str, T] = {}

    @overload
    def register(self, name: str) -> Callable[[T], T]: ...
    @overload
    def register(self, name: str, obj: T) -> T: ...

    def register(self, name: str, obj: T | None = None) -> T | Callable[[T], T]:
        """Add ``obj`` under ``name``; without ``obj``, a decorator that does so."""

        def add(item: T) -> T:
            key = self._normalize(name)
            if key in self._items:
                raise ValueError(f"{self.kind} {name!r} is already registered")
            self._items[key] = item
            return item

        return add if obj is None else add(obj)

    def __getitem__(self, name: str) -> T:
        key = self._normalize(name) if isinstance(name, str) else name
        try:
            return self._items[key]
        except (KeyError, TypeError):
            raise UnknownNameError(self.kind, str(name), self.suggest(str(name))) from None

    def suggest(self, name: str, n: int = 3) -> list[str]:
        """Known names close to ``name`` (all of them when there are few and none is close)."""
        close = difflib.get_close_matches(self._normalize(name), list(self._items), n=n)
        return close or (sorted(self._items) if len(self._items) <= 8 else [])

    def names(self) -> list[str]:
        return sorted(self._items)

    def __iter__(self) -> Iterator[str]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and self._normalize(name) in self._items

    def __repr__(self) -> str:
        return f"Registry({self.kind!r}, {self.names()})"
