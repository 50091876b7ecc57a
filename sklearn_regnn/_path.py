"""Regularization paths: one estimator fitted along a grid of ``alpha``, warm-started."""

import numbers
import warnings

import numpy as np
from sklearn.base import clone, is_classifier
from sklearn.preprocessing import LabelBinarizer
from sklearn.utils import Bunch
from sklearn.utils.multiclass import unique_labels
from sklearn.utils.validation import check_X_y

from ._base import BaseRegularizedMLP
from ._classifier import class_weight_multipliers
from ._training import train_stochastic
from ._validation import TrainingDivergedError, check_hidden_layer_sizes, normalized_sample_weight
from .penalties import make_penalty


def alpha_max(X, y, *, l1_ratio=1.0, sample_weight=None, classifier=False, grouped=False):
    """Smallest ``alpha`` at which the model without hidden layers is all zeros.

    At zero weights (with the intercepts at their best constant) the gradient of the
    data term is ``-Xc^T S Yc``, with ``S`` the normalized sample weights and ``Yc``
    the targets (one-hot labels for a classifier) minus their weighted means. Every
    weight stays at zero once ``alpha * l1_ratio`` is at least the largest entry of
    that gradient: this is ElasticNet's ``alpha_max``, and the top of the grid of
    :func:`regularization_path`. The group penalty acts on whole rows (one per
    input), so with ``grouped=True`` the largest row norm counts instead, as in
    :class:`~sklearn.linear_model.MultiTaskElasticNet`; with one output the two are
    the same.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        Input data (dense or sparse).
    y : array-like of shape (n_samples,) or (n_samples, n_targets)
        Targets, or class labels when ``classifier=True``.
    l1_ratio : float, default=1.0
        Share of the L1 part, in ``(0, 1]``.
    sample_weight : array-like of shape (n_samples,), default=None
        Sample weights; uniform when None. For a classifier with ``class_weight``,
        multiply each sample's weight by its class's, as the fits do
        (:func:`regularization_path` does this itself).
    classifier : bool, default=False
        Whether ``y`` holds class labels.
    grouped : bool, default=False
        Whether the L1 part is the group penalty (``penalty='group_lasso'``).

    Returns
    -------
    alpha_max : float
        The smallest ``alpha`` whose solution has no non-zero weight.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_regnn import alpha_max
    >>> X = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [0.0, 0.0]])
    >>> y = np.array([1.0, 0.0, 1.0, 0.0])
    >>> alpha_max(X, y)
    0.25
    """
    if not isinstance(l1_ratio, numbers.Real) or not 0 < l1_ratio <= 1:
        raise ValueError(
            f"alpha_max needs an L1 part: l1_ratio must be in (0, 1]; got {l1_ratio!r}. "
            "Without one no alpha sets every weight to zero: pass the alphas yourself."
        )
    X, y = check_X_y(
        X, y, accept_sparse=["csr", "csc"], multi_output=True, y_numeric=not classifier
    )
    if classifier:
        binarizer = LabelBinarizer().fit(y)
        if binarizer.y_type_ != "multilabel-indicator" and len(binarizer.classes_) < 2:
            raise ValueError(
                "alpha_max needs samples of at least 2 classes; y contains only one "
                f"class: {binarizer.classes_.tolist()[0]!r}."
            )
        Y = binarizer.transform(y).astype(np.float64)
    else:
        Y = np.asarray(y, dtype=np.float64)
        Y = Y.reshape(-1, 1) if Y.ndim == 1 else Y
    weights = normalized_sample_weight(sample_weight, X.shape[0], np.float64)
    weighted = (Y - weights @ Y) * weights[:, np.newaxis]
    # X^T S Yc = Xc^T S Yc, since the weighted centered targets sum to zero.
    gradient = np.asarray(X.T @ weighted)
    if grouped:
        return float(np.max(np.linalg.norm(gradient, axis=1))) / l1_ratio
    return float(np.max(np.abs(gradient))) / l1_ratio


def regularization_path(
    estimator, X, y, *, alphas=None, n_alphas=20, eps=1e-3, sample_weight=None
):
    """Fit ``estimator`` along a grid of ``alpha``, each fit warm-started from the last.

    Without hidden layers the problem is convex and the grid runs from
    :func:`alpha_max` down, as :func:`~sklearn.linear_model.enet_path` does; each fit
    starts from the sparser solution before it. With hidden layers the grid runs
    **up**, from dense to sparse: all-zero weights are a stationary point for every
    ``alpha`` (no gradient passes a zero layer), so a network emptied by a large
    ``alpha`` would stay empty, while a dense network lets a growing penalty remove
    weights one by one.

    Parameters
    ----------
    estimator : RegularizedMLPRegressor or RegularizedMLPClassifier
        Template: its parameters (``penalty``, ``l1_ratio``, ``solver``,
        ``hidden_layer_sizes``, ``tol``, ...) are used for every fit, except
        ``alpha`` and ``warm_start``. It is cloned, not modified.
    X : {array-like, sparse matrix} of shape (n_samples, n_features)
        Training data.
    y : array-like of shape (n_samples,) or (n_samples, n_outputs)
        Targets.
    alphas : int or array-like, default=None
        The grid, used in the order given; an int is the number of values of the
        default grid, as ``alphas`` of the CV estimators is (it then takes the
        place of ``n_alphas``). With hidden layers give it in
        increasing order: a network that one ``alpha`` empties stays empty at the
        smaller ones after it, which are then not fitted, with a warning. When
        None, ``n_alphas`` values spaced geometrically between ``eps * alpha_max``
        and ``alpha_max`` (:func:`alpha_max` of the same data, weighted by the
        sample and class weights and grouped for ``penalty='group_lasso'``; also
        a natural scale with hidden layers), in decreasing order without hidden
        layers and increasing with. A penalty without an L1 part has no such
        scale and needs a given grid.
    n_alphas : int, default=20
        Grid size when ``alphas`` is None.
    eps : float, default=1e-3
        Ratio of the smallest to the largest ``alpha`` when ``alphas`` is None.
    sample_weight : array-like of shape (n_samples,), default=None
        Passed to every fit.

    Returns
    -------
    path : sklearn.utils.Bunch
        With, for each ``alpha`` in the order fitted:

        - ``alphas``: ndarray of shape (n_alphas,);
        - ``coefs``, ``intercepts``: lists of the fitted ``coefs_`` and
          ``intercepts_`` (copies);
        - ``objective``: the penalized objective (``loss_``);
        - ``loss``: its data term;
        - ``n_nonzero``: non-zero weights over all layers;
        - ``n_features_selected``: inputs with a non-zero outgoing weight;
        - ``n_iter``: epochs or iterations of that fit; 0 once every weight is
          zero and ``alpha`` grows (with hidden layers, whichever way it moves),
          since zero weights then stay a solution and the fit is skipped.

        Without hidden layers also ``coef_path``, of shape (n_features, n_alphas)
        for one output and (n_outputs, n_features, n_alphas) for several, the
        layout of :func:`~sklearn.linear_model.enet_path`. With several outputs
        ``enet_path`` solves the multi-task problem, which is
        ``penalty='group_lasso'`` here; ``'l1'`` and ``'elasticnet'`` penalize
        each weight on its own, one ElasticNet per output with a shared alpha.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.datasets import load_diabetes
    >>> from sklearn.preprocessing import StandardScaler
    >>> from sklearn_regnn import RegularizedMLPRegressor, regularization_path
    >>> X, y = load_diabetes(return_X_y=True)
    >>> X = StandardScaler().fit_transform(X)
    >>> linear = RegularizedMLPRegressor((), solver="fista", penalty="l1")
    >>> path = regularization_path(linear, X, y, n_alphas=5)
    >>> [float(a) for a in path.alphas.round(2)]
    [45.16, 8.03, 1.43, 0.25, 0.05]
    >>> path.n_nonzero
    [0, 4, 7, 9, 10]
    """
    if not isinstance(estimator, BaseRegularizedMLP):
        raise TypeError(
            "regularization_path needs a RegularizedMLPRegressor or "
            f"RegularizedMLPClassifier; got {type(estimator).__name__}."
        )
    if "alpha" not in estimator.get_params():
        raise TypeError(
            f"regularization_path needs a plain estimator, whose alpha it sets; got "
            f"{type(estimator).__name__}, which chooses its own."
        )
    linear = len(estimator._check_params()) == 0
    if estimator.penalty is None:
        raise ValueError("regularization_path needs a penalty; the estimator has penalty=None.")
    if isinstance(alphas, numbers.Integral) and not isinstance(alphas, bool):
        alphas, n_alphas = None, alphas
    if alphas is None:
        if not isinstance(n_alphas, numbers.Integral) or n_alphas < 1:
            raise ValueError(
                f"The grid size (n_alphas, or alphas as an int) must be an integer >= 1; "
                f"got {n_alphas!r}."
            )
        if not isinstance(eps, numbers.Real) or isinstance(eps, bool) or not 0 < eps <= 1:
            raise ValueError(f"eps must be a float in (0, 1]; got {eps!r}.")
        alphas = _alpha_grid(estimator, X, y, n_alphas, eps, sample_weight, linear)
    else:
        if isinstance(alphas, bool) or np.ndim(alphas) != 1:
            raise ValueError(
                "alphas must be an int (the grid size) or a 1-D sequence of values; "
                f"got {alphas!r}."
            )
        # A copy, as enet_path returns: path.alphas must not be the caller's array.
        alphas = np.array(alphas, dtype=np.float64)
        if alphas.size == 0 or not np.all(np.isfinite(alphas)) or np.any(alphas < 0):
            raise ValueError("alphas must be a non-empty sequence of finite values >= 0.")

    path = Bunch(alphas=alphas, coefs=[], intercepts=[], objective=[], loss=[])
    path.update(n_nonzero=[], n_features_selected=[], n_iter=[])
    for model, n_iter in walk_path(estimator, X, y, alphas, sample_weight):
        penalty = make_penalty(model.penalty, model.alpha, model.l1_ratio)
        path.coefs.append([W.copy() for W in model.coefs_])
        path.intercepts.append([b.copy() for b in model.intercepts_])
        path.objective.append(float(model.loss_))
        path.loss.append(float(model.loss_ - penalty.value(model.coefs_)))
        path.n_nonzero.append(int(sum(np.count_nonzero(W) for W in model.coefs_)))
        path.n_features_selected.append(model.n_features_selected_)
        path.n_iter.append(n_iter)
    if linear:
        path.coef_path = np.stack([W[0].T for W in path.coefs], axis=-1)
        if path.coef_path.shape[0] == 1:
            path.coef_path = path.coef_path[0]
    return path


def walk_path(estimator, X, y, alphas, sample_weight=None, classes=None):
    """Fit a clone of ``estimator`` at each ``alpha`` in turn, warm-started.

    ``classes``, for a classifier, are all the labels, of which ``y`` may lack
    some (a fold's training part): the network still gets an output for each.

    Yields
    ------
    model : estimator
        The clone, fitted at the current ``alpha`` (refitted at the next one).
    n_iter : int
        Epochs or iterations of this fit alone.
    """
    for [(model, n_iter)] in walk_paths(estimator, [(X, y, sample_weight)], alphas, classes):
        yield model, n_iter


def walk_paths(estimator, datasets, alphas, classes=None, objective=True, caches=None):
    """:func:`walk_path` on several data sets at once (a search's folds, say).

    At each ``alpha`` the networks of all the data sets are fitted before the walk
    goes on; those trained by mini-batches on data of one size train side by side,
    in lockstep (:mod:`sklearn_regnn._training`), which on small data costs little
    more than training one of them. Each gets exactly the fit it would get alone.

    Parameters
    ----------
    estimator : BaseRegularizedMLP
        Template, cloned once per data set.
    datasets : list of tuple
        ``(X, y, sample_weight)`` per data set.
    alphas : array-like
        The grid, in the order walked.
    classes : array-like, default=None
        All the labels, for a classifier (see :func:`walk_path`).
    objective : bool, default=True
        Whether each fit records its objective, ``loss_`` (a pass over its data);
        a search that only scores the fits can do without.
    caches : list of dict, default=None
        Statistics of each data set known beforehand, to start its walk's cache
        with (``'gram'``: the Gram statistics of a linear least-squares model,
        which a search computes for all its folds at once).

    Yields
    ------
    fits : list of tuple
        For each data set in turn, ``(model, n_iter)`` as :func:`walk_path`
        yields them.
    """
    models = [clone(estimator).set_params(warm_start=True) for _ in datasets]
    # The data stay the same along the walk: statistics of it (the Gram matrix of a
    # linear least-squares model) may be computed once for all the fits, and the
    # data checks of the first fit hold for the others.
    for model, cache in zip(models, caches or [{}] * len(models)):
        model._path_cache = dict(cache)
    checked = [None] * len(models)
    warned = False
    hidden = models[0]._has_hidden_layers()
    try:
        for alpha in alphas:
            n_iter, problems = [0] * len(models), {}
            for k, model in enumerate(models):
                previous, smaller = model.alpha, alpha < model.alpha
                model.alpha = float(alpha)
                if checked[k] is not None and _all_weights_zero(model) and (hidden or not smaller):
                    # Zero weights that solve the problem at one alpha solve it at every
                    # larger one; with hidden layers, where no gradient passes a zero
                    # layer, at every smaller one too. A fit would only move the
                    # intercepts about the best constant.
                    if smaller and not warned:
                        warnings.warn(
                            f"The network has no non-zero weight left at "
                            f"alpha={previous:.4g}, so it stays empty at the smaller "
                            f"alpha={alpha:.4g}: no gradient passes an empty layer. With "
                            "hidden layers, walk the grid in increasing order.",
                            UserWarning,
                            stacklevel=4,
                        )
                        warned = True
                    continue
                first = checked[k] is None
                if first:
                    # Checked once, as the first fit would (reset=True records the
                    # inputs' count and names), and never again along the walk.
                    X, y, sample_weight = datasets[k]
                    checked[k] = (*model._validate_X_y(X, y, reset=True), sample_weight)
                X, y, sample_weight = checked[k]
                labels = classes if first else None
                if model.solver == "fista":
                    model._fit(
                        X, y, sample_weight, classes=labels, checked=True, objective=objective
                    )
                    n_iter[k] = int(model.n_iter_)
                else:
                    problems[k] = model._prepare_fit(
                        X, y, sample_weight, classes=labels, checked=True
                    )
            if problems:
                stochastic = [models[k] for k in problems]
                penalty = next(iter(problems.values())).penalty
                try:
                    train_stochastic(stochastic, list(problems.values()), penalty)
                except TrainingDivergedError:
                    for model in stochastic:
                        model._forget_weights()
                    raise
                for k, problem in problems.items():
                    models[k]._finish_fit(problem, objective)
                    n_iter[k] = int(models[k].n_iter_)
            yield list(zip(models, n_iter))
    finally:
        for model in models:
            del model._path_cache


def _all_weights_zero(model):
    return not any(np.any(W) for W in model.coefs_)


def alpha_grid(estimator, X, y, n_alphas, eps, sample_weight=None):
    """The default grid of :func:`regularization_path` for ``estimator``: decreasing
    from :func:`alpha_max` without hidden layers, increasing to it with."""
    linear = len(check_hidden_layer_sizes(estimator.hidden_layer_sizes)) == 0
    return _alpha_grid(estimator, X, y, n_alphas, eps, sample_weight, linear)


def _alpha_grid(estimator, X, y, n_alphas, eps, sample_weight, linear):
    l1_ratio = {"l1": 1.0, "l2": 0.0}.get(estimator.penalty, estimator.l1_ratio)
    if l1_ratio == 0:
        setting = "penalty='l2'" if estimator.penalty == "l2" else "l1_ratio=0"
        raise ValueError(
            f"With {setting} the penalty has no L1 part: no alpha sets every weight "
            "to zero, so there is no default grid of alphas. Pass the alphas."
        )
    classifier = is_classifier(estimator)
    if classifier and np.ndim(y) == 2 and np.shape(y)[1] == 1:
        y = np.ravel(y)  # a column of labels, which the fits take as 1-D too
    if classifier and estimator.class_weight is not None and np.ndim(y) == 1:
        # The fits weight each sample by its class too; so must the grid's top.
        labels = np.asarray(y)
        n_samples = labels.shape[0]
        sample_weight = normalized_sample_weight(
            sample_weight, n_samples, np.float64
        ) * class_weight_multipliers(estimator.class_weight, unique_labels(labels), labels)
    top = alpha_max(
        X,
        y,
        l1_ratio=l1_ratio,
        sample_weight=sample_weight,
        classifier=classifier,
        grouped=estimator.penalty == "group_lasso",
    )
    tiny = np.finfo(np.float64).resolution
    if top <= tiny:
        # Inputs or targets without variation: zero weights solve every alpha, and
        # a geometric grid has no scale to start from.
        return np.full(n_alphas, tiny)
    grid = np.geomspace(top, top * eps, num=n_alphas)
    return grid if linear else grid[::-1]
