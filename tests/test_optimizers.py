"""One optimizer step against a hand computation, and the schedules."""

import numpy as np
import pytest

from skreg._optimizers import _BLAS_BLOCK, SGD, Adam
from skreg._solvers import SOLVERS


@pytest.mark.parametrize("nesterov", [True, False])
def test_sgd_two_steps_by_hand(nesterov):
    params = np.array([1.0, -2.0])
    grads = [np.array([0.5, 1.0]), np.array([-1.0, 2.0])]
    opt = SGD(params, 0.1, momentum=0.9, nesterov=nesterov)
    expected, velocity = params.copy(), np.zeros(2)
    for g in grads:
        opt.update(params, g)
        velocity = 0.9 * velocity - 0.1 * g
        expected += 0.9 * velocity - 0.1 * g if nesterov else velocity
        np.testing.assert_allclose(params, expected)
        np.testing.assert_allclose(opt.velocity, velocity)


def test_adam_step_by_hand():
    params, g = np.array([1.0, -2.0]), np.array([0.5, -1.0])
    opt = Adam(params, 0.01, beta_1=0.9, beta_2=0.999, epsilon=1e-8)
    opt.update(params, g)
    m, v = 0.1 * g, 0.001 * g**2
    lr = 0.01 * np.sqrt(1 - 0.999) / (1 - 0.9)
    np.testing.assert_allclose(params, [1.0, -2.0] - lr * m / (np.sqrt(v) + 1e-8))


def test_invscaling_schedule():
    opt = SGD(np.zeros(1), 0.5, schedule="invscaling", power_t=0.5)
    opt.end_epoch(t=99)
    assert opt.learning_rate == pytest.approx(0.05)


def test_adaptive_divides_by_five_then_stops():
    opt = SGD(np.zeros(1), 1.0, schedule="adaptive")
    assert opt.should_stop() is False
    assert opt.learning_rate == pytest.approx(0.2)
    while not opt.should_stop():
        pass
    assert opt.learning_rate <= 1e-6


def test_constant_schedule_stops_at_once():
    assert SGD(np.zeros(1), 1.0).should_stop() is True


def test_restart_forgets_state():
    params = np.ones(3)
    for opt in (SGD(params, 0.1), Adam(params, 0.1)):
        opt.update(params, np.ones(3))
        opt.restart(0.01)
        assert opt.learning_rate == 0.01
        state = opt.velocity if isinstance(opt, SGD) else opt.first_moment
        assert np.all(state == 0)


def test_stochastic_solvers_build_these_optimizers():
    built = {
        name: solver.optimizer_class
        for name, solver in SOLVERS.items()
        if solver.stochastic
    }
    assert built == {"sgd": SGD, "adam": Adam}
    assert all(cls.stochastic for cls in built.values())


@pytest.mark.parametrize("decay_in_step", [True, False])
@pytest.mark.parametrize("nesterov", [True, False])
def test_sgd_step_from_a_scaled_gradient_equals_update(nesterov, decay_in_step, rng):
    # Several of the step's blocks, the decayed part ending inside one.
    size, stop = 3 * _BLAS_BLOCK + 1000, 2 * _BLAS_BLOCK + 123
    params, grads = rng.standard_normal(size), rng.standard_normal((3, size))
    by_update, by_step = params.copy(), params.copy()
    updating = SGD(by_update, 0.05, momentum=0.9, nesterov=nesterov)
    stepping = SGD(by_step, 0.05, momentum=0.9, nesterov=nesterov)
    for g in grads:
        updating.update(by_update, g.copy(), decay=(stop, 0.2))
        if decay_in_step:
            stepping.step(by_step, -0.05 * g, decay=(stop, -0.05 * 0.2))
        else:
            decayed = g + np.r_[0.2 * by_step[:stop], np.zeros(size - stop)]
            stepping.step(by_step, -0.05 * decayed)
    # Equal up to rounding: BLAS's fused multiply-adds round once where the
    # ufuncs round twice (parameters are of order 1).
    np.testing.assert_allclose(by_step, by_update, rtol=1e-12, atol=1e-14)
    assert not np.allclose(by_step, params)
