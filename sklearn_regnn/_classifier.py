"""RegularizedMLPClassifier: labels in, probabilities out."""

import numpy as np
from sklearn.base import ClassifierMixin
from sklearn.metrics import accuracy_score
from sklearn.preprocessing import LabelBinarizer
from sklearn.utils.class_weight import compute_class_weight
from sklearn.utils.metaestimators import available_if
from sklearn.utils.multiclass import unique_labels
from sklearn.utils.validation import check_is_fitted

from . import _network
from ._base import BaseRegularizedMLP
from ._docstrings import compose
from ._validation import PARAMETER_CONSTRAINTS


def _check_class_weight(value):
    if value is None or isinstance(value, dict):
        return None
    if isinstance(value, str) and value == "balanced":
        return None
    return "must be None, 'balanced' or a dict mapping class labels to weights"


def class_weight_multipliers(class_weight, classes, y):
    """Each sample's class weight: ``class_weight`` (a dict or 'balanced', as for
    :func:`~sklearn.utils.class_weight.compute_class_weight`) at its label in ``y``;
    ``classes`` are the sorted labels."""
    weights = compute_class_weight(class_weight, classes=classes, y=y)
    return weights[np.searchsorted(classes, y)]


# The classifier's own attributes, the second pair for a linear model only; the
# CV estimator documents them too.
LABEL_ATTRIBUTES = """\
    classes_ : ndarray or list of ndarray
        Class labels.

"""
LINEAR_ATTRIBUTES = """\
    coef_ : ndarray of shape (1, n_features) or (n_classes, n_features)
        Only with ``hidden_layer_sizes=()``: the weights in
        :class:`~sklearn.linear_model.LogisticRegression`'s layout.

    intercept_ : ndarray of shape (1,) or (n_classes,)
        Only with ``hidden_layer_sizes=()``.

"""


class RegularizedMLPClassifier(ClassifierMixin, BaseRegularizedMLP):
    __doc__ = compose(
        """Multi-layer perceptron classifier with L1, L2 or elastic-net penalties
    applied by proximal steps.

    Binary targets use one logistic output unit, multiclass targets a softmax
    layer, and multilabel targets (a 2-D indicator ``y``) one independent
    logistic unit per label. The loss is the log-loss.

    Parameters
    ----------
{parameters}
    class_weight : dict, 'balanced' or None, default=None
        Weights multiplying each class's samples, as in
        :class:`~sklearn.linear_model.LogisticRegression`: a dict maps labels to
        weights; 'balanced' uses ``n_samples / (n_classes * count(class))``. Not
        available for multilabel targets, nor 'balanced' in ``partial_fit``.

    Attributes
    ----------
"""
        + LABEL_ATTRIBUTES
        + "{attributes}"
        + LINEAR_ATTRIBUTES
        + """\
    See Also
    --------
    RegularizedMLPRegressor : The same network for regression.
    sklearn.neural_network.MLPClassifier : scikit-learn's MLP (L2 penalty only).
    sklearn.linear_model.LogisticRegression : The linear case, with
        ``C = 1 / (n_samples * alpha)``.

    Notes
    -----
    The log-loss ``l`` is the binary cross-entropy summed over output units
    (binary, multilabel) or the multinomial cross-entropy (multiclass).
{objective}
    Without hidden layers and with uniform weights this is
    ``LogisticRegression(C=1 / (n_samples * alpha), l1_ratio=l1_ratio,
    solver='saga')`` (before scikit-learn 1.8 with ``penalty='elasticnet'`` too).

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn_regnn import RegularizedMLPClassifier
    >>> X, y = load_iris(return_X_y=True)
    >>> clf = RegularizedMLPClassifier(hidden_layer_sizes=(), solver="fista",
    ...                                penalty="l1", alpha=0.02, max_iter=2000)
    >>> clf = clf.fit(X, y)
    >>> clf.coef_.shape
    (3, 4)
    >>> round(clf.score(X, y), 2)
    0.97
    >>> int((clf.coef_ == 0).sum())  # petal length and width suffice
    9
    """
    )

    _parameter_checks = {**PARAMETER_CONSTRAINTS, "class_weight": _check_class_weight}

    def __init__(
        self,
        hidden_layer_sizes=(100,),
        activation="relu",
        *,
        solver="adam",
        penalty="elasticnet",
        alpha=1e-4,
        l1_ratio=0.5,
        batch_size="auto",
        learning_rate="constant",
        learning_rate_init=1e-3,
        power_t=0.5,
        max_iter=200,
        shuffle=True,
        random_state=None,
        tol=1e-4,
        verbose=False,
        warm_start=False,
        momentum=0.9,
        nesterovs_momentum=True,
        early_stopping=False,
        validation_fraction=0.1,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-8,
        n_iter_no_change=10,
        class_weight=None,
    ):
        super().__init__(
            hidden_layer_sizes=hidden_layer_sizes,
            activation=activation,
            solver=solver,
            penalty=penalty,
            alpha=alpha,
            l1_ratio=l1_ratio,
            batch_size=batch_size,
            learning_rate=learning_rate,
            learning_rate_init=learning_rate_init,
            power_t=power_t,
            max_iter=max_iter,
            shuffle=shuffle,
            random_state=random_state,
            tol=tol,
            verbose=verbose,
            warm_start=warm_start,
            momentum=momentum,
            nesterovs_momentum=nesterovs_momentum,
            early_stopping=early_stopping,
            validation_fraction=validation_fraction,
            beta_1=beta_1,
            beta_2=beta_2,
            epsilon=epsilon,
            n_iter_no_change=n_iter_no_change,
        )
        self.class_weight = class_weight

    # ------------------------------------------------------------------ targets
    def _encode_targets(self, y, first_pass, classes, incremental):
        if first_pass:
            # Checked before anything is set, so that a failed first fit leaves the
            # estimator unfitted (NotFittedError), not half-fitted.
            labels = unique_labels(y) if classes is None else np.asarray(classes)
            binarizer = LabelBinarizer().fit(y if classes is None or y.ndim == 2 else labels)
            if classes is not None and y.ndim == 1:
                unknown = np.setdiff1d(unique_labels(y), binarizer.classes_)
                if unknown.size:
                    raise ValueError(
                        f"y has labels {list(unknown)} that are not in classes="
                        f"{list(binarizer.classes_)}."
                    )
            if binarizer.y_type_ != "multilabel-indicator" and len(binarizer.classes_) < 2:
                raise ValueError(
                    "The classifier needs samples of at least 2 classes; y contains "
                    f"only one class: {binarizer.classes_.tolist()[0]!r}."
                )
            self._label_binarizer = binarizer
            self.classes_ = binarizer.classes_
        else:
            seen = unique_labels(y)
            if not incremental:
                if set(seen) - set(self.classes_):
                    raise ValueError(
                        "warm_start needs y within the classes of the previous fit "
                        f"{list(self.classes_)}; y has {list(seen)}."
                    )
            elif len(np.setdiff1d(seen, self.classes_)):
                raise ValueError(
                    f"y has classes {list(np.setdiff1d(seen, self.classes_))} that are not "
                    f"in classes_ {list(self.classes_)} (set by the first partial_fit)."
                )
        return self._label_binarizer.transform(y)

    def _output_activation(self, Y):
        if self._label_binarizer.y_type_ == "multiclass":
            return "softmax"
        return "logistic"

    def _target_sample_weight(self, y, incremental):
        if self.class_weight is None:
            return None
        if self._label_binarizer.y_type_ == "multilabel-indicator":
            raise ValueError("class_weight is not supported for multilabel targets.")
        if incremental and self.class_weight == "balanced":
            raise ValueError(
                "class_weight='balanced' is not supported by partial_fit, which sees one "
                "batch at a time: pass a dict computed from all the data, e.g. with "
                "sklearn.utils.class_weight.compute_class_weight."
            )
        return class_weight_multipliers(self.class_weight, self.classes_, y)

    def _score_predictions(self, y_true, output, sample_weight):
        return accuracy_score(
            y_true, self._labels_from_output(output), sample_weight=sample_weight
        )

    def _labels_from_output(self, output):
        if self.n_outputs_ == 1:
            output = output.ravel()
        return self._label_binarizer.inverse_transform(output)

    # --------------------------------------------------------------- public API
    def fit(self, X, y, sample_weight=None):
        """Fit the network to data ``X`` and labels ``y``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data.
        y : array-like of shape (n_samples,) or (n_samples, n_labels)
            Class labels, or a binary indicator matrix for multilabel.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights; a weight of 2 counts like a repeated sample.

        Returns
        -------
        self : RegularizedMLPClassifier
            The fitted estimator.
        """
        return self._fit(X, y, sample_weight=sample_weight, incremental=False)

    @available_if(lambda est: est._check_partial_fit_solver())
    def partial_fit(self, X, y, sample_weight=None, classes=None):
        """Update the network with one epoch over ``(X, y)`` ('sgd' and 'adam').

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data.
        y : array-like of shape (n_samples,) or (n_samples, n_labels)
            Class labels.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights.
        classes : array-like of shape (n_classes,), default=None
            All class labels; required on the first call. Later calls may omit it;
            if given, it must hold the same classes.

        Returns
        -------
        self : RegularizedMLPClassifier
            The updated estimator.
        """
        first_call = not hasattr(self, "classes_")
        if first_call and classes is None:
            raise ValueError("classes must be passed on the first call to partial_fit.")
        if not first_call and classes is not None:
            if not np.array_equal(unique_labels(classes), self.classes_):
                raise ValueError(
                    f"classes={list(classes)} differs from the classes of the first call "
                    f"to partial_fit, {list(self.classes_)}."
                )
        return self._fit(
            X,
            y,
            sample_weight=sample_weight,
            incremental=True,
            classes=classes if first_call else None,
        )

    def predict(self, X):
        """Predict class labels for ``X``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Input data.

        Returns
        -------
        y : ndarray of shape (n_samples,) or (n_samples, n_labels)
            Predicted labels.
        """
        return self._labels_from_output(self._forward(X))

    def decision_function(self, X):
        """Raw output of the network (logits) for ``X``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Input data.

        Returns
        -------
        scores : ndarray of shape (n_samples,) or (n_samples, n_classes)
            Binary: the logit of the positive class; otherwise one column per
            class (softmax logits) or per label.
        """
        check_is_fitted(self)
        X = self._validate_X(X, reset=False)
        scores = _network.forward(self.coefs_, self.intercepts_, X, self.activation, "identity")
        return scores.ravel() if self.n_outputs_ == 1 else scores

    def predict_proba(self, X):
        """Class probabilities for ``X``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Input data.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Probabilities in the order of ``classes_`` (one column per label for
            multilabel targets).
        """
        output = self._forward(X)
        if self.n_outputs_ == 1 and self._label_binarizer.y_type_ == "binary":
            return np.hstack([1.0 - output, output])
        return output

    def predict_log_proba(self, X):
        """Logarithm of :meth:`predict_proba`.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Input data.

        Returns
        -------
        log_proba : ndarray of shape (n_samples, n_classes)
        """
        with np.errstate(divide="ignore"):
            return np.log(self.predict_proba(X))

    @property
    def coef_(self):
        """Weights in LogisticRegression's layout (only without hidden layers)."""
        self._check_linear()
        return self.coefs_[0].T

    @property
    def intercept_(self):
        """Intercepts (only without hidden layers)."""
        self._check_linear()
        return self.intercepts_[0]

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_label = True
        return tags
