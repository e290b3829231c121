"""Every solver of the table honours the same contract."""

import warnings
from types import SimpleNamespace

import numpy as np
import pytest
from sklearn.datasets import make_regression
from sklearn.exceptions import ConvergenceWarning

from skreg import L2MLPClassifier, L2MLPRegressor
from skreg._solvers import SOLVERS, Solver

SETTINGS = SimpleNamespace(
    **{
        key: value
        for key, value in L2MLPRegressor().get_params().items()
        if key != "hidden_layer_sizes"
    }
)


@pytest.mark.parametrize("name", sorted(SOLVERS))
def test_table_entry_declares_the_contract(name):
    solver = SOLVERS[name]
    assert isinstance(solver, Solver) and solver.name == name
    assert solver.unit in {"epoch", "iteration"}
    assert isinstance(solver.divergence_advice, str) and solver.divergence_advice
    flags = ("stochastic", "fused_blas_step", "preconditioned", "needs_smooth_loss")
    for flag in flags:
        assert isinstance(getattr(solver, flag), bool)
    # The estimators accept exactly the table's names.
    for cls in (L2MLPRegressor, L2MLPClassifier):
        constraint = cls._parameter_constraints["solver"][0]
        assert constraint.options == set(SOLVERS)


@pytest.mark.parametrize("name", sorted(SOLVERS))
def test_partial_fit_exists_for_stochastic_solvers_only(name):
    est = L2MLPRegressor(solver=name)
    assert hasattr(est, "partial_fit") == SOLVERS[name].stochastic


@pytest.mark.parametrize("name", [n for n, s in SOLVERS.items() if s.stochastic])
def test_stochastic_solver_builds_its_optimizer_and_restarts(name):
    solver = SOLVERS[name]
    state = SimpleNamespace(theta=np.zeros(7))
    settings = SimpleNamespace(**{**vars(SETTINGS), "learning_rate_init": 0.04})
    optimizer = solver.make_optimizer(None, state, settings)
    assert optimizer.learning_rate == 0.04
    optimizer.update(state.theta, np.ones(7))
    assert np.all(state.theta < 0)  # a step against the gradient
    solver.restart(optimizer)
    assert optimizer.learning_rate == pytest.approx(0.01)
    # The restart forgets the optimizer's memory: the next step is a first step.
    fresh = solver.make_optimizer(None, SimpleNamespace(theta=np.zeros(7)), settings)
    fresh.learning_rate = 0.01
    before = state.theta.copy()
    optimizer.update(state.theta, np.ones(7))
    expected = np.zeros(7)
    fresh.update(expected, np.ones(7))
    np.testing.assert_allclose(state.theta - before, expected)


@pytest.mark.parametrize("name", sorted(SOLVERS))
def test_every_solver_decreases_J(name):
    X, y = make_regression(n_samples=120, n_features=4, noise=5.0, random_state=0)
    y = y / y.std()
    # Every solver starts from the same weights: an sgd step of 1e-300 keeps them.
    start = L2MLPRegressor((6,), max_iter=1, learning_rate_init=1e-300,
                           random_state=0)
    est = L2MLPRegressor((6,), solver=name, max_iter=300, alpha=1e-3,
                         random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        start.fit(X, y)
        est.fit(X, y)
    assert est.objective(X, y) < 0.5 * start.objective(X, y)


@pytest.mark.parametrize("batch_size", [1, 5])
def test_automatic_step_accounts_for_the_batch_size(batch_size):
    # One row's curvature can be many times the average: the automatic step of
    # a small batch must be stable for it (batch_size=1 once trained to chance).
    from sklearn.datasets import make_blobs
    from sklearn.preprocessing import StandardScaler

    X, y = make_blobs(300, centers=3, random_state=0)
    X = StandardScaler().fit_transform(X)
    small = L2MLPClassifier(random_state=0, batch_size=batch_size, max_iter=30)
    full = L2MLPClassifier(random_state=0, batch_size=300, max_iter=30)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        small.fit(X, y)
        full.fit(X, y)
    assert small.score(X, y) > 0.9
    assert small._optimizer.learning_rate_init < full._optimizer.learning_rate_init
