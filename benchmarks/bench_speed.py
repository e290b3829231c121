"""Training and prediction throughput of skreg against scikit-learn's MLP.

Same data, architecture, batch size (200), solver (SGD, lr 1e-3, Nesterov momentum
0.9), epochs and dtype for both; alpha converted per SPEC (sklearn's sgd penalty is
alpha / batch_size on the weights, so skreg gets ``1e-4 / 200`` for the regressor
and ``1e-4 / 400`` for the classifier). Runs are interleaved in one process
(sklearn, skreg, products-only loop, sklearn, ...) and medians reported, with the
ratio to scikit-learn, GFLOP/s (6 x samples x weights) and the share of the
products-only loop: the forward, weight-gradient and input-gradient matrix products
of every minibatch and nothing else, the ceiling of any numpy trainer.

    python benchmarks/bench_speed.py                 # S, M, L, C x float64, float32
    python benchmarks/bench_speed.py --quick         # one rep, fewest epochs
    python benchmarks/bench_speed.py --workloads S,M --dtypes float32 --reps 5
    python benchmarks/bench_speed.py --memory        # + peak memory of fit
"""

import argparse
import statistics
import subprocess
import sys
import time
import warnings

import numpy as np
from sklearn.datasets import make_classification, make_regression
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier, MLPRegressor

from skreg import L2MLPClassifier, L2MLPRegressor

BATCH, LR, MOMENTUM, ALPHA_SK = 200, 1e-3, 0.9, 1e-4

WORKLOADS = {
    "S": dict(task="reg", n=5000, d=20, hidden=(64,), k=1, epochs=40, quick=10),
    "M": dict(task="reg", n=20000, d=100, hidden=(256, 256), k=1, epochs=4, quick=1),
    "L": dict(task="reg", n=20000, d=512, hidden=(1024, 1024), k=1, epochs=2, quick=1),
    "C": dict(task="clf", n=20000, d=100, hidden=(256, 256), k=10, epochs=4, quick=1),
}


def make_data(wl, dtype):
    if wl["task"] == "reg":
        X, y = make_regression(
            n_samples=wl["n"], n_features=wl["d"], n_informative=wl["d"] // 2,
            noise=1.0, random_state=0,
        )
        y = (y - y.mean()) / y.std()
    else:
        X, y = make_classification(
            n_samples=wl["n"], n_features=wl["d"], n_informative=20,
            n_classes=wl["k"], random_state=0,
        )
    return X.astype(dtype), y


def n_weights(wl):
    sizes = [wl["d"], *wl["hidden"], wl["k"]]
    return sum(a * b for a, b in zip(sizes[:-1], sizes[1:]))


def make_trainers(wl, epochs):
    common = dict(
        hidden_layer_sizes=wl["hidden"], solver="sgd", batch_size=BATCH,
        learning_rate_init=LR, momentum=MOMENTUM, nesterovs_momentum=True,
        max_iter=epochs, tol=0.0, n_iter_no_change=10**6, random_state=0,
    )
    if wl["task"] == "reg":
        sk = MLPRegressor(alpha=ALPHA_SK, early_stopping=False, **common)
        ours = L2MLPRegressor(alpha=ALPHA_SK / BATCH, **common)
    else:
        sk = MLPClassifier(alpha=ALPHA_SK, early_stopping=False, **common)
        ours = L2MLPClassifier(alpha=ALPHA_SK / (2 * BATCH), **common)
    return {"sklearn": sk, "skreg": ours}


def products_only(wl, X, epochs):
    """The matrix products of the same SGD steps, with out= buffers, nothing else."""
    sizes = [wl["d"], *wl["hidden"], wl["k"]]
    rng = np.random.default_rng(0)
    # Finite, moderate values throughout: NaN or denormals would slow the BLAS.
    Ws = [
        (rng.standard_normal((a, b)) / np.sqrt(a)).astype(X.dtype)
        for a, b in zip(sizes[:-1], sizes[1:])
    ]
    acts = [np.empty((BATCH, s), X.dtype) for s in sizes]
    grads = [np.empty_like(W) for W in Ws]
    deltas = [rng.standard_normal((BATCH, s)).astype(X.dtype) for s in sizes]
    started = time.perf_counter()
    for _ in range(epochs):
        for start in range(0, X.shape[0] - BATCH + 1, BATCH):
            acts[0] = X[start : start + BATCH]
            for i, W in enumerate(Ws):
                np.dot(acts[i], W, out=acts[i + 1])
            for i in range(len(Ws) - 1, -1, -1):
                np.dot(acts[i].T, deltas[i + 1], out=grads[i])
                if i:
                    np.dot(deltas[i + 1], Ws[i].T, out=deltas[i])
    return time.perf_counter() - started


def time_fit(est, X, y):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        started = time.perf_counter()
        est.fit(X, y)
        return time.perf_counter() - started


def time_predict(est, X, reps=5):
    best = []
    for _ in range(reps):
        started = time.perf_counter()
        est.predict(X)
        best.append(time.perf_counter() - started)
    return min(best)


def peak_fit_memory(trainer, workload, dtype, epochs):
    """Peak memory (MiB) allocated during one fit, in a fresh subprocess.

    tracemalloc sees numpy's buffers, so the peak excludes X and y themselves
    (allocated before fit) and counts every copy and buffer fit makes.
    """
    code = f"""
import sys, tracemalloc, warnings
sys.path.insert(0, {sys.path[0]!r})
from bench_speed import WORKLOADS, make_data, make_trainers
import numpy as np
wl = WORKLOADS[{workload!r}]
X, y = make_data(wl, np.{dtype})
est = make_trainers(wl, {epochs})[{trainer!r}]
warnings.simplefilter("ignore")
tracemalloc.start()
est.fit(X, y)
print(tracemalloc.get_traced_memory()[1] / 2**20)
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    return float(out.stdout.strip() or "nan")


def run(workloads, dtypes, reps, quick, memory):
    print("| wl | dtype | sklearn samples/s | skreg samples/s | skreg / sklearn "
          "(paired) | skreg GFLOP/s | skreg % of products-only | predict ratio |"
          + (" fit peak MiB sklearn / skreg (X MiB) |" if memory else ""))
    print("|---|---|---|---|---|---|---|---|" + ("---|" if memory else ""))
    for name in workloads:
        wl = WORKLOADS[name]
        epochs = wl["quick"] if quick else wl["epochs"]
        for dtype in dtypes:
            X, y = make_data(wl, np.dtype(dtype))
            walls = {"sklearn": [], "skreg": [], "products": []}
            fitted = {}
            for est in make_trainers(wl, 1).values():  # warm-up
                time_fit(est, X[:2000], y[:2000])
            for _ in range(reps):
                for label, est in make_trainers(wl, epochs).items():
                    time.sleep(0.25)
                    walls[label].append(time_fit(est, X, y))
                    fitted[label] = est
                time.sleep(0.25)
                walls["products"].append(products_only(wl, X, epochs))
            samples = wl["n"] * epochs
            med = {k: statistics.median(v) for k, v in walls.items()}
            paired = statistics.median(
                a / b for a, b in zip(walls["sklearn"], walls["skreg"])
            )
            share = statistics.median(
                a / b for a, b in zip(walls["products"], walls["skreg"])
            )
            gflops = 6 * samples * n_weights(wl) / med["skreg"] / 1e9
            predict_ratio = time_predict(fitted["sklearn"], X) / time_predict(
                fitted["skreg"], X
            )
            row = (
                f"| {name} | {dtype} | {samples / med['sklearn']:,.0f} | "
                f"{samples / med['skreg']:,.0f} | {med['sklearn'] / med['skreg']:.2f} "
                f"({paired:.2f}) | {gflops:.1f} | {share:.0%} | {predict_ratio:.2f} |"
            )
            if memory:
                sk_mem = peak_fit_memory("sklearn", name, dtype, epochs)
                our_mem = peak_fit_memory("skreg", name, dtype, epochs)
                row += f" {sk_mem:.1f} / {our_mem:.1f} ({X.nbytes / 2**20:.1f}) |"
            print(row, flush=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workloads", default="S,M,L,C")
    parser.add_argument("--dtypes", default="float64,float32")
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--memory", action="store_true")
    args = parser.parse_args()
    run(args.workloads.split(","), args.dtypes.split(","),
        1 if args.quick else args.reps, args.quick, args.memory)
