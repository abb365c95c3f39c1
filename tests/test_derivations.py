"""flopcast.report.derivations: current value, superseded history, physics bound per record."""

from __future__ import annotations

import pytest

from flopcast.evidence import dataset
from flopcast.report import derivations


@pytest.fixture(scope="module")
def rows():
    return derivations.gather(dataset.load(), seed=0)


def test_deepseek_r1_shows_epoch_superseded_the_bound_and_the_utilisation(rows):
    r1 = next(r for r in rows if r["id"] == "deepseek-r1")["fields"]["rl"]
    (history,) = r1["history"]
    assert history.startswith("Epoch AI, January 2025: 6.1e23, superseded by DeepSeek")
    epoch = next(ln for ln in r1["lines"] if ln["label"] == "Epoch AI, January 2025")
    assert epoch["current"] is False and epoch["kind"] == "outside" and epoch["above_bound"]
    # the bound: 142,336 H800-hours x 3600 s x 989e12 FLOP/s (BF16 peak) = 5.07e23 FLOP
    assert r1["bound"]["bound_flop"] == pytest.approx(142_336 * 3600 * 989e12)
    # Epoch's 6.1e23 over that bound: 120% of peak, impossible
    assert epoch["implied_utilization"] == pytest.approx(6.1e23 / (142_336 * 3600 * 989e12))
    assert r1["value"]["hi"] < r1["bound"]["bound_flop"]  # the current value respects it
    u = r1["implied_utilization"]
    assert u["median"] == pytest.approx(r1["value"]["median"] / r1["bound"]["bound_flop"], rel=1e-6)


def test_records_with_one_line_and_no_hardware_time_are_left_out(rows):
    ds = dataset.load()
    shown = {r["id"] for r in rows}
    for rec in ds.records:
        lines = [
            len(ev.lines) for f in ("pretraining", "post_training", "rl") if (ev := rec.evidence(f))
        ]
        bounded = any(ds.bound(rec.id, f) for f in ("pretraining", "post_training", "rl"))
        if rec.id in shown:
            assert bounded or max(lines) > 1, rec.id


def test_blocks_state_history_bound_and_utilisation_through_fmt():
    row = {
        "id": "m",
        "name": "M",
        "release_date": "2025-01-20",
        "fields": {
            "rl": {
                "value": {"median": 2.6e22, "lo": 1.7e22, "hi": 3.8e22},
                "bound": {
                    "bound_flop": 5.07e23,
                    "chip_hours": 142336.0,
                    "chip": "H800",
                    "precision": "bf16",
                },
                "implied_utilization": {"median": 0.051, "lo": 0.034, "hi": 0.076},
                "widening": None,
                "history": ["Epoch AI, January 2025: 6.1e23, superseded by DeepSeek"],
                "lines": [
                    {
                        "label": "Epoch AI, January 2025",
                        "kind": "outside",
                        "date": "2025-01-31",
                        "expression": "6.1e23",
                        "current": False,
                    },
                    {
                        "label": "DeepSeek",
                        "kind": "disclosure",
                        "date": "2025-09-17",
                        "expression": "hardware(...)",
                        "current": True,
                    },
                ],
            }
        },
    }
    blocks = derivations.blocks([row])
    (cells,) = blocks[-1][2]
    assert cells == [
        "M",
        "RL stage",
        "2.6e22 (1.7e22 to 3.8e22)",
        "DeepSeek (lab disclosure, 2025-09-17)",
        "5.1e23 (1.4e5 H800-hours at bf16 peak)",
        "5.1% (3.4% to 7.6%) of peak",
        "Epoch AI, January 2025: 6.1e23, superseded by DeepSeek",
    ]
    assert derivations.blocks([]) == []
