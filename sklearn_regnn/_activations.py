"""Hidden-layer activations, output activations and their derivatives.

Every function works in place on a preallocated array (the derivatives get a scratch
array too) so that the training loop allocates nothing sizeable per batch.
Derivatives are expressed through the activation's *output* ``A`` (not its input),
which is all backpropagation keeps in memory.
"""

import numpy as np
from scipy.special import expit


def identity(Z):
    """Leave ``Z`` unchanged (the identity activation), in place."""
    return Z


def logistic(Z):
    """Apply the logistic sigmoid ``1 / (1 + exp(-z))`` to ``Z`` in place."""
    return expit(Z, out=Z)


def tanh(Z):
    """Apply the hyperbolic tangent to ``Z`` in place."""
    return np.tanh(Z, out=Z)


def relu(Z):
    """Apply ``max(z, 0)`` to ``Z`` in place."""
    return np.maximum(Z, 0, out=Z)


def softmax(Z):
    """Apply the row-wise softmax to ``Z`` in place.

    The row maximum is subtracted first so that ``exp`` never overflows.
    """
    Z -= Z.max(axis=1, keepdims=True)
    np.exp(Z, out=Z)
    Z /= Z.sum(axis=1, keepdims=True)
    return Z


def identity_derivative(A, delta, scratch):
    """Multiply ``delta`` by the identity's derivative (a no-op)."""
    return delta


def logistic_derivative(A, delta, scratch):
    """Multiply ``delta`` in place by ``a * (1 - a)``, the sigmoid's derivative.

    ``scratch`` is an array shaped like ``A`` that it may overwrite."""
    np.subtract(1, A, out=scratch)
    scratch *= A
    delta *= scratch
    return delta


def tanh_derivative(A, delta, scratch):
    """Multiply ``delta`` in place by ``1 - a**2``, the tanh derivative.

    ``scratch`` is an array shaped like ``A`` that it may overwrite."""
    np.square(A, out=scratch)
    np.subtract(1, scratch, out=scratch)
    delta *= scratch
    return delta


def relu_derivative(A, delta, scratch):
    """Zero ``delta`` in place wherever the ReLU was inactive (``a == 0``)."""
    # np.multiply by a boolean mask is measurably faster than fancy-index assignment
    # (delta[A == 0] = 0) on the batch sizes used here.
    np.multiply(delta, A > 0, out=delta)
    return delta


HIDDEN_ACTIVATIONS = {
    "identity": identity,
    "logistic": logistic,
    "tanh": tanh,
    "relu": relu,
}

DERIVATIVES = {
    "identity": identity_derivative,
    "logistic": logistic_derivative,
    "tanh": tanh_derivative,
    "relu": relu_derivative,
}

OUTPUT_ACTIVATIONS = {
    "identity": identity,
    "logistic": logistic,
    "softmax": softmax,
}
