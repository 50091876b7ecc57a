"""What a cross-validated search does on its folds: walk their paths side by
side and score every fit, group the folds into jobs, and share the statistics
their training parts have in common (a linear least-squares model's Gram
statistics, all from one pass over the data and one over each held-out part).
"""

import warnings

import numpy as np
import scipy.sparse as sp
from joblib import effective_n_jobs
from sklearn.base import is_classifier

from ._full_batch import least_squares_penalty, uses_full_gram
from ._path import walk_paths
from ._training import LOCKSTEP_MAX_ENTRIES
from .penalties import make_penalty
from .solvers._quadratic import GramSums


def scale_columns(X, scale):
    """``X`` with column j multiplied by ``scale[j]`` (a new array or matrix)."""
    if sp.issparse(X):
        return type(X)(X @ sp.diags(scale.astype(X.dtype)))
    return X * scale.astype(X.dtype)


def path_scores(
    template, X, y, sample_weight, folds, alphas, scorer, scales, classes=None, statistics=None
):
    """For each of ``folds``, the scores of the warm-started path fitted on its
    training part, and the norms of the first-layer rows (one per input) of every
    fit along it. The folds' paths are walked side by side (:func:`walk_paths`).

    ``scorer=None`` is the estimator's own ``score``, computed from the network's
    output directly: the held-out part is a slice of data checked once already.
    ``scales`` multiply the inputs' columns, one per fold, in both parts (None:
    no scaling). ``classes`` are all the labels, for a classifier whose training
    part may lack some. ``statistics`` are the folds' training parts' Gram
    statistics (unscaled), when :func:`gram_statistics` made them.
    """
    caches = None
    if statistics is not None:
        caches = [
            {"gram": stats if scale is None else stats.scaled(scale)}
            for stats, scale in zip(statistics, scales)
        ]
    datasets, held_out = [], []
    for (train, test), scale in zip(folds, scales):
        X_train, X_test = X[train], X[test]
        if scale is not None:
            X_train, X_test = scale_columns(X_train, scale), scale_columns(X_test, scale)
        part = (lambda rows: None) if sample_weight is None else (lambda rows: sample_weight[rows])
        datasets.append((X_train, y[train], part(train)))
        held_out.append((X_test, y[test], part(test)))
    scores, norms = [[] for _ in folds], [[] for _ in folds]
    # The default score needs only the outputs; a scorer of the user's may read
    # anything a fitted model has, loss_ included.
    walks = walk_paths(template, datasets, alphas, classes, scorer is not None, caches)
    for fits in walks:
        for k, ((model, _), (X_test, y_test, weights)) in enumerate(zip(fits, held_out)):
            if scorer is None:
                output = model._network_output(X_test)
                scores[k].append(model._score_predictions(y_test, output, weights))
            elif weights is None:
                scores[k].append(scorer(model, X_test, y_test))
            else:
                scores[k].append(scorer(model, X_test, y_test, sample_weight=weights))
            norms[k].append(input_norms(model))
    return list(zip(scores, norms))


def gram_statistics(template, X, y, sample_weight, folds):
    """The Gram statistics of every fold's training part and of all the data, for a
    search whose fits would compute them (a linear least-squares model solved on
    working sets of dense float64 data, no larger than the data); None otherwise,
    or when a fold's training part is not the rest of the data once its held-out
    part is taken out (ShuffleSplit with a train_size, say).

    A fold's statistics are those of all the data minus its held-out part's: one
    pass over the data and one over each held-out part, where computing each fold
    on its own takes ``n_folds - 1`` passes over the data.

    Returns
    -------
    folds, whole : list of CenteredGram and CenteredGram, or None
    """
    if template._has_hidden_layers() or is_classifier(template) or template.solver != "fista":
        return None
    if sp.issparse(X) or X.dtype != np.float64 or template.penalty is None:
        return None
    Y = np.asarray(y, dtype=np.float64).reshape(X.shape[0], -1)
    penalty = least_squares_penalty(
        make_penalty(template.penalty, 1.0, template.l1_ratio), Y.shape[1]
    )
    smallest = min(len(train) for train, _ in folds)
    if not uses_full_gram(smallest, X.shape[1], penalty, "identity"):
        return None
    weights = np.ones(X.shape[0]) if sample_weight is None else np.asarray(sample_weight)
    for train, test in folds:
        covered = np.zeros(X.shape[0], dtype=bool)
        covered[train] = covered[test] = True
        if len(train) + len(test) != X.shape[0] or not covered.all():
            return None
        if not weights[train].sum() > 0:
            return None  # the fit says what is wrong
    x_shift = weights @ X / weights.sum()
    y_shift = weights @ Y / weights.sum()
    whole = GramSums(X, Y, weights, x_shift, y_shift)
    parts = [
        (whole - GramSums(X[test], Y[test], weights[test], x_shift, y_shift)).statistics()
        for _, test in folds
    ]
    return parts, whole.statistics()


def fold_chunks(folds, X, n_jobs):
    """The folds split into consecutive groups, each walked side by side by one job:
    as many groups as jobs, and more when the groups' training parts together
    would hold over LOCKSTEP_MAX_ENTRIES entries of ``X``."""
    n_samples, n_features = X.shape
    per_sample = X.nnz / max(n_samples, 1) if sp.issparse(X) else n_features
    entries = sum(len(train) for train, _ in folds) * per_sample
    n_chunks = max(effective_n_jobs(n_jobs), int(np.ceil(entries / LOCKSTEP_MAX_ENTRIES)))
    return [list(chunk) for chunk in np.array_split(np.arange(len(folds)), n_chunks) if len(chunk)]


def input_norms(model):
    """Norm of each input's outgoing first-layer weights."""
    return np.linalg.norm(model.coefs_[0], axis=1)


def relative(norms):
    """Norms divided by the largest (all zeros stay zeros)."""
    top = norms.max()
    return norms / top if top > 0 else np.zeros_like(norms)


def best_indices(scores, grids):
    """Indices (l1_ratio, alpha) of the best mean score; of tied alphas the
    largest, the sparsest model, as ElasticNetCV has it whichever way the grid runs."""
    means = scores.mean(axis=2)
    missing = np.isnan(means)
    if missing.all():
        raise ValueError(
            "Every alpha has a NaN mean score: the scorer gives NaN on some held-out "
            "part. Check scoring against the folds' sizes and classes."
        )
    if missing.any():
        warnings.warn(
            f"{missing.sum()} of {missing.size} mean scores are NaN (the scorer gave NaN "
            "on some held-out part); alpha_ is the best of the others.",
            UserWarning,
            stacklevel=4,
        )
    # Walk each grid from its largest alpha so that the first maximum is the largest.
    order = np.argsort(-np.asarray(grids), axis=1, kind="stable")
    ranked = np.take_along_axis(means, order, axis=1)
    ratio, rank = np.unravel_index(np.nanargmax(ranked), ranked.shape)
    return ratio, order[ratio, rank]


