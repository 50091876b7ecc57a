"""Damped Newton's method for the small smooth convex problems of the linear model
(the optimal intercept, the exact re-solve on a support).

Near their optimum these problems are flat: the objective changes by less than its
own rounding error long before the gradient reaches rounding level, and a softmax
is flat along a common shift of its logits. A line search on objective values then
stalls (every trial looks no better), leaving coefficient errors of 1e-7 that a
reweighting or a different BLAS kernel moves around. Here steps are accepted on the
directional derivative instead, which stays accurate: for a convex function,
``phi(t) = f(x - t d)`` decreases on ``[0, t]`` as long as ``phi'(t) <= 0``.
"""

import numpy as np


def newton_direction(hessian, gradient, null=None):
    """Least-norm solution ``d`` of ``hessian @ d = gradient``.

    Parameters
    ----------
    hessian : ndarray of shape (n, n)
        Symmetric positive semi-definite.
    gradient : ndarray of shape (n,)
    null : ndarray of shape (n,), default=None
        A direction along which the function is exactly constant (the common shift
        of a softmax's logits). Rounding leaves the Hessian an eigenvalue of about
        1e-17 along it instead of 0, and a least-squares solve would divide the
        gradient's rounding error by it: the step is taken orthogonal to it.

    Returns
    -------
    direction : ndarray of shape (n,)
    """
    if null is not None:
        unit = null / np.linalg.norm(null)
        gradient = gradient - unit * (unit @ gradient)
        # Fill the null direction with a typical curvature: the solve is then
        # regular, and its solution has no component along ``unit``.
        hessian = hessian + (np.trace(hessian) / len(gradient)) * np.outer(unit, unit)
    direction = np.linalg.lstsq(hessian, gradient, rcond=None)[0]
    if null is not None:
        direction -= unit * (unit @ direction)
    return direction


def damped_newton(
    x, gradient, hessian, *, null=None, admissible=None, max_steps=25, gradient_tol=1e-15
):
    """Minimize a smooth convex function by Newton's method from ``x``.

    Each step tries the full Newton step first and halves it until the
    directional derivative at the trial point is not positive (so the function
    decreased all along the step) and the point is ``admissible``. It stops when
    the largest gradient entry is at most ``gradient_tol``, when a step no longer
    lowers it (the rounding floor), or after ``max_steps`` steps.

    Parameters
    ----------
    x : ndarray of shape (n,)
        Starting point (not modified).
    gradient : callable
        ``gradient(x)`` returns the gradient at ``x``.
    hessian : callable
        ``hessian(x)`` returns the Hessian at ``x``; it is only asked for at the
        point ``gradient`` was last called with.
    null : ndarray of shape (n,), default=None
        A direction along which the function is constant (see
        :func:`newton_direction`).
    admissible : callable, default=None
        ``admissible(x)`` says whether a trial point may be taken (a held sign
        pattern, say); None accepts every point.
    max_steps : int, default=25
    gradient_tol : float, default=1e-15

    Returns
    -------
    x : ndarray of shape (n,)
        The last accepted point (a fresh array).
    n_steps : int
        Steps taken.
    """
    x = np.array(x, dtype=np.float64)
    g = gradient(x)
    n_steps = 0
    while n_steps < max_steps and np.max(np.abs(g), initial=0.0) > gradient_tol:
        direction = newton_direction(hessian(x), g, null)
        # Far from the optimum of a log-loss (probabilities near 0 or 1) the curvature
        # is tiny and the full step can overshoot by many orders of magnitude.
        for _ in range(60):
            trial = x - direction
            if admissible is None or admissible(trial):
                g_trial = gradient(trial)
                if g_trial @ direction >= 0:
                    break
            direction = direction * 0.5
        else:
            break
        improved = np.max(np.abs(g_trial)) < np.max(np.abs(g))
        x, g = trial, g_trial
        n_steps += 1
        if not improved:
            break
    return x, n_steps
