"""Library results shaped for the page: the forecast payload, the bands CSV, parameter rows.

Nothing is computed here that the library does not compute: the payload is the forecast
result's own summaries, histogram and bands, made JSON-ready (:func:`flopcast.core.jsonio.clean`:
JSON has no ``inf``, so a meeting that never happens is ``null``).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from typing import Any

import numpy as np

from flopcast.core import fmt, jsonio
from flopcast.forecast.scenario import PARAMETERS, in_use
from flopcast.web.cache import LRU, MISSING
from flopcast.web.schemas import ForecastRequest

BAND_SERIES = ("reasoning", "frontier")  # what the page and the CSV draw; growth is not sent


def forecast_payload(
    res: Any, req: ForecastRequest, status: dict[str, Any] | None = None
) -> dict[str, Any]:
    """What ``POST /api/forecast`` returns for the result ``res`` of request ``req``: the as-of
    ``status`` (:func:`flopcast.forecast.status.cap_status`) first, the method, then the
    forecast from its start."""
    return jsonio.clean({key: make() for key, make in _fields(res, req, status).items()})


def forecast_json(
    res: Any, req: ForecastRequest, status: dict[str, Any] | None, kept: LRU
) -> bytes:
    """:func:`forecast_payload` as JSON bytes (``json.dumps`` of it, byte for byte).

    In closed form the bands, most of the response, are the closed form's and the same for
    every seed and draw count (``ForecastResult.bands``): they are encoded once per closed form
    and horizon and kept in ``kept``, and each response is the rest encoded around them.
    """
    parts = []
    for key, make in _fields(res, req, status).items():
        if key == "bands" and res.method == "exact":
            value = _kept_bands(res, req, make, kept)
        else:
            value = json.dumps(jsonio.clean(make()), allow_nan=False)
        parts.append(f"{json.dumps(key)}: {value}")
    return ("{" + ", ".join(parts) + "}").encode()


def _fields(
    res: Any, req: ForecastRequest, status: dict[str, Any] | None
) -> dict[str, Callable[[], Any]]:
    """The response's fields in order, each made when asked."""
    return {
        "status": lambda: status,
        "method": res.method_info,
        "scenario": lambda: req.scenario,
        "overrides": lambda: req.overrides,
        "n": lambda: req.n,
        "seed": lambda: req.seed,
        "horizon_years": lambda: req.horizon_years,
        "meeting_date": lambda: res.meeting_date,
        "headroom_oom": lambda: res.headroom_oom,
        "headroom_date": lambda: res.start_date,  # headroom is measured at the start
        "histogram": lambda: res.histogram(bins=req.bins),
        "bands": lambda: _json_bands(res.bands(years=req.horizon_years, series=BAND_SERIES)),
        "result": res.to_dict,
    }


def _kept_bands(res: Any, req: ForecastRequest, make: Callable[[], Any], kept: LRU) -> str:
    key = ("bands", req.scenario, tuple(sorted(req.overrides.items())), req.horizon_years)
    hit = kept.get(key)
    if hit is not MISSING and hit[0] is res.exact:  # the same closed form, not only equal
        return str(hit[1])
    text = json.dumps(jsonio.clean(make()), allow_nan=False)
    kept.put(key, (res.exact, text))
    return text


def bands_csv(payload: dict[str, Any]) -> str:
    """The payload's monthly bands as CSV: date, decimal year, one column per series and %."""
    bands = payload["bands"]
    series = [(name, p) for name in BAND_SERIES for p in bands.get(name, {})]
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(["date", "year"] + [f"{name}_log10_flop_p{p}" for name, p in series])
    for i, t in enumerate(bands["t"]):
        date = bands["dates"][i] if "dates" in bands else ""
        writer.writerow([date, f"{t:.4f}"] + [f"{bands[name][p][i]:.4f}" for name, p in series])
    return buf.getvalue()


def parameter_rows(sc: Any) -> list[dict[str, Any]]:
    """Each parameter with its value and source, plus its declared kind, unit and bounds."""
    cap_kind = sc.parameters.get("cap.kind", {}).get("value", "")
    rows = []
    for key, entry in sc.parameters.items():
        spec = PARAMETERS.get(key)
        row = {
            "key": key,
            "value": entry.get("value", ""),
            "source": entry.get("source", ""),
            "note": entry.get("note", ""),
        }
        if spec is not None:
            row.update(
                kind=spec.kind,
                unit=spec.unit,
                description=spec.description,
                low=spec.low,
                high=spec.high,
                low_open=spec.low_open,
                high_open=spec.high_open,
                choices=list(spec.choices),
                in_use=in_use(key, cap_kind),
                cap_kinds=list(
                    spec.cap_kinds
                ),  # the cap kinds this parameter belongs to (empty: all)
            )
        rows.append(row)
    return rows


def sensitivity_rows(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The library's sensitivity rows, each with its numbers as text through the one formatter."""
    return [
        {
            **r,
            "low_text": fmt.quantity(r.get("low"), r.get("unit")),
            "high_text": fmt.quantity(r.get("high"), r.get("unit")),
            "swing_text": fmt.number(r.get("swing_years")),
        }
        for r in jsonio.clean(rows)
    ]


def _json_bands(bands: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in bands.items():
        if isinstance(value, dict):
            out[key] = {str(p): np.asarray(v, dtype=float).tolist() for p, v in value.items()}
        else:
            out[key] = [v if isinstance(v, str) else float(v) for v in value]
    return out
