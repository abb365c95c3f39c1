"""The local dashboard: a JSON API under ``/api`` and one static page that uses it.

The API is a thin adapter over the library, like the CLI: every number it returns comes from
``flopcast.forecast.model``, ``flopcast.evidence.dataset`` and ``flopcast.accounting.rl``; here requests are validated,
results are cached and shaped for the page (JSON has no ``inf``: a meeting that never happens is
``null``).

Inputs are bounded before anything runs: sample counts, horizons, seeds, the number and length
of overrides, and scenario names (names of shipped scenarios only: a web request never opens a
path). A bad value is a 422 whose ``detail`` says which field, what was wrong and what is
allowed; the library's own errors (``ScenarioError`` for a value out of its bounds, ...) become
the same kind of 422. Nothing on the page is fetched from outside: no CDN, and a
Content-Security-Policy of ``'self'`` says so to the browser.

Create the app with :func:`create_app`; ``flopcast serve`` runs it with uvicorn on 127.0.0.1.
"""

from __future__ import annotations

import csv
import io
import json
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from concurrent.futures import Future
from pathlib import Path
from typing import Annotated, Any

import numpy as np
from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import FileResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel, ConfigDict, Field, StringConstraints
from starlette.concurrency import run_in_threadpool

from flopcast.core import jsonio
from flopcast.core.errors import DataError, FlopcastError, UnknownNameError
from flopcast.evidence import dataset
from flopcast.forecast import model as forecast
from flopcast.forecast.scenario import PARAMETERS, in_use
from flopcast.forecast.sensitivity import sensitivity

STATIC_DIR = Path(__file__).parent / "static"

# Bounds on what one request may ask for. They keep a request under about a second on one core
# and its response under a few MB; they are limits of this server, not of the library.
MAX_SAMPLES = 200_000
MAX_SENSITIVITY_SAMPLES = 50_000
MAX_HORIZON_YEARS = 30.0
MAX_SEED = 2**32 - 1
MAX_OVERRIDES = 32
MAX_EXPRESSION_CHARS = 200
DEFAULT_SAMPLES = 20_000
DEFAULT_SCENARIO = "seed-analysis"
BAND_SERIES = ("reasoning", "frontier")  # what the page and the CSV draw; growth is not sent

ScenarioName = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")]
ParameterKey = Annotated[str, StringConstraints(pattern=r"^[a-z_]+(\.[a-z0-9_]+)*$", max_length=64)]
Expression = Annotated[str, StringConstraints(max_length=MAX_EXPRESSION_CHARS)]


class ScenarioRequest(BaseModel):
    """A shipped scenario and the parameter values the user changed (expressions, as in YAML)."""

    model_config = ConfigDict(extra="forbid")
    scenario: ScenarioName = DEFAULT_SCENARIO
    overrides: dict[ParameterKey, Expression] = Field(
        default_factory=dict, max_length=MAX_OVERRIDES
    )


class ForecastRequest(ScenarioRequest):
    n: int = Field(
        DEFAULT_SAMPLES,
        ge=1_000,
        le=MAX_SAMPLES,
        description="Monte Carlo draws of the scenario parameters",
    )
    seed: int = Field(0, ge=0, le=MAX_SEED)
    horizon_years: float = Field(
        10.0, gt=0, le=MAX_HORIZON_YEARS, description="years of trajectory bands to return"
    )
    bins: int = Field(40, ge=5, le=200, description="bins of the meeting-date histogram")


class SensitivityRequest(ScenarioRequest):
    n: int = Field(5_000, ge=1_000, le=MAX_SENSITIVITY_SAMPLES)
    seed: int = Field(0, ge=0, le=MAX_SEED)


class Histogram(BaseModel):
    edges: list[float] = Field(description="bin edges, decimal years")
    counts: list[int] = Field(description="draws per bin")
    below: int = Field(description="draws before the first edge")
    above: int = Field(description="draws after the last edge")
    never: int = Field(description="draws that never meet the cap")
    n: int


class ForecastResponse(BaseModel):
    """What ``POST /api/forecast`` returns (documented here; the body is built by the library)."""

    scenario: str
    overrides: dict[str, str]
    n: int
    seed: int
    horizon_years: float
    meeting_date: dict[str, str | None] = Field(
        description="p5, p25, median, p75, p95 as ISO dates"
    )
    headroom_oom: dict[str, float] = Field(description="orders of magnitude from start to cap")
    histogram: Histogram
    bands: dict[str, Any] = Field(
        description="t, dates, and reasoning/frontier percentiles "
        "(log10 FLOP) on a monthly grid, met share"
    )
    result: dict[str, Any] = Field(description="ForecastResult.to_dict(): settings and summaries")


class ModelsResponse(BaseModel):
    data_version: str
    models: list[dict[str, Any]] = Field(description="Dataset.table() rows")


def create_app(*, dataset_loader: Callable[[], Any] | None = None, cache_size: int = 64) -> FastAPI:
    """The FastAPI app. ``dataset_loader`` defaults to ``flopcast.evidence.dataset.load`` (called once)."""
    app = FastAPI(
        title="flopcast",
        version=_version(),
        description="Forecast reasoning-training compute against the frontier; "
        "browse the model dataset; account an RL run.",
        openapi_url="/api/openapi.json",
        docs_url=None,
        redoc_url=None,
    )
    state = _State(dataset_loader, cache_size)
    app.state.flopcast = state

    @app.exception_handler(FlopcastError)
    async def _flopcast_error(request: Request, exc: FlopcastError) -> JSONResponse:
        # A name that is part of the URL and unknown is a 404; anything wrong in a body is a 422.
        status = 404 if isinstance(exc, UnknownNameError) and request.method == "GET" else 422
        field = getattr(exc, "field", None)
        root = "path" if request.method == "GET" else "body"
        loc = (
            [root, "overrides", field]
            if field in _scenario_keys()
            else ([root, field] if field else [root])
        )
        # DataError.message is the sentence without the server's file path in front.
        msg = (
            (f"{field}: " if field else "") + exc.message
            if isinstance(exc, DataError)
            else str(exc)
        )
        return JSONResponse(
            {"detail": [{"loc": loc, "msg": msg, "type": type(exc).__name__}]}, status_code=status
        )

    app.add_middleware(_SecurityHeaders)

    @app.get("/api/health", tags=["meta"])
    def health() -> dict[str, Any]:
        """Liveness and the version in use."""
        return {"status": "ok", "flopcast": _version()}

    @app.get("/api/scenarios", tags=["forecast"])
    def scenarios() -> dict[str, Any]:
        """Names of the shipped scenarios."""
        return {"scenarios": forecast.list_scenarios(), "default": DEFAULT_SCENARIO}

    @app.get("/api/scenarios/{name}", tags=["forecast"])
    def scenario_detail(name: ScenarioName) -> dict[str, Any]:
        """One scenario's parameters: value, source, and the kind, unit and bounds of each."""
        sc = state.scenario(name, {}, status=404)
        return {
            "name": sc.name,
            "title": getattr(sc, "title", ""),
            "description": getattr(sc, "description", ""),
            "parameters": _parameter_rows(sc),
        }

    @app.post(
        "/api/forecast",
        tags=["forecast"],
        response_model=None,
        responses={200: {"model": ForecastResponse}},
    )
    async def forecast_(req: ForecastRequest) -> Response:
        """Run the forecast: meeting-date summary, histogram, trajectory bands and headroom."""
        key = ("forecast-json", _request_key(req), req.horizon_years, req.bins)
        body = await state.cached_async(
            key, lambda: _json_bytes(_forecast_payload(state.forecast(req), req))
        )
        return Response(body, media_type="application/json")

    @app.post("/api/sensitivity", tags=["forecast"])
    def sensitivity(req: SensitivityRequest) -> dict[str, Any]:
        """One-at-a-time sensitivity of the median meeting date to each parameter."""
        rows = state.sensitivity(req)
        return jsonio.clean({"scenario": req.scenario, "n": req.n, "seed": req.seed, "rows": rows})

    @app.get(
        "/api/models",
        tags=["models"],
        response_model=None,
        responses={200: {"model": ModelsResponse}},
    )
    async def models() -> Response:
        """The dataset table: one row per model with pre-training, RL and RL-share summaries."""

        def make() -> bytes:
            ds = state.dataset()
            return _json_bytes({"data_version": ds.version, "models": ds.table()})

        body = await state.cached_async(("models",), make)
        return Response(body, media_type="application/json")

    @app.get("/api/models/{model_id}", tags=["models"])
    def model_detail(model_id: Annotated[str, StringConstraints(max_length=100)]) -> dict[str, Any]:
        """One model: its record, each quantity's summary, and the evidence lines and sources."""
        ds = state.dataset()
        return state.cached(
            ("model", ds.version, model_id), lambda: jsonio.clean(ds.derivation(model_id))
        )

    @app.post("/api/download/scenario.yaml", tags=["downloads"])
    def download_scenario(req: ScenarioRequest) -> Response:
        """The scenario with the user's changes, as a YAML file ``flopcast report --scenario`` reads."""
        sc = state.scenario(req.scenario, req.overrides)
        return _attachment(sc.to_yaml(), "application/x-yaml", f"{sc.name}.yaml")

    @app.post("/api/download/results.json", tags=["downloads"])
    def download_json(req: ForecastRequest) -> Response:
        """The forecast for these inputs, as a JSON file."""
        payload = _forecast_payload(state.forecast(req), req)
        return _attachment(
            json.dumps(jsonio.clean(payload), indent=2),
            "application/json",
            f"flopcast-{req.scenario}-seed{req.seed}.json",
        )

    @app.post("/api/download/results.csv", tags=["downloads"])
    def download_csv(req: ForecastRequest) -> Response:
        """The trajectory bands for these inputs, one row per month, as CSV."""
        payload = _forecast_payload(state.forecast(req), req)
        return _attachment(
            _bands_csv(payload), "text/csv", f"flopcast-{req.scenario}-seed{req.seed}.csv"
        )

    _register_rl(app)

    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")

    @app.get("/", include_in_schema=False)
    def index() -> FileResponse:
        return FileResponse(STATIC_DIR / "index.html")

    return app


# ---------------------------------------------------------------------------- state and cache


class _State:
    """The dataset (loaded once) and a small LRU cache of forecast results.

    A forecast is a pure function of (scenario, overrides, n, seed), so equal requests share one
    run; the cache is bounded by entries, each holding the result the library returned.
    """

    def __init__(self, dataset_loader: Callable[[], Any] | None, cache_size: int):
        self._loader = dataset_loader
        self._ds: Any = None
        self._lock = threading.Lock()
        self._results: _LRU = _LRU(cache_size)

    def dataset(self) -> Any:
        with self._lock:
            if self._ds is None:
                if self._loader is None:
                    self._ds = dataset.load()
                else:
                    self._ds = self._loader()
            return self._ds

    def scenario(self, name: str, overrides: dict[str, str], *, status: int = 422) -> Any:
        shipped = forecast.list_scenarios()
        if name not in shipped:
            raise HTTPException(
                status,
                detail=[
                    {
                        "loc": ["path" if status == 404 else "body", "scenario"],
                        "type": "value_error",
                        "msg": f"unknown scenario {name!r}; shipped: {', '.join(shipped)}",
                    }
                ],
            )
        return forecast.load_scenario(name, overrides=overrides or None)

    def forecast(self, req: ForecastRequest) -> Any:
        return self._results.get_or_make(
            ("forecast", _request_key(req)),
            lambda: forecast.run(
                self.scenario(req.scenario, req.overrides),
                n=req.n,
                seed=req.seed,
                dataset=self.dataset(),
            ),
        )

    def sensitivity(self, req: SensitivityRequest) -> Any:
        return self._results.get_or_make(
            ("sensitivity", _request_key(req)),
            lambda: sensitivity(
                self.scenario(req.scenario, req.overrides),
                n=req.n,
                seed=req.seed,
                dataset=self.dataset(),
            ),
        )

    def cached(self, key: Hashable, make: Callable[[], Any]) -> Any:
        return self._results.get_or_make(key, make)

    async def cached_async(self, key: Hashable, make: Callable[[], Any]) -> Any:
        """A cache hit is answered on the event loop; a miss is made in the thread pool."""
        hit = self._results.peek(key)
        if hit is not _MISSING:
            return hit
        return await run_in_threadpool(self._results.get_or_make, key, make)


_MISSING = object()


class _SecurityHeaders:
    """Pure ASGI middleware: every response says the page loads nothing from elsewhere."""

    HEADERS = [
        (
            b"content-security-policy",
            b"default-src 'self'; img-src 'self' data: blob:; style-src 'self'; script-src 'self'; "
            b"connect-src 'self'; object-src 'none'; base-uri 'none'",
        ),
        (b"x-content-type-options", b"nosniff"),
    ]

    def __init__(self, app: Any):
        self.app = app

    async def __call__(self, scope: dict, receive: Callable, send: Callable) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: dict) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *self.HEADERS]
            await send(message)

        await self.app(scope, receive, send_with_headers)


class _LRU:
    """A thread-safe least-recently-used map that makes each missing value once.

    Concurrent requests for the same missing key wait for the one computation instead of each
    starting their own (on two cores, fifty identical forecasts at once would take fifty times
    as long); an error is passed to every waiter and nothing is cached.
    """

    def __init__(self, size: int):
        self.size = size
        self._data: OrderedDict[Hashable, Any] = OrderedDict()
        self._pending: dict[Hashable, Future] = {}
        self._lock = threading.Lock()

    def peek(self, key: Hashable) -> Any:
        with self._lock:
            if key in self._data:
                self._data.move_to_end(key)
                return self._data[key]
        return _MISSING

    def get_or_make(self, key: Hashable, make: Callable[[], Any]) -> Any:
        with self._lock:
            if key in self._data:
                self._data.move_to_end(key)
                return self._data[key]
            waiting = self._pending.get(key)
            if waiting is None:
                future: Future = Future()
                self._pending[key] = future
        if waiting is not None:
            return waiting.result()
        try:
            value = make()
        except BaseException as exc:
            with self._lock:
                del self._pending[key]
            future.set_exception(exc)
            raise
        with self._lock:
            self._data[key] = value
            del self._pending[key]
            while len(self._data) > self.size:
                self._data.popitem(last=False)
        future.set_result(value)
        return value


def _request_key(req: ScenarioRequest) -> tuple:
    return (
        req.scenario,
        tuple(sorted(req.overrides.items())),
        getattr(req, "n", None),
        getattr(req, "seed", None),
    )


def _json_bytes(obj: Any) -> bytes:
    return json.dumps(jsonio.clean(obj), separators=(",", ":"), allow_nan=False).encode()


def _scenario_keys() -> set[str]:
    return set(PARAMETERS)


# ---------------------------------------------------------------------------- shaping


def _forecast_payload(res: Any, req: ForecastRequest) -> dict[str, Any]:
    bands = res.bands(years=req.horizon_years, series=BAND_SERIES)
    return jsonio.clean(
        {
            "scenario": req.scenario,
            "overrides": req.overrides,
            "n": req.n,
            "seed": req.seed,
            "horizon_years": req.horizon_years,
            "meeting_date": res.meeting_date,
            "headroom_oom": res.headroom_oom,
            "histogram": res.histogram(bins=req.bins),
            "bands": _json_bands(bands),
            "result": res.to_dict(),
        }
    )


def _json_bands(bands: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in bands.items():
        if isinstance(value, dict):
            out[key] = {str(p): np.asarray(v, dtype=float).tolist() for p, v in value.items()}
        else:
            out[key] = [v if isinstance(v, str) else float(v) for v in value]
    return out


def _bands_csv(payload: dict[str, Any]) -> str:
    bands = payload["bands"]
    series = [(name, p) for name in ("reasoning", "frontier") for p in bands.get(name, {})]
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(["date", "year"] + [f"{name}_log10_flop_p{p}" for name, p in series])
    for i, t in enumerate(bands["t"]):
        date = bands["dates"][i] if "dates" in bands else ""
        writer.writerow([date, f"{t:.4f}"] + [f"{bands[name][p][i]:.4f}" for name, p in series])
    return buf.getvalue()


def _parameter_rows(sc: Any) -> list[dict[str, Any]]:
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
            )
        rows.append(row)
    return rows


def _attachment(text: str, media_type: str, filename: str) -> Response:
    return Response(
        text,
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("flopcast")
    except PackageNotFoundError:
        return "unknown"


def _register_rl(app: FastAPI) -> None:
    """The RL calculator's endpoint (see ``flopcast.web.rl_api``)."""
    from flopcast.web import rl_api

    rl_api.register(app)
