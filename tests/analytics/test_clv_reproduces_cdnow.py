"""BG/NBD and Gamma-Gamma reproduce the published CDNOW estimates.

Fader, Hardie & Lee (2005), "Counting your customers the easy way"; Fader &
Hardie (2013), "The Gamma-Gamma model of monetary value". Calibration weeks
1–39 of the 2,357-customer CDNOW sample, same-day purchases merged.
"""

from __future__ import annotations

import numpy as np
import pytest

from guanxi.analytics import clv

from .cdnow import cdnow_summary


def three_digits(value: float) -> float:
    return float(f"{value:.3g}")


@pytest.fixture(scope="module")
def summary() -> clv.Summary:
    return cdnow_summary()


def test_the_calibration_summary_matches_the_paper(summary: clv.Summary) -> None:
    assert summary.x.size == 2357
    assert summary.x.sum() == 2457  # repeat transactions in weeks 1–39
    assert summary.T.max() == pytest.approx(38.857, abs=1e-3)
    assert (summary.x > 0).sum() == 946


def test_bgnbd_reproduces_r_alpha_a_b_and_the_log_likelihood(summary: clv.Summary) -> None:
    fit = clv.fit_bgnbd(summary.x, summary.t_x, summary.T)
    assert three_digits(fit.r) == 0.243
    assert three_digits(fit.alpha) == 4.41
    assert three_digits(fit.a) == 0.793
    assert three_digits(fit.b) == 2.43
    assert round(fit.log_likelihood, 1) == -9582.4


def test_gamma_gamma_reproduces_p_q_gamma(summary: clv.Summary) -> None:
    fit = clv.fit_gamma_gamma(summary.x, summary.mean_value)
    assert fit.customers == 946
    assert three_digits(fit.p) == 6.25
    assert three_digits(fit.q) == 3.74
    assert three_digits(fit.gamma) == 15.4


def test_predictions_match_the_papers_worked_example(summary: clv.Summary) -> None:
    fit = clv.fit_bgnbd(summary.x, summary.t_x, summary.T)
    # FHL 2005 §5: a customer with x = 2, t_x = 30.43, T = 38.86 is expected to
    # make 1.226 purchases in the next 39 weeks.
    expected = clv.expected_purchases(fit, 39, [2], [30.43], [38.86])
    assert expected[0] == pytest.approx(1.226, abs=2e-3)
    # Total repeat purchases forecast for weeks 40–78 is 1,359 vs 1,218 actual (paper).
    total = clv.unconditional_expected_purchases(fit, 78) - clv.unconditional_expected_purchases(
        fit, 39
    )
    assert total > 0
    alive = clv.probability_alive(fit, summary.x, summary.t_x, summary.T)
    assert np.all((alive > 0) & (alive <= 1))
    assert np.all(alive[summary.x == 0] == 1.0)


def test_expected_spend_shrinks_a_customer_mean_toward_the_population_mean(
    summary: clv.Summary,
) -> None:
    fit = clv.fit_gamma_gamma(summary.x, summary.mean_value)
    population = fit.p * fit.gamma / (fit.q - 1)
    spend = clv.expected_average_spend(fit, [1, 20, 0], [100.0, 100.0, 0.0])
    assert population < spend[0] < spend[1] < 100.0
    assert spend[2] == pytest.approx(population)


def test_discounted_clv_is_less_than_undiscounted(summary: clv.Summary) -> None:
    fit = clv.fit_bgnbd(summary.x, summary.t_x, summary.T)
    args = ([50.0], [2], [30.43], [38.86])
    plain = clv.discounted_clv(fit, *args, months=12, monthly_discount_rate=0.0)
    discounted = clv.discounted_clv(fit, *args, months=12, monthly_discount_rate=0.01)
    year = clv.expected_purchases(fit, 12 * clv.WEEKS_PER_MONTH, [2], [30.43], [38.86])
    assert plain[0] == pytest.approx(year[0] * 50.0)
    assert 0 < discounted[0] < plain[0]


def test_it_refuses_data_that_cannot_identify_the_model() -> None:
    with pytest.raises(clv.FitError):
        clv.fit_bgnbd([0, 0, 0], [0, 0, 0], [5, 6, 7])
    with pytest.raises(clv.FitError):
        clv.fit_gamma_gamma([0, 1], [0.0, 10.0])


def test_newton_lands_on_the_same_optimum_as_bounded_lbfgsb(summary: clv.Summary) -> None:
    """The Newton fast path must agree with the quasi-Newton answer it replaced."""
    from scipy.optimize import minimize

    keep = summary.x > 0
    (xs, ms), weights = clv._compress(summary.x[keep], summary.mean_value[keep])
    reference = minimize(
        clv._gg_objective,
        np.log([1.0, 1.0, 30.0]),
        args=(xs, ms, weights),
        jac=True,
        method="L-BFGS-B",
        bounds=[clv.LOG_BOUNDS] * 3,
        options={"ftol": 1e-15, "gtol": 1e-10, "maxiter": 5000},
    )
    fit = clv.fit_gamma_gamma(summary.x, summary.mean_value)
    assert np.allclose([fit.p, fit.q, fit.gamma], np.exp(reference.x), rtol=1e-5)
    assert fit.log_likelihood >= -reference.fun - 1e-6
    (xs, txs, Ts), weights = clv._compress(summary.x, summary.t_x, summary.T)
    reference = minimize(
        clv._bgnbd_objective,
        np.log([1.0, 30.0, 1.0, 1.0]),
        args=(xs, txs, Ts, weights),
        jac=True,
        method="L-BFGS-B",
        bounds=[clv.LOG_BOUNDS] * 4,
        options={"ftol": 1e-15, "gtol": 1e-10, "maxiter": 5000},
    )
    bg = clv.fit_bgnbd(summary.x, summary.t_x, summary.T)
    assert np.allclose([bg.r, bg.alpha, bg.a, bg.b], np.exp(reference.x), rtol=1e-4)
    assert bg.log_likelihood >= -reference.fun - 1e-6


def test_identical_summaries_are_compressed_with_their_counts() -> None:
    (x, m), counts = clv._compress(np.array([2.0, 1.0, 2.0, 2.0]), np.array([5.0, 5.0, 5.0, 7.0]))
    assert x.tolist() == [1.0, 2.0, 2.0] and m.tolist() == [5.0, 5.0, 7.0]
    assert counts.tolist() == [1.0, 2.0, 1.0]


def test_spend_without_variation_hits_the_bound_and_stays_finite() -> None:
    # Everyone spends exactly 50 every time: p and q run to infinity and are
    # held on the bound e¹⁰ while γ is fitted.
    rng = np.random.default_rng(0)
    x = rng.integers(1, 6, 300).astype(float)
    fit = clv.fit_gamma_gamma(x, np.full(300, 50.0))
    assert all(np.isfinite([fit.p, fit.q, fit.gamma, fit.log_likelihood]))
    assert fit.q == pytest.approx(np.exp(clv.LOG_BOUNDS[1]))
    population = fit.p * fit.gamma / (fit.q - 1)
    assert population == pytest.approx(50.0, rel=1e-2)


def test_horizon_purchases_agree_with_month_by_month_expectations(summary: clv.Summary) -> None:
    """Scoring per distinct (x, T) pair gives every customer eq. (10) month by month."""
    fit = clv.fit_bgnbd(summary.x, summary.t_x, summary.T)
    discounted, total = clv.horizon_purchases(
        fit, summary.x, summary.t_x, summary.T, months=12, monthly_discount_rate=0.01
    )
    year = clv.expected_purchases(fit, 12 * clv.WEEKS_PER_MONTH, summary.x, summary.t_x, summary.T)
    assert np.allclose(total, year, rtol=1e-12)
    by_month = [
        clv.expected_purchases(fit, m * clv.WEEKS_PER_MONTH, summary.x, summary.t_x, summary.T)
        for m in range(13)
    ]
    explicit = sum((by_month[m] - by_month[m - 1]) / 1.01**m for m in range(1, 13))
    assert np.allclose(discounted, explicit, rtol=1e-12)
    assert np.all(discounted < total) and np.all(discounted > 0)
