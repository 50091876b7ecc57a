"""Logistic exactness and speed: our FISTA classifier without hidden layers vs saga.

``RegularizedMLPClassifier(hidden_layer_sizes=(), solver='fista')`` minimizes the mean
log-loss (one logistic unit for binary targets, softmax for multiclass) plus
``alpha * (l1_ratio * |W|_1 + (1 - l1_ratio) / 2 * |W|^2)``, which is
``LogisticRegression``'s problem with ``C = 1 / (n_samples * alpha)``. For each data set
and ``l1_ratio`` in {1.0, 0.5} this script

- computes a tight reference ``P*``: the lower of the objectives reached by
  LogisticRegression(solver='saga', tol=1e-12) and by ours (tol=1e-12), both evaluated
  by the one function :func:`objective` below (float64, a stable logsumexp);
- times saga and ours at tol=1e-8 and at the default tol=1e-4, alternately in this
  process, and reports each fit's relative excess ``(P - P*) / P*``, the largest
  coefficient difference between ours and saga, and their numbers of nonzeros.

Data: load_breast_cancer (binary) and load_wine (3 classes), both standardized, and
make_classification(5000, 50, n_informative=20, n_classes=4) as generated.
``alpha = fraction * alpha_max`` (default fraction 0.1), where ``alpha_max`` is the
smallest alpha whose solution has all weights zero: the largest entry of
``|Xc^T (Y - mean(Y))| / (n * l1_ratio)`` with ``Y`` the one-hot targets (the positive
class's column for binary targets).

A softmax model's logits are unchanged by adding one vector to every class's row of
``W``; with ``l1_ratio=1`` and an even number of classes the penalty can be flat along
that direction, so two exact solvers may return different ``W`` at the same objective.
The "modulo class shift" column removes that direction from the difference.

BLAS is limited to ``--threads`` threads (default 1) for reproducible times on a
shared machine.

Run from the repository root: ``python benchmarks/bench_logistic.py [--repeats 7]
[--alpha-fraction 0.1] [--threads 1]``. Under half a minute on a 2-core machine.
"""

import argparse
import os
import sys
import time
import warnings

import numpy as np
import sklearn
from scipy.special import logsumexp
from sklearn.base import clone
from sklearn.datasets import load_breast_cancer, load_wine, make_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits

sys.path.insert(0, os.path.dirname(__file__))
import _harness  # noqa: E402

from sklearn_regnn import RegularizedMLPClassifier  # noqa: E402

SKLEARN_VERSION = tuple(int(part) for part in sklearn.__version__.split(".")[:2])
L1_RATIOS = (1.0, 0.5)
TIGHT_TOL = 1e-12
TARGET_EXCESS = 1e-7
MAX_ITER_OURS = 100_000
MAX_ITER_SAGA = 1_000_000


def make_datasets():
    """The benchmark's data sets, in float64.

    Returns
    -------
    datasets : list of (str, ndarray, ndarray, int)
        Name, ``X``, ``y`` and the number of timing repeats.
    """
    X, y = load_breast_cancer(return_X_y=True)
    datasets = [("breast_cancer (std, 2 classes)", StandardScaler().fit_transform(X), y, 7)]
    X, y = load_wine(return_X_y=True)
    datasets.append(("wine (std, 3 classes)", StandardScaler().fit_transform(X), y, 7))
    X, y = make_classification(
        n_samples=5000, n_features=50, n_informative=20, n_classes=4, random_state=0
    )
    datasets.append(("classification 5000x50 (4 classes)", X, y, 5))
    return datasets


def target_matrix(y, classes):
    """One-hot targets; only the positive class's column for two classes.

    Parameters
    ----------
    y : ndarray of shape (n_samples,)
        Labels.
    classes : ndarray
        Sorted distinct labels.

    Returns
    -------
    ndarray of shape (n_samples, 1) or (n_samples, n_classes)
        Float indicator matrix.
    """
    Y = (y[:, None] == classes[None, :]).astype(np.float64)
    return Y[:, 1:] if len(classes) == 2 else Y


def alpha_max(X, y, l1_ratio):
    """Smallest ``alpha`` at which every weight of the solution is zero.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
        Features.
    y : ndarray of shape (n_samples,)
        Labels.
    l1_ratio : float
        Elastic-net mixing (> 0).

    Returns
    -------
    float
        The mean log-loss gradient's largest entry at zero weights and optimal
        intercepts, divided by ``l1_ratio``.
    """
    Y = target_matrix(y, np.unique(y))
    Xc = X - X.mean(axis=0)
    return float(np.abs(Xc.T @ (Y - Y.mean(axis=0))).max() / (X.shape[0] * l1_ratio))


def objective(X, y, classes, coef, intercept, alpha, l1_ratio):
    """Mean log-loss plus the elastic-net penalty, in float64.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
        Features.
    y : ndarray of shape (n_samples,)
        Labels.
    classes : ndarray
        Sorted distinct labels.
    coef : ndarray of shape (1, n_features) or (n_classes, n_features)
        ``LogisticRegression``'s layout: one row (the positive class) for binary
        targets, one row per class for softmax.
    intercept : ndarray of shape (1,) or (n_classes,)
        Intercepts (not penalized).
    alpha, l1_ratio : float
        Penalty strength and mixing.

    Returns
    -------
    float
        The objective value.
    """
    coef = np.asarray(coef, dtype=np.float64)
    logits = X @ coef.T + np.asarray(intercept, dtype=np.float64)
    index = np.searchsorted(classes, y)
    if coef.shape[0] == 1:
        # log(1 + exp(-s z)) with s = +1 for the positive class, -1 otherwise.
        sign = np.where(index == 1, 1.0, -1.0)
        loss = float(np.mean(np.logaddexp(0.0, -sign * logits[:, 0])))
    else:
        picked = logits[np.arange(len(y)), index]
        loss = float(np.mean(logsumexp(logits, axis=1) - picked))
    return (
        loss
        + alpha * l1_ratio * float(np.abs(coef).sum())
        + 0.5 * alpha * (1.0 - l1_ratio) * float((coef**2).sum())
    )


def saga(alpha, l1_ratio, n_samples, tol):
    """``LogisticRegression(solver='saga')`` solving our problem, on any version.

    Parameters
    ----------
    alpha, l1_ratio : float
        Our penalty; ``C = 1 / (n_samples * alpha)``.
    n_samples : int
        Training-set size.
    tol : float
        saga's tolerance.

    Returns
    -------
    LogisticRegression
        Unfitted. Before scikit-learn 1.8, ``l1_ratio`` only counts together with
        ``penalty='elasticnet'``; from 1.8 ``l1_ratio`` alone selects the penalty.
    """
    params = dict(C=1.0 / (n_samples * alpha), solver="saga", tol=tol, max_iter=MAX_ITER_SAGA)
    if SKLEARN_VERSION >= (1, 8):
        params["l1_ratio"] = l1_ratio
    else:
        params.update(penalty="elasticnet", l1_ratio=l1_ratio)
    return LogisticRegression(**params)


def ours(alpha, l1_ratio, tol):
    """Our linear FISTA classifier with the elastic-net penalty.

    Parameters
    ----------
    alpha, l1_ratio, tol : float
        Penalty and relative duality-gap tolerance.

    Returns
    -------
    RegularizedMLPClassifier
        Unfitted.
    """
    return RegularizedMLPClassifier(
        hidden_layer_sizes=(),
        solver="fista",
        penalty="elasticnet",
        alpha=alpha,
        l1_ratio=l1_ratio,
        tol=tol,
        max_iter=MAX_ITER_OURS,
    )


def fitter(estimator, X, y):
    """A zero-argument callable fitting a fresh clone of ``estimator`` on ``(X, y)``.

    Parameters
    ----------
    estimator : estimator
        Template.
    X, y : ndarray
        Training data.

    Returns
    -------
    callable
        Returns the fitted estimator.
    """

    def run():
        return clone(estimator).fit(X, y)

    return run


def n_iter(model):
    """A fitted model's iteration count as one int (saga reports an array)."""
    return int(np.max(model.n_iter_))


def coef_difference(a, b):
    """Largest absolute difference of two coefficient matrices, and the same after
    removing, for every feature, the difference's mean over the classes.

    Parameters
    ----------
    a, b : ndarray of shape (n_rows, n_features)
        Coefficients in the same layout.

    Returns
    -------
    raw, modulo_shift : float
        ``max|a - b|`` and ``max|d - mean_k d|`` with ``d = a - b`` (the second is only
        meaningful for softmax, where a common shift of all rows changes no logit
        difference; it is NaN for one row).
    """
    diff = np.asarray(a, dtype=np.float64) - np.asarray(b, dtype=np.float64)
    raw = float(np.abs(diff).max())
    if diff.shape[0] == 1:
        return raw, float("nan")
    return raw, float(np.abs(diff - diff.mean(axis=0)).max())


def run_case(X, y, l1_ratio, fraction, repeats):
    """Reference solve, then alternate timing at tol=1e-8 and the default tol=1e-4.

    Parameters
    ----------
    X, y : ndarray
        Data.
    l1_ratio : float
        Elastic-net mixing.
    fraction : float
        ``alpha`` as a fraction of :func:`alpha_max`.
    repeats : int
        Timing rounds.

    Returns
    -------
    dict
        Everything the tables print for this case.
    """
    n_samples = X.shape[0]
    classes = np.unique(y)
    alpha = fraction * alpha_max(X, y, l1_ratio)

    def value(model):
        return objective(X, y, classes, model.coef_, model.intercept_, alpha, l1_ratio)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        start = time.perf_counter()
        ref_saga = saga(alpha, l1_ratio, n_samples, TIGHT_TOL).fit(X, y)
        ref_saga_time = time.perf_counter() - start
        start = time.perf_counter()
        ref_ours = ours(alpha, l1_ratio, TIGHT_TOL).fit(X, y)
        ref_ours_time = time.perf_counter() - start
    if ref_ours.coef_.shape != ref_saga.coef_.shape:
        raise RuntimeError(
            f"coef_ layouts differ: ours {ref_ours.coef_.shape}, "
            f"LogisticRegression {ref_saga.coef_.shape}"
        )
    p_saga, p_ours = value(ref_saga), value(ref_ours)
    best = ref_saga if p_saga <= p_ours else ref_ours
    p_star = min(p_saga, p_ours)

    candidates = {
        "saga 1e-8": fitter(saga(alpha, l1_ratio, n_samples, 1e-8), X, y),
        "ours 1e-8": fitter(ours(alpha, l1_ratio, 1e-8), X, y),
        "saga 1e-4": fitter(saga(alpha, l1_ratio, n_samples, 1e-4), X, y),
        "ours 1e-4": fitter(ours(alpha, l1_ratio, 1e-4), X, y),
    }
    times, fitted = _harness.alternate(candidates, repeats)
    return {
        "alpha": alpha,
        "coef_shape": ref_ours.coef_.shape,
        "p_star": p_star,
        "star_from": "saga" if best is ref_saga else "ours",
        "ref_gap": abs(p_saga - p_ours) / p_star,
        "ref_diff": coef_difference(ref_ours.coef_, ref_saga.coef_),
        "ref_times": (ref_saga_time, ref_ours_time),
        "nnz_star": int(np.count_nonzero(best.coef_)),
        "times": times,
        "values": {name: value(model) for name, model in fitted.items()},
        "nnz": {name: int(np.count_nonzero(model.coef_)) for name, model in fitted.items()},
        "n_iter": {name: n_iter(model) for name, model in fitted.items()},
        "diff": {
            tol: coef_difference(fitted[f"ours {tol}"].coef_, fitted[f"saga {tol}"].coef_)
            for tol in ("1e-8", "1e-4")
        },
    }


def main():
    """Parse the options, run every case and print the tables."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=None, help="override timing rounds")
    parser.add_argument("--alpha-fraction", type=float, default=0.1)
    parser.add_argument("--threads", type=int, default=1, help="BLAS threads")
    args = parser.parse_args()

    wall = time.perf_counter()
    with threadpool_limits(limits=args.threads, user_api="blas"):
        print(_harness.machine_summary())
        print(
            f"\nalpha = {args.alpha_fraction} * alpha_max; C = 1 / (n * alpha); "
            "P* = min(saga tol=1e-12, ours tol=1e-12); excess = (P - P*) / P*; "
            "times in ms, median (min-max)."
        )
        ref_rows, strict_rows, default_rows = [], [], []
        for name, X, y, repeats in make_datasets():
            repeats = args.repeats or repeats
            for l1_ratio in L1_RATIOS:
                case = run_case(X, y, l1_ratio, args.alpha_fraction, repeats)
                t, v, nnz, it = case["times"], case["values"], case["nnz"], case["n_iter"]
                p_star = case["p_star"]
                size = int(np.prod(case["coef_shape"]))
                label = [name, l1_ratio]
                ref_rows.append(
                    label
                    + [
                        f"{X.shape[0]}x{X.shape[1]}",
                        str(case["coef_shape"]),
                        f"{case['alpha']:.4g}",
                        f"{1.0 / (X.shape[0] * case['alpha']):.4g}",
                        f"{case['nnz_star']}/{size}",
                        f"{p_star:.10g}",
                        case["star_from"],
                        f"{case['ref_gap']:.1e}",
                        f"{case['ref_diff'][0]:.1e} / {case['ref_diff'][1]:.1e}",
                        f"{1e3 * case['ref_times'][0]:.3g} / {1e3 * case['ref_times'][1]:.3g}",
                        repeats,
                    ]
                )
                ours_excess = (v["ours 1e-8"] - p_star) / p_star
                for tol, rows in (("1e-8", strict_rows), ("1e-4", default_rows)):
                    row = label + [
                        _harness.spread(t[f"saga {tol}"], 1e3),
                        _harness.spread(t[f"ours {tol}"], 1e3),
                        _harness.ratio(t[f"ours {tol}"], t[f"saga {tol}"]),
                        f"{it[f'saga {tol}']} / {it[f'ours {tol}']}",
                        _harness.excess(v[f"saga {tol}"], p_star),
                        _harness.excess(v[f"ours {tol}"], p_star),
                        f"{case['diff'][tol][0]:.1e} / {case['diff'][tol][1]:.1e}",
                        f"{nnz[f'saga {tol}']} / {nnz[f'ours {tol}']}",
                    ]
                    if tol == "1e-8":
                        row.append("yes" if ours_excess <= TARGET_EXCESS else "NO")
                    rows.append(row)

        _harness.print_table(
            "Reference solutions",
            [
                "data",
                "l1_ratio",
                "n x p",
                "coef_ shape",
                "alpha",
                "C",
                "nonzeros",
                "P*",
                "P* from",
                "|P_saga - P_ours| / P* at 1e-12",
                "max|coef diff| raw / modulo class shift at 1e-12",
                "ref fit ms saga / ours",
                "repeats",
            ],
            ref_rows,
        )
        header = [
            "data",
            "l1_ratio",
            "saga",
            "ours",
            "ours/saga",
            "n_iter saga / ours",
            "saga excess",
            "ours excess",
            "max|coef diff| raw / modulo class shift",
            "nonzeros saga / ours",
        ]
        _harness.print_table(
            "tol=1e-8: time (ms), relative objective excess, coefficients",
            header + [f"ours within {TARGET_EXCESS:g}"],
            strict_rows,
        )
        _harness.print_table(
            "Default tol=1e-4 (both): time (ms), relative objective excess, coefficients",
            header,
            default_rows,
        )
    print(f"\nTotal wall time: {time.perf_counter() - wall:.1f} s")


if __name__ == "__main__":
    main()
