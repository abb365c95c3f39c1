"""The one way flopcast reads a YAML data file: safe, bounded, and able to say file:line.

Every file type (records, recipes, scenarios, chips, priors, utilisation points) goes through
:func:`load` and then :func:`validate` against its pydantic model, so a problem is reported as
``path:line: field: message`` whatever the file.

Safety (issue 14): only the safe constructors (no Python objects); keys must be strings and
appear once per mapping; input must be UTF-8; aliases (``*name``) are allowed only up to
:data:`MAX_ALIASES` per file and the document to :data:`MAX_NODES` nodes, so a "billion
laughs" file is refused in microseconds instead of expanding to gigabytes; recursive anchors
are refused.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from flopcast.core.errors import DataError

MAX_ALIASES = 100  # a record repeating one source block uses a handful
MAX_NODES = 200_000  # the largest shipped file has a few thousand
MAX_BYTES = 5_000_000

M = TypeVar("M", bound=BaseModel)
Lines = dict[tuple, int]

try:  # libyaml's parser when present (issue 13): same nodes, ~10x faster
    _Loader: Any = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _Loader = yaml.SafeLoader


def read_text(path: str | Path, what: str = "file") -> str:
    """The UTF-8 text of ``path``; one-line DataError when missing, too big or not UTF-8."""
    p = Path(path)
    try:
        raw = p.read_bytes()
    except OSError as exc:
        raise DataError(f"cannot read this {what}: {exc.strerror or exc}", str(p)) from None
    return decode(raw, str(p))


def decode(raw: bytes | str, path: str | None = None) -> str:
    if isinstance(raw, str):
        return raw
    if len(raw) > MAX_BYTES:
        raise DataError(f"file is larger than {MAX_BYTES:,} bytes", path)
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DataError(
            f"not UTF-8 text (byte {exc.start}); save the file as UTF-8", path
        ) from None


def load(text: str | bytes, path: str | None = None) -> tuple[Any, Lines]:
    """Parse YAML text into plain data and the line of every key path.

    ``lines[("rl", "lines", 0, "estimate")]`` is the 1-based line of that key.
    """
    text = decode(text, path)
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise DataError(
            f"not valid YAML: {problem}", path, mark.line + 1 if mark else None
        ) from None
    except RecursionError:
        raise DataError("YAML nested too deeply", path) from None
    if node is None:
        raise DataError("empty file", path, 1)
    return _Walker(path).run(node)


def load_file(path: str | Path, what: str = "file") -> tuple[Any, Lines]:
    """:func:`read_text` then :func:`load`."""
    return load(read_text(path, what), str(path))


def validate(model: type[M], data: Any, path: str | None, lines: Lines, **context: Any) -> M:
    """``model.model_validate(data)``; the first problem becomes ``path:line: field: message``."""
    try:
        return model.model_validate(data, context=context or None)
    except ValidationError as exc:
        raise errors(exc, path, lines)[0] from None


def errors(exc: ValidationError, path: str | None, lines: Lines) -> list[DataError]:
    """Every problem of a pydantic ValidationError as a one-line DataError with its line."""
    out = []
    for e in exc.errors():
        loc = tuple(e["loc"])
        out.append(DataError(message(e), path, line_for(lines, loc), field_path(loc)))
    return out


def message(e: Any) -> str:
    """A person's sentence for one pydantic error."""
    msg = str(e["msg"]).removeprefix("Value error, ")
    kind = e["type"]
    if kind == "missing":
        return "required field is missing"
    if kind == "extra_forbidden":
        return "unknown field; see the README of this data folder for the allowed fields"
    if kind in ("date_from_datetime_parsing", "date_parsing", "date_type"):
        return f"bad date {e.get('input')!r}; write YYYY-MM-DD"
    if "input" in e and kind.endswith(("_type", "_parsing")):
        return f"{msg} (got {e['input']!r})"
    return msg


def line_for(lines: Lines, loc: Iterable[Any]) -> int | None:
    """Line of a pydantic location (nearest enclosing key); skips a shorthand's ('lines', 0)."""
    loc = tuple(loc)
    cands = [loc]
    if "lines" in loc:
        i = loc.index("lines")
        cands.append(loc[:i] + loc[i + 2 :])
    for n in range(len(loc), 0, -1):  # the longest written key first, whichever reading
        for cand in cands:
            if len(cand) >= n and cand[:n] in lines:
                return lines[cand[:n]]
    return lines.get(())


def field_path(loc: Iterable[Any]) -> str:
    """``('rl', 'lines', 0, 'date')`` -> ``rl.lines[0].date``."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


# ---- private ----------------------------------------------------------------------------------


class _Walker:
    def __init__(self, path: str | None):
        self.path = path
        self.lines: Lines = {}
        self.nodes = 0
        self.aliases = 0
        self.seen: dict[int, int] = {}  # id(node) -> times visited: an alias re-visits a node
        self.active: set[int] = set()
        self.constructor = yaml.constructor.SafeConstructor()

    def run(self, node: yaml.Node) -> tuple[Any, Lines]:
        return self.walk(node, ()), self.lines

    def fail(self, message: str, node: yaml.Node) -> DataError:
        return DataError(message, self.path, node.start_mark.line + 1)

    def walk(self, n: yaml.Node, key: tuple) -> Any:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise self.fail(f"more than {MAX_NODES:,} YAML nodes (aliases expanding?)", n)
        if isinstance(n, (yaml.MappingNode, yaml.SequenceNode)):
            ident = id(n)
            if ident in self.active:
                raise self.fail("a recursive YAML anchor (an alias inside its own anchor)", n)
            if ident in self.seen:
                self.aliases += 1
                if self.aliases > MAX_ALIASES:
                    raise self.fail(f"more than {MAX_ALIASES} YAML aliases in one file", n)
            self.seen[ident] = 1
            self.active.add(ident)
            try:
                return self._collection(n, key)
            finally:
                self.active.discard(ident)
        self.lines.setdefault(key, n.start_mark.line + 1)
        try:
            return self.constructor.construct_object(n, deep=True)
        except (ValueError, yaml.YAMLError):
            return n.value  # e.g. an impossible date: keep the text, the schema reports it

    def _collection(self, n: yaml.Node, key: tuple) -> Any:
        self.lines.setdefault(key, n.start_mark.line + 1)
        if isinstance(n, yaml.SequenceNode):
            return [self.walk(v, (*key, i)) for i, v in enumerate(n.value)]
        out: dict[str, Any] = {}
        for k_node, v_node in n.value:
            if k_node.tag == "tag:yaml.org,2002:merge":
                raise self.fail(
                    "YAML merge keys ('<<') are not supported; write the fields", k_node
                )
            if not isinstance(k_node, yaml.ScalarNode):
                raise self.fail("a key must be plain text, not a list or mapping", k_node)
            k = k_node.value
            if k in out:
                raise self.fail(f"key {k!r} appears twice", k_node)
            self.lines[(*key, k)] = k_node.start_mark.line + 1
            out[k] = self.walk(v_node, (*key, k))
        return out
