"""flopcast.web.rl_api: the RL calculator's presets take each run's published chip and price."""

from __future__ import annotations

import importlib

import pytest
from fastapi.testclient import TestClient

from flopcast.web import rl_api
from flopcast.web.app import create_app

rl = importlib.import_module("flopcast.accounting.rl")
chips = importlib.import_module("flopcast.estimate.chips")


@pytest.fixture(scope="module")
def client():
    return TestClient(create_app())


def test_deepseek_presets_are_h800_at_two_dollars():
    for name in ("deepseek-r1", "deepseek-r1-zero"):
        p = rl_api.preset(name)
        assert p["chip"] == "h800-sxm" and p["precision"] == "bf16"
        assert p["usd_per_hour"] == 2.0  # DeepSeek's Nature paper: $2 per H800-hour
        assert "nature.com" in p["price_source"]
    assert rl_api.preset("deepseek-r1")["published"]["chip_hours"]["value"] == 40960  # 80 h x 512


def test_a_recipe_without_a_published_chip_has_no_preset_chip():
    assert rl_api.preset("dapo-qwen2.5-32b")["chip"] is None


def test_every_preset_is_in_the_options(client):
    opt = client.get("/api/rl/options").json()
    assert set(opt["presets"]) == set(rl.list_recipes())
    chip_ids = set(opt["chips"])
    assert all(p["chip"] in chip_ids for p in opt["presets"].values() if p["chip"])


def test_a_recipe_run_defaults_to_its_published_chip(client):
    d = client.post("/api/rl", json={"recipe": "deepseek-r1"}).json()
    assert d["chip"] == "h800-sxm" and d["usd_per_hour"] == 2.0
    assert d["published"]["chip_hours"]["value"] == 40960
    total = rl.load_recipe("deepseek-r1").run().total
    expected = rl.chip_hours(total, "h800-sxm", rl_api.methods.prior("utilization.rl"))
    assert d["chip_hours"]["median"] == pytest.approx(float(expected.median()), rel=1e-9)
    # the cost is the hours at the published price: $2 x chip-hours
    assert d["cost_usd"]["median"] == pytest.approx(2.0 * d["chip_hours"]["median"], rel=1e-6)


def test_a_given_chip_overrides_the_preset(client):
    d = client.post("/api/rl", json={"recipe": "deepseek-r1", "chip": "H100"}).json()
    assert d["chip"] == "h100-sxm"
    assert chips.price_per_hour("h100-sxm").usd_per_hour == d["usd_per_hour"]
