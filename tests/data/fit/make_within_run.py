"""Generate synthetic within-run curves (known parameters plus noise; not real benchmark data).

* within_run_loglinear.yaml: score = -160 + 8 log10(C), C = steps x 1e18 FLOP per step,
  steps 500-10,000 (linear axis), read as pixels: x axis 100 px = step 0, 900 px = step 10,000;
  y axis 500 px = score 0, 100 px = score 100; N(0, 1) on the score.
* within_run_saturating.yaml: ScaleRL's R = 10 + (70 - 10) / (1 + 10^(1.5 (22.5 - log10 C))),
  C = steps x 1e19, steps 200-20,000 log-spaced, given as numbers; N(0, 0.5) on the score.
Run from this folder: python make_within_run.py
"""

import numpy as np
import yaml

rng = np.random.default_rng(11)
steps = np.linspace(500, 10_000, 20)
score = -160 + 8 * np.log10(steps * 1e18) + rng.normal(0, 1, steps.size)
px_x = 100 + steps / 10_000 * 800
px_y = 500 - score / 100 * 400
doc = {
    "name": "synthetic-loglinear",
    "benchmark": "synthetic",
    "setting": "pass@1",
    "x": "steps",
    "flop_per_step": 1e18,
    "source": {"url": "https://example.org/synthetic", "states": "made up by make_within_run.py"},
    "axes": {"x": {"ticks": [[100, 0], [900, 10_000]]}, "y": {"ticks": [[500, 0], [100, 100]]}},
    "pixel_error": 2,
    "points": [
        {"px": [round(float(a), 2), round(float(b), 2)]} for a, b in zip(px_x, px_y, strict=True)
    ],
}
with open("within_run_loglinear.yaml", "w") as fh:
    fh.write("# Synthetic (not real data): see make_within_run.py\n")
    yaml.safe_dump(doc, fh, sort_keys=False)

steps = np.geomspace(200, 20_000, 24)
x = np.log10(steps * 1e19)
score = 10 + 60 / (1 + 10 ** (1.5 * (22.5 - x))) + rng.normal(0, 0.5, steps.size)
doc = {
    "name": "synthetic-saturating",
    "benchmark": "synthetic",
    "setting": "pass@1",
    "x": "steps",
    "flop_per_step": 1e19,
    "source": {"url": "https://example.org/synthetic", "states": "made up by make_within_run.py"},
    "points": [
        {"steps": round(float(s), 1), "score": round(float(v), 3)}
        for s, v in zip(steps, score, strict=True)
    ],
}
with open("within_run_saturating.yaml", "w") as fh:
    fh.write("# Synthetic (not real data): see make_within_run.py\n")
    yaml.safe_dump(doc, fh, sort_keys=False)
