"""Linear exactness and speed: our FISTA regressor without hidden layers vs ElasticNet.

``RegularizedMLPRegressor(hidden_layer_sizes=(), solver='fista')`` minimizes exactly
ElasticNet's objective ``(1/(2n))||y - Xw - b||^2 + alpha*l1_ratio*||w||_1 +
alpha*(1-l1_ratio)/2*||w||^2``. For each data set and ``l1_ratio`` in {1.0, 0.5} this
script

- computes a tight reference ``P*``: the lower of the objectives reached by
  ElasticNet (tol=1e-12) and by ours (tol=1e-12), both evaluated by the one function
  :func:`objective` below, in float64, from ``(coef_, intercept_)``;
- times ElasticNet and ours at tol=1e-8 (plus Lasso when ``l1_ratio == 1``) and at the
  default tol=1e-4, all alternately in this process, and reports each fit's relative
  excess ``(P - P*) / P*``. The target is that ours at tol=1e-8 lands within 1e-7.

Data: load_diabetes (standardized); make_regression(5000, 500, n_informative=20,
noise=5, effective_rank=100), raw and standardized; make_regression(1000, 5000,
n_informative=20, noise=5), a p >> n case; make_regression(200, 1000,
n_informative=100, noise=1), where small alphas give supports of nearly n features;
two sparse CSR matrices (20000x5000 and 5000x20000, density 0.002, 20 informative
columns). ``alpha = fraction * alpha_max`` with
``alpha_max = max|Xc^T yc| / (n * l1_ratio)`` (centered data), the smallest alpha
whose solution is all zeros. The default fraction 0.2 leaves a moderately sparse
solution (the number of nonzeros is reported); 0.01 leaves ~90% of the 500 features
of the make_regression set active.

BLAS is limited to ``--threads`` threads (default 1): on a shared 2-core machine,
OpenBLAS's spinning worker threads can make a single factorization tens of times
slower when another process holds a core, which would swamp the comparison.

Run from the repository root: ``python benchmarks/bench_linear.py [--repeats 5]
[--alpha-fraction 0.2] [--threads 1] [--only "200x1000"]`` (``--only`` keeps the data
sets whose name contains it). Well under a minute on a 2-core machine at 0.2.
"""

import argparse
import os
import sys
import time
import warnings

import numpy as np
import scipy.sparse as sp
from sklearn.base import clone
from sklearn.datasets import load_diabetes, make_regression
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import ElasticNet, Lasso
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits

sys.path.insert(0, os.path.dirname(__file__))
import _harness  # noqa: E402

from sklearn_regnn import RegularizedMLPRegressor  # noqa: E402

L1_RATIOS = (1.0, 0.5)
TIGHT_TOL = 1e-12
TARGET_EXCESS = 1e-7
MAX_ITER_OURS = 100_000
MAX_ITER_ENET = 1_000_000


def make_datasets():
    """The benchmark's data sets, in float64.

    Returns
    -------
    datasets : list of (str, ndarray or sparse matrix, ndarray, int)
        Name, ``X``, ``y`` and the number of timing repeats (fewer where fits are slow).
    """
    X, y = load_diabetes(return_X_y=True)
    datasets = [("diabetes (std)", StandardScaler().fit_transform(X), y, 7)]
    X, y = make_regression(
        n_samples=5000,
        n_features=500,
        n_informative=20,
        noise=5,
        effective_rank=100,
        random_state=0,
    )
    datasets.append(("regression 5000x500 rank 100 (raw)", X, y, 5))
    X_std = StandardScaler().fit_transform(X)
    datasets.append(("regression 5000x500 rank 100 (std)", X_std, y, 5))
    X, y = make_regression(
        n_samples=1000, n_features=5000, n_informative=20, noise=5, random_state=0
    )
    datasets.append(("regression 1000x5000 (p >> n)", X, y, 5))
    # Fewer samples than features and a dense truth: at small alphas the support
    # reaches n - 1 features, the most a lasso solution needs, and the fits come
    # close to interpolating.
    X, y = make_regression(
        n_samples=200, n_features=1000, n_informative=100, noise=1, random_state=0
    )
    datasets.append(("regression 200x1000, 100 informative", X, y, 5))
    # Sparse X (CSR), as text features are: 20 informative columns of 5000, each row
    # with about 10 non-zeros. ElasticNet takes CSR too.
    rng = np.random.RandomState(0)
    for n_samples, n_features in [(20_000, 5000), (5000, 20_000)]:
        X = sp.random(n_samples, n_features, density=2e-3, format="csr", random_state=rng)
        coef = np.zeros(n_features)
        coef[:20] = 5.0 * rng.normal(size=20)
        y = X @ coef + 0.1 * rng.normal(size=n_samples)
        datasets.append((f"sparse CSR {n_samples}x{n_features}, density 0.002", X, y, 5))
    return datasets


def alpha_max(X, y, l1_ratio):
    """Smallest ``alpha`` at which ElasticNet's solution is all zeros.

    Parameters
    ----------
    X : ndarray or sparse matrix of shape (n_samples, n_features)
        Features.
    y : ndarray of shape (n_samples,)
        Target.
    l1_ratio : float
        Elastic-net mixing (> 0).

    Returns
    -------
    float
        ``max|Xc^T yc| / (n * l1_ratio)`` with column-centered ``X`` and centered ``y``,
        computed as ``X^T yc`` (equal, since ``yc`` sums to 0; a sparse ``X`` stays
        sparse).
    """
    yc = y - y.mean()
    return float(np.abs(X.T @ yc).max() / (X.shape[0] * l1_ratio))


def objective(X, y, coef, intercept, alpha, l1_ratio):
    """ElasticNet's objective at ``(coef, intercept)``, in float64.

    Parameters
    ----------
    X, y : ndarray
        Data.
    coef : ndarray of shape (n_features,)
        Weights.
    intercept : float
        Intercept (not penalized).
    alpha, l1_ratio : float
        Penalty strength and mixing.

    Returns
    -------
    float
        ``(1/(2n))||y - X coef - intercept||^2 + alpha*l1_ratio*|coef|_1
        + alpha*(1-l1_ratio)/2*|coef|^2``.
    """
    coef = np.asarray(coef, dtype=np.float64).ravel()
    residual = np.asarray(y, dtype=np.float64) - X @ coef - float(intercept)
    loss = 0.5 * float(residual @ residual) / X.shape[0]
    return (
        loss
        + alpha * l1_ratio * float(np.abs(coef).sum())
        + 0.5 * alpha * (1.0 - l1_ratio) * float(coef @ coef)
    )


def ours(alpha, l1_ratio, tol):
    """Our linear FISTA regressor with ElasticNet's ``alpha`` and ``l1_ratio``.

    Parameters
    ----------
    alpha, l1_ratio, tol : float
        Penalty and relative duality-gap tolerance.

    Returns
    -------
    RegularizedMLPRegressor
        Unfitted.
    """
    return RegularizedMLPRegressor(
        hidden_layer_sizes=(),
        solver="fista",
        penalty="elasticnet",
        alpha=alpha,
        l1_ratio=l1_ratio,
        tol=tol,
        max_iter=MAX_ITER_OURS,
    )


def enet(alpha, l1_ratio, tol):
    """scikit-learn's ElasticNet with a large ``max_iter``.

    Parameters
    ----------
    alpha, l1_ratio, tol : float
        Penalty and ElasticNet's duality-gap tolerance.

    Returns
    -------
    ElasticNet
        Unfitted.
    """
    return ElasticNet(alpha=alpha, l1_ratio=l1_ratio, tol=tol, max_iter=MAX_ITER_ENET)


def fitter(estimator, X, y):
    """A zero-argument callable fitting a fresh clone of ``estimator`` on ``(X, y)``.

    Parameters
    ----------
    estimator : estimator
        Template (its parameters are copied on every call).
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
        Everything the two tables print for this case.
    """
    alpha = fraction * alpha_max(X, y, l1_ratio)

    def value(model):
        return objective(X, y, model.coef_, model.intercept_, alpha, l1_ratio)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        start = time.perf_counter()
        ref_enet = enet(alpha, l1_ratio, TIGHT_TOL).fit(X, y)
        ref_enet_time = time.perf_counter() - start
        start = time.perf_counter()
        ref_ours = ours(alpha, l1_ratio, TIGHT_TOL).fit(X, y)
        ref_ours_time = time.perf_counter() - start
    p_enet, p_ours = value(ref_enet), value(ref_ours)
    best = ref_enet if p_enet <= p_ours else ref_ours
    p_star = min(p_enet, p_ours)

    candidates = {
        "enet 1e-8": fitter(enet(alpha, l1_ratio, 1e-8), X, y),
        "ours 1e-8": fitter(ours(alpha, l1_ratio, 1e-8), X, y),
    }
    if l1_ratio == 1.0:
        lasso = Lasso(alpha=alpha, tol=1e-8, max_iter=MAX_ITER_ENET)
        candidates["lasso 1e-8"] = fitter(lasso, X, y)
    candidates["enet 1e-4"] = fitter(enet(alpha, l1_ratio, 1e-4), X, y)
    candidates["ours 1e-4"] = fitter(ours(alpha, l1_ratio, 1e-4), X, y)
    times, fitted = _harness.alternate(candidates, repeats)

    scale = np.abs(best.coef_).max()
    return {
        "alpha": alpha,
        "p_star": p_star,
        "star_from": "EN" if best is ref_enet else "ours",
        "ref_gap": abs(p_enet - p_ours) / p_star,
        "ref_times": (ref_enet_time, ref_ours_time),
        "nnz_star": int(np.count_nonzero(best.coef_)),
        "times": times,
        "values": {name: value(model) for name, model in fitted.items()},
        "nnz": {name: int(np.count_nonzero(model.coef_)) for name, model in fitted.items()},
        "n_iter": {name: model.n_iter_ for name, model in fitted.items()},
        "coef_err": {
            name: float(np.abs(model.coef_ - best.coef_).max() / scale)
            for name, model in fitted.items()
        },
    }


def main():
    """Parse the options, run every case and print the tables."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=None, help="override timing rounds")
    parser.add_argument("--alpha-fraction", type=float, default=0.2)
    parser.add_argument("--threads", type=int, default=1, help="BLAS threads")
    parser.add_argument("--only", default="", help="run the data sets whose name has this")
    args = parser.parse_args()

    wall = time.perf_counter()
    with threadpool_limits(limits=args.threads, user_api="blas"):
        print(_harness.machine_summary())
        print(
            f"\nalpha = {args.alpha_fraction} * alpha_max; P* = min(ElasticNet tol=1e-12, "
            "ours tol=1e-12); excess = (P - P*) / P*; times in ms, median (min-max)."
        )
        datasets = [case for case in make_datasets() if args.only in case[0]]
        strict_rows, default_rows, ref_rows = [], [], []
        for name, X, y, repeats in datasets:
            repeats = args.repeats or repeats
            for l1_ratio in L1_RATIOS:
                case = run_case(X, y, l1_ratio, args.alpha_fraction, repeats)
                t, v, nnz = case["times"], case["values"], case["nnz"]
                p_star = case["p_star"]
                ours_excess = (v["ours 1e-8"] - p_star) / p_star
                label = [name, l1_ratio]
                ref_rows.append(
                    label
                    + [
                        f"{X.shape[0]}x{X.shape[1]}",
                        f"{case['alpha']:.4g}",
                        f"{case['nnz_star']}/{X.shape[1]}",
                        f"{p_star:.10g}",
                        case["star_from"],
                        f"{case['ref_gap']:.1e}",
                        f"{1e3 * case['ref_times'][0]:.3g} / {1e3 * case['ref_times'][1]:.3g}",
                        repeats,
                    ]
                )
                lasso = _harness.spread(t["lasso 1e-8"], 1e3) if "lasso 1e-8" in t else "-"
                strict_rows.append(
                    label
                    + [
                        _harness.spread(t["enet 1e-8"], 1e3),
                        lasso,
                        _harness.spread(t["ours 1e-8"], 1e3),
                        _harness.ratio(t["ours 1e-8"], t["enet 1e-8"]),
                        f"{case['n_iter']['enet 1e-8']} / {case['n_iter']['ours 1e-8']}",
                        _harness.excess(v["enet 1e-8"], p_star),
                        _harness.excess(v["ours 1e-8"], p_star),
                        f"{case['coef_err']['enet 1e-8']:.1e} / "
                        f"{case['coef_err']['ours 1e-8']:.1e}",
                        f"{nnz['enet 1e-8']} / {nnz['ours 1e-8']}",
                        "yes" if ours_excess <= TARGET_EXCESS else "NO",
                    ]
                )
                default_rows.append(
                    label
                    + [
                        _harness.spread(t["enet 1e-4"], 1e3),
                        _harness.spread(t["ours 1e-4"], 1e3),
                        _harness.ratio(t["ours 1e-4"], t["enet 1e-4"]),
                        f"{case['n_iter']['enet 1e-4']} / {case['n_iter']['ours 1e-4']}",
                        _harness.excess(v["enet 1e-4"], p_star),
                        _harness.excess(v["ours 1e-4"], p_star),
                        f"{nnz['enet 1e-4']} / {nnz['ours 1e-4']}",
                    ]
                )

        _harness.print_table(
            "Reference solutions",
            [
                "data",
                "l1_ratio",
                "n x p",
                "alpha",
                "nonzeros",
                "P*",
                "P* from",
                "|P_EN - P_ours| / P* at 1e-12",
                "ref fit ms EN / ours",
                "repeats",
            ],
            ref_rows,
        )
        _harness.print_table(
            "tol=1e-8: time (ms) and relative objective excess",
            [
                "data",
                "l1_ratio",
                "ElasticNet",
                "Lasso",
                "ours",
                "ours/EN",
                "n_iter EN / ours",
                "EN excess",
                "ours excess",
                "max|coef - coef*|/max|coef*| EN / ours",
                "nonzeros EN / ours",
                f"ours within {TARGET_EXCESS:g}",
            ],
            strict_rows,
        )
        _harness.print_table(
            "Default tol=1e-4 (both): time (ms) and relative objective excess",
            [
                "data",
                "l1_ratio",
                "ElasticNet",
                "ours",
                "ours/EN",
                "n_iter EN / ours",
                "EN excess",
                "ours excess",
                "nonzeros EN / ours",
            ],
            default_rows,
        )
    print(f"\nTotal wall time: {time.perf_counter() - wall:.1f} s")


if __name__ == "__main__":
    main()
