"""
Tune alpha with GridSearchCV on a Dask cluster, and check it against n_jobs=1
=============================================================================

GridSearchCV parallelises through joblib, so ``joblib.parallel_backend("dask")``
sends its fits (one per alpha and fold) to the workers of a
``dask.distributed.Client``. Every fit has a fixed random_state, so the search gives
the same scores as the serial one; the example runs both, prints the mean CV R^2 of
every alpha, the winners and the wall times, and saves the curve as
dask_grid_search.png.

Without --scheduler it starts a LocalCluster of 2 worker processes; with
--scheduler tcp://HOST:8786 it uses that cluster (its workers need skreg installed).

Run it as a script (``--small`` is the quick version that the tests run)::

    python examples/dask_grid_search.py [--outdir DIR] [--small] [--scheduler ADDRESS]
"""

import argparse
import importlib
import time
from contextlib import ExitStack
from pathlib import Path

import joblib
import numpy as np
from dask.distributed import Client, LocalCluster
from matplotlib.figure import Figure  # Agg-rendered, no pyplot, no display
from sklearn.compose import TransformedTargetRegressor
from sklearn.datasets import load_diabetes
from sklearn.model_selection import GridSearchCV, KFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skreg import L2MLPRegressor

# %%
# The search
# ----------
# ``GridSearchCV`` over alpha of the recommended setup: a ``StandardScaler`` +
# ``L2MLPRegressor`` pipeline with y standardised too
# (``TransformedTargetRegressor``), 5 shuffled folds, alphas from 1e-2 to 10,
# where every fit reaches a stationary J.

#: The network's alpha inside the target transform and the pipeline.
PARAM = "regressor__l2mlpregressor__alpha"


def make_search(alphas, n_jobs, small=False):
    """GridSearchCV over alpha of the recommended setup, 5 shuffled folds."""
    network = (
        L2MLPRegressor(hidden_layer_sizes=(32,), random_state=0)
        if small
        else L2MLPRegressor(random_state=0)
    )
    model = TransformedTargetRegressor(
        regressor=make_pipeline(StandardScaler(), network),
        transformer=StandardScaler(),
    )
    return GridSearchCV(
        model,
        {PARAM: alphas},
        cv=KFold(5, shuffle=True, random_state=0),
        n_jobs=n_jobs,
    )


# %%
# On the cluster, then serially
# -----------------------------
# The same search on a Dask cluster (a ``LocalCluster`` of two worker processes
# unless ``--scheduler`` names one) and with ``n_jobs=1``.


def main(outdir=".", small=False, scheduler=None):
    """Search on Dask and serially; returns ``{"dask": search, "serial": search}``."""
    X, y = load_diabetes(return_X_y=True)
    alphas = np.logspace(-2, 1, 3 if small else 6)
    searches, seconds = {}, {}
    with ExitStack() as stack:
        start = time.perf_counter()
        if scheduler is None:
            cluster = stack.enter_context(
                LocalCluster(
                    n_workers=2,
                    threads_per_worker=1,
                    processes=True,
                    # A free port for the scheduler's HTTP server, which runs even
                    # without a dashboard (None would mean the fixed port 8787).
                    dashboard_address=":0",
                )
            )
            client = stack.enter_context(Client(cluster))
        else:
            client = stack.enter_context(Client(scheduler))
        # Import skreg (and scikit-learn) on every worker now, so that the timed
        # search below measures fitting and scheduling, not the first imports.
        client.run(importlib.import_module, "skreg")
        seconds["startup"] = time.perf_counter() - start
        n_threads = sum(client.nthreads().values())
        print(
            f"dask: {client.scheduler.address}, {n_threads} worker threads "
            f"(ready in {seconds['startup']:.1f} s)"
        )
        with joblib.parallel_backend("dask"):
            start = time.perf_counter()
            searches["dask"] = make_search(alphas, n_jobs=-1, small=small).fit(X, y)
            seconds["dask"] = time.perf_counter() - start
        start = time.perf_counter()
        searches["serial"] = make_search(alphas, n_jobs=1, small=small).fit(X, y)
        seconds["serial"] = time.perf_counter() - start

    dask_scores = searches["dask"].cv_results_["mean_test_score"]
    serial_scores = searches["serial"].cv_results_["mean_test_score"]
    std = searches["dask"].cv_results_["std_test_score"]
    print("alpha        mean CV R^2 (dask)   (std)    n_jobs=1")
    for alpha, mean, sd, serial in zip(alphas, dask_scores, std, serial_scores):
        print(f"{alpha:<12.4g} {mean:17.4f}   ({sd:.4f}) {serial:9.4f}")
    for name in ("dask", "serial"):
        best = searches[name].best_params_[PARAM]
        print(
            f"{name:>6}: best alpha {best:.4g} (mean CV R^2 "
            f"{searches[name].best_score_:.4f}), {len(alphas) * 5} fits in "
            f"{seconds[name]:.2f} s"
        )
    print(
        f"max |score difference| dask vs n_jobs=1: "
        f"{np.abs(dask_scores - serial_scores).max():.2g}"
    )
    _plot(searches["dask"], alphas, Path(outdir))
    return searches


# %%
# The picture
# -----------
# The mean CV R^2 of the Dask search against alpha.


def _plot(search, alphas, outdir):
    mean = search.cv_results_["mean_test_score"]
    std = search.cv_results_["std_test_score"]
    best = search.best_params_[PARAM]
    fig = Figure(figsize=(6, 4))
    ax = fig.subplots()
    ax.semilogx(alphas, mean, "o-", label="mean CV $R^2$ (fitted on Dask)")
    ax.fill_between(alphas, mean - std, mean + std, alpha=0.2, label="+/- 1 std")
    ax.axvline(best, color="k", ls="--", label=f"best alpha = {best:.3g}")
    ax.set_xlabel("alpha (lambda in J = L + alpha * sum ||W||^2)")
    ax.set_ylabel("$R^2$")
    ax.set_title("load_diabetes: 5-fold GridSearchCV on a Dask cluster")
    ax.legend()
    fig.tight_layout()
    outdir.mkdir(parents=True, exist_ok=True)
    fig.savefig(outdir / "dask_grid_search.png", dpi=100)
    print(f"saved {outdir / 'dask_grid_search.png'}")


# %%
# Run it
# ------
# Prints what the example shows and saves its picture (shown below on the web
# page) into ``--outdir``.
if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.strip().split("\n")[0])
    parser.add_argument("--outdir", default=".", help="folder for the PNG")
    parser.add_argument("--small", action="store_true", help="fewer alphas")
    parser.add_argument(
        "--scheduler",
        default=None,
        metavar="ADDRESS",
        help="address of a running Dask scheduler (default: a LocalCluster)",
    )
    args = parser.parse_args()
    main(args.outdir, args.small, args.scheduler)
