"""Property-based fuzzing of fit, partial_fit and predict (SPEC section 4).

For random shapes, magnitudes, parameters and sample weights a fit either
succeeds with finite weights and finite predictions, or raises a ValueError with
a message raised by skreg or by scikit-learn's validation, and leaves the
estimator unfitted. Never a silent NaN, never an IndexError, ZeroDivisionError,
FloatingPointError or LinAlgError from deep inside numpy.

The examples are derandomized (the same ones on every run, so CI is stable) and
bounded; set SKREG_FUZZ_EXAMPLES to draw more, and SKREG_FUZZ_RANDOM=1 for fresh
ones.
"""

import os
import traceback
import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sklearn.exceptions import ConvergenceWarning, NotFittedError
from sklearn.utils.validation import check_is_fitted

from skreg import L2MLPClassifier, L2MLPRegressor
from skreg._activations import ACTIVATIONS
from skreg._losses import REGRESSION_LOSSES

EXAMPLES = int(os.environ.get("SKREG_FUZZ_EXAMPLES", "40"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=not os.environ.get("SKREG_FUZZ_RANDOM"),
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

#: How many examples ran, per test (reported by test_zz_report_example_counts).
RAN = {}

MAGNITUDES = [0.0, 1e-300, 1e-30, 1e-3, 1.0, 1e3, 1e30, 1e150, 1e300]


def _count(name):
    RAN[name] = RAN.get(name, 0) + 1


def _assert_clear_error(exc, allowed=(ValueError,)):
    """The error is of an allowed type and raised by skreg or sklearn's checks."""
    assert isinstance(exc, allowed), f"{type(exc).__name__}: {exc}"
    frames = traceback.extract_tb(exc.__traceback__)
    origin = frames[-1].filename.replace(os.sep, "/")
    assert "/skreg/" in origin or "/sklearn/" in origin, (
        f"{type(exc).__name__} raised from {origin}: {exc}"
    )
    assert len(str(exc)) >= 20, f"unhelpful message: {exc!r}"


def _assert_finite_model(est, X):
    for array in [*est.coefs_, *est.intercepts_, *getattr(est, "prelu_slopes_", [])]:
        assert np.all(np.isfinite(array))
    assert np.isfinite(est.loss_)
    if isinstance(est, L2MLPClassifier):
        proba = est.predict_proba(X)
        assert np.all(np.isfinite(proba)) and np.all((proba >= 0) & (proba <= 1))
        if proba.ndim == 2 and est.out_activation_ == "softmax":
            np.testing.assert_allclose(proba.sum(axis=1), 1, rtol=1e-5)
        assert np.all(np.isfinite(est.predict_log_proba(X)) | (proba == 0))
        est.predict(X)
    else:
        assert np.all(np.isfinite(est.predict(X)))


def _fit_or_clear_error(est, X, y, sample_weight=None):
    """Fit; on failure check the error and that nothing was half-written."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        warnings.simplefilter("ignore", UserWarning)  # batch_size clipping, lbfgs + MAE
        try:
            est.fit(X, y, sample_weight=sample_weight)
        except Exception as exc:  # noqa: BLE001 - the point is to inspect it
            _assert_clear_error(exc)
            with pytest.raises(NotFittedError):
                check_is_fitted(est)
            return False
    # Predictions run with numpy's warnings as errors: no overflow, no NaN.
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        _assert_finite_model(est, X)
    return True


# -- strategies -------------------------------------------------------------------


@st.composite
def matrices(draw, n_rows=None):
    n = n_rows if n_rows is not None else draw(st.integers(1, 60))
    d = draw(st.integers(1, 6))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.RandomState(seed)
    X = rng.standard_normal((n, d)) * draw(st.sampled_from(MAGNITUDES))
    kind = draw(st.sampled_from(["normal", "constant_column", "duplicates", "ints"]))
    if kind == "constant_column":
        X[:, 0] = draw(st.sampled_from([0.0, 1.0, -1e10]))
    elif kind == "duplicates":
        X[:] = X[0]
    elif kind == "ints":
        X = np.round(X)
    if draw(st.booleans()):
        X = X.astype(np.float32) if np.all(np.abs(X) < 1e38) else X
    if draw(st.integers(0, 4)) == 0:
        X = sp.csr_matrix(X)
    return X


def _weights(draw, n):
    if draw(st.booleans()):
        return None
    rng = np.random.RandomState(draw(st.integers(0, 2**32 - 1)))
    sw = rng.uniform(0, 2, size=n) * draw(st.sampled_from(MAGNITUDES[1:]))
    sw[rng.uniform(size=n) < draw(st.sampled_from([0.0, 0.3, 0.9]))] = 0
    return sw


def _common_params(draw):
    solver = draw(st.sampled_from(["sgd", "adam", "lbfgs"]))
    params = dict(
        hidden_layer_sizes=draw(
            st.lists(st.integers(1, 8), min_size=0, max_size=2).map(tuple)
        ),
        activation=draw(st.sampled_from(sorted(ACTIVATIONS))),
        alpha=draw(st.sampled_from([0.0, 1e-6, 1e-4, 1.0, 1e3])),
        solver=solver,
        batch_size=draw(st.sampled_from(["auto", 1, 7, 100])),
        learning_rate=draw(st.sampled_from(["constant", "invscaling", "adaptive"])),
        learning_rate_init=draw(st.sampled_from(["auto", "auto", 1e-3, 0.1, 10.0])),
        max_iter=draw(st.integers(1, 5)),
        early_stopping=draw(st.booleans()) and solver != "lbfgs",
        shuffle=draw(st.booleans()),
        random_state=draw(st.integers(0, 1000)),
    )
    return params


@st.composite
def regression_problems(draw):
    X = draw(matrices())
    n = X.shape[0]
    loss = draw(st.sampled_from(sorted(REGRESSION_LOSSES)))
    rng = np.random.RandomState(draw(st.integers(0, 2**32 - 1)))
    n_outputs = draw(st.sampled_from([1, 1, 3]))
    y = rng.standard_normal((n, n_outputs)) * draw(st.sampled_from(MAGNITUDES))
    if loss == "poisson":
        y = np.abs(y) if draw(st.integers(0, 5)) else y  # sometimes negative: error
    if n_outputs == 1:
        y = y.ravel()
    params = dict(
        _common_params(draw),
        loss=loss,
        huber_delta=draw(st.sampled_from([1e-3, 1.0, 1e3])),
    )
    return L2MLPRegressor(**params), X, y, _weights(draw, n)


@st.composite
def classification_problems(draw):
    X = draw(matrices())
    n = X.shape[0]
    rng = np.random.RandomState(draw(st.integers(0, 2**32 - 1)))
    kind = draw(st.sampled_from(["binary", "multiclass", "multilabel", "strings"]))
    if kind == "binary":
        y = rng.randint(0, 2, size=n)
    elif kind == "multiclass":
        y = rng.randint(0, draw(st.integers(3, 6)), size=n)
    elif kind == "multilabel":
        y = rng.randint(0, 2, size=(n, draw(st.integers(2, 4))))
    else:
        y = np.array(["cat", "dog", "eel"])[rng.randint(0, 3, size=n)]
    return L2MLPClassifier(**_common_params(draw)), X, y, _weights(draw, n)


# -- properties ------------------------------------------------------------------


@FUZZ
@given(regression_problems())
def test_fuzz_regressor_fits_or_fails_clearly(problem):
    _count("regressor")
    est, X, y, sw = problem
    _fit_or_clear_error(est, X, y, sw)


@FUZZ
@given(classification_problems())
def test_fuzz_classifier_fits_or_fails_clearly(problem):
    _count("classifier")
    est, X, y, sw = problem
    _fit_or_clear_error(est, X, y, sw)


@FUZZ
@given(
    problem=regression_problems(),
    where=st.sampled_from(["X", "y", "sample_weight"]),
    value=st.sampled_from([np.nan, np.inf, -np.inf]),
    position=st.integers(0, 10**6),
)
def test_fuzz_nan_and_inf_are_reported_before_training(problem, where, value, position):
    """A non-finite value anywhere is a data error that names NaN or infinity."""
    _count("non-finite")
    est, X, y, sw = problem
    X = X.toarray() if sp.issparse(X) else X.copy()
    y = np.array(y, dtype=np.float64)
    if where == "sample_weight":
        sw = np.ones(X.shape[0]) if sw is None else sw.copy()
    target = {"X": X, "y": y, "sample_weight": sw}[where]
    target.flat[position % target.size] = value
    with pytest.raises(ValueError, match="NaN|[Ii]nfinity|negative") as info:
        est.fit(X, y, sample_weight=sw)
    _assert_clear_error(info.value)
    with pytest.raises(NotFittedError):
        check_is_fitted(est)


_PARAM_NAMES = sorted(L2MLPRegressor().get_params())
_ANY_VALUE = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-10, 10**6),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=6),
    st.sampled_from(["auto", "relu", "sgd", "constant", (), (3,), (0,), [2, 2]]),
)


@FUZZ
@given(name=st.sampled_from(_PARAM_NAMES), value=_ANY_VALUE)
def test_fuzz_any_parameter_value_fits_or_names_the_parameter(name, value):
    """Whatever the value of a parameter: a fit, or an error that names it."""
    _count("parameters")
    rng = np.random.RandomState(0)
    X = rng.standard_normal((30, 3))
    y = X.sum(axis=1)
    params = {"hidden_layer_sizes": (4,), "max_iter": 3, "random_state": 0}
    if name in ("max_iter", "hidden_layer_sizes") and isinstance(value, int):
        value = min(value, 8)  # keep the fit small, not the value valid
    if name == "max_fun" and isinstance(value, int):
        value = min(value, 50)
    params[name] = value
    est = L2MLPRegressor(**params)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        warnings.simplefilter("ignore", UserWarning)
        try:
            est.fit(X, y)
        except Exception as exc:  # noqa: BLE001
            _assert_clear_error(exc, allowed=(ValueError, TypeError))
            # Divergence and data-size errors name what to change instead.
            assert name in str(exc) or "diverged" in str(exc) or "Scale" in str(exc), (
                f"{name}={value!r}: {exc}"
            )
            return
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        _assert_finite_model(est, X)


@FUZZ
@given(
    X=matrices(n_rows=60),
    n_chunks=st.integers(1, 4),
    solver=st.sampled_from(["sgd", "adam"]),
    seed=st.integers(0, 1000),
    zero_chunk=st.booleans(),
)
def test_fuzz_partial_fit_chunks(X, n_chunks, solver, seed, zero_chunk):
    """Chunks of any size and weight: each call succeeds or rolls back cleanly."""
    _count("partial_fit")
    rng = np.random.RandomState(seed)
    y = rng.randint(0, 3, size=X.shape[0])
    est = L2MLPClassifier((5,), solver=solver, random_state=seed)
    bounds = np.sort(rng.choice(np.arange(1, X.shape[0]), n_chunks - 1, replace=False))
    first = True
    for rows in np.split(np.arange(X.shape[0]), bounds):
        sw = np.ones(len(rows))
        if zero_chunk and not first:
            sw[:] = 0  # all-zero weights: a clear error, the model unchanged
        before = [c.copy() for c in est.coefs_] if not first else None
        kw = {"classes": [0, 1, 2]} if first else {}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            try:
                est.partial_fit(X[rows], y[rows], sample_weight=sw, **kw)
            except Exception as exc:  # noqa: BLE001
                _assert_clear_error(exc)
                if first:
                    with pytest.raises(NotFittedError):
                        check_is_fitted(est)
                    return
                for a, b in zip(before, est.coefs_):
                    np.testing.assert_array_equal(a, b)
                continue
        first = False
        with warnings.catch_warnings():
            warnings.simplefilter("error", RuntimeWarning)
            # The rows of this call are guaranteed finite; rows of earlier calls
            # may overflow the updated weights: then a clear error, never NaN.
            _assert_finite_model(est, X[rows])
            try:
                est.predict_proba(X)
            except ValueError as exc:
                _assert_clear_error(exc)
                assert "overflowed" in str(exc)


@st.composite
def representable_problems(draw):
    """Data whose J is comfortably representable, and the default step size."""
    est, X, y, sw = draw(st.one_of(regression_problems(), classification_problems()))
    # Moderately scaled data. (Far outside, the curvature that sets the default
    # step can be zero or overflow at the initial weights: unscaled features
    # saturate the logistic output or overflow the Poisson link's exponential;
    # the fit then asks to scale the data, which the other tests check.)
    scales = [1e-3, 1e-1, 1.0, 10.0]
    if isinstance(est, L2MLPRegressor) and est.loss != "poisson":
        scales += [1e3]
    scale_X = draw(st.sampled_from(scales))
    scale_y = draw(st.sampled_from([1e-6, 1e-3, 1.0, 1e3, 1e6]))
    rng = np.random.RandomState(draw(st.integers(0, 2**32 - 1)))
    X = rng.standard_normal(X.shape) * scale_X
    if isinstance(est, L2MLPRegressor):
        y = np.asarray(y, dtype=np.float64)
        y = rng.standard_normal(y.shape) * scale_y
        if est.loss == "poisson":
            y = np.abs(y)
    if sw is not None and not np.any(sw > 0):
        sw = None
    est.set_params(learning_rate_init="auto")
    return est, X, y, sw


@FUZZ
@given(representable_problems())
def test_fuzz_default_step_always_fits_representable_data(problem):
    """With learning_rate_init='auto' a fit never diverges, whatever the scales."""
    _count("default step")
    est, X, y, sw = problem
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        warnings.simplefilter("ignore", UserWarning)
        try:
            est.fit(X, y, sample_weight=sw)
        except ValueError as exc:
            # Only problems of the data itself are allowed here.
            assert "diverged" not in str(exc) and "step size" not in str(exc), exc
            _assert_clear_error(exc)
            return
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        _assert_finite_model(est, X)


def test_zz_report_example_counts(capsys):
    """Not a check: prints how many fuzz examples ran in this session."""
    with capsys.disabled():
        total = sum(RAN.values())
        print(f"\nfuzz examples run: {total} {dict(sorted(RAN.items()))}")
