"""Training side by side with scikit-learn's MLP: the same calls leave the same
counters, and from the same network the same batches give the same weights."""

import inspect

import numpy as np
import pytest
from _data import ESTIMATORS, IGNORE_CONVERGENCE, data_for
from numpy.testing import assert_allclose
from sklearn.neural_network import MLPClassifier, MLPRegressor

from sklearn_regnn import RegularizedMLPClassifier, RegularizedMLPRegressor


@IGNORE_CONVERGENCE
@pytest.mark.parametrize("early_stopping", [False, True])
@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_counters_follow_scikit_learns_mlp_over_warm_starts_and_partial_fit(
    Estimator, early_stopping
):
    """The same sequence of calls (a fit, a warm-started fit, then partial_fit
    twice) leaves n_iter_, t_ and the lengths of loss_curve_ and
    validation_scores_ as scikit-learn's MLP leaves them: n_iter_ counts the last
    call, the others the whole run."""
    X, y = data_for(Estimator)
    reference_class = MLPClassifier if Estimator is RegularizedMLPClassifier else MLPRegressor
    params = dict(
        hidden_layer_sizes=(5,),
        max_iter=4,
        warm_start=True,
        early_stopping=early_stopping,
        n_iter_no_change=100,  # no early stop: every fit runs max_iter epochs
        random_state=0,
    )
    ours, reference = Estimator(**params), reference_class(**params)
    steps = [("fit", {"max_iter": 4}), ("fit", {"max_iter": 3})]
    if not early_stopping:  # neither supports partial_fit with early stopping
        steps += [("partial_fit", {}), ("partial_fit", {})]
    for method, new_params in steps:
        for model in (ours, reference):
            model.set_params(**new_params)
            getattr(model, method)(X, y)
        assert ours.n_iter_ == reference.n_iter_
        assert ours.t_ == reference.t_
        assert len(ours.loss_curve_) == len(reference.loss_curve_)
        if early_stopping:
            assert len(ours.validation_scores_) == len(reference.validation_scores_)
        else:
            assert ours.validation_scores_ is reference.validation_scores_ is None


@IGNORE_CONVERGENCE
@pytest.mark.skipif(
    "sample_weight" not in inspect.signature(MLPRegressor.fit).parameters,
    reason="scikit-learn's MLP takes sample_weight from 1.7 on",
)
@pytest.mark.parametrize("solver", ["sgd", "adam"])
def test_weighted_mini_batches_step_as_scikit_learns_mlp(solver):
    """With sample weights each mini-batch's loss is its weighted mean, as in
    MLPRegressor: from the same weights, with the same batches and no penalty,
    three epochs end at the same network. Scaling each batch by its share of the
    total weight instead made the batches holding the heavy samples (here 3 of
    200, weighted 1000) take steps about 20 times too long, and SGD diverged."""
    rng = np.random.RandomState(0)
    X = rng.normal(size=(200, 5))
    y = np.tanh(X @ rng.normal(size=5)) + 0.1 * rng.normal(size=200)
    weights = np.ones(200)
    weights[:3] = 1000.0
    settings = dict(
        hidden_layer_sizes=(10,),
        solver=solver,
        learning_rate_init=0.05 if solver == "sgd" else 0.01,
        momentum=0.0,
        batch_size=10,
        shuffle=False,
        max_iter=1,
        warm_start=True,
        random_state=0,
    )
    ours = RegularizedMLPRegressor(penalty=None, **settings).fit(X, y, sample_weight=weights)
    reference = MLPRegressor(alpha=0.0, **settings).fit(X, y, sample_weight=weights)
    assert_same_training_from_one_start(ours, reference, X, y, 3, sample_weight=weights)


@IGNORE_CONVERGENCE
@pytest.mark.parametrize("early_stopping", [False, True])
@pytest.mark.parametrize("Estimator", ESTIMATORS)
@pytest.mark.parametrize("solver", ["sgd", "adam"])
def test_shuffled_epochs_draw_scikit_learns_batches(Estimator, solver, early_stopping):
    """With shuffle=True and the same random_state, every epoch's batches are
    scikit-learn's MLP's: each epoch reshuffles the previous epoch's order. From
    the same network, five shuffled epochs without a penalty end at the same
    weights, with early stopping too (the same validation split, the same scores
    and the same best epoch restored). (A fresh permutation per epoch gives the
    same first epoch and other batches from the second on.)"""
    X, y = data_for(Estimator)
    reference_class = MLPClassifier if Estimator is RegularizedMLPClassifier else MLPRegressor
    settings = dict(
        hidden_layer_sizes=(6,),
        solver=solver,
        learning_rate_init=0.01,
        batch_size=7,
        shuffle=True,
        max_iter=1,
        n_iter_no_change=100,
        early_stopping=early_stopping,
        warm_start=True,
        random_state=0,
    )
    ours = Estimator(penalty=None, **settings).fit(X, y)
    reference = reference_class(alpha=0.0, **settings).fit(X, y)
    assert_same_training_from_one_start(ours, reference, X, y, 5)
    if early_stopping:  # the same split, scored alike, and the same best epoch kept
        # (The first score is the first fit's, from each one's own initialization.)
        assert_allclose(ours.validation_scores_[1:], reference.validation_scores_[1:], rtol=1e-9)


def assert_same_training_from_one_start(ours, reference, X, y, max_iter, **fit_params):
    """Give two fitted warm-start models the same random network, train both for
    ``max_iter`` more epochs and check they end at the same weights. A warm fit
    draws no initial weights, so both random streams start afresh at the first
    shuffle."""
    start = np.random.RandomState(1)
    coefs = [start.uniform(-0.5, 0.5, W.shape) for W in reference.coefs_]
    intercepts = [start.uniform(-0.5, 0.5, b.shape) for b in reference.intercepts_]
    for model in (ours, reference):
        model.coefs_ = [W.copy() for W in coefs]
        model.intercepts_ = [b.copy() for b in intercepts]
        model.set_params(max_iter=max_iter).fit(X, y, **fit_params)
    for W, V in zip(ours.coefs_ + ours.intercepts_, reference.coefs_ + reference.intercepts_):
        assert_allclose(W, V, rtol=1e-9, atol=1e-12)
