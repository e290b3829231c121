"""A real SIGINT during fit leaves a usable model and a warning (SPEC section 4).

Each solver trains in a child process on data big enough to take many seconds.
The signal is sent once the child reports training progress (verbose output), so
that it lands inside the training loop even on a loaded machine.
"""

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
max_iter = 500
est = L2MLPRegressor(hidden_layer_sizes=(256, 256), solver=sys.argv[1],
                     max_iter=max_iter, tol=0, n_iter_no_change=10**6,
                     random_state=0, verbose=1)
t0 = time.perf_counter()
with warnings.catch_warnings(record=True) as w:
    warnings.simplefilter("always")
    est.fit(X, y)
elapsed = time.perf_counter() - t0
pred = est.predict(X[:100])
print("RESULT " + json.dumps({
    "finite": bool(np.all(np.isfinite(pred))),
    "elapsed": elapsed,
    "n_iter": int(est.n_iter_),
    "max_iter": max_iter,
    "loss_curve": len(est.loss_curve_),
    "warnings": [f"{m.category.__name__}: {m.message}" for m in w],
}), flush=True)
"""


def _wait_for_progress(proc, timeout=120):
    """Read the child's output until its first epoch/iteration line."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        if line.startswith(("epoch ", "iteration ")):
            return line
    raise AssertionError("the child never reported training progress")


def test_sigint_during_fit_every_solver():
    env = {
        **os.environ,
        "OMP_NUM_THREADS": "1",
        "OPENBLAS_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
    }
    procs = {
        solver: subprocess.Popen(
            [sys.executable, "-u", "-c", CHILD, solver],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        for solver in ("sgd", "adam", "lbfgs")
    }
    try:
        for p in procs.values():
            _wait_for_progress(p)
            os.kill(p.pid, signal.SIGINT)
        for solver, p in procs.items():
            out, err = p.communicate(timeout=120)
            assert p.returncode == 0, (solver, err)
            result = [line for line in out.splitlines() if line.startswith("RESULT ")]
            assert result, (solver, out, err)
            report = json.loads(result[-1][len("RESULT ") :])
            assert report["finite"], solver
            # Stopped early: far from max_iter, with the last good weights.
            assert report["n_iter"] < report["max_iter"] // 2, (solver, report)
            assert report["loss_curve"] == report["n_iter"], (solver, report)
            assert any(
                w.startswith("UserWarning") and "interrupted by KeyboardInterrupt" in w
                for w in report["warnings"]
            ), (solver, report["warnings"])
    finally:
        for p in procs.values():
            if p.poll() is None:
                p.kill()
