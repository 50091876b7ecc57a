"""Unit tests of the network math in ``sklearn_regnn._network``.

The central check is a finite-difference test of :func:`loss_and_grad`: the gradient
it returns must be the gradient of exactly the loss value it returns, for every
parameter entry, every activation, every loss and several depths.
"""

import numpy as np
import pytest
import scipy.sparse as sp

from sklearn_regnn._network import (
    DataLoss,
    Workspace,
    data_loss,
    forward,
    init_params,
    loss_and_grad,
)

N_SAMPLES = 7
N_FEATURES = 5
HIDDEN_ACTIVATIONS = ["identity", "logistic", "tanh", "relu"]
HIDDEN_LAYERS = [(), (6,), (6, 4)]
# name -> (output activation, number of outputs)
OUTPUTS = {
    "squared_3_outputs": ("identity", 3),
    "logistic_binary": ("logistic", 1),
    "logistic_multilabel": ("logistic", 3),
    "softmax_4_classes": ("softmax", 4),
}
EPS = 1e-6
RELU_MARGIN = 1e-3  # far larger than EPS times any input magnitude


def make_targets(kind, rng, n_samples=N_SAMPLES):
    """Targets of the right form for the output ``kind``."""
    out_activation, n_outputs = OUTPUTS[kind]
    if out_activation == "identity":
        return rng.normal(size=(n_samples, n_outputs))
    if out_activation == "logistic":
        Y = (rng.uniform(size=(n_samples, n_outputs)) < 0.5).astype(float)
        Y[0], Y[1] = 0.0, 1.0  # both labels present in every column
        return Y
    labels = np.arange(n_samples) % n_outputs
    rng.shuffle(labels)
    return np.eye(n_outputs)[labels]


def hidden_preactivations(coefs, intercepts, X, activation):
    """Pre-activations of every hidden layer, computed independently in numpy."""
    functions = {
        "identity": lambda Z: Z,
        "logistic": lambda Z: 1.0 / (1.0 + np.exp(-Z)),
        "tanh": np.tanh,
        "relu": lambda Z: np.maximum(Z, 0.0),
    }
    A = X
    pre = []
    for W, b in zip(coefs[:-1], intercepts[:-1]):
        Z = A @ W + b
        pre.append(Z)
        A = functions[activation](Z)
    return pre, A @ coefs[-1] + intercepts[-1]


def make_problem(hidden, activation, kind, seed=0):
    """A small network and data set; for ReLU, a seed where no pre-activation is near 0."""
    out_activation, n_outputs = OUTPUTS[kind]
    for attempt in range(100):
        rng = np.random.RandomState(seed + 1000 * attempt)
        X = rng.normal(size=(N_SAMPLES, N_FEATURES))
        Y = make_targets(kind, rng)
        sample_weight = rng.uniform(0.1, 2.0, size=N_SAMPLES)
        layer_units = [N_FEATURES, *hidden, n_outputs]
        coefs, intercepts = init_params(layer_units, activation, rng)
        pre, _ = hidden_preactivations(coefs, intercepts, X, activation)
        if activation != "relu" or all(np.abs(Z).min() > RELU_MARGIN for Z in pre):
            return X, Y, sample_weight, coefs, intercepts, out_activation
    raise RuntimeError("no seed keeps the ReLU pre-activations away from 0")


def copy_grads(result):
    loss, coef_grads, intercept_grads = result
    return loss, [g.copy() for g in coef_grads], [g.copy() for g in intercept_grads]


@pytest.mark.parametrize("hidden", HIDDEN_LAYERS, ids=str)
@pytest.mark.parametrize("kind", list(OUTPUTS))
@pytest.mark.parametrize("activation", HIDDEN_ACTIVATIONS)
def test_gradient_matches_finite_differences(activation, kind, hidden):
    """Every gradient entry is the central difference of the returned loss value."""
    X, Y, sw, coefs, intercepts, out = make_problem(hidden, activation, kind)
    if activation == "relu":
        pre, _ = hidden_preactivations(coefs, intercepts, X, activation)
        assert all(np.abs(Z).min() > RELU_MARGIN for Z in pre)
    _, coef_grads, intercept_grads = copy_grads(
        loss_and_grad(coefs, intercepts, X, Y, sw, activation, out)
    )

    def loss_at():
        return loss_and_grad(coefs, intercepts, X, Y, sw, activation, out)[0]

    for params, grads in ((coefs, coef_grads), (intercepts, intercept_grads)):
        for P, G in zip(params, grads):
            assert G.shape == P.shape
            numeric = np.empty_like(P)
            for index in np.ndindex(P.shape):
                original = P[index]
                P[index] = original + EPS
                plus = loss_at()
                P[index] = original - EPS
                minus = loss_at()
                P[index] = original
                numeric[index] = (plus - minus) / (2 * EPS)
            np.testing.assert_allclose(G, numeric, rtol=1e-5, atol=1e-8)


def direct_loss(raw, Y, sw, out_activation):
    """The documented loss formulas, written out in plain numpy."""
    if out_activation == "identity":
        return float(np.sum(sw * 0.5 * np.sum((Y - raw) ** 2, axis=1)))
    if out_activation == "logistic":
        return float(np.sum(sw * np.sum(np.log1p(np.exp(raw)) - Y * raw, axis=1)))
    log_normalizer = np.log(np.sum(np.exp(raw), axis=1))
    return float(np.sum(sw * (log_normalizer - np.sum(Y * raw, axis=1))))


@pytest.mark.parametrize("hidden", HIDDEN_LAYERS, ids=str)
@pytest.mark.parametrize("kind", list(OUTPUTS))
@pytest.mark.parametrize("activation", HIDDEN_ACTIVATIONS)
def test_loss_matches_formula(activation, kind, hidden):
    """The loss value is the weighted sum over samples and outputs of the stated formula."""
    X, Y, sw, coefs, intercepts, out = make_problem(hidden, activation, kind, seed=3)
    _, raw = hidden_preactivations(coefs, intercepts, X, activation)
    expected = direct_loss(raw, Y, sw, out)
    loss = loss_and_grad(coefs, intercepts, X, Y, sw, activation, out)[0]
    assert loss == pytest.approx(expected, rel=1e-12)
    assert data_loss(coefs, intercepts, X, Y, sw, activation, out) == pytest.approx(
        expected, rel=1e-12
    )


def test_squared_error_sums_over_outputs():
    """Multi-output squared error is summed (not averaged) over outputs, by hand."""
    X = np.zeros((2, 1))
    coefs, intercepts = [np.zeros((1, 3))], [np.zeros(3)]
    Y = np.array([[1.0, 2.0, 0.0], [0.0, 0.0, 2.0]])
    sw = np.array([0.5, 0.25])
    loss, _, intercept_grads = loss_and_grad(coefs, intercepts, X, Y, sw, "relu", "identity")
    # 0.5 * (0.5 * (1 + 4) + 0.25 * 4) = 1.75
    assert loss == pytest.approx(1.75, rel=1e-15)
    np.testing.assert_allclose(intercept_grads[0], [-0.5, -1.0, -0.5], rtol=1e-15)


@pytest.mark.parametrize("hidden", HIDDEN_LAYERS, ids=str)
@pytest.mark.parametrize("kind", list(OUTPUTS))
def test_sparse_input_matches_dense(kind, hidden):
    """CSR input gives the same loss and gradients as the dense array."""
    X, Y, sw, coefs, intercepts, out = make_problem(hidden, "tanh", kind, seed=5)
    X[np.abs(X) < 0.7] = 0.0
    dense = copy_grads(loss_and_grad(coefs, intercepts, X, Y, sw, "tanh", out))
    sparse = copy_grads(loss_and_grad(coefs, intercepts, sp.csr_matrix(X), Y, sw, "tanh", out))
    assert sparse[0] == pytest.approx(dense[0], rel=1e-12)
    for a, b in zip(dense[1] + dense[2], sparse[1] + sparse[2]):
        np.testing.assert_allclose(b, a, rtol=1e-12, atol=1e-14)
    assert data_loss(coefs, intercepts, sp.csr_matrix(X), Y, sw, "tanh", out) == pytest.approx(
        dense[0], rel=1e-12
    )


@pytest.mark.parametrize("sparse_input", [False, True])
@pytest.mark.parametrize("hidden", HIDDEN_LAYERS, ids=str)
def test_workspace_reuse_with_smaller_batch(hidden, sparse_input):
    """A Workspace reused for a smaller batch gives the same result as a fresh call."""
    rng = np.random.RandomState(11)
    n_full, n_small = 10, 6
    X = rng.normal(size=(n_full, N_FEATURES))
    Y = make_targets("softmax_4_classes", rng, n_full)
    sw = rng.uniform(0.1, 2.0, n_full)
    layer_units = [N_FEATURES, *hidden, 4]
    coefs, intercepts = init_params(layer_units, "logistic", rng)
    X_in = sp.csr_matrix(X) if sparse_input else X
    workspace = Workspace(layer_units, n_full, np.float64)
    args = ("logistic", "softmax")

    full_reused = copy_grads(loss_and_grad(coefs, intercepts, X_in, Y, sw, *args, workspace))
    small_reused = copy_grads(
        loss_and_grad(
            coefs, intercepts, X_in[:n_small], Y[:n_small], sw[:n_small], *args, workspace
        )
    )
    again_reused = copy_grads(loss_and_grad(coefs, intercepts, X_in, Y, sw, *args, workspace))
    small_fresh = copy_grads(
        loss_and_grad(coefs, intercepts, X[:n_small], Y[:n_small], sw[:n_small], *args)
    )
    full_fresh = copy_grads(loss_and_grad(coefs, intercepts, X, Y, sw, *args))

    for reused, fresh in ((small_reused, small_fresh), (full_reused, full_fresh)):
        assert reused[0] == pytest.approx(fresh[0], rel=1e-12)
        for a, b in zip(reused[1] + reused[2], fresh[1] + fresh[2]):
            np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-14)
    assert again_reused[0] == full_reused[0]
    for a, b in zip(again_reused[1] + again_reused[2], full_reused[1] + full_reused[2]):
        np.testing.assert_array_equal(a, b)
    # The small batch really differs from the full one (so the check above has teeth).
    assert small_fresh[0] != pytest.approx(full_fresh[0], rel=1e-3)


@pytest.mark.parametrize("hidden", HIDDEN_LAYERS, ids=str)
@pytest.mark.parametrize("kind", list(OUTPUTS))
def test_float32_gives_float32_gradients(kind, hidden):
    """float32 data and weights give float32 gradients that agree with float64."""
    X, Y, sw, coefs, intercepts, out = make_problem(hidden, "tanh", kind, seed=7)
    reference = copy_grads(loss_and_grad(coefs, intercepts, X, Y, sw, "tanh", out))
    f32 = [np.asarray(a, dtype=np.float32) for a in (X, Y, sw)]
    coefs32 = [W.astype(np.float32) for W in coefs]
    intercepts32 = [b.astype(np.float32) for b in intercepts]
    loss, coef_grads, intercept_grads = loss_and_grad(coefs32, intercepts32, *f32, "tanh", out)
    assert np.isfinite(loss)
    assert loss == pytest.approx(reference[0], rel=1e-4)
    for g, g64 in zip(coef_grads + intercept_grads, reference[1] + reference[2]):
        assert g.dtype == np.float32
        np.testing.assert_allclose(g, g64, rtol=1e-3, atol=1e-5)


@pytest.mark.parametrize("hidden", HIDDEN_LAYERS, ids=str)
@pytest.mark.parametrize("kind", list(OUTPUTS))
@pytest.mark.parametrize("activation", HIDDEN_ACTIVATIONS)
def test_forward_matches_loss_and_grad(activation, kind, hidden):
    """forward() is the activated output that loss_and_grad differentiates."""
    X, Y, sw, coefs, intercepts, out = make_problem(hidden, activation, kind, seed=9)
    layer_units = [N_FEATURES] + [W.shape[1] for W in coefs]
    workspace = Workspace(layer_units, N_SAMPLES, np.float64)
    X_before = X.copy()
    output = forward(coefs, intercepts, X, activation, out)
    np.testing.assert_array_equal(X, X_before)
    loss, _, intercept_grads = loss_and_grad(
        coefs, intercepts, X, Y, sw, activation, out, workspace
    )
    np.testing.assert_allclose(workspace.activations[-1][0], output, rtol=1e-12, atol=1e-15)
    # Canonical links: d loss / d (last intercept) = sum_i s_i (output_i - y_i).
    np.testing.assert_allclose(intercept_grads[-1], sw @ (output - Y), rtol=1e-10, atol=1e-14)
    assert data_loss(coefs, intercepts, X, Y, sw, activation, out) == pytest.approx(
        loss, rel=1e-13
    )
    if out == "softmax":
        np.testing.assert_allclose(output.sum(axis=1), 1.0, rtol=1e-14)
    if out == "logistic":
        assert np.all((output > 0) & (output < 1))


def test_data_loss_class_matches_functions():
    """DataLoss.value and value_and_grad agree with data_loss and loss_and_grad."""
    X, Y, sw, coefs, intercepts, out = make_problem((6,), "tanh", "logistic_multilabel")
    smooth = DataLoss(X, Y, sw, "tanh", out)
    expected = copy_grads(loss_and_grad(coefs, intercepts, X, Y, sw, "tanh", out))
    assert smooth.value(coefs, intercepts) == pytest.approx(expected[0], rel=1e-13)
    for _ in range(2):  # the second call reuses the workspace
        loss, coef_grads, intercept_grads = smooth.value_and_grad(coefs, intercepts)
        assert loss == pytest.approx(expected[0], rel=1e-13)
        for a, b in zip(coef_grads + intercept_grads, expected[1] + expected[2]):
            np.testing.assert_allclose(a, b, rtol=1e-13)


def test_log_losses_finite_for_huge_logits():
    """Log-losses and gradients stay finite and exact for logits of +-1000."""
    X = np.array([[1.0], [-1.0]])
    sw = np.array([1.0, 1.0])
    # Binary: z = 1000 for sample 0, -1000 for sample 1.
    coefs, intercepts = [np.array([[1000.0]])], [np.zeros(1)]
    Y_right = np.array([[1.0], [0.0]])
    Y_wrong = np.array([[0.0], [1.0]])
    for Y, expected in ((Y_right, 0.0), (Y_wrong, 2000.0)):
        loss, coef_grads, intercept_grads = loss_and_grad(
            coefs, intercepts, X, Y, sw, "identity", "logistic"
        )
        assert np.isfinite(loss)
        assert loss == pytest.approx(expected, abs=1e-12)
        assert data_loss(coefs, intercepts, X, Y, sw, "identity", "logistic") == pytest.approx(
            expected, abs=1e-12
        )
        assert np.all(np.isfinite(coef_grads[0])) and np.all(np.isfinite(intercept_grads[0]))
    # Softmax: logits (1000, -1000, 0) for sample 0 and their negatives for sample 1.
    coefs, intercepts = [np.array([[1000.0, -1000.0, 0.0]])], [np.zeros(3)]
    Y_right = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]])
    Y_wrong = np.array([[0.0, 1.0, 0.0], [1.0, 0.0, 0.0]])
    for Y, expected in ((Y_right, 0.0), (Y_wrong, 4000.0)):
        loss, coef_grads, intercept_grads = loss_and_grad(
            coefs, intercepts, X, Y, sw, "identity", "softmax"
        )
        assert np.isfinite(loss)
        assert loss == pytest.approx(expected, abs=1e-12)
        assert data_loss(coefs, intercepts, X, Y, sw, "identity", "softmax") == pytest.approx(
            expected, abs=1e-12
        )
        assert np.all(np.isfinite(coef_grads[0])) and np.all(np.isfinite(intercept_grads[0]))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("activation", HIDDEN_ACTIVATIONS)
def test_init_params_shapes_dtype_bounds(activation, dtype):
    """init_params gives Glorot-uniform arrays of the right shapes, dtype and bounds."""
    layer_units = [30, 20, 10, 3]
    coefs, intercepts = init_params(layer_units, activation, np.random.RandomState(0), dtype)
    factor = 2.0 if activation == "logistic" else 6.0
    assert len(coefs) == len(intercepts) == 3
    for W, b, fan_in, fan_out in zip(coefs, intercepts, layer_units[:-1], layer_units[1:]):
        assert W.shape == (fan_in, fan_out)
        assert b.shape == (fan_out,)
        assert W.dtype == dtype and b.dtype == dtype
        bound = np.sqrt(factor / (fan_in + fan_out))
        assert np.abs(W).max() <= bound * (1 + 1e-6)
        assert np.abs(b).max() <= bound * (1 + 1e-6)
        # The weights fill the interval (the bound is not a smaller one).
        assert np.abs(W).max() > 0.9 * bound
        assert W.min() < 0 < W.max()


def test_init_params_reproducible():
    """The same RandomState seed gives the same parameters; another seed does not."""
    layer_units = [4, 5, 2]
    first = init_params(layer_units, "relu", np.random.RandomState(42))
    second = init_params(layer_units, "relu", np.random.RandomState(42))
    other = init_params(layer_units, "relu", np.random.RandomState(43))
    for a, b, c in zip(first[0] + first[1], second[0] + second[1], other[0] + other[1]):
        np.testing.assert_array_equal(a, b)
        assert not np.array_equal(a, c)


@pytest.mark.parametrize("sparse_input", [False, True])
@pytest.mark.parametrize("hidden", HIDDEN_LAYERS, ids=str)
def test_chunked_full_data_passes_match_one_chunk(hidden, sparse_input, monkeypatch):
    """forward and data_loss give the same result whether the rows go through in one
    chunk or in chunks of 2 rows (the last one shorter)."""
    from sklearn_regnn import _network

    X, Y, sw, coefs, intercepts, out = make_problem(hidden, "tanh", "softmax_4_classes")
    X_in = sp.csr_matrix(X) if sparse_input else X
    whole_output = forward(coefs, intercepts, X_in, "tanh", out)
    whole_loss = data_loss(coefs, intercepts, X_in, Y, sw, "tanh", out)
    widest = max(W.shape[1] for W in coefs)
    monkeypatch.setattr(_network, "_CHUNK_ENTRIES", 2 * widest)
    assert len(_network._row_chunks(N_SAMPLES, coefs)) == 4  # 7 rows: 2 + 2 + 2 + 1
    np.testing.assert_allclose(
        forward(coefs, intercepts, X_in, "tanh", out), whole_output, rtol=1e-14
    )
    assert data_loss(coefs, intercepts, X_in, Y, sw, "tanh", out) == pytest.approx(
        whole_loss, rel=1e-14
    )
