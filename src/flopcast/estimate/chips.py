"""The accelerator catalog: peak dense FLOP/s and rental prices per chip, looked up by name.

The catalog is data (``data/hardware.yaml``, format in ``data/README-hardware.md``): every peak
figure and price there carries its source and date. This module reads it once, validates it,
and answers three questions:

* which chip does a name mean? (:func:`lookup`: ids, display names, aliases and Epoch AI
  spellings such as ``NVIDIA A100 SXM4 40 GB``; case, spaces, dashes, underscores, dots and
  parentheses are ignored, and a leading vendor word may be left out);
* how fast is it at a precision? (:func:`peak_flop_per_s`, dense, no sparsity);
* what does an hour of it cost? (:func:`price_per_hour`, the latest cited price, or None).

It never guesses: an unknown chip is an :class:`UnknownNameError` with the closest known names,
and a precision the chip lacks (V100 has no bf16) is an :class:`InputError` that lists the
precisions it has.

Users add or replace chips with a YAML file of the same format, via :func:`load_catalog` or a
``hardware.yaml`` in a directory listed in ``$FLOPCAST_DATA`` (layered over the shipped file;
a user entry with a shipped id replaces that chip).
"""

from __future__ import annotations

import datetime as dt
import difflib
import functools
import math
import os
import re
from collections.abc import Iterable, Iterator
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from flopcast.core import yamlio
from flopcast.core.errors import DataError, InputError, UnknownNameError

PRECISIONS = ("fp32", "tf32", "bf16", "fp16", "fp8", "fp4", "int8")

# Spellings people and libraries use for the same format (torch dtypes, numpy names).
PRECISION_ALIASES = {
    "float32": "fp32",
    "single": "fp32",
    "fp32": "fp32",
    "tf32": "tf32",
    "tensorfloat32": "tf32",
    "bf16": "bf16",
    "bfloat16": "bf16",
    "fp16": "fp16",
    "float16": "fp16",
    "half": "fp16",
    "fp8": "fp8",
    "float8": "fp8",
    "e4m3": "fp8",
    "e5m2": "fp8",
    "float8e4m3fn": "fp8",
    "float8e5m2": "fp8",
    "int8": "int8",
    # 4-bit floating point (E2M1 elements): NVIDIA's block-scaled NVFP4 and the OCP MXFP4 format
    # run at the same Blackwell tensor-core rate, so both spellings mean the one fp4 peak.
    "fp4": "fp4",
    "float4": "fp4",
    "e2m1": "fp4",
    "nvfp4": "fp4",
    "mxfp4": "fp4",
    "float4e2m1fn": "fp4",
}

# Leading words a user may leave out ("NVIDIA H100 SXM" finds "H100 SXM").
_VENDOR_WORDS = ("nvidia", "amd", "google", "huawei")
_ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9.-]*$")
_IGNORED = re.compile(r"[\s\-_.()]+")


# ---- data model ------------------------------------------------------------------------------


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Source(_Frozen):
    """Where figures come from: ``url``, the document's (or reading's) ``date``, a ``note``."""

    url: str
    date: dt.date
    note: str = ""

    @field_validator("url")
    @classmethod
    def _url(cls, v: str) -> str:
        if not v.startswith(("https://", "http://")):
            raise ValueError(f"must be an http(s) URL, got {v!r}")
        return v


class Price(_Frozen):
    """A cited rental price of one chip for one hour."""

    usd_per_hour: float = Field(gt=0, allow_inf_nan=False)
    date: dt.date
    source: str
    note: str = ""

    @field_validator("source")
    @classmethod
    def _source(cls, v: str) -> str:
        if not v.startswith(("https://", "http://")):
            raise ValueError(f"must be an http(s) URL, got {v!r}")
        return v


class Chip(_Frozen):
    """One accelerator: peak dense throughput per precision, with sources and cited prices.

    ``peak`` maps a precision (fp32, tf32, bf16, fp16, fp8, fp4, int8) to FLOP/s (OP/s for int8).
    Treat instances as read-only: the catalog shares them.
    """

    id: str
    name: str
    vendor: str
    kind: Literal["gpu", "tpu", "npu"]
    released: dt.date | None = None
    aliases: tuple[str, ...] = ()
    peak: dict[str, float]
    sources: tuple[Source, ...]
    prices: tuple[Price, ...] = ()
    notes: str = ""

    @field_validator("id")
    @classmethod
    def _id(cls, v: str) -> str:
        if not _ID_PATTERN.match(v):
            raise ValueError(f"must be lower-case letters, digits, '.' and '-', got {v!r}")
        return v

    @field_validator("name", "vendor")
    @classmethod
    def _text(cls, v: str) -> str:
        if not v.strip():
            raise ValueError("must not be empty")
        return v

    @field_validator("aliases")
    @classmethod
    def _aliases(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        for alias in v:
            if not str(alias).strip():
                raise ValueError("an alias is empty")
        return tuple(str(a) for a in v)

    @field_validator("peak")
    @classmethod
    def _peak(cls, v: dict[str, float]) -> dict[str, float]:
        if not v:
            raise ValueError("needs at least one precision")
        for precision, value in v.items():
            if precision not in PRECISIONS:
                raise ValueError(
                    f"unknown precision {precision!r}; allowed: {', '.join(PRECISIONS)}"
                )
            if not (math.isfinite(value) and value > 0):
                raise ValueError(f"{precision} must be a positive finite FLOP/s, got {value!r}")
        return v

    @field_validator("sources")
    @classmethod
    def _sources(cls, v: tuple[Source, ...]) -> tuple[Source, ...]:
        if not v:
            raise ValueError("needs at least one source")
        return v

    def names(self) -> tuple[str, ...]:
        """Every spelling this chip answers to: id, display name, aliases."""
        return (self.id, self.name, *self.aliases)

    def peak_flop_per_s(self, precision: str = "bf16") -> float:
        """Peak dense FLOP/s at ``precision``; an InputError listing the chip's precisions if absent."""
        key = normalize_precision(precision)
        if key not in self.peak:
            have = ", ".join(p for p in PRECISIONS if p in self.peak)
            raise InputError(
                f"chip {self.id!r} ({self.name}) has no {key} peak in the catalog; it has {have}: "
                f"pass one of these as the precision, or add a sourced {key} figure in a user "
                "hardware.yaml"
            )
        return self.peak[key]

    def latest_price(self) -> Price | None:
        """The most recent cited price (ties: the first listed), or None."""
        if not self.prices:
            return None
        latest = max(p.date for p in self.prices)
        return next(p for p in self.prices if p.date == latest)


# ---- the catalog -----------------------------------------------------------------------------


class Catalog:
    """Chips with a name index; built by :func:`load_catalog`."""

    def __init__(self, chips: Iterable[Chip], origins: dict[str, str] | None = None):
        self.chips: tuple[Chip, ...] = tuple(chips)
        origins = origins or {}
        self._by_id = {c.id: c for c in self.chips}
        self._index: dict[str, str] = {}  # normalised name -> chip id
        self._derived: dict[str, str | None] = {}  # vendor-less spellings; None when ambiguous
        for chip in self.chips:
            where = origins.get(chip.id, "catalog")
            for spelling in chip.names():
                if "," in spelling:
                    raise DataError(
                        f"chip {chip.id!r}: name {spelling!r} contains a comma, which "
                        "Epoch cells use to separate chips; choose another spelling",
                        where,
                        field="aliases",
                    )
                key = normalize_name(spelling)
                other = self._index.setdefault(key, chip.id)
                if other != chip.id:
                    raise DataError(
                        f"chip {chip.id!r}: name {spelling!r} is already used by chip "
                        f"{other!r} (names are compared ignoring case, spaces, '-', "
                        "'_', '.' and parentheses); every alias must be unique",
                        where,
                        field="aliases",
                    )
        for key, chip_id in list(self._index.items()):
            stripped = _strip_vendor(key)
            if stripped and stripped not in self._index:
                previous = self._derived.get(stripped, chip_id)
                self._derived[stripped] = chip_id if previous == chip_id else None

    def __iter__(self) -> Iterator[Chip]:
        return iter(self.chips)

    def __len__(self) -> int:
        return len(self.chips)

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and self._find(name) is not None

    def lookup(self, name: str | Chip) -> Chip:
        """The chip a name means; UnknownNameError with the closest known names otherwise."""
        if isinstance(name, Chip):
            return name
        if not isinstance(name, str):
            raise InputError(f"a chip name must be text, got {type(name).__name__} {name!r}")
        found = self._find(name)
        if found is None:
            raise UnknownNameError("chip", name, self.suggestions(name))
        return found

    def peak_flop_per_s(self, name: str | Chip, precision: str = "bf16") -> float:
        """Peak dense FLOP/s of a chip at a precision (see :meth:`Chip.peak_flop_per_s`)."""
        return self.lookup(name).peak_flop_per_s(precision)

    def price_per_hour(self, name: str | Chip) -> Price | None:
        """The latest cited rental price of a chip, or None when the catalog has none."""
        return self.lookup(name).latest_price()

    def suggestions(self, name: str, n: int = 3) -> list[str]:
        """Ids of the chips whose names are closest to ``name`` (difflib on normalised names)."""
        key = normalize_name(name)
        keys = list(self._index) + [k for k, v in self._derived.items() if v]
        out: list[str] = []
        for match in difflib.get_close_matches(key, keys, n=4 * n, cutoff=0.6):
            chip_id = self._index.get(match) or self._derived[match]
            if chip_id and chip_id not in out:
                out.append(chip_id)
        return out[:n]

    def _find(self, name: str) -> Chip | None:
        key = normalize_name(name)
        chip_id = self._index.get(key)
        if chip_id is None:
            stripped = _strip_vendor(key)
            chip_id = (
                self._index.get(stripped) or self._derived.get(stripped) or self._derived.get(key)
            )
        return self._by_id.get(chip_id) if chip_id else None


def load_catalog(
    extra_paths: Iterable[str | os.PathLike[str]] = (), *, include_shipped: bool = True
) -> Catalog:
    """The shipped catalog with user YAML files layered over it, in order.

    A user entry whose id is already present replaces that chip (keeping its place); a new id
    is appended. Any malformed entry is a DataError naming the file and the entry.
    """
    chips: dict[str, Chip] = {}
    origins: dict[str, str] = {}
    sources: list[tuple[str, str]] = []
    if include_shipped:
        shipped = resources.files("flopcast") / "data" / "hardware.yaml"
        sources.append((str(shipped), shipped.read_text(encoding="utf-8")))
    for path in extra_paths:
        p = Path(path)
        try:
            sources.append((str(p), p.read_text(encoding="utf-8")))
        except OSError as exc:
            raise DataError(
                f"cannot read the chip catalog: {exc.strerror or exc}", str(p)
            ) from None
    for where, text in sources:
        for chip in _parse(text, where):
            chips[chip.id] = chip
            origins[chip.id] = where
    return Catalog(chips.values(), origins)


@functools.cache
def default_catalog() -> Catalog:
    """The shipped catalog plus ``hardware.yaml`` in each ``$FLOPCAST_DATA`` directory (read once)."""
    return load_catalog(_env_paths())


# ---- module-level API over the default catalog ------------------------------------------------


def catalog() -> list[Chip]:
    """Every chip of the default catalog, in file order."""
    return list(default_catalog().chips)


def lookup(name: str | Chip) -> Chip:
    """The chip a name means (aliases, Epoch spellings); UnknownNameError with suggestions."""
    return default_catalog().lookup(name)


def peak_flop_per_s(name: str | Chip, precision: str = "bf16") -> float:
    """Peak dense FLOP/s (OP/s for int8) of a chip; InputError if the chip lacks the precision."""
    return default_catalog().peak_flop_per_s(name, precision)


def price_per_hour(name: str | Chip) -> Price | None:
    """The latest cited rental price (USD per chip-hour) of a chip, or None."""
    return default_catalog().price_per_hour(name)


def split_chips(cell: Any) -> list[str]:
    """Chip names in an Epoch "Training hardware" cell (``Google TPU v2,Google TPU v1``).

    Epoch separates chips with commas; no chip name in the catalog contains one (checked on
    load). Empty cells (None, NaN, "") give []; repeated names are kept once, in order.
    """
    if cell is None or (isinstance(cell, float) and math.isnan(cell)):
        return []
    out: list[str] = []
    for part in str(cell).split(","):
        name = " ".join(part.split())
        if name and name not in out:
            out.append(name)
    return out


def normalize_precision(precision: str) -> str:
    """``bfloat16`` -> ``bf16``, ``half`` -> ``fp16``, ... ; InputError for an unknown format."""
    key = _IGNORED.sub("", str(precision).lower())
    if key not in PRECISION_ALIASES:
        aliases = ", ".join(k for k in PRECISION_ALIASES if k not in PRECISIONS)
        raise InputError(
            f"unknown precision {precision!r}; allowed: {', '.join(PRECISIONS)} "
            f"(also accepted: {aliases})"
        )
    return PRECISION_ALIASES[key]


def normalize_name(name: str) -> str:
    """The comparison key of a chip name: lower case without spaces, '-', '_', '.', '(' or ')'."""
    return _IGNORED.sub("", str(name).lower())


# ---- private helpers -------------------------------------------------------------------------


def _strip_vendor(key: str) -> str:
    for word in _VENDOR_WORDS:
        if key.startswith(word) and len(key) > len(word):
            return key[len(word) :]
    return key


def _env_paths() -> list[Path]:
    dirs = [d for d in os.environ.get("FLOPCAST_DATA", "").split(os.pathsep) if d.strip()]
    return [Path(d) / "hardware.yaml" for d in dirs if (Path(d) / "hardware.yaml").is_file()]


def _parse(text: str, where: str) -> list[Chip]:
    """The chips of one catalog file: read by :func:`flopcast.core.yamlio.load` (safe, bounded,
    unique keys, file:line), then each entry validated by :class:`Chip`."""
    data, lines = yamlio.load(text, where)
    if not isinstance(data, dict) or not isinstance(data.get("chips"), list):
        raise DataError(
            "expected a mapping with a 'chips' list (see data/README-hardware.md)", where
        )
    unknown = set(data) - {"chips", "shared"}
    if unknown:
        raise DataError(f"unknown top-level keys {sorted(unknown)}; allowed: chips, shared", where)
    chips: list[Chip] = []
    seen: set[str] = set()
    for i, entry in enumerate(data["chips"]):
        label = f"chips[{i}]"
        line = yamlio.line_for(lines, ("chips", i))
        if isinstance(entry, dict) and isinstance(entry.get("id"), str):
            label += f" ({entry['id']})"
        if not isinstance(entry, dict):
            raise DataError(
                f"each chip must be a mapping, got {type(entry).__name__}", where, line, label
            )
        try:
            chip = Chip.model_validate(entry)
        except ValidationError as exc:
            loc = ("chips", i, *exc.errors()[0]["loc"])
            raise DataError(_describe(exc), where, yamlio.line_for(lines, loc), label) from None
        if chip.id in seen:
            raise DataError(f"duplicate chip id {chip.id!r} in one file", where, line, label)
        seen.add(chip.id)
        chips.append(chip)
    return chips


def _describe(exc: ValidationError) -> str:
    """The first validation problem as ``field: message (got value)``."""
    err = exc.errors()[0]
    loc = ".".join(str(x) for x in err["loc"])
    msg = err["msg"].removeprefix("Value error, ")
    if not loc:
        return msg
    got = err.get("input")
    shown = isinstance(got, dict) or "got " in msg  # our validators already quote the value
    return f"{loc}: {msg}" + ("" if shown else f" (got {got!r})")
