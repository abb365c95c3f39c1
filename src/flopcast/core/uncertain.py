"""Uncertain quantities: one type for every estimate flopcast makes.

What a quantity is
    An :class:`Uncertain` is an expression tree over named *inputs* (a lognormal, normal or
    log-uniform variable, a point, a mixture) combined with ``+ - * / **``. Each input owns one
    standard normal ``Z_i``; a quantity used twice in an expression is the same input, hence the
    same draw twice: ``x / x`` is exactly 1 and ``x - x`` exactly 0. Every quantity carries a
    unit with its dimensions (:mod:`flopcast.core.units`): products combine them, a sum of
    mismatched units is an error.

Exact path (no sampling, :mod:`flopcast.core.exact`)
    Products, quotients and constant powers of lognormals and positive points stay lognormal.
    Such a quantity is held in closed form as ``X = c exp(m + sum_i a_i Z_i)`` and every summary
    is exact: median ``c e^m``, mean ``c e^(m + s^2/2)``, percentiles ``c e^(m + s z_p)`` with
    ``s^2 = a' R a`` (``R`` the correlation of the ``Z_i``, the identity unless declared); known
    numbers stay exact (``123`` has median 123.0).

Closed form for sums and mixtures (:mod:`flopcast.core.closedform`)
    Sums of independent exact terms and mixtures of anything with a closed form get their
    percentiles, mean and probabilities by quadrature and CDF inversion, not by sampling.

Monte Carlo path (:mod:`flopcast.core.montecarlo`)
    Anything else (differences, normal or log-uniform inputs, min/max, shared inputs across
    terms) is sampled: each input draws its ``Z_i`` from a generator seeded by
    ``(seed, input name)``, so a result is reproducible from its seed, and an input keeps its
    draws whichever expression it appears in. Default: ``n=100_000`` samples, ``seed=0``.

Assumptions stated
    * Inputs are independent unless :func:`correlate` declares a correlation. A correlation is
      one between the inputs' normal scores ``Z_i`` (a Gaussian copula): for lognormals it is
      the correlation of ``ln X`` (log-space correlation); ``kind="rank"`` converts a Spearman
      rank correlation with ``rho_g = 2 sin(pi rho_s / 6)``.
    * ``ci(lo, hi)`` is a central 90% interval unless ``level`` says otherwise.
    * Contributions are shares of the spread of ``ln X`` (of ``X`` when ``X`` can be <= 0). On
      the exact path they are the Euler allocation ``a_i (R a)_i / s^2`` (``a_i^2 / s^2`` for
      independent inputs; a negative share means a correlation that narrows the spread).
      Otherwise they are first-order correlation ratios ``Var(E[ln X | Z_i])`` estimated in 20
      quantile bins of the cached draws and normalised to sum to 1 (NB: interactions are not
      attributed; the normalisation spreads them in proportion).

This module is the public face of the type: the names below are re-exported from the modules
that implement them (:mod:`~flopcast.core.quantity`, :mod:`~flopcast.core.constructors`,
:mod:`~flopcast.core.pooling`, :mod:`~flopcast.core.inputs`).
"""

from __future__ import annotations

from flopcast.core.constructors import (
    Number,
    as_uncertain,
    at_least,
    at_most,
    between,
    ci,
    correlate,
    maximum,
    minimum,
    mix,
    named,
    point,
    sample_many,
)
from flopcast.core.inputs import Input
from flopcast.core.pooling import combine
from flopcast.core.quantity import DEFAULT_SAMPLES, DEFAULT_SEED, Uncertain

__all__ = [
    "DEFAULT_SAMPLES",
    "DEFAULT_SEED",
    "Input",
    "Number",
    "Uncertain",
    "as_uncertain",
    "at_least",
    "at_most",
    "between",
    "ci",
    "combine",
    "correlate",
    "maximum",
    "minimum",
    "mix",
    "named",
    "point",
    "sample_many",
]
