"""The dashboard's caches: recent results by request, and parsed scenarios by file time.

:class:`LRU` holds small, JSON-ready results (never the draws behind them), bounded by entries,
so memory does not grow with the number of distinct requests. :class:`Scenarios` parses each
shipped scenario file once and again only when its modification time (or that of
``_defaults.yaml``) changes; a request's overrides are then applied to the cached parse, which
validates them, instead of re-reading YAML on every request.
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from collections.abc import Hashable
from pathlib import Path
from typing import Any

from flopcast.forecast import model as forecast
from flopcast.forecast.params import DEFAULTS_FILE
from flopcast.forecast.scenario import SCENARIO_DIR

MISSING = object()


class LRU:
    """A thread-safe least-recently-used map of at most ``size`` entries."""

    def __init__(self, size: int):
        self.size = size
        self._data: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> Any:
        """The value, or :data:`MISSING`."""
        with self._lock:
            if key not in self._data:
                return MISSING
            self._data.move_to_end(key)
            return self._data[key]

    def put(self, key: Hashable, value: Any) -> None:
        with self._lock:
            self._data[key] = value
            self._data.move_to_end(key)
            while len(self._data) > self.size:
                self._data.popitem(last=False)

    def __len__(self) -> int:
        return len(self._data)


class Scenarios:
    """Shipped scenario names and their parsed files, re-read only when a file changes."""

    def __init__(self) -> None:
        self.folder, self.defaults = SCENARIO_DIR, DEFAULTS_FILE
        self._lock = threading.Lock()
        self._names: tuple[int, list[str]] | None = None
        self._parsed: dict[str, tuple[tuple[int, int], Any]] = {}
        self.parses = 0  # files parsed so far (what the cache saves is visible in tests)

    def names(self) -> list[str]:
        stamp = _mtime(self.folder)
        with self._lock:
            if self._names is None or self._names[0] != stamp:
                self._names = (stamp, forecast.list_scenarios())
            return list(self._names[1])

    def load(self, name: str, overrides: dict[str, str] | None = None) -> Any:
        """The shipped scenario ``name`` (checked by the caller) with ``overrides`` applied."""
        return self.parsed(name).with_overrides(overrides or None)

    def parsed(self, name: str) -> Any:
        """The shipped scenario ``name`` as its files say now (the same object until they change)."""
        stamp = (_mtime(self.folder / f"{name}.yaml"), _mtime(self.defaults))
        with self._lock:
            hit = self._parsed.get(name)
        if hit is not None and hit[0] == stamp:
            return hit[1]
        base = forecast.load_scenario(name)
        with self._lock:
            self._parsed[name] = (stamp, base)
            self.parses += 1
        return base


class ClosedForms:
    """The last closed-form forecast of each scenario and overrides, to reseed per request.

    A forecast in closed form depends on the seed and the draw count only through its draws
    (:meth:`flopcast.forecast.model.ForecastResult.reseeded`), so a request that differs from an
    earlier one only in ``seed`` or ``n`` reuses its closed form (dates, headroom, bands) and
    draws only what the response reads from draws (the histogram). The kept results hold no
    draws; ``forecast.run`` checks that the scenario is still equal (a changed file is a new
    run). Monte Carlo forecasts are not kept.
    """

    def __init__(self, scenarios: Scenarios, size: int):
        self.scenarios, self._lru = scenarios, LRU(size)

    def run(self, name: str, overrides: dict[str, str], n: int, seed: int, dataset: Any) -> Any:
        """The forecast of shipped scenario ``name`` with ``overrides``, ``n`` draws, ``seed``."""
        sc = self.scenarios.load(name, overrides)
        key = (name, tuple(sorted(overrides.items())))
        kept = self._lru.get(key)
        res = forecast.run(
            sc, n=n, seed=seed, dataset=dataset, reuse=None if kept is MISSING else kept
        )
        if res.method == "exact" and (kept is MISSING or res.exact is not kept.exact):
            self._lru.put(key, res.reseeded(seed, n))  # a copy that never draws, so stays small
        return res

    def __len__(self) -> int:
        return len(self._lru)


def _mtime(path: Path) -> int:
    try:
        return os.stat(path).st_mtime_ns
    except FileNotFoundError:
        return -1
