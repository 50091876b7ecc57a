"""Unit tests of the optimizers in ``sklearn_regnn.solvers``: one-step hand
computations for proximal SGD and Adam, the parameter packing, and FISTA on a
convex lasso (against scikit-learn) and on a small network (monotonicity)."""

import numpy as np
import pytest
from sklearn.linear_model import Lasso

from sklearn_regnn._linear import LinearCertificate
from sklearn_regnn._network import DataLoss, ParameterPacking, init_params
from sklearn_regnn.penalties import ElasticNet
from sklearn_regnn.solvers import ProximalAdam, ProximalSGD, fista


def shrink(z, t):
    """Soft-thresholding written out, independent of the package's helper."""
    return np.sign(z) * np.maximum(np.abs(z) - t, 0.0)


def small_state(seed=0):
    rng = np.random.RandomState(seed)
    coefs = [rng.normal(size=(3, 2)), rng.normal(size=(2, 1))]
    intercepts = [rng.normal(size=2), rng.normal(size=1)]
    return coefs, intercepts


def flat_state(coefs, intercepts):
    """The optimizers' layout: the packing, the flat parameters, and the lists of
    weight matrices and intercepts as views of them."""
    packing = ParameterPacking.like(coefs)
    params = packing.pack(coefs, intercepts)
    return packing, params, *packing.unpack(params)


def random_grads(rng, coefs, intercepts, scale=1.0):
    return (
        [rng.normal(scale=scale, size=W.shape) for W in coefs],
        [rng.normal(scale=scale, size=b.shape) for b in intercepts],
    )


def test_sgd_plain_step_by_hand():
    """ProximalSGD without momentum: p - lr * g, then the prox on the weights only."""
    packing, params, coefs, intercepts = flat_state(*small_state())
    rng = np.random.RandomState(1)
    coef_grads, intercept_grads = random_grads(rng, coefs, intercepts)
    lr = 0.3
    penalty = ElasticNet(alpha=1.0, l1_ratio=0.6)  # l1 0.6, l2 0.4
    expected_coefs = [
        shrink(W - lr * G, lr * 0.6) / (1 + lr * 0.4) for W, G in zip(coefs, coef_grads)
    ]
    expected_intercepts = [b - lr * g for b, g in zip(intercepts, intercept_grads)]
    opt = ProximalSGD(packing, lr, "constant", 0.0, False, 0.5)
    opt.update(params, packing.pack(coef_grads, intercept_grads), penalty)
    for got, want in zip(coefs + intercepts, expected_coefs + expected_intercepts):
        np.testing.assert_allclose(got, want, rtol=1e-14, atol=1e-15)
    assert any(np.any(W == 0.0) for W in coefs)  # the threshold bit somewhere


@pytest.mark.parametrize("nesterov", [False, True])
def test_sgd_momentum_steps_by_hand(nesterov):
    """ProximalSGD with momentum 0.9: three steps match the velocity recursion, the
    prox, and the prox's correction fed back into the weights' velocities."""
    packing, params, coefs, intercepts = flat_state(*small_state(2))
    rng = np.random.RandomState(3)
    lr, mu = 0.1, 0.9
    penalty = ElasticNet(alpha=0.5, l1_ratio=1.0)
    opt = ProximalSGD(packing, lr, "constant", mu, nesterov, 0.5)
    expected = [p.copy() for p in coefs + intercepts]
    velocities = [np.zeros_like(p) for p in params]
    for _ in range(3):
        coef_grads, intercept_grads = random_grads(rng, coefs, intercepts)
        grads = coef_grads + intercept_grads
        for k, (p, g) in enumerate(zip(expected, grads)):
            velocities[k] = mu * velocities[k] - lr * g
            step = mu * velocities[k] - lr * g if nesterov else velocities[k]
            expected[k] = p + step
        for k in range(len(coefs)):
            shrunk = shrink(expected[k], lr * 0.5)
            correction = shrunk - expected[k]
            velocities[k] = velocities[k] + (correction / mu if nesterov else correction)
            expected[k] = shrunk
        opt.update(params, packing.pack(coef_grads, intercept_grads), penalty)
        for got, want in zip(coefs + intercepts, expected):
            np.testing.assert_allclose(got, want, rtol=1e-13, atol=1e-15)


def test_sgd_zero_penalty_skips_prox():
    """With a zero penalty the SGD step is the bare gradient step."""
    packing, params, coefs, intercepts = flat_state(*small_state(4))
    rng = np.random.RandomState(5)
    coef_grads, intercept_grads = random_grads(rng, coefs, intercepts, scale=1e-3)
    expected = [p - 0.01 * g for p, g in zip(coefs + intercepts, coef_grads + intercept_grads)]
    opt = ProximalSGD(packing, 0.01, "constant", 0.0, False, 0.5)
    opt.update(params, packing.pack(coef_grads, intercept_grads), ElasticNet(0.0, 1.0))
    for got, want in zip(coefs + intercepts, expected):
        np.testing.assert_allclose(got, want, rtol=1e-15)


def test_sgd_invscaling_schedule():
    """'invscaling' sets lr = lr_init / (t + 1) ** power_t; 'constant' never changes."""
    packing, params, coefs, intercepts = flat_state(*small_state())
    opt = ProximalSGD(packing, 0.1, "invscaling", 0.0, False, 0.5)
    opt.iteration_ends(99)
    assert opt.learning_rate == pytest.approx(0.01, rel=1e-14)
    opt.iteration_ends(15)
    assert opt.learning_rate == pytest.approx(0.025, rel=1e-14)
    opt = ProximalSGD(packing, 0.2, "invscaling", 0.0, False, 0.25)
    opt.iteration_ends(80)
    assert opt.learning_rate == pytest.approx(0.2 / 3.0, rel=1e-14)
    constant = ProximalSGD(packing, 0.1, "constant", 0.0, False, 0.5)
    constant.iteration_ends(99)
    assert constant.learning_rate == 0.1


def test_sgd_adaptive_trigger_stopping():
    """'adaptive' divides lr by 5 on each stall until below 1e-6, then stops."""
    packing, params, coefs, intercepts = flat_state(*small_state())
    opt = ProximalSGD(packing, 1e-3, "adaptive", 0.0, False, 0.5)
    rates = [opt.learning_rate]
    while not opt.trigger_stopping():
        rates.append(opt.learning_rate)
        assert len(rates) < 100
    # 1e-3 -> 2e-4 -> 4e-5 -> 8e-6 -> 1.6e-6 -> 3.2e-7 (<= 1e-6: stop at the next stall)
    np.testing.assert_allclose(rates, 1e-3 / 5.0 ** np.arange(6), rtol=1e-13)
    assert opt.learning_rate <= 1e-6
    assert opt.trigger_stopping()
    for schedule in ("constant", "invscaling"):
        other = ProximalSGD(packing, 1e-3, schedule, 0.0, False, 0.5)
        assert other.trigger_stopping()
        assert other.learning_rate == 1e-3


def test_adam_two_steps_by_hand():
    """ProximalAdam: two steps match bias-corrected Adam plus a per-coordinate prox."""
    packing, params, coefs, intercepts = flat_state(*small_state(6))
    rng = np.random.RandomState(7)
    lr, b1, b2, eps = 0.05, 0.9, 0.999, 1e-8
    alpha, l1_ratio = 0.4, 0.5
    penalty = ElasticNet(alpha, l1_ratio)
    opt = ProximalAdam(packing, lr, b1, b2, eps)
    expected = [p.copy() for p in coefs + intercepts]
    m = [np.zeros_like(p) for p in params]
    v = [np.zeros_like(p) for p in params]
    for t in (1, 2):
        coef_grads, intercept_grads = random_grads(rng, coefs, intercepts)
        # Tiny intercept gradients: a threshold on the intercepts would zero their steps.
        intercept_grads = [1e-3 * g for g in intercept_grads]
        for k, g in enumerate(coef_grads + intercept_grads):
            m[k] = b1 * m[k] + (1 - b1) * g
            v[k] = b2 * v[k] + (1 - b2) * g**2
            m_hat = m[k] / (1 - b1**t)
            root_v_hat = np.sqrt(v[k]) / np.sqrt(1 - b2**t)
            if k < len(coefs):
                # The scale is bounded below by the penalty's own pull on the weight.
                pull = alpha * l1_ratio + alpha * (1 - l1_ratio) * np.abs(expected[k])
                root_v_hat = np.maximum(root_v_hat, pull)
            step = lr / (root_v_hat + eps / np.sqrt(1 - b2**t))
            expected[k] = expected[k] - step * m_hat
            if k < len(coefs):
                expected[k] = shrink(expected[k], step * alpha * l1_ratio) / (
                    1 + step * alpha * (1 - l1_ratio)
                )
        before = [b.copy() for b in intercepts]
        opt.update(params, packing.pack(coef_grads, intercept_grads), penalty)
        for got, want in zip(coefs + intercepts, expected):
            np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-15)
        # Intercepts moved by the plain Adam step, not thresholded: a threshold of
        # step * alpha * l1_ratio (large here, since the gradients are tiny) would
        # have set them to 0.
        for b, b_before in zip(intercepts, before):
            assert np.all(b != 0.0)
            assert np.all(b != b_before)
    assert opt.t == 2


def test_adam_small_gradient_keeps_zero_weight():
    """A zero weight whose gradients stay below alpha * l1_ratio stays exactly 0."""
    rng = np.random.RandomState(8)
    alpha, l1_ratio = 0.2, 0.5  # l1 strength 0.1
    penalty = ElasticNet(alpha, l1_ratio)
    coefs = [rng.normal(size=(4, 3))]
    coefs[0][:, 0] = 0.0  # the column that gets small gradients
    intercepts = [np.zeros(3)]
    packing, params, coefs, intercepts = flat_state(coefs, intercepts)
    opt = ProximalAdam(packing, 0.1, 0.9, 0.999, 1e-8)
    for _ in range(30):
        G = rng.normal(size=(4, 3))
        G[:, 0] = rng.uniform(-0.09, 0.09, size=4)
        opt.update(params, packing.pack([G], [rng.normal(size=3)]), penalty)
        assert np.all(coefs[0][:, 0] == 0.0)
    assert np.any(coefs[0][:, 1:] != 0.0)  # the other weights do move
    assert np.any(intercepts[0] != 0.0)


def test_parameter_packing_round_trip_and_views():
    """pack/unpack round-trips, weights come first, and unpack returns views."""
    coefs, intercepts = small_state(9)
    packing = ParameterPacking.like(coefs)
    assert packing.size == 6 + 2 + 2 + 1
    flat = packing.pack(coefs, intercepts)
    assert flat.shape == (11,)
    np.testing.assert_array_equal(flat[:6], coefs[0].ravel())
    np.testing.assert_array_equal(flat[6:8], coefs[1].ravel())
    np.testing.assert_array_equal(flat[8:10], intercepts[0])
    np.testing.assert_array_equal(flat[10:], intercepts[1])
    out_coefs, out_intercepts = packing.unpack(flat)
    for got, want in zip(out_coefs + out_intercepts, coefs + intercepts):
        assert got.shape == want.shape
        np.testing.assert_array_equal(got, want)
        assert np.shares_memory(got, flat)
    out_coefs[1][1, 0] = 123.0
    assert flat[7] == 123.0
    out_intercepts[0][:] = -1.0
    np.testing.assert_array_equal(flat[8:10], -1.0)
    buffer = np.zeros(11)
    assert packing.pack(coefs, intercepts, out=buffer) is buffer
    np.testing.assert_array_equal(buffer, packing.pack(coefs, intercepts))


def assert_non_increasing(curve, rel=1e-12):
    curve = np.asarray(curve)
    assert curve.size >= 2
    assert np.all(curve[1:] <= curve[:-1] + rel * np.abs(curve[:-1]))


def test_fista_lasso_matches_sklearn():
    """FISTA with the linear certificate reaches sklearn's Lasso solution."""
    rng = np.random.RandomState(10)
    n, p, alpha = 60, 12, 0.05
    X = rng.normal(size=(n, p))
    beta = np.zeros(p)
    beta[:5] = [2.0, -1.5, 1.0, 0.5, -0.3]
    y = X @ beta + 0.5 + 0.3 * rng.normal(size=n)
    Y = y[:, None]
    sw = np.full(n, 1.0 / n)
    penalty = ElasticNet(alpha, 1.0)
    smooth = DataLoss(X, Y, sw, "identity", "identity")
    certificate = LinearCertificate(X, Y, sw, penalty, "identity", tol=1e-12)
    result = fista(
        smooth,
        [np.zeros((p, 1))],
        [np.zeros(1)],
        penalty,
        max_iter=20_000,
        tol=1e-10,
        certificate=certificate,
    )
    lasso = Lasso(alpha=alpha, tol=1e-12, max_iter=1_000_000).fit(X, y)
    assert result.converged
    scale = np.abs(lasso.coef_).max()
    np.testing.assert_allclose(result.coefs[0].ravel(), lasso.coef_, rtol=0, atol=1e-6 * scale)
    assert result.intercepts[0][0] == pytest.approx(lasso.intercept_, rel=1e-6)
    np.testing.assert_array_equal(result.coefs[0].ravel() == 0, lasso.coef_ == 0)
    assert 0 < np.count_nonzero(lasso.coef_) < p  # a genuinely sparse problem
    expected_objective = smooth.value(result.coefs, result.intercepts) + penalty.value(
        result.coefs
    )
    assert result.objective == pytest.approx(expected_objective, rel=1e-12)
    assert_non_increasing(result.objective_curve)


def test_fista_network_is_monotone():
    """FISTA on a 1-hidden-layer network decreases the objective monotonically."""
    rng = np.random.RandomState(11)
    X = rng.normal(size=(40, 4))
    Y = np.sin(X[:, :1]) + 0.5 * X[:, 1:2] ** 2
    sw = np.full(40, 1.0 / 40)
    coefs, intercepts = init_params([4, 5, 1], "tanh", rng)
    start = [W.copy() for W in coefs + intercepts]
    penalty = ElasticNet(0.01, 0.7)
    smooth = DataLoss(X, Y, sw, "tanh", "identity")
    initial = smooth.value(coefs, intercepts) + penalty.value(coefs)
    result = fista(smooth, coefs, intercepts, penalty, max_iter=300, tol=1e-8)
    curve = result.objective_curve
    assert len(curve) > 10
    assert_non_increasing(curve)
    assert curve[-1] < curve[0] <= initial * (1 + 1e-12)
    assert curve[-1] < 0.8 * initial
    assert result.objective == curve[-1]
    assert result.objective == pytest.approx(
        smooth.value(result.coefs, result.intercepts) + penalty.value(result.coefs),
        rel=1e-12,
    )
    for original, now in zip(start, coefs + intercepts):
        np.testing.assert_array_equal(original, now)  # the starting point is not modified


@pytest.mark.parametrize("nesterov", [False, True])
def test_sgd_momentum_fixed_point_is_the_lasso_solution(nesterov):
    """Full-batch proximal SGD with momentum converges to the lasso optimum with the
    full alpha: a velocity that ignored the prox would solve it for alpha * (1 - mu)."""
    rng = np.random.RandomState(0)
    n, p, alpha = 200, 6, 0.1
    X = rng.normal(size=(n, p))
    y = X @ np.array([1.0, -0.5, 0.2, 0.0, 0.0, 0.05]) + 0.1 * rng.normal(size=n)
    X -= X.mean(axis=0)
    y -= y.mean()
    reference = Lasso(alpha=alpha, fit_intercept=False, tol=1e-12, max_iter=100_000)
    reference.fit(X, y)
    packing, params, coefs, intercepts = flat_state([np.zeros((p, 1))], [np.zeros(1)])
    opt = ProximalSGD(packing, 0.05, "constant", 0.9, nesterov, 0.5)
    penalty = ElasticNet(alpha=alpha, l1_ratio=1.0)
    for _ in range(3000):
        residual = X @ coefs[0] + intercepts[0] - y[:, None]
        coef_grads = [X.T @ residual / n]
        intercept_grads = [residual.mean(axis=0)]
        opt.update(params, packing.pack(coef_grads, intercept_grads), penalty)
    np.testing.assert_allclose(coefs[0].ravel(), reference.coef_, atol=1e-8)
    np.testing.assert_array_equal(coefs[0].ravel() == 0, reference.coef_ == 0)


@pytest.mark.parametrize("activation", ["relu", "tanh"])
def test_fista_on_a_network_stops_when_the_objective_stalls(activation):
    """ReLU kinks keep the gradient mapping from vanishing; the stall rule (relative
    decrease below tol over n_iter_no_change iterations) ends the run well before
    max_iter, monotonically and without a ConvergenceWarning."""
    import warnings

    from sklearn.datasets import make_regression

    from sklearn_regnn import RegularizedMLPRegressor

    X, y = make_regression(200, 10, noise=1.0, random_state=0)
    net = RegularizedMLPRegressor(
        (20,),
        activation=activation,
        solver="fista",
        penalty="l1",
        alpha=1e-3,
        max_iter=5000,
        random_state=0,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        net.fit(X, y / y.std())
    assert net.n_iter_ < 5000
    curve = np.asarray(net.loss_curve_)
    assert np.all(np.diff(curve) <= 1e-12 * np.abs(curve[1:]))
    if activation == "relu":  # (tanh is smooth: its gradient mapping vanishes first)
        window = curve[-1 - net.n_iter_no_change]
        assert window - curve[-1] <= net.tol * curve[-1]
    assert net.score(X, y / y.std()) > 0.99


def test_fista_linear_constant_target_stops_at_once():
    """A constant y is solved by the intercept alone: the first prox-gradient step does
    not move, which is an exact fixed point (no step-size underflow, no warnings)."""
    import warnings

    from sklearn_regnn import RegularizedMLPRegressor

    X = np.random.RandomState(0).normal(size=(50, 4))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        linear = RegularizedMLPRegressor((), solver="fista").fit(X, np.full(50, 3.0))
    assert linear.n_iter_ <= 2
    assert np.all(linear.coef_ == 0.0)
    np.testing.assert_allclose(linear.predict(X), 3.0, rtol=1e-15)
