"""Docstring parts shared by both estimators, so each is written once."""

SHARED_PARAMETERS = """\
    hidden_layer_sizes : tuple of int, default=(100,)
        Number of units in each hidden layer. ``()`` means no hidden layer: the
        network is then a linear model and the objective is convex.

    activation : {'identity', 'logistic', 'tanh', 'relu'}, default='relu'
        Activation of the hidden layers.

    solver : {'adam', 'sgd', 'fista'}, default='adam'
        - 'adam': mini-batch proximal Adam; each weight is soft-thresholded with its
          own Adam step size.
        - 'sgd': mini-batch proximal SGD with momentum and the learning-rate
          schedules of ``learning_rate``.
        - 'fista': full-batch accelerated proximal gradient with backtracking and
          adaptive restart. Without hidden layers it stops on a duality gap and
          reaches the exact optimum (least squares with an element-wise
          penalty, or 'group_lasso' with one output, where it is the same:
          FISTA on Gram matrices of working sets of features, with exact
          solves on the support);
          with hidden layers it is a monotone optimizer for small data sets (the
          role of 'lbfgs' in scikit-learn's MLP).

    penalty : {'l1', 'l2', 'elasticnet', 'group_lasso'} or None, default='elasticnet'
        Penalty on the weights (never on intercepts). 'l1' and 'l2' ignore
        ``l1_ratio`` (they are ``l1_ratio=1`` and ``l1_ratio=0``); None ignores
        ``alpha``. 'group_lasso' replaces the L1 part by the sum of the Euclidean
        norms of the rows of every weight matrix (the weights leaving one input
        feature or one hidden unit), so that it removes whole features; see
        :class:`~sklearn_regnn.penalties.GroupLasso`.

    alpha : float, default=1e-4
        Regularization strength, ``alpha >= 0``, scaled as in
        :class:`~sklearn.linear_model.ElasticNet` (see Notes).

    l1_ratio : float, default=0.5
        Mixing in ``[0, 1]`` of the L1 (or group) part and the L2 part, used only
        when ``penalty='elasticnet'`` or ``'group_lasso'``.

    batch_size : int or 'auto', default='auto'
        Mini-batch size for 'sgd' and 'adam'; 'auto' is ``min(200, n_samples)``.
        Ignored by 'fista', which always uses the whole data.

    learning_rate : {'constant', 'invscaling', 'adaptive'}, default='constant'
        Step-size schedule of 'sgd': constant; ``learning_rate_init / (t_ +
        1)**power_t``, set after each epoch from ``t_``, the number of samples
        seen (over warm starts and ``partial_fit`` calls too), as in
        scikit-learn's MLP; or divided by 5 each time the training loss (or
        validation score) stops improving, until below 1e-6.

    learning_rate_init : float, default=1e-3
        Initial step size of 'sgd' and 'adam'.

    power_t : float, default=0.5
        Exponent of the 'invscaling' schedule.

    max_iter : int, default=200
        Maximum number of epochs ('sgd', 'adam') or iterations ('fista').

    shuffle : bool, default=True
        Whether to shuffle the samples at each epoch ('sgd', 'adam').

    random_state : int, RandomState instance or None, default=None
        Seeds the weight initialization, the shuffling and the validation split.
        Pass an int for reproducible results.

    tol : float, default=1e-4
        Tolerance; what it bounds depends on the solver:

        - 'sgd' and 'adam': training stops once the loss (or the validation
          score) has not improved by ``tol`` for ``n_iter_no_change`` epochs.
        - 'fista' without hidden layers and with a penalty: the duality gap must
          fall below ``tol * sum_i s_i ||y_i - ybar||^2`` (regression, as in
          ``ElasticNet``) or below ``tol`` times the loss of the best constant
          model (classification). The same holds for least squares with
          ``penalty=None`` and at least as many samples as features.
        - 'fista' otherwise (hidden layers, or no penalty): the max-norm of the
          proximal gradient mapping falls below ``tol``, or the objective
          decreases by less than ``tol`` times its value over
          ``n_iter_no_change`` iterations.

    verbose : bool, default=False
        Print progress.

    warm_start : bool, default=False
        Start ``fit`` from the weights of the previous fit, which makes a path of
        decreasing or increasing ``alpha`` cheap.

    momentum : float, default=0.9
        Momentum of 'sgd', in ``[0, 1]``.

    nesterovs_momentum : bool, default=True
        Whether 'sgd' uses Nesterov's momentum.

    early_stopping : bool, default=False
        Hold out ``validation_fraction`` of the data ('sgd', 'adam'), stop when the
        validation score stops improving, and keep the best weights. 'fista' is a
        full-batch solver and ignores it (as ``MLPRegressor``'s 'lbfgs' does).

    validation_fraction : float, default=0.1
        Share of the data held out for early stopping, in ``(0, 1)``.

    beta_1, beta_2 : float, default=0.9, 0.999
        Decay rates of Adam's moment estimates, in ``[0, 1)``.

    epsilon : float, default=1e-8
        Adam's numerical-stability constant.

    n_iter_no_change : int, default=10
        Number of epochs ('sgd', 'adam') or iterations ('fista' without a duality
        gap) without improvement by ``tol`` tolerated before stopping.
"""

SHARED_ATTRIBUTES = """\
    coefs_ : list of ndarray
        Weight matrices; ``coefs_[i]`` has shape ``(units in layer i, units in
        layer i + 1)``.

    intercepts_ : list of ndarray
        Intercept vectors, one per layer after the input.

    loss_ : float
        The penalized objective (see Notes) at the fitted weights, on the data
        passed to ``fit``.

    loss_curve_ : list of float
        Objective after each epoch ('sgd', 'adam'; the data term averaged over the
        epoch's mini-batches) or each accepted iteration ('fista': an iteration
        whose step raised the objective is redone without momentum, counted in
        ``n_iter_`` but not here); a warm-started fit appends to it.

    best_loss_ : float or None
        Lowest value in ``loss_curve_`` since the last call of ``fit`` (which,
        warm-started, begins a new objective), or over all ``partial_fit`` calls;
        None with early stopping.

    validation_scores_ : list of float or None
        Validation score after each epoch with early stopping, else None; a
        warm-started fit with early stopping appends to it, as to ``loss_curve_``.

    best_validation_score_ : float or None
        Best validation score with early stopping, else None.

    t_ : int
        Number of training samples seen by the solver, counted on over
        warm-started fits and ``partial_fit`` calls.

    n_iter_ : int
        Number of epochs ('sgd', 'adam') or iterations ('fista') run by the last
        call of ``fit`` (1 after ``partial_fit``): as in scikit-learn's MLP, a
        warm-started fit counts only its own, while ``t_`` and ``loss_curve_``
        carry on.

    n_layers_ : int
        Number of layers, input and output included.

    n_outputs_ : int
        Number of output units.

    out_activation_ : str
        Output activation: 'identity', 'logistic' or 'softmax'.

    feature_importances_ : ndarray of shape (`n_features_in_`,)
        Euclidean norm of each input feature's outgoing first-layer weights;
        exactly 0 for features the network does not use.

    n_features_selected_ : int
        Number of input features with a non-zero outgoing weight.

    n_features_in_ : int
        Number of features seen during ``fit``.

    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of the features seen during ``fit``, when ``X`` has string column
        names.
"""

OBJECTIVE_NOTES = """\
    With sample weights ``s`` scaled to sum to 1 (``1/n`` each when not given),
    weight matrices ``W`` (intercepts are never penalized) and
    ``rho = l1_ratio``, the estimator minimizes

    .. math::

        \\sum_i s_i \\, \\ell(y_i, f(x_i))
        + \\alpha \\rho \\lVert W \\rVert_1
        + \\tfrac12 \\alpha (1 - \\rho) \\lVert W \\rVert_2^2

    where the norms run over every entry of every weight matrix. This is the
    scaling of :class:`~sklearn.linear_model.ElasticNet`'s ``alpha``. It is *not*
    that of scikit-learn's :class:`~sklearn.neural_network.MLPRegressor`, whose
    penalty ``alpha_mlp / (2 b) ||W||^2`` is divided by the number ``b`` of samples
    in a batch (``n_samples`` for 'lbfgs', ``batch_size`` for 'sgd' and 'adam'):
    for one output, ``penalty='l2', alpha=alpha_mlp / b`` is the same objective.

    After each gradient step on the loss, the penalty is applied by its proximal
    operator, ``w <- sign(z) max(|z| - eta alpha rho, 0) / (1 + eta alpha (1 -
    rho))``, with ``eta`` the coordinate's own step (the Adam step under 'adam').
    The L2 part is folded into the prox in closed form. This sets weights to exact
    zeros, which a subgradient of ``|w|`` never does.

    With ``hidden_layer_sizes=()`` the weights start at zero (the problem is
    convex); otherwise they are drawn by Glorot uniform initialization, as in
    scikit-learn's MLP. In both cases the output intercept starts at the best
    constant model.
"""


def compose(template):
    """Fill the ``{parameters}``, ``{attributes}`` and ``{objective}`` slots."""
    return template.format(
        parameters=SHARED_PARAMETERS,
        attributes=SHARED_ATTRIBUTES,
        objective=OBJECTIVE_NOTES,
    )


def shared_parameters(exclude=()):
    """The shared parameter entries, without those named in ``exclude``."""
    entries = SHARED_PARAMETERS.rstrip("\n").split("\n\n")
    kept = [
        entry
        for entry in entries
        if not any(name in exclude for name in entry.split(":")[0].replace(",", " ").split())
    ]
    return "\n\n".join(kept) + "\n"


CV_PARAMETERS = """\
    alphas : int or array-like, default=10
        The ``alpha`` values tried: an array, or a number of values spaced
        geometrically between ``eps * alpha_max`` and ``alpha_max`` (see
        :func:`~sklearn_regnn.alpha_max`). Either way each fold's path walks them
        in decreasing order without hidden layers and in increasing order with
        them (see :func:`~sklearn_regnn.regularization_path`), and ``alphas_``
        holds them in that order.

    l1_ratio : float or list of float, default=0.5
        Mixing of the L1 (or group) part and the L2 part; a list is searched too.
        Used only when ``penalty`` is 'elasticnet' or 'group_lasso'.

    eps : float, default=1e-3
        Ratio of the smallest to the largest ``alpha`` of a default grid.

    cv : int, cross-validation generator or iterable, default=None
        Folds, as for :func:`~sklearn.model_selection.check_cv`: None is 5-fold
        (stratified for the classifier).

    scoring : str or callable, default=None
        Score of the held-out parts; None is the estimator's ``score`` (R^2 or
        accuracy). R^2 needs held-out parts of two samples or more: with
        leave-one-out, pass ``'neg_mean_squared_error'``. Every fold's network
        knows all the classes, but a held-out part may lack some: scores that
        need them all in ``y_true`` (log-loss, say) then need the labels given,
        ``make_scorer(log_loss, labels=..., response_method='predict_proba',
        greater_is_better=False)``. An ``alpha`` scored NaN on any fold is left
        out of the choice, with a warning, as ``GridSearchCV`` ranks such a
        candidate last; if every ``alpha`` is, ``fit`` raises.

    n_jobs : int, default=None
        Number of jobs run in parallel. The folds' paths are walked side by side
        (their networks trained as one stack where they can, each exactly as it
        would be alone); ``n_jobs`` splits the folds into that many groups, per
        ``l1_ratio``, one job each. None is 1 unless in a
        ``joblib.parallel_config`` context.

    adaptive : bool, default=False
        Search twice, the second time with a penalty reweighted by the first
        result (the adaptive lasso, and its group form): input ``j`` is multiplied
        by ``w_j``, the norm of its first-layer row in the first search's model
        divided by the largest such norm, and the search runs again on the scaled
        inputs. For the first layer's L1 or group part this is the penalty
        ``alpha * l1_ratio * ||W_j|| / w_j``: inputs the first search found weak
        are penalized more, inputs it dropped (``w_j = 0``) stay out, and the
        strong ones are shrunk less, so that the search can afford an ``alpha``
        that removes the weak ones. Each fold's weights come from that fold's own
        first-search fit, on its training part only; just the ``alpha`` they are
        taken at was chosen with every fold's scores. ``alpha_``, ``alphas_``
        and ``cv_scores_`` are the second search's, in the scaled units, and so is
        ``loss_``; the fitted weights are in the caller's units.

"""

CV_ATTRIBUTES = """\
    alpha_ : float
        The chosen ``alpha``.

    l1_ratio_ : float
        The chosen ``l1_ratio``; 1.0 for ``penalty='l1'`` and 0.0 for
        ``'l2'``, the shares of L1 they fit with.

    alphas_ : ndarray of shape (n_alphas,) or (n_l1_ratios, n_alphas)
        The grids tried.

    cv_scores_ : ndarray of shape (n_alphas, n_folds) or (n_l1_ratios, n_alphas, n_folds)
        Held-out score of every ``alpha`` on every fold.

    adaptive_weights_ : ndarray of shape (n_features,) or None
        With ``adaptive=True``, the scale ``w_j`` of every input in the second
        search (0 for inputs the first search dropped); None otherwise.

"""


def cv_docstring(
    summary,
    plain,
    not_shared,
    extra_parameters="",
    example="",
    first_attributes="",
    last_attributes="",
):
    """The docstring of a CV estimator: ``plain`` is its plain estimator's name,
    ``not_shared`` the plain estimator's parameters it does not have, and
    ``first_attributes`` and ``last_attributes`` its own fitted attributes, listed
    around the shared ones as in its docstring."""
    return f"""{summary}

    Every fold fits one warm-started regularization path and scores each ``alpha``
    on its held-out part, which costs far less than fitting every ``alpha`` from
    scratch as :class:`~sklearn.model_selection.GridSearchCV` does. The ``alpha`` (and
    ``l1_ratio``) with the best mean score (of tied alphas the largest, the
    sparsest model, as for :class:`~sklearn.linear_model.ElasticNetCV`) is
    refitted on all the data, and the fitted attributes are this estimator's
    own, so it predicts and selects features like :class:`{plain}`. With hidden
    layers the refit is the same warm-started walk up to ``alpha_``, on all the
    data, so that the final network is made as the scored ones were; its
    ``n_iter_``, ``t_`` and ``loss_curve_`` count the walk's last fit.

    Parameters
    ----------
{shared_parameters(exclude=not_shared)}
{extra_parameters}{CV_PARAMETERS}
    Attributes
    ----------
{CV_ATTRIBUTES}{first_attributes}{SHARED_ATTRIBUTES}{last_attributes}
    See Also
    --------
    {plain} : The estimator at one ``alpha``.
    regularization_path : The path of one fit.

    Examples
    --------
{example}"""
