"""Full-batch accelerated proximal gradient (FISTA) with backtracking and restarts.

The parameters (weight matrices then intercepts) are packed into one flat vector
so that the extrapolation steps are plain vector operations; the penalty's prox
works on views of the weight part of that vector.

Safeguards, each for a reason:

- *Backtracking* on the step ``1 / L``: no Lipschitz constant is known for a
  network, and even for a linear model estimating one by an eigendecomposition
  costs more than the solve. ``L`` doubles until the quadratic upper bound holds,
  and shrinks by 10% after each step that needed no doubling.
- *Adaptive restart* (O'Donoghue and Candes): momentum is dropped when it points
  uphill (gradient scheme) and whenever the objective went up (function scheme),
  which also makes the method monotone, as a non-convex objective requires.
- *Rounding tolerance*: near the optimum, objective values agree to the last bits,
  so comparisons allow a few units in the last place; without it the restarts and
  the backtracking fire on noise and the method stalls.
"""

from dataclasses import dataclass, field

import numpy as np

from .._network import ParameterPacking


@dataclass
class FistaResult:
    """What :func:`fista` returns; each parameter is kept as an attribute.

    Parameters
    ----------
    coefs, intercepts : list of ndarray
        The solution (fresh arrays).
    objective : float
        Penalized objective at the solution.
    n_iter : int
        Number of iterations run.
    converged : bool
        Whether the stopping rule was met before ``max_iter``.
    objective_curve : list of float
        Objective after each iteration.
    lipschitz : float
        Final step-size estimate ``L`` (the step is ``1 / L``); pass it back as
        ``lipschitz_init`` to warm-start the step too. NaN when no step was taken
        (the start was certified) and none was given.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_regnn.solvers import FistaResult
    >>> result = FistaResult(coefs=[np.ones((2, 1))], intercepts=[np.zeros(1)],
    ...                      objective=0.5, n_iter=3, converged=True)
    >>> result.converged, result.lipschitz
    (True, 1.0)
    """

    coefs: list
    intercepts: list
    objective: float
    n_iter: int
    converged: bool
    objective_curve: list = field(default_factory=list)
    lipschitz: float = 1.0


def _initial_lipschitz(value_and_grad, x, grad):
    """Estimate the local curvature along the gradient by one secant step."""
    norm = np.linalg.norm(grad)
    if not np.isfinite(norm) or norm == 0:
        return 1.0
    h = 1e-4 * max(np.linalg.norm(x), 1.0)
    x_probe = x - (h / norm) * grad
    _, grad_probe = value_and_grad(x_probe)
    curvature = np.linalg.norm(grad_probe - grad) / h
    return float(curvature) if np.isfinite(curvature) and curvature > 0 else 1.0


def fista(
    smooth,
    coefs,
    intercepts,
    penalty,
    *,
    max_iter,
    tol,
    certificate=None,
    check_every=10,
    n_iter_no_change=10,
    lipschitz_init=None,
    verbose=False,
):
    """Minimize ``smooth(coefs, intercepts) + penalty.value(coefs)`` by FISTA.

    Parameters
    ----------
    smooth : object
        The differentiable part, with ``value(coefs, intercepts) -> float`` and
        ``value_and_grad(coefs, intercepts) -> (float, coef_grads, intercept_grads)``.
    coefs, intercepts : list of ndarray
        Starting point (not modified).
    penalty : penalty object
        Provides ``value(coefs)`` and ``prox(coefs, step)``.
    max_iter : int
        Maximum number of iterations.
    tol : float
        Used when ``certificate`` is None: stop once the gradient mapping
        ``L * (y - prox(y - grad / L))`` has max-norm ``<= tol``, the proximal
        analogue of a small gradient, or once the objective has decreased by less
        than ``tol`` times its value over the last ``n_iter_no_change`` iterations.
        The second rule is what ends a non-smooth problem (ReLU kinks keep the
        gradient mapping from vanishing).
    certificate : callable, default=None
        ``certificate(coefs, intercepts) -> (converged, better)``, called at the
        start and every ``check_every`` iterations; ``better`` is None or a
        ``(coefs, intercepts)`` pair with a lower objective to continue from (a
        polished iterate). A start it certifies is returned as it is, counted as
        one iteration.
    check_every : int, default=10
        Iterations between calls to ``certificate``.
    n_iter_no_change : int, default=10
        Window of the stall rule (without a certificate).
    lipschitz_init : float, default=None
        Initial ``L``; estimated by a secant step when None.
    verbose : bool, default=False
        Print the objective at every certificate check.

    Returns
    -------
    result : FistaResult
        The solution and how it was reached.

    Examples
    --------
    A smooth part ``1/2 ||w - target||^2`` with an L1 penalty: the solution is the
    target soft-thresholded by ``alpha``, found to rounding.

    >>> import numpy as np
    >>> from sklearn_regnn.penalties import ElasticNet
    >>> from sklearn_regnn.solvers import fista
    >>> class Quadratic:
    ...     def __init__(self, target):
    ...         self.target = target
    ...     def value(self, coefs, intercepts):
    ...         return 0.5 * float(np.sum((coefs[0] - self.target) ** 2))
    ...     def value_and_grad(self, coefs, intercepts):
    ...         grads = [coefs[0] - self.target], [np.zeros_like(intercepts[0])]
    ...         return (self.value(coefs, intercepts), *grads)
    >>> smooth = Quadratic(np.array([[2.0], [-0.05], [0.5]]))
    >>> result = fista(smooth, [np.zeros((3, 1))], [np.zeros(1)],
    ...                ElasticNet(alpha=0.1, l1_ratio=1.0), max_iter=100, tol=1e-10)
    >>> result.coefs[0].ravel()
    array([1.9, 0. , 0.4])
    >>> result.converged
    True
    """
    packing = ParameterPacking.like(coefs)
    dtype = coefs[0].dtype
    # Relative size of rounding noise in objective values: a few ulps times a margin
    # for the sums over samples.
    noise = 64 * np.finfo(dtype).eps

    grad = np.empty(packing.size, dtype=dtype)

    def value_and_grad(flat):
        value, coef_grads, intercept_grads = smooth.value_and_grad(*packing.unpack(flat))
        packing.pack(coef_grads, intercept_grads, out=grad)
        return value, grad

    def value(flat):
        return smooth.value(*packing.unpack(flat))

    def penalty_value(flat):
        return penalty.value(packing.weight_blocks(flat, penalty))

    x = packing.pack(coefs, intercepts)
    converged = False
    if certificate is not None:
        # A certified start (a warm start at the optimum; zero weights at or above
        # alpha_max) is returned untouched: a first step would move the weights by
        # rounding errors, leaving 1e-15 where the solution has exact zeros.
        converged, better = certificate(*packing.unpack(x))
        if better is not None:
            packing.pack(*better, out=x)
    F_x = value(x) + penalty_value(x)
    y = x.copy()
    z = np.empty_like(x)
    t = 1.0
    if lipschitz_init is not None:
        L = float(lipschitz_init)
    elif converged:
        L = float("nan")  # no step to take, none to estimate
    else:
        value_and_grad(y)
        L = _initial_lipschitz(value_and_grad, y, grad.copy())

    # A certified start counts as one iteration, with its objective as the curve.
    curve = [F_x] if converged else []
    n_iter = 1 if converged else 0
    momentum_on = False  # y == x exactly while False
    for n_iter in range(1, 0 if converged else max_iter + 1):
        f_y, g = value_and_grad(y)
        backtracked = False
        while True:
            np.multiply(g, -1.0 / L, out=z)
            z += y
            penalty.prox(packing.weight_blocks(z, penalty), 1.0 / L)
            f_z = value(z)
            d = z - y
            upper = f_y + float(g @ d) + 0.5 * L * float(d @ d)
            if f_z <= upper + noise * (abs(f_y) + abs(f_z)) or not np.isfinite(L):
                break
            L *= 2.0
            backtracked = True
        gradient_mapping = L * float(np.max(np.abs(d))) if d.size else 0.0
        F_z = f_z + penalty_value(z)

        if F_z > F_x + noise * (abs(F_x) + abs(F_z)):
            if momentum_on:
                # Function restart: redo this iteration as a plain proximal step.
                y[:] = x
                t, momentum_on = 1.0, False
                continue
            # A plain backtracked step went up: rounding level, nothing left to gain.
            converged = True
            break

        # Gradient restart: momentum would carry us where the step says not to go.
        restart = float((y - z) @ (z - x)) > 0
        t_next = 1.0 if restart else (1.0 + np.sqrt(1.0 + 4.0 * t * t)) / 2.0
        beta = 0.0 if restart else (t - 1.0) / t_next
        # y <- z + beta * (z - x); x <- z
        np.subtract(z, x, out=y)
        y *= beta
        y += z
        x, z = z, x
        momentum_on = beta != 0.0
        t = t_next
        F_x = F_z
        curve.append(F_x)
        if not backtracked:
            L *= 0.9
        # A step that did not move is an exact fixed point: optimal, stop now (waiting
        # for the next check would only shrink L towards underflow). Without a
        # certificate the gradient-mapping rule below sees it as a zero mapping.
        stationary = not np.any(d)

        if certificate is not None:
            if stationary or n_iter % check_every == 0:
                done, better = certificate(*packing.unpack(x))
                if verbose:
                    print(f"FISTA iteration {n_iter}, objective = {F_x:.12g}")
                if better is not None:
                    packing.pack(*better, out=x)
                    F_x = value(x) + penalty_value(x)
                    y[:] = x
                    t, momentum_on = 1.0, False
                if done or stationary:
                    converged = True
                    break
        elif gradient_mapping <= tol or (
            len(curve) > n_iter_no_change and curve[-1 - n_iter_no_change] - F_x <= tol * abs(F_x)
        ):
            converged = True
            break
    out_coefs, out_intercepts = packing.unpack(x.copy())
    return FistaResult(
        coefs=out_coefs,
        intercepts=out_intercepts,
        objective=F_x,
        n_iter=n_iter,
        converged=converged,
        objective_curve=curve,
        lipschitz=L,
    )
