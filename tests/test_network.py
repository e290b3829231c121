"""The whole network: gradient of J, layout, sparse input, the penalty's extent."""

import numpy as np
import pytest
import scipy.sparse as sp

from skreg._activations import ACTIVATIONS
from skreg._losses import LOSSES
from skreg._network import (
    Layout,
    gauss_newton_max_eigenvalue,
    initialize,
    objective_and_grad,
)

ACTIVATION_NAMES = [n for n, r in ACTIVATIONS.items() if r.name == n]
ALPHA, DELTA = 0.1, 1.0


def _problem(activation_name, loss_name, rng, hidden=(4, 3)):
    activation = ACTIVATIONS[activation_name]
    n, d = 12, 5
    k = (
        1
        if loss_name == "binary_log_loss"
        else (3 if "multinomial" in loss_name else 2)
    )
    X = rng.standard_normal((n, d))
    if loss_name == "poisson":
        Y = rng.poisson(1.5, size=(n, k)).astype(float)
    elif loss_name == "binary_log_loss":
        Y = rng.integers(0, 2, size=(n, k)).astype(float)
    elif loss_name == "multinomial_log_loss":
        Y = np.eye(k)[rng.integers(0, k, size=n)]
    else:
        Y = 3 * rng.standard_normal((n, k))  # residuals far from 0 and from delta
    layout = Layout((d, *hidden, k), activation.learns_slope)
    theta = initialize(layout, activation, np.random.RandomState(0), np.float64)
    theta[layout.n_weights :] += 0.1 * rng.standard_normal(
        layout.n_params - layout.n_weights
    )
    sw = rng.uniform(0.5, 2.0, size=n)
    return activation, LOSSES[loss_name], layout, theta, X, Y, sw


def _objective(theta, activation, loss, layout, X, Y, sw, alpha=ALPHA):
    grad = np.empty_like(theta)
    value = objective_and_grad(
        theta, layout, activation, loss, X, Y, sw, alpha, DELTA, grad
    )
    return value, grad


@pytest.mark.parametrize("loss_name", list(LOSSES))
@pytest.mark.parametrize("activation_name", ACTIVATION_NAMES)
def test_gradient_of_J_matches_central_differences(activation_name, loss_name, rng):
    activation, loss, layout, theta, X, Y, sw = _problem(
        activation_name, loss_name, rng
    )
    _, grad = _objective(theta, activation, loss, layout, X, Y, sw)
    eps = 1e-6
    numeric = np.empty_like(theta)
    for i in range(theta.size):
        step = np.zeros_like(theta)
        step[i] = eps
        plus, _ = _objective(theta + step, activation, loss, layout, X, Y, sw)
        minus, _ = _objective(theta - step, activation, loss, layout, X, Y, sw)
        numeric[i] = (plus - minus) / (2 * eps)
    # Kinks (relu family, absolute loss) are crossed with probability ~eps: none
    # is expected here, so the tolerance is that of smooth central differences.
    np.testing.assert_allclose(grad, numeric, rtol=1e-5, atol=1e-7)


def test_penalty_covers_exactly_the_weights(rng):
    activation, loss, layout, theta, X, Y, sw = _problem("prelu", "squared_error", rng)
    with_penalty, grad_a = _objective(theta, activation, loss, layout, X, Y, sw, 0.7)
    without, grad_0 = _objective(theta, activation, loss, layout, X, Y, sw, 0.0)
    w = theta[: layout.n_weights]
    assert with_penalty - without == pytest.approx(0.7 * np.dot(w, w))
    difference = grad_a - grad_0
    np.testing.assert_allclose(difference[: layout.n_weights], 1.4 * w)
    assert np.all(difference[layout.n_weights :] == 0)  # biases and slopes


def test_sparse_input_gives_the_dense_objective(rng):
    activation, loss, layout, theta, X, Y, sw = _problem("tanh", "huber", rng)
    X[X < 0.3] = 0.0
    dense = _objective(theta, activation, loss, layout, X, Y, sw)
    sparse = _objective(theta, activation, loss, layout, sp.csr_matrix(X), Y, sw)
    assert sparse[0] == pytest.approx(dense[0], rel=1e-12)
    np.testing.assert_allclose(sparse[1], dense[1], rtol=1e-12, atol=1e-15)


def test_views_and_pack_round_trip(rng):
    layout = Layout((3, 4, 2), learns_slope=True)
    theta = rng.standard_normal(layout.n_params)
    coefs, intercepts, slopes = layout.views(theta)
    assert [c.shape for c in coefs] == [(3, 4), (4, 2)]
    assert [b.shape for b in intercepts] == [(4,), (2,)]
    assert [s.shape for s in slopes] == [(4,)]
    np.testing.assert_array_equal(
        layout.pack(coefs, intercepts, slopes, np.float64), theta
    )
    coefs[0][0, 0] = 42.0  # views, not copies
    assert theta[0] == 42.0


def test_gauss_newton_eigenvalue_of_a_linear_model(rng):
    n, d = 40, 4
    X = rng.standard_normal((n, d)) * [1, 2, 3, 4]
    Y = rng.standard_normal((n, 1))
    sw = rng.uniform(0.5, 2, n)
    layout = Layout((d, 1), learns_slope=False)
    theta = np.zeros(layout.n_params)
    estimate = gauss_newton_max_eigenvalue(
        theta,
        layout,
        ACTIVATIONS["relu"],
        LOSSES["squared_error"],
        X,
        Y,
        sw,
        np.random.RandomState(0),
        n_iter=100,
    )
    X1 = np.hstack([X, np.ones((n, 1))])
    exact = np.linalg.eigvalsh(X1.T @ (X1 * (2 * sw / sw.sum())[:, None])).max()
    assert estimate == pytest.approx(exact, rel=1e-3)


def test_gauss_newton_eigenvalue_warm_started_from_the_last_vector(rng):
    # The automatic step of a warm start begins its power iteration at the last
    # vector of the previous estimate: at nearby weights, 3 iterations from there
    # must match a long iteration from a random vector.
    n, d = 200, 5
    X = rng.standard_normal((n, d)) * [1, 2, 3, 4, 5]
    Y = rng.standard_normal((n, 1))
    sw = np.ones(n)
    layout = Layout((d, 16, 1), learns_slope=False)
    activation, loss = ACTIVATIONS["tanh"], LOSSES["squared_error"]
    theta = initialize(layout, activation, np.random.RandomState(0), np.float64)
    args = (layout, activation, loss, X, Y, sw, np.random.RandomState(1))
    _, vector = gauss_newton_max_eigenvalue(theta, *args, return_vector=True)
    nearby = theta + 0.01 * rng.standard_normal(theta.shape)
    exact = gauss_newton_max_eigenvalue(nearby, *args, n_iter=200)
    warm = gauss_newton_max_eigenvalue(nearby, *args, n_iter=3, start=vector)
    cold = gauss_newton_max_eigenvalue(
        nearby, *args[:-1], np.random.RandomState(2), n_iter=3
    )
    assert warm == pytest.approx(exact, rel=1e-3)
    # The start is what makes 3 iterations enough (a control that can fail).
    assert abs(cold - exact) > abs(warm - exact)
