"""The CV estimators where a search can go wrong: folds lacking a class, scores
undefined on a fold, tied scores, settings without an alpha to choose, and a
second fit after a first with other settings. Each is checked against what
scikit-learn's own CV estimators do with the same data."""

import warnings

import numpy as np
import pytest
from _data import IGNORE_CONVERGENCE, classification_data, regression_data
from numpy.testing import assert_allclose
from sklearn.datasets import make_blobs
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import ElasticNetCV, LogisticRegressionCV
from sklearn.metrics import log_loss, make_scorer
from sklearn.model_selection import KFold, LeaveOneOut, StratifiedKFold
from sklearn.utils.class_weight import compute_class_weight

from sklearn_regnn import (
    RegularizedMLPClassifier,
    RegularizedMLPClassifierCV,
    RegularizedMLPRegressor,
    RegularizedMLPRegressorCV,
    regularization_path,
)

LINEAR = dict(hidden_layer_sizes=(), solver="fista", tol=1e-10, max_iter=20_000)


def test_a_fold_whose_training_part_lacks_a_class_still_searches():
    """One sample of class 1 among 120: some training parts have class 0 only.
    LogisticRegressionCV fits such folds with both classes in its encoding; so do
    the paths, which then score every fold."""
    X, _ = classification_data(n_samples=120, n_features=6, seed=0)
    y = np.zeros(120, dtype=int)
    y[7] = 1
    folds = list(KFold(3).split(X))
    LogisticRegressionCV(cv=folds).fit(X, y)  # the reference does not fail
    model = RegularizedMLPClassifierCV(alphas=4, cv=folds, **LINEAR).fit(X, y)
    assert np.all(np.isfinite(model.cv_scores_))
    assert list(model.classes_) == [0, 1]


def test_probability_scores_cover_classes_a_training_part_lacks():
    """A rare third class, one sample: the fold holding it out has no 'c' to train
    on and its network still gives 'c' a probability; the other held-out parts lack
    'c', so the log-loss scorer is told the labels, as the scoring docs say."""
    X, y = classification_data(n_samples=120, n_features=6, n_classes=3, seed=0)
    labels = np.array(["a", "b", "c"])[y]
    labels[labels == "c"] = "a"
    labels[5] = "c"
    folds = list(KFold(3).split(X))
    scoring = make_scorer(
        log_loss,
        labels=["a", "b", "c"],
        response_method="predict_proba",
        greater_is_better=False,
    )
    model = RegularizedMLPClassifierCV(alphas=4, cv=folds, scoring=scoring, **LINEAR)
    model.fit(X, labels)
    assert np.all(np.isfinite(model.cv_scores_))
    assert model.predict_proba(X).shape == (120, 3)
    # The fold without 'c' to train on scores exactly as its own network predicts.
    train, test = folds[0]
    assert 5 in test
    fold_model = RegularizedMLPClassifier(alpha=model.alphas_[0], **LINEAR)
    fold_model._fit(X[train], labels[train], classes=["a", "b", "c"])
    assert model.cv_scores_[0, 0] == pytest.approx(scoring(fold_model, X[test], labels[test]))


def test_balanced_class_weight_is_computed_once_from_all_of_y():
    """As in LogisticRegressionCV, 'balanced' means the weights of all of y, used
    on every fold: the same search as with those weights given as a dict."""
    X, y = classification_data(n_samples=150, n_features=6, n_classes=3, seed=1)
    y = np.where(np.arange(150) % 4 == 0, 2, y % 2)  # imbalanced
    weights = dict(zip([0, 1, 2], compute_class_weight("balanced", classes=np.arange(3), y=y)))
    folds = StratifiedKFold(3, shuffle=True, random_state=0)
    balanced = RegularizedMLPClassifierCV(class_weight="balanced", alphas=4, cv=folds, **LINEAR)
    given = RegularizedMLPClassifierCV(class_weight=weights, alphas=4, cv=folds, **LINEAR)
    balanced.fit(X, y)
    given.fit(X, y)
    assert_allclose(balanced.alphas_, given.alphas_)
    assert_allclose(balanced.cv_scores_, given.cv_scores_)
    assert_allclose(balanced.coefs_[0], given.coefs_[0])
    assert balanced.get_params()["class_weight"] == "balanced"


def test_one_sample_held_out_needs_a_score_defined_on_one_sample():
    """R^2 is undefined on one sample: leave-one-out with the default score is a
    clear error before any fit; with the squared error it is ElasticNetCV's search."""
    X, y = regression_data(n_samples=30, n_features=6, seed=0)
    with pytest.raises(ValueError, match="R\\^2.*one sample.*neg_mean_squared_error"):
        RegularizedMLPRegressorCV(alphas=5, cv=LeaveOneOut(), **LINEAR).fit(X, y)
    ours = RegularizedMLPRegressorCV(
        penalty="l1", alphas=5, cv=LeaveOneOut(), scoring="neg_mean_squared_error", **LINEAR
    ).fit(X, y)
    grid = ours.alphas_
    theirs = ElasticNetCV(l1_ratio=1.0, alphas=grid, cv=LeaveOneOut(), tol=1e-10).fit(X, y)
    assert ours.alpha_ == pytest.approx(theirs.alpha_)
    assert_allclose(-ours.cv_scores_, theirs.mse_path_, rtol=1e-6)


def test_nan_scores_are_skipped_with_a_warning_and_all_nan_is_an_error():
    X, y = regression_data(n_samples=60, seed=1)

    def nan_above(threshold):
        def score(model, X, y):
            return np.nan if model.alpha > threshold else model.score(X, y)

        return score

    probe = RegularizedMLPRegressorCV(alphas=5, cv=3, **LINEAR).fit(X, y)
    threshold = probe.alphas_[2]  # the two largest alphas score NaN
    with pytest.warns(UserWarning, match="2 of 5 mean scores are NaN"):
        model = RegularizedMLPRegressorCV(
            alphas=5, cv=3, scoring=nan_above(threshold), **LINEAR
        ).fit(X, y)
    assert model.alpha_ <= threshold
    with pytest.raises(ValueError, match="Every alpha has a NaN mean score"):
        RegularizedMLPRegressorCV(alphas=5, cv=3, scoring=nan_above(-1.0), **LINEAR).fit(X, y)


@IGNORE_CONVERGENCE
def test_tied_scores_choose_the_largest_alpha_with_hidden_layers_too():
    """Separable blobs: accuracy 1 at most alphas. ElasticNetCV and the linear
    search take the largest tied alpha (the sparsest model); with hidden layers,
    whose grid runs up, so does the network's search."""
    X, y = make_blobs(120, 4, centers=2, cluster_std=0.5, random_state=0)
    for params in [LINEAR, dict(hidden_layer_sizes=(8,), solver="fista", max_iter=300)]:
        model = RegularizedMLPClassifierCV(alphas=10, cv=3, random_state=0, **params)
        model.fit(X, y)
        means = model.cv_scores_.mean(axis=1)
        tied = model.alphas_[means == means.max()]
        assert tied.size > 1
        assert model.alpha_ == tied.max()


def test_settings_without_an_alpha_to_choose_are_clear_errors():
    X, y = regression_data()
    with pytest.raises(ValueError, match="penalty=None.*RegularizedMLPRegressor"):
        RegularizedMLPRegressorCV(penalty=None, **LINEAR).fit(X, y)
    with pytest.raises(ValueError, match="penalty='l2'.*Pass the alphas"):
        RegularizedMLPRegressorCV(penalty="l2", **LINEAR).fit(X, y)
    with pytest.raises(ValueError, match="l1_ratio=0.*Pass the alphas"):
        RegularizedMLPRegressorCV(l1_ratio=[0.0, 0.5], **LINEAR).fit(X, y)
    # A given grid is fine, and l1_ratio_ is the share of L1 actually fitted.
    ridge = RegularizedMLPRegressorCV(penalty="l2", alphas=[1.0, 0.1], cv=3, **LINEAR)
    assert ridge.fit(X, y).l1_ratio_ == 0.0
    lasso = RegularizedMLPRegressorCV(penalty="l1", l1_ratio=0.3, alphas=3, cv=3, **LINEAR)
    assert lasso.fit(X, y).l1_ratio_ == 1.0


@pytest.mark.parametrize("scoring", [["r2"], {"r2": "r2"}, 3])
def test_scoring_must_give_one_score(scoring):
    """One score picks alpha: lists and dicts are rejected before any fit."""
    X, y = regression_data()
    with pytest.raises(ValueError, match="'scoring' parameter"):
        RegularizedMLPRegressorCV(scoring=scoring, **LINEAR).fit(X, y)


@IGNORE_CONVERGENCE
def test_a_second_fit_keeps_no_state_of_the_first():
    """Fitted with early stopping, then without: the estimator holds what a fit
    with the second settings alone holds, no leftover of the first."""
    X, y = regression_data(n_samples=80, seed=2)
    params = dict(hidden_layer_sizes=(8,), alphas=2, cv=2, random_state=0, max_iter=30)
    model = RegularizedMLPRegressorCV(early_stopping=True, **params).fit(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.set_params(early_stopping=False, solver="sgd").fit(X, y)
    fresh = RegularizedMLPRegressorCV(early_stopping=False, solver="sgd", **params).fit(X, y)
    assert set(vars(model)) == set(vars(fresh))
    assert_allclose(model.coefs_[0], fresh.coefs_[0])


@IGNORE_CONVERGENCE
def test_refit_emptied_along_its_walk_counts_the_fit_that_ran():
    """The refit's walk on all the data empties the network at the first alpha and
    keeps it empty, without a fit, at alpha_: the CV estimator predicts a
    constant, and its n_iter_ and loss_curve_ are those of the fit that ran."""
    X, y = regression_data(n_samples=60, n_features=4, seed=5)
    model = RegularizedMLPRegressorCV(
        (6,), penalty="l1", alphas=[50.0, 100.0], cv=3, random_state=0, learning_rate_init=0.1
    ).fit(X, y)
    assert model.alpha_ == 100.0
    assert not any(np.any(W) for W in model.coefs_)
    # A constant prediction (its intercept is Adam's, within a step of the mean).
    assert np.ptp(model.predict(X)) == 0
    # n_iter_ and loss_curve_ count the walk's last fit that ran (the one at 50;
    # the walk does not refit an empty network at 100), as for any refit.
    template = RegularizedMLPRegressor((6,), penalty="l1", random_state=0, learning_rate_init=0.1)
    path = regularization_path(template, X, y, alphas=[50.0, 100.0])
    assert path.n_iter[1] == 0
    assert model.n_iter_ == path.n_iter[0] == len(model.loss_curve_) > 0


@IGNORE_CONVERGENCE
def test_a_diverged_second_fit_leaves_no_network_of_the_first():
    """A refit that diverges raises, and the network an earlier fit left is gone:
    predict raises NotFittedError rather than answering with the old network
    under the new settings."""
    X, y = regression_data(n_samples=80, seed=2)
    params = dict(hidden_layer_sizes=(8,), alphas=[1e-5, 1e-4], cv=2, random_state=0)
    model = RegularizedMLPRegressorCV(solver="sgd", max_iter=30, **params).fit(X, y)
    model.set_params(learning_rate_init=1e4, momentum=0.9)
    with pytest.raises(ValueError, match="diverged"):
        model.fit(100 * X, 1e4 * y)
    with pytest.raises(NotFittedError):
        model.predict(X)
