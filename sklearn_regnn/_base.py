"""The estimator machinery shared by the classifier and the regressor.

This module turns hyper-parameters into the objects of the pure math modules
(a penalty, a solver, the network's loss) and runs a fit: data checks,
initialization, warm starts, the solver (the mini-batch loop, with early stopping
and convergence warnings, is in ``_training``), the result's checks. The math
itself lives in ``_network``, ``penalties`` and ``solvers``.
"""

import warnings
from abc import ABCMeta, abstractmethod
from typing import Any, NamedTuple

import numpy as np
from sklearn.base import BaseEstimator, is_classifier
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils import check_random_state, column_or_1d
from sklearn.utils.validation import check_is_fitted, validate_data

from . import _network
from ._full_batch import solve_full_batch
from ._losses import best_constant
from ._training import train_stochastic
from ._validation import (
    PARAMETER_CONSTRAINTS,
    TrainingDivergedError,
    check_hidden_layer_sizes,
    diverged,
    normalized_sample_weight,
    validate_params,
)
from .penalties import make_penalty
from .solvers import ProximalAdam, ProximalSGD

_STOCHASTIC_SOLVERS = ("sgd", "adam")


class FitProblem(NamedTuple):
    """What one fit solves: checked inputs ``X``, encoded targets ``Y``, the
    targets ``y`` as given (for a stratified early-stopping split), normalized
    sample weights (times the class weights) and the penalty."""

    X: Any
    Y: np.ndarray
    y: np.ndarray
    sample_weight: np.ndarray
    penalty: Any


class BaseRegularizedMLP(BaseEstimator, metaclass=ABCMeta):
    """Shared base of :class:`RegularizedMLPClassifier` and
    :class:`RegularizedMLPRegressor`; not meant to be used directly."""

    _parameter_checks = PARAMETER_CONSTRAINTS

    @abstractmethod
    def __init__(
        self,
        hidden_layer_sizes=(100,),
        activation="relu",
        *,
        solver="adam",
        penalty="elasticnet",
        alpha=1e-4,
        l1_ratio=0.5,
        batch_size="auto",
        learning_rate="constant",
        learning_rate_init=1e-3,
        power_t=0.5,
        max_iter=200,
        shuffle=True,
        random_state=None,
        tol=1e-4,
        verbose=False,
        warm_start=False,
        momentum=0.9,
        nesterovs_momentum=True,
        early_stopping=False,
        validation_fraction=0.1,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-8,
        n_iter_no_change=10,
    ):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.solver = solver
        self.penalty = penalty
        self.alpha = alpha
        self.l1_ratio = l1_ratio
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.learning_rate_init = learning_rate_init
        self.power_t = power_t
        self.max_iter = max_iter
        self.shuffle = shuffle
        self.random_state = random_state
        self.tol = tol
        self.verbose = verbose
        self.warm_start = warm_start
        self.momentum = momentum
        self.nesterovs_momentum = nesterovs_momentum
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.n_iter_no_change = n_iter_no_change

    # ----------------------------------------------------------------- subclass hooks
    @abstractmethod
    def _encode_targets(self, y, first_pass, classes, incremental):
        """Return the target matrix ``Y`` (n_samples, n_outputs) for the loss."""

    @abstractmethod
    def _output_activation(self, Y):
        """Name of the output activation for the encoded targets ``Y``."""

    @abstractmethod
    def _target_sample_weight(self, y, incremental):
        """Per-sample multipliers from the targets (class weights), or None."""

    @abstractmethod
    def _score_predictions(self, y_true, output, sample_weight):
        """Validation score (higher is better) of raw network ``output``."""

    # --------------------------------------------------------------------- checks
    def _check_params(self):
        validate_params(self, self._parameter_checks)
        if self.early_stopping and self.validation_fraction <= 0:
            raise ValueError(
                "The 'validation_fraction' parameter must be in (0, 1) when "
                f"early_stopping=True; got {self.validation_fraction!r}."
            )
        return check_hidden_layer_sizes(self.hidden_layer_sizes)

    def _validate_X(self, X, reset):
        return validate_data(
            self, X, accept_sparse=["csr", "csc"], dtype=(np.float64, np.float32), reset=reset
        )

    def _validate_X_y(self, X, y, reset):
        return validate_data(
            self,
            X,
            y,
            accept_sparse=["csr", "csc"],
            multi_output=True,
            y_numeric=not is_classifier(self),
            dtype=(np.float64, np.float32),
            reset=reset,
        )

    # ------------------------------------------------------------------------ fit
    def _fit(
        self,
        X,
        y,
        sample_weight=None,
        incremental=False,
        classes=None,
        checked=False,
        objective=True,
    ):
        """Fit (or update) the network; ``checked=True`` skips the data checks, for
        warm-started refits on arrays that an earlier fit of this model checked,
        and ``objective=False`` the pass over the data that ``loss_`` takes."""
        problem = self._prepare_fit(X, y, sample_weight, incremental, classes, checked)
        try:
            if self.solver == "fista":
                self._fit_fista(problem.X, problem.Y, problem.sample_weight, problem.penalty)
            else:
                train_stochastic([self], [problem], problem.penalty, incremental)
        except TrainingDivergedError:
            self._forget_weights()
            raise
        return self._finish_fit(problem, objective)

    def _prepare_fit(self, X, y, sample_weight, incremental=False, classes=None, checked=False):
        """Everything a fit does before its solver runs: checks, targets, weights,
        the initial (or warm-started) network and the penalty, as a FitProblem."""
        hidden_layer_sizes = self._check_params()
        first_pass = not hasattr(self, "coefs_") or (not self.warm_start and not incremental)
        if not checked:
            X, y = self._validate_X_y(X, y, reset=first_pass)
        if y.ndim == 2 and y.shape[1] == 1:
            # One target given as a column: fit it as 1-D (with scikit-learn's
            # DataConversionWarning), as the MLP estimators do.
            y = column_or_1d(y, warn=True)
        Y = self._encode_targets(y, first_pass, classes, incremental)
        # Class indicators are 0/1: int8 keeps them 8 times smaller than floats (the
        # mini-batches are cast one at a time).
        Y = Y.astype(np.int8 if is_classifier(self) else X.dtype, copy=False)
        n_samples, n_features = X.shape
        weights = normalized_sample_weight(sample_weight, n_samples, np.float64)
        multipliers = self._target_sample_weight(y, incremental)
        if multipliers is not None:
            weights = normalized_sample_weight(weights * multipliers, n_samples, np.float64)
        weights = weights.astype(X.dtype)

        layer_units = [n_features, *hidden_layer_sizes, Y.shape[1]]
        self._random_state = check_random_state(self.random_state)
        if first_pass:
            self._initialize(layer_units, Y, weights, X.dtype, incremental)
        else:
            self._check_warm_start_shapes(layer_units, X.dtype)
            if not incremental:
                self._start_new_fit()
        penalty = make_penalty(self.penalty, self.alpha, self.l1_ratio)
        return FitProblem(X, Y, y, weights, penalty)

    def _finish_fit(self, problem, objective=True):
        """What a fit does after its solver: refuse non-finite weights, center
        softmax intercepts, record the objective (``loss_``, unless
        ``objective=False``: a search's fold fits are scored, not reported)."""
        if not all(np.all(np.isfinite(p)) for p in self.coefs_ + self.intercepts_):
            self._forget_weights()
            raise diverged(self.solver, self.learning_rate_init)
        if self.out_activation_ == "softmax":
            # Softmax logits are defined up to a common shift; report the
            # intercepts centered, so that they are unique.
            self.intercepts_[-1] -= self.intercepts_[-1].mean()
        if objective:
            X, Y, weights, penalty = problem.X, problem.Y, problem.sample_weight, problem.penalty
            self.loss_ = self._objective(X, Y, weights, penalty)
        return self

    def _forget_weights(self):
        """After a diverged fit: non-finite weights would make predict return NaN
        without a word, so the estimator reads as unfitted instead (loss_curve_
        stays, to look at)."""
        for attribute in {"coefs_", "intercepts_", "_optimizer"} & set(vars(self)):
            delattr(self, attribute)

    def _initialize(self, layer_units, Y, sample_weight, dtype, incremental=False):
        self.n_outputs_ = Y.shape[1]
        self.n_layers_ = len(layer_units)
        self.out_activation_ = self._output_activation(Y)
        if self.n_layers_ == 2:
            # Without hidden layers the problem is convex: start from zero weights,
            # as linear models do, so that unused features are exactly 0 from the start.
            self.coefs_ = [np.zeros(layer_units, dtype=dtype)]
            self.intercepts_ = [np.zeros(layer_units[1], dtype=dtype)]
        else:
            self.coefs_, self.intercepts_ = _network.init_params(
                layer_units, self.activation, self._random_state, dtype
            )
        # Start the output intercept at the best constant model, so that the network
        # only has to learn the deviations from it (and a fully zeroed network
        # predicts the weighted mean or the class priors).
        if incremental and self.out_activation_ != "identity":
            # Not from partial_fit's first batch, which need not show every class: a
            # class it lacks would start near logit log(1e-6), and steps of about
            # learning_rate_init take thousands of batches to undo that. Even odds.
            self.intercepts_[-1][:] = 0
        else:
            self.intercepts_[-1][:] = best_constant(Y, sample_weight, self.out_activation_)
        self.n_iter_ = 0
        self.t_ = 0
        self.loss_curve_ = []
        self._start_new_fit()

    def _start_new_fit(self):
        """Reset the stopping rule for a new call of ``fit``. A warm start keeps the
        weights and, as scikit-learn's MLP does, appends to the per-epoch histories
        (``loss_curve_``, ``validation_scores_``) while ``n_iter_`` counts this call
        only; but its objective is new: alpha may have changed, and a previous fit's
        best loss or best weights must not end this one."""
        self._no_improvement_count = 0
        for stale in ("_best_coefs", "_best_intercepts"):
            if hasattr(self, stale):
                delattr(self, stale)
        if self.early_stopping and self.solver != "fista":
            # The validation history stays aligned with loss_curve_, epoch by epoch.
            if not isinstance(getattr(self, "validation_scores_", None), list):
                self.validation_scores_ = []
            self.best_validation_score_ = -np.inf
            self.best_loss_ = None
        else:
            self.validation_scores_ = None
            self.best_validation_score_ = None
            self.best_loss_ = np.inf
        if hasattr(self, "_optimizer"):
            del self._optimizer

    def _check_warm_start_shapes(self, layer_units, dtype):
        expected = list(zip(layer_units[:-1], layer_units[1:]))
        if [W.shape for W in self.coefs_] != expected:
            raise ValueError(
                "warm_start and partial_fit need the same network shape as the previous "
                f"fit: layers {[W.shape for W in self.coefs_]} were fitted, but "
                f"hidden_layer_sizes and the data now give {expected}."
            )
        self.coefs_ = [W.astype(dtype, copy=False) for W in self.coefs_]
        self.intercepts_ = [b.astype(dtype, copy=False) for b in self.intercepts_]

    def _objective(self, X, Y, sample_weight, penalty):
        loss = _network.data_loss(
            self.coefs_,
            self.intercepts_,
            X,
            Y,
            sample_weight,
            self.activation,
            self.out_activation_,
        )
        return float(loss + penalty.value(self.coefs_))

    # ---------------------------------------------------------------------- FISTA
    def _fit_fista(self, X, Y, sample_weight, penalty):
        self.coefs_, self.intercepts_, result = solve_full_batch(
            X,
            Y.astype(X.dtype, copy=False),
            sample_weight,
            self.coefs_,
            self.intercepts_,
            penalty,
            activation=self.activation,
            out_activation=self.out_activation_,
            max_iter=self.max_iter,
            tol=self.tol,
            n_iter_no_change=self.n_iter_no_change,
            verbose=bool(self.verbose),
            # Set only while walk_path refits this estimator on unchanged data.
            cache=getattr(self, "_path_cache", None),
        )
        self.n_iter_ = result.n_iter
        self.t_ += X.shape[0] * result.n_iter
        self.loss_curve_.extend(result.objective_curve)
        if result.objective_curve and self.best_loss_ is not None:
            self.best_loss_ = min(self.best_loss_, min(result.objective_curve))
        if not np.isfinite(result.objective):
            raise diverged(self.solver, self.learning_rate_init)
        if not result.converged:
            warnings.warn(
                f"FISTA: maximum iterations ({self.max_iter}) reached and the optimization "
                f"has not converged to tol={self.tol}. Increase max_iter.",
                ConvergenceWarning,
                stacklevel=4,  # the caller of fit or partial_fit
            )

    # -------------------------------------------------------------- SGD and Adam
    def _make_optimizer(self, packing, dtype, n_networks=None):
        if self.solver == "sgd":
            return ProximalSGD(
                packing,
                self.learning_rate_init,
                self.learning_rate,
                self.momentum,
                self.nesterovs_momentum,
                self.power_t,
                dtype=dtype,
                n_networks=n_networks,
            )
        return ProximalAdam(
            packing,
            self.learning_rate_init,
            self.beta_1,
            self.beta_2,
            self.epsilon,
            dtype=dtype,
            n_networks=n_networks,
        )

    def _track_training_loss(self):
        latest = self.loss_curve_[-1]
        if latest > self.best_loss_ - self.tol:
            self._no_improvement_count += 1
        else:
            self._no_improvement_count = 0
        self.best_loss_ = min(self.best_loss_, latest)

    def _track_validation(self, X_val, y_val, sw_val):
        output = _network.forward(
            self.coefs_, self.intercepts_, X_val, self.activation, self.out_activation_
        )
        score = self._score_predictions(y_val, output, sw_val)
        self.validation_scores_.append(score)
        if self.verbose:
            print(f"Validation score: {score:f}")
        if score < self.best_validation_score_ + self.tol:
            self._no_improvement_count += 1
        else:
            self._no_improvement_count = 0
        if score > self.best_validation_score_ or not hasattr(self, "_best_coefs"):
            self.best_validation_score_ = score
            self._best_coefs = [W.copy() for W in self.coefs_]
            self._best_intercepts = [b.copy() for b in self.intercepts_]

    # --------------------------------------------------------------------- output
    def __sklearn_is_fitted__(self):
        # Fitted once there are weights: a first fit that fails its checks may
        # have set n_features_in_ already, and must still read as unfitted.
        return hasattr(self, "coefs_")

    def _forward(self, X):
        check_is_fitted(self)
        return self._network_output(self._validate_X(X, reset=False))

    def _network_output(self, X):
        """The network's output for ``X``, already checked by ``_validate_X``."""
        return _network.forward(
            self.coefs_, self.intercepts_, X, self.activation, self.out_activation_
        )

    def _check_partial_fit_solver(self):
        if self.solver not in _STOCHASTIC_SOLVERS:
            raise AttributeError(
                f"partial_fit is only available for the stochastic solvers "
                f"{_STOCHASTIC_SOLVERS}, not solver={self.solver!r}."
            )
        return True

    @property
    def feature_importances_(self):
        """Euclidean norm of each input feature's outgoing first-layer weights.

        Exactly 0 for a feature the network does not use, so
        :class:`~sklearn.feature_selection.SelectFromModel` can drop it.
        """
        check_is_fitted(self)
        return np.sqrt(np.einsum("ij,ij->i", self.coefs_[0], self.coefs_[0]))

    @property
    def n_features_selected_(self):
        """Number of input features the network uses: those with a non-zero
        outgoing first-layer weight (``feature_importances_ > 0``)."""
        return int(np.count_nonzero(self.feature_importances_))

    def _check_linear(self):
        check_is_fitted(self)
        if self.n_layers_ != 2:
            raise AttributeError(
                "coef_ and intercept_ exist only for a network without hidden layers "
                f"(hidden_layer_sizes=()); this one has {self.n_layers_ - 2} hidden "
                "layer(s): use coefs_ and intercepts_."
            )

    def _has_hidden_layers(self):
        try:
            return len(check_hidden_layer_sizes(self.hidden_layer_sizes)) > 0
        except ValueError:
            return True  # invalid sizes are reported by fit, not by tags

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags
