"""The cross-validated estimators: scikit-learn's checks, the choice of alpha
against GridSearchCV's on the same grid and folds, and the refitted attributes."""

import warnings

import numpy as np
import pytest
from _data import IGNORE_CONVERGENCE, classification_data, regression_data
from numpy.testing import assert_allclose
from sklearn import config_context, get_config
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import (
    GridSearchCV,
    GroupKFold,
    KFold,
    StratifiedKFold,
    cross_validate,
)
from sklearn.utils.estimator_checks import parametrize_with_checks

from sklearn_regnn import (
    RegularizedMLPClassifier,
    RegularizedMLPClassifierCV,
    RegularizedMLPRegressor,
    RegularizedMLPRegressorCV,
    regularization_path,
)

# Small grids and few folds keep the checks fast; tol=1e-8 makes FISTA's sparse
# fits exact enough for the weighted-versus-repeated equivalence check, and 32 units
# fit the training checks' data well enough at 200 epochs.
CHEAP = [
    dict(hidden_layer_sizes=(), solver="fista", alphas=4, cv=3, tol=1e-8, max_iter=5000),
    dict(hidden_layer_sizes=(32,), alphas=3, cv=2),
    dict(
        hidden_layer_sizes=(),
        solver="fista",
        alphas=3,
        cv=2,
        tol=1e-8,
        max_iter=5000,
        adaptive=True,
    ),
]


@parametrize_with_checks(
    [
        Estimator(**settings)
        for Estimator in (RegularizedMLPClassifierCV, RegularizedMLPRegressorCV)
        for settings in CHEAP
    ]
)
def test_sklearn_compatible_cv_estimator(estimator, check):
    check(estimator)


LINEAR = dict(hidden_layer_sizes=(), solver="fista", tol=1e-10, max_iter=20_000)


@pytest.mark.parametrize("Estimator", [RegularizedMLPRegressorCV, RegularizedMLPClassifierCV])
def test_linear_cv_matches_grid_search_on_the_same_folds(Estimator):
    """Convex and solved exactly, warm-started paths give GridSearchCV's scores on
    every fold and alpha, so the same alpha_; the refit equals the plain estimator
    fitted at alpha_."""
    if Estimator is RegularizedMLPClassifierCV:
        X, y = classification_data(n_samples=120, n_features=10, n_classes=3, seed=1)
        Plain, folds = RegularizedMLPClassifier, StratifiedKFold(3)
    else:
        X, y = regression_data(n_samples=120, n_features=10, seed=1)
        Plain, folds = RegularizedMLPRegressor, KFold(3)
    cv_model = Estimator(penalty="l1", alphas=6, cv=folds, **LINEAR).fit(X, y)
    search = GridSearchCV(Plain(penalty="l1", **LINEAR), {"alpha": cv_model.alphas_}, cv=folds)
    search.fit(X, y)
    split_scores = np.array([search.cv_results_[f"split{k}_test_score"] for k in range(3)]).T
    assert_allclose(cv_model.cv_scores_, split_scores, rtol=1e-7, atol=1e-9)
    assert cv_model.alpha_ == search.best_params_["alpha"]
    plain = Plain(penalty="l1", alpha=cv_model.alpha_, **LINEAR).fit(X, y)
    assert_allclose(cv_model.coef_, plain.coef_, atol=1e-9)
    assert_allclose(
        cv_model.predict(X) if Plain is RegularizedMLPRegressor else cv_model.predict_proba(X),
        plain.predict(X) if Plain is RegularizedMLPRegressor else plain.predict_proba(X),
        atol=1e-8,
    )
    assert cv_model.n_features_selected_ == plain.n_features_selected_


@pytest.mark.parametrize("Estimator", [RegularizedMLPRegressorCV, RegularizedMLPClassifierCV])
def test_own_score_equals_the_named_scorer(Estimator):
    """scoring=None scores the folds from the network's output without the
    scorer's checks; it gives what scoring='r2' (or 'accuracy') gives, with
    sample weights and two outputs too."""
    rng = np.random.default_rng(0)
    if Estimator is RegularizedMLPClassifierCV:
        X, y = classification_data(n_samples=90, n_features=6, n_classes=3, seed=5)
        named = "accuracy"
    else:
        X, y = regression_data(n_samples=90, n_features=6, n_targets=2, seed=5)
        named = "r2"
    weights = rng.uniform(0.1, 2.0, size=X.shape[0])
    params = dict(penalty="l1", alphas=4, cv=3, **LINEAR)
    own = Estimator(**params).fit(X, y, sample_weight=weights)
    scorer = Estimator(scoring=named, **params).fit(X, y, sample_weight=weights)
    assert_allclose(own.cv_scores_, scorer.cv_scores_, rtol=1e-12)


@pytest.mark.parametrize("hidden", [(), (4,)], ids=["linear", "hidden"])
def test_a_scorer_sees_fold_models_with_their_objective(hidden):
    """The default score skips the fold fits' objective pass (only the outputs are
    scored); a scorer of the user's gets whole fitted models, loss_ included: the
    fold's penalized objective, as the plain estimator records it."""
    X, y = regression_data(n_samples=60, seed=3)
    solver = dict(solver="fista", tol=1e-8, max_iter=5000) if not hidden else dict(max_iter=30)
    params = dict(hidden_layer_sizes=hidden, penalty="l1", alphas=3, cv=KFold(3), random_state=0)
    params.update(solver)
    objectives = []

    def negative_objective(model, X_test, y_test):
        objectives.append(model.loss_)
        return -model.loss_

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model = RegularizedMLPRegressorCV(**params, scoring=negative_objective).fit(X, y)
        plain = RegularizedMLPRegressor(
            **{k: v for k, v in params.items() if k not in ("alphas", "cv")}
        )
        train = next(iter(KFold(3).split(X)))[0]
        path = regularization_path(plain, X[train], y[train], alphas=model.alphas_)
    np.testing.assert_allclose(-model.cv_scores_[:, 0], path.objective, rtol=1e-12)
    assert len(objectives) == 9


@IGNORE_CONVERGENCE
def test_hidden_layer_refit_walks_the_path_to_alpha_():
    """The scores are those of warm-started fits, and so is the final network: it
    is the path on all the data, stopped at alpha_. Its n_iter_, t_ and
    loss_curve_ count that path's last fit, not the whole walk."""
    X, y = regression_data(n_samples=100, n_features=6, seed=7)
    params = dict(hidden_layer_sizes=(8,), penalty="l1", random_state=0, max_iter=60)
    model = RegularizedMLPRegressorCV(alphas=4, cv=2, **params).fit(X, y)
    path = regularization_path(RegularizedMLPRegressor(**params), X, y, alphas=model.alphas_)
    chosen = int(np.flatnonzero(model.alphas_ == model.alpha_)[0])
    for W, W_path in zip(model.coefs_, path.coefs[chosen]):
        assert_allclose(W, W_path)
    assert chosen > 0 and path.n_iter[chosen] > 0
    assert model.n_iter_ == path.n_iter[chosen] == len(model.loss_curve_) <= 60
    assert model.t_ == model.n_iter_ * X.shape[0]
    # The walk's warm_start=True was the template's, not the CV estimator's.
    assert "warm_start" not in vars(model)


@IGNORE_CONVERGENCE
def test_hidden_layer_refit_with_early_stopping_keeps_its_last_fits_history():
    """With early stopping, validation_scores_ is the walk's last fit's history,
    aligned epoch by epoch with loss_curve_, as after a single fit."""
    X, y = regression_data(n_samples=150, n_features=6, seed=7)
    params = dict(
        hidden_layer_sizes=(8,), penalty="l1", early_stopping=True, random_state=0, max_iter=60
    )
    model = RegularizedMLPRegressorCV(alphas=4, cv=2, **params).fit(X, y)
    path = regularization_path(RegularizedMLPRegressor(**params), X, y, alphas=model.alphas_)
    chosen = int(np.flatnonzero(model.alphas_ == model.alpha_)[0])
    assert chosen > 0
    assert model.n_iter_ == path.n_iter[chosen] == len(model.loss_curve_)
    assert len(model.validation_scores_) == model.n_iter_
    assert model.best_validation_score_ == max(model.validation_scores_)


@IGNORE_CONVERGENCE
def test_a_given_grid_is_walked_in_path_order():
    """Like ElasticNetCV, the CV estimators sort a grid they are given: a network's
    paths walk it up, a linear model's down, and alphas_ and cv_scores_ follow
    that order. Walked down as given, alpha=10 would empty each fold's network
    first, and the smaller alphas would score (nearly) a constant's R^2."""
    X, y = regression_data(n_samples=120, n_features=6, seed=4)
    grid = [10.0, 0.1, 0.01, 0.001]
    params = dict(
        hidden_layer_sizes=(8,),
        penalty="l1",
        cv=2,
        learning_rate_init=0.01,
        max_iter=200,
        random_state=0,
    )
    given = RegularizedMLPRegressorCV(alphas=grid, **params).fit(X, y)
    ascending = RegularizedMLPRegressorCV(alphas=sorted(grid), **params).fit(X, y)
    assert_allclose(given.alphas_, sorted(grid))
    assert_allclose(given.cv_scores_, ascending.cv_scores_)
    assert given.alpha_ == ascending.alpha_
    for W, W_ascending in zip(given.coefs_, ascending.coefs_):
        assert_allclose(W, W_ascending)
    assert given.cv_scores_.mean(axis=1).max() > 0.9

    linear = RegularizedMLPRegressorCV(alphas=sorted(grid), penalty="l1", cv=2, **LINEAR)
    assert_allclose(linear.fit(X, y).alphas_, grid)


def test_groups_reach_the_splitter_through_metadata_routing():
    """With routing on, fit passes groups to cv's split, as ElasticNetCV does: the
    scores are those of the group folds given as a list. Nested in cross_validate,
    groups and sample_weight reach the inner search too. With routing off, extra
    fit parameters are refused with a message that says how to route them."""
    X, y = regression_data(n_samples=90, n_features=6, seed=6)
    groups = np.repeat(np.arange(9), 10)
    params = dict(penalty="l1", alphas=4, **LINEAR)
    splits = list(GroupKFold(3).split(X, y, groups))
    given = RegularizedMLPRegressorCV(cv=splits, **params).fit(X, y)
    with config_context(enable_metadata_routing=True):
        routed = RegularizedMLPRegressorCV(cv=GroupKFold(3), **params).fit(X, y, groups=groups)
        inner = RegularizedMLPRegressorCV(cv=GroupKFold(3), **params)
        weights = np.random.default_rng(0).uniform(0.5, 2.0, size=90)
        nested = cross_validate(
            inner.set_fit_request(sample_weight=True).set_score_request(sample_weight=False),
            X,
            y,
            cv=GroupKFold(3),
            params={"groups": groups, "sample_weight": weights},
            return_estimator=True,
            return_indices=True,
        )
    assert_allclose(routed.cv_scores_, given.cv_scores_)
    assert routed.alpha_ == given.alpha_
    # The first outer fold's search, made by hand on its training part.
    train = nested["indices"]["train"][0]
    by_hand = RegularizedMLPRegressorCV(
        cv=list(GroupKFold(3).split(X[train], y[train], groups[train])), **params
    ).fit(X[train], y[train], sample_weight=weights[train])
    assert_allclose(nested["estimator"][0].cv_scores_, by_hand.cv_scores_)
    assert_allclose(nested["estimator"][0].coef_, by_hand.coef_)

    with pytest.raises(ValueError, match="enable_metadata_routing=True"):
        RegularizedMLPRegressorCV(cv=GroupKFold(3), **params).fit(X, y, groups=groups)


def test_l1_ratio_list_is_searched_too():
    X, y = regression_data(n_samples=90, n_features=8, seed=2)
    model = RegularizedMLPRegressorCV(l1_ratio=[0.2, 0.9], alphas=5, cv=3, **LINEAR).fit(X, y)
    assert model.alphas_.shape == (2, 5)
    assert model.cv_scores_.shape == (2, 5, 3)
    best = np.unravel_index(np.argmax(model.cv_scores_.mean(axis=2)), (2, 5))
    assert model.l1_ratio_ == [0.2, 0.9][best[0]]
    assert model.alpha_ == model.alphas_[best]


@IGNORE_CONVERGENCE
def test_hidden_layer_cv_in_parallel_is_the_same():
    """n_jobs=2 computes the same paths as n_jobs=1; the grid increases."""
    X, y = regression_data(n_samples=100, n_features=6, seed=3)
    params = dict(
        hidden_layer_sizes=(8,), penalty="l1", alphas=3, cv=2, random_state=0, max_iter=50
    )
    serial = RegularizedMLPRegressorCV(**params).fit(X, y)
    parallel = RegularizedMLPRegressorCV(n_jobs=2, **params).fit(X, y)
    assert np.all(np.diff(serial.alphas_) > 0)
    assert_allclose(parallel.cv_scores_, serial.cv_scores_)
    assert parallel.alpha_ == serial.alpha_
    for a, b in zip(parallel.coefs_, serial.coefs_):
        assert_allclose(a, b)


def _scores_assume_finite(model, X, y):
    """A scorer that reports the scikit-learn configuration its process sees."""
    return float(get_config()["assume_finite"])


def test_parallel_folds_see_the_callers_scikit_learn_configuration():
    """With n_jobs=2 the fold paths run in worker processes; scikit-learn's
    configuration (here assume_finite) must reach them, as it reaches
    GridSearchCV's fits, or a config_context set around fit would be lost."""
    X, y = regression_data(n_samples=60, n_features=4, seed=0)
    model = RegularizedMLPRegressorCV(
        alphas=3, cv=2, n_jobs=2, scoring=_scores_assume_finite, **LINEAR
    )
    with config_context(assume_finite=True):
        model.fit(X, y)
    assert np.all(model.cv_scores_ == 1.0)
    model.fit(X, y)
    assert np.all(model.cv_scores_ == 0.0)


def test_cv_estimators_have_no_partial_fit_and_check_their_parameters():
    X, y = regression_data()
    model = RegularizedMLPRegressorCV()
    assert not hasattr(model, "partial_fit")
    with pytest.raises(ValueError, match="'alphas' parameter"):
        RegularizedMLPRegressorCV(alphas=0).fit(X, y)
    with pytest.raises(ValueError, match="'l1_ratio' parameter"):
        RegularizedMLPRegressorCV(l1_ratio=[0.5, 2.0]).fit(X, y)
    with pytest.raises(ValueError, match="at least 2 samples"):
        RegularizedMLPRegressorCV(**LINEAR).fit(X[:1], y[:1])


def test_adaptive_linear_search_is_the_adaptive_lasso():
    """Without hidden layers, adaptive=True is the adaptive lasso, checked against
    scikit-learn's Lasso: each fold's weights are |coef| of that fold's own first
    choice, the second search scores Lasso on the scaled inputs, and the refit is
    Lasso on all data scaled by the full first fit's weights, in original units."""
    from sklearn.linear_model import Lasso

    X, y = regression_data(n_samples=120, n_features=12, seed=11)
    folds = list(KFold(3, shuffle=True, random_state=0).split(X))
    params = dict(penalty="l1", alphas=6, cv=folds, **LINEAR)
    first = RegularizedMLPRegressorCV(**params).fit(X, y)
    model = RegularizedMLPRegressorCV(adaptive=True, **params).fit(X, y)

    def lasso(alpha, X, y):
        return Lasso(alpha=alpha, tol=1e-12, max_iter=10**6).fit(X, y)

    def relative(coef):
        return np.abs(coef) / np.abs(coef).max()

    weights = relative(lasso(first.alpha_, X, y).coef_)
    assert_allclose(model.adaptive_weights_, weights, atol=1e-8)
    for k, (train, test) in enumerate(folds):
        fold_weights = relative(lasso(first.alpha_, X[train], y[train]).coef_)
        expected = [
            lasso(alpha, X[train] * fold_weights, y[train]).score(X[test] * fold_weights, y[test])
            for alpha in model.alphas_
        ]
        assert_allclose(model.cv_scores_[:, k], expected, rtol=1e-6, atol=1e-8)
    refit = lasso(model.alpha_, X * weights, y)
    assert_allclose(model.coef_, refit.coef_ * weights, atol=1e-8)
    assert_allclose(model.predict(X), refit.predict(X * weights), atol=1e-8)
    assert first.adaptive_weights_ is None


@IGNORE_CONVERGENCE
def test_adaptive_group_lasso_network_recovers_friedman_inputs():
    """make_friedman1 with 45 noise inputs: the adaptive group-lasso network keeps
    the 5 informative inputs (two of them only through sin(pi x0 x1), one through
    (x2 - 1/2)^2) and at most 3 of the others, where one search keeps many."""
    from sklearn.datasets import make_friedman1
    from sklearn.preprocessing import StandardScaler

    X, y = make_friedman1(n_samples=1000, n_features=50, noise=1.0, random_state=0)
    X = StandardScaler().fit_transform(X)
    y = (y - y.mean()) / y.std()
    params = dict(
        penalty="group_lasso",
        l1_ratio=1.0,
        alphas=8,
        cv=3,
        learning_rate_init=0.01,
        max_iter=300,
        random_state=0,
    )
    plain = RegularizedMLPRegressorCV((32,), **params).fit(X, y)
    adaptive = RegularizedMLPRegressorCV((32,), adaptive=True, **params).fit(X, y)
    kept = adaptive.feature_importances_ > 0
    assert kept[:5].all() and kept[5:].sum() <= 3
    assert adaptive.n_features_selected_ == kept.sum() < plain.n_features_selected_
    # Inputs the first search dropped stay out.
    assert not kept[adaptive.adaptive_weights_ == 0].any()
    assert adaptive.cv_scores_.mean(axis=1).max() > plain.cv_scores_.mean(axis=1).max()


def test_adaptive_search_stops_when_the_first_drops_every_input():
    """A first search that keeps no input leaves nothing to reweight: the model
    stays the first search's (all weights zero), with zero weights reported."""
    X, y = regression_data(n_samples=60, n_features=5, seed=12)
    model = RegularizedMLPRegressorCV(
        penalty="l1", alphas=[1e6, 1e7], cv=3, adaptive=True, **LINEAR
    )
    model.fit(X, y)
    assert_allclose(model.adaptive_weights_, np.zeros(5))
    # Both alphas score the same; like LassoCV, the first of the decreasing grid wins.
    assert model.alpha_ == 1e7 and not np.any(model.coef_)
    assert_allclose(model.predict(X), np.full(60, y.mean()), atol=1e-12)
    with pytest.raises(ValueError, match="'adaptive' parameter"):
        RegularizedMLPRegressorCV(adaptive="yes").fit(X, y)


@IGNORE_CONVERGENCE
def test_adaptive_network_classifier_is_the_second_search_in_original_units():
    """With hidden layers the final network is the second search's path refit on
    the scaled inputs, with its first layer rescaled: it predicts on the original
    inputs what the refit predicts on the scaled ones. Its n_iter_ and
    loss_curve_ count the path's last fit."""
    X, y = classification_data(n_samples=150, n_features=8, n_classes=3, seed=13)
    params = dict(
        hidden_layer_sizes=(8,),
        penalty="group_lasso",
        random_state=0,
        max_iter=80,
        learning_rate_init=0.01,
    )
    model = RegularizedMLPClassifierCV(alphas=3, cv=2, adaptive=True, **params).fit(X, y)
    weights = model.adaptive_weights_
    assert weights.shape == (8,) and weights.max() == 1.0
    scaled = X * weights
    path = regularization_path(RegularizedMLPClassifier(**params), scaled, y, alphas=model.alphas_)
    chosen = int(np.flatnonzero(model.alphas_ == model.alpha_)[0])
    refit = RegularizedMLPClassifier(**params).fit(scaled, y)
    refit.coefs_, refit.intercepts_ = path.coefs[chosen], path.intercepts[chosen]
    assert_allclose(model.predict_proba(X), refit.predict_proba(scaled), atol=1e-10)
    assert_allclose(model.coefs_[0], weights[:, np.newaxis] * path.coefs[chosen][0])
    assert model.n_iter_ == path.n_iter[chosen] == len(model.loss_curve_)
    assert model.t_ == model.n_iter_ * X.shape[0]
