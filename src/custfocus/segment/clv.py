"""Predicted value: BG/NBD (purchases, probability alive) and Gamma-Gamma (spend).

Why written here rather than imported: both log-likelihoods are a dozen lines of
``scipy.special``; fitting them with ``scipy.optimize.minimize`` (L-BFGS-B on log-parameters,
Nelder-Mead if that does not converge) is what lifetimes does, without its pandas-era
dependency pins. Checked against the published CDNOW estimates (Fader, Hardie & Lee 2005):
BG/NBD r=0.243, alpha=4.414, a=0.793, b=2.426; Gamma-Gamma p=6.25, q=3.74, gamma=15.44.

Inputs are the usual per-customer summary: ``frequency`` x (repeat purchase occasions; same-day
purchases are one occasion), ``recency`` t_x (first to last purchase) and ``T`` (first purchase
to the end of the calibration period), in one time unit (weeks by default).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

MIN_CUSTOMERS = 20  # fewer repeat buyers than this and a fit says nothing
FIT_SAMPLE = 50_000  # fit on a seeded sample above this many customers (parameters move < 2 %)


@dataclass
class ModelFit:
    """A fitted model: parameters, convergence and the caveats that apply."""

    model: str
    params: dict[str, float] = field(default_factory=dict)
    converged: bool = False
    message: str = ""
    log_likelihood: float | None = None
    customers: int = 0
    sampled_from: int | None = None
    iterations: int = 0
    warnings: list[str] = field(default_factory=list)
    diagnostics: dict[str, float] = field(default_factory=dict)

    @property
    def usable(self) -> bool:
        return bool(self.params) and self.converged


# -- BG/NBD ---------------------------------------------------------------------------------
def _bgnbd_ll(
    log_params: np.ndarray, x: np.ndarray, tx: np.ndarray, T: np.ndarray, w: np.ndarray
) -> float:
    from scipy.special import betaln, gammaln

    r, alpha, a, b = np.exp(log_params)
    # Terms that depend on one column only are computed once per distinct value (x is a
    # small integer; t_x and T are whole days in the time unit), then gathered: the same
    # arithmetic per customer, a fraction of the transcendental calls.
    ux, inv = _unique(x)
    uT, invT = _unique(T)
    utx, invtx = _unique(tx)
    r_x = (r + ux)[inv]
    a1 = (gammaln(r + ux) - gammaln(r))[inv] + r * np.log(alpha)
    a2 = (betaln(a, b + ux) - betaln(a, b))[inv]
    a3 = -r_x * np.log(alpha + uT)[invT]
    with np.errstate(divide="ignore", invalid="ignore"):
        a4 = np.where(
            _cached(x, "pos", lambda v: v > 0),
            np.log(a)
            - np.log(np.maximum(b + ux - 1, 1e-300))[inv]
            - r_x * np.log(alpha + utx)[invtx],
            -np.inf,
        )
    ll = a1 + a2 + np.logaddexp(a3, a4)
    total = float(np.dot(w, ll))
    return -total if np.isfinite(total) else 1e300


def fit_bgnbd(
    frequency: np.ndarray,
    recency: np.ndarray,
    T: np.ndarray,
    *,
    sample: int = FIT_SAMPLE,
    seed: int = 0,
) -> ModelFit:
    """Fit BG/NBD by maximum likelihood.

    Example:
        >>> fit = fit_bgnbd(x, t_x, T)  # doctest: +SKIP
        >>> fit.params["r"], fit.converged  # doctest: +SKIP
    """
    fit = ModelFit("bgnbd")
    x, tx, T = (np.asarray(v, dtype=float) for v in (frequency, recency, T))
    ok = np.isfinite(x) & np.isfinite(tx) & np.isfinite(T) & (T > 0) & (tx >= 0) & (tx <= T)
    x, tx, T = x[ok], tx[ok], T[ok]
    fit.customers = len(x)
    if len(x) < MIN_CUSTOMERS or (x > 0).sum() < MIN_CUSTOMERS:
        fit.message = (
            f"not fitted: {int((x > 0).sum())} repeat buyers among {len(x)} customers "
            f"(at least {MIN_CUSTOMERS} needed)"
        )
        return fit
    x, tx, T, fit.sampled_from = _sample(seed, sample, x, tx, T)
    # Identical summaries share one likelihood term: weights make the fit O(distinct rows).
    rows, w = np.unique(np.column_stack([x, tx, T]), axis=0, return_counts=True)
    x, tx, T = rows[:, 0], rows[:, 1], rows[:, 2]
    w = w.astype(float)
    scale = 10.0 / T.max()  # keeps alpha near 1 whatever the time unit
    res = _minimize(_bgnbd_ll, np.zeros(4), (x, tx * scale, T * scale, w))
    _CACHE.clear()
    r, alpha, a, b = np.exp(res.x)
    fit.params = {"r": float(r), "alpha": float(alpha / scale), "a": float(a), "b": float(b)}
    fit.converged, fit.message = bool(res.success), str(res.message)
    fit.iterations = int(getattr(res, "nit", 0))
    if fit.sampled_from is None:  # in the caller's time unit, comparable with published LLs
        unscaled = np.log([r, alpha / scale, a, b])
        fit.log_likelihood = -_bgnbd_ll(unscaled, x, tx, T, w)
    one_time = float(np.dot(w, x == 0) / w.sum())
    if one_time > 0:
        fit.warnings.append(
            f"{one_time:.0%} of customers bought once: BG/NBD gives them probability alive 1 "
            "(a model property), so it is not used as a churn signal for them"
        )
    if not fit.converged:
        fit.warnings.append(f"BG/NBD did not converge ({fit.message}); predictions are rough")
    return fit


def bgnbd_p_alive(
    params: dict[str, float], x: np.ndarray, tx: np.ndarray, T: np.ndarray
) -> np.ndarray:
    """P(alive | x, t_x, T); 1 for customers with no repeat purchase (model property)."""
    r, alpha, a, b = (params[k] for k in ("r", "alpha", "a", "b"))
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        log_ratio = (
            np.log(a)
            - np.log(np.maximum(b + x - 1, 1e-300))
            + (r + x) * (np.log(alpha + T) - np.log(alpha + tx))
        )
        odds = np.where(x > 0, np.exp(np.minimum(log_ratio, 700)), 0.0)
    return 1.0 / (1.0 + odds)


def bgnbd_expected(
    params: dict[str, float], t: float, x: np.ndarray, tx: np.ndarray, T: np.ndarray
) -> np.ndarray:
    """Expected purchases in the next ``t`` time units, given each customer's history."""
    from scipy.special import hyp2f1

    r, alpha, a, b = (params[k] for k in ("r", "alpha", "a", "b"))
    if t <= 0:
        return np.zeros_like(np.asarray(x, dtype=float))
    x, T = np.asarray(x, dtype=float), np.asarray(T, dtype=float)
    # The hypergeometric term depends on (x, T) only: evaluated once per distinct pair
    # (few: x is a small integer, T whole days) and gathered, the same value per customer.
    same = x.ndim == 1 and x.shape == T.shape
    ux, uT, inv = _pairs(x, T) if same else (x, T, Ellipsis)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        hyp = hyp2f1(r + ux, b + ux, a + b + ux - 1, t / (alpha + uT + t))
        tail = (hyp * ((alpha + uT) / (alpha + uT + t)) ** (r + ux))[inv]
        first = (a + b + x - 1) / (a - 1)
        second = 1 - tail
        numerator = first * second
        denominator = 1 + (x > 0) * a / np.maximum(b + x - 1, 1e-300) * (
            (alpha + T) / (alpha + tx)
        ) ** (r + x)
        out = numerator / denominator
    return np.where(np.isfinite(out) & (out >= 0), out, np.nan)


# -- Gamma-Gamma ------------------------------------------------------------------------------
def _gg_ll(log_params: np.ndarray, x: np.ndarray, m: np.ndarray, w: np.ndarray) -> float:
    from scipy.special import gammaln

    p, q, v = np.exp(log_params)
    ux, inv = _unique(x)
    px = p * x
    ll = (
        (gammaln(p * ux + q) - gammaln(p * ux))[inv]
        - gammaln(q)
        + q * np.log(v)
        + (px - 1) * _cached(m, "log", np.log)
        + px * np.log(ux)[inv]
        - (px + q) * np.log(_cached(x, "times", lambda a: a * m, m) + v)
    )
    total = float(np.dot(w, ll))
    return -total if np.isfinite(total) else 1e300


def fit_gamma_gamma(
    frequency: np.ndarray, monetary: np.ndarray, *, sample: int = FIT_SAMPLE, seed: int = 0
) -> ModelFit:
    """Fit Gamma-Gamma on repeat buyers' average repeat-purchase value."""
    fit = ModelFit("gamma_gamma")
    x, m = np.asarray(frequency, dtype=float), np.asarray(monetary, dtype=float)
    repeat = (x > 0) & np.isfinite(m)
    nonpositive = int((repeat & (m <= 0)).sum())
    if nonpositive:
        fit.warnings.append(
            f"{nonpositive} repeat buyers with zero or negative spend left out "
            "of Gamma-Gamma (it needs positive spend)"
        )
    keep = repeat & (m > 0)
    x, m = x[keep], m[keep]
    fit.customers = len(x)
    if len(x) < MIN_CUSTOMERS:
        fit.message = (
            f"not fitted: {len(x)} repeat buyers with positive spend "
            f"(at least {MIN_CUSTOMERS} needed)"
        )
        return fit
    corr = float(np.corrcoef(x, m)[0, 1]) if np.std(x) > 0 and np.std(m) > 0 else 0.0
    fit.diagnostics["corr_frequency_spend"] = corr
    if abs(corr) > 0.3:
        fit.warnings.append(
            f"spend is correlated with frequency (r={corr:.2f}); Gamma-Gamma assumes they are "
            "independent, so predicted spend is biased"
        )
    x, m, fit.sampled_from = _sample(seed, sample, x, m)
    rows, w = np.unique(np.column_stack([x, m]), axis=0, return_counts=True)
    x, m, w = rows[:, 0], rows[:, 1], w.astype(float)
    scale = 10.0 / np.median(m)  # spend in any currency unit fits alike
    res = _minimize(_gg_ll, np.zeros(3), (x, m * scale, w))
    _CACHE.clear()
    p, q, v = np.exp(res.x)
    fit.params.update({"p": float(p), "q": float(q), "gamma": float(v / scale)})
    fit.converged, fit.message = bool(res.success), str(res.message)
    fit.iterations = int(getattr(res, "nit", 0))
    fit.log_likelihood = None
    if q <= 1:
        fit.warnings.append(f"q={q:.2f} <= 1: expected spend is undefined; observed averages used")
    if not fit.converged:
        fit.warnings.append(f"Gamma-Gamma did not converge ({fit.message})")
    return fit


def gg_expected_spend(
    params: dict[str, float], x: np.ndarray, m: np.ndarray, population_mean: float
) -> np.ndarray:
    """E[spend per purchase | x, m]: shrinks each average towards the population mean."""
    p, q, v = params["p"], params["q"], params["gamma"]
    x = np.asarray(x, dtype=float)
    m = np.nan_to_num(np.asarray(m, dtype=float), nan=0.0)
    if q <= 1:
        return np.where(x > 0, m, population_mean)
    weight = p * x / (p * x + q - 1)
    return (1 - weight) * (v * p / (q - 1)) + weight * m


def lifetime_value(
    bgnbd: dict[str, float],
    x: np.ndarray,
    tx: np.ndarray,
    T: np.ndarray,
    spend: np.ndarray,
    *,
    horizon_months: int,
    annual_discount: float,
    unit_days: float,
    steps: int = 4,
) -> tuple[np.ndarray, np.ndarray]:
    """Discounted value over the horizon and expected purchases in it.

    Expected purchases are evaluated at ``steps`` points of the horizon; each slice's purchases
    are discounted at the slice's midpoint (monthly rate from the annual rate).
    Returns ``(clv, expected_purchases)``.
    """
    months = max(int(horizon_months), 1)
    cuts = np.unique(np.linspace(0, months, min(steps, months) + 1).round(6))
    monthly = (1 + annual_discount) ** (1 / 12) - 1
    unit_per_month = 30.4375 / unit_days
    clv = np.zeros(len(x))
    previous = np.zeros(len(x))
    for start, end in zip(cuts[:-1], cuts[1:], strict=True):
        cumulative = bgnbd_expected(bgnbd, end * unit_per_month, x, tx, T)
        cumulative = np.nan_to_num(cumulative, nan=0.0)
        clv += (cumulative - previous) * spend / (1 + monthly) ** ((start + end) / 2)
        previous = cumulative
    _CACHE.clear()
    return clv, previous


# -- shared -------------------------------------------------------------------------------------
_CACHE: dict[tuple[int, str, int], tuple[tuple[np.ndarray, ...], object]] = {}


def _cached(
    x: np.ndarray, what: str, make: Callable[[np.ndarray], object], *also: np.ndarray
) -> Any:
    """``make(x)`` computed once per input array during one fit (inputs never change there).

    Keyed by the identity of ``x`` (and of ``also``, arrays ``make`` reads besides ``x``);
    a few entries are kept, enough for one fit's columns.
    """
    key = (id(x), what, id(also[0]) if also else 0)
    hit = _CACHE.get(key)
    if hit is not None and hit[0][0] is x and all(a is b for a, b in zip(hit[0][1:], also)):
        return hit[1]
    if len(_CACHE) >= 16:
        _CACHE.clear()
    value = make(x)
    _CACHE[key] = ((x, *also), value)
    return value


def _unique(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Distinct values of ``x`` and the inverse index, cached per array during one fit."""
    return _cached(x, "unique", lambda v: np.unique(v, return_inverse=True))


def _pairs(x: np.ndarray, T: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Distinct (x, T) pairs and the inverse index (cached while the same arrays are used)."""

    def make(v: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        ux, ix = np.unique(v, return_inverse=True)
        uT, iT = np.unique(T, return_inverse=True)
        keys, inv = np.unique(ix.astype(np.int64) * len(uT) + iT, return_inverse=True)
        return ux[keys // len(uT)], uT[keys % len(uT)], inv.reshape(-1)

    return _cached(x, "pairs", make, T)


def _minimize(fn, start: np.ndarray, args: tuple) -> object:  # type: ignore[no-untyped-def]
    from scipy.optimize import minimize

    res = minimize(
        fn,
        start,
        args=args,
        method="L-BFGS-B",
        options={"maxiter": 2000, "ftol": 1e-12, "gtol": 1e-8},
    )
    if not res.success or not np.isfinite(res.fun):
        polish = minimize(
            fn,
            res.x if np.all(np.isfinite(res.x)) else start,
            args=args,
            method="Nelder-Mead",
            options={"maxiter": 4000, "xatol": 1e-7, "fatol": 1e-9},
        )
        if polish.fun <= res.fun or not res.success:
            res = polish
    return res


def _sample(seed: int, limit: int, *arrays: np.ndarray) -> tuple:  # type: ignore[type-arg]
    n = len(arrays[0])
    if n <= limit:
        return (*arrays, None)
    idx = np.random.default_rng(seed).choice(n, size=limit, replace=False)
    return (*(a[idx] for a in arrays), n)
