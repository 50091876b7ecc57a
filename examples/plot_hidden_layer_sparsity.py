"""
Sparsity of a hidden layer under L1, elastic net and L2
=======================================================

The same network, trained on the same digits with three penalties whose strengths
are chosen so that the test accuracies match (to within one test image). The L2
penalty shrinks every weight but leaves almost none at zero; the L1 and elastic-net
penalties, applied by their proximal operator (soft-thresholding), set most of the
first layer's weights to exactly ``0.0``.
"""

# %%
# Three networks at matched accuracy
# ----------------------------------
# 8x8 images of handwritten digits, 64 standardized pixel intensities, one hidden
# layer of 32 units. The values of ``alpha`` were picked by hand so that the three
# networks classify the test images equally well, to within one of the 450.
import warnings

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

from sklearn_regnn import RegularizedMLPClassifier

X, y = load_digits(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0, stratify=y)
scaler = StandardScaler().fit(X_train)
X_train, X_test = scaler.transform(X_train), scaler.transform(X_test)

settings = {"l1": 3e-3, "elasticnet": 5e-3, "l2": 1e-2}
networks = {}
for penalty, alpha in settings.items():
    net = RegularizedMLPClassifier(
        hidden_layer_sizes=(32,), penalty=penalty, alpha=alpha, max_iter=150, random_state=0
    )
    # 150 epochs is a fixed budget for all three; Adam's stopping rule would run
    # longer for no gain in accuracy, so its warning is not informative here.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        networks[penalty] = net.fit(X_train, y_train)

print(f"{'penalty':<11} {'alpha':>6} {'accuracy':>9} {'zero weights':>13} {'unused pixels':>14}")
for penalty, net in networks.items():
    W = net.coefs_[0]
    print(
        f"{penalty:<11} {settings[penalty]:>6g} {net.score(X_test, y_test):>9.3f} "
        f"{np.mean(W == 0):>13.0%} {np.sum(net.feature_importances_ == 0):>11d}/64"
    )

# %%
# The first-layer weight matrices
# -------------------------------
# One column per input pixel, one row per hidden unit. Exact zeros are drawn in
# grey; every other weight gets a colour, even a tiny one, so grey means ``0.0``
# and nothing else.
limit = max(np.abs(net.coefs_[0]).max() for net in networks.values())
cmap = plt.get_cmap("RdBu_r").copy()
cmap.set_bad("0.75")
fig, axes = plt.subplots(3, 1, figsize=(10, 8.5), layout="constrained", sharex=True)
for ax, (penalty, net) in zip(axes, networks.items()):
    W = net.coefs_[0].T
    image = ax.imshow(
        np.ma.masked_equal(W, 0.0), cmap=cmap, vmin=-limit, vmax=limit, aspect="auto"
    )
    ax.set_title(
        f"penalty={penalty!r}, alpha={settings[penalty]:g}: accuracy "
        f"{net.score(X_test, y_test):.3f}, {np.sum(W == 0)} of {W.size} weights are "
        f"exactly 0 ({np.mean(W == 0):.0%})"
    )
    ax.set_ylabel("hidden unit")
axes[-1].set_xlabel("input pixel")
fig.colorbar(image, ax=axes, label="weight (grey: exactly 0)", shrink=0.8)

# %%
# Why L2 leaves (almost) no zeros, and L1 does
# --------------------------------------------
# After each gradient step the L2 prox divides a weight by ``1 + step * alpha``:
# the weight gets smaller but keeps its sign and never reaches zero while its
# gradient pushes back. The L1 prox subtracts ``step * alpha`` from its magnitude
# and stops at exactly zero; a weight whose gradient is weaker than ``alpha``
# stays there. The few zeros under L2 are the rows of the pixels that are constant
# (always blank) in the training images: their weights get no gradient at all,
# so the shrinkage has nothing to fight and ends in an underflow to ``0.0``.
#
# Which pixels does each network still look at? A pixel is unused when its whole
# row of first-layer weights is zero, which makes its ``feature_importances_``
# exactly zero.
fig, axes = plt.subplots(1, 3, figsize=(10, 3.6), layout="constrained")
for ax, (penalty, net) in zip(axes, networks.items()):
    used = net.feature_importances_.reshape(8, 8)
    ax.imshow(np.ma.masked_equal(used, 0.0), cmap="viridis")
    ax.set_facecolor("0.75")
    ax.set_title(f"{penalty!r}: {np.sum(used == 0)} of 64 pixels unused")
    ax.set_xticks([])
    ax.set_yticks([])
fig.suptitle("Importance of each pixel (norm of its first-layer weights; grey: exactly 0)")
plt.show()
