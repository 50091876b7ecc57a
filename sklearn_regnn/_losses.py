"""Data-fit losses of the network, evaluated on the raw (pre-activation) output.

Each loss pairs with the output activation that is its canonical link, so the
gradient with respect to the raw output is always ``weights * (activation(Z) - Y)``:

=================  ==================  =============================================
loss               output activation   value per sample ``i``
=================  ==================  =============================================
``squared_error``  identity            ``1/2 * sum_k (y_ik - z_ik)**2``
``binary_log``     logistic            ``sum_k log(1 + exp(z_ik)) - y_ik * z_ik``
``multinomial``    softmax             ``logsumexp_k(z_ik) - sum_k y_ik * z_ik``
=================  ==================  =============================================

The values are computed from the raw output with ``logaddexp``/``logsumexp``, so
they stay finite and accurate for confident predictions where a log of a clipped
probability would not.
"""

import numpy as np


def squared_error(Z, Y, sample_weight):
    """Weighted half squared error, summed over outputs.

    Parameters
    ----------
    Z : ndarray of shape (n_samples, n_outputs)
        Raw network output.
    Y : ndarray of shape (n_samples, n_outputs)
        Targets.
    sample_weight : ndarray of shape (n_samples,)
        Non-negative weights, already normalized by the caller.

    Returns
    -------
    loss : float
        ``sum_i sample_weight[i] * 1/2 * ||Y[i] - Z[i]||**2``.
    """
    residual = Z - Y
    per_sample = np.einsum("ij,ij->i", residual, residual)
    return 0.5 * float(per_sample @ sample_weight)


def binary_log_loss(Z, Y, sample_weight):
    """Weighted log-loss of independent logistic units, summed over units.

    Parameters
    ----------
    Z : ndarray of shape (n_samples, n_outputs)
        Raw output (logits) of the logistic units.
    Y : ndarray of shape (n_samples, n_outputs)
        0/1 indicator targets.
    sample_weight : ndarray of shape (n_samples,)
        Non-negative weights, already normalized by the caller.

    Returns
    -------
    loss : float
    """
    per_unit = np.logaddexp(0, Z) - Y * Z
    return float(per_unit.sum(axis=1) @ sample_weight)


def multinomial_log_loss(Z, Y, sample_weight):
    """Weighted multinomial (softmax cross-entropy) log-loss.

    Parameters
    ----------
    Z : ndarray of shape (n_samples, n_classes)
        Raw output (logits) of the softmax layer.
    Y : ndarray of shape (n_samples, n_classes)
        One-hot targets.
    sample_weight : ndarray of shape (n_samples,)
        Non-negative weights, already normalized by the caller.

    Returns
    -------
    loss : float
    """
    # logsumexp by hand: scipy's spends far longer checking its arguments than
    # computing, on the small per-batch outputs of a training loop.
    row_max = Z.max(axis=1)
    shifted = Z - row_max[:, np.newaxis]
    np.exp(shifted, out=shifted)
    per_sample = np.log(shifted.sum(axis=1))
    per_sample += row_max
    per_sample -= np.einsum("ij,ij->i", Y, Z)
    return float(per_sample @ sample_weight)


LOSS_OF_OUTPUT_ACTIVATION = {
    "identity": squared_error,
    "logistic": binary_log_loss,
    "softmax": multinomial_log_loss,
}


def output_gradient(output, Y, sample_weight, out=None):
    """Gradient of the weighted loss with respect to the raw output.

    Because each loss uses its canonical link, this is the same formula for all
    three: ``sample_weight[:, None] * (output - Y)``, where ``output`` is the
    activated output (predictions or probabilities).

    Parameters
    ----------
    output : ndarray of shape (..., n_samples, n_outputs)
        Activated network output (leading axes for a stack of networks).
    Y : ndarray of shape (..., n_samples, n_outputs)
        Targets.
    sample_weight : ndarray of shape (..., n_samples)
        Non-negative weights, already normalized by the caller.
    out : ndarray of shape (..., n_samples, n_outputs), default=None
        Where to write the result; may be ``output`` itself.

    Returns
    -------
    gradient : ndarray of shape (..., n_samples, n_outputs)
    """
    out = np.subtract(output, Y, out=out)
    out *= sample_weight[..., np.newaxis]
    return out


def best_constant(Y, sample_weight, out_activation):
    """Output intercepts of the best constant model (all weights zero).

    The weighted mean of ``Y`` for the identity output; the logits of the weighted
    class frequencies for the logistic and softmax outputs (softmax logits
    centred), with the frequencies clipped away from 0 and 1 so that the logits
    are finite.
    """
    if out_activation == "identity":
        return sample_weight @ Y
    frequencies = np.clip(sample_weight @ Y, 1e-6, 1 - 1e-6)
    if out_activation == "softmax":
        return np.log(frequencies) - np.log(frequencies).mean()
    return np.log(frequencies) - np.log1p(-frequencies)
