"""One registry type: duplicates refused, unknown names raise with suggestions."""

from __future__ import annotations

import pytest

from flopcast.core.errors import UnknownNameError
from flopcast.core.registry import Registry


def test_register_as_decorator_and_directly():
    reg: Registry[int] = Registry("widget")

    @reg.register("double")
    def double(x: int) -> int:
        return 2 * x

    reg.register("answer", 42)
    assert reg["double"](21) == 42
    assert reg["answer"] == 42
    assert reg.names() == ["answer", "double"]
    assert len(reg) == 2 and "answer" in reg and 3 not in reg


def test_duplicates_are_refused():
    reg: Registry[int] = Registry("algorithm")
    reg.register("grpo", 1)
    with pytest.raises(ValueError, match="algorithm 'grpo' is already registered"):
        reg.register("grpo", 2)
    assert reg["grpo"] == 1  # the first registration stands


def test_unknown_name_suggests_the_closest():
    reg: Registry[int] = Registry("chip")
    for i, name in enumerate(
        ["h100", "h200", "a100", "b200", "mi300x", "tpu-v5p", "l40s", "v100", "gb200"]
    ):
        reg.register(name, i)
    with pytest.raises(UnknownNameError) as info:
        reg["h10"]
    err = info.value
    assert err.kind == "chip" and err.name == "h10"
    assert err.suggestions[0] in ("h100", "h200")
    assert isinstance(err, KeyError)  # `except KeyError` keeps working


def test_few_names_are_all_suggested_when_none_is_close():
    reg: Registry[int] = Registry("cap kind")
    reg.register("budget", 1)
    reg.register("share", 2)
    with pytest.raises(UnknownNameError, match="did you mean 'budget', 'share'"):
        reg["zzz"]


def test_normalize_makes_names_case_insensitive():
    reg: Registry[str] = Registry("precision", normalize=str.lower)
    reg.register("BF16", "bfloat16")
    assert reg["bf16"] == reg["Bf16"] == "bfloat16"
    with pytest.raises(ValueError, match="already registered"):
        reg.register("bf16", "again")
