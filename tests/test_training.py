"""Training as a scikit-learn user drives it: partial_fit, warm starts, early
stopping, divergence and the reported loss."""

import numpy as np
import pytest
from _data import (
    ESTIMATORS,
    IGNORE_CONVERGENCE,
    LINEAR,
    SOLVERS,
    classification_data,
    data_for,
    regression_data,
)
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.datasets import make_classification
from sklearn.exceptions import ConvergenceWarning, NotFittedError
from sklearn.neural_network import MLPClassifier
from sklearn.preprocessing import StandardScaler

from sklearn_regnn import RegularizedMLPClassifier, RegularizedMLPRegressor


# ---------------------------------------------------------------------------- partial_fit
def test_classifier_partial_fit_learns():
    """partial_fit with classes on the first call: loss falls; each call runs one
    epoch (n_iter_ is 1, as in scikit-learn's MLP), while t_ and loss_curve_ count on."""
    X, y = classification_data(n_classes=3)
    model = RegularizedMLPClassifier(
        hidden_layer_sizes=(8,), learning_rate_init=0.01, random_state=0
    )
    # The first batch need not contain every class.
    first = y != 2
    model.partial_fit(X[first], y[first], classes=[0, 1, 2])
    assert_array_equal(model.classes_, [0, 1, 2])
    assert model.n_iter_ == 1
    assert model.t_ == first.sum()
    model.partial_fit(X, y)
    first_full_loss = model.loss_
    for k in range(2, 31):
        model.partial_fit(X, y)
        assert model.n_iter_ == 1
        assert model.t_ == first.sum() + k * X.shape[0]
    assert len(model.loss_curve_) == 31
    assert model.loss_ < 0.8 * first_full_loss
    assert model.predict_proba(X).shape == (X.shape[0], 3)


@pytest.mark.parametrize("solver", ["adam", "sgd"])
def test_regressor_partial_fit_learns(solver):
    """Regressor partial_fit: one epoch per call, the loss falls."""
    X, y = regression_data()
    model = RegularizedMLPRegressor(
        hidden_layer_sizes=(8,), solver=solver, learning_rate_init=0.01, random_state=0
    )
    model.partial_fit(X, y)
    first_loss = model.loss_
    for k in range(2, 21):
        model.partial_fit(X, y)
        assert model.n_iter_ == 1
        assert model.t_ == k * X.shape[0]
        assert len(model.loss_curve_) == k
    assert model.loss_ < 0.8 * first_loss


@pytest.mark.parametrize("solver", ["adam", "sgd"])
def test_partial_fit_learns_a_class_its_first_batch_lacks(solver):
    """A class declared in ``classes`` but absent from the first batch is learnt as
    well as if the first batch had shown it. Started from the first batch's class
    frequencies, its logit began near log(1e-6): after 5 epochs it was still at -8,
    and 0.61 of its samples were recognized against 0.76."""
    X, y = make_classification(1500, 8, n_informative=5, n_classes=3, random_state=0)
    recalls = []
    for first in (np.flatnonzero(y != 2)[:200], np.arange(200)):
        model = RegularizedMLPClassifier(
            (16,), solver=solver, learning_rate_init=0.01, random_state=0
        )
        model.partial_fit(X[first], y[first], classes=[0, 1, 2])
        for _ in range(5):
            for start in range(0, 1500, 250):
                model.partial_fit(X[start : start + 250], y[start : start + 250])
        recalls.append(np.mean(model.predict(X)[y == 2] == 2))
    assert recalls[0] >= recalls[1] - 0.03
    assert recalls[1] > 0.6


@pytest.mark.parametrize("multilabel", [False, True])
def test_partial_fit_starts_a_class_its_first_batch_lacks_at_even_odds(multilabel):
    """After one partial_fit on a batch without any sample of class (or label) 1,
    the network still gives it a real probability (the output intercepts start at
    0), where fit on the same batch gives the batch's frequency."""
    X, y = make_classification(300, 6, n_informative=4, random_state=0)
    if multilabel:
        Y = np.column_stack([y, np.zeros_like(y)])
        model = RegularizedMLPClassifier((8,), random_state=0).partial_fit(X, Y, classes=[0, 1])
        absent = model.predict_proba(X)[:, 1]
    else:
        lacking = y == 0
        model = RegularizedMLPClassifier((8,), random_state=0)
        model.partial_fit(X[lacking], y[lacking], classes=[0, 1])
        absent = model.predict_proba(X)[:, 1]
    # One epoch on a batch of class 0 only lowers class 1 on some inputs, but it
    # started at 1e-6 everywhere before the fix.
    assert np.median(absent) > 0.1


def test_partial_fit_accepts_the_same_classes_again_as_scikit_learn_does():
    """Later calls may repeat ``classes``, duplicates and order included."""
    X, y = classification_data()
    model = RegularizedMLPClassifier((4,), random_state=0)
    model.partial_fit(X, y, classes=[1, 0, 1])
    model.partial_fit(X, y, classes=[1, 0, 1])
    MLPClassifier((4,)).partial_fit(X, y, classes=[1, 0, 1]).partial_fit(X, y, classes=[1, 0, 1])
    with pytest.raises(ValueError, match="differs"):
        model.partial_fit(X, y, classes=[0, 1, 2])


def test_classifier_partial_fit_unseen_class_raises():
    """A later partial_fit with a label outside classes_ is rejected."""
    X, y = classification_data()
    model = RegularizedMLPClassifier(hidden_layer_sizes=(4,), random_state=0)
    model.partial_fit(X, y, classes=[0, 1])
    y_new = y.copy()
    y_new[0] = 7
    with pytest.raises(ValueError, match="7"):
        model.partial_fit(X, y_new)


def test_classifier_partial_fit_label_outside_first_classes_raises():
    """On the first call, y must lie within ``classes``."""
    X, y = classification_data()
    model = RegularizedMLPClassifier(hidden_layer_sizes=(4,), random_state=0)
    with pytest.raises(ValueError, match="classes"):
        model.partial_fit(X, y + 1, classes=[0, 1])


# ----------------------------------------------------------------------------- warm start
@IGNORE_CONVERGENCE
@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_warm_start_sgd_continues_training(Estimator):
    """Two warm-started fits of one epoch equal one fit of two (sgd, no momentum)."""
    X, y = data_for(Estimator)
    params = dict(
        hidden_layer_sizes=(5,),
        solver="sgd",
        shuffle=False,
        momentum=0.0,
        batch_size=20,
        learning_rate_init=0.01,
        random_state=0,
    )
    warm = Estimator(max_iter=1, warm_start=True, **params)
    warm.fit(X, y)
    coefs_after_first = [W.copy() for W in warm.coefs_]
    warm.fit(X, y)
    once = Estimator(max_iter=2, **params).fit(X, y)
    assert not all(np.array_equal(W, V) for W, V in zip(coefs_after_first, warm.coefs_))
    for W_warm, W_once in zip(warm.coefs_ + warm.intercepts_, once.coefs_ + once.intercepts_):
        assert_allclose(W_warm, W_once, rtol=1e-12, atol=1e-14)
    # n_iter_ counts the last call's epochs; t_ and loss_curve_ the whole run.
    assert warm.n_iter_ == 1
    assert once.n_iter_ == 2
    assert warm.t_ == once.t_
    assert_allclose(warm.loss_curve_, once.loss_curve_, rtol=1e-12)


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_warm_start_fista_refit_is_immediate(Estimator):
    """After convergence, a warm refit on the same data takes only a few iterations."""
    X, y = data_for(Estimator, n_features=20)
    # Correlated features, so that a cold fit needs several certificate checks (the
    # least-squares solver, with its exact solves on the support, needs fewer).
    X = StandardScaler().fit_transform(X @ np.random.RandomState(0).normal(size=(20, 20)))
    params = dict(hidden_layer_sizes=(), solver="fista", alpha=0.01, tol=1e-8, max_iter=5000)
    cold = Estimator(**params).fit(X, y)
    warm = Estimator(warm_start=True, **params).fit(X, y)
    coef_before = warm.coef_.copy()
    warm.fit(X, y)
    assert cold.n_iter_ >= 15
    # Both solvers check their certificate before the first iteration.
    assert warm.n_iter_ == 1
    assert_allclose(warm.coef_, coef_before, rtol=1e-6, atol=1e-8)


@IGNORE_CONVERGENCE
@pytest.mark.parametrize("Estimator", ESTIMATORS)
@pytest.mark.parametrize("new_sizes", [(6,), (5, 5), ()])
def test_warm_start_changed_architecture_raises(Estimator, new_sizes):
    """Changing hidden_layer_sizes between warm-started fits raises ValueError."""
    X, y = data_for(Estimator)
    model = Estimator(hidden_layer_sizes=(5,), warm_start=True, max_iter=2, random_state=0)
    model.fit(X, y)
    model.set_params(hidden_layer_sizes=new_sizes)
    with pytest.raises(ValueError, match="shape"):
        model.fit(X, y)


@IGNORE_CONVERGENCE
def test_warm_start_classifier_new_class_raises():
    """A warm-started classifier cannot be refitted with a class it has not seen."""
    X, y = classification_data()
    model = RegularizedMLPClassifier(hidden_layer_sizes=(4,), warm_start=True, max_iter=2)
    model.fit(X, y)
    with pytest.raises(ValueError, match="warm_start"):
        model.fit(X, y + 1)


# ------------------------------------------------------------------------- early stopping
@IGNORE_CONVERGENCE
@pytest.mark.parametrize("Estimator", ESTIMATORS)
@pytest.mark.parametrize("solver", ["adam", "sgd"])
def test_early_stopping_attributes(Estimator, solver):
    """With early stopping: one validation score per epoch, best is their max."""
    X, y = data_for(Estimator, n_samples=100)
    model = Estimator(
        hidden_layer_sizes=(5,),
        solver=solver,
        early_stopping=True,
        validation_fraction=0.2,
        n_iter_no_change=3,
        max_iter=30,
        random_state=0,
    ).fit(X, y)
    assert isinstance(model.validation_scores_, list)
    assert len(model.validation_scores_) == model.n_iter_ == len(model.loss_curve_)
    assert model.best_validation_score_ == max(model.validation_scores_)
    assert model.best_loss_ is None


@IGNORE_CONVERGENCE
@pytest.mark.parametrize("Estimator", ESTIMATORS)
@pytest.mark.parametrize("solver", SOLVERS)
def test_without_early_stopping_attributes(Estimator, solver):
    """Without early stopping: no validation scores, best_loss_ is the lowest loss."""
    X, y = data_for(Estimator)
    model = Estimator(hidden_layer_sizes=(5,), solver=solver, max_iter=15, random_state=0)
    model.fit(X, y)
    assert model.validation_scores_ is None
    assert model.best_validation_score_ is None
    assert len(model.loss_curve_) > 0
    assert model.best_loss_ == min(model.loss_curve_)


# -------------------------------------------------------------------------------- verbose
def test_verbose_reports_each_epoch_and_the_adaptive_rate_cuts(capsys):
    """verbose=True prints each epoch's loss (as loss_curve_ has it), each cut of
    the 'adaptive' schedule with the new rate, and why training stopped, as
    scikit-learn's MLP reports them."""
    X, y = regression_data()
    model = RegularizedMLPRegressor(
        hidden_layer_sizes=(4,),
        solver="sgd",
        learning_rate="adaptive",
        learning_rate_init=0.001,
        tol=0.5,  # nothing improves by this much: the rate is cut until it is too small
        n_iter_no_change=2,
        max_iter=200,
        verbose=True,
        random_state=0,
    ).fit(X, y)
    lines = capsys.readouterr().out.splitlines()
    epochs = [line for line in lines if line.startswith("Iteration ")]
    assert len(epochs) == model.n_iter_
    assert epochs[-1] == f"Iteration {model.n_iter_}, loss = {model.loss_curve_[-1]:.8f}"
    cuts = [line for line in lines if line.startswith("Learning rate divided by 5")]
    # 0.001 / 5**k for k = 1..5: the fifth, 3.2e-7, is the first under 1e-6, so
    # the next stall stops training.
    assert cuts[0].endswith("now 0.0002.")
    assert cuts[-1].endswith("now 3.2e-07.")
    assert len(cuts) == 5
    assert "Stopping." in lines[-1]


# ----------------------------------------------------------------------------- divergence
def diverging_regression_data():
    """Unscaled features (std 100) and a huge target (std ~1e5)."""
    rng = np.random.RandomState(0)
    X = 100 * rng.normal(size=(50, 5))
    return X, 1e3 * X @ rng.normal(size=5)


@pytest.mark.parametrize(
    "params",
    [
        dict(hidden_layer_sizes=(10,), learning_rate_init=1.0),
        dict(hidden_layer_sizes=(10, 10), learning_rate_init=1e3),
        dict(learning_rate_init=1e3),  # the default (100,) relu network
        dict(hidden_layer_sizes=(), learning_rate_init=1e3, n_iter_no_change=1000),
    ],
    ids=["(10,)-lr1", "(10,10)-lr1e3", "(100,)-lr1e3", "()-lr1e3"],
)
def test_sgd_divergence_raises(params):
    """A diverging SGD run raises ValueError('... diverged ...'), never NaN weights.

    Runs under the project's ``error::RuntimeWarning`` filter: numpy overflow
    warnings must not escape on the way to the error.
    """
    X, y = diverging_regression_data()
    model = RegularizedMLPRegressor(
        solver="sgd", momentum=0.9, max_iter=300, random_state=0, **params
    )
    with pytest.raises(ValueError, match="diverged"):
        model.fit(X, y)
    # No NaN weights are left for predict to use without a word.
    with pytest.raises(NotFittedError):
        model.predict(X)


@pytest.mark.parametrize("method", ["fit", "partial_fit"])
def test_divergence_after_a_good_fit_leaves_the_estimator_unfitted(method):
    """A warm-started fit or a partial_fit that diverges destroys the network it
    started from: the estimator then reads as unfitted, and a new fit starts
    afresh."""
    X, y = diverging_regression_data()
    X_scaled = StandardScaler().fit_transform(X)
    y_scaled = (y - y.mean()) / y.std()
    model = RegularizedMLPRegressor(
        hidden_layer_sizes=(10,), solver="sgd", warm_start=True, max_iter=20, random_state=0
    )
    with pytest.warns(ConvergenceWarning):
        model.fit(X_scaled, y_scaled)
    model.set_params(learning_rate_init=1e3, momentum=0.9)
    with pytest.raises(ValueError, match="diverged.*left unfitted"):
        for _ in range(20):  # partial_fit runs one epoch (one batch here) a call
            getattr(model, method)(X, y)
    with pytest.raises(NotFittedError):
        model.predict(X_scaled)
    model.set_params(learning_rate_init=1e-3, momentum=0.9)
    with pytest.warns(ConvergenceWarning):
        model.fit(X_scaled, y_scaled)
    assert all(np.all(np.isfinite(p)) for p in model.coefs_ + model.intercepts_)


@pytest.mark.parametrize(
    "params",
    [
        dict(hidden_layer_sizes=()),
        dict(hidden_layer_sizes=(10,), activation="tanh"),
        dict(hidden_layer_sizes=(10,), activation="logistic"),
    ],
    ids=["()", "(10,)-tanh", "(10,)-logistic"],
)
def test_sgd_blow_up_never_returns_non_finite_weights(params):
    """A blowing-up SGD run either raises 'diverged' or returns finite weights and loss."""
    X, y = diverging_regression_data()
    model = RegularizedMLPRegressor(
        solver="sgd", learning_rate_init=1e3, momentum=0.9, max_iter=20, random_state=0, **params
    )
    try:
        model.fit(X, y)
    except ValueError as error:
        assert "diverged" in str(error)
    else:
        assert all(np.all(np.isfinite(p)) for p in model.coefs_ + model.intercepts_)
        assert np.isfinite(model.loss_)


# --------------------------------------------------------------------------------- loss_
@IGNORE_CONVERGENCE
@pytest.mark.parametrize("solver", SOLVERS)
@pytest.mark.parametrize(
    "penalty, l1_ratio", [("elasticnet", 0.3), ("l1", 1.0), ("l2", 0.0), (None, None)]
)
@pytest.mark.parametrize("n_targets", [1, 2])
def test_loss_is_the_objective(solver, penalty, l1_ratio, n_targets):
    """loss_ = mean(0.5 ||y - f||^2) + alpha * l1_ratio * |w|_1 + alpha (1 - l1_ratio)/2 |w|^2."""
    X, y = regression_data(n_targets=n_targets)
    alpha = 0.05
    model = RegularizedMLPRegressor(
        hidden_layer_sizes=(),
        solver=solver,
        penalty=penalty,
        alpha=alpha,
        l1_ratio=0.3,
        max_iter=20,
        random_state=0,
    ).fit(X, y)
    residual = (y - model.predict(X)).reshape(y.shape[0], -1)
    expected = np.mean(0.5 * np.sum(residual**2, axis=1))
    if penalty is not None:
        coef = model.coef_
        expected += alpha * l1_ratio * np.abs(coef).sum()
        expected += 0.5 * alpha * (1 - l1_ratio) * np.sum(coef**2)
    assert_allclose(model.loss_, expected, rtol=1e-10)


@IGNORE_CONVERGENCE
@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_fista_ignores_early_stopping(Estimator):
    """'fista' is full batch: early_stopping changes nothing, as with MLP's 'lbfgs'."""
    X, y = data_for(Estimator, n_samples=100)
    params = dict(hidden_layer_sizes=(5,), solver="fista", max_iter=30, random_state=0)
    plain = Estimator(**params).fit(X, y)
    model = Estimator(early_stopping=True, **params).fit(X, y)
    assert model.validation_scores_ is None and model.best_validation_score_ is None
    assert model.best_loss_ == min(model.loss_curve_) == plain.best_loss_
    for W, W_plain in zip(model.coefs_, plain.coefs_):
        np.testing.assert_array_equal(W, W_plain)


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_early_stopping_split_without_weight_raises(Estimator):
    """If one side of the early-stopping split has zero total weight, say so."""
    X, y = data_for(Estimator, n_samples=100)
    sample_weight = np.zeros(100)
    sample_weight[:3] = 1.0  # at most 3 weighted samples: one split gets none
    model = Estimator(
        hidden_layer_sizes=(5,), early_stopping=True, validation_fraction=0.5, random_state=0
    )
    with pytest.raises(ValueError, match="early_stopping.*sample_weight 0"):
        for seed in range(20):  # some split puts all 3 on one side
            model.set_params(random_state=seed).fit(X, y, sample_weight=sample_weight)


@IGNORE_CONVERGENCE
def test_warm_start_new_alpha_trains_to_its_own_stopping_rule():
    """A warm fit after a converged one starts its stopping rule afresh.

    Along a path of increasing alpha, the previous fit's best loss (lower, at a
    smaller alpha) and its exhausted patience used to end the next fit after one
    epoch, leaving it near the previous solution."""
    X, y = regression_data(n_samples=200, n_features=8)
    params = dict(
        hidden_layer_sizes=(),
        penalty="l1",
        learning_rate_init=0.01,
        max_iter=2000,
        tol=1e-6,
        random_state=0,
    )
    warm = RegularizedMLPRegressor(warm_start=True, alpha=1e-4, **params).fit(X, y)
    warm.set_params(alpha=0.3).fit(X, y)
    exact = RegularizedMLPRegressor(**{**LINEAR, "penalty": "l1", "alpha": 0.3}).fit(X, y)
    assert warm.n_iter_ > warm.n_iter_no_change + 1
    # Before the fix the warm fit stopped with an objective of 0.49 against 0.33.
    assert warm.loss_ <= exact.loss_ * (1 + 1e-3)
    assert_allclose(warm.coef_, exact.coef_, atol=0.02 * np.abs(exact.coef_).max())


@IGNORE_CONVERGENCE
def test_warm_start_early_stopping_keeps_no_weights_of_the_previous_fit():
    """Early stopping restores the best weights of the current fit only: a previous
    fit's better validation score must not bring back that fit's weights."""
    X, y = regression_data(n_samples=200, n_features=8)
    params = dict(hidden_layer_sizes=(), penalty="l1", learning_rate_init=0.01, random_state=0)
    warm = RegularizedMLPRegressor(warm_start=True, early_stopping=True, alpha=1e-4, **params)
    warm.fit(X, y)
    previous = warm.coef_.copy()
    epochs_before = warm.n_iter_
    warm.set_params(alpha=0.3).fit(X, y)
    # The validation history runs on with loss_curve_ (as in scikit-learn's MLP);
    # the best score and weights are this fit's.
    assert len(warm.validation_scores_) == len(warm.loss_curve_) == epochs_before + warm.n_iter_
    this_fit = warm.validation_scores_[epochs_before:]
    assert warm.best_validation_score_ == max(this_fit)
    assert max(warm.validation_scores_[:epochs_before]) > warm.best_validation_score_
    assert not np.array_equal(warm.coef_, previous)


# ----------------------------------------------------------------------------- memory
@IGNORE_CONVERGENCE
@pytest.mark.parametrize(
    "settings",
    [
        dict(hidden_layer_sizes=(8,), solver="adam", max_iter=2),
        dict(hidden_layer_sizes=(8,), solver="sgd", max_iter=2),
        # alpha 1e-4 leaves about 100 non-zero coefficients, so the certificate's
        # polish on the support runs too.
        dict(hidden_layer_sizes=(), solver="fista", max_iter=50, alpha=1e-4),
    ],
    ids=["adam", "sgd", "fista-linear"],
)
def test_sparse_input_is_never_densified(settings):
    """A CSR matrix whose dense form takes 160 MB fits, predicts and scores with a
    small fraction of that allocated at any time."""
    import tracemalloc

    import scipy.sparse as sp

    rng = np.random.RandomState(0)
    n_samples, n_features = 2000, 10_000
    X = sp.random(n_samples, n_features, density=5e-4, format="csr", random_state=rng)
    y = np.asarray(X[:, :5].sum(axis=1)).ravel() + 0.1 * rng.normal(size=n_samples)
    settings = {"alpha": 1e-3, **settings}
    model = RegularizedMLPRegressor(penalty="l1", random_state=0, **settings)
    tracemalloc.start()
    try:
        model.fit(X, y)
        model.score(X, y)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    dense_bytes = n_samples * n_features * 8
    assert peak < dense_bytes / 10
    assert np.count_nonzero(model.coefs_[0]) > 10  # it did learn something
