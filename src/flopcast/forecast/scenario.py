"""Forecast scenarios: YAML files of named parameters, each a value with its source.

A scenario is a flat mapping of dotted parameter keys (``growth.months_per_10x``) to a value and
a source. Values are strings: expressions of :mod:`flopcast.core.expr` (``"3 to 5"``, ``"10 * 6e23"``,
``"@o3.rl"``), ISO dates (``"2025-04-16"``) or a record reference whose release date is meant
(``"@o3"``, ``"@max.rl"``), or a choice (``cap.kind: share``). The allowed keys, their kinds and
their bounds are declared once in :data:`PARAMETERS`; defaults (values and sources) are data, in
``data/scenarios/_defaults.yaml``; every shipped scenario lists what it changes. The format is
documented in ``data/scenarios/README.md``.

Drawing a scenario (:func:`draw`) turns it into numpy arrays, one per quantity parameter, and
decimal years for the dates; the forecast itself (:mod:`flopcast.forecast.model`) never sees text.

NB: parameters are drawn independently of one another (each from a generator seeded by the run's
seed and the parameter key), except that parameters referencing the dataset share the run's
seed, so evidence common to two of them (a record's RL figure derived from its pre-training)
is one draw in both.
"""

from __future__ import annotations

import datetime as _dt
import math
import zlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np

from flopcast.core.errors import FlopcastError, ScenarioError, UnknownNameError
from flopcast.estimate.functions import evaluate

SCENARIO_DIR = Path(__file__).resolve().parents[1] / "data" / "scenarios"
DEFAULTS_FILE = SCENARIO_DIR / "_defaults.yaml"


# ---- the parameters ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ParameterSpec:
    """One allowed scenario key: its kind, unit, meaning and the bounds its draws must respect.

    ``low``/``high`` are bounds on every draw; ``low_open``/``high_open`` make them strict.
    ``why`` is the clause an error message gives when a bound is broken.
    """

    key: str
    kind: str  # "quantity", "date" or "choice"
    unit: str
    description: str
    low: float | None = None
    high: float | None = None
    low_open: bool = False
    high_open: bool = False
    why: str = ""
    choices: tuple[str, ...] = ()
    optional: bool = False  # a date that may be left empty
    cap_kind: str | None = None  # used only when cap.kind is this


def in_use(key: str, cap_kind: str) -> bool:
    """Whether a parameter matters for a cap kind (budget.* only for a budget cap, and so on)."""
    spec = PARAMETERS[key]
    return spec.cap_kind is None or spec.cap_kind == cap_kind


PARAMETERS: dict[str, ParameterSpec] = {}


def _parameter(spec: ParameterSpec) -> None:
    if spec.key in PARAMETERS:
        raise ValueError(f"scenario parameter {spec.key!r} is declared twice")
    PARAMETERS[spec.key] = spec


for _spec in (
    ParameterSpec(
        "reasoning.start_flop",
        "quantity",
        "FLOP",
        "reasoning-training (RL-stage) compute of the starting model",
        low=0,
        low_open=True,
        why="compute is positive",
    ),
    ParameterSpec(
        "reasoning.start_date",
        "date",
        "date",
        "date of the starting model (ISO date, or @record for its release date)",
    ),
    ParameterSpec(
        "growth.months_per_10x",
        "quantity",
        "months",
        "months for reasoning compute to grow 10x before it meets the cap",
        low=0,
        low_open=True,
        why="negative or zero growth is not a scale-up",
    ),
    ParameterSpec(
        "frontier.flop",
        "quantity",
        "FLOP",
        "total training compute of the largest run at frontier.date",
        low=0,
        low_open=True,
        why="compute is positive",
    ),
    ParameterSpec("frontier.date", "date", "date", "reference date of frontier.flop"),
    ParameterSpec(
        "frontier.growth_per_year",
        "quantity",
        "x per year",
        "factor by which frontier training compute grows each year",
        low=1,
        why="a factor below 1 is negative growth",
    ),
    ParameterSpec(
        "cap.kind",
        "choice",
        "",
        "what caps reasoning compute: a share of the frontier or what a budget buys",
        choices=("share", "budget"),
    ),
    ParameterSpec(
        "cap.share",
        "quantity",
        "fraction",
        "largest share of frontier training compute reasoning training can reach",
        low=0,
        high=1,
        low_open=True,
        why="a share of the frontier's total lies in (0, 1]",
        cap_kind="share",
    ),
    ParameterSpec(
        "budget.usd_per_year",
        "quantity",
        "USD per year",
        "yearly spend on reasoning training at budget.date (cap.kind = budget)",
        low=0,
        low_open=True,
        why="a budget is positive",
        cap_kind="budget",
    ),
    ParameterSpec(
        "budget.growth_per_year",
        "quantity",
        "x per year",
        "factor by which that spend grows each year",
        low=1,
        why="a factor below 1 is negative growth",
        cap_kind="budget",
    ),
    ParameterSpec(
        "budget.usd_per_flop",
        "quantity",
        "USD per FLOP",
        "price of one FLOP of training at budget.date",
        low=0,
        low_open=True,
        why="a price is positive",
        cap_kind="budget",
    ),
    ParameterSpec(
        "budget.price_decline_per_year",
        "quantity",
        "x per year",
        "factor by which the price per FLOP falls each year",
        low=1,
        why="a factor below 1 is a rising price, i.e. negative growth",
        cap_kind="budget",
    ),
    ParameterSpec(
        "budget.date",
        "date",
        "date",
        "reference date of the budget and the price",
        cap_kind="budget",
    ),
    ParameterSpec(
        "transition.width_oom",
        "quantity",
        "OOM",
        "width of the smooth turn onto the cap (0 = a sharp kink)",
        low=0,
        why="a width is not negative",
    ),
    ParameterSpec(
        "evidence.as_of",
        "date",
        "date",
        "use only evidence dated on or before this day (empty = all)",
        optional=True,
    ),
):
    _parameter(_spec)


# ---- scenarios --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Scenario:
    """A named, complete set of parameters (defaults filled in), as loaded from YAML."""

    name: str
    title: str
    description: str
    parameters: dict[str, dict[str, str]]  # key -> {"value": ..., "source": ..., "note"?: ...}
    path: str | None = None
    overrides: dict[str, str] = field(default_factory=dict)

    def value(self, key: str) -> str:
        return self.parameters[key]["value"]

    def with_overrides(
        self, overrides: Mapping[str, Any] | None, source: str = "override (--set)"
    ) -> Scenario:
        """A copy with some parameter values replaced; unknown keys raise ScenarioError."""
        if not overrides:
            return self
        params = {k: dict(v) for k, v in self.parameters.items()}
        done = dict(self.overrides)
        for key, value in overrides.items():
            _check_key(key, self.path, self.name)
            params[key] = {"value": _as_text(value, key, self.path), "source": source}
            done[key] = params[key]["value"]
        out = replace(self, parameters=params, overrides=done)
        validate(out)
        return out

    def to_yaml(self) -> str:
        import yaml

        doc = {
            "name": self.name,
            "title": self.title,
            "description": self.description,
            "parameters": self.parameters,
        }
        return yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, width=100)

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "title": self.title,
            "path": self.path,
            "parameters": self.parameters,
            "overrides": self.overrides,
        }


def list_scenarios() -> list[str]:
    """Names of the shipped scenarios (files in data/scenarios, ``_defaults`` excluded)."""
    return sorted(p.stem for p in SCENARIO_DIR.glob("*.yaml") if not p.stem.startswith("_"))


def load_scenario(
    name_or_path: str | Path = "seed-analysis", overrides: Mapping[str, Any] | None = None
) -> Scenario:
    """Load a shipped scenario by name, or a YAML file by path, then apply ``overrides``.

    Parameters the file does not mention take their defaults (``_defaults.yaml``).
    Raises :class:`ScenarioError` for an unknown key, a malformed value, a value out of bounds
    (checked again on the draws by :func:`draw`) or dates out of order.
    """
    path = _find(name_or_path)
    doc = _read_yaml(path)
    defaults = _defaults()
    params = {k: dict(v) for k, v in defaults.items()}
    given = doc.get("parameters") or {}
    if not isinstance(given, dict):
        raise ScenarioError(
            "'parameters' must be a mapping of key -> {value, source}", path=str(path)
        )
    for key, entry in given.items():
        _check_key(key, str(path), doc.get("name", path.stem))
        params[key] = _entry(key, entry, str(path))
    unknown_top = set(doc) - {"name", "title", "description", "parameters"}
    if unknown_top:
        raise ScenarioError(
            f"unknown top-level key(s) {sorted(unknown_top)}; allowed: name, "
            "title, description, parameters",
            path=str(path),
        )
    sc = Scenario(
        name=str(doc.get("name", path.stem)),
        title=str(doc.get("title", "")),
        description=str(doc.get("description", "")).strip(),
        parameters=params,
        path=str(path),
    )
    validate(sc)
    return sc.with_overrides(overrides)


def validate(sc: Scenario) -> None:
    """Checks that need no dataset: choices, plain numbers in bounds, dates parse and are ordered."""
    for key, spec in PARAMETERS.items():
        text = sc.value(key)
        if spec.kind == "choice" and text not in spec.choices:
            raise ScenarioError(
                f"{text!r} is not one of {', '.join(spec.choices)}", path=sc.path, field=key
            )
    kind = sc.value("cap.kind")
    for key, spec in PARAMETERS.items():
        text = sc.value(key)
        if not in_use(key, kind):
            continue
        if spec.kind == "date" and not text.startswith("@"):
            if text or not spec.optional:
                parse_date(text, key, sc.path)
        if spec.kind == "quantity":
            number = _plain_number(text)
            if number is not None:
                check_draws(key, np.array([number]), text, sc.path)
    _check_date_order(
        {k: sc.value(k) for k in PARAMETERS if PARAMETERS[k].kind == "date" and in_use(k, kind)},
        sc.path,
    )


# ---- drawing ------------------------------------------------------------------------------------

Resolver = Callable[[str], Any]


@dataclass
class Draws:
    """A scenario turned into numbers: arrays of ``n`` draws and decimal-year dates."""

    n: int
    values: dict[str, np.ndarray]  # quantity key -> draws in the spec's unit
    years: dict[str, float]  # date key -> decimal year (NaN if left empty)
    cap_kind: str
    resolved: dict[str, str]  # reference -> what it resolved to (record id and date)


def draw(sc: Scenario, n: int, seed: int, dataset: Any = None) -> Draws:
    """Sample every quantity parameter ``n`` times and resolve dates and @references.

    ``dataset`` is a :mod:`flopcast.evidence.dataset` Dataset; it is loaded only if a value references
    a record. Each parameter is seeded by ``(seed, crc32(key))``.
    """

    refs = _References(sc, dataset)
    kind = sc.value("cap.kind")
    years: dict[str, float] = {}
    for key, spec in PARAMETERS.items():
        if spec.kind != "date" or not in_use(key, kind):
            continue
        text = sc.value(key)
        if not text:
            years[key] = math.nan
        elif text.startswith("@"):
            years[key] = to_year(refs.date(text[1:], key))
        else:
            years[key] = to_year(parse_date(text, key, sc.path))
    _check_date_order(
        {k: to_date(v) if not math.isnan(v) else "" for k, v in years.items()}, sc.path
    )
    values: dict[str, np.ndarray] = {}
    for key, spec in PARAMETERS.items():
        if spec.kind != "quantity" or not in_use(key, kind):
            continue
        text = sc.value(key)
        try:
            q = evaluate(text, resolve=partial(refs.quantity, key=key))
        except ScenarioError:
            raise
        except FlopcastError as exc:
            first = str(exc).splitlines()[0]
            raise ScenarioError(
                f"cannot evaluate {text!r}: {first}", path=sc.path, field=key
            ) from None
        # NB: parameters that reference the dataset share the run's seed, so a record's
        # evidence used by two of them is the same draw (inputs are seeded by name); the others
        # get a seed of their own, so equal texts ("3 to 5" twice) stay independent.
        own = seed if "@" in text else param_seed(seed, key)
        x = np.asarray(q.samples(n, seed=own), dtype=float)
        check_draws(key, x, text, sc.path)
        values[key] = x
    return Draws(n=n, values=values, years=years, cap_kind=kind, resolved=dict(refs.resolved))


def param_seed(seed: int, key: str) -> int:
    """The seed of one parameter: the run's seed mixed with the key, stable across runs."""
    return int(np.random.SeedSequence([int(seed), zlib.crc32(key.encode())]).generate_state(1)[0])


def check_draws(key: str, x: np.ndarray, text: str, path: str | None = None) -> None:
    """Raise ScenarioError if any draw breaks the parameter's bounds (naming the share that does)."""
    spec = PARAMETERS[key]
    bad = ~np.isfinite(x)
    if spec.low is not None:
        bad |= (x <= spec.low) if spec.low_open else (x < spec.low)
    if spec.high is not None:
        bad |= (x >= spec.high) if spec.high_open else (x > spec.high)
    if bad.any():
        lo = "(" if spec.low_open else "["
        hi = ")" if spec.high_open or spec.high is None else "]"
        rng = f"{lo}{_num(spec.low, '-inf')}, {_num(spec.high, 'inf')}{hi}"
        share = f"{bad.mean():.1%} of the draws of {text!r} are" if len(x) > 1 else f"{text!r} is"
        raise ScenarioError(
            f"must lie in {rng} {spec.unit} ({spec.why}); {share} outside", path=path, field=key
        )


# ---- dates ------------------------------------------------------------------------------------


def parse_date(text: Any, key: str = "", path: str | None = None) -> _dt.date:
    """An ISO date (``2025-04-16``) or a date object; ScenarioError otherwise."""
    if isinstance(text, _dt.datetime):
        return text.date()
    if isinstance(text, _dt.date):
        return text
    try:
        return _dt.date.fromisoformat(str(text).strip())
    except ValueError:
        raise ScenarioError(
            f"{text!r} is not an ISO date (YYYY-MM-DD) or an @record reference",
            path=path,
            field=key or None,
        ) from None


def to_year(d: _dt.date | str) -> float:
    """Decimal year: 2025-01-01 -> 2025.0, 2025-07-02 -> 2025.4986 (day 182 of 365)."""
    if isinstance(d, str):
        d = parse_date(d)
    start = _dt.date(d.year, 1, 1)
    days = (_dt.date(d.year + 1, 1, 1) - start).days
    return d.year + (d - start).days / days


def to_date(year: float) -> str:
    """ISO date of a decimal year (inverse of :func:`to_year` to the day); '' for NaN/inf."""
    if not math.isfinite(year) or not (1 <= year < 10_000):
        return ""
    y = int(math.floor(year))
    start = _dt.date(y, 1, 1)
    days = (_dt.date(y + 1, 1, 1) - start).days if y < 9999 else 365
    return (start + _dt.timedelta(days=int(round((year - y) * days)))).isoformat()


# ---- dataset references -----------------------------------------------------------------------

_SELECTORS: dict[str, Callable[[list[dict], str], dict | None]] = {}


def _selector(name: str) -> Callable:
    def register(fn: Callable) -> Callable:
        if name in _SELECTORS:
            raise ValueError(f"reference selector {name!r} is registered twice")
        _SELECTORS[name] = fn
        return fn

    return register


@_selector("max")
def _select_max(rows: list[dict], field_name: str) -> dict | None:
    """The record with the largest median of the field (the frontier of that quantity)."""
    known = [r for r in rows if r.get(field_name)]
    return max(known, key=lambda r: r[field_name]["median"]) if known else None


@_selector("latest")
def _select_latest(rows: list[dict], field_name: str) -> dict | None:
    """The most recently released record that has the field."""
    known = [r for r in rows if r.get(field_name)]
    return max(known, key=lambda r: r["release_date"]) if known else None


class _References:
    """Resolves ``@id.field`` / ``@max.rl`` / ``@latest.rl`` against the dataset, honouring as_of."""

    def __init__(self, sc: Scenario, dataset: Any):
        self._sc = sc
        self._ds = dataset
        as_of = sc.value("evidence.as_of")
        self.as_of = parse_date(as_of, "evidence.as_of", sc.path) if as_of else None
        self.resolved: dict[str, str] = {}

    @property
    def ds(self) -> Any:
        if self._ds is None:
            from flopcast.evidence import dataset

            self._ds = dataset.load()
        return self._ds

    def _pick(self, ref: str, key: str) -> tuple[str, str | None]:
        ref = ref.lstrip("@")
        rid, _, fld = ref.partition(".")
        if rid in _SELECTORS:
            if not fld:
                raise ScenarioError(
                    f"@{rid} needs a field, e.g. @{rid}.rl", path=self._sc.path, field=key
                )
            rows = [r for r in self.ds.table() if self._visible(r["release_date"])]
            if fld not in ("pretraining", "rl", "rl_share", "total"):
                rows = [dict(r, **{fld: self._median_row(r["id"], fld)}) for r in rows]
            row = _SELECTORS[rid](rows, fld)
            if row is None:
                raise ScenarioError(
                    f"no dataset record has {fld!r}"
                    + (f" before {self.as_of}" if self.as_of else ""),
                    path=self._sc.path,
                    field=key,
                )
            rid = row["id"]
        return rid, fld or None

    def _median_row(self, rid: str, fld: str) -> dict | None:
        q = self.ds.quantity(rid, fld)
        return None if q is None else {"median": q.median()}

    def _visible(self, release: Any) -> bool:
        return self.as_of is None or parse_date(release) <= self.as_of

    def date(self, ref: str, key: str) -> _dt.date:
        rid, _ = self._pick(ref, key)
        record = self._record(rid, key)
        d = parse_date(record.release_date, key, self._sc.path)
        self.resolved[f"{key}: @{ref}"] = f"{rid} released {d.isoformat()}"
        return d

    def quantity(self, ref: str, key: str) -> Any:
        rid, fld = self._pick(ref, key)
        if fld is None:
            raise ScenarioError(
                f"@{ref} needs a field, e.g. @{ref}.rl", path=self._sc.path, field=key
            )
        record = self._record(rid, key)
        if not self._visible(record.release_date):
            raise ScenarioError(
                f"record {rid!r} was released {record.release_date}, after "
                f"evidence.as_of {self.as_of}",
                path=self._sc.path,
                field=key,
            )
        q = self._as_of_value(record, fld) if self.as_of else self.ds.quantity(rid, fld)
        if q is None:
            when = f" dated on or before {self.as_of}" if self.as_of else ""
            raise ScenarioError(
                f"dataset record {rid!r} has no {fld!r} evidence{when}",
                path=self._sc.path,
                field=key,
            )
        self.resolved[f"{key}: @{ref.lstrip('@')}"] = f"{rid}.{fld} = {q}"
        return q

    def _as_of_value(self, record: Any, fld: str) -> Any:
        return value_as_of(self.ds, record.id, fld, self.as_of)

    def _record(self, rid: str, key: str) -> Any:
        try:
            return self.ds.get(rid)
        except UnknownNameError as exc:
            raise ScenarioError(str(exc), path=self._sc.path, field=key) from None


def value_as_of(ds: Any, record_id: str, fld: str, as_of: _dt.date | str | None) -> Any:
    """A record's field pooled from its lines of evidence dated on or before ``as_of``.

    A line without a date counts as known at the record's release. None when no line is that
    old. NB: a line that refers to another record (``10 * @o1.rl``) uses that record's full
    evidence, not only its older lines; a derived field (``total``) is taken as it is now.
    """
    record = ds.get(record_id)
    if as_of is None:
        return ds.quantity(record_id, fld)
    as_of = parse_date(as_of)
    if record.release_date > as_of:
        return None
    ev = getattr(record, fld, None) if fld in ("pretraining", "post_training", "rl") else None
    if ev is None or not getattr(ev, "lines", None):
        return ds.quantity(record_id, fld)
    values = ds.line_values(record_id, fld)
    dated = [(ln.date or record.release_date, v) for ln, v in zip(ev.lines, values, strict=True)]
    kept = [(d, v) for d, v in dated if d <= as_of and v is not None]
    if not kept:
        return None
    if len(kept) == len(dated):
        return ds.quantity(record_id, fld)
    if len(kept) == 1 or ev.combine == "latest":
        return max(kept, key=lambda dv: dv[0])[1]
    from flopcast.core.uncertain import combine

    return combine([v for _, v in kept], method=ev.combine)


# ---- private helpers --------------------------------------------------------------------------


def _find(name_or_path: str | Path) -> Path:
    text = str(name_or_path)
    candidate = Path(text).expanduser()
    if candidate.suffix in (".yaml", ".yml") or candidate.exists():
        if not candidate.is_file():
            raise ScenarioError("no such scenario file", path=text)
        return candidate
    shipped = SCENARIO_DIR / f"{text}.yaml"
    if shipped.is_file() and not text.startswith("_"):
        return shipped
    import difflib

    names = list_scenarios()
    raise UnknownNameError("scenario", text, difflib.get_close_matches(text, names, n=3) or names)


def _read_yaml(path: Path) -> dict:
    import yaml

    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        from flopcast.core.errors import yaml_error

        raise yaml_error(exc, str(path), ScenarioError) from None
    if not isinstance(doc, dict):
        raise ScenarioError(
            "a scenario file is a mapping with 'name' and 'parameters'", path=str(path)
        )
    return doc


_DEFAULTS_CACHE: dict[str, dict[str, dict[str, str]]] = {}


def _defaults() -> dict[str, dict[str, str]]:
    if "d" not in _DEFAULTS_CACHE:
        doc = _read_yaml(DEFAULTS_FILE)
        params = doc.get("parameters") or {}
        out = {}
        for key, entry in params.items():
            _check_key(key, str(DEFAULTS_FILE), "_defaults")
            out[key] = _entry(key, entry, str(DEFAULTS_FILE))
        missing = sorted(set(PARAMETERS) - set(out))
        if missing:
            raise ScenarioError(f"defaults missing for {missing}", path=str(DEFAULTS_FILE))
        _DEFAULTS_CACHE["d"] = out
    return {k: dict(v) for k, v in _DEFAULTS_CACHE["d"].items()}


def _check_key(key: str, path: str | None, name: str) -> None:
    if key not in PARAMETERS:
        import difflib

        close = difflib.get_close_matches(key, list(PARAMETERS), n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise ScenarioError(
            f"unknown parameter {key!r} in scenario {name!r}{hint}; allowed: "
            + ", ".join(PARAMETERS),
            path=path,
        )


def _entry(key: str, entry: Any, path: str) -> dict[str, str]:
    if not isinstance(entry, dict) or "value" not in entry:
        raise ScenarioError(
            "each parameter is a mapping with 'value' and 'source'", path=path, field=key
        )
    if not str(entry.get("source", "")).strip():
        raise ScenarioError(
            "every parameter needs a 'source' (a URL or a reason)", path=path, field=key
        )
    extra = set(entry) - {"value", "source", "note"}
    if extra:
        raise ScenarioError(
            f"unknown field(s) {sorted(extra)}; allowed: value, source, note", path=path, field=key
        )
    out = {"value": _as_text(entry["value"], key, path), "source": str(entry["source"]).strip()}
    if entry.get("note"):
        out["note"] = " ".join(str(entry["note"]).split())
    return out


def _as_text(value: Any, key: str, path: str | None) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        raise ScenarioError(f"{value!r} is not a number, date or expression", path=path, field=key)
    if isinstance(value, _dt.date):
        return value.isoformat()
    return str(value).strip()


def _plain_number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def _num(x: float | None, default: str) -> str:
    return default if x is None else f"{x:g}"


def _check_date_order(dates: Mapping[str, Any], path: str | None) -> None:
    """Every dated input must be on or before evidence.as_of (no evidence from the future)."""
    as_of = dates.get("evidence.as_of")
    if not as_of or str(as_of).startswith("@"):
        return
    cutoff = parse_date(as_of, "evidence.as_of", path)
    for key, value in dates.items():
        if key == "evidence.as_of" or not value or str(value).startswith("@"):
            continue
        d = parse_date(value, key, path)
        if d > cutoff:
            raise ScenarioError(
                f"date {d} is after evidence.as_of {cutoff}: a forecast as of a "
                "date can only start from evidence dated on or before it",
                path=path,
                field=key,
            )
