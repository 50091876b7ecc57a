"""Mini-batch proximal optimizers: a gradient step on the loss, then the penalty's prox.

Both optimizers work on the network's parameters laid out in one flat vector by
:class:`~sklearn_regnn.solvers.ParameterPacking` (weights first, then intercepts),
with the gradient in the same layout. Every step is then a fixed handful of array
operations over all layers at once, whatever the depth, and the state (velocities,
moment estimates) and scratch space are allocated once.

The data side of mini-batch training lives here too: the batch size, the
batches of an epoch, and the split that early stopping holds out.
"""

import warnings

import numpy as np
import scipy.sparse as sp
from sklearn.model_selection import train_test_split


def _update_doc(summary, penalty_note=""):
    """The docstring of an optimizer's ``update``: both take the same arguments."""
    return f"""{summary}

        Parameters
        ----------
        params : ndarray of shape (packing.size,)
            All weights and intercepts, flat, updated in place.
        grad : ndarray of shape (packing.size,)
            Gradient of the data term, in the same layout. It is overwritten (the
            step uses it as scratch space, so that it allocates nothing).
        penalty : penalty object
            Its ``prox`` is applied to the weights (never the intercepts) after the
            gradient step. {penalty_note}
        """


def effective_batch_size(batch_size, n_samples):
    """Samples per mini-batch: 'auto' is ``min(200, n_samples)``, and a requested size
    larger than the data is cut to ``n_samples`` with a warning (as MLP does)."""
    if batch_size == "auto":
        return min(200, n_samples)
    if batch_size > n_samples:
        warnings.warn(
            f"batch_size={batch_size} is larger than the number of samples "
            f"({n_samples}); using {n_samples}.",
            stacklevel=4,
        )
    return min(batch_size, n_samples)


def validation_split(sample_weight, validation_fraction, random_state, stratify=None):
    """Indices of the training and validation parts for early stopping.

    Parameters
    ----------
    sample_weight : ndarray of shape (n_samples,)
        Weights of all the samples; each part needs some.
    validation_fraction : float
        Share of the samples held out.
    random_state : RandomState
        Draws the split.
    stratify : array-like of shape (n_samples,), default=None
        Labels to split in proportion (a single-output classifier's).

    Returns
    -------
    train, validation : ndarray of int
    """
    train, validation = train_test_split(
        np.arange(sample_weight.shape[0]),
        test_size=validation_fraction,
        random_state=random_state,
        stratify=stratify,
    )
    if validation.shape[0] < 2:
        raise ValueError(
            "The validation set is too small: increase validation_fraction or use more samples."
        )
    if not (sample_weight[train].sum() > 0 and sample_weight[validation].sum() > 0):
        raise ValueError(
            "early_stopping: every sample in the training or the validation split has "
            "sample_weight 0; give weight to more samples or turn early_stopping off."
        )
    return train, validation


class MiniBatches:
    """The mini-batches of one epoch, gathered into buffers allocated once.

    It serves one data set, or several of the same size side by side (one per
    network of a stack trained in lockstep): each epoch then yields the batch of
    every data set at once, stacked, in that data set's own order.

    Each batch's sample weights are rescaled to sum to 1, so that the batch's loss
    is its weighted mean loss, as in scikit-learn's MLP. (Scaling by the batch's
    size instead would estimate the full loss without bias, but a batch holding a
    few heavy samples would then take a step many times too long: with 3 of 1000
    samples weighted 1000, SGD diverged where scikit-learn's converges.) A batch
    whose weights are all 0 carries no information and is skipped; data sets side
    by side must not have such batches (their steps would fall out of step), so
    their weights must be positive. The targets of each batch come in the dtype of
    ``X``, whatever the dtype of ``Y`` (int8 class indicators, say).

    Parameters
    ----------
    X : list of {ndarray, csr_matrix} of shape (n_samples, n_features)
    Y : list of ndarray of shape (n_samples, n_outputs)
    sample_weight : list of ndarray of shape (n_samples,)
        Weights summing to 1.
    batch_size : int
    """

    def __init__(self, X, Y, sample_weight, batch_size):
        self.X, self.Y, self.sample_weight = X, Y, sample_weight
        self.batch_size = batch_size
        self.n_samples = X[0].shape[0]
        n_sets, dtype = len(X), X[0].dtype
        dense = not sp.issparse(X[0])
        self._X = np.empty((n_sets, batch_size, X[0].shape[1]), dtype) if dense else None
        self._Y = np.empty((n_sets, batch_size, Y[0].shape[1]), dtype)
        self._weight = np.empty((n_sets, batch_size), sample_weight[0].dtype)
        self._buffers = {}

    def _cut(self, n_rows):
        """The buffers for batches of ``n_rows`` rows: the stacked targets and
        weights, and each data set's own parts of the three (made once)."""
        if n_rows not in self._buffers:
            Y, weight = self._Y[:, :n_rows], self._weight[:, :n_rows]
            X = [None] * len(Y) if self._X is None else list(self._X[:, :n_rows])
            self._buffers[n_rows] = Y, weight, list(zip(X, Y, weight))
        return self._buffers[n_rows]

    def epoch(self, orders=None):
        """Yield ``(X_batches, Y_batch, weight_batch, shares)`` for each batch.

        ``orders`` holds a permutation of the rows per data set (None: the data's
        order). ``X_batches`` is the list of the data sets' input batches,
        ``Y_batch`` and ``weight_batch`` are stacked, of shapes ``(n_sets,
        n_rows, n_outputs)`` and ``(n_sets, n_rows)``, and ``shares`` are the
        batches' parts of their data sets' total weights, which the batch weights
        (summing to 1) were divided by. The arrays are overwritten by the next
        batch."""
        n, size = self.n_samples, self.batch_size
        data = list(zip(self.X, self.Y, self.sample_weight))
        for start in range(0, n, size):
            stop = min(start + size, n)
            Y_batch, weight_batch, buffers = self._cut(stop - start)
            X_batches, shares = [], []
            for k, (X, Y, sample_weight) in enumerate(data):
                X_buffer, Y_buffer, weight = buffers[k]
                if orders is None:
                    X_batches.append(X[start:stop])
                    np.copyto(Y_buffer, Y[start:stop])
                    np.copyto(weight, sample_weight[start:stop])
                else:
                    rows = orders[k][start:stop]
                    if X_buffer is None:
                        X_batches.append(X[rows])
                    else:
                        # mode="clip" gathers straight into the buffer; "raise" would
                        # gather into a temporary first (the rows are valid anyway).
                        X_batches.append(np.take(X, rows, axis=0, out=X_buffer, mode="clip"))
                    if Y.dtype == Y_buffer.dtype:
                        np.take(Y, rows, axis=0, out=Y_buffer, mode="clip")
                    else:
                        np.copyto(Y_buffer, Y[rows])
                    np.take(sample_weight, rows, out=weight, mode="clip")
                share = float(weight.sum())
                if share > 0:
                    weight /= share
                shares.append(share)
            if min(shares) > 0:
                yield X_batches, Y_batch, weight_batch, shares
            elif len(shares) > 1:
                raise ValueError("Data sets side by side need positive sample weights.")


def _state_shape(packing, n_networks):
    return packing.size if n_networks is None else (n_networks, packing.size)


class ProximalSGD:
    """Proximal stochastic gradient descent with optional (Nesterov) momentum.

    Each call to :meth:`update` moves every parameter along its velocity
    ``v <- momentum * v - learning_rate * grad`` (Nesterov: the parameter moves by
    ``momentum * v - learning_rate * grad``), then applies
    ``penalty.prox(coefs, learning_rate)`` to the weights.

    The prox's correction ``c`` (weights after the prox minus before) is fed back into
    the weights' velocity: ``v += c`` (Nesterov: ``v += c / momentum``). Without it the
    velocity would only accumulate loss gradients, the prox would pull back by one
    step's threshold per iteration while the velocity pushes by ``1 / (1 - momentum)``
    steps, and the fixed points would solve the problem with ``alpha * (1 - momentum)``
    instead of ``alpha``. With it, on a settled support the iteration is exactly
    (Nesterov) momentum on ``loss + penalty``, and where the prox holds a weight at 0
    the velocity stays bounded. Without a penalty the steps are those of plain
    (Nesterov) momentum.

    Parameters
    ----------
    packing : ParameterPacking
        Layout of the flat parameter vector.
    learning_rate_init : float
        Initial step size.
    learning_rate : {'constant', 'invscaling', 'adaptive'}
        Schedule: constant; ``learning_rate_init / (t + 1)**power_t``, set at the
        end of each epoch from ``t``, the number of samples seen; or divided by 5
        each time training stalls.
    momentum : float
        Momentum in ``[0, 1]``.
    nesterov : bool
        Whether to use Nesterov's momentum.
    power_t : float
        Exponent of the 'invscaling' schedule.
    dtype : numpy dtype, default=np.float64
        Dtype of the parameters (and so of the state).
    n_networks : int, default=None
        For a stack of networks trained side by side, their number: the
        parameters are then of shape ``(n_networks, packing.size)``, one row per
        network, all stepped with the same step size. None for one network's
        flat vector.

    Examples
    --------
    Minimize ``1/2 ||w - target||^2 + 0.1 ||w||_1``, whose solution is the target
    soft-thresholded by 0.1:

    >>> import numpy as np
    >>> from sklearn_regnn.penalties import ElasticNet
    >>> from sklearn_regnn.solvers import ParameterPacking, ProximalSGD
    >>> packing = ParameterPacking([2, 1])  # a 2 x 1 weight matrix, one intercept
    >>> params = np.zeros(packing.size)  # [w_0, w_1, b]
    >>> target = np.array([2.0, 0.05, 0.0])
    >>> sgd = ProximalSGD(packing, learning_rate_init=0.1, learning_rate="constant",
    ...                   momentum=0.9, nesterov=True, power_t=0.5)
    >>> lasso = ElasticNet(alpha=0.1, l1_ratio=1.0)
    >>> for _ in range(300):
    ...     sgd.update(params, params - target, lasso)
    >>> params[:2].round(8)
    array([1.9, 0. ])
    """

    def __init__(
        self,
        packing,
        learning_rate_init,
        learning_rate,
        momentum,
        nesterov,
        power_t,
        dtype=np.float64,
        n_networks=None,
    ):
        self.packing = packing
        self.learning_rate_init = learning_rate_init
        self.learning_rate = float(learning_rate_init)
        self.schedule = learning_rate
        self.momentum = float(momentum)
        self.nesterov = nesterov
        self.power_t = power_t
        self.velocity = np.zeros(_state_shape(packing, n_networks), dtype=dtype)

    def update(self, params, grad, penalty):
        lr, mu = self.learning_rate, self.momentum
        scaled_grad = np.multiply(grad, lr, out=grad)
        if mu:
            v = self.velocity
            v *= mu
            v -= scaled_grad
            if self.nesterov:
                params -= scaled_grad
                params += np.multiply(v, mu, out=grad)
            else:
                params += v
        else:
            params -= scaled_grad
        if penalty.is_zero:
            return
        weights = self.packing.weight_blocks(params, penalty)
        if not mu:
            penalty.prox(weights, lr)
            return
        n_weights = self.packing.n_weights
        before_prox = grad[..., :n_weights]
        np.copyto(before_prox, params[..., :n_weights])
        penalty.prox(weights, lr)
        correction = np.subtract(params[..., :n_weights], before_prox, out=before_prox)
        if self.nesterov:
            correction /= mu
        self.velocity[..., :n_weights] += correction

    update.__doc__ = _update_doc("One proximal step on all parameters, in place.")

    def keep(self, networks):
        """Keep the state of these networks of the stack only, in this order.

        Parameters
        ----------
        networks : list of int
            Rows of the stack that go on training.
        """
        self.velocity = self.velocity[networks]

    def iteration_ends(self, n_samples_seen):
        """Update the 'invscaling' schedule at the end of an epoch.

        Parameters
        ----------
        n_samples_seen : int
            Samples seen since training began.
        """
        if self.schedule == "invscaling":
            self.learning_rate = self.learning_rate_init / (n_samples_seen + 1) ** self.power_t

    def trigger_stopping(self):
        """Training stalled: return True to stop, or shrink the step and go on.

        With the 'adaptive' schedule the step is divided by 5 until it falls below
        1e-6; the other schedules stop at once.

        Returns
        -------
        stop : bool
            Whether training should stop.
        """
        if self.schedule != "adaptive" or self.learning_rate <= 1e-6:
            return True
        self.learning_rate /= 5.0
        return False


class ProximalAdam:
    """Proximal Adam: an Adam step, then the prox with each coordinate's own step.

    With bias-corrected moment estimates ``m_hat`` and ``v_hat``, coordinate ``j``
    takes the step ``s_j = lr / (max(sqrt(v_hat_j), pull_j) + epsilon)`` (epsilon
    added before the bias correction, as in scikit-learn's Adam): it moves to
    ``z_j = w_j - s_j * m_hat_j`` and is then passed through the penalty's prox
    with step ``s_j``. Because the prox uses the same diagonal metric as the step,
    the fixed points are exactly the stationary points of ``loss + penalty``, and
    the L1 part sets weights to exactly 0.0.

    ``pull_j`` is the size of the penalty's own (sub)gradient at the weight,
    ``alpha * l1_ratio + alpha * (1 - l1_ratio) * |w_j|`` (``penalty.pull``), as if
    Adam's scale estimate saw the whole objective's gradient and not only the
    loss's. Without it, a weight whose loss gradient is still tiny (a fresh
    optimizer on a warm start, a rarely active input, a dead unit) would get a huge
    step and a huge threshold, and the first prox would zero it however much it
    matters. With it, one prox moves a weight by at most about ``lr``, as one Adam
    step does. It changes no fixed point (any positive metric has the same ones)
    and does nothing without a penalty, where the steps are exactly Adam's.

    The moment estimates are kept unnormalized (``m / (1 - beta_1)`` and
    ``v / (1 - beta_2)``), which saves two array operations per step; the
    constants are folded into the scalars of the step.

    Parameters
    ----------
    packing : ParameterPacking
        Layout of the flat parameter vector.
    learning_rate_init : float
        Base step size.
    beta_1, beta_2 : float
        Decay rates of the first and second moment estimates, in ``[0, 1)``.
    epsilon : float
        Added to ``sqrt(v)`` for numerical stability.
    dtype : numpy dtype, default=np.float64
        Dtype of the parameters (and so of the state).
    n_networks : int, default=None
        For a stack of networks trained side by side, their number: the
        parameters are then of shape ``(n_networks, packing.size)``, one row per
        network, and all take their steps together (one step count). None for one
        network's flat vector.

    Examples
    --------
    The small coordinate of the target lands on exactly 0.0:

    >>> import numpy as np
    >>> from sklearn_regnn.penalties import ElasticNet
    >>> from sklearn_regnn.solvers import ParameterPacking, ProximalAdam
    >>> packing = ParameterPacking([2, 1])  # a 2 x 1 weight matrix, one intercept
    >>> params = np.zeros(packing.size)  # [w_0, w_1, b]
    >>> target = np.array([2.0, 0.05, 0.0])
    >>> adam = ProximalAdam(packing, learning_rate_init=0.05, beta_1=0.9,
    ...                     beta_2=0.999, epsilon=1e-8)
    >>> lasso = ElasticNet(alpha=0.1, l1_ratio=1.0)
    >>> for _ in range(2000):
    ...     adam.update(params, params - target, lasso)
    >>> params[:2].round(3)
    array([1.9, 0. ])
    >>> float(params[1])
    0.0
    """

    def __init__(
        self,
        packing,
        learning_rate_init,
        beta_1,
        beta_2,
        epsilon,
        dtype=np.float64,
        n_networks=None,
    ):
        self.packing = packing
        self.learning_rate_init = learning_rate_init
        self.beta_1, self.beta_2, self.epsilon = beta_1, beta_2, epsilon
        self.t = 0
        # m / (1 - beta_1) and v / (1 - beta_2), with m and v Adam's moment estimates.
        shape = _state_shape(packing, n_networks)
        self.first_moment = np.zeros(shape, dtype=dtype)
        self.second_moment = np.zeros(shape, dtype=dtype)
        self.step = np.empty(shape, dtype=dtype)

    def update(self, params, grad, penalty):
        self.t += 1
        b1, b2 = float(self.beta_1), float(self.beta_2)
        m, v, step = self.first_moment, self.second_moment, self.step
        m *= b1
        m += grad
        v *= b2
        v += np.square(grad, out=grad)  # grad is free from here on: scratch space
        # With v = (1 - b2) v' and the bias corrections of scikit-learn's Adam
        # (epsilon added before them), coordinate j's step is
        #   s_j = lr sqrt(1 - b2**t) / (max(sqrt(v_j), pull_j sqrt(1 - b2**t)) + eps)
        #       = c / (max(sqrt(v'_j), pull_j / d) + eps / q)
        # with q = sqrt(1 - b2), d = q / sqrt(1 - b2**t) and c = lr / d.
        q = float(np.sqrt(1.0 - b2))
        d = q / float(np.sqrt(1.0 - b2**self.t))
        np.sqrt(v, out=step)
        if not penalty.is_zero:
            step_blocks = self.packing.weight_blocks(step, penalty)
            weight_blocks = self.packing.weight_blocks(params, penalty)
            pull_blocks = self.packing.weight_blocks(grad, penalty)
            for s, W, pull in zip(step_blocks, weight_blocks, pull_blocks):
                np.maximum(s, penalty.pull(W, out=pull, scale=1.0 / d), out=s)
        step += self.epsilon / q
        np.divide(float(self.learning_rate_init) / d, step, out=step)
        if not penalty.is_zero:
            # A group prox needs one step per group: the penalty evens them out
            # before the gradient step, so that step and prox share one metric.
            penalty.equalize_steps(step_blocks)
        # params -= s * m_hat, with m_hat = (1 - b1) m' / (1 - b1**t).
        update = np.multiply(m, step, out=grad)
        update *= (1.0 - b1) / (1.0 - b1**self.t)
        params -= update
        if not penalty.is_zero:
            # The steps are recomputed from the moments next time, and grad is
            # free again: the prox may overwrite both instead of keeping buffers.
            penalty.prox(weight_blocks, step_blocks, overwrite_step=True, work=pull_blocks)

    update.__doc__ = _update_doc(
        "One proximal Adam step on all parameters, in place.",
        "Its ``pull`` bounds the weights' steps.",
    )

    def keep(self, networks):
        """Keep the state of these networks of the stack only, in this order.

        Parameters
        ----------
        networks : list of int
            Rows of the stack that go on training.
        """
        self.first_moment = self.first_moment[networks]
        self.second_moment = self.second_moment[networks]
        self.step = self.step[networks]

    def iteration_ends(self, n_samples_seen):
        """Adam has no schedule to update: nothing to do at the end of an epoch.

        Parameters
        ----------
        n_samples_seen : int
            Samples seen since training began (unused).
        """

    def trigger_stopping(self):
        """Training stalled: Adam always stops.

        Returns
        -------
        stop : bool
            Always True.
        """
        return True
