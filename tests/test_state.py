"""flopcast.web.state: one run per distinct request, and a bound on concurrent work (503)."""

from __future__ import annotations

import asyncio
import importlib
import threading
import time

import pytest
from fastapi.testclient import TestClient

from flopcast.web.app import create_app
from flopcast.web.state import Busy, State

forecast = importlib.import_module("flopcast.forecast.model")
dataset = importlib.import_module("flopcast.evidence.dataset")


def test_equal_keys_share_one_run_and_the_result_is_cached():
    state = State(lambda: None, workers=2, queue=0)
    calls = []

    def make() -> int:
        calls.append(1)
        return 42

    async def main() -> list[int]:
        return list(await asyncio.gather(*(state.compute("k", make) for _ in range(5))))

    assert asyncio.run(main()) == [42] * 5
    assert asyncio.run(main()) == [42] * 5  # the second round: from the cache
    assert calls == [1] and state.computed == 1 and state.in_flight == 0


def test_a_failure_reaches_every_waiter_and_is_not_cached():
    state = State(lambda: None, workers=1, queue=0)

    def boom() -> int:
        time.sleep(0.1)  # long enough for all three to join the one run
        raise ValueError("bad")

    async def main() -> list[object]:
        return await asyncio.gather(
            *(state.compute("k", boom) for _ in range(3)), return_exceptions=True
        )

    assert [type(e) for e in asyncio.run(main())] == [ValueError] * 3
    assert asyncio.run(main())[0].args == ("bad",)  # run again, not a cached failure
    assert state.computed == 2


def test_past_workers_plus_queue_the_server_is_busy():
    state = State(lambda: None, workers=1, queue=1)  # 1 running + 1 waiting admitted
    release = threading.Event()

    async def main() -> list[object]:
        held = [asyncio.ensure_future(state.compute(k, release.wait)) for k in ("a", "b")]
        await asyncio.sleep(0.05)
        assert state.in_flight == 2
        with pytest.raises(Busy, match=r"busy \(2 computations running or queued, at most 2\)"):
            await state.compute("c", release.wait)
        again = asyncio.ensure_future(state.compute("a", release.wait))  # equal: joins, admitted
        release.set()
        return await asyncio.gather(*held, again)

    assert asyncio.run(main()) == [True, True, True]
    assert state.computed == 2


def test_a_busy_server_answers_503_with_retry_after(monkeypatch):
    ds = dataset.load()
    release, started = threading.Event(), threading.Event()
    real = forecast.run

    def slow(*a, **k):
        started.set()
        release.wait(30)
        return real(*a, **k)

    monkeypatch.setattr(forecast, "run", slow)
    client = TestClient(create_app(dataset_loader=lambda: ds, workers=1, queue=0))
    first: list[int] = []
    t = threading.Thread(
        target=lambda: first.append(client.post("/api/forecast", json={"n": 2000}).status_code)
    )
    t.start()
    assert started.wait(30)
    r = client.post("/api/forecast", json={"n": 2000, "seed": 1})  # distinct: needs a worker
    assert r.status_code == 503 and r.headers["retry-after"] == "2"
    assert "busy" in r.json()["detail"][0]["msg"]
    assert client.get("/api/health").status_code == 200  # no computation: always answered
    release.set()
    t.join(30)
    assert first == [200]


def test_the_downloads_reuse_the_forecasts_run(monkeypatch):
    ds = dataset.load()
    calls = []
    real = forecast.run
    monkeypatch.setattr(forecast, "run", lambda *a, **k: calls.append(1) or real(*a, **k))
    client = TestClient(create_app(dataset_loader=lambda: ds))
    body = {"n": 2000, "seed": 4, "horizon_years": 2}
    shown = client.post("/api/forecast", json=body).json()
    as_json = client.post("/api/download/results.json", json=body).json()
    as_csv = client.post("/api/download/results.csv", json=body).text
    assert calls == [1]  # one run behind the page, the JSON file and the CSV file
    assert as_json["meeting_date"] == shown["meeting_date"]
    assert len(as_csv.splitlines()) == 1 + len(shown["bands"]["t"])
    client.post("/api/forecast", json={**body, "seed": 5})
    assert calls == [1, 1]  # a different request: a new run
