"""The API against its own OpenAPI schema (schemathesis): no input makes it answer 5xx.

A bounded budget (a few examples per operation, a deadline per example) keeps this under a
minute; requests are generated from the schema, including bodies at and past each bound.
"""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, settings

from flopcast.web.app import create_app

app = create_app()
schema = schemathesis.openapi.from_asgi("/api/openapi.json", app)


@schema.parametrize()
@settings(
    max_examples=8,
    deadline=20_000,  # ms; a forecast at the largest allowed n takes about a second
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_no_input_is_a_server_error(case):
    response = case.call()
    # 503 (busy) would fail too: one test client alone must never exhaust the bound
    assert response.status_code < 500, (case.path, case.body, response.text[:500])
