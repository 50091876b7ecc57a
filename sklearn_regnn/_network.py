"""The network's math: initialization, forward pass, loss and backpropagation.

Everything here is a pure function of a list of weight matrices ``coefs`` (one per
layer, of shape ``(fan_in, fan_out)``) and a list of intercept vectors
``intercepts``; no estimator state is read or written. The optional
:class:`Workspace` holds the per-batch buffers so that a training loop allocates
them once instead of once per batch.
"""

import numpy as np
import scipy.sparse as sp

from ._activations import DERIVATIVES, HIDDEN_ACTIVATIONS, OUTPUT_ACTIVATIONS
from ._losses import LOSS_OF_OUTPUT_ACTIVATION, output_gradient


def init_params(layer_units, activation, random_state, dtype=np.float64):
    """Draw initial weights with Glorot (Xavier) uniform initialization.

    Each layer's weights and intercepts are drawn from ``U(-b, b)`` with
    ``b = sqrt(factor / (fan_in + fan_out))``, ``factor = 2`` for the logistic
    activation and ``6`` otherwise, in the order layer 1 weights, layer 1
    intercepts, layer 2 weights, ...

    Parameters
    ----------
    layer_units : list of int
        Units per layer, inputs first and outputs last.
    activation : str
        Hidden activation name; selects the Glorot factor.
    random_state : numpy.random.RandomState
        Source of randomness.
    dtype : numpy dtype, default=np.float64
        Dtype of the returned arrays.

    Returns
    -------
    coefs : list of ndarray
    intercepts : list of ndarray
    """
    factor = 2.0 if activation == "logistic" else 6.0
    coefs, intercepts = [], []
    for fan_in, fan_out in zip(layer_units[:-1], layer_units[1:]):
        bound = np.sqrt(factor / (fan_in + fan_out))
        coefs.append(random_state.uniform(-bound, bound, (fan_in, fan_out)).astype(dtype))
        intercepts.append(random_state.uniform(-bound, bound, fan_out).astype(dtype))
    return coefs, intercepts


def _matmul_into(A, W, out):
    """``out[...] = A @ W`` for a dense or scipy.sparse ``A``, without densifying."""
    if sp.issparse(A):
        out[...] = A @ W
    else:
        np.matmul(A, W, out=out)
    return out


def _transpose_matmul_into(A, delta, out):
    """``out[...] = A.T @ delta`` for a dense or scipy.sparse ``A``."""
    if sp.issparse(A):
        out[...] = A.T @ delta
    else:
        np.matmul(A.T, delta, out=out)
    return out


def forward(coefs, intercepts, X, activation, out_activation):
    """Predict with the network: the activated output for each row of ``X``.

    Parameters
    ----------
    coefs, intercepts : list of ndarray
        Network parameters.
    X : {ndarray, sparse matrix} of shape (n_samples, n_features)
        Input data.
    activation : str
        Hidden activation name.
    out_activation : {'identity', 'logistic', 'softmax'}
        Output activation name.

    Returns
    -------
    output : ndarray of shape (n_samples, n_outputs)
    """
    hidden = HIDDEN_ACTIVATIONS[activation]
    A = X
    n_layers = len(coefs)
    for i, (W, b) in enumerate(zip(coefs, intercepts)):
        Z = np.asarray(A @ W)
        Z += b
        A = hidden(Z) if i < n_layers - 1 else Z
    return OUTPUT_ACTIVATIONS[out_activation](A)


class Workspace:
    """Preallocated buffers for :func:`loss_and_grad` on batches of at most
    ``batch_size`` rows.

    Parameters
    ----------
    layer_units : list of int
        Units per layer, inputs first and outputs last.
    batch_size : int
        The largest batch the buffers must hold.
    dtype : numpy dtype
        Dtype of the buffers (that of the data and the weights).
    """

    def __init__(self, layer_units, batch_size, dtype):
        self.batch_size = batch_size
        # activations[i] holds the output of layer i (inputs are not copied).
        self.activations = [np.empty((batch_size, u), dtype=dtype) for u in layer_units[1:]]
        # One delta buffer per layer; deltas of consecutive layers coexist.
        self.deltas = [np.empty((batch_size, u), dtype=dtype) for u in layer_units[1:]]
        self.coef_grads = [
            np.empty((fan_in, fan_out), dtype=dtype)
            for fan_in, fan_out in zip(layer_units[:-1], layer_units[1:])
        ]
        self.intercept_grads = [np.empty(u, dtype=dtype) for u in layer_units[1:]]

    def views(self, n_rows):
        """Activation and delta buffers cut to the first ``n_rows`` rows."""
        if n_rows == self.batch_size:
            return self.activations, self.deltas
        return (
            [a[:n_rows] for a in self.activations],
            [d[:n_rows] for d in self.deltas],
        )


def loss_and_grad(
    coefs, intercepts, X, Y, sample_weight, activation, out_activation, workspace=None
):
    """Weighted data loss and its exact gradient with respect to every parameter.

    The loss is ``sum_i sample_weight[i] * loss(Y[i], f(X[i]))`` with the loss fixed
    by ``out_activation`` (see :mod:`sklearn_regnn._losses`); the penalty is not
    included, since it is handled by the penalty object and its prox. The weights
    are used as given: normalizing them is the caller's choice.

    Parameters
    ----------
    coefs, intercepts : list of ndarray
        Network parameters.
    X : {ndarray, sparse matrix} of shape (n_samples, n_features)
        Input data.
    Y : ndarray of shape (n_samples, n_outputs)
        Targets (indicator matrix for classification).
    sample_weight : ndarray of shape (n_samples,)
        Per-sample weights.
    activation : str
        Hidden activation name.
    out_activation : {'identity', 'logistic', 'softmax'}
        Output activation name.
    workspace : Workspace, default=None
        Buffers to reuse; a new one is made when None. The returned gradients are
        the workspace's own arrays and are overwritten by the next call.

    Returns
    -------
    loss : float
    coef_grads : list of ndarray
    intercept_grads : list of ndarray
    """
    n_samples = X.shape[0]
    if workspace is None:
        layer_units = [X.shape[1]] + [W.shape[1] for W in coefs]
        workspace = Workspace(layer_units, n_samples, coefs[0].dtype)
    activations, deltas = workspace.views(n_samples)
    coef_grads, intercept_grads = workspace.coef_grads, workspace.intercept_grads
    hidden = HIDDEN_ACTIVATIONS[activation]
    n_layers = len(coefs)

    # Forward pass, keeping every layer's output for backpropagation.
    A = X
    for i in range(n_layers):
        Z = _matmul_into(A, coefs[i], activations[i])
        Z += intercepts[i]
        if i < n_layers - 1:
            A = hidden(Z)
    # Z is now the raw output: take the loss from it before activating in place.
    loss = LOSS_OF_OUTPUT_ACTIVATION[out_activation](Z, Y, sample_weight)
    output = OUTPUT_ACTIVATIONS[out_activation](Z)

    # Backward pass.
    delta = output_gradient(output, Y, sample_weight, out=deltas[-1])
    derivative = DERIVATIVES[activation]
    for i in range(n_layers - 1, -1, -1):
        inputs = X if i == 0 else activations[i - 1]
        _transpose_matmul_into(inputs, delta, coef_grads[i])
        np.sum(delta, axis=0, out=intercept_grads[i])
        if i > 0:
            previous = np.matmul(delta, coefs[i].T, out=deltas[i - 1])
            delta = derivative(activations[i - 1], previous)
    return loss, coef_grads, intercept_grads


def data_loss(coefs, intercepts, X, Y, sample_weight, activation, out_activation):
    """Weighted data loss only (no gradient), as in :func:`loss_and_grad`."""
    hidden = HIDDEN_ACTIVATIONS[activation]
    A = X
    n_layers = len(coefs)
    for i, (W, b) in enumerate(zip(coefs, intercepts)):
        Z = np.asarray(A @ W)
        Z += b
        if i < n_layers - 1:
            A = hidden(Z)
    return LOSS_OF_OUTPUT_ACTIVATION[out_activation](Z, Y, sample_weight)


class DataLoss:
    """The weighted data loss on a fixed data set, as a smooth function of the
    parameters; what a full-batch solver minimizes (with a penalty).

    Parameters
    ----------
    X : {ndarray, sparse matrix} of shape (n_samples, n_features)
    Y : ndarray of shape (n_samples, n_outputs)
    sample_weight : ndarray of shape (n_samples,)
    activation : str
    out_activation : {'identity', 'logistic', 'softmax'}
    """

    def __init__(self, X, Y, sample_weight, activation, out_activation):
        self.X, self.Y, self.sample_weight = X, Y, sample_weight
        self.activation, self.out_activation = activation, out_activation
        self._workspace = None

    def value(self, coefs, intercepts):
        """The loss at ``(coefs, intercepts)``."""
        return data_loss(
            coefs,
            intercepts,
            self.X,
            self.Y,
            self.sample_weight,
            self.activation,
            self.out_activation,
        )

    def value_and_grad(self, coefs, intercepts):
        """The loss and its gradient (arrays reused by the next call)."""
        if self._workspace is None:
            layer_units = [self.X.shape[1]] + [W.shape[1] for W in coefs]
            self._workspace = Workspace(layer_units, self.X.shape[0], coefs[0].dtype)
        return loss_and_grad(
            coefs,
            intercepts,
            self.X,
            self.Y,
            self.sample_weight,
            self.activation,
            self.out_activation,
            self._workspace,
        )
