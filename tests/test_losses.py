"""Every loss of the table: gradient, curvature, metric, extremes."""

import warnings

import numpy as np
import pytest
from sklearn.metrics import (
    log_loss,
    mean_absolute_error,
    mean_pinball_loss,
    mean_poisson_deviance,
    mean_squared_error,
)

from skreg._losses import LOSSES

DELTA = 1.0


def _targets(name, rng, n, k):
    """Targets from the loss's own sampler, raw outputs away from its kinks."""
    raw = rng.uniform(-2, 2, size=(n, k))
    return LOSSES[name]().sample_targets(rng, raw), raw


# softmax needs at least two outputs
GRADIENT_CASES = [
    (name, k)
    for name in LOSSES
    for k in (1, 3)
    if not (name == "multinomial_log_loss" and k == 1)
]


@pytest.mark.parametrize("name, k", GRADIENT_CASES)
def test_gradient_matches_central_differences(name, k, rng):
    loss = LOSSES[name]()
    y, raw = _targets(name, rng, 30, k)
    eps = 1e-6
    numeric = np.empty_like(raw)
    for j in range(k):
        step = np.zeros_like(raw)
        step[:, j] = eps
        plus = loss.value(y, raw + step)
        minus = loss.value(y, raw - step)
        numeric[:, j] = (plus - minus) / (2 * eps)
    np.testing.assert_allclose(
        loss.gradient(y, raw), numeric, rtol=1e-6, atol=1e-9
    )


@pytest.mark.parametrize("name, k", GRADIENT_CASES)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_value_and_gradient_equals_value_and_gradient(name, k, dtype, rng):
    """The training loop's call gives exactly the two separate ones (the softmax
    computes its exponentials once), also at far-apart logits, where poisson's
    exponential overflows in float32 (inf on both sides: the loop, which runs
    under np.errstate, reports it as a divergence)."""
    loss = LOSSES[name]()
    y, raw = _targets(name, rng, 30, k)
    raw[0] *= 400
    y, raw = y.astype(dtype), raw.astype(dtype)
    with np.errstate(over="ignore"):
        value, gradient = loss.value_and_gradient(y, raw)
        np.testing.assert_array_equal(value, loss.value(y, raw))
        np.testing.assert_array_equal(gradient, loss.gradient(y, raw))
    assert value.dtype == gradient.dtype == dtype


@pytest.mark.parametrize("name", ["squared_error", "poisson", "binary_log_loss"])
def test_curvature_is_the_second_derivative(name, rng):
    loss = LOSSES[name]()
    y, raw = _targets(name, rng, 20, 2)
    eps = 1e-4
    numeric = (
        loss.gradient(y, raw + eps) - loss.gradient(y, raw - eps)
    ) / (2 * eps)
    curvature = np.broadcast_to(loss.curvature(y, raw), raw.shape)
    np.testing.assert_allclose(curvature, numeric, rtol=1e-6)


@pytest.mark.parametrize("name", sorted(LOSSES))
def test_path_curvature_bounds_the_curvature_on_the_way_to_the_targets(name, rng):
    """The step size's curvature covers every point between raw and the targets'
    raw output (poisson's grows there; the others' do not), and for log-loss the
    curvature of the best constant model, where the penalty pulls saturated
    outputs."""
    loss = LOSSES[name]()
    y, raw = _targets(name, rng, 20, 2)
    bound = np.broadcast_to(loss.path_curvature(y, raw), raw.shape)
    if name.endswith("log_loss"):
        curvature = np.broadcast_to(loss.curvature(y, raw), raw.shape)
        assert np.all(bound >= curvature)
        q = y.mean(axis=0)
        assert np.all(bound >= q * (1 - q) * (1 - 1e-12))
        saturated = np.broadcast_to(loss.path_curvature(y, 100 * raw), raw.shape)
        np.testing.assert_allclose(saturated.min(axis=0), q * (1 - q), rtol=1e-12)
        return
    if name != "poisson":
        np.testing.assert_array_equal(bound, np.broadcast_to(loss.curvature(y, raw),
                                                             raw.shape))
        return
    target_raw = np.log(np.maximum(y, 1e-300))
    for t in np.linspace(0, 1, 11):
        between = (1 - t) * raw + t * target_raw
        assert np.all(loss.curvature(y, between) <= bound * (1 + 1e-12))


def test_huber_curvature_in_its_quadratic_region(rng):
    loss = LOSSES["huber"](DELTA)
    raw = rng.uniform(-1, 1, size=(10, 2))
    y = raw - rng.uniform(-0.5, 0.5, size=(10, 2))
    eps = 1e-6
    numeric = loss.gradient(y, raw + eps) - loss.gradient(y, raw - eps)
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
        assert LOSSES[name]().value(y, raw).mean() == pytest.approx(metric(y, raw))
    y, raw = _targets("poisson", rng, n, 1)
    assert LOSSES["poisson"]().value(y, raw).mean() == pytest.approx(
        mean_poisson_deviance(y.ravel(), np.exp(raw).ravel())
    )
    y, raw = _targets("multinomial_log_loss", rng, n, 3)
    p = LOSSES["multinomial_log_loss"]().inverse_link(raw)
    assert LOSSES["multinomial_log_loss"]().value(y, raw).mean() == pytest.approx(
        log_loss(y.argmax(axis=1), p, labels=[0, 1, 2])
    )
    y, raw = _targets("binary_log_loss", rng, n, 1)
    p = LOSSES["binary_log_loss"]().inverse_link(raw).ravel()
    assert LOSSES["binary_log_loss"]().value(y, raw).mean() == pytest.approx(
        log_loss(y.ravel(), p)
    )
    y, raw = _targets("huber", rng, n, k)
    r = np.abs(y - raw)
    expected = np.where(r <= DELTA, r**2 / 2, DELTA * (r - DELTA / 2)).mean()
    assert LOSSES["huber"]().value(y, raw).mean() == pytest.approx(expected)


@pytest.mark.parametrize("name", ["binary_log_loss", "multinomial_log_loss"])
def test_log_losses_finite_at_extreme_outputs(name):
    loss = LOSSES[name]()
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
    assert LOSSES[name]().gradient(y, raw).dtype == np.float32


@pytest.mark.parametrize("quantile", [0.05, 0.5, 0.9])
@pytest.mark.parametrize("k", [1, 3])
def test_pinball_loss_equals_mean_pinball_loss(quantile, k, rng):
    y, raw = _targets("quantile", rng, 40, k)
    value = LOSSES["quantile"](quantile).value(y, raw).mean()
    assert value == pytest.approx(mean_pinball_loss(y, raw, alpha=quantile))


@pytest.mark.parametrize("delta", [0.3, 2.5])
def test_huber_loss_carries_its_threshold(delta, rng):
    loss = LOSSES["huber"](delta)
    y, raw = _targets("huber", rng, 50, 2)
    r = np.abs(y - raw)
    expected = np.where(r <= delta, r**2 / 2, delta * (r - delta / 2)).mean()
    assert loss.value(y, raw).mean() == pytest.approx(expected)
    assert np.max(np.abs(loss.gradient(y, raw))) <= delta / 2  # clipped, 2 outputs


@pytest.mark.parametrize("name", list(LOSSES))
def test_sampled_targets_are_in_the_domain(name, rng):
    loss = LOSSES[name]()
    y, _ = _targets(name, rng, 30, 3 if "multinomial" in name else 2)
    assert loss.check_y(y)
    if loss.non_negative_targets:
        assert not loss.check_y(y - 10)


@pytest.mark.parametrize(
    "name, params",
    [
        ("squared_error", {}),
        ("absolute_error", {}),
        ("quantile", {"quantile": 0.8}),
        ("poisson", {}),
        ("binary_log_loss", {}),
    ],
)
def test_intercept_only_fit_is_the_best_constant(name, params, rng):
    # The starting bias minimises the weighted loss over constants (absolute
    # error starts at the mean, as it always has: checked to be no worse than
    # a constant far off instead).
    loss = LOSSES[name](**params)
    y, _ = _targets(name, rng, 60, 1)
    sw = rng.uniform(0.5, 2.0, 60)
    bias = loss.fit_intercept_only(y, sw)

    def weighted_loss(constant):
        raw = np.full_like(y, constant)
        return np.average(loss.value(y, raw), weights=sw)

    best = weighted_loss(bias[0])
    if name == "absolute_error":
        assert best < weighted_loss(bias[0] + 1.0)
        return
    for shift in (-0.05, -0.01, 0.01, 0.05):
        assert best <= weighted_loss(bias[0] + shift) + 1e-12


@pytest.mark.parametrize("name", list(LOSSES))
def test_link_and_inverse_are_inverses(name, rng):
    loss = LOSSES[name]()
    raw = rng.uniform(-2, 2, size=(10, 3))
    if name == "multinomial_log_loss":
        raw -= raw.mean(axis=1, keepdims=True)  # softmax fixes raw up to a shift
        back = loss.link.link(loss.inverse_link(raw))
        back -= back.mean(axis=1, keepdims=True)
    else:
        back = loss.link.link(loss.inverse_link(raw))
    np.testing.assert_allclose(back, raw, rtol=1e-10, atol=1e-12)
