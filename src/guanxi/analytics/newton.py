"""A damped Newton solver for the small, smooth likelihoods of the CLV models.

BG/NBD has four parameters and Gamma-Gamma three; with the analytic Hessian a
Newton step lands within 1e-10 of the optimum in 5–15 likelihood passes, where
L-BFGS-B needs 25–40 (and scipy's `minimize` costs a few hundred microseconds
of set-up of its own, which is most of a fit on a few thousand customers).

The solver works on log-parameters and knows no bounds: when the iterate
leaves the box or does not converge it returns None and the caller falls back
to bounded L-BFGS-B, so degenerate data (a parameter running off to infinity)
still gets the old, bounded answer.
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
) -> Array | None:
    """Minimiser of `objective` from `start`, or None when Newton cannot be trusted here."""
    low, high = bounds
    u = np.asarray(start, dtype=np.float64).copy()
    f, g, h = objective(u)
    if not np.isfinite(f):
        return None
    eye = np.eye(u.size)
    for _ in range(max_iter):
        step = _descent_step(g, h, eye)
        if step is None:
            return None
        # Backtrack until the objective decreases (Armijo); Newton's full step
        # is taken near the optimum, so convergence there stays quadratic.
        slope = float(g @ step)
        t = 1.0
        while t > 1e-8:
            trial = u + t * step
            if np.all((trial > low) & (trial < high)):
                f_new, g_new, h_new = objective(trial)
                if np.isfinite(f_new) and f_new <= f + 1e-4 * t * slope:
                    break
            t *= 0.5
        else:
            return None
        u, f, g, h = trial, f_new, g_new, h_new
        if t == 1.0 and float(np.max(np.abs(step))) < step_tol:
            return u
        if float(np.max(np.abs(g))) < 1e-10 * max(1.0, abs(f)):
            return u
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
