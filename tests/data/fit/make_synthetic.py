"""Generate synthetic_logistic.csv: a known logistic curve plus noise (not real benchmark data).

score = 5 + (90 - 5) / (1 + exp(-2 (log10 C - 24))) + N(0, 2^2), 24 points, log10 C in [22, 26].
Run from this folder: python make_synthetic.py
"""

import csv

import numpy as np

rng = np.random.default_rng(2025)
x = np.sort(rng.uniform(22, 26, 24))
y = 5 + 85 / (1 + np.exp(-2 * (x - 24))) + rng.normal(0, 2, 24)
with open("synthetic_logistic.csv", "w", newline="") as fh:
    w = csv.writer(fh)
    w.writerow(["model", "rl_flop", "accuracy"])
    for i, (xi, yi) in enumerate(zip(x, y, strict=True)):
        w.writerow([f"m{i:02d}", f"{10**xi:.4e}", f"{yi:.2f}"])
