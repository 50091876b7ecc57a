"""Bad hyper-parameters and bad data raise clear errors naming the problem."""

import numpy as np
import pytest
from sklearn.exceptions import NotFittedError

from sklearn_regnn import RegularizedMLPClassifier, RegularizedMLPRegressor

ESTIMATORS = [RegularizedMLPClassifier, RegularizedMLPRegressor]

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


def make_data(Estimator, n_samples=30, n_features=4, seed=0):
    """Small data fitting ``Estimator``: two classes, or a real target."""
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n_samples, n_features))
    if Estimator is RegularizedMLPClassifier:
        y = (X[:, 0] > 0).astype(int)
        y[:2] = [0, 1]  # both classes always present
    else:
        y = X[:, 0] + 0.1 * rng.normal(size=n_samples)
    return X, y


def quick(Estimator, **params):
    """A fast estimator: small network, few iterations."""
    defaults = dict(hidden_layer_sizes=(3,), max_iter=5, random_state=0)
    defaults.update(params)
    return Estimator(**defaults)


# --------------------------------------------------------------------------- parameters
BAD_PARAMS = [
    ({"penalty": "l3"}, "penalty"),
    ({"l1_ratio": 1.5}, "l1_ratio"),
    ({"l1_ratio": -0.1}, "l1_ratio"),
    ({"alpha": -1}, "alpha"),
    ({"alpha": np.nan}, "alpha"),
    ({"hidden_layer_sizes": (0,)}, "hidden_layer_sizes"),
    ({"hidden_layer_sizes": (5, -3)}, "hidden_layer_sizes"),
    ({"hidden_layer_sizes": (2.5,)}, "hidden_layer_sizes"),
    ({"hidden_layer_sizes": -1}, "hidden_layer_sizes"),
    ({"solver": "lbfgs"}, "solver"),
    ({"activation": "softplus"}, "activation"),
    ({"max_iter": 0}, "max_iter"),
    ({"learning_rate_init": 0.0}, "learning_rate_init"),
    ({"learning_rate_init": -0.1}, "learning_rate_init"),
    ({"batch_size": 0}, "batch_size"),
    ({"validation_fraction": 1}, "validation_fraction"),
    ({"validation_fraction": 0, "early_stopping": True}, "validation_fraction"),
    ({"beta_1": 1}, "beta_1"),
    ({"epsilon": 0}, "epsilon"),
    ({"n_iter_no_change": 0}, "n_iter_no_change"),
    ({"momentum": 2}, "momentum"),
    ({"learning_rate": "bogus"}, "learning_rate"),
]


@pytest.mark.parametrize("Estimator", ESTIMATORS)
@pytest.mark.parametrize(
    "params, name",
    BAD_PARAMS,
    ids=[",".join(f"{k}={v!r}" for k, v in p.items()) for p, _ in BAD_PARAMS],
)
def test_invalid_parameter_raises_value_error_naming_it(Estimator, params, name):
    """fit rejects an invalid hyper-parameter with a ValueError naming it."""
    X, y = make_data(Estimator)
    with pytest.raises(ValueError, match=name):
        quick(Estimator, **params).fit(X, y)


def test_invalid_class_weight_raises():
    """class_weight='bogus' (or an array, which sklearn's classifiers do not take
    either) is rejected by the classifier, naming class_weight."""
    X, y = make_data(RegularizedMLPClassifier)
    for bad in ["bogus", np.array([1.0, 2.0])]:
        with pytest.raises(ValueError, match="class_weight"):
            quick(RegularizedMLPClassifier, class_weight=bad).fit(X, y)


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_invalid_parameter_leaves_unfitted(Estimator):
    """A rejected fit does not leave a half-fitted estimator behind."""
    X, y = make_data(Estimator)
    model = quick(Estimator, alpha=-1)
    with pytest.raises(ValueError):
        model.fit(X, y)
    with pytest.raises(NotFittedError):
        model.predict(X)


@pytest.mark.parametrize("Estimator", ESTIMATORS)
@pytest.mark.parametrize("method", ["fit", "partial_fit"])
def test_invalid_parameter_also_checked_by_partial_fit(Estimator, method):
    """partial_fit validates the hyper-parameters as fit does."""
    X, y = make_data(Estimator)
    model = quick(Estimator, penalty="l3")
    kwargs = (
        {"classes": [0, 1]}
        if method == "partial_fit" and Estimator is (RegularizedMLPClassifier)
        else {}
    )
    with pytest.raises(ValueError, match="penalty"):
        getattr(model, method)(X, y, **kwargs)


# --------------------------------------------------------------------------------- data
@pytest.mark.parametrize("Estimator", ESTIMATORS)
@pytest.mark.parametrize("bad, message", [(np.nan, "NaN"), (np.inf, "infinity")])
def test_non_finite_X_raises(Estimator, bad, message):
    """NaN or infinity in X is rejected at fit, with a message saying which."""
    X, y = make_data(Estimator)
    X[3, 1] = bad
    with pytest.raises(ValueError, match=message):
        quick(Estimator).fit(X, y)


@pytest.mark.parametrize("Estimator", ESTIMATORS)
@pytest.mark.parametrize("bad, message", [(np.nan, "NaN"), (np.inf, "infinity")])
def test_non_finite_X_at_predict_raises(Estimator, bad, message):
    """NaN or infinity in X is rejected at predict too."""
    X, y = make_data(Estimator)
    model = quick(Estimator).fit(X, y)
    X[3, 1] = bad
    with pytest.raises(ValueError, match=message):
        model.predict(X)


def test_nan_in_regression_target_raises():
    """NaN in the regressor's y is rejected."""
    X, y = make_data(RegularizedMLPRegressor)
    y[5] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        quick(RegularizedMLPRegressor).fit(X, y)


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_wrong_number_of_features_at_predict_raises(Estimator):
    """predict with a different number of features than fit names the mismatch."""
    X, y = make_data(Estimator, n_features=4)
    model = quick(Estimator).fit(X, y)
    with pytest.raises(ValueError, match="features"):
        model.predict(X[:, :3])


@pytest.mark.parametrize("method", ["predict_proba", "decision_function"])
def test_wrong_number_of_features_classifier_outputs(method):
    """predict_proba and decision_function check the number of features too."""
    X, y = make_data(RegularizedMLPClassifier, n_features=4)
    model = quick(RegularizedMLPClassifier).fit(X, y)
    with pytest.raises(ValueError, match="features"):
        getattr(model, method)(np.hstack([X, X]))


@pytest.mark.parametrize("solver", ["adam", "fista"])
def test_single_class_raises(solver):
    """A classifier cannot be fitted on one class; the message says so."""
    X, _ = make_data(RegularizedMLPClassifier)
    with pytest.raises(ValueError, match="class"):
        quick(RegularizedMLPClassifier, solver=solver).fit(X, np.ones(X.shape[0]))


@pytest.mark.parametrize("Estimator", ESTIMATORS)
@pytest.mark.parametrize(
    "make_weight, message",
    [
        (lambda n: np.ones(n - 1), "sample_weight"),
        (lambda n: np.ones(n + 3), "sample_weight"),
        (lambda n: np.r_[-1.0, np.ones(n - 1)], "negative"),
        (lambda n: np.zeros(n), "zero"),
        (lambda n: np.ones((n, 2)), "1-dimensional"),
        (lambda n: np.r_[np.nan, np.ones(n - 1)], "NaN"),
    ],
    ids=["too-short", "too-long", "negative", "all-zero", "2-D", "nan"],
)
def test_bad_sample_weight_raises(Estimator, make_weight, message):
    """Bad sample weights (length, sign, all zero, 2-D, NaN) are rejected clearly."""
    X, y = make_data(Estimator)
    with pytest.raises(ValueError, match=message):
        quick(Estimator).fit(X, y, sample_weight=make_weight(X.shape[0]))


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_bad_sample_weight_in_fista(Estimator):
    """The FISTA path checks sample weights as well."""
    X, y = make_data(Estimator)
    with pytest.raises(ValueError, match="negative"):
        quick(Estimator, solver="fista").fit(X, y, sample_weight=-np.ones(X.shape[0]))


# ------------------------------------------------------------------------ fitted state
@pytest.mark.parametrize(
    "Estimator, method",
    [
        (RegularizedMLPRegressor, "predict"),
        (RegularizedMLPClassifier, "predict"),
        (RegularizedMLPClassifier, "predict_proba"),
        (RegularizedMLPClassifier, "predict_log_proba"),
        (RegularizedMLPClassifier, "decision_function"),
    ],
)
def test_predict_before_fit_raises_not_fitted(Estimator, method):
    """Using an unfitted estimator raises NotFittedError."""
    X, _ = make_data(Estimator)
    with pytest.raises(NotFittedError):
        getattr(Estimator(), method)(X)


@pytest.mark.parametrize("method", ["fit", "partial_fit"])
def test_a_failed_first_fit_leaves_the_estimator_unfitted(method):
    """A first fit that fails its checks (one class; a label outside ``classes``)
    has set n_features_in_ but no weights: predicting raises NotFittedError (where
    LogisticRegression raises an AttributeError), and partial_fit may start over
    with corrected classes."""
    X, y = make_data(RegularizedMLPClassifier)
    model = RegularizedMLPClassifier((3,), random_state=0)
    with pytest.raises(ValueError, match="class"):
        if method == "fit":
            model.fit(X, np.zeros_like(y))
        else:
            model.partial_fit(X, y, classes=[0])
    with pytest.raises(NotFittedError):
        model.predict(X)
    if method == "partial_fit":
        model.partial_fit(X, y, classes=[0, 1])
        assert list(model.classes_) == [0, 1]


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_feature_importances_before_fit_raises_not_fitted(Estimator):
    """feature_importances_ is not available before fit."""
    with pytest.raises(NotFittedError):
        Estimator().feature_importances_  # noqa: B018


# ----------------------------------------------------------------------------- partial_fit
@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_partial_fit_unavailable_for_fista(Estimator):
    """partial_fit does not exist for solver='fista' (hasattr False, AttributeError)."""
    model = Estimator(solver="fista")
    assert not hasattr(model, "partial_fit")
    with pytest.raises(AttributeError, match="partial_fit"):
        model.partial_fit  # noqa: B018
    assert hasattr(Estimator(solver="sgd"), "partial_fit")
    assert hasattr(Estimator(solver="adam"), "partial_fit")


def test_classifier_partial_fit_needs_classes_on_first_call():
    """The first partial_fit of the classifier must be given ``classes``."""
    X, y = make_data(RegularizedMLPClassifier)
    with pytest.raises(ValueError, match="classes"):
        quick(RegularizedMLPClassifier).partial_fit(X, y)


def test_classifier_partial_fit_balanced_class_weight_raises():
    """class_weight='balanced' cannot be used with partial_fit."""
    X, y = make_data(RegularizedMLPClassifier)
    model = quick(RegularizedMLPClassifier, class_weight="balanced")
    with pytest.raises(ValueError, match="balanced"):
        model.partial_fit(X, y, classes=[0, 1])


def test_classifier_partial_fit_changed_classes_raises():
    """Later partial_fit calls cannot change ``classes``."""
    X, y = make_data(RegularizedMLPClassifier)
    model = quick(RegularizedMLPClassifier).partial_fit(X, y, classes=[0, 1])
    with pytest.raises(ValueError, match="classes"):
        model.partial_fit(X, y, classes=[0, 1, 2])


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_partial_fit_early_stopping_raises(Estimator):
    """partial_fit refuses early_stopping=True, naming it."""
    X, y = make_data(Estimator)
    model = quick(Estimator, early_stopping=True)
    kwargs = {"classes": [0, 1]} if Estimator is RegularizedMLPClassifier else {}
    with pytest.raises(ValueError, match="early_stopping"):
        model.partial_fit(X, y, **kwargs)
