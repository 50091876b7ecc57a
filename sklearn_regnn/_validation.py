"""Checks of the estimators' hyper-parameters and sample weights, and the error
raised when training diverges.

Written against scikit-learn's public API only, so no private scikit-learn helper
can change under us; every error names the parameter it is about.
"""

import numbers

import numpy as np


class InvalidParameterError(ValueError, TypeError):
    """A hyper-parameter has an invalid value or type.

    It subclasses both ``ValueError`` and ``TypeError``, as scikit-learn's own
    parameter errors do, so either ``except`` clause catches it.
    """


class TrainingDivergedError(ValueError):
    """The loss or the weights became non-finite during training."""


def diverged(solver, learning_rate_init):
    remedy = "Scale the input data (e.g. with StandardScaler)"
    if solver != "fista":  # FISTA searches its own step: it has no rate to lower
        remedy = (
            f"Use a smaller learning_rate_init (now {learning_rate_init}) or scale "
            "the input data (e.g. with StandardScaler)"
        )
    return TrainingDivergedError(
        f"Training diverged: the loss became non-finite with solver={solver!r}. {remedy}. "
        "The estimator is left unfitted."
    )


def _is_real(value):
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def _is_int(value):
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def one_of(*options):
    """Constraint: the value is one of ``options`` (compared with ``==``)."""

    def check(value):
        for option in options:
            if option is None:
                if value is None:
                    return None
            elif isinstance(value, type(option)) and value == option:
                return None
        return "must be one of " + ", ".join(repr(o) for o in options)

    return check


def real(low=None, high=None, low_open=False, high_open=False):
    """Constraint: a finite real number within the given bounds."""

    def check(value):
        interval = (
            ("(" if low_open else "[")
            + ("-inf" if low is None else repr(low))
            + ", "
            + ("inf" if high is None else repr(high))
            + (")" if high_open or high is None else "]")
        )
        message = f"must be a finite real number in {interval}"
        if not _is_real(value) or not np.isfinite(value):
            return message
        if low is not None and (value < low or (low_open and value == low)):
            return message
        if high is not None and (value > high or (high_open and value == high)):
            return message
        return None

    return check


def integer(low):
    """Constraint: an integer ``>= low``."""

    def check(value):
        if not _is_int(value) or value < low:
            return f"must be an integer >= {low}"
        return None

    return check


def boolean(value):
    """Constraint: a bool (numpy bools included)."""
    if isinstance(value, (bool, np.bool_)):
        return None
    return "must be a bool"


def either(*checks, description):
    """Constraint satisfied when any of ``checks`` is."""

    def check(value):
        if any(c(value) is None for c in checks):
            return None
        return f"must be {description}"

    return check


def validate_params(estimator, constraints):
    """Raise :class:`InvalidParameterError` for the first parameter that fails.

    Parameters
    ----------
    estimator : estimator
        Has the parameters as attributes.
    constraints : dict
        Parameter name to a check returning None or the reason it failed.
    """
    # getattr rather than get_params(): that one inspects the signature of __init__
    # on every call, which is most of the cost of a small fit.
    for name, check in constraints.items():
        value = getattr(estimator, name)
        reason = check(value)
        if reason is not None:
            raise InvalidParameterError(
                f"The {name!r} parameter of {type(estimator).__name__} {reason}; got {value!r}."
            )


def check_hidden_layer_sizes(value):
    """Return ``hidden_layer_sizes`` as a tuple of positive ints or raise."""
    sizes = (value,) if _is_int(value) else value
    try:
        sizes = tuple(sizes)
    except TypeError:
        sizes = None
    if sizes is None or not all(_is_int(s) and s >= 1 for s in sizes):
        raise InvalidParameterError(
            "The 'hidden_layer_sizes' parameter must be a tuple of positive integers "
            f"(or () for no hidden layer); got {value!r}."
        )
    return tuple(int(s) for s in sizes)


def normalized_sample_weight(sample_weight, n_samples, dtype):
    """Check ``sample_weight`` and scale it to sum to 1.

    Parameters
    ----------
    sample_weight : array-like of shape (n_samples,) or None
        Non-negative finite weights, not all zero; None means uniform.
    n_samples : int
        Expected length.
    dtype : numpy dtype
        Dtype of the result.

    Returns
    -------
    sample_weight : ndarray of shape (n_samples,)
        A new array summing to 1.
    """
    if sample_weight is None:
        return np.full(n_samples, 1.0 / n_samples, dtype=dtype)
    if _is_real(sample_weight):
        if not sample_weight > 0:
            raise ValueError(f"A scalar sample_weight must be positive; got {sample_weight}.")
        return np.full(n_samples, 1.0 / n_samples, dtype=dtype)
    try:
        weights = np.asarray(sample_weight, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"sample_weight must be an array of numbers: {exc}") from exc
    if weights.ndim != 1:
        raise ValueError(
            f"sample_weight must be 1-dimensional; got an array of shape {weights.shape}."
        )
    if weights.shape[0] != n_samples:
        raise ValueError(
            f"sample_weight.shape == ({weights.shape[0]},), expected ({n_samples},): "
            "sample_weight needs one weight per sample."
        )
    if not np.all(np.isfinite(weights)):
        raise ValueError("sample_weight contains NaN or infinity.")
    if np.any(weights < 0):
        raise ValueError("sample_weight must be non-negative; negative weights found.")
    total = weights.sum()
    if total <= 0:
        raise ValueError("sample_weight sums to zero: at least one weight must be positive.")
    return (weights / total).astype(dtype)


def _is_random_state(value):
    return value is None or isinstance(value, (np.random.RandomState, int, np.integer))


# The constraint of every parameter both estimators share; validate_params checks
# them at fit and names the parameter in its error.
PARAMETER_CONSTRAINTS = {
    "activation": one_of("identity", "logistic", "tanh", "relu"),
    "solver": one_of("adam", "sgd", "fista"),
    "penalty": one_of("l1", "l2", "elasticnet", "group_lasso", None),
    "alpha": real(0),
    "l1_ratio": real(0, 1),
    "batch_size": either(one_of("auto"), integer(1), description="'auto' or an integer >= 1"),
    "learning_rate": one_of("constant", "invscaling", "adaptive"),
    "learning_rate_init": real(0, low_open=True),
    "power_t": real(0),
    "max_iter": integer(1),
    "shuffle": boolean,
    "random_state": lambda v: (
        None
        if _is_random_state(v) and not isinstance(v, bool)
        else "must be None, an int or a numpy RandomState"
    ),
    "tol": real(0),
    "verbose": either(boolean, integer(0), description="a bool or an integer >= 0"),
    "warm_start": boolean,
    "momentum": real(0, 1),
    "nesterovs_momentum": boolean,
    "early_stopping": boolean,
    "validation_fraction": real(0, 1, high_open=True),
    "beta_1": real(0, 1, high_open=True),
    "beta_2": real(0, 1, high_open=True),
    "epsilon": real(0, low_open=True),
    "n_iter_no_change": integer(1),
}


# Parameters of the plain estimators that the CV estimators do not have: alpha and
# l1_ratio are what they choose, and their paths manage warm starts themselves.
CV_NOT_SHARED = ("alpha", "l1_ratio", "warm_start")


def _check_alphas(value):
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        return None if value >= 1 else "must be an integer >= 1"
    try:
        grid = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        return "must be an integer >= 1 or an array-like of floats >= 0"
    if grid.ndim != 1 or grid.size == 0 or not np.all(np.isfinite(grid)) or np.any(grid < 0):
        return "must be an integer >= 1 or a non-empty 1-D array-like of floats >= 0"
    return None


def _check_l1_ratio(value):
    try:
        ratios = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        return "must be a float in [0, 1] or a list of them"
    if ratios.ndim > 1 or ratios.size == 0 or np.any(~((ratios >= 0) & (ratios <= 1))):
        return "must be a float in [0, 1] or a non-empty list of them"
    return None


def _anything(value):
    return None


def _check_scoring(value):
    if value is None or isinstance(value, str) or callable(value):
        return None
    return "must be None, a scorer's name or a callable; one score picks alpha"


CV_CONSTRAINTS = {
    **{k: v for k, v in PARAMETER_CONSTRAINTS.items() if k not in CV_NOT_SHARED},
    "alphas": _check_alphas,
    "l1_ratio": _check_l1_ratio,
    "eps": real(0, 1, low_open=True),
    "cv": _anything,  # check_cv says what is wrong with it
    "scoring": _check_scoring,  # check_scoring says what is wrong with a name
    "n_jobs": lambda v: None if v is None else integer(-(2**31))(v),
    "adaptive": boolean,
}
