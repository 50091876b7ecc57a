"""Intersphinx inventories for scikit-learn, numpy and scipy, built offline.

The docs build must work on machines whose only network is a package registry, so
``objects.inv`` cannot be downloaded from the projects' sites. Instead we list the
public names of the *installed* packages and write inventories that point at the
projects' stable documentation, using the page layout each site has had for years
(one generated page per public object). The links in the built site are therefore
real links to scikit-learn.org, numpy.org and scipy.org; only the index of names is
made here.
"""

import importlib
import inspect
import zlib
from pathlib import Path

import numpy
import scipy
import sklearn

SKLEARN_URL = "https://scikit-learn.org/stable/"
NUMPY_URL = "https://numpy.org/doc/stable/"
SCIPY_URL = "https://docs.scipy.org/doc/scipy/"


def _public(module):
    names = getattr(module, "__all__", None)
    if names is None:
        names = [name for name in dir(module) if not name.startswith("_")]
    return [name for name in names if not name.startswith("_")]


def _object_entries(full_name, obj, page):
    """Inventory lines for one object and, for a class, its public methods."""
    if inspect.isclass(obj):
        kind = "exception" if issubclass(obj, BaseException) else "class"
    elif callable(obj):
        kind = "function"
    else:
        return []
    entries = [(full_name, f"py:{kind}", f"{page}#{full_name}")]
    if kind == "class":
        for attr, member in vars(obj).items():
            if not attr.startswith("_") and callable(member):
                name = f"{full_name}.{attr}"
                entries.append((name, "py:method", f"{page}#{name}"))
    return entries


def _module_entries(module_name, page_for):
    try:
        module = importlib.import_module(module_name)
    except Exception:  # an optional or experimental module that does not import
        return []
    entries = []
    for name in _public(module):
        try:
            obj = getattr(module, name, None)
        except ImportError:  # experimental names that need an explicit enable_* import
            continue
        if obj is None or inspect.ismodule(obj):
            continue
        full_name = f"{module_name}.{name}"
        entries.extend(_object_entries(full_name, obj, page_for(full_name)))
    return entries


def sklearn_entries():
    entries = []
    for sub in _public(sklearn):
        module_name = f"sklearn.{sub}"
        entries.extend(_module_entries(module_name, lambda name: f"modules/generated/{name}.html"))
    return entries


def numpy_entries():
    page = "reference/generated/{}.html".format
    entries = _module_entries("numpy", page)
    entries += _module_entries("numpy.linalg", page)
    entries += _module_entries("numpy.random", page)
    entries.append(("numpy.ndarray", "py:class", page("numpy.ndarray") + "#numpy.ndarray"))
    return entries


def scipy_entries():
    page = "reference/generated/{}.html".format
    entries = []
    for sub in ("sparse", "linalg", "optimize", "special", "stats"):
        entries += _module_entries(f"scipy.{sub}", page)
    return entries


def write_inventory(path, project, version, entries):
    """Write ``entries`` (name, domain:role, uri) in Sphinx's objects.inv format 2."""
    header = (
        "# Sphinx inventory version 2\n"
        f"# Project: {project}\n"
        f"# Version: {version}\n"
        "# The remainder of this file is compressed using zlib.\n"
    )
    seen = set()
    lines = []
    for name, role, uri in entries:
        if (name, role) in seen:
            continue
        seen.add((name, role))
        # '$' at the end of a URI stands for the object's name, as Sphinx writes it.
        if uri.endswith("#" + name):
            uri = uri[: -len(name)] + "$"
        lines.append(f"{name} {role} 1 {uri} -\n")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(header.encode() + zlib.compress("".join(lines).encode()))
    return path


def intersphinx_mapping(directory):
    """The ``intersphinx_mapping`` for conf.py, with inventories written to ``directory``."""
    directory = Path(directory)
    projects = {
        "sklearn": ("scikit-learn", sklearn.__version__, SKLEARN_URL, sklearn_entries),
        "numpy": ("NumPy", numpy.__version__, NUMPY_URL, numpy_entries),
        "scipy": ("SciPy", scipy.__version__, SCIPY_URL, scipy_entries),
    }
    mapping = {}
    for key, (project, version, url, entries) in projects.items():
        path = write_inventory(directory / f"{key}.inv", project, version, entries())
        mapping[key] = (url, str(path))
    return mapping
