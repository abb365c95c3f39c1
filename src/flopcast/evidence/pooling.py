"""From lines of evidence to one value: supersession, the physics bound, honest pooling.

Supersession. A lab's own disclosure of a quantity replaces the outside estimates of it
published before it: a line of kind ``disclosure`` dated D supersedes every line of kind
``outside`` dated before D. A line may also name lines it replaces (``supersedes: [label]``);
such references must name lines of the same quantity and must not form a cycle. Superseded
lines stay in the record's history (``models show`` prints them) but leave the current value,
unless the quantity says ``combine: pool`` (or the caller asks for pooling of every line).

Pooling. Two or more current lines are pooled by precision weighting in log space
(:func:`flopcast.core.uncertain.combine`). Its chi-square test says whether they agree
(``p >= 0.05``). When they do not, the pooled spread is widened: its log-sd is multiplied by
``S = max(R_B, R_cover)``, the Birge ratio ``R_B = sqrt(chi2 / dof)`` (Birge 1932; the
Particle Data Group's scale factor) or, if larger, the factor that brings every line's median
inside the pooled 90% interval. The widening is an extra named lognormal input, so ``models
show`` lists it in the share of the spread. Sources and arithmetic: docs/pooling.md.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from statistics import NormalDist
from typing import Any

from flopcast.core.errors import DataError
from flopcast.core.uncertain import ci, combine
from flopcast.evidence import bounds
from flopcast.evidence.records import Line

P_THRESHOLD = 0.05  # chi-square p below this: the lines disagree beyond their stated spreads
LEVEL = 0.9  # the interval that must contain every line's median after widening
COVER_MARGIN = 1.02
_Z = NormalDist().inv_cdf(0.5 + LEVEL / 2)  # 1.645


@dataclass
class Pooled:
    """The current value and how it was reached."""

    value: Any
    current: list[int]
    superseded: dict[int, int] = field(default_factory=dict)  # line -> line that supersedes it
    widening: dict[str, float] | None = None
    bound: bounds.Bound | None = None


def supersession(lines: Sequence[Line]) -> dict[int, int]:
    """Index of each superseded line -> index of the line that supersedes it.

    DataError (one line, with the field) for a ``supersedes`` label that names no line of the
    quantity, and for a cycle of ``supersedes`` references.
    """
    by_label = {ln.label: i for i, ln in enumerate(lines) if ln.label}
    edges: dict[int, list[int]] = {}
    for i, ln in enumerate(lines):
        for label in ln.supersedes:
            if label not in by_label:
                known = ", ".join(repr(k) for k in by_label) or "none"
                raise DataError(
                    f"supersedes {label!r}, but no line of this quantity has that label "
                    f"(labels: {known})",
                    field=f"lines[{i}].supersedes",
                )
            edges.setdefault(i, []).append(by_label[label])
    _refuse_cycles(edges, lines)
    out: dict[int, int] = {}
    for i, targets in edges.items():
        for j in targets:
            out.setdefault(j, i)
    disclosures = sorted(
        (ln.date, i) for i, ln in enumerate(lines) if ln.kind == "disclosure" and ln.date
    )
    for j, ln in enumerate(lines):
        if j in out or ln.kind != "outside" or ln.date is None:
            continue
        later = [i for d, i in disclosures if d > ln.date]
        if later:
            out[j] = later[0]  # the first disclosure after it
    return out


def pool(
    values: Sequence[Any],
    lines: Sequence[Line],
    *,
    method: str,
    name: str,
    bound: bounds.Bound | None = None,
    pool_all: bool = False,
) -> Pooled:
    """The current value of a quantity from its line values (see the module docstring).

    ``method`` is the quantity's ``combine``; ``pool_all`` (or ``method == "pool"``) keeps
    superseded lines in the value. Lines above ``bound`` are refused (DataError naming the
    line index in ``field``); tails above it are capped.
    """
    superseded = supersession(lines)
    everything = pool_all or method == "pool"
    current = [i for i in range(len(lines)) if everything or i not in superseded]
    checked = {}
    for i in current:
        checked[i] = values[i] if bound is None else _checked(values[i], bound, lines[i], i)
    widening = None
    if len(current) == 1:
        value = checked[current[0]]
    elif method == "latest":
        value = checked[max(current, key=lambda i: (lines[i].date or dt.date.min, i))]
    else:
        how = "geometric" if method == "geometric" else "precision"
        value, widening = honest_combine([checked[i] for i in current], how, name)
        value = value.with_unit(values[current[0]].unit)
        above = value.prob_above(bound.flop, n=bounds.CHECK_SAMPLES) if bound else 0.0
        if bound is not None and above > bounds.TAIL_IGNORE:
            value = _carry(bounds.check(value, bound, f"{name} (pooled)"), value)
    return Pooled(value, current, superseded if not everything else {}, widening, bound)


def honest_combine(values: Sequence[Any], method: str, name: str) -> tuple[Any, dict | None]:
    """Precision (or geometric) pooling, widened when the lines disagree (p < 0.05).

    Returns the value and, when widened, ``{birge_ratio, coverage_factor, scale}``.
    """
    out = combine(values, method=method, name=name)
    dis = dict(out.disagreement or {})
    dis["test"] = f"chi-square of the lines' log-medians, disagree when p < {P_THRESHOLD}"
    if dis["p_value"] >= P_THRESHOLD:
        dis["widened"] = False
        out.disagreement = dis
        return out, None
    p5, med, p95 = out.percentile([5, 50, 95], n=bounds.CHECK_SAMPLES)
    sd = (math.log(p95) - math.log(p5)) / (2 * _Z)
    birge = math.sqrt(dis["chi2"] / dis["dof"])
    far = max(abs(math.log(m) - math.log(med)) for m in dis["medians"])
    cover = far / (_Z * sd) if sd > 0 else math.inf
    # NB: a 2% margin keeps the farthest median inside when the interval is later re-read from
    # a different Monte Carlo sample (n, seed) than the one measured here
    scale = max(birge, cover * COVER_MARGIN, 1.0)
    extra_sd = sd * math.sqrt(scale**2 - 1)
    spread = math.exp(_Z * extra_sd)
    widen = ci(
        1 / spread,
        spread,
        name=f"{name}: disagreement between lines",
        description=(
            f"the lines disagree (chi2 {dis['chi2']:.2f}, p = {dis['p_value']:.3f}); pooled "
            f"log-spread widened {scale:.2f}x (Birge ratio {birge:.2f}, factor to cover every "
            f"line's median {cover:.2f}); docs/pooling.md"
        ),
    )
    widened = _carry(out * widen, out)
    widening = {"birge_ratio": birge, "coverage_factor": cover, "scale": scale}
    dis.update(widened=True, **widening)
    widened.disagreement = dis
    return widened, widening


# ---- private ----------------------------------------------------------------------------------


def _checked(value: Any, bound: bounds.Bound, line: Line, i: int) -> Any:
    what = f"line {line.label!r}" if line.label else f"line {i + 1}"
    try:
        return bounds.check(value, bound, what)
    except DataError as exc:
        raise DataError(exc.message, field=f"lines[{i}]") from None


def _carry(new: Any, old: Any) -> Any:
    out = new.with_unit(old.unit).with_meta(**{**old.meta, **new.meta})
    if new.method is None and old.method is not None:
        out = out.with_meta(method=old.method)
    out.disagreement = old.disagreement
    return out


def _refuse_cycles(edges: dict[int, list[int]], lines: Sequence[Line]) -> None:
    state: dict[int, int] = {}  # 1 = on the path, 2 = done

    def visit(i: int, path: list[int]) -> None:
        state[i] = 1
        for j in edges.get(i, []):
            if state.get(j) == 1:
                loop = [*path[path.index(j) :], j] if j in path else [i, j]
                text = " -> ".join(repr(lines[k].label) for k in loop)
                raise DataError(
                    f"supersession cycle: {text}; a line cannot (indirectly) supersede itself",
                    field=f"lines[{loop[0]}].supersedes",
                )
            if state.get(j) is None:
                visit(j, [*path, j])
        state[i] = 2

    for i in list(edges):
        if state.get(i) is None:
            visit(i, [i])
