"""The dashboard API's request and response models, and the bounds on what one request may ask.

The bounds keep a request under about a second on one core and its response under a few MB;
they are limits of this server, not of the library. Every model refuses unknown fields, and
every float refuses NaN and infinity (``allow_inf_nan=False``): JSON has neither, and a body
that smuggles them in (``NaN`` is accepted by Python's JSON reader) is a 422, not a 500.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

MAX_SAMPLES = 200_000
MAX_SENSITIVITY_SAMPLES = 50_000
MAX_HORIZON_YEARS = 30.0
MAX_SEED = 2**32 - 1
MAX_OVERRIDES = 32
MAX_EXPRESSION_CHARS = 200
DEFAULT_SAMPLES = 20_000
DEFAULT_SCENARIO = "seed-analysis"

ScenarioName = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")]
ParameterKey = Annotated[str, StringConstraints(pattern=r"^[a-z_]+(\.[a-z0-9_]+)*$", max_length=64)]
Expression = Annotated[str, StringConstraints(max_length=MAX_EXPRESSION_CHARS)]
STRICT = ConfigDict(extra="forbid", allow_inf_nan=False)


class ScenarioRequest(BaseModel):
    """A shipped scenario and the parameter values the user changed (expressions, as in YAML)."""

    model_config = STRICT
    scenario: ScenarioName = DEFAULT_SCENARIO
    overrides: dict[ParameterKey, Expression] = Field(
        default_factory=dict, max_length=MAX_OVERRIDES
    )

    def key(self) -> tuple:
        """What the result depends on: equal keys, equal results (the library is pure)."""
        return (type(self).__name__, *(_hashable(v) for v in self.model_dump().values()))


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

    status: dict[str, Any] | None = Field(
        description="as of the data date (the newest record's release): has reasoning-stage "
        "compute met the cap, which records, with what probability; the forecast from then on "
        "(flopcast.forecast.status.cap_status)"
    )
    method: dict[str, Any] = Field(
        description="how the forecast was computed: used (exact: closed form, or mc), why, "
        "error bound (ForecastResult.method_info())"
    )
    scenario: str
    overrides: dict[str, str]
    n: int
    seed: int
    horizon_years: float
    meeting_date: dict[str, str | None] = Field(
        description="p5, p25, median, p75, p95 as ISO dates"
    )
    headroom_oom: dict[str, float] = Field(description="orders of magnitude from start to cap")
    headroom_date: str = Field(description="the date the headroom is measured at (ISO)")
    histogram: Histogram
    bands: dict[str, Any] = Field(
        description="t, dates, and reasoning/frontier percentiles "
        "(log10 FLOP) on a monthly grid, met share"
    )
    result: dict[str, Any] = Field(description="ForecastResult.to_dict(): settings and summaries")


class ModelsResponse(BaseModel):
    data_version: str
    models: list[dict[str, Any]] = Field(description="Dataset.table() rows")


def _hashable(v: Any) -> Any:
    if isinstance(v, dict):
        return tuple(sorted((k, _hashable(x)) for k, x in v.items()))
    if isinstance(v, list):
        return tuple(_hashable(x) for x in v)
    return v
