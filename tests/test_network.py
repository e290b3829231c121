"""The whole network: gradient of J, layout, sparse input, the penalty's extent."""

import numpy as np
import pytest
import scipy.sparse as sp

from skreg._activations import ACTIVATIONS
from skreg._losses import LOSSES
from skreg._network import Layout, Workspace, initialize, predict_raw
from skreg._objective import Objective
from skreg._preconditioner import Preconditioner

ACTIVATION_NAMES = [n for n, r in ACTIVATIONS.items() if r.name == n]
ALPHA = 0.1


def _problem(activation_name, loss_name, rng, hidden=(4, 3)):
    """An objective with random data, targets from the loss's own sampler."""
    activation, loss = ACTIVATIONS[activation_name], LOSSES[loss_name]()
    n, d = 12, 5
    k = {"binary_log_loss": 1, "multinomial_log_loss": 3}.get(loss_name, 2)
    X = rng.standard_normal((n, d))
    layout = Layout((d, *hidden, k), activation.learns_slope)
    theta = initialize(layout, activation, np.random.RandomState(0), np.float64)
    theta[layout.n_weights :] += 0.1 * rng.standard_normal(
        layout.n_params - layout.n_weights
    )
    # Residuals of the network's own output kept off the loss's kinks.
    Y = loss.sample_targets(rng, predict_raw(X, *layout.views(theta), activation))
    sw = rng.uniform(0.5, 2.0, size=n)
    return Objective(layout, activation, loss, X, Y, sw, ALPHA), theta


def _value_and_grad(objective, theta):
    grad = np.empty_like(theta)
    return objective.value_and_grad(theta, grad), grad


@pytest.mark.parametrize("loss_name", list(LOSSES))
@pytest.mark.parametrize("activation_name", ACTIVATION_NAMES)
def test_gradient_of_J_matches_central_differences(activation_name, loss_name, rng):
    objective, theta = _problem(activation_name, loss_name, rng)
    _, grad = _value_and_grad(objective, theta)
    eps = 1e-6
    numeric = np.empty_like(theta)
    for i in range(theta.size):
        step = np.zeros_like(theta)
        step[i] = eps
        plus, _ = _value_and_grad(objective, theta + step)
        minus, _ = _value_and_grad(objective, theta - step)
        numeric[i] = (plus - minus) / (2 * eps)
    # Kinks (relu family, absolute and pinball losses) are crossed with
    # probability ~eps: none is expected here, so the tolerance is that of smooth
    # central differences.
    np.testing.assert_allclose(grad, numeric, rtol=1e-5, atol=1e-7)


def test_penalty_covers_exactly_the_weights(rng):
    objective, theta = _problem("prelu", "squared_error", rng)
    layout = objective.layout
    objective.alpha = 0.7
    with_penalty, grad_a = _value_and_grad(objective, theta)
    objective.alpha = 0.0
    without, grad_0 = _value_and_grad(objective, theta)
    w = theta[: layout.n_weights]
    assert with_penalty - without == pytest.approx(0.7 * np.dot(w, w))
    difference = grad_a - grad_0
    np.testing.assert_allclose(difference[: layout.n_weights], 1.4 * w)
    assert np.all(difference[layout.n_weights :] == 0)  # biases and slopes


def test_minibatch_estimate_is_unbiased(rng):
    # Over a partition into minibatches, the scaled minibatch terms of one
    # epoch average to the full-batch data term (scale n / (size * S)).
    objective, theta = _problem("tanh", "huber", rng)
    n, S = objective.n_samples, objective.sample_weight.sum()
    grad = np.empty_like(theta)
    full, _ = objective.data_term_and_grad(theta, grad)
    parts = [
        objective.data_term_and_grad(theta, grad, slice(i, i + 4), n / (4 * S))[0]
        for i in range(0, n, 4)
    ]
    assert np.mean(parts) == pytest.approx(full, rel=1e-12)


@pytest.mark.parametrize("scipy_blas", [False, True])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_the_training_loops_buffers_give_the_same_gradient(rng, dtype, scipy_blas):
    # The loop's Workspace (its own buffers, the biases' gradients as products
    # with a vector of ones, trimmed for a shorter last minibatch) changes no
    # number beyond rounding, on either BLAS.
    objective, theta = _problem("relu", "multinomial_log_loss", rng)
    objective = objective.with_data(
        objective.X.astype(dtype), objective.Y, objective.sample_weight.astype(dtype)
    )
    theta = theta.astype(dtype)
    workspace = Workspace(objective.layout, 5, dtype)
    workspace.scipy_blas = scipy_blas
    tol = 1e-5 if dtype == np.float32 else 1e-12
    for rows in (slice(0, 5), slice(10, 12)):
        plain, with_buffers = np.empty_like(theta), np.empty_like(theta)
        expected, _ = objective.data_term_and_grad(theta, plain, rows, 1.0)
        value, _ = objective.data_term_and_grad(
            theta, with_buffers, rows, 1.0, workspace
        )
        assert value == pytest.approx(expected, rel=tol)
        np.testing.assert_allclose(with_buffers, plain, rtol=tol, atol=tol)
        biases = objective.layout.views(with_buffers)[1]
        assert all(b.dtype == dtype for b in biases)


def test_sparse_input_gives_the_dense_objective(rng):
    objective, theta = _problem("tanh", "huber", rng)
    X = objective.X
    X[X < 0.3] = 0.0
    dense = _value_and_grad(objective, theta)
    sparse = _value_and_grad(
        objective.with_data(sp.csr_matrix(X), objective.Y, objective.sample_weight),
        theta,
    )
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


def _linear_objective(X, Y, sw, hidden=()):
    layout = Layout((X.shape[1], *hidden, 1), learns_slope=False)
    activation = ACTIVATIONS["tanh" if hidden else "relu"]
    return Objective(layout, activation, LOSSES["squared_error"](), X, Y, sw, 0.0)


def test_gauss_newton_eigenvalue_of_a_linear_model(rng):
    n, d = 40, 4
    X = rng.standard_normal((n, d)) * [1, 2, 3, 4]
    Y = rng.standard_normal((n, 1))
    sw = rng.uniform(0.5, 2, n)
    objective = _linear_objective(X, Y, sw)
    theta = np.zeros(objective.layout.n_params)
    estimate, _ = objective.gauss_newton(theta, np.random.RandomState(0), n_iter=100)
    X1 = np.hstack([X, np.ones((n, 1))])
    exact = np.linalg.eigvalsh(X1.T @ (X1 * (2 * sw / sw.sum())[:, None])).max()
    assert estimate == pytest.approx(exact, rel=1e-3)


def test_max_curvature_adds_the_penalty(rng):
    # J's curvature is the data term's plus 2 alpha times the largest squared
    # factor between a weight and its coordinate (here the output scale, 3).
    X, Y = rng.standard_normal((40, 4)), rng.standard_normal((40, 1))
    objective = _linear_objective(X, Y, np.ones(40))
    theta = np.zeros(objective.layout.n_params)
    preconditioner = Preconditioner(
        objective.layout, np.zeros(4), np.ones(4), np.array([3.0]), np.float64
    )
    data, _ = objective.gauss_newton(
        theta, np.random.RandomState(0), preconditioner, 100
    )
    objective.alpha = 0.25
    total, _ = objective.max_curvature(
        theta, np.random.RandomState(0), preconditioner, 100
    )
    assert total == pytest.approx(data + 2 * 0.25 * 9.0, rel=1e-12)


def test_gauss_newton_eigenvalue_warm_started_from_the_last_vector(rng):
    # The automatic step of a warm start begins its power iteration at the last
    # vector of the previous estimate: at nearby weights, 3 iterations from there
    # must match a long iteration from a random vector.
    n, d = 200, 5
    X = rng.standard_normal((n, d)) * [1, 2, 3, 4, 5]
    Y = rng.standard_normal((n, 1))
    objective = _linear_objective(X, Y, np.ones(n), hidden=(16,))
    theta = initialize(
        objective.layout, objective.activation, np.random.RandomState(0), np.float64
    )
    _, vector = objective.gauss_newton(theta, np.random.RandomState(1))
    nearby = theta + 0.01 * rng.standard_normal(theta.shape)
    exact, _ = objective.gauss_newton(nearby, np.random.RandomState(1), n_iter=200)
    warm, _ = objective.gauss_newton(
        nearby, np.random.RandomState(1), n_iter=3, start=vector
    )
    cold, _ = objective.gauss_newton(nearby, np.random.RandomState(2), n_iter=3)
    assert warm == pytest.approx(exact, rel=1e-3)
    # The start is what makes 3 iterations enough (a control that can fail).
    assert abs(cold - exact) > abs(warm - exact)


def test_the_input_floor_is_where_the_penalty_curvature_meets_the_data_term():
    # In u the penalty's curvature on feature j's weights is 2 alpha / s_j^2
    # (times the output scale squared for a linear model); below the floor
    # sqrt(2 alpha / c) it would exceed the data term's curvature c.
    spreads = np.array([1.0, 0.5, 1e-3])
    hidden = Layout((3, 4, 1), False)
    linear = Layout((3, 1), False)
    for layout, factor in ((hidden, 1.0), (linear, 2.0)):
        plain = Preconditioner(
            layout, np.zeros(3), spreads, np.array([2.0]), np.float64
        )
        floor = plain.penalty_input_floor(0.02, 4.0)
        assert floor == pytest.approx(factor * 0.1)
        floored = plain.with_input_floor(floor)
        # The largest penalty curvature in u is then the data term's.
        assert 2 * 0.02 * floored.max_weight_factor() ** 2 == pytest.approx(4.0)
        np.testing.assert_allclose(
            floored.inverse_scale, 1 / np.maximum(spreads, floor)
        )
        # The floor is kept with the statistics, for fits that continue.
        assert floored.statistics[3] == floor
    # No spread below it, no floor: the coordinates stay those of the data.
    assert plain.penalty_input_floor(1e-8, 4.0) == 0.0
    assert plain.penalty_input_floor(0.0, 4.0) == 0.0


def test_rebase_keeps_the_coordinates_of_the_weights(rng):
    layout = Layout((3, 4, 1), False)
    mean, spreads = rng.standard_normal(3), np.array([1.0, 0.5, 1e-3])
    plain = Preconditioner(layout, mean, spreads, np.array([2.0]), np.float64)
    floored = plain.with_input_floor(0.1)
    theta = rng.standard_normal(layout.n_params)
    u = plain.from_theta(theta.copy())
    plain.rebase(theta, floored)
    np.testing.assert_allclose(floored.from_theta(theta.copy()), u)


@pytest.mark.parametrize("activation", ["relu", "leaky_relu", "identity"])
def test_homogeneous_layers_share_the_scale_of_the_function(rng, activation):
    # With units that scale with their input, the coordinates that share the
    # targets' spread among the layers describe the same networks as those
    # that put it on the last layer: the same u gives other weights, balanced
    # per layer, but the same function. Both are changes of variables
    # (T^-T is the adjoint of T^-1).
    layout = Layout((3, 4, 5, 2), False)
    mean, spreads = rng.standard_normal(3), np.array([1e-2, 3.0, 40.0])
    outputs = np.array([2.0, 50.0])
    shared = Preconditioner(
        layout, mean, spreads, outputs, np.float64, homogeneous=True
    )
    last = Preconditioner(layout, mean, spreads, outputs, np.float64)
    assert shared.rescales_layers and not last.rescales_layers
    u = rng.standard_normal(layout.n_params)
    theta, theta_last = shared.to_theta(u.copy()), last.to_theta(u.copy())
    X = mean + spreads * rng.standard_normal((20, 3))
    act = ACTIVATIONS[activation]

    def predict(weights):
        coefs, intercepts, slopes = layout.views(weights)
        return predict_raw(X, coefs, intercepts, slopes, act)

    np.testing.assert_allclose(predict(theta), predict(theta_last), rtol=1e-12)
    assert not np.allclose(theta, theta_last)
    np.testing.assert_allclose(shared.from_theta(theta.copy()), u, rtol=1e-12)
    grad = rng.standard_normal(layout.n_params)
    assert shared.to_u(grad.copy()) @ u == pytest.approx(grad @ theta, rel=1e-12)
    # Each layer's largest factor: g / k on top of 1 / s for the first,
    # g = (max sigma * k)^(1/3) for the hidden one, sigma * k / g^2 for the last.
    k = np.exp(np.mean(np.log(1 / spreads)))
    g = (50.0 * k) ** (1 / 3)
    assert shared.max_weight_factor() == pytest.approx(g / k * 100.0)
    assert shared.output_step_factor() == pytest.approx((50.0 * k / g**2) ** 2)
