"""Cross-validated estimators against GridSearchCV, and feature recovery on Friedman #1.

1. Speed. ``RegularizedMLPRegressorCV`` against ``GridSearchCV`` over the plain
   estimator with the same grid, the same folds and the same data, both refitting
   on all data, timed alternately: a linear model (``hidden_layer_sizes=()``,
   ``solver='fista'``) on 2000 samples of ``make_regression(n_features=200,
   n_informative=10, noise=10)`` and one hidden layer of 32 units (Adam) on 1000
   samples of ``make_friedman1(n_features=10)``. Also whether the CV estimator's
   ``alpha_`` has a mean CV score (as GridSearchCV measured it) within one
   standard error of GridSearchCV's best, the CV estimator's own mean score there,
   and the R^2 of both refits on the 5000 samples held out of the same draw.
2. The hidden-layer setting's choices over 5 data seeds and 4 initializations
   each: with hidden layers the
   CV estimator scores (and refits) warm-started fits, GridSearchCV fresh ones.
   Also the epochs each search spends, which the machine's load does not change.
   And how often GridSearchCV itself, rerun with another initialization, chooses
   within one standard error of its first run's best, beside the same figure for
   the CV estimator. Then both kinds of fit at the grid's 5 smallest alphas, on all
   1000 samples,
   over 5 data seeds and 3 initializations each: their training objectives and
   their R^2 on the held-out samples.
3. Recovery. ``make_friedman1(n_samples=1000, n_features=50, noise=1)`` over 5 seeds:
   the informative features (0-4) and the others kept by a network with
   ``penalty='group_lasso'`` whose alpha is chosen by the CV estimator (one search,
   and ``adaptive=True``), next to ``SelectFromModel(LassoCV())``, with the R^2 of
   each on 5000 samples of another draw.

Run: ``python benchmarks/bench_cv.py [--repeats 3] [--seeds 5]`` (about 7 minutes).
"""

import argparse
import os
import sys
import warnings

import numpy as np
from sklearn.base import clone
from sklearn.datasets import make_friedman1, make_regression
from sklearn.exceptions import ConvergenceWarning
from sklearn.feature_selection import SelectFromModel
from sklearn.linear_model import LassoCV
from sklearn.model_selection import GridSearchCV, KFold
from sklearn.preprocessing import StandardScaler

sys.path.insert(0, os.path.dirname(__file__))
import _harness  # noqa: E402

from sklearn_regnn import (  # noqa: E402
    RegularizedMLPRegressor,
    RegularizedMLPRegressorCV,
    alpha_max,
    regularization_path,
)
from sklearn_regnn._path import walk_path  # noqa: E402
from sklearn_regnn.penalties import make_penalty  # noqa: E402

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


def standardized(X, y, X_test=None, y_test=None):
    """Inputs and target standardized; a test set with the training statistics."""
    scaler = StandardScaler().fit(X)
    mean, std = y.mean(), y.std()
    if X_test is None:
        return scaler.transform(X), (y - mean) / std
    return scaler.transform(X), (y - mean) / std, scaler.transform(X_test), (y_test - mean) / std


def split(X, y, n_train):
    """The first n_train samples for the searches, the rest held out."""
    return X[:n_train], y[:n_train], X[n_train:], y[n_train:]


def speed(repeats):
    """Time both searches per setting, compare their choices and their refits."""
    data = {
        "linear, 2000 x 200": standardized(
            *split(*make_regression(7000, 200, n_informative=10, noise=10.0, random_state=0), 2000)
        ),
        "(32,) adam, Friedman 1000 x 10": standardized(
            *split(*make_friedman1(n_samples=6000, n_features=10, noise=1.0, random_state=0), 1000)
        ),
    }
    rows = []
    folds = KFold(5, shuffle=True, random_state=0)
    for name, params in SETTINGS.items():
        X, y, X_test, y_test = data[name]
        cv_model = RegularizedMLPRegressorCV(alphas=10, cv=folds, **params)
        grid = RegularizedMLPRegressorCV(alphas=10, cv=folds, **params).fit(X, y).alphas_
        search = GridSearchCV(RegularizedMLPRegressor(**params), {"alpha": grid}, cv=folds)
        runs = {
            "CV estimator": lambda model=cv_model, X=X, y=y: model.fit(X, y),
            "GridSearchCV": lambda model=search, X=X, y=y: model.fit(X, y),
        }
        times, fitted = _harness.alternate(runs, repeats)
        ours, theirs = fitted["CV estimator"], fitted["GridSearchCV"]
        means = theirs.cv_results_["mean_test_score"]
        stds = theirs.cv_results_["std_test_score"]
        best = int(np.argmax(means))
        chosen = int(np.flatnonzero(np.isclose(grid, ours.alpha_))[0])
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
                f"{ours.cv_scores_[chosen].mean():.4f}",
                f"{ours.score(X_test, y_test):.4f} / {theirs.score(X_test, y_test):.4f}",
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
            "GridSearchCV's mean CV R^2 at ours / at its best",
            "within 1 se",
            "our mean CV R^2 at alpha_",
            "held-out R^2 of the refits (ours / grid's)",
        ],
        rows,
    )


def samples_scorer(model, X, y):
    """Not a score: the samples the model's training has passed over, ``t_``, which
    runs on over a warm-started walk (``n_iter_`` counts only the last fit, and a
    fit the walk skips leaves it as it was)."""
    return model.t_


def within_one_se(reference, chosen):
    """Whether GridSearchCV's mean score at alpha index ``chosen`` is at least its
    best minus one standard error (over the folds) of the best, in ``reference``
    (a fitted GridSearchCV)."""
    means, stds = reference.cv_results_["mean_test_r2"], reference.cv_results_["std_test_r2"]
    best = reference.best_index_
    return means[chosen] >= means[best] - stds[best] / np.sqrt(reference.n_splits_)


def hidden_layer_choice(seeds, initializations=4):
    """Per data seed and initialization, the hidden-layer setting's choices, the
    held-out scores of both refits, and the epochs each search spent (counted
    through a scorer that returns ``t_``, so free of the machine's load). Then how
    often a choice is within one standard error of GridSearchCV's best when
    GridSearchCV itself is rerun with another initialization, beside the same
    figure for the CV estimator's choice."""
    name = "(32,) adam, Friedman 1000 x 10"
    folds = KFold(5, shuffle=True, random_state=0)
    rows, held_out, epochs, within = [], [], [], 0
    searches = {}  # data seed -> [(our alpha index, fitted GridSearchCV)] per initialization
    for seed in range(seeds):
        X, y, X_test, y_test = standardized(
            *split(
                *make_friedman1(n_samples=6000, n_features=10, noise=1.0, random_state=seed), 1000
            )
        )
        for init in range(initializations):
            params = {**SETTINGS[name], "random_state": 100 * init + seed}
            ours = RegularizedMLPRegressorCV(alphas=10, cv=folds, **params).fit(X, y)
            grid = ours.alphas_
            theirs = GridSearchCV(
                RegularizedMLPRegressor(**params),
                {"alpha": grid},
                cv=folds,
                scoring={"r2": "r2", "samples": samples_scorer},
                refit="r2",
            )
            theirs.fit(X, y)
            means = theirs.cv_results_["mean_test_r2"]
            best = theirs.best_index_
            chosen = int(np.flatnonzero(grid == ours.alpha_)[0])
            standard_error = theirs.cv_results_["std_test_r2"][best] / np.sqrt(5)
            within += within_one_se(theirs, chosen)
            searches.setdefault(seed, []).append((chosen, theirs))
            held_out.append([ours.score(X_test, y_test), theirs.score(X_test, y_test)])
            # Epochs in passes over all len(X) samples: the folds' fits see 4/5 of them.
            walks = RegularizedMLPRegressorCV(
                alphas=grid, cv=folds, scoring=samples_scorer, **params
            )
            per_fold = walks.fit(X, y).cv_scores_.max(axis=0)  # the walks' totals
            # The refit walks the grid on all the data up to alpha_ (its n_iter_
            # counts only the last fit): the same walk, counted whole.
            refit_walk = regularization_path(
                RegularizedMLPRegressor(**params), X, y, alphas=grid[: chosen + 1]
            )
            ours_epochs = per_fold.sum() / len(X) + sum(refit_walk.n_iter)
            theirs_epochs = (
                theirs.cv_results_["mean_test_samples"].sum() * folds.get_n_splits()
                + theirs.best_estimator_.t_
            ) / len(X)
            epochs.append([ours_epochs, theirs_epochs])
            rows.append(
                [
                    f"{seed} / {params['random_state']}",
                    f"{chosen} / {best}",
                    f"{means[chosen]:.4f} / {means[best]:.4f} (se {standard_error:.4f})",
                    "yes" if means[chosen] >= means[best] - standard_error else "no",
                    f"{ours.cv_scores_[chosen].mean():.4f}",
                    f"{held_out[-1][0]:.4f} / {held_out[-1][1]:.4f}",
                    f"{ours_epochs:.0f} / {theirs_epochs:.0f} "
                    f"({theirs_epochs / ours_epochs:.2f}x)",
                ]
            )
    held_out, epochs = np.asarray(held_out), np.asarray(epochs)
    difference = held_out[:, 0] - held_out[:, 1]
    rows.append(
        [
            "all",
            "",
            "",
            f"{within} of {len(held_out)}",
            "",
            f"{held_out[:, 0].mean():.4f} / {held_out[:, 1].mean():.4f}, difference "
            f"{difference.mean():+.4f} (se {difference.std() / np.sqrt(len(difference)):.4f})",
            f"{epochs[:, 0].mean():.0f} / {epochs[:, 1].mean():.0f} "
            f"({epochs[:, 1].sum() / epochs[:, 0].sum():.2f}x)",
        ]
    )
    _harness.print_table(
        f"{name}, per data seed and initialization (random_state): choices, and R^2 of "
        "the refits on 5000 held-out samples",
        [
            "data seed / random_state",
            "alpha index chosen (ours / grid's; 0 is the smallest)",
            "GridSearchCV's mean CV R^2 at ours / at its best",
            "within 1 se",
            "our mean CV R^2 at alpha_",
            "held-out R^2 (ours / grid's)",
            "epochs over the 1000 samples (ours / grid's)",
        ],
        rows,
    )
    reproducibility(searches)


def reproducibility(searches):
    """Within one standard error of GridSearchCV's best: the CV estimator's choice
    against the GridSearchCV run of its own initialization and against every run
    of its data seed, and each GridSearchCV run's choice against every other run
    of its data seed (so against GridSearchCV's own initialization noise)."""
    ours_same = ours_any = grid_other = 0
    n_same = n_any = n_other = 0
    chosen_counts = {"CV estimator": {}, "GridSearchCV": {}}
    for runs in searches.values():
        for i, (ours, theirs) in enumerate(runs):
            ours_same += within_one_se(theirs, ours)
            n_same += 1
            for name, index in (("CV estimator", ours), ("GridSearchCV", theirs.best_index_)):
                chosen_counts[name][index] = chosen_counts[name].get(index, 0) + 1
            for j, (_, reference) in enumerate(runs):
                ours_any += within_one_se(reference, ours)
                n_any += 1
                if i != j:
                    grid_other += within_one_se(reference, theirs.best_index_)
                    n_other += 1
    counts = {
        name: ", ".join(f"index {k}: {v}" for k, v in sorted(c.items()))
        for name, c in chosen_counts.items()
    }
    _harness.print_table(
        "Within one s.e. of GridSearchCV's best, by GridSearchCV's scores",
        ["choice", "judged by", "within 1 se", "alpha indices chosen"],
        [
            [
                "CV estimator's",
                "GridSearchCV, same initialization",
                f"{ours_same} of {n_same}",
                counts["CV estimator"],
            ],
            [
                "CV estimator's",
                "every GridSearchCV run of the data seed",
                f"{ours_any} of {n_any}",
                "",
            ],
            [
                "GridSearchCV's",
                "every other GridSearchCV run of the data seed",
                f"{grid_other} of {n_other}",
                counts["GridSearchCV"],
            ],
        ],
    )


def training_objective(model, X, y):
    """Half the mean squared error on (X, y) plus the penalty at the model's alpha."""
    penalty = make_penalty(model.penalty, model.alpha, model.l1_ratio)
    return 0.5 * np.mean((y - model.predict(X)) ** 2) + penalty.value(model.coefs_)


def warm_versus_fresh(seeds, initializations=3, n_alphas=5):
    """At each of the grid's smallest alphas, a fit warm-started along the grid (as
    the CV estimator's paths and refit make them) against a fresh fit (as
    GridSearchCV makes them), on the same 1000 samples and from the same
    initialization: training objective and R^2 on the 5000 held-out samples."""
    name = "(32,) adam, Friedman 1000 x 10"
    measured = {"warm": [], "fresh": []}  # (objective, R^2) per run and alpha
    for seed in range(seeds):
        X, y, X_test, y_test = standardized(
            *split(
                *make_friedman1(n_samples=6000, n_features=10, noise=1.0, random_state=seed), 1000
            )
        )
        # The CV estimator's default grid (10 values up to alpha_max), from its bottom.
        grid = np.geomspace(1e-3, 1.0, 10)[:n_alphas] * alpha_max(X, y)
        for init in range(initializations):
            params = {**SETTINGS[name], "random_state": 100 * init + seed}
            template = RegularizedMLPRegressor(**params)
            measured["warm"].append(
                [
                    (training_objective(model, X, y), model.score(X_test, y_test))
                    for model, _ in walk_path(template, X, y, grid)
                ]
            )
            fresh = [clone(template).set_params(alpha=alpha).fit(X, y) for alpha in grid]
            measured["fresh"].append(
                [(training_objective(m, X, y), m.score(X_test, y_test)) for m in fresh]
            )
    warm, fresh = np.asarray(measured["warm"]), np.asarray(measured["fresh"])
    runs = warm.shape[0]

    def mean_and_se(values):
        return f"{values.mean():+.4f} ({values.std() / np.sqrt(runs):.4f})"

    rows = [
        [
            k,
            f"{warm[:, k, 0].mean():.4f} / {fresh[:, k, 0].mean():.4f}",
            mean_and_se(warm[:, k, 0] - fresh[:, k, 0]),
            f"{warm[:, k, 1].mean():.4f} / {fresh[:, k, 1].mean():.4f}",
            mean_and_se(warm[:, k, 1] - fresh[:, k, 1]),
        ]
        for k in range(n_alphas)
    ]
    _harness.print_table(
        f"{name}: warm-started vs fresh fits at the grid's {n_alphas} smallest alphas, "
        f"on all 1000 samples, mean over {runs} runs ({seeds} data seeds x "
        f"{initializations} initializations)",
        [
            "alpha index (grid up from the smallest)",
            "training objective (warm / fresh)",
            "warm - fresh (se)",
            "held-out R^2 (warm / fresh)",
            "warm - fresh (se)",
        ],
        rows,
    )


def recovery(seeds):
    """Inputs kept, per seed, by the group-lasso network (one search and adaptive)
    and by the lasso, and the R^2 of each on a held-out draw."""
    rows, counts, held_out = [], [], []
    for seed in range(seeds):
        X, y, X_test, y_test = standardized(
            *make_friedman1(n_samples=1000, n_features=50, noise=1.0, random_state=seed),
            *make_friedman1(n_samples=5000, n_features=50, noise=1.0, random_state=seed + 100),
        )
        params = dict(
            penalty="group_lasso",
            l1_ratio=1.0,
            alphas=8,
            cv=3,
            learning_rate_init=0.01,
            max_iter=300,
            random_state=seed,
        )
        net = RegularizedMLPRegressorCV((32,), **params).fit(X, y)
        adaptive = RegularizedMLPRegressorCV((32,), adaptive=True, **params).fit(X, y)
        lasso = LassoCV(random_state=seed).fit(X, y)
        selectors = {
            "net": (net, net.feature_importances_ > 0),
            "adaptive": (adaptive, adaptive.feature_importances_ > 0),
            "LassoCV": (lasso, SelectFromModel(lasso, prefit=True).get_support()),
        }
        counts.append([[k[:5].sum(), k[5:].sum()] for _, k in selectors.values()])
        held_out.append([model.score(X_test, y_test) for model, _ in selectors.values()])
        rows.append(
            [seed, f"{net.alpha_:.3g} / {adaptive.alpha_:.3g}"]
            + [f"{i} / {o}" for i, o in counts[-1]]
            + ["  ".join(f"{r:.3f}" for r in held_out[-1])]
        )
    counts, held_out = np.mean(counts, axis=0), np.mean(held_out, axis=0)
    rows.append(
        ["mean", ""]
        + [f"{i:.1f} / {o:.1f}" for i, o in counts]
        + ["  ".join(f"{r:.3f}" for r in held_out)]
    )
    _harness.print_table(
        "Friedman #1, 50 features: informative kept (of 5) / others kept (of 45), and "
        "R^2 on 5000 held-out samples",
        [
            "seed",
            "alpha_ (net / adaptive)",
            "group lasso net, one search",
            "group lasso net, adaptive=True",
            "SelectFromModel(LassoCV())",
            "held-out R^2 (net, adaptive, LassoCV)",
        ],
        rows,
    )


def main():
    """Run the three parts."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--seeds", type=int, default=5)
    args = parser.parse_args()
    print(_harness.machine_summary())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        speed(args.repeats)
        hidden_layer_choice(args.seeds)
        warm_versus_fresh(args.seeds)
        recovery(args.seeds)


if __name__ == "__main__":
    main()
