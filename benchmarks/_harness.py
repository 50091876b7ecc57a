"""Shared helpers of the benchmark scripts: alternate timing, tables, machine facts.

Every script times our estimator and its scikit-learn anchor *alternately in the same
process* (A, B, A, B, ...), so that a slow spell of a shared machine hits both and the
ratio of their medians stays meaningful even when the absolute times drift.
"""

import os
import platform
import time
import warnings

import numpy as np
import scipy
import sklearn
from sklearn.exceptions import ConvergenceWarning


def alternate(candidates, repeats):
    """Time each callable ``repeats`` times, round-robin.

    Parameters
    ----------
    candidates : dict of str to callable
        Zero-argument callables; each returns whatever the caller wants to keep
        (a fitted model, say).
    repeats : int
        Rounds; each round calls every candidate once, in the dict's order.

    Returns
    -------
    times : dict of str to list of float
        Wall-clock seconds of every call.
    results : dict of str to object
        What each callable returned on its last call.
    """
    times = {name: [] for name in candidates}
    results = {}
    for _ in range(repeats):
        for name, run in candidates.items():
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ConvergenceWarning)
                start = time.perf_counter()
                results[name] = run()
                times[name].append(time.perf_counter() - start)
    return times, results


def spread(values, scale=1.0, digits=3):
    """``median (min-max)`` of ``values`` times ``scale``, as a short string."""
    values = np.asarray(values, dtype=float) * scale
    fmt = f"{{:.{digits}g}}"
    return (
        f"{fmt.format(np.median(values))} ({fmt.format(values.min())}-{fmt.format(values.max())})"
    )


def ratio(ours, anchor):
    """Ratio of the medians, ours over the anchor's, as a string like ``0.71x``."""
    return f"{np.median(ours) / np.median(anchor):.2f}x"


def excess(value, reference):
    """Relative objective excess ``(value - reference) / reference``, as ``1.2e-09``."""
    return f"{(value - reference) / reference:.1e}"


def print_table(title, header, rows):
    """Print a Markdown table (pasteable into benchmarks/README.md)."""
    print(f"\n### {title}\n")
    cells = [list(map(str, header))] + [list(map(str, row)) for row in rows]
    widths = [max(len(row[k]) for row in cells) for k in range(len(header))]

    def line(row):
        return "| " + " | ".join(c.ljust(w) for c, w in zip(row, widths)) + " |"

    print(line(cells[0]))
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for row in cells[1:]:
        print(line(row))


def machine_summary():
    """One line on the machine and the library versions the figures depend on."""
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            for text in f:
                if text.startswith("model name"):
                    cpu = text.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    blas = "unknown BLAS"
    try:
        from threadpoolctl import threadpool_info

        # numpy and scipy may each bring their own OpenBLAS: name every one.
        found = {
            f"{i['internal_api']} {i['version']} ({i['num_threads']} threads)"
            for i in threadpool_info()
            if i.get("user_api") == "blas"
        }
        if found:
            blas = " + ".join(sorted(found))
    except ImportError:
        pass
    return (
        f"{cpu}, {os.cpu_count()} cores; Python {platform.python_version()}, "
        f"numpy {np.__version__}, scipy {scipy.__version__}, "
        f"scikit-learn {sklearn.__version__}, {blas}"
    )
