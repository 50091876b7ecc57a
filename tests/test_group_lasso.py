"""The group penalty (``penalty='group_lasso'``): its prox and certificate pieces by
hand, the linear model against MultiTaskElasticNet / MultiTaskLasso / ElasticNet,
and whole features leaving a network under every solver."""

import numpy as np
import pytest
from _data import IGNORE_CONVERGENCE, regression_data
from numpy.testing import assert_allclose
from sklearn.feature_selection import SelectFromModel
from sklearn.linear_model import ElasticNet, MultiTaskElasticNet, MultiTaskLasso

from sklearn_regnn import RegularizedMLPClassifier, RegularizedMLPRegressor
from sklearn_regnn.penalties import GroupLasso, make_penalty

LINEAR = dict(hidden_layer_sizes=(), solver="fista", tol=1e-12, max_iter=50_000)


@pytest.mark.parametrize("l1_ratio", [1.0, 0.6, 0.0])
@pytest.mark.parametrize("step_kind", ["scalar", "per-row"])
def test_group_prox_meets_its_optimality_condition(l1_ratio, step_kind):
    """prox(Z) = argmin ||W - Z||^2 / (2 eta) + penalty(W), row by row: the residual
    (Z - W) / eta - l2 W is l1 * W / ||W|| on kept rows and has norm <= l1 on
    zeroed ones."""
    penalty = GroupLasso(0.8, l1_ratio)
    rng = np.random.RandomState(0)
    # The second matrix's rows are small enough for some to be zeroed.
    Z = [rng.normal(size=(6, 3)), rng.normal(scale=0.1, size=(4, 2))]
    if step_kind == "scalar":
        etas = [np.full((z.shape[0], 1), 0.7) for z in Z]
        step = 0.7
    else:
        etas = [rng.uniform(0.1, 2.0, size=(z.shape[0], 1)) for z in Z]
        step = [np.repeat(e, z.shape[1], axis=1) for e, z in zip(etas, Z)]
    W = penalty.prox([z.copy() for z in Z], step)
    zeroed = 0
    for z, w, eta in zip(Z, W, etas):
        residual = (z - w) / eta - penalty.l2_strength * w
        for r, row in zip(residual, w):
            norm = np.linalg.norm(row)
            if norm:
                assert_allclose(r, penalty.l1_strength * row / norm, atol=1e-12)
            else:
                zeroed += 1
                assert np.linalg.norm(r) <= penalty.l1_strength + 1e-12
    assert (zeroed > 0) == bool(penalty.l1_strength)


def test_equalize_steps_takes_each_rows_smallest():
    steps = [np.array([[1.0, 0.5, 2.0], [3.0, 4.0, 5.0]])]
    GroupLasso(1.0, 1.0).equalize_steps(steps)
    assert_allclose(steps[0], [[0.5, 0.5, 0.5], [3.0, 3.0, 3.0]])
    assert make_penalty("group_lasso", 0.3, 0.2).l1_strength == pytest.approx(0.06)


def test_group_conjugate_and_dual_scale():
    """With an L2 part the conjugate is the squared excess of the row norms over l1;
    without, the dual scale brings every row norm within l1 and the conjugate is 0
    there and infinite beyond."""
    V = np.array([[3.0, 4.0], [0.3, 0.4]])  # row norms 5 and 0.5
    with_l2 = GroupLasso(2.0, 0.5)  # l1 = l2 = 1
    assert with_l2.conjugate(V) == pytest.approx(4.0**2 / 2.0)
    assert with_l2.dual_scale(V) == 1.0
    pure = GroupLasso(1.0, 1.0)
    c = pure.dual_scale(V)
    assert c == pytest.approx(0.2)
    assert pure.conjugate(c * V) == 0.0
    assert pure.conjugate(V) == np.inf


@pytest.mark.parametrize("l1_ratio", [1.0, 0.7])
def test_linear_group_lasso_is_multitask_elasticnet(l1_ratio):
    """hidden_layer_sizes=() with a 2-D y: MultiTaskLasso / MultiTaskElasticNet's
    coefficients and zero rows."""
    X, Y = regression_data(n_samples=80, n_features=12, n_targets=3, seed=5)
    X = X + 2.0
    alpha = 0.1
    ours = RegularizedMLPRegressor(
        penalty="group_lasso", alpha=alpha, l1_ratio=l1_ratio, **LINEAR
    ).fit(X, Y)
    if l1_ratio == 1.0:
        reference = MultiTaskLasso(alpha=alpha, tol=1e-14, max_iter=10**6)
    else:
        reference = MultiTaskElasticNet(alpha=alpha, l1_ratio=l1_ratio, tol=1e-14, max_iter=10**6)
    reference.fit(X, Y)
    assert_allclose(ours.coef_, reference.coef_, atol=1e-7)
    assert_allclose(ours.intercept_, reference.intercept_, atol=1e-7)
    dropped = np.all(reference.coef_ == 0, axis=0)
    assert 0 < dropped.sum() < X.shape[1]
    np.testing.assert_array_equal(ours.feature_importances_ == 0, dropped)
    assert ours.n_features_selected_ == X.shape[1] - dropped.sum()


def test_linear_group_lasso_with_one_output_is_elasticnet():
    X, y = regression_data(n_samples=70, n_features=9, seed=6)
    ours = RegularizedMLPRegressor(penalty="group_lasso", alpha=0.05, l1_ratio=0.8, **LINEAR)
    reference = ElasticNet(alpha=0.05, l1_ratio=0.8, tol=1e-14, max_iter=10**6).fit(X, y)
    assert_allclose(ours.fit(X, y).coef_, reference.coef_, atol=1e-7)


@IGNORE_CONVERGENCE
@pytest.mark.parametrize("solver", ["adam", "fista"])
def test_group_lasso_network_drops_whole_features(solver):
    """Five informative inputs of fifteen: the network keeps them and drops most of
    the noise inputs as whole rows (every outgoing weight exactly 0), and
    SelectFromModel reads that off feature_importances_."""
    rng = np.random.RandomState(7)
    X = rng.normal(size=(300, 15))
    y = np.sin(X[:, 0]) + X[:, 1] * X[:, 2] + X[:, 3] - X[:, 4] + 0.05 * rng.normal(size=300)
    net = RegularizedMLPRegressor(
        (16,),
        penalty="group_lasso",
        alpha=0.05,
        l1_ratio=1.0,
        solver=solver,
        learning_rate_init=0.01,
        max_iter=400,
        random_state=0,
    ).fit(X, y)
    importances = net.feature_importances_
    assert np.all(importances[:5] > 0)
    assert np.count_nonzero(importances[5:]) <= 2
    rows_zero = np.all(net.coefs_[0] == 0, axis=1)
    np.testing.assert_array_equal(rows_zero, importances == 0)
    support = SelectFromModel(net, prefit=True, threshold=1e-12).get_support()
    np.testing.assert_array_equal(support, importances > 0)


def test_group_lasso_classifier_fits():
    X, y = regression_data(n_samples=120, n_features=8, seed=8)
    labels = (y > 0).astype(int)
    clf = RegularizedMLPClassifier(
        (8,), penalty="group_lasso", alpha=0.05, max_iter=300, random_state=0
    ).fit(X, labels)
    assert clf.score(X, labels) > 0.8
    assert 0 < clf.n_features_selected_ <= X.shape[1]
