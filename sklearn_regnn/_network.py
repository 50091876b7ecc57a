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


# Rows per chunk of the full-data passes (forward, data_loss): about this many entries
# in the widest layer's activations, so that predicting on or scoring a large data set
# needs a few MB of scratch rather than n_samples times the widest layer.
_CHUNK_ENTRIES = 2**16


def _row_chunks(n_rows, coefs):
    widest = max(W.shape[1] for W in coefs)
    step = max(1, _CHUNK_ENTRIES // widest)
    return [slice(start, min(start + step, n_rows)) for start in range(0, n_rows, step)]


def _raw_output(coefs, intercepts, X, activation):
    """The output layer's pre-activation for the rows of ``X`` (one chunk)."""
    hidden = HIDDEN_ACTIVATIONS[activation]
    A = X
    n_layers = len(coefs)
    for i, (W, b) in enumerate(zip(coefs, intercepts)):
        Z = np.asarray(A @ W)
        Z += b
        A = hidden(Z) if i < n_layers - 1 else Z
    return A


def forward(coefs, intercepts, X, activation, out_activation):
    """Predict with the network: the activated output for each row of ``X``.

    The rows are processed in chunks, so the memory needed beyond the output is
    bounded whatever the number of rows.

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
    output = None
    for rows in _row_chunks(X.shape[0], coefs):
        chunk = OUTPUT_ACTIVATIONS[out_activation](
            _raw_output(coefs, intercepts, X[rows], activation)
        )
        if output is None:
            output = np.empty((X.shape[0], chunk.shape[1]), dtype=chunk.dtype)
        output[rows] = chunk
    if output is None:  # no rows
        dtype = np.result_type(X.dtype, coefs[0].dtype)
        output = np.empty((0, coefs[-1].shape[1]), dtype=dtype)
    return output


class ParameterPacking:
    """Lay the weight matrices and intercept vectors out in one flat vector.

    The weights come first (layer by layer), so the penalized part is the prefix
    ``flat[:n_weights]``, then the intercepts. A solver that keeps its parameters
    (and its gradients and state) flat updates all layers with one array operation
    per step instead of one per layer.

    Parameters
    ----------
    layer_units : list of int
        Units per layer, inputs first and outputs last: layer ``i`` has a weight
        matrix of shape ``(layer_units[i], layer_units[i + 1])`` and an intercept
        vector of length ``layer_units[i + 1]``.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_regnn.solvers import ParameterPacking
    >>> packing = ParameterPacking([3, 2, 1])  # 3 inputs, 2 hidden units, 1 output
    >>> packing.size, packing.n_weights
    (11, 8)
    >>> coefs, intercepts = packing.unpack(np.arange(11.0))
    >>> coefs[1].ravel(), intercepts[0]
    (array([6., 7.]), array([8., 9.]))
    """

    def __init__(self, layer_units):
        fans = list(zip(layer_units[:-1], layer_units[1:]))
        self.coef_shapes = fans
        self.intercept_shapes = [(fan_out,) for _, fan_out in fans]
        sizes = [fan_in * fan_out for fan_in, fan_out in fans] + [f for _, f in fans]
        self.offsets = np.concatenate([[0], np.cumsum(sizes)]).astype(int)
        self.n_coefs = len(fans)
        self.n_weights = int(self.offsets[self.n_coefs])
        self.size = int(self.offsets[-1])

    @classmethod
    def like(cls, coefs):
        """The layout of the network whose weight matrices are ``coefs``.

        Parameters
        ----------
        coefs : list of ndarray
            Weight matrices, layer by layer.

        Returns
        -------
        packing : ParameterPacking
        """
        return cls([W.shape[0] for W in coefs] + [coefs[-1].shape[1]])

    def pack(self, coefs, intercepts, out=None):
        """Copy ``coefs`` and ``intercepts`` into a flat vector.

        Parameters
        ----------
        coefs, intercepts : list of ndarray
            Arrays of this layout's shapes.
        out : ndarray of shape (size,), default=None
            Where to write; a new array when None.

        Returns
        -------
        flat : ndarray of shape (size,)
        """
        arrays = list(coefs) + list(intercepts)
        if out is None:
            out = np.empty(self.size, dtype=arrays[0].dtype)
        for k, a in enumerate(arrays):
            out[self.offsets[k] : self.offsets[k + 1]] = a.ravel()
        return out

    def weight_blocks(self, flat, penalty):
        """The weight part of ``flat`` as the arrays ``penalty`` acts on (views).

        One flat array of all the weights for a separable penalty (one array
        operation per step, whatever the depth), the weight matrices otherwise.

        Parameters
        ----------
        flat : ndarray of shape (size,)
            Parameters (or anything laid out like them).
        penalty : penalty object
            Its ``separable`` attribute decides.

        Returns
        -------
        blocks : list of ndarray
        """
        if penalty.separable:
            return [flat[: self.n_weights]]
        return self.unpack(flat)[0]

    def unpack(self, flat):
        """Views of ``flat`` shaped as ``(coefs, intercepts)``; no copy.

        Parameters
        ----------
        flat : ndarray of shape (size,)
            Parameters (or anything laid out like them).

        Returns
        -------
        coefs, intercepts : list of ndarray
        """
        shapes = self.coef_shapes + self.intercept_shapes
        views = [
            flat[self.offsets[k] : self.offsets[k + 1]].reshape(shape)
            for k, shape in enumerate(shapes)
        ]
        return views[: self.n_coefs], views[self.n_coefs :]


class Workspace:
    """Preallocated buffers for :func:`loss_and_grad` on batches of at most
    ``batch_size`` rows.

    The gradients live in one flat vector, ``grad``, laid out by
    :class:`ParameterPacking` (``coef_grads`` and ``intercept_grads`` are views of
    it), so a solver that keeps its parameters flat can use it as it is.

    Parameters
    ----------
    layer_units : list of int
        Units per layer, inputs first and outputs last.
    batch_size : int
        The largest batch the buffers must hold.
    dtype : numpy dtype
        Dtype of the buffers (that of the data and the weights).
    activation : str, default=None
        Hidden activation; when given, scratch space for its derivative is made
        only if it needs some (ReLU and the identity do not). None makes it.
    """

    def __init__(self, layer_units, batch_size, dtype, activation=None):
        self.batch_size = batch_size
        self.packing = ParameterPacking(layer_units)
        # activations[i] holds the output of layer i (inputs are not copied).
        self.activations = [np.empty((batch_size, u), dtype=dtype) for u in layer_units[1:]]
        # One delta buffer per layer; deltas of consecutive layers coexist.
        self.deltas = [np.empty((batch_size, u), dtype=dtype) for u in layer_units[1:]]
        # Scratch space for the activations' derivatives, one per hidden layer.
        needs_scratch = activation not in ("relu", "identity")
        self.scratch = [
            np.empty((batch_size, u), dtype=dtype) if needs_scratch else None
            for u in layer_units[1:-1]
        ]
        self.grad = np.empty(self.packing.size, dtype=dtype)
        self.ones = np.ones(batch_size, dtype=dtype)
        self.coef_grads, self.intercept_grads = self.packing.unpack(self.grad)

    def views(self, n_rows):
        """Activation, delta and scratch buffers cut to the first ``n_rows`` rows."""
        buffers = (self.activations, self.deltas, self.scratch)
        if n_rows == self.batch_size:
            return buffers
        return tuple([None if a is None else a[:n_rows] for a in group] for group in buffers)


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
        views of the workspace's flat ``grad`` and are overwritten by the next call.

    Returns
    -------
    loss : float
    coef_grads : list of ndarray
    intercept_grads : list of ndarray
    """
    n_samples = X.shape[0]
    if workspace is None:
        layer_units = [X.shape[1]] + [W.shape[1] for W in coefs]
        workspace = Workspace(layer_units, n_samples, coefs[0].dtype, activation)
    activations, deltas, scratch = workspace.views(n_samples)
    ones = workspace.ones[:n_samples]
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
        # Column sums as a matrix-vector product: BLAS does it several times faster
        # than a reduction along the rows.
        np.matmul(ones, delta, out=intercept_grads[i])
        if i > 0:
            previous = np.matmul(delta, coefs[i].T, out=deltas[i - 1])
            delta = derivative(activations[i - 1], previous, scratch[i - 1])
    return loss, coef_grads, intercept_grads


def data_loss(coefs, intercepts, X, Y, sample_weight, activation, out_activation):
    """Weighted data loss only (no gradient), as in :func:`loss_and_grad`, computed
    over chunks of rows like :func:`forward`."""
    loss = LOSS_OF_OUTPUT_ACTIVATION[out_activation]
    total = 0.0
    for rows in _row_chunks(X.shape[0], coefs):
        Z = _raw_output(coefs, intercepts, X[rows], activation)
        total += loss(Z, Y[rows], sample_weight[rows])
    return total


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
            self._workspace = Workspace(
                layer_units, self.X.shape[0], coefs[0].dtype, self.activation
            )
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
