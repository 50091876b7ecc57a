"""Unit tests of the convex (no hidden layer) machinery in ``sklearn_regnn._linear``:
the optimal intercept, the Fenchel duality gap and the polishing on a support."""

import warnings

import numpy as np
import pytest
from _reference import logistic_regression
from scipy.special import expit, softmax
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import ElasticNet as SkElasticNet
from sklearn.linear_model import Lasso, Ridge

from sklearn_regnn._linear import (
    LinearCertificate,
    duality_gap,
    optimal_intercept,
    polish_on_support,
)
from sklearn_regnn._losses import LOSS_OF_OUTPUT_ACTIVATION
from sklearn_regnn.penalties import ElasticNet
from sklearn_regnn.solvers._newton import damped_newton, newton_direction

OUT_ACTIVATIONS = ["identity", "logistic", "softmax"]


def make_data(out_activation, n_samples=80, n_features=5, n_outputs=None, seed=0):
    """Standardized features, targets for the loss, and weights summing to 1."""
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n_samples, n_features))
    X = (X - X.mean(axis=0)) / X.std(axis=0)
    beta = rng.normal(size=n_features)
    beta[-2:] = 0.0
    signal = X @ beta
    if out_activation == "identity":
        k = n_outputs or 2
        Y = signal[:, None] * np.arange(1, k + 1) + 0.5 + rng.normal(size=(n_samples, k))
        Y = Y[:, :k]
    elif out_activation == "logistic":
        k = n_outputs or 3
        Z = signal[:, None] + rng.normal(scale=1.5, size=(n_samples, k))
        Y = (Z > 0.3).astype(float)
    else:
        k = n_outputs or 4
        logits = np.outer(signal, np.linspace(-1, 1, k)) + rng.normal(size=(n_samples, k))
        Y = np.eye(k)[logits.argmax(axis=1)]
    sw = rng.uniform(0.2, 2.0, size=n_samples)
    return X, Y, sw / sw.sum()


def activate(Z, out_activation):
    if out_activation == "identity":
        return Z
    if out_activation == "logistic":
        return expit(Z)
    return softmax(Z, axis=1)


def test_optimal_intercept_squared_is_weighted_mean_residual():
    """For the squared error, the optimal intercept is the weighted mean residual."""
    X, Y, sw = make_data("identity")
    W = np.random.RandomState(1).normal(size=(X.shape[1], Y.shape[1]))
    XW = X @ W
    b = optimal_intercept(XW, Y, sw, "identity", np.array([5.0, -5.0]))
    np.testing.assert_allclose(b, np.average(Y - XW, weights=sw, axis=0), rtol=1e-13)
    # And it zeroes the gradient with respect to the intercept.
    np.testing.assert_allclose(sw @ (XW + b - Y), 0.0, atol=1e-13)


@pytest.mark.parametrize("out_activation", ["logistic", "softmax"])
def test_optimal_intercept_log_losses_zero_gradient(out_activation):
    """For the log-losses, the intercept gradient is ~0 after optimal_intercept."""
    X, Y, sw = make_data(out_activation)
    W = np.random.RandomState(2).normal(size=(X.shape[1], Y.shape[1]))
    XW = X @ W
    start = np.zeros(Y.shape[1])
    gradient_before = sw @ (activate(XW + start, out_activation) - Y)
    assert np.max(np.abs(gradient_before)) > 1e-3  # there is something to fix
    b = optimal_intercept(XW, Y, sw, out_activation, start)
    gradient = sw @ (activate(XW + b, out_activation) - Y)
    np.testing.assert_allclose(gradient, 0.0, atol=1e-10)
    loss = LOSS_OF_OUTPUT_ACTIVATION[out_activation]
    assert loss(XW + b, Y, sw) < loss(XW + start, Y, sw)


@pytest.mark.parametrize("l1_ratio", [0.5, 1.0])
@pytest.mark.parametrize("out_activation", OUT_ACTIVATIONS)
def test_duality_gap_non_negative_at_random_points(out_activation, l1_ratio):
    """The duality gap is >= 0 (weak duality) at random weights with optimal intercept."""
    X, Y, sw = make_data(out_activation, seed=3)
    rng = np.random.RandomState(4)
    penalty = ElasticNet(0.05, l1_ratio)
    loss = LOSS_OF_OUTPUT_ACTIVATION[out_activation]
    for scale in (0.0, 0.01, 0.3, 1.0, 3.0):
        W = scale * rng.normal(size=(X.shape[1], Y.shape[1]))
        W[rng.uniform(size=W.shape) < 0.3] = 0.0
        b = optimal_intercept(X @ W, Y, sw, out_activation, np.zeros(Y.shape[1]))
        primal, dual, gap = duality_gap(X, Y, sw, W, b, penalty, out_activation)
        assert primal == pytest.approx(loss(X @ W + b, Y, sw) + penalty.value([W]), rel=1e-12)
        assert np.isfinite(dual)
        assert gap == pytest.approx(primal - dual, rel=1e-12, abs=1e-15)
        assert gap >= -1e-12 * max(1.0, abs(primal))
        if scale >= 1.0:
            assert gap > 1e-6  # far from optimal: the gap says so


def fit_reference(out_activation, X, Y, alpha, l1_ratio):
    """sklearn's solution of the same problem, as (W, b) shaped like ours."""
    n_samples = X.shape[0]
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        if out_activation == "identity":
            if l1_ratio == 0:  # coordinate descent is slow here; Ridge is exact
                model = Ridge(alpha=n_samples * alpha)
            else:
                model = SkElasticNet(alpha=alpha, l1_ratio=l1_ratio, tol=1e-12, max_iter=1_000_000)
            model.fit(X, Y)
            return model.coef_.reshape(Y.shape[1], -1).T, np.atleast_1d(model.intercept_)
        solver = "lbfgs" if l1_ratio == 0 else "saga"
        model = logistic_regression(
            alpha, l1_ratio, n_samples, solver=solver, tol=1e-12 if solver == "saga" else 1e-14
        )
        labels = Y[:, 0] if out_activation == "logistic" else Y.argmax(axis=1)
        model.fit(X, labels)
        return model.coef_.T.copy(), model.intercept_.copy()


@pytest.mark.parametrize("l1_ratio", [0.0, 0.5, 1.0])
@pytest.mark.parametrize("out_activation", OUT_ACTIVATIONS)
def test_duality_gap_tiny_at_sklearn_solution(out_activation, l1_ratio):
    """At scikit-learn's solution of the same problem the gap is tiny relative to the primal."""
    n_outputs = 1 if out_activation == "logistic" else None
    X, Y, _ = make_data(out_activation, n_samples=60, n_outputs=n_outputs, seed=5)
    n = X.shape[0]
    sw = np.full(n, 1.0 / n)  # sklearn's estimators weight samples uniformly here
    alpha = 0.3 if out_activation == "identity" else 0.02
    W, b_ref = fit_reference(out_activation, X, Y, alpha, l1_ratio)
    penalty = ElasticNet(alpha, l1_ratio)
    b = optimal_intercept(X @ W, Y, sw, out_activation, b_ref)
    primal, _, gap = duality_gap(X, Y, sw, W, b, penalty, out_activation)
    assert gap >= -1e-12 * abs(primal)
    assert gap < 1e-6 * abs(primal)
    if l1_ratio == 1.0:
        assert np.any(W == 0.0)  # the L1 branch of the gap is exercised
    # The same gap is far from tiny at a visibly wrong point.
    W_off = W + 0.1
    b_off = optimal_intercept(X @ W_off, Y, sw, out_activation, b)
    assert duality_gap(X, Y, sw, W_off, b_off, penalty, out_activation)[2] > 1e-4 * abs(primal)


def lasso_problem():
    rng = np.random.RandomState(6)
    n, p, alpha = 50, 8, 0.08
    X = rng.normal(size=(n, p))
    beta = np.array([1.5, -2.0, 0.0, 0.7, 0.0, 0.0, -0.4, 0.0])
    y = X @ beta + 1.0 + 0.2 * rng.normal(size=n)
    lasso = Lasso(alpha=alpha, tol=1e-12, max_iter=1_000_000).fit(X, y)
    return X, y, alpha, lasso


def test_polish_on_support_recovers_lasso():
    """Polishing a perturbed Lasso solution on its exact support lands on Lasso's coefficients."""
    X, y, alpha, lasso = lasso_problem()
    n = X.shape[0]
    Y, sw = y[:, None], np.full(n, 1.0 / n)
    support = lasso.coef_ != 0
    assert 0 < support.sum() < X.shape[1]
    rng = np.random.RandomState(7)
    W = lasso.coef_[:, None].copy()
    W[support, 0] *= 1 + 1e-2 * rng.uniform(-1, 1, size=support.sum())  # same signs
    b = np.array([lasso.intercept_ + 0.05])
    penalty = ElasticNet(alpha, 1.0)
    polished = polish_on_support(X, Y, sw, W, b, penalty, "identity")
    assert polished is not None
    W_new, b_new = polished
    np.testing.assert_allclose(W_new[:, 0], lasso.coef_, rtol=0, atol=1e-8)
    assert b_new[0] == pytest.approx(lasso.intercept_, abs=1e-8)
    assert np.all(W_new[~support] == 0.0)

    # Independent check: the stationarity equations on the support hold exactly.
    residual = X @ W_new[:, 0] + b_new[0] - y
    gradient = X[:, support].T @ residual / n
    np.testing.assert_allclose(
        gradient, -alpha * np.sign(lasso.coef_[support]), rtol=0, atol=1e-12
    )
    assert abs(residual.mean()) < 1e-12


def test_linear_certificate_converges_at_lasso_solution():
    """LinearCertificate reports convergence at Lasso's solution, not at the origin."""
    X, y, alpha, lasso = lasso_problem()
    n = X.shape[0]
    Y, sw = y[:, None], np.full(n, 1.0 / n)
    penalty = ElasticNet(alpha, 1.0)
    certificate = LinearCertificate(X, Y, sw, penalty, "identity", tol=1e-10)
    assert certificate.scale == pytest.approx(np.var(y), rel=1e-12)
    done, _ = certificate([np.zeros((X.shape[1], 1))], [np.zeros(1)])
    assert not done
    done, better = certificate([lasso.coef_[:, None].copy()], [np.array([lasso.intercept_])])
    assert done
    assert better is not None
    assert certificate.gap <= 1e-10 * certificate.scale


def test_optimal_intercept_from_a_far_start_is_damped():
    """Starting 30 logits away (probabilities ~1e-13, curvature ~0) an undamped
    Newton step overshoots; the damped one still reaches a zero gradient."""
    rng = np.random.RandomState(0)
    n = 200
    XW = rng.normal(size=(n, 1))
    Y = (rng.uniform(size=(n, 1)) < 0.3).astype(float)
    s = np.full(n, 1.0 / n)
    b = optimal_intercept(XW, Y, s, "logistic", np.array([30.0]), max_newton=100)
    P = 1.0 / (1.0 + np.exp(-(XW + b)))
    assert abs(float(s @ (P - Y)[:, 0])) <= 1e-12


def test_newton_direction_is_orthogonal_to_the_softmax_shift():
    """A softmax Hessian is singular along a common shift of the logits, but
    rounding leaves it an eigenvalue of about 1e-17 there: a plain least-squares
    solve divides the gradient's rounding error by it and steps along the shift
    only. The direction must solve the system orthogonally to the shift."""
    rng = np.random.RandomState(0)
    Z = 6.0 * rng.normal(size=(15, 3))
    P = softmax(Z, axis=1)
    Y = np.eye(3)[Z.argmax(axis=1)]
    s = np.full(15, 1 / 15)
    weighted = P * s[:, None]
    hessian = np.diag(weighted.sum(axis=0)) - P.T @ weighted
    ones = np.ones(3) / np.sqrt(3)
    # The rounding floor of a confident fit, made explicit (as measured on one: an
    # eigenvalue of 4e-14 of the largest, a gradient 2e-5 of its size along ones).
    hessian += 4e-14 * np.linalg.eigvalsh(hessian).max() * np.outer(ones, ones)
    gradient = s @ (P - Y)
    gradient += 2e-5 * np.linalg.norm(gradient) * ones
    plain = np.linalg.lstsq(hessian, gradient, rcond=None)[0]
    assert abs(ones @ plain) > 1e-3 * np.linalg.norm(plain)  # the failure it prevents
    direction = newton_direction(hessian, gradient, null=ones)
    assert abs(ones @ direction) <= 1e-12 * np.linalg.norm(direction)
    projected = gradient - ones * (ones @ gradient)
    np.testing.assert_allclose(
        hessian @ direction, projected, rtol=0, atol=1e-12 * abs(projected).max()
    )


def test_damped_newton_stops_on_the_gradient_not_on_rounded_values():
    """Near the optimum of a confident log-loss the objective no longer resolves a
    Newton step (it changes by less than its rounding error); the gradient does.
    A step the values cannot judge is accepted on the directional derivative, and
    Newton stops on the gradient: it reaches rounding level, quadratically."""
    rng = np.random.RandomState(3)
    n, k = 15, 3
    XW = 8.0 * rng.normal(size=(n, k))
    Y = np.eye(k)[XW.argmax(axis=1)]
    Y[0] = np.roll(Y[0], 1)  # one mistake keeps the optimum finite
    s = rng.randint(1, 5, n).astype(float)
    s /= s.sum()

    loss = LOSS_OF_OUTPUT_ACTIVATION["softmax"]

    def gradient(b):
        return s @ (softmax(XW + b, axis=1) - Y)

    def value_and_gradient(b):
        return loss(XW + b, Y, s), gradient(b)

    def hessian(b):
        P = softmax(XW + b, axis=1)
        weighted = P * s[:, None]
        return np.diag(weighted.sum(axis=0)) - P.T @ weighted

    b, n_steps = damped_newton(
        np.zeros(k), value_and_gradient, hessian, null=np.ones(k), max_steps=50
    )
    assert n_steps <= 12
    assert np.max(np.abs(gradient(b))) <= 1e-15
    np.testing.assert_allclose(b, optimal_intercept(XW, Y, s, "softmax", np.zeros(k)), atol=1e-12)


def test_optimal_intercept_goes_on_while_the_value_falls():
    """From a start where every probability is saturated the first damped step
    lowers the loss a lot but not the largest gradient entry; Newton must go on
    (it stopped there once, leaving a gradient of 0.32 and a broken dual point)."""
    XW = np.array([[-4.3], [-3.9], [-8.5], [-10.6]])
    Y = np.array([[1.0], [1.0], [1.0], [0.0]])
    s = np.full(4, 0.25)
    b = optimal_intercept(XW, Y, s, "logistic", np.zeros(1))
    assert abs(float(s @ (expit(XW + b) - Y)[:, 0])) <= 1e-12


def test_newton_direction_survives_a_failed_svd(monkeypatch):
    """LAPACK's gelsd can fail to converge on an exactly singular system (it did
    on a support with duplicated columns, with one OpenBLAS thread, and the fit
    raised LinAlgError); the direction then comes from a rank-revealing QR."""
    rng = np.random.RandomState(0)
    A = rng.normal(size=(20, 4))
    A = np.hstack([A, A[:, :1]])  # a duplicated column: singular
    hessian = A.T @ A
    gradient = hessian @ rng.normal(size=5)  # consistent: in the range

    def failing_lstsq(*args, **kwargs):
        raise np.linalg.LinAlgError("SVD did not converge in Linear Least Squares")

    monkeypatch.setattr(np.linalg, "lstsq", failing_lstsq)
    direction = newton_direction(hessian, gradient)
    np.testing.assert_allclose(
        hessian @ direction, gradient, rtol=0, atol=1e-10 * abs(gradient).max()
    )
