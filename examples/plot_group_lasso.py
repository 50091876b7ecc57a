"""
Dropping whole features with ``penalty='group_lasso'``
======================================================

An input feature leaves a network only when *every* weight leaving it is zero.
``penalty='group_lasso'`` penalizes the Euclidean norm of each row of each weight
matrix (the weights leaving one input or one hidden unit), and its proximal step,
block soft-thresholding, sets whole rows to exactly zero. Without hidden layers and
with several targets this is :class:`~sklearn.linear_model.MultiTaskLasso`; with a
hidden layer it selects the inputs a non-linear model needs.
"""

# %%
# Without hidden layers: MultiTaskLasso
# -------------------------------------
# Three targets that share four of twelve features. The linear model with the group
# penalty finds MultiTaskLasso's coefficients, and the same features drop out of
# every target at once.
import warnings

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import make_friedman1
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import MultiTaskLasso
from sklearn.preprocessing import StandardScaler

from sklearn_regnn import RegularizedMLPRegressor, RegularizedMLPRegressorCV

rng = np.random.RandomState(0)
X = StandardScaler().fit_transform(rng.normal(size=(200, 12)))
W_true = np.zeros((12, 3))
W_true[:4] = rng.normal(scale=2.0, size=(4, 3))
Y = X @ W_true + rng.normal(scale=1.0, size=(200, 3))

ours = RegularizedMLPRegressor(
    hidden_layer_sizes=(),
    solver="fista",
    penalty="group_lasso",
    l1_ratio=1.0,
    alpha=0.3,
    tol=1e-10,
    max_iter=20_000,
).fit(X, Y)
reference = MultiTaskLasso(alpha=0.3, tol=1e-12, max_iter=100_000).fit(X, Y)
print(f"largest coefficient difference: {np.abs(ours.coef_ - reference.coef_).max():.1e}")
print(
    f"features used: ours {ours.n_features_selected_}, MultiTaskLasso "
    f"{np.count_nonzero(np.any(reference.coef_, axis=0))}"
)

fig, axes = plt.subplots(1, 2, figsize=(9, 3), sharey=True)
for ax, coef, title in zip(axes, (ours.coef_, reference.coef_), ("ours", "MultiTaskLasso")):
    limit = np.abs(reference.coef_).max()
    image = ax.imshow(coef, cmap="RdBu_r", vmin=-limit, vmax=limit)
    ax.set(title=title, xlabel="feature", ylabel="target")
fig.colorbar(image, ax=axes, shrink=0.8)

# %%
# With a hidden layer: whole inputs leave the network
# ---------------------------------------------------
# Fifteen inputs, of which five matter: ``sin(x0) + x1 x2 + x3 - x4``. The product
# is invisible to a linear model. Under element-wise L1 a feature leaves only when
# each of its 16 weights has gone to zero on its own; under the group penalty its
# row shrinks as one. We compare the norms of the inputs' first-layer rows
# (``feature_importances_``) at the same penalty strength.
rng = np.random.RandomState(7)
X = rng.normal(size=(300, 15))
y = np.sin(X[:, 0]) + X[:, 1] * X[:, 2] + X[:, 3] - X[:, 4] + 0.05 * rng.normal(size=300)

fits = {}
for penalty in ("group_lasso", "l1"):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        fits[penalty] = RegularizedMLPRegressor(
            (16,),
            penalty=penalty,
            alpha=0.05,
            l1_ratio=1.0,
            learning_rate_init=0.01,
            max_iter=400,
            random_state=0,
        ).fit(X, y)
    net = fits[penalty]
    print(
        f"{penalty:12s} R^2 {net.score(X, y):.3f}, inputs used "
        f"{net.n_features_selected_}: {np.flatnonzero(net.feature_importances_)}"
    )

fig, ax = plt.subplots(figsize=(8, 3))
width = 0.4
for k, (penalty, net) in enumerate(fits.items()):
    ax.bar(np.arange(15) + (k - 0.5) * width, net.feature_importances_, width, label=penalty)
ax.axvline(4.5, color="gray", ls=":")
ax.set(xlabel="input (0-4 informative)", ylabel="norm of first-layer row")
ax.legend()
fig.tight_layout()

# %%
# At this ``alpha`` the group penalty keeps the five informative inputs and one of
# the ten noise inputs, with an R^2 of 0.95 on the training data; element-wise L1
# keeps eleven inputs, most with a few small weights left, and fits worse (0.82),
# because it spreads its budget over single weights rather than over inputs. The
# dropped inputs have ``feature_importances_`` exactly 0, so
# :class:`~sklearn.feature_selection.SelectFromModel` can use the network as a
# selector. The same penalty also removes hidden units (rows of the second matrix).

# %%
# Choosing ``alpha`` by cross-validation, and adaptive weights
# ------------------------------------------------------------
# ``make_friedman1`` with 50 inputs, of which 5 matter (two only through
# ``sin(pi x0 x1)``, one through ``(x2 - 1/2)^2``).
# :class:`~sklearn_regnn.RegularizedMLPRegressorCV` picks the ``alpha`` with the
# best cross-validated R^2, and at that ``alpha`` the network keeps many noise
# inputs with tiny rows: the penalty that would remove them would also shrink the
# useful ones. ``adaptive=True`` searches a second time with
# each input scaled by its row's norm in the first model, which penalizes the weak
# inputs more and the strong ones less (the adaptive group lasso).
X, y = make_friedman1(n_samples=1000, n_features=50, noise=1.0, random_state=0)
X_test, y_test = make_friedman1(n_samples=2000, n_features=50, noise=1.0, random_state=1)
scaler = StandardScaler().fit(X)
X, X_test = scaler.transform(X), scaler.transform(X_test)
y_mean, y_std = y.mean(), y.std()
y, y_test = (y - y_mean) / y_std, (y_test - y_mean) / y_std

searches = {}
for adaptive in (False, True):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        searches[adaptive] = RegularizedMLPRegressorCV(
            (32,),
            penalty="group_lasso",
            l1_ratio=1.0,
            alphas=8,
            cv=3,
            learning_rate_init=0.01,
            max_iter=300,
            adaptive=adaptive,
            random_state=0,
        ).fit(X, y)
    kept = searches[adaptive].feature_importances_ > 0
    print(
        f"adaptive={adaptive!s:5}: informative kept {kept[:5].sum()}/5, others kept "
        f"{kept[5:].sum()}/45, held-out R^2 {searches[adaptive].score(X_test, y_test):.3f}"
    )

fig, ax = plt.subplots(figsize=(8, 3))
for k, (adaptive, search) in enumerate(searches.items()):
    ax.bar(
        np.arange(50) + (k - 0.5) * width,
        search.feature_importances_,
        width,
        label=f"adaptive={adaptive}",
    )
ax.axvline(4.5, color="gray", ls=":")
ax.set(xlabel="input (0-4 informative)", ylabel="norm of first-layer row", yscale="log")
ax.legend()
fig.tight_layout()

# %%
# The single search keeps all five informative inputs but also dozens of noise
# inputs, with rows tens to hundreds of times smaller; the adaptive search keeps
# the five informative ones and a single noise input, whose row is about twenty
# times smaller than the weakest of theirs, and predicts new data better. Each fold of the
# second search takes its weights from its own first-search fit, which never saw
# that fold's held-out part; the R^2 above is on separate data anyway.
plt.show()
