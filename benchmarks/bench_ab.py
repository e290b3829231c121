"""A/B: fit time of two skreg checkouts on the same workloads, interleaved.

For a change that must not slow anything down: the training workloads of
``bench_speed.py`` (S, M, L, C in float64 and float32, skreg only) and the CV
estimators of ``bench_cv.py`` (diabetes and digits, their default grid). Each
timing runs in a fresh child process that imports skreg from one checkout
(A, B, A, B, ... in one run, so that the machine's drift hits both alike); the
child times ``fit`` alone, ``--inner`` times, and reports the fastest (the
first fit of a process pays for warming up caches and thread pools). Reported:
the median seconds of each and the median of the paired ratios B / A (below 1: B
is faster).

    git worktree add /tmp/skreg-old <commit>
    python benchmarks/bench_ab.py --a /tmp/skreg-old --b . --reps 3
"""

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent

CHILD = r"""
import json, sys, time, warnings
sys.path[:0] = [{checkout!r}, {here!r}]
import numpy as np
from sklearn.exceptions import ConvergenceWarning
import skreg
assert skreg.__file__.startswith({checkout!r}), skreg.__file__
kind, name, dtype = {kind!r}, {name!r}, {dtype!r}
if kind == "speed":
    from bench_speed import WORKLOADS, make_data, make_trainers
    wl = WORKLOADS[name]
    X, y = make_data(wl, dtype)
    if wl["task"] == "reg":
        y = y.astype(dtype)
    est = make_trainers(wl, wl["epochs"])["skreg"]
else:
    from bench_cv import datasets
    from skreg import L2MLPClassifierCV, L2MLPRegressorCV
    data = {{d[0]: d for d in datasets(quick=True)}}
    _, X, y, regression, extra, alphas = data[name]
    cls = L2MLPRegressorCV if regression else L2MLPClassifierCV
    grid = {{}} if alphas is None else {{"alphas": alphas}}
    est = cls(random_state=0, **extra, **grid)
seconds = []
for _ in range({inner}):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        started = time.perf_counter()
        est.fit(X, y)
        seconds.append(time.perf_counter() - started)
print(json.dumps(min(seconds)))
"""

SPEED = [("speed", w, d) for w in "SMLC" for d in ("float64", "float32")]
CV = [("cv", "diabetes", "float64"), ("cv", "digits", "float64")]


def fit_seconds(checkout, case, inner):
    kind, name, dtype = case
    code = CHILD.format(
        checkout=str(checkout), here=str(HERE), kind=kind, name=name, dtype=dtype,
        inner=inner,
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--a", required=True, help="checkout A (the baseline)")
    parser.add_argument("--b", default=".", help="checkout B (the change)")
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument(
        "--inner", type=int, default=3, help="fits per child; the fastest counts"
    )
    parser.add_argument("--only", choices=["speed", "cv"], help="one group only")
    parser.add_argument("--names", help="comma-separated workloads, e.g. M,digits")
    args = parser.parse_args()
    a, b = Path(args.a).resolve(), Path(args.b).resolve()
    cases = [c for c in SPEED + CV if args.only in (None, c[0])]
    if args.names:
        cases = [c for c in cases if c[1] in args.names.split(",")]
    print(f"A = {a}\nB = {b}\n")
    print(f"{'workload':<22} {'A s':>8} {'B s':>8} {'B / A':>7}")
    for case in cases:
        times_a, times_b = [], []
        for _ in range(args.reps):
            times_a.append(fit_seconds(a, case, args.inner))
            times_b.append(fit_seconds(b, case, args.inner))
        ratio = statistics.median(tb / ta for ta, tb in zip(times_a, times_b))
        label = " ".join(case[1:]) if case[0] == "speed" else f"CV {case[1]}"
        print(
            f"{label:<22} {statistics.median(times_a):8.3f} "
            f"{statistics.median(times_b):8.3f} {ratio:7.3f}",
            flush=True,
        )


if __name__ == "__main__":
    main()
