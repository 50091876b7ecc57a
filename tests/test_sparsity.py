"""The proximal step gives exact zeros: with hidden layers, and with the default Adam."""

import numpy as np
import pytest
from sklearn.datasets import make_classification, make_regression
from sklearn.linear_model import ElasticNet
from sklearn.preprocessing import StandardScaler

from sklearn_regnn import RegularizedMLPClassifier, RegularizedMLPRegressor


@pytest.fixture(scope="module")
def regression_task():
    X, y = make_regression(n_samples=2000, n_features=20, n_informative=5, noise=5, random_state=0)
    X = StandardScaler().fit_transform(X)
    return X, (y - y.mean()) / y.std()


def all_weights(model):
    return np.concatenate([W.ravel() for W in model.coefs_])


def test_l1_hidden_layer_gives_many_exact_zeros(regression_task):
    """penalty='l1' zeroes most weights and whole input features, and still fits."""
    X, y = regression_task
    model = RegularizedMLPRegressor(
        hidden_layer_sizes=(50,), penalty="l1", alpha=1e-3, random_state=0
    ).fit(X, y)
    assert (all_weights(model) == 0).mean() > 0.5
    assert model.score(X, y) > 0.95
    # 15 of the 20 features are noise: most must leave the network entirely.
    assert (model.feature_importances_ == 0).sum() >= 10


def test_l2_hidden_layer_gives_no_zeros(regression_task):
    """penalty='l2' shrinks but never produces exact zeros."""
    X, y = regression_task
    model = RegularizedMLPRegressor(
        hidden_layer_sizes=(50,), penalty="l2", alpha=1e-3, random_state=0
    ).fit(X, y)
    assert (all_weights(model) == 0).sum() == 0


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("solver", ["adam", "sgd", "fista"])
def test_huge_alpha_zeroes_everything_and_predicts_the_mean(regression_task, solver):
    """A huge alpha zeroes every weight; the regressor then predicts mean(y).

    Under Adam one prox moves a weight by at most about ``learning_rate_init``, as
    one Adam step does, so zeroing initial weights of size ~0.5 takes ~500 steps:
    100 epochs of 10 batches."""
    X, y = regression_task
    y = 10 * y + 3
    model = RegularizedMLPRegressor(
        hidden_layer_sizes=(20,),
        penalty="l1",
        alpha=1e3,
        solver=solver,
        random_state=0,
        max_iter=100,
    ).fit(X, y)
    assert all((W == 0).all() for W in model.coefs_)
    np.testing.assert_allclose(model.predict(X), y.mean(), atol=1e-2 * y.std())


def test_huge_alpha_classifier_predicts_priors():
    """An all-zero classifier predicts the class frequencies."""
    X, y = make_classification(n_samples=400, weights=[0.7, 0.3], random_state=0)
    model = RegularizedMLPClassifier(
        hidden_layer_sizes=(10,),
        penalty="l1",
        alpha=1e3,
        solver="fista",
        tol=1e-10,
        random_state=0,
    ).fit(X, y)
    assert all((W == 0).all() for W in model.coefs_)
    np.testing.assert_allclose(model.predict_proba(X)[:, 1], y.mean(), atol=1e-6)


def test_default_adam_on_linear_task_reaches_elastic_net():
    """The default solver lands within 1% of ElasticNet's objective, with exact zeros."""
    alpha, l1_ratio = 0.01, 0.5
    X, y = make_regression(
        n_samples=20000, n_features=30, n_informative=8, noise=10, random_state=0
    )
    X = StandardScaler().fit_transform(X)
    y = (y - y.mean()) / y.std()
    enet = ElasticNet(alpha=alpha, l1_ratio=l1_ratio).fit(X, y)
    model = RegularizedMLPRegressor(
        hidden_layer_sizes=(), alpha=alpha, l1_ratio=l1_ratio, random_state=0
    ).fit(X, y)

    def objective(coef, intercept):
        residual = y - X @ coef - intercept
        return (
            0.5 * np.mean(residual**2)
            + alpha * l1_ratio * np.abs(coef).sum()
            + 0.5 * alpha * (1 - l1_ratio) * (coef**2).sum()
        )

    reference = objective(enet.coef_, enet.intercept_)
    assert objective(model.coef_, model.intercept_) <= 1.01 * reference
    assert (enet.coef_ == 0).sum() > 0
    np.testing.assert_array_equal(model.coef_ == 0, enet.coef_ == 0)


def test_zero_stays_zero_under_adam():
    """A weight the prox zeroed stays exactly 0.0 while the threshold holds.

    Features with no signal are zero after fitting and remain zero through further
    partial_fit epochs.
    """
    rng = np.random.RandomState(0)
    X = rng.normal(size=(1000, 10))
    y = X[:, 0] - 2 * X[:, 1] + 0.01 * rng.normal(size=1000)
    model = RegularizedMLPRegressor(
        hidden_layer_sizes=(),
        penalty="l1",
        alpha=0.05,
        learning_rate_init=0.05,
        random_state=0,
    )
    for _ in range(100):
        model.partial_fit(X, y)
    dead = model.coef_ == 0
    assert dead[2:].all()
    for _ in range(10):
        model.partial_fit(X, y)
        assert (model.coef_[dead] == 0.0).all()
