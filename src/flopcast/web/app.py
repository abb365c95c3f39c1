"""The local dashboard: a JSON API under ``/api`` and one static page that uses it.

The API is a thin adapter over the library, like the CLI: every number it returns comes from
``flopcast.forecast.model``, ``flopcast.evidence.dataset`` and ``flopcast.accounting.rl``; here
requests are validated (:mod:`flopcast.web.schemas`), computed once per distinct request within
a bound on concurrent work (:mod:`flopcast.web.state`) and shaped for the page
(:mod:`flopcast.web.shaping`).

Inputs are bounded before anything runs: sample counts, horizons, seeds, the number and length
of overrides, and scenario names (names of shipped scenarios only: a web request never opens a
path). A bad value is a 422 whose ``detail`` says which field, what was wrong and what is
allowed; the library's own errors (``ScenarioError`` for a value out of its bounds, ...) become
the same kind of 422, and a server with too much work in hand answers 503 with ``Retry-After``.
Nothing on the page is fetched from outside: no CDN, and a Content-Security-Policy of
``'self'`` says so to the browser.

Create the app with :func:`create_app`; ``flopcast serve`` runs it
(:func:`flopcast.web.server.serve`) on 127.0.0.1.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Annotated, Any

from fastapi import FastAPI, HTTPException, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from pydantic import StringConstraints

from flopcast.core import jsonio
from flopcast.core.errors import DataError, FlopcastError, UnknownNameError
from flopcast.forecast.scenario import PARAMETERS
from flopcast.forecast.sensitivity import sensitivity
from flopcast.forecast.status import cap_status
from flopcast.web import rl_api
from flopcast.web.schemas import (
    DEFAULT_SCENARIO,
    MAX_SAMPLES,
    ForecastRequest,
    ForecastResponse,
    ModelsResponse,
    ScenarioName,
    ScenarioRequest,
    SensitivityRequest,
)
from flopcast.web.shaping import bands_csv, forecast_json, parameter_rows, sensitivity_rows
from flopcast.web.state import Busy, State

STATIC_DIR = Path(__file__).parent / "static"
__all__ = ["MAX_SAMPLES", "STATIC_DIR", "create_app"]


def create_app(
    *,
    dataset_loader: Callable[[], Any] | None = None,
    cache_size: int = 64,
    workers: int | None = None,
    queue: int | None = None,
) -> FastAPI:
    """The FastAPI app. ``dataset_loader`` defaults to ``flopcast.evidence.dataset.load``
    (called once); ``workers`` computations run at once and ``queue`` more may wait."""
    app = FastAPI(
        title="flopcast",
        version=_version(),
        description="Forecast reasoning-training compute against the frontier; "
        "browse the model dataset; account an RL run.",
        openapi_url="/api/openapi.json",
        docs_url=None,
        redoc_url=None,
    )
    limits = {k: v for k, v in (("workers", workers), ("queue", queue)) if v is not None}
    state = State(dataset_loader, cache_size=cache_size, **limits)
    app.state.flopcast = state
    _error_handlers(app)
    app.add_middleware(_SecurityHeaders)

    def shipped(name: str, *, status: int = 422) -> None:
        names = state.scenarios.names()
        if name not in names:
            loc = ["path" if status == 404 else "body", "scenario"]
            msg = f"unknown scenario {name!r}; shipped: {', '.join(names)}"
            raise HTTPException(status, detail=[{"loc": loc, "type": "value_error", "msg": msg}])

    def scenario(name: str, overrides: dict[str, str], *, status: int = 422) -> Any:
        shipped(name, status=status)
        return state.scenarios.load(name, overrides)

    def forecast_of(req: ForecastRequest) -> tuple[Any, dict[str, Any]]:
        """The forecast and its as-of status."""
        shipped(req.scenario)  # overrides are checked as the forecast applies them
        ds = state.dataset()
        res = state.closed_forms.run(req.scenario, req.overrides, req.n, req.seed, ds)
        return res, cap_status(res, ds)

    async def body_of(req: ForecastRequest) -> bytes:
        """The forecast response, JSON bytes: computed once per distinct request."""

        def make() -> bytes:
            res, status = forecast_of(req)
            return forecast_json(res, req, status, state.fragments)

        return await state.compute(("json", req.key()), make)

    async def payload(req: ForecastRequest) -> dict[str, Any]:
        return json.loads(await body_of(req))  # the downloads: the same numbers as the page

    @app.get("/api/health", tags=["meta"])
    def health() -> dict[str, Any]:
        """Liveness, the version in use and the answering process (``serve --workers``)."""
        return {"status": "ok", "flopcast": _version(), "pid": os.getpid()}

    @app.get("/api/scenarios", tags=["forecast"])
    def scenarios() -> dict[str, Any]:
        """Names of the shipped scenarios."""
        return {"scenarios": state.scenarios.names(), "default": DEFAULT_SCENARIO}

    @app.get("/api/scenarios/{name}", tags=["forecast"])
    def scenario_detail(name: ScenarioName) -> dict[str, Any]:
        """One scenario's parameters: value, source, and the kind, unit and bounds of each."""
        sc = scenario(name, {}, status=404)
        return {
            "name": sc.name,
            "title": getattr(sc, "title", ""),
            "description": getattr(sc, "description", ""),
            "parameters": parameter_rows(sc),
        }

    @app.post(
        "/api/forecast",
        tags=["forecast"],
        response_model=None,
        responses={200: {"model": ForecastResponse}},
    )
    async def forecast_(req: ForecastRequest) -> Response:
        """Run the forecast: meeting-date summary, histogram, trajectory bands and headroom."""
        return Response(await body_of(req), media_type="application/json")

    @app.post("/api/sensitivity", tags=["forecast"])
    async def sensitivity_(req: SensitivityRequest) -> dict[str, Any]:
        """One-at-a-time sensitivity of the median meeting date to each parameter."""

        def make() -> list[dict]:
            sc = scenario(req.scenario, req.overrides)
            return sensitivity_rows(
                sensitivity(sc, n=req.n, seed=req.seed, dataset=state.dataset())
            )

        rows = await state.compute(req.key(), make)
        return {"scenario": req.scenario, "n": req.n, "seed": req.seed, "rows": rows}

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

        return Response(await state.compute(("models",), make), media_type="application/json")

    @app.get("/api/models/{model_id}", tags=["models"])
    async def model_detail(
        model_id: Annotated[str, StringConstraints(max_length=100)],
    ) -> dict[str, Any]:
        """One model: its record, each quantity's summary, and the evidence lines and sources."""
        return await state.compute(
            ("model", model_id), lambda: jsonio.clean(state.dataset().derivation(model_id))
        )

    @app.post("/api/download/scenario.yaml", tags=["downloads"])
    def download_scenario(req: ScenarioRequest) -> Response:
        """The scenario with the user's changes, as a YAML file ``flopcast report --scenario`` reads."""
        sc = scenario(req.scenario, req.overrides)
        return _attachment(sc.to_yaml(), "application/x-yaml", f"{sc.name}.yaml")

    @app.post("/api/download/results.json", tags=["downloads"])
    async def download_json(req: ForecastRequest) -> Response:
        """The forecast for these inputs, as a JSON file."""
        return _attachment(
            jsonio.dumps(await payload(req)),
            "application/json",
            f"flopcast-{req.scenario}-seed{req.seed}.json",
        )

    @app.post("/api/download/results.csv", tags=["downloads"])
    async def download_csv(req: ForecastRequest) -> Response:
        """The trajectory bands for these inputs, one row per month, as CSV."""
        return _attachment(
            bands_csv(await payload(req)), "text/csv", f"flopcast-{req.scenario}-seed{req.seed}.csv"
        )

    rl_api.register(app, state)

    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")

    @app.get("/", include_in_schema=False)
    def index() -> FileResponse:
        return FileResponse(STATIC_DIR / "index.html")

    return app


def _error_handlers(app: FastAPI) -> None:
    @app.exception_handler(FlopcastError)
    async def _flopcast_error(request: Request, exc: FlopcastError) -> JSONResponse:
        # A name that is part of the URL and unknown is a 404; anything wrong in a body is a 422.
        status = 404 if isinstance(exc, UnknownNameError) and request.method == "GET" else 422
        field = getattr(exc, "field", None)
        root = "path" if request.method == "GET" else "body"
        loc = (
            [root, "overrides", field]
            if field in PARAMETERS
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

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        # The errors echo the input; NaN or inf in it would make the JSON response itself fail.
        return JSONResponse({"detail": jsonio.clean(jsonable_encoder(exc.errors()))}, 422)

    @app.exception_handler(Busy)
    async def _busy(request: Request, exc: Busy) -> JSONResponse:
        return JSONResponse(
            {"detail": [{"loc": [], "msg": str(exc), "type": "busy"}]},
            status_code=503,
            headers={"Retry-After": str(exc.retry_after)},
        )


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


def _json_bytes(obj: Any) -> bytes:
    return jsonio.dumps(obj, indent=None).encode()


def _attachment(text: str, media_type: str, filename: str) -> Response:
    return Response(
        text,
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def _version() -> str:
    try:
        return version("flopcast")
    except PackageNotFoundError:
        return "unknown"
