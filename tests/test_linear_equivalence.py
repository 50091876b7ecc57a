"""Without hidden layers the estimators solve scikit-learn's linear problems exactly.

Every comparison uses the same data and the same objective: ``ElasticNet``/``Lasso``
with our ``alpha``, ``Ridge`` with ``alpha * n_samples``, and ``LogisticRegression``
with ``C = 1 / (n_samples * alpha)``. Coefficients must agree to 1e-4 of the largest
one, the zero patterns must be identical, and our objective must be no worse.
"""

import warnings

import numpy as np
import pytest
from _reference import logistic_regression
from sklearn.datasets import load_breast_cancer, load_diabetes, load_wine, make_regression
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import ElasticNet, Lasso, LinearRegression, Ridge
from sklearn.preprocessing import StandardScaler

from sklearn_regnn import RegularizedMLPClassifier, RegularizedMLPRegressor

RELATIVE_TOLERANCE = 1e-4


def linear_regressor(**params):
    return RegularizedMLPRegressor(
        hidden_layer_sizes=(), solver="fista", tol=1e-8, max_iter=50_000, **params
    )


def linear_classifier(**params):
    return RegularizedMLPClassifier(
        hidden_layer_sizes=(), solver="fista", tol=1e-8, max_iter=50_000, **params
    )


def enet_objective(X, y, coef, intercept, alpha, l1_ratio, sample_weight=None):
    """ElasticNet's objective, with sample weights normalized to sum to 1."""
    n = X.shape[0]
    s = np.full(n, 1.0 / n) if sample_weight is None else sample_weight / sample_weight.sum()
    residual = y - X @ coef.T - intercept
    residual = residual.reshape(n, -1)
    loss = 0.5 * float(s @ (residual**2).sum(axis=1))
    return (
        loss
        + alpha * l1_ratio * np.abs(coef).sum()
        + 0.5 * alpha * (1 - l1_ratio) * (coef**2).sum()
    )


def assert_same_solution(ours, theirs):
    ours, theirs = np.asarray(ours), np.asarray(theirs)
    scale = np.abs(theirs).max()
    assert np.abs(ours - theirs).max() <= RELATIVE_TOLERANCE * scale
    np.testing.assert_array_equal(ours == 0, theirs == 0)


@pytest.fixture(scope="module")
def diabetes():
    return load_diabetes(return_X_y=True)


@pytest.mark.parametrize(
    "alpha, l1_ratio", [(1e-3, 0.5), (1e-2, 0.7), (0.1, 0.9), (0.3, 0.2), (1e-4, 0.5)]
)
def test_matches_elastic_net(diabetes, alpha, l1_ratio):
    """Same coefficients, zero pattern and objective as ElasticNet on diabetes."""
    X, y = diabetes
    ours = linear_regressor(alpha=alpha, l1_ratio=l1_ratio).fit(X, y)
    enet = ElasticNet(alpha=alpha, l1_ratio=l1_ratio, tol=1e-10, max_iter=1_000_000).fit(X, y)
    assert_same_solution(ours.coef_, enet.coef_)
    assert abs(ours.intercept_ - enet.intercept_) <= RELATIVE_TOLERANCE * abs(enet.intercept_)
    theirs = enet_objective(X, y, enet.coef_, enet.intercept_, alpha, l1_ratio)
    assert ours.loss_ <= theirs * (1 + 1e-12)
    np.testing.assert_allclose(
        ours.loss_, enet_objective(X, y, ours.coef_, ours.intercept_, alpha, l1_ratio)
    )


def test_diabetes_coefficients_to_machine_precision(diabetes):
    """At tol=1e-8 the ill-conditioned diabetes fit agrees far below the 1e-4 bar.

    A duality gap of 1e-8 alone leaves coefficients ~5e-4 off along flat directions
    of X^T X; the support re-solve must close that.
    """
    X, y = diabetes
    ours = linear_regressor(alpha=0.01, l1_ratio=0.5).fit(X, y)
    enet = ElasticNet(alpha=0.01, l1_ratio=0.5, tol=1e-12, max_iter=1_000_000).fit(X, y)
    assert np.abs(ours.coef_ - enet.coef_).max() <= 1e-7 * np.abs(enet.coef_).max()


@pytest.mark.parametrize("alpha", [0.05, 0.5, 2.0])
def test_l1_matches_lasso(diabetes, alpha):
    """penalty='l1' is Lasso, whatever l1_ratio says."""
    X, y = diabetes
    ours = linear_regressor(penalty="l1", alpha=alpha, l1_ratio=0.3).fit(X, y)
    lasso = Lasso(alpha=alpha, tol=1e-10, max_iter=1_000_000).fit(X, y)
    assert_same_solution(ours.coef_, lasso.coef_)
    assert (ours.coef_ == 0).sum() > 0


@pytest.mark.parametrize("alpha", [1e-4, 1e-2])
def test_l2_matches_ridge(diabetes, alpha):
    """penalty='l2' is Ridge with Ridge's alpha = n_samples * alpha."""
    X, y = diabetes
    ours = linear_regressor(penalty="l2", alpha=alpha, l1_ratio=0.9).fit(X, y)
    ridge = Ridge(alpha=alpha * X.shape[0]).fit(X, y)
    assert_same_solution(ours.coef_, ridge.coef_)
    np.testing.assert_allclose(ours.intercept_, ridge.intercept_, rtol=1e-6)


def test_multi_target_matches_elastic_net():
    """A 2-D y gives ElasticNet's (n_targets, n_features) coefficients."""
    X, Y = make_regression(
        n_samples=120, n_features=15, n_informative=5, n_targets=3, noise=1.0, random_state=0
    )
    ours = linear_regressor(alpha=0.5, l1_ratio=0.8).fit(X, Y)
    enet = ElasticNet(alpha=0.5, l1_ratio=0.8, tol=1e-10, max_iter=1_000_000).fit(X, Y)
    assert ours.coef_.shape == enet.coef_.shape == (3, 15)
    assert_same_solution(ours.coef_, enet.coef_)
    np.testing.assert_allclose(ours.intercept_, enet.intercept_, rtol=1e-5, atol=1e-8)


def test_sample_weight_matches_elastic_net(diabetes):
    """Weighted fits agree with ElasticNet's weighted fit (weights normalized)."""
    X, y = diabetes
    rng = np.random.RandomState(0)
    weights = rng.uniform(0.2, 3.0, size=X.shape[0])
    weights[:30] = 0.0
    ours = linear_regressor(alpha=0.02, l1_ratio=0.6).fit(X, y, sample_weight=weights)
    enet = ElasticNet(alpha=0.02, l1_ratio=0.6, tol=1e-10, max_iter=1_000_000)
    # ElasticNet rescales sample_weight to sum to n_samples; ours to 1: same problem.
    enet.fit(X, y, sample_weight=weights)
    assert_same_solution(ours.coef_, enet.coef_)
    theirs = enet_objective(X, y, enet.coef_, enet.intercept_, 0.02, 0.6, weights)
    assert ours.loss_ <= theirs * (1 + 1e-12)


@pytest.mark.parametrize(
    "n_classes, seed, penalty", [(3, 42, "l1"), (4, 1, "l1"), (2, 42, "elasticnet")]
)
def test_weighted_classifier_is_the_repeated_one_to_rounding(n_classes, seed, penalty):
    """Integer weights and repeated rows are the same problem, so at the default
    tol the two fits must agree far beyond check_estimator's rtol=1e-7. On these
    near-separable draws of its data (30 features, 15 rows) the exact re-solve on
    the support used to stop where the objective's rounding hid its progress, 1e-8
    apart, so the check passed or failed with the BLAS kernel of the machine."""
    rng = np.random.RandomState(seed)
    X = rng.rand(15, 30)
    y = rng.randint(0, n_classes, size=15)
    weights = rng.randint(0, 5, size=15)
    params = dict(hidden_layer_sizes=(), penalty=penalty, solver="fista", random_state=0)
    repeated = RegularizedMLPClassifier(**params).fit(
        X.repeat(weights, axis=0), y.repeat(weights)
    )
    # The check's row order: the weighted rows shuffled.
    order = np.random.RandomState(0).permutation(15)
    weighted = RegularizedMLPClassifier(**params).fit(
        X[order], y[order], sample_weight=weights[order]
    )
    scale = np.abs(repeated.coefs_[0]).max()
    np.testing.assert_allclose(weighted.coefs_[0], repeated.coefs_[0], rtol=0, atol=1e-10 * scale)
    np.testing.assert_allclose(weighted.predict_proba(X), repeated.predict_proba(X), rtol=1e-9)


@pytest.mark.parametrize("seed", range(4))
def test_badly_scaled_l2_classifier_converges_to_logistic_regression(seed):
    """Features on scales 200 apart: FISTA alone crawls, and the certificate's
    exact re-solve on the support does the work. Its Newton steps lower the
    objective while the largest gradient entry grows at first; stopping there
    left every fit at max_iter, 10-40% off."""
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(93, 2)) * [0.05, 10.0]
    y = (X @ [20.0, 0.1] + rng.normal(size=93) > 0).astype(int)
    weights = rng.randint(0, 4, size=93).astype(float)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        ours = RegularizedMLPClassifier(
            hidden_layer_sizes=(), solver="fista", penalty="l2", alpha=1e-3, tol=1e-10
        ).fit(X, y, sample_weight=weights)
    # Weights summing to n act as n samples in LogisticRegression's C.
    reference = logistic_regression(1e-3, 0.0, weights.sum(), solver="lbfgs", tol=1e-14)
    reference.fit(X, y, sample_weight=weights)
    assert_same_solution(ours.coef_, reference.coef_)


def logistic_objective(clf, X, y, alpha, l1_ratio):
    """Mean log-loss plus our penalty, from predict_proba and coef_."""
    proba = clf.predict_proba(X)
    indices = np.searchsorted(clf.classes_, y)
    loss = -np.mean(np.log(proba[np.arange(len(y)), indices]))
    W = clf.coef_
    return loss + alpha * l1_ratio * np.abs(W).sum() + 0.5 * alpha * (1 - l1_ratio) * (W**2).sum()


@pytest.mark.parametrize("loader", [load_breast_cancer, load_wine], ids=["binary", "multiclass"])
@pytest.mark.parametrize("alpha, l1_ratio", [(0.01, 1.0), (0.01, 0.5), (1e-3, 0.0)])
def test_matches_logistic_regression(loader, alpha, l1_ratio):
    """Binary and multinomial fits equal LogisticRegression(C=1/(n alpha), saga)."""
    X, y = loader(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    n = X.shape[0]
    ours = linear_classifier(alpha=alpha, l1_ratio=l1_ratio).fit(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # saga's and the 'penalty' deprecation notices
        reference = logistic_regression(alpha, l1_ratio, n).fit(X, y)
    assert ours.coef_.shape == reference.coef_.shape
    assert_same_solution(ours.coef_, reference.coef_)
    intercepts = reference.intercept_
    if intercepts.size > 1:  # softmax intercepts are defined up to a common shift
        intercepts = intercepts - intercepts.mean()
    np.testing.assert_allclose(ours.intercept_, intercepts, atol=1e-4 * np.abs(intercepts).max())
    ours_value = logistic_objective(ours, X, y, alpha, l1_ratio)
    assert ours_value <= logistic_objective(reference, X, y, alpha, l1_ratio) * (1 + 1e-10)
    np.testing.assert_allclose(ours.loss_, ours_value, rtol=1e-10)


def test_sparse_input_matches_dense(diabetes):
    """CSR input gives the dense solution (and so ElasticNet's)."""
    import scipy.sparse as sp

    X, y = diabetes
    X = np.where(np.abs(X) < 0.02, 0.0, X)
    dense = linear_regressor(alpha=0.01, l1_ratio=0.9).fit(X, y)
    sparse = linear_regressor(alpha=0.01, l1_ratio=0.9).fit(sp.csr_matrix(X), y)
    assert_same_solution(sparse.coef_, dense.coef_)


@pytest.mark.parametrize("feature_offset, target_offset", [(100.0, 0.0), (0.0, 1e6), (10.0, 1e6)])
def test_offsets_in_features_and_target(diabetes, feature_offset, target_offset):
    """Raw (uncentered) features and a target far from 0 change nothing.

    FISTA works in centered coordinates (offsets in X would otherwise couple the
    intercept to the weights and stall it), and the gap is computed so that a large
    mean of y does not cancel it away; both must still certify ElasticNet's solution.
    """
    X, y = diabetes
    X, y = X + feature_offset, y + target_offset
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no ConvergenceWarning: the gap certified
        ours = linear_regressor(alpha=0.01, l1_ratio=0.7).set_params(max_iter=2000).fit(X, y)
    enet = ElasticNet(alpha=0.01, l1_ratio=0.7, tol=1e-12, max_iter=1_000_000).fit(X, y)
    assert_same_solution(ours.coef_, enet.coef_)
    assert abs(ours.intercept_ - enet.intercept_) <= 1e-8 * abs(enet.intercept_)


def test_offset_sparse_features_match_dense(diabetes):
    """Centering is implicit, so sparse X with large offsets stays sparse and exact."""
    import scipy.sparse as sp

    X, y = diabetes
    X = np.where(np.abs(X) < 0.02, 0.0, X)
    X[:, :3] += 50.0 * (X[:, :3] != 0)  # offsets on the non-zeros only
    sparse = linear_regressor(alpha=0.01, l1_ratio=0.9).set_params(max_iter=5000)
    sparse.fit(sp.csr_matrix(X), y)
    enet = ElasticNet(alpha=0.01, l1_ratio=0.9, tol=1e-12, max_iter=1_000_000).fit(X, y)
    assert_same_solution(sparse.coef_, enet.coef_)


def _awkward_lasso_problem(kind, rng):
    """Data on which the lasso's duality gap or exact solve is delicate."""
    if kind == "nearly collinear":
        # Two columns repeat two others up to 1e-5, and the target uses the
        # difference: the support's system is regular but has condition ~1e10.
        Z = rng.normal(size=(40, 6))
        X = np.hstack([Z, Z[:, :2] + 1e-5 * rng.normal(size=(40, 2))])
        y = Z @ rng.normal(size=6) + 1e4 * (X[:, 6] - X[:, 0]) + 0.01 * rng.normal(size=40)
        return X, y, 1e-3
    if kind == "feature offsets 1e4, p > n":
        X = rng.normal(size=(25, 60)) + 1e4
        y = X[:, :5] @ rng.normal(size=5) + 0.1 * rng.normal(size=25) + 1e6
    else:  # float32, p > n
        X = rng.normal(size=(20, 86)).astype(np.float32)
        y = (X[:, :5] @ rng.normal(size=5)).astype(np.float32)
    Xc, yc = X - X.mean(axis=0), y - y.mean()
    return X, y, 0.01 * float(np.abs(Xc.T @ yc).max()) / X.shape[0]


@pytest.mark.parametrize(
    "kind", ["nearly collinear", "feature offsets 1e4, p > n", "float32, p > n"]
)
def test_tight_tol_is_certified_on_awkward_data(kind):
    """At tol=1e-10 the duality gap certifies Lasso's objective without running out
    of iterations: a regular but ill-conditioned support is solved (not mistaken
    for a singular one), the gap's gradient is centered exactly (offsets would
    otherwise leave a floor under it), and float32 sample weights are renormalized
    in float64 (their sum is 1e-8 off)."""
    X, y, alpha = _awkward_lasso_problem(kind, np.random.RandomState(0))
    model = RegularizedMLPRegressor(
        hidden_layer_sizes=(), solver="fista", penalty="l1", alpha=alpha, tol=1e-10, max_iter=5000
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a ConvergenceWarning fails the test
        model.fit(X, y)
    X64, y64 = X.astype(np.float64), y.astype(np.float64)
    lasso = Lasso(alpha=alpha, tol=1e-14, max_iter=10**6).fit(X64, y64)
    ours = enet_objective(X64, y64, model.coef_.astype(np.float64), model.intercept_, alpha, 1.0)
    theirs = enet_objective(X64, y64, lasso.coef_, lasso.intercept_, alpha, 1.0)
    assert ours <= theirs * (1 + 1e-7)


@pytest.mark.parametrize("sparse", [False, True])
@pytest.mark.parametrize(
    "settings", [dict(penalty=None), dict(penalty="l1", alpha=0.0), dict(penalty="l2", alpha=0.0)]
)
def test_unpenalized_least_squares_is_linear_regression_and_converges(diabetes, settings, sparse):
    """Without a penalty the regressor solves ordinary least squares exactly, as
    LinearRegression does, and says it converged. No duality gap certifies the
    zero penalty (its conjugate is finite only at 0), so these fits used to run to
    max_iter and warn, with the answer already exact."""
    import scipy.sparse as sp

    X, y = diabetes
    weights = np.random.RandomState(0).uniform(0.5, 2.0, size=y.shape[0])
    reference = LinearRegression().fit(X, y, sample_weight=weights)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no ConvergenceWarning
        ours = RegularizedMLPRegressor(
            hidden_layer_sizes=(), solver="fista", max_iter=200, **settings
        ).fit(sp.csr_matrix(X) if sparse else X, y, sample_weight=weights)
    assert ours.n_iter_ < 200
    np.testing.assert_allclose(ours.coef_, reference.coef_, rtol=1e-9)
    np.testing.assert_allclose(ours.intercept_, reference.intercept_, rtol=1e-9)
