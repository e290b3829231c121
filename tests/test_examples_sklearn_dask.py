"""The scikit-learn and Dask examples run and hold what they print; Dask = n_jobs=1."""

import importlib
import time

import joblib
import numpy as np
import pytest
from distributed import Client, LocalCluster, get_task_stream
from sklearn.datasets import load_diabetes
from sklearn.model_selection import GridSearchCV, KFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skreg import L2MLPRegressor


def test_from_sklearn_matches_sklearn_and_ridge_and_ignores_batch_size(
    load_example, capsys, tmp_path
):
    res = load_example("from_sklearn").main(tmp_path, small=True)
    out = capsys.readouterr().out
    assert (tmp_path / "from_sklearn.png").stat().st_size > 0
    assert "saved" in out
    n = res["n_samples"]
    assert res["alpha_skreg"] == pytest.approx(res["alpha_sklearn"] / n)
    # README's Ridge(alpha = S * n_outputs * alpha) is sklearn's lbfgs alpha here.
    assert res["ridge_alpha"] == pytest.approx(res["alpha_sklearn"])
    # Targets span ~321; measured differences are ~2e-3 (lbfgs stopping tolerances).
    np.testing.assert_allclose(res["pred_skreg"], res["pred_sklearn"], atol=1e-2)
    np.testing.assert_allclose(res["pred_sklearn"], res["pred_ridge"], atol=1e-2)
    np.testing.assert_allclose(res["pred_skreg"], res["pred_ridge"], atol=1e-2)

    # sgd: skreg stays at Ridge(a) at every batch size (measured spread ~5e-4) ...
    np.testing.assert_allclose(res["norm_skreg"], res["norm_ridge"], rtol=0.01)
    assert res["spread_skreg"] < 0.01
    # ... while scikit-learn follows Ridge(a n / batch_size): a 3.6x range.
    np.testing.assert_allclose(
        res["norm_sklearn"], res["norm_sklearn_ridge"], rtol=0.02
    )
    assert max(res["norm_sklearn"]) > 2.5 * min(res["norm_sklearn"])
    assert res["spread_sklearn"] > 50 * res["spread_skreg"]


def test_dask_grid_search_example_matches_serial(load_example, capsys, tmp_path):
    searches = load_example("dask_grid_search").main(tmp_path, small=True)
    out = capsys.readouterr().out
    assert (tmp_path / "dask_grid_search.png").stat().st_size > 0
    dask, serial = searches["dask"], searches["serial"]
    assert dask.best_params_ == serial.best_params_
    np.testing.assert_allclose(
        dask.cv_results_["mean_test_score"],
        serial.cv_results_["mean_test_score"],
        rtol=1e-12,
    )
    best = dask.best_params_["regressor__l2mlpregressor__alpha"]
    assert f"  dask: best alpha {best:.4g}" in out
    assert f"serial: best alpha {best:.4g}" in out


def _search(n_jobs):
    model = make_pipeline(
        StandardScaler(),
        L2MLPRegressor(hidden_layer_sizes=(16,), max_iter=50, random_state=0),
    )
    return GridSearchCV(
        model,
        {"l2mlpregressor__alpha": [1e-3, 1e-1, 1.0, 10.0]},
        cv=KFold(5, shuffle=True, random_state=0),
        n_jobs=n_jobs,
    )


# 50 epochs do not meet tol on diabetes; irrelevant to equality of the two runs.
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_grid_search_on_dask_cluster_equals_n_jobs_1():
    X, y = load_diabetes(return_X_y=True)
    start = time.perf_counter()
    # Free ports for the scheduler and its HTTP server (which runs even without a
    # dashboard; dashboard_address=None would mean 8787), so that pytest-xdist's
    # workers, or anything else on the machine, never collide with this cluster.
    with (
        LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            scheduler_port=0,
            dashboard_address=":0",
        ) as cluster,
        Client(cluster) as client,
    ):
        # Import skreg on both workers first: the timing below is the search alone.
        client.run(importlib.import_module, "skreg")
        startup = time.perf_counter() - start
        start = time.perf_counter()
        with joblib.parallel_backend("dask"), get_task_stream(client) as stream:
            on_dask = _search(n_jobs=-1).fit(X, y)
        seconds_dask = time.perf_counter() - start
        workers = set(client.scheduler_info()["workers"])
    # The fits really ran on the cluster (no local fallback). joblib batches them,
    # so there may be fewer tasks than the 20 fits (10 seen in one run).
    assert len(stream.data) > 0
    assert {task["worker"] for task in stream.data} <= workers
    start = time.perf_counter()
    serial = _search(n_jobs=1).fit(X, y)
    seconds_serial = time.perf_counter() - start
    print(
        f"cluster start + imports {startup:.1f} s, dask {seconds_dask:.2f} s, "
        f"n_jobs=1 {seconds_serial:.2f} s"
    )

    assert on_dask.best_params_ == serial.best_params_
    for key in ["mean_test_score"] + [f"split{i}_test_score" for i in range(5)]:
        np.testing.assert_allclose(
            on_dask.cv_results_[key], serial.cv_results_[key], rtol=1e-12, atol=0
        )
