"""MLP throughput: seconds per epoch against scikit-learn's MLP, and the GEMM bound.

Task: ``make_classification(20000, 100, n_informative=30, n_classes=5)`` and
``make_regression(20000, 100)``, ``hidden_layer_sizes=(256, 128)``, ReLU, Adam,
``batch_size=200``, a fixed number of epochs (no early stop), in float64 and
float32. Our regressor and classifier run with penalty 'l2', 'l1' and 'elasticnet'
(alpha 1e-4); scikit-learn's MLP with its own L2 penalty (alpha 1e-4). All fits of
one setting are timed alternately in this process.

The *GEMM bound* is the time numpy's BLAS takes for exactly the epoch's matrix
products (forward, weight gradients and the backpropagated deltas, for every batch,
on buffers allocated beforehand), timed in the same alternation as the fits: no
implementation that does the same products through numpy can beat it. Its FLOPs per
second are printed beside it. The fits' times include their fixed costs (data
checks, initialization and, for ours, the final objective on the whole training set,
about a third of an epoch's forward work), spread over the epochs.

When PyTorch is importable (keep it out of the package's dependencies), the same
network is also trained by a plain PyTorch loop (Adam, the same batches, L2 by
weight decay) with ``torch.set_num_threads`` at this machine's core count.

Run: ``python benchmarks/bench_mlp_throughput.py [--epochs 8] [--repeats 5]``
(about five minutes here, with PyTorch).
"""

import argparse
import os
import sys

import numpy as np
from sklearn.datasets import make_classification, make_regression
from sklearn.neural_network import MLPClassifier, MLPRegressor

sys.path.insert(0, os.path.dirname(__file__))
import _harness  # noqa: E402

from sklearn_regnn import RegularizedMLPClassifier, RegularizedMLPRegressor  # noqa: E402

HIDDEN = (256, 128)
BATCH = 200
ALPHA = 1e-4
GEMM = "GEMM bound"


def make_tasks():
    """The two data sets of the task, float64."""
    Xc, yc = make_classification(
        n_samples=20000, n_features=100, n_informative=30, n_classes=5, random_state=0
    )
    Xr, yr = make_regression(n_samples=20000, n_features=100, random_state=0)
    # Standardize the regression target so that Adam's default step suits it.
    yr = (yr - yr.mean()) / yr.std()
    return {"classifier": (Xc, yc, 5), "regressor": (Xr, yr, 1)}


def matmul_flops_per_epoch(n_samples, layer_units):
    """FLOPs of one epoch's matrix products: forward, weight gradients and deltas
    (the deltas are not propagated into the inputs)."""
    pairs = list(zip(layer_units[:-1], layer_units[1:]))
    per_sample = 2 * sum(a * b for a, b in pairs)  # forward
    per_sample += 2 * sum(a * b for a, b in pairs)  # weight gradients
    per_sample += 2 * sum(a * b for a, b in pairs[1:])  # deltas of hidden layers
    return per_sample * n_samples


def gemm_epochs(X, layer_units, epochs):
    """A callable that runs exactly the matrix products of ``epochs`` epochs through
    numpy, on buffers allocated beforehand: the GEMM bound, timed like a fit."""
    rng = np.random.default_rng(0)
    dtype = X.dtype
    pairs = list(zip(layer_units[:-1], layer_units[1:]))
    weights = [rng.standard_normal(p).astype(dtype) for p in pairs]
    outputs = [np.empty((BATCH, b), dtype) for _, b in pairs]
    deltas = [rng.standard_normal((BATCH, b)).astype(dtype) for _, b in pairs]
    grads = [np.empty(p, dtype) for p in pairs]

    def run():
        for _ in range(epochs):
            for start in range(0, X.shape[0], BATCH):
                inputs = X[start : start + BATCH]
                A = inputs
                for W, out in zip(weights, outputs):
                    A = np.matmul(A, W, out=out)
                for i in range(len(weights) - 1, -1, -1):
                    below = inputs if i == 0 else outputs[i - 1]
                    np.matmul(below.T, deltas[i], out=grads[i])
                    if i > 0:
                        np.matmul(deltas[i], weights[i].T, out=deltas[i - 1])

    return run


def torch_fit(X, y, n_outputs, classifier, epochs):
    """Train the same network with a plain PyTorch loop; None without PyTorch."""
    try:
        import torch
    except ImportError:
        return None
    torch.set_num_threads(os.cpu_count())
    dtype = torch.float64 if X.dtype == np.float64 else torch.float32
    torch.manual_seed(0)
    X_t = torch.from_numpy(X)
    y_t = torch.from_numpy(y.astype(np.int64) if classifier else y.astype(X.dtype))
    units = [X.shape[1], *HIDDEN, n_outputs]
    layers = []
    for i, (a, b) in enumerate(zip(units[:-1], units[1:])):
        layers.append(torch.nn.Linear(a, b, dtype=dtype))
        if i < len(units) - 2:
            layers.append(torch.nn.ReLU())
    model = torch.nn.Sequential(*layers)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3, weight_decay=ALPHA)
    loss_fn = torch.nn.CrossEntropyLoss() if classifier else torch.nn.MSELoss()
    generator = torch.Generator().manual_seed(0)
    for _ in range(epochs):
        order = torch.randperm(X_t.shape[0], generator=generator)
        for start in range(0, X_t.shape[0], BATCH):
            rows = order[start : start + BATCH]
            optimizer.zero_grad(set_to_none=True)
            output = model(X_t[rows])
            target = y_t[rows] if classifier else y_t[rows].unsqueeze(1)
            loss = loss_fn(output, target)
            loss.backward()
            optimizer.step()
    return model


def candidates(X, y, n_outputs, classifier, epochs):
    """The fits to time for one task and dtype, by name."""
    common = dict(
        hidden_layer_sizes=HIDDEN,
        batch_size=BATCH,
        max_iter=epochs,
        tol=0.0,
        n_iter_no_change=10**6,
        random_state=0,
    )
    Sk = MLPClassifier if classifier else MLPRegressor
    Ours = RegularizedMLPClassifier if classifier else RegularizedMLPRegressor
    runs = {"scikit-learn MLP": lambda: Sk(alpha=ALPHA, **common).fit(X, y)}
    for penalty in ("l2", "l1", "elasticnet"):
        runs[f"ours, {penalty}"] = lambda penalty=penalty: Ours(
            penalty=penalty, alpha=ALPHA, **common
        ).fit(X, y)
    try:
        import torch  # noqa: F401

        runs["PyTorch (Adam, L2 decay)"] = lambda: torch_fit(X, y, n_outputs, classifier, epochs)
    except ImportError:
        pass
    return runs


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=8)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    print(_harness.machine_summary())
    print(f"{args.epochs} epochs per fit, {args.repeats} alternating rounds; s/epoch")
    for task, (X64, y, n_outputs) in make_tasks().items():
        rows = []
        for dtype in (np.float64, np.float32):
            X = X64.astype(dtype)
            units = [X.shape[1], *HIDDEN, n_outputs]
            runs = candidates(X, y, n_outputs, task == "classifier", args.epochs)
            runs[GEMM] = gemm_epochs(X, units, args.epochs)
            times, _ = _harness.alternate(runs, args.repeats)
            bound = np.median(times[GEMM]) / args.epochs
            gflops = matmul_flops_per_epoch(X.shape[0], units) / bound / 1e9
            anchor = times["scikit-learn MLP"]
            for name, values in times.items():
                per_epoch = np.asarray(values) / args.epochs
                label = f"{GEMM} ({gflops:.0f} GFLOP/s)" if name == GEMM else name
                rows.append(
                    [
                        np.dtype(dtype).name,
                        label,
                        _harness.spread(per_epoch),
                        "" if name == GEMM else _harness.ratio(values, anchor),
                        f"{np.median(per_epoch) / bound:.2f}",
                    ]
                )
        _harness.print_table(
            f"{task}: seconds per epoch, median (min-max)",
            ["dtype", "fit", "s/epoch", "vs sklearn", "x GEMM bound"],
            rows,
        )


if __name__ == "__main__":
    main()
