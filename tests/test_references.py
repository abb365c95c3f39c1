"""Dataset references in scenarios (on a small stand-in dataset, not real figures)."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np

from flopcast.core.dates import to_year
from flopcast.core.uncertain import ci, point
from flopcast.forecast.draws import draw
from flopcast.forecast.scenario import load_scenario

LOG4 = math.log10(4)
O3_RELEASE = to_year("2025-04-16")


class _Line:
    def __init__(self, date):
        self.date = date
        self.sources = [type("S", (), {"url": "https://example.org/src"})()]

    def expression(self):
        return "test"


class _Evidence:
    def __init__(self, dated_values):
        self.lines = [_Line(d) for d, _ in dated_values]
        self.values = [v for _, v in dated_values]
        self.combine = "latest"


class _Record:
    def __init__(self, rid, released, rl=None, total=None):
        self.id = rid
        self.release_date = dt.date.fromisoformat(released)
        self.rl = _Evidence(rl) if rl else None
        self.pretraining = None
        self.total = total


class FakeDataset:
    """The few Dataset methods the forecast uses, with made-up records (not real figures)."""

    version = "test"

    def __init__(self):
        d = dt.date.fromisoformat
        self.records = [
            _Record("alpha", "2025-01-10", rl=[(None, ci(1e24, 4e24))], total=ci(3e26, 5e26)),
            _Record(
                "beta",
                "2025-06-01",
                rl=[(None, point(1e25)), (d("2025-09-01"), point(2e25))],
                total=point(6e26),
            ),
            _Record("gamma", "2025-09-15", rl=[(None, point(4e26))], total=point(1e27)),
        ]
        self._by = {r.id: r for r in self.records}

    def get(self, rid):
        return self._by[rid]

    def quantity(self, rid, fld):
        r = self._by[rid]
        if fld == "total":
            return r.total
        ev = getattr(r, fld)
        return None if ev is None else ev.values[-1]

    def line_values(self, rid, fld):
        return getattr(self._by[rid], fld).values

    def table(self, n=20_000, seed=0):
        rows = []
        for r in self.records:

            def stats(q):
                return (
                    None
                    if q is None
                    else {"median": q.median(), "p5": q.percentile(5), "p95": q.percentile(95)}
                )

            rl, total = self.quantity(r.id, "rl"), r.total
            rows.append(
                {
                    "id": r.id,
                    "release_date": r.release_date.isoformat(),
                    "rl": stats(rl),
                    "total": stats(total),
                    "pretraining": None,
                    "rl_share": stats(rl / total),
                }
            )
        return rows


def test_references_pick_records_and_respect_as_of():
    ds = FakeDataset()
    sc = load_scenario("latest-evidence")
    d = draw(sc, 200, 0, ds)
    assert d.years["reasoning.start_date"] == to_year("2025-09-15")  # gamma has the largest rl
    assert np.allclose(d.values["reasoning.start_flop"], 4e26)
    sc_past = load_scenario("latest-evidence", {"evidence.as_of": "2025-07-01"})
    d = draw(sc_past, 200, 0, ds)
    # as of July, beta is the largest and its September line is not known yet
    assert d.years["reasoning.start_date"] == to_year("2025-06-01")
    assert np.allclose(d.values["reasoning.start_flop"], 1e25)
    assert np.allclose(d.values["frontier.flop"], 6e26)
