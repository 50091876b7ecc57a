"""A search's work on its folds (``sklearn_regnn._folds``): the Gram statistics the
folds of a linear least-squares search share, and when a search does without them."""

import numpy as np
import pytest
import scipy.sparse as sp
from _data import regression_data
from numpy.testing import assert_allclose
from sklearn import config_context
from sklearn.metrics import make_scorer, r2_score
from sklearn.model_selection import GridSearchCV, KFold, ShuffleSplit

from sklearn_regnn import (
    RegularizedMLPClassifier,
    RegularizedMLPRegressor,
    RegularizedMLPRegressorCV,
)
from sklearn_regnn._folds import gram_statistics
from sklearn_regnn.solvers._quadratic import CenteredGram

LINEAR = dict(hidden_layer_sizes=(), solver="fista", penalty="l1", tol=1e-10, max_iter=20_000)


@pytest.mark.parametrize("weighted", [False, True])
def test_fold_statistics_are_each_training_parts_own(weighted):
    """All the data minus the held-out part gives the training part's centered
    statistics, with its weights normalized, even for features far from zero and
    for two outputs."""
    X, Y = regression_data(n_samples=90, n_features=7, n_targets=2, seed=4)
    X = X * [1, 10, 0.1, 1, 1, 1, 1] + [1e3, -50, 0, 2, 0, 0, 7]
    rng = np.random.default_rng(0)
    weights = rng.uniform(0.2, 3.0, 90) if weighted else None
    folds = list(KFold(4, shuffle=True, random_state=0).split(X))
    parts, whole = gram_statistics(RegularizedMLPRegressor(**LINEAR), X, Y, weights, folds)
    w = np.ones(90) if weights is None else weights
    for (train, _), stats in zip(folds + [(np.arange(90), None)], parts + [whole]):
        direct = CenteredGram(X[train], Y[train], w[train] / w[train].sum())
        scale = np.abs(direct.gram).max()
        assert_allclose(stats.gram, direct.gram, rtol=0, atol=1e-12 * scale)
        assert_allclose(stats.correlation, direct.correlation, rtol=1e-10, atol=1e-12 * scale)
        assert_allclose(stats.target_sum_of_squares, direct.target_sum_of_squares, rtol=1e-12)
        assert_allclose(stats.x_mean, direct.x_mean, rtol=1e-14, atol=1e-12)
        assert_allclose(stats.y_mean, direct.y_mean, rtol=1e-13, atol=1e-15)


def test_scaled_statistics_are_those_of_scaled_columns():
    X, y = regression_data(n_samples=50, seed=2)
    w = np.full(50, 1 / 50)
    scale = np.array([0.0, 0.5, 1.0, 2.0, 3.0, 0.1])
    stats = CenteredGram(X, y[:, np.newaxis], w).scaled(scale)
    direct = CenteredGram(X * scale, y[:, np.newaxis], w)
    for name in ("gram", "correlation", "x_mean", "target_sum_of_squares"):
        assert_allclose(getattr(stats, name), getattr(direct, name), rtol=1e-13, atol=1e-15)


def test_searches_whose_fits_would_not_use_them_get_none():
    X, y = regression_data(n_samples=60, seed=1)
    folds = list(KFold(3).split(X))
    linear = RegularizedMLPRegressor(**LINEAR)
    assert gram_statistics(linear, X, y, None, folds) is not None
    others = [
        (RegularizedMLPRegressor(**{**LINEAR, "hidden_layer_sizes": (4,)}), X),
        (RegularizedMLPRegressor(**{**LINEAR, "solver": "adam"}), X),
        (RegularizedMLPClassifier(**LINEAR), X),
        (linear, X.astype(np.float32)),
        (linear, sp.csr_matrix(X)),
    ]
    for template, data in others:
        assert gram_statistics(template, data, y > 0, None, folds) is None
    # Training parts that are not the rest of the data.
    subsampled = list(ShuffleSplit(3, train_size=0.5, test_size=0.3, random_state=0).split(X))
    assert gram_statistics(linear, X, y, None, subsampled) is None
    # A training part without weight: the fit reports it, not the statistics.
    weights = np.ones(60)
    weights[folds[0][0]] = 0.0
    assert gram_statistics(linear, X, y, weights, folds) is None


@pytest.mark.parametrize(
    "cv",
    [KFold(3), ShuffleSplit(3, train_size=0.5, test_size=0.3, random_state=0)],
    ids=["partition", "subsampled"],
)
def test_linear_search_with_or_without_shared_statistics_is_grid_search(cv):
    """With the folds' statistics shared (KFold) or each fold's own (ShuffleSplit
    with a train_size), the scores are GridSearchCV's, and the refit, which takes
    the whole data's statistics, is the plain fit at alpha_."""
    X, y = regression_data(n_samples=90, n_features=8, seed=6)
    weights = np.random.default_rng(1).uniform(0.5, 2.0, 90)
    model = RegularizedMLPRegressorCV(alphas=5, cv=cv, **LINEAR).fit(X, y, sample_weight=weights)
    # GridSearchCV weights its held-out scores as the CV estimator does only from
    # scikit-learn 1.7; routing the weights to the scorer asks for it in every
    # supported release.
    with config_context(enable_metadata_routing=True):
        search = GridSearchCV(
            RegularizedMLPRegressor(**LINEAR).set_fit_request(sample_weight=True),
            {"alpha": model.alphas_},
            scoring=make_scorer(r2_score).set_score_request(sample_weight=True),
            cv=cv,
        ).fit(X, y, sample_weight=weights)
    split_scores = np.array([search.cv_results_[f"split{k}_test_score"] for k in range(3)]).T
    assert_allclose(model.cv_scores_, split_scores, rtol=1e-7, atol=1e-9)
    plain = RegularizedMLPRegressor(alpha=model.alpha_, **LINEAR).fit(X, y, sample_weight=weights)
    assert_allclose(model.coef_, plain.coef_, atol=1e-8 * np.abs(plain.coef_).max())
    assert_allclose(model.intercept_, plain.intercept_, atol=1e-8)
