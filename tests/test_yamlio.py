"""The safe YAML reader: bounded aliases, text keys once, UTF-8, file:line in every message."""

from __future__ import annotations

import time
import tracemalloc

import pytest
from pydantic import BaseModel, ConfigDict

from flopcast.core import yamlio
from flopcast.core.errors import DataError


def test_load_returns_plain_data_and_the_line_of_every_key():
    data, lines = yamlio.load("a: 1\nb:\n  - x: 2\n    y: 3\n", "f.yaml")
    assert data == {"a": 1, "b": [{"x": 2, "y": 3}]}
    assert lines[("a",)] == 1
    assert lines[("b",)] == 2
    assert lines[("b", 0, "y")] == 4  # the 4th line holds "    y: 3"


def test_billion_laughs_is_refused_fast_and_in_bounded_memory():
    # nine levels of ten aliases each would expand to 10^9 leaves
    rows = ['a0: &a0 ["lol"]']
    for i in range(1, 10):
        rows.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]")
    text = "\n".join(rows) + "\n"
    tracemalloc.start()
    t0 = time.perf_counter()
    with pytest.raises(DataError, match=r"laughs\.yaml:\d+: more than 100 YAML aliases"):
        yamlio.load(text, "laughs.yaml")
    elapsed = time.perf_counter() - t0
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert elapsed < 1.0  # refused after 101 aliases, not after 10^9 leaves
    assert peak < 50 * 1024**2  # the 1 KB file never expands: well under 50 MB


def test_a_few_aliases_are_allowed():
    data, _ = yamlio.load("src: &s {url: u}\na: *s\nb: *s\n")
    assert data["a"] == data["b"] == {"url": "u"}


def test_recursive_anchor_is_refused_with_its_line():
    with pytest.raises(DataError, match=r"r\.yaml:\d+: a recursive YAML anchor"):
        yamlio.load("a: &x\n  b: *x\n", "r.yaml")


def test_duplicate_key_is_refused_with_the_line_of_the_second():
    with pytest.raises(DataError, match=r"^d\.yaml:3: key 'a' appears twice$"):
        yamlio.load("a: 1\nb: 2\na: 3\n", "d.yaml")


def test_non_string_key_is_refused():
    with pytest.raises(DataError, match=r"^k\.yaml:1: a key must be plain text"):
        yamlio.load("? [1, 2]\n: x\n", "k.yaml")


def test_merge_keys_are_refused():
    with pytest.raises(DataError, match="merge keys"):
        yamlio.load("base: &b {x: 1}\nc:\n  <<: *b\n", "m.yaml")


def test_non_utf8_is_one_line_naming_the_byte():
    with pytest.raises(DataError, match=r"^u\.yaml: not UTF-8 text \(byte 3\)"):
        yamlio.load(b"a: \xff\xfe\n", "u.yaml")


def test_utf8_bom_is_accepted():
    assert yamlio.load("\ufeffa: 1\n".encode())[0] == {"a": 1}


def test_syntax_error_has_file_and_line():
    with pytest.raises(DataError, match=r"^s\.yaml:3: not valid YAML: did not find expected"):
        yamlio.load("a: 1\nb: [1, 2\n", "s.yaml")  # PyYAML marks the end of input


def test_empty_file_is_refused():
    with pytest.raises(DataError, match="e.yaml:1: empty file"):
        yamlio.load("", "e.yaml")


def test_read_text_of_a_missing_file(tmp_path):
    with pytest.raises(DataError, match="cannot read this recipe"):
        yamlio.read_text(tmp_path / "nope.yaml", "recipe")


def test_too_large_file_is_refused(tmp_path):
    path = tmp_path / "big.yaml"
    path.write_bytes(b"#" * (yamlio.MAX_BYTES + 1))
    with pytest.raises(DataError, match="larger than 5,000,000 bytes"):
        yamlio.load_file(path)


class _Record(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str
    flop: float


def test_validate_reports_path_line_and_field():
    data, lines = yamlio.load("name: x\nflop: lots\n", "rec.yaml")
    with pytest.raises(DataError) as info:
        yamlio.validate(_Record, data, "rec.yaml", lines)
    assert str(info.value).startswith("rec.yaml:2: flop: ")


def test_validate_unknown_field_points_at_the_readme():
    data, lines = yamlio.load("name: x\nflop: 1\ncolour: red\n", "rec.yaml")
    with pytest.raises(DataError, match="rec.yaml:3: colour: unknown field"):
        yamlio.validate(_Record, data, "rec.yaml", lines)


def test_field_path_and_line_for():
    assert yamlio.field_path(("rl", "lines", 0, "date")) == "rl.lines[0].date"
    lines = {("rl",): 4, ("rl", "date"): 6}
    # the shorthand's ("lines", 0) is skipped to find the written key
    assert yamlio.line_for(lines, ("rl", "lines", 0, "date")) == 6
    assert yamlio.line_for(lines, ("rl", "other")) == 4  # nearest enclosing key
