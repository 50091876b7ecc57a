"""Behaviour a scikit-learn user relies on: inputs untouched, meta-estimators,
reproducibility, dtypes, sparse input, attribute shapes and weights. Training
itself (partial_fit, warm starts, early stopping, divergence, the reported loss) is
in test_training.py."""

import pickle

import numpy as np
import pytest
import scipy.sparse as sp
from _data import (
    ESTIMATORS,
    IGNORE_CONVERGENCE,
    LINEAR,
    SOLVERS,
    classification_data,
    data_for,
    regression_data,
    sparse_with_zeros,
)
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.base import clone
from sklearn.datasets import make_multilabel_classification, make_regression
from sklearn.feature_selection import SelectFromModel
from sklearn.model_selection import GridSearchCV, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.class_weight import compute_sample_weight

from sklearn_regnn import RegularizedMLPClassifier, RegularizedMLPRegressor


# ------------------------------------------------------------------------- inputs untouched
@IGNORE_CONVERGENCE
@pytest.mark.parametrize("Estimator", ESTIMATORS)
@pytest.mark.parametrize("solver", SOLVERS)
@pytest.mark.parametrize("sparse", [False, True], ids=["dense", "csr"])
def test_fit_does_not_modify_inputs(Estimator, solver, sparse):
    """fit leaves X (dense or CSR), y and sample_weight exactly as they were."""
    X, y = data_for(Estimator)
    X = sp.csr_matrix(sparse_with_zeros(X)) if sparse else X
    sample_weight = np.random.RandomState(1).uniform(0.5, 2.0, size=y.shape[0])
    X_copy, y_copy, sw_copy = X.copy(), y.copy(), sample_weight.copy()
    Estimator(hidden_layer_sizes=(4,), solver=solver, max_iter=5, random_state=0).fit(
        X, y, sample_weight=sample_weight
    )
    if sparse:
        assert_array_equal(X.data, X_copy.data)
        assert_array_equal(X.indices, X_copy.indices)
        assert_array_equal(X.indptr, X_copy.indptr)
    else:
        assert_array_equal(X, X_copy)
    assert_array_equal(y, y_copy)
    assert_array_equal(sample_weight, sw_copy)


@IGNORE_CONVERGENCE
@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_fit_with_early_stopping_does_not_modify_inputs(Estimator):
    """The train/validation split of early stopping works on copies too."""
    X, y = data_for(Estimator)
    sample_weight = np.random.RandomState(1).uniform(0.5, 2.0, size=y.shape[0])
    X_copy, y_copy, sw_copy = X.copy(), y.copy(), sample_weight.copy()
    Estimator(
        hidden_layer_sizes=(4,), early_stopping=True, validation_fraction=0.2, max_iter=5
    ).fit(X, y, sample_weight=sample_weight)
    assert_array_equal(X, X_copy)
    assert_array_equal(y, y_copy)
    assert_array_equal(sample_weight, sw_copy)


# ---------------------------------------------------------------------- meta-estimators
@IGNORE_CONVERGENCE
def test_pipeline_grid_search_parallel_picks_alpha_from_grid():
    """Pipeline + GridSearchCV(n_jobs=2) over alpha runs and picks a grid value."""
    X, y = regression_data(n_samples=90)
    X = 10 * X + 3  # something for the scaler to do
    grid = [1e-3, 1e-1, 10.0]
    pipe = make_pipeline(
        StandardScaler(), RegularizedMLPRegressor(hidden_layer_sizes=(), solver="fista")
    )
    search = GridSearchCV(pipe, {"regularizedmlpregressor__alpha": grid}, cv=3, n_jobs=2)
    search.fit(X, y)
    best = search.best_params_["regularizedmlpregressor__alpha"]
    assert best in grid
    # alpha=10 zeroes every weight: it cannot be the best on a nearly noiseless task.
    assert best != 10.0
    assert search.best_estimator_.predict(X).shape == y.shape
    assert search.best_score_ > 0.9


@IGNORE_CONVERGENCE
@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_cross_val_score(Estimator):
    """cross_val_score gives one finite, sensible score per fold."""
    X, y = data_for(Estimator, n_samples=90)
    model = make_pipeline(
        StandardScaler(), Estimator(hidden_layer_sizes=(), solver="fista", alpha=1e-3)
    )
    scores = cross_val_score(model, X, y, cv=3)
    assert scores.shape == (3,)
    assert np.all(np.isfinite(scores))
    assert scores.mean() > 0.6


@IGNORE_CONVERGENCE
@pytest.mark.parametrize("Estimator", ESTIMATORS)
@pytest.mark.parametrize("solver", SOLVERS)
def test_clone_and_pickle_round_trip(Estimator, solver):
    """A pickled model predicts identically; a clone refits to the same model."""
    X, y = data_for(Estimator)
    model = Estimator(hidden_layer_sizes=(4,), solver=solver, max_iter=10, random_state=0)
    model.fit(X, y)
    restored = pickle.loads(pickle.dumps(model))
    assert_array_equal(restored.predict(X), model.predict(X))
    cloned = clone(model)
    assert not hasattr(cloned, "coefs_")
    assert cloned.get_params() == model.get_params()
    assert_array_equal(cloned.fit(X, y).predict(X), model.predict(X))
    if Estimator is RegularizedMLPClassifier:
        assert_array_equal(restored.predict_proba(X), model.predict_proba(X))


# ---------------------------------------------------------------------- reproducibility
@IGNORE_CONVERGENCE
@pytest.mark.parametrize("Estimator", ESTIMATORS)
@pytest.mark.parametrize("solver", ["adam", "sgd"])
def test_random_state_reproducible(Estimator, solver):
    """The same random_state gives identical weights; another gives different ones."""
    X, y = data_for(Estimator)

    def fit(seed):
        return Estimator(
            hidden_layer_sizes=(5,), solver=solver, max_iter=5, random_state=seed
        ).fit(X, y)

    first, again, other = fit(0), fit(0), fit(1)
    for W, W_again in zip(first.coefs_ + first.intercepts_, again.coefs_ + again.intercepts_):
        assert_array_equal(W, W_again)
    assert not all(np.array_equal(W, V) for W, V in zip(first.coefs_, other.coefs_))


# --------------------------------------------------------------------------------- dtypes
@IGNORE_CONVERGENCE
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("solver", SOLVERS)
@pytest.mark.parametrize("sparse", [False, True], ids=["dense", "csr"])
def test_dtype_is_preserved(dtype, solver, sparse):
    """float32 input keeps float32 weights and outputs; float64 stays float64."""
    X, y = regression_data()
    X = X.astype(dtype)
    X = sp.csr_matrix(X) if sparse else X
    params = dict(hidden_layer_sizes=(4,), solver=solver, max_iter=5, random_state=0)
    reg = RegularizedMLPRegressor(**params).fit(X, y)
    assert all(p.dtype == dtype for p in reg.coefs_ + reg.intercepts_)
    assert reg.predict(X).dtype == dtype
    clf = RegularizedMLPClassifier(**params).fit(X, y > 0)
    assert all(p.dtype == dtype for p in clf.coefs_ + clf.intercepts_)
    assert clf.predict_proba(X).dtype == dtype
    assert np.isfinite(reg.loss_) and np.isfinite(clf.loss_)


# --------------------------------------------------------------------------------- sparse
@pytest.mark.parametrize("Estimator", ESTIMATORS)
@pytest.mark.parametrize("fmt", ["csr", "csc"])
def test_sparse_fista_equals_dense(Estimator, fmt):
    """Sparse CSR and CSC input give the dense solution (exact linear model)."""
    X, y = data_for(Estimator)
    X = sparse_with_zeros(X)
    X_sparse = sp.csr_matrix(X) if fmt == "csr" else sp.csc_matrix(X)
    dense = Estimator(alpha=0.05, **LINEAR).fit(X, y)
    sparse = Estimator(alpha=0.05, **LINEAR).fit(X_sparse, y)
    assert np.any(dense.coef_ != 0)
    assert_allclose(sparse.coef_, dense.coef_, rtol=1e-6, atol=1e-9)
    assert_allclose(sparse.intercept_, dense.intercept_, rtol=1e-6, atol=1e-9)
    assert_allclose(sparse.predict(X_sparse), dense.predict(X), rtol=1e-6, atol=1e-9)


@IGNORE_CONVERGENCE
@pytest.mark.parametrize("Estimator", ESTIMATORS)
@pytest.mark.parametrize("fmt", ["csr", "csc"])
def test_sparse_accepted_by_adam(Estimator, fmt):
    """Adam trains on sparse input and matches the dense run up to rounding."""
    X, y = data_for(Estimator)
    X = sparse_with_zeros(X)
    X_sparse = sp.csr_matrix(X) if fmt == "csr" else sp.csc_matrix(X)
    params = dict(hidden_layer_sizes=(5,), solver="adam", max_iter=10, random_state=0)
    sparse = Estimator(**params).fit(X_sparse, y)
    dense = Estimator(**params).fit(X, y)
    assert sparse.predict(X_sparse).shape == y.shape
    for W_sparse, W_dense in zip(sparse.coefs_, dense.coefs_):
        assert_allclose(W_sparse, W_dense, rtol=1e-6, atol=1e-9)


# ------------------------------------------------------------------------ coef_ shapes
def test_regressor_coef_shapes():
    """Regressor coef_/intercept_ follow ElasticNet: 1-D y vs 2-D y."""
    X, y = regression_data(n_features=6)
    model = RegularizedMLPRegressor(alpha=0.01, **LINEAR).fit(X, y)
    assert model.coef_.shape == (6,)
    assert np.ndim(model.intercept_) == 0
    assert isinstance(float(model.intercept_), float)
    assert_allclose(model.predict(X), X @ model.coef_ + model.intercept_, rtol=1e-12)

    X, Y = regression_data(n_features=6, n_targets=3)
    model = RegularizedMLPRegressor(alpha=0.01, **LINEAR).fit(X, Y)
    assert model.coef_.shape == (3, 6)
    assert model.intercept_.shape == (3,)
    assert model.predict(X).shape == (X.shape[0], 3)
    assert_allclose(model.predict(X), X @ model.coef_.T + model.intercept_, rtol=1e-12)


@pytest.mark.parametrize("n_classes, n_rows", [(2, 1), (3, 3)])
def test_classifier_coef_shapes(n_classes, n_rows):
    """Classifier coef_ is (1, n_features) for binary, (n_classes, n_features) otherwise."""
    X, y = classification_data(n_features=6, n_classes=n_classes)
    model = RegularizedMLPClassifier(alpha=0.01, **LINEAR).fit(X, y)
    assert model.coef_.shape == (n_rows, 6)
    assert model.intercept_.shape == (n_rows,)
    scores = X @ model.coef_.T + model.intercept_
    assert_allclose(model.decision_function(X), scores.ravel() if n_rows == 1 else scores)


@IGNORE_CONVERGENCE
@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_no_coef_with_hidden_layers(Estimator):
    """With hidden layers coef_ and intercept_ do not exist (AttributeError)."""
    X, y = data_for(Estimator)
    model = Estimator(hidden_layer_sizes=(3,), max_iter=2, random_state=0).fit(X, y)
    assert not hasattr(model, "coef_")
    assert not hasattr(model, "intercept_")
    with pytest.raises(AttributeError, match="hidden"):
        model.coef_  # noqa: B018


# ------------------------------------------------------------------ feature importances
@IGNORE_CONVERGENCE
@pytest.mark.parametrize("Estimator", ESTIMATORS)
@pytest.mark.parametrize("hidden_layer_sizes", [(), (5,)])
def test_feature_importances_are_row_norms(Estimator, hidden_layer_sizes):
    """feature_importances_ is the norm of each feature's first-layer weights."""
    X, y = data_for(Estimator, n_features=6)
    model = Estimator(
        hidden_layer_sizes=hidden_layer_sizes,
        penalty="l1",
        alpha=0.01,
        max_iter=20,
        random_state=0,
    ).fit(X, y)
    importances = model.feature_importances_
    assert importances.shape == (6,)
    assert_allclose(importances, np.linalg.norm(model.coefs_[0], axis=1), rtol=1e-12)


def test_select_from_model_keeps_informative_features():
    """SelectFromModel drops exactly the features with importance 0: the noise ones."""
    X, y = make_regression(
        n_samples=200,
        n_features=20,
        n_informative=3,
        noise=0.5,
        shuffle=False,  # the informative features are the first 3
        random_state=0,
    )
    X = StandardScaler().fit_transform(X)
    y = (y - y.mean()) / y.std()
    model = RegularizedMLPRegressor(penalty="l1", alpha=0.05, **LINEAR)
    selector = SelectFromModel(model, threshold=1e-12).fit(X, y)
    importances = selector.estimator_.feature_importances_
    support = selector.get_support()
    assert_array_equal(support, importances > 0)
    assert support[:3].all()
    assert_array_equal(np.flatnonzero(support), [0, 1, 2])
    assert selector.transform(X).shape == (200, 3)


# ------------------------------------------------------------------------- classifier
@IGNORE_CONVERGENCE
@pytest.mark.parametrize("n_classes", [2, 3])
@pytest.mark.parametrize("solver", SOLVERS)
def test_predict_proba_binary_and_multiclass(n_classes, solver):
    """predict_proba rows sum to 1, predict_log_proba is its log, shapes are right."""
    X, y = classification_data(n_classes=n_classes)
    model = RegularizedMLPClassifier(
        hidden_layer_sizes=(5,), solver=solver, max_iter=20, random_state=0
    ).fit(X, y)
    proba = model.predict_proba(X)
    assert proba.shape == (X.shape[0], n_classes)
    assert np.all((proba >= 0) & (proba <= 1))
    assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-12)
    with np.errstate(divide="ignore"):  # a saturated probability is exactly 0
        log_proba = np.log(proba)
    assert_allclose(model.predict_log_proba(X), log_proba, rtol=1e-12)
    assert_array_equal(model.predict(X), model.classes_[proba.argmax(axis=1)])
    expected = (X.shape[0],) if n_classes == 2 else (X.shape[0], n_classes)
    assert model.decision_function(X).shape == expected


@IGNORE_CONVERGENCE
def test_multilabel_shapes():
    """A 2-D indicator y gives one probability column and one prediction per label."""
    X, Y = make_multilabel_classification(n_samples=60, n_features=6, n_classes=4, random_state=0)
    model = RegularizedMLPClassifier(hidden_layer_sizes=(5,), max_iter=20, random_state=0)
    model.fit(X, Y)
    proba = model.predict_proba(X)
    assert proba.shape == (60, 4)
    assert np.all((proba >= 0) & (proba <= 1))
    assert model.predict(X).shape == (60, 4)
    assert set(np.unique(model.predict(X))) <= {0, 1}
    assert model.decision_function(X).shape == (60, 4)
    with np.errstate(divide="ignore"):
        log_proba = np.log(proba)
    assert_allclose(model.predict_log_proba(X), log_proba, rtol=1e-12)


def test_string_labels():
    """String labels: classes_ sorted, predictions drawn from classes_."""
    X, y = classification_data(n_classes=3)
    names = np.array(["owl", "cat", "eel"])[y]
    model = RegularizedMLPClassifier(alpha=0.01, **LINEAR).fit(X, names)
    assert_array_equal(model.classes_, ["cat", "eel", "owl"])
    predictions = model.predict(X)
    assert set(predictions) <= set(model.classes_)
    assert np.mean(predictions == names) > 0.7
    assert model.predict_proba(X).shape == (60, 3)


# ------------------------------------------------------------------------ class weights
def test_class_weight_dict_equals_sample_weight():
    """class_weight={0: 1, 1: 3} fits the model of sample_weight 3 on class 1."""
    X, y = classification_data()
    with_class_weight = RegularizedMLPClassifier(
        alpha=0.01, class_weight={0: 1, 1: 3}, **LINEAR
    ).fit(X, y)
    with_sample_weight = RegularizedMLPClassifier(alpha=0.01, **LINEAR).fit(
        X, y, sample_weight=np.where(y == 1, 3.0, 1.0)
    )
    unweighted = RegularizedMLPClassifier(alpha=0.01, **LINEAR).fit(X, y)
    assert_allclose(with_class_weight.coef_, with_sample_weight.coef_, rtol=1e-8, atol=1e-10)
    assert_allclose(with_class_weight.intercept_, with_sample_weight.intercept_, rtol=1e-8)
    assert not np.allclose(with_class_weight.coef_, unweighted.coef_, rtol=1e-3)


def test_class_weight_balanced_equals_compute_sample_weight():
    """class_weight='balanced' equals compute_sample_weight('balanced', y)."""
    X, y = classification_data(n_samples=90, n_classes=3)
    keep = (y != 2) | (np.arange(y.size) % 3 == 0)  # make the classes unbalanced
    X, y = X[keep], y[keep]
    balanced = RegularizedMLPClassifier(alpha=0.01, class_weight="balanced", **LINEAR)
    weighted = RegularizedMLPClassifier(alpha=0.01, **LINEAR)
    balanced.fit(X, y)
    weighted.fit(X, y, sample_weight=compute_sample_weight("balanced", y))
    assert_allclose(balanced.coef_, weighted.coef_, rtol=1e-8, atol=1e-10)
    assert_allclose(balanced.intercept_, weighted.intercept_, rtol=1e-8, atol=1e-10)


# ----------------------------------------------------------------------- sample weights
@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_integer_sample_weight_equals_repeated_rows(Estimator):
    """An integer weight k counts like the row repeated k times (0 drops it)."""
    X, y = data_for(Estimator)
    weights = np.random.RandomState(0).randint(0, 4, size=y.shape[0])
    weighted = Estimator(alpha=0.02, **LINEAR).fit(X, y, sample_weight=weights)
    repeated = Estimator(alpha=0.02, **LINEAR).fit(
        np.repeat(X, weights, axis=0), np.repeat(y, weights, axis=0)
    )
    assert np.any(weighted.coef_ != 0)
    assert_allclose(weighted.coef_, repeated.coef_, rtol=1e-8, atol=1e-10)
    assert_allclose(weighted.intercept_, repeated.intercept_, rtol=1e-8, atol=1e-10)


@IGNORE_CONVERGENCE
@pytest.mark.parametrize("Estimator", ESTIMATORS)
@pytest.mark.parametrize("solver", SOLVERS)
def test_scaled_sample_weight_gives_same_model(Estimator, solver):
    """Weights are normalized: multiplying them by 10 changes nothing."""
    X, y = data_for(Estimator)
    weights = np.random.RandomState(0).uniform(0.5, 2.0, size=y.shape[0])
    params = dict(hidden_layer_sizes=(4,), solver=solver, max_iter=10, random_state=0)
    model = Estimator(**params).fit(X, y, sample_weight=weights)
    scaled = Estimator(**params).fit(X, y, sample_weight=10 * weights)
    for W, W_scaled in zip(model.coefs_, scaled.coefs_):
        assert_allclose(W, W_scaled, rtol=1e-10, atol=1e-12)
    assert_allclose(model.loss_, scaled.loss_, rtol=1e-10)


@pytest.mark.parametrize("n_targets", [1, 3])
@pytest.mark.parametrize("weighted", [False, True])
def test_fast_r2_equals_r2_score(n_targets, weighted):
    """The R^2 the CV paths and early stopping use is scikit-learn's, constant
    targets included (1 when predicted exactly, 0 otherwise)."""
    from sklearn.metrics import r2_score

    from sklearn_regnn._regressor import r2

    rng = np.random.default_rng(n_targets)
    y = rng.normal(size=(40, n_targets)).squeeze()
    predicted = y + rng.normal(scale=0.5, size=y.shape)
    weights = rng.uniform(0, 2, size=40) if weighted else None
    expected = r2_score(y, predicted, sample_weight=weights)
    assert r2(y, predicted, weights) == pytest.approx(expected, rel=1e-12)
    # (Weighted means of a constant are not exactly the constant in floating point,
    # for scikit-learn either: the edge case is checked without weights.)
    constant = np.ones((40, 2))
    off = constant.copy()
    off[:, 1] += 0.5
    assert r2(constant, off) == r2_score(constant, off) == 0.5
