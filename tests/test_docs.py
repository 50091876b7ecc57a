"""The API reference covers every public name, and each has a runnable example.

The examples themselves run as doctests (``--doctest-modules``); this module checks
that none is missing, so a new public name cannot slip into the package without a
page and an example.
"""

import inspect
import re
from pathlib import Path

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
