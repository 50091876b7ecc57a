"""scikit-learn's estimators set up to solve our objective, across its versions."""

import sklearn
from sklearn.linear_model import LogisticRegression

SKLEARN_VERSION = tuple(int(part) for part in sklearn.__version__.split(".")[:2])


def logistic_regression(alpha, l1_ratio, n_samples, solver="saga", tol=1e-12):
    """``LogisticRegression`` minimizing mean log-loss + our elastic net of strength alpha.

    Its ``C`` multiplies the summed loss, so ``C = 1 / (n_samples * alpha)``. From
    scikit-learn 1.8 ``l1_ratio`` alone selects the penalty (``penalty`` is
    deprecated); before, ``penalty='elasticnet'`` must be given for it to count.
    """
    params = {"C": 1.0 / (n_samples * alpha), "solver": solver, "tol": tol}
    if SKLEARN_VERSION >= (1, 8):
        params["l1_ratio"] = l1_ratio
    elif l1_ratio == 0:
        params["penalty"] = "l2"
    else:
        params.update(penalty="elasticnet", l1_ratio=l1_ratio)
    return LogisticRegression(max_iter=1_000_000, **params)
