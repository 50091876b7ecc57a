"""Damped Newton's method for the small smooth convex problems of the linear model
(the optimal intercept, the exact re-solve on a support).

Near their optimum these problems are flat: the objective changes by less than its
own rounding error long before the gradient reaches rounding level, and a softmax
is flat along a common shift of its logits. A line search on objective values then
stalls (every trial looks no better), leaving coefficient errors of 1e-7 that a
reweighting or a different BLAS kernel moves around. Here a step the values cannot
judge is accepted on the directional derivative, which stays accurate: for a convex
function, ``phi(t) = f(x - t d)`` decreases on ``[0, t]`` as long as
``phi'(t) <= 0``; and Newton stops on the gradient, not on the values.
"""

import numpy as np


def newton_direction(hessian, gradient, null=None):
    """Least-norm solution ``d`` of ``hessian @ d = gradient``.

    Parameters
    ----------
    hessian : ndarray of shape (n, n) or (n,)
        Symmetric positive semi-definite; a 1-D array is a diagonal Hessian, whose
        entries are floored at 1e-12 (a saturated log-loss has a curvature of 0).
    gradient : ndarray of shape (n,)
    null : ndarray of shape (n,), default=None
        A direction along which the function is exactly constant (the common shift
        of a softmax's logits). Rounding leaves the Hessian a tiny eigenvalue
        along it instead of 0 (4e-14 of the largest, on one confident fit), and a
        least-squares solve would divide the gradient's rounding error by it: the
        step is taken orthogonal to it.

    Returns
    -------
    direction : ndarray of shape (n,)
    """
    if hessian.ndim == 1:
        return gradient / np.maximum(hessian, 1e-12)
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
    x,
    value_and_gradient,
    hessian,
    *,
    null=None,
    admissible=None,
    max_steps=25,
    gradient_tol=1e-15,
):
    """Minimize a smooth convex function by Newton's method from ``x``.

    Each step tries the full Newton step first and halves it until the trial
    point is ``admissible`` and the function did not rise: either its value is no
    larger, or (where values no longer resolve the step) the directional
    derivative at the trial point is not positive, so that it fell all along the
    step, or the trial's gradient is within ``gradient_tol`` of zero. It stops
    when the largest gradient entry is at most ``gradient_tol``; when a step no
    longer lowers it (the rounding floor); when a step neither halves it nor lowers
    the value by more than rounding (no progress of either kind); when two steps
    in a row had to be cut to stay ``admissible`` (the minimum lies outside: a
    support whose optimum breaks its sign pattern, say); or after ``max_steps``
    steps.

    Parameters
    ----------
    x : ndarray of shape (n,)
        Starting point (not modified).
    value_and_gradient : callable
        ``value_and_gradient(x)`` returns the value and the gradient at ``x``.
    hessian : callable
        ``hessian(x)`` returns the Hessian at ``x``; it is only asked for at the
        point ``value_and_gradient`` was last called with.
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
    value, g = value_and_gradient(x)
    n_steps = 0
    bounded_before = False
    while n_steps < max_steps and np.max(np.abs(g), initial=0.0) > gradient_tol:
        direction = newton_direction(hessian(x), g, null)
        bounded = False
        # Far from the optimum of a log-loss (probabilities near 0 or 1) the curvature
        # is tiny and the full step can overshoot by many orders of magnitude.
        for _ in range(60):
            trial = x - direction
            if admissible is not None and not admissible(trial):
                bounded = True
            else:
                trial_value, g_trial = value_and_gradient(trial)
                # Values first: the full step of a non-quadratic function lands a
                # little past the minimum along its line about half the time, and
                # halving it there would make Newton converge linearly. A trial at
                # the optimum (to rounding) is taken however its value rounds.
                if (
                    trial_value <= value
                    or g_trial @ direction >= 0
                    or np.max(np.abs(g_trial)) <= gradient_tol
                ):
                    break
            direction = direction * 0.5
        else:
            break
        ratio = np.max(np.abs(g_trial)) / np.max(np.abs(g))
        stalled = ratio >= 1.0 or (ratio > 0.5 and value - trial_value <= 1e-16 * abs(value))
        x, value, g = trial, trial_value, g_trial
        n_steps += 1
        # Two steps in a row cut short by ``admissible``: the minimum lies beyond
        # the admissible set, and each further step would only halve the way to it.
        if stalled or (bounded and bounded_before):
            break
        bounded_before = bounded
    return x, n_steps
