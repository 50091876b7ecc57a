"""
Tuning alpha with GridSearchCV in a Pipeline
============================================

``alpha`` sets how strongly the weights are penalized. Here it is chosen the usual
scikit-learn way: a :class:`~sklearn.pipeline.Pipeline` that standardizes the
inputs and fits a :class:`~sklearn_regnn.RegularizedMLPClassifier`, searched over
a logarithmic grid of ``alpha`` by :class:`~sklearn.model_selection.GridSearchCV`.
Along the grid we also count how many weights are exactly zero: the same knob
that trades training fit for generalization also decides how sparse the network
is.
"""

# %%
# The search
# ----------
# The breast cancer data: 569 tumours, 30 features measured on images of their
# cells, two classes. The scaler sits inside the pipeline so that each fold
# standardizes with its own training part only.
import time
import warnings

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_breast_cancer
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV, StratifiedKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_regnn import RegularizedMLPClassifier, RegularizedMLPClassifierCV

X, y = load_breast_cancer(return_X_y=True)
pipe = make_pipeline(
    StandardScaler(),
    RegularizedMLPClassifier(
        hidden_layer_sizes=(16,),
        penalty="l1",
        learning_rate_init=0.01,
        max_iter=200,
        random_state=0,
    ),
)
alphas = np.geomspace(1e-4, 0.3, 12)  # increasing: later means sparser
n_folds = 5


def sparsest_within_one_standard_error(cv_results):
    """The largest alpha whose mean score is within one standard error of the best.

    Scores that differ by less than their own fold-to-fold noise do not tell the
    models apart; among those, prefer the most regularized (sparsest) one.
    """
    mean, std = cv_results["mean_test_score"], cv_results["std_test_score"]
    best = int(np.argmax(mean))
    good_enough = mean >= mean[best] - std[best] / np.sqrt(n_folds)
    return int(np.flatnonzero(good_enough).max())


search = GridSearchCV(
    pipe,
    {"regularizedmlpclassifier__alpha": alphas},
    cv=StratifiedKFold(n_folds, shuffle=True, random_state=0),
    refit=sparsest_within_one_standard_error,
)
# A fixed budget of 200 epochs per fit; the weakest penalties would run longer
# without changing the comparison, so their warning is silenced here.
with warnings.catch_warnings():
    warnings.simplefilter("ignore", ConvergenceWarning)
    start = time.perf_counter()
    search.fit(X, y)
    search_time = time.perf_counter() - start

mean = search.cv_results_["mean_test_score"]
std = search.cv_results_["std_test_score"]
best_alpha = search.best_params_["regularizedmlpclassifier__alpha"]
top = int(np.argmax(mean))
print(f"highest mean CV accuracy: {mean[top]:.3f} at alpha={alphas[top]:.2g}")
print(f"chosen (one-standard-error rule): alpha={best_alpha:.2g}, {mean[search.best_index_]:.3f}")

# %%
# How sparse is the network at each alpha?
# ----------------------------------------
# GridSearchCV keeps only the refit at the best ``alpha``, so we refit on all the
# data at every ``alpha`` and count the weights that are not exactly zero, and the
# input features that still have a non-zero weight.
nonzero_weights, features_used = [], []
with warnings.catch_warnings():
    warnings.simplefilter("ignore", ConvergenceWarning)
    for alpha in alphas:
        fitted = pipe.set_params(regularizedmlpclassifier__alpha=alpha).fit(X, y)
        net = fitted[-1]
        nonzero_weights.append(sum(int(np.count_nonzero(W)) for W in net.coefs_))
        features_used.append(int(np.count_nonzero(net.feature_importances_)))
n_weights = sum(W.size for W in net.coefs_)
best = search.best_index_
print(
    f"at the chosen alpha: {nonzero_weights[best]} of {n_weights} weights non-zero, "
    f"{features_used[best]} of {X.shape[1]} features used"
)

# %%
# Score and sparsity against alpha
# --------------------------------
fig, ax_score = plt.subplots(figsize=(8, 4.5), layout="constrained")
ax_score.errorbar(
    alphas, mean, yerr=std, fmt="o-", color="tab:blue", capsize=3, label="CV accuracy (±1 std)"
)
ax_score.axvline(
    best_alpha,
    color="tab:blue",
    linestyle="--",
    linewidth=1,
    label=f"chosen alpha = {best_alpha:.2g}",
)
ax_score.axhline(
    mean[top] - std[top] / np.sqrt(n_folds),
    color="0.6",
    linewidth=1,
    label="best mean - 1 standard error",
)
ax_score.set_xscale("log")
ax_score.set_xlabel("alpha")
ax_score.set_ylabel("5-fold CV accuracy", color="tab:blue")

ax_sparse = ax_score.twinx()
ax_sparse.plot(alphas, nonzero_weights, "s-", color="tab:orange", label="non-zero weights")
ax_sparse.plot(alphas, features_used, "^-", color="tab:green", label="input features used")
# Symmetric log: small counts stay readable, and zero can still be drawn.
ax_sparse.set_yscale("symlog", linthresh=1)
ax_sparse.set_ylim(bottom=0)
ax_sparse.set_ylabel("count (refit on all data)")
handles = ax_score.get_legend_handles_labels()[0] + ax_sparse.get_legend_handles_labels()[0]
ax_sparse.legend(handles=handles, loc="lower left")
ax_score.set_title(f"L1 network, one hidden layer of 16 units ({n_weights} weights)")
plt.show()

# %%
# The grey line is one standard error below the highest mean accuracy. Small
# values of ``alpha`` keep almost every weight and generalize no better than the
# chosen one, whose accuracy is within the folds' noise of the best but which
# uses a fraction of the weights and of the input features. Past it, the
# penalty removes weights the classifier needs, and at the largest values it
# removes all of them: the network then predicts the majority class.

# %%
# The same search on warm-started paths
# -------------------------------------
# :class:`~sklearn_regnn.RegularizedMLPClassifierCV` searches the same grid on the
# same folds, fitting one warm-started path per fold instead of every ``alpha``
# from scratch (:ref:`sphx_glr_auto_examples_plot_cv_estimator.py` compares the
# two kinds of fit). In a pipeline it is one more step, and it refits at the
# ``alpha`` with the best mean accuracy (not by the one-standard-error rule used
# above).
path_pipe = make_pipeline(
    StandardScaler(),
    RegularizedMLPClassifierCV(
        hidden_layer_sizes=(16,),
        penalty="l1",
        alphas=alphas,
        cv=StratifiedKFold(n_folds, shuffle=True, random_state=0),
        learning_rate_init=0.01,
        max_iter=200,
        random_state=0,
    ),
)
with warnings.catch_warnings():
    warnings.simplefilter("ignore", ConvergenceWarning)
    start = time.perf_counter()
    path_pipe.fit(X, y)
    path_time = time.perf_counter() - start
path_search = path_pipe[-1]
path_mean = path_search.cv_scores_.mean(axis=1)
print(f"{'search':27} {'time (s)':>8} {'best alpha':>10} {'mean CV accuracy':>16}")
print(f"{'GridSearchCV, fresh fits':27} {search_time:8.1f} {alphas[top]:10.2g} {mean[top]:16.3f}")
print(
    f"{'CV estimator, warm paths':27} {path_time:8.1f} {path_search.alpha_:10.2g} "
    f"{path_mean.max():16.3f}"
)
print(f"the CV estimator's refit uses {path_search.n_features_selected_} of {X.shape[1]} features")

# %%
# Both searches find their best mean accuracy at the same ``alpha``, and the paths
# take less time. The one-standard-error choice above is a separate step: it trades
# a little accuracy for far fewer weights. The same rule can pick an ``alpha`` from
# the CV estimator's ``cv_scores_``, for the plain estimator to refit at.
