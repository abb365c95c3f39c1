"""flopcast.web.schemas: bounded request models; NaN and infinity in a body are a 422."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError

from flopcast.web.app import create_app
from flopcast.web.schemas import MAX_SAMPLES, ForecastRequest, SensitivityRequest


@pytest.fixture(scope="module")
def client():
    return TestClient(create_app())


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/api/forecast", '{"horizon_years": NaN}', "horizon_years"),
        ("/api/forecast", '{"horizon_years": Infinity}', "horizon_years"),
        ("/api/forecast", '{"n": NaN}', "n"),
        ("/api/forecast", '{"seed": -Infinity}', "seed"),
        ("/api/rl", '{"usd_per_hour": NaN}', "usd_per_hour"),
        ("/api/rl", '{"usd_per_hour": Infinity}', "usd_per_hour"),
        ("/api/download/results.csv", '{"horizon_years": NaN}', "horizon_years"),
    ],
)
def test_nan_and_infinity_in_a_body_are_a_422_naming_the_field(client, path, body, field):
    # Python's JSON reader accepts NaN and Infinity; JSON itself has neither.
    r = client.post(path, content=body, headers={"content-type": "application/json"})
    assert r.status_code == 422, r.text
    detail = r.json()["detail"]
    assert [d["loc"] for d in detail] == [["body", field]]
    assert "NaN" not in r.text.replace('"NaN"', "")  # the echoed input is valid JSON


def test_bounds_are_checked_before_anything_runs():
    with pytest.raises(ValidationError, match="less than or equal to 200000"):
        ForecastRequest(n=MAX_SAMPLES + 1)
    with pytest.raises(ValidationError, match="Extra inputs are not permitted"):
        ForecastRequest(samples=5)


def test_equal_requests_have_equal_keys():
    a = ForecastRequest(overrides={"x.a": "1", "x.b": "2"})
    b = ForecastRequest(overrides={"x.b": "2", "x.a": "1"})
    assert a.key() == b.key() and hash(a.key()) == hash(b.key())
    assert a.key() != ForecastRequest(seed=1).key()
    assert a.key() != ForecastRequest(horizon_years=5).key()  # a different payload
    assert SensitivityRequest().key() != ForecastRequest().key()  # the kind is in the key
