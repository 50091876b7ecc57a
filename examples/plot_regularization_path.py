"""
Regularization paths, linear and with a hidden layer
====================================================

:func:`~sklearn_regnn.regularization_path` fits one estimator along a grid of
``alpha`` values, each fit warm-started from the previous one. Without hidden layers
it runs from :func:`~sklearn_regnn.alpha_max` down and gives exactly
:func:`~sklearn.linear_model.lasso_path`'s coefficients. With a hidden layer it runs
the other way, from dense to sparse, and we watch the input features leave the
network one after the other.
"""

# %%
# The linear path is the lasso path
# ---------------------------------
# The diabetes data, standardized. The path's grid is scikit-learn's: 30 values
# from ``alpha_max`` down to ``1e-3 * alpha_max``.
import warnings

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_diabetes, make_friedman1
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import lasso_path
from sklearn.preprocessing import StandardScaler

from sklearn_regnn import RegularizedMLPRegressor, regularization_path

X, y = load_diabetes(return_X_y=True)
X = StandardScaler().fit_transform(X)
linear = RegularizedMLPRegressor((), solver="fista", penalty="l1", tol=1e-10, max_iter=10_000)
path = regularization_path(linear, X, y, n_alphas=30)
_, reference, _ = lasso_path(X, y - y.mean(), alphas=path.alphas, tol=1e-12, max_iter=100_000)
print(f"largest coefficient difference: {np.abs(path.coef_path - reference).max():.1e}")
print(f"iterations per alpha: {path.n_iter}")

fig, ax = plt.subplots(figsize=(7, 4))
ax.semilogx(path.alphas, path.coef_path.T, lw=2)
ax.semilogx(path.alphas, reference.T, "k:", lw=1)
ax.set(xlabel="alpha", ylabel="coefficient", title="Linear path (dotted: lasso_path)")
ax.invert_xaxis()
fig.tight_layout()

# %%
# Each fit starts from the previous solution, so after the first few it takes a
# handful of iterations: the whole path costs little more than one fit.
#
# A network, from dense to sparse
# -------------------------------
# :func:`~sklearn.datasets.make_friedman1` with 10 inputs, of which the first five
# matter (two through ``sin(pi x0 x1)``, one through a parabola). A network with 32
# hidden units and an L1 penalty, along a grid that rises from ``1e-3 * alpha_max``
# to ``alpha_max``: every fit starts from the less regularized one before it, so the
# penalty removes weights gradually instead of emptying the network at once.
X, y = make_friedman1(n_samples=600, n_features=10, noise=1.0, random_state=0)
X = StandardScaler().fit_transform(X)
y = (y - y.mean()) / y.std()
net = RegularizedMLPRegressor(
    (32,), penalty="l1", learning_rate_init=0.01, max_iter=200, random_state=0
)
with warnings.catch_warnings():
    warnings.simplefilter("ignore", ConvergenceWarning)
    net_path = regularization_path(net, X, y, n_alphas=12)

importance = np.array([np.linalg.norm(coefs[0], axis=1) for coefs in net_path.coefs])
fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
for j in range(X.shape[1]):
    style = "-" if j < 5 else "--"
    left.semilogx(net_path.alphas, importance[:, j], style, label=f"x{j}")
left.set(xlabel="alpha", ylabel="norm of the input's first-layer weights")
left.set_title("Inputs leaving the network (dashed: noise)")
left.legend(ncol=2, fontsize=8)
right.semilogx(net_path.alphas, net_path.n_features_selected, "o-", label="inputs used")
right.set(xlabel="alpha", ylabel="inputs used")
twin = right.twinx()
twin.semilogx(net_path.alphas, net_path.loss, "s-", color="C1", label="training loss")
twin.set_ylabel("training loss (data term)")
right.set_title("Inputs used and training loss")
fig.tight_layout()

for alpha, used, loss in zip(net_path.alphas, net_path.n_features_selected, net_path.loss):
    print(f"alpha {alpha:.2e}: {used:2d} inputs, training loss {loss:.3f}")

# %%
# The noise inputs go first: from ``alpha`` about 1e-2 the network uses the five
# informative inputs and one noise input, and from about 5e-2 only ``x0``, ``x1``,
# ``x3`` and ``x4``: the parabola in ``x2`` costs more weights than it is worth at
# that strength. Near the linear ``alpha_max`` the network empties. Running the
# same grid downwards would start from that empty network, whose zero weights pass
# no gradient, and stay there; this is why the path of a network runs upwards.
plt.show()
