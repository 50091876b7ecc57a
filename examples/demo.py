"""Quick-start demo: sklearn-regnn next to scikit-learn, as a small table.

1. Without hidden layers, ``RegularizedMLPRegressor(solver='fista')`` solves
   ``ElasticNet``'s problem: same coefficients, same zeros.
2. With a hidden layer, an L1 penalty trains a classifier as accurate as
   ``MLPClassifier`` whose weights are mostly exact zeros.

Run it with ``python examples/demo.py``.
"""

import time
import warnings

import numpy as np
from sklearn.datasets import load_diabetes, load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import ElasticNet
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier
from sklearn.preprocessing import StandardScaler

from sklearn_regnn import RegularizedMLPClassifier, RegularizedMLPRegressor


def timed_fit(model, X, y, repeats=3):
    """Fit ``repeats`` times and report the fastest: the first fit of a process also
    pays for one-off imports and allocations."""
    best = np.inf
    for _ in range(repeats):
        start = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            model.fit(X, y)
        best = min(best, time.perf_counter() - start)
    return model, best


def zero_fraction(coefs):
    weights = np.concatenate([np.ravel(W) for W in coefs])
    return float(np.mean(weights == 0))


def print_table(title, header, rows):
    print(f"\n{title}")
    widths = [max(len(str(cell)) for cell in column) for column in zip(header, *rows)]
    line = "  ".join(f"{{:<{w}}}" for w in widths)
    print(line.format(*header))
    print(line.format(*("-" * w for w in widths)))
    for row in rows:
        print(line.format(*row))


def linear_comparison():
    X, y = load_diabetes(return_X_y=True)
    alpha, l1_ratio = 0.05, 0.9
    ours, t_ours = timed_fit(
        RegularizedMLPRegressor(
            hidden_layer_sizes=(),
            solver="fista",
            alpha=alpha,
            l1_ratio=l1_ratio,
            tol=1e-8,
            max_iter=10_000,
        ),
        X,
        y,
    )
    enet, t_enet = timed_fit(
        ElasticNet(alpha=alpha, l1_ratio=l1_ratio, tol=1e-8, max_iter=100_000), X, y
    )
    difference = np.abs(ours.coef_ - enet.coef_).max() / np.abs(enet.coef_).max()
    rows = [
        ("ElasticNet", f"{t_enet * 1e3:.1f}", int((enet.coef_ == 0).sum()), "-"),
        (
            "RegularizedMLPRegressor",
            f"{t_ours * 1e3:.1f}",
            int((ours.coef_ == 0).sum()),
            f"{difference:.1e}",
        ),
    ]
    print_table(
        f"Diabetes, no hidden layer, alpha={alpha}, l1_ratio={l1_ratio}",
        ("model", "fit ms", "zero coefs", "max coef diff / max |coef|"),
        rows,
    )


def network_comparison():
    X, y = load_digits(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0, stratify=y)
    blank = X_train.std(axis=0) == 0  # pixels that are 0 in every training image
    scaler = StandardScaler().fit(X_train)
    X_train, X_test = scaler.transform(X_train), scaler.transform(X_test)
    models = [
        ("MLPClassifier (L2)", MLPClassifier((64,), max_iter=100, random_state=0)),
        (
            "RegularizedMLPClassifier l1",
            RegularizedMLPClassifier(
                (64,), penalty="l1", alpha=1e-3, max_iter=100, random_state=0
            ),
        ),
        (
            "RegularizedMLPClassifier elasticnet",
            RegularizedMLPClassifier(
                (64,), penalty="elasticnet", alpha=1e-3, max_iter=100, random_state=0
            ),
        ),
    ]
    rows = []
    for name, model in models:
        model, seconds = timed_fit(model, X_train, y_train)
        unused = np.abs(model.coefs_[0]).sum(axis=1) == 0
        rows.append(
            (
                name,
                f"{seconds:.2f}",
                f"{model.score(X_test, y_test):.3f}",
                f"{zero_fraction(model.coefs_):.0%}",
                f"{unused.sum()}/{X.shape[1]}, {(unused & blank).sum()} blank",
            )
        )
    print_table(
        "Digits, one hidden layer of 64 units, 100 epochs of Adam",
        ("model", "fit s", "test accuracy", "zero weights", "unused pixels, of them blank"),
        rows,
    )


if __name__ == "__main__":
    linear_comparison()
    network_comparison()
