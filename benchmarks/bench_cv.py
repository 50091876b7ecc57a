"""Cross-validated estimators against GridSearchCV, and feature recovery on Friedman #1.

1. Speed. ``RegularizedMLPRegressorCV`` against ``GridSearchCV`` over the plain
   estimator with the same grid, the same folds and the same data, both refitting
   on all data, timed alternately: a linear model (``hidden_layer_sizes=()``,
   ``solver='fista'``) on ``make_regression(2000, 200, n_informative=10, noise=10)``
   and one hidden layer of 32 units (Adam) on ``make_friedman1(1000, 10)``. Also
   whether the CV estimator's ``alpha_`` has a mean CV score (as GridSearchCV
   measured it) within one standard error of GridSearchCV's best.
2. Recovery. ``make_friedman1(n_samples=1000, n_features=50, noise=1)`` over 5 seeds:
   the informative features (0-4) and the others kept by a network with
   ``penalty='group_lasso'`` whose alpha is chosen by the CV estimator, next to
   ``SelectFromModel(LassoCV())``.

Run: ``python benchmarks/bench_cv.py [--repeats 3] [--seeds 5]`` (about 5 minutes).
"""

import argparse
import os
import sys
import warnings

import numpy as np
from sklearn.datasets import make_friedman1, make_regression
from sklearn.exceptions import ConvergenceWarning
from sklearn.feature_selection import SelectFromModel
from sklearn.linear_model import LassoCV
from sklearn.model_selection import GridSearchCV, KFold
from sklearn.preprocessing import StandardScaler

sys.path.insert(0, os.path.dirname(__file__))
import _harness  # noqa: E402

from sklearn_regnn import RegularizedMLPRegressor, RegularizedMLPRegressorCV  # noqa: E402

SETTINGS = {
    "linear, 2000 x 200": dict(hidden_layer_sizes=(), solver="fista", penalty="l1", tol=1e-6),
    "(32,) adam, Friedman 1000 x 10": dict(
        hidden_layer_sizes=(32,),
        penalty="l1",
        learning_rate_init=0.01,
        max_iter=300,
        random_state=0,
    ),
}


def standardized(X, y):
    """Standardized inputs and target."""
    return StandardScaler().fit_transform(X), (y - y.mean()) / y.std()


def speed(repeats):
    """Time both searches per setting and compare their choices."""
    data = {
        "linear, 2000 x 200": standardized(
            *make_regression(2000, 200, n_informative=10, noise=10.0, random_state=0)
        ),
        "(32,) adam, Friedman 1000 x 10": standardized(
            *make_friedman1(n_samples=1000, n_features=10, noise=1.0, random_state=0)
        ),
    }
    rows = []
    folds = KFold(5, shuffle=True, random_state=0)
    for name, params in SETTINGS.items():
        X, y = data[name]
        cv_model = RegularizedMLPRegressorCV(alphas=10, cv=folds, **params)
        grid = RegularizedMLPRegressorCV(alphas=10, cv=folds, **params).fit(X, y).alphas_
        search = GridSearchCV(RegularizedMLPRegressor(**params), {"alpha": grid}, cv=folds)
        runs = {
            "CV estimator": lambda model=cv_model, X=X, y=y: model.fit(X, y),
            "GridSearchCV": lambda model=search, X=X, y=y: model.fit(X, y),
        }
        times, fitted = _harness.alternate(runs, repeats)
        results = fitted["GridSearchCV"].cv_results_
        means, stds = results["mean_test_score"], results["std_test_score"]
        best = int(np.argmax(means))
        chosen = int(np.flatnonzero(np.isclose(grid, fitted["CV estimator"].alpha_))[0])
        standard_error = stds[best] / np.sqrt(folds.get_n_splits())
        rows.append(
            [
                name,
                _harness.spread(times["CV estimator"]),
                _harness.spread(times["GridSearchCV"]),
                f"{np.median(times['GridSearchCV']) / np.median(times['CV estimator']):.1f}x",
                f"{grid[chosen]:.3g} / {grid[best]:.3g}",
                f"{means[chosen]:.4f} / {means[best]:.4f} (se {standard_error:.4f})",
                "yes" if means[chosen] >= means[best] - standard_error else "no",
            ]
        )
    _harness.print_table(
        "CV estimator vs GridSearchCV: same 10 alphas, same 5 folds, refit included (s)",
        [
            "setting",
            "CV estimator",
            "GridSearchCV",
            "speed-up",
            "alpha chosen (ours / grid's)",
            "mean CV R^2 (ours / grid's best)",
            "within 1 se",
        ],
        rows,
    )


def recovery(seeds):
    """Informative and other features kept, per seed, by both selectors."""
    rows = []
    for seed in range(seeds):
        X, y = standardized(
            *make_friedman1(n_samples=1000, n_features=50, noise=1.0, random_state=seed)
        )
        net = RegularizedMLPRegressorCV(
            (32,),
            penalty="group_lasso",
            l1_ratio=1.0,
            alphas=8,
            cv=3,
            learning_rate_init=0.01,
            max_iter=300,
            random_state=seed,
        ).fit(X, y)
        lasso = SelectFromModel(LassoCV(random_state=seed)).fit(X, y)
        kept = {"group lasso net": net.feature_importances_ > 0, "LassoCV": lasso.get_support()}
        rows.append(
            [seed, f"{net.alpha_:.3g}"] + [f"{k[:5].sum()} / {k[5:].sum()}" for k in kept.values()]
        )
    informative = np.array([[int(c.split(" / ")[0]) for c in row[2:]] for row in rows])
    others = np.array([[int(c.split(" / ")[1]) for c in row[2:]] for row in rows])
    rows.append(
        ["mean", ""]
        + [f"{informative[:, k].mean():.1f} / {others[:, k].mean():.1f}" for k in range(2)]
    )
    _harness.print_table(
        "Friedman #1, 50 features: informative kept (of 5) / others kept (of 45)",
        ["seed", "alpha_ (net)", "group lasso net (CV alpha)", "SelectFromModel(LassoCV())"],
        rows,
    )


def main():
    """Run both parts."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--seeds", type=int, default=5)
    args = parser.parse_args()
    print(_harness.machine_summary())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        speed(args.repeats)
        recovery(args.seeds)


if __name__ == "__main__":
    main()
