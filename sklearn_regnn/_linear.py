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
design; :func:`polish_on_support` re-solves the problem exactly (by Newton's
method) on the current support and signs once the support has settled.
"""

import numpy as np
import scipy.sparse as sp
from scipy.special import expit, softmax, xlogy

from ._losses import LOSS_OF_OUTPUT_ACTIVATION
from .solvers._newton import damped_newton


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
    loss = LOSS_OF_OUTPUT_ACTIVATION[out_activation]
    last = {}

    def value_and_gradient(b):
        Z = XW + b
        last["P"] = _activate(Z, out_activation)
        return loss(Z, Y, sample_weight), sample_weight @ (last["P"] - Y)

    def hessian(b):
        P = last["P"]
        if out_activation == "logistic":
            return sample_weight @ (P * (1 - P))  # diagonal: one output each
        weighted = P * sample_weight[:, None]
        return np.diag(weighted.sum(axis=0)) - P.T @ weighted

    # The softmax is invariant to adding a constant to every logit.
    null = np.ones(Y.shape[1]) if out_activation == "softmax" else None
    b, _ = damped_newton(
        np.asarray(intercept, dtype=np.float64),
        value_and_gradient,
        hessian,
        null=null,
        max_steps=max_newton,
    )
    return b.astype(XW.dtype, copy=False)


def _loss_conjugate_sum(Z, P, Y, sample_weight, out_activation, c):
    """``sum_i loss_i^*(c * s_i * (p_i - y_i))`` in closed form."""
    if out_activation == "identity":
        residual = Z - Y
        # The conjugate's linear term sum_i s_i r_i y_i is unchanged by shifting y by a
        # constant (the weighted residuals sum to 0 at the optimal intercept); with y
        # centered it does not cancel catastrophically when y has a large offset.
        centered = Y - sample_weight @ Y
        per_sample = 0.5 * c * c * np.einsum("ij,ij->i", residual, residual)
        per_sample += c * np.einsum("ij,ij->i", residual, centered)
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
    # In float64: for float32 data, c * V could otherwise exceed the pure L1 bound by
    # float32 rounding and make the conjugate infinite.
    V = -np.asarray(X.T @ G, dtype=np.float64)
    c = penalty.dual_scale(V)
    dual = -_loss_conjugate_sum(Z, P, Y, sample_weight, out_activation, c)
    dual -= penalty.conjugate(c * V)
    return primal, dual, primal - dual


def _curvature(P, sample_weight, out_activation, k, m):
    """Per-sample second derivative of the weighted loss in ``z_k`` and ``z_m``."""
    if out_activation == "identity":
        return sample_weight if k == m else None
    if out_activation == "logistic":
        return sample_weight * P[:, k] * (1 - P[:, k]) if k == m else None
    cross = -P[:, k] * P[:, m]
    if k == m:
        cross = cross + P[:, k]
    return sample_weight * cross


def polish_on_support(
    X, Y, sample_weight, W, intercept, penalty, out_activation, max_free=2000, max_newton=25
):
    """Minimize the objective exactly on ``W``'s support and signs, by Newton's method.

    With the support ``S`` and the signs ``sigma`` of the non-zero weights held
    fixed, the objective is smooth in the free weights and the intercepts (the L1
    part is the linear term ``alpha rho sigma^T w``). For the squared error one
    Newton step is the exact least-squares re-solve; for the log-losses a few damped
    steps, judged by the gradient rather than by rounded objective values (see
    ``solvers._newton``), reach it to rounding level. Flat directions of the design,
    along which a small duality gap still allows large coefficient errors, are
    resolved exactly.

    Parameters
    ----------
    X, Y, sample_weight : arrays
        The data, weights summing to 1.
    W : ndarray of shape (n_features, n_outputs)
        Current weights; their zero pattern and signs are kept.
    intercept : ndarray of shape (n_outputs,)
        Current intercepts.
    penalty : ElasticNet
        The penalty.
    out_activation : {'identity', 'logistic', 'softmax'}
        Selects the loss.
    max_free : int, default=2000
        Give up (return None) when there are more free variables than this.
    max_newton : int, default=25
        Maximum number of Newton steps.

    Returns
    -------
    polished : tuple of (W, intercept), or None
        None when the system is too large, or when no Newton step could be taken
        without raising the objective. (A step that would flip a sign is halved
        until it does not.)
    """
    n_outputs = W.shape[1]
    rows = [np.flatnonzero(W[:, k]) for k in range(n_outputs)]
    n_free = sum(r.size + 1 for r in rows)
    if n_free > max_free or all(r.size == 0 for r in rows):
        return None
    columns = np.unique(np.concatenate(rows))
    X_used = X[:, columns]
    X_used = X_used.toarray() if sp.issparse(X_used) else np.asarray(X_used, dtype=np.float64)
    design = np.hstack([X_used, np.ones((X.shape[0], 1))])
    # Free variables of output k: its support columns (positions in `design`) and
    # the intercept (the last column).
    free = [np.append(np.searchsorted(columns, r), columns.size) for r in rows]
    signs = [np.sign(W[r, k]) for k, r in enumerate(rows)]
    offsets = np.concatenate([[0], np.cumsum([f.size for f in free])])
    loss = LOSS_OF_OUTPUT_ACTIVATION[out_activation]

    def unpack(x):
        W_, b_ = W.astype(np.float64), np.empty(n_outputs)
        for k, r in enumerate(rows):
            W_[r, k] = x[offsets[k] : offsets[k + 1] - 1]
            b_[k] = x[offsets[k + 1] - 1]
        return W_, b_

    last = {}

    def value_and_gradient(x):
        W_, b_ = unpack(x)
        Z = _raw_output(X, W_) + b_
        value = loss(Z, Y, sample_weight) + penalty.value([W_])
        last["P"] = P = _activate(Z, out_activation)
        G = (P - Y) * sample_weight[:, None]
        grad = np.empty(n_free)
        for k in range(n_outputs):
            g = design[:, free[k]].T @ G[:, k]
            g[:-1] += penalty.l1_strength * signs[k] + penalty.l2_strength * W_[rows[k], k]
            grad[offsets[k] : offsets[k + 1]] = g
        return value, grad

    def hessian(x):
        P = last["P"]
        H = np.zeros((n_free, n_free))
        for k in range(n_outputs):
            block = slice(offsets[k], offsets[k + 1])
            for m in range(n_outputs):
                h = _curvature(P, sample_weight, out_activation, k, m)
                if h is not None:
                    H[block, offsets[m] : offsets[m + 1]] = design[:, free[k]].T @ (
                        h[:, None] * design[:, free[m]]
                    )
            diagonal = np.arange(offsets[k], offsets[k + 1] - 1)
            H[diagonal, diagonal] += penalty.l2_strength
        return H

    def keeps_signs(x):
        # Signs only matter where the L1 term is linear in them.
        if not penalty.l1_strength:
            return True
        W_, _ = unpack(x)
        return all(np.array_equal(np.sign(W_[r, k]), signs[k]) for k, r in enumerate(rows))

    start = np.concatenate(
        [np.append(W[r, k], intercept[k]) for k, r in enumerate(rows)]
    ).astype(np.float64)
    null = None
    if out_activation == "softmax":
        # A common shift of the intercepts leaves the softmax unchanged.
        null = np.zeros(n_free)
        null[offsets[1:] - 1] = 1.0
    # At most 27 halvings (steps of 1e-8 of Newton's): a support whose optimum
    # breaks its sign pattern is left once the steps towards its edge get that short.
    x, n_steps = damped_newton(
        start,
        value_and_gradient,
        hessian,
        null=null,
        admissible=keeps_signs,
        max_steps=max_newton,
        max_halvings=27,
    )
    # A step taken on the directional derivative may round the value up a little.
    if not n_steps or value_and_gradient(x)[0] > value_and_gradient(start)[0]:
        return None
    W_cur, b_cur = unpack(x)
    return W_cur.astype(W.dtype), b_cur.astype(W.dtype)


class LinearCertificate:
    """Stopping rule for FISTA on a model without hidden layers.

    Called on an iterate, it sets the intercept to its optimum, computes the duality
    gap, and reports convergence once ``gap <= tol * scale`` (handing back that
    intercept with the iterate), where ``scale`` is ``sum_i s_i ||y_i - ybar||^2`` for
    the squared error (``ElasticNet``'s scaling of ``tol``) and the data loss of the
    best constant model for the log-losses. Once the support and signs are the same
    at two consecutive checks, or the gap is small enough to stop, it tries
    :func:`polish_on_support` (once per support) and keeps the result only if the
    gap drops.

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
        rounding = 100 * np.finfo(W.dtype).eps * abs(primal)
        threshold = max(self.tol * self.scale, rounding)
        # Polish once per support, when it has settled or when we are about to stop:
        # a gap below tol can still hide errors along flat directions of the design.
        # (The polish fixes signs, which only means something for a separable L1.)
        if (
            self.penalty.separable
            and (settled or gap <= threshold)
            and not np.array_equal(pattern, self._polished_pattern)
        ):
            self._polished_pattern = pattern
            polished = polish_on_support(
                self.X, self.Y, self.sample_weight, W, b, self.penalty, self.out_activation
            )
            if polished is not None:
                W_new, b_new = polished
                b_new = optimal_intercept(
                    _raw_output(self.X, W_new),
                    self.Y,
                    self.sample_weight,
                    self.out_activation,
                    b_new,
                )
                _, _, gap_new = duality_gap(
                    self.X,
                    self.Y,
                    self.sample_weight,
                    W_new,
                    b_new,
                    self.penalty,
                    self.out_activation,
                )
                if gap_new < gap:
                    better, gap = ([W_new], [b_new]), gap_new
        self.gap = gap
        # A gap below -threshold is numerical trouble, not convergence.
        done = abs(gap) <= threshold
        if done and better is None:
            # Hand back the optimal intercept: it can only lower the objective.
            better = ([W], [b])
        return done, better


class FeatureCentering:
    """Solve the linear model in coordinates where the features are centered.

    With ``xbar`` the weighted feature means, ``X W + b = (X - xbar) W + b'`` with
    ``b' = b + xbar W``. In ``(W, b')`` the intercept is decoupled from the weights
    (the Hessian's cross term ``sum_i s_i (x_i - xbar)`` vanishes), so a first-order
    method converges as fast on ``X + 100`` as on centered ``X``; in ``(W, b)`` the
    condition number grows with the square of the features' offsets. ``X`` itself is
    never centered (a sparse ``X`` stays sparse): the loss and its gradient are
    evaluated in the original coordinates and mapped.

    Parameters
    ----------
    X : {ndarray, sparse matrix} of shape (n_samples, n_features)
    sample_weight : ndarray of shape (n_samples,)
        Weights summing to 1.
    """

    def __init__(self, X, sample_weight):
        means = np.asarray(X.T @ sample_weight.astype(np.float64)).ravel()
        self.means = means.astype(X.dtype, copy=False)

    def to_centered(self, coefs, intercepts):
        """``(W, b)`` to ``(W, b')``, as new intercept arrays."""
        return list(coefs), [intercepts[0] + self.means @ coefs[0]]

    def from_centered(self, coefs, intercepts):
        """``(W, b')`` to ``(W, b)``, as new intercept arrays."""
        return list(coefs), [intercepts[0] - self.means @ coefs[0]]

    def smooth(self, loss):
        """Wrap a smooth loss of ``(W, b)`` as a function of ``(W, b')``."""
        return _CenteredLoss(loss, self)

    def certificate(self, certificate):
        """Wrap a certificate of ``(W, b)`` to take and hand back ``(W, b')``."""

        def centered_certificate(coefs, intercepts):
            done, better = certificate(*self.from_centered(coefs, intercepts))
            if better is not None:
                better = self.to_centered(*better)
            return done, better

        return centered_certificate


class _CenteredLoss:
    """A smooth loss of ``(W, b)`` seen as a function of ``(W, b')``."""

    def __init__(self, loss, centering):
        self.loss, self.centering = loss, centering
        self._coef_grad = None

    def value(self, coefs, intercepts):
        return self.loss.value(*self.centering.from_centered(coefs, intercepts))

    def value_and_grad(self, coefs, intercepts):
        value, coef_grads, intercept_grads = self.loss.value_and_grad(
            *self.centering.from_centered(coefs, intercepts)
        )
        # Chain rule through b = b' - xbar W: dW gains -outer(xbar, db).
        if self._coef_grad is None:
            self._coef_grad = np.empty_like(coef_grads[0])
        np.subtract(
            coef_grads[0],
            np.outer(self.centering.means, intercept_grads[0]),
            out=self._coef_grad,
        )
        return value, [self._coef_grad], intercept_grads
