"""Small data sets and settings shared by the estimator-level tests."""

import numpy as np
import pytest
from sklearn.datasets import make_classification, make_regression
from sklearn.preprocessing import StandardScaler

from sklearn_regnn import RegularizedMLPClassifier, RegularizedMLPRegressor

ESTIMATORS = [RegularizedMLPClassifier, RegularizedMLPRegressor]
SOLVERS = ["adam", "sgd", "fista"]
IGNORE_CONVERGENCE = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
# An exactly solved linear model: FISTA without hidden layers and a tight tolerance.
LINEAR = dict(hidden_layer_sizes=(), solver="fista", tol=1e-12, max_iter=20000)


def regression_data(n_samples=60, n_features=6, n_targets=1, seed=0):
    X, y = make_regression(
        n_samples=n_samples,
        n_features=n_features,
        n_informative=4,
        n_targets=n_targets,
        noise=1.0,
        random_state=seed,
    )
    X = StandardScaler().fit_transform(X)
    return X, (y - y.mean(axis=0)) / y.std(axis=0)


def classification_data(n_samples=60, n_features=6, n_classes=2, seed=0):
    return make_classification(
        n_samples=n_samples,
        n_features=n_features,
        n_informative=4,
        n_classes=n_classes,
        random_state=seed,
    )


def data_for(Estimator, **kwargs):
    if Estimator is RegularizedMLPClassifier:
        return classification_data(**kwargs)
    return regression_data(**kwargs)


def sparse_with_zeros(X, seed=0):
    """X with about half its entries set to 0, for sparse-versus-dense checks."""
    X = X.copy()
    X[np.random.RandomState(seed).rand(*X.shape) < 0.5] = 0.0
    return X
