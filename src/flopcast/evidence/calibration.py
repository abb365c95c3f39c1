"""Calibration: re-estimate stated training compute from hardware time, and score the intervals.

For every usable row (a stated FLOP figure, a chip, a chip count and a training time) the
hardware method ``C = chips x hours x 3600 x peak x u`` is run with flopcast's shipped priors,
and the stated figure is placed in the resulting distribution. A calibrated method puts 50% of
stated figures inside its 50% intervals, 90% inside its 90% intervals, and its PIT values
(the estimate's CDF at the stated figure) are uniform.

The utilisation ``u`` (``basis``):

* ``"epoch"`` (default): where the row gives no utilisation, the **default Epoch AI documents**
  for the hardware method, 30% for large language models and 40% for other models
  (:data:`EPOCH_DEFAULTS`), with the spread of flopcast's fitted pre-training prior; where the
  row gives one, flopcast's fitted pre-training prior itself (a row's own utilisation is often
  derived from its FLOP, so using it would be circular);
* ``"prior"``: flopcast's fitted pre-training prior for every row;
* ``"crossval"``: a prior fitted, **leaving the row out**, to the utilisations implied by the
  file's *independent* rows: those whose figure Epoch obtained by operation counting or took
  as reported, not by the hardware method (:data:`INDEPENDENT_METHODS`), so their
  ``FLOP / (chip-hours x peak)`` measures what published runs achieved, reporting
  of hours and chips included. Same statistics as the shipped priors
  (:func:`flopcast.estimate.censored.predict_groups`: one level per precision, a shared
  spread, Student-t predictive). Each row is scored out of sample.

Which figure is compared: Epoch's "Training compute" includes a base model's pre-training
("training compute is provided as the total training compute, including pretraining, and
including pretrained base models", https://epoch.ai/data/ai-models-documentation/estimation),
while the hardware and time of a fine-tuned model describe the fine-tune; such rows are
compared with their "Finetune compute" when given, else skipped with that reason.
"""

from __future__ import annotations

import csv
import io
import math
import statistics
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from flopcast.core.errors import FlopcastError, InputError, PlausibilityWarning
from flopcast.core.uncertain import Uncertain, ci
from flopcast.estimate import chips
from flopcast.estimate import methods as methods_mod
from flopcast.estimate.censored import predict_groups
from flopcast.estimate.utilization import fits
from flopcast.evidence.calibration_peaks import either, precisions
from flopcast.evidence.epoch import EpochRow, read_csv

Basis = Literal["epoch", "prior", "crossval"]
BASES = ("epoch", "prior", "crossval")
# Epoch AI's documented hardware-method defaults: "our recommendation is 30% for Large Language
# Models and 40% for other models" (Sevilla et al., "Estimating Training Compute of Deep
# Learning Models", Epoch AI, 2022, https://epoch.ai/blog/estimating-training-compute; summary
# at https://ansonwhho.github.io/2022/01/20/estimating-training-compute-of-deep-learning-models.html)
EPOCH_DEFAULTS = {"llm": 0.30, "other": 0.40}
EPOCH_DEFAULTS_SOURCE = "https://epoch.ai/blog/estimating-training-compute"
PIT_BINS = 10
# Epoch's methods that need no utilisation assumption ("hardware-based estimates require
# assumptions about utilization", https://epoch.ai/data/ai-models-documentation/estimation).
# A row is independent evidence only when every method it lists is one of these: rows that
# also list "Hardware" are left out, because Epoch may have used or averaged the hardware
# figure (on the 2025 snapshot five such rows imply 29.8-30.4%, i.e. Epoch's 30% default).
INDEPENDENT_METHODS = frozenset({"operation counting", "reported"})
EPOCH_METHODS_SOURCE = "https://epoch.ai/data/ai-models-documentation/estimation"


@dataclass(frozen=True)
class Case:
    """One comparison: a stated figure and the hardware method's re-estimate."""

    model: str
    line: int | None
    year: int | None
    chip: str
    precision: str
    chip_hours: float
    stated: float
    estimate: Uncertain
    basis: str  # "epoch default 30% (LLM)" | "fitted prior" | ...
    stage: str = "pretraining"


def calibrate_csv(
    path: str | Path, *, basis: Basis = "epoch", seed: int = 0, n: int = 20_000
) -> dict[str, Any]:
    """Read an Epoch-format CSV (via :func:`flopcast.evidence.epoch.read_csv`) and score it."""
    rows = read_csv(path)
    domains = _column(path, "domain")
    # Epoch's own method(s) for each figure, where the file says: a hardware-method figure
    # made with Epoch's default utilisation is a consistency check, not an independent one
    methods_of = _column(path, "training compute estimation method")
    cases, skipped = cases_from_rows(rows, domains=domains, basis=basis, methods=methods_of)
    out = score(cases, seed=seed, n=n)
    for row in out["rows"]:
        listed = methods_of.get(row["line"]) or "not stated"
        row["epoch_method"] = listed.split(",")[0].strip() or "not stated"
        row["independent"] = _independent(methods_of.get(row["line"], ""))
    out["by_epoch_method"] = _by(out["rows"], "epoch_method")
    # Epoch's own confidence label of each figure, beside how far flopcast's re-estimate is
    # NB: as Epoch writes it, capitalised ("Unknown" stays its own group); empty: "Not stated"
    label = {r.line: (r.confidence or "").strip().capitalize() or NOT_STATED for r in rows}
    for row in out["rows"]:
        row["epoch_confidence"] = label.get(row["line"], NOT_STATED)
    out["by_epoch_confidence"] = _by(out["rows"], "epoch_confidence")
    out["independent"] = _summary([r for r in out["rows"] if r["independent"]])
    out.update(source=str(path), basis=basis, skipped=skipped)
    return out


NOT_STATED = "Not stated"  # an Epoch row with an empty confidence label


def cases_from_rows(
    rows: Iterable[EpochRow],
    *,
    domains: dict[int, str] | None = None,
    basis: Basis = "epoch",
    methods: dict[int, str] | None = None,
) -> tuple[list[Case], list[dict[str, Any]]]:
    """The usable rows as :class:`Case` objects, and the others with the reason.

    ``methods``: Epoch's "Training compute estimation method" cell by row line, which
    ``basis="crossval"`` needs to know which rows are independent evidence.
    """
    if basis not in BASES:
        raise InputError(f"unknown basis {basis!r}; allowed: {', '.join(BASES)}")
    usable: list[tuple[EpochRow, chips.Chip, list[str], float, float]] = []
    skipped: list[dict[str, Any]] = []
    for row in rows:
        if not (row.hardware and row.hardware_quantity and row.training_time_hours):
            continue
        stated, why = _stated(row)
        if stated is None:
            skipped.append({"model": row.model, "line": row.line, "reason": why})
            continue
        try:
            spec = chips.lookup(row.hardware[0])
        except FlopcastError as exc:
            skipped.append({"model": row.model, "line": row.line, "reason": str(exc)})
            continue
        peaks, why = precisions(row, spec)
        if not peaks:
            skipped.append({"model": row.model, "line": row.line, "reason": why})
            continue
        usable.append((row, spec, peaks, row.hardware_quantity * row.training_time_hours, stated))
    evidence = [
        (i, peaks[0], stated / (hours * 3600 * chips.peak_flop_per_s(spec.id, peaks[0])))
        for i, (row, spec, peaks, hours, stated) in enumerate(usable)
        if _independent((methods or {}).get(row.line, ""))
    ]
    cases: list[Case] = []
    for i, (row, spec, peaks, hours, stated) in enumerate(usable):
        if basis == "crossval":
            # the left-out fit is to implied utilisations against the first peak, so the
            # share of fp32 runs on pre-bf16 chips is already in its data: no mixture on top
            peaks = peaks[:1]
        parts, labels = [], []
        for precision in peaks:
            if basis == "crossval":
                util, label = _left_out(evidence, i, precision)
            else:
                domain = (domains or {}).get(row.line, "")
                util, label = _utilization(row, domain, precision, basis)
            labels.append(label)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", PlausibilityWarning)
                parts.append(
                    methods_mod.hardware(
                        spec.id, chip_hours=hours, precision=precision, utilization=util
                    )
                )
        q = parts[0] if len(parts) == 1 else either(parts, peaks, spec.name)
        cases.append(
            Case(
                model=row.model,
                line=row.line,
                year=row.date.year if row.date else None,
                chip=spec.id,
                precision=" or ".join(peaks),
                chip_hours=hours,
                stated=stated,
                estimate=q,
                basis=_joined(labels),
            )
        )
    return cases, skipped


def score(cases: Sequence[Case], *, seed: int = 0, n: int = 20_000) -> dict[str, Any]:
    """Coverage of the 50% and 90% intervals, |log10 ratio|, bias, PIT, with breakdowns."""
    rows = [_row(c, seed, n) for c in cases]
    return {
        "summary": _summary(rows),
        "by_precision": _by(rows, "precision"),
        "by_year": _by(rows, "year"),
        "by_basis": _by(rows, "basis"),
        "pit_histogram": _histogram([r["pit"] for r in rows]),
        "rows": rows,
        "seed": seed,
        "samples": n,
        "epoch_defaults": {**EPOCH_DEFAULTS, "source": EPOCH_DEFAULTS_SOURCE},
    }


def plot_pit(result: dict[str, Any], path: str | Path) -> Path:
    """Write the PIT histogram (a calibrated method's bars are flat at the dashed line)."""
    import matplotlib  # optional extra (report): imported only when a plot is asked for

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt  # same optional extra

    counts = result["pit_histogram"]["counts"]
    total = sum(counts) or 1
    edges = result["pit_histogram"]["edges"]
    fig, ax = plt.subplots(figsize=(6, 3.5))
    ax.bar(
        edges[:-1],
        [c / total for c in counts],
        width=1 / len(counts),
        align="edge",
        edgecolor="white",
        color="#3b6ea8",
    )
    ax.axhline(1 / len(counts), ls="--", color="black", lw=1, label="calibrated (uniform)")
    s = result["summary"]
    ax.set_title(
        f"PIT of {s['compared']} stated figures ({result.get('basis', '')}): "
        f"{s['coverage90']:.1%} in 90% intervals, "
        f"{s['coverage50']:.1%} in 50%",
        fontsize=9,
    )
    ax.set_xlabel("estimate's CDF at the stated figure")
    ax.set_ylabel("share of rows")
    ax.set_xlim(0, 1)
    ax.legend(fontsize=8)
    fig.tight_layout()
    out = Path(path)
    fig.savefig(out, dpi=120)
    plt.close(fig)
    return out


# ---- helpers ---------------------------------------------------------------------------------


def _stated(row: EpochRow) -> tuple[float | None, str]:
    if row.base_model:
        if row.finetune_compute:
            return row.finetune_compute, ""
        return None, (
            f"fine-tuned from {row.base_model}: its training compute includes the base model "
            "while its hardware time is the fine-tune's, and no finetune compute is given"
        )
    if not row.training_compute:
        return None, "no training compute stated"
    return row.training_compute, ""


def _utilization(row: EpochRow, domain: str, precision: str, basis: Basis) -> tuple[Any, str]:
    fit = fits().get(f"utilization.pretraining.{precision}") or fits()["utilization.pretraining"]
    if basis == "prior" or row.utilization is not None:
        return fit.quantity(), f"fitted prior {fit.name}"
    kind = "llm" if "language" in domain.lower() else "other"
    median = EPOCH_DEFAULTS[kind]
    half = 1.6448536269514722 * fit.sigma  # the fitted prior's 90% half-width in ln u
    u = ci(
        median * math.exp(-half),
        min(median * math.exp(half), 1.0),
        name="utilization",
        description=f"Epoch's default {median:.0%} ({kind}) with the spread of {fit.name}",
        source=EPOCH_DEFAULTS_SOURCE,
    )
    return u, f"epoch default {median:.0%} ({'LLM' if kind == 'llm' else 'other'})"


def _joined(labels: Sequence[str]) -> str:
    """One basis label, or each mixture component's (the fitted prior's short name)."""
    unique = list(dict.fromkeys(labels))
    if len(unique) == 1:
        return unique[0]
    return "mixture: " + " | ".join(x.removeprefix("fitted prior utilization.") for x in unique)


def _independent(listed: str) -> bool:
    """Every method the cell lists needs no utilisation (:data:`INDEPENDENT_METHODS`)."""
    found = {m.strip().lower() for m in listed.split(",") if m.strip()}
    return bool(found) and found <= INDEPENDENT_METHODS


def _left_out(
    evidence: Sequence[tuple[int, str, float]], index: int, precision: str
) -> tuple[Any, str]:
    """The predictive utilisation prior fitted to the independent rows other than ``index``."""
    rest = [(g, u, u) for i, g, u in evidence if i != index]
    if not any(g == precision for g, _, _ in rest):
        rest = [("all", u, u) for _, _, u in rest]
        group = "all"
    else:
        group = precision
    if len({g for g, _, _ in rest}) >= len(rest):
        raise InputError(
            f"basis crossval needs more independent rows (operation counting or reported) "
            f"than precision groups; this file has {len(evidence)}"
        )
    pred = predict_groups(rest)[group]
    u = ci(
        math.exp(pred.lo),
        math.exp(pred.hi),
        name="utilization",
        description=(
            f"fitted (row left out) to {pred.n} independent {group} row(s) of the file "
            f"({pred.n_total} in the fit, t with {pred.df} df)"
        ),
        source=EPOCH_METHODS_SOURCE,
    )
    return u, f"cross-validated ({group})"


def _row(c: Case, seed: int, n: int) -> dict[str, Any]:
    q = c.estimate
    p5, p25, p50, p75, p95 = (float(x) for x in q.percentile([5, 25, 50, 75, 95], n=n, seed=seed))
    ratio = c.stated / p50
    return {
        "model": c.model,
        "line": c.line,
        "year": c.year,
        "chip": c.chip,
        "precision": c.precision,
        "chip_hours": c.chip_hours,
        "basis": c.basis,
        "stated": c.stated,
        "median": p50,
        "p5": p5,
        "p25": p25,
        "p75": p75,
        "p95": p95,
        "log10_ratio": math.log10(ratio),
        "inside50": p25 <= c.stated <= p75,
        "inside90": p5 <= c.stated <= p95,
        "pit": float(q.prob_below(c.stated, n=n, seed=seed)),
        # against the first peak the case allows (fp16 for "fp16 or fp32")
        "implied_utilization": c.stated
        / (c.chip_hours * 3600 * chips.peak_flop_per_s(c.chip, c.precision.split(" or ")[0])),
    }


def _summary(rows: Sequence[dict[str, Any]]) -> dict[str, Any]:
    if not rows:
        return {
            "compared": 0,
            "coverage50": None,
            "coverage90": None,
            "median_abs_log10_ratio": None,
            "bias_log10": None,
            "median_log10_ratio": None,
        }
    logs = [r["log10_ratio"] for r in rows]
    return {
        "compared": len(rows),
        "coverage50": sum(r["inside50"] for r in rows) / len(rows),
        "coverage90": sum(r["inside90"] for r in rows) / len(rows),
        "median_abs_log10_ratio": statistics.median(abs(x) for x in logs),
        "bias_log10": statistics.fmean(logs),  # > 0: stated figures above flopcast's medians
        "median_log10_ratio": statistics.median(logs),
    }


def _by(rows: Sequence[dict[str, Any]], key: str) -> dict[str, dict[str, Any]]:
    groups: dict[str, list[dict[str, Any]]] = {}
    for r in rows:
        groups.setdefault(str(r[key]) if r[key] is not None else "unknown", []).append(r)
    return {k: _summary(v) for k, v in sorted(groups.items())}


def _histogram(values: Sequence[float]) -> dict[str, Any]:
    counts = [0] * PIT_BINS
    for v in values:
        counts[min(int(v * PIT_BINS), PIT_BINS - 1)] += 1
    return {"edges": [i / PIT_BINS for i in range(PIT_BINS + 1)], "counts": counts}


def _column(path: str | Path, name: str) -> dict[int, str]:
    """One column's cell of each data row, by the row's last line number (as EpochRow.line).

    NB: :class:`~flopcast.evidence.epoch.EpochRow` does not carry "Domain" or "Training compute
    estimation method"; this reads only that column of a file :func:`read_csv` has validated.
    """
    text = Path(path).read_bytes().decode("utf-8-sig")
    reader = csv.reader(io.StringIO(text, newline=""))
    header = [" ".join(h.split()).lower() for h in next(reader, [])]
    if name not in header:
        return {}
    col = header.index(name)
    out: dict[int, str] = {}
    for cells in reader:
        if len(cells) > col:
            out[reader.line_num] = cells[col]
    return out
