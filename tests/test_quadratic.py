"""Unit tests of the least-squares solver on Gram matrices
(``sklearn_regnn.solvers._quadratic``): its statistics, its exact polish
(``_support_solve``), and the working-set loop, each against a direct computation
or scikit-learn."""

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.linear_model import ElasticNet as SklearnElasticNet
from sklearn.linear_model import Lasso

from sklearn_regnn.penalties import ElasticNet
from sklearn_regnn.solvers._quadratic import (
    CenteredGram,
    _primal,
    gram_fista,
    working_set_fista,
)
from sklearn_regnn.solvers._support_solve import polish, reduce_support


def weighted_problem(n_samples=80, n_features=12, n_outputs=1, offset=0.0, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n_samples, n_features)) + offset
    W_true = np.zeros((n_features, n_outputs))
    W_true[:4] = rng.normal(scale=3.0, size=(4, n_outputs))
    Y = X @ W_true + rng.normal(scale=0.5, size=(n_samples, n_outputs)) + 7.0
    weights = rng.uniform(0.2, 2.0, n_samples)
    return X, Y, weights / weights.sum()


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_centered_gram_matches_direct_computation(dtype, monkeypatch):
    """G, C and the sums of squares equal Xc^T S Xc etc. computed in one piece, also
    when the rows go through in several chunks and the features have large offsets."""
    from sklearn_regnn.solvers import _quadratic

    X, Y, s = weighted_problem(n_outputs=2, offset=100.0)
    X, Y = X.astype(dtype), Y.astype(dtype)
    x_mean = s @ X.astype(np.float64)
    y_mean = s @ Y.astype(np.float64)
    Xc, Yc = X - x_mean, Y - y_mean
    monkeypatch.setattr(_quadratic, "_CHUNK_ROWS", 7)  # 80 rows: 12 chunks
    stats = CenteredGram(X, Y, s)
    assert stats.gram.dtype == np.float64
    np.testing.assert_allclose(stats.gram, Xc.T @ (s[:, None] * Xc), rtol=1e-10)
    np.testing.assert_allclose(stats.correlation, Xc.T @ (s[:, None] * Yc), rtol=1e-10)
    np.testing.assert_allclose(stats.target_sum_of_squares, s @ Yc**2, rtol=1e-10)
    W = np.random.RandomState(1).normal(size=(X.shape[1], 2))
    np.testing.assert_allclose(stats.intercept(W), y_mean - x_mean @ W, rtol=1e-10)


@pytest.mark.parametrize("container", [sp.csr_matrix, sp.csc_array])
def test_centered_gram_of_sparse_data_equals_the_dense_one(container):
    """A sparse X gives the statistics of its dense form (to the digits the
    uncentered formula keeps with offsets of 5 on the non-zeros) without densifying."""
    X, Y, s = weighted_problem(n_outputs=2)
    X = np.where(np.abs(X) < 1.0, 0.0, X + 5.0 * np.sign(X))
    dense, sparse = CenteredGram(X, Y, s), CenteredGram(container(X), Y, s)
    for name in ["gram", "correlation", "target_sum_of_squares", "x_mean", "y_mean"]:
        assert isinstance(getattr(sparse, name), np.ndarray)
        np.testing.assert_allclose(getattr(sparse, name), getattr(dense, name), rtol=1e-10)


@pytest.mark.parametrize("shape", [(60, 300), (300, 40)], ids=["p>n", "n>p"])
def test_working_set_fista_on_sparse_data_is_the_dense_solution(shape):
    """The working sets' Gram matrices of a CSR matrix give the dense solution, with
    the weights and the gap of the whole problem from the sparse data."""
    n_samples, n_features = shape
    X, Y, s = weighted_problem(n_samples, n_features, seed=5)
    X = np.where(np.abs(X) < 0.8, 0.0, X)
    penalty = ElasticNet(0.1, 0.9)
    solve = dict(max_iter=20_000, tol=1e-12, max_working_set=n_features)
    start = np.zeros((n_features, 1))
    dense = working_set_fista(X, Y, s, start, penalty, **solve)
    sparse = working_set_fista(sp.csr_matrix(X), Y, s, start, penalty, **solve)
    assert sparse.converged
    np.testing.assert_allclose(sparse.coefs[0], dense.coefs[0], atol=1e-9)
    np.testing.assert_allclose(sparse.intercepts[0], dense.intercepts[0], atol=1e-9)
    assert 0 < np.count_nonzero(sparse.coefs[0]) < n_features


@pytest.mark.parametrize("l1_ratio", [1.0, 0.5])
def test_polish_never_raises_the_objective(l1_ratio):
    """From random points with random supports, the polish lowers (or keeps) the
    objective, and zeroes weights rather than flipping their signs."""
    X, Y, s = weighted_problem()
    stats = CenteredGram(X, Y, s)
    penalty = ElasticNet(0.3, l1_ratio)
    rng = np.random.RandomState(2)
    lowered = 0
    for _ in range(30):
        W = rng.normal(size=(X.shape[1], 1)) * (rng.uniform(size=(X.shape[1], 1)) < 0.6)
        polished = polish(stats, W, penalty)
        before = _primal(stats, W, stats.gram @ W, penalty)
        after = _primal(stats, polished, stats.gram @ polished, penalty)
        assert after <= before + 1e-12 * abs(before)
        lowered += after < before - 1e-9
        # No new support and no sign flips: each weight keeps its sign or becomes 0.
        assert np.all((polished == 0) | (np.sign(polished) == np.sign(W)))
    assert lowered >= 25


@pytest.mark.parametrize("duplicated", [False, True], ids=["p>n", "collinear n>p"])
def test_polish_on_a_singular_support_drops_dependent_features(duplicated):
    """When the support's Gram matrix is singular (more features than samples, or a
    column repeated), the pure-L1 polish moves along its null space, where only the
    L1 term changes, until the columns are independent: never a higher objective,
    no sign flip, and an exact solve on what is left."""
    if duplicated:
        X, Y, s = weighted_problem(n_samples=60, n_features=8, seed=4)
        X = np.hstack([X, X[:, :4]])  # features 8-11 repeat features 0-3
    else:
        X, Y, s = weighted_problem(n_samples=10, n_features=25, seed=4)
    stats = CenteredGram(X, Y, s)
    rank = np.linalg.matrix_rank(stats.gram)
    penalty = ElasticNet(0.05, 1.0)
    rng = np.random.RandomState(3)
    for _ in range(20):
        W = rng.normal(size=(X.shape[1], 1))
        polished = polish(stats, W, penalty)
        before = _primal(stats, W, stats.gram @ W, penalty)
        after = _primal(stats, polished, stats.gram @ polished, penalty)
        assert after < before
        assert np.all((polished == 0) | (np.sign(polished) == np.sign(W)))
        support = np.flatnonzero(polished)
        assert 0 < support.size <= rank
        system = stats.gram[np.ix_(support, support)]
        assert np.linalg.matrix_rank(system) == support.size


@pytest.mark.parametrize("design", ["plus-minus one column", "repeats and a constant"])
def test_polish_with_weights_that_reach_zero_together(design):
    """Columns that repeat, negate or add up others, and weights of equal size:
    along the null space several weights reach 0 at the same point (and a
    constant column's weight is a null direction of its own). The polish drops
    them all, never raises the objective or flips a sign, and the solver still
    reaches Lasso's objective."""
    rng = np.random.RandomState(0)
    penalty = ElasticNet(0.01, 1.0)
    for _ in range(10):
        x = rng.normal(size=(19, 2))
        if design == "plus-minus one column":
            X = x[:, :1] * np.array([1.0, -1.0, -1.0, 1.0, -1.0])
        else:
            X = np.column_stack([x, x.sum(axis=1), x, np.ones(19)])
        n_features = X.shape[1]
        y = X @ rng.normal(size=n_features) + 0.1 * rng.normal(size=19)
        counts = rng.randint(0, 3, size=19).astype(float)
        stats = CenteredGram(X, y[:, None], counts / counts.sum())
        for start in (-np.ones((n_features, 1)), rng.choice([-1.0, 1.0], size=(n_features, 1))):
            # The null-space step alone, then the whole polish.
            reduced = start.copy()
            assert reduce_support(stats.gram, reduced[:, 0], np.arange(n_features))
            support = np.flatnonzero(reduced)
            assert np.linalg.matrix_rank(stats.gram[np.ix_(support, support)]) == support.size
            for candidate in (reduced, polish(stats, start, penalty)):
                before = _primal(stats, start, stats.gram @ start, penalty)
                after = _primal(stats, candidate, stats.gram @ candidate, penalty)
                assert after <= before + 1e-12 * abs(before)
                assert np.all((candidate == 0) | (np.sign(candidate) == np.sign(start)))
        result = gram_fista(stats, np.zeros((n_features, 1)), penalty, max_iter=200, tol=1e-4)
        reference = Lasso(alpha=0.01, tol=1e-14, max_iter=10**6)
        reference.fit(X, y, sample_weight=counts)
        lasso_W = reference.coef_[:, None]
        assert result.converged
        assert result.objective <= _primal(stats, lasso_W, stats.gram @ lasso_W, penalty) + 1e-12


def test_gram_fista_on_more_features_than_samples_is_exact_and_fast():
    """A nearly interpolating lasso on 9 distinct samples and 30 features (the data
    of scikit-learn's sample-weight check): coordinate descent needs thousands of
    sweeps, the solve on an independent support gives the optimum within 50
    iterations, the same from repeated rows as from weights."""
    rng = np.random.RandomState(42)
    X = rng.rand(15, 30)
    y = rng.randint(0, 3, size=15).astype(float)
    counts = rng.randint(0, 5, size=15)
    reference = Lasso(alpha=1e-4, tol=1e-14, max_iter=10**6)
    reference.fit(X.repeat(counts, axis=0), y.repeat(counts))
    assert reference.n_iter_ > 1000
    penalty = ElasticNet(1e-4, 1.0)
    weighted = CenteredGram(X, y[:, None], counts / counts.sum())
    n_repeated = counts.sum()
    repeated = CenteredGram(
        X.repeat(counts, axis=0), y.repeat(counts)[:, None], np.full(n_repeated, 1 / n_repeated)
    )
    for stats in (weighted, repeated):
        result = gram_fista(stats, np.zeros((30, 1)), penalty, max_iter=50, tol=1e-4)
        assert result.converged
        np.testing.assert_allclose(result.coefs[0].ravel(), reference.coef_, atol=1e-10)
        np.testing.assert_allclose(result.intercepts[0], [reference.intercept_], atol=1e-10)


@pytest.mark.parametrize("l1_ratio", [1.0, 0.7, 0.0])
def test_gram_fista_reaches_elasticnet(l1_ratio):
    """On the full Gram matrix the solution is ElasticNet's (same alpha scaling)."""
    X, Y, _ = weighted_problem(offset=5.0)
    s = np.full(X.shape[0], 1.0 / X.shape[0])
    alpha = 0.2
    result = gram_fista(
        CenteredGram(X, Y, s),
        np.zeros((X.shape[1], 1)),
        ElasticNet(alpha, l1_ratio),
        max_iter=10_000,
        tol=1e-12,
    )
    reference = SklearnElasticNet(alpha=alpha, l1_ratio=l1_ratio, tol=1e-14, max_iter=10**6)
    reference.fit(X, Y.ravel())
    assert result.converged
    np.testing.assert_allclose(result.coefs[0].ravel(), reference.coef_, rtol=1e-8, atol=1e-9)
    np.testing.assert_allclose(result.intercepts[0], [reference.intercept_], rtol=1e-9)
    if l1_ratio:
        np.testing.assert_array_equal(result.coefs[0].ravel() == 0, reference.coef_ == 0)


@pytest.mark.parametrize("shape", [(60, 300), (300, 40)], ids=["p>n", "n>p"])
def test_working_set_fista_matches_elasticnet_per_output(shape):
    """Two outputs, sample weights, sparse truth: each output's coefficients are those
    of ElasticNet fitted with the same sample weights."""
    n_samples, n_features = shape
    X, Y, s = weighted_problem(n_samples, n_features, n_outputs=2, seed=3)
    penalty = ElasticNet(0.3, 0.8)
    result = working_set_fista(
        X,
        Y,
        s,
        np.zeros((n_features, 2)),
        penalty,
        max_iter=20_000,
        tol=1e-12,
        max_working_set=n_features,
    )
    assert result.converged
    for k in range(2):
        reference = SklearnElasticNet(alpha=0.3, l1_ratio=0.8, tol=1e-14, max_iter=10**6)
        reference.fit(X, Y[:, k], sample_weight=s * n_samples)
        np.testing.assert_allclose(result.coefs[0][:, k], reference.coef_, atol=1e-8)
        np.testing.assert_array_equal(result.coefs[0][:, k] == 0, reference.coef_ == 0)
        assert result.intercepts[0][k] == pytest.approx(reference.intercept_, abs=1e-8)
    assert 0 < np.count_nonzero(result.coefs[0]) < n_features  # a sparse solution


def test_working_set_gives_up_when_the_set_outgrows_its_limit():
    """A working set that would exceed max_working_set returns None (the caller then
    solves on the data), and so does nothing else."""
    X, Y, s = weighted_problem(60, 300, seed=4)
    penalty = ElasticNet(0.001, 1.0)  # tiny alpha: a dense start, many violators
    W = np.random.RandomState(0).normal(size=(300, 1))  # a support of 300
    args = (X, Y, s, W, penalty)
    assert working_set_fista(*args, max_iter=100, tol=1e-8, max_working_set=100) is None
    assert working_set_fista(*args, max_iter=100, tol=1e-8, max_working_set=600) is not None
