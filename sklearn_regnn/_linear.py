"""Optimality certificates for the network without hidden layers (a convex problem).

With ``hidden_layer_sizes=()`` the network is a generalized linear model,
``z_i = x_i W + b``, and the objective

    P(W, b) = sum_i s_i * loss(y_i, z_i) + penalty(W)

is convex, so a Fenchel duality gap bounds the distance to the optimal value. For
any ``u`` with ``sum_i u_i = 0`` (the unpenalized intercept requires it),

    P(W, b) >= D(u) = -sum_i loss_i^*(u_i) - penalty^*(-X^T u).

We take ``u = c * dloss/dz`` at the current point, after setting the intercept to
its optimum for the current ``W`` (which makes ``sum_i u_i = 0``), and
``c = penalty.dual_scale(...)`` (which makes ``u`` feasible for the pure L1
penalty). The loss conjugates at such points have closed forms: a quadratic for the
squared error, a negative entropy of ``c * p + (1 - c) * y`` for the log-losses.

A small gap does not mean small coefficient errors along flat directions of the
design; :func:`polish_squared` re-solves the least-squares problem exactly on the
current support and signs to close that distance once the support has settled.
"""

import numpy as np
import scipy.linalg
import scipy.sparse as sp
from scipy.special import expit, softmax, xlogy

from ._losses import LOSS_OF_OUTPUT_ACTIVATION


def _raw_output(X, W):
    return np.asarray(X @ W)


def _activate(Z, out_activation):
    if out_activation == "identity":
        return Z
    if out_activation == "logistic":
        return expit(Z)
    return softmax(Z, axis=1)


def optimal_intercept(XW, Y, sample_weight, out_activation, intercept, max_newton=50):
    """Intercept minimizing the weighted loss for fixed linear part ``XW``.

    Closed form (the weighted mean residual) for the squared error; Newton's method
    from ``intercept`` for the log-losses.

    Parameters
    ----------
    XW : ndarray of shape (n_samples, n_outputs)
        ``X @ W``.
    Y : ndarray of shape (n_samples, n_outputs)
        Targets.
    sample_weight : ndarray of shape (n_samples,)
        Weights summing to 1.
    out_activation : {'identity', 'logistic', 'softmax'}
        Selects the loss.
    intercept : ndarray of shape (n_outputs,)
        Starting point for Newton's method.

    Returns
    -------
    intercept : ndarray of shape (n_outputs,)
    """
    if out_activation == "identity":
        return sample_weight @ (Y - XW)
    b = np.array(intercept, dtype=np.float64)
    for _ in range(max_newton):
        P = _activate(XW + b, out_activation)
        grad = sample_weight @ (P - Y)
        if np.max(np.abs(grad)) <= 1e-15:
            break
        if out_activation == "logistic":
            curvature = sample_weight @ (P * (1 - P))
            step = grad / np.maximum(curvature, 1e-12)
        else:
            weighted = P * sample_weight[:, None]
            hessian = np.diag(weighted.sum(axis=0)) - P.T @ weighted
            # The softmax is invariant to adding a constant to every logit, so the
            # Hessian is singular along ones: take the least-norm Newton step.
            step = np.linalg.lstsq(hessian, grad, rcond=None)[0]
        b -= step
    return b.astype(XW.dtype, copy=False)


def _loss_conjugate_sum(Z, P, Y, sample_weight, out_activation, c):
    """``sum_i loss_i^*(c * s_i * (p_i - y_i))`` in closed form."""
    if out_activation == "identity":
        residual = Z - Y
        per_sample = 0.5 * c * c * np.einsum("ij,ij->i", residual, residual)
        per_sample += c * np.einsum("ij,ij->i", residual, Y)
        return float(sample_weight @ per_sample)
    Q = c * P + (1.0 - c) * Y
    negative_entropy = xlogy(Q, Q)
    if out_activation == "logistic":
        negative_entropy += xlogy(1.0 - Q, 1.0 - Q)
    return float(sample_weight @ negative_entropy.sum(axis=1))


def duality_gap(X, Y, sample_weight, W, intercept, penalty, out_activation):
    """Primal value, dual value and gap at ``(W, intercept)``.

    ``intercept`` must be optimal for ``W`` (see :func:`optimal_intercept`), so
    that the dual point satisfies the intercept's constraint.

    Returns
    -------
    primal, dual, gap : float
    """
    Z = _raw_output(X, W) + intercept
    primal = LOSS_OF_OUTPUT_ACTIVATION[out_activation](Z, Y, sample_weight)
    primal += penalty.value([W])
    P = _activate(Z.copy(), out_activation)
    G = (P - Y) * sample_weight[:, None]  # dloss/dz
    V = -np.asarray(X.T @ G)
    c = penalty.dual_scale(V)
    dual = -_loss_conjugate_sum(Z, P, Y, sample_weight, out_activation, c)
    dual -= penalty.conjugate(c * V)
    return primal, dual, primal - dual


def polish_squared(X, Y, sample_weight, W, penalty):
    """Solve the squared-error problem exactly on ``W``'s support and signs.

    On a fixed support ``S`` with signs ``sigma``, the elastic-net objective is a
    quadratic; its minimizer solves

        (X_S^T D X_S - xbar xbar^T + alpha (1 - rho) I) w = X_S^T D y - xbar ybar
                                                            - alpha rho sigma

    with ``D = diag(s)``, ``xbar = X_S^T s``, ``ybar = s^T y`` (weighted centering
    absorbs the intercept). Columns whose solution changes a sign are left as they
    were.

    Returns
    -------
    W : ndarray
        The polished weights (a new array).
    intercept : ndarray
        The optimal intercept for them.
    """
    W = W.copy()
    for j in range(W.shape[1]):
        support = np.flatnonzero(W[:, j])
        if support.size == 0:
            continue
        signs = np.sign(W[support, j])
        XS = X[:, support]
        weighted = XS.multiply(sample_weight[:, None]).tocsr() if sp.issparse(XS) else XS * sample_weight[:, None]
        gram = XS.T @ weighted
        gram = gram.toarray() if sp.issparse(gram) else np.asarray(gram)
        xbar = np.asarray(XS.T @ sample_weight).ravel()
        ybar = sample_weight @ Y[:, j]
        lhs = gram - np.outer(xbar, xbar)
        lhs[np.diag_indices_from(lhs)] += penalty.l2_strength
        rhs = np.asarray(weighted.T @ Y[:, j]).ravel() - xbar * ybar
        rhs -= penalty.l1_strength * signs
        try:
            solution = scipy.linalg.solve(lhs.astype(np.float64), rhs, assume_a="sym")
        except (scipy.linalg.LinAlgError, ValueError):
            continue
        if not np.all(np.isfinite(solution)) or np.any(np.sign(solution) != signs):
            continue
        W[support, j] = solution
    intercept = optimal_intercept(_raw_output(X, W), Y, sample_weight, "identity", None)
    return W, intercept


class LinearCertificate:
    """Stopping rule for FISTA on a model without hidden layers.

    Called on an iterate, it sets the intercept to its optimum, computes the duality
    gap (returning that intercept with the iterate once converged), and reports convergence once ``gap <= tol * scale``, where ``scale`` is
    ``sum_i s_i ||y_i - ybar||^2`` for the squared error (``ElasticNet``'s scaling of
    ``tol``) and the data loss of the best constant model for the log-losses. For the
    squared error it also tries :func:`polish_squared` once the support and signs are
    the same at two consecutive checks, and keeps the result only if the gap drops.

    Parameters
    ----------
    X, Y, sample_weight : arrays
        The training data, weights summing to 1.
    penalty : ElasticNet
        The penalty.
    out_activation : {'identity', 'logistic', 'softmax'}
        Selects the loss.
    tol : float
        Relative tolerance on the gap.
    """

    def __init__(self, X, Y, sample_weight, penalty, out_activation, tol):
        self.X, self.Y, self.sample_weight = X, Y, sample_weight
        self.penalty, self.out_activation, self.tol = penalty, out_activation, tol
        b0 = optimal_intercept(
            np.zeros_like(Y), Y, sample_weight, out_activation, np.zeros(Y.shape[1])
        )
        if out_activation == "identity":
            centered = Y - b0
            self.scale = float(sample_weight @ np.einsum("ij,ij->i", centered, centered))
        else:
            self.scale = LOSS_OF_OUTPUT_ACTIVATION[out_activation](
                np.broadcast_to(b0, Y.shape), Y, sample_weight
            )
        self.gap = np.inf
        self._last_pattern = None
        self._polished_pattern = None

    def __call__(self, coefs, intercepts):
        W = coefs[0]
        b = optimal_intercept(
            _raw_output(self.X, W), self.Y, self.sample_weight, self.out_activation, intercepts[0]
        )
        primal, _, gap = duality_gap(
            self.X, self.Y, self.sample_weight, W, b, self.penalty, self.out_activation
        )
        better = None
        pattern = np.sign(W)
        settled = self._last_pattern is not None and np.array_equal(pattern, self._last_pattern)
        self._last_pattern = pattern
        if (
            self.out_activation == "identity"
            and settled
            and gap > self.tol * self.scale
            and not np.array_equal(pattern, self._polished_pattern)
        ):
            self._polished_pattern = pattern
            W_new, b_new = polish_squared(self.X, self.Y, self.sample_weight, W, self.penalty)
            _, _, gap_new = duality_gap(
                self.X, self.Y, self.sample_weight, W_new, b_new, self.penalty, "identity"
            )
            if gap_new < gap:
                better, gap = ([W_new], [b_new]), gap_new
        self.gap = gap
        rounding = 100 * np.finfo(W.dtype).eps * abs(primal)
        done = gap <= max(self.tol * self.scale, rounding)
        if done and better is None:
            # Hand back the optimal intercept: it can only lower the objective.
            better = ([W], [b])
        return done, better
