"""Checks over a loaded dataset: relations, cycles, and every line and value evaluated.

:func:`relations` runs on every load (unknown base models, references to unknown ids, cycles
through ``base_model`` or ``@id.field``); :func:`evaluate_all` is what ``flopcast data
validate`` adds: every line evaluated (unknown chips and recipes, ``lo > hi``, non-positive
compute), every several-line quantity pooled (supersession cycles, figures above the physics
bound) and every label compared with the spread it carries. Each problem is one DataError with
file, line and field.
"""

from __future__ import annotations

import difflib
from typing import TYPE_CHECKING

from flopcast.core.errors import DataError, FlopcastError
from flopcast.evidence import labels
from flopcast.evidence.records import COMPUTE_FIELDS, CONFIDENCE_ORDER, COUNT_FIELDS

if TYPE_CHECKING:
    from flopcast.evidence.dataset import Dataset

Node = tuple[str, str]


def relations(ds: Dataset) -> list[DataError]:
    """Unknown base models, unknown ids in references, and cycles (base models or references)."""
    problems: list[DataError] = []
    ids = ds._by_id
    for rec in ds.records:
        if rec.base_model is not None and rec.base_model not in ids:
            problems.append(
                DataError(
                    f"unknown base model {rec.base_model!r}{_hint(rec.base_model, ids)}",
                    rec.path,
                    rec.line_of("base_model"),
                    "base_model",
                )
            )
        for f in (*COMPUTE_FIELDS, *COUNT_FIELDS):
            ev = getattr(rec, f)
            for i, ln in enumerate(ev.lines if ev else []):
                for target, tf in ln.references():
                    if target not in ids:
                        problems.append(
                            DataError(
                                f"reference '@{target}.{tf}' names unknown model "
                                f"{target!r}{_hint(target, ids)}",
                                rec.path,
                                rec.line_of(f, "lines", i, "estimate"),
                                f"{f}.lines[{i}]",
                            )
                        )
    cycle_problems, _ = find_cycles(ds)
    problems.extend(cycle_problems)
    return problems


def find_cycles(ds: Dataset) -> tuple[list[DataError], set[str]]:
    """One problem per cycle of references or base models, and the ids on any cycle."""
    ids = ds._by_id
    graph: dict[Node, list[Node]] = {}
    for rec in ds.records:
        if rec.base_model in ids:
            graph.setdefault((rec.id, "base_model"), []).append((rec.base_model, "base_model"))
        for f in (*COMPUTE_FIELDS, *COUNT_FIELDS):
            ev = getattr(rec, f)
            for ln in ev.lines if ev else []:
                for target, tf in ln.references():
                    if target not in ids:
                        continue
                    if tf == "total":
                        deps = [(target, g) for g in COMPUTE_FIELDS] + [(target, "base_model")]
                    else:
                        deps = [(target, tf)]
                    graph.setdefault((rec.id, f), []).extend(deps)
    problems: list[DataError] = []
    done: set[Node] = set()
    reported: set[frozenset[Node]] = set()
    cyclic: set[str] = set()

    def visit(node: Node, path: list[Node]) -> None:
        if node in path:
            cycle = path[path.index(node) :]
            cyclic.update(i for i, _ in cycle)
            key = frozenset(cycle)
            if key not in reported:
                reported.add(key)
                rec = ids[cycle[0][0]]
                text = " -> ".join(f"{i}.{f}" for i, f in [*cycle, node])
                problems.append(
                    DataError(f"cycle: {text}", rec.path, rec.line_of(cycle[0][1]), cycle[0][1])
                )
            return
        if node in done:
            return
        for nxt in graph.get(node, []):
            visit(nxt, [*path, node])
        done.add(node)

    for node in list(graph):
        visit(node, [])
    return problems, cyclic


def evaluate_all(ds: Dataset) -> list[DataError]:
    """Every line and pooled value evaluated; labels checked against spreads."""
    problems: list[DataError] = []
    _, cyclic = find_cycles(ds)
    for rec in ds.records:
        if rec.id in cyclic:
            continue  # already reported; evaluating would only repeat it
        for f in (*COMPUTE_FIELDS, *COUNT_FIELDS):
            ev = getattr(rec, f)
            if ev is None or ev.unknown:
                continue
            values = []
            for i, ln in enumerate(ev.lines):
                try:
                    values.append(ds._line_value(rec.id, f, i, ln))
                except FlopcastError as exc:
                    problems.append(_located(exc, rec, f, f"{f}.lines[{i}]", ("lines", i)))
            if len(values) != len(ev.lines):
                continue
            for i, (ln, value) in enumerate(zip(ev.lines, values, strict=True)):
                if f in COMPUTE_FIELDS and not value.is_point:
                    problems.extend(_label_problem(rec, f, i, ln.confidence, value))
            try:
                ds._field_value(rec.id, f)
            except FlopcastError as exc:
                problems.append(_located(exc, rec, f, f"{f}.combine", ("combine",)))
    return problems


# ---- private ----------------------------------------------------------------------------------


def _label_problem(rec, f: str, i: int, stated: str, value) -> list[DataError]:  # noqa: ANN001
    deserved = labels.deserved(value)
    if CONFIDENCE_ORDER.index(stated) >= CONFIDENCE_ORDER.index(deserved):
        return []
    factor = labels.factor_of(value)
    allowed = labels.spreads()[stated][0]
    return [
        DataError(
            f"labelled {stated} (90% interval within {allowed:g}x of the median) but its spread "
            f"is {factor:.2g}x: label it {deserved}, or narrow the spread with a source",
            rec.path,
            rec.line_of(f, "lines", i, "confidence"),
            f"{f}.lines[{i}].confidence",
        )
    ]


def _located(exc: FlopcastError, rec, f: str, field: str, loc: tuple) -> DataError:  # noqa: ANN001
    if isinstance(exc, DataError):
        line = exc.line or rec.line_of(f, *loc) or rec.line_of(f)
        return DataError(exc.message, exc.path or rec.path, line, exc.field or field)
    return DataError(str(exc), rec.path, rec.line_of(f, *loc) or rec.line_of(f), field)


def _hint(name: str, ids: dict) -> str:
    close = difflib.get_close_matches(name, ids, n=3, cutoff=0.5)
    return f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""
