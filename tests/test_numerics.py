"""Numerical stability at extreme inputs (SPEC section 4, issue 5 item 4).

Every function is evaluated with warnings turned into errors: no overflow, no
invalid operation, and no NaN or inf wherever the true value is finite.
"""

import warnings

import numpy as np
import pytest
from scipy.special import expit

from skreg import L2MLPClassifier, L2MLPRegressor
from skreg._activations import ACTIVATIONS
from skreg._losses import LOSSES

NAMES = [name for name, record in ACTIVATIONS.items() if record.name == name]

# Largest magnitudes per dtype: far beyond every saturation point, close to the
# float range (the pre-activation itself must be representable).
EXTREMES = {
    np.float64: [1e300, 1e154, 1e20, 1e4, 750.0, 40.0, 1e-300, 0.0],
    np.float32: [3e38, 1e19, 1e4, 100.0, 40.0, 1e-40, 0.0],
}
DTYPES = [np.float64, np.float32]


def _grid(dtype):
    positive = np.array(EXTREMES[dtype], dtype=dtype)
    return np.concatenate([-positive, positive])[None, :]


@pytest.fixture(autouse=True)
def _strict():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        yield


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", NAMES)
def test_activation_and_derivative_finite_at_extremes(name, dtype):
    record = ACTIVATIONS[name]
    z = _grid(dtype)
    slope = np.full(z.shape[1], 0.25, dtype) if record.learns_slope else None
    a = record.value(z, slope)
    d = record.derivative(z, a, slope)
    assert a.dtype == dtype and d.dtype == dtype
    assert np.all(np.isfinite(a)), a
    assert np.all(np.isfinite(d)), d
    if record.inplace is not None:
        np.testing.assert_array_equal(record.inplace(z.copy()), a)


@pytest.mark.parametrize("dtype", DTYPES)
def test_saturating_activations_have_the_right_limits(dtype):
    big = dtype(EXTREMES[dtype][0])
    z = np.array([[-big, big]], dtype=dtype)
    for name, low, high in [
        ("logistic", 0.0, 1.0),
        ("tanh", -1.0, 1.0),
        ("elu", -1.0, big),
        ("softplus", 0.0, big),
        ("silu", 0.0, big),
        ("gelu", 0.0, big),
    ]:
        record = ACTIVATIONS[name]
        a = record.value(z, None)
        np.testing.assert_allclose(a[0], [low, high], rtol=1e-6, err_msg=name)
        d = record.derivative(z, a, None)
        expected = [0.0, 0.0 if name in ("logistic", "tanh") else 1.0]
        np.testing.assert_allclose(d[0], expected, atol=1e-6, err_msg=name)


@pytest.mark.parametrize("dtype", DTYPES)
def test_softplus_and_silu_accurate_in_the_tails(dtype):
    z = np.array([-30.0, -20.0, 20.0, 30.0], dtype=dtype)
    softplus = ACTIVATIONS["softplus"].value(z, None)
    # log(1 + e^z) ~ e^z for z << 0 and z + e^-z for z >> 0: no cancellation.
    np.testing.assert_allclose(
        softplus, [np.exp(-30.0), np.exp(-20.0), 20.0, 30.0], rtol=1e-6
    )
    silu = ACTIVATIONS["silu"].value(z, None)
    np.testing.assert_allclose(silu, z * expit(z.astype(np.float64)), rtol=1e-6)


# -- output losses and links -----------------------------------------------------


def _raw(dtype, k):
    big = EXTREMES[dtype][1]  # squares overflow beyond; sums of two do not
    column = np.array([-big, -1e4, -40.0, 0.0, 40.0, 1e4, big], dtype=dtype)
    raw = np.tile(column[:, None], (1, k))
    if k > 1:
        raw[:, 1:] *= -1
    return raw


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", ["binary_log_loss", "multinomial_log_loss"])
def test_log_losses_and_links_finite_at_extremes(name, dtype):
    loss = LOSSES[name]()
    k = 3 if name == "multinomial_log_loss" else 1
    raw = _raw(dtype, k)
    y = np.zeros_like(raw)
    y[:, 0] = 1
    value = loss.value(y, raw)
    grad = loss.gradient(y, raw)
    proba = loss.inverse_link(raw)
    assert np.all(np.isfinite(value)) and np.all(value >= 0)
    assert np.all(np.isfinite(grad)) and np.all(np.isfinite(proba))
    # True values: -log p of class 0 equals |margin| when it is large.
    if name == "binary_log_loss":
        np.testing.assert_allclose(value[[0, -1]], [EXTREMES[dtype][1], 0.0])
        np.testing.assert_allclose(proba[[0, -1], 0], [0.0, 1.0])
    else:
        np.testing.assert_allclose(value[[0, -1]], [2 * EXTREMES[dtype][1], 0.0])
        np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-6)


@pytest.mark.parametrize("dtype", DTYPES)
def test_poisson_link_and_loss_at_extremes(dtype):
    loss = LOSSES["poisson"]()
    # exp(raw) is finite up to log(max float): the loss must be too.
    top = float(np.log(np.finfo(dtype).max)) - 2
    raw = np.array([[-1e4], [-700.0], [0.0], [top * 0.99]], dtype=dtype)
    y = np.array([[0.0], [3.0], [1.0], [0.0]], dtype=dtype)
    value = loss.value(y, raw)
    grad = loss.gradient(y, raw)
    mu = loss.inverse_link(raw)
    assert np.all(np.isfinite(value)) and np.all(np.isfinite(grad))
    assert np.all(np.isfinite(mu)) and np.all(mu >= 0)
    # y = 0: the deviance is 2 mu; y > 0 with mu -> 0: 2 (y log y - y - y raw).
    np.testing.assert_allclose(value[0], 2 * np.exp(-1e4), atol=1e-300)
    np.testing.assert_allclose(value[1], 2 * (3 * np.log(3) - 3 + 3 * 700), rtol=1e-6)


# -- estimators: predict_proba, predict_log_proba, Poisson predict -----------------


def _linear_classifier(n_classes, dtype, scale):
    """A fitted linear classifier whose raw outputs reach +-scale."""
    rng = np.random.RandomState(0)
    X = rng.normal(size=(30, 2)).astype(dtype)
    y = np.arange(30) % n_classes
    model = L2MLPClassifier(hidden_layer_sizes=(), max_iter=2, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.fit(X, y)
    model.coefs_[0][...] = rng.normal(size=model.coefs_[0].shape) * scale
    return model, X


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("n_classes", [2, 3, 5])
@pytest.mark.parametrize("scale", [1.0, 1e3, 1e30])
def test_predict_proba_rows_sum_to_one(n_classes, dtype, scale):
    model, X = _linear_classifier(n_classes, dtype, scale)
    proba = model.predict_proba(X)
    log_proba = model.predict_log_proba(X)
    assert proba.dtype == dtype and proba.shape == (30, n_classes)
    assert np.all(np.isfinite(proba)) and np.all((proba >= 0) & (proba <= 1))
    np.testing.assert_allclose(
        proba.sum(axis=1), 1.0, rtol=0, atol=4 * np.finfo(dtype).eps
    )
    # log p is finite (the true value is finite, if very negative) and matches p.
    assert np.all(np.isfinite(log_proba)) and np.all(log_proba <= 0)
    visible = proba > np.finfo(dtype).tiny
    np.testing.assert_allclose(np.exp(log_proba[visible]), proba[visible], rtol=1e-5)
    np.testing.assert_array_equal(
        model.classes_[np.argmax(proba, axis=1)], model.predict(X)
    )


@pytest.mark.parametrize("dtype", DTYPES)
def test_multilabel_probabilities_finite_at_extremes(dtype):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(30, 2)).astype(dtype)
    Y = np.c_[X[:, 0] > 0, X[:, 1] > 0].astype(int)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = L2MLPClassifier(hidden_layer_sizes=(), max_iter=2, random_state=0)
        model.fit(X, Y)
    model.coefs_[0][...] *= 1e30
    proba = model.predict_proba(X)
    assert np.all(np.isfinite(proba)) and np.all((proba >= 0) & (proba <= 1))
    assert np.all(np.isfinite(model.predict_log_proba(X)))


def _poisson_model_with_raw_output_80_x0(dtype):
    """A linear Poisson model whose raw output is ``80 * x0``."""
    rng = np.random.RandomState(0)
    X = rng.normal(size=(40, 2)).astype(dtype)
    y = rng.poisson(2.0, size=40)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = L2MLPRegressor(
            hidden_layer_sizes=(), loss="poisson", max_iter=3, random_state=0
        ).fit(X, y)
    model.coefs_[0][...] = np.array([[80.0], [0.0]], dtype=dtype)
    model.intercepts_[0][...] = 0
    return model


@pytest.mark.parametrize("dtype", DTYPES)
def test_poisson_predictions_finite_where_the_mean_is(dtype):
    # raw outputs of +-80: exp is finite in float32 and float64.
    model = _poisson_model_with_raw_output_80_x0(dtype)
    X_edge = np.array([[-1.0, 0.0], [1.0, 0.0]], dtype=dtype)
    mu = model.predict(X_edge)
    assert mu.dtype == dtype
    np.testing.assert_allclose(mu, np.exp([-80.0, 80.0]).astype(dtype), rtol=1e-5)


@pytest.mark.parametrize("dtype", DTYPES)
def test_poisson_predict_refuses_a_mean_that_overflows(dtype):
    """exp(f) beyond the dtype's range is an error naming it, not a silent inf."""
    # Raw outputs of 80 and 800: exp(800) overflows float64 (and float32).
    model = _poisson_model_with_raw_output_80_x0(dtype)
    X_far = np.array([[1.0, 0.0], [10.0, 0.0]], dtype=dtype)
    with pytest.raises(ValueError, match=r"exp\(f\) overflowed .* for 1 of 2 sample"):
        model.predict(X_far)
    if dtype == np.float32:
        # exp(80) fits float64, which X as float64 computes in, as advised.
        with pytest.raises(ValueError, match="pass X as float64"):
            model.predict(X_far[:1] * 2)
        assert np.isfinite(model.predict(X_far[:1].astype(np.float64) * 2)).all()


def test_predict_refuses_an_output_that_overflows_to_inf():
    """A float32 output beyond float32's range (no NaN on the way): an error."""
    rng = np.random.RandomState(0)
    X = rng.normal(size=(30, 2)).astype(np.float32)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = L2MLPRegressor(hidden_layer_sizes=(), max_iter=2, random_state=0)
        model.fit(X, X.sum(axis=1))
    model.coefs_[0][...] = 1e30
    X_big = np.abs(X) * np.float32(1e10)  # raw = sum of two positive 1e40s
    with pytest.raises(ValueError, match=r"overflowed to inf for 30 of 30.*float64"):
        model.predict(X_big)
    assert np.all(np.isfinite(model.predict(X_big.astype(np.float64))))

@pytest.mark.parametrize("n_classes", [2, 3])
def test_predict_proba_with_overflowed_margins(n_classes):
    """Margins beyond the float range: probabilities are their limits, not NaN."""
    model, X = _linear_classifier(n_classes, np.float64, 1.0)
    k = model.coefs_[0].shape[1]
    model.coefs_[0][...] = np.where(np.arange(k) % 2, -1e308, 1e308)
    proba = model.predict_proba(X * 10)  # raw = +-inf for every sample
    assert np.all(np.isfinite(proba))
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    np.testing.assert_array_equal(
        model.classes_[np.argmax(proba, axis=1)], model.predict(X * 10)
    )
    assert not np.any(np.isnan(model.predict_log_proba(X * 10)))


def test_predict_refuses_to_return_nan_from_an_overflowed_hidden_layer():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(30, 2))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = L2MLPRegressor((2,), activation="relu", max_iter=2, random_state=0)
        model.fit(X, X.sum(axis=1))
    # Both hidden units overflow to +inf; the output adds them with opposite signs.
    model.coefs_[0][...] = 1e300
    model.coefs_[1][...] = np.array([[1.0], [-1.0]])
    X_big = np.abs(X) * 1e10
    with pytest.raises(ValueError, match=r"overflowed to NaN for 30 of 30"):
        model.predict(X_big)
    assert np.all(np.isfinite(model.predict(np.abs(X) * 1e-10)))
