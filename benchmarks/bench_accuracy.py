"""Accuracy at a matched budget: MLPClassifier vs RegularizedMLPClassifier (Adam).

Data: load_digits with ``hidden_layer_sizes=(64,)`` and load_breast_cancer with
``(32,)``; one stratified train/test split (test_size=0.25, random_state=0), features
standardized on the training part. Every model trains with Adam for at most
``max_iter=300`` epochs with the estimators' default stopping rule (tol=1e-4,
n_iter_no_change=10), batch size, learning rate and ReLU.

Candidates: ``MLPClassifier`` (its default L2 ``alpha=1e-4``) and ours with
``penalty='l2', alpha=1e-4`` and with ``penalty='l1'`` and ``'elasticnet'``
(``l1_ratio=0.5``) at alpha in {1e-4, 1e-3, 3e-3, 1e-2, 3e-2}. For every seed in {0, 1, 2}
(``random_state`` of every model) all candidates are fitted once, one after the other,
so the seeds' rounds alternate the candidates in this process.

Reported per candidate: mean test accuracy over the seeds (and its range), fit time
median (min-max) and its ratio to MLPClassifier's, the epochs run, the fraction of
exactly-zero weights over all ``coefs_``, and the number of input features whose
outgoing first-layer weights are all zero. The mark ``<==`` flags the sparsest model
(largest mean zero fraction) whose mean accuracy is within 0.5 percentage point of
MLPClassifier's. Input features that are constant on the training set (blank pixels
of digits) carry no information; their count is printed for comparison.

BLAS is limited to ``--threads`` threads (default 1) for reproducible times on a
shared machine.

Run from the repository root: ``python benchmarks/bench_accuracy.py [--threads 1]``.
Under a minute on a 2-core machine.
"""

import argparse
import os
import sys
import time

import numpy as np
from sklearn.datasets import load_breast_cancer, load_digits
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits

sys.path.insert(0, os.path.dirname(__file__))
import _harness  # noqa: E402

from sklearn_regnn import RegularizedMLPClassifier  # noqa: E402

SEEDS = (0, 1, 2)
MAX_ITER = 300
L2_ALPHA = 1e-4
SPARSE_ALPHAS = (1e-4, 1e-3, 3e-3, 1e-2, 3e-2)
ACCURACY_MARGIN = 0.005
ANCHOR = "MLPClassifier"


def make_splits():
    """The two tasks: name, hidden layers and a standardized train/test split.

    Returns
    -------
    list of (str, tuple, tuple of ndarray)
        Name, ``hidden_layer_sizes`` and ``(X_train, X_test, y_train, y_test)``.
    """
    tasks = []
    for name, loader, hidden in (
        ("digits", load_digits, (64,)),
        ("breast_cancer", load_breast_cancer, (32,)),
    ):
        X, y = loader(return_X_y=True)
        X_train, X_test, y_train, y_test = train_test_split(
            X, y, test_size=0.25, random_state=0, stratify=y
        )
        scaler = StandardScaler().fit(X_train)
        split = (scaler.transform(X_train), scaler.transform(X_test), y_train, y_test)
        tasks.append((name, hidden, split))
    return tasks


def candidates(hidden, seed):
    """Unfitted models of one round, keyed by the label printed in the table.

    Parameters
    ----------
    hidden : tuple of int
        ``hidden_layer_sizes`` shared by every model.
    seed : int
        ``random_state`` of every model.

    Returns
    -------
    dict of str to estimator
        MLPClassifier first, then ours with each penalty and alpha.
    """
    models = {ANCHOR: MLPClassifier(hidden, max_iter=MAX_ITER, random_state=seed)}

    def ours(penalty, alpha):
        return RegularizedMLPClassifier(
            hidden, penalty=penalty, alpha=alpha, max_iter=MAX_ITER, random_state=seed
        )

    models[f"ours l2 {L2_ALPHA:g}"] = ours("l2", L2_ALPHA)
    for penalty in ("l1", "elasticnet"):
        for alpha in SPARSE_ALPHAS:
            models[f"ours {penalty} {alpha:g}"] = ours(penalty, alpha)
    return models


def sparsity(model):
    """Exact zeros of a fitted network.

    Parameters
    ----------
    model : fitted MLPClassifier or RegularizedMLPClassifier
        Anything with ``coefs_``.

    Returns
    -------
    zero_fraction : float
        Fraction of exactly-zero entries over all weight matrices.
    unused_inputs : int
        Input features whose first-layer weights are all exactly zero.
    """
    zeros = sum(int(np.count_nonzero(W == 0)) for W in model.coefs_)
    total = sum(W.size for W in model.coefs_)
    unused = int(np.all(model.coefs_[0] == 0, axis=1).sum())
    return zeros / total, unused


def run_task(hidden, split):
    """Fit every candidate for every seed and collect the measurements.

    Parameters
    ----------
    hidden : tuple of int
        ``hidden_layer_sizes``.
    split : tuple of ndarray
        ``(X_train, X_test, y_train, y_test)``.

    Returns
    -------
    dict of str to dict of str to list
        For each label: ``time``, ``accuracy``, ``zero_fraction``, ``unused`` and
        ``n_iter``, one entry per seed.
    """
    X_train, X_test, y_train, y_test = split
    keys = ("time", "accuracy", "zero_fraction", "unused", "n_iter")
    stats = {}
    for seed in SEEDS:
        models = candidates(hidden, seed)
        runs = {
            label: (lambda m=model: m.fit(X_train, y_train)) for label, model in models.items()
        }
        times, fitted = _harness.alternate(runs, repeats=1)
        for label, model in fitted.items():
            entry = stats.setdefault(label, {key: [] for key in keys})
            zero_fraction, unused = sparsity(model)
            entry["time"].append(times[label][0])
            entry["accuracy"].append(model.score(X_test, y_test))
            entry["zero_fraction"].append(zero_fraction)
            entry["unused"].append(unused)
            entry["n_iter"].append(model.n_iter_)
    return stats


def sparsest_within_margin(stats):
    """Label of the sparsest model whose mean accuracy is close to the anchor's.

    Parameters
    ----------
    stats : dict
        What :func:`run_task` returns.

    Returns
    -------
    str or None
        The label with the largest mean zero fraction among those whose mean test
        accuracy is at least MLPClassifier's minus ``ACCURACY_MARGIN``; None if no
        model of ours has a nonzero zero fraction and qualifies.
    """
    bar = np.mean(stats[ANCHOR]["accuracy"]) - ACCURACY_MARGIN
    eligible = [
        (np.mean(entry["zero_fraction"]), label)
        for label, entry in stats.items()
        if label != ANCHOR and np.mean(entry["accuracy"]) >= bar - 1e-12
    ]
    eligible = [item for item in eligible if item[0] > 0]
    return max(eligible)[1] if eligible else None


def int_spread(values):
    """``median (min-max)`` of integers, or the single value when they all agree."""
    values = np.asarray(values)
    if values.min() == values.max():
        return str(int(values[0]))
    return f"{int(np.median(values))} ({int(values.min())}-{int(values.max())})"


def main():
    """Parse the options, run both tasks and print one table per task."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=1, help="BLAS threads")
    args = parser.parse_args()

    wall = time.perf_counter()
    with threadpool_limits(limits=args.threads, user_api="blas"):
        print(_harness.machine_summary())
        print(
            f"\nseeds {SEEDS}; max_iter={MAX_ITER}; accuracy: mean over seeds (min-max); "
            "time in s: median (min-max); zero fraction: mean over seeds; "
            f"<== sparsest model within {100 * ACCURACY_MARGIN:g} pp of {ANCHOR}'s accuracy."
        )
        for name, hidden, split in make_splits():
            X_train, X_test = split[0], split[1]
            constant = int(np.sum(np.ptp(X_train, axis=0) == 0))
            stats = run_task(hidden, split)
            best = sparsest_within_margin(stats)
            anchor_times = stats[ANCHOR]["time"]
            rows = []
            for label, entry in stats.items():
                accuracy = np.asarray(entry["accuracy"])
                rows.append(
                    [
                        label,
                        f"{100 * accuracy.mean():.2f} ({100 * accuracy.min():.2f}-"
                        f"{100 * accuracy.max():.2f})",
                        _harness.spread(entry["time"]),
                        _harness.ratio(entry["time"], anchor_times),
                        int_spread(entry["n_iter"]),
                        f"{np.mean(entry['zero_fraction']):.3f}",
                        int_spread(entry["unused"]),
                        "<==" if label == best else "",
                    ]
                )
            _harness.print_table(
                f"{name}: hidden_layer_sizes={hidden}, {X_train.shape[0]} train / "
                f"{X_test.shape[0]} test, {X_train.shape[1]} features "
                f"({constant} constant on the training set)",
                [
                    "model",
                    "test accuracy %",
                    "fit time s",
                    f"time / {ANCHOR}",
                    "epochs",
                    "zero weight fraction",
                    "unused inputs",
                    "sparsest within 0.5 pp",
                ],
                rows,
            )
    print(f"\nTotal wall time: {time.perf_counter() - wall:.1f} s")


if __name__ == "__main__":
    main()
