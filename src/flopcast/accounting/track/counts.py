"""Per-phase counters of one RL step: the sufficient statistics of its FLOP.

A forward pass over a sequence of ``s`` tokens of a model compiled to ``C`` (context-free FLOP
per token of the layers), ``V`` (output head per token with logits) and ``A_w`` (FLOP per
causal (query, key) pair of the layers with window ``w``) costs
``C s + V h + sum_w A_w keys_w(s)`` with ``h`` the tokens whose logits are computed
(:mod:`flopcast.accounting.rl`). Summed over the sequences of a phase it needs only three kinds of
integer: body tokens, head tokens and key pairs per window. A phase's counter holds those
integers (each times the passes: 1 for a forward, 3 for forward + backward), so counters of
many ranks, workers and steps add up exactly, and the FLOP are evaluated once at the end.

Packed batches: a global-attention model needs only the sum of the lengths and the sum of the
squared lengths, ``keys(s) = (s^2 + s) / 2`` (NeMo-RL PR #2790, Megatron-Bridge PR #3634: not
the maximum length squared). A model with sliding-window layers needs per-sequence lengths.

Phase formulas, per sequence with prompt ``P`` and response ``R`` (as
:func:`flopcast.accounting.rl.step_flop`): prefill ``C P + A keys(P) + V`` (logits of the last
prompt token only); decode ``(C + V)(R - 1) + A [keys(P + R - 1) - keys(P)]``; a forward over
prompt + response ``(C + V)(P + R) + A keys(P + R)``; critic and reward use the value head
``d -> 1`` instead of ``V``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from flopcast.accounting.architecture import Architecture, from_config
from flopcast.accounting.rl import PHASES, Coefficients, coefficients
from flopcast.accounting.track.timing import Span, timer
from flopcast.core.errors import InputError, UnknownNameError

__all__ = ["PHASES", "Model", "PhaseCounts", "PackedSums", "StepCounts", "default_passes"]

# Phases whose head is the value head d -> 1 (a critic or a reward model), not the LM head.
VALUE_HEAD_PHASES = ("critic", "reward")


def default_passes(phase: str) -> int:
    """1 for a forward pass; 3 for the update (backward = 2x forward)."""
    return 3 if phase == "update" else 1


@dataclass(frozen=True)
class Model:
    """A model reduced to the coefficients the counters need, with its name."""

    name: str
    coefficients: Coefficients

    @classmethod
    def of(cls, source: Model | Architecture | str | Path | Mapping[str, Any]) -> Model:
        """From a Model, an Architecture, a shipped name, a config path or a config dict."""
        if isinstance(source, Model):
            return source
        arch = source if isinstance(source, Architecture) else from_config(source)
        return cls(arch.name, coefficients(arch))

    @property
    def windows(self) -> tuple[int | None, ...]:
        return tuple(w for w, _ in self.coefficients.pairs)

    def to_dict(self) -> dict[str, Any]:
        c = self.coefficients
        return {
            "name": self.name,
            "body": c.body,
            "head": c.head,
            "value_head": c.value_head,
            "pairs": [[w, a] for w, a in c.pairs],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Model:
        pairs = tuple((None if w is None else int(w), float(a)) for w, a in data["pairs"])
        coef = Coefficients(
            float(data["body"]), float(data["head"]), float(data["value_head"]), pairs
        )
        return cls(str(data["name"]), coef)


@dataclass(frozen=True)
class PackedSums:
    """A packed batch as three integers: sequences, sum of lengths, sum of squared lengths."""

    sequences: int
    tokens: int
    squares: int

    def __post_init__(self) -> None:
        n, s1, s2 = self.sequences, self.tokens, self.squares
        if min(n, s1, s2) < 0:
            raise InputError(f"packed sums must be non-negative, got {n}, {s1}, {s2}")
        # Cauchy-Schwarz: s1^2 / n <= s2 <= s1^2 (lengths are non-negative integers).
        low = -(-s1 * s1 // n) if n else 0
        if (n == 0 and s1 > 0) or not (low <= s2 <= s1 * s1) or (s1 + s2) % 2:
            raise InputError(
                f"sum of squared lengths {s2} is impossible for {n} sequences of {s1} tokens "
                f"(allowed: {low} to {s1 * s1}, with the same parity as {s1})"
            )


@dataclass
class PhaseCounts:
    """Integers of one phase: sequences, body tokens, head tokens, key pairs by window."""

    sequences: int = 0
    tokens: int = 0
    head_tokens: int = 0
    pairs: dict[int | None, int] = field(default_factory=dict)

    def add(self, other: PhaseCounts) -> None:
        self.sequences += other.sequences
        self.tokens += other.tokens
        self.head_tokens += other.head_tokens
        for w, k in other.pairs.items():
            self.pairs[w] = self.pairs.get(w, 0) + k

    def flop(self, coef: Coefficients, *, value_head: bool = False) -> float:
        head = coef.value_head if value_head else coef.head
        attn = sum(a * self.pairs.get(w, 0) for w, a in coef.pairs)
        return coef.body * self.tokens + head * self.head_tokens + attn

    def to_dict(self) -> dict[str, Any]:
        return {
            "sequences": self.sequences,
            "tokens": self.tokens,
            "head_tokens": self.head_tokens,
            "pairs": {_window_key(w): k for w, k in self.pairs.items()},
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], where: str = "counts") -> PhaseCounts:
        try:
            pairs = {_window_of(k): _count(v, f"{where}.pairs") for k, v in data["pairs"].items()}
            return cls(
                _count(data["sequences"], f"{where}.sequences"),
                _count(data["tokens"], f"{where}.tokens"),
                _count(data["head_tokens"], f"{where}.head_tokens"),
                pairs,
            )
        except (KeyError, AttributeError, TypeError):
            raise InputError(
                f"{where} needs sequences, tokens, head_tokens and pairs (a mapping)"
            ) from None


class StepCounts:
    """The counters of one step (or of one rank's share of it), fed phase by phase."""

    def __init__(self, model: Model) -> None:
        self.model = model
        self.phases: dict[str, PhaseCounts] = {}
        self.spans: list[Span] = []

    # ---- timing ----
    @contextmanager
    def timed(self, *phases: str, gpus: int, chip: str | None = None) -> Iterator[None]:
        """Time the block (GPU-synchronised) as ``phases`` on a pool of ``gpus`` chips."""
        Span(tuple(phases), 0.0, gpus, chip)  # refuse a bad span before the work runs
        with timer() as t:
            yield
        self.spans.append(Span(tuple(phases), t[0], gpus, chip))

    def add_time(
        self, phases: str | Sequence[str], seconds: float, gpus: int, chip: str | None = None
    ) -> None:
        """Record a time measured elsewhere (a rollout engine, a framework's timer)."""
        names = (phases,) if isinstance(phases, str) else tuple(phases)
        self.spans.append(Span(names, float(seconds), gpus, chip))

    # ---- feeding ----
    def count(
        self,
        phase: str,
        lengths: Sequence[int] | np.ndarray | None = None,
        *,
        sums: PackedSums | None = None,
        head_tokens: int | Sequence[int] | np.ndarray | None = None,
        passes: int | None = None,
    ) -> None:
        """Count a pass over whole sequences: per-sequence ``lengths`` or packed ``sums``.

        ``head_tokens`` are the tokens whose logits are computed (default: every token, as
        :func:`flopcast.accounting.rl.step_flop` counts; TRL keeps only the completion's
        logits). ``passes`` defaults to :func:`default_passes` (3 for ``update``).
        """
        _check_phase(phase)
        n_pass = default_passes(phase) if passes is None else _count(passes, "passes")
        if (lengths is None) == (sums is None):
            raise InputError(f"{phase}: give either per-sequence lengths or packed sums")
        if sums is not None:
            part = self._from_sums(phase, sums)
        else:
            s = _lengths(lengths, f"{phase} lengths")
            pairs = {w: int(_keys(s, w).sum()) for w in self.model.windows}
            part = PhaseCounts(int(s.size), int(s.sum()), int(s.sum()), pairs)
        if head_tokens is not None:
            h = _lengths(np.atleast_1d(np.asarray(head_tokens)), f"{phase} head tokens")
            part.head_tokens = int(h.sum())
        self._add(phase, part, n_pass)

    def prefill(self, prompt_lengths: Sequence[int] | np.ndarray) -> None:
        """One prefill per entry (one per prompt when samples share its KV cache)."""
        p = _lengths(prompt_lengths, "prompt lengths")
        pairs = {w: int(_keys(p, w).sum()) for w in self.model.windows}
        self._add("generation_prefill", PhaseCounts(int(p.size), int(p.sum()), int(p.size), pairs))

    def decode(
        self,
        prompt_lengths: Sequence[int] | np.ndarray,
        response_lengths: Sequence[int] | np.ndarray,
    ) -> None:
        """Decode of each sequence: ``R - 1`` passes of one token after a prompt of ``P``."""
        p = _lengths(prompt_lengths, "prompt lengths")
        r = _lengths(response_lengths, "response lengths")
        if p.shape != r.shape:
            raise InputError(
                f"decode needs one prompt length per response, got {p.size} and {r.size}"
            )
        dec = np.maximum(r - 1, 0)
        pairs = {w: int((_keys(p + dec, w) - _keys(p, w)).sum()) for w in self.model.windows}
        tokens = int(dec.sum())
        self._add("generation_decode", PhaseCounts(int(p.size), tokens, tokens, pairs))

    def rollout(
        self,
        prompt_lengths: Sequence[int] | np.ndarray,
        response_lengths: Sequence[int] | np.ndarray,
    ) -> None:
        """Prefill and decode of each sequence, no prefill shared (Hugging Face ``generate``)."""
        self.prefill(prompt_lengths)
        self.decode(prompt_lengths, response_lengths)

    # ---- combining and reading ----
    def merge(self, other: StepCounts, *, spans: bool = True) -> None:
        """Add another counter of the same model (and its spans, unless ``spans`` is False)."""
        if other.model.coefficients != self.model.coefficients:
            raise InputError(
                f"cannot add counters of model {other.model.name!r} to {self.model.name!r}"
            )
        for phase, counts in other.phases.items():
            self.phases.setdefault(phase, PhaseCounts()).add(counts)
        if spans:
            self.spans.extend(other.spans)

    def flop(self) -> dict[str, float]:
        """FLOP per phase (every phase of :data:`PHASES`, 0 where nothing was counted)."""
        coef = self.model.coefficients
        return {
            ph: self.phases[ph].flop(coef, value_head=ph in VALUE_HEAD_PHASES)
            if ph in self.phases
            else 0.0
            for ph in PHASES
        }

    def to_dict(self) -> dict[str, Any]:
        return {ph: self.phases[ph].to_dict() for ph in PHASES if ph in self.phases}

    @classmethod
    def from_dict(cls, model: Model, data: Mapping[str, Any], where: str = "phases") -> StepCounts:
        out = cls(model)
        if not isinstance(data, Mapping):
            raise InputError(f"{where} must be a mapping of phase to counts")
        for phase, counts in data.items():
            _check_phase(phase)
            out.phases[phase] = PhaseCounts.from_dict(counts, f"{where}.{phase}")
        return out

    def vector(self) -> list[int]:
        """The counters as one flat list in a fixed order (for an all-reduce)."""
        out: list[int] = []
        for ph in PHASES:
            c = self.phases.get(ph, PhaseCounts())
            out += [c.sequences, c.tokens, c.head_tokens]
            out += [c.pairs.get(w, 0) for w in self.model.windows]
        return out

    @classmethod
    def from_vector(cls, model: Model, values: Iterable[int]) -> StepCounts:
        it = iter(int(v) for v in values)
        out = cls(model)
        for ph in PHASES:
            n, t, h = next(it), next(it), next(it)
            pairs = {w: next(it) for w in model.windows}
            if n or t or h or any(pairs.values()):
                out.phases[ph] = PhaseCounts(n, t, h, pairs)
        return out

    # ---- helpers ----
    def _add(self, phase: str, part: PhaseCounts, passes: int = 1) -> None:
        scaled = PhaseCounts(
            part.sequences,
            part.tokens * passes,
            part.head_tokens * passes,
            {w: k * passes for w, k in part.pairs.items()},
        )
        self.phases.setdefault(phase, PhaseCounts()).add(scaled)

    def _from_sums(self, phase: str, sums: PackedSums) -> PhaseCounts:
        windowed = [w for w in self.model.windows if w is not None]
        if windowed:
            raise InputError(
                f"{phase}: model {self.model.name!r} has sliding-window layers (window "
                f"{windowed[0]}); packed sums count only global attention exactly, give "
                "per-sequence lengths"
            )
        pairs: dict[int | None, int] = {}
        if self.model.windows:
            pairs[None] = (sums.squares + sums.tokens) // 2
        return PhaseCounts(sums.sequences, sums.tokens, sums.tokens, pairs)


def _keys(s: np.ndarray, window: int | None) -> np.ndarray:
    """Integer ``keys_w(s)`` (see :func:`flopcast.accounting.architecture.keys_causal`)."""
    if window is None:
        return s * (s + 1) // 2
    m = np.minimum(s, window)
    return m * (m + 1) // 2 + (s - m) * window


def _lengths(values: Any, what: str) -> np.ndarray:
    arr = np.asarray(values)
    if arr.ndim != 1:
        raise InputError(f"{what} must be a flat list of token counts")
    if arr.size and not np.issubdtype(arr.dtype, np.integer):
        if not np.issubdtype(arr.dtype, np.number) or np.any(arr != np.round(arr)):
            raise InputError(f"{what} must be whole token counts")
    arr = arr.astype(np.int64)
    if np.any(arr < 0):
        raise InputError(f"{what} must be non-negative, got {int(arr.min())}")
    return arr


def _count(v: Any, where: str) -> int:
    if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < 0:
        raise InputError(f"{where} must be a non-negative whole number, got {v!r}")
    return int(v)


def _check_phase(phase: str) -> None:
    if phase not in PHASES:
        raise UnknownNameError("phase", str(phase), [p for p in PHASES if phase in p][:3] or PHASES)


def _window_key(w: int | None) -> str:
    return "global" if w is None else str(w)


def _window_of(key: str) -> int | None:
    return None if key == "global" else int(key)
