"""Stochastic optimizers that update one flat parameter vector in place.

The gradient they receive is the minibatch estimate of the gradient of the whole
objective J, penalty included, so that their fixed point is a stationary point of J
(decoupled weight decay under momentum would minimise a different objective).
"""

import numpy as np


class _StochasticOptimizer:
    """Learning-rate schedule shared by the stochastic optimizers.

    Parameters
    ----------
    learning_rate_init : float
        Initial step size.
    schedule : {"constant", "invscaling", "adaptive"}
        scikit-learn's semantics: ``invscaling`` divides by ``(t + 1) ** power_t``
        with ``t`` the number of samples seen, ``adaptive`` divides by 5 each time
        training stops improving.
    power_t : float
        Exponent of ``invscaling``.
    """

    stochastic = True
    #: ``adaptive`` stops training once the step size falls below this value.
    min_learning_rate = 1e-6

    def __init__(self, learning_rate_init, schedule="constant", power_t=0.5):
        self.learning_rate_init = learning_rate_init
        self.learning_rate = learning_rate_init
        self.schedule = schedule
        self.power_t = power_t

    def end_epoch(self, t):
        """Apply the schedule after an epoch; ``t`` counts the samples seen."""
        if self.schedule == "invscaling":
            self.learning_rate = self.learning_rate_init / (t + 1) ** self.power_t

    def should_stop(self):
        """Called when training stopped improving: True to stop, False to go on."""
        if self.schedule != "adaptive":
            return True
        if self.learning_rate <= self.min_learning_rate * self.learning_rate_init:
            return True
        self.learning_rate /= 5.0
        return False


class SGD(_StochasticOptimizer):
    """Stochastic gradient descent with (Nesterov) momentum.

    The update works in place on the flat vectors with one preallocated buffer
    (numpy ufuncs, not scipy's BLAS: scipy ships its own OpenBLAS, whose threads
    would fight numpy's for the cores between every two products).
    """

    def __init__(
        self,
        params,
        learning_rate_init,
        schedule="constant",
        power_t=0.5,
        momentum=0.9,
        nesterov=True,
    ):
        super().__init__(learning_rate_init, schedule, power_t)
        self.momentum = momentum
        self.nesterov = nesterov
        self.velocity = np.zeros_like(params)
        self._step = np.empty_like(params)

    @property
    def dtype(self):
        return self.velocity.dtype

    def restart(self, learning_rate):
        """Forget the velocity and continue with another step size."""
        self.velocity[...] = 0
        self.learning_rate = self.learning_rate_init = learning_rate

    def update(self, params, grads):
        """One step on ``params`` (changed in place) along ``grads``."""
        step = np.multiply(grads, -self.learning_rate, out=self._step)
        # velocity = momentum * velocity - lr * grads
        self.velocity *= self.momentum
        self.velocity += step
        if self.nesterov:
            # params += momentum * velocity - lr * grads
            params += step
            params += np.multiply(self.velocity, self.momentum, out=self._step)
        else:
            params += self.velocity


class Adam(_StochasticOptimizer):
    """Adam (Kingma and Ba, 2015) with bias correction."""

    def __init__(
        self,
        params,
        learning_rate_init,
        schedule="constant",
        power_t=0.5,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-8,
    ):
        super().__init__(learning_rate_init, schedule, power_t)
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.n_steps = 0
        self.first_moment = np.zeros_like(params)
        self.second_moment = np.zeros_like(params)
        self._step = np.empty_like(params)

    @property
    def dtype(self):
        return self.first_moment.dtype

    def restart(self, learning_rate):
        """Forget the moment estimates and continue with another step size."""
        self.n_steps = 0
        self.first_moment[...] = 0
        self.second_moment[...] = 0
        self.learning_rate = self.learning_rate_init = learning_rate

    def update(self, params, grads):
        """One step on ``params`` (changed in place) along ``grads``."""
        self.n_steps += 1
        b1, b2 = self.beta_1, self.beta_2
        self.first_moment *= b1
        self.first_moment += (1 - b1) * grads
        self.second_moment *= b2
        step = np.multiply(grads, grads, out=self._step)
        step *= 1 - b2
        self.second_moment += step
        lr = (
            self.learning_rate
            * np.sqrt(1 - b2**self.n_steps)
            / (1 - b1**self.n_steps)
        )
        np.sqrt(self.second_moment, out=step)
        step += self.epsilon
        np.divide(self.first_moment, step, out=step)
        step *= -lr
        params += step


#: Stochastic optimizers by solver name (lbfgs is a function in ``_base``).
OPTIMIZERS = {"sgd": SGD, "adam": Adam}
