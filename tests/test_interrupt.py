"""A real SIGINT during fit leaves a usable model and a warning (SPEC section 4)."""

import json
import os
import signal
import subprocess
import sys
import time

import pytest

pytestmark = pytest.mark.skipif(
    sys.platform == "win32", reason="SIGINT delivery to a child needs POSIX"
)

CHILD = r"""
import json, sys, time, warnings
import numpy as np
from skreg import L2MLPRegressor
rng = np.random.RandomState(0)
X = rng.normal(size=(20000, 50))
y = X @ rng.normal(size=50)
est = L2MLPRegressor(hidden_layer_sizes=(256, 256), solver=sys.argv[1], max_iter=500,
                     tol=0, n_iter_no_change=10**6, random_state=0)
print("READY", flush=True)
t0 = time.perf_counter()
with warnings.catch_warnings(record=True) as w:
    warnings.simplefilter("always")
    est.fit(X, y)
elapsed = time.perf_counter() - t0
pred = est.predict(X[:100])
print(json.dumps({
    "finite": bool(np.all(np.isfinite(pred))),
    "elapsed": elapsed,
    "n_iter": int(est.n_iter_),
    "warnings": [f"{m.category.__name__}: {m.message}" for m in w],
}), flush=True)
"""


def test_sigint_during_fit_every_solver():
    env = {
        **os.environ,
        "OMP_NUM_THREADS": "1",
        "OPENBLAS_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
    }
    procs = {
        solver: subprocess.Popen(
            [sys.executable, "-c", CHILD, solver],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        for solver in ("sgd", "adam", "lbfgs")
    }
    for p in procs.values():
        assert p.stdout.readline().strip() == "READY"
    time.sleep(1.5)
    for p in procs.values():
        os.kill(p.pid, signal.SIGINT)
    for solver, p in procs.items():
        out, err = p.communicate(timeout=60)
        assert p.returncode == 0, (solver, err)
        report = json.loads(out.strip().splitlines()[-1])
        assert report["finite"], solver
        assert report["elapsed"] < 30, (solver, report)
        assert any(
            w.startswith("UserWarning") and "nterrupt" in w for w in report["warnings"]
        ), (solver, report["warnings"])
