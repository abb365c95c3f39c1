"""Statistics for fitting a prior to published points: interval-censored normal MLE, Student-t.

Pure functions, no data (the data and the choice of phases live in
:mod:`flopcast.estimate.utilization`):

* :func:`fit_groups`: maximum-likelihood ``(mu_g, sigma)`` of ``Normal(mu_g, sigma)`` for
  interval-censored observations in groups sharing one spread, by EM (Dempster, Laird & Rubin
  1977; the E-step uses the truncated-normal moments);
* :func:`t_cdf`, :func:`t_ppf`: the Student-t distribution through the regularised incomplete
  beta function (continued fraction, Numerical Recipes 3rd ed. section 6.4);
* :func:`predictive_interval`: a Student-t prediction interval truncated above;
* :func:`predict_groups`: both together, the predictive prior of a new member of each group.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from flopcast.core.errors import DataError

Z90 = 1.6448536269514722  # standard normal 95th percentile (two-sided 90%)


def fit_groups(
    observations: Sequence[tuple[str, float, float]],
    *,
    tol: float = 1e-12,
    max_iter: int = 20_000,
) -> tuple[dict[str, float], float]:
    """MLE of ``ln u ~ Normal(mu_g, sigma)`` for interval-censored data, by EM.

    ``observations``: ``(group, lo, hi)`` with ``0 < lo <= hi`` (``lo == hi``: exact).
    Returns ``({group: mu_g}, sigma)`` in natural-log units.
    """
    obs = [(g, math.log(lo), math.log(hi)) for g, lo, hi in observations]
    groups = sorted({g for g, _, _ in obs})
    if len(obs) <= len(groups):
        raise DataError(f"a fit needs more points ({len(obs)}) than groups ({len(groups)})")
    mid = {g: _mean([(a + b) / 2 for h, a, b in obs if h == g]) for g in groups}
    spread = math.sqrt(_mean([((a + b) / 2 - mid[g]) ** 2 for g, a, b in obs]))
    mu, sigma = dict(mid), max(spread, 0.05)
    for _ in range(max_iter):
        moments = [_moments(a, b, mu[g], sigma) for g, a, b in obs]
        new_mu = {
            g: _mean([m for (h, _, _), (m, _) in zip(obs, moments, strict=True) if h == g])
            for g in groups
        }
        var = _mean(
            [
                m2 - 2 * new_mu[g] * m + new_mu[g] ** 2
                for (g, _, _), (m, m2) in zip(obs, moments, strict=True)
            ]
        )
        new_sigma = math.sqrt(max(var, 1e-12))
        done = abs(new_sigma - sigma) < tol and all(abs(new_mu[g] - mu[g]) < tol for g in groups)
        mu, sigma = new_mu, new_sigma
        if done:
            break
    return mu, sigma


def t_cdf(x: float, df: float) -> float:
    """Student-t CDF: ``1 - I_{df/(df+x^2)}(df/2, 1/2) / 2`` for x > 0 (regularised beta)."""
    tail = 0.5 * _betainc(df / 2, 0.5, df / (df + x * x))
    return 1 - tail if x > 0 else tail


def t_ppf(p: float, df: float) -> float:
    """Student-t quantile by bisection on :func:`t_cdf` (to 1e-12)."""
    if df <= 0:
        raise DataError(f"a t quantile needs a positive number of degrees of freedom, got {df}")
    return _bisect(lambda x: t_cdf(x, df), p, -1e4, 1e4)


def predictive_interval(
    mu: float, scale: float, df: float, level: float = 0.9, upper: float = 0.0
) -> tuple[float, float]:
    """The central ``level`` interval of ``mu + scale * T_df`` truncated to ``<= upper``.

    In log space with ``upper = ln 1 = 0``: a share of peak cannot exceed 1, so the Student-t
    predictive is conditioned on ``ln u <= 0`` before its quantiles are read.
    """
    mass = t_cdf((upper - mu) / scale, df)
    lo_p, hi_p = (1 - level) / 2 * mass, (1 + level) / 2 * mass
    return (mu + scale * t_ppf(lo_p, df), mu + scale * t_ppf(hi_p, df))


@dataclass(frozen=True)
class Predictive:
    """The predictive prior of ``ln u`` for a new member of one group (see :func:`predict_groups`)."""

    lo: float  # ln of the 90% interval's ends
    hi: float
    mu_mle: float
    sigma_mle: float
    n: int  # observations in the group
    n_total: int  # observations in the fit (all groups)
    df: int

    @property
    def mu(self) -> float:
        """Centre of the 90% interval in ln u (the equivalent lognormal's ln-median)."""
        return (self.lo + self.hi) / 2

    @property
    def sigma(self) -> float:
        """Spread of the lognormal with the same 90% interval."""
        return (self.hi - self.lo) / (2 * Z90)


def predict_groups(observations: Sequence[tuple[str, float, float]]) -> dict[str, Predictive]:
    """Fit :func:`fit_groups`, then each group's Student-t predictive truncated to ``u <= 1``.

    ``N - G`` degrees of freedom; scale ``s * sqrt(1 + 1/n_g)`` with ``s`` the MLE spread
    rescaled by ``sqrt(N / (N - G))`` (the unbiased-variance correction), so few points give
    wide intervals.
    """
    mu, sigma = fit_groups(observations)
    n_total = len(observations)
    df = n_total - len(mu)
    out: dict[str, Predictive] = {}
    for g, mu_g in mu.items():
        n_g = sum(1 for h, _, _ in observations if h == g)
        scale = sigma * math.sqrt(n_total / df) * math.sqrt(1 + 1 / n_g)
        lo, hi = predictive_interval(mu_g, scale, df)
        out[g] = Predictive(lo, hi, mu_g, sigma, n_g, n_total, df)
    return out


# ---- helpers ---------------------------------------------------------------------------------


def _moments(a: float, b: float, mu: float, sigma: float) -> tuple[float, float]:
    """``E[x]`` and ``E[x^2]`` of Normal(mu, sigma) truncated to ``[a, b]`` (a point if a == b)."""
    if b - a < 1e-12:
        return a, a * a
    al, be = (a - mu) / sigma, (b - mu) / sigma
    mass = _norm_cdf(be) - _norm_cdf(al)
    if mass < 1e-300:  # far in a tail: the interval's midpoint is the expectation to ~1e-300
        m = (a + b) / 2
        return m, m * m
    pa, pb = _norm_pdf(al), _norm_pdf(be)
    shift = (pa - pb) / mass
    var = sigma**2 * (1 + (al * pa - be * pb) / mass - shift**2)
    m = mu + sigma * shift
    return m, max(var, 0.0) + m * m


def _mean(xs: Sequence[float]) -> float:
    return sum(xs) / len(xs)


def _norm_pdf(x: float) -> float:
    return math.exp(-0.5 * x * x) / math.sqrt(2 * math.pi)


def _norm_cdf(x: float) -> float:
    return 0.5 * math.erfc(-x / math.sqrt(2))


def norm_ppf(p: float) -> float:
    return _bisect(_norm_cdf, p, -40.0, 40.0)


def _bisect(cdf: Callable[[float], float], p: float, lo: float, hi: float) -> float:
    """The x with ``cdf(x) == p`` for an increasing ``cdf`` on ``[lo, hi]`` (to 1e-12)."""
    for _ in range(300):
        mid = (lo + hi) / 2
        if cdf(mid) < p:
            lo = mid
        else:
            hi = mid
        if hi - lo < 1e-12:
            break
    return (lo + hi) / 2


def _betainc(a: float, b: float, x: float) -> float:
    """Regularised incomplete beta ``I_x(a, b)`` by its continued fraction (Lentz's method;
    Press et al., Numerical Recipes, 3rd ed., section 6.4)."""
    if x <= 0:
        return 0.0
    if x >= 1:
        return 1.0
    front = math.exp(
        math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log1p(-x)
    )
    if x > (a + 1) / (a + b + 2):  # the fraction converges fast only below this point
        return 1.0 - _betainc(b, a, 1.0 - x)
    tiny = 1e-300
    c, d = 1.0, 1.0 - (a + b) * x / (a + 1)
    d = 1.0 / (d if abs(d) > tiny else tiny)
    h = d
    for m in range(1, 500):
        for num in (
            m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m)),
            -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1)),
        ):
            d = 1.0 + num * d
            d = 1.0 / (d if abs(d) > tiny else tiny)
            c = 1.0 + num / c
            c = c if abs(c) > tiny else tiny
            h *= d * c
        if abs(d * c - 1.0) < 1e-15:
            break
    return front * h / a
