"""A damped Newton solver for the small, smooth likelihoods of the CLV models.

BG/NBD has four parameters and Gamma-Gamma three; with the analytic Hessian a
Newton step lands within 1e-10 of the optimum in 5–15 likelihood passes, where
L-BFGS-B needs 25–40 (and scipy's `minimize` costs a few hundred microseconds
of set-up of its own, which is most of a fit on a few thousand customers).

The solver works on log-parameters inside a box (projected Newton): a
parameter that the data push to a bound — the demo data have no dropout, so
BG/NBD's b runs to e¹⁰ — is held there and Newton continues on the others,
which is the answer bounded L-BFGS-B gives, in a tenth of the passes. When it
does not converge it returns None and the caller falls back to L-BFGS-B.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from numpy.typing import NDArray

Array = NDArray[np.float64]
# (value, gradient, Hessian) of the function to minimise, at log-parameters u.
ValueGradHess = Callable[[Array], tuple[float, Array, Array]]


def minimise(
    objective: ValueGradHess,
    start: Array,
    bounds: tuple[float, float],
    *,
    max_iter: int = 60,
    step_tol: float = 1e-10,
    decrease_tol: float = 1e-9,
) -> Array | None:
    """Minimiser of `objective` from `start`, or None when Newton cannot be trusted here."""
    low, high = bounds
    u = np.asarray(start, dtype=np.float64).copy()
    f, g, h = objective(u)
    if not np.isfinite(f):
        return None
    eye = np.eye(u.size)
    for _ in range(max_iter):
        # Parameters on a bound whose gradient points out of the box stay put.
        held = ((u <= low) & (g > 0)) | ((u >= high) & (g < 0))
        free = ~held
        if not free.any():
            return u
        step = np.zeros_like(u)
        free_step = _descent_step(g[free], h[np.ix_(free, free)], eye[np.ix_(free, free)])
        if free_step is None:
            return None
        step[free] = free_step
        # At the optimum the Newton step is rounding noise: stop before the
        # line search, which could not tell such a step from no progress.
        if float(np.max(np.abs(step))) < step_tol:
            return u
        # Backtrack until the objective decreases (Armijo). Newton's full step
        # is taken near the optimum, so convergence there stays quadratic.
        # Near the optimum the decrease Newton predicts can be below the
        # rounding of f (a sum of up to a million terms): then a full step
        # that does not lower f means we are there, and halving it is futile.
        at_noise_level = -float(g @ step) < decrease_tol * max(1.0, abs(f))
        t = 1.0
        while t > 1e-8:
            trial = np.clip(u + t * step, low, high)
            f_new, g_new, h_new = objective(trial)
            if np.isfinite(f_new) and f_new <= f + 1e-4 * float(g @ (trial - u)):
                break
            if at_noise_level:
                return u
            t *= 0.5
        else:
            return None
        u, f, g, h = trial, f_new, g_new, h_new
    return None


def _descent_step(g: Array, h: Array, eye: Array) -> Array | None:
    """Newton step -H⁻¹g, with H shifted towards the identity until it is positive definite.

    Far from the optimum the Hessian of a negative log-likelihood can be
    indefinite; the shift (Levenberg–Marquardt) turns the step towards steepest
    descent instead of towards a saddle.
    """
    if not (np.all(np.isfinite(g)) and np.all(np.isfinite(h))):
        return None
    shift = 0.0
    scale = max(1.0, float(np.max(np.abs(np.diag(h)))))
    for _ in range(30):
        try:
            factor = np.linalg.cholesky(h + shift * eye)
        except np.linalg.LinAlgError:
            shift = max(shift * 10.0, 1e-8 * scale)
            continue
        return -np.linalg.solve(factor.T, np.linalg.solve(factor, g))
    return None
