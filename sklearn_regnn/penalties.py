"""Penalties on the network's weight matrices, each with its value and its prox.

A penalty acts on the list of weight matrices ``coefs`` only; intercepts are never
penalized. Every penalty offers

- ``value(coefs)``: the penalty term of the objective;
- ``prox(coefs, step)``: its proximal operator, applied in place, where ``step`` is
  either a scalar (one step for every coordinate, as in SGD or FISTA) or a list of
  arrays shaped like ``coefs`` (one step per coordinate, as in Adam);
- ``pull(W, out, scale)``: the size of the penalty's (sub)gradient at each weight,
  which bounds the per-coordinate steps of Adam;
- ``equalize_steps(steps)``: makes per-coordinate steps fit the prox (a group's
  coordinates must share one step);
- ``is_zero``: whether the penalty vanishes (``alpha == 0``), so that solvers can
  skip it;
- ``stationarity(coefs, coef_grads)``: the largest distance from ``-grad`` to the
  penalty's subdifferential, zero exactly at a stationary point of
  ``loss + penalty``;
- ``conjugate(V)`` and ``dual_scale(V)``: what a duality gap needs for a model
  without hidden layers (Fenchel conjugate, and the factor that makes a dual point
  feasible).

and says whether it is ``separable`` (acts entry by entry, so that the solvers may
pass the weights of all layers as one flat array). :class:`GroupLasso`, over the
rows of every weight matrix and not separable, is one such class; a new penalty is
one more, and the solvers need nothing else.
"""

import numpy as np

from ._validation import _is_real


def soft_threshold(Z, threshold, work=None):
    """Shrink ``Z`` towards 0 by ``threshold`` in place: ``sign(z) max(|z| - t, 0)``.

    Coordinates with ``|z| <= threshold`` become exactly 0.0.

    Parameters
    ----------
    Z : ndarray
        Values to shrink, modified in place.
    threshold : float or ndarray broadcastable to ``Z``
        Non-negative thresholds.
    work : ndarray shaped like ``Z``, default=None
        Scratch space to overwrite; allocated when None. A training loop passes its
        own so that each step allocates nothing.

    Returns
    -------
    Z : ndarray
        The same array, shrunk.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_regnn.penalties import soft_threshold
    >>> soft_threshold(np.array([-3.0, -0.5, 0.2, 2.0]), 1.0)
    array([-2.,  0.,  0.,  1.])
    """
    if work is None:
        work = np.empty_like(Z)
    # z - clip(z, -t, t) is sign(z) * max(|z| - t, 0), and it is exactly +0.0 when
    # |z| <= t because then the clip returns z itself. The clip is written as a
    # maximum and a minimum into `work`: np.clip is several times slower.
    lower = np.negative(threshold, out=work) if isinstance(threshold, np.ndarray) else -threshold
    np.maximum(Z, lower, out=work)
    np.minimum(work, threshold, out=work)
    Z -= work
    return Z


class ElasticNet:
    """Elastic-net penalty ``alpha * l1_ratio * ||W||_1 + alpha * (1 - l1_ratio) / 2 * ||W||^2``.

    The sums run over every entry of every weight matrix. ``l1_ratio=1`` is the
    lasso (L1) penalty, ``l1_ratio=0`` the ridge (L2) penalty, ``alpha=0`` no
    penalty.

    The prox folds the L2 part in closed form: with step ``eta`` (per coordinate or
    global), ``prox(z) = soft_threshold(z, eta * alpha * l1_ratio) /
    (1 + eta * alpha * (1 - l1_ratio))``, the exact minimizer of
    ``(w - z)**2 / (2 * eta) + penalty(w)``.

    Parameters
    ----------
    alpha : float
        Overall strength, ``>= 0``.
    l1_ratio : float
        Share of the L1 part, in ``[0, 1]``.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_regnn.penalties import ElasticNet
    >>> penalty = ElasticNet(alpha=1.0, l1_ratio=1.0)
    >>> W = [np.array([[0.5, -2.0], [3.0, 0.1]])]
    >>> penalty.value(W)
    5.6
    >>> penalty.prox(W, step=1.0)[0]
    array([[ 0., -1.],
           [ 2.,  0.]])
    """

    #: The value, the prox and the pull act entry by entry, so a solver may hand
    #: them all the weights of all layers as one flat array.
    separable = True

    def __init__(self, alpha, l1_ratio):
        # The estimators check their own parameters; this module is public too, and
        # a negative alpha or an l1_ratio outside [0, 1] would make the prox push
        # weights away from zero instead of towards it.
        if not _is_real(alpha) or not (np.isfinite(alpha) and alpha >= 0):
            raise ValueError(f"alpha must be a finite number >= 0; got {alpha!r}.")
        if not _is_real(l1_ratio) or not 0 <= l1_ratio <= 1:
            raise ValueError(f"l1_ratio must be a number in [0, 1]; got {l1_ratio!r}.")
        self.alpha = float(alpha)
        self.l1_ratio = float(l1_ratio)
        self.l1_strength = self.alpha * self.l1_ratio
        self.l2_strength = self.alpha * (1.0 - self.l1_ratio)
        # Scratch arrays of the prox, by shape and dtype, so that a training loop
        # calling it at every step allocates nothing.
        self._scratch = {}

    def _work_like(self, W):
        key = (W.shape, W.dtype)
        if key not in self._scratch:
            self._scratch[key] = np.empty_like(W)
        return self._scratch[key]

    @property
    def is_zero(self):
        """True when the penalty is identically zero (``alpha == 0``)."""
        return self.alpha == 0.0

    def value(self, coefs):
        """The penalty term for the weight matrices ``coefs``.

        Parameters
        ----------
        coefs : list of ndarray
            Weight matrices.

        Returns
        -------
        value : float
            ``alpha * l1_ratio * sum |w| + alpha * (1 - l1_ratio) / 2 * sum w**2``
            over every entry of every matrix.
        """
        total = 0.0
        for W in coefs:
            if self.l1_strength:
                total += self.l1_strength * float(self._dual_magnitudes(W).sum())
            if self.l2_strength:
                total += 0.5 * self.l2_strength * float(np.vdot(W, W))
        return total

    def prox(self, coefs, step, overwrite_step=False, work=None):
        """Apply the proximal operator with step ``step`` to ``coefs`` in place.

        Parameters
        ----------
        coefs : list of ndarray
            Weight matrices, overwritten with the result.
        step : float or list of ndarray
            One step size for all coordinates, or one array per matrix.
        overwrite_step : bool, default=False
            Whether the step arrays may be overwritten (with the thresholds), which
            saves a scratch buffer in a training loop that recomputes them anyway.
        work : list of ndarray, default=None
            Scratch arrays shaped like ``coefs`` that may be overwritten; the
            penalty keeps its own when None.

        Returns
        -------
        coefs : list of ndarray
        """
        for i, W in enumerate(coefs):
            eta = step[i] if isinstance(step, list) else step
            if self.l1_strength:
                scratch = self._work_like(W) if work is None else work[i]
            if not isinstance(eta, np.ndarray):
                if self.l1_strength:
                    soft_threshold(W, eta * self.l1_strength, scratch)
                if self.l2_strength:
                    W /= 1.0 + eta * self.l2_strength
                continue
            scaled = eta if overwrite_step else np.empty_like(eta)
            if self.l1_strength:
                threshold = np.multiply(eta, self.l1_strength, out=scaled)
                soft_threshold(W, threshold, scratch)
                if self.l2_strength:
                    scaled *= self.l2_strength / self.l1_strength  # eta * l2_strength
            elif self.l2_strength:
                np.multiply(eta, self.l2_strength, out=scaled)
            if self.l2_strength:
                scaled += 1.0
                W /= scaled
        return coefs

    def equalize_steps(self, steps):
        """Make per-coordinate steps fit the prox; separable: nothing to do.

        Parameters
        ----------
        steps : list of ndarray
            Per-coordinate step sizes, one array per weight matrix, in place.
        """

    def pull(self, W, out, scale=1.0):
        """Size of the penalty's (sub)gradient at each weight of ``W``, times ``scale``.

        ``alpha * l1_ratio + alpha * (1 - l1_ratio) * |w|``: how hard the penalty
        pulls each weight towards 0. Adam bounds its per-coordinate steps with it,
        so that a weight whose loss gradient is still tiny is not thresholded by a
        huge step.

        Parameters
        ----------
        W : ndarray
            One weight matrix.
        out : ndarray
            Array shaped like ``W`` that receives the result.
        scale : float, default=1.0
            Factor applied to the result.

        Returns
        -------
        pull : ndarray or float
            The bound, written into ``out``; or, for the pure L1 penalty, whose pull
            is the same at every weight, that number (``out`` is left alone).
        """
        if not self.l2_strength:
            return self.l1_strength * scale
        np.abs(W, out=out)
        out *= self.l2_strength * scale
        out += self.l1_strength * scale
        return out

    def stationarity(self, coefs, coef_grads):
        """Largest violation of the optimality condition ``0 in grad + dPenalty(W)``.

        Parameters
        ----------
        coefs, coef_grads : list of ndarray
            Weights and the gradient of the smooth loss at those weights.

        Returns
        -------
        violation : float
            ``max`` over coordinates of ``dist(-grad, dPenalty(w))``.
        """
        worst = 0.0
        for W, G in zip(coefs, coef_grads):
            smooth = G + self.l2_strength * W
            nonzero = W != 0
            on_support = np.abs(smooth[nonzero] + self.l1_strength * np.sign(W[nonzero]))
            off_support = np.abs(smooth[~nonzero]) - self.l1_strength
            for part in (on_support, off_support):
                if part.size:
                    worst = max(worst, float(part.max()))
        return worst

    def dual_scale(self, V):
        """Factor ``c <= 1`` such that ``c * V`` lies in the conjugate's domain.

        Only the pure L1 penalty has a bounded domain (``max |v| <= alpha``); with an
        L2 part every ``V`` is feasible.

        Parameters
        ----------
        V : ndarray
            A candidate dual point, shaped like one weight matrix.

        Returns
        -------
        scale : float
            In ``(0, 1]``; 0 for the zero penalty (``alpha=0``), whose
            conjugate is finite only at ``V = 0``.
        """
        if self.l2_strength > 0:
            return 1.0
        largest = float(np.max(self._dual_magnitudes(V))) if V.size else 0.0
        if largest <= self.l1_strength:
            return 1.0
        return self.l1_strength / largest

    def _dual_magnitudes(self, V):
        """Per coordinate here (per group in subclasses): the magnitudes whose sum is
        the L1 part and which the dual norm bounds."""
        return np.abs(V)

    def conjugate(self, V):
        """Fenchel conjugate of the penalty (on one weight matrix) at ``V``.

        ``sum(max(|v| - alpha * l1_ratio, 0)**2) / (2 * alpha * (1 - l1_ratio))``,
        or for the pure L1 penalty 0 inside ``max |v| <= alpha`` and ``inf`` outside.

        Parameters
        ----------
        V : ndarray
            The point, shaped like one weight matrix.

        Returns
        -------
        value : float
            The conjugate's value, possibly ``inf``.
        """
        excess = np.maximum(self._dual_magnitudes(V) - self.l1_strength, 0.0)
        if self.l2_strength > 0:
            return float(np.vdot(excess, excess)) / (2.0 * self.l2_strength)
        # Allow rounding-level excess from the scaling done by dual_scale.
        if excess.size and excess.max() > 1e-12 * max(self.l1_strength, 1.0):
            return np.inf
        return 0.0


def _row_norms(W):
    return np.sqrt(np.einsum("ij,ij->i", W, W))


class GroupLasso(ElasticNet):
    """Group penalty on the rows of every weight matrix, with an L2 part.

    ``alpha * l1_ratio * sum_rows ||w_row||_2 + alpha * (1 - l1_ratio) / 2 * ||W||^2``
    over every layer. Row ``j`` of the first matrix holds all the weights leaving
    input feature ``j``, so the penalty removes whole features; the rows of later
    matrices are the weights leaving each hidden unit, so it removes whole units too
    (penalizing only the first layer would let a ReLU network shrink it at no cost by
    growing the next one). Without hidden layers and with a 2-D ``y`` this is
    :class:`~sklearn.linear_model.MultiTaskElasticNet`'s penalty
    (:class:`~sklearn.linear_model.MultiTaskLasso`'s at ``l1_ratio=1``); with one
    output it is :class:`ElasticNet`'s.

    The prox is block soft-thresholding followed by the L2 shrinkage: with step
    ``eta``, a row ``z`` becomes ``max(1 - eta * alpha * l1_ratio / ||z||, 0) * z /
    (1 + eta * alpha * (1 - l1_ratio))``. A row's coordinates must share one step, so
    per-coordinate steps (Adam's) are first made equal along each row
    (:meth:`equalize_steps`, the smallest of the row). The conjugate and the dual
    scale are :class:`ElasticNet`'s with each row's Euclidean norm in place of the
    absolute value of a coordinate.

    Parameters
    ----------
    alpha : float
        Overall strength, ``>= 0``.
    l1_ratio : float
        Share of the group part, in ``[0, 1]``.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_regnn.penalties import GroupLasso
    >>> penalty = GroupLasso(alpha=1.0, l1_ratio=1.0)
    >>> W = [np.array([[3.0, 4.0], [0.3, 0.4]])]
    >>> penalty.value(W)
    5.5
    >>> penalty.prox(W, step=1.0)[0]
    array([[2.4, 3.2],
           [0. , 0. ]])
    """

    separable = False

    def equalize_steps(self, steps):
        """Give every coordinate of a row the row's smallest step, in place.

        Parameters
        ----------
        steps : list of ndarray
            Per-coordinate step sizes, one array per weight matrix.
        """
        for step in steps:
            step[...] = step.min(axis=1, keepdims=True)

    def prox(self, coefs, step, overwrite_step=False, work=None):
        """Apply the proximal operator with step ``step`` to ``coefs`` in place.

        Parameters
        ----------
        coefs : list of ndarray
            Weight matrices, overwritten with the result.
        step : float or list of ndarray
            One step size for all coordinates, or one array per matrix, equal
            along each row (see :meth:`equalize_steps`).
        overwrite_step, work : optional
            Accepted for the solvers' interface; the group prox needs no scratch
            space the size of the weights.

        Returns
        -------
        coefs : list of ndarray
        """
        for i, W in enumerate(coefs):
            eta = step[i] if isinstance(step, list) else step
            eta = eta.min(axis=1, keepdims=True) if isinstance(eta, np.ndarray) else eta
            if self.l1_strength:
                norms = _row_norms(W)[:, np.newaxis]
                with np.errstate(divide="ignore", invalid="ignore"):
                    keep = 1.0 - eta * self.l1_strength / norms
                W *= np.maximum(np.nan_to_num(keep, nan=0.0, neginf=0.0), 0.0)
            if self.l2_strength:
                W /= 1.0 + eta * self.l2_strength
        return coefs

    def stationarity(self, coefs, coef_grads):
        """Largest violation of ``0 in grad + dPenalty(W)``, row by row (l2 norms).

        Parameters
        ----------
        coefs, coef_grads : list of ndarray
            Weights and the gradient of the smooth loss at those weights.

        Returns
        -------
        violation : float
        """
        worst = 0.0
        for W, G in zip(coefs, coef_grads):
            smooth = G + self.l2_strength * W
            norms = _row_norms(W)
            used = norms > 0
            if used.any():
                direction = W[used] / norms[used, np.newaxis]
                residual = smooth[used] + self.l1_strength * direction
                worst = max(worst, float(_row_norms(residual).max()))
            if (~used).any():
                worst = max(worst, float((_row_norms(smooth[~used]) - self.l1_strength).max()))
        return worst

    def _dual_magnitudes(self, V):
        # The group part is the sum of the row norms, and its dual norm bounds each
        # row's norm: ElasticNet's value, conjugate and dual scale carry over.
        return _row_norms(V)


def make_penalty(penalty, alpha, l1_ratio):
    """Build the penalty object for the estimators' ``penalty`` parameter.

    ``'l1'`` and ``'l2'`` ignore ``l1_ratio``; ``None`` ignores ``alpha`` too.

    Parameters
    ----------
    penalty : {'l1', 'l2', 'elasticnet', 'group_lasso'} or None
        Which penalty.
    alpha : float
        Overall strength, ``>= 0``.
    l1_ratio : float
        Share of the L1 (or group) part, used by 'elasticnet' and 'group_lasso'.

    Returns
    -------
    penalty : ElasticNet or GroupLasso
        The penalty object.

    Examples
    --------
    >>> from sklearn_regnn.penalties import make_penalty
    >>> penalty = make_penalty("l1", alpha=0.1, l1_ratio=0.5)
    >>> penalty.l1_strength, penalty.l2_strength
    (0.1, 0.0)
    """
    if penalty is None:
        return ElasticNet(0.0, 0.0)
    if penalty == "l1":
        return ElasticNet(alpha, 1.0)
    if penalty == "l2":
        return ElasticNet(alpha, 0.0)
    if penalty == "elasticnet":
        return ElasticNet(alpha, l1_ratio)
    if penalty == "group_lasso":
        return GroupLasso(alpha, l1_ratio)
    raise ValueError(f"Unknown penalty {penalty!r}.")
