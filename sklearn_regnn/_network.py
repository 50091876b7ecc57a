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

        One array of all the weights for a separable penalty (one array operation
        per step, whatever the depth and however many networks), the weight
        matrices otherwise: one per layer, and for a stack of networks one per
        layer of each network in turn.

        Parameters
        ----------
        flat : ndarray of shape (size,) or (n_networks, size)
            Parameters (or anything laid out like them), of one network or of a
            stack of networks, one per row.
        penalty : penalty object
            Its ``separable`` attribute decides.

        Returns
        -------
        blocks : list of ndarray
        """
        if penalty.separable:
            return [flat[..., : self.n_weights]]
        if flat.ndim == 1:
            return self.unpack(flat)[0]
        return [W for row in flat for W in self.unpack(row)[0]]

    def unpack(self, flat):
        """Views of ``flat`` shaped as ``(coefs, intercepts)``; no copy.

        Parameters
        ----------
        flat : ndarray of shape (size,) or (n_networks, size)
            Parameters (or anything laid out like them); for a stack of networks
            the views keep the leading axis, ``(n_networks, fan_in, fan_out)``.

        Returns
        -------
        coefs, intercepts : list of ndarray
        """
        shapes = self.coef_shapes + self.intercept_shapes
        lead = flat.shape[:-1]
        views = [
            flat[..., self.offsets[k] : self.offsets[k + 1]].reshape(lead + shape)
            for k, shape in enumerate(shapes)
        ]
        return views[: self.n_coefs], views[self.n_coefs :]


class Workspace:
    """Preallocated buffers for :func:`loss_and_grad` on batches of at most
    ``batch_size`` rows, for one network or a stack of ``n_networks`` networks of
    the same shape (trained side by side, each on its own data).

    The gradients live in ``grad``, one flat row per network laid out by
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
    n_networks : int, default=1
        Networks in the stack.
    """

    def __init__(self, layer_units, batch_size, dtype, activation=None, n_networks=1):
        self.batch_size = batch_size
        self.packing = ParameterPacking(layer_units)
        # activations[i][k] holds the output of layer i of network k (the inputs
        # are not copied); deltas likewise, and deltas of consecutive layers coexist.
        shape = (n_networks, batch_size)
        self.activations = [np.empty(shape + (u,), dtype=dtype) for u in layer_units[1:]]
        self.deltas = [np.empty(shape + (u,), dtype=dtype) for u in layer_units[1:]]
        # Scratch space for the activations' derivatives, one per hidden layer.
        needs_scratch = activation not in ("relu", "identity")
        self.scratch = [
            np.empty(shape + (u,), dtype=dtype) if needs_scratch else None
            for u in layer_units[1:-1]
        ]
        self.grad = np.empty((n_networks, self.packing.size), dtype=dtype)
        self.ones = np.ones(batch_size, dtype=dtype)
        self.coef_grads, self.intercept_grads = self.packing.unpack(self.grad)
        # Each network's gradients, as views of its row of grad.
        self.network_grads = [self.packing.unpack(row) for row in self.grad]
        self._views = {}
        self._params = None

    def parameter_views(self, params):
        """Views of ``params`` (of shape ``(n_networks, packing.size)``) for
        :func:`stacked_loss_and_grad`: each network's weight matrices, and each
        layer's intercepts of all the networks, shaped to add to the stacked
        activations. Kept while the same array comes back (a training loop's)."""
        if params is not self._params:
            per_network = [self.packing.unpack(row)[0] for row in params]
            intercepts = self.packing.unpack(params)[1]
            if len(params) > 1:
                intercepts = [b[:, np.newaxis, :] for b in intercepts]
            self._params, self._parameter_views = params, (per_network, intercepts)
        return self._parameter_views

    def views(self, n_rows):
        """The buffers cut to the first ``n_rows`` rows, for a call on batches of
        that many rows: ``(stacked, per_network, ones)``.

        ``stacked`` holds the activation, delta and scratch buffers of all the
        networks, for element-wise work (each of shape ``(n_rows, units)`` when
        there is one network); ``per_network[k]`` the same for network ``k``
        alone, for its matrix products, with its gradients (views of its row of
        ``grad``); ``ones`` is a vector of ``n_rows`` ones. Made once per
        ``n_rows`` and kept.
        """
        if n_rows not in self._views:
            groups = (self.activations, self.deltas, self.scratch)
            cut = [[None if a is None else a[:, :n_rows] for a in group] for group in groups]
            per_network = [
                (tuple([None if a is None else a[k] for a in group] for group in cut), grads)
                for k, grads in enumerate(self.network_grads)
            ]
            stacked = per_network[0][0] if len(per_network) == 1 else tuple(cut)
            self._views[n_rows] = stacked, per_network, self.ones[:n_rows]
        return self._views[n_rows]


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
        Buffers to reuse (of one network); a new one is made when None. The
        returned gradients are views of the workspace's ``grad`` and are
        overwritten by the next call.

    Returns
    -------
    loss : float
    coef_grads : list of ndarray
    intercept_grads : list of ndarray
    """
    if workspace is None:
        layer_units = [X.shape[1]] + [W.shape[1] for W in coefs]
        workspace = Workspace(layer_units, X.shape[0], coefs[0].dtype, activation)
    params = workspace.packing.pack(coefs, intercepts)[np.newaxis]
    Y, sample_weight = Y[np.newaxis], sample_weight[np.newaxis]
    losses = stacked_loss_and_grad(
        params, [X], Y, sample_weight, activation, out_activation, workspace
    )
    coef_grads, intercept_grads = workspace.network_grads[0]
    return losses[0], coef_grads, intercept_grads


def stacked_loss_and_grad(params, X, Y, sample_weight, activation, out_activation, workspace):
    """:func:`loss_and_grad` of a stack of networks, each on its own batch.

    Networks ``k = 0, 1, ...`` share a shape and a batch length, not their data.
    The element-wise work (intercepts, activations, the output gradient) runs
    once over the whole stack; the matrix products and the losses run network by
    network, on the same arrays and with the same calls as for one network, so
    that each network's results are exactly those it would get on its own.

    Parameters
    ----------
    params : ndarray of shape (n_networks, packing.size)
        The networks' parameters, one row each, laid out by ``workspace.packing``.
    X : list of {ndarray, sparse matrix}
        Each network's batch, of shape (n_rows, n_features).
    Y : ndarray of shape (n_networks, n_rows, n_outputs)
        Each network's targets.
    sample_weight : ndarray of shape (n_networks, n_rows)
        Each network's sample weights.
    activation, out_activation : str
        As for :func:`loss_and_grad`.
    workspace : Workspace
        Buffers for ``n_networks`` networks; the gradients are left in its
        ``grad``, one row per network.

    Returns
    -------
    losses : list of float
        Each network's loss.
    """
    n_networks, n_rows = Y.shape[:2]
    (activations, deltas, scratch), networks, ones = workspace.views(n_rows)
    coefs, intercepts = workspace.parameter_views(params)
    hidden = HIDDEN_ACTIVATIONS[activation]
    output_activation = OUTPUT_ACTIVATIONS[out_activation]
    loss = LOSS_OF_OUTPUT_ACTIVATION[out_activation]
    n_layers = len(intercepts)
    if n_networks == 1:
        # One network: its element-wise work on 2-D arrays, as a plain fit has it.
        Y, sample_weight = Y[0], sample_weight[0]

    # Forward pass, keeping every layer's output for backpropagation.
    for i in range(n_layers):
        for X_k, coefs_k, ((activations_k, _, _), _) in zip(X, coefs, networks):
            _matmul_into(X_k if i == 0 else activations_k[i - 1], coefs_k[i], activations_k[i])
        Z = activations[i]
        Z += intercepts[i]
        if i < n_layers - 1:
            hidden(Z)
    # Z is now the raw output: take the losses from it before activating in place.
    if n_networks == 1:
        losses = [loss(Z, Y, sample_weight)]
        output_activation(Z)
    else:
        losses = [loss(Z[k], Y[k], sample_weight[k]) for k in range(n_networks)]
        for k in range(n_networks):
            output_activation(Z[k])

    # Backward pass.
    output_gradient(Z, Y, sample_weight, out=deltas[-1])
    derivative = DERIVATIVES[activation]
    for i in range(n_layers - 1, -1, -1):
        for X_k, coefs_k, ((activations_k, deltas_k, _), grads_k) in zip(X, coefs, networks):
            _transpose_matmul_into(
                X_k if i == 0 else activations_k[i - 1], deltas_k[i], grads_k[0][i]
            )
            # Column sums as a matrix-vector product: BLAS does it several times
            # faster than a reduction along the rows.
            np.matmul(ones, deltas_k[i], out=grads_k[1][i])
            if i > 0:
                np.matmul(deltas_k[i], coefs_k[i].T, out=deltas_k[i - 1])
        if i > 0:
            derivative(activations[i - 1], deltas[i - 1], scratch[i - 1])
    return losses


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
