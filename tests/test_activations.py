"""Every activation of the table: derivative, known values, dtype, extremes."""

import warnings

import numpy as np
import pytest

from skreg._activations import ACTIVATIONS

NAMES = [name for name, record in ACTIVATIONS.items() if record.name == name]


def _slope(record, n):
    return np.full(n, 0.25) if record.learns_slope else None


@pytest.mark.parametrize("name", NAMES)
def test_derivative_matches_central_differences(name, rng):
    record = ACTIVATIONS[name]
    z = rng.uniform(-4, 4, size=(50, 3))
    z[np.abs(z) < 1e-2] = 0.5  # away from the kinks of the rectifiers
    slope = _slope(record, 3)
    eps = 1e-6
    numeric = (record.value(z + eps, slope) - record.value(z - eps, slope)) / (2 * eps)
    a = record.value(z, slope)
    np.testing.assert_allclose(
        record.derivative(z, a, slope), numeric, rtol=1e-6, atol=1e-9
    )


@pytest.mark.parametrize(
    "name, z, expected",
    [
        ("identity", 1.5, 1.5),
        ("logistic", 0.0, 0.5),
        ("tanh", 1.0, np.tanh(1.0)),
        ("relu", -2.0, 0.0),
        ("leaky_relu", -2.0, -0.02),
        ("elu", -1.0, np.exp(-1.0) - 1),
        ("gelu", 1.0, 0.8413447460685429),
        ("silu", 1.0, 1 / (1 + np.exp(-1.0))),
        ("softplus", 0.0, np.log(2.0)),
    ],
)
def test_known_values(name, z, expected):
    value = ACTIVATIONS[name].value(np.array([z]), None)
    np.testing.assert_allclose(value, [expected], rtol=1e-12)


@pytest.mark.parametrize("name", NAMES)
def test_float32_stays_float32(name, rng):
    record = ACTIVATIONS[name]
    z = rng.standard_normal((4, 3)).astype(np.float32)
    slope = None if not record.learns_slope else np.full(3, 0.25, np.float32)
    a = record.value(z, slope)
    assert a.dtype == np.float32
    assert record.derivative(z, a, slope).dtype == np.float32


@pytest.mark.parametrize("name", NAMES)
def test_extreme_inputs_are_finite_without_warnings(name):
    record = ACTIVATIONS[name]
    z = np.array([[-1e4, -750.0, 750.0, 1e4]])
    slope = _slope(record, 4)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        a = record.value(z, slope)
        d = record.derivative(z, a, slope)
    assert np.all(np.isfinite(a)) and np.all(np.isfinite(d))


@pytest.mark.parametrize("name", [n for n in NAMES if ACTIVATIONS[n].inplace])
def test_inplace_equals_value(name, rng):
    record = ACTIVATIONS[name]
    z = rng.standard_normal((5, 4))
    np.testing.assert_array_equal(record.inplace(z.copy()), record.value(z, None))


def test_prelu_slope_derivative(rng):
    record = ACTIVATIONS["prelu"]
    z = rng.uniform(-3, 3, size=(20, 2))
    slope, eps = np.array([0.2, 0.3]), 1e-6
    numeric = (record.value(z, slope + eps) - record.value(z, slope - eps)) / (2 * eps)
    np.testing.assert_allclose(record.slope_derivative(z), numeric, atol=1e-8)


def test_aliases_point_at_the_same_record():
    assert ACTIVATIONS["sigmoid"] is ACTIVATIONS["logistic"]
    assert ACTIVATIONS["swish"] is ACTIVATIONS["silu"]
