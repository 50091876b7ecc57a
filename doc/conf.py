"""Sphinx configuration for the sklearn-regnn documentation.

Build with ``sphinx-build -W -b html doc doc/_build/html`` from the repository root
(``pip install -e ".[doc]"`` first). Every gallery example under ``examples/`` is run.
"""

import os
import sys
import warnings
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from offline_inventories import intersphinx_mapping as offline_mapping  # noqa: E402

import sklearn_regnn  # noqa: E402

project = "sklearn-regnn"
author = "The sklearn-regnn developers"
copyright = "2026, The sklearn-regnn developers"
release = sklearn_regnn.__version__
version = release

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.intersphinx",
    "sphinx.ext.mathjax",
    # MathJax served from the built site, so formulas render without a network.
    "sphinx-mathjax-offline",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
]

templates_path = ["_templates"]
exclude_patterns = ["_build", "auto_examples/*.ipynb", "auto_examples/*.py"]
default_role = "literal"

# -- API reference -------------------------------------------------------------------
autosummary_generate = True
autodoc_default_options = {"members": True, "inherited-members": True}
autodoc_typehints = "none"
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
# Check the docstrings of everything the reference shows; an invalid one fails -W.
numpydoc_validation_checks = {"GL08", "SS01", "PR01", "PR02", "PR07", "RT01"}
numpydoc_validation_exclude = {r"\.__init__$"}

# -- Cross-links -----------------------------------------------------------------------
# Offline inventories: see offline_inventories.py for why they are built here.
intersphinx_mapping = offline_mapping(HERE / "_build" / "inventories")
intersphinx_timeout = 1

# -- Gallery ---------------------------------------------------------------------------
sphinx_gallery_conf = {
    "examples_dirs": [str(HERE.parent / "examples")],
    "gallery_dirs": ["auto_examples"],
    # Every plot_*.py runs. demo.py is the README's terminal demo: a table, no figure.
    "filename_pattern": r"/plot_",
    "ignore_pattern": r"demo\.py",
    "doc_module": ("sklearn_regnn",),
    "reference_url": {"sklearn_regnn": None},
    "backreferences_dir": "generated",
    "abort_on_example_error": True,
    "only_warn_on_example_error": False,
    "download_all_examples": False,
    "remove_config_comments": True,
    "matplotlib_animations": False,
    "image_scrapers": ("matplotlib",),
    "within_subsection_order": "FileNameSortKey",
    # Show what the examples print, not the repr of a cell's last expression
    # (a matplotlib Text or Colorbar object is noise on the page).
    "capture_repr": (),
}

# -- HTML ------------------------------------------------------------------------------
html_theme = "pydata_sphinx_theme"
html_title = f"sklearn-regnn {release}"
html_static_path = []
html_theme_options = {
    "navbar_align": "left",
    "show_toc_level": 2,
    "navigation_with_keys": False,
    "secondary_sidebar_items": ["page-toc"],
}
html_sidebars = {"index": [], "install": []}
html_show_sourcelink = False


def skip_scikit_learn_members(app, what, name, obj, skip, options):
    """Leave out methods inherited from scikit-learn's base classes and mixins
    (``score``, ``get_params``, ``set_*_request``...): scikit-learn documents them,
    and their docstrings link to pages of scikit-learn's own site."""
    module = getattr(obj, "__module__", None) or ""
    if module == "sklearn" or module.startswith("sklearn."):
        return True
    if name == "partial_fit" and isinstance(obj, property):
        # The CV estimators' partial_fit is a property that only raises (so that
        # hasattr is False): it is no part of their API.
        return True
    return None


def setup(app):
    app.connect("autodoc-skip-member", skip_scikit_learn_members)


mathjax3_config = {"tex": {"macros": {"R": r"\mathbb{R}"}}}

# Examples run without a display.
os.environ.setdefault("MPLBACKEND", "Agg")
warnings.filterwarnings("ignore", message="Matplotlib is currently using agg")
