"""Mini-batch proximal optimizers: a gradient step on the loss, then the penalty's prox.

Both optimizers update lists of weight matrices (``coefs``, penalized) and
intercept vectors (``intercepts``, never penalized) in place, and keep their state
(velocities, moment estimates) in arrays allocated once.
"""

import warnings

import numpy as np


def _update_doc(summary, penalty_note=""):
    """The docstring of an optimizer's ``update``: both take the same arguments."""
    return f"""{summary}

        Parameters
        ----------
        coefs, intercepts : list of ndarray
            Weight matrices and intercept vectors, updated in place.
        coef_grads, intercept_grads : list of ndarray
            Gradients of the data term with respect to them.
        penalty : penalty object
            Its ``prox`` is applied to ``coefs`` after the gradient step. {penalty_note}
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
    params : list of ndarray
        Parameters (weights then intercepts) whose shapes the state takes.
    learning_rate_init : float
        Initial step size.
    learning_rate : {'constant', 'invscaling', 'adaptive'}
        Schedule: constant; ``learning_rate_init / t**power_t`` with ``t`` the number
        of samples seen; or divided by 5 each time training stalls.
    momentum : float
        Momentum in ``[0, 1]``.
    nesterov : bool
        Whether to use Nesterov's momentum.
    power_t : float
        Exponent of the 'invscaling' schedule.

    Examples
    --------
    Minimize ``1/2 ||w - target||^2 + 0.1 ||w||_1``, whose solution is the target
    soft-thresholded by 0.1:

    >>> import numpy as np
    >>> from sklearn_regnn.penalties import ElasticNet
    >>> from sklearn_regnn.solvers import ProximalSGD
    >>> target = np.array([[2.0], [0.05]])
    >>> coefs, intercepts = [np.zeros((2, 1))], [np.zeros(1)]
    >>> sgd = ProximalSGD(coefs + intercepts, learning_rate_init=0.1,
    ...                   learning_rate="constant", momentum=0.9, nesterov=True,
    ...                   power_t=0.5)
    >>> lasso = ElasticNet(alpha=0.1, l1_ratio=1.0)
    >>> for _ in range(300):
    ...     sgd.update(coefs, intercepts, [coefs[0] - target], [np.zeros(1)], lasso)
    >>> coefs[0].ravel().round(8)
    array([1.9, 0. ])
    """

    def __init__(self, params, learning_rate_init, learning_rate, momentum, nesterov, power_t):
        self.learning_rate_init = learning_rate_init
        self.learning_rate = float(learning_rate_init)
        self.schedule = learning_rate
        self.momentum = momentum
        self.nesterov = nesterov
        self.power_t = power_t
        self.velocities = [np.zeros_like(p) for p in params]
        # Weights before the prox, to measure its correction; used only with momentum.
        self._before_prox = None

    def update(self, coefs, intercepts, coef_grads, intercept_grads, penalty):
        lr, mu = self.learning_rate, self.momentum
        params = coefs + intercepts
        grads = coef_grads + intercept_grads
        for p, g, v in zip(params, grads, self.velocities):
            if mu:
                v *= mu
                v -= lr * g
                if self.nesterov:
                    p += mu * v
                    p -= lr * g
                else:
                    p += v
            else:
                p -= lr * g
        if penalty.is_zero:
            return
        if not mu:
            penalty.prox(coefs, lr)
            return
        if self._before_prox is None:
            self._before_prox = [np.empty_like(W) for W in coefs]
        for W, before in zip(coefs, self._before_prox):
            np.copyto(before, W)
        penalty.prox(coefs, lr)
        for W, before, v in zip(coefs, self._before_prox, self.velocities):
            np.subtract(W, before, out=before)
            if self.nesterov:
                before /= mu
            v += before

    update.__doc__ = _update_doc("One proximal step on all parameters, in place.")

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

    Parameters
    ----------
    params : list of ndarray
        Parameters (weights then intercepts) whose shapes the state takes.
    learning_rate_init : float
        Base step size.
    beta_1, beta_2 : float
        Decay rates of the first and second moment estimates, in ``[0, 1)``.
    epsilon : float
        Added to ``sqrt(v)`` for numerical stability.

    Examples
    --------
    The small coordinate of the target lands on exactly 0.0:

    >>> import numpy as np
    >>> from sklearn_regnn.penalties import ElasticNet
    >>> from sklearn_regnn.solvers import ProximalAdam
    >>> target = np.array([[2.0], [0.05]])
    >>> coefs, intercepts = [np.zeros((2, 1))], [np.zeros(1)]
    >>> adam = ProximalAdam(coefs + intercepts, learning_rate_init=0.05,
    ...                     beta_1=0.9, beta_2=0.999, epsilon=1e-8)
    >>> lasso = ElasticNet(alpha=0.1, l1_ratio=1.0)
    >>> for _ in range(2000):
    ...     adam.update(coefs, intercepts, [coefs[0] - target], [np.zeros(1)], lasso)
    >>> coefs[0].ravel().round(3)
    array([1.9, 0. ])
    >>> float(coefs[0][1, 0])
    0.0
    """

    def __init__(self, params, learning_rate_init, beta_1, beta_2, epsilon):
        self.learning_rate_init = learning_rate_init
        self.beta_1, self.beta_2, self.epsilon = beta_1, beta_2, epsilon
        self.t = 0
        self.first_moments = [np.zeros_like(p) for p in params]
        self.second_moments = [np.zeros_like(p) for p in params]
        self.steps = [np.empty_like(p) for p in params]
        self._pulls = None  # the penalty's pull on each weight, allocated on first use

    def update(self, coefs, intercepts, coef_grads, intercept_grads, penalty):
        self.t += 1
        b1, b2 = self.beta_1, self.beta_2
        # sqrt(v_hat) = sqrt(v) / root_correction and m_hat = m / (1 - b1**t); the
        # steps are computed on the raw moments, as scikit-learn's Adam does.
        root_correction = np.sqrt(1 - b2**self.t)
        momentum_correction = 1 - b1**self.t
        n_coefs = len(coefs)
        bounded = not penalty.is_zero
        if bounded and self._pulls is None:
            self._pulls = [np.empty_like(W) for W in coefs]
        params = coefs + intercepts
        grads = coef_grads + intercept_grads
        for k, (p, g, m, v, step) in enumerate(
            zip(params, grads, self.first_moments, self.second_moments, self.steps)
        ):
            m *= b1
            m += (1 - b1) * g
            v *= b2
            v += (1 - b2) * (g * g)
            np.sqrt(v, out=step)
            if bounded and k < n_coefs:
                pull = penalty.pull(p, out=self._pulls[k])
                pull *= root_correction
                np.maximum(step, pull, out=step)
            step += self.epsilon
            # step_j = lr / (max(sqrt(v_hat_j), pull_j) + epsilon), the step taken on
            # m_hat_j and the prox's step.
            np.divide(self.learning_rate_init * root_correction, step, out=step)
            p -= step * m / momentum_correction
        if bounded:
            penalty.prox(coefs, self.steps[:n_coefs])

    update.__doc__ = _update_doc(
        "One proximal Adam step on all parameters, in place.",
        "Its ``pull`` bounds the weights' steps.",
    )

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
