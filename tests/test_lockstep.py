"""Networks trained side by side (``sklearn_regnn._training``, ``walk_paths``):
each must get exactly, bit for bit, the fit it gets alone, and the stacks must
really form where they can."""

import numpy as np
import pytest
import scipy.sparse as sp
from _data import IGNORE_CONVERGENCE, classification_data, regression_data, sparse_with_zeros
from sklearn.model_selection import KFold

import sklearn_regnn._folds as folds_module
import sklearn_regnn._training as training
from sklearn_regnn import (
    RegularizedMLPClassifier,
    RegularizedMLPClassifierCV,
    RegularizedMLPRegressor,
    RegularizedMLPRegressorCV,
)
from sklearn_regnn._network import (
    ParameterPacking,
    Workspace,
    init_params,
    loss_and_grad,
    stacked_loss_and_grad,
)
from sklearn_regnn._path import walk_path, walk_paths
from sklearn_regnn._validation import TrainingDivergedError
from sklearn_regnn.penalties import ElasticNet, GroupLasso

BASE = dict(
    hidden_layer_sizes=(5,), max_iter=150, tol=1e-3, random_state=0, learning_rate_init=0.02
)
# From dense to sparse, up to alphas that empty the networks.
GRID = [1e-4, 1e-3, 1e-2, 0.1, 1.0]


@pytest.fixture
def stack_sizes(monkeypatch):
    """The sizes of the stacks trained (a list that fills as they form)."""
    sizes = []
    original = training._Stack.__init__

    def spy(self, models, *args, **kwargs):
        sizes.append(len(models))
        original(self, models, *args, **kwargs)

    monkeypatch.setattr(training._Stack, "__init__", spy)
    return sizes


def fitted_state(model):
    """Everything a fit leaves that a user can read, as plain values."""
    return {
        "coefs": [W.copy() for W in model.coefs_],
        "intercepts": [b.copy() for b in model.intercepts_],
        "loss_curve": list(model.loss_curve_),
        "validation_scores": model.validation_scores_,
        "n_iter": model.n_iter_,
        "t": model.t_,
        "loss": model.loss_,
    }


def assert_same_fit(a, b):
    assert a.keys() == b.keys()
    for key in a:
        if key in ("coefs", "intercepts"):
            for x, y in zip(a[key], b[key]):
                assert x.dtype == y.dtype
                np.testing.assert_array_equal(x, y)
        else:
            assert a[key] == b[key], key


def parts(X, y, sample_weight, sizes):
    """Data sets of the given sizes, drawn from the rows of (X, y)."""
    rng = np.random.RandomState(1)
    sets = []
    for size in sizes:
        rows = rng.choice(X.shape[0], size, replace=False)
        weights = None if sample_weight is None else sample_weight[rows]
        sets.append((X[rows], y[rows], weights))
    return sets


def regression(n_targets=1):
    return regression_data(n_samples=90, n_targets=n_targets, seed=2)


def settings():
    X, y = regression()
    X2, Y2 = regression(n_targets=2)
    Xc, yc = classification_data(n_samples=90, n_classes=3, seed=2)
    Xb, yb = classification_data(n_samples=90, seed=3)
    labels = np.c_[yc == 0, yc == 2].astype(int)
    positive = np.random.RandomState(0).uniform(0.5, 2.0, 90)
    with_zeros = positive.copy()
    with_zeros[::7] = 0.0
    R, C = RegularizedMLPRegressor, RegularizedMLPClassifier
    return {
        "adam l1": (R(**BASE, penalty="l1"), X, y, None),
        "adam elastic net, 2 outputs": (R(**BASE), X2, Y2, None),
        "adam group lasso, 2 layers": (
            R(**{**BASE, "hidden_layer_sizes": (5, 4)}, penalty="group_lasso"),
            X,
            y,
            None,
        ),
        "adam, positive sample weights": (R(**BASE, penalty="l1"), X, y, positive),
        "adam, sample weights with zeros (alone)": (R(**BASE), X, y, with_zeros),
        "adam, early stopping": (R(**BASE, early_stopping=True, n_iter_no_change=3), X, y, None),
        "adam, no shuffle, batches of 16": (R(**BASE, shuffle=False, batch_size=16), X, y, None),
        "adam, float32 tanh": (R(**{**BASE, "activation": "tanh"}), X.astype(np.float32), y, None),
        "adam, sparse X": (R(**BASE, penalty="l1"), sp.csr_matrix(sparse_with_zeros(X)), y, None),
        "sgd constant, Nesterov": (R(**BASE, solver="sgd", penalty="l1"), X, y, None),
        "sgd invscaling (alone)": (
            R(**BASE, solver="sgd", learning_rate="invscaling"),
            X,
            y,
            None,
        ),
        "sgd adaptive (alone)": (
            R(**BASE, solver="sgd", learning_rate="adaptive", n_iter_no_change=2),
            X,
            y,
            None,
        ),
        "softmax, class weights": (C(**BASE, class_weight="balanced"), Xc, yc, None),
        "logistic activation, binary": (C(**{**BASE, "activation": "logistic"}), Xb, yb, None),
        "multilabel, early stopping": (C(**BASE, early_stopping=True), Xc, labels, None),
    }


SETTINGS = settings()


@IGNORE_CONVERGENCE
@pytest.mark.parametrize("name", list(SETTINGS))
def test_walk_paths_gives_each_data_set_its_own_walk(name, stack_sizes):
    """Walked side by side (sizes 50, 50, 50, 61: a stack of three and one alone),
    every data set gets the fits walk_path gives it alone, at every alpha."""
    template, X, y, sample_weight = SETTINGS[name]
    datasets = parts(X, y, sample_weight, [50, 50, 50, 61])
    classifier = isinstance(template, RegularizedMLPClassifier)
    classes = np.unique(y) if classifier and y.ndim == 1 else None
    together = [
        [fitted_state(model) for model, _ in fits]
        for fits in walk_paths(template, datasets, GRID, classes)
    ]
    alone = [
        [fitted_state(model) for model, _ in walk_path(template, X_k, y_k, GRID, w_k, classes)]
        for X_k, y_k, w_k in datasets
    ]
    for step, fits in enumerate(together):
        for k, fit in enumerate(fits):
            assert_same_fit(fit, alone[k][step])
    shared = template.solver == "adam" or template.learning_rate == "constant"
    if shared and (sample_weight is None or np.all(sample_weight > 0)):
        assert max(stack_sizes) == 3
    else:
        assert max(stack_sizes) == 1
    # Networks of one stack stopped at different epochs, so that the stack shrank
    # while the others trained on, and the largest alphas emptied some of them.
    epochs = [[fit["n_iter"] for fit in fits[:3]] for fits in together]
    assert any(len(set(row)) > 1 for row in epochs)


def test_stacked_loss_and_grad_is_each_network_alone():
    """Three networks of one shape, each on its own batch: the stacked call gives
    each exactly the loss and gradient of the single-network call."""
    rng = np.random.RandomState(0)
    layer_units = [4, 6, 3, 2]
    packing = ParameterPacking(layer_units)
    params = np.stack(
        [packing.pack(*init_params(layer_units, "tanh", rng)) for _ in range(3)]
    )
    coefs, intercepts = packing.unpack(params)
    assert all(np.shares_memory(W, params) for W in coefs + intercepts)
    assert [W.shape for W in coefs] == [(3, 4, 6), (3, 6, 3), (3, 3, 2)]
    X = [rng.normal(size=(8, 4)) for _ in range(3)]
    Y = (rng.uniform(size=(3, 8, 2)) < 0.5).astype(float)
    weights = rng.uniform(0.1, 1.0, (3, 8))
    workspace = Workspace(layer_units, 10, np.float64, "tanh", n_networks=3)
    losses = stacked_loss_and_grad(params, X, Y, weights, "tanh", "logistic", workspace)
    for k in range(3):
        mine = packing.unpack(params[k])
        loss, coef_grads, intercept_grads = loss_and_grad(
            *mine, X[k], Y[k], weights[k], "tanh", "logistic"
        )
        assert losses[k] == loss
        np.testing.assert_array_equal(
            workspace.grad[k], packing.pack(coef_grads, intercept_grads)
        )


@pytest.mark.parametrize("penalty", [ElasticNet(0.1, 0.5), GroupLasso(0.1, 0.5)])
def test_weight_blocks_of_a_stack_are_views_of_every_network(penalty):
    packing = ParameterPacking([3, 2, 1])
    stack = np.arange(2 * packing.size, dtype=float).reshape(2, packing.size)
    blocks = packing.weight_blocks(stack, penalty)
    assert all(np.shares_memory(block, stack) for block in blocks)
    flat = np.concatenate([block.ravel() for block in blocks])
    np.testing.assert_array_equal(flat, stack[:, : packing.n_weights].ravel())


@IGNORE_CONVERGENCE
@pytest.mark.parametrize(
    "CV, X, y",
    [
        (RegularizedMLPRegressorCV, *regression()),
        (RegularizedMLPClassifierCV, *classification_data(n_samples=90, n_classes=3)),
    ],
)
def test_cv_folds_side_by_side_or_one_at_a_time_agree(CV, X, y, monkeypatch, stack_sizes):
    """The CV estimator's folds walk side by side (one stack of the 3 folds of
    equal size); with the memory cap set low they walk one at a time; with
    n_jobs=2 in two groups. The scores and the refit are the same."""
    params = dict(hidden_layer_sizes=(5,), alphas=4, cv=KFold(3), max_iter=20, random_state=0)
    together = CV(**params).fit(X, y)
    assert max(stack_sizes) == 3
    monkeypatch.setattr(folds_module, "LOCKSTEP_MAX_ENTRIES", 1)
    stack_sizes.clear()
    apart = CV(**params).fit(X, y)
    assert max(stack_sizes) == 1
    monkeypatch.undo()
    in_two_jobs = CV(**params, n_jobs=2).fit(X, y)
    for other in (apart, in_two_jobs):
        np.testing.assert_array_equal(together.cv_scores_, other.cv_scores_)
        for W, W_other in zip(together.coefs_, other.coefs_):
            np.testing.assert_array_equal(W, W_other)


def test_fold_chunks_follow_jobs_and_memory(monkeypatch):
    folds = [(np.arange(80), np.arange(80, 100))] * 5
    X = np.zeros((100, 10))
    assert folds_module.fold_chunks(folds, X, None) == [[0, 1, 2, 3, 4]]
    assert folds_module.fold_chunks(folds, X, 2) == [[0, 1, 2], [3, 4]]
    # 5 training parts of 800 entries: a cap of 2000 entries takes 2 groups.
    monkeypatch.setattr(folds_module, "LOCKSTEP_MAX_ENTRIES", 2000)
    assert folds_module.fold_chunks(folds, X, None) == [[0, 1, 2], [3, 4]]
    # A sparse X counts its stored entries: 100 of them, one group.
    sparse = sp.random(100, 10, density=0.1, format="csr", random_state=0)
    assert folds_module.fold_chunks(folds, sparse, None) == [[0, 1, 2, 3, 4]]


@IGNORE_CONVERGENCE
def test_a_diverging_stack_raises_and_leaves_no_weights():
    """Adam with a huge step diverges; walked side by side, the walk raises the
    divergence error and no model of the stack keeps weights to predict with."""
    X, y = regression()
    template = RegularizedMLPRegressor((5,), learning_rate_init=1e12, max_iter=5, random_state=0)
    walk = walk_paths(template, parts(X, y * 1e200, None, [50, 50]), GRID)
    with pytest.raises(TrainingDivergedError):
        next(walk)
