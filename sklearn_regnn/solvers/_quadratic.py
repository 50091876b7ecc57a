"""FISTA on the Gram matrix: the squared-error model without hidden layers.

With ``hidden_layer_sizes=()`` and the squared error, the data term in centered
coordinates (features and targets minus their weighted means, the intercept
solved in closed form) is the quadratic

    f(W) = 1/2 tr(W^T G W) - tr(W^T C) + 1/2 sum(yy),

with ``G = Xc^T S Xc`` (``p x p``), ``C = Xc^T S Yc`` and ``yy`` the weighted sums
of squares of the centered targets. When there are at least as many samples as
features these are cheaper to work with than ``X`` itself (as ElasticNet's
``precompute`` option does): each iteration costs one product with ``G`` instead
of two passes over ``X``, whose cost is memory traffic more than arithmetic. The
Lipschitz constant is the largest eigenvalue of ``G``, so no step-size search is
needed, and the duality gap and an exact re-solve on the support (a linear system)
come from ``G`` and ``C`` too.
"""

import numpy as np
import scipy.sparse as sp
from scipy.sparse.linalg import eigsh

from ._fista import FistaResult
from ._support_solve import polish

# Rows of X centered and weighted at a time while forming G: bounds the scratch
# memory to this many rows (times n_features) whatever n_samples.
_CHUNK_ROWS = 2048


class CenteredGram:
    """Weighted least-squares statistics of ``(X, Y)`` in centered coordinates.

    Everything is computed in float64, whatever the dtype of ``X``. A sparse ``X``
    stays sparse: its Gram matrix is ``X^T S X - xbar xbar^T``, which loses digits
    to cancellation only for features whose mean is large against their spread.

    Parameters
    ----------
    X : {ndarray, sparse matrix} of shape (n_samples, n_features)
    Y : ndarray of shape (n_samples, n_outputs)
    sample_weight : ndarray of shape (n_samples,)
        Non-negative weights summing to 1.

    Attributes
    ----------
    gram : ndarray of shape (n_features, n_features)
        ``Xc^T S Xc``.
    correlation : ndarray of shape (n_features, n_outputs)
        ``Xc^T S Yc``.
    target_sum_of_squares : ndarray of shape (n_outputs,)
        ``sum_i s_i (y_ik - ybar_k)**2``.
    x_mean, y_mean : ndarray
        Weighted means of the features and targets.
    """

    def __init__(self, X, Y, sample_weight):
        weights = np.asarray(sample_weight, dtype=np.float64)
        self.x_mean = weighted_mean(X, weights)
        self.y_mean = weights @ Y
        if sp.issparse(X):
            self._from_sparse(X, Y, weights)
            return
        # Centering before the product, not after: X^T S X - xbar xbar^T loses
        # digits to cancellation when the features have large offsets. About the
        # weighted means and with weights summing to 1, the sums are the statistics.
        sums = GramSums(X, Y, weights, self.x_mean, self.y_mean)
        self.gram, self.correlation = sums.xx, sums.xy
        self.target_sum_of_squares = sums.yy

    def _from_sparse(self, X, Y, weights):
        # diags is float64, so the product is a new float64 matrix already.
        Xs = sp.diags(np.sqrt(weights)) @ X
        self.gram = np.asarray((Xs.T @ Xs).toarray()) - np.outer(self.x_mean, self.x_mean)
        Ys = (Y - self.y_mean) * weights[:, np.newaxis]
        # X^T S Yc = Xc^T S Yc: the weighted centered targets sum to 0.
        self.correlation = np.asarray(X.T @ Ys, dtype=np.float64)
        self.target_sum_of_squares = np.einsum("ij,ij->j", Ys, Y - self.y_mean)

    def intercept(self, W):
        """Intercepts in the original coordinates for weights ``W``."""
        return self.y_mean - self.x_mean @ W

    def lipschitz(self):
        """An upper bound of the largest eigenvalue of ``gram`` (computed once)."""
        if getattr(self, "_lipschitz", None) is None:
            self._lipschitz = largest_eigenvalue(self.gram) * 1.01
        return self._lipschitz

    def scaled(self, scale):
        """The statistics of the data with column ``j`` of ``X`` multiplied by
        ``scale[j]`` (no pass over the data)."""
        part = object.__new__(CenteredGram)
        part.x_mean = self.x_mean * scale
        part.y_mean = self.y_mean
        part.gram = self.gram * np.outer(scale, scale)
        part.correlation = self.correlation * scale[:, np.newaxis]
        part.target_sum_of_squares = self.target_sum_of_squares
        return part

    def subset(self, columns):
        """The statistics of the features ``columns`` only (no pass over the data).

        A principal submatrix's eigenvalues are bounded by the whole matrix's, so
        the subset keeps this one's Lipschitz bound instead of computing its own.
        """
        part = object.__new__(CenteredGram)
        part._lipschitz = self.lipschitz()
        part.x_mean = self.x_mean[columns]
        part.y_mean = self.y_mean
        part.gram = self.gram[np.ix_(columns, columns)]
        part.correlation = self.correlation[columns]
        part.target_sum_of_squares = self.target_sum_of_squares
        return part


class GramSums:
    """Weighted sums of products of ``(X, Y)`` over a set of rows, with ``X`` and
    ``Y`` shifted by fixed points: sums over disjoint sets of rows add up, so the
    centered statistics of a cross-validation fold's training part follow from the
    sums over all the rows minus those over its held-out part, without a pass over
    the training part itself.

    The shift (the data's weighted mean, say) keeps the subtraction of the fold's
    mean at the end free of cancellation, as centering before the product does
    for :class:`CenteredGram`.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
        Dense data.
    Y : ndarray of shape (n_samples, n_outputs)
    sample_weight : ndarray of shape (n_samples,)
        Non-negative weights (not normalized).
    x_shift : ndarray of shape (n_features,)
    y_shift : ndarray of shape (n_outputs,)
    """

    def __init__(self, X, Y, sample_weight, x_shift, y_shift):
        weights = np.asarray(sample_weight, dtype=np.float64)
        self.x_shift, self.y_shift = x_shift, y_shift
        self.weight = float(weights.sum())
        n_features, n_outputs = X.shape[1], Y.shape[1]
        self.x_sum, self.y_sum = np.zeros(n_features), np.zeros(n_outputs)
        self.xx = np.zeros((n_features, n_features))
        self.xy = np.zeros((n_features, n_outputs))
        self.yy = np.zeros(n_outputs)
        for start in range(0, X.shape[0], _CHUNK_ROWS):
            rows = slice(start, start + _CHUNK_ROWS)
            root = np.sqrt(weights[rows])[:, np.newaxis]
            Xs = X[rows] - x_shift
            Xs *= root
            Ys = (Y[rows] - y_shift) * root
            self.x_sum += root[:, 0] @ Xs
            self.y_sum += root[:, 0] @ Ys
            self.xx += np.dot(Xs.T, Xs)  # a symmetric rank-k update in BLAS
            self.xy += Xs.T @ Ys
            self.yy += np.einsum("ij,ij->j", Ys, Ys)

    def __sub__(self, other):
        difference = object.__new__(GramSums)
        difference.x_shift, difference.y_shift = self.x_shift, self.y_shift
        for name in ("weight", "x_sum", "y_sum", "xx", "xy", "yy"):
            setattr(difference, name, getattr(self, name) - getattr(other, name))
        return difference

    def statistics(self):
        """The :class:`CenteredGram` of these rows, with their weights normalized."""
        stats = object.__new__(CenteredGram)
        x_offset, y_offset = self.x_sum / self.weight, self.y_sum / self.weight
        stats.x_mean = self.x_shift + x_offset
        stats.y_mean = self.y_shift + y_offset
        stats.gram = self.xx / self.weight - np.outer(x_offset, x_offset)
        stats.correlation = self.xy / self.weight - np.outer(x_offset, y_offset)
        stats.target_sum_of_squares = self.yy / self.weight - y_offset**2
        return stats


def weighted_mean(X, weights):
    """``weights @ X`` as a 1-D float64 array, for dense or sparse ``X``."""
    return np.asarray(X.T @ weights, dtype=np.float64).ravel()


def largest_eigenvalue(G):
    """Largest eigenvalue of the symmetric positive semi-definite matrix ``G``."""
    if G.shape[0] <= 64:
        return float(np.linalg.eigvalsh(G)[-1])
    # Lanczos needs a few dozen products with G instead of an O(p^3) decomposition.
    start = np.ones(G.shape[0])
    return float(eigsh(G, k=1, which="LA", tol=1e-6, v0=start, return_eigenvectors=False)[0])


def _residual_terms(stats, W, GW):
    """``sum_i s_i ||r_i||^2`` and ``sum_i s_i r_i . yc_i`` for the residuals
    ``r = Yc - Xc W``, from the statistics alone."""
    cross = float(np.vdot(W, stats.correlation))
    sum_of_squares = float(stats.target_sum_of_squares.sum())
    return sum_of_squares - 2 * cross + float(np.vdot(W, GW)), sum_of_squares - cross


def _primal(stats, W, GW, penalty):
    """The objective at ``W`` with the optimal intercept."""
    return 0.5 * _residual_terms(stats, W, GW)[0] + penalty.value([W])


def _gap(stats, W, GW, penalty):
    """Primal objective and duality gap at ``W`` (with the optimal intercept)."""
    residual_ss, residual_dot_y = _residual_terms(stats, W, GW)
    primal = 0.5 * residual_ss + penalty.value([W])
    # Dual point: the weighted residuals, scaled into the conjugate's domain.
    V = stats.correlation - GW  # X^T S r, minus the gradient
    c = penalty.dual_scale(V)
    dual = -(0.5 * c * c * residual_ss - c * residual_dot_y)
    dual -= penalty.conjugate(c * V)
    return primal, primal - dual


def gram_fista(stats, W, penalty, *, max_iter, tol, check_every=10):
    """Minimize ``f(W) + penalty(W)`` (``f`` the centered quadratic) by FISTA.

    Parameters
    ----------
    stats : CenteredGram
        The problem's statistics.
    W : ndarray of shape (n_features, n_outputs)
        Starting weights (not modified).
    penalty : penalty object
        Separable, with ``prox``, ``value``, ``dual_scale`` and ``conjugate``.
    max_iter : int
        Maximum number of iterations.
    tol : float
        Stop once the duality gap is at most ``tol * sum(yy)`` (ElasticNet's
        scaling of ``tol``).
    check_every : int, default=10
        Iterations between duality-gap checks.

    Returns
    -------
    result : FistaResult
        Weights and intercepts in the original coordinates, the objective after
        each iteration, and whether the gap certified convergence.
    """
    G, C = stats.gram, stats.correlation
    W = np.array(W, dtype=np.float64)
    scale = float(stats.target_sum_of_squares.sum())
    noise = 64 * np.finfo(np.float64).eps * max(scale, 1.0)
    if penalty.is_zero:
        # Least squares: the minimum-norm solution of G W = C, exactly.
        W = np.linalg.lstsq(G, C, rcond=None)[0]
        primal = _primal(stats, W, G @ W, penalty)
        return _result(stats, W, primal, 1, True, [primal], 1.0)

    lipschitz = max(stats.lipschitz(), np.finfo(np.float64).tiny)
    step = 1.0 / lipschitz
    GW = G @ W
    F = _primal(stats, W, GW, penalty)
    Y, GY = W.copy(), GW.copy()
    t, momentum = 1.0, False
    curve, converged, last_pattern, polished_pattern = [], False, None, None
    n_iter = 0
    for n_iter in range(1, max_iter + 1):
        Z = Y - step * (GY - C)
        penalty.prox([Z], step)
        GZ = G @ Z
        F_z = _primal(stats, Z, GZ, penalty)
        if F_z > F + noise and momentum:
            # Function restart: the momentum step went uphill; redo it plainly.
            Y, GY, t, momentum = W, GW, 1.0, False
            continue
        # Gradient restart: momentum would carry on where the step says not to go.
        restart = float(np.vdot(Y - Z, Z - W)) > 0
        t_next = 1.0 if restart else (1.0 + np.sqrt(1.0 + 4.0 * t * t)) / 2.0
        beta = 0.0 if restart else (t - 1.0) / t_next
        # Y = Z + beta (Z - W), so G Y follows from G Z and G W with no product.
        Y = Z + beta * (Z - W)
        GY = GZ + beta * (GZ - GW)
        W, GW, F, t, momentum = Z, GZ, F_z, t_next, beta != 0.0
        curve.append(F)
        if n_iter % check_every:
            continue
        F, gap = _gap(stats, W, GW, penalty)
        threshold = max(tol * scale, noise)
        pattern = np.sign(W)
        settled = np.array_equal(pattern, last_pattern)
        last_pattern = pattern
        # The polish can only lower the objective; it is tried once per support and
        # signs: as soon as they are known on a small support, where its solves cost
        # less than the iterations they save; once they have settled otherwise; and
        # always before stopping, since a gap within tol still allows errors along
        # flat directions of G that the exact solve removes.
        cheap = np.count_nonzero(pattern) ** 3 <= 30 * G.shape[0] ** 2
        if (cheap or settled or gap <= threshold) and not np.array_equal(
            pattern, polished_pattern
        ):
            polished_pattern = pattern
            candidate = polish(stats, W, penalty)
            G_candidate = G @ candidate
            F_candidate, gap_candidate = _gap(stats, candidate, G_candidate, penalty)
            if F_candidate <= F:
                W, GW, F, gap = candidate, G_candidate, F_candidate, gap_candidate
                Y, GY, t, momentum = W, GW, 1.0, False
                curve[-1] = F
        if abs(gap) <= threshold:
            converged = True
            break
    return _result(stats, W, F, n_iter, converged, curve, lipschitz)


def _result(stats, W, objective, n_iter, converged, curve, lipschitz):
    return FistaResult(
        coefs=[W],
        intercepts=[stats.intercept(W)],
        objective=float(objective),
        n_iter=n_iter,
        converged=converged,
        objective_curve=curve,
        lipschitz=lipschitz,
    )


def _full_gap(X, Yc, weights, x_mean, W, penalty):
    """Objective and duality gap of the whole problem at ``W`` (one pass over ``X``),
    and the negative gradient ``V = Xc^T S r``, whose size outside the support says
    which features violate the optimality conditions."""
    R = Yc - np.asarray(X @ W)
    R += x_mean @ W
    SR = R * weights[:, np.newaxis]
    # Xc^T S r = X^T S r - xbar (1^T S r). The second term is 0 in exact arithmetic
    # (optimal intercept), but its rounding error, times large feature offsets,
    # would put a floor under the gap.
    V = np.asarray(X.T @ SR) - np.outer(x_mean, SR.sum(axis=0))
    residual_ss = float(np.vdot(SR, R))
    residual_dot_y = float(np.vdot(SR, Yc))
    primal = 0.5 * residual_ss + penalty.value([W])
    c = penalty.dual_scale(V)
    dual = -(0.5 * c * c * residual_ss - c * residual_dot_y) - penalty.conjugate(c * V)
    return primal, primal - dual, V


def working_set_fista(
    X, Y, sample_weight, W, penalty, *, max_iter, tol, max_working_set, full_gram=None
):
    """Solve the squared-error linear model on growing sets of features.

    Most features of a sparse solution are 0: the problem is solved (by
    :func:`gram_fista`) on a *working set* of features only, whose Gram matrix is
    small, and one pass over all of ``X`` then checks the optimality conditions of
    the others. Features that violate them join the working set (which at least
    doubles the size of the support each time) until the duality gap of the whole
    problem is within ``tol``. When the working set would hold more than half the
    features (no L1 part, or a dense solution), it holds them all.

    Parameters
    ----------
    X : {ndarray, sparse matrix} of shape (n_samples, n_features)
        Data; a sparse one is never densified.
    Y : ndarray of shape (n_samples, n_outputs)
    sample_weight : ndarray of shape (n_samples,)
        Non-negative weights summing to 1.
    W : ndarray of shape (n_features, n_outputs)
        Starting weights (not modified).
    penalty : penalty object
        Separable, with ``prox``, ``value``, ``dual_scale`` and ``conjugate``.
    max_iter : int
        Maximum number of FISTA iterations, over all working sets.
    tol : float
        Stop once the duality gap is at most ``tol`` times the weighted sum of
        squares of the centered targets (ElasticNet's scaling of ``tol``).
    max_working_set : int
        Give up (return None) when the working set would need more features than
        this: a Gram matrix larger than the data is no saving.
    full_gram : CenteredGram, default=None
        The statistics of all the features, when already at hand (a path over
        ``alpha`` on the same data computes them once): the working sets' Gram
        matrices and the duality gaps then come from it, with no pass over ``X``.

    Returns
    -------
    result : FistaResult or None
        Weights and intercepts in the original coordinates.
    """
    n_features = X.shape[1]
    weights = np.asarray(sample_weight, dtype=np.float64)
    W = np.array(W, dtype=np.float64)
    if full_gram is None:
        x_mean, y_mean = weighted_mean(X, weights), weights @ Y
        Yc = Y - y_mean
        scale = float(np.vdot(Yc * weights[:, np.newaxis], Yc))
    else:
        # The statistics hold all of these already: no pass over X.
        x_mean, y_mean = full_gram.x_mean, full_gram.y_mean
        scale = float(full_gram.target_sum_of_squares.sum())
    threshold = max(tol * scale, 64 * np.finfo(np.float64).eps * max(scale, 1.0))
    curve, n_iter, converged = [], 0, False
    objective = np.nan
    while True:
        if full_gram is None:
            objective, gap, V = _full_gap(X, Yc, weights, x_mean, W, penalty)
        else:
            GW = full_gram.gram @ W
            objective, gap = _gap(full_gram, W, GW, penalty)
            V = full_gram.correlation - GW
        if abs(gap) <= threshold:
            converged = True
            break
        if n_iter >= max_iter:
            break
        support = np.flatnonzero(np.any(W != 0, axis=1))
        # How far each feature is from satisfying |V_j| <= alpha * l1_ratio at 0.
        violation = np.max(np.abs(V), axis=1) - penalty.l1_strength
        violation[support] = np.inf
        n_violating = int(np.count_nonzero(violation > 0))
        size = max(2 * support.size, 10)
        if size > max_working_set:
            return None
        if n_violating <= max_working_set:
            # Take every violating feature at once when they fit: few outer rounds.
            size = max(size, n_violating)
        if not penalty.l1_strength or size > n_features // 2:
            # Little sparsity to exploit: one Gram matrix of every feature is cheaper
            # than several growing ones.
            working_set = np.arange(n_features)
        else:
            candidates = np.argsort(-violation)[:size]
            working_set = np.sort(candidates[violation[candidates] > 0])
        if full_gram is not None:
            stats = full_gram if working_set.size == n_features else full_gram.subset(working_set)
        else:
            stats = CenteredGram(
                X if working_set.size == n_features else X[:, working_set], Y, weights
            )
        inner = gram_fista(
            stats,
            W[working_set],
            penalty,
            max_iter=max_iter - n_iter,
            tol=0.3 * tol,
            check_every=5,
        )
        W[:] = 0.0
        W[working_set] = inner.coefs[0]
        n_iter += inner.n_iter
        curve.extend(inner.objective_curve)
        if penalty.is_zero:
            # Least squares on every feature, solved exactly by the inner call. No
            # duality gap certifies it: the zero penalty's conjugate is finite only
            # at V = 0, which rounding never reaches.
            objective, converged = inner.objective, inner.converged
            break
    return FistaResult(
        coefs=[W],
        intercepts=[y_mean - x_mean @ W],
        objective=float(objective),
        n_iter=max(n_iter, 1),
        converged=converged,
        objective_curve=curve or [float(objective)],
        lipschitz=np.nan,
    )
