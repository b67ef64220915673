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
from scipy.special import digamma, gammaln, hyp2f1, zeta

from . import newton

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


def _dot(a: Array, b: Array) -> float:
    """Σ a·b without BLAS: OpenBLAS threads a 70k-element dot product and on a busy
    2-core machine that took 20–30 ms instead of 0.02 ms (the whole fit was BLAS waits)."""
    return float(np.einsum("i,i->", a, b))


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
            r * _dot(w, d_r),
            alpha * _dot(w, d_alpha),
            a * _dot(w, d_a),
            b * _dot(w, d_b),
        ]
    )
    return -_dot(w, ll), -grad


def _to_log_scale(
    theta: Array, value: float, grad: Array, hess: Array
) -> tuple[float, Array, Array]:
    """Chain rule from θ to u = log θ: g_u = θ·g, H_u = θθᵀ∘H + diag(θ·g)."""
    g_u = theta * grad
    return value, g_u, np.outer(theta, theta) * hess + np.diag(g_u)


def _trigamma(values: Array) -> Array:
    return zeta(2.0, values)


def _bgnbd_newton_objective(x: Array, t_x: Array, T: Array, w: Array) -> newton.ValueGradHess:
    """Negative log-likelihood with gradient and Hessian in log-parameters, for Newton.

    The gamma-function terms depend on x alone, which takes few distinct
    values (repeat purchase counts), so gammaln/digamma/trigamma run over those
    values with summed weights; only logs and reciprocals run per customer.
    Customers without repeat purchases contribute -r·log(α+T) only.
    """
    values, inverse = np.unique(x, return_inverse=True)
    wx = np.bincount(inverse.ravel(), weights=w)
    total = float(w.sum())
    zero = x == 0
    T0, w0 = T[zero], w[zero]
    rep = ~zero
    xr, txr, Tr, wr = x[rep], t_x[rep], T[rep], w[rep]
    k = values.size

    def objective(u: Array) -> tuple[float, Array, Array]:
        r, alpha, a, b = theta = np.exp(u)
        # Special functions once per distinct x, in one call each.
        args = np.concatenate([r + values, b + values, a + b + values, [r, b, a + b]])
        lg, dg, tg = gammaln(args), digamma(args), _trigamma(args)
        lg_r, lg_b, lg_ab = lg[:k], lg[k : 2 * k], lg[2 * k : 3 * k]
        dg_r, dg_b, dg_ab = dg[:k], dg[k : 2 * k], dg[2 * k : 3 * k]
        tg_r, tg_b, tg_ab = tg[:k], tg[k : 2 * k], tg[2 * k : 3 * k]
        g0, d0, t0 = lg[3 * k :], dg[3 * k :], tg[3 * k :]  # at r, b, a+b
        log_alpha = np.log(alpha)
        ll = _dot(wx, lg_r - g0[0] + g0[2] + lg_b - g0[1] - lg_ab) + total * r * log_alpha
        g_r = _dot(wx, dg_r - d0[0]) + total * log_alpha
        g_alpha = total * r / alpha
        g_a = _dot(wx, d0[2] - dg_ab)
        g_b = _dot(wx, d0[2] + dg_b - d0[1] - dg_ab)
        h = np.zeros((4, 4))
        h[0, 0] = _dot(wx, tg_r - t0[0])
        h[0, 1] = total / alpha
        h[1, 1] = -total * r / alpha**2
        h[2, 2] = h[2, 3] = _dot(wx, t0[2] - tg_ab)
        h[3, 3] = _dot(wx, t0[2] + tg_b - t0[1] - tg_ab)
        # Customers without repeat purchases: alive for sure, only -r·log(α+T).
        inv0 = 1.0 / (alpha + T0)
        log_T0 = _dot(w0, np.log(alpha + T0))
        ll -= r * log_T0
        g_r -= log_T0
        g_alpha -= r * _dot(w0, inv0)
        h[0, 1] -= _dot(w0, inv0)
        h[1, 1] += r * _dot(w0, inv0**2)
        # Repeat buyers: log(e^a3 + e^a4), alive at T (a3) or dropped after t_x (a4).
        rx = r + xr
        bx1 = b + xr - 1
        log_T, log_tx = np.log(alpha + Tr), np.log(alpha + txr)
        inv_T, inv_tx = 1.0 / (alpha + Tr), 1.0 / (alpha + txr)
        a3 = -rx * log_T
        a4 = np.log(a) - np.log(bx1) - rx * log_tx
        tail = np.logaddexp(a3, a4)
        w3 = np.exp(a3 - tail)
        w4 = 1.0 - w3
        ll += _dot(wr, tail)
        g_r -= _dot(wr, w3 * log_T + w4 * log_tx)
        g_alpha -= _dot(wr, rx * (w3 * inv_T + w4 * inv_tx))
        g_a += _dot(wr, w4) / a
        g_b -= _dot(wr, w4 / bx1)
        # Second derivatives of a3 and a4, each weighted by its share …
        h[0, 1] -= _dot(wr, w3 * inv_T + w4 * inv_tx)
        h[1, 1] += _dot(wr, rx * (w3 * inv_T**2 + w4 * inv_tx**2))
        h[2, 2] -= _dot(wr, w4) / a**2
        h[3, 3] += _dot(wr, w4 / bx1**2)
        # … plus the log-sum-exp term w3·w4·(∇a3 − ∇a4)(∇a3 − ∇a4)ᵀ.
        diff = np.stack(
            [log_tx - log_T, rx * (inv_tx - inv_T), np.full_like(xr, -1.0 / a), 1 / bx1]
        )
        h += np.einsum("in,jn->ij", diff * (wr * w3 * w4), diff)
        lower = np.tril_indices(4, -1)
        h[lower] = h.T[lower]
        grad = np.array([g_r, g_alpha, g_a, g_b])
        return _to_log_scale(theta, -float(ll), -grad, -h)

    return objective


def distinct_rows(*columns: Array) -> tuple[list[Array], NDArray[np.intp], Array]:
    """Distinct rows of the columns, the row each input maps to, and how many map to each.

    A lexsort of the columns and a diff, not np.unique(axis=0): that one sorts
    rows as opaque byte strings and cost 3 ms on CDNOW's 2,357 rows, more than
    the whole Newton fit (and seconds on a million customers).
    """
    order = np.lexsort(columns[::-1])
    ordered = [np.asarray(c)[order] for c in columns]
    same = np.ones(max(order.size - 1, 0), dtype=bool)
    for c in ordered:
        same &= c[1:] == c[:-1]
    starts = np.concatenate([[True], ~same]) if order.size else np.zeros(0, dtype=bool)
    first = np.flatnonzero(starts)
    inverse = np.empty(order.size, dtype=np.intp)
    inverse[order] = np.cumsum(starts) - 1
    counts = np.diff(np.append(first, order.size)).astype(np.float64)
    return [c[first] for c in ordered], inverse, counts


def _compress(*columns: Array) -> tuple[list[Array], Array]:
    """Identical summaries share one likelihood term, weighted by their count."""
    unique, _, counts = distinct_rows(*columns)
    return unique, counts


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
    objective = _bgnbd_newton_objective(xs, txs, Ts, weights)
    with np.errstate(all="ignore"):
        best = newton.minimise(objective, start, LOG_BOUNDS)
    if best is not None:
        log_likelihood = -objective(best)[0]
    else:
        # Newton stalled (an indefinite Hessian it could not repair, or no
        # progress in 60 steps): the slower bounded quasi-Newton answers.
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
        best, log_likelihood = result.x, -float(result.fun)
    r, alpha, a, b = (float(v) for v in np.exp(best))
    return BgNbdParams(r, alpha, a, b, float(log_likelihood), int(weights.sum()))


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
    return _purchases_if_alive(params, t, xs, Ts) * probability_alive(params, xs, txs, Ts)


def _purchases_if_alive(params: BgNbdParams, t: float | Array, x: Array, T: Array) -> Array:
    """Eq. (10) without its P(alive) factor: it depends on (x, T) only, not on t_x."""
    r, alpha, a, b = params.r, params.alpha, params.a, params.b
    t_arr = np.asarray(t, dtype=np.float64)
    z = t_arr / (alpha + T + t_arr)
    hyp = hyp2f1(r + x, b + x, a + b + x - 1, z)
    head = (a + b + x - 1) / (a - 1)
    body = 1.0 - np.exp((r + x) * (np.log(alpha + T) - np.log(alpha + T + t_arr))) * hyp
    return head * body


def horizon_purchases(
    params: BgNbdParams,
    x: ArrayLike,
    t_x: ArrayLike,
    T: ArrayLike,
    *,
    months: int,
    monthly_discount_rate: float,
) -> tuple[Array, Array]:
    """(Σ purchases expected in month m ÷ (1 + rate)^m, all purchases expected) over `months`.

    CLV is the first times the expected spend. hyp2f1 — about 2 µs a value
    and 13 passes — is evaluated once per distinct (x, T) pair (purchase
    count × days since the first purchase: tens of thousands in a million
    customers) and P(alive), which needs t_x, once per customer.
    """
    xs, txs, Ts = _arrays(x, t_x, T)
    (ux, uT), inverse, _ = distinct_rows(xs, Ts)
    discounted = np.zeros_like(ux)
    previous = np.zeros_like(ux)
    for month in range(1, months + 1):
        cumulative = _purchases_if_alive(params, month * WEEKS_PER_MONTH, ux, uT)
        discounted += (cumulative - previous) / (1 + monthly_discount_rate) ** month
        previous = cumulative
    alive = probability_alive(params, xs, txs, Ts)
    return discounted[inverse] * alive, previous[inverse] * alive


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
    grad = np.array([p * _dot(w, d_p), q * _dot(w, d_q), g * _dot(w, d_g)])
    return -_dot(w, ll), -grad


def _gg_newton_objective(x: Array, m: Array, w: Array) -> newton.ValueGradHess:
    """Negative Gamma-Gamma log-likelihood with gradient and Hessian in log-parameters.

    As for BG/NBD, the gamma-function terms depend on x only and run over its
    distinct values; the terms in log m and log x are constants folded into two
    sums once; per customer only log(γ + m·x) and its reciprocal remain.
    """
    values, inverse = np.unique(x, return_inverse=True)
    wx = np.bincount(inverse.ravel(), weights=w)
    total = float(w.sum())
    wxm = w * x  # weights of the terms that scale with p
    sum_log_m = _dot(w, np.log(m))
    sum_px_terms = _dot(wxm, np.log(m) + np.log(x))
    mx = m * x
    k = values.size

    def objective(u: Array) -> tuple[float, Array, Array]:
        p, q, g = theta = np.exp(u)
        px = p * values
        args = np.concatenate([px + q, px, [q]])
        lg, dg, tg = gammaln(args), digamma(args), _trigamma(args)
        log_gmx = np.log(g + mx)
        inv = 1.0 / (g + mx)
        ll = (
            _dot(wx, lg[:k] - lg[k : 2 * k])
            - total * lg[-1]
            + total * q * np.log(g)
            + p * sum_px_terms
            - sum_log_m
            - p * _dot(wxm, log_gmx)
            - q * _dot(w, log_gmx)
        )
        grad = np.array(
            [
                _dot(wx * values, dg[:k] - dg[k : 2 * k]) + sum_px_terms - _dot(wxm, log_gmx),
                _dot(wx, dg[:k]) - total * dg[-1] + total * np.log(g) - _dot(w, log_gmx),
                total * q / g - p * _dot(wxm, inv) - q * _dot(w, inv),
            ]
        )
        h_pp = _dot(wx * values**2, tg[:k] - tg[k : 2 * k])
        h_pq = _dot(wx * values, tg[:k])
        h_pg = -_dot(wxm, inv)
        h_qq = _dot(wx, tg[:k]) - total * tg[-1]
        h_qg = total / g - _dot(w, inv)
        inv2 = inv * inv
        h_gg = -total * q / g**2 + p * _dot(wxm, inv2) + q * _dot(w, inv2)
        h = np.array([[h_pp, h_pq, h_pg], [h_pq, h_qq, h_qg], [h_pg, h_qg, h_gg]])
        return _to_log_scale(theta, -float(ll), -grad, -h)

    return objective


def fit_gamma_gamma(x: ArrayLike, mean_value: ArrayLike) -> GammaGammaParams:
    """Gamma-Gamma spend model on repeat buyers: x > 0 and their mean transaction value."""
    xs, ms = _arrays(x, mean_value)
    keep = (xs > 0) & (ms > 0)
    if keep.sum() < 2:
        raise FitError("Gamma-Gamma needs at least two repeat buyers with positive spend")
    (xs, ms), weights = _compress(xs[keep], ms[keep])
    start = np.log([1.0, 1.0, max(float(np.average(ms, weights=weights)), 1e-3)])
    objective = _gg_newton_objective(xs, ms, weights)
    with np.errstate(all="ignore"):
        best = newton.minimise(objective, start, LOG_BOUNDS)
    if best is not None:
        log_likelihood = -objective(best)[0]
    else:
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
        best, log_likelihood = result.x, -float(result.fun)
    p, q, g = (float(v) for v in np.exp(best))
    return GammaGammaParams(p, q, g, float(log_likelihood), int(weights.sum()))


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
    months (12 or so), each step vectorised (see horizon_purchases).
    """
    discounted, _ = horizon_purchases(
        bgnbd, x, t_x, T, months=months, monthly_discount_rate=monthly_discount_rate
    )
    return discounted * np.asarray(spend, dtype=np.float64)


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
