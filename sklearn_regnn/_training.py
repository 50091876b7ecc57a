"""The fit loop of the stochastic solvers, for one network or several in lockstep.

A plain ``fit`` trains one network. A cross-validated search trains one network per
fold on data of the same size, with the same hyper-parameters and at the same
``alpha``; on small data most of a mini-batch step is per-call overhead (numpy,
BLAS, Python), and training those networks side by side as one stack pays it once
per step for all of them. Each network still takes exactly the steps it would take
alone: its own initialization, its own shuffled batches, its own stopping rule, and
the same floating-point operations (the stack shares element-wise array operations,
which act on each entry alone; matrix products and sums run network by network).
"""

import math
import warnings

import numpy as np
import scipy.sparse as sp
from sklearn.base import is_classifier
from sklearn.exceptions import ConvergenceWarning

from . import _network
from ._validation import diverged
from .solvers._stochastic import MiniBatches, effective_batch_size, validation_split

# Networks trained side by side hold their data sets at once; beyond this many
# entries in all (1/8 GB in float64) a cross-validated search trains its folds one
# at a time: on data that large the matrix products dominate a step anyway.
LOCKSTEP_MAX_ENTRIES = 2**24


def can_share_steps(model):
    """Whether ``model``'s optimizer can step a stack of networks together: Adam, or
    SGD with a constant step size (the other schedules change each network's step
    on its own)."""
    return model.solver == "adam" or (model.solver == "sgd" and model.learning_rate == "constant")


def train_stochastic(models, problems, penalty, incremental=False):
    """Train each model on its problem by mini-batches, in lockstep where they can.

    Models are grouped with others of the same batch structure whose optimizer can
    share its steps (:func:`can_share_steps`) and whose sample weights are all
    positive; each group trains as one stack.

    Parameters
    ----------
    models : list of BaseRegularizedMLP
        Estimators with the same hyper-parameters, initialized (or warm-started)
        for this fit; their weights, optimizer state and histories are updated.
    problems : list of FitProblem
        Each model's data, as ``_prepare_fit`` returns them.
    penalty : penalty object
        The penalty all of them are fitted with.
    incremental : bool, default=False
        One epoch of ``partial_fit`` (one model only).
    """
    groups = {}
    for model, problem in zip(models, problems):
        alone = not can_share_steps(model) or not np.all(problem.sample_weight > 0)
        key = id(model) if alone else problem.X.shape[0]
        groups.setdefault(key, []).append((model, problem))
    for members in groups.values():
        _train_stack([m for m, _ in members], [p for _, p in members], penalty, incremental)


def _train_stack(models, problems, penalty, incremental):
    template = models[0]
    if template.early_stopping and incremental:
        raise ValueError("partial_fit does not support early_stopping=True.")
    X, Y, weights, validation = [], [], [], []
    for model, problem in zip(models, problems):
        X_k, Y_k, weight_k = problem.X, problem.Y, problem.sample_weight
        if model.early_stopping:
            single_output = is_classifier(model) and model.n_outputs_ == 1
            train, val = validation_split(
                weight_k,
                model.validation_fraction,
                model._random_state,
                problem.y if single_output else None,
            )
            validation.append((X_k[val], problem.y[val], weight_k[val]))
            X_k, Y_k = X_k[train], Y_k[train]
            weight_k = weight_k[train] / weight_k[train].sum()
        if sp.issparse(X_k):
            X_k = X_k.tocsr()  # row slicing for mini-batches
        X.append(X_k)
        Y.append(Y_k)
        weights.append(weight_k)
    n_samples = X[0].shape[0]
    batch_size = effective_batch_size(template.batch_size, n_samples)
    stack = _Stack(models, X, Y, weights, batch_size, incremental)
    stopped = [False] * len(models)
    # n_iter_ counts this call's epochs (one for partial_fit), as in scikit-learn's
    # MLP since 1.3; t_ and loss_curve_ carry on across calls.
    for model in models:
        model.n_iter_ = 0
    # Each epoch reshuffles the last one's order, as scikit-learn's MLP does.
    orders = [np.arange(n_samples) if template.shuffle else None for _ in models]
    for _ in range(template.max_iter):
        active = stack.members
        if template.shuffle:
            for k in active:
                orders[k] = orders[k][models[k]._random_state.permutation(n_samples)]
        epoch_orders = [orders[k] for k in active] if template.shuffle else None
        objectives = stack.epoch(epoch_orders, penalty)
        finished = []
        for k, objective in zip(active, objectives):
            model = models[k]
            model.n_iter_ += 1
            model.t_ += n_samples
            model.loss_curve_.append(objective)
            if not np.isfinite(objective):
                raise diverged(model.solver, model.learning_rate_init)
            if model.verbose:
                print(f"Iteration {model.n_iter_}, loss = {objective:.8f}")
            if model.early_stopping:
                model._track_validation(*validation[k])
            else:
                model._track_training_loss()
            stack.optimizer.iteration_ends(model.t_)
            if model._no_improvement_count > model.n_iter_no_change:
                if stack.optimizer.trigger_stopping():
                    stopped[k] = True
                    finished.append(k)
                    if model.verbose:
                        watched = "Validation score" if model.early_stopping else "Training loss"
                        print(
                            f"{watched} did not improve more than tol={model.tol} for "
                            f"{model.n_iter_no_change} consecutive epochs. Stopping."
                        )
                    continue
                if model.verbose:  # only 'adaptive' goes on, with a smaller step
                    print(f"Learning rate divided by 5, now {stack.optimizer.learning_rate:g}.")
                model._no_improvement_count = 0
        if finished:
            stack.release(finished)
        if incremental or not stack.members:
            break
    stack.release(list(stack.members))
    for model, done in zip(models, stopped):
        if not incremental and not done:
            warnings.warn(
                "Stochastic optimizer: maximum iterations "
                f"({model.max_iter}) reached and the optimization has not converged yet.",
                ConvergenceWarning,
                stacklevel=5,  # the caller of fit
            )
        if model.early_stopping:
            model.coefs_, model.intercepts_ = model._best_coefs, model._best_intercepts


class _Stack:
    """The networks of ``models`` still training, their parameters stacked one row
    each, with the optimizer, the buffers and the mini-batches they share."""

    def __init__(self, models, X, Y, sample_weight, batch_size, incremental):
        self.models, self.data = models, (X, Y, sample_weight)
        self.batch_size = batch_size
        self.members = list(range(len(models)))
        template = models[0]
        self.layer_units = [X[0].shape[1]] + [W.shape[1] for W in template.coefs_]
        self.packing = _network.ParameterPacking(self.layer_units)
        self.dtype = X[0].dtype
        self.params = np.empty((len(models), self.packing.size), dtype=self.dtype)
        for row, model in zip(self.params, models):
            self.packing.pack(model.coefs_, model.intercepts_, out=row)
        if incremental and hasattr(template, "_optimizer"):
            self.optimizer = template._optimizer  # partial_fit goes on where it stopped
        else:
            self.optimizer = template._make_optimizer(self.packing, self.dtype, len(models))
        if len(models) == 1:
            template._optimizer = self.optimizer  # kept for partial_fit
        self._arrange()

    def _arrange(self):
        """Buffers, batches and the models' views for the current members."""
        X, Y, sample_weight = self.data
        members = self.members
        self.workspace = _network.Workspace(
            self.layer_units, self.batch_size, self.dtype, self.models[0].activation, len(members)
        )
        self.batches = MiniBatches(
            [X[k] for k in members],
            [Y[k] for k in members],
            [sample_weight[k] for k in members],
            self.batch_size,
        )
        # Each model's fitted coefs_ and intercepts_ are views of its row, so that
        # its stopping rule (early stopping's best weights) sees it training.
        for row, k in enumerate(members):
            self.models[k].coefs_, self.models[k].intercepts_ = self.packing.unpack(
                self.params[row]
            )

    def epoch(self, orders, penalty):
        """One epoch of every member; returns each one's objective (the epoch's
        weighted mean batch loss plus the penalty at the epoch's end)."""
        template = self.models[0]
        params, workspace, update = self.params, self.workspace, self.optimizer.update
        activation, out_activation = template.activation, template.out_activation_
        losses = [0.0] * len(self.members)
        # A diverging run overflows before its loss turns non-finite; the checks
        # below turn that into TrainingDivergedError instead of warnings.
        with np.errstate(over="ignore", invalid="ignore"):
            for X_batches, Y_batch, weight_batch, shares in self.batches.epoch(orders):
                batch_losses = _network.stacked_loss_and_grad(
                    params, X_batches, Y_batch, weight_batch, activation, out_activation, workspace
                )
                # Each batch's weighted mean loss, weighed by its share of the
                # weight: the epoch's loss is the weighted sum over all samples.
                losses = [
                    total + loss * share
                    for total, loss, share in zip(losses, batch_losses, shares)
                ]
                update(params, workspace.grad, penalty)
            objectives = [
                total + penalty.value(self.models[k].coefs_)
                for total, k in zip(losses, self.members)
            ]
        if not all(map(math.isfinite, losses)):
            raise diverged(template.solver, template.learning_rate_init)
        return objectives

    def release(self, finished):
        """Take the networks ``finished`` out of the stack, each keeping its own copy
        of its parameters; the others go on from exactly where they are."""
        rows = {k: row for row, k in enumerate(self.members)}
        for k in finished:
            own = self.params[rows[k]].copy() if len(self.models) > 1 else self.params[0]
            self.models[k].coefs_, self.models[k].intercepts_ = self.packing.unpack(own)
        remaining = [k for k in self.members if k not in finished]
        if remaining:
            keep = [rows[k] for k in remaining]
            self.params = self.params[keep]
            self.optimizer.keep(keep)
            self.members = remaining
            self._arrange()
        else:
            self.members = []
