"""Regularized multi-layer perceptrons for scikit-learn.

L1, L2 and elastic-net penalties applied by proximal steps, so that weights
become exactly zero, with ``alpha`` scaled as in
:class:`sklearn.linear_model.ElasticNet`.
"""

from ._classifier import RegularizedMLPClassifier
from ._cv import RegularizedMLPClassifierCV, RegularizedMLPRegressorCV
from ._path import alpha_max, regularization_path
from ._regressor import RegularizedMLPRegressor

__version__ = "0.1.0"

__all__ = [
    "RegularizedMLPClassifier",
    "RegularizedMLPClassifierCV",
    "RegularizedMLPRegressor",
    "RegularizedMLPRegressorCV",
    "alpha_max",
    "regularization_path",
    "__version__",
]
