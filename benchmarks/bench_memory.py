"""Peak memory of a fit: ours against scikit-learn's MLP on the throughput task.

Each fit runs in a fresh child process, which reports two figures:

- ``traced``: the peak of memory allocated through Python during ``fit`` (numpy
  arrays included), by ``tracemalloc``, above what was allocated before the fit;
- ``RSS``: how far the process's peak resident set size rose above its size before
  ``fit`` (Linux: the peak is reset through ``/proc/self/clear_refs`` and read from
  ``VmHWM``), which also sees BLAS's own buffers and memory numpy had cached.

The data (``make_classification(20000, 100, n_informative=30, n_classes=5)``, 16 MB
in float64) is made before the measurement starts; ``hidden_layer_sizes=(256, 128)``,
Adam, ``batch_size=200``, 3 epochs. A last case fits a sparse CSR matrix whose dense
form would take 800 MB, to show that it is never densified.

Run: ``python benchmarks/bench_memory.py [--repeats 3]``
"""

import argparse
import json
import os
import subprocess
import sys
import tracemalloc
import warnings

import numpy as np

sys.path.insert(0, os.path.dirname(__file__))
import _harness  # noqa: E402

FITS = {
    "scikit-learn MLP": ("sklearn", None),
    "ours, l2": ("ours", "l2"),
    "ours, l1": ("ours", "l1"),
}


def make_data(kind, dtype):
    """The task's data (dense) or a large sparse stand-in (sparse)."""
    if kind == "sparse":
        import scipy.sparse as sp

        rng = np.random.default_rng(0)
        X = sp.random(20000, 5000, density=0.002, format="csr", random_state=rng, dtype=dtype)
        y = rng.integers(0, 5, 20000)
        return X, y
    from sklearn.datasets import make_classification

    X, y = make_classification(
        n_samples=20000, n_features=100, n_informative=30, n_classes=5, random_state=0
    )
    return X.astype(dtype), y


def _status_kb(field):
    """A field of /proc/self/status, in kB."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise RuntimeError(f"{field} not in /proc/self/status")


def _reset_peak_rss():
    """Reset the peak RSS to the current RSS and return it, in kB."""
    with open("/proc/self/clear_refs", "w") as clear_refs:
        clear_refs.write("5")
    return _status_kb("VmRSS")


def child(library, penalty, dtype, kind):
    """Fit once and print the memory figures as JSON (runs in the child process)."""
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier

    from sklearn_regnn import RegularizedMLPClassifier

    X, y = make_data(kind, np.dtype(dtype))
    common = dict(hidden_layer_sizes=(256, 128), batch_size=200, max_iter=3, random_state=0)
    if library == "sklearn":
        model = MLPClassifier(alpha=1e-4, **common)
    else:
        model = RegularizedMLPClassifier(penalty=penalty, alpha=1e-4, **common)
    rss_before = _reset_peak_rss()
    tracemalloc.start()
    baseline = tracemalloc.get_traced_memory()[0]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X, y)
    peak = tracemalloc.get_traced_memory()[1] - baseline
    tracemalloc.stop()
    rss_growth = _status_kb("VmHWM") - rss_before
    print(json.dumps({"traced_mb": peak / 2**20, "rss_mb": rss_growth / 1024}))


def measure(name, dtype, kind):
    """Run one fit in a child process and return its figures."""
    library, penalty = FITS[name]
    command = [sys.executable, __file__, "--child", library, str(penalty), dtype, kind]
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    return json.loads(output.strip().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--child", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        library, penalty, dtype, kind = args.child
        child(library, None if penalty == "None" else penalty, dtype, kind)
        return
    print(_harness.machine_summary())
    rows = []
    for kind, dtype in (("dense", "float64"), ("dense", "float32"), ("sparse", "float64")):
        figures = {name: [] for name in FITS}
        for _ in range(args.repeats):
            for name in FITS:
                figures[name].append(measure(name, dtype, kind))
        anchor = np.median([f["traced_mb"] for f in figures["scikit-learn MLP"]])
        for name, runs in figures.items():
            traced = [f["traced_mb"] for f in runs]
            rss = [f["rss_mb"] for f in runs]
            rows.append(
                [
                    f"{kind} {dtype}",
                    name,
                    _harness.spread(traced),
                    f"{np.median(traced) / anchor:.2f}x",
                    _harness.spread(rss),
                ]
            )
    _harness.print_table(
        "Peak memory during fit, MB, median (min-max)",
        ["data", "fit", "traced peak", "vs sklearn", "RSS growth"],
        rows,
    )


if __name__ == "__main__":
    main()
