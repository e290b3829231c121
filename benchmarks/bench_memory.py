"""Peak memory of ``fit`` on a large float32 X, against the size of X (issue 5).

Each configuration runs in a fresh subprocess (one BLAS thread) that builds X
(1,000,000 x 50 float32 = 200 MB by default) and y, then fits one epoch of a
small network. Two measurements:

- ``tracemalloc``: the peak of memory allocated *during* fit (numpy reports its
  buffers to tracemalloc), so X itself is excluded; "x X" is that peak divided by
  the size of X. A fit that copied X once would show >= 1.0.
- ``ru_maxrss``: the process's peak resident memory minus the resident memory
  just before fit (a check on the first, including BLAS and allocator effects).

With ``--where`` the largest allocation sites at the peak are listed, to locate
any copy of X.

    python benchmarks/bench_memory.py                 # every configuration
    python benchmarks/bench_memory.py --rows 200000   # smaller, faster
    python benchmarks/bench_memory.py --configs sgd,lbfgs --where
"""

import argparse
import json
import os
import subprocess
import sys

CONFIGS = {
    # name: estimator parameters (1 epoch / iteration each)
    "sgd": dict(solver="sgd"),
    "sgd-noshuffle": dict(solver="sgd", shuffle=False),
    "adam": dict(solver="adam"),
    "sgd-weights": dict(solver="sgd", _sample_weight=True),
    "sgd-early-stopping": dict(solver="sgd", early_stopping=True),
    "lbfgs": dict(solver="lbfgs"),
    "sgd-dataframe": dict(solver="sgd", _input="dataframe"),
    "sgd-fortran": dict(solver="sgd", _input="fortran"),
    "predict": dict(solver="sgd", _predict=True),
}

CHILD = r"""
import json, resource, sys, tracemalloc, warnings
import numpy as np
from skreg import L2MLPRegressor

n, d, hidden, params, _ = json.loads(sys.argv[1])
sample_weight = params.pop("_sample_weight", False)
predict = params.pop("_predict", False)
rng = np.random.default_rng(0)
X = rng.standard_normal((n, d), dtype=np.float32)
y = X[:, :5].sum(axis=1) + rng.standard_normal(n, dtype=np.float32)
sw = rng.uniform(0.5, 2.0, size=n) if sample_weight else None
x_bytes = X.nbytes
layout = params.pop("_input", None)
if layout == "dataframe":
    import pandas as pd
    X = pd.DataFrame(X, columns=[f"f{j}" for j in range(d)])  # its own copy
elif layout == "fortran":
    X = np.asfortranarray(X)
est = L2MLPRegressor(hidden_layer_sizes=tuple(hidden), max_iter=1, random_state=0,
                     **params)
if predict:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        est.fit(X[:1000], y[:1000])
rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
tracemalloc.start()
with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    if predict:
        est.predict(X)
    else:
        est.fit(X, y, sample_weight=sw)
current, peak = tracemalloc.get_traced_memory()
tracemalloc.stop()
rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({
    "x_bytes": x_bytes,
    "peak": peak,
    "rss_before": rss_before * 1024,
    "rss_after": rss_after * 1024,
    "dtype": str(est.coefs_[0].dtype),
}))
"""

# Where the peak comes from: --where reruns the fit with tracemalloc snapshots
# taken whenever the traced memory reaches a new high at a few probe points (every
# minibatch, every backward pass, the step-size estimate, the validation split),
# and lists the largest allocation sites of the highest one.
WHERE = r"""
import json, sys, tracemalloc, warnings
import numpy as np
import skreg._objective as objective
import skreg._training as training
from skreg import L2MLPRegressor

n, d, hidden, params, _ = json.loads(sys.argv[1])
sample_weight = params.pop("_sample_weight", False)
params.pop("_predict", None)
params.pop("_input", None)
rng = np.random.default_rng(0)
X = rng.standard_normal((n, d), dtype=np.float32)
y = X[:, :5].sum(axis=1) + rng.standard_normal(n, dtype=np.float32)
sw = rng.uniform(0.5, 2.0, size=n) if sample_weight else None
best = {"peak": 0, "snapshot": None}

def sample():
    current = tracemalloc.get_traced_memory()[0]
    if current > best["peak"]:
        best["peak"], best["snapshot"] = current, tracemalloc.take_snapshot()

def watch(module, name):
    original = getattr(module, name)
    def wrapper(*args, **kwargs):
        sample()  # on entry: backward() sees the forward pass's activations
        result = original(*args, **kwargs)
        sample()
        return result
    setattr(module, name, wrapper)

for name in ("penalty", "gauss_newton"):
    watch(objective.Objective, name)
watch(training, "train_test_split")
watch(objective, "backward")
tracemalloc.start(12)
with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    L2MLPRegressor(hidden_layer_sizes=tuple(hidden), max_iter=1, random_state=0,
                   **params).fit(X, y, sample_weight=sw)
tracemalloc.stop()
lines = []
if best["snapshot"] is not None:
    stats = best["snapshot"].filter_traces(
        [tracemalloc.Filter(False, tracemalloc.__file__)]
    ).statistics("traceback")
    for stat in stats[:4]:
        frames = [f"{f.filename.split('site-packages/')[-1]}:{f.lineno}"
                  for f in stat.traceback if "skreg" in f.filename
                  or "sklearn" in f.filename][-3:]
        lines.append(f"{stat.size / 2**20:9.1f} MiB  " + " <- ".join(reversed(frames)))
print(json.dumps({"live_at_peak": best["peak"], "sites": lines}))
"""


def _run(code, n, d, hidden, params, where=False):
    env = {
        **os.environ,
        "OMP_NUM_THREADS": "1",
        "OPENBLAS_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
    }
    out = subprocess.run(
        [sys.executable, "-c", code, json.dumps([n, d, hidden, params, where])],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--features", type=int, default=50)
    parser.add_argument("--hidden", default="16", help="comma-separated sizes")
    parser.add_argument("--configs", default=",".join(CONFIGS))
    parser.add_argument(
        "--where",
        action="store_true",
        help="list the largest allocation sites at the peak",
    )
    args = parser.parse_args()
    hidden = [int(h) for h in args.hidden.split(",") if h]
    mib = 2**20
    print(
        f"X: {args.rows} x {args.features} float32 = "
        f"{args.rows * args.features * 4 / mib:.0f} MiB; hidden {tuple(hidden)}; "
        "1 epoch (lbfgs: 1 iteration)\n"
    )
    print(
        f"{'config':20s} {'fit peak (tracemalloc)':>24s} {'x X':>6s} "
        f"{'RSS growth':>12s} {'x X':>6s}  dtype"
    )
    for name in args.configs.split(","):
        params = dict(CONFIGS[name])
        r = _run(CHILD, args.rows, args.features, hidden, params)
        x = r["x_bytes"]
        growth = max(r["rss_after"] - r["rss_before"], 0)
        print(
            f"{name:20s} {r['peak'] / mib:20.1f} MiB {r['peak'] / x:6.2f} "
            f"{growth / mib:8.1f} MiB {growth / x:6.2f}  {r['dtype']}"
        )
        if args.where and name != "predict":
            w = _run(WHERE, args.rows, args.features, hidden, dict(CONFIGS[name]))
            print(
                f"{'':20s} live at the sampled peak: {w['live_at_peak'] / mib:.1f} MiB"
            )
            for line in w["sites"]:
                print(f"{'':22s}{line}")


if __name__ == "__main__":
    main()
