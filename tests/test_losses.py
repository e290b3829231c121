"""Every loss of the table: gradient, curvature, metric, extremes."""

import warnings

import numpy as np
import pytest
from sklearn.metrics import (
    log_loss,
    mean_absolute_error,
    mean_poisson_deviance,
    mean_squared_error,
)

from skreg._losses import LOSSES

DELTA = 1.0


def _targets(name, rng, n, k):
    """Targets in the loss's domain, and raw outputs away from its kinks."""
    raw = rng.uniform(-2, 2, size=(n, k))
    if name == "poisson":
        y = rng.poisson(2.0, size=(n, k)).astype(float)
    elif name == "binary_log_loss":
        y = rng.integers(0, 2, size=(n, k)).astype(float)
    elif name == "multinomial_log_loss":
        y = np.eye(k)[rng.integers(0, k, size=n)]
    else:
        # |raw - y| in [0.1, 0.9] or [1.1, 3]: away from 0 and from huber_delta.
        gap = rng.choice([-1, 1], size=(n, k)) * np.where(
            rng.random((n, k)) < 0.5,
            rng.uniform(0.1, 0.9, (n, k)),
            rng.uniform(1.1, 3.0, (n, k)),
        )
        y = raw - gap
    return y, raw


# softmax needs at least two outputs
GRADIENT_CASES = [
    (name, k)
    for name in LOSSES
    for k in (1, 3)
    if not (name == "multinomial_log_loss" and k == 1)
]


@pytest.mark.parametrize("name, k", GRADIENT_CASES)
def test_gradient_matches_central_differences(name, k, rng):
    loss = LOSSES[name]
    y, raw = _targets(name, rng, 30, k)
    eps = 1e-6
    numeric = np.empty_like(raw)
    for j in range(k):
        step = np.zeros_like(raw)
        step[:, j] = eps
        plus = loss.value(y, raw + step, DELTA)
        minus = loss.value(y, raw - step, DELTA)
        numeric[:, j] = (plus - minus) / (2 * eps)
    np.testing.assert_allclose(
        loss.gradient(y, raw, DELTA), numeric, rtol=1e-6, atol=1e-9
    )


@pytest.mark.parametrize("name", ["squared_error", "poisson", "binary_log_loss"])
def test_curvature_is_the_second_derivative(name, rng):
    loss = LOSSES[name]
    y, raw = _targets(name, rng, 20, 2)
    eps = 1e-4
    numeric = (
        loss.gradient(y, raw + eps, DELTA) - loss.gradient(y, raw - eps, DELTA)
    ) / (2 * eps)
    curvature = np.broadcast_to(loss.curvature(y, raw), raw.shape)
    np.testing.assert_allclose(curvature, numeric, rtol=1e-6)


def test_huber_curvature_in_its_quadratic_region(rng):
    loss = LOSSES["huber"]
    raw = rng.uniform(-1, 1, size=(10, 2))
    y = raw - rng.uniform(-0.5, 0.5, size=(10, 2))
    eps = 1e-6
    numeric = loss.gradient(y, raw + eps, DELTA) - loss.gradient(y, raw - eps, DELTA)
    curvature = np.broadcast_to(loss.curvature(y, raw), raw.shape)
    np.testing.assert_allclose(curvature, numeric / (2 * eps), rtol=1e-6)


@pytest.mark.parametrize("k", [1, 3])
def test_values_equal_scikit_learn_metrics(k, rng):
    n = 40
    for name, metric in [
        ("squared_error", mean_squared_error),
        ("absolute_error", mean_absolute_error),
    ]:
        y, raw = _targets(name, rng, n, k)
        assert LOSSES[name].value(y, raw).mean() == pytest.approx(metric(y, raw))
    y, raw = _targets("poisson", rng, n, 1)
    assert LOSSES["poisson"].value(y, raw).mean() == pytest.approx(
        mean_poisson_deviance(y.ravel(), np.exp(raw).ravel())
    )
    y, raw = _targets("multinomial_log_loss", rng, n, 3)
    p = LOSSES["multinomial_log_loss"].inverse_link(raw)
    assert LOSSES["multinomial_log_loss"].value(y, raw).mean() == pytest.approx(
        log_loss(y.argmax(axis=1), p, labels=[0, 1, 2])
    )
    y, raw = _targets("binary_log_loss", rng, n, 1)
    p = LOSSES["binary_log_loss"].inverse_link(raw).ravel()
    assert LOSSES["binary_log_loss"].value(y, raw).mean() == pytest.approx(
        log_loss(y.ravel(), p)
    )
    y, raw = _targets("huber", rng, n, k)
    r = np.abs(y - raw)
    expected = np.where(r <= DELTA, r**2 / 2, DELTA * (r - DELTA / 2)).mean()
    assert LOSSES["huber"].value(y, raw, DELTA).mean() == pytest.approx(expected)


@pytest.mark.parametrize("name", ["binary_log_loss", "multinomial_log_loss"])
def test_log_losses_finite_at_extreme_outputs(name):
    loss = LOSSES[name]
    raw = np.array([[800.0, -800.0], [-800.0, 800.0]])
    y = np.array([[0.0, 1.0], [0.0, 1.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        value = loss.value(y, raw)
        grad = loss.gradient(y, raw)
    assert np.all(np.isfinite(value)) and np.all(np.isfinite(grad))
    assert value[1] == pytest.approx(0.0, abs=1e-12)
    assert value[0] == pytest.approx(1600.0)


@pytest.mark.parametrize("name", list(LOSSES))
def test_float32_preserved(name, rng):
    y, raw = _targets(name, rng, 5, 2)
    y, raw = y.astype(np.float32), raw.astype(np.float32)
    assert LOSSES[name].gradient(y, raw, DELTA).dtype == np.float32
