"""Scenario values that point into the dataset: ``@o3.rl``, ``@max.total``, ``@frontier.total``,
``@months_per_10x.rl``.

``@ID.FIELD`` is a record's quantity (``rl``, ``pretraining``, ``total``, ``rl_share`` or any
field the dataset can give), ``@ID`` alone (in a date) the record's release date. A selector
(:data:`SELECTORS`, a :class:`~flopcast.core.registry.Registry`) picks the record: ``max`` the
one with the largest median of the field, ``latest`` the most recently released one with it,
``frontier`` the newest point of the field's running maximum (for ``total``, a record without a
total counts with its pre-training: :mod:`flopcast.forecast.trends`). A trend
(:data:`TREND_VALUES`) is a growth fitted to that running maximum: ``@months_per_10x.FIELD``
(months per 10x) and ``@per_year.FIELD`` (x per year).

With ``evidence.as_of`` set, only records released on or before that day are visible and each
record's value is pooled from its lines of evidence dated on or before it
(:func:`value_as_of`), so a forecast made "as of" a date sees what was public then.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Callable
from typing import Any

from flopcast.core.dates import parse_date
from flopcast.core.errors import ScenarioError, UnknownNameError
from flopcast.core.registry import Registry
from flopcast.core.uncertain import combine
from flopcast.evidence import dataset as _dataset
from flopcast.forecast.trends import Trend, fit_trend, frontier_row, trend_spec

Selector = Callable[[list[dict], str], tuple[dict, str] | None]  # -> (row, field read)
SELECTORS: Registry[Selector] = Registry("reference selector")
TrendValue = Callable[[Trend, str], Any]  # (trend, input name) -> Uncertain
TREND_VALUES: Registry[TrendValue] = Registry("trend value")
TABLE_FIELDS = ("pretraining", "rl", "rl_share", "total")

__all__ = ["SELECTORS", "TREND_VALUES", "References", "value_as_of"]


@SELECTORS.register("max")
def _select_max(rows: list[dict], field_name: str) -> tuple[dict, str] | None:
    """The record with the largest median of the field (the frontier of that quantity)."""
    known = [r for r in rows if r.get(field_name)]
    return (max(known, key=lambda r: r[field_name]["median"]), field_name) if known else None


@SELECTORS.register("latest")
def _select_latest(rows: list[dict], field_name: str) -> tuple[dict, str] | None:
    """The most recently released record that has the field."""
    known = [r for r in rows if r.get(field_name)]
    return (max(known, key=lambda r: r["release_date"]), field_name) if known else None


SELECTORS.register("frontier")(frontier_row)


@TREND_VALUES.register("months_per_10x")
def _months_per_10x(trend: Trend, name: str) -> Any:
    """Months per 10x of the fitted running maximum."""
    return trend.fit.months_per_10x(name)


@TREND_VALUES.register("per_year")
def _per_year(trend: Trend, name: str) -> Any:
    """The yearly growth factor of the fitted running maximum."""
    return trend.fit.per_year(name)


class References:
    """Resolves references against a dataset (loaded on first need), honouring ``as_of``.

    ``resolved`` records what each reference became (``"key: @o3.rl" -> "o3.rl = ..."``) and
    ``records`` the record ids and their release dates, for the result to show.
    """

    def __init__(self, dataset: Any, as_of: _dt.date | None, path: str | None = None):
        self._ds = dataset
        self.as_of = as_of
        self.path = path
        self.resolved: dict[str, str] = {}
        self.records: dict[str, str] = {}
        self.trends: dict[str, Trend] = {}

    @property
    def ds(self) -> Any:
        if self._ds is None:
            self._ds = _dataset.load()
        return self._ds

    @property
    def loaded(self) -> bool:
        return self._ds is not None

    def date(self, ref: str, key: str) -> _dt.date:
        rid, _ = self._pick(ref, key)
        record = self._record(rid, key)
        d = parse_date(record.release_date, key, self.path)
        self.resolved[f"{key}: @{ref}"] = f"{rid} released {d.isoformat()}"
        self.records[rid] = d.isoformat()
        return d

    def quantity(self, ref: str, key: str) -> Any:
        ref = ref.lstrip("@")
        kind, _, of = ref.partition(".")
        if kind in TREND_VALUES:
            trend = self.trend(of, key)
            q = TREND_VALUES[kind](trend, f"trend {of} {kind}")
            self.resolved[f"{key}: @{ref}"] = trend.describe()
            return q
        rid, fld = self._pick(ref, key)
        if fld is None:
            raise ScenarioError(f"@{ref} needs a field, e.g. @{ref}.rl", path=self.path, field=key)
        record = self._record(rid, key)
        if not self._visible(record.release_date):
            raise ScenarioError(
                f"record {rid!r} was released {record.release_date}, after "
                f"evidence.as_of {self.as_of}",
                path=self.path,
                field=key,
            )
        q = value_as_of(self.ds, rid, fld, self.as_of)
        if q is None:
            when = f" dated on or before {self.as_of}" if self.as_of else ""
            raise ScenarioError(
                f"dataset record {rid!r} has no {fld!r} evidence{when}", path=self.path, field=key
            )
        self.resolved[f"{key}: @{ref}"] = f"{rid}.{fld} = {q}"
        self.records[rid] = parse_date(record.release_date).isoformat()
        return q

    def trend(self, fld: str, key: str) -> Trend:
        """The fitted growth of ``fld``'s running maximum over the visible records (cached)."""
        if not fld:
            raise ScenarioError(
                "a trend needs a field, e.g. @months_per_10x.rl", self.path, field=key
            )
        if fld not in self.trends:
            prior = trend_spec(fld, self.path, key).prior
            if prior and prior.published and self.as_of and prior.published > self.as_of:
                raise ScenarioError(
                    f"the {fld} trend's prior ({prior.source}) was published {prior.published}, "
                    f"after evidence.as_of {self.as_of}; give the growth by hand",
                    path=self.path,
                    field=key,
                )
            rows = [r for r in self.ds.table() if self._visible(r["release_date"])]
            trend = fit_trend(
                rows,
                fld,
                lambda rid, f: value_as_of(self.ds, rid, f, self.as_of),
                path=self.path,
                key=key,
            )
            for pt in trend.points:
                self.records[pt.id] = pt.release_date
            self.trends[fld] = trend
        return self.trends[fld]

    def _pick(self, ref: str, key: str) -> tuple[str, str | None]:
        rid, _, fld = ref.lstrip("@").partition(".")
        if rid in SELECTORS:
            if not fld:
                raise ScenarioError(
                    f"@{rid} needs a field, e.g. @{rid}.rl", path=self.path, field=key
                )
            rows = [r for r in self.ds.table() if self._visible(r["release_date"])]
            if fld not in TABLE_FIELDS:
                rows = [dict(r, **{fld: self._median_row(r["id"], fld)}) for r in rows]
            picked = SELECTORS[rid](rows, fld)
            if picked is None:
                raise ScenarioError(
                    f"no dataset record has {fld!r}"
                    + (f" before {self.as_of}" if self.as_of else ""),
                    path=self.path,
                    field=key,
                )
            rid, fld = picked[0]["id"], picked[1]
        return rid, fld or None

    def _median_row(self, rid: str, fld: str) -> dict | None:
        q = self.ds.quantity(rid, fld)
        return None if q is None else {"median": q.median()}

    def _visible(self, release: Any) -> bool:
        return self.as_of is None or parse_date(release) <= self.as_of

    def _record(self, rid: str, key: str) -> Any:
        try:
            return self.ds.get(rid)
        except UnknownNameError as exc:
            raise ScenarioError(str(exc), path=self.path, field=key) from None


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
    if parse_date(record.release_date) > as_of:
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
    return combine([v for _, v in kept], method=ev.combine)
