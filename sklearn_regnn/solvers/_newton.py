"""Damped Newton's method for the small smooth convex problems of the linear model
(the optimal intercept, the exact re-solve on a support).

Near their optimum these problems are flat: the objective changes by less than its
own rounding error long before the gradient reaches rounding level, and a softmax
is flat along a common shift of its logits. A line search on objective values then
stalls (every trial looks no better), leaving coefficient errors of 1e-7 that a
reweighting or a different BLAS kernel moves around. Here a step the values cannot
judge is accepted on the directional derivative, which stays accurate: for a convex
function, ``phi(t) = f(x - t d)`` decreases on ``[0, t]`` as long as
``phi'(t) <= 0``. And Newton stops only when neither makes progress: the gradient
does not halve and the value falls by no more than rounding.
"""

import numpy as np
import scipy.linalg


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
    try:
        direction = np.linalg.lstsq(hessian, gradient, rcond=None)[0]
    except np.linalg.LinAlgError:
        # LAPACK's SVD-based gelsd can fail to converge on an exactly singular
        # system (duplicated columns on a support; seen with one OpenBLAS thread):
        # a rank-revealing QR (gelsy) solves it as well.
        direction = scipy.linalg.lstsq(hessian, gradient, lapack_driver="gelsy")[0]
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
    max_halvings=40,
    gradient_tol=1e-15,
):
    """Minimize a smooth convex function by Newton's method from ``x``.

    Each step tries the full Newton step first and halves it until the trial
    point is ``admissible`` and the function did not rise: either its value is no
    larger, or (where values no longer resolve the step) the directional
    derivative at the trial point is not positive, so that it fell all along the
    step, or the trial's gradient is within ``gradient_tol`` of zero; at most
    ``max_halvings`` times, after which it stops. It also stops when the largest
    gradient entry is at most ``gradient_tol``, when a step neither halves it nor
    lowers the value by more than rounding (no progress of either kind: the
    rounding floor), or after ``max_steps`` steps.

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
    max_halvings : int, default=40
        Halvings of one step at most. A minimum outside the admissible set is
        approached by steps that each go half the way to its edge, and each needs
        one halving more than the last: this bounds them too.
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
    # Rounding level of the objective's value (FISTA's margin too).
    noise = 64 * np.finfo(np.float64).eps
    n_steps = 0
    while n_steps < max_steps and np.max(np.abs(g), initial=0.0) > gradient_tol:
        direction = newton_direction(hessian(x), g, null)
        # Far from the optimum of a log-loss (probabilities near 0 or 1) the curvature
        # is tiny and the full step can overshoot by many orders of magnitude; near
        # the edge of the admissible set, each step goes half the way to it.
        for _ in range(max_halvings + 1):
            trial = x - direction
            if admissible is None or admissible(trial):
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
        # No progress of either kind: the gradient did not halve and the value fell
        # by no more than rounding. (Far from the optimum the gradient can grow
        # while the value falls; near it, the value stops resolving the steps.)
        stalled = np.max(np.abs(g_trial)) > 0.5 * np.max(np.abs(g)) and (
            value - trial_value <= noise * abs(value)
        )
        x, value, g = trial, trial_value, g_trial
        n_steps += 1
        if stalled:
            break
    return x, n_steps
