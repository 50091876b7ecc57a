"""Full-batch fitting (``solver='fista'``): which solver each problem gets.

Pure functions of the data, the starting parameters and the penalty; the estimator
keeps only the bookkeeping (iteration counts, loss curve, warnings).
"""

import numpy as np
import scipy.sparse as sp

from . import _network
from ._linear import FeatureCentering, LinearCertificate, optimal_intercept
from .penalties import ElasticNet, GroupLasso
from .solvers import fista
from .solvers._quadratic import CenteredGram, working_set_fista

# The least-squares solver may always use a Gram matrix of this many features
# (and, beyond it, one no larger than the data: of at most n_samples features for
# a dense X, and at most sqrt(nnz) for a sparse one).
_MIN_GRAM_FEATURES = 1000


def least_squares_penalty(penalty, n_outputs):
    """The penalty a model without hidden layers is solved with: with one output
    every row of the weight matrix is one weight, and a group penalty on rows is
    the separable one (``|w|`` is the norm of a row of one)."""
    if n_outputs == 1 and isinstance(penalty, GroupLasso):
        return ElasticNet(penalty.alpha, penalty.l1_ratio)
    return penalty


def on_working_sets(n_samples, n_features, penalty, out_activation):
    """Whether a model without hidden layers is solved on the Gram matrices of
    working sets: least squares with a separable penalty (as
    :func:`least_squares_penalty` gives it), sparse or with at least as many
    samples as features."""
    return (
        out_activation == "identity"
        and penalty.separable
        and (penalty.l1_strength > 0 or n_samples >= n_features)
    )


def uses_full_gram(n_samples, n_features, penalty, out_activation):
    """Whether a path of such fits on dense data keeps the Gram statistics of all
    the features (in its cache, under ``'gram'``): when they are no larger than
    the data."""
    return on_working_sets(
        n_samples, n_features, penalty, out_activation
    ) and n_features <= max(n_samples, _MIN_GRAM_FEATURES)


def _max_working_set(X):
    data_size = int(np.sqrt(X.nnz)) if sp.issparse(X) else X.shape[0]
    return max(data_size, _MIN_GRAM_FEATURES)


def solve_full_batch(
    X,
    Y,
    sample_weight,
    coefs,
    intercepts,
    penalty,
    *,
    activation,
    out_activation,
    max_iter,
    tol,
    n_iter_no_change,
    verbose=False,
    cache=None,
):
    """Minimize the objective on the whole data set from ``(coefs, intercepts)``.

    Least squares without hidden layers (with a separable penalty, sparse or with
    at least as many samples as features) goes to
    :func:`~sklearn_regnn.solvers._quadratic.working_set_fista`; any other model
    without hidden layers to FISTA in centered coordinates with the duality-gap
    certificate; networks to plain FISTA with its stall rule.

    Parameters
    ----------
    X : {ndarray, sparse matrix} of shape (n_samples, n_features)
    Y : ndarray of shape (n_samples, n_outputs)
        Targets in the dtype of ``X``.
    sample_weight : ndarray of shape (n_samples,)
        Weights summing to 1.
    coefs, intercepts : list of ndarray
        Starting point (not modified).
    penalty : penalty object
    activation, out_activation : str
        Hidden and output activations.
    max_iter, tol, n_iter_no_change, verbose
        As for the estimators.
    cache : dict, default=None
        Where statistics of the data may be kept between calls on the *same*
        ``(X, Y, sample_weight)``: a warm-started path passes one so that the Gram
        matrix of all the features is formed once for all its ``alpha`` values.

    Returns
    -------
    coefs, intercepts : list of ndarray
        The solution, in the dtype of ``X``.
    result : FistaResult
        How it was reached.
    """
    linear = len(coefs) == 1
    penalty = least_squares_penalty(penalty, Y.shape[1]) if linear else penalty
    if linear and on_working_sets(*X.shape, penalty, out_activation):
        # Least squares: exact solves on the Gram matrices of working sets of
        # features, while those are smaller than the data. Weights that sum to 1
        # in float32 are 1e-8 off in float64, which would put a floor under the
        # duality gap: the statistics get float64 ones.
        weights = np.asarray(sample_weight, dtype=np.float64)
        weights = weights / weights.sum()
        max_working_set = _max_working_set(X)
        full_gram = None
        if cache is not None and X.shape[1] <= max_working_set:
            if "gram" not in cache:
                cache["gram"] = CenteredGram(X, Y, weights)
            full_gram = cache["gram"]
        result = working_set_fista(
            X,
            Y,
            weights,
            coefs[0],
            penalty,
            max_iter=max_iter,
            tol=tol,
            max_working_set=max_working_set,
            full_gram=full_gram,
        )
        if result is not None:
            return (
                [W.astype(X.dtype) for W in result.coefs],
                [b.astype(X.dtype) for b in result.intercepts],
                result,
            )
    smooth = _network.DataLoss(X, Y, sample_weight, activation, out_activation)
    certificate = None
    if linear:
        if not penalty.is_zero:
            certificate = LinearCertificate(X, Y, sample_weight, penalty, out_activation, tol)
        # Uncentered features couple the intercept to the weights and slow FISTA down
        # by their offsets; solve in centered coordinates instead.
        centering = FeatureCentering(X, sample_weight)
        smooth = centering.smooth(smooth)
        if certificate is not None:
            certificate = centering.certificate(certificate)
        coefs, intercepts = centering.to_centered(coefs, intercepts)
    result = fista(
        smooth,
        coefs,
        intercepts,
        penalty,
        max_iter=max_iter,
        tol=tol,
        certificate=certificate,
        n_iter_no_change=n_iter_no_change,
        verbose=verbose,
    )
    coefs, intercepts = result.coefs, result.intercepts
    if linear:
        coefs, intercepts = centering.from_centered(coefs, intercepts)
        if penalty.is_zero:
            intercepts[0][:] = optimal_intercept(
                np.asarray(X @ coefs[0]), Y, sample_weight, out_activation, intercepts[0]
            )
    return coefs, intercepts, result
