"""The dashboard's JSON API (flopcast.web.app): every endpoint, good and bad input.

Numbers the API returns are compared with direct calls of the library with the same inputs: the
API must not compute anything of its own.
"""

from __future__ import annotations

import csv
import importlib
import io
import json
from typing import Any

import numpy as np
import pytest
import yaml
from fastapi.testclient import TestClient

from flopcast.forecast.status import cap_status
from flopcast.web.app import MAX_SAMPLES, create_app
from flopcast.web.cache import LRU
from flopcast.web.schemas import ForecastRequest
from flopcast.web.shaping import forecast_json, forecast_payload

forecast = importlib.import_module("flopcast.forecast.model")
sensitivity = importlib.import_module("flopcast.forecast.sensitivity").sensitivity
rl = importlib.import_module("flopcast.accounting.rl")
dataset = importlib.import_module("flopcast.evidence.dataset")

N = 2_000  # small runs keep the module fast; the page's default is 20,000


@pytest.fixture(scope="module")
def ds():
    return dataset.load()


@pytest.fixture(scope="module")
def client(ds):
    return TestClient(create_app(dataset_loader=lambda: ds))


def _detail(r) -> str:
    return " ".join(d["msg"] for d in r.json()["detail"])


# ---------------------------------------------------------------------------- schema and meta


def test_openapi_schema_lists_every_endpoint(client):
    schema = client.get("/api/openapi.json").json()
    expected = {
        "/api/health",
        "/api/scenarios",
        "/api/scenarios/{name}",
        "/api/forecast",
        "/api/sensitivity",
        "/api/models",
        "/api/models/{model_id}",
        "/api/rl/options",
        "/api/rl",
        "/api/download/scenario.yaml",
        "/api/download/results.json",
        "/api/download/results.csv",
    }
    assert expected <= set(schema["paths"])
    # Bounds are part of the schema, so clients see them before they ask.
    props = schema["components"]["schemas"]["ForecastRequest"]["properties"]
    assert props["n"]["maximum"] == MAX_SAMPLES == 200_000
    assert props["horizon_years"]["maximum"] == 30
    assert "ForecastResponse" in schema["components"]["schemas"]


def test_health_and_security_headers(client):
    r = client.get("/api/health")
    assert r.status_code == 200 and r.json()["status"] == "ok"
    assert "default-src 'self'" in r.headers["content-security-policy"]


def test_page_and_static_assets_are_served_locally(client):
    page = client.get("/")
    assert page.status_code == 200 and '<svg id="fan-chart"' in page.text
    for asset in ("/static/app.js", "/static/style.css"):
        assert client.get(asset).status_code == 200
    # No asset of the page comes from elsewhere.
    for text in (
        page.text,
        client.get("/static/app.js").text,
        client.get("/static/style.css").text,
    ):
        assert "https://cdn" not in text and "http://" not in text.replace("http://www.w3.org", "")
    assert client.get("/api/docs").status_code == 404  # Swagger UI would load from a CDN


# ---------------------------------------------------------------------------- scenarios


def test_scenarios_list_and_detail(client):
    r = client.get("/api/scenarios").json()
    assert r["scenarios"] == forecast.list_scenarios() and r["default"] == "seed-analysis"
    d = client.get("/api/scenarios/seed-analysis").json()
    rows = {p["key"]: p for p in d["parameters"]}
    sc = forecast.load_scenario("seed-analysis")
    assert rows["growth.months_per_10x"]["value"] == sc.value("growth.months_per_10x")
    assert rows["growth.months_per_10x"]["unit"] == "months"
    assert rows["cap.share"]["high"] == 1
    assert rows["budget.usd_per_year"]["in_use"] is False  # only for cap.kind = budget


def test_unknown_scenario_is_404_and_a_path_is_refused(client):
    r = client.get("/api/scenarios/nope")
    assert (
        r.status_code == 404
        and "shipped: latest-evidence, rl-frontier-fit, seed-analysis" in _detail(r)
    )
    # A scenario is a shipped name, never a path on the server.
    r = client.post("/api/forecast", json={"scenario": "../../etc/passwd"})
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "scenario"]
    r = client.post("/api/forecast", json={"scenario": "nope"})
    assert r.status_code == 422 and "unknown scenario 'nope'" in _detail(r)


# ---------------------------------------------------------------------------- forecast


def test_forecast_equals_the_library(client, ds):
    r = client.post("/api/forecast", json={"n": N, "seed": 7, "horizon_years": 4, "bins": 20})
    assert r.status_code == 200
    d = r.json()
    res = forecast.run(forecast.load_scenario("seed-analysis"), n=N, seed=7, dataset=ds)
    assert d["meeting_date"] == res.meeting_date
    assert d["headroom_oom"] == pytest.approx(res.headroom_oom)
    bands = res.bands(years=4)
    assert len(d["bands"]["t"]) == len(bands["t"]) == 49  # 4 years x 12 months + 1
    assert d["bands"]["reasoning"]["50"] == pytest.approx(bands["reasoning"][50])
    assert d["bands"]["frontier"]["95"] == pytest.approx(bands["frontier"][95])
    h = d["histogram"]
    assert len(h["counts"]) == 20 and len(h["edges"]) == 21
    # every draw is counted once: in a bin, below or above the bins, or never
    assert sum(h["counts"]) + h["below"] + h["above"] + h["never"] == h["n"] == N
    assert 0 < h["below"] + h["above"] <= 0.011 * N  # the bins span the 0.5th-99.5th percentile
    counts, _ = np.histogram(res.meeting_years, bins=h["edges"])
    assert h["counts"] == counts.tolist()
    assert d["result"]["seed"] == 7 and d["result"]["n"] == N


def test_forecast_leads_with_the_as_of_status_and_the_method(client, ds):
    d = client.post("/api/forecast", json={"n": N, "seed": 7}).json()
    assert list(d)[:2] == ["status", "method"]  # what the page reads first
    res = forecast.run(forecast.load_scenario("seed-analysis"), n=N, seed=7, dataset=ds)
    status = importlib.import_module("flopcast.forecast.status").cap_status(res, ds)
    assert (
        d["status"]["data_date"]
        == status["data_date"]
        == max(r.release_date for r in ds.records).isoformat()
    )
    assert d["status"]["met"] == status["met"]
    assert d["status"]["closest"]["id"] == status["closest"]["id"]
    assert d["status"]["from_data_date"] == status["from_data_date"]
    assert d["method"]["used"] == res.method_info()["used"]


def test_model_detail_shows_superseded_history_bound_and_utilisation(client):
    rl_ = client.get("/api/models/deepseek-r1").json()["fields"]["rl"]
    assert rl_["history"][0].startswith("Epoch AI, January 2025: 6.1e23, superseded by")
    assert rl_["bound"]["bound_flop"] == pytest.approx(142_336 * 3600 * 989e12)  # H800 BF16
    assert 0 < rl_["implied_utilization"]["median"] < 1
    epoch = next(ln for ln in rl_["lines"] if ln["label"] == "Epoch AI, January 2025")
    assert epoch["current"] is False and epoch["above_bound"] is True


def test_forecast_override_moves_the_meeting_date(client):
    base = client.post("/api/forecast", json={"n": N}).json()["meeting_date"]["median"]
    slow = client.post(
        "/api/forecast", json={"n": N, "overrides": {"growth.months_per_10x": "6 to 8"}}
    ).json()
    assert slow["meeting_date"]["median"] > base  # slower growth meets later
    assert slow["overrides"] == {"growth.months_per_10x": "6 to 8"}


def test_huge_sample_counts_are_refused_not_attempted(client, monkeypatch):
    calls = []
    monkeypatch.setattr(forecast, "run", lambda *a, **k: calls.append(1))
    monkeypatch.setattr("flopcast.web.app.sensitivity", lambda *a, **k: calls.append(1))
    for path, n in (
        ("/api/forecast", 10**9),
        ("/api/forecast", MAX_SAMPLES + 1),
        ("/api/sensitivity", 10**6),
        ("/api/download/results.csv", 10**8),
    ):
        r = client.post(path, json={"n": n, "seed": 12345})
        assert r.status_code == 422, path
        assert r.json()["detail"][0]["loc"] == ["body", "n"]
    assert calls == []  # nothing ran


@pytest.mark.parametrize(
    "body, loc, words",
    [
        ({"n": "many"}, ["body", "n"], "valid integer"),
        ({"n": 10}, ["body", "n"], "greater than or equal to 1000"),
        ({"seed": -1}, ["body", "seed"], "greater than or equal to 0"),
        ({"horizon_years": 31}, ["body", "horizon_years"], "less than or equal to 30"),
        ({"horizon_years": 0}, ["body", "horizon_years"], "greater than 0"),
        ({"bins": 10_000}, ["body", "bins"], "less than or equal to 200"),
        (
            {"overrides": {"growth.months_per_10x": "3" * 201}},
            ["body", "overrides", "growth.months_per_10x"],
            "at most 200 characters",
        ),
        (
            {"overrides": {f"key.x{i}": "1" for i in range(33)}},
            ["body", "overrides"],
            "at most 32 items",
        ),
        ({"overrides": ["growth.months_per_10x"]}, ["body", "overrides"], "valid dictionary"),
        ({"samples": 1000}, ["body", "samples"], "Extra inputs are not permitted"),
    ],
)
def test_forecast_bad_input_is_a_clear_422(client, body, loc, words):
    r = client.post("/api/forecast", json=body)
    assert r.status_code == 422
    d = r.json()["detail"][0]
    assert d["loc"][: len(loc)] == loc
    assert words in d["msg"]


@pytest.mark.parametrize(
    "overrides, field, words",
    [
        ({"growth.months_per_10x": "-3"}, "growth.months_per_10x", "must lie in (0, inf) months"),
        ({"cap.share": "2"}, "cap.share", "must lie in (0, 1] fraction"),
        ({"frontier.growth_per_year": "0.5"}, "frontier.growth_per_year", "negative growth"),
        ({"growth.months_per_10x": "3 to"}, None, "ends too early"),
        ({"growth.months": "3"}, None, "did you mean 'growth.months_per_10x'"),
    ],
)
def test_out_of_bounds_parameters_are_the_librarys_422(client, overrides, field, words):
    r = client.post("/api/forecast", json={"n": N, "overrides": overrides})
    assert r.status_code == 422
    d = r.json()["detail"][0]
    assert words in d["msg"]
    if field:
        assert d["loc"] == ["body", "overrides", field]
        assert "/" not in d["msg"].split(":")[0]  # no server path in front of the message


def test_sensitivity_equals_the_library(client, ds):
    r = client.post("/api/sensitivity", json={"n": N, "seed": 2})
    assert r.status_code == 200
    rows = sensitivity(forecast.load_scenario("seed-analysis"), n=N, seed=2, dataset=ds)
    got = r.json()["rows"]
    assert [x["parameter"] for x in got] == [x["parameter"] for x in rows]
    assert got[0]["swing_years"] == pytest.approx(rows[0]["swing_years"])
    assert client.post("/api/sensitivity", json={"n": 60_000}).status_code == 422


# ---------------------------------------------------------------------------- models


def test_models_table_is_the_datasets(client, ds):
    d = client.get("/api/models").json()
    assert d["data_version"] == ds.version
    table = ds.table()
    assert [m["id"] for m in d["models"]] == [m["id"] for m in table]
    r1 = next(m for m in d["models"] if m["id"] == "deepseek-r1")
    assert r1["rl"]["median"] == pytest.approx(
        next(m for m in table if m["id"] == "deepseek-r1")["rl"]["median"]
    )


def test_model_detail_has_derivation_and_sources(client, ds):
    d = client.get("/api/models/deepseek-r1").json()
    assert d["id"] == "deepseek-r1" and d["data_version"] == ds.version
    rl_field = d["fields"]["rl"]
    assert rl_field["lines"], "the RL figure has lines of evidence"
    line = rl_field["lines"][0]
    assert line["expression"] and line["confidence"] in ("Confident", "Likely", "Speculative")
    assert all(s["url"].startswith("http") and s["accessed"] for s in line["sources"])
    expected = ds.derivation("deepseek-r1")["fields"]["rl"]["value"]["median"]
    assert rl_field["value"]["median"] == pytest.approx(expected)


def test_unknown_model_is_404_with_suggestions(client):
    r = client.get("/api/models/deepseek-r2")
    assert r.status_code == 404
    assert "unknown model 'deepseek-r2'; did you mean" in _detail(r)
    assert client.get("/api/models/" + "x" * 101).status_code == 422


# ---------------------------------------------------------------------------- RL calculator


def test_rl_options(client):
    d = client.get("/api/rl/options").json()
    assert d["recipes"] == rl.list_recipes() and "grpo" in d["algorithms"]
    names = [f["name"] for f in d["fields"]]
    assert {"architecture", "steps", "response_length", "chip", "utilization"} <= set(names)


def test_rl_run_equals_the_library(client):
    body = {
        "architecture": "qwen2.5-32b",
        "algorithm": "grpo",
        "steps": "500",
        "prompts_per_step": "64",
        "samples_per_prompt": "8",
        "prompt_length": "400",
        "response_length": "4000",
        "chip": "H100",
        "utilization": "0.25",
        "usd_per_hour": 2,
    }
    r = client.post("/api/rl", json=body)
    assert r.status_code == 200, r.text
    d = r.json()
    recipe = rl.parse_recipe(
        {
            "name": "t",
            "architecture": "qwen2.5-32b",
            "algorithm": "grpo",
            "stages": [
                {
                    "name": "run",
                    "reward": "verifier",
                    "steps": "500",
                    "prompts_per_step": "64",
                    "samples_per_prompt": "8",
                    "prompt_length": "400",
                    "response_length": "4000",
                    "epochs": "1",
                }
            ],
        }
    )
    total = float(recipe.run().total)
    assert d["total_flop"] == pytest.approx(total)
    assert sum(p["flop"] for p in d["phases"]) == pytest.approx(total)
    peak = importlib.import_module("flopcast.estimate.chips").peak_flop_per_s("H100", "bf16")
    hours = total / (peak * 0.25 * 3600)  # chip-hours = FLOP / (peak x utilisation x 3600 s)
    assert d["chip_hours"]["median"] == pytest.approx(hours)
    assert d["cost_usd"]["median"] == pytest.approx(2 * hours)  # at $2 per chip-hour


def test_rl_preset_recipe_equals_the_library(client):
    d = client.post("/api/rl", json={"recipe": "deepseek-r1-zero", "chip": "H800"}).json()
    expected = rl.load_recipe("deepseek-r1-zero").run().to_dict()["total"]["median"]
    assert d["total"]["median"] == pytest.approx(expected)
    assert d["chip"] == "h800-sxm" and d["cost_usd"]["median"] > 0


def test_rl_cost_is_the_library_cost_at_the_catalog_price(client):
    body = {"recipe": "deepseek-r1-zero", "chip": "H800", "utilization": "0.3"}
    d = client.post("/api/rl", json=body).json()
    total = rl.load_recipe("deepseek-r1-zero").run().total
    expected = rl.summarize(rl.cost_usd(total, "H800", 0.3))
    assert d["cost_usd"]["median"] == pytest.approx(expected["median"])
    assert (
        d["usd_per_hour"]
        == importlib.import_module("flopcast.estimate.chips").price_per_hour("H800").usd_per_hour
    )
    assert d["price_source"]["source"].startswith("http")


def test_rl_chip_without_a_price_has_no_cost(client):
    chips = importlib.import_module("flopcast.estimate.chips")
    unpriced = next(c.id for c in chips.catalog() if c.latest_price() is None and "bf16" in c.peak)
    d = client.post("/api/rl", json={"recipe": "deepseek-r1-zero", "chip": unpriced}).json()
    assert d["cost_usd"] is None and d["usd_per_hour"] is None
    assert d["chip_hours"]["median"] > 0
    given = client.post(
        "/api/rl", json={"recipe": "deepseek-r1-zero", "chip": unpriced, "usd_per_hour": 2}
    ).json()
    assert given["cost_usd"]["median"] == pytest.approx(2 * given["chip_hours"]["median"])


@pytest.mark.parametrize(
    "body, words",
    [
        ({"steps": "1e12"}, "at most 1e7"),  # 10 million, through fmt.number
        ({"response_length": "1e9"}, "at most 1e7"),
        ({"samples_per_prompt": "abc ++"}, "ends too early"),
        ({"chip": "Z9000"}, "unknown chip 'Z9000'"),
        ({"architecture": "gpt-9"}, "unknown architecture 'gpt-9'"),
        ({"recipe": "nope"}, "unknown recipe 'nope'"),
        ({"utilization": "3"}, "share of peak in (0, 1]"),
        ({"usd_per_hour": -1}, "greater than 0"),
        ({"reward": "human"}, "'verifier' or 'model'"),
    ],
)
def test_rl_bad_input_is_a_clear_422(client, body, words):
    r = client.post("/api/rl", json=body)
    assert r.status_code == 422
    assert words in _detail(r)


# ---------------------------------------------------------------------------- downloads


def test_scenario_download_is_yaml_that_loads_back(client, tmp_path):
    r = client.post(
        "/api/download/scenario.yaml", json={"overrides": {"growth.months_per_10x": "6 to 8"}}
    )
    assert r.status_code == 200
    assert 'filename="seed-analysis.yaml"' in r.headers["content-disposition"]
    doc = yaml.safe_load(r.text)
    assert doc["parameters"]["growth.months_per_10x"]["value"] == "6 to 8"
    path = tmp_path / "mine.yaml"
    path.write_text(r.text)
    assert forecast.load_scenario(path).value("growth.months_per_10x") == "6 to 8"


def test_results_downloads(client):
    body = {"n": N, "seed": 4, "horizon_years": 2}
    j = client.post("/api/download/results.json", json=body)
    assert j.status_code == 200 and "attachment" in j.headers["content-disposition"]
    payload = json.loads(j.text)
    assert payload["meeting_date"] == client.post("/api/forecast", json=body).json()["meeting_date"]
    c = client.post("/api/download/results.csv", json=body)
    assert c.status_code == 200 and c.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(c.text)))
    assert rows[0][:3] == ["date", "year", "reasoning_log10_flop_p5"]
    assert len(rows) == 1 + 25  # header + 2 years x 12 months + 1
    assert float(rows[1][rows[0].index("frontier_log10_flop_p50")]) == pytest.approx(
        payload["bands"]["frontier"]["50"][0], abs=1e-4
    )
    assert client.post("/api/download/results.csv", json={"n": 10**7}).status_code == 422


def test_equal_requests_share_one_computation(ds, monkeypatch):
    import threading

    calls = []
    real = forecast.run

    def counted(*a, **k):
        calls.append(1)
        return real(*a, **k)

    monkeypatch.setattr(forecast, "run", counted)
    client = TestClient(create_app(dataset_loader=lambda: ds))
    results = []

    def ask():
        results.append(
            client.post("/api/forecast", json={"n": N, "seed": 99}).json()["meeting_date"]
        )

    threads = [threading.Thread(target=ask) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 8 and all(r == results[0] for r in results)
    assert len(calls) == 1  # one run served eight concurrent requests


def test_requests_that_differ_in_seed_share_the_closed_form_not_the_draws(ds):
    client = TestClient(create_app(dataset_loader=lambda: ds))
    state = client.app.state.flopcast
    for body in ({"n": N, "seed": 11}, {"n": 3_000, "seed": 12}, {"seed": 13, **BUDGET}):
        got = client.post("/api/forecast", json=body).json()
        req = ForecastRequest(**body)
        sc = forecast.load_scenario(req.scenario, req.overrides or None)
        res = forecast.run(sc, n=req.n, seed=req.seed, dataset=ds)  # on its own, from scratch
        assert res.method == "exact"
        expected = forecast_payload(res, req, cap_status(res, ds))
        assert got == json.loads(json.dumps(expected))  # all of it, histogram and status too
    assert len(state.closed_forms) == 2  # seed-analysis as shipped, and with a budget cap
    assert state.computed == 3  # three responses, each computed (none from the cache)
    other = client.post("/api/forecast", json={"seed": 14, **BUDGET}).json()
    assert other["status"]["records"] != got["status"]["records"]  # its own draws: seed 14


def test_the_as_of_status_is_worked_out_once_per_dataset_and_copied(ds):
    res = forecast.run(forecast.load_scenario("seed-analysis"), n=N, seed=3, dataset=ds)
    first = cap_status(res, ds)
    first["records"][0]["prob_met"] = -1.0  # a caller may change what it got
    again = cap_status(res, ds)
    assert again == cap_status(res, dataset.load())  # a dataset loaded anew: worked out afresh
    assert again["records"][0]["prob_met"] >= 0.0


def test_the_response_is_the_payload_encoded_byte_for_byte_with_the_bands_kept(ds, monkeypatch):
    shaping = importlib.import_module("flopcast.web.shaping")
    encoded = []
    real = shaping._json_bands
    monkeypatch.setattr(shaping, "_json_bands", lambda b: encoded.append(1) or real(b))
    kept, res = LRU(8), None
    sc = forecast.load_scenario("seed-analysis")
    for seed, over in ((1, {}), (2, {}), (2, {"transition.width_oom": "0.3"})):
        req = ForecastRequest(n=N, seed=seed, horizon_years=3, overrides=over)
        res = forecast.run(sc.with_overrides(over or None), n=N, seed=seed, dataset=ds, reuse=res)
        status = cap_status(res, ds)
        got = forecast_json(res, req, status, kept)
        assert got == json.dumps(forecast_payload(res, req, status), allow_nan=False).encode()
    # bands made by forecast_json + forecast_payload per run: 1 + 1 (seed 1), 0 + 1 (seed 2:
    # the same closed form, its bands kept), 1 + 1 (no closed form: Monte Carlo, not kept)
    assert len(encoded) == 5 and len(kept) == 1 and res.method == "mc"


# A budget cap with fixed slopes has a closed form, but its as-of status reads the draws.
BUDGET = {
    "overrides": {
        "cap.kind": "budget",
        "budget.growth_per_year": "2",
        "budget.price_decline_per_year": "1.4",
    }
}


def test_serve_refuses_a_public_address_without_public(runner):
    from flopcast.cli import app

    r = runner.invoke(app, ["serve", "--host", "0.0.0.0"])
    assert r.exit_code == 1 and "not a loopback address" in r.stderr


def _serve(*extra: str):
    import subprocess
    import sys

    return subprocess.Popen(
        [sys.executable, "-c", "from flopcast.cli import main; main()", "serve"]
        + ["--port", "0", "--json", *extra],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _address(proc) -> dict:
    lines = []
    while not lines or lines[-1].rstrip() != "}":  # print_json writes one indented object
        line = proc.stdout.readline()
        assert line, "serve exited before printing its address: " + proc.stderr.read()
        lines.append(line)
    return json.loads("".join(lines))


def _get_when_up(url: str, wait_s: float = 30.0) -> Any:
    """GET ``url``, retrying while the server (its address already printed) starts listening."""
    import time

    import httpx

    deadline = time.monotonic() + wait_s
    while True:
        try:
            return httpx.get(url, timeout=5)
        except httpx.TransportError:
            assert time.monotonic() < deadline, "the server did not answer"
            time.sleep(0.1)


def test_serve_data_serves_the_users_records(tmp_path):

    (tmp_path / "mine.yaml").write_text(
        "id: my-model\nname: My Model\ndeveloper: Me\nrelease_date: 2026-01-01\n"
        "reasoning: true\nbase_model: deepseek-v3\nrl:\n"
        "  estimate: hardware(chip=H100, chip_hours=10k, stage=rl)\n  confidence: Speculative\n"
        "  reasoning: a test record, 10k H100-hours at the RL prior\n"
        "  sources: [{url: 'https://example.org/me', title: me, states: me, "
        "accessed: 2026-01-01}]\n"
    )
    proc = _serve("--data", str(tmp_path))
    try:
        info = _address(proc)
        models = _get_when_up(info["url"] + "api/models").json()["models"]
        ids = {m["id"] for m in models}
        assert "my-model" in ids and "deepseek-r1" in ids  # the user's record beside the shipped
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_serve_with_two_workers_answers_from_two_processes_and_stops_them_all(tmp_path):
    import os
    import signal
    import time

    (tmp_path / "mine.yaml").write_text(
        "id: my-model\nname: My Model\ndeveloper: Me\nrelease_date: 2026-01-01\n"
        "reasoning: false\npretraining:\n  estimate: 1e24\n  confidence: Speculative\n"
        "  reasoning: a test record\n  sources: [{url: 'https://example.org/me', title: me, "
        "states: me, accessed: 2026-01-01}]\n"
    )
    proc = _serve("--workers", "2", "--data", str(tmp_path))
    try:
        info = _address(proc)
        ids = {m["id"] for m in _get_when_up(info["url"] + "api/models").json()["models"]}
        assert "my-model" in ids  # each process reads the user's folder (via the environment)
        pids: set[int] = set()
        deadline = time.monotonic() + 60
        while len(pids) < 2 and time.monotonic() < deadline:  # new connections, either process
            pids.add(_get_when_up(info["url"] + "api/health").json()["pid"])
        assert len(pids) == 2 and proc.pid not in pids  # two server processes, not the parent
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)
    time.sleep(0.5)
    for pid in pids:  # the supervisor took its processes with it
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)


def test_serve_processes_shut_down_when_their_supervisor_is_killed():
    """``serve --workers 2`` killed with SIGKILL (no chance to stop its processes) does not
    leave them serving its port: each sees its parent's end and shuts down."""
    import os
    import signal
    import time

    proc = _serve("--workers", "2")
    pids: set[int] = set()
    try:
        info = _address(proc)
        deadline = time.monotonic() + 60
        while len(pids) < 2 and time.monotonic() < deadline:
            pids.add(_get_when_up(info["url"] + "api/health").json()["pid"])
        assert len(pids) == 2
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    deadline = time.monotonic() + 30
    alive = set(pids)
    while alive and time.monotonic() < deadline:
        for pid in list(alive):
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                alive.discard(pid)
        time.sleep(0.1)
    assert not alive, f"server processes {sorted(alive)} outlived their supervisor"


def test_serve_with_a_bad_data_folder_is_one_line_and_opens_nothing(tmp_path):
    (tmp_path / "bad.yaml").write_text("id: x\nname: [unclosed\n")
    proc = _serve("--data", str(tmp_path))
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 1 and out == ""
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("error:") and "bad.yaml" in lines[0]


def test_serve_command_serves_on_loopback():

    import httpx

    proc = _serve()
    try:
        info = _address(proc)
        assert info["host"] == "127.0.0.1" and info["url"].startswith("http://127.0.0.1:")
        r = _get_when_up(info["url"] + "api/health")
        assert r.status_code == 200 and r.json()["status"] == "ok"
        assert httpx.get(info["api"], timeout=5).json()["info"]["title"] == "flopcast"
    finally:
        proc.terminate()
        proc.wait(timeout=10)
