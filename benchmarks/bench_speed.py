"""Training and prediction throughput of skreg against scikit-learn's MLP.

Same data, architecture, batch size (200), solver (SGD, lr 1e-3, Nesterov momentum
0.9), epochs and dtype for both; alpha converted per SPEC (sklearn's sgd penalty is
alpha / batch_size on the weights, so skreg gets ``1e-4 / 200`` for the regressor
and ``1e-4 / 400`` for the classifier). As in the shared harness
(``bench_mlp.py``), the regression target is cast to the run's dtype: float32 X
gets float32 y. Each regression workload run in float32 has one more row,
``float32, y float64``: float32 X with the float64 target a user is likely to
pass, where skreg must stay as fast (it converts y once and trains in float32).

Method. Each timing is one whole ``fit`` (validation and setup included), after
an untimed warm-up fit on 2,000 rows. Per rep the trainers run interleaved
(sklearn, skreg, products-only, then the next rep), so that a change of the
machine's state hits all of them alike, and every ratio is *paired*: computed
within one rep (sklearn's time / skreg's time of the same rep), then the median
over reps is reported, never a ratio of medians. "products-only" is the forward,
weight-gradient and input-gradient matrix products of every minibatch and
nothing else (out= buffers): the ceiling of any numpy trainer.

Prediction on the whole training X is timed after each rep's fits, in 5
interleaved rounds of sklearn's ``predict``, skreg's ``predict`` and a
"products-only predict" (the bare chain ``X @ W + b`` and ReLU in place over
the whole X, with skreg's fitted weights; for the classifier without the
softmax and argmax); reported are the medians over all rounds of the paired
ratios sklearn / skreg and skreg / products-only.

Columns: samples/s = n_samples * epochs / median fit time; GFLOP/s = 6 x
samples x weights / skreg's median fit time; "% of products-only" = paired
products-only time / skreg time (100% = nothing but the products); predict
"vs sklearn" > 1 is faster than sklearn; "/ products" is how many times the
bare chain's time skreg's predict takes. Timings on a busy machine are not
results: run it alone on an idle machine.

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


def make_data(wl, dtype, y_dtype=None):
    """X in ``dtype``; a regression y in ``y_dtype`` (default: ``dtype``)."""
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
    if wl["task"] == "reg":
        y = y.astype(y_dtype or dtype)
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


def products_predict(est, X):
    """The bare chain ``X @ W + b``, ReLU in place, over the whole X (no checks)."""
    a = X
    for i, (W, b) in enumerate(zip(est.coefs_, est.intercepts_)):
        a = a @ W
        a += b
        if i < len(est.coefs_) - 1:
            np.maximum(a, 0, out=a)
    return a


def time_predicts(fitted, X, rounds=5):
    """Walls of ``rounds`` interleaved predicts: sklearn, skreg, products-only."""
    walls = {"sklearn": [], "skreg": [], "products": []}
    calls = {
        "sklearn": fitted["sklearn"].predict,
        "skreg": fitted["skreg"].predict,
        "products": lambda X: products_predict(fitted["skreg"], X),
    }
    for _ in range(rounds):
        for label, call in calls.items():
            started = time.perf_counter()
            call(X)
            walls[label].append(time.perf_counter() - started)
    return walls


def paired(numerators, denominators):
    """Median of the per-rep ratios (not the ratio of the medians)."""
    return statistics.median(a / b for a, b in zip(numerators, denominators))


def peak_fit_memory(trainer, workload, dtype, y_dtype, epochs):
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
X, y = make_data(wl, np.{dtype}, {y_dtype!r})
est = make_trainers(wl, {epochs})[{trainer!r}]
warnings.simplefilter("ignore")
tracemalloc.start()
est.fit(X, y)
print(tracemalloc.get_traced_memory()[1] / 2**20)
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    return float(out.stdout.strip() or "nan")


def cases(workloads, dtypes):
    """(workload, row label, X dtype, y dtype) of every row of the table."""
    for name in workloads:
        for dtype in dtypes:
            yield name, dtype, dtype, None
            if dtype == "float32" and WORKLOADS[name]["task"] == "reg":
                yield name, "float32, y float64", dtype, "float64"


def measure(wl, X, y, epochs, reps):
    """Fit walls of every trainer and predict walls, interleaved per rep."""
    walls = {"sklearn": [], "skreg": [], "products": []}
    predict_walls = {"sklearn": [], "skreg": [], "products": []}
    for est in make_trainers(wl, 1).values():  # warm-up
        time_fit(est, X[:2000], y[:2000])
    for _ in range(reps):
        fitted = {}
        for label, est in make_trainers(wl, epochs).items():
            time.sleep(0.25)
            walls[label].append(time_fit(est, X, y))
            fitted[label] = est
        time.sleep(0.25)
        walls["products"].append(products_only(wl, X, epochs))
        time.sleep(0.25)
        for label, times in time_predicts(fitted, X).items():
            predict_walls[label] += times
    return walls, predict_walls


HEADER = (
    "| wl | dtype | sklearn samples/s | skreg samples/s | skreg vs sklearn "
    "(paired) | skreg GFLOP/s | skreg % of products-only | predict skreg vs "
    "sklearn (paired) | predict skreg / products-only (paired) |"
)


def table_row(name, label, wl, epochs, walls, predict_walls):
    """One markdown row: medians, and paired ratios per rep."""
    samples = wl["n"] * epochs
    med = {k: statistics.median(v) for k, v in walls.items()}
    gflops = 6 * samples * n_weights(wl) / med["skreg"] / 1e9
    return (
        f"| {name} | {label} | {samples / med['sklearn']:,.0f} | "
        f"{samples / med['skreg']:,.0f} | "
        f"{paired(walls['sklearn'], walls['skreg']):.2f} | {gflops:.1f} | "
        f"{paired(walls['products'], walls['skreg']):.0%} | "
        f"{paired(predict_walls['sklearn'], predict_walls['skreg']):.2f} | "
        f"{paired(predict_walls['skreg'], predict_walls['products']):.2f} |"
    )


def run(workloads, dtypes, reps, quick, memory):
    print(HEADER + (" fit peak MiB sklearn / skreg (X MiB) |" if memory else ""))
    print("|---" * 9 + "|" + ("---|" if memory else ""))
    for name, label, dtype, y_dtype in cases(workloads, dtypes):
        wl = WORKLOADS[name]
        epochs = wl["quick"] if quick else wl["epochs"]
        X, y = make_data(wl, np.dtype(dtype), y_dtype)
        walls, predict_walls = measure(wl, X, y, epochs, reps)
        row = table_row(name, label, wl, epochs, walls, predict_walls)
        if memory:
            sk_mem, our_mem = (
                peak_fit_memory(trainer, name, dtype, y_dtype, epochs)
                for trainer in ("sklearn", "skreg")
            )
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
