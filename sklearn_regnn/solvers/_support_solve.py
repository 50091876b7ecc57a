"""Exact solves on the support of a least-squares iterate (the linear solver's polish).

With the support and the signs of the weights held, the elastic-net objective in
centered coordinates is a quadratic, minimized by one linear system per output.
:func:`polish` solves it, stepping back to the first sign change when the solution
crosses one (feature-sign search); :func:`reduce_support` first makes a singular
system regular for a pure L1 penalty, moving along its null space, where only the
L1 term changes. Both work from the Gram statistics alone (no pass over the data),
so that weighted and repeated data give the same answer.
"""

import numpy as np
from scipy.linalg import cho_solve


def polish(stats, W, penalty, max_solves=5):
    """Lower the objective by exact solves on the support of ``W``.

    For each output: with the support and signs held, the objective is a quadratic
    whose minimizer is one linear system. When that minimizer keeps every sign, it
    is taken; otherwise the weights move towards it only up to the first sign
    change, that weight is set to exactly 0, and the smaller support is solved
    again (feature-sign search, without adding features: FISTA does that), at most
    ``max_solves`` times per output. A singular system (more features on the
    support than independent samples, or collinear ones) is first made regular by
    dropping features along its null space, which only a pure L1 part allows (see
    :func:`reduce_support`). Every move lowers the objective, so the result is
    never worse than ``W``.

    Parameters
    ----------
    stats : CenteredGram
        The problem's statistics (``gram`` and ``correlation`` are used).
    W : ndarray of shape (n_features, n_outputs)
        Current weights (not modified).
    penalty : penalty object
        Separable, with ``l1_strength`` and ``l2_strength``.
    max_solves : int, default=5
        Linear systems solved per output at most.

    Returns
    -------
    polished : ndarray of shape (n_features, n_outputs)
    """
    G, C = stats.gram, stats.correlation
    polished = W.copy()
    for k in range(W.shape[1]):
        w = polished[:, k]
        for _ in range(max_solves):
            support = np.flatnonzero(w)
            if support.size == 0:
                break
            signs = np.sign(w[support])
            system = G[np.ix_(support, support)]
            system[np.diag_indices_from(system)] += penalty.l2_strength
            rhs = C[support, k] - penalty.l1_strength * signs
            factor = _cholesky(system)
            if factor is None and not penalty.l2_strength:
                # Singular (more features than independent samples, or collinear
                # ones): a pure L1 part can drop features, see reduce_support.
                if reduce_support(system, w, support):
                    continue
            if factor is not None:
                target = cho_solve((factor, True), rhs, check_finite=False)
            else:
                try:
                    # Ill-conditioned but with no null space to working precision:
                    # try the solve anyway, the caller keeps it only if it helps.
                    target = np.linalg.solve(system, rhs)
                except np.linalg.LinAlgError:
                    break
            flipped = np.sign(target) != signs
            if not penalty.l1_strength or not flipped.any():
                w[support] = target
                break
            # Move to the first zero crossing along the segment, and zero it there.
            current = w[support]
            fractions = current[flipped] / (current[flipped] - target[flipped])
            first = np.argmin(fractions)
            w[support] = current + fractions[first] * (target - current)
            w[support[np.flatnonzero(flipped)[first]]] = 0.0
    return polished


def _cholesky(system, rcond=1e-10):
    """The lower Cholesky factor of ``system``, or None when it is nearly singular:
    a pivot below ``rcond`` times its diagonal entry. (Whether it is singular to
    working precision is for :func:`reduce_support` to decide.)"""
    try:
        factor = np.linalg.cholesky(system)
    except np.linalg.LinAlgError:
        return None
    if np.any(np.diagonal(factor) ** 2 <= rcond * np.diagonal(system)):
        return None
    return factor


def reduce_support(system, w, support):
    """Zero weights of ``w`` (in place) until ``system``, the Gram matrix of its
    ``support``, is no longer singular, without raising the lasso objective.

    Along a direction ``d`` with ``system @ d = 0`` the quadratic is flat (the
    centered data cannot see it), so with the signs held the objective changes only
    through the L1 term, linearly: ``l1_strength * sign(w) . d``. Moving along the
    null direction that lowers ``sum |w|`` fastest (the projection of ``-sign(w)``
    on the null space, which does not depend on the basis computed for it) until a
    weight reaches 0 lowers the objective or keeps it; that weight (and any other
    reaching 0 at the same point) leaves the support, and the null space of the
    smaller support is what remains of it there. At the end the support's columns
    are independent, as those of every lasso solution can be chosen to be.

    Null means null to working precision (eigenvalues that rounding alone explains,
    numpy's ``matrix_rank`` convention): nearly collinear columns are a regular,
    if ill-conditioned, system, which the caller solves as it is.

    Parameters
    ----------
    system : ndarray of shape (n_support, n_support)
        The Gram matrix of the support's columns (pure L1: nothing on its diagonal).
    w : ndarray of shape (n_features,)
        Weights of one output, updated in place.
    support : ndarray of shape (n_support,)
        Indices of the non-zero weights, in the order of ``system``'s rows.

    Returns
    -------
    reduced : bool
        False when ``system`` has no null space to working precision.
    """
    eigenvalues, eigenvectors = np.linalg.eigh(system)
    rounding = max(eigenvalues[-1], 0.0) * system.shape[0] * np.finfo(np.float64).eps
    n_null = int(np.count_nonzero(eigenvalues <= rounding))
    if n_null == 0:
        return False
    null = eigenvectors[:, :n_null]  # orthonormal: eigh sorts the eigenvalues up
    values = w[support]
    w[support] = 0.0  # the weights that stay are written back at the end
    while null.shape[1] and support.size:
        direction = -null @ (null.T @ np.sign(values))
        if not np.any(direction * values < 0):
            # sign(w) is orthogonal to the null space: the objective is flat
            # along it, and any null direction will do.
            direction = null[:, 0] if np.any(null[:, 0] * values < 0) else -null[:, 0]
        shrinking = np.flatnonzero(direction * values < 0)
        ratios = -values[shrinking] / direction[shrinking]
        signs = np.sign(values)
        values = values + ratios.min() * direction
        values[shrinking[np.argmin(ratios)]] = 0.0
        # Others that reach 0 at the same point may land a rounding error past it:
        # they leave too, rather than flip their signs.
        values[np.sign(values) != signs] = 0.0
        for i in np.flatnonzero(values == 0.0)[::-1]:
            null = _null_space_without(null, i)
            support, values = np.delete(support, i), np.delete(values, i)
    w[support] = values
    return True


def _null_space_without(null, i):
    """An orthonormal basis of the null vectors (columns of ``null``) that are 0 at
    coordinate ``i``, with that coordinate removed.

    A Householder reflection ``H`` maps row ``r = null[i]`` onto the first axis, so
    the columns of ``null @ H`` after the first are 0 at ``i``. A row that is
    already 0 takes no direction away.
    """
    r = null[i]
    norm = np.linalg.norm(r)
    if norm > 1e-12:
        v = r.copy()
        v[0] += np.copysign(norm, r[0])
        null = (null - np.outer(null @ v, v * (2.0 / np.dot(v, v))))[:, 1:]
    return np.delete(null, i, axis=0)
