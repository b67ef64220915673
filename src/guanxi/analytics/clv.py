"""Customer lifetime value: BG/NBD (Fader, Hardie & Lee 2005) and Gamma-Gamma.

Both models are fitted by maximum likelihood on per-customer summaries, with the
log-likelihood and its analytic gradient written as NumPy/SciPy array
expressions (gammaln, digamma), so a fit over a million customers is a few dozen
vectorised passes and never a Python loop over customers. Parameters are
optimised on the log scale so that L-BFGS-B cannot step outside (0, ∞).

Units are whatever the caller chooses for time (Guanxi uses weeks, like the
papers); `x` is the number of repeat purchases (purchase days after the first),
`t_x` the time of the last purchase and `T` the age of the customer, both
measured from the first purchase.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.optimize import minimize
from scipy.special import digamma, gammaln, hyp2f1

Array = NDArray[np.float64]

# Weeks in an average month, for monthly discounting of a weekly model.
WEEKS_PER_MONTH = 365.25 / 12 / 7


# Parameters live in [e^-10, e^10]: data without dropout or without spend
# variation push a parameter to infinity, and the bound keeps the fit finite.
LOG_BOUNDS = (-10.0, 10.0)


class FitError(ValueError):
    """The data cannot identify the model (too few customers or repeat buyers)."""


@dataclass(frozen=True)
class BgNbdParams:
    r: float
    alpha: float
    a: float
    b: float
    log_likelihood: float
    customers: int

    def as_dict(self) -> dict[str, float]:
        return asdict(self)


@dataclass(frozen=True)
class GammaGammaParams:
    p: float
    q: float
    gamma: float
    log_likelihood: float
    customers: int

    def as_dict(self) -> dict[str, float]:
        return asdict(self)


def _arrays(*values: ArrayLike) -> list[Array]:
    return [np.asarray(v, dtype=np.float64) for v in values]


# ------------------------------------------------------------------- BG/NBD


def bgnbd_log_likelihood_terms(
    r: float, alpha: float, a: float, b: float, x: Array, t_x: Array, T: Array
) -> Array:
    """Per-customer log-likelihood, FHL 2005 eq. (6), in a numerically stable form."""
    a1 = gammaln(r + x) - gammaln(r) + r * np.log(alpha)
    a2 = gammaln(a + b) + gammaln(b + x) - gammaln(b) - gammaln(a + b + x)
    a3 = -(r + x) * np.log(alpha + T)
    repeat = x > 0
    a4 = np.where(
        repeat,
        np.log(a) - np.log(np.where(repeat, b + x - 1, 1.0)) - (r + x) * np.log(alpha + t_x),
        -np.inf,
    )
    return a1 + a2 + np.logaddexp(a3, a4)


def _bgnbd_objective(
    log_params: Array, x: Array, t_x: Array, T: Array, w: Array
) -> tuple[float, Array]:
    """Negative weighted log-likelihood and its gradient in log-parameters."""
    with np.errstate(all="ignore"):
        return _bgnbd_value_and_grad(log_params, x, t_x, T, w)


def _bgnbd_value_and_grad(
    log_params: Array, x: Array, t_x: Array, T: Array, w: Array
) -> tuple[float, Array]:
    r, alpha, a, b = np.exp(log_params)
    repeat = x > 0
    bx1 = np.where(repeat, b + x - 1, 1.0)
    log_aT = np.log(alpha + T)
    log_atx = np.log(alpha + t_x)
    a1 = gammaln(r + x) - gammaln(r) + r * np.log(alpha)
    a2 = gammaln(a + b) + gammaln(b + x) - gammaln(b) - gammaln(a + b + x)
    a3 = -(r + x) * log_aT
    a4 = np.where(repeat, np.log(a) - np.log(bx1) - (r + x) * log_atx, -np.inf)
    tail = np.logaddexp(a3, a4)
    ll = a1 + a2 + tail
    # Share of the likelihood carried by "still alive at T" vs "died after t_x".
    w3 = np.exp(a3 - tail)
    w4 = 1.0 - w3
    psi_ab = digamma(a + b)
    psi_abx = digamma(a + b + x)
    d_r = digamma(r + x) - digamma(r) + np.log(alpha) + w3 * -log_aT + w4 * -log_atx
    d_alpha = r / alpha + w3 * (-(r + x) / (alpha + T)) + w4 * (-(r + x) / (alpha + t_x))
    d_a = psi_ab - psi_abx + w4 / a
    d_b = psi_ab + digamma(b + x) - digamma(b) - psi_abx - w4 / bx1
    grad = np.array(
        [
            r * np.dot(w, d_r),
            alpha * np.dot(w, d_alpha),
            a * np.dot(w, d_a),
            b * np.dot(w, d_b),
        ]
    )
    return -float(np.dot(w, ll)), -grad


def _compress(*columns: Array) -> tuple[list[Array], Array]:
    """Identical summaries share one likelihood term, weighted by their count."""
    stacked = np.column_stack(columns)
    unique, counts = np.unique(stacked, axis=0, return_counts=True)
    return [unique[:, i] for i in range(unique.shape[1])], counts.astype(np.float64)


def fit_bgnbd(x: ArrayLike, t_x: ArrayLike, T: ArrayLike) -> BgNbdParams:
    """Maximum-likelihood BG/NBD parameters for customers with summaries (x, t_x, T)."""
    xs, txs, Ts = _arrays(x, t_x, T)
    if xs.size < 2 or not np.any(xs > 0):
        raise FitError("BG/NBD needs at least two customers and one repeat purchase")
    if np.any(xs < 0) or np.any(txs < 0) or np.any(Ts < txs):
        raise FitError("summaries need x ≥ 0 and 0 ≤ t_x ≤ T")
    (xs, txs, Ts), weights = _compress(xs, txs, Ts)
    # Start near typical published values, scaled to the observed time span.
    start = np.log([1.0, max(float(np.average(Ts, weights=weights)), 1e-3), 1.0, 1.0])
    result = minimize(
        _bgnbd_objective,
        start,
        args=(xs, txs, Ts, weights),
        jac=True,
        method="L-BFGS-B",
        bounds=[LOG_BOUNDS] * start.size,
        options={"maxiter": 2000, "ftol": 1e-13, "gtol": 1e-8},
    )
    if not np.isfinite(result.fun):
        raise FitError(f"BG/NBD fit did not converge: {result.message}")
    r, alpha, a, b = (float(v) for v in np.exp(result.x))
    return BgNbdParams(r, alpha, a, b, -float(result.fun), int(weights.sum()))


def probability_alive(params: BgNbdParams, x: ArrayLike, t_x: ArrayLike, T: ArrayLike) -> Array:
    """P(customer still active at T | x, t_x, T), FHL 2005 eq. (11)."""
    xs, txs, Ts = _arrays(x, t_x, T)
    r, alpha, a, b = params.r, params.alpha, params.a, params.b
    repeat = xs > 0
    log_ratio = (
        np.log(a)
        - np.log(np.where(repeat, b + xs - 1, 1.0))
        + (r + xs) * (np.log(alpha + Ts) - np.log(alpha + txs))
    )
    return np.where(repeat, 1.0 / (1.0 + np.exp(log_ratio)), 1.0)


def expected_purchases(
    params: BgNbdParams, t: float | Array, x: ArrayLike, t_x: ArrayLike, T: ArrayLike
) -> Array:
    """E[purchases in (T, T + t] | x, t_x, T], FHL 2005 eq. (10)."""
    xs, txs, Ts = _arrays(x, t_x, T)
    r, alpha, a, b = params.r, params.alpha, params.a, params.b
    t_arr = np.asarray(t, dtype=np.float64)
    z = t_arr / (alpha + Ts + t_arr)
    hyp = hyp2f1(r + xs, b + xs, a + b + xs - 1, z)
    head = (a + b + xs - 1) / (a - 1)
    body = 1.0 - np.exp((r + xs) * (np.log(alpha + Ts) - np.log(alpha + Ts + t_arr))) * hyp
    return head * body * probability_alive(params, xs, txs, Ts)


def unconditional_expected_purchases(params: BgNbdParams, t: ArrayLike) -> Array:
    """E[X(t)]: repeat purchases expected from a new customer within t, FHL 2005 eq. (9)."""
    ts = np.asarray(t, dtype=np.float64)
    r, alpha, a, b = params.r, params.alpha, params.a, params.b
    z = ts / (alpha + ts)
    hyp = hyp2f1(r, b, a + b - 1, z)
    return (a + b - 1) / (a - 1) * (1.0 - (alpha / (alpha + ts)) ** r * hyp)


# --------------------------------------------------------------- Gamma-Gamma


def _gg_objective(log_params: Array, x: Array, m: Array, w: Array) -> tuple[float, Array]:
    with np.errstate(all="ignore"):
        return _gg_value_and_grad(log_params, x, m, w)


def _gg_value_and_grad(log_params: Array, x: Array, m: Array, w: Array) -> tuple[float, Array]:
    p, q, g = np.exp(log_params)
    px = p * x
    log_gmx = np.log(g + m * x)
    ll = (
        gammaln(px + q)
        - gammaln(px)
        - gammaln(q)
        + q * np.log(g)
        + (px - 1) * np.log(m)
        + px * np.log(x)
        - (px + q) * log_gmx
    )
    psi = digamma(px + q)
    d_p = x * (psi - digamma(px) + np.log(m) + np.log(x) - log_gmx)
    d_q = psi - digamma(q) + np.log(g) - log_gmx
    d_g = q / g - (px + q) / (g + m * x)
    grad = np.array([p * np.dot(w, d_p), q * np.dot(w, d_q), g * np.dot(w, d_g)])
    return -float(np.dot(w, ll)), -grad


def fit_gamma_gamma(x: ArrayLike, mean_value: ArrayLike) -> GammaGammaParams:
    """Gamma-Gamma spend model on repeat buyers: x > 0 and their mean transaction value."""
    xs, ms = _arrays(x, mean_value)
    keep = (xs > 0) & (ms > 0)
    if keep.sum() < 2:
        raise FitError("Gamma-Gamma needs at least two repeat buyers with positive spend")
    (xs, ms), weights = _compress(xs[keep], ms[keep])
    start = np.log([1.0, 1.0, max(float(np.average(ms, weights=weights)), 1e-3)])
    result = minimize(
        _gg_objective,
        start,
        args=(xs, ms, weights),
        jac=True,
        method="L-BFGS-B",
        bounds=[LOG_BOUNDS] * start.size,
        options={"maxiter": 2000, "ftol": 1e-13, "gtol": 1e-8},
    )
    if not np.isfinite(result.fun):
        raise FitError(f"Gamma-Gamma fit did not converge: {result.message}")
    p, q, g = (float(v) for v in np.exp(result.x))
    return GammaGammaParams(p, q, g, -float(result.fun), int(weights.sum()))


def expected_average_spend(params: GammaGammaParams, x: ArrayLike, mean_value: ArrayLike) -> Array:
    """E[M | x, m̄]: a weighted mean of the population mean and the customer's own mean."""
    xs, ms = _arrays(x, mean_value)
    p, q, g = params.p, params.q, params.gamma
    population = p * g / (q - 1) if q > 1 else np.nan
    own = p * (g + ms * xs) / (p * xs + q - 1)
    return np.where(xs > 0, own, population)


def discounted_clv(
    bgnbd: BgNbdParams,
    spend: ArrayLike,
    x: ArrayLike,
    t_x: ArrayLike,
    T: ArrayLike,
    *,
    months: int,
    monthly_discount_rate: float,
) -> Array:
    """Σ over the next `months` of expected purchases in the month × spend, discounted monthly.

    Time is in weeks, so a month is WEEKS_PER_MONTH weeks. The loop runs over
    months (12 or so), each step vectorised over all customers.
    """
    xs, txs, Ts, spends = _arrays(x, t_x, T, spend)
    total = np.zeros_like(xs)
    previous = np.zeros_like(xs)
    for month in range(1, months + 1):
        cumulative = expected_purchases(bgnbd, month * WEEKS_PER_MONTH, xs, txs, Ts)
        total += (cumulative - previous) * spends / (1 + monthly_discount_rate) ** month
        previous = cumulative
    return total


# ------------------------------------------------------------- transactions


@dataclass(frozen=True)
class Summary:
    """Per-customer calibration summary (times in weeks) and holdout repeat counts."""

    customer: NDArray[np.object_]
    x: Array
    t_x: Array
    T: Array
    mean_value: Array  # mean repeat-transaction value (0 when x = 0)
    holdout: Array  # purchase days in the holdout period


def summarise_transactions(
    customer: ArrayLike, day: ArrayLike, amount: ArrayLike, calibration_end: np.datetime64
) -> Summary:
    """Merge same-day purchases and summarise each customer's calibration period.

    `day` holds numpy datetime64[D] values; purchases after `calibration_end`
    count as holdout purchases for customers first seen in calibration.
    Customers whose first purchase is after the calibration end are left out,
    as in the literature.
    """
    cust = np.asarray(customer)
    days = np.asarray(day, dtype="datetime64[D]")
    amounts = np.asarray(amount, dtype=np.float64)
    codes, ids = factorize_ids(cust)
    # One row per customer-day, with the day's total.
    key = codes.astype(np.int64) * 1_000_000 + (days - np.datetime64("1970-01-01")).astype(np.int64)
    uniq_key, inverse = np.unique(key, return_inverse=True)
    day_amount = np.bincount(inverse, weights=amounts)
    day_cust = uniq_key // 1_000_000
    day_num = (uniq_key % 1_000_000).astype(np.float64)
    end_num = float((calibration_end - np.datetime64("1970-01-01", "D")).astype(np.int64))
    n = ids.size
    first = np.full(n, np.inf)
    np.minimum.at(first, day_cust, day_num)
    in_cal = day_num <= end_num
    last = np.full(n, -np.inf)
    np.maximum.at(last, day_cust[in_cal], day_num[in_cal])
    cal_days = np.bincount(day_cust[in_cal], minlength=n).astype(np.float64)
    cal_amount = np.bincount(day_cust[in_cal], weights=day_amount[in_cal], minlength=n)
    first_amount = np.zeros(n)
    is_first = day_num == first[day_cust]
    first_amount[day_cust[is_first]] = day_amount[is_first]
    holdout = np.bincount(day_cust[~in_cal], minlength=n).astype(np.float64)
    keep = first <= end_num
    x = (cal_days - 1)[keep]
    repeat_amount = (cal_amount - first_amount)[keep]
    mean_value = np.divide(repeat_amount, x, out=np.zeros_like(x), where=x > 0)
    return Summary(
        customer=ids[keep],
        x=x,
        t_x=((last - first) / 7)[keep],
        T=((end_num - first) / 7)[keep],
        mean_value=mean_value,
        holdout=holdout[keep],
    )


def factorize_ids(values: NDArray[np.generic]) -> tuple[NDArray[np.int64], NDArray[np.object_]]:
    """Integer codes for customer ids of any type (np.unique keeps it dependency-free)."""
    ids, codes = np.unique(values, return_inverse=True)
    return codes.astype(np.int64), ids.astype(object)
