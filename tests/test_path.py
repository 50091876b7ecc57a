"""Regularization paths (``sklearn_regnn._path``): the linear path against
scikit-learn's enet_path, alpha_max as the edge of the all-zero solution, the
dense-to-sparse path with hidden layers, and the checks on the arguments."""

import warnings

import numpy as np
import pytest
import sklearn
from _data import IGNORE_CONVERGENCE, classification_data, regression_data
from numpy.testing import assert_allclose
from sklearn.base import clone
from sklearn.exceptions import DataConversionWarning
from sklearn.linear_model import ElasticNetCV, MultiTaskElasticNetCV, enet_path

from sklearn_regnn import (
    RegularizedMLPClassifier,
    RegularizedMLPRegressor,
    RegularizedMLPRegressorCV,
    alpha_max,
    regularization_path,
)

SKLEARN_1_9 = tuple(int(part) for part in sklearn.__version__.split(".")[:2]) >= (1, 9)
GRID_OF_4 = {"alphas": 4} if SKLEARN_1_9 else {"n_alphas": 4}
LINEAR = dict(hidden_layer_sizes=(), solver="fista", tol=1e-12, max_iter=50_000)


@pytest.mark.parametrize("l1_ratio", [1.0, 0.6])
def test_linear_path_matches_enet_path(l1_ratio):
    """Same grid and same coefficients as enet_path (on centered data, since
    enet_path fits no intercept), with the same zeros at every alpha."""
    X, y = regression_data(n_samples=80, n_features=12, seed=1)
    X = X + 3.0  # an offset, which our intercept absorbs
    template = RegularizedMLPRegressor(penalty="elasticnet", l1_ratio=l1_ratio, **LINEAR)
    path = regularization_path(template, X, y, n_alphas=12, eps=1e-3)
    # scikit-learn 1.9 takes the grid size as alphas=12 and deprecates n_alphas.
    grid_size = {"alphas": 12} if SKLEARN_1_9 else {"n_alphas": 12}
    alphas, coefs, _ = enet_path(
        X - X.mean(axis=0),
        y - y.mean(),
        l1_ratio=l1_ratio,
        eps=1e-3,
        tol=1e-14,
        max_iter=10**6,
        **grid_size,
    )
    assert_allclose(path.alphas, alphas, rtol=1e-12)
    assert path.coef_path.shape == coefs.shape == (12, 12)
    assert_allclose(path.coef_path, coefs, atol=1e-8)
    # At alpha_max the optimality condition of the top feature holds with equality,
    # and coordinate descent may leave it at 1e-16 (seen with scikit-learn 1.6): the
    # zero patterns are compared below it, and ours is exactly zero at it.
    np.testing.assert_array_equal(path.coef_path[:, 1:] == 0, coefs[:, 1:] == 0)
    assert path.n_nonzero[0] == 0
    assert path.n_nonzero[-1] > 0
    assert path.n_features_selected == path.n_nonzero  # one output: a weight is a feature
    # The objective is the loss plus the penalty, and the data term falls as alpha does.
    assert np.all(np.diff(path.loss) <= 1e-12)
    for objective, loss, coef, alpha in zip(path.objective, path.loss, path.coef_path.T, alphas):
        penalty = alpha * (l1_ratio * np.abs(coef).sum() + (1 - l1_ratio) / 2 * coef @ coef)
        assert objective == pytest.approx(loss + penalty, rel=1e-10)


def test_linear_path_with_two_outputs_has_enet_path_layout():
    """coef_path is (n_outputs, n_features, n_alphas); each output matches enet_path."""
    X, Y = regression_data(n_samples=60, n_features=8, n_targets=2, seed=2)
    template = RegularizedMLPRegressor(penalty="l1", **LINEAR)
    grid = np.geomspace(1.0, 1e-3, 6)
    path = regularization_path(template, X, Y, alphas=grid)
    assert path.coef_path.shape == (2, 8, 6)
    for k in range(2):
        _, coefs, _ = enet_path(
            X - X.mean(axis=0),
            Y[:, k] - Y[:, k].mean(),
            l1_ratio=1.0,
            alphas=grid,
            tol=1e-14,
            max_iter=10**6,
        )
        assert_allclose(path.coef_path[k], coefs, atol=1e-8)


@pytest.mark.parametrize("Estimator", [RegularizedMLPRegressor, RegularizedMLPClassifier])
def test_alpha_max_is_the_edge_of_the_all_zero_solution(Estimator):
    """With sample weights: all zeros just above alpha_max, not just below."""
    if Estimator is RegularizedMLPClassifier:
        X, y = classification_data(n_samples=80, n_classes=3, seed=3)
    else:
        X, y = regression_data(n_samples=80, seed=3)
    weights = np.random.RandomState(0).uniform(0.5, 2.0, X.shape[0])
    top = alpha_max(
        X,
        y,
        l1_ratio=0.8,
        sample_weight=weights,
        classifier=Estimator is RegularizedMLPClassifier,
    )
    params = dict(penalty="elasticnet", l1_ratio=0.8, **LINEAR)
    above = Estimator(alpha=top * (1 + 1e-6), **params).fit(X, y, sample_weight=weights)
    below = Estimator(alpha=top * 0.99, **params).fit(X, y, sample_weight=weights)
    assert np.count_nonzero(above.coefs_[0]) == 0
    assert np.count_nonzero(below.coefs_[0]) > 0


def test_group_lasso_grid_starts_at_multi_task_elastic_net_top():
    """With several outputs the group penalty empties a row only once its gradient's
    norm is below the threshold: the grid's top is MultiTaskElasticNet's, and the
    first fit of the path is empty while a slightly smaller alpha is not."""
    X, Y = regression_data(n_samples=80, n_features=8, n_targets=3, seed=5)
    grid = MultiTaskElasticNetCV(l1_ratio=0.7, cv=2, **GRID_OF_4).fit(X, Y).alphas_
    template = RegularizedMLPRegressor(penalty="group_lasso", l1_ratio=0.7, **LINEAR)
    path = regularization_path(template, X, Y, n_alphas=4)
    assert_allclose(path.alphas, grid, rtol=1e-10)
    assert path.n_nonzero[0] == 0
    below = clone(template).set_params(alpha=0.99 * path.alphas[0]).fit(X, Y)
    assert np.count_nonzero(below.coefs_[0]) > 0
    # Entry-wise L1 has the largest single entry as its edge, which is lower.
    elementwise = alpha_max(X, Y, l1_ratio=0.7)
    assert elementwise < path.alphas[0]
    assert alpha_max(X, Y, l1_ratio=0.7, grouped=True) == pytest.approx(path.alphas[0])


@pytest.mark.parametrize("column", [False, True])
@pytest.mark.parametrize("class_weight", [{0: 1.0, 1: 9.0}, "balanced"])
def test_classifier_grid_weighs_samples_by_class_weight(class_weight, column):
    """The fits weight each sample by its class; the first fit of the default
    grid is empty and a slightly smaller alpha is not. The top without class
    weights would be too low here: a fit there keeps weights. Labels given as a
    column, which the fits take as 1-D, get the same grid (they used to get the
    unweighted one)."""
    X, y = classification_data(n_samples=150, n_classes=2, seed=6)
    y = np.where(np.arange(y.size) % 5 == 0, 1, 0)  # imbalanced: one in five
    template = RegularizedMLPClassifier(class_weight=class_weight, penalty="l1", **LINEAR)
    if column:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DataConversionWarning)
            path = regularization_path(template, X, y.reshape(-1, 1), n_alphas=3)
        assert path.alphas[0] == regularization_path(template, X, y, n_alphas=3).alphas[0]
    else:
        path = regularization_path(template, X, y, n_alphas=3)
    assert not np.any(path.coefs[0][0])
    for alpha in [0.99 * path.alphas[0], 1.001 * alpha_max(X, y, classifier=True)]:
        fitted = clone(template).set_params(alpha=alpha).fit(X, y)
        assert np.count_nonzero(fitted.coefs_[0]) > 0


@pytest.mark.parametrize("hidden_layer_sizes", [(), (4,)])
def test_grid_without_signal_is_as_tiny_as_elastic_net_cv(hidden_layer_sizes):
    """Constant inputs leave alpha_max at 0, where no geometric grid starts: the
    grid is ElasticNetCV's, every alpha 1e-15, and the fits predict the mean."""
    X, y = np.zeros((30, 3)), np.arange(30.0)
    template = RegularizedMLPRegressor(
        hidden_layer_sizes, solver="fista", penalty="l1", random_state=0, max_iter=50
    )
    path = regularization_path(template, X, y, n_alphas=4)
    assert_allclose(path.alphas, ElasticNetCV(cv=2, **GRID_OF_4).fit(X, y).alphas_)
    assert path.alphas[0] == np.finfo(np.float64).resolution


@IGNORE_CONVERGENCE
def test_hidden_layer_path_runs_from_dense_to_sparse():
    """With hidden layers the default grid increases, every fit is warm-started
    (few iterations each after the first), and the weights thin out along it."""
    X, y = regression_data(n_samples=120, n_features=10, seed=4)
    template = RegularizedMLPRegressor((16,), penalty="l1", random_state=0, max_iter=300)
    path = regularization_path(template, X, y, n_alphas=6, eps=1e-3)
    assert np.all(np.diff(path.alphas) > 0)
    assert path.alphas[-1] == pytest.approx(alpha_max(X, y))
    assert len(path.coefs) == 6 and "coef_path" not in path
    assert path.n_nonzero[-1] < path.n_nonzero[0] / 4
    assert path.n_features_selected[-1] < path.n_features_selected[0]
    assert all(n >= 1 for n in path.n_iter)
    # The template itself is not fitted: the path works on a clone.
    assert not hasattr(template, "coefs_")


def test_path_checks_its_arguments():
    X, y = regression_data()
    with pytest.raises(TypeError, match="RegularizedMLPRegressor"):
        regularization_path(object(), X, y)
    with pytest.raises(ValueError, match="penalty=None"):
        regularization_path(RegularizedMLPRegressor(penalty=None), X, y)
    with pytest.raises(ValueError, match="penalty='l2'.*Pass the alphas"):
        regularization_path(RegularizedMLPRegressor((), penalty="l2"), X, y)
    elasticnet_without_l1 = RegularizedMLPRegressor((), penalty="elasticnet", l1_ratio=0.0)
    with pytest.raises(ValueError, match="l1_ratio=0.*Pass the alphas"):
        regularization_path(elasticnet_without_l1, X, y)
    with pytest.raises(ValueError, match="alphas must be"):
        regularization_path(RegularizedMLPRegressor(()), X, y, alphas=[0.1, -1.0])
    for bad in [0, -1.0, 1.5, "small"]:
        with pytest.raises(ValueError, match="eps must be a float in \\(0, 1\\]"):
            regularization_path(RegularizedMLPRegressor(()), X, y, eps=bad)
    for bad in [0, 2.5]:
        with pytest.raises(ValueError, match="grid size .* must be an integer >= 1"):
            regularization_path(RegularizedMLPRegressor(()), X, y, n_alphas=bad)
    # An int for alphas is a grid size, as for the CV estimators, not one alpha.
    linear = RegularizedMLPRegressor(penalty="l1", **LINEAR)
    assert_allclose(
        regularization_path(linear, X, y, alphas=3).alphas,
        regularization_path(linear, X, y, n_alphas=3).alphas,
    )
    with pytest.raises(ValueError, match="grid size .* must be an integer >= 1"):
        regularization_path(linear, X, y, alphas=0)
    # The template's own parameters are checked before anything is fitted.
    with pytest.raises(ValueError, match="l1_ratio"):
        regularization_path(RegularizedMLPRegressor((), l1_ratio=[0.5, 1.0]), X, y)
    with pytest.raises(TypeError, match="plain estimator"):
        regularization_path(RegularizedMLPRegressorCV(()), X, y)
    # An explicit grid makes an L2 path possible.
    path = regularization_path(
        RegularizedMLPRegressor(penalty="l2", **LINEAR), X, y, alphas=[1.0, 0.1]
    )
    assert path.n_nonzero == [X.shape[1], X.shape[1]]


def test_walk_path_shares_the_gram_matrix_and_cleans_up():
    """Along a linear walk the Gram matrix is formed once (kept in a cache on the
    model while it walks), the fits equal independent ones, and the cache is gone
    afterwards, so that nothing stale reaches a later fit or a pickle."""
    from sklearn_regnn._path import walk_path

    X, y = regression_data(n_samples=80, n_features=12, seed=9)
    template = RegularizedMLPRegressor(penalty="l1", **LINEAR)
    grid = np.geomspace(alpha_max(X, y), 1e-3 * alpha_max(X, y), 5)
    walked = []
    for model, _ in walk_path(template, X, y, grid):
        assert set(model._path_cache) == {"gram"}
        walked.append(model.coef_.copy())
    assert not hasattr(model, "_path_cache")
    for alpha, coef in zip(grid, walked):
        alone = RegularizedMLPRegressor(penalty="l1", alpha=alpha, **LINEAR).fit(X, y)
        assert_allclose(coef, alone.coef_, atol=1e-9)


@IGNORE_CONVERGENCE
def test_a_network_walked_down_from_an_empty_fit_warns_and_stays_empty():
    """With hidden layers an empty network is stuck at any alpha: walked down from
    one, the smaller alphas are not fitted (0 iterations, still empty), with a
    warning to walk up instead. A linear model walked down refits as usual."""
    X, y = regression_data(n_samples=100, n_features=5, seed=6)
    params = dict(penalty="l1", learning_rate_init=0.01, random_state=0, max_iter=200)
    top = alpha_max(X, y)
    network = RegularizedMLPRegressor((8,), **params)
    with pytest.warns(UserWarning, match="walk the grid in increasing order"):
        path = regularization_path(network, X, y, alphas=[top * 2, top * 1e-2, top * 1e-3])
    assert path.n_nonzero == [0, 0, 0] and path.n_iter[1:] == [0, 0]
    # Walked up, the same network is dense at the small alpha, and nothing warns.
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=".*increasing order")
        up = regularization_path(network, X, y, alphas=[top * 1e-2, top * 2])
    assert up.n_nonzero[0] > 0

    linear = RegularizedMLPRegressor((), solver="fista", penalty="l1")
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=".*increasing order")
        down = regularization_path(linear, X, y, alphas=[top * 2, top * 1e-2])
    assert down.n_nonzero[0] == 0 and down.n_nonzero[1] > 0


@IGNORE_CONVERGENCE
def test_path_stops_fitting_once_the_network_is_empty():
    """Zero weights stay the solution as alpha grows: the walk reports them at the
    larger alphas without fitting (0 iterations), and a fresh fit there agrees."""
    X, y = regression_data(n_samples=100, n_features=5, seed=6)
    params = dict(penalty="l1", learning_rate_init=0.01, random_state=0, max_iter=200)
    template = RegularizedMLPRegressor((8,), **params)
    top = alpha_max(X, y)
    path = regularization_path(template, X, y, alphas=[top * 1e-2, top * 2, top * 4, top * 8])
    assert path.n_nonzero[0] > 0 and path.n_nonzero[1:] == [0, 0, 0]
    assert path.n_iter[1] > 0 and path.n_iter[2:] == [0, 0]
    fresh = RegularizedMLPRegressor((8,), alpha=top * 8, **params).fit(X, y)
    assert not any(np.any(W) for W in fresh.coefs_)
    assert_allclose(path.intercepts[-1][-1], fresh.intercepts_[-1], atol=0.05 * np.std(y))


@pytest.mark.parametrize(
    "case", ["binary", "multiclass", "multilabel", "group_lasso classifier", "group_lasso 2-D y"]
)
def test_the_path_starts_with_exact_zeros_at_alpha_max(case):
    """At alpha_max the solution is the empty model, and the path's first fit
    returns exact zeros, as enet_path does, whatever the rounding of the gradient
    at that edge. A first FISTA step from the certified zero start used to leave
    weights of 1e-15 in about a third of these draws."""
    for seed in range(8):
        rng = np.random.RandomState(seed)
        X = rng.normal(size=(50, 6)) + 2
        weights = rng.uniform(0.2, 3.0, size=50)
        labels = rng.randint(0, 3, size=50)
        penalty = "group_lasso" if case.startswith("group_lasso") else "l1"
        model = RegularizedMLPClassifier(penalty=penalty, **LINEAR)
        y = {"binary": labels > 0, "multilabel": np.column_stack([labels > 0, labels > 1])}.get(
            case, labels
        )
        if case == "group_lasso 2-D y":
            model = RegularizedMLPRegressor(penalty=penalty, l1_ratio=0.5, **LINEAR)
            y = np.column_stack([X @ rng.normal(size=6), rng.normal(size=50)])
        path = regularization_path(model, X, y, n_alphas=3, sample_weight=weights)
        assert path.n_nonzero[0] == 0 and path.n_features_selected[0] == 0
        assert not np.any(path.coefs[0][0])
        assert path.n_nonzero[1] > 0


def test_given_alphas_are_copied_and_checked():
    """path.alphas is a new array, as enet_path returns, not a view of the caller's
    grid; a bool, a scalar or a 2-D grid is refused rather than reinterpreted."""
    X, y = regression_data(n_samples=40, n_features=4, seed=0)
    template = RegularizedMLPRegressor(penalty="l1", **LINEAR)
    grid = np.array([0.5, 0.1])
    path = regularization_path(template, X, y, alphas=grid)
    path.alphas[0] = 99.0
    assert grid[0] == 0.5
    for bad in [True, 0.3, np.array([[0.5, 0.1]])]:
        with pytest.raises(ValueError, match="alphas"):
            regularization_path(template, X, y, alphas=bad)
    with pytest.raises(ValueError, match="eps"):
        regularization_path(template, X, y, eps=True)


def test_alpha_max_refuses_one_class_and_a_missing_l1_ratio():
    """As the classifier refuses y of one class, so does alpha_max (it returned
    0.0); l1_ratio=None is a ValueError naming it, not a bare TypeError."""
    X, _ = classification_data(n_samples=30, seed=0)
    with pytest.raises(ValueError, match="2 classes"):
        alpha_max(X, np.zeros(30, dtype=int), classifier=True)
    with pytest.raises(ValueError, match="l1_ratio"):
        alpha_max(X, X[:, 0], l1_ratio=None)
