"""
Selecting input features with an L1 network
===========================================

An input feature leaves a network when every weight leaving it in the first layer
is zero. The L1 penalty, applied by its proximal step, produces such exact zeros,
so the fitted ``feature_importances_`` (the norm of each feature's first-layer
weights) is exactly ``0`` for the features the network dropped, and
:class:`~sklearn.feature_selection.SelectFromModel` can use the network as a
feature selector, including for features that matter only non-linearly.
"""

# %%
# A task where five of twenty inputs matter
# -----------------------------------------
# :func:`~sklearn.datasets.make_friedman1` draws 20 uniform inputs; the target is
# ``10 sin(pi x0 x1) + 20 (x2 - 1/2)**2 + 10 x3 + 5 x4`` plus noise, so only the
# first five inputs matter, two of them through a product inside a sine and one
# through a parabola. We standardize the inputs and the target (the penalty's
# ``alpha`` is in units of the squared target).
import warnings

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import make_friedman1
from sklearn.exceptions import ConvergenceWarning
from sklearn.feature_selection import SelectFromModel
from sklearn.linear_model import LassoCV
from sklearn.model_selection import cross_val_score
from sklearn.neural_network import MLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_regnn import RegularizedMLPRegressor

X, y = make_friedman1(n_samples=1000, n_features=20, noise=1.0, random_state=0)
y = (y - y.mean()) / y.std()
informative = np.arange(20) < 5


def l1_network():
    return RegularizedMLPRegressor(
        hidden_layer_sizes=(32,),
        penalty="l1",
        alpha=0.013,
        learning_rate_init=0.01,
        max_iter=300,
        random_state=0,
    )


# %%
# The network's importances, and a linear selector's
# --------------------------------------------------
# Next to it, :class:`~sklearn.linear_model.LassoCV`, the usual linear selector:
# the absolute values of its coefficients.
selector_net = make_pipeline(StandardScaler(), l1_network()).fit(X, y)
importances = selector_net[-1].feature_importances_
lasso = make_pipeline(StandardScaler(), LassoCV()).fit(X, y)
lasso_importances = np.abs(lasso[-1].coef_)

for name, values in [("L1 network", importances), ("LassoCV", lasso_importances)]:
    kept = np.flatnonzero(values)
    print(f"{name:>10} keeps features {kept.tolist()}")

fig, axes = plt.subplots(1, 2, figsize=(12, 4), layout="constrained", sharex=True)
colors = np.where(informative, "tab:orange", "tab:blue")
for ax, values, title in [
    (axes[0], importances, "RegularizedMLPRegressor(penalty='l1')"),
    (axes[1], lasso_importances, "LassoCV"),
]:
    ax.bar(np.arange(20), values, color=colors)
    # A log scale, so that small importances show; exact zeros are written as "0".
    ax.set_yscale("log")
    ax.set_ylim(1e-4, 2)
    for j in np.flatnonzero(values == 0):
        ax.annotate("0", (j, 1.3e-4), ha="center", va="bottom", fontsize=8, color="0.4")
    ax.set_xticks(np.arange(20))
    ax.set_xlabel("input feature (orange: informative)")
    ax.set_title(f"{title}: {np.count_nonzero(values)} of 20 features kept")
axes[0].set_ylabel("feature_importances_ (norm of first-layer row)")
axes[1].set_ylabel("|coef_|")

# %%
# The network keeps the five informative inputs and one noise input, ``x10``, whose
# importance is about thirty times smaller than the weakest informative one's;
# every other input gets an importance of exactly zero. The lasso misses ``x2``: a
# parabola centred in the middle of the input's range has no linear trend, so a
# linear model sees no reason to keep it. The network keeps it, with the largest
# importance of all. Its hold on ``x2`` weakens fast as ``alpha`` grows, though:
# with ReLU units a parabola takes at least two units bending opposite ways, and an
# element-wise L1 penalty charges for every weight involved. At ``alpha=0.02``,
# ``x2``'s importance is below 0.01 for each ``random_state`` from 0 to 3, and
# exactly 0 for ``random_state=0``. Where to stop is a question for cross-validation.
#
# Selection inside a pipeline
# ---------------------------
# ``SelectFromModel`` keeps the features whose importance reaches its threshold.
# With exact zeros there is nothing to tune: any tiny positive threshold keeps
# exactly the features the network uses. Downstream, an unpenalized
# :class:`~sklearn.neural_network.MLPRegressor` is trained on those features only.
# The whole pipeline is refitted in each fold of the cross-validation, selection
# included, so the score is honest.
selector = SelectFromModel(l1_network(), threshold=1e-12)
downstream = MLPRegressor(hidden_layer_sizes=(32,), max_iter=1000, random_state=0)
with_selection = make_pipeline(StandardScaler(), selector, downstream)
without_selection = make_pipeline(StandardScaler(), downstream)

# The downstream MLP may stop at max_iter on some folds; the scores still compare.
with warnings.catch_warnings():
    warnings.simplefilter("ignore", ConvergenceWarning)
    scores = {
        "all 20 features": cross_val_score(without_selection, X, y, cv=5),
        "selected by the L1 network": cross_val_score(with_selection, X, y, cv=5),
    }
    support = with_selection.fit(X, y)[1].get_support()
print(f"get_support(): {np.flatnonzero(support).tolist()}")
for name, values in scores.items():
    print(f"MLPRegressor on {name}: R^2 = {values.mean():.3f} +/- {values.std():.3f}")

fig, ax = plt.subplots(figsize=(7, 2.8), layout="constrained")
names = list(scores)
ax.barh(names, [v.mean() for v in scores.values()], xerr=[v.std() for v in scores.values()])
ax.set_xlim(0.7, 1.0)
ax.set_xlabel("5-fold cross-validated R^2 of MLPRegressor")
ax.set_title("MLPRegressor on the features the L1 network selects")
plt.show()
