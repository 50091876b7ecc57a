"""Unit tests of ``sklearn_regnn.penalties``: soft-thresholding, the elastic-net
value, prox, stationarity measure and Fenchel conjugate, and ``make_penalty``."""

import numpy as np
import pytest
from scipy.optimize import minimize_scalar

from sklearn_regnn.penalties import ElasticNet, make_penalty, soft_threshold


def random_coefs(seed, shapes=((4, 3), (3, 2))):
    rng = np.random.RandomState(seed)
    return [rng.normal(scale=2.0, size=shape) for shape in shapes]


def test_soft_threshold_by_hand():
    """soft_threshold zeroes |z| <= t exactly and shrinks the rest by t, in place."""
    Z = np.array([-3.0, -1.0, -0.5, 0.0, 0.5, 1.0, 1.25, 3.0])
    result = soft_threshold(Z, 1.0)
    assert result is Z
    np.testing.assert_array_equal(Z, [-2.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.25, 2.0])
    assert np.count_nonzero(Z) == 3


def test_soft_threshold_matches_formula_random():
    """soft_threshold equals sign(z) * max(|z| - t, 0) on random data."""
    rng = np.random.RandomState(0)
    Z = rng.normal(size=(20, 5))
    expected = np.sign(Z) * np.maximum(np.abs(Z) - 0.6, 0.0)
    out = soft_threshold(Z.copy(), 0.6)
    np.testing.assert_allclose(out, expected, rtol=1e-15, atol=0)
    assert np.all(out[np.abs(Z) <= 0.6] == 0.0)


def test_soft_threshold_array_threshold():
    """An array threshold applies coordinate-wise (with broadcasting)."""
    Z = np.array([[2.0, 2.0, -2.0], [0.5, -0.5, 3.0]])
    thresholds = np.array([1.0, 2.0, 2.5])  # broadcast over rows
    np.testing.assert_array_equal(
        soft_threshold(Z.copy(), thresholds), [[1.0, 0.0, 0.0], [0.0, 0.0, 0.5]]
    )
    full = np.array([[0.0, 3.0, 1.0], [0.25, 0.5, 4.0]])
    np.testing.assert_array_equal(
        soft_threshold(Z.copy(), full), [[2.0, 0.0, -1.0], [0.25, 0.0, 0.0]]
    )


def one_dimensional_objective(w, z, eta, penalty):
    return (
        (w - z) ** 2 / (2 * eta) + penalty.l1_strength * abs(w) + 0.5 * penalty.l2_strength * w**2
    )


@pytest.mark.parametrize("step_kind", ["scalar", "per_coordinate"])
@pytest.mark.parametrize("alpha", [0.0, 0.5, 2.0])
@pytest.mark.parametrize("l1_ratio", [0.0, 0.3, 1.0])
def test_prox_is_the_minimizer(l1_ratio, alpha, step_kind):
    """prox(z, eta) minimizes (w - z)^2 / (2 eta) + penalty(w) and meets the subgradient rule."""
    penalty = ElasticNet(alpha, l1_ratio)
    rng = np.random.RandomState(1)
    Z = [rng.normal(size=(5, 3)), rng.normal(scale=0.3, size=(2, 4))]
    if step_kind == "scalar":
        steps = [np.full(z.shape, 0.7) for z in Z]
        step_arg = 0.7
    else:
        steps = [rng.uniform(0.05, 2.0, size=z.shape) for z in Z]
        step_arg = [s.copy() for s in steps]
    W = penalty.prox([z.copy() for z in Z], step_arg)
    n_zero = 0
    for z_matrix, w_matrix, eta_matrix in zip(Z, W, steps):
        assert w_matrix.shape == z_matrix.shape
        for z, w, eta in zip(z_matrix.ravel(), w_matrix.ravel(), eta_matrix.ravel()):
            reach = abs(z) + 1.0
            best = minimize_scalar(
                one_dimensional_objective,
                bounds=(-reach, reach),
                args=(z, eta, penalty),
                method="bounded",
                options={"xatol": 1e-12},
            )
            value = one_dimensional_objective(w, z, eta, penalty)
            assert value <= best.fun + 1e-12
            assert w == pytest.approx(best.x, abs=1e-6)
            # Subgradient condition: (z - w) / eta - l2 * w in l1 * d|w|.
            residual = (z - w) / eta - penalty.l2_strength * w
            if w != 0.0:
                assert residual == pytest.approx(penalty.l1_strength * np.sign(w), abs=1e-12)
            else:
                n_zero += 1
                assert abs(residual) <= penalty.l1_strength + 1e-12
    if penalty.l1_strength:
        assert n_zero > 0  # some coordinates were set exactly to zero
    else:
        assert n_zero == 0


@pytest.mark.parametrize("l1_ratio", [0.0, 0.3, 1.0])
def test_prox_overwrite_step_gives_the_same_weights(l1_ratio):
    """overwrite_step=True only changes what happens to the step arrays: the weights
    are bit-for-bit those of the default, which leaves the steps alone."""
    penalty = ElasticNet(0.8, l1_ratio)
    rng = np.random.RandomState(3)
    Z = [rng.normal(size=(5, 3)), rng.normal(scale=0.3, size=(2, 4))]
    steps = [rng.uniform(0.05, 2.0, size=z.shape) for z in Z]
    kept = [s.copy() for s in steps]
    reference = penalty.prox([z.copy() for z in Z], steps)
    for s, s_before in zip(steps, kept):
        np.testing.assert_array_equal(s, s_before)
    overwritten = penalty.prox([z.copy() for z in Z], [s.copy() for s in steps], True)
    for got, want in zip(overwritten, reference):
        np.testing.assert_array_equal(got, want)
    # A flat view of all the weights gives the same result: the penalty is separable.
    assert penalty.separable
    flat = penalty.prox(
        [np.concatenate([z.ravel() for z in Z])], [np.concatenate([s.ravel() for s in steps])]
    )[0]
    np.testing.assert_array_equal(flat, np.concatenate([w.ravel() for w in reference]))


@pytest.mark.parametrize("l1_ratio", [0.0, 0.3, 1.0])
def test_prox_with_zero_alpha_is_identity(l1_ratio):
    """With alpha = 0 the prox leaves the weights bit-for-bit unchanged."""
    penalty = ElasticNet(0.0, l1_ratio)
    assert penalty.is_zero
    coefs = random_coefs(2)
    expected = [W.copy() for W in coefs]
    result = penalty.prox(coefs, 0.9)
    for W, E in zip(result, expected):
        np.testing.assert_array_equal(W, E)
    result = penalty.prox(coefs, [np.full(W.shape, 3.0) for W in coefs])
    for W, E in zip(result, expected):
        np.testing.assert_array_equal(W, E)


def test_prox_works_in_place():
    """prox overwrites the given arrays and returns them."""
    coefs = random_coefs(3)
    ids = [id(W) for W in coefs]
    result = ElasticNet(1.0, 0.5).prox(coefs, 0.5)
    assert [id(W) for W in result] == ids


@pytest.mark.parametrize("alpha, l1_ratio", [(0.0, 0.5), (0.7, 0.0), (0.7, 0.3), (1.3, 1.0)])
def test_value_matches_formula(alpha, l1_ratio):
    """value() is alpha * (l1_ratio * ||W||_1 + (1 - l1_ratio) / 2 * ||W||^2) over all matrices."""
    coefs = random_coefs(4)
    l1 = sum(np.abs(W).sum() for W in coefs)
    l2 = sum((W**2).sum() for W in coefs)
    expected = alpha * (l1_ratio * l1 + 0.5 * (1 - l1_ratio) * l2)
    assert ElasticNet(alpha, l1_ratio).value(coefs) == pytest.approx(expected, rel=1e-13)


def test_value_by_hand():
    """value() on a hand-computable example."""
    W = [np.array([[1.0, -2.0]]), np.array([[0.0], [3.0]])]
    # L1 = 6, L2 = 14: 2 * (0.25 * 6 + 0.75 / 2 * 14) = 13.5
    assert ElasticNet(2.0, 0.25).value(W) == pytest.approx(13.5, rel=1e-15)


@pytest.mark.parametrize("name, expected_ratio", [("l1", 1.0), ("l2", 0.0), ("elasticnet", 0.35)])
def test_make_penalty(name, expected_ratio):
    """make_penalty maps 'l1'/'l2'/'elasticnet' to l1_ratio 1/0/given, with the given alpha."""
    penalty = make_penalty(name, 0.8, 0.35)
    assert isinstance(penalty, ElasticNet)
    assert penalty.alpha == 0.8
    assert penalty.l1_ratio == expected_ratio
    assert penalty.l1_strength == pytest.approx(0.8 * expected_ratio)
    assert penalty.l2_strength == pytest.approx(0.8 * (1 - expected_ratio))
    assert not penalty.is_zero


def test_make_penalty_none_and_unknown():
    """make_penalty(None) is the zero penalty; an unknown name raises ValueError."""
    penalty = make_penalty(None, 5.0, 0.5)
    assert penalty.alpha == 0.0
    assert penalty.is_zero
    assert penalty.value(random_coefs(5)) == 0.0
    with pytest.raises(ValueError):
        make_penalty("l0", 1.0, 0.5)


@pytest.mark.parametrize(
    "alpha, l1_ratio, named",
    [
        (-1.0, 0.5, "alpha"),
        (np.nan, 0.5, "alpha"),
        (None, 0.5, "alpha"),
        (True, 0.5, "alpha"),
        (1.0, 1.5, "l1_ratio"),
        (1.0, -0.1, "l1_ratio"),
        (1.0, None, "l1_ratio"),
    ],
)
@pytest.mark.parametrize("name", ["elasticnet", "group_lasso"])
def test_penalties_refuse_invalid_parameters(name, alpha, l1_ratio, named):
    """The module is public: a negative alpha or an l1_ratio outside [0, 1] would
    make the prox push weights away from zero (it did: [[1, -2]] went to [[3, -3]]
    at alpha=-1), so they are refused with a message naming the parameter."""
    with pytest.raises(ValueError, match=named):
        make_penalty(name, alpha, l1_ratio)


def stationary_point(penalty, seed=6):
    """Weights with zeros and a gradient with -grad in the subdifferential."""
    rng = np.random.RandomState(seed)
    coefs, grads = [], []
    for shape in ((4, 3), (3, 2)):
        W = rng.normal(size=shape)
        W[rng.uniform(size=shape) < 0.4] = 0.0
        W[0, 0] = 0.0
        W[-1, -1] = 1.5
        G = -penalty.l1_strength * np.sign(W) - penalty.l2_strength * W
        off = W == 0
        G[off] = rng.uniform(-0.9, 0.9, size=off.sum()) * penalty.l1_strength
        coefs.append(W)
        grads.append(G)
    return coefs, grads


@pytest.mark.parametrize("alpha, l1_ratio", [(2.0, 0.5), (1.0, 1.0), (0.5, 0.0)])
def test_stationarity(alpha, l1_ratio):
    """stationarity() is 0 at a stationary point and equals the size of a violation."""
    penalty = ElasticNet(alpha, l1_ratio)
    coefs, grads = stationary_point(penalty)
    assert penalty.stationarity(coefs, grads) <= 1e-12

    delta = 0.125
    on_support = [G.copy() for G in grads]
    on_support[1][-1, -1] += delta  # a nonzero weight
    assert penalty.stationarity(coefs, on_support) == pytest.approx(delta, rel=1e-12)

    off_support = [G.copy() for G in grads]
    off_support[0][0, 0] = -(penalty.l1_strength + delta)  # a zero weight
    assert penalty.stationarity(coefs, off_support) == pytest.approx(delta, rel=1e-12)


def test_stationarity_without_penalty_is_max_gradient():
    """With no penalty, stationarity() is the largest gradient entry in magnitude."""
    coefs, grads = random_coefs(7), random_coefs(8)
    expected = max(np.abs(G).max() for G in grads)
    assert ElasticNet(0.0, 0.5).stationarity(coefs, grads) == pytest.approx(expected, rel=1e-14)


@pytest.mark.parametrize("alpha, l1_ratio", [(0.7, 0.0), (0.7, 0.3), (1.5, 0.5), (1.5, 1.0)])
def test_fenchel_young(alpha, l1_ratio):
    """value(W) + conjugate(V) >= <W, V>, with equality when V is in dPenalty(W)."""
    penalty = ElasticNet(alpha, l1_ratio)
    rng = np.random.RandomState(9)
    for _ in range(20):
        W = rng.normal(scale=2.0, size=(5, 3))
        V = rng.normal(scale=2.0, size=(5, 3))
        c = penalty.dual_scale(V)
        assert 0 < c <= 1
        V = c * V
        conjugate = penalty.conjugate(V)
        assert np.isfinite(conjugate)
        assert penalty.value([W]) + conjugate >= float(np.sum(W * V)) - 1e-12

    # Equality on the subdifferential.
    W = rng.normal(size=(5, 3))
    W[rng.uniform(size=W.shape) < 0.4] = 0.0
    V = penalty.l1_strength * np.sign(W) + penalty.l2_strength * W
    off = W == 0
    V[off] = rng.uniform(-1, 1, size=off.sum()) * penalty.l1_strength
    lhs = penalty.value([W]) + penalty.conjugate(V)
    assert lhs == pytest.approx(float(np.sum(W * V)), rel=1e-12, abs=1e-12)


def test_pure_l1_conjugate_domain():
    """Pure L1: conjugate is inf outside max|v| <= alpha, and dual_scale brings V inside."""
    penalty = ElasticNet(0.5, 1.0)
    V = np.array([[0.2, -2.0], [1.0, 0.1]])
    assert penalty.conjugate(V) == np.inf
    c = penalty.dual_scale(V)
    assert c == pytest.approx(0.25, rel=1e-15)
    assert np.abs(c * V).max() == pytest.approx(0.5, rel=1e-15)
    assert penalty.conjugate(c * V) == 0.0
    assert penalty.dual_scale(0.1 * V) == 1.0


def test_elastic_net_conjugate_by_hand():
    """With an L2 part, conjugate is sum(max(|v| - l1, 0)^2) / (2 l2) and dual_scale is 1."""
    penalty = ElasticNet(2.0, 0.25)  # l1 = 0.5, l2 = 1.5
    V = np.array([[2.0, -0.25], [-1.0, 0.5]])
    # excess: 1.5, 0, 0.5, 0 -> (2.25 + 0.25) / 3
    assert penalty.conjugate(V) == pytest.approx(2.5 / 3.0, rel=1e-15)
    assert penalty.dual_scale(100 * V) == 1.0
