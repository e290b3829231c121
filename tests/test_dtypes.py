"""float32 end to end: nothing in the training loop is computed in float64.

With float32 X every array the engine touches is float32, whatever y's dtype
(float64 regression targets are converted once, before training). Two records
are kept during ``fit``:

- the engine's calls: ``forward`` and ``backward`` as the objective calls them,
  the loss's ``value``, ``gradient`` and ``curvature`` (wrapped on the instance
  that the estimator's ``_output_loss`` returns), ``Objective.penalty`` and
  ``penalty_gradient``, ``predict_raw`` and the optimizer's ``update`` and
  ``step``: the dtype of every ndarray argument and result, and of every numpy
  float scalar argument (a ``np.float64`` scalar is "strong" under NEP 50 and
  turns a float32 operation into a float64 one);
- a line tracer over the engine's modules that looks at every local variable
  after every line, which sees the temporaries the calls above never receive.

Allowed: integer arrays (row indices) and bool arrays (label indicators, masks);
scipy's L-BFGS-B works in float64, so the iterate it hands over (``x`` and what
is made from it in :mod:`skreg._lbfgs`) is float64 until it is converted; and
the random draws of the starting weights are float64 before they are stored in
X's dtype, so that float32 and float64 fits start from the same weights.
"""

import functools
import os
import sys
import warnings

import numpy as np
import pytest

import skreg._network
import skreg._objective
from skreg import L2MLPClassifier, L2MLPRegressor
from skreg._objective import Objective
from skreg._optimizers import SGD, Adam
from skreg._solvers import SOLVERS

REGRESSION = ["squared_error", "absolute_error", "huber", "quantile", "poisson"]
CLASSIFICATION = ["binary", "multiclass", "multilabel"]
#: Modules of the training engine, whose locals the tracer inspects.
ENGINE = {
    "_objective", "_training", "_solvers", "_network", "_optimizers", "_losses",
    "_links", "_lbfgs", "_activations",
}
#: (module, function, local) that may hold float64 arrays or scalars, and why.
ALLOWED_FLOAT64 = {
    # scipy's L-BFGS-B iterates in float64; fun() converts x at once.
    ("_lbfgs", "fun", "x"),
    ("_lbfgs", "fun", "<return>"),
    ("_lbfgs", "fit_lbfgs", "x_final"),
    # The starting gradient as scipy gets it: its largest entry scales gtol.
    ("_lbfgs", "fit_lbfgs", "grad0"),
    # scipy's point u, and the weights handed to scipy as such a point.
    ("_lbfgs", "to_theta", "u"),
    ("_lbfgs", "to_u", "<return>"),
    # Random draws in float64, stored in X's dtype (same start in both dtypes).
    ("_network", "initialize", "bound"),
}
#: Functions computed in float64 on purpose, with all they call: the targets'
#: offset is taken in float64 before the cast to X's dtype, so that float32
#: keeps the digits of targets far from zero; the preconditioner's statistics
#: are kept in float64 for the fits that continue this one, and converted to
#: X's dtype where the preconditioner is built.
FLOAT64_BY_DESIGN = {"target_offset", "preconditioner"}
#: Hyperparameters given as numpy float64 scalars, as GridSearchCV over a
#: np.logspace grid and the CV estimators' alpha path give them.
NUMPY_PARAMS = {
    "alpha": np.float64(1e-3),
    "momentum": np.float64(0.9),
    "beta_1": np.float64(0.9),
    "beta_2": np.float64(0.999),
    "epsilon": np.float64(1e-8),
}
VARIANTS = {
    "defaults": {},
    "numpy_params": NUMPY_PARAMS,
    "numpy_lr_early_stopping": {
        **NUMPY_PARAMS,
        "learning_rate_init": np.float64(1e-3),
        "learning_rate": "invscaling",
        "power_t": np.float64(0.25),
        "early_stopping": True,
    },
    # The large-network path: products through scipy's BLAS, fused sgd step.
    "scipy_blas": {},
}


def _data(target, y_dtype, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((60, 4))
    z = X @ rng.standard_normal(4) / 2
    if target == "poisson":
        y = rng.poisson(np.exp(0.5 * z)).astype(float)
    elif target in REGRESSION:
        y = z
    elif target == "binary":
        y = (z > 0).astype(float)
    elif target == "multiclass":
        y = np.digitize(z, [-0.5, 0.5]).astype(float)
    else:
        y = np.c_[z > 0, z > 0.5].astype(float)
    return X.astype(np.float32), y.astype(y_dtype)


class _Record:
    """Dtypes seen, as ``where -> set of dtype names``."""

    def __init__(self, dtype):
        self.dtype = np.dtype(dtype)
        self.seen = {}

    def note(self, where, value):
        if isinstance(value, (tuple, list)):
            for i, item in enumerate(value):
                self.note(f"{where}[{i}]", item)
        elif isinstance(value, (np.ndarray, np.floating)):
            self.seen.setdefault(where, set()).add(value.dtype)

    def wrap(self, name, function):
        @functools.wraps(function)
        def recorded(*args, **kwargs):
            for i, arg in enumerate(args):
                self.note(f"{name} arg {i}", arg)
            for key, arg in kwargs.items():
                self.note(f"{name} {key}=", arg)
            result = function(*args, **kwargs)
            self.note(f"{name} result", result)
            return result

        return recorded

    def wrong(self):
        """Where a float dtype other than X's was seen."""
        return {
            where: sorted(str(d) for d in dtypes)
            for where, dtypes in self.seen.items()
            if any(d.kind in "fc" and d != self.dtype for d in dtypes)
        }

    def tracer(self, frame, event, arg):
        """sys.settrace hook: the locals of the engine's frames after each line."""
        path = frame.f_code.co_filename
        module = os.path.splitext(os.path.basename(path))[0]
        if module not in ENGINE or "skreg" not in path:
            return None
        caller = frame
        while caller is not None:
            if caller.f_code.co_name in FLOAT64_BY_DESIGN:
                return None
            caller = caller.f_back
        function = frame.f_code.co_name
        code = frame.f_code
        arguments = set(code.co_varnames[: code.co_argcount + code.co_kwonlyargcount])

        def local(frame, event, arg):
            for name, value in frame.f_locals.items():
                if (module, function, name) in ALLOWED_FLOAT64:
                    continue
                # A scalar argument is the caller's (a user's np.float64
                # hyperparameter): what the engine computes from it is checked.
                if name in arguments and isinstance(value, np.floating):
                    continue
                self.note(f"{module}.{function} local {name}", value)
            returned = (module, function, "<return>")
            if event == "return" and returned not in ALLOWED_FLOAT64:
                self.note(f"{module}.{function} returns", arg)
            return local

        return local


def _instrument(monkeypatch, record, cls):
    """Wrap the engine's entry points (see the module docstring) for ``record``."""
    for name in ("forward", "backward", "predict_raw"):
        function = getattr(skreg._objective, name)
        monkeypatch.setattr(skreg._objective, name, record.wrap(name, function))
    for name in ("penalty", "penalty_gradient", "data_term_and_grad"):
        function = getattr(Objective, name)
        monkeypatch.setattr(Objective, name, record.wrap(name, function))
    for optimizer in (SGD, Adam):
        for name in ("update", "step"):
            if hasattr(optimizer, name):
                function = getattr(optimizer, name)
                label = f"{optimizer.__name__}.{name}"
                monkeypatch.setattr(optimizer, name, record.wrap(label, function))
    output_loss = cls._output_loss

    def recorded_loss(estimator, encoder):
        loss = output_loss(estimator, encoder)
        for name in ("value", "gradient", "value_and_gradient", "curvature"):
            setattr(loss, name, record.wrap(f"loss.{name}", getattr(loss, name)))
        return loss

    monkeypatch.setattr(cls, "_output_loss", recorded_loss)


def _fit_recorded(monkeypatch, target, solver, y_dtype, variant):
    X, y = _data(target, y_dtype)
    if target in REGRESSION:
        cls, params = L2MLPRegressor, {"loss": target}
    else:
        cls, params = L2MLPClassifier, {}
    if variant == "scipy_blas":
        monkeypatch.setattr(skreg._network, "SCIPY_BLAS_MIN_WEIGHTS", 0)
    params.update(VARIANTS[variant])
    est = cls(
        (5,), solver=solver, max_iter=3, batch_size=16, random_state=0, **params
    )
    record = _Record(X.dtype)
    _instrument(monkeypatch, record, cls)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sys.settrace(record.tracer)
        try:
            est.fit(X, y)
        finally:
            sys.settrace(None)
    return est, record


#: (solver, variant) pairs: the minibatch loop's scipy BLAS products (and, for
#: sgd, the fused step) are not lbfgs's, which has no minibatch loop.
SOLVER_VARIANTS = [
    (solver, variant)
    for solver in sorted(SOLVERS)
    for variant in sorted(VARIANTS)
    if not (variant == "scipy_blas" and not SOLVERS[solver].stochastic)
]


@pytest.mark.parametrize("solver, variant", SOLVER_VARIANTS)
@pytest.mark.parametrize("y_dtype", ["float32", "float64"])
@pytest.mark.parametrize("target", REGRESSION + CLASSIFICATION)
def test_training_stays_in_float32(monkeypatch, target, solver, y_dtype, variant):
    est, record = _fit_recorded(monkeypatch, target, solver, y_dtype, variant)
    assert record.wrong() == {}
    # The record is not vacuous: the loop ran through the wrapped calls.
    for name in ("forward", "backward", "loss.value", "loss.value_and_gradient",
                 "penalty"):
        assert any(where.startswith(name) for where in record.seen), name
    if SOLVERS[solver].stochastic:
        step = f"{type(est._optimizer).__name__}.update"
        automatic = "learning_rate_init" not in VARIANTS[variant]
        fused = variant == "scipy_blas" and SOLVERS[solver].fused_blas_step
        if fused or (automatic and SOLVERS[solver].preconditioned):
            # The products build sgd's step themselves (-lr * g), which the
            # preconditioner or the BLAS step takes.
            step = "SGD.step"
        assert any(where.startswith(step) for where in record.seen), step
    assert all(W.dtype == np.float32 for W in est.coefs_)


def test_the_record_sees_an_upcast(monkeypatch):
    """Negative control: a float64 result of the loss's value is caught."""
    from skreg._losses import SquaredError

    value = SquaredError.value
    monkeypatch.setattr(
        SquaredError, "value", lambda self, y, r: value(self, y, r) * np.float64(1)
    )
    _, record = _fit_recorded(
        monkeypatch, "squared_error", "sgd", "float32", "defaults"
    )
    assert any(where.startswith("loss.value result") for where in record.wrong())


def test_the_tracer_sees_a_float64_local(monkeypatch):
    """Negative control: a float64 local inside the engine is caught."""
    from skreg import _losses

    value = _losses.SquaredError.value

    def upcast_value(self, y, raw):
        r = raw.astype(np.float64) - y  # noqa: F841 (a float64 local)
        return value(self, y, raw)

    upcast_value.__code__ = upcast_value.__code__.replace(
        co_filename=_losses.__file__
    )
    monkeypatch.setattr(_losses.SquaredError, "value", upcast_value)
    _, record = _fit_recorded(
        monkeypatch, "squared_error", "sgd", "float32", "defaults"
    )
    wrong = record.wrong()
    assert any(where.endswith("local r") for where in wrong), wrong
