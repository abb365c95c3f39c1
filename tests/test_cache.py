"""flopcast.web.cache: a bounded LRU, and scenarios parsed once per file modification."""

from __future__ import annotations

import importlib

import pytest

from flopcast.core.errors import ScenarioError
from flopcast.web import cache

forecast = importlib.import_module("flopcast.forecast.model")


def test_lru_keeps_the_most_recent_entries():
    lru = cache.LRU(2)
    lru.put("a", 1)
    lru.put("b", 2)
    assert lru.get("a") == 1  # a is now the most recent
    lru.put("c", 3)  # evicts b, the least recently used
    assert (lru.get("a"), lru.get("b"), lru.get("c")) == (1, cache.MISSING, 3)
    assert len(lru) == 2


def test_a_scenario_is_parsed_once_until_its_file_changes(monkeypatch):
    parsed = []
    real = forecast.load_scenario

    def counted(name, overrides=None):
        parsed.append(name)
        return real(name, overrides)

    monkeypatch.setattr(forecast, "load_scenario", counted)
    scenarios = cache.Scenarios()
    base = scenarios.load("seed-analysis")
    slow = scenarios.load("seed-analysis", {"growth.months_per_10x": "6 to 8"})
    assert parsed == ["seed-analysis"]  # one parse, overrides applied to it
    assert slow.value("growth.months_per_10x") == "6 to 8"
    assert base.value("growth.months_per_10x") == "3 to 5"  # the cached parse is not changed
    assert slow == real("seed-analysis", {"growth.months_per_10x": "6 to 8"})

    stamp = cache._mtime
    monkeypatch.setattr(cache, "_mtime", lambda path: stamp(path) + 1)  # the file was edited
    scenarios.load("seed-analysis")
    assert parsed == ["seed-analysis", "seed-analysis"] and scenarios.parses == 2


def test_overrides_are_still_validated_on_the_cached_parse():
    scenarios = cache.Scenarios()
    with pytest.raises(ScenarioError):
        scenarios.load("seed-analysis", {"growth.months_per_10x": "-3"})
    with pytest.raises(ScenarioError, match="no.such"):
        scenarios.load("seed-analysis", {"no.such": "1"})


def test_names_are_the_shipped_scenarios():
    assert cache.Scenarios().names() == forecast.list_scenarios()
