"""The API reference covers every public name, and each has a runnable example.

The examples themselves run as doctests (``--doctest-modules``); this module checks
that none is missing, so a new public name cannot slip into the package without a
page and an example.
"""

import inspect
import re
from pathlib import Path

import numpy as np
import pytest

import sklearn_regnn
import sklearn_regnn.penalties
import sklearn_regnn.solvers

API_PAGE = Path(__file__).resolve().parents[1] / "doc" / "api.rst"


def _public_names(module):
    names = getattr(module, "__all__", None)
    if names is None:
        names = [
            name
            for name, obj in vars(module).items()
            if not name.startswith("_")
            and (inspect.isclass(obj) or inspect.isfunction(obj))
            and obj.__module__ == module.__name__
        ]
    return [name for name in names if not name.startswith("_")]


PUBLIC = [
    (module, name)
    for module in (sklearn_regnn, sklearn_regnn.penalties, sklearn_regnn.solvers)
    for name in _public_names(module)
]


def _documented_names():
    """``(module, name)`` pairs listed under an autosummary in doc/api.rst."""
    listed, module = set(), None
    for line in API_PAGE.read_text().splitlines():
        match = re.match(r"\.\. currentmodule:: (\S+)", line)
        if match:
            module = match.group(1)
        elif re.match(r"   [A-Za-z]\w*$", line) and module is not None:
            listed.add((module, line.strip()))
    return listed


def test_public_names_found():
    assert ("sklearn_regnn", "RegularizedMLPClassifier") in {(m.__name__, n) for m, n in PUBLIC}
    assert ("sklearn_regnn.penalties", "soft_threshold") in {(m.__name__, n) for m, n in PUBLIC}


@pytest.mark.parametrize("module, name", PUBLIC, ids=[f"{m.__name__}.{n}" for m, n in PUBLIC])
def test_public_name_has_reference_page_and_example(module, name):
    assert (module.__name__, name) in _documented_names(), (
        f"{module.__name__}.{name} is public but not listed in doc/api.rst"
    )
    doc = inspect.getdoc(getattr(module, name)) or ""
    assert re.search(r"^Examples\n--------\n", doc, flags=re.MULTILINE), (
        f"{module.__name__}.{name} has no Examples section"
    )
    assert ">>> " in doc.split("Examples\n--------\n", 1)[1]


def _documented_attributes(estimator_class):
    """Names in the Attributes section of the class docstring."""
    section = estimator_class.__doc__.split("Attributes\n    ----------\n")[1]
    section = section.split("\n    See Also\n")[0]
    return set(re.findall(r"^    (\w+) : ", section, flags=re.MULTILINE))


def _fitted_attributes(model):
    """Public fitted attributes: instance ones and properties that answer."""
    names = {n for n in vars(model) if n.endswith("_") and not n.startswith("_")}
    for name in dir(type(model)):
        if name.endswith("_") and not name.startswith("_") and hasattr(model, name):
            names.add(name)
    return names


# Documented attributes that only some fits have.
CONDITIONAL = {"coef_", "intercept_", "feature_names_in_"}


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("hidden_layer_sizes", [(), (3,)])
@pytest.mark.parametrize(
    "name",
    [
        "RegularizedMLPClassifier",
        "RegularizedMLPRegressor",
        "RegularizedMLPClassifierCV",
        "RegularizedMLPRegressorCV",
    ],
)
def test_documented_attributes_are_the_fitted_ones(name, hidden_layer_sizes):
    """Every public attribute a fitted estimator has is in its docstring, and every
    documented one is there (coef_ and intercept_ only without hidden layers)."""
    estimator_class = getattr(sklearn_regnn, name)
    rng = np.random.RandomState(0)
    X = rng.normal(size=(40, 3))
    y = (X[:, 0] > 0).astype(int) if "Classifier" in name else X[:, 0]
    params = dict(hidden_layer_sizes=hidden_layer_sizes, max_iter=5, random_state=0)
    if name.endswith("CV"):
        params.update(alphas=2, cv=2)
    model = estimator_class(**params).fit(X, y)
    documented = _documented_attributes(estimator_class)
    fitted = _fitted_attributes(model)
    assert fitted <= documented, fitted - documented
    expected = documented - CONDITIONAL
    if hidden_layer_sizes == ():
        expected |= {"coef_", "intercept_"}
    assert expected <= fitted, expected - fitted
