"""Cross-validated estimators: ``alpha`` (and ``l1_ratio``) chosen on warm-started paths.

Each fold fits one regularization path (the folds side by side,
:func:`~sklearn_regnn._path.walk_paths`) and scores every ``alpha`` on its
held-out part; a grid search would fit every ``alpha`` from scratch. The best mean
score picks ``alpha_`` and ``l1_ratio_``, and a refit on all the data (for a
network, the same warm-started walk up to ``alpha_``, since a non-convex fit
depends on where it starts) gives the fitted attributes, which the CV estimator
holds itself (as :class:`~sklearn.linear_model.ElasticNetCV` does), so it predicts
and selects features like the plain estimator. With ``adaptive=True`` a second
search, on inputs scaled by the first one's row norms, gives the adaptive (group)
lasso.
"""

import numbers

import numpy as np
from sklearn import get_config
from sklearn.base import clone, is_classifier
from sklearn.metrics import check_scoring
from sklearn.model_selection import check_cv
from sklearn.utils.class_weight import compute_class_weight
from sklearn.utils.metadata_routing import MetadataRouter, MethodMapping, process_routing
from sklearn.utils.multiclass import type_of_target, unique_labels
from sklearn.utils.parallel import Parallel, delayed

from . import _classifier, _regressor
from ._classifier import RegularizedMLPClassifier, _check_class_weight
from ._docstrings import cv_docstring
from ._folds import (
    best_indices,
    fold_chunks,
    gram_statistics,
    input_norms,
    path_scores,
    relative,
    scale_columns,
)
from ._path import alpha_grid, walk_path
from ._regressor import RegularizedMLPRegressor
from ._validation import (
    CV_CONSTRAINTS,
    CV_NOT_SHARED,
    InvalidParameterError,
    TrainingDivergedError,
    normalized_sample_weight,
)


class _CrossValidated:
    """The fit of both CV estimators: paths on folds, the choice, the refit."""

    _parameter_checks = CV_CONSTRAINTS

    def _set_parameters(self, arguments):
        """Store ``__init__``'s arguments unchanged, one attribute each."""
        for name, value in arguments.items():
            if name != "self":
                setattr(self, name, value)

    def _template(self, l1_ratio):
        """The plain estimator with this one's parameters and ``l1_ratio``."""
        Plain = self._plain_estimator
        names = [name for name in Plain().get_params() if name not in CV_NOT_SHARED]
        return Plain(l1_ratio=l1_ratio, **{name: getattr(self, name) for name in names})

    def _validate_cv_params(self):
        for name, check in self._parameter_checks.items():
            value = getattr(self, name)
            reason = check(value)
            if reason is not None:
                raise InvalidParameterError(
                    f"The {name!r} parameter of {type(self).__name__} {reason}; got {value!r}."
                )

    def fit(self, X, y, sample_weight=None, **params):
        """Choose ``alpha`` (and ``l1_ratio``) by cross-validation, then refit.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Targets.
        sample_weight : array-like of shape (n_samples,), default=None
            Used by every fit and, on the held-out parts, by the scores, as
            :class:`~sklearn.model_selection.GridSearchCV` does from scikit-learn
            1.7 on (in 1.6 it weights only the fits, unless metadata routing sends
            the weights to its scorer too).
        **params : dict
            Passed to the ``split`` method of ``cv`` (``groups`` for
            :class:`~sklearn.model_selection.GroupKFold`, say) through
            scikit-learn's metadata routing, which must be on:
            ``sklearn.set_config(enable_metadata_routing=True)``. Without it, pass
            the splits themselves as ``cv``.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        self._validate_cv_params()
        if self.penalty is None:
            raise ValueError(
                f"{type(self).__name__} has no alpha to choose with penalty=None: every "
                f"alpha gives the same fit. Use {self._plain_estimator.__name__}, or a "
                "penalty."
            )
        X, y = self._validate_X_y(X, y, reset=True)
        if sample_weight is not None:
            # Checked (and scaled to sum to 1) before its positive entries are used.
            sample_weight = normalized_sample_weight(sample_weight, X.shape[0], np.float64)
        if X.shape[0] < 2:
            raise ValueError(
                f"{type(self).__name__} needs at least 2 samples to cross-validate; "
                f"got {X.shape[0]} sample."
            )
        labels = None
        if is_classifier(self) and type_of_target(y) != "multilabel-indicator":
            # Classes whose samples all have weight 0 do not count.
            weighted = y if sample_weight is None else y[sample_weight > 0]
            classes = unique_labels(weighted)
            if len(classes) < 2:
                raise ValueError(
                    "The classifier needs samples of at least 2 classes; y contains "
                    f"only one class: {classes.tolist()[0]!r}."
                )
            # Every fold's network gets all the labels, even those its training
            # part lacks, so that its scores (probabilities too) cover them all.
            labels = unique_labels(y)
        ratios = [float(r) for r in np.atleast_1d(self.l1_ratio)]
        if self.penalty not in ("elasticnet", "group_lasso"):
            ratios = ratios[:1]  # 'l1' and 'l2' ignore l1_ratio
        templates = [self._template(r) for r in ratios]
        if labels is not None and isinstance(self.class_weight, str):
            # 'balanced' from all of y, as LogisticRegressionCV has it: a fold
            # lacking a class could not balance it.
            balanced = dict(zip(labels, compute_class_weight("balanced", classes=labels, y=y)))
            templates = [t.set_params(class_weight=balanced) for t in templates]
        splitter = check_cv(self.cv, y, classifier=is_classifier(self))
        folds = list(splitter.split(X, y, **self._split_params(params)))
        # None keeps the estimator's own score, which the paths compute faster.
        scorer = None if self.scoring is None else check_scoring(templates[0], self.scoring)
        if scorer is None and not is_classifier(self):
            smallest = min(len(test) for _, test in folds)
            if smallest < 2:
                raise ValueError(
                    "R^2, the default score, is undefined on a held-out part of one "
                    f"sample, and {type(self).__name__}'s folds have one (cv={self.cv!r}). "
                    "Pass scoring='neg_mean_squared_error', or use fewer folds."
                )
        try:
            search, final, self.adaptive_weights_ = self._search_and_refit(
                templates, X, y, sample_weight, folds, scorer, labels
            )
        except TrainingDivergedError:
            self._forget_refit()  # what an earlier fit left must not predict on
            raise

        best_ratio, best_alpha = search["best"]
        grids, scores = search["grids"], search["scores"]
        # 'l1' and 'l2' fit with their own share of L1, whatever l1_ratio says.
        self.l1_ratio_ = {"l1": 1.0, "l2": 0.0}.get(self.penalty, ratios[best_ratio])
        self.alpha_ = float(grids[best_ratio][best_alpha])
        self.alphas_ = np.asarray(grids) if len(ratios) > 1 else grids[0]
        self.cv_scores_ = scores if len(ratios) > 1 else scores[0]
        # The refit's fitted state becomes this estimator's, replacing what an
        # earlier fit left (Adam's moments, early stopping's best weights).
        self._forget_refit()
        parameters = set(final.get_params())
        self._refit_state = [name for name in vars(final) if name not in parameters]
        for name in self._refit_state:
            setattr(self, name, getattr(final, name))
        return self

    def _forget_refit(self):
        for name in getattr(self, "_refit_state", ()):
            if hasattr(self, name):
                delattr(self, name)

    def _search_and_refit(self, templates, X, y, sample_weight, folds, scorer, labels):
        """The search (a second, reweighted one if ``adaptive``), the refit, and the
        adaptive input weights (None without ``adaptive``)."""
        grids = self._grids(templates, X, y, sample_weight)
        # A linear least-squares search shares one pass over the data between its
        # folds, its refit and, if adaptive, the second search.
        statistics = gram_statistics(templates[0], X, y, sample_weight, folds)
        folds_statistics, whole = (None, None) if statistics is None else statistics
        search = self._search(
            templates, grids, X, y, sample_weight, folds, scorer, None, labels, folds_statistics
        )
        final = self._refit(templates, search, X, y, sample_weight, whole)
        if not self.adaptive:
            return search, final, None
        # Each fold's weights come from its own first-search fit, which never saw
        # its held-out part (only the alpha they are taken at was chosen with all
        # folds' scores).
        best_ratio, best_alpha = search["best"]
        fold_weights = [relative(n) for n in search["norms"][best_ratio, :, best_alpha]]
        weights = relative(input_norms(final))
        if weights.max() > 0:
            scaled = scale_columns(X, weights)
            grids = self._grids(templates, scaled, y, sample_weight)
            search = self._search(
                templates,
                grids,
                X,
                y,
                sample_weight,
                folds,
                scorer,
                fold_weights,
                labels,
                folds_statistics,
            )
            final = self._refit(
                templates,
                search,
                scaled,
                y,
                sample_weight,
                None if whole is None else whole.scaled(weights),
            )
            # The network saw x_j * w_j: in the caller's units its first-layer row j
            # is w_j times the fitted one.
            final.coefs_[0] = final.coefs_[0] * weights[:, np.newaxis].astype(X.dtype)
        return search, final, weights

    def _split_params(self, params):
        """The parameters of fit meant for the splitter, routed."""
        if not params:
            return {}
        if not get_config()["enable_metadata_routing"]:
            raise ValueError(
                f"{type(self).__name__}.fit got {sorted(params)}: parameters other than "
                "sample_weight go to the cv splitter (groups for GroupKFold, say) "
                "through metadata routing. Turn it on with "
                "sklearn.set_config(enable_metadata_routing=True), or pass the splits "
                "themselves as cv."
            )
        return process_routing(self, "fit", **params).splitter.split

    def get_metadata_routing(self):
        """How ``fit`` routes its parameters: ``sample_weight`` is its own, the
        others go to the ``split`` method of ``cv``.

        Returns
        -------
        routing : sklearn.utils.metadata_routing.MetadataRouter
            The routing information.
        """
        return (
            MetadataRouter(owner=type(self).__name__)
            .add_self_request(self)
            .add(
                splitter=check_cv(self.cv),
                method_mapping=MethodMapping().add(caller="fit", callee="split"),
            )
        )

    def _grids(self, templates, X, y, sample_weight):
        """The ``alpha`` grid of every template (``l1_ratio``), in path order."""
        if isinstance(self.alphas, numbers.Integral):
            return [alpha_grid(t, X, y, self.alphas, self.eps, sample_weight) for t in templates]
        # A given grid is walked in path order whatever order it came in (as
        # ElasticNetCV sorts its own): walked from large to small, a network emptied
        # by the first alpha would stay empty for all the others.
        grid = np.sort(np.asarray(self.alphas, dtype=np.float64))
        if not templates[0]._has_hidden_layers():
            grid = grid[::-1]
        return [grid] * len(templates)

    def _search(
        self,
        templates,
        grids,
        X,
        y,
        sample_weight,
        folds,
        scorer,
        fold_scales=None,
        labels=None,
        statistics=None,
    ):
        """Paths on every fold for every template (``l1_ratio``), and the best pair;
        ``fold_scales`` multiply the inputs' columns, one scale per fold,
        ``labels`` are a classifier's classes, and ``statistics`` the folds' Gram
        statistics (:func:`gram_statistics`)."""
        if fold_scales is None:
            fold_scales = [None] * len(folds)
        chunks = fold_chunks(folds, X, self.n_jobs)
        results = Parallel(n_jobs=self.n_jobs)(
            delayed(path_scores)(
                template,
                X,
                y,
                sample_weight,
                [folds[k] for k in chunk],
                grid,
                scorer,
                [fold_scales[k] for k in chunk],
                labels,
                None if statistics is None else [statistics[k] for k in chunk],
            )
            for template, grid in zip(templates, grids)
            for chunk in chunks
        )
        paths = [fold for chunk in results for fold in chunk]
        shape = (len(templates), len(folds), len(grids[0]))
        # Scores as (l1_ratio, alpha, fold), like ElasticNetCV's mse_path_.
        scores = np.asarray([p[0] for p in paths]).reshape(shape).transpose(0, 2, 1)
        norms = np.asarray([p[1] for p in paths]).reshape(*shape, X.shape[1])
        best = best_indices(scores, grids)
        return {"grids": grids, "scores": scores, "norms": norms, "best": best}

    def _refit(self, templates, search, X, y, sample_weight, statistics=None):
        """The chosen model fitted on all the data; ``statistics`` are their Gram
        statistics, when the search made them."""
        best_ratio, best_alpha = search["best"]
        template, grid = templates[best_ratio], search["grids"][best_ratio]
        if not template._has_hidden_layers():
            model = clone(template).set_params(alpha=float(grid[best_alpha]))
            if statistics is None:
                return model.fit(X, y, sample_weight=sample_weight)
            # The fit takes the statistics as a path's fits take them.
            model._path_cache = {"gram": statistics}
            try:
                return model.fit(X, y, sample_weight=sample_weight)
            finally:
                del model._path_cache
        # A network's fit depends on where it starts: the scored ones were
        # warm-started along the grid, so the final one walks it too, on all the
        # data, up to alpha_. (Starting instead from the first fold's network at
        # alpha_ saves most of that walk, but on digits its refits classified
        # held-out data 0.5 points worse in 8 of 10 splits: benchmarks/README.md.)
        curve_lengths, samples_seen, iterations = [0], [0], []
        for model, n_iter in walk_path(template, X, y, grid[: best_alpha + 1], sample_weight):
            curve_lengths.append(len(model.loss_curve_))
            samples_seen.append(model.t_)
            iterations.append(n_iter)
        # n_iter_, t_ and the per-epoch histories count the walk's last fit that ran
        # (the walk does not refit an empty network), as a single fit at alpha_ would.
        last = max(k for k, n in enumerate(iterations) if n > 0 or k == 0)
        last_fit = slice(curve_lengths[last], curve_lengths[last + 1])
        model.loss_curve_ = model.loss_curve_[last_fit]
        if model.validation_scores_ is not None:
            model.validation_scores_ = model.validation_scores_[last_fit]
        model.t_ = samples_seen[last + 1] - samples_seen[last]
        model.n_iter_ = iterations[last]
        return model

    @property
    def partial_fit(self):
        """Not available: the CV estimators choose ``alpha`` on full fits."""
        raise AttributeError(
            f"{type(self).__name__} has no partial_fit: it chooses alpha on paths of "
            "full fits. Use the plain estimator with the chosen alpha_."
        )


class RegularizedMLPRegressorCV(_CrossValidated, RegularizedMLPRegressor):
    __doc__ = cv_docstring(
        "RegularizedMLPRegressor with ``alpha`` chosen by cross-validation.",
        "RegularizedMLPRegressor",
        CV_NOT_SHARED,
        last_attributes=_regressor.LINEAR_ATTRIBUTES,
        example="""\
    >>> from sklearn.datasets import load_diabetes
    >>> from sklearn.preprocessing import StandardScaler
    >>> from sklearn_regnn import RegularizedMLPRegressorCV
    >>> X, y = load_diabetes(return_X_y=True)
    >>> X = StandardScaler().fit_transform(X)
    >>> model = RegularizedMLPRegressorCV(hidden_layer_sizes=(), solver="fista",
    ...                                   penalty="l1", cv=3).fit(X, y)
    >>> bool(model.alpha_ in model.alphas_), model.cv_scores_.shape
    (True, (10, 3))
""",
    )

    _plain_estimator = RegularizedMLPRegressor

    def __init__(
        self,
        hidden_layer_sizes=(100,),
        activation="relu",
        *,
        solver="adam",
        penalty="elasticnet",
        alphas=10,
        l1_ratio=0.5,
        eps=1e-3,
        cv=None,
        scoring=None,
        n_jobs=None,
        adaptive=False,
        batch_size="auto",
        learning_rate="constant",
        learning_rate_init=1e-3,
        power_t=0.5,
        max_iter=200,
        shuffle=True,
        random_state=None,
        tol=1e-4,
        verbose=False,
        momentum=0.9,
        nesterovs_momentum=True,
        early_stopping=False,
        validation_fraction=0.1,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-8,
        n_iter_no_change=10,
    ):
        self._set_parameters(locals())


class RegularizedMLPClassifierCV(_CrossValidated, RegularizedMLPClassifier):
    __doc__ = cv_docstring(
        "RegularizedMLPClassifier with ``alpha`` chosen by cross-validation.",
        "RegularizedMLPClassifier",
        CV_NOT_SHARED,
        first_attributes=_classifier.LABEL_ATTRIBUTES,
        last_attributes=_classifier.LINEAR_ATTRIBUTES,
        extra_parameters="""\
    class_weight : dict, 'balanced' or None, default=None
        Weights of the classes, as for :class:`RegularizedMLPClassifier`;
        'balanced' is computed once, from all of ``y``, and used on every fold, as
        :class:`~sklearn.linear_model.LogisticRegressionCV` does.

""",
        example="""\
    >>> from sklearn.datasets import load_breast_cancer
    >>> from sklearn.preprocessing import StandardScaler
    >>> from sklearn_regnn import RegularizedMLPClassifierCV
    >>> X, y = load_breast_cancer(return_X_y=True)
    >>> X = StandardScaler().fit_transform(X)
    >>> model = RegularizedMLPClassifierCV(hidden_layer_sizes=(), solver="fista",
    ...                                    penalty="l1", cv=3).fit(X, y)
    >>> model.score(X, y) > 0.95, model.n_features_selected_ < X.shape[1]
    (True, True)
""",
    )

    _plain_estimator = RegularizedMLPClassifier
    _parameter_checks = {**CV_CONSTRAINTS, "class_weight": _check_class_weight}

    def __init__(
        self,
        hidden_layer_sizes=(100,),
        activation="relu",
        *,
        solver="adam",
        penalty="elasticnet",
        alphas=10,
        l1_ratio=0.5,
        eps=1e-3,
        cv=None,
        scoring=None,
        n_jobs=None,
        adaptive=False,
        batch_size="auto",
        learning_rate="constant",
        learning_rate_init=1e-3,
        power_t=0.5,
        max_iter=200,
        shuffle=True,
        random_state=None,
        tol=1e-4,
        verbose=False,
        momentum=0.9,
        nesterovs_momentum=True,
        early_stopping=False,
        validation_fraction=0.1,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-8,
        n_iter_no_change=10,
        class_weight=None,
    ):
        self._set_parameters(locals())
